"""Records as they stood at the end of a day: the events a kind declares (``events:`` in kinds.yaml)
that are dated after that day are left out, with the fields recorded with them.

Only the engine decides what "as of" means; outputs show what the snapshot
hands them (``Snapshot.record``, ``Snapshot.records``).
"""

from __future__ import annotations

from duban.records.kinds import Kind


def record_as_of(kind: Kind, data: dict, day: str) -> dict:
    """``data`` as it stood at the end of ``day`` (an ISO date); the record itself is not changed."""
    out = data
    for path, fields in kind.events:
        if "*" in path:  # a dated list: keep the entries dated on or before the day
            head, rest = path[: path.index("*")], path[path.index("*") + 1 :]
            items = _get(out, head)
            if isinstance(items, list):
                kept = [i for i in items if not (isinstance(_get(i, rest), str) and _get(i, rest) > day)]
                if len(kept) != len(items):
                    out = _set(out, head, kept)
        else:
            value = _get(out, path)
            if isinstance(value, str) and value > day:
                # "closure/date" dates the whole closure object; a plain field dates itself
                out = _drop(out, path[:-1] if len(path) > 1 else path)
                for name in fields:
                    out = _drop(out, (name,))
    return out


def _get(data, path):
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _set(data: dict, path, value) -> dict:
    """A copy of ``data`` with ``path`` set (copies only along the path)."""
    out = dict(data)
    if len(path) == 1:
        out[path[0]] = value
    else:
        out[path[0]] = _set(out.get(path[0]) or {}, path[1:], value)
    return out


def _drop(data: dict, path) -> dict:
    """A copy of ``data`` without ``path`` (a field, or a nested object when the path ends there)."""
    if not isinstance(data, dict) or path[0] not in data:
        return data
    out = dict(data)
    if len(path) == 1:
        del out[path[0]]
    else:
        out[path[0]] = _drop(out[path[0]], path[1:])
    return out
