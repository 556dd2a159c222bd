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
    theiler: int = 0,
) -> None:
    """k nearest neighbours of each query among data: kth[i] the k-th distance, idx[i] their
    indices ranked by (distance, index) as in the kernel (not computed if idx has 0 columns);
    with exclude_self, queries is data and query i does not count point i, nor (``theiler``
    > 0) the points j with |i - j| <= theiler."""
    n = data.shape[0]
    m = queries.shape[0]
    extra = 1 if exclude_self else 0
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
    if theiler > 0:
        if not exclude_self:
            raise ValueError("knn_query: theiler needs exclude_self (queries is data)")
        extra = min(n, 2 * theiler + 1)
    if k < 1 or k > n - extra:
        raise ValueError(f"k must be in 1..{n - extra}, got {k}")
    if m == 0:
        return
    if theiler > 0:
        _knn_window(data, k, metric, theiler, kth, idx)
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


def _knn_window(
    data: FloatArray, k: int, metric: int, theiler: int, kth: FloatArray, idx: IntArray,
) -> None:
    """knn_query of data against itself with the Theiler window |i - j| <= theiler left out:
    the k + 2 theiler + 1 nearest (the window has at most 2 theiler + 1 points, the query's
    own included) hold the k nearest outside it; one more shows ties across the k-th."""
    n = data.shape[0]
    tree = cKDTree(data)
    kk = min(k + 2 * theiler + 2, n)
    dist, ind = tree.query(data, k=kk, p=_p(metric))
    dist = np.asarray(dist, dtype=np.float64).reshape(n, kk)
    ind = np.asarray(ind, dtype=np.intp).reshape(n, kk)
    rows = np.arange(n, dtype=np.intp)
    keep = np.abs(ind - rows[:, None]) > theiler
    pos = np.argmax(np.cumsum(keep, axis=1) >= k, axis=1)
    kth[:] = dist[rows, pos]
    if idx.shape[1] == 0:
        return
    # kept entries first, each by (distance, index), as the kernel ranks them
    order = np.lexsort((ind, dist, ~keep), axis=-1)
    ranked = np.take_along_axis(ind, order, axis=-1)[:, :k]
    sdist = np.take_along_axis(dist, order, axis=-1)
    skeep = np.take_along_axis(keep, order, axis=-1)
    # where the (k+1)-th kept entry, or the list's last distance, ties with the k-th, points
    # beyond the list could outrank the chosen ones by index: rank the whole ball
    nxt_tie = skeep[:, k] & (sdist[:, k] == sdist[:, k - 1]) if kk > k else np.zeros(n, bool)
    edge_tie = dist[:, -1] == kth
    for i in np.flatnonzero(nxt_tie | edge_tie).tolist():
        ranked[i] = _ranked_ball(data, tree, data[i], float(kth[i]), metric, k, i, theiler)
    idx[:] = ranked


def _ranked_ball(
    data: FloatArray, tree: cKDTree, point: FloatArray, r: float, metric: int, k: int,
    skip: int, theiler: int = 0,
) -> IntArray:
    """The first k points by (distance, index) near point (skip excluded), distances
    recomputed with the kernel's expression. cKDTree's Euclidean ball compares squared
    distances with r * r, which can drop a point at distance exactly r, so the candidates come
    from a ball a little larger than r (the ranking is on the recomputed distances)."""
    ball = r if metric == METRIC_CHEBYSHEV else r * (1.0 + 1e-9) + 1e-300
    cand = np.asarray(tree.query_ball_point(point, ball, p=_p(metric)), dtype=np.intp)
    cand = cand[cand != skip]
    if theiler > 0:
        cand = cand[np.abs(cand - skip) > theiler]
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
    theiler: int = 0,
) -> None:
    """For each point i, the points j != i with max-norm distance to i below radii[i]
    (strict) or at most radii[i]; with ``theiler`` > 0, not counting the points j with
    |i - j| <= theiler (those inside are subtracted, one offset at a time)."""
    n = pts.shape[0]
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
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
    out = np.where(empty, 0, found.astype(np.intp) - 1)
    for o in range(1, min(theiler, n - 1) + 1):
        # the pairs (i, i + o): one distance, compared with each end's radius
        dist = np.abs(pts[o:] - pts[:-o]).max(axis=1)
        if strict:
            out[:-o] -= dist < r[:-o]
            out[o:] -= dist < r[o:]
        else:
            out[:-o] -= dist <= r[:-o]
            out[o:] -= dist <= r[o:]
    counts[:] = out


def count_inside_sorted(
    sorted_values: FloatArray,
    order: IntArray,
    radii: FloatArray,
    strict: bool,
    counts: IntArray,
    n_threads: int,
    theiler: int = 0,
) -> None:
    """count_inside for one column given its sort: ``sorted_values[p]`` is the value of point
    ``order[p]``."""
    n = sorted_values.shape[0]
    if theiler < 0:
        raise ValueError(f"theiler must be >= 0, got {theiler}")
    if n == 0:
        return
    if theiler > 0:
        values = np.empty(n, dtype=np.float64)
        values[order] = sorted_values
        count_inside(values[:, None], radii, strict, counts, n_threads, theiler)
        return
    pts = np.ascontiguousarray(sorted_values, dtype=np.float64)[:, None]
    by_pos = np.empty(n, dtype=np.intp)
    count_inside(pts, np.ascontiguousarray(radii[order]), strict, by_pos, n_threads)
    counts[order] = by_pos
