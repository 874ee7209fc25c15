import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def make_repo(target: Path, *overlays: Path) -> Path:
    """A small repository: the shipped schemas, the base fixture records, then overlays."""
    shutil.copytree(ROOT / "schemas", target / "schemas")
    shutil.copytree(CASES / "base" / "records", target / "records")
    return lay_over(target, *overlays)


def lay_over(target: Path, *overlays: Path) -> Path:
    """Copy each overlay's files over ``target`` (a case's ``expected.txt`` left out)."""
    for overlay in overlays:
        for src in overlay.rglob("*"):
            if src.is_file() and src.name != "expected.txt":
                dest = target / src.relative_to(overlay)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
    return target


def make_site_repo(target: Path, *overlays: Path) -> Path:
    """``make_repo`` plus what MkDocs needs: docs/ and mkdocs.yml (which names no file of duban's)."""
    repo = make_repo(target)
    shutil.copytree(ROOT / "docs", repo / "docs")
    shutil.copyfile(ROOT / "mkdocs.yml", repo / "mkdocs.yml")
    return lay_over(repo, *overlays)


def git(repo: Path, *args: str, author: str = "区委政法委 王科长", day: str = "2024-03-01") -> None:
    """Run git in ``repo`` as ``author`` on ``day`` (office time), whatever the machine's git configuration."""
    import subprocess

    env = dict(os.environ, GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL="a@example.invalid",
               GIT_COMMITTER_NAME=author, GIT_COMMITTER_EMAIL="a@example.invalid",
               GIT_AUTHOR_DATE=f"{day}T10:00:00+08:00", GIT_COMMITTER_DATE=f"{day}T10:00:00+08:00")
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/expected/ from the current code instead of comparing")


@pytest.fixture
def update_golden(request) -> bool:
    import os

    return bool(request.config.getoption("--update-golden") or os.environ.get("DUBAN_UPDATE_GOLDEN"))


def unavailable(reason: str, install: str):
    """Skip on a developer's machine; under CI (``CI`` set) a missing tool fails, never skips."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test: {install}", pytrace=False)
    pytest.skip(f"{reason}: {install}")


def tool(name: str, install: str) -> str:
    """A command-line tool: the one installed beside this Python (the virtual environment's bin/, which is not
    on PATH when the suite runs as ``.venv/bin/python -m pytest``), else the one on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        unavailable(f"{name} is not installed", install)
    return found
