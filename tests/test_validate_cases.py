"""Data-driven validation cases: a new case is a new folder under tests/cases/.

``invalid/<name>/`` holds record files laid over the base fixture and an
``expected.txt`` with one line per expected problem:
``file:line:column: field: part of the message``. Every expected problem
must be reported at exactly that place, and nothing else.
``valid/<name>/`` holds records that must validate clean.
"""

from pathlib import Path

import pytest
from conftest import CASES, make_repo
from duban.records.validate import check_repository

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())


def _expected(case: Path):
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            file, lineno, column, field, message = line.split(":", 4)
            yield file, int(lineno), int(column), field.strip(), message.strip()


def test_base_fixture_is_clean(tmp_path):
    result = check_repository(make_repo(tmp_path / "r"))
    assert result.report.problems == []


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case(case, tmp_path):
    result = check_repository(make_repo(tmp_path / "r", case))
    got = [(p.file, p.line, p.column, p.field, p.message) for p in result.report.problems]
    expected = list(_expected(case))
    for file, line, column, field, fragment in expected:
        matches = [g for g in got if g[:4] == (file, line, column, field) and fragment in g[4]]
        assert matches, f"expected {file}:{line}:{column}: {field}: …{fragment}…\n got: {got}"
    assert len(got) == len(expected), got


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case(case, tmp_path):
    result = check_repository(make_repo(tmp_path / "r", case))
    assert result.report.problems == []
    assert result.report.files == len(list((tmp_path / "r" / "records").rglob("*.yaml")))
