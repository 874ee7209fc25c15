"""Beyond ``reports.<series>.list_cases`` overdue (or waiting) cases, a report's body counts them per unit instead of
listing each one, as an office's 周报 or 通报 would; the Excel annex still lists every case. Each count names only
what that unit owes (its own overdue cases; the waiting ones count for the verifying office)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import openpyxl
import pytest
from duban.engine.monthly import monthly_report
from duban.engine.weekly import reported_weeks, weekly_report
from duban.outputs.docx_report import docx_bytes
from duban.outputs.monthly_report import _Document
from duban.outputs.monthly_report import render as render_monthly
from duban.outputs.report_md import render as render_weekly
from duban.outputs.xlsx_report import xlsx_bytes
from duban.records.model import open_repository
from duban.records.validate import check_repository

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 20)
LIMIT = 2


def _copy(tmp: Path, weekly: str, monthly: str) -> Path:
    shutil.copytree(ROOT / "schemas", tmp / "schemas")
    shutil.copytree(ROOT / "records", tmp / "records")
    settings = tmp / "schemas" / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "    list_cases: 50" in text and "    masthead: 主动创稳工作通报\n" in text
    text = text.replace("    list_cases: 50", f"    list_cases: {weekly}")
    text = text.replace("    masthead: 主动创稳工作通报\n", f"    masthead: 主动创稳工作通报\n    list_cases: {monthly}\n")
    settings.write_text(text, encoding="utf-8")
    return tmp


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return open_repository(_copy(tmp_path_factory.mktemp("summary"), str(LIMIT), str(LIMIT)))


@pytest.fixture(scope="module")
def week(repo):
    """A week with more overdue and more waiting cases than the limit."""
    for w in reversed(reported_weeks(repo, AS_OF)):
        report = weekly_report(repo, w)
        if len(report.overdue_cases) > LIMIT and len(report.awaiting_cases) > LIMIT:
            return report
    pytest.fail("the shipped records have no week with more overdue and waiting cases than the limit")


def _table(document, header: tuple[str, ...]):
    found = [t for t in document.tables if tuple(c.text for c in t.rows[0].cells) == header]
    assert len(found) == 1, header
    return [[c.text for c in row.cells] for row in found[0].rows[1:]]


def _text(document) -> str:
    return "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for row in t.rows for c in row.cells])


def test_the_weekly_word_report_counts_overdue_cases_per_unit(week):
    document = docx.Document(io.BytesIO(docx_bytes(week)))
    rows = _table(document, ("序号", "责任单位", "逾期件数", "其中", "最长逾期天数"))
    repo = week.snapshot.repo
    own = Counter(c.case.unit for c in week.snapshot.overdue_cases())  # each case for its own unit
    assert {r[1]: int(r[2]) for r in rows} == {repo.unit_name(u): n for u, n in own.items()}
    longest = {repo.unit_name(u): max(c.days_overdue for c in week.overdue_cases if c.case.unit == u) for u in own}
    assert {r[1]: int(r[4]) for r in rows} == longest
    assert [int(r[4]) for r in rows] == sorted((int(r[4]) for r in rows), reverse=True)  # longest overdue first
    for r in rows:
        assert sum(int(n) for n in re.findall(r"(\d+)件", r[3])) == int(r[2])
    text = _text(document)
    assert f"逾期台账超过{LIMIT}件，正文按责任单位汇总" in text and "逐件清单见本期Excel版“逾期台账”表" in text
    assert not [c.case.id for c in week.overdue_cases if c.case.id in text]  # not listed one by one


def test_the_weekly_workbook_still_lists_every_overdue_and_waiting_case(week):
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(week)))
    listed = [row[3] for row in wb["逾期台账"].iter_rows(min_row=4, values_only=True)]
    assert sorted(listed) == sorted(c.case.id for c in week.overdue_cases)
    waiting = [row[1] for row in wb["待核销"].iter_rows(min_row=4, values_only=True)]
    assert {c.case.id for c in week.awaiting_cases} <= set(waiting)


def test_waiting_cases_count_for_the_verifying_office(week):
    document = docx.Document(io.BytesIO(docx_bytes(week)))
    rows = _table(document, ("序号", "核销单位", "待核销件数", "其中", "最长超期天数"))
    repo = week.snapshot.repo
    offices = Counter(c.verification.office for c in week.awaiting_cases)
    assert {r[1]: int(r[2]) for r in rows} == {repo.unit_name(u): n for u, n in offices.items()}
    page = render_weekly(week)
    section = page.split("## 六、待核销", 1)[1].split("\n## ", 1)[0]
    assert "待核销台账超过" in section and "| 核销单位 | 待核销件数 |" in section
    assert not [c.case.id for c in week.awaiting_cases if c.case.id in section]
    for s in week.awaiting_tasks:  # tasks are few: still one by one
        assert s.task.id in section


def test_the_monthly_report_counts_cases_in_each_units_items(repo):
    month = next(m for m in ("2026-10", "2026-09", "2025-12") if len(monthly_report(repo, m).overdue_cases) > LIMIT)
    report = monthly_report(repo, month)
    page = render_monthly(report, site=True)
    section = page.split("## 四、逾期事项（按单位）", 1)[1].split("\n## ", 1)[0]
    for unit, n in Counter(c.case.unit for c in report.overdue_cases).items():
        days = max(c.days_overdue for c in report.overdue_cases if c.case.unit == unit)
        assert f"| {repo.unit_name(unit)} |" in section
        assert f"逾期台账{n}件（" in section and f"最长逾期{days}天" in section
    assert not [c.case.id for c in report.overdue_cases if c.case.id in section]
    text = _text(docx.Document(io.BytesIO(_Document(report).build())))
    assert not [c.case.id for c in report.overdue_cases if c.case.id in text]


def test_within_the_limit_every_case_is_listed(tmp_path):
    repo = open_repository(_copy(tmp_path, "50", "50"))
    report = next(r for w in reversed(reported_weeks(repo, AS_OF)) if (r := weekly_report(repo, w)).overdue_cases)
    assert 0 < len(report.overdue_cases) <= 50 and not report.overdue_case_units
    text = _text(docx.Document(io.BytesIO(docx_bytes(report))))
    assert all(c.case.id in text for c in report.overdue_cases)


def test_a_negative_limit_is_refused(tmp_path):
    root = _copy(tmp_path, "-1", "3")
    problems = [p for p in check_repository(root).report.problems if p.file == "schemas/settings.yaml"]
    assert problems and any("list_cases" in p.field for p in problems), problems
