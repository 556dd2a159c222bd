"""NumPy twin of ``_kernels/divergence``: same functions, same signatures, same conventions.

Each row of a (rows, n) array is normalised by its sum (given); two-vector functions take ``p``
with ``rp`` rows and ``q`` with ``rq`` rows, each 1 (broadcast) or the output row count.
``n_threads`` is accepted and ignored.

The divergence rows follow the kernel's algorithm step for step (see the comment above
``fe_div_row`` in ``_kernels/_fastlog.pxd``): the same scaling, the same exact difference
``d = p - q`` from the exact cross products (Dekker's error-free product where the kernel uses
an FMA: both are exact), the same branch rules and series; only the logarithm is NumPy's where
the kernel uses its own, and the compensated row sum of the total variation is formed in
another (equally exact) order.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import special

CROSS, JS, TV, BC, CHI2, RENYI, RENYI0, RENYIINF, RENYIDIRECT, HELL2, RENYILSE = range(11)
N_MEASURES = 11  # codes of pair_rows
_KL = 11  # the kernel's FE_DIV_KL (kl_rows)
RENYI_SERIES_MAX = 1e15  # orders beyond: no series (its c_k would overflow)
RENYI_TERMS = 16

_SPLIT = 134217729.0  # 2^27 + 1, Veltkamp's splitter
_WSCALE = 2.0**64  # working scale of p, q and d (see the kernel)
_WUNSCALE = 2.0**-64
_DBL_MIN = 2.2250738585072014e-308
_SQRT2 = 1.4142135623730951
_LN2_HI = 0.6931471804855391  # log 2 = _LN2_HI + _LN2_LO, _LN2_HI with 33 significant bits
_LN2_LO = 7.440617110012397e-11
_S_SMALL = 0.1715728752538097  # 3 - 2 sqrt 2
_ATANH_R = tuple(1.0 / (2 * k + 1) for k in range(1, 11))  # atanh(s)/s - 1 = z * sum
_JS_G = tuple(1.0 / (k * (2 * k - 1)) for k in range(1, 11))

Array = np.ndarray


def log_array(x: Array, out: Array, n_threads: int) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(x, out=out)


def log_ratio_array(p: Array, q: Array, out: Array, n_threads: int) -> None:
    """log(p/q) without forming p/q (which may overflow); NaN where p or q is outside
    [2^-1000, 2^1000] (the kernel's domain)."""
    lo, hi = 2.0**-1000, 2.0**1000
    ok = (p >= lo) & (q >= lo) & (p <= hi) & (q <= hi)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        mp, ep = np.frexp(p)
        mq, eq = np.frexp(q)
        far = (ep - eq) * math.log(2.0) + np.log(mp / mq)
        near = np.log1p((p - q) / q)  # p - q exact (Sterbenz) where p/q is in [1/2, 2]
        r = np.where((0.5 * q <= p) & (p <= 2.0 * q), near, far)
    out[:] = np.where(ok, r, np.nan)


def row_stats(x: Array, sums: Array, mins: Array, n_threads: int) -> None:
    if x.shape[1] == 0:
        sums[:] = 0.0
        mins[:] = np.inf
        return
    with np.errstate(over="ignore"):  # an overflowing sum is reported as inf, as in the kernel
        sums[:] = x.sum(axis=1)
    # NaN entries are ignored by the minimum, as in the kernel
    mins[:] = np.fmin.reduce(x, axis=1)
    mins[np.isnan(mins)] = np.inf


def _normalised(x: Array, sums: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        res: Array = x / sums[:, None]
    return res


def entropy_rows(x: Array, sums: Array, out: Array, n_threads: int) -> None:
    if x.shape[1] == 0:
        out[:] = 0.0
        return
    out[:] = special.entr(_normalised(x, sums)).sum(axis=1)


def entropy_stats_rows(x: Array, sums: Array, mins: Array, out: Array, n_threads: int) -> None:
    row_stats(x, sums, mins, n_threads)
    entropy_rows(x, sums, out, n_threads)


def entropy_cols(x: Array, sums: Array, mins: Array, out: Array, n_threads: int) -> None:
    if x.shape[0] == 0:
        sums[:] = 0.0
        mins[:] = np.inf
        out[:] = 0.0
        return
    with np.errstate(over="ignore"):
        sums[:] = x.sum(axis=0)
    mins[:] = np.fmin.reduce(x, axis=0)
    mins[np.isnan(mins)] = np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:] = special.entr(x / sums).sum(axis=0)


# ----------------------------------------------------------------------------------------------
# the exact difference of two normalised rows
# ----------------------------------------------------------------------------------------------
def _split(x: Array) -> tuple[Array, Array]:
    """Veltkamp's split: x = hi + lo exactly, each with at most 26 significant bits."""
    c = _SPLIT * x
    hi = c - (c - x)
    return hi, x - hi


def _mul_err(x: Array, y: Array, w: Array) -> Array:
    """w - x*y exactly for w = fl(x*y) (Dekker's product; the kernel's FMA gives the same)."""
    xh, xl = _split(x)
    yh, yl = _split(y)
    res: Array = -((((xh * yh - w) + xh * yl) + xl * yh) + xl * yl)
    return res


class _Rows:
    """Per-row scale ``sc`` (a power of two putting ``h = S*sc`` in [1, 4)), ``invs = 2^64/h``
    and the rows ``x = a*sc`` (exact) and ``p = x * invs`` (rounded) in the working scale."""

    def __init__(self, a: Array, sums: Array) -> None:
        s = np.asarray(sums, dtype=np.float64)
        biased = ((s.view(np.uint64) >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
        k = np.clip(1023 - biased, -1022, 1022)
        self.sc = ((k + 1023).astype(np.uint64) << np.uint64(52)).view(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            self.h = s * self.sc
            self.invs = _WSCALE / self.h
            self.x = a * self.sc[:, None]
            self.p = self.x * self.invs[:, None]


def _pqd(
    p: Array, p_sums: Array, q: Array, q_sums: Array, delta: tuple[Array, Array] | None = None
) -> tuple[_Rows, _Rows, Array]:
    """The rows and d = 2^64 (x h_b - y h_a)/(h_a h_b) from the exact cross products (Kahan:
    w = fl(y h_a), fl(x h_b - w) + (w - y h_a)). Without an FMA, fl(x h_b - w) is formed as
    (P - w) - (P - x h_b), P = fl(x h_b): the same wherever P - w is exact (close rows).
    ``delta``: the scale errors of the row sums, removed as d - (p delta_a - q delta_b)."""
    A = _Rows(p, p_sums)
    B = _Rows(q, q_sums)
    da, db = (np.zeros(1), np.zeros(1)) if delta is None else delta
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ha = A.h[:, None]
        hb = B.h[:, None]
        w = B.x * ha
        e = _mul_err(B.x, ha, w)
        P = A.x * hb
        f = (P - w) - _mul_err(A.x, hb, P)
        d1 = (f + e) * ((A.invs[:, None] * B.invs[:, None]) * _WUNSCALE)
        dda = da[:, None]
        dd = dda - db[:, None]
        c1 = np.where(dda != 0.0, d1 * dda, 0.0)
        c2 = np.where(dd != 0.0, B.p * dd, 0.0)
        d = d1 - (c1 + c2)
    return A, B, d


def _poly10(z: Array, c: tuple[float, ...]) -> Array:
    """c0 + c1 z + ... + c9 z^9 in the kernel's (Estrin) order."""
    z2 = z * z
    z4 = z2 * z2
    z8 = z4 * z4
    e0 = c[0] + c[1] * z
    e1 = c[2] + c[3] * z
    e2 = c[4] + c[5] * z
    e3 = c[6] + c[7] * z
    e4 = c[8] + c[9] * z
    f0 = e0 + e1 * z2
    f1 = e2 + e3 * z2
    res: Array = (f0 + f1 * z4) + e4 * z8
    return res


def _kl_terms(p: Array, q: Array, d: Array) -> Array:
    """p log(p/q) - p + q: s (d + 2 p R) where p/q = 2^k m has k = 0, else p log(p/q) - d."""
    mant = np.uint64(0x000FFFFFFFFFFFFF)
    one = np.uint64(0x3FF0000000000000)
    ip = p.view(np.uint64)
    iq = q.view(np.uint64)
    mp = ((ip & mant) | one).view(np.float64)
    mq = ((iq & mant) | one).view(np.float64)
    j = np.where(mp >= _SQRT2 * mq, 1, np.where(mq > _SQRT2 * mp, -1, 0))
    k = (ip >> np.uint64(52)).astype(np.int64) - (iq >> np.uint64(52)).astype(np.int64) + j
    sg = p + q
    s = d / sg
    small = s * (d + 2.0 * p * (s * s * _poly10(s * s, _ATANH_R)))
    # log(p/q) = k log 2 + log(p / (2^k q)), the kernel's reduction (p/q itself may overflow)
    kf = k.astype(np.float64)
    big = (p * (kf * _LN2_HI + kf * _LN2_LO) - d) + p * np.log(p / np.ldexp(q, k))
    t = np.where(k == 0, small, big)
    ok = (p >= _DBL_MIN) & (q >= _DBL_MIN)
    spec = np.where(p >= _DBL_MIN, np.inf, q)
    spec = np.where(np.isnan(sg), np.nan, spec)
    res: Array = np.where(ok, t, spec)
    return res


def _js_terms(p: Array, q: Array, d: Array) -> Array:
    """(p log(2p/(p+q)) + q log(2q/(p+q)))/2: (p+q)/4 s^2 G(s^2), s = (p-q)/(p+q), where
    |p - q| <= (3 - 2 sqrt 2)(p + q)."""
    sg = p + q
    s = d / sg
    z = s * s
    small = 0.25 * sg * z * _poly10(z, _JS_G)
    inv = 1.0 / sg
    tp = np.where(p > 0.0, p * np.log(2.0 * p * inv), 0.0)
    tq = np.where(q > 0.0, q * np.log(2.0 * q * inv), 0.0)
    big = 0.5 * (tp + tq)
    t = np.where(np.abs(d) <= _S_SMALL * sg, small, big)
    res: Array = np.where(sg > 0.0, t, np.where(np.isnan(sg), np.nan, 0.0))
    return res


def _nan_of(p: Array, q: Array, t: Array) -> Array:
    res: Array = np.where(np.isnan(p) | np.isnan(q), np.nan, t)
    return res


def renyi_coef(alpha: float) -> Array:
    """c_k = (alpha^k - alpha)/k!, k = 2..RENYI_TERMS+1 (the kernel's fe_renyi_coef)."""
    coef = np.zeros(RENYI_TERMS)
    if not 0.0 < alpha <= RENYI_SERIES_MAX:
        return coef
    lg = math.log1p(alpha - 1.0) if 0.5 < alpha < 2.0 else math.log(alpha)
    fact = 1.0
    for k in range(2, RENYI_TERMS + 2):
        fact *= float(k)
        coef[k - 2] = alpha * math.expm1(float(k - 1) * lg) / fact
    return coef


def _renyi_terms(p: Array, q: Array, d: Array, alpha: float, direct: bool) -> Array:
    """p^a q^(1-a) - a p - (1-a) q (or p^a q^(1-a) when direct), unscaled per term."""
    beta = alpha - 1.0
    both = (p > 0.0) & (q > 0.0)
    u = d / q
    w = np.where(np.abs(u) <= 0.5, np.log1p(u), np.log(p / q))
    if direct:
        t = p * np.exp(beta * w)
        t = np.where(both, t, np.where(p > 0.0, np.inf if alpha > 1.0 else 0.0, 0.0))
    else:
        coef = renyi_coef(alpha)
        h = np.full_like(w, coef[-1])
        for c in coef[-2::-1]:
            h = c + w * h
        series = q * ((w * w) * h)
        direct_form = p * np.expm1(beta * w) - beta * d
        use_series = (np.abs(w) <= 0.5) & (np.abs(alpha * w) <= 0.5) & (alpha <= RENYI_SERIES_MAX)
        t = np.where(use_series, series, direct_form)
        t = np.where(both, t, np.where(p > 0.0, np.inf if alpha > 1.0 else -alpha * p, beta * q))
    return _nan_of(p, q, t * _WUNSCALE)


def _renyi_lse(p: Array, q: Array, d: Array, alpha: float) -> Array:
    """The Renyi divergence for alpha > 1 in log-sum-exp form (the kernel's fe_renyi_lse_row):
    w_max + log(sum p exp((alpha - 1)(w - w_max)) / sum p) / (alpha - 1), w = log(p/q)."""
    beta = alpha - 1.0
    u = np.where(q > 0.0, d / np.where(q > 0.0, q, 1.0), np.inf)
    umax = np.where(p > 0.0, u, -np.inf).max(axis=1)
    wmax = np.log1p(umax)
    w = np.where(np.abs(u) <= 0.5, np.log1p(u), np.log(p / q))
    terms = np.where(p > 0.0, p * np.exp(beta * (w - wmax[:, None])), 0.0)
    res: Array = wmax + np.log(terms.sum(axis=1) / p.sum(axis=1)) / beta
    res = np.where(umax == np.inf, np.inf, res)
    res = np.where((np.isnan(p) | np.isnan(q)).any(axis=1), np.nan, res)
    return res


def _sum2_rows(x: Array) -> tuple[Array, Array]:
    """hi + lo = the row sums of x (>= 0) to ~eps^2: a cascade of error-free pairwise sums
    (the kernel's fe_cascade_sum forms the same, bit for bit)."""
    hi = np.array(x, dtype=np.float64)
    lo = np.zeros(hi.shape[0])
    while hi.shape[1] > 1:
        if hi.shape[1] % 2:
            hi = np.concatenate([hi, np.zeros((hi.shape[0], 1))], axis=1)
        a = hi[:, 0::2]
        b = hi[:, 1::2]
        s = a + b
        bv = s - a
        lo += ((a - (s - bv)) + (b - bv)).sum(axis=1)
        hi = s
    return hi[:, 0], lo


def _row_delta(a: Array, sums: Array, R: _Rows) -> Array:
    """(exact row sum)/S - 1: the scale error the total variation removes (the kernel's
    fe_row_delta)."""
    hi, lo = _sum2_rows(a)
    L = (hi * R.sc - R.h) + lo * R.sc
    res: Array = (L * _WUNSCALE) * R.invs
    return res


_CLOSE = 1e-14  # the kernel's FE_CLOSE
_CLOSE_TV = 1e-2  # and FE_CLOSE_TV (on 2 TV)


def _div_rows(
    p: Array, p_sums: Array, q: Array, q_sums: Array, measure: int, alpha: float
) -> Array:
    """One value per row of measure ``measure`` (the kernel's fe_div_row)."""
    res = _div_pass(p, p_sums, q, q_sums, measure, alpha, None)
    if measure in (_KL, JS, HELL2, CHI2, RENYI, TV):
        # rows this close: the scale error of the row sums is removed too (compensated sums)
        if measure == TV:
            tol = 0.5 * _CLOSE_TV
        else:
            tol = _CLOSE * (alpha * alpha if measure == RENYI and alpha > 1.0 else 1.0)
        close = np.abs(res) < tol
        if close.any():
            again = _div_pass(p, p_sums, q, q_sums, measure, alpha, _deltas(p, p_sums, q, q_sums))
            res = np.where(close, again, res)
    return res


def _deltas(p: Array, p_sums: Array, q: Array, q_sums: Array) -> tuple[Array, Array]:
    return _row_delta(p, p_sums, _Rows(p, p_sums)), _row_delta(q, q_sums, _Rows(q, q_sums))


def _div_pass(
    p: Array,
    p_sums: Array,
    q: Array,
    q_sums: Array,
    measure: int,
    alpha: float,
    delta: tuple[Array, Array] | None,
) -> Array:
    A, B, d = _pqd(p, p_sums, q, q_sums, delta)
    pn, qn = np.broadcast_arrays(A.p, B.p)
    d = np.broadcast_to(d, pn.shape)
    scale = _WUNSCALE  # the working scale comes off at the end of the row...
    if measure == RENYILSE:
        return _renyi_lse(pn, qn, d, alpha)
    if measure == RENYIINF:
        u = np.where(qn > 0.0, d / np.where(qn > 0.0, qn, 1.0), np.inf)
        best: Array = np.where(pn > 0.0, u, -np.inf).max(axis=1)
        res: Array = np.where((np.isnan(pn) | np.isnan(qn)).any(axis=1), np.nan, best)
        return res
    if measure == CHI2:  # ...or off each term, where the sum may be as large as doubles go
        scale = 1.0
        t = np.where(qn > 0.0, (d * _WUNSCALE) * (d / qn), np.where(pn > 0.0, np.inf, 0.0))
        t = _nan_of(pn, qn, t)
    elif measure in (RENYI, RENYIDIRECT):
        scale = 1.0
        t = _renyi_terms(pn, qn, d, alpha, measure == RENYIDIRECT)
    elif measure == JS:
        t = _js_terms(pn, qn, d)
    elif measure == HELL2:
        r = np.sqrt(pn) + np.sqrt(qn)
        h = d / r
        t = _nan_of(pn, qn, np.where(r > 0.0, h * h, 0.0))
    elif measure == BC:
        t = np.sqrt(pn) * np.sqrt(qn)
    elif measure == RENYI0:
        t = np.where(pn > 0.0, 0.0, qn)
    elif measure == TV:
        scale = 0.5 * _WUNSCALE
        t = np.abs(d)
    elif measure == _KL:
        t = _kl_terms(pn, qn, d)
    else:
        raise ValueError(f"measure must be in [0, {N_MEASURES}), got {measure}")
    res = t.sum(axis=1)
    if scale != 1.0:
        res = scale * res
    return res


def kl_rows(p: Array, p_sums: Array, q: Array, q_sums: Array, out: Array, n_threads: int) -> None:
    if p.shape[1] == 0:
        out[:] = 0.0
        return
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        vals = _div_rows(p, p_sums, q, q_sums, _KL, 1.0)
    out[:] = np.broadcast_to(vals, out.shape)


def _cross_rows(pn: Array, qn: Array) -> Array:
    pos_p = pn > 0
    pos_q = qn > 0
    safe_q = np.where(pos_q, qn, 1.0)
    t = np.where(pos_p, -pn * np.log(safe_q), 0.0)
    bad = (pos_p & ~pos_q).any(axis=1)
    res: Array = np.where(bad, np.inf, t.sum(axis=1))
    return res


def pair_rows(
    p: Array,
    p_sums: Array,
    q: Array,
    q_sums: Array,
    measure: int,
    alpha: float,
    out: Array,
    n_threads: int,
) -> None:
    if not 0 <= measure < N_MEASURES:
        raise ValueError(f"measure must be in [0, {N_MEASURES}), got {measure}")
    if p.shape[1] == 0:
        out[:] = 0.0
        return
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if measure == CROSS:
            vals = _cross_rows(_normalised(p, p_sums), _normalised(q, q_sums))
        else:
            vals = _div_rows(p, p_sums, q, q_sums, measure, alpha)
    out[:] = np.broadcast_to(vals, out.shape)


def power_rows(x: Array, sums: Array, mode: int, alpha: float, out: Array, n_threads: int) -> None:
    if x.shape[1] == 0:
        out[:] = 0.0
        return
    pn = _normalised(x, sums)
    pos = pn > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if mode == 0:
            logp = np.log(np.where(pos, pn, 1.0))
            out[:] = np.where(pos, pn * np.expm1((alpha - 1.0) * logp), 0.0).sum(axis=1)
        elif mode == 1:
            out[:] = pos.sum(axis=1)
        elif mode == 3:
            logp = np.log(np.where(pos, pn, 1.0))
            out[:] = np.where(pos, np.exp(alpha * logp), 0.0).sum(axis=1)
        else:
            out[:] = np.where(pos, pn, 0.0).max(axis=1, initial=0.0)
