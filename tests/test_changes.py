"""`duban changes`: the pull request's job summary lists the records it changes and the tasks and units whose state
changes as a result, before → after, and every validation problem (GitHub shows only ten annotations)."""


import pytest
from conftest import git as _git
from conftest import make_repo
from duban.cli import main

DONE = """task: T-2-1-01
unit: bb
date: 2024-04-08
state: 已完成
text: 实施办法已印发，申请核实销号。
"""




@pytest.fixture
def committed(tmp_path):
    repo = make_repo(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _changes(repo, capsys, *extra):
    code = main(["--root", str(repo), "changes", "--base", "main", "--as-of", "2024-04-10", *extra])
    return code, capsys.readouterr()


def test_a_completion_report_shows_the_task_and_its_unit_before_and_after(committed, capsys):
    update = committed / "records/updates/T-2-1-01/2024-04-08-bb.yaml"
    update.parent.mkdir(parents=True)
    update.write_text(DONE, encoding="utf-8")
    code, out = _changes(committed, capsys)
    assert code == 0, out
    text = out.out
    assert "## 记录校验：通过" in text
    assert "| 新增 | `records/updates/T-2-1-01/2024-04-08-bb.yaml` |" in text
    row = next(line for line in text.splitlines() if line.startswith("| T-2-1-01 |"))
    assert "| 逾期 |" in row and "待核销" in row, row
    unit = next(line for line in text.splitlines() if line.startswith("| 乙局 |"))
    assert "1 → 0" in unit, text


def test_an_unchanged_state_says_so(committed, capsys):
    (committed / "records/tasks/T-2-1-01.yaml").write_text(
        (committed / "records/tasks/T-2-1-01.yaml").read_text(encoding="utf-8").replace("制定办法", "制定实施办法"),
        encoding="utf-8")
    code, out = _changes(committed, capsys)
    assert code == 0
    assert "| 修改 | `records/tasks/T-2-1-01.yaml` |" in out.out
    assert "没有任务的状态因本次修改而变化" in out.out


def test_every_problem_is_in_the_summary_beyond_ten(committed, capsys):
    folder = committed / "records/updates/T-2-1-01"
    folder.mkdir(parents=True)
    for i in range(12):
        (folder / f"2024-04-{i + 1:02d}-bb.yaml").write_text(DONE.replace("date: 2024-04-08", f"date: 2024-04-{i + 1:02d}")
                                                          .replace("state: 已完成", "state: 做完了"), encoding="utf-8")
    code, out = _changes(committed, capsys)
    assert code == 1
    assert "发现 12 个问题" in out.out
    assert sum("做完了" in line for line in out.out.splitlines()) >= 12
    assert "修正后才能计算状态变化" in out.out


def test_an_unknown_base_is_a_usage_error(committed, capsys):
    code = main(["--root", str(committed), "changes", "--base", "no-such-branch"])
    assert code == 2
    assert "找不到提交“no-such-branch”" in capsys.readouterr().err
