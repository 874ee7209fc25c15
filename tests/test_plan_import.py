"""duban plan import: a plan's document (Word made here with python-docx, and the shipped text converted from
PDF) becomes its plan record, its page with an anchor per clause and a draft 任务分解表; a revised document is
compared with the record, and a renumbering reaches the tasks only when the office confirms it."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import docx
import pytest
from conftest import ROOT, make_repo
from docx.enum.text import WD_BREAK
from duban.cli import main
from duban.edit.plan_import import Options, import_plan
from duban.edit.plan_page import office_notes, page_text
from duban.edit.plan_revision import compare
from duban.edit.plan_source import clean, cn_int, numbering
from duban.edit.plan_text import read_plan
from duban.edit.prompts import Prompter
from duban.edit.workspace import open_workspace
from duban.records.load import load_file
from duban.records.validate import check_repository
from openpyxl import load_workbook

SHIPPED_TXT = ROOT / "tests" / "plan" / "quantai-2023-46.txt"  # the text as converted from PDF
SHIPPED_PLAN = ROOT / "records" / "plans" / "quantai-2023-46.yaml"
SHIPPED_PAGE = ROOT / "docs" / "plan" / "quantai-2023-46.md"


def plan_docx(path: Path, inserted: bool = False, number: bool = True) -> Path:
    """A plan as an office's Word file: headings in the four numbering styles, set in inconsistent styles,
    a run-in bold heading, a paragraph split across a page break, conversion spaces, signature at the end."""
    d = docx.Document()
    if number:
        d.add_paragraph("测试委办〔2024〕7号")
    d.add_paragraph("关于推进测试工作的实施方案", style="Title")
    d.add_paragraph("为做好测试工作，结合实际，制定本方案。")
    d.add_paragraph("一、总体要求", style="Heading 1")
    d.add_paragraph("坚持问题导向，全面推进测试工作，巩固和发展和谐稳定的良")
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    d.add_paragraph("好局面，确保各项工作取得实效。")
    d.add_paragraph("二、主要任务", style="Heading 1")
    d.add_paragraph("（一）健全排查机制", style="Heading 2")
    d.add_paragraph("各镇每周开展一次矛盾纠纷排 查，建立台账。")
    n = 2
    if inserted:
        d.add_paragraph("（二）加强源头治理", style="Heading 2")
        d.add_paragraph("重大项目实施前开展社会稳定风险评估，从源头预防矛盾。")
        n = 3
    d.add_paragraph(f"（{'二三'[n - 2]}）强化队伍建设", style="Heading 3")  # set one level lower than its sibling
    d.add_paragraph("1.配齐网格员")
    d.add_paragraph("每个网格配备一名专职网格员。")
    d.add_paragraph("(1)开展培训。每季度组织一次网格员培训，培训情况报区平安办。")
    d.add_paragraph("2.落实 经 费")
    d.add_paragraph("将网格员补贴纳入财政预算。")
    d.add_paragraph("三、保障措施", style="Heading 1")
    p = d.add_paragraph()
    p.add_run("（一）加强组织领导。").bold = True
    p.add_run("各单位主要负责人是第一责任人，要定期研究解决重点难点问题。")
    d.add_paragraph("测试委员会办公室")
    d.add_paragraph("2024年3月1日")
    d.save(path)
    return path


IDS = ["1", "2", "2.1", "2.2", "2.2.1", "2.2.1.1", "2.2.2", "3", "3.1"]


def run(repo: Path, capsys, *args) -> tuple[int, str, str]:
    code = main(["--root", str(repo), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def digest(repo: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for folder in ("records", "docs") for p in (repo / folder).rglob("*") if p.is_file()):
        h.update(path.relative_to(repo).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


# ---------------------------------------------------------------- reading documents


def test_cleaning_numbering_and_numerals():
    assert clean("重大固定资产投资项 目审批") == "重大固定资产投资项目审批"
    assert clean("依托 “海丝守护者” app 加强 2023 年") == "依托“海丝守护者”app加强2023年"
    assert clean("使用 WPS Office 软件") == "使用WPS Office软件"
    assert clean("(此件主动公开)") == "（此件主动公开）"
    assert [cn_int(t) for t in ("一", "十", "十一", "二十", "二十三", "十十", "二二")] == [1, 10, 11, 20, 23, None, None]
    assert [(n.rank, n.number, n.label) for n in map(numbering, ("三、工作要求", "（十）推进", "12.落实", "（2）开展"))] == [
        (1, 3, "三、"), (2, 10, "（十）"), (3, 12, "12."), (4, 2, "（2）")]
    assert numbering("1.5亿元投入") is None and numbering("2023年") is None


def test_a_word_document_in_the_four_numbering_styles(tmp_path):
    doc = read_plan(plan_docx(tmp_path / "plan.docx"))
    assert doc.problems == [] and doc.warnings == []
    assert [c.id for c in doc.clauses] == IDS
    assert [c.label for c in doc.clauses] == ["一、", "二、", "（一）", "（二）", "1.", "（1）", "2.", "三、", "（一）"]
    assert [c.title for c in doc.clauses] == ["总体要求", "主要任务", "健全排查机制", "强化队伍建设", "配齐网格员", "开展培训",
                                              "落实经费", "保障措施", "加强组织领导"]
    texts = {c.id: c.text for c in doc.clauses}
    assert texts["1"] == "坚持问题导向，全面推进测试工作，巩固和发展和谐稳定的良好局面，确保各项工作取得实效。"  # page break
    assert texts["2.1"] == "各镇每周开展一次矛盾纠纷排查，建立台账。"
    assert texts["2.2.1.1"] == "每季度组织一次网格员培训，培训情况报区平安办。"  # first sentence as its title
    assert texts["3.1"] == "各单位主要负责人是第一责任人，要定期研究解决重点难点问题。"  # the bold run-in heading
    assert texts["2"] == "" and texts["2.2"] == ""
    assert (doc.title, doc.doc_number, doc.issuers, doc.issue_date) == (
        "关于推进测试工作的实施方案", "测试委办〔2024〕7号", ["测试委员会办公室"], dt.date(2024, 3, 1))
    assert doc.preamble == ["为做好测试工作，结合实际，制定本方案。"] and doc.tail == ["测试委员会办公室", "2024年3月1日"]


def test_the_shipped_text_gives_the_shipped_clauses_and_page():
    doc = read_plan(SHIPPED_TXT)
    assert doc.problems == [] and doc.warnings == []
    shipped = load_file(SHIPPED_PLAN).data
    assert [(c.id, c.label, c.title) for c in doc.clauses] == [(c["id"], c["label"], c["title"]) for c in shipped["clauses"]]
    assert (doc.title, doc.doc_number, doc.issuers, doc.issue_date.isoformat(), doc.public) == (
        shipped["title"], shipped["doc_number"], shipped["issuers"], shipped["issue_date"], shipped["public"])
    texts = {c.id: c.text for c in doc.clauses}
    assert "巩固和发展和谐稳定的良好局面，实现" in texts["1"]  # “良” / “好局面” across a page break
    assert "重大固定资产投资项目审批" in texts["2.1"] and "项 目" not in "".join(texts.values())
    assert texts["3.1"].startswith("各乡镇各单位一把手")  # “**（一）加强组织领导。**各乡镇……”
    # the published page is this page, with the site's own note kept
    page = SHIPPED_PAGE.read_text(encoding="utf-8")
    assert page_text(doc, doc.title, office_notes(page)) == page


def test_an_unreadable_or_clauseless_document_is_refused_with_its_place(repo, capsys, tmp_path):
    (tmp_path / "a.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(repo, capsys, "plan", "import", str(tmp_path / "a.doc"), "--id", "x")
    assert code == 1 and "另存为 .docx" in err
    (tmp_path / "b.txt").write_text("关于测试的方案\n\n这里没有任何条款。\n", encoding="utf-8")
    code, out, err = run(repo, capsys, "plan", "import", str(tmp_path / "b.txt"), "--id", "x")
    assert code == 1 and "b.txt:全文: 条款: 没有找到条款" in out
    (tmp_path / "c.txt").write_text("一、总体要求\n\n（一）甲\n\n（一）乙\n", encoding="gb18030")
    code, out, err = run(repo, capsys, "plan", "import", str(tmp_path / "c.txt"), "--id", "x")
    assert code == 1 and "c.txt:第 5 行: 条款编号: “1.1”（（一）乙）重复：第 3 行已有" in out


# ---------------------------------------------------------------- what the document does not say


def test_without_a_terminal_a_missing_doc_number_names_its_flag_and_nothing_is_written(repo, capsys, tmp_path):
    source = plan_docx(tmp_path / "plan.docx", number=False)
    before = digest(repo)
    code, _, err = run(repo, capsys, "plan", "import", str(source), "--id", "newplan")
    assert code == 2 and "缺少 --doc-number（文号）" in err and "plan.docx 中找不到文号" in err
    code, _, err = run(repo, capsys, "plan", "import", str(source))
    assert code == 2 and "缺少 --doc-number" in err
    assert digest(repo) == before
    code, out, err = run(repo, capsys, "plan", "import", str(source), "--doc-number", "测试委办〔2024〕9号",
                         "--issuer", "甲办公室", "--issuer", "乙办公室", "--issue-date", "2024年3月2日")
    assert code == 2 and "缺少 --id（方案编号）" in err  # a new plan: its id is the office's to give
    code, out, err = run(repo, capsys, "plan", "import", str(source), "--id", "newplan", "--doc-number", "测试委办〔2024〕9号",
                         "--issuer", "甲办公室", "--issuer", "乙办公室", "--issue-date", "2024年3月2日")
    assert code == 0, out + err
    plan = load_file(repo / "records/plans/newplan.yaml").data
    assert (plan["doc_number"], plan["issuers"], plan["issue_date"]) == ("测试委办〔2024〕9号", ["甲办公室", "乙办公室"], "2024-03-02")


def test_on_a_terminal_what_is_missing_is_asked_and_the_change_confirmed(repo, tmp_path):
    source = plan_docx(tmp_path / "plan.docx", number=False)
    prompts: list[str] = []

    def office(*answers):
        answers = iter(answers)
        return Prompter(interactive=True, ask=lambda prompt: prompts.append(prompt) or next(answers))

    before = digest(repo)
    out = import_plan(open_workspace(repo), source, Options(), office("泉测〔2024〕3号", "asked", "n"), dt.date(2024, 3, 5))
    assert out.declined and digest(repo) == before
    assert prompts[0].startswith("文号") and prompts[1].startswith("方案编号")
    assert "方案 asked（records/plans/asked.yaml，新建）" in prompts[2] and "docs/plan/asked.md" in prompts[2]
    out = import_plan(open_workspace(repo), source, Options(), office("泉测〔2024〕3号", "asked", "y"), dt.date(2024, 3, 5))
    assert out.ok, out.problems + [str(p) for p in out.record_problems]
    assert load_file(repo / "records/plans/asked.yaml").data["doc_number"] == "泉测〔2024〕3号"


# ---------------------------------------------------------------- the whole round trip


def fill_breakdown(path: Path, rows: dict[str, dict]) -> None:
    wb = load_workbook(path)
    sheet = wb["任务分解表"]
    headers = {c.value: c.column_letter for c in sheet[2]}
    for row in range(3, sheet.max_row + 1):
        clause = sheet[f"{headers['所属条款']}{row}"].value
        key = clause.split()[0].split("/")[-1] if clause else None
        for header, value in rows.get(key, {}).items():
            sheet[f"{headers[header]}{row}"] = value
    wb.save(path)


def test_import_fill_the_breakdown_then_reimport_a_revised_plan(repo, capsys, tmp_path):
    v1 = plan_docx(tmp_path / "v1.docx")
    code, out, err = run(repo, capsys, "plan", "import", str(v1), "--id", "newplan")
    assert code == 0, out + err
    assert "已写入 records/plans/newplan.yaml" in out and "已写入 docs/plan/newplan.md" in out
    plan = load_file(repo / "records/plans/newplan.yaml").data
    assert [c["id"] for c in plan["clauses"]] == IDS and plan["page"] == "plan/newplan.md" and plan["status"] == "有效"
    page = (repo / "docs/plan/newplan.md").read_text(encoding="utf-8")
    assert "## 一、总体要求 {#clause-1}" in page and "##### （1）开展培训 {#clause-2-2-1-1}" in page
    assert "### （二）强化队伍建设 {#clause-2-2}" in page  # a sibling of （一） whatever its Word style
    assert check_repository(repo).report.problems == []

    # the draft breakdown: one row per clause that has something to do, read back by duban excel import
    breakdown = repo / "out" / "newplan-任务分解表.xlsx"
    wb = load_workbook(breakdown)
    assert wb.sheetnames == ["填报说明", "任务分解表", "选项"]
    sheet = wb["任务分解表"]
    drafted = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[2]]
    # two plans in the repository now: clauses are named with their plan
    assert [r[2].split()[0] for r in drafted] == [f"newplan/{c}" for c in ("1", "2.1", "2.2.1", "2.2.1.1", "2.2.2", "3.1")]
    first = next(r for r in drafted if r[2].startswith("newplan/2.1 "))
    assert first[1] is None and first[3] == "健全排查机制" and first[4] == "各镇每周开展一次矛盾纠纷排查，建立台账。"
    assert first[5] is None and first[6] is None
    assert {str(dv.sqref)[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}["F"].startswith("'选项'!$A$2")
    assert [wb["选项"][f"A{i}"].value for i in (2, 3, 4)] == ["甲镇", "乙局", "督查室"]
    fill_breakdown(breakdown, {"2.1": {"牵头单位": "甲镇", "周期": "每周", "起始日期": dt.date(2024, 3, 4)},
                               "2.2.1.1": {"牵头单位": "乙局", "配合单位": "甲镇", "完成时限": dt.date(2024, 6, 30)}})
    code, out, err = run(repo, capsys, "excel", "import", str(breakdown))
    assert code == 0, out + err
    assert "读取 2 行，写入 2 个文件" in out  # the rows left as drafted are skipped
    task = load_file(repo / "records/tasks/T-2-2-1-1-01.yaml").data
    assert (task["plan"], task["clause"], task["lead_units"], task["title"]) == ("newplan", "2.2.1.1", ["bb"], "开展培训")
    weekly = repo / "records/tasks/T-2-1-02.yaml"  # task ids are the repository's: testplan has T-2-1-01
    assert load_file(weekly).data["timing"] == {"mode": "周期", "cadence": "每周", "start": "2024-03-04"}

    # a revised plan with a clause inserted: the renumbering is proposed, and refused without the flag
    v2 = plan_docx(tmp_path / "v2.docx", inserted=True)
    before = digest(repo)
    code, out, err = run(repo, capsys, "plan", "import", str(v2))  # found again by its 文号
    assert code == 1 and "--apply-mapping" in err
    assert "新增条款 2.2 （二）加强源头治理" in out
    assert "2.2 → 2.3：（二）强化队伍建设 → （三）强化队伍建设（相似度 100%）" in out
    assert "2.2.1.1 → 2.3.1.1" in out and "T-2-2-1-1-01：2.2.1.1 → 2.3.1.1" in out
    assert digest(repo) == before
    code, out, err = run(repo, capsys, "plan", "import", str(v2), "--apply-mapping")
    assert code == 0, out + err
    text = (repo / "records/tasks/T-2-2-1-1-01.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 任务分解表 二（三）1.（1）：开展培训\n") and 'clause: "2.3.1.1"' in text
    assert load_file(weekly).data["clause"] == "2.1"  # not renumbered: untouched
    page = (repo / "docs/plan/newplan.md").read_text(encoding="utf-8")
    assert "### （二）加强源头治理 {#clause-2-2}" in page and "### （三）强化队伍建设 {#clause-2-3}" in page
    assert check_repository(repo).report.problems == []
    # the same document again: nothing changes
    before = digest(repo)
    code, out, err = run(repo, capsys, "plan", "import", str(v2))
    assert code == 0 and "条款与记录相同" in out and digest(repo) == before


def test_a_task_whose_clause_is_gone_stops_the_import(repo, capsys, tmp_path):
    source = tmp_path / "v.txt"
    source.write_text("测试〔2024〕1号\n\n测试工作方案\n\n一、总体要求\n\n坚持稳中求进。\n\n二、工作内容\n\n（一）第一项\n\n"
                      "做好第一项工作。\n\n测试办公室\n\n2023年1月3日\n", encoding="utf-8")
    before = digest(repo)
    code, out, err = run(repo, capsys, "plan", "import", str(source))
    assert code == 1 and "删除条款 2.2 （二）第二项" in out
    assert "records/tasks/T-2-2-01.yaml: 所属条款: 任务 T-2-2-01 的条款“2.2”（（二）第二项）在新文件中已没有" in out
    assert digest(repo) == before


def test_the_shipped_plan_imported_again_changes_nothing(tmp_path, capsys):
    repo = make_repo(tmp_path / "r")
    shutil.copytree(ROOT / "records" / "units", repo / "records" / "units", dirs_exist_ok=True)
    shutil.copyfile(SHIPPED_PLAN, repo / "records" / "plans" / SHIPPED_PLAN.name)
    (repo / "docs" / "plan").mkdir(parents=True)
    shutil.copyfile(SHIPPED_PAGE, repo / "docs" / "plan" / SHIPPED_PAGE.name)
    before = digest(repo)
    code, out, err = run(repo, capsys, "plan", "import", str(SHIPPED_TXT), "--out-breakdown", str(tmp_path / "d.xlsx"))
    assert code == 0, out + err
    assert "条款与记录相同" in out and digest(repo) == before


def test_the_revision_pairs_clauses_by_their_words():
    old = [{"id": "1", "label": "一、", "title": "甲"}, {"id": "2", "label": "二、", "title": "推进社会矛盾纠纷多元调处"},
           {"id": "3", "label": "三、", "title": "推进群防群治队伍建设"}]
    new = [old[0], {"id": "2", "label": "二、", "title": "推进重点涉稳风险排查化解"},
           {**old[1], "id": "3", "label": "三、"}, {"id": "4", "label": "四、", "title": "推进群防群治队伍建设工作"}]
    revision = compare(old, new)
    assert revision.mapping == {"2": "3", "3": "4"}
    assert [c["id"] for c in revision.added] == ["2"] and revision.removed == []
    assert [(p.new["id"], p.changed) for p in revision.changed] == [("4", ["标题有改动"])]
    assert compare(old, old).same and compare(old, old).mapping == {}


@pytest.mark.parametrize("case", ["missing", "extra"])
def test_the_import_writes_a_page_the_validator_accepts_even_over_a_broken_one(repo, capsys, tmp_path, case):
    source = plan_docx(tmp_path / "plan.docx")
    assert run(repo, capsys, "plan", "import", str(source), "--id", "newplan")[0] == 0
    page = repo / "docs/plan/newplan.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(" {#clause-2-1}", "") if case == "missing" else text + "\n## 多余 {#clause-9}\n",
                    encoding="utf-8")
    code, out, _ = run(repo, capsys, "validate")
    assert code == 1 and ("缺少条款“2.1”" in out if case == "missing" else "docs/plan/newplan.md:" in out)
    assert run(repo, capsys, "plan", "import", str(source))[0] == 0
    assert page.read_text(encoding="utf-8") == text and run(repo, capsys, "validate")[0] == 0
