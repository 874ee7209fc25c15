"""Which files a validation run reads: every entry under ``records/``, or the paths asked for.

Nothing under ``records/`` is skipped: every entry that is not a folder is a
candidate, whatever its name (``X.YAML``, ``X.yaml.bak``, no extension) or type
(a symbolic link, a FIFO, a device); the file checks refuse what is not a
record with a located message. Folders are walked without following links, and a
folder that cannot be listed (no permission, a path beyond the system's limit) is
reported, not passed over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from duban.records.syntax import os_error_text

RECORDS = "records"
SCHEMAS = "schemas"


@dataclass
class Found:
    files: list[str] = field(default_factory=list)  # every entry that is not a real folder, sorted (as strings:
    # a hundred thousand Path objects cost a second)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)  # folders that could not be listed, and why
    regular: set[str] = field(default_factory=set)  # the files the listing itself says are regular files (a type
    # known without a call on most file systems): these can be opened without an ``lstat`` first


def walk(base: Path) -> Found:
    """Every non-folder entry below ``base`` (links are entries, never followed), and the folders that failed."""
    found = Found()
    stack = [str(base)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                for entry in it:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                        is_file = not is_dir and entry.is_file(follow_symlinks=False)
                    except OSError:
                        is_dir = is_file = False
                    if is_dir:
                        stack.append(entry.path)
                    else:
                        found.files.append(entry.path)
                        if is_file:
                            found.regular.add(entry.path)
        except OSError as exc:
            found.unreadable.append((Path(folder), os_error_text(exc)))
    found.files.sort()
    found.unreadable.sort()
    return found


def discover(root: Path) -> Found:
    """What a run of the whole repository reads: everything under ``<root>/records``."""
    base = root / RECORDS
    if not base.is_dir() or base.is_symlink():
        return Found()
    return walk(base)


def record_files(root: Path) -> list[Path]:
    """Every entry under ``<root>/records`` that is not a folder, sorted."""
    return [Path(p) for p in discover(root).files]


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files and folders given on the command line, folders expanded to every entry below them."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            out.extend(map(Path, walk(p).files))
        else:
            out.append(p)
    return out


def display(path: Path, root: Path) -> str:
    """A path as problems name it: relative to the repository root, POSIX style (links are not resolved)."""
    full = os.path.abspath(path)
    base = os.path.realpath(root)
    for prefix in (os.path.abspath(root), base):
        if full == prefix or full.startswith(prefix + os.sep):
            return full[len(prefix) + 1:].replace(os.sep, "/")
    return str(path)
