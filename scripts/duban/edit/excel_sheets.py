"""The parts every fill-in workbook shares (the export's and the draft breakdown of an imported plan): the
instructions sheet, table sheets with locked and unlocked cells, the hidden 选项 sheet with its dropdown
lists, the 任务分解表's validations, A4 landscape printing and the dated, reproducible file.

Validations are made afresh for every workbook: openpyxl drops some validation extensions when it reads a
file back, so a workbook is never edited in place.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.writer.excel import ExcelWriter

from duban.atomic import normalize_zip
from duban.edit import excel_layout as L
from duban.zh import width

DATE_FORMAT = "yyyy-mm-dd"
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
EXCEL_EPOCH = dt.date(1899, 12, 30)
LINE_HEIGHT = 14.5  # points per line of 11 pt 宋体


def serial(day: dt.date) -> str:
    return str((day - EXCEL_EPOCH).days)


def font(bold: bool = False, size: int = 11) -> Font:
    return Font(name=L.FONT, size=size, bold=bold)


def print_setup(sheet, columns: int) -> None:
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


def protect(sheet) -> None:
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False  # widths and heights may still be adjusted
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def instructions(wb: Workbook, text: str) -> None:
    """The first sheet: one line of ``text`` per row, the first in bold."""
    intro = wb.active
    intro.title = L.INSTRUCTIONS
    intro.column_dimensions["A"].width = 110
    for row, line in enumerate(text.splitlines(), 1):
        cell = intro.cell(row, 1, line)
        cell.font = font(row == 1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    print_setup(intro, 0)
    protect(intro)


class Sheet:
    """A table sheet: a merged title, a header row, rows, locked and unlocked cells, validations."""

    def __init__(self, wb: Workbook, name: str, title: str, columns, editable: bool):
        self.sheet = wb.create_sheet(name)
        self.columns = columns
        self.editable = editable
        self.index = {c.key: i for i, c in enumerate(columns, 1)}
        sheet = self.sheet
        sheet.merge_cells(start_row=L.TITLE_ROW, start_column=1, end_row=L.TITLE_ROW, end_column=len(columns))
        cell = sheet.cell(L.TITLE_ROW, 1, title)
        cell.font = font(True, 14)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.row_dimensions[L.TITLE_ROW].height = 28
        for i, column in enumerate(columns, 1):
            cell = sheet.cell(L.HEADER_ROW, i, column.header)
            cell.font, cell.fill, cell.border = font(True), HEADER_FILL, BORDER
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
            cell.font, cell.border = font(), BORDER
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

    def finish(self) -> None:
        print_setup(self.sheet, len(self.columns))
        protect(self.sheet)


def list_rule(source: str, title: str, error: str, prompt: str, style: str = "stop") -> DataValidation:
    return DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False, showErrorMessage=True,
                          errorStyle=style, errorTitle=title, error=error, showInputMessage=True, promptTitle=title,
                          prompt=prompt)


def date_rule(title: str) -> DataValidation:
    return DataValidation(type="date", operator="between", formula1=serial(dt.date(2000, 1, 1)),
                          formula2=serial(dt.date(2099, 12, 31)), allow_blank=True, showErrorMessage=True,
                          errorStyle="stop", errorTitle=title, error="请输入日期，如 2024-03-05", showInputMessage=True,
                          promptTitle=title, prompt="日期，如 2024-03-05")


def unit_names(repo) -> dict[str, str]:
    """unit id -> the name shown in the workbook: short names, or full names when two units share a short one."""
    names = {u.id: u.short_name for u in repo.units.values()}
    if len(set(names.values())) < len(names):
        names = {u.id: u.name for u in repo.units.values()}
    return names


def options(wb: Workbook, lists: dict[str, list[str]], unit: str | None, as_of: dt.date) -> dict[str, str]:
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
    protect(sheet)
    return ranges


def breakdown_rules(sheet: Sheet, ranges: dict[str, str]) -> None:
    """The 任务分解表's dropdowns and date checks, down to its last row."""
    last = sheet.row - 1
    sheet.validate("clause", list_rule(ranges["clauses"], "所属条款", "请从下拉列表中选择条款", "新任务须选择所属条款"), last)
    for key in ("lead", "partner"):
        sheet.validate(key, list_rule(ranges["units"], "单位", "单位名称须与下拉列表一致；多个单位用“、”分隔时可点“是”继续",
                                      "从列表选择；多个单位用“、”分隔", style="warning"), last)
    sheet.validate("cadence", list_rule(ranges["cadences"], "周期", "请从下拉列表中选择周期；限时任务留空",
                                        "限时任务留空；周期任务选择周期"), last)
    for key in ("due", "start"):
        sheet.validate(key, date_rule("日期"), last)
    sheet.finish()


def workbook_file(wb: Workbook, day: dt.date) -> bytes:
    """The workbook's bytes, the 选项 sheet last, dated ``day``: the same records give the same file."""
    wb.move_sheet(L.OPTIONS, offset=len(wb.sheetnames))
    moment = dt.datetime.combine(day, dt.time())
    wb.properties.created = wb.properties.modified = moment
    wb.properties.creator = "duban"
    wb.properties.language = "zh-CN"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # wb.save() would stamp "modified" with the time of day
    return normalize_zip(buffer.getvalue())
