"""The plans: an index of every plan (in force, then ended), and each plan's page — its text with the tasks listed
under their clause and the plan's own figures at the top."""

from __future__ import annotations

from collections import defaultdict

from duban.engine import figures
from duban.engine.state import TaskState
from duban.outputs.md import esc, table
from duban.outputs.site.pages.context import Context
from duban.records.plan_pages import HEADING
from duban.zh import percent


def plans(site: Context) -> None:
    for plan in site.repo.plans.values():
        if not plan.page:
            continue
        source = site.docs_dir / plan.page
        text = source.read_text(encoding="utf-8") if source.exists() else f"# {esc(plan.title)}\n"
        depth = plan.page.count("/")
        prefix = "../" * depth
        by_clause: dict[str, list[TaskState]] = defaultdict(list)
        for st in site.snapshot.tasks.values():
            if st.task.plan == plan.id and not st.task.parent:
                by_clause[st.task.clause].append(st)
        lines = text.splitlines()
        out: list[str] = []
        current: str | None = None

        tracking = {c.id: c.tracking for c in plan.clauses if c.tracking}

        def flush():
            if current in tracking:
                out.extend(["", '!!! note "跟踪说明"', "", f"    {esc(tracking[current])}", ""])
            if current and by_clause.get(current):
                out.extend(["", '!!! abstract "落实任务"', ""])
                for st in by_clause[current]:
                    out.append(f"    - {site.badge(st)} {site.task_link(st.task, prefix, True)}"
                               f"（牵头：{esc(site.repo.unit_names(st.task.lead_units))}）")
                out.append("")

        for line in lines:
            m = HEADING.match(line)
            if m:
                flush()
                anchor = m.group(1)
                current = next((c.id for c in plan.clauses if c.anchor == anchor), None)
            out.append(line)
        flush()
        out.insert(1, "\n" + site.asof_note() + "\n" + plan_figures(site, plan, prefix))
        site.pages[plan.page] = "\n".join(out) + "\n"
    plans_index(site)


def _status(site: Context, plan) -> str:
    if plan.ended_by(site.snapshot.as_of):
        return f"{plan.status}（{plan.ended}）"
    return "有效"


def plan_figures(site: Context, plan, prefix: str) -> str:
    """The plan's own figures: its leaf tasks by state, as a short admonition above the text."""
    tally = next((t for p, t in figures.tasks_by_plan(site.snapshot) if p.id == plan.id), None)
    if tally is None:
        return ""
    ended = plan.ended_by(site.snapshot.as_of)
    note = f"本方案已于 {plan.ended} {plan.status}，任务状态定格在当日，不再计入当前统计和排名。" if ended else ""
    return "\n".join([
        '!!! info "落实情况"', "",
        f"    任务 {tally.total} 项：已销号 {tally.closed} 项，待核销 {tally.pending} 项，逾期 {tally.overdue} 项，"
        f"滞报/缺报 {tally.lagging} 项；按期完成率 {percent(tally.on_time_rate)}。{note}"
        f"[本方案的任务]({prefix}tasks/index.md)", ""])


def plans_index(site: Context) -> None:
    """Every plan: those in force first, then the ended ones, readable as they stood."""
    rows = []
    for plan, tally in figures.tasks_by_plan(site.snapshot):
        title = f"[{esc(plan.title)}](../{plan.page})" if plan.page else esc(plan.title)
        rows.append([esc(plan.doc_number), title, str(plan.issue_date), esc(_status(site, plan)), str(tally.total),
                     str(tally.closed), str(tally.overdue), str(tally.lagging), percent(tally.on_time_rate)])
    site.pages["plans/index.md"] = "\n".join([
        "# 工作方案", "", site.asof_note(),
        "本站督办的全部方案。已废止或已完成的方案留在这里备查，其任务状态定格在终止日，不计入当前的统计和排名。", "",
        table(["文号", "方案", "印发日期", "状态", "任务", "已销号", "逾期", "滞报/缺报", "按期完成率"], rows, empty="尚未导入方案。")])
