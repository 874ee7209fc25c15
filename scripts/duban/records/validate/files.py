"""Checks of one record file on its own: placement, YAML, schema, file name, personal data.

``FileChecker.check(path)`` never raises for bad content; the result says whether
the record passed its own checks. Worker processes each hold one checker.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from duban.records import privacy
from duban.records.kinds import Kind, Registry
from duban.records.load import Loaded, load_file
from duban.records.problems import Problem
from duban.records.validate.discover import RECORDS
from duban.records.validate.schema import SchemaChecker


@dataclass
class Checked:
    file: str
    kind: str | None
    data: dict | None  # None when the file could not be parsed
    valid: bool  # passed its own checks (schema, placement, personal data)
    problems: list[Problem]


class FileChecker:
    """Per-file checks; one instance per process."""

    def __init__(self, root: Path, registry: Registry):
        self.root = root
        self.registry = registry
        self.schema = {name: SchemaChecker(kind, registry) for name, kind in registry.kinds.items()}
        self._root = os.path.realpath(root) + os.sep
        self._records = self._root + RECORDS + os.sep

    def check(self, path: Path) -> Checked:
        full = os.path.abspath(path)
        if not full.startswith(self._root):
            full = os.path.realpath(path)
        file = full[len(self._root):].replace(os.sep, "/") if full.startswith(self._root) else str(path)
        rel = PurePosixPath(full[len(self._records):].replace(os.sep, "/")) if full.startswith(self._records) else None
        if rel is None:
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", "记录文件必须放在 records/ 文件夹下", "placement")])
        if path.suffix != ".yaml":
            msg = "扩展名应为 .yaml" if path.suffix == ".yml" else "records/ 下只能放 .yaml 记录文件"
            return Checked(file, None, None, False, [Problem(file, 1, 1, "-", msg, "placement")])
        kind = self.registry.by_folder(rel)
        loaded = load_file(path, file)
        problems = list(loaded.problems)
        if kind is None:
            folders = "、".join(f"records/{k.folder}/" for k in self.registry.kinds.values())
            problems.append(Problem(file, 1, 1, "-", f"不在任何记录类别的文件夹中；应放在 {folders} 之一", "placement"))
            return Checked(file, None, loaded.data, False, problems)
        if loaded.data is None:
            return Checked(file, kind.name, None, False, problems)
        bad_dates = {(p.line, p.column) for p in problems if p.code == "date"}
        problems.extend(
            p for p in self.schema[kind.name].problems(loaded)
            if not (p.code == "schema-format" and (p.line, p.column) in bad_dates)
        )
        problems.extend(self._placement(kind, rel, loaded))
        for finding in privacy.scan(loaded.data):
            problems.append(loaded.problem(finding.path, finding.message, f"privacy-{finding.kind}"))
        loaded.release()
        return Checked(file, kind.name, loaded.data, not problems, problems)

    def _placement(self, kind: Kind, rel: PurePosixPath, loaded: Loaded) -> list[Problem]:
        expected = kind.expected_stem(loaded.data)
        if expected is None:
            return []  # the schema already reports the missing field
        inside = PurePosixPath(*rel.parts[len(kind.folder_parts):]).with_suffix("")
        actual = str(inside)
        if "/" in kind.file:
            ok = actual == expected or (kind.counter and _strip_counter(actual) == expected)
            want = f"records/{kind.folder}/{expected}.yaml"
        else:  # records may be grouped in subfolders; the file name must match
            ok = inside.name == expected
            want = f"{expected}.yaml"
        if ok:
            return []
        field_ = kind.file_fields[0]
        if kind.id_field:
            msg = f"文件名与编号不一致：编号为“{expected}”的记录，文件名应为 {want}"
        else:
            names = "、".join(kind.file_fields)
            msg = f"文件位置与内容不一致：按 {names} 的取值，文件应为 {want}"
        return [loaded.problem((field_,), msg, "file-name")]


def _strip_counter(stem: str) -> str:
    head, sep, tail = stem.rpartition("-")
    return head if sep and tail.isdigit() and len(tail) <= 2 else stem


_WORKER: FileChecker | None = None


def worker_init(root: str, registry: Registry) -> None:
    global _WORKER
    _WORKER = FileChecker(Path(root), registry)


def worker_check(paths: list[str]) -> list[Checked]:
    assert _WORKER is not None
    return [_WORKER.check(Path(p)) for p in paths]
