"""The duban command as an editor or CI runs it."""

import json
import subprocess
import sys

from duban.cli import main


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "duban", *args], cwd=cwd, capture_output=True, text=True)


def test_clean_repository_exits_zero_with_summary(repo):
    proc = run("validate", cwd=repo)
    assert proc.returncode == 0
    assert proc.stdout.strip().splitlines()[-1] == "检查 7 个文件，发现 0 个问题"


def test_problems_are_listed_one_per_line_then_summary(repo):
    (repo / "records/units/cc.yaml").write_text("id: cc\nname: 丙局\nkind: 局\nextra: 1\n", encoding="utf-8")
    proc = run("validate", cwd=repo)
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("records/units/cc.yaml:3:7: kind: 单位类别“局”未在 schemas/settings.yaml 的“unit_kinds”中声明")
    assert lines[1].startswith("records/units/cc.yaml:4:1: extra: 未知字段“extra”")
    assert lines[-1] == "检查 8 个文件，发现 2 个问题"


def test_paths_limit_the_report_but_references_still_resolve(repo):
    (repo / "records/units/cc.yaml").write_text("id: cc\nname: 丙局\nkind: 局\n", encoding="utf-8")
    proc = run("validate", "records/tasks", cwd=repo)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip() == "检查 2 个文件，发现 0 个问题"
    proc = run("validate", "units/cc.yaml", cwd=repo / "records")  # root found upwards
    assert proc.returncode == 1 and "发现 1 个问题" in proc.stdout


def test_github_annotations(repo):
    (repo / "records/units/cc.yaml").write_text("id: cc\nname: 丙局\n", encoding="utf-8")
    proc = run("validate", "--format", "github", cwd=repo)
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith("::error file=records/units/cc.yaml,line=1,col=1,title=kind::kind: 缺少必填字段")


def test_json_format(repo):
    (repo / "records/units/cc.yaml").write_bytes("id: cc\nname: 丙镇\nkind: 乡镇\n".encode("gbk"))
    proc = run("validate", "--format", "json", cwd=repo)
    assert proc.returncode == 1
    payload = json.loads(proc.stdout)
    assert payload["problem_count"] == 1 and payload["files"] == 8
    [problem] = payload["problems"]
    assert problem["file"] == "records/units/cc.yaml" and problem["line"] == 2 and "GBK" in problem["message"]


def test_usage_errors_exit_two_in_chinese(repo):
    proc = run("validate", "--format", "xml", cwd=repo)
    assert proc.returncode == 2 and "无效的选择" in proc.stderr
    proc = run("validate", "no/such/path", cwd=repo)
    assert proc.returncode == 2 and "路径不存在" in proc.stderr
    proc = run("frobnicate", cwd=repo)
    assert proc.returncode == 2


def test_main_is_callable_in_process(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    assert main(["validate"]) == 0
    assert "发现 0 个问题" in capsys.readouterr().out


def test_every_command_and_option_is_in_the_readme():
    from pathlib import Path

    from duban.cli import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")

    def commands(parser, prefix):
        for action in parser._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                for name, command in action.choices.items():
                    yield f"{prefix} {name}", command
                    yield from commands(command, f"{prefix} {name}")

    for name, command in commands(build_parser(), "duban"):
        assert name in readme, name
        for action in command._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"{name} {option}"
