"""The 留痕 of a task and a case on the site: who changed the record file, when, in which pull request, and which
fields, read from real git history."""

import datetime as dt
import subprocess

import pytest
from conftest import git as _git
from conftest import make_repo
from duban.engine.snapshot import Evaluator
from duban.outputs.site.pages import generate
from duban.records.history import read_history
from duban.records.model import open_repository

UPDATE = """task: T-2-1-01
unit: bb
date: 2024-03-05
state: 推进中
text: 实施办法已形成初稿，正在征求意见。
"""




@pytest.fixture
def history_repo(tmp_path):
    repo = make_repo(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "建立任务分解表")
    task = repo / "records/tasks/T-2-1-01.yaml"
    task.write_text(task.read_text(encoding="utf-8").replace("due: 2024-03-31", "due: 2024-04-30"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "调整T-2-1-01完成时限 (#7)", day="2024-03-02")
    _git(repo, "checkout", "-q", "-b", "intake/issue-9")
    update = repo / "records/updates/T-2-1-01/2024-03-05-bb.yaml"
    update.parent.mkdir(parents=True, exist_ok=True)
    update.write_text(UPDATE, encoding="utf-8")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "进展填报：T-2-1-01", author="东园镇 李干事", day="2024-03-05")
    _git(repo, "checkout", "-q", "main")
    _git(repo, "merge", "-q", "--no-ff", "intake/issue-9", "-m", "Merge pull request #9 from town/intake-9",
         "-m", "进展填报：T-2-1-01（东园镇）", author="督查室 张主任", day="2024-03-06")
    case = next((repo / "records/cases/disputes").rglob("*.yaml"))
    case.write_text(case.read_text(encoding="utf-8") + "note: 补充说明\n", encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "补充调解说明", day="2024-03-08")
    return repo


def _task_page(repo, as_of):
    model = open_repository(repo)
    snapshot = Evaluator(model).at(as_of)
    return generate(snapshot, repo / "docs", history=read_history(repo, as_of))


def test_task_page_shows_who_changed_what_in_which_pull_request(history_repo):
    pages = _task_page(history_repo, dt.date(2024, 3, 10))
    page = pages["tasks/T-2-1-01.md"]
    trail = page[page.index("## 修改记录（留痕）"):]
    rows = [line for line in trail.splitlines() if line.startswith("| 2024")]
    assert len(rows) == 3, trail
    # newest first; the merged pull request is credited to the editor who made it, with its title and number
    assert rows[0].startswith("| 2024-03-06 | 东园镇 李干事 | 新建进展") and "合并请求 #9：进展填报：T-2-1-01（东园镇）" in rows[0]
    assert rows[1].startswith("| 2024-03-02 | 区委政法委 王科长 | 修改任务：完成时限") and "合并请求 #7" in rows[1]
    assert rows[2].startswith("| 2024-03-01 | 区委政法委 王科长 | 新建任务") and "提交 " in rows[2]


def test_an_earlier_as_of_date_leaves_later_changes_out(history_repo):
    page = _task_page(history_repo, dt.date(2024, 3, 3))["tasks/T-2-1-01.md"]
    assert "2024-03-02" in page and "#9" not in page


def test_case_details_carry_their_trail(history_repo):
    pages = _task_page(history_repo, dt.date(2024, 3, 10))
    register = next(v for k, v in pages.items() if k.startswith("registers/dispute/") and not k.endswith("index.md"))
    assert "<b>修改记录</b>：2024-03-08 区委政法委 王科长 修改：" in register


def test_a_copied_folder_without_git_shows_no_trail(tmp_path):
    repo = make_repo(tmp_path / "plain")
    assert not read_history(repo).available
    assert "修改记录" not in _task_page(repo, dt.date(2024, 3, 10))["tasks/T-2-1-01.md"]


def test_one_pass_over_history_whatever_the_number_of_files(history_repo, monkeypatch):
    calls = []
    real = subprocess.run

    def counting(args, *a, **kw):
        calls.append(args)
        return real(args, *a, **kw)

    monkeypatch.setattr(subprocess, "run", counting)
    history = read_history(history_repo)
    assert len(history.by_file) >= 3
    assert len(calls) <= 4, calls  # rev-parse, log, the merged branches' authors, cat-file


def test_a_squash_merge_is_credited_to_its_pull_request_not_the_issue(tmp_path):
    repo = make_repo(tmp_path / "repo")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "填报：records/tasks/T-2-1-01.yaml（议题 #12） (#15)", author="town-editor")
    change = read_history(repo).of("records/tasks/T-2-1-01.yaml")[0]
    assert (change.pull, change.author, change.status) == (15, "town-editor", "A")
