"""Checks that span records: unique ids, references, dates in order, task and update rules.

Records with schema problems are checked too (defensively), so that one run
reports everything; only valid ones reach the model.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

from duban.records.kinds import Kind, Registry
from duban.records.load import Loaded, load_file
from duban.records.plan_pages import check_page
from duban.records.problems import Problem, field_name
from duban.records.validate.discover import RECORDS
from duban.records.validate.files import Checked
from duban.records.validate.messages import Fields


@dataclass
class Record:
    """A record that passed its own checks: where it lives and its data."""

    kind: str
    id: str
    file: str  # path relative to the repository root, POSIX style
    data: dict


def _walk(data: Any, path: tuple[str, ...], prefix: tuple = ()) -> Iterable[tuple[tuple, Any]]:
    """Values at a path such as ``extensions/*/approved`` with their concrete paths."""
    if not path:
        yield prefix, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, prefix + (i,))
    elif isinstance(data, dict) and head in data and data[head] is not None:
        yield from _walk(data[head], rest, prefix + (head,))


class CrossChecker:
    def __init__(self, root: Path, registry: Registry, checked: list[Checked]):
        self.root = root
        self.registry = registry
        self.checked = checked
        self.problems: list[Problem] = []
        self.ids: dict[str, dict[str, Checked]] = defaultdict(dict)  # every parsed record
        self.valid: dict[str, dict[str, Record]] = defaultdict(dict)
        self._nodes: dict[str, Loaded] = {}
        self._verifier: dict[str, Record] = {}

    def where(self, file: str, path, key: bool = False) -> tuple[int, int]:
        loaded = self._nodes.get(file)
        if loaded is None:
            loaded = self._nodes[file] = load_file(self.root / file, file)
        return loaded.where(path, key=key)

    def add(self, file: str, path, message: str, code: str, key: bool = False) -> None:
        line, col = self.where(file, path, key)
        self.problems.append(Problem(file, line, col, field_name(path), message, code))

    def run(self) -> None:
        kinds = self.registry.kinds
        for c in self.checked:
            if c.kind is None or not isinstance(c.data, dict):
                continue
            kind = kinds[c.kind]
            rel = PurePosixPath(c.file).relative_to(RECORDS)
            rid = kind.record_id(c.data, rel)
            if not isinstance(rid, str):
                continue
            first = self.ids[c.kind].get(rid)
            if first is not None:
                self.add(c.file, ("id",), f"编号“{rid}”重复：与 {first.file} 相同；编号必须唯一", "duplicate-id")
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
                    self._task(record)
                elif kind_name == "update":
                    self._update(record)
                elif kind_name == "holiday":
                    self._holiday(record)
                elif kind_name == "unit":
                    self._verifies(record)
                elif kind_name == "plan":
                    self._plan_page(record)

    def _plan_page(self, plan: Record) -> None:
        """The plan's page has one anchor per clause, at the end of its heading, and no other
        (``records/plan_pages.py``); a plan without a page file is not checked."""
        page, clauses = plan.data.get("page"), plan.data.get("clauses")
        if not isinstance(page, str) or not isinstance(clauses, list):
            return
        found = check_page(self.root, page, clauses)
        if found is None:
            return
        for p in found.located:
            self.problems.append(Problem(found.file, p.line, p.column, p.field, p.message, "plan-page"))
        for message in found.missing:
            self.add(plan.file, ("page",), message, "plan-page")

    def _exists(self, kind: str, rid: str) -> bool:
        return rid in self.ids.get(kind, {})

    def _references(self, kind: Kind, record: Record) -> None:
        for ref in kind.references:
            for path, value in _walk(record.data, ref.path):
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
                        self.add(record.file, path, f"方案“{plan_id}”中没有编号为“{value}”的条款", "reference")
                    continue
                if not self._exists(ref.kind, value):
                    target = self.registry.kinds[ref.kind]
                    close = difflib.get_close_matches(value, list(self.ids.get(ref.kind, {})), n=1)
                    hint = f"，是不是“{close[0]}”？" if close else f"；请先在 records/{target.folder}/ 中建立该{target.label}"
                    self.add(record.file, path, f"{target.label}“{value}”不存在{hint}", "reference")

    def _dates(self, kind: Kind, record: Record) -> None:
        schema = Fields(kind.schema, self.registry.schemas)
        for earlier, later in kind.date_order:
            # pair items of the same list element when both paths walk the same list
            star = earlier.index("*") if "*" in earlier else None
            if star is not None and later[: star + 1] == earlier[: star + 1]:
                for item_path, item in _walk(record.data, earlier[:star] + ("*",)):
                    self._order(record, schema, list(_walk(item, earlier[star + 1 :], item_path)),
                                list(_walk(item, later[star + 1 :], item_path)))
            else:
                self._order(record, schema, list(_walk(record.data, earlier)), list(_walk(record.data, later)))
        for path in kind.sorted_dates:
            values = [(p, v) for p, v in _walk(record.data, path) if isinstance(v, str)]
            for (p1, v1), (p2, v2) in zip(values, values[1:]):
                if v2 < v1:
                    self.add(record.file, p2, f"日期 {v2} 早于上一条的 {v1}；记录应按时间顺序排列", "date-order")

    def _order(self, record: Record, schema: Fields, earlier, later) -> None:
        for p1, v1 in earlier:
            for p2, v2 in later:
                if isinstance(v1, str) and isinstance(v2, str) and v2 < v1:
                    msg = f"{schema.title(p2)} {v2} 早于{schema.title(p1)} {v1}"
                    self.add(record.file, p2, msg, "date-order")

    def _task(self, task: Record) -> None:
        data = task.data
        timing = data.get("timing") if isinstance(data.get("timing"), dict) else {}
        due = timing.get("due") if isinstance(timing.get("due"), str) else None
        extensions = data.get("extensions") if isinstance(data.get("extensions"), list) else []
        for i, ext in enumerate(extensions):
            if not isinstance(ext, dict):
                continue
            if timing.get("mode") != "限时":
                self.add(task.file, ("extensions",), "只有“限时”任务可以延期", "extension", key=True)
                break
            requested, new_due = ext.get("requested"), ext.get("new_due")
            if due and isinstance(requested, str) and requested >= due:
                self.add(task.file, ("extensions", i, "requested"),
                         f"延期申请日期 {requested} 不早于当时的完成时限 {due}；延期须在到期前申请", "extension")
            if due and isinstance(new_due, str) and new_due <= due:
                self.add(task.file, ("extensions", i, "new_due"),
                         f"延期后时限 {new_due} 不晚于原时限 {due}", "extension")
            if isinstance(new_due, str):
                due = new_due
        parent = data.get("parent")
        if isinstance(parent, str):
            if parent == task.id:
                self.add(task.file, ("parent",), "上级任务不能是任务自己", "parent")
            else:
                up = self.ids.get("task", {}).get(parent)
                if up is not None and isinstance(up.data, dict):
                    if up.data.get("plan") != data.get("plan"):
                        self.add(task.file, ("parent",), f"上级任务“{parent}”属于另一方案", "parent")
                    seen = {task.id}
                    while up is not None and isinstance(up.data, dict) and up.data.get("parent"):
                        nxt = up.data["parent"]
                        if nxt in seen:
                            self.add(task.file, ("parent",), f"上级任务形成循环：{task.id} → … → {nxt}", "parent")
                            break
                        seen.add(nxt)
                        up = self.ids.get("task", {}).get(nxt)
        evidence = timing.get("evidence")
        if isinstance(evidence, dict) and isinstance(evidence.get("kind"), str):
            target = self.registry.kinds.get(evidence["kind"])
            if target is None:
                self.add(task.file, ("timing", "evidence", "kind"), f"记录类别“{evidence['kind']}”不存在", "reference")
            else:
                known = target.schema.get("properties", {})
                match = evidence.get("match") if isinstance(evidence.get("match"), dict) else {}
                for name in match:
                    if name not in known:
                        self.add(task.file, ("timing", "evidence", "match", name),
                                 f"{target.label}记录没有字段“{name}”", "reference", key=True)

    def _update(self, update: Record) -> None:
        task = self.ids.get("task", {}).get(update.data.get("task"))
        if task is None or not isinstance(task.data, dict):
            return
        units = {u for key in ("lead_units", "partner_units") if isinstance(task.data.get(key), list)
                 for u in task.data[key] if isinstance(u, str)}
        unit = update.data.get("unit")
        if unit not in units:
            self.add(update.file, ("unit",), f"单位“{unit}”不是任务 {task.data.get('id')} 的牵头或配合单位", "update-unit")

    def _holiday(self, year: Record) -> None:
        """A year's 放假安排: every date in that year, ranges apart, 调休上班日 on weekends and outside the holidays."""
        data = year.data
        name = data.get("id")
        if not (isinstance(name, str) and name.isdigit()):
            return
        days: dict[dt.date, str] = {}
        ranges = data.get("holidays") if isinstance(data.get("holidays"), list) else []
        for i, entry in enumerate(ranges):
            if not isinstance(entry, dict):
                continue
            try:
                start, end = dt.date.fromisoformat(entry.get("start")), dt.date.fromisoformat(entry.get("end"))
            except (TypeError, ValueError):
                continue
            for field_, day in (("start", start), ("end", end)):
                if str(day.year) != name:
                    self.add(year.file, ("holidays", i, field_), f"日期 {day} 不在 {name} 年内", "holiday")
            day = start
            while day <= end and (day - start).days < 60:
                if day in days:
                    self.add(year.file, ("holidays", i, "start"), f"与“{days[day]}”的放假日期重叠（{day}）", "holiday")
                    break
                days[day] = entry.get("name", "")
                day += dt.timedelta(days=1)
        workdays = data.get("workdays") if isinstance(data.get("workdays"), list) else []
        for i, text in enumerate(workdays):
            try:
                day = dt.date.fromisoformat(text)
            except (TypeError, ValueError):
                continue
            if str(day.year) != name:
                self.add(year.file, ("workdays", i), f"日期 {day} 不在 {name} 年内", "holiday")
            elif day in days:
                self.add(year.file, ("workdays", i), f"{day} 在“{days[day]}”放假期间，不能同时是调休上班日", "holiday")
            elif day.weekday() < 5:
                self.add(year.file, ("workdays", i), f"{day} 是周{'一二三四五'[day.weekday()]}，本来就上班；调休上班日应为周六或周日", "holiday")

    def _verifies(self, unit: Record) -> None:
        """A unit verifies case kinds that exist and have a clock; each kind is verified by one unit."""
        kinds = unit.data.get("verifies") if isinstance(unit.data.get("verifies"), list) else []
        for i, name in enumerate(kinds):
            kind = self.registry.kinds.get(name) if isinstance(name, str) else None
            if kind is None or kind.case is None:
                cases = "、".join(k.name for k in self.registry.case_kinds())
                self.add(unit.file, ("verifies", i), f"“{name}”不是台账类别；可选：{cases}", "reference")
                continue
            first = self._verifier.setdefault(name, unit)
            if first is not unit:
                self.add(unit.file, ("verifies", i), f"{kind.label}已由 {first.file} 负责验收；每类台账只能由一个单位验收",
                         "verifies")
