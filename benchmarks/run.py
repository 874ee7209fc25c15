"""The benchmark harness: ``python benchmarks/run.py [--sizes 10000,50000,100000] [--repeat 3]``.

For each size a synthetic repository is generated (``generate.py``) and every step below is
run in a process of its own, measured by ``measure.py`` (wall time, CPU time of the process
tree, peak memory); the times shown are the medians of runs made without the memory sampler, the
peak memory that of one more run with it (the sampler's reads of /proc take CPU from the command). One
table is printed at the end
(Markdown, for benchmarks/README.md); ``--json`` also writes the raw samples.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import END, generate  # noqa: E402
from measure import Sample, run  # noqa: E402

PY = sys.executable
DUBAN = [PY, "-m", "duban"]
TODAY = "2026-11-25"
CACHES = (".duban-cache",)  # duban's own caches inside a repository (removed for a cold run)
SAMPLE_PER_KIND = 1000  # check-jsonschema: files of each case kind (3 kinds: 3,000 files)
CASE_KINDS = {"disputes": "dispute", "hazards": "hazard", "risk-assessments": "risk_assessment"}

STEPS = ("floor", "validate-cold", "validate-warm", "validate-one-change", "pages", "archive", "build-cold",
         "browser", "build-one-change", "check-jsonschema")
LABELS = {
    "floor": "读取 + PyYAML C 解析（单核，下限）",
    "validate-cold": "duban validate（无缓存）",
    "validate-warm": "duban validate（有缓存）",
    "validate-one-change": "duban validate（改动一个文件后）",
    "pages": "生成页面和本周周报",
    "archive": "周报归档（全部周次，无缓存）",
    "build-cold": "duban build（无缓存）",
    "browser": "最大的台账分册在 Chromium 中打开（整个进程）",
    "build-one-change": "duban build（改动一条记录后）",
    "check-jsonschema": f"check-jsonschema（{SAMPLE_PER_KIND * len(CASE_KINDS)} 个文件样本）",
}


def clear_caches(root: Path) -> None:
    """Remove duban's caches, first waiting for a cache writer of the last run still going on (it holds the lock:
    removing the folder under it would leave a part of the cache, and the cold run would not be cold)."""
    lock = root / ".duban-cache" / "validate" / ".lock"
    if lock.exists():
        fd = os.open(lock, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        finally:
            os.close(fd)
    for name in CACHES:
        if (root / name).exists():
            shutil.rmtree(root / name)  # an error here would leave a cold run warm: let it stop the run


def touch_one(root: Path, n: int) -> None:
    """Change one case record (the summary of the last dispute of the last unit and year: a recent case, as an
    editor's change usually is), differently each time, so caches see new content."""
    path = max((root / "records" / "cases" / "disputes").glob("*.yaml"))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("summary: "):
            lines[i] = line.rstrip("\n").split("（第")[0] + f"（第{n}次补充）\n"
    path.write_text("".join(lines), encoding="utf-8")


def checked(sample: Sample, what: str) -> Sample:
    if sample.returncode != 0:
        raise SystemExit(f"{what} 失败（退出码 {sample.returncode}）：\n{sample.output[-3000:]}")
    return sample


def cjs_argv(root: Path, kind_folder: str, schema: str) -> list[str]:
    files = sorted((root / "records" / "cases" / kind_folder).glob("*.yaml"))[:SAMPLE_PER_KIND]
    exe = Path(PY).with_name("check-jsonschema")
    schemafile = root / "schemas" / f"{schema}.schema.json"
    # the schemas' $id is a web address: resolve their relative $refs (common.schema.json) beside the file instead
    return [str(exe), "--schemafile", str(schemafile), "--base-uri", schemafile.resolve().as_uri(), *map(str, files)]


CJS_OPTIONS = 5  # the items of ``cjs_argv`` before the files


def site_figures(site: Path) -> dict:
    pages = list(site.rglob("*.html"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    index = site / "search" / "search_index.json"
    return {"html_pages": len(pages), "largest_page": largest.relative_to(site).as_posix(),
            "largest_bytes": largest.stat().st_size, "search_index_bytes": index.stat().st_size if index.exists() else 0}


def bench_size(n: int, work: Path, repeat: int, build_repeat: int, steps: tuple[str, ...], say, save) -> dict:
    """Every step at one size; ``save(result)`` is called after each run, so an interrupted run keeps its figures."""
    root = work / f"repo-{n}"
    say(f"生成 {n} 条案件的仓库 …")
    files = generate(n, root)
    samples: dict[str, list[Sample]] = {s: [] for s in steps}
    result = {"n": n, "files": files, "figures": {}, "samples": {}}

    def record() -> None:
        result["samples"] = {k: [s.__dict__ | {"output": ""} for s in v] for k, v in samples.items() if v}
        save(result)
    validate = [*DUBAN, "validate", "--today", TODAY]
    build = [*DUBAN, "build", "--as-of", END.isoformat(), "--site-dir", str(work / f"site-{n}")]
    edits = 0

    def step(name: str, argv: list[str], prepare=None, times: int = repeat, memory: bool = True, between=None) -> None:
        """``times`` timed runs, then (``memory``) one more for peak memory alone; ``between(i)`` after run ``i``."""
        nonlocal edits
        if name not in steps:
            return
        for i in range(times + memory):
            if prepare:
                prepare()
            sample = checked(run(argv, cwd=root, memory=i == times), name)
            sample.timed = i < times
            samples[name].append(sample)
            record()
            say(f"  {LABELS[name]}: {sample.wall:.1f} 秒" + ("" if sample.timed else f"（测内存，{sample.peak / 2**20:,.0f} MB）"))
            if between:
                between(i)

    def change() -> None:
        nonlocal edits
        edits += 1
        touch_one(root, edits)

    def cjs_once(i: int) -> None:
        argvs = [cjs_argv(root, folder, schema) for folder, schema in CASE_KINDS.items()]
        result["cjs_files"] = sum(len(a) - CJS_OPTIONS for a in argvs)  # fewer than the sample at small sizes
        parts = [checked(run(argv, memory=i == repeat), "check-jsonschema") for argv in argvs]
        samples["check-jsonschema"].append(Sample(sum(p.wall for p in parts), sum(p.cpu for p in parts),
                                                  max(p.peak for p in parts), 0, "", timed=i < repeat))
        record()
        say(f"  {LABELS['check-jsonschema']}: {samples['check-jsonschema'][-1].wall:.1f} 秒")

    # cold validate and check-jsonschema alternate, run for run, when both are asked for: a shared machine's speed
    # drifts over minutes, and their ratio is the figure compared
    paired = "validate-cold" in steps and "check-jsonschema" in steps
    result["paired"] = paired
    step("floor", [PY, str(HERE / "steps.py"), "floor", str(root)])
    step("validate-cold", validate, lambda: clear_caches(root), between=cjs_once if paired else None)
    step("validate-warm", validate)
    step("validate-one-change", validate, change)
    out = work / f"out-{n}"
    step("pages", [PY, str(HERE / "steps.py"), "pages", str(root), str(out), END.isoformat()],
         lambda: shutil.rmtree(out, ignore_errors=True), build_repeat)
    step("archive", [PY, str(HERE / "steps.py"), "archive", str(root), str(out), END.isoformat()],
         lambda: shutil.rmtree(out, ignore_errors=True), build_repeat)

    def cold() -> None:
        clear_caches(root)
        shutil.rmtree(root / "build", ignore_errors=True)

    step("build-cold", build, cold, build_repeat)
    result["figures"] = site_figures(work / f"site-{n}") if "build-cold" in steps else {}
    if "build-cold" in steps:
        step("browser", [PY, str(HERE / "browser.py"), str(work / f"site-{n}")], times=1, memory=False)
        if samples.get("browser"):
            result["figures"]["browser"] = json.loads(samples["browser"][-1].output.strip().splitlines()[-1])
            record()
    step("build-one-change", build, change, build_repeat)
    if "check-jsonschema" in steps and not paired:
        for i in range(repeat + 1):  # timed runs, then one for memory, as every step
            cjs_once(i)
    shutil.rmtree(out, ignore_errors=True)
    record()
    return result


def _cjs_files(result: dict) -> int:
    """How many files check-jsonschema checked (results written before this was kept: the full sample)."""
    return result.get("cjs_files") or SAMPLE_PER_KIND * len(CASE_KINDS)


def _pairs(result: dict) -> list[float]:
    """check-jsonschema's time a file over cold validate's, run by run, when the two alternated."""
    if not result.get("paired"):
        return []
    timed = {s: [x["wall"] for x in result["samples"].get(s, []) if x.get("timed", True)]
             for s in ("validate-cold", "check-jsonschema")}
    return [(c / _cjs_files(result)) / (v / result["files"])
            for v, c in zip(timed["validate-cold"], timed["check-jsonschema"]) if v and c]


def median(result: dict, step: str, key: str) -> float | None:
    """The median of the timed runs' ``key``; ``peak``: of the memory runs (results written before runs were
    split into timed and memory runs have every run as both)."""
    runs = result["samples"].get(step, [])
    values = [s[key] for s in runs if s.get("timed", True) == (key != "peak") or "timed" not in s]
    return statistics.median(values) if values else None


def table(results: list[dict]) -> str:
    """One Markdown table: a row per step, a column group per size."""
    head = "| 步骤 | " + " | ".join(f"{r['n']:,} 条（{r['files']:,} 个文件）" for r in results) + " |"
    rows = [head, "| --- |" + " --- |" * len(results)]
    for step in STEPS:
        if not any(step in r["samples"] for r in results):
            continue
        cells = []
        for r in results:
            wall = median(r, step, "wall")
            if wall is None:
                cells.append("—")
                continue
            runs = sum(1 for s in r["samples"][step] if s.get("timed", True))
            cells.append(f"{wall:.1f} 秒，CPU {median(r, step, 'cpu'):.1f} 秒，"
                         + (f"{peak / 2**20:,.0f} MB" if (peak := median(r, step, 'peak')) else "— MB") + f"（{runs} 次）")
        rows.append(f"| {LABELS[step]} | " + " | ".join(cells) + " |")

    def derived(label: str, fn) -> None:
        cells = [fn(r) for r in results]
        if any(c != "—" for c in cells):
            rows.append(f"| {label} | " + " | ".join(cells) + " |")

    def ratio(a: str, b: str, key: str = "wall"):
        def fn(r):
            x, y = median(r, a, key), median(r, b, key)
            return f"{x / y:.2f}" if x and y else "—"
        return fn

    def per_file(r):
        cjs, val = median(r, "check-jsonschema", "wall"), median(r, "validate-cold", "wall")
        if not (cjs and val):
            return "—"
        cjs_file, val_file = cjs / _cjs_files(r), val / r["files"]
        text = f"{cjs_file * 1000:.1f} ms / {val_file * 1000:.2f} ms = {cjs_file / val_file:.0f} 倍"
        pairs = _pairs(r)
        if pairs:
            text += f"（交替运行，逐次之比 {min(pairs):.0f}–{max(pairs):.0f} 倍，中位数 {statistics.median(pairs):.0f} 倍）"
        return text

    derived("validate（无缓存）÷ 单核下限，墙钟", ratio("validate-cold", "floor"))
    derived("validate（无缓存）÷ 单核下限，CPU", ratio("validate-cold", "floor", "cpu"))
    derived("每个文件：check-jsonschema / duban validate", per_file)
    fig = [r.get("figures") or {} for r in results]
    derived("HTML 页面数", lambda r: f"{r['figures']['html_pages']:,}" if r.get("figures") else "—")
    derived("最大的 HTML 页面", lambda r: (f"{r['figures']['largest_bytes'] / 2**20:.2f} MB"
                                        f"（{r['figures']['largest_page']}）") if r.get("figures") else "—")
    derived("最大的台账分册：载入 / 表格工具就绪 / 筛选（浏览器）", lambda r: (
        "{load_s:.2f} 秒 / {tools_ready_s:.2f} 秒 / {filter_s:.3f} 秒（{rows:,} 行，{mb:.2f} MB）".format(
            mb=r["figures"]["browser"]["bytes"] / 2**20, **r["figures"]["browser"]))
        if (r.get("figures") or {}).get("browser") else "—")
    derived("搜索索引", lambda r: f"{r['figures']['search_index_bytes'] / 2**20:.2f} MB" if r.get("figures") else "—")
    del fig
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="duban 性能测试：生成虚构仓库，逐步计时，输出一张表")
    parser.add_argument("--sizes", default="10000,50000,100000", help="案件记录数，逗号分隔（默认 10000,50000,100000）")
    parser.add_argument("--repeat", type=int, default=3, help="校验等较快步骤的运行次数，取中位数（默认 3）")
    parser.add_argument("--build-repeat", type=int, default=1, help="生成页面、周报归档和站点的运行次数（默认 1）")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"要运行的步骤，逗号分隔（默认全部：{','.join(STEPS)}）")
    parser.add_argument("--work", type=Path, default=None, help="工作目录（默认临时目录，结束后删除）")
    parser.add_argument("--json", type=Path, default=None, help="另把原始测量结果写入此 JSON 文件")
    parser.add_argument("--table", type=Path, default=None, metavar="JSON", help="不运行，只把以前 --json 写下的结果输出为表")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(args.table.read_text(encoding="utf-8"))))
        return 0
    steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f"未知的步骤：{', '.join(unknown)}")
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes 应为逗号分隔的整数：{args.sizes}")
    work = args.work or Path(tempfile.mkdtemp(prefix="duban-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    say(f"CPU 核数：{os.cpu_count()}，Python {sys.version.split()[0]}，工作目录：{work}")
    results: list[dict] = []

    def save(partial: dict) -> None:
        if args.json:
            done = [r for r in results if r is not partial]
            args.json.write_text(json.dumps(done + [partial], ensure_ascii=False, indent=1), encoding="utf-8")

    try:
        for n in sizes:
            results.append(bench_size(n, work, args.repeat, args.build_repeat, steps, say, save))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
