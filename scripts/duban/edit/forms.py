"""The issue forms (``.github/ISSUE_TEMPLATE/*.yml``), read off the schemas and the records.

One form per way a unit reports through an issue: 进展填报 (a progress update), 完成销号申请 (a lead unit's
completion report), 延期申请 (an extension request), 台账状态变更 (a case's status), and a 登记 form per case
kind declared in ``schemas/kinds.yaml`` (a new kind gives a new form). Labels and descriptions are the
schemas' Chinese titles and descriptions; units come from the unit records.

Every field has an ASCII ``id``: a submitted form's body is ``### <label>`` sections, and intake
(:mod:`duban.edit.intake`) maps them back to fields through the same :class:`Form` values, never through
keys built from label text. The first field names the form (a dropdown with one option), so a body says
which form it came from on GitHub, Gitea and Forgejo alike.

Choices from records (``listed`` fields) follow the records: a dropdown when there are at most
``MAX_OPTIONS`` of them, otherwise (tasks, in any real plan) a text field, validated by intake, with the
ids listed in its description. ``duban forms --check`` compares the rest (schemas and code) and keeps what
the committed file lists, so a pull request that adds a unit is not refused for the dropdown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import yaml

from duban.edit import compose
from duban.edit.fields import NEVER_ASKED, later_fields, unit_choices
from duban.edit.workspace import Workspace
from duban.records.kinds import Kind
from duban.records.write import resolve_schema

FOLDER = ".github/ISSUE_TEMPLATE"
MAX_OPTIONS = 50  # a list a person scans in a dropdown; longer ones become a validated text field
MAX_LISTED = 300  # ids named in a text field's description
HEADER = "# 由 duban forms 生成，请勿手工修改：标签和说明来自 schemas/，单位和任务来自 records/。\n"
PRIVACY_ID = "privacy"
PRIVACY_TEXT = "本次填报不含群众姓名、身份证号、电话、住址等个人信息（填报内容将公开发布）"
NO_RESPONSE = "_No response_"


@dataclass(frozen=True)
class Field:
    id: str  # ASCII, [A-Za-z0-9_-]
    type: str  # input | textarea | dropdown | checkboxes
    label: str
    description: str = ""
    options: tuple[str, ...] = ()
    required: bool = False
    multiple: bool = False
    path: str = ""  # the answer it gives: a record field (``text``, ``time_limit.days``) or a role (``unit``)
    listed: bool = False  # its options (or the ids in its description) come from records
    placeholder: str = ""
    lines: bool = False  # a textarea holding one value per line (links)


@dataclass(frozen=True)
class Form:
    id: str  # the file name without .yml, and intake's --form
    name: str
    about: str
    action: str  # update | completion | extension | case_status | case
    fields: tuple[Field, ...]
    kind: str | None = None  # for action "case": the case kind

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def by_path(self, path: str) -> Field | None:
        top = path.split("[")[0]
        for candidate in (path, top, top.split(".")[0]):
            found = next((f for f in self.fields if f.path == candidate), None)
            if found is not None:
                return found
        return None

    @property
    def path(self) -> str:
        return f"{FOLDER}/{self.id}.yml"


# ---------------------------------------------------------------- fields from the schemas and records


def _schema(ws: Workspace, kind: Kind, prop: dict) -> dict:
    return resolve_schema(prop, kind.schema.get("$id", ""), ws.registry.schemas)[0]


def _prop(ws: Workspace, kind_name: str, *path: str) -> dict:
    kind = ws.kind(kind_name)
    schema = kind.schema
    for name in path:
        schema = _schema(ws, kind, schema)
        if schema.get("type") == "array":
            schema = _schema(ws, kind, schema.get("items") or {})
        schema = (schema.get("properties") or {}).get(name, {})
    return _schema(ws, kind, schema)


def _described(schema: dict, extra: str = "") -> str:
    return "".join(x for x in (schema.get("description", ""), extra) if x)


DATE_HINT = "格式 YYYY-MM-DD，如 2024-06-07。"


def _choice_field(fid: str, label: str, description: str, choices: list[str], required: bool, path: str,
                  listed: bool = False, multiple: bool = False) -> Field:
    """A dropdown, or a text field listing the choices when there are none or too many."""
    if 0 < len(choices) <= MAX_OPTIONS:
        return Field(fid, "dropdown", label, description, tuple(choices), required, multiple, path, listed)
    shown = "、".join(choices[:MAX_LISTED]) + ("等" if len(choices) > MAX_LISTED else "")
    how = "填写编号" + ("，多个用逗号分隔" if multiple else "")
    listing = f"{how}。可填：{shown}" if choices else how
    return Field(fid, "input", label, _described({"description": description}, listing), (), required, multiple,
                 path, listed)


def unit_field(ws: Workspace, label: str, description: str, fid: str = "unit", path: str = "unit",
               required: bool = True, multiple: bool = False) -> Field:
    return _choice_field(fid, label, description, [c.text for c in unit_choices(ws)], required, path, True, multiple)


def task_field(ws: Workspace, only=None) -> Field:
    schema = _prop(ws, "update", "task")
    tasks = sorted(t.id for t in ws.repo.tasks.values() if t.closure is None and (only is None or only(t)))
    listing = "、".join(tasks[:MAX_LISTED]) + ("等" if len(tasks) > MAX_LISTED else "")
    description = _described(schema, f"任务编号见站点的任务清单。可填：{listing}" if tasks else "")
    return Field("task", "input", schema.get("title", "任务编号"), description, (), True, path="task", listed=True,
                 placeholder="T-2-3-01")


def date_field(fid: str, schema: dict, required: bool = True, path: str | None = None) -> Field:
    return Field(fid, "input", schema.get("title", fid), _described(schema, DATE_HINT), (), required,
                 path=path or fid, placeholder="2024-06-07")


def text_field(fid: str, schema: dict, required: bool, path: str | None = None, label: str | None = None) -> Field:
    long = (schema.get("maxLength") or 0) > 200
    return Field(fid, "textarea" if long else "input", label or schema.get("title", fid), _described(schema), (),
                 required, path=path or fid)


def links_field(fid: str, schema: dict, required: bool) -> Field:
    return Field(fid, "textarea", schema.get("title", fid), _described(schema, "每行一个链接（http:// 或 https:// 开头）。"),
                 (), required, path=fid, lines=True)


def _form_field(name: str) -> Field:
    return Field("form", "dropdown", "填报事项", "本表单的类别，无需更改。", (name,), True, path="form")


PRIVACY = Field(PRIVACY_ID, "checkboxes", "个人信息", "填报内容会公开发布。含个人信息的填报不会被采用，并会被遮盖。",
                (PRIVACY_TEXT,), True, path=PRIVACY_ID)


def _wrap(fid: str, name: str, about: str, action: str, fields: list[Field], kind: str | None = None) -> Form:
    return Form(fid, name, about, action, (_form_field(name), *fields, PRIVACY), kind)


def progress_form(ws: Workspace) -> Form:
    p = lambda *path: _prop(ws, "update", *path)  # noqa: E731
    states = tuple(p("state").get("enum", ()))
    fields = [
        unit_field(ws, p("unit").get("title", "报送单位"), _described(p("unit"))),
        task_field(ws),
        date_field("date", p("date")),
        date_field("period", p("period"), required=False),
        Field("state", "dropdown", p("state").get("title", "进展状态"), _described(p("state")), states, True,
              path="state"),
        text_field("text", p("text"), True),
        links_field("evidence", p("evidence"), False),
    ]
    return _wrap("progress", "进展填报", "单位报送一项任务的进展；提交后自动校验，通过后生成合并请求，由督办单位审核合并。",
                 "update", fields)


def completion_form(ws: Workspace) -> Form:
    p = lambda *path: _prop(ws, "update", *path)  # noqa: E731
    fields = [
        unit_field(ws, p("unit").get("title", "报送单位"), "报告完成的牵头单位。"),
        task_field(ws, lambda t: t.timing.mode == "限时"),
        date_field("date", p("date")),
        text_field("text", p("text"), True, label="完成情况"),
        links_field("evidence", p("evidence"), True),
    ]
    return _wrap("completion", "完成销号申请", "牵头单位报告任务已完成并附佐证材料，申请督办单位核实销号。",
                 "completion", fields)


def extension_form(ws: Workspace) -> Form:
    e = lambda name: _prop(ws, "task", "extensions", name)  # noqa: E731
    fields = [
        unit_field(ws, "申请单位", "申请延期的牵头单位。"),
        task_field(ws, lambda t: t.timing.mode == "限时"),
        date_field("requested", e("requested")),
        date_field("new_due", e("new_due")),
        text_field("reason", e("reason"), True),
    ]
    return _wrap("extension", "延期申请", "牵头单位在完成时限前申请延期；督办单位批准后生效，原时限保留在记录中。",
                 "extension", fields)


def status_options(ws: Workspace) -> dict[str, tuple[str, str, str]]:
    """The case status changes a form offers: option text -> (kind, how, value). ``how`` is ``history`` (an
    entry in the kind's status list) or ``date`` (a date field recorded later, such as 整改完成日期)."""
    out: dict[str, tuple[str, str, str]] = {}
    for kind in ws.registry.case_kinds():
        how, name = compose.closing(kind)
        if how == "history":
            entry = _prop(ws, kind.name, name, "status")
            for status in entry.get("enum", ()):
                out[f"{kind.label}：{status}"] = (kind.name, "history", status)
        for path, _extra in kind.events:
            if len(path) == 1:
                out[f"{kind.label}：{kind.title(path[0])}"] = (kind.name, "date", path[0])
    return out


def case_status_form(ws: Workspace) -> Form | None:
    options = list(status_options(ws))
    if not options:
        return None
    fields = [
        Field("case", "input", "台账编号", "要变更状态的台账编号，见站点的台账页面。", (), True, path="case",
              placeholder="TJ-luoyang-2024-0001"),
        _choice_field("status", "新状态", "台账类别和变更后的状态（或办理环节）。", options, True, "status"),
        date_field("date", {"title": "日期", "description": "状态变化或办理环节完成的日期。"}),
        Field("note", "textarea", "说明", "本次变化的说明（可不填），不得含个人信息。", (), False, path="note"),
    ]
    return _wrap("case-status", "台账状态变更", "变更一条台账的状态，或填写整改完成、验收等办理环节的日期。",
                 "case_status", fields)


def _case_fields(ws: Workspace, kind: Kind) -> list[Field]:
    """A new case's fields in schema order, as ``duban new case`` asks them (what is recorded later is not)."""
    unit_paths = {"/".join(r.path) for r in kind.references if r.kind == "unit"}
    required = set(kind.schema.get("required", ()))
    skip = NEVER_ASKED | later_fields(kind)
    out: list[Field] = []

    def add(path: str, prop: dict, needed: bool, parent: str = "") -> None:
        schema = _schema(ws, kind, prop)
        fid = path.replace(".", "-")
        kind_of = schema.get("type")
        if kind_of == "object" and schema.get("properties"):
            inner = set(schema.get("required", ()))
            for sub, sub_prop in schema["properties"].items():
                add(f"{path}.{sub}", sub_prop, needed and sub in inner, f"{schema.get('title', path)}：")
            return
        if kind_of == "array":
            items = _schema(ws, kind, schema.get("items") or {})
            if f"{path}/*" in unit_paths:
                out.append(unit_field(ws, schema.get("title", path), _described(schema), fid, path, needed, True))
            elif items.get("type") == "object":
                if needed:  # the first entry (a dispute's 受理)
                    inner = set(items.get("required", ()))
                    for sub, sub_prop in (items.get("properties") or {}).items():
                        sub_schema = _schema(ws, kind, sub_prop)
                        title = f"{schema.get('title', path)}：{sub_schema.get('title', sub)}"
                        add_one(f"{path}.{sub}", sub_schema, sub in inner, title)
            else:
                out.append(links_field(fid, schema, needed))
            return
        if kind_of == "boolean":
            return
        add_one(path, schema, needed, parent + schema.get("title", path) if parent else None)

    def add_one(path: str, schema: dict, needed: bool, label: str | None = None) -> None:
        fid = path.replace(".", "-")
        label = label or schema.get("title", path)
        if path in unit_paths:
            out.append(unit_field(ws, label, _described(schema), fid, path, needed))
        elif "enum" in schema:
            out.append(Field(fid, "dropdown", label, _described(schema), tuple(schema["enum"]), needed, path=path))
        elif schema.get("format") == "date":
            out.append(replace(date_field(fid, schema, needed, path), label=label))
        elif schema.get("type") == "integer":
            out.append(Field(fid, "input", label, _described(schema, "填写整数。"), (), needed, path=path))
        else:
            out.append(text_field(fid, schema, needed, path, label))

    for name, prop in (kind.schema.get("properties") or {}).items():
        if name not in skip:
            add(name, prop, name in required)
    return out


def case_form(ws: Workspace, kind: Kind) -> Form:
    return _wrap(f"case-{kind.name}", f"{kind.label}登记", f"登记一条{kind.label}台账；编号自动生成。", "case",
                 _case_fields(ws, kind), kind.name)


def all_forms(ws: Workspace) -> dict[str, Form]:
    forms = [progress_form(ws), completion_form(ws), extension_form(ws), case_status_form(ws)]
    forms += [case_form(ws, kind) for kind in ws.registry.case_kinds()]
    return {f.id: f for f in forms if f is not None}


# ---------------------------------------------------------------- the template files


def _element(f: Field, kept: dict | None) -> dict:
    attributes: dict = {"label": f.label}
    if f.description:
        attributes["description"] = f.description
    if f.type == "checkboxes":
        attributes["options"] = [{"label": o, "required": f.required} for o in f.options]
    elif f.type == "dropdown":
        attributes["multiple"] = f.multiple
        attributes["options"] = list(f.options)
        if len(f.options) == 1 and f.required:
            attributes["default"] = 0
    if f.placeholder:
        attributes["placeholder"] = f.placeholder
    if f.listed and kept is not None and kept.get("type") == f.type:  # --check: what records list is theirs
        for key in ("options", "description"):
            if key in (kept.get("attributes") or {}):
                attributes[key] = kept["attributes"][key]
    element: dict = {"type": f.type, "id": f.id, "attributes": attributes}
    if f.type != "checkboxes":
        element["validations"] = {"required": f.required}
    return element


def form_text(form: Form, kept_text: str | None = None) -> str:
    """The template's YAML. ``kept_text`` (the committed file): its record-derived choices are kept."""
    kept: dict[str, dict] = {}
    if kept_text:
        try:
            old = yaml.safe_load(kept_text)
            kept = {e.get("id"): e for e in old.get("body", []) if isinstance(e, dict) and e.get("id")}
        except (yaml.YAMLError, AttributeError):
            kept = {}
    data = {
        "name": form.name,
        "description": form.about,
        "title": f"【{form.name}】",
        "labels": ["填报"],
        "body": [_element(f, kept.get(f.id) if kept_text is not None else None) for f in form.fields],
    }
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=False)


def config_text() -> str:
    return HEADER + yaml.safe_dump({"blank_issues_enabled": False}, sort_keys=False)

