"""Case registers: the demonstration registers (a fixed number of disputes, hazards and
risk assessments, a few forced into each interesting fate) and the large benchmark sets
of :func:`case_records`. Ids are numbered per unit and year in date order; folders and
the dates numbered by are the kinds' (schemas/kinds.yaml).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import partial

from duban.records.kinds import Registry

from duban_demo.cases import (
    APPROVERS,
    DISPUTE_OFF_DAYS,
    HAZARD_CUM,
    HAZARD_DAYS,
    HAZARD_DEPTS,
    HAZARD_OFF_DAYS,
    HAZARD_VALUES,
    PROJECTS,
    TIME_LIMITS,
    dispute,
    dispute_bounds,
    hazard,
    risk,
)
from duban_demo.common import (
    MAX_SEQUENCE,
    as_date,
    days_between,
    default_registry,
    first_available,
    office_day,
    phrases,
    pick_weighted,
    place_name,
    rand_date,
    randint,
    registry_kind,
    rng_for,
    split_units,
)

# Sizes of the demonstration case registers (independent of the period).
DEMO_DISPUTES = 232
DEMO_HAZARDS = 112
DEMO_RISK_ASSESSMENTS = 40

CASE_KINDS = ("dispute", "hazard", "risk_assessment")

# The phrase file (holding the id prefix) of each case kind.
_PHRASE_FILES = {"dispute": "disputes", "hazard": "hazards", "risk_assessment": "risk_assessments"}


def case_spec(registry: Registry, name: str) -> tuple[str, str, str]:
    """(id prefix, folder, clock start field) of a case kind."""
    kind = registry_kind(registry, name)
    if kind.case is None:
        raise ValueError(f"{registry.root / 'kinds.yaml'} 中的类别 {name} 不是案件类别（没有 case）")
    return phrases(_PHRASE_FILES[name])["id_prefix"], kind.folder, kind.case.start


def assign_ids(spec: tuple[str, str, str], records: list[dict], out: dict[str, dict]) -> None:
    """Give records their ids (sequence per unit and year, in date order) and add them to out.

    ``spec`` is the kind's (id prefix, folder, clock start field), see :func:`case_spec`."""
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


def demo_registers(
    registry: Registry, seed: int, towns: list[dict], available: set[str], start: date, end: date
) -> dict[str, dict]:
    """The demonstration registers over ``towns`` (units; ``available``: all unit ids),
    as {path under records/: record}."""
    cases: dict[str, dict] = {}
    spec = partial(case_spec, registry)
    assign_ids(spec("dispute"), _demo_disputes(rng_for(seed, "disputes"), towns, start, end), cases)
    assign_ids(spec("hazard"), _demo_hazards(rng_for(seed, "hazards"), towns, available, start, end), cases)
    assign_ids(spec("risk_assessment"), _demo_risks(rng_for(seed, "risks"), towns, available, start, end), cases)
    return cases


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
        received = office_day(rng, rand_date(rng, start, end), start, end, DISPUTE_OFF_DAYS)
        plans.append([town, received, rng.choice(TIME_LIMITS), None])

    def overdue(p):
        _, over = dispute_bounds(p[1], *p[2])
        return over < end and days_between(p[1], end) < 200

    def late(p):
        _, over = dispute_bounds(p[1], *p[2])
        return over + timedelta(days=5) < end

    def open_(p):
        within, _ = dispute_bounds(p[1], *p[2])
        return end <= within

    _force(rng, plans, 3, {"open_overdue": (4, overdue), "late": (8, late), "open": (3, open_)})
    return [
        dispute(rng, str(town["id"]), place_name(town), received, tl, end, fate)
        for town, received, tl, fate in plans
    ]


def _demo_hazards(rng, towns, available, start, end) -> list[dict]:
    plans = []
    for _ in range(DEMO_HAZARDS):
        category = pick_weighted(rng, HAZARD_VALUES, HAZARD_CUM)
        town = rng.choice(towns)
        unit = str(town["id"])
        if rng.random() < 0.25:
            unit = first_available(HAZARD_DEPTS[category], available) or unit
        found = office_day(rng, rand_date(rng, start, end), start, end, HAZARD_OFF_DAYS)
        deadline = found + timedelta(days=rng.choice(HAZARD_DAYS))
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
        hazard(rng, unit, category, place_name(town), found, deadline, end, fate)
        for unit, category, town, found, deadline, fate in plans
    ]


def _demo_risks(rng, towns, available, start, end) -> list[dict]:
    plans = []
    latest = max(start, end - timedelta(days=20))
    for _ in range(DEMO_RISK_ASSESSMENTS):
        ptype, pname, subjects, approvers = rng.choice(PROJECTS)
        town = rng.choice(towns)
        tid = str(town["id"])
        unit = tid
        for s in subjects:
            if s == "town" or s in available:
                unit = tid if s == "town" else s
                break
        approving = first_available(approvers, available) or first_available(APPROVERS, available) or tid
        registered = office_day(rng, rand_date(rng, start, latest), start, latest, 0.0)
        planned = registered + timedelta(days=randint(rng, 30, 120))
        plans.append([(ptype, pname, place_name(town)), unit, tid, approving, registered, planned, None])

    _force(
        rng,
        plans,
        6,
        {
            "unassessed_overdue": (2, lambda p: p[5] < end),
            "assessed_late": (1, lambda p: p[5] + timedelta(days=3) < end),
        },
    )
    return [risk(rng, *p[:6], end, p[6]) for p in plans]


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
    start, end = as_date(start), as_date(end)
    if end < start:
        raise ValueError(f"结束日期 {end} 早于开始日期 {start}")
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in CASE_KINDS]
    if unknown or not kinds:
        raise ValueError(f"未知的案件类别：{unknown or kinds}")
    towns, others = split_units(units)
    places = [(str(u["id"]), place_name(u)) for u in (towns or others)]
    if not places:
        raise ValueError("没有可用的单位，无法生成案件")
    available = {str(u["id"]) for u in units if u.get("id")}
    approvers = [u for u in APPROVERS if u in available] or sorted(
        str(u["id"]) for u in others
    ) or [p[0] for p in places]

    out: dict[str, dict] = {}
    lo, span = start.toordinal(), days_between(start, end)
    fromordinal = date.fromordinal
    capacity = MAX_SEQUENCE * len(places) * (end.year - start.year + 1)
    registry = registry or default_registry()
    for k_index, kind in enumerate(kinds):
        spec = case_spec(registry, kind)
        count = n // len(kinds) + (1 if k_index < n % len(kinds) else 0)
        if count > capacity:
            raise ValueError(
                f"{spec[0]} 类案件 {count} 条超过可用序号 {capacity} 个"
                f"（{len(places)} 个单位 × {end.year - start.year + 1} 年 × {MAX_SEQUENCE}）："
                "请减少记录数、增加单位或延长时间范围"
            )
        rng = rng_for(seed, "cases", kind)
        random_ = rng.random

        def choice(seq):
            return seq[int(random_() * len(seq))]

        records = []
        if kind == "dispute":
            for _ in range(count):
                uid, name = choice(places)
                received = office_day(rng, fromordinal(lo + int(random_() * (span + 1))), start, end, DISPUTE_OFF_DAYS)
                records.append(dispute(rng, uid, name, received, choice(TIME_LIMITS), end))
        elif kind == "hazard":
            for _ in range(count):
                uid, name = choice(places)
                found = office_day(rng, fromordinal(lo + int(random_() * (span + 1))), start, end, HAZARD_OFF_DAYS)
                category = pick_weighted(rng, HAZARD_VALUES, HAZARD_CUM)
                deadline = found + timedelta(days=choice(HAZARD_DAYS))
                records.append(hazard(rng, uid, category, name, found, deadline, end))
        else:
            for _ in range(count):
                uid, name = choice(places)
                registered = office_day(rng, fromordinal(lo + int(random_() * (span + 1))), start, end, 0.0)
                planned = registered + timedelta(days=randint(rng, 30, 120))
                ptype, pname, _, _ = choice(PROJECTS)
                records.append(
                    risk(rng, (ptype, pname, name), uid, uid, choice(approvers), registered, planned, end)
                )
        assign_ids(spec, records, out)
    return out
