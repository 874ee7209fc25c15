"""``duban excel import``: filled 进展填报表 rows become update files, new or changed 任务分解表 rows
become task files — all of them, or none.

Columns are found by their header text (reordered columns are fine, known other names are recognised, a
missing one is refused with the header cell named). Every cell is read for what it is: a formula, a
merged range, a number where a date belongs or a date typed as text that is not a date is refused with
its cell; dates typed as text (2024-03-05, 2024/3/5, 2024年3月5日) are read. Every problem reads
``表名!单元格: 说明``. Importing the same file twice writes nothing new: an identical report already on
file is that file, an untouched breakdown row (its hidden 校验码 says so) is skipped, and a new task
already imported (same clause and title) is recognised. A breakdown row whose task changed in the
records after the export is refused rather than overwriting the newer change.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from duban.edit import compose
from duban.edit import excel_layout as L
from duban.edit.excel_cells import SheetCells
from duban.edit.ids import next_task_id
from duban.edit.workspace import EditError, Planned, Workspace, apply
from duban.records.validate import RECORDS


@dataclass
class Origin:
    sheet: str
    row: int
    letters: dict[str, str]  # column key -> letter
    fields: dict[str, str]  # record field -> column key

    def cell(self, key: str | None) -> str:
        letter = self.letters.get(key) if key else None
        return f"{self.sheet}!{letter or next(iter(self.letters.values()), 'A')}{self.row}"


@dataclass
class Imported:
    problems: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rows: int = 0  # filled rows read

    @property
    def ok(self) -> bool:
        return not self.problems


def _open(path: Path, problems: list[str]):
    try:
        return load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        hint = "；.xls 文件请在 WPS 或 Excel 中另存为 .xlsx" if path.suffix.lower() == ".xls" else ""
        problems.append(f"{path.name}: 无法作为 .xlsx 工作簿打开（{type(exc).__name__}）{hint}")
        return None


def _exported_for(wb) -> tuple[bool, str | None]:
    """(made by duban, the unit it was exported for or None for the office's workbook)."""
    if L.OPTIONS not in wb.sheetnames:
        return False, None
    sheet = wb[L.OPTIONS]
    col = L.META_COLUMN
    if sheet[f"{col}1"].value != L.MARK:
        return False, None
    return True, (sheet[f"{col}3"].value or None)


# ---------------------------------------------------------------- progress rows


def _progress(ws: Workspace, sheet, unit_mode: str | None, today: dt.date, out: Imported, planned: list[Planned],
              seen: dict) -> None:
    cells = SheetCells(sheet, L.PROGRESS_COLUMNS, out.problems)
    states = ws.kind("update").schema["properties"]["state"]["enum"]
    taken = {p.path.relative_to(ws.root).as_posix() for p in planned}
    for row, raw in cells.rows():
        task_id, unit = cells.text("task", row, raw.get("task")), cells.text("unit", row, raw.get("unit"))
        day = cells.date("date", row, raw.get("date"))
        state = cells.text("state", row, raw.get("state"))
        text = cells.text("text", row, raw.get("text"))
        links = L.split_links(cells.text("evidence", row, raw.get("evidence")) or "")
        period = cells.date("period_start", row, raw.get("period_start"))
        if not any((raw.get("date"), state, text, links)):
            continue  # an owed report not filled in
        out.rows += 1
        before = len(out.problems)
        if not task_id or not unit:
            cells.problem(cells.where("task" if not task_id else "unit", row), "任务编号或单位编号为空：请只在导出的行中填写")
        if unit_mode and unit and unit != unit_mode:
            cells.problem(cells.where("unit", row), f"本文件是 {ws.repo.unit_name(unit_mode)} 的填报表，不能填报 {unit} 的进展")
        if day is None:
            cells.missing("date", row, "请填写填报日期")
        if state is None:
            cells.missing("state", row, "请选择进展状态")
        elif state not in states:
            cells.problem(cells.where("state", row), f"进展状态“{state}”不在可选范围内（{'、'.join(states)}）")
        if text is None:
            cells.missing("text", row, "请填写进展内容")
        if len(out.problems) > before or day is None:
            continue
        key = (task_id, unit, day)
        if key in seen:
            other_row, other = seen[key]
            if other != (state, text, links):
                cells.problem(cells.where("date", row), f"与第 {other_row} 行是同一单位同一天对同一任务的进展，内容不同；请合并为一行")
            continue
        seen[key] = (row, (state, text, links))
        origin = Origin(cells.name, row, cells.letters, L.PROGRESS_FIELDS)
        try:
            plan = compose.update(ws, task_id, unit, day, state, text, links, period, today, same_day="refuse", taken=taken)
        except EditError as exc:
            out.problems.append(f"{origin.cell(L.PROGRESS_FIELDS.get(exc.field or '', 'date'))}: {exc}")
            continue
        plan.origin = origin
        taken.add(plan.path.relative_to(ws.root).as_posix())
        planned.append(plan)


# ---------------------------------------------------------------- breakdown rows


def _unit_ids(ws: Workspace) -> dict[str, str]:
    out: dict[str, str] = {}
    for u in ws.repo.units.values():
        for name in (u.id, u.name, u.short_name):
            out.setdefault(name, u.id)
    return out


def _breakdown(ws: Workspace, sheet, out: Imported, planned: list[Planned]) -> None:
    cells = SheetCells(sheet, L.BREAKDOWN_COLUMNS, out.problems)
    repo = ws.repo
    plans = sorted(repo.plans)
    units = _unit_ids(ws)
    new_ids: list[str] = []
    new_titles: dict[tuple, int] = {}
    for row, raw in cells.rows():
        before = len(out.problems)
        get = {k: cells.text(k, row, raw.get(k)) for k in ("id", "clause", "title", "measures", "lead", "partner",
                                                             "cadence", "deadline_text", "check")}
        due, start = cells.date("due", row, raw.get("due")), cells.date("start", row, raw.get("start"))
        if not any(get[k] for k in ("id", "clause", "title", "measures", "lead", "partner", "cadence")) and not (due or start):
            continue  # only the computed state or the row number
        out.rows += 1
        ids = {}
        for key in ("lead", "partner"):
            ids[key] = []
            for name in L.split_units(get[key] or ""):
                if name in units:
                    ids[key].append(units[name])
                else:
                    cells.problem(cells.where(key, row), f"单位“{name}”不存在（名称须与下拉列表一致，多个单位用“、”分隔）")
        plan_id, clause = L.parse_clause(get["clause"] or "")
        plan_id = plan_id or (plans[0] if len(plans) == 1 else None)
        if get["clause"] and (plan_id not in repo.plans or clause not in {c.id for c in repo.plans[plan_id].clauses}):
            cells.problem(cells.where("clause", row), f"条款“{get['clause']}”不存在；请从下拉列表中选择")
        values = {"clause": clause or None, "title": get["title"], "measures": get["measures"],
                  "lead": list(dict.fromkeys(ids["lead"])), "partner": list(dict.fromkeys(ids["partner"])),
                  "due": due.isoformat() if due else None, "cadence": get["cadence"] or "",
                  "start": start.isoformat() if start else None, "deadline_text": get["deadline_text"]}
        if not get["id"] and get["check"] and L.row_check(values) == get["check"] and len(out.problems) == before:
            out.rows -= 1
            continue  # a row of a draft breakdown (duban plan import) left as drafted: not a task
        origin = Origin(cells.name, row, cells.letters, L.TASK_FIELDS)
        if get["id"]:  # an existing task: its timing is compared, never rebuilt
            _changed_task(ws, cells, row, get, values, origin, planned, out, before)
            continue
        timing = _timing(cells, row, get["cadence"], due, start)
        if timing:
            values.update(due=timing.get("due"), start=timing.get("start"))
        for key, what in (("clause", "所属条款"), ("title", "工作任务"), ("measures", "具体措施"), ("lead", "牵头单位")):
            if not values[key]:
                cells.missing(key, row, f"新任务须填写{what}")
        if len(out.problems) > before or timing is None:
            continue
        twin = next((t for t in repo.tasks.values() if t.plan == plan_id and t.clause == clause and t.title == values["title"]), None)
        if twin is not None:
            current = L.task_row_values(ws.record("task", twin.id).data)
            if {**current, "deadline_text": None} == {**values, "deadline_text": None} and values["deadline_text"] in (None, current["deadline_text"]):
                out.unchanged.append(twin.file)  # imported before
            else:
                cells.problem(cells.where("title", row), f"条款 {clause} 下已有同名任务 {twin.id}，内容不同；如要修改，请重新导出后在该任务的行中修改")
            continue
        if (plan_id, clause, values["title"]) in new_titles:
            cells.problem(cells.where("title", row), f"与第 {new_titles[(plan_id, clause, values['title'])]} 行是同一条款下的同名新任务")
            continue
        new_titles[(plan_id, clause, values["title"])] = row
        task_id = next_task_id(clause, repo.tasks, new_ids)
        new_ids.append(task_id)
        data = {"id": task_id, "plan": plan_id, "clause": clause, "title": values["title"], "measures": values["measures"],
                "lead_units": values["lead"], **({"partner_units": values["partner"]} if values["partner"] else {}),
                "deadline_text": values["deadline_text"] or L.deadline_text(timing["mode"], timing.get("due"),
                                                                            timing.get("cadence")),
                "timing": timing}
        folder = ws.kind("task").folder
        planned.append(Planned("task", ws.path(f"{RECORDS}/{folder}/{task_id}.yaml"), data,
                               compose.task_header(ws, data), origin))


def _timing(cells: SheetCells, row: int, cadence: str | None, due: dt.date | None, start: dt.date | None) -> dict | None:
    if not cadence:
        if due is None:
            cells.missing("due", row, "限时任务须填写完成时限（周期任务请选择周期）")
            return None
        return {"mode": "限时", "due": due.isoformat()}
    parsed = L.parse_cadence(cadence)
    if parsed is None:
        cells.problem(cells.where("cadence", row), f"周期“{cadence}”不在可选范围内（{'、'.join(L.cadence_choices())}）")
        return None
    mode, every = parsed
    if due is not None:
        cells.problem(cells.where("due", row), "周期任务不填完成时限：完成时限和周期只填一项")
        return None
    if start is None:
        cells.problem(cells.where("start", row) if "start" in cells.index else cells.where("cadence", row),
                      "周期任务须填写起始日期")
        return None
    key = "cadence" if mode == "周期" else "report_cadence"
    return {"mode": mode, key: every, "start": start.isoformat()}


def _changed_task(ws, cells: SheetCells, row: int, get: dict, values: dict, origin: Origin, planned, out, before: int) -> None:
    record = ws.record("task", get["id"])
    if record is None:
        cells.problem(cells.where("id", row), f"任务编号“{get['id']}”不存在；新任务请把任务编号留空")
        return
    current = L.task_row_values(record.data)
    for key, column in zip(("partner", "start", "deadline_text"), ("partner", "start", "deadline_text")):
        if column not in cells.index:  # an optional column the sheet does not have: the field stays as it is
            values[key] = current[key]
    if "deadline_text" in cells.index and not values["deadline_text"]:
        values["deadline_text"] = current["deadline_text"]
    if get["check"] and L.row_check(values) == get["check"]:
        return  # the row as exported
    if get["check"] and L.row_check(current) != get["check"]:
        cells.problem(cells.where("id", row), f"任务 {record.id} 在导出后已被修改（{record.file}）；请重新导出后再修改这一行")
        return
    if values == current:
        return
    if values["clause"] != current["clause"]:
        cells.problem(cells.where("clause", row), "不能修改已有任务的所属条款")
    for key, what in (("due", "完成时限"), ("cadence", "周期"), ("start", "起始日期")):
        if values[key] != current[key]:
            cells.problem(cells.where(key, row), f"已有任务的{what}不能在表中修改（原为 {current[key] or '空'}）；"
                                                 "延期请由牵头单位申请、督办单位批准")
    for key, what in (("title", "工作任务"), ("measures", "具体措施"), ("lead", "牵头单位")):
        if not values[key]:
            cells.missing(key, row, f"{what}不能为空")
    if len(out.problems) > before:
        return
    data = ws.data("task", record.id)
    data.update(title=values["title"], measures=values["measures"], lead_units=values["lead"],
                deadline_text=values["deadline_text"])
    if values["partner"]:
        data["partner_units"] = values["partner"]
    else:
        data.pop("partner_units", None)
    planned.append(Planned("task", ws.path(record.file), data, origin=origin))


# ---------------------------------------------------------------- the whole workbook


def import_workbook(ws: Workspace, path: Path, today: dt.date) -> Imported:
    out = Imported()
    wb = _open(Path(path), out.problems)
    if wb is None:
        return out
    duban_made, unit_mode = _exported_for(wb)
    if unit_mode and unit_mode not in ws.repo.units:
        out.problems.append(f"{L.OPTIONS}!{L.META_COLUMN}3: 导出时的单位“{unit_mode}”已不存在")
        return out
    planned: list[Planned] = []
    progress = [name for name in wb.sheetnames if name.startswith(L.PROGRESS)]
    if L.BREAKDOWN in wb.sheetnames and not unit_mode:  # a unit's workbook shows the breakdown for reference only
        _breakdown(ws, wb[L.BREAKDOWN], out, planned)
    seen: dict = {}
    for name in progress:
        _progress(ws, wb[name], unit_mode, today, out, planned, seen)
    if not progress and L.BREAKDOWN not in wb.sheetnames:
        out.problems.append(f"{Path(path).name}: 没有“{L.BREAKDOWN}”或“{L.PROGRESS}-…”表" +
                            ("" if duban_made else "（不是 duban excel export 导出的文件？）"))
    if out.problems:
        return out
    try:
        applied = apply(ws, planned)
    except EditError as exc:
        out.problems.append(str(exc))
        return out
    for p in applied.problems:
        origin = applied.origins.get(p.file)
        if isinstance(origin, Origin):
            root = re.split(r"[.\[]", p.field)[0]
            out.problems.append(f"{origin.cell(origin.fields.get(root))}: {p.message}")
        else:
            out.problems.append(f"{p.file}:{p.line}: {p.field}: {p.message}（由本次导入的修改引起）")
    out.written = applied.written
    out.unchanged += applied.unchanged
    return out
