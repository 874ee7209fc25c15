"""Typed records built from validated data, and the repository that holds them.

Only records that passed validation reach the model, so constructors here can
trust types. Dates become ``datetime.date``. Nothing here knows "today":
derived state (overdue, stale, colours) belongs to the state module.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duban.records.kinds import Kind, Registry
from duban.records.plan_pages import clause_anchor
from duban.records.validate import Record, Result, check_repository


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class Clause:
    id: str
    label: str
    title: str
    text: str | None = None  # the clause's own text (without its heading), as imported from the document
    tracking: str | None = None  # the office's note on how the clause is tracked (task level only, ...)

    @property
    def anchor(self) -> str:
        return clause_anchor(self.id)


@dataclass(frozen=True)
class Plan:
    id: str
    doc_number: str
    title: str
    issuers: tuple[str, ...]
    issue_date: dt.date
    clauses: tuple[Clause, ...]
    page: str | None
    file: str
    supervisor: str | None = None  # the office that verifies and closes (销号) the plan's tasks
    status: str = "有效"
    ended: dt.date | None = None  # 废止 or 完成: its tasks' states stop on this day

    def ended_by(self, day: dt.date) -> bool:
        return self.ended is not None and self.ended <= day

    def clause(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    short_name: str
    kind: str
    order: int
    unconfirmed: bool
    file: str
    aliases: tuple[str, ...] = ()  # other names people search for (住建局 for 区住建局)
    verifies: tuple[str, ...] = ()  # case kinds this unit verifies (验收)


@dataclass(frozen=True)
class Timing:
    mode: str  # 限时 / 周期 / 长期坚持
    due: dt.date | None = None
    cadence: str | None = None  # for 周期: the cadence; for 长期坚持: the reporting cadence
    start: dt.date | None = None
    end: dt.date | None = None
    evidence_kind: str | None = None
    evidence_match: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Extension:
    requested: dt.date
    reason: str
    new_due: dt.date
    approved_by: str | None  # None while the request waits for the office
    approved: dt.date | None

    def approved_by_day(self, day: dt.date) -> bool:
        """Whether the office had approved the request by the end of ``day``."""
        return self.approved is not None and self.approved <= day


@dataclass(frozen=True)
class Closure:
    date: dt.date
    verified_by: str
    note: str | None


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    title: str


@dataclass(frozen=True)
class Task:
    id: str
    plan: str
    clause: str
    title: str
    measures: str
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    deadline_text: str
    timing: Timing
    parent: str | None
    milestones: tuple[Milestone, ...]
    extensions: tuple[Extension, ...]
    closure: Closure | None
    synthetic: bool
    file: str


@dataclass(frozen=True)
class Update:
    task: str
    unit: str
    date: dt.date
    period: dt.date | None
    state: str
    text: str
    evidence: tuple[str, ...]
    synthetic: bool
    file: str


@dataclass(frozen=True)
class Case:
    """A record of a case kind; its fields stay as data, described by its kind."""

    kind: str
    id: str
    unit: str
    data: dict
    file: str

    def date(self, name: str) -> dt.date | None:
        value = self.data.get(name)
        return _date(value) if isinstance(value, str) else None


def _plan(r: Record) -> Plan:
    d = r.data
    return Plan(
        id=d["id"],
        doc_number=d["doc_number"],
        title=d["title"],
        issuers=tuple(d["issuers"]),
        issue_date=_date(d["issue_date"]),
        clauses=tuple(Clause(c["id"], c["label"], c["title"], c.get("text"), c.get("tracking")) for c in d["clauses"]),
        page=d.get("page"),
        file=r.file,
        supervisor=d.get("supervisor"),
        status=d.get("status", "有效"),
        ended=_date(d.get("ended")),
    )


def _unit(r: Record) -> Unit:
    d = r.data
    return Unit(d["id"], d["name"], d.get("short_name", d["name"]), d["kind"], d.get("order", 9999),
                bool(d.get("unconfirmed")), r.file, tuple(d.get("aliases", ())),
                tuple(d.get("verifies", ())))


def _task(r: Record) -> Task:
    d = r.data
    t = d["timing"]
    evidence = t.get("evidence") or {}
    timing = Timing(
        mode=t["mode"],
        due=_date(t.get("due")),
        cadence=t.get("cadence") or t.get("report_cadence"),
        start=_date(t.get("start")),
        end=_date(t.get("end")),
        evidence_kind=evidence.get("kind"),
        evidence_match=tuple(sorted((evidence.get("match") or {}).items())),
    )
    closure = d.get("closure")
    return Task(
        id=d["id"],
        plan=d["plan"],
        clause=d["clause"],
        title=d["title"],
        measures=d["measures"],
        lead_units=tuple(d["lead_units"]),
        partner_units=tuple(d.get("partner_units", ())),
        deadline_text=d["deadline_text"],
        timing=timing,
        parent=d.get("parent"),
        milestones=tuple(Milestone(_date(m["date"]), m["title"]) for m in d.get("milestones", ())),
        extensions=tuple(
            Extension(_date(e["requested"]), e["reason"], _date(e["new_due"]), e.get("approved_by"), _date(e.get("approved")))
            for e in d.get("extensions", ())
        ),
        closure=Closure(_date(closure["date"]), closure["verified_by"], closure.get("note")) if closure else None,
        synthetic=bool(d.get("synthetic")),
        file=r.file,
    )


def _update(r: Record) -> Update:
    d = r.data
    return Update(d["task"], d["unit"], _date(d["date"]), _date(d.get("period")), d["state"], d["text"],
                  tuple(d.get("evidence", ())), bool(d.get("synthetic")), r.file)


@dataclass(frozen=True)
class HolidayYear:
    """A year's declared 放假安排: the days off and the weekend days worked instead."""

    year: int
    days_off: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str
    file: str


def _holiday(r: Record) -> HolidayYear:
    d = r.data
    off = set()
    for entry in d["holidays"]:
        day, end = _date(entry["start"]), _date(entry["end"])
        while day <= end:
            off.add(day)
            day += dt.timedelta(days=1)
    return HolidayYear(int(d["id"]), frozenset(off), frozenset(_date(w) for w in d.get("workdays", ())), d["source"], r.file)


@dataclass(frozen=True)
class ReportNote:
    """The office's words for one issue of a report (周报 ``2024-W23``, 通报 ``2024-06``)."""

    id: str
    highlights: tuple[str, ...]
    problems: tuple[str, ...]
    requirements: tuple[str, ...]
    file: str


@dataclass
class Repository:
    """Every valid record, with the look-ups reports need."""

    registry: Registry
    plans: dict[str, Plan] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    cases: dict[str, list[Case]] = field(default_factory=dict)  # kind -> cases
    holidays: dict[int, HolidayYear] = field(default_factory=dict)  # year -> declared 放假安排
    notes: dict[str, ReportNote] = field(default_factory=dict)  # issue (2024-W23, 2024-06) -> the office's words
    raw: dict[str, list[dict]] = field(default_factory=dict)  # kind -> plain data of plans, units, tasks, updates
    sources: dict = field(default_factory=dict)  # kind -> id -> validate.Record (file, data, digest) it was built from

    def __post_init__(self):
        self._updates_by_task: dict[str, list[Update]] = defaultdict(list)
        self._cases_by_unit: dict[tuple[str, str], list[Case]] = defaultdict(list)
        self._children: dict[str, list[Task]] = defaultdict(list)

    def _index(self) -> None:
        self._updates_by_task.clear()
        for u in sorted(self.updates, key=lambda u: (u.date, u.file)):
            self._updates_by_task[u.task].append(u)
        self._cases_by_unit.clear()
        for kind, cases in self.cases.items():
            for c in cases:
                self._cases_by_unit[(kind, c.unit)].append(c)
        self._children.clear()
        for t in self.tasks.values():
            if t.parent:
                self._children[t.parent].append(t)

    def updates_of(self, task_id: str) -> list[Update]:
        """Updates of a task, oldest first."""
        return self._updates_by_task.get(task_id, [])

    def cases_of(self, kind: str, unit: str | None = None) -> list[Case]:
        if unit is None:
            return self.cases.get(kind, [])
        return self._cases_by_unit.get((kind, unit), [])

    def unit_name(self, unit_id: str) -> str:
        """A unit's short name, or its id when there is no such unit."""
        unit = self.units.get(unit_id)
        return unit.short_name if unit else unit_id

    def unit_names(self, unit_ids) -> str:
        """Short names joined the Chinese way: 甲镇、乙局."""
        return "、".join(self.unit_name(u) for u in unit_ids)

    def children(self, task_id: str) -> list[Task]:
        return sorted(self._children.get(task_id, []), key=lambda t: t.id)

    def case_kinds(self) -> list[Kind]:
        return self.registry.case_kinds()



_BUILDERS = {"plan": ("plans", _plan), "unit": ("units", _unit), "task": ("tasks", _task)}


def build(result: Result) -> Repository:
    """A repository from a validation result's valid records (and the registry it was checked with)."""
    registry = result.registry
    repo = Repository(registry, sources=result.records)
    for kind_name, records in result.records.items():
        if kind_name in ("plan", "unit", "task", "update"):
            repo.raw[kind_name] = [r.data for _, r in sorted(records.items())]
        if kind_name in _BUILDERS:
            attr, make = _BUILDERS[kind_name]
            getattr(repo, attr).update((rid, make(r)) for rid, r in records.items())
        elif kind_name == "update":
            repo.updates.extend(_update(r) for r in records.values())
        elif kind_name == "report_note":
            repo.notes.update((rid, ReportNote(rid, tuple(r.data.get("highlights", ())), tuple(r.data.get("problems", ())),
                                               tuple(r.data.get("requirements", ())), r.file)) for rid, r in records.items())
        elif kind_name == "holiday":
            repo.holidays.update((int(rid), _holiday(r)) for rid, r in records.items())
        elif registry.kinds[kind_name].case:
            kind = registry.kinds[kind_name]
            unit_field = kind.case.unit if kind.case else "unit"
            repo.cases[kind_name] = sorted(
                (Case(kind_name, rid, r.data.get(unit_field, ""), r.data, r.file) for rid, r in records.items()),
                key=lambda c: c.id,
            )
    repo._index()
    return repo


class InvalidRepository(Exception):
    def __init__(self, result: Result):
        super().__init__(f"记录有 {result.report.total} 个问题")
        self.result = result


def open_repository(root: Path | str, workers: int | None = None) -> Repository:
    """Validate the repository at ``root`` and build its model; raise InvalidRepository on problems."""
    root = Path(root)
    result = check_repository(root, workers=workers)
    if not result.ok:
        raise InvalidRepository(result)
    return build(result)
