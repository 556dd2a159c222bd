"""Scaling of ``mutual_info_knn`` with n: wall time and peak memory, n = 1e3 .. 1e6.

Run ``python benchmarks/bench_knn_scaling.py [--write] [--max-n N] [--repeat R]`` from the
repository root. 1-D x and y (correlated Gaussians, rho = 0.6), k = 3, the default
preprocessing. Each n runs in a fresh subprocess, which

- builds the data, calls the estimator once (warm-up) and reads its peak resident set size
  (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) minus the one measured after importing
  fastentropy and building the inputs: the memory the estimator itself needed at its peak
  (NumPy temporaries and the kernels' own buffers alike; the inputs, 2 n float64, are in the
  baseline and listed separately);
- then times the call with ``n_jobs=1`` and ``n_jobs=2``, interleaved repetition by repetition,
  and reports medians.

The growth exponent is the least-squares slope of log(time) against log(n) (all points, and
n >= 1e4 where fixed costs no longer dominate); ``ns/(n log2 n)`` per point shows whether the
time grows faster than n log n (a rising column would). Memory per sample should be flat.
There is no peer here: this table is about fastentropy's own growth.
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(_HERE)

SIZES = (1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
NAME = "knn_scaling"


def child(n: int, repeat: int) -> None:
    import resource

    sys.path.insert(0, _ROOT)  # the in-place build in the repository root
    import numpy as np

    import fastentropy as fe

    rng = np.random.default_rng(20261201)
    x = rng.standard_normal(n)
    y = rng.standard_normal(n)  # y = 0.6 x + 0.8 e, in place: no temporaries in the baseline
    y *= 0.8 / 0.6
    y += x
    y *= 0.6
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    value = fe.mutual_info_knn(x, y, k=3, n_jobs=1)
    peak1_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fe.mutual_info_knn(x, y, k=3, n_jobs=2)
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeat):
        for jobs in (1, 2):
            t0 = time.perf_counter()
            fe.mutual_info_knn(x, y, k=3, n_jobs=jobs)
            times[jobs].append(time.perf_counter() - t0)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "n": n,
        "value": value,
        "t1": statistics.median(times[1]),
        "t2": statistics.median(times[2]),
        "mem1_mb": (peak1_kb - base_kb) / 1024.0,
        "mem_mb": (peak_kb - base_kb) / 1024.0,
        "input_mb": 2 * n * 8 / 2**20,
        "backend": fe.backend(),
    }))


def _slope(ns: list[float], ts: list[float]) -> float:
    lx = [math.log(v) for v in ns]
    ly = [math.log(v) for v in ts]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    num = sum((a - mx) * (b - my) for a, b in zip(lx, ly))
    den = sum((a - mx) ** 2 for a in lx)
    return num / den


def _fmt(t: float) -> str:
    return f"{t * 1e3:.2f} ms" if t < 10 else f"{t:.2f} s"


def main() -> None:
    args = sys.argv[1:]
    max_n = int(float(args[args.index("--max-n") + 1])) if "--max-n" in args else SIZES[-1]
    repeat_arg = int(args[args.index("--repeat") + 1]) if "--repeat" in args else None
    sys.path.insert(0, _HERE)
    sys.path.insert(0, _ROOT)
    from _harness import versions

    head = versions()
    load = os.getloadavg()
    header = (
        "| n | 1 thread | 2 threads | ns / (n log2 n), 1 thread | peak memory above inputs "
        "| bytes / sample | inputs |\n|---|---|---|---|---|---|---|"
    )
    print(f"# {NAME}\n{head}\nload average at start: {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}\n\n{header}", flush=True)
    rows: list[str] = []
    results = []
    for n in SIZES:
        if n > max_n:
            break
        repeat = repeat_arg or (5 if n <= 100_000 else 3)
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--child", str(n), str(repeat)],
            capture_output=True, text=True, check=True, cwd=_ROOT,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        per = r["t1"] / (n * math.log2(n)) * 1e9
        row = (
            f"| {n:,} | {_fmt(r['t1'])} | {_fmt(r['t2'])} | {per:.1f} "
            f"| {r['mem_mb']:.1f} MB | {r['mem_mb'] * 2**20 / n:.0f} | {r['input_mb']:.1f} MB |"
        )
        rows.append(row)
        print(row, flush=True)
    ns = [float(r["n"]) for r in results]
    notes = []
    if len(results) >= 2:
        for key, label in (("t1", "1 thread"), ("t2", "2 threads")):
            ts = [r[key] for r in results]
            big = [(a, b) for a, b in zip(ns, ts) if a >= 1e4]
            s_all = _slope(ns, ts)
            text = f"growth exponent ({label}): {s_all:.2f} over all n"
            if len(big) >= 2:
                text += f", {_slope([a for a, _ in big], [b for _, b in big]):.2f} for n >= 1e4"
            notes.append(text)
        mem = [(a, r["mem_mb"]) for a, r in zip(ns, results) if a >= 1e5]
        if len(mem) >= 2 and all(m > 0 for _, m in mem):
            slope = _slope([a for a, _ in mem], [m for _, m in mem])
            notes.append(f"memory growth exponent (n >= 1e5): {slope:.2f}")
    load = os.getloadavg()
    notes.append(f"load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    notes.append("memory: ru_maxrss of a fresh process after the calls minus its value after "
                 "importing and building the inputs")
    for t in notes:
        print(t)
    if "--write" in args:
        os.makedirs(os.path.join(_HERE, "results"), exist_ok=True)
        with open(os.path.join(_HERE, "results", f"{NAME}.md"), "w") as f:
            f.write(f"{head}; medians, measured {time.strftime('%Y-%m-%d')}\n\n")
            f.write(header + "\n" + "\n".join(rows) + "\n\n" + "\n".join(f"- {t}" for t in notes)
                    + "\n")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
