"""Mutual information of discrete variables: joint tables, information quantities from them, and
scikit-learn-compatible clustering scores with a fast expected mutual information.

Three layers:

- :func:`contingency` turns two label arrays into a joint count table;
- :func:`joint_entropy`, :func:`conditional_entropy`, :func:`mutual_information` and
  :func:`variation_of_information` take joint count tables (batched over leading axes) and any
  estimator of :func:`fastentropy.entropy_counts`;
- :func:`mutual_info_score`, :func:`normalized_mutual_info_score` and
  :func:`adjusted_mutual_info_score` are drop-ins for their scikit-learn namesakes (same values,
  same edge cases, natural log), with the expected mutual information computed by a mode-outward
  hypergeometric walk instead of a full O(N R C) sum.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs
from ._validation import as_count_array, check_base, check_choice, log_base_divisor

__all__ = [
    "contingency",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "variation_of_information",
    "mutual_info_score",
    "normalized_mutual_info_score",
    "adjusted_mutual_info_score",
]

_INT64_MAX = int(np.iinfo(np.int64).max)
_INT64_MIN = int(np.iinfo(np.int64).min)
_EPS = float(np.finfo(np.float64).eps)
_AVERAGES = ("min", "geometric", "arithmetic", "max")
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}

# Bits of the kernels' ``want`` (which quantities to compute) and their status codes.
_WANT_HXY, _WANT_MI, _WANT_HYX, _WANT_HXGY, _WANT_HX, _WANT_HY = 1, 2, 4, 8, 16, 32
_ST_OK, _ST_ZERO_TOTAL, _ST_OVERFLOW, _ST_NO_MEMORY = 0, 1, 2, 3


# --------------------------------------------------------------------------------------------
# input conversion: in place wherever the dtype and layout allow


def _as_array(x: Any, name: str, what: str) -> np.ndarray:
    """``np.asarray(x)`` (no copy of an ndarray), with the project's message for inputs NumPy
    cannot read as one array (ragged nested sequences)."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be {what}, got {type(x).__name__}")
    try:
        return np.asarray(x)
    except ValueError:
        raise ValueError(
            f"{name} must be {what}, got a ragged nested sequence (sub-sequences of unequal "
            "lengths); pass a rectangular sequence or a NumPy array"
        ) from None
    except TypeError:
        raise TypeError(f"{name} must be {what}, got {type(x).__name__}") from None


def _native(arr: np.ndarray) -> np.ndarray:
    """``arr`` in native byte order: a copy only for a byte-swapped array."""
    if arr.dtype.isnative:
        return arr
    return arr.astype(arr.dtype.newbyteorder("="))


def _unsigned(arr: np.ndarray) -> np.ndarray:
    """The unsigned view of a native integer array's bytes (no copy, any strides): the kernels'
    fused types are the four unsigned widths."""
    return arr.view(_UNSIGNED[arr.dtype.itemsize])


def _as_counts(x: Any, name: str, min_ndim: int) -> np.ndarray:
    """``x`` as a native integer array of counts in [0, 2**63 - 1], read in place.

    Integer arrays of every width come back as they are (a copy only when byte-swapped), with
    the range checked by two reductions (no temporaries); booleans as their uint8 view. Floats
    holding whole numbers are converted to a new int64 array (the one case that copies).
    """
    arr = _as_array(x, name, "a rectangular array-like of counts")
    kind = arr.dtype.kind
    if kind in "OUSVMm":
        raise TypeError(f"{name} must have a real numeric dtype, got dtype {arr.dtype}")
    if kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.ndim}")
    if kind == "f":
        return as_count_array(arr, name, min_ndim=min_ndim, allow_empty=True)
    arr = _native(arr)
    if kind == "b":
        return arr.view(np.uint8)
    if arr.size:
        if kind == "i" and int(arr.min()) < 0:
            raise ValueError(f"{name} must be non-negative counts")
        if kind == "u" and arr.dtype.itemsize == 8 and int(arr.max()) > _INT64_MAX:
            raise ValueError(f"{name} has counts larger than the int64 maximum (2**63 - 1)")
    return arr


def _as_labels(x: Any, name: str) -> np.ndarray:
    """A 1-D array of class labels, read in place (``np.asarray``)."""
    arr = _as_array(x, name, "a 1-D array-like of labels")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must not be complex")
    if kind == "V":
        raise TypeError(f"{name} must hold numbers or strings, got dtype {arr.dtype}")
    if kind == "f" and arr.size:
        # min and max propagate NaN and show inf: no input-sized temporary
        if not (math.isfinite(float(arr.min())) and math.isfinite(float(arr.max()))):
            raise ValueError(f"{name} must not contain NaN or inf labels")
    if kind == "O":
        _check_object_labels(arr, name)
    return arr


# --------------------------------------------------------------------------------------------
# contingency tables


def _check_pair(x: Any, y: Any, xname: str, yname: str) -> tuple[np.ndarray, np.ndarray]:
    x = _as_labels(x, xname)
    y = _as_labels(y, yname)
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{xname} and {yname} must have the same length, got {x.shape[0]} and {y.shape[0]}"
        )
    return x, y


def _check_object_labels(arr: np.ndarray, name: str) -> None:
    for v in arr:
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"{name} must not contain NaN or inf labels")
        if v is None:
            raise ValueError(f"{name} must not contain None labels")


def _int_range(arr: np.ndarray) -> tuple[np.ndarray, int, int] | None:
    """(unsigned view of the labels, min, max) of an integer/bool label array whose values fit
    int64 with room for offset arithmetic, else None. No copy (but of a byte-swapped array)."""
    if arr.dtype.kind not in "iub" or arr.size == 0:
        return None
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8 and int(arr.max()) > _INT64_MAX // 2:
        return None
    arr = _native(arr)
    if arr.dtype.kind == "b":
        arr = arr.view(np.uint8)
    # numpy's SIMD min and max (two passes) beat a fused scalar pass built without -march
    lo, hi = int(arr.min()), int(arr.max())
    if lo < _INT64_MIN // 2 or hi > _INT64_MAX // 2:
        return None
    return _unsigned(arr), lo, hi


def _unique_inverse(arr: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        classes, inverse = np.unique(arr, return_inverse=True)
    except TypeError:  # e.g. a mix of numbers and strings in an object array
        kinds = sorted({type(v).__name__ for v in arr.tolist()})
        got = f"a mix of {', '.join(kinds)}" if len(kinds) > 1 else f"{kinds[0]} objects"
        raise TypeError(
            f"{name} must hold labels of one kind that sort together (all numbers or all "
            f"strings), got {got}"
        ) from None
    codes = np.ascontiguousarray(inverse.reshape(-1), dtype=np.int64)
    return classes, _unsigned(codes)


def _encode(
    arr: np.ndarray, n: int, name: str
) -> tuple[np.ndarray, int, int, np.ndarray | None, int]:
    """Codes for one label side: (unsigned labels or codes, offset, width, classes or None, min).

    Integer labels in a modest range are read in place, as the unsigned view of their bytes,
    with an offset (O(n), no sort, no copy); the classes are then the offset rows that turn out
    non-empty, found after counting. Anything else goes through
    ``np.unique(return_inverse=True)`` (a sort, and an int64 code array).
    """
    rng = _int_range(arr)
    if rng is not None:
        vals, lo, hi = rng
        width = hi - lo + 1
        if width <= max(2 * n, 1 << 12):
            return vals, lo, width, None, lo
    classes, codes = _unique_inverse(arr, name)
    return codes, 0, classes.shape[0], classes, 0


def _encode_pair(
    x: np.ndarray, y: np.ndarray, xname: str, yname: str
) -> tuple[Any, ...]:
    """Both sides encoded: (xv, x0, rx, xcls, xlo, yv, y0, ry, ycls, ylo), see _encode."""
    n = x.shape[0]
    xv, x0, rx, xcls, xlo = _encode(x, n, xname)
    yv, y0, ry, ycls, ylo = _encode(y, n, yname)
    # A sparse offset grid (two wide integer ranges) would cost more than sorting: re-encode.
    if (xcls is None or ycls is None) and rx * ry > max(8 * n, 1 << 16):
        if xcls is None and (ycls is not None or rx >= ry):
            xcls, xv = _unique_inverse(x, xname)
            x0, rx = 0, xcls.shape[0]
        if ycls is None and rx * ry > max(8 * n, 1 << 16):
            ycls, yv = _unique_inverse(y, yname)
            y0, ry = 0, ycls.shape[0]
    return xv, x0, rx, xcls, xlo, yv, y0, ry, ycls, ylo


def _codes64(v: np.ndarray, v0: int) -> np.ndarray:
    """int64 codes (v - v0) of an unsigned label view, subtracting modulo 2**width as the
    counting kernel does (a new array)."""
    off = v.dtype.type(v0 % (1 << (8 * v.dtype.itemsize)))
    codes = np.asarray(v - off)
    # every code is below 2**63, so the uint64 difference is its own int64 view
    return codes.view(np.int64) if codes.dtype.itemsize == 8 else codes.astype(np.int64)


def _dense_table(
    enc: tuple[Any, ...], x: np.ndarray, y: np.ndarray, n_threads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xv, x0, rx, xcls, xlo, yv, y0, ry, ycls, ylo = enc
    table = np.zeros((rx, ry), dtype=np.int64)
    kernels("mutual_info").count_pairs(xv, yv, x0, y0, table, n_threads)
    if xcls is None:
        present = table.any(axis=1)
        xcls = (np.flatnonzero(present) + xlo).astype(x.dtype)
        if not present.all():
            table = table[present]
    if ycls is None:
        present = table.any(axis=0)
        ycls = (np.flatnonzero(present) + ylo).astype(y.dtype)
        if not present.all():
            table = table[:, present]
    return np.ascontiguousarray(table), xcls, ycls


def _sparse_cells(enc: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, row codes, column codes) of the non-zero cells, by sorting the cell codes."""
    xv, x0, rx, _, _, yv, y0, ry, _, _ = enc
    cell = _codes64(xv, x0) * ry + _codes64(yv, y0)
    cells, counts = np.unique(cell, return_counts=True)
    return counts.astype(np.int64), cells // ry, cells % ry


# Dense tables above this many cells (and above 8 cells per sample) give way to sorted cells.
_DENSE_CELLS = 1 << 22
# The public contingency() refuses dense tables above this many cells (2 GiB of int64).
_MAX_DENSE = 1 << 28


def _contingency(
    x: np.ndarray, y: np.ndarray, n_threads: int, xname: str = "x", yname: str = "y"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = x.shape[0]
    if n == 0:
        return np.zeros((0, 0), np.int64), np.unique(x), np.unique(y)
    enc = _encode_pair(x, y, xname, yname)
    if enc[2] * enc[7] > _MAX_DENSE:
        raise ValueError(
            f"{xname} and {yname} have {enc[2]} and {enc[7]} classes: a dense table of "
            f"{enc[2] * enc[7]} cells is too large; use the clustering scores, which sort "
            "the cells instead"
        )
    return _dense_table(enc, x, y, n_threads)


def contingency(
    x: Any, y: Any, *, n_jobs: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Joint count table of two label arrays.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Class labels: integers, booleans, strings or floats (no NaN/inf). ``x`` gives the rows,
        ``y`` the columns.
    n_jobs : int or None, optional
        Threads for the counting (``None``: the OpenMP default, ``-1``: all cores). The table
        does not depend on it.

    Returns
    -------
    table : ndarray of int64, shape (R, C)
        ``table[r, c]`` = number of ``i`` with ``x[i] == x_classes[r]`` and
        ``y[i] == y_classes[c]``. Every row and column has a positive sum.
    x_classes : ndarray, shape (R,)
        The distinct values of ``x``, sorted as by ``np.unique``, with ``x``'s dtype.
    y_classes : ndarray, shape (C,)
        The distinct values of ``y``, likewise.

    Notes
    -----
    Integer and boolean labels of every width spanning a range of at most ~``2 n`` values are
    read in place, in any memory layout, and counted directly by offset (O(n), no sort, no
    copy; a byte-swapped array is first converted to native order; the NumPy fallback backend
    converts blocks of 65536 labels at a time). Other labels (strings,
    floats, objects, integers spread over a wider range) are encoded with
    ``np.unique(return_inverse=True)``, which sorts a copy and makes an int64 code array.
    Empty inputs give a (0, 0) table. A table of more than 2**28 cells (2 GiB) is refused with
    a ``ValueError``; the clustering scores never build one (they sort the cell codes instead
    when both labelings have many classes).

    Examples
    --------
    >>> t, xc, yc = contingency([0, 0, 1, 1, 2, 2], [1, 0, 2, 1, 0, 2])
    >>> t
    array([[1, 1, 0],
           [0, 1, 1],
           [1, 0, 1]])
    """
    x, y = _check_pair(x, y, "x", "y")
    n_threads = resolve_n_jobs(n_jobs)
    return _contingency(x, y, n_threads)


# --------------------------------------------------------------------------------------------
# information quantities of joint tables


def _check_method(method: Any) -> str:
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {type(method).__name__}")
    if method == "plugin":
        return method
    try:
        from .estimators import _validate_method
    except ImportError:  # pragma: no cover - only while the estimators family is missing
        raise ValueError(f"method={method!r} is not available; use 'plugin'") from None
    out = _validate_method(method)
    return method if out is None or isinstance(out, int) else str(out)


def _as_tables(table: Any, name: str = "table") -> tuple[np.ndarray, tuple[int, ...]]:
    """``table`` as a (T, R, C) stack of native integer counts and its leading shape.

    The stack is a view of the input (any strides) unless the input is a float array (converted
    to int64), byte-swapped, or has leading axes that cannot be merged without a copy.
    """
    arr = _as_counts(table, name, min_ndim=2)
    if arr.shape[-2] == 0 or arr.shape[-1] == 0:
        raise ValueError(
            f"{name} must have at least one row and one column, got shape {arr.shape}"
        )
    lead = arr.shape[:-2]
    return arr.reshape((-1,) + arr.shape[-2:]), lead


def _raise_status(status: np.ndarray, name: str, batched: bool) -> None:
    """The facade's errors for the table kernels' status codes."""
    if not status.any():
        return
    if (status == _ST_NO_MEMORY).any():
        raise MemoryError(f"{name}: no memory for the per-thread marginal sums")
    where = " in every table" if batched else ""
    if (status == _ST_ZERO_TOTAL).any():
        raise ValueError(f"{name} must have a positive total count{where}")
    raise ValueError(
        f"{name} must have a total count of at most 2**63 - 1{where}; divide the counts by a "
        "common factor or pass a smaller table"
    )


def _plugin_quantities(
    stack: np.ndarray, want: int, n_threads: int, name: str = "table", batched: bool = True
) -> np.ndarray:
    """(T, 6) plug-in H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y) in nats (NaN where the
    ``want`` bits do not ask for them) of a (T, R, C) stack of native integer counts.

    The kernel reads the stack in place in any layout, always in the same (row-major) order,
    so the values do not depend on the layout either.
    """
    t = stack.shape[0]
    out = np.empty((t, 6), dtype=np.float64)
    if t == 0:
        return out
    status = np.zeros(t, dtype=np.int8)
    kernels("mutual_info").plugin_table_entropies(_unsigned(stack), want, out, status, n_threads)
    _raise_status(status, name, batched)
    return out


def _quantities(
    table: Any, want: int, method: Any, base: Any, n_jobs: int | None
) -> tuple[np.ndarray, tuple[int, ...], str, float]:
    """(T, 6) estimated H(X), H(Y), H(X,Y), I(X;Y), H(Y|X), H(X|Y) in nats, the leading
    shape, the method and the divisor for ``base``."""
    method = _check_method(method)
    divisor = log_base_divisor(check_base(base))
    stack, lead = _as_tables(table)
    n_threads = resolve_n_jobs(n_jobs)
    batched = len(lead) > 0
    if method == "plugin":
        return _plugin_quantities(stack, want, n_threads, batched=batched), lead, method, divisor
    # The totals are checked by one summing pass of the kernel (want=0) before any estimate.
    _plugin_quantities(stack, 0, n_threads, batched=batched)
    from .estimators import entropy_counts

    t, r, c = stack.shape
    out = np.empty((t, 6), dtype=np.float64)
    if t:
        # entropy_counts' own limit, checked here so that the message names this argument
        totals = stack.sum(axis=(1, 2), dtype=np.int64)  # below 2**63: checked just above
        over = np.flatnonzero(totals >= 2**62)
        if over.size:
            i = int(over[0])
            raise ValueError(
                f"table: a table's total count must be below 2**62 for method={method!r} "
                f"(table {i} sums to {int(totals[i])}); use method='plugin', which takes "
                "totals up to 2**63 - 1"
            )
        hx = entropy_counts(stack.sum(axis=2), method, axis=-1, k=r, n_jobs=n_jobs)
        hy = entropy_counts(stack.sum(axis=1), method, axis=-1, k=c, n_jobs=n_jobs)
        hxy = entropy_counts(stack.reshape(t, r * c), method, axis=-1, k=r * c, n_jobs=n_jobs)
        out[:, 0], out[:, 1], out[:, 2] = hx, hy, hxy
        out[:, 3] = out[:, 0] + out[:, 1] - out[:, 2]
        out[:, 4] = out[:, 2] - out[:, 0]
        out[:, 5] = out[:, 2] - out[:, 1]
    return out, lead, method, divisor


def _finish(values: np.ndarray, lead: tuple[int, ...], divisor: float) -> float | np.ndarray:
    values = values / divisor
    if not lead:
        return float(values[0])
    return values.reshape(lead)


_TABLE_PARAMS = """
    Parameters
    ----------
    table : array-like of shape (..., R, C)
        Joint counts of X (rows) and Y (columns): non-negative integers of any width, booleans,
        or floats holding whole numbers. Leading axes are a batch; every table needs a positive
        total of at most 2**63 - 1.
    method : str, optional
        Entropy estimator, any method of :func:`fastentropy.entropy_counts` (default
        ``'plugin'``). Each entropy term is estimated separately with it: the joint H(X, Y) from
        the flattened table with alphabet size ``k = R * C``, H(X) from the row sums with
        ``k = R``, H(Y) from the column sums with ``k = C``.
    base : float or None, optional
        Logarithm base; ``None`` gives nats.
    n_jobs : int or None, optional
        Threads (``None``: the OpenMP default, ``-1``: all cores). Results do not depend on it.

    Returns
    -------
    float or ndarray of shape (...)
        A float for a single (R, C) table, else an array of the leading shape.

    Notes
    -----
    Memory: integer tables of every width (and boolean ones) are read in place, in any layout
    (C order, Fortran order, strided views): no copy of the table is made, only the result and
    a (T, 6) float64 work array (the NumPy fallback backend converts blocks of ~16K cells at a
    time). A copy is made only for float tables (converted to int64), byte-swapped arrays,
    and batches whose leading axes cannot be merged by a view. With a ``method`` other than
    ``'plugin'`` the estimator receives the flattened tables (a view when the table is
    C-contiguous) and the integer marginals.

    Accuracy: the plug-in value is computed from exact integer marginals and a few-ulp term per
    cell: log ratios close to 1 (a dominant cell, as in ``[[2**40, 1], [1, 3]]``) through
    ``log1p`` of the exact integer excess, the mutual information in a non-negative form when
    its terms would cancel (near-independent tables), every sum compensated. The result is a
    few ulp from the exact value for every table (N up to 2**63 - 1)."""


def joint_entropy(
    table: Any, method: str = "plugin", *, base: float | None = None, n_jobs: int | None = None
) -> float | np.ndarray:
    """Joint entropy H(X, Y) of a joint count table.
    {params}

    ``H(X, Y) = -sum_ij p_ij log p_ij`` (Cover & Thomas, *Elements of Information Theory*,
    2nd ed., eq. 2.8), estimated by ``method`` from the cell counts. The plug-in value is summed
    as ``(1/N) sum_ij n_ij log(N / n_ij)``, a sum of non-negative terms, in one pass over each
    table after a pass for the marginals.
    """
    q, lead, _, divisor = _quantities(table, _WANT_HXY, method, base, n_jobs)
    return _finish(q[:, 2], lead, divisor)


def conditional_entropy(
    table: Any, method: str = "plugin", *, base: float | None = None, n_jobs: int | None = None
) -> float | np.ndarray:
    """Conditional entropy H(Y | X) of a joint count table, X being the rows.
    {params}

    ``H(Y | X) = H(X, Y) - H(X)`` (Cover & Thomas, eq. 2.14), each term estimated by
    ``method``. The plug-in value is summed directly,
    ``H(Y | X) = sum_ij (n_ij / N) log(a_i / n_ij)`` with ``a_i`` the row sums, a sum of
    non-negative terms. For H(X | Y) pass the transposed table (``np.swapaxes(t, -1, -2)``,
    a view: it is not copied).
    """
    q, lead, _, divisor = _quantities(table, _WANT_HYX, method, base, n_jobs)
    return _finish(q[:, 4], lead, divisor)


def mutual_information(
    table: Any, method: str = "plugin", *, base: float | None = None, n_jobs: int | None = None
) -> float | np.ndarray:
    """Mutual information I(X; Y) of a joint count table.
    {params}

    ``I(X; Y) = H(X) + H(Y) - H(X, Y)`` (Cover & Thomas, eq. 2.45), each term estimated by
    ``method`` (so bias corrections act on each term, as in Paninski 2003, sec. 2); other
    estimators than the plug-in can give slightly negative values. The plug-in value is summed
    per cell, never as a difference of entropies: ``I = sum_ij (n_ij / N) log(N n_ij / (a_i
    b_j))`` with row sums ``a_i`` and column sums ``b_j`` while these terms do not cancel, and
    otherwise as the sum of the non-negative terms ``n log(n / e) - n + e`` over all cells,
    ``e = a_i b_j / N`` (the G-test statistic is ``2 N I``, exact to a few ulp even for
    I ~ 1e-12); it is clipped at 0.
    """
    q, lead, method, divisor = _quantities(table, _WANT_MI, method, base, n_jobs)
    v = q[:, 3]
    if method == "plugin":
        v = np.maximum(v, 0.0)
    return _finish(v, lead, divisor)


def variation_of_information(
    table: Any, method: str = "plugin", *, base: float | None = None, n_jobs: int | None = None
) -> float | np.ndarray:
    """Variation of information VI(X, Y) = H(X | Y) + H(Y | X) of a joint count table.
    {params}

    ``VI = 2 H(X, Y) - H(X) - H(Y)``: a metric on partitions (Meila 2007, *J. Multivariate
    Anal.* 98, 873-895). The plug-in value is the sum of the two conditional entropies, each
    summed from its non-negative terms.
    """
    q, lead, _, divisor = _quantities(table, _WANT_HYX | _WANT_HXGY, method, base, n_jobs)
    return _finish(q[:, 4] + q[:, 5], lead, divisor)


for _f in (joint_entropy, conditional_entropy, mutual_information, variation_of_information):
    _f.__doc__ = (_f.__doc__ or "").replace("    {params}\n", _TABLE_PARAMS + "\n")
del _f


# --------------------------------------------------------------------------------------------
# scikit-learn-compatible clustering scores


_SCORE_WANT = _WANT_MI | _WANT_HX | _WANT_HY


class _Parts:
    """What the scores need from two labelings (or a contingency table): the class counts, the
    marginals (for the expected MI) and the table, dense or as its non-zero cells."""

    def __init__(self, r: int, c: int, a: np.ndarray | None = None, b: np.ndarray | None = None,
                 table: np.ndarray | None = None,
                 cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                 shape: tuple[int, int] = (0, 0)) -> None:
        self.r, self.c, self.a, self.b, self.table, self.cells = r, c, a, b, table, cells
        self.shape = shape

    def mi_h(self, n_threads: int, name: str = "contingency") -> tuple[float, float, float]:
        """Plug-in (MI, H(true), H(pred)) in nats, MI clipped at 0 as scikit-learn does."""
        if self.table is not None:
            q = _plugin_quantities(self.table.reshape((1,) + self.table.shape), _SCORE_WANT,
                                   n_threads, name, batched=False)[0]
        else:
            assert self.cells is not None
            counts, rows, cols = self.cells
            q = np.empty(6, dtype=np.float64)
            st = kernels("mutual_info").plugin_cell_entropies(
                counts, rows, cols, self.shape[0], self.shape[1], _SCORE_WANT, q)
            _raise_status(np.array([st], dtype=np.int8), name, batched=False)
        return max(float(q[3]), 0.0), float(q[0]), float(q[1])


def _parts_from_labels(
    labels_true: Any, labels_pred: Any, n_jobs: int | None
) -> tuple[_Parts, int]:
    x, y = _check_pair(labels_true, labels_pred, "labels_true", "labels_pred")
    n_threads = resolve_n_jobs(n_jobs)
    n = x.shape[0]
    if n == 0:
        empty = np.zeros(0, np.int64)
        return _Parts(0, 0, empty, empty, table=np.zeros((0, 0), np.int64)), n_threads
    enc = _encode_pair(x, y, "labels_true", "labels_pred")
    if enc[2] * enc[7] <= max(8 * n, _DENSE_CELLS):
        table = _dense_table(enc, x, y, n_threads)[0]
        return _Parts(table.shape[0], table.shape[1], table.sum(axis=1), table.sum(axis=0),
                      table=table), n_threads
    # Many classes on both sides (e.g. near-singleton clusterings): a dense table would be
    # mostly zeros, so sort the n cell codes instead.
    counts, rows, cols = _sparse_cells(enc)
    # float weights are exact here: the counts add up to n < 2**53
    a = np.bincount(rows, weights=counts, minlength=enc[2]).astype(np.int64)
    b = np.bincount(cols, weights=counts, minlength=enc[7]).astype(np.int64)
    r, c = int(np.count_nonzero(a)), int(np.count_nonzero(b))
    return _Parts(r, c, a, b, cells=(counts, rows, cols), shape=(enc[2], enc[7])), n_threads


def _expected_mi(a: np.ndarray, b: np.ndarray, n_threads: int) -> float:
    """Expected MI (nats) of tables with marginals ``a``, ``b``, hypergeometric model."""
    a = a[a > 0]
    b = b[b > 0]
    if a.size <= 1 or b.size <= 1:
        return 0.0
    n = int(a.sum())
    a_vals, a_mult = np.unique(a, return_counts=True)
    b_vals, b_mult = np.unique(b, return_counts=True)
    out = np.empty(a_vals.shape[0], dtype=np.float64)
    kernels("mutual_info").expected_mutual_info(
        a_vals.astype(np.int64), a_mult.astype(np.int64),
        b_vals.astype(np.int64), b_mult.astype(np.int64), n, out, n_threads,
    )
    return math.fsum(out.tolist())


def _average(u: float, v: float, method: str) -> float:
    if method == "min":
        return min(u, v)
    if method == "geometric":
        return math.sqrt(u * v)
    if method == "arithmetic":
        return (u + v) / 2.0
    return max(u, v)


def mutual_info_score(
    labels_true: Any,
    labels_pred: Any,
    *,
    contingency: Any = None,
    n_jobs: int | None = None,
) -> float:
    """Mutual information of two labelings, as :func:`sklearn.metrics.mutual_info_score`.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)
        Cluster labels (integers, strings, floats without NaN). Ignored when ``contingency`` is
        given (they may then be ``None``).
    contingency : array-like of shape (R, C) or scipy sparse matrix, optional
        A precomputed joint count table to use instead of the labels.
    n_jobs : int or None, optional
        Threads (``None``: the OpenMP default). The value does not depend on it.

    Returns
    -------
    float
        ``MI(U, V) = sum_ij (n_ij / N) log(N n_ij / (a_i b_j))`` in nats, clipped at 0; 0.0 when
        either labeling has a single class.

    Notes
    -----
    Summed per cell after one pass for the marginals, from exact integer marginals and cross
    products with compensated sums (see :func:`mutual_information`): a few ulp from the exact
    value (``mutual_info_score(arange(100), arange(100))`` is ``log(100)`` to the last bit),
    and within ~1e-15 of scikit-learn's value where scikit-learn's own rounding allows.
    Unlike scikit-learn, empty labelings raise a ``ValueError`` with a message (scikit-learn
    fails with "math domain error").

    Memory: integer and boolean labels of every width are read in place (see
    :func:`contingency` for when labels are sorted into codes instead); a dense integer
    ``contingency`` of any width and layout is read in place too, while a float one is
    converted to int64 and a scipy sparse one to COO, with its non-zero entries and their
    indices copied as int64.
    """
    if contingency is None:
        parts, n_threads = _parts_from_labels(labels_true, labels_pred, n_jobs)
        if parts.r == 0:
            raise ValueError("labels_true and labels_pred must not be empty")
    else:
        n_threads = resolve_n_jobs(n_jobs)
        parts = _contingency_arg(contingency)
        if parts.r == 1 or parts.c == 1:
            # scikit-learn's single-class answer, after checking the total as it would
            parts.mi_h(n_threads)
            return 0.0
    if parts.r == 1 or parts.c == 1:
        return 0.0
    return parts.mi_h(n_threads)[0]


def _contingency_arg(contingency: Any) -> _Parts:
    """A user's contingency table (dense array-like or scipy sparse) as score parts; ``r`` and
    ``c`` are its shape, empty rows and columns included, as in scikit-learn's single-class
    test. A dense integer table is read in place; a sparse one through its COO non-zeros."""
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover
        sp = None
    if sp is not None and sp.issparse(contingency):
        coo = sp.coo_matrix(contingency)
        if coo.ndim != 2:  # pragma: no cover - scipy's sparse matrices are 2-D
            raise ValueError(f"contingency must be 2-D, got shape {coo.shape}")
        coo.sum_duplicates()
        counts = _as_counts(coo.data, "contingency", min_ndim=1)
        keep = counts > 0
        r, c = coo.shape
        if not keep.any():
            raise ValueError("contingency must have a positive total count")
        cells = (np.ascontiguousarray(counts[keep], dtype=np.int64),
                 np.ascontiguousarray(coo.row[keep], dtype=np.int64),
                 np.ascontiguousarray(coo.col[keep], dtype=np.int64))
        return _Parts(r, c, cells=cells, shape=(r, c))
    table = _as_counts(contingency, "contingency", min_ndim=2)
    if table.ndim != 2:
        raise ValueError(f"contingency must be 2-D, got shape {table.shape}")
    if table.size == 0:
        raise ValueError("contingency must have a positive total count")
    return _Parts(table.shape[0], table.shape[1], table=table)


def normalized_mutual_info_score(
    labels_true: Any,
    labels_pred: Any,
    *,
    average_method: str = "arithmetic",
    n_jobs: int | None = None,
) -> float:
    """Normalised mutual information, as :func:`sklearn.metrics.normalized_mutual_info_score`.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)
        Cluster labels (integers, strings, floats without NaN).
    average_method : {'min', 'geometric', 'arithmetic', 'max'}, optional
        How the two entropies are averaged in the denominator (default ``'arithmetic'``).
    n_jobs : int or None, optional
        Threads (``None``: the OpenMP default). The value does not depend on it.

    Returns
    -------
    float
        ``NMI = MI(U, V) / mean(H(U), H(V))`` in [0, 1].

    Notes
    -----
    Strehl & Ghosh (2002), *JMLR* 3, 583-617; the generalised means follow Vinh, Epps & Bailey
    (2010). Scikit-learn's conventions: 1.0 when both labelings have one class (or are both
    empty), 0.0 when the MI is 0.

    Memory: integer and boolean labels of every width are read in place, without a copy
    (see :func:`contingency` for when labels are sorted into codes instead); the working
    memory is the joint table of the classes.
    """
    average_method = check_choice(average_method, "average_method", _AVERAGES)
    parts, n_threads = _parts_from_labels(labels_true, labels_pred, n_jobs)
    r, c = parts.r, parts.c
    if r == c == 1 or r == c == 0:
        return 1.0
    if r == 1 or c == 1:
        return 0.0
    mi, hx, hy = parts.mi_h(n_threads)
    if mi == 0:
        return 0.0
    return float(mi / _average(hx, hy, average_method))


def adjusted_mutual_info_score(
    labels_true: Any,
    labels_pred: Any,
    *,
    average_method: str = "arithmetic",
    n_jobs: int | None = None,
) -> float:
    """Adjusted mutual information, as :func:`sklearn.metrics.adjusted_mutual_info_score`.

    Parameters
    ----------
    labels_true, labels_pred : array-like of shape (n,)
        Cluster labels (integers, strings, floats without NaN).
    average_method : {'min', 'geometric', 'arithmetic', 'max'}, optional
        How the two entropies are averaged in the denominator (default ``'arithmetic'``).
    n_jobs : int or None, optional
        Threads for the counting and the expected MI (``None``: the OpenMP default). The value
        does not depend on it.

    Returns
    -------
    float
        ``AMI = (MI - E[MI]) / (mean(H(U), H(V)) - E[MI])``: 1 for identical partitions, about
        0 for independent ones, possibly negative.

    Notes
    -----
    Vinh, Epps & Bailey (2010), *JMLR* 11, 2837-2854, eq. 24a for ``E[MI]`` under the
    hypergeometric model of random tables with fixed marginals ``a_i``, ``b_j``:
    ``E[MI] = sum_ij sum_k P(k; N, a_i, b_j) (k / N) log(N k / (a_i b_j))``.
    Each inner sum starts at the hypergeometric mode and walks outwards with the ratio of
    consecutive terms, stopping once a term is below 1e-18 of the peak, and normalises the
    weights by their own sum (no log-factorials); cells with equal ``(a_i, b_j)`` share the
    sum. This is O(sum over distinct pairs of ~20 standard deviations) instead of
    O(N R C), and more accurate than scikit-learn's (whose terms carry the rounding of
    log-factorials of size ~N log N: the two differ by up to ~1e-10 relative at N = 1e5).
    Scikit-learn's conventions: 1.0 when both labelings have one class or are both empty, 0.0
    when only one has a single class, and numerator and denominator kept at least one ulp away
    from 0 with their sign.

    Memory: integer and boolean labels of every width are read in place, without a copy
    (see :func:`contingency` for when labels are sorted into codes instead); the working
    memory is the joint table of the classes.
    """
    average_method = check_choice(average_method, "average_method", _AVERAGES)
    parts, n_threads = _parts_from_labels(labels_true, labels_pred, n_jobs)
    r, c = parts.r, parts.c
    if r == c == 1 or r == c == 0:
        return 1.0
    if r == 1 or c == 1:
        return 0.0
    mi, hx, hy = parts.mi_h(n_threads)
    assert parts.a is not None and parts.b is not None  # labels always give the marginals
    emi = _expected_mi(parts.a, parts.b, n_threads)
    normalizer = _average(hx, hy, average_method)
    denominator = normalizer - emi
    denominator = min(denominator, -_EPS) if denominator < 0 else max(denominator, _EPS)
    numerator = mi - emi
    numerator = min(numerator, -_EPS) if numerator < 0 else max(numerator, _EPS)
    return float(numerator / denominator)
