"""What every page family shares: the snapshot, links, badges, task rows and case tables.

A page family (``home``, ``plans``, ``tasks`` …) is a function ``pages(site)`` that
adds ``{relative path: str | bytes}`` to ``site.pages``. Every record value goes
through ``md.esc``/``md.cell``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import posixpath
from collections import defaultdict
from functools import cached_property, lru_cache
from pathlib import Path

from duban.engine import figures
from duban.engine.cases import CaseState
from duban.engine.ranking import UnitFigures, unit_figures
from duban.engine.snapshot import Snapshot
from duban.engine.state import Duty, TaskState
from duban.outputs.md import badge, cell, esc, html_table, table
from duban.outputs.site.pages.tablecache import TableCache
from duban.records.history import NONE, Change, History
from duban.records.model import Task
from duban.records.plan_pages import clause_anchor
from duban.zh import ESTIMATED, cn_date, natural_key

MAX_REGISTER_ROWS = 1000  # rows per register volume
_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(CaseState) if f.name != "case")


class Context:
    """The page set being built for one snapshot, and the helpers pages use to render records."""

    @property
    def several_plans(self) -> bool:
        return len(self.repo.plans) > 1

    def headers(self, units: str = "牵头单位") -> list[str]:
        """The columns of a task table; with several plans a 方案 column (its drop-down filters by plan)."""
        return ["编号", "任务名称"] + (["方案"] if self.several_plans else []) + ["条款", units, "时限", "状态", "说明"]

    @property
    def task_headers(self) -> list[str]:
        return self.headers()

    def plan_cell(self, task: Task) -> list[str]:
        plan = self.repo.plans.get(task.plan)
        return [esc(plan.doc_number if plan else task.plan)] if self.several_plans else []

    def __init__(self, snapshot: Snapshot, docs_dir: Path, weeks: list[str] | None = None,
                 months: list[str] | None = None, history: History = NONE, tables: TableCache | None = None):
        self.snapshot = snapshot
        self.tables = tables or TableCache(None, "")
        self.history = history
        self.repo = snapshot.repo
        self.settings = snapshot.settings
        self.docs_dir = Path(docs_dir)
        self.weeks = weeks or []
        self.months = months or []
        self.pages: dict[str, str | bytes] = {}
        self.chart_files: dict[str, str] = {}

    # ------------------------------------------------------------ the figures every page family shares

    @cached_property
    def units_figures(self) -> dict[str, UnitFigures]:
        return unit_figures(self.snapshot)

    @cached_property
    def week(self) -> tuple[dt.date, dt.date, Snapshot]:
        """本周: the ISO week (Monday–Sunday) holding the as-of date, up to the as-of date, and the snapshot at the
        end of the previous (complete) ISO week it is compared with."""
        as_of = self.snapshot.as_of
        monday = as_of - dt.timedelta(days=as_of.weekday())
        return monday, as_of, self.snapshot.at(monday - dt.timedelta(days=1))

    @cached_property
    def case_volumes(self) -> dict[str, list[tuple[str, str, list[CaseState]]]]:
        """kind -> its register volumes: (file name, title, states), split by unit and year, urgent first."""
        out = {}
        for kind in self.repo.case_kinds():
            groups: dict[tuple[str, int], list[CaseState]] = defaultdict(list)
            for st in self.snapshot.cases.get(kind.name, []):
                groups[(st.case.unit, st.start.year)].append(st)
            volumes = []
            for (unit, year), group in sorted(groups.items(), key=lambda g: (self.unit_order(g[0][0]), g[0][1])):
                group.sort(key=lambda c: (self.settings.severity(c.state), -c.days_overdue, c.start, c.case.id))
                chunks = [group[i:i + MAX_REGISTER_ROWS] for i in range(0, len(group), MAX_REGISTER_ROWS)]
                for n, chunk in enumerate(chunks, 1):
                    name = f"{unit}-{year}" + (f"-{n}" if len(chunks) > 1 else "")
                    title = f"{self.repo.unit_name(unit)} {year}年" + (f"（第{n}页）" if len(chunks) > 1 else "")
                    volumes.append((name, title, chunk))
            out[kind.name] = volumes
        return out

    @cached_property
    def case_pages(self) -> dict[tuple[str, str], str]:
        """(kind, case id) -> the register volume that holds it (``registers/<kind>/<volume>.md``)."""
        return {(kind, st.case.id): f"registers/{kind}/{name}.md"
                for kind, volumes in self.case_volumes.items() for name, _, chunk in volumes for st in chunk}

    # ------------------------------------------------------------ small pieces

    def asof_note(self) -> str:
        extra = f"；{ESTIMATED}" if self.snapshot.estimated else ""
        return f'<p class="duban-asof">数据截至 <strong>{cn_date(self.snapshot.as_of)}</strong>{extra}</p>\n'

    def badge(self, state) -> str:
        """A state's badge (a task, a unit's duty or a case), sortable by urgency."""
        return badge(state.label, state.level, self.settings.colour(state.level), self.settings.severity(state.state))

    def level_badge(self, level: str) -> str:
        order = list(self.settings.levels)
        return badge(level, level, self.settings.colour(level), order.index(level) if level in order else len(order))

    def unit_link(self, unit_id: str, prefix: str) -> str:
        u = self.repo.units.get(unit_id)
        return f"[{esc(u.short_name)}]({prefix}units/{unit_id}.md)" if u else esc(unit_id)

    def units(self, ids, prefix: str) -> str:
        return "、".join(self.unit_link(u, prefix) for u in ids) or "—"

    def task_link(self, task: Task, prefix: str, with_title: bool = False) -> str:
        text = esc(task.id) + (f" {esc(task.title)}" if with_title else "")
        return f"[{text}]({prefix}tasks/{task.id}.md)"

    def case_link(self, kind: str, case_id: str, prefix: str, text: str | None = None) -> str:
        """A link to a case's row in its register volume (``text`` instead of the id, e.g. a date)."""
        page = self.case_pages.get((kind, case_id))
        label = esc(text or case_id)
        return f'[{label}]({prefix}{page}#{case_anchor(case_id)} "{esc(case_id)}")' if page else label

    def clause_text(self, task: Task) -> str:
        plan = self.repo.plans.get(task.plan)
        label = figures.plan_clause_label(self.snapshot, task.plan, task.clause)
        title = plan.clause(task.clause).title if plan else ""
        return f"{label}{title}"

    def clause_link(self, task: Task, prefix: str) -> str:
        plan = self.repo.plans.get(task.plan)
        if plan is None or not plan.page:
            return esc(self.clause_text(task))
        return f"[{esc(self.clause_text(task))}]({prefix}{plan.page}#{clause_anchor(task.clause)})"

    def clause_tracking(self, task: Task) -> str | None:
        """The office's note on how the task's clause is tracked, if it wrote one."""
        plan = self.repo.plans.get(task.plan)
        clause = plan.clause(task.clause) if plan else None
        return clause.tracking if clause else None

    def timing_text(self, task: Task) -> str:
        t = task.timing
        if t.mode == "限时":
            return f"{t.due}"
        return f"{t.cadence}（{t.start} 起{'，至 ' + str(t.end) if t.end else ''}）"

    def due_text(self, st: TaskState) -> str:
        """The date that matters now: the effective due date (extensions counted) or the next period's end."""
        t = st.task
        if not st.is_leaf:
            return f"{self.timing_text(t)}；子任务已销号 {st.progress[0]}/{st.progress[1]}"
        if t.timing.mode == "限时":
            return str(st.due) + ("（已延期）" if st.due != t.timing.due else "")
        if st.next_due:
            return f"{t.timing.cadence}，本期至 {st.next_due}"
        if st.state == "not_started":
            return f"{t.timing.cadence}，{t.timing.start} 开始"
        return f"{t.timing.cadence}，{t.timing.end} 结束"

    def behind(self, st: TaskState, prefix: str) -> str:
        """The units a task's state is about: those behind (or every lead unit when none is)."""
        return self.units([d.unit for d in st.behind] or st.task.lead_units, prefix)

    def task_row(self, st: TaskState, prefix: str, duty: Duty | None = None, indent: bool = False) -> list[str]:
        """A task as a table row; with ``duty``, in one unit's terms (its own state and reason)."""
        t = st.task
        shown = duty or st
        link = self.task_link(t, prefix)
        if indent:
            link = '<span class="duban-child">└</span> ' + link
        units = self.units(t.lead_units, prefix) if duty else self.behind(st, prefix)
        return [link, cell(t.title), *self.plan_cell(t), esc(figures.plan_clause_label(self.snapshot, t.plan, t.clause)),
                units, esc(self.due_text(st)), self.badge(shown), cell(shown.reason)]

    def case_table(self, kind_name: str, states: list[CaseState], prefix: str, details: bool = True) -> str:
        """A register table: the declared columns, the state (and days overdue when the kind has a clock), and the
        rest of each case in an expandable cell; each case id is an anchor others can link to."""
        headers, rows = self._case_rows(kind_name, states, prefix, details)
        return table(headers, rows)

    def _case_rows(self, kind_name: str, states: list[CaseState], prefix: str, details: bool):
        kind = self.repo.registry.kinds[kind_name]
        clock = bool(kind.case.limit or kind.case.closed)
        columns = list(kind.case.columns)
        headers = [esc(kind.title(c)) for c in columns] + (["状态", "逾期天数"] if clock else []) + (["详情"] if details else [])
        rows = []
        for st in states:
            data = self.snapshot.record(kind_name, st.case.data)
            row = []
            for c in columns:
                value = data.get(c)
                if c == "id":
                    row.append(f'<a id="{case_anchor(st.case.id)}"></a>{esc(value)}')
                elif c in kind.unit_fields and isinstance(value, str):
                    row.append(self.unit_link(value, prefix))
                else:
                    row.append(self.value_text(value))
            if clock:
                row += [self.badge(st), str(st.days_overdue) if st.days_overdue else "—"]
            if details:
                row.append(self.case_details(kind_name, st, data, set(columns)))
            rows.append(row)
        return headers, rows

    @cached_property
    def directory_urls(self) -> bool:
        """mkdocs.yml's ``use_directory_urls`` (MkDocs' default: true), for links written as HTML."""
        config = self.docs_dir.parent / "mkdocs.yml"
        if not config.is_file():
            return True
        from mkdocs.utils import yaml_load

        with open(config, encoding="utf-8") as f:
            return bool((yaml_load(f) or {}).get("use_directory_urls", True))

    def href(self, page: str):
        """For HTML duban writes itself: a link written as in Markdown (``../../units/x.md#a``, or a file beside the
        page) to the address MkDocs would give it from the page (MkDocs rewrites only the links it parses)."""
        return _href_function(page, self.directory_urls)

    def case_html_table(self, kind_name: str, states: list[CaseState], page: str) -> str:
        """``case_table`` as an HTML table for a register volume shown at ``page`` (its links as seen from there)."""
        prefix = "../" * page.count("/")
        headers, rows = self._case_rows(kind_name, states, prefix, True)
        return html_table(headers, rows, self.href(page))

    def volume_table(self, kind_name: str, states: list[CaseState], page: str) -> str:
        """``case_html_table``, taken from the table cache when nothing it shows has changed (``tablecache``)."""
        def parts() -> list[bytes]:
            sources = self.repo.sources.get(kind_name, {})
            out = [repr((self.directory_urls, self.history.available,
                         sorted((u.id, u.name, u.short_name) for u in self.repo.units.values()))).encode()]
            for st in states:
                data = st.case.data
                shown = self.snapshot.record(kind_name, data)
                source = sources.get(st.case.id)
                record = source.digest if source is not None and source.digest and shown is data else repr(shown)
                state = [getattr(st, name) for name in _STATE_FIELDS]  # all of the state but its case
                out.append(repr((st.case.id, st.case.file, record, state, self.history.of(st.case.file))).encode())
            return out

        return self.tables.table(page, parts, lambda: self.case_html_table(kind_name, states, page))

    def value_text(self, value) -> str:
        if isinstance(value, dict) and "days" in value:
            return esc(f"{value.get('days')}{value.get('unit', '')}")
        if isinstance(value, list):
            return cell("、".join(str(v) for v in value)) if all(not isinstance(v, (dict, list)) for v in value) else "—"
        return cell(value)

    def case_details(self, kind_name: str, st: CaseState, data: dict, shown: set[str]) -> str:
        """Everything of a case the table leaves out, as a one-line <details> (a table cell holds no line break)."""
        kind = self.repo.registry.kinds[kind_name]
        parts = [f"<b>说明</b>：{esc(st.reason)}"]
        if st.limit_source:
            parts.append(f"<b>期限依据</b>：{esc(st.limit_source)}")
        for name, prop in kind.schema.get("properties", {}).items():
            value = data.get(name)
            if name in shown or value in (None, "", []) or name == "synthetic":
                continue
            title = esc(prop.get("title", name))
            if isinstance(value, list) and value and isinstance(value[0], dict):
                entries = "；".join(esc("　".join(str(v) for v in entry.values())) for entry in value)
                parts.append(f"<b>{title}</b>：{entries}")
            elif name in kind.unit_fields or (isinstance(value, list) and prop.get("items", {}).get("$ref", "").endswith("unit_id")):
                ids = value if isinstance(value, list) else [value]
                parts.append(f"<b>{title}</b>：{esc(self.repo.unit_names(ids))}")
            else:
                parts.append(f"<b>{title}</b>：{self.value_text(value)}")
        trail = self.case_history(kind_name, st.case.file)
        if trail:
            parts.append(trail)
        return "<details><summary>查看</summary>" + "<br>".join(parts) + "</details>"

    def change_text(self, kind_name: str, change: Change, what: str) -> str:
        """What one commit did to one record file, in words: 新建、删除, or the changed fields' titles."""
        if change.status == "A":
            return f"新建{what}"
        if change.status == "D":
            return f"删除{what}"
        props = self.repo.registry.kinds[kind_name].schema.get("properties", {}) if kind_name in self.repo.registry.kinds else {}
        names = "、".join(props.get(f, {}).get("title", f) for f in change.fields)
        return f"修改{what}" + (f"：{names}" if names else "")

    def change_history(self, files: list[tuple[str, str, str]]) -> list[str]:
        """A record's 留痕 from git, newest first: ``files`` are (file, kind, what it is), e.g. a task and its updates.
        Nothing when the repository has no git history (a copied folder)."""
        if not self.history.available:
            return []
        rows = []
        for file, kind_name, what in files:
            for c in self.history.of(file):
                source = f"合并请求 #{c.pull}" if c.pull else f"提交 {c.commit[:7]}"
                rows.append((c.day, [str(c.day), esc(c.author), esc(self.change_text(kind_name, c, what)),
                                               f"{source}：{esc(c.message)}"]))
        rows.sort(key=lambda r: r[0], reverse=True)
        out = ["## 修改记录（留痕）", "", "记录文件在 Git 中的每一次修改：日期、修改人、内容和所在的合并请求或提交。", ""]
        if not rows:
            return out + ["尚未提交到 Git。", ""]
        return out + [table(["日期", "修改人", "内容", "合并请求或提交"], [r[1] for r in rows]), ""]

    def case_history(self, kind_name: str, file: str) -> str:
        """A case's 留痕 in one line for its details cell (the last five changes)."""
        if not self.history.available:
            return ""
        changes = self.history.of(file)
        if not changes:
            return ""
        shown = "；".join(f"{c.day} {esc(c.author)} {esc(self.change_text(kind_name, c, ''))}"
                         + (f"（#{c.pull}）" if c.pull else "") for c in changes[:5])
        more = f"；另有 {len(changes) - 5} 次" if len(changes) > 5 else ""
        return f"<b>修改记录</b>：{shown}{more}"

    def unit_order(self, unit_id: str):
        u = self.repo.units.get(unit_id)
        return (u.order if u else 9999, unit_id)

    def tasks_in_tree(self) -> list[tuple[TaskState, int]]:
        """Every task with its depth: parents followed by their sub-tasks, in natural id order."""
        states = self.snapshot.tasks
        out = []

        def visit(st: TaskState, depth: int):
            out.append((st, depth))
            for child in self.repo.children(st.task.id):
                if child.id in states:
                    visit(states[child.id], depth + 1)

        for st in sorted(states.values(), key=lambda s: natural_key(s.task.id)):
            if not (st.task.parent and st.task.parent in states):
                visit(st, 0)
        return out


def case_anchor(case_id: str) -> str:
    """The anchor of a case's row in its register volume."""
    return "case-" + html.escape(case_id)


@lru_cache(maxsize=None)
def _href_function(page: str, directory_urls: bool):
    from mkdocs.structure.files import File

    here = File(page, "/docs", "/site", directory_urls)

    @lru_cache(maxsize=None)
    def href(link: str) -> str:
        path, hash_, fragment = link.partition("#")
        if not path or "://" in path or path.startswith("/"):
            return link
        target = File(posixpath.normpath(posixpath.join(posixpath.dirname(page), path)), "/docs", "/site", directory_urls)
        return target.url_relative_to(here) + hash_ + fragment

    return href
