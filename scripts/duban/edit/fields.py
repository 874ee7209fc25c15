"""Questions for a record's fields, read off its JSON Schema: the Chinese title as the question, enum
values and units (from the records) as choices, dates, counts, nested objects and a first list entry.

Each field is answered on a terminal or by ``--set FIELD=VALUE`` (``--set time_limit.days=15``,
``--set attending_units=aa,bb``); the flag named when an answer is missing is that ``--set``.
"""

from __future__ import annotations

import datetime as dt

from duban.edit.prompts import BadAnswer, Choice, Prompter
from duban.edit.workspace import EditError, Workspace
from duban.records.kinds import Kind
from duban.records.write import resolve_schema

NEVER_ASKED = {"id", "synthetic"}


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise BadAnswer("--set", f"“{pair}”应写成 字段=值")
        out[name.strip()] = value.strip()
    return out


def unit_choices(ws: Workspace, only=None) -> list[Choice]:
    units = sorted(ws.repo.units.values(), key=lambda u: (u.order, u.id))
    return [Choice(u.id, f"{u.short_name}（{u.id}）") for u in units if only is None or u.id in only]


class FieldAsker:
    def __init__(self, ws: Workspace, kind: Kind, prompter: Prompter, given: dict[str, str], defaults: dict):
        self.ws, self.kind, self.prompter = ws, kind, prompter
        self.given = dict(given)
        self.defaults = defaults
        self.used: set[str] = set()
        self.unit_paths = {"/".join(r.path) for r in kind.references if r.kind == "unit"}

    def _schema(self, prop: dict) -> dict:
        return resolve_schema(prop, self.kind.schema.get("$id", ""), self.ws.registry.schemas)[0]

    def _value(self, name: str):
        self.used.add(name)
        return self.given.get(name)

    def ask(self, name: str, prop: dict, required: bool, path: str | None = None):
        """The answer for one field (None when an optional field is left empty)."""
        path = path or name
        schema = self._schema(prop)
        label = schema.get("title", name)
        flag = f"--set {path}=…"
        kind_of = schema.get("type")
        if kind_of == "object" and schema.get("properties"):
            needed = set(schema.get("required", ()))
            out = {}
            for sub, sub_prop in schema["properties"].items():
                value = self.ask(sub, sub_prop, sub in needed, f"{path}.{sub}")
                if value is not None:
                    out[sub] = value
            return out or None
        if kind_of == "array":
            items = self._schema(schema.get("items") or {})
            if f"{path}/*" in self.unit_paths:
                given = self._value(path)
                return self.prompter.choices(label, flag, unit_choices(self.ws),
                                             given.replace("、", ",").split(",") if given else None,
                                             required=required) or None
            if items.get("type") == "object":
                if not required and path not in self.given and not any(k.startswith(path + ".") for k in self.given):
                    return None
                entry = self.ask(path, items, True, path)
                return [entry] if entry else None
            given = self._value(path)
            return self.prompter.links(label, flag, given.split(",") if given else None, required=required) or None
        if kind_of == "boolean":
            return None
        choices = None
        if path in self.unit_paths:
            choices = unit_choices(self.ws)
        elif "enum" in schema:
            choices = [Choice(v, v) for v in schema["enum"]]
        given = self._value(path)
        if not required and given is None:  # an optional field: asked on a terminal, may be left empty
            if not self.prompter.interactive:
                return None
            listing = "".join(f"  {i}) {c.text}\n" for i, c in enumerate(choices or (), 1))
            given = self.prompter.text(f"{listing}{label}（可不填）", flag, None, required=False)
            if given is None:
                return None
        default = self.defaults.get(path)
        if choices is not None:
            return self.prompter.choice(label, flag, choices, given, default)
        if schema.get("format") == "date":
            if default is None and "." in path:  # a date inside a list entry: the case's start by default
                default = self.defaults.get("__start__")
            return self.prompter.date(label, flag, given, default).isoformat()
        if kind_of == "integer":
            return self.prompter.integer(label, flag, given, default, minimum=schema.get("minimum"))
        return self.prompter.text(label, flag, given, default, multiline=(schema.get("maxLength") or 0) > 200)

    def unknown(self) -> list[str]:
        known = set(self.used) | {k for k in self.given if any(k.startswith(u + ".") for u in self.used)}
        return sorted(k for k in self.given if k not in known and k.split(".")[0] not in self.used)


def later_fields(kind: Kind) -> set[str]:
    """Fields recorded after a case is opened (kinds.yaml ``events``: their dates and what comes with them)."""
    out: set[str] = set()
    for path, extra in kind.events:
        if len(path) == 1:
            out.add(path[0])
            out.update(extra)
    return out


def ask_case(ws: Workspace, kind: Kind, prompter: Prompter, given: dict[str, str], today: dt.date,
             unit: str | None) -> dict:
    """A new case's data, field by field in schema order (what is recorded later is not asked)."""
    schema = kind.schema
    required = set(schema.get("required", ()))
    skip = NEVER_ASKED | later_fields(kind)
    props = schema.get("properties") or {}
    unknown = sorted({k.split(".")[0] for k in given} - set(props) | ({k.split(".")[0] for k in given} & NEVER_ASKED))
    if unknown:
        raise EditError(f"{kind.label}没有可填写的字段：{'、'.join(unknown)}")
    defaults: dict = {}
    if kind.case:
        defaults[kind.case.start] = today  # the day it is registered: today unless told
        if unit:
            defaults[kind.case.unit] = unit
    asker = FieldAsker(ws, kind, prompter, given, defaults)
    data: dict = {}
    for name, prop in props.items():
        if name in skip and name not in given:
            continue
        value = asker.ask(name, prop, name in required)
        if value is not None:
            data[name] = value
        if kind.case and name == kind.case.start and isinstance(value, str):
            defaults["__start__"] = dt.date.fromisoformat(value)
    unknown = asker.unknown()
    if unknown:
        raise EditError(f"{kind.label}没有字段：{'、'.join(unknown)}")
    return data


def ask_with_fields(ws: Workspace, kind: Kind, names, prompter: Prompter, given: dict[str, str]) -> dict:
    """The fields recorded together with a closing date (kinds.yaml ``events … with``)."""
    asker = FieldAsker(ws, kind, prompter, given, {})
    props = kind.schema.get("properties") or {}
    out = {}
    for name in names:
        value = asker.ask(name, props.get(name, {}), True)
        if value is not None:
            out[name] = value
    unknown = asker.unknown()
    if unknown:
        raise EditError(f"不能在验收时填写：{'、'.join(unknown)}")
    return out
