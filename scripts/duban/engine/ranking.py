"""Each unit's own standing and the declared 通报 ranking (``ranking:`` in settings.yaml).

``unit_figures(snapshot)`` counts, for every unit, only what that unit owes itself:
its part of the leaf tasks it leads (overdue, the days overdue, its missed and stale
periods in the window), its overdue cases, and — for a supervising office — the
work waiting too long for its verification. Work a unit has done that waits for
the office is not counted against the unit. The score is the declared base minus
the declared points for each part; units are ranked within their declared group and
given a level (红/黄/绿) by the declared thresholds. ``parts`` says how each score was made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from duban.engine.cases import CaseState
from duban.engine.figures import Tally, tasks_by_unit, unit_order
from duban.engine.snapshot import Snapshot
from duban.engine.state import Duty, TaskState


@dataclass(frozen=True)
class Part:
    """One line of a score: what was counted and what it cost."""

    component: str
    label: str
    count: float  # items, days, or a share (0..1) for rates
    of: int  # for rates: the base of the share
    points: float

    def text(self) -> str:
        if self.of:
            return f"{self.label} {round(self.count)}/{self.of} 扣 {self.points:g} 分"
        return f"{self.label} {self.count:g} 扣 {self.points:g} 分"


@dataclass
class UnitFigures:
    unit: str
    name: str
    kind: str
    group: str
    tasks: Tally  # the unit's own parts of the leaf tasks it leads
    overdue: list[tuple[TaskState, Duty]] = field(default_factory=list)  # its own overdue parts, longest first
    lagging: list[tuple[TaskState, Duty]] = field(default_factory=list)  # behind on the last closed period
    missed_periods: int = 0  # in the window, and the one still missing now
    stale_periods: int = 0  # in the window, and the one still missing now
    missed_total: int = 0  # since the start
    stale_total: int = 0
    overdue_days: int = 0  # capped per task as declared
    cases: Tally | None = None  # every case of the unit, all kinds
    overdue_cases: list[CaseState] = field(default_factory=list)
    case_base: int = 0  # open cases plus those done in the window (the base of the overdue-case rate)
    verifying: int = 0  # work waiting for this unit's verification (it is a supervising office)
    verification_overdue: int = 0
    score: float = 0.0
    parts: list[Part] = field(default_factory=list)
    rank: int | None = None  # within the group; None when the unit owes nothing yet
    level: str = ""

    @property
    def load(self) -> int:
        return self.tasks.total + (self.cases.total if self.cases else 0) + self.verifying

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def _counts(snapshot: Snapshot, window_start: dt.date) -> dict[str, UnitFigures]:
    repo = snapshot.repo
    ranking = snapshot.settings.ranking
    cap = next((d.cap for d in ranking.deductions if d.component == "overdue_days" and d.cap), None)
    tallies = {t.key: t for t in tasks_by_unit(snapshot)}
    out: dict[str, UnitFigures] = {}
    for uid, unit in repo.units.items():
        out[uid] = UnitFigures(uid, unit.short_name, unit.kind, ranking.group_of(unit.kind),
                               tallies.get(uid) or Tally(uid, unit.short_name), cases=Tally(uid, unit.short_name))
    for s in snapshot.leaves():
        for d in s.duties:
            f = out.get(d.unit)
            if f is None:
                continue
            if d.state == "overdue":
                f.overdue.append((s, d))
                f.overdue_days += min(d.days_overdue, cap) if cap else d.days_overdue
            if d.current_miss is not None:
                f.lagging.append((s, d))
            # the periods missed in the window, and the one it is behind on now however long ago it closed
            recent = len({p for p in d.misses if p.end >= window_start} | ({d.current_miss} if d.current_miss else set()))
            if s.task.timing.mode == "周期":
                f.missed_periods += recent
                f.missed_total += len(d.misses)
            elif s.task.timing.mode == "长期坚持":
                f.stale_periods += recent
                f.stale_total += len(d.misses)
    owed: dict[str, list] = {}  # unit -> its cases that count (tallied in one loop per unit)
    for states in snapshot.cases.values():
        for c in states:
            f = out.get(c.case.unit)
            if f is not None and c.state != "recorded":
                owed.setdefault(f.unit, []).append(c)
                if c.state == "overdue":
                    f.overdue_cases.append(c)
                if c.state in ("overdue", "due_soon", "open") or (
                        (c.done_on or c.closed_on) and (c.done_on or c.closed_on) >= window_start):
                    f.case_base += 1
    for uid, cases in owed.items():
        out[uid].cases.add_cases(cases)
    waiting = [s.verification for s in snapshot.awaiting_tasks()] + [c.verification for c in snapshot.awaiting_cases()]
    for v in waiting:
        f = out.get(v.office)
        if f is not None:
            f.verifying += 1
            f.verification_overdue += v.overdue
    for f in out.values():
        f.overdue.sort(key=lambda x: (-x[1].days_overdue, x[0].task.id))
        f.overdue_cases.sort(key=lambda c: (-c.days_overdue, c.case.id))
    return out


def _score(f: UnitFigures, snapshot: Snapshot) -> None:
    ranking = snapshot.settings.ranking
    counts = {
        "overdue_tasks": (len(f.overdue), f.tasks.total),
        "overdue_days": (f.overdue_days, 0),
        "missed_periods": (f.missed_periods, 0),
        "stale_periods": (f.stale_periods, 0),
        "overdue_cases": (len(f.overdue_cases), f.case_base),
        "verification_overdue": (f.verification_overdue, f.verifying),
    }
    f.parts = []
    for d in ranking.deductions:
        count, base = counts[d.component]
        if not count:
            continue
        points = round(d.points_for(count, base), 2)
        f.parts.append(Part(d.component, d.label, count, base if d.per == "rate" else 0, points))
    f.score = round(ranking.base - sum(p.points for p in f.parts), 2)
    f.level = ranking.level_of(f.score)


def unit_figures(snapshot: Snapshot) -> dict[str, UnitFigures]:
    """Every unit's own figures, score and rank within its group (units that owe nothing are not ranked)."""
    window_start = snapshot.as_of - dt.timedelta(days=snapshot.settings.ranking.window_days - 1)
    figures = _counts(snapshot, window_start)
    groups: dict[str, list[UnitFigures]] = {}
    for f in figures.values():
        _score(f, snapshot)
        if f.load:
            groups.setdefault(f.group, []).append(f)
    for members in groups.values():
        members.sort(key=lambda f: (-f.score, -f.tasks.total, unit_order(snapshot, f.unit)))
        previous, rank = None, 0
        for i, f in enumerate(members, 1):
            if f.score != previous:
                rank, previous = i, f.score
            f.rank = rank
    return figures


def ranked(snapshot: Snapshot, figures: dict[str, UnitFigures] | None = None) -> list[tuple[str, list[UnitFigures]]]:
    """The ranking table: (group, its units best first), groups in their declared order."""
    figures = figures if figures is not None else unit_figures(snapshot)
    declared = [name for name, _ in snapshot.settings.ranking.groups]
    groups: dict[str, list[UnitFigures]] = {}
    for f in figures.values():
        if f.ranked:
            groups.setdefault(f.group, []).append(f)
    order = declared + sorted(g for g in groups if g not in declared)
    return [(g, sorted(groups[g], key=lambda f: (f.rank, unit_order(snapshot, f.unit)))) for g in order if g in groups]


def praised(groups: list[tuple[str, list[UnitFigures]]], top: int, min_score: float) -> list[UnitFigures]:
    """Units doing well: in each group the best, at most ``top`` of them, none below ``min_score``."""
    out = []
    for _, units in groups:
        out += [f for f in units if f.score >= min_score and f.rank <= top][:top]
    return out


def criticised(groups: list[tuple[str, list[UnitFigures]]], below: float) -> list[UnitFigures]:
    """Units behind: scoring below ``below``, worst first within each group."""
    return [f for _, units in groups for f in reversed(units) if f.score < below]
