"""Workbooks fit to forward: the sheet layout every duban workbook shares (openpyxl).

Each sheet has a title row and "统计截至 YYYY年M月D日", then a header row (bold, shaded, repeated
on every printed page), borders on every cell, a CJK font set explicitly (宋体), dates as real
dates, rates as numbers formatted 0.0%, levels as cell fills, and print setup for A4 landscape,
one page wide, with the sheet's name and page numbers in the footer. A two-column summary sheet
gets no AutoFilter. ``workbook_bytes`` gives identical bytes for identical content.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from copy import copy
from dataclasses import dataclass
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from duban.atomic import normalize_zip
from duban.outputs.escape import xlsx, xlsx_text
from duban.zh import cn_date, width

FONT = "宋体"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 40  # characters; longer text wraps
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 3  # title, 统计截至, then the header


@dataclass(frozen=True)
class Percent:
    """A rate in 0..1 (or None when nothing has come due) shown as a percentage."""

    value: float | None


@dataclass(frozen=True)
class Level:
    """A cell shown on its level's colour (红/黄/绿): ``text`` on a light fill of ``colour`` (#rrggbb)."""

    text: str
    colour: str


def _light(colour: str) -> str:
    """A light tint of a colour, so that black text stays readable on it."""
    c = colour.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(v + (255 - v) * 0.7):02X}" for v in (r, g, b))


def display_width(value: Any) -> float:
    """Column width a value needs: CJK and full-width characters count double."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Percent):
        return 6
    if isinstance(value, Level):
        return width(value.text)
    text = str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return width(longest)


def cell_value(value: Any) -> Any:
    if isinstance(value, Percent):
        return value.value
    if isinstance(value, Level):
        return value.text
    return xlsx(value)  # characters a cell cannot hold are shown, not written


def add_sheet(wb: Workbook, name: str, title: str, as_of: dt.date, headers: Sequence[str],
              rows: Sequence[Sequence[Any]]) -> Worksheet:
    """One sheet laid out to be read on screen and printed (see the module's description)."""
    ws = wb.create_sheet(name)
    columns = len(headers)
    last = get_column_letter(columns)
    ws.append([title])
    ws.append([f"统计截至{cn_date(as_of)}"])
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].font = Font(name=FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws["A2"].font = Font(name=FONT, size=10, color="595959")
    ws["A2"].alignment = Alignment(horizontal="right")
    ws.append(list(headers))
    for row in rows:
        ws.append([cell_value(v) for v in row])
    body = Font(name=FONT, size=10)
    for cell in ws[HEADER_ROW]:
        cell.font = Font(name=FONT, size=10, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [display_width(h) for h in headers]
    # a body cell's style follows from a few facts about its value; the first cell with those facts is styled
    # through openpyxl's API and the others take a copy of its style indices (assigning each attribute hashes
    # the style object again: most of the time of a sheet of thousands of rows)
    styled: dict[tuple, StyleArray] = {}
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row, start=1):
            needed = display_width(value)
            widths[c - 1] = max(widths[c - 1], needed)
            cell = ws.cell(row=r, column=c)
            quoted = xlsx_text(cell)  # text that looks like a formula stays text
            wrap = isinstance(value, str) and needed > MAX_WIDTH
            key = (quoted, wrap, isinstance(value, dt.date), isinstance(value, Percent),
                   value.colour if isinstance(value, Level) else None)
            if key in styled:
                cell._style = copy(styled[key])
                continue
            cell.font = body
            cell.border = BOX
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Percent):
                cell.number_format = PERCENT_FORMAT
            elif isinstance(value, Level):
                cell.fill = PatternFill("solid", fgColor=_light(value.colour))
            styled[key] = copy(cell._style)
    for c, needed in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, needed + 2)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    if columns > 2 and rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    _print_setup(ws, name)
    return ws


def _print_setup(ws: Worksheet, name: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as it needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = f"{name}　第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.print_options.horizontalCentered = True


def workbook_bytes(wb: Workbook, *, title: str, subject: str, day: dt.date) -> bytes:
    """The workbook's bytes, dated ``day`` (openpyxl's save_workbook() would stamp the current time)."""
    wb.active = 0
    stamp = dt.datetime.combine(day, dt.time())
    props = wb.properties
    props.creator = "duban"
    props.lastModifiedBy = "duban"
    props.created = stamp
    props.modified = stamp
    props.lastPrinted = stamp
    props.title = title
    props.subject = subject
    props.language = "zh-CN"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    return normalize_zip(out.getvalue())
