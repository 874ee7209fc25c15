"""The site's generated pages: plain Markdown (and a few data files) from a snapshot.

``generate(snapshot, docs_dir)`` returns ``{relative path: str | bytes}``. It
reads the hand-written pages under ``docs/`` and adds the generated ones:
the dashboard, the plan with its tasks under each clause, a page per task and
per unit, status tables, case registers split by unit and year, the editor's
guide and the open data. Writing the files and running MkDocs is ``site.py``'s
job. Every record value goes through ``md.esc``/``md.cell``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from pathlib import Path

from duban.engine import figures
from duban.outputs.charts import Bar, ChartFontMissing, bar_chart
from duban.engine.figures import Tally, percent
from duban.outputs.md import NO_SEARCH, badge, cell, esc, table
from duban.records.model import Task, Unit
from duban.outputs.report_md import CHART_TITLES, status_chart, trend_chart
from duban.engine.state import CaseState, Snapshot, TaskState, evaluate
from duban.engine.weekly import changes, cn_date

HEADING = re.compile(r"^(#{1,6})\s.*\{#(clause-[0-9-]+)\}\s*$")
MAX_REGISTER_ROWS = 1000  # rows per register page: about 0.7 MB of HTML, under the 1.5 MB limit


class Site:
    """Builds the page set for one snapshot."""

    def __init__(self, snapshot: Snapshot, docs_dir: Path, weeks: list[str] | None = None):
        self.s = snapshot
        self.repo = snapshot.repo
        self.settings = snapshot.settings
        self.docs_dir = Path(docs_dir)
        self.weeks = weeks or []
        self.pages: dict[str, str | bytes] = {}

    # ------------------------------------------------------------ helpers
    def asof_note(self) -> str:
        extra = "；部分期限按周一至周五估算（超出节假日数据覆盖范围）" if self.s.estimated else ""
        return f'<p class="duban-asof">数据截至 <strong>{cn_date(self.s.as_of)}</strong>{extra}</p>\n'

    def badge(self, state) -> str:
        return badge(state.label, state.level, self.settings.colour(state.level))

    def unit_link(self, unit_id: str, prefix: str) -> str:
        u = self.repo.units.get(unit_id)
        return f"[{esc(u.short_name)}]({prefix}units/{unit_id}.md)" if u else esc(unit_id)

    def units(self, ids, prefix: str) -> str:
        return "、".join(self.unit_link(u, prefix) for u in ids) or "—"

    def task_link(self, task: Task, prefix: str, with_title: bool = False) -> str:
        text = esc(task.id) + (f" {esc(task.title)}" if with_title else "")
        return f"[{text}]({prefix}tasks/{task.id}.md)"

    def clause_text(self, task: Task) -> str:
        plan = self.repo.plans.get(task.plan)
        label = figures.plan_clause_label(self.s, task.plan, task.clause)
        title = plan.clause(task.clause).title if plan else ""
        return f"{label}{title}"

    def clause_link(self, task: Task, prefix: str) -> str:
        plan = self.repo.plans.get(task.plan)
        if plan is None or not plan.page:
            return esc(self.clause_text(task))
        anchor = "clause-" + task.clause.replace(".", "-")
        return f"[{esc(self.clause_text(task))}]({prefix}{plan.page}#{anchor})"

    def timing_text(self, task: Task) -> str:
        t = task.timing
        if t.mode == "限时":
            return f"{t.due}"
        return f"{t.cadence}（{t.start} 起{'，至 ' + str(t.end) if t.end else ''}）"

    def due_text(self, st: TaskState) -> str:
        """The date that matters now: the effective due date (extensions counted) or the next period's end."""
        t = st.task
        if t.timing.mode == "限时":
            return str(st.due) + ("（已延期）" if st.due != t.timing.due else "")
        if st.next_due:
            return f"{t.timing.cadence}，本期至 {st.next_due}"
        if st.state == "not_started":
            return f"{t.timing.cadence}，{t.timing.start} 开始"
        return f"{t.timing.cadence}，{t.timing.end} 结束"

    def task_row(self, st: TaskState, prefix: str) -> list[str]:
        t = st.task
        return [self.task_link(t, prefix), cell(t.title), esc(figures.plan_clause_label(self.s, t.plan, t.clause)),
                self.units(t.lead_units, prefix), esc(self.due_text(st)), self.badge(st), cell(st.reason)]

    TASK_HEADERS = ["编号", "任务名称", "条款", "牵头单位", "时限", "状态", "说明"]

    # ------------------------------------------------------------ pages
    def build(self) -> dict[str, str | bytes]:
        self.charts()
        self.home()
        self.plans()
        self.task_pages()
        self.unit_pages()
        self.status_pages()
        self.registers()
        self.guide()
        self.open_data()
        self.reports_index()
        return self.pages

    def charts(self) -> None:
        s = self.s
        red = self.settings.colour(self.settings.level("overdue"))
        kinds = [k for k in self.repo.case_kinds() if k.case.limit]
        case_bars = [Bar(k.label, sum(1 for c in s.cases.get(k.name, []) if c.state == "overdue"), red) for k in kinds]
        self.chart_files = {}
        try:
            self.pages["assets/charts/status.svg"] = status_chart(s)
            self.pages["assets/charts/cases.svg"] = bar_chart("各类台账逾期在办件数", case_bars, unit="件")
            self.chart_files = {"status": CHART_TITLES["status"], "cases": "各类台账逾期在办件数"}
            trend = trend_chart(figures.trend(self.repo, s.as_of, self.settings), self.settings)
            if trend:
                self.pages["assets/charts/trend.svg"] = trend
                self.chart_files["trend"] = CHART_TITLES["trend"]
        except ChartFontMissing:
            self.chart_files = {}

    def home(self) -> None:
        s = self.s
        total = figures.tasks_total(s)
        intro = (self.docs_dir / "index.md").read_text(encoding="utf-8") if (self.docs_dir / "index.md").exists() else ""
        overdue = s.overdue_tasks()
        soon = s.due_within()
        lagging = [st for st in s.tasks.values() if st.state in ("stale", "missed")]
        overdue_cases = s.overdue_cases()
        week_start = s.as_of - dt.timedelta(days=6)
        out = [intro.rstrip(), "", "## 总体情况", "", self.asof_note()]
        # raw HTML links are not rewritten by MkDocs: these are the built URLs (use_directory_urls)
        cards = [("任务总数", len(s.tasks), "tasks/"), ("已销号", total.closed, "tasks/"),
                 ("逾期任务", total.overdue, "status/overdue/"), (f"{self.settings.upcoming_days}天内到期", len(soon), "status/due-soon/"),
                 ("滞报/缺报", len(lagging), "status/lagging/"), ("逾期台账", len(overdue_cases), "status/overdue/#cases")]
        out.append('<div class="duban-cards">')
        for label, link, value in ((c[0], c[2], c[1]) for c in cards):
            out.append(f'<a class="duban-card" href="{link}"><span class="duban-card-value">{value}</span>'
                       f'<span class="duban-card-label">{esc(label)}</span></a>')
        out += ["</div>", "", f"按期完成率（已到期的限时任务中按期销号的比例）：**{percent(total.on_time_rate)}**", ""]
        if self.chart_files:
            out.append('<div class="duban-charts">')
            for name, title in self.chart_files.items():
                out.append(f'<img src="assets/charts/{name}.svg" alt="{esc(title)}">')
            out += ["</div>", ""]
        out += ["## 逾期任务", "", "逾期天数最长的在前。", ""]
        out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "逾期天数", "说明"], [
            [self.task_link(st.task, ""), cell(st.task.title), self.units(st.task.lead_units, ""), cell(st.due),
             str(st.days_overdue), cell(st.reason)] for st in overdue]))
        out += ["", f"## {self.settings.upcoming_days}天内到期", ""]
        out.append(table(["编号", "任务名称", "牵头单位", "完成时限", "状态"], [
            [self.task_link(st.task, ""), cell(st.task.title), self.units(st.task.lead_units, ""), cell(st.due), self.badge(st)]
            for st in soon]))
        out += ["", f"## 本周动态（{cn_date(week_start, year=False)}—{cn_date(s.as_of, year=False)}）", ""]
        out.append(self.changes_table(week_start, s.as_of, ""))
        if self.weeks:
            out += ["", f"最新周报：[{self.weeks[-1]}](reports/weekly/{self.weeks[-1]}/index.md)　[全部周报](reports/weekly/index.md)"]
        self.pages["index.md"] = "\n".join(out) + "\n"

    def changes_table(self, start: dt.date, end: dt.date, prefix: str) -> str:
        """The tasks' changes in the window (the weekly report's definition), newest first."""
        prev = evaluate(self.repo, start - dt.timedelta(days=1), self.settings)
        found = [c for c in changes(self.repo, self.s, prev, start, end) if c.what != "台账"]
        found.sort(key=lambda c: (c.date, c.subject, c.what), reverse=True)
        table_rows = [[str(c.date), esc(c.what), self.task_link(self.repo.tasks[c.subject], prefix),
                       self.units(c.units, prefix), cell(c.text)] for c in found]
        received = defaultdict(int)
        for kind, states in self.s.cases.items():
            for c in states:
                if start <= c.start <= end:
                    received[kind] += 1
        text = table(["日期", "类别", "任务", "单位", "内容"], table_rows, empty="本周没有任务动态。")
        if received:
            text += "\n本周新增台账：" + "，".join(
                f"{esc(self.repo.registry.kinds[k].label)} {n} 件" for k, n in sorted(received.items())) + "。\n"
        return text

    def plans(self) -> None:
        for plan in self.repo.plans.values():
            if not plan.page:
                continue
            source = self.docs_dir / plan.page
            text = source.read_text(encoding="utf-8") if source.exists() else f"# {esc(plan.title)}\n"
            depth = plan.page.count("/")
            prefix = "../" * depth
            by_clause: dict[str, list[TaskState]] = defaultdict(list)
            for st in self.s.tasks.values():
                if st.task.plan == plan.id and not st.task.parent:
                    by_clause[st.task.clause].append(st)
            lines = text.splitlines()
            out: list[str] = []
            current: str | None = None

            def flush():
                if current and by_clause.get(current):
                    out.extend(["", '!!! abstract "落实任务"', ""])
                    for st in by_clause[current]:
                        out.append(f"    - {self.badge(st)} {self.task_link(st.task, prefix, True)}"
                                   f"（牵头：{esc(self.repo.unit_names(st.task.lead_units))}）")
                    out.append("")

            for line in lines:
                m = HEADING.match(line)
                if m:
                    flush()
                    anchor = m.group(2)
                    current = next((c.id for c in plan.clauses if c.anchor == anchor), None)
                out.append(line)
            flush()
            out.insert(1, "\n" + self.asof_note())
            self.pages[plan.page] = "\n".join(out) + "\n"

    def task_pages(self) -> None:
        for tid, st in self.s.tasks.items():
            self.pages[f"tasks/{tid}.md"] = self.task_page(st)
        rows = [self.task_row(st, "../") for st in sorted(self.s.tasks.values(), key=lambda x: x.task.id)]
        out = ["# 全部任务", "", self.asof_note(),
               "点击表头排序；在筛选框中输入编号、单位、状态等文字，或用下拉框按列筛选。", "",
               table(self.TASK_HEADERS, rows)]
        self.pages["tasks/index.md"] = "\n".join(out)

    def task_page(self, st: TaskState) -> str:
        t = st.task
        p = "../"
        out = [f"# {esc(t.id)} {esc(t.title)}", "", self.asof_note(),
               f"{self.badge(st)} **{esc(st.reason)}**", ""]
        facts = [
            ("所属方案", esc(self.repo.plans[t.plan].doc_number) if t.plan in self.repo.plans else esc(t.plan)),
            ("对应条款", self.clause_link(t, p)),
            ("牵头单位", self.units(t.lead_units, p)),
            ("配合单位", self.units(t.partner_units, p)),
            ("时限表述", cell(t.deadline_text)),
            ("时限形式", esc(t.timing.mode)),
            ("完成时限" if t.timing.mode == "限时" else "周期", esc(self.timing_text(t))),
        ]
        if st.due and st.due != t.timing.due:
            facts.append(("现行时限", f"{st.due}（已批准延期）"))
        if st.next_due:
            facts.append(("下次到期", str(st.next_due)))
        if t.parent and t.parent in self.repo.tasks:
            facts.append(("上级任务", self.task_link(self.repo.tasks[t.parent], p, True)))
        if st.claimed_on and not st.closed:
            facts.append(("单位申报", f"{st.claimed_on} 报告已完成，待督办单位核实销号"))
        out.append(table(["项目", "内容"], [[k, v] for k, v in facts]))
        out += ["", "## 具体措施", "", esc(t.measures), ""]
        children = self.repo.children(t.id)
        if children:
            done, total = st.progress
            out += ["## 子任务", "", f"已销号 {done}/{total}。", ""]
            out.append(table(["编号", "任务名称", "牵头单位", "状态", "说明"], [
                [self.task_link(c, p), cell(c.title), self.units(c.lead_units, p), self.badge(self.s.tasks[c.id]),
                 cell(self.s.tasks[c.id].reason)] for c in children if c.id in self.s.tasks]))
        if t.milestones:
            out += ["", "## 阶段目标", ""]
            out.append(table(["日期", "内容"], [[str(m.date), cell(m.title)] for m in t.milestones]))
        if st.misses:
            cadence = t.timing.cadence
            what = "缺报" if t.timing.mode == "周期" else "滞报"
            out += ["", f"## {what}周期（{len(st.misses)} 个）", ""]
            out.append(table(["周期", "单位"], [[esc(m.period.label(cadence)), self.unit_link(m.unit, p)]
                                               for m in sorted(st.misses, key=lambda m: m.period, reverse=True)]))
        out += ["", "## 时间线", ""]
        events = []
        for u in self.repo.updates_of(t.id):
            if u.date <= self.s.as_of:
                events.append((u.date, 2, f"**{esc(u.state)}**　{self.unit_link(u.unit, p)}：{esc(u.text)}"))
        for e in t.extensions:
            if e.requested <= self.s.as_of:
                events.append((e.requested, 1, f"**申请延期**：{esc(e.reason)}"))
            if e.approved <= self.s.as_of:
                events.append((e.approved, 1, f"**批准延期**至 {e.new_due}（{self.unit_link(e.approved_by, p)}）"))
        if t.closure and t.closure.date <= self.s.as_of:
            events.append((t.closure.date, 0, f"**销号**（{self.unit_link(t.closure.verified_by, p)}）：{cell(t.closure.note)}"))
        events.sort(key=lambda e: (e[0], e[1]), reverse=True)
        out.append("\n".join(f"- {d}　{text}" for d, _, text in events) if events else "暂无记录。")
        return "\n".join(out) + "\n"

    def unit_pages(self) -> None:
        lead_tallies = {t.key: t for t in figures.tasks_by_unit(self.s)}
        units = sorted(self.repo.units.values(), key=lambda u: (u.order, u.id))
        avg = self.district_average(list(lead_tallies.values()))
        for unit in units:
            self.pages[f"units/{unit.id}.md"] = self.unit_page(unit, lead_tallies.get(unit.id), avg)
        rows = []
        for unit in units:
            t = lead_tallies.get(unit.id) or Tally(unit.id, unit.short_name)
            rows.append([f"[{esc(unit.name)}]({unit.id}.md)", esc(unit.kind), str(t.total), str(t.closed), str(t.overdue),
                         str(t.stale), percent(t.on_time_rate)])
        self.pages["units/index.md"] = "\n".join([
            "# 各单位", "", self.asof_note(), "只计该单位牵头的任务。", "",
            table(["单位", "类别", "牵头任务", "已销号", "逾期", "滞报/缺报", "按期完成率"], rows)])

    @staticmethod
    def district_average(tallies: list[Tally]) -> dict[str, float | None]:
        if not tallies:
            return {}
        rates = [t.on_time_rate for t in tallies if t.on_time_rate is not None]
        return {"total": sum(t.total for t in tallies) / len(tallies),
                "overdue": sum(t.overdue for t in tallies) / len(tallies),
                "rate": sum(rates) / len(rates) if rates else None}

    def unit_page(self, unit: Unit, tally: Tally | None, avg) -> str:
        p = "../"
        tally = tally or Tally(unit.id, unit.short_name)
        lead = [st for st in self.s.tasks.values() if unit.id in st.task.lead_units]
        partner = [st for st in self.s.tasks.values() if unit.id in st.task.partner_units]
        urgency = {"overdue": 0, "missed": 1, "stale": 2, "due_soon": 3}

        def key(st: TaskState):
            return (urgency.get(st.state, 9), -st.days_overdue, st.task.id)

        note = "（单位名称为典型设置，待核实）" if unit.unconfirmed else ""
        out = [f"# {esc(unit.name)}", "", self.asof_note(), f"类别：{esc(unit.kind)}{esc(note)}", "", "## 本单位与全区平均", ""]
        out.append(table(["指标", "本单位", "各单位平均"], [
            ["牵头任务", str(tally.total), f"{avg.get('total', 0):.1f}" if avg else "—"],
            ["逾期任务", str(tally.overdue), f"{avg.get('overdue', 0):.1f}" if avg else "—"],
            ["按期完成率", percent(tally.on_time_rate), percent(avg.get("rate")) if avg else "—"],
        ]))
        out += ["", f"## 牵头任务（{len(lead)} 项）", "", "逾期的在前。", ""]
        out.append(table(self.TASK_HEADERS, [self.task_row(st, p) for st in sorted(lead, key=key)]))
        out += ["", f"## 配合任务（{len(partner)} 项）", ""]
        out.append(table(self.TASK_HEADERS, [self.task_row(st, p) for st in sorted(partner, key=key)]))
        for kind in self.repo.case_kinds():
            states = [c for c in self.s.cases.get(kind.name, []) if c.case.unit == unit.id]
            if not states:
                continue
            t = figures.cases_total(self.s, kind.name, states)
            out += ["", f"## {esc(kind.label)}（{len(states)} 件）", ""]
            out.append(f"办结 {t.closed} 件，按期 {t.closed_on_time} 件，在办 {t.open} 件，逾期 {t.overdue} 件；"
                       f"[查看台账](../registers/{kind.name}/index.md)。\n")
            urgent = sorted((c for c in states if c.state in ("overdue", "due_soon")), key=lambda c: (-c.days_overdue, c.case.id))
            if urgent:
                out.append(self.case_table(kind.name, urgent, p))
        return "\n".join(out) + "\n"

    def case_table(self, kind_name: str, states: list[CaseState], prefix: str) -> str:
        kind = self.repo.registry.kinds[kind_name]
        columns = [c for c in kind.case.columns if c not in ("status_history",)]
        headers = [esc(kind.title(c)) for c in columns] + ["状态", "期限", "说明"]
        rows = []
        day = self.s.as_of.isoformat()
        for st in states:
            row = []
            data = kind.as_of(st.case.data, day)
            for c in columns:
                value = data.get(c)
                if c in ("unit", "town", "approving_unit") and isinstance(value, str):
                    row.append(self.unit_link(value, prefix))
                elif isinstance(value, dict):
                    row.append(esc(f"{value.get('days')}{value.get('unit')}") if "days" in value else cell(json.dumps(value, ensure_ascii=False)))
                else:
                    row.append(cell(value))
            rows.append(row + [self.badge(st), cell(st.due), cell(st.reason)])
        return table(headers, rows)

    def status_pages(self) -> None:
        s = self.s
        p = "../"
        out = ["# 逾期清单", "", self.asof_note(), "## 逾期任务", "", "逾期天数最长的在前。", ""]
        out.append(table(self.TASK_HEADERS, [self.task_row(st, p) for st in s.overdue_tasks()]))
        out += ["", "## 逾期台账 {#cases}", ""]
        for kind in self.repo.case_kinds():
            states = sorted((c for c in s.cases.get(kind.name, []) if c.state == "overdue"),
                            key=lambda c: (-c.days_overdue, c.case.id))
            if states:
                out += [f"### {esc(kind.label)}（{len(states)} 件）", "", self.case_table(kind.name, states, p), ""]
        self.pages["status/overdue.md"] = "\n".join(out) + "\n"
        self.pages["status/due-soon.md"] = "\n".join([
            f"# {self.settings.upcoming_days}天内到期", "", self.asof_note(),
            table(self.TASK_HEADERS, [self.task_row(st, p) for st in s.due_within()])])
        lagging = sorted((st for st in s.tasks.values() if st.state in ("stale", "missed")), key=lambda st: st.task.id)
        self.pages["status/lagging.md"] = "\n".join([
            "# 滞报和缺报", "", self.asof_note(),
            "滞报：长期坚持的任务在最近一个报送周期没有收到牵头单位的进展；缺报：周期任务（如协调会议）在最近一个周期没有记录。", "",
            table(self.TASK_HEADERS, [self.task_row(st, p) for st in lagging])])
        by_clause = figures.tasks_by_clause(s)
        self.pages["status/clauses.md"] = "\n".join([
            "# 按条款统计", "", self.asof_note(),
            table(["条款", "任务数", "已销号", "逾期", "滞报/缺报", "按期完成率", "办结用时中位数（天）"], [
                [esc(t.name), str(t.total), str(t.closed), str(t.overdue), str(t.stale), percent(t.on_time_rate),
                 cell(t.median_days_to_close)] for t in by_clause])])

    def registers(self) -> None:
        for kind in self.repo.case_kinds():
            states = self.s.cases.get(kind.name, [])
            groups: dict[tuple[str, int], list[CaseState]] = defaultdict(list)
            for st in states:
                groups[(st.case.unit, st.start.year)].append(st)
            pages = []
            for (unit, year), group in sorted(groups.items(), key=lambda g: (self.unit_order(g[0][0]), g[0][1])):
                group.sort(key=lambda c: (c.state not in ("overdue", "due_soon"), -c.days_overdue, c.start, c.case.id))
                chunks = [group[i:i + MAX_REGISTER_ROWS] for i in range(0, len(group), MAX_REGISTER_ROWS)]
                for n, chunk in enumerate(chunks, 1):
                    name = f"{unit}-{year}" + (f"-{n}" if len(chunks) > 1 else "")
                    title = f"{self.repo.unit_name(unit)} {year}年" + (f"（第{n}页）" if len(chunks) > 1 else "")
                    t = figures.cases_total(self.s, kind.name, chunk)
                    # volumes hold thousands of rows: out of search (their filter finds rows; search finds the register)
                    self.pages[f"registers/{kind.name}/{name}.md"] = "\n".join([
                        NO_SEARCH + f"# {esc(kind.label)}台账：{esc(title)}", "", self.asof_note(),
                        f"共 {t.total} 件：办结 {t.closed} 件（按期 {t.closed_on_time} 件），在办 {t.open} 件，逾期 {t.overdue} 件。逾期和临期的在前。", "",
                        self.case_table(kind.name, chunk, "../../")])
                    pages.append((name, title, t))
            tallies = figures.cases_by(self.s, kind.name)
            total = figures.cases_total(self.s, kind.name)
            out = [f"# {esc(kind.label)}台账", "", self.asof_note(),
                   f"共 {total.total} 件：办结 {total.closed} 件（按期 {total.closed_on_time} 件），在办 {total.open} 件，逾期 {total.overdue} 件；"
                   f"按期办结率 {percent(total.on_time_rate)}，办结用时中位数 {cell(total.median_days_to_close)} 天。", "",
                   "## 按单位", "",
                   table(["单位", "合计", "办结", "按期办结", "在办", "逾期", "按期办结率", "办结用时中位数（天）"], [
                       [self.unit_link(t.key, "../../"), str(t.total), str(t.closed), str(t.closed_on_time), str(t.open),
                        str(t.overdue), percent(t.on_time_rate), cell(t.median_days_to_close)] for t in tallies]),
                   "", "## 分册", "", "按单位和年份分册，每册中逾期和临期的在前。", "",
                   table(["分册", "合计", "在办", "逾期"], [[f"[{esc(title)}]({name}.md)", str(t.total), str(t.open), str(t.overdue)]
                                                          for name, title, t in pages]),
                   "", f"完整数据见[开放数据](../../data/index.md)（{esc(kind.name)}.csv / {esc(kind.name)}.json）。"]
            self.pages[f"registers/{kind.name}/index.md"] = "\n".join(out) + "\n"
        self.pages["registers/index.md"] = "\n".join(["# 台账", "", self.asof_note(), table(["类别", "合计", "在办", "逾期"], [
            [f"[{esc(k.label)}]({k.name}/index.md)", str(len(self.s.cases.get(k.name, []))),
             str(sum(1 for c in self.s.cases.get(k.name, []) if c.state in ("open", "due_soon", "overdue"))),
             str(sum(1 for c in self.s.cases.get(k.name, []) if c.state == "overdue"))] for k in self.repo.case_kinds()])])

    def unit_order(self, unit_id: str):
        u = self.repo.units.get(unit_id)
        return (u.order if u else 9999, unit_id)

    def guide(self) -> None:
        intro_path = self.docs_dir / "guide" / "index.md"
        intro = intro_path.read_text(encoding="utf-8") if intro_path.exists() else "# 填报指南\n"
        out = [intro.rstrip(), "", "## 状态说明", "",
               table(["状态", "颜色", "含义"], [[badge(v.get("label", k), v.get("level", ""), self.settings.colour(v.get("level", ""))),
                                             esc(v.get("level", "")), esc(STATE_MEANINGS.get(k, ""))]
                                            for k, v in self.settings.states.items()]),
               "", "## 字段说明", "", "以下内容由数据模式（schemas/）中的说明自动生成。", ""]
        for kind in self.repo.registry.kinds.values():
            schema = kind.schema
            out += [f"### {esc(kind.label)}", "", esc(schema.get("description", "")), "",
                    f"存放位置：`records/{kind.folder}/`", ""]
            required = set(schema.get("required", []))
            rows = []
            for name, prop in schema.get("properties", {}).items():
                rows.append([f"`{esc(name)}`", esc(prop.get("title", "")), "是" if name in required else "",
                             esc(prop.get("description", ""))])
            out.append(table(["字段", "名称", "必填", "说明"], rows))
            out.append("")
        self.pages["guide/index.md"] = "\n".join(out) + "\n"

    def open_data(self) -> None:
        resources = []
        for kind in self.repo.registry.kinds.values():
            records = self.records_of(kind.name)
            fields = list(kind.schema.get("properties", {}))
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(fields)
            for r in records:
                writer.writerow([_flat(r.get(f)) for f in fields])
            self.pages[f"data/{kind.name}.csv"] = "\ufeff" + buf.getvalue()  # BOM so Excel reads UTF-8
            self.pages[f"data/{kind.name}.json"] = json.dumps(records, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            self.pages[f"data/schemas/{kind.schema_file}"] = json.dumps(kind.schema, ensure_ascii=False, indent=2)
            resources.append({
                "name": kind.name.replace("_", "-"),
                "title": kind.label,
                "path": f"{kind.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": {"fields": [{"name": f, "title": kind.schema["properties"][f].get("title", f),
                                       "description": kind.schema["properties"][f].get("description", ""),
                                       "type": _table_type(kind.schema["properties"][f])} for f in fields]},
                "sources": [{"title": "JSON Schema", "path": f"schemas/{kind.schema_file}"}],
                "count": len(records),
            })
        for name, schema in self.repo.registry.schemas.items():
            if name.endswith("common.schema.json"):
                self.pages["data/schemas/common.schema.json"] = json.dumps(schema, ensure_ascii=False, indent=2)
        package = {"profile": "tabular-data-package", "name": "duban-records", "title": "督办记录开放数据",
                   "description": "工作方案、单位、任务、进展和各类台账记录；演示数据标注 synthetic=true。",
                   "created": f"{self.s.as_of}", "resources": resources}
        self.pages["data/datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2)
        rows = [[esc(r["title"]), str(r["count"]), f"[CSV]({r['path']})", f"[JSON]({r['path'][:-4]}.json)",
                 f"[模式]({r['sources'][0]['path']})"] for r in resources]
        self.pages["data/index.md"] = "\n".join([
            "# 开放数据", "", self.asof_note(),
            "每类记录都以 CSV（UTF-8，带 BOM，可直接用 Excel 打开）和 JSON 发布，地址固定，便于市级汇总多个区的数据。"
            "数据包说明见 [datapackage.json](datapackage.json)（Frictionless Data Package），字段定义随附 JSON Schema。", "",
            table(["类别", "记录数", "CSV", "JSON", "模式"], rows)])

    def records_of(self, kind_name: str) -> list[dict]:
        """Every record of a kind as it stood on the as-of date: later records and later events left out."""
        kind = self.repo.registry.kinds[kind_name]
        day = self.s.as_of.isoformat()
        if kind.case:
            start = kind.case.start
            rows = [c.data for c in self.repo.cases.get(kind_name, []) if isinstance(c.data.get(start), str)
                    and c.data[start] <= day]
        elif kind_name == "update":
            rows = [r for r in self.repo.raw.get("update", []) if r["date"] <= day]
        else:
            rows = self.repo.raw.get(kind_name, [])
        return [kind.as_of(r, day) for r in rows]

    def reports_index(self) -> None:
        rows = [[f"[{w}]({w}/index.md)", f"[Word]({w}/{w}.docx)", f"[Excel]({w}/{w}.xlsx)"] for w in reversed(self.weeks)]
        self.pages["reports/weekly/index.md"] = "\n".join([
            "# 周报", "", "每周一生成上一周（周一至周日）的周报；历史周报可由当时的记录原样重建。", "",
            table(["周次", "Word", "Excel"], rows, empty="暂无周报。")])


STATE_MEANINGS = {
    "overdue": "超过完成时限（含已批准的延期）仍未销号；台账超过办理期限仍未办结。",
    "missed": "周期任务最近一个周期没有记录（如协调会议未召开或未登记）。",
    "due_soon": "距完成时限或办理期限不超过设定天数。",
    "stale": "长期坚持的任务最近一个报送周期没有收到牵头单位的进展。",
    "on_track": "在时限内推进，或周期任务按期履行。",
    "open": "台账在办理期限内。",
    "not_started": "尚未到开始日期。",
    "ended": "周期任务已到结束日期。",
    "closed": "已由督办单位核实销号（台账：已办结），且未超过时限。",
    "closed_late": "已销号或办结，但晚于时限。",
    "recorded": "无期限的记录（如会议）。",
}


def _flat(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table_type(prop: dict) -> str:
    if prop.get("format") == "date" or prop.get("$ref", "").endswith("/date"):
        return "date"
    t = prop.get("type")
    return {"integer": "integer", "boolean": "boolean", "array": "array", "object": "object"}.get(t, "string")


def generate(snapshot: Snapshot, docs_dir: Path, weeks: list[str] | None = None) -> dict[str, str | bytes]:
    return Site(snapshot, docs_dir, weeks).build()
