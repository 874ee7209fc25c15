"""The benchmark harness keeps working: its synthetic repository validates clean and is the same every
time, and a whole run at 1,000 records prints the table with every step. No timing is asserted here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from duban.records.validate import check_repository  # noqa: E402
from generate import generate, plan_copies  # noqa: E402
from run import LABELS, STEPS  # noqa: E402


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "records").rglob("*.yaml"))}


def test_generated_repository_validates_clean_and_is_deterministic(tmp_path):
    count = generate(300, tmp_path / "a")
    generate(300, tmp_path / "b")
    first = _tree(tmp_path / "a")
    assert first == _tree(tmp_path / "b")
    assert len(first) == count
    cases = [p for p in first if p.startswith("records/cases/") and "/meetings/" not in p]
    assert len(cases) == 300
    assert {p.split("/")[2] for p in cases} == {"disputes", "hazards", "risk-assessments"}
    assert any(p.startswith("records/updates/") for p in first)
    result = check_repository(tmp_path / "a", today=__import__("datetime").date(2026, 11, 25))
    assert result.ok, [p.message for p in result.report.problems[:5]]


def test_a_larger_repository_runs_more_plans_each_with_its_tasks_and_updates(tmp_path):
    assert [plan_copies(n) for n in (1000, 10_000, 50_000, 100_000)] == [1, 1, 2, 4]
    generate(200, tmp_path / "r", plan_cases=70)  # three plans
    root = tmp_path / "r"
    result = check_repository(root, today=__import__("datetime").date(2026, 11, 25))
    assert result.ok, [p.message for p in result.report.problems[:5]]
    tasks = result.records["task"]
    assert {t.data["plan"] for t in tasks.values()} == {"quantai-2023-46", "quantai-2023-46-s2", "quantai-2023-46-s3"}
    originals = {rid for rid, t in tasks.items() if t.data["plan"] == "quantai-2023-46"}
    updates = result.records["update"].values()
    for k in (2, 3):
        copies = {rid for rid, t in tasks.items() if t.data["plan"] == f"quantai-2023-46-s{k}"}
        assert copies == {f"T-S{k}-" + rid[2:] for rid in originals}
        assert sum(u.data["task"] in copies for u in updates) == sum(u.data["task"] in originals for u in updates) > 0
        assert (root / "docs" / "plan" / f"quantai-2023-46-s{k}.md").is_file()


def test_generate_refuses_a_negative_count(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "-5", str(tmp_path / "x")],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "不能为负" in proc.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_harness_end_to_end_prints_every_row(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1000", "--repeat", "1",
         "--work", str(tmp_path / "work"), "--json", str(tmp_path / "raw.json")],
        capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout
    assert "1,000 条" in table.splitlines()[0]
    for step in STEPS:
        assert f"| {LABELS[step]} |" in table, step
    for derived in ("单核下限", "check-jsonschema / duban validate", "HTML 页面数", "最大的 HTML 页面", "搜索索引"):
        assert derived in table, derived
    again = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--table", str(tmp_path / "raw.json")],
                           capture_output=True, text=True)
    assert again.stdout == table
