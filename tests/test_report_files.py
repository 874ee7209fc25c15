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
HEADINGS = ["一、总体情况", "二、进展较好的单位和做法", "三、存在问题", "四、近期到期任务", "五、各单位落实情况",
            "六、本周动态"]

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


def test_masthead_issue_number_and_red_rule(built, document):
    report = built[0]
    paragraphs = body_paragraphs(document)
    masthead, issue, line = paragraphs[0], paragraphs[1], paragraphs[2]
    assert masthead.text == "主动创稳工作周报"  # settings.yaml reports.weekly.masthead
    assert all(r.font.color.rgb == docx.shared.RGBColor(0xFF, 0, 0) and east_asia(r) == "方正小标宋简体" for r in masthead.runs)
    # 2024-W23 counted from the declared first week 2023-W24 (2023-06-12): the 52nd issue
    assert issue.text == "第52期" == f"第{report.issue_no}期"
    assert line.text == "区平安办编\t2024年6月10日"
    rule = line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"


def test_title_is_2hao_xiaobiaosong_with_the_week_as_subtitle(built, document):
    report = built[0]
    paragraphs = body_paragraphs(document)
    title = next(p for p in paragraphs if p.text.replace("\n", "") == report.title)
    assert report.title == "《测试工作方案》落实情况周报"  # the plan's name in 书名号
    assert title.alignment == 1  # centred
    for run in title.runs:
        assert run.font.size == Pt(22) and east_asia(run) == "方正小标宋简体"
    subtitle = paragraphs[paragraphs.index(title) + 1]
    assert subtitle.text == "（2024年第23周：6月3日—6月9日）"
    for run in subtitle.runs:
        assert run.font.size == Pt(16) and east_asia(run) == "楷体_GB2312"


def test_a_long_title_breaks_after_the_quoted_name_not_inside_it():
    from duban.outputs.gongwen.document import split_title

    assert split_title("《关于全面推进主动创稳的工作方案》落实情况周报") == ["《关于全面推进主动创稳的工作方案》", "落实情况周报"]
    lines = split_title("《关于进一步加强和改进新时代基层社会治理工作的实施意见》落实情况周报")
    assert all(line.count("《") == line.count("》") for line in lines)


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
            if run.font.size == Pt(14):
                continue  # the 版记 is 4号
            assert run.font.size == Pt(16) and east_asia(run) == "仿宋_GB2312"
            spacing = run._r.rPr.find(qn("w:spacing"))
            assert spacing is not None and spacing.get(qn("w:val")) == "-5"  # 28 characters a line, not 27
    first = next(p for p in body if p.text.startswith("主要指标"))
    assert abs(first.style.paragraph_format.first_line_indent.pt - 31.5) < 0.1
    assert "任务总数5项" in first.text  # no spaces around numerals


def test_sections_in_order_with_heading_fonts(document):
    texts = text_of(document)
    positions = [texts.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    heading = body_paragraphs(document)[positions[0]]
    assert east_asia(heading.runs[0]) == "黑体"
    sub = next(p for p in body_paragraphs(document) if p.text.startswith("（一）逾期未完成任务"))
    assert east_asia(sub.runs[0]) == "楷体_GB2312"
    assert "七、下一步工作要求" not in texts  # no note for this week: no placeholder section


def test_overdue_table_header_and_row(document):
    table = table_after(document, "按未完成单位列出，逾期天数由长到短排列：")
    assert cells(table.rows[0]) == ["序号", "任务编号", "任务名称", "未完成单位", "完成时限", "逾期天数", "状态"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert all(r.font.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)
    row = cells(table.rows[1])
    assert row == ["1", "T-2-1-01", "制定办法", "乙局", "2024.3.31", "70", "●逾期"]
    lamp = table.rows[1].cells[6].paragraphs[0].runs[0]
    assert str(lamp.font.color.rgb) == "C62828"  # the level's colour from settings.yaml
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "left", "bottom", "right", "insideH", "insideV"}
    for r in (r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs):
        assert r.font.size in (Pt(12), Pt(14))


def test_other_sections_have_their_rows(document):
    texts = text_of(document)
    assert cells(table_after(document, "四、近期到期任务").rows[1])[1] == "T-2-1-03"
    lagging = table_after(document, "（三）滞报和缺报（2个单位次）")
    assert cells(lagging.rows[1])[1:7] == ["滞报", "T-2-2-02", "常态化开展矛盾纠纷排查", "乙局", "2024年5月", "5个"]
    assert cells(lagging.rows[2])[1:5] == ["缺报", "T-2-2-01", "乡镇每周召开协调会议", "甲镇"]
    ranking = next(t for t in document.tables if any(cells(r)[1:2] == ["乙局"] for r in t.rows[1:])
                   and cells(t.rows[0])[:3] == ["排名", "单位", "得分"])
    assert cells(ranking.rows[0]) == ["排名", "单位", "得分", "等级", "牵头任务", "逾期", "缺报滞报周期", "逾期台账"]
    rows = {cells(r)[1]: cells(r) for r in ranking.rows[1:]}
    # 乙局: 100 − 5 (one overdue task) − 70/20 (its days overdue) − 1 (one stale period) = 90.5
    assert rows["乙局"] == ["1", "乙局", "90.5", "●绿", "2", "1", "1", "0"]
    assert "本周没有得分在95分及以上、排名居前的单位。" in texts  # 甲镇 missed meetings, 乙局 is overdue
    assert "（四）台账" in texts and "矛盾纠纷：甲镇新增1件。" in texts  # grouped by kind and unit
    assert "（三）进展报送（1条）" in texts and "乙局1条。" in texts


def test_office_notes_stand_beside_the_computed_parts(built, tmp_path):
    report = built[0]
    from duban.records.model import ReportNote

    note = ReportNote("2024-W23", ("甲镇网格员每日走访，矛盾纠纷就地化解。",), ("部分单位进展报送内容空泛。",),
                      ("各牵头单位于6月14日前补报5月进展。", "逾期任务牵头单位书面说明原因。"), "records/reports/2024-W23.yaml")
    texts = [p.text for p in docx.Document(io.BytesIO(docx_bytes(dataclasses.replace(report, note=note)))).paragraphs]
    done = texts.index("二、进展较好的单位和做法")
    assert "甲镇网格员每日走访，矛盾纠纷就地化解。" in texts[done:texts.index("三、存在问题")]
    assert "部分单位进展报送内容空泛。" in texts[texts.index("三、存在问题"):texts.index("四、近期到期任务")]
    tail = texts[texts.index("七、下一步工作要求"):]
    assert tail[1:3] == ["各牵头单位于6月14日前补报5月进展。", "逾期任务牵头单位书面说明原因。"]


def test_long_change_list_points_to_the_workbook(built):
    report = built[0]
    many = dataclasses.replace(report, changes=[dataclasses.replace(c, what="新增逾期") for c in report.changes] * 40)
    texts = [p.text for p in docx.Document(io.BytesIO(docx_bytes(many))).paragraphs]
    listed = [t for t in texts[texts.index("六、本周动态"):] if re.match(r"[0-9]+\. ", t)]
    assert len(listed) == 60
    assert f"另有{len(many.changes) - 60}条，详见电子表格。" in texts


def test_unsealed_signature_and_colophon_and_page_numbers(built, document):
    paragraphs = body_paragraphs(document)
    texts = [p.text for p in paragraphs]
    issuer = paragraphs[texts.index("区平安办")]
    date = paragraphs[texts.index("区平安办") + 1]
    assert date.text == "2024年6月10日"
    # §7.3.5.2: the date (6.5 characters) is longer than the issuer (4): the date two characters in from the right,
    # the issuer moved left so that the date starts two characters right of the issuer's start
    ind = lambda p: int(p._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")))  # noqa: E731
    assert (ind(date), ind(issuer)) == (200, 650)
    colophon = [p for p in paragraphs if p.text.startswith("抄送：")][0]
    assert colophon.text == "抄送：区党工委、管委会领导，各乡镇，区直各单位。"
    assert paragraphs[-1].text == "区平安办\t2024年6月10日印发"
    assert all(r.font.size == Pt(14) for r in colophon.runs)
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
    assert texts.index(note) < texts.index("区平安办")


# ---------------------------------------------------------------- Excel


SHEETS = ["逾期任务", "逾期台账", "近期到期", "各单位", "待核销", "台账统计", "滞报缺报", "本周动态", "全部任务"]
HEADER = 3  # a title row and 统计截至 come first


def header_of(ws) -> list:
    return [c.value for c in ws[HEADER]]


def test_sheets_are_fit_to_forward(workbook):
    assert set(SHEETS) <= set(workbook.sheetnames)
    for name in ["概况"] + SHEETS:
        ws = workbook[name]
        assert ws["A1"].value == f"《测试工作方案》落实情况周报：{name}" and ws["A1"].font.bold
        assert ws["A2"].value == "统计截至2024年6月9日"
        assert ws.freeze_panes == "A4"
        assert all(c.font.bold and c.font.name == "宋体" for c in ws[HEADER] if c.value is not None)
        assert ws.print_title_rows == "$3:$3"  # the header repeated on every printed page
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        # one page wide (fitToWidth absent is 1, the OOXML default), as many pages tall as needed
        assert (ws.page_setup.fitToWidth or 1) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in ws.oddFooter.center.text and name in ws.oddFooter.center.text
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and all(4 <= w <= 42 for w in widths)
        if ws.max_row > HEADER:
            first = ws.cell(row=HEADER + 1, column=1)
            assert first.border.left.style == "thin" and first.font.name == "宋体"
    assert not workbook["概况"].auto_filter.ref  # a two-column summary has no filter
    assert workbook["逾期任务"].auto_filter.ref.startswith("A3:")


def test_overdue_sheet_row_with_real_date_and_a_level_fill(workbook):
    ws = workbook["逾期任务"]
    header = header_of(ws)
    assert header[:3] == ["序号", "任务编号", "任务名称"]
    row = {h: c for h, c in zip(header, ws[HEADER + 1])}
    assert row["任务编号"].value == "T-2-1-01" and row["未完成单位"].value == "乙局"
    assert row["逾期天数"].value == 70 and isinstance(row["逾期天数"].value, int)
    due = row["完成时限"]
    assert due.is_date and due.value.date() == dt.date(2024, 3, 31) and due.number_format == "yyyy-mm-dd"
    assert row["状态"].value == "逾期" and row["状态"].fill.fgColor.rgb.endswith("EEBEBE")  # 红, lightened


def test_rates_are_percent_numbers_and_all_tasks_listed(workbook):
    ws = workbook["各单位"]
    header = header_of(ws)
    col = header.index("按期完成率")
    unit = header.index("单位")
    rates = {row[unit].value: row[col] for row in ws.iter_rows(min_row=HEADER + 1)}
    assert rates["乙局"].value == 0 and rates["甲镇"].value == 1  # 乙局 0 of 1 due on time, 甲镇 1 of 1: numbers
    assert all(c.number_format == "0.0%" for c in rates.values())
    tasks = workbook["全部任务"]
    assert header_of(tasks)[:9] == ["编号", "条款", "任务名称", "牵头单位", "配合单位", "时限形式", "完成时限", "周期", "状态"]
    rows = list(tasks.iter_rows(min_row=HEADER + 1, values_only=True))
    assert [r[0] for r in rows] == ["T-2-1-01", "T-2-1-02", "T-2-1-03", "T-2-2-01", "T-2-2-02"]
    assert all(r[6] is None or isinstance(r[6], dt.datetime) for r in rows)  # the date column holds dates only
    assert {r[7] for r in rows} == {None, "每周", "每月"}
    assert workbook.properties.created == dt.datetime(2024, 6, 10)


# ---------------------------------------------------------------- determinism


def test_rebuilding_gives_identical_bytes(built):
    paths = built[1]
    assert paths["docx"].read_bytes() == paths["docx2"].read_bytes()
    assert paths["xlsx"].read_bytes() == paths["xlsx2"].read_bytes()


def test_line_grid_without_character_grid(document):
    """22 lines a page on a 28.95 pt grid; no character grid, which LibreOffice and WPS render by spreading each
    line to about half its characters: 28 characters a line come from condensing each by 0.25 pt instead."""
    from docx.oxml.ns import qn

    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:charSpace")) is None


def test_long_word_table_rows_keep_each_cells_text_colour_and_spacing():
    """Rows of a long table are copies of the first row of their shape: each keeps its own text (leading and
    trailing spaces too), its empty cells, its colour and its line breaks."""
    from duban.outputs.gongwen.document import GongwenDocument

    rows = []
    for i in range(60):
        colour = ("C62828" if i % 3 == 0 else None)
        text = f"  前后有空格{i}  " if i % 5 == 0 else (f"第一行{i}\n第二行" if i % 7 == 0 else f"乡镇{i}")
        rows.append((str(i), (text, colour), "" if i % 4 == 0 else f"备注{i}"))
    document = GongwenDocument()
    document.table(("序号", "内容", "备注"), rows, (20, 60, 40), (True, False, False))
    table = docx.Document(io.BytesIO(document.to_bytes())).tables[0]
    assert len(table.rows) == 61
    for (number, (text, colour), note), row in zip(rows, table.rows[1:]):
        assert row.cells[0].text == number
        assert row.cells[1].text == text
        assert row.cells[2].text == note
        runs = row.cells[1].paragraphs[0].runs
        assert (str(runs[0].font.color.rgb) if runs[0].font.color.rgb else None) == colour
        assert runs[0].font.size.pt == 12 and not runs[0].font.bold  # 小四, the body rows' size
        kept = {t.get(qn("xml:space")) for t in runs[0]._r.iter(qn("w:t"))}
        assert kept == ({"preserve"} if text != text.strip() else {None})  # Word drops unmarked edge spaces
    assert table.rows[0].cells[1].paragraphs[0].runs[0].font.bold  # the header stays bold
