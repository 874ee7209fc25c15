"""Walk a kind's JSON Schema for the fields an editor can fill with text, and set one in a record.

Used by the guarantees that hold for *every* text field (no invisible characters) and for
every field that could become a path, so that a field added to a schema tomorrow is covered
without anyone remembering to add a test.
"""

from __future__ import annotations

import copy
from typing import Any, Iterator


def _resolve(schema: dict, schemas: dict[str, dict], home: dict) -> dict:
    ref = schema.get("$ref")
    if not ref:
        return schema
    base, _, pointer = ref.partition("#")
    target = home if not base else next(s for uri, s in schemas.items() if uri == base or uri.endswith("/" + base))
    for part in pointer.strip("/").split("/") if pointer else []:
        target = target[part]
    merged = dict(_resolve(target, schemas, target if base else home))
    merged.update({k: v for k, v in schema.items() if k != "$ref"})
    return merged


def _types(schema: dict) -> set[str]:
    t = schema.get("type")
    return set(t) if isinstance(t, list) else {t} if t else set()


def text_fields(schema: dict, schemas: dict[str, dict]) -> Iterator[tuple[tuple, dict]]:
    """(path, field schema) of every field that may hold text: ``*`` stands for a list item, ``?`` for any map key."""
    stack: list[tuple[tuple, dict]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        node = _resolve(node, schemas, schema)
        types = _types(node)
        if "string" in types:
            yield path, node
        for name, sub in node.get("properties", {}).items():
            stack.append((path + (name,), sub))
        if isinstance(node.get("items"), dict):
            stack.append((path + ("*",), node["items"]))
        if isinstance(node.get("additionalProperties"), dict):
            stack.append((path + ("?",), node["additionalProperties"]))


def concrete(path: tuple) -> tuple:
    """The path as it is set by :func:`with_value`: the first list item, a map key named ``x``."""
    return tuple(0 if p == "*" else "x" if p == "?" else p for p in path)


def with_value(data: dict, path: tuple, value: Any) -> dict:
    """A copy of ``data`` with ``value`` at ``path``, creating what is missing on the way."""
    out = copy.deepcopy(data)
    node: Any = out
    parts = concrete(path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt = {} if not last and not isinstance(parts[i + 1], int) else []
        if isinstance(part, int):
            if not isinstance(node, list) or not node:
                raise ValueError(path)
            if last:
                node[0] = value
            else:
                if not isinstance(node[0], (dict, list)):
                    node[0] = nxt if not isinstance(nxt, list) else [None]
                node = node[0]
        else:
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if isinstance(parts[i + 1], int):
                    if not isinstance(child, list) or not child:
                        child = node[part] = [{} if i + 2 < len(parts) else None]
                elif not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return out
