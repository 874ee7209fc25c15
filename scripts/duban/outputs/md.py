"""Markdown building blocks with every record value escaped.

Anything taken from a record goes through ``esc`` (or ``cell`` inside a
table): HTML is neutralised and Markdown syntax shows as the characters
themselves, so a title holding ``<script>``, ``[link](x)``, ``{{ x }}``,
``??? danger`` or ``- x`` renders as text and runs nothing
(:func:`duban.outputs.escape.markdown`).
"""

from __future__ import annotations

import html
import re
from typing import Callable

from duban.outputs.escape import markdown

# Front matter that keeps a page out of the site's search index (Material's ``search: exclude``).
NO_SEARCH = "---\nsearch:\n  exclude: true\n---\n\n"


def esc(value) -> str:
    """Escape a record value for Markdown body text (single line)."""
    return markdown(value)


def cell(value) -> str:
    """Escape a value for a Markdown table cell."""
    return esc(value) if value not in (None, "") else "—"


def table(headers: list[str], rows: list[list[str]], empty: str = "无。") -> str:
    """A Markdown table; cells must already be escaped or built from escaped parts."""
    if not rows:
        return empty + "\n"
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def badge(label: str, level: str, colour: str, sort: int | None = None) -> str:
    """A coloured status badge (label and level come from settings, escaped anyway). ``sort``: the state's
    severity, so that a table sorts by urgency, not by the label's pinyin."""
    key = f' data-sort="{int(sort)}"' if sort is not None else ""
    return (f'<span class="duban-badge" data-level="{html.escape(level)}"{key} '
            f'style="background:{html.escape(colour)}">{html.escape(label)}</span>')


# --- a long table as an HTML block: what Python-Markdown would make of it, without the cost of parsing it

_ESCAPED = "\\\\`*_{}\\[\\]()>#+\\-.!|"  # Python-Markdown's backslash escapes (with the tables extension's |)
_INLINE = re.compile(r"\\([" + _ESCAPED + r"])"  # an escaped character: the character itself
                     r"|\[((?:\\.|[^\\\]])*)\]\(([^)\s]+)(?:\s+\"([^\"]*)\")?\)")  # a link duban wrote


def inline_html(text: str, href: Callable[[str], str]) -> str:
    """One table cell built by duban (escaped record text, duban's own inline HTML, Markdown links) as the HTML
    Python-Markdown makes of it; ``href`` gives a link's final address (MkDocs rewrites only links it parses)."""

    def one(m: re.Match) -> str:
        if m.group(1) is not None:
            return m.group(1)
        title = f' title="{m.group(4)}"' if m.group(4) is not None else ""
        return f'<a href="{html.escape(href(m.group(3)))}"{title}>{inline_html(m.group(2), href)}</a>'

    return _INLINE.sub(one, text)


def html_table(headers: list[str], rows: list[list[str]], href: Callable[[str], str], empty: str = "无。") -> str:
    """``table(headers, rows)`` as the HTML Python-Markdown makes of it, for a table MkDocs should not parse (a
    register volume's thousands of rows, a file of its own). Cells as for ``table``."""
    if not rows:
        return empty + "\n"
    out = ["<table>", "<thead>", "<tr>" + "".join(f"<th>{inline_html(h, href)}</th>" for h in headers) + "</tr>",
           "</thead>", "<tbody>"]
    out += ["<tr>" + "".join(f"<td>{inline_html(c, href)}</td>" for c in row) + "</tr>" for row in rows]
    return "\n".join(out + ["</tbody>", "</table>"]) + "\n"
