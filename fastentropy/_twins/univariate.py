"""NumPy twin of ``_kernels/univariate``: same functions, signatures and conventions.

A univariate mixture reaches the kernels in a reduced form shared by its five families (codes
``GAUSSIAN = 0``, ``EXPONENTIAL = 1``, ``RAYLEIGH = 2``, ``GAMMA = 3``, ``LAPLACE = 4``)::

    log m(x) = hc log x + log sum_j exp(logc_j - phi(z_j)),   z_j = (x - loc_j) inv_j

with ``phi(z) = z^2 / 2`` (gaussian, rayleigh), ``z`` (exponential, gamma) and ``|z|``
(laplace); ``hc`` is 1 for rayleigh, ``shape - 1`` for gamma and 0 otherwise (the term is
dropped when ``hc == 0``, so ``x = 0`` is fine); exponential, rayleigh and gamma have support
``[0, inf)`` (``log m = -inf`` for ``x < 0``) and ``loc = 0``.

Sampling (not gamma, which the facade samples with numpy's Generator): sample ``g`` (its global
index in the stratified allocation) uses the Philox4x32-10 block at counter
``(g mod 2^32, g div 2^32, 0, 0)`` under the pair's key, giving ``u``, ``v`` in (0, 1] as in
``fastentropy/_philox.py``; with ``e = -log u``:

- gaussian: ``loc + sqrt(2 e) cos(2 pi v) / inv`` (``cos`` by the branch-free ``fp_sincos_2pi``);
- exponential: ``e / inv``; rayleigh: ``sqrt(2 e) / inv``;
- laplace: ``loc - e / inv`` if ``v < 1/2`` else ``loc + e / inv``.

(The kernel's ``log`` is the vectorised ``fe_log``, within an ulp of numpy's, so samples agree
to rounding.)

Monte Carlo statistics are per component of p (mean and sum of squared deviations of
``log p - log q``); the kernel merges tile partials in tile order, this twin works per component
at once (the two agree to rounding). ``n_threads`` is ignored.
"""
from __future__ import annotations

import numpy as np

from fastentropy._twins.mixture import _MASK32, _philox, _sincos_2pi, _unit

TILE = 256
GAUSSIAN, EXPONENTIAL, RAYLEIGH, GAMMA, LAPLACE = 0, 1, 2, 3, 4
_CHUNK = 1 << 15


def _logpdf(x: np.ndarray, family: int, hc: float, logc: np.ndarray, loc: np.ndarray,
            inv: np.ndarray) -> np.ndarray:
    n = x.shape[0]
    k = logc.shape[0]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        v = np.empty((k, n))
        for j in range(k):
            z = (x - loc[j]) * inv[j]
            if family in (GAUSSIAN, RAYLEIGH):
                ph = 0.5 * (z * z)
            elif family == LAPLACE:
                ph = np.abs(z)
            else:
                ph = z
            v[j] = logc[j] - ph
        m = v.max(axis=0)
        s = np.zeros(n)
        for j in range(k):
            s = s + np.exp(v[j] - m)
        out = np.where(m == -np.inf, -np.inf, m + np.log(s))
        if family in (EXPONENTIAL, RAYLEIGH, GAMMA):
            if hc != 0.0:
                out = np.where(x >= 0.0, out + hc * np.log(np.maximum(x, 0.0)), -np.inf)
            else:
                out = np.where(x >= 0.0, out, -np.inf)
        out = np.where(out == out, out, -np.inf)
    res: np.ndarray = out
    return res


def log_density(x: np.ndarray, family: int, hc: float, logc: np.ndarray, loc: np.ndarray,
                inv: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    """out[i] = log m(x[i]) (see the module doc)."""
    for s in range(0, x.shape[0], _CHUNK):
        e = min(s + _CHUNK, x.shape[0])
        out[s:e] = _logpdf(np.asarray(x[s:e]), family, hc, logc, loc, inv)


def _draw(start: int, n: int, family: int, loc: float, inv: float, key0: int,
          key1: int) -> np.ndarray:
    g = np.arange(start, start + n, dtype=np.uint64)
    zero = np.zeros(n, dtype=np.uint64)
    w = _philox(g & _MASK32, g >> np.uint64(32), zero, zero, key0, key1)
    u, v = _unit(w[0], w[1]), _unit(w[2], w[3])
    e = -np.log(u)
    if family == GAUSSIAN:
        cs, _ = _sincos_2pi(v)
        x: np.ndarray = loc + (np.sqrt(2.0 * e) * cs) / inv
    elif family == EXPONENTIAL:
        x = e / inv
    elif family == RAYLEIGH:
        x = np.sqrt(2.0 * e) / inv
    else:  # laplace
        x = np.where(v < 0.5, loc - e / inv, loc + e / inv)
    return x


def sample(counts: np.ndarray, family: int, loc: np.ndarray, inv: np.ndarray, key0: int,
           key1: int, out: np.ndarray, n_threads: int) -> None:
    """out[offset_k : offset_k + counts[k]] = component k's samples (families 0, 1, 2, 4)."""
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            out[off + s : off + e] = _draw(off + s, e - s, family, float(loc[k]),
                                           float(inv[k]), key0, key1)
        off += nk


def _stats(f: np.ndarray) -> tuple[float, float]:
    with np.errstate(invalid="ignore", over="ignore"):
        if f.size == 0:
            return 0.0, 0.0
        mu = float(f.mean())
        return mu, float(np.sum((f - mu) ** 2))


def kl_mc(counts: np.ndarray, key0: int, key1: int,
          p_family: int, p_hc: float, p_logc: np.ndarray, p_loc: np.ndarray, p_inv: np.ndarray,
          q_family: int, q_hc: float, q_logc: np.ndarray, q_loc: np.ndarray, q_inv: np.ndarray,
          comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """Per component k of p (families 0, 1, 2, 4): mean and sum of squared deviations of
    log p(x) - log q(x) over its counts[k] samples (drawn as :func:`sample` draws them)."""
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        x = np.empty(nk)
        for s in range(0, nk, _CHUNK):
            e = min(s + _CHUNK, nk)
            x[s:e] = _draw(off + s, e - s, p_family, float(p_loc[k]), float(p_inv[k]),
                           key0, key1)
        with np.errstate(invalid="ignore"):
            f = (_logpdf(x, p_family, p_hc, p_logc, p_loc, p_inv)
                 - _logpdf(x, q_family, q_hc, q_logc, q_loc, q_inv))
        comp_mean[k], comp_m2[k] = _stats(f)
        off += nk


def kl_points(x: np.ndarray, counts: np.ndarray,
              p_family: int, p_hc: float, p_logc: np.ndarray, p_loc: np.ndarray,
              p_inv: np.ndarray,
              q_family: int, q_hc: float, q_logc: np.ndarray, q_loc: np.ndarray,
              q_inv: np.ndarray,
              comp_mean: np.ndarray, comp_m2: np.ndarray, n_threads: int) -> None:
    """As :func:`kl_mc` on given points: x[offset_k : offset_k + counts[k]] are component
    k's samples."""
    off = 0
    for k in range(counts.shape[0]):
        nk = int(counts[k])
        xs = np.asarray(x[off : off + nk])
        with np.errstate(invalid="ignore"):
            f = (_logpdf(xs, p_family, p_hc, p_logc, p_loc, p_inv)
                 - _logpdf(xs, q_family, q_hc, q_logc, q_loc, q_inv))
        comp_mean[k], comp_m2[k] = _stats(f)
        off += nk
