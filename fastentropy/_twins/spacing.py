"""NumPy twin of ``fastentropy._kernels.spacing``: the fallback and the test oracle.

The same functions and signatures as the compiled kernel. Rows are sorted with ``np.sort``
(NaNs last), grouped by their count of non-NaN values, and each group is estimated with whole-array
NumPy expressions of the estimators' definitions (scipy.stats.differential_entropy's, as in
Noughabi 2015): Correa's local means and sums are formed over explicit windows of ``2m + 1``
clamped neighbours, measured from the window's centre value, in row chunks that bound the
temporary to about 2**22 values.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["spacing_rows", "sort_rows"]

_VASICEK, _VAN_ES, _EBRAHIMI, _CORREA, _AUTO = 0, 1, 2, 3, 4
_OK, _NAN, _SMALL = 0, 1, 2
_CHUNK = 1 << 22


def _clamped_spacing(s: np.ndarray, m: int) -> np.ndarray:
    """x[min(i+m, n-1)] - x[max(i-m, 0)] for every i of every row."""
    n = s.shape[1]
    i = np.arange(n)
    d: np.ndarray = s[:, np.minimum(i + m, n - 1)] - s[:, np.maximum(i - m, 0)]
    return d


def _vasicek(s: np.ndarray, m: int) -> np.ndarray:
    n = s.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        r: np.ndarray = np.mean(np.log((n / (2 * m)) * _clamped_spacing(s, m)), axis=1)
    return r


def _ebrahimi(s: np.ndarray, m: int) -> np.ndarray:
    n = s.shape[1]
    i = np.arange(1, n + 1, dtype=np.float64)
    ci = np.full(n, 2.0)
    ci = np.where(i <= m, 1.0 + (i - 1.0) / m, ci)
    ci = np.where(i >= n - m + 1, 1.0 + (n - i) / m, ci)
    with np.errstate(divide="ignore", invalid="ignore"):
        r: np.ndarray = np.mean(np.log((n * _clamped_spacing(s, m)) / (ci * m)), axis=1)
    return r


def _van_es(s: np.ndarray, m: int) -> np.ndarray:
    n = s.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.sum(np.log(((n + 1) / m) * (s[:, m:] - s[:, :-m])), axis=1) / (n - m)
    k = np.arange(m, n + 1, dtype=np.float64)
    r: np.ndarray = term + (np.sum(1.0 / k) + math.log(m) - math.log(n + 1))
    return r


def _correa(s: np.ndarray, m: int) -> np.ndarray:
    rows, n = s.shape
    res = np.empty(rows)
    offsets = np.arange(-m, m + 1)
    idx = np.clip(np.arange(n)[None, :] + offsets[:, None], 0, n - 1)  # (2m+1, n)
    weights = offsets.astype(np.float64)[:, None]
    step = max(1, _CHUNK // max(1, n * (2 * m + 1)))
    for r0 in range(0, rows, step):
        block = s[r0:r0 + step]
        win = block[:, idx]  # (chunk, 2m+1, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            # about the window's centre (its median, the rows being sorted): the weighted sum
            # is then a sum of non-negative terms and the deviations lose nothing to an offset
            y = win - win[:, m:m + 1, :]
            num = np.sum(y * weights, axis=1)
            dev = y - np.mean(y, axis=1, keepdims=True)
            den = n * np.sum(dev * dev, axis=1)
            res[r0:r0 + step] = -np.mean(np.log(num / den), axis=1)
    return res


def _estimate(s: np.ndarray, m: int, method: int) -> np.ndarray:
    n = s.shape[1]
    if method == _AUTO:
        method = _VAN_ES if n <= 10 else (_EBRAHIMI if n <= 1000 else _VASICEK)
    if method == _VASICEK:
        return _vasicek(s, m)
    if method == _VAN_ES:
        return _van_es(s, m)
    if method == _EBRAHIMI:
        return _ebrahimi(s, m)
    return _correa(s, m)


def spacing_rows(
    x: np.ndarray,
    out: np.ndarray,
    status: np.ndarray,
    method: int,
    window: int,
    omit: int,
    presorted: int,
    n_threads: int,
) -> None:
    """Estimate every row of ``x`` into ``out`` (status codes into ``status``); see the kernel."""
    rows, ncols = x.shape
    if out.shape[0] != rows or status.shape[0] != rows:
        raise ValueError("out and status must have one entry per row of x")
    if rows == 0:
        return
    s = np.sort(np.asarray(x, dtype=np.float64), axis=1)  # NaNs last, also when presorted
    counts = ncols - np.count_nonzero(np.isnan(s), axis=1)
    for c in np.unique(counts):
        sel = np.flatnonzero(counts == c)
        c = int(c)
        if c < ncols and not omit:
            out[sel] = np.nan
            status[sel] = _NAN
            continue
        m = window if window else math.floor(math.sqrt(c) + 0.5)
        if not 2 <= 2 * m < c:
            out[sel] = np.nan
            status[sel] = _SMALL
            continue
        out[sel] = _estimate(s[sel, :c], m, method)
        status[sel] = _OK
    del presorted, n_threads  # the twin sorts every row itself and runs on one thread


def sort_rows(x: np.ndarray, n_threads: int) -> None:
    """Sort every row of ``x`` in place (numpy's sort)."""
    del n_threads
    x.sort(axis=1)
