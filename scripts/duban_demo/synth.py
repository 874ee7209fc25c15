"""Synthetic demonstration records (演示数据) for duban.

Everything produced here is invented: every record carries ``synthetic: true``
(kinds whose schema has no such field, i.e. units, are only written by the
benchmark command) and every file starts with the comment line
``# 演示数据（虚构），不对应真实事项``.  No record holds a person's name, an
identity or phone number, or an address: places are generic ("洛阳镇某村").

This module gathers the public API; the work is done by

* :mod:`duban_demo.common` – random streams, dates, phrase files, the kind registry,
  the record collector and the YAML text of a record;
* :mod:`duban_demo.updates`, :mod:`duban_demo.meetings` – records for the plan's tasks;
* :mod:`duban_demo.cases` – one dispute, hazard or risk assessment at a time;
* :mod:`duban_demo.registers` – the case registers, numbered (demo set and benchmarks);
* :mod:`duban_demo.demo` – the whole demonstration set;
* :mod:`duban_demo.write` – writing and pruning files;
* :mod:`duban_demo.cli` – the command line.

Texts, place names and categories are data: ``duban_demo/phrases/*.yaml``.
Folders, labels and clock start fields are the kinds' in ``schemas/kinds.yaml``.

Public API
----------
``demo_records(units, tasks, *, start, end, seed=2023, registry=None)``
    The demonstration set for a plan's tasks: progress updates, coordination
    meetings and case registers (disputes, hazards, risk assessments).
``case_records(units, *, n, start, end, seed, kinds=..., registry=None)``
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

from duban_demo.cli import BENCH_UNITS, main  # noqa: F401 (BENCH_UNITS: as before the split)
from duban_demo.common import BENCH_END, HEADER, MAX_SEQUENCE, PLAN_START  # noqa: F401
from duban_demo.demo import demo_records
from duban_demo.registers import CASE_KINDS, case_records  # noqa: F401
from duban_demo.write import NotSyntheticError, write_records

__all__ = [
    "HEADER",
    "NotSyntheticError",
    "case_records",
    "demo_records",
    "main",
    "write_records",
]


if __name__ == "__main__":
    import sys

    sys.exit(main())
