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
    units = [Bar(t.name, t.overdue, red) for t in report.units if t.overdue][:10]
    out = {
        "status": status_chart(report.snapshot),
        "units": bar_chart(CHART_TITLES["units"], units or [Bar("无逾期", 0, red)]),
    }
    trend = trend_chart(report.trend, settings)
    if trend:
        out["trend"] = trend
    return out


def _state(s: TaskState, report: WeeklyReport) -> str:
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

    out += ["## 二、本周新销号和新增逾期任务", "", "### （一）本周销号", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "状态", "说明"], [
        [_task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), _state(s, report), cell(s.reason)]
        for s in report.newly_closed]))
    out += ["### （二）本周新增逾期", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "逾期天数", "说明"], [
        [_task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), str(s.days_overdue), cell(s.reason)]
        for s in report.newly_overdue]))

    out += ["## 三、逾期未完成任务", ""]
    out.append(table(["序号", "任务", "任务名称", "牵头单位", "完成时限", "逾期天数", "说明"], [
        [str(i), _task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), cell(s.due),
         str(s.days_overdue), cell(s.reason)]
        for i, s in enumerate(report.overdue, 1)]))

    out += [f"## 四、{n}天内到期任务", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "完成时限", "状态"], [
        [_task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), cell(s.due), _state(s, report)]
        for s in report.due_soon]))

    out += ["## 五、滞报和缺报", "", "### （一）滞报任务", ""]
    out.append(table(["任务", "任务名称", "牵头单位", "说明"], [
        [_task_link(s, task_links), cell(s.task.title), names(s.task.lead_units), cell(s.reason)]
        for s in report.stale]))
    out += ["### （二）缺报", ""]
    out.append(table(["任务", "单位", "周期", "任务名称"], [
        [_task_link(s, task_links), names([m.unit]), esc(m.period.label(s.task.timing.cadence)), cell(s.task.title)]
        for s, m in report.missed]))

    out += ["## 六、各单位落实情况", "", "按逾期任务数从多到少、按期完成率从低到高排列（只计牵头任务）。", ""]
    out.append(table(["排名", "单位", "牵头任务", "已销号", "逾期", "最长逾期天数", "滞报/缺报", "按期完成率"], [
        [str(i), cell(t.name), str(t.total), str(t.closed), str(t.overdue), str(t.max_days_overdue), str(t.lagging),
         percent(t.on_time_rate)]
        for i, t in enumerate(report.units, 1)]))

    out += ["## 七、台账统计", ""]
    out.append(table(["类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计办结", "按期办结率"], [
        [cell(k.label)] + [cell(v) for v in k.figures()[:-1]] + [percent(k.figures()[-1]) if k.has_deadline else "—"]
        for k in report.kinds]))

    if chart_files:
        out += ["## 八、图表", ""]
        for name, file in chart_files.items():
            out += [f"![{esc(CHART_TITLES.get(name, name))}]({file})", ""]

    out += ["## 九、本周动态" if chart_files else "## 八、本周动态", ""]
    out.append(table(["日期", "类别", "事项", "单位", "内容"], [
        [str(c.date), esc(c.what), esc(c.subject), cell(c.names), cell(c.text)] for c in report.changes]))
    return "\n".join(out).rstrip() + "\n"


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
