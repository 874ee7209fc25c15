"""Two pull requests against the same records, merged with real git in a temporary repository.

One file per update and per case means that two offices reporting on the same task, each
also changing a different case, merge without a conflict; two edits of the same field
conflict visibly, and a file committed with the conflict markers still in it is refused
by the validator with a clear, located message.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import make_repo, tool
from duban.records.validate import check_repository

UPDATE = "task: T-2-1-01\nunit: {unit}\ndate: {date}\nstate: 推进中\ntext: {text}\n"
CASE_2 = """id: MD-aa-2024-0002
unit: aa
category: 邻里纠纷
source: 网格排查
summary: 两户因院墙发生纠纷。
received: 2024-02-03
time_limit: {days: 15, unit: 工作日}
parties: 2
status_history:
  - {date: 2024-02-03, status: 受理}
"""


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_SYSTEM=os.devnull,
               GIT_AUTHOR_NAME="督办测试", GIT_AUTHOR_EMAIL="test@duban.invalid",
               GIT_COMMITTER_NAME="督办测试", GIT_COMMITTER_EMAIL="test@duban.invalid")
    proc = subprocess.run([tool("git", "apt-get install git"), "-C", str(root), *args], capture_output=True, text=True,
                          env=env)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append_status(root: Path, rel: str, line: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


@pytest.fixture
def origin(tmp_path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root, "records/cases/disputes/MD-aa-2024-0002.yaml", CASE_2)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    assert check_repository(root).ok
    return root


def pull_request(root: Path, branch: str, changes) -> None:
    git(root, "checkout", "-q", "-b", branch, "main")
    changes(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", branch)
    git(root, "checkout", "-q", "main")


def test_two_offices_report_on_one_task_and_change_different_cases(origin):
    def first(root):
        write(root, "records/updates/T-2-1-01/2024-02-05-bb.yaml", UPDATE.format(unit="bb", date="2024-02-05", text="已起草。"))
        append_status(root, "records/cases/disputes/MD-aa-2024-0001.yaml", "outcome: 达成协议。\n")

    def second(root):
        write(root, "records/updates/T-2-1-01/2024-02-06-aa.yaml", UPDATE.format(unit="aa", date="2024-02-06", text="已配合。"))
        append_status(root, "records/cases/disputes/MD-aa-2024-0002.yaml", "  - {date: 2024-02-10, status: 调解中}\n")

    pull_request(origin, "pr-1", first)
    pull_request(origin, "pr-2", second)
    for branch in ("pr-1", "pr-2"):
        merged = git(origin, "merge", "--no-edit", "-q", branch, check=False)
        assert merged.returncode == 0, merged.stdout + merged.stderr
    result = check_repository(origin)
    assert result.ok, result.report.problems
    assert len(result.records["update"]) == 2
    assert result.records["dispute"]["MD-aa-2024-0001"].data["outcome"] == "达成协议。"
    assert result.records["dispute"]["MD-aa-2024-0002"].data["status_history"][-1]["status"] == "调解中"


def test_two_edits_of_one_field_conflict_and_the_markers_are_refused(origin):
    def retitle(title):
        def change(root):
            path = root / "records/tasks/T-2-1-01.yaml"
            path.write_text(path.read_text(encoding="utf-8").replace("title: 制定办法", f"title: {title}"), encoding="utf-8")
        return change

    pull_request(origin, "pr-1", retitle("制定实施办法"))
    pull_request(origin, "pr-2", retitle("制定工作办法"))
    assert git(origin, "merge", "--no-edit", "-q", "pr-1", check=False).returncode == 0
    conflict = git(origin, "merge", "--no-edit", "pr-2", check=False)
    assert conflict.returncode != 0 and "CONFLICT" in conflict.stdout + conflict.stderr
    text = (origin / "records/tasks/T-2-1-01.yaml").read_text(encoding="utf-8")
    assert "<<<<<<<" in text
    git(origin, "commit", "-q", "-a", "-m", "a careless merge: markers committed")  # what review must stop
    problems = check_repository(origin).report.problems
    marker_line = text.splitlines().index(next(line for line in text.splitlines() if line.startswith("<<<<<<<"))) + 1
    assert [(p.file, p.line, p.code) for p in problems] == [("records/tasks/T-2-1-01.yaml", marker_line, "conflict")]
    assert "合并冲突标记" in problems[0].message
