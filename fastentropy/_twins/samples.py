"""NumPy twin of ``_kernels/samples``: bin each row as numpy.histogram does, count, estimate.

Unlike the kernel it builds the (rows, bins) count matrix; the estimates come from the
estimators twin. Status codes are the kernel's (0 ok, 1 range not finite, 2 too many bins,
3 no sample in range, 4 k below the support).
"""
from __future__ import annotations

import numpy as np

from . import estimators as _est
from .histogram import BIN_NUMPY, BIN_UNIFORM, find_bins, hist_rows

ST_OK, ST_RANGE, ST_BINS, ST_EMPTY, ST_K = 0, 1, 2, 3, 4


def linspace_rows(lo: np.ndarray, hi: np.ndarray, nb: int) -> np.ndarray:
    """``numpy.linspace(lo[r], hi[r], nb + 1)`` for every row, bit for bit (float64)."""
    delta = hi - lo
    step = delta / nb
    i = np.arange(nb + 1, dtype=np.float64)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        e = i * step[:, None] + lo[:, None]
        tiny = step == 0
        if tiny.any():  # numpy's branch for a step that underflows
            e[tiny] = (i / nb) * delta[tiny, None] + lo[tiny, None]
    e[:, -1] = hi
    return e


def _estimate(counts: np.ndarray, k: np.ndarray, method: int, out, status, rows) -> None:
    """Estimate ``counts`` (one row per entry of ``rows``) into ``out[rows]``, with statuses."""
    total = counts.sum(axis=1)
    support = np.count_nonzero(counts, axis=1)
    kk = np.asarray(k, dtype=np.float64)[rows]
    st = np.where(total == 0, ST_EMPTY, np.where(support > kk, ST_K, ST_OK)).astype(np.int8)
    status[rows] = st
    out[rows] = np.nan
    ok = st == ST_OK
    if ok.any():
        res = np.empty(int(ok.sum()))
        _est.entropy_counts_rows(np.ascontiguousarray(counts[ok]), kk[ok], method, res, None, 1)
        out[np.asarray(rows)[ok]] = res


def entropy_rows_uniform(x, nb, lo, hi, auto, k, method, out, status, n_threads) -> None:
    x = np.asarray(x)
    R, n = x.shape
    if R == 0:
        return
    out[:] = np.nan
    status[:] = ST_OK
    if auto:
        if n == 0:
            lo_r, hi_r = np.zeros(R), np.ones(R)
        else:
            lo_r, hi_r = x.min(axis=1), x.max(axis=1)
        bad = ~(np.isfinite(lo_r) & np.isfinite(hi_r))
        status[bad] = ST_RANGE
        same = lo_r == hi_r
        lo_r = np.where(same, lo_r - 0.5, lo_r)
        hi_r = np.where(same, hi_r + 0.5, hi_r)
    else:
        lo_r, hi_r = np.full(R, float(lo)), np.full(R, float(hi))
        bad = np.zeros(R, dtype=bool)
    lo_r = np.where(bad, 0.0, lo_r)
    hi_r = np.where(bad, 1.0, hi_r)
    e = linspace_rows(lo_r, hi_r, nb)
    increasing = np.all(e[:, 1:] > e[:, :-1], axis=1)
    status[~bad & ~increasing] = ST_BINS
    good = ~bad & increasing
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.min(np.diff(e, axis=1), axis=1)
        big = np.maximum(np.abs(lo_r), np.abs(hi_r))
        err = 4.0 * np.finfo(np.float64).eps * (nb + big / width)
    for mode, sel in ((BIN_UNIFORM, good & (err < 0.5)), (BIN_NUMPY, good & ~(err < 0.5))):
        rows = np.flatnonzero(sel)
        if rows.size == 0:
            continue
        counts = np.zeros((rows.size, nb), dtype=np.int64)
        hist_rows(x[rows], e[rows], 0.0, mode, counts, 1)
        _estimate(counts, k, method, out, status, rows)


def entropy_rows_edges(x, edges, offsets, firsts, scales, tols, modes, k, method, out, status,
                       n_threads) -> None:
    x = np.asarray(x)
    R, n = x.shape
    if R == 0:
        return
    shared = offsets.shape[0] == 2
    if shared:
        e = edges[offsets[0]:offsets[1]]
        nb = e.shape[0] - 1
        b = find_bins(x.ravel(), e, firsts[0], scales[0], tols[0], modes[0]).reshape(R, n)
        flat = (np.arange(R)[:, None] * nb + b)[b >= 0]
        counts = np.bincount(flat, minlength=R * nb).reshape(R, nb)
        _estimate(counts, k, method, out, status, np.arange(R))
        return
    for r in range(R):
        e = edges[offsets[r]:offsets[r + 1]]
        nb = e.shape[0] - 1
        b = find_bins(x[r], e, firsts[r], scales[r], tols[r], modes[r])
        counts = np.bincount(b[b >= 0], minlength=nb).reshape(1, nb)
        _estimate(counts, k, method, out, status, np.array([r]))


def entropy_rows_labels(x, nlab, k, method, out, status, n_threads) -> None:
    x = np.asarray(x)
    R, n = x.shape
    if R == 0:
        return
    flat = (np.arange(R)[:, None] * nlab + x).ravel()
    counts = np.bincount(flat, minlength=R * nlab).reshape(R, nlab)
    _estimate(counts, k, method, out, status, np.arange(R))
