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

Sampling is stratified by component: ``n_k = floor(n w_k)`` samples of component ``k``, and the
``n - sum_k n_k`` left over go one each to the components with the largest remainders
``n w_k - n_k`` (ties to the lower index). Rows come grouped by component, in component order.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._philox import pair_key, seed_sequence
from ._validation import as_float_array, check_base, check_choice, log_base_divisor

__all__ = [
    "GaussianMixture",
    "MixtureDivergence",
    "as_gaussian_mixture",
    "log_density",
    "sample",
    "kl_divergence_gaussian",
    "kl_divergence_mixture",
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


def kl_divergence_mixture(
    p: Any,
    q: Any,
    *,
    method: str = "auto",
    n_samples: int = 100_000,
    random_state: Any = None,
    n_jobs: int | None = None,
    base: float | None = None,
) -> MixtureDivergence:
    """``KL(p || q)`` between Gaussian mixtures (nats unless ``base``).

    ``method='mc'``: Monte Carlo over ``n_samples`` samples of ``p``, stratified by component
    (see the module doc; each positive-weight component gets at least 2 samples, so the total
    can exceed ``n_samples`` slightly and ``n_samples`` in the result says how many were drawn).
    The estimate is ``sum_k w_k mean_k(log p - log q)`` and ``stderr`` the stratified standard
    error ``sqrt(sum_k w_k^2 s_k^2 / n_k)`` from the samples drawn; an estimate can come out
    below 0 when the divergence is small. No guaranteed bounds (``lower``/``upper`` None).
    ``method='auto'``: the closed form when p and q are single Gaussians, else ``'mc'``.
    Results are bitwise identical for any ``n_jobs``.
    """
    m = check_choice(method, "method", ("auto", "mc"))
    b = check_base(base)
    gp = _mixture(p, "p")
    gq = _mixture(q, "q")
    if gq.n_features != gp.n_features:
        raise ValueError(
            f"q must have the same dimension as p ({gp.n_features}), got {gq.n_features}"
        )
    ns = _sample_count(n_samples, "n_samples", 2)
    ss = seed_sequence(random_state)
    div = log_base_divisor(b)
    if m == "auto" and gp._active.size == 1 and gq._active.size == 1:
        i, j = int(gp._active[0]), int(gq._active[0])
        kl = kl_divergence_gaussian(
            gp.means[i], gp.full_covariances()[i], gq.means[j], gq.full_covariances()[j]
        )
        return MixtureDivergence(float(kl) / div, None, None, None, 0, "closed_form")
    w, plogc, pmu, pchol = gp._kernel_args()
    _, qlogc, qmu, qchol = gq._kernel_args()
    counts = np.maximum(_allocate(w, ns), 2)
    total = int(counts.sum())
    kp = counts.shape[0]
    mean = np.zeros(kp)
    m2 = np.zeros(kp)
    k0, k1 = pair_key(ss, 0)
    nt = _threads(n_jobs, -(-total // 256), total * (plogc.size + qlogc.size) * gp.n_features)
    _k().kl_mc(counts, k0, k1, plogc, pmu, pchol, qlogc, qmu, qchol, mean, m2, nt)
    nk = counts.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        est = float(np.dot(w, mean))
        var = float(np.sum(w * w * (m2 / (nk - 1.0)) / nk))
    if not (math.isfinite(est) and math.isfinite(var)):
        raise ValueError(
            "p and q: log p - log q overflowed at p's samples (means or covariances too extreme "
            "in scale for float64 arithmetic); rescale the data the mixtures model"
        )
    # a base below 1 makes the unit negative: the standard error stays a (positive) spread
    return MixtureDivergence(est / div, math.sqrt(var) / abs(div), None, None, total, "mc")
