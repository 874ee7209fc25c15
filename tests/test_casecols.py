"""Case states worked out column-wise (``engine.casecols``) are the states ``case_state`` gives, case by case,
whatever order the dates are asked in."""

import datetime as dt
import random

import pytest
from conftest import ROOT
from duban.engine.cases import case_state
from duban.engine.snapshot import Evaluator
from duban.records.model import open_repository
from test_state import dispute

D = dt.date


def reference(ev: Evaluator, day: dt.date) -> dict[str, list]:
    """Every kind's states as ``case_state`` gives them, one case at a time."""
    out = {}
    for kind in ev.repo.case_kinds():
        states = (case_state(ev, c, day) for c in ev.repo.cases_of(kind.name))
        out[kind.name] = [s for s in states if s is not None]
    return out


def days_to_ask(first: dt.date, last: dt.date) -> list[dt.date]:
    """Sundays forward, then backward, then single days at random: every way a report walks the calendar."""
    sundays = [first + dt.timedelta(days=6 - first.weekday() + 7 * i) for i in range((last - first).days // 7)]
    rng = random.Random(46)
    single = [first + dt.timedelta(days=rng.randrange((last - first).days)) for _ in range(40)]
    return sundays + sundays[::-1] + single


@pytest.fixture(scope="module")
def shipped():
    return open_repository(ROOT)


def test_shipped_cases_agree_with_case_state_on_every_date(shipped):
    ev, check = Evaluator(shipped), Evaluator(shipped)
    asked = days_to_ask(D(2023, 6, 1), D(2026, 12, 31))[::3] + [D(2026, 11, 20) + dt.timedelta(days=i) for i in range(20)]
    counted = set()
    for day in asked:
        got = ev.at(day).cases
        assert got == reference(check, day), day
        counted |= {s.state for states in got.values() for s in states}
    # the dates asked went through every shape a case's state takes
    assert {"closed", "closed_late", "overdue", "due_soon", "open", "awaiting_verification",
            "verification_overdue", "recorded"} <= counted


def test_a_case_closed_twice_out_of_date_order_is_evaluated_at_every_date(repo):
    dispute(repo, "MD-aa-2024-0001", "2024-03-01", "{days: 60, unit: 日}",
            [("2024-03-01", "受理"), ("2024-03-05", "调解中"), ("2024-03-20", "化解")])
    dispute(repo, "MD-aa-2024-0002", "2024-03-01", "{days: 10, unit: 日}",
            [("2024-03-01", "受理"), ("2024-03-08", "化解")])
    r = open_repository(repo)
    # a history the validator would not let through (the closing entries out of date order), made in memory:
    # the column shortcut does not hold for it, so it must not be used
    case = next(c for c in r.cases_of("dispute") if c.id == "MD-aa-2024-0001")
    case.data["status_history"] = [{"date": "2024-03-01", "status": "受理"}, {"date": "2024-03-25", "status": "化解"},
                                   {"date": "2024-03-12", "status": "化解"}]
    ev, check = Evaluator(r), Evaluator(r)
    # open (a state that holds from day to day) on the 11th, closed by the entry of the 12th on the 13th
    for day in [D(2024, 3, 11), D(2024, 3, 13), D(2024, 3, 26), D(2024, 3, 12), D(2024, 3, 2), D(2024, 3, 30)]:
        assert ev.at(day).cases == reference(check, day), day
    closed = {s.case.id: s.closed_on for s in ev.at(D(2024, 3, 30)).cases["dispute"]}
    assert closed["MD-aa-2024-0001"] == D(2024, 3, 25)  # the first closing entry in the file that is by the day
    assert closed["MD-aa-2024-0002"] == D(2024, 3, 8)


def test_a_counted_state_is_recounted_every_day(repo):
    dispute(repo, "MD-aa-2024-0003", "2024-03-01", "{days: 10, unit: 日}", [("2024-03-01", "受理")])
    ev = Evaluator(open_repository(repo))
    days = {}
    for day in (D(2024, 3, 15), D(2024, 3, 16), D(2024, 3, 9), D(2024, 3, 17)):
        s = next(s for s in ev.at(day).cases["dispute"] if s.case.id == "MD-aa-2024-0003")
        days[day] = (s.state, s.days_overdue, s.reason.split("：")[0])
    assert days[D(2024, 3, 15)] == ("overdue", 4, "逾期 4 天")
    assert days[D(2024, 3, 16)] == ("overdue", 5, "逾期 5 天")
    assert days[D(2024, 3, 9)][:2] == ("due_soon", 0) and days[D(2024, 3, 9)][2].startswith("还有 2 天到期")
    assert days[D(2024, 3, 17)] == ("overdue", 6, "逾期 6 天")
