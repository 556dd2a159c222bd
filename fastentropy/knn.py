"""k-nearest-neighbour estimators for continuous data: differential entropy, mutual information
(and conditional mutual information) and the divergence between two samples.

- :func:`entropy_knn`: Kozachenko-Leonenko differential entropy, max-norm or Euclidean;
- :func:`mutual_info_knn`: Kraskov-Stoegbauer-Grassberger (2004) algorithms 1 and 2 for
  multi-dimensional ``x`` and ``y``; with ``z``, the Frenzel-Pompe (2007) conditional MI;
  with ``discrete_x`` or ``discrete_y``, Ross's (2014) estimator for one discrete side and the
  contingency (plug-in) MI for two; ``algorithm='gkov'``, the estimator of Gao, Kannan, Oh and
  Viswanath (2017) for discrete-continuous mixtures (ties are information, not noise);
- :func:`kl_divergence_knn`: the Wang-Kulkarni-Verdu (2009) estimator of D(P || Q).

Nats by default (``base=`` for other units). Native preprocessing does not depend on the data's
scale or offset: each column is centred and divided by its standard deviation, then noise of
``noise`` (1e-10) standard deviations from a fixed default seed breaks ties, so the same data
always give the same answer. ``standardize=False, noise=0`` is the textbook estimator on the
raw data. Entropies are reported for the data as given (the log-scales removed by the
standardisation are added back). "Strictly inside the radius" is counted with the same
floating-point expression as the distance: exact at any scale, no epsilons. Results do not
depend on ``n_jobs``.

Time series: ``theiler=w`` (entropy_knn, mutual_info_knn) leaves the samples j with
``|i - j| <= w`` out of sample i's neighbour search and counts (the Theiler window: temporally
close samples of a time series are not independent neighbours). The transfer entropy and the
total correlation are in :mod:`fastentropy.knn_multi`.

The batch functions (many pairs in one call) are in :mod:`fastentropy.knn_batch`.

The k-NN estimators assume continuous data; heavily tied columns get a warning (for discrete
data, use ``discrete_x`` / ``discrete_y`` or the discrete estimators of
:mod:`fastentropy.mutual_info`).
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from . import _tables
from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import as_float_array, check_base, check_choice, log_base_divisor

__all__ = ["entropy_knn", "mutual_info_knn", "kl_divergence_knn"]

FloatArray = npt.NDArray[np.float64]

#: the fixed default seed of the tie-breaking noise (a SeedSequence-derived Generator)
DEFAULT_SEED = 20040617
_METRICS = {"chebyshev": 0, "euclidean": 1}
_ALGORITHMS = ("ksg1", "ksg2")
#: mutual_info_knn's algorithms (the batch functions take _ALGORITHMS)
_MI_ALGORITHMS = (*_ALGORITHMS, "gkov")
#: a column with fewer distinct values than this fraction of its samples is "heavily tied"
_TIED_FRACTION = 0.5


# --------------------------------------------------------------------------------------------
# validation and preprocessing


def _as_samples(x: Any, name: str) -> FloatArray:
    """``x`` as a C-contiguous (n, d) float64 array: 1-D input is one column."""
    arr = as_float_array(x, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (n samples) or 2-D (n samples, d columns), got {arr.ndim}-D "
            f"with shape {arr.shape}"
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name} must have at least 2 samples, got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    _check_spread(arr, name)
    return np.ascontiguousarray(arr)


def _check_spread(arr: FloatArray, name: str) -> None:
    """Distances between rows of arr (max-norm and Euclidean) must not overflow."""
    spread = arr.max(axis=0) - arr.min(axis=0)
    with np.errstate(over="ignore"):
        ok = np.isfinite(spread).all() and np.isfinite(float(np.sum(spread * spread)))
    if not ok:
        raise ValueError(
            f"{name} spans too wide a range: distances between its samples overflow float64; "
            "rescale it (for example divide by its largest absolute value)"
        )


def _check_k(k: Any, n: int, name: str = "k", what: str = "the number of samples") -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(k).__name__}")
    kk = int(k)
    if kk < 1:
        raise ValueError(f"{name} must be at least 1, got {kk}")
    if kk >= n:
        raise ValueError(f"{name} must be smaller than {what} ({n}), got {kk}; use a smaller k")
    return kk


def _check_theiler(theiler: Any, n: int, k: int) -> int:
    """The Theiler window half-width: an int >= 0 that leaves every sample at least k
    neighbours (an inner sample loses 2 theiler + 1, itself included)."""
    if isinstance(theiler, bool) or not isinstance(theiler, numbers.Integral):
        raise TypeError(f"theiler must be a non-negative int, got {type(theiler).__name__}")
    w = int(theiler)
    if w < 0:
        raise ValueError(f"theiler must be >= 0, got {w}")
    if w > 0 and k + 2 * w + 1 > n:
        raise ValueError(
            f"theiler={w} leaves a sample only {max(n - 2 * w - 1, 0)} candidate neighbours "
            f"(n - 2 theiler - 1 with n = {n}), fewer than k = {k}; use a smaller theiler or k"
        )
    return w


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def _check_noise(noise: Any) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a non-negative real number, got {type(noise).__name__}")
    v = float(noise)
    if not math.isfinite(v) or v < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    return v


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, bool):
        raise TypeError("random_state must be an int, a numpy Generator/SeedSequence or None")
    try:
        return np.random.default_rng(random_state)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            "random_state must be a non-negative int, a numpy Generator, BitGenerator or "
            f"SeedSequence, or None; got {random_state!r}"
        ) from None


def _check_same_length(a: FloatArray, b: FloatArray, name_a: str, name_b: str) -> None:
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{name_b} must have as many samples as {name_a}: {name_a} has {a.shape[0]}, "
            f"{name_b} has {b.shape[0]}"
        )


def _warn_ties(name: str, column: int, distinct: int, n: int) -> None:
    if distinct < _TIED_FRACTION * n:
        warnings.warn(
            f"{name}: column {column} has only {distinct} distinct values in {n} samples; the "
            "k-NN estimators assume continuous data and are biased on heavily tied data (the "
            "noise only breaks ties). For discrete or mixed data use the discrete estimators "
            "(fastentropy.mutual_information on a contingency table, or mutual_info_knn's "
            "discrete_x= / discrete_y= for Ross's estimator, or algorithm='gkov' for "
            "discrete-continuous mixtures)",
            UserWarning,
            stacklevel=4,
        )


def _distinct_sorted(s: FloatArray) -> int:
    return 1 + int(np.count_nonzero(s[1:] != s[:-1]))


class _Prepared:
    """One preprocessed argument: its (n, d) array and, for one column, its sort."""

    def __init__(self, a: FloatArray) -> None:
        self.a = a
        self.sorted: FloatArray | None = None
        self.order: npt.NDArray[np.intp] | None = None


def _prepare(
    arrays: list[tuple[FloatArray, str]], standardize: bool, noise: float,
    rng: np.random.Generator, sort_columns: bool = False, first_column: int = 0,
    warn: bool = True,
) -> tuple[list[_Prepared], float]:
    """Standardise (centre, scale) each column and add ``noise`` standard deviations of Gaussian
    noise, drawing for the arrays in the order given. Returns the new arrays (one-column ones
    sorted once if ``sort_columns``) and the sum of the logs of the scales divided out (what an
    entropy must add back). Warns about heavily tied columns of the raw data (unless not
    ``warn``: an estimator built for ties)."""
    out = []
    log_scale = 0.0
    for arr, name in arrays:
        mean = arr.mean(axis=0)
        std = arr.std(axis=0)
        if not (np.isfinite(mean).all() and np.isfinite(std).all()):
            raise ValueError(
                f"{name} is too large to standardise (its mean or spread overflows float64); "
                "rescale it"
            )
        const = np.flatnonzero(~(std > 0))
        if const.size:
            raise ValueError(
                f"{name}: column {first_column + int(const[0])} is constant; a k-NN estimator "
                "needs every "
                "column to vary (drop constant columns: they carry no information)"
            )
        if standardize:
            a = (arr - mean) / std
            log_scale += float(np.sum(np.log(std)))
            if noise > 0:
                a += noise * rng.standard_normal(a.shape)
        else:
            a = arr.copy()
            if noise > 0:
                a += (noise * std) * rng.standard_normal(a.shape)
        prep = _Prepared(np.ascontiguousarray(a))
        n = arr.shape[0]
        if sort_columns and arr.shape[1] == 1:
            col = prep.a[:, 0]
            order = np.argsort(col)
            prep.order = order
            prep.sorted = np.ascontiguousarray(col[order])
            # the raw values in the order of the noisy ones: ties stay adjacent (the noise is
            # far below any gap between distinct values), so this counts distinct raw values
            if warn:
                _warn_ties(name, first_column, _distinct_sorted(arr[order, 0]), n)
        elif warn:
            for j in range(arr.shape[1]):
                _warn_ties(name, first_column + j, _distinct_sorted(np.sort(arr[:, j])), n)
        out.append(prep)
    return out, log_scale


def _psi_table(n: int) -> FloatArray:
    """psi(j) at index j = 1 .. n (index 0 unused), built once per call."""
    tab = np.empty(n + 1, dtype=np.float64)
    tab[0] = np.nan
    tab[1:] = _tables.digamma(np.arange(1, n + 1, dtype=np.float64))
    return tab


def _threads(n_jobs: Any, n: int) -> int:
    # about one thread per 8192 samples: below that, waking a team costs more than it saves
    return threads_for(resolve_n_jobs(n_jobs), n, n, min_cells=8192)


def _knn(
    data: FloatArray, k: int, metric: int, n_threads: int,
    queries: FloatArray | None = None, want_idx: bool = False, theiler: int = 0,
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    K = kernels("knn")
    q = data if queries is None else queries
    m = q.shape[0]
    kth = np.empty(m, dtype=np.float64)
    idx = np.empty((m, k if want_idx else 0), dtype=np.intp)
    K.knn_query(data, q, k, metric, queries is None, kth, idx, n_threads, theiler)
    if m and kth.min() < 0:
        raise MemoryError("out of memory in the k-NN search")
    return kth, idx


def _count(
    part: _Prepared | FloatArray, radii: FloatArray, strict: bool, n_threads: int,
    theiler: int = 0,
) -> npt.NDArray[np.intp]:
    """For each sample, the others within (strict: strictly inside) its radius in ``part``:
    a sorted column by galloping from each sample's position, several columns by the tree;
    samples within ``theiler`` of it (by index) are not counted."""
    K = kernels("knn")
    if isinstance(part, _Prepared):
        if part.sorted is not None and part.order is not None:
            counts = np.empty(part.a.shape[0], dtype=np.intp)
            K.count_inside_sorted(part.sorted, part.order, radii, strict, counts, n_threads,
                                  theiler)
            return counts
        part = part.a
    counts = np.empty(part.shape[0], dtype=np.intp)
    K.count_inside(part, radii, strict, counts, n_threads, theiler)
    return counts


def _finish(
    local: FloatArray, base: float | None, return_local: bool
) -> float | tuple[float, FloatArray]:
    div = log_base_divisor(base)
    if div != 1.0:
        local = local / div
    value = float(np.mean(local))
    if return_local:
        return value, local
    return value


def _mi_local(
    prepared: list[_Prepared], k: int, algorithm: str, psi: FloatArray, n_threads: int,
    theiler: int = 0,
) -> FloatArray:
    """Per-sample KSG (or, with a third part, Frenzel-Pompe; or Gao et al.'s) values, nats;
    the neighbour search and the counts skip the samples within ``theiler`` of each one."""
    n = prepared[0].a.shape[0]
    px, py = prepared[0], prepared[1]
    w = theiler
    joint = np.ascontiguousarray(np.hstack([p.a for p in prepared]))
    kth, idx = _knn(joint, k, 0, n_threads, want_idx=algorithm == "ksg2", theiler=w)
    psi_k = float(psi[k])
    if len(prepared) == 3:
        pz = prepared[2]
        nxz = _count(np.ascontiguousarray(np.hstack([px.a, pz.a])), kth, True, n_threads, w)
        nyz = _count(np.ascontiguousarray(np.hstack([py.a, pz.a])), kth, True, n_threads, w)
        nz = _count(pz, kth, True, n_threads, w)
        out: FloatArray = psi_k - (psi[nxz + 1] + psi[nyz + 1] - psi[nz + 1])
    elif algorithm == "ksg1":
        nx = _count(px, kth, True, n_threads, w)
        ny = _count(py, kth, True, n_threads, w)
        out = (psi_k + float(psi[n])) - (psi[nx + 1] + psi[ny + 1])
    elif algorithm == "gkov":
        out = _gkov_local(joint, px, py, k, kth, psi, n_threads, w)
    else:
        eps_x = np.abs(px.a[idx] - px.a[:, None, :]).max(axis=(1, 2))
        eps_y = np.abs(py.a[idx] - py.a[:, None, :]).max(axis=(1, 2))
        nx = _count(px, eps_x, False, n_threads, w)
        ny = _count(py, eps_y, False, n_threads, w)
        out = (psi_k - 1.0 / k + float(psi[n])) - (psi[nx] + psi[ny])
    return out


def _gkov_local(
    joint: FloatArray, px: _Prepared, py: _Prepared, k: int, kth: FloatArray,
    psi: FloatArray, n_threads: int, theiler: int,
) -> FloatArray:
    """Gao, Kannan, Oh and Viswanath's (2017) per-sample terms in the digamma form of the
    authors' released code, psi(k~) + log N - psi(m_x) - psi(m_y), nats. Where the k-th joint
    neighbour is at a distance rho > 0: k~ = k and m_x, m_y = 1 + the other samples strictly
    within rho in each marginal (KSG-1's counts); where rho = 0 (k or more exact duplicates):
    k~, m_x, m_y = 1 + the other samples at distance 0 in the joint space, in x and in y."""
    n = joint.shape[0]
    tied = kth == 0.0
    # strict counts inside rho (nothing inside a radius of 0) or, where rho = 0, the samples at
    # distance 0 (a non-strict count at radius 0; a radius of -1 counts nothing)
    zero = np.where(tied, 0.0, -1.0)
    kt = np.full(n, k, dtype=np.intp)
    nx = _count(px, kth, True, n_threads, theiler) + 1
    ny = _count(py, kth, True, n_threads, theiler) + 1
    if tied.any():
        kt[tied] = _count(joint, zero, False, n_threads, theiler)[tied] + 1
        nx[tied] = _count(px, zero, False, n_threads, theiler)[tied] + 1
        ny[tied] = _count(py, zero, False, n_threads, theiler)[tied] + 1
    out: FloatArray = (psi[kt] + math.log(n)) - (psi[nx] + psi[ny])
    return out


# --------------------------------------------------------------------------------------------
# discrete sides (Ross 2014; the contingency MI)


def _as_discrete(x: Any, name: str) -> npt.NDArray[np.intp]:
    """Class codes 0 .. r-1 of the labels ``x`` ((n,) labels, or (n, d) rows of labels, each
    distinct row a class): integers, booleans, finite floats or strings."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array-like of labels, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} must be a rectangular array-like of labels (got a ragged or mixed nested "
            "sequence); pass a NumPy array"
        ) from exc
    kind = arr.dtype.kind
    if kind not in "biufUS":
        raise TypeError(
            f"{name} must hold integer, boolean, float or string labels, got dtype {arr.dtype}"
        )
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (n labels) or 2-D (n samples, d label columns), got "
            f"{arr.ndim}-D with shape {arr.shape}"
        )
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name} must have at least 2 samples, got {arr.shape[0]}")
    if kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must not contain NaN or inf labels")
    if arr.ndim == 1:
        _, inverse = np.unique(arr, return_inverse=True)
    else:
        _, inverse = np.unique(arr, axis=0, return_inverse=True)
    return np.ascontiguousarray(inverse.reshape(-1), dtype=np.intp)


def _plugin_local(a: npt.NDArray[np.intp], b: npt.NDArray[np.intp]) -> tuple[float, FloatArray]:
    """The contingency (plug-in) MI of two codings, nats, and its per-sample terms
    log(n n_ab / (n_a n_b))."""
    from .mutual_info import mutual_info_score

    n = a.shape[0]
    na = np.bincount(a)
    nb = np.bincount(b)
    joint = a.astype(np.int64) * int(nb.shape[0]) + b
    _, jinv, nab = np.unique(joint, return_inverse=True, return_counts=True)
    local = np.log(n * nab[jinv].astype(np.float64)) - np.log(
        na[a].astype(np.float64) * nb[b].astype(np.float64)
    )
    if na.shape[0] == 1 or nb.shape[0] == 1:
        return 0.0, np.zeros(n)
    return float(mutual_info_score(a, b)), local


def _ross_local(
    c: FloatArray, codes: npt.NDArray[np.intp], k: int, n_threads: int, name: str,
) -> FloatArray:
    """Ross's (2014) per-sample terms psi(N) - psi(N_c) + psi(k_c) - psi(m), nats, for the
    continuous samples ``c`` ((n, d), preprocessed) and the classes ``codes``: the k-th
    neighbour (max-norm) within the sample's own class, m the samples of the whole (kept) set
    within that distance (the k-th neighbour included, the sample itself not). A class of
    N_c <= k members uses k_c = N_c - 1; samples of one-member classes are dropped (NaN terms,
    N counts the others), as scikit-learn does."""
    n = c.shape[0]
    sizes = np.bincount(codes)
    size_of = sizes[codes]
    keep = size_of > 1
    n_keep = int(np.count_nonzero(keep))
    if n_keep < 2:
        raise ValueError(
            f"{name}: every class has a single member, so no sample has a neighbour in its own "
            "class; Ross's estimator needs classes with at least 2 members (is this side "
            "really discrete?)"
        )
    radii = np.empty(n, dtype=np.float64)
    k_of = np.empty(n, dtype=np.intp)
    for cls in np.flatnonzero(sizes > 1).tolist():
        members = np.flatnonzero(codes == cls)
        kc = min(k, members.shape[0] - 1)
        kth, _ = _knn(np.ascontiguousarray(c[members]), kc, 0, n_threads)
        radii[members] = kth
        k_of[members] = kc
    kept = np.flatnonzero(keep)
    pts = np.ascontiguousarray(c[kept])
    part = _Prepared(pts)
    if pts.shape[1] == 1:
        order = np.argsort(pts[:, 0])
        part.order = order
        part.sorted = np.ascontiguousarray(pts[order, 0])
    m = _count(part, np.ascontiguousarray(radii[kept]), False, n_threads)
    psi = _psi_table(n_keep)
    local = np.full(n, np.nan)
    local[kept] = (float(psi[n_keep]) - psi[size_of[kept]]) + (psi[k_of[kept]] - psi[m])
    return local

# --------------------------------------------------------------------------------------------
# estimators


@overload
def entropy_knn(
    x: Any, *, k: int = ..., metric: str = ..., base: float | None = ...,
    standardize: bool = ..., noise: float = ..., random_state: Any = ..., theiler: int = ...,
    return_local: Literal[False] = ..., n_jobs: int | None = ...,
) -> float: ...
@overload
def entropy_knn(
    x: Any, *, k: int = ..., metric: str = ..., base: float | None = ...,
    standardize: bool = ..., noise: float = ..., random_state: Any = ..., theiler: int = ...,
    return_local: Literal[True], n_jobs: int | None = ...,
) -> tuple[float, FloatArray]: ...
def entropy_knn(
    x: Any,
    *,
    k: int = 3,
    metric: str = "chebyshev",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    theiler: int = 0,
    return_local: bool = False,
    n_jobs: int | None = None,
) -> float | tuple[float, FloatArray]:
    """Kozachenko-Leonenko estimate of the differential entropy of samples ``x`` ((n,) or
    (n, d)):

    .. math:: \\hat H = \\psi(n) - \\psi(k) + \\log c_d + \\frac dn \\sum_i \\log \\epsilon_i

    with :math:`\\epsilon_i` the distance from sample i to its k-th nearest neighbour in the
    ``metric`` (``'chebyshev'``, the max-norm, or ``'euclidean'``) and :math:`c_d` the volume
    of that norm's unit ball (:math:`2^d`, or :math:`\\pi^{d/2}/\\Gamma(d/2+1)`).

    With ``standardize`` (the default) the estimate is computed on the standardised columns and
    the log of each column's standard deviation is added back, so it estimates the entropy of
    ``x`` as given; the tie-breaking noise is ``noise`` standard deviations (seeded by
    ``random_state``, fixed by default). ``return_local=True`` also returns the per-sample
    values (whose mean is the estimate). Nats unless ``base`` is given. A point with k or more
    exact duplicates (possible only with ``noise=0``) makes the estimate -inf: a ValueError.

    ``theiler=w`` (time series) leaves the samples j with ``|i - j| <= w`` out of sample i's
    neighbour search (the Theiler window; 0, the default, excludes only i itself); ``k`` must
    then be at most ``n - 2 w - 1``. The constant :math:`\\psi(n)` is kept.
    """
    X = _as_samples(x, "x")
    n, d = X.shape
    k = _check_k(k, n)
    theiler = _check_theiler(theiler, n, k)
    code = _METRICS[check_choice(metric, "metric", tuple(_METRICS))]
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    return_local = _check_flag(return_local, "return_local")
    noise = _check_noise(noise)
    rng = _rng(random_state)
    n_threads = _threads(n_jobs, n)
    (px,), log_scale = _prepare([(X, "x")], standardize, noise, rng)
    kth, _ = _knn(px.a, k, code, n_threads, theiler=theiler)
    zero = int(np.count_nonzero(kth == 0.0))
    if zero:
        raise ValueError(
            f"x: {zero} samples have {k} or more exact duplicates, so their k-th neighbour "
            "distance is 0 and the entropy estimate is -inf; keep noise > 0 (the default) to "
            "break ties, or use a larger k"
        )
    if code == 0:
        log_cd = d * math.log(2.0)
    else:
        log_cd = 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1.0)
    psi = _tables.digamma(np.array([n, k], dtype=np.float64))
    const = float(psi[0] - psi[1]) + log_cd + log_scale
    local = const + d * np.log(kth)
    return _finish(local, base, return_local)


@overload
def mutual_info_knn(
    x: Any, y: Any, *, z: Any = ..., k: int = ..., algorithm: str = ...,
    discrete_x: bool = ..., discrete_y: bool = ...,
    base: float | None = ..., standardize: bool = ..., noise: float | None = ...,
    random_state: Any = ..., theiler: int = ..., return_local: Literal[False] = ...,
    n_jobs: int | None = ...,
) -> float: ...
@overload
def mutual_info_knn(
    x: Any, y: Any, *, z: Any = ..., k: int = ..., algorithm: str = ...,
    discrete_x: bool = ..., discrete_y: bool = ...,
    base: float | None = ..., standardize: bool = ..., noise: float | None = ...,
    random_state: Any = ..., theiler: int = ..., return_local: Literal[True],
    n_jobs: int | None = ...,
) -> tuple[float, FloatArray]: ...
def mutual_info_knn(
    x: Any,
    y: Any,
    *,
    z: Any = None,
    k: int = 3,
    algorithm: str = "ksg1",
    discrete_x: bool = False,
    discrete_y: bool = False,
    base: float | None = None,
    standardize: bool = True,
    noise: float | None = None,
    random_state: Any = DEFAULT_SEED,
    theiler: int = 0,
    return_local: bool = False,
    n_jobs: int | None = None,
) -> float | tuple[float, FloatArray]:
    """Kraskov-Stoegbauer-Grassberger estimate of the mutual information I(x; y) of paired
    samples ``x`` ((n,) or (n, dx)) and ``y`` ((n,) or (n, dy)); with ``z``, the Frenzel-Pompe
    conditional mutual information I(x; y | z).

    All distances are max-norms. With :math:`\\epsilon_i` the distance from sample i to its
    k-th neighbour in the joint space, :math:`n_x(i)` and :math:`n_y(i)` the numbers of other
    samples strictly closer than :math:`\\epsilon_i` in x and in y:

    - ``'ksg1'``: :math:`\\psi(k) + \\psi(n) - \\langle\\psi(n_x+1) + \\psi(n_y+1)\\rangle`;
    - ``'ksg2'``: :math:`\\psi(k) - 1/k + \\psi(n) - \\langle\\psi(n_x) + \\psi(n_y)\\rangle`
      with :math:`n_x(i)` counting the samples within (<=) the largest x-distance of the k
      neighbours (and likewise y);
    - with ``z`` (``'ksg1'`` only): :math:`\\psi(k) - \\langle\\psi(n_{xz}+1) + \\psi(n_{yz}+1)
      - \\psi(n_z+1)\\rangle`, the radius taken in the (x, y, z) space;
    - ``'gkov'`` (Gao, Kannan, Oh and Viswanath 2017, for discrete-continuous mixtures; no
      ``z``): :math:`\\langle\\psi(\\tilde k) + \\log n - \\psi(m_x) - \\psi(m_y)\\rangle`, the
      digamma form of the authors' released code: where the k-th joint distance
      :math:`\\epsilon_i > 0`, :math:`\\tilde k = k` and :math:`m_x = n_x + 1`,
      :math:`m_y = n_y + 1` with KSG-1's strict counts (so on tie-free data it is KSG-1 with
      :math:`\\log n` for :math:`\\psi(n)`); where :math:`\\epsilon_i = 0` (k or more exact
      duplicates of sample i), :math:`\\tilde k`, :math:`m_x`, :math:`m_y` count the samples
      at distance 0 (sample i included) in the joint space, in x and in y. The paper's
      Algorithm 1 prints :math:`\\log(n_x + 1)` with inclusive counts instead; that form is
      biased low by about :math:`\\psi(k) - \\log(k + 1)` per sample in regions where one
      class is near (-0.37 nats at k = 3 on X uniform on {0, 1}, Y = X + U(0, 2), where this
      form is within 0.02). Ties carry the discrete part of the information here, so the
      default ``noise`` is 0 for ``'gkov'`` (a noise > 0 given explicitly is applied, and breaks
      those ties) and tied columns get no warning.

    Preprocessing (``standardize``, ``noise``, ``random_state``) as in :func:`entropy_knn`, so
    the value does not depend on the scale or offset of any column; the noise is drawn for x,
    then y, then z. ``noise=None`` (the default) is 1e-10 standard deviations, 0 for
    ``'gkov'``. ``return_local=True`` also returns the per-sample values. Nats unless
    ``base`` is given. The estimate can be slightly negative for independent variables.

    ``theiler=w`` (time series; continuous x and y, any algorithm, with or without ``z``)
    leaves the samples j with ``|i - j| <= w`` out of sample i's neighbour search and of its
    marginal counts (the Theiler window); ``k`` must then be at most ``n - 2 w - 1``. The
    :math:`\\psi(n)` terms keep the total n.

    Discrete sides (no ``z``; ``algorithm='ksg1'``): ``discrete_x=True`` (or ``discrete_y``)
    reads that side as class labels ((n,) labels, or (n, d) rows of labels: each distinct row
    is a class; integers, booleans, finite floats or strings) and uses Ross's (2014)
    estimator, :math:`\\psi(N) - \\langle\\psi(N_c)\\rangle + \\langle\\psi(k_c)\\rangle
    - \\langle\\psi(m)\\rangle`: the distance to sample i's k-th neighbour (max-norm) among the
    other members of its class, :math:`N_c` that class's size, :math:`m` the samples of the
    whole set within that distance (the k-th neighbour included, i itself not). Only the
    continuous side is standardised and perturbed. As scikit-learn does, a class with
    :math:`N_c \\le k` members uses :math:`k_c = N_c - 1`, and samples of one-member classes
    are dropped (N counts the others; their ``return_local`` entries are NaN); a ValueError
    if every class has one member. Both sides discrete: the contingency (plug-in) MI of the
    two labelings (as :func:`fastentropy.mutual_info_score`; local terms
    :math:`\\log(N n_{xy} / (n_x n_y))`); ``k`` must still be valid but is not used.
    """
    discrete_x = _check_flag(discrete_x, "discrete_x")
    discrete_y = _check_flag(discrete_y, "discrete_y")
    if discrete_x or discrete_y:
        if not (isinstance(theiler, numbers.Integral) and not isinstance(theiler, bool)
                and int(theiler) == 0):
            raise ValueError(
                "theiler: the Theiler window is not available with discrete_x / discrete_y; "
                "use theiler=0"
            )
        if noise is None:
            noise = 1e-10
        return _mutual_info_discrete(
            x, y, z, k, algorithm, discrete_x, discrete_y, base, standardize, noise,
            random_state, return_local, n_jobs,
        )
    X = _as_samples(x, "x")
    Y = _as_samples(y, "y")
    _check_same_length(X, Y, "x", "y")
    Z = None
    if z is not None:
        Z = _as_samples(z, "z")
        _check_same_length(X, Z, "x", "z")
    n = X.shape[0]
    k = _check_k(k, n)
    algorithm = check_choice(algorithm, "algorithm", _MI_ALGORITHMS)
    if Z is not None and algorithm != "ksg1":
        raise ValueError(
            f"algorithm={algorithm!r} is not available with z (conditional MI); use "
            "algorithm='ksg1'"
        )
    theiler = _check_theiler(theiler, n, k)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    return_local = _check_flag(return_local, "return_local")
    gkov = algorithm == "gkov"
    noise = _check_noise((0.0 if gkov else 1e-10) if noise is None else noise)
    rng = _rng(random_state)
    n_threads = _threads(n_jobs, n)
    parts: list[tuple[FloatArray, str]] = [(X, "x"), (Y, "y")]
    if Z is not None:
        parts.append((Z, "z"))
    prepared, _ = _prepare(parts, standardize, noise, rng, sort_columns=True, warn=not gkov)
    local = _mi_local(prepared, k, algorithm, _psi_table(n), n_threads, theiler)
    return _finish(local, base, return_local)


def _mutual_info_discrete(
    x: Any, y: Any, z: Any, k: Any, algorithm: Any, discrete_x: bool, discrete_y: bool,
    base: Any, standardize: Any, noise: Any, random_state: Any, return_local: Any,
    n_jobs: Any,
) -> float | tuple[float, FloatArray]:
    """mutual_info_knn with one or two discrete sides (Ross 2014; the contingency MI)."""
    X: Any = _as_discrete(x, "x") if discrete_x else _as_samples(x, "x")
    Y: Any = _as_discrete(y, "y") if discrete_y else _as_samples(y, "y")
    _check_same_length(X, Y, "x", "y")
    if z is not None:
        raise ValueError(
            "z: conditional MI with discrete_x / discrete_y is not available; use z=None, "
            "or continuous x and y"
        )
    n = X.shape[0]
    k = _check_k(k, n)
    algorithm = check_choice(algorithm, "algorithm", _MI_ALGORITHMS)
    if algorithm != "ksg1":
        raise ValueError(
            "algorithm must be 'ksg1' with discrete_x / discrete_y (Ross's estimator has one "
            f"form), got {algorithm!r}"
        )
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    return_local = _check_flag(return_local, "return_local")
    noise = _check_noise(noise)
    rng = _rng(random_state)
    n_threads = _threads(n_jobs, n)
    if discrete_x and discrete_y:
        value, local = _plugin_local(X, Y)
    else:
        cont, name, codes, dname = (Y, "y", X, "x") if discrete_x else (X, "x", Y, "y")
        (pc,), _ = _prepare([(cont, name)], standardize, noise, rng)
        local = _ross_local(pc.a, codes, k, n_threads, dname)
        value = float(np.nanmean(local))
    div = log_base_divisor(base)
    if div != 1.0:
        value /= div
        local = local / div
    if return_local:
        return value, local
    return value


def kl_divergence_knn(
    x: Any,
    y: Any,
    *,
    k: int = 1,
    base: float | None = None,
    n_jobs: int | None = None,
) -> float:
    """Wang-Kulkarni-Verdu (2009) k-NN estimate of the divergence D(P || Q) from samples ``x``
    ((n,) or (n, d)) of P and ``y`` ((m,) or (m, d)) of Q:

    .. math:: \\hat D = \\frac dn \\sum_i \\log\\frac{\\nu_k(i)}{\\rho_k(i)}
              + \\log\\frac m{n-1}

    with :math:`\\rho_k(i)` the Euclidean distance from :math:`x_i` to its k-th neighbour among
    the other samples of x and :math:`\\nu_k(i)` that to its k-th neighbour in y. The estimate
    is invariant under any common affine change of x and y, so no standardisation is applied.
    Nats unless ``base`` is given. Zero distances (exact duplicates) are a ValueError.
    """
    X = _as_samples(x, "x")
    Y = _as_samples(y, "y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"y must have as many columns as x: x has {X.shape[1]}, y has {Y.shape[1]}"
        )
    n, d = X.shape
    m = Y.shape[0]
    _check_spread(np.vstack([X, Y]), "y")
    k = _check_k(k, n, what="the number of samples of x")
    if k > m:
        raise ValueError(f"k must be at most the number of samples of y ({m}), got {k}")
    base = check_base(base)
    n_threads = _threads(n_jobs, n)
    rho, _ = _knn(X, k, 1, n_threads)
    nu, _ = _knn(Y, k, 1, n_threads, queries=X)
    if np.count_nonzero(rho == 0.0):
        raise ValueError(
            f"x: some samples have {k} or more exact duplicates in x (k-th neighbour distance "
            "0), so the estimate is undefined; remove duplicates, add tiny noise or raise k"
        )
    if np.count_nonzero(nu == 0.0):
        raise ValueError(
            f"y: some samples of x coincide with {k} or more samples of y (distance 0), so the "
            "estimate is undefined; remove duplicates, add tiny noise or raise k"
        )
    value = d * float(np.mean(np.log(nu) - np.log(rho))) + math.log(m / (n - 1))
    return float(value / log_base_divisor(base))
