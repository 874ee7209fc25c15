"""One kind's records against its JSON Schema, with errors worded in Chinese (``messages``).

The clean path asks jsonschema-rs (compiled, about 100 times faster) whether a
record is valid; only an invalid record goes through the Python ``jsonschema``
validator, whose detailed errors become the Chinese messages.

Both must agree on what a pattern means. The schemas' patterns are ECMA-262
regular expressions (jsonschema-rs and the CMS's JavaScript read them): ``$`` is
the end of the text. Python's ``$`` also matches before a final line break, so the
Python validator here reads ``$`` as ``\\Z`` (the schemas are not changed). Should
the two still disagree, the record is refused with a located problem, never let through.
"""

from __future__ import annotations

import re
from functools import lru_cache

import jsonschema_rs

from duban.records.kinds import Kind, Registry
from duban.records.load import Loaded
from duban.records.problems import Problem, field_name
from duban.records.validate.messages import Context, Fields, explain


@lru_cache(maxsize=None)
def ecma_pattern(pattern: str) -> re.Pattern:
    """An ECMA-262 pattern compiled for Python with ECMA's meaning of ``$`` (the very end of the text)."""
    out, in_class, escaped = [], False, False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif in_class:
            out.append(ch)
            in_class = ch != "]"
        elif ch == "[":
            out.append(ch)
            in_class = True
        elif ch == "$":
            out.append(r"\Z")
        else:
            out.append(ch)
    return re.compile("".join(out))


@lru_cache(maxsize=None)
def python_validator():
    """The Python ``jsonschema`` validator class with ECMA's ``$``: imported only when a record is invalid (or a
    caller asks): a clean run never needs it, and its import takes about 40 ms of every start."""
    from jsonschema import Draft202012Validator, ValidationError
    from jsonschema.validators import extend

    def pattern(validator, pattern, instance, schema):
        if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    return extend(Draft202012Validator, {"pattern": pattern})


class SchemaChecker:
    def __init__(self, kind: Kind, registry: Registry):
        self.kind = kind
        self.registry = registry
        self.context = Context(Fields(kind.schema, registry.schemas))
        self.fast = jsonschema_rs.validator_for(
            kind.schema, registry=jsonschema_rs.Registry(list(registry.schemas.items())), validate_formats=True)
        self._validator = None

    @property
    def validator(self):
        """The Python validator, whose detailed errors become the messages (built when first needed)."""
        if self._validator is None:
            from jsonschema import FormatChecker
            from referencing import Registry as RefRegistry
            from referencing import Resource

            resources = [(uri, Resource.from_contents(s)) for uri, s in self.registry.schemas.items()]
            self._validator = python_validator()(self.kind.schema, registry=RefRegistry().with_resources(resources),
                                                 format_checker=FormatChecker())
        return self._validator

    def problems(self, loaded: Loaded, limit: int | None = None) -> tuple[list[Problem], int]:
        """The record's schema problems, at most ``limit`` of them (the first by position), and how many more."""
        if self.fast.is_valid(loaded.data):
            return [], 0
        found = []  # (line, column, path, message, code): cheap; a Problem is made only for what is listed
        for error in self.validator.iter_errors(loaded.data):
            code = f"schema-{error.validator}"
            for path, message, key in explain(error, self.context):
                found.append((*loaded.where(path, key=key), path, message, code))
        if limit is not None and len(found) > limit:
            found.sort(key=lambda f: (f[0], f[1]))
        listed = found if limit is None else found[:limit]
        out = [Problem(loaded.file, line, col, field_name(path), message, code) for line, col, path, message, code in listed]
        if not out:  # the validators disagree: refuse where jsonschema-rs points, in Chinese
            for error in self.fast.iter_errors(loaded.data):
                path = tuple(error.instance_path)
                out.append(loaded.problem(path, f"不符合{self.kind.label}记录的格式要求（{self.context.fields.title(path)}）",
                                          "schema-disagree"))
                break
        return out, len(found) - len(listed)
