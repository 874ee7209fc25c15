"""Reporting periods: 每周 (ISO Monday–Sunday), 每半月 (1st–15th, 16th–month end), 每月, 每季度, 每年.

A period is owed when it lies within a task's start and end; if the start falls
inside a period, the obligation begins with the next full period. A period is
closed once its last day is on or before the as-of date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

CADENCES = ("每周", "每半月", "每月", "每季度", "每年")


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def label(self, cadence: str) -> str:
        s, e = self.start, self.end
        if cadence == "每周":
            year, week, _ = s.isocalendar()
            return f"{year}年第{week}周（{s:%m-%d}至{e:%m-%d}）"
        if cadence == "每半月":
            return f"{s.year}年{s.month}月{'上' if s.day == 1 else '下'}半月"
        if cadence == "每月":
            return f"{s.year}年{s.month}月"
        if cadence == "每季度":
            return f"{s.year}年第{(s.month - 1) // 3 + 1}季度"
        return f"{s.year}年"


def period_of(cadence: str, day: dt.date) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    if cadence == "每周":
        start = day - dt.timedelta(days=day.weekday())
        return Period(start, start + dt.timedelta(days=6))
    last = calendar.monthrange(day.year, day.month)[1]
    if cadence == "每半月":
        if day.day <= 15:
            return Period(day.replace(day=1), day.replace(day=15))
        return Period(day.replace(day=16), day.replace(day=last))
    if cadence == "每月":
        return Period(day.replace(day=1), day.replace(day=last))
    if cadence == "每季度":
        first = (day.month - 1) // 3 * 3 + 1
        end_month = first + 2
        return Period(dt.date(day.year, first, 1), dt.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1]))
    if cadence == "每年":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown cadence {cadence!r}")


def owed_periods(cadence: str, start: dt.date, end: dt.date | None, until: dt.date) -> list[Period]:
    """Periods owed from ``start`` (first full period) up to the one containing ``until`` (or ``end``)."""
    first = period_of(cadence, start)
    if first.start != start:
        first = period_of(cadence, first.end + dt.timedelta(days=1))
    stop = min(until, end) if end else until
    out = []
    period = first
    while period.start <= stop:
        out.append(period)
        period = period_of(cadence, period.end + dt.timedelta(days=1))
    return out


