"""numpy-compatible histograms with a fast uniform-bin path, and batch histograms of rows.

:func:`histogram`, :func:`histogram_bin_edges`, :func:`histogram2d` and :func:`histogramdd`
take numpy's arguments and return numpy's values, dtypes, edges and errors. Edges are always
computed with numpy exactly as numpy computes them; only the assignment of samples to bins is
compiled. It reproduces numpy's rule: bin ``b`` holds ``edges[b] <= x < edges[b + 1]``, the last
bin also holds ``x == edges[-1]``, values outside the edges (and NaN) are dropped.

Where a case is not worth a kernel, these functions call numpy itself, so the result is still
numpy's: weighted histograms with explicit (non-uniform) edges, weights that are not float64 in
:func:`histogram`, float16 and longdouble edges, integers beyond 2**53 in magnitude, and
``histogramdd`` with more cells than numpy can index.
"""
from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import check_positive_int, normalize_axis, rows_view

__all__ = [
    "histogram",
    "histogram_bin_edges",
    "histogram2d",
    "histogramdd",
    "histogram_rows",
    "bincount_rows",
]

_BIN_UNIFORM, _BIN_NUMPY, _BIN_SEARCH = 0, 1, 2
_RULES = ("auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt")
_EXACT_INT = 2.0**53  # integers below this convert to float64 exactly
_MINMAX_KERNEL_SIZE = 4096  # below this numpy's min/max is as fast as a kernel call
_range = range


# ----------------------------------------------------------------------------- validation


def _as_real(x: Any, name: str) -> np.ndarray:
    """``x`` as an ndarray of a real numeric (or bool) dtype; TypeError naming ``name`` else."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be array-like of real numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{name} must be a rectangular array-like of real numbers (got a ragged or mixed "
            "nested sequence); pass a NumPy array or nested sequences of equal length"
        ) from exc
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must have a real numeric dtype, got dtype {arr.dtype}")
    return arr


def _numpy_error(exc: ValueError, name: str, where: str = "") -> ValueError:
    """numpy's ValueError ``exc`` (raised on ``name``'s data) in this package's form: the
    argument first, then what to do. ``where`` (e.g. "row 3") says which part of the data."""
    msg = str(exc)
    at = f" of {where}" if where else ""
    if msg.startswith("Too many bins for data range"):
        return ValueError(
            f"bins: too many bins for the data range{at} (the edges would not be distinct "
            "floating-point numbers); use fewer bins"
        )
    if msg.startswith("autodetected range of"):
        return ValueError(
            f"{name}: {msg[len('autodetected '):]}{(' (' + where + ')') if where else ''}; "
            f"remove NaN/inf from {name} or pass range=(min, max)"
        )
    if msg.startswith("supplied range of"):
        bounds = msg[len("supplied range of "):-len(" is not finite")]
        return ValueError(f"range must be finite, got {bounds}")
    if msg.startswith("max must be larger than min"):
        return ValueError("range must be increasing (min <= max)")
    return ValueError(f"{name}{(' (' + where + ')') if where else ''}: {msg}")


def _width_overflows(first: Any, last: Any, dtype: Any) -> bool:
    """Whether ``last - first`` overflows in ``dtype`` (float: numpy's edge dtype)."""
    dt = np.dtype(dtype)
    if dt.kind != "f":
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        return not bool(np.isfinite(np.subtract(last, first, dtype=dt)))


def _unsigned_subtract(a: Any, b: Any) -> Any:
    """``a - b`` for ``a >= b`` as numpy.histogram computes it (unsigned for signed ints)."""
    signed_to_unsigned = {
        np.byte: np.ubyte,
        np.short: np.ushort,
        np.intc: np.uintc,
        np.int_: np.uint,
        np.longlong: np.ulonglong,
    }
    dt = np.result_type(a, b)
    try:
        unsigned_dt = signed_to_unsigned[dt.type]
    except KeyError:
        return np.subtract(a, b, dtype=dt)
    return np.subtract(
        np.asarray(a, dtype=dt), np.asarray(b, dtype=dt), casting="unsafe", dtype=unsigned_dt
    )


def _kernel_data(a: np.ndarray, contiguous: bool = True) -> np.ndarray | None:
    """``a`` (1-D) in a dtype the kernels read exactly as numpy compares it, or None."""
    kind = a.dtype.kind
    if a.dtype in (np.float64, np.float32):
        return np.ascontiguousarray(a) if contiguous else a
    if kind == "f" and a.dtype.itemsize < 4:
        return np.ascontiguousarray(a, dtype=np.float32)
    if kind in "biu":
        if a.dtype.itemsize >= 8 and a.size:
            lo, hi = a.min(), a.max()
            if hi >= _EXACT_INT or lo <= -_EXACT_INT:
                return None
        return np.ascontiguousarray(a, dtype=np.int64)
    return None


def _edges_as_double(edges: np.ndarray) -> np.ndarray | None:
    """Edges as float64 when that conversion is exact and keeps their order, else None."""
    if edges.dtype.kind == "f" and edges.dtype.itemsize <= 8:
        e = np.ascontiguousarray(edges, dtype=np.float64)
    elif edges.dtype.kind in "biu":
        if edges.size and (edges.max() >= _EXACT_INT or edges.min() <= -_EXACT_INT):
            return None
        e = np.ascontiguousarray(edges, dtype=np.float64)
    else:
        return None
    if np.isnan(e).any():
        return None
    return e


def _min_max(a: np.ndarray, n_threads: int) -> tuple[Any, Any]:
    """``(a.min(), a.max())`` as numpy scalars of ``a.dtype``; one threaded pass for floats."""
    if (
        a.size >= _MINMAX_KERNEL_SIZE
        and a.dtype in (np.float64, np.float32)
        and a.ndim == 1
        and a.flags.c_contiguous
    ):
        out = np.zeros(3)
        kernels("histogram").min_max(np.ascontiguousarray(a), out, n_threads)
        if out[2] == 0.0:
            return a.dtype.type(out[0]), a.dtype.type(out[1])
    return a.min(), a.max()


def _outer_edges(
    a: np.ndarray, range: Any, n_threads: int, name: str = "a"
) -> tuple[Any, Any]:
    """numpy's outer edges: from ``range``, or the data's min/max; +-0.5 when they coincide.

    Errors name ``range`` or the data (``name``): a range that is not a pair, decreasing, not
    finite, or whose width overflows the dtype numpy computes the edges in (numpy itself fails
    there with an IndexError, a NaN edge or "Too many bins").
    """
    if range is not None:
        try:
            first_edge, last_edge = range
        except (TypeError, ValueError):
            raise ValueError(f"range must be a (min, max) pair, got {range!r}") from None
        for edge in (first_edge, last_edge):
            if isinstance(edge, (str, bytes)) or np.ndim(edge) != 0 or (
                np.asarray(edge).dtype.kind not in "biuf"
            ):
                raise TypeError(f"range must be a (min, max) pair of real numbers, got {range!r}")
        if first_edge > last_edge:
            raise ValueError(
                f"range must be increasing (min <= max), got [{first_edge}, {last_edge}]"
            )
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(f"range must be finite, got [{first_edge}, {last_edge}]")
    elif a.size == 0:
        first_edge, last_edge = 0, 1
    else:
        first_edge, last_edge = _min_max(a, n_threads)
        if not (np.isfinite(first_edge) and np.isfinite(last_edge)):
            raise ValueError(
                f"{name}: autodetected range of [{first_edge}, {last_edge}] is not finite; "
                f"remove NaN/inf from {name} or pass range=(min, max)"
            )
    if first_edge == last_edge:
        first_edge = first_edge - 0.5
        last_edge = last_edge + 0.5
    bin_type = np.result_type(first_edge, last_edge, a)
    if _width_overflows(first_edge, last_edge, bin_type):
        if range is not None:
            raise ValueError(
                f"range [{first_edge}, {last_edge}] is wider than the largest {bin_type} "
                "(max - min overflows); pass a narrower range"
            )
        raise ValueError(
            f"{name}: its range [{first_edge}, {last_edge}] is wider than the largest "
            f"{bin_type} (max - min overflows); rescale {name} or pass a narrower range"
        )
    return first_edge, last_edge


def _get_bin_edges(
    a: np.ndarray, bins: Any, range: Any, weights: np.ndarray | None, n_threads: int
) -> tuple[np.ndarray, tuple[Any, Any, int] | None]:
    """numpy's ``_get_bin_edges``: the edges, and ``(first, last, n)`` for equal-width bins."""
    n_equal_bins = None
    if isinstance(bins, str):
        if bins not in _RULES:
            raise ValueError(
                f"bins={bins!r} is not a rule name; use an int, a sequence of edges or one of "
                f"{list(_RULES)}"
            )
        if weights is not None:
            raise TypeError(
                f"bins={bins!r}: rule names do not support weighted data (numpy's rules ignore "
                "weights); pass an int or explicit edges"
            )
        first_edge, last_edge = _outer_edges(a, range, n_threads)
        # the rule itself (percentiles, stone's search...) is numpy's own code
        try:
            edges = np.histogram_bin_edges(a, bins, range)
        except ValueError as exc:
            raise _numpy_error(exc, "a") from None
        return edges, (first_edge, last_edge, edges.shape[0] - 1)
    if np.ndim(bins) == 0:
        try:
            n_equal_bins = operator.index(bins)
        except TypeError as e:
            raise TypeError(
                f"bins must be an int, a rule name or a 1-D sequence of edges, got {bins!r}"
            ) from e
        if n_equal_bins < 1:
            raise ValueError(f"bins must be a positive int, got {n_equal_bins}")
        first_edge, last_edge = _outer_edges(a, range, n_threads)
        bin_type = np.result_type(first_edge, last_edge, a)
        if np.issubdtype(bin_type, np.integer):
            bin_type = np.result_type(bin_type, float)
        edges = np.linspace(first_edge, last_edge, n_equal_bins + 1, endpoint=True, dtype=bin_type)
        if np.any(edges[:-1] >= edges[1:]):
            raise ValueError(
                f"bins={n_equal_bins}: too many bins for the range [{first_edge}, {last_edge}] "
                f"(the {bin_type} edges would not be distinct); use fewer bins"
            )
        return edges, (first_edge, last_edge, n_equal_bins)
    if np.ndim(bins) == 1:
        edges = np.asarray(bins)
        if np.any(edges[:-1] > edges[1:]):
            raise ValueError("bins: explicit edges must be non-decreasing; sort them")
        return edges, None
    raise ValueError(
        f"bins must be an int, a rule name or a 1-D sequence of edges, got an array of shape "
        f"{np.shape(bins)}"
    )


def _guess_error(e: np.ndarray, eps: float) -> float:
    """Bound, in bins, on the error of the arithmetic bin guess against the rounded edges ``e``."""
    nb = e.shape[0] - 1
    width = float(np.min(np.diff(e)))
    big = float(max(abs(e[0]), abs(e[-1])))
    if not width > 0:
        return math.inf
    return float(4.0 * eps * (nb + big / width))


def _tol(err: float) -> float:
    """The kernel's trust margin for a guess (in bins); infinite (walk every value) when wide."""
    return 4.0 * err if 4.0 * err < 0.5 else math.inf


def _uniform_mode(
    edges: np.ndarray, first_edge: Any, last_edge: Any
) -> tuple[int, float, float, float] | None:
    """How the kernel bins equal-width ``edges``: ``(mode, first, scale, tol)``, or None.

    The arithmetic guess of a bin, numpy's and ours, is off by at most
    ``~4 eps (nbins + max|edge| / width)`` bins. Below half a bin numpy's single correction step
    reaches the true bin, which is what BIN_UNIFORM walks to, so both agree; above it, float64
    edges use numpy's own formula (BIN_NUMPY) and other dtypes go to numpy.
    """
    if edges.dtype not in (np.float64, np.float32):
        return None
    e = edges.astype(np.float64)
    nb = e.shape[0] - 1
    err = _guess_error(e, float(np.finfo(edges.dtype).eps))
    if err < 0.5:
        # numpy's guess is within one bin of the truth, so its correction step lands on the bin
        # the edges define, which is what the kernel's walk finds
        return _BIN_UNIFORM, float(e[0]), nb / float(e[-1] - e[0]), _tol(err)
    if edges.dtype == np.float64:
        denom = float(_unsigned_subtract(last_edge, first_edge))
        return _BIN_NUMPY, float(np.float64(first_edge)), denom, 0.0
    return None


def _ravel_and_check_weights(a: Any, weights: Any) -> tuple[np.ndarray, np.ndarray | None]:
    a = _as_real(a, "a")
    if a.dtype == np.bool_:
        warnings.warn(
            f"Converting input from {a.dtype} to {np.uint8} for compatibility.",
            RuntimeWarning,
            stacklevel=3,
        )
        a = a.astype(np.uint8)
    if weights is not None:
        weights = _as_real(weights, "weights")
        if weights.shape != a.shape:
            raise ValueError(f"weights must have the shape of a {a.shape}, got {weights.shape}")
        weights = weights.ravel()
    return a.ravel(), weights


# ----------------------------------------------------------------------------- 1-D


def histogram_bin_edges(
    a: Any, bins: Any = 10, range: Any = None, weights: Any = None, *, n_jobs: int | None = None
) -> np.ndarray:
    """Bin edges of :func:`histogram`; a drop-in for :func:`numpy.histogram_bin_edges`.

    Parameters
    ----------
    a : array_like
        Input data, flattened. Real numeric dtypes only.
    bins : int, sequence of scalars or str, optional
        Number of equal-width bins, explicit monotonically increasing edges, or one of numpy's
        rule names ('auto', 'fd', 'doane', 'scott', 'stone', 'rice', 'sturges', 'sqrt').
    range : (float, float), optional
        Lower and upper edge; default ``(a.min(), a.max())``.
    weights : array_like, optional
        Only checked (shape); rule names refuse weights, as in numpy.
    n_jobs : int or None, optional
        Threads for the min/max pass of large float arrays.

    Returns
    -------
    bin_edges : ndarray
        numpy's edges, same dtype.

    Notes
    -----
    Equal-width edges are ``numpy.linspace(first, last, bins + 1)``; the rules are numpy's
    (Sturges 1926, Scott 1979, Freedman & Diaconis 1981, Doane 1976, Stone 1984).
    """
    a, weights = _ravel_and_check_weights(a, weights)
    n_threads = resolve_n_jobs(n_jobs)
    return _get_bin_edges(a, bins, range, weights, n_threads)[0]


def histogram(
    a: Any,
    bins: Any = 10,
    range: Any = None,
    density: bool | None = None,
    weights: Any = None,
    *,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of a data set; a drop-in for :func:`numpy.histogram`, several times faster.

    Parameters
    ----------
    a : array_like
        Input data, flattened. Real numeric dtypes only (complex and object are refused).
    bins : int, sequence of scalars or str, optional
        Number of equal-width bins (default 10), explicit non-decreasing edges including the
        rightmost, or one of numpy's rule names (see :func:`histogram_bin_edges`).
    range : (float, float), optional
        Lower and upper edge; values outside are ignored. Default ``(a.min(), a.max())``; NaN or
        inf in ``a`` then raise, as in numpy.
    density : bool, optional
        Return ``counts / bin_width / counts.sum()`` instead of counts.
    weights : array_like, optional
        Same shape as ``a``; each sample adds its weight instead of 1.
    n_jobs : int or None, optional
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.

    Returns
    -------
    hist : ndarray
        int64 counts, or the weights' dtype with weights, or float64 with ``density``.
    bin_edges : ndarray
        The ``len(hist) + 1`` edges, numpy's dtype.

    Notes
    -----
    All bins are half-open ``[e_b, e_{b+1})`` except the last, ``[e_{n-1}, e_n]``. For
    equal-width bins the bin of ``x`` is guessed as ``floor((x - e_0) n / (e_n - e_0))`` and then
    moved to the bin whose edges actually bracket ``x`` (numpy's correction against the
    ``linspace`` edges), so counts equal numpy's exactly. Samples are processed in fixed blocks
    of 65536; integer counts are merged from per-thread partials, float weights are summed
    sequentially within a block and the blocks are added in order, which is numpy's own order:
    weighted results are bitwise numpy's for every ``n_jobs``.

    Examples
    --------
    >>> import fastentropy as fe
    >>> fe.histogram([1, 2, 1], bins=[0, 1, 2, 3])
    (array([0, 2, 1]), array([0, 1, 2, 3]))
    """
    a, weights = _ravel_and_check_weights(a, weights)
    n_threads = resolve_n_jobs(n_jobs)
    bin_edges, uniform = _get_bin_edges(a, bins, range, weights, n_threads)
    nb = bin_edges.shape[0] - 1

    data = _kernel_data(a) if nb >= 1 else None
    plan = None
    if data is not None:
        if uniform is not None:
            plan = _uniform_mode(bin_edges, uniform[0], uniform[1])
            e = bin_edges.astype(np.float64) if plan is not None else None
        else:
            e = _edges_as_double(bin_edges)
            plan = (_BIN_SEARCH, 0.0, 1.0, 0.0) if e is not None and weights is None else None
    if plan is not None and weights is not None and weights.dtype != np.float64:
        plan = None
    if plan is None:
        # numpy's own answer for the cases without a kernel (see the module docstring)
        try:
            return np.histogram(a, bins, range=range, density=density, weights=weights)
        except ValueError as exc:
            raise _numpy_error(exc, "a") from None
        except TypeError:
            if weights is not None and weights.dtype == np.bool_:
                raise TypeError(
                    "weights: boolean weights cannot be summed into bins with explicit edges "
                    "(numpy raises too); pass weights.astype(int)"
                ) from None
            raise

    mode, first, scale, tol = plan
    k = kernels("histogram")
    if weights is None:
        partial = np.zeros((max(n_threads, 1), nb), dtype=np.int64)
        k.hist_1d(data, e, first, scale, tol, mode, partial, n_threads)
        if (partial < 0).any():
            raise MemoryError("histogram: could not allocate per-thread scratch")
        n = partial.sum(axis=0).astype(np.intp, copy=False)
    else:
        n = np.zeros(nb, dtype=np.float64)
        k.hist_1d_weighted(
            data, np.ascontiguousarray(weights), e, first, scale, tol, mode, n, n_threads
        )
    if density:
        db = np.array(np.diff(bin_edges), float)
        return n / db / n.sum(), bin_edges
    return n, bin_edges


# ----------------------------------------------------------------------------- N-D


def _dd_impl(
    cols: list[np.ndarray],
    bins: Any,
    range: Any,
    density: bool | None,
    weights: Any,
    n_threads: int,
    numpy_fallback: Any,
    sample: np.ndarray | None = None,
    names: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """numpy.histogramdd on the columns ``cols`` (1-D, one common dtype, equal lengths);
    ``sample`` is the (N, D) array they come from, if any; ``names`` name the columns in
    errors (default ``sample[:, i]``)."""
    D = len(cols)
    N = cols[0].shape[0] if D else 0
    nbin = np.empty(D, np.intp)
    edges: list[Any] = D * [None]
    dedges: list[Any] = D * [None]
    uniform = [False] * D
    if weights is not None:
        weights = _as_real(weights, "weights")
        if weights.ndim != 1 or weights.shape[0] != N:
            raise ValueError(
                f"weights must be 1-D with one weight per sample ({N}), got shape {weights.shape}"
            )
    try:
        M = len(bins)
        if M != D:
            raise ValueError(f"bins must give one entry per dimension ({D}), got {M}")
    except TypeError:
        bins = D * [bins]
    if range is None:
        range = (None,) * D
    elif len(range) != D:
        raise ValueError(
            f"range must give one (min, max) or None per dimension ({D}), got {len(range)}"
        )
    for i in _range(D):
        if np.ndim(bins[i]) == 0:
            if isinstance(bins[i], str):
                raise TypeError(
                    f"bins[{i}] must be an int or a 1-D sequence of edges, got {bins[i]!r}"
                )
            if bins[i] < 1:
                raise ValueError(f"bins[{i}] must be a positive int, got {bins[i]}")
            col = names[i] if names is not None else f"sample[:, {i}]"
            try:
                smin, smax = _outer_edges(cols[i], range[i], n_threads, col)
            except ValueError as exc:
                msg = str(exc)
                if msg.startswith("range"):
                    msg = f"range[{i}]" + msg[len("range"):]
                raise ValueError(msg) from None
            try:
                n = operator.index(bins[i])
            except TypeError as e:
                raise TypeError(
                    f"bins[{i}] must be an int or a 1-D sequence of edges, got {bins[i]!r}"
                ) from e
            edges[i] = np.linspace(smin, smax, n + 1)
            uniform[i] = True
        elif np.ndim(bins[i]) == 1:
            edges[i] = np.asarray(bins[i])
            if edges[i].size == 0:  # numpy fails with an IndexError here
                raise ValueError(f"bins[{i}] must hold at least one edge, got an empty sequence")
            if np.any(edges[i][:-1] > edges[i][1:]):
                raise ValueError(f"bins[{i}]: explicit edges must be non-decreasing; sort them")
        else:
            raise ValueError(f"bins[{i}] must be an int or a 1-D sequence of edges")
        nbin[i] = len(edges[i]) + 1
        dedges[i] = np.diff(edges[i])

    # Kernel plan: every axis needs exactly-convertible edges and data.
    datas = [_kernel_data(c, contiguous=False) for c in cols]
    e64 = [_edges_as_double(e) for e in edges]
    ok = D >= 1 and all(d is not None for d in datas) and all(e is not None for e in e64)
    ok = ok and all(nb >= 3 for nb in nbin)
    cells = 1
    for nb in nbin:
        cells *= int(nb) - 2
    ok = ok and cells < 2**31 and cells * max(n_threads, 1) < 2**31
    if not ok:
        hist_np, edges_np = numpy_fallback()
        return hist_np, list(edges_np)
    e64s: list[np.ndarray] = [e for e in e64 if e is not None]
    firsts = np.zeros(D)
    scales = np.ones(D)
    tols = np.zeros(D)
    modes = np.full(D, _BIN_SEARCH, dtype=np.intc)
    for i in _range(D):
        ei = e64s[i]
        span = float(ei[-1] - ei[0])
        if uniform[i] and span > 0 and np.isfinite(span) and edges[i].dtype.kind == "f":
            # edges may repeat here (numpy does not check): the walk handles that, and a
            # zero width makes the tolerance infinite, so every guess is walked
            err = _guess_error(ei, float(np.finfo(edges[i].dtype).eps))
            modes[i] = _BIN_UNIFORM
            firsts[i] = ei[0]
            scales[i] = (ei.shape[0] - 1) / span
            tols[i] = _tol(err)

    k = kernels("histogram")
    shape = tuple(int(nb) - 2 for nb in nbin)
    if weights is None and D == 2:
        partial = np.zeros((max(n_threads, 1), cells), dtype=np.int64)
        dt = np.result_type(datas[0], datas[1])
        x, y = (np.ascontiguousarray(d, dtype=dt) for d in datas)  # copies strided columns
        k.hist_2d(x, y, e64s[0], e64s[1], firsts[0], scales[0], tols[0], int(modes[0]),
                  firsts[1], scales[1], tols[1], int(modes[1]), partial, n_threads)
        hist = partial.sum(axis=0).astype(float)
    else:
        if sample is None or sample.dtype != np.float64:
            sample = np.empty((N, D), dtype=np.float64)
            for i in _range(D):
                sample[:, i] = datas[i]
        flat_edges = np.concatenate(e64s)
        offsets = np.zeros(D + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([e.shape[0] for e in e64s])
        if weights is None:
            partial = np.zeros((max(n_threads, 1), cells), dtype=np.int64)
            k.hist_dd(sample, flat_edges, offsets, firsts, scales, tols, modes, partial, n_threads)
            hist = partial.sum(axis=0).astype(float)
        else:
            hist = np.zeros(cells, dtype=np.float64)
            k.hist_dd_weighted(sample, np.ascontiguousarray(weights, dtype=np.float64),
                               flat_edges, offsets, firsts, scales, tols, modes, hist, n_threads)
    hist = hist.reshape(shape)
    if density:
        s = hist.sum()
        for i in _range(D):
            shp = np.ones(D, int)
            shp[i] = nbin[i] - 2
            hist = hist / dedges[i].reshape(shp)
        hist /= s
    return hist, edges


def histogramdd(
    sample: Any,
    bins: Any = 10,
    range: Sequence[Any] | None = None,
    density: bool | None = None,
    weights: Any = None,
    *,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Multidimensional histogram; a drop-in for :func:`numpy.histogramdd`.

    Parameters
    ----------
    sample : (N, D) array, or sequence of D 1-D arrays
        The points (numpy's two interpretations). Real numeric dtypes only.
    bins : sequence or int, optional
        Edges per axis, bin counts per axis, or one bin count for all axes.
    range : sequence, optional
        One ``(lower, upper)`` or None per axis, for axes whose edges are not given.
    density : bool, optional
        Return ``count / N / bin_volume``.
    weights : (N,) array_like, optional
        Weight of each point.
    n_jobs : int or None, optional
        Threads for unweighted histograms (weighted ones are summed in sample order, on one
        thread, to match numpy bit for bit).

    Returns
    -------
    H : ndarray
        float64 histogram of shape ``(nx, ny, ...)`` (numpy returns floats here too).
    edges : list of ndarray
        The D edge arrays.

    Notes
    -----
    numpy finds bins with ``searchsorted(edges, x, side='right')`` and moves values on the last
    edge into the last bin. Here equal-width axes guess the bin arithmetically and correct the
    guess against the same edges, and explicit edges use a binary search, which assigns every
    point to the same cell.
    """
    if np.ndim(sample) > 2:
        raise ValueError(
            "sample must be an (N, D) array of N points in D dimensions, or a sequence of D "
            f"1-D arrays, got shape {np.shape(sample)}"
        )
    try:
        N, D = sample.shape
    except (AttributeError, ValueError):
        sample = np.atleast_2d(sample).T
        N, D = sample.shape
    sample = _as_real(sample, "sample")
    if sample.dtype == np.bool_:
        sample = sample.astype(np.uint8)
    n_threads = resolve_n_jobs(n_jobs)
    cols = [sample[:, i] for i in _range(D)]
    raw = sample

    def fallback() -> Any:
        try:
            return np.histogramdd(raw, bins, range, density, weights)
        except ValueError as exc:
            raise _numpy_error(exc, "sample") from None

    return _dd_impl(cols, bins, range, density, weights, n_threads, fallback, sample)


def histogram2d(
    x: Any,
    y: Any,
    bins: Any = 10,
    range: Any = None,
    density: bool | None = None,
    weights: Any = None,
    *,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bi-dimensional histogram; a drop-in for :func:`numpy.histogram2d`, much faster.

    Parameters
    ----------
    x, y : array_like, shape (N,)
        Coordinates of the points. Real numeric dtypes only.
    bins : int or array_like or [int, int] or [array, array], optional
        Bin counts or edges, as in numpy.
    range : array_like, shape (2, 2), optional
        ``[[xmin, xmax], [ymin, ymax]]`` for axes whose edges are not given.
    density : bool, optional
        Return ``count / N / bin_area``.
    weights : array_like, shape (N,), optional
        Weight of each point.
    n_jobs : int or None, optional
        Threads for unweighted histograms.

    Returns
    -------
    H : ndarray, shape (nx, ny)
        float64 histogram (numpy's dtype).
    xedges, yedges : ndarray
        The edges along each axis.

    Notes
    -----
    numpy has no equal-width fast path in two dimensions (it sorts through ``searchsorted``);
    here each coordinate's bin is computed arithmetically and corrected against numpy's
    ``linspace`` edges, so every point lands in numpy's cell.
    """
    xa = _as_real(x, "x")
    ya = _as_real(y, "y")
    if xa.ndim != 1 or ya.ndim != 1:
        raise ValueError(f"x and y must be 1-D, got shapes {xa.shape} and {ya.shape}")
    if len(xa) != len(ya):
        raise ValueError(f"x and y must have the same length, got {len(xa)} and {len(ya)}")
    if bins is None:  # numpy's TypeError, in our words
        raise TypeError("bins must be an int, an array of edges, or a pair of either, got None")
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N not in {1, 2}:
        xedges = yedges = np.asarray(bins)
        bins = [xedges, yedges]
    n_threads = resolve_n_jobs(n_jobs)
    dt = np.result_type(xa, ya)
    if dt == np.bool_:
        dt = np.dtype(np.uint8)
    cols = [xa.astype(dt, copy=False), ya.astype(dt, copy=False)]

    def fallback() -> Any:
        try:
            return np.histogramdd([xa, ya], bins, range, density, weights)
        except ValueError as exc:
            raise _numpy_error(exc, "x") from None

    hist, edges = _dd_impl(cols, bins, range, density, weights, n_threads, fallback,
                           names=("x", "y"))
    return hist, edges[0], edges[1]


# ----------------------------------------------------------------------------- batches


def _row_edges(lo: np.ndarray, hi: np.ndarray, nb: int) -> np.ndarray:
    """``numpy.linspace(lo[r], hi[r], nb + 1)`` for every row r, bit for bit."""
    step = (hi - lo) / nb
    i = np.arange(nb + 1, dtype=np.float64)
    e: np.ndarray = i[None, :] * step[:, None] + lo[:, None]
    e[:, -1] = hi
    return e


def _check_range_pair(range: Any, name: str = "range") -> tuple[float, float]:
    try:
        lo, hi = range
        lo, hi = float(lo), float(hi)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a (min, max) pair of real numbers, got {range!r}"
        ) from None
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} must be finite, got [{lo}, {hi}]")
    if lo > hi:
        raise ValueError(f"{name} must be increasing (min <= max), got [{lo}, {hi}]")
    if not np.isfinite(hi - lo):
        raise ValueError(
            f"{name} [{lo}, {hi}] is wider than the largest float64 (max - min overflows); "
            "pass a narrower range"
        )
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def histogram_rows(
    x: Any,
    bins: int = 10,
    range: Any = None,
    *,
    axis: int = -1,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Histogram of every row of ``x`` along ``axis``, equal-width bins, one call.

    Parameters
    ----------
    x : array_like
        Samples; the histogram is taken along ``axis`` of each row. Values are binned as
        float64.
    bins : int, optional
        Number of equal-width bins per row.
    range : (float, float), optional
        Shared lower and upper edge for all rows (values outside are ignored). None: each row
        its own ``(min, max)``, as ``numpy.histogram(row)`` does (NaN/inf then raise).
    axis : int, optional
        Axis holding the samples.
    n_jobs : int or None, optional
        Threads, over rows.

    Returns
    -------
    counts : ndarray of int64, shape ``(rows..., bins)``
        ``counts[r] == numpy.histogram(x_row_r, bins, range)[0]``.
    edges : ndarray of float64
        Shape ``(rows..., bins + 1)`` with per-row ranges, ``(bins + 1,)`` with a shared range.

    Notes
    -----
    Each row's edges are ``numpy.linspace(lo, hi, bins + 1)`` and its bins are numpy's (see
    :func:`histogram`); rows are independent tasks, so results do not depend on ``n_jobs``.
    """
    arr = _as_real(x, "x")
    if arr.ndim == 0:
        raise ValueError("x must have at least 1 dimension, got 0")
    nb = check_positive_int(bins, "bins")
    ax = normalize_axis(axis, arr.ndim)
    rows, outer = rows_view(arr.astype(np.float64, copy=False), ax)
    n_threads = threads_for(resolve_n_jobs(n_jobs), rows.shape[0], rows.size, min_cells=1024)
    R, n = rows.shape
    if range is not None:
        lo_s, hi_s = _check_range_pair(range)
        edges = np.linspace(lo_s, hi_s, nb + 1)[None, :]
        if np.any(edges[0, :-1] >= edges[0, 1:]):
            raise ValueError(
                f"bins={nb}: too many bins for range [{lo_s}, {hi_s}] (the edges would not be "
                "distinct float64 numbers); use fewer bins"
            )
    else:
        if n == 0:
            lo = np.zeros(R)
            hi = np.ones(R)
        else:
            lo = rows.min(axis=1) if R else np.zeros(0)
            hi = rows.max(axis=1) if R else np.zeros(0)
            bad = ~(np.isfinite(lo) & np.isfinite(hi))
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"x: autodetected range of [{lo[r]}, {hi[r]}] of row {r} is not finite; "
                    "remove NaN/inf or pass range"
                )
            with np.errstate(over="ignore"):
                wide = ~np.isfinite(hi - lo)
            if wide.any():
                r = int(np.flatnonzero(wide)[0])
                raise ValueError(
                    f"x: row {r} spans [{lo[r]}, {hi[r]}], wider than the largest float64 "
                    "(max - min overflows); rescale x or pass range"
                )
            same = lo == hi
            lo = np.where(same, lo - 0.5, lo)
            hi = np.where(same, hi + 0.5, hi)
        tight = "the edges would not be distinct float64 numbers; use fewer bins"
        if R and np.any((hi - lo) / nb == 0):
            raise ValueError(f"bins={nb}: too many bins for a row's data range ({tight})")
        edges = _row_edges(lo, hi, nb)
        if R and np.any(edges[:, :-1] >= edges[:, 1:]):
            raise ValueError(f"bins={nb}: too many bins for a row's data range ({tight})")
    err = 0.0
    if edges.shape[0]:
        width = np.min(np.diff(edges, axis=1), axis=1)
        big = np.maximum(np.abs(edges[:, 0]), np.abs(edges[:, -1]))
        err = float(np.max(4.0 * np.finfo(np.float64).eps * (nb + big / width)))
    mode, tol = (_BIN_UNIFORM, _tol(err)) if err < 0.5 else (_BIN_NUMPY, 0.0)
    counts: np.ndarray = np.zeros((R, nb), dtype=np.int64)
    if R and n:
        kernels("histogram").hist_rows(
            rows, np.ascontiguousarray(edges), tol, mode, counts, n_threads
        )
    counts = counts.reshape(outer + (nb,))
    if range is None:
        edges = edges.reshape(outer + (nb + 1,))
    else:
        edges = edges[0]
    return counts, edges


def bincount_rows(
    x: Any, minlength: int = 0, *, axis: int = -1, n_jobs: int | None = None
) -> np.ndarray:
    """``numpy.bincount`` of every row of non-negative integer labels, in one call.

    Parameters
    ----------
    x : array_like of int
        Non-negative integer labels (any integer or bool dtype); counted along ``axis``.
    minlength : int, optional
        Minimum number of bins.
    axis : int, optional
        Axis holding the labels.
    n_jobs : int or None, optional
        Threads, over rows.

    Returns
    -------
    counts : ndarray of int64, shape ``(rows..., k)``
        ``k = max(x.max() + 1, minlength)``, shared by all rows.

    Notes
    -----
    ``counts[r, j] = #{i : x[r, i] == j}``; rows are independent tasks. ``x`` is read in place
    in its own integer width (bool as uint8); a copy is made only when the labels of a row are
    not contiguous along ``axis`` or is byte-swapped (then one native-order copy, same dtype).
    """
    arr = _as_real(x, "x")
    if arr.dtype.kind not in "biu":
        raise TypeError(
            f"x must hold integer labels (integer or bool dtype), got dtype {arr.dtype}"
        )
    if arr.ndim == 0:
        raise ValueError("x must have at least 1 dimension, got 0")
    if isinstance(minlength, bool) or not isinstance(minlength, numbers.Integral):
        raise TypeError(f"minlength must be a non-negative int, got {type(minlength).__name__}")
    if minlength < 0:
        raise ValueError(f"minlength must be a non-negative int, got {minlength}")
    ax = normalize_axis(axis, arr.ndim)
    n_jobs_resolved = resolve_n_jobs(n_jobs)
    if arr.dtype == np.bool_:
        arr = arr.view(np.uint8)
    if not arr.dtype.isnative:  # the kernels read native byte order: one swapped copy
        arr = arr.astype(arr.dtype.newbyteorder("="))
    if arr.size:
        if arr.dtype.kind == "i" and arr.min() < 0:
            raise ValueError("x must hold non-negative labels")
        top = int(arr.max())
        if top >= 2**40:
            raise ValueError(f"x: largest label {top} is too large to count")
    else:
        top = -1
    k = max(top + 1, int(minlength))
    rows, outer = rows_view(arr, ax)
    counts = np.zeros((rows.shape[0], k), dtype=np.int64)
    if rows.size:
        n_threads = threads_for(n_jobs_resolved, rows.shape[0], rows.size, min_cells=1024)
        kernels("histogram").bincount_rows(rows, counts, n_threads)
    return counts.reshape(outer + (k,))
