"""Reading one sheet of an imported workbook: the header row found by its text, each cell read for what it
is, and problems located as ``表名!单元格``.

A header may be renamed to a known other name or moved; a missing required column, a column found twice,
merged cells in the table and formulas are refused with the cell named, and no row of a sheet whose
columns cannot be told apart is read. Dates may be real dates or typed as text; a number where a date
belongs, a date with a time of day or text that is no date is refused.
"""

from __future__ import annotations

import datetime as dt
import re

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

from duban.edit.prompts import parse_date


class SheetCells:
    """Reads one sheet: header, cell values, problems located as sheet!cell."""

    def __init__(self, sheet, columns, problems: list[str]):
        self.sheet, self.columns, self.problems = sheet, columns, problems
        self.name = sheet.title
        self.bad: set[str] = set()
        count = len(problems)
        self.header_row, self.index = self._header()
        self.ok = len(problems) == count
        self.letters = {k: get_column_letter(i) for k, i in self.index.items()}
        self.merged = self._merged()

    def problem(self, cell: str, message: str) -> None:
        self.problems.append(f"{self.name}!{cell}: {message}")
        self.bad.add(cell)

    def missing(self, key: str, row: int, message: str) -> None:
        """A required cell left empty (unless its content was already refused)."""
        if self.where(key, row) not in self.bad:
            self.problem(self.where(key, row), message)

    def _header(self) -> tuple[int, dict[str, int]]:
        names = {re.sub(r"\s|\*", "", n): c.key for c in self.columns for n in c.names()}
        best, best_row = {}, None
        for row in range(1, min(self.sheet.max_row, 6) + 1):
            found: dict[str, list[int]] = {}
            for cell in self.sheet[row]:
                if isinstance(cell.value, str) and (key := names.get(re.sub(r"\s|\*", "", cell.value))):
                    found.setdefault(key, []).append(cell.column)
            if len(found) > len(best):
                best, best_row = found, row
        if best_row is None or len(best) < 2:
            self.problem("A1", f"找不到表头：应有“{self.columns[1].header}”等列")
            return 0, {}
        for key, cols in best.items():
            if len(cols) > 1:
                cells = "、".join(f"{get_column_letter(c)}{best_row}" for c in cols)
                self.problem(f"{get_column_letter(cols[0])}{best_row}", f"“{self._header_of(key)}”列出现了多次（{cells}）")
        for column in self.columns:
            if column.required and column.key not in best:
                expected = "、".join(c.header for c in self.columns if c.required)
                self.problem(f"A{best_row}", f"缺少“{column.header}”列（表头可能被改名或删除）；本表应有：{expected}")
        return best_row, {k: v[0] for k, v in best.items()}

    def _header_of(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def _merged(self) -> set[tuple[int, int]]:
        covered = set()
        for merged in self.sheet.merged_cells.ranges:
            if merged.max_row < self.header_row:
                continue  # the title above the table
            self.problem(merged.coord.split(":")[0], f"合并了单元格 {merged.coord}；请取消合并，每格填写各自的内容")
            covered.update((r, c) for r in range(merged.min_row, merged.max_row + 1)
                           for c in range(merged.min_col, merged.max_col + 1))
        return covered

    def rows(self):
        if not self.ok:  # columns that cannot be told apart are never guessed at
            return
        for row in range(self.header_row + 1, self.sheet.max_row + 1):
            values = {k: self.sheet.cell(row, c).value for k, c in self.index.items()}
            if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values.values()):
                yield row, values

    def where(self, key: str, row: int) -> str:
        return f"{self.letters.get(key, 'A')}{row}"

    # typed reads; each returns None and records a problem when the cell is not what it should be

    def _plain(self, key: str, row: int, value):
        if (row, self.index.get(key)) in self.merged:
            return None
        if isinstance(value, ArrayFormula) or (isinstance(value, str) and value.startswith("=")):
            self.problem(self.where(key, row), "单元格是公式；请改为直接填写的内容（复制后用“选择性粘贴—数值”）")
            return None
        return value

    def text(self, key: str, row: int, value) -> str | None:
        value = self._plain(key, row, value)
        if value is None:
            return None
        if isinstance(value, bool):
            self.problem(self.where(key, row), "应为文字")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (dt.date, dt.datetime)):
            self.problem(self.where(key, row), "应为文字，单元格是日期")
            return None
        text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        return text or None

    def date(self, key: str, row: int, value) -> dt.date | None:
        value = self._plain(key, row, value)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, dt.datetime):
            if value.time() != dt.time():
                self.problem(self.where(key, row), f"日期带有时刻（{value:%Y-%m-%d %H:%M}）；只填日期")
                return None
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.problem(self.where(key, row), f"单元格是数字 {value:g}，不是日期；请填写日期，如 2024-03-05")
            return None
        try:
            return parse_date(str(value))
        except ValueError as exc:
            self.problem(self.where(key, row), str(exc))
            return None
