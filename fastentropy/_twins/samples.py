"""NumPy twin of ``_kernels/samples``: bin each row as numpy.histogram does, count, estimate.

Unlike the kernel it builds the (rows, bins) count matrix and, for the bin-count rules, the
temporaries numpy's own rules build; the estimates come from the estimators twin. Status codes
are the kernel's (0 ok, 1 range not finite, 2 too many bins, 3 no sample in range, 4 k below the
support, 6 the rule asks for more than NB_CAP bins: numpy's job). A NaN ``k`` is the row's
number of bins.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import estimators as _est
from .histogram import BIN_NUMPY, BIN_UNIFORM, find_bins, hist_rows

ST_OK, ST_RANGE, ST_BINS, ST_EMPTY, ST_K, ST_NOMEM, ST_FALLBACK = 0, 1, 2, 3, 4, 5, 6
NB_CAP = 1 << 22
RULES = ("sqrt", "sturges", "rice", "scott", "fd", "auto", "doane")  # by kernel code
FloatArray = np.ndarray


def linspace_rows(lo: np.ndarray, hi: np.ndarray, nb: Any) -> np.ndarray:
    """``numpy.linspace(lo[r], hi[r], nb + 1)`` for every row, bit for bit (float64)."""
    delta = hi - lo
    step = delta / nb
    i = np.arange(nb + 1, dtype=np.float64)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        e: np.ndarray = i * step[:, None] + lo[:, None]
        tiny = step == 0
        if tiny.any():  # numpy's branch for a step that underflows
            e[tiny] = (i / nb) * delta[tiny, None] + lo[tiny, None]
    e[:, -1] = hi
    return e


def _estimate(counts: np.ndarray, k: np.ndarray, method: int, out: FloatArray,
              status: np.ndarray, rows: Any) -> None:
    """Estimate ``counts`` (one row per entry of ``rows``) into ``out[rows]``, with statuses."""
    total = counts.sum(axis=1)
    support = np.count_nonzero(counts, axis=1)
    kk = np.asarray(k, dtype=np.float64)[rows]
    kk = np.where(np.isnan(kk), float(counts.shape[1]), kk)
    st = np.where(total == 0, ST_EMPTY, np.where(support > kk, ST_K, ST_OK)).astype(np.int8)
    status[rows] = st
    out[rows] = np.nan
    ok = st == ST_OK
    if ok.any():
        res = np.empty(int(ok.sum()))
        _est.entropy_counts_rows(np.ascontiguousarray(counts[ok]), kk[ok], method, res, None, 1)
        out[np.asarray(rows)[ok]] = res


def entropy_rows_uniform(x: Any, nb: int, lo: float, hi: float, auto: bool, k: np.ndarray,
                         method: int, out: FloatArray, status: np.ndarray,
                         n_threads: int) -> None:
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
        with np.errstate(over="ignore", invalid="ignore"):
            bad |= ~np.isfinite(hi_r - lo_r)
        status[bad] = ST_RANGE
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


def entropy_rows_edges(x: Any, edges: np.ndarray, offsets: np.ndarray, firsts: np.ndarray,
                       scales: np.ndarray, tols: np.ndarray, modes: np.ndarray, k: np.ndarray,
                       method: int, out: FloatArray, status: np.ndarray, n_threads: int) -> None:
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


def entropy_rows_labels(x: Any, nlab: int, k: np.ndarray, method: int, out: FloatArray,
                        status: np.ndarray, n_threads: int) -> None:
    x = np.asarray(x)
    R, n = x.shape
    if R == 0:
        return
    flat = (np.arange(R)[:, None] * nlab + x.astype(np.int64)).ravel()
    counts = np.bincount(flat, minlength=R * nlab).reshape(R, nlab)
    _estimate(counts, k, method, out, status, np.arange(R))


def _rule_widths(rows: np.ndarray, rule: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """numpy's bin width for ``rule`` on every float64 row (no range), vectorised with numpy's
    own calls along axis 1 (which numpy computes row by row exactly as for one row)."""
    n = rows.shape[1]
    ptp = hi - lo

    def sqrt_bw() -> np.ndarray:
        return np.asarray(ptp / np.sqrt(n))

    def sturges_bw() -> np.ndarray:
        return np.asarray(ptp / (np.log2(n) + 1.0))

    def fd_bw() -> np.ndarray:
        q75, q25 = np.percentile(rows, [75, 25], axis=1)
        return np.asarray(2.0 * np.subtract(q75, q25) * n ** (-1.0 / 3.0))

    if rule == "sqrt":
        return sqrt_bw()
    if rule == "sturges":
        return sturges_bw()
    if rule == "rice":
        return np.asarray(ptp / (2.0 * n ** (1.0 / 3)))
    with np.errstate(over="ignore", invalid="ignore"):
        if rule == "scott":
            return np.asarray((24.0 * np.pi**0.5 / n) ** (1.0 / 3.0) * np.std(rows, axis=1))
        if rule == "fd":
            return fd_bw()
        if rule == "auto":
            fd, st, sq = fd_bw(), sturges_bw(), sqrt_bw()
            # numpy uses Python's max/min: the first argument wins ties
            fdc = np.where(sq / 2 > fd, sq / 2, fd)
            return np.where(st < fdc, st, fdc)
        if rule == "doane":
            if n <= 2:
                return np.zeros(rows.shape[0])
            sg1 = np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
            sigma = np.std(rows, axis=1)
            with np.errstate(divide="ignore"):
                temp = rows - np.mean(rows, axis=1, keepdims=True)
                np.true_divide(temp, sigma[:, None], temp)
                np.power(temp, 3, temp)
                g1 = np.mean(temp, axis=1)
                w = ptp / (1.0 + np.log2(n) + np.log2(1.0 + np.absolute(g1) / sg1))
            return np.where(sigma > 0.0, w, 0.0)
    raise AssertionError(rule)  # pragma: no cover - the facade validated the name


def entropy_rows_rule(x: Any, rule: int, cst: np.ndarray, k: np.ndarray, method: int,
                      out: FloatArray, status: np.ndarray, nbins: np.ndarray,
                      n_threads: int) -> None:
    """numpy.histogram(row, bins=RULES[rule]) counts of every row, then the estimate."""
    x = np.asarray(x)
    R, n = x.shape
    if R == 0 or n == 0:
        return
    out[:] = np.nan
    status[:] = ST_OK
    nbins[:] = 0
    lo = x.min(axis=1)
    hi = x.max(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~(np.isfinite(lo) & np.isfinite(hi) & np.isfinite(hi - lo))
    status[bad] = ST_RANGE
    good = np.flatnonzero(~bad)
    if good.size == 0:
        return
    xg = x[good]
    width = _rule_widths(xg, RULES[rule], lo[good], hi[good])
    same = lo[good] == hi[good]
    first = np.where(same, lo[good] - 0.5, lo[good])
    last = np.where(same, hi[good] + 0.5, hi[good])
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        q = (last - first) / width
    nz = width != 0  # numpy: `if width:`
    huge = nz & ~(q <= NB_CAP)
    nb = np.where(nz & ~huge, np.ceil(np.where(huge, 1.0, q)), 1.0).astype(np.int64)
    huge |= nb < 1  # numpy's 0 bins (an overflowing width)
    status[good[huge]] = ST_FALLBACK
    nbins[good[~huge]] = nb[~huge]
    for i in np.flatnonzero(~huge).tolist():
        r = int(good[i])
        e = linspace_rows(first[i:i + 1], last[i:i + 1], int(nb[i]))
        if not np.all(e[0, 1:] > e[0, :-1]):
            status[r] = ST_BINS
            continue
        counts = np.histogram(xg[i], bins=int(nb[i]), range=(first[i], last[i]))[0]
        _estimate(counts.astype(np.int64)[None, :], k, method, out, status, np.array([r]))
