"""The demonstration set: updates and meetings for a plan's tasks, and the case registers."""

from __future__ import annotations

from datetime import date, timedelta

from duban.records.kinds import Registry

from duban_demo.common import Out, as_date, default_registry, rng_for, split_units
from duban_demo.meetings import add_meetings
from duban_demo.registers import demo_registers
from duban_demo.updates import add_deadline_updates, add_periodic_updates, work_key


def demo_records(
    units: list[dict],
    tasks: list[dict],
    *,
    start: date,
    end: date,
    seed: int = 2023,
    registry: Registry | None = None,
) -> dict[str, dict]:
    """The synthetic demonstration set, as {path under records/: record}.

    ``units`` and ``tasks`` are the plain dicts of records/units and
    records/tasks (dates as date objects or ISO strings).  Generated for
    ``start``..``end`` inclusive; nothing is dated after ``end``:

    * updates for 长期坚持 tasks (each lead unit, one per reporting period,
      ~8% of periods skipped, a few tasks silent for the last two months),
      for 限时 tasks (a few progress reports; a final 已完成 shortly before
      the closure date when the task is closed; 推进中/受阻 when past due), and
      for 周期 tasks without ``evidence`` (one per period, ~8% skipped);
    * coordination meetings for 周期 tasks whose evidence is ``kind: meeting``
      (one per period and convening unit, ~5% of periods missed);
    * disputes, hazards and risk assessments spread over the towns (kind
      乡镇) and, for hazards and assessments, a few departments.

    Folders and clock start fields are those of ``registry`` (schemas/kinds.yaml;
    by default the checkout's).
    """
    start, end = as_date(start), as_date(end)
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    towns, others = split_units(units)
    town_ids = {str(u["id"]) for u in towns}
    all_ids = sorted(str(u["id"]) for u in units if u.get("id"))
    dept_ids = [str(u["id"]) for u in others]
    registry = registry or default_registry()
    out = Out(registry)

    # --- tasks: updates and meetings
    tasks = sorted((t for t in tasks if t.get("id")), key=lambda t: str(t["id"]))
    long_term = [t for t in tasks if (t.get("timing") or {}).get("mode") == "长期坚持"]
    ranked = sorted(long_term, key=lambda t: rng_for(seed, "silent", t["id"]).random())
    silent = {t["id"] for t in ranked[: max(1, round(len(ranked) * 0.12))]} if len(ranked) >= 3 else set()
    stop_after = end - timedelta(days=61)
    # open 限时 tasks with no report at all (about one in ten)
    open_deadline = [
        t for t in tasks
        if (t.get("timing") or {}).get("mode") == "限时"
        and not ((as_date((t.get("closure") or {}).get("date")) or date.max) <= end)
    ]
    ranked = sorted(open_deadline, key=lambda t: rng_for(seed, "unreported", t["id"]).random())
    unreported = {t["id"] for t in ranked[: round(len(ranked) * 0.1)]}
    seen_meetings: set = set()
    for task in tasks:
        tid = str(task["id"])
        timing = task.get("timing") or {}
        mode = timing.get("mode")
        rng = rng_for(seed, "task", tid)
        tstart = max(start, as_date(timing.get("start")) or start)
        tend = min(end, as_date(timing.get("end")) or end)
        if tstart > tend:
            continue
        lead = list(task.get("lead_units") or [])
        if mode == "长期坚持":
            cadence = timing.get("report_cadence")
            if cadence and lead:
                add_periodic_updates(
                    out, rng, task, cadence, lead, tstart, tend, end,
                    stop_after if tid in silent else None, work_key(task),
                )
        elif mode == "周期":
            cadence = timing.get("cadence")
            evidence = timing.get("evidence")
            if not cadence:
                continue
            if evidence is None:
                if lead:
                    add_periodic_updates(out, rng, task, cadence, lead, tstart, tend, end, None, work_key(task))
            elif evidence.get("kind") == "meeting":
                add_meetings(out, seen_meetings, rng, task, cadence, tstart, tend, end, town_ids, dept_ids)
            # other evidence kinds: no generator, nothing is written
        elif mode == "限时":
            add_deadline_updates(out, rng, task, tstart, end, tid in unreported)

    records = out.records

    # --- cases
    case_units = towns or others
    if case_units:
        records.update(demo_registers(registry, seed, case_units, set(all_ids), start, end))
    return dict(sorted(records.items()))
