"""The weekly report as a Word document a 督查室 would send: what it says, section by section.

``write_docx(report, path)`` renders a :class:`~duban.engine.weekly.WeeklyReport` on the
公文 primitives of :mod:`duban.outputs.gongwen` (版头, page, fonts, headings, tables, the
unsealed signature, 版记); it never computes state. The body follows a 周报's order:
总体情况 → 进展较好 → 存在问题 → 近期到期 → 排名 → 本周动态 → 下一步工作要求. The office's
own words (``records/reports/<week>.yaml``) stand beside the computed parts; a week without
them has the computed parts only. The bytes are deterministic for the same records and week.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Sequence

from duban.atomic import write_bytes
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.outputs.gongwen.document import NONE, GongwenDocument
from duban.outputs.report_md import (
    awaiting_summary_line,
    case_summary_line,
    kinds_text,
    ranking_rule,
)
from duban.zh import ESTIMATED, cn_date, cn_number

MAX_CHANGES = 60  # 本周动态 lines shown before "另有 N 条"
LAMP = "●"  # the 灯 of a level, in the level's colour


def week_line(report: WeeklyReport) -> str:
    """（2024年第23周：6月3日—6月9日）; years shown on both ends when the week spans two."""
    year, week = report.week.split("-W")
    s, e = report.start, report.end
    if s.year == e.year == int(year):
        span = f"{s.month}月{s.day}日—{e.month}月{e.day}日"
    else:
        span = f"{cn_date(s)}—{cn_date(e)}"
    return f"（{year}年第{int(week)}周：{span}）"


def end_sentence(text: str) -> str:
    """Text ending with sentence punctuation."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？", "；", "：")) else text + "。"


def day(value: dt.date | None) -> str:
    """A date in a table cell: 2024.3.31 does not break across lines (ISO dates did: 2024-03-／31)."""
    return f"{value.year}.{value.month}.{value.day}" if value else "—"


class WeeklyDocument(GongwenDocument):
    """The weekly report's content on the 公文 primitives."""

    def __init__(self, report: WeeklyReport):
        super().__init__()
        self.report = report
        self.snap = report.snapshot

    def units(self, units: Sequence[str]) -> str:
        return self.snap.repo.unit_names(units)

    def lamp(self, level: str, text: str | None = None) -> tuple[str, str]:
        """A cell in a level's colour: ● 红 (or ``text``)."""
        return (f"{LAMP}{text or level}", self.snap.settings.colour(level).lstrip("#"))

    def task_line(self, s: TaskState) -> str:
        """A task with the units its state is about (those behind, or all lead units when it is closed)."""
        units = [d.unit for d in s.behind] or list(s.task.lead_units)
        return end_sentence(f"{s.task.id}{s.task.title}（{self.units(units)}）：{s.reason}")

    def paragraphs(self, texts) -> None:
        for text in texts:
            self.body(end_sentence(text))

    def unit_counts(self, line: str, headers: tuple[str, str, str], units) -> None:
        """Cases counted per unit (``figures.UnitCases``): why, then a table of who, how many, of which kinds,
        the longest."""
        self.body(line)
        who, count, days = headers
        rows = [(str(i), u.name, str(u.count), kinds_text(u), str(u.max_days)) for i, u in enumerate(units, 1)]
        self.table(("序号", who, count, "其中", days), rows, (10, 34, 22, 68, 22), (True, False, True, False, True))

    # --- sections

    def heading_block(self) -> None:
        rep = self.report
        issue = f"第{rep.issue_no}期" if rep.issue_no else None
        self.masthead(rep.masthead or "工作周报", issue, rep.issuer, cn_date(rep.report_date))
        self.title(rep.title, week_line(rep))

    def overview(self, n: int) -> None:
        rep = self.report
        self.heading(1, f"{cn_number(n)}、总体情况")
        parts = [f"{label}{value}" + ("项" if value.isdigit() else "") for label, value in rep.headline()]
        self.body(f"主要指标：{'，'.join(parts)}。")
        self.paragraphs(rep.summary_lines())

    def doing_well(self, n: int) -> None:
        rep = self.report
        self.heading(1, f"{cn_number(n)}、进展较好的单位和做法")
        series = self.snap.settings.reports.weekly
        if rep.praised:
            groups: dict[str, list] = {}
            for f in rep.praised:
                groups.setdefault(f.group, []).append(f)
            text = "；".join(f"{g}中{'、'.join(f'{f.name}（{f.score:g}分）' for f in fs)}" for g, fs in groups.items())
            self.body(f"按通报排名，得分居前的单位：{text}。")
        else:
            self.body(f"本周没有得分在{series.praise_min:g}分及以上、排名居前的单位。")
        if rep.note:
            self.paragraphs(rep.note.highlights)

    def problems(self, n: int) -> None:
        rep = self.report
        self.heading(1, f"{cn_number(n)}、存在问题")
        sub = iter(range(1, 10))

        self.heading(2, f"（{cn_number(next(sub))}）逾期未完成任务（{len(rep.overdue)}项，{len(rep.overdue_duties)}个单位次）")
        if rep.overdue_duties:
            self.body("按未完成单位列出，逾期天数由长到短排列：")
            rows = [(str(i), s.task.id, s.task.title, self.units([d.unit]), day(s.due), str(d.days_overdue),
                     self.lamp(d.level, d.label)) for i, (s, d) in enumerate(rep.overdue_duties, 1)]
            self.table(OVERDUE_HEADERS, rows, (10, 24, 40, 24, 28, 14, 16), (True, True, False, False, True, True, True))
        else:
            self.body(NONE)

        cases = rep.overdue_cases
        self.heading(2, f"（{cn_number(next(sub))}）逾期台账（{len(cases)}件）")
        if rep.overdue_case_units:
            self.unit_counts(case_summary_line(rep), ("责任单位", "逾期件数", "最长逾期天数"), rep.overdue_case_units)
        elif cases:
            self.body("按责任单位列出，逾期天数由长到短排列：")
            kinds = self.snap.repo.registry.kinds
            rows = [(str(i), self.units([c.case.unit]), kinds[c.case.kind].label, c.case.id, day(c.due), str(c.days_overdue))
                    for i, c in enumerate(cases, 1)]
            self.table(("序号", "责任单位", "类别", "编号", "期限", "逾期天数"), rows, (10, 26, 28, 44, 28, 20),
                       (True, False, False, False, True, True))
        else:
            self.body(NONE)

        lagging = [("滞报", s, d) for s, d in rep.stale] + [("缺报", s, d) for s, d in rep.missed]
        self.heading(2, f"（{cn_number(next(sub))}）滞报和缺报（{len(lagging)}个单位次）")
        if lagging:
            rows = [(str(i), word, s.task.id, s.task.title, self.units([d.unit]), d.current_miss.label(s.task.timing.cadence),
                     f"{len(d.misses)}个") for i, (word, s, d) in enumerate(lagging, 1)]
            self.table(("序号", "类型", "任务编号", "任务名称", "未报单位", "周期", "累计"), rows, (10, 14, 22, 40, 24, 26, 12),
                       (True, True, True, False, False, False, True))
        else:
            self.body(NONE)

        waiting = len(rep.awaiting_tasks) + len(rep.awaiting_cases)
        self.heading(2, f"（{cn_number(next(sub))}）待督办单位核销（{waiting}项）")
        if waiting:
            self.body("单位已报告完成（台账已办完）、等待督办单位核实的事项，计入督办单位，不计入报告单位：")
            kinds = self.snap.repo.registry.kinds
            rows = [(str(i), s.task.id, s.task.title, self.units([s.verification.office]) if s.verification.office else "—",
                     day(s.verification.since), str(s.verification.days_overdue)) for i, s in enumerate(rep.awaiting_tasks, 1)]
            if not rep.awaiting_case_offices:
                rows += [(str(len(rows) + i), c.case.id, kinds[c.case.kind].label,
                          self.units([c.verification.office]) if c.verification.office else "—", day(c.verification.since),
                          str(c.verification.days_overdue)) for i, c in enumerate(rep.awaiting_cases, 1)]
            if rows:
                self.table(("序号", "编号", "名称", "核销单位", "报告完成", "超期天数"), rows, (10, 40, 40, 24, 28, 14),
                           (True, False, False, False, True, True))
            if rep.awaiting_case_offices:
                self.unit_counts(awaiting_summary_line(rep), ("核销单位", "待核销件数", "最长超期天数"),
                                 rep.awaiting_case_offices)
        else:
            self.body(NONE)

        if rep.criticised:
            below = self.snap.settings.reports.weekly.criticise_below
            names = "、".join(f"{f.name}（{f.score:g}分）" for f in rep.criticised)
            self.heading(2, f"（{cn_number(next(sub))}）得分较低的单位")
            self.body(f"得分低于{below:g}分的单位：{names}。")
        if rep.note and rep.note.problems:
            self.paragraphs(rep.note.problems)

    def due_soon(self, n: int) -> None:
        rep = self.report
        days = self.snap.settings.upcoming_days
        self.heading(1, f"{cn_number(n)}、近期到期任务")
        if not rep.due_soon:
            self.body(NONE)
            return
        self.body(f"未来{days}天内（至{cn_date(rep.as_of + dt.timedelta(days=days))}）到期的任务{len(rep.due_soon)}项：")
        rows = [(str(i), s.task.id, s.task.title, self.units(d.unit for d in s.duties if not d.done), day(s.due),
                 self.lamp(s.level, s.label)) for i, s in enumerate(rep.due_soon, 1)]
        self.table(("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "状态"), rows,
                   (10, 24, 48, 28, 28, 18), (True, True, False, False, True, True))

    def unit_ranking(self, n: int) -> None:
        rep = self.report
        self.heading(1, f"{cn_number(n)}、各单位落实情况")
        if not rep.ranking:
            self.body(NONE)
            return
        self.body(end_sentence(ranking_rule(self.snap)))
        for i, (group, units) in enumerate(rep.ranking, 1):
            self.heading(2, f"（{cn_number(i)}）{group}")
            rows = [(str(f.rank), f.name, f"{f.score:g}", self.lamp(f.level), str(f.tasks.total), str(len(f.overdue)),
                     str(f.missed_periods + f.stale_periods), str(len(f.overdue_cases))) for f in units]
            self.table(UNIT_HEADERS, rows, (12, 38, 16, 16, 18, 14, 22, 20), (True, False) + (True,) * 6)

    def changes(self, n: int) -> None:
        """What happened this week, grouped by kind and unit with counts (not a log of identical lines)."""
        rep = self.report
        self.heading(1, f"{cn_number(n)}、本周动态")
        if not rep.changes:
            self.body(NONE)
            return
        groups: dict[str, list] = {}
        for c in rep.changes:
            groups.setdefault(c.what, []).append(c)
        shown = 0
        for i, (what, changes) in enumerate(groups.items(), 1):
            if shown >= MAX_CHANGES:
                break
            if what == "台账":
                self.heading(2, f"（{cn_number(i)}）台账")
                totals: dict[tuple[str, str], list[str]] = {}
                for c in changes:
                    totals.setdefault((c.subject, c.names), []).append(c.text[len(c.subject):])
                lines = [f"{subject}：{who}{'，'.join(_sum_counts(texts))}" for (subject, who), texts in sorted(totals.items())]
            elif what == "进展":
                self.heading(2, f"（{cn_number(i)}）进展报送（{len(changes)}条）")
                per_unit: dict[str, int] = {}
                for c in changes:
                    per_unit[c.names] = per_unit.get(c.names, 0) + 1
                lines = ["，".join(f"{who}{count}条" for who, count in per_unit.items())]
            else:
                self.heading(2, f"（{cn_number(i)}）{what}（{len(changes)}项）")
                lines = [f"{c.date.month}月{c.date.day}日，{c.subject}（{c.names}）：{c.text}" for c in changes]
            for j, line in enumerate(lines, 1):
                if shown >= MAX_CHANGES:
                    break
                self.body(end_sentence(f"{j}. {line}" if len(lines) > 1 else line))
                shown += 1
        total = sum(1 for _ in rep.changes)
        if total > shown and shown >= MAX_CHANGES:
            self.body(f"另有{total - shown}条，详见电子表格。")

    def requirements(self, n: int) -> bool:
        rep = self.report
        if not (rep.note and rep.note.requirements):
            return False
        self.heading(1, f"{cn_number(n)}、下一步工作要求")
        self.paragraphs(rep.note.requirements)
        return True

    def closing(self) -> None:
        rep = self.report
        if rep.estimated:
            self.body(f"注：{ESTIMATED}。")
        self.signature(rep.issuer, cn_date(rep.report_date))
        self.colophon(rep.copy_to, rep.issuer, cn_date(rep.report_date))

    def build(self) -> bytes:
        self.heading_block()
        sections = [self.overview, self.doing_well, self.problems, self.due_soon, self.unit_ranking, self.changes]
        for n, section in enumerate(sections, 1):
            section(n)
        self.requirements(len(sections) + 1)
        self.closing()
        rep = self.report
        self.properties(title=rep.title, subject=week_line(rep).strip("（）"), keywords=f"督办 周报 {rep.week}",
                        category="周报", day=rep.report_date)
        return self.to_bytes()


def _sum_counts(texts: list[str]) -> list[str]:
    """新增1件 + 新增2件 + 办结1件 → 新增3件、办结1件 (the kind's ledger changes of one unit over the week)."""
    totals: dict[str, tuple[int, str]] = {}
    for text in texts:
        for verb, number, unit in re.findall(r"(新增|办结)(\d+)(件|次)", text):
            count, _ = totals.get(verb, (0, unit))
            totals[verb] = (count + int(number), unit)
    return [f"{verb}{count}{unit}" for verb, (count, unit) in totals.items()]


UNIT_HEADERS = ("排名", "单位", "得分", "等级", "牵头任务", "逾期", "缺报滞报周期", "逾期台账")
OVERDUE_HEADERS = ("序号", "任务编号", "任务名称", "未完成单位", "完成时限", "逾期天数", "状态")


def docx_bytes(report: WeeklyReport) -> bytes:
    """The Word report's bytes (deterministic for the same records and week)."""
    return WeeklyDocument(report).build()


def write_docx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as a Word document (tables only; the charts are on the site)."""
    return write_bytes(path, docx_bytes(report))
