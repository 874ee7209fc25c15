"""The home page (the leader's view): cards coloured by level with their change against the previous ISO week,
charts (state, overdue by unit, overdue cases, trend), the units ranked by the declared score, the overdue and
due-soon work, and what changed this week.

"本周" is the ISO week (Monday–Sunday) that holds the as-of date, compared with the previous complete ISO week.
"""

from __future__ import annotations

from duban.engine import figures
from duban.engine.ranking import ranked
from duban.engine.snapshot import Snapshot
from duban.engine.weekly import changes
from duban.outputs.charts import Bar, ChartFontMissing, bar_chart
from duban.outputs.md import cell, esc, table
from duban.outputs.report_md import CHART_TITLES, status_chart, trend_chart
from duban.outputs.site.pages.context import Context
from duban.zh import cn_date, natural_key, percent

UNITS_CHART = "各单位本单位逾期任务数（前十）"
CASES_CHART = "各类台账逾期在办件数"


def charts(site: Context) -> None:
    s = site.snapshot
    red = site.settings.colour(site.settings.level("overdue"))
    case_bars = [Bar(label, n, red) for _, label, n in figures.overdue_cases_by_kind(s)]
    behind = sorted((f for f in site.units_figures.values() if f.overdue), key=lambda f: (-len(f.overdue), f.unit))[:10]
    unit_bars = [Bar(f.name, len(f.overdue), red) for f in behind] or [Bar("无逾期", 0, red)]
    site.chart_files = {}
    try:
        site.pages["assets/charts/status.svg"] = status_chart(s)
        site.pages["assets/charts/units.svg"] = bar_chart(UNITS_CHART, unit_bars)
        site.pages["assets/charts/cases.svg"] = bar_chart(CASES_CHART, case_bars, unit="件")
        site.chart_files = {"status": CHART_TITLES["status"], "units": UNITS_CHART, "cases": CASES_CHART}
        trend = trend_chart(figures.trend(s.evaluator, s.as_of), site.settings)
        if trend:
            site.pages["assets/charts/trend.svg"] = trend
            site.chart_files["trend"] = CHART_TITLES["trend"]
    except ChartFontMissing:
        site.chart_files = {}


def card_counts(s: Snapshot) -> dict[str, int]:
    """What the home page's cards count (each piece of work once; units' own parts for lagging reports)."""
    total = figures.tasks_total(s)
    return {
        "overdue": total.overdue,
        "lagging": len(s.lagging_duties()),
        "due_soon": len(s.due_within()),
        "awaiting": len(s.awaiting_tasks()) + len(s.awaiting_cases()),
        "overdue_cases": len(s.overdue_cases()),
        "closed": total.closed,
        "total": total.total,
    }


# (key, label, link, the state whose level colours the card when it is not zero)
CARDS = (
    ("overdue", "逾期任务", "status/overdue/", "overdue"),
    ("lagging", "缺报/滞报（单位次）", "status/lagging/", "missed"),
    ("due_soon", "近期到期", "status/due-soon/", "due_soon"),
    ("awaiting", "待核销", "status/awaiting/", "awaiting_verification"),
    ("overdue_cases", "逾期台账", "status/overdue/#cases", "overdue"),
    ("closed", "已销号", "tasks/", "closed"),
    ("total", "任务总数", "tasks/", None),
)


def _change(now: int, before: int) -> str:
    diff = now - before
    if diff == 0:
        return "较上周持平"
    return f"较上周{'增加' if diff > 0 else '减少'} {abs(diff)}"


def home(site: Context) -> None:
    s = site.snapshot
    monday, as_of, previous = site.week
    now, before = card_counts(s), card_counts(previous)
    intro = (site.docs_dir / "index.md").read_text(encoding="utf-8") if (site.docs_dir / "index.md").exists() else ""
    out = [intro.rstrip(), "", "## 总体情况", "", site.asof_note()]
    # raw HTML links are not rewritten by MkDocs: these are the built URLs (use_directory_urls)
    out.append('<div class="duban-cards">')
    for key, label, link, state in CARDS:
        level = site.settings.level(state) if state and now[key] else ("绿" if state in ("overdue", "missed") else "灰")
        level = level if level in site.settings.levels else "灰"
        colour = site.settings.colour(level)
        out.append(f'<a class="duban-card" href="{link}" data-level="{esc(level)}" style="border-top-color:{colour}">'
                   f'<span class="duban-card-value" style="color:{colour}">{now[key]}</span>'
                   f'<span class="duban-card-label">{esc(label)}</span>'
                   f'<span class="duban-card-change">{_change(now[key], before[key])}</span></a>')
    total = figures.tasks_total(s)
    out += ["</div>", "", f"按期完成率（已到期的限时任务中按期完成的比例）：**{percent(total.on_time_rate)}**；"
            f"“较上周”与 {cn_date(previous.as_of)}（上一个完整周的周日）相比。", ""]
    if site.chart_files:
        out.append('<div class="duban-charts">')
        for name, title in site.chart_files.items():
            out.append(f'<div class="duban-chart"><img src="assets/charts/{name}.svg" alt="{esc(title)}"></div>')
        out += ["</div>", ""]
    out += ranking_section(site)
    out += ["", "## 逾期任务", "", "每行一个未完成的牵头单位，逾期最久的在前。", ""]
    duties = sorted(((st, d) for st in s.overdue_tasks() for d in st.duties if d.state == "overdue"),
                    key=lambda x: (-x[1].days_overdue, natural_key(x[0].task.id)))
    out.append(table(["编号", "任务名称", "单位", "完成时限", "逾期天数", "说明"], [
        [site.task_link(st.task, ""), cell(st.task.title), site.unit_link(d.unit, ""), cell(st.due),
         str(d.days_overdue), cell(d.reason)] for st, d in duties]))
    out += ["", f"## {site.settings.upcoming_days}天内到期", ""]
    out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "状态"], [
        [site.task_link(st.task, ""), cell(st.task.title), site.behind(st, ""), cell(st.due), site.badge(st)]
        for st in s.due_within()]))
    out += ["", f"## 本周动态（{cn_date(monday, year=False)}—{cn_date(as_of, year=False)}）", ""]
    out.append(changes_table(site, ""))
    if site.weeks:
        out += ["", f"最新周报：[{site.weeks[-1]}](reports/weekly/{site.weeks[-1]}/index.md)　[全部周报](reports/weekly/index.md)"
                + (f"　最新通报：[{site.months[-1]}](reports/monthly/{site.months[-1]}/index.md)" if site.months else "")]
    site.pages["index.md"] = "\n".join(out) + "\n"


def ranking_section(site: Context) -> list[str]:
    """The units by rank within their group, coloured by level, with how each score was made."""
    groups = ranked(site.snapshot, site.units_figures)
    if not groups:
        return []
    out = ["## 各单位排名", "", "只计本单位自己欠下的事项；待督办单位核销的不计入报告单位。[计分办法和全部单位](units/index.md)", ""]
    for group, units in groups:
        out += [f"### {esc(group)}", ""]
        out.append(table(["排名", "单位", "得分", "等级", "逾期", "缺报滞报周期", "逾期台账", "扣分情况"], [
            [f'<span data-sort="{f.rank}">{f.rank}</span>', site.unit_link(f.unit, ""), f"{f.score:g}",
             site.level_badge(f.level), str(len(f.overdue)), str(f.missed_periods + f.stale_periods),
             str(len(f.overdue_cases)), cell("；".join(p.text() for p in f.parts) or "无扣分")] for f in units]))
        out.append("")
    return out


def changes_table(site: Context, prefix: str) -> str:
    """This ISO week's changes (the weekly report's definition), newest first: units newly overdue or behind on a
    report, closures, work waiting for verification, progress, new and closed cases."""
    monday, as_of, previous = site.week
    found = changes(site.repo, site.snapshot, previous, monday, as_of)
    found.sort(key=lambda c: (c.date, natural_key(c.subject), c.what), reverse=True)
    rows = []
    for c in found:
        subject = site.task_link(site.repo.tasks[c.subject], prefix) if c.subject in site.repo.tasks else esc(c.subject)
        rows.append([str(c.date), esc(c.what), subject, site.units(c.units, prefix), cell(c.text)])
    return table(["日期", "类别", "事项", "单位", "内容"], rows, empty="本周至今没有新的变化。")

