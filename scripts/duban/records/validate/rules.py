"""The rules a supervising office relies on, for tasks and their updates.

A task's extensions are asked for before the deadline they move and push it later,
and are approved by a supervising unit, not by a lead unit of the task; a closure
(销号) is verified by a supervising unit too, and is not dated in the future. An
update is reported by a lead or partner unit, is not dated in the future, and is not
reported after the task's closure. Dates in order (closure after the task's start,
approval on or before the new due date) are declared in ``kinds.yaml``.

"The future" means after ``today``, which the caller passes in (the CLI chooses
today in Asia/Shanghai); without it, future dates are not checked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from duban.periods import CADENCES, period_of
from duban.records.text import shown

if TYPE_CHECKING:  # pragma: no cover
    from duban.records.validate.cross import CrossChecker, Record


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


def _units(data: dict, *keys: str) -> set[str]:
    return {u for key in keys if isinstance(data.get(key), list) for u in data[key] if isinstance(u, str)}


def _future(day: str | None, today: dt.date | None) -> bool:
    return bool(today and day and day > today.isoformat())


def task_rules(cc: CrossChecker, task: Record) -> None:
    data = task.data
    today = cc.today
    timing = data.get("timing") if isinstance(data.get("timing"), dict) else {}
    due = _str(timing.get("due"))
    leads = _units(data, "lead_units")
    extensions = data.get("extensions") if isinstance(data.get("extensions"), list) else []
    for i, ext in enumerate(extensions):
        if not isinstance(ext, dict):
            continue
        if timing.get("mode") != "限时":
            cc.add(task.file, ("extensions",), "只有“限时”任务可以延期", "extension", key=True)
            break
        requested, new_due = _str(ext.get("requested")), _str(ext.get("new_due"))
        if due and requested and requested >= due:
            cc.add(task.file, ("extensions", i, "requested"),
                   f"延期申请日期 {requested} 不早于当时的完成时限 {due}；延期须在到期前申请", "extension")
        if due and new_due and new_due <= due:
            cc.add(task.file, ("extensions", i, "new_due"), f"延期后时限 {new_due} 不晚于原时限 {due}", "extension")
        if new_due:
            due = new_due
        approver = _str(ext.get("approved_by"))
        if approver in leads:
            cc.add(task.file, ("extensions", i, "approved_by"),
                   f"批准单位“{shown(approver)}”是本任务的牵头单位；延期须由督办单位批准，牵头单位不能批准自己任务的延期",
                   "self-approval")
    closure = data.get("closure") if isinstance(data.get("closure"), dict) else {}
    closed = _str(closure.get("date"))
    if _future(closed, today):
        cc.add(task.file, ("closure", "date"), f"销号日期 {closed} 晚于今天（{today}）；不能登记将来的销号", "future")
    verifier = _str(closure.get("verified_by"))
    if verifier in leads:
        cc.add(task.file, ("closure", "verified_by"),
               f"核实单位“{shown(verifier)}”是本任务的牵头单位；销号须由督办单位核实，牵头单位不能核实自己的任务",
               "self-approval")
    _parent(cc, task)
    _evidence(cc, task, timing)


def _parent(cc: CrossChecker, task: Record) -> None:
    data = task.data
    parent = data.get("parent")
    if not isinstance(parent, str):
        return
    if parent == task.id:
        cc.add(task.file, ("parent",), "上级任务不能是任务自己", "parent")
        return
    tasks = cc.ids.get("task", {})
    up = tasks.get(parent)
    if up is None or not isinstance(up.data, dict):
        return
    if up.data.get("plan") != data.get("plan"):
        cc.add(task.file, ("parent",), f"上级任务“{shown(parent)}”属于另一方案", "parent")
    seen = {task.id}
    while up is not None and isinstance(up.data, dict) and up.data.get("parent"):
        nxt = up.data["parent"]
        if nxt in seen:
            cc.add(task.file, ("parent",), f"上级任务形成循环：{shown(task.id)} → … → {shown(nxt)}", "parent")
            break
        seen.add(nxt)
        up = tasks.get(nxt) if isinstance(nxt, str) else None


def _evidence(cc: CrossChecker, task: Record, timing: dict) -> None:
    evidence = timing.get("evidence")
    if not (isinstance(evidence, dict) and isinstance(evidence.get("kind"), str)):
        return
    target = cc.registry.kinds.get(evidence["kind"])
    if target is None:
        cc.add(task.file, ("timing", "evidence", "kind"), f"记录类别“{shown(evidence['kind'])}”不存在", "reference")
        return
    known = target.schema.get("properties", {})
    match = evidence.get("match") if isinstance(evidence.get("match"), dict) else {}
    for name in match:
        if name not in known:
            cc.add(task.file, ("timing", "evidence", "match", name), f"{target.label}记录没有字段“{shown(name)}”",
                   "reference", key=True)


def _later_period(timing: dict, period: str, day: str) -> bool:
    """A report credited to a period that begins after the report's own date. Any day of a period names it
    (the CMS stores the day picked; ``duban fmt`` writes the first): only the period's start counts."""
    cadence = timing.get("cadence") or timing.get("report_cadence")
    try:
        start = period_of(cadence, dt.date.fromisoformat(period)).start if cadence in CADENCES \
            else dt.date.fromisoformat(period)
        return start > dt.date.fromisoformat(day)
    except ValueError:
        return False  # not a date: the schema says so


def update_rules(cc: CrossChecker, update: Record) -> None:
    data = update.data
    day = _str(data.get("date"))
    if _future(day, cc.today):
        cc.add(update.file, ("date",), f"报送日期 {day} 晚于今天（{cc.today}）；不能报送将来的进展", "future")
    task = cc.ids.get("task", {}).get(data.get("task"))
    if task is None or not isinstance(task.data, dict):
        return
    unit = data.get("unit")
    if unit not in _units(task.data, "lead_units", "partner_units"):
        cc.add(update.file, ("unit",), f"单位“{shown(unit)}”不是任务 {shown(task.data.get('id'))} 的牵头或配合单位",
               "update-unit")
    timing = task.data.get("timing") if isinstance(task.data.get("timing"), dict) else {}
    if "period" in data and timing.get("mode") == "限时":
        cc.add(update.file, ("period",), f"任务 {shown(task.data.get('id'))} 是限时任务，不按周期报送，不填所属周期",
               "update-period")
    elif day and _str(data.get("period")) and _later_period(timing, _str(data.get("period")), day):
        cc.add(update.file, ("period",), f"所属周期 {_str(data.get('period'))} 所在的周期晚于报送日期 {day}；"
               "所属周期只在补报以前周期时填写（填该周期内任一天即可）", "update-period")
    closure = task.data.get("closure") if isinstance(task.data.get("closure"), dict) else {}
    closed = _str(closure.get("date"))
    if day and closed and day > closed:
        cc.add(update.file, ("date",), f"任务 {shown(task.data.get('id'))} 已于 {closed} 销号，之后不能再报送进展"
               f"（本次报送日期 {day}）；如任务需要继续，请督办单位先撤销销号", "after-closure")
