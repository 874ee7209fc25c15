"""Checks that span records: unique ids, references; then the task and update rules (``rules``).

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
from functools import partial
from pathlib import Path, PurePosixPath

from duban.records.kinds import Kind, Registry
from duban.records.load import load_file
from duban.records.plan_pages import check_page
from duban.records.problems import Problem, field_name
from duban.records.text import shown
from duban.records.validate.discover import RECORDS
from duban.records.validate.files import Checked
from duban.records.validate.rules import task_rules, update_rules
from duban.records.validate.within import walk


@dataclass
class Record:
    """A record that passed its own checks: where it lives and its data."""

    kind: str
    id: str
    file: str  # path relative to the repository root, POSIX style
    data: dict
    digest: str | None = None  # of the file's bytes, as read by this run


def _direct(ref) -> bool:
    """A reference by one top-level field to a kind with ids: looked at directly, without a walk."""
    return len(ref.path) == 1 and ref.kind != "clause"


def _path_id(file: str, prefix: str) -> str:
    """The id of a record that has no id field: its path below records/, without ``.yaml`` (``Kind.record_id``)."""
    if file.startswith(prefix) and file.endswith(".yaml") and not file.rpartition("/")[2].startswith("."):
        return file[len(prefix):-len(".yaml")]
    return str(PurePosixPath(file).relative_to(RECORDS).with_suffix(""))


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
        self._verifier: dict[str, Record] = {}

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
        ids, valid, prefix = self.ids, self.valid, RECORDS + "/"
        for c in self.checked:
            if c.kind is None:
                continue
            kind = kinds[c.kind]
            data = c.data
            rid = data.get("id") if kind.id_field and type(data) is dict else None
            if type(rid) is not str:  # no id field (the path is the id), or a record that could not be read
                if type(data) is dict and not kind.id_field:
                    rid = _path_id(c.file, prefix)
                else:
                    rel = PurePosixPath(c.file).relative_to(RECORDS)
                    presumed = rel.stem if kind.id_field else str(rel.relative_to(PurePosixPath(*kind.folder_parts)).with_suffix(""))
                    self.broken[c.kind].setdefault(presumed, c.file)
                    continue
            known = ids[c.kind]
            first = known.get(rid)
            if first is not None:
                self.add(c.file, ("id",), f"编号“{shown(rid)}”重复：与 {first.file} 相同；编号必须唯一", "duplicate-id")
                continue
            known[rid] = c
            if c.valid:
                valid[c.kind][rid] = Record(c.kind, rid, c.file, data, c.digest)
        # records with schema problems are checked too (defensively), so that
        # one run reports everything; only valid ones reach the model
        rules = {"task": partial(task_rules, self), "update": partial(update_rules, self), "holiday": self._holiday,
                 "unit": self._unit, "plan": self._plan}
        for kind_name, checked in ids.items():
            kind = kinds[kind_name]
            passed = valid.get(kind_name, {})
            rule = rules.get(kind_name)
            simple, other = self._split(kind)
            for rid, c in checked.items():
                data = c.data
                if type(data) is dict:  # a field naming a record that exists: the common case, looked at directly
                    for name, names in simple:
                        value = data.get(name)
                        if value is not None and not (type(value) is str and value in names):
                            break
                    else:
                        if not other and rule is None:
                            continue
                record = passed.get(rid) or Record(kind_name, rid, c.file, data)
                self._references(kind, record)
                if rule is not None:
                    rule(record)
        self._unchecked()
        self._locate()

    def _split(self, kind: Kind) -> tuple[list[tuple[str, dict]], list]:
        """The kind's references of one top-level field to a kind with ids (field, the ids it may name), and
        the others (clauses, fields of list items): the first are looked at directly before any walk."""
        simple, other = [], []
        for ref in kind.references:
            if _direct(ref):
                simple.append((ref.path[0], self.ids.get(ref.kind, {})))
            else:
                other.append(ref)
        return simple, other

    def _unit(self, unit: Record) -> None:
        self._verifies(unit)
        self._unit_kind(unit)

    def _plan(self, plan: Record) -> None:
        self._plan_end(plan)
        self._plan_page(plan)

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
        data = record.data
        for ref in kind.references:
            if _direct(ref) and isinstance(data, dict):
                value = data.get(ref.path[0])  # the common case, a field naming a record that exists
                if value is None or (type(value) is str and value in self.ids.get(ref.kind, ())):
                    continue
            for path, value in walk(data, ref.path):
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

    def _unit_kind(self, unit: Record) -> None:
        """A unit's kind is one the area declares (settings.yaml ``unit_kinds``), when it declares any."""
        declared = self.registry.settings.get("unit_kinds")
        kind = unit.data.get("kind")
        if declared and isinstance(kind, str) and kind not in declared:
            self.add(unit.file, ("kind",), f"单位类别“{shown(kind)}”未在 schemas/settings.yaml 的“unit_kinds”中声明；可选：{'、'.join(declared)}",
                     "unit-kind")

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

    def _plan_end(self, plan: Record) -> None:
        """A plan that is no longer in force says since when; one in force has no end."""
        status, ended = plan.data.get("status", "有效"), plan.data.get("ended")
        if status in ("已废止", "已完成") and not ended:
            self.add(plan.file, ("status",), f"状态为“{status}”的方案须填写终止日期（ended）", "plan-ended", key=True)
        elif status == "有效" and ended:
            self.add(plan.file, ("ended",), "有效的方案不应填写终止日期；方案废止或完成时再把状态改为“已废止”或“已完成”", "plan-ended", key=True)
