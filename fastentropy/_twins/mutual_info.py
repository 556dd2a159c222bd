"""NumPy twin of ``_kernels/mutual_info``: same names, signatures and ``out`` arrays.

The fallback where the extension is not built, and the oracle the kernel tests compare with.
It follows the kernel's formulas (exact integer marginals and cross products, the same choice
of log ratio, series and sum form per cell), with vectorised compensated sums in place of the
kernel's sequential ones, and temporaries of a bounded block of cells.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "count_pairs",
    "plugin_table_entropies",
    "plugin_cell_entropies",
    "expected_mutual_info",
]

# Elements per vectorised chunk of (pair, k) terms in expected_mutual_info.
_CHUNK = 1 << 16
# Labels per block of count_pairs, and table cells per block of the plug-in twins: the
# temporaries stay at a few MB whatever the input's size.
_LABEL_BLOCK = 1 << 16
_BLOCK = 1 << 14

# Bits of ``want`` and status codes, as in the kernel.
WANT_HXY, WANT_MI, WANT_HYX, WANT_HXGY, WANT_HX, WANT_HY = 1, 2, 4, 8, 16, 32
ST_OK, ST_ZERO_TOTAL, ST_OVERFLOW, ST_NO_MEMORY = 0, 1, 2, 3

_INT64_LIMIT = (1 << 63) - 1
# Totals up to this value keep every product of two counts below 2**63 (exact in int64).
_SMALL_TOTAL = 3037000499
# 1 / (2k + 3), k = 0..15: the series of (u - log1p(u)) in s = u / (2 + u); see the kernel.
_PHI_COEFFS = tuple(1.0 / (2 * k + 3) for k in range(16))


def count_pairs(
    x: np.ndarray, y: np.ndarray, x0: int, y0: int, out: np.ndarray, n_threads: int = 1
) -> None:
    """Add the number of i with (x[i] - x0, y[i] - y0) == (r, c) to out[r, c].

    ``x`` and ``y`` are unsigned label arrays; the offsets are subtracted modulo 2**width, as
    in the kernel. Labels are taken in blocks of _LABEL_BLOCK, so temporaries stay small.
    """
    n_rows, n_cols = out.shape
    n = x.shape[0]
    if n == 0 or n_rows * n_cols == 0:
        return
    flat_out = out.reshape(-1)
    for i in range(0, n, _LABEL_BLOCK):
        flat = (_codes(x[i:i + _LABEL_BLOCK], x0) * n_cols
                + _codes(y[i:i + _LABEL_BLOCK], y0))
        flat_out += np.bincount(flat, minlength=n_rows * n_cols)


def _codes(v: np.ndarray, v0: int) -> np.ndarray:
    """(v - v0) modulo 2**width, as int64: the code of an unsigned view of a label array."""
    bits = 8 * v.dtype.itemsize
    off = v.dtype.type(int(v0) % (1 << bits))
    return np.asarray(v - off).astype(np.int64)


def _log_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """log(num / den) for integer arrays 1 <= den <= num, chosen as the kernel chooses."""
    lnum = np.log(num.astype(np.float64))
    lden = np.log(den.astype(np.float64))
    dl = lnum - lden
    near = 4.0 * dl < lnum
    if near.any():
        excess = (num - den).astype(np.float64) / den.astype(np.float64)
        dl = np.where(near, np.log1p(np.where(near, excess, 0.0)), dl)
    return dl


def _exact_sum(x: np.ndarray, axis: Any) -> np.ndarray:
    """Sums of non-negative integers, exact: uint64 where they surely fit (the float64 sum is
    below 2**62), Python ints (object) otherwise."""
    approx = x.sum(axis=axis, dtype=np.float64)
    if not (np.asarray(approx) >= 2.0**62).any():
        return np.asarray(x.sum(axis=axis, dtype=np.uint64))
    return np.asarray(x.astype(object).sum(axis=axis))


def _cross_diff(a: np.ndarray, b: np.ndarray, v: np.ndarray, n: np.ndarray,
                small: bool) -> np.ndarray:
    """a b - v n, exact (int64 when every total is small, Python ints otherwise), as float."""
    if small:
        return (a.astype(np.int64) * b.astype(np.int64)
                - v.astype(np.int64) * n.astype(np.int64)).astype(np.float64)
    ao, bo, vo, no = (np.asarray(t).astype(object) for t in (a, b, v, n))
    return np.asarray(ao * bo - vo * no).astype(np.float64)


def _mi_terms(v: np.ndarray, a: np.ndarray, b: np.ndarray, n: np.ndarray,
              small: bool) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's (direct, non-negative) terms of N I for cells with v > 0 (see _mi_terms)."""
    d = _cross_diff(a, b, v, n, small)
    vf = v.astype(np.float64)
    vn = vf * n.astype(np.float64)
    ab = a.astype(np.float64) * b.astype(np.float64)
    u = d / vn
    series = (u >= -0.5) & (u <= 1.0)
    us = np.where(series, u, 0.0)
    s = np.where(series, d, 0.0) / (2.0 * vn + np.where(series, d, 0.0))  # u / (2 + u)
    z = s * s
    poly = np.full_like(z, _PHI_COEFFS[-1])
    for coef in _PHI_COEFFS[-2::-1]:
        poly = coef + z * poly
    phi_series = us * s - 2.0 * s * z * poly
    lr_far = np.where(u < 0.0, -np.log(vn / ab), np.log(ab / vn))
    lr = np.where(series, us - phi_series, lr_far)
    phi = np.where(series, phi_series, u - lr_far)
    return -vf * lr, vf * phi


def _choose_mi(direct: np.ndarray, mi_abs: np.ndarray, nonneg: np.ndarray) -> np.ndarray:
    # the direct sum while its terms cancel by at most a factor 2, as in the kernel
    return np.where(mi_abs <= 2.0 * np.abs(direct), direct, nonneg)


# Partial sums of a block of cells, in units of count * nats: N H(X,Y), N H(Y|X), N H(X|Y),
# the direct N I, the sum of its absolute terms, and the non-negative N I.
_P_HXY, _P_HYX, _P_HXGY, _P_MI, _P_ABS, _P_POS = range(6)


def _block_sums(v: np.ndarray, a: np.ndarray, b: np.ndarray, n: np.ndarray, small: bool,
                want: int) -> np.ndarray:
    """(6, T) partial sums over a (T, r, C) block of cells ``v`` with row sums ``a`` (T, r),
    column sums ``b`` (T, C) and totals ``n`` (T,), all uint64."""
    t = v.shape[0]
    sums = np.zeros((6, t))
    if not want or v.size == 0:
        return sums
    n3 = np.broadcast_to(n[:, None, None], v.shape)
    a3 = np.broadcast_to(a[:, :, None], v.shape)
    b3 = np.broadcast_to(b[:, None, :], v.shape)
    nz = v > 0
    one = np.uint64(1)
    v1 = np.where(nz, v, one)
    vf = np.where(nz, v1.astype(np.float64), 0.0)

    def total(x: np.ndarray) -> np.ndarray:
        return _fsum_rows(x.reshape(t, -1))

    if want & WANT_HXY:
        sums[_P_HXY] = total(vf * _log_ratio(n3, v1))
    if want & WANT_HYX:
        sums[_P_HYX] = total(vf * _log_ratio(np.maximum(a3, one), v1))
    if want & WANT_HXGY:
        sums[_P_HXGY] = total(vf * _log_ratio(np.maximum(b3, one), v1))
    if want & WANT_MI:
        direct, nonneg = _mi_terms(v1, np.maximum(a3, one), np.maximum(b3, one), n3, small)
        direct = np.where(nz, direct, 0.0)
        # empty cells contribute their expected count e = a b / N to the non-negative form
        e = a3.astype(np.float64) * b3.astype(np.float64) / n3.astype(np.float64)
        sums[_P_MI] = total(direct)
        sums[_P_ABS] = total(np.abs(direct))
        sums[_P_POS] = total(np.where(nz, nonneg, e))
    return sums


def _results(hx: np.ndarray, hy: np.ndarray, sums: np.ndarray, n: np.ndarray,
             want: int) -> np.ndarray:
    """(T, 6) output rows from N H(X), N H(Y), the (6, T) cell sums and the totals."""
    nf = n.astype(np.float64)
    res = np.full((nf.shape[0], 6), np.nan)
    if want & WANT_HX:
        res[:, 0] = hx / nf
    if want & WANT_HY:
        res[:, 1] = hy / nf
    if want & WANT_HXY:
        res[:, 2] = sums[_P_HXY] / nf
    if want & WANT_MI:
        res[:, 3] = _choose_mi(sums[_P_MI], sums[_P_ABS], sums[_P_POS]) / nf
    if want & WANT_HYX:
        res[:, 4] = sums[_P_HYX] / nf
    if want & WANT_HXGY:
        res[:, 5] = sums[_P_HXGY] / nf
    return res


def plugin_table_entropies(
    tables: np.ndarray, want: int, out: np.ndarray, status: np.ndarray, n_threads: int = 1
) -> None:
    """Plug-in H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y) in nats of each (R, C) table.

    Same inputs, ``want`` bits, outputs and status codes as the kernel; see its docstring.
    Tables are taken a few at a time, and a large table a block of rows at a time, so the
    temporaries stay near _BLOCK cells.
    """
    n_tab, n_rows, n_cols = tables.shape
    per_block = max(1, _BLOCK // max(1, n_rows * n_cols))
    rows_per_block = max(1, _BLOCK // n_cols)
    for t0 in range(0, n_tab, per_block):
        chunk = tables[t0:t0 + per_block]
        totals = _exact_sum(chunk, (1, 2))
        tot = totals.tolist()
        over = np.array([int(v) > _INT64_LIMIT for v in tot], dtype=bool)
        zero = np.array([int(v) == 0 for v in tot], dtype=bool)
        status[t0:t0 + chunk.shape[0]] = np.where(
            over, ST_OVERFLOW, np.where(zero, ST_ZERO_TOTAL, ST_OK))
        ok = np.flatnonzero(~(over | zero))
        if ok.size == 0:
            continue
        part = chunk[ok] if ok.size < chunk.shape[0] else chunk
        n = np.array([int(tot[i]) for i in ok.tolist()], dtype=np.uint64)
        small = bool(int(n.max()) <= _SMALL_TOTAL)
        a = part.sum(axis=2, dtype=np.uint64)  # exact: every total is below 2**63
        b = part.sum(axis=1, dtype=np.uint64)
        hx, hy = _marginal_sum(a, n), _marginal_sum(b, n)
        if n_rows <= rows_per_block:
            sums = _block_sums(np.asarray(part, dtype=np.uint64), a, b, n, small, want)
        else:  # one large table: blocks of rows, the partial sums added exactly
            blocks = [
                _block_sums(np.asarray(part[:, r0:r0 + rows_per_block], dtype=np.uint64),
                            a[:, r0:r0 + rows_per_block], b, n, small, want)
                for r0 in range(0, n_rows, rows_per_block)
            ]
            sums = np.array([[math.fsum(blk[q, 0] for blk in blocks)] for q in range(6)])
        out[t0 + ok] = _results(hx, hy, sums, n, want)


def _fsum_rows(x: np.ndarray) -> np.ndarray:
    """Compensated sum of each row of a 2-D array, vectorised where the kernel compensates
    sequentially: pairwise sums whose rounding errors are recovered exactly at every level
    (TwoSum) and added at the end, so the result is within ~1 ulp of the exact sum."""
    s = np.asarray(x, dtype=np.float64)
    err = np.zeros(s.shape[0])
    while s.shape[1] > 1:
        if s.shape[1] % 2:
            s = np.concatenate([s, np.zeros((s.shape[0], 1))], axis=1)
        a, b = s[:, 0::2], s[:, 1::2]
        t = a + b
        z = t - a
        err += ((a - (t - z)) + (b - z)).sum(axis=1)
        s = t
    return np.asarray(s[:, 0] + err if s.shape[1] else err)


def _marginal_sum(m: np.ndarray, n: np.ndarray) -> np.ndarray:
    """N H of each row of marginals ``m`` (T, K) with totals ``n`` (T,): sum m log(N / m)."""
    pos = m > 0
    m1 = np.where(pos, m, np.uint64(1))
    n2 = np.broadcast_to(n[:, None], m.shape)
    terms = np.where(pos, m1.astype(np.float64) * _log_ratio(n2, m1), 0.0)
    return _fsum_rows(terms)


def plugin_cell_entropies(
    counts: np.ndarray, rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int,
    want: int, out: np.ndarray,
) -> int:
    """The quantities of plugin_table_entropies for one table given by its non-zero cells.

    Returns the kernel's status code (0 ok, 1 no cells, 2 total above 2**63 - 1).
    """
    m = counts.shape[0]
    if m == 0:
        return ST_ZERO_TOTAL
    total = int(_exact_sum(counts, 0))
    if total > _INT64_LIMIT:
        return ST_OVERFLOW
    v = counts.astype(np.uint64)
    a = np.zeros(int(n_rows), np.uint64)
    b = np.zeros(int(n_cols), np.uint64)
    np.add.at(a, rows, v)
    np.add.at(b, cols, v)
    n = np.array([total], dtype=np.uint64)
    ai, bj = a[rows], b[cols]
    nn = np.full(m, total, dtype=np.uint64)
    vf = v.astype(np.float64)
    sums = np.zeros((6, 1))
    if want & WANT_HXY:
        sums[_P_HXY] = _fsum_rows((vf * _log_ratio(nn, v))[None, :])
    if want & WANT_HYX:
        sums[_P_HYX] = _fsum_rows((vf * _log_ratio(ai, v))[None, :])
    if want & WANT_HXGY:
        sums[_P_HXGY] = _fsum_rows((vf * _log_ratio(bj, v))[None, :])
    if want & WANT_MI:
        direct, nonneg = _mi_terms(v, ai, bj, nn, total <= _SMALL_TOTAL)
        # empty cells of row r: a_r (N - sum of b over the row's cells) / N
        row_b = np.zeros(int(n_rows), np.uint64)
        np.add.at(row_b, rows, bj)
        empty = a.astype(np.float64) * (np.uint64(total) - row_b).astype(np.float64) / total
        sums[_P_MI] = _fsum_rows(direct[None, :])
        sums[_P_ABS] = float(np.abs(direct).sum())
        sums[_P_POS] = _fsum_rows(np.concatenate([nonneg, np.where(a > 0, empty, 0.0)])[None, :])
    out[:] = _results(_marginal_sum(a[None, :], n), _marginal_sum(b[None, :], n), sums, n,
                      want)[0]
    return ST_OK


def _pair_emi(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """sum_k P(k) k log(N k / (a b)) for arrays of marginal pairs (a, b); hypergeometric P.

    Unlike the kernel's mode-outward walk, this sums a fixed window around the mode: by
    Hoeffding's inequality for sampling without replacement, P(|k - ab/N| >= t) <=
    2 exp(-2 t^2 / min(a, b)), so t = sqrt(23 min(a, b)) leaves less than 1e-19 of the mass
    outside, and the window is clipped to the support (small cases get the full sum). Like the
    kernel it normalises the weights by their own sum, built from cumulative log-ratios
    log P(k+1)/P(k), so the huge log-factorials never appear.
    """
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    nf = float(n)
    lo_s = np.maximum(0.0, a + b - nf)
    hi_s = np.minimum(a, b)
    mode = np.clip(np.floor((a + 1.0) * (b + 1.0) / (nf + 2.0)), lo_s, hi_s)
    half = np.ceil(np.sqrt(23.0 * hi_s)) + 2.0
    lo = np.maximum(lo_s, mode - half)
    hi = np.minimum(hi_s, mode + half)
    length = (hi - lo + 1).astype(np.int64)
    res = np.empty(a.shape[0])
    order = np.argsort(length, kind="stable")
    start = 0
    while start < order.size:
        # grow the chunk while the widest member keeps it under _CHUNK elements
        stop = start + 1
        while stop < order.size and (stop - start + 1) * int(length[order[stop]]) <= _CHUNK:
            stop += 1
        idx = order[start:stop]
        width = int(length[idx[-1]])
        ai, bi, loi, hii = a[idx, None], b[idx, None], lo[idx, None], hi[idx, None]
        k = loi + np.arange(width, dtype=np.float64)[None, :]
        valid = k <= hii
        kk = np.where(valid, k, loi)
        # log P(k+1)/P(k), for the step leaving k; the last valid step is never used
        with np.errstate(divide="ignore", invalid="ignore"):
            step = (
                np.log(ai - kk) + np.log(bi - kk)
                - np.log(kk + 1.0) - np.log(nf - ai - bi + kk + 1.0)
            )
        step = np.where(valid, step, 0.0)
        logw = np.zeros_like(k)
        logw[:, 1:] = np.cumsum(step[:, :-1], axis=1)
        logw = np.where(valid, logw, -np.inf)
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        with np.errstate(divide="ignore"):
            logk = np.log(np.where(kk > 0, kk, 1.0))
            f = np.where(kk > 0, kk * (logk + np.log(nf) - np.log(ai) - np.log(bi)), 0.0)
        res[idx] = (w * f).sum(axis=1) / w.sum(axis=1)
        start = stop
    return res


def expected_mutual_info(
    a_vals: np.ndarray, a_mult: np.ndarray, b_vals: np.ndarray, b_mult: np.ndarray, n: int,
    out: np.ndarray, n_threads: int = 1,
) -> None:
    """Per-row-group parts of the expected MI (nats): out[u] = a_mult[u] sum_v b_mult[v] E_uv."""
    n_a, n_b = a_vals.shape[0], b_vals.shape[0]
    if n_a == 0:
        return
    if n_b == 0:
        out[:] = 0.0
        return
    aa = np.repeat(np.asarray(a_vals, dtype=np.int64), n_b)
    bb = np.tile(np.asarray(b_vals, dtype=np.int64), n_a)
    e = _pair_emi(aa, bb, int(n)).reshape(n_a, n_b)
    rows = e @ np.asarray(b_mult, dtype=np.float64)
    out[:] = np.asarray(a_mult, dtype=np.float64) * rows / float(n)
