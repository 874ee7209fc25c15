"""The general guarantees behind the hostile corpus, checked for every field of every schema.

* Every text field refuses control and invisible formatting characters, typed raw or
  written as an escape, with the code point named, at that field.
* Every field that could become a path either refuses ``../`` and absolute paths (the
  fields declared as paths in ``kinds.yaml`` must), or never reaches a file name: with
  such values in every field that accepts them, every page the site generates stays
  inside its folder and nothing is written anywhere else.
* The place that writes the site's files refuses a path outside, even when a record got
  past the validator.
* Whatever check makes a problem, its message cannot carry a personal number, an
  invisible character or a line break.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from duban.records.kinds import load_registry
from duban.records.load import load_bytes, load_file
from duban.records.problems import Problem, field_name
from duban.records.text import FORBIDDEN, has_forbidden
from duban.records.validate.files import FileChecker
from schemawalk import concrete, text_fields, with_value

GOLDEN = ROOT / "tests" / "golden" / "repo"
REGISTRY = load_registry(ROOT / "schemas")


def _samples() -> dict[str, tuple[Path, dict]]:
    """For each kind, the golden record with the most fields filled in (its file and data)."""
    out: dict[str, tuple[Path, dict]] = {}
    for kind in REGISTRY.kinds.values():
        best = None
        for path in sorted((GOLDEN / "records" / kind.folder).rglob("*.yaml")):
            data = load_file(path).data
            size = len(yaml.safe_dump(data, allow_unicode=True))
            if best is None or size > best[0]:
                best = (size, path, data)
        assert best, f"the golden slice has no {kind.name} record"
        out[kind.name] = (best[1], best[2])
    return out


SAMPLES = _samples()


def test_forbidden_characters_cover_every_control_and_format_character():
    missing = [f"U+{c:04X}" for c in range(0x110000)
               if unicodedata.category(chr(c)) in ("Cc", "Cf", "Zl", "Zp") and c not in (9, 10)
               and not FORBIDDEN.match(chr(c))]
    assert not missing, missing[:20]
    assert not FORBIDDEN.search("普通文字 ABC 123，。！\t\n（）【】—…《》")


def test_the_quick_test_for_forbidden_characters_gives_the_same_answer():
    # the loader asks has_forbidden, not FORBIDDEN: every character, alone and after one above U+FFFF
    wrong = [f"U+{c:04X}" for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF
             and has_forbidden(chr(c)) != bool(FORBIDDEN.search(chr(c)))]
    assert not wrong, wrong[:20]
    for text in ("记录😀\u200b", "😀\U000e0001", "😀𠀀记录", "记录\U000e0001😀", "𠀀\U0010ffff"):
        assert has_forbidden(text) == bool(FORBIDDEN.search(text)), text


def test_a_control_character_typed_into_a_file_is_named_and_located():
    # the loader looks for the raw control characters only when has_forbidden says there is one
    for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]:
        loaded = load_bytes(f"id: a\nsummary: 甲{chr(c)}乙\n".encode(), "f.yaml")
        assert loaded.data is None and [(p.line, p.column, p.code) for p in loaded.problems] == [(2, 11, "char")], c


def _fields():
    for kind in REGISTRY.kinds.values():
        for path, schema in text_fields(kind.schema, REGISTRY.schemas):
            yield kind, path, schema


FIELDS = list(_fields())


def test_the_walk_finds_the_fields():
    names = {(k.name, field_name(concrete(p))) for k, p, _ in FIELDS}
    assert {("plan", "page"), ("task", "title"), ("task", "closure.note"), ("update", "text"),
            ("task", "timing.evidence.match.x"), ("dispute", "status_history[0].note")} <= names
    assert len(FIELDS) > 60


_CHECKERS: dict[Path, FileChecker] = {}


def _check(tmp_path: Path, kind, data: dict, n: int):
    folder = tmp_path / "records" / kind.folder
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"t{n}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    checker = _CHECKERS.get(tmp_path)
    if checker is None:  # compiling every schema takes a while: one checker per repository
        checker = _CHECKERS[tmp_path] = FileChecker(tmp_path, REGISTRY)
    return checker.check(path)


@pytest.mark.parametrize("payload", ["甲\u202e乙", "甲\x1b乙"], ids=["bidi-typed", "esc-escaped"])
def test_every_text_field_refuses_invisible_and_control_characters(payload, tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    missed = []
    for n, (kind, path, _) in enumerate(FIELDS):
        data = with_value(SAMPLES[kind.name][1], path, payload)
        checked = _check(tmp_path, kind, data, n)
        where = field_name(concrete(path))
        named = [p for p in checked.problems if p.code == "char" and p.field == where and "U+" in p.message]
        if not named or checked.valid:
            missed.append(f"{kind.name}.{where}: {[p.message for p in checked.problems]}")
    assert not missed, missed


def test_a_key_with_an_invisible_character_is_refused(tmp_path):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    kind = REGISTRY.kinds["unit"]
    checked = _check(tmp_path, kind, {**SAMPLES["unit"][1], "no\u200bte": "x"}, 0)
    assert [p.code for p in checked.problems if "U+200B" in p.message] == ["char"]


# ---------------------------------------------------------------- paths


def test_every_field_that_could_become_a_path_refuses_leaving_its_folder_or_stays_text(tmp_path):
    """Phase 1: which fields accept ``../`` and absolute paths at all. Phase 2: with those values in
    every such field of the golden slice, the site's pages and the weekly files stay in their folders."""
    from duban.engine.snapshot import Evaluator
    from duban.engine.weekly import weekly_report
    from duban.outputs.report_md import write_weekly
    from duban.outputs.site.build import inside
    from duban.outputs.site.pages import generate
    from duban.records.model import build as build_model
    from duban.records.validate import check_repository

    probe = tmp_path / "probe"
    shutil.copytree(ROOT / "schemas", probe / "schemas")
    escape = [f"../../../escape-{n}.md" for n in range(2)] + [str(tmp_path / "abs" / "escape.md")]
    declared = {(k.name, p) for k in REGISTRY.kinds.values() for p, _ in k.paths}
    accepted: dict[str, list[tuple]] = {}
    for n, (kind, path, _) in enumerate(FIELDS):
        where = field_name(concrete(path))
        ok = []
        for value in escape:
            checked = _check(probe, kind, with_value(SAMPLES[kind.name][1], path, value), n)
            ok.append(not any(p.field == where for p in checked.problems))
        if (kind.name, path) in declared:
            assert not any(ok), f"{kind.name}.{where} names a file and accepted a path leaving its folder"
        elif all(ok):
            accepted.setdefault(kind.name, []).append(path)
    assert declared and accepted  # the test exercises both kinds of field

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(GOLDEN / "records", root / "records")
    (root / "docs").mkdir()
    for kind_name, paths in accepted.items():
        file, data = SAMPLES[kind_name]
        for path in paths:
            try:
                data = with_value(data, path, escape[0]) if _present(data, concrete(path)) else data
            except ValueError:
                pass
        (root / file.relative_to(GOLDEN)).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = check_repository(root)
    assert result.ok, result.report.problems[:5]
    repo = build_model(result)
    evaluator = Evaluator(repo)
    pages = generate(evaluator.at(dt.date(2024, 4, 21)), root / "docs", [])
    docs = root / "build" / "docs"
    docs.mkdir(parents=True)
    for rel in pages:
        inside(docs, rel)  # raises when a page would leave the folder
        assert "escape" not in rel
    out = root / "out"
    written = write_weekly(weekly_report(evaluator, "2024-W16"), out)
    assert all(p.resolve().is_relative_to(out.resolve()) for p in written.values())
    assert not list(tmp_path.rglob("escape*")) and not (tmp_path / "abs").exists()


def _present(data, path) -> bool:
    node = data
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not node:
                return False
            node = node[0]
        else:
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
    return True


def test_the_site_writer_refuses_a_page_outside_even_past_the_validator(tmp_path):
    from duban.outputs.site.build import PageOutside, generate, inside
    from duban.records.model import build as build_model
    from duban.records.validate import check_repository

    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(GOLDEN / "records", root / "records")
    shutil.copytree(ROOT / "docs", root / "docs")
    repo = build_model(check_repository(root))
    plan_id = next(iter(repo.plans))
    for page in ("../../README.md", str(tmp_path / "outside.md"), "plan/../../x.md"):
        repo.plans[plan_id] = dataclasses.replace(repo.plans[plan_id], page=page)
        with pytest.raises(PageOutside):
            generate(root, repo, dt.date(2024, 4, 21), root / "build" / "docs", cache_root=root / "build" / "cache")
        assert not (tmp_path / "outside.md").exists() and not (root / "README.md").exists()
    (root / "docs" / "link").symlink_to(tmp_path)
    with pytest.raises(PageOutside):
        inside(root / "docs", "link/x.md")


def test_a_problem_is_masked_and_one_line_whoever_made_it():
    p = Problem("f.yaml", 1, 1, "note\u200b", "值“13905951234”\n::error::伪造\x1b[2J", "x")
    assert "13905951234" not in p.message and "139****1234" in p.message
    assert "\n" not in p.message and "\x1b" not in p.message and "<U+001B>" in p.message
    assert p.field == "note<U+200B>"


def test_a_link_under_docs_stops_the_build_before_anything_is_published(tmp_path):
    from conftest import make_site_repo
    from duban.outputs.site.build import build_site

    repo = make_site_repo(tmp_path / "repo")
    (tmp_path / "secret.md").write_text("# 机密\n", encoding="utf-8")
    (repo / "docs" / "guide" / "secret.md").symlink_to(tmp_path / "secret.md")
    outcome = build_site(repo, dt.date(2024, 3, 31), site_dir=tmp_path / "site")
    [problem] = outcome.report.problems
    assert problem.file == "docs/guide/secret.md" and "符号链接" in problem.message
    assert not (tmp_path / "site").exists() or not list((tmp_path / "site").rglob("*secret*"))
