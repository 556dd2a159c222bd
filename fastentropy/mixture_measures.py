"""The wider mixture family: entropy, cross-entropy, Jensen-Shannon, Jeffreys, f-divergences,
Cauchy-Schwarz divergence and Renyi-2 entropy of Gaussian mixtures.

The models are :class:`~fastentropy.mixture.GaussianMixture` objects (or anything
:func:`~fastentropy.mixture.as_gaussian_mixture` accepts, e.g. a fitted scikit-learn
``GaussianMixture``); the sampling functions return the same
:class:`~fastentropy.mixture.MixtureDivergence` as :func:`kl_divergence_mixture` (``estimate``,
``stderr``, ``lower``, ``upper``, ``n_samples``, ``method``). Results are in nats unless
``base=`` says otherwise.

Monte Carlo (``method='mc'``) is stratified by the components of the sampling density (the
"proposal"): ``n_k = floor(n w_k)`` samples of component ``k`` (the rest by largest remainder,
at least 2 each), and the estimate is ``sum_k w_k mean_k(h)`` for the integrand ``h``, with the
stratified standard error ``sqrt(sum_k w_k^2 s_k^2 / n_k)`` of what was drawn. ``tol=`` keeps
sampling in doubling rounds until the standard error is at most ``tol`` (stopping with a
RuntimeWarning before passing 2**27 samples). The proposal is ``p`` for the entropy and the
cross-entropy, and the equal-weight mixture ``r = (p + q) / 2`` (stratified over the components
of both) for the Jensen-Shannon divergence and the f-divergences: ``r`` covers both densities,
so ``p / r <= 2`` and ``q / r <= 2`` and every integrand is a function of ``t = log p - log q``
alone, written in a form that stays accurate near ``p == q`` (``1 - sech(t/2)`` as
``2 sinh^2(t/4) / cosh(t/2)``, ``expm1`` for the alpha family).

Random numbers: the Philox4x32-10 stream of the mixture family (``fastentropy/_philox.py``):
samples are drawn in blocks of at most 2**18, block ``b`` under the key of stream
``(0, b)`` below ``random_state``'s ``SeedSequence``; the same ``random_state`` gives the same
samples on both backends (to rounding) and bitwise the same results for any ``n_jobs``.

Quadrature (``method='quad'``, 1-D only): adaptive 20-point Gauss-Legendre over the mixtures'
mass (every component to 39 standard deviations) in standard coordinates, to about ``1e-11``
relative to the integral of the integrand's absolute value.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ._parallel import resolve_n_jobs
from ._philox import pair_key
from ._quadrature import adaptive_sum, warn_unconverged
from ._validation import check_base, check_choice, log_base_divisor
from .mixture import (
    _MC_MAX_TOTAL,
    GaussianMixture,
    MixtureDivergence,
    _allocate,
    _k,
    _kl_analytic,
    _kl_mc,
    _lse,
    _mixture,
    _pairwise_log_overlap,
    _sample_count,
    _sampling_args,
    _scaled,
    _terms,
    _threads,
    kl_divergence_gaussian,
)

__all__: list[str] = [
    "entropy_mixture",
    "cross_entropy_mixture",
    "jensen_shannon_mixture",
    "jeffreys_divergence_mixture",
    "f_divergence_mixture",
    "F_DIVERGENCES",
    "cauchy_schwarz_divergence",
    "renyi2_entropy_mixture",
]

F_DIVERGENCES = ("hellinger", "total_variation", "chi2", "reverse_kl", "alpha")

_LOG_2PI = math.log(2.0 * math.pi)
_LOG2 = math.log(2.0)
#: samples per block (one kernel call each: bounded memory whatever n_samples or tol)
_BLOCK = 1 << 18
#: 'auto' fills in the analytic bounds when K_p * K_q is at most this
_CHEAP_PAIRS = 4096

_Result = tuple[float, float | None, float | None, float | None, int, str]
_Comp = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # w, logc, means, chol


# ----------------------------------------------------------------------------------------------
# shared argument handling
# ----------------------------------------------------------------------------------------------
def _pair_models(p: Any, q: Any) -> tuple[GaussianMixture, GaussianMixture]:
    gp = _mixture(p, "p")
    gq = _mixture(q, "q")
    if gq.n_features != gp.n_features:
        raise ValueError(
            f"q must have the same dimension as p ({gp.n_features}), got {gq.n_features}"
        )
    return gp, gq


def _check_quad(method: str, d: int, n_jobs: Any) -> None:
    resolve_n_jobs(n_jobs)  # validated whichever method runs
    if method == "quad" and d != 1:
        raise ValueError(f"method='quad' needs 1-D mixtures, got dimension {d}; use 'mc'")


def _single(gm: GaussianMixture) -> tuple[np.ndarray, np.ndarray]:
    i = int(gm._active[0])
    return gm.means[i], gm.full_covariances()[i]


def _closed(fn: Callable[[], float], who: str) -> float:
    """A closed form between single Gaussians; float64 failures become errors naming
    ``who``."""
    try:
        with np.errstate(all="ignore"):
            val = float(fn())
    except (ValueError, np.linalg.LinAlgError):
        val = math.nan
    if math.isnan(val):
        raise ValueError(
            f"{who}: the closed form overflowed (means or covariances too extreme in scale for "
            "float64 arithmetic); rescale the data the mixtures model"
        )
    return val


def _gaussian_entropy(cov: np.ndarray) -> float:
    d = cov.shape[0]
    L = np.linalg.cholesky(cov)
    return float(0.5 * d * (_LOG_2PI + 1.0) + np.log(np.diagonal(L)).sum())


# ----------------------------------------------------------------------------------------------
# stratified Monte Carlo over a proposal mixture
# ----------------------------------------------------------------------------------------------
def _blocks(counts: np.ndarray) -> list[np.ndarray]:
    """Split per-component counts into blocks of at most ``_BLOCK`` samples (fixed rule)."""
    total = int(counts.sum())
    nb = max(1, -(-total // _BLOCK))
    return [(counts * (b + 1)) // nb - (counts * b) // nb for b in range(nb)]


def _merge(mean: np.ndarray, m2: np.ndarray, n: np.ndarray, mb: np.ndarray, m2b: np.ndarray,
           nb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Chan et al.'s merge of per-component (mean, M2, count) statistics."""
    tot = n + nb
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        frac = np.where(tot > 0, nb / np.where(tot > 0, tot, 1.0), 0.0)
        delta = mb - mean
        mean = mean + delta * frac
        m2 = m2 + m2b + delta * delta * (n * frac)
    return mean, m2, tot


def _draw(prop: _Comp, evals: list[_Comp], h: Callable[[list[np.ndarray]], np.ndarray],
          counts: np.ndarray, child: np.random.SeedSequence, first_block: int,
          n_jobs: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Per-component (mean, M2, count) of ``h`` over ``counts`` samples of ``prop``, drawn in
    blocks ``first_block, first_block + 1, ...``; returns the next block index too."""
    _, _, pmu, pchol = prop
    kp, d = pmu.shape
    mean = np.zeros(kp)
    m2 = np.zeros(kp)
    n = np.zeros(kp)
    block = first_block
    for bc in _blocks(counts):
        nt = int(bc.sum())
        k0, k1 = pair_key(child, block)
        block += 1
        if nt == 0:
            continue
        x = np.empty((nt, d))
        _k().sample(np.ascontiguousarray(bc, dtype=np.int64), pmu, pchol, k0, k1, x,
                    _threads(n_jobs, -(-nt // 256), nt * d))
        logs = []
        for _, logc, mu, chol in evals:
            out = np.empty(nt)
            _k().log_density(x, logc, mu, chol, out,
                             _threads(n_jobs, -(-nt // 256), nt * logc.shape[0] * d))
            logs.append(out)
        with np.errstate(all="ignore"):
            f = h(logs)
        mb = np.zeros(kp)
        m2b = np.zeros(kp)
        off = 0
        for j in range(kp):
            c = int(bc[j])
            if c:
                seg = f[off:off + c]
                mu_j = float(seg.mean())
                mb[j] = mu_j
                with np.errstate(all="ignore"):
                    m2b[j] = float(np.sum((seg - mu_j) ** 2))
            off += c
        mean, m2, n = _merge(mean, m2, n, mb, m2b, bc.astype(np.float64))
    return mean, m2, n, block


def _stats(w: np.ndarray, mean: np.ndarray, m2: np.ndarray, n: np.ndarray,
           who: str) -> tuple[float, float]:
    with np.errstate(invalid="ignore", over="ignore"):
        est = float(np.dot(w, mean))
        var = float(np.sum(w * w * (m2 / (n - 1.0)) / n))
    if not (math.isfinite(est) and math.isfinite(var)):
        raise ValueError(
            f"{who}: the Monte Carlo integrand overflowed at the samples (the divergence may be "
            "infinite, or the means or covariances too extreme in scale for float64)"
        )
    return est, var


def _mc(prop: _Comp, evals: list[_Comp], h: Callable[[list[np.ndarray]], np.ndarray], ns: int,
        tol: float | None, ss: np.random.SeedSequence, n_jobs: int | None,
        who: str) -> tuple[float, float, int]:
    """(estimate, stderr, samples drawn) of E_prop[h] by stratified Monte Carlo (+ tol=)."""
    w = prop[0]
    child = np.random.SeedSequence(ss.entropy, spawn_key=tuple(ss.spawn_key) + (0,),
                                   pool_size=ss.pool_size)
    counts = np.maximum(_allocate(w, ns), 2)
    mean, m2, n, block = _draw(prop, evals, h, counts, child, 0, n_jobs)
    est, var = _stats(w, mean, m2, n, who)
    if tol is not None:
        while math.sqrt(var) > tol:
            if 2 * int(n.sum()) > _MC_MAX_TOTAL:
                warnings.warn(
                    f"tol={tol!r} was not reached within {_MC_MAX_TOTAL} samples; the result "
                    f"has stderr {math.sqrt(var):.3g} (from {int(n.sum())} samples)",
                    RuntimeWarning,
                    stacklevel=4,
                )
                break
            mb, m2b, nb, block = _draw(prop, evals, h, n.astype(np.int64), child, block,
                                       n_jobs)
            mean, m2, n = _merge(mean, m2, n, mb, m2b, nb)
            est, var = _stats(w, mean, m2, n, who)
    return est, math.sqrt(var), int(n.sum())


def _comp(gm: GaussianMixture, scale: float = 1.0) -> _Comp:
    w, logc, mu, chol = gm._kernel_args()
    return w * scale, logc, mu, chol


def _half_half(gp: GaussianMixture, gq: GaussianMixture) -> _Comp:
    """The proposal r = (p + q)/2 as one list of components (p's, then q's)."""
    wp, lp, mp, cp = _comp(gp, 0.5)
    wq, lq, mq, cq = _comp(gq, 0.5)
    return (np.concatenate([wp, wq]), np.concatenate([lp, lq]) - _LOG2,
            np.ascontiguousarray(np.concatenate([mp, mq])),
            np.ascontiguousarray(np.concatenate([cp, cq])))


# ----------------------------------------------------------------------------------------------
# integrands of t = log p - log q against r = (p + q) / 2 (so p/r = 2 sigma(t), q/r = 2 sigma(-t))
# ----------------------------------------------------------------------------------------------
def _sig2(t: np.ndarray) -> np.ndarray:
    """2 sigma(t) = p / r, computed without overflow."""
    out: np.ndarray = 2.0 * np.exp(-np.logaddexp(0.0, -t))
    return out


def _h_js(t: np.ndarray) -> np.ndarray:
    """(a log a + b log b) / 2 with a = 1 + u, b = 1 - u, u = tanh(t/2): in [0, log 2].
    For |u| < 0.1 the series sum_k u^2k / (2 k (2k - 1)) (positive terms, no cancellation)."""
    u = np.tanh(0.5 * t)
    a_part = np.where(u == -1.0, 0.0, (1.0 + u) * np.log1p(u))
    b_part = np.where(u == 1.0, 0.0, (1.0 - u) * np.log1p(-u))
    direct = 0.5 * (a_part + b_part)
    small = np.abs(u) < 0.1
    u2 = np.where(small, u * u, 0.0)
    series = np.zeros_like(u2)
    for k in range(9, 0, -1):  # smallest terms first
        series = series * u2 + 1.0 / (2.0 * k * (2.0 * k - 1.0))
    series = series * u2
    out: np.ndarray = np.clip(np.where(small, series, direct), 0.0, _LOG2)
    return out


def _h_hellinger(t: np.ndarray) -> np.ndarray:
    """(sqrt a - sqrt b)^2 / 2 = 1 - sech(t/2), as 2 sinh^2(t/4) / cosh(t/2) near 0."""
    small = np.abs(t) < 2.0
    ts = np.where(small, t, 0.0)
    near = 2.0 * np.sinh(0.25 * ts) ** 2 / np.cosh(0.5 * ts)
    far = 1.0 - 1.0 / np.cosh(0.5 * t)
    out: np.ndarray = np.clip(np.where(small, near, far), 0.0, 1.0)
    return out


def _h_tv(t: np.ndarray) -> np.ndarray:
    """|a - b| / 2 = |tanh(t/2)|."""
    out: np.ndarray = np.abs(np.tanh(0.5 * t))
    return out


def _h_chi2(t: np.ndarray) -> np.ndarray:
    """(a - b)^2 / b = 2 tanh^2(t/2) (1 + e^t)."""
    out: np.ndarray = 2.0 * np.tanh(0.5 * t) ** 2 * (1.0 + np.exp(t))
    return out


def _h_jeffreys(t: np.ndarray) -> np.ndarray:
    """(a - b) t = 2 tanh(t/2) t >= 0."""
    out: np.ndarray = np.where(t == 0.0, 0.0, 2.0 * np.tanh(0.5 * t) * t)
    return out


def _g_alpha(alpha: float, t: np.ndarray) -> np.ndarray:
    """[alpha e^t + (1 - alpha) - e^(alpha t)] / (alpha (1 - alpha)) for t <= 0 (>= 0),
    in a form without cancellation beyond the inherent one at t = 0."""
    out: np.ndarray
    if alpha == 0.0:
        out = np.expm1(t) - t
    elif alpha == 1.0:
        out = np.where(t == -np.inf, 1.0, t * np.exp(t)) - np.expm1(t)
    elif alpha <= 0.5:
        out = (alpha * np.expm1(t) - np.expm1(alpha * t)) / (alpha * (1.0 - alpha))
    else:
        beta = 1.0 - alpha
        lead = np.exp(alpha * t) * (np.expm1(beta * t) / beta)
        lead = np.where(np.isfinite(lead), lead, (np.exp(t) - np.exp(alpha * t)) / beta)
        lead = np.where(t == -np.inf, 0.0, lead)
        out = (lead - np.expm1(t)) / alpha
    # near t = 0: the series sum_(n >= 2) c_n t^n / n!, c_n = 1 + alpha + ... + alpha^(n-2)
    small = (np.abs(t) < 0.1) & (np.abs(alpha * t) < 0.1)
    if small.any():
        ts = np.where(small, t, 0.0)
        series = np.zeros_like(ts)
        term = 0.5 * ts * ts
        c = 1.0
        for n in range(2, 20):
            series = series + c * term
            term = term * ts / (n + 1)
            c = 1.0 + alpha * c
        out = np.where(small, series, out)
    res: np.ndarray = np.maximum(out, 0.0)
    return res


def _h_alpha(alpha: float) -> Callable[[np.ndarray], np.ndarray]:
    """[alpha a + (1 - alpha) b - a^alpha b^(1-alpha)] / (alpha (1 - alpha)) >= 0, written
    as b g_alpha(t) for t <= 0 and a g_(1-alpha)(-t) for t > 0 (prefactors in [1, 2])."""

    def h(t: np.ndarray) -> np.ndarray:
        neg = t <= 0
        tn = np.where(neg, t, 0.0)
        tp = np.where(neg, 0.0, -t)
        lo = _sig2(-tn) * _g_alpha(alpha, tn)
        hi = _sig2(-tp) * _g_alpha(1.0 - alpha, tp)
        out: np.ndarray = np.where(neg, lo, hi)
        return out

    return h


def _pq(h: Callable[[np.ndarray], np.ndarray]) -> Callable[[list[np.ndarray]], np.ndarray]:
    def on_logs(logs: list[np.ndarray]) -> np.ndarray:
        lp, lq = logs
        t = lp - lq
        out: np.ndarray = np.where((lp == -np.inf) & (lq == -np.inf), 0.0, h(t))
        return out

    return on_logs


# ----------------------------------------------------------------------------------------------
# 1-D quadrature
# ----------------------------------------------------------------------------------------------
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_QUAD_T = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 18.0, 26.0, 39.0])
_QUAD_MAX_INTERVALS = 4000
_Parts = tuple[np.ndarray, np.ndarray, np.ndarray]


def _std_parts(gm: GaussianMixture, c: float, s: float) -> _Parts:
    a = gm._active
    mu = (gm.means[a, 0] - c) / s
    sd = np.sqrt(gm.full_covariances()[a, 0, 0]) / s
    logc = np.log(gm.weights[a]) - 0.5 * _LOG_2PI - np.log(sd)
    return logc, mu, sd


def _logpdf1(x: np.ndarray, parts: _Parts) -> np.ndarray:
    logc, mu, sd = parts
    with np.errstate(over="ignore"):
        z = (x[None, :] - mu[:, None]) / sd[:, None]
        return _lse(logc[:, None] - 0.5 * z * z, axis=0)


def _crossings(edges: np.ndarray, parts: list[_Parts]) -> np.ndarray:
    """The points where the first two log-densities cross (sign changes of their difference
    on a grid 64 times finer than ``edges``, refined by 60 bisections)."""
    fine = (edges[:-1, None] + (edges[1:] - edges[:-1])[:, None]
            * np.linspace(0.0, 1.0, 65)[None, :-1]).ravel()
    fine = np.append(fine, edges[-1])

    def diff(x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            out: np.ndarray = _logpdf1(x, parts[0]) - _logpdf1(x, parts[1])
        return out

    d = diff(fine)
    ok = np.isfinite(d[:-1]) & np.isfinite(d[1:])
    at = np.flatnonzero(ok & (np.sign(d[:-1]) * np.sign(d[1:]) < 0))
    lo, hi = fine[at], fine[at + 1]
    slo = np.sign(d[at])
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        same = np.sign(diff(mid)) == slo
        lo = np.where(same, mid, lo)
        hi = np.where(same, hi, mid)
    out: np.ndarray = 0.5 * (lo + hi)
    return out


def _quad(gms: list[GaussianMixture], f: Callable[[list[np.ndarray]], np.ndarray],
          who: str, kinks: bool = False) -> tuple[float, float]:
    """(int f(log-densities) dy in standard coordinates y = (x - c) / s, log s); ``kinks``:
    the integrand has kinks where the two densities cross (they become interval edges)."""
    allmu = np.concatenate([g.means[g._active, 0] for g in gms])
    allsd = np.sqrt(np.concatenate([g.full_covariances()[g._active, 0, 0] for g in gms]))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        c = float(0.5 * (allmu.max() + allmu.min()))
        s = float(allsd.max())
        parts = [_std_parts(g, c, s) for g in gms]
        mus = np.concatenate([pt[1] for pt in parts])
        sds = np.concatenate([pt[2] for pt in parts])
        t = np.concatenate([-_QUAD_T[::-1], _QUAD_T[1:]])
        edges = np.unique((mus[:, None] + sds[:, None] * t[None, :]).ravel())
        resolvable = bool((np.abs(mus) * 2.0**-52 <= 1e-4 * sds).all())
    if not (resolvable and np.isfinite(edges).all() and edges.size >= 2
            and all(np.isfinite(pt[0]).all() for pt in parts)):
        raise ValueError(
            f"{who}: the mixtures' means and standard deviations are too far apart in scale "
            "for quadrature in float64; use method='mc'"
        )

    if kinks:
        edges = np.unique(np.concatenate([edges, _crossings(edges, parts)]))

    def gl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        h = 0.5 * (b - a)
        x = ((0.5 * (a + b))[:, None] + h[:, None] * _GL_X[None, :]).ravel()
        with np.errstate(all="ignore"):
            vals = f([_logpdf1(x, pt) for pt in parts]).reshape(a.size, _GL_X.size)
        out: np.ndarray = h * (vals @ _GL_W)
        return out

    total, err, converged = adaptive_sum(gl, edges, _QUAD_MAX_INTERVALS)
    if not math.isfinite(total):
        raise ValueError(
            f"{who}: the quadrature overflowed (parameters too extreme in scale, or the "
            "divergence is infinite); use method='mc'"
        )
    if not converged:
        warn_unconverged(err, total, stacklevel=4)
    return total, math.log(s)


def _quad_pq(gp: GaussianMixture, gq: GaussianMixture,
             h: Callable[[np.ndarray], np.ndarray]) -> float:
    """int r h(log p - log q) (invariant under x -> (x - c)/s)."""

    def f(logs: list[np.ndarray]) -> np.ndarray:
        lp, lq = logs
        both = (lp == -np.inf) & (lq == -np.inf)
        lr = np.logaddexp(lp, lq) - _LOG2
        out: np.ndarray = np.where(both, 0.0, np.exp(lr) * h(lp - lq))
        return out

    return _quad([gp, gq], f, "p and q", kinks=h is _h_tv)[0]


# ----------------------------------------------------------------------------------------------
# entropy and cross-entropy
# ----------------------------------------------------------------------------------------------
_H_METHODS = ("auto", "mc", "bounds", "quad")


def _terms_named(gp: GaussianMixture, gq: GaussianMixture, who: str) -> Any:
    try:
        return _terms(gp, gq)
    except ValueError:
        raise ValueError(
            f"{who}: the components' pairwise terms overflowed (means or covariances too "
            "extreme in scale for float64 arithmetic); rescale the data the mixtures model"
        ) from None


def _entropy_bounds(gp: GaussianMixture) -> tuple[float, float]:
    """Guaranteed (lower, upper) bounds on H(p) in nats.

    lower: max of Huber et al.'s (2008) bound -sum_i w_i log sum_j w_j N(mu_i; mu_j, C_i + C_j)
    (Jensen per component: -int f_i log p >= -log int f_i p) and the concavity bound
    sum_i w_i H(f_i). upper: min of Huber et al.'s sum_i w_i (-log w_i + H(f_i)), the
    variational bound sum_i w_i (H(f_i) - log sum_j w_j e^-D(f_i||f_j)) (Jensen over a
    posterior on components, as Durrieu et al. 2012) and the entropy of the moment-matched
    Gaussian (the maximum entropy for p's covariance; Huber et al.'s merging bound)."""
    t = _terms_named(gp, gp, "p")
    hbar = float(np.dot(t.w_p, t.H_p))
    jensen = -float(np.dot(t.w_p, _lse(t.lw_p[None, :] + t.Z_pp, axis=1)))
    lower = max(jensen, hbar)
    huber_up = float(np.dot(t.w_p, t.H_p - t.lw_p))
    var_up = hbar - float(np.dot(t.w_p, _lse(t.lw_p[None, :] - t.D_pp, axis=1)))
    a = gp._active
    w, mu, cov = gp.weights[a], gp.means[a], gp.full_covariances()[a]
    m = w @ mu
    dev = mu - m
    sigma = np.einsum("k,kij->ij", w, cov) + np.einsum("k,ki,kj->ij", w, dev, dev)
    sign, logdet = np.linalg.slogdet(sigma)
    upper = min(huber_up, var_up)
    if sign > 0 and math.isfinite(logdet):
        upper = min(upper, 0.5 * gp.n_features * (_LOG_2PI + 1.0) + 0.5 * float(logdet))
    return lower, max(upper, lower)


def _cross_bounds(gp: GaussianMixture, gq: GaussianMixture) -> tuple[float, float]:
    """Guaranteed (lower, upper) bounds on H(p, q) = -int p log q in nats.

    lower: max of Jensen per component of p, -sum_i w_i log sum_j v_j N(mu_i; nu_j, C_i + D_j),
    and (as H(p, q) = H(p) + KL(p||q) with KL >= its lower bound) the entropy's lower bound
    plus KL's. upper: min of the variational bound sum_i w_i (H(f_i) - log sum_j v_j
    e^-D(f_i||g_j)) (it improves on the convexity bound sum_ij w_i v_j H(f_i, g_j)) and the
    entropy's upper bound plus KL's (``kl_divergence_mixture(method='bounds')``)."""
    t = _terms_named(gp, gq, "p and q")
    hbar = float(np.dot(t.w_p, t.H_p))
    jensen = -float(np.dot(t.w_p, _lse(t.lw_q[None, :] + t.Z_pq, axis=1)))
    var_up = hbar - float(np.dot(t.w_p, _lse(t.lw_q[None, :] - t.D_pq, axis=1)))
    h_lo, h_up = _entropy_bounds(gp)
    _, kl_lo, kl_up = _kl_analytic(gp, gq, "bounds")
    lower = max(jensen, h_lo + kl_lo)
    upper = min(var_up, h_up + kl_up)
    return lower, max(upper, lower)


def _zeroth_order(gp: GaussianMixture, gm: GaussianMixture) -> float:
    """-sum_i w_i log g(mu_i) (Huber et al.'s zeroth-order Taylor approximation)."""
    a = gp._active
    _, logc, mu, chol = gm._kernel_args()
    pts = np.ascontiguousarray(gp.means[a])
    out = np.empty(pts.shape[0])
    _k().log_density(pts, logc, mu, chol, out, 1)
    return -float(np.dot(gp.weights[a], out))


def _cheap(gp: GaussianMixture, gq: GaussianMixture) -> bool:
    return gp._active.size * gq._active.size <= _CHEAP_PAIRS


def _entropy_pair(gp: GaussianMixture, gq: GaussianMixture | None, method: str, ns: int,
                  tol: float | None, ss: np.random.SeedSequence, n_jobs: int | None) -> _Result:
    """H(p) (gq None) or H(p, q) in nats."""
    cross = gq is not None
    g = gq if gq is not None else gp
    who = "p and q" if cross else "p"
    m = method
    if m == "auto":
        if gp._active.size == 1 and g._active.size == 1:
            mp, cp = _single(gp)
            mq, cq = _single(g)
            val = _closed(lambda: _gaussian_entropy(cp) + (
                float(kl_divergence_gaussian(mp, cp, mq, cq)) if cross else 0.0), who)
            return val, None, None, None, 0, "closed_form"
        m = "quad" if gp.n_features == 1 else "mc"
    if m == "bounds":
        lo, up = _cross_bounds(gp, g) if cross else _entropy_bounds(gp)
        est = min(max(_zeroth_order(gp, g), lo), up)
        return est, None, lo, up, 0, "bounds"
    if m == "quad":

        def f(logs: list[np.ndarray]) -> np.ndarray:
            lp = logs[0]
            lg = logs[-1]
            out: np.ndarray = np.where(lp == -np.inf, 0.0, -np.exp(lp) * lg)
            return out

        val, log_s = _quad([gp, g] if cross else [gp], f, who)
        return val + log_s, None, None, None, 0, "quad"
    prop = _comp(gp)

    def h(logs: list[np.ndarray]) -> np.ndarray:
        out: np.ndarray = -logs[0]
        return out

    est, se, n = _mc(prop, [_comp(g)], h, ns, tol, ss, n_jobs, who)
    lo_b: float | None = None
    up_b: float | None = None
    if method == "auto" and _cheap(gp, g):
        try:
            lo_b, up_b = _cross_bounds(gp, g) if cross else _entropy_bounds(gp)
        except ValueError:
            pass
    return est, se, lo_b, up_b, n, "mc"


def entropy_mixture(
    p: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """Differential entropy ``H(p) = -int p log p`` of a Gaussian mixture (nats unless
    ``base``), as a :class:`~fastentropy.mixture.MixtureDivergence`.

    Methods:

    - ``'mc'``: stratified Monte Carlo of ``-log p`` over ``n_samples`` samples of ``p`` (see
      the module doc), with ``stderr``; ``tol`` keeps sampling until ``stderr <= tol``.
    - ``'bounds'``: guaranteed ``lower`` = max(Huber, Bailey, Durrant-Whyte and Hanebeck's
      (2008) bound ``-sum_i w_i log sum_j w_j N(mu_i; mu_j, C_i + C_j)``, the concavity bound
      ``sum_i w_i H(f_i)``) and ``upper`` = min(their bound ``sum_i w_i (-log w_i +
      1/2 log((2 pi e)^d |C_i|))``, the variational bound ``sum_i w_i (H(f_i) - log sum_j w_j
      e^-KL(f_i||f_j))``, the entropy of the moment-matched Gaussian); the estimate is Huber et
      al.'s zeroth-order approximation ``-sum_i w_i log p(mu_i)`` clipped into the interval.
    - ``'quad'`` (1-D only): adaptive Gauss-Legendre quadrature of ``-p log p``.
    - ``'auto'``: the closed form ``1/2 log((2 pi e)^d |C|)`` for a single component, ``'quad'``
      in 1-D, else ``'mc'`` with the ``'bounds'`` interval filled in as ``lower``/``upper``
      (when ``K^2 <= 4096``).

    Zero-weight components are ignored. Sampling results are bitwise identical for any
    ``n_jobs``.
    """
    m = check_choice(method, "method", _H_METHODS)
    b = check_base(base)
    gp = _mixture(p, "p")
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    _check_quad(m, gp.n_features, n_jobs)
    return _scaled(_entropy_pair(gp, None, m, ns, t, ss, n_jobs), log_base_divisor(b))


def cross_entropy_mixture(
    p: Any,
    q: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """Cross-entropy ``H(p, q) = -int p log q = H(p) + KL(p||q)`` between Gaussian mixtures
    (nats unless ``base``).

    Methods as :func:`entropy_mixture`: ``'mc'`` (``-log q`` at stratified samples of ``p``),
    ``'quad'`` (1-D), ``'bounds'`` (``lower`` = max(Jensen per component of p,
    ``-sum_i w_i log sum_j v_j N(mu_i; nu_j, C_i + D_j)``, the entropy's lower bound plus
    KL's); ``upper`` = min(the variational bound ``sum_i w_i (H(f_i) - log sum_j v_j
    e^-KL(f_i||g_j))``, which improves on the convexity bound ``sum_ij w_i v_j H(f_i, g_j)``,
    the entropy's upper bound plus KL's); the estimate is ``-sum_i w_i log q(mu_i)`` clipped
    into the interval) and ``'auto'`` (the closed form for single Gaussians, ``'quad'`` in
    1-D, else ``'mc'`` with the ``'bounds'`` interval filled in when ``K_p K_q <= 4096``).
    """
    m = check_choice(method, "method", _H_METHODS)
    b = check_base(base)
    gp, gq = _pair_models(p, q)
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    _check_quad(m, gp.n_features, n_jobs)
    return _scaled(_entropy_pair(gp, gq, m, ns, t, ss, n_jobs), log_base_divisor(b))


# ----------------------------------------------------------------------------------------------
# Jensen-Shannon and Jeffreys
# ----------------------------------------------------------------------------------------------
def jensen_shannon_mixture(
    p: Any,
    q: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """Jensen-Shannon divergence ``(KL(p||m) + KL(q||m)) / 2``, ``m = (p + q) / 2``, between
    Gaussian mixtures (nats unless ``base``; at most ``log 2``).

    ``'mc'``: stratified Monte Carlo over ``m`` (p's and q's components, each at half its
    weight) of ``(a log a + b log b) / 2`` with ``a = p/m = 1 + u``, ``b = q/m = 1 - u``,
    ``u = tanh((log p - log q)/2)``: every sample lies in ``[0, log 2]``, so the estimate does
    too. ``'quad'`` (1-D): quadrature of ``m`` times the same integrand. ``'auto'``: ``'quad'``
    in 1-D, else ``'mc'``. ``lower`` = 0 and ``upper`` = ``log 2`` always (the guaranteed
    interval).
    """
    m = check_choice(method, "method", ("auto", "mc", "quad"))
    b = check_base(base)
    gp, gq = _pair_models(p, q)
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    _check_quad(m, gp.n_features, n_jobs)
    if m == "auto":
        m = "quad" if gp.n_features == 1 else "mc"
    if m == "quad":
        est = min(max(_quad_pq(gp, gq, _h_js), 0.0), _LOG2)
        r: _Result = (est, None, 0.0, _LOG2, 0, "quad")
    else:
        est, se, n = _mc(_half_half(gp, gq), [_comp(gp), _comp(gq)], _pq(_h_js), ns, t, ss,
                         n_jobs, "p and q")
        # every sample lies in [0, log 2], so their weighted mean does (up to its rounding)
        r = (min(max(est, 0.0), _LOG2), se, 0.0, _LOG2, n, "mc")
    return _scaled(r, log_base_divisor(b))


def jeffreys_divergence_mixture(
    p: Any,
    q: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """Jeffreys divergence ``KL(p||q) + KL(q||p) = int (p - q) log(p/q)`` between Gaussian
    mixtures (nats unless ``base``).

    - ``'mc'``: each direction by :func:`kl_divergence_mixture`'s stratified Monte Carlo
      (``KL(p||q)`` from samples of p under stream 0 of ``random_state``, ``KL(q||p)`` from
      samples of q under stream 1), ``n_samples`` split evenly between them; ``stderr`` is
      ``sqrt(se_pq^2 + se_qp^2)`` (independent draws), and with ``tol`` each direction samples
      until its stderr is at most ``tol / sqrt 2``. ``n_samples`` in the result is the total.
    - ``'bounds'``: the sum of ``kl_divergence_mixture(method='bounds')``'s intervals (and
      estimates) of both directions.
    - ``'quad'`` (1-D): quadrature of the non-negative ``(p - q) log(p/q)``.
    - ``'auto'``: the closed form for two single Gaussians, ``'quad'`` in 1-D, else ``'mc'``
      with the ``'bounds'`` interval filled in (when ``K_p K_q <= 4096``).
    """
    m = check_choice(method, "method", ("auto", "mc", "bounds", "quad"))
    b = check_base(base)
    gp, gq = _pair_models(p, q)
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    _check_quad(m, gp.n_features, n_jobs)
    r: _Result
    if m == "auto":
        if gp._active.size == 1 and gq._active.size == 1:
            mp, cp = _single(gp)
            mq, cq = _single(gq)
            est = _closed(lambda: float(kl_divergence_gaussian(mp, cp, mq, cq)) + float(
                kl_divergence_gaussian(mq, cq, mp, cp)), "p and q")
            return _scaled((est, None, None, None, 0, "closed_form"), log_base_divisor(b))
        m = "quad" if gp.n_features == 1 else "mc"
    if m == "quad":
        r = (max(_quad_pq(gp, gq, _h_jeffreys), 0.0), None, None, None, 0, "quad")
    elif m == "bounds":
        e1, lo1, up1 = _kl_analytic(gp, gq, "bounds")
        e2, lo2, up2 = _kl_analytic(gq, gp, "bounds")
        r = (e1 + e2, None, lo1 + lo2, up1 + up2, 0, "bounds")
    else:
        half = _sample_count(max(ns // 2, 2), "n_samples", 2)
        td = None if t is None else t / math.sqrt(2.0)
        e1, s1, n1 = _kl_mc(gp, gq, half, td, ss, 0, n_jobs)
        e2, s2, n2 = _kl_mc(gq, gp, max(ns - half, 2), td, ss, 1, n_jobs)
        lo: float | None = None
        up: float | None = None
        if method == "auto" and _cheap(gp, gq):
            try:
                _, lo1, up1 = _kl_analytic(gp, gq, "bounds")
                _, lo2, up2 = _kl_analytic(gq, gp, "bounds")
                lo, up = lo1 + lo2, up1 + up2
            except ValueError:
                pass
        r = (e1 + e2, math.hypot(s1, s2), lo, up, n1 + n2, "mc")
    return _scaled(r, log_base_divisor(b))


# ----------------------------------------------------------------------------------------------
# f-divergences
# ----------------------------------------------------------------------------------------------
def _check_alpha(alpha: Any, divergence: str) -> float | None:
    if divergence != "alpha":
        if alpha is not None:
            raise ValueError(
                f"alpha is only used with divergence='alpha', got alpha={alpha!r} with "
                f"divergence={divergence!r}; leave it None"
            )
        return None
    if alpha is None:
        raise ValueError("alpha is required with divergence='alpha' (a finite real number)")
    if isinstance(alpha, np.ndarray) and alpha.ndim == 0:
        alpha = alpha.item()
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"alpha must be a real number, got {type(alpha).__name__}")
    a = float(alpha)
    if not math.isfinite(a):
        raise ValueError(f"alpha must be a finite real number, got {alpha!r}")
    return a


def _log_power_integral(m0: np.ndarray, c0: np.ndarray, m1: np.ndarray, c1: np.ndarray,
                        alpha: float) -> float:
    """log int N(x; m0, c0)^alpha N(x; m1, c1)^(1 - alpha) dx (+inf where it diverges).

    With M = alpha c1 + (1 - alpha) c0 (finite iff M is positive definite):
    -alpha (1 - alpha)/2 D^T M^-1 D - 1/2 log|M| + (1 - alpha)/2 log|c0| + alpha/2 log|c1|,
    the log-determinants as sum log1p(alpha (l - 1)) - alpha sum log l over the eigenvalues l
    of L0^-1 c1 L0^-T (no cancellation for small alpha; alpha > 1/2 swaps the roles)."""
    if alpha > 0.5:
        return _log_power_integral(m1, c1, m0, c0, 1.0 - alpha)
    L0 = np.linalg.cholesky(c0)
    Li = np.linalg.inv(L0)
    S = Li @ c1 @ Li.T
    lam, V = np.linalg.eigh(0.5 * (S + S.T))
    inner = 1.0 + alpha * (lam - 1.0)  # eigenvalues of L0^-1 M L0^-T
    if not (inner > 0).all():
        return math.inf
    y = V.T @ (Li @ (m1 - m0))
    maha = float(np.sum(y * y / inner))
    logdet = float(np.sum(np.log1p(alpha * (lam - 1.0))) - alpha * np.sum(np.log(lam)))
    return -0.5 * alpha * (1.0 - alpha) * maha - 0.5 * logdet


def _f_closed(gp: GaussianMixture, gq: GaussianMixture, divergence: str,
              alpha: float | None) -> float | None:
    """Closed forms between two single Gaussians (None for total variation)."""
    mp, cp = _single(gp)
    mq, cq = _single(gq)
    if divergence == "hellinger":
        return -math.expm1(_log_power_integral(mp, cp, mq, cq, 0.5))
    if divergence == "chi2":
        v = _log_power_integral(mp, cp, mq, cq, 2.0)
        return math.inf if v == math.inf else math.expm1(v)
    if divergence == "reverse_kl":
        return float(kl_divergence_gaussian(mq, cq, mp, cp))
    if divergence == "alpha":
        assert alpha is not None
        if alpha == 0.0:
            return float(kl_divergence_gaussian(mq, cq, mp, cp))
        if alpha == 1.0:
            return float(kl_divergence_gaussian(mp, cp, mq, cq))
        v = _log_power_integral(mp, cp, mq, cq, alpha)
        if v == math.inf:
            return math.inf
        return max(-math.expm1(v) / (alpha * (1.0 - alpha)), 0.0)
    return None


def _f_integrand(divergence: str, alpha: float | None) -> Callable[[np.ndarray], np.ndarray]:
    if divergence == "hellinger":
        return _h_hellinger
    if divergence == "total_variation":
        return _h_tv
    if divergence == "chi2":
        return _h_chi2
    if divergence == "reverse_kl":
        return _h_alpha(0.0)
    assert alpha is not None
    return _h_alpha(alpha)


def _f_upper(divergence: str, alpha: float | None) -> float | None:
    if divergence in ("hellinger", "total_variation"):
        return 1.0
    if divergence == "alpha" and alpha is not None and 0.0 < alpha < 1.0:
        return 1.0 / (alpha * (1.0 - alpha))
    return None


def f_divergence_mixture(
    p: Any,
    q: Any,
    *,
    divergence: str = "hellinger",
    alpha: float | None = None,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """An f-divergence ``D_f(p||q) = int q f(p/q)`` between Gaussian mixtures.

    ``divergence``:

    - ``'hellinger'``: the squared Hellinger distance ``H^2 = 1 - int sqrt(p q) =
      (1/2) int (sqrt p - sqrt q)^2`` in ``[0, 1]``: the square of :func:`fastentropy.hellinger`
      (``sqrt(1 - BC)``) for discrete rows; ``-log(1 - H^2)`` is the Bhattacharyya distance.
    - ``'total_variation'``: ``(1/2) int |p - q|`` in ``[0, 1]`` (as
      :func:`fastentropy.total_variation`).
    - ``'chi2'``: Pearson's ``chi^2(p||q) = int (p - q)^2 / q = int p^2 / q - 1`` (can be
      infinite, e.g. for a q narrower than p; Monte Carlo is then unreliable).
    - ``'reverse_kl'``: ``KL(q||p)`` (``f(t) = -log t``).
    - ``'alpha'``: Amari's alpha-divergence in the parametrisation
      ``D_alpha(p||q) = (1 - int p^alpha q^(1-alpha)) / (alpha (1 - alpha))`` (``f(t) =
      (t^alpha - alpha t - (1 - alpha)) / (alpha (alpha - 1))``), for any finite real
      ``alpha`` (required); ``alpha -> 1`` gives ``KL(p||q)``, ``alpha -> 0`` gives
      ``KL(q||p)`` (both exact at 0 and 1), ``alpha = 1/2`` gives ``4 H^2`` and ``alpha = 2``
      gives ``chi^2 / 2``; ``D_alpha(p||q) = D_(1-alpha)(q||p)``.

    Methods: ``'mc'``, importance-weighted stratified Monte Carlo from ``r = (p + q)/2`` (see
    the module doc) of ``r``'s share of the non-negative integrand ``q f(p/q) - f'(1)(p - q)``
    (so every sample is >= 0), with ``stderr`` and ``tol``; ``'quad'`` (1-D): quadrature of the
    same integrand; ``'auto'``: the closed form for two single Gaussians (all but total
    variation: ``int p^alpha q^(1-alpha)`` is a Gaussian integral), ``'quad'`` in 1-D, else
    ``'mc'``. ``lower`` is 0 and ``upper`` the trivial bound (1 for Hellinger and total
    variation, ``1/(alpha (1 - alpha))`` for ``0 < alpha < 1``; else None).

    ``base`` applies to ``'reverse_kl'`` only (the others carry no logarithm; passing it with
    them is a ValueError). A mixture against itself, or a permutation of its components,
    gives exactly 0.
    """
    div = check_choice(divergence, "divergence", F_DIVERGENCES)
    a = _check_alpha(alpha, div)
    m = check_choice(method, "method", ("auto", "mc", "quad"))
    b = check_base(base)
    if b is not None and div != "reverse_kl":
        raise ValueError(
            f"base applies only to divergence='reverse_kl' (divergence={div!r} has no unit); "
            "leave it None"
        )
    gp, gq = _pair_models(p, q)
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    _check_quad(m, gp.n_features, n_jobs)
    upper = _f_upper(div, a)
    if m == "auto":
        if gp._active.size == 1 and gq._active.size == 1 and div != "total_variation":
            val = _closed(lambda: _f_closed(gp, gq, div, a) or 0.0, "p and q")
            return _scaled((val, None, None, None, 0, "closed_form"), log_base_divisor(b))
        m = "quad" if gp.n_features == 1 else "mc"
    h = _f_integrand(div, a)
    r: _Result
    if m == "quad":
        val = max(_quad_pq(gp, gq, h), 0.0)
        if upper is not None:
            val = min(val, upper)
        r = (val, None, 0.0, upper, 0, "quad")
    else:
        est, se, n = _mc(_half_half(gp, gq), [_comp(gp), _comp(gq)], _pq(h), ns, t, ss,
                         n_jobs, "p and q")
        est = max(est, 0.0)  # every sample is >= 0 (the clip only removes rounding)
        if upper is not None:
            est = min(est, upper)
        r = (est, se, 0.0, upper, n, "mc")
    return _scaled(r, log_base_divisor(b))


# ----------------------------------------------------------------------------------------------
# exact: Cauchy-Schwarz divergence and Renyi-2 entropy
# ----------------------------------------------------------------------------------------------
def _log_overlap(ga: GaussianMixture, gb: GaussianMixture, who: str) -> float:
    """log int a b = log sum_ij w_i v_j N(mu_i; nu_j, C_i + D_j), by log-sum-exp."""
    aa, ab = ga._active, gb._active
    with np.errstate(all="ignore"):
        try:
            z = _pairwise_log_overlap(ga.means[aa], ga.full_covariances()[aa], gb.means[ab],
                                      gb.full_covariances()[ab])
        except np.linalg.LinAlgError:
            z = np.full((aa.size, ab.size), np.nan)
        terms = np.log(ga.weights[aa])[:, None] + np.log(gb.weights[ab])[None, :] + z
    if np.isnan(terms).any() or (terms == np.inf).any():
        raise ValueError(
            f"{who}: the components' overlap integrals overflowed (means or covariances too "
            "extreme in scale for float64 arithmetic); rescale the data the mixtures model"
        )
    return float(_lse(terms.ravel(), axis=0))


def cauchy_schwarz_divergence(p: Any, q: Any, *, base: float | None = None) -> float:
    """Exact Cauchy-Schwarz divergence ``-log(int p q / sqrt(int p^2 int q^2))`` between
    Gaussian mixtures (nats unless ``base``), a float.

    Every integral is a sum of Gaussian overlaps ``int N(x; mu_i, C_i) N(x; nu_j, D_j) dx =
    N(mu_i; nu_j, C_i + D_j)``, summed in the log domain (log-sum-exp), so far-apart mixtures
    give a large finite value rather than an underflow. Symmetric, >= 0 (clipped against
    rounding), 0 for ``p == q`` or a permutation of p's components; invariant under a common
    affine change of coordinates.
    """
    b = check_base(base)
    gp, gq = _pair_models(p, q)
    lpq = _log_overlap(gp, gq, "p and q")
    lpp = _log_overlap(gp, gp, "p")
    lqq = _log_overlap(gq, gq, "q")
    if lpq == -math.inf:
        return math.inf if log_base_divisor(b) > 0 else -math.inf
    val = max(0.5 * (lpp + lqq) - lpq, 0.0)
    return val / log_base_divisor(b)


def renyi2_entropy_mixture(p: Any, *, base: float | None = None) -> float:
    """Exact Renyi entropy of order 2, ``-log int p^2``, of a Gaussian mixture (nats unless
    ``base``), a float: ``-log sum_ij w_i w_j N(mu_i; mu_j, C_i + C_j)`` by log-sum-exp. It is
    at most the Shannon entropy (:func:`entropy_mixture`)."""
    b = check_base(base)
    gp = _mixture(p, "p")
    return -_log_overlap(gp, gp, "p") / log_base_divisor(b)
