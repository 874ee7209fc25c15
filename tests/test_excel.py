"""The Excel round trip: the exported workbook as an office opens it, and the import of what they fill in."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import tool
from duban.cli import main
from duban.edit.excel_export import workbook_bytes
from duban.edit.workspace import open_workspace
from openpyxl import load_workbook

AS_OF = "2024-03-20"
LONG_TERM = """\
id: T-2-2-02
plan: testplan
clause: "2.2"
title: 每月报送排查情况
measures: 每月报送矛盾纠纷排查情况。
lead_units:
  - aa
deadline_text: 长期坚持
timing:
  mode: 长期坚持
  report_cadence: 每月
  start: 2024-01-01
"""
REPORTED = "task: T-2-2-02\nunit: aa\ndate: 2024-02-10\nstate: 推进中\ntext: 二月已报送。\n"


@pytest.fixture
def office(repo):
    (repo / "records/tasks/T-2-2-02.yaml").write_text(LONG_TERM, encoding="utf-8")
    (repo / "records/updates/T-2-2-02").mkdir(parents=True)
    (repo / "records/updates/T-2-2-02/2024-02-10-aa.yaml").write_text(REPORTED, encoding="utf-8")
    return repo


def run(repo, capsys, *args):
    code = main(["--root", str(repo), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def export(repo, capsys, name="f.xlsx", *options) -> Path:
    path = repo.parent / name
    code, _, err = run(repo, capsys, "excel", "export", "--as-of", AS_OF, *options, str(path))
    assert code == 0, err
    return path


def rows(sheet, first=3):
    return [r for r in sheet.iter_rows(min_row=first, values_only=True) if any(v is not None for v in r)]


def column(sheet, header):
    return next(c.column_letter for c in sheet[2] if c.value == header)


def updates(repo):
    base = repo / "records/updates"
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*.yaml"))


# ---------------------------------------------------------------- export


def test_the_exported_workbook_has_the_sheets_columns_and_rows_an_office_expects(office, capsys):
    wb = load_workbook(export(office, capsys))
    assert wb.sheetnames == ["填报说明", "任务分解表", "进展填报表-甲镇", "进展填报表-乙局", "选项"]
    tasks = wb["任务分解表"]
    assert [c.value for c in tasks[2]] == ["序号", "任务编号", "所属条款", "工作任务", "具体措施", "牵头单位", "配合单位",
                                           "完成时限", "周期", "起始日期", "时限表述", "状态", "校验码"]
    first = {c.value: v for c, v in zip(tasks[2], next(tasks.iter_rows(min_row=3, max_row=3)))}
    assert first["任务编号"].value == "T-2-1-01" and first["牵头单位"].value == "乙局" and first["配合单位"].value == "甲镇"
    assert first["完成时限"].is_date and first["完成时限"].value.date() == dt.date(2024, 3, 31)
    assert first["周期"].value is None and first["状态"].value == "正常推进"
    long_term = next(r for r in rows(tasks) if r[1] == "T-2-2-02")
    assert long_term[7] is None and long_term[8] == "长期坚持（每月报送）" and long_term[9] == dt.datetime(2024, 1, 1)
    # the unit owes January (missed) and March (under way); February is reported; the meeting task is a case
    town = wb["进展填报表-甲镇"]
    assert [(r[1], r[4], r[5]) for r in rows(town)] == [
        ("T-2-2-02", "2024年1月", dt.datetime(2024, 1, 1)), ("T-2-2-02", "2024年3月", dt.datetime(2024, 3, 1))]
    assert [(r[1], r[4]) for r in rows(wb["进展填报表-乙局"])] == [("T-2-1-01", "限时任务，完成时限 2024-03-31")]
    assert wb["选项"].sheet_state == "hidden"


def test_ids_are_locked_inputs_unlocked_and_dropdowns_read_the_hidden_lists(office, capsys):
    wb = load_workbook(export(office, capsys))
    town = wb["进展填报表-甲镇"]
    assert town.protection.sheet
    assert town["B3"].protection.locked and town["D3"].protection.locked and town["F3"].protection.locked
    for letter in "HIJK":  # 填报日期, 进展状态, 进展内容, 佐证材料
        assert not town[f"{letter}3"].protection.locked
    rules = {str(dv.sqref)[0]: dv for dv in town.data_validations.dataValidation}
    state = rules["I"]
    assert state.type == "list" and state.formula1 == "'选项'!$B$2:$B$4" and state.showErrorMessage
    assert state.errorStyle == "stop" and rules["H"].type == "date"
    options = wb["选项"]
    assert [options[f"B{i}"].value for i in (2, 3, 4)] == ["推进中", "已完成", "受阻"]
    breakdown = {str(dv.sqref)[0]: dv for dv in wb["任务分解表"].data_validations.dataValidation}
    assert breakdown["F"].formula1 == "'选项'!$A$2:$A$4" and breakdown["F"].errorStyle == "warning"  # several units allowed
    assert breakdown["I"].formula1.startswith("'选项'!$C$2") and breakdown["C"].formula1.startswith("'选项'!$D$2")
    assert town["J3"].font.name == "宋体" and wb["任务分解表"]["A2"].font.name == "宋体"
    setup = town.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == town.PAPERSIZE_A4 and setup.fitToWidth == 1


def test_a_units_workbook_has_its_own_sheet_and_a_breakdown_to_read_only(office, capsys):
    wb = load_workbook(export(office, capsys, "aa.xlsx", "--unit", "aa"))
    assert wb.sheetnames == ["填报说明", "任务分解表", "进展填报表-甲镇", "选项"]
    tasks = wb["任务分解表"]
    assert all(c.protection.locked for row in tasks.iter_rows(min_row=3) for c in row)
    assert not tasks.data_validations.dataValidation
    code, _, err = run(office, capsys, "excel", "export", "--unit", "zz", str(office.parent / "x.xlsx"))
    assert code == 2 and "单位“zz”不存在" in err


def test_exporting_again_gives_the_same_bytes(office):
    ws = open_workspace(office)
    assert workbook_bytes(ws, dt.date(2024, 3, 20)) == workbook_bytes(ws, dt.date(2024, 3, 20))


# ---------------------------------------------------------------- import of progress


def fill(path: Path, sheet: str, row: int, **cells) -> None:
    wb = load_workbook(path)
    ws = wb[sheet]
    for header, value in cells.items():
        ws[f"{column(ws, header)}{row}"] = value
    wb.save(path)


def test_filled_rows_become_updates_identical_to_the_cli_and_a_second_import_adds_nothing(office, capsys, tmp_path):
    path = export(office, capsys)
    fill(path, "进展填报表-乙局", 3, 填报日期=dt.date(2024, 3, 18), 进展状态="推进中", 进展内容="已完成初稿。\n正在征求意见。")
    fill(path, "进展填报表-甲镇", 3, 填报日期="2024年3月19日", 进展状态="推进中", 进展内容="补报一月排查情况。")
    code, out, err = run(office, capsys, "excel", "import", str(path))
    assert code == 0, out + err
    assert updates(office) == ["T-2-1-01/2024-03-18-bb.yaml", "T-2-2-02/2024-02-10-aa.yaml", "T-2-2-02/2024-03-19-aa.yaml"]
    late = (office / "records/updates/T-2-2-02/2024-03-19-aa.yaml").read_text(encoding="utf-8")
    assert "period: 2024-01-01\n" in late  # a late report credited to January
    excel_bytes = (office / "records/updates/T-2-1-01/2024-03-18-bb.yaml").read_bytes()

    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 0 and "写入 0 个文件，2 条已有相同记录" in out

    # the same report entered with the CLI in a fresh copy of the repository: the same bytes
    other = tmp_path / "other"
    shutil.copytree(office, other)
    shutil.rmtree(other / "records/updates/T-2-1-01")
    code, _, err = run(other, capsys, "new", "update", "T-2-1-01", "--unit", "bb", "--date", "2024-03-18",
                       "--text", "已完成初稿。\n正在征求意见。", "--no-input")
    assert code == 0, err
    assert (other / "records/updates/T-2-1-01/2024-03-18-bb.yaml").read_bytes() == excel_bytes


def test_one_bad_row_means_nothing_is_written_and_every_problem_names_its_cell(office, capsys):
    path = export(office, capsys)
    fill(path, "进展填报表-乙局", 3, 填报日期=dt.date(2024, 3, 18), 进展状态="已完成", 进展内容="办法已印发。",
         佐证材料="ftp://files/banfa.pdf")
    fill(path, "进展填报表-甲镇", 3, 填报日期="2024-02-30", 进展状态="完成", 进展内容="")
    fill(path, "进展填报表-甲镇", 4, 填报日期=45370, 进展状态="推进中", 进展内容="=A1")
    wb = load_workbook(path)
    wb["进展填报表-甲镇"]["H4"].number_format = "General"  # a number pasted where the date format was lost
    wb.save(path)
    code, out, err = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and "未写入任何文件" in err
    lines = out.splitlines()
    for expected in ("进展填报表-甲镇!H3: 日期“2024-02-30”不存在", "进展填报表-甲镇!I3: 进展状态“完成”不在可选范围内",
                     "进展填报表-甲镇!J3: 请填写进展内容", "进展填报表-甲镇!H4: 单元格是数字 45370，不是日期",
                     "进展填报表-甲镇!J4: 单元格是公式"):
        assert any(line.startswith(expected) for line in lines), (expected, out)
    assert updates(office) == ["T-2-2-02/2024-02-10-aa.yaml"]
    # with the town's rows fixed, the validator's problem with the link is named at its cell too
    fill(path, "进展填报表-甲镇", 3, 填报日期=None, 进展状态=None, 进展内容=None)
    fill(path, "进展填报表-甲镇", 4, 填报日期=None, 进展状态=None, 进展内容=None)
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and out.startswith("进展填报表-乙局!K3: ") and updates(office) == ["T-2-2-02/2024-02-10-aa.yaml"]


def test_reordered_and_renamed_columns_are_recognised_and_unknown_ones_refused(office, capsys):
    path = export(office, capsys)
    wb = load_workbook(path)
    ws = wb["进展填报表-乙局"]
    ws.move_range("H2:H3", cols=5)  # 填报日期 moved to the far right
    ws["J2"] = "进展情况"  # another name offices use for 进展内容
    ws["M3"], ws["I3"], ws["J3"] = dt.date(2024, 3, 18), "受阻", "等待上级文件。"
    wb.save(path)
    code, out, err = run(office, capsys, "excel", "import", str(path))
    assert code == 0, out + err
    assert "T-2-1-01/2024-03-18-bb.yaml" in updates(office)

    path = export(office, capsys, "g.xlsx")
    wb = load_workbook(path)
    wb["进展填报表-乙局"]["J2"] = "情况说明"
    wb.save(path)
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and "进展填报表-乙局!A2: 缺少“进展内容”列（表头可能被改名或删除）" in out


def test_merged_cells_in_the_table_are_refused(office, capsys):
    path = export(office, capsys)
    wb = load_workbook(path)
    ws = wb["进展填报表-甲镇"]
    ws["J3"] = "一月和三月合并报送。"
    ws.merge_cells("J3:J4")
    wb.save(path)
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and "进展填报表-甲镇!J3: 合并了单元格 J3:J4" in out


def test_a_units_workbook_cannot_report_for_another_unit(office, capsys):
    path = export(office, capsys, "aa.xlsx", "--unit", "aa")
    fill(path, "进展填报表-甲镇", 3, 单位编号="bb", 填报日期=dt.date(2024, 3, 19), 进展状态="推进中", 进展内容="x")
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and "进展填报表-甲镇!D3: 本文件是 甲镇 的填报表，不能填报 bb 的进展" in out


# ---------------------------------------------------------------- import of the breakdown


def test_new_breakdown_rows_get_the_next_free_id_under_their_clause_once(office, capsys):
    path = export(office, capsys)
    blank = 3 + 3  # three tasks, then the empty rows
    fill(path, "任务分解表", blank, 所属条款="2.1 第一项", 工作任务="开展业务培训", 具体措施="组织业务培训。", 牵头单位="乙局、甲镇",
         完成时限="2024/6/30")
    fill(path, "任务分解表", blank + 1, 所属条款="2.2 第二项", 工作任务="每周巡查", 具体措施="每周巡查一次。", 牵头单位="甲镇",
         周期="每周", 起始日期=dt.date(2024, 4, 1))
    code, out, err = run(office, capsys, "excel", "import", str(path))
    assert code == 0, out + err
    created = (office / "records/tasks/T-2-1-02.yaml").read_text(encoding="utf-8")
    assert created == ("# 任务分解表 二（一）：开展业务培训\nid: T-2-1-02\nplan: testplan\nclause: \"2.1\"\ntitle: 开展业务培训\n"
                       "measures: 组织业务培训。\nlead_units:\n  - bb\n  - aa\ndeadline_text: 2024年6月30日前\ntiming:\n"
                       "  mode: 限时\n  due: 2024-06-30\n")
    weekly = load_workbook(path)  # the same file again: recognised, nothing new
    assert (office / "records/tasks/T-2-2-03.yaml").is_file() and weekly
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 0 and "写入 0 个文件" in out
    assert sorted(p.name for p in (office / "records/tasks").glob("*.yaml")) == [
        "T-2-1-01.yaml", "T-2-1-02.yaml", "T-2-2-01.yaml", "T-2-2-02.yaml", "T-2-2-03.yaml"]


def test_changing_an_existing_task_keeps_its_comments_and_refuses_what_an_office_would(office, capsys):
    task = office / "records/tasks/T-2-1-01.yaml"
    task.write_text("# 任务分解表 二（一）：制定办法\n" + task.read_text(encoding="utf-8") + "# 文末说明\n", encoding="utf-8")
    path = export(office, capsys)
    fill(path, "任务分解表", 3, 工作任务="制定实施办法", 配合单位="甲镇、督查室")
    code, out, err = run(office, capsys, "excel", "import", str(path))
    assert code == 0, out + err
    text = task.read_text(encoding="utf-8")
    assert "title: 制定实施办法\n" in text and "partner_units:\n  - aa\n  - sup\n" in text
    assert text.startswith("# 任务分解表 二（一）：制定办法\n") and text.endswith("# 文末说明\n")

    path = export(office, capsys, "g.xlsx")
    fill(path, "任务分解表", 3, 完成时限=dt.date(2024, 6, 30), 牵头单位="乙局、丙局")
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1
    assert "任务分解表!H3: 已有任务的完成时限不能在表中修改（原为 2024-03-31）" in out
    assert "任务分解表!F3: 单位“丙局”不存在" in out


def test_a_row_whose_task_changed_after_the_export_is_refused(office, capsys):
    path = export(office, capsys)
    assert run(office, capsys, "new", "update", "T-2-1-01", "--unit", "bb", "--date", "2024-03-19", "--text", "x")[0] == 0
    task = office / "records/tasks/T-2-1-01.yaml"
    task.write_text(task.read_text(encoding="utf-8").replace("制定并印发实施办法。", "制定并印发实施办法（修订）。"), encoding="utf-8")
    fill(path, "任务分解表", 3, 工作任务="制定实施办法")
    code, out, _ = run(office, capsys, "excel", "import", str(path))
    assert code == 1 and "任务分解表!B3: 任务 T-2-1-01 在导出后已被修改" in out
    fill(path, "任务分解表", 3, 工作任务="制定办法")  # the row as exported: skipped, the newer change stays
    assert run(office, capsys, "excel", "import", str(path))[0] == 0
    assert "（修订）" in task.read_text(encoding="utf-8")


# ---------------------------------------------------------------- LibreOffice Calc


def soffice() -> str:
    return tool("soffice", "apt-get install libreoffice-calc-nogui")


@pytest.mark.slow
def test_libreoffice_opens_prints_and_saves_the_workbook_and_the_import_still_reads_it(office, capsys, tmp_path):
    binary = soffice()
    path = export(office, capsys)
    fill(path, "进展填报表-乙局", 3, 填报日期=dt.date(2024, 3, 18), 进展状态="推进中", 进展内容="已完成初稿。")
    profile = f"-env:UserInstallation=file://{tmp_path}/lo-profile"
    for target in ("pdf", "xlsx"):
        out_dir = tmp_path / target
        proc = subprocess.run([binary, profile, "--headless", "--convert-to", target, "--outdir", str(out_dir), str(path)],
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr
    pdf = (tmp_path / "pdf" / path.with_suffix(".pdf").name).read_bytes()
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = {(round(float(w)), round(float(h))) for w, h in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)}
    assert pdf.startswith(b"%PDF") and len(pages) >= 4
    assert boxes == {(842, 595)}  # every sheet prints on A4 landscape
    saved = tmp_path / "xlsx" / path.name
    wb = load_workbook(saved)  # what Calc wrote: sheets, hidden lists, protection and validations kept
    assert wb.sheetnames == ["填报说明", "任务分解表", "进展填报表-甲镇", "进展填报表-乙局", "选项"]
    town = wb["进展填报表-乙局"]
    assert wb["选项"].sheet_state == "hidden" and town.protection.sheet and not town["J3"].protection.locked
    assert any(dv.type == "list" and "选项" in dv.formula1 for dv in town.data_validations.dataValidation)
    code, out, err = run(office, capsys, "excel", "import", str(saved))
    assert code == 0, out + err
    assert (office / "records/updates/T-2-1-01/2024-03-18-bb.yaml").is_file()


def test_ci_installs_libreoffice_calc():
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "libreoffice-calc-nogui" in ci
