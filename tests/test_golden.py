"""Golden outputs: a fixed slice of the shipped records rendered as of a fixed date, compared file by file.

A renderer that changes shows up as a reviewable diff of ``tests/golden/expected/``;
``pytest --update-golden`` (or ``DUBAN_UPDATE_GOLDEN=1``) rewrites them. Word and
Excel files are compared as normalised dumps, not bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from functools import lru_cache
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import ROOT
from docx.oxml.ns import qn

GOLDEN = Path(__file__).resolve().parent / "golden"
EXPECTED = GOLDEN / "expected"
WEEKS = ("2024-W14", "2024-W16")  # a week with new overdue tasks; one with stale and missed reports
WEEK = WEEKS[-1]
AS_OF = dt.date(2024, 4, 21)  # the Sunday of WEEK
MONTH = "2024-03"  # a month with a stale and a missed report
TASK_PAGE = "tasks/T-2-3-02.md"
UNIT_PAGE = "units/luoyang.md"


def docx_dump(data: bytes) -> str:
    """Paragraphs (body, tables, footers) with style names and the fonts and sizes of their runs."""
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []

    def runs(p) -> str:
        parts = []
        for r in p.runs:
            rpr = r._r.rPr
            fonts = rpr.rFonts if rpr is not None else None
            east = fonts.get(qn("w:eastAsia")) if fonts is not None else None
            size = r.font.size.pt if r.font.size else None
            parts.append(f"{east or '-'}/{size or '-'}{'/b' if r.font.bold else ''}")
        return " ".join(dict.fromkeys(parts))

    body = document.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            p = docx.text.paragraph.Paragraph(child, document)
            lines.append(f"[{p.style.name}] {runs(p)} | {p.text}")
        elif child.tag == qn("w:tbl"):
            table = docx.table.Table(child, document)
            lines.append("[table]")
            for row in table.rows:
                lines.append("  | " + " | ".join(c.text for c in row.cells))
    section = document.sections[0]
    for name, footer in (("odd footer", section.footer), ("even footer", section.even_page_footer)):
        for p in footer.paragraphs:
            lines.append(f"[{name}] {runs(p)} | {p.text}")
    return "\n".join(lines) + "\n"


def xlsx_dump(data: bytes) -> str:
    """Every sheet: its name, then each non-empty cell's coordinate, value and number format."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    lines: list[str] = []
    for ws in wb.worksheets:
        lines.append(f"== {ws.title} ({ws.max_row}×{ws.max_column}, freeze {ws.freeze_panes}, filter {ws.auto_filter.ref})")
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                fmt = "" if cell.number_format == "General" else f" [{cell.number_format}]"
                value = cell.value.date().isoformat() if isinstance(cell.value, dt.datetime) else repr(cell.value)
                lines.append(f"{cell.coordinate}: {value}{fmt}")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def outputs() -> dict[str, str]:
    """Every golden output, regenerated from the fixture: file name -> text."""
    import tempfile

    from duban.engine.snapshot import evaluate
    from duban.engine.weekly import weekly_report
    from duban.outputs import report_md
    from duban.outputs.docx_report import docx_bytes
    from duban.outputs.site.pages import generate
    from duban.outputs.terminal import status
    from duban.outputs.xlsx_report import xlsx_bytes
    from duban.records.model import open_repository

    tmp = Path(tempfile.mkdtemp(prefix="duban-golden-"))
    try:
        shutil.copytree(ROOT / "schemas", tmp / "schemas")
        shutil.copytree(GOLDEN / "repo" / "records", tmp / "records")
        repo = open_repository(tmp)
        snapshot = evaluate(repo, AS_OF)
        pages = generate(snapshot, ROOT / "docs", list(WEEKS))
        out = {}
        for week in WEEKS:
            report = weekly_report(repo, week)
            out[f"weekly-{week}.md"] = report_md.render(report)
            out[f"weekly-{week}.summary.md"] = report_md.summary(report)
        from duban.engine.monthly import monthly_report
        from duban.outputs import monthly_report as monthly_outputs

        out[f"monthly-{MONTH}.md"] = monthly_outputs.render(monthly_report(repo, MONTH))
        out |= {
            f"weekly-{WEEK}.docx.txt": docx_dump(docx_bytes(report)),
            f"weekly-{WEEK}.xlsx.txt": xlsx_dump(xlsx_bytes(report)),
            "status.txt": status(snapshot),
            "status-luoyang.txt": status(snapshot, "luoyang"),
            "page-" + TASK_PAGE.replace("/", "-"): pages[TASK_PAGE],
            "page-" + UNIT_PAGE.replace("/", "-"): pages[UNIT_PAGE],
        }
        for rel, content in sorted(pages.items()):
            if rel.startswith("data/") and rel.endswith(".csv"):
                out["opendata-" + rel[len("data/"):]] = content.lstrip("\ufeff")
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


NAMES = sorted(p.name for p in EXPECTED.iterdir()) if EXPECTED.is_dir() else []


def test_every_output_has_a_golden_file(update_golden):
    produced = set(outputs())
    if update_golden:
        EXPECTED.mkdir(parents=True, exist_ok=True)
        for stale in set(NAMES) - produced:
            (EXPECTED / stale).unlink()
        for name, text in outputs().items():
            (EXPECTED / name).write_text(text, encoding="utf-8", newline="\n")
    on_disk = {p.name for p in EXPECTED.iterdir()}
    assert produced == on_disk, f"missing golden files: {produced - on_disk}; stale: {on_disk - produced}"


@pytest.mark.parametrize("name", NAMES)
def test_golden(name, update_golden):
    produced = outputs()
    assert name in produced, f"{name} is no longer produced; rerun with --update-golden if intended"
    if update_golden:
        return
    expected = (EXPECTED / name).read_text(encoding="utf-8")
    assert produced[name] == expected, (
        f"{name} differs from tests/golden/expected/{name}; if the change is intended, "
        "run pytest tests/test_golden.py --update-golden and review git diff")
