"""The weekly report as an Excel workbook fit to forward.

``write_xlsx(report, path)`` renders a :class:`~duban.engine.weekly.WeeklyReport`; it never computes
state. One sheet per list of the report, laid out by :mod:`duban.outputs.workbook` (title and 统计截至
rows, borders, a CJK font, 红/黄/绿 fills, print setup). Dates are real dates and never share a column
with text (a cadence has its own column), ids are in natural order. Rebuilding from the same records and
week gives identical bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from duban.atomic import write_bytes
from duban.engine.figures import plan_clause_label
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.outputs.workbook import Level, Percent, ReportBook, add_sheet, workbook_bytes
from duban.zh import ESTIMATED


class WeeklyWorkbook:
    def __init__(self, report: WeeklyReport):
        self.report = report
        self.snap = report.snapshot
        self.wb = ReportBook()

    def units(self, units) -> str:
        return self.snap.repo.unit_names(units)

    def level(self, state) -> Level:
        """A state's label on its level's colour."""
        return Level(state.label, self.snap.settings.colour(state.level))

    def clause(self, s: TaskState) -> str:
        plan = self.snap.repo.plans.get(s.task.plan)
        label = plan_clause_label(self.snap, s.task.plan, s.task.clause)
        try:
            title = plan.clause(s.task.clause).title if plan else ""
        except StopIteration:
            title = ""
        return f"{label}{title}"

    def sheet(self, name: str, headers, rows) -> None:
        add_sheet(self.wb, name, f"{self.report.title}：{name}", self.report.end, headers, rows)

    # --- sheets

    def overview(self) -> None:
        rep = self.report
        rows: list[tuple[str, Any]] = [
            ("报告名称", rep.title),
            ("期号", f"第{rep.issue_no}期" if rep.issue_no else "—"),
            ("周次", rep.week),
            ("统计起始日期", rep.start),
            ("统计截止日期", rep.end),
            ("报告日期", rep.report_date),
            ("编发单位", rep.issuer),
        ]
        for label, value in rep.headline():
            if label == "按期完成率":
                rows.append((label, Percent(rep.total.on_time_rate if rep.total else None)))
            else:
                rows.append((label, int(value) if value.isdigit() else value))
        if rep.estimated:
            rows.append(("说明", f"{ESTIMATED}。"))
        self.sheet("概况", ("指标", "数值"), rows)

    def overdue(self) -> None:
        rows = [(i, s.task.id, s.task.title, self.units([d.unit]), self.units(s.task.partner_units),
                 s.due, d.days_overdue, self.level(d), d.reason)
                for i, (s, d) in enumerate(self.report.overdue_duties, 1)]
        self.sheet("逾期任务", ("序号", "任务编号", "任务名称", "未完成单位", "配合单位", "完成时限", "逾期天数", "状态",
                             "状态说明"), rows)

    def overdue_cases(self) -> None:
        kinds = self.snap.repo.registry.kinds
        rows = [(i, self.units([c.case.unit]), kinds[c.case.kind].label, c.case.id, c.start, c.due, c.days_overdue,
                 c.reason) for i, c in enumerate(self.report.overdue_cases, 1)]
        self.sheet("逾期台账", ("序号", "责任单位", "类别", "编号", "起算日期", "期限", "逾期天数", "说明"), rows)

    def due_soon(self) -> None:
        rows = [(i, s.task.id, s.task.title, self.units(d.unit for d in s.duties if not d.done),
                 self.units(s.task.partner_units), s.due, self.level(s), s.reason)
                for i, s in enumerate(self.report.due_soon, 1)]
        self.sheet("近期到期", ("序号", "任务编号", "任务名称", "牵头单位", "配合单位", "完成时限", "状态", "状态说明"), rows)

    def unit_ranking(self) -> None:
        colour = self.snap.settings.colour
        rows = [(group, f.rank, f.name, f.score, Level(f.level, colour(f.level)), f.tasks.total, f.tasks.closed,
                 f.tasks.pending, len(f.overdue), f.tasks.max_days_overdue, f.missed_periods, f.stale_periods,
                 len(f.overdue_cases), Percent(f.tasks.on_time_rate), "；".join(p.text() for p in f.parts))
                for group, units in self.report.ranking for f in units]
        self.sheet("各单位", ("分组", "排名", "单位", "得分", "等级", "牵头任务", "已销号", "待核销", "逾期", "最长逾期天数",
                           "缺报周期", "滞报周期", "逾期台账", "按期完成率", "扣分情况"), rows)

    def awaiting(self) -> None:
        kinds = self.snap.repo.registry.kinds
        rows = [("任务", s.task.id, s.task.title, self.units([s.verification.office]) if s.verification.office else "",
                 s.verification.since, s.verification.due, s.verification.days_overdue) for s in self.report.awaiting_tasks]
        rows += [(kinds[c.case.kind].label, c.case.id, "", self.units([c.verification.office]) if c.verification.office else "",
                  c.verification.since, c.verification.due, c.verification.days_overdue) for c in self.report.awaiting_cases]
        self.sheet("待核销", ("类别", "编号", "名称", "核销单位", "报告完成", "核销时限", "超期天数"), rows)

    def case_kinds(self) -> None:
        rows = []
        for k in self.report.kinds:
            received, closed, in_limit, open_, overdue, total_closed, rate = k.figures()
            rows.append((k.label, received, closed, in_limit, open_, overdue, k.total.total, total_closed,
                         Percent(rate) if k.has_deadline else None))
        self.sheet("台账统计", ("类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计件数", "累计办结",
                             "按期办结率"), rows)

    def stale_and_missed(self) -> None:
        rows = []
        for word, found in (("滞报", self.report.stale), ("缺报", self.report.missed)):
            for s, d in found:
                p = d.current_miss
                rows.append((word, s.task.id, s.task.title, self.units([d.unit]), p.label(s.task.timing.cadence),
                             p.start, p.end, len(d.misses), d.reason))
        self.sheet("滞报缺报", ("类型", "任务编号", "任务名称", "未报单位", "周期", "周期起", "周期止", "该单位累计周期",
                             "情况说明"), rows)

    def changes(self) -> None:
        rows = [(c.date, c.what, c.subject, c.names, c.text) for c in self.report.changes]
        self.sheet("本周动态", ("日期", "类别", "事项", "单位", "内容"), rows)

    def all_tasks(self) -> None:
        rows = []
        for s in self.snap.tasks.values():  # natural id order
            timing = s.task.timing
            due = s.due if timing.mode == "限时" else None
            cadence = timing.cadence if timing.mode != "限时" else None
            rows.append((s.task.id, self.clause(s), s.task.title, self.units(s.task.lead_units),
                         self.units(s.task.partner_units), timing.mode, due, cadence, self.level(s), s.reason))
        self.sheet("全部任务", ("编号", "条款", "任务名称", "牵头单位", "配合单位", "时限形式", "完成时限", "周期", "状态",
                             "说明"), rows)

    def build(self) -> bytes:
        rep = self.report
        steps: list[Callable[[], None]] = [self.overview, self.overdue, self.overdue_cases, self.due_soon,
                                           self.unit_ranking, self.awaiting, self.case_kinds, self.stale_and_missed,
                                           self.changes, self.all_tasks]
        for step in steps:
            step()
        return workbook_bytes(self.wb, title=rep.title, day=rep.report_date,
                              subject=f"{rep.week}（{rep.start.isoformat()}至{rep.end.isoformat()}）")


def xlsx_bytes(report: WeeklyReport) -> bytes:
    """The workbook's bytes (deterministic for the same records and week)."""
    return WeeklyWorkbook(report).build()


def write_xlsx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as an Excel workbook."""
    return write_bytes(path, xlsx_bytes(report))
