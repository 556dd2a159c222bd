"""Univariate mixtures (gaussian, exponential, rayleigh, gamma, laplace) and categorical mixtures:
log-density, sampling, and KL divergences (closed forms, quadrature, Monte Carlo, and Nielsen and
Sun's (2016) guaranteed bounds).

Models: :class:`UnivariateMixture` (frozen) holds ``family``, ``weights`` (K,), ``locations``
(K,) and ``scales`` (K,), and ``shape`` (gamma only: one shape shared by every component).
Build one with :func:`as_univariate_mixture` and the family's own parameter names:

- ``gaussian``: ``means``, ``scales``; ``N(mean, scale^2)``;
- ``exponential``: ``rates``; ``rate e^(-rate x)`` on ``x >= 0`` (stored as
  ``scales = 1 / rates``);
- ``rayleigh``: ``scales``; ``x / s^2 e^(-x^2 / (2 s^2))`` on ``x >= 0``;
- ``gamma``: ``shape`` (one float, shared), ``scales``; ``x^(k-1) e^(-x/s) / (Gamma(k) s^k)``
  on ``x >= 0``;
- ``laplace``: ``locations``, ``scales``; ``e^(-|x - loc| / s) / (2 s)``.

Weights follow :class:`fastentropy.GaussianMixture`: finite, non-negative, summing to one within
``1e-8``, then divided by their sum (other totals are refused, not normalised); zero-weight
components are allowed and ignored. Parameters must be finite, scales (rates, shape) positive.
Save and load with :meth:`UnivariateMixture.save` / :meth:`UnivariateMixture.load` (JSON).

:class:`CategoricalMixture` (:func:`as_categorical_mixture`): ``weights`` (K,) over ``probs``
(K, m), K categorical distributions on the same m outcomes (each row non-negative, summing to one
within 1e-8, then normalised). It is the categorical distribution ``pmf = weights @ probs``, so
its entropy and KL divergence are exact.

Random numbers: Philox4x32-10 keyed from ``numpy.random.SeedSequence`` as in the Gaussian-mixture
family (``fastentropy/_philox.py``), inverse-CDF (exponential, rayleigh, laplace) or Box-Muller
(gaussian) per sample, so samples and Monte Carlo estimates are the same on both backends (to
rounding) and bitwise the same for any ``n_jobs``. Gamma components are sampled with numpy's
``Generator.gamma`` (a rejection sampler, seeded with the pair's two key words) in the facade,
and the points passed to the kernel on both backends (so gamma streams follow numpy's
``Generator.gamma``, whose stream numpy may change between versions). Sampling is stratified by
component as in :func:`fastentropy.sample` (rows grouped by component, in component order).
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from scipy import special

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._philox import pair_key, seed_sequence
from ._quadrature import adaptive_sum, warn_unconverged
from ._validation import as_float_array, check_base, check_choice, log_base_divisor
from .mixture import (
    MixtureDivergence,
    _allocate,
    _sample_count,
    _sampling_args,
    _scaled,
    _stratified_rounds,
)
from .mixture import _mc_stats as _gaussian_mc_stats

__all__ = [
    "UnivariateMixture",
    "CategoricalMixture",
    "as_univariate_mixture",
    "as_categorical_mixture",
    "log_density_univariate",
    "sample_univariate",
    "kl_divergence_univariate",
]

FAMILIES = ("gaussian", "exponential", "rayleigh", "gamma", "laplace")
_CODE = {name: i for i, name in enumerate(FAMILIES)}
_POSITIVE = ("exponential", "rayleigh", "gamma")
_PARAMS: dict[str, tuple[str, ...]] = {
    "gaussian": ("means", "scales"),
    "exponential": ("rates",),
    "rayleigh": ("scales",),
    "gamma": ("shape", "scales"),
    "laplace": ("locations", "scales"),
}
_WEIGHT_TOL = 1e-8
_FORMAT = "fastentropy.univariate_mixture"
_LOG_2PI = math.log(2.0 * math.pi)
_EULER = 0.57721566490153286061
_METHODS = ("auto", "closed_form", "quad", "mc", "nielsen_sun", "nielsen_sun_adaptive",
            "bounds", "exact")
#: tol=: the doubling rounds stop before the total would pass this many samples
_MC_MAX_TOTAL = 1 << 27


def _k() -> Any:
    return kernels("univariate")


def _threads(n_jobs: int | None, n: int, k: int) -> int:
    return threads_for(resolve_n_jobs(n_jobs), -(-n // 256), n * max(k, 1), min_cells=4096)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, order="C", copy=True)
    a.setflags(write=False)
    return a


def _weights(w: Any, name: str = "weights") -> np.ndarray:
    arr = as_float_array(w, name, finite=True)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative")
    total = float(arr.sum())
    if not abs(total - 1.0) <= _WEIGHT_TOL:
        raise ValueError(
            f"{name} must sum to one (within {_WEIGHT_TOL:g}), got a sum of {total!r}; "
            "divide them by their sum if that is what you mean"
        )
    out: np.ndarray = arr / total
    return out


# ----------------------------------------------------------------------------------------------
# models
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class UnivariateMixture:
    """A mixture of K components of one univariate ``family`` (validated on construction).

    ``weights`` (K,); ``locations`` (K,) (the means of gaussian components, the locations of
    laplace ones, zeros for the families on ``[0, inf)``); ``scales`` (K,) (positive; for
    exponential components ``1 / rate``); ``shape`` the gamma shape shared by every component
    (None for the other families). Build one with :func:`as_univariate_mixture`.
    """

    family: str
    weights: np.ndarray
    locations: np.ndarray
    scales: np.ndarray
    shape: float | None = None
    _active: np.ndarray = field(init=False, repr=False)
    _logc: np.ndarray = field(init=False, repr=False)
    _inv: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        fam = check_choice(self.family, "family", FAMILIES)
        w = _weights(self.weights)
        K = w.shape[0]
        loc = as_float_array(self.locations, "locations", finite=True)
        if loc.shape != (K,):
            raise ValueError(
                f"locations must have shape ({K},) to match weights, got shape {loc.shape}"
            )
        if fam in _POSITIVE and (loc != 0).any():
            raise ValueError(f"locations must be 0 for {fam} components (support [0, inf))")
        sc = as_float_array(self.scales, "scales", finite=True)
        if sc.shape != (K,):
            raise ValueError(
                f"scales must have shape ({K},) to match weights, got shape {sc.shape}"
            )
        if not (sc > 0).all():
            raise ValueError("scales must be positive (and rates positive)")
        with np.errstate(over="ignore", divide="ignore"):
            inv = 1.0 / sc
        if not (np.isfinite(inv).all() and (inv > 0).all()):
            raise ValueError("scales must be within float64's reciprocal range (1e-308 .. 1e308)")
        shape: float | None = None
        if fam == "gamma":
            if self.shape is None or isinstance(self.shape, bool):
                raise TypeError("shape must be a positive float for gamma components")
            try:
                shape = float(self.shape)
            except (TypeError, ValueError):
                raise TypeError(
                    f"shape must be a positive float, got {type(self.shape).__name__}"
                ) from None
            if not (math.isfinite(shape) and shape > 0):
                raise ValueError(f"shape must be a positive finite float, got {self.shape!r}")
        elif self.shape is not None:
            raise ValueError(f"shape is only for gamma components, not {fam}; pass None")
        with np.errstate(divide="ignore"):
            lw = np.log(w)
        ls = np.log(sc)
        if fam == "gaussian":
            logc = lw - ls - 0.5 * _LOG_2PI
        elif fam == "exponential":
            logc = lw - ls
        elif fam == "rayleigh":
            logc = lw - 2.0 * ls
        elif fam == "gamma":
            assert shape is not None
            logc = lw - math.lgamma(shape) - shape * ls
        else:
            logc = lw - math.log(2.0) - ls
        active = np.flatnonzero(w > 0)
        set_ = object.__setattr__
        set_(self, "family", fam)
        set_(self, "weights", _readonly(w))
        set_(self, "locations", _readonly(loc))
        set_(self, "scales", _readonly(sc))
        set_(self, "shape", shape)
        set_(self, "_active", active)
        set_(self, "_logc", _readonly(logc))
        set_(self, "_inv", _readonly(inv))

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    @property
    def means(self) -> np.ndarray:
        """The components' means (K,)."""
        s, loc = self.scales, self.locations
        if self.family in ("gaussian", "laplace"):
            lc: np.ndarray = loc.copy()
            return lc
        if self.family == "exponential":
            sc: np.ndarray = s.copy()
            return sc
        if self.family == "rayleigh":
            out: np.ndarray = s * math.sqrt(math.pi / 2.0)
            return out
        assert self.shape is not None
        g: np.ndarray = self.shape * s
        return g

    def _hc(self) -> float:
        if self.family == "rayleigh":
            return 1.0
        if self.family == "gamma":
            assert self.shape is not None
            return self.shape - 1.0
        return 0.0

    def _kernel_args(self) -> tuple[int, float, np.ndarray, np.ndarray, np.ndarray]:
        """(family code, hc, logc, loc, inv) of the positive-weight components."""
        a = self._active
        return (_CODE[self.family], self._hc(), np.ascontiguousarray(self._logc[a]),
                np.ascontiguousarray(self.locations[a]), np.ascontiguousarray(self._inv[a]))

    def params(self) -> dict[str, Any]:
        """The family's parameters under the names :func:`as_univariate_mixture` takes."""
        out: dict[str, Any] = {}
        for name in _PARAMS[self.family]:
            if name == "shape":
                out[name] = self.shape
            elif name == "rates":
                out[name] = self._inv.copy()
            elif name == "scales":
                out[name] = self.scales.copy()
            else:
                out[name] = self.locations.copy()
        return out

    def log_density(self, x: Any, *, n_jobs: int | None = None) -> np.ndarray:
        """:func:`log_density_univariate` of this mixture."""
        return log_density_univariate(self, x, n_jobs=n_jobs)

    def sample(self, n: int, *, random_state: Any = None,
               n_jobs: int | None = None) -> np.ndarray:
        """:func:`sample_univariate` of this mixture."""
        return sample_univariate(self, n, random_state=random_state, n_jobs=n_jobs)

    # -------------------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (floats round-trip exactly through ``json``)."""
        d: dict[str, Any] = {"format": _FORMAT, "version": 1, "family": self.family,
                             "weights": self.weights.tolist()}
        for k, v in self.params().items():
            d[k] = v if k == "shape" else v.tolist()
        return d

    @classmethod
    def from_dict(cls, data: Any) -> UnivariateMixture:
        if not isinstance(data, dict):
            raise ValueError("data must be a dict with keys family, weights and the parameters")
        if data.get("format", _FORMAT) != _FORMAT:
            raise ValueError(f"data has format {data.get('format')!r}, expected {_FORMAT!r}")
        if "family" not in data or "weights" not in data:
            raise ValueError("data lacks the key family or weights")
        kw = {k: v for k, v in data.items() if k not in ("format", "version", "family",
                                                         "weights")}
        return as_univariate_mixture(data["family"], weights=data["weights"], **kw)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path`` as JSON (the name must end in ``.json``)."""
        p = os.fspath(path)
        if os.path.splitext(p)[1].lower() != ".json":
            raise ValueError(f"path must end in .json, got {p!r}")
        with open(p, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> UnivariateMixture:
        """Read a model written by :meth:`save`."""
        p = os.fspath(path)
        if os.path.splitext(p)[1].lower() != ".json":
            raise ValueError(f"path must end in .json, got {p!r}")
        try:
            with open(p, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"path {p!r} is not a readable mixture file: {exc}") from exc
        try:
            return cls.from_dict(data)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"path {p!r} holds an invalid mixture: {exc}") from exc


def as_univariate_mixture(family: Any, weights: Any = None, **params: Any) -> UnivariateMixture:
    """A :class:`UnivariateMixture` of ``family`` from ``weights`` and the family's parameters
    (see the module doc): ``gaussian``: ``means``, ``scales``; ``exponential``: ``rates``;
    ``rayleigh``: ``scales``; ``gamma``: ``shape`` (one float), ``scales``; ``laplace``:
    ``locations``, ``scales``. ``weights`` may be omitted for a single component."""
    fam = check_choice(family, "family", FAMILIES)
    want = _PARAMS[fam]
    extra = sorted(k for k, v in params.items() if v is not None and k not in want)
    if extra:
        raise TypeError(
            f"{extra[0]} is not a parameter of {fam} components; they take {list(want)}"
        )
    missing = [n for n in want if params.get(n) is None]
    if missing:
        raise TypeError(f"{missing[0]} is required for {fam} components (they take {list(want)})")
    if fam == "exponential":
        rates = as_float_array(params["rates"], "rates", finite=True)
        if rates.ndim != 1 or rates.size == 0:
            raise ValueError(f"rates must be a non-empty 1-D array, got shape {rates.shape}")
        if not (rates > 0).all():
            raise ValueError("rates must be positive")
        with np.errstate(over="ignore", divide="ignore"):
            scales = 1.0 / rates
        loc = np.zeros(rates.shape)
    else:
        scales = as_float_array(params["scales"], "scales", finite=True)
        if scales.ndim != 1 or scales.size == 0:
            raise ValueError(f"scales must be a non-empty 1-D array, got shape {scales.shape}")
        key = "means" if fam == "gaussian" else "locations"
        if key in want:
            loc = as_float_array(params[key], key, finite=True)
            if loc.shape != scales.shape:
                raise ValueError(
                    f"{key} must have the shape of scales {scales.shape}, got shape {loc.shape}"
                )
        else:
            loc = np.zeros(scales.shape)
    if weights is None:
        if scales.shape[0] != 1:
            raise TypeError("weights is required for more than one component")
        weights = np.ones(1)
    return UnivariateMixture(family=fam, weights=weights, locations=loc, scales=scales,
                             shape=params.get("shape"))


@dataclass(frozen=True, eq=False)
class CategoricalMixture:
    """``weights`` (K,) over ``probs`` (K, m): K categorical distributions on m outcomes
    (validated: rows non-negative, summing to one within 1e-8, then normalised). ``pmf`` (m,) is
    ``weights @ probs``: the mixture is that categorical distribution."""

    weights: np.ndarray
    probs: np.ndarray
    pmf: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        w = _weights(self.weights)
        pr = as_float_array(self.probs, "probs", finite=True)
        if pr.ndim != 2 or pr.shape[0] != w.shape[0] or pr.shape[1] == 0:
            raise ValueError(
                f"probs must have shape (n_components, n_outcomes) = ({w.shape[0]}, m) with "
                f"m >= 1 to match weights, got shape {pr.shape}"
            )
        if (pr < 0).any():
            raise ValueError("probs must be non-negative")
        tot = pr.sum(axis=1)
        bad = np.flatnonzero(~(np.abs(tot - 1.0) <= _WEIGHT_TOL))
        if bad.size:
            raise ValueError(
                f"probs rows must each sum to one (within {_WEIGHT_TOL:g}); row {int(bad[0])} "
                f"sums to {float(tot[bad[0]])!r}"
            )
        pr = pr / tot[:, None]
        set_ = object.__setattr__
        set_(self, "weights", _readonly(w))
        set_(self, "probs", _readonly(pr))
        set_(self, "pmf", _readonly(np.clip(w @ pr, 0.0, None)))

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_outcomes(self) -> int:
        return int(self.probs.shape[1])

    def entropy(self, *, base: float | None = None) -> float:
        """Exact entropy ``-sum pmf log pmf`` (0 log 0 = 0), nats unless ``base``."""
        b = check_base(base)
        p = self.pmf[self.pmf > 0]
        return float(-np.sum(p * np.log(p))) / log_base_divisor(b)


def as_categorical_mixture(weights: Any, probs: Any) -> CategoricalMixture:
    """A :class:`CategoricalMixture` of ``weights`` (K,) over the rows of ``probs`` (K, m)."""
    return CategoricalMixture(weights=weights, probs=probs)


def is_univariate(obj: Any) -> bool:
    """True for the models :func:`kl_divergence_univariate` takes (for dispatch)."""
    return isinstance(obj, (UnivariateMixture, CategoricalMixture))


def _model(m: Any, name: str) -> UnivariateMixture:
    if isinstance(m, UnivariateMixture):
        return m
    raise TypeError(
        f"{name} must be a UnivariateMixture (see as_univariate_mixture), got {type(m).__name__}"
    )


# ----------------------------------------------------------------------------------------------
# log-density and sampling
# ----------------------------------------------------------------------------------------------
def log_density_univariate(mixture: Any, x: Any, *, n_jobs: int | None = None) -> np.ndarray:
    """Log-density of the :class:`UnivariateMixture` ``mixture`` at the points ``x`` (any shape;
    float64 of the same shape; ``-inf`` outside the support, ``+inf`` at 0 for gamma shapes
    below 1). Points must be finite."""
    um = _model(mixture, "mixture")
    arr = as_float_array(x, "x", finite=True)
    n_jobs = resolve_n_jobs(n_jobs)
    pts = np.ascontiguousarray(arr.reshape(-1))
    out = np.full(pts.shape[0], np.nan)
    if pts.size:
        fam, hc, logc, loc, inv = um._kernel_args()
        _k().log_density(pts, fam, hc, logc, loc, inv, out, _threads(n_jobs, pts.size,
                                                                     logc.size))
        if np.isnan(out).any():  # pragma: no cover - only on a per-thread allocation failure
            raise MemoryError("log_density_univariate: out of memory for per-thread scratch")
    return out.reshape(arr.shape)


def _gamma_points(um: UnivariateMixture, counts: np.ndarray, key: tuple[int, int]) -> np.ndarray:
    """Gamma samples per component (grouped, in component order) from numpy's Generator seeded
    with the Philox key (the same on both backends)."""
    rng = np.random.default_rng([key[0], key[1]])
    a = um._active
    assert um.shape is not None
    parts = [rng.gamma(um.shape, float(um.scales[a[j]]), size=int(counts[j]))
             for j in range(counts.shape[0])]
    return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros(0))


def sample_univariate(mixture: Any, n: int, *, random_state: Any = None,
                      n_jobs: int | None = None) -> np.ndarray:
    """``n`` samples (an (n,) float64 array) of ``mixture``, stratified by component (rows
    grouped by component, in component order; see the module doc for the random stream)."""
    um = _model(mixture, "mixture")
    n = _sample_count(n, "n", 0)
    ss = seed_sequence(random_state)
    n_jobs = resolve_n_jobs(n_jobs)
    counts = _allocate(um.weights[um._active], n)
    if n == 0:
        return np.zeros(0)
    key = pair_key(ss, 0)
    if um.family == "gamma":
        return _gamma_points(um, counts, key)
    fam, _, logc, loc, inv = um._kernel_args()
    out = np.empty(n)
    _k().sample(counts, fam, loc, inv, key[0], key[1], out, _threads(n_jobs, n, 1))
    return out


# ----------------------------------------------------------------------------------------------
# closed forms
# ----------------------------------------------------------------------------------------------
def _bregman_r(r: float) -> float:
    """r - 1 - log r >= 0, accurate near r = 1."""
    x = r - 1.0
    return x - math.log1p(x)


def _kl_closed(p: UnivariateMixture, q: UnivariateMixture) -> float:
    """KL between the single components of p and q (same family), in nats, each formula a sum
    of non-negative terms where it can be."""
    i, j = int(p._active[0]), int(q._active[0])
    s1, s2 = float(p.scales[i]), float(q.scales[j])
    m1, m2 = float(p.locations[i]), float(q.locations[j])
    fam = p.family
    if fam == "gaussian":
        d = (m1 - m2) / s2
        return 0.5 * _bregman_r((s1 / s2) ** 2) + 0.5 * d * d
    if fam == "exponential":  # rates l1, l2: t - 1 - log t with t = l2 / l1 = s1 / s2
        return _bregman_r(s1 / s2)
    if fam == "rayleigh":
        return _bregman_r((s1 / s2) ** 2)
    if fam == "gamma":
        assert p.shape is not None and q.shape is not None
        k1, k2 = p.shape, q.shape
        r = s1 / s2
        out = k2 * _bregman_r(r) + (k1 - k2) * (r - 1.0)
        if k1 != k2:  # lnG(k2) - lnG(k1) - (k2 - k1) psi(k1) >= 0 (convexity of lnG)
            out += math.lgamma(k2) - math.lgamma(k1) - (k2 - k1) * float(special.digamma(k1))
        return max(out, 0.0)
    # laplace: (r - 1 - log r) + r (d + expm1(-d)), r = b1 / b2, d = |m1 - m2| / b1
    r = s1 / s2
    d = abs(m1 - m2) / s1
    return _bregman_r(r) + r * (d + math.expm1(-d))


# ----------------------------------------------------------------------------------------------
# quadrature
# ----------------------------------------------------------------------------------------------
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_QUAD_MAX_INTERVALS = 20000
_T_GAUSS = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 18.0, 26.0, 39.0])
_T_EXP = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0,
                   760.0])


def _support_lo(um: UnivariateMixture) -> float:
    return 0.0 if um.family in _POSITIVE else -math.inf


def _edges(um: UnivariateMixture) -> np.ndarray:
    """Points that resolve each component's mass (to e^-760 in the tails)."""
    a = um._active
    loc, s = um.locations[a], um.scales[a]
    fam = um.family
    if fam == "gaussian":
        t = np.concatenate([-_T_GAUSS[::-1], _T_GAUSS[1:]])
        pts = loc[:, None] + s[:, None] * t[None, :]
    elif fam == "laplace":
        t = np.concatenate([-_T_EXP[::-1], _T_EXP[1:]])
        pts = loc[:, None] + s[:, None] * t[None, :]
    elif fam == "exponential":
        pts = s[:, None] * _T_EXP[None, :]
    elif fam == "rayleigh":
        pts = s[:, None] * np.sqrt(2.0 * _T_EXP)[None, :]
    else:
        assert um.shape is not None
        k = um.shape
        sd = math.sqrt(k)
        t = np.concatenate([k + sd * _T_GAUSS, k - sd * _T_GAUSS[1:], k + _T_EXP,
                            _T_EXP * max(1.0, k)])
        t = t[t >= 0]
        pts = s[:, None] * t[None, :]
    out = [pts.ravel()]
    if fam in _POSITIVE:  # geometric points towards 0 (densities like x^(k-1) there)
        depth = 60
        if fam == "gamma":
            assert um.shape is not None
            depth = int(min(1070, max(60, math.ceil(60.0 / um.shape))))
        g = 2.0 ** -np.arange(1, depth + 1, dtype=np.float64)
        out.append((s[:, None] * g[None, :]).ravel())
    e: np.ndarray = np.concatenate(out)
    return e


def _integrand(x: np.ndarray, p: UnivariateMixture, q: UnivariateMixture) -> np.ndarray:
    """p log(p/q) - p + q >= 0 (integrates to KL)."""
    lp = _logdens_serial(p, x)
    lq = _logdens_serial(q, x)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        r = lp - lq
        ep, eq = np.exp(lp), np.exp(lq)
        near = ep * (r + np.expm1(-np.maximum(r, -30.0)))
        far = eq - ep * (1.0 - r)
        f = np.where(r > -30.0, near, far)
        f = np.where(lp == -np.inf, eq, f)
    out: np.ndarray = np.where(np.isnan(f), 0.0, np.maximum(f, 0.0))
    return out


def _logdens_serial(um: UnivariateMixture, x: np.ndarray) -> np.ndarray:
    fam, hc, logc, loc, inv = um._kernel_args()
    pts = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty(pts.shape[0])
    _k().log_density(pts, fam, hc, logc, loc, inv, out, 1)
    return out


def _gl(a: np.ndarray, b: np.ndarray, p: UnivariateMixture,
        q: UnivariateMixture) -> np.ndarray:
    h = 0.5 * (b - a)
    x = (0.5 * (a + b))[:, None] + h[:, None] * _GL_X[None, :]
    f = _integrand(x.ravel(), p, q).reshape(x.shape)
    out: np.ndarray = h * (f @ _GL_W)
    return out


def _supports_nested(p: UnivariateMixture, q: UnivariateMixture) -> bool:
    return _support_lo(q) <= _support_lo(p)


def _kl_quad(p: UnivariateMixture, q: UnivariateMixture) -> float:
    """KL by adaptive 20-point Gauss-Legendre quadrature of p log(p/q) - p + q over the union
    of the supports, from breakpoints that resolve every component (to e^-760 in the tails, and
    geometrically towards 0 on [0, inf)); intervals are halved until the sum of the
    |G20(whole) - G20(halves)| is at most 1e-13 + 1e-11 KL."""
    lo = min(_support_lo(p), _support_lo(q))
    edges = np.concatenate([_edges(p), _edges(q)])
    if lo == 0.0:
        edges = np.concatenate([edges[edges >= 0], [0.0]])
    edges = np.unique(edges)
    if not (np.isfinite(edges).all() and edges.size >= 2):
        raise ValueError(
            "p and q: the parameters are too extreme in scale for quadrature in float64; use "
            "method='mc'"
        )
    total, err, converged = adaptive_sum(lambda a, b: _gl(a, b, p, q), edges,
                                         _QUAD_MAX_INTERVALS)
    if not math.isfinite(total):
        raise ValueError(
            "p and q: the quadrature of p log(p/q) overflowed (parameters too extreme in scale); "
            "use method='mc'"
        )
    if not converged:
        warn_unconverged(err, total, stacklevel=4)
    return total


# ----------------------------------------------------------------------------------------------
# Monte Carlo
# ----------------------------------------------------------------------------------------------
def _mc_round(p: UnivariateMixture, q: UnivariateMixture, counts: np.ndarray,
              key: tuple[int, int], n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    pf, phc, plogc, ploc, pinv = p._kernel_args()
    qf, qhc, qlogc, qloc, qinv = q._kernel_args()
    mean = np.zeros(counts.shape[0])
    m2 = np.zeros(counts.shape[0])
    total = int(counts.sum())
    nt = _threads(n_jobs, total, plogc.size + qlogc.size)
    if p.family == "gamma":
        x = _gamma_points(p, counts, key)
        _k().kl_points(x, counts, pf, phc, plogc, ploc, pinv, qf, qhc, qlogc, qloc, qinv,
                       mean, m2, nt)
    else:
        _k().kl_mc(counts, key[0], key[1], pf, phc, plogc, ploc, pinv, qf, qhc, qlogc, qloc,
                   qinv, mean, m2, nt)
    return mean, m2


def _mc_stats(w: np.ndarray, mean: np.ndarray, m2: np.ndarray,
              nk: np.ndarray) -> tuple[float, float]:
    return _gaussian_mc_stats(w, mean, m2, nk, "parameters too extreme in scale for float64 "
                              "arithmetic); use method='quad'")


def _kl_mc(p: UnivariateMixture, q: UnivariateMixture, ns: int, tol: float | None,
           ss: np.random.SeedSequence, n_jobs: int | None) -> tuple[float, float, int]:
    """Stratified Monte Carlo (estimate, stderr, samples drawn), rounds as in
    :func:`fastentropy.kl_divergence_mixture`."""
    w = p.weights[p._active]
    return _stratified_rounds(w, ns, tol, ss, 0,
                              lambda c, key: _mc_round(p, q, c, key, n_jobs), _mc_stats)


# ----------------------------------------------------------------------------------------------
# Nielsen and Sun (2016): piecewise log-sum-exp bounds
# ----------------------------------------------------------------------------------------------
class _Reduced(NamedTuple):
    """log m(x) = hc log x + log sum_j exp(T_j(x)), T_j = a_j - phi((x - loc_j) inv_j)."""

    family: str
    hc: float
    a: np.ndarray
    loc: np.ndarray
    inv: np.ndarray
    w: np.ndarray
    scale: np.ndarray
    shape: float | None


def _reduced(um: UnivariateMixture) -> _Reduced:
    _, hc, logc, loc, inv = um._kernel_args()
    a = um._active
    return _Reduced(um.family, hc, logc, loc, inv, um.weights[a], um.scales[a], um.shape)


def _terms_at(r: _Reduced, x: float) -> np.ndarray:
    z = (x - r.loc) * r.inv
    if r.family in ("gaussian", "rayleigh"):
        out: np.ndarray = r.a - 0.5 * z * z
    elif r.family == "laplace":
        out = r.a - np.abs(z)
    else:
        out = r.a - z
    return out


def _crossings(r: _Reduced) -> list[float]:
    """Every x where two terms T_i, T_j are equal (plus the laplace kinks)."""
    K = r.a.size
    out: list[float] = []
    fam = r.family
    if fam == "laplace":
        out.extend(float(v) for v in r.loc)
    for i in range(K):
        for j in range(i + 1, K):
            ai, aj = float(r.a[i]), float(r.a[j])
            vi, vj = float(r.inv[i]), float(r.inv[j])
            mi, mj = float(r.loc[i]), float(r.loc[j])
            if fam == "gaussian":
                si, sj = vi * vi, vj * vj
                A = 0.5 * (sj - si)
                B = si * mi - sj * mj
                C = ai - aj - 0.5 * si * mi * mi + 0.5 * sj * mj * mj
                roots: list[float] = []
                if A == 0.0:
                    if B != 0.0:
                        roots.append(-C / B)
                else:
                    disc = B * B - 4.0 * A * C
                    if disc >= 0.0:
                        qq = -0.5 * (B + math.copysign(math.sqrt(disc), B))
                        if qq != 0.0:
                            roots.extend([qq / A, C / qq])
                        else:
                            roots.append(0.0)
                for x0 in roots:  # polish on the direct difference (C can cancel)
                    x = x0
                    for _ in range(3):
                        d = (ai - 0.5 * si * (x - mi) ** 2) - (aj - 0.5 * sj * (x - mj) ** 2)
                        dd = -si * (x - mi) + sj * (x - mj)
                        if dd == 0.0 or not math.isfinite(d):
                            break
                        x = x - d / dd
                    if math.isfinite(x):
                        out.append(x)
            elif fam in ("exponential", "gamma"):
                if vi != vj:
                    out.append((ai - aj) / (vi - vj))
            elif fam == "rayleigh":
                den = vi * vi - vj * vj
                if den != 0.0:
                    x2 = 2.0 * (ai - aj) / den
                    if x2 > 0:
                        out.append(math.sqrt(x2))
            else:
                for si in (-1.0, 1.0):
                    for sj in (-1.0, 1.0):
                        slope = vi * si - vj * sj
                        if slope == 0.0:
                            continue
                        x = ((ai + vi * si * mi) - (aj + vj * sj * mj)) / slope
                        if (x - mi) * si >= 0 and (x - mj) * sj >= 0:
                            out.append(x)
    return [x for x in out if math.isfinite(x)]


def _probe(a: float, b: float) -> float:
    if math.isinf(a) and math.isinf(b):
        return 0.0
    if math.isinf(a):
        return b - max(1.0, abs(b))
    if math.isinf(b):
        return a + max(1.0, abs(a))
    return 0.5 * (a + b)


def _g_limit(r: _Reduced, i: int, d: int, sign: float) -> float:
    """lim T_i(x) - T_d(x) as x -> sign * inf."""
    ai, ad = float(r.a[i]), float(r.a[d])
    vi, vd = float(r.inv[i]), float(r.inv[d])
    mi, md = float(r.loc[i]), float(r.loc[d])
    fam = r.family
    if fam == "gaussian":
        c2 = 0.5 * (vd * vd - vi * vi)
        c1 = vi * vi * mi - vd * vd * md
        if c2 != 0.0:
            return math.inf if c2 > 0 else -math.inf
        if c1 != 0.0:
            return math.inf if c1 * sign > 0 else -math.inf
        return ai - ad
    if fam == "rayleigh":
        c2 = 0.5 * (vd * vd - vi * vi)
        if c2 != 0.0:
            return math.inf if c2 > 0 else -math.inf
        return ai - ad
    if fam in ("exponential", "gamma"):
        c1 = vd - vi
        if c1 != 0.0:
            return math.inf if c1 > 0 else -math.inf
        return ai - ad
    c1 = vd - vi  # laplace: T_i - T_d ~ (v_d - v_i) |x|
    if c1 != 0.0:
        return math.inf if c1 > 0 else -math.inf
    return ai - ad + sign * vi * (mi - md)


class _Envelope(NamedTuple):
    a: np.ndarray  # interval starts
    b: np.ndarray  # interval ends
    delta: np.ndarray  # argmax component per interval
    lo_plain: np.ndarray  # log m - (hc log x + T_delta) >= lo on the interval
    up_plain: np.ndarray  # ... <= up
    lo_adapt: np.ndarray
    up_adapt: np.ndarray


def _envelope(r: _Reduced) -> _Envelope:
    lo = 0.0 if r.family in _POSITIVE else -math.inf
    cuts = sorted({x for x in _crossings(r) if x > lo})
    edges = [lo, *cuts, math.inf]
    K = r.a.size
    A, B, D, LP, UP, LA, UA = [], [], [], [], [], [], []
    logK = math.log(K)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if not b > a:
            continue
        d = int(np.argmax(_terms_at(r, _probe(a, b))))
        gmin = np.full(K, -math.inf)
        gmax = np.full(K, -math.inf)
        for i in range(K):
            if i == d:
                continue
            cand = []
            for x, sgn in ((a, -1.0), (b, 1.0)):
                if math.isinf(x):
                    cand.append(_g_limit(r, i, d, sgn))
                else:
                    t = _terms_at(r, x)
                    cand.append(float(t[i] - t[d]))
            if r.family == "gaussian":
                si, sd = float(r.inv[i]) ** 2, float(r.inv[d]) ** 2
                if si != sd:
                    xs = (si * float(r.loc[i]) - sd * float(r.loc[d])) / (si - sd)
                    if a < xs < b:
                        t = _terms_at(r, xs)
                        cand.append(float(t[i] - t[d]))
            cv = [c for c in cand if not math.isnan(c)]
            gmin[i] = min(cv) if cv else -math.inf
            gmax[i] = max(cv) if cv else math.inf
        with np.errstate(over="ignore"):
            la = math.log1p(float(np.sum(np.exp(gmin))))
            ua = math.log1p(float(np.sum(np.exp(gmax))))
        A.append(a)
        B.append(b)
        D.append(d)
        LA.append(la)
        UA.append(ua)
        LP.append(0.0)
        UP.append(max(logK, ua))  # log K when d is the maximum there (always, up to rounding)
    return _Envelope(np.array(A), np.array(B), np.array(D, dtype=np.int64), np.array(LP),
                     np.array(UP), np.array(LA), np.array(UA))


def _G(ua: np.ndarray, ub: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int_ua^ub u^r e^-u du for r = 0, 1, 2 (0 <= ua <= ub <= inf)."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        ea = np.exp(-ua)
        gap = ub - ua
        tail = np.where(np.isinf(ub), 0.0, np.exp(-np.where(np.isinf(ub), 0.0, gap)))
        ubf = np.where(np.isinf(ub), 0.0, ub)
        g0 = ea * np.where(np.isinf(ub), 1.0, -np.expm1(-np.where(np.isinf(ub), 0.0, gap)))
        g1 = ea * ((ua + 1.0) - (ubf + 1.0) * tail)
        g2 = ea * ((ua * ua + 2.0 * ua + 2.0) - (ubf * ubf + 2.0 * ubf + 2.0) * tail)
    return g0, np.maximum(g1, 0.0), np.maximum(g2, 0.0)


def _phi_n(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        out: np.ndarray = np.where(np.isinf(z), 0.0, np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi))
    return out


def _mass_n(al: np.ndarray, be: np.ndarray) -> np.ndarray:
    """Phi(be) - Phi(al) without cancelling in the upper tail."""
    right = al > 0
    out: np.ndarray = np.where(right, special.ndtr(-al) - special.ndtr(-be),
                               special.ndtr(be) - special.ndtr(al))
    res: np.ndarray = np.maximum(out, 0.0)
    return res


def _moments(r: _Reduced, s: int, a: np.ndarray, b: np.ndarray,
             c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """int_a^b (x - c)^k p_s(x) dx for k = 0, 1, 2 (component s of r, without its weight)."""
    fam = r.family
    loc, sc = float(r.loc[s]), float(r.scale[s])
    if fam in _POSITIVE:
        a = np.maximum(a, 0.0)
        b = np.maximum(b, a)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        if fam == "gaussian":
            al, be = (a - loc) / sc, (b - loc) / sc
            j0 = _mass_n(al, be)
            pa, pb = _phi_n(al), _phi_n(be)
            j1 = pa - pb
            apa = np.where(np.isinf(al), 0.0, al * pa)
            bpb = np.where(np.isinf(be), 0.0, be * pb)
            j2 = np.maximum(j0 + apa - bpb, 0.0)
            dd = loc - c
            return j0, dd * j0 + sc * j1, dd * dd * j0 + 2.0 * dd * sc * j1 + sc * sc * j2
        if fam == "laplace":
            m0 = np.zeros(a.shape)
            m1 = np.zeros(a.shape)
            m2 = np.zeros(a.shape)
            dd = loc - c
            ra, rb = np.maximum(a, loc), np.maximum(b, loc)
            g0, g1, g2 = _G((ra - loc) / sc, (rb - loc) / sc)
            m0 += 0.5 * g0
            m1 += 0.5 * (dd * g0 + sc * g1)
            m2 += 0.5 * (dd * dd * g0 + 2.0 * dd * sc * g1 + sc * sc * g2)
            la, lb = np.minimum(a, loc), np.minimum(b, loc)
            g0, g1, g2 = _G((loc - lb) / sc, (loc - la) / sc)
            m0 += 0.5 * g0
            m1 += 0.5 * (dd * g0 - sc * g1)
            m2 += 0.5 * (dd * dd * g0 - 2.0 * dd * sc * g1 + sc * sc * g2)
            return m0, m1, m2
        if fam == "exponential":
            g0, g1, g2 = _G(a / sc, b / sc)
            r0, r1, r2 = g0, sc * g1, sc * sc * g2
        elif fam == "rayleigh":
            ua, ub = 0.5 * (a / sc) ** 2, 0.5 * (b / sc) ** 2
            g0, g1, _ = _G(ua, ub)
            ta = np.where(np.isinf(a), 0.0, a * np.exp(-ua))
            tb = np.where(np.isinf(b), 0.0, b * np.exp(-ub))
            r0 = g0
            r1 = np.maximum(ta - tb + sc * math.sqrt(2 * math.pi) * _mass_n(a / sc, b / sc),
                            0.0)
            r2 = 2.0 * sc * sc * g1
        else:
            assert r.shape is not None
            k = r.shape
            xa, xb = a / sc, b / sc

            def part(kk: float) -> np.ndarray:
                upper = xa > kk
                v = np.where(upper, special.gammaincc(kk, xa) - special.gammaincc(kk, xb),
                             special.gammainc(kk, xb) - special.gammainc(kk, xa))
                out: np.ndarray = np.maximum(v, 0.0)
                return out

            r0 = part(k)
            r1 = sc * k * part(k + 1.0)
            r2 = sc * sc * k * (k + 1.0) * part(k + 2.0)
        return r0, r1 - c * r0, r2 - 2.0 * c * r1 + c * c * r0


def _mean_log(r: _Reduced, s: int) -> float:
    """E log X for component s (families on [0, inf))."""
    sc = float(r.scale[s])
    if r.family == "exponential":
        return math.log(sc) - _EULER
    if r.family == "rayleigh":
        return math.log(sc) + 0.5 * (math.log(2.0) - _EULER)
    assert r.shape is not None
    return math.log(sc) + float(special.digamma(r.shape))


def _int_log_bounds(pr: _Reduced, qr: _Reduced, env: _Envelope,
                    adaptive: bool) -> tuple[float, float]:
    """Lower and upper bounds on int p log q (q through its envelope ``env``)."""
    d = env.delta
    loc_d, inv_d, a_d = qr.loc[d], qr.inv[d], qr.a[d]
    lo_c = env.lo_adapt if adaptive else env.lo_plain
    up_c = env.up_adapt if adaptive else env.up_plain
    fam = qr.family
    base = 0.0
    lo_sum = 0.0
    up_sum = 0.0
    for s in range(pr.a.size):
        ws = float(pr.w[s])
        if fam in ("gaussian", "rayleigh"):
            m0, _, m2 = _moments(pr, s, env.a, env.b, loc_d)
            phi = 0.5 * inv_d * inv_d * m2
        elif fam == "laplace":
            m0, m1, _ = _moments(pr, s, env.a, env.b, loc_d)
            mid = np.array([_probe(x, y) for x, y in zip(env.a, env.b, strict=True)])
            sgn = np.where(mid >= loc_d, 1.0, -1.0)
            phi = inv_d * sgn * m1
        else:
            m0, m1, _ = _moments(pr, s, env.a, env.b, np.zeros(d.size))
            phi = inv_d * m1
        core = float(np.sum(a_d * m0 - phi))
        base += ws * core
        lo_sum += ws * float(np.sum(lo_c * m0))
        up_sum += ws * float(np.sum(up_c * m0))
        if qr.hc != 0.0:
            base += ws * qr.hc * _mean_log(pr, s)
    return base + lo_sum, base + up_sum


def _kl_bounds(p: UnivariateMixture, q: UnivariateMixture,
               adaptive: bool) -> tuple[float, float]:
    pr, qr = _reduced(p), _reduced(q)
    with np.errstate(over="ignore", invalid="ignore"):
        lpp, upp = _int_log_bounds(pr, pr, _envelope(pr), adaptive)
        lpq, upq = _int_log_bounds(pr, qr, _envelope(qr), adaptive)
    lower, upper = lpp - upq, upp - lpq
    if not (math.isfinite(lower) and not math.isnan(upper)):
        raise ValueError(
            "p and q: the bounds' partial integrals overflowed (parameters too extreme in "
            "scale); use method='quad'"
        )
    return max(lower, 0.0), upper


# ----------------------------------------------------------------------------------------------
# categorical
# ----------------------------------------------------------------------------------------------
def _kl_categorical(p: CategoricalMixture, q: CategoricalMixture) -> float:
    pp, qq = p.pmf, q.pmf
    pos = pp > 0
    if (qq[pos] == 0).any():
        return math.inf
    t = qq[pos] / pp[pos]
    # sum over p > 0 of p (t - 1 - log t), plus q where p = 0: each term >= 0
    x = t - 1.0
    terms = pp[pos] * (x - np.log1p(x))
    return float(np.sum(terms) + np.sum(qq[~pos]))


# ----------------------------------------------------------------------------------------------
# dispatch
# ----------------------------------------------------------------------------------------------
def _single(um: UnivariateMixture) -> bool:
    return int(um._active.size) == 1


def kl_divergence_univariate(
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
    """``KL(p || q)`` between univariate mixtures (or categorical mixtures), nats unless
    ``base``. Returns a :class:`fastentropy.MixtureDivergence`.

    Methods:

    - ``'closed_form'``: single components of the same family (gamma shapes may differ);
      ``lower`` = ``upper`` = the value.
    - ``'quad'``: adaptive Gauss-Legendre quadrature of the non-negative ``p log(p/q) - p + q``
      over the supports (to about 1e-11 relative, 1e-13 absolute); p and q may be of different
      families.
    - ``'mc'``: Monte Carlo over ``n_samples`` samples of p, stratified by component (at least
      2 per component), with the stratified standard error; ``tol=`` keeps sampling in doubling
      rounds until ``stderr <= tol`` (as :func:`fastentropy.kl_divergence_mixture`).
    - ``'nielsen_sun'``: Nielsen and Sun's (2016) combinatorial envelope bounds: on each
      elementary interval of the upper envelope of the weighted components, ``max_i log w_i p_i
      <= log m <= max_i log w_i p_i + log K``, integrated in closed form (partial moments of the
      components on the intervals) into bounds on ``int p log p`` and ``int p log q``;
      ``lower = max(0, ...)``, ``upper``, and the estimate is their midpoint.
    - ``'nielsen_sun_adaptive'``: the same with ``log m - max_i log w_i p_i`` bounded on each
      interval by ``log(1 + sum_i min ratio_i)`` and ``log(1 + sum_i max ratio_i)``, the
      ratios ``w_i p_i / (w_d p_d)`` to the envelope's component, extremes over the interval in
      closed form. Never looser than the plain bounds.
    - ``'bounds'``: the tightest guaranteed interval: the plain and adaptive intervals
      intersected (the exact value for two single components of one family); estimate midpoint.
    - ``'exact'``: categorical mixtures (``inf`` where q is 0 and p is not).
    - ``'auto'``: ``'exact'`` for categorical mixtures, ``'closed_form'`` for two single
      components of one family, else ``'quad'``.

    The bound methods need p and q of the same family (gamma shapes may differ); mixed families
    are fine for ``'quad'`` and ``'mc'``. Where p's support is not inside q's (p on the whole
    line, q on ``[0, inf)``), every method returns ``inf``. Sampling results are bitwise
    identical for any ``n_jobs``.
    """
    m = check_choice(method, "method", _METHODS)
    b = check_base(base)
    div = log_base_divisor(b)
    if isinstance(p, CategoricalMixture) or isinstance(q, CategoricalMixture):
        if not isinstance(p, CategoricalMixture):
            raise TypeError(f"p must be a CategoricalMixture like q, got {type(p).__name__}")
        if not isinstance(q, CategoricalMixture):
            raise TypeError(f"q must be a CategoricalMixture like p, got {type(q).__name__}")
        if m not in ("auto", "exact"):
            raise ValueError(f"method={m!r} is not for categorical mixtures; use 'exact'")
        if q.n_outcomes != p.n_outcomes:
            raise ValueError(
                f"q must have as many outcomes as p ({p.n_outcomes}), got {q.n_outcomes}"
            )
        v = _kl_categorical(p, q)
        return _scaled((v, None, v, v, 0, "exact"), div)
    up = _model(p, "p")
    uq = _model(q, "q")
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    n_jobs_checked = resolve_n_jobs(n_jobs)
    same = up.family == uq.family
    if m == "exact":
        raise ValueError("method='exact' is for categorical mixtures; use 'closed_form' or "
                         "'quad'")
    if m == "closed_form":
        if not _single(up):
            raise ValueError("p must be a single component (one positive weight) for "
                             "method='closed_form'; use 'quad'")
        if not _single(uq):
            raise ValueError("q must be a single component (one positive weight) for "
                             "method='closed_form'; use 'quad'")
        if not same:
            raise ValueError(f"q must be of p's family ({up.family!r}) for "
                             f"method='closed_form', got {uq.family!r}; use 'quad'")
    if m in ("nielsen_sun", "nielsen_sun_adaptive", "bounds") and not same:
        raise ValueError(f"q must be of p's family ({up.family!r}) for method={m!r}, got "
                         f"{uq.family!r}; use 'quad' or 'mc'")
    if m == "auto":
        m = "closed_form" if same and _single(up) and _single(uq) else "quad"
    if not _supports_nested(up, uq):
        inf = math.inf
        return _scaled((inf, None, inf, inf, 0, m), div)
    if m == "closed_form":
        v = _kl_closed(up, uq)
        return _scaled((v, None, v, v, 0, m), div)
    if m == "quad":
        return _scaled((_kl_quad(up, uq), None, None, None, 0, m), div)
    if m == "mc":
        est, se, n = _kl_mc(up, uq, ns, t, ss, n_jobs_checked)
        return _scaled((est, se, None, None, n, m), div)
    if m == "bounds" and _single(up) and _single(uq):
        v = _kl_closed(up, uq)
        return _scaled((v, None, v, v, 0, m), div)
    if m == "bounds":
        lo1, hi1 = _kl_bounds(up, uq, False)
        lo2, hi2 = _kl_bounds(up, uq, True)
        lo, hi = max(lo1, lo2), min(hi1, hi2)
    else:
        lo, hi = _kl_bounds(up, uq, m == "nielsen_sun_adaptive")
    return _scaled((0.5 * (lo + hi), None, lo, hi, 0, m), div)
