"""One case record at a time: disputes (矛盾纠纷), hazards (公共安全隐患) and social
stability risk assessments (社会稳定风险评估), each with a fate (closed on time, late,
open, overdue). Texts and categories from phrases/disputes.yaml, hazards.yaml and
risk_assessments.yaml. Ids are given later, by duban_demo.registers.
"""

from __future__ import annotations

from datetime import date, timedelta

from duban_demo.common import (
    ONE,
    days_between,
    phrases,
    pick,
    pick_weighted,
    rand_date,
    randint,
    weighted,
)

# --------------------------------------------------------------------------
# disputes

_DS = phrases("disputes")
_DISPUTE_CATEGORIES = tuple((c, v["weight"]) for c, v in _DS["categories"].items())
_DISPUTE_SOURCES = tuple(_DS["sources"].items())
# category -> ((summary, places where it happens), ...)
_DISPUTE_SUMMARIES = {
    c: tuple((s["text"], tuple(s["places"])) for s in v["summaries"]) for c, v in _DS["categories"].items()
}
#: Share of disputes received on a day off (weekend or holiday).
DISPUTE_OFF_DAYS = _DS["off_day_share"]
_GROUP_CATEGORIES = frozenset(c for c, v in _DS["categories"].items() if v.get("group"))
_RESOLVED = tuple(_DS["outcomes"]["化解"])
_UNRESOLVED = tuple(_DS["outcomes"]["未化解"])
TIME_LIMITS = tuple((t["days"], t["unit"]) for t in _DS["time_limits"])
_DC_VALUES, _DC_CUM = weighted(_DISPUTE_CATEGORIES)
_DS_VALUES, _DS_CUM = weighted(_DISPUTE_SOURCES)


def dispute_bounds(received: date, days: int, unit: str) -> tuple[date, date]:
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
    within, over = dispute_bounds(received, days, unit)
    if end <= within:
        return "open" if rng.random() < 0.7 else "ontime"
    if end <= over:  # near the limit: no sure lateness yet
        return "open" if rng.random() < 0.3 else "ontime"
    r = rng.random()
    recent = days_between(received, end) < 180
    if r < (0.10 if recent else 0.01):
        return "open_overdue"
    if r < (0.18 if recent else 0.07):
        return "late"
    return "ontime"


def dispute(rng, unit, town_name, received, tl, end, fate=None) -> dict:
    """One dispute record (without its sequence number) with the given fate.

    fate: ontime | late | open | open_overdue (chosen at random when None).
    """
    days, tl_unit = tl
    if fate is None:
        fate = _dispute_fate(rng, received, days, tl_unit, end)
    category = pick_weighted(rng, _DC_VALUES, _DC_CUM)
    source = pick_weighted(rng, _DS_VALUES, _DS_CUM)
    if category in _GROUP_CATEGORIES and rng.random() < 0.4:
        parties = randint(rng, 3, 30)
    else:
        parties = 2 if rng.random() < 0.7 else randint(rng, 3, 6)
    within, over = dispute_bounds(received, days, tl_unit)
    history = [{"date": received, "status": "受理"}]
    summary, places = pick(rng, _DISPUTE_SUMMARIES[category])
    rec = {
        "id": None,
        "unit": unit,
        "category": category,
        "source": source,
        "summary": summary,
        "place": town_name + pick(rng, places),
        "received": received,
        "time_limit": {"days": days, "unit": tl_unit},
        "parties": parties,
        "status_history": history,
    }
    if fate in ("ontime", "late"):
        if fate == "late":
            closed = rand_date(rng, over + ONE, min(end, over + timedelta(days=40)))
        else:
            closed = rand_date(rng, received, min(end, within))
        if closed > received:
            history.append(
                {"date": rand_date(rng, received, min(closed, received + timedelta(days=5))), "status": "调解中"}
            )
        unresolved = rng.random() < (0.25 if fate == "late" else 0.08)
        history.append(
            {"date": closed, "status": "未化解" if unresolved else "化解"}
        )
        rec["outcome"] = pick(rng, _UNRESOLVED if unresolved else _RESOLVED)
        rec["feedback_date"] = min(end, closed + timedelta(days=randint(rng, 0, 3)))
    elif end > received and rng.random() < 0.7:
        history.append(
            {"date": rand_date(rng, received, min(end, received + timedelta(days=7))), "status": "调解中"}
        )
    rec["synthetic"] = True
    return rec


# --------------------------------------------------------------------------
# hazards

_HZ = phrases("hazards")
_HAZARD_CATEGORIES = tuple((c, v["weight"]) for c, v in _HZ["categories"].items())
HAZARD_VALUES, HAZARD_CUM = weighted(_HAZARD_CATEGORIES)

# category -> ((description, measures, sites where it is found), ...)
_HAZARD_TEXT = {
    c: tuple((p["description"], p["measures"], tuple(p["sites"])) for p in v["problems"])
    for c, v in _HZ["categories"].items()
}
#: Share of hazards found on a day off (weekend or holiday).
HAZARD_OFF_DAYS = _HZ["off_day_share"]

# category -> departments that may own such a hazard, when they exist
HAZARD_DEPTS = {c: tuple(v["departments"]) for c, v in _HZ["categories"].items()}
HAZARD_DAYS = tuple(_HZ["deadline_days"])


def _hazard_fate(rng, found, deadline, end) -> str:
    if deadline >= end:
        return "open" if rng.random() < 0.6 else "ontime"
    recent = days_between(found, end) < 180
    r = rng.random()
    if r < (0.15 if recent else 0.02):
        return "open_overdue"
    if r < (0.21 if recent else 0.08):
        return "late_verify"
    if r < (0.25 if recent else 0.12):
        return "late"
    return "ontime"


def hazard(rng, unit, category, town_name, found, deadline, end, fate=None) -> dict:
    """One hazard record (without its sequence number).

    fate: ontime | late_verify (rectified in time, verified late) | late |
    open | open_overdue (chosen at random when None).
    """
    if fate is None:
        fate = _hazard_fate(rng, found, deadline, end)
    description, measures, sites = pick(rng, _HAZARD_TEXT[category])
    rec = {
        "id": None,
        "unit": unit,
        "category": category,
        "level": "重大" if days_between(found, deadline) >= 30 and rng.random() < 0.2 else "一般",
        "site": town_name + pick(rng, sites),
        "description": description,
        "found": found,
        "deadline": deadline,
    }
    rectified = verified = None
    if fate == "ontime":
        hi = min(deadline, end)
        rectified = rand_date(rng, found + ONE if hi > found else found, hi)
        verified = rand_date(rng, rectified, min(hi, rectified + timedelta(days=7)))
    elif fate == "late_verify":
        rectified = rand_date(rng, max(found, deadline - timedelta(days=5)), deadline)
        verified = rand_date(rng, deadline + ONE, min(end, deadline + timedelta(days=20)))
    elif fate == "late":
        rectified = rand_date(rng, deadline + ONE, min(end, deadline + timedelta(days=30)))
        verified = rand_date(rng, rectified, min(end, rectified + timedelta(days=7)))
    elif fate == "open_overdue":
        if rng.random() < 0.4:
            rectified = rand_date(rng, found, end)  # rectified, awaiting verification
    elif rng.random() < 0.3 and end > found:
        rectified = rand_date(rng, found + ONE, end)
    if rectified is not None:
        rec["measures"] = measures
        rec["rectified"] = rectified
    if verified is not None:
        rec["verified"] = verified
    rec["synthetic"] = True
    return rec


# --------------------------------------------------------------------------
# social stability risk assessments

_RA = phrases("risk_assessments")
# (project type, project, subject units preferred ("town" = the project's town), approving units)
PROJECTS = tuple((p["type"], p["name"], tuple(p["subjects"]), tuple(p["approvers"])) for p in _RA["projects"])
APPROVERS = tuple(_RA["approvers"])
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


def risk(rng, project, unit, town, approving, registered, planned, end, fate=None) -> dict:
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
        assessed = rand_date(rng, max(registered, lo), max(registered, hi))
    elif fate == "assessed_late":
        assessed = rand_date(rng, planned + ONE, min(end, planned + timedelta(days=30)))
    if assessed is not None:
        r = rng.random()
        level = "低" if r < 0.6 else ("中" if r < 0.9 else "高")
        if level == "低":
            decision = "准予实施"
        elif level == "中":
            decision = "有条件实施" if rng.random() < 0.7 else "准予实施"
        else:
            decision = pick(rng, _HIGH_RISK_DECISIONS)
        rec["assessor"] = pick(rng, _ASSESSORS)
        rec["assessment_date"] = assessed
        rec["risk_level"] = level
        rec["decision"] = decision
        if decision in ("准予实施", "有条件实施") and rng.random() < 0.7:
            approval = assessed + timedelta(days=randint(rng, 3, 40))
            if approval <= end:
                rec["approval_date"] = approval
        rec["measures"] = pick(rng, _RISK_MEASURES[level])
    rec["synthetic"] = True
    return rec
