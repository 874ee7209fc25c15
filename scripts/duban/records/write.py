"""The canonical record writer: data → the one YAML text duban writes for a record.

Every path that writes records (Excel import, the CLI editors, the intake of issue forms, ``duban fmt``,
the demo generator) goes through here, so the same record always has the same bytes:

* keys in the order of the kind's JSON Schema ``properties`` (nested objects too, through ``$ref``);
  keys the schema does not name follow in the order they came;
* block style, two spaces, list items indented under their key (``  - item``); ``{}`` / ``[]`` only
  for an empty value;
* dates as unquoted ISO dates (``2024-03-31``); integers and ``true``/``false`` as they are;
* a string plain when every common YAML reader reads it back as the same string, otherwise in double
  quotes (``"2.1"``, ``"yes"``, ``"@org/team"``, ``"0755"``); text with line breaks as a literal block
  (``|``, ``|-``, ``|+``);
* comments: a header block at the top, comments on their own line before the entry they precede, and
  end-of-line comments (``records/comments.py`` finds them in an existing file).

The writer checks its own output: the strict loader (``records/load.py``) must read back exactly the
data it was given, or :class:`WriteError` is raised and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin

from duban import atomic
from duban.records.comments import Comments, find_comments
from duban.records.kinds import Kind, Registry
from duban.records.load import load_bytes
from duban.records.problems import Problem


class WriteError(ValueError):
    """Data the canonical form cannot hold (a float, a time of day, a non-text key), or output the strict
    loader would read differently: a programming error, never an editor's."""


# ---------------------------------------------------------------- key order from the schema

Order = dict  # field -> Order of its value (for a list: of its items); {} when nothing is known


def resolve_schema(schema: dict, base: str, schemas: dict[str, dict]) -> tuple[dict, str]:
    """Follow ``$ref`` (relative to ``base``, the schema's ``$id``) to the schema it names."""
    seen = 0
    while "$ref" in schema and seen < 20:
        target = urljoin(base, schema["$ref"])
        doc, _, pointer = target.partition("#")
        node = schemas.get(doc, {})
        for part in [p for p in pointer.split("/") if p]:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        schema, base, seen = {**node, **merged}, doc, seen + 1
    return schema, base


def schema_order(schema: dict, schemas: dict[str, dict], base: str | None = None) -> Order:
    """The nested key order a schema declares."""
    base = base if base is not None else schema.get("$id", "")
    schema, base = resolve_schema(schema, base, schemas)
    if schema.get("type") == "array" or "items" in schema:
        items = schema.get("items")
        return schema_order(items, schemas, base) if isinstance(items, dict) else {}
    out: Order = {}
    for name, prop in (schema.get("properties") or {}).items():
        out[name] = schema_order(prop, schemas, base) if isinstance(prop, dict) else {}
    return out


_ORDERS: dict[tuple[int, str], Order] = {}


def kind_order(kind: Kind, registry: Registry) -> Order:
    key = (id(registry), kind.name)
    if key not in _ORDERS:
        _ORDERS[key] = schema_order(kind.schema, registry.schemas)
    return _ORDERS[key]


def _ordered(data: dict, order: Order) -> list[str]:
    known = [k for k in order if k in data]
    return known + [k for k in data if k not in order]


# ---------------------------------------------------------------- scalars

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# what some YAML reader (1.1 or 1.2, the strict loader included) would read as something other than text
_SPECIAL = re.compile(
    r"""(?x)
    y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    |~|null|Null|NULL|<<|=
    |[-+]?\.?[0-9][0-9a-zA-Z_.:+-]*                      # numbers of every base, 1:30, 2.10, 1e3, timestamps
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    """
)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_BREAKS = frozenset("\r\x85\u2028\u2029")  # line breaks to YAML 1.1 besides \n
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r",
    "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
    "\ufeff": "\\uFEFF",
}


def _printable(ch: str) -> bool:
    o = ord(ch)
    return ((0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000)
            and o not in (0xFEFF, 0x2028, 0x2029))


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip(" ") or text[0] in _INDICATORS or text.startswith(("...", "---")):
        return False
    if _DATE.fullmatch(text):
        try:
            dt.date.fromisoformat(text)
            return True  # a date stays a date: unquoted ISO
        except ValueError:
            return False
    if _SPECIAL.fullmatch(text) or text.endswith(":") or ": " in text or " #" in text:
        return False
    return all(_printable(ch) for ch in text)


def quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            o = ord(ch)
            out.append(f"\\x{o:02X}" if o < 0x100 else f"\\u{o:04X}" if o < 0x10000 else f"\\U{o:08X}")
    return '"' + "".join(out) + '"'


def _literal(text: str) -> tuple[str, list[str]] | None:
    """A literal block's indicator and lines, or None when the text cannot be one."""
    if "\n" not in text or not text.strip() or any(ch in _BREAKS for ch in text):
        return None
    if not all(_printable(ch) or ch in "\n\t" for ch in text):
        return None
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines = body.split("\n") + [""] * (trailing - 1 if trailing > 1 else 0)
    first = next(line for line in lines if line.strip())
    if first.startswith(" ") or lines[0].startswith(" ") or any(line.lstrip(" ").startswith("\t") for line in lines):
        return None  # would need an indentation indicator, or reads as tab indentation
    if any(line and not line.strip() for line in lines[: lines.index(first)]):
        return None  # spaces-only lines before the first text
    return "|" + chomp, lines


def scalar(value) -> str:
    """The inline form of a single-line value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        raise WriteError(f"记录中不能写入时刻：{value!r}")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value if _plain_ok(value) else quoted(value)
    raise WriteError(f"记录中不能写入 {type(value).__name__} 类型的值：{value!r}")


def _key(key) -> str:
    if not isinstance(key, str):
        raise WriteError(f"字段名必须是文字：{key!r}")
    return key if _plain_ok(key) and not _DATE.fullmatch(key) else quoted(key)


# ---------------------------------------------------------------- the emitter


@dataclass
class _Emitter:
    comments: Comments
    lines: list[str] = field(default_factory=list)

    def _before(self, path: tuple, indent: int) -> None:
        for text in self.comments.before.get(path, ()):
            self.lines.append(" " * indent + text)

    def _eol(self, *paths: tuple) -> str:
        found = [self.comments.eol[p] for p in paths if p in self.comments.eol]
        return ("  " + " ".join(found)) if found else ""

    def mapping(self, data: dict, order: Order, indent: int, path: tuple, dash: str | None = None) -> None:
        for n, key in enumerate(_ordered(data, order)):
            at = path + (key,)
            first = n == 0 and dash is not None
            self._before(at, indent)
            lead = dash if first else " " * indent
            eol = (path, at) if first else (at,)
            self.value(lead + _key(key) + ":", data[key], order.get(key, {}), indent, at, eol)

    def sequence(self, items: list, order: Order, indent: int, path: tuple, dash: str | None = None) -> None:
        for i, item in enumerate(items):
            at = path + (i,)
            self._before(at, indent)
            lead = dash if (i == 0 and dash is not None) else " " * indent
            if isinstance(item, dict) and item:
                self.mapping(item, order, indent + 2, at, dash=lead + "- ")
            elif isinstance(item, list) and item:
                self.sequence(item, order, indent + 2, at, dash=lead + "- ")
            else:
                self.value(lead + "-", item, order, indent, at, (at,))

    def value(self, prefix: str, value, order: Order, indent: int, path: tuple, eol_paths: tuple) -> None:
        eol = self._eol(*eol_paths)
        if isinstance(value, dict):
            if not value:
                self.lines.append(f"{prefix} {{}}{eol}")
                return
            self.lines.append(prefix + eol)
            self.mapping(value, order, indent + 2, path)
        elif isinstance(value, list):
            if not value:
                self.lines.append(f"{prefix} []{eol}")
                return
            self.lines.append(prefix + eol)
            self.sequence(value, order, indent + 2, path)
        elif isinstance(value, str) and (block := _literal(value)) is not None:
            indicator, body = block
            self.lines.append(f"{prefix} {indicator}{eol}")
            pad = " " * (indent + 2)
            self.lines.extend(pad + line if line else "" for line in body)
        else:
            self.lines.append(f"{prefix} {scalar(value)}{eol}")


def _plain_data(value):
    """The data as the strict loader returns it: dates as ISO text."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def header_comment(text: str) -> list[str]:
    """Comment lines (``# …``) for a header text of one or more lines."""
    return [("# " + line).rstrip() for line in text.splitlines()] if text else []


def dump(data: dict, order: Order | None = None, comments: Comments | None = None, check: bool = True) -> str:
    """The canonical text of one record. ``comments`` (header, before, end-of-line, footer) are placed
    with the entries they belong to; comments of entries the data no longer has move up to the nearest
    entry it still has, so none is lost."""
    if not isinstance(data, dict) or not data:
        raise WriteError("一条记录应由至少一个“字段: 值”组成")
    comments = (comments or Comments()).fitted(data)
    emitter = _Emitter(comments)
    emitter.lines.extend(comments.header)
    emitter.mapping(data, order or {}, 0, ())
    emitter.lines.extend(comments.footer)
    text = "\n".join(emitter.lines) + "\n"
    if check:
        loaded = load_bytes(text.encode("utf-8"), "<canonical>", keep_node=False)
        if loaded.problems or loaded.data != _plain_data(data):
            detail = "；".join(p.message for p in loaded.problems) or "读回的数据不同"
            raise WriteError(f"规范格式无法无损表示这条记录：{detail}")
    return text


def record_text(kind: Kind, registry: Registry, data: dict, header: str = "") -> str:
    """The canonical text of a new record of ``kind``, with a header comment."""
    return dump(data, kind_order(kind, registry), Comments(header=header_comment(header)))


# ---------------------------------------------------------------- existing files


@dataclass
class Reformatted:
    """One file in canonical form: ``text`` (None when the file was refused), whether it changes, and the
    located problems that stopped it."""

    file: str
    text: str | None
    changed: bool
    problems: list[Problem] = field(default_factory=list)


def reformat(raw: bytes, file: str, kind: Kind | None, registry: Registry, data: dict | None = None,
             header: Callable[[dict], str] | None = None, revise: Callable[[dict], dict] | None = None) -> Reformatted:
    """An existing record's bytes in canonical form, keeping its comments. With ``data``, the record's new
    content replaces the old while its comments stay where they belong (what the editors use to change
    a record a person may have annotated). ``header`` gives the header comment of a file that has none
    (one the CMS wrote); ``revise`` gives the content as duban's writers store it (an update's ``period``);
    comments of an entry it drops move to the nearest entry left. A file the strict loader refuses is not
    touched."""
    loaded = load_bytes(raw, file)
    if loaded.problems or loaded.data is None:
        return Reformatted(file, None, False, list(loaded.problems))
    comments = find_comments(raw.decode("utf-8-sig"), loaded.tree())
    content = loaded.data if data is None else data
    if revise is not None and isinstance(content, dict):
        content = revise(content)
    if header is not None and not comments.header and isinstance(content, dict):
        comments.header = header_comment(header(content))
    order = kind_order(kind, registry) if kind is not None else {}
    text = dump(content, order, comments)
    return Reformatted(file, text, text.encode("utf-8") != raw)


def read_record(path: Path) -> bytes:
    return Path(path).read_bytes()


def reformat_file(path: Path, file: str, kind: Kind | None, registry: Registry, data: dict | None = None,
                  header: Callable[[dict], str] | None = None,
                  revise: Callable[[dict], dict] | None = None) -> Reformatted:
    try:
        raw = read_record(path)
    except OSError as exc:
        return Reformatted(file, None, False, [Problem(file, 1, 1, "-", f"无法读取文件：{exc.strerror or exc}", "io")])
    return reformat(raw, file, kind, registry, data, header, revise)


def write_record(path: Path, text: str) -> Path:
    """Write a record's canonical text atomically (temporary file, then rename)."""
    return atomic.write_text(path, text)
