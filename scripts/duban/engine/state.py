"""The deadline engine: a task's or a case's state as of a date, with its reason, per unit.

"As of D" means at the end of day D: only what is dated on or before D counts
(updates, closures, approved extensions, received cases, status changes). A
task due on D becomes overdue on D+1. The same records and date always give the
same answer, so any past week can be rebuilt.

**Every obligation belongs to one unit.** A task with several lead units has a
``Duty`` per lead unit (its own report per period, its own completion report);
the task's state is the worst of them, but a unit is charged only with its own
duty. Work that waits for the supervising office (all lead units reported the
task complete; a case done by its unit but not yet verified) is a
``Verification`` that counts against that office, with its own clock. A parent
task's state rolls up from its sub-tasks; only leaf tasks are counted.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from duban.periods import Period, owed_periods, period_of
from duban.records.model import Task, Update

if TYPE_CHECKING:
    from duban.engine.snapshot import Evaluator

DONE = "已完成"  # the update state by which a unit reports its part complete
CLOSED = ("closed", "closed_late")


@dataclass(frozen=True)
class Miss:
    unit: str
    period: Period


@dataclass(frozen=True)
class Evidence:
    """A record that fulfils a unit's obligation for a period: an update, or a declared evidence record."""

    credited: dt.date  # the day whose period it counts for
    recorded: dt.date  # the day it was made (a late report credits an earlier period)
    kind: str  # "update" or the evidence kind (e.g. meeting)
    ref: str  # the record's id (cases) or file (updates)


@dataclass(frozen=True)
class Duty:
    """One lead unit's part of a task as of a date."""

    unit: str
    state: str
    label: str
    level: str
    reason: str
    days_overdue: int = 0
    reported_on: dt.date | None = None  # 限时: the unit reported its part complete
    late_days: int = 0  # 限时: the report came this many days after the due date
    misses: tuple[Period, ...] = ()  # closed periods without the unit's record
    current_miss: Period | None = None  # the most recently closed period, when it was missed
    last_report: Update | None = None  # the unit's latest update

    @property
    def done(self) -> bool:
        return self.state in ("reported",) + CLOSED


@dataclass(frozen=True)
class Verification:
    """The supervising office's part: verify and close (销号) what the units reported done."""

    office: str | None
    since: dt.date  # when the units' part was done (the last completion report, a hazard's rectification)
    due: dt.date  # the verification limit
    days_overdue: int = 0
    note: str = ""  # how the limit was counted (估算, declared holidays)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class TaskState:
    task: Task
    state: str
    label: str
    level: str
    reason: str
    due: dt.date | None = None  # effective due date (限时), counting approved extensions
    next_due: dt.date | None = None  # when something is next owed (never a day already past)
    days_overdue: int = 0
    closed_on: dt.date | None = None
    late_days: int = 0  # closed late: days up to the completion report (not up to the verification)
    duties: tuple[Duty, ...] = ()  # one per lead unit (leaf tasks)
    verification: Verification | None = None  # awaiting the office
    last_update: Update | None = None
    progress: tuple[int, int] | None = None  # parents: (closed sub-tasks, sub-tasks)
    archived: bool = False  # its plan ended (废止/完成): the state stands as of that day, and it is not counted

    @property
    def closed(self) -> bool:
        return self.state in CLOSED

    @property
    def is_open(self) -> bool:
        return self.task.timing.mode == "限时" and not self.closed

    @property
    def is_leaf(self) -> bool:
        return self.progress is None

    def duty(self, unit: str) -> Duty | None:
        return next((d for d in self.duties if d.unit == unit), None)

    @property
    def misses(self) -> tuple[Miss, ...]:
        """Every unit's missed periods."""
        return tuple(Miss(d.unit, p) for d in self.duties for p in d.misses)

    @property
    def current_misses(self) -> tuple[Miss, ...]:
        """The units that missed the most recently closed period."""
        return tuple(Miss(d.unit, d.current_miss) for d in self.duties if d.current_miss is not None)

    @property
    def behind(self) -> tuple[Duty, ...]:
        """The duties that make the task's state: those in the task's state (by unit order)."""
        return tuple(d for d in self.duties if d.state == self.state)


# ---------------------------------------------------------------- evidence


def evidence_of(ev: Evaluator, task: Task, unit: str) -> list[Evidence]:
    """What ``unit`` recorded for ``task``'s periods, sorted by the day credited."""
    repo = ev.repo
    timing = task.timing
    if timing.evidence_kind:
        kind = repo.registry.kinds[timing.evidence_kind]
        match = dict(timing.evidence_match)
        found = [
            Evidence(day, day, kind.name, case.id)
            for case in repo.cases_of(kind.name, unit)
            if (day := case.date(kind.case.start)) and all(case.data.get(k) == v for k, v in match.items())
        ]
    else:
        found = [Evidence(u.period or u.date, u.date, "update", u.file) for u in repo.updates_of(task.id) if u.unit == unit]
    return sorted(found, key=lambda e: (e.credited, e.recorded, e.ref))


def credited(ev: Evaluator, task: Task, unit: str, period: Period, as_of: dt.date) -> list[Evidence]:
    """The unit's records credited to ``period`` and made on or before ``as_of``."""
    found = ev.evidence(task, unit)
    keys = ev.evidence_keys(task, unit)
    i = bisect.bisect_left(keys, period.start)
    out = []
    while i < len(found) and found[i].credited <= period.end:
        if found[i].recorded <= as_of:
            out.append(found[i])
        i += 1
    return out


# ---------------------------------------------------------------- tasks


def _effective_due(task: Task, as_of: dt.date) -> tuple[dt.date | None, list]:
    due = task.timing.due
    approved = [e for e in task.extensions if e.approved_by_day(as_of)]
    if approved:
        due = approved[-1].new_due
    return due, approved


def _completion(updates: list[Update]) -> Update | None:
    """The unit's standing completion report: its first 已完成 after its last update of another state."""
    found = None
    for u in updates:
        if u.state == DONE:
            found = found or u
        else:
            found = None
    return found


def _counts(repo, misses: dict[str, int], word: str, least: int = 2) -> str:
    """Each unit's own running count: 东园镇累计缺报 8 个周期 / 累计缺报：洛阳镇 3 个周期，东园镇 8 个周期."""
    shown = {u: n for u, n in misses.items() if n >= least}
    if not shown:
        return ""
    if len(shown) == 1:
        unit, n = next(iter(shown.items()))
        return f"；{repo.unit_name(unit)}累计{word} {n} 个周期"
    return f"；累计{word}：" + "，".join(f"{repo.unit_name(u)} {n} 个周期" for u, n in shown.items())


class _Task:
    """Works out one task's state; a class only to share the pieces between the timing forms."""

    def __init__(self, ev: Evaluator, task: Task, as_of: dt.date):
        self.ev, self.task, self.as_of = ev, task, as_of
        self.repo, self.settings = ev.repo, ev.settings
        self.updates = [u for u in self.repo.updates_of(task.id) if u.date <= as_of]

    def make(self, state: str, reason: str, days_overdue: int = 0, **kw) -> TaskState:
        s = self.settings
        return TaskState(task=self.task, state=state, label=s.label(state, task=True), level=s.level(state, days_overdue),
                         reason=reason, days_overdue=days_overdue,
                         last_update=self.updates[-1] if self.updates else None, **kw)

    def duty(self, unit: str, state: str, reason: str, days: int = 0, **kw) -> Duty:
        s = self.settings
        own = [u for u in self.updates if u.unit == unit]
        return Duty(unit, state, s.label(state, task=True), s.level(state, days), reason, days,
                    last_report=own[-1] if own else None, **kw)

    def closed_duty(self, d: Duty, due: dt.date | None) -> Duty:
        """A lead unit's part once the task is closed: late by the days up to its own report (or the closure)."""
        closed = self.task.closure.date
        finished = min(d.reported_on, closed) if d.reported_on else closed
        late = max(0, (finished - due).days) if due else 0
        state = "closed_late" if late else "closed"
        reason = f"已于 {closed} 销号" + (f"（逾期 {late} 天完成）" if late else "")
        s = self.settings
        return replace(d, state=state, label=s.label(state, task=True), level=s.level(state), reason=reason,
                       days_overdue=0, late_days=late)

    def closure(self, due: dt.date | None, reported: list[dt.date]) -> TaskState | None:
        task = self.task
        if not (task.closure and task.closure.date <= self.as_of):
            return None
        closed = task.closure.date
        # late by the days up to the units' completion report, not up to the office's verification
        done = max(reported) if reported and len(reported) == len(task.lead_units) else closed
        late = max(0, (min(done, closed) - due).days) if due else 0
        if late:
            return self.make("closed_late", f"逾期 {late} 天完成：完成时限 {due}，{min(done, closed)} 报告完成，{closed} 销号",
                             due=due, closed_on=closed, late_days=late)
        return self.make("closed", f"已于 {closed} 销号" + (f"（完成时限 {due}）" if due else ""), due=due, closed_on=closed)

    # --- 限时
    def deadline(self) -> TaskState:
        task, as_of, repo = self.task, self.as_of, self.repo
        due, approved = _effective_due(task, as_of)
        original = f"完成时限 {task.timing.due}" + (f"，已批准延期至 {due}" if approved else "")
        duties = []
        for unit in task.lead_units:
            report = _completion([u for u in self.updates if u.unit == unit])
            if report:
                late = max(0, (report.date - due).days)
                text = f"已于 {report.date} 报告完成" + (f"（逾期 {late} 天）" if late else "")
                duties.append(self.duty(unit, "reported", text, reported_on=report.date, late_days=late))
            elif as_of > due:
                days = (as_of - due).days
                duties.append(self.duty(unit, "overdue", f"逾期 {days} 天：{original}", days))
            elif (due - as_of).days <= self.settings.due_soon_days:
                left = (due - as_of).days
                duties.append(self.duty(unit, "due_soon", ("今天到期" if left == 0 else f"还有 {left} 天到期") + f"：{original}"))
            else:
                duties.append(self.duty(unit, "on_track", f"{original}，还有 {(due - as_of).days} 天"))
        reported = [d.reported_on for d in duties if d.reported_on]
        closed = self.closure(due, reported)
        if closed:
            return replace(closed, duties=tuple(self.closed_duty(d, due) for d in duties))
        if all(d.done for d in duties):
            since = max(reported)
            late = max(d.late_days for d in duties)
            return self.awaiting(since, due=due, duties=tuple(duties), late_days=late,
                                 prefix="牵头单位" if len(duties) > 1 else repo.unit_name(duties[0].unit))
        worst = self.settings.worst(d.state for d in duties if not d.done)
        behind = [d for d in duties if d.state == worst]
        done = [d for d in duties if d.done]
        days = max(d.days_overdue for d in behind)
        reason = behind[0].reason
        if len(task.lead_units) > 1:
            reason += f"；{repo.unit_names(d.unit for d in behind)}未报告完成"
            if done:
                reason += f"（{repo.unit_names(d.unit for d in done)}已报告完成）"
        return self.make(worst, reason, days, due=due, next_due=due if worst != "overdue" else None, duties=tuple(duties))

    def awaiting(self, since: dt.date, prefix: str, **kw) -> TaskState:
        verification = self.ev.verification(self.ev.office_for_task(self.task), since, self.as_of)
        office = self.repo.unit_name(verification.office) if verification.office else "督办单位"
        text = f"{prefix}已于 {since} 报告完成，待{office}核实销号"
        if verification.overdue:
            return self.make("verification_overdue", f"{text}：核销时限 {verification.due}{verification.note}，已超期 "
                             f"{verification.days_overdue} 天", verification.days_overdue, verification=verification, **kw)
        return self.make("awaiting_verification", f"{text}（核销时限 {verification.due}{verification.note}）",
                         verification=verification, **kw)

    # --- 周期 and 长期坚持: each lead unit owes a record in every period
    def periodic(self) -> TaskState:
        task, as_of, repo = self.task, self.as_of, self.repo
        timing = task.timing
        cadence = timing.cadence
        closed = self.closure(None, [])
        if timing.start and timing.start > as_of:
            return closed or self.make("not_started", f"{timing.start} 开始，{cadence}一次")
        periods = owed_periods(cadence, timing.start, timing.end, as_of)
        closed_periods = [p for p in periods if p.end <= as_of]
        last = closed_periods[-1] if closed_periods else None
        ended = timing.end is not None and timing.end <= as_of
        current = period_of(cadence, as_of + dt.timedelta(days=1))
        next_due = None if ended else (current.end if current.start > as_of else period_of(cadence, as_of).end)
        cadence_task = timing.mode == "周期"
        word = "缺报" if cadence_task else "滞报"
        missing = f"没有{repo.registry.kinds[timing.evidence_kind].label}记录" if timing.evidence_kind else (
            "没有记录" if cadence_task else "未报送进展")
        duties = []
        for unit in task.lead_units:
            misses = tuple(p for p in closed_periods if not credited(self.ev, task, unit, p, as_of))
            own = f"累计{word} {len(misses)} 个周期" if misses else ""
            if last is not None and misses and misses[-1] == last:
                days = (as_of - last.end).days
                reason = f"{word}：{last.label(cadence)}{missing}" + (f"；{own}" if len(misses) > 1 else "")
                duties.append(self.duty(unit, "missed" if cadence_task else "stale", reason, days,
                                        misses=misses, current_miss=last))
            elif ended:
                duties.append(self.duty(unit, "ended", f"已于 {timing.end} 结束" + (f"；{own}" if own else ""), misses=misses))
            else:
                reason = f"{cadence}一次，" + ("最近周期已履行" if closed_periods else "首个周期尚未结束") + (f"；{own}" if own else "")
                duties.append(self.duty(unit, "on_track", reason, misses=misses))
        if closed:
            return replace(closed, duties=tuple(self.closed_duty(d, None) for d in duties))
        worst = self.settings.worst(d.state for d in duties)
        behind = [d for d in duties if d.state == worst]
        counts = {d.unit: len(d.misses) for d in behind}
        if worst in ("missed", "stale"):
            reason = f"{word}：{last.label(cadence)}{repo.unit_names(d.unit for d in behind)}{missing}" + _counts(repo, counts, word)
        elif worst == "ended":
            reason = f"已于 {timing.end} 结束"
        else:
            reason = f"{cadence}一次，" + ("最近周期均已履行" if closed_periods else "首个周期尚未结束")
            reason += _counts(repo, {d.unit: len(d.misses) for d in duties}, word, least=1)
        days = max(d.days_overdue for d in behind)
        return self.make(worst, reason, days, next_due=next_due, duties=tuple(duties))


def task_state(ev: Evaluator, task: Task, as_of: dt.date) -> TaskState:
    """A leaf task's state as of ``as_of``: per lead unit, then the worst of them (or the office's part)."""
    worker = _Task(ev, task, as_of)
    return worker.deadline() if task.timing.mode == "限时" else worker.periodic()


def parent_state(ev: Evaluator, task: Task, children: list[TaskState], as_of: dt.date) -> TaskState:
    """A parent task rolls up from its sub-tasks: done when they all are, else the worst of the open ones."""
    worker = _Task(ev, task, as_of)
    done = [c for c in children if c.closed]
    progress = (len(done), len(children))
    head = f"子任务已销号 {len(done)}/{len(children)}"
    if task.closure and task.closure.date <= as_of:
        return worker.make("closed", f"已于 {task.closure.date} 销号；{head}", closed_on=task.closure.date, progress=progress)
    if len(done) == len(children):
        late = max(c.late_days for c in children)
        last = max(c.closed_on for c in children)
        state = "closed_late" if late else "closed"
        return worker.make(state, f"{head}，{last} 全部销号", closed_on=last, late_days=late, progress=progress)
    open_ = [c for c in children if not c.closed]
    worst = ev.settings.worst(c.state for c in open_)
    lead = sorted((c for c in open_ if c.state == worst), key=lambda c: (-c.days_overdue, c.task.id))[0]
    return worker.make(worst, f"{head}；{lead.task.id} {lead.reason}", lead.days_overdue,
                       due=lead.due, next_due=lead.next_due, progress=progress)
