"""Coordination meetings (排查调处协调会议) standing in for 周期 tasks; texts from phrases/meetings.yaml."""

from __future__ import annotations

from datetime import timedelta

from duban_demo.common import calendar_periods, phrases, workday_in, working_day

_MT = phrases("meetings")
# Categories as they are named in meeting summaries.
_MEETING_TOPICS = tuple(_MT["topics"])
# Units that attend a district coordination meeting, when they exist: regulars, and the
# departments each topic on the agenda brings in.
_MEETING_REGULARS = {level: tuple(units) for level, units in _MT["regulars"].items()}
_DISTRICT_BY_TOPIC = {topic: tuple(units) for topic, units in _MT["district_by_topic"].items()}
# A town's meeting: its own bodies and villages, named in the summary.
_TOWN = _MT["town_attendees"]
_SUMMARY = _MT["summary"]


def _town_attendees(rng, topics) -> str:
    """Who attended a town's meeting: its own bodies (综治中心, 派出所, 司法所, ...), the body a
    topic brings in, and a few villages and communities."""
    bodies = list(_TOWN["always"]) + [b for b in _TOWN["usual"] if rng.random() < 0.7]
    bodies += [b for b in dict.fromkeys(_TOWN["by_topic"].get(t) for t in topics) if b and b not in bodies]
    return _TOWN["separator"].join(bodies) + _TOWN["last"] + _TOWN["villages"].format(n=rng.randint(1, 4))


def _meeting(rng, unit, day, level, attendees_pool) -> dict:
    discussed = rng.randint(5, 15) if level == "区级" else rng.randint(2, 10)
    assigned = rng.randint(0 if discussed < 4 else 1, discussed)
    topics = rng.sample(_MEETING_TOPICS, k=min(rng.randint(1, 3), discussed))
    counts = [1] * len(topics)
    for _ in range(discussed - len(topics)):
        counts[rng.randrange(len(topics))] += 1
    items = _SUMMARY["separator"].join(_SUMMARY["item"].format(topic=t, count=c) for t, c in zip(topics, counts))
    lead_in = _SUMMARY["lead_in"].get(level, "")
    if "{attendees}" in lead_in:
        lead_in = lead_in.format(attendees=_town_attendees(rng, topics))
    summary = _SUMMARY["text"].format(lead_in=lead_in, items=items, assigned=assigned)
    summary += _SUMMARY["pending"] if assigned < discussed else _SUMMARY["all_assigned"]
    chosen = set()
    if level == "区级":  # a town's meeting is attended by its own bodies, not the register's units
        wanted = [*_MEETING_REGULARS.get(level, ()), *(u for t in topics for u in _DISTRICT_BY_TOPIC.get(t, ()))]
        chosen = {u for u in wanted if u in attendees_pool and u != unit}
    record = {
        "id": f"{_MT['id_prefix']}-{unit}-{day.isoformat()}",
        "level": level,
        "unit": unit,
        "date": day,
        "issues_discussed": discussed,
        "issues_assigned": assigned,
    }
    if chosen:
        record["attending_units"] = sorted(chosen)
    record["summary"] = summary
    record["synthetic"] = True
    return record


def add_meetings(out, seen, rng, task, cadence, first, last, end, town_ids, attendees_pool):
    """Coordination meetings standing in for a 周期 task's periods; ~5% of periods missed."""
    timing = task.get("timing") or {}
    match = (timing.get("evidence") or {}).get("match") or {}
    periods = calendar_periods(cadence, first, last)
    for unit in task.get("lead_units") or []:  # every lead unit owes a meeting in every period
        level = match.get("level") or ("乡镇" if unit in town_ids else "区级")
        # at least one missed period (a full, closed one) whenever there are enough periods
        forced = rng.randrange(1, len(periods) - 1) if len(periods) >= 10 else -1
        usual = rng.randrange(5)  # weekly meetings: usually on the same weekday
        for i, (ps, pe) in enumerate(periods):
            if i == forced or rng.random() < 0.05:
                continue
            lo, hi = max(ps, first), min(pe, last)
            if pe > end and rng.random() < 0.4:
                continue  # the current period's meeting is not held yet
            if (unit, level, ps) in seen:
                continue
            seen.add((unit, level, ps))
            day = ps + timedelta(days=usual)
            if cadence != "每周" or not (lo <= day <= hi and working_day(day)) or rng.random() < 0.2:
                day = workday_in(rng, lo, hi)
            rec = _meeting(rng, unit, day, level, attendees_pool)
            out.add("meeting", rec["id"], rec, id_field="id")
