"""The report archive is rebuilt only for the periods whose inputs changed (``engine.periodkeys``), and what
the cache hands back is what a build from nothing writes."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from duban.engine.periodkeys import period_keys
from duban.engine.snapshot import Evaluator
from duban.engine.weekly import parse_week, reported_weeks
from duban.outputs.site.archive import report_archive
from duban.records.model import open_repository

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "repo"
AS_OF = dt.date(2024, 4, 21)
DISPUTE = "records/cases/disputes/MD-luoyang-2023-0001.yaml"  # received 2023-06-13


@pytest.fixture
def repo_dir(tmp_path) -> Path:
    shutil.copytree(ROOT / "schemas", tmp_path / "repo" / "schemas")
    shutil.copytree(GOLDEN / "records", tmp_path / "repo" / "records")
    return tmp_path / "repo"


def keys(root: Path) -> dict[str, str]:
    repo = open_repository(root)
    weeks = reported_weeks(repo, AS_OF)
    return period_keys(repo, "code", {w: parse_week(w)[1] for w in weeks})


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    assert before.keys() == after.keys()
    return sorted(w for w in before if before[w] != after[w])


def test_a_dated_record_changes_its_week_and_the_later_ones(repo_dir):
    before = keys(repo_dir)
    assert len(before) > 40 and len(set(before.values())) == len(before)
    def received_of(path: Path) -> str:
        return next(line for line in path.read_text(encoding="utf-8").splitlines()
                    if line.startswith("received:")).split(": ")[1]

    disputes = [p for p in (repo_dir / "records" / "cases" / "disputes").glob("*.yaml") if received_of(p) <= "2024-03-31"]
    latest = max(disputes, key=received_of)  # a case from the last weeks of the archive
    received = dt.date.fromisoformat(received_of(latest))
    rel = latest.relative_to(repo_dir).as_posix()
    edit(repo_dir, rel, "summary: ", "summary: 补充：")
    after = keys(repo_dir)
    expected = sorted(w for w in before if parse_week(w)[1] >= received)
    assert changed(before, after) == expected
    assert 0 < len(expected) < len(before)


def test_an_undated_record_changes_every_week(repo_dir):
    before = keys(repo_dir)
    unit = sorted((repo_dir / "records" / "units").glob("*.yaml"))[0]
    edit(repo_dir, unit.relative_to(repo_dir).as_posix(), "name: ", "name: 新")
    assert changed(before, keys(repo_dir)) == sorted(before)


def test_the_code_and_schemas_change_every_week(repo_dir):
    repo = open_repository(repo_dir)
    ends = {w: parse_week(w)[1] for w in reported_weeks(repo, AS_OF)}
    a, b = period_keys(repo, "code", ends), period_keys(repo, "other code", ends)
    assert all(a[w] != b[w] for w in ends)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_the_cached_archive_is_what_a_fresh_build_writes(repo_dir, tmp_path):
    cache = tmp_path / "cache"

    def archive(out: Path, with_cache: bool) -> None:
        repo = open_repository(repo_dir)
        weeks = reported_weeks(repo, AS_OF)
        report_archive(Evaluator(repo), "weekly", weeks, out, cache if with_cache else None, 2,
                       period_keys(repo, "code", {w: parse_week(w)[1] for w in weeks}))

    archive(tmp_path / "first", True)
    edit(repo_dir, DISPUTE, "status: 化解", "status: 调解中")  # an old case reopened: every later week differs
    archive(tmp_path / "cached", True)
    archive(tmp_path / "fresh", False)
    cached, fresh = _tree(tmp_path / "cached"), _tree(tmp_path / "fresh")
    assert cached == fresh
    assert _tree(tmp_path / "first") != fresh  # the edit did change reports, so the cache had to notice


@pytest.mark.slow
def test_the_archive_is_the_same_written_by_one_process_or_by_two(repo_dir, tmp_path):
    repo = open_repository(repo_dir)
    weeks = reported_weeks(repo, AS_OF)
    assert len(weeks) > 4  # enough for the workers
    report_archive(Evaluator(repo), "weekly", weeks, tmp_path / "one", None, 1)
    report_archive(Evaluator(open_repository(repo_dir)), "weekly", weeks, tmp_path / "two", None, 2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(weeks)


def test_the_workers_get_consecutive_runs_of_about_equal_work():
    from duban.outputs.site.archive import balanced_runs

    periods = [f"p{i:03d}" for i in range(180)]
    weights = [10.0 + i for i in range(180)]  # later issues hold more
    runs = balanced_runs(periods, weights, 2)
    assert [p for run in runs for p in run] == periods  # every period once, in order
    shares = [sum(weights[periods.index(p)] for p in run) for run in runs]
    assert len(runs) == 2 and abs(shares[0] - shares[1]) <= max(weights)
    assert len(runs[0]) > len(runs[1])  # more of the light early issues in the first run
    assert balanced_runs(periods[:3], weights[:3], 8) == [[p] for p in periods[:3]]
