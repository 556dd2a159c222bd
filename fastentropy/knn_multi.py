"""Multivariate and time-series k-NN estimators, built on :mod:`fastentropy.knn`'s counting.

- :func:`total_correlation_knn`: the multi-information (total correlation)
  :math:`\\sum_g H(X_g) - H(X)` of groups of columns, Kraskov-Stoegbauer-Grassberger's
  algorithm 1 generalised to m variables;
- :func:`transfer_entropy_knn`: Schreiber's transfer entropy from a source series to a target
  series (optionally conditioned on further series), as the Frenzel-Pompe conditional mutual
  information of delay embeddings, with a Theiler window.

Preprocessing (centre and scale each column, tie-breaking noise of 1e-10 standard deviations
from a fixed default seed), exact "strictly inside" counting and thread-count independence
are :mod:`fastentropy.knn`'s. Nats unless ``base`` is given.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any, Literal, overload

import numpy as np

from ._validation import check_base
from .knn import (
    DEFAULT_SEED,
    FloatArray,
    _as_samples,
    _check_flag,
    _check_k,
    _check_noise,
    _check_same_length,
    _check_theiler,
    _count,
    _distinct_sorted,
    _finish,
    _knn,
    _mi_local,
    _prepare,
    _Prepared,
    _psi_table,
    _rng,
    _threads,
    _warn_ties,
)

__all__ = ["total_correlation_knn", "transfer_entropy_knn"]


# --------------------------------------------------------------------------------------------
# total correlation


def _check_groups(groups: Any, d: int) -> list[list[int]]:
    """``groups`` as lists of column indices that partition the d columns (at least two)."""
    if groups is None:
        if d < 2:
            raise ValueError(
                f"X must have at least 2 columns for a total correlation (got {d}); pass a 2-D "
                "array, one column per variable, or groups= for multi-column variables"
            )
        return [[j] for j in range(d)]
    if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
        raise TypeError(
            "groups must be a list of lists of column indices (for example [[0, 1], [2]]), "
            f"got {type(groups).__name__}"
        )
    out: list[list[int]] = []
    for g in groups:
        if isinstance(g, (str, bytes)) or not isinstance(g, Iterable):
            raise TypeError(
                "groups must be a list of lists of column indices (for example [[0, 1], [2]]); "
                f"one entry is a {type(g).__name__}"
            )
        cols = []
        for j in g:
            if isinstance(j, (bool, np.bool_)) or not isinstance(j, numbers.Integral):
                raise TypeError(
                    f"groups: column indices must be ints, got {type(j).__name__} ({j!r})"
                )
            if not 0 <= int(j) < d:
                raise ValueError(f"groups: column index {int(j)} is not in 0..{d - 1}")
            cols.append(int(j))
        if not cols:
            raise ValueError("groups: every group needs at least one column (one is empty)")
        out.append(cols)
    if len(out) < 2:
        raise ValueError(
            f"groups must have at least 2 groups for a total correlation, got {len(out)}"
        )
    flat = [j for g in out for j in g]
    seen = np.bincount(np.asarray(flat, dtype=np.intp), minlength=d)
    if (seen > 1).any():
        raise ValueError(
            f"groups: column {int(np.flatnonzero(seen > 1)[0])} is in more than one group; "
            "the groups must partition the columns"
        )
    if (seen == 0).any():
        raise ValueError(
            f"groups: column {int(np.flatnonzero(seen == 0)[0])} is in no group; the groups "
            "must partition the columns (drop unused columns from X)"
        )
    return out


def _check_columns(X: FloatArray, name: str) -> None:
    """Constant columns are an error, heavily tied ones a warning (named by their index)."""
    n = X.shape[0]
    std = X.std(axis=0)
    if not np.isfinite(std).all():
        raise ValueError(
            f"{name} is too large to standardise (its spread overflows float64); rescale it"
        )
    const = np.flatnonzero(~(std > 0))
    if const.size:
        raise ValueError(
            f"{name}: column {int(const[0])} is constant; a k-NN estimator needs every column "
            "to vary (drop constant columns: they carry no information)"
        )
    for j in range(X.shape[1]):
        _warn_ties(name, j, _distinct_sorted(np.sort(X[:, j])), n)


@overload
def total_correlation_knn(
    X: Any, *, groups: Any = ..., k: int = ..., base: float | None = ...,
    standardize: bool = ..., noise: float = ..., random_state: Any = ..., theiler: int = ...,
    return_local: Literal[False] = ..., n_jobs: int | None = ...,
) -> float: ...
@overload
def total_correlation_knn(
    X: Any, *, groups: Any = ..., k: int = ..., base: float | None = ...,
    standardize: bool = ..., noise: float = ..., random_state: Any = ..., theiler: int = ...,
    return_local: Literal[True], n_jobs: int | None = ...,
) -> tuple[float, FloatArray]: ...
def total_correlation_knn(
    X: Any,
    *,
    groups: Any = None,
    k: int = 3,
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    theiler: int = 0,
    return_local: bool = False,
    n_jobs: int | None = None,
) -> float | tuple[float, FloatArray]:
    """Total correlation (multi-information) :math:`\\sum_g H(X_g) - H(X)` of the samples ``X``
    ((n, d)) split into variables ``groups``, by Kraskov, Stoegbauer and Grassberger's (2004)
    algorithm 1 for m variables:

    .. math:: \\hat T = \\psi(k) + (m - 1)\\psi(n) - \\Big\\langle\\sum_g \\psi(n_g + 1)
              \\Big\\rangle

    with :math:`\\epsilon_i` the max-norm distance from sample i to its k-th neighbour in the
    joint space (all columns) and :math:`n_g(i)` the other samples strictly closer than
    :math:`\\epsilon_i` in group g's columns (max-norm; a one-column group by a sorted
    column, a wider one by a KD-tree).

    ``groups``: None (every column its own variable) or a list of lists of column indices
    that partition the columns, e.g. ``[[0, 1], [2], [3, 4]]`` (at least two groups). For two
    groups the value is :func:`~fastentropy.mutual_info_knn` of the two (exactly: the same
    noise draws, counts and sums). Preprocessing as in :func:`~fastentropy.mutual_info_knn`:
    each column is centred and scaled (``standardize``) and gets ``noise`` standard
    deviations of Gaussian noise, drawn group by group in the order of ``groups`` (seeded
    by ``random_state``, fixed by default). ``theiler=w`` leaves the samples j with
    ``|i - j| <= w`` out of sample i's search and counts (time series). ``return_local=True``
    also returns the per-sample values. Nats unless ``base`` is given; results do not depend
    on ``n_jobs``.
    """
    A = _as_samples(X, "X")
    n, d = A.shape
    parts = _check_groups(groups, d)
    k = _check_k(k, n)
    theiler = _check_theiler(theiler, n, k)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    return_local = _check_flag(return_local, "return_local")
    noise = _check_noise(noise)
    rng = _rng(random_state)
    n_threads = _threads(n_jobs, n)
    _check_columns(A, "X")
    prepared, _ = _prepare(
        [(np.ascontiguousarray(A[:, g]), "X") for g in parts], standardize, noise, rng,
        sort_columns=True, warn=False,
    )
    psi = _psi_table(n)
    joint = np.ascontiguousarray(np.hstack([p.a for p in prepared]))
    kth, _ = _knn(joint, k, 0, n_threads, theiler=theiler)
    acc: FloatArray = psi[_count(prepared[0], kth, True, n_threads, theiler) + 1]
    for p in prepared[1:]:
        acc = acc + psi[_count(p, kth, True, n_threads, theiler) + 1]
    local: FloatArray = (float(psi[k]) + (len(parts) - 1) * float(psi[n])) - acc
    return _finish(local, base, return_local)


# --------------------------------------------------------------------------------------------
# transfer entropy


def _check_lag(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__}")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} must be at least 1, got {v}")
    return v


def _part(a: FloatArray) -> _Prepared:
    """An embedded block as a counting part (one column: sorted once)."""
    p = _Prepared(np.ascontiguousarray(a))
    if p.a.shape[1] == 1:
        col = p.a[:, 0]
        p.order = np.argsort(col)
        p.sorted = np.ascontiguousarray(col[p.order])
    return p


def _lags(a: FloatArray, t0: int, lags: range) -> FloatArray:
    """Columns a[t - l] for t = t0 .. n-1, one block per lag l in order: (n - t0, len * d)."""
    n = a.shape[0]
    return np.ascontiguousarray(np.hstack([a[t0 - lag: n - lag] for lag in lags]))


@overload
def transfer_entropy_knn(
    source: Any, target: Any, *, source_history: int = ..., target_history: int = ...,
    delay: int = ..., cond: Any = ..., theiler: int = ..., k: int = ...,
    base: float | None = ..., standardize: bool = ..., noise: float = ...,
    random_state: Any = ..., return_local: Literal[False] = ..., n_jobs: int | None = ...,
) -> float: ...
@overload
def transfer_entropy_knn(
    source: Any, target: Any, *, source_history: int = ..., target_history: int = ...,
    delay: int = ..., cond: Any = ..., theiler: int = ..., k: int = ...,
    base: float | None = ..., standardize: bool = ..., noise: float = ...,
    random_state: Any = ..., return_local: Literal[True], n_jobs: int | None = ...,
) -> tuple[float, FloatArray]: ...
def transfer_entropy_knn(
    source: Any,
    target: Any,
    *,
    source_history: int = 1,
    target_history: int = 1,
    delay: int = 1,
    cond: Any = None,
    theiler: int = 0,
    k: int = 3,
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    return_local: bool = False,
    n_jobs: int | None = None,
) -> float | tuple[float, FloatArray]:
    """Transfer entropy from ``source`` to ``target`` (series of n time points, (n,) or
    (n, d)), optionally conditioned on ``cond`` ((n,) or (n, d)):

    .. math:: TE = I\\big(Y_t;\\ X_{t-\\tau}, \\dots, X_{t-\\tau-l+1} \\ \\big|\\
              Y_{t-1}, \\dots, Y_{t-m},\\ C_t\\big)

    with Y the target, X the source, :math:`\\tau` = ``delay`` (>= 1: the source's most
    recent sample used is ``delay`` steps before the target's present), l =
    ``source_history`` and m = ``target_history`` (both >= 1), and C the ``cond`` series
    taken at the same time index t as the target's present (pass a shifted copy to
    condition on its past). Time points t run from :math:`t_0 = \\max(\\tau + l - 1, m)` to
    n - 1, so the estimate uses n - t_0 samples (``return_local`` values are for those t, in
    order). Each embedded sample is a row [y_t], [x_{t-tau}, x_{t-tau-1}, ...],
    [y_{t-1}, ..., y_{t-m}, c_t] (lag-major, each lag's columns together).

    The conditional MI is Frenzel and Pompe's (2007) k-NN estimator
    (:func:`~fastentropy.mutual_info_knn` with ``z``), max-norm, the Theiler window
    ``theiler=w`` leaving the samples with ``|t - s| <= w`` out of sample t's neighbour
    search and counts (neighbours close in time are not independent; a window of the
    autocorrelation time is usual). Preprocessing is applied to the raw series before
    embedding (each column centred and scaled; tie-breaking noise of ``noise`` standard
    deviations drawn for source, then target, then cond, seeded by ``random_state``), so
    every lagged copy of a series carries the same values. Nats unless ``base`` is given;
    results do not depend on ``n_jobs``. The estimate can be slightly negative when no
    information flows.
    """
    S = _as_samples(source, "source")
    T = _as_samples(target, "target")
    _check_same_length(S, T, "source", "target")
    C = None
    if cond is not None:
        C = _as_samples(cond, "cond")
        _check_same_length(S, C, "source", "cond")
    ls = _check_lag(source_history, "source_history")
    lt = _check_lag(target_history, "target_history")
    tau = _check_lag(delay, "delay")
    n = S.shape[0]
    t0 = max(tau + ls - 1, lt)
    m = n - t0
    if m < 2:
        raise ValueError(
            f"delay={tau}, source_history={ls} and target_history={lt} need the first "
            f"{t0} time points for the embedding, leaving {max(m, 0)} of {n}; use shorter "
            "histories or a longer series"
        )
    k = _check_k(
        k, m, what="the number of embedded time points, n - max(delay + source_history - 1, "
        "target_history)",
    )
    theiler = _check_theiler(theiler, m, k)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    return_local = _check_flag(return_local, "return_local")
    noise = _check_noise(noise)
    rng = _rng(random_state)
    n_threads = _threads(n_jobs, m)
    raw: list[tuple[FloatArray, str]] = [(S, "source"), (T, "target")]
    if C is not None:
        raw.append((C, "cond"))
    prepared, _ = _prepare(raw, standardize, noise, rng)
    s, y = prepared[0].a, prepared[1].a
    present = np.ascontiguousarray(y[t0:])
    past_source = _lags(s, t0, range(tau, tau + ls))
    blocks = [_lags(y, t0, range(1, lt + 1))]
    if C is not None:
        blocks.append(prepared[2].a[t0:])
    given = np.ascontiguousarray(np.hstack(blocks))
    parts = [_part(present), _part(past_source), _part(given)]
    local = _mi_local(parts, k, "ksg1", _psi_table(m), n_threads, theiler)
    return _finish(local, base, return_local)
