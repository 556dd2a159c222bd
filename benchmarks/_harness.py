"""Shared timing harness for benchmarks/bench_*.py.

Each case times the peer and fastentropy in the same run, interleaved, and reports medians and
ratios (peer / ours). fastentropy is timed with ``n_jobs=1`` and with ``n_jobs=2``. Run a script
with ``--write`` to store its table in ``benchmarks/results/<name>.md`` for the README.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def median_time(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def interleaved(fns: Sequence[Callable[[], object]], repeat: int,
                warmup: int = 1) -> list[float]:
    """Median wall time of each of ``fns``, timed in turn within every repetition (so a change
    in the machine's load hits them alike)."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for t, fn in zip(times, fns):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def versions(*modules: str) -> str:
    import importlib

    import numpy
    import scipy

    import fastentropy

    parts = [
        f"fastentropy {fastentropy.__version__} ({fastentropy.backend()}, "
        f"openmp={fastentropy.config()['openmp']})",
        f"numpy {numpy.__version__}",
        f"scipy {scipy.__version__}",
    ]
    for m in modules:
        try:
            mod = importlib.import_module(m)
            parts.append(f"{m} {getattr(mod, '__version__', '?')}")
        except ImportError:
            parts.append(f"{m} (not installed)")
    parts.append(f"Python {platform.python_version()}, {os.cpu_count()} cores")
    return ", ".join(parts)


class Table:
    """Collects rows ``(case, peer, target, t_peer, t_ours1, t_ours2)`` and prints markdown."""

    header = (
        "| case | peer | peer median | fastentropy 1 thread | ratio (1 thread) "
        "| fastentropy 2 threads | ratio (2 threads) | target |\n"
        "|---|---|---|---|---|---|---|---|"
    )

    def __init__(self, name: str, peer_modules: tuple[str, ...] = ()) -> None:
        self.name = name
        self.rows: list[str] = []
        self.versions = versions(*peer_modules)

    def add(self, case: str, peer: str, t_peer: float, t1: float, t2: float, target: str) -> None:
        def fmt(t: float) -> str:
            return f"{t * 1e3:.2f} ms" if t < 10 else f"{t:.2f} s"

        row = (
            f"| {case} | {peer} | {fmt(t_peer)} | {fmt(t1)} | {t_peer / t1:.1f}x "
            f"| {fmt(t2)} | {t_peer / t2:.1f}x | {target} |"
        )
        self.rows.append(row)
        print(row, flush=True)

    def start(self) -> None:
        print(f"# {self.name}\n{self.versions}\n\n{self.header}", flush=True)

    def finish(self) -> None:
        if "--write" in sys.argv:
            os.makedirs(RESULTS, exist_ok=True)
            with open(os.path.join(RESULTS, f"{self.name}.md"), "w") as f:
                f.write(f"{self.versions}; medians, measured {time.strftime('%Y-%m-%d')}\n\n")
                f.write(self.header + "\n" + "\n".join(self.rows) + "\n")
