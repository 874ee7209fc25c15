"""Working days, from the ``chinesecalendar`` package (holidays and 调休 make-up days).

For a year the package has no data for, nothing is guessed silently: the
answer falls back to Monday–Friday and is flagged as estimated (估算).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=None)
def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(is it a working day, is the answer estimated)."""
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_workdays(start: dt.date, days: int) -> tuple[dt.date, bool]:
    """The ``days``-th working day after ``start`` (``start`` itself not counted)."""
    estimated = False
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        work, guess = is_workday(day)
        estimated = estimated or guess
        if work:
            left -= 1
    return day, estimated


def next_workday(day: dt.date) -> tuple[dt.date, bool]:
    """``day`` itself when it is a working day, else the first working day after it."""
    estimated = False
    while True:
        work, guess = is_workday(day)
        estimated = estimated or guess
        if work:
            return day, estimated
        day += dt.timedelta(days=1)


def add_days(start: dt.date, days: int, unit: str) -> tuple[dt.date, bool]:
    """A time limit's last day, the day of ``start`` not counted.

    工作日: the ``days``-th working day after ``start``. 日: ``days`` calendar days
    after ``start``; when that day is a holiday or weekend, the limit ends on the
    next working day (as statutory time limits do).
    """
    if unit == "工作日":
        return add_workdays(start, days)
    return next_workday(start + dt.timedelta(days=days))
