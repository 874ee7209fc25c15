"""Which characters a record may hold, and how a message quotes a value.

Control characters (except tab and line feed), invisible formatting characters
(zero-width spaces and joiners, bidirectional embeddings and overrides, the BOM,
soft hyphens, tag characters), line and paragraph separators, noncharacters
(``U+FFFE``) and the Hangul fillers that render as nothing are refused in every
text field: they crash Word and Excel writers, reorder or hide text on screen and
drive terminals. Outputs that still meet one show it as ``U+XXXX`` (:func:`visible`).

Messages never quote a value raw: :func:`shown` makes invisible characters visible,
masks personal numbers and shortens what is too long to read.
"""

from __future__ import annotations

import json
import re
import unicodedata

# Cc except \t and \n; Cf; Zl and Zp; noncharacters; Hangul fillers (Lo, but blank). A test checks that
# every Cc/Cf/Zl/Zp code point of the running Python's Unicode data is in here.
_BMP = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufdd0-\ufdef\ufeff\uffa0\ufff9-\ufffb\ufffe\uffff"
)
_RANGES = _BMP + (
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f"
    + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(1, 17))
)
FORBIDDEN = re.compile(f"[{_RANGES}]")
# the same test in a tenth of the time: a class of BMP characters is one table look-up, while the ranges above
# U+FFFF are tried one by one for every character; so look for the BMP ones or any character above U+FFFF
_SUSPECT = re.compile(f"[{_BMP}\U00010000-\U0010ffff]")


def has_forbidden(text: str) -> bool:
    """Whether ``text`` holds a character that :data:`FORBIDDEN` matches (the same answer, faster)."""
    m = _SUSPECT.search(text)
    return m is not None and (ord(m.group()) < 0x10000 or FORBIDDEN.search(text, m.start()) is not None)

_NAMES = {
    0x00: "空字符", 0x0D: "回车符", 0x1B: "转义字符 ESC", 0x7F: "删除符", 0x85: "下一行符",
    0xAD: "软连字符", 0x115F: "韩文填充符", 0x1160: "韩文填充符", 0x3164: "韩文填充符", 0xFFA0: "韩文填充符",
    0x180E: "蒙古文元音分隔符", 0x200B: "零宽空格", 0x200C: "零宽非连接符", 0x200D: "零宽连接符",
    0x200E: "从左到右标记", 0x200F: "从右到左标记", 0x2028: "行分隔符", 0x2029: "段落分隔符",
    0x202A: "双向嵌入符", 0x202B: "双向嵌入符", 0x202C: "双向格式结束符", 0x202D: "双向覆盖符", 0x202E: "双向覆盖符",
    0x2060: "字连接符", 0x2066: "双向隔离符", 0x2067: "双向隔离符", 0x2068: "双向隔离符", 0x2069: "双向隔离结束符",
    0xFEFF: "零宽不换行空格（BOM）", 0xFFFE: "非字符", 0xFFFF: "非字符",
}


def codepoint(ch: str) -> str:
    """``U+200B``: how a message names a character."""
    return f"U+{ord(ch):04X}"


def describe(ch: str) -> str:
    """``U+200B（零宽空格）``."""
    name = _NAMES.get(ord(ch))
    if name is None:
        cat = unicodedata.category(ch)
        name = "控制字符" if cat == "Cc" else "非字符" if (ord(ch) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(ch) <= 0xFDEF \
            else "不可见格式字符"
    return f"{codepoint(ch)}（{name}）"


def first_forbidden(text: str) -> str | None:
    m = FORBIDDEN.search(text)
    return m.group() if m else None


def forbidden_message(text: str) -> str:
    """The problem's message for text holding a forbidden character (names the first one, counts the rest)."""
    found = FORBIDDEN.findall(text)
    kinds = sorted(set(found), key=found.index)
    names = "、".join(describe(c) for c in kinds[:3]) + ("等" if len(kinds) > 3 else "")
    return f"含有不可见或控制字符 {names}；这些字符会隐藏或打乱文字、破坏导出的文件，请删除后重新输入"


def visible(text: str) -> str:
    """``text`` with every forbidden character written as ``U+XXXX`` (so it is seen, not obeyed)."""
    if not FORBIDDEN.search(text):
        return text
    return FORBIDDEN.sub(lambda m: f"<{codepoint(m.group())}>", text)


MAX_QUOTED = 60


def shown(value, limit: int = MAX_QUOTED) -> str:
    """A value as a message quotes it: invisible characters visible, personal numbers masked, long text cut."""
    from duban.records.privacy import mask_text

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > limit * 4:
        text = text[: limit * 4]
    text = visible(mask_text(text)).replace("\n", "↵")
    if len(text) > limit:
        text = text[:limit] + f"…（共 {len(value) if isinstance(value, str) else len(text)} 个字符）"
    return text
