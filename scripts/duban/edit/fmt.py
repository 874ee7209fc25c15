"""``duban fmt``: record files rewritten in the canonical form, comments kept.

A file without a header comment (what the CMS writes: Decap writes a fresh YAML document) gets the header
duban's editors give a new record of its kind (``# 进展情况：T-2-1-01 甲镇（2024-03-05）``), so a record entered
through the CMS becomes the same bytes as one entered with ``duban new update``; for the same reason an
update's ``period`` (the CMS stores the day the editor picked) becomes the first day of its period of the task's
cadence, and goes when it is the report's own period (``compose.canonical_update``; what fmt cannot read that way
stays as written). A file the strict loader refuses (bad YAML, a tab, an anchor, a duplicate key) is never rewritten: its
located problems are reported instead. With ``check``, nothing is written and the files that would
change are listed (for CI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from duban.records.kinds import KindsError, load_registry
from duban.records.problems import Problem
from duban.records.validate.discover import (
    RECORDS,
    SCHEMAS,
    display,
    expand,
    record_files,
)
from duban.records.write import WriteError, reformat_file, write_record


@dataclass
class FmtOutcome:
    files: int = 0
    changed: list[str] = field(default_factory=list)  # would change (check) or were rewritten
    problems: list[Problem] = field(default_factory=list)  # files left alone, and why

    @property
    def ok(self) -> bool:
        return not self.problems


class _Repository:
    """What ``duban fmt`` needs from the rest of the repository, opened only when a file needs it: the header
    comment of a file that has none, and an update's ``period`` as duban's writers store it (the task's cadence)."""

    def __init__(self, root: Path):
        self.root, self._ws = root, None

    @property
    def ws(self):
        from duban.edit.workspace import open_workspace

        if self._ws is None:
            self._ws = open_workspace(self.root)
        return self._ws

    def header(self, kind: str):
        def header(data: dict) -> str:
            from duban.edit.compose import header as compose_header

            return compose_header(self.ws, kind, data)
        return header

    def revise(self, kind: str):
        if kind != "update":
            return None

        def revise(data: dict) -> dict:
            from duban.edit.compose import canonical_update

            return canonical_update(self.ws, data) if "period" in data else data
        return revise


def format_records(root: Path, paths: Iterable[Path] | None = None, check: bool = False) -> FmtOutcome:
    root = Path(root)
    repo = _Repository(root)
    try:
        registry = load_registry(root / SCHEMAS)
    except KindsError as exc:
        return FmtOutcome(problems=list(exc.problems))
    files = record_files(root) if paths is None else expand(Path(p) for p in paths)
    out = FmtOutcome(files=len(files))
    base = (root / RECORDS).resolve()
    for path in files:
        file = display(path, root)
        try:
            rel = PurePosixPath(path.resolve().relative_to(base).as_posix())
        except ValueError:
            out.problems.append(Problem(file, 1, 1, "-", "不是 records/ 下的记录文件，未格式化", "placement"))
            continue
        kind = registry.by_folder(rel)
        if kind is None or path.suffix != ".yaml":
            out.problems.append(Problem(file, 1, 1, "-", "不在任何记录类别的文件夹中（或扩展名不是 .yaml），未格式化", "placement"))
            continue
        try:
            result = reformat_file(path, file, kind, registry, header=repo.header(kind.name),
                                   revise=repo.revise(kind.name))
        except WriteError as exc:  # the canonical form could not hold it: leave the file as it is
            out.problems.append(Problem(file, 1, 1, "-", f"{exc}；文件未格式化", "format"))
            continue
        if result.text is None:
            out.problems.extend(Problem(p.file, p.line, p.column, p.field, p.message + "；文件未格式化", p.code)
                                for p in result.problems)
            continue
        if result.changed:
            out.changed.append(file)
            if not check:
                write_record(path, result.text)
    return out
