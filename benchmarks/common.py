"""Shared set-up for the benchmarks: a synthetic repository of N case records."""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthetic_repo(target: Path, n: int, seed: int = 2023) -> Path:
    """A repository with the shipped schemas, the shipped units and ``n`` synthetic cases."""
    from duban.records.load import load_file
    from duban_demo.synth import case_records, write_records

    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "schemas", target / "schemas")
    shutil.copytree(ROOT / "records" / "units", target / "records" / "units")
    units = [load_file(p).data for p in sorted((target / "records" / "units").glob("*.yaml"))]
    records = case_records(units, n=n, start=date(2023, 6, 7), end=date(2026, 11, 20), seed=seed)
    write_records(target, records)
    return target


@contextmanager
def timed(label: str, count: int | None = None):
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    rate = f"，{count / seconds:,.0f} 条/秒" if count else ""
    print(f"{label}: {seconds:.2f} 秒{rate}", flush=True)
