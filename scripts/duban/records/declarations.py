"""The repository's declarations (``schemas/kinds.yaml``, ``schemas/settings.yaml``), loaded and checked
like records: strict YAML, a JSON Schema of their own (``records/meta/``), and located Chinese problems.

A broken declaration is an office's (or a developer's) mistake, not a crash: a
missing ``folder:`` or ``start:`` is reported with its file, line and field, and
every command that needs the declarations stops with that message.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema_rs

from duban.records.load import Loaded, load_file, read_regular
from duban.records.problems import Problem

_JSON = {  # json's messages, for the schema files' authors
    "Expecting value": "此处缺少值",
    "Expecting property name enclosed in double quotes": "字段名应加双引号（或多了一个逗号）",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string starting at": "字符串的引号没有闭合",
    "Invalid control character at": "字符串中有控制字符",
    "Invalid \\escape": "无效的转义字符（\\）",
}

KINDS_FILE = "kinds.yaml"
SETTINGS_FILE = "settings.yaml"
META = Path(__file__).resolve().parent / "meta"


class DeclarationError(Exception):
    """The declarations are broken; ``problems`` says where and how."""

    def __init__(self, problems: list[Problem]):
        super().__init__("；".join(f"{p.file}:{p.line}: {p.field}: {p.message}" for p in problems))
        self.problems = problems


@lru_cache(maxsize=None)
def meta_schema(name: str) -> dict:
    return json.loads((META / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _meta_validator(name: str):
    """The compiled check of a declaration file: whether the Python validator has anything to say."""
    return jsonschema_rs.validator_for(meta_schema(name))


def display_name(schemas_dir: Path, file: str) -> str:
    """How problems name a declaration file: ``schemas/kinds.yaml``."""
    return f"{schemas_dir.name}/{file}"


def load_declaration(schemas_dir: Path, file: str, meta: str, required: bool = True) -> tuple[Loaded, list[Problem]]:
    """Load one declaration file and check it against its meta-schema.

    A missing optional file gives empty data and no problem.
    """
    name = display_name(schemas_dir, file)
    path = schemas_dir / file
    if not path.is_file():
        if not required:
            return Loaded(name, {}), []
        return Loaded(name, None), [Problem(name, 1, 1, "-", f"找不到 {name}：仓库须在 schemas/ 中声明记录类别", "declaration")]
    from duban.records.validate.messages import (  # validate imports this module's users
        Context,
        Fields,
        explain,
    )

    loaded = load_file(path, name)
    problems = list(loaded.problems)
    if loaded.data is not None and not _meta_validator(meta).is_valid(loaded.data):
        # the Python validator's errors become the messages: imported only for a file that has some
        from jsonschema import Draft202012Validator

        schema = meta_schema(meta)
        ctx = Context(Fields(schema, {}))
        for error in Draft202012Validator(schema).iter_errors(loaded.data):
            code = f"declaration-{error.validator}"
            problems.extend(loaded.problem(p, m, code, key=k) for p, m, k in explain(error, ctx))
    return loaded, problems


def load_schema_file(path: Path, schemas_dir: Path) -> tuple[dict | None, Problem | None]:
    """A record kind's JSON Schema, or the located reason it cannot be read."""
    name = display_name(schemas_dir, path.name)
    data, why, _ = read_regular(path)
    if data is None:
        return None, Problem(name, 1, 1, "-", f"无法读取模式文件：{why}", "schema-file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, Problem(name, 1, 1, "-", "模式文件不是 UTF-8 编码", "schema-file")
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, Problem(name, exc.lineno, exc.colno, "-", f"模式文件不是有效的 JSON：{_JSON.get(exc.msg, '语法错误')}",
                             "schema-file")
    if not isinstance(schema, dict):
        return None, Problem(name, 1, 1, "-", "模式文件的顶层应为对象", "schema-file")
    return schema, None
