"""What a 督办通知单 (reminder notice) lists for a unit: its own items that are overdue or come due soon.

``reminders(snapshot, unit, days)``: the unit's own part of the tasks it leads that is overdue, due within
``days`` or behind on a report; its own cases overdue or due within ``days``; and, for a supervising office,
the work waiting for its verification. Each piece of work once; nothing the unit does not owe itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from duban.engine.snapshot import Snapshot
from duban.zh import natural_key


@dataclass(frozen=True)
class Item:
    what: str  # 任务 / the case kind's label / 待核销
    id: str
    title: str
    label: str  # the state's label
    level: str
    due: dt.date | None
    days_overdue: int
    reason: str


def reminders(snapshot: Snapshot, unit: str, days: int) -> list[Item]:
    """The unit's items, most urgent first (overdue longest first, then due soonest)."""
    horizon = snapshot.as_of + dt.timedelta(days=days)
    kinds = snapshot.repo.registry.kinds
    items = []
    for s, d in snapshot.unit_duties(unit):
        due = s.due if s.task.timing.mode == "限时" else None
        soon = d.state in ("due_soon", "on_track") and due is not None and snapshot.as_of <= due <= horizon
        if d.state in ("overdue", "missed", "stale") or soon:
            items.append(Item("任务", s.task.id, s.task.title, d.label, d.level, due, d.days_overdue, d.reason))
    for kind in snapshot.repo.case_kinds():
        for c in snapshot.cases_of(kind.name, unit):
            soon = c.state in ("open", "due_soon") and c.due is not None and c.due <= horizon
            if c.state == "overdue" or soon:
                items.append(Item(kind.label, c.case.id, kind.label, c.label, c.level, c.due, c.days_overdue, c.reason))
    for s in snapshot.awaiting_tasks(unit):
        v = s.verification
        if v.overdue or v.due <= horizon:
            items.append(Item("待核销", s.task.id, s.task.title, s.label, s.level, v.due, v.days_overdue, s.reason))
    for c in snapshot.awaiting_cases(unit):
        v = c.verification
        if v.overdue or v.due <= horizon:
            items.append(Item("待验收", c.case.id, kinds[c.case.kind].label, c.label, c.level, v.due, v.days_overdue, c.reason))
    return sorted(items, key=lambda i: (-i.days_overdue, i.due or dt.date.max, natural_key(i.id)))


def units_to_remind(snapshot: Snapshot, days: int) -> list[str]:
    """Every unit with at least one item, in the units' order."""
    units = sorted(snapshot.repo.units.values(), key=lambda u: (u.order, u.id))
    return [u.id for u in units if reminders(snapshot, u.id, days)]
