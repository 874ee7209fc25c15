"""A register volume is written as an HTML table: it must be exactly what Python-Markdown makes of the Markdown
table it replaces (hostile record text included), with its links where MkDocs would have put them."""

import datetime as dt
from html.parser import HTMLParser

import markdown
import pytest
from conftest import ROOT
from duban.engine.snapshot import evaluate
from duban.outputs.md import cell, esc, html_table, table
from duban.outputs.site.pages import generate
from duban.outputs.site.pages.context import Context, _href_function
from duban.records.model import open_repository
from test_escape import PAYLOADS

EXTENSIONS = ["admonition", "attr_list", "tables", "pymdownx.details"]  # mkdocs.yml's, less toc (no headings here)


class Tokens(HTMLParser):
    """A page fragment as tags, attributes and text, whitespace between tags left out."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.out: list[tuple] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.out.append(("start", tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag):
        self.out.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.out.append(("text", data))


def markdown_html(text: str) -> list[tuple]:
    return Tokens(markdown.markdown(text, extensions=EXTENSIONS)).out


def test_hostile_cells_read_as_python_markdown_reads_them():
    rows = [[esc(p), cell(p), f"[{esc(p)}](../../units/aa.md)", f'<b>标题</b>：{esc(p)}<br>{esc(p)}'] for p in PAYLOADS]
    rows.append([esc(r"\[x](y)"), esc("a\\"), "[乙镇](../../units/bb.md#x \"乙\")", esc("1986. 年")])
    headers = ["甲", esc("乙|丙"), "丁", "戊"]
    assert Tokens(html_table(headers, rows, lambda link: link)).out == markdown_html(table(headers, rows))


def test_shipped_register_volumes_match_their_markdown_tables():
    snap = evaluate(open_repository(ROOT), dt.date(2026, 11, 20))
    site = Context(snap, ROOT / "docs")
    compared = 0
    for kind in site.repo.case_kinds():
        for name, _, chunk in site.case_volumes[kind.name][:3]:
            page = f"registers/{kind.name}/{name}.md"
            headers, rows = site._case_rows(kind.name, chunk, "../../", True)
            # the links as written: Python-Markdown leaves them so (MkDocs rewrites them, see the next test)
            assert Tokens(html_table(headers, rows, lambda link: link)).out == markdown_html(table(headers, rows))
            assert site.case_html_table(kind.name, chunk, page) == html_table(headers, rows, site.href(page))
            compared += len(chunk)
    assert compared > 100


@pytest.mark.parametrize("directory_urls, page, link, expected", [
    (True, "registers/hazard/aa-2024.md", "../../units/aa.md", "../../../units/aa/"),
    (True, "registers/hazard/aa-2024.md", "../../tasks/T-2-1-01.md#x", "../../../tasks/T-2-1-01/#x"),
    (True, "registers/hazard/aa-2024.md", "index.md", "../"),
    (False, "registers/hazard/aa-2024.md", "../../units/aa.md", "../../units/aa.html"),
    (True, "registers/hazard/aa-2024.md", "#case-1", "#case-1"),
])
def test_links_get_the_address_mkdocs_gives_them(directory_urls, page, link, expected):
    assert _href_function(page, directory_urls)(link) == expected


def test_register_volumes_are_a_small_page_and_their_tables_file():
    snap = evaluate(open_repository(ROOT), dt.date(2026, 11, 20))
    pages = generate(snap, ROOT / "docs", [], [])
    volumes = [p for p in pages if p.startswith("registers/") and p.count("/") == 2 and p.endswith(".table.html")]
    assert volumes
    for path in volumes:
        page = pages[path.replace(".table.html", ".md")]
        name = path.rsplit("/", 1)[1]
        assert f'<div class="duban-fragment" data-src="../{name}">' in page and "<table>" not in page, path
        assert f'<a href="../{name}">直接打开表格</a>' in page  # without JavaScript the table is one click away
        assert pages[path].startswith("<table>") and 'href="../../../units/' in pages[path], path
