"""Status lists: overdue (each unit behind), due soon, stale and missed (each unit), awaiting verification, by clause."""

from __future__ import annotations

from duban.engine import figures
from duban.outputs.md import NO_SEARCH, cell, esc, table
from duban.outputs.site.pages.context import Context
from duban.zh import natural_key, percent

OVERDUE_INLINE = 300  # overdue cases of a kind listed on the overdue page itself; beyond, a page per unit


def status_pages(site: Context) -> None:
    s = site.snapshot
    p = "../"
    duties = sorted(((st, d) for st in s.overdue_tasks() for d in st.duties if d.state == "overdue"),
                    key=lambda x: (-x[1].days_overdue, natural_key(x[0].task.id)))
    out = ["# 逾期清单", "", site.asof_note(), "## 逾期任务", "",
           f"逾期任务 {len(s.overdue_tasks())} 项。每行一个未完成的牵头单位，逾期最久的在前；已报告完成的单位不列。", ""]
    out.append(table(site.headers("单位"), [_duty_row(site, st, d, p) for st, d in duties]))
    out += ["", "## 逾期台账 {#cases}", ""]
    for kind in site.repo.case_kinds():
        states = s.overdue_cases(kind.name)
        if not states:
            continue
        out += [f"### {esc(kind.label)}（{len(states)} 件）", ""]
        if len(states) <= OVERDUE_INLINE:
            out += [site.case_table(kind.name, states, p), ""]
        else:  # a long list gets a page per unit, so that no page grows with the whole area's backlog
            out += ["逾期件数较多，按单位分页列出，逾期最久的在前。", "", table(["单位", "逾期件数", "清单"], [
                [site.unit_link(unit, p), str(count), link] for unit, count, link in _unit_pages(site, kind, states)]), ""]
    site.pages["status/overdue.md"] = "\n".join(out) + "\n"
    site.pages["status/due-soon.md"] = "\n".join([
        f"# {site.settings.upcoming_days}天内到期", "", site.asof_note(),
        table(site.task_headers, [site.task_row(st, p) for st in s.due_within()])])
    lagging = s.lagging_duties()
    site.pages["status/lagging.md"] = "\n".join([
        "# 滞报和缺报", "", site.asof_note(),
        "滞报：长期坚持的任务在最近一个报送周期没有收到该牵头单位的进展；缺报：周期任务在最近一个周期没有该单位的规定记录。"
        "每行一个未报单位，累计数只计该单位自己的。", "",
        table(site.headers("单位"), [_duty_row(site, st, d, p) for st, d in lagging])])
    tasks, cases = s.awaiting_tasks(), s.awaiting_cases()
    site.pages["status/awaiting.md"] = "\n".join([
        "# 待核销", "", site.asof_note(),
        "牵头单位已报告完成（台账已办完）、等待督办单位核实销号的事项。它们计入督办单位，不计入报告单位；"
        f"超过核销时限（{site.settings.verification.days}{site.settings.verification.unit}）的列为核销超期。", "",
        "## 任务", "",
        table(["编号", "任务名称", "牵头单位", "核销单位", "报告完成", "核销时限", "状态"], [
            [site.task_link(st.task, p), cell(st.task.title), site.units(st.task.lead_units, p),
             site.units([st.verification.office], p) if st.verification.office else "—", str(st.verification.since),
             str(st.verification.due), site.badge(st)] for st in tasks]),
        "", "## 台账", "",
        table(["编号", "类别", "责任单位", "验收单位", "办完", "验收时限", "状态"], [
            [site.case_link(c.case.kind, c.case.id, p), esc(site.repo.registry.kinds[c.case.kind].label),
             site.unit_link(c.case.unit, p), site.units([c.verification.office], p) if c.verification.office else "—",
             str(c.verification.since), str(c.verification.due), site.badge(c)] for c in cases])])
    by_clause = figures.tasks_by_clause(s)
    site.pages["status/clauses.md"] = "\n".join([
        "# 按条款统计", "", site.asof_note(), "每项任务只计一次（上级任务不计，计其子任务）。", "",
        table(["条款", "任务数", "已销号", "待核销", "逾期", "滞报/缺报", "按期完成率", "办结用时中位数（天）"], [
            [esc(t.name), str(t.total), str(t.closed), str(t.pending), str(t.overdue), str(t.lagging), percent(t.on_time_rate),
             cell(t.median_days_to_close)] for t in by_clause])])


def _unit_pages(site: Context, kind, states) -> list[tuple[str, int, str]]:
    """Overdue cases of one kind, a page per responsible unit (at most ``OVERDUE_INLINE`` rows a page, in the
    snapshot's order): (unit, count, links to its pages)."""
    by_unit: dict[str, list] = {}
    for st in states:
        by_unit.setdefault(st.case.unit, []).append(st)
    out = []
    for unit in sorted(by_unit, key=natural_key):
        rows = by_unit[unit]
        chunks = [rows[i:i + OVERDUE_INLINE] for i in range(0, len(rows), OVERDUE_INLINE)]
        u = site.repo.units.get(unit)
        name = u.name if u else unit
        links = []
        for n, (chunk, page) in enumerate(zip(chunks, overdue_pages(unit, len(rows))), 1):
            part = f"（第 {n} 页，共 {len(chunks)} 页）" if len(chunks) > 1 else ""
            site.pages[f"status/overdue-cases/{kind.name}/{page}.md"] = "\n".join([
                NO_SEARCH + f"# 逾期{esc(kind.label)}：{esc(name)}{part}", "", site.asof_note(),
                f"{esc(name)}逾期{esc(kind.label)} {len(rows)} 件，逾期最久的在前。[返回逾期清单](../../overdue.md#cases)", "",
                site.case_table(kind.name, chunk, "../../../"), ""])
            links.append(f"[{'查看' if len(chunks) == 1 else f'第 {n} 页'}](overdue-cases/{kind.name}/{page}.md)")
        out.append((unit, len(rows), " ".join(links)))
    return out


def overdue_pages(unit: str, count: int) -> list[str]:
    """The names of the pages under ``status/overdue-cases/<kind>/`` that list a unit's ``count`` overdue cases of a
    kind whose list is split (more than ``OVERDUE_INLINE`` in all)."""
    pages = -(-count // OVERDUE_INLINE)
    return [unit] if pages == 1 else [f"{unit}-{n}" for n in range(1, pages + 1)]


def _duty_row(site: Context, st, d, prefix: str) -> list[str]:
    t = st.task
    return [site.task_link(t, prefix), cell(t.title), *site.plan_cell(t),
            esc(figures.plan_clause_label(site.snapshot, t.plan, t.clause)), site.unit_link(d.unit, prefix),
            esc(site.due_text(st)), site.badge(d), cell(d.reason)]
