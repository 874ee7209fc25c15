"""The weekly report as an Excel workbook (openpyxl).

``write_xlsx(report, path)`` renders a :class:`~duban.weekly.WeeklyReport`; it never
computes state. One sheet per list of the report, each with a bold frozen header
row and an AutoFilter; dates are real Excel dates (``yyyy-mm-dd``), rates are
numbers formatted ``0.0%``, counts are integers. Rebuilding from the same
records and week gives identical bytes: the workbook is dated the report day
and the zip is normalised by :func:`duban.atomic.normalize_zip`.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from duban.atomic import normalize_zip, write_bytes
from duban.engine.figures import plan_clause_label
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.outputs.escape import xlsx, xlsx_text
from duban.zh import ESTIMATED, width

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MAX_WIDTH = 60
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")

@dataclass(frozen=True)
class Percent:
    """A rate in 0..1 (or None when nothing has come due) shown as a percentage."""

    value: float | None


def display_width(value: Any) -> float:
    """Column width a value needs: CJK and full-width characters count double."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Percent):
        return 6
    text = str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return width(longest)


def _sheet(wb: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append(list(headers))
    for row in rows:
        ws.append([xlsx(r.value if isinstance(r, Percent) else r) for r in row])
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
    widths = [display_width(h) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            widths[c - 1] = max(widths[c - 1], display_width(value))
            cell = ws.cell(row=r, column=c)
            xlsx_text(cell)  # text that looks like a formula stays text
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, Percent):
                cell.number_format = PERCENT_FORMAT
    for c, needed in enumerate(widths, start=1):
        size = min(MAX_WIDTH, needed + 2)
        ws.column_dimensions[get_column_letter(c)].width = size
        if size >= MAX_WIDTH:  # long text wraps in its capped column
            for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows) + 1)}"
    return ws


class _Writer:
    def __init__(self, report: WeeklyReport):
        self.report = report
        self.snap = report.snapshot

    def units(self, units) -> str:
        return self.snap.repo.unit_names(units)

    def clause(self, s: TaskState) -> str:
        plan = self.snap.repo.plans.get(s.task.plan)
        label = plan_clause_label(self.snap, s.task.plan, s.task.clause)
        try:
            title = plan.clause(s.task.clause).title if plan else ""
        except StopIteration:
            title = ""
        return f"{label}{title}"

    # --- sheets

    def overview(self, wb: Workbook) -> None:
        rep = self.report
        rows: list[tuple[str, Any]] = [
            ("报告名称", rep.title),
            ("周次", rep.week),
            ("统计起始日期", rep.start),
            ("统计截止日期", rep.end),
            ("报告日期", rep.report_date),
            ("发文单位", rep.issuer),
        ]
        for label, value in rep.headline():
            if label == "按期完成率":
                rows.append((label, Percent(rep.total.on_time_rate if rep.total else None)))
            else:
                rows.append((label, int(value) if value.isdigit() else value))
        if rep.estimated:
            rows.append(("说明", f"{ESTIMATED}。"))
        _sheet(wb, "概况", ("指标", "数值"), rows)

    def overdue(self, wb: Workbook) -> None:
        rows = [(i, s.task.id, s.task.title, self.units(s.task.lead_units), self.units(s.task.partner_units),
                 s.due, s.days_overdue, s.reason)
                for i, s in enumerate(self.report.overdue, 1)]
        _sheet(wb, "逾期任务", ("序号", "任务编号", "任务名称", "牵头单位", "配合单位", "完成时限", "逾期天数", "状态说明"), rows)

    def due_soon(self, wb: Workbook) -> None:
        rows = [(i, s.task.id, s.task.title, self.units(s.task.lead_units), self.units(s.task.partner_units),
                 s.due, s.label, s.reason)
                for i, s in enumerate(self.report.due_soon, 1)]
        _sheet(wb, "近期到期", ("序号", "任务编号", "任务名称", "牵头单位", "配合单位", "完成时限", "状态", "状态说明"), rows)

    def unit_ranking(self, wb: Workbook) -> None:
        rows = [(i, t.name, t.total, t.closed, t.closed_on_time, t.overdue, t.max_days_overdue, t.due_soon, t.lagging,
                 Percent(t.on_time_rate))
                for i, t in enumerate(self.report.units, 1)]
        _sheet(wb, "各单位", ("排名", "单位", "牵头任务", "已销号", "按期销号", "逾期", "最长逾期天数", "临期", "滞报缺报",
                             "按期完成率"), rows)

    def case_kinds(self, wb: Workbook) -> None:
        rows = []
        for k in self.report.kinds:
            received, closed, in_limit, open_, overdue, total_closed, rate = k.figures()
            rows.append((k.label, received, closed, in_limit, open_, overdue, k.total.total, total_closed,
                         Percent(rate) if k.has_deadline else None))
        _sheet(wb, "台账统计", ("类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计件数", "累计办结",
                               "按期办结率"), rows)

    def stale_and_missed(self, wb: Workbook) -> None:
        rows = []
        for s in self.report.stale:
            for m in s.current_misses:
                rows.append(("滞报", s.task.id, s.task.title, self.units([m.unit]), m.period.label(s.task.timing.cadence),
                             m.period.start, m.period.end, s.reason))
        for s, m in self.report.missed:
            rows.append(("缺报", s.task.id, s.task.title, self.units([m.unit]), m.period.label(s.task.timing.cadence),
                         m.period.start, m.period.end, s.reason))
        _sheet(wb, "滞报缺报", ("类型", "任务编号", "任务名称", "未报单位", "周期", "周期起", "周期止", "情况说明"), rows)

    def changes(self, wb: Workbook) -> None:
        rows = [(c.date, c.what, c.subject, c.names, c.text) for c in self.report.changes]
        _sheet(wb, "本周动态", ("日期", "类别", "事项", "单位", "内容"), rows)

    def all_tasks(self, wb: Workbook) -> None:
        rows = []
        for tid in sorted(self.snap.tasks):
            s = self.snap.tasks[tid]
            timing = s.task.timing
            when: Any = s.due if timing.mode == "限时" else (timing.cadence or s.task.deadline_text)
            rows.append((tid, self.clause(s), s.task.title, self.units(s.task.lead_units),
                         self.units(s.task.partner_units), timing.mode, when, s.label, s.level, s.reason))
        _sheet(wb, "全部任务", ("编号", "条款", "任务名称", "牵头单位", "配合单位", "时限形式", "完成时限/周期", "状态",
                               "预警等级", "说明"), rows)

    def build(self) -> bytes:
        rep = self.report
        wb = Workbook()
        wb.remove(wb.active)
        steps: list[Callable[[Workbook], None]] = [self.overview, self.overdue, self.due_soon, self.unit_ranking,
                                                   self.case_kinds, self.stale_and_missed, self.changes, self.all_tasks]
        for step in steps:
            step(wb)
        wb.active = 0
        stamp = dt.datetime.combine(rep.report_date, dt.time())
        props = wb.properties
        props.creator = "duban"
        props.lastModifiedBy = "duban"
        props.created = stamp
        props.modified = stamp
        props.lastPrinted = stamp
        props.title = rep.title
        props.subject = f"{rep.week}（{rep.start.isoformat()}至{rep.end.isoformat()}）"
        props.language = "zh-CN"
        out = io.BytesIO()
        # openpyxl's save_workbook() stamps "modified" with the current time; the writer does not
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            ExcelWriter(wb, archive).save()
        return normalize_zip(out.getvalue())


def xlsx_bytes(report: WeeklyReport) -> bytes:
    """The workbook's bytes (deterministic for the same records and week)."""
    return _Writer(report).build()


def write_xlsx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as an Excel workbook."""
    return write_bytes(path, xlsx_bytes(report))
