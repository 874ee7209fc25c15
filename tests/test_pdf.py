"""The Word and Excel reports as a reader's software lays them out: rendered to PDF by LibreOffice.

LibreOffice substitutes fonts the build machine lacks (方正小标宋简体, 仿宋_GB2312 …), which is fine for
the geometry checked here: 28 characters on a full body line and 22 lines on a full page (GB/T 9704-2012),
the red 版头 on page 1, the 版记 on the last page, page numbers "— N —"; and a workbook that prints in a
few pages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import make_repo, unavailable

pytestmark = pytest.mark.slow  # LibreOffice: skip locally with -m "not slow"

INSTALL = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils"


def office() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found or not shutil.which("pdftotext"):
        unavailable("LibreOffice or poppler-utils is not installed", INSTALL)
    return found


def to_pdf(path: Path) -> Path:
    profile = path.parent / "lo-profile"
    subprocess.run([office(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(path.parent), str(path)], check=True, capture_output=True, timeout=180)
    pdf = path.with_suffix(".pdf")
    assert pdf.is_file(), f"LibreOffice made no PDF of {path.name}"
    return pdf


def pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return [[line.strip() for line in page.splitlines()] for page in text.split("\f") if page.strip()]


def red_pixels(pdf: Path, page: int, top_fraction: float = 0.3) -> int:
    """Pure red pixels in the top part of a page (rendered by pdftoppm as a binary PPM)."""
    raw = subprocess.run(["pdftoppm", "-r", "30", "-f", str(page), "-l", str(page), str(pdf)], check=True,
                         capture_output=True).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", raw)
    width, height = int(header.group(1)), int(header.group(2))
    pixels = raw[header.end():]
    rows = int(height * top_fraction)
    count = 0
    for i in range(0, rows * width * 3, 3):
        r, g, b = pixels[i], pixels[i + 1], pixels[i + 2]
        count += r > 200 and g < 80 and b < 80
    return count


def test_a_full_page_holds_22_lines_of_28_characters(tmp_path):
    from duban.outputs.gongwen.document import GongwenDocument

    office()
    doc = GongwenDocument()
    sentence = "坚持和发展新时代枫桥经验推动社会矛盾纠纷多元预防调处化解工作落地见效"  # no digits, no punctuation
    for _ in range(6):
        doc.body(sentence * 6)
    path = tmp_path / "grid.docx"
    path.write_bytes(doc.to_bytes())
    first = [line for line in pages(to_pdf(path))[0] if line and not line.startswith("—")]
    assert len(first) == 22, first
    full = [line for line in first if len(line) == 28]
    assert len(full) >= 15, [len(line) for line in first]  # every line but a paragraph's first and last
    assert max(len(line) for line in first) == 28


@pytest.fixture(scope="module")
def weekly_pdf(tmp_path_factory):
    from duban.engine.weekly import weekly_report
    from duban.outputs.docx_report import write_docx
    from duban.records.model import open_repository
    from test_report_files import EXTRA, WEEK

    office()
    root = make_repo(tmp_path_factory.mktemp("pdf") / "repo")
    for rel, text in EXTRA.items():
        target = root / "records" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    path = write_docx(weekly_report(open_repository(root), WEEK), root.parent / f"{WEEK}.docx")
    return to_pdf(path)


def test_weekly_report_masthead_colophon_and_page_numbers(weekly_pdf):
    found = pages(weekly_pdf)
    assert len(found) >= 2
    head = [line.replace(" ", "") for line in found[0][:8]]  # pdftotext spaces digits apart from CJK
    assert "主动创稳工作周报" in head and "第52期" in head
    assert red_pixels(weekly_pdf, 1) > 200  # the red 发文机关标志 and rule
    assert red_pixels(weekly_pdf, len(found)) == 0 or len(found) == 1
    last = " ".join(found[-1])
    assert "抄送：" in last and "印发" in last  # the 版记 on the last page
    assert not any("抄送：" in " ".join(p) for p in found[:-1])
    for n, page in enumerate(found, 1):
        number = [line for line in page if re.fullmatch(r"—\s*\d+\s*—", line)]
        assert number and re.sub(r"\s", "", number[-1]) == f"—{n}—", (n, page[-3:])


def test_workbook_prints_on_a_few_pages(tmp_path):
    from duban.engine.weekly import weekly_report
    from duban.outputs.xlsx_report import write_xlsx
    from duban.records.model import open_repository
    from test_report_files import EXTRA, WEEK

    office()
    root = make_repo(tmp_path / "repo")
    for rel, text in EXTRA.items():
        target = root / "records" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    path = write_xlsx(weekly_report(open_repository(root), WEEK), tmp_path / f"{WEEK}.xlsx")
    found = pages(to_pdf(path))
    sheets = 10
    assert len(found) <= sheets + 2, len(found)  # about one page a sheet, not dozens
    assert any("统计截至2024年6月9日" in " ".join(p).replace(" ", "") for p in found)
