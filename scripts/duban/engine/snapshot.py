"""Snapshots: every task's and case's state as of one date, from an explicit evaluator.

``Evaluator(repo, settings)`` evaluates one repository with one set of settings
at any date and remembers what it has worked out (recent snapshots, each task's
evidence, each case's time limit), so a weekly report that looks back several
weeks, or a site that shows trends, pays for each date once. ``evaluate(repo,
day)`` is the one-call form. "As of D" means the end of day D; the date is
always passed in.

Lists a snapshot hands out count each piece of work once: leaf tasks (a parent's
state rolls up from its sub-tasks and is shown, not counted).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, replace

from duban.engine.asof import record_as_of
from duban.engine.casecols import CaseColumns
from duban.engine.cases import CaseState, case_limit
from duban.engine.settings import Settings, from_registry
from duban.engine.state import (
    Duty,
    Evidence,
    TaskState,
    Verification,
    credited,
    evidence_of,
    parent_state,
    task_state,
)
from duban.engine.workdays import Calendar
from duban.periods import Period, owed_periods
from duban.records.model import Closure, Extension, Repository, Task, Update
from duban.zh import natural_key

SNAPSHOT_CACHE = 16  # recent snapshots kept (reports look back a few weeks)
TASK_MEMO = 32  # task states kept for trends (a weekly archive in order reuses eleven of twelve)


@dataclass(frozen=True)
class Event:
    """One entry of a task's timeline."""

    day: dt.date
    rank: int  # order within a day: closure, extension, update
    what: str  # update / extension_requested / extension_approved / closure
    unit: str | None
    update: Update | None = None
    extension: Extension | None = None
    closure: Closure | None = None


@dataclass(frozen=True)
class PeriodCheck:
    """One lead unit's record for one period of a cadence task."""

    period: Period
    unit: str
    status: str  # ok / late (recorded after the period ended) / missed / open (the period has not ended)
    evidence: tuple[Evidence, ...] = ()


@dataclass
class Snapshot:
    """Every task's and case's state as of one date."""

    evaluator: Evaluator
    as_of: dt.date
    tasks: dict[str, TaskState]  # every task of a plan issued by as_of, parents included, in natural id order
    cases: dict[str, list[CaseState]]  # kind -> states of cases received by as_of

    @property
    def repo(self) -> Repository:
        return self.evaluator.repo

    @property
    def settings(self) -> Settings:
        return self.evaluator.settings

    def at(self, day: dt.date) -> Snapshot:
        """The snapshot of the same repository and settings as of another day."""
        return self.evaluator.at(day)

    # --- tasks: leaves count, parents roll up

    def leaves(self) -> list[TaskState]:
        """States of the tasks that are pieces of work (no sub-tasks) of plans in force, in natural id order."""
        return [s for s in self.tasks.values() if s.is_leaf and not s.archived]

    def plan_tasks(self, plan: str) -> list[TaskState]:
        """A plan's tasks (parents included), in natural id order; archived ones too."""
        return [s for s in self.tasks.values() if s.task.plan == plan]

    def _sorted(self, states, key=None) -> list[TaskState]:
        return sorted(states, key=key or (lambda s: natural_key(s.task.id)))

    def overdue_tasks(self) -> list[TaskState]:
        """Overdue leaf tasks, longest first."""
        return self._sorted((s for s in self.leaves() if s.state == "overdue"),
                            key=lambda s: (-s.days_overdue, natural_key(s.task.id)))

    def due_within(self, days: int | None = None) -> list[TaskState]:
        """Open 限时 leaf tasks due within the next ``days`` (default: upcoming_days), soonest first."""
        days = self.settings.upcoming_days if days is None else days
        horizon = self.as_of + dt.timedelta(days=days)
        found = [s for s in self.leaves() if s.is_open and s.state in ("due_soon", "on_track")
                 and s.due and self.as_of <= s.due <= horizon]
        return self._sorted(found, key=lambda s: (s.due, natural_key(s.task.id)))

    def stale_tasks(self) -> list[TaskState]:
        return self._sorted(s for s in self.leaves() if s.state == "stale")

    def missed_tasks(self) -> list[TaskState]:
        return self._sorted(s for s in self.leaves() if s.state == "missed")

    def lagging_tasks(self) -> list[TaskState]:
        """Stale (滞报) and missed (缺报) leaf tasks, by id."""
        return self._sorted(s for s in self.leaves() if s.state in ("stale", "missed"))

    def lagging_duties(self) -> list[tuple[TaskState, Duty]]:
        """Every unit behind on its own report for the last closed period: (task, that unit's duty)."""
        return [(s, d) for s in self.lagging_tasks() for d in s.duties if d.current_miss is not None]

    def unit_duties(self, unit: str) -> list[tuple[TaskState, Duty]]:
        """The leaf tasks ``unit`` leads, each with the unit's own part."""
        return [(s, d) for s in self.leaves() for d in s.duties if d.unit == unit]

    def tasks_of_unit(self, unit: str) -> tuple[list[TaskState], list[TaskState]]:
        """(states of the leaf tasks ``unit`` leads, of those it partners on)."""
        lead = [s for s in self.leaves() if unit in s.task.lead_units]
        partner = [s for s in self.leaves() if unit in s.task.partner_units]
        return lead, partner

    # --- work waiting for the supervising office

    def awaiting_tasks(self, office: str | None = None) -> list[TaskState]:
        """Tasks all lead units reported complete that the office has not closed, longest waiting first."""
        found = [s for s in self.leaves() if s.verification and (office is None or s.verification.office == office)]
        return sorted(found, key=lambda s: (s.verification.since, natural_key(s.task.id)))

    def awaiting_cases(self, office: str | None = None) -> list[CaseState]:
        """Cases their unit has done that the verifying office has not verified, longest waiting first."""
        found = [c for states in self.cases.values() for c in states
                 if c.verification and (office is None or c.verification.office == office)]
        return sorted(found, key=lambda c: (c.verification.since, c.case.id))

    # --- cases

    def cases_of(self, kind: str, unit: str | None = None) -> list[CaseState]:
        """States of a kind's cases received by the as-of date (only ``unit``'s when given)."""
        states = self.cases.get(kind, [])
        return states if unit is None else [s for s in states if s.case.unit == unit]

    def overdue_cases(self, kind: str | None = None, unit: str | None = None) -> list[CaseState]:
        """Overdue cases (of one kind, of one unit), longest overdue first."""
        kinds = [kind] if kind else list(self.cases)
        found = [s for k in kinds for s in self.cases_of(k, unit) if s.state == "overdue"]
        return sorted(found, key=lambda s: (-s.days_overdue, s.case.id))

    def urgent_cases(self, kind: str, unit: str | None = None) -> list[CaseState]:
        """Overdue and due-soon cases, longest overdue first."""
        found = [s for s in self.cases_of(kind, unit) if s.state in ("overdue", "due_soon")]
        return sorted(found, key=lambda s: (-s.days_overdue, s.case.id))

    @property
    def estimated(self) -> bool:
        return any(s.estimated for states in self.cases.values() for s in states)

    # --- cadence tasks, period by period

    def period_grid(self, task: Task, last: int | None = None) -> list[list[PeriodCheck]]:
        """For a 周期/长期坚持 task: one row per owed period (newest first), one check per lead unit."""
        timing = task.timing
        if timing.mode == "限时" or not timing.start or timing.start > self.as_of:
            return []
        periods = owed_periods(timing.cadence, timing.start, timing.end, self.as_of)
        periods = list(reversed(periods))[:last] if last else list(reversed(periods))
        rows = []
        for period in periods:
            row = []
            for unit in task.lead_units:
                found = tuple(credited(self.evaluator, task, unit, period, self.as_of))
                if period.end > self.as_of:
                    status = "ok" if found else "open"
                elif not found:
                    status = "missed"
                else:
                    status = "ok" if any(e.recorded <= period.end for e in found) else "late"
                row.append(PeriodCheck(period, unit, status, found))
            rows.append(row)
        return rows

    def last_report(self, task: Task, unit: str | None = None) -> Update | None:
        """The latest update of the task's lead units (or of one unit) dated by the as-of date."""
        units = (unit,) if unit else task.lead_units
        found = [u for u in self.updates_of(task.id) if u.unit in units]
        return found[-1] if found else None

    def last_evidence(self, task: Task, unit: str | None = None) -> dt.date | None:
        """The day of the latest record (update or evidence record) the lead units (or one unit) made for a task."""
        units = (unit,) if unit else task.lead_units
        days = [e.recorded for u in units for e in self.evaluator.evidence(task, u) if e.recorded <= self.as_of]
        return max(days, default=None)

    # --- records as they stood on the as-of date

    def record(self, kind: str, data: dict) -> dict:
        """A record's data as it stood at the end of the as-of date (later events left out)."""
        return record_as_of(self.repo.registry.kinds[kind], data, self.as_of.isoformat())

    def records(self, kind_name: str) -> list[dict]:
        """Every record of a kind as it stood on the as-of date: later records and later events left out."""
        repo = self.repo
        kind = repo.registry.kinds[kind_name]
        day = self.as_of.isoformat()
        if kind.case:
            start = kind.case.start
            rows = [c.data for c in repo.cases.get(kind_name, []) if isinstance(c.data.get(start), str)
                    and c.data[start] <= day]
        elif kind_name == "update":
            rows = [r for r in repo.raw.get("update", []) if r["date"] <= day]
        else:
            rows = repo.raw.get(kind_name, [])
        return [record_as_of(kind, r, day) for r in rows]

    def updates_of(self, task_id: str) -> list[Update]:
        """A task's updates dated on or before the as-of date, oldest first."""
        return [u for u in self.repo.updates_of(task_id) if u.date <= self.as_of]

    def timeline(self, task: Task) -> list[Event]:
        """What happened to a task up to the as-of date, newest first: updates, extensions, the closure."""
        events = [Event(u.date, 2, "update", u.unit, update=u) for u in self.updates_of(task.id)]
        for e in task.extensions:
            if e.requested <= self.as_of:
                events.append(Event(e.requested, 1, "extension_requested", None, extension=e))
            if e.approved_by_day(self.as_of):
                events.append(Event(e.approved, 1, "extension_approved", e.approved_by, extension=e))
        if task.closure and task.closure.date <= self.as_of:
            events.append(Event(task.closure.date, 0, "closure", task.closure.verified_by, closure=task.closure))
        return sorted(events, key=lambda e: (e.day, e.rank), reverse=True)


class Evaluator:
    """States of one repository under one set of settings, at any date."""

    def __init__(self, repo: Repository, settings: Settings | None = None):
        self.repo = repo
        self.settings = settings if settings is not None else from_registry(repo.registry)
        self.calendar = Calendar(repo.holidays)
        self._snapshots: OrderedDict[dt.date, Snapshot] = OrderedDict()
        self._task_memo: OrderedDict[dt.date, dict[str, TaskState]] = OrderedDict()
        self._evidence: dict[tuple[str, str], tuple[list[Evidence], list[dt.date]]] = {}
        self._limits: dict[tuple[str, str], tuple] = {}
        self._columns: dict[str, CaseColumns] = {}
        order = sorted(repo.tasks.values(), key=lambda t: natural_key(t.id))
        self._order = _children_first(order, repo)

    def at(self, as_of: dt.date) -> Snapshot:
        """All states as of ``as_of`` (the end of that day); recent snapshots are remembered."""
        if as_of in self._snapshots:
            self._snapshots.move_to_end(as_of)
            return self._snapshots[as_of]
        snapshot = self._evaluate(as_of)
        self._snapshots[as_of] = snapshot
        while len(self._snapshots) > SNAPSHOT_CACHE:
            self._snapshots.popitem(last=False)
        return snapshot

    # --- what does not depend on the as-of date, worked out once

    def evidence(self, task: Task, unit: str) -> list[Evidence]:
        return self._evidence_entry(task, unit)[0]

    def evidence_keys(self, task: Task, unit: str) -> list[dt.date]:
        return self._evidence_entry(task, unit)[1]

    def _evidence_entry(self, task: Task, unit: str):
        key = (task.id, unit)
        if key not in self._evidence:
            found = evidence_of(self, task, unit)
            self._evidence[key] = (found, [e.credited for e in found])
        return self._evidence[key]

    def case_limit(self, case) -> tuple:
        key = (case.kind, case.id)
        if key not in self._limits:
            self._limits[key] = case_limit(self, case)
        return self._limits[key]

    def office_for_task(self, task: Task) -> str | None:
        """Who verifies and closes a task: its plan's supervisor."""
        plan = self.repo.plans.get(task.plan)
        return plan.supervisor if plan else None

    def office_for_kind(self, kind: str) -> str | None:
        """Who verifies a case kind's cases: the unit that declares it ``verifies`` the kind."""
        return next((u.id for u in sorted(self.repo.units.values(), key=lambda u: u.id) if kind in u.verifies), None)

    def verification(self, office: str | None, since: dt.date, as_of: dt.date) -> Verification:
        """The office's clock: the declared limit counted from ``since``."""
        v = self.settings.verification
        limit = self.calendar.add_days(since, v.days, v.unit)
        days = max(0, (as_of - limit.due).days)
        return Verification(office, since, limit.due, days, limit.note())

    def task_states(self, as_of: dt.date) -> dict[str, TaskState]:
        """The tasks' states as of ``as_of`` without the cases' (a trend of tasks needs no more): those of a
        remembered snapshot when there is one."""
        if as_of in self._snapshots:
            return self._snapshots[as_of].tasks
        if as_of not in self._task_memo:
            self._task_memo[as_of] = self._tasks(as_of)
            while len(self._task_memo) > TASK_MEMO:
                self._task_memo.popitem(last=False)
        return self._task_memo[as_of]

    def _evaluate(self, as_of: dt.date) -> Snapshot:
        cases = {kind.name: self.case_columns(kind.name).at(as_of) for kind in self.repo.case_kinds()}
        return Snapshot(self, as_of, self._tasks(as_of), cases)

    def _tasks(self, as_of: dt.date) -> dict[str, TaskState]:
        repo = self.repo
        tasks: dict[str, TaskState] = {}
        for task in self._order:
            plan = repo.plans.get(task.plan)
            if plan and plan.issue_date > as_of:
                continue
            day = plan.ended if plan and plan.ended_by(as_of) else as_of  # an ended plan's tasks stop on its end
            children = [tasks[c.id] for c in repo.children(task.id) if c.id in tasks]
            state = parent_state(self, task, children, day) if children else task_state(self, task, day)
            tasks[task.id] = replace(state, archived=True) if day != as_of else state
        return {tid: tasks[tid] for tid in sorted(tasks, key=natural_key)}

    def case_columns(self, kind: str) -> CaseColumns:
        """A kind's cases as columns, with the states worked out so far (``engine.casecols``)."""
        if kind not in self._columns:
            self._columns[kind] = CaseColumns(self, kind)
        return self._columns[kind]


def _children_first(tasks: list[Task], repo: Repository) -> list[Task]:
    """Tasks ordered so that every sub-task comes before its parent."""
    out: list[Task] = []
    seen: set[str] = set()

    def visit(task: Task):
        if task.id in seen:
            return
        seen.add(task.id)
        for child in repo.children(task.id):
            visit(child)
        out.append(task)

    for task in tasks:
        visit(task)
    return out


def evaluate(repo: Repository | Evaluator, as_of: dt.date, settings: Settings | None = None) -> Snapshot:
    """All states as of ``as_of``: ``Evaluator(repo, settings).at(as_of)``, or ``evaluator.at(as_of)``."""
    if isinstance(repo, Evaluator):
        return repo.at(as_of)
    return Evaluator(repo, settings).at(as_of)
