"""Twin of ``_kernels/estimators``: the same estimators in NumPy/SciPy.

``entropy_counts_rows`` is vectorised over blocks of rows for the closed-form estimators;
Chao-Wang-Jost's tail, NSB's integral, Wolpert-Wolf and Good-Turing loop over rows in Python
(clarity first: they are oracles and fallback). ``estimate_row`` is the one-row entry point the
``samples`` twin reuses. The lookup tables and the cancellation-free special functions come
from the neutral module ``fastentropy._tables`` (which the compiled kernel reads too); this
module imports no kernel.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, polygamma

from .. import _tables

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TABLE_SIZE = _tables.TABLE_SIZE
GL_N = _tables.GL_NODES

(M_PLUGIN, M_MILLER_MADOW, M_JACKKNIFE, M_GRASSBERGER, M_ZHANG, M_CHAO_SHEN,
 M_HORVITZ_THOMPSON, M_CHAO_WANG_JOST, M_BONACHELA, M_JEFFREYS, M_LAPLACE, M_PERKS,
 M_MINIMAX, M_SHRINK, M_NSB, M_WOLPERT_WOLF, M_ANSB, M_GOOD_TURING) = range(18)

#: methods whose ``std`` is defined (NaN elsewhere)
STD_METHODS = frozenset({M_PLUGIN, M_MILLER_MADOW, M_JACKKNIFE, M_NSB, M_WOLPERT_WOLF, M_ANSB})

#: below TAU * log N the one-pass F(N) - T/N form of a row is re-summed without cancellation
TAU = 0.03125

_NLOGN = _tables.nlogn_table()
_PSI = _tables.digamma_table()
_GRASS = _tables.grassberger_table()
_JKG = _tables.jackknife_table()
_GL_X, _GL_W = _tables.gauss_legendre()

#: rows per block of the vectorised closed forms: about this many cells at a time
_BLOCK_CELLS = 1 << 16


def _lookup(table: FloatArray, c: IntArray, fallback: Callable[[FloatArray], FloatArray]
            ) -> FloatArray:
    """table[c] where c < TABLE_SIZE, fallback(c as float) elsewhere."""
    small = c < TABLE_SIZE
    out: FloatArray = table[np.where(small, c, 0)]
    if not small.all():
        big = ~small
        out = out.copy()
        out[big] = fallback(c[big].astype(np.float64))
    return out


def _nlogn(c: IntArray) -> FloatArray:
    return _lookup(_NLOGN, c, lambda x: x * np.log(x))


def _psi_int(c: IntArray) -> FloatArray:
    return _lookup(_PSI, c, _tables.digamma)


def _grass_big(x: FloatArray) -> FloatArray:
    sign = np.where(np.fmod(x, 2.0) == 0.0, 1.0, -1.0)
    out: FloatArray = _tables.digamma(x) + sign * _tables.grassberger_beta(x)
    return out


def _grass(c: IntArray) -> FloatArray:
    return _lookup(_GRASS, c, _grass_big)


def _jk_g(c: IntArray) -> FloatArray:
    return _lookup(_JKG, c, lambda x: np.log(x) - (x - 1.0) * np.log1p(-1.0 / x))


def _xlogx(x: npt.ArrayLike) -> FloatArray:
    xa = np.asarray(x, dtype=np.float64)
    out: FloatArray = np.where(xa > 0, xa * np.log(np.where(xa > 0, xa, 1.0)), 0.0)
    return out


def trigamma_r(x: npt.ArrayLike) -> FloatArray:
    """r(x) = x psi'(x) - 1, without cancellation for large x (asymptotic series for x >= 10)."""
    xa = np.asarray(x, dtype=np.float64)
    small = xa < 10.0
    xs = np.where(small, xa, 10.0)
    xl = np.where(small, 10.0, xa)
    x2 = 1.0 / (xl * xl)
    asym = 0.5 / xl + x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 * (1.0 / 42.0 - x2 * (
        1.0 / 30.0 - x2 * (5.0 / 66.0 - x2 * (691.0 / 2730.0 - x2 * (7.0 / 6.0)))))))
    out: FloatArray = np.where(small, xs * polygamma(1, xs) - 1.0, asym)
    return out


def lnpoch(x: npt.ArrayLike, n: npt.ArrayLike) -> FloatArray:
    """log(Gamma(x + n) / Gamma(x)), x > 0, n >= 0: Stirling difference for x >= 1e3."""
    xa = np.asarray(x, dtype=np.float64)
    na = np.asarray(n, dtype=np.float64)
    big = xa >= 1e3
    xb = np.where(big, xa, 1e3)
    y = xb + na

    def corr(z: FloatArray) -> FloatArray:
        out: FloatArray = 1.0 / (12.0 * z) - 1.0 / (360.0 * z * z * z) + 1.0 / (
            1260.0 * z * z * z * z * z)
        return out

    stirling = (xb - 0.5) * np.log1p(na / xb) + na * np.log(y) - na + (corr(y) - corr(xb))
    direct = gammaln(np.where(big, 1.0, xa) + na) - gammaln(np.where(big, 1.0, xa))
    out: FloatArray = np.where(na == 0, 0.0, np.where(big, stirling, direct))
    return out


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
    st = np.array(starts)[:, None]
    le = np.array(lens)[:, None]
    s = st + 0.5 * le * (_GL_X + 1.0)
    vals = 0.5 * le * _GL_W * np.exp(-s) / (-np.expm1(-(lam + s / N)))
    return float(vals.sum()) / N


def _dominant(C: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """The first largest count of each row, and a mask of the other nonzero entries."""
    j = C.argmax(axis=1)
    r = np.arange(C.shape[0])
    top: IntArray = C[r, j]
    others = C > 0
    others[r, j] = False
    return top, others


def _log1p_rest(N: IntArray, top: IntArray) -> FloatArray:
    """log(N / top) as log1p((N - top) / top), N - top exact."""
    out: FloatArray = np.log1p((N - top).astype(np.float64) / top.astype(np.float64))
    return out


def _resum(H: FloatArray, scale: FloatArray, sel_rows: Callable[[IntArray], FloatArray]
           ) -> FloatArray:
    """Rows whose one-pass value is below TAU * scale, recomputed by ``sel_rows``."""
    sel = np.flatnonzero(H < TAU * scale)
    if sel.size:
        H = H.copy()
        H[sel] = sel_rows(sel)
    return H


def _plugin_accurate(C: IntArray, N: IntArray) -> FloatArray:
    top, oth = _dominant(C)
    dN = N.astype(np.float64)
    logN = np.log(dN)
    S = np.where(oth, C * logN[:, None] - _nlogn(C), 0.0).sum(axis=1)
    out: FloatArray = (S + top * _log1p_rest(N, top)) / dN
    return out


def _delta_std(C: IntArray, N: IntArray, H: FloatArray) -> FloatArray:
    top, oth = _dominant(C)
    dN = N.astype(np.float64)
    lp = np.log(np.where(oth, C, 1)) - np.log(dN)[:, None]
    d = np.where(oth, lp + H[:, None], 0.0)
    V = (C * d * d).sum(axis=1) + top * (H - _log1p_rest(N, top)) ** 2
    out: FloatArray = np.sqrt(V / dN / dN)
    return out


def _jackknife(C: IntArray, Ni: IntArray, N: FloatArray, nz: npt.NDArray[np.bool_]
               ) -> tuple[FloatArray, FloatArray]:
    g = np.where(nz, _jk_g(C), 0.0)
    gbar = (C * g).sum(axis=1) / N
    gN = _jk_g(Ni)
    H = gN - gbar
    V = (C * (g - gbar[:, None]) ** 2).sum(axis=1)
    std = np.where(Ni >= 2, np.sqrt(V / (N * np.maximum(N - 1.0, 1.0))), np.nan)
    sel = np.flatnonzero(H < TAU * np.log(N))
    if sel.size:
        H = H.copy()
        std = std.copy()
        Cs, Ns = C[sel], Ni[sel]
        dNs = Ns.astype(np.float64)
        top, oth = _dominant(Cs)
        dtop = _log1p_rest(Ns, top) + (_tables.jackknife_excess(dNs)
                                       - _tables.jackknife_excess(top.astype(np.float64)))
        dlt = gN[sel][:, None] - np.where(oth, _jk_g(Cs), 0.0)
        Hs = (np.where(oth, Cs * dlt, 0.0).sum(axis=1) + top * dtop) / dNs
        Vs = np.where(oth, Cs * (Hs[:, None] - dlt) ** 2, 0.0).sum(axis=1) + top * (Hs - dtop) ** 2
        H[sel] = Hs
        std[sel] = np.where(Ns >= 2, np.sqrt(Vs / (dNs * np.maximum(dNs - 1.0, 1.0))), np.nan)
    return H, std


def _zhang(C: IntArray, Ni: IntArray, N: FloatArray, nz: npt.NDArray[np.bool_]) -> FloatArray:
    S = (C * np.where(nz, _psi_int(np.maximum(C, 1)), 0.0)).sum(axis=1)
    pN = _psi_int(np.maximum(Ni, 1))
    H: FloatArray = pN - S / N

    def acc(sel: IntArray) -> FloatArray:
        Cs, Ns = C[sel], Ni[sel]
        top, oth = _dominant(Cs)
        dNs = Ns.astype(np.float64)
        dtop = _log1p_rest(Ns, top) + (_tables.log_minus_digamma(top.astype(np.float64))
                                       - _tables.log_minus_digamma(dNs))
        rest = np.where(oth, Cs * (pN[sel][:, None] - _psi_int(np.maximum(Cs, 1))), 0.0)
        out: FloatArray = (rest.sum(axis=1) + top * dtop) / dNs
        return out

    return _resum(H, np.log(N), acc)


def _rows_closed_form(C: IntArray, K: FloatArray, method: int) -> tuple[FloatArray, FloatArray]:
    rows = C.shape[0]
    std = np.full(rows, np.nan)
    Ni = C.sum(axis=1)
    N = Ni.astype(np.float64)
    nz = C > 0
    m = nz.sum(axis=1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in (M_PLUGIN, M_MILLER_MADOW):
            H = np.log(N) - _nlogn(C).sum(axis=1) / N
            H = _resum(H, np.log(N), lambda s: _plugin_accurate(C[s], Ni[s]))
            std = _delta_std(C, Ni, H)
            if method == M_MILLER_MADOW:
                H = H + (m - 1.0) / (2.0 * N)
        elif method == M_JACKKNIFE:
            H, std = _jackknife(C, Ni, N, nz)
        elif method == M_GRASSBERGER:
            logN = np.log(N)
            H = logN - (C * np.where(nz, _grass(np.maximum(C, 1)), 0.0)).sum(axis=1) / N

            def grass_acc(sel: IntArray) -> FloatArray:
                Cs, Ns = C[sel], Ni[sel]
                top, oth = _dominant(Cs)
                dtop = _log1p_rest(Ns, top) + _tables.log_minus_grassberger(
                    top.astype(np.float64))
                rest = np.where(oth, Cs * (logN[sel][:, None] - _grass(np.maximum(Cs, 1))), 0.0)
                out: FloatArray = (rest.sum(axis=1) + top * dtop) / Ns
                return out

            H = _resum(H, logN, grass_acc)
        elif method in (M_ZHANG, M_CHAO_WANG_JOST):
            H = _zhang(C, Ni, N, nz)
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
                logC = np.log1p(-f1 / N)
            else:
                logC = np.zeros(rows)
            top, oth = _dominant(C)
            lp = logC[:, None] + np.log(np.where(oth, C, 1)) - np.log(N)[:, None]
            lp_top = logC - _log1p_rest(Ni, top)

            def ht(lpv: FloatArray, Nv: FloatArray) -> FloatArray:
                p = np.exp(lpv)
                out: FloatArray = p * lpv / (-np.expm1(Nv * np.log1p(-p)))
                return out

            H = -np.where(oth, ht(lp, N[:, None]), 0.0).sum(axis=1) - ht(lp_top, N)
        elif method == M_BONACHELA:
            pN = _psi_int(Ni + 3)
            S = ((C + 1.0) * np.where(nz, _psi_int(C + 2), 0.0)).sum(axis=1)
            H = ((N + m) * pN - S + (K - m) * (pN - _PSI[2])) / (N + 2.0)

            def bona_acc(sel: IntArray) -> FloatArray:
                Cs, Ns = C[sel], Ni[sel]
                top, oth = _dominant(Cs)
                dN = Ns.astype(np.float64)
                tf = top.astype(np.float64)
                dtop = np.log1p((Ns - top + 1).astype(np.float64) / (tf + 2.0)) + (
                    _tables.log_minus_digamma(tf + 2.0) - _tables.log_minus_digamma(dN + 3.0))
                rest = np.where(oth, (Cs + 1.0) * (pN[sel][:, None] - _psi_int(Cs + 2)), 0.0)
                out: FloatArray = (rest.sum(axis=1) + (tf + 1.0) * dtop
                                   + (K[sel] - m[sel]) * (pN[sel] - _PSI[2])) / (dN + 2.0)
                return out

            H = _resum(H, np.log(N + 3.0), bona_acc)
        elif method in (M_JEFFREYS, M_LAPLACE, M_PERKS, M_MINIMAX):
            a = {M_JEFFREYS: np.full(rows, 0.5), M_LAPLACE: np.ones(rows),
                 M_PERKS: 1.0 / K, M_MINIMAX: np.sqrt(N) / K}[method]
            if method == M_LAPLACE:
                S = np.where(nz, _nlogn(C + 1), 0.0).sum(axis=1)
            else:
                S = np.where(nz, _xlogx(C + a[:, None]), 0.0).sum(axis=1)
            S = S + (K - m) * _xlogx(a)
            D = N + K * a
            logD = np.log(D)
            H = logD - S / D

            def pseudo_acc(sel: IntArray) -> FloatArray:
                Cs, Ns, a_s, Ds, lD = C[sel], Ni[sel], a[sel], D[sel], logD[sel]
                top, oth = _dominant(Cs)
                w = Cs + a_s[:, None]
                wtop = top + a_s
                rest = np.where(oth, w * lD[:, None] - _xlogx(w), 0.0).sum(axis=1)
                R = (Ns - top).astype(np.float64) + (K[sel] - 1.0) * a_s
                unseen = (K[sel] - m[sel]) * (a_s * lD - _xlogx(a_s))
                out: FloatArray = (wtop * np.log1p(R / wtop) + rest + unseen) / Ds
                return out

            H = _resum(H, logD, pseudo_acc)
        elif method == M_SHRINK:
            t = 1.0 / K
            u = C / N[:, None]
            s2 = np.where(nz, u * u, 0.0).sum(axis=1)
            d2 = np.where(nz, (t[:, None] - u) ** 2, 0.0).sum(axis=1) + (K - m) * t * t
            lam = np.clip((1.0 - s2) / ((N - 1.0) * d2), 0.0, 1.0)
            lam = np.where((Ni <= 1) | (d2 == 0.0), 1.0, lam)
            top, oth = _dominant(C)
            p = lam[:, None] * t[:, None] + (1.0 - lam[:, None]) * u
            ptop = lam * t + (1.0 - lam) * (top / N)
            qtop = lam * (K - 1.0) * t + (1.0 - lam) * ((Ni - top) / N)
            htop = np.where(ptop > 0.5, -ptop * np.log1p(-qtop), -_xlogx(ptop))
            H = -np.where(oth, _xlogx(p), 0.0).sum(axis=1) + htop - (K - m) * _xlogx(lam * t)
        elif method == M_ANSB:
            delta = Ni - m.astype(np.int64)
            dpos = np.maximum(delta, 1)
            H = np.where(delta > 0, (np.euler_gamma - math.log(2.0)) + 2.0 * np.log(N)
                         - _psi_int(dpos), np.inf)
            std = np.where(delta > 0, np.sqrt(polygamma(1, dpos.astype(np.float64))), np.inf)
        else:
            raise ValueError(f"unknown method code {method}")
    H = np.where(Ni > 0, H, np.nan) + 0.0  # (+ 0.0: no -0.0, as the kernel)
    std = np.where(Ni > 0, std, np.nan) + 0.0
    return H, std


# ---------------------------------------------------------------- rows grouped by count value

class _NSBRow:
    """A count row grouped by distinct count value: O(#distinct) per density evaluation."""

    def __init__(self, counts: IntArray, K: float) -> None:
        nzc = counts[counts > 0]
        vals, mult = np.unique(nzc, return_counts=True)
        self.K = float(K)
        self.N = float(nzc.sum())
        self.z = self.K - float(nzc.size)
        #: N minus the largest count, exact (from the integer counts)
        self.rest = float(nzc.sum() - nzc.max()) if nzc.size else 0.0
        self.val: FloatArray = vals.astype(np.float64)
        self.mult: FloatArray = mult.astype(np.float64)

    def logw(self, t: npt.ArrayLike) -> FloatArray:
        """log posterior density of t = log(beta), up to a constant (broadcasts over t)."""
        ta = np.asarray(t, dtype=np.float64)
        b = np.exp(ta)
        K = self.K
        Kb1 = K * b + 1.0
        b1 = b + 1.0
        dxi = (K - 1.0) / (Kb1 * b1) + K * trigamma_r(Kb1) / Kb1 - trigamma_r(b1) / b1
        L = -lnpoch(K * b, self.N)
        L = L + (self.mult * lnpoch(b[..., None], self.val)).sum(axis=-1)
        out: FloatArray = np.log(dxi) + ta + L
        return out

    def dirichlet(self, beta: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """E[H | n, beta] and Var[H | n, beta] under Dirichlet(beta) (Wolpert & Wolf 1995), the
        kernel's rearrangement: d_i = psi(A+1) - psi(nu_i+1), the largest count's through
        log1p((A - nu)/(nu + 1)) + D(nu + 1) - D(A + 1)."""
        b = np.asarray(beta, dtype=np.float64)[..., None]
        A = self.N + self.K * b
        psiA = _tables.digamma(A + 1.0)
        d0 = psiA - _tables.digamma(b + 1.0)
        nu = self.val + b
        d = psiA - _tables.digamma(nu + 1.0)
        nu_top = nu[..., -1:]
        d_top = np.log1p((self.rest + (self.K - 1.0) * b) / (nu_top + 1.0)) + (
            _tables.log_minus_digamma(nu_top + 1.0) - _tables.log_minus_digamma(A + 1.0))
        d = np.concatenate([d[..., :-1], d_top], axis=-1)
        mean = (self.z * b * d0 + (self.mult * nu * d).sum(axis=-1, keepdims=True)) / A
        q0 = b / A
        q = nu / A
        s = self.z * q0 * (mean - d0) ** 2 + (self.mult * q * (mean - d) ** 2).sum(
            axis=-1, keepdims=True)
        rr = self.z * q0 * trigamma_r(b + 1.0) + (self.mult * q * trigamma_r(nu + 1.0)).sum(
            axis=-1, keepdims=True)
        var = (s + rr - trigamma_r(A + 1.0)) / (A + 1.0)
        return mean[..., 0], var[..., 0]

    def moments(self, t: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """E[H | n, beta] and Var[H | n, beta] at beta = exp(t)."""
        return self.dirichlet(np.exp(np.asarray(t, dtype=np.float64)))


def _nsb(counts: IntArray, K: float) -> tuple[float, float]:
    if K <= 1.0:
        return 0.0, 0.0
    R = _NSBRow(counts, K)

    def f(t: float) -> float:
        return float(R.logw(t))

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


def _wolpert_wolf(counts: IntArray, K: float, a: float) -> tuple[float, float]:
    mean, var = _NSBRow(counts, K).dirichlet(a)
    v = float(var)
    return float(mean), math.sqrt(v) if v > 0.0 else 0.0


def _good_turing(counts: IntArray, K: float) -> float:
    """Plug-in entropy of the Simple Good-Turing probabilities (Gale & Sampson 1995)."""
    R = _NSBRow(counts, K)
    val, mult, N = R.val, R.mult, R.N
    G = val.size
    p0 = (mult[0] if val[0] == 1.0 else 0.0) / N
    unseen = R.z
    if G == 1:
        rstar = np.ones(1)
    else:
        # scalar libm arithmetic in the kernel's order: the switch below is a comparison, and
        # the two backends must take the same branch
        v = [float(x) for x in val]
        nr_ = [float(x) for x in mult]
        xs, ys = [], []
        for g in range(G):
            q = v[g - 1] if g > 0 else 0.0
            t = v[g + 1] if g < G - 1 else 2.0 * v[g] - q
            xs.append(math.log(v[g]))
            ys.append(math.log(2.0 * nr_[g] / (t - q)))
        xm = ym = 0.0
        for g in range(G):
            xm += xs[g]
            ym += ys[g]
        xm /= G
        ym /= G
        sxx = sxy = 0.0
        for g in range(G):
            sxx += (xs[g] - xm) * (xs[g] - xm)
            sxy += (xs[g] - xm) * (ys[g] - ym)
        slope = sxy / sxx
        rs = []
        switched = False
        for g in range(G):  # Turing estimates until they agree with the smoothed ones
            r = v[g]
            smooth = r * math.exp((slope + 1.0) * math.log1p(1.0 / r))
            if not switched:
                if g + 1 < G and v[g + 1] == r + 1.0:
                    nr, nr1 = nr_[g], nr_[g + 1]
                    turing = (r + 1.0) * nr1 / nr
                    sd = math.sqrt((r + 1.0) * (r + 1.0) * nr1 / (nr * nr) * (1.0 + nr1 / nr))
                    if math.fabs(turing - smooth) <= 1.96 * sd:
                        switched = True
                    else:
                        rs.append(turing)
                else:
                    switched = True
            if switched:
                rs.append(smooth)
        rstar = np.array(rs)
    scale = ((1.0 - p0) if unseen > 0.0 else 1.0) / float((mult * rstar).sum())
    p = scale * rstar
    gmax = int(np.argmax(rstar))
    others = np.arange(G) != gmax
    H = -float((mult[others] * _xlogx(p[others])).sum())
    if mult[gmax] == 1.0 and p[gmax] > 0.5:
        rest = float((mult[others] * p[others]).sum()) + (p0 if unseen > 0.0 else 0.0)
        H -= float(p[gmax]) * math.log1p(-rest)
    else:
        H -= float(mult[gmax] * _xlogx(p[gmax]))
    if unseen > 0.0 and p0 > 0.0:
        H -= p0 * math.log(p0 / unseen)
    return H


# ---------------------------------------------------------------- entry points

def _row_loop(C: IntArray, K: FloatArray, method: int, a: float
              ) -> tuple[FloatArray, FloatArray]:
    """The estimators computed row by row (NSB, Wolpert-Wolf, Good-Turing)."""
    H = np.empty(C.shape[0])
    std = np.full(C.shape[0], np.nan)
    for r in range(C.shape[0]):
        if method == M_NSB:
            H[r], std[r] = _nsb(C[r], float(K[r]))
        elif method == M_WOLPERT_WOLF:
            H[r], std[r] = _wolpert_wolf(C[r], float(K[r]), a)
        else:
            H[r] = _good_turing(C[r], float(K[r]))
    out_h: FloatArray = H + 0.0
    out_s: FloatArray = std + 0.0
    return out_h, out_s


_ROW_METHODS = (M_NSB, M_WOLPERT_WOLF, M_GOOD_TURING)


def estimate_row(counts: npt.ArrayLike, k: float, method: int, a: float = 1.0
                 ) -> tuple[float, float]:
    """Entropy (nats) of one 1-D count row with alphabet size ``k``, and its std (NaN where
    the method defines none). Twin of the kernel's ``estimate_row_param`` (``a``: the
    Dirichlet concentration of wolpert_wolf, ignored by the others)."""
    c = np.ascontiguousarray(counts, dtype=np.int64).reshape(1, -1)
    if c.sum() <= 0:
        return math.nan, math.nan
    K = np.array([float(k)])
    if method in _ROW_METHODS:
        H, std = _row_loop(c, K, method, a)
    else:
        H, std = _rows_closed_form(c, K, method)
    return float(H[0]), float(std[0])


def entropy_counts_rows(counts: Any, k: Any, method: int, out: FloatArray,
                        out_std: FloatArray | None, n_threads: int, a: float = 1.0) -> None:
    """Row-wise estimates into ``out`` (and ``out_std`` unless None). Rows with total 0, a
    negative count, or a bitwise OR of entries >= 2**62 / n (possible int64 overflow of the
    total) get NaN, as in the kernel. Any integer width; rows are taken in blocks, each widened
    to int64 (so the temporaries stay a few MB whatever the input's size)."""
    src = np.asarray(counts)
    rows, n = src.shape
    if rows == 0 or n == 0:
        return
    K = np.asarray(k, dtype=np.float64)
    out[:] = np.nan
    if out_std is not None:
        out_std[:] = np.nan
    step = max(1, _BLOCK_CELLS // n)
    for r0 in range(0, rows, step):
        C = src[r0:r0 + step].astype(np.int64)  # uint64 >= 2**63 wraps negative: rejected
        acc = np.bitwise_or.reduce(C, axis=1)
        with np.errstate(over="ignore"):
            tot = C.sum(axis=1)
        skip = (acc < 0) | (acc >= (1 << 62) // n) | (tot == 0)
        ok = np.flatnonzero(~skip)
        if ok.size == 0:
            continue
        if method in _ROW_METHODS:
            H, std = _row_loop(C[ok], K[r0 + ok], method, a)
        else:
            H, std = _rows_closed_form(C[ok], K[r0 + ok], method)
        out[r0 + ok] = H
        if out_std is not None:
            out_std[r0 + ok] = std
