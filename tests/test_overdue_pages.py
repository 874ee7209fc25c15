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


def test_a_unit_page_links_its_long_lists_instead_of_repeating_them(monkeypatch):
    snap, pages = _pages(monkeypatch, 1)
    checked = 0
    for kind in snap.repo.case_kinds():
        for unit in {st.case.unit for st in snap.overdue_cases(kind.name)}:
            own = [st.case.id for st in snap.overdue_cases(kind.name, unit)]
            page = pages[f"units/{unit}.md"]
            section = page.split(f"### 逾期{kind.label}（{len(own)} 件）", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
            if len(own) == 1:  # within the limit: listed on the unit's page itself
                assert _anchors(section) == own
                continue
            assert _anchors(section) == []  # not listed again on the unit's page
            targets = re.findall(r"\(\.\./status/overdue-cases/([^)]+)\.md\)", section)
            assert len(targets) == len(own)  # one link per page of its list, here one case a page
            for target in targets:
                listed = _anchors(pages[f"status/overdue-cases/{target}.md"])
                assert listed and set(listed) <= set(own)  # each link leads to this unit's own cases only
            checked += 1
    assert checked, "the shipped records have a unit with more than one overdue case of a kind"


def test_a_unit_page_keeps_a_short_list_inline(monkeypatch):
    snap, pages = _pages(monkeypatch, 300)
    for kind in snap.repo.case_kinds():
        for st in snap.overdue_cases(kind.name):
            assert st.case.id in _anchors(pages[f"units/{st.case.unit}.md"])
    assert "overdue-cases/" not in "".join(v for k, v in pages.items() if k.startswith("units/") and isinstance(v, str))
