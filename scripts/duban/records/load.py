"""Strict YAML loading: bytes in, plain data plus problems out.

This module knows YAML, not duban. It

* decodes UTF-8 only (a BOM and CRLF are fine) and says where decoding failed;
* parses with libyaml's C parser (``yaml.cyaml``), refusing to run without it;
* resolves only YAML 1.2 core scalars that are safe for editors: decimal
  integers without leading zeros, ``true``/``false``, ``null``/``~``.
  ``yes``, ``NO``, ``on``, ``0755``, ``1:30`` and ``2.10`` stay strings.
  Unquoted dates (``2023-12-31``) are checked to exist and kept as ISO strings;
* refuses duplicate keys (naming both lines), anchors and aliases, tab
  indentation, empty files, a top level that is not a mapping, files over 1 MiB.

Line numbers come from the node tree, which is only walked when a problem
needs a location; the clean path builds the data and throws the tree away.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from duban.records.problems import Problem, field_name

try:  # a silent fallback to the pure-Python parser would be ~7x slower
    from yaml.cyaml import CParser
except ImportError as exc:  # pragma: no cover - depends on the PyYAML build
    raise ImportError(
        "duban 需要带 libyaml C 扩展的 PyYAML（yaml.cyaml.CParser 不可用）。"
        "请安装 libyaml 后重新安装 PyYAML：pip install --force-reinstall --no-binary pyyaml pyyaml"
    ) from exc

MAX_BYTES = 1024 * 1024

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
DATE = "tag:yaml.org,2002:timestamp"
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"


class _Resolver(yaml.resolver.BaseResolver):
    """Implicit typing limited to what the schemas need; everything else is a string."""


_Resolver.add_implicit_resolver(BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(DATE, re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), list("0123456789"))


_PLAIN = re.compile(
    r"(?:(?P<bool>true|True|TRUE|false|False|FALSE)|(?P<int>[-+]?(?:0|[1-9][0-9]*))"
    r"|(?P<null>~|null|Null|NULL)|(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2}))"
)
_PLAIN_TAGS = {"bool": BOOL, "int": INT, "null": NULL, "date": DATE}


class _Parser(CParser, _Resolver):
    """libyaml's parser with the resolver above, in one regex (it runs for every scalar)."""

    def __init__(self, stream):
        CParser.__init__(self, stream)
        _Resolver.__init__(self)

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            if implicit[0]:
                if value == "":
                    return NULL
                m = _PLAIN.fullmatch(value)
                if m:
                    return _PLAIN_TAGS[m.lastgroup]
            return STR
        return SEQ if kind is SequenceNode else MAP

    def descend_resolver(self, current_node, current_index):  # no path resolvers: skip the bookkeeping
        pass

    def ascend_resolver(self):
        pass


@dataclass
class Loaded:
    """One file's outcome: its data (None when it could not be read) and its problems.

    ``node`` is the YAML node tree, kept only while the file is being checked so
    that problems can be located; ``release()`` drops it.
    """

    file: str
    data: dict | None
    problems: list[Problem] = field(default_factory=list)
    node: Any = None

    def where(self, path, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at ``path`` (or of its key when ``key``).

        Falls back to the deepest existing ancestor, then to the file's start.
        """
        return locate(self.node, path, key=key)

    def problem(self, path, message: str, code: str, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, field_name(path), message, code)

    def release(self) -> None:
        self.node = None


def locate(node, path, key: bool = False) -> tuple[int, int]:
    if node is None:
        return 1, 1
    mark = node.start_mark
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == part:
                    if last and key:
                        return k.start_mark.line + 1, k.start_mark.column + 1
                    node, mark = v, v.start_mark
                    break
            else:
                return mark.line + 1, mark.column + 1
        elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


_YAML_MESSAGES = [
    ("found character '\\t' that cannot start any token", "出现制表符（Tab）；YAML 只能用空格缩进"),
    ("mapping values are not allowed", "此处不能出现“: ”：冒号后的内容如含冒号，请整体加引号"),
    ("could not find expected ':'", "缺少“:”，或上一行的引号没有闭合"),
    ("did not find expected key", "缩进不一致，或缺少“:”"),
    ("did not find expected '-' indicator", "列表项缩进不一致"),
    ("found unexpected end of stream", "文件意外结束：可能有引号或括号没有闭合"),
    ("expected a single document", "一个文件只能有一条记录（出现了多个 --- 文档）"),
    ("found undefined alias", "不允许使用锚点和别名（& 和 *）"),
    ("found unknown escape character", "双引号内有无效的转义字符（\\）；如需反斜杠请用单引号"),
    ("found character that cannot start any token", "出现不能作为内容开头的字符（如 @ 或 `），请给该值加引号"),
    ("while parsing a flow", "方括号或花括号没有闭合"),
    ("found unacceptable character", "文件含有不允许的控制字符"),
]


def _yaml_message(exc: yaml.YAMLError) -> str:
    text = str(exc)
    for needle, message in _YAML_MESSAGES:
        if needle in text:
            return message
    problem = getattr(exc, "problem", None) or text.splitlines()[0]
    return f"YAML 语法错误：{problem}"


def _context_hint(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.context_mark
    if mark is not None and exc.problem_mark is not None and mark.line != exc.problem_mark.line:
        return f"（从第 {mark.line + 1} 行开始的内容）"
    return ""


def _decode(data: bytes, file: str) -> tuple[str | None, Problem | None]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, Problem(file, 1, 1, "-", "文件是 UTF-16 编码；请另存为 UTF-8 编码", "encoding")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        hint = ""
        try:
            data.decode("gbk")
            hint = "，看起来是 GBK（简体中文 Windows 默认）编码"
        except UnicodeDecodeError:
            pass
        message = f"文件不是 UTF-8 编码{hint}；请用“另存为 UTF-8”重新保存"
        return None, Problem(file, line, column, "-", message, "encoding")


def _tab_problem(text: str, file: str) -> Problem | None:
    for number, line in enumerate(text.splitlines(), 1):
        rest = line.lstrip(" ")
        if rest.startswith("\t"):
            column = len(line) - len(rest) + 1
            return Problem(file, number, column, "-", "用制表符（Tab）缩进；YAML 只能用空格缩进", "tab")
    return None


def _anchor_problem(text: str, file: str) -> Problem | None:
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            return Problem(file, mark.line + 1, mark.column + 1, "-", "不允许使用锚点和别名（& 和 *）：请把内容直接写出", "anchor")
    return None


class _Builder:
    """Turns a node tree into plain data, collecting located problems."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def _add(self, node, path, message, code):
        mark = node.start_mark
        self.problems.append(Problem(self.file, mark.line + 1, mark.column + 1, field_name(path), message, code))

    def build(self, node, path=()):
        if isinstance(node, ScalarNode):
            tag = node.tag
            value = node.value
            if tag == STR:
                return value
            if tag == DATE:
                try:
                    _dt.date.fromisoformat(value)
                except ValueError:
                    self._add(node, path, f"日期 {value} 不存在，请检查年、月、日", "date")
                return value
            if tag == INT:
                return int(value)
            if tag == NULL:
                return None
            if tag == BOOL:
                return value.lower() == "true"
            self._add(node, path, f"不支持的 YAML 标签 {tag}；请去掉以 ! 开头的标签", "tag")
            return value
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self._add(key_node, path, "字段名必须是简单的文字", "key")
                    continue
                key = key_node.value
                if key in out:
                    self._add(
                        key_node,
                        path + (key,),
                        f"字段“{key}”重复出现：第 {lines[key]} 行和第 {key_node.start_mark.line + 1} 行；请只保留一个",
                        "duplicate-key",
                    )
                    continue
                lines[key] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        self._add(node, path, "无法识别的 YAML 内容", "yaml")  # pragma: no cover
        return None


def load_bytes(data: bytes, file: str, keep_node: bool = True) -> Loaded:
    """Load one record from bytes. ``file`` is the name used in problems."""
    if len(data) > MAX_BYTES:
        return Loaded(file, None, [Problem(file, 1, 1, "-", f"文件过大（{len(data) // 1024} KiB），单条记录不得超过 1 MiB", "size")])
    text, problem = _decode(data, file)
    if problem:
        return Loaded(file, None, [problem])
    if "\t" in text:
        problem = _tab_problem(text, file)
        if problem:
            return Loaded(file, None, [problem])
    if "&" in text or "*" in text:
        try:
            problem = _anchor_problem(text, file)
        except yaml.YAMLError:
            problem = None  # the parse below reports the syntax error
        if problem:
            return Loaded(file, None, [problem])
    try:
        node = _Parser(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Loaded(file, None, [Problem(file, line, col, "-", _yaml_message(exc) + _context_hint(exc), "yaml")])
    except yaml.YAMLError as exc:
        return Loaded(file, None, [Problem(file, 1, 1, "-", _yaml_message(exc), "yaml")])
    if node is None:
        return Loaded(file, None, [Problem(file, 1, 1, "-", "文件为空：一个文件应包含一条记录", "empty")])
    if not isinstance(node, MappingNode):
        mark = node.start_mark
        what = "列表" if isinstance(node, SequenceNode) else "单个值"
        message = f"文件顶层是{what}；记录应由“字段: 值”组成"
        return Loaded(file, None, [Problem(file, mark.line + 1, mark.column + 1, "-", message, "top-level")])
    builder = _Builder(file)
    data_out = builder.build(node)
    return Loaded(file, data_out, builder.problems, node if keep_node else None)


def load_file(path: Path | str, file: str | None = None) -> Loaded:
    """Load one record file; never raises for bad content."""
    path = Path(path)
    file = file if file is not None else str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Loaded(file, None, [Problem(file, 1, 1, "-", f"文件过大（{size // 1024} KiB），单条记录不得超过 1 MiB", "size")])
        data = path.read_bytes()
    except OSError as exc:
        return Loaded(file, None, [Problem(file, 1, 1, "-", f"无法读取文件：{exc.strerror or exc}", "io")])
    return load_bytes(data, file)


def digest(root: Path) -> str:
    """A hash of the repository's inputs (every record file and everything in ``schemas/``), names and
    bytes: a cache key for what they produce."""
    from duban.records.validate.discover import SCHEMAS, record_files

    h = hashlib.sha256()
    for path in sorted(record_files(root)) + sorted(p for p in (root / SCHEMAS).glob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()
