"""A long overdue list is split into a page per kind and unit, so the overdue page does not grow with the
whole area's backlog; every overdue case is still listed exactly once, and a short list stays inline."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from duban.engine.snapshot import evaluate
from duban.outputs.site.pages import generate, status
from duban.records.model import open_repository

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 20)


def _anchors(text: str) -> list[str]:
    return re.findall(r'<a id="case-([^"]+)"></a>', text)


def _pages(monkeypatch, inline: int):
    monkeypatch.setattr(status, "OVERDUE_INLINE", inline)
    snap = evaluate(open_repository(ROOT), AS_OF)
    return snap, generate(snap, ROOT / "docs", [], [])


def test_a_short_list_stays_on_the_overdue_page(monkeypatch):
    snap, pages = _pages(monkeypatch, 300)
    overdue = {st.case.id for k in snap.repo.case_kinds() for st in snap.overdue_cases(k.name)}
    assert overdue, "the shipped records have overdue cases"
    assert set(_anchors(pages["status/overdue.md"])) == overdue
    assert not any(p.startswith("status/overdue-cases/") for p in pages)


def test_a_long_list_gets_a_page_per_kind_and_unit(monkeypatch):
    snap, pages = _pages(monkeypatch, 1)
    overview = pages["status/overdue.md"]
    assert _anchors(overview) == []
    listed: list[str] = []
    for kind in snap.repo.case_kinds():
        states = snap.overdue_cases(kind.name)
        for st in states:
            assert f"overdue-cases/{kind.name}/" in overview
        for unit in {st.case.unit for st in states}:
            own = [st.case.id for st in states if st.case.unit == unit]
            files = sorted(p for p in pages if p.startswith(f"status/overdue-cases/{kind.name}/{unit}"))
            assert len(files) == len(own)  # one row a page here
            found = [a for f in files for a in _anchors(pages[f])]
            assert sorted(found) == sorted(own)
            for f in files:
                assert f"({f.removeprefix('status/')})" in overview  # linked from the overdue page
                assert "../../../units/" in pages[f] and "search:\n  exclude: true" in pages[f]
            listed += found
    assert sorted(listed) == sorted(st.case.id for k in snap.repo.case_kinds() for st in snap.overdue_cases(k.name))
