"""Markdown building blocks with every record value escaped.

Anything taken from a record goes through ``esc`` (or ``cell`` inside a
table): HTML is neutralised and Markdown syntax shows as the characters
themselves, so a title holding ``<script>``, ``[link](x)`` or ``{{ x }}``
renders as text and runs nothing.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


# Front matter that keeps a page out of the site's search index (Material's ``search: exclude``).
NO_SEARCH = "---\nsearch:\n  exclude: true\n---\n\n"


def esc(value) -> str:
    """Escape a record value for Markdown body text (single line)."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    text = html.escape(text, quote=False)
    return " ".join(text.split())


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
