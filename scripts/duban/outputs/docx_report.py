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
from duban.outputs.report_md import ranking_rule
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
        """A task with the units its state is about (those behind, or all lead units when it is closed)."""
        units = [d.unit for d in s.behind] or list(s.task.lead_units)
        return _end(f"{s.task.id} {s.task.title}（{self.units(units)}）：{s.reason}")

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
        self.body(f"截至{cn_date(rep.as_of)}，逾期未完成任务 {len(rep.overdue)} 项，按未完成单位列出，逾期天数由长到短排列如下：")
        rows = [(str(i), s.task.id, s.task.title, self.units([d.unit]), _iso(s.due), str(d.days_overdue), d.reason)
                for i, (s, d) in enumerate(rep.overdue_duties, 1)]
        self.table(OVERDUE_HEADERS, rows, (10, 22, 36, 22, 23, 13, 30), (True, True, False, False, True, True, False))

    def due_soon(self) -> None:
        rep = self.report
        days = self.snap.settings.upcoming_days
        self.heading(1, "四、近期到期任务")
        if not rep.due_soon:
            self.body(NONE)
            return
        self.body(f"未来 {days} 天内（至{cn_date(rep.as_of + dt.timedelta(days=days))}）到期的任务 {len(rep.due_soon)} 项：")
        rows = [(str(i), s.task.id, s.task.title, self.units(d.unit for d in s.duties if not d.done), _iso(s.due), s.reason)
                for i, s in enumerate(rep.due_soon, 1)]
        self.table(("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "状态说明"), rows,
                   (10, 22, 42, 24, 23, 35), (True, True, False, False, True, False))

    def stale_and_missed(self) -> None:
        rep = self.report
        self.heading(1, "五、滞报和缺报")
        headers = ("序号", "任务编号", "任务名称", "未报单位", "周期", "该单位累计")
        widths = (10, 22, 40, 26, 38, 20)
        centred = (True, True, False, False, False, True)
        for n, (word, rows_) in enumerate((("滞报", rep.stale), ("缺报", rep.missed)), 1):
            tasks = len({s.task.id for s, _ in rows_})
            self.heading(2, f"（{cn_number(n)}）{word}（{tasks} 项任务，{len(rows_)} 个单位次）")
            if rows_:
                rows = [(str(i), s.task.id, s.task.title, self.units([d.unit]), d.current_miss.label(s.task.timing.cadence),
                         f"{len(d.misses)} 个周期") for i, (s, d) in enumerate(rows_, 1)]
                self.table(headers, rows, widths, centred)
            else:
                self.body(NONE)

    def awaiting(self) -> None:
        rep = self.report
        self.heading(1, "六、待核销事项")
        items = len(rep.awaiting_tasks) + len(rep.awaiting_cases)
        if not items:
            self.body(NONE)
            return
        self.body(f"单位已报告完成（台账已办完）、等待督办单位核实的事项 {items} 项，计入督办单位，不计入报告单位：")
        rows = [(str(i), s.task.id, s.task.title, self.units([s.verification.office]) if s.verification.office else "—",
                 _iso(s.verification.since), str(s.verification.days_overdue)) for i, s in enumerate(rep.awaiting_tasks, 1)]
        start = len(rows)
        rows += [(str(start + i), c.case.id, self.snap.repo.registry.kinds[c.case.kind].label,
                  self.units([c.verification.office]) if c.verification.office else "—", _iso(c.verification.since),
                  str(c.verification.days_overdue)) for i, c in enumerate(rep.awaiting_cases, 1)]
        self.table(("序号", "编号", "名称", "核销单位", "报告完成", "超期天数"), rows, (10, 34, 44, 24, 23, 21),
                   (True, True, False, False, True, True))

    def unit_ranking(self) -> None:
        rep = self.report
        self.heading(1, "七、各单位落实情况")
        if not rep.ranking:
            self.body(NONE)
            return
        self.body(_end(ranking_rule(self.snap)))
        for n, (group, units) in enumerate(rep.ranking, 1):
            self.heading(2, f"（{cn_number(n)}）{group}")
            rows = [(str(f.rank), f.name, f"{f.score:g}", f.level, str(f.tasks.total), str(len(f.overdue)),
                     str(f.missed_periods + f.stale_periods), str(len(f.overdue_cases))) for f in units]
            self.table(UNIT_HEADERS, rows, (12, 38, 16, 14, 18, 14, 22, 22), (True, False) + (True,) * 6)

    def case_kinds(self) -> None:
        rep = self.report
        self.heading(1, "八、台账统计")
        if not rep.kinds:
            self.body(NONE)
            return
        rows = [(k.label, *("—" if v is None else str(v) for v in k.figures()[:-1]),
                 percent(k.figures()[-1]) if k.has_deadline else "—")
                for k in rep.kinds]
        self.table(KIND_HEADERS, rows, (34, 16, 16, 16, 16, 16, 16, 26), (False,) + (True,) * 7)

    def changes(self) -> None:
        rep = self.report
        self.heading(1, "九、本周动态")
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
        self.awaiting()
        self.unit_ranking()
        self.case_kinds()
        self.changes()
        self.closing()
        rep = self.report
        self.properties(title=rep.title, subject=week_line(rep).strip("（）"), keywords=f"督办 周报 {rep.week}",
                        category="周报", day=rep.report_date)
        return self.to_bytes()


UNIT_HEADERS = ("排名", "单位", "得分", "等级", "牵头任务", "逾期", "缺报滞报周期", "逾期台账")
KIND_HEADERS = ("类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计办结", "按期办结率")
OVERDUE_HEADERS = ("序号", "任务编号", "任务名称", "未完成单位", "完成时限", "逾期天数", "状态说明")

def docx_bytes(report: WeeklyReport) -> bytes:
    """The Word report's bytes (deterministic for the same records and week)."""
    return _Writer(report).build()


def write_docx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as a Word document (tables only; the charts are on the site)."""
    return write_bytes(path, docx_bytes(report))
