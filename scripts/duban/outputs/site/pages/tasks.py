"""The task index and one page per task."""

from __future__ import annotations

from duban.engine.state import TaskState
from duban.outputs.md import cell, esc, table
from duban.outputs.site.pages.context import Context


def task_pages(site: Context) -> None:
    for tid, st in site.snapshot.tasks.items():
        site.pages[f"tasks/{tid}.md"] = task_page(site, st)
    rows = [site.task_row(st, "../") for st in sorted(site.snapshot.tasks.values(), key=lambda x: x.task.id)]
    out = ["# 全部任务", "", site.asof_note(),
           "点击表头排序；在筛选框中输入编号、单位、状态等文字，或用下拉框按列筛选。", "",
           table(site.TASK_HEADERS, rows)]
    site.pages["tasks/index.md"] = "\n".join(out)


def task_page(site: Context, st: TaskState) -> str:
    t = st.task
    p = "../"
    out = [f"# {esc(t.id)} {esc(t.title)}", "", site.asof_note(),
           f"{site.badge(st)} **{esc(st.reason)}**", ""]
    facts = [
        ("所属方案", esc(site.repo.plans[t.plan].doc_number) if t.plan in site.repo.plans else esc(t.plan)),
        ("对应条款", site.clause_link(t, p)),
        ("牵头单位", site.units(t.lead_units, p)),
        ("配合单位", site.units(t.partner_units, p)),
        ("时限表述", cell(t.deadline_text)),
        ("时限形式", esc(t.timing.mode)),
        ("完成时限" if t.timing.mode == "限时" else "周期", esc(site.timing_text(t))),
    ]
    if st.due and st.due != t.timing.due:
        facts.append(("现行时限", f"{st.due}（已批准延期）"))
    if st.next_due:
        facts.append(("下次到期", str(st.next_due)))
    if t.parent and t.parent in site.repo.tasks:
        facts.append(("上级任务", site.task_link(site.repo.tasks[t.parent], p, True)))
    if st.claimed_on and not st.closed:
        facts.append(("单位申报", f"{st.claimed_on} 报告已完成，待督办单位核实销号"))
    out.append(table(["项目", "内容"], [[k, v] for k, v in facts]))
    out += ["", "## 具体措施", "", esc(t.measures), ""]
    children = site.repo.children(t.id)
    if children:
        done, total = st.progress
        out += ["## 子任务", "", f"已销号 {done}/{total}。", ""]
        out.append(table(["编号", "任务名称", "牵头单位", "状态", "说明"], [
            [site.task_link(c, p), cell(c.title), site.units(c.lead_units, p), site.badge(site.snapshot.tasks[c.id]),
             cell(site.snapshot.tasks[c.id].reason)] for c in children if c.id in site.snapshot.tasks]))
    if t.milestones:
        out += ["", "## 阶段目标", ""]
        out.append(table(["日期", "内容"], [[str(m.date), cell(m.title)] for m in t.milestones]))
    if st.misses:
        cadence = t.timing.cadence
        what = "缺报" if t.timing.mode == "周期" else "滞报"
        out += ["", f"## {what}周期（{len(st.misses)} 个）", ""]
        out.append(table(["周期", "单位"], [[esc(m.period.label(cadence)), site.unit_link(m.unit, p)]
                                           for m in sorted(st.misses, key=lambda m: m.period, reverse=True)]))
    out += ["", "## 时间线", ""]
    lines = []
    for e in site.snapshot.timeline(t):
        if e.what == "update":
            text = f"**{esc(e.update.state)}**　{site.unit_link(e.unit, p)}：{esc(e.update.text)}"
        elif e.what == "extension_requested":
            text = f"**申请延期**：{esc(e.extension.reason)}"
        elif e.what == "extension_approved":
            text = f"**批准延期**至 {e.extension.new_due}（{site.unit_link(e.unit, p)}）"
        else:
            text = f"**销号**（{site.unit_link(e.unit, p)}）：{cell(e.closure.note)}"
        lines.append(f"- {e.day}　{text}")
    out.append("\n".join(lines) if lines else "暂无记录。")
    return "\n".join(out) + "\n"
