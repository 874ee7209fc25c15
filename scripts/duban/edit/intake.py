"""``duban intake``: a submitted issue form's body → one record, written through the workspace like every
other editing path (the same :mod:`duban.edit.compose` functions as the CLI editors and the Excel import,
so the same progress update is the same bytes).

The body is hostile text. It is read as ``### <label>`` sections in the order of the form's own fields
(:mod:`duban.edit.forms`), so a value holding a ``###`` line that is not the next field's heading stays in
the value; ``_No response_`` is an empty answer, checkboxes are ``- [x]`` lines, several choices are joined
by commas. GitHub's and Gitea's renderings (the same layout; Gitea ends each section with a blank line and
writes ``[x]``, GitHub writes ``[X]``) and CRLF line ends read the same.

Personal data is looked for in the whole body before anything else: when a resident ID number or a mobile
number is found, nothing is built or written, the problem names only the fields (never the number), and
:func:`masked_body` gives the body with the numbers masked, for the workflow to put back on the issue.

Editing an issue after submission updates the same record, not a second one. Records carry no issue
number (the same update must be the same bytes whichever way it came), so the record an issue wrote is
found from the body before the edit (``previous``, the ``changes.body.from`` of GitHub's ``edited``
event): the record that body gives is the one the new body replaces; for a change to an existing record
(an extension request, a case's status) the entry that body added is replaced, not followed by a second.
Before the pull request is merged the workflow rebuilds the issue's branch from main, so the branch always
holds one record.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from duban.edit import compose
from duban.edit.fields import ask_case, unit_choices
from duban.edit.forms import (
    NO_RESPONSE,
    PRIVACY_ID,
    Field,
    Form,
    all_forms,
    status_options,
)
from duban.edit.prompts import BadAnswer, Choice, MissingAnswer, Prompter, parse_date
from duban.edit.workspace import Applied, EditError, Planned, Workspace, apply
from duban.records.model import build as build_repository
from duban.records.privacy import mask_text, scan_text
from duban.records.text import first_forbidden, forbidden_message
from duban.records.write import WriteError

_CHECKBOX = re.compile(r"^\s*[-*]\s+\[([ xX])\]\s+(.*)$")


@dataclass
class Problem:
    """A problem phrased for the form: the field's label (or none, for the submission as a whole)."""

    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}：{self.message}" if self.label else self.message


@dataclass
class Intake:
    form: Form | None = None
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    personal: bool = False  # the body holds personal data (masked in masked_body)
    unit: str | None = None
    unit_name: str | None = None
    team: str | None = None
    record: str | None = None  # the record's file, written or not

    @property
    def ok(self) -> bool:
        return not self.problems


# ---------------------------------------------------------------- the body


def _normal(body: str) -> str:
    return body.replace("\r\n", "\n").replace("\r", "\n")


def sections(form: Form, body: str) -> dict[str, str | None]:
    """Each field's raw answer (None: missing or ``_No response_``), found by the form's labels in order."""
    lines = _normal(body).split("\n")
    heads: list[tuple[int, Field]] = []
    at = 0
    for f in form.fields:
        head = f"### {f.label}"
        for i in range(at, len(lines)):
            if lines[i].rstrip() == head and (i == 0 or not lines[i - 1].strip()):
                heads.append((i, f))
                at = i + 1
                break
    out: dict[str, str | None] = {f.id: None for f in form.fields}
    for n, (i, f) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        value = "\n".join(lines[i + 1:end]).strip("\n").strip()
        value = _unfence(value)
        out[f.id] = None if value in ("", NO_RESPONSE) else value
    return out


def _unfence(value: str) -> str:
    """A textarea with ``render`` comes back fenced (duban's forms set none): a fence around it is taken off."""
    m = re.fullmatch(r"(`{3,})[^\n`]*\n(.*)\n\1", value, re.S)
    return m.group(2) if m else value


def checked(value: str | None) -> list[str]:
    out = []
    for line in (value or "").split("\n"):
        m = _CHECKBOX.match(line)
        if m and m.group(1) in "xX":
            out.append(m.group(2).strip())
    return out


def detect(forms: dict[str, Form], body: str) -> Form | None:
    """The form a body came from: its first section names it (``### 填报事项``)."""
    for form in forms.values():
        if sections(form, body).get("form") == form.name:
            return form
    return None


def personal_fields(form: Form, body: str) -> list[str]:
    """The labels of the fields holding personal data (a number anywhere else: the form as a whole)."""
    found = [f.label for f in form.fields if any(True for _ in scan_text(sections(form, body).get(f.id) or ""))]
    if not found and any(True for _ in scan_text(_normal(body))):
        found = ["表单"]
    return found


def masked_body(body: str) -> str:
    return mask_text(body)


# ---------------------------------------------------------------- building the record


class _Answers:
    """A form's answers, with the labels problems are phrased with."""

    def __init__(self, form: Form, values: dict[str, str | None]):
        self.form, self.values = form, values
        self.p = Prompter(interactive=False)

    def label(self, fid: str) -> str:
        f = self.form.field(fid)
        return f.label if f else fid

    def raw(self, fid: str) -> str | None:
        return self.values.get(fid)

    def need(self, fid: str) -> str:
        value = self.raw(fid)
        if value is None:
            raise BadAnswer(fid, "不能为空")
        return value

    def date(self, fid: str, required: bool = True) -> dt.date | None:
        value = self.raw(fid) if not required else self.need(fid)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            raise BadAnswer(fid, str(exc)) from None

    def unit(self, ws: Workspace, fid: str = "unit") -> str:
        return self.p.choice(self.label(fid), fid, unit_choices(ws), self.need(fid))

    def links(self, fid: str) -> list[str]:
        return [line.strip() for line in (self.raw(fid) or "").split("\n") if line.strip()]


def _update(ws: Workspace, a: _Answers, today: dt.date, done: bool) -> tuple[Planned, str]:
    unit = a.unit(ws)
    task = a.need("task").strip()
    state = compose.DONE if done else a.p.choice(a.label("state"), "state",
                                                 [Choice(s, s) for s in a.form.field("state").options], a.need("state"))
    period = None if done else a.date("period", required=False)
    return compose.update(ws, task, unit, a.date("date"), state, a.need("text"), a.links("evidence"), period,
                          today), unit


def _extension(ws: Workspace, a: _Answers, today: dt.date) -> tuple[Planned, str]:
    unit = a.unit(ws)
    return compose.request_extension(ws, a.need("task").strip(), unit, a.date("requested"), a.date("new_due"),
                                     a.need("reason"), today), unit


def _case(ws: Workspace, a: _Answers, today: dt.date) -> tuple[Planned, str | None]:
    kind = ws.kind(a.form.kind)
    given: dict[str, str] = {}
    for f in a.form.fields:
        value = a.raw(f.id)
        if f.id in ("form", PRIVACY_ID) or value is None:
            continue
        if f.lines:
            value = ",".join(line.strip() for line in value.split("\n") if line.strip())
        elif f.multiple:
            value = ",".join(part.strip() for part in value.replace("，", ",").split(",") if part.strip())
        given[f.path] = value
    data = ask_case(ws, kind, a.p, given, today, None)
    return compose.new_case(ws, kind.name, data, today), data.get(kind.case.unit) if kind.case else None


def _case_status(ws: Workspace, a: _Answers, today: dt.date) -> tuple[Planned, str | None]:
    options = status_options(ws)
    choice = a.p.choice(a.label("status"), "status", [Choice(o, o) for o in options], a.need("status"))
    kind_name, how, value = options[choice]
    case_id = a.need("case").strip()
    kind, record = compose.find_case(ws, case_id)
    if kind.name != kind_name:
        raise EditError(f"台账 {case_id} 是{kind.label}，不能选择“{choice}”", "status")
    planned = compose.case_status(ws, case_id, how, value, a.date("date"), a.raw("note"), today)
    return planned, record.data.get(kind.case.unit) if kind.case else None


BUILDERS = {
    "update": lambda ws, a, today: _update(ws, a, today, done=False),
    "completion": lambda ws, a, today: _update(ws, a, today, done=True),
    "extension": _extension,
    "case": _case,
    "case_status": _case_status,
}


def _label_of_flag(form: Form, flag: str) -> str:
    """The label behind a prompter flag: a field id, or ``--set PATH=…`` from the case fields."""
    if flag.startswith("--set "):
        path = flag[len("--set "):].split("=")[0]
        f = form.by_path(path)
        return f.label if f else path
    f = form.field(flag) or form.by_path(flag)
    return f.label if f else flag


def _why(exc: BadAnswer | MissingAnswer) -> str:
    if isinstance(exc, MissingAnswer):
        return "不能为空"
    text = str(exc)
    return text[len(exc.flag) + 1:] if text.startswith(exc.flag + "：") else text


def build(ws: Workspace, form: Form, body: str, today: dt.date) -> tuple[Planned | None, str | None, list[Problem]]:
    """The record a body gives, the unit it reports for, or the problems phrased for the form."""
    values = sections(form, body)
    if values.get("form") is not None and values["form"] != form.name:
        return None, None, [Problem("", f"这不是“{form.name}”表单（填报事项为“{values['form']}”）")]
    a = _Answers(form, values)
    try:
        planned, unit = BUILDERS[form.action](ws, a, today)
        return planned, unit, []
    except (BadAnswer, MissingAnswer) as exc:
        return None, None, [Problem(_label_of_flag(form, exc.flag), _why(exc))]
    except EditError as exc:
        f = form.by_path(exc.field) if exc.field else None
        return None, None, [Problem(f.label if f else "", str(exc))]


def _same_record(ws: Workspace, form: Form, previous: str | None, today: dt.date) -> Planned | None:
    """The record the body before the edit gave, if it is on record (the issue's earlier submission)."""
    if not previous:
        return None
    planned, _unit, _problems = build(ws, form, previous, today)
    if planned is None:
        return None
    if form.action in ("update", "completion", "case"):
        ignore = {"id"} if form.action == "case" else set()
        for record in ws.records(planned.kind).values():
            data = {k: v for k, v in record.data.items() if k not in ignore}
            if data == {k: v for k, v in planned.data.items() if k not in ignore}:
                return Planned(planned.kind, ws.path(record.file), record.data)
    return None


def _before(ws: Workspace, kind: str, rid: str, data: dict) -> Workspace:
    """The workspace with one record as it stood before an earlier submission changed it."""
    records = dict(ws.result.records)
    records[kind] = {**records[kind], rid: replace(records[kind][rid], data=data)}
    result = replace(ws.result, records=records)
    return Workspace(ws.root, result, build_repository(result))


def _undone(ws: Workspace, form: Form, previous: str | None) -> Workspace | None:
    """For a change to an existing record (an extension request, a case's status): when the record holds the
    entry the body before the edit added, the workspace without it, so the edited body replaces that entry."""
    if not previous or form.action not in ("extension", "case_status"):
        return None
    a = _Answers(form, sections(form, previous))
    try:
        if form.action == "extension":
            task_id = a.need("task").strip()
            record = ws.record("task", task_id)
            data = ws.data("task", task_id)
            entry = {"requested": a.date("requested").isoformat(), "reason": a.need("reason").strip(),
                     "new_due": a.date("new_due").isoformat()}
            if record is None or not data.get("extensions") or data["extensions"][-1] != entry:
                return None
            data["extensions"].pop()
            if not data["extensions"]:
                del data["extensions"]
            return _before(ws, "task", task_id, data)
        kind_name, how, value = status_options(ws)[a.need("status")]
        case_id = a.need("case").strip()
        data = ws.data(kind_name, case_id)
        day = a.date("date").isoformat()
        if data is None:
            return None
        if how == "date":
            if data.get(value) != day:
                return None
            del data[value]
        else:
            _how, field_name = compose.closing(ws.kind(kind_name))
            history = data.get(field_name) or []
            note = (a.raw("note") or "").strip()
            if not history or history[-1] != {"date": day, "status": value, **({"note": note} if note else {})}:
                return None
            history.pop()
        return _before(ws, kind_name, case_id, data)
    except (BadAnswer, KeyError, AttributeError):
        return None


def _replace(ws: Workspace, form: Form, planned: Planned, earlier: Planned) -> Planned:
    """The new body's record in place of the earlier one."""
    if form.action == "case":
        data = {"id": earlier.data["id"], **{k: v for k, v in planned.data.items() if k != "id"}}
        return Planned(planned.kind, earlier.path, data)
    key = ("task", "unit", "date")
    if tuple(planned.data.get(k) for k in key) != tuple(earlier.data.get(k) for k in key):
        raise EditError("修改后的任务、报送单位或报送日期与原记录不同；原记录已合并，请另开一个议题报送", "date")
    return Planned(planned.kind, earlier.path, planned.data)


def intake(ws: Workspace, form_id: str | None, body: str, today: dt.date, previous: str | None = None,
           write: bool = True) -> Intake:
    forms = all_forms(ws)
    form = forms.get(form_id) if form_id else detect(forms, body)
    out = Intake(form=form)
    personal = personal_fields(form, body) if form else (["表单"] if any(True for _ in scan_text(_normal(body))) else [])
    if personal:  # before anything is built, quoted or written
        out.personal = True
        out.problems.append(Problem("、".join(personal), "含有疑似身份证号码或手机号码，已遮盖；填报内容会公开发布，"
                                                        "请删除个人信息后重新编辑本议题"))
        return out
    if form is None:
        known = "、".join(forms)
        out.problems.append(Problem("", f"未知的表单（可用：{known}）" if form_id
                                    else "无法识别表单：正文中没有“### 填报事项”一节"))
        return out
    values = sections(form, body)
    hidden = [Problem(form.field(fid).label, forbidden_message(value)) for fid, value in values.items()
              if value and first_forbidden(value)]
    if hidden:  # what the validator refuses in every text field, named by the form's label
        out.problems += hidden
        return out
    if _unconfirmed(form, values):
        out.problems.append(Problem(form.field(PRIVACY_ID).label, "请勾选确认本次填报不含个人信息"))
        return out
    base = _undone(ws, form, previous) or ws
    planned, unit, problems = build(base, form, body, today)
    if planned is None:
        out.problems += problems
        return out
    try:
        earlier = _same_record(ws, form, previous, today)
        if earlier is not None:
            planned = _replace(ws, form, planned, earlier)
    except EditError as exc:
        f = form.by_path(exc.field) if exc.field else None
        out.problems.append(Problem(f.label if f else "", str(exc)))
        return out
    out.unit = unit
    out.unit_name = ws.repo.unit_name(unit) if unit else None
    unit_record = ws.record("unit", out.unit) if out.unit else None
    out.team = unit_record.data.get("team") if unit_record else None
    out.record = ws.display(planned.path)
    try:
        applied: Applied = apply(ws, [planned], write=write)
    except (EditError, WriteError) as exc:
        out.problems.append(Problem("", str(exc)))
        return out
    for p in applied.problems:
        f = form.by_path(p.field) if p.field not in ("", "-") else None
        out.problems.append(Problem(f.label if f else "", p.message))
    out.written, out.unchanged = applied.written, applied.unchanged
    return out


def _unconfirmed(form: Form, values: dict[str, str | None]) -> bool:
    f = form.field(PRIVACY_ID)
    return f is not None and f.required and not checked(values.get(PRIVACY_ID))
