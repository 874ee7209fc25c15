"""A plan's page (``docs/plan/<id>.md``) generated from its document: the title, the 印发 notice in a box,
the preamble, every clause as a heading ending with its anchor (``{#clause-2-3}``, the convention of
``records/plan_pages.py`` the site and the validator share) and its text, then the attachment line.

Heading levels follow the clause's depth (一、 ``##``, （一） ``###`` …), whatever the document's formatting;
a run-in heading (“（一）加强组织领导。各乡镇……”) becomes a heading and its paragraph. The document's text is
escaped so that it reads as written: nothing in it becomes Markdown, HTML or an attribute list.
"""

from __future__ import annotations

import re

from duban.edit.plan_source import DISCLOSURE, is_org, title_like
from duban.edit.plan_text import PlanText
from duban.records.plan_pages import clause_anchor

_INLINE = re.compile(r"([\\`*_{}\[\]|>])")


def esc(text: str) -> str:
    """A paragraph of the document as Markdown that shows exactly that text."""
    text = _INLINE.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))
    text = re.sub(r"^(\d+)([.)])", r"\1\\\2", text)
    return re.sub(r"^([#+\-!])", r"\\\1", text)


def _front(paragraphs: list[str]) -> list[str]:
    """The 印发 notice: an issuers' line followed by its …的通知 title is one bold title; 此件主动公开 goes last."""
    kept, marks = [], []
    for text in paragraphs:
        (marks if DISCLOSURE.match(text) else kept).append(text)
    out: list[str] = []
    i = 0
    while i < len(kept):
        text = kept[i]
        if i + 1 < len(kept) and is_org(text) and "印发" in kept[i + 1] and title_like(kept[i + 1]):
            out.append(f"**{esc(text)} {esc(kept[i + 1])}**")
            i += 2
            continue
        out.append(f"**{esc(text)}**" if "印发" in text and title_like(text) else esc(text))
        i += 1
    return out + [esc(m) for m in marks]


def office_notes(existing: str) -> list[str]:
    """The office's own notes on a page (``!!! note`` boxes, which the import never writes), kept when the
    page is generated again."""
    out: list[str] = []
    current: list[str] | None = None
    for line in existing.splitlines():
        if re.match(r'^!!! note\b', line):
            current = [line]
            out.append("")
        elif current is not None and (not line.strip() or line.startswith("    ")):
            current.append(line)
        else:
            current = None
        if current is not None:
            out[-1] = "\n".join(current).rstrip("\n")
    return out


def page_text(doc: PlanText, title: str, notes: list[str] = ()) -> str:
    lines = [f"# {esc(title)}", ""]
    if doc.front:
        box = "印发通知" if any("印发" in t and title_like(t) for t in doc.front) else "发文信息"
        lines += [f'!!! info "{box}"', ""]
        for text in _front(doc.front):
            lines += [f"    {text}", ""]
    for text in doc.preamble:
        lines += [esc(text), ""]
    for clause in doc.clauses:
        level = "#" * min(clause.depth + 1, 6)
        lines += [f"{level} {esc(clause.label + clause.title)} {{#{clause_anchor(clause.id)}}}", ""]
        for text in clause.text.split("\n") if clause.text else ():
            lines += [esc(text), ""]
    for text in doc.tail:
        lines += [esc(text), ""]
    for note in notes:
        lines += [note, ""]
    return "\n".join(lines).rstrip("\n") + "\n"
