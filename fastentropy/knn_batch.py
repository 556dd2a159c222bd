"""k-NN estimators over many problems in one call.

- :func:`mutual_info_many`: :func:`~fastentropy.knn.mutual_info_knn` of every column of ``X``
  with ``y`` (a ``discrete_features`` mask as in scikit-learn; a discrete target);
- :func:`mutual_info_matrix`: the KSG mutual information of every pair of columns;
- :func:`mutual_info_batch`: many independent ``(x, y[, z])`` problems;
- :func:`permutation_test`: the KSG statistic, its permutation null distribution and p-value.

The preprocessing, counting and conventions are :mod:`fastentropy.knn`'s. Work shared across
pairs is done once per call: each column is standardised, perturbed and sorted once, the
digamma table is built once. Pairs of one-dimensional columns run in the ``knn_batch``
kernel, whole (x, y) tasks per nogil call: rank-space strips (x-rank bands listed in y order)
find the joint k-th neighbour (max-norm) exactly, and the marginal counts are searches on the
shared sorts with the distance expression as predicate. Threads run over tasks when there are
many and over one task's strips when there are few; results do not depend on ``n_jobs``.
Other problems (multi-dimensional sides, ``z``) use :mod:`fastentropy.knn`'s tree, one
problem after another. Memory: the preprocessed columns (four (columns, n) arrays) and count
arrays of at most ~4M entries per kernel call (tasks are processed in blocks).

pandas is optional: a DataFrame ``X`` gives :func:`mutual_info_many` a Series indexed by its
columns and :func:`mutual_info_matrix` a DataFrame with the columns as index and columns; a
Series is read as an array. Other inputs give NumPy arrays.
"""
from __future__ import annotations

import numbers
import sys
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import as_float_array, check_base, check_choice, index_mask, log_base_divisor
from .knn import (
    _ALGORITHMS,
    DEFAULT_SEED,
    FloatArray,
    _as_discrete,
    _as_samples,
    _check_flag,
    _check_k,
    _check_noise,
    _check_same_length,
    _finish,
    _knn,
    _mi_local,
    _plugin_local,
    _prepare,
    _Prepared,
    _psi_table,
    _rng,
    _ross_local,
    _threads,
)

__all__ = [
    "mutual_info_many",
    "mutual_info_matrix",
    "mutual_info_batch",
    "permutation_test",
    "PermutationTest",
]

IntArray = npt.NDArray[np.intp]

#: tasks per kernel call are chunked so the (tasks, n) count arrays stay near this many entries
_CHUNK_ENTRIES = 1 << 22


class PermutationTest(NamedTuple):
    """Result of :func:`permutation_test`."""

    #: the estimate on the data as given
    statistic: float
    #: the estimate on each permutation, (n_permutations,)
    null_distribution: FloatArray
    #: (1 + #{null >= statistic}) / (1 + n_permutations)
    pvalue: float


# --------------------------------------------------------------------------------------------
# helpers


def _pandas_frame(x: Any) -> bool:
    """Whether ``x`` is a pandas DataFrame (pandas is never imported here)."""
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(x, pd.DataFrame)


def _seed_source(random_state: Any) -> Any:
    """Something ``np.random.default_rng`` turns into the same stream every time it is called:
    an int or SeedSequence as given; a fresh SeedSequence for None; for a Generator or
    BitGenerator, a SeedSequence seeded by one draw from it."""
    if isinstance(random_state, bool):
        raise TypeError("random_state must be an int, a numpy Generator/SeedSequence or None")
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.BitGenerator):
        random_state = np.random.Generator(random_state)
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63)))
    _rng(random_state)  # validates ints and SeedSequences
    return random_state


def _discrete_mask(discrete_features: Any, m: int) -> npt.NDArray[np.bool_]:
    """A bool for every column, from a bool, a boolean mask or column indices."""
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(m, bool(discrete_features), dtype=bool)
    if isinstance(discrete_features, (str, bytes)) or discrete_features is None:
        raise TypeError(
            "discrete_features must be a bool, a boolean mask or an array of column indices, "
            f"got {type(discrete_features).__name__}"
        )
    return index_mask(discrete_features, m, "discrete_features", "column")


def _check_algorithm(algorithm: Any) -> str:
    return check_choice(algorithm, "algorithm", _ALGORITHMS)


class _Table:
    """Preprocessed 1-D columns for the kernel: values, sorted values, sort orders and ranks,
    (c, n) each."""

    def __init__(self, preps: list[_Prepared]) -> None:
        c = len(preps)
        n = preps[0].a.shape[0]
        self.values = np.empty((c, n), dtype=np.float64)
        self.sorted = np.empty((c, n), dtype=np.float64)
        self.order = np.empty((c, n), dtype=np.intp)
        self.rank = np.empty((c, n), dtype=np.intp)
        ar = np.arange(n, dtype=np.intp)
        for i, p in enumerate(preps):
            assert p.sorted is not None and p.order is not None
            self.values[i] = p.a[:, 0]
            self.sorted[i] = p.sorted
            self.order[i] = p.order
            self.rank[i, p.order] = ar


def _ksg_values(
    table: _Table, tasks: list[tuple[int, int, int]] | IntArray, perms: IntArray | None, k: int,
    algorithm: str, psi: FloatArray, base: float | None, n_jobs: Any,
) -> FloatArray:
    """The KSG estimate of each task (x column, y column, permutation row or -1)."""
    K = kernels("knn_batch")
    n = table.values.shape[1]
    ksg2 = algorithm == "ksg2"
    psi_k = float(psi[k])
    psi_n = float(psi[n])
    if perms is None:
        perms = np.empty((0, n), dtype=np.intp)
    out = np.empty(len(tasks), dtype=np.float64)
    chunk = max(1, _CHUNK_ENTRIES // n)
    for s in range(0, len(tasks), chunk):
        part = np.ascontiguousarray(tasks[s : s + chunk], dtype=np.intp).reshape(-1, 3)
        T = part.shape[0]
        n_threads = threads_for(resolve_n_jobs(n_jobs), T * n, T * n, min_cells=8192)
        nx = np.empty((T, n), dtype=np.intp)
        ny = np.empty((T, n), dtype=np.intp)
        K.ksg_tasks(table.values, table.sorted, table.order, table.rank, part, perms, k, ksg2,
                    nx, ny, n_threads)
        if nx.min() < 0:
            raise MemoryError("out of memory in the k-NN batch kernel")
        # the expressions of knn._mi_local and knn._finish, row by row (a mean along the
        # contiguous last axis sums each row as np.mean of that row alone does), so each
        # value equals mutual_info_knn's bit for bit
        # (in place, with psi shifted by one for KSG 1 instead of nx + 1: the same values)
        tab = psi if ksg2 else psi[1:]
        const = (psi_k - 1.0 / k + psi_n) if ksg2 else (psi_k + psi_n)
        local = np.take(tab, nx)
        local += np.take(tab, ny)
        np.subtract(const, local, out=local)
        div = log_base_divisor(base)
        if div != 1.0:
            local /= div
        out[s : s + T] = np.mean(local, axis=1)
    return out


def _divide(value: float, base: float | None) -> float:
    div = log_base_divisor(base)
    return value / div if div != 1.0 else value


def _as_matrix(X: Any) -> FloatArray:
    Xa = as_float_array(X, "X")
    if Xa.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n samples, m features), got {Xa.ndim}-D with shape {Xa.shape}; "
            "for one feature use mutual_info_knn"
        )
    if Xa.shape[1] == 0:
        raise ValueError(f"X must have at least one column, got shape {Xa.shape}")
    return _as_samples(Xa, "X")


# --------------------------------------------------------------------------------------------
# estimators


def mutual_info_many(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = False,
    discrete_target: bool = False,
    k: int = 3,
    algorithm: str = "ksg1",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    n_jobs: int | None = None,
) -> Any:
    """:func:`mutual_info_knn` of every column of ``X`` ((n, m)) with ``y`` ((n,) or (n, dy)):
    an (m,) array (a pandas Series indexed by the columns when ``X`` is a DataFrame).

    ``discrete_features`` (a bool, a boolean mask of the m columns, or column indices, as in
    scikit-learn; no ``'auto'``) marks columns read as class labels: those use Ross's (2014)
    estimator (``discrete_x=True``), or the contingency MI when ``discrete_target`` is set
    too. ``discrete_target=True`` reads ``y`` as class labels (``discrete_y=True``: Ross's
    estimator for the continuous columns). Entry j equals
    ``mutual_info_knn(X[:, j], y, discrete_x=mask[j], discrete_y=discrete_target, ...)``
    exactly. With a discrete side only ``algorithm='ksg1'`` exists (a ValueError otherwise).

    Work shared across columns is done once: ``y`` is standardised, perturbed and sorted once,
    and the digamma table is built once; pairs of 1-D columns run in the batch kernel. Each
    column's noise is drawn from a generator made afresh from ``random_state`` (x's noise
    first, then y's, as in :func:`mutual_info_knn`), so with an int or SeedSequence seed (the
    default is fixed) entry j does not depend on the other columns. A Generator or
    BitGenerator is drawn from once, to seed that stream.
    """
    labels = X.columns if _pandas_frame(X) else None
    Xa = _as_matrix(X)
    n, m = Xa.shape
    mask = _discrete_mask(discrete_features, m)
    discrete_target = _check_flag(discrete_target, "discrete_target")
    codes_y: IntArray | None = None
    Y: FloatArray | None = None
    if discrete_target:
        codes_y = _as_discrete(y, "y")
        if codes_y.shape[0] != n:
            raise ValueError(
                f"y must have as many samples as X: X has {n}, y has {codes_y.shape[0]}"
            )
    else:
        Y = _as_samples(y, "y")
        _check_same_length(Xa, Y, "X", "y")
    k = _check_k(k, n)
    algorithm = _check_algorithm(algorithm)
    if (discrete_target or mask.any()) and algorithm != "ksg1":
        raise ValueError(
            "algorithm must be 'ksg1' with discrete_features / discrete_target (Ross's "
            f"estimator has one form), got {algorithm!r}"
        )
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    noise = _check_noise(noise)
    resolve_n_jobs(n_jobs)  # validated up front, whichever path runs
    seed = _seed_source(random_state)
    n_threads = _threads(n_jobs, n)
    out = np.empty(m, dtype=np.float64)
    cont = np.flatnonzero(~mask).tolist()
    disc = np.flatnonzero(mask).tolist()

    def column(j: int) -> tuple[_Prepared, ...]:
        col = np.ascontiguousarray(Xa[:, j : j + 1])
        # a fresh stream per column: x's noise first, as in mutual_info_knn
        prep, _ = _prepare([(col, "X")], standardize, noise, np.random.default_rng(seed),
                           sort_columns=True, first_column=j)
        return tuple(prep)

    if discrete_target:
        assert codes_y is not None
        for j in cont:
            (px,) = column(j)
            local = _ross_local(px.a, codes_y, k, n_threads, "y")
            out[j] = _divide(float(np.nanmean(local)), base)
        for j in disc:
            value, _ = _plugin_local(_as_discrete(Xa[:, j], "X"), codes_y)
            out[j] = _divide(value, base)
    else:
        assert Y is not None
        if disc:
            # Ross: only y is continuous, so its noise is the stream's first draw
            (pyr,), _ = _prepare([(Y, "y")], standardize, noise, np.random.default_rng(seed))
            for j in disc:
                local = _ross_local(pyr.a, _as_discrete(Xa[:, j], "X"), k, n_threads,
                                    f"X (column {j})")
                out[j] = _divide(float(np.nanmean(local)), base)
        if cont:
            # y's noise comes after the column's n draws in every column's stream
            rng = np.random.default_rng(seed)
            if noise > 0:
                rng.standard_normal((n, 1))
            (py,), _ = _prepare([(Y, "y")], standardize, noise, rng, sort_columns=True)
            psi = _psi_table(n)
            if Y.shape[1] == 1:
                block = max(1, _CHUNK_ENTRIES // n)
                for s in range(0, len(cont), block):
                    js = cont[s : s + block]
                    table = _Table([py, *(column(j)[0] for j in js)])
                    tasks = [(1 + i, 0, -1) for i in range(len(js))]
                    out[js] = _ksg_values(table, tasks, None, k, algorithm, psi, base, n_jobs)
            else:  # a multi-dimensional target: the joint search needs the tree
                for j in cont:
                    (px,) = column(j)
                    v = _finish(_mi_local([px, py], k, algorithm, psi, n_threads), base, False)
                    assert isinstance(v, float)
                    out[j] = v
    if labels is not None:
        import pandas as pd

        return pd.Series(out, index=labels, name="mutual_info")
    return out


def mutual_info_matrix(
    X: Any,
    *,
    k: int = 3,
    algorithm: str = "ksg1",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    n_jobs: int | None = None,
) -> Any:
    """The KSG mutual information of every pair of columns of ``X`` ((n, m)): a symmetric
    (m, m) array whose diagonal is NaN (a column's MI with itself, its entropy, is not a KSG
    quantity; ennemi's ``pairwise_mi`` also puts NaN there). A pandas DataFrame ``X`` gives a
    DataFrame with its columns as index and columns.

    Each column is standardised, perturbed and sorted once: the noise of column j is the j-th
    block of n draws of one stream seeded by ``random_state`` (as :func:`mutual_info_knn`
    draws x's then y's), so entry (0, 1) equals ``mutual_info_knn(X[:, 0], X[:, 1])`` and,
    with ``noise=0``, entry (i, j) equals ``mutual_info_knn(X[:, i], X[:, j], noise=0)``
    exactly. KSG is symmetric in x and y, so entry (j, i) is entry (i, j) bit for bit.
    """
    labels = X.columns if _pandas_frame(X) else None
    Xa = _as_matrix(X)
    n, m = Xa.shape
    k = _check_k(k, n)
    algorithm = _check_algorithm(algorithm)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    noise = _check_noise(noise)
    resolve_n_jobs(n_jobs)  # validated up front, whichever path runs
    rng = _rng(random_state)
    preps = []
    for j in range(m):
        (p,), _ = _prepare([(np.ascontiguousarray(Xa[:, j : j + 1]), "X")], standardize,
                           noise, rng, sort_columns=True, first_column=j)
        preps.append(p)
    out = np.full((m, m), np.nan)
    ia, ib = np.triu_indices(m, 1)
    if ia.size:
        pairs = np.stack([ia, ib, np.full(ia.size, -1)], axis=1).astype(np.intp)
        values = _ksg_values(_Table(preps), pairs, None, k, algorithm, _psi_table(n), base,
                             n_jobs)
        out[ia, ib] = values
        out[ib, ia] = values
    if labels is not None:
        import pandas as pd

        return pd.DataFrame(out, index=labels, columns=labels)
    return out


def _problems(xs: Any, name: str) -> list[Any]:
    """The problems of a batch argument: a 3-D array's (n, d) slices or a sequence's items."""
    if _pandas_frame(xs) or isinstance(xs, (str, bytes)):
        raise TypeError(
            f"{name} must be a 3-D array (B, n, d) or a sequence of arrays, got "
            f"{type(xs).__name__}"
        )
    if isinstance(xs, np.ndarray):
        if xs.ndim != 3:
            raise ValueError(
                f"{name} must be a 3-D array (B problems, n samples, d columns) or a sequence "
                f"of 1-D/2-D arrays, got a {xs.ndim}-D array; for one problem use "
                "mutual_info_knn"
            )
        return list(xs)
    try:
        items = list(xs)
    except TypeError:
        raise TypeError(
            f"{name} must be a 3-D array (B, n, d) or a sequence of arrays, got "
            f"{type(xs).__name__}"
        ) from None
    return items


def mutual_info_batch(
    xs: Any,
    ys: Any,
    zs: Any = None,
    *,
    k: int = 3,
    algorithm: str = "ksg1",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    n_jobs: int | None = None,
) -> FloatArray:
    """:func:`mutual_info_knn` of many independent problems: ``xs``, ``ys`` (and ``zs``) are
    3-D arrays (B, n, d) or sequences of B arrays ((n_b,) or (n_b, d_b); the problems may have
    different lengths and widths). Returns a (B,) array whose entry b equals
    ``mutual_info_knn(xs[b], ys[b], z=zs[b], ...)`` exactly: each problem's noise comes from a
    generator made afresh from ``random_state`` (a Generator or BitGenerator is drawn from
    once, to seed it). Problems with 1-D x and y and no z run in the batch kernel, threads over
    problems; the others one after another, threads inside each.
    """
    xl = _problems(xs, "xs")
    yl = _problems(ys, "ys")
    zl = None if zs is None else _problems(zs, "zs")
    B = len(xl)
    if B == 0:
        raise ValueError("xs must hold at least one problem, got none")
    if len(yl) != B:
        raise ValueError(f"ys must hold as many problems as xs ({B}), got {len(yl)}")
    if zl is not None and len(zl) != B:
        raise ValueError(f"zs must hold as many problems as xs ({B}), got {len(zl)}")
    problems = []
    for b in range(B):
        X = _as_samples(xl[b], f"xs[{b}]")
        Y = _as_samples(yl[b], f"ys[{b}]")
        _check_same_length(X, Y, f"xs[{b}]", f"ys[{b}]")
        Z = None
        if zl is not None:
            Z = _as_samples(zl[b], f"zs[{b}]")
            _check_same_length(X, Z, f"xs[{b}]", f"zs[{b}]")
        problems.append((X, Y, Z))
    n_min = min(p[0].shape[0] for p in problems)
    k = _check_k(k, n_min, what="the number of samples of the smallest problem")
    algorithm = _check_algorithm(algorithm)
    if zl is not None and algorithm != "ksg1":
        raise ValueError(
            "algorithm='ksg2' is not available with zs (conditional MI); use algorithm='ksg1'"
        )
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    noise = _check_noise(noise)
    resolve_n_jobs(n_jobs)  # validated up front, whichever path runs
    seed = _seed_source(random_state)
    out = np.empty(B, dtype=np.float64)
    by_n: dict[int, list[int]] = {}
    cache: dict[int, list[_Prepared]] = {}
    for b, (X, Y, Z) in enumerate(problems):
        n = X.shape[0]
        parts = [(X, f"xs[{b}]"), (Y, f"ys[{b}]")]
        if Z is not None:
            parts.append((Z, f"zs[{b}]"))
        prepared, _ = _prepare(parts, standardize, noise, np.random.default_rng(seed),
                               sort_columns=True)
        if Z is None and X.shape[1] == 1 and Y.shape[1] == 1:
            by_n.setdefault(n, []).append(b)
            cache[b] = prepared
        else:
            value = _finish(_mi_local(prepared, k, algorithm, _psi_table(n), _threads(n_jobs, n)),
                            base, False)
            assert isinstance(value, float)
            out[b] = value
    for n, bs in by_n.items():
        preps = [p for b in bs for p in cache.pop(b)]
        tasks = [(2 * i, 2 * i + 1, -1) for i in range(len(bs))]
        out[bs] = _ksg_values(_Table(preps), tasks, None, k, algorithm, _psi_table(n), base,
                              n_jobs)
    return out


def permutation_test(
    x: Any,
    y: Any,
    *,
    z: Any = None,
    n_permutations: int = 1000,
    random_state: Any = None,
    k: int = 3,
    k_perm: int = 5,
    algorithm: str = "ksg1",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    n_jobs: int | None = None,
) -> PermutationTest:
    """Permutation test of independence of ``x`` ((n,) or (n, dx)) and ``y`` ((n,) or
    (n, dy)) with the KSG statistic of :func:`mutual_info_knn`.

    The statistic is ``mutual_info_knn(x, y, k=k, algorithm=algorithm, base=base,
    standardize=standardize, noise=noise)`` (its tie-breaking noise from the fixed default
    seed). Each null value is the same estimate with y's preprocessed samples permuted: the
    permutations are ``rng.permutation(n)`` in turn, ``rng = numpy.random.default_rng(
    random_state)`` (None: fresh entropy; pass a seed to reproduce). The sorted marginals are
    reused across permutations (a permutation relabels y's samples; their sort is unchanged).
    Returns ``PermutationTest(statistic, null_distribution, pvalue)`` with the p-value
    ``(1 + #{null >= statistic}) / (1 + n_permutations)``. Threads run over permutations.

    With ``z`` ((n,) or (n, dz)): the test of conditional independence of x and y given z
    with the Frenzel-Pompe statistic ``mutual_info_knn(x, y, z=z, ...)`` and the local
    permutation scheme of Runge (2018), which keeps x's dependence on z: each null draws
    ``order = rng.permutation(n)`` and shuffles every sample's list of its ``k_perm`` nearest
    neighbours in z (max-norm, itself included; ``rng.permuted(lists, axis=1)``); then, in
    that order, sample i takes the x of the first sample of its list that no earlier sample
    took (the list's last one if all were taken, so an x may repeat). The null value is the
    estimate with x so replaced (preprocessed x; y and z as they are). Only
    ``algorithm='ksg1'``; this path runs the estimates one after another (the tree; threads
    inside each), so it is slower than the unconditional one. ``k_perm`` (2..n) is used only
    with z.
    """
    X = _as_samples(x, "x")
    Y = _as_samples(y, "y")
    _check_same_length(X, Y, "x", "y")
    n = X.shape[0]
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, numbers.Integral):
        raise TypeError(
            f"n_permutations must be a positive int, got {type(n_permutations).__name__}"
        )
    n_perm = int(n_permutations)
    if n_perm < 1:
        raise ValueError(f"n_permutations must be at least 1, got {n_perm}")
    k = _check_k(k, n)
    algorithm = _check_algorithm(algorithm)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    noise = _check_noise(noise)
    resolve_n_jobs(n_jobs)  # validated up front, whichever path runs
    rng = _rng(random_state)
    if z is not None:
        return _conditional_test(X, Y, z, n_perm, rng, k, k_perm, algorithm, base,
                                 standardize, noise, n_jobs)
    (px, py), _ = _prepare([(X, "x"), (Y, "y")], standardize, noise,
                           np.random.default_rng(DEFAULT_SEED), sort_columns=True)
    psi = _psi_table(n)
    values = np.empty(n_perm + 1, dtype=np.float64)
    if X.shape[1] == 1 and Y.shape[1] == 1:
        table = _Table([px, py])
        values[:1] = _ksg_values(table, [(0, 1, -1)], None, k, algorithm, psi, base, n_jobs)
        # the permutations are drawn a block at a time: memory O(block * n), not O(P * n)
        block = max(1, _CHUNK_ENTRIES // n)
        for s in range(0, n_perm, block):
            b = min(block, n_perm - s)
            perms = np.empty((b, n), dtype=np.intp)
            for p in range(b):
                perms[p] = rng.permutation(n)
            tasks = [(0, 1, p) for p in range(b)]
            values[1 + s : 1 + s + b] = _ksg_values(table, tasks, perms, k, algorithm, psi,
                                                    base, n_jobs)
    else:
        n_threads = _threads(n_jobs, n)
        for p in range(n_perm + 1):
            if p == 0:
                pyp = py
            else:
                perm = rng.permutation(n)
                pyp = _Prepared(np.ascontiguousarray(py.a[perm]))
                if py.sorted is not None and py.order is not None:
                    inv = np.empty(n, dtype=np.intp)
                    inv[perm] = np.arange(n, dtype=np.intp)
                    pyp.sorted = py.sorted
                    pyp.order = np.ascontiguousarray(inv[py.order])
            value = _finish(_mi_local([px, pyp], k, algorithm, psi, n_threads), base, False)
            assert isinstance(value, float)
            values[p] = value
    return _result(values)


def _result(values: FloatArray) -> PermutationTest:
    stat = float(values[0])
    null = np.ascontiguousarray(values[1:])
    pvalue = (1.0 + float(np.count_nonzero(null >= stat))) / (1.0 + null.shape[0])
    return PermutationTest(stat, null, pvalue)


def _conditional_test(
    X: FloatArray, Y: FloatArray, z: Any, n_perm: int, rng: np.random.Generator, k: int,
    k_perm: Any, algorithm: str, base: float | None, standardize: bool, noise: float,
    n_jobs: Any,
) -> PermutationTest:
    """permutation_test with z: Runge's (2018) local permutations of x."""
    Z = _as_samples(z, "z")
    _check_same_length(X, Z, "x", "z")
    n = X.shape[0]
    if algorithm != "ksg1":
        raise ValueError(
            "algorithm='ksg2' is not available with z (conditional MI); use algorithm='ksg1'"
        )
    if isinstance(k_perm, bool) or not isinstance(k_perm, numbers.Integral):
        raise TypeError(f"k_perm must be an int from 2 to n, got {type(k_perm).__name__}")
    kp = int(k_perm)
    if not 2 <= kp <= n:
        raise ValueError(
            f"k_perm must be from 2 to the number of samples ({n}), got {kp}: each sample's x "
            "is drawn from its k_perm nearest neighbours in z (itself included)"
        )
    prepared, _ = _prepare([(X, "x"), (Y, "y"), (Z, "z")], standardize, noise,
                           np.random.default_rng(DEFAULT_SEED), sort_columns=True)
    px, py, pz = prepared
    psi = _psi_table(n)
    n_threads = _threads(n_jobs, n)
    values = np.empty(n_perm + 1, dtype=np.float64)
    value = _finish(_mi_local(prepared, k, "ksg1", psi, n_threads), base, False)
    assert isinstance(value, float)
    values[0] = value
    _, idx = _knn(pz.a, kp - 1, 0, n_threads, want_idx=True)
    lists = np.ascontiguousarray(np.column_stack([np.arange(n, dtype=np.intp), idx]))
    K = kernels("knn_batch")
    chosen = np.empty(n, dtype=np.intp)
    for p in range(1, n_perm + 1):
        order = np.ascontiguousarray(rng.permutation(n), dtype=np.intp)
        shuffled = np.ascontiguousarray(rng.permuted(lists, axis=1))
        K.restricted_permutation(shuffled, order, np.zeros(n, dtype=np.uint8), chosen)
        pxp = _Prepared(np.ascontiguousarray(px.a[chosen]))
        value = _finish(_mi_local([pxp, py, pz], k, "ksg1", psi, n_threads), base, False)
        assert isinstance(value, float)
        values[p] = value
    return _result(values)
