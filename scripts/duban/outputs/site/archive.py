"""The report archive: every issue of a series (weekly, monthly) written into the site's Markdown tree.

``report_archive(evaluator, series, periods, out_dir, cache_dir, workers, keys)`` writes ``<period>/index.md``
beside the issue's Word and Excel files (and the week's charts). An issue whose fingerprint (``engine.periodkeys``)
is cached is copied; the others are written by this process and forked workers, each taking a run of consecutive
periods (they reuse the snapshots of the period before) cut so that the runs hold about equal work.
"""

from __future__ import annotations

import bisect
import gc
import multiprocessing
import os
import shutil
from pathlib import Path

from duban.engine.snapshot import Evaluator

_FORK_EVALUATOR: Evaluator | None = None


def _write_period(args) -> str:
    """One issue's files for the site: ``<period>/index.md`` beside its .docx, .xlsx (and the week's charts)."""
    series, period, out_dir = args
    if series == "weekly":
        from duban.engine.weekly import weekly_report
        from duban.outputs.report_md import write_weekly

        written = write_weekly(weekly_report(_FORK_EVALUATOR, period), out_dir, task_links=True)
        written["summary"].unlink()  # the short summary is for the issue and the group robot, not a page
    else:
        from duban.engine.monthly import monthly_report
        from duban.outputs.monthly_report import write_monthly

        written = write_monthly(monthly_report(_FORK_EVALUATOR, period), out_dir, site=True)
    os.replace(written["md"], out_dir / "index.md")
    return period


def _write_periods(args) -> list[str]:
    """A run of consecutive issues in one worker, in order (each reuses the snapshots of the one before)."""
    series, periods, target = args
    return [_write_period((series, p, target / p)) for p in periods]


def _load_writers(series: str) -> None:
    """Import what writing an issue needs (and read the charts' font), so forked workers share it."""
    if series == "weekly":
        from duban.engine.weekly import weekly_report  # noqa: F401
        from duban.outputs import charts, docx_report, report_md, xlsx_report  # noqa: F401

        try:
            charts.font()
        except charts.ChartFontMissing:
            pass  # the issue that draws a chart says so
    else:
        from duban.engine.monthly import monthly_report  # noqa: F401
        from duban.outputs import monthly_report as writer  # noqa: F401


def balanced_runs(periods: list[str], weights: list[float], parts: int) -> list[list[str]]:
    """``periods`` cut into at most ``parts`` runs of consecutive periods with about equal total weight (a later
    issue holds more cases than an early one, so equal numbers of issues would leave one worker with most work)."""
    total = sum(weights) or 1.0
    runs: list[list[str]] = [[]]
    done = 0.0
    for period, weight in zip(periods, weights):
        if runs[-1] and len(runs) < parts and done + weight / 2 > total * len(runs) / parts:
            runs.append([])
        runs[-1].append(period)
        done += weight
    return runs


def _weights(evaluator: Evaluator, series: str, periods: list[str]) -> list[float]:
    """Roughly how much each issue holds: the cases received by its last day, and its tasks (a constant)."""

    from duban.engine.monthly import parse_month
    from duban.engine.weekly import parse_week

    starts = sorted(int(d) for kind in evaluator.repo.case_kinds() for d in evaluator.case_columns(kind.name).start)
    parse = parse_week if series == "weekly" else parse_month
    tasks = len(evaluator.repo.tasks) * 20
    return [float(bisect.bisect_right(starts, parse(p)[1].toordinal()) + tasks + 1) for p in periods]


def report_archive(evaluator: Evaluator, series: str, periods: list[str], out_dir: Path, cache_dir: Path | None,
                   workers: int | None = None, keys: dict[str, str] | None = None) -> None:
    """Every issue of a report series (``weekly``: ISO weeks, ``monthly``: months) in ``out_dir/<period>/``.

    With ``cache_dir`` and ``keys`` (period -> fingerprint of its inputs, ``engine.periodkeys``), an issue whose
    fingerprint is cached is copied from ``cache_dir/<period>-<fingerprint>/``; only the others are written, and
    cached issues no longer current are dropped."""
    global _FORK_EVALUATOR
    out_dir.mkdir(parents=True, exist_ok=True)
    if keys is None:
        cache_dir = None
    names = {p: f"{p}-{keys[p]}" for p in periods} if cache_dir else {}
    todo = []
    for period in periods:
        cached = cache_dir / names[period] if cache_dir else None
        if cached and (cached / "index.md").exists():
            shutil.copytree(cached, out_dir / period, dirs_exist_ok=True)
        else:
            todo.append(period)
    if cache_dir and cache_dir.exists():
        keep = set(names.values())
        for old in cache_dir.iterdir():
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
    if not todo:
        return
    target = (cache_dir / "_incoming") if cache_dir else out_dir / "_incoming"
    workers = workers or min(os.cpu_count() or 1, 4)
    _FORK_EVALUATOR = evaluator
    try:
        if workers > 1 and len(todo) > 4 and "fork" in multiprocessing.get_all_start_methods():
            # consecutive periods in one worker share remembered snapshots; the runs are cut to equal work
            runs = balanced_runs(todo, _weights(evaluator, series, todo), workers)
            # the model is left out of the workers' garbage collections: a collection writes into every object it
            # visits, which copies the forked pages of the whole model into each worker (and takes its time)
            _load_writers(series)  # once, before the fork: the workers share the modules and the chart font
            gc.collect()
            gc.freeze()
            try:
                # this process writes the first run itself while the others are forked: an idle parent would
                # still hold the model's pages while every worker copied the parts it touched (a third copy)
                if len(runs) > 1:
                    with multiprocessing.get_context("fork").Pool(len(runs) - 1) as pool:
                        rest = pool.map_async(_write_periods, [(series, run, target) for run in runs[1:]])
                        _write_periods((series, runs[0], target))
                        rest.get()
                else:
                    _write_periods((series, runs[0], target))
            finally:
                gc.unfreeze()
        else:
            for period in todo:
                _write_period((series, period, target / period))
    finally:
        _FORK_EVALUATOR = None
    for period in todo:
        src = target / period
        if cache_dir:
            shutil.copytree(src, out_dir / period, dirs_exist_ok=True)
            final = cache_dir / names[period]
            if final.exists():
                shutil.rmtree(final)
            os.replace(src, final)
        else:
            os.replace(src, out_dir / period)
    shutil.rmtree(target, ignore_errors=True)


