"""Validation speed on N synthetic case records, with one and with two worker processes."""

import argparse
import os
import tempfile
from pathlib import Path

from common import synthetic_repo, timed
from duban.records.validate import check_repository


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100_000, help="number of case records (default 100000)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the synthetic repository")
    args = parser.parse_args()
    target = args.dir or Path(tempfile.mkdtemp(prefix="duban-bench-")) / "repo"
    with timed(f"生成 {args.n} 条合成记录"):
        synthetic_repo(target, args.n)
    files = sum(1 for _ in (target / "records").rglob("*.yaml"))
    print(f"CPU 核数：{os.cpu_count()}，文件数：{files}")
    for workers in (1, 2):
        with timed(f"校验（{workers} 个进程）", files):
            result = check_repository(target, workers=workers)
        print(f"  发现 {result.report.total} 个问题")


if __name__ == "__main__":
    main()
