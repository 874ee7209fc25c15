"""The report archives' indexes: every weekly report (周报) and monthly 通报, each with its Word and Excel files."""

from __future__ import annotations

from duban.outputs.md import table
from duban.outputs.site.pages.context import Context


def reports_index(site: Context) -> None:
    rows = [[f"[{w}]({w}/index.md)", f"[Word]({w}/{w}.docx)", f"[Excel]({w}/{w}.xlsx)"] for w in reversed(site.weeks)]
    site.pages["reports/weekly/index.md"] = "\n".join([
        "# 周报", "", "每周一生成上一周（周一至周日）的周报；历史周报可由当时的记录原样重建。"
        "[月度通报](../monthly/index.md)", "", table(["周次", "Word", "Excel"], rows, empty="暂无周报。")])
    rows = [[f"[{m}]({m}/index.md)", f"[Word]({m}/{m}.docx)", f"[Excel]({m}/{m}.xlsx)"] for m in reversed(site.months)]
    site.pages["reports/monthly/index.md"] = "\n".join([
        "# 月度通报", "", "每月初生成上一个月的通报：各单位排名和等级、表扬和通报批评、按单位列出的逾期事项；"
        "历史通报可由当时的记录原样重建。", "", table(["月份", "Word", "Excel"], rows, empty="暂无通报。")])
