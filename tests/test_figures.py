"""Figures and labels every output shows."""

import datetime as dt

from duban.engine import figures
from duban.engine.snapshot import evaluate
from duban.records.model import open_repository


def test_clause_labels_keep_the_top_level_comma(repo):
    snap = evaluate(open_repository(repo), dt.date(2024, 1, 31))
    assert figures.plan_clause_label(snap, "testplan", "2.1") == "二（一）"
    assert figures.plan_clause_label(snap, "testplan", "2") == "二、"  # 二、工作内容, not 二工作内容
    assert figures.plan_clause_label(snap, "testplan", "1") == "一、"


def test_the_trend_counts_tasks_as_the_full_snapshots_do():
    """The weekly chart's trend works out task states only; its counts are those of the full snapshots."""
    from pathlib import Path

    from duban.engine.snapshot import Evaluator

    repo = open_repository(Path(__file__).resolve().parent.parent)
    end = dt.date(2024, 9, 29)
    trend = figures.trend(Evaluator(repo), end)
    assert len(trend) == 12
    full = Evaluator(repo)
    expected = []
    for day, *_ in trend:
        counts = figures.state_counts(full.at(day))
        expected.append((day, counts["overdue"], counts["stale"] + counts["missed"], counts["closed"] + counts["closed_late"]))
    assert trend == expected
    assert any(o for _, o, _, _ in trend) and len({row[1:] for row in trend}) > 1  # the shipped weeks differ


def test_tallying_many_cases_at_once_gives_the_sums_one_at_a_time_gives():
    """``Tally.add_cases`` (used for every issue's case figures) adds up exactly what ``add_case`` does, over the
    shipped cases at several days (every state: closed late or on time, waiting, overdue, due soon, open)."""
    from pathlib import Path

    from duban.engine.snapshot import Evaluator

    ev = Evaluator(open_repository(Path(__file__).resolve().parent.parent))
    seen = set()
    for day in (dt.date(2023, 9, 1), dt.date(2024, 6, 30), dt.date(2025, 12, 31), dt.date(2026, 11, 20)):
        snap = ev.at(day)
        for kind, states in snap.cases.items():
            one, many = figures.Tally(kind, kind), figures.Tally(kind, kind)
            for s in states:
                one.add_case(s)
            many.add_cases(states)
            assert many == one and many.days_to_close == one.days_to_close
            seen.update(s.state for s in states)
    assert {"closed", "closed_late", "overdue", "open"} <= seen
