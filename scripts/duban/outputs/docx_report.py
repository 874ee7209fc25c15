"""The weekly report as a Word document laid out per GB/T 9704-2012 (党政机关公文格式).

``write_docx(report, path)`` renders a :class:`~duban.weekly.WeeklyReport`;
it never computes state. Layout:

* A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 × 225 mm),
  a document grid of 22 lines × 28 characters (line pitch 28.95 pt).
* Title 2号 方正小标宋简体, centred; body 3号 仿宋_GB2312, exact 28.95 pt, first line
  indented two characters; headings 一、 黑体, （一） 楷体_GB2312, 1. 仿宋_GB2312.
* Tables 小四 仿宋_GB2312, header row bold and repeated on every page, all borders.
* Footer page numbers "— N —" in 4号 宋体: odd pages right, even pages left, one
  character in from the edge of the type area.
* Issuer and date (成文日期, Arabic numerals) right-aligned, the date four characters
  in from the right, the issuer centred over the date where it fits.

The East Asian font is set explicitly (``w:rFonts/@w:eastAsia``) on every run and on
the styles, because Word picks the CJK typeface from that attribute only. The bytes
are deterministic: fixed core properties dated the report day, no thumbnail, and
the zip normalised by :func:`duban.atomic.normalize_zip`.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Iterable, Sequence

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.atomic import normalize_zip, write_bytes
from duban.engine.state import TaskState
from duban.engine.weekly import WeeklyReport
from duban.zh import ESTIMATED, cn_date, cn_number, percent, width

# fonts (GB/T 9704-2012, 7.1 / 7.3 / 7.5)
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

# sizes in points: 2号, 3号, 4号, 小四
SIZE_2, SIZE_3, SIZE_4, SIZE_XIAO4 = 22, 16, 14, 12

LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
TABLE_LINE = Pt(18)
TYPE_WIDTH_MM = 156
CHAR = 16  # one body character in points
MAX_CHANGES = 60  # 本周动态 entries shown before "另有 N 条"
NONE = "无。"


_PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)

# style id -> (Chinese name shown in Word, font, size, outline level or None)
_STYLES = {
    "DubanTitle": ("公文标题", XIAOBIAOSONG, SIZE_2, None),
    "DubanBody": ("公文正文", FANGSONG, SIZE_3, None),
    "DubanHeading1": ("一级标题", HEITI, SIZE_3, 0),
    "DubanHeading2": ("二级标题", KAITI, SIZE_3, 1),
    "DubanHeading3": ("三级标题", FANGSONG, SIZE_3, 2),
    "DubanTable": ("表格文字", FANGSONG, SIZE_XIAO4, None),
}
_HEADING_STYLE = {1: "DubanHeading1", 2: "DubanHeading2", 3: "DubanHeading3"}
_HEADING_FONT = {1: HEITI, 2: KAITI, 3: FANGSONG}

# ---------------------------------------------------------------- small helpers


def display_chars(text: str) -> float:
    """Width in body characters: CJK and full-width count 1, everything else ½."""
    return width(text) / 2


def week_line(report: WeeklyReport) -> str:
    """（2024年第23周：6月3日—6月9日）; years shown on both ends when the week spans two."""
    year, week = report.week.split("-W")
    s, e = report.start, report.end
    if s.year == e.year == int(year):
        span = f"{s.month}月{s.day}日—{e.month}月{e.day}日"
    else:
        span = f"{cn_date(s)}—{cn_date(e)}"
    return f"（{year}年第{int(week)}周：{span}）"


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


def _end(text: str) -> str:
    """Text ending with sentence punctuation."""
    text = text.rstrip()
    return text if text.endswith(("。", "！", "？", "；", "：")) else text + "。"


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


# ---------------------------------------------------------------- oxml helpers


def _ppr_child(pPr, tag: str):
    """The ``tag`` child of a w:pPr, inserted in schema order when missing."""
    found = pPr.find(qn(tag))
    if found is not None:
        return found
    el = OxmlElement(tag)
    pPr.insert_element_before(el, *_PPR_SEQ[_PPR_SEQ.index(tag) + 1:])
    return el


def _set_fonts(rPr, east_asia: str, latin: str | None = None) -> None:
    """Explicit fonts on a w:rPr: eastAsia for CJK, ascii/hAnsi/cs for the rest; theme fonts dropped."""
    latin = latin or east_asia
    rFonts = rPr.get_or_add_rFonts()
    for name in list(rFonts.attrib):
        if name.lower().endswith("theme"):
            del rFonts.attrib[name]
    rFonts.set(qn("w:ascii"), latin)
    rFonts.set(qn("w:hAnsi"), latin)
    rFonts.set(qn("w:eastAsia"), east_asia)
    rFonts.set(qn("w:cs"), latin)


def _no_snap(paragraph) -> None:
    """Take a paragraph off the character grid (titles, tables, footers, figures)."""
    _ppr_child(paragraph._p.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")


def _indent_chars(paragraph, first_line: int | None = None, right: int | None = None, left: int | None = None) -> None:
    """Indents in hundredths of a character (grid-aware in Word), with the point equivalents too."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for attr, value in (("firstLine", first_line), ("right", right), ("left", left)):
        if value is not None:
            ind.set(qn(f"w:{attr}"), str(round(value * CHAR * 20 / 100)))  # twips
            ind.set(qn(f"w:{attr}Chars"), str(value))


def _run(paragraph, text: str = "", font: str = FANGSONG, size: float = SIZE_3, bold: bool = False, latin: str | None = None):
    run = paragraph.add_run(text)
    _set_fonts(run._r.get_or_add_rPr(), font, latin)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    return run


def _field(paragraph, instruction: str, cached: str, font: str, size: float) -> None:
    """A complex field (begin / instrText / separate / cached result / end), every run with fonts."""
    def fld_run(kind: str | None = None, instr: str | None = None, text: str | None = None):
        run = _run(paragraph, "", font, size)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            run._r.append(el)
        if text:
            run.text = text
    fld_run(kind="begin")
    fld_run(instr=f" {instruction} ")
    fld_run(kind="separate")
    fld_run(text=cached)
    fld_run(kind="end")


# ---------------------------------------------------------------- document set-up


def _setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rPr, FANGSONG)
    rPr.find(qn("w:sz")).set(qn("w:val"), str(SIZE_3 * 2))
    rPr.find(qn("w:szCs")).set(qn("w:val"), str(SIZE_3 * 2))
    lang = rPr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = Pt(SIZE_3)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True

    for style_id, (name, font, size, outline) in _STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = normal
        style.quick_style = True
        _set_fonts(style.element.get_or_add_rPr(), font)
        style.font.size = Pt(size)
        style.font.bold = False
        pf = style.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        if style_id == "DubanTable":
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = TABLE_LINE
            pf.first_line_indent = Pt(0)
        else:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = LINE_PITCH
        if style_id == "DubanTitle":
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.first_line_indent = Pt(0)
        elif style_id != "DubanTable":
            pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            pf.first_line_indent = Pt(2 * CHAR)
            style.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
        if outline is not None:
            pf.keep_with_next = True
            _ppr_child(style.element.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(outline))
    styles["公文正文"].next_paragraph_style = styles["公文正文"]
    for sid in ("DubanHeading1", "DubanHeading2", "DubanHeading3", "DubanTitle"):
        styles[_STYLES[sid][0]].next_paragraph_style = styles["公文正文"]


def _setup_page(doc) -> None:
    section = doc.sections[0]
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.header_distance = Mm(15)
    # the 一字线 of the page number sits about 7 mm below the type area
    section.footer_distance = Mm(25)
    section.gutter = Mm(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # 22 lines a page at a 28.95 pt pitch. No character grid: Word, WPS and LibreOffice
    # space characters on it differently (LibreOffice spreads lines to ~14 characters);
    # 16 pt characters in the 156 mm type area give the standard's 28 a line by themselves.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    if grid.get(qn("w:charSpace")) is not None:
        del grid.attrib[qn("w:charSpace")]


def _setup_settings(doc) -> None:
    settings = doc.settings
    settings.odd_and_even_pages_header_footer = True
    el = settings.element
    preview = el.find(qn("w:savePreviewPicture"))
    if preview is not None:
        el.remove(preview)
    lang = el.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    # no thumbnail of the template's empty page
    rels = doc.part.package.rels
    for rId in [r for r, rel in rels.items() if rel.reltype.endswith("/thumbnail")]:
        rels.pop(rId)


def _footer(doc) -> None:
    section = doc.sections[0]
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p._p.style = None
        p.alignment = align
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.first_line_indent = Pt(0)
        # 单页码居右空一字，双页码居左空一字
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            pf.right_indent = Pt(SIZE_4)
        else:
            pf.left_indent = Pt(SIZE_4)
        _no_snap(p)
        _run(p, "— ", SONGTI, SIZE_4)
        _field(p, "PAGE", "1", SONGTI, SIZE_4)
        _run(p, " —", SONGTI, SIZE_4)


def _core_properties(doc, report: WeeklyReport) -> None:
    stamp = dt.datetime.combine(report.report_date, dt.time())
    cp = doc.core_properties
    cp.author = "duban"
    cp.last_modified_by = "duban"
    cp.created = stamp
    cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1
    cp.title = report.title
    cp.subject = week_line(report).strip("（）")
    cp.keywords = f"督办 周报 {report.week}"
    cp.comments = ""
    cp.category = "周报"
    cp.language = "zh-CN"
    cp.content_status = ""
    cp.identifier = ""
    cp.version = ""


# ---------------------------------------------------------------- writer


class _Writer:
    def __init__(self, report: WeeklyReport):
        self.report = report
        self.snap = report.snapshot
        self.doc = Document()
        _setup_styles(self.doc)
        _setup_page(self.doc)
        _setup_settings(self.doc)
        _core_properties(self.doc, report)
        _footer(self.doc)
        # the template's document body is empty except for the sectPr

    # --- paragraphs

    def paragraph(self, text: str = "", style: str = "DubanBody", font: str = FANGSONG, size: float = SIZE_3,
                  bold: bool = False):
        p = self.doc.add_paragraph()
        p._p.style = style  # by id: python-docx's style look-up by name scans every style
        if text:
            _run(p, text, font, size, bold)
        return p

    def body(self, text: str):
        return self.paragraph(text)

    def heading(self, level: int, text: str):
        return self.paragraph(text, _HEADING_STYLE[level], _HEADING_FONT[level])

    def items(self, lines: Iterable[str]) -> None:
        lines = list(lines)
        if not lines:
            self.body(NONE)
        for i, line in enumerate(lines, 1):
            self.body(f"{i}. {line}")

    def units(self, units: Sequence[str]) -> str:
        return self.snap.repo.unit_names(units)

    def task_line(self, s: TaskState) -> str:
        return _end(f"{s.task.id} {s.task.title}（{self.units(s.task.lead_units)}）：{s.reason}")

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
                _no_snap(p)
                _run(p, str(value), FANGSONG, SIZE_XIAO4, bold=(r == 0))

    # --- sections

    def title(self) -> None:
        p = self.paragraph(style="DubanTitle")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_snap(p)
        lines = split_title(self.report.title)
        run = _run(p, lines[0], XIAOBIAOSONG, SIZE_2)
        for line in lines[1:]:
            run.add_break()
            run.add_text(line)
        # the week as a subtitle: 3号楷体 under the 2号 title
        p = self.paragraph(week_line(self.report), style="DubanTitle", font=KAITI, size=SIZE_3)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_snap(p)
        self.paragraph()  # 标题下空一行

    def overview(self) -> None:
        rep = self.report
        self.heading(1, "一、总体情况")
        parts = [f"{label} {value}" + (" 项" if value.isdigit() else "") for label, value in rep.headline()]
        self.body(f"主要指标：{'，'.join(parts)}。")
        for line in rep.summary_lines():
            self.body(_end(line))

    def new_this_week(self) -> None:
        rep = self.report
        self.heading(1, "二、本周新销号和新增逾期任务")
        self.heading(2, f"（一）本周新销号任务（{len(rep.newly_closed)} 项）")
        self.items(self.task_line(s) for s in rep.newly_closed)
        self.heading(2, f"（二）本周新增逾期任务（{len(rep.newly_overdue)} 项）")
        self.items(self.task_line(s) for s in rep.newly_overdue)

    def overdue(self) -> None:
        rep = self.report
        self.heading(1, "三、逾期未完成任务")
        if not rep.overdue:
            self.body(NONE)
            return
        self.body(f"截至{cn_date(rep.as_of)}，逾期未完成任务 {len(rep.overdue)} 项，按逾期天数由长到短排列如下：")
        rows = [(str(i), s.task.id, s.task.title, self.units(s.task.lead_units), _iso(s.due), str(s.days_overdue), s.reason)
                for i, s in enumerate(rep.overdue, 1)]
        self.table(OVERDUE_HEADERS, rows, (10, 22, 36, 22, 23, 13, 30), (True, True, False, False, True, True, False))

    def due_soon(self) -> None:
        rep = self.report
        days = self.snap.settings.upcoming_days
        self.heading(1, "四、近期到期任务")
        if not rep.due_soon:
            self.body(NONE)
            return
        self.body(f"未来 {days} 天内（至{cn_date(rep.as_of + dt.timedelta(days=days))}）到期的任务 {len(rep.due_soon)} 项：")
        rows = [(str(i), s.task.id, s.task.title, self.units(s.task.lead_units), _iso(s.due), s.reason)
                for i, s in enumerate(rep.due_soon, 1)]
        self.table(("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "状态说明"), rows,
                   (10, 22, 42, 24, 23, 35), (True, True, False, False, True, False))

    def stale_and_missed(self) -> None:
        rep = self.report
        self.heading(1, "五、滞报和会议缺报")
        headers = ("序号", "任务编号", "任务名称", "未报单位", "情况说明")
        widths = (10, 22, 40, 34, 50)
        centred = (True, True, False, False, False)
        self.heading(2, f"（一）滞报任务（{len(rep.stale)} 项）")
        if rep.stale:
            rows = [(str(i), s.task.id, s.task.title, self.units([m.unit for m in s.current_misses]), s.reason)
                    for i, s in enumerate(rep.stale, 1)]
            self.table(headers, rows, widths, centred)
        else:
            self.body(NONE)
        by_task: dict[str, tuple[TaskState, list[str]]] = {}
        for s, miss in rep.missed:
            by_task.setdefault(s.task.id, (s, []))[1].append(miss.unit)
        self.heading(2, f"（二）会议缺报（{len(by_task)} 项任务，{len(rep.missed)} 个单位次）")
        if by_task:
            rows = [(str(i), s.task.id, s.task.title, self.units(units), s.reason)
                    for i, (s, units) in enumerate(by_task.values(), 1)]
            self.table(("序号", "任务编号", "任务名称", "缺报单位", "情况说明"), rows, widths, centred)
        else:
            self.body(NONE)

    def unit_ranking(self) -> None:
        rep = self.report
        self.heading(1, "六、各单位落实情况")
        if not rep.units:
            self.body(NONE)
            return
        self.body("按逾期任务数由多到少、按期完成率由低到高排列（只计牵头任务）：")
        rows = [(str(i), t.name, str(t.total), str(t.closed), str(t.overdue), str(t.max_days_overdue), str(t.stale),
                 percent(t.on_time_rate))
                for i, t in enumerate(rep.units, 1)]
        self.table(UNIT_HEADERS, rows, (12, 38, 16, 16, 14, 22, 18, 20), (True, False) + (True,) * 6)

    def case_kinds(self) -> None:
        rep = self.report
        self.heading(1, "七、台账统计")
        if not rep.kinds:
            self.body(NONE)
            return
        rows = [(k.label, *("—" if v is None else str(v) for v in k.figures()[:-1]),
                 percent(k.figures()[-1]) if k.has_deadline else "—")
                for k in rep.kinds]
        self.table(KIND_HEADERS, rows, (34, 16, 16, 16, 16, 16, 16, 26), (False,) + (True,) * 7)

    def changes(self) -> None:
        rep = self.report
        self.heading(1, "八、本周动态")
        if not rep.changes:
            self.body(NONE)
            return
        groups: dict[str, list] = {}
        for c in rep.changes:
            groups.setdefault(c.what, []).append(c)
        shown = 0
        for n, (what, changes) in enumerate(groups.items(), 1):
            if shown >= MAX_CHANGES:
                break
            self.heading(2, f"（{cn_number(n)}）{what}（{len(changes)} 条）")
            for i, c in enumerate(changes, 1):
                if shown >= MAX_CHANGES:
                    break
                # 台账 entries already start with their subject (the kind's label)
                who = c.unit if c.text.startswith(c.subject) else f"{c.subject}（{c.unit}）"
                self.body(_end(f"{i}. {c.date.month}月{c.date.day}日，{who}：{c.text}"))
                shown += 1
        if len(rep.changes) > shown:
            self.body(f"另有 {len(rep.changes) - shown} 条，详见电子表格。")

    def signature(self) -> None:
        rep = self.report
        if rep.estimated:
            self.body(f"注：{ESTIMATED}。")
        self.paragraph()  # 正文下空一行
        date = cn_date(rep.report_date)
        if rep.issuer:
            p = self.paragraph(rep.issuer)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            # centred over the date where it fits (date: 4 characters from the right)
            right = 4 + (display_chars(date) - display_chars(rep.issuer)) / 2
            p.paragraph_format.first_line_indent = Pt(0)
            _indent_chars(p, first_line=0, right=max(0, round(right * 100)))
        p = self.paragraph(date)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        _indent_chars(p, first_line=0, right=400)  # 成文日期右空四字

    def build(self) -> bytes:
        self.title()
        self.overview()
        self.new_this_week()
        self.overdue()
        self.due_soon()
        self.stale_and_missed()
        self.unit_ranking()
        self.case_kinds()
        self.changes()
        self.signature()
        out = io.BytesIO()
        self.doc.save(out)
        return normalize_zip(out.getvalue())


UNIT_HEADERS = ("排名", "单位", "牵头任务", "已销号", "逾期", "最长逾期天数", "滞报缺报", "按期完成率")
KIND_HEADERS = ("类别", "本周新增", "本周办结", "其中按期", "在办", "其中逾期", "累计办结", "按期办结率")
OVERDUE_HEADERS = ("序号", "任务编号", "任务名称", "牵头单位", "完成时限", "逾期天数", "状态说明")
SECTION_HEADINGS = ("一、总体情况", "二、本周新销号和新增逾期任务", "三、逾期未完成任务", "四、近期到期任务",
                    "五、滞报和会议缺报", "六、各单位落实情况", "七、台账统计", "八、本周动态")


def docx_bytes(report: WeeklyReport) -> bytes:
    """The Word report's bytes (deterministic for the same records and week)."""
    return _Writer(report).build()


def write_docx(report: WeeklyReport, path: Path | str) -> Path:
    """Write the weekly report as a Word document (tables only; the charts are on the site)."""
    return write_bytes(path, docx_bytes(report))
