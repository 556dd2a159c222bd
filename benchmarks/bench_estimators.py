"""Benchmarks of ``entropy_counts`` against SciPy / a vectorised NumPy formula (whole call vs
whole call, same input, same run).

Run ``python benchmarks/bench_estimators.py [--write]`` from the repository root.
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


def _miller_madow_numpy(c: np.ndarray) -> np.ndarray:
    import scipy.stats

    N = c.sum(axis=1)
    return scipy.stats.entropy(c, axis=1) + (np.count_nonzero(c, axis=1) - 1) / (2.0 * N)


def _chao_shen_numpy(c: np.ndarray) -> np.ndarray:
    """Chao & Shen (2003), vectorised over rows (the formula as written, NumPy only)."""
    c = c.astype(np.float64)
    N = c.sum(axis=1, keepdims=True)
    f1 = (c == 1).sum(axis=1, keepdims=True)
    f1 = np.where(f1 == N, N - 1, f1)
    pa = (1.0 - f1 / N) * c / N
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = pa * np.log(pa) / (1.0 - (1.0 - pa) ** N)
    return -np.where(c > 0, terms, 0.0).sum(axis=1)


def _zhang_numpy(c: np.ndarray) -> np.ndarray:
    from scipy.special import digamma

    N = c.sum(axis=1)
    with np.errstate(invalid="ignore"):
        s = np.where(c > 0, c * digamma(np.where(c > 0, c, 1)), 0.0).sum(axis=1)
    return digamma(N) - s / N


def _ansb_numpy(c: np.ndarray) -> np.ndarray:
    """Nemenman (2011) ANSB, vectorised over rows (rows without coincidences give inf)."""
    from scipy.special import digamma

    N = c.sum(axis=1)
    delta = N - np.count_nonzero(c, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.euler_gamma - np.log(2.0) + 2.0 * np.log(N) - digamma(delta)
    return np.where(delta > 0, h, np.inf)


def main() -> None:
    import scipy.stats

    rng = np.random.default_rng(20261126)
    table = Table("estimators", ())
    table.start()

    def case(name, peer_name, peer, ours, target, repeat=7, peer_repeat=None):
        pr = peer_repeat or repeat
        t_peer = median_time(peer, repeat=pr, warmup=1 if pr > 1 else 0)
        t1 = median_time(lambda: ours(1), repeat=repeat)
        t2 = median_time(lambda: ours(2), repeat=repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    c = rng.integers(0, 100, (10_000, 1000))  # int64
    ref = scipy.stats.entropy(c, axis=1)
    assert np.allclose(fe.entropy_counts(c, n_jobs=1), ref, rtol=1e-12)
    case(
        "plugin, int64 (10000, 1000), counts 0..99",
        "scipy.stats.entropy(axis=1)",
        lambda: scipy.stats.entropy(c, axis=1),
        lambda nj: fe.entropy_counts(c, n_jobs=nj),
        ">= 10x (1 thread)",
        repeat=15,
        peer_repeat=5,
    )
    c32 = c.astype(np.int32)
    case(
        "plugin, int32 (10000, 1000)",
        "scipy.stats.entropy(axis=1)",
        lambda: scipy.stats.entropy(c32, axis=1),
        lambda nj: fe.entropy_counts(c32, n_jobs=nj),
        "faster",
        peer_repeat=5,
    )
    case(
        "miller_madow, int64 (10000, 1000)",
        "scipy.stats.entropy + (m-1)/2N",
        lambda: _miller_madow_numpy(c),
        lambda nj: fe.entropy_counts(c, "miller_madow", n_jobs=nj),
        ">= 10x (1 thread)",
        repeat=15,
        peer_repeat=5,
    )
    sparse = rng.poisson(0.5, (10_000, 1000))
    assert np.allclose(fe.entropy_counts(sparse, "chao_shen", n_jobs=1), _chao_shen_numpy(sparse),
                       rtol=1e-10)
    case(
        "chao_shen, Poisson(0.5) counts (10000, 1000)",
        "NumPy formula, vectorised",
        lambda: _chao_shen_numpy(sparse),
        lambda nj: fe.entropy_counts(sparse, "chao_shen", n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    case(
        "zhang, Poisson(0.5) counts (10000, 1000)",
        "scipy.special.digamma formula",
        lambda: _zhang_numpy(sparse),
        lambda nj: fe.entropy_counts(sparse, "zhang", n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    c8 = c.astype(np.int8)
    assert np.array_equal(fe.entropy_counts(c8, n_jobs=1), fe.entropy_counts(c, n_jobs=1))
    case(
        "plugin, int8 (10000, 1000), read in place",
        "scipy.stats.entropy(axis=1)",
        lambda: scipy.stats.entropy(c8, axis=1),
        lambda nj: fe.entropy_counts(c8, n_jobs=nj),
        "faster",
        peer_repeat=5,
    )
    # rows where one count holds nearly all the mass take the re-summed (accurate) path
    skew = rng.integers(0, 3, (10_000, 1000))
    skew[:, 0] = 10**9
    assert np.allclose(fe.entropy_counts(skew, n_jobs=1), scipy.stats.entropy(skew, axis=1),
                       rtol=1e-12)
    case(
        "plugin, int64 (10000, 1000), one count 1e9 per row",
        "scipy.stats.entropy(axis=1)",
        lambda: scipy.stats.entropy(skew, axis=1),
        lambda nj: fe.entropy_counts(skew, n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    case(
        "ansb, Poisson(0.5) counts (10000, 1000)",
        "scipy.special formula, vectorised",
        lambda: _ansb_numpy(sparse),
        lambda nj: fe.entropy_counts(sparse, "ansb", n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    from fastentropy._twins import estimators as twin

    mid = sparse[:500]
    k5 = np.full(500, 1000.0)
    out5 = np.empty(500)
    case(
        "wolpert_wolf (a=1), 500 rows of Poisson(0.5) counts",
        "fastentropy NumPy twin",
        lambda: twin.entropy_counts_rows(mid, k5, fe.estimators.METHODS["wolpert_wolf"], out5,
                                         None, 1),
        lambda nj: fe.entropy_counts(mid, "wolpert_wolf", n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    case(
        "good_turing, 500 rows of Poisson(0.5) counts",
        "fastentropy NumPy twin",
        lambda: twin.entropy_counts_rows(mid, k5, fe.estimators.METHODS["good_turing"], out5,
                                         None, 1),
        lambda nj: fe.entropy_counts(mid, "good_turing", n_jobs=nj),
        "faster",
        peer_repeat=3,
    )

    few = sparse[:20]
    k = np.full(20, 1000.0)
    out = np.empty(20)
    case(
        "nsb, 20 rows of Poisson(0.5) counts, K=1000",
        "fastentropy NumPy twin",
        lambda: twin.entropy_counts_rows(few, k, fe.estimators.METHODS["nsb"], out, None, 1),
        lambda nj: fe.entropy_counts(few, "nsb", n_jobs=nj),
        "faster",
        repeat=5,
        peer_repeat=3,
    )
    table.finish()


if __name__ == "__main__":
    main()
