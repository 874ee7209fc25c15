"""Property-based tests: whatever text a file holds, the loader and the validator answer with located problems.

Random YAML-ish text (keys, colons, dashes, brackets, quotes, escapes, anchors, tabs,
conflict markers, invisible characters, digits that look like phone numbers) and random
bytes never raise; every problem names a file, a line and a column from 1, a field, and a
Chinese message without English words. Example counts are modest so the suite stays quick.
"""

from __future__ import annotations

import re
import shutil

import yaml
from conftest import ROOT, make_repo
from duban.records.load import load_bytes
from duban.records.validate import check_repository
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PIECES = st.sampled_from([
    "id", "name", "kind", "note", "title", "lead_units", "timing", "mode", ": ", ":", "- ", "-", "\n", "\n  ",
    "\n    ", "  ", "\t", "[", "]", "{", "}", ",", "\"", "'", "\\x01", "\\u200b", "\\e", "\\", "&a ", "*a", "!!str ",
    "!x ", "? ", "|", ">", "#", "%YAML 1.1\n", "---\n", "...\n", "<<<<<<< HEAD\n", "=======\n", ">>>>>>> b\n",
    "2024-02-30", "2024-01-01", "0755", "yes", "~", "null", "13905951234", "１３９", "35052119900307123X",
    "甲镇", "乡镇", "区直单位", "\u202e", "\u200b", "\x00", "\x1b", "\ufeff", "\r\n", "\x85", "é", "𠀀",
])
YAMLISH = st.lists(PIECES | st.text(max_size=5), max_size=40).map("".join)
ALLOWED = {"YAML", "UTF", "GBK", "ESC", "Tab", "FIFO", "KiB", "MiB", "BOM", "schema", "docs", "records", "yaml",
           "yml", "true", "false", "YYYY", "MM", "DD", "units", "tasks", "cases", "plans", "updates", "disputes",
           "hazards", "meetings", "risk", "assessments", "org", "luoyang", "example", "plan", "duban", "Windows", "Markdown"}


def english(message: str) -> set[str]:
    # quoted values, code points, and words that are names of things (paths, file names, ids such as MD-x-2024-0001)
    text = re.sub(r"“[^”]*”|U\+[0-9A-F]{4,6}|[\w@./-]*[./@-][\w@./-]*", "", message)
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED}


def assert_located(problems, file_prefix: str = ""):
    for p in problems:
        assert p.file.startswith(file_prefix) and p.line >= 1 and p.column >= 1 and p.field and p.message, p
        assert not english(p.message), p
        assert "\n" not in p.message


@settings(max_examples=100, deadline=None)
@given(YAMLISH)
def test_the_loader_answers_any_text_with_located_problems(text):
    loaded = load_bytes(text.encode("utf-8", errors="surrogatepass"), "x.yaml")
    assert loaded.data is None or isinstance(loaded.data, dict)
    assert loaded.data is not None or loaded.problems
    assert_located(loaded.problems, "x.yaml")
    for p in loaded.problems:  # a problem can always be located again
        loaded.where(tuple(p.field.split(".")) if p.field != "-" else ())


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_the_loader_answers_any_bytes(data):
    loaded = load_bytes(data, "x.yaml")
    assert loaded.data is None or isinstance(loaded.data, dict)
    assert_located(loaded.problems, "x.yaml")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=YAMLISH, folder=st.sampled_from(["units", "tasks", "plans", "updates/T-2-1-01", "cases/disputes", "misc"]))
def test_the_validator_answers_any_file_with_located_problems(text, folder, tmp_path_factory):
    root = tmp_path_factory.mktemp("prop")
    make_repo(root / "r")
    path = root / "r" / "records" / folder / "x.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    report = check_repository(root / "r").report
    assert_located(report.problems, "records/")
    shutil.rmtree(root, ignore_errors=True)


VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=12) | PIECES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | PIECES, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=st.dictionaries(st.sampled_from(["id", "name", "kind", "title", "plan", "lead_units", "timing", "closure",
                                               "extensions", "page", "note", "task", "unit", "date"]) | st.text(max_size=6),
                              VALUES, max_size=6),
       folder=st.sampled_from(["units", "tasks", "plans", "cases/disputes"]))
def test_the_validator_answers_any_record_shape(record, folder, tmp_path_factory):
    root = tmp_path_factory.mktemp("shape")
    make_repo(root / "r")
    path = root / "r" / "records" / folder / "x.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    report = check_repository(root / "r", today=__import__("datetime").date(2024, 6, 30)).report
    assert_located(report.problems, "records/")
    assert ROOT.exists()
    shutil.rmtree(root, ignore_errors=True)
