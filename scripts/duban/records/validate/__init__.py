"""Validation: schema, file placement, references, dates, personal data; problems as values.

``check_repository(root)`` loads every record under ``records/`` (in worker
processes when there are many), checks each file on its own (``files``: schema
through ``schema``/``messages``, file name, personal data), then what spans
records (``cross``: unique ids, references, dates in order). Records that pass
their own checks are returned with the report and the registry, so the model is
built from the same pass without reading the schemas again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from duban.records.kinds import KindsError, Registry, load_registry
from duban.records.problems import Collector, Problem, Report
from duban.records.validate.cache import FileCache, default_folder
from duban.records.validate.cross import CrossChecker, Record
from duban.records.validate.discover import (
    RECORDS,
    SCHEMAS,
    discover,
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
                     registry: Registry | None = None, today: dt.date | None = None,
                     cache: Path | bool = True) -> Result:
    """Check the repository at ``root``.

    With ``paths``, only problems in those files (or folders) are reported; the
    rest of the repository is still read so that references resolve. ``today``
    (chosen by the caller, never read from the clock here) enables the rules
    against records dated in the future. ``cache``: each file's own checks are
    remembered by content in ``<root>/.duban-cache/`` (or the folder given;
    ``False``: none); the checks across files and against today always run.
    """
    root = Path(root)
    if registry is None:
        try:
            registry = load_registry(root / SCHEMAS)
        except KindsError as exc:  # the declarations themselves are broken: their problems are the report
            collector = Collector()
            collector.add(exc.problems)
            return Result(collector.report(0), None)
    found = discover(root)
    files = found.files
    selected: set[str] | None = None
    if paths is not None:
        chosen = expand(Path(p) for p in paths)
        selected = {display(p, root) for p in chosen}
        known = {display(f, root) for f in files}
        files = files + [p for p in chosen if display(p, root) not in known]
    collector = Collector()

    def keep(problems: list[Problem], file: str | None = None, more: int = 0) -> None:
        counted = more if selected is None or file in selected else 0
        collector.add((p for p in problems if selected is None or p.file in selected), more=counted)

    keep([Problem(display(folder, root), 1, 1, "-", f"无法读取文件夹：{why}；其中的记录没有检查", "io")
          for folder, why in found.unreadable])
    folder = default_folder(root) if cache is True else (Path(cache) if cache else None)
    with _collector_paused():  # a run builds millions of objects and frees none in cycles: skip the collector
        checked = _check_files(root, registry, files, workers, keep, FileCache(folder, registry), found.regular)
        cross = CrossChecker(root, registry, checked, today)
        cross.run()
    keep(cross.problems)
    count = len(selected) if selected is not None else len(files)
    return Result(collector.report(count), registry, {k: dict(v) for k, v in cross.valid.items()})


@contextlib.contextmanager
def _collector_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # what the run built lives on (the records) or is freed by reference counts: the collector need not
        # walk it again (the first collection after a run of 100,000 files took a fifth of a second)
        gc.freeze()
        if enabled:
            gc.enable()


def _check_files(root: Path, registry: Registry, files: list[str | Path], workers: int | None,
                 keep: Callable[..., None], cache: FileCache, regular: set[str] = frozenset()) -> list[Checked]:
    """Every file checked; each file's problems go to ``keep`` as soon as they are known and are not kept here.

    A file whose bytes have the digest stored in ``cache`` takes the stored outcome; the others are checked
    and stored (except kinds naming other files, ``paths:``, whose outcome depends on more than the file).
    ``regular``: the files the directory listing says are regular files (opened without an ``lstat`` first)."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_THRESHOLD else 1
    out: list[Checked | None] = [None] * len(files)  # in the order of ``files``: the first of two equal ids wins
    uncached = {name for name, kind in registry.kinds.items() if kind.paths}
    checker = FileChecker(root, registry)

    def take(at: int, c: Checked, entry=None) -> None:
        if c.hit:
            kind, data, valid, problems, more = cache.get(c.file, c.digest, c.signature, entry)
            c.kind, c.data, c.valid, c.problems, c.more = kind, data, valid, problems, more
        elif c.digest is not None and c.kind not in uncached:
            cache.put(c.file, c.digest, c.kind, c.data, c.valid, c.problems, c.more, c.signature)
        else:
            cache.forget(c.file)
        if c.problems or c.more:
            keep(c.problems, c.file, c.more)
            c.problems = []
        out[at] = c

    work, places = [], []
    if not any(cache.shards):  # nothing remembered (a first run, or a change of schemas or code): read them all
        work, places = [(p, None, p in regular) for p in map(os.fspath, files)], list(range(len(files)))
    for at, p in enumerate(map(os.fspath, files) if not work else ()):
        name = checker.name(p)[0]
        entry = cache.entry(name)  # (digest, ..., signature) or None
        if entry is not None and entry[6] is not None and checker.unchanged(p, entry[6]):
            take(at, Checked(name, None, None, False, [], digest=entry[0], hit=True, signature=entry[6]), entry)
        else:  # new, changed, or not known by its status: read (in the workers when there are many)
            work.append((p, (entry[0], entry[6]) if entry is not None else None, p in regular))
            places.append(at)
    unknown = sum(1 for _, known, _ in work if known is None)
    if workers <= 1 or (unknown < PARALLEL_THRESHOLD // 4 and len(work) < 4 * PARALLEL_THRESHOLD):
        for at, (p, known, listed) in zip(places, work):
            take(at, checker.check(p, known, listed))
    else:
        for at, c in zip(places, _shared(root, registry, checker, work, workers), strict=True):
            take(at, c)
    cache.save(background=True)  # written while the checks across files run
    return out  # type: ignore[return-value]  # every place is filled


CHUNK = 400  # files a worker takes at a time: small, so the main process and the helpers end together


def _shared(root: Path, registry: Registry, checker: FileChecker, work: list, workers: int) -> Iterator[Checked]:
    """``work`` checked by ``workers`` processes, this one among them, the outcomes in order.

    Helper processes take chunks from the start while this process takes them from the end, until they meet:
    what this process checks is neither pickled nor sent, and the last chunk is not waited for by an idle core.
    (The executor's thread receives the helpers' outcomes meanwhile.)"""
    size = max(50, min(CHUNK, len(work) // (workers * 8)))
    chunks = [work[i : i + size] for i in range(0, len(work), size)]
    with ProcessPoolExecutor(max_workers=workers - 1, initializer=worker_init, initargs=(str(root), registry)) as pool:
        futures = [pool.submit(worker_check, chunk) for chunk in chunks]
        own: dict[int, list[Checked]] = {}
        for i in range(len(chunks) - 1, -1, -1):
            if not futures[i].cancel():  # a helper has it (or has it queued): so it has every chunk before it
                break
            own[i] = [checker.check(p, known, listed) for p, known, listed in chunks[i]]
        for i, future in enumerate(futures):
            if i in own:
                yield from own.pop(i)
            else:
                yield from (Checked(*t) for t in future.result())
