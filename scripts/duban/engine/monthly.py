"""The monthly 通报: a pure function of the records and a month, like the weekly report.

``monthly_report(evaluator, "2024-06")`` covers the calendar month, is computed as of its last day,
compares with the last day of the month before, and is dated the first day of the next month. It holds
what the weekly report holds (the same figures, each unit charged only with its own part) over the month,
plus the units named for praise (表扬) and for criticism (通报批评) by the thresholds declared in
``settings.yaml`` (``reports.monthly``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from duban.engine.snapshot import Evaluator
from duban.engine.weekly import WeeklyReport, fill
from duban.records.model import Repository

MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class MonthError(ValueError):
    pass


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a month such as ``2024-06``."""
    m = MONTH.match(text)
    if not m:
        raise MonthError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2024-06")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or not 1 <= year <= 9998:
        raise MonthError(f"没有 {text} 这个月份")
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def last_complete_month(today: dt.date) -> str:
    """The most recent month that has ended before ``today``."""
    return month_of(today.replace(day=1) - dt.timedelta(days=1))


def months_between(first: dt.date, last: dt.date) -> list[str]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(month_of(day))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def reported_months(repo: Repository, as_of: dt.date) -> list[str]:
    """Every month from the first plan's issue to the last one complete by the end of ``as_of``."""
    first = min((p.issue_date for p in repo.plans.values()), default=as_of)
    return [m for m in months_between(first, as_of) if parse_month(m)[1] <= as_of]


def issue_number(first: str | None, month: str) -> int | None:
    """第 N 期: months since the series' first month, counted from 1."""
    if not first:
        return None
    try:
        start, _ = parse_month(first)
    except MonthError:
        return None
    this, _ = parse_month(month)
    n = (this.year - start.year) * 12 + this.month - start.month + 1
    return n if n >= 1 else None


@dataclass
class MonthlyReport(WeeklyReport):
    span = "本月"

    @property
    def month(self) -> str:
        return self.week  # the period's id: 2024-06


def monthly_report(source: Repository | Evaluator, month: str) -> MonthlyReport:
    """The 通报 for a month such as ``2024-06`` (``source``: an evaluator, or a repository with its settings)."""
    ev = source if isinstance(source, Evaluator) else Evaluator(source)
    repo = ev.repo
    start, end = parse_month(month)
    plans = sorted(repo.plans.values(), key=lambda p: p.issue_date)
    title = f"关于{start.year}年{start.month}月" + (f"《{plans[0].title}》" if len(plans) == 1 else "工作方案") + "落实情况的通报"
    series = ev.settings.reports.monthly
    issuer = ev.settings.reports.office or (plans[0].issuers[-1] if plans else "")
    report = MonthlyReport(month, start, end, end + dt.timedelta(days=1), ev.at(end), ev.at(start - dt.timedelta(days=1)),
                           title, issuer, masthead=series.masthead, issue_no=issue_number(series.first, month),
                           copy_to=series.copy_to, note=repo.notes.get(month))
    fill(report, ev, series)
    return report
