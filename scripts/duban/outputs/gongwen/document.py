"""The 公文 builder: paragraphs in the standard styles, headings, numbered items, ruled tables, titles.

Reports (``duban.outputs.docx_report``) say what to write; this module knows
how a 公文 lays it out. ``to_bytes()`` gives deterministic bytes: the zip is
normalised by :func:`duban.atomic.normalize_zip`.
"""

from __future__ import annotations

import datetime as dt
import io
from copy import deepcopy
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
    RED,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SIZE_XIAO4,
    SIZE_XIAOCHU,
    TYPE_WIDTH_MM,
    XIAOBIAOSONG,
)
from duban.outputs.gongwen.oxml import border, indent_chars, no_snap, right_tab, run
from duban.outputs.gongwen.setup import (
    HEADING_FONT,
    HEADING_STYLE,
    footer,
    setup_page,
    setup_settings,
    setup_styles,
)
from duban.zh import typeset, width

NONE = "无。"


def display_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, everything else ½."""
    return width(text) / 2


def _inside_quotes(title: str, i: int) -> bool:
    """Whether a break before index ``i`` would fall inside a 书名号 phrase (《…》)."""
    depth = 0
    for ch in title[:i]:
        depth += ch == "《"
        depth -= ch == "》"
    return depth > 0


def split_title(title: str, per_line: int = 20) -> list[str]:
    """Break a long title into two lines where the sense allows: after a 书名号 phrase, after 的/关于/方案 …,
    before 落实情况/周报; never inside 《…》.

    A line of 2号 characters holds 20 in the 156 mm type area. Picks the most balanced candidate that keeps
    both lines within ``per_line``; falls back to one line (Word wraps it).
    """
    if display_chars(title) <= per_line:
        return [title]
    candidates = set()
    for marker in ("》", "的", "方案", "关于", "意见", "通知"):
        i = title.find(marker)
        while i != -1:
            candidates.add(i + len(marker))
            i = title.find(marker, i + 1)
    for marker in ("落实情况", "情况周报", "周报", "《"):
        i = title.find(marker)
        if i > 0:
            candidates.add(i)
    fits = [i for i in candidates if 0 < i < len(title) and not _inside_quotes(title, i)
            and display_chars(title[:i]) <= per_line and display_chars(title[i:]) <= per_line]
    if not fits:
        return [title]
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
        # a body row is built through python-docx once for each shape (which cells are empty, the colours); a
        # later row of the same shape is a copy of that row's XML with its own texts (the same bytes, without
        # python-docx's schema-order searches for every property of every run: most of the time of a long table)
        shapes: dict[tuple, object] = {}
        for r, row in enumerate(table.rows):
            values = headers if r == 0 else rows[r - 1]
            cells = [value if isinstance(value, tuple) else (value, None) for value in values]
            texts = [typeset(docx(str(text))) for text, _ in cells]
            shape = tuple((bool(t), colour) for t, (_, colour) in zip(texts, cells))
            plain = r > 0 and not any(ch in t for t in texts for ch in "\t\r\n")
            if plain and shape in shapes:
                copied = deepcopy(shapes[shape])
                for t_el, text in zip((t for t in copied.iter(qn("w:t"))), (t for t in texts if t)):
                    t_el.text = text
                    if len(text.strip()) < len(text):
                        t_el.set(qn("xml:space"), "preserve")
                    elif qn("xml:space") in t_el.attrib:
                        del t_el.attrib[qn("xml:space")]
                row._tr.getparent().replace(row._tr, copied)
                continue
            trPr = row._tr.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            trPr.append(cant)
            if r == 0:
                trPr.append(OxmlElement("w:tblHeader"))
            for c, (cell, (text, colour)) in enumerate(zip(row.cells, cells)):
                cell.width = Mm(widths_mm[c])
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                p._p.style = "DubanTable"
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER if (r == 0 or centred[c]) else WD_ALIGN_PARAGRAPH.LEFT
                no_snap(p)
                run(p, str(text), FANGSONG, SIZE_XIAO4, bold=(r == 0), colour=colour)
            if plain:
                shapes[shape] = deepcopy(row._tr)

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
        """The signature of an unsealed document (GB/T 9704-2012 §7.3.5.2): one line below the text, the issuer two
        characters in from the right; the date on the next line, its first character two characters right of the
        issuer's first. A date longer than that allows sits two in from the right and the issuer moves left."""
        self.paragraph()  # 正文下空一行
        wi, wd = display_chars(issuer), display_chars(date)
        issuer_right, date_right = 2.0, wi - wd  # the date starts two characters after the issuer's start
        if date_right < 2:
            issuer_right, date_right = 4 + wd - wi, 2.0
        for text, right in ((issuer, issuer_right), (date, date_right)):
            if not text:
                continue
            p = self.paragraph(text)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            indent_chars(p, first_line=0, right=round(right * 100))

    def masthead(self, masthead: str, issue: str | None, office: str, date: str) -> None:
        """The 版头 of a briefing (简报): the red 发文机关标志, 第 N 期, the compiling office on the left and the date
        on the right, then a red rule the width of the type area."""
        p = self.paragraph(style="DubanTitle")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        no_snap(p)
        run(p, masthead, XIAOBIAOSONG, SIZE_XIAOCHU, colour=RED)
        if issue:
            p = self.paragraph(issue, style="DubanTitle", font=FANGSONG, size=SIZE_3)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = self.paragraph()
        p.paragraph_format.first_line_indent = Pt(0)
        right_tab(p, round(TYPE_WIDTH_MM / 25.4 * 1440))
        run(p, f"{office}编" if office else "")
        run(p, "\t" + date)
        border(p, "bottom", 12, RED)  # 1.5 pt
        self.paragraph()

    def colophon(self, copy_to: Sequence[str], printed_by: str, printed_on: str) -> None:
        """The 版记 (§7.4): 抄送 and 印发机关/印发日期 in 4号仿宋, one character in from each side, between rules —
        the first and last thick (0.35 mm), the middle thin (0.25 mm)."""
        self.paragraph()
        rows = []
        if copy_to:
            rows.append(("抄送：" + "，".join(copy_to) + "。", None))
        rows.append((printed_by, f"{printed_on}印发"))
        for i, (left, right) in enumerate(rows):
            p = self.paragraph(style="DubanBody")
            pf = p.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.left_indent = Pt(SIZE_4)
            pf.right_indent = Pt(SIZE_4)
            pf.keep_with_next = i < len(rows) - 1
            if right:
                right_tab(p, round(TYPE_WIDTH_MM / 25.4 * 1440) - SIZE_4 * 20 * 2)
            run(p, left, FANGSONG, SIZE_4)
            if right:
                run(p, "\t" + right, FANGSONG, SIZE_4)
            if i == 0:
                border(p, "top", 8)  # 0.35 mm: about 1 pt
            border(p, "bottom", 8 if i == len(rows) - 1 else 6)

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
