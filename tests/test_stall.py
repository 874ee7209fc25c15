"""One file (or many) must not stall a run: inputs that used to take minutes or gigabytes, under a time limit.

Each input is validated in a fresh process that must finish within ``LIMIT`` seconds:
generous, so that machine noise never fails it, while a hang or a quadratic blow-up does
(a 1 MiB file of unknown keys ran for over 580 s when each problem's line was found by
a linear scan). Speed itself is measured in ``benchmarks/``, never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_repo
from duban.records.load import MAX_BYTES
from duban.records.problems import MAX_LISTED, MAX_PER_FILE

LIMIT = 60

_RUN = """
import json, resource, sys
from duban.records.reporters import text
from duban.records.validate import check_repository


def peak_mb():  # VmHWM starts afresh at exec; ru_maxrss keeps the peak of the (forked) test process
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) // 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


out = []
for root in sys.argv[2:]:
    report = check_repository(root, workers=int(sys.argv[1])).report
    rendered = text(report)
    out.append({"total": report.total, "listed": len(report.problems), "files": report.files,
                "lines": rendered.count("\\n"), "summary": rendered.splitlines()[-1],
                "rss_mb": peak_mb()})
print(json.dumps(out, ensure_ascii=False))
"""


def validate_all(roots: list[Path], workers: int = 1, limit: float = LIMIT) -> list[dict]:
    """Validate each repository in one fresh process that must finish within ``limit`` seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    proc = subprocess.run([sys.executable, "-c", _RUN, str(workers), *map(str, roots)], capture_output=True, text=True,
                          timeout=limit, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def validate(root: Path, workers: int = 1, limit: float = LIMIT) -> dict:
    return validate_all([root], workers, limit)[0]


UNIT = "id: cc\nname: 丙镇\nkind: 乡镇\n"


@pytest.mark.parametrize("size", [
    600 * 1024,  # ~60,000 keys: seconds now, well over the limit when each line was found by a linear scan
    pytest.param(MAX_BYTES, marks=pytest.mark.slow),  # the 1 MiB file that ran for over 580 s
], ids=["600KiB", "1MiB"])
def test_a_file_of_unknown_keys(size, tmp_path):
    root = make_repo(tmp_path / "r")
    lines, used, n = [], len(UNIT), 0
    while used + len(f"k{n}: 1\n") <= size:
        lines.append(f"k{n}: 1\n")
        used += len(lines[-1])
        n += 1
    (root / "records" / "units" / "cc.yaml").write_text(UNIT + "".join(lines), encoding="utf-8")
    got = validate(root)
    assert got["total"] == n > 50_000
    assert got["listed"] == MAX_PER_FILE
    assert f"另有 {n - MAX_PER_FILE} 个未列出" in got["summary"]


DEEP_LONG_REPEATED = {
    "flow-lists": "note: " + "[" * 200_000 + "]" * 200_000 + "\n",
    "flow-maps": "note: " + "{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
    "block-lists": "note:\n" + "".join("  " * i + "- \n" for i in range(1, 800)),
    "one-long-string": "note: \"" + "长" * 300_000 + "\"\n",
    "duplicate-keys": "".join(f"k: {i}\n" for i in range(50_000)),  # one key, 50,000 times
}


def test_deep_long_and_repeated(tmp_path):
    roots = []
    for name, text in DEEP_LONG_REPEATED.items():
        root = make_repo(tmp_path / name)
        (root / "records" / "units" / "cc.yaml").write_text(UNIT + text, encoding="utf-8")
        roots.append(root)
    for name, got in zip(DEEP_LONG_REPEATED, validate_all(roots)):
        assert 1 <= got["listed"] <= MAX_PER_FILE, (name, got)
    assert got["total"] == 49_999 + 1  # every repeat of the key counted (the key itself is unknown), 50 listed


@pytest.mark.slow
def test_twenty_thousand_invalid_tiny_files(tmp_path):
    """200,000 problems: a thousand are listed, the rest counted, and memory stays that of the records."""
    root = make_repo(tmp_path / "r")
    folder = root / "records" / "units"
    extra = "".join(f"k{j}: 1\n" for j in range(10))
    for i in range(20_000):
        (folder / f"u{i}.yaml").write_text(f"id: u{i}\nname: 某镇\nkind: 乡镇\n{extra}", encoding="utf-8")
    got = validate(root, workers=1, limit=300)
    assert got["total"] == 200_000 and got["listed"] == MAX_LISTED
    assert got["lines"] == MAX_LISTED + 1
    assert "另有 199000 个未列出" in got["summary"]
    assert got["rss_mb"] < 200, got  # 235 MB (764 MB in the report that found it) when every problem was kept
