"""Figures: states aggregated into the tables that the status command, the weekly report and the
site all show. Each piece of work is counted once (leaf tasks), and a figure that names a unit
counts only what that unit owes itself (``Tally.add_duty``; see ``ranking`` for the per-unit score).

Definitions (the same everywhere):

* 完成 (done): closed (销号/办结), or reported complete by the unit and waiting for the office's
  verification (待核销). Waiting work is the office's, not the unit's.
* 按期率 (on-time rate) = done on time ÷ (done + overdue): among what has come due or was done, the
  share done within the limit (by the unit's completion report, not by the office's verification).
  None when nothing has come due yet.
* 办结天数 (days to close) runs from the start of the clock (a task: the plan's issue date; a case: its
  kind's start field) to the closing date; medians are whole days.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Callable, Iterable

from duban.engine.cases import CaseState
from duban.engine.snapshot import Evaluator, Snapshot
from duban.engine.state import Duty, TaskState
from duban.zh import natural_key

CLOSED = ("closed", "closed_late")
PENDING = ("reported", "awaiting_verification", "verification_overdue")  # done by the unit, not yet closed
OPEN = ("overdue", "due_soon", "on_track", "open")
_CLOSED, _PENDING, _OPEN = frozenset(CLOSED), frozenset(PENDING), frozenset(OPEN)


@dataclass
class Tally:
    key: str
    name: str
    total: int = 0
    open: int = 0
    closed: int = 0
    closed_on_time: int = 0
    pending: int = 0  # done by the unit, waiting for the office (待核销)
    pending_on_time: int = 0
    overdue: int = 0
    max_days_overdue: int = 0
    due_soon: int = 0
    lagging: int = 0  # tasks only: 滞报 (ongoing) and 缺报 (cadence) now
    days_to_close: list[int] = field(default_factory=list, repr=False)

    @property
    def done(self) -> int:
        return self.closed + self.pending

    @property
    def on_time_rate(self) -> float | None:
        due = self.done + self.overdue
        return (self.closed_on_time + self.pending_on_time) / due if due else None

    @property
    def median_days_to_close(self) -> int | None:
        return round(median(self.days_to_close)) if self.days_to_close else None

    def add_task(self, s: TaskState, start) -> None:
        """A task as a whole (area totals, clauses)."""
        self.total += 1
        if s.state in ("stale", "missed"):
            self.lagging += 1
        if s.task.timing.mode == "限时":
            self._add(s.state, s.days_overdue, s.closed_on, start, s.late_days)

    def add_duty(self, s: TaskState, duty: Duty, start) -> None:
        """A unit's own part of a task: what the unit owes, not what its co-lead units owe."""
        self.total += 1
        if duty.current_miss is not None:
            self.lagging += 1
        if s.task.timing.mode == "限时":
            self._add(duty.state, duty.days_overdue, s.closed_on, start, duty.late_days)

    def add_case(self, s: CaseState) -> None:
        self.add_cases((s,))

    def add_cases(self, states: Iterable[CaseState]) -> None:
        """``add_case`` for each of many states, counted in one loop (an issue at 100,000 cases tallies every
        case several times)."""
        self.total += self._add_all((s.state, s.days_overdue, s.closed_on, s.start, s.late_days) for s in states)

    def _add(self, state, days_overdue, closed_on, start, late_days) -> None:
        self._add_all(((state, days_overdue, closed_on, start, late_days),))

    def _add_all(self, rows: Iterable[tuple]) -> int:
        """Each (state, days overdue, closing day, start, days late) into the sums; how many rows there were."""
        count = closed = closed_on_time = pending = pending_on_time = open_ = overdue = due_soon = 0
        longest = self.max_days_overdue
        days = self.days_to_close
        for state, days_overdue, closed_on, start, late_days in rows:
            count += 1
            if state in _CLOSED:
                closed += 1
                if not late_days:
                    closed_on_time += 1
                if closed_on and start:
                    days.append((closed_on - start).days)
            elif state in _PENDING:
                pending += 1
                if not late_days:
                    pending_on_time += 1
            elif state in _OPEN:
                open_ += 1
                if state == "overdue":
                    overdue += 1
                    if days_overdue > longest:
                        longest = days_overdue
                elif state == "due_soon":
                    due_soon += 1
        self.closed += closed
        self.closed_on_time += closed_on_time
        self.pending += pending
        self.pending_on_time += pending_on_time
        self.open += open_
        self.overdue += overdue
        self.due_soon += due_soon
        self.max_days_overdue = longest
        return count


def unit_order(snapshot: Snapshot, unit: str):
    u = snapshot.repo.units.get(unit)
    return (u.order if u else 9999, unit)


def _plan_start(snapshot: Snapshot, s: TaskState):
    plan = snapshot.repo.plans.get(s.task.plan)
    return plan.issue_date if plan else None


def tasks_by_unit(snapshot: Snapshot, role: str = "lead") -> list[Tally]:
    """Per unit: over its own parts of the leaf tasks it leads (``role="lead"``), or the tasks it partners on
    (shown, never charged)."""
    tallies: dict[str, Tally] = {}
    for s in snapshot.leaves():
        start = _plan_start(snapshot, s)
        if role == "lead":
            for duty in s.duties:
                tallies.setdefault(duty.unit, Tally(duty.unit, snapshot.repo.unit_name(duty.unit))).add_duty(s, duty, start)
        else:
            for unit in s.task.partner_units:
                tallies.setdefault(unit, Tally(unit, snapshot.repo.unit_name(unit))).add_task(s, start)
    return [tallies[k] for k in sorted(tallies, key=lambda u: unit_order(snapshot, u))]


def tasks_by_clause(snapshot: Snapshot) -> list[Tally]:
    tallies: dict[tuple, Tally] = {}
    for s in snapshot.leaves():
        plan = snapshot.repo.plans.get(s.task.plan)
        clause = plan.clause(s.task.clause) if plan else None
        key = (s.task.plan, s.task.clause)
        name = f"{plan_clause_label(snapshot, s.task.plan, s.task.clause)}{clause.title if clause else ''}"
        tallies.setdefault(key, Tally(s.task.clause, name)).add_task(s, _plan_start(snapshot, s))
    return [tallies[k] for k in sorted(tallies, key=lambda k: (k[0], natural_key(k[1])))]


def plan_clause_label(snapshot: Snapshot, plan_id: str, clause_id: str) -> str:
    """A clause's full label: 二（三） for 2.3, 三、 for 3."""
    plan = snapshot.repo.plans.get(plan_id)
    if plan is None:
        return clause_id
    parts = clause_id.split(".")
    labels = []
    for i in range(1, len(parts) + 1):
        cid = ".".join(parts[:i])
        c = next((c for c in plan.clauses if c.id == cid), None)
        label = c.label if c else cid
        # 二（三）: an enclosing clause loses its 、; the clause itself keeps it (三、组织保障)
        labels.append(label if i == len(parts) else label.rstrip("、"))
    return "".join(labels)


def tasks_by_plan(snapshot: Snapshot) -> list[tuple[object, Tally]]:
    """(plan, the tally of its leaf tasks) for every plan issued by the as-of date: plans in force first, in issue
    order, then ended ones (their tasks as they stood when the plan ended)."""
    out = []
    plans = sorted(snapshot.repo.plans.values(), key=lambda p: (p.ended_by(snapshot.as_of), p.issue_date, p.id))
    for plan in plans:
        if plan.issue_date > snapshot.as_of:
            continue
        tally = Tally(plan.id, plan.doc_number)
        for s in snapshot.plan_tasks(plan.id):
            if s.is_leaf:
                tally.add_task(s, plan.issue_date)
        out.append((plan, tally))
    return out


def tasks_total(snapshot: Snapshot) -> Tally:
    """Every leaf task once (a parent and its sub-tasks are not counted twice)."""
    tally = Tally("all", snapshot.settings.area)
    for s in snapshot.leaves():
        tally.add_task(s, _plan_start(snapshot, s))
    return tally


def cases_by(snapshot: Snapshot, kind: str, key: Callable[[CaseState], str] | None = None,
             states: Iterable[CaseState] | None = None) -> list[Tally]:
    """Per unit (default) tallies of one case kind."""
    key = key or (lambda s: s.case.unit)
    groups: dict[str, list[CaseState]] = {}
    for s in snapshot.cases.get(kind, []) if states is None else states:
        groups.setdefault(key(s), []).append(s)
    tallies = {}
    for k, group in groups.items():
        tallies[k] = Tally(k, snapshot.repo.unit_name(k))
        tallies[k].add_cases(group)
    return [tallies[k] for k in sorted(tallies, key=lambda u: unit_order(snapshot, u))]


def cases_total(snapshot: Snapshot, kind: str, states: Iterable[CaseState] | None = None) -> Tally:
    tally = Tally(kind, snapshot.repo.registry.kinds[kind].label)
    tally.add_cases(snapshot.cases.get(kind, []) if states is None else states)
    return tally


def trend(ev: Evaluator, end: dt.date, weeks: int = 12) -> list[tuple[dt.date, int, int, int]]:
    """(day, overdue, stale + missed, closed) leaf tasks for ``end`` and the weeks before it, from the plans' start
    (tasks only: the cases' states at those days are not worked out for it)."""
    first = min((p.issue_date for p in ev.repo.plans.values()), default=end)
    out = []
    for back in range(weeks - 1, -1, -1):
        day = end - dt.timedelta(weeks=back)
        if day >= first:
            counts = Counter(s.state for s in ev.task_states(day).values() if s.is_leaf and not s.archived)
            out.append((day, counts["overdue"], counts["stale"] + counts["missed"], counts["closed"] + counts["closed_late"]))
    return out


def state_counts(snapshot: Snapshot) -> Counter:
    """Leaf tasks per state."""
    return Counter(s.state for s in snapshot.leaves())


def overdue_cases_by_kind(snapshot: Snapshot, with_limit_only: bool = True) -> list[tuple[str, str, int]]:
    """(kind, label, overdue cases) for every case kind (only kinds with a time limit, by default)."""
    kinds = [k for k in snapshot.repo.case_kinds() if k.case.limit or not with_limit_only]
    return [(k.name, k.label, len(snapshot.overdue_cases(k.name))) for k in kinds]


def received_by_kind(snapshot: Snapshot, start: dt.date, end: dt.date) -> dict[str, int]:
    """Cases received between ``start`` and ``end`` (inclusive) per kind; kinds with none left out."""
    out: dict[str, int] = {}
    for kind, states in snapshot.cases.items():
        n = sum(1 for c in states if start <= c.start <= end)
        if n:
            out[kind] = n
    return out


def average(tallies: list[Tally]) -> dict[str, float | None]:
    """The units' average load, overdue count and on-time rate (for a unit page's comparison)."""
    if not tallies:
        return {}
    rates = [t.on_time_rate for t in tallies if t.on_time_rate is not None]
    return {"total": sum(t.total for t in tallies) / len(tallies),
            "overdue": sum(t.overdue for t in tallies) / len(tallies),
            "rate": sum(rates) / len(rates) if rates else None}


@dataclass(frozen=True)
class UnitCases:
    """One unit's own overdue cases, counted (a report's body when there are too many to list one by one)."""

    unit: str
    name: str
    count: int
    kinds: tuple[tuple[str, int], ...]  # (kind label, cases), in the kinds' declared order
    max_days: int  # the longest overdue of them


def cases_by_unit(snapshot: Snapshot, cases: Iterable[CaseState], unit_of: Callable[[CaseState], str | None],
                  days_of: Callable[[CaseState], int]) -> list[UnitCases]:
    """Cases counted per the unit ``unit_of`` charges them to (each case counts for that unit only), the unit
    with the largest ``days_of`` first, then the one with most cases, then the units' order."""
    order = {k.name: i for i, k in enumerate(snapshot.repo.case_kinds())}
    labels = snapshot.repo.registry.kinds
    per_unit: dict[str, list[CaseState]] = {}
    for c in cases:
        per_unit.setdefault(unit_of(c) or "", []).append(c)
    out = []
    for unit, found in per_unit.items():
        kinds = Counter(c.case.kind for c in found)
        out.append(UnitCases(unit, snapshot.repo.unit_name(unit) if unit else "—", len(found),
                             tuple((labels[k].label, n) for k, n in sorted(kinds.items(), key=lambda x: order.get(x[0], 99))),
                             max(days_of(c) for c in found)))
    return sorted(out, key=lambda u: (-u.max_days, -u.count, unit_order(snapshot, u.unit)))


def overdue_cases_by_unit(snapshot: Snapshot, cases: Iterable[CaseState]) -> list[UnitCases]:
    """Overdue cases per responsible unit, the unit with the longest overdue case first."""
    return cases_by_unit(snapshot, cases, lambda c: c.case.unit, lambda c: c.days_overdue)


def awaiting_cases_by_office(snapshot: Snapshot, cases: Iterable[CaseState]) -> list[UnitCases]:
    """Cases waiting for verification per verifying office (they are its work, not the reporting unit's), the
    office with the longest verification overdue first."""
    return cases_by_unit(snapshot, cases, lambda c: c.verification.office, lambda c: c.verification.days_overdue)
