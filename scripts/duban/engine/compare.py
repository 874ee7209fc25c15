"""What a change to the records does: the tasks whose state and the units whose figures differ, before → after.

Both sides are snapshots on the same day, so the difference is the change's own, not the calendar's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from duban.engine.ranking import unit_figures
from duban.engine.snapshot import Snapshot


@dataclass(frozen=True)
class TaskChange:
    task: str
    title: str
    before: str | None  # the state's label; None for a task the change adds
    after: str | None  # None for a task the change removes
    reason: str  # the state's explanation after the change


@dataclass(frozen=True)
class UnitChange:
    unit: str
    name: str
    before: tuple[int, float, str] | None  # (own overdue parts, score, level)
    after: tuple[int, float, str] | None


@dataclass
class Comparison:
    tasks: list[TaskChange] = field(default_factory=list)
    units: list[UnitChange] = field(default_factory=list)


def _unit_row(f) -> tuple[int, float, str]:
    return (len(f.overdue), round(f.score, 1), f.level)


def compare(before: Snapshot, after: Snapshot) -> Comparison:
    """Tasks whose state label changed (or that appear or go), units whose overdue count, score or level changed."""
    out = Comparison()
    for tid in sorted(set(before.tasks) | set(after.tasks)):
        a, b = before.tasks.get(tid), after.tasks.get(tid)
        if a and b and a.label == b.label:
            continue
        task = (b or a).task
        out.tasks.append(TaskChange(tid, task.title, a.label if a else None, b.label if b else None,
                                    b.reason if b else ""))
    fa, fb = unit_figures(before), unit_figures(after)
    for uid in sorted(set(fa) | set(fb), key=lambda u: (after.repo.units[u].order if u in after.repo.units else 9999, u)):
        ra = _unit_row(fa[uid]) if uid in fa else None
        rb = _unit_row(fb[uid]) if uid in fb else None
        if ra != rb:
            out.units.append(UnitChange(uid, (fb.get(uid) or fa[uid]).name, ra, rb))
    return out
