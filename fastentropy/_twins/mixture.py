"""NumPy twin of ``_kernels/mixture``: same functions, signatures and conventions.

A mixture reaches the kernels as three arrays of its positive-weight components:
``logc[j] = log w_j - d/2 log(2 pi) - sum_r log L_j[r, r]``, ``means`` (K, d) and ``chol``
(K, d, d), the lower Cholesky factors ``L_j`` of the covariances. The random stream is the
Philox4x32-10 one described in ``fastentropy/_philox.py``, computed here in uint64 arithmetic;
the triangular solves, sample transforms and log-sum-exp use the kernel's operation order, so
both backends agree to rounding (the kernel's exp/log are within an ulp of numpy's).
``n_threads`` is ignored.
"""
from __future__ import annotations

import numpy as np

from fastentropy._philox import PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1

TILE = 256  # samples per tile in the kernel (the twin's chunks are whole tiles)
_CHUNK = 1 << 16  # points per twin chunk (bounded temporaries)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO_M53 = 2.0**-53


def _philox(c0: np.ndarray, c1: np.ndarray, c2: np.ndarray, c3: np.ndarray,
            k0: int, k1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Philox4x32-10 on uint64 arrays holding 32-bit words (32 x 32-bit products fit)."""
    m0, m1 = np.uint64(PHILOX_M0), np.uint64(PHILOX_M1)
    s32 = np.uint64(32)
    key0, key1 = k0 & 0xFFFFFFFF, k1 & 0xFFFFFFFF
    for r in range(PHILOX_ROUNDS):
        if r > 0:
            key0 = (key0 + PHILOX_W0) & 0xFFFFFFFF
            key1 = (key1 + PHILOX_W1) & 0xFFFFFFFF
        p0 = m0 * c0
        p1 = m1 * c2
        c0, c1, c2, c3 = (
            (p1 >> s32) ^ c1 ^ np.uint64(key0),
            p1 & _MASK32,
            (p0 >> s32) ^ c3 ^ np.uint64(key1),
            p0 & _MASK32,
        )
    return c0, c1, c2, c3


def philox_blocks(ctr: np.ndarray, key0: int, key1: int, out: np.ndarray) -> None:
    """out[i] = Philox4x32-10(ctr[i], (key0, key1)); (n, 4) uint32 arrays."""
    c = ctr.astype(np.uint64)
    w = _philox(c[:, 0], c[:, 1], c[:, 2], c[:, 3], key0, key1)
    for j in range(4):
        out[:, j] = w[j].astype(np.uint32)


def _unit(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    bits = ((hi << np.uint64(32)) | lo) >> np.uint64(11)
    u: np.ndarray = (bits.astype(np.float64) + 0.5) * _TWO_M53
    return u


def _normals(start: int, n: int, d: int, key0: int, key1: int) -> np.ndarray:
    """(n, d) standard normals of samples start .. start + n - 1 (see _philox.py)."""
    g = np.arange(start, start + n, dtype=np.uint64)
    lo, hi = g & _MASK32, g >> np.uint64(32)
    zero = np.zeros(n, dtype=np.uint64)
    z = np.empty((n, 2 * ((d + 1) // 2)))
    for b in range((d + 1) // 2):
        w = _philox(lo, hi, np.full(n, b, dtype=np.uint64), zero, key0, key1)
        u, v = _unit(w[0], w[1]), _unit(w[2], w[3])
        rad = np.sqrt(-2.0 * np.log(u))
        cs, sn = _sincos_2pi(v)
        z[:, 2 * b] = rad * cs
        z[:, 2 * b + 1] = rad * sn
    return z[:, :d]


def _sincos_2pi(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cos(2 pi v), sin(2 pi v) with the kernel's operations (``fp_sincos_2pi``)."""
    w = 4.0 * v
    n = (w + 6755399441055744.0) - 6755399441055744.0
    th = (w - n) * 1.5707963267948966192
    t2 = th * th
    ps = -2.5052108385441720e-08 + t2 * (1.6059043836821613e-10
                                         + t2 * (-7.6471637318198164e-13
                                                 + t2 * 2.8114572543455206e-15))
    sn = th + th * t2 * (-0.16666666666666666 + t2 * (8.3333333333333332e-03
                         + t2 * (-1.9841269841269841e-04 + t2 * (2.7557319223985893e-06
                                                                 + t2 * ps))))
    pc = 2.0876756987868100e-09 + t2 * (-1.1470745597729725e-11
                                        + t2 * (4.7794773323873853e-14
                                                + t2 * -1.5619206968586225e-16))
    cs = 1.0 + t2 * (-0.5 + t2 * (4.1666666666666664e-02
                     + t2 * (-1.3888888888888889e-03 + t2 * (2.4801587301587302e-05
                                                             + t2 * (-2.7557319223985888e-07
                                                                     + t2 * pc)))))
    q = n.astype(np.int64) & 3
    odd = (q & 1) == 1
    a = np.where(odd, sn, cs)
    b = np.where(odd, cs, sn)
    c_out = np.where((q == 1) | (q == 2), -a, a)
    s_out = np.where(q >= 2, -b, b)
    return c_out, s_out


def normals(start: int, key0: int, key1: int, out: np.ndarray) -> None:
    """out (n, d) = the standard normals of samples start .. start + n - 1."""
    out[...] = _normals(start, out.shape[0], out.shape[1], key0, key1)


def _transform(z: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """mean + L z per row, accumulated in the kernel's order (mean, then c = 0 .. r)."""
    d = z.shape[1]
    x = np.empty_like(z)
    with np.errstate(over="ignore", invalid="ignore"):
        _transform_into(x, z, mean, chol, d)
    return x


def _transform_into(x: np.ndarray, z: np.ndarray, mean: np.ndarray, chol: np.ndarray,
                    d: int) -> None:
    for r in range(d):
        acc = np.full(z.shape[0], mean[r])
        for c in range(r + 1):
            acc = acc + chol[r, c] * z[:, c]
        x[:, r] = acc


def _logpdf(x: np.ndarray, logc: np.ndarray, means: np.ndarray, chol: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return _logpdf_impl(x, logc, means, chol)


def _logpdf_impl(x: np.ndarray, logc: np.ndarray, means: np.ndarray,
                 chol: np.ndarray) -> np.ndarray:
    n, d = x.shape
    k = logc.shape[0]
    v = np.empty((k, n))
    for j in range(k):
        L = chol[j]
        y = np.empty((d, n))
        q = np.zeros(n)
        for r in range(d):
            t = x[:, r] - means[j, r]
            for c in range(r):
                t = t - L[r, c] * y[c]
            y[r] = t * (1.0 / L[r, r])
            q = q + y[r] * y[r]
        # a distance that overflowed (inf, or NaN from inf - inf) is a density of 0
        v[j] = np.where(q == q, logc[j] - 0.5 * q, -np.inf)
    m = v.max(axis=0)
    s = np.zeros(n)
    with np.errstate(invalid="ignore"):
        for j in range(k):
            s = s + np.exp(v[j] - m)
        out: np.ndarray = np.where(m == -np.inf, -np.inf, m + np.log(s))
    return out


def log_density(x: np.ndarray, logc: np.ndarray, means: np.ndarray, chol: np.ndarray,
                out: np.ndarray, n_threads: int) -> None:
    """out[i] = log sum_j exp(logc[j] + log N(x[i]; 0-normalised component j))."""
    for s in range(0, x.shape[0], _CHUNK):
        e = min(s + _CHUNK, x.shape[0])
        out[s:e] = _logpdf(np.asarray(x[s:e]), logc, means, chol)


def sample(counts: np.ndarray, means: np.ndarray, chol: np.ndarray, key0: int, key1: int,
           out: np.ndarray, n_threads: int) -> None:
    """out rows offset_k .. offset_k + counts[k] - 1 hold component k's samples."""
    d = means.shape[1]
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            z = _normals(off + s, e - s, d, key0, key1)
            out[off + s : off + e] = _transform(z, means[k], chol[k])
        off += nk


def kl_mc(counts: np.ndarray, key0: int, key1: int,
          p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
          q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
          comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """Per component k of p: mean and sum of squared deviations of log p(x) - log q(x) over
    its counts[k] samples (drawn as :func:`sample` draws them)."""
    d = p_means.shape[1]
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        f = np.empty(nk)
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            x = _transform(_normals(off + s, e - s, d, key0, key1), p_means[k], p_chol[k])
            with np.errstate(invalid="ignore"):
                f[s:e] = _logpdf(x, p_logc, p_means, p_chol) - _logpdf(x, q_logc, q_means,
                                                                     q_chol)
        with np.errstate(invalid="ignore", over="ignore"):
            mu = float(f.mean()) if nk else 0.0
            comp_mean[k] = mu
            comp_m2[k] = float(np.sum((f - mu) ** 2)) if nk else 0.0
        off += nk


_NDTRI_LO = 2.0**-53


def _ndtri(u: np.ndarray) -> np.ndarray:
    """Phi^-1(u) with u clipped to [2^-53, 1 - 2^-53], the kernel's ``mx_ndtri`` operations:
    the Abramowitz-Stegun 26.2.23 start, then two Halley steps on Phi(z) = p = min(u, 1 - u)."""
    from scipy.special import erfc

    u = np.where(u >= _NDTRI_LO, u, _NDTRI_LO)  # NaN too, as the kernel
    u = np.where(u > 1.0 - _NDTRI_LO, 1.0 - _NDTRI_LO, u)
    upper = u > 0.5
    p = np.where(upper, 1.0 - u, u)
    t = np.sqrt(-2.0 * np.log(p))
    z = -(t - (2.515517 + t * (0.802853 + t * 0.010328))
          / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))))
    for _ in range(2):
        r = (0.5 * erfc(-z * 0.70710678118654752440) - p) * (
            2.5066282746310002416 * np.exp(0.5 * z * z))
        z = z - r / (1.0 + 0.5 * z * r)
    out: np.ndarray = np.where(upper, -z, z)
    return out


def ndtri(u: np.ndarray, out: np.ndarray) -> None:
    """out[i] = Phi^-1(u[i]) with u clipped to [2^-53, 1 - 2^-53]."""
    out[...] = _ndtri(np.asarray(u, dtype=np.float64))


def kl_mc_pairs(pairs: np.ndarray, key0: int, key1: int,
                p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
                q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
                comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """Antithetic pairs: pair g of component k is mu + L z and mu - L z (z the normals of
    sample index g, as :func:`sample` draws them); per component, the mean and sum of squared
    deviations of the pair means of log p - log q."""
    d = p_means.shape[1]
    off = 0
    for k in range(pairs.shape[0]):
        nk = int(pairs[k])
        f = np.empty(nk)
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            z = _normals(off + s, e - s, d, key0, key1)
            x = np.concatenate([_transform(z, p_means[k], p_chol[k]),
                                _transform(-z, p_means[k], p_chol[k])])
            with np.errstate(invalid="ignore"):
                g = _logpdf(x, p_logc, p_means, p_chol) - _logpdf(x, q_logc, q_means, q_chol)
            f[s:e] = 0.5 * (g[: e - s] + g[e - s :])
        with np.errstate(invalid="ignore", over="ignore"):
            mu = float(f.mean()) if nk else 0.0
            comp_mean[k] = mu
            comp_m2[k] = float(np.sum((f - mu) ** 2)) if nk else 0.0
        off += nk


def kl_qmc(u: np.ndarray, counts: np.ndarray, comp: np.ndarray,
           p_logc: np.ndarray, p_means: np.ndarray, p_chol: np.ndarray,
           q_logc: np.ndarray, q_means: np.ndarray, q_chol: np.ndarray,
           strat_mean: np.ndarray, n_threads: int) -> None:
    """Stratum s: the next counts[s] rows of u mapped to mu_c + L_c Phi^-1(u), c = comp[s];
    strat_mean[s] = mean of log p - log q over them."""
    K = p_logc.shape[0]
    if ((comp < 0) | (comp >= K)).any() or (counts < 1).any():
        raise ValueError("kl_qmc: comp must index p's components, counts must be >= 1")
    if int(counts.sum()) != u.shape[0] or (counts.size and u.shape[1] != p_means.shape[1]):
        raise ValueError("kl_qmc: u must have sum(counts) rows of dimension d")
    off = 0
    for s in range(counts.shape[0]):
        c, n = int(comp[s]), int(counts[s])
        total = 0.0
        for a in range(off, off + n, _CHUNK):
            b = min(a + _CHUNK, off + n)
            x = _transform(_ndtri(np.asarray(u[a:b])), p_means[c], p_chol[c])
            with np.errstate(invalid="ignore"):
                total += float(np.sum(_logpdf(x, p_logc, p_means, p_chol)
                                      - _logpdf(x, q_logc, q_means, q_chol)))
        strat_mean[s] = total / n
        off += n
