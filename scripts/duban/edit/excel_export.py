"""``duban excel export``: the workbook offices fill in — instructions, the 任务分解表 and a 进展填报表 per
unit with one row per report it owes.

Owed reports come from the engine: a 周期 or 长期坚持 task owes a report from each lead unit for every
period (``owed_periods``) it has not reported on, up to the one under way; an open 限时 task owes its
lead units one row until a lead unit reports it complete. Tasks whose periods are met by another record
(a meeting) are registered as cases, not here.

Id and computed columns are locked (sheet protection, no password: it prevents slips, not tampering);
input cells are unlocked, with dropdowns read from ranges of the hidden 选项 sheet, error alerts on, real
dates, 宋体 set explicitly and A4 landscape printing. The validations are made afresh on every export.
A unit's workbook (``--unit``) shows the breakdown for reference only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from duban.atomic import write_bytes
from duban.edit import excel_layout as L
from duban.edit import excel_sheets as S
from duban.edit.workspace import EditError, Workspace
from duban.engine.snapshot import evaluate
from duban.periods import Period, owed_periods, period_of
from duban.records.model import Task
from duban.zh import natural_key


@dataclass(frozen=True)
class Owed:
    task: Task
    period: Period | None  # None for a 限时 task's progress report
    label: str


def owed_reports(ws: Workspace, unit: str, as_of: dt.date) -> list[Owed]:
    """The progress reports ``unit`` owes as of a date, task by task."""
    repo = ws.repo
    out: list[Owed] = []
    for task in sorted(repo.tasks.values(), key=lambda t: t.id):
        if unit not in task.lead_units or task.closure is not None:
            continue
        timing = task.timing
        if timing.mode == "限时":
            claimed = any(u.state == "已完成" and u.unit in task.lead_units for u in repo.updates_of(task.id))
            if not claimed:
                due = task.extensions[-1].new_due if task.extensions else timing.due
                out.append(Owed(task, None, f"限时任务，完成时限 {due}"))
            continue
        if timing.evidence_kind or not timing.start or timing.start > as_of:
            continue
        credited = {period_of(timing.cadence, u.period or u.date) for u in repo.updates_of(task.id) if u.unit == unit}
        for period in owed_periods(timing.cadence, timing.start, timing.end, as_of):
            if period not in credited:
                out.append(Owed(task, period, period.label(timing.cadence)))
    return out


INSTRUCTIONS = """\
本文件由 duban 于 {as_of} 导出（{scope}）。填好后交办公室导入（duban excel import 本文件.xlsx），记录经校验后才会写入；有问题时整份文件都不写入，并逐条指出“表名!单元格”。
一、进展填报表：每行是一次应报送的进展。只填白色单元格：填报日期、进展状态、进展内容、佐证材料；灰色单元格已锁定，不要修改。
二、填报日期写成 2024-03-05；进展状态从下拉列表中选择（推进中、已完成、受阻）。报告任务完成选“已完成”，并在佐证材料中填写文件链接（多个链接用换行或分号分隔），办公室核实后销号。
三、不要增加、删除、改名或调换列；不要合并单元格；不要填写公式（复制来的内容请“选择性粘贴—数值”）。
四、任务分解表：{breakdown}
五、以会议记录为凭证的周期任务（如每周协调会议）在台账中登记，不在本表填报。
六、记录会公开发布：不得填写群众姓名、身份证号、手机号码、住址。
七、同一文件导入两次不会重复生成记录；已导入的进展如需更正，请联系办公室。"""

BREAKDOWN_OFFICE = ("可修改任务名称、具体措施、牵头单位和配合单位（多个单位用“、”分隔，名称见下拉列表）；"
                    "新增任务填在表末空行，任务编号留空，导入时按所属条款自动编号。限时任务填完成时限、周期留空；"
                    "周期或长期坚持任务选择周期并填写起始日期。已有任务的完成时限和周期不能在表中修改：延期请由牵头单位申请、办公室批准。")
BREAKDOWN_UNIT = "只供查看，本文件导入时不读取任务分解表。"


def workbook_bytes(ws: Workspace, as_of: dt.date, unit: str | None = None) -> bytes:
    repo = ws.repo
    if unit is not None and unit not in repo.units:
        raise EditError(f"单位“{unit}”不存在")
    snapshot = evaluate(repo, as_of)
    plans = sorted(repo.plans.values(), key=lambda p: p.id)
    several = len(plans) > 1
    names = S.unit_names(repo)
    units = sorted(repo.units.values(), key=lambda u: (u.order, u.id))
    states = ws.kind("update").schema["properties"]["state"]["enum"]
    lists = {
        "units": [names[u.id] for u in units],
        "states": list(states),
        "cadences": L.cadence_choices(),
        "clauses": [L.clause_text(p.id, c.id, c.title, several) for p in plans for c in p.clauses],
    }
    wb = Workbook()
    scope = f"{names[unit]}的填报表" if unit else "办公室用，含全部单位"
    S.instructions(wb, INSTRUCTIONS.format(as_of=as_of, scope=scope, breakdown=BREAKDOWN_UNIT if unit else BREAKDOWN_OFFICE))

    office = unit is None
    breakdown = S.Sheet(wb, L.BREAKDOWN, f"任务分解表（截至 {as_of}）", L.BREAKDOWN_COLUMNS, office)
    tasks = sorted(repo.tasks.values(), key=lambda t: natural_key(t.id))
    if unit:
        tasks = [t for t in tasks if unit in t.lead_units or unit in t.partner_units]
    for n, task in enumerate(tasks, 1):
        data = ws.record("task", task.id).data
        values = L.task_row_values(data)
        state = snapshot.tasks[task.id]
        label = state.label
        plan = repo.plans[task.plan]
        clause = plan.clause(task.clause)
        breakdown.add({
            **values, "seq": n, "id": task.id, "clause": L.clause_text(plan.id, clause.id, clause.title, several),
            "lead": "、".join(names[u] for u in task.lead_units), "partner": "、".join(names[u] for u in task.partner_units),
            "due": task.timing.due, "start": task.timing.start if task.timing.mode != "限时" else None,
            "state": label, "check": L.row_check(values),
        })
    if office:
        for _ in range(L.BLANK_ROWS):
            breakdown.add({})
    ranges = S.options(wb, lists, unit, as_of)
    S.breakdown_rules(breakdown, ranges)

    taken = {L.INSTRUCTIONS, L.BREAKDOWN, L.OPTIONS}
    for u in units:
        if unit is not None and u.id != unit:
            continue
        owed = owed_reports(ws, u.id, as_of)
        if not owed and unit is None:
            continue
        name = L.progress_sheet_name(names[u.id], taken)
        taken.add(name)
        sheet = S.Sheet(wb, name, f"{names[u.id]}进展填报表（截至 {as_of}）", L.PROGRESS_COLUMNS, True)
        for n, item in enumerate(owed, 1):
            sheet.add({"seq": n, "task": item.task.id, "title": item.task.title, "unit": u.id, "period": item.label,
                       "period_start": item.period.start if item.period else None,
                       "period_end": item.period.end if item.period else None})
        last = sheet.row - 1
        sheet.validate("date", S.date_rule("填报日期"), last)
        sheet.validate("state", S.list_rule(ranges["states"], "进展状态", "请从下拉列表中选择：" + "、".join(states),
                                            "推进中、已完成（须附佐证材料）或受阻"), last)
        sheet.finish()
    return S.workbook_file(wb, as_of)


def export_workbook(ws: Workspace, out: Path, as_of: dt.date, unit: str | None = None) -> Path:
    return write_bytes(out, workbook_bytes(ws, as_of, unit))
