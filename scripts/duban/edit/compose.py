"""What each editing action writes, and what an office would refuse: one function per action, shared by
every path (CLI, Excel import, intake), so the same report becomes the same record.

Each function takes the workspace, the answers and today's date (chosen by the CLI) and returns the
:class:`~duban.edit.workspace.Planned` record, or raises :class:`~duban.edit.workspace.EditError` with the
reason in Chinese. The rules follow how supervision offices work: a unit reports on its own tasks; only
a lead unit reports a task complete, with evidence; a lead unit requests an extension before the due
date and the office, never the unit itself, approves it; the office closes (销号) only what a lead unit
has reported complete.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from duban.edit.ids import next_case_id
from duban.edit.workspace import EditError, Planned, Workspace
from duban.periods import period_of
from duban.records.model import Task
from duban.records.validate import RECORDS

DONE = "已完成"


# ---------------------------------------------------------------- look-ups


def task(ws: Workspace, task_id: str) -> Task:
    found = ws.repo.tasks.get(task_id)
    if found is None:
        close = difflib.get_close_matches(task_id, list(ws.repo.tasks), n=1)
        raise EditError(f"任务“{task_id}”不存在" + (f"，是不是“{close[0]}”？" if close else ""))
    return found


def unit_name(ws: Workspace, unit: str) -> str:
    return ws.repo.unit_name(unit)


def _unit(ws: Workspace, unit: str) -> str:
    if unit not in ws.repo.units:
        close = difflib.get_close_matches(unit, list(ws.repo.units), n=1)
        raise EditError(f"单位“{unit}”不存在" + (f"，是不是“{close[0]}”？" if close else ""))
    return unit


def _not_future(day: dt.date, today: dt.date, what: str, field: str | None = None) -> None:
    if day > today:
        raise EditError(f"{what} {day} 晚于今天（{today}）", field)


def current_due(t: Task) -> dt.date | None:
    """The due date as the office now holds it: the last extension's new date, else the original."""
    return t.extensions[-1].new_due if t.extensions else t.timing.due


def pending_extension(t: Task):
    return t.extensions[-1] if t.extensions and t.extensions[-1].approved_by is None else None


def clause_label(ws: Workspace, plan_id: str, clause: str) -> str:
    """二（三） for clause 2.3: the top clause's label without its 、, then the clause's own."""
    plan = ws.repo.plans.get(plan_id)
    if plan is None:
        return clause
    labels = {c.id: c.label for c in plan.clauses}
    parts = clause.split(".")
    chain = [labels.get(".".join(parts[: i + 1]), "") for i in range(len(parts))]
    if len(chain) > 1:
        chain[0] = chain[0].rstrip("、")
    return "".join(chain) or clause


# ---------------------------------------------------------------- headers of new files


def task_header(ws: Workspace, data: dict) -> str:
    return f"任务分解表 {clause_label(ws, data['plan'], data['clause'])}：{data['title']}"


def update_header(ws: Workspace, data: dict) -> str:
    return f"进展情况：{data['task']} {unit_name(ws, data['unit'])}（{data['date']}）"


def case_header(ws: Workspace, kind: str, data: dict) -> str:
    return f"{ws.kind(kind).label}：{data['id']}"


def header(ws: Workspace, kind: str, data: dict) -> str:
    """The header comment duban's writers give a new record of ``kind`` (empty for kinds they do not write,
    or when the data lacks what the header names): what ``duban fmt`` gives a file written without one."""
    try:
        if kind == "update":
            return update_header(ws, data)
        if kind == "task":
            return task_header(ws, data)
        if ws.kind(kind).case is not None:
            return case_header(ws, kind, data)
    except (KeyError, TypeError, AttributeError):
        return ""
    return ""


# ---------------------------------------------------------------- progress updates


def _update_path(ws: Workspace, data: dict, taken: set[str]) -> Path:
    kind = ws.kind("update")
    stem = kind.expected_stem(data)
    base = f"{RECORDS}/{kind.folder}/{stem}"
    for n in range(1, 100):
        file = f"{base}.yaml" if n == 1 else f"{base}-{n}.yaml"
        if file not in taken and not ws.path(file).exists():
            return ws.path(file)
    raise EditError(f"{base} 当天的进展文件过多")


def credited_period(t: Task, day: dt.date, period: dt.date) -> dt.date | None:
    """What a report dated ``day`` on a 周期/长期坚持 task stores for a ``period`` (any date in it): the period's
    first day for a late report, None when it is the report's own period. A period after the report's is refused."""
    owed = period_of(t.timing.cadence, period)
    if day in owed:
        return None
    if owed.start > day:
        raise EditError(f"所属周期 {owed.label(t.timing.cadence)} 晚于报送日期 {day}", "date")
    return owed.start  # a late report, credited to its period


def _iso_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def canonical_update(ws: Workspace, data: dict) -> dict:
    """An update as duban's writers store it, for a file written otherwise (the CMS stores the date the editor
    picked as ``period``): ``period`` becomes the first day of its period of the task's cadence, and goes when it
    is the report's own period. What cannot be read that way (an unknown task, a 限时 task, a date that is not
    one, a period after the report's) stays as written, for the validator to speak about."""
    t = ws.repo.tasks.get(data.get("task")) if isinstance(data.get("task"), str) else None
    day, period = _iso_date(data.get("date")), _iso_date(data.get("period"))
    if t is None or day is None or period is None or t.timing.mode == "限时" or not t.timing.cadence:
        return data
    try:
        credited = credited_period(t, day, period)
    except (EditError, ValueError):  # a later period, or a cadence the engine does not know
        return data
    out = {k: v for k, v in data.items() if k != "period"}
    if credited is None:
        return out
    return {k: (credited.isoformat() if k == "period" else v) for k, v in data.items()}


def update(ws: Workspace, task_id: str, unit: str, day: dt.date, state: str, text: str, evidence: list[str],
           period: dt.date | None, today: dt.date, same_day: str = "counter", taken: set[str] | None = None) -> Planned:
    """A unit's progress report. ``same_day``: when the unit already reported on the task that day with
    other content, ``counter`` writes a second file (``…-2.yaml``), ``refuse`` stops (an import that would
    otherwise guess). An identical report already on file is that file, unchanged."""
    t = task(ws, task_id)
    _unit(ws, unit)
    if unit not in t.lead_units and unit not in t.partner_units:
        raise EditError(f"{unit_name(ws, unit)}（{unit}）不是任务 {t.id} 的牵头或配合单位，不能报送本任务的进展", "unit")
    _not_future(day, today, "报送日期", "date")
    if t.closure is not None:
        raise EditError(f"任务 {t.id} 已于 {t.closure.date} 销号，不再报送进展")
    if state == DONE:
        if unit not in t.lead_units:
            raise EditError(f"只有牵头单位能报告任务完成；{unit_name(ws, unit)}是任务 {t.id} 的配合单位", "state")
        if t.timing.mode != "限时":
            raise EditError(f"任务 {t.id} 是{t.timing.mode}任务，按周期报送进展，不申报完成", "state")
        if not evidence:
            raise EditError("报告完成须附佐证材料（至少一个链接）", "evidence")
    data: dict = {"task": t.id, "unit": unit, "date": day.isoformat()}
    if period is not None:
        if t.timing.mode == "限时":
            raise EditError(f"任务 {t.id} 是限时任务，不按周期报送，不填所属周期", "period")
        credited = credited_period(t, day, period)
        if credited is not None:
            data["period"] = credited.isoformat()
    data.update(state=state, text=text.strip())
    if evidence:
        data["evidence"] = list(evidence)
    for record in ws.records("update").values():
        d = record.data
        if (d.get("task"), d.get("unit"), d.get("date")) != (t.id, unit, data["date"]):
            continue
        if d == data:
            return Planned("update", ws.path(record.file), data)
        if same_day == "refuse":
            raise EditError(f"{unit_name(ws, unit)}已于 {day} 报送过任务 {t.id} 的进展（{record.file}），内容不同；"
                            "如需更正，请修改该文件", "text")
    data_path = _update_path(ws, data, taken or set())
    return Planned("update", data_path, data, update_header(ws, data))


# ---------------------------------------------------------------- extensions and closure of tasks


def _task_plan(ws: Workspace, t: Task, data: dict) -> Planned:
    return Planned("task", ws.path(t.file), data)


def _deadline_task(ws: Workspace, task_id: str, what: str) -> Task:
    t = task(ws, task_id)
    if t.timing.mode != "限时":
        raise EditError(f"任务 {t.id} 是{t.timing.mode}任务，没有完成时限，不能{what}")
    if t.closure is not None:
        raise EditError(f"任务 {t.id} 已于 {t.closure.date} 销号")
    return t


def request_extension(ws: Workspace, task_id: str, unit: str, requested: dt.date, new_due: dt.date, reason: str,
                      today: dt.date) -> Planned:
    t = _deadline_task(ws, task_id, "申请延期")
    _unit(ws, unit)
    if unit not in t.lead_units:
        raise EditError(f"延期由牵头单位申请；{unit_name(ws, unit)}不是任务 {t.id} 的牵头单位")
    waiting = pending_extension(t)
    if waiting is not None:
        raise EditError(f"任务 {t.id} 已有 {waiting.requested} 提出、尚待批准的延期申请（延至 {waiting.new_due}），"
                        "请等待督办单位批准")
    _not_future(requested, today, "申请日期")
    due = current_due(t)
    if requested >= due:
        raise EditError(f"延期须在到期前申请：完成时限为 {due}，申请日期 {requested} 已不在其前")
    if new_due <= due:
        raise EditError(f"延期后时限 {new_due} 须晚于现在的完成时限 {due}")
    data = ws.data("task", t.id)
    data.setdefault("extensions", []).append(
        {"requested": requested.isoformat(), "reason": reason.strip(), "new_due": new_due.isoformat()})
    return _task_plan(ws, t, data)


def approve_extension(ws: Workspace, task_id: str, unit: str, day: dt.date, today: dt.date) -> Planned:
    t = _deadline_task(ws, task_id, "批准延期")
    _unit(ws, unit)
    waiting = pending_extension(t)
    if waiting is None:
        raise EditError(f"任务 {t.id} 没有待批准的延期申请")
    if unit in t.lead_units:
        raise EditError(f"{unit_name(ws, unit)}是任务 {t.id} 的牵头单位，不能批准本单位的延期申请；应由督办单位批准")
    _not_future(day, today, "批准日期")
    if day < waiting.requested:
        raise EditError(f"批准日期 {day} 早于申请日期 {waiting.requested}")
    data = ws.data("task", t.id)
    data["extensions"][-1].update(approved_by=unit, approved=day.isoformat())
    return _task_plan(ws, t, data)


def completion_claims(ws: Workspace, t: Task):
    return [u for u in ws.repo.updates_of(t.id) if u.state == DONE and u.unit in t.lead_units]


def verify_task(ws: Workspace, task_id: str, unit: str, day: dt.date, note: str | None, today: dt.date) -> Planned:
    t = _deadline_task(ws, task_id, "销号")
    _unit(ws, unit)
    if unit in t.lead_units:
        raise EditError(f"{unit_name(ws, unit)}是任务 {t.id} 的牵头单位，不能为本单位的任务销号；应由督办单位核实")
    claims = completion_claims(ws, t)
    if not claims:
        raise EditError(f"任务 {t.id} 尚无牵头单位报告完成（进展状态“已完成”并附佐证），不能销号；"
                        f"请牵头单位先用 duban close {t.id} 报告完成")
    _not_future(day, today, "销号日期")
    if day < claims[-1].date:
        raise EditError(f"销号日期 {day} 早于牵头单位报告完成的日期 {claims[-1].date}")
    open_children = [c.id for c in ws.repo.children(t.id) if c.closure is None]
    if open_children:
        raise EditError(f"任务 {t.id} 还有子任务未销号：{'、'.join(open_children)}")
    data = ws.data("task", t.id)
    data["closure"] = {"date": day.isoformat(), "verified_by": unit, **({"note": note.strip()} if note else {})}
    return _task_plan(ws, t, data)


# ---------------------------------------------------------------- cases


def find_case(ws: Workspace, case_id: str):
    for kind in ws.registry.case_kinds():
        record = ws.record(kind.name, case_id)
        if record is not None:
            return kind, record
    every = [rid for k in ws.registry.case_kinds() for rid in ws.records(k.name)]
    close = difflib.get_close_matches(case_id, every, n=1)
    raise EditError(f"台账“{case_id}”不存在" + (f"，是不是“{close[0]}”？" if close else ""))


def new_case(ws: Workspace, kind_name: str, data: dict, today: dt.date, case_id: str | None = None) -> Planned:
    """A new case; its id is the next free one its schema's pattern allows, unless given."""
    kind = ws.kind(kind_name)
    if kind.case is None:
        raise EditError(f"“{kind_name}”不是台账类别")
    start = data.get(kind.case.start)
    if isinstance(start, str):
        _not_future(dt.date.fromisoformat(start), today, kind.title(kind.case.start))
    if case_id is None:
        unit = data.get(kind.case.unit)
        pattern = kind.schema.get("properties", {}).get("id", {}).get("pattern", "")
        case_id = next_case_id(pattern, unit, start, ws.records(kind_name)) if unit and start else None
        if case_id is None:
            raise EditError(f"无法自动生成{kind.label}编号，请用 --id 给出")
    elif ws.record(kind_name, case_id) is not None or ws.path(f"{RECORDS}/{kind.folder}/{case_id}.yaml").exists():
        raise EditError(f"{kind.label}编号“{case_id}”已存在")
    data = {"id": case_id, **{k: v for k, v in data.items() if k != "id"}}
    return Planned(kind_name, ws.path(f"{RECORDS}/{kind.folder}/{case_id}.yaml"), data, case_header(ws, kind_name, data))


def closing(kind) -> tuple[str, str | None]:
    """How a case kind is closed (kinds.yaml ``case.closed``): ("date", field) or ("history", list field)."""
    closed = kind.case.closed if kind.case else None
    if not closed:
        return "", None
    if "date" in closed:
        return "date", closed["date"]
    return "history", closed.get("history")


def with_fields(kind, field: str) -> tuple[str, ...]:
    """The fields recorded with a date field (kinds.yaml ``events``)."""
    return next((extra for path, extra in kind.events if path == (field,)), ())


def verify_case(ws: Workspace, case_id: str, day: dt.date, today: dt.date, values: dict | None = None,
                status: str | None = None) -> Planned:
    """The office's 验收 (or a case's closing): the closing date field (with the fields recorded with it),
    or a closing entry in the status history."""
    kind, record = find_case(ws, case_id)
    how, field = closing(kind)
    if not how:
        raise EditError(f"{kind.label}没有办结或验收环节")
    _not_future(day, today, "日期")
    data = ws.data(kind.name, case_id)
    if how == "date":
        if data.get(field):
            raise EditError(f"{kind.label} {case_id} 已填写{kind.title(field)}（{data[field]}），不能重复")
        for earlier, later in kind.date_order:
            if later == (field,) and len(earlier) == 1 and earlier[0] != kind.case.start and not data.get(earlier[0]):
                raise EditError(f"{kind.label} {case_id} 尚未填写{kind.title(earlier[0])}，不能填写{kind.title(field)}")
        data[field] = day.isoformat()
        for name, value in (values or {}).items():
            if value not in (None, ""):
                data[name] = value
        return Planned(kind.name, ws.path(record.file), data)
    states = tuple(kind.case.closed.get("states", ()))
    history = data.get(field) or []
    done = next((e for e in history if e.get("status") in states), None)
    if done is not None:
        raise EditError(f"{kind.label} {case_id} 已于 {done.get('date')} {done.get('status')}")
    if status not in states:
        raise EditError(f"办结状态应为 {'、'.join(states)} 之一")
    history.append({"date": day.isoformat(), "status": status})
    data[field] = history
    return Planned(kind.name, ws.path(record.file), data)


def case_status(ws: Workspace, case_id: str, how: str, value: str, day: dt.date, note: str | None,
                today: dt.date) -> Planned:
    """A case's status changed (``history``: an entry in its status list) or one of its later steps done
    (``date``: a date field declared as an event, such as a hazard's 整改完成日期). Closing goes through
    :func:`verify_case`, with its checks."""
    kind, record = find_case(ws, case_id)
    closing_how, closing_field = closing(kind)
    if how == "date" and closing_how == "date" and value == closing_field:
        return verify_case(ws, case_id, day, today)
    states = tuple((kind.case.closed or {}).get("states", ())) if kind.case else ()
    if how == "history" and closing_how == "history" and value in states:
        planned = verify_case(ws, case_id, day, today, status=value)
        if note and note.strip():
            planned.data[closing_field][-1]["note"] = note.strip()
        return planned
    _not_future(day, today, "日期", "date")
    data = ws.data(kind.name, case_id)
    if how == "history":
        history = data.get(closing_field) or []
        done = next((e for e in history if e.get("status") in states), None)
        if done is not None:
            raise EditError(f"{kind.label} {case_id} 已于 {done.get('date')} {done.get('status')}，不能再变更状态")
        history.append({"date": day.isoformat(), "status": value, **({"note": note.strip()} if note and note.strip() else {})})
        data[closing_field] = history
    else:
        if data.get(value):
            raise EditError(f"{kind.label} {case_id} 已填写{kind.title(value)}（{data[value]}），不能重复")
        data[value] = day.isoformat()
    return Planned(kind.name, ws.path(record.file), data)
