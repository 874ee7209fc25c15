"""A synthetic repository for the benchmarks: ``python benchmarks/generate.py N OUT``.

OUT receives the shipped plan, units, tasks, progress updates and meetings, the shipped
schemas, docs and mkdocs.yml, and N synthetic case records (disputes, hazards and risk
assessments, shared out evenly) over every town and the years 2023-06-07 .. 2026-11-20,
from a fixed seed: the same N gives the same files. The shipped demonstration registers
are left out (their ids would collide with the synthetic ones). The result validates clean.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2023, 6, 7), date(2026, 11, 20)
SEED = 2023
# shipped folders under records/ copied as they are (the case registers are generated instead)
SHIPPED = ("plans", "units", "tasks", "updates", "cases/meetings")


def generate(n: int, out: Path, seed: int = SEED) -> int:
    """Write the repository into ``out`` (replaced if it exists); return the number of record files."""
    from duban.records.kinds import load_registry
    from duban.records.load import load_file
    from duban_demo.synth import case_records, write_records

    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("schemas", "docs"):
        shutil.copytree(ROOT / name, out / name)
    shutil.copy2(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    for folder in SHIPPED:
        shutil.copytree(ROOT / "records" / folder, out / "records" / folder)
    units = [load_file(p).data for p in sorted((out / "records" / "units").glob("*.yaml"))]
    registry = load_registry(out / "schemas")
    write_records(out, case_records(units, n=n, start=START, end=END, seed=seed, registry=registry), registry)
    return sum(1 for _ in (out / "records").rglob("*.yaml"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成用于性能测试的虚构仓库（固定随机种子）")
    parser.add_argument("n", type=int, help="案件记录数")
    parser.add_argument("out", type=Path, help="输出目录（已存在时整体替换）")
    parser.add_argument("--seed", type=int, default=SEED, help=f"随机种子（默认 {SEED}）")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("案件记录数不能为负")
    files = generate(args.n, args.out, args.seed)
    print(f"已在 {args.out} 写入 {files} 个记录文件（其中虚构案件 {args.n} 条）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
