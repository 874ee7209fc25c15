"""Each plan's page: the hand-written text with the tasks listed under their clause."""

from __future__ import annotations

import re
from collections import defaultdict

from duban.engine.state import TaskState
from duban.outputs.md import esc
from duban.outputs.site.pages.context import Context

HEADING = re.compile(r"^(#{1,6})\s.*\{#(clause-[0-9-]+)\}\s*$")


def plans(site: Context) -> None:
    for plan in site.repo.plans.values():
        if not plan.page:
            continue
        source = site.docs_dir / plan.page
        text = source.read_text(encoding="utf-8") if source.exists() else f"# {esc(plan.title)}\n"
        depth = plan.page.count("/")
        prefix = "../" * depth
        by_clause: dict[str, list[TaskState]] = defaultdict(list)
        for st in site.snapshot.tasks.values():
            if st.task.plan == plan.id and not st.task.parent:
                by_clause[st.task.clause].append(st)
        lines = text.splitlines()
        out: list[str] = []
        current: str | None = None

        def flush():
            if current and by_clause.get(current):
                out.extend(["", '!!! abstract "落实任务"', ""])
                for st in by_clause[current]:
                    out.append(f"    - {site.badge(st)} {site.task_link(st.task, prefix, True)}"
                               f"（牵头：{esc(site.repo.unit_names(st.task.lead_units))}）")
                out.append("")

        for line in lines:
            m = HEADING.match(line)
            if m:
                flush()
                anchor = m.group(2)
                current = next((c.id for c in plan.clauses if c.anchor == anchor), None)
            out.append(line)
        flush()
        out.insert(1, "\n" + site.asof_note())
        site.pages[plan.page] = "\n".join(out) + "\n"
