"""Which report periods must be rebuilt: a fingerprint per period of everything its report can depend on.

A report for a period ending on day D reads the repository as of D (and as of the day before the period
began, which is earlier). As of D, a record of a dated kind counts only when it is dated on or before D
(a case from its kind's clock start, ``case.start`` in kinds.yaml; a progress update from its ``date``):
``cases.case_state`` returns nothing for a case not yet received and updates and evidence dated later are
left out. Every other record (plans, units, tasks, holidays) can matter to every period. So a period's
fingerprint is a hash of ``base`` (duban's code, the schemas and settings: the caller's), of every undated
record's file digest, and of the digests of the dated records dated on or before its end. A change to a
record dated in a period changes the fingerprints of that period and of the later ones only.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from duban.records.model import Repository


def _dated_by(registry) -> dict[str, str]:
    """kind -> the field whose date is the first day a record of the kind counts."""
    out = {k.name: k.case.start for k in registry.case_kinds() if k.case.start}
    if "update" in registry.kinds:
        out["update"] = "date"
    return out


def period_keys(repo: Repository, base: str, ends: dict[str, dt.date]) -> dict[str, str] | None:
    """period -> fingerprint, for periods given with their last day (``ends``); None for a repository not built
    from a validation run (nothing says what it was read from)."""
    records = repo.sources
    if not records:
        return None
    dated_by = _dated_by(repo.registry)
    undated = hashlib.sha256(base.encode() + b"\0")
    dated: list[tuple[str, str, str, str]] = []
    for kind in sorted(records):
        field = dated_by.get(kind)
        for rid, rec in sorted(records[kind].items()):
            digest = rec.digest or repr(sorted(rec.data.items()))  # a record without a digest: its data
            day = rec.data.get(field) if field else None
            if isinstance(day, str):
                dated.append((day, kind, rid, digest))
            else:
                undated.update(f"{kind}\0{rid}\0{digest}\0".encode())
    dated.sort()
    out: dict[str, str] = {}
    running = undated.copy()
    i = 0
    for period, end in sorted(ends.items(), key=lambda item: (item[1], item[0])):
        last = end.isoformat()
        while i < len(dated) and dated[i][0] <= last:
            day, kind, rid, digest = dated[i]
            running.update(f"{day}\0{kind}\0{rid}\0{digest}\0".encode())
            i += 1
        h = running.copy()
        h.update(f"period\0{period}\0{last}".encode())
        out[period] = h.hexdigest()[:20]
    return out
