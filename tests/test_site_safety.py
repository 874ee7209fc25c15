"""The built site: a failed build leaves the last good site untouched, and two builds are byte-identical.

Both build a small site (the base fixture with the shipped docs/, a short weekly archive),
through the ``duban`` command in fresh processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_site_repo

AS_OF = "2024-04-07"


def site_repo(target: Path) -> Path:
    repo = make_site_repo(target)
    plan = repo / "records/plans/testplan.yaml"  # a short archive: the plan starts a few weeks before as-of
    plan.write_text(plan.read_text(encoding="utf-8").replace("issue_date: 2023-01-03", "issue_date: 2024-03-04"),
                    encoding="utf-8")
    return repo


def duban(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"), **env)
    return subprocess.run([sys.executable, "-m", "duban", "--root", str(repo), *args], capture_output=True, text=True,
                          timeout=600, env=environment)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_failed_build_leaves_the_last_good_site(tmp_path):
    repo = site_repo(tmp_path / "repo")
    site = tmp_path / "site"
    first = duban(repo, "build", "--as-of", AS_OF, "--site-dir", str(site))
    assert first.returncode == 0, first.stderr
    before = tree(site)
    assert "index.html" in before and len(before) > 20
    config = repo / "mkdocs.yml"  # MkDocs fails (strict): the nav names a page that does not exist
    config.write_text(config.read_text(encoding="utf-8").replace("  - 首页: index.md\n", "  - 首页: index.md\n  - 不存在: nowhere.md\n"),
                      encoding="utf-8")
    failed = duban(repo, "build", "--as-of", "2024-04-14", "--site-dir", str(site))
    assert failed.returncode == 1 and "MkDocs 生成站点失败" in failed.stdout and "上一次生成的站点保持不变" in failed.stdout
    assert tree(site) == before  # not one file of the last good site rewritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo", "site"]  # no half-built folder left behind


@pytest.mark.slow
def test_two_builds_of_one_commit_and_date_are_byte_identical(tmp_path):
    """Fresh processes with different hash seeds, time zones, worker counts and build days (MkDocs dates its
    sitemap from SOURCE_DATE_EPOCH, else the clock), no shared cache: every file of the site, the weekly Word
    and Excel files included, is the same byte for byte."""
    repo = site_repo(tmp_path / "repo")
    sites = []
    runs = (("1", "UTC", "1", "1700000000"), ("2", "Asia/Shanghai", "2", "1800000000"))
    for n, (seed, tz, workers, day) in enumerate(runs):
        shutil.rmtree(repo / "build", ignore_errors=True)
        site = tmp_path / f"site{n}"
        proc = duban(repo, "build", "--as-of", AS_OF, "--site-dir", str(site), "--workers", workers,
                     PYTHONHASHSEED=seed, TZ=tz, SOURCE_DATE_EPOCH=day)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        sites.append(tree(site))
    first, second = sites
    assert first.keys() == second.keys()
    assert {Path(k).suffix for k in first} >= {".html", ".docx", ".xlsx", ".svg", ".gz", ".json", ".csv"}
    differ = [k for k in first if first[k] != second[k]]
    assert not differ, differ[:20]
