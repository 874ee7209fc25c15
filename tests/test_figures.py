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
