"""The editor's unit, remembered between commands in ``.duban/editor.yaml`` (git-ignored: it describes
the person at this checkout, not the records)."""

from __future__ import annotations

from pathlib import Path

from duban.edit.workspace import STATE_DIR
from duban.records.load import load_file
from duban.records.write import dump, write_record

FILE = "editor.yaml"


def remembered_unit(root: Path) -> str | None:
    path = Path(root) / STATE_DIR / FILE
    if not path.is_file():
        return None
    data = load_file(path).data or {}
    unit = data.get("unit")
    return unit if isinstance(unit, str) and unit else None


def remember_unit(root: Path, unit: str) -> None:
    if remembered_unit(root) != unit:
        write_record(Path(root) / STATE_DIR / FILE, "# 本机编辑者的单位（duban 自动记住，不提交）\n" + dump({"unit": unit}))
