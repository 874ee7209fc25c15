"""Status lists: overdue, due soon, stale and missed, by clause."""

from __future__ import annotations

from duban.engine import figures
from duban.outputs.md import cell, esc, table
from duban.outputs.site.pages.context import Context
from duban.zh import percent


def status_pages(site: Context) -> None:
    s = site.snapshot
    p = "../"
    out = ["# 逾期清单", "", site.asof_note(), "## 逾期任务", "", "逾期天数最长的在前。", ""]
    out.append(table(site.TASK_HEADERS, [site.task_row(st, p) for st in s.overdue_tasks()]))
    out += ["", "## 逾期台账 {#cases}", ""]
    for kind in site.repo.case_kinds():
        states = s.overdue_cases(kind.name)
        if states:
            out += [f"### {esc(kind.label)}（{len(states)} 件）", "", site.case_table(kind.name, states, p), ""]
    site.pages["status/overdue.md"] = "\n".join(out) + "\n"
    site.pages["status/due-soon.md"] = "\n".join([
        f"# {site.settings.upcoming_days}天内到期", "", site.asof_note(),
        table(site.TASK_HEADERS, [site.task_row(st, p) for st in s.due_within()])])
    lagging = s.lagging_tasks()
    site.pages["status/lagging.md"] = "\n".join([
        "# 滞报和缺报", "", site.asof_note(),
        "滞报：长期坚持的任务在最近一个报送周期没有收到牵头单位的进展；缺报：周期任务在最近一个周期没有规定的记录。", "",
        table(site.TASK_HEADERS, [site.task_row(st, p) for st in lagging])])
    by_clause = figures.tasks_by_clause(s)
    site.pages["status/clauses.md"] = "\n".join([
        "# 按条款统计", "", site.asof_note(),
        table(["条款", "任务数", "已销号", "逾期", "滞报/缺报", "按期完成率", "办结用时中位数（天）"], [
            [esc(t.name), str(t.total), str(t.closed), str(t.overdue), str(t.lagging), percent(t.on_time_rate),
             cell(t.median_days_to_close)] for t in by_clause])])
