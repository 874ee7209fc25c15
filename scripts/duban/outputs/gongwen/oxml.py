"""Word XML details python-docx has no API for: fonts per script, grid snapping, character indents, fields.

Word picks the CJK typeface from ``w:rFonts/@w:eastAsia`` only, so every run and
style sets it explicitly; theme fonts are dropped.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from duban.outputs.escape import docx
from duban.outputs.gongwen.fonts import CHAR, CONDENSE, FANGSONG, SIZE_3
from duban.zh import typeset

PPR_SEQ = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)

def ppr_child(pPr, tag: str):
    """The ``tag`` child of a w:pPr, inserted in schema order when missing."""
    found = pPr.find(qn(tag))
    if found is not None:
        return found
    el = OxmlElement(tag)
    pPr.insert_element_before(el, *PPR_SEQ[PPR_SEQ.index(tag) + 1:])
    return el


def set_fonts(rPr, east_asia: str, latin: str | None = None) -> None:
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


def no_snap(paragraph) -> None:
    """Take a paragraph off the character grid (titles, tables, footers, figures)."""
    ppr_child(paragraph._p.get_or_add_pPr(), "w:snapToGrid").set(qn("w:val"), "0")


def indent_chars(paragraph, first_line: int | None = None, right: int | None = None, left: int | None = None) -> None:
    """Indents in hundredths of a character (grid-aware in Word), with the point equivalents too."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    for attr, value in (("firstLine", first_line), ("right", right), ("left", left)):
        if value is not None:
            ind.set(qn(f"w:{attr}"), str(round(value * CHAR * 20 / 100)))  # twips
            ind.set(qn(f"w:{attr}Chars"), str(value))


def run(paragraph, text: str = "", font: str = FANGSONG, size: float = SIZE_3, bold: bool = False, latin: str | None = None,
        colour: str | None = None):
    """A run with explicit fonts, its text set the Chinese way (``zh.typeset``); body-size (3号) text condensed so
    that 28 characters fill a line."""
    r = paragraph.add_run(typeset(docx(text)))
    rPr = r._r.get_or_add_rPr()
    set_fonts(rPr, font, latin)
    r.font.size = Pt(size)
    if bold:
        r.font.bold = True
    if colour:
        r.font.color.rgb = RGBColor.from_string(colour)
    if size == SIZE_3:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE))
        rPr.insert_element_before(spacing, *RPR_AFTER_SPACING)
    return r


# w:rPr children that come after w:spacing (ECMA-376 CT_RPr sequence)
RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                     "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                     "w:specVanish", "w:oMath")


def border(paragraph, edge: str, size_eighths: int, colour: str = "000000") -> None:
    """A full-width rule above or below a paragraph (``edge``: top or bottom; size in eighths of a point)."""
    pPr = paragraph._p.get_or_add_pPr()
    pBdr = ppr_child(pPr, "w:pBdr")
    el = OxmlElement(f"w:{edge}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), "1")
    el.set(qn("w:color"), colour)
    # schema order inside pBdr: top, left, bottom, right, between, bar
    order = ("top", "left", "bottom", "right", "between", "bar")
    for existing in list(pBdr):
        if order.index(existing.tag.split("}")[1]) > order.index(edge):
            existing.addprevious(el)
            return
    pBdr.append(el)


def right_tab(paragraph, position_twips: int) -> None:
    """A right-aligned tab stop (text after a tab ends at the type area's right edge)."""
    tabs = ppr_child(paragraph._p.get_or_add_pPr(), "w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(position_twips))
    tabs.append(tab)


def field(paragraph, instruction: str, cached: str, font: str, size: float) -> None:
    """A complex field (begin / instrText / separate / cached result / end), every run with fonts."""
    def fld_run(kind: str | None = None, instr: str | None = None, text: str | None = None):
        r = run(paragraph, "", font, size)
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        if text:
            r.text = text
    fld_run(kind="begin")
    fld_run(instr=f" {instruction} ")
    fld_run(kind="separate")
    fld_run(text=cached)
    fld_run(kind="end")
