"""``duban status --format json``: the state as of a date, for other programs.

One JSON document: the as-of date; every task with its state and each lead unit's own
state, days overdue and missed periods; the work waiting for verification; every unit
with its rank, level, score and the parts of the score. Dates are ISO strings. The
layout is documented in the README; keys are English, labels Chinese.
"""

from __future__ import annotations

import json

from duban.engine.ranking import unit_figures
from duban.engine.snapshot import Snapshot
from duban.engine.state import Duty, TaskState


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _duty(d: Duty, cadence: str | None) -> dict:
    return {
        "unit": d.unit,
        "state": d.state,
        "label": d.label,
        "level": d.level,
        "reason": d.reason,
        "days_overdue": d.days_overdue,
        "reported_on": _day(d.reported_on),
        "late_days": d.late_days,
        "missed_periods": [{"start": _day(p.start), "end": _day(p.end), "label": p.label(cadence)} for p in d.misses]
        if cadence else [],
    }


def _task(s: TaskState) -> dict:
    t = s.task
    return {
        "id": t.id,
        "title": t.title,
        "plan": t.plan,
        "clause": t.clause,
        "parent": t.parent,
        "leaf": s.is_leaf,
        "mode": t.timing.mode,
        "state": s.state,
        "label": s.label,
        "level": s.level,
        "reason": s.reason,
        "due": _day(s.due),
        "next_due": _day(s.next_due),
        "days_overdue": s.days_overdue,
        "closed_on": _day(s.closed_on),
        "progress": list(s.progress) if s.progress else None,
        "lead_units": list(t.lead_units),
        "partner_units": list(t.partner_units),
        "units": [_duty(d, t.timing.cadence) for d in s.duties],
        "verification": None if s.verification is None else {
            "office": s.verification.office, "since": _day(s.verification.since), "due": _day(s.verification.due),
            "days_overdue": s.verification.days_overdue},
    }


def status_json(snapshot: Snapshot, unit: str | None = None) -> str:
    """The snapshot as a JSON document (only ``unit``'s tasks and figures when given)."""
    figures = unit_figures(snapshot)
    tasks = [s for s in snapshot.tasks.values()
             if unit is None or unit in s.task.lead_units or unit in s.task.partner_units
             or (s.verification and s.verification.office == unit)]
    units = []
    for uid, f in sorted(figures.items(), key=lambda x: (snapshot.repo.units[x[0]].order, x[0])):
        if unit is not None and uid != unit:
            continue
        units.append({
            "id": uid,
            "name": f.name,
            "kind": f.kind,
            "group": f.group,
            "rank": f.rank,
            "level": f.level if f.ranked else None,
            "score": f.score if f.ranked else None,
            "parts": [{"component": p.component, "label": p.label, "count": p.count, "of": p.of or None,
                       "points": p.points} for p in f.parts],
            "lead_tasks": f.tasks.total,
            "overdue_tasks": [s.task.id for s, _ in f.overdue],
            "lagging_tasks": [s.task.id for s, _ in f.lagging],
            "missed_periods_in_window": f.missed_periods,
            "stale_periods_in_window": f.stale_periods,
            "missed_periods_total": f.missed_total,
            "stale_periods_total": f.stale_total,
            "overdue_cases": [c.case.id for c in f.overdue_cases],
            "awaiting_its_verification": f.verifying,
            "verification_overdue": f.verification_overdue,
        })
    payload = {
        "as_of": snapshot.as_of.isoformat(),
        "area": snapshot.settings.area,
        "ranking_window_days": snapshot.settings.ranking.window_days,
        "tasks": [_task(s) for s in tasks],
        "awaiting_verification": {
            "tasks": [s.task.id for s in snapshot.awaiting_tasks(unit)],
            "cases": [c.case.id for c in snapshot.awaiting_cases(unit)],
        },
        "units": units,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
