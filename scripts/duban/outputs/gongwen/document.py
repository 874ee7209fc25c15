"""The 公文 builder: paragraphs in the standard styles, headings, numbered items, ruled tables, titles.

Reports (``duban.outputs.docx_report``) say what to write; this module knows
how a 公文 lays it out. ``to_bytes()`` gives deterministic bytes: the zip is
normalised by :func:`duban.atomic.normalize_zip`.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Iterable, Sequence

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.atomic import normalize_zip
from duban.outputs.escape import docx
from duban.outputs.gongwen.fonts import (
    FANGSONG,
    KAITI,
    SIZE_2,
    SIZE_3,
    SIZE_XIAO4,
    XIAOBIAOSONG,
)
from duban.outputs.gongwen.oxml import indent_chars, no_snap, run
from duban.outputs.gongwen.setup import (
    HEADING_FONT,
    HEADING_STYLE,
    footer,
    setup_page,
    setup_settings,
    setup_styles,
)
from duban.zh import width

NONE = "无。"


def display_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, everything else ½."""
    return width(text) / 2


def split_title(title: str, per_line: int = 20) -> list[str]:
    """Break a long title into two lines at a word boundary (after 的/关于…/方案, before 落实情况…).

    A line of 2号 characters holds 20 in the 156 mm type area. Picks the most
    balanced candidate that keeps both lines within ``per_line``; falls back to the middle.
    """
    if display_chars(title) <= per_line:
        return [title]
    candidates = set()
    for marker in ("的", "方案", "关于", "意见", "通知"):
        i = title.find(marker)
        while i != -1:
            candidates.add(i + len(marker))
            i = title.find(marker, i + 1)
    for marker in ("落实情况", "情况周报", "周报"):
        i = title.find(marker)
        if i > 0:
            candidates.add(i)
    fits = [i for i in candidates
            if 0 < i < len(title) and display_chars(title[:i]) <= per_line and display_chars(title[i:]) <= per_line]
    if not fits:
        return [title]  # Word wraps it
    best = min(fits, key=lambda i: (abs(display_chars(title[:i]) - display_chars(title[i:])), i))
    return [title[:best], title[best:]]


class GongwenDocument:
    """A Word document laid out as a 公文, with the paragraph, heading and table primitives reports use."""

    def __init__(self):
        self.doc = Document()
        setup_styles(self.doc)
        setup_page(self.doc)
        setup_settings(self.doc)
        footer(self.doc)
        # the template's document body is empty except for the sectPr

    # --- paragraphs

    def paragraph(self, text: str = "", style: str = "DubanBody", font: str = FANGSONG, size: float = SIZE_3,
                  bold: bool = False):
        p = self.doc.add_paragraph()
        p._p.style = style  # by id: python-docx's style look-up by name scans every style
        if text:
            run(p, text, font, size, bold)
        return p

    def body(self, text: str):
        return self.paragraph(text)

    def heading(self, level: int, text: str):
        return self.paragraph(text, HEADING_STYLE[level], HEADING_FONT[level])

    def items(self, lines: Iterable[str]) -> None:
        lines = list(lines)
        if not lines:
            self.body(NONE)
        for i, line in enumerate(lines, 1):
            self.body(f"{i}. {line}")

    # --- tables

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float],
              centred: Sequence[bool]) -> None:
        doc = self.doc
        table = doc.add_table(rows=1 + len(rows), cols=len(headers))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl = table._tbl
        tblPr = tbl.tblPr
        tblW = tblPr.find(qn("w:tblW"))
        if tblW is None:
            tblW = OxmlElement("w:tblW")
            tblPr.append(tblW)
        tblW.set(qn("w:type"), "dxa")
        tblW.set(qn("w:w"), str(round(sum(widths_mm) * 1440 / 25.4)))
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            b = OxmlElement(f"w:{edge}")
            b.set(qn("w:val"), "single")
            b.set(qn("w:sz"), "4")
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), "000000")
            borders.append(b)
        margins = OxmlElement("w:tblCellMar")
        for edge in ("left", "right"):
            m = OxmlElement(f"w:{edge}")
            m.set(qn("w:w"), "85")  # 1.5 mm
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        # schema order inside tblPr: … tblW, jc, …, tblBorders, shd, tblLayout, tblCellMar, tblLook
        layout = tblPr.find(qn("w:tblLayout"))
        if layout is not None:
            layout.addprevious(borders)
            layout.addnext(margins)
        else:
            look = tblPr.find(qn("w:tblLook"))
            if look is not None:
                look.addprevious(borders)
                look.addprevious(margins)
            else:
                tblPr.append(borders)
                tblPr.append(margins)
        for col, mm in zip(table.columns, widths_mm):
            col.width = Mm(mm)
        for r, row in enumerate(table.rows):
            trPr = row._tr.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            trPr.append(cant)
            if r == 0:
                trPr.append(OxmlElement("w:tblHeader"))
            values = headers if r == 0 else rows[r - 1]
            for c, (cell, value) in enumerate(zip(row.cells, values)):
                cell.width = Mm(widths_mm[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                p._p.style = "DubanTable"
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or centred[c]) else WD_ALIGN_PARAGRAPH.LEFT
                no_snap(p)
                run(p, str(value), FANGSONG, SIZE_XIAO4, bold=(r == 0))

    def title(self, title: str, subtitle: str | None = None) -> None:
        """The 2号小标宋 title, broken where the sense allows; an optional 3号楷体 subtitle; one empty line."""
        p = self.paragraph(style="DubanTitle")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        no_snap(p)
        lines = split_title(docx(title))
        r = run(p, lines[0], XIAOBIAOSONG, SIZE_2)
        for line in lines[1:]:
            r.add_break()
            r.add_text(line)
        if subtitle:
            p = self.paragraph(subtitle, style="DubanTitle", font=KAITI, size=SIZE_3)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            no_snap(p)
        self.paragraph()  # 标题下空一行

    def signature(self, issuer: str, date: str) -> None:
        """Issuer and date (成文日期) under the text, right-aligned: the date four characters in from the right,
        the issuer centred over the date where it fits."""
        self.paragraph()  # 正文下空一行
        if issuer:
            p = self.paragraph(issuer)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            right = 4 + (display_chars(date) - display_chars(issuer)) / 2
            p.paragraph_format.first_line_indent = Pt(0)
            indent_chars(p, first_line=0, right=max(0, round(right * 100)))
        p = self.paragraph(date)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        indent_chars(p, first_line=0, right=400)  # 成文日期右空四字

    def properties(self, *, title: str, subject: str, keywords: str, category: str, day: dt.date) -> None:
        """Core properties dated ``day`` (not now), so the same inputs give the same bytes."""
        stamp = dt.datetime.combine(day, dt.time())
        cp = self.doc.core_properties
        cp.author = "duban"
        cp.last_modified_by = "duban"
        cp.created = stamp
        cp.modified = stamp
        cp.last_printed = stamp
        cp.revision = 1
        cp.title = title
        cp.subject = subject
        cp.keywords = keywords
        cp.comments = ""
        cp.category = category
        cp.language = "zh-CN"
        cp.content_status = ""
        cp.identifier = ""
        cp.version = ""

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return normalize_zip(out.getvalue())
