"""A Word document set up as a 公文: A4 with the standard margins, a 22-line grid, Chinese styles, page numbers."""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from duban.outputs.gongwen.fonts import (
    CHAR,
    FANGSONG,
    HEITI,
    KAITI,
    LINE_PITCH,
    SIZE_2,
    SIZE_3,
    SIZE_4,
    SIZE_XIAO4,
    SONGTI,
    TABLE_LINE,
    XIAOBIAOSONG,
)
from duban.outputs.gongwen.oxml import field, no_snap, ppr_child, run, set_fonts

# style id -> (Chinese name shown in Word, font, size, outline level or None)
STYLES = {
    "DubanTitle": ("公文标题", XIAOBIAOSONG, SIZE_2, None),
    "DubanBody": ("公文正文", FANGSONG, SIZE_3, None),
    "DubanHeading1": ("一级标题", HEITI, SIZE_3, 0),
    "DubanHeading2": ("二级标题", KAITI, SIZE_3, 1),
    "DubanHeading3": ("三级标题", FANGSONG, SIZE_3, 2),
    "DubanTable": ("表格文字", FANGSONG, SIZE_XIAO4, None),
}
HEADING_STYLE = {1: "DubanHeading1", 2: "DubanHeading2", 3: "DubanHeading3"}
HEADING_FONT = {1: HEITI, 2: KAITI, 3: FANGSONG}


def setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rPr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rPr, FANGSONG)
    rPr.find(qn("w:sz")).set(qn("w:val"), str(SIZE_3 * 2))
    rPr.find(qn("w:szCs")).set(qn("w:val"), str(SIZE_3 * 2))
    lang = rPr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")

    normal = styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    normal.font.size = Pt(SIZE_3)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True

    for style_id, (name, font, size, outline) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = style_id
        style.base_style = normal
        style.quick_style = True
        set_fonts(style.element.get_or_add_rPr(), font)
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
        # no automatic gap between Chinese and digits: 任务总数64项 is set solid, as 公文 are
        for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
            ppr_child(style.element.get_or_add_pPr(), tag).set(qn("w:val"), "0")
        if outline is not None:
            pf.keep_with_next = True
            ppr_child(style.element.get_or_add_pPr(), "w:outlineLvl").set(qn("w:val"), str(outline))
    styles["公文正文"].next_paragraph_style = styles["公文正文"]
    for sid in ("DubanHeading1", "DubanHeading2", "DubanHeading3", "DubanTitle"):
        styles[STYLES[sid][0]].next_paragraph_style = styles["公文正文"]


def setup_page(doc) -> None:
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


def setup_settings(doc) -> None:
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


def footer(doc) -> None:
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
        no_snap(p)
        run(p, "— ", SONGTI, SIZE_4)
        field(p, "PAGE", "1", SONGTI, SIZE_4)
        run(p, " —", SONGTI, SIZE_4)
