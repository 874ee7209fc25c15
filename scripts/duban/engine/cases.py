"""Case states as of a date: a case kind's clock (declared in kinds.yaml) against its record.

A case is received on its start field's date; its limit is a date field or a time limit
counted in 日 or 工作日 (the calendar says which source each limit used). When the kind
declares what the unit's own part is (``done``, such as a hazard's rectification), a case
done but not yet closed (verified) waits for the office: it counts against that office,
with its own clock, and is late only by the days up to the unit's part.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from duban.engine.state import CLOSED, Verification
from duban.engine.workdays import Limit
from duban.records.model import Case

if TYPE_CHECKING:
    from duban.engine.snapshot import Evaluator



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
    done_on: dt.date | None = None  # the unit did its part (a hazard rectified); verification may follow
    late_days: int = 0  # done (or closed) after the limit by this many days
    verification: Verification | None = None
    limit_note: str = ""  # how the limit was counted: （估算）, declared holidays, or nothing (chinesecalendar)
    limit_source: str = ""  # the working-day data the limit was counted with (工作日/日 limits only)

    @property
    def closed(self) -> bool:
        return self.state in CLOSED

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_on - self.start).days if self.closed_on else None


def case_limit(ev: Evaluator, case: Case) -> tuple[dt.date | None, str, Limit | None]:
    """(due date, how the limit reads, the counted limit) — independent of the as-of date."""
    spec = ev.repo.registry.kinds[case.kind].case
    start = case.date(spec.start)
    limit = spec.limit or {}
    if "field" in limit:
        due = case.date(limit["field"])
        return due, (f"期限 {due}" if due else ""), None
    if "time_limit" in limit or "days" in limit:
        tl = case.data.get(limit["time_limit"]) if "time_limit" in limit else limit
        if isinstance(tl, dict) and "days" in tl and start:
            counted = ev.calendar.add_days(start, int(tl["days"]), tl.get("unit", "日"))
            return counted.due, f"{tl['days']}{tl.get('unit', '日')}内办结，期限 {counted.due}{counted.note()}", counted
    return None, "", None


def _closed_on(spec, case: Case, as_of: dt.date) -> dt.date | None:
    closed = spec.closed or {}
    if "date" in closed:
        day = case.date(closed["date"])
        return day if day and day <= as_of else None
    if "history" in closed:
        for entry in case.data.get(closed["history"], []):
            day = dt.date.fromisoformat(entry["date"])
            if day <= as_of and entry.get("status") in closed.get("states", ()):
                return day
    return None


def case_state(ev: Evaluator, case: Case, as_of: dt.date) -> CaseState | None:
    """The case's state as of a date, or None when it was not yet received then."""
    settings = ev.settings
    spec = ev.repo.registry.kinds[case.kind].case
    start = case.date(spec.start)
    if start is None or start > as_of:
        return None
    due, limit_text, counted = ev.case_limit(case)
    estimated = bool(counted and counted.estimated)
    note = counted.note() if counted else ""

    def make(state, reason, closed_on=None, days=0, **kw):
        return CaseState(case, state, settings.label(state), settings.level(state, days), reason, start, due,
                         closed_on, days, estimated, limit_note=note, limit_source=counted.source() if counted else "", **kw)

    if not spec.closed and not spec.limit:
        return make("recorded", f"{start} 记录")
    done = case.date(spec.done) if spec.done else None
    done = done if done and done <= as_of else None
    closed_on = _closed_on(spec, case, as_of)
    finished = min(done, closed_on) if done and closed_on else (done or closed_on)
    late = max(0, (finished - due).days) if finished and due else 0
    if closed_on:
        if late:
            return make("closed_late", f"逾期 {late} 天办结：{limit_text}，{finished} 办完，{closed_on} 办结", closed_on,
                        done_on=done, late_days=late)
        return make("closed", f"{closed_on} 办结" + (f"（{limit_text}）" if limit_text else ""), closed_on, done_on=done)
    if done:
        office = ev.office_for_kind(case.kind)
        verification = ev.verification(office, done, as_of)
        who = ev.repo.unit_name(office) if office else "督办单位"
        text = f"{done} 已办完" + (f"（逾期 {late} 天）" if late else "") + f"，待{who}验收"
        if verification.overdue:
            return make("verification_overdue", f"{text}：验收时限 {verification.due}，已超期 {verification.days_overdue} 天",
                        None, verification.days_overdue, done_on=done, late_days=late, verification=verification)
        return make("awaiting_verification", f"{text}（验收时限 {verification.due}）", done_on=done, late_days=late,
                    verification=verification)
    if due is None:
        return make("open", f"{start} 起办理中")
    if as_of > due:
        days = (as_of - due).days
        return make("overdue", f"逾期 {days} 天：{limit_text}", None, days)
    left = (due - as_of).days
    if left <= settings.due_soon_days:
        return make("due_soon", f"还有 {left} 天到期：{limit_text}")
    return make("open", f"办理中：{limit_text}")


