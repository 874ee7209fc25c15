"""Reading a record file: an entry the directory listing calls a regular file is opened without an ``lstat``
first, so the descriptor's own status must still refuse whatever it has become since (a link, a pipe, a
device, a file grown too large), with the same words as when the ``lstat`` comes first."""

from __future__ import annotations

import os

import pytest
from duban.records.kinds import load_registry
from duban.records.load import MAX_BYTES
from duban.records.validate import check_repository
from duban.records.validate.discover import discover
from duban.records.validate.files import FileChecker

UNIT = "records/units/aa.yaml"


@pytest.fixture
def checker(repo):
    return FileChecker(repo, load_registry(repo / "schemas"))


def refusal(checker, path, listed):
    checked = checker.check(path, None, listed)
    assert not checked.valid and checked.data is None
    return [(p.file, p.line, p.column, p.code, p.message) for p in checked.problems]


def test_the_listing_names_the_regular_files_and_not_links_or_pipes(repo):
    os.symlink(repo / UNIT, repo / "records" / "units" / "link.yaml")
    os.mkfifo(repo / "records" / "units" / "pipe.yaml")
    found = discover(repo)
    names = {os.path.basename(p) for p in found.regular}
    assert "aa.yaml" in names
    assert not names & {"link.yaml", "pipe.yaml"}
    assert {os.path.basename(p) for p in found.files} >= {"aa.yaml", "link.yaml", "pipe.yaml"}


@pytest.mark.parametrize("make", ["link", "pipe", "folder-link"])
def test_an_entry_that_is_no_longer_a_regular_file_is_refused_as_with_lstat(repo, checker, make, tmp_path):
    path = repo / "records" / "units" / "gone.yaml"
    if make == "link":
        os.symlink(repo / UNIT, path)
    elif make == "pipe":
        os.mkfifo(path)  # opened without blocking: no writer is needed for the check to end
    else:
        os.symlink(tmp_path, path)
    listed = refusal(checker, path, listed=True)
    assert listed == refusal(checker, path, listed=False)
    assert [p[3] for p in listed] == ["not-regular"]


def test_a_file_grown_past_the_limit_is_refused_when_listed(repo, checker):
    path = repo / "records" / "units" / "big.yaml"
    path.write_bytes(b"id: big\n" + b"#" * (MAX_BYTES + 10) + b"\n")
    listed = refusal(checker, path, listed=True)
    assert listed == refusal(checker, path, listed=False)
    assert [p[3] for p in listed] == ["size"]


def test_a_listed_file_that_vanished_is_reported_not_raised(repo, checker):
    path = repo / "records" / "units" / "vanished.yaml"
    listed = refusal(checker, path, listed=True)
    assert [p[3] for p in listed] == ["io"] and "无法读取文件" in listed[0][4]
    assert [p[3] for p in refusal(checker, path, listed=False)] == ["io"]


def test_a_listed_record_is_read_and_checked_like_any_other(repo, checker):
    listed, stated = checker.check(repo / UNIT, None, True), checker.check(repo / UNIT, None, False)
    assert listed.valid and listed.data == stated.data and listed.digest == stated.digest
    assert check_repository(repo, workers=1, cache=False).ok
