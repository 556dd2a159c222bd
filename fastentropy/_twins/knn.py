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
    indices nearest first (ties in any order); with exclude_self, queries is data and query i
    does not count point i."""
    n = data.shape[0]
    m = queries.shape[0]
    extra = 1 if exclude_self else 0
    if k < 1 or k > n - extra:
        raise ValueError(f"k must be in 1..{n - extra}, got {k}")
    if m == 0:
        return
    tree = cKDTree(data)
    dist, ind = tree.query(queries, k=k + extra, p=_p(metric))
    dist = np.asarray(dist, dtype=np.float64).reshape(m, k + extra)
    ind = np.asarray(ind, dtype=np.intp).reshape(m, k + extra)
    kth[:] = dist[:, -1]
    if exclude_self:
        drop = ind == np.arange(m, dtype=np.intp)[:, None]
        # with k or more exact duplicates, the point itself may be pushed out of the list
        missing = ~drop.any(axis=1)
        drop[missing, -1] = True
        idx[:] = ind[~drop].reshape(m, k)
    else:
        idx[:] = ind


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
    values: FloatArray,
    radii: FloatArray,
    strict: bool,
    counts: IntArray,
    n_threads: int,
) -> None:
    """count_inside for one column (``sorted_values`` is its sorted copy; the twin does not
    need it)."""
    count_inside(np.ascontiguousarray(values, dtype=np.float64)[:, None], radii, strict, counts,
                 n_threads)
