"""Sample-spacing differential entropy: a batched drop-in for ``scipy.stats.differential_entropy``.

:func:`differential_entropy` takes scipy's arguments (``window_length``, ``base``, ``axis``,
``method``, ``nan_policy``, ``keepdims``) with scipy's rules, plus ``n_jobs``:

- methods ``'vasicek'``, ``'van es'``, ``'ebrahimi'``, ``'correa'`` and ``'auto'`` (van Es for
  n <= 10, Ebrahimi for n <= 1000, Vasicek above; chosen per slice, from its count of values
  after NaNs are omitted); ``window_length`` defaults to ``floor(sqrt(n) + 0.5)`` and must
  satisfy ``2 <= 2 * window_length < n``;
- ``axis`` an int, a tuple of ints (those axes are flattened together) or None (the whole
  array); the result has the input's floating dtype (float64 for integer and bool input),
  a NumPy scalar for one slice, an array otherwise, and ``keepdims`` keeps the reduced axes;
- ``nan_policy`` ``'propagate'`` (NaN for a slice holding a NaN), ``'omit'`` (NaNs dropped per
  slice) or ``'raise'``;
- too-small samples follow scipy: a one-slice input (or ``nan_policy='omit'``) gives NaN with a
  ``SmallSampleWarning`` (scipy's class); an invalid window for a multi-slice input without NaNs
  is a ``ValueError``; an empty input gives NaNs (or an empty array);
- ties: a zero spacing makes Vasicek, van Es and Ebrahimi ``-inf`` (log 0), and a window whose
  values are all equal makes Correa NaN (0/0), as in scipy; a slice holding +-inf gives what
  scipy's arithmetic gives (Correa: NaN).

Differences from scipy, on purpose: the argument checks (``method``, ``base``, ``nan_policy``,
``axis``, ``window_length``'s type) run before the size checks, so a bad argument is an error
even for a tiny sample (scipy returns NaN there for a one-slice input); complex input and masked
arrays are rejected with a ``TypeError``; float16, float32 and long double input are computed in
float64 and returned in their own dtype (scipy computes in the input's precision, so float32
results differ from scipy's by float32 rounding); Correa's windows are updated in O(1) each with
error-bounded running sums (scipy builds a (rows, 2m + 1, n) array), which is more accurate than
scipy's on data with a large offset.

Each slice is sorted with NumPy's unstable sort in cache-sized row blocks (threads over blocks
for ``n_jobs`` > 1; NumPy releases the GIL while sorting) and every method is then one O(n) pass
in the compiled kernel. Results are bitwise identical for any ``n_jobs``.
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for

__all__ = ["differential_entropy"]

# numpy's AxisError (a ValueError and an IndexError), as scipy raises
_AxisError: type[Exception] = getattr(np, "exceptions", np).AxisError
_METHODS = {"vasicek": 0, "van es": 1, "ebrahimi": 2, "correa": 3, "auto": 4}
_NAN_POLICIES = ("propagate", "omit", "raise")
_BLOCK_VALUES = 1 << 17  # values per sorted block: about 1 MiB of float64
_SMALL_1D = (
    "One or more sample arguments is too small; all returned values will be NaN. "
    "See documentation for sample size requirements."
)
_SMALL_1D_OMIT = (
    "After omitting NaNs, one or more sample arguments is too small; all returned values "
    "will be NaN. See documentation for sample size requirements."
)
_SMALL_ND = (
    "All axis-slices of one or more sample arguments are too small; all elements of returned "
    "arrays will be NaN. See documentation for sample size requirements."
)
_SMALL_ND_OMIT = (
    "After omitting NaNs, one or more axis-slices of one or more sample arguments is too "
    "small; corresponding elements of returned arrays will be NaN. See documentation for "
    "sample size requirements."
)


def _small_sample_warning() -> type[Warning]:
    """scipy's SmallSampleWarning (so filters written for scipy apply), or RuntimeWarning."""
    try:
        from scipy.stats._axis_nan_policy import SmallSampleWarning
    except ImportError:  # pragma: no cover - scipy without the class
        return RuntimeWarning
    cls: type[Warning] = SmallSampleWarning
    return cls


def _warn_small(message: str) -> None:
    warnings.warn(message, _small_sample_warning(), stacklevel=3)


def _check_values(values: Any) -> np.ndarray:
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(
            "values: masked arrays are not supported; pass values.filled(np.nan) with "
            "nan_policy='omit' to drop the masked entries"
        )
    if isinstance(values, (str, bytes)):
        raise TypeError(f"values must be array-like of real numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            "values must be a rectangular array-like of real numbers (got a ragged or mixed "
            "nested sequence); pass a NumPy array or nested sequences of equal length"
        ) from exc
    if arr.dtype.kind == "c":
        raise TypeError(f"values must be real, got complex dtype {arr.dtype}")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"values must have a real numeric dtype, got dtype {arr.dtype}")
    return arr


def _check_window(window_length: Any) -> int | None:
    if window_length is None:
        return None
    if isinstance(window_length, bool) or not isinstance(window_length, numbers.Integral):
        raise TypeError(
            f"window_length must be an int or None, got {type(window_length).__name__}"
        )
    return int(window_length)


def _check_base(base: Any) -> float | None:
    if base is None:
        return None
    if isinstance(base, np.ndarray) and base.ndim == 0 and base.dtype.kind in "biuf":
        base = base.item()
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a positive real number or None, got {type(base).__name__}")
    b = float(base)
    if b <= 0:
        raise ValueError(f"base: `base` must be a positive number or `None` (got {base!r}).")
    return b


def _check_method(method: Any) -> int:
    if not isinstance(method, str):
        raise TypeError(
            f"method must be a str, one of {sorted(_METHODS)}; got {type(method).__name__}"
        )
    key = method.lower()
    if key not in _METHODS:
        raise ValueError(
            f"method: `method` must be one of {set(_METHODS)}; got {method!r}"
        )
    return _METHODS[key]


def _check_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    items = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in items:
        if isinstance(a, bool) or not isinstance(a, numbers.Integral):
            raise TypeError(
                f"axis must be an int, a tuple of ints or None, got {type(a).__name__}"
            )
        a = int(a)
        if not -ndim <= a < ndim:
            raise _AxisError(f"axis={a} is out of bounds for values with {ndim} dimension(s)")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"axis must hold distinct axes, got {axis!r}")
    return tuple(out)


def _too_small(n: int, window: int | None) -> bool:
    m = math.floor(math.sqrt(n) + 0.5) if window is None else window
    return not 2 <= 2 * m < n


def _window_error(window: int | None, n: int) -> ValueError:
    m = math.floor(math.sqrt(n) + 0.5) if window is None else window
    return ValueError(
        f"window_length: Window length ({m}) must be positive and less than half the sample "
        f"size ({n}); pass an int with 2 <= 2 * window_length < {n}, or None"
    )


def _estimate_rows(
    x2: np.ndarray, method: int, window: int | None, omit: bool, n_jobs: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Estimates (float64) and status codes of every row of the (rows, n) array ``x2``."""
    rows, n = x2.shape
    out = np.empty(rows, dtype=np.float64)
    status = np.zeros(rows, dtype=np.int8)
    if rows == 0:
        return out, status
    kern = kernels("spacing")
    nt = threads_for(resolve_n_jobs(n_jobs), rows, rows * n, min_cells=1 << 16)
    step = max(1, _BLOCK_VALUES // max(1, n))
    starts = list(range(0, rows, step))
    native = x2.dtype in (np.float64, np.float32)
    win = 0 if window is None else window

    def block(r0: int) -> None:
        # a C-order copy (numpy copies a strided block faster than np.sort gathers it), in
        # the kernel's float64/float32 or converted to float64, then sorted in place
        srt = np.array(x2[r0:r0 + step], dtype=x2.dtype if native else np.float64, order="C")
        srt.sort(axis=1)
        kern.spacing_rows(srt, out[r0:r0 + step], status[r0:r0 + step], method, win,
                          int(omit), 1, 1)

    if nt <= 1 or len(starts) == 1:
        for r0 in starts:
            block(r0)
    else:
        run: Callable[[int], None] = block
        with ThreadPoolExecutor(max_workers=nt) as pool:
            list(pool.map(run, starts))
    if (status == 9).any():
        raise MemoryError("differential_entropy: out of memory for the per-thread scratch")
    return out, status


def differential_entropy(
    values: Any,
    *,
    window_length: int | None = None,
    base: float | None = None,
    axis: int | tuple[int, ...] | None = 0,
    method: str = "auto",
    nan_policy: str = "propagate",
    keepdims: bool = False,
    n_jobs: int | None = None,
) -> Any:
    """Differential entropy of samples from a continuous distribution, by sample spacings.

    A drop-in for ``scipy.stats.differential_entropy`` (see the module docstring for the rules
    and the few deliberate differences), batched over every slice along ``axis``.

    Parameters
    ----------
    values : array_like
        The samples; real numbers (integer and bool input is taken as float64).
    window_length : int, optional
        The window m; default ``floor(sqrt(n) + 0.5)``; ``2 <= 2 m < n`` is required.
    base : float, optional
        Logarithm base (default e: nats).
    axis : int, tuple of ints or None
        The axis (axes) holding each sample; None flattens the input. Default 0.
    method : {'vasicek', 'van es', 'ebrahimi', 'correa', 'auto'}
        The estimator (case-insensitive). Default 'auto'.
    nan_policy : {'propagate', 'omit', 'raise'}
    keepdims : bool
        Keep the reduced axes as length-1 axes.
    n_jobs : int, optional
        Threads (None: the OpenMP default; -1: all cores). Results do not depend on it.

    Returns
    -------
    numpy scalar or ndarray of the input's floating dtype (float64 for integer input).
    """
    arr = _check_values(values)
    window = _check_window(window_length)
    b = _check_base(base)
    meth = _check_method(method)
    if not isinstance(nan_policy, str) or nan_policy not in _NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {list(_NAN_POLICIES)}, got {nan_policy!r}")
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be a bool, got {type(keepdims).__name__}")
    resolve_n_jobs(n_jobs)  # validate n_jobs even where no kernel runs

    out_dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
    arr = np.atleast_1d(arr)
    axes = _check_axis(axis, arr.ndim)
    x: np.ndarray[Any, Any]
    if axes is None:
        reduced: tuple[int, ...] = tuple(range(arr.ndim))
        x = arr.reshape(-1)
    else:
        reduced = axes
        moved = np.moveaxis(arr, axes, tuple(range(-len(axes), 0)))
        lead = moved.shape[: moved.ndim - len(axes)]
        x = moved.reshape(lead + (math.prod(moved.shape[moved.ndim - len(axes):]),))
    if x.dtype.kind != "f":
        x = x.astype(np.float64)

    def finish(res: np.ndarray) -> Any:
        if b is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                res = res / math.log(b)
        res = res.astype(out_dtype, copy=False)
        if keepdims:
            res = np.expand_dims(res, reduced)
            return res
        if res.ndim == 0:
            return res[()]
        return res

    n = int(np.shape(x)[-1])
    if x.ndim == 1:  # one slice
        has_nan = bool(np.isnan(x).any())
        if has_nan and nan_policy == "raise":
            raise ValueError("values contains NaN and nan_policy='raise'; clean the data, or "
                             "use nan_policy='omit' or 'propagate'")
        if has_nan and nan_policy == "propagate":
            return finish(np.array(np.nan))
        msg = _SMALL_1D
        if has_nan:  # omit
            x = x[~np.isnan(x)]
            msg = _SMALL_1D_OMIT
        if _too_small(int(np.shape(x)[0]), window):
            _warn_small(msg)
            return finish(np.array(np.nan))
        est, _ = _estimate_rows(x.reshape(1, -1), meth, window, False, n_jobs)
        return finish(est.reshape(()))

    outer = x.shape[:-1]
    rows = math.prod(outer)
    if x.size == 0:
        if rows and _too_small(n, window):
            _warn_small(_SMALL_ND)
        return finish(np.full(outer, np.nan))
    x2 = x.reshape(rows, n)
    has_nan = bool(np.isnan(x2).any())
    if has_nan and nan_policy == "raise":
        raise ValueError("values contains NaN and nan_policy='raise'; clean the data, or "
                         "use nan_policy='omit' or 'propagate'")
    if not has_nan and _too_small(n, window):
        raise _window_error(window, n)
    omit = has_nan and nan_policy == "omit"
    est, status = _estimate_rows(x2, meth, window, omit, n_jobs)
    if omit and (status == 2).any():
        _warn_small(_SMALL_ND_OMIT)
    return finish(est.reshape(outer))
