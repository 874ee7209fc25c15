"""Detect personal data that must never reach the published site.

Two things are detectable with confidence and refused wherever they appear:

* an 18-digit resident identity number (GB 11643) whose check digit is valid,
  also when written with spaces or dashes or a lowercase ``x``
  (checked with python-stdnum's ISO 7064 Mod 11-2);
* a mainland mobile number, however written (``13905951234``,
  ``139-0595-1234``, ``+86 139 0595 1234``), found and classified with
  phonenumbers. Office landlines such as ``0595-22345678`` are fine.

Messages name the field and mask the number, never repeating it in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import phonenumbers
from phonenumbers import PhoneNumberType
from stdnum.iso7064 import mod_11_2

# 18 characters, digits with at most one space or dash between them, last may be X.
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9][ \-]?){17}[0-9Xx](?![0-9A-Za-z])")
_DIGITS = re.compile(r"[0-9]")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True)
class Finding:
    path: tuple
    kind: str  # "id-number" or "mobile"
    masked: str

    @property
    def message(self) -> str:
        if self.kind == "id-number":
            return f"含有疑似居民身份证号码（{self.masked}，校验位有效）；记录会公开发布，不得填写个人信息"
        return f"含有手机号码（{self.masked}）；记录会公开发布，不得填写个人电话，如需联系请写单位办公电话"


def _mask_id(number: str) -> str:
    return number[:2] + "*" * 14 + number[-2:]


def _mask_mobile(national: str) -> str:
    return national[:3] + "****" + national[-4:]


def scan_text(text: str) -> Iterator[tuple[str, str]]:
    """Yield (kind, masked) for each personal number in ``text``."""
    if len(_DIGITS.findall(text)) < 11:
        return
    for match in _ID_CANDIDATE.finditer(text):
        compact = re.sub(r"[ \-]", "", match.group()).upper()
        if len(compact) == 18 and mod_11_2.is_valid(compact):
            yield "id-number", _mask_id(compact)
    for match in phonenumbers.PhoneNumberMatcher(text, "CN"):
        number = match.number
        if number.country_code == 86 and phonenumbers.number_type(number) in _MOBILE_TYPES:
            yield "mobile", _mask_mobile(str(number.national_number))


def scan(data: Any, path: tuple = ()) -> list[Finding]:
    """All findings in a record's values (strings and large integers)."""
    found: list[Finding] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(scan(value, path + (key,)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(scan(value, path + (i,)))
    elif isinstance(data, str):
        found.extend(Finding(path, kind, masked) for kind, masked in scan_text(data))
    elif isinstance(data, int) and not isinstance(data, bool) and data >= 10**10:
        found.extend(Finding(path, kind, masked) for kind, masked in scan_text(str(data)))
    return found
