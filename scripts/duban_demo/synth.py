"""Synthetic demonstration records (演示数据) for duban.

Everything produced here is invented: every record carries ``synthetic: true``
(kinds whose schema has no such field, i.e. units, are only written by the
benchmark command) and every file starts with the comment line
``# 演示数据（虚构），不对应真实事项``.  No record holds a person's name, an
identity or phone number, or an address: places are generic ("洛阳镇某村").

Public API
----------
``demo_records(units, tasks, *, start, end, seed=2023)``
    The demonstration set for a plan's tasks: progress updates, coordination
    meetings and case registers (disputes, hazards, risk assessments).
``case_records(units, *, n, start, end, seed, kinds=...)``
    ``n`` case records for benchmarks (fast: plain dicts, no I/O).
``write_records(root, records)``
    Write records under ``root/records`` atomically, never overwriting a file
    that is not itself synthetic (raises :class:`NotSyntheticError`).
``main(argv=None)``
    ``python -m duban_demo demo --root . --end 2026-11-20`` and
    ``python -m duban_demo cases --root DIR -n 100000``.

Both generators are deterministic: the same inputs and seed give the same
output, independent of the order of ``units`` and ``tasks``.  Each task and
each register draws from its own random stream, so adding a task leaves the
other tasks' records almost unchanged (only the choice of the few tasks that
go silent or unreported is made across tasks).

Case ids carry a 4-digit sequence per unit and year (``MD-luoyang-2023-0001``),
numbered in date order.  If a unit would need more than 9999 ids of one kind
in one year, :func:`case_records` raises :class:`ValueError` naming the
bucket; give it more units or a longer period.

Dates are returned as :class:`datetime.date` objects so that they are dumped
as unquoted YAML dates.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from functools import cache, partial
from importlib.resources import files
from pathlib import Path, PurePosixPath

import yaml

from duban.records.kinds import KindsError, Registry, load_registry
from duban.records.load import load_file
from duban.engine.periods import period_of
from duban.engine.workdays import is_workday

__all__ = [
    "HEADER",
    "NotSyntheticError",
    "case_records",
    "demo_records",
    "main",
    "write_records",
]

#: First line of every file written by :func:`write_records`.
HEADER = "# 演示数据（虚构），不对应真实事项\n"

#: Issue date of 泉台委办〔2023〕46号, the default start of the demo period.
PLAN_START = date(2023, 6, 7)

#: Default end of the benchmark period (about three and a half years).
BENCH_END = date(2026, 11, 20)

# Sizes of the demonstration case registers (independent of the period).
DEMO_DISPUTES = 232
DEMO_HAZARDS = 112
DEMO_RISK_ASSESSMENTS = 40

MAX_SEQUENCE = 9999

CASE_KINDS = ("dispute", "hazard", "risk_assessment")

_ONE = timedelta(days=1)


@cache
def _phrases(name: str) -> dict:
    """The phrase table ``duban_demo/phrases/<name>.yaml``, read once."""
    text = files("duban_demo").joinpath("phrases", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


#: The schemas of the checkout this package lives in: the default kinds.yaml.
SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@cache
def _default_registry() -> Registry:
    return load_registry(SCHEMAS)


def _registry_for(root: Path) -> Registry:
    """The registry of the repository at ``root``, or the checkout's when it has no schemas/kinds.yaml."""
    schemas = Path(root) / "schemas"
    return load_registry(schemas) if (schemas / "kinds.yaml").is_file() else _default_registry()


def _kind(registry: Registry, name: str):
    """The kind ``name`` of the registry (kinds.yaml); ValueError when it is not there."""
    try:
        return registry.kinds[name]
    except KeyError:
        raise ValueError(f"{registry.root / 'kinds.yaml'} 中没有类别 {name}，无法生成演示数据") from None


def _case_spec(registry: Registry, name: str) -> tuple[str, str, str]:
    """(id prefix, folder, clock start field) of a case kind."""
    kind = _kind(registry, name)
    if kind.case is None:
        raise ValueError(f"{registry.root / 'kinds.yaml'} 中的类别 {name} 不是案件类别（没有 case）")
    return _phrases(_PHRASE_FILES[name])["id_prefix"], kind.folder, kind.case.start


# The phrase file of each kind the generator writes.
_PHRASE_FILES = {
    "update": "updates",
    "meeting": "meetings",
    "dispute": "disputes",
    "hazard": "hazards",
    "risk_assessment": "risk_assessments",
}


class NotSyntheticError(FileExistsError):
    """Raised by :func:`write_records` instead of overwriting a file a person wrote."""

    def __init__(self, path: Path):
        self.path = Path(path)
        super().__init__(f"拒绝覆盖非演示数据文件：{self.path}（该文件没有 synthetic: true）")


# --------------------------------------------------------------------------
# small helpers


def _as_date(value) -> date | None:
    """A date from a date, datetime or ISO string; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _rng(seed: int, *parts) -> random.Random:
    """An independent, reproducible random stream for one named part of the output."""
    return random.Random(":".join([str(seed), *map(str, parts)]))


def _days(a: date, b: date) -> int:
    return (b - a).days


def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A uniformly chosen date in [lo, hi] (lo if the range is empty)."""
    if hi <= lo:
        return lo
    return lo + timedelta(days=int(rng.random() * ((hi - lo).days + 1)))


def _pick(rng: random.Random, seq):
    """rng.choice, faster (one C call): the case builders run 100,000 times."""
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, a: int, b: int) -> int:
    """rng.randint, faster (one C call)."""
    return a + int(rng.random() * (b - a + 1))


def _pick_weighted(rng: random.Random, values, cum):
    """A value drawn with cumulative weights ``cum``."""
    return values[bisect_right(cum, rng.random() * cum[-1])]


def _is_workday(d: date) -> bool:
    return is_workday(d)[0]


def _workday_in(rng: random.Random, lo: date, hi: date) -> date:
    """A working day (Monday to Friday, fixed holidays excluded) in [lo, hi], or any day."""
    if hi < lo:
        return lo
    days = [lo + timedelta(days=i) for i in range(_days(lo, hi) + 1)]
    work = [d for d in days if _is_workday(d)]
    return rng.choice(work or days)


def _periods(cadence: str, first: date, last: date) -> list[tuple[date, date]]:
    """Calendar periods of ``cadence`` overlapping [first, last], unclipped."""
    out = []
    d = first
    while d <= last:
        period = period_of(cadence, d)
        out.append((period.start, period.end))
        d = period.end + _ONE
    return out


# How long before a period's end reports are usually filed.
_REPORT_WINDOW = _phrases("updates")["report_window_days"]


def _place_name(unit: dict) -> str:
    """Short display name of a town ("洛阳镇"), used as a prefix of generic places."""
    name = str(unit.get("short_name") or unit.get("name") or unit.get("id"))
    for suffix in _phrases("units")["name_suffixes"]:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def _split_units(units: list[dict]) -> tuple[list[dict], list[dict]]:
    """Towns (kind 乡镇) and the other units, each sorted by id."""
    units = sorted((u for u in units if u.get("id")), key=lambda u: str(u["id"]))
    towns = [u for u in units if u.get("kind") == "乡镇"]
    others = [u for u in units if u.get("kind") != "乡镇"]
    return towns, others


def _first_available(preferred, available: set[str]) -> str | None:
    for uid in preferred:
        if uid in available:
            return uid
    return None


# --------------------------------------------------------------------------
# progress update texts (user-visible, Chinese)

_UP = _phrases("updates")
# Work done, by clause of the plan (or by a keyword of the task title).
# {a} >= {b} >= 1 and {c} is small.
_WORK = {key: tuple(texts) for key, texts in _UP["work"].items()}
# Title keywords that pick a work list before the clause does (checked in order).
_TITLE_KEYS = tuple(_UP["title_keys"].items())
_PERIOD = _UP["period"]
_TEXT = _UP["text"]
_ENDINGS = {state: tuple(texts) for state, texts in _UP["endings"].items()}


def _work_key(task: dict) -> str:
    title = str(task.get("title") or "")
    for word, key in _TITLE_KEYS:
        if word in title:
            return key
    clause = str(task.get("clause") or "")
    while clause:
        if clause in _WORK:
            return clause
        clause = clause.rpartition(".")[0]
    return "default"


def _work_sentence(rng: random.Random, key: str) -> str:
    a = rng.randint(3, 30)
    b = a - rng.randint(0, a // 3)  # most of them
    return rng.choice(_WORK[key]).format(a=a, b=b, c=rng.randint(1, 4))


def _period_phrase(cadence: str | None, ps: date | None) -> str:
    if cadence is None or ps is None:
        return _PERIOD["none"]
    return _PERIOD["cadence"].get(cadence, _PERIOD["other"]).format(
        year=ps.year,
        month=ps.month,
        half=_PERIOD["halves"][0 if ps.day <= 15 else 1],
        quarter=_PERIOD["quarters"][(ps.month - 1) // 3],
    )


def _update_text(rng, key, state, cadence=None, ps=None) -> str:
    work = _work_sentence(rng, key)
    if state not in ("已完成", "受阻"):
        state = "推进中"
    ending = rng.choice(_ENDINGS[state])
    return _TEXT[state].format(period=_period_phrase(cadence, ps), work=work, ending=ending)


# --------------------------------------------------------------------------
# updates and meetings


class _Out:
    """Collects records by path (the kind's folder from the registry, then ``stem``),
    adding the "-N" counter on collisions."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.records: dict[str, dict] = {}

    def add(self, kind: str, stem: str, record: dict, id_field: str | None = None) -> None:
        stem = f"{_kind(self.registry, kind).folder}/{stem}"
        path = f"{stem}.yaml"
        n = 1
        while path in self.records:
            n += 1
            path = f"{stem}-{n}.yaml"
        if id_field and n > 1:
            record[id_field] = f"{record[id_field]}-{n}"
        self.records[path] = record


def _update(task_id, unit, day, state, text) -> dict:
    return {
        "task": task_id,
        "unit": unit,
        "date": day,
        "state": state,
        "text": text,
        "synthetic": True,
    }


def _periodic_updates(out, rng, task, cadence, units, first, last, end, stop_after, key):
    """One update per period and unit, dated in the period's last days; ~8% skipped."""
    tid = task["id"]
    for ps, pe in _periods(cadence, first, last):
        lo = max(ps, first)
        hi = min(pe, last)
        win_lo = max(lo, pe - timedelta(days=_REPORT_WINDOW[cadence]))
        for unit in units:
            if rng.random() < 0.08:
                continue  # missed period (滞报)
            if pe > end:  # current period: may not have reported yet
                if win_lo > end or rng.random() < 0.5:
                    continue
            day = _workday_in(rng, win_lo, hi) if win_lo <= hi else _workday_in(rng, lo, hi)
            if stop_after and day > stop_after:
                continue
            state = "受阻" if rng.random() < 0.04 else "推进中"
            text = _update_text(rng, key, state, cadence, ps)
            out.add("update", f"{tid}/{day.isoformat()}-{unit}", _update(tid, unit, day, state, text))


def _deadline_updates(out, rng, task, tstart, end, unreported=False):
    """Updates of a 限时 task.

    Closed (closure dated by ``end``): a few progress reports, then a final
    已完成 from the first lead unit within ten days before the closure date.
    Open and not yet due: a report every two months or so.  Open and past due
    (these show as overdue): a few reports before the due date and one to
    three after it, the last often 受阻 and sometimes 已完成 (declared done,
    awaiting verification).  ``unreported``: an open task nobody has reported on.
    """
    tid = task["id"]
    timing = task.get("timing") or {}
    lead = list(task.get("lead_units") or [])
    partners = list(task.get("partner_units") or [])
    if not lead:
        return
    key = _work_key(task)
    due = _as_date(timing.get("due"))
    for ext in task.get("extensions") or []:
        due = _as_date(ext.get("new_due")) or due
    closure = task.get("closure") or {}
    closed = _as_date(closure.get("date"))
    if closed is not None and closed > end:
        closed = None
    past_due = closed is None and due is not None and due < end

    final = None
    if closed is not None:
        final = _workday_in(rng, max(tstart, closed - timedelta(days=10)), max(tstart, closed - _ONE))
        final = min(final, closed, end)
        windows = [(tstart, final - _ONE, max(1, min(5, _days(tstart, final) // 45)))]
    elif unreported:
        return
    elif past_due:
        windows = [
            (tstart, due, max(1, min(5, _days(tstart, due) // 45))),
            (due + _ONE, min(end, due + timedelta(days=120)), rng.randint(1, 3)),
        ]
        if _days(due, end) > 150 and rng.random() < 0.5:
            windows.append((end - timedelta(days=90), end, 1))  # still being worked on
    else:
        windows = [(tstart, end, max(1, min(6, _days(tstart, end) // 60)))]

    days = []
    for lo, hi, k in windows:
        if hi < lo:
            continue
        for _ in range(k):
            d = _rand_date(rng, lo, hi)
            days.append(_workday_in(rng, d, min(hi, d + timedelta(days=3))))
    days.sort()
    for i, day in enumerate(days):
        unit = rng.choice(partners) if partners and rng.random() < 0.15 else rng.choice(lead)
        state = "推进中"
        if closed is None and i == len(days) - 1:
            r = rng.random()
            if past_due and r < 0.4:
                state = "受阻"
            elif r < (0.55 if past_due else 0.1) and unit in lead:
                state = "已完成"  # declared done, awaiting verification (待销号)
        elif rng.random() < 0.05:
            state = "受阻"
        out.add(
            "update",
            f"{tid}/{day.isoformat()}-{unit}",
            _update(tid, unit, day, state, _update_text(rng, key, state)),
        )
    if final is not None:
        out.add(
            "update",
            f"{tid}/{final.isoformat()}-{lead[0]}",
            _update(tid, lead[0], final, "已完成", _update_text(rng, key, "已完成")),
        )


_MT = _phrases("meetings")
# Categories as they are named in meeting summaries.
_MEETING_TOPICS = tuple(_MT["topics"])
# Units that usually attend a coordination meeting (by level), when they exist.
_MEETING_REGULARS = {level: tuple(units) for level, units in _MT["regulars"].items()}
_SUMMARY = _MT["summary"]


def _meeting(rng, unit, day, level, attendees_pool) -> dict:
    if level == "区级":
        discussed = rng.randint(5, 15)
        n_att = rng.randint(4, 7)
    else:
        discussed = rng.randint(2, 10)
        n_att = rng.randint(2, 4)
    assigned = rng.randint(0 if discussed < 4 else 1, discussed)
    topics = rng.sample(_MEETING_TOPICS, k=min(rng.randint(1, 3), discussed))
    counts = [1] * len(topics)
    for _ in range(discussed - len(topics)):
        counts[rng.randrange(len(topics))] += 1
    items = _SUMMARY["separator"].join(_SUMMARY["item"].format(topic=t, count=c) for t, c in zip(topics, counts))
    lead_in = _SUMMARY["lead_in"].get(level, "")
    summary = _SUMMARY["text"].format(lead_in=lead_in, items=items, assigned=assigned)
    summary += _SUMMARY["pending"] if assigned < discussed else _SUMMARY["all_assigned"]
    pool = [u for u in attendees_pool if u != unit]
    regular = [u for u in _MEETING_REGULARS.get(level, ()) if u in pool]
    others = [u for u in pool if u not in regular]
    chosen = regular[: max(1, n_att - 1)]
    chosen += rng.sample(others, k=min(len(others), max(0, n_att - len(chosen))))
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


def _meetings(out, seen, rng, task, cadence, first, last, end, town_ids, attendees_pool):
    """Coordination meetings standing in for a 周期 task's periods; ~5% of periods missed."""
    timing = task.get("timing") or {}
    match = (timing.get("evidence") or {}).get("match") or {}
    periods = _periods(cadence, first, last)
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
            if cadence != "每周" or not (lo <= day <= hi and _is_workday(day)) or rng.random() < 0.2:
                day = _workday_in(rng, lo, hi)
            rec = _meeting(rng, unit, day, level, attendees_pool)
            out.add("meeting", rec["id"], rec, id_field="id")


# --------------------------------------------------------------------------
# case records: disputes

_DS = _phrases("disputes")
_DISPUTE_CATEGORIES = tuple((c, v["weight"]) for c, v in _DS["categories"].items())
_DISPUTE_SOURCES = tuple(_DS["sources"].items())
_DISPUTE_SUMMARIES = {c: tuple(v["summaries"]) for c, v in _DS["categories"].items()}
_DISPUTE_PLACES = tuple(_DS["places"])
_GROUP_CATEGORIES = frozenset(c for c, v in _DS["categories"].items() if v.get("group"))
_RESOLVED = tuple(_DS["outcomes"]["化解"])
_UNRESOLVED = tuple(_DS["outcomes"]["未化解"])
_TIME_LIMITS = tuple((t["days"], t["unit"]) for t in _DS["time_limits"])


def _weighted(items):
    values = [v for v, _ in items]
    weights = [w for _, w in items]
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    return values, cum


_DC_VALUES, _DC_CUM = _weighted(_DISPUTE_CATEGORIES)
_DS_VALUES, _DS_CUM = _weighted(_DISPUTE_SOURCES)


def _dispute_bounds(received: date, days: int, unit: str) -> tuple[date, date]:
    """(last date surely within the limit, first date surely past it).

    A limit in 日 ends ``days`` days after receipt, moved to the next working
    day when that is a holiday (ten days covers the longest); working days are
    never more than natural days, and N working days never take more than
    N*7/5 + 12 natural days, holidays included.
    """
    if unit == "日":
        return received + timedelta(days=days - 2), received + timedelta(days=days + 10)
    return received + timedelta(days=days - 1), received + timedelta(days=-(-days * 7 // 5) + 12)


def _dispute_fate(rng, received, days, unit, end) -> str:
    within, over = _dispute_bounds(received, days, unit)
    if end <= within:
        return "open" if rng.random() < 0.7 else "ontime"
    if end <= over:  # near the limit: no sure lateness yet
        return "open" if rng.random() < 0.3 else "ontime"
    r = rng.random()
    recent = _days(received, end) < 180
    if r < (0.10 if recent else 0.01):
        return "open_overdue"
    if r < (0.18 if recent else 0.07):
        return "late"
    return "ontime"


def _dispute(rng, unit, town_name, received, tl, end, fate=None) -> dict:
    """One dispute record (without its sequence number) with the given fate.

    fate: ontime | late | open | open_overdue (chosen at random when None).
    """
    days, tl_unit = tl
    if fate is None:
        fate = _dispute_fate(rng, received, days, tl_unit, end)
    category = _pick_weighted(rng, _DC_VALUES, _DC_CUM)
    source = _pick_weighted(rng, _DS_VALUES, _DS_CUM)
    if category in _GROUP_CATEGORIES and rng.random() < 0.4:
        parties = _randint(rng, 3, 30)
    else:
        parties = 2 if rng.random() < 0.7 else _randint(rng, 3, 6)
    within, over = _dispute_bounds(received, days, tl_unit)
    history = [{"date": received, "status": "受理"}]
    rec = {
        "id": None,
        "unit": unit,
        "category": category,
        "source": source,
        "summary": _pick(rng, _DISPUTE_SUMMARIES[category]),
        "place": town_name + _pick(rng, _DISPUTE_PLACES),
        "received": received,
        "time_limit": {"days": days, "unit": tl_unit},
        "parties": parties,
        "status_history": history,
    }
    if fate in ("ontime", "late"):
        if fate == "late":
            closed = _rand_date(rng, over + _ONE, min(end, over + timedelta(days=40)))
        else:
            closed = _rand_date(rng, received, min(end, within))
        if closed > received:
            history.append(
                {"date": _rand_date(rng, received, min(closed, received + timedelta(days=5))), "status": "调解中"}
            )
        unresolved = rng.random() < (0.25 if fate == "late" else 0.08)
        history.append(
            {"date": closed, "status": "未化解" if unresolved else "化解"}
        )
        rec["outcome"] = _pick(rng, _UNRESOLVED if unresolved else _RESOLVED)
        rec["feedback_date"] = min(end, closed + timedelta(days=_randint(rng, 0, 3)))
    elif end > received and rng.random() < 0.7:
        history.append(
            {"date": _rand_date(rng, received, min(end, received + timedelta(days=7))), "status": "调解中"}
        )
    rec["synthetic"] = True
    return rec


# --------------------------------------------------------------------------
# case records: hazards

_HZ = _phrases("hazards")
_HAZARD_CATEGORIES = tuple((c, v["weight"]) for c, v in _HZ["categories"].items())
_HC_VALUES, _HC_CUM = _weighted(_HAZARD_CATEGORIES)

# category -> (sites, [(description, measures), ...])
_HAZARD_TEXT = {
    c: (tuple(v["sites"]), tuple((p["description"], p["measures"]) for p in v["problems"]))
    for c, v in _HZ["categories"].items()
}

# category -> departments that may own such a hazard, when they exist
_HAZARD_DEPTS = {c: tuple(v["departments"]) for c, v in _HZ["categories"].items()}
_HAZARD_DAYS = tuple(_HZ["deadline_days"])


def _hazard_fate(rng, found, deadline, end) -> str:
    if deadline >= end:
        return "open" if rng.random() < 0.6 else "ontime"
    recent = _days(found, end) < 180
    r = rng.random()
    if r < (0.15 if recent else 0.02):
        return "open_overdue"
    if r < (0.21 if recent else 0.08):
        return "late_verify"
    if r < (0.25 if recent else 0.12):
        return "late"
    return "ontime"


def _hazard(rng, unit, category, town_name, found, deadline, end, fate=None) -> dict:
    """One hazard record (without its sequence number).

    fate: ontime | late_verify (rectified in time, verified late) | late |
    open | open_overdue (chosen at random when None).
    """
    if fate is None:
        fate = _hazard_fate(rng, found, deadline, end)
    sites, texts = _HAZARD_TEXT[category]
    description, measures = _pick(rng, texts)
    rec = {
        "id": None,
        "unit": unit,
        "category": category,
        "level": "重大" if _days(found, deadline) >= 30 and rng.random() < 0.2 else "一般",
        "site": town_name + _pick(rng, sites),
        "description": description,
        "found": found,
        "deadline": deadline,
    }
    rectified = verified = None
    if fate == "ontime":
        hi = min(deadline, end)
        rectified = _rand_date(rng, found + _ONE if hi > found else found, hi)
        verified = _rand_date(rng, rectified, min(hi, rectified + timedelta(days=7)))
    elif fate == "late_verify":
        rectified = _rand_date(rng, max(found, deadline - timedelta(days=5)), deadline)
        verified = _rand_date(rng, deadline + _ONE, min(end, deadline + timedelta(days=20)))
    elif fate == "late":
        rectified = _rand_date(rng, deadline + _ONE, min(end, deadline + timedelta(days=30)))
        verified = _rand_date(rng, rectified, min(end, rectified + timedelta(days=7)))
    elif fate == "open_overdue":
        if rng.random() < 0.4:
            rectified = _rand_date(rng, found, end)  # rectified, awaiting verification
    elif rng.random() < 0.3 and end > found:
        rectified = _rand_date(rng, found + _ONE, end)
    if rectified is not None:
        rec["measures"] = measures
        rec["rectified"] = rectified
    if verified is not None:
        rec["verified"] = verified
    rec["synthetic"] = True
    return rec


# --------------------------------------------------------------------------
# case records: social stability risk assessments

_RA = _phrases("risk_assessments")
# (project type, project, subject units preferred ("town" = the project's town), approving units)
_PROJECTS = tuple((p["type"], p["name"], tuple(p["subjects"]), tuple(p["approvers"])) for p in _RA["projects"])
_APPROVERS = tuple(_RA["approvers"])
_ASSESSORS = tuple(_RA["assessors"])
_RISK_MEASURES = {level: tuple(texts) for level, texts in _RA["measures"].items()}
_HIGH_RISK_DECISIONS = tuple(_RA["decisions_high"])


def _risk_fate(rng, registered, planned, end) -> str:
    if planned >= end:
        return "assessed" if rng.random() < 0.4 and end > registered else "pending"
    r = rng.random()
    if r < 0.05:
        return "unassessed_overdue"
    if r < 0.09:
        return "assessed_late"
    return "assessed"


def _risk(rng, project, unit, town, approving, registered, planned, end, fate=None) -> dict:
    """One risk-assessment record (without its sequence number).

    fate: assessed | assessed_late | pending | unassessed_overdue (random when None).
    """
    if fate is None:
        fate = _risk_fate(rng, registered, planned, end)
    ptype, pname, town_name = project
    rec = {
        "id": None,
        "unit": unit,
        "project": town_name + pname,
        "project_type": ptype,
        "town": town,
        "approving_unit": approving,
        "registered": registered,
        "planned_approval": planned,
    }
    assessed = None
    if fate == "assessed":
        hi = min(end, planned - timedelta(days=3))
        lo = min(hi, registered + timedelta(days=10))
        assessed = _rand_date(rng, max(registered, lo), max(registered, hi))
    elif fate == "assessed_late":
        assessed = _rand_date(rng, planned + _ONE, min(end, planned + timedelta(days=30)))
    if assessed is not None:
        r = rng.random()
        level = "低" if r < 0.6 else ("中" if r < 0.9 else "高")
        if level == "低":
            decision = "准予实施"
        elif level == "中":
            decision = "有条件实施" if rng.random() < 0.7 else "准予实施"
        else:
            decision = _pick(rng, _HIGH_RISK_DECISIONS)
        rec["assessor"] = _pick(rng, _ASSESSORS)
        rec["assessment_date"] = assessed
        rec["risk_level"] = level
        rec["decision"] = decision
        if decision in ("准予实施", "有条件实施") and rng.random() < 0.7:
            approval = assessed + timedelta(days=_randint(rng, 3, 40))
            if approval <= end:
                rec["approval_date"] = approval
        rec["measures"] = _pick(rng, _RISK_MEASURES[level])
    rec["synthetic"] = True
    return rec


# --------------------------------------------------------------------------
# numbering


def _number(spec: tuple[str, str, str], records: list[dict], out: dict[str, dict]) -> None:
    """Give records their ids (sequence per unit and year, in date order) and add them to out.

    ``spec`` is the kind's (id prefix, folder, clock start field), see :func:`_case_spec`."""
    prefix, folder, field = spec
    buckets: dict[tuple[str, int], list[tuple[date, int, dict]]] = defaultdict(list)
    for i, rec in enumerate(records):
        d = rec[field]
        buckets[(rec["unit"], d.year)].append((d, i, rec))
    for (unit, year), items in sorted(buckets.items()):
        if len(items) > MAX_SEQUENCE:
            raise ValueError(
                f"{prefix}-{unit}-{year} 需要 {len(items)} 个序号，超过 {MAX_SEQUENCE}："
                "请减少记录数、增加单位或延长时间范围"
            )
        items.sort(key=lambda t: (t[0], t[1]))
        for seq, (_, _, rec) in enumerate(items, 1):
            rec["id"] = rid = f"{prefix}-{unit}-{year}-{seq:04d}"
            out[f"{folder}/{rid}.yaml"] = rec


# --------------------------------------------------------------------------
# public API


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
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    towns, others = _split_units(units)
    town_ids = {str(u["id"]) for u in towns}
    all_ids = sorted(str(u["id"]) for u in units if u.get("id"))
    dept_ids = [str(u["id"]) for u in others]
    registry = registry or _default_registry()
    out = _Out(registry)

    # --- tasks: updates and meetings
    tasks = sorted((t for t in tasks if t.get("id")), key=lambda t: str(t["id"]))
    long_term = [t for t in tasks if (t.get("timing") or {}).get("mode") == "长期坚持"]
    ranked = sorted(long_term, key=lambda t: _rng(seed, "silent", t["id"]).random())
    silent = {t["id"] for t in ranked[: max(1, round(len(ranked) * 0.12))]} if len(ranked) >= 3 else set()
    stop_after = end - timedelta(days=61)
    # open 限时 tasks with no report at all (about one in ten)
    open_deadline = [
        t for t in tasks
        if (t.get("timing") or {}).get("mode") == "限时"
        and not ((_as_date((t.get("closure") or {}).get("date")) or date.max) <= end)
    ]
    ranked = sorted(open_deadline, key=lambda t: _rng(seed, "unreported", t["id"]).random())
    unreported = {t["id"] for t in ranked[: round(len(ranked) * 0.1)]}
    seen_meetings: set = set()
    for task in tasks:
        tid = str(task["id"])
        timing = task.get("timing") or {}
        mode = timing.get("mode")
        rng = _rng(seed, "task", tid)
        tstart = max(start, _as_date(timing.get("start")) or start)
        tend = min(end, _as_date(timing.get("end")) or end)
        if tstart > tend:
            continue
        lead = list(task.get("lead_units") or [])
        if mode == "长期坚持":
            cadence = timing.get("report_cadence")
            if cadence and lead:
                _periodic_updates(
                    out, rng, task, cadence, lead, tstart, tend, end,
                    stop_after if tid in silent else None, _work_key(task),
                )
        elif mode == "周期":
            cadence = timing.get("cadence")
            evidence = timing.get("evidence")
            if not cadence:
                continue
            if evidence is None:
                if lead:
                    _periodic_updates(out, rng, task, cadence, lead, tstart, tend, end, None, _work_key(task))
            elif evidence.get("kind") == "meeting":
                _meetings(out, seen_meetings, rng, task, cadence, tstart, tend, end, town_ids, dept_ids)
            # other evidence kinds: no generator, nothing is written
        elif mode == "限时":
            _deadline_updates(out, rng, task, tstart, end, tid in unreported)

    records = out.records

    # --- cases
    case_units = towns or others
    if case_units:
        available = set(all_ids)
        cases: dict[str, dict] = {}
        spec = partial(_case_spec, registry)
        _number(spec("dispute"), _demo_disputes(_rng(seed, "disputes"), case_units, start, end), cases)
        _number(spec("hazard"), _demo_hazards(_rng(seed, "hazards"), case_units, available, start, end), cases)
        _number(spec("risk_assessment"), _demo_risks(_rng(seed, "risks"), case_units, available, start, end), cases)
        records.update(cases)
    return dict(sorted(records.items()))


def _force(rng, plans: list[list], fate_index: int, wanted: dict[str, tuple[int, callable]]) -> None:
    """Give a few records a required fate: plans are mutable lists whose item
    fate_index is the fate (None = random); wanted maps fate -> (count, feasible)."""
    order = list(range(len(plans)))
    rng.shuffle(order)
    for fate, (count, feasible) in wanted.items():
        for i in order:
            if count <= 0:
                break
            if plans[i][fate_index] is None and feasible(plans[i]):
                plans[i][fate_index] = fate
                count -= 1


def _demo_disputes(rng, towns, start, end) -> list[dict]:
    plans = []
    for _ in range(DEMO_DISPUTES):
        town = rng.choice(towns)
        plans.append([town, _rand_date(rng, start, end), rng.choice(_TIME_LIMITS), None])

    def overdue(p):
        _, over = _dispute_bounds(p[1], *p[2])
        return over < end and _days(p[1], end) < 200

    def late(p):
        _, over = _dispute_bounds(p[1], *p[2])
        return over + timedelta(days=5) < end

    def open_(p):
        within, _ = _dispute_bounds(p[1], *p[2])
        return end <= within

    _force(rng, plans, 3, {"open_overdue": (4, overdue), "late": (8, late), "open": (3, open_)})
    return [
        _dispute(rng, str(town["id"]), _place_name(town), received, tl, end, fate)
        for town, received, tl, fate in plans
    ]


def _demo_hazards(rng, towns, available, start, end) -> list[dict]:
    plans = []
    for _ in range(DEMO_HAZARDS):
        category = _pick_weighted(rng, _HC_VALUES, _HC_CUM)
        town = rng.choice(towns)
        unit = str(town["id"])
        if rng.random() < 0.25:
            unit = _first_available(_HAZARD_DEPTS[category], available) or unit
        found = _rand_date(rng, start, end)
        deadline = found + timedelta(days=rng.choice(_HAZARD_DAYS))
        plans.append([unit, category, town, found, deadline, None])

    _force(
        rng,
        plans,
        5,
        {
            "open_overdue": (4, lambda p: p[4] + timedelta(days=3) < end),
            "late_verify": (4, lambda p: p[4] + timedelta(days=3) < end),
            "open": (2, lambda p: p[4] > end),
        },
    )
    return [
        _hazard(rng, unit, category, _place_name(town), found, deadline, end, fate)
        for unit, category, town, found, deadline, fate in plans
    ]


def _demo_risks(rng, towns, available, start, end) -> list[dict]:
    plans = []
    latest = max(start, end - timedelta(days=20))
    for _ in range(DEMO_RISK_ASSESSMENTS):
        ptype, pname, subjects, approvers = rng.choice(_PROJECTS)
        town = rng.choice(towns)
        tid = str(town["id"])
        unit = tid
        for s in subjects:
            if s == "town" or s in available:
                unit = tid if s == "town" else s
                break
        approving = _first_available(approvers, available) or _first_available(_APPROVERS, available) or tid
        registered = _rand_date(rng, start, latest)
        planned = registered + timedelta(days=_randint(rng, 30, 120))
        plans.append([(ptype, pname, _place_name(town)), unit, tid, approving, registered, planned, None])

    _force(
        rng,
        plans,
        6,
        {
            "unassessed_overdue": (2, lambda p: p[5] < end),
            "assessed_late": (1, lambda p: p[5] + timedelta(days=3) < end),
        },
    )
    return [_risk(rng, *p[:6], end, p[6]) for p in plans]


def case_records(
    units: list[dict],
    *,
    n: int,
    start: date,
    end: date,
    seed: int,
    kinds=CASE_KINDS,
    registry: Registry | None = None,
) -> dict[str, dict]:
    """``n`` synthetic case records for benchmarks, as {path under records/: record}.

    Records are shared out evenly over ``kinds`` (any of "dispute", "hazard",
    "risk_assessment"), then at random over the towns (units of kind 乡镇;
    all units if there are none) and over the dates ``start``..``end``.
    Their fates (closed on time, late, open, overdue) follow the same rules as
    the demo set.  Ids are numbered per unit and year in date order; a bucket
    needing more than 9999 numbers raises ValueError (100,000 records over
    four towns and three and a half years need about 2,400 per bucket).
    """
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in CASE_KINDS]
    if unknown or not kinds:
        raise ValueError(f"未知的案件类别：{unknown or kinds}")
    towns, others = _split_units(units)
    places = [(str(u["id"]), _place_name(u)) for u in (towns or others)]
    if not places:
        raise ValueError("没有可用的单位，无法生成案件")
    available = {str(u["id"]) for u in units if u.get("id")}
    approvers = [u for u in _APPROVERS if u in available] or sorted(
        str(u["id"]) for u in others
    ) or [p[0] for p in places]

    out: dict[str, dict] = {}
    lo, span = start.toordinal(), _days(start, end)
    fromordinal = date.fromordinal
    capacity = MAX_SEQUENCE * len(places) * (end.year - start.year + 1)
    registry = registry or _default_registry()
    for k_index, kind in enumerate(kinds):
        spec = _case_spec(registry, kind)
        count = n // len(kinds) + (1 if k_index < n % len(kinds) else 0)
        if count > capacity:
            raise ValueError(
                f"{spec[0]} 类案件 {count} 条超过可用序号 {capacity} 个"
                f"（{len(places)} 个单位 × {end.year - start.year + 1} 年 × {MAX_SEQUENCE}）："
                "请减少记录数、增加单位或延长时间范围"
            )
        rng = _rng(seed, "cases", kind)
        random_ = rng.random

        def choice(seq):
            return seq[int(random_() * len(seq))]

        records = []
        if kind == "dispute":
            for _ in range(count):
                uid, name = choice(places)
                received = fromordinal(lo + int(random_() * (span + 1)))
                records.append(_dispute(rng, uid, name, received, choice(_TIME_LIMITS), end))
        elif kind == "hazard":
            for _ in range(count):
                uid, name = choice(places)
                found = fromordinal(lo + int(random_() * (span + 1)))
                category = _pick_weighted(rng, _HC_VALUES, _HC_CUM)
                deadline = found + timedelta(days=choice(_HAZARD_DAYS))
                records.append(_hazard(rng, uid, category, name, found, deadline, end))
        else:
            for _ in range(count):
                uid, name = choice(places)
                registered = fromordinal(lo + int(random_() * (span + 1)))
                planned = registered + timedelta(days=_randint(rng, 30, 120))
                ptype, pname, _, _ = choice(_PROJECTS)
                records.append(
                    _risk(rng, (ptype, pname, name), uid, uid, choice(approvers), registered, planned, end)
                )
        _number(spec, records, out)
    return out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """yaml.safe_dump's dumper (its C emitter when available: same text, several
    times faster), writing a value shared by two fields (a date) twice instead
    of as an anchor and alias."""

    def ignore_aliases(self, data):
        return True


def _dump(record: dict) -> str:
    return HEADER + yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def _is_synthetic_file(path: Path) -> bool:
    """True if the file is a record with ``synthetic: true``; a file that does
    not load (or has problems) is treated as a person's and is not synthetic."""
    loaded = load_file(path)
    return loaded.data is not None and loaded.data.get("synthetic") is True


def write_records(root: Path, records: dict[str, dict]) -> int:
    """Write each record to ``root/records/<path>`` as UTF-8 YAML; return the count.

    Every file starts with :data:`HEADER`.  Folders are created as needed and
    each file is written atomically (a temporary file in the same folder, then
    ``os.replace``).  Before anything is written, every existing target is
    checked: if one is not itself synthetic (no ``synthetic: true``), nothing
    is written and :class:`NotSyntheticError` names the file.
    """
    base = Path(root) / "records"
    targets = []
    for rel, record in records.items():
        parts = Path(rel).parts
        if Path(rel).is_absolute() or ".." in parts or not rel.endswith(".yaml"):
            raise ValueError(f"记录路径不合法：{rel}")
        path = base / rel
        if path.exists() and not _is_synthetic_file(path):
            raise NotSyntheticError(path)
        targets.append((path, record))
    made: set[Path] = set()
    pid = os.getpid()
    for path, record in targets:
        folder = path.parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        tmp = folder / f".{path.name}.{pid}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(_dump(record))
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    return len(targets)


# --------------------------------------------------------------------------
# command line

#: Units written by ``cases`` into an empty benchmark repository (the same
#: ids and names as records/units; department names are typical settings).
BENCH_UNITS = tuple(_phrases("units")["bench_units"])


def _load_folder(folder: Path) -> list[dict]:
    """The records of one folder (plain data, dates as ISO strings), via duban.load."""
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = load_file(path)
        if loaded.data is None:
            problem = loaded.problems[0]
            raise ValueError(f"{problem.file}:{problem.line}: {problem.message}")
        out.append(loaded.data)
    return out


def _counts(registry: Registry, records: dict[str, dict]) -> Counter:
    """Records per kind, by the kind's Chinese label (kinds.yaml)."""
    c: Counter = Counter()
    for path in records:
        rel = PurePosixPath(path)
        kind = registry.by_folder(rel)
        c[kind.label if kind else rel.parts[0]] += 1
    return c


def _prune(registry: Registry, root: Path, keep: dict[str, dict]) -> int:
    """Delete synthetic files that the new set no longer holds, anywhere under the
    top folders of the kinds the generator writes (updates/ and cases/ as shipped)."""
    base = Path(root) / "records"
    removed = 0
    tops = dict.fromkeys(_kind(registry, k).folder_parts[0] for k in _PHRASE_FILES)
    for sub in tops:
        for path in sorted((base / sub).rglob("*.yaml")) if (base / sub).is_dir() else []:
            rel = path.relative_to(base).as_posix()
            if rel not in keep and _is_synthetic_file(path):
                path.unlink()
                removed += 1
    return removed


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m duban_demo",
        description="生成虚构的演示数据（所有记录标注 synthetic: true），不对应真实事项。",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    d = sub.add_parser(
        "demo",
        help="按 records/units 和 records/tasks 重新生成演示数据",
        description="按仓库中的单位和任务生成进展情况、协调会议和案件台账演示数据，写入 records/；"
        "不会覆盖没有 synthetic: true 的文件。",
    )
    d.add_argument("--root", type=Path, default=Path("."), metavar="目录", help="仓库根目录（默认当前目录）")
    d.add_argument("--start", type=_date_arg, default=PLAN_START, metavar="日期", help="开始日期（默认 2023-06-07）")
    d.add_argument("--end", type=_date_arg, required=True, metavar="日期", help="截止日期，不生成晚于此日的记录")
    d.add_argument("--seed", type=int, default=2023, metavar="整数", help="随机种子（默认 2023）")
    d.add_argument("--dry-run", action="store_true", help="只生成并统计，不写文件")
    d.add_argument("--prune", action="store_true", help="删除新数据中已不存在的旧演示文件（只删 synthetic: true 的文件）")
    c = sub.add_parser(
        "cases",
        help="为性能测试生成含大量案件的虚构仓库",
        description="在目标目录的 records/ 下生成大量虚构案件；目标目录没有单位记录时先写入四个乡镇和几个部门。",
    )
    c.add_argument("--root", type=Path, required=True, metavar="目录", help="目标目录（records/ 写在其下）")
    c.add_argument("-n", type=int, default=100_000, metavar="数量", help="案件数量（默认 100000）")
    c.add_argument("--start", type=_date_arg, default=PLAN_START, metavar="日期", help="开始日期（默认 2023-06-07）")
    c.add_argument("--end", type=_date_arg, default=BENCH_END, metavar="日期", help="截止日期（默认 2026-11-20）")
    c.add_argument("--seed", type=int, default=2023, metavar="整数", help="随机种子（默认 2023）")
    c.add_argument(
        "--kinds",
        default=",".join(CASE_KINDS),
        metavar="类别",
        help="案件类别，逗号分隔（默认 dispute,hazard,risk_assessment）",
    )
    return p


def main(argv=None) -> int:
    """Command line: ``demo`` regenerates the demo set, ``cases`` builds a benchmark repository."""
    args = _parser().parse_args(argv)
    root: Path = args.root
    try:
        registry = _registry_for(root)
        units_dir = root / "records" / _kind(registry, "unit").folder
        if args.command == "demo":
            units = _load_folder(units_dir)
            tasks = _load_folder(root / "records" / _kind(registry, "task").folder)
            records = demo_records(units, tasks, start=args.start, end=args.end, seed=args.seed, registry=registry)
            for name, count in _counts(registry, records).items():
                print(f"{name}：{count} 条")
            if args.dry_run:
                print(f"共 {len(records)} 条（未写入）")
                return 0
            written = write_records(root, records)
            print(f"已写入 {written} 个文件")
            if args.prune:
                print(f"已删除 {_prune(registry, root, records)} 个过时的演示文件")
            return 0

        if not (units_dir.is_dir() and any(units_dir.glob("*.yaml"))):
            folder = _kind(registry, "unit").folder
            n_units = write_records(root, {f"{folder}/{u['id']}.yaml": dict(u) for u in BENCH_UNITS})
            print(f"已写入单位 {n_units} 个")
        units = _load_folder(units_dir)
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        t0 = time.perf_counter()
        records = case_records(
            units, n=args.n, start=args.start, end=args.end, seed=args.seed, kinds=kinds, registry=registry
        )
        t1 = time.perf_counter()
        written = write_records(root, records)
        t2 = time.perf_counter()
        print(f"生成 {len(records)} 条（{t1 - t0:.1f} 秒），写入 {written} 个文件（{t2 - t1:.1f} 秒）")
        return 0
    except (NotSyntheticError, ValueError, OSError, yaml.YAMLError, KindsError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
