"""The weekly report as Markdown (for the site), its charts, and its summary.

``write_weekly(report, out_dir)`` writes every file of one week:
``<week>.md``, ``<week>.summary.md``, ``<week>.docx``, ``<week>.xlsx`` and the
charts ``<week>-<name>.svg``. Every write is atomic.
"""

from __future__ import annotations

from pathlib import Path

from duban import atomic
from duban.engine import figures
from duban.engine.settings import Settings
from duban.engine.snapshot import Snapshot
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.outputs.charts import Bar, ChartFontMissing, bar_chart, line_chart
from duban.outputs.escape import robot
from duban.outputs.md import NO_SEARCH, badge, cell, esc, table
from duban.zh import ESTIMATED, cn_date, percent

CHART_TITLES = {
    "status": "任务状态分布",
    "units": "各单位逾期任务数（前十）",
    "trend": "近十二周逾期与滞报变化",
}


def status_chart(snap: Snapshot) -> bytes:
    """Tasks per state, in the settings' order and colours (the site's home page draws it too)."""
    settings = snap.settings
    counts = figures.state_counts(snap)
    order = list(settings.states) or sorted(counts)
    bars = [Bar(settings.label(k, task=True), counts[k], settings.colour(settings.level(k))) for k in order if counts.get(k)]
    return bar_chart(CHART_TITLES["status"], bars)


def trend_chart(trend: list, settings: Settings) -> bytes | None:
    """Overdue and stale/missed tasks week by week (``figures.trend``); None with fewer than two points."""
    if len(trend) < 2:
        return None
    return line_chart(CHART_TITLES["trend"], [d for d, *_ in trend], {
        "逾期任务": ([o for _, o, _, _ in trend], settings.colour(settings.level("overdue"))),
        "滞报/缺报": ([x for _, _, x, _ in trend], settings.colour(settings.level("stale"))),
    })


def charts(report: WeeklyReport) -> dict[str, bytes]:
    """The report's charts: name -> SVG bytes."""
    settings = report.snapshot.settings
    red = settings.colour(settings.level("overdue"))
    units = [Bar(f.name, len(f.overdue), red) for f in overdue_units(report)][:10]
    out = {
        "status": status_chart(report.snapshot),
        "units": bar_chart(CHART_TITLES["units"], units or [Bar("无逾期", 0, red)]),
    }
    trend = trend_chart(report.trend, settings)
    if trend:
        out["trend"] = trend
    return out


def overdue_units(report: WeeklyReport) -> list:
    """Units with their own overdue tasks, most first (the chart and the site's home page)."""
    found = [f for _, group in report.ranking for f in group if f.overdue]
    return sorted(found, key=lambda f: (-len(f.overdue), -f.overdue_days, f.unit))


def _state(s, report: WeeklyReport) -> str:
    colour = report.snapshot.settings.colour(s.level)
    return badge(s.label, s.level, colour)


def _task_link(s: TaskState, task_links: bool) -> str:
    text = esc(s.task.id)
    return f"[{text}](../../../tasks/{s.task.id}.md)" if task_links else text  # from reports/weekly/<week>/


def render(report: WeeklyReport, chart_files: dict[str, str] | None = None, downloads: dict[str, str] | None = None,
           task_links: bool = False) -> str:
    """The report as one Markdown page. ``chart_files``: name -> relative file name of the SVG."""
    snap = report.snapshot
    names = lambda units: esc(snap.repo.unit_names(units))  # noqa: E731
    n = snap.settings.upcoming_days
    # on the site the archive would flood search results: its pages are left out of the index
    out = [NO_SEARCH + f"# {esc(report.title)}" if task_links else f"# {esc(report.title)}", ""]
    out.append(f"**{cn_date(report.start)}—{cn_date(report.end, year=False)}（{report.week}）**　"
               f"统计截至 {cn_date(report.end)}，{esc(report.issuer)} {cn_date(report.report_date)}")
    out.append("")
    if downloads:
        out.append("下载：" + "　".join(f"[{esc(label)}]({href})" for label, href in downloads.items()))
        out.append("")
    if report.estimated:
        out += ["!!! warning \"估算\"", f"    {ESTIMATED}。", ""]

    out += ["## 一、总体情况", ""]
    out.append(table(["指标", "数值"], [[esc(k), esc(v)] for k, v in report.headline()]))
    out += [esc(line) + "\n" for line in report.summary_lines()]
    if report.note and report.note.highlights:
        out += ["### 进展较好和典型做法", ""] + [esc(p) + "\n" for p in report.note.highlights]
    if report.note and report.note.problems:
        out += ["### 存在问题", ""] + [esc(p) + "\n" for p in report.note.problems]

    out += ["## 二、本周新销号和新增逾期任务", "", "### （一）本周销号", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "状态", "说明"], [
        [_task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), _state(s, report), cell(s.reason)]
        for s in report.newly_closed]))
    out += ["### （二）本周新增逾期", ""]
    out.append(table(["任务", "任务名称", "逾期单位", "逾期天数", "说明"], [
        [_task_link(s, task_links), cell(s.task.title), names(d.unit for d in s.behind), str(s.days_overdue), cell(s.reason)]
        for s in report.newly_overdue]))

    out += ["## 三、逾期未完成任务", "", "每个牵头单位只列本单位未完成的任务，逾期最久的在前。", ""]
    out.append(table(["序号", "任务", "任务名称", "责任单位", "完成时限", "逾期天数", "说明"], [
        [str(i), _task_link(s, task_links), cell(s.task.title), names([d.unit]), cell(s.due), str(d.days_overdue), cell(d.reason)]
        for i, (s, d) in enumerate(report.overdue_duties, 1)]))

    out += [f"## 四、{n}天内到期任务", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "完成时限", "状态"], [
        [_task_link(s, task_links), cell(s.task.title), names(d.unit for d in s.duties if not d.done), cell(s.due),
         _state(s, report)] for s in report.due_soon]))

    out += ["## 五、滞报和缺报", "", "每行一个未报单位，累计数只计该单位自己的。", "", "### （一）滞报", ""]
    out.append(table(["任务", "单位", "周期", "该单位累计", "任务名称"], [
        [_task_link(s, task_links), names([d.unit]), esc(d.current_miss.label(s.task.timing.cadence)),
         f"{len(d.misses)} 个周期", cell(s.task.title)] for s, d in report.stale]))
    out += ["### （二）缺报", ""]
    out.append(table(["任务", "单位", "周期", "该单位累计", "任务名称"], [
        [_task_link(s, task_links), names([d.unit]), esc(d.current_miss.label(s.task.timing.cadence)),
         f"{len(d.misses)} 个周期", cell(s.task.title)] for s, d in report.missed]))

    out += ["## 六、待核销", "", "单位已报告完成（台账已办完）、等待督办单位核实的事项，计入督办单位，不计入报告单位。", ""]
    out.append(table(["事项", "名称", "核销单位", "报告完成", "核销时限", "超期天数"], [
        [_task_link(s, task_links), cell(s.task.title), names([s.verification.office]) if s.verification.office else "—",
         str(s.verification.since), str(s.verification.due), str(s.verification.days_overdue)] for s in report.awaiting_tasks]
        + [[esc(c.case.id), esc(snap.repo.registry.kinds[c.case.kind].label),
            names([c.verification.office]) if c.verification.office else "—", str(c.verification.since),
            str(c.verification.due), str(c.verification.days_overdue)]
           for c in (() if report.awaiting_case_offices else report.awaiting_cases)]))
    if report.awaiting_case_offices:
        out += [esc(awaiting_summary_line(report)), ""]
        out.append(unit_counts_table("核销单位", "待核销件数", "最长超期天数", report.awaiting_case_offices))

    out += ["## 七、各单位落实情况", "", esc(ranking_rule(snap)), ""]
    for group, units in report.ranking:
        out += [f"### {esc(group)}", ""]
        out.append(table(["排名", "单位", "得分", "等级", "牵头任务", "逾期", "缺报周期", "滞报周期", "逾期台账", "扣分情况"], [
            [str(f.rank), cell(f.name), f"{f.score:g}", level_badge(snap, f.level), str(f.tasks.total), str(len(f.overdue)),
             str(f.missed_periods), str(f.stale_periods), str(len(f.overdue_cases)), cell("；".join(p.text() for p in f.parts))]
            for f in units]))

    out += ["## 八、台账统计", ""]
    out.append(table(["类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计办结", "按期办结率"], [
        [cell(k.label)] + [cell(v) for v in k.figures()[:-1]] + [percent(k.figures()[-1]) if k.has_deadline else "—"]
        for k in report.kinds]))

    if chart_files:
        out += ["## 九、图表", ""]
        for name, file in chart_files.items():
            out += [f"![{esc(CHART_TITLES.get(name, name))}]({file})", ""]

    out += ["## 十、本周动态" if chart_files else "## 九、本周动态", ""]
    out.append(table(["日期", "类别", "事项", "单位", "内容"], [
        [str(c.date), esc(c.what), esc(c.subject), cell(c.names), cell(c.text)] for c in report.changes]))
    if report.note and report.note.requirements:
        out += ["", "## 下一步工作要求", ""] + [esc(p) + "\n" for p in report.note.requirements]
    return "\n".join(out).rstrip() + "\n"


def kinds_text(u) -> str:
    """矛盾纠纷12件、安全隐患3件: a unit's overdue cases by kind (``figures.UnitCases``)."""
    return "、".join(f"{label}{n}件" for label, n in u.kinds)


def case_summary_line(report: WeeklyReport) -> str:
    """Why the body counts the overdue cases per unit instead of listing them, and where the list is."""
    return (f"逾期台账超过{report.list_cases}件，正文按责任单位汇总，最长逾期天数由长到短排列；"
            f"逐件清单见本期 Excel 版“逾期台账”表。")


def awaiting_summary_line(report: WeeklyReport) -> str:
    """The same for the cases waiting for verification, counted per verifying office."""
    return (f"待核销台账超过{report.list_cases}件，正文按核销单位汇总，最长超期天数由长到短排列；"
            f"逐件清单见本期 Excel 版“待核销”表。")


def unit_counts_table(who: str, count: str, days: str, units) -> str:
    """Cases counted per unit (``figures.UnitCases``) as a Markdown table."""
    return table(["序号", who, count, "其中", days], [
        [str(i), esc(u.name), str(u.count), esc(kinds_text(u)), str(u.max_days)] for i, u in enumerate(units, 1)])


def ranking_rule(snap: Snapshot) -> str:
    """How the score is made, in one sentence (shown with every ranking)."""
    r = snap.settings.ranking
    rules = []
    for d in r.deductions:
        if d.per == "rate":
            rules.append(f"{d.label}按占比扣分（100% 扣 {d.points:g} 分）")
        elif d.every > 1:
            rules.append(f"{d.label}每 {d.every} 天扣 {d.points:g} 分" + (f"（每项最多计 {d.cap} 天）" if d.cap else ""))
        else:
            rules.append(f"每{'个' if 'periods' in d.component else '项'}{d.label}扣 {d.points:g} 分")
    levels = "，".join(f"{lvl} {low:g} 分及以上" for lvl, low in r.levels[:-1]) + f"，其余{r.levels[-1][0]}"
    return (f"得分从 {r.base:g} 分起扣：" + "；".join(rules) + f"。缺报、滞报按最近 {r.window_days} 天内结束的周期和仍未补报的最近一期计；只计本单位自己欠下的事项，"
            f"待督办单位核销的不计入报告单位。按组排名，{levels}。")


def level_badge(snap: Snapshot, level: str) -> str:
    return badge(level, level, snap.settings.colour(level))


def summary(report: WeeklyReport) -> str:
    """A short Markdown summary (issue body, group robot); record text made inert for both (``escape.robot``)."""
    lines = [f"## {robot(report.title)}（{report.week}）", ""]
    lines += [f"- {robot(line)}" for line in report.summary_lines()]
    return "\n".join(lines) + "\n"


def write_weekly(report: WeeklyReport, out_dir: Path | str, task_links: bool = False) -> dict[str, Path]:
    """Write every file of the week into ``out_dir``; returns name -> path."""
    from duban.outputs.docx_report import write_docx
    from duban.outputs.xlsx_report import write_xlsx

    out_dir = Path(out_dir)
    week = report.week
    written: dict[str, Path] = {}
    chart_files: dict[str, str] = {}
    try:
        for name, data in charts(report).items():
            file = f"{week}-{name}.svg"
            written[f"chart-{name}"] = atomic.write_bytes(out_dir / file, data)
            chart_files[name] = file
    except ChartFontMissing:
        chart_files = {}
    downloads = {"Word 版（.docx）": f"{week}.docx", "Excel 版（.xlsx）": f"{week}.xlsx"}
    written["md"] = atomic.write_text(out_dir / f"{week}.md", render(report, chart_files, downloads, task_links))
    written["summary"] = atomic.write_text(out_dir / f"{week}.summary.md", summary(report))
    written["docx"] = write_docx(report, out_dir / f"{week}.docx")
    written["xlsx"] = write_xlsx(report, out_dir / f"{week}.xlsx")
    return written
