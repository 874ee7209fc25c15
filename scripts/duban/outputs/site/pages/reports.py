"""The weekly report archive's index."""

from __future__ import annotations

from duban.outputs.md import table
from duban.outputs.site.pages.context import Context


def reports_index(site: Context) -> None:
    rows = [[f"[{w}]({w}/index.md)", f"[Word]({w}/{w}.docx)", f"[Excel]({w}/{w}.xlsx)"] for w in reversed(site.weeks)]
    site.pages["reports/weekly/index.md"] = "\n".join([
        "# 周报", "", "每周一生成上一周（周一至周日）的周报；历史周报可由当时的记录原样重建。", "",
        table(["周次", "Word", "Excel"], rows, empty="暂无周报。")])
