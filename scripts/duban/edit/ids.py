"""New ids: the next free task id under a clause, and a case id shaped by its schema's ``pattern``.

Task ids look like ``T-2-3-01``: ``T``, the clause's numbers, a two-digit sequence (sub-tasks add ``-a``).
Case ids are read off the id pattern of the kind's schema: ``^YH-[a-z][a-z0-9]*-[0-9]{4}-[0-9]{4}$``
means prefix, unit, year of the start date, four-digit sequence; ``^HY-…-[0-9]{4}-[0-9]{2}-[0-9]{2}(-[0-9])?$``
means prefix, unit, date, and ``-2`` … ``-9`` for a second one that day. Another shape needs ``--id``.
"""

from __future__ import annotations

import re
from typing import Iterable

_UNIT = r"\[a-z\]\[a-z0-9\]\*"
_SEQUENCE = re.compile(rf"\^([A-Z]+)-{_UNIT}-\[0-9\]\{{4\}}-\[0-9\]\{{4\}}\$")
_DATED = re.compile(rf"\^([A-Z]+)-{_UNIT}-\[0-9\]\{{4\}}-\[0-9\]\{{2\}}-\[0-9\]\{{2\}}\(-\[0-9\]\)\?\$")


def task_prefix(clause: str) -> str:
    return "T-" + clause.replace(".", "-")


def next_task_id(clause: str, existing: Iterable[str], taken: Iterable[str] = ()) -> str:
    """The next free ``T-<clause>-NN`` after every id already used under the clause (and ``taken``)."""
    prefix = task_prefix(clause)
    used = re.compile(re.escape(prefix) + r"-([0-9]+)(?:-.*)?$")
    numbers = [int(m.group(1)) for rid in [*existing, *taken] if (m := used.match(rid))]
    return f"{prefix}-{(max(numbers) + 1 if numbers else 1):02d}"


def case_id_shape(pattern: str) -> str | None:
    """``sequence`` or ``dated`` for the id patterns duban can fill in, else None."""
    if _SEQUENCE.fullmatch(pattern):
        return "sequence"
    if _DATED.fullmatch(pattern):
        return "dated"
    return None


def next_case_id(pattern: str, unit: str, day: str, existing: Iterable[str]) -> str | None:
    """The next free id of a case of ``unit`` started on ``day`` (ISO), or None for an unknown shape."""
    existing = set(existing)
    if _SEQUENCE.fullmatch(pattern):
        prefix = f"{_SEQUENCE.fullmatch(pattern).group(1)}-{unit}-{day[:4]}-"
        numbers = [int(rid[len(prefix):]) for rid in existing if rid.startswith(prefix) and rid[len(prefix):].isdigit()]
        number = max(numbers) + 1 if numbers else 1
        return f"{prefix}{number:04d}" if number <= 9999 else None
    if _DATED.fullmatch(pattern):
        base = f"{_DATED.fullmatch(pattern).group(1)}-{unit}-{day}"
        for candidate in [base] + [f"{base}-{n}" for n in range(2, 10)]:
            if candidate not in existing:
                return candidate
    return None
