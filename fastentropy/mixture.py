"""Gaussian mixtures: models, fused log-density, sampling and KL divergences.

Models: :class:`GaussianMixture` (frozen) holds ``weights`` (K,), ``means`` (K, d) and
``covariances`` in scikit-learn's layout for ``covariance_type``: ``'full'`` (K, d, d),
``'tied'`` (d, d), ``'diag'`` (K, d) or ``'spherical'`` (K,). Build one from arrays with
:func:`as_gaussian_mixture` or from any object with scikit-learn's attributes (``weights_``,
``means_``, ``covariances_``, ``covariance_type``: scikit-learn itself is not needed). The lower
Cholesky factors of the covariances are computed once, at construction. Save and load with
:meth:`GaussianMixture.save` / :meth:`GaussianMixture.load` (``.json`` or ``.npz``).

Validation rules:

- weights must be finite and non-negative, and sum to one within ``1e-8``; they are then
  divided by their sum (so rounding in a fitted model does not matter). Other totals are
  refused rather than normalised: a total far from one usually means a wrong array.
  Zero-weight components are allowed and ignored by every computation.
- covariances must be finite and symmetric (within ``1e-8`` of their largest entry; they are
  then symmetrised) and positive definite (a Cholesky factorisation must succeed); diagonal and
  spherical variances must be positive.

Random numbers: a counter-based Philox4x32-10 keyed from ``numpy.random.SeedSequence`` (see
``fastentropy/_philox.py``): the same ``random_state`` gives the same samples and estimates on
both backends (to rounding) and bitwise the same for any ``n_jobs``.

Divergences: :func:`kl_divergence_gaussian` (closed form), :func:`kl_divergence_mixture`
(``method=`` ``'mc'`` (optionally antithetic) and ``'rqmc'`` (scrambled Sobol) with a standard
error and optional ``tol=``, ``'quad'`` in 1-D, the approximations ``'variational'``,
``'goldberger'``, ``'product'``, ``'unscented'`` and the guaranteed interval ``'bounds'``) and
:func:`kl_divergence_mixture_batch` (many pairs in one call).

Sampling is stratified by component: ``n_k = floor(n w_k)`` samples of component ``k``, and the
``n - sum_k n_k`` left over go one each to the components with the largest remainders
``n w_k - n_k`` (ties to the lower index). Rows come grouped by component, in component order.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._philox import pair_key, seed_sequence
from ._quadrature import adaptive_sum, warn_unconverged
from ._validation import as_float_array, check_base, check_choice, log_base_divisor

__all__ = [
    "GaussianMixture",
    "MixtureDivergence",
    "as_gaussian_mixture",
    "log_density",
    "sample",
    "kl_divergence_gaussian",
    "kl_divergence_mixture",
    "MixtureDivergenceBatch",
    "kl_divergence_mixture_batch",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
_WEIGHT_TOL = 1e-8
_SYM_TOL = 1e-8
_FORMAT = "fastentropy.gaussian_mixture"
_LOG_2PI = math.log(2.0 * math.pi)


def _k() -> Any:
    return kernels("mixture")


def _threads(n_jobs: int | None, tasks: int, cells: int) -> int:
    return threads_for(resolve_n_jobs(n_jobs), tasks, cells, min_cells=4096)


# ----------------------------------------------------------------------------------------------
# models
# ----------------------------------------------------------------------------------------------
def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64, order="C", copy=True)
    a.setflags(write=False)
    return a


def _cholesky_checked(cov: np.ndarray, name: str) -> np.ndarray:
    """Lower Cholesky factors of the (K, d, d) symmetric matrices ``cov`` (errors name
    ``name``)."""
    with np.errstate(over="ignore", invalid="ignore"):  # huge entries: the factor says no
        return _cholesky_checked_impl(cov, name)


def _cholesky_checked_impl(cov: np.ndarray, name: str) -> np.ndarray:
    scale = np.max(np.abs(cov), axis=(-2, -1), keepdims=True)
    asym = np.abs(cov - np.swapaxes(cov, -1, -2))
    bad = np.flatnonzero((asym > _SYM_TOL * scale).any(axis=(-2, -1)))
    if bad.size:
        raise ValueError(
            f"{name} must be symmetric; matrix {int(bad[0])} is not (pass symmetric positive "
            "definite covariance matrices)"
        )
    sym = 0.5 * (cov + np.swapaxes(cov, -1, -2))
    out: np.ndarray = np.empty_like(sym)
    for j in range(sym.shape[0]):
        try:
            out[j] = np.linalg.cholesky(sym[j])
        except np.linalg.LinAlgError:
            raise ValueError(
                f"{name} must be positive definite; matrix {j} is not (its Cholesky "
                "factorisation failed)"
            ) from None
        if not np.isfinite(out[j]).all() or not (np.diagonal(out[j]) > 0).all():
            raise ValueError(
                f"{name} must be positive definite with a Cholesky factor representable in "
                f"float64; matrix {j} is singular or too extreme in scale"
            )
    return out


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A Gaussian mixture with scikit-learn's parameter layout (validated on construction).

    ``weights`` (K,), ``means`` (K, d), ``covariances`` shaped by ``covariance_type``
    (``'full'`` (K, d, d), ``'tied'`` (d, d), ``'diag'`` (K, d), ``'spherical'`` (K,)). The
    arrays are stored as read-only float64 copies; weights are divided by their sum (which must
    be one within 1e-8). ``cholesky`` (K, d, d) holds the lower Cholesky factors of the full
    covariance matrices, computed once.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    cholesky: np.ndarray = field(init=False, repr=False)
    _logc: np.ndarray = field(init=False, repr=False)
    _active: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ctype = check_choice(self.covariance_type, "covariance_type", COVARIANCE_TYPES)
        w = as_float_array(self.weights, "weights", finite=True)
        if w.ndim != 1 or w.size == 0:
            raise ValueError(f"weights must be a non-empty 1-D array, got shape {w.shape}")
        if (w < 0).any():
            raise ValueError("weights must be non-negative")
        total = float(w.sum())
        if not abs(total - 1.0) <= _WEIGHT_TOL:
            raise ValueError(
                f"weights must sum to one (within {_WEIGHT_TOL:g}), got a sum of {total!r}; "
                "divide them by their sum if that is what you mean"
            )
        w = w / total
        K = w.shape[0]
        mu = as_float_array(self.means, "means", finite=True)
        if mu.ndim != 2 or mu.shape[0] != K or mu.shape[1] == 0:
            raise ValueError(
                f"means must have shape (n_components, n_features) = ({K}, d) with d >= 1 to "
                f"match weights, got shape {mu.shape}"
            )
        d = mu.shape[1]
        cov = as_float_array(self.covariances, "covariances", finite=True)
        want = {"full": (K, d, d), "tied": (d, d), "diag": (K, d), "spherical": (K,)}[ctype]
        if cov.shape != want:
            raise ValueError(
                f"covariances must have shape {want} for covariance_type={ctype!r} with "
                f"{K} components in {d} dimension(s), got shape {cov.shape}"
            )
        if ctype in ("diag", "spherical"):
            if not (cov > 0).all():
                raise ValueError(f"covariances must be positive ({ctype} variances)")
            sd = np.sqrt(cov)
            if not (sd > 0).all():  # pragma: no cover - sqrt of a positive double is > 0
                raise ValueError("covariances are too small to factorise")
            chol = np.zeros((K, d, d))
            idx = np.arange(d)
            chol[:, idx, idx] = sd if ctype == "diag" else sd[:, None]
        elif ctype == "tied":
            one = _cholesky_checked(cov[None], "covariances")
            chol = np.repeat(one, K, axis=0)
        else:
            chol = _cholesky_checked(cov, "covariances")
        if ctype in ("full", "tied"):
            cov = 0.5 * (cov + np.swapaxes(cov, -1, -2))
        active = np.flatnonzero(w > 0)
        with np.errstate(divide="ignore"):
            logc = (
                np.log(w)
                - 0.5 * d * _LOG_2PI
                - np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
            )
        set_ = object.__setattr__
        set_(self, "covariance_type", ctype)
        set_(self, "weights", _readonly(w))
        set_(self, "means", _readonly(mu))
        set_(self, "covariances", _readonly(cov))
        set_(self, "cholesky", _readonly(chol))
        set_(self, "_logc", _readonly(logc))
        set_(self, "_active", active)

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.means.shape[1])

    def full_covariances(self) -> np.ndarray:
        """The (K, d, d) covariance matrices ``L L^T`` whatever ``covariance_type``."""
        c = self.covariances
        K, d = self.n_components, self.n_features
        if self.covariance_type == "full":
            full: np.ndarray = c.copy()
            return full
        if self.covariance_type == "tied":
            return np.repeat(c[None], K, axis=0)
        out = np.zeros((K, d, d))
        idx = np.arange(d)
        out[:, idx, idx] = c if self.covariance_type == "diag" else c[:, None]
        return out

    def _kernel_args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positive-weight components: weights, logc, means, chol (C-contiguous)."""
        a = self._active
        return (
            np.ascontiguousarray(self.weights[a]),
            np.ascontiguousarray(self._logc[a]),
            np.ascontiguousarray(self.means[a]),
            np.ascontiguousarray(self.cholesky[a]),
        )

    # -------------------------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (floats round-trip exactly through ``json``)."""
        return {
            "format": _FORMAT,
            "version": 1,
            "covariance_type": self.covariance_type,
            "weights": self.weights.tolist(),
            "means": self.means.tolist(),
            "covariances": self.covariances.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Any) -> GaussianMixture:
        if not isinstance(data, dict):
            raise ValueError("data must be a dict with keys weights, means, covariances")
        if data.get("format", _FORMAT) != _FORMAT:
            raise ValueError(f"data has format {data.get('format')!r}, expected {_FORMAT!r}")
        missing = [k for k in ("weights", "means", "covariances") if k not in data]
        if missing:
            raise ValueError(f"data lacks the key(s) {missing}")
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float64),
            means=np.asarray(data["means"], dtype=np.float64),
            covariances=np.asarray(data["covariances"], dtype=np.float64),
            covariance_type=str(data.get("covariance_type", "full")),
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path``: JSON for a ``.json`` name, NumPy ``.npz`` for a
        ``.npz`` name (any other suffix is a ValueError)."""
        p = os.fspath(path)
        suffix = os.path.splitext(p)[1].lower()
        if suffix == ".json":
            with open(p, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh)
        elif suffix == ".npz":
            np.savez(
                p,
                weights=self.weights,
                means=self.means,
                covariances=self.covariances,
                covariance_type=np.array(self.covariance_type),
                format=np.array(_FORMAT),
            )
        else:
            raise ValueError(f"path must end in .json or .npz, got {p!r}")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GaussianMixture:
        """Read a model written by :meth:`save` (``.json`` or ``.npz``; no pickles)."""
        p = os.fspath(path)
        suffix = os.path.splitext(p)[1].lower()
        try:
            if suffix == ".json":
                with open(p, encoding="utf-8") as fh:
                    data = json.load(fh)
            elif suffix == ".npz":
                with np.load(p, allow_pickle=False) as z:
                    data = {k: z[k] for k in z.files}
                for key in ("covariance_type", "format"):
                    if key in data:
                        data[key] = str(data[key])
            else:
                raise ValueError(f"path must end in .json or .npz, got {p!r}")
        except (OSError, json.JSONDecodeError, ValueError) as exc:
            if isinstance(exc, ValueError) and str(exc).startswith("path"):
                raise
            raise ValueError(f"path {p!r} is not a readable mixture file: {exc}") from exc
        try:
            return cls.from_dict(data)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"path {p!r} holds an invalid mixture: {exc}") from exc


def as_gaussian_mixture(
    obj: Any = None,
    *,
    weights: Any = None,
    means: Any = None,
    covariances: Any = None,
    covariance_type: str = "full",
) -> GaussianMixture:
    """A :class:`GaussianMixture` from ``obj`` (a GaussianMixture, returned as is, or anything
    with scikit-learn's ``weights_``, ``means_``, ``covariances_`` and ``covariance_type``) or
    from the keyword arrays (all three needed)."""
    if obj is not None:
        if any(v is not None for v in (weights, means, covariances)):
            raise TypeError("obj must not be combined with weights=, means=, covariances=")
        if isinstance(obj, GaussianMixture):
            return obj
        attrs = ("weights_", "means_", "covariances_")
        if not all(hasattr(obj, a) for a in attrs):
            raise TypeError(
                "obj must be a GaussianMixture or have scikit-learn's fitted attributes "
                f"weights_, means_, covariances_ (got {type(obj).__name__}; fit it first?)"
            )
        return GaussianMixture(
            weights=obj.weights_,
            means=obj.means_,
            covariances=obj.covariances_,
            covariance_type=getattr(obj, "covariance_type", "full"),
        )
    missing = [n for n, v in (("weights", weights), ("means", means),
                              ("covariances", covariances)) if v is None]
    if missing:
        raise TypeError(f"{missing[0]} is required (or pass a fitted model as obj)")
    return GaussianMixture(weights=weights, means=means, covariances=covariances,
                           covariance_type=covariance_type)


def _mixture(m: Any, name: str) -> GaussianMixture:
    if isinstance(m, GaussianMixture):
        return m
    try:
        return as_gaussian_mixture(m)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


# ----------------------------------------------------------------------------------------------
# log-density and sampling
# ----------------------------------------------------------------------------------------------
def log_density(mixture: Any, X: Any, *, n_jobs: int | None = None) -> np.ndarray:
    """Log-density of ``mixture`` at the points ``X`` (a fused stand-in for scikit-learn's
    ``score_samples``).

    ``X`` holds points along its last axis (length d); for a 1-D mixture any shape of scalars
    also works. Returns float64 of ``X``'s shape without that axis. Points must be finite.
    """
    gm = _mixture(mixture, "mixture")
    d = gm.n_features
    x = as_float_array(X, "X", finite=True)
    if x.ndim >= 1 and x.shape[-1] == d:
        outer = x.shape[:-1]
    elif d == 1:
        outer = x.shape
    else:
        raise ValueError(
            f"X must have its last axis of length {d} (the mixture's dimension), "
            f"got shape {x.shape}"
        )
    pts = np.ascontiguousarray(x.reshape(-1, d))
    n = pts.shape[0]
    out = np.full(n, np.nan)
    if n:
        _, logc, mu, chol = gm._kernel_args()
        nt = _threads(n_jobs, -(-n // 256), n * logc.shape[0] * d)
        _k().log_density(pts, logc, mu, chol, out, nt)
        if np.isnan(out).any():  # pragma: no cover - only on a per-thread allocation failure
            raise MemoryError("log_density: out of memory for the per-thread scratch")
    return out.reshape(outer)


def _allocate(w: np.ndarray, n: int) -> np.ndarray:
    """Stratified counts: floor(n w_k), the remainder one each to the largest fractions."""
    target = n * w
    base: np.ndarray = np.floor(target).astype(np.int64)
    left = n - int(base.sum())
    frac = target - base
    if left > 0:
        order = np.argsort(-frac, kind="stable")
        base[order[:left]] += 1
    elif left < 0:  # pragma: no cover - only through rounding in n * w
        order = np.argsort(frac, kind="stable")
        for j in order:
            if left == 0:
                break
            if base[j] > 0:
                base[j] -= 1
                left += 1
    return base


def _sample_count(n: Any, name: str, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return int(n)


def sample(
    mixture: Any, n: int, *, random_state: Any = None, n_jobs: int | None = None
) -> np.ndarray:
    """``n`` samples (an (n, d) float64 array) of ``mixture``, stratified by component (see
    the module doc: rows grouped by component, in component order)."""
    gm = _mixture(mixture, "mixture")
    n = _sample_count(n, "n", 0)
    ss = seed_sequence(random_state)
    w, _, mu, chol = gm._kernel_args()
    counts = _allocate(w, n)
    out = np.empty((n, gm.n_features))
    if n:
        k0, k1 = pair_key(ss, 0)
        nt = _threads(n_jobs, -(-n // 256), n * gm.n_features)
        _k().sample(counts, mu, chol, k0, k1, out, nt)
    return out


# ----------------------------------------------------------------------------------------------
# divergences
# ----------------------------------------------------------------------------------------------
class MixtureDivergence(NamedTuple):
    """Result of :func:`kl_divergence_mixture` (a named tuple).

    ``estimate``; ``stderr`` its standard error (sampling methods, else None); ``lower`` and
    ``upper`` guaranteed bounds where the method gives them (else None); ``n_samples`` the
    samples drawn (0 for closed forms); ``method`` the method used.
    """

    estimate: float
    stderr: float | None
    lower: float | None
    upper: float | None
    n_samples: int
    method: str


def _gaussian_args(mean: Any, cov: Any, mname: str, cname: str) -> tuple[np.ndarray, np.ndarray]:
    m = as_float_array(mean, mname, finite=True)
    c = as_float_array(cov, cname, finite=True)
    if m.ndim < 1 or m.shape[-1] == 0:
        raise ValueError(f"{mname} must have at least 1 dimension (the last holds d >= 1)")
    d = m.shape[-1]
    if c.ndim < 2 or c.shape[-2:] != (d, d):
        raise ValueError(
            f"{cname} must have shape (..., {d}, {d}) to match {mname}, got shape {c.shape}"
        )
    return m, c


def kl_divergence_gaussian(
    mean0: Any, cov0: Any, mean1: Any, cov1: Any, *, base: float | None = None
) -> Any:
    """Closed-form ``KL(N(mean0, cov0) || N(mean1, cov1))``, batched over leading axes.

    Means are (..., d), covariances (..., d, d), symmetric positive definite; leading axes
    broadcast. Computed as ``(sum_i (l_i - 1 - log l_i) + |L1^-1 (mean1 - mean0)|^2) / 2``
    with ``l_i`` the eigenvalues of ``L1^-1 cov0 L1^-T`` (``L1`` the Cholesky factor of
    ``cov1``): a sum of non-negative terms, accurate for near-identical Gaussians. Returns a
    float for unbatched inputs, else an array of the broadcast leading shape.
    """
    b = check_base(base)
    m0, c0 = _gaussian_args(mean0, cov0, "mean0", "cov0")
    m1, c1 = _gaussian_args(mean1, cov1, "mean1", "cov1")
    d = m0.shape[-1]
    if m1.shape[-1] != d:
        raise ValueError(f"mean1 must have dimension {d} like mean0, got {m1.shape[-1]}")
    try:
        lead = np.broadcast_shapes(m0.shape[:-1], c0.shape[:-2], m1.shape[:-1], c1.shape[:-2])
    except ValueError:
        raise ValueError(
            "mean0, cov0, mean1, cov1 must have broadcastable leading (batch) shapes; got "
            f"{m0.shape}, {c0.shape}, {m1.shape}, {c1.shape}"
        ) from None
    m0 = np.broadcast_to(m0, lead + (d,)).reshape(-1, d)
    m1 = np.broadcast_to(m1, lead + (d,)).reshape(-1, d)
    c0 = np.broadcast_to(c0, lead + (d, d)).reshape(-1, d, d)
    c1 = np.broadcast_to(c1, lead + (d, d)).reshape(-1, d, d)
    _cholesky_checked(c0, "cov0")
    L1 = _cholesky_checked(c1, "cov1")
    s0 = 0.5 * (c0 + np.swapaxes(c0, -1, -2))
    Linv = np.linalg.inv(L1)
    S = Linv @ s0 @ np.swapaxes(Linv, -1, -2)
    lam = np.linalg.eigvalsh(0.5 * (S + np.swapaxes(S, -1, -2)))
    delta = m1 - m0
    y = np.einsum("kij,kj->ki", Linv, delta)
    maha = np.einsum("ki,ki->k", y, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = lam - 1.0
        terms = np.where(lam > 0, x - np.log1p(x), np.nan).sum(axis=-1)
    bad = ~np.isfinite(terms)
    if bad.any():  # eigenvalues lost to rounding (ill-conditioned): the direct formula
        ld0 = np.linalg.slogdet(s0[bad])[1]
        ld1 = 2.0 * np.log(np.diagonal(L1[bad], axis1=1, axis2=2)).sum(axis=1)
        terms[bad] = np.trace(S[bad], axis1=1, axis2=2) - d - ld0 + ld1
    kl = 0.5 * (terms + maha) / log_base_divisor(b)
    if lead == ():
        return float(kl[0])
    return kl.reshape(lead)


_METHODS = ("auto", "mc", "rqmc", "quad", "variational", "goldberger", "product", "bounds",
            "unscented")
_ANALYTIC = ("variational", "goldberger", "product", "bounds")
#: tol=: the doubling rounds stop before the total would pass this many samples
_MC_MAX_TOTAL = 1 << 27


def _check_tol(tol: Any) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
        raise TypeError(f"tol must be a positive float or None, got {type(tol).__name__}")
    t = float(tol)
    if not (math.isfinite(t) and t > 0):
        raise ValueError(f"tol must be a positive finite float (a standard error), got {tol!r}")
    return t


def _sampling_args(n_samples: Any, tol: Any,
                   random_state: Any) -> tuple[int, float | None, np.random.SeedSequence]:
    """The sampling functions' common arguments, checked: (n_samples >= 2, tol, the
    SeedSequence of random_state)."""
    return (_sample_count(n_samples, "n_samples", 2), _check_tol(tol),
            seed_sequence(random_state))


def _lse(a: np.ndarray, axis: int) -> np.ndarray:
    """log sum exp along ``axis`` (entries of -inf allowed)."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out: np.ndarray = np.log(np.sum(np.exp(a - m), axis=axis)) + np.squeeze(m, axis=axis)
    return out


# ------------------------------------------------------------------ Monte Carlo (+ tol=)
def _mc_round(gp: GaussianMixture, gq: GaussianMixture, counts: np.ndarray,
              key: tuple[int, int], n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    _, plogc, pmu, pchol = gp._kernel_args()
    _, qlogc, qmu, qchol = gq._kernel_args()
    kp = counts.shape[0]
    mean = np.zeros(kp)
    m2 = np.zeros(kp)
    total = int(counts.sum())
    nt = _threads(n_jobs, -(-total // 256), total * (plogc.size + qlogc.size) * gp.n_features)
    _k().kl_mc(counts, key[0], key[1], plogc, pmu, pchol, qlogc, qmu, qchol, mean, m2, nt)
    return mean, m2


def _mc_stats(w: np.ndarray, mean: np.ndarray, m2: np.ndarray, nk: np.ndarray,
              remedy: str = "means or covariances too extreme in scale for float64 "
              "arithmetic); rescale the data the mixtures model") -> tuple[float, float]:
    """The stratified estimate sum w_k mean_k and its variance; an overflow is a ValueError
    naming p and q (``remedy``: the parenthesis' rest and what to do)."""
    with np.errstate(invalid="ignore", over="ignore"):
        est = float(np.dot(w, mean))
        var = float(np.sum(w * w * (m2 / (nk - 1.0)) / nk))
    if not (math.isfinite(est) and math.isfinite(var)):
        raise ValueError(f"p and q: log p - log q overflowed at p's samples ({remedy}")
    return est, var


def _kl_mc(gp: GaussianMixture, gq: GaussianMixture, ns: int, tol: float | None,
           ss: np.random.SeedSequence, index: int,
           n_jobs: int | None) -> tuple[float, float, int]:
    """Stratified Monte Carlo of pair ``index``: (estimate, stderr, samples drawn) in nats.

    Round 0 uses the key ``pair_key(ss, index)``; with ``tol``, round ``r >= 1`` draws as many
    samples per component as all earlier rounds together, under the independent key
    ``pair_key(child, r)`` (``child`` = the SeedSequence of pair ``index``), and the rounds'
    per-component statistics are merged (Chan et al.), until the stderr is at most ``tol``
    or the next round would pass ``_MC_MAX_TOTAL`` samples (then a RuntimeWarning)."""
    w = gp._kernel_args()[0]
    return _stratified_rounds(w, ns, tol, ss, index,
                              lambda c, key: _mc_round(gp, gq, c, key, n_jobs), _mc_stats)


_MomentsDraw = Callable[[np.ndarray, tuple[int, int]], tuple[np.ndarray, np.ndarray]]
_MomentsStats = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[float, float]]


def _stratified_rounds(w: np.ndarray, ns: int, tol: float | None, ss: np.random.SeedSequence,
                       index: int, draw: _MomentsDraw,
                       stats: _MomentsStats) -> tuple[float, float, int]:
    """The rounds of a stratified Monte Carlo estimate (see :func:`_kl_mc`): ``draw(counts,
    key)`` gives each stratum's mean and M2 for ``counts`` samples under a Philox key,
    ``stats(w, mean, m2, n)`` the estimate and its variance. (estimate, stderr, samples)."""
    counts = np.maximum(_allocate(w, ns), 2)
    mean, m2 = draw(counts, pair_key(ss, index))
    nk = counts.astype(np.float64)
    est, var = stats(w, mean, m2, nk)
    if tol is not None:
        child = np.random.SeedSequence(
            ss.entropy, spawn_key=tuple(ss.spawn_key) + (int(index),), pool_size=ss.pool_size
        )
        r = 0
        while math.sqrt(var) > tol:
            if 2 * int(nk.sum()) > _MC_MAX_TOTAL:
                import warnings

                warnings.warn(
                    f"tol={tol!r} was not reached within {_MC_MAX_TOTAL} samples; the result "
                    f"has stderr {math.sqrt(var):.3g} (from {int(nk.sum())} samples)",
                    RuntimeWarning,
                    stacklevel=4,
                )
                break
            r += 1
            new = nk.astype(np.int64)
            mb, m2b = draw(new, pair_key(child, r))
            nb = new.astype(np.float64)
            n = nk + nb
            delta = mb - mean
            mean = mean + delta * (nb / n)
            m2 = m2 + m2b + delta * delta * (nk * nb / n)
            nk = n
            est, var = stats(w, mean, m2, nk)
    return est, math.sqrt(var), int(nk.sum())


# ------------------------------------------------------- antithetic Monte Carlo (+ tol=)
def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _pair_child(ss: np.random.SeedSequence, index: int) -> np.random.SeedSequence:
    """The SeedSequence of pair ``index`` (``pair_key(ss, index)`` is its first key)."""
    return np.random.SeedSequence(
        ss.entropy, spawn_key=tuple(ss.spawn_key) + (int(index),), pool_size=ss.pool_size
    )


def _mc_pairs_round(gp: GaussianMixture, gq: GaussianMixture, pairs: np.ndarray,
                    key: tuple[int, int],
                    n_jobs: int | None) -> tuple[np.ndarray, np.ndarray]:
    _, plogc, pmu, pchol = gp._kernel_args()
    _, qlogc, qmu, qchol = gq._kernel_args()
    kp = pairs.shape[0]
    mean = np.zeros(kp)
    m2 = np.zeros(kp)
    total = 2 * int(pairs.sum())
    nt = _threads(n_jobs, -(-total // 256), total * (plogc.size + qlogc.size) * gp.n_features)
    _k().kl_mc_pairs(pairs, key[0], key[1], plogc, pmu, pchol, qlogc, qmu, qchol, mean, m2, nt)
    return mean, m2


def _kl_mc_antithetic(gp: GaussianMixture, gq: GaussianMixture, ns: int, tol: float | None,
                      ss: np.random.SeedSequence, index: int,
                      n_jobs: int | None) -> tuple[float, float, int]:
    """Stratified antithetic Monte Carlo: (estimate, stderr, samples drawn) in nats.

    ``ns // 2`` pairs (z, -z) are allocated over p's components as ``mc`` allocates samples
    (at least 2 pairs a component); pair ``g`` uses the normals of sample index ``g`` under
    the same keys as ``mc`` (round 0 ``pair_key(ss, index)``, the ``tol`` rounds as in
    :func:`_kl_mc`). The pairs are the independent units: the per-component mean and variance
    are those of the pair means (f(x) + f(x')) / 2, f = log p - log q."""
    w = gp._kernel_args()[0]
    pairs = np.maximum(_allocate(w, max(ns // 2, 1)), 2)
    mean, m2 = _mc_pairs_round(gp, gq, pairs, pair_key(ss, index), n_jobs)
    nk = pairs.astype(np.float64)
    est, var = _mc_stats(w, mean, m2, nk)
    if tol is not None:
        child = _pair_child(ss, index)
        r = 0
        while math.sqrt(var) > tol:
            if 4 * int(nk.sum()) > _MC_MAX_TOTAL:
                import warnings

                warnings.warn(
                    f"tol={tol!r} was not reached within {_MC_MAX_TOTAL} samples; the result "
                    f"has stderr {math.sqrt(var):.3g} (from {2 * int(nk.sum())} samples)",
                    RuntimeWarning,
                    stacklevel=3,
                )
                break
            r += 1
            new = nk.astype(np.int64)
            mb, m2b = _mc_pairs_round(gp, gq, new, pair_key(child, r), n_jobs)
            nb = new.astype(np.float64)
            n = nk + nb
            delta = mb - mean
            mean = mean + delta * (nb / n)
            m2 = m2 + m2b + delta * delta * (nk * nb / n)
            nk = n
            est, var = _mc_stats(w, mean, m2, nk)
    return est, math.sqrt(var), 2 * int(nk.sum())


# ------------------------------------------------------ randomised quasi-Monte Carlo (+ tol=)
#: the default number of independent scrambles of method='rqmc'
_RQMC_RANDOMIZATIONS = 16
#: rqmc: at most this many points go to the kernel in one call (bounded temporaries)
_RQMC_CHUNK = 1 << 20
#: the spawn-key tag of the Sobol scrambles (keeps them apart from the Philox round keys)
_RQMC_TAG = 0x52514D43


def _check_randomizations(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n_randomizations must be an int, got {type(n).__name__}")
    if n < 2:
        raise ValueError(
            f"n_randomizations must be at least 2 (the standard error is their spread), got {n}"
        )
    if n > 1 << 16:
        raise ValueError(f"n_randomizations must be at most {1 << 16}, got {n}")
    return int(n)


def _rqmc_counts(w: np.ndarray, per: float) -> np.ndarray:
    """Points per component in one randomisation: the power of two nearest (in log scale)
    to ``per * w_k``, at least 2."""
    with np.errstate(divide="ignore"):
        e = np.rint(np.log2(np.maximum(per * w, 1.0)))
    counts: np.ndarray = np.left_shift(1, np.clip(e, 1, 40).astype(np.int64))
    return counts


#: the Sobol points' resolution: scipy's default (coordinates are multiples of 2**-30)
_SOBOL_BITS = 30


def _sobol_ints(d: int, m: int, seed: np.random.SeedSequence) -> np.ndarray:
    """The first ``2**m`` points of a scrambled (Matousek's linear matrix scramble plus a
    digital shift) ``d``-dimensional Sobol sequence, as (2**m, d) uint64 integers
    ``u * 2**30``."""
    from scipy.stats import qmc

    gen = np.random.default_rng(seed)
    try:
        sob = qmc.Sobol(d, scramble=True, bits=_SOBOL_BITS, rng=gen)
    except TypeError:  # pragma: no cover - scipy < 1.15 names it seed
        sob = qmc.Sobol(d, scramble=True, bits=_SOBOL_BITS, seed=gen)
    ints: np.ndarray = np.rint(sob.random_base2(m) * 2.0**_SOBOL_BITS).astype(np.uint64)
    return ints


def _rqmc_estimates(gp: GaussianMixture, gq: GaussianMixture, counts: np.ndarray,
                    child: np.random.SeedSequence, n_rand: int, tag: int,
                    n_jobs: int | None) -> np.ndarray:
    """The estimates sum_k w_k mean_k(log p - log q) of ``n_rand`` randomisations.

    One scrambled Sobol sequence (seeded by ``SeedSequence(child, spawn_key + (tag,))``) gives
    its first ``sum(counts)`` points, cut into consecutive blocks, the largest count first (so
    each block is an aligned run of a power-of-two length: a scrambled net) for the components
    of p. Randomisation ``r`` XORs every point with its own uniform digital shift (30 bits a
    coordinate, drawn from ``SeedSequence(child, spawn_key + (tag, 1))``): each shifted point
    is uniform on the 2**-30 grid, so each randomisation is unbiased and, given the scramble,
    they are independent and identically distributed (their spread is an honest standard
    error; the shared scramble costs nothing in bias because averaging over the shift alone
    already gives the integral). One Sobol construction per round instead of one per
    randomisation: it costs ~0.2-0.4 ms."""
    w, plogc, pmu, pchol = gp._kernel_args()
    _, qlogc, qmu, qchol = gq._kernel_args()
    d = gp.n_features
    order = np.argsort(-counts, kind="stable").astype(np.int64)
    blocks = np.ascontiguousarray(counts[order])
    total = int(blocks.sum())
    m = max(int(total - 1).bit_length(), 0)
    spawn = tuple(child.spawn_key) + (int(tag),)
    base = _sobol_ints(d, m, np.random.SeedSequence(child.entropy, spawn_key=spawn,
                                                    pool_size=child.pool_size))[:total]
    shifts = np.random.default_rng(np.random.SeedSequence(
        child.entropy, spawn_key=spawn + (1,), pool_size=child.pool_size
    )).integers(0, 1 << _SOBOL_BITS, size=(n_rand, d), dtype=np.uint64)
    per_call = max(1, _RQMC_CHUNK // total)
    out = np.empty(n_rand)
    for a in range(0, n_rand, per_call):
        sh = shifts[a : a + per_call]
        nr = sh.shape[0]
        u = np.ascontiguousarray(
            (base[None, :, :] ^ sh[:, None, :]).astype(np.float64).reshape(nr * total, d)
        )
        u *= 2.0**-_SOBOL_BITS
        means = np.empty(nr * order.size)
        nt = _threads(n_jobs, -(-u.shape[0] // 256),
                      u.shape[0] * (plogc.size + qlogc.size) * d)
        _k().kl_qmc(u, np.tile(blocks, nr), np.tile(order, nr), plogc, pmu, pchol,
                    qlogc, qmu, qchol, means, nt)
        with np.errstate(invalid="ignore", over="ignore"):
            out[a : a + nr] = means.reshape(nr, order.size) @ w[order]
    if not np.isfinite(out).all():
        raise ValueError(
            "p and q: log p - log q overflowed at p's points (means or covariances too extreme "
            "in scale for float64 arithmetic); rescale the data the mixtures model"
        )
    return out


def _kl_rqmc(gp: GaussianMixture, gq: GaussianMixture, ns: int, tol: float | None,
             ss: np.random.SeedSequence, index: int, n_jobs: int | None,
             n_rand: int) -> tuple[float, float, int]:
    """Randomised QMC of pair ``index``: (estimate, stderr, points used) in nats.

    ``n_rand`` randomisations (:func:`_rqmc_estimates`) of ``_rqmc_counts(w, ns / n_rand)``
    points per component; estimate = their mean, stderr = their standard deviation /
    sqrt(n_rand). With ``tol``: while stderr > tol, a new round (a fresh scramble and fresh
    shifts) replaces the last with the points per component multiplied by a power of two
    ``g >= 2``: the smallest one at least ``1.25 (stderr / tol)**(1 / a)``, where ``a`` is the
    rate of ``stderr ~ points**-a`` (1 at first, then measured from the last two rounds and
    clipped to [0.5, 1.5]; the RQMC error falls faster than 1/sqrt(points) along a sequence,
    so more points beat more randomisations), at most 1024; stops with a RuntimeWarning
    before a round would pass 2**27 points."""
    w = gp._kernel_args()[0]
    counts = _rqmc_counts(w, ns / n_rand)
    if int(counts.sum()) > 1 << _SOBOL_BITS:
        raise ValueError(
            f"n_samples={ns} is too large for method='rqmc' with n_randomizations={n_rand}: a "
            f"randomisation holds at most 2**{_SOBOL_BITS} Sobol points (use fewer samples or "
            "more randomisations)"
        )
    child = _pair_child(ss, index)
    rnd = 0
    rate = 1.0
    last: tuple[int, float] | None = None
    while True:
        est = _rqmc_estimates(gp, gq, counts, child, n_rand, _RQMC_TAG + rnd, n_jobs)
        mean = float(np.mean(est))
        se = float(np.std(est, ddof=1)) / math.sqrt(n_rand)
        used = n_rand * int(counts.sum())
        if tol is None or se <= tol:
            break
        if last is not None and last[1] > se > 0:
            rate = min(max(math.log(last[1] / se) / math.log(used / last[0]), 0.5), 1.5)
        last = (used, se)
        want = min(max(1.25 * (se / tol) ** (1.0 / rate), 2.0), 1024.0)
        g = 1 << math.ceil(math.log2(want))
        while g > 2 and g * used > _MC_MAX_TOTAL:
            g //= 2
        if g * used > _MC_MAX_TOTAL:
            import warnings

            warnings.warn(
                f"tol={tol!r} was not reached within {_MC_MAX_TOTAL} points; the result has "
                f"stderr {se:.3g} (from {used} points)",
                RuntimeWarning,
                stacklevel=3,
            )
            break
        counts = g * counts
        rnd += 1
    return mean, se, used


# ------------------------------------------------------------------- unscented transform
def _kl_unscented(gp: GaussianMixture, gq: GaussianMixture) -> float:
    """Goldberger et al.'s (2003) unscented approximation (Julier and Uhlmann's sigma points):
    sum_a pi_a (1 / 2d) sum_k [log p - log q](mu_a +- sqrt(d) L_a e_k), in nats."""
    w, _, mu, chol = gp._kernel_args()
    d = gp.n_features
    cols = math.sqrt(d) * np.swapaxes(chol, 1, 2)  # (K, d, d): row k = sqrt(d) L_a[:, k]
    pts = np.concatenate([mu[:, None, :] + cols, mu[:, None, :] - cols], axis=1)
    flat = pts.reshape(-1, d)
    with np.errstate(invalid="ignore", over="ignore"):
        f = (log_density(gp, flat, n_jobs=1) - log_density(gq, flat, n_jobs=1))
        est = float(np.dot(w, f.reshape(w.size, 2 * d).mean(axis=1)))
    if not math.isfinite(est):
        raise ValueError(
            "p and q: log p - log q overflowed at p's sigma points (means or covariances too "
            "extreme in scale for float64 arithmetic); rescale the data the mixtures model"
        )
    return est


# ------------------------------------------------------------------------ 1-D quadrature
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_QUAD_T = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 18.0, 26.0, 39.0])
_QUAD_MAX_INTERVALS = 4000


def _quad_parts(gm: GaussianMixture, c: float, s: float) -> tuple[np.ndarray, ...]:
    a = gm._active
    mu = (gm.means[a, 0] - c) / s
    sd = np.sqrt(gm.full_covariances()[a, 0, 0]) / s
    with np.errstate(divide="ignore"):
        logc = np.log(gm.weights[a]) - 0.5 * _LOG_2PI - np.log(sd)
    return logc, mu, sd


def _quad_logpdf(x: np.ndarray, logc: np.ndarray, mu: np.ndarray, sd: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # a distance that overflows is a density of 0
        z = (x[None, :] - mu[:, None]) / sd[:, None]
        return _lse(logc[:, None] - 0.5 * z * z, axis=0)


def _quad_integrand(x: np.ndarray, pp: tuple[np.ndarray, ...],
                    qp: tuple[np.ndarray, ...]) -> np.ndarray:
    """p log(p/q) - p + q >= 0 (integrates to KL): as p (r + expm1(-r)), r = log p - log q,
    or q - p (1 - r) when q dominates."""
    lp = _quad_logpdf(x, *pp)
    lq = _quad_logpdf(x, *qp)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        r = lp - lq
        ep, eq = np.exp(lp), np.exp(lq)
        near = ep * (r + np.expm1(-np.maximum(r, -30.0)))
        far = eq - ep * (1.0 - r)
        f = np.where(r > -30.0, near, far)
        f = np.where(lp == -np.inf, eq, f)
    out: np.ndarray = np.maximum(f, 0.0)
    return out


def _gl(a: np.ndarray, b: np.ndarray, pp: tuple[np.ndarray, ...],
        qp: tuple[np.ndarray, ...]) -> np.ndarray:
    h = 0.5 * (b - a)
    x = (0.5 * (a + b))[:, None] + h[:, None] * _GL_X[None, :]
    f = _quad_integrand(x.ravel(), pp, qp).reshape(x.shape)
    out: np.ndarray = h * (f @ _GL_W)
    return out


def _kl_quad(gp: GaussianMixture, gq: GaussianMixture) -> float:
    """KL of two 1-D mixtures by adaptive 20-point Gauss-Legendre quadrature (nats).

    Both mixtures are moved to standard coordinates (KL is invariant under x -> (x - c)/s);
    the interval spans every component of p and q to 39 standard deviations (the mass left
    out is below e^-760) and starts split at mu_k +- t sd_k for t in ``_QUAD_T``. An interval's
    error estimate is |G20(whole) - G20(halves)|; the intervals whose error exceeds their share
    of ``1e-13 + 1e-11 I`` are halved until the total meets it. The integrand is the
    non-negative p log(p/q) - p + q, so the result is >= 0 and exact 0 for p == q."""
    allmu = np.concatenate([gp.means[gp._active, 0], gq.means[gq._active, 0]])
    allsd = np.sqrt(np.concatenate([gp.full_covariances()[gp._active, 0, 0],
                                    gq.full_covariances()[gq._active, 0, 0]]))
    with np.errstate(over="ignore", invalid="ignore"):
        c = float(0.5 * (allmu.max() + allmu.min()))
        s = float(allsd.max())
        pp = _quad_parts(gp, c, s)
        qp = _quad_parts(gq, c, s)
        mus = np.concatenate([pp[1], qp[1]])
        sds = np.concatenate([pp[2], qp[2]])
        t = np.concatenate([-_QUAD_T[::-1], _QUAD_T[1:]])
        edges = np.unique((mus[:, None] + sds[:, None] * t[None, :]).ravel())
        # every component must be resolvable where it sits: a rounding step of its mean at
        # most 1e-4 of its standard deviation (else its mass falls between the nodes)
        resolvable = bool((np.abs(mus) * 2.0**-52 <= 1e-4 * sds).all())
    if not (resolvable and np.isfinite(edges).all() and np.isfinite(pp[0]).all()
            and np.isfinite(qp[0]).all() and edges.size >= 2):
        raise ValueError(
            "p and q: the mixtures' means and standard deviations are too far apart in scale "
            "for quadrature in float64; use method='mc'"
        )
    total, err, converged = adaptive_sum(lambda a, b: _gl(a, b, pp, qp), edges,
                                         _QUAD_MAX_INTERVALS)
    if not math.isfinite(total):
        raise ValueError(
            "p and q: the quadrature of p log(p/q) overflowed (parameters too extreme in "
            "scale); use method='mc'"
        )
    if not converged:
        warn_unconverged(err, total, stacklevel=4)
    return total


# -------------------------------------------------------- closed-form approximations/bounds
def _pairwise_kl(mu_a: np.ndarray, La: np.ndarray, mu_b: np.ndarray,
                 Lb: np.ndarray) -> np.ndarray:
    """(Ka, Kb) matrix of KL(N(mu_a, La La^T) || N(mu_b, Lb Lb^T)), as a sum of non-negative
    terms (the eigenvalues l of Lb^-1 Sa Lb^-T give sum (l - 1 - log l))."""
    d = mu_a.shape[1]
    Lbinv = np.linalg.inv(Lb)
    A = Lbinv[None, :, :, :] @ La[:, None, :, :]
    S = A @ np.swapaxes(A, -1, -2)
    S = 0.5 * (S + np.swapaxes(S, -1, -2))
    lam = np.linalg.eigvalsh(S)
    delta = mu_b[None, :, :] - mu_a[:, None, :]
    y = np.einsum("bij,abj->abi", Lbinv, delta)
    maha = np.einsum("abi,abi->ab", y, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = lam - 1.0
        terms = np.where(lam > 0, x - np.log1p(x), np.nan).sum(axis=-1)
    bad = ~np.isfinite(terms)
    if bad.any():  # eigenvalues lost to rounding: the direct formula
        lda = np.log(np.diagonal(La, axis1=1, axis2=2)).sum(axis=1)
        ldb = np.log(np.diagonal(Lb, axis1=1, axis2=2)).sum(axis=1)
        direct = np.trace(S, axis1=2, axis2=3) - d - 2.0 * (lda[:, None] - ldb[None, :])
        terms = np.where(bad, direct, terms)
    out: np.ndarray = 0.5 * (terms + maha)
    return out


def _pairwise_log_overlap(mu_a: np.ndarray, Ca: np.ndarray, mu_b: np.ndarray,
                          Cb: np.ndarray) -> np.ndarray:
    """(Ka, Kb) matrix of log int N(x; mu_a, Ca) N(x; mu_b, Cb) dx = log N(mu_a; mu_b, Ca+Cb)."""
    d = mu_a.shape[1]
    C = Ca[:, None, :, :] + Cb[None, :, :, :]
    L = np.linalg.cholesky(0.5 * (C + np.swapaxes(C, -1, -2)))
    delta = (mu_a[:, None, :] - mu_b[None, :, :])[..., None]
    y = np.linalg.solve(L, delta)[..., 0]
    logdet_half = np.log(np.diagonal(L, axis1=2, axis2=3)).sum(axis=-1)
    out: np.ndarray = -0.5 * d * _LOG_2PI - logdet_half - 0.5 * np.einsum("abi,abi->ab", y, y)
    return out


class _Terms(NamedTuple):
    lw_p: np.ndarray  # log weights of p's active components
    lw_q: np.ndarray
    w_p: np.ndarray
    D_pp: np.ndarray  # KL(f_a || f_a')
    D_pq: np.ndarray  # KL(f_a || g_b)
    Z_pp: np.ndarray  # log int f_a f_a'
    Z_pq: np.ndarray  # log int f_a g_b
    H_p: np.ndarray  # entropies of p's components


def _terms(gp: GaussianMixture, gq: GaussianMixture) -> _Terms:
    ap, aq = gp._active, gq._active
    d = gp.n_features
    w_p = gp.weights[ap]
    mp, Lp, Cp = gp.means[ap], gp.cholesky[ap], gp.full_covariances()[ap]
    mq, Lq, Cq = gq.means[aq], gq.cholesky[aq], gq.full_covariances()[aq]
    t: _Terms | None = None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        try:
            t = _Terms(
                lw_p=np.log(w_p),
                lw_q=np.log(gq.weights[aq]),
                w_p=w_p,
                D_pp=_pairwise_kl(mp, Lp, mp, Lp),
                D_pq=_pairwise_kl(mp, Lp, mq, Lq),
                Z_pp=_pairwise_log_overlap(mp, Cp, mp, Cp),
                Z_pq=_pairwise_log_overlap(mp, Cp, mq, Cq),
                H_p=0.5 * d * (_LOG_2PI + 1.0)
                + np.log(np.diagonal(Lp, axis1=1, axis2=2)).sum(axis=1),
            )
        except np.linalg.LinAlgError:
            pass
    if t is None or not all(np.isfinite(v).all() for v in t):
        raise ValueError(
            "p and q: the components' pairwise divergences overflowed (means or covariances too "
            "extreme in scale for float64 arithmetic); rescale the data the mixtures model"
        )
    return t


def _variational(t: _Terms) -> float:
    num = _lse(t.lw_p[None, :] - t.D_pp, axis=1)
    den = _lse(t.lw_q[None, :] - t.D_pq, axis=1)
    return float(np.dot(t.w_p, num - den))


def _product(t: _Terms) -> float:
    num = _lse(t.lw_p[None, :] + t.Z_pp, axis=1)
    den = _lse(t.lw_q[None, :] + t.Z_pq, axis=1)
    return float(np.dot(t.w_p, num - den))


def _goldberger(t: _Terms) -> float:
    cost = t.D_pq - t.lw_q[None, :]
    m = np.argmin(cost, axis=1)
    rows = np.arange(m.size)
    return float(np.dot(t.w_p, t.D_pq[rows, m] + t.lw_p - t.lw_q[m]))


def _durrieu(t: _Terms) -> tuple[float, float]:
    """Durrieu, Thiran and Kelly (2012): KL = int p log p - int p log q with, per component
    f_a of p, the variational lower bound (Jensen over a posterior on components) and the
    Jensen upper bound int f_a log g <= log int f_a g of each cross-entropy term."""
    hbar = float(np.dot(t.w_p, t.H_p))
    lo_pp = _lse(t.lw_p[None, :] - t.D_pp, axis=1)  # int p log p >= sum w lo_pp - hbar
    up_pp = _lse(t.lw_p[None, :] + t.Z_pp, axis=1)  # int p log p <= sum w up_pp
    lo_pq = _lse(t.lw_q[None, :] - t.D_pq, axis=1)  # int p log q >= sum w lo_pq - hbar
    up_pq = _lse(t.lw_q[None, :] + t.Z_pq, axis=1)  # int p log q <= sum w up_pq
    lower = float(np.dot(t.w_p, lo_pp - up_pq)) - hbar
    upper = float(np.dot(t.w_p, up_pp - lo_pq)) + hbar
    return lower, upper


def _variational_upper(t: _Terms, max_iter: int = 500) -> float:
    """Hershey and Olsen's (2007) variational upper bound: for any phi_ab, psi_ab >= 0 with
    sum_b phi_ab = pi_a and sum_a psi_ab = omega_b, KL(p||q) <= sum_ab phi_ab (log(phi_ab /
    psi_ab) + D(f_a||g_b)) (joint convexity of KL). Their alternating updates, in the log
    domain, from phi = psi = pi omega; the smallest bound met is returned."""
    D = t.D_pq
    lphi = t.lw_p[:, None] + t.lw_q[None, :]
    lpsi = lphi.copy()

    def bound(lphi: np.ndarray, lpsi: np.ndarray) -> float:
        return float(np.sum(np.exp(lphi) * (lphi - lpsi + D)))

    best = bound(lphi, lpsi)
    for _ in range(max_iter):
        a = lpsi - D
        lphi = t.lw_p[:, None] + a - _lse(a, axis=1)[:, None]
        lpsi = t.lw_q[None, :] + lphi - _lse(lphi, axis=0)[None, :]
        val = bound(lphi, lpsi)
        if not val < best - 1e-15 * max(1.0, abs(best)):
            best = min(best, val)
            break
        best = val
    return best


def _closed_form_pair(gp: GaussianMixture, gq: GaussianMixture) -> float:
    i, j = int(gp._active[0]), int(gq._active[0])
    return float(kl_divergence_gaussian(gp.means[i], gp.full_covariances()[i], gq.means[j],
                                        gq.full_covariances()[j]))


def _kl_analytic(gp: GaussianMixture, gq: GaussianMixture,
                 method: str) -> tuple[float, float, float]:
    """(estimate, lower, upper) in nats for the closed-form methods."""
    single = gp._active.size == 1 and gq._active.size == 1
    t = _terms(gp, gq)
    lo, up = _durrieu(t)
    up = min(up, _variational_upper(t))
    lo = max(lo, 0.0)
    if single:
        exact = _closed_form_pair(gp, gq)
        lo = up = exact
    if method == "variational":
        est = _variational(t)
    elif method == "goldberger":
        est = _goldberger(t)
    elif method == "product":
        est = _product(t)
    else:  # bounds: the variational approximation moved into the interval
        est = min(max(_variational(t), lo), up)
    if single and method != "product":
        est = lo
    return est, lo, up


# ------------------------------------------------------------------------------ dispatch
def _kl_pair(gp: GaussianMixture, gq: GaussianMixture, method: str, ns: int,
             tol: float | None, ss: np.random.SeedSequence, index: int,
             n_jobs: int | None) -> tuple[float, float | None, float | None, float | None, int,
                                          str]:
    """(estimate, stderr, lower, upper, n_samples, method) in nats for pair ``index``."""
    return _kl_pair_with(gp, gq, method, ns, tol, ss, index, n_jobs, False,
                         _RQMC_RANDOMIZATIONS)


#: method='auto' uses 'rqmc' up to this dimension, 'mc' above (see kl_divergence_mixture)
_AUTO_RQMC_MAX_DIM = 64


def _auto_method(gp: GaussianMixture, gq: GaussianMixture) -> str:
    if gp._active.size == 1 and gq._active.size == 1:
        return "closed_form"
    if gp.n_features == 1:
        return "quad"
    return "rqmc" if gp.n_features <= _AUTO_RQMC_MAX_DIM else "mc"


def _kl_pair_with(gp: GaussianMixture, gq: GaussianMixture, method: str, ns: int,
                  tol: float | None, ss: np.random.SeedSequence, index: int,
                  n_jobs: int | None, antithetic: bool,
                  n_rand: int) -> tuple[float, float | None, float | None, float | None, int,
                                        str]:
    """:func:`_kl_pair` with the sampler options (``antithetic`` for 'mc', ``n_rand``
    randomisations for 'rqmc')."""
    m = method
    if m == "auto":
        m = _auto_method(gp, gq)
        if m == "closed_form":
            return _closed_form_pair(gp, gq), None, None, None, 0, "closed_form"
    if m == "mc":
        if antithetic:
            est, se, n = _kl_mc_antithetic(gp, gq, ns, tol, ss, index, n_jobs)
        else:
            est, se, n = _kl_mc(gp, gq, ns, tol, ss, index, n_jobs)
        return est, se, None, None, n, "mc"
    if m == "rqmc":
        est, se, n = _kl_rqmc(gp, gq, ns, tol, ss, index, n_jobs, n_rand)
        return est, se, None, None, n, "rqmc"
    if m == "unscented":
        est, lo, up = _kl_analytic(gp, gq, "bounds")
        return _kl_unscented(gp, gq), None, lo, up, 0, "unscented"
    if m == "quad":
        if gp.n_features != 1:
            raise ValueError(
                f"method='quad' needs 1-D mixtures, got dimension {gp.n_features}; use 'mc', "
                "'bounds' or a closed-form approximation"
            )
        return _kl_quad(gp, gq), None, None, None, 0, "quad"
    est, lo, up = _kl_analytic(gp, gq, m)
    return est, None, lo, up, 0, m


def _scaled(r: tuple[float, float | None, float | None, float | None, int, str],
            div: float) -> MixtureDivergence:
    est, se, lo, up, n, m = r
    if div < 0:  # a base below 1 makes the unit negative: the bounds swap
        lo, up = up, lo
    return MixtureDivergence(
        est / div,
        None if se is None else se / abs(div),  # a standard error stays a positive spread
        None if lo is None else lo / div,
        None if up is None else up / div,
        n,
        m,
    )


def kl_divergence_mixture(
    p: Any,
    q: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
    antithetic: bool = False,
    n_randomizations: int = _RQMC_RANDOMIZATIONS,
) -> MixtureDivergence:
    """``KL(p || q)`` between Gaussian mixtures (nats unless ``base``). For univariate mixtures
    of the other families and categorical mixtures (:class:`fastentropy.UnivariateMixture`,
    :class:`fastentropy.CategoricalMixture`) it is
    :func:`fastentropy.kl_divergence_univariate`, with that function's methods (closed forms,
    ``'quad'``, ``'mc'``, the Nielsen-Sun bounds, ``'exact'``).

    Methods:

    - ``'mc'``: Monte Carlo over ``n_samples`` samples of ``p``, stratified by component (see
      the module doc; each positive-weight component gets at least 2 samples, so the total can
      exceed ``n_samples`` slightly and ``n_samples`` in the result says how many were drawn).
      The estimate is ``sum_k w_k mean_k(log p - log q)`` and ``stderr`` the stratified
      standard error ``sqrt(sum_k w_k^2 s_k^2 / n_k)`` from the samples drawn; an estimate can
      come out below 0 when the divergence is small. With ``tol``, sampling goes on in doubling
      rounds (each on fresh counters under an independent key) until ``stderr <= tol``; it
      stops with a RuntimeWarning before passing 2**27 samples.
      ``antithetic=True``: ``n_samples // 2`` antithetic pairs ``mu_k + L_k z``,
      ``mu_k - L_k z`` instead, allocated over the components as the samples are (at least 2
      pairs a component); the pairs are the independent units, so ``stderr`` is computed from
      the pair means. It helps when ``log p - log q`` is roughly odd around the components'
      means (measured on random 8-component pairs in 2-48 dimensions: 1.7-6.2x less
      variance for the same time) and can hurt when it is even (a 1-D pair can come out
      worse).
    - ``'rqmc'``: randomised quasi-Monte Carlo. One scrambled Sobol sequence (scipy's
      ``qmc.Sobol(d, scramble=True)``: Matousek's linear matrix scramble and a digital shift,
      seeded from ``random_state``'s pair stream) and ``n_randomizations`` (default 16, at
      least 2, at most 65536) independent uniform digital shifts of it, each an unbiased
      randomisation, independent of the others given the scramble; in each, component ``k``
      of p gets ``2**j`` points (the power of two nearest ``n_samples * w_k /
      n_randomizations`` in log scale, at least 2: a scrambled Sobol net, consecutive blocks
      of the sequence), mapped to ``mu_k + L_k Phi^-1(u)`` with ``u`` clipped to
      ``[2**-53, 1 - 2**-53]`` (a scrambled Sobol coordinate can be exactly 0; the clip maps
      it to -8.21 instead of -inf). So ``n_samples`` is a budget: the points used (the result's
      ``n_samples``) can differ from it by up to a factor sqrt(2) and at least
      ``2 K n_randomizations`` are used. The estimate is the mean of the randomisations'
      stratified estimates and ``stderr`` their standard deviation / sqrt(n_randomizations)
      (an estimate from that many values: with 16, it is itself uncertain by about 18%).
      With ``tol``, while ``stderr > tol`` a fresh round (new scramble and shifts) replaces
      the previous one with the points per component multiplied by a power of two, chosen
      from the stderr's distance to ``tol`` and its measured decay rate (the RQMC error falls
      faster than 1/sqrt(points), so more points beat more randomisations; the result is the
      last round's); a RuntimeWarning before a round would pass 2**27 points. ``tol`` affects
      ``'mc'`` and ``'rqmc'`` only.
    - ``'quad'`` (1-D only): adaptive Gauss-Legendre quadrature of the non-negative integrand
      ``p log(p/q) - p + q`` over the mixtures' mass, to about ``1e-11`` relative (``1e-13``
      absolute); 0 exactly for ``p == q``. No ``stderr`` or bounds.
    - ``'variational'``: Hershey and Olsen's (2007) variational approximation
      ``sum_a pi_a log(sum_a' pi_a' e^-D(f_a||f_a') / sum_b w_b e^-D(f_a||g_b))`` (log domain).
    - ``'goldberger'``: Goldberger et al.'s (2003) matching approximation
      ``sum_a pi_a (D(f_a||g_m(a)) + log(pi_a / w_m(a)))``, ``m(a) = argmin_b D(f_a||g_b) -
      log w_b``. It is 0 for a mixture against itself only when each component is matched to
      itself (it can come out negative when components overlap).
    - ``'product'``: Hershey and Olsen's product-of-Gaussians approximation
      ``sum_a pi_a log(sum_a' pi_a' z_aa' / sum_b w_b t_ab)`` with ``z``, ``t`` the overlap
      integrals of the components (not exact for single Gaussians).
    - ``'unscented'``: Goldberger et al.'s (2003) unscented approximation (Julier and
      Uhlmann's sigma points): ``sum_a pi_a (1/2d) sum_k [log p - log q](mu_a +- sqrt(d)
      L_a e_k)``, 2d deterministic points per component of p. Exact when ``log p - log q`` is
      quadratic on each component (two single Gaussians); otherwise biased, and the bias does
      not shrink with anything. Measured with ``benchmarks/bench_mixture.py --bias`` (random
      pairs of 2-5 components): median |error| / KL 3.6% in 1-D (200 pairs, against
      ``'quad'``) and 2.2% in 2-D (20 pairs, against 2**21-point ``'rqmc'``), against 10% and
      19% for ``'variational'``; the error has either sign. No ``stderr``; it reports the
      ``'bounds'`` interval.
    - ``'bounds'``: the tightest guaranteed interval: ``lower`` = max(0, Durrieu, Thiran and
      Kelly's (2012) lower bound), ``upper`` = min(their upper bound, Hershey and Olsen's
      variational upper bound, optimised by their alternating updates); the estimate is the
      variational approximation clipped into ``[lower, upper]``.

    The closed-form methods (and ``'unscented'``) report the same ``lower``/``upper`` as
    ``'bounds'`` (they are computed from the same pairwise terms); for two single Gaussians all
    of them but ``'product'`` return the closed form (``'unscented'`` to rounding) and the
    interval is that point. Bounds are exact up to
    floating-point rounding of the terms.
    ``'auto'``: the closed form when p and q are single Gaussians, ``'quad'`` in 1-D, else
    ``'rqmc'`` up to 64 dimensions and ``'mc'`` above (not measured there). Measured with
    ``benchmarks/bench_mixture_stderr.py --dims`` (3 random 8-component pairs per dimension,
    2**17 points, one thread, load ~1.5): the variance times the time of ``'rqmc'`` was
    166-681x below plain ``'mc'``'s in 2-D, 20-204x in 3-6-D, 10-29x in 8-16-D and 4.6-33x in
    24-48-D; antithetic ``'mc'``: 1.7-6.2x. Sampling results are bitwise identical for any
    ``n_jobs``.
    """
    from .univariate import is_univariate, kl_divergence_univariate

    if is_univariate(p) or is_univariate(q):
        _check_flag(antithetic, "antithetic")
        if antithetic or n_randomizations != _RQMC_RANDOMIZATIONS:
            name = "antithetic" if antithetic else "n_randomizations"
            raise ValueError(
                f"{name}: not available for univariate or categorical mixtures (their samplers "
                "are 'mc' and 'quad'; see kl_divergence_univariate)"
            )
        return kl_divergence_univariate(p, q, method=method, n_samples=n_samples, tol=tol,
                                        random_state=random_state, n_jobs=n_jobs, base=base)
    m = check_choice(method, "method", _METHODS)
    b = check_base(base)
    gp = _mixture(p, "p")
    gq = _mixture(q, "q")
    if gq.n_features != gp.n_features:
        raise ValueError(
            f"q must have the same dimension as p ({gp.n_features}), got {gq.n_features}"
        )
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    anti = _check_antithetic(antithetic, m)
    nr = _check_randomizations(n_randomizations)
    if m == "quad" and gp.n_features != 1:
        raise ValueError(
            f"method='quad' needs 1-D mixtures, got dimension {gp.n_features}; use 'mc', "
            "'bounds' or a closed-form approximation"
        )
    return _scaled(_kl_pair_with(gp, gq, m, ns, t, ss, 0, n_jobs, anti, nr),
                   log_base_divisor(b))


def _check_antithetic(antithetic: Any, method: str) -> bool:
    anti = _check_flag(antithetic, "antithetic")
    if anti and method != "mc":
        raise ValueError(
            f"antithetic=True needs method='mc' (got method={method!r}); 'rqmc' balances its "
            "points by construction"
        )
    return anti


class MixtureDivergenceBatch(NamedTuple):
    """Result of :func:`kl_divergence_mixture_batch` (a named tuple of arrays, one entry per
    pair: shape ``(n,)`` for ``pairs='zip'``, ``(len(P), len(Q))`` for ``'cartesian'``).

    ``estimate``, ``stderr``, ``lower``, ``upper`` float64 (NaN where the method gives none);
    ``n_samples`` int64; ``method`` the method used per pair (a str array: ``'auto'`` can pick
    different ones for different pairs).
    """

    estimate: np.ndarray
    stderr: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_samples: np.ndarray
    method: np.ndarray


#: kl_divergence_mixture_batch: pairs of at most this many samples go one thread each
_BATCH_SMALL = 1 << 17


def _models(seq: Any, name: str) -> list[GaussianMixture]:
    if isinstance(seq, (GaussianMixture, str, bytes)) or hasattr(seq, "weights_"):
        raise TypeError(f"{name} must be a sequence of mixtures (a list or tuple), got one "
                        f"{type(seq).__name__}; wrap a single model in a list")
    try:
        items = list(seq)
    except TypeError:
        raise TypeError(
            f"{name} must be a sequence of mixtures (a list or tuple), got "
            f"{type(seq).__name__}"
        ) from None
    return [_mixture(m, f"{name}[{i}]") for i, m in enumerate(items)]


def _fusable(gp: GaussianMixture, gq: GaussianMixture, method: str, antithetic: bool,
             tol: float | None) -> bool:
    """Whether the pair is plain one-round Monte Carlo (what :func:`_kl_mc_fused` runs)."""
    if tol is not None or antithetic:
        return False
    return method == "mc" or (method == "auto" and _auto_method(gp, gq) == "mc")


def _kl_mc_fused(pairs: list[tuple[GaussianMixture, GaussianMixture, int]], ns: int,
                 ss: np.random.SeedSequence, n_jobs: int | None) -> dict[int, Any]:
    """:func:`_kl_mc` without ``tol`` for many pairs ``(p, q, index)``: one ``kl_mc_batch``
    call per dimension; pair ``index`` gets the counts and key of its own call (so the same
    bits). Returns index -> (estimate, stderr, None, None, n_samples, 'mc')."""
    out: dict[int, Any] = {}
    for d in dict.fromkeys(gp.n_features for gp, _, _ in pairs):
        group = [x for x in pairs if x[0].n_features == d]
        pa = [gp._kernel_args() for gp, _, _ in group]
        qa = [gq._kernel_args() for _, gq, _ in group]
        counts = np.concatenate([np.maximum(_allocate(a[0], ns), 2) for a in pa])
        p_off = np.concatenate([[0], np.cumsum([a[0].size for a in pa])]).astype(np.int64)
        q_off = np.concatenate([[0], np.cumsum([a[0].size for a in qa])]).astype(np.int64)
        keys = np.array([pair_key(ss, k) for _, _, k in group], dtype=np.uint32).reshape(-1, 2)

        def cat(arrs: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
                j: int) -> np.ndarray:
            return np.ascontiguousarray(np.concatenate([a[j] for a in arrs]))

        mean = np.zeros(counts.size)
        m2 = np.zeros(counts.size)
        total = int(counts.sum())
        kmax = max(int(np.diff(p_off).max()), int(np.diff(q_off).max()))
        nt = _threads(n_jobs, -(-total // 256), total * 2 * kmax * d)
        _k().kl_mc_batch(counts, p_off, q_off, keys, cat(pa, 1), cat(pa, 2), cat(pa, 3),
                         cat(qa, 1), cat(qa, 2), cat(qa, 3), mean, m2, nt)
        for g, (_, _, k) in enumerate(group):
            a, b = int(p_off[g]), int(p_off[g + 1])
            nk = counts[a:b].astype(np.float64)
            est, var = _mc_stats(pa[g][0], mean[a:b], m2[a:b], nk)
            out[k] = (est, math.sqrt(var), None, None, int(counts[a:b].sum()), "mc")
    return dict(sorted(out.items()))


def kl_divergence_mixture_batch(
    P: Any,
    Q: Any,
    *,
    pairs: str = "zip",
    method: str = "auto",
    n_samples: int = 100_000,
    tol: float | None = None,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
    antithetic: bool = False,
    n_randomizations: int = _RQMC_RANDOMIZATIONS,
) -> MixtureDivergenceBatch:
    """``KL(P[i] || Q[i])`` for every ``i`` (``pairs='zip'``, equal lengths) or
    ``KL(P[i] || Q[j])`` for every ``i, j`` (``pairs='cartesian'``), in one call.

    ``method``, ``n_samples``, ``tol``, ``antithetic``, ``n_randomizations`` and ``base``
    mean what they mean in :func:`kl_divergence_mixture`. Pair ``t`` (``t = i`` for zip,
    ``t = i * len(Q) + j`` for cartesian) draws its random numbers (Philox keys and Sobol
    scrambles) from ``random_state``'s stream ``t`` only, so its result does not depend on the
    other pairs in the batch, and pair 0 equals
    ``kl_divergence_mixture(P[0], Q[0], ...)`` with the same ``random_state``. Results are
    bitwise identical for any ``n_jobs``.
    """
    mode = check_choice(pairs, "pairs", ("zip", "cartesian"))
    m = check_choice(method, "method", _METHODS)
    b = check_base(base)
    ps = _models(P, "P")
    qs = _models(Q, "Q")
    if mode == "zip" and len(ps) != len(qs):
        raise ValueError(
            f"Q must hold as many mixtures as P for pairs='zip' ({len(ps)}), got {len(qs)}; "
            "use pairs='cartesian' for every combination"
        )
    ns, t, ss = _sampling_args(n_samples, tol, random_state)
    anti = _check_antithetic(antithetic, m)
    nr = _check_randomizations(n_randomizations)
    if mode == "zip":
        index = [(i, i) for i in range(len(ps))]
        shape: tuple[int, ...] = (len(ps),)
    else:
        index = [(i, j) for i in range(len(ps)) for j in range(len(qs))]
        shape = (len(ps), len(qs))
    for i, j in index:
        if qs[j].n_features != ps[i].n_features:
            raise ValueError(
                f"Q[{j}] must have the same dimension as P[{i}] ({ps[i].n_features}), got "
                f"{qs[j].n_features}"
            )
        if m == "quad" and ps[i].n_features != 1:
            raise ValueError(
                f"method='quad' needs 1-D mixtures, got dimension {ps[i].n_features} (P[{i}]); "
                "use 'mc', 'bounds' or a closed-form approximation"
            )
    div = log_base_divisor(b)
    n = len(index)
    est, se, lo, up = (np.full(n, np.nan) for _ in range(4))
    used = np.zeros(n, dtype=np.int64)
    names = np.empty(n, dtype="<U11")
    # plain Monte Carlo pairs without tol: one fused kernel call per dimension, threaded over
    # (pair, tile); each pair's result is bitwise that of its own call
    results: list[Any] = [None] * n
    fused = [k for k, (i, j) in enumerate(index) if _fusable(ps[i], qs[j], m, anti, t)]
    if fused:
        got = _kl_mc_fused([(ps[index[k][0]], qs[index[k][1]], k) for k in fused], ns, ss,
                           n_jobs)
        for k in fused:
            results[k] = got[k]
    rest = [k for k in range(n) if results[k] is None]
    # the other small sampling pairs: one thread each, the pairs spread over a pool (the
    # kernels release the GIL); big ones: one at a time, each over the threads. Either way
    # pair k's result depends only on (seed, k), so the results do not depend on n_jobs.
    workers = min(resolve_n_jobs(n_jobs), len(rest))
    if workers > 1 and ns <= _BATCH_SMALL:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            done = list(pool.map(
                lambda k: _kl_pair_with(ps[index[k][0]], qs[index[k][1]], m, ns, t, ss, k, 1,
                                        anti, nr),
                rest,
            ))
    else:
        done = [_kl_pair_with(ps[index[k][0]], qs[index[k][1]], m, ns, t, ss, k, n_jobs, anti,
                              nr) for k in rest]
    for k, r in zip(rest, done, strict=True):
        results[k] = r
    for k in range(n):
        r = _scaled(results[k], div)
        est[k] = r.estimate
        se[k] = np.nan if r.stderr is None else r.stderr
        lo[k] = np.nan if r.lower is None else r.lower
        up[k] = np.nan if r.upper is None else r.upper
        used[k] = r.n_samples
        names[k] = r.method
    return MixtureDivergenceBatch(est.reshape(shape), se.reshape(shape), lo.reshape(shape),
                                  up.reshape(shape), used.reshape(shape), names.reshape(shape))
