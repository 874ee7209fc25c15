"""Workbooks fit to forward: the sheet layout every duban report workbook shares (XlsxWriter).

Each sheet has a title row and "统计截至 YYYY年M月D日", then a header row (bold, shaded, repeated
on every printed page), borders on every cell, a CJK font set explicitly (宋体), dates as real
dates, rates as numbers formatted 0.0%, levels as cell fills, and print setup for A4 landscape,
one page wide, with the sheet's name and page numbers in the footer. A two-column summary sheet
gets no AutoFilter. ``workbook_bytes`` gives identical bytes for identical content.

The report workbooks are only written, never read back by duban, so they are made with XlsxWriter, which
streams the cells out (about three times faster than building them in openpyxl: a weekly issue at 100,000
cases lists thousands of overdue ones). The fill-in workbooks that duban reads back (``edit/``) stay on openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any, Sequence

import xlsxwriter

from duban.atomic import normalize_zip
from duban.outputs.escape import formula_like, xlsx
from duban.zh import cn_date, width

FONT = "宋体"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 40  # characters; longer text wraps
HEADER_FILL = "#D9D9D9"
BORDER_COLOUR = "#808080"
HEADER_ROW = 3  # title, 统计截至, then the header (1-based, as Excel shows it)


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


class ReportBook:
    """One workbook being written: sheets are added in order (``add_sheet``), then ``workbook_bytes``."""

    def __init__(self):
        self.out = io.BytesIO()
        # strings stay strings (never read as formulas, numbers or links): every cell is written by its type
        self.book = xlsxwriter.Workbook(self.out, {"in_memory": True, "strings_to_formulas": False,
                                                  "strings_to_numbers": False, "strings_to_urls": False})
        self._formats: dict[tuple, Any] = {}
        self.cells: dict[tuple, tuple] = {}  # (type, value) -> how it is written (``_cell``)
        self.sheets = 0

    def style(self, key: tuple):
        """A cell format by what the cell needs (made once per workbook)."""
        if key not in self._formats:
            self._formats[key] = self.book.add_format(dict(key))
        return self._formats[key]


def _cell(book: ReportBook, value: Any) -> tuple[float, str, Any, Any]:
    """How a value is written: (the width it needs, the kind of cell, what is written, its format). A value
    depends on nothing else, so it is worked out once per workbook (units, labels and dates repeat by the
    thousand in a list of overdue cases)."""
    needed = display_width(value)
    shown = cell_value(value)
    quoted = isinstance(shown, str) and formula_like(shown)
    fmt = book.style(_body_key(value, quoted, isinstance(value, str) and needed > MAX_WIDTH))
    if shown is None or shown == "":  # an empty cell, bordered like the others
        return needed, "blank", None, fmt
    if isinstance(shown, str):
        return needed, "string", shown, fmt
    if isinstance(shown, bool):
        return needed, "boolean", shown, fmt
    if isinstance(shown, (int, float)):
        return needed, "number", shown, fmt
    if isinstance(shown, dt.datetime):
        return needed, "datetime", shown, fmt
    if isinstance(shown, dt.date):
        return needed, "datetime", dt.datetime.combine(shown, dt.time()), fmt
    return needed, "string", xlsx(str(shown)), fmt


def _body_key(value: Any, quoted: bool, wrap: bool) -> tuple:
    key = [("font_name", FONT), ("font_size", 10), ("border", 1), ("border_color", BORDER_COLOUR), ("valign", "top")]
    if wrap:
        key.append(("text_wrap", True))
    if quoted:
        key.append(("quote_prefix", True))
    if isinstance(value, dt.date):
        key.append(("num_format", DATE_FORMAT))
    elif isinstance(value, Percent):
        key.append(("num_format", PERCENT_FORMAT))
    elif isinstance(value, Level):
        key += [("pattern", 1), ("bg_color", "#" + _light(value.colour))]
    return tuple(key)


def add_sheet(book: ReportBook, name: str, title: str, as_of: dt.date, headers: Sequence[str],
              rows: Sequence[Sequence[Any]]) -> None:
    """One sheet laid out to be read on screen and printed (see the module's description)."""
    ws = book.book.add_worksheet(name)
    book.sheets += 1
    columns = len(headers)
    top = book.style((("font_name", FONT), ("font_size", 14), ("bold", True), ("align", "center"), ("valign", "vcenter")))
    asof = book.style((("font_name", FONT), ("font_size", 10), ("font_color", "#595959"), ("align", "right")))
    for row, text, fmt in ((0, xlsx(title), top), (1, f"统计截至{cn_date(as_of)}", asof)):
        if columns > 1:
            ws.merge_range(row, 0, row, columns - 1, text, fmt)
        else:
            ws.write_string(row, 0, text, fmt)
    head = book.style((("font_name", FONT), ("font_size", 10), ("bold", True), ("pattern", 1), ("bg_color", HEADER_FILL),
                       ("border", 1), ("border_color", BORDER_COLOUR), ("align", "center"), ("valign", "vcenter"),
                       ("text_wrap", True)))
    h = HEADER_ROW - 1
    for c, text in enumerate(headers):
        ws.write_string(h, c, xlsx(text), head)
    widths = [display_width(text) for text in headers]
    writers = {"blank": ws.write_blank, "string": ws.write_string, "boolean": ws.write_boolean,
               "number": ws.write_number, "datetime": ws.write_datetime}
    for r, row in enumerate(rows, start=HEADER_ROW):
        for c, value in enumerate(row):
            key = (type(value), value)  # the type too: True, 1 and 1.0 are equal keys of a dict
            try:
                cell = book.cells.get(key)
                if cell is None:
                    cell = book.cells[key] = _cell(book, value)
            except TypeError:  # a value that cannot be a key
                cell = _cell(book, value)
            needed, how, shown, fmt = cell
            if needed > widths[c]:
                widths[c] = needed
            writers[how](r, c, shown, fmt)
    for c, needed in enumerate(widths):
        ws.set_column(c, c, min(MAX_WIDTH, needed + 2))
    ws.freeze_panes(HEADER_ROW, 0)
    if columns > 2 and rows:
        ws.autofilter(h, 0, h + len(rows), columns - 1)
    _print_setup(ws, name)


def _print_setup(ws, name: str) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it needs
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer(f"&C&9{name.replace('&', '&&')}　第 &P 页，共 &N 页")
    ws.center_horizontally()


def workbook_bytes(book: ReportBook, *, title: str, subject: str, day: dt.date) -> bytes:
    """The workbook's bytes, dated ``day`` (never the current time)."""
    stamp = dt.datetime.combine(day, dt.time())
    book.book.set_properties({"title": title, "subject": subject, "author": "duban", "created": stamp})
    book.book.close()
    return normalize_zip(book.out.getvalue())
