"""Case registers: an index per kind and volumes split by unit and year.

Each row keeps the state and the days overdue in view; the rest of the case (its summary,
history, outcome) is in the row's expandable cell, and each case id is an anchor. A kind
without a clock (meetings) is counted in 次, with no 办结/逾期 wording and no deadline column.
"""

from __future__ import annotations

import html

from duban.engine import figures
from duban.outputs.md import NO_SEARCH, cell, esc, table
from duban.outputs.site.pages.context import Context
from duban.zh import percent


def _summary(t, clock: bool) -> str:
    if not clock:
        return f"共 {t.total} 次。"
    return (f"共 {t.total} 件：办结 {t.closed} 件（按期 {t.closed_on_time} 件），待验收 {t.pending} 件，"
            f"在办 {t.open} 件，逾期 {t.overdue} 件。")


def registers(site: Context) -> None:
    s = site.snapshot
    for kind in site.repo.case_kinds():
        clock = bool(kind.case.limit or kind.case.closed)
        pages = []
        for name, title, chunk in site.case_volumes[kind.name]:
            t = figures.cases_total(s, kind.name, chunk)
            order = "逾期和临期的在前。" if clock else "按日期排列。"
            # volumes hold thousands of rows: out of search (their filter finds rows; search finds the register)
            page = f"registers/{kind.name}/{name}.md"
            # the table is a file of its own that duban.js puts into the page: MkDocs parses a page's HTML twice
            # in Python (Python-Markdown's raw-HTML pass, then MkDocs' anchor collection), most of the time of a
            # site with 100,000 cases; a static file it only copies
            fragment = f"registers/{kind.name}/{name}.table.html"
            site.pages[fragment] = site.volume_table(kind.name, chunk, page)
            src = html.escape(site.href(page)(f"{name}.table.html"))
            site.pages[page] = "\n".join([
                NO_SEARCH + f"# {esc(kind.label)}台账：{esc(title)}", "", site.asof_note(),
                _summary(t, clock) + order + "点击“查看”展开每条记录的全部内容。", "",
                f'<div class="duban-fragment" data-src="{src}"><p>正在载入台账表格（{t.total} 条）……'
                f'如果没有显示，请<a href="{src}">直接打开表格</a>。</p></div>', ""])
            pages.append((name, title, t))
        total = figures.cases_total(s, kind.name)
        out = [f"# {esc(kind.label)}台账", "", site.asof_note()]
        if clock:
            out += [_summary(total, True)[:-1] + f"；按期办结率 {percent(total.on_time_rate)}，"
                    f"办结用时中位数 {cell(total.median_days_to_close)} 天。", "", "## 按单位", "",
                    table(["单位", "合计", "办结", "按期办结", "待验收", "在办", "逾期", "按期办结率", "办结用时中位数（天）"], [
                        [site.unit_link(t.key, "../../"), str(t.total), str(t.closed), str(t.closed_on_time), str(t.pending),
                         str(t.open), str(t.overdue), percent(t.on_time_rate), cell(t.median_days_to_close)]
                        for t in figures.cases_by(s, kind.name)])]
        else:
            out += [_summary(total, False), "", "## 按单位", "",
                    table(["单位", "次数"], [[site.unit_link(t.key, "../../"), str(t.total)] for t in figures.cases_by(s, kind.name)])]
        heads = ["分册", "合计", "在办", "逾期"] if clock else ["分册", "次数"]
        out += ["", "## 分册", "", "按单位和年份分册。", "",
                table(heads, [[f"[{esc(title)}]({name}.md)", str(t.total)] + ([str(t.open), str(t.overdue)] if clock else [])
                              for name, title, t in pages]),
                "", f"完整数据见[开放数据](../../data/index.md)（{esc(kind.name)}.csv / {esc(kind.name)}.json）。"]
        site.pages[f"registers/{kind.name}/index.md"] = "\n".join(out) + "\n"
    site.tables.prune()
    rows = []
    for k in site.repo.case_kinds():
        t = figures.cases_total(s, k.name)
        clock = bool(k.case.limit or k.case.closed)
        rows.append([f"[{esc(k.label)}]({k.name}/index.md)", f"{t.total} {'件' if clock else '次'}",
                     str(t.open) if clock else "—", str(t.pending) if clock else "—", str(t.overdue) if clock else "—"])
    site.pages["registers/index.md"] = "\n".join(["# 台账", "", site.asof_note(),
                                                  table(["类别", "合计", "在办", "待验收", "逾期"], rows)])
