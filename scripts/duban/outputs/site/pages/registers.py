"""Case registers: an index per kind and volumes split by unit and year."""

from __future__ import annotations

from collections import defaultdict

from duban.engine import figures
from duban.engine.state import CaseState
from duban.outputs.md import NO_SEARCH, cell, esc, table
from duban.outputs.site.pages.context import Context
from duban.zh import percent

MAX_REGISTER_ROWS = 1000  # rows per register page: about 0.7 MB of HTML, under the 1.5 MB limit


def registers(site: Context) -> None:
    for kind in site.repo.case_kinds():
        states = site.snapshot.cases.get(kind.name, [])
        groups: dict[tuple[str, int], list[CaseState]] = defaultdict(list)
        for st in states:
            groups[(st.case.unit, st.start.year)].append(st)
        pages = []
        for (unit, year), group in sorted(groups.items(), key=lambda g: (site.unit_order(g[0][0]), g[0][1])):
            group.sort(key=lambda c: (c.state not in ("overdue", "due_soon"), -c.days_overdue, c.start, c.case.id))
            chunks = [group[i:i + MAX_REGISTER_ROWS] for i in range(0, len(group), MAX_REGISTER_ROWS)]
            for n, chunk in enumerate(chunks, 1):
                name = f"{unit}-{year}" + (f"-{n}" if len(chunks) > 1 else "")
                title = f"{site.repo.unit_name(unit)} {year}年" + (f"（第{n}页）" if len(chunks) > 1 else "")
                t = figures.cases_total(site.snapshot, kind.name, chunk)
                # volumes hold thousands of rows: out of search (their filter finds rows; search finds the register)
                site.pages[f"registers/{kind.name}/{name}.md"] = "\n".join([
                    NO_SEARCH + f"# {esc(kind.label)}台账：{esc(title)}", "", site.asof_note(),
                    f"共 {t.total} 件：办结 {t.closed} 件（按期 {t.closed_on_time} 件），在办 {t.open} 件，逾期 {t.overdue} 件。逾期和临期的在前。", "",
                    site.case_table(kind.name, chunk, "../../")])
                pages.append((name, title, t))
        tallies = figures.cases_by(site.snapshot, kind.name)
        total = figures.cases_total(site.snapshot, kind.name)
        out = [f"# {esc(kind.label)}台账", "", site.asof_note(),
               f"共 {total.total} 件：办结 {total.closed} 件（按期 {total.closed_on_time} 件），在办 {total.open} 件，逾期 {total.overdue} 件；"
               f"按期办结率 {percent(total.on_time_rate)}，办结用时中位数 {cell(total.median_days_to_close)} 天。", "",
               "## 按单位", "",
               table(["单位", "合计", "办结", "按期办结", "在办", "逾期", "按期办结率", "办结用时中位数（天）"], [
                   [site.unit_link(t.key, "../../"), str(t.total), str(t.closed), str(t.closed_on_time), str(t.open),
                    str(t.overdue), percent(t.on_time_rate), cell(t.median_days_to_close)] for t in tallies]),
               "", "## 分册", "", "按单位和年份分册，每册中逾期和临期的在前。", "",
               table(["分册", "合计", "在办", "逾期"], [[f"[{esc(title)}]({name}.md)", str(t.total), str(t.open), str(t.overdue)]
                                                      for name, title, t in pages]),
               "", f"完整数据见[开放数据](../../data/index.md)（{esc(kind.name)}.csv / {esc(kind.name)}.json）。"]
        site.pages[f"registers/{kind.name}/index.md"] = "\n".join(out) + "\n"
    site.pages["registers/index.md"] = "\n".join(["# 台账", "", site.asof_note(), table(["类别", "合计", "在办", "逾期"], [
        [f"[{esc(k.label)}]({k.name}/index.md)", str(len(site.snapshot.cases.get(k.name, []))),
         str(t.open), str(t.overdue)] for k in site.repo.case_kinds() for t in [figures.cases_total(site.snapshot, k.name)]])])
