"""NumPy twin of ``_kernels/logits``: same functions, signatures and conventions.

Inputs are byte views of (rows, n) logit arrays with a storage ``kind`` (0 float64, 1 float32,
2 float16 bits, 3 bfloat16 bits); full-size outputs are byte views of ``out_kind`` (0 float64,
1 float32), a (0, 0) view meaning "not wanted". Rows are processed in chunks (bounded
temporaries), converted to float64, shifted by their maximum and scaled by the temperature with
the same operations as the kernel, so both see the same ``z``. ``n_threads`` is ignored.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

OK, MASKED, NAN, POSINF = 0, 1, 2, 3
_CHUNK = 1 << 18  # elements per chunk of rows
_HUGE = 2.0**1023

# (k - 1) / k! for k = 14 .. 2: phi(d) = 1 + (d - 1) e^d = d^2 sum_k c_k d^(k-2)
_PHI = [float(k - 1) / math.factorial(k) for k in range(14, 1, -1)]
# 1 / (k (2k - 1)) for k = 8 .. 1: f(eps) = sum_k eps^(2k) / (k (2k - 1))
_JSF = [1.0 / (k * (2 * k - 1)) for k in range(8, 0, -1)]


def _dtype(kind: int) -> np.dtype:
    return np.dtype([np.float64, np.float32, np.float16, np.uint16][kind])


def _decode(x: np.ndarray, kind: int) -> np.ndarray:
    """Byte rows -> float64 rows (float16 and bfloat16 bit-exactly)."""
    v = x.view(_dtype(kind))
    if kind == 3:
        v = (v.astype(np.uint32) << 16).view(np.float32)
    out: np.ndarray = v.astype(np.float64)
    return out


def _out(buf: np.ndarray, out_kind: int) -> np.ndarray | None:
    if buf.shape[0] == 0:
        return None
    return buf.view(np.float64 if out_kind == 0 else np.float32)


def _chunks(rows: int, n: int) -> Iterator[slice]:
    step = max(1, _CHUNK // max(n, 1))
    for lo in range(0, rows, step):
        yield slice(lo, min(rows, lo + step))


class _Rows:
    """Row statistics and the shifted, scaled logits z = ((x h - m h) a) b of a chunk."""

    def __init__(self, x: np.ndarray, T: float, h: np.ndarray | None = None) -> None:
        nan = np.isnan(x).any(axis=1)
        with np.errstate(invalid="ignore"):
            m = np.where(nan, 0.0, np.fmax.reduce(x, axis=1))
        self.status = np.where(
            nan, NAN, np.where(m == np.inf, POSINF, np.where(m == -np.inf, MASKED, OK))
        ).astype(np.int8)
        if h is None:
            big = ((np.abs(x) >= _HUGE) & (x > -np.inf)).any(axis=1)
            h = np.where(big, 0.5, 1.0)
        self.set_h(h, T, m)

    def set_h(self, h: np.ndarray, T: float, m: np.ndarray | None = None) -> None:
        if m is not None:
            self.m = m
        self.h = h
        self.a = 2.0**64 if T < 2.0**-960 else 1.0
        self.b = 1.0 / ((T * self.a) * h)
        self.mh = self.m * h

    def z(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            z: np.ndarray = ((x * self.h[:, None] - self.mh[:, None]) * self.a) * self.b[:, None]
        return z


def _softmax_sums(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """exp(z); S - 1 (the mass off one maximum, exactly) and W = sum e z."""
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        e = np.exp(z)
        tie = z == 0.0
        s1 = (tie.sum(axis=1) - 1.0) + np.where(tie, 0.0, e).sum(axis=1)
        w = np.where(e > 0.0, e * z, 0.0).sum(axis=1)
    return e, s1, w


def _kl_terms(P: np.ndarray, Q: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Q phi(d): the non-negative term p log(p/q) - p + q (series for |d| < 1/4)."""
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.zeros_like(d)
        for c in _PHI:
            s = s * d + c
        ser = (Q * (d * d)) * s
        direct = (Q - P) + np.where(P > 0.0, P * d, 0.0)
        out: np.ndarray = np.where(np.abs(d) < 0.25, ser, direct)
        return out


def _js_terms(P: np.ndarray, Q: np.ndarray, d: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        g = np.expm1(d)
        ep = g / (g + 2.0)
        e2 = ep * ep
        f = np.zeros_like(e2)
        for c in _JSF:
            f = f * e2 + c
        M = 0.5 * (P + Q)
        tp = np.where(P > 0.0, P * np.log(P / M), 0.0)
        tq = np.where(Q > 0.0, Q * np.log(Q / M), 0.0)
        out: np.ndarray = np.where(np.abs(ep) < 0.1, M * (e2 * f), tp + tq)
        return out


def exp_array(x: np.ndarray, out: np.ndarray, which: int, n_threads: int) -> None:
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        if which == 1:
            np.expm1(x, out=out)
        else:  # 0 exp; 2, 3, 4 the one-pass route's exps (exp on their ranges)
            np.exp(x, out=out)


def softmax_rows(
    x: np.ndarray,
    kind: int,
    temperature: float,
    grad_scale: float,
    lse: np.ndarray,
    ent: np.ndarray,
    logp: np.ndarray,
    probs: np.ndarray,
    grad: np.ndarray,
    out_kind: int,
    status: np.ndarray,
    n_threads: int,
) -> None:
    rows = x.shape[0]
    n = x.shape[1] // _dtype(kind).itemsize
    if rows == 0 or n == 0:
        return
    lp_o, pr_o, gr_o = _out(logp, out_kind), _out(probs, out_kind), _out(grad, out_kind)
    T = temperature
    for sl in _chunks(rows, n):
        xs = _decode(x[sl], kind)
        r = _Rows(xs, T)
        z = r.z(xs)
        e, s1, w = _softmax_sums(z)
        logS = np.log1p(s1)
        S = 1.0 + s1
        H = logS - w / S
        bad = r.status != OK
        status[sl] = r.status
        with np.errstate(invalid="ignore", over="ignore"):
            lse[sl] = np.where(r.status == MASKED, -np.inf, np.where(bad, np.nan, r.m / T + logS))
        ent[sl] = np.where(bad, np.nan, H)
        with np.errstate(invalid="ignore", over="ignore"):
            if lp_o is not None:
                lp = z - logS[:, None]
                lp[bad] = np.nan
                lp_o[sl] = lp
            if pr_o is not None or gr_o is not None:
                p = e * (1.0 / S)[:, None]
                if pr_o is not None:
                    pp = p.copy()
                    pp[bad] = np.nan
                    pr_o[sl] = pp
                if gr_o is not None:
                    t = np.where(e > 0.0, p * ((z - logS[:, None]) + H[:, None]), 0.0)
                    g = -((((t * r.h[:, None]) * r.a) * r.b[:, None]) * grad_scale)
                    g[bad] = np.nan
                    gr_o[sl] = g


def pair_rows(
    p: np.ndarray,
    q: np.ndarray,
    kind: int,
    temperature: float,
    mode: int,
    grad_scale: float,
    out: np.ndarray,
    grad_p: np.ndarray,
    grad_q: np.ndarray,
    out_kind: int,
    p_status: np.ndarray,
    q_status: np.ndarray,
    n_threads: int,
) -> None:
    """KL(P || Q) (mode 0) or Jensen-Shannon (mode 1), always by the accurate route: the
    kernel takes a shorter route on rows where it cannot cancel, to the same values."""
    rows = p.shape[0]
    n = p.shape[1] // _dtype(kind).itemsize
    if rows == 0 or n == 0:
        return
    gp_o, gq_o = _out(grad_p, out_kind), _out(grad_q, out_kind)
    T = temperature
    for sl in _chunks(rows, 2 * n):
        pa = _decode(p[sl], kind)
        qb = _decode(q[sl], kind)
        rp = _Rows(pa, T)
        rq = _Rows(qb, T)
        p_status[sl] = rp.status
        q_status[sl] = rq.status
        bad = (rp.status != OK) | (rq.status != OK)
        h = np.minimum(rp.h, rq.h)
        rp.set_h(h, T)
        rq.set_h(h, T)
        za, zb = rp.z(pa), rq.z(qb)
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            ea, eb = np.exp(za), np.exp(zb)
            dm = rp.mh - rq.mh
            ph, qh = pa * h[:, None], qb * h[:, None]
            u = (((ph - qh) - dm[:, None]) * rp.a) * rp.b[:, None]
            # u = za - zb exactly; take za - zb where its rounding (~ |za| + |zb|) is the
            # smaller: (a - b) - dm loses u when both differences are huge (1e17 gaps)
            ez = np.abs(ph - rp.mh[:, None]) + np.abs(qh - rq.mh[:, None])
            eu = np.abs(ph - qh) + np.abs(dm)[:, None]
            u = np.where(ez < eu, za - zb, u)
            uc = np.clip(u, -0.5, 0.5)
            g = np.expm1(uc)
            tb = zb == 0.0
            sb1 = (tb.sum(axis=1) - 1.0) + np.where(tb, 0.0, eb).sum(axis=1)
            D = np.where(np.abs(u) <= 0.5, eb * g, ea - eb).sum(axis=1)
            Sb = 1.0 + sb1
            c = np.log1p(D / Sb)
            Sa = Sb + D
            P = ea * (1.0 / Sa)[:, None]
            Q = eb * (1.0 / Sb)[:, None]
            d = u - c[:, None]
            if mode == 1:
                val = 0.5 * _js_terms(P, Q, d).sum(axis=1)
            else:
                val = _kl_terms(P, Q, d).sum(axis=1)
            val = np.maximum(val, 0.0)
        out[sl] = np.where(bad, np.nan, val)
        if gp_o is not None or gq_o is not None:
            logSb = np.log1p(sb1)
            cc = (logSb + c) - logSb
            with np.errstate(invalid="ignore", over="ignore"):
                hh, a, b = h[:, None], rp.a, rp.b[:, None]
                if gp_o is not None:
                    t = np.where(ea > 0.0, P * (((za - zb) - cc[:, None]) - val[:, None]), 0.0)
                    gpv = (((t * hh) * a) * b) * grad_scale
                    gpv[bad] = np.nan
                    gp_o[sl] = gpv
                if gq_o is not None:
                    # Q - P as the kernel forms it (exactly +0 where P == Q)
                    iSa, iSb = (1.0 / Sa)[:, None], (1.0 / Sb)[:, None]
                    dqp = (eb - ea) * iSb + ea * (iSb - iSa)
                    gqv = (((dqp * hh) * a) * b) * grad_scale
                    gqv[bad] = np.nan
                    gq_o[sl] = gqv


def cross_entropy_rows(
    x: np.ndarray,
    kind: int,
    temperature: float,
    mode: int,
    labels: np.ndarray,
    target: np.ndarray,
    smoothing: float,
    out: np.ndarray,
    target_stats: np.ndarray,
    status: np.ndarray,
    target_status: np.ndarray,
    n_threads: int,
) -> None:
    rows = x.shape[0]
    n = x.shape[1] // _dtype(kind).itemsize
    if rows == 0 or n == 0:
        return
    T = temperature
    eps = smoothing
    for sl in _chunks(rows, 2 * n):
        xs = _decode(x[sl], kind)
        r = _Rows(xs, T)
        status[sl] = r.status
        tstat = np.zeros(r.status.shape, dtype=np.int8)
        target_stats[sl, 0] = 1.0
        target_stats[sl, 1] = 0.0
        z = r.z(xs)
        _, s1, _ = _softmax_sums(z)
        logS = np.log1p(s1)
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            if mode == 0:
                lab = labels[sl]
                zy = z[np.arange(z.shape[0]), np.maximum(lab, 0)]
                main = logS - zy
            elif mode == 1:
                t = _decode(target[sl], kind)
                tz = np.where(t == 0.0, 0.0, t * z).sum(axis=1)
                st = t.sum(axis=1)
                target_stats[sl, 0] = st
                target_stats[sl, 1] = t.min(axis=1)
                main = st * logS - tz
            else:
                t = _decode(target[sl], kind)
                rt = _Rows(t, T)
                tstat = rt.status
                et = np.exp(rt.z(t))
                tz = np.where(et > 0.0, et * z, 0.0).sum(axis=1)
                main = logS - tz / et.sum(axis=1)
            res = (1.0 - eps) * main if eps < 1.0 else np.zeros_like(main)
            if eps > 0.0:
                fin = z > -np.inf
                zs = np.where(fin, z, 0.0).sum(axis=1)
                res = res + eps * (logS - zs / fin.sum(axis=1))
        target_status[sl] = tstat
        bad = (r.status != OK) | (tstat != OK)
        res = np.where(bad, np.nan, res)
        if mode == 0:
            res = np.where(~bad & (labels[sl] < 0), 0.0, res)
        out[sl] = res


def uncertainty_rows(
    x: np.ndarray, kind: int, temperature: float, out: np.ndarray, status: np.ndarray,
    n_threads: int,
) -> None:
    rows, M = x.shape[0], x.shape[1]
    n = x.shape[2] // _dtype(kind).itemsize
    if rows == 0 or n == 0 or M == 0:
        return
    T = temperature
    for sl in _chunks(rows, M * n):
        xs = _decode(x[sl], kind)  # (r, M, n)
        r = xs.shape[0]
        flat = xs.reshape(r * M, n)
        rr = _Rows(flat, T)
        z = rr.z(flat)
        e, s1, w = _softmax_sums(z)
        logS = np.log1p(s1)
        S = 1.0 + s1
        H = (logS - w / S).reshape(r, M)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            P = (e * (1.0 / S)[:, None]).reshape(r, M, n)
            LP = (z - logS[:, None]).reshape(r, M, n)
            pbar = P[:, 0].copy()
            for m in range(1, M):
                pbar += P[:, m]
            invM = 1.0 / M
            pbar = pbar * invM
            lpbar = np.log(pbar)
            mi = np.zeros(r)
            for m in range(M):
                mi += _kl_terms(P[:, m], pbar, LP[:, m] - lpbar).sum(axis=1)
        mi = np.maximum(mi * invM, 0.0)
        alea = np.zeros(r)
        for m in range(M):
            alea += H[:, m]
        alea = alea * invM
        st = rr.status.reshape(r, M)
        # the kernel reports the first member whose row is not ok
        first = np.where(st != OK, st, 0)
        idx = np.argmax(st != OK, axis=1)
        row_status = first[np.arange(r), idx]
        top = np.sort(pbar, axis=1)
        t1 = top[:, -1]
        margin = t1 - top[:, -2] if n > 1 else t1
        res = np.stack([alea + mi, alea, mi, t1, margin], axis=1)
        res[row_status != OK] = np.nan
        out[sl] = res
        status[sl] = row_status
