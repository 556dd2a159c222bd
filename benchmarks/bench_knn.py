"""Benchmarks of the k-NN family against scikit-learn (whole call vs whole call).

Run ``python benchmarks/bench_knn.py [--write]`` from the repository root. The peer and
fastentropy (1 and 2 threads) are timed interleaved, repetition by repetition, so a change in
the machine's load hits all three alike; medians are reported.
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
    from sklearn.feature_selection import mutual_info_regression

    rng = np.random.default_rng(20261126)
    table = Table("knn", ("sklearn",))
    table.start()

    n = 100_000
    x = rng.standard_normal(n)
    y = x + rng.standard_normal(n)
    t_peer, t1, t2 = interleaved(
        [
            lambda: mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0),
            lambda: fe.mutual_info_knn(x, y, k=3, n_jobs=1),
            lambda: fe.mutual_info_knn(x, y, k=3, n_jobs=2),
        ],
        repeat=7,
    )
    table.add(
        "mutual_info_knn, 1-D x and y, n=1e5, k=3",
        "sklearn.feature_selection.mutual_info_regression",
        t_peer, t1, t2, ">= 5x (1 thread)",
    )
    X = rng.standard_normal((10_000, 64))
    t = X[:, 0] + np.sin(X[:, 1]) + rng.standard_normal(10_000)
    t_peer, t1, t2 = interleaved(
        [
            lambda: mutual_info_regression(X, t, n_neighbors=3, random_state=0),
            lambda: fe.mutual_info_many(X, t, k=3, n_jobs=1),
            lambda: fe.mutual_info_many(X, t, k=3, n_jobs=2),
        ],
        repeat=3,
    )
    table.add(
        "mutual_info_many, 64 features, n=1e4, k=3",
        "sklearn.feature_selection.mutual_info_regression (n_jobs=None)",
        t_peer, t1, t2, "info (the target, vs sklearn's best n_jobs: bench_knn_batch.py)",
    )
    # the drop-ins: same random_state, same values as scikit-learn (tests/test_sklearn_compat)
    from sklearn.feature_selection import mutual_info_classif

    import fastentropy.sklearn as fsk

    t_peer, t1, t2 = interleaved(
        [
            lambda: mutual_info_regression(x[:, None], y, n_neighbors=3, random_state=0),
            lambda: fsk.mutual_info_regression(x[:, None], y, random_state=0, n_jobs=1),
            lambda: fsk.mutual_info_regression(x[:, None], y, random_state=0, n_jobs=2),
        ],
        repeat=7,
    )
    table.add(
        "fastentropy.sklearn.mutual_info_regression, 1 feature, n=1e5, k=3",
        "sklearn.feature_selection.mutual_info_regression",
        t_peer, t1, t2, "same values (1e-12)",
    )
    Xc = rng.standard_normal((10_000, 8))
    labels = (Xc[:, 0] + rng.standard_normal(10_000) > 0).astype(int) + (Xc[:, 1] > 0)
    t_peer, t1, t2 = interleaved(
        [
            lambda: mutual_info_classif(Xc, labels, random_state=0),
            lambda: fsk.mutual_info_classif(Xc, labels, random_state=0, n_jobs=1),
            lambda: fsk.mutual_info_classif(Xc, labels, random_state=0, n_jobs=2),
        ],
        repeat=5,
    )
    table.add(
        "fastentropy.sklearn.mutual_info_classif (Ross), 8 features, 3 classes, n=1e4",
        "sklearn.feature_selection.mutual_info_classif",
        t_peer, t1, t2, "same values (1e-12)",
    )
    table.finish()


if __name__ == "__main__":
    main()
