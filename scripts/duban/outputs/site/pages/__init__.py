"""The site's generated pages: plain Markdown (and a few data files) from a snapshot.

``generate(snapshot, docs_dir, weeks)`` returns ``{relative path: str | bytes}``:
the hand-written pages under ``docs/`` that need figures (home, plan pages, the
guide) plus every generated page. Each page family is one module with one
function; ``FAMILIES`` lists them in build order (the home page's charts come
first). Writing the files and running MkDocs is ``build``'s job.
"""

from __future__ import annotations

from pathlib import Path

from duban.engine.snapshot import Snapshot
from duban.outputs.site.pages import (
    guide,
    home,
    opendata,
    plans,
    registers,
    reports,
    status,
    tasks,
    units,
)
from duban.outputs.site.pages.context import Context
from duban.outputs.site.pages.tablecache import TableCache
from duban.records.history import NONE, History

FAMILIES = (
    home.charts,
    home.home,
    plans.plans,
    tasks.task_pages,
    units.unit_pages,
    status.status_pages,
    registers.registers,
    guide.guide,
    opendata.open_data,
    reports.reports_index,
)


def generate(snapshot: Snapshot, docs_dir: Path, weeks: list[str] | None = None,
             months: list[str] | None = None, history: History = NONE,
             tables: TableCache | None = None) -> dict[str, str | bytes]:
    """``tables``: register tables kept from earlier builds (``tablecache``; none by default)."""
    site = Context(snapshot, docs_dir, weeks, months, history, tables)
    for family in FAMILIES:
        family(site)
    return site.pages
