"""Benchmarks of the mutual_info family against scikit-learn (whole call vs whole call).

Run ``python benchmarks/bench_mutual_info.py [--write]`` from the repository root.
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


def main() -> None:
    from sklearn import metrics as sk
    from sklearn.metrics.cluster import contingency_matrix

    rng = np.random.default_rng(20261126)
    table = Table("mutual_info", ("sklearn",))
    table.start()

    def case(name, peer_name, peer, ours, target, repeat=7, peer_repeat=None):
        pr = peer_repeat or repeat
        t_peer = median_time(peer, repeat=pr, warmup=1 if pr > 1 else 0)
        t1 = median_time(lambda: ours(1), repeat=repeat)
        t2 = median_time(lambda: ours(2), repeat=repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    # the headline: AMI at n = 1e6 with 100 x 100 clusters
    x = rng.integers(0, 100, 10**6)
    y = rng.integers(0, 100, 10**6)
    case(
        "adjusted_mutual_info_score, n=1e6, 100x100 clusters",
        "sklearn.metrics.adjusted_mutual_info_score",
        lambda: sk.adjusted_mutual_info_score(x, y),
        lambda nj: fe.adjusted_mutual_info_score(x, y, n_jobs=nj),
        ">= 100x",
        peer_repeat=3,
    )
    xs = rng.integers(0, 10, 10**5)
    ys = rng.integers(0, 1000, 10**5)
    case(
        "adjusted_mutual_info_score, n=1e5, 10x1000 clusters",
        "sklearn.metrics.adjusted_mutual_info_score",
        lambda: sk.adjusted_mutual_info_score(xs, ys),
        lambda nj: fe.adjusted_mutual_info_score(xs, ys, n_jobs=nj),
        ">= 100x",
        peer_repeat=3,
    )
    labels = np.array([f"class-{i:03d}" for i in range(50)])
    xstr = labels[rng.integers(0, 50, 10**5)]
    ystr = labels[rng.integers(0, 50, 10**5)]
    case(
        "adjusted_mutual_info_score, n=1e5 string labels, 50x50",
        "sklearn.metrics.adjusted_mutual_info_score",
        lambda: sk.adjusted_mutual_info_score(xstr, ystr),
        lambda nj: fe.adjusted_mutual_info_score(xstr, ystr, n_jobs=nj),
        "faster",
        peer_repeat=3,
    )
    case(
        "normalized_mutual_info_score, n=1e6, 100x100",
        "sklearn.metrics.normalized_mutual_info_score",
        lambda: sk.normalized_mutual_info_score(x, y),
        lambda nj: fe.normalized_mutual_info_score(x, y, n_jobs=nj),
        "faster",
        repeat=5,
    )
    case(
        "mutual_info_score, n=1e6, 100x100",
        "sklearn.metrics.mutual_info_score",
        lambda: sk.mutual_info_score(x, y),
        lambda nj: fe.mutual_info_score(x, y, n_jobs=nj),
        "faster",
        repeat=5,
    )
    case(
        "contingency, n=1e6 int labels, 100x100",
        "sklearn contingency_matrix (dense)",
        lambda: contingency_matrix(x, y),
        lambda nj: fe.contingency(x, y, n_jobs=nj),
        "faster",
        repeat=5,
    )
    x8 = rng.integers(0, 8, 10**7).astype(np.int64)
    y8 = rng.integers(0, 8, 10**7).astype(np.int64)
    case(
        "contingency, n=1e7 int labels, 8x8",
        "sklearn contingency_matrix (dense)",
        lambda: contingency_matrix(x8, y8),
        lambda nj: fe.contingency(x8, y8, n_jobs=nj),
        "faster",
        repeat=3,
    )
    tabs = rng.integers(0, 30, size=(2000, 20, 20))
    case(
        "mutual_information, 2000 tables 20x20 (plug-in, batch)",
        "sklearn mutual_info_score(contingency=) loop",
        lambda: [sk.mutual_info_score(None, None, contingency=t) for t in tabs],
        lambda nj: fe.mutual_information(tabs, n_jobs=nj),
        "faster",
        repeat=3,
    )
    # labels narrower than int64 are read in place (no int64 copy of 1e7 labels)
    x8n = rng.integers(0, 100, 10**7).astype(np.int8)
    y8n = rng.integers(0, 100, 10**7).astype(np.int8)
    case(
        "mutual_info_score, n=1e7 int8 labels, 100x100",
        "sklearn.metrics.mutual_info_score",
        lambda: sk.mutual_info_score(x8n, y8n),
        lambda nj: fe.mutual_info_score(x8n, y8n, n_jobs=nj),
        "faster",
        repeat=3,
    )
    # joint entropy of a batch against scipy's vectorised entropy of the flattened tables
    from scipy.stats import entropy as sp_entropy

    case(
        "joint_entropy, 2000 tables 20x20 (plug-in, batch)",
        "scipy.stats.entropy(axis=1) of the flattened tables",
        lambda: sp_entropy(tabs.reshape(tabs.shape[0], -1), axis=1),
        lambda nj: fe.joint_entropy(tabs, n_jobs=nj),
        "faster",
        repeat=5,
    )
    # large counts near independence (the G-test regime) and skewed tables: the accurate
    # per-cell forms (exact cross products, non-negative MI terms) on every cell
    near = rng.poisson(np.outer(rng.uniform(1, 2, 50), rng.uniform(1, 2, 40)) * 1e4,
                       size=(200, 50, 40))
    case(
        "mutual_information, 200 near-independent tables 50x40, counts ~3e4",
        "sklearn mutual_info_score(contingency=) loop",
        lambda: [sk.mutual_info_score(None, None, contingency=t) for t in near],
        lambda nj: fe.mutual_information(near, n_jobs=nj),
        "faster",
        repeat=3,
    )
    skew = rng.integers(0, 4, size=(2000, 8, 8))
    skew[:, 0, 0] = 2**40
    case(
        "mutual_information, 2000 skewed tables 8x8 (one cell 2**40)",
        "sklearn mutual_info_score(contingency=) loop",
        lambda: [sk.mutual_info_score(None, None, contingency=t) for t in skew],
        lambda nj: fe.mutual_information(skew, n_jobs=nj),
        "faster",
        repeat=3,
    )
    table.finish()


if __name__ == "__main__":
    main()
