"""The CLI editors: what a unit or the office can write, what they are refused, and that nothing invalid is kept."""

from __future__ import annotations

import builtins
import sys

import pytest
from duban.cli import main
from duban.records.load import load_file


@pytest.fixture
def cli(repo, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)

    def run(*args):
        code = main(["--root", str(repo), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def data(path):
    loaded = load_file(path)
    assert not loaded.problems, loaded.problems
    return loaded.data


def files(repo, folder):
    base = repo / "records" / folder
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*.yaml")) if base.exists() else []


# ---------------------------------------------------------------- progress updates


def test_a_unit_reports_progress_and_the_same_report_twice_writes_one_file(cli, repo):
    args = ("new", "update", "T-2-1-01", "--unit", "aa", "--date", "2024-03-01", "--text", "已完成调研，形成初稿。")
    code, out, _ = cli(*args)
    assert code == 0 and "已写入 records/updates/T-2-1-01/2024-03-01-aa.yaml" in out
    path = repo / "records/updates/T-2-1-01/2024-03-01-aa.yaml"
    assert path.read_text(encoding="utf-8") == (
        "# 进展情况：T-2-1-01 甲镇（2024-03-01）\ntask: T-2-1-01\nunit: aa\ndate: 2024-03-01\nstate: 推进中\n"
        "text: 已完成调研，形成初稿。\n")
    code, out, _ = cli(*args)
    assert code == 0 and "已有相同记录，未改动" in out
    assert files(repo, "updates") == ["T-2-1-01/2024-03-01-aa.yaml"]
    code, out, _ = cli(*args[:-1], "另一条进展")  # a second, different report that day gets its own file
    assert code == 0 and files(repo, "updates") == ["T-2-1-01/2024-03-01-aa-2.yaml", "T-2-1-01/2024-03-01-aa.yaml"]
    assert cli("validate")[0] == 0


def test_without_a_terminal_a_missing_answer_names_its_flag_and_nothing_is_written(cli, repo):
    code, _, err = cli("new", "update", "T-2-1-01", "--unit", "aa")
    assert code == 2 and "缺少 --text（进展内容）" in err and "不是交互终端" in err
    assert files(repo, "updates") == []


def test_the_office_rules_for_progress_reports(cli, repo):
    refused = {
        ("--unit", "sup", "--text", "x"): (1, "督查室（sup）不是任务 T-2-1-01 的牵头或配合单位"),
        ("--unit", "aa", "--state", "已完成", "--text", "x", "--evidence", "https://e.invalid/1"): (1, "只有牵头单位能报告任务完成"),
        ("--unit", "bb", "--state", "已完成", "--text", "x"): (2, "缺少 --evidence（佐证材料）"),
        ("--unit", "bb", "--text", "x", "--date", "2999-01-01"): (1, "报送日期 2999-01-01 晚于今天"),
        ("--unit", "bb", "--text", "x", "--period", "2024-03-01"): (1, "限时任务，不按周期报送"),
        ("--unit", "bb", "--text", "x", "--state", "完成了"): (2, "--state：“完成了”不在可选范围内"),
    }
    for args, (exit_code, message) in refused.items():
        code, _, err = cli("new", "update", "T-2-1-01", *args)
        assert code == exit_code and message in err, (args, err)
    assert files(repo, "updates") == []


def test_a_late_report_on_a_cadence_task_is_credited_to_its_period(cli, repo):
    code, _, _ = cli("new", "update", "T-2-2-01", "--unit", "aa", "--date", "2024-03-20", "--text", "补报",
                     "--period", "2024-03-06")
    assert code == 0
    written = data(repo / "records/updates/T-2-2-01/2024-03-20-aa.yaml")
    assert written["period"] == "2024-03-04"  # the Monday of that ISO week
    cli("new", "update", "T-2-2-01", "--unit", "aa", "--date", "2024-03-21", "--text", "本周", "--period", "2024-03-19")
    assert "period" not in data(repo / "records/updates/T-2-2-01/2024-03-21-aa.yaml")  # the report's own week


def test_a_record_the_validator_refuses_is_not_written(cli, repo):
    code, out, err = cli("new", "update", "T-2-1-01", "--unit", "bb", "--date", "2024-03-01", "--text", "进展",
                         "--evidence", "ftp://files/1.pdf")
    assert code == 1 and "未写入任何文件" in err
    assert "records/updates/T-2-1-01/2024-03-01-bb.yaml:" in out and "evidence[0]" in out
    assert files(repo, "updates") == []


# ---------------------------------------------------------------- extension, completion, closure


ANNOTATED = "# 任务分解表 二（一）：制定办法\n# 乙局牵头，甲镇配合\n" + (
    "id: T-2-1-01\nplan: testplan\nclause: \"2.1\"\ntitle: 制定办法\nmeasures: 制定并印发实施办法。\n"
    "lead_units: [bb]  # 牵头\npartner_units: [aa]\ndeadline_text: 2024年3月底前\ntiming:\n  mode: 限时\n"
    "  due: 2024-03-31  # 原定时限\n")


def test_extension_approval_completion_and_closure_as_an_office_runs_them(cli, repo):
    task = repo / "records/tasks/T-2-1-01.yaml"
    task.write_text(ANNOTATED, encoding="utf-8")
    ext = ("extend", "T-2-1-01", "--date", "2024-03-20", "--new-due", "2024-05-31", "--reason", "待上级文件印发")
    code, _, err = cli(*ext, "--unit", "aa")
    assert code == 1 and "延期由牵头单位申请；甲镇不是任务 T-2-1-01 的牵头单位" in err
    assert cli(*ext, "--unit", "bb")[0] == 0
    assert data(task)["extensions"] == [{"requested": "2024-03-20", "reason": "待上级文件印发", "new_due": "2024-05-31"}]
    code, _, err = cli(*ext, "--unit", "bb")
    assert code == 1 and "尚待批准的延期申请" in err

    code, _, err = cli("approve", "T-2-1-01", "--unit", "bb", "--date", "2024-03-22")
    assert code == 1 and "不能批准本单位的延期申请" in err
    assert cli("approve", "T-2-1-01", "--unit", "sup", "--date", "2024-03-22")[0] == 0
    assert data(task)["extensions"][0] | {} == {"requested": "2024-03-20", "reason": "待上级文件印发",
                                               "new_due": "2024-05-31", "approved_by": "sup", "approved": "2024-03-22"}

    code, _, err = cli("verify", "T-2-1-01", "--unit", "sup", "--date", "2024-05-01")
    assert code == 1 and "尚无牵头单位报告完成" in err
    code, _, err = cli("close", "T-2-1-01", "--unit", "bb", "--date", "2024-04-30", "--text", "办法已印发")
    assert code == 2 and "--evidence" in err
    assert cli("close", "T-2-1-01", "--unit", "bb", "--date", "2024-04-30", "--text", "办法已印发",
               "--evidence", "https://e.invalid/banfa.pdf")[0] == 0
    assert data(repo / "records/updates/T-2-1-01/2024-04-30-bb.yaml")["state"] == "已完成"
    code, _, err = cli("verify", "T-2-1-01", "--unit", "bb", "--date", "2024-05-01")
    assert code == 1 and "不能为本单位的任务销号" in err
    code, _, err = cli("verify", "T-2-1-01", "--unit", "sup", "--date", "2024-04-29")
    assert code == 1 and "早于牵头单位报告完成的日期" in err
    assert cli("verify", "T-2-1-01", "--unit", "sup", "--date", "2024-05-06", "--note", "经核实予以销号")[0] == 0
    assert data(task)["closure"] == {"date": "2024-05-06", "verified_by": "sup", "note": "经核实予以销号"}
    text = task.read_text(encoding="utf-8")
    for comment in ("# 乙局牵头，甲镇配合", "# 牵头", "# 原定时限"):  # what a person wrote is kept
        assert comment in text
    code, _, err = cli("new", "update", "T-2-1-01", "--unit", "bb", "--text", "x")
    assert code == 1 and "已于 2024-05-06 销号" in err
    assert cli("validate")[0] == 0


def test_an_extension_is_requested_before_the_due_date(cli, repo):
    code, _, err = cli("extend", "T-2-1-01", "--unit", "bb", "--date", "2024-04-02", "--new-due", "2024-05-31",
                       "--reason", "x")
    assert code == 1 and "延期须在到期前申请" in err
    code, _, err = cli("extend", "T-2-2-01", "--unit", "aa", "--new-due", "2024-05-31", "--reason", "x")
    assert code == 1 and "周期任务，没有完成时限" in err


# ---------------------------------------------------------------- cases


HAZARD = ("--set", "category=消防", "--set", "level=一般", "--set", "site=某村自建房", "--set", "description=电线老化",
          "--set", "found=2024-03-01", "--set", "deadline=2024-04-01")


def test_a_new_case_gets_the_next_id_and_verification_waits_for_rectification(cli, repo):
    assert cli("new", "case", "hazard", "--unit", "aa", *HAZARD)[0] == 0
    assert cli("new", "case", "hazard", "--unit", "aa", *HAZARD)[0] == 0
    assert files(repo, "cases/hazards") == ["YH-aa-2024-0001.yaml", "YH-aa-2024-0002.yaml"]
    first = repo / "records/cases/hazards/YH-aa-2024-0001.yaml"
    assert first.read_text(encoding="utf-8").startswith("# 公共安全隐患：YH-aa-2024-0001\nid: YH-aa-2024-0001\nunit: aa\n")
    code, _, err = cli("verify", "YH-aa-2024-0001", "--date", "2024-03-20")
    assert code == 1 and "尚未填写整改完成日期" in err
    first.write_text(first.read_text(encoding="utf-8") + "rectified: 2024-03-15\n", encoding="utf-8")
    assert cli("verify", "YH-aa-2024-0001", "--date", "2024-03-20")[0] == 0
    assert data(first)["verified"] == "2024-03-20"
    code, _, err = cli("new", "case", "hazard", "--unit", "aa", *HAZARD[:-2])
    assert code == 2 and "--set deadline=…（整改期限）" in err
    code, _, err = cli("new", "case", "hazard", "--unit", "aa", "--set", "colour=红", *HAZARD)
    assert code == 1 and "没有可填写的字段：colour" in err


def test_a_dispute_is_closed_by_a_closing_status(cli, repo):
    code, _, err = cli("verify", "MD-aa-2024-0001", "--date", "2024-03-01", "--status", "化解")
    assert code == 1 and "已于 2024-02-10 化解" in err
    args = ("--set", "category=邻里纠纷", "--set", "source=网格排查", "--set", "summary=排水纠纷", "--set", "received=2024-03-01",
            "--set", "time_limit.days=15", "--set", "time_limit.unit=工作日", "--set", "parties=2",
            "--set", "status_history.status=受理")
    assert cli("new", "case", "dispute", "--unit", "aa", *args)[0] == 0
    case = repo / "records/cases/disputes/MD-aa-2024-0002.yaml"
    assert data(case)["status_history"] == [{"date": "2024-03-01", "status": "受理"}]
    code, _, err = cli("verify", "MD-aa-2024-0002", "--date", "2024-03-10", "--status", "受理")
    assert code == 2 and "--status" in err
    assert cli("verify", "MD-aa-2024-0002", "--date", "2024-03-10", "--status", "化解")[0] == 0
    assert data(case)["status_history"][-1] == {"date": "2024-03-10", "status": "化解"}


# ---------------------------------------------------------------- on a terminal


def test_on_a_terminal_the_editor_is_asked_with_choices_and_its_unit_is_remembered(repo, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    asked: list[str] = []

    def answers(*lines):
        it = iter(lines)

        def fake(prompt=""):
            asked.append(prompt)
            return next(it)

        monkeypatch.setattr(builtins, "input", fake)

    # unit by number, task by number, date typed the Chinese way, state by default, two lines of text, a link
    answers("1", "1", "2024年3月5日", "", "第一行", "第二行", "", "https://e.invalid/x.pdf", "", "")
    assert main(["--root", str(repo), "new", "update"]) == 0
    assert "1) 甲镇（aa）" in asked[0] and "T-2-1-01 制定办法" in asked[1] and "确认写入" in asked[-1]
    written = data(repo / "records/updates/T-2-1-01/2024-03-05-aa.yaml")
    assert written["text"] == "第一行\n第二行" and written["evidence"] == ["https://e.invalid/x.pdf"]
    assert data(repo / ".duban/editor.yaml") == {"unit": "aa"}

    asked.clear()  # the remembered unit is the default; saying no writes nothing
    answers("", "T-2-1-01", "2024-03-06", "受阻", "等待材料", "", "", "n")
    assert main(["--root", str(repo), "new", "update"]) == 1
    assert "默认：甲镇（aa）" in asked[0]
    assert not (repo / "records/updates/T-2-1-01/2024-03-06-aa.yaml").exists()
    capsys.readouterr()


def test_a_case_kind_without_a_closing_step_cannot_be_verified(cli, repo):
    args = ("--set", "level=乡镇", "--set", "date=2024-03-04", "--set", "issues_discussed=3", "--set", "attending_units=bb,sup")
    assert cli("new", "case", "meeting", "--unit", "aa", *args)[0] == 0
    assert data(repo / "records/cases/meetings/HY-aa-2024-03-04.yaml")["attending_units"] == ["bb", "sup"]
    assert cli("new", "case", "meeting", "--unit", "aa", *args)[0] == 0  # a second meeting that day
    assert (repo / "records/cases/meetings/HY-aa-2024-03-04-2.yaml").is_file()
    code, _, err = cli("verify", "HY-aa-2024-03-04")
    assert code == 1 and "排查调处协调会议没有办结或验收环节" in err


def test_invisible_characters_in_an_answer_are_refused_not_a_traceback(cli, repo):
    code, _, err = cli("new", "update", "T-2-1-01", "--unit", "aa", "--date", "2024-03-01", "--text", "甲\u202e乙", "--yes")
    assert code == 1 and "不能写入：" in err and "U+202E" in err
    assert files(repo, "updates") == []
