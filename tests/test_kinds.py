"""Records shown as of an earlier day leave out what happened later (kinds.yaml ``events``)."""

from dataclasses import replace
from pathlib import Path

import pytest
from duban.engine.asof import record_as_of
from duban.records.kinds import load_registry

REGISTRY = load_registry(Path(__file__).resolve().parent.parent / "schemas")


@pytest.mark.parametrize("kind, record, day, expected", [
    ("dispute",
     {"received": "2024-01-01", "status_history": [{"date": "2024-01-01", "status": "受理"}, {"date": "2024-03-01", "status": "化解"}],
      "feedback_date": "2024-03-02", "outcome": "达成协议"},
     "2024-02-01",
     {"received": "2024-01-01", "status_history": [{"date": "2024-01-01", "status": "受理"}]}),
    ("task",
     {"id": "T-1", "closure": {"date": "2024-05-01", "verified_by": "zfw"},
      "extensions": [{"approved": "2024-03-01"}, {"approved": "2024-06-01"}]},
     "2024-04-01",
     {"id": "T-1", "extensions": [{"approved": "2024-03-01"}]}),
    ("hazard",
     {"found": "2024-01-01", "deadline": "2024-02-10", "rectified": "2024-02-01", "measures": "更换管线", "verified": "2024-03-01"},
     "2024-02-15",
     {"found": "2024-01-01", "deadline": "2024-02-10", "rectified": "2024-02-01", "measures": "更换管线"}),
    ("risk_assessment",
     {"registered": "2024-01-01", "planned_approval": "2024-04-01", "assessment_date": "2024-03-01", "risk_level": "低",
      "decision": "准予实施", "assessor": "某机构", "approval_date": "2024-03-20"},
     "2024-02-01",
     {"registered": "2024-01-01", "planned_approval": "2024-04-01"}),
])
def test_events_after_the_day_are_left_out(kind, record, day, expected):
    before = repr(record)
    assert record_as_of(REGISTRY.kinds[kind], record, day) == expected
    assert repr(record) == before  # the record itself is not changed


def test_nothing_changes_when_all_is_earlier():
    record = {"found": "2024-01-01", "verified": "2024-03-01"}
    assert record_as_of(REGISTRY.kinds["hazard"], record, "2024-12-31") is record


@pytest.mark.parametrize("template, data, expected", [
    ("{id}", {"id": "MD-aa-2024-0001"}, "MD-aa-2024-0001"),
    ("{id}", {"id": ""}, None),
    ("{id}", {"id": 12}, None),
    ("{id}", {}, None),
    ("{task}/{date}-{unit}", {"task": "T-1", "date": "2024-03-01", "unit": "aa"}, "T-1/2024-03-01-aa"),
    ("{task}/{date}-{unit}", {"task": "T-1", "date": "2024-03-01"}, None),
    ("{task}/{date}-{unit}", {"task": "T-1", "date": "2024-03-01", "unit": ["aa"]}, None),
    ("year-{id}", {"id": "2024"}, "year-2024"),
    ("{a}{b}", {"a": "x", "b": "y"}, "xy"),
    ("fixed", {}, "fixed"),
])
def test_the_file_a_record_must_have_follows_its_kind_template(template, data, expected):
    kind = REGISTRY.kinds["dispute"]
    assert replace(kind, file=template).expected_stem(data) == expected
