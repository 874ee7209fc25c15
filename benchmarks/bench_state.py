"""Model building and state computation for N synthetic case records."""

import argparse
import datetime as dt
import tempfile
from pathlib import Path

from common import synthetic_repo, timed
from duban.engine.snapshot import evaluate
from duban.records.model import build
from duban.records.validate import check_repository


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="number of case records (default 100000)")
    args = parser.parse_args()
    target = Path(tempfile.mkdtemp(prefix="duban-bench-")) / "repo"
    synthetic_repo(target, args.n)
    result = check_repository(target)
    with timed("建立模型"):
        repo = build(result)
    cases = sum(len(v) for v in repo.cases.values())
    for day in (dt.date(2024, 6, 30), dt.date(2026, 11, 20)):
        with timed(f"计算截至 {day} 的全部状态", cases):
            snapshot = evaluate(repo, day)
        print(f"  逾期台账 {len(snapshot.overdue_cases())} 件")


if __name__ == "__main__":
    main()
