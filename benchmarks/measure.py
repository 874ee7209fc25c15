"""One command measured: wall time, CPU time (its whole process tree) and peak memory.

Peak memory is the largest sum, over the command and every process it started, of the
proportional set size (PSS: pages shared after a fork are shared out, not counted twice),
sampled every 50 ms from /proc (``memory=True``). Reading /proc/*/smaps_rollup of every process
20 times a second costs CPU that a 2-core machine takes from the command (0.25–0.45 s of a 3 s
validate), so the harness times runs without the sampler and measures memory in a run of its own.
CPU time is user + system of the command and of all the
children it waited for (``RUSAGE_CHILDREN``), so on a shared machine it says how much
work a step did even when the wall time was stretched by other people's processes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system over the process tree
    peak: int  # bytes
    returncode: int
    output: str
    timed: bool = True  # False: a run for peak memory only (its wall time includes the sampler's)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(pid: int) -> int:
    """The PSS of ``pid`` and all its descendants, in bytes."""
    tree = _children()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _pss(p)
        todo.extend(tree.get(p, ()))
    return total


def run(argv: list[str], cwd: Path | None = None, env: dict | None = None, timeout: float = 3600,
        memory: bool = True) -> Sample:
    """Run ``argv`` to the end and measure it (peak memory only when ``memory``; else ``peak`` is 0)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_memory(proc.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    try:
        output, _ = proc.communicate(timeout=timeout)
    finally:
        done.set()
        if memory:
            sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu, peak, proc.returncode, output.decode("utf-8", "replace"))
