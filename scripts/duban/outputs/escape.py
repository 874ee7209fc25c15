"""Record text made safe for each place it is written to, so it shows as what the editor typed.

The validator refuses control and invisible characters (``records.text``); every
function here still shows any that reach it as ``<U+XXXX>`` instead of obeying
them, and then escapes the destination's own syntax:

* :func:`markdown`: the site's Markdown (Python-Markdown with admonitions and
  details): inline syntax escaped, HTML neutralised, and block syntax at the start of
  the text (``- x``, ``1986. x``, ``---``, ``??? danger``, ``===``) made literal;
* :func:`robot`: a WeCom/DingTalk robot message and the weekly GitHub issue, which
  honour no backslash escapes: link brackets, HTML tags, ``@`` mentions, emphasis and
  ``://`` are replaced by their full-width look-alikes;
* :func:`xlsx` and :func:`xlsx_text`: an Excel cell: characters XML cannot hold shown,
  and text that Excel would read as a formula (``=``, ``+``, ``-``, ``@``) stored as text
  with a quote prefix, so it is never evaluated, not even after editing the cell;
* :func:`csv`: a cell of the open-data CSV files, which people open in Excel or WPS: text
  that would start a formula gets a leading ``'`` (the JSON files keep the exact text);
* :func:`docx`: a Word run (python-docx refuses XML-illegal characters);
* :func:`terminal`: one line of ``duban status`` (no escape sequences, no line breaks).
"""

from __future__ import annotations

import html
import re
from typing import Any

from duban.records.text import visible

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|])")  # what Python-Markdown (with tables) unescapes; ~ is not
# block syntax that only counts at the start of a line: a list item or rule (- x, ---), a setext underline (===),
# an ordered item (1986. x), a details block (??? x); inline escapes do not cover these characters
_BLOCK_START = re.compile(r"^(?:(-)(?=[ -]|$)|(=)(?==|$)|([0-9]+)\.(?= |$)|(\?)(?=\?\?))")


def _literal(m: re.Match) -> str:
    dash, equals, number, question = m.groups()
    if dash:
        return "\\-"
    if equals:
        return "&#61;"
    if number:
        return number + "\\."
    return "&#63;"


def markdown(value: Any) -> str:
    """A record value as Markdown body text on one line, rendering as the text itself."""
    text = _MD_SPECIAL.sub(r"\\\1", visible(str(value)))
    text = html.escape(text, quote=False)
    text = " ".join(text.split())
    return _BLOCK_START.sub(_literal, text, count=1)


_ROBOT = str.maketrans({
    "[": "［", "]": "］", "<": "＜", ">": "＞", "@": "＠", "*": "＊", "_": "＿", "`": "｀", "#": "＃",
    "~": "～", "|": "｜", "\\": "＼", "!": "！", "$": "＄",
})


def robot(value: Any) -> str:
    """A record value for a robot's Markdown (WeCom, DingTalk) or a GitHub issue body: one inert line."""
    text = " ".join(visible(str(value)).split()).translate(_ROBOT)
    return text.replace("://", "：//")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx(value: Any) -> Any:
    """A value for an openpyxl cell: text with unwritable characters shown as ``<U+XXXX>``; others unchanged."""
    return visible(value) if isinstance(value, str) else value


def formula_like(text: str) -> bool:
    """Text that Excel would take for a formula when typed (stored as text with a quote prefix)."""
    return text.startswith(_FORMULA_START)


def xlsx_text(cell) -> bool:
    """After a value is set: text that Excel would take for a formula is stored as text with a quote prefix
    (True when it was)."""
    if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
        return True
    return False


def csv(value: Any) -> str:
    """A text value for an open-data CSV cell: a leading ``'`` where Excel would read a formula (OWASP's advice)."""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def docx(text: str) -> str:
    """Text for a Word run (tabs and line breaks are kept: python-docx writes them as Word's own)."""
    return visible(text)


def terminal(value: Any) -> str:
    """One line for the terminal: escape sequences, other control characters and line breaks never printed."""
    text = visible(str(value))
    return " ".join(text.split()) if any(c in text for c in "\t\n\r") else text
