"""Entropy of binned samples, per row, in one fused pass: bin -> count -> estimate.

:func:`entropy_samples` equals ``entropy_counts(numpy.histogram(row, bins, range)[0], method)``
for every row (or ``numpy.bincount(row)`` for integer labels), without building the
(rows, bins) count matrix: each thread bins one row into its own scratch histogram and
estimates it straight away. numpy's bin-count rules ('fd', 'scott', 'doane', 'auto', 'sturges',
'rice', 'sqrt') are computed per row in the same pass, in scratch of one row per thread.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import check_base, check_positive_int, log_base_divisor, normalize_axis, rows_view
from .estimators import _validate_method
from .histogram import _BIN_NUMPY, _BIN_SEARCH, _BIN_UNIFORM, _as_real, _numpy_error, _tol

__all__ = ["entropy_samples"]

_RULES = ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt")
#: rules the kernel computes per row (the R_* codes of _kernels/samples.pyx)
_RULE_CODES = {"sqrt": 0, "sturges": 1, "rice": 2, "scott": 3, "fd": 4, "auto": 5, "doane": 6}
_ST_OK, _ST_RANGE, _ST_BINS, _ST_EMPTY, _ST_K, _ST_NOMEM, _ST_FALLBACK = 0, 1, 2, 3, 4, 5, 6
_EXACT_INT = 2.0**52  # integers below this behave in float64 exactly as numpy treats them
_BLOCK_CELLS = 1 << 20  # rows converted to float64 at a time: about 8 MiB


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


def _rule_constants(n: int) -> np.ndarray:
    """numpy's n-only terms of the rules, computed with numpy's own expressions for ``n``:
    sqrt(n), log2(n) + 1, 2 n^(1/3), (24 sqrt(pi) / n)^(1/3), n^(-1/3), Doane's sigma_g1."""
    sg1 = np.sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3))) if n > 2 else 1.0
    return np.array([
        np.sqrt(n),
        np.log2(n) + 1.0,
        2.0 * n ** (1.0 / 3),
        (24.0 * np.pi**0.5 / n) ** (1.0 / 3.0),
        n ** (-1.0 / 3.0),
        sg1,
    ], dtype=np.float64)


def _row_plan(e: np.ndarray, first: Any, last: Any, eps: float) -> tuple[float, float, float, int]:
    """Kernel parameters ``(first, scale, tol, mode)`` for one row's equal-width edges."""
    nb = e.shape[0] - 1
    width = float(np.min(np.diff(e)))
    big = float(max(abs(e[0]), abs(e[-1])))
    err = 4.0 * eps * (nb + big / width) if width > 0 else math.inf
    if err < 0.5:
        return float(e[0]), nb / float(e[-1] - e[0]), _tol(err), _BIN_UNIFORM
    return float(first), float(last - first), 0.0, _BIN_NUMPY


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


def _numpy_edges(row: np.ndarray, bins: Any, range: Any, where: str) -> np.ndarray:
    """``numpy.histogram_bin_edges(row, bins, range)``, numpy's errors in this module's form."""
    try:
        return np.histogram_bin_edges(row, bins, range)
    except MemoryError:
        raise ValueError(
            f"bins={bins!r}: numpy's rule asks for more bins than memory holds on row {where} "
            "(a row that is constant up to rounding does this with 'scott'); pass an int"
        ) from None
    except ValueError as exc:
        raise _numpy_error(exc, "x", f"row {where}") from None


def _check_row_width(row: np.ndarray, where: str) -> None:
    """ValueError when the row's max - min overflows float64 (numpy fails there in its own
    ways: an IndexError, NaN edges, "Too many bins")."""
    if row.size == 0:
        return
    lo, hi = float(row.min()), float(row.max())
    if math.isfinite(lo) and math.isfinite(hi) and not math.isfinite(hi - lo):
        raise ValueError(
            f"x: row {where} spans [{lo}, {hi}], wider than the largest float64 (max - min "
            "overflows); rescale the data or pass range"
        )


def _edges_plan(rows_raw: np.ndarray, bins: Any, range: Any, outer: tuple[int, ...],
                start: int) -> tuple[np.ndarray, ...]:
    """numpy's edges of every row (a rule name or an int), concatenated, and the kernel's
    per-row parameters: ``edges, offsets, firsts, scales, tols, modes, nbins, numpy_rows``
    (``numpy_rows``: rows whose counts numpy itself must compute). One row at a time, so the
    temporaries are row-sized; ``start`` numbers the rows for messages."""
    R = rows_raw.shape[0]
    parts = []
    numpy_rows: list[int] = []
    firsts = np.empty(R)
    scales = np.empty(R)
    tols = np.empty(R)
    modes = np.empty(R, dtype=np.intc)
    nbins = np.empty(R, dtype=np.int64)
    for r in _range(R):
        where = _row_label(start + r, outer)
        if range is None:
            _check_row_width(rows_raw[r], where)
        e_raw = _numpy_edges(rows_raw[r], bins, range, where)
        e = e_raw.astype(np.float64)
        parts.append(e)
        nbins[r] = e.shape[0] - 1
        if nbins[r] < 1:  # numpy's rule can give 0 bins (an overflowing width): nothing inside
            parts[-1] = np.array([0.0, 1.0])
            firsts[r], scales[r], tols[r], modes[r] = 0.0, 1.0, 0.0, _BIN_SEARCH
            numpy_rows.append(r)
            continue
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
    return edges, offsets, firsts, scales, tols, modes, nbins, np.array(numpy_rows, dtype=np.intp)


def _check_range(range: Any) -> tuple[float, float]:
    try:
        lo, hi = range
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(
            f"range must be a (min, max) pair of real numbers, got {range!r}"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"range must be finite, got [{lo}, {hi}]")
    if lo > hi:
        raise ValueError(f"range must be increasing (min <= max), got [{lo}, {hi}]")
    if not math.isfinite(hi - lo):
        raise ValueError(
            f"range [{lo}, {hi}] is wider than the largest float64 (max - min overflows); "
            "pass a narrower range"
        )
    return lo, hi


def _blocks(R: int, n: int, convert: bool) -> Iterator[slice]:
    """Row blocks: all rows at once, or about 8 MiB of rows when they must be converted."""
    step = max(1, _BLOCK_CELLS // max(n, 1)) if convert else max(R, 1)
    for s in _range(0, R, step):
        yield slice(s, min(s + step, R))


def _f64_rows(rows_raw: np.ndarray, sl: slice) -> np.ndarray:
    return np.ascontiguousarray(rows_raw[sl], dtype=np.float64)


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
    values on edges; the counts of a row live only in the thread's scratch buffer.

    With a rule name and no ``range``, float64 rows get the rule inside the row pass: the
    quartiles ('fd', 'auto') by selection on a per-thread copy of the row, the standard
    deviation ('scott', 'doane') by numpy's pairwise summation, in scratch of one row per
    thread, so no array the size of ``x`` is made. The bin count is numpy's: where numpy's
    arithmetic cannot be reproduced to the bit (Doane's skewness goes through numpy's SIMD
    ``power`` and ``log2``) the kernel bounds the difference and a row whose count falls within
    that bound of another integer (rare) is binned by numpy itself; so are rows whose rule asks
    for more than 2**22 bins. 'stone', a rule with a ``range``, and rows that are not float64
    get numpy's edges row by row.

    Memory: float64 rows are read in place when their samples are contiguous along ``axis``
    (otherwise one float64 copy with that layout is made); other real dtypes are converted to
    float64 about 8 MiB of rows at a time. Integer labels (``bins=None``) of any integer width
    or bool are read in place; a copy (same dtype) is made only when the rows are not
    contiguous along ``axis`` or are byte-swapped. (Rows of float32/float16 data whose range is
    so narrow on so large an offset that numpy's own float32 arithmetic decides the bins are
    counted by numpy.histogram itself.)

    Raises
    ------
    ValueError
        NaN/inf in a row with an autodetected range (or a row whose range overflows float64),
        a row with no sample inside ``range``, ``k`` below a row's support, bad
        ``bins``/``range``/``axis``/``method``/``base``.
    """
    code = _validate_method(method)
    base_val = check_base(base)
    arr = _as_real(x, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least 1 dimension, got 0")
    ax = normalize_axis(axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError(f"x must not be empty along axis {axis}, got shape {arr.shape}")
    n_threads = threads_for(
        resolve_n_jobs(n_jobs), arr.size // arr.shape[ax], arr.size, min_cells=1024
    )
    if arr.dtype == np.bool_:
        arr = arr.view(np.uint8)
    if not arr.dtype.isnative:  # the kernels read native byte order: one swapped copy
        arr = arr.astype(arr.dtype.newbyteorder("="))
    k_mod = kernels("samples")
    numpy_rows = np.zeros(0, dtype=np.intp)
    rows_raw: np.ndarray | None = None

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
        rows, outer = rows_view(arr, ax)
        R = rows.shape[0]
        kk = _k_per_row(k, outer, R, np.full(R, float(nlab)))
        out = np.empty(R)
        status = np.zeros(R, dtype=np.int8)
        k_mod.entropy_rows_labels(rows, nlab, kk, code, out, status, n_threads)
    else:
        if isinstance(bins, str):
            if bins not in _RULES:
                raise ValueError(
                    f"bins={bins!r} is not a rule name; use an int, None or one of {list(_RULES)}"
                )
        elif isinstance(bins, (bool, np.bool_)) or not isinstance(bins, numbers.Integral):
            raise TypeError(f"bins must be a positive int, a rule name or None, got {bins!r}")
        lo_hi = None if range is None else _check_range(range)
        rows_raw, outer = rows_view(arr, ax)
        R, n = rows_raw.shape
        out = np.empty(R)
        status = np.zeros(R, dtype=np.int8)
        kind = arr.dtype.kind
        big_ints = kind in "iu" and arr.size and (
            arr.max() >= _EXACT_INT or (kind == "i" and arr.min() <= -_EXACT_INT)
        )
        if big_ints:
            raise ValueError("x: integers beyond 2**52 in magnitude are not supported; pass floats")
        is_f64 = arr.dtype == np.float64
        as_f64 = is_f64 or kind in "iu"
        if isinstance(bins, str) and bins in _RULE_CODES and lo_hi is None and is_f64:
            # the rule per row, inside the kernel's row pass
            kk = _k_per_row(k, outer, R, np.full(R, np.nan))
            nbins = np.zeros(R, dtype=np.int64)
            k_mod.entropy_rows_rule(rows_raw, _RULE_CODES[bins], _rule_constants(n), kk, code,
                                    out, status, nbins, n_threads)
            numpy_rows = np.flatnonzero(status == _ST_FALLBACK)
        elif not isinstance(bins, str) and as_f64:
            nb = check_positive_int(bins, "bins")
            kk = _k_per_row(k, outer, R, np.full(R, float(nb)))
            lo, hi = (0.0, 1.0) if lo_hi is None else lo_hi
            if lo_hi is not None and lo == hi:
                lo, hi = lo - 0.5, hi + 0.5
            for sl in _blocks(R, n, not is_f64):
                k_mod.entropy_rows_uniform(_f64_rows(rows_raw, sl), nb, lo, hi, lo_hi is None,
                                           kk[sl], code, out[sl], status[sl], n_threads)
        elif not isinstance(bins, str) and lo_hi is not None:
            # float32/float16 rows with a shared range: numpy's edges depend only on the range
            nb = check_positive_int(bins, "bins")
            e_raw = np.histogram_bin_edges(np.empty(0, dtype=arr.dtype), nb, range)
            e = e_raw.astype(np.float64)
            if np.any(e[:-1] >= e[1:]):
                raise ValueError(
                    f"bins={nb}: too many bins for range {range!r} (the float32 edges are not "
                    "distinct); use fewer bins or a wider range"
                )
            first, last = lo_hi if lo_hi[0] != lo_hi[1] else (lo_hi[0] - 0.5, lo_hi[1] + 0.5)
            plan = _row_plan(e, first, last, float(np.finfo(e_raw.dtype).eps))
            if plan[3] == _BIN_NUMPY and e_raw.dtype != np.float64:
                numpy_rows = np.arange(R)  # see _edges_plan
                plan = (0.0, 1.0, 0.0, _BIN_SEARCH)
            kk = _k_per_row(k, outer, R, np.full(R, float(nb)))
            for sl in _blocks(R, n, True):
                k_mod.entropy_rows_edges(
                    _f64_rows(rows_raw, sl), e, np.array([0, e.shape[0]], dtype=np.int64),
                    np.array([plan[0]]), np.array([plan[1]]), np.array([plan[2]]),
                    np.array([plan[3]], dtype=np.intc), kk[sl], code, out[sl], status[sl],
                    n_threads)
        else:
            # numpy's edges row by row: 'stone', a rule with a range, rows that are not float64
            if not isinstance(bins, str):
                check_positive_int(bins, "bins")
            kk = _k_per_row(k, outer, R, np.full(R, np.nan))
            parts = [numpy_rows]
            for sl in _blocks(R, n, not is_f64):
                edges, offsets, firsts, scales, tols, modes, nbins, np_rows = _edges_plan(
                    rows_raw[sl], bins, range, outer, sl.start
                )
                k_mod.entropy_rows_edges(_f64_rows(rows_raw, sl), edges, offsets, firsts, scales,
                                         tols, modes, kk[sl], code, out[sl], status[sl],
                                         n_threads)
                parts.append(np_rows + sl.start)
            numpy_rows = np.concatenate(parts)

    for r in numpy_rows.tolist():
        # rows numpy itself counts: an uncertain or huge rule bin count, or float32 edges too
        # narrow for exact arithmetic binning
        assert rows_raw is not None
        e = _numpy_edges(rows_raw[r], bins, range, _row_label(r, outer))
        if e.shape[0] < 2:
            raise ValueError(
                f"bins={bins!r}: numpy's rule gives 0 bins for row {_row_label(r, outer)} (its "
                "bin width overflows); pass an int"
            )
        c = np.histogram(rows_raw[r], e)[0].astype(np.int64)[None, :]
        kr = kk[r] if not math.isnan(kk[r]) else float(c.shape[1])
        if c.sum() == 0:
            status[r] = _ST_EMPTY
        elif np.count_nonzero(c) > kr:
            status[r] = _ST_K
            kk[r] = kr
        else:
            est = np.empty(1)
            kernels("estimators").entropy_counts_rows(c, np.array([kr]), code, est, None, 1)
            out[r], status[r] = est[0], _ST_OK
    bad = np.flatnonzero(status)
    if bad.size:
        _raise_status(int(bad[0]), int(status[bad[0]]), outer, bins, range, kk, rows_raw)
    if base_val is not None:
        out /= log_base_divisor(base_val)
    if outer == ():
        scalar: np.float64 = out[0]
        return scalar
    res: np.ndarray = out.reshape(outer)
    return res


def _raise_status(r: int, st: int, outer: tuple[int, ...], bins: Any, range: Any,
                  kk: np.ndarray, rows_raw: np.ndarray | None) -> None:
    """The error of row ``r``'s kernel status ``st``."""
    where = _row_label(r, outer)
    if st == _ST_RANGE:
        assert rows_raw is not None
        _check_row_width(rows_raw[r], where)
        raise ValueError(
            f"x: autodetected range of row {where} is not finite (NaN or inf); remove them "
            "or pass range"
        )
    if st == _ST_BINS:
        raise ValueError(
            f"bins={bins!r}: too many bins for the data range of row {where} (the edges are "
            "not distinct float64 numbers); use fewer bins"
        )
    if st == _ST_EMPTY:
        raise ValueError(f"x: row {where} has no samples inside range {range!r}")
    if st == _ST_K:
        raise ValueError(
            f"k={int(kk[r])} is below the observed support of row {where} (k counts the "
            "symbols including unseen ones)"
        )
    raise MemoryError("entropy_samples: could not allocate per-thread scratch")
