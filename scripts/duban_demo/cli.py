"""Command line: ``python -m duban_demo demo ...`` and ``python -m duban_demo cases ...``."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path, PurePosixPath

import yaml
from duban.records.kinds import KindsError, Registry
from duban.records.load import load_file

from duban_demo.common import (
    BENCH_END,
    PLAN_START,
    phrases,
    registry_for,
    registry_kind,
)
from duban_demo.demo import demo_records
from duban_demo.registers import CASE_KINDS, case_records
from duban_demo.write import NotSyntheticError, prune, write_records

#: Units written by ``cases`` into an empty benchmark repository (the same
#: ids and names as records/units; department names are typical settings).
BENCH_UNITS = tuple(phrases("units")["bench_units"])


def _load_folder(folder: Path) -> list[dict]:
    """The records of one folder (plain data, dates as ISO strings), via duban.load."""
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        loaded = load_file(path)
        if loaded.data is None:
            problem = loaded.problems[0]
            raise ValueError(f"{problem.file}:{problem.line}: {problem.message}")
        out.append(loaded.data)
    return out


def _counts(registry: Registry, records: dict[str, dict]) -> Counter:
    """Records per kind, by the kind's Chinese label (kinds.yaml)."""
    c: Counter = Counter()
    for path in records:
        rel = PurePosixPath(path)
        kind = registry.by_folder(rel)
        c[kind.label if kind else rel.parts[0]] += 1
    return c


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m duban_demo",
        description="生成虚构的演示数据（所有记录标注 synthetic: true），不对应真实事项。",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")
    d = sub.add_parser(
        "demo",
        help="按 records/units 和 records/tasks 重新生成演示数据",
        description="按仓库中的单位和任务生成进展情况、协调会议和案件台账演示数据，写入 records/；"
        "不会覆盖没有 synthetic: true 的文件。",
    )
    d.add_argument("--root", type=Path, default=Path("."), metavar="目录", help="仓库根目录（默认当前目录）")
    d.add_argument("--start", type=_date_arg, default=PLAN_START, metavar="日期", help="开始日期（默认 2023-06-07）")
    d.add_argument("--end", type=_date_arg, required=True, metavar="日期", help="截止日期，不生成晚于此日的记录")
    d.add_argument("--seed", type=int, default=2023, metavar="整数", help="随机种子（默认 2023）")
    d.add_argument("--dry-run", action="store_true", help="只生成并统计，不写文件")
    d.add_argument("--prune", action="store_true", help="删除新数据中已不存在的旧演示文件（只删 synthetic: true 的文件）")
    c = sub.add_parser(
        "cases",
        help="为性能测试生成含大量案件的虚构仓库",
        description="在目标目录的 records/ 下生成大量虚构案件；目标目录没有单位记录时先写入四个乡镇和几个部门。",
    )
    c.add_argument("--root", type=Path, required=True, metavar="目录", help="目标目录（records/ 写在其下）")
    c.add_argument("-n", type=int, default=100_000, metavar="数量", help="案件数量（默认 100000）")
    c.add_argument("--start", type=_date_arg, default=PLAN_START, metavar="日期", help="开始日期（默认 2023-06-07）")
    c.add_argument("--end", type=_date_arg, default=BENCH_END, metavar="日期", help="截止日期（默认 2026-11-20）")
    c.add_argument("--seed", type=int, default=2023, metavar="整数", help="随机种子（默认 2023）")
    c.add_argument(
        "--kinds",
        default=",".join(CASE_KINDS),
        metavar="类别",
        help="案件类别，逗号分隔（默认 dispute,hazard,risk_assessment）",
    )
    return p


def main(argv=None) -> int:
    """Command line: ``demo`` regenerates the demo set, ``cases`` builds a benchmark repository."""
    args = _parser().parse_args(argv)
    root: Path = args.root
    try:
        registry = registry_for(root)
        units_dir = root / "records" / registry_kind(registry, "unit").folder
        if args.command == "demo":
            units = _load_folder(units_dir)
            tasks = _load_folder(root / "records" / registry_kind(registry, "task").folder)
            records = demo_records(units, tasks, start=args.start, end=args.end, seed=args.seed, registry=registry)
            for name, count in _counts(registry, records).items():
                print(f"{name}：{count} 条")
            if args.dry_run:
                print(f"共 {len(records)} 条（未写入）")
                return 0
            written = write_records(root, records, registry)
            print(f"已写入 {written} 个文件")
            if args.prune:
                print(f"已删除 {prune(registry, root, records)} 个过时的演示文件")
            return 0

        if not (units_dir.is_dir() and any(units_dir.glob("*.yaml"))):
            folder = registry_kind(registry, "unit").folder
            n_units = write_records(root, {f"{folder}/{u['id']}.yaml": dict(u) for u in BENCH_UNITS})
            print(f"已写入单位 {n_units} 个")
        units = _load_folder(units_dir)
        kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        t0 = time.perf_counter()
        records = case_records(
            units, n=args.n, start=args.start, end=args.end, seed=args.seed, kinds=kinds, registry=registry
        )
        t1 = time.perf_counter()
        written = write_records(root, records, registry)
        t2 = time.perf_counter()
        print(f"生成 {len(records)} 条（{t1 - t0:.1f} 秒），写入 {written} 个文件（{t2 - t1:.1f} 秒）")
        return 0
    except (NotSyntheticError, ValueError, OSError, yaml.YAMLError, KindsError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
