"""The monthly 通报 in the three formats of the weekly report: Markdown (the site), Word (公文), Excel.

A 通报 ranks the units by the declared score, names those doing well (表扬) and those behind (通报批评)
by the declared thresholds, and lists what is overdue unit by unit. The office's own words for the
month (``records/reports/2024-06.yaml``) stand beside the computed parts. Nothing here computes state.
"""

from __future__ import annotations

from pathlib import Path

from duban import atomic
from duban.engine.monthly import MonthlyReport
from duban.outputs.docx_report import WeeklyDocument, end_sentence
from duban.outputs.md import NO_SEARCH, cell, esc, table
from duban.outputs.report_md import (
    awaiting_summary_line,
    case_summary_line,
    kinds_text,
    level_badge,
    ranking_rule,
    unit_counts_table,
)
from duban.outputs.workbook import workbook_bytes
from duban.outputs.xlsx_report import WeeklyWorkbook
from duban.zh import cn_date, cn_number


def period_line(report: MonthlyReport) -> str:
    """（2024年6月1日—6月30日）"""
    return f"（{cn_date(report.start)}—{cn_date(report.end, year=False)}）"


def _praise_text(report: MonthlyReport) -> str:
    series = report.snapshot.settings.reports.monthly
    if not report.praised:
        return f"本月没有得分在{series.praise_min:g}分及以上、排名居前的单位。"
    return "对以下单位予以表扬：" + "；".join(f"{f.name}（{f.group}第{f.rank}名，{f.score:g}分）" for f in report.praised) + "。"


def _criticise_text(report: MonthlyReport) -> str:
    series = report.snapshot.settings.reports.monthly
    if not report.criticised:
        return f"本月没有得分低于{series.criticise_below:g}分的单位。"
    parts = [f"{f.name}（{f.score:g}分：{'；'.join(p.text() for p in f.parts)}）" for f in report.criticised]
    return "对以下单位予以通报批评：" + "；".join(parts) + "。"


def _by_unit(report: MonthlyReport) -> list[tuple[str, list[str]]]:
    """Each unit's own overdue items, longest first: its parts of tasks, then its cases."""
    repo = report.snapshot.repo
    kinds = repo.registry.kinds
    items: dict[str, list[tuple[int, str]]] = {}
    for s, d in report.overdue_duties:
        items.setdefault(d.unit, []).append((d.days_overdue, f"{s.task.id}{s.task.title}，逾期{d.days_overdue}天"))
    if report.overdue_case_units:  # too many to list: each unit's cases counted (the workbook lists them)
        for u in report.overdue_case_units:
            items.setdefault(u.unit, []).append((u.max_days, f"逾期台账{u.count}件（{kinds_text(u)}），最长逾期{u.max_days}天"))
    else:
        for c in report.overdue_cases:
            items.setdefault(c.case.unit, []).append((c.days_overdue, f"{kinds[c.case.kind].label}{c.case.id}，逾期{c.days_overdue}天"))
    order = sorted(items, key=lambda u: (-max(n for n, _ in items[u]), repo.units[u].order if u in repo.units else 9999, u))
    return [(repo.unit_name(u), [text for _, text in sorted(items[u], key=lambda x: -x[0])]) for u in order]


# ---------------------------------------------------------------- Markdown


def render(report: MonthlyReport, downloads: dict[str, str] | None = None, site: bool = False) -> str:
    snap = report.snapshot
    out = [(NO_SEARCH if site else "") + f"# {esc(report.title)}", ""]
    issue = f"第{report.issue_no}期　" if report.issue_no else ""
    out += [f"**{esc(report.masthead)}　{issue}{esc(report.issuer)}　{cn_date(report.report_date)}**　"
            f"统计截至 {cn_date(report.end)}", ""]
    if downloads:
        out += ["下载：" + "　".join(f"[{esc(label)}]({href})" for label, href in downloads.items()), ""]
    out += ["## 一、总体情况", "", table(["指标", "数值"], [[esc(k), esc(v)] for k, v in report.headline()])]
    out += [esc(line) + "\n" for line in report.summary_lines()]
    out += ["## 二、表扬", "", esc(_praise_text(report)), ""]
    out += [esc(p) + "\n" for p in (report.note.highlights if report.note else ())]
    out += ["## 三、通报批评", "", esc(_criticise_text(report)), ""]
    out += ["## 四、逾期事项（按单位）", ""]
    if report.overdue_case_units:
        out += [esc(case_summary_line(report)), ""]
    groups = _by_unit(report)
    out.append(table(["单位", "逾期事项"], [[cell(name), cell("；".join(items))] for name, items in groups]))
    lagging = [("滞报", s, d) for s, d in report.stale] + [("缺报", s, d) for s, d in report.missed]
    out += ["## 五、滞报和缺报", "", table(["类型", "任务", "单位", "周期", "该单位累计"], [
        [word, esc(s.task.id), esc(snap.repo.unit_name(d.unit)), esc(d.current_miss.label(s.task.timing.cadence)),
         f"{len(d.misses)} 个周期"] for word, s, d in lagging])]
    out += ["## 六、待核销", "", table(["事项", "核销单位", "报告完成", "超期天数"], [
        [esc(s.task.id), esc(snap.repo.unit_name(s.verification.office)) if s.verification.office else "—",
         str(s.verification.since), str(s.verification.days_overdue)] for s in report.awaiting_tasks]
        + [[esc(c.case.id), esc(snap.repo.unit_name(c.verification.office)) if c.verification.office else "—",
            str(c.verification.since), str(c.verification.days_overdue)]
           for c in (() if report.awaiting_case_offices else report.awaiting_cases)])]
    if report.awaiting_case_offices:
        out += [esc(awaiting_summary_line(report)), "",
                unit_counts_table("核销单位", "待核销件数", "最长超期天数", report.awaiting_case_offices)]
    out += ["## 七、各单位排名", "", esc(ranking_rule(snap)), ""]
    for group, units in report.ranking:
        out += [f"### {esc(group)}", "", table(["排名", "单位", "得分", "等级", "扣分情况"], [
            [str(f.rank), cell(f.name), f"{f.score:g}", level_badge(snap, f.level),
             cell("；".join(p.text() for p in f.parts) or "无扣分")] for f in units])]
    if report.note and report.note.problems:
        out += ["## 八、存在问题", ""] + [esc(p) + "\n" for p in report.note.problems]
    if report.note and report.note.requirements:
        out += [f"## {'九' if report.note.problems else '八'}、下一步工作要求", ""] + [esc(p) + "\n" for p in report.note.requirements]
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- Word


class _Document(WeeklyDocument):
    """The 通报 on the 公文 primitives, reusing the weekly report's sections where they are the same."""

    def heading_block(self) -> None:
        rep = self.report
        issue = f"第{rep.issue_no}期" if rep.issue_no else None
        self.masthead(rep.masthead or "工作通报", issue, rep.issuer, cn_date(rep.report_date))
        self.title(rep.title, period_line(rep))

    def praise(self, n: int) -> None:
        self.heading(1, f"{cn_number(n)}、表扬")
        self.body(_praise_text(self.report))
        if self.report.note:
            self.paragraphs(self.report.note.highlights)

    def criticise(self, n: int) -> None:
        self.heading(1, f"{cn_number(n)}、通报批评")
        self.body(_criticise_text(self.report))

    def overdue_by_unit(self, n: int) -> None:
        self.heading(1, f"{cn_number(n)}、逾期事项（按单位）")
        groups = _by_unit(self.report)
        if not groups:
            self.body("无。")
        if self.report.overdue_case_units:
            self.body(case_summary_line(self.report))
        for name, items in groups:
            self.body(end_sentence(f"{name}：{'；'.join(items)}"))

    def build(self) -> bytes:
        self.heading_block()
        sections = [self.overview, self.praise, self.criticise, self.overdue_by_unit, self.problems, self.unit_ranking]
        for n, section in enumerate(sections, 1):
            section(n)
        self.requirements(len(sections) + 1)
        self.closing()
        rep = self.report
        self.properties(title=rep.title, subject=period_line(rep).strip("（）"), keywords=f"督办 通报 {rep.month}",
                        category="通报", day=rep.report_date)
        return self.to_bytes()


# ---------------------------------------------------------------- Excel


class _Workbook(WeeklyWorkbook):
    def praise_and_criticism(self) -> None:
        rows = [("表扬", f.group, f.rank, f.name, f.score, "；".join(p.text() for p in f.parts) or "无扣分")
                for f in self.report.praised]
        rows += [("通报批评", f.group, f.rank, f.name, f.score, "；".join(p.text() for p in f.parts))
                 for f in self.report.criticised]
        self.sheet("表扬和批评", ("类别", "分组", "排名", "单位", "得分", "扣分情况"), rows)

    def build(self) -> bytes:
        rep = self.report
        for step in (self.overview, self.unit_ranking, self.praise_and_criticism, self.overdue, self.overdue_cases,
                     self.stale_and_missed, self.awaiting, self.case_kinds, self.all_tasks):
            step()
        return workbook_bytes(self.wb, title=rep.title, day=rep.report_date,
                              subject=f"{rep.month}（{rep.start.isoformat()}至{rep.end.isoformat()}）")


def write_monthly(report: MonthlyReport, out_dir: Path | str, site: bool = False) -> dict[str, Path]:
    """Write the month's files into ``out_dir``: ``<month>.md``, ``.docx``, ``.xlsx``; returns name -> path."""
    out_dir = Path(out_dir)
    month = report.month
    downloads = {"Word 版（.docx）": f"{month}.docx", "Excel 版（.xlsx）": f"{month}.xlsx"}
    return {
        "md": atomic.write_text(out_dir / f"{month}.md", render(report, downloads, site)),
        "docx": atomic.write_bytes(out_dir / f"{month}.docx", _Document(report).build()),
        "xlsx": atomic.write_bytes(out_dir / f"{month}.xlsx", _Workbook(report).build()),
    }

