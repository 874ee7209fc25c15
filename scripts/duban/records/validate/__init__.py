"""Validation: schema, file placement, references, dates, personal data; problems as values.

``check_repository(root)`` loads every record under ``records/`` (in worker
processes when there are many), checks each file on its own (``files``: schema
through ``schema``/``messages``, file name, personal data), then what spans
records (``cross``: unique ids, references, dates in order). Records that pass
their own checks are returned with the report and the registry, so the model is
built from the same pass without reading the schemas again.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from duban.records.kinds import KindsError, Registry, load_registry
from duban.records.problems import Report
from duban.records.validate.cross import CrossChecker, Record
from duban.records.validate.discover import (
    RECORDS,
    SCHEMAS,
    display,
    expand,
    record_files,
)
from duban.records.validate.files import Checked, FileChecker, worker_check, worker_init

__all__ = ["RECORDS", "SCHEMAS", "Record", "Result", "check_repository", "record_files"]

PARALLEL_THRESHOLD = 2000  # below this many files, one process is faster


@dataclass
class Result:
    report: Report
    registry: Registry | None  # None when the declarations in schemas/ could not be read
    records: dict[str, dict[str, Record]] = field(default_factory=dict)  # kind -> id -> record

    @property
    def ok(self) -> bool:
        return self.report.ok


def check_repository(root: Path | str, paths: Iterable[Path | str] | None = None, workers: int | None = None,
                     registry: Registry | None = None) -> Result:
    """Check the repository at ``root``.

    With ``paths``, only problems in those files (or folders) are reported; the
    rest of the repository is still read so that references resolve.
    """
    root = Path(root)
    if registry is None:
        try:
            registry = load_registry(root / SCHEMAS)
        except KindsError as exc:  # the declarations themselves are broken: their problems are the report
            return Result(Report(files=0, problems=sorted(set(exc.problems))), None)
    files = record_files(root)
    selected: set[str] | None = None
    if paths is not None:
        chosen = expand(Path(p) for p in paths)
        selected = {display(p, root) for p in chosen}
        known = {f.resolve() for f in files}
        files = files + [p for p in chosen if p.resolve() not in known]
    checked = _check_files(root, registry, files, workers)
    cross = CrossChecker(root, registry, checked)
    cross.run()
    problems = [p for c in checked for p in c.problems] + cross.problems
    count = len(files)
    if selected is not None:
        problems = [p for p in problems if p.file in selected]
        count = len(selected)
    report = Report(files=count, problems=sorted(set(problems)))
    return Result(report, registry, {k: dict(v) for k, v in cross.valid.items()})


def _check_files(root: Path, registry: Registry, files: list[Path], workers: int | None) -> list[Checked]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_THRESHOLD else 1
    if workers <= 1:
        checker = FileChecker(root, registry)
        return [checker.check(p) for p in files]
    size = max(50, len(files) // (workers * 8))
    chunks = [[str(p) for p in files[i : i + size]] for i in range(0, len(files), size)]
    out: list[Checked] = []
    with ProcessPoolExecutor(max_workers=workers, initializer=worker_init, initargs=(str(root), registry)) as pool:
        for part in pool.map(worker_check, chunks):
            out.extend(part)
    return out
