"""A synthetic repository for the benchmarks: ``python benchmarks/generate.py N OUT``.

OUT receives the shipped plan, units, tasks, progress updates and meetings, the shipped
schemas, docs and mkdocs.yml, and N synthetic case records (disputes, hazards and risk
assessments, shared out evenly) over every town and the years 2023-06-07 .. 2026-11-20,
from a fixed seed: the same N gives the same files. The shipped demonstration registers
are left out (their ids would collide with the synthetic ones). The result validates clean.

The task side grows with N as well: a larger area runs more work plans. For every
``PLAN_CASES`` cases beyond the first (rounded), one more copy of the shipped plan is added
(``<plan>-s2``, ``-s3``, ...), with its page, its tasks (ids ``T-S2-...``) and their progress
updates, all marked as copies; 10,000 cases keep the one plan, 50,000 have two, 100,000 four.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2023, 6, 7), date(2026, 11, 20)
SEED = 2023
# shipped folders under records/ copied as they are (the case registers are generated instead)
SHIPPED = ("plans", "units", "tasks", "updates", "cases/meetings")
PLAN_CASES = 25_000  # cases per work plan: one more copy of the shipped plan's tasks and updates per this many
_TASK_ID = re.compile(r"\bT-(?=[0-9A-Za-z])")


def plan_copies(n: int, plan_cases: int = PLAN_CASES) -> int:
    """How many plans a repository of ``n`` cases holds (at least the shipped one)."""
    return max(1, round(n / plan_cases))


def copy_plan(out: Path, k: int) -> None:
    """The shipped plan again as ``<plan>-s<k>``: its record and page, its tasks (``T-S<k>-...``) and their updates."""
    from duban.records.load import load_file

    records, shipped = out / "records", ROOT / "records"  # copies are made from the shipped records, into out
    (source,) = sorted((shipped / "plans").glob("*.yaml"))
    plan = load_file(source).data
    pid, new = plan["id"], f"{plan['id']}-s{k}"
    page = plan["page"]
    new_page = f"{page[: -len('.md')]}-s{k}.md"
    prefix = f"T-S{k}-"

    def renamed(text: str) -> str:
        return _TASK_ID.sub(prefix, text.replace(f"plan: {pid}\n", f"plan: {new}\n"))

    text = source.read_text(encoding="utf-8")
    text = text.replace(f"id: {pid}\n", f"id: {new}\n", 1).replace(f"page: {page}\n", f"page: {new_page}\n", 1)
    text = text.replace(f"title: {plan['title']}\n", f"title: {plan['title']}（虚构副本 {k}）\n", 1)
    text = text.replace(f"doc_number: {plan['doc_number']}\n", f"doc_number: {plan['doc_number']}（副本 {k}）\n", 1)
    (records / "plans" / f"{new}.yaml").write_text(_TASK_ID.sub(prefix, text), encoding="utf-8")
    body = (ROOT / "docs" / page).read_text(encoding="utf-8")
    (out / "docs" / new_page).write_text(body.replace(plan["title"], f"{plan['title']}（虚构副本 {k}）", 1),
                                         encoding="utf-8")
    for task in sorted((shipped / "tasks").glob("*.yaml")):
        (records / "tasks" / (prefix + task.name[2:])).write_text(renamed(task.read_text(encoding="utf-8")),
                                                                  encoding="utf-8")
    for folder in sorted(p for p in (shipped / "updates").iterdir() if p.is_dir()):
        target = records / "updates" / (prefix + folder.name[2:])
        target.mkdir()
        for update in sorted(folder.glob("*.yaml")):
            (target / update.name).write_text(renamed(update.read_text(encoding="utf-8")), encoding="utf-8")


def generate(n: int, out: Path, seed: int = SEED, plan_cases: int = PLAN_CASES) -> int:
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
    for k in range(2, plan_copies(n, plan_cases) + 1):
        copy_plan(out, k)
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
