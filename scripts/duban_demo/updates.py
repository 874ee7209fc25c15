"""Progress updates (进展情况) of 长期坚持, 周期 and 限时 tasks; texts from phrases/updates.yaml."""

from __future__ import annotations

import random
from datetime import date, timedelta

from duban_demo.common import (
    ONE,
    as_date,
    calendar_periods,
    days_between,
    phrases,
    rand_date,
    workday_in,
)

_UP = phrases("updates")
# How long before a period's end reports are usually filed.
_REPORT_WINDOW = _UP["report_window_days"]
# Work done, by topic (chosen by the task's title, then its measures), else by clause.
# {a} >= {b} >= 1 and {c} is small.
_TOPICS = tuple((name, tuple(v["keys"]), tuple(v["work"])) for name, v in _UP["topics"].items())
_WORK = {name: work for name, _, work in _TOPICS}
_WORK |= {f"clause {c}": tuple(texts) for c, texts in _UP["clauses"].items()}
_WORK["default"] = tuple(_UP["default"])
_PERIOD = _UP["period"]
_TEXT = _UP["text"]
_ENDINGS = {state: tuple(texts) for state, texts in _UP["endings"].items()}
# A topic's own obstacles (the endings of its 受阻 reports), when it names them.
_BLOCKED = {name: tuple(v["blocked"]) for name, v in _UP["topics"].items() if v.get("blocked")}


def work_key(task: dict) -> str:
    """Which work sentences a task's updates use: the first topic with a key in the task's
    title, else the first with a key in its measures, else its clause's (or the nearest
    parent clause's), else the default ones."""
    for field in ("title", "measures"):
        text = str(task.get(field) or "")
        for name, keys, _ in _TOPICS:
            if any(key in text for key in keys):
                return name
    clause = str(task.get("clause") or "")
    while clause:
        if f"clause {clause}" in _WORK:
            return f"clause {clause}"
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
    ending = rng.choice(_BLOCKED.get(key, _ENDINGS[state]) if state == "受阻" else _ENDINGS[state])
    return _TEXT[state].format(period=_period_phrase(cadence, ps), work=work, ending=ending)


def _update(task_id, unit, day, state, text) -> dict:
    return {
        "task": task_id,
        "unit": unit,
        "date": day,
        "state": state,
        "text": text,
        "synthetic": True,
    }


def add_periodic_updates(out, rng, task, cadence, units, first, last, end, stop_after, key):
    """One update per period and unit, dated in the period's last days; ~8% skipped."""
    tid = task["id"]
    for ps, pe in calendar_periods(cadence, first, last):
        lo = max(ps, first)
        hi = min(pe, last)
        win_lo = max(lo, pe - timedelta(days=_REPORT_WINDOW[cadence]))
        for unit in units:
            if rng.random() < 0.08:
                continue  # missed period (滞报)
            if pe > end:  # current period: may not have reported yet
                if win_lo > end or rng.random() < 0.5:
                    continue
            day = workday_in(rng, win_lo, hi) if win_lo <= hi else workday_in(rng, lo, hi)
            if stop_after and day > stop_after:
                continue
            state = "受阻" if rng.random() < 0.04 else "推进中"
            text = _update_text(rng, key, state, cadence, ps)
            out.add("update", f"{tid}/{day.isoformat()}-{unit}", _update(tid, unit, day, state, text))


def add_deadline_updates(out, rng, task, tstart, end, unreported=False):
    """Updates of a 限时 task.

    Closed (closure dated by ``end``): a few progress reports (at least one from each
    lead unit), then a final 已完成 from each lead unit within ten days before the
    closure date.
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
    key = work_key(task)
    due = as_date(timing.get("due"))
    for ext in task.get("extensions") or []:
        due = as_date(ext.get("new_due")) or due
    closure = task.get("closure") or {}
    closed = as_date(closure.get("date"))
    if closed is not None and closed > end:
        closed = None
    past_due = closed is None and due is not None and due < end

    final = None
    if closed is not None:
        final = workday_in(rng, max(tstart, closed - timedelta(days=10)), max(tstart, closed - ONE))
        final = min(final, closed, end)
        # each lead unit reports its own part complete in the days before the closure
        finals = [final] + [workday_in(rng, max(tstart, final - timedelta(days=7)), final) for _ in lead[1:]]
        first = min(finals)
        windows = [(tstart, first - ONE, max(1, min(5, days_between(tstart, first) // 45)))]
    elif unreported:
        return
    elif past_due:
        windows = [
            (tstart, due, max(1, min(5, days_between(tstart, due) // 45))),
            (due + ONE, min(end, due + timedelta(days=120)), rng.randint(1, 3)),
        ]
        if days_between(due, end) > 150 and rng.random() < 0.5:
            windows.append((end - timedelta(days=90), end, 1))  # still being worked on
    else:
        windows = [(tstart, end, max(1, min(6, days_between(tstart, end) // 60)))]

    days = []
    for n, (lo, hi, k) in enumerate(windows):
        if hi < lo:
            continue
        if n == 0:
            k = max(k, len(lead))  # every lead unit reports on its own part
        for _ in range(k):
            d = rand_date(rng, lo, hi)
            days.append(workday_in(rng, d, min(hi, d + timedelta(days=3))))
    days.sort()
    turn = rng.randrange(len(lead))
    for i, day in enumerate(days):
        if partners and rng.random() < 0.15:
            unit = rng.choice(partners)
        else:
            unit = lead[(turn + i) % len(lead)]
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
        for unit, day in zip(lead, finals):
            out.add(
                "update",
                f"{tid}/{day.isoformat()}-{unit}",
                _update(tid, unit, day, "已完成", _update_text(rng, key, "已完成")),
            )
