"""Case states at many dates: one kind's clock as columns of day numbers, so a snapshot works out again only
the cases whose state can differ from the one it already has.

``cases.case_state`` stays the definition. What it returns for a case as of day D depends on D only through
a few comparisons with dates fixed by the record: received (start ≤ D), closed (the closing day ≤ D), done
(the unit's part ≤ D), the verification limit, the time limit and the due-soon window; and, in the overdue,
due-soon and verification-overdue states, on D itself (the days counted). So each case gets a key as of D:
its regime (computed for every case at once with numpy), whether its part was done by D, and D itself when
the regime counts days. A case whose key equals the key of the state it holds keeps that state; the others
are evaluated by ``case_state``. A weekly archive over 100,000 cases thus evaluates each week only what was
received, closed or counted since the week before, plus the overdue ones.

A case this reasoning does not cover exactly (a history that closes it more than once, out of date order) is
evaluated at every date.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from duban.engine.cases import CaseState, case_state

if TYPE_CHECKING:
    from duban.engine.snapshot import Evaluator

NEVER = np.iinfo(np.int32).max  # a day that never comes: no such date on the record

# regimes: the state's shape as of a day, before the days are counted
UNSEEN, RECORDED, CLOSED, VERIFY_LATE, VERIFY, OPEN_NO_LIMIT, OVERDUE, DUE_SOON, OPEN = range(9)
COUNTING = (VERIFY_LATE, OVERDUE, DUE_SOON)  # regimes whose state changes every day


def _day(value: dt.date | None) -> int:
    return value.toordinal() if value is not None else NEVER


class CaseColumns:
    """One kind's cases as columns, with the state last worked out for each case and the key it was worked out
    under."""

    def __init__(self, ev: Evaluator, kind: str):
        self.ev = ev
        self.cases = ev.repo.cases_of(kind)
        spec = ev.repo.registry.kinds[kind].case
        self.clocked = bool(spec.closed or spec.limit)
        n = len(self.cases)
        start, due, done, closed, verify = (np.full(n, NEVER, dtype=np.int64) for _ in range(5))
        always = np.zeros(n, dtype=bool)
        closing = spec.closed or {}
        office = ev.office_for_kind(kind)
        for i, case in enumerate(self.cases):
            start[i] = _day(case.date(spec.start))
            if not self.clocked or start[i] == NEVER:
                continue
            due[i] = _day(ev.case_limit(case)[0])
            if spec.done:
                day = case.date(spec.done)
                done[i] = _day(day)
                if day is not None:
                    verify[i] = _day(ev.verification(office, day, day).due)
            if "date" in closing:
                closed[i] = _day(case.date(closing["date"]))
            elif "history" in closing:
                days = [dt.date.fromisoformat(e["date"]) for e in case.data.get(closing["history"], [])
                        if e.get("status") in closing.get("states", ())]
                if days:
                    closed[i] = days[0].toordinal()
                    # the first closing entry on or before D is the first one only when they run in date order
                    always[i] = any(b < a for a, b in zip(days, days[1:]))
        self.start, self.due, self.done, self.closed, self.verify, self.always = start, due, done, closed, verify, always
        self.soon = ev.settings.due_soon_days
        self.states: list[CaseState | None] = [None] * n
        self.keys = np.full((n, 3), -1, dtype=np.int64)  # regime, done by the day, the day when counting

    def regimes(self, as_of: dt.date) -> np.ndarray:
        """Every case's regime as of a day."""
        d = as_of.toordinal()
        received = self.start <= d
        if not self.clocked:
            return np.where(received, RECORDED, UNSEEN)
        closed = self.closed <= d
        done = self.done <= d
        due = self.due
        open_ = np.select([due == NEVER, d > due, due - d <= self.soon], [OPEN_NO_LIMIT, OVERDUE, DUE_SOON], OPEN)
        regime = np.where(closed, CLOSED, np.where(done, np.where(d > self.verify, VERIFY_LATE, VERIFY), open_))
        return np.where(received, regime, UNSEEN)

    def at(self, as_of: dt.date) -> list[CaseState]:
        """States of the cases received by ``as_of``, in the order of ``repo.cases_of``: the same list as
        ``case_state`` over every case."""
        d = as_of.toordinal()
        regime = self.regimes(as_of)
        keys = np.stack([regime, (self.done <= d).astype(np.int64),
                         np.where(np.isin(regime, COUNTING), d, -1)], axis=1)
        stale = np.flatnonzero(((keys != self.keys).any(axis=1) | self.always) & (regime != UNSEEN))
        ev, cases, states = self.ev, self.cases, self.states
        for i in stale.tolist():
            states[i] = case_state(ev, cases[i], as_of)
        self.keys[stale] = keys[stale]
        return [states[i] for i in np.flatnonzero(regime != UNSEEN).tolist()]
