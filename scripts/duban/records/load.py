"""Strict YAML loading: bytes in, plain data plus problems out.

This module knows YAML, not duban. It

* reads regular files only: a symbolic link, a FIFO, a device or a socket is refused
  from ``lstat`` without being opened, and a file is read through a descriptor opened
  with ``O_NOFOLLOW | O_NONBLOCK`` and never past the size limit;
* decodes UTF-8 only (a BOM and CRLF are fine) and says where decoding failed, naming
  GBK, UTF-16 and UTF-32 when it sees them;
* parses with libyaml's C parser (``yaml.cyaml``), refusing to run without it;
* resolves only YAML 1.2 core scalars that are safe for editors: decimal
  integers without leading zeros, ``true``/``false``, ``null``/``~``.
  ``yes``, ``NO``, ``on``, ``0755``, ``1:30`` and ``2.10`` stay strings.
  Unquoted dates (``2023-12-31``) are checked to exist and kept as ISO strings;
* refuses duplicate keys (naming both lines), anchors and aliases, tab
  indentation, merge-conflict markers, empty files, a top level that is not a
  mapping, nesting deeper than ``MAX_DEPTH``, keys over 1,024 characters, files
  over 1 MiB, and control or invisible characters anywhere (``records.text``).

Every message is Chinese. A clean file is read by ``records.fastyaml`` when that
is certain to give the same data; any other goes through libyaml. Line numbers
come from libyaml's node tree, built and indexed only when a problem needs one.
"""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from duban.records.fastyaml import SHORT
from duban.records.fastyaml import read as fast_read
from duban.records.problems import MAX_PER_FILE, Problem, field_name
from duban.records.syntax import (
    MAX_DEPTH,
    MAX_KEY,
    conflict_problem,
    context_hint,
    decode,
    forbidden_raw,
    not_regular,
    os_error_text,
    tab_problem,
    yaml_message,
)
from duban.records.text import FORBIDDEN, forbidden_message, has_forbidden

try:  # a silent fallback to the pure-Python parser would be ~7x slower
    from yaml.cyaml import CParser
except ImportError as exc:  # pragma: no cover - depends on the PyYAML build
    raise ImportError(
        "duban 需要带 libyaml C 扩展的 PyYAML（yaml.cyaml.CParser 不可用）。"
        "请安装 libyaml 后重新安装 PyYAML：pip install --force-reinstall --no-binary pyyaml pyyaml"
    ) from exc

MAX_BYTES = 1024 * 1024

STR, INT, BOOL, NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
DATE, MAP, SEQ = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


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
    that problems can be located; ``release()`` drops it. A file read by the fast
    path keeps its ``text`` instead, and ``tree()`` parses it when a location is needed.
    """

    file: str
    data: dict | None
    problems: list[Problem] = field(default_factory=list)
    node: Any = None
    more: int = 0  # problems found beyond those listed (a file with thousands of duplicate keys)
    text: str | None = field(default=None, repr=False)  # the decoded text, when no node tree was built
    digits: bool = True  # False: the fast reading saw nothing that may hold a personal number (privacy.may_hold)
    _index: dict | None = field(default=None, repr=False)

    def tree(self):
        """The node tree (parsed from ``text`` on first use), or None."""
        if self.node is None and self.text is not None:
            try:
                self.node = _Parser(self.text).get_single_node()
            except yaml.YAMLError:  # pragma: no cover - both parsers accepted it when it was loaded
                pass
            self.text = None
        return self.node

    def where(self, path, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at ``path`` (or of its key when ``key``).

        Falls back to the deepest existing ancestor, then to the file's start. The
        first call indexes every position of the tree, so each look-up is constant time.
        """
        if self.tree() is None:
            return 1, 1
        if self._index is None:
            self._index = _positions(self.node)
        path = tuple(path)
        found = self._index.get(path)
        if found is not None:
            return found[1] if key and path else found[0]
        while path:
            path = path[:-1]
            found = self._index.get(path)
            if found is not None:
                return found[0]
        return self._index[()][0]  # pragma: no cover - the root is always indexed

    def problem(self, path, message: str, code: str, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, field_name(path), message, code)

    def release(self) -> None:
        self.node = None
        self.text = None
        self._index = None


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _positions(root) -> dict[tuple, tuple[tuple[int, int], tuple[int, int]]]:
    """Every path of the tree -> (position of its value, position of its key); the first of duplicate keys wins."""
    out = {(): (_mark(root), _mark(root))}
    stack = [((), root)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode):
                    sub = path + (k.value,)
                    if sub not in out:
                        out[sub] = (_mark(v), _mark(k))
                        stack.append((sub, v))
        elif isinstance(node, SequenceNode):
            for i, v in enumerate(node.value):
                out[path + (i,)] = (_mark(v), _mark(v))
                stack.append((path + (i,), v))
    return out


def locate(node, path, key: bool = False) -> tuple[int, int]:
    """Line and column of ``path`` in a node tree (see :meth:`Loaded.where`)."""
    return Loaded("", None, node=node).where(path, key=key)


def _anchor_problem(text: str, file: str) -> Problem | None:
    for event in yaml.parse(text, Loader=_Parser):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            return Problem(file, mark.line + 1, mark.column + 1, "-", "不允许使用锚点和别名（& 和 *）：请把内容直接写出", "anchor")
    return None


# Field names, dates, units, states and other short values repeat in every record: one object each (a worker's
# results, pickled together, keep them shared) instead of one per file saves about a fifth of the model's memory
_intern = sys.intern


class _Builder:
    """Turns a node tree into plain data, collecting located problems."""

    def __init__(self, file: str, check_chars: bool):
        self.file = file
        self.check_chars = check_chars
        self.problems: list[Problem] = []
        self.more = 0  # problems beyond MAX_PER_FILE: counted, not made

    def _add(self, node, path, message, code):
        if len(self.problems) >= MAX_PER_FILE:
            self.more += 1
            return
        line, col = _mark(node)
        self.problems.append(Problem(self.file, line, col, field_name(path), message, code))

    def _text(self, node, path, value: str) -> None:
        if self.check_chars and FORBIDDEN.search(value):
            self._add(node, path, forbidden_message(value), "char")

    def build(self, node, path=()):
        if len(path) > MAX_DEPTH:
            self._add(node, path[:2] + ("…",), f"嵌套层数过多（超过 {MAX_DEPTH} 层）；记录的字段不会嵌套这么深", "depth")
            return None
        if isinstance(node, ScalarNode):
            tag = node.tag
            value = node.value
            if tag == STR:
                self._text(node, path, value)
                return _intern(value) if len(value) <= SHORT else value
            if tag == DATE:
                try:
                    _dt.date.fromisoformat(value)
                except ValueError:
                    self._add(node, path, f"日期 {value} 不存在，请检查年、月、日", "date")
                return _intern(value)
            if tag == INT:
                return int(value)
            if tag == NULL:
                return None
            if tag == BOOL:
                return value.lower() == "true"
            self._add(node, path, "不支持 YAML 标签（以 ! 开头）；请去掉标签，如内容以 ! 开头请加引号", "tag")
            return value
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag not in (STR, INT, BOOL, NULL, DATE):
                    self._add(key_node, path, "字段名必须是简单的文字", "key")
                    continue
                key = key_node.value
                if len(key) > MAX_KEY:
                    self._add(key_node, path, f"字段名过长（{len(key)} 个字符，最多 {MAX_KEY} 个）", "key")
                    continue
                if self.check_chars and FORBIDDEN.search(key):
                    self._add(key_node, path, "字段名" + forbidden_message(key), "char")
                    continue
                if key in out:
                    self._add(
                        key_node,
                        path + (key,),
                        f"字段“{key}”重复出现：第 {lines[key]} 行和第 {key_node.start_mark.line + 1} 行；请只保留一个",
                        "duplicate-key",
                    )
                    continue
                lines[key] = key_node.start_mark.line + 1
                out[_intern(key)] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        self._add(node, path, "无法识别的 YAML 内容", "yaml")  # pragma: no cover
        return None


def _refused(file: str, problem: Problem) -> Loaded:
    return Loaded(file, None, [problem])


def load_bytes(data: bytes, file: str, keep_node: bool = True) -> Loaded:
    """Load one record from bytes. ``file`` is the name used in problems."""
    if len(data) > MAX_BYTES:
        return _refused(file, Problem(file, 1, 1, "-", f"文件过大（{len(data) // 1024} KiB），单条记录不得超过 1 MiB", "size"))
    text, problem = decode(data, file)
    if problem:
        return _refused(file, problem)
    suspect = has_forbidden(text)  # every control character forbidden_raw names is one of these
    for check, needle in ((tab_problem, "\t"), (conflict_problem, "<<<<<<<"), (conflict_problem, ">>>>>>>"),
                          (forbidden_raw, "" if suspect else None)):
        if needle is not None and needle in text:
            problem = check(text, file)
            if problem:
                return _refused(file, problem)
    # escapes such as "\x01" only become characters when parsed: scalars are checked one by one (the slow way)
    check_chars = "\\" in text or suspect
    if not check_chars:
        fast = fast_read(text)
        if fast is not None:
            return Loaded(file, fast[0], text=text if keep_node else None, digits=fast[1])
    if "&" in text or "*" in text:
        try:
            problem = _anchor_problem(text, file)
        except yaml.YAMLError:
            problem = None  # the parse below reports the syntax error
        if problem:
            return _refused(file, problem)
    try:
        node = _Parser(text).get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return _refused(file, Problem(file, line, col, "-", yaml_message(exc, text) + context_hint(exc), "yaml"))
    except yaml.YAMLError as exc:
        return _refused(file, Problem(file, 1, 1, "-", yaml_message(exc, text), "yaml"))
    if node is None:
        return _refused(file, Problem(file, 1, 1, "-", "文件为空：一个文件应包含一条记录", "empty"))
    if not isinstance(node, MappingNode):
        line, col = _mark(node)
        what = "列表" if isinstance(node, SequenceNode) else "单个值"
        return _refused(file, Problem(file, line, col, "-", f"文件顶层是{what}；记录应由“字段: 值”组成", "top-level"))
    builder = _Builder(file, check_chars=check_chars)
    data_out = builder.build(node)
    return Loaded(file, data_out, builder.problems, node if keep_node else None, builder.more)


# ------------------------------------------------------------------------------------------ files

def read_regular(path: Path | str, limit: int = MAX_BYTES, st: os.stat_result | None = None) -> tuple[bytes | None, str | None, str]:
    """The bytes of a regular file (at most ``limit`` + 1 of them), or the Chinese reason it is refused.

    Returns ``(data, reason, code)``. Symbolic links, FIFOs, devices and sockets are refused
    from ``lstat`` and never opened; the descriptor is opened without following links and
    without blocking, and checked again with ``fstat``. ``st``: the ``lstat`` the caller has just taken.
    """
    try:
        st = st or os.lstat(path)
    except OSError as exc:
        return None, *os_refusal(exc)
    return read_opened(path, limit, st)[:3]


def read_opened(path: Path | str, limit: int = MAX_BYTES, st: os.stat_result | None = None
                ) -> tuple[bytes | None, str | None, str, os.stat_result | None]:
    """``read_regular``'s answer and the descriptor's status (None when it was not opened).

    ``st`` None: the caller knows the entry is a regular file from the directory listing (its type
    there costs no call), so no ``lstat`` comes first; the descriptor's ``fstat`` still refuses
    anything else, as it does when the file was replaced between the ``lstat`` and the opening."""
    try:
        refused = _refusal(st, limit) if st is not None else None
        if refused:
            return None, *refused, None
        fd = os.open(path, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            refused = _refusal(st, limit)
            if refused:
                return None, *refused, st
            chunks, size = [], 0
            want = min(st.st_size + 1, limit + 1)  # one read for a file that does not grow meanwhile
            while size <= limit:
                asked = min(max(want - size, 1 << 16), limit + 1 - size)
                chunk = os.read(fd, asked)
                chunks.append(chunk)
                size += len(chunk)
                if len(chunk) < asked:  # a short read of a regular file is its end
                    break
            return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), None, "", st
        finally:
            os.close(fd)
    except OSError as exc:
        return None, *os_refusal(exc), None


def os_refusal(exc: OSError) -> tuple[str, str]:
    """Why a file could not be read, in Chinese, and the problem's code (a loop of links is not a regular file)."""
    return os_error_text(exc), "not-regular" if exc.errno == errno.ELOOP else "io"


def _refusal(st: os.stat_result, limit: int) -> tuple[str, str] | None:
    why = not_regular(st.st_mode)
    if why:
        return why, "not-regular"
    if st.st_size > limit:
        return f"文件过大（{st.st_size // 1024} KiB），单条记录不得超过 1 MiB", "size"
    return None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def load_file(path: Path | str, file: str | None = None) -> Loaded:
    """Load one record file; never raises for bad content and never opens anything but a regular file."""
    path = Path(path)
    file = file if file is not None else str(path)
    data, why, code = read_regular(path)
    if data is None:
        return _refused(file, Problem(file, 1, 1, "-", why if code != "io" else f"无法读取文件：{why}", code))
    return load_bytes(data, file)


def digest(root: Path) -> str:
    """A hash of the repository's inputs (every record file and everything in ``schemas/``), names and
    bytes: a cache key for what they produce. Only regular files are read."""
    from duban.records.validate.discover import SCHEMAS, record_files

    h = hashlib.sha256()
    for path in sorted(record_files(root)) + sorted(p for p in (root / SCHEMAS).glob("*") if p.is_file()):
        h.update(path.relative_to(root).as_posix().encode())
        data, why, _ = read_regular(path, limit=16 * MAX_BYTES)
        h.update(data if data is not None else why.encode())
    return h.hexdigest()
