"""Detect personal data that must never reach the published site.

Text is first normalised (NFKC: full-width digits become ASCII, the ideographic
space and NBSP become spaces). A *run* is a sequence of digits in which any two
digits are separated by at most three separators (spaces, dots, dashes, middle
dots, zero-width and other invisible characters); letters, Chinese characters and
other punctuation end a run, so digits are never joined across words. Inside a
run, consecutive groups are joined and checked:

* 18 characters (the last may be ``X``): a resident identity number (GB 11643)
  when the ISO 7064 Mod 11-2 check digit is valid *and* the birth date exists;
* 15 digits: an old (first-generation) identity number only when the area code is
  a real one (python-stdnum's table) and ``19YYMMDD`` is a real date, so
  15-digit business registration numbers are not refused;
* 11 digits, optionally after ``86`` or ``0086``: a mainland mobile number, as
  classified by phonenumbers. Office landlines such as ``0595-22345678`` are fine.

A ``tel`` or ``ID`` glued to the number does not hide it. Messages name the field
and mask the number (:func:`mask_text`, used by every message that quotes a value, masks
the number in place and leaves the rest of the text as it was).
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterator

from duban.records.text import _RANGES

_ANY_DIGIT = re.compile(r"\d")
FEWEST = 11  # digits in the shortest personal number (a mobile number)


def may_hold_text(text: str) -> bool:
    """Whether ``text`` has digits enough (``FEWEST``) to hold a personal number."""
    return len(text) >= FEWEST and len(_ANY_DIGIT.findall(text)) >= FEWEST


def large(value: Any) -> bool:
    """An integer with as many digits as a personal number."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 10 ** (FEWEST - 1)
_SEP = f"[ .\\-\u00b7\u2010-\u2015\u2212\u30fb\u2027_/{_RANGES}]"
_RUN = re.compile(f"[0-9](?:{_SEP}{{0,3}}[0-9])*(?:{_SEP}{{0,3}}[Xx])?")
_GROUP = re.compile(r"[0-9]+|[Xx]")


@dataclass(frozen=True)
class Finding:
    path: tuple
    kind: str  # "id-number" or "mobile"
    masked: str

    @property
    def message(self) -> str:
        if self.kind == "id-number":
            return f"含有疑似居民身份证号码（{self.masked}，校验位和出生日期有效）；记录会公开发布，不得填写个人信息"
        return f"含有手机号码（{self.masked}）；记录会公开发布，不得填写个人电话，如需联系请写单位办公电话"


def _mask_id(number: str) -> str:
    return number[:2] + "*" * (len(number) - 4) + number[-2:]


def _mask_mobile(national: str) -> str:
    return national[:3] + "****" + national[-4:]


def _birth(text: str) -> bool:
    try:
        day = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return day.year >= 1900


# phonenumbers and python-stdnum are imported when a run of digits is first classified: most runs of a
# validation never get here, and the two imports take about 25 ms of every start.

def _area(code: str) -> bool:
    from stdnum import numdb

    return any(props for _, props in numdb.get("cn/loc").info(code))


def _is_mobile(national: str) -> bool:
    if len(national) != 11 or national[0] != "1":
        return False
    import phonenumbers
    from phonenumbers import PhoneNumberType

    try:
        number = phonenumbers.parse("+86" + national, None)
    except phonenumbers.NumberParseException:  # pragma: no cover - 11 digits always parse
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def classify(digits: str) -> tuple[str, str] | None:
    """(kind, masked) when the joined digits of one run are a personal number."""
    n = len(digits)
    if n == 18 and digits[:17].isdigit() and (digits[17].isdigit() or digits[17] == "X"):
        from stdnum.iso7064 import mod_11_2

        if mod_11_2.is_valid(digits) and _birth(digits[6:14]):
            return "id-number", _mask_id(digits)
    if n == 15 and digits.isdigit() and _birth("19" + digits[6:12]) and _area(digits[:6]):
        return "id-number", _mask_id(digits)
    for prefix in ("", "86", "0086"):
        if n == 11 + len(prefix) and digits.startswith(prefix) and digits.isdigit() and _is_mobile(digits[len(prefix):]):
            return "mobile", _mask_mobile(digits[len(prefix):])
    return None


def _spans(text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, kind, masked) in the NFKC form of ``text``."""
    for run in _RUN.finditer(text):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group().upper()) for m in _GROUP.finditer(run.group())]
        taken = -1
        for i in range(len(groups)):
            if groups[i][0] < taken:
                continue
            joined = ""
            for j in range(i, len(groups)):
                joined += groups[j][2]
                if len(joined) > 18:
                    break
                found = classify(joined)
                if found:
                    yield groups[i][0], groups[j][1], found[0], found[1]
                    taken = groups[j][1]
                    break


def _normal(text: str) -> tuple[str, list[int]] | None:
    """The NFKC form of ``text``, character by character, with the index in ``text`` of each of its characters;
    None when ``text`` cannot hold a personal number (fewer than 11 digits)."""
    if not may_hold_text(text):
        return None
    parts, where = [], []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        parts.append(n)
        where.extend([i] * len(n))
    where.append(len(text))
    return "".join(parts), where


def scan_text(text: str) -> Iterator[tuple[str, str]]:
    """Yield (kind, masked) for each personal number in ``text``."""
    normal = _normal(text)
    if normal is None:
        return
    seen = set()
    for _, _, kind, masked in _spans(normal[0]):
        if (kind, masked) not in seen:
            seen.add((kind, masked))
            yield kind, masked


def mask_text(text: str) -> str:
    """``text`` with every personal number replaced by its masked form; the rest of the text unchanged."""
    normal = _normal(text)
    if normal is None:
        return text
    spans = list(_spans(normal[0]))
    if not spans:
        return text
    where = normal[1]
    out, at = [], 0
    for start, end, _, masked in spans:
        out += [text[at:where[start]], masked]
        at = where[end - 1] + 1
    return "".join(out) + text[at:]


def may_hold(value: Any, depth: int = 0) -> bool:
    """Whether any string (value or key) of ``value`` has 11 digits or more, or any integer as many: only then
    can it hold a personal number. Most records have none, and this look costs half the full scan."""
    if isinstance(value, str):
        return may_hold_text(value)
    if depth > 64:  # deeper than any record may be: let the full scan, which needs no recursion, decide
        return True
    if isinstance(value, dict):
        for name, item in value.items():
            if may_hold(item, depth + 1) or (isinstance(name, str) and may_hold_text(name)):
                return True
        return False
    if isinstance(value, list):
        return any(may_hold(item, depth + 1) for item in value)
    return large(value)


def scan(data: Any, path: tuple = ()) -> list[Finding]:
    """All findings in a record's values (strings and large integers) and keys, walked without recursion.

    A personal number has at least 11 digits, so shorter strings (most keys, dates, units, states) are passed
    over without a look, and a value's path is only built when it is a container or holds a finding."""
    if not may_hold(data):
        return []
    found: list[Finding] = []
    stack: list[tuple[tuple, Any, Any]] = [(path[:-1], path[-1], data)] if path else [((), None, data)]
    while stack:
        parent, key, value = stack.pop()
        if isinstance(value, str):
            if len(value) >= FEWEST:
                where = parent if key is None else parent + (key,)
                found.extend(Finding(where, kind, masked) for kind, masked in scan_text(value))
        elif isinstance(value, dict):
            where = parent if key is None else parent + (key,)
            for name, item in reversed(list(value.items())):
                if isinstance(name, str) and len(name) >= FEWEST:
                    found.extend(Finding(where + (name,), kind, masked) for kind, masked in scan_text(name))
                stack.append((where, name, item))
        elif isinstance(value, list):
            where = parent if key is None else parent + (key,)
            stack.extend((where, i, item) for i, item in reversed(list(enumerate(value))))
        elif large(value):
            where = parent if key is None else parent + (key,)
            found.extend(Finding(where, kind, masked) for kind, masked in scan_text(str(value)))
    return found
