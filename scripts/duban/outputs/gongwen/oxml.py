"""Word XML details python-docx has no API for: fonts per script, grid snapping, character indents, fields.

Word picks the CJK typeface from ``w:rFonts/@w:eastAsia`` only, so every run and
style sets it explicitly; theme fonts are dropped.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from duban.outputs.escape import docx
from duban.outputs.gongwen.fonts import CHAR, FANGSONG, SIZE_3

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


def run(paragraph, text: str = "", font: str = FANGSONG, size: float = SIZE_3, bold: bool = False, latin: str | None = None):
    r = paragraph.add_run(docx(text))
    set_fonts(r._r.get_or_add_rPr(), font, latin)
    r.font.size = Pt(size)
    if bold:
        r.font.bold = True
    return r


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
