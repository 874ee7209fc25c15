"""The deadline engine: pure functions of (repository, as-of date) → state with a reason.

"As of D" means at the end of day D: only what is dated on or before D counts
(updates, closures, approved extensions, received cases, status changes). A
task due on D becomes overdue on D+1. The same records and date always give
the same answer, so any past week can be rebuilt.

Periods (每周 ISO Monday–Sunday, 每半月 1st–15th and 16th–month end, 每月,
每季度, 每年): a period is owed when it lies within the task's start and end;
if the start falls inside a period, the obligation begins with the next full
period. A period is closed once its last day is on or before D.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from duban.engine.periods import Period, owed_periods, period_of
from duban.engine.workdays import add_days
from duban.records.model import Case, Task, Update

if TYPE_CHECKING:
    from duban.engine.snapshot import Evaluator


# ---------------------------------------------------------------- task state


@dataclass(frozen=True)
class Miss:
    unit: str
    period: Period


@dataclass(frozen=True)
class TaskState:
    task: Task
    state: str
    label: str
    level: str
    reason: str
    due: dt.date | None = None  # effective due date (限时), counting approved extensions
    next_due: dt.date | None = None  # when something is next owed
    days_overdue: int = 0
    closed_on: dt.date | None = None
    claimed_on: dt.date | None = None  # a unit reported 已完成 (a claim; only closure closes)
    misses: tuple[Miss, ...] = ()  # every closed period with nothing recorded
    current_misses: tuple[Miss, ...] = ()  # misses of the most recently closed period
    last_update: Update | None = None
    progress: tuple[int, int] | None = None  # (closed sub-tasks, sub-tasks)

    @property
    def closed(self) -> bool:
        return self.state in ("closed", "closed_late")

    @property
    def is_open(self) -> bool:
        return self.task.timing.mode == "限时" and not self.closed


def _effective_due(task: Task, as_of: dt.date) -> tuple[dt.date | None, list]:
    due = task.timing.due
    approved = [e for e in task.extensions if e.approved_by_day(as_of)]
    if approved:
        due = approved[-1].new_due
    return due, approved


def evidence_dates(ev: Evaluator, task: Task, unit: str) -> list[tuple[dt.date, dt.date]]:
    """(the date a period is credited to, the date it was recorded), sorted."""
    repo = ev.repo
    timing = task.timing
    if timing.evidence_kind:
        match = dict(timing.evidence_match)
        start_field = repo.registry.kinds[timing.evidence_kind].case.start
        pairs = [
            (day, day)
            for case in repo.cases_of(timing.evidence_kind, unit)
            if (day := case.date(start_field)) and all(case.data.get(k) == v for k, v in match.items())
        ]
    else:
        pairs = [(u.period or u.date, u.date) for u in repo.updates_of(task.id) if u.unit == unit]
    return sorted(pairs)


def _evidence(ev: Evaluator, task: Task, unit: str, period: Period, as_of: dt.date) -> bool:
    """Whether ``unit`` recorded something for ``period`` on or before ``as_of``."""
    pairs = ev.evidence_dates(task, unit)
    i = bisect.bisect_left(pairs, (period.start, dt.date.min))
    while i < len(pairs) and pairs[i][0] <= period.end:
        if pairs[i][1] <= as_of:
            return True
        i += 1
    return False


def task_state(ev: Evaluator, task: Task, as_of: dt.date) -> TaskState:
    repo, settings = ev.repo, ev.settings
    updates = [u for u in repo.updates_of(task.id) if u.date <= as_of]
    last = updates[-1] if updates else None
    claims = [u for u in updates if u.state == "已完成" and u.unit in task.lead_units]
    claimed_on = claims[-1].date if claims else None
    children = repo.children(task.id)
    progress = None
    if children:
        done = sum(1 for c in children if c.closure and c.closure.date <= as_of)
        progress = (done, len(children))
    common = dict(task=task, last_update=last, claimed_on=claimed_on, progress=progress)

    def make(state: str, reason: str, days_overdue: int = 0, **kw) -> TaskState:
        return TaskState(state=state, label=settings.label(state, task=True), level=settings.level(state, days_overdue),
                         reason=reason, days_overdue=days_overdue, **common, **kw)

    timing = task.timing
    if timing.mode == "限时":
        due, approved = _effective_due(task, as_of)
        ext = f"，已批准延期至 {due}" if approved else ""
        original = f"完成时限 {task.timing.due}{ext}"
        if task.closure and task.closure.date <= as_of:
            closed = task.closure.date
            if closed > due:
                late = (closed - due).days
                return make("closed_late", f"逾期 {late} 天销号：{original}，{closed} 销号", due=due, closed_on=closed)
            return make("closed", f"已于 {closed} 销号（{original}）", due=due, closed_on=closed)
        claim = f"；{repo.unit_names([claims[-1].unit])}已于 {claimed_on} 报告完成，待核实销号" if claims else ""
        if as_of > due:
            days = (as_of - due).days
            return make("overdue", f"逾期 {days} 天：{original}{claim}", days, due=due, next_due=due)
        left = (due - as_of).days
        if left <= settings.due_soon_days:
            when = "今天到期" if left == 0 else f"还有 {left} 天到期"
            return make("due_soon", f"{when}：{original}{claim}", due=due, next_due=due)
        return make("on_track", f"{original}，还有 {left} 天{claim}", due=due, next_due=due)

    # 周期 and 长期坚持: each lead unit owes a record in every period
    cadence = timing.cadence
    if timing.start and timing.start > as_of:
        return make("not_started", f"{timing.start} 开始，{cadence}一次")
    periods = owed_periods(cadence, timing.start, timing.end, as_of)
    closed_periods = [p for p in periods if p.end <= as_of]
    misses = tuple(
        Miss(unit, p) for p in closed_periods for unit in task.lead_units if not _evidence(ev, task, unit, p, as_of)
    )
    last_closed = closed_periods[-1] if closed_periods else None
    current = tuple(m for m in misses if m.period == last_closed)
    current_period = period_of(cadence, as_of + dt.timedelta(days=1))
    ended = timing.end is not None and timing.end <= as_of
    next_due = None if ended else (current_period.end if current_period.start > as_of else period_of(cadence, as_of).end)
    if timing.mode == "周期":
        what = f"{repo.registry.kinds[timing.evidence_kind].label}记录" if timing.evidence_kind else "记录"
        if current:
            days = (as_of - last_closed.end).days
            reason = f"缺报：{last_closed.label(cadence)}{repo.unit_names(m.unit for m in current)}没有{what}"
            if len(misses) > len(current):
                reason += f"；累计缺报 {len(misses)} 个周期"
            return make("missed", reason, days, misses=misses, current_misses=current, next_due=next_due)
        if ended:
            return make("ended", f"已于 {timing.end} 结束；累计缺报 {len(misses)} 个周期", misses=misses)
        reason = f"{cadence}一次，最近周期均已履行" if closed_periods else f"{cadence}一次，首个周期尚未结束"
        if misses:
            reason += f"；累计缺报 {len(misses)} 个周期"
        return make("on_track", reason, misses=misses, next_due=next_due)
    # 长期坚持
    if current:
        reason = f"滞报：{last_closed.label(cadence)}{repo.unit_names(m.unit for m in current)}未报送进展"
        return make("stale", reason, (as_of - last_closed.end).days, misses=misses, current_misses=current, next_due=next_due)
    if ended:
        return make("ended", f"已于 {timing.end} 结束", misses=misses)
    reason = f"长期坚持，{cadence}报送进展" + (f"；累计滞报 {len(misses)} 个周期" if misses else "，均按期报送")
    return make("on_track", reason, misses=misses, next_due=next_due)


# ---------------------------------------------------------------- case state


@dataclass(frozen=True)
class CaseState:
    case: Case
    state: str
    label: str
    level: str
    reason: str
    start: dt.date
    due: dt.date | None
    closed_on: dt.date | None
    days_overdue: int = 0
    estimated: bool = False

    @property
    def closed(self) -> bool:
        return self.state in ("closed", "closed_late")

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.start).days if self.closed_on else None


def case_state(ev: Evaluator, case: Case, as_of: dt.date) -> CaseState | None:
    """The case's state as of a date, or None when it was not yet received then."""
    repo, settings = ev.repo, ev.settings
    spec = repo.registry.kinds[case.kind].case
    start = case.date(spec.start)
    if start is None or start > as_of:
        return None

    def make(state, reason, due=None, closed_on=None, days=0, estimated=False):
        return CaseState(case, state, settings.label(state), settings.level(state, days), reason, start, due,
                         closed_on, days, estimated)

    due, estimated, limit_text = None, False, ""
    limit = spec.limit or {}
    if "field" in limit:
        due = case.date(limit["field"])
        if due:
            limit_text = f"期限 {due}"
    elif "time_limit" in limit or "days" in limit:
        tl = case.data.get(limit["time_limit"]) if "time_limit" in limit else limit
        if isinstance(tl, dict) and "days" in tl:
            due, estimated = add_days(start, int(tl["days"]), tl.get("unit", "日"))
            limit_text = f"{tl['days']}{tl.get('unit', '日')}内办结，期限 {due}" + ("（估算）" if estimated else "")
    closed_on = None
    closed = spec.closed or {}
    if "date" in closed:
        day = case.date(closed["date"])
        closed_on = day if day and day <= as_of else None
    elif "history" in closed:
        for entry in case.data.get(closed["history"], []):
            day = dt.date.fromisoformat(entry["date"])
            if day <= as_of and entry.get("status") in closed.get("states", ()):
                closed_on = day
                break
    if not spec.closed and not spec.limit:
        return make("recorded", f"{start} 记录")
    if closed_on:
        if due and closed_on > due:
            return make("closed_late", f"逾期 {(closed_on - due).days} 天办结：{limit_text}，{closed_on} 办结",
                        due, closed_on, estimated=estimated)
        return make("closed", f"{closed_on} 办结" + (f"（{limit_text}）" if limit_text else ""), due, closed_on,
                    estimated=estimated)
    if due is None:
        return make("open", f"{start} 起办理中")
    if as_of > due:
        days = (as_of - due).days
        return make("overdue", f"逾期 {days} 天：{limit_text}", due, None, days, estimated)
    left = (due - as_of).days
    if left <= settings.due_soon_days:
        return make("due_soon", f"还有 {left} 天到期：{limit_text}", due, estimated=estimated)
    return make("open", f"办理中：{limit_text}", due, estimated=estimated)
