"""Snapshots: every task's and case's state as of one date, from an explicit evaluator.

``Evaluator(repo, settings)`` evaluates one repository with one set of settings
at any date and remembers what it has worked out (recent snapshots, each task's
evidence dates), so a weekly report that looks back several weeks, or a site
that shows trends, pays for each date once. ``evaluate(repo, day)`` is the
one-call form. "As of D" means the end of day D; the date is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from duban.engine.asof import record_as_of
from duban.engine.settings import Settings, from_registry
from duban.engine.state import (
    CaseState,
    TaskState,
    case_state,
    evidence_dates,
    task_state,
)
from duban.records.model import Closure, Extension, Repository, Task, Update

SNAPSHOT_CACHE = 16  # recent snapshots kept (reports look back a few weeks)


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


@dataclass
class Snapshot:
    """Every task's and case's state as of one date."""

    evaluator: Evaluator
    as_of: dt.date
    tasks: dict[str, TaskState]
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

    def overdue_tasks(self) -> list[TaskState]:
        """Overdue tasks, longest first."""
        found = [s for s in self.tasks.values() if s.state == "overdue"]
        return sorted(found, key=lambda s: (-s.days_overdue, s.task.id))

    def due_within(self, days: int | None = None) -> list[TaskState]:
        """Open 限时 tasks due within the next ``days`` (default: upcoming_days), soonest first."""
        days = self.settings.upcoming_days if days is None else days
        horizon = self.as_of + dt.timedelta(days=days)
        found = [s for s in self.tasks.values() if s.is_open and s.due and self.as_of <= s.due <= horizon]
        return sorted(found, key=lambda s: (s.due, s.task.id))

    def stale_tasks(self) -> list[TaskState]:
        return sorted((s for s in self.tasks.values() if s.state == "stale"), key=lambda s: s.task.id)

    def missed_tasks(self) -> list[TaskState]:
        return sorted((s for s in self.tasks.values() if s.state == "missed"), key=lambda s: s.task.id)

    def lagging_tasks(self) -> list[TaskState]:
        """Stale (滞报) and missed (缺报) tasks, by id."""
        return sorted((s for s in self.tasks.values() if s.state in ("stale", "missed")), key=lambda s: s.task.id)

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

    def tasks_of_unit(self, unit: str) -> tuple[list[TaskState], list[TaskState]]:
        """(states of the tasks ``unit`` leads, of those it partners on)."""
        lead = [s for s in self.tasks.values() if unit in s.task.lead_units]
        partner = [s for s in self.tasks.values() if unit in s.task.partner_units]
        return lead, partner

    @property
    def estimated(self) -> bool:
        return any(s.estimated for states in self.cases.values() for s in states)

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
        self._snapshots: OrderedDict[dt.date, Snapshot] = OrderedDict()
        self._evidence: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}

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

    def evidence_dates(self, task: Task, unit: str) -> list[tuple[dt.date, dt.date]]:
        key = (task.id, unit)
        if key not in self._evidence:
            self._evidence[key] = evidence_dates(self, task, unit)
        return self._evidence[key]

    def _evaluate(self, as_of: dt.date) -> Snapshot:
        repo = self.repo
        tasks = {}
        for task in sorted(repo.tasks.values(), key=lambda t: t.id):
            plan = repo.plans.get(task.plan)
            if plan and plan.issue_date > as_of:
                continue
            tasks[task.id] = task_state(self, task, as_of)
        cases: dict[str, list[CaseState]] = {}
        for kind in repo.case_kinds():
            states = (case_state(self, c, as_of) for c in repo.cases_of(kind.name))
            cases[kind.name] = [s for s in states if s is not None]
        return Snapshot(self, as_of, tasks, cases)


def evaluate(repo: Repository | Evaluator, as_of: dt.date, settings: Settings | None = None) -> Snapshot:
    """All states as of ``as_of``: ``Evaluator(repo, settings).at(as_of)``, or ``evaluator.at(as_of)``."""
    if isinstance(repo, Evaluator):
        return repo.at(as_of)
    return Evaluator(repo, settings).at(as_of)
