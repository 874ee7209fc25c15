"""The command-line editors: ``duban new update|case``, ``extend``, ``approve``, ``close``, ``verify``.

Each asks what it needs (or takes it from flags), with choices from the records and sensible defaults
(today, the remembered unit), builds the record through :mod:`duban.edit.compose`, shows it and asks
to confirm on a terminal, then checks it with the rest of the repository and writes it
(:func:`duban.edit.workspace.apply`). Refusals and problems come back as values; nothing is written
unless the whole change is valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from duban.edit import compose
from duban.edit.editor_unit import remember_unit, remembered_unit
from duban.edit.fields import ask_case, ask_with_fields, parse_sets, unit_choices
from duban.edit.prompts import Choice, Prompter, parse_date
from duban.edit.workspace import (
    Applied,
    EditError,
    Planned,
    Workspace,
    apply,
    open_workspace,
    render,
)
from duban.records.write import WriteError


@dataclass
class Answers:
    """What the flags gave; None where the editor is to be asked."""

    target: str | None = None  # TASK, KIND or TASK|CASE
    unit: str | None = None
    date: str | None = None
    state: str | None = None
    text: str | None = None
    evidence: list[str] = field(default_factory=list)
    period: str | None = None
    new_due: str | None = None
    reason: str | None = None
    note: str | None = None
    status: str | None = None
    sets: list[str] = field(default_factory=list)
    case_id: str | None = None
    yes: bool = False


@dataclass
class Edited:
    applied: Applied | None = None
    refused: str | None = None
    declined: bool = False  # the editor said no at the confirmation

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.declined and (self.applied is None or self.applied.ok)


def _task_choices(ws: Workspace, tasks) -> list[Choice]:
    return [Choice(t.id, f"{t.id} {t.title}") for t in sorted(tasks, key=lambda t: t.id)]


def _ask_unit(ws: Workspace, p: Prompter, a: Answers, only=None, label: str = "单位") -> str:
    """The unit acting: the flag's (checked by compose, which says why one is refused), or chosen."""
    if a.unit is not None:
        return a.unit
    remembered = remembered_unit(ws.root)
    choices = unit_choices(ws, only)
    if not choices:
        raise EditError("没有可选的单位")
    default = remembered if any(c.value == remembered for c in choices) else (choices[0].value if len(choices) == 1 else None)
    return p.choice(label, "--unit", choices, a.unit, default)


def _ask_task(ws: Workspace, p: Prompter, a: Answers, tasks, what: str) -> str:
    if a.target is not None:
        return a.target
    choices = _task_choices(ws, tasks)
    if not choices:
        raise EditError(f"没有可以{what}的任务")
    return p.choice("任务", "TASK（任务编号）", choices, a.target)


def _day(p: Prompter, a: Answers, label: str, today: dt.date) -> dt.date:
    return p.date(label, "--date", a.date, today)


def _finish(ws: Workspace, p: Prompter, a: Answers, planned: Planned, unit: str | None) -> Edited:
    texts, same = render(ws, [planned])
    if not texts:
        return Edited(Applied(unchanged=same))
    preview = "".join(f"—— {file} ——\n{text}" for file, text in texts.items())
    if not p.confirm(preview + "确认写入？", "--yes", a.yes):
        return Edited(declined=True)
    applied = apply(ws, [planned])
    if applied.ok and unit:
        remember_unit(ws.root, unit)
    return Edited(applied)


# ---------------------------------------------------------------- the commands


def new_update(ws: Workspace, p: Prompter, a: Answers, today: dt.date, done: bool = False) -> Edited:
    repo = ws.repo
    if a.target is None:
        unit = _ask_unit(ws, p, a)
        mine = [t for t in repo.tasks.values() if t.closure is None and (
            unit in t.lead_units if done else unit in t.lead_units or unit in t.partner_units)]
        if done:
            mine = [t for t in mine if t.timing.mode == "限时"]
        task_id = _ask_task(ws, p, a, mine, "报告完成" if done else "报送进展")
    else:
        task_id = a.target
        t = compose.task(ws, task_id)
        unit = _ask_unit(ws, p, a, only=t.lead_units if done else (*t.lead_units, *t.partner_units))
    t = compose.task(ws, task_id)
    day = _day(p, a, "报送日期", today)
    period = p.date("所属周期", "--period", a.period) if a.period else None
    if period is None and t.timing.mode != "限时":
        answer = p.text(f"所属周期（{t.timing.cadence}；补报以前的周期时填写该周期内任一日期，直接回车为报送日期所在周期）",
                        "--period", a.period, required=False)
        period = parse_date(answer) if answer else None
    if done:
        state = compose.DONE
    else:
        states = ws.kind("update").schema["properties"]["state"]["enum"]
        state = p.choice("进展状态", "--state", [Choice(s, s) for s in states], a.state, states[0])
    text = p.text("完成情况" if done else "进展内容", "--text", a.text, multiline=True)
    evidence = p.links("佐证材料", "--evidence", a.evidence, required=done or state == compose.DONE)
    planned = compose.update(ws, t.id, unit, day, state, text, evidence, period, today)
    return _finish(ws, p, a, planned, unit)


def extend(ws: Workspace, p: Prompter, a: Answers, today: dt.date) -> Edited:
    if a.target is None:
        unit = _ask_unit(ws, p, a)
        tasks = [t for t in ws.repo.tasks.values() if unit in t.lead_units and t.timing.mode == "限时"
                 and t.closure is None and compose.pending_extension(t) is None]
        task_id = _ask_task(ws, p, a, tasks, "申请延期")
    else:
        task_id = a.target
        unit = _ask_unit(ws, p, a, only=compose.task(ws, task_id).lead_units)
    t = compose.task(ws, task_id)
    requested = _day(p, a, "申请日期", today)
    due = compose.current_due(t)
    new_due = p.date(f"延期后时限（现完成时限 {due}）" if due else "延期后时限", "--new-due", a.new_due)
    reason = p.text("延期理由", "--reason", a.reason, multiline=True)
    return _finish(ws, p, a, compose.request_extension(ws, t.id, unit, requested, new_due, reason, today), unit)


def approve(ws: Workspace, p: Prompter, a: Answers, today: dt.date) -> Edited:
    waiting = [t for t in ws.repo.tasks.values() if t.closure is None and compose.pending_extension(t) is not None]
    task_id = _ask_task(ws, p, a, waiting, "批准延期")
    t = compose.task(ws, task_id)
    request = compose.pending_extension(t)
    if request is None:
        raise EditError(f"任务 {t.id} 没有待批准的延期申请")
    label = (f"批准单位（{compose.unit_name(ws, t.lead_units[0])}等 {request.requested} 申请延至 {request.new_due}："
             f"{request.reason}）")
    unit = _ask_unit(ws, p, a, only=[u for u in ws.repo.units if u not in t.lead_units], label=label)
    day = _day(p, a, "批准日期", today)
    return _finish(ws, p, a, compose.approve_extension(ws, t.id, unit, day, today), unit)


def verify(ws: Workspace, p: Prompter, a: Answers, today: dt.date) -> Edited:
    target = a.target
    if target is None:
        claimed = [t for t in ws.repo.tasks.values() if t.closure is None and t.timing.mode == "限时"
                   and compose.completion_claims(ws, t)]
        target = _ask_task(ws, p, a, claimed, "销号")
    if target in ws.repo.tasks:
        t = ws.repo.tasks[target]
        unit = _ask_unit(ws, p, a, only=[u for u in ws.repo.units if u not in t.lead_units], label="核实单位")
        day = _day(p, a, "销号日期", today)
        note = p.text("销号说明（可不填）", "--note", a.note, required=False)
        return _finish(ws, p, a, compose.verify_task(ws, t.id, unit, day, note, today), unit)
    kind, _ = compose.find_case(ws, target)
    how, name = compose.closing(kind)
    if not how:
        raise EditError(f"{kind.label}没有办结或验收环节")
    day = p.date(kind.title(name) if how == "date" else "办结日期", "--date", a.date, today)
    values, status = {}, None
    if how == "date":
        values = ask_with_fields(ws, kind, compose.with_fields(kind, name), p, parse_sets(a.sets))
    else:
        states = kind.case.closed.get("states", ())
        status = p.choice("办结状态", "--status", [Choice(s, s) for s in states], a.status)
    return _finish(ws, p, a, compose.verify_case(ws, target, day, today, values, status), None)


def new_case(ws: Workspace, p: Prompter, a: Answers, today: dt.date) -> Edited:
    case_kinds = ws.registry.case_kinds()
    name = p.choice("台账类别", "KIND（台账类别）", [Choice(k.name, f"{k.label}（{k.name}）") for k in case_kinds], a.target)
    kind = ws.kind(name)
    given = parse_sets(a.sets)
    unit = a.unit or remembered_unit(ws.root)
    if a.unit and kind.case:
        given.setdefault(kind.case.unit, a.unit)
    data = ask_case(ws, kind, p, given, today, unit)
    planned = compose.new_case(ws, name, data, today, a.case_id)
    return _finish(ws, p, a, planned, data.get(kind.case.unit) if kind.case else None)


COMMANDS = {
    "new update": new_update,
    "close": lambda ws, p, a, today: new_update(ws, p, a, today, done=True),
    "extend": extend,
    "approve": approve,
    "verify": verify,
    "new case": new_case,
}


def edit(root: Path, command: str, answers: Answers, prompter: Prompter, today: dt.date) -> Edited:
    """Run one editor; office refusals come back as ``Edited.refused``."""
    ws = open_workspace(root)
    try:
        return COMMANDS[command](ws, prompter, answers, today)
    except (EditError, WriteError) as exc:  # WriteError: text the canonical form cannot hold (invisible characters)
        return Edited(refused=str(exc))
