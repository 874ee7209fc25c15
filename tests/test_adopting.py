"""The README's "Adopting duban" block is what a new office runs: this test runs it as it stands, in an empty folder
with a plan's Word file, filling the draft 任务分解表 where the block's comment says a person does."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_plan_import import fill_breakdown, plan_docx

pytestmark = pytest.mark.slow  # builds a site from scratch

MARK = "<!-- tests/test_adopting.py"


def block(readme: Path) -> str:
    text = readme.read_text(encoding="utf-8")
    after = text[text.index(MARK):]
    return re.search(r"```sh\n(.*?)```", after, re.S).group(1)


def test_both_readmes_give_the_same_commands():
    assert block(ROOT / "README.md") == block(ROOT / "README.zh-CN.md")


def test_the_readmes_adoption_commands_work_from_an_empty_folder(tmp_path):
    script = block(ROOT / "README.md")
    fill_at = next(line for line in script.splitlines() if line.startswith("# ") and ".xlsx" in line)
    before, after = script.split(fill_at + "\n")
    workbook = re.search(r"(out/\S+\.xlsx)", fill_at).group(1)
    plan_docx(tmp_path / "方案.docx")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               GIT_AUTHOR_NAME="县平安办", GIT_AUTHOR_EMAIL="office@example.invalid",
               GIT_COMMITTER_NAME="县平安办", GIT_COMMITTER_EMAIL="office@example.invalid")

    def bash(part: str, cwd: Path):
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", part], cwd=cwd, env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    out = bash(before, tmp_path)
    assert "已写入任务分解表草稿" in out
    office = tmp_path / "office"
    # what the office does in Excel or WPS: lead units and the timing of two clauses
    fill_breakdown(office / workbook, {
        "2.1": {"牵头单位": "一号镇", "周期": "每周", "起始日期": dt.date(2024, 3, 4)},
        "2.2.1.1": {"牵头单位": "县平安办", "配合单位": "一号镇", "完成时限": dt.date(2024, 6, 30)}})
    out = bash(after, office)
    assert "写入 2 个文件" in out and "发现 0 个问题" in out and "站点已生成" in out
    page = (office / "site/plan/plan-2024-7/index.html").read_text(encoding="utf-8")
    assert page.count('id="clause-') == 9  # an anchor per clause
    assert "T-2-1-01" in page and "T-2-2-1-1-01" in page  # the tasks under their clauses
    assert (office / "site/tasks/T-2-1-01/index.html").is_file()
    log = subprocess.run(["git", "-C", str(office), "log", "--oneline"], capture_output=True, text=True).stdout
    assert "建立督办仓库" in log
    status = subprocess.run(["git", "-C", str(office), "status", "--porcelain"], capture_output=True, text=True).stdout
    assert status == ""  # site/, build/ and out/ are ignored
