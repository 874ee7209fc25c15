"""The weekly report as a Word document: what it says, section by section.

``write_docx(report, path)`` renders a :class:`~duban.engine.weekly.WeeklyReport`
on the 公文 primitives of :mod:`duban.outputs.gongwen` (page, fonts, headings,
tables, signature); it never computes state. The bytes are deterministic for the
same records and week.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from duban.atomic import write_bytes
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.outputs.gongwen.document import NONE, GongwenDocument
from duban.zh import ESTIMATED, cn_date, cn_number, percent

MAX_CHANGES = 60  # 本周动态 entries shown before "另有 N 条"


def week_line(report: WeeklyReport) -> str:
    """（2024年第23周：6月3日—6月9日）; years shown on both ends when the week spans two."""
    year, week = report.week.split("-W")
    s, e = report.start, report.end
    if s.year == e.year == int(year):
        span = f"{s.month}月{s.day}日—{e.month}月{e.day}日"
    else:
        span = f"{cn_date(s)}—{cn_date(e)}"
    return f"（{year}年第{int(week)}周：{span}）"


def _end(text: str) -> str:
    """Text ending with sentence punctuation."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？", "；", "：")) else text + "。"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


class _Writer(GongwenDocument):
    """The weekly report's content, section by section, on the 公文 primitives."""

    def __init__(self, report: WeeklyReport):
        super().__init__()
        self.report = report
        self.snap = report.snapshot

    def units(self, units: Sequence[str]) -> str:
        return self.snap.repo.unit_names(units)

    def task_line(self, s: TaskState) -> str:
        return _end(f"{s.task.id} {s.task.title}（{self.units(s.task.lead_units)}）：{s.reason}")

    # --- sections

    def heading_block(self) -> None:
        self.title(self.report.title, week_line(self.report))  # the week as a 3号楷体 subtitle

    def overview(self) -> None:
        rep = self.report
        self.heading(1, "一、总体情况")
        parts = [f"{label} {value}" + (" 项" if value.isdigit() else "") for label, value in rep.headline()]
        self.body(f"主要指标：{'，'.join(parts)}。")
        for line in rep.summary_lines():
            self.body(_end(line))

    def new_this_week(self) -> None:
        rep = self.report
        self.heading(1, "二、本周新销号和新增逾期任务")
        self.heading(2, f"（一）本周新销号任务（{len(rep.newly_closed)} 项）")
        self.items(self.task_line(s) for s in rep.newly_closed)
        self.heading(2, f"（二）本周新增逾期任务（{len(rep.newly_overdue)} 项）")
        self.items(self.task_line(s) for s in rep.newly_overdue)

    def overdue(self) -> None:
        rep = self.report
        self.heading(1, "三、逾期未完成任务")
        if not rep.overdue:
            self.body(NONE)
            return
        self.body(f"截至{cn_date(rep.as_of)}，逾期未完成任务 {len(rep.overdue)} 项，按逾期天数由长到短排列如下：")
        rows = [(str(i), s.task.id, s.task.title, self.units(s.task.lead_units), _iso(s.due), str(s.days_overdue), s.reason)
                for i, s in enumerate(rep.overdue, 1)]
        self.table(OVERDUE_HEADERS, rows, (10, 22, 36, 22, 23, 13, 30), (True, True, False, False, True, True, False))

    def due_soon(self) -> None:
        rep = self.report
        days = self.snap.settings.upcoming_days
        self.heading(1, "四、近期到期任务")
        if not rep.due_soon:
            self.body(NONE)
            return
        self.body(f"未来 {days} 天内（至{cn_date(rep.as_of + dt.timedelta(days=days))}）到期的任务 {len(rep.due_soon)} 项：")
        rows = [(str(i), s.task.id, s.task.title, self.units(s.task.lead_units), _iso(s.due), s.reason)
                for i, s in enumerate(rep.due_soon, 1)]
        self.table(("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "状态说明"), rows,
                   (10, 22, 42, 24, 23, 35), (True, True, False, False, True, False))

    def stale_and_missed(self) -> None:
        rep = self.report
        self.heading(1, "五、滞报和缺报")
        headers = ("序号", "任务编号", "任务名称", "未报单位", "情况说明")
        widths = (10, 22, 40, 34, 50)
        centred = (True, True, False, False, False)
        self.heading(2, f"（一）滞报任务（{len(rep.stale)} 项）")
        if rep.stale:
            rows = [(str(i), s.task.id, s.task.title, self.units([m.unit for m in s.current_misses]), s.reason)
                    for i, s in enumerate(rep.stale, 1)]
            self.table(headers, rows, widths, centred)
        else:
            self.body(NONE)
        by_task: dict[str, tuple[TaskState, list[str]]] = {}
        for s, miss in rep.missed:
            by_task.setdefault(s.task.id, (s, []))[1].append(miss.unit)
        self.heading(2, f"（二）缺报（{len(by_task)} 项任务，{len(rep.missed)} 个单位次）")
        if by_task:
            rows = [(str(i), s.task.id, s.task.title, self.units(units), s.reason)
                    for i, (s, units) in enumerate(by_task.values(), 1)]
            self.table(("序号", "任务编号", "任务名称", "缺报单位", "情况说明"), rows, widths, centred)
        else:
            self.body(NONE)

    def unit_ranking(self) -> None:
        rep = self.report
        self.heading(1, "六、各单位落实情况")
        if not rep.units:
            self.body(NONE)
            return
        self.body("按逾期任务数由多到少、按期完成率由低到高排列（只计牵头任务）：")
        rows = [(str(i), t.name, str(t.total), str(t.closed), str(t.overdue), str(t.max_days_overdue), str(t.lagging),
                 percent(t.on_time_rate))
                for i, t in enumerate(rep.units, 1)]
        self.table(UNIT_HEADERS, rows, (12, 38, 16, 16, 14, 22, 18, 20), (True, False) + (True,) * 6)

    def case_kinds(self) -> None:
        rep = self.report
        self.heading(1, "七、台账统计")
        if not rep.kinds:
            self.body(NONE)
            return
        rows = [(k.label, *("—" if v is None else str(v) for v in k.figures()[:-1]),
                 percent(k.figures()[-1]) if k.has_deadline else "—")
                for k in rep.kinds]
        self.table(KIND_HEADERS, rows, (34, 16, 16, 16, 16, 16, 16, 26), (False,) + (True,) * 7)

    def changes(self) -> None:
        rep = self.report
        self.heading(1, "八、本周动态")
        if not rep.changes:
            self.body(NONE)
            return
        groups: dict[str, list] = {}
        for c in rep.changes:
            groups.setdefault(c.what, []).append(c)
        shown = 0
        for n, (what, changes) in enumerate(groups.items(), 1):
            if shown >= MAX_CHANGES:
                break
            self.heading(2, f"（{cn_number(n)}）{what}（{len(changes)} 条）")
            for i, c in enumerate(changes, 1):
                if shown >= MAX_CHANGES:
                    break
                # 台账 entries already start with their subject (the kind's label)
                who = c.names if c.text.startswith(c.subject) else f"{c.subject}（{c.names}）"
                self.body(_end(f"{i}. {c.date.month}月{c.date.day}日，{who}：{c.text}"))
                shown += 1
        if len(rep.changes) > shown:
            self.body(f"另有 {len(rep.changes) - shown} 条，详见电子表格。")

    def closing(self) -> None:
        rep = self.report
        if rep.estimated:
            self.body(f"注：{ESTIMATED}。")
        self.signature(rep.issuer, cn_date(rep.report_date))

    def build(self) -> bytes:
        self.heading_block()
        self.overview()
        self.new_this_week()
        self.overdue()
        self.due_soon()
        self.stale_and_missed()
        self.unit_ranking()
        self.case_kinds()
        self.changes()
        self.closing()
        rep = self.report
        self.properties(title=rep.title, subject=week_line(rep).strip("（）"), keywords=f"督办 周报 {rep.week}",
                        category="周报", day=rep.report_date)
        return self.to_bytes()


UNIT_HEADERS = ("排名", "单位", "牵头任务", "已销号", "逾期", "最长逾期天数", "滞报缺报", "按期完成率")
KIND_HEADERS = ("类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计办结", "按期办结率")
OVERDUE_HEADERS = ("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "逾期天数", "状态说明")

def docx_bytes(report: WeeklyReport) -> bytes:
    """The Word report's bytes (deterministic for the same records and week)."""
    return _Writer(report).build()


def write_docx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as a Word document (tables only; the charts are on the site)."""
    return write_bytes(path, docx_bytes(report))
