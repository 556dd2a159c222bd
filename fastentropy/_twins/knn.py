"""NumPy/SciPy twin of ``_kernels/knn``: same functions, same signatures, built on
:class:`scipy.spatial.cKDTree`. ``n_threads`` is accepted and ignored (the twin is the fallback
and the oracle, so it stays single-threaded and simple).

Exactness: cKDTree's max-norm distance is ``max |p - q|`` (the kernel's expression) and its
ball query keeps ``dist <= r``, so "strictly inside ``r``" is the ball of radius
``nextafter(r, 0)``, the largest double below ``r`` (scale-free, unlike an absolute epsilon).
The k-th neighbour of a point among the others is the (k+1)-th of the whole set (the point
itself is one of the nearest, at distance 0), so only the index list needs the point removed.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

__all__ = ["knn_query", "count_inside", "count_inside_sorted"]

METRIC_CHEBYSHEV = 0
METRIC_EUCLIDEAN = 1

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def _p(metric: int) -> float:
    return float(np.inf) if metric == METRIC_CHEBYSHEV else 2.0


def knn_query(
    data: FloatArray,
    queries: FloatArray,
    k: int,
    metric: int,
    exclude_self: bool,
    kth: FloatArray,
    idx: IntArray,
    n_threads: int,
) -> None:
    """k nearest neighbours of each query among data: kth[i] the k-th distance, idx[i] their
    indices ranked by (distance, index) as in the kernel (not computed if idx has 0 columns);
    with exclude_self, queries is data and query i does not count point i."""
    n = data.shape[0]
    m = queries.shape[0]
    extra = 1 if exclude_self else 0
    if k < 1 or k > n - extra:
        raise ValueError(f"k must be in 1..{n - extra}, got {k}")
    if m == 0:
        return
    tree = cKDTree(data)
    q = k + extra
    # one neighbour more than needed shows which rows tie across the k-th distance
    kk = min(q + 1, n)
    dist, ind = tree.query(queries, k=kk, p=_p(metric))
    dist = np.asarray(dist, dtype=np.float64).reshape(m, kk)
    ind = np.asarray(ind, dtype=np.intp).reshape(m, kk)
    kth[:] = dist[:, q - 1]
    if idx.shape[1] == 0:  # indices not wanted
        return
    # rank by (distance, index) as the kernel does
    order = np.lexsort((ind[:, :q], dist[:, :q]), axis=-1)
    ranked = np.take_along_axis(ind[:, :q], order, axis=-1)
    if exclude_self:
        keep = ranked != np.arange(m, dtype=np.intp)[:, None]
        full = keep.all(axis=1)  # only where k or more others sit at distance 0 (tied rows)
        keep[full, -1] = False
        chosen = ranked[keep].reshape(m, k)
    else:
        chosen = ranked
    if kk > q:
        for i in np.flatnonzero(dist[:, q] == dist[:, q - 1]).tolist():
            chosen[i] = _ranked_ball(data, tree, queries[i], float(kth[i]), metric, k,
                                     i if exclude_self else -1)
    idx[:] = chosen


def _ranked_ball(
    data: FloatArray, tree: cKDTree, point: FloatArray, r: float, metric: int, k: int,
    skip: int,
) -> IntArray:
    """The first k points by (distance, index) near point (skip excluded), distances
    recomputed with the kernel's expression. cKDTree's Euclidean ball compares squared
    distances with r * r, which can drop a point at distance exactly r, so the candidates come
    from a ball a little larger than r (the ranking is on the recomputed distances)."""
    ball = r if metric == METRIC_CHEBYSHEV else r * (1.0 + 1e-9) + 1e-300
    cand = np.asarray(tree.query_ball_point(point, ball, p=_p(metric)), dtype=np.intp)
    cand = cand[cand != skip]
    diff = data[cand] - point
    if metric == METRIC_CHEBYSHEV:
        d = np.abs(diff).max(axis=1)
    else:
        acc = np.zeros(len(cand))
        for j in range(diff.shape[1]):
            acc = acc + diff[:, j] * diff[:, j]
        d = np.sqrt(acc)
    order = np.lexsort((cand, d))
    out: IntArray = cand[order[:k]]
    return out


def count_inside(
    pts: FloatArray,
    radii: FloatArray,
    strict: bool,
    counts: IntArray,
    n_threads: int,
) -> None:
    """For each point i, the points j != i with max-norm distance to i below radii[i]
    (strict) or at most radii[i]."""
    n = pts.shape[0]
    if n == 0:
        return
    r = np.asarray(radii, dtype=np.float64)
    if strict:
        empty = r <= 0.0
        ball = np.where(empty, 0.0, np.nextafter(r, 0.0))
    else:
        empty = r < 0.0
        ball = np.where(empty, 0.0, r)
    tree = cKDTree(pts)
    found = np.asarray(tree.query_ball_point(pts, ball, p=np.inf, return_length=True))
    counts[:] = np.where(empty, 0, found.astype(np.intp) - 1)


def count_inside_sorted(
    sorted_values: FloatArray,
    order: IntArray,
    radii: FloatArray,
    strict: bool,
    counts: IntArray,
    n_threads: int,
) -> None:
    """count_inside for one column given its sort: ``sorted_values[p]`` is the value of point
    ``order[p]``."""
    n = sorted_values.shape[0]
    if n == 0:
        return
    pts = np.ascontiguousarray(sorted_values, dtype=np.float64)[:, None]
    by_pos = np.empty(n, dtype=np.intp)
    count_inside(pts, np.ascontiguousarray(radii[order]), strict, by_pos, n_threads)
    counts[order] = by_pos
