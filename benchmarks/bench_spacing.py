"""Benchmarks of ``differential_entropy`` against ``scipy.stats.differential_entropy`` on a
(10000, 1000) standard-normal input along axis 1, every method (whole call vs whole call, same
input, same run; peer and fastentropy timed in interleaved rounds, medians reported).

scipy's ``correa`` builds a (rows, 2m + 1, n) float64 array (m = 32 here: 5.2 GB for 10000
rows, ~39 s): it is timed on the first ``CORREA_ROWS`` rows and its time scaled linearly to
10000 rows (its cost is linear in the row count); the case name says so.

Run ``python benchmarks/bench_spacing.py [--write]`` from the repository root.
"""
from __future__ import annotations

import os
import sys

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import Table, interleaved  # noqa: E402

import fastentropy as fe  # noqa: E402

ROWS, N = 10000, 1000
CORREA_ROWS = 200
TARGET = ">= 4x"


def main() -> None:
    import scipy.stats

    x = np.random.default_rng(20261201).standard_normal((ROWS, N))
    table = Table("spacing", ())
    table.start()
    print(f"load before: {os.getloadavg()}", flush=True)
    for method in ("vasicek", "van es", "ebrahimi", "auto", "correa"):
        if method == "correa":
            xs = x[:CORREA_ROWS]
            scale = ROWS / CORREA_ROWS
            case = f"{method}, (10000, 1000) axis 1 (scipy timed on {CORREA_ROWS} rows x{scale:g})"
            rounds = 3
        else:
            xs, scale, case, rounds = x, 1.0, f"{method}, (10000, 1000) axis 1", 7

        def peer(xs: np.ndarray = xs, method: str = method) -> object:
            return scipy.stats.differential_entropy(xs, axis=1, method=method)

        def ours1(method: str = method) -> object:
            return fe.differential_entropy(x, axis=1, method=method, n_jobs=1)

        def ours2(method: str = method) -> object:
            return fe.differential_entropy(x, axis=1, method=method, n_jobs=2)

        # the answers agree before anything is timed
        np.testing.assert_allclose(ours1()[: xs.shape[0]], peer(), rtol=1e-9, atol=1e-10)
        t_peer, t1, t2 = interleaved([peer, ours1, ours2], rounds)
        table.add(case, "scipy.stats.differential_entropy", t_peer * scale, t1, t2, TARGET)
    print(f"load after: {os.getloadavg()}", flush=True)
    table.finish()


if __name__ == "__main__":
    main()
