"""Problems are values: every check returns them, reporters render them.

A problem names the file, the line and column (1-based), the field (a dotted
path such as ``timing.due`` or ``lead_units[1]``; ``-`` for the file as a
whole) and a message in Chinese. A problem's field and message never carry a
personal number, an invisible character or a line break: they are masked and
made visible when the problem is made, whatever check made it.

A run can find very many problems (one broken file with 100,000 unknown keys,
20,000 broken files): :class:`Collector` keeps at most ``MAX_PER_FILE`` of one
file and ``MAX_LISTED`` in all, counting the rest, so memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

MAX_PER_FILE = 50
MAX_LISTED = 1000


def field_name(path: Iterable) -> str:
    """Render a field path the way an editor reads it: ``timing.due``, ``lead_units[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "-"


def clean(text: str) -> str:
    """Text as a problem may carry it: personal numbers masked, invisible characters as ``<U+XXXX>``, one line."""
    from duban.records.privacy import mask_text
    from duban.records.text import visible

    out = visible(mask_text(text))
    return out.replace("\n", "↵") if "\n" in out else out


def order(p: "Problem") -> tuple:
    """How reports list problems: by file, then position; a file's note about records waiting on it comes last,
    after the file's own errors."""
    return (p.file, p.code == "unchecked", p.line, p.column, p.field, p.message)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str
    code: str = field(default="", compare=False)

    def __post_init__(self):
        for name in ("field", "message"):
            value = getattr(self, name)
            cleaned = clean(value)
            if cleaned != value:
                object.__setattr__(self, name, cleaned)

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "code": self.code,
        }


@dataclass
class Report:
    """The outcome of checking a set of files: the problems listed (sorted) and how many more were found."""

    files: int = 0
    problems: list[Problem] = field(default_factory=list)
    unlisted: int = 0

    @property
    def total(self) -> int:
        return len(self.problems) + self.unlisted

    @property
    def ok(self) -> bool:
        return self.total == 0

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=order)


class Collector:
    """Problems gathered file by file, at most ``per_file`` of a file and ``listed`` in all; the rest are counted."""

    def __init__(self, per_file: int = MAX_PER_FILE, listed: int = MAX_LISTED):
        self.per_file = per_file
        self.listed = listed
        self.kept: list[Problem] = []
        self.unlisted = 0
        self._per: dict[str, int] = {}
        self._seen: set[Problem] = set()

    def add(self, problems: Iterable[Problem], more: int = 0) -> None:
        """Add problems (any files); ``more`` counts problems already left out by the caller."""
        self.unlisted += more
        for p in sorted(set(problems) - self._seen, key=order):
            count = self._per.get(p.file, 0)
            if count >= self.per_file:
                self.unlisted += 1
                continue
            self._per[p.file] = count + 1
            self.kept.append(p)
            self._seen.add(p)
        if len(self.kept) > 2 * self.listed:
            self._trim()

    def _trim(self) -> None:
        self.kept.sort(key=order)
        self.unlisted += len(self.kept) - self.listed
        del self.kept[self.listed:]
        self._seen = set(self.kept)

    def report(self, files: int) -> Report:
        if len(self.kept) > self.listed:
            self._trim()
        return Report(files=files, problems=sorted(self.kept, key=order), unlisted=self.unlisted)
