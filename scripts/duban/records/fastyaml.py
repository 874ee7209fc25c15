"""The fast reading of a clean record: yaml-rs's data, taken only when it is certainly the strict loader's.

libyaml's parser builds a Python node object for every scalar and PyYAML resolves each one in Python: about
90 µs of a clean 440-byte record's load. yaml-rs (a Rust YAML parser) gives the plain data in about 10 µs, but
it resolves more than the strict loader's rules allow (``012``, ``0x1F``, ``1_000`` are integers there, ``2.10``
a float) and knows nothing of line numbers. So its answer is taken only when it is certainly the one the strict
loader would give; on any doubt ``read`` declines (returns None) and the file goes the slow way, which finds and
locates every problem. A clean file's data is the same either way (``tests/test_fastyaml.py`` compares both
over a corpus of mutated records). A problem found later, by the schema or the privacy scan, is located by
parsing the text again with libyaml, once, when it is reported.

``read(text)`` is called by ``records.load`` after the checks on the raw text (encoding, tabs, conflict
markers, control characters) and only for text with no backslash and no forbidden character.
"""

from __future__ import annotations

import datetime as _dt
import re
import sys

from duban.records.privacy import FEWEST, large, may_hold_text
from duban.records.syntax import MAX_DEPTH, MAX_KEY

_intern = sys.intern
SHORT = 16  # strings up to this length are interned: field names, dates, units and states repeat in every record

try:
    import yaml_rs as _yaml_rs
    _RS_OPTIONS = {"parse_datetime": False, "duplicate_key_policy": _yaml_rs.DuplicateKeyPolicy.Error}
except ImportError:  # pragma: no cover - yaml-rs is a dependency; without it every file goes the slow way
    _yaml_rs = None

# text the fast parser would read differently, or where the slow path must find and locate a problem: tabs,
# tags (!), directives (%), anchors and aliases (& *), escapes (\\), document markers, and flow collections
# ([a, b], {a: 1}: yaml-rs accepts some that libyaml rightly refuses). Declining too often only costs time.
_DOUBT = ("\t", "!", "%", "&", "*", "\\", "\n---", "\n...", "[", "{")
# integers in a form other than a plain decimal (a leading zero, 0x/0o/0b, an underscore): yaml-rs reads them as
# numbers, the strict rules as text. Only looked for when the fast reading holds an integer. Each pattern begins
# with a character, not a look behind, so the search skips ahead quickly.
_NOT_BEFORE = r"[0-9A-Za-z_.:\-]"  # a number with a leading zero counts when it does not follow one of these
_LEADING_ZERO = re.compile(rf"0(?<!{_NOT_BEFORE}0)[0-9bBoOxX]|[-+]0(?<!{_NOT_BEFORE}[-+]0)[0-9bBoOxX]")
_UNDERSCORE = re.compile(r"_(?:(?<=[0-9]_)|[0-9])")  # an underscore next to a digit
# a scalar begins the text or follows a space or a line break (tabs, flow collections and "---" are declined):
# without one of these before a 0, no scalar of the text begins with 0 (or a sign and 0)
_ZERO_START = re.compile(r"[ \n\r][-+]?0")


def _number_doubt(text: str) -> bool:
    if _UNDERSCORE.search(text):
        return True
    if text[:1] in ("0", "-", "+") or _ZERO_START.search(text):
        return _LEADING_ZERO.search(text) is not None
    return False


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _Decline(Exception):
    pass


_REAL_DATES: set[str] = set()  # dates already found to exist: the same days recur in thousands of records
_REAL_DATES_MAX = 100_000  # a bound on what is remembered: a century has 36,525 days


def _real_date(value: str) -> None:
    """An unquoted date that does not exist is a problem the slow path locates: decline."""
    if value in _REAL_DATES:
        return
    if _DATE.fullmatch(value):
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            raise _Decline from None
        if len(_REAL_DATES) < _REAL_DATES_MAX:
            _REAL_DATES.add(value)


def _text(value: str, notes: list) -> str:
    """A string of the reading: interned when short; raises _Decline on doubt; notes digits enough for a
    personal number (``notes[1]``). (Inlined for the values of a mapping in ``_plain_value``: keep both alike.)"""
    n = len(value)
    if n and value[0] == "\n" and not value.strip("\n"):  # an empty block scalar at the end: yaml-rs reads "\n"
        raise _Decline
    if n >= FEWEST and not notes[1] and may_hold_text(value):
        notes[1] = True
    if n > SHORT:
        return value
    if n == 10 and value[4] == "-":
        _real_date(value)
    return _intern(value)


def _plain_value(value, depth: int, notes: list):
    """``value`` with short strings interned; ``notes``: [an integer was met, a string, key or integer may
    hold a personal number (``privacy.may_hold``)]; raises _Decline on doubt."""
    kind = type(value)
    if kind is dict:
        if depth >= MAX_DEPTH:
            raise _Decline
        out = {}
        for key, item in value.items():
            if type(key) is not str or len(key) > MAX_KEY:  # true:, 1:, null: keys keep their text the slow way
                raise _Decline
            if len(key) >= FEWEST and not notes[1] and may_hold_text(key):
                notes[1] = True
            if type(item) is str:  # ``_text`` inlined: strings are most of a record, a call each cost a fifth
                n = len(item)
                if n and item[0] == "\n" and not item.strip("\n"):
                    raise _Decline
                if n >= FEWEST and not notes[1] and may_hold_text(item):
                    notes[1] = True
                if n <= SHORT:
                    if n == 10 and item[4] == "-":
                        _real_date(item)
                    item = _intern(item)
                out[_intern(key)] = item
            else:
                out[_intern(key)] = _plain_value(item, depth + 1, notes)
        return out
    if kind is str:
        return _text(value, notes)
    if kind is list:
        if depth >= MAX_DEPTH:
            raise _Decline
        return [_plain_value(item, depth + 1, notes) for item in value]
    if kind is int:
        notes[0] = True
        if not notes[1] and large(value):
            notes[1] = True
        return value
    if kind is bool or value is None:
        return value
    raise _Decline  # a float, or anything else the strict rules would have kept as text


def read(text: str) -> tuple[dict, bool] | None:
    """The record's data when the fast parser's reading is certainly the strict loader's, else None; with it,
    whether any string, key or integer may hold a personal number (when not, ``privacy.scan`` need not look)."""
    if _yaml_rs is None:
        return None
    for needle in _DOUBT:
        if needle in text:
            return None
    try:
        data = _yaml_rs.loads(text, **_RS_OPTIONS)
    except Exception:  # noqa: BLE001 - any refusal: the slow path says what is wrong, and where
        return None
    if type(data) is not dict or not data:
        return None
    notes = [False, False]
    try:
        out = _plain_value(data, 0, notes)
    except (_Decline, RecursionError):
        return None
    if notes[0] and _number_doubt(text):
        return None
    return out, notes[1]
