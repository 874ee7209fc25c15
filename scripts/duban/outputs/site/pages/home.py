"""The home page (dashboard): cards, charts, overdue and due-soon tasks, this week's changes."""

from __future__ import annotations

import datetime as dt

from duban.engine import figures
from duban.engine.weekly import changes
from duban.outputs.charts import Bar, ChartFontMissing, bar_chart
from duban.outputs.md import cell, esc, table
from duban.outputs.report_md import CHART_TITLES, status_chart, trend_chart
from duban.outputs.site.pages.context import Context
from duban.zh import cn_date, percent


def charts(site: Context) -> None:
    s = site.snapshot
    red = site.settings.colour(site.settings.level("overdue"))
    case_bars = [Bar(label, n, red) for _, label, n in figures.overdue_cases_by_kind(s)]
    site.chart_files = {}
    try:
        site.pages["assets/charts/status.svg"] = status_chart(s)
        site.pages["assets/charts/cases.svg"] = bar_chart("各类台账逾期在办件数", case_bars, unit="件")
        site.chart_files = {"status": CHART_TITLES["status"], "cases": "各类台账逾期在办件数"}
        trend = trend_chart(figures.trend(s.evaluator, s.as_of), site.settings)
        if trend:
            site.pages["assets/charts/trend.svg"] = trend
            site.chart_files["trend"] = CHART_TITLES["trend"]
    except ChartFontMissing:
        site.chart_files = {}


def home(site: Context) -> None:
    s = site.snapshot
    total = figures.tasks_total(s)
    intro = (site.docs_dir / "index.md").read_text(encoding="utf-8") if (site.docs_dir / "index.md").exists() else ""
    overdue = s.overdue_tasks()
    soon = s.due_within()
    lagging = s.lagging_tasks()
    overdue_cases = s.overdue_cases()
    week_start = s.as_of - dt.timedelta(days=6)
    out = [intro.rstrip(), "", "## 总体情况", "", site.asof_note()]
    # raw HTML links are not rewritten by MkDocs: these are the built URLs (use_directory_urls)
    cards = [("任务总数", len(s.tasks), "tasks/"), ("已销号", total.closed, "tasks/"),
             ("逾期任务", total.overdue, "status/overdue/"), (f"{site.settings.upcoming_days}天内到期", len(soon), "status/due-soon/"),
             ("滞报/缺报", len(lagging), "status/lagging/"), ("逾期台账", len(overdue_cases), "status/overdue/#cases")]
    out.append('<div class="duban-cards">')
    for label, link, value in ((c[0], c[2], c[1]) for c in cards):
        out.append(f'<a class="duban-card" href="{link}"><span class="duban-card-value">{value}</span>'
                   f'<span class="duban-card-label">{esc(label)}</span></a>')
    out += ["</div>", "", f"按期完成率（已到期的限时任务中按期销号的比例）：**{percent(total.on_time_rate)}**", ""]
    if site.chart_files:
        out.append('<div class="duban-charts">')
        for name, title in site.chart_files.items():
            out.append(f'<img src="assets/charts/{name}.svg" alt="{esc(title)}">')
        out += ["</div>", ""]
    out += ["## 逾期任务", "", "逾期天数最长的在前。", ""]
    out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "逾期天数", "说明"], [
        [site.task_link(st.task, ""), cell(st.task.title), site.units(st.task.lead_units, ""), cell(st.due),
         str(st.days_overdue), cell(st.reason)] for st in overdue]))
    out += ["", f"## {site.settings.upcoming_days}天内到期", ""]
    out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "状态"], [
        [site.task_link(st.task, ""), cell(st.task.title), site.units(st.task.lead_units, ""), cell(st.due), site.badge(st)]
        for st in soon]))
    out += ["", f"## 本周动态（{cn_date(week_start, year=False)}—{cn_date(s.as_of, year=False)}）", ""]
    out.append(changes_table(site, week_start, s.as_of, ""))
    if site.weeks:
        out += ["", f"最新周报：[{site.weeks[-1]}](reports/weekly/{site.weeks[-1]}/index.md)　[全部周报](reports/weekly/index.md)"]
    site.pages["index.md"] = "\n".join(out) + "\n"


def changes_table(site: Context, start: dt.date, end: dt.date, prefix: str) -> str:
    """The tasks' changes in the window (the weekly report's definition), newest first."""
    prev = site.snapshot.at(start - dt.timedelta(days=1))
    found = [c for c in changes(site.repo, site.snapshot, prev, start, end) if c.what != "台账"]
    found.sort(key=lambda c: (c.date, c.subject, c.what), reverse=True)
    table_rows = [[str(c.date), esc(c.what), site.task_link(site.repo.tasks[c.subject], prefix),
                   site.units(c.units, prefix), cell(c.text)] for c in found]
    received = figures.received_by_kind(site.snapshot, start, end)
    text = table(["日期", "类别", "任务", "单位", "内容"], table_rows, empty="本周没有任务动态。")
    if received:
        text += "\n本周新增台账：" + "，".join(
            f"{esc(site.repo.registry.kinds[k].label)} {n} 件" for k, n in sorted(received.items())) + "。\n"
    return text
