"""What every page family shares: the snapshot, links, badges, task rows and case tables.

A page family (``home``, ``plans``, ``tasks`` …) is a function ``pages(site)`` that
adds ``{relative path: str | bytes}`` to ``site.pages``. Every record value goes
through ``md.esc``/``md.cell``.
"""

from __future__ import annotations

import json
from pathlib import Path

from duban.engine import figures
from duban.engine.snapshot import Snapshot
from duban.engine.state import CaseState, TaskState
from duban.outputs.md import badge, cell, esc, table
from duban.records.model import Task
from duban.zh import ESTIMATED, cn_date


class Context:
    """The page set being built for one snapshot, and the helpers pages use to render records."""

    TASK_HEADERS = ["编号", "任务名称", "条款", "牵头单位", "时限", "状态", "说明"]

    def __init__(self, snapshot: Snapshot, docs_dir: Path, weeks: list[str] | None = None):
        self.snapshot = snapshot
        self.repo = snapshot.repo
        self.settings = snapshot.settings
        self.docs_dir = Path(docs_dir)
        self.weeks = weeks or []
        self.pages: dict[str, str | bytes] = {}
        self.chart_files: dict[str, str] = {}

    def asof_note(self) -> str:
        extra = f"；{ESTIMATED}" if self.snapshot.estimated else ""
        return f'<p class="duban-asof">数据截至 <strong>{cn_date(self.snapshot.as_of)}</strong>{extra}</p>\n'

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
        label = figures.plan_clause_label(self.snapshot, task.plan, task.clause)
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
        return [self.task_link(t, prefix), cell(t.title), esc(figures.plan_clause_label(self.snapshot, t.plan, t.clause)),
                self.units(t.lead_units, prefix), esc(self.due_text(st)), self.badge(st), cell(st.reason)]

    def case_table(self, kind_name: str, states: list[CaseState], prefix: str) -> str:
        kind = self.repo.registry.kinds[kind_name]
        columns = list(kind.case.columns)
        headers = [esc(kind.title(c)) for c in columns] + ["状态", "期限", "说明"]
        rows = []
        for st in states:
            row = []
            data = self.snapshot.record(kind_name, st.case.data)
            for c in columns:
                value = data.get(c)
                if c in kind.unit_fields and isinstance(value, str):
                    row.append(self.unit_link(value, prefix))
                elif isinstance(value, dict):
                    row.append(esc(f"{value.get('days')}{value.get('unit')}") if "days" in value else cell(json.dumps(value, ensure_ascii=False)))
                else:
                    row.append(cell(value))
            rows.append(row + [self.badge(st), cell(st.due), cell(st.reason)])
        return table(headers, rows)

    def unit_order(self, unit_id: str):
        u = self.repo.units.get(unit_id)
        return (u.order if u else 9999, unit_id)
