"""Benchmarks of the histogram family against numpy (whole call vs whole call, same input, same
run): ``histogram`` of 10**7 float64 samples into 100 bins vs ``numpy.histogram`` (target >= 6x)
and ``histogram2d`` of 10**6 points into 64 x 64 vs ``numpy.histogram2d`` (target >= 20x); for
information, weighted and explicit-edge histograms, ``histogramdd`` and fast-histogram (which
drops samples equal to the upper edge, so its counts are not numpy's).

Run ``python benchmarks/bench_histogram.py [--write]`` from the repository root.
"""
from __future__ import annotations

import os
import sys

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import Table, median_time  # noqa: E402

import fastentropy as fe  # noqa: E402


def _same(got, ref):
    for g, r in zip(got, ref):
        if isinstance(r, list):
            _same(g, r)
        else:
            assert np.asarray(g).dtype == np.asarray(r).dtype
            np.testing.assert_array_equal(g, r)


def main() -> None:
    rng = np.random.default_rng(20261126)
    table = Table("histogram", ("fast_histogram",))
    table.start()

    def case(name, peer_name, peer, ours, target, repeat=7, check=True):
        if check:
            _same(ours(1), peer())  # same answer first, bit for bit
        t_peer = median_time(peer, repeat=repeat)
        t1 = median_time(lambda: ours(1), repeat=repeat)
        t2 = median_time(lambda: ours(2), repeat=repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    x = rng.normal(size=10**7)
    case("histogram, 1e7 float64, 100 bins", "numpy.histogram",
         lambda: np.histogram(x, 100), lambda nj: fe.histogram(x, 100, n_jobs=nj), ">= 6x",
         repeat=5)
    xs, ys = rng.normal(size=(2, 10**6))
    case("histogram2d, 1e6 points, 64 x 64", "numpy.histogram2d",
         lambda: np.histogram2d(xs, ys, 64), lambda nj: fe.histogram2d(xs, ys, 64, n_jobs=nj),
         ">= 20x")
    w = rng.random(10**7)
    case("histogram, 1e7 float64, 100 bins, float64 weights", "numpy.histogram",
         lambda: np.histogram(x, 100, weights=w),
         lambda nj: fe.histogram(x, 100, weights=w, n_jobs=nj), "info", repeat=5)
    edges = np.sort(rng.normal(size=51))
    x6 = x[:10**6]
    case("histogram, 1e6 float64, 50 explicit uneven bins", "numpy.histogram",
         lambda: np.histogram(x6, edges), lambda nj: fe.histogram(x6, edges, n_jobs=nj), "info")
    s3 = rng.normal(size=(10**6, 3))
    case("histogramdd, 1e6 x 3, 16^3 bins", "numpy.histogramdd",
         lambda: np.histogramdd(s3, 16), lambda nj: fe.histogramdd(s3, 16, n_jobs=nj), "info",
         repeat=5)
    try:
        import fast_histogram

        lo, hi = float(x.min()), float(x.max())
        case("histogram, 1e7 float64, 100 bins, given range (peer drops x == hi)",
             "fast_histogram.histogram1d",
             lambda: fast_histogram.histogram1d(x, 100, (lo, hi)),
             lambda nj: fe.histogram(x, 100, range=(lo, hi), n_jobs=nj), "info", repeat=5,
             check=False)
    except ImportError:
        pass
    table.finish()


if __name__ == "__main__":
    main()
