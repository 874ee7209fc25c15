"""Working days: the office's declared 放假安排 first, then ``chinesecalendar``, then an estimate.

The State Council announces each year's holidays and make-up working days (调休)
in November or December; ``chinesecalendar`` learns them only with a new
release. So an office can declare a year itself (``records/holidays/<year>.yaml``),
and that declaration is used before the library. For a year neither knows,
nothing is guessed silently: Monday–Friday is assumed and the answer is flagged
as estimated (估算). Every limit says which source it used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

import chinese_calendar

LIBRARY = "chinesecalendar"
ESTIMATE = "估算"


@lru_cache(maxsize=None)
def _library(day: dt.date) -> bool | None:
    """chinesecalendar's answer, or None for a year it has no data for."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, is the answer estimated), from the library alone."""
    known = _library(day)
    return (day.weekday() < 5, True) if known is None else (known, False)


@dataclass(frozen=True)
class Limit:
    """A time limit's last day and where the working-day answers came from."""

    due: dt.date
    sources: frozenset[str]  # declared files, LIBRARY, ESTIMATE

    @property
    def estimated(self) -> bool:
        return ESTIMATE in self.sources

    @property
    def declared(self) -> tuple[str, ...]:
        return tuple(sorted(s for s in self.sources if s not in (LIBRARY, ESTIMATE)))

    def source(self) -> str:
        """Which working-day data the limit was counted with, for a reader."""
        parts = list(self.declared) + ([LIBRARY] if LIBRARY in self.sources else [])
        text = "、".join(parts) if parts else "无需节假日数据"
        return text + ("；部分日期超出数据范围，按周一至周五估算" if self.estimated else "")

    def note(self) -> str:
        """How the limit was counted, for a reader: （估算）, （按 records/holidays/2027.yaml）, or nothing."""
        if self.estimated:
            return "（估算）"
        if self.declared:
            return f"（节假日按 {'、'.join(self.declared)}）"
        return ""


class Calendar:
    """Working days with declared years first. ``declared``: year -> an object with ``days_off``,
    ``workdays`` and ``file`` (``duban.records.model.HolidayYear``)."""

    def __init__(self, declared: Mapping[int, object] | None = None):
        self.declared = dict(declared or {})

    def is_workday(self, day: dt.date) -> tuple[bool, str]:
        """(is it a working day, the source of the answer)."""
        year = self.declared.get(day.year)
        if year is not None:
            if day in year.days_off:
                return False, year.file
            if day in year.workdays:
                return True, year.file
            return day.weekday() < 5, year.file
        known = _library(day)
        if known is None:
            return day.weekday() < 5, ESTIMATE
        return known, LIBRARY

    def add_workdays(self, start: dt.date, days: int) -> Limit:
        """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
        sources = set()
        day = start
        left = days
        while left > 0:
            day += dt.timedelta(days=1)
            work, source = self.is_workday(day)
            sources.add(source)
            if work:
                left -= 1
        return Limit(day, frozenset(sources))

    def next_workday(self, day: dt.date) -> Limit:
        """``day`` itself when it is a working day, else the first working day after it."""
        sources = set()
        while True:
            work, source = self.is_workday(day)
            sources.add(source)
            if work:
                return Limit(day, frozenset(sources))
            day += dt.timedelta(days=1)

    def add_days(self, start: dt.date, days: int, unit: str) -> Limit:
        """A time limit's last day, the day of ``start`` not counted.

        工作日: the ``days``-th working day after ``start``. 日: ``days`` calendar days after ``start``; when
        that day is a holiday or weekend, the limit ends on the next working day (as statutory limits do).
        """
        if unit == "工作日":
            return self.add_workdays(start, days)
        return self.next_workday(start + dt.timedelta(days=days))


LIBRARY_ONLY = Calendar()


def add_days(start: dt.date, days: int, unit: str) -> tuple[dt.date, bool]:
    """(last day, estimated) from the library alone: for callers with no repository (demo data, tests)."""
    limit = LIBRARY_ONLY.add_days(start, days, unit)
    return limit.due, limit.estimated
