"""The task index (parents with their sub-tasks) and one page per task.

A task page says what each lead unit owes itself: its own state, its latest report and,
for a task with a cadence, a period × unit grid (✔ on time, 迟 late, ✘ missing) linking
to the records that fulfilled each period.
"""

from __future__ import annotations

from duban.engine.snapshot import PeriodCheck
from duban.engine.state import TaskState
from duban.outputs.md import cell, esc, table
from duban.outputs.site.pages.context import Context

GRID_RECENT = 12  # periods shown open; older ones folded
MARKS = {"ok": "✔", "late": "迟", "missed": "✘", "open": "…"}


def task_pages(site: Context) -> None:
    for tid, st in site.snapshot.tasks.items():
        site.pages[f"tasks/{tid}.md"] = task_page(site, st)
    rows = [site.task_row(st, "../", indent=depth > 0) for st, depth in site.tasks_in_tree()]
    leaves = len(site.snapshot.leaves())
    out = ["# 全部任务", "", site.asof_note(),
           f"共 {leaves} 项任务（子任务列在上级任务之下，上级任务的状态由子任务汇总，不重复计数）。"
           "点击表头排序；在筛选框中输入编号、单位、状态等文字，或用下拉框按列筛选。", "",
           table(site.task_headers, rows)]
    site.pages["tasks/index.md"] = "\n".join(out)


def _last_report(site: Context, st: TaskState, unit: str | None = None) -> str:
    """最近报送 YYYY-MM-DD（N 天未报送）: the latest update, or for a task proved by records (meetings), the latest record."""
    t = st.task
    if t.timing.evidence_kind:
        day = site.snapshot.last_evidence(t, unit)
        word, none = f"最近{site.repo.registry.kinds[t.timing.evidence_kind].label}", "尚无记录"
        gap = "天无记录"
    else:
        report = site.snapshot.last_report(t, unit)
        day = report.date if report else None
        word, none, gap = "最近报送", "尚未报送", "天未报送"
    if day is None:
        return none
    days = (site.snapshot.as_of - day).days
    return f"{word} {day}（{days} {gap}）" if days else f"{word} {day}（今天）"


def task_page(site: Context, st: TaskState) -> str:
    t = st.task
    p = "../"
    out = [f"# {esc(t.id)} {esc(t.title)}", "", site.asof_note(),
           f"{site.badge(st)} **{esc(st.reason)}**", ""]
    facts = [
        ("所属方案", esc(site.repo.plans[t.plan].doc_number) if t.plan in site.repo.plans else esc(t.plan)),
        ("对应条款", site.clause_link(t, p)),
    ]
    if site.clause_tracking(t):
        facts.append(("跟踪说明", esc(site.clause_tracking(t))))
    facts += [
        ("牵头单位", site.units(t.lead_units, p)),
        ("配合单位", site.units(t.partner_units, p)),
        ("时限表述", cell(t.deadline_text)),
        ("时限形式", esc(t.timing.mode)),
        ("完成时限" if t.timing.mode == "限时" else "周期", esc(site.timing_text(t))),
    ]
    if st.due and st.due != t.timing.due:
        facts.append(("现行时限", f"{st.due}（已批准延期）"))
    if st.next_due and st.next_due >= site.snapshot.as_of:
        facts.append(("下次到期", str(st.next_due)))
    if st.is_leaf:
        facts.append(("报送情况", esc(_last_report(site, st))))
    if st.verification:
        v = st.verification
        facts.append(("核销", f"{site.unit_link(v.office, p) if v.office else '督办单位'}核实，核销时限 {v.due}"
                      + (f"，已超期 {v.days_overdue} 天" if v.overdue else "")))
    if t.parent and t.parent in site.repo.tasks:
        facts.append(("上级任务", site.task_link(site.repo.tasks[t.parent], p, True)))
    out.append(table(["项目", "内容"], [[k, v] for k, v in facts]))
    if st.duties and len(st.duties) > 0:
        out += ["", "## 各牵头单位", "", "每个牵头单位只对自己的部分负责。", ""]
        out.append(table(["单位", "状态", "说明", "报送情况"], [
            [site.unit_link(d.unit, p), site.badge(d), cell(d.reason), esc(_last_report(site, st, d.unit))]
            for d in st.duties]))
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
    grid = site.snapshot.period_grid(t) if st.is_leaf else []
    if grid:
        out += ["", *period_grid(site, st, grid)]
    out += ["", "## 时间线", ""]
    lines = []
    for e in site.snapshot.timeline(t):
        if e.what == "update":
            text = f"**{esc(e.update.state)}**　{site.unit_link(e.unit, p)}：{esc(e.update.text)}"
        elif e.what == "extension_requested":
            text = f"**申请延期**至 {e.extension.new_due}：{esc(e.extension.reason)}"
        elif e.what == "extension_approved":
            text = f"**批准延期**至 {e.extension.new_due}（{site.unit_link(e.unit, p)}）"
        else:
            text = f"**销号**（{site.unit_link(e.unit, p)}）：{cell(e.closure.note)}"
        lines.append(f"- {e.day}　{text}")
    out.append("\n".join(lines) if lines else "暂无记录。")
    files = [(t.file, "task", "任务")] + [(u.file, "update", f"进展（{site.repo.unit_name(u.unit)}，{u.date}）")
                                          for u in site.snapshot.updates_of(t.id)]
    trail = site.change_history(files)
    if trail:
        out += ["", *trail]
    return "\n".join(out) + "\n"


def _mark(site: Context, check: PeriodCheck) -> str:
    mark = MARKS[check.status]
    links = [site.case_link(e.kind, e.ref, "../", text=f"{e.recorded:%m-%d}") for e in check.evidence if e.kind != "update"]
    title = {"ok": "按期", "late": "补报", "missed": "缺报", "open": "本期未结束"}[check.status]
    return f'<span class="duban-mark" data-status="{check.status}" title="{title}">{mark}</span>' + (
        " " + " ".join(links) if links else "")


def period_grid(site: Context, st: TaskState, grid: list[list[PeriodCheck]]) -> list[str]:
    """Period × unit: who recorded what, newest first; older periods folded."""
    t = st.task
    word = "缺报" if t.timing.mode == "周期" else "滞报"
    headers = ["周期"] + [site.unit_link(u, "../") for u in t.lead_units]
    rows = [[esc(row[0].period.label(t.timing.cadence))] + [_mark(site, c) for c in row] for row in grid]
    counts = "，".join(f"{site.repo.unit_name(d.unit)} {len(d.misses)} 个" for d in st.duties if d.misses)
    out = ["## 各周期报送情况", "",
           f"✔ 按期　迟 补报（周期结束后才报送）　✘ {word}　… 本期尚未结束。" + (f"累计{word}：{esc(counts)}。" if counts else ""), "",
           table(headers, rows[:GRID_RECENT])]
    if len(rows) > GRID_RECENT:
        older = table(headers, rows[GRID_RECENT:])
        out += ["", f'??? note "更早的 {len(rows) - GRID_RECENT} 个周期"', ""]
        out += ["    " + line if line else "" for line in older.splitlines()]
    return out
