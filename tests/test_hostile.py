"""The hostile-input corpus: what an attacker or a careless editor can put in a pull request.

Each folder under ``tests/hostile/`` holds input files laid over the base fixture
(``tests/cases/base``: ``records/`` and, when a case needs it, ``docs/``), an
``expected.txt`` with one line per expected problem (``file:line:column: field:
part of the message``, the habit of ``tests/cases/``; ``*`` in the file name matches
anything, for paths too long to write down) and, for what git cannot carry, a
``setup.txt``:

* ``symlink <path> -> <target>``: a symbolic link (``{outside}`` is a folder outside the
  repository holding the case's ``outside/`` files);
* ``fifo <path>``: a named pipe;
* ``longpath <folder>``: folders nested below ``<folder>`` until the path is longer than the
  system allows (PATH_MAX), with a record at the bottom.

Every expected problem must be reported at exactly that place and nothing else; an
empty ``expected.txt`` means the case must validate clean (look-alikes that are not
personal data, for example). Every case runs under a fixed "today", 2024-06-30; all of
them run in one fresh process with a time limit, so a hang (a FIFO opened for reading)
fails the corpus instead of stalling the suite.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_repo

HOSTILE = Path(__file__).resolve().parent / "hostile"
CASES = sorted(p for p in HOSTILE.iterdir() if p.is_dir() and (p / "expected.txt").exists())
TODAY = dt.date(2024, 6, 30)
TIME_LIMIT = 60  # seconds: generous, so that only a hang or a blow-up fails


def lay_out(case: Path, target: Path, outside: Path) -> Path:
    """The base fixture, the case's files over it, then what ``setup.txt`` asks for."""
    make_repo(target)
    for sub in ("records", "docs"):
        if (case / sub).is_dir():
            shutil.copytree(case / sub, target / sub, dirs_exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    if (case / "outside").is_dir():
        shutil.copytree(case / "outside", outside, dirs_exist_ok=True)
    setup = case / "setup.txt"
    for line in setup.read_text(encoding="utf-8").splitlines() if setup.exists() else []:
        verb, _, rest = line.partition(" ")
        if verb == "symlink":
            path, _, dest = rest.partition(" -> ")
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(dest.replace("{outside}", str(outside)), target / path)
        elif verb == "fifo":
            os.mkfifo(target / rest)
        elif verb == "longpath":
            _long_path(target / rest)
        elif line.strip():
            raise ValueError(f"{setup}: unknown setup line {line!r}")
    return target


def _long_path(folder: Path) -> None:
    """Nest folders (each name 200 characters) below ``folder`` until the path exceeds PATH_MAX, then a record."""
    limit = os.pathconf(str(folder), "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    length = len(str(folder))
    try:
        while length <= limit + 200:
            name = "d" * 200
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = new
            length += 201
        out = os.open("cc.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, "id: cc\nname: 丙镇\nkind: 乡镇\n".encode())
        os.close(out)
    finally:
        os.close(fd)


def expected(case: Path):
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            file, lineno, column, field, message = line.split(":", 4)
            yield file, int(lineno), int(column), field.strip(), message.strip()


_CHECK = """
import datetime as dt, json, sys
from duban.records.validate import check_repository
today = dt.date.fromisoformat(sys.argv[1])
out = {}
for root in sys.argv[2:]:
    report = check_repository(root, today=today).report
    out[root] = [[p.file, p.line, p.column, p.field, p.message] for p in report.problems]
print(json.dumps(out, ensure_ascii=False))
"""


def validate_in_subprocess(roots: list[Path], today: dt.date = TODAY, limit: float = TIME_LIMIT) -> dict[str, list]:
    """Validate each repository in one fresh process that must finish within ``limit`` seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    proc = subprocess.run([sys.executable, "-c", _CHECK, today.isoformat(), *map(str, roots)], capture_output=True,
                          text=True, timeout=limit, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {root: [tuple(p) for p in problems] for root, problems in json.loads(proc.stdout).items()}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    roots = {case.name: lay_out(case, base / case.name / "repo", base / case.name / "outside") for case in CASES}
    got = validate_in_subprocess(list(roots.values()), limit=TIME_LIMIT * 2)
    return {name: got[str(root)] for name, root in roots.items()}


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_hostile_case(case, results):
    got = results[case.name]
    want = list(expected(case))
    for file, line, column, field, fragment in want:
        matches = [g for g in got if fnmatch.fnmatchcase(g[0], file) and g[1:4] == (line, column, field) and fragment in g[4]]
        assert matches, f"expected {file}:{line}:{column}: {field}: …{fragment}…\n got: {got}"
    assert len(got) == len(want), got


def test_every_case_folder_has_an_expected_file():
    folders = [p.name for p in HOSTILE.iterdir() if p.is_dir()]
    assert sorted(folders) == [p.name for p in CASES]
    assert len(CASES) >= 50


# ---------------------------------------------------------------- what holds for every message of the corpus

ENGLISH_ALLOWED = {"YAML", "UTF", "GBK", "ESC", "Tab", "FIFO", "KiB", "MiB", "BOM", "schema", "docs", "records",
                   "yaml", "yml", "md", "plan", "example", "org", "luoyang", "true", "false", "YYYY", "MM", "DD",
                   "units", "tasks", "updates", "cases", "disputes", "HEAD", "other", "duban", "Windows", "Markdown"}


def english_words(text: str) -> set[str]:
    import re

    text = re.sub(r"“[^”]*”", "", text)  # quoted values are the editor's own text
    text = re.sub(r"U\+[0-9A-F]{4,6}|[\w@./-]*[./@-][\w@./-]*", "", text)  # code points; paths, file names, ids
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ENGLISH_ALLOWED}


def test_no_message_quotes_a_personal_number_or_speaks_english(results):
    from duban.records.privacy import scan_text

    leaks, english = [], []
    for name, problems in results.items():
        for file, line, column, field, message in problems:
            if list(scan_text(field + " " + message)):
                leaks.append(f"{name}: {field}: {message}")
            words = english_words(message.replace(file, ""))
            if words:
                english.append(f"{name}: {message} {sorted(words)}")
    assert not leaks, leaks
    assert not english, english


def test_no_message_carries_an_invisible_character_or_a_line_break(results):
    from duban.records.text import FORBIDDEN

    bad = [(name, p) for name, problems in results.items() for p in problems
           if FORBIDDEN.search(p[3] + p[4]) or "\n" in p[3] + p[4]]
    assert not bad, bad
