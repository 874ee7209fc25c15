"""The paths of kinds.yaml (``within.walk``): its quick ways for a field and for a field of each list item
agree with the plain recursive reading on any data, and dates out of order are found in both forms."""

from __future__ import annotations

import random

from conftest import ROOT
from duban.records.kinds import load_registry
from duban.records.validate.messages import Fields
from duban.records.validate.within import date_problems, in_order, order_problems, walk


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


def test_the_quick_look_at_dates_never_misses_what_the_full_check_finds():
    """``in_order`` may send a record to the full check for nothing, but never passes one that has a problem."""
    registry = load_registry(ROOT / "schemas")
    rng = random.Random(20261203)
    days = ["2024-01-01", "2024-01-05", "2024-02-01", "2024-03-01", "", 7, None]
    kinds = [k for k in registry.kinds.values() if k.date_order or k.sorted_dates]
    assert {"dispute", "task", "hazard"} <= {k.name for k in kinds}
    passed = found = 0
    for _ in range(4000):
        kind = rng.choice(kinds)
        fields = Fields(kind.schema, registry.schemas)
        data: dict = {}
        for path in {p for pair in kind.date_order for p in pair} | set(kind.sorted_dates):
            if rng.random() < 0.3:
                continue
            if len(path) == 1:
                data[path[0]] = rng.choice(days)
            elif len(path) == 2:
                data.setdefault(path[0], {})[path[1]] = rng.choice(days)
            else:
                items = data.setdefault(path[0], [{} for _ in range(rng.randrange(4))])
                for item in items:
                    if rng.random() < 0.8:
                        item[path[2]] = rng.choice(days)
        problems = list(order_problems(kind, data, fields))
        assert list(date_problems(kind, data, fields)) == problems
        if in_order(kind, data):
            passed += 1
            assert problems == [], (kind.name, data)
        found += bool(problems)
    assert passed > 500 and found > 500  # both sides of the quick look were exercised
