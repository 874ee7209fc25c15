"""Markdown building blocks with every record value escaped.

Anything taken from a record goes through ``esc`` (or ``cell`` inside a
table): HTML is neutralised and Markdown syntax shows as the characters
themselves, so a title holding ``<script>``, ``[link](x)``, ``{{ x }}``,
``??? danger`` or ``- x`` renders as text and runs nothing
(:func:`duban.outputs.escape.markdown`).
"""

from __future__ import annotations

import html

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
