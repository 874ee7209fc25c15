"""The workbook duban exports and imports: sheet names, columns (found again by header text), the
hidden option lists, and how a task's timing and units read in a cell. Shared by export and import so
the two cannot disagree.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from duban.periods import CADENCES

FONT = "宋体"  # set explicitly: WPS and Excel otherwise fall back to a Latin font's metrics
INSTRUCTIONS = "填报说明"
BREAKDOWN = "任务分解表"
PROGRESS = "进展填报表"  # one sheet per unit: 进展填报表-甲镇
OPTIONS = "选项"  # hidden: the dropdown lists and what the file was exported for
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
BLANK_ROWS = 30  # unlocked empty rows under the breakdown for new tasks
MARK = "duban 填报表"
FORMAT_VERSION = "1"
LONG_TERM = "长期坚持"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    kind: str  # id, label (locked, shown only), text, date, choice, units, number, check
    editable: bool  # an input cell (unlocked) where the sheet may be edited
    required: bool = True  # the import refuses a sheet without this column
    aliases: tuple[str, ...] = ()
    wrap: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


BREAKDOWN_COLUMNS = (
    Column("seq", "序号", 6, "number", False, required=False),
    Column("id", "任务编号", 13, "id", False),
    Column("clause", "所属条款", 20, "choice", True, aliases=("条款",), wrap=True),
    Column("title", "工作任务", 24, "text", True, aliases=("任务名称", "工作事项"), wrap=True),
    Column("measures", "具体措施", 48, "text", True, aliases=("工作措施", "主要措施"), wrap=True),
    Column("lead", "牵头单位", 16, "units", True, aliases=("责任单位",), wrap=True),
    Column("partner", "配合单位", 22, "units", True, required=False, wrap=True),
    Column("due", "完成时限", 12, "date", True),
    Column("cadence", "周期", 18, "choice", True, aliases=("报送周期",)),
    Column("start", "起始日期", 12, "date", True, required=False, aliases=("开始日期",)),
    Column("deadline_text", "时限表述", 16, "text", True, required=False, aliases=("时限要求",), wrap=True),
    Column("state", "状态", 14, "label", False, required=False, wrap=True),
    Column("check", "校验码", 14, "check", False, required=False),
)

PROGRESS_COLUMNS = (
    Column("seq", "序号", 6, "number", False, required=False),
    Column("task", "任务编号", 13, "id", False),
    Column("title", "工作任务", 28, "label", False, required=False, aliases=("任务名称",), wrap=True),
    Column("unit", "单位编号", 10, "id", False),
    Column("period", "报送周期", 22, "label", False, required=False, wrap=True),
    Column("period_start", "周期开始", 12, "date", False),
    Column("period_end", "周期结束", 12, "date", False, required=False),
    Column("date", "填报日期", 12, "date", True, aliases=("报送日期",)),
    Column("state", "进展状态", 10, "choice", True, aliases=("状态",)),
    Column("text", "进展内容", 48, "text", True, aliases=("进展情况", "工作进展"), wrap=True),
    Column("evidence", "佐证材料", 30, "text", True, required=False, aliases=("佐证链接",), wrap=True),
)

# record fields -> the column a problem about them points at
PROGRESS_FIELDS = {"task": "task", "unit": "unit", "date": "date", "period": "period_start", "state": "state",
                   "text": "text", "evidence": "evidence"}
TASK_FIELDS = {"id": "id", "clause": "clause", "plan": "clause", "title": "title", "measures": "measures",
               "lead_units": "lead", "partner_units": "partner", "deadline_text": "deadline_text", "timing": "due",
               "parent": "id"}

# the hidden options sheet: one list per column, and what the file is
OPTION_COLUMNS = {"units": "A", "states": "B", "cadences": "C", "clauses": "D"}
META_COLUMN = "F"  # F1 mark, F2 version, F3 unit (empty: the office's workbook), F4 as-of date


def cadence_text(timing: dict) -> str:
    """The 周期 cell of a task: empty for 限时, 每周 … for 周期, 长期坚持（每月报送） for 长期坚持."""
    if timing.get("mode") == "周期":
        return timing.get("cadence", "")
    if timing.get("mode") == LONG_TERM:
        return f"{LONG_TERM}（{timing.get('report_cadence', '')}报送）"
    return ""


def cadence_choices() -> list[str]:
    return [*CADENCES, *(f"{LONG_TERM}（{c}报送）" for c in CADENCES)]


def parse_cadence(text: str) -> tuple[str, str] | None:
    """(mode, cadence) from a 周期 cell, or None when it is not one of the choices."""
    text = text.strip().replace("(", "（").replace(")", "）")
    if text in CADENCES:
        return "周期", text
    m = re.fullmatch(rf"{LONG_TERM}(?:（(每[^）]+?)(?:报送)?）)?", text)
    if m and m.group(1) in CADENCES:
        return LONG_TERM, m.group(1)
    return None


def clause_text(plan_id: str, clause_id: str, title: str, several_plans: bool) -> str:
    return f"{plan_id}/{clause_id} {title}" if several_plans else f"{clause_id} {title}"


def parse_clause(text: str) -> tuple[str | None, str]:
    """(plan or None, clause id) from a 所属条款 cell: ``2.3 推进……`` or ``plan/2.3 推进……``."""
    head = text.strip().split()[0] if text.strip() else ""
    plan, _, clause = head.rpartition("/")
    return (plan or None), clause


UNIT_SEPARATORS = re.compile(r"[、，,；;/\s]+")


def split_units(text: str) -> list[str]:
    return [part for part in UNIT_SEPARATORS.split(text.strip()) if part]


EVIDENCE_SEPARATORS = re.compile(r"[\s；;，,]+")


def split_links(text: str) -> list[str]:
    return [part for part in EVIDENCE_SEPARATORS.split(text.strip()) if part]


def deadline_text(mode: str, due: str | None, cadence: str | None) -> str:
    """The 时限表述 of a new task when the sheet leaves it empty: 2024年3月31日前, 每周, 长期坚持."""
    if mode == "限时" and due:
        y, m, d = (int(x) for x in due.split("-"))
        return f"{y}年{m}月{d}日前"
    return cadence if mode == "周期" else LONG_TERM


def row_check(values: dict) -> str:
    """A short fingerprint of a breakdown row's values: tells an untouched row from an edited one, and an
    edited row from a task changed in the records since the export."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def task_row_values(task: dict) -> dict:
    """What a task's breakdown row says, in the form the import reads it back."""
    timing = task.get("timing", {})
    return {
        "clause": task.get("clause"),
        "title": task.get("title"),
        "measures": task.get("measures"),
        "lead": list(task.get("lead_units", [])),
        "partner": list(task.get("partner_units", [])),
        "due": timing.get("due"),
        "cadence": cadence_text(timing),
        "start": timing.get("start") if timing.get("mode") != "限时" else None,
        "deadline_text": task.get("deadline_text"),
    }


def progress_sheet_name(short_name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", f"{PROGRESS}-{short_name}")[:31]
    name, n = base, 2
    while name in taken:
        suffix = f"-{n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name
