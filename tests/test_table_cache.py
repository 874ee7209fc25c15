"""Register tables kept between builds (``tablecache``): a table comes from the cache only when it would be written
the same, so a build with the cache writes exactly the pages a build without it writes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from duban.engine.snapshot import evaluate
from duban.outputs.site.pages import context, generate
from duban.outputs.site.pages.tablecache import TableCache
from duban.records.model import open_repository

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 20)
CASE = "records/cases/disputes/MD-baiqi-2023-0001.yaml"


@pytest.fixture
def root(tmp_path) -> Path:
    shutil.copytree(ROOT / "schemas", tmp_path / "repo" / "schemas")
    shutil.copytree(ROOT / "records", tmp_path / "repo" / "records")
    return tmp_path / "repo"


def pages(root: Path, folder: Path | None, monkeypatch, as_of: dt.date = AS_OF, base: str = "code") -> tuple[dict, int]:
    """The generated pages, and how many register tables were rendered (not taken from the cache)."""
    rendered = []
    real = context.Context.case_html_table

    def counting(self, *args):
        rendered.append(args[-1])
        return real(self, *args)

    monkeypatch.setattr(context.Context, "case_html_table", counting)
    out = generate(evaluate(open_repository(root), as_of), ROOT / "docs", [], [], tables=TableCache(folder, base))
    monkeypatch.setattr(context.Context, "case_html_table", real)
    return out, len(rendered)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def tables(out: dict) -> dict:
    return {k: v for k, v in out.items() if k.endswith(".table.html")}


def test_only_the_volume_that_changed_is_written_again(root, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first, n = pages(root, cache, monkeypatch)
    volumes = len(tables(first))
    assert n == volumes > 1 and len(list(cache.iterdir())) == volumes
    again, n = pages(root, cache, monkeypatch)
    assert n == 0 and again == first  # nothing changed: every table from the cache
    edit(root, CASE, "小区业主因停车位管理与物业产生矛盾", "小区业主因停车位划线与物业产生矛盾")
    cached, n = pages(root, cache, monkeypatch)
    fresh, _ = pages(root, None, monkeypatch)
    assert n == 1 and cached == fresh
    assert [k for k in tables(cached) if "停车位划线" in cached[k]] == ["registers/dispute/baiqi-2023.table.html"]
    assert len(list(cache.iterdir())) == volumes  # the old table of that volume is gone


@pytest.mark.slow
def test_a_later_day_a_renamed_unit_or_other_code_writes_the_tables_again(root, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    pages(root, cache, monkeypatch)
    later = AS_OF + dt.timedelta(days=40)  # open cases' days overdue move on; closed volumes stay
    cached, n = pages(root, cache, monkeypatch, later)
    assert cached == pages(root, None, monkeypatch, later)[0] and n > 0
    edit(root, "records/units/baiqi.yaml", "short_name: 百崎乡", "short_name: 百崎")
    cached, n = pages(root, cache, monkeypatch, later)
    assert cached == pages(root, None, monkeypatch, later)[0] and n == len(tables(cached))  # unit names are in links
    _, n = pages(root, cache, monkeypatch, later, base="other code")
    assert n == len(tables(cached))


def test_an_unreadable_cache_entry_is_written_again(root, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first, _ = pages(root, cache, monkeypatch)
    for entry in cache.iterdir():
        entry.write_bytes(b"\xff\xfe not utf-8")
    again, n = pages(root, cache, monkeypatch)
    assert again == first and n == len(tables(first))
