"""Problems are values: every check returns them, reporters render them.

A problem names the file, the line and column (1-based), the field (a dotted
path such as ``timing.due`` or ``lead_units[1]``; ``-`` for the file as a
whole) and a message in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


def field_name(path: Iterable) -> str:
    """Render a field path the way an editor reads it: ``timing.due``, ``lead_units[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "-"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    field: str
    message: str
    code: str = field(default="", compare=False)

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
    """The outcome of checking a set of files."""

    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems))
