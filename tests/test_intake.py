"""``duban intake``: submitted issue-form bodies (GitHub's and Gitea's renderings) become the same records as
the CLI editors and the Excel import write, or Chinese problems named by the form's labels."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pytest
from duban.cli import main
from duban.edit.forms import PRIVACY_TEXT, all_forms
from duban.edit.workspace import open_workspace
from openpyxl import load_workbook

# A body as GitHub writes it for the 进展填报 form: `### label` sections joined by blank lines, an empty
# optional field as _No response_, a ticked box as `- [X]`, CRLF from the browser's text area.
GITHUB_BODY = (
    "### 填报事项\n\n进展填报\n\n"
    "### 报送单位\n\n乙局（bb）\n\n"
    "### 任务编号\n\nT-2-1-01\n\n"
    "### 报送日期\n\n2024-03-18\n\n"
    "### 所属周期\n\n_No response_\n\n"
    "### 进展状态\n\n推进中\n\n"
    "### 进展内容\n\n已完成初稿。\r\n正在征求意见。\n\n"
    "### 佐证材料\n\n_No response_\n\n"
    "### 个人信息\n\n- [X] " + PRIVACY_TEXT
)

# The same submission as Gitea's template renderer lays it out (modules/issue/template/template.go,
# RenderToMarkdown): every section is "### label\n\n", the value and "\n", then a blank line; `[x]` lower case.
GITEA_BODY = (
    "### 填报事项\n\n进展填报\n\n"
    "### 报送单位\n\n乙局（bb）\n\n"
    "### 任务编号\n\nT-2-1-01\n\n"
    "### 报送日期\n\n2024-03-18\n\n"
    "### 所属周期\n\n_No response_\n\n"
    "### 进展状态\n\n推进中\n\n"
    "### 进展内容\n\n已完成初稿。\n正在征求意见。\n\n"
    "### 佐证材料\n\n_No response_\n\n"
    "### 个人信息\n\n- [x] " + PRIVACY_TEXT + "\n\n"
)

UPDATE = "records/updates/T-2-1-01/2024-03-18-bb.yaml"


def github_body(form_id: str, repo: Path, **answers) -> str:
    """A body the way GitHub renders the form: every field in order, _No response_ where left empty."""
    form = all_forms(open_workspace(repo))[form_id]
    parts = []
    for f in form.fields:
        if f.type == "checkboxes":
            value = "\n".join(f"- [{'X' if answers.get(f.id, True) else ' '}] {o}" for o in f.options)
        elif f.id == "form":
            value = form.name
        else:
            value = answers.get(f.id) or "_No response_"
        parts.append(f"### {f.label}\n\n{value}")
    return "\n\n".join(parts)


@pytest.fixture
def run(repo, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    def go(body: str, *args, root: Path = repo, previous: str | None = None):
        path = tmp_path / "body.md"
        path.write_bytes(body.encode("utf-8"))
        extra = []
        if previous is not None:
            (tmp_path / "previous.md").write_text(previous, encoding="utf-8")
            extra = ["--previous", str(tmp_path / "previous.md")]
        code = main(["--root", str(root), "intake", str(path), *extra, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def updates(repo: Path) -> list[str]:
    base = repo / "records/updates"
    return sorted(p.relative_to(repo).as_posix() for p in base.rglob("*.yaml")) if base.exists() else []


def test_a_github_body_becomes_the_update_and_says_where(run, repo):
    code, out, err = run(GITHUB_BODY, "--form", "progress")
    assert code == 0, out + err
    assert f"已写入 {UPDATE}" in out
    assert (repo / UPDATE).read_text(encoding="utf-8") == (
        "# 进展情况：T-2-1-01 乙局（2024-03-18）\ntask: T-2-1-01\nunit: bb\ndate: 2024-03-18\nstate: 推进中\n"
        "text: |-\n  已完成初稿。\n  正在征求意见。\n")
    assert main(["--root", str(repo), "validate", "--today", "2024-12-31"]) == 0


def test_a_gitea_body_gives_the_same_bytes_and_the_form_is_found_without_form(run, repo, tmp_path):
    assert run(GITHUB_BODY)[0] == 0
    github = (repo / UPDATE).read_bytes()
    (repo / UPDATE).unlink()
    code, out, err = run(GITEA_BODY)
    assert code == 0, out + err
    assert (repo / UPDATE).read_bytes() == github


def test_intake_cli_editor_and_excel_import_write_the_same_bytes(run, repo, capsys, tmp_path):
    code, out, err = run(GITHUB_BODY, "--form", "progress")
    assert code == 0, out + err
    intake_bytes = (repo / UPDATE).read_bytes()

    cli_repo = tmp_path / "cli"
    shutil.copytree(repo, cli_repo)
    (cli_repo / UPDATE).unlink()
    code = main(["--root", str(cli_repo), "new", "update", "T-2-1-01", "--unit", "bb", "--date", "2024-03-18",
                 "--text", "已完成初稿。\n正在征求意见。", "--no-input"])
    assert code == 0, capsys.readouterr()
    assert (cli_repo / UPDATE).read_bytes() == intake_bytes

    excel_repo = tmp_path / "excel"
    shutil.copytree(repo, excel_repo)
    (excel_repo / UPDATE).unlink()
    book = tmp_path / "f.xlsx"
    assert main(["--root", str(excel_repo), "excel", "export", "--as-of", "2024-03-20", str(book)]) == 0
    wb = load_workbook(book)
    sheet = wb["进展填报表-乙局"]
    headers = {c.value: c.column_letter for c in sheet[2]}
    sheet[f"{headers['填报日期']}3"] = dt.date(2024, 3, 18)
    sheet[f"{headers['进展状态']}3"] = "推进中"
    sheet[f"{headers['进展内容']}3"] = "已完成初稿。\n正在征求意见。"
    wb.save(book)
    assert main(["--root", str(excel_repo), "excel", "import", str(book)]) == 0, capsys.readouterr()
    assert (excel_repo / UPDATE).read_bytes() == intake_bytes


def test_a_value_holding_a_heading_line_stays_in_the_value(run, repo):
    body = GITHUB_BODY.replace("已完成初稿。\r\n正在征求意见。", "一、已完成初稿。\n\n### 下一步\n\n征求意见。")
    code, out, err = run(body)
    assert code == 0, out + err
    text = (repo / UPDATE).read_text(encoding="utf-8")
    assert "  一、已完成初稿。\n\n  ### 下一步\n\n  征求意见。\n" in text


def test_editing_the_issue_after_submission_updates_the_same_file(run, repo):
    assert run(GITHUB_BODY)[0] == 0
    edited = GITHUB_BODY.replace("正在征求意见。", "已征求意见，正在修改。")
    code, out, err = run(edited, previous=GITHUB_BODY)
    assert code == 0, out + err
    assert updates(repo) == [UPDATE]
    assert "已征求意见，正在修改。" in (repo / UPDATE).read_text(encoding="utf-8")
    # without the body before the edit it is a second report that day, in a file of its own
    code, _, _ = run(edited.replace("正在修改。", "已定稿。"))
    assert code == 0 and len(updates(repo)) == 2


def test_an_edit_that_moves_a_merged_report_to_another_day_is_refused(run, repo):
    assert run(GITHUB_BODY)[0] == 0
    code, out, _ = run(GITHUB_BODY.replace("2024-03-18", "2024-03-19"), previous=GITHUB_BODY)
    assert code == 1 and "报送日期：" in out and "另开一个议题" in out
    assert updates(repo) == [UPDATE]


def test_personal_data_is_refused_never_quoted_and_masked_for_the_issue(run, repo, tmp_path):
    body = GITHUB_BODY.replace("正在征求意见。", "联系人电话13912345678，正在征求意见。")
    code, out, err = run(body, "--json", "--masked-body", str(tmp_path / "masked.md"))
    assert code == 1
    result = json.loads(out)
    assert result["personal_data"] is True and result["written"] == [] and result["record"] is None
    assert [p["field"] for p in result["problems"]] == ["进展内容"]
    assert "13912345678" not in out + err and "5678" not in out
    masked = (tmp_path / "masked.md").read_text(encoding="utf-8")
    assert "13912345678" not in masked and "139****5678" in masked and "### 进展内容" in masked
    assert updates(repo) == []


def test_an_impossible_date_names_the_field_label_not_the_yaml_path(run, repo):
    code, out, err = run(GITHUB_BODY.replace("2024-03-18", "2024-02-30"))
    assert code == 1 and "- 报送日期：日期“2024-02-30”不存在" in out
    assert "date" not in out and updates(repo) == []


def test_problems_of_the_record_are_phrased_for_the_form(run, repo):
    code, out, _ = run(GITHUB_BODY.replace("乙局（bb）", "甲镇（aa）").replace("推进中", "已完成"))
    assert code == 1 and "进展状态：只有牵头单位能报告任务完成" in out
    code, out, _ = run(GITHUB_BODY.replace("### 佐证材料\n\n_No response_", "### 佐证材料\n\nftp://x"))
    assert code == 1 and "佐证材料：" in out and updates(repo) == []


def test_the_privacy_box_must_be_ticked(run, repo):
    code, out, _ = run(GITHUB_BODY.replace("- [X]", "- [ ]"))
    assert code == 1 and "个人信息：请勾选" in out and updates(repo) == []


def test_a_new_case_from_its_kinds_form_with_several_units_chosen(run, repo):
    body = github_body("case-meeting", repo, level="乡镇", unit="甲镇（aa）", date="2024-03-05", issues_discussed="3",
                       attending_units="甲镇（aa）, 乙局（bb）", summary="研判三起纠纷。\n### 交办\n交办两起。")
    code, out, err = run(body, "--json", "--issue", "7")
    assert code == 0, out + err
    result = json.loads(out)
    assert result["issue"] == 7 and result["unit"] == "aa" and result["form"] == "case-meeting"
    written = repo / result["written"][0]
    text = written.read_text(encoding="utf-8")
    assert "attending_units:\n  - aa\n  - bb\n" in text and "### 交办" in text
    assert written.parent.name == "meetings"


def test_an_extension_request_and_a_completion_report(run, repo):
    body = github_body("extension", repo, unit="乙局（bb）", task="T-2-1-01", requested="2024-03-20",
                       new_due="2024-04-30", reason="需征求多个部门意见。")
    code, out, err = run(body)
    assert code == 0, out + err
    task = (repo / "records/tasks/T-2-1-01.yaml").read_text(encoding="utf-8")
    assert "new_due: 2024-04-30" in task and "需征求多个部门意见。" in task
    body = github_body("completion", repo, unit="乙局（bb）", task="T-2-1-01", date="2024-03-25",
                       text="办法已印发。", evidence="https://example.org/a.pdf\nhttps://example.org/b.pdf")
    code, out, err = run(body)
    assert code == 0, out + err
    done = (repo / "records/updates/T-2-1-01/2024-03-25-bb.yaml").read_text(encoding="utf-8")
    assert "state: 已完成" in done and "  - https://example.org/b.pdf\n" in done
    code, out, _ = run(github_body("completion", repo, unit="乙局（bb）", task="T-2-1-01", date="2024-03-26",
                                   text="办法已印发。"))
    assert code == 1 and "佐证材料：" in out


def test_a_dispute_registered_then_its_status_changed_and_closed(run, repo):
    body = github_body("case-dispute", repo, unit="甲镇（aa）", category="邻里纠纷", source="网格排查",
                       summary="两户因围墙发生纠纷。", received="2024-03-01", **{"time_limit-days": "15",
                       "time_limit-unit": "工作日", "status_history-date": "2024-03-01",
                       "status_history-status": "受理"}, parties="2")
    code, out, err = run(body, "--json")
    assert code == 0, out + err
    file = repo / json.loads(out)["written"][0]
    case_id = file.stem
    assert case_id == "MD-aa-2024-0002"  # the next free id after the fixture's MD-aa-2024-0001
    assert "time_limit:\n  days: 15\n  unit: 工作日\n" in file.read_text(encoding="utf-8")
    change = github_body("case-status", repo, case=case_id, status="矛盾纠纷：调解中", date="2024-03-02",
                         note="已约谈双方。")
    code, out, err = run(change)
    assert code == 0, out + err
    text = file.read_text(encoding="utf-8")
    assert "status: 调解中" in text and "note: 已约谈双方。" in text
    code, out, err = run(change.replace("调解中", "化解").replace("2024-03-02", "2024-03-08"))
    assert code == 0, out + err
    code, out, _ = run(change.replace("2024-03-02", "2024-03-09"))
    assert code == 1 and "已于 2024-03-08 化解" in out
    code, out, _ = run(github_body("case-status", repo, case=case_id, status="公共安全隐患：整改完成日期",
                                   date="2024-03-03"))
    assert code == 1 and "新状态：台账 MD-aa-2024-0002 是矛盾纠纷" in out


def test_an_unknown_form_and_a_body_of_no_form(run, repo):
    code, out, _ = run(GITHUB_BODY, "--form", "nosuch")
    assert code == 1 and "未知的表单（可用：progress、" in out
    code, out, _ = run("随便写的议题\n")
    assert code == 1 and "无法识别表单" in out
    code, out, _ = run("随便写的议题，电话 139 1234 5678\n", "--json")  # no form, still never quoted
    assert code == 1 and json.loads(out)["personal_data"] is True and "5678" not in out


def test_hostile_values_are_refused_by_the_validators_rules_and_write_nothing(run, repo):
    code, out, _ = run(GITHUB_BODY.replace("正在征求意见。", "正在\u202e征求意见。"))
    assert code == 1 and "进展内容：" in out and "U+202E" in out and "\u202e" not in out
    code, out, _ = run(GITHUB_BODY.replace("\n\nT-2-1-01\n\n", "\n\n../../../etc/passwd\n\n"))
    assert code == 1 and "任务" in out
    code, out, _ = run(GITHUB_BODY.replace("乙局（bb）", "乙局（bb）, 甲镇（aa）"))
    assert code == 1 and "报送单位：" in out
    assert updates(repo) == []


def test_an_edited_extension_request_and_status_change_replace_their_entry(run, repo):
    first = github_body("extension", repo, unit="乙局（bb）", task="T-2-1-01", requested="2024-03-20",
                        new_due="2024-04-30", reason="需征求多个部门意见。")
    assert run(first)[0] == 0
    edited = first.replace("2024-04-30", "2024-05-15")
    code, out, err = run(edited, previous=first)
    assert code == 0, out + err
    task = (repo / "records/tasks/T-2-1-01.yaml").read_text(encoding="utf-8")
    assert task.count("requested:") == 1 and "new_due: 2024-05-15" in task and "2024-04-30" not in task
    code, out, _ = run(edited.replace("2024-05-15", "2024-05-31"))  # without the earlier body: a second request
    assert code == 1 and "尚待批准的延期申请" in out

    change = github_body("case-status", repo, case="MD-aa-2024-0001", status="矛盾纠纷：调解中", date="2024-02-05")
    dispute = repo / "records/cases/disputes/MD-aa-2024-0001.yaml"
    history = dispute.read_text(encoding="utf-8").replace("  - {date: 2024-02-10, status: 化解}\n", "")
    dispute.write_text(history, encoding="utf-8")
    assert run(change)[0] == 0
    code, out, err = run(change.replace("调解中\n", "化解\n").replace("2024-02-05", "2024-02-06"), previous=change)
    assert code == 0, out + err
    text = dispute.read_text(encoding="utf-8")
    assert "调解中" not in text and text.count("status:") == 2 and "status: 化解" in text
