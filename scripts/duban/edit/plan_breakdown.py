"""The draft 任务分解表 of an imported plan: one row per clause with its text, for the office to fill in and
bring back with ``duban excel import``.

The sheet is the export's 任务分解表 (``excel_layout.BREAKDOWN_COLUMNS``, ``excel_sheets``' cells, hidden 选项
sheet and dropdowns): 所属条款 chosen, 工作任务 the clause's title, 具体措施 its text, 牵头单位 and 配合单位
empty with the units' dropdown, 任务编号 empty (the import numbers new tasks under their clause:
``T-2-3-01``). Each row's hidden 校验码 is the fingerprint of the row as drafted, so a row the office leaves
as it is stays a draft: the import skips it instead of refusing it for want of a lead unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from duban.atomic import write_bytes
from duban.edit import excel_layout as L
from duban.edit import excel_sheets as S
from duban.edit.workspace import Workspace

INSTRUCTIONS = """\
本文件由 duban plan import 于 {today} 根据《{title}》（{doc_number}）生成，是任务分解表的草稿：每个条款一行，已填所属条款、工作任务（条款标题）和具体措施（条款原文）。
一、逐行填写牵头单位（必填）和配合单位，多个单位用“、”分隔，名称见下拉列表；限时任务填完成时限、周期留空；周期或长期坚持任务选择周期并填写起始日期。可以把工作任务和具体措施改写为可检查的任务。
二、一个条款分为几项任务时，把该行复制到表末的空行，分别填写；不立任务的条款，该行保持原样即可，导入时跳过未改动的草稿行。
三、填好后交办公室导入（duban excel import 本文件.xlsx）：新任务按所属条款自动编号（如 T-2-3-01）；有问题时整份文件都不写入，并逐条指出“表名!单元格”。
四、不要增加、删除、改名或调换列；不要合并单元格；不要填写公式。
五、记录会公开发布：不得填写群众姓名、身份证号、手机号码、住址。"""


def draft_values(clause_id: str, title: str, measures: str | None) -> dict:
    """A drafted row as ``duban excel import`` reads it back (``excel_layout.task_row_values``' shape)."""
    return {"clause": clause_id, "title": title, "measures": measures or None, "lead": [], "partner": [],
            "due": None, "cadence": "", "start": None, "deadline_text": None}


def draft_bytes(ws: Workspace, plan: dict, rows: list[dict], today: dt.date) -> bytes:
    """The workbook for ``plan`` (its record data, as it will be written) with a row for each of ``rows``."""
    repo = ws.repo
    plans = {p.id: [(c.id, c.title) for c in p.clauses] for p in repo.plans.values()}
    plans[plan["id"]] = [(c["id"], c["title"]) for c in plan["clauses"]]
    several = len(plans) > 1
    names = S.unit_names(repo)
    units = sorted(repo.units.values(), key=lambda u: (u.order, u.id))
    lists = {
        "units": [names[u.id] for u in units],
        "states": list(ws.kind("update").schema["properties"]["state"]["enum"]),
        "cadences": L.cadence_choices(),
        "clauses": [L.clause_text(pid, cid, title, several) for pid in sorted(plans) for cid, title in plans[pid]],
    }
    wb = Workbook()
    S.instructions(wb, INSTRUCTIONS.format(today=today, title=plan["title"], doc_number=plan["doc_number"]))
    sheet = S.Sheet(wb, L.BREAKDOWN, f"任务分解表（草稿）：{plan['title']}", L.BREAKDOWN_COLUMNS, True)
    for n, clause in enumerate(rows, 1):
        values = draft_values(clause["id"], clause["title"], clause.get("text"))
        sheet.add({**values, "seq": n, "clause": L.clause_text(plan["id"], clause["id"], clause["title"], several),
                   "lead": None, "partner": None, "cadence": None, "check": L.row_check(values)})
    for _ in range(L.BLANK_ROWS):
        sheet.add({})
    S.breakdown_rules(sheet, S.options(wb, lists, None, today))
    return S.workbook_file(wb, today)


def write_draft(ws: Workspace, out: Path, plan: dict, rows: list[dict], today: dt.date) -> Path:
    return write_bytes(out, draft_bytes(ws, plan, rows, today))
