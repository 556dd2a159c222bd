"""NumPy/SciPy twin of ``_kernels/knn_batch``: same function, same signature. Tasks of many
samples use the ``_twins.knn`` searches (:class:`scipy.spatial.cKDTree`): the joint k-NN by a
tree query, the marginal counts by ball counts on the sorted column. Tasks of few samples
(many of them: a matrix of short columns) are brute force, all pairwise distances at once for
a block of tasks. ``n_threads`` is accepted and ignored. Distances are exact everywhere (the
kernel's expressions, ``fabs(x_j - x_i)`` and their max) and neighbours are ranked by (distance,
sample index), so the counts are the kernel's, ties included.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import knn as _knn

__all__ = ["ksg_tasks", "restricted_permutation"]

#: tasks of at most this many samples are brute force, in blocks of about _BLOCK distances
_BRUTE_N = 64
_BLOCK = 1 << 21

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def ksg_tasks(
    values: FloatArray,
    sorted_vals: FloatArray,
    order: IntArray,
    rank: IntArray,
    tasks: IntArray,
    perms: IntArray,
    k: int,
    ksg2: bool,
    nx: IntArray,
    ny: IntArray,
    n_threads: int,
) -> None:
    """KSG marginal counts of each task (x column, y column, permutation row or -1): the joint
    sample i is (x_i, y_p(i)); see the kernel."""
    c, n = values.shape
    T = tasks.shape[0]
    P = perms.shape[0]
    if (sorted_vals.shape != (c, n) or rank.shape != (c, n) or order.shape != (c, n)
            or tasks.shape[1:] != (3,)
            or (P and perms.shape[1] != n) or nx.shape != (T, n) or ny.shape != (T, n)):
        raise ValueError("ksg_tasks: mismatched shapes")
    if k < 1 or k >= n:
        raise ValueError(f"ksg_tasks: k must be in 1..{n - 1}, got {k}")
    for a, b, p in tasks.tolist():
        if not (0 <= a < c and 0 <= b < c and -1 <= p < P):
            raise ValueError("ksg_tasks: a task refers to a column or permutation that is absent")
    if n <= _BRUTE_N:
        _brute(values, tasks, perms, k, ksg2, nx, ny)
        return
    for t, (a, b, p) in enumerate(tasks.tolist()):
        sel = perms[p] if p >= 0 else np.arange(n, dtype=np.intp)
        x = values[a]
        y = values[b][sel]
        joint = np.ascontiguousarray(np.stack([x, y], axis=1))
        kth = np.empty(n, dtype=np.float64)
        idx = np.empty((n, k if ksg2 else 0), dtype=np.intp)
        _knn.knn_query(joint, joint, k, 0, True, kth, idx, 1)
        if ksg2:
            rx = np.abs(x[idx] - x[:, None]).max(axis=1)
            ry = np.abs(y[idx] - y[:, None]).max(axis=1)
            strict = False
        else:
            rx = ry = kth
            strict = True
        # y's sort in the task's sample indices (the task's sample i is y's sample sel[i])
        inv_sel = np.empty(n, dtype=np.intp)
        inv_sel[sel] = np.arange(n, dtype=np.intp)
        order_y = inv_sel[order[b]]
        cx = np.empty(n, dtype=np.intp)
        cy = np.empty(n, dtype=np.intp)
        _knn.count_inside_sorted(sorted_vals[a], order[a], np.ascontiguousarray(rx), strict,
                                 cx, 1)
        _knn.count_inside_sorted(sorted_vals[b], order_y, np.ascontiguousarray(ry), strict,
                                 cy, 1)
        nx[t] = cx
        ny[t] = cy


def _brute(values: FloatArray, tasks: IntArray, perms: IntArray, k: int, ksg2: bool,
           nx: IntArray, ny: IntArray) -> None:
    n = values.shape[1]
    T = tasks.shape[0]
    ident = np.arange(n, dtype=np.intp)
    chunk = max(1, _BLOCK // (n * n))
    for s in range(0, T, chunk):
        part = tasks[s : s + chunk]
        x = values[part[:, 0]]
        sel = np.stack([perms[p] if p >= 0 else ident for p in part[:, 2].tolist()])
        y = np.take_along_axis(values[part[:, 1]], sel, axis=1)
        dx = np.abs(x[:, None, :] - x[:, :, None])  # dx[t, i, j] = |x_j - x_i|
        dy = np.abs(y[:, None, :] - y[:, :, None])
        d = np.maximum(dx, dy)
        d[:, ident, ident] = np.inf  # a sample is not its own neighbour
        if ksg2:
            # neighbours ranked by (distance, index): a stable sort keeps ties in index order
            nb = np.argsort(d, axis=2, kind="stable")[:, :, :k]
            rx = np.take_along_axis(dx, nb, axis=2).max(axis=2)
            ry = np.take_along_axis(dy, nb, axis=2).max(axis=2)
            cx = np.count_nonzero(dx <= rx[:, :, None], axis=2) - 1
            cy = np.count_nonzero(dy <= ry[:, :, None], axis=2) - 1
        else:
            kth = np.partition(d, k - 1, axis=2)[:, :, k - 1]
            self_in = (kth > 0.0).astype(np.intp)
            cx = np.count_nonzero(dx < kth[:, :, None], axis=2) - self_in
            cy = np.count_nonzero(dy < kth[:, :, None], axis=2) - self_in
        nx[s : s + chunk] = cx
        ny[s : s + chunk] = cy


def restricted_permutation(
    neighbours: IntArray, order: IntArray, used: npt.NDArray[np.uint8], out: IntArray,
) -> None:
    """The local permutation of Runge (2018); see the kernel."""
    n, m = neighbours.shape
    if order.shape != (n,) or used.shape != (n,) or out.shape != (n,) or m < 1:
        raise ValueError("restricted_permutation: mismatched shapes")
    if n and not ((order >= 0).all() and (order < n).all()):
        raise ValueError("restricted_permutation: order holds an index out of range")
    if n and not ((neighbours >= 0).all() and (neighbours < n).all()):
        raise ValueError("restricted_permutation: a neighbour index is out of range")
    rows = neighbours.tolist()
    taken = used.astype(bool).tolist()
    chosen = [0] * n
    for i in order.tolist():
        row = rows[i]
        c = row[-1]
        for j in row:
            if not taken[j]:
                c = j
                break
        chosen[i] = c
        taken[c] = True
    out[:] = chosen
    used[:] = taken
