"""Checks that span records: unique ids, references, dates in order; then the task and update rules (``rules``).

Records with schema problems are checked too (defensively), so that one run
reports everything; only valid ones reach the model. A file that could not be read
at all still has an id (its file name): references to it are not reported as
missing; the broken file says how many records wait on it instead, so its own
error is what an editor sees first.

Problems are located at the end, one file at a time (each file is parsed once more
and released), so memory does not grow with the number of problems.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from duban.records.kinds import Kind, Registry
from duban.records.load import load_file
from duban.records.problems import Problem, field_name
from duban.records.text import shown
from duban.records.validate.discover import RECORDS
from duban.records.validate.files import Checked, walk
from duban.records.validate.messages import Fields
from duban.records.validate.rules import task_rules, update_rules


@dataclass
class Record:
    """A record that passed its own checks: where it lives and its data."""

    kind: str
    id: str
    file: str  # path relative to the repository root, POSIX style
    data: dict


class CrossChecker:
    def __init__(self, root: Path, registry: Registry, checked: list[Checked], today: dt.date | None = None):
        self.root = root
        self.registry = registry
        self.checked = checked
        self.today = today
        self.problems: list[Problem] = []
        self.ids: dict[str, dict[str, Checked]] = defaultdict(dict)  # every parsed record
        self.valid: dict[str, dict[str, Record]] = defaultdict(dict)
        self.broken: dict[str, dict[str, str]] = defaultdict(dict)  # kind -> presumed id -> file that could not be read
        self._waiting: dict[tuple[str, str], list[str]] = defaultdict(list)  # (kind, id) -> files referring to it
        self._pending: dict[str, list[tuple]] = defaultdict(list)  # file -> (path, key, message, code)
        self._names: dict[str, list[str]] = {}
        self._suggested: dict[tuple[str, str], list[str]] = {}

    def add(self, file: str, path, message: str, code: str, key: bool = False) -> None:
        self._pending[file].append((tuple(path), key, message, code))

    def _locate(self) -> None:
        for file in sorted(self._pending):
            loaded = load_file(self.root / file, file)
            for path, key, message, code in self._pending[file]:
                line, col = loaded.where(path, key=key)
                self.problems.append(Problem(file, line, col, field_name(path), message, code))
            loaded.release()
        self._pending.clear()

    def run(self) -> None:
        kinds = self.registry.kinds
        for c in self.checked:
            if c.kind is None:
                continue
            kind = kinds[c.kind]
            rel = PurePosixPath(c.file).relative_to(RECORDS)
            if not isinstance(c.data, dict) or (kind.id_field and not isinstance(c.data.get("id"), str)):
                presumed = rel.stem if kind.id_field else str(rel.relative_to(PurePosixPath(*kind.folder_parts)).with_suffix(""))
                self.broken[c.kind].setdefault(presumed, c.file)
                continue
            rid = kind.record_id(c.data, rel)
            first = self.ids[c.kind].get(rid)
            if first is not None:
                self.add(c.file, ("id",), f"编号“{shown(rid)}”重复：与 {first.file} 相同；编号必须唯一", "duplicate-id")
                continue
            self.ids[c.kind][rid] = c
            if c.valid:
                self.valid[c.kind][rid] = Record(c.kind, rid, c.file, c.data)
        # records with schema problems are checked too (defensively), so that
        # one run reports everything; only valid ones reach the model
        for kind_name, checked in self.ids.items():
            kind = kinds[kind_name]
            for rid, c in checked.items():
                record = Record(kind_name, rid, c.file, c.data)
                self._references(kind, record)
                self._dates(kind, record)
                if kind_name == "task":
                    task_rules(self, record)
                elif kind_name == "update":
                    update_rules(self, record)
        self._unchecked()
        self._locate()

    def _exists(self, kind: str, rid: str) -> bool:
        return rid in self.ids.get(kind, {})

    def _references(self, kind: Kind, record: Record) -> None:
        for ref in kind.references:
            for path, value in walk(record.data, ref.path):
                if not isinstance(value, str):
                    continue
                if ref.kind == "clause":
                    plan_id = record.data.get(ref.plan or "plan")
                    plan = self.ids.get("plan", {}).get(plan_id)
                    if plan is None or not isinstance(plan.data, dict):
                        continue  # the plan reference itself is reported
                    raw = plan.data.get("clauses")
                    clauses = {c.get("id") for c in (raw if isinstance(raw, list) else []) if isinstance(c, dict)}
                    if value not in clauses:
                        self.add(record.file, path, f"方案“{shown(plan_id)}”中没有编号为“{shown(value)}”的条款", "reference")
                    continue
                if self._exists(ref.kind, value):
                    continue
                if value in self.broken.get(ref.kind, {}):
                    self._waiting[(ref.kind, value)].append(record.file)
                    continue
                target = self.registry.kinds[ref.kind]
                close = self._close(ref.kind, value)
                hint = f"，是不是“{close[0]}”？" if close else f"；请先在 records/{target.folder}/ 中建立该{target.label}"
                self.add(record.file, path, f"{target.label}“{shown(value)}”不存在{hint}", "reference")

    def _close(self, kind: str, value: str) -> list[str]:
        """The id closest to a missing one, remembered: the same typo is often repeated in many records."""
        key = (kind, value)
        if key not in self._suggested:
            names = self._names.get(kind)
            if names is None:
                names = self._names[kind] = list(self.ids.get(kind, {}))
            self._suggested[key] = difflib.get_close_matches(value, names, n=1) if len(value) <= 100 else []
        return self._suggested[key]

    def _unchecked(self) -> None:
        """One problem in each unreadable file that others refer to: how many records wait on it."""
        for (kind, rid), files in sorted(self._waiting.items()):
            label = self.registry.kinds[kind].label
            others = sorted(set(files))
            example = "、".join(others[:3]) + ("等" if len(others) > 3 else "")
            self.add(self.broken[kind][rid], (),
                     f"有 {len(others)} 个记录引用{label}“{shown(rid)}”（{example}），因本文件无法读取，这些引用暂未检查；修正本文件后会一并检查",
                     "unchecked")

    def _dates(self, kind: Kind, record: Record) -> None:
        schema = Fields(kind.schema, self.registry.schemas)
        for earlier, later in kind.date_order:
            # pair items of the same list element when both paths walk the same list
            star = earlier.index("*") if "*" in earlier else None
            if star is not None and later[: star + 1] == earlier[: star + 1]:
                for item_path, item in walk(record.data, earlier[:star] + ("*",)):
                    self._order(record, schema, list(walk(item, earlier[star + 1 :], item_path)),
                                list(walk(item, later[star + 1 :], item_path)))
            else:
                self._order(record, schema, list(walk(record.data, earlier)), list(walk(record.data, later)))
        for path in kind.sorted_dates:
            values = [(p, v) for p, v in walk(record.data, path) if isinstance(v, str)]
            for (p1, v1), (p2, v2) in zip(values, values[1:]):
                if v2 < v1:
                    self.add(record.file, p2, f"日期 {shown(v2)} 早于上一条的 {shown(v1)}；记录应按时间顺序排列", "date-order")

    def _order(self, record: Record, schema: Fields, earlier, later) -> None:
        for p1, v1 in earlier:
            for p2, v2 in later:
                if isinstance(v1, str) and isinstance(v2, str) and v2 < v1:
                    msg = f"{schema.title(p2)} {shown(v2)} 早于{schema.title(p1)} {shown(v1)}"
                    self.add(record.file, p2, msg, "date-order")
