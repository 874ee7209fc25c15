"""The per-file validation cache (``.duban-cache/``): a second run gives what a first run gives, and anything
the stored outcome depends on (the file's bytes, the schemas, a damaged cache) makes it check again. What
depends on today or on other files is never taken from the cache."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

import pytest
from duban.records.validate import check_repository
from duban.records.validate import files as files_module
from duban.records.validate.cache import FOLDER

DISPUTE = "records/cases/disputes/MD-aa-2024-0001.yaml"
UPDATE = "records/updates/T-2-1-01/2024-03-20-aa.yaml"
TODAY = dt.date(2024, 6, 1)


def problems(result):
    return [(p.file, p.line, p.column, p.field, p.message, p.code) for p in result.report.problems]


@pytest.fixture
def broken(repo: Path) -> Path:
    """The base fixture with one file that has a schema problem and one with a mobile number."""
    path = repo / DISPUTE
    path.write_text(path.read_text(encoding="utf-8").replace("parties: 2", "parties: 两个"), encoding="utf-8")
    (repo / UPDATE).parent.mkdir(parents=True)
    (repo / UPDATE).write_text("task: T-2-1-01\nunit: aa\ndate: 2024-03-20\nstate: 推进中\n"
                               "text: 联系人电话 13812345678。\n", encoding="utf-8")
    return repo


def no_parsing(monkeypatch):
    """From here on, parsing a record file fails the test: every outcome must come from the cache (except the
    plan's: it names a page under docs/, so its outcome depends on more than its bytes and is never stored)."""
    real = files_module.load_bytes

    def refuse(data, file, *args, **kwargs):
        if not file.startswith("records/plans/"):
            raise AssertionError(f"{file} was parsed although its bytes did not change")
        return real(data, file, *args, **kwargs)
    monkeypatch.setattr(files_module, "load_bytes", refuse)


def test_a_warm_run_gives_the_same_problems_without_parsing(broken, monkeypatch):
    first = check_repository(broken, today=TODAY, workers=1)
    assert {p[5] for p in problems(first)} >= {"privacy-mobile"}
    assert any(p[0] == DISPUTE for p in problems(first))
    assert (broken / FOLDER).is_dir()
    no_parsing(monkeypatch)
    second = check_repository(broken, today=TODAY, workers=1)
    assert problems(second) == problems(first)
    assert second.report.files == first.report.files
    assert {k: sorted(v) for k, v in second.records.items()} == {k: sorted(v) for k, v in first.records.items()}


def test_a_changed_file_is_checked_again(broken):
    check_repository(broken, today=TODAY, workers=1)
    path = broken / DISPUTE
    path.write_text(path.read_text(encoding="utf-8").replace("parties: 两个", "parties: 2"), encoding="utf-8")
    after = check_repository(broken, today=TODAY, workers=1)
    assert not any(p[0] == DISPUTE for p in problems(after))
    path.write_text(path.read_text(encoding="utf-8").replace("category: 邻里纠纷", "category: 不存在的类别"), encoding="utf-8")
    again = check_repository(broken, today=TODAY, workers=1)
    assert [p[3] for p in problems(again) if p[0] == DISPUTE] == ["category"]


def test_a_schema_change_is_never_answered_from_the_cache(repo):
    assert check_repository(repo, workers=1).ok
    schema = repo / "schemas" / "dispute.schema.json"
    text = schema.read_text(encoding="utf-8")
    old = '"maxLength": 1000\n    },\n    "place"'
    assert old in text
    schema.write_text(text.replace(old, old.replace("1000", "3")), encoding="utf-8")
    after = check_repository(repo, workers=1)
    assert [(p.file, p.field) for p in after.report.problems] == [(DISPUTE, "summary")]


def test_a_damaged_cache_is_ignored_and_rebuilt(broken):
    first = problems(check_repository(broken, today=TODAY, workers=1))
    shards = sorted((broken / FOLDER).rglob("*.pickle"))
    assert shards
    planted = broken / "planted"
    for i, shard in enumerate(shards):
        if i % 3 == 0:
            shard.write_bytes(b"\x80\x05garbage")
        elif i % 3 == 1:  # a pickle that would run code if it were trusted
            shard.write_bytes(pickle.dumps(_Exploit(str(planted))))
        else:  # the right format, the wrong shape
            shard.write_bytes(pickle.dumps({DISPUTE: ("x", None)}))
    assert problems(check_repository(broken, today=TODAY, workers=1)) == first
    assert not planted.exists()
    assert problems(check_repository(broken, today=TODAY, workers=1)) == first  # rebuilt, and still right


class _Exploit:
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


def test_a_future_dated_update_is_refused_on_a_warm_cache(repo):
    (repo / UPDATE).parent.mkdir(parents=True)
    (repo / UPDATE).write_text("task: T-2-1-01\nunit: aa\ndate: 2024-03-20\nstate: 推进中\ntext: 推进。\n",
                               encoding="utf-8")
    assert check_repository(repo, today=TODAY, workers=1).ok
    earlier = check_repository(repo, today=dt.date(2024, 3, 19), workers=1)
    assert [(p.file, p.code) for p in earlier.report.problems] == [(UPDATE, "future")]


def test_cross_file_checks_run_on_a_warm_cache(repo):
    assert check_repository(repo, workers=1).ok
    (repo / "records" / "units" / "aa.yaml").unlink()
    after = check_repository(repo, workers=1)
    assert any(p.file == DISPUTE and p.field == "unit" for p in after.report.problems)


def test_no_cache_is_written_when_asked_not_to(repo):
    assert check_repository(repo, workers=1, cache=False).ok
    assert not (repo / FOLDER).exists()


def test_the_cache_folder_is_ignored_by_git():
    ignored = (Path(__file__).resolve().parent.parent / ".gitignore").read_text(encoding="utf-8").split()
    assert f"/{FOLDER}/" in ignored


def test_a_settled_file_is_known_by_its_status_and_a_change_still_seen(repo, monkeypatch):
    monkeypatch.setattr(files_module, "SETTLED_NS", -10**15)  # every file counts as long unchanged
    assert check_repository(repo, workers=1).ok
    reads: list[str] = []
    real = files_module.read_opened

    def counting(path, *args, **kwargs):
        reads.append(str(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(files_module, "read_opened", counting)
    assert check_repository(repo, workers=1).ok
    assert reads and all("/records/plans/" in r for r in reads)  # only the plan, whose outcome is never stored
    path = repo / DISPUTE
    path.write_text(path.read_text(encoding="utf-8").replace("category: 邻里纠纷", "category: 不存在的类别"),
                    encoding="utf-8")
    reads.clear()
    after = check_repository(repo, workers=1)
    assert any(r.endswith(DISPUTE) for r in reads)
    assert [p.field for p in after.report.problems if p.file == DISPUTE] == ["category"]


def test_dates_out_of_order_are_located_remembered_and_the_record_still_counts(repo, monkeypatch):
    path = repo / DISPUTE
    path.write_text(path.read_text(encoding="utf-8").replace("{date: 2024-02-10, status: 化解}",
                                                             "{date: 2024-01-10, status: 化解}"), encoding="utf-8")
    first = check_repository(repo, workers=1)
    found = [p for p in problems(first) if p[5] == "date-order"]
    assert len(found) == 2  # before the date received, and before the entry above it
    assert {(p[0], p[1], p[2], p[3]) for p in found} == {(DISPUTE, 11, 12, "status_history[1].date")}
    assert sorted(p[4] for p in found) == ["日期 2024-01-10 早于上一条的 2024-02-01；记录应按时间顺序排列",
                                           "日期 2024-01-10 早于受理日期 2024-02-01"]
    assert "MD-aa-2024-0001" in first.records["dispute"]  # reported, but the case is still in the model
    no_parsing(monkeypatch)
    assert problems(check_repository(repo, workers=1)) == problems(first)


def test_the_first_of_two_equal_ids_wins_when_only_one_is_read_again(repo, monkeypatch):
    """Files known by their status are taken first, the others read after: the order of the files decides
    which one is reported as the duplicate, not the order in which their outcomes arrive."""
    monkeypatch.setattr(files_module, "SETTLED_NS", -10**15)  # every file counts as long unchanged
    later = repo / DISPUTE
    earlier = later.with_name("MD-aa-2024-0001-2.yaml")  # sorted first ("-" before "."), with the same id
    earlier.write_text(later.read_text(encoding="utf-8"), encoding="utf-8")
    first = check_repository(repo, workers=1)
    assert [p.file for p in first.report.problems if p.code == "duplicate-id"] == [DISPUTE]
    earlier.write_text(earlier.read_text(encoding="utf-8").replace("排水沟渠", "排水沟"), encoding="utf-8")
    after = check_repository(repo, workers=1)  # the earlier file is read again, the later known by its status
    assert [p.file for p in after.report.problems if p.code == "duplicate-id"] == [DISPUTE]


def test_a_record_replaced_by_a_link_is_refused_on_a_warm_cache(repo, monkeypatch):
    monkeypatch.setattr(files_module, "SETTLED_NS", -10**15)
    assert check_repository(repo, workers=1).ok
    path = repo / DISPUTE
    target = repo / "elsewhere.yaml"
    target.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(target)
    after = check_repository(repo, workers=1)
    assert [(p.file, p.code) for p in after.report.problems] == [(DISPUTE, "not-regular")]


def _many_entries(cache, n):
    for i in range(n):
        cache.put(f"records/cases/disputes/MD-aa-2024-{i:04d}.yaml", f"{i:032x}", "dispute", {"id": str(i)}, True,
                  [], 0, None)


def test_a_large_save_written_in_the_background_is_complete_for_the_next_run(repo):
    from duban.records.kinds import load_registry
    from duban.records.validate import cache as cache_module
    registry = load_registry(repo / "schemas")
    cache = cache_module.FileCache(repo / FOLDER, registry)
    _many_entries(cache, 3000)
    cache.save(background=True)
    assert str(cache.folder) in cache_module._SAVING  # a child writes it: the caller went on
    again = cache_module.FileCache(repo / FOLDER, registry)  # waits for that child (its lock), then reads
    assert sum(len(s) for s in again.shards) == 3000
    assert again.entry("records/cases/disputes/MD-aa-2024-2999.yaml")[0] == f"{2999:032x}"


def _slow_save(repo, delay: float) -> str:
    """A program that puts 3,000 entries and saves them in the background on a disk slow by ``delay`` a shard."""
    return (
        "import sys; from pathlib import Path\n"
        "from duban.records.kinds import load_registry\n"
        "from duban.records.validate import cache as cache_module\n"
        "from duban.records.validate.cache import FileCache\n"
        "import time\n"
        "real = cache_module.write_bytes\n"
        f"cache_module.write_bytes = lambda *a, **k: (time.sleep({delay}), real(*a, **k))[1]  # a slow disk\n"
        f"root = Path({str(repo)!r})\n"
        "cache = FileCache(root / '.duban-cache', load_registry(root / 'schemas'))\n"
        "for i in range(3000):\n"
        "    cache.put(f'records/x/{i}.yaml', f'{i:032x}', 'dispute', {'id': str(i), 'text': 'x' * 500}, True, [], 0)\n"
        "cache.save(background=True)\n"
        "print('done')\n"
    )


def test_a_command_ends_without_waiting_for_the_cache_to_be_written(repo):
    # the writing child lets go of the command's output and holds the lock: whoever ran the command has its
    # answer at once, and the lock is still held (64 shards at 0.05 s each take over three seconds)
    import fcntl
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", _slow_save(repo, 0.05)], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout == "done\n"
    fd = os.open(repo / FOLDER / "validate" / ".lock", os.O_RDONLY)
    try:
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    finally:
        os.close(fd)
    from duban.records.kinds import load_registry
    from duban.records.validate.cache import FileCache
    assert sum(len(s) for s in FileCache(repo / FOLDER, load_registry(repo / "schemas")).shards) == 3000


def test_a_command_that_ends_at_once_still_leaves_the_whole_cache(repo):
    # the next reader waits for the writing child's lock: nothing half-written, no second run reading a part
    import subprocess
    import sys
    code = _slow_save(repo, 0.02)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    from duban.records.kinds import load_registry
    from duban.records.validate.cache import FileCache
    cache = FileCache(repo / FOLDER, load_registry(repo / "schemas"))
    assert sum(len(s) for s in cache.shards) == 3000
    assert not list((repo / FOLDER).rglob("*.tmp"))
