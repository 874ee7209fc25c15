"""The unit index and one page per unit."""

from __future__ import annotations

from duban.engine import figures
from duban.engine.figures import Tally
from duban.engine.state import TaskState
from duban.outputs.md import esc, table
from duban.outputs.site.pages.context import Context
from duban.records.model import Unit
from duban.zh import percent


def unit_pages(site: Context) -> None:
    lead_tallies = {t.key: t for t in figures.tasks_by_unit(site.snapshot)}
    units = sorted(site.repo.units.values(), key=lambda u: (u.order, u.id))
    avg = figures.average(list(lead_tallies.values()))
    for unit in units:
        site.pages[f"units/{unit.id}.md"] = unit_page(site, unit, lead_tallies.get(unit.id), avg)
    rows = []
    for unit in units:
        t = lead_tallies.get(unit.id) or Tally(unit.id, unit.short_name)
        rows.append([f"[{esc(unit.name)}]({unit.id}.md)", esc(unit.kind), str(t.total), str(t.closed), str(t.overdue),
                     str(t.lagging), percent(t.on_time_rate)])
    site.pages["units/index.md"] = "\n".join([
        "# 各单位", "", site.asof_note(), "只计该单位牵头的任务。", "",
        table(["单位", "类别", "牵头任务", "已销号", "逾期", "滞报/缺报", "按期完成率"], rows)])


def unit_page(site: Context, unit: Unit, tally: Tally | None, avg) -> str:
    p = "../"
    tally = tally or Tally(unit.id, unit.short_name)
    lead, partner = site.snapshot.tasks_of_unit(unit.id)
    urgency = {"overdue": 0, "missed": 1, "stale": 2, "due_soon": 3}

    def key(st: TaskState):
        return (urgency.get(st.state, 9), -st.days_overdue, st.task.id)

    note = "（单位名称为典型设置，待核实）" if unit.unconfirmed else ""
    out = [f"# {esc(unit.name)}", "", site.asof_note(), f"类别：{esc(unit.kind)}{esc(note)}", "", f"## 本单位与{esc(site.settings.area)}平均", ""]
    out.append(table(["指标", "本单位", "各单位平均"], [
        ["牵头任务", str(tally.total), f"{avg.get('total', 0):.1f}" if avg else "—"],
        ["逾期任务", str(tally.overdue), f"{avg.get('overdue', 0):.1f}" if avg else "—"],
        ["按期完成率", percent(tally.on_time_rate), percent(avg.get("rate")) if avg else "—"],
    ]))
    out += ["", f"## 牵头任务（{len(lead)} 项）", "", "逾期的在前。", ""]
    out.append(table(site.TASK_HEADERS, [site.task_row(st, p) for st in sorted(lead, key=key)]))
    out += ["", f"## 配合任务（{len(partner)} 项）", ""]
    out.append(table(site.TASK_HEADERS, [site.task_row(st, p) for st in sorted(partner, key=key)]))
    for kind in site.repo.case_kinds():
        states = site.snapshot.cases_of(kind.name, unit.id)
        if not states:
            continue
        t = figures.cases_total(site.snapshot, kind.name, states)
        out += ["", f"## {esc(kind.label)}（{len(states)} 件）", ""]
        out.append(f"办结 {t.closed} 件，按期 {t.closed_on_time} 件，在办 {t.open} 件，逾期 {t.overdue} 件；"
                   f"[查看台账](../registers/{kind.name}/index.md)。\n")
        urgent = site.snapshot.urgent_cases(kind.name, unit.id)
        if urgent:
            out.append(site.case_table(kind.name, urgent, p))
    return "\n".join(out) + "\n"
