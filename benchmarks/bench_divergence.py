"""Benchmarks of the divergence family against SciPy (whole call vs whole call, same input, same
run): ``entropy`` vs ``scipy.stats.entropy`` (target >= 3x on float64 (10000, 1000) rows), and,
for information, KL rows vs ``scipy.special.rel_entr(...).sum(axis=1)`` and the Jensen-Shannon
distance vs ``scipy.spatial.distance.jensenshannon``.

Run ``python benchmarks/bench_divergence.py [--write]`` from the repository root.
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


def _rel_entr_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    from scipy.special import rel_entr

    pn = p / p.sum(axis=1, keepdims=True)
    qn = q / q.sum(axis=1, keepdims=True)
    return rel_entr(pn, qn).sum(axis=1)


def main() -> None:
    import scipy.stats
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(20261126)
    table = Table("divergence", ())
    table.start()

    def case(name, peer_name, peer, ours, target, repeat=7):
        ref = np.asarray(peer())
        got = np.asarray(ours(1))
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)  # same answer first
        t_peer = median_time(peer, repeat=repeat)
        t1 = median_time(lambda: ours(1), repeat=repeat)
        t2 = median_time(lambda: ours(2), repeat=repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    x = rng.random((10000, 1000))
    x[x < 0.05] = 0.0  # some zero cells, as in real histograms
    y = rng.random((10000, 1000)) + 1e-3
    case(
        "entropy, float64 (10000, 1000), axis=1",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(x, axis=1),
        lambda nj: fe.entropy(x, axis=1, n_jobs=nj),
        ">= 3x",
    )
    xt = np.ascontiguousarray(x.T)
    case(
        "entropy, float64 (1000, 10000), axis=0 (default)",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(xt),
        lambda nj: fe.entropy(xt, n_jobs=nj),
        "info",
    )
    case(
        "entropy(pk, qk), float64 (10000, 1000), axis=1",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(x, y, axis=1),
        lambda nj: fe.entropy(x, y, axis=1, n_jobs=nj),
        "info",
    )
    case(
        "kl_divergence rows, float64 (10000, 1000)",
        "rel_entr(p/sum, q/sum).sum(axis=1)",
        lambda: _rel_entr_rows(x, y),
        lambda nj: fe.kl_divergence(x, y, n_jobs=nj),
        "info",
    )
    q1 = y[0]
    case(
        "kl_divergence, (10000, 1000) rows vs one shared q",
        "rel_entr(p/sum, q/sum).sum(axis=1)",
        lambda: _rel_entr_rows(x, q1[None, :]),
        lambda nj: fe.kl_divergence(x, q1, n_jobs=nj),
        "info",
    )
    case(
        "jensenshannon distance, (10000, 1000), axis=1",
        "scipy.spatial.distance.jensenshannon",
        lambda: jensenshannon(x, y, axis=1),
        lambda nj: fe.jensenshannon(x, y, axis=1, n_jobs=nj),
        "info",
    )
    v = x[0]
    case(
        "entropy, one vector of 1000 (call overhead)",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(v),
        lambda nj: fe.entropy(v, n_jobs=nj),
        "info",
        repeat=201,
    )
    table.finish()


if __name__ == "__main__":
    main()
