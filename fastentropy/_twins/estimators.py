"""Twin of ``_kernels/estimators``: the same estimators in NumPy/SciPy.

``entropy_counts_rows`` is vectorised over rows for the closed-form estimators; Chao-Wang-Jost's
tail and NSB's integral loop over rows in Python (clarity first: they are oracles and fallback).
``estimate_row`` is the one-row entry point the ``samples`` twin reuses.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.special import digamma, gammaln, polygamma

TABLE_SIZE = 65536
GL_N = 16

(M_PLUGIN, M_MILLER_MADOW, M_JACKKNIFE, M_GRASSBERGER, M_ZHANG, M_CHAO_SHEN,
 M_HORVITZ_THOMPSON, M_CHAO_WANG_JOST, M_BONACHELA, M_JEFFREYS, M_LAPLACE, M_PERKS,
 M_MINIMAX, M_SHRINK, M_NSB) = range(15)


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables for n < TABLE_SIZE: n log n, digamma(n), Grassberger G(n), jackknife g(n); and the
    Gauss-Legendre rule. The compiled kernel copies these very arrays at import."""
    n = np.arange(TABLE_SIZE, dtype=np.float64)
    n1 = np.maximum(n, 1.0)
    n2 = np.maximum(n, 2.0)
    nlogn = np.where(n > 0, n * np.log(n1), 0.0)
    psi = np.where(n > 0, digamma(n1), 0.0)
    sign = np.where(n % 2 == 0, 0.5, -0.5)
    grass = np.where(n > 0, psi + sign * (digamma((n + 1.0) / 2.0) - digamma(n1 / 2.0)), 0.0)
    # n log n - (n-1) log(n-1) written as log n - (n-1) log(1 - 1/n): no large difference
    jkg = np.where(n > 1, np.log(n2) - (n2 - 1.0) * np.log1p(-1.0 / n2), 0.0)
    x, w = np.polynomial.legendre.leggauss(GL_N)
    return nlogn, psi, grass, jkg, x, w


_NLOGN, _PSI, _GRASS, _JKG, _GL_X, _GL_W = _tables()


def _lookup(table: np.ndarray, c: np.ndarray, fallback) -> np.ndarray:
    """table[c] where c < TABLE_SIZE, fallback(c as float) elsewhere."""
    small = c < TABLE_SIZE
    out = table[np.where(small, c, 0)]
    if not small.all():
        big = ~small
        out = out.copy()
        out[big] = fallback(c[big].astype(np.float64))
    return out


def _nlogn(c):
    return _lookup(_NLOGN, c, lambda x: x * np.log(x))


def _psi_int(c):
    return _lookup(_PSI, c, digamma)


def _grass(c):
    def g(x):
        sign = np.where(x % 2 == 0, 0.5, -0.5)
        return digamma(x) + sign * (digamma(0.5 * (x + 1.0)) - digamma(0.5 * x))
    return _lookup(_GRASS, c, g)


def _jk_g(c):
    return _lookup(_JKG, c, lambda x: np.log(x) - (x - 1.0) * np.log1p(-1.0 / x))


def _xlogx(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)


def trigamma_r(x):
    """r(x) = x psi'(x) - 1, without cancellation for large x (asymptotic series for x >= 10)."""
    x = np.asarray(x, dtype=np.float64)
    small = x < 10.0
    xs = np.where(small, x, 10.0)
    xl = np.where(small, 10.0, x)
    x2 = 1.0 / (xl * xl)
    asym = 0.5 / xl + x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (
        1.0 / 30.0 - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0 - x2 * (7.0 / 6.0)))))))
    return np.where(small, xs * polygamma(1, xs) - 1.0, asym)


def lnpoch(x, n):
    """log(Gamma(x + n) / Gamma(x)), x > 0, n >= 0: Stirling difference for x >= 1e3."""
    x = np.asarray(x, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    big = x >= 1e3
    xb = np.where(big, x, 1e3)
    y = xb + n

    def corr(z):
        return 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z * z) + 1.0 / (1260.0 * z * z * z * z * z)

    stirling = (xb - 0.5) * np.log1p(n / xb) + n * np.log(y) - n + (corr(y) - corr(xb))
    direct = gammaln(np.where(big, 1.0, x) + n) - gammaln(np.where(big, 1.0, x))
    return np.where(n == 0, 0.0, np.where(big, stirling, direct))


# ---------------------------------------------------------------- closed forms, all rows at once

def _lerch_tail(A: float, N: float) -> float:
    """Phi(1 - A, 1, N) = sum_j (1-A)^j / (N + j); the kernel's series / quadrature rule."""
    x = 1.0 - A
    if x <= 0.5:
        acc, xj, j = 0.0, 1.0, 0
        while True:
            term = xj / (N + j)
            acc += term
            if term < 1e-17 * acc:
                return acc
            j += 1
            xj *= x
    lam = -math.log1p(-A)
    w = N * lam
    starts, lens = [], []
    b = 0.0
    while b < 40.0:
        ln = min(b + w, 4.0)
        starts.append(b)
        lens.append(ln)
        b += ln
    starts = np.array(starts)[:, None]
    lens = np.array(lens)[:, None]
    s = starts + 0.5 * lens * (_GL_X + 1.0)
    vals = 0.5 * lens * _GL_W * np.exp(-s) / (-np.expm1(-(lam + s / N)))
    return float(vals.sum()) / N


def _rows_closed_form(C: np.ndarray, K: np.ndarray, method: int) -> tuple[np.ndarray, np.ndarray]:
    rows = C.shape[0]
    std = np.full(rows, np.nan)
    Ni = C.sum(axis=1)
    N = Ni.astype(np.float64)
    nz = C > 0
    m = nz.sum(axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in (M_PLUGIN, M_MILLER_MADOW):
            H = np.log(N) - _nlogn(C).sum(axis=1) / N
            H = np.where(H < 0.0, 0.0, H)  # one observed symbol can round to -1 ulp
            lp = np.log(np.where(nz, C, 1)) - np.log(N)[:, None]
            V = np.where(nz, C * (lp + H[:, None]) ** 2, 0.0).sum(axis=1)
            std = np.sqrt(V / N / N)
            if method == M_MILLER_MADOW:
                H = H + (m - 1.0) / (2.0 * N)
        elif method == M_JACKKNIFE:
            g = np.where(nz, _jk_g(C), 0.0)
            gbar = (C * g).sum(axis=1) / N
            H = _jk_g(Ni) - gbar
            H = np.where(H > 0.0, H, 0.0)
            V = (C * (g - gbar[:, None]) ** 2).sum(axis=1)
            std = np.where(Ni >= 2, np.sqrt(V / (N * (N - 1.0))), np.nan)
        elif method == M_GRASSBERGER:
            H = np.log(N) - (C * np.where(nz, _grass(np.maximum(C, 1)), 0.0)).sum(axis=1) / N
        elif method in (M_ZHANG, M_CHAO_WANG_JOST):
            S = (C * np.where(nz, _psi_int(np.maximum(C, 1)), 0.0)).sum(axis=1)
            H = _psi_int(np.maximum(Ni, 1)) - S / N
            H = np.where(H > 0.0, H, 0.0)
            if method == M_CHAO_WANG_JOST:
                f1 = (C == 1).sum(axis=1).astype(np.float64)
                f2 = (C == 2).sum(axis=1).astype(np.float64)
                for r in np.flatnonzero((f1 > 0) & (Ni > 0)):
                    if f2[r] > 0:
                        A = 2.0 * f2[r] / ((N[r] - 1.0) * f1[r] + 2.0 * f2[r])
                    else:
                        A = 2.0 / ((N[r] - 1.0) * (f1[r] - 1.0) + 2.0)
                    if A < 1.0:
                        H[r] += (f1[r] / N[r]) * (1.0 - A) * _lerch_tail(A, N[r])
        elif method in (M_CHAO_SHEN, M_HORVITZ_THOMPSON):
            if method == M_CHAO_SHEN:
                f1 = (C == 1).sum(axis=1)
                f1 = np.where(f1 == Ni, Ni - 1, f1).astype(np.float64)
                logC = np.log(1.0 - f1 / N)
            else:
                logC = np.zeros(rows)
            lp = logC[:, None] + np.log(np.where(nz, C, 1)) - np.log(N)[:, None]
            p = np.exp(lp)
            terms = p * lp / (-np.expm1(N[:, None] * np.log1p(-p)))
            H = -np.where(nz, terms, 0.0).sum(axis=1)
        elif method == M_BONACHELA:
            pN = _psi_int(Ni + 3)
            S = ((C + 1.0) * np.where(nz, _psi_int(C + 2), 0.0)).sum(axis=1)
            H = ((N + m) * pN - S + (K - m) * (pN - _PSI[2])) / (N + 2.0)
        elif method in (M_JEFFREYS, M_LAPLACE, M_PERKS, M_MINIMAX):
            a = {M_JEFFREYS: np.full(rows, 0.5), M_LAPLACE: np.ones(rows),
                 M_PERKS: 1.0 / K, M_MINIMAX: np.sqrt(N) / K}[method]
            if method == M_LAPLACE:
                S = np.where(nz, _nlogn(C + 1), 0.0).sum(axis=1)
            else:
                S = np.where(nz, _xlogx(C + a[:, None]), 0.0).sum(axis=1)
            S = S + (K - m) * _xlogx(a)
            D = N + K * a
            H = np.log(D) - S / D
        elif method == M_SHRINK:
            t = 1.0 / K
            u = C / N[:, None]
            s2 = np.where(nz, u * u, 0.0).sum(axis=1)
            d2 = np.where(nz, (t[:, None] - u) ** 2, 0.0).sum(axis=1) + (K - m) * t * t
            lam = np.clip((1.0 - s2) / ((N - 1.0) * d2), 0.0, 1.0)
            lam = np.where((Ni <= 1) | (d2 == 0.0), 1.0, lam)
            p = lam[:, None] * t[:, None] + (1.0 - lam[:, None]) * u
            H = -np.where(nz, _xlogx(p), 0.0).sum(axis=1) - (K - m) * _xlogx(lam * t)
        else:
            raise ValueError(f"unknown method code {method}")
    H = np.where(Ni > 0, H, np.nan)
    std = np.where(Ni > 0, std, np.nan)
    return H, std


# ---------------------------------------------------------------- NSB

class _NSBRow:
    """A count row grouped by distinct count value: O(#distinct) per density evaluation."""

    def __init__(self, counts: np.ndarray, K: float) -> None:
        nzc = counts[counts > 0]
        vals, mult = np.unique(nzc, return_counts=True)
        self.K = float(K)
        self.N = float(nzc.sum())
        self.z = self.K - float(nzc.size)
        self.val = vals.astype(np.float64)
        self.mult = mult.astype(np.float64)

    def logw(self, t):
        """log posterior density of t = log(beta), up to a constant (broadcasts over t)."""
        t = np.asarray(t, dtype=np.float64)
        b = np.exp(t)
        K = self.K
        Kb1 = K * b + 1.0
        b1 = b + 1.0
        dxi = (K - 1.0) / (Kb1 * b1) + K * trigamma_r(Kb1) / Kb1 - trigamma_r(b1) / b1
        L = -lnpoch(K * b, self.N)
        L = L + (self.mult * lnpoch(b[..., None], self.val)).sum(axis=-1)
        return np.log(dxi) + t + L

    def moments(self, t):
        """E[H | n, beta] and Var[H | n, beta] (same rearrangement as the kernel)."""
        t = np.asarray(t, dtype=np.float64)
        b = np.exp(t)[..., None]
        A = self.N + self.K * b
        phi0 = digamma(b + 1.0)
        phi = digamma(self.val + b + 1.0)
        q0 = b / A
        q = (self.val + b) / A
        phibar = self.z * q0 * phi0 + (self.mult * q * phi).sum(axis=-1, keepdims=True)
        mean = digamma(A + 1.0) - phibar
        s = self.z * q0 * (phi0 - phibar) ** 2 + (self.mult * q * (phi - phibar) ** 2).sum(
            axis=-1, keepdims=True)
        rr = self.z * q0 * trigamma_r(b + 1.0) + (self.mult * q * trigamma_r(self.val + b + 1.0)).sum(
            axis=-1, keepdims=True)
        var = (s + rr - trigamma_r(A + 1.0)) / (A + 1.0)
        return mean[..., 0], var[..., 0]


def _nsb(counts: np.ndarray, K: float) -> tuple[float, float]:
    if K <= 1.0:
        return 0.0, 0.0
    R = _NSBRow(counts, K)
    f = lambda t: float(R.logw(t))
    t_lo = -math.log(K) - 30.0
    t_hi = math.log(R.N) + 30.0
    # the kernel steps t += 2 from t_lo; reproduce its grid exactly
    grid = [t_lo]
    t = t_lo + 2.0
    while t <= t_hi:
        grid.append(t)
        t += 2.0
    fg = R.logw(np.array(grid))
    j = 0
    for i in range(1, len(grid)):
        if fg[i] > fg[j]:
            j = i
    best_t, best_f = grid[j], float(fg[j])
    GR = 0.6180339887498949
    lo, hi = best_t - 2.0, best_t + 2.0
    x1, x2 = hi - GR * (hi - lo), lo + GR * (hi - lo)
    f1, f2 = f(x1), f(x2)
    for _ in range(48):
        if f1 >= f2:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - GR * (hi - lo)
            f1 = f(x1)
        else:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + GR * (hi - lo)
            f2 = f(x2)
    tstar = 0.5 * (lo + hi)
    fstar = f(tstar)
    if best_f > fstar:
        tstar, fstar = best_t, best_f
    d2 = (f(tstar + 1e-3) - 2.0 * fstar + f(tstar - 1e-3)) / 1e-6
    sigma = min(max(1.0 / math.sqrt(-d2), 1e-8), 4.0) if d2 < 0.0 else 1.0
    href = float(R.moments(tstar)[0])
    panels = []
    for side in (1.0, -1.0):
        dprev, d = 0.0, sigma
        for _ in range(64):
            a, b = sorted((tstar + side * dprev, tstar + side * d))
            panels.append((a, b))
            if f(tstar + side * d) < fstar - 46.0:
                break
            dprev, d = d, d * 2.0
    P = np.array(panels)
    h = 0.5 * (P[:, 1] - P[:, 0])[:, None]
    tq = P[:, :1] + h * (_GL_X + 1.0)
    wq = h * _GL_W * np.exp(R.logw(tq) - fstar)
    mu, var = R.moments(tq)
    Z = wq.sum()
    m1 = (wq * (mu - href)).sum() / Z
    V = (wq * var).sum() / Z + (wq * (mu - href) ** 2).sum() / Z - m1 * m1
    return href + m1, math.sqrt(V) if V > 0.0 else 0.0


# ---------------------------------------------------------------- entry points

def estimate_row(counts: np.ndarray, k: float, method: int) -> tuple[float, float]:
    """Entropy (nats) of one 1-D int64 count row with alphabet size ``k``, and its std (NaN
    where the method defines none). Twin of the kernel's ``estimate_row``."""
    c = np.ascontiguousarray(counts, dtype=np.int64).reshape(1, -1)
    if c.sum() <= 0:
        return math.nan, math.nan
    if method == M_NSB:
        return _nsb(c[0], float(k))
    H, std = _rows_closed_form(c, np.array([float(k)]), method)
    return float(H[0]), float(std[0])


def entropy_counts_rows(counts, k, method, out, out_std, n_threads):
    """Row-wise estimates into ``out`` (and ``out_std`` unless None). Rows with total 0, a
    negative count, or a bitwise OR of entries >= 2**62 / n (possible int64 overflow of the
    total) get NaN, as in the kernel."""
    C = np.asarray(counts, dtype=np.int64)
    rows, n = C.shape
    if rows == 0 or n == 0:
        return
    K = np.asarray(k, dtype=np.float64)
    acc = np.bitwise_or.reduce(C, axis=1)
    with np.errstate(over="ignore"):
        tot = C.sum(axis=1)
    skip = (acc < 0) | (acc >= (1 << 62) // n) | (tot == 0)
    ok = np.flatnonzero(~skip)
    out[:] = np.nan
    if out_std is not None:
        out_std[:] = np.nan
    if ok.size == 0:
        return
    if method == M_NSB:
        for r in ok:
            h, s = _nsb(C[r], float(K[r]))
            out[r] = h
            if out_std is not None:
                out_std[r] = s
        return
    H, std = _rows_closed_form(C[ok], K[ok], method)
    out[ok] = H
    if out_std is not None:
        out_std[ok] = std
