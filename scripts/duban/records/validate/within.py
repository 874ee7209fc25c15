"""Inside one record's data: values found by a path (``walk``) and dates in order (``date_order`` and
``sorted`` in kinds.yaml).

Dates in order depend on the record alone, so they run with the file's own checks and are
remembered with them by the cache; they do not make a record invalid (the model still gets
it), they are reported.
"""

from __future__ import annotations

from typing import Iterator

from duban.records.kinds import Kind
from duban.records.text import shown
from duban.records.validate.messages import Fields


def walk(data, path: tuple[str, ...], prefix: tuple = ()):
    """Values at a path such as ``extensions/*/approved`` with their concrete paths."""
    if len(path) == 1 and path[0] != "*":  # the common case, a field of the record, without recursion
        if isinstance(data, dict):
            value = data.get(path[0])
            if value is not None:
                yield prefix + path, value
        return
    if len(path) == 3 and path[1] == "*" and path[0] != "*" and path[2] != "*":  # a field of each item of a list
        items = data.get(path[0]) if isinstance(data, dict) else None
        if isinstance(items, list):
            head, name = path[0], path[2]
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    value = item.get(name)
                    if value is not None:
                        yield prefix + (head, i, name), value
        return
    if not path:
        yield prefix, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from walk(item, rest, prefix + (i,))
    elif isinstance(data, dict) and head in data and data[head] is not None:
        yield from walk(data[head], rest, prefix + (head,))


def date_problems(kind: Kind, data: dict, fields: Fields) -> Iterator[tuple[tuple, str]]:
    """(path, message) for each later date that comes before an earlier one."""
    for earlier, later in kind.date_order:
        if len(earlier) == 1 and len(later) == 1 and "*" not in earlier + later:  # two fields of the record
            v1, v2 = data.get(earlier[0]), data.get(later[0])
            if isinstance(v1, str) and isinstance(v2, str) and v2 < v1:
                yield later, f"{fields.title(later)} {shown(v2)} 早于{fields.title(earlier)} {shown(v1)}"
            continue
        # pair items of the same list element when both paths walk the same list
        star = earlier.index("*") if "*" in earlier else None
        if star is not None and later[: star + 1] == earlier[: star + 1]:
            for item_path, item in walk(data, earlier[:star] + ("*",)):
                yield from _order(fields, list(walk(item, earlier[star + 1 :], item_path)),
                                  list(walk(item, later[star + 1 :], item_path)))
        else:
            yield from _order(fields, list(walk(data, earlier)), list(walk(data, later)))
    for path in kind.sorted_dates:
        values = [(p, v) for p, v in walk(data, path) if isinstance(v, str)]
        for (p1, v1), (p2, v2) in zip(values, values[1:]):
            if v2 < v1:
                yield p2, f"日期 {shown(v2)} 早于上一条的 {shown(v1)}；记录应按时间顺序排列"


def _order(fields: Fields, earlier, later) -> Iterator[tuple[tuple, str]]:
    for p1, v1 in earlier:
        for p2, v2 in later:
            if isinstance(v1, str) and isinstance(v2, str) and v2 < v1:
                yield p2, f"{fields.title(p2)} {shown(v2)} 早于{fields.title(p1)} {shown(v1)}"
