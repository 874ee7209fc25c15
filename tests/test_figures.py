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
