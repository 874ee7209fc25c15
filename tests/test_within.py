"""The paths of kinds.yaml (``within.walk``): its quick ways for a field and for a field of each list item
agree with the plain recursive reading on any data, and dates out of order are found in both forms."""

from __future__ import annotations

import random

from conftest import ROOT
from duban.records.kinds import load_registry
from duban.records.validate.messages import Fields
from duban.records.validate.within import date_problems, walk


def reference(data, path, prefix=()):
    """The definition: ``*`` is every item of a list; a field is a key of a mapping whose value is not null."""
    if not path:
        yield prefix, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from reference(item, rest, prefix + (i,))
    elif isinstance(data, dict) and data.get(head) is not None:
        yield from reference(data[head], rest, prefix + (head,))


def _value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth > 3 or roll < 0.3:
        return rng.choice(["2024-01-02", "", 0, None, True, "x"])
    if roll < 0.65:
        return {rng.choice("abc*"): _value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_the_walk_agrees_with_its_definition_on_any_data():
    rng = random.Random(20261202)
    paths = [(a,) for a in "abc*"] + [(a, "*", b) for a in "abc*" for b in "abc*"] + [("a", "b"), ("*", "*", "*", "a")]
    for _ in range(3000):
        data = _value(rng, 0)
        for path in paths:
            assert list(walk(data, path)) == list(reference(data, path)), (data, path)


def test_dates_out_of_order_are_found_for_fields_and_for_list_items():
    registry = load_registry(ROOT / "schemas")
    kind = registry.kinds["dispute"]
    fields = Fields(kind.schema, registry.schemas)
    data = {"received": "2024-03-10", "feedback_date": "2024-03-01",
            "status_history": [{"date": "2024-03-12"}, {"date": "2024-03-05"}]}
    found = dict(date_problems(kind, data, fields))
    assert set(found) == {("feedback_date",), ("status_history", 1, "date")}
    assert "2024-03-01" in found[("feedback_date",)] and "2024-03-10" in found[("feedback_date",)]
    data = {"received": "2024-03-10", "feedback_date": "2024-03-11", "status_history": [{"date": "2024-03-12"}]}
    assert list(date_problems(kind, data, fields)) == []
