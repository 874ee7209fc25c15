"""The Word and Excel weekly reports, opened again the way a user's software would read them."""

import dataclasses
import datetime as dt
import io
import re
import textwrap

import docx
import openpyxl
import pytest
from conftest import make_repo
from docx.oxml.ns import qn
from docx.shared import Pt
from duban.engine.weekly import WeeklyReport, weekly_report
from duban.outputs.docx_report import docx_bytes, write_docx
from duban.outputs.xlsx_report import write_xlsx
from duban.records.model import open_repository

WEEK = "2024-W23"  # Monday 2024-06-03 to Sunday 2024-06-09, dated Monday 2024-06-10
HEADINGS = ["一、总体情况", "二、本周新销号和新增逾期任务", "三、逾期未完成任务", "四、近期到期任务",
            "五、滞报和缺报", "六、待核销事项", "七、各单位落实情况", "八、台账统计", "九、本周动态"]

# The base fixture already has T-2-1-01 (限时, due 2024-03-31, lead 乙局: 70 days overdue on 2024-06-09),
# T-2-2-01 (weekly town meetings of 甲镇, none recorded: 缺报) and a dispute closed in February.
EXTRA = {
    # closed during the week
    "tasks/T-2-1-02.yaml": """\
        id: T-2-1-02
        plan: testplan
        clause: "2.1"
        title: 建立工作台账
        measures: 建立并动态更新工作台账。
        lead_units: [aa]
        deadline_text: 2024年6月底前
        timing: {mode: 限时, due: 2024-06-30}
        closure: {date: 2024-06-05, verified_by: sup, note: 台账已建立}
        """,
    # due within the next 14 days
    "tasks/T-2-1-03.yaml": """\
        id: T-2-1-03
        plan: testplan
        clause: "2.1"
        title: 开展专项排查
        measures: 开展一次专项排查。
        lead_units: [aa]
        partner_units: [bb]
        deadline_text: 2024年6月14日前
        timing: {mode: 限时, due: 2024-06-14}
        """,
    # ongoing, monthly reports, none for May: 滞报
    "tasks/T-2-2-02.yaml": """\
        id: T-2-2-02
        plan: testplan
        clause: "2.2"
        title: 常态化开展矛盾纠纷排查
        measures: 每月报送排查情况。
        lead_units: [bb]
        deadline_text: 长期坚持，每月报送
        timing: {mode: 长期坚持, report_cadence: 每月, start: 2024-01-01}
        """,
    "updates/T-2-1-01/2024-06-05-bb.yaml": """\
        task: T-2-1-01
        unit: bb
        date: 2024-06-05
        state: 推进中
        text: 办法已形成征求意见稿。
        """,
    # a dispute received during the week, still open
    "cases/disputes/MD-aa-2024-0002.yaml": """\
        id: MD-aa-2024-0002
        unit: aa
        category: 邻里纠纷
        source: 网格排查
        summary: 相邻两户因通行发生纠纷。
        received: 2024-06-04
        time_limit: {days: 15, unit: 工作日}
        parties: 2
        status_history:
          - {date: 2024-06-04, status: 受理}
        """,
}

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture repository (as the ``repo`` fixture builds it) plus a few records; both files written twice."""
    root = make_repo(tmp_path_factory.mktemp("reports") / "repo")
    for rel, text in EXTRA.items():
        path = root / "records" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    report = weekly_report(open_repository(root), WEEK)
    out = root.parent / "out"
    paths = {
        "docx": write_docx(report, out / "a.docx"),
        "xlsx": write_xlsx(report, out / "a.xlsx"),
        # rebuilt from the records, as a later run would
        "docx2": write_docx(weekly_report(open_repository(root), WEEK), out / "b.docx"),
        "xlsx2": write_xlsx(weekly_report(open_repository(root), WEEK), out / "b.xlsx"),
    }
    return report, paths


@pytest.fixture(scope="module")
def document(built):
    return docx.Document(str(built[1]["docx"]))


@pytest.fixture(scope="module")
def workbook(built):
    return openpyxl.load_workbook(built[1]["xlsx"])


def body_paragraphs(document):
    """Paragraphs outside tables, in order."""
    return list(document.paragraphs)


def all_runs(document):
    for p in document.paragraphs:
        yield from p.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    yield from p.runs


def east_asia(run):
    rPr = run._r.rPr
    fonts = rPr.rFonts if rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def text_of(document):
    return [p.text for p in body_paragraphs(document)]


def table_after(document, heading_text):
    """The first table following the paragraph whose text is ``heading_text``."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag == qn("w:p") and "".join(t.text or "" for t in child.iter(qn("w:t"))) == heading_text:
            seen = True
        elif seen and child.tag == qn("w:tbl"):
            return next(t for t in document.tables if t._tbl is child)
    raise AssertionError(f"no table after {heading_text}")


def cells(row):
    return [c.text for c in row.cells]


# ---------------------------------------------------------------- Word


def test_page_is_a4_with_gbt9704_margins(document):
    s = document.sections[0]
    for value, mm in ((s.page_width, 210), (s.page_height, 297), (s.top_margin, 37), (s.bottom_margin, 35),
                      (s.left_margin, 28), (s.right_margin, 26)):
        assert abs(value.mm - mm) < 0.5


def test_title_is_2hao_xiaobiaosong_with_the_week_as_subtitle(built, document):
    report = built[0]
    paragraphs = body_paragraphs(document)
    title = paragraphs[0]
    assert title.text.replace("\n", "") == report.title == "测试工作方案落实情况周报"
    assert title.alignment == 1  # centred
    for run in title.runs:
        assert run.font.size == Pt(22) and east_asia(run) == "方正小标宋简体"
    assert paragraphs[1].text == "（2024年第23周：6月3日—6月9日）"
    for run in paragraphs[1].runs:
        assert run.font.size == Pt(16) and east_asia(run) == "楷体_GB2312"


def test_every_run_has_an_east_asian_font(document):
    runs = list(all_runs(document))
    assert len(runs) > 50
    missing = [r.text for r in runs if not east_asia(r)]
    assert missing == []
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_body_text_is_3hao_fangsong_exact_28_95(document):
    body = [p for p in body_paragraphs(document) if p.style.name == "公文正文" and p.text]
    assert len(body) > 10
    for p in body:
        pf = p.paragraph_format if p.paragraph_format.line_spacing else p.style.paragraph_format
        assert pf.line_spacing_rule == docx.enum.text.WD_LINE_SPACING.EXACTLY
        assert abs(pf.line_spacing.pt - 28.95) < 0.05
        for run in p.runs:
            assert run.font.size == Pt(16) and east_asia(run) == "仿宋_GB2312"
    first = next(p for p in body if p.text.startswith("主要指标"))
    assert first.style.paragraph_format.first_line_indent == Pt(32)


def test_sections_in_order_with_heading_fonts(document):
    texts = text_of(document)
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    heading = body_paragraphs(document)[positions[0]]
    assert east_asia(heading.runs[0]) == "黑体"
    sub = next(p for p in body_paragraphs(document) if p.text.startswith("（一）本周新销号任务"))
    assert east_asia(sub.runs[0]) == "楷体_GB2312"


def test_overdue_table_header_and_row(document):
    table = table_after(document, "三、逾期未完成任务")
    assert cells(table.rows[0]) == ["序号", "任务编号", "任务名称", "未完成单位", "完成时限", "逾期天数", "状态说明"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(r.font.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    row = cells(table.rows[1])
    assert row[:6] == ["1", "T-2-1-01", "制定办法", "乙局", "2024-03-31", "70"]
    assert row[6].startswith("逾期 70 天")
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "left", "bottom", "right", "insideH", "insideV"}
    for r in (r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs):
        assert r.font.size in (Pt(12), Pt(14))


def test_other_sections_have_their_rows(document):
    texts = text_of(document)
    assert any("T-2-1-02 建立工作台账（甲镇）：已于 2024-06-05 销号" in t for t in texts)  # 本周新销号
    assert cells(table_after(document, "四、近期到期任务").rows[1])[1] == "T-2-1-03"
    stale = table_after(document, "（一）滞报（1 项任务，1 个单位次）")
    assert cells(stale.rows[1])[1:6] == ["T-2-2-02", "常态化开展矛盾纠纷排查", "乙局", "2024年5月", "5 个周期"]
    ranking = next(t for t in document.tables if any(cells(r)[1:2] == ["乙局"] for r in t.rows[1:])
                   and cells(t.rows[0])[:3] == ["排名", "单位", "得分"])
    assert cells(ranking.rows[0]) == ["排名", "单位", "得分", "等级", "牵头任务", "逾期", "缺报滞报周期", "逾期台账"]
    rows = {cells(r)[1]: cells(r) for r in ranking.rows[1:]}
    # 乙局: 100 − 5 (one overdue task) − 70/20 (its days overdue) − 1 (one stale period) = 90.5
    assert rows["乙局"] == ["1", "乙局", "90.5", "绿", "2", "1", "1", "0"]
    kinds = table_after(document, "八、台账统计")
    assert cells(kinds.rows[1])[:3] == ["矛盾纠纷", "1", "0"]
    assert "（二）缺报（1 项任务，1 个单位次）" in texts  # one row per unit behind
    assert any(t.startswith("1. 6月5日，T-2-1-01（乙局）：制定办法（推进中）") for t in texts)  # 本周动态
    assert "1. 6月9日，甲镇：矛盾纠纷新增 1 件。" in texts


def test_long_change_list_points_to_the_workbook(built):
    report = built[0]
    many = dataclasses.replace(report, changes=report.changes * 40)
    texts = [p.text for p in docx.Document(io.BytesIO(docx_bytes(many))).paragraphs]
    listed = [t for t in texts[texts.index("九、本周动态"):] if re.match(r"[0-9]+\. ", t)]
    assert len(listed) == 60
    assert f"另有 {len(many.changes) - 60} 条，详见电子表格。" in texts


def test_dating_and_page_numbers(built, document):
    paragraphs = body_paragraphs(document)
    issuer, date = paragraphs[-2], paragraphs[-1]
    assert (issuer.text, date.text) == ("测试办公室", "2024年6月10日")
    assert date.alignment == 2 and date.paragraph_format.right_indent == Pt(64)  # right, 4 characters in
    s = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((s.footer, 2), (s.even_page_footer, 0)):
        p = footer.paragraphs[0]
        assert p.alignment == align
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert xml.count('w:fldCharType="begin"') == 1 and xml.count('w:fldCharType="end"') == 1
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert all(east_asia(r) == "宋体" and r.font.size == Pt(14) for r in p.runs)


def test_core_properties_are_fixed(document):
    cp = document.core_properties
    stamp = dt.datetime(2024, 6, 10)
    assert cp.author == "duban"
    assert cp.created.replace(tzinfo=None) == stamp and cp.modified.replace(tzinfo=None) == stamp
    assert cp.last_printed.replace(tzinfo=None) == stamp


def test_estimate_note(built, document):
    note = "注：部分期限超出节假日数据覆盖范围，按周一至周五估算。"
    assert note not in text_of(document)  # nothing estimated in the fixture
    report = built[0]
    estimated = type("Estimated", (WeeklyReport,), {"estimated": True})(
        **{f.name: getattr(report, f.name) for f in dataclasses.fields(report)})
    data = docx_bytes(estimated)
    doc = docx.Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert note in texts
    assert texts.index(note) < texts.index(report.issuer)


# ---------------------------------------------------------------- Excel


SHEETS = ["逾期任务", "近期到期", "各单位", "台账统计", "滞报缺报", "本周动态", "全部任务"]


def test_sheets_have_frozen_bold_filtered_headers(workbook):
    assert set(SHEETS) <= set(workbook.sheetnames)
    for name in SHEETS:
        ws = workbook[name]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(c.font.bold for c in ws[1] if c.value is not None)
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and all(4 <= w <= 60 for w in widths)


def test_overdue_sheet_row_with_real_date(workbook):
    ws = workbook["逾期任务"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["序号", "任务编号", "任务名称"]
    row = {h: c for h, c in zip(header, ws[2])}
    assert row["任务编号"].value == "T-2-1-01" and row["未完成单位"].value == "乙局"
    assert row["逾期天数"].value == 70 and isinstance(row["逾期天数"].value, int)
    due = row["完成时限"]
    assert due.is_date and due.value.date() == dt.date(2024, 3, 31) and due.number_format == "yyyy-mm-dd"


def test_rates_are_percent_numbers_and_all_tasks_listed(workbook):
    ws = workbook["各单位"]
    header = [c.value for c in ws[1]]
    col = header.index("按期完成率")
    unit = header.index("单位")
    rates = {row[unit].value: row[col] for row in ws.iter_rows(min_row=2)}
    assert rates["乙局"].value == 0 and rates["甲镇"].value == 1  # 乙局 0 of 1 due on time, 甲镇 1 of 1: numbers
    rates = list(rates.values())
    assert all(c.number_format == "0.0%" for c in rates)
    tasks = workbook["全部任务"]
    assert [c.value for c in tasks[1]][:9] == ["编号", "条款", "任务名称", "牵头单位", "配合单位", "时限形式",
                                              "完成时限/周期", "状态", "预警等级"]
    ids = [r[0].value for r in tasks.iter_rows(min_row=2)]
    assert ids == ["T-2-1-01", "T-2-1-02", "T-2-1-03", "T-2-2-01", "T-2-2-02"]
    assert workbook.properties.created == dt.datetime(2024, 6, 10)


# ---------------------------------------------------------------- determinism


def test_rebuilding_gives_identical_bytes(built):
    paths = built[1]
    assert paths["docx"].read_bytes() == paths["docx2"].read_bytes()
    assert paths["xlsx"].read_bytes() == paths["xlsx2"].read_bytes()


def test_line_grid_without_character_grid(document):
    """22 lines a page on a 28.95 pt grid; no character grid, which LibreOffice and WPS
    render by spreading each line to about half its characters."""
    from docx.oxml.ns import qn

    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:charSpace")) is None
