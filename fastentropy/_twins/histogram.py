"""NumPy twin of ``_kernels/histogram``: same functions, same arguments, same bins.

Bin assignment (``find_bins``) is the kernels' ``find_bin`` vectorised: the bin of ``v`` is the
largest ``b < nb`` with ``edges[b] <= v`` (numpy's searchsorted side='right', last edge closed),
values outside ``[edges[0], edges[nb]]`` or NaN get -1. ``BIN_NUMPY`` repeats numpy.histogram's
float64 formula and single correction step. Weighted sums follow numpy's order (65536-sample
blocks, added in block order), so they are bitwise numpy's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

BIN_UNIFORM, BIN_NUMPY, BIN_SEARCH = 0, 1, 2
BLOCK = 65536


def find_bins(
    v: np.ndarray, e: np.ndarray, first: float, scale: float, tol: float, mode: int
) -> np.ndarray:
    """Bin index (int64) of each value of ``v``; -1 outside the edges. ``tol`` only speeds up
    the kernel (its guess is trusted when it cannot be wrong) and is ignored here."""
    nb = e.shape[0] - 1
    v = np.asarray(v, dtype=np.float64)
    inside = (v >= e[0]) & (v <= e[nb])
    vi = np.where(inside, v, e[0])
    if mode == BIN_NUMPY:
        with np.errstate(invalid="ignore"):
            b = (((vi - first) / scale) * nb).astype(np.int64)
        b[b == nb] -= 1
        b[vi < e[b]] -= 1
        b[(vi >= e[np.minimum(b + 1, nb)]) & (b != nb - 1)] += 1
    else:
        b = np.minimum(np.searchsorted(e, vi, side="right") - 1, nb - 1)
    return np.where(inside, b, -1)


def min_max(x: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    """min, max and a flag (1.0) when any value is NaN; min and max are unspecified then."""
    xd = np.asarray(x, dtype=np.float64)
    out[0] = np.fmin.reduce(xd)
    out[1] = np.fmax.reduce(xd)
    out[2] = 1.0 if np.isnan(xd).any() else 0.0


def hist_1d(x: Any, edges: np.ndarray, first: float, scale: float, tol: float, mode: int,
            partial: np.ndarray, n_threads: int) -> None:
    nb = edges.shape[0] - 1
    b = find_bins(x, edges, first, scale, tol, mode)
    partial[0] += np.bincount(b[b >= 0], minlength=nb)


def hist_1d_weighted(x: Any, w: np.ndarray, edges: np.ndarray, first: float, scale: float,
                     tol: float, mode: int, out: np.ndarray, n_threads: int) -> None:
    nb = edges.shape[0] - 1
    for start in range(0, x.shape[0], BLOCK):
        b = find_bins(x[start:start + BLOCK], edges, first, scale, tol, mode)
        keep = b >= 0
        out += np.bincount(b[keep], weights=w[start:start + BLOCK][keep], minlength=nb)


def _flat_index(sample: np.ndarray, edges: np.ndarray, offsets: np.ndarray, firsts: np.ndarray,
                scales: np.ndarray, tols: np.ndarray, modes: np.ndarray) -> np.ndarray:
    n, d = sample.shape
    flat = np.zeros(n, dtype=np.int64)
    outside = np.zeros(n, dtype=bool)
    for i in range(d):
        e = edges[offsets[i]:offsets[i + 1]]
        b = find_bins(sample[:, i], e, firsts[i], scales[i], tols[i], modes[i])
        outside |= b < 0
        flat = flat * (e.shape[0] - 1) + b
    flat[outside] = -1
    return flat


def hist_dd(sample: Any, edges: np.ndarray, offsets: np.ndarray, firsts: np.ndarray,
            scales: np.ndarray, tols: np.ndarray, modes: np.ndarray, partial: np.ndarray,
            n_threads: int) -> None:
    flat = _flat_index(np.asarray(sample), edges, offsets, firsts, scales, tols, modes)
    partial[0] += np.bincount(flat[flat >= 0], minlength=partial.shape[1])


def hist_2d(x: Any, y: Any, ex: np.ndarray, ey: np.ndarray, fx: float, sx: float, tx: float,
            mx: int, fy: float, sy: float, ty: float, my: int, partial: np.ndarray,
            n_threads: int) -> None:
    ny = ey.shape[0] - 1
    bx = find_bins(x, ex, fx, sx, tx, mx)
    by = find_bins(y, ey, fy, sy, ty, my)
    keep = (bx >= 0) & (by >= 0)
    partial[0] += np.bincount(bx[keep] * ny + by[keep], minlength=partial.shape[1])


def hist_dd_weighted(sample: Any, w: Any, edges: np.ndarray, offsets: np.ndarray,
                     firsts: np.ndarray, scales: np.ndarray, tols: np.ndarray,
                     modes: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    flat = _flat_index(np.asarray(sample), edges, offsets, firsts, scales, tols, modes)
    keep = flat >= 0
    out += np.bincount(flat[keep], weights=np.asarray(w)[keep], minlength=out.shape[0])


def hist_rows(x: Any, edges: Any, tol: float, mode: int, counts: np.ndarray,
              n_threads: int) -> None:
    rows, nb = counts.shape
    x = np.asarray(x)
    edges = np.asarray(edges)
    if rows == 0 or x.shape[1] == 0:
        return
    e = np.broadcast_to(edges, (rows, nb + 1))
    lo = e[:, :1]
    hi = e[:, nb:]
    inside = (x >= lo) & (x <= hi)
    v = np.where(inside, x, lo)
    r = np.arange(rows)[:, None]
    if mode == BIN_NUMPY:
        b = (((v - lo) / (hi - lo)) * nb).astype(np.int64)
        b[b == nb] -= 1
        b[v < e[r, b]] -= 1
        b[(v >= e[r, np.minimum(b + 1, nb)]) & (b != nb - 1)] += 1
    else:
        # guess, then walk to the largest b with e[b] <= v, as the kernel does
        b = np.minimum(((v - lo) * (nb / (hi - lo))).astype(np.int64), nb - 1)
        while True:
            down = (b > 0) & (v < e[r, b])
            if not down.any():
                break
            b[down] -= 1
        while True:
            up = (b < nb - 1) & (v >= e[r, np.minimum(b + 1, nb)])
            if not up.any():
                break
            b[up] += 1
    flat = (r * nb + b)[inside]
    counts += np.bincount(flat, minlength=rows * nb).reshape(rows, nb)


def bincount_rows(x: Any, counts: np.ndarray, n_threads: int) -> None:
    rows, k = counts.shape
    x = np.asarray(x)
    if rows == 0 or x.shape[1] == 0:
        return
    flat = (np.arange(rows)[:, None] * k + x.astype(np.int64)).ravel()
    counts += np.bincount(flat, minlength=rows * k).reshape(rows, k)
