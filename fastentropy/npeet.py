"""NPEET's API (``npeet.entropy_estimators``) on fastentropy's estimators.

``import fastentropy.npeet as ee`` gives the functions of Greg Ver Steeg's NPEET with its names,
argument order, defaults and units (bits: ``base=2``), computed by fastentropy's kernels with
exact counting. Checked against NPEET's ``npeet/entropy_estimators.py`` at commit 8b0d948 of
github.com/gregversteeg/NPEET (``benchmarks/bench_npeet.py`` compares the two). Inputs may be
lists of lists (``[[1.3], [3.7], ...]``), as NPEET documents, or arrays; 1-D inputs are one
column (NPEET needs 2-D for most functions).

What is the same everywhere
---------------------------
Names, positional order, defaults (``k=3``, ``base=2``, ``alpha=0``, ``warning=True``), the
estimators (max-norm k-NN throughout, as NPEET's KD-/ball trees with ``metric='chebyshev'``),
the plug-in discrete estimates and the way the composite quantities (``tc``, ``ctc``, ``corex``,
their discrete and mixed forms) are built from entropies and mutual informations.

What differs everywhere
-----------------------
- Tie-breaking noise. NPEET adds ``1e-10 * U[0, 1)`` (absolute, from ``np.random``, fresh at
  every inner call). This module centres each column of a continuous argument (the estimators
  are translation invariant) and adds ``1e-10`` standard deviations of that column of Gaussian
  noise from a fixed seed, drawn once per call for the arguments in order: the same data always
  give the same value (``mi`` perturbs ``z`` too; NPEET only x and y), and the noise breaks
  ties at any scale or offset (NPEET's absolute
  1e-10 is lost below the rounding of data of magnitude above ~1e6, and dominates data of
  scale ~1e-10). The data are *not* rescaled: NPEET's max-norm geometry on the raw columns is
  kept (so, as in NPEET, the value of ``mi`` for multi-column arguments depends on the
  relative scales of their columns).
- "Strictly inside the radius". NPEET counts neighbours within ``radius - 1e-15`` (an absolute
  epsilon, wrong for data far from unit scale); fastentropy counts ``|d| < radius`` exactly,
  with the same floating-point expression as the distance.
- Bad input is a ``ValueError``/``TypeError`` naming the argument (NPEET: ``AssertionError``s,
  NumPy errors or NaN/inf values). A constant column of a continuous argument is an error
  (NPEET returns a value determined by its noise). Columns with fewer distinct values than
  half the samples get a ``UserWarning`` pointing to the discrete or mixed estimators.
- ``base=None`` is accepted and means nats.

Continuous estimators
---------------------
- ``entropy(x, k=3, base=2)``: Kozachenko-Leonenko with the max-norm,
  ``psi(n) - psi(k) + d log 2 + d <log eps>`` (:func:`fastentropy.entropy_knn`,
  ``metric='chebyshev'``). Same formula; exact duplicates left after the noise are an error.
- ``centropy(x, y, k=3, base=2)``: ``H(x, y) - H(y)``. Same.
- ``tc(xs, k=3, base=2)``: ``sum_j H(xs_j) - H(xs)``. Same (NPEET fails on 1-D ``xs``; here
  one column gives 0).
- ``ctc(xs, y, k=3, base=2)``: ``sum_j H(xs_j | y) - H(xs | y)``. Same.
- ``corex(xs, ys, k=3, base=2)``: ``sum_j I(xs_j; ys) - I(xs; ys)``. Same.
- ``mi(x, y, z=None, k=3, base=2, alpha=0)``: Kraskov-Stoegbauer-Grassberger algorithm 1 in
  the max-norm, ``psi(k) + psi(n) - <psi(n_x + 1) + psi(n_y + 1)>``; with ``z``, the
  Frenzel-Pompe conditional MI (:func:`fastentropy.mutual_info_knn`). ``alpha > 0`` adds the
  local non-uniformity correction (LNC) of Gao, Ver Steeg and Galstyan (2015) as NPEET
  computes it: for each sample, the k neighbours (joint space, max-norm) relative to the
  sample, their PCA axes (eigenvectors of ``K^T K / k``), ``log V_rect`` = the sum of the logs
  of the largest absolute projections on each axis and ``log V_box`` = the sum of the logs of
  the largest absolute coordinate differences; where ``log V_rect < log V_box + log alpha`` the
  estimate gains ``(log V_box - log V_rect) / n``. Differences: ``alpha`` must be in
  ``[0, 1]`` (NPEET ignores negative values and accepts any), ``k`` must be at least the joint
  dimension when ``alpha > 0`` (fewer neighbours than dimensions make ``V_rect`` 0 and the
  correction infinite), and ``alpha > 0`` with ``z`` is an error (NPEET silently ignores
  ``alpha`` there). The eigenvectors come from a symmetric solver (NPEET: ``numpy.linalg.eig``).
- ``cmi(x, y, z, k=3, base=2)``: ``mi(x, y, z)``. Same.
- ``kldiv(x, xp, k=3, base=2)``: Wang-Kulkarni-Verdu in the max-norm,
  ``log m - log(n - 1) + d (<log nu_k> - <log rho_k>)``. Same formula, no noise (as NPEET);
  zero distances (duplicates) are an error (NPEET: inf or nan); ``k`` may equal the size of
  ``xp`` (NPEET requires fewer). :func:`fastentropy.kl_divergence_knn` is the Euclidean form.

Discrete estimators
-------------------
Plug-in, on any labels: numbers, booleans or strings; 2-D input: each row is one symbol, as
NPEET's ``np.unique(..., axis=0)``.

- ``entropyd(sx, base=2)``, ``midd(x, y, base=2)``, ``cmidd(x, y, z, base=2)``,
  ``centropyd(x, y, base=2)``, ``tcd(xs, base=2)``, ``ctcd(xs, y, base=2)``,
  ``corexd(xs, ys, base=2)``: the plug-in (maximum-likelihood) entropies of the empirical
  distribution and the same combinations as NPEET. Each argument is coded on its own (its
  distinct values, or distinct rows), then the codes are combined (NPEET stacks the arguments
  with ``np.c_`` first, converting all to strings when one is text: the same symbols). NaN or
  inf labels and object arrays are errors (NPEET counts NaN as one more symbol; object arrays
  fail in its ``np.unique``).

Mixed estimators
----------------
In the names, ``c`` is a continuous argument and ``d`` a discrete one, in argument order.

- ``micd(x, y, k=3, base=2, warning=True)`` (x continuous, y discrete):
  ``|H(x) - sum_c p(c) H(x | y=c)|`` with the k-NN entropies; a class with ``k`` samples or
  fewer gets ``H(x)`` (and a warning when ``warning``). Same as NPEET, the absolute value
  included (it hides negative estimates). NPEET needs 2-D numpy ``y``; here any label input.
- ``midc(x, y, ...)`` (x discrete, y continuous): ``micd(y, x, ...)``. Same.
- ``centropycd(x, y, ...)`` (x continuous, y discrete): ``H(x) - micd(x, y)``. Differs: NPEET
  calls ``entropy(x, base)``, passing ``base`` as ``k``, so its ``H(x)`` uses k = base (2 by
  default) whatever ``k`` is; here ``H(x)`` uses ``k``.
- ``centropydc(x, y, ...)`` (x discrete, y continuous): ``H(x | y) = H_d(x) - midc(x, y)``.
  Differs: NPEET returns ``centropycd(y, x)``, the differential entropy ``H(y | x)``, not
  the conditional entropy of its first argument.
- ``ctcdc(xs, y, ...)`` (xs discrete columns, y continuous): ``sum_j H(xs_j | y) - H(xs | y)``
  with the ``centropydc`` above (so it differs from NPEET wherever ``centropydc`` does).
- ``ctccd(xs, y, ...)`` (xs continuous columns, y discrete): ``sum_j H(xs_j | y) - H(xs | y)``
  with ``centropycd``. Differs: NPEET computes ``ctcdc(y, xs)``, which sums over the columns
  of ``y`` (it is exactly 0 for a single-column ``y``).
- ``corexcd(xs, ys, ...)`` (xs continuous columns, ys discrete):
  ``sum_j micd(xs_j, ys) - micd(xs, ys)``. Differs: NPEET computes ``corexdc(ys, xs)``, which
  sums over the columns of ``ys``.
- ``corexdc(xs, ys, ...)`` (xs discrete columns, ys continuous): NPEET's definition
  ``tcd(xs) - ctcdc(xs, ys)``, which with the ``ctcdc`` above is
  ``sum_j midc(xs_j, ys) - midc(xs, ys)`` (computed in that form). Differs from NPEET's value
  through ``ctcdc`` (NPEET's is not 0 for independent ``xs`` and ``ys``).

Test
----
- ``shuffle_test(measure, x, y, z=False, ns=200, ci=0.95, **kwargs)``: the mean of ``measure``
  over ``ns`` row permutations of ``x`` and the ``ci`` interval read from the sorted values at
  NPEET's indices ``int((1 - ci) / 2 * ns)`` and ``int((1 + ci) / 2 * ns)`` (the upper one
  capped at ``ns - 1``, where NPEET raises ``IndexError``). Differs: the permutations come from
  a fixed seed (keyword ``random_state``; NPEET: ``np.random.shuffle``), and an array ``z`` is
  passed on (NPEET's ``if z:`` raises for arrays).

NPEET's helpers (``add_noise``, ``query_neighbors``, ``count_neighbors``, ``avgdigamma``,
``build_tree``, ``lnc_correction``) are not provided.
"""
from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import check_base, log_base_divisor
from .estimators import entropy_counts
from .knn import _as_samples, _check_flag, _check_k, entropy_knn, mutual_info_knn

__all__ = [
    "entropy", "centropy", "tc", "ctc", "corex", "mi", "cmi", "kldiv",
    "entropyd", "midd", "cmidd", "centropyd", "tcd", "ctcd", "corexd",
    "micd", "midc", "centropycd", "centropydc", "ctcdc", "ctccd", "corexcd", "corexdc",
    "shuffle_test",
]

FloatArray = npt.NDArray[np.float64]
Codes = npt.NDArray[np.intp]

#: the fixed seed of the tie-breaking noise and of shuffle_test's permutations
DEFAULT_SEED = 20140820
#: tie-breaking noise, in standard deviations of each column
NOISE = 1e-10
#: a column with fewer distinct values than this fraction of its samples is "heavily tied"
_TIED_FRACTION = 0.5


# --------------------------------------------------------------------------------------------
# validation


def _continuous(x: Any, name: str) -> FloatArray:
    """``x`` as a C-contiguous (n, d) float64 array of finite values, 1-D input one column
    (NPEET's lists of lists, e.g. ``[[1.3], [3.7], [5.1]]``, are 2-D): the k-NN family's
    checks, whose errors name ``name``."""
    return _as_samples(x, name)


def _warn(message: str) -> None:
    """A UserWarning attributed to the first caller outside this module."""
    level = 2
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, UserWarning, stacklevel=level)


def _check_varies(arr: FloatArray, name: str) -> None:
    """Every column must vary, and heavily tied columns get a warning."""
    n = arr.shape[0]
    for j in range(arr.shape[1]):
        s = np.sort(arr[:, j])
        distinct = 1 + int(np.count_nonzero(s[1:] != s[:-1]))
        if distinct == 1:
            raise ValueError(
                f"{name}: column {j} is constant; the k-NN estimators need every column to "
                "vary (drop it: a constant carries no information)"
            )
        if distinct < _TIED_FRACTION * n:
            _warn(
                f"{name}: column {j} has only {distinct} distinct values in {n} samples; the "
                "k-NN estimators assume continuous data and are biased on heavily tied data "
                "(the noise only breaks ties). For discrete data use entropyd / midd / cmidd, "
                "for one discrete side micd / midc"
            )


def _same_length(n_a: int, n_b: int, name_a: str, name_b: str) -> None:
    if n_a != n_b:
        raise ValueError(
            f"{name_b} must have as many samples as {name_a}: {name_a} has {n_a}, "
            f"{name_b} has {n_b}"
        )


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise TypeError(f"alpha must be a real number in [0, 1], got {type(alpha).__name__}")
    a = float(alpha)
    if not (0.0 <= a <= 1.0):
        raise ValueError(
            f"alpha must be in [0, 1] (0: no LNC correction; Gao et al. use small values such "
            f"as 0.1-0.5), got {alpha!r}"
        )
    return a


def _labels(x: Any, name: str) -> npt.NDArray[Any]:
    """``x`` as an (n, m) array of labels (1-D input: one column): integers, booleans, finite
    floats or strings; each row is one symbol."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array-like of labels, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} must be a rectangular array-like of labels (got a ragged or mixed nested "
            "sequence); pass a NumPy array or lists of equal length"
        ) from exc
    if arr.dtype.kind not in "biufUS":
        raise TypeError(
            f"{name} must hold integer, boolean, float or string labels, got dtype {arr.dtype}"
        )
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n labels) or 2-D (n samples, m label columns), got "
            f"{arr.ndim}-D with shape {arr.shape}"
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have at least 1 sample, got 0")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must not contain NaN or inf labels")
    return arr


def _row_codes(arr: npt.NDArray[Any]) -> Codes:
    """Codes 0 .. r-1 of the distinct rows of a 2-D label array."""
    if arr.shape[1] == 1:
        _, inv = np.unique(arr[:, 0], return_inverse=True)
    else:
        _, inv = np.unique(np.ascontiguousarray(arr), axis=0, return_inverse=True)
    return np.ascontiguousarray(inv.reshape(-1), dtype=np.intp)


def _joint(*codes: Codes) -> Codes:
    """Codes of the tuples of several codings."""
    out = codes[0]
    for c in codes[1:]:
        combined = out.astype(np.int64) * (int(c.max()) + 1) + c
        _, inv = np.unique(combined, return_inverse=True)
        out = np.ascontiguousarray(inv.reshape(-1), dtype=np.intp)
    return out


def _base(base: Any) -> float:
    """The divisor that turns nats into units of ``base``."""
    return log_base_divisor(check_base(base))


# --------------------------------------------------------------------------------------------
# building blocks (validated, noisy inputs; values in nats)


def _rng() -> np.random.Generator:
    return np.random.default_rng(DEFAULT_SEED)


def _jitter(arrays: list[FloatArray], rng: np.random.Generator) -> list[FloatArray]:
    """Centre each column and add NOISE of its standard deviation, for the arrays in order."""
    out = []
    for a in arrays:
        std = a.std(axis=0)
        out.append(np.ascontiguousarray(
            (a - a.mean(axis=0)) + (NOISE * std) * rng.standard_normal(a.shape)
        ))
    return out


def _prepare(
    named: list[tuple[Any, str]],
) -> list[FloatArray]:
    """Validate continuous arguments (same number of samples), then add the noise."""
    arrays: list[FloatArray] = []
    for x, name in named:
        arr = _continuous(x, name)
        if arrays:
            _same_length(arrays[0].shape[0], arr.shape[0], named[0][1], name)
        arrays.append(arr)
    for arr, (_, name) in zip(arrays, named, strict=True):
        _check_varies(arr, name)
    return _jitter(arrays, _rng())


def _h(x: FloatArray, k: int) -> float:
    """Kozachenko-Leonenko, max-norm, nats, of noisy data."""
    value: float = entropy_knn(x, k=k, metric="chebyshev", standardize=False, noise=0.0)
    return float(value)


def _mi(x: FloatArray, y: FloatArray, z: FloatArray | None, k: int) -> float:
    """KSG-1 (Frenzel-Pompe with z), max-norm, nats, of noisy data."""
    return float(mutual_info_knn(x, y, z=z, k=k, standardize=False, noise=0.0))


def _hd(codes: Codes) -> float:
    """Plug-in entropy of codes, nats."""
    return float(np.asarray(entropy_counts(np.bincount(codes), "plugin")))


def _cd_parts(
    x: FloatArray, codes: Codes, k: int, warning: bool, dname: str,
) -> tuple[float, float]:
    """H(x) and sum_c p(c) H(x | c) (nats), NPEET's convention for small classes."""
    n = x.shape[0]
    hx = _h(x, k)
    sizes = np.bincount(codes)
    cond = 0.0
    small = []
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for c, size in enumerate(sizes.tolist()):
        p = size / n
        if k <= size - 1:
            members = order[bounds[c]:bounds[c + 1]]
            cond += p * _h(np.ascontiguousarray(x[members]), k)
        else:
            small.append(size)
            cond += p * hx
    if small and warning:
        _warn(
            f"{dname}: {len(small)} class(es) have too few samples for k={k} (sizes "
            f"{small[:10]}{'...' if len(small) > 10 else ''}; k must be below the class size); "
            "their conditional entropy is taken to be H(x), as NPEET does"
        )
    return hx, cond


def _micd(x: FloatArray, codes: Codes, k: int, warning: bool, dname: str) -> float:
    hx, cond = _cd_parts(x, codes, k, warning, dname)
    return abs(hx - cond)


def _lnc(points: FloatArray, k: int, alpha: float) -> float:
    """The LNC correction (nats) of Gao, Ver Steeg and Galstyan (2015), as NPEET computes it."""
    n, d = points.shape
    n_threads = threads_for(resolve_n_jobs(None), n, n, min_cells=8192)
    kth = np.empty(n, dtype=np.float64)
    idx = np.empty((n, k), dtype=np.intp)
    kernels("knn").knn_query(points, points, k, 0, True, kth, idx, n_threads)
    if n and kth.min() < 0:
        raise MemoryError("out of memory in the k-NN search")
    total = 0.0
    log_alpha = math.log(alpha)
    step = max(1, 2_000_000 // max(1, k * d * d))  # bounded (chunk, k, d) temporaries
    for start in range(0, n, step):
        stop = min(n, start + step)
        rel = points[idx[start:stop]] - points[start:stop, None, :]  # (m, k, d)
        cov = np.einsum("mki,mkj->mij", rel, rel) / k
        _, vecs = np.linalg.eigh(cov)
        proj = np.einsum("mki,mij->mkj", rel, vecs)
        with np.errstate(divide="ignore"):
            log_rect = np.log(np.abs(proj).max(axis=1)).sum(axis=1)
            log_box = np.log(np.abs(rel).max(axis=1)).sum(axis=1)
        if not (np.isfinite(log_box).all() and np.isfinite(log_rect).all()):
            raise ValueError(
                "x: some samples' k neighbours coincide with them in a coordinate or span fewer "
                "than all dimensions, so the LNC volumes are 0; use alpha=0 or a larger k"
            )
        hit = log_rect < log_box + log_alpha
        total += float(np.sum(log_box[hit] - log_rect[hit]))
    return float(total / n)


# --------------------------------------------------------------------------------------------
# continuous estimators


def entropy(x: Any, k: int = 3, base: float | None = 2) -> float:
    """Kozachenko-Leonenko entropy of ``x`` (max-norm), bits by default. NPEET's ``entropy``:
    see the module docstring for what differs."""
    div = _base(base)
    (X,) = _prepare([(x, "x")])
    k = _check_k(k, X.shape[0])
    return _h(X, k) / div


def centropy(x: Any, y: Any, k: int = 3, base: float | None = 2) -> float:
    """H(x | y) = H(x, y) - H(y), k-NN entropies, bits by default."""
    div = _base(base)
    X, Y = _prepare([(x, "x"), (y, "y")])
    k = _check_k(k, X.shape[0])
    return (_h(np.hstack([X, Y]), k) - _h(Y, k)) / div


def tc(xs: Any, k: int = 3, base: float | None = 2) -> float:
    """Total correlation sum_j H(xs_j) - H(xs), k-NN entropies, bits by default."""
    div = _base(base)
    (X,) = _prepare([(xs, "xs")])
    k = _check_k(k, X.shape[0])
    parts = sum(_h(np.ascontiguousarray(X[:, [j]]), k) for j in range(X.shape[1]))
    return (parts - _h(X, k)) / div


def ctc(xs: Any, y: Any, k: int = 3, base: float | None = 2) -> float:
    """Conditional total correlation sum_j H(xs_j | y) - H(xs | y), bits by default."""
    div = _base(base)
    X, Y = _prepare([(xs, "xs"), (y, "y")])
    k = _check_k(k, X.shape[0])
    hy = _h(Y, k)
    parts = sum(_h(np.hstack([X[:, [j]], Y]), k) - hy for j in range(X.shape[1]))
    return (parts - (_h(np.hstack([X, Y]), k) - hy)) / div


def corex(xs: Any, ys: Any, k: int = 3, base: float | None = 2) -> float:
    """sum_j I(xs_j; ys) - I(xs; ys) (KSG-1), bits by default."""
    div = _base(base)
    X, Y = _prepare([(xs, "xs"), (ys, "ys")])
    k = _check_k(k, X.shape[0])
    parts = sum(_mi(np.ascontiguousarray(X[:, [j]]), Y, None, k) for j in range(X.shape[1]))
    return (parts - _mi(X, Y, None, k)) / div


def mi(
    x: Any, y: Any, z: Any = None, k: int = 3, base: float | None = 2, alpha: float = 0
) -> float:
    """KSG-1 mutual information I(x; y) (max-norm), with ``z`` the Frenzel-Pompe I(x; y | z);
    ``alpha > 0``: the LNC correction (no ``z``). Bits by default. NPEET's ``mi``: see the
    module docstring."""
    div = _base(base)
    a = _check_alpha(alpha)
    named = [(x, "x"), (y, "y")] + ([(z, "z")] if z is not None else [])
    arrays = _prepare(named)
    X, Y = arrays[0], arrays[1]
    Z = arrays[2] if z is not None else None
    k = _check_k(k, X.shape[0])
    if a > 0:
        if Z is not None:
            raise ValueError(
                "alpha: the LNC correction is defined for mi without z (NPEET ignores alpha "
                "when z is given); use alpha=0 with z"
            )
        dims = X.shape[1] + Y.shape[1]
        if k < dims:
            raise ValueError(
                f"alpha: the LNC correction needs k >= the joint dimension ({dims}) so that "
                f"the k neighbours span the space; got k={k}; raise k or use alpha=0"
            )
    value = _mi(X, Y, Z, k)
    if a > 0:
        value += _lnc(np.ascontiguousarray(np.hstack([X, Y])), k, a)
    return value / div


def cmi(x: Any, y: Any, z: Any, k: int = 3, base: float | None = 2) -> float:
    """I(x; y | z) (Frenzel-Pompe), bits by default: ``mi(x, y, z)``."""
    if z is None:
        raise TypeError("z must be an array-like of samples (cmi conditions on z), got None")
    return mi(x, y, z, k=k, base=base)


def kldiv(x: Any, xp: Any, k: int = 3, base: float | None = 2) -> float:
    """Wang-Kulkarni-Verdu estimate of D(p || q) from ``x`` ~ p and ``xp`` ~ q, max-norm, bits
    by default. No noise is added (as NPEET); duplicates are an error."""
    div = _base(base)
    X = _continuous(x, "x")
    XP = _continuous(xp, "xp")
    if X.shape[1] != XP.shape[1]:
        raise ValueError(
            f"xp must have as many columns as x: x has {X.shape[1]}, xp has {XP.shape[1]}"
        )
    n, d = X.shape
    m = XP.shape[0]
    both = np.vstack([X, XP])
    with np.errstate(over="ignore"):
        if not np.isfinite(both.max(axis=0) - both.min(axis=0)).all():
            raise ValueError("xp: x and xp together span too wide a range; rescale both")
    k = _check_k(k, n, what="the number of samples of x")
    if k > m:
        raise ValueError(f"k must be at most the number of samples of xp ({m}), got {k}")
    n_threads = threads_for(resolve_n_jobs(None), n, n, min_cells=8192)
    K = kernels("knn")
    rho = np.empty(n, dtype=np.float64)
    nu = np.empty(n, dtype=np.float64)
    no_idx = np.empty((n, 0), dtype=np.intp)
    K.knn_query(X, X, k, 0, True, rho, no_idx, n_threads)
    K.knn_query(XP, X, k, 0, False, nu, no_idx, n_threads)
    if n and min(rho.min(), nu.min()) < 0:
        raise MemoryError("out of memory in the k-NN search")
    if np.count_nonzero(rho == 0.0):
        raise ValueError(
            f"x: some samples have {k} or more exact duplicates in x (k-th neighbour distance "
            "0), so the estimate is undefined; remove duplicates, add tiny noise or raise k"
        )
    if np.count_nonzero(nu == 0.0):
        raise ValueError(
            f"xp: some samples of x coincide with {k} or more samples of xp (distance 0), so "
            "the estimate is undefined; remove duplicates, add tiny noise or raise k"
        )
    value = math.log(m) - math.log(n - 1) + d * (
        float(np.mean(np.log(nu))) - float(np.mean(np.log(rho)))
    )
    return float(value / div)


# --------------------------------------------------------------------------------------------
# discrete estimators


def _label_args(named: list[tuple[Any, str]]) -> list[npt.NDArray[Any]]:
    arrays: list[npt.NDArray[Any]] = []
    for x, name in named:
        arr = _labels(x, name)
        if arrays:
            _same_length(arrays[0].shape[0], arr.shape[0], named[0][1], name)
        arrays.append(arr)
    return arrays


def entropyd(sx: Any, base: float | None = 2) -> float:
    """Plug-in entropy of the samples ``sx`` (each row of 2-D input one symbol), bits by
    default."""
    div = _base(base)
    (S,) = _label_args([(sx, "sx")])
    return _hd(_row_codes(S)) / div


def midd(x: Any, y: Any, base: float | None = 2) -> float:
    """Plug-in mutual information H(x) + H(y) - H(x, y), bits by default."""
    div = _base(base)
    X, Y = _label_args([(x, "x"), (y, "y")])
    cx, cy = _row_codes(X), _row_codes(Y)
    return (_hd(cx) + _hd(cy) - _hd(_joint(cx, cy))) / div


def cmidd(x: Any, y: Any, z: Any, base: float | None = 2) -> float:
    """Plug-in conditional mutual information H(x,z) + H(y,z) - H(x,y,z) - H(z), bits by
    default."""
    div = _base(base)
    X, Y, Z = _label_args([(x, "x"), (y, "y"), (z, "z")])
    cx, cy, cz = _row_codes(X), _row_codes(Y), _row_codes(Z)
    return (
        _hd(_joint(cx, cz)) + _hd(_joint(cy, cz)) - _hd(_joint(cx, cy, cz)) - _hd(cz)
    ) / div


def centropyd(x: Any, y: Any, base: float | None = 2) -> float:
    """Plug-in conditional entropy H(x | y) = H(x, y) - H(y), bits by default."""
    div = _base(base)
    X, Y = _label_args([(x, "x"), (y, "y")])
    cx, cy = _row_codes(X), _row_codes(Y)
    return (_hd(_joint(cx, cy)) - _hd(cy)) / div


def _columns(arr: npt.NDArray[Any]) -> list[Codes]:
    return [_row_codes(arr[:, [j]]) for j in range(arr.shape[1])]


def tcd(xs: Any, base: float | None = 2) -> float:
    """Plug-in total correlation sum_j H(xs_j) - H(xs), bits by default."""
    div = _base(base)
    (X,) = _label_args([(xs, "xs")])
    return (sum(_hd(c) for c in _columns(X)) - _hd(_row_codes(X))) / div


def ctcd(xs: Any, y: Any, base: float | None = 2) -> float:
    """Plug-in conditional total correlation sum_j H(xs_j | y) - H(xs | y), bits by default."""
    div = _base(base)
    X, Y = _label_args([(xs, "xs"), (y, "y")])
    cy = _row_codes(Y)
    hy = _hd(cy)
    parts = sum(_hd(_joint(c, cy)) - hy for c in _columns(X))
    return (parts - (_hd(_joint(_row_codes(X), cy)) - hy)) / div


def corexd(xs: Any, ys: Any, base: float | None = 2) -> float:
    """Plug-in sum_j I(xs_j; ys) - I(xs; ys), bits by default."""
    div = _base(base)
    X, Y = _label_args([(xs, "xs"), (ys, "ys")])
    cy = _row_codes(Y)
    hy = _hd(cy)

    def mi_d(c: Codes) -> float:
        return _hd(c) + hy - _hd(_joint(c, cy))

    return (sum(mi_d(c) for c in _columns(X)) - mi_d(_row_codes(X))) / div


# --------------------------------------------------------------------------------------------
# mixed estimators


def _mixed(
    c: Any, cname: str, d: Any, dname: str, k: Any, base: Any, warning: Any, c_first: bool,
) -> tuple[FloatArray, npt.NDArray[Any], int, float, bool]:
    """Validate a continuous and a discrete argument (continuous noise added)."""
    div = _base(base)
    warning = _check_flag(warning, "warning")
    C = _continuous(c, cname)
    D = _labels(d, dname)
    if c_first:
        _same_length(C.shape[0], D.shape[0], cname, dname)
    else:
        _same_length(D.shape[0], C.shape[0], dname, cname)
    _check_varies(C, cname)
    k = _check_k(k, C.shape[0])
    (C,) = _jitter([C], _rng())
    return C, D, k, div, warning


def micd(
    x: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """I(x; y) for continuous ``x`` and discrete ``y``: |H(x) - sum_c p(c) H(x | y=c)|, bits by
    default. A class with k samples or fewer contributes H(x) (warned when ``warning``)."""
    X, Y, k, div, warning = _mixed(x, "x", y, "y", k, base, warning, True)
    return _micd(X, _row_codes(Y), k, warning, "y") / div


def midc(
    x: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """I(x; y) for discrete ``x`` and continuous ``y``: ``micd(y, x)``, bits by default."""
    Y, X, k, div, warning = _mixed(y, "y", x, "x", k, base, warning, False)
    return _micd(Y, _row_codes(X), k, warning, "x") / div


def centropycd(
    x: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """H(x | y) for continuous ``x`` and discrete ``y``: H(x) - micd(x, y), bits by default
    (``H(x)`` with this ``k``; NPEET's uses k = 2)."""
    X, Y, k, div, warning = _mixed(x, "x", y, "y", k, base, warning, True)
    hx, cond = _cd_parts(X, _row_codes(Y), k, warning, "y")
    return (hx - abs(hx - cond)) / div


def centropydc(
    x: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """H(x | y) for discrete ``x`` and continuous ``y``: H_d(x) - midc(x, y), bits by default
    (NPEET returns H(y | x) instead)."""
    Y, X, k, div, warning = _mixed(y, "y", x, "x", k, base, warning, False)
    cx = _row_codes(X)
    return (_hd(cx) - _micd(Y, cx, k, warning, "x")) / div


def ctcdc(
    xs: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """sum_j H(xs_j | y) - H(xs | y) for discrete columns ``xs`` and continuous ``y``, bits by
    default."""
    Y, X, k, div, warning = _mixed(y, "y", xs, "xs", k, base, warning, False)

    def cent(c: Codes) -> float:
        return _hd(c) - _micd(Y, c, k, warning, "xs")

    return (sum(cent(c) for c in _columns(X)) - cent(_row_codes(X))) / div


def ctccd(
    xs: Any, y: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """sum_j H(xs_j | y) - H(xs | y) for continuous columns ``xs`` and discrete ``y``, bits by
    default (NPEET's sums over the columns of y instead)."""
    X, Y, k, div, warning = _mixed(xs, "xs", y, "y", k, base, warning, True)
    cy = _row_codes(Y)

    def cent(a: FloatArray) -> float:
        hx, cond = _cd_parts(a, cy, k, warning, "y")
        return hx - abs(hx - cond)

    parts = sum(cent(np.ascontiguousarray(X[:, [j]])) for j in range(X.shape[1]))
    return (parts - cent(X)) / div


def corexcd(
    xs: Any, ys: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """sum_j micd(xs_j, ys) - micd(xs, ys) for continuous columns ``xs`` and discrete ``ys``,
    bits by default (NPEET's sums over the columns of ys instead)."""
    X, Y, k, div, warning = _mixed(xs, "xs", ys, "ys", k, base, warning, True)
    cy = _row_codes(Y)
    parts = sum(
        _micd(np.ascontiguousarray(X[:, [j]]), cy, k, warning, "ys") for j in range(X.shape[1])
    )
    return (parts - _micd(X, cy, k, warning, "ys")) / div


def corexdc(
    xs: Any, ys: Any, k: int = 3, base: float | None = 2, warning: bool = True
) -> float:
    """tcd(xs) - ctcdc(xs, ys) = sum_j midc(xs_j, ys) - midc(xs, ys) for discrete columns
    ``xs`` and continuous ``ys``, bits by default."""
    Y, X, k, div, warning = _mixed(ys, "ys", xs, "xs", k, base, warning, False)
    parts = sum(_micd(Y, c, k, warning, "xs") for c in _columns(X))
    return (parts - _micd(Y, _row_codes(X), k, warning, "xs")) / div


# --------------------------------------------------------------------------------------------
# shuffle test


def shuffle_test(
    measure: Callable[..., Any],
    x: Any,
    y: Any,
    z: Any = False,
    ns: int = 200,
    ci: float = 0.95,
    *,
    random_state: Any = DEFAULT_SEED,
    **kwargs: Any,
) -> tuple[float, tuple[float, float]]:
    """The mean of ``measure(x', y[, z], **kwargs)`` over ``ns`` row permutations x' of ``x``
    and the ``ci`` interval of those values (NPEET's indices into the sorted values). The
    permutations are drawn from ``random_state`` (a fixed seed by default)."""
    if not callable(measure):
        raise TypeError(f"measure must be callable (e.g. mi), got {type(measure).__name__}")
    if isinstance(ns, bool) or not isinstance(ns, numbers.Integral):
        raise TypeError(f"ns must be a positive int, got {type(ns).__name__}")
    ns = int(ns)
    if ns < 1:
        raise ValueError(f"ns must be at least 1, got {ns}")
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real):
        raise TypeError(f"ci must be a number in (0, 1), got {type(ci).__name__}")
    if not 0.0 < float(ci) < 1.0:
        raise ValueError(f"ci must be in (0, 1), got {ci!r}")
    ci = float(ci)
    if isinstance(random_state, bool):
        raise TypeError("random_state must be an int, a numpy Generator/SeedSequence or None")
    try:
        rng = np.random.default_rng(random_state)
    except (TypeError, ValueError):
        raise TypeError(
            "random_state must be a non-negative int, a numpy Generator, BitGenerator or "
            f"SeedSequence, or None; got {random_state!r}"
        ) from None
    if isinstance(x, (str, bytes)):
        raise TypeError(f"x must be an array-like of samples, got {type(x).__name__}")
    try:
        X = np.array(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            "x must be a rectangular array-like of samples (got a ragged nested sequence)"
        ) from exc
    if X.ndim == 0:
        raise ValueError("x must be an array-like of samples (at least 1-D), got a scalar")
    n = X.shape[0]
    with_z = not (z is None or (isinstance(z, bool) and not z))
    outputs = []
    for _ in range(ns):
        perm = X[rng.permutation(n)]
        if with_z:
            out = measure(perm, y, z, **kwargs)
        else:
            out = measure(perm, y, **kwargs)
        outputs.append(float(out))
    outputs.sort()
    lo = outputs[int((1.0 - ci) / 2 * ns)]
    hi = outputs[min(int((1.0 + ci) / 2 * ns), ns - 1)]
    return float(np.mean(outputs)), (lo, hi)
