"""Which files a validation run reads: every record file under ``records/``, or the paths asked for."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

RECORDS = "records"
SCHEMAS = "schemas"


def record_files(root: Path) -> list[Path]:
    """Every ``.yaml`` / ``.yml`` file under ``<root>/records``, sorted."""
    base = root / RECORDS
    if not base.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        found.extend(os.path.join(dirpath, f) for f in filenames if f.endswith((".yaml", ".yml")))
    return [Path(p) for p in sorted(found)]


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files and folders given on the command line, folders expanded to their record files."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix in (".yaml", ".yml")))
        else:
            out.append(p)
    return out


def display(path: Path, root: Path) -> str:
    """A path as problems name it: relative to the repository root, POSIX style."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
