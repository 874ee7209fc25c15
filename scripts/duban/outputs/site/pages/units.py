"""The unit index (ranked by the declared score, with its parts) and one page per unit.

A unit's page puts the unit's own items first (its overdue parts, its missed and stale
reports, its overdue cases, the work waiting for its verification), then the tasks it
leads in its own terms, then the tasks it partners on (never charged to it).
"""

from __future__ import annotations

from duban.engine import figures
from duban.engine.ranking import UnitFigures
from duban.outputs.md import cell, esc, table
from duban.outputs.report_md import ranking_rule as _rule
from duban.outputs.site.pages import status
from duban.outputs.site.pages.context import Context
from duban.records.model import Unit
from duban.zh import percent


def heading(unit: Unit) -> str:
    """The page's title names the unit by all its names (smaller after the full name), so that searching any of them
    finds the page by its title, which the search index weighs far above text."""
    others = [n for n in dict.fromkeys([unit.short_name, *unit.aliases]) if n != unit.name]
    return f"# {esc(unit.name)}" + (f' <small class="duban-aka">{esc("、".join(others))}</small>' if others else "")


def unit_pages(site: Context) -> None:
    units = sorted(site.repo.units.values(), key=lambda u: (u.order, u.id))
    avg = figures.average([f.tasks for f in site.units_figures.values() if f.tasks.total])
    for unit in units:
        site.pages[f"units/{unit.id}.md"] = unit_page(site, unit, site.units_figures[unit.id], avg)
    rows = []
    for unit in units:
        f = site.units_figures[unit.id]
        rows.append([f"[{esc(unit.name)}]({unit.id}.md)", esc(f.group), rank_text(f), score_text(f),
                     site.level_badge(f.level) if f.ranked else "—", str(f.tasks.total), str(len(f.overdue)),
                     str(f.missed_periods + f.stale_periods), str(len(f.overdue_cases)), str(f.verifying),
                     parts_cell(f)])
    site.pages["units/index.md"] = "\n".join([
        "# 各单位", "", site.asof_note(), esc(ranking_rule(site)), "",
        table(["单位", "分组", "排名", "得分", "等级", "牵头任务", "逾期", "缺报滞报周期", "逾期台账", "待其核销", "扣分情况"], rows)])


def ranking_rule(site: Context) -> str:
    return _rule(site.snapshot)


def rank_text(f: UnitFigures) -> str:
    return f'<span data-sort="{f.rank}">{f.rank}</span>' if f.ranked else "—"


def score_text(f: UnitFigures) -> str:
    return f"{f.score:g}" if f.ranked else "—"


def parts_cell(f: UnitFigures) -> str:
    """How the score was made: the parts in the cell, the same in a hover."""
    text = "；".join(p.text() for p in f.parts) or "无扣分"
    return f'<span title="{esc(text)}">{esc(text)}</span>'


def unit_page(site: Context, unit: Unit, f: UnitFigures, avg) -> str:
    p = "../"
    s = site.snapshot
    note = "（单位名称为典型设置，待核实）" if unit.unconfirmed else ""
    out = [heading(unit), "", site.asof_note(),
           f"类别：{esc(unit.kind)}{esc(note)}", ""]
    if f.ranked:
        out.append(f"{site.level_badge(f.level)} **得分 {f.score:g}，{esc(f.group)}第 {f.rank} 名**："
                   + esc("；".join(x.text() for x in f.parts) or "无扣分"))
        out.append("")
    # --- the unit's own items first
    own = s.unit_duties(unit.id)
    urgent = [(st, d) for st, d in own if d.state in ("overdue", "missed", "stale", "due_soon")]
    urgent.sort(key=lambda x: (site.settings.severity(x[1].state), -x[1].days_overdue, x[0].task.id))
    out += ["## 本单位待办", ""]
    items = [site.task_row(st, p, duty=d) for st, d in urgent]
    out.append(table(site.task_headers, items, empty="本单位没有逾期、临期、缺报或滞报的任务。"))
    for kind in site.repo.case_kinds():
        overdue = s.overdue_cases(kind.name, unit.id)
        if len(overdue) > status.OVERDUE_INLINE:  # listed on pages of their own (the overdue list's), as many as it takes
            pages = status.overdue_pages(unit.id, len(overdue))
            links = "、".join(f"[第 {n} 页](../status/overdue-cases/{kind.name}/{page}.md)" if len(pages) > 1 else
                             f"[查看清单](../status/overdue-cases/{kind.name}/{page}.md)" for n, page in enumerate(pages, 1))
            out += ["", f"### 逾期{esc(kind.label)}（{len(overdue)} 件）", "",
                    f"逾期件数较多，另页列出，逾期最久的在前：{links}。"]
        elif overdue:
            out += ["", f"### 逾期{esc(kind.label)}（{len(overdue)} 件）", "", site.case_table(kind.name, overdue, p)]
    waiting_tasks, waiting_cases = s.awaiting_tasks(unit.id), s.awaiting_cases(unit.id)
    if waiting_tasks or waiting_cases:
        out += ["", f"## 待本单位核销（{len(waiting_tasks) + len(waiting_cases)} 项）", "",
                "牵头单位已报告完成（台账已办完），等待本单位核实销号；超期计入本单位。", ""]
        out.append(table(["事项", "名称", "报告完成", "核销时限", "超期天数"], [
            [site.task_link(st.task, p), cell(st.task.title), str(st.verification.since), str(st.verification.due),
             str(st.verification.days_overdue)] for st in waiting_tasks] + [
            [site.case_link(c.case.kind, c.case.id, p), esc(site.repo.registry.kinds[c.case.kind].label),
             str(c.verification.since), str(c.verification.due), str(c.verification.days_overdue)] for c in waiting_cases]))
    # --- comparison and everything it leads
    t = f.tasks
    out += ["", f"## 本单位与{esc(site.settings.area)}平均", ""]
    out.append(table(["指标", "本单位", "各单位平均"], [
        ["牵头任务", str(t.total), f"{avg.get('total', 0):.1f}" if avg else "—"],
        ["逾期任务", str(t.overdue), f"{avg.get('overdue', 0):.1f}" if avg else "—"],
        ["按期完成率", percent(t.on_time_rate), percent(avg.get("rate")) if avg else "—"],
    ]))
    lead, partner = s.tasks_of_unit(unit.id)
    rows = []
    for st in sorted(lead, key=lambda x: (site.settings.severity(x.duty(unit.id).state), x.task.id)):
        rows.append(site.task_row(st, p, duty=st.duty(unit.id)))
    out += ["", f"## 牵头任务（{len(lead)} 项）", "", "状态和说明是本单位自己那一部分的。", ""]
    out.append(table(site.task_headers, rows))
    out += ["", f"## 配合任务（{len(partner)} 项）", "", "由牵头单位负责，不计入本单位。", ""]
    out.append(table(site.task_headers, [site.task_row(st, p) for st in sorted(partner, key=lambda x: x.task.id)]))
    for kind in site.repo.case_kinds():
        states = s.cases_of(kind.name, unit.id)
        if not states:
            continue
        k = figures.cases_total(s, kind.name, states)
        out += ["", f"## {esc(kind.label)}（{len(states)} {'次' if not (kind.case.limit or kind.case.closed) else '件'}）", ""]
        if kind.case.limit or kind.case.closed:
            out.append(f"办结 {k.closed} 件（按期 {k.closed_on_time} 件），待验收 {k.pending} 件，在办 {k.open} 件，逾期 {k.overdue} 件；"
                       f"[查看台账](../registers/{kind.name}/index.md)。\n")
        else:
            out.append(f"[查看台账](../registers/{kind.name}/index.md)。\n")
    return "\n".join(out) + "\n"

