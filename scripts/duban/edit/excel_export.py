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
import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.writer.excel import ExcelWriter

from duban.atomic import normalize_zip, write_bytes
from duban.edit import excel_layout as L
from duban.edit.workspace import EditError, Workspace
from duban.engine.snapshot import evaluate
from duban.periods import Period, owed_periods, period_of
from duban.records.model import Task
from duban.zh import natural_key, width

DATE_FORMAT = "yyyy-mm-dd"
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
EXCEL_EPOCH = dt.date(1899, 12, 30)
LINE_HEIGHT = 14.5  # points per line of 11 pt 宋体


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


def _serial(day: dt.date) -> str:
    return str((day - EXCEL_EPOCH).days)


def _font(bold: bool = False, size: int = 11) -> Font:
    return Font(name=L.FONT, size=size, bold=bold)


def _print_setup(sheet, columns: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    sheet.oddFooter.center.font = L.FONT
    if columns:
        sheet.print_title_rows = f"{L.HEADER_ROW}:{L.HEADER_ROW}"


def _protect(sheet) -> None:
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False  # widths and heights may still be adjusted
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


class _Sheet:
    """A table sheet: a merged title, a header row, rows, locked and unlocked cells, validations."""

    def __init__(self, wb: Workbook, name: str, title: str, columns, editable: bool):
        self.sheet = wb.create_sheet(name)
        self.columns = columns
        self.editable = editable
        self.index = {c.key: i for i, c in enumerate(columns, 1)}
        sheet = self.sheet
        sheet.merge_cells(start_row=L.TITLE_ROW, start_column=1, end_row=L.TITLE_ROW, end_column=len(columns))
        cell = sheet.cell(L.TITLE_ROW, 1, title)
        cell.font = _font(True, 14)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[L.TITLE_ROW].height = 28
        for i, column in enumerate(columns, 1):
            cell = sheet.cell(L.HEADER_ROW, i, column.header)
            cell.font, cell.fill, cell.border = _font(True), HEADER_FILL, BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(i)].width = column.width
            if column.kind == "check":
                sheet.column_dimensions[get_column_letter(i)].hidden = True
        sheet.freeze_panes = sheet.cell(L.FIRST_ROW, 1)
        self.row = L.FIRST_ROW

    def letter(self, key: str) -> str:
        return get_column_letter(self.index[key])

    def add(self, values: dict) -> None:
        lines = 1
        for column in self.columns:
            value = values.get(column.key)
            if column.wrap and isinstance(value, str):  # row heights are not computed on opening: set them
                room = max(1.0, column.width * 1.15)  # CJK glyphs are a little under two digits wide
                lines = max(lines, sum(max(1, math.ceil(width(part) / room)) for part in value.split("\n")))
        self.sheet.row_dimensions[self.row].height = LINE_HEIGHT * lines + 3
        for i, column in enumerate(self.columns, 1):
            value = values.get(column.key)
            cell = self.sheet.cell(self.row, i, value)
            cell.font, cell.border = _font(), BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=column.wrap)
            if column.kind == "date":
                cell.number_format = DATE_FORMAT
            unlocked = self.editable and column.editable
            cell.protection = Protection(locked=not unlocked)
            if not unlocked:
                cell.fill = LOCKED_FILL
        self.row += 1

    def validate(self, key: str, rule: DataValidation, last: int) -> None:
        if self.editable and last >= L.FIRST_ROW:
            rule.add(f"{self.letter(key)}{L.FIRST_ROW}:{self.letter(key)}{last}")
            self.sheet.add_data_validation(rule)


def _list_rule(source: str, title: str, error: str, prompt: str, style: str = "stop") -> DataValidation:
    return DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False, showErrorMessage=True,
                          errorStyle=style, errorTitle=title, error=error, showInputMessage=True, promptTitle=title,
                          prompt=prompt)


def _date_rule(title: str) -> DataValidation:
    return DataValidation(type="date", operator="between", formula1=_serial(dt.date(2000, 1, 1)),
                          formula2=_serial(dt.date(2099, 12, 31)), allow_blank=True, showErrorMessage=True,
                          errorStyle="stop", errorTitle=title, error="请输入日期，如 2024-03-05", showInputMessage=True,
                          promptTitle=title, prompt="日期，如 2024-03-05")


def _options(wb: Workbook, lists: dict[str, list[str]], unit: str | None, as_of: dt.date) -> dict[str, str]:
    """The hidden 选项 sheet; returns each list's range for the validations."""
    sheet = wb.create_sheet(L.OPTIONS)
    sheet.sheet_state = "hidden"
    titles = {"units": "单位", "states": "进展状态", "cadences": "周期", "clauses": "所属条款"}
    ranges = {}
    for key, letter in L.OPTION_COLUMNS.items():
        values = lists[key]
        sheet[f"{letter}1"] = titles[key]
        for i, value in enumerate(values, 2):
            sheet[f"{letter}{i}"] = value
        ranges[key] = f"'{L.OPTIONS}'!${letter}$2:${letter}${max(2, len(values) + 1)}"
    meta = L.META_COLUMN
    for row, value in enumerate((L.MARK, L.FORMAT_VERSION, unit or "", as_of.isoformat()), 1):
        sheet[f"{meta}{row}"] = value
    _protect(sheet)
    return ranges


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
    names = {u.id: u.short_name for u in repo.units.values()}
    if len(set(names.values())) < len(names):  # a short name shared by two units: use full names
        names = {u.id: u.name for u in repo.units.values()}
    units = sorted(repo.units.values(), key=lambda u: (u.order, u.id))
    states = ws.kind("update").schema["properties"]["state"]["enum"]
    lists = {
        "units": [names[u.id] for u in units],
        "states": list(states),
        "cadences": L.cadence_choices(),
        "clauses": [L.clause_text(p.id, c.id, c.title, several) for p in plans for c in p.clauses],
    }
    wb = Workbook()
    intro = wb.active
    intro.title = L.INSTRUCTIONS
    scope = f"{names[unit]}的填报表" if unit else "办公室用，含全部单位"
    text = INSTRUCTIONS.format(as_of=as_of, scope=scope, breakdown=BREAKDOWN_UNIT if unit else BREAKDOWN_OFFICE)
    intro.column_dimensions["A"].width = 110
    for row, line in enumerate(text.splitlines(), 1):
        cell = intro.cell(row, 1, line)
        cell.font = _font(row == 1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _print_setup(intro, 0)
    _protect(intro)

    office = unit is None
    breakdown = _Sheet(wb, L.BREAKDOWN, f"任务分解表（截至 {as_of}）", L.BREAKDOWN_COLUMNS, office)
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
    last = breakdown.row - 1
    ranges = _options(wb, lists, unit, as_of)
    breakdown.validate("clause", _list_rule(ranges["clauses"], "所属条款", "请从下拉列表中选择条款", "新任务须选择所属条款"), last)
    for key in ("lead", "partner"):
        breakdown.validate(key, _list_rule(ranges["units"], "单位", "单位名称须与下拉列表一致；多个单位用“、”分隔时可点“是”继续",
                                           "从列表选择；多个单位用“、”分隔", style="warning"), last)
    breakdown.validate("cadence", _list_rule(ranges["cadences"], "周期", "请从下拉列表中选择周期；限时任务留空",
                                             "限时任务留空；周期任务选择周期"), last)
    for key in ("due", "start"):
        breakdown.validate(key, _date_rule("日期"), last)
    _print_setup(breakdown.sheet, len(L.BREAKDOWN_COLUMNS))
    _protect(breakdown.sheet)

    taken = {L.INSTRUCTIONS, L.BREAKDOWN, L.OPTIONS}
    for u in units:
        if unit is not None and u.id != unit:
            continue
        owed = owed_reports(ws, u.id, as_of)
        if not owed and unit is None:
            continue
        name = L.progress_sheet_name(names[u.id], taken)
        taken.add(name)
        sheet = _Sheet(wb, name, f"{names[u.id]}进展填报表（截至 {as_of}）", L.PROGRESS_COLUMNS, True)
        for n, item in enumerate(owed, 1):
            sheet.add({"seq": n, "task": item.task.id, "title": item.task.title, "unit": u.id, "period": item.label,
                       "period_start": item.period.start if item.period else None,
                       "period_end": item.period.end if item.period else None})
        last = sheet.row - 1
        sheet.validate("date", _date_rule("填报日期"), last)
        sheet.validate("state", _list_rule(ranges["states"], "进展状态", "请从下拉列表中选择：" + "、".join(states),
                                           "推进中、已完成（须附佐证材料）或受阻"), last)
        _print_setup(sheet.sheet, len(L.PROGRESS_COLUMNS))
        _protect(sheet.sheet)
    wb.move_sheet(L.OPTIONS, offset=len(wb.sheetnames))
    moment = dt.datetime.combine(as_of, dt.time())
    wb.properties.created = wb.properties.modified = moment
    wb.properties.creator = "duban"
    wb.properties.language = "zh-CN"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # wb.save() would stamp "modified" with the time of day
    return normalize_zip(buffer.getvalue())


def export_workbook(ws: Workspace, out: Path, as_of: dt.date, unit: str | None = None) -> Path:
    return write_bytes(out, workbook_bytes(ws, as_of, unit))
