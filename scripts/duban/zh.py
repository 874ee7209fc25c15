"""Small Chinese-text helpers every layer shares: display width, dates, numerals, the 估算 note.

Nothing here knows records or states; it only formats.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

NUMERALS = "一二三四五六七八九十"

# A time limit computed beyond the working-day calendar's data (Monday–Friday assumed).
ESTIMATED = "部分期限超出节假日数据覆盖范围，按周一至周五估算"


_WIDE = frozenset("WF")


def width(text: str) -> int:
    """Display width in terminal columns: CJK and full-width characters count 2, the rest 1."""
    if text.isascii():
        return len(text)
    return len(text) + sum(map(_WIDE.__contains__, map(unicodedata.east_asian_width, text)))


def cn_date(day: dt.date, year: bool = True) -> str:
    """2024年6月9日 (or 6月9日), as Chinese official documents write dates."""
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"


def cn_number(n: int) -> str:
    """1..99 as Chinese numerals: 一, 十, 十一, 二十三."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def percent(rate: float | None) -> str:
    """A rate in 0..1 as 12.3%; — when there is none."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def natural_key(text: str) -> tuple:
    """Sort key that orders numbers inside text by value: T-2-9 before T-2-10, 二（九） before 二（十）."""
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


_ISO_DATE = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[0-9A-Za-z])|(?<=[0-9A-Za-z%]) +(?=[{_CJK}])")


def typeset(text: str) -> str:
    """Text as a Chinese document sets it: dates as 2024年3月31日, no spaces between Chinese and numerals
    (逾期 70 天 → 逾期70天)."""
    text = _ISO_DATE.sub(lambda m: f"{int(m.group(1))}年{int(m.group(2))}月{int(m.group(3))}日", text)
    return _GAP.sub("", text)
