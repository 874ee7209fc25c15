"""Every hostile payload (``tests/hostile/payloads.yaml``) through every output: it shows as the text typed, nothing runs.

The payloads go into the golden slice's records *after* validation (a task's title and
measures, a unit's short name), so outputs are tested on their own: the validator refuses
the control characters among them, and the outputs must still neither crash nor obey them.
Outputs: the site's HTML (the generated Markdown rendered with the site's extensions), the
robot's and the weekly issue's Markdown (``report_md.summary``), the Excel workbook, the Word
report and ``duban status``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import markdown as md_lib
import openpyxl
import pytest
import yaml
from conftest import ROOT
from duban.outputs.escape import docx as docx_text
from duban.outputs.escape import robot, terminal
from duban.records.text import FORBIDDEN, visible
from duban.zh import typeset
from pymdownx.slugs import slugify

PAYLOADS = yaml.safe_load((Path(__file__).parent / "hostile" / "payloads.yaml").read_text(encoding="utf-8"))
WEEK, AS_OF = "2024-W16", dt.date(2024, 4, 21)
EXTENSIONS = ["admonition", "attr_list", "tables", "toc", "pymdownx.details"]  # as in mkdocs.yml
CONFIGS = {"toc": {"permalink": True, "slugify": slugify(case="lower")}}


def one_line(text: str) -> str:
    return " ".join(visible(text).split())


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """The golden slice validated and modelled once; its weekly report for WEEK."""
    from duban.engine.weekly import weekly_report
    from duban.records.model import open_repository

    root = tmp_path_factory.mktemp("escape")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(ROOT / "tests" / "golden" / "repo" / "records", root / "records")
    repo = open_repository(root)
    report = weekly_report(repo, WEEK)
    return repo, report


def _set(obj, **values) -> None:
    for name, value in values.items():
        object.__setattr__(obj, name, value)  # the model is frozen; here we play a validator that missed it


@pytest.fixture(scope="module")
def snapshot(golden):
    """The golden slice as of AS_OF; its task states refer to the task objects the tests change in place."""
    from duban.engine.snapshot import Evaluator

    return Evaluator(golden[0]).at(AS_OF)


@pytest.fixture
def hostile_task(golden):
    """The longest-overdue task of the week (it appears in every output), restored after the test."""
    repo, report = golden
    task = report.overdue[0].task
    before = (task.title, task.measures)
    yield repo, report, task
    _set(task, title=before[0], measures=before[1])


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _section(html: str, start: str, end: str = "<h2") -> str:
    at = html.index(start)
    stop = html.find(end, at + len(start))
    return html[at + len(start): stop if stop != -1 else len(html)]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_site_html_shows_the_text(payload, hostile_task, snapshot):
    from duban.outputs.site.pages.context import Context
    from duban.outputs.site.pages.tasks import task_page

    repo, report, task = hostile_task
    _set(task, title=payload, measures=payload)
    assert snapshot.tasks[task.id].task is task
    page = task_page(Context(snapshot, ROOT / "docs"), snapshot.tasks[task.id])
    html = md_lib.markdown(page, extensions=EXTENSIONS, extension_configs=CONFIGS)
    heading = Elements()
    heading.feed(_section(html, "<h1", "</h1>"))
    assert heading.tags == ["a"]  # only the permalink
    assert "".join(heading.text).replace("¶", "").strip().split(">", 1)[-1].strip() == f"{task.id} {one_line(payload)}"
    measures = Elements()
    body = _section(html, 'id="具体措施"')
    measures.feed(body[body.index("</h2>") + 5:])
    assert measures.tags == ["p"], (measures.tags, html)  # one plain paragraph
    assert one_line("".join(measures.text)) == one_line(payload)
    for live in ("<script", "<img", "<font", 'href="http', "<details", 'class="admonition', "<hr", "<ul>\n<li>第一项",
                 "<ol", "<blockquote", "<strong>加粗"):
        assert live not in html, live


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_robot_and_issue_markdown_are_inert(payload, hostile_task):
    from duban.outputs.report_md import summary

    repo, report, task = hostile_task
    _set(task, title="基线")
    baseline = summary(report).splitlines()
    _set(task, title=payload)
    text = summary(report)
    assert len(text.splitlines()) == len(baseline)
    assert robot(payload) in text
    for live in ("](", "<", ">", "@", "://", "`", "*", "_", "#  ", "\x1b"):
        assert live not in text.replace("## ", "", 1), live
    assert not FORBIDDEN.search(text)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i}" for i in range(len(PAYLOADS))])
def test_terminal_prints_no_control_characters(payload, hostile_task, snapshot):
    from duban.outputs.terminal import status

    repo, report, task = hostile_task
    _set(task, title="基线")
    baseline = status(snapshot).splitlines()
    _set(task, title=payload)
    out = status(snapshot)
    assert not FORBIDDEN.search(out) and "\r" not in out and "\t" not in out
    assert len(out.splitlines()) == len(baseline)
    assert terminal(payload)[:8] in out


def _batches(tasks, payloads):
    n = len(tasks)
    return [payloads[i:i + n] for i in range(0, len(payloads), n)]


def test_excel_cells_hold_the_text_and_no_formula(golden):
    """Every task gets a payload (in batches); the workbook's 全部任务 sheet must hold each title as plain text."""
    from duban.outputs.xlsx_report import xlsx_bytes

    repo, report = golden
    tasks = [repo.tasks[t] for t in sorted(repo.tasks)]
    saved = [(t.title, t.measures) for t in tasks]
    try:
        for batch in _batches(tasks, PAYLOADS):
            for task, payload in zip(tasks, batch):
                _set(task, title=payload)
            wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))
            cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
            assert not [c.coordinate for c in cells if c.data_type == "f"]
            titles = {row[0].value: row[2] for row in wb["全部任务"].iter_rows(min_row=2)}
            for task, payload in zip(tasks, batch):
                cell = titles[task.id]
                assert cell.data_type == "s" and cell.value == visible(payload)
                if payload.startswith(("=", "+", "-", "@")):
                    assert cell.quotePrefix, payload
    finally:
        for task, (title, measures) in zip(tasks, saved):
            _set(task, title=title, measures=measures)


def test_word_runs_hold_the_text(golden):
    """Every payload in a 公文's title, body and table cells reads back as typed (control characters shown, never
    written raw); and in the weekly report, the overdue tasks' titles are in its table the same way."""
    from duban.outputs.docx_report import docx_bytes
    from duban.outputs.gongwen.document import GongwenDocument

    document = GongwenDocument()
    for payload in PAYLOADS:
        document.title(payload)
        document.body(payload)
    document.table(("甲", "乙"), [(p, p) for p in PAYLOADS], (40, 40), (False, False))
    read = docx.Document(io.BytesIO(document.to_bytes()))
    paragraphs = [" ".join(p.text.split()) for p in read.paragraphs]
    cells = [" ".join(row.cells[0].text.split()) for row in read.tables[0].rows[1:]]
    for payload in PAYLOADS:  # typeset: the spaces an editor types between Chinese and Latin are dropped
        assert " ".join(typeset(docx_text(payload)).split()) in paragraphs, payload
    assert cells == [" ".join(typeset(docx_text(p)).split()) for p in PAYLOADS]

    repo, report = golden
    tasks = [s.task for s in report.overdue]
    saved = [t.title for t in tasks]
    try:
        for task, payload in zip(tasks, PAYLOADS[::-1]):
            _set(task, title=payload)
        data = docx_bytes(report)
        table_cells = {" ".join(c.text.split()) for t in docx.Document(io.BytesIO(data)).tables for row in t.rows
                       for c in row.cells}
        for task in tasks:
            assert " ".join(docx_text(task.title).split()) in table_cells, task.title
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
        assert b"HYPERLINK" not in xml and b"<w:hyperlink" not in xml and b"<w:fldSimple" not in xml
    finally:
        for task, title in zip(tasks, saved):
            _set(task, title=title)


def test_escape_markdown_neutralises_block_starts():
    from duban.outputs.escape import markdown

    for text, shown in (("- x", "\\- x"), ("1986. x", "1986\\. x"), ("---", "\\---"), ("??? danger", "&#63;??"),
                        ("=== x", "&#61;== x"), ("2024-01-01", "2024-01-01"), ("66.7%", "66.7%")):
        assert markdown(text).startswith(shown), (text, markdown(text))
    assert re.fullmatch(r"零&lt;U\\\+200B&gt;宽", markdown("零\u200b宽"))


def test_open_data_csv_holds_no_formula(hostile_task, snapshot):
    """The open data is opened in Excel or WPS: a title that would start a formula gets a leading quote in the CSV,
    and the JSON keeps the exact text."""
    import csv
    import json

    from duban.outputs.site.pages.context import Context
    from duban.outputs.site.pages.opendata import open_data

    repo, report, task = hostile_task
    formula = '=HYPERLINK("http://example.invalid","点击查看")'
    raw = next(r for r in repo.raw["task"] if r["id"] == task.id)
    saved = dict(raw)
    raw.update(title=formula, measures="-1+2")
    site = Context(snapshot, ROOT / "docs")
    try:
        open_data(site)
    finally:
        raw.clear()
        raw.update(saved)
    rows = list(csv.DictReader(io.StringIO(site.pages["data/task.csv"].lstrip("\ufeff"))))
    row = next(r for r in rows if r["id"] == task.id)
    assert row["title"] == "'" + formula and row["measures"] == "'-1+2"
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+-@"]
    record = next(r for r in json.loads(site.pages["data/task.json"]) if r["id"] == task.id)
    assert record["title"] == formula
