"""Input validation and normalisation shared by every facade.

Each check raises a ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind, bad
value) whose message starts with the argument's name, so a user sees what to fix. Kernels never
validate: everything they receive has been through here.
"""
from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "as_count_array",
    "check_base",
    "log_base_divisor",
    "normalize_axis",
    "rows_view",
    "check_choice",
    "check_positive_int",
]

_INT64_MAX = np.iinfo(np.int64).max


def _as_ndarray(x: Any, name: str) -> np.ndarray:
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be array-like of numbers, got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested sequences and the like
        raise ValueError(
            f"{name} must be a rectangular array-like of numbers (got a ragged or mixed "
            "nested sequence); pass a NumPy array or nested sequences of equal length"
        ) from exc
    if arr.dtype.kind in "OUSVMm":
        raise TypeError(f"{name} must have a real numeric dtype, got dtype {arr.dtype}")
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {arr.dtype}")
    return arr


def as_float_array(
    x: Any,
    name: str,
    *,
    min_ndim: int = 0,
    allow_empty: bool = True,
    finite: bool = False,
    nonnegative: bool = False,
) -> np.ndarray:
    """``x`` as float64 (a new array only when needed). Rejects object/complex/str dtypes."""
    arr = _as_ndarray(x, name)
    arr = arr.astype(np.float64, copy=False)
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.ndim}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if finite and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite values (no NaN or inf)")
    if nonnegative and arr.size and (arr < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return arr


def as_count_array(
    x: Any, name: str, *, min_ndim: int = 1, allow_empty: bool = False
) -> np.ndarray:
    """``x`` as int64 counts: any integer or bool dtype, or floats holding whole numbers.

    Negative, non-integral, NaN/inf and counts beyond int64 are rejected with a ``ValueError``.
    """
    arr = _as_ndarray(x, name)
    if arr.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {arr.ndim}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    kind = arr.dtype.kind
    if kind == "b":
        return arr.astype(np.int64)
    if kind == "u":
        if arr.size and arr.dtype.itemsize >= 8 and int(arr.max()) > _INT64_MAX:
            raise ValueError(f"{name} has counts larger than the int64 maximum")
        return arr.astype(np.int64, copy=False)
    if kind == "i":
        if arr.size and arr.min() < 0:  # a reduction, not an input-sized bool temporary
            raise ValueError(f"{name} must be non-negative counts")
        return arr.astype(np.int64, copy=False)
    # floats: only whole, finite, non-negative values are counts
    if arr.size:
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must contain only finite counts (no NaN or inf)")
        if (arr < 0).any():
            raise ValueError(f"{name} must be non-negative counts")
        if (arr != np.floor(arr)).any():
            raise ValueError(f"{name} must hold whole-number counts")
        if arr.max() >= 2.0**63:
            raise ValueError(f"{name} has counts larger than the int64 maximum")
    return arr.astype(np.int64)


def check_base(base: Any, name: str = "base") -> float | None:
    """Validate a logarithm base: None (nats) or a positive real number other than 1."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        if isinstance(base, np.ndarray) and base.ndim == 0 and base.dtype.kind in "iuf":
            base = base.item()
        else:
            raise TypeError(
                f"{name} must be a positive real number or None, got {type(base).__name__}"
            )
    b = float(base)
    if not math.isfinite(b) or b <= 0 or b == 1.0:
        raise ValueError(f"{name} must be a positive number other than 1, or None; got {base!r}")
    return b


def log_base_divisor(base: float | None) -> float:
    """The divisor that turns nats into units of ``base`` (1.0 for nats)."""
    return 1.0 if base is None else math.log(base)


def normalize_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """An axis index in ``[0, ndim)``; negative values count from the end."""
    if isinstance(axis, bool):
        raise TypeError(f"{name} must be an int, got bool")
    try:
        ax = operator.index(axis)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(axis).__name__}") from None
    if not -ndim <= ax < ndim:
        raise ValueError(f"{name}={axis} is out of bounds for an array of dimension {ndim}")
    return ax % ndim


def rows_view(arr: np.ndarray, axis: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """Move ``axis`` last and flatten the rest: a C-contiguous (rows, n) array and the outer shape.

    Copies only when the data are not already laid out that way.
    """
    moved = np.moveaxis(arr, axis, -1)
    outer = moved.shape[:-1]
    if moved.ndim == 0:
        return np.ascontiguousarray(moved.reshape(1, 1)), outer
    # an explicit row count: reshape(-1, 0) is ambiguous for rows of length 0
    rows = np.ascontiguousarray(moved.reshape(int(np.prod(outer, dtype=np.int64)), moved.shape[-1]))
    return rows, outer


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, one of {sorted(choices)}; got {type(value).__name__}"
        )
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not one of {sorted(choices)}")
    return value


def check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def index_mask(
    value: Any,
    m: int,
    name: str,
    unit: str,
    *,
    bounds_error: type[Exception] = ValueError,
    dtype_error: type[Exception] = TypeError,
) -> np.ndarray:
    """A bool for each of ``m`` items (a ``unit`` each: "feature", "column") from a 1-D boolean
    mask of length ``m`` or integer indices (negative ones count from the end; none: all
    False). A wrong length or an index out of range raises ``bounds_error``, a non-integer
    index array ``dtype_error``, anything not 1-D a ValueError; each message names ``name``."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 1-D boolean mask or array of {unit} indices") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (a mask or {unit} indices), got shape {arr.shape}")
    if arr.dtype == bool:
        if arr.shape[0] != m:
            raise bounds_error(
                f"{name}: a boolean mask needs one entry per {unit} ({m}), got {arr.shape[0]}"
            )
        return np.array(arr, dtype=bool)
    if arr.size == 0:
        return np.zeros(m, dtype=bool)
    if arr.dtype.kind not in "iu":
        raise dtype_error(
            f"{name} must be a boolean mask or integer {unit} indices, got dtype {arr.dtype}"
        )
    bad = (arr >= m) | (arr < -m)
    if bad.any():
        raise bounds_error(f"{name}: index {int(arr[bad][0])} is out of bounds for {m} {unit}s")
    mask = np.zeros(m, dtype=bool)
    mask[arr] = True
    return mask
