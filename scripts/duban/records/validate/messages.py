"""Chinese wording of JSON Schema errors: one formatter per keyword.

``MESSAGES[keyword](error, ctx)`` returns the problems for one ``jsonschema``
error: a list of ``(path, message, key)`` where ``key`` says the problem points
at the field's name rather than its value. A keyword without an entry falls back
to a generic message that quotes jsonschema's own text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

from duban.records.problems import field_name
from duban.records.text import shown

TYPE_NAMES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": " true 或 false",
    "array": "列表",
    "object": "由若干字段组成的内容",
    "null": "空值",
}


def type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


class Fields:
    """Walks a kind's schema to find a field's Chinese title and description."""

    def __init__(self, schema: dict, schemas: dict[str, dict]):
        self.schema = schema
        self._schemas = schemas

    def _resolve(self, schema: dict) -> dict:
        ref = schema.get("$ref")
        if not ref:
            return schema
        base, _, pointer = ref.partition("#")
        if not base:  # a reference inside the same schema
            target = self.schema
        else:
            target = next((s for uri, s in self._schemas.items() if uri == base or uri.endswith("/" + base)), None)
        if target is None:
            return schema
        for part in pointer.strip("/").split("/") if pointer else []:
            target = target.get(part, {})
        merged = dict(target)
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged

    def subschema(self, path: Iterable) -> dict:
        schema = self.schema
        for part in path:
            schema = self._resolve(schema)
            if isinstance(part, int):
                schema = schema.get("items", {})
            elif part in schema.get("properties", {}):
                schema = schema["properties"][part]
            else:  # a map's entries (kinds.yaml's kinds, settings' states) are described once
                extra = schema.get("additionalProperties")
                schema = extra if isinstance(extra, dict) else {}
        return self._resolve(schema)

    def title(self, path) -> str:
        return self.subschema(path).get("title", "") or field_name(path)


@dataclass(frozen=True)
class Context:
    """What a formatter may look at besides the error: the field's schema and titles."""

    fields: Fields

    def named(self, name: str, path) -> str:
        title = self.fields.title(path)
        return f"“{name}”（{title}）" if title != name else f"“{name}”"

    def subschema(self, path) -> dict:
        return self.fields.subschema(path)


Found = list[tuple[tuple, str, bool]]  # (field path, message, points at the key)
Formatter = Callable[[Any, Context], Found]


def _one(message: str) -> Callable[[Any, Context], Found]:
    return lambda error, ctx: [(tuple(error.absolute_path), message, False)]


def _required(error, ctx: Context) -> Found:
    path, inst = tuple(error.absolute_path), error.instance
    return [(path + (name,), f"缺少必填字段{ctx.named(name, path + (name,))}", False)
            for name in error.validator_value if isinstance(inst, dict) and name not in inst]


@lru_cache(maxsize=4096)
def _close(word: str, known: tuple[str, ...]) -> list[str]:
    """The closest known name (editors repeat their typos, and difflib is slow)."""
    return difflib.get_close_matches(word, known, n=1) if len(word) <= 100 else []


def _additional(error, ctx: Context) -> Found:
    path = tuple(error.absolute_path)
    known = list(error.schema.get("properties", {}))
    out = []
    for extra in error.instance:
        if extra in known:
            continue
        # only the first problems of a file are listed: suggest spellings for those, not for 100,000 keys
        close = _close(extra, tuple(known)) if len(out) < HINTS else []
        hint = f"，是不是“{close[0]}”？" if close else "；请检查拼写"
        out.append((path + (extra,), f"未知字段“{shown(extra)}”：这类记录没有这个字段{hint}", True))
    return out


def _dependent_required(error, ctx: Context) -> Found:
    path, inst = tuple(error.absolute_path), error.instance
    out = []
    for trigger, needed in error.validator_value.items():
        if isinstance(inst, dict) and trigger in inst:
            for name in needed:
                if name not in inst:
                    msg = f"填写了{ctx.named(trigger, path + (trigger,))}时，还须填写{ctx.named(name, path + (name,))}"
                    out.append((path + (trigger,), msg, False))
    return out


def _not(error, ctx: Context) -> Found:
    path, inst = tuple(error.absolute_path), error.instance
    if not isinstance(inst, dict):
        return _fallback(error, ctx)
    forbidden = [r for sub in error.validator_value.get("anyOf", []) for r in sub.get("required", []) if r in inst]
    mode = inst.get("mode")
    lead = f"时限形式为“{mode}”时" if mode else "此处"
    return [(path + (name,), f"{lead}不应填写{ctx.named(name, path + (name,))}", True) for name in forbidden]


def _enum(error, ctx: Context) -> Found:
    choices = "、".join(str(c) for c in error.validator_value)
    return _one(f"“{shown(error.instance)}”不是可选的值；可选：{choices}")(error, ctx)


def _type(error, ctx: Context) -> Found:
    value, inst = error.validator_value, error.instance
    wanted = value if isinstance(value, list) else [value]
    msg = f"应为{'或'.join(TYPE_NAMES.get(w, w) for w in wanted)}，现在是{TYPE_NAMES[type_of(inst)]}“{shown(inst)}”"
    if "string" in wanted and type_of(inst) in ("integer", "boolean"):
        msg += "；请给这个值加引号"
    elif wanted == ["boolean"] and isinstance(inst, str):
        msg += "；是写 true，否写 false"
    return _one(msg)(error, ctx)


def _pattern(error, ctx: Context) -> Found:
    desc = ctx.subschema(tuple(error.absolute_path)).get("description", "")
    return _one(f"“{shown(error.instance)}”格式不正确" + (f"：{desc}" if desc else ""))(error, ctx)


def _format(error, ctx: Context) -> Found:
    inst = error.instance
    if error.validator_value == "date":
        return _one(f"“{shown(inst)}”不是有效的日期（应为 YYYY-MM-DD，且日期存在）")(error, ctx)
    return _one(f"“{shown(inst)}”格式不正确")(error, ctx)


def _fallback(error, ctx: Context) -> Found:
    """A keyword without its own wording: say which rule, in Chinese (jsonschema's English is never shown)."""
    rule = RULES.get(error.validator, f"“{error.validator}”规则")
    return _one(f"不符合{rule}的要求")(error, ctx)


RULES = {"anyOf": "几种可选写法中任何一种", "oneOf": "几种可选写法中恰好一种", "allOf": "全部规则",
         "if": "条件规则", "propertyNames": "字段名规则", "contains": "列表内容规则", "multipleOf": "倍数规则"}
HINTS = 50


def _property_names(error, ctx: Context) -> Found:
    path, inst = tuple(error.absolute_path), error.instance
    pattern = error.validator_value.get("pattern") if isinstance(error.validator_value, dict) else None
    names = [k for k in inst if isinstance(k, str)] if isinstance(inst, dict) else []
    if pattern:
        import re

        names = [k for k in names if not re.search(pattern.replace("$", r"\Z"), k)]
    return [(path + (k,), f"名称“{shown(k)}”不符合要求：只能用小写英文字母、数字和下划线，以字母开头", True)
            for k in names[:1]] or _one("字段名不符合要求")(error, ctx)


MESSAGES: dict[str, Formatter] = {
    "required": _required,
    "additionalProperties": _additional,
    "dependentRequired": _dependent_required,
    "not": _not,
    "enum": _enum,
    "const": lambda e, c: _one(f"应为“{shown(e.validator_value)}”")(e, c),
    "propertyNames": _property_names,
    "minProperties": lambda e, c: _one("至少要填写一项" if e.validator_value <= 1 else f"至少要填写 {e.validator_value} 项")(e, c),
    "maxProperties": lambda e, c: _one(f"最多填写 {e.validator_value} 项")(e, c),
    "type": _type,
    "pattern": _pattern,
    "format": _format,
    "minLength": lambda e, c: _one("不能为空")(e, c),
    "maxLength": lambda e, c: _one(f"太长：最多 {e.validator_value} 个字，现在 {len(e.instance)} 个字")(e, c),
    "minItems": lambda e, c: _one(f"至少要填写 {e.validator_value} 项" if e.validator_value > 1 else "至少要填写一项")(e, c),
    "maxItems": lambda e, c: _one(f"最多填写 {e.validator_value} 项")(e, c),
    "uniqueItems": lambda e, c: _one("列表中有重复的项")(e, c),
    "minimum": lambda e, c: _one(f"应不小于 {e.validator_value}，现在是 {shown(e.instance)}")(e, c),
    "maximum": lambda e, c: _one(f"应不大于 {e.validator_value}，现在是 {shown(e.instance)}")(e, c),
}


def explain(error, ctx: Context) -> Found:
    """The Chinese problems for one jsonschema error."""
    return MESSAGES.get(error.validator, _fallback)(error, ctx)
