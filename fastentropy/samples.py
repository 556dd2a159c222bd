"""Entropy of binned samples, per row, in one fused pass: bin -> count -> estimate.

:func:`entropy_samples` equals ``entropy_counts(numpy.histogram(row, bins, range)[0], method)``
for every row (or ``numpy.bincount(row)`` for integer labels), without building the
(rows, bins) count matrix: each thread bins one row into its own scratch histogram and
estimates it straight away.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import check_base, check_positive_int, log_base_divisor, normalize_axis, rows_view
from .estimators import _validate_method
from .histogram import _BIN_NUMPY, _BIN_SEARCH, _BIN_UNIFORM, _as_real, _tol

__all__ = ["entropy_samples"]

_RULES = ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt")
_ST_OK, _ST_RANGE, _ST_BINS, _ST_EMPTY, _ST_K, _ST_NOMEM = 0, 1, 2, 3, 4, 5
_EXACT_INT = 2.0**52  # integers below this behave in float64 exactly as numpy treats them


def _row_label(i: int, outer: tuple[int, ...]) -> str:
    if len(outer) <= 1:
        return str(i)
    return str(tuple(int(j) for j in np.unravel_index(i, outer)))


def _k_per_row(k: Any, outer: tuple[int, ...], n_rows: int, default: np.ndarray) -> np.ndarray:
    """``k`` as float64 per row: None -> ``default``; an int or an array broadcasting to outer."""
    if k is None:
        return np.ascontiguousarray(default, dtype=np.float64)
    if isinstance(k, (bool, np.bool_, str, bytes)):
        raise TypeError(f"k must be a positive int or an array of ints, got {type(k).__name__}")
    karr = np.asarray(k)
    if karr.dtype.kind not in "iuf" or (
        karr.dtype.kind == "f" and not (np.isfinite(karr).all() and (karr == np.floor(karr)).all())
    ):
        raise TypeError(f"k must be a positive int or an array of ints, got {karr!r}")
    if karr.size and (karr < 1).any():
        raise ValueError(f"k must be >= 1, got min {karr.min()}")
    try:
        kb = np.broadcast_to(karr, outer)
    except ValueError:
        raise ValueError(f"k with shape {karr.shape} does not broadcast to {outer}") from None
    return np.ascontiguousarray(kb.astype(np.float64).reshape(n_rows))


def _ragged_linspace(first: np.ndarray, last: np.ndarray, nbins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated ``numpy.linspace(first[r], last[r], nbins[r] + 1)`` (float64) and offsets."""
    sizes = nbins + 1
    offsets = np.zeros(nbins.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    row = np.repeat(np.arange(nbins.shape[0]), sizes)
    i = (np.arange(offsets[-1]) - offsets[row]).astype(np.float64)
    delta = last - first
    step = delta / nbins
    with np.errstate(invalid="ignore", divide="ignore"):
        e = i * step[row] + first[row]
        tiny = (step == 0)[row]
        if tiny.any():  # numpy.linspace's branch for a step that underflows
            e[tiny] = (i[tiny] / nbins[row][tiny]) * delta[row][tiny] + first[row][tiny]
    e[offsets[1:] - 1] = last
    return e, offsets


def _rule_widths(rows: np.ndarray, rule: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """numpy's bin width for ``rule`` on every float64 row (range None), vectorised."""
    n = rows.shape[1]
    ptp = hi - lo

    def sqrt_bw() -> np.ndarray:
        return ptp / np.sqrt(n)

    def sturges_bw() -> np.ndarray:
        return ptp / (np.log2(n) + 1.0)

    def fd_bw() -> np.ndarray:
        q75, q25 = np.percentile(rows, [75, 25], axis=1)
        return 2.0 * np.subtract(q75, q25) * n ** (-1.0 / 3.0)

    if rule == "sqrt":
        return sqrt_bw()
    if rule == "sturges":
        return sturges_bw()
    if rule == "rice":
        return ptp / (2.0 * n ** (1.0 / 3))
    if rule == "scott":
        return (24.0 * np.pi**0.5 / n) ** (1.0 / 3.0) * np.std(rows, axis=1)
    if rule == "fd":
        return fd_bw()
    if rule == "auto":
        fd, st, sq = fd_bw(), sturges_bw(), sqrt_bw()
        # numpy uses Python's max/min: the first argument wins ties (and NaN)
        fdc = np.where(sq / 2 > fd, sq / 2, fd)
        return np.where(st < fdc, st, fdc)
    if rule == "doane":
        if n <= 2:
            return np.zeros(rows.shape[0])
        sg1 = np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)))
        sigma = np.std(rows, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            temp = rows - np.mean(rows, axis=1, keepdims=True)
            np.true_divide(temp, sigma[:, None], temp)
            np.power(temp, 3, temp)
            g1 = np.mean(temp, axis=1)
            w = ptp / (1.0 + np.log2(n) + np.log2(1.0 + np.absolute(g1) / sg1))
        return np.where(sigma > 0.0, w, 0.0)
    raise AssertionError(rule)  # pragma: no cover - the facade validated the name


def _row_plan(e: np.ndarray, first: Any, last: Any, eps: float) -> tuple[float, float, float, int]:
    """Kernel parameters ``(first, scale, tol, mode)`` for one row's equal-width edges."""
    nb = e.shape[0] - 1
    width = float(np.min(np.diff(e)))
    big = float(max(abs(e[0]), abs(e[-1])))
    err = 4.0 * eps * (nb + big / width) if width > 0 else math.inf
    if err < 0.5:
        return float(e[0]), nb / float(e[-1] - e[0]), _tol(err), _BIN_UNIFORM
    return float(first), float(last - first), 0.0, _BIN_NUMPY


def _edges_plan(rows_raw: np.ndarray, bins: Any, range: Any) -> tuple[Any, ...]:
    """Per-row numpy edges for ``bins`` (rule name or int) and the kernel's per-row parameters.

    Returns ``edges, offsets, firsts, scales, tols, modes, nbins, numpy_rows`` (float64 edges,
    concatenated; ``numpy_rows`` lists rows whose counts numpy itself must compute).
    """
    R = rows_raw.shape[0]
    vectorised = isinstance(bins, str) and bins != "stone" and range is None \
        and rows_raw.dtype == np.float64 and rows_raw.shape[1] > 0
    if vectorised:
        lo = rows_raw.min(axis=1)
        hi = rows_raw.max(axis=1)
        _check_finite_rows(lo, hi)
        width = _rule_widths(rows_raw, bins, lo, hi)
        same = lo == hi
        first = np.where(same, lo - 0.5, lo)
        last = np.where(same, hi + 0.5, hi)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            ratio = np.ceil((last - first) / width)
        nz = width != 0  # numpy: `if width:` (NaN counts as true)
        if np.any(nz & ~np.isfinite(ratio)):
            raise ValueError("bins: the rule gives a non-finite number of bins for some row")
        nbins = np.where(nz, ratio, 1.0).astype(np.int64)
        edges, offsets = _ragged_linspace(first, last, nbins)
        firsts = np.empty(R)
        scales = np.empty(R)
        tols = np.empty(R)
        modes = np.empty(R, dtype=np.intc)
        for r in _range(R):
            e = edges[offsets[r]:offsets[r + 1]]
            if np.any(e[:-1] >= e[1:]):
                raise ValueError(
                    f"Too many bins for data range. Cannot create {int(nbins[r])} finite-sized "
                    f"bins (row {r})."
                )
            firsts[r], scales[r], tols[r], modes[r] = _row_plan(e, first[r], last[r], 2.0**-52)
        return edges, offsets, firsts, scales, tols, modes, nbins, []
    # numpy computes each row's edges (rule names with a range, 'stone', non-float64 rows)
    parts = []
    numpy_rows: list[int] = []
    firsts = np.empty(R)
    scales = np.empty(R)
    tols = np.empty(R)
    modes = np.empty(R, dtype=np.intc)
    nbins = np.empty(R, dtype=np.int64)
    for r in _range(R):
        try:
            e_raw = np.histogram_bin_edges(rows_raw[r], bins, range)
        except ValueError as exc:
            raise ValueError(f"x (row {r}): {exc}") from None
        e = e_raw.astype(np.float64)
        parts.append(e)
        nbins[r] = e.shape[0] - 1
        first, last = _numpy_outer(rows_raw[r], range)
        eps = float(np.finfo(e_raw.dtype).eps) if e_raw.dtype.kind == "f" else 2.0**-52
        firsts[r], scales[r], tols[r], modes[r] = _row_plan(e, first, last, eps)
        if modes[r] == _BIN_NUMPY and e_raw.dtype != np.float64:
            # numpy's float32 arithmetic may be off by more than a bin here: numpy counts it
            numpy_rows.append(r)
            modes[r] = _BIN_SEARCH
    offsets = np.zeros(R + 1, dtype=np.int64)
    np.cumsum([p.shape[0] for p in parts], out=offsets[1:])
    edges = np.concatenate(parts) if parts else np.zeros(0)
    return edges, offsets, firsts, scales, tols, modes, nbins, numpy_rows


def _numpy_outer(row: np.ndarray, range: Any) -> tuple[float, float]:
    """numpy's outer edges of one row, as float64 (for its exact arithmetic)."""
    if range is not None:
        first, last = float(range[0]), float(range[1])
    elif row.size == 0:
        first, last = 0.0, 1.0
    else:
        first, last = float(row.min()), float(row.max())
    if first == last:
        first, last = first - 0.5, last + 0.5
    return first, last


def _check_finite_rows(lo: np.ndarray, hi: np.ndarray) -> None:
    bad = ~(np.isfinite(lo) & np.isfinite(hi))
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"x: autodetected range of [{lo[r]}, {hi[r]}] is not finite (row {r}); remove NaN/inf "
            "or pass range"
        )


def _check_range(range: Any) -> tuple[float, float]:
    try:
        lo, hi = range
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(f"range must be a (min, max) pair of real numbers, got {range!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"supplied range of [{lo}, {hi}] is not finite")
    if lo > hi:
        raise ValueError("max must be larger than min in range parameter.")
    return lo, hi


_range = range


def entropy_samples(
    x: Any,
    *,
    bins: int | str | None = 10,
    range: tuple[float, float] | None = None,
    method: str = "plugin",
    axis: int = -1,
    base: float | None = None,
    k: int | np.ndarray | None = None,
    n_jobs: int | None = None,
) -> np.float64 | np.ndarray:
    r"""Entropy of the samples in each row: histogram the row, then estimate from the counts.

    Parameters
    ----------
    x : array_like
        Samples; one distribution per row along ``axis``. Real numeric dtypes (integer labels
        when ``bins=None``).
    bins : int, str or None, default 10
        Number of equal-width bins per row; a numpy rule name ('auto', 'fd', 'scott',
        'sturges', 'doane', 'rice', 'sqrt', 'stone') giving each row the bin count
        ``numpy.histogram_bin_edges(row, bins=rule)`` gives; or None: the rows are
        non-negative integer labels, counted with ``bincount`` over the alphabet
        ``0 .. max label`` (the largest label of the whole array).
    range : (float, float), optional
        Shared outer edges; samples outside are ignored. None: each row's own min/max, as
        ``numpy.histogram(row)``. Not allowed with ``bins=None``.
    method : str, default "plugin"
        Any estimator of :func:`fastentropy.entropy_counts`.
    axis : int, default -1
        Axis holding the samples.
    base : float, optional
        Logarithm base of the result (nats when None).
    k : int or array_like of int, optional
        Alphabet size for the estimators that use one; default the row's number of bins (the
        label alphabet for ``bins=None``). Must be at least the row's observed support.
    n_jobs : int, optional
        Threads over rows (None: OpenMP default, -1: all cores). Results do not depend on it.

    Returns
    -------
    H : numpy.float64 or ndarray of float64
        Shape of ``x`` without ``axis``; a scalar for 1-D ``x``.

    Notes
    -----
    Per row, :math:`\hat H = \mathrm{estimate}(n_1, \dots, n_B)` with
    :math:`n_b = \#\{i : e_b \le x_i < e_{b+1}\}` (the last bin closed) on numpy's edges
    :math:`e_b` (``numpy.linspace(lo, hi, B + 1)``); e.g. the plug-in estimate
    :math:`\log N - \frac1N \sum_b n_b \log n_b` (see :func:`fastentropy.entropy_counts` for
    every method and its reference). Binning reproduces numpy.histogram exactly, including
    values on edges; the counts of a row live only in the thread's scratch buffer. (Rows of
    float32/float16 data whose range is so narrow on so large an offset that numpy's own float32
    arithmetic decides the bins are counted by numpy.histogram itself.)

    Raises
    ------
    ValueError
        NaN/inf in a row with an autodetected range, a row with no sample inside ``range``,
        ``k`` below a row's support, bad ``bins``/``range``/``axis``/``method``/``base``.
    """
    code = _validate_method(method)
    base_val = check_base(base)
    arr = _as_real(x, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least 1 dimension, got 0")
    ax = normalize_axis(axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError(f"x must not be empty along axis {axis}, got shape {arr.shape}")
    n_threads = threads_for(resolve_n_jobs(n_jobs), arr.size // arr.shape[ax], arr.size, min_cells=1024)
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8)
    k_mod = kernels("samples")
    numpy_rows: list[int] = []

    if bins is None:
        if range is not None:
            raise ValueError("range must be None when bins=None (integer labels)")
        if arr.dtype.kind not in "iu":
            raise TypeError(f"x must hold integer labels when bins=None, got dtype {arr.dtype}")
        if arr.dtype.kind == "i" and arr.min() < 0:
            raise ValueError("x must hold non-negative labels when bins=None")
        top = int(arr.max())
        if top >= 2**31:
            raise ValueError(f"x: largest label {top} is too large to count")
        nlab = top + 1
        rows, outer = rows_view(arr.astype(np.int64, copy=False), ax)
        R = rows.shape[0]
        kk = _k_per_row(k, outer, R, np.full(R, float(nlab)))
        out = np.empty(R)
        status = np.zeros(R, dtype=np.int8)
        k_mod.entropy_rows_labels(rows, nlab, kk, code, out, status, n_threads)
    else:
        if isinstance(bins, str):
            if bins not in _RULES:
                raise ValueError(f"bins={bins!r} is not one of {list(_RULES)}, an int or None")
        elif isinstance(bins, (bool, np.bool_)) or not isinstance(bins, numbers.Integral):
            raise TypeError(f"bins must be a positive int, a rule name or None, got {bins!r}")
        lo_hi = None if range is None else _check_range(range)
        rows_raw, outer = rows_view(arr, ax)
        R = rows_raw.shape[0]
        out = np.empty(R)
        status = np.zeros(R, dtype=np.int8)
        kind = arr.dtype.kind
        big_ints = kind in "iu" and arr.size and (
            arr.max() >= _EXACT_INT or (kind == "i" and arr.min() <= -_EXACT_INT)
        )
        if big_ints:
            raise ValueError("x: integers beyond 2**52 in magnitude are not supported; pass floats")
        as_f64 = arr.dtype == np.float64 or kind in "iu"
        if not isinstance(bins, str) and as_f64:
            nb = check_positive_int(bins, "bins")
            rows = np.ascontiguousarray(rows_raw, dtype=np.float64)
            kk = _k_per_row(k, outer, R, np.full(R, float(nb)))
            lo, hi = (0.0, 1.0) if lo_hi is None else lo_hi
            if lo_hi is not None and lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            k_mod.entropy_rows_uniform(rows, nb, lo, hi, lo_hi is None, kk, code, out, status,
                                       n_threads)
        elif not isinstance(bins, str) and lo_hi is not None:
            # float32/float16 rows with a shared range: numpy's edges depend only on the range
            nb = check_positive_int(bins, "bins")
            e_raw = np.histogram_bin_edges(np.empty(0, dtype=arr.dtype), nb, range)
            e = e_raw.astype(np.float64)
            first, last = lo_hi if lo_hi[0] != lo_hi[1] else (lo_hi[0] - 0.5, lo_hi[1] + 0.5)
            plan = _row_plan(e, first, last, float(np.finfo(e_raw.dtype).eps))
            if plan[3] == _BIN_NUMPY and e_raw.dtype != np.float64:
                numpy_rows = list(_range(R))  # see _edges_plan
                plan = (0.0, 1.0, 0.0, _BIN_SEARCH)
            kk = _k_per_row(k, outer, R, np.full(R, float(nb)))
            k_mod.entropy_rows_edges(
                np.ascontiguousarray(rows_raw, dtype=np.float64), e,
                np.array([0, e.shape[0]], dtype=np.int64), np.array([plan[0]]),
                np.array([plan[1]]), np.array([plan[2]]), np.array([plan[3]], dtype=np.intc),
                kk, code, out, status, n_threads)
        else:
            if not isinstance(bins, str):
                check_positive_int(bins, "bins")
            edges, offsets, firsts, scales, tols, modes, nbins, numpy_rows = _edges_plan(
                rows_raw, bins, range
            )
            kk = _k_per_row(k, outer, R, nbins.astype(np.float64))
            k_mod.entropy_rows_edges(np.ascontiguousarray(rows_raw, dtype=np.float64), edges,
                                     offsets, firsts, scales, tols, modes, kk, code, out, status,
                                     n_threads)

    for r in numpy_rows:
        # rows where float32 edges are too narrow for exact arithmetic binning: numpy's counts
        c = np.histogram(rows_raw[r], bins, range)[0].astype(np.int64)[None, :]
        if c.sum() == 0:
            status[r] = _ST_EMPTY
        elif np.count_nonzero(c) > kk[r]:
            status[r] = _ST_K
        else:
            est = np.empty(1)
            kernels("estimators").entropy_counts_rows(c, kk[r:r + 1], code, est, None, 1)
            out[r], status[r] = est[0], _ST_OK
    bad = np.flatnonzero(status)
    if bad.size:
        r = int(bad[0])
        st = int(status[r])
        where = _row_label(r, outer)
        if st == _ST_RANGE:
            raise ValueError(
                f"x: autodetected range of row {where} is not finite (NaN or inf); remove them "
                "or pass range"
            )
        if st == _ST_BINS:
            raise ValueError(f"Too many bins for data range of row {where}: bins={bins!r}")
        if st == _ST_EMPTY:
            raise ValueError(f"x: row {where} has no samples inside range {range!r}")
        if st == _ST_K:
            raise ValueError(
                f"k={int(kk[r])} is below the observed support of row {where} (k counts the "
                "symbols including unseen ones)"
            )
        raise MemoryError("entropy_samples: could not allocate per-thread scratch")
    if base_val is not None:
        out /= log_base_divisor(base_val)
    if outer == ():
        return np.float64(out[0])
    return out.reshape(outer)
