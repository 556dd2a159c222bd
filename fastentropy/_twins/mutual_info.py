"""NumPy twin of ``_kernels/mutual_info``: same names, signatures and ``out`` arrays.

The fallback where the extension is not built, and the oracle the kernel tests compare with.
"""
from __future__ import annotations

import numpy as np

__all__ = ["count_pairs", "plugin_table_entropies", "expected_mutual_info"]

# Elements per vectorised chunk of (pair, k) terms in expected_mutual_info.
_CHUNK = 1 << 21


def count_pairs(x, y, x0, y0, out, n_threads=1):
    """Add the number of i with (x[i] - x0, y[i] - y0) == (r, c) to out[r, c]."""
    n_rows, n_cols = out.shape
    if x.shape[0] == 0 or n_rows * n_cols == 0:
        return
    flat = (np.asarray(x, dtype=np.int64) - x0) * n_cols + (np.asarray(y, dtype=np.int64) - y0)
    out += np.bincount(flat, minlength=n_rows * n_cols).reshape(n_rows, n_cols)


def plugin_table_entropies(tables, out, n_threads=1):
    """Plug-in H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y) in nats of each (R, C) table.

    Each quantity is summed from its own per-cell terms (see the kernel's docstring), not taken
    as a difference of entropies.
    """
    if tables.shape[0] == 0:
        return
    t = tables.astype(np.float64)
    total = t.sum(axis=(1, 2))
    a = t.sum(axis=2)
    b = t.sum(axis=1)
    logn = np.log(total)[:, None, None]
    p = t / total[:, None, None]
    nz = t > 0
    lv = np.log(np.where(nz, t, 1.0))
    la = np.log(np.where(a > 0, a, 1.0))[:, :, None]
    lb = np.log(np.where(b > 0, b, 1.0))[:, None, :]

    def cells(term):
        return np.where(nz, p * term, 0.0).sum(axis=(1, 2))

    pa = a / total[:, None]
    pb = b / total[:, None]
    out[:, 0] = (pa * (logn[:, :, 0] - la[:, :, 0])).sum(axis=1)
    out[:, 1] = (pb * (logn[:, 0, :] - lb[:, 0, :])).sum(axis=1)
    out[:, 2] = cells(logn - lv)
    with np.errstate(divide="ignore", invalid="ignore"):  # empty rows/columns: masked below
        ratio = (t * total[:, None, None]) / (a[:, :, None] * b[:, None, :])
    out[:, 3] = cells(np.log(np.where(nz, ratio, 1.0)))
    out[:, 4] = cells(la - lv)
    out[:, 5] = cells(lb - lv)


def _pair_emi(a, b, n):
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
        width = int(length[order[start]])
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


def expected_mutual_info(a_vals, a_mult, b_vals, b_mult, n, out, n_threads=1):
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
