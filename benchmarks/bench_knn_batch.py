"""Benchmarks of the k-NN batch functions against their peers (whole call vs whole call).

Run ``python benchmarks/bench_knn_batch.py [--write]`` from the repository root. The peer and
fastentropy (1 and 2 threads) are timed interleaved, repetition by repetition, so a change in
the machine's load hits all three alike; medians are reported. Where the peer has a thread
setting, each setting is timed and its best median is the one compared ("at its best").

- ``mutual_info_many``: scikit-learn's ``mutual_info_regression`` (n_jobs None and 2);
- ``mutual_info_matrix``: ennemi's ``pairwise_mi`` (its defaults: k=3, unit-variance scaling
  and fixed-seed noise, NaN diagonal; max_threads None and 1);
- ``permutation_test``: 200 calls of ``mutual_info_regression`` on permuted y.
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


def main() -> None:
    import ennemi
    from sklearn.feature_selection import mutual_info_regression

    rng = np.random.default_rng(20261201)
    table = Table("knn_batch", ("sklearn", "ennemi"))
    table.start()

    # mutual_info_many: 64 features, n = 1e4
    X = rng.standard_normal((10_000, 64))
    t = X[:, 0] + np.sin(X[:, 1]) + rng.standard_normal(10_000)
    t_sk, t_sk2, t1, t2 = interleaved(
        [
            lambda: mutual_info_regression(X, t, n_neighbors=3, random_state=0),
            lambda: mutual_info_regression(X, t, n_neighbors=3, random_state=0, n_jobs=2),
            lambda: fe.mutual_info_many(X, t, k=3, n_jobs=1),
            lambda: fe.mutual_info_many(X, t, k=3, n_jobs=2),
        ],
        repeat=5,
    )
    best = "n_jobs=None" if t_sk <= t_sk2 else "n_jobs=2"
    table.add(
        "mutual_info_many, 64 features, n=1e4, k=3",
        f"sklearn.feature_selection.mutual_info_regression (best: {best}; "
        f"n_jobs=None {t_sk:.2f} s, n_jobs=2 {t_sk2:.2f} s)",
        min(t_sk, t_sk2), t1, t2, ">= 10x (vs sklearn's best n_jobs)",
    )

    # mutual_info_matrix: 32 columns, n = 1e4
    Xm = rng.standard_normal((10_000, 32))
    Xm[:, 1::2] += 0.5 * Xm[:, ::2]
    t_en, t_en1, t1, t2 = interleaved(
        [
            lambda: ennemi.pairwise_mi(Xm, k=3),
            lambda: ennemi.pairwise_mi(Xm, k=3, max_threads=1),
            lambda: fe.mutual_info_matrix(Xm, k=3, n_jobs=1),
            lambda: fe.mutual_info_matrix(Xm, k=3, n_jobs=2),
        ],
        repeat=3,
    )
    best = "max_threads=None" if t_en <= t_en1 else "max_threads=1"
    table.add(
        "mutual_info_matrix, 32 columns, n=1e4, k=3",
        f"ennemi.pairwise_mi (best: {best}; max_threads=None {t_en:.2f} s, "
        f"max_threads=1 {t_en1:.2f} s)",
        min(t_en, t_en1), t1, t2, ">= 15x",
    )

    # permutation_test: 200 permutations, n = 1e4
    n = 10_000
    x = rng.standard_normal(n)
    y = 0.1 * x + rng.standard_normal(n)
    perms = [np.random.default_rng(i).permutation(n) for i in range(200)]
    x2 = x[:, None]

    def sklearn_perms() -> None:
        for p in perms:
            mutual_info_regression(x2, y[p], n_neighbors=3, random_state=0)

    t_sk, t1, t2 = interleaved(
        [
            sklearn_perms,
            lambda: fe.permutation_test(x, y, n_permutations=200, random_state=0, n_jobs=1),
            lambda: fe.permutation_test(x, y, n_permutations=200, random_state=0, n_jobs=2),
        ],
        repeat=3,
    )
    table.add(
        "permutation_test, 200 permutations, n=1e4, k=3",
        "200 calls of sklearn.feature_selection.mutual_info_regression on permuted y",
        t_sk, t1, t2, ">= 8x",
    )
    table.finish()


if __name__ == "__main__":
    main()
