"""Drop-ins for scikit-learn's ``mutual_info_regression`` and ``mutual_info_classif``.

Same signature, defaults and preprocessing as :mod:`sklearn.feature_selection` (checked against
scikit-learn 1.9), so that with the same ``random_state`` the values equal scikit-learn's to
about 1e-12, on fastentropy's kernels with exact counting:

- continuous features are converted to float64 (in place when ``copy=False`` and ``X`` is
  already float64, as scikit-learn does), divided by their standard deviation *without*
  centring (a near-constant column, std < 10 eps, is left unscaled), then given noise of 1e-10
  times ``max(1, mean |column|)`` standard normals; a continuous target likewise (its float
  dtype kept, as ``sklearn.preprocessing.scale`` keeps it);
- the random numbers come from ``numpy.random.RandomState`` (``random_state`` an int, a
  RandomState or None for numpy's global one), drawn as scikit-learn draws them: one
  (n_samples, n_continuous_features) block for the features, then n_samples for a continuous
  target;
- continuous-continuous pairs: KSG algorithm 1 (max-norm), counts "strictly inside" the k-th
  neighbour's distance; continuous-discrete pairs: Ross (2014) with scikit-learn's handling of
  small classes (``k = min(n_neighbors, class size - 1)``; samples of one-member classes are
  dropped); two discrete sides: :func:`fastentropy.mutual_info_score`. Each value is clipped
  at 0.

Two places where scikit-learn's arithmetic is reproduced, not improved: the strict count uses
``nextafter(radius, 0)`` with an inclusive comparison, and for a class so small that
scikit-learn's neighbour search goes brute force (``k >= class size // 2``), the within-class
distance is computed as scikit-learn's Euclidean reduction computes it,
``sqrt(max(0, (x_i^2 - 2 x_i x_j) + x_j^2))``, rather than ``|x_i - x_j|``.

The native estimators (:func:`fastentropy.mutual_info_knn`, :func:`fastentropy.mutual_info_many`)
centre and scale each column and seed their noise deterministically instead, so their values
do not depend on offsets; use them unless you need scikit-learn's numbers.

scikit-learn itself is not needed (scipy is, for sparse ``X``). Sparse ``X`` (any scipy sparse
matrix or array) must have only discrete features (the default ``'auto'`` makes it so).
``n_jobs`` sets the kernels' threads (``None``: the OpenMP default); the values do not depend
on it. Both functions work as a ``SelectKBest`` score function.
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import digamma

from . import knn as _knn
from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import index_mask
from .mutual_info import mutual_info_score

__all__ = ["mutual_info_regression", "mutual_info_classif"]

FloatArray = npt.NDArray[np.float64]
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16))


# --------------------------------------------------------------------------------------------
# validation


def _issparse(x: Any) -> bool:
    try:
        from scipy.sparse import issparse
    except ImportError:  # pragma: no cover - scipy is a dependency
        return False
    return bool(issparse(x))


def _numeric(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must hold numbers; could not convert its object values to float"
            ) from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} must contain only finite values (Input contains NaN or inf)")


def _check_X(X: Any) -> Any:
    if _issparse(X):
        Xs = X.tocsc()
        if Xs.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {Xs.shape}")
        data = _numeric(np.asarray(Xs.data), "X")
        _check_finite(data, "X")
        if data is not Xs.data:
            Xs = Xs.astype(data.dtype)
        return Xs
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"X must be an array-like or a sparse matrix, got {type(X).__name__}")
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:
        raise ValueError("X must be a rectangular 2-D array-like of numbers") from exc
    if arr.ndim != 2:
        raise ValueError(
            f"X must be 2-D (Expected 2D array), got {arr.ndim}-D with shape {arr.shape}; "
            "reshape a single feature with X.reshape(-1, 1)"
        )
    arr = _numeric(arr, "X")
    _check_finite(arr, "X")
    return arr


def _check_y(y: Any, n: int, classif: bool) -> np.ndarray:
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"y must be an array-like, got {type(y).__name__}")
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError) as exc:
        raise ValueError("y must be a 1-D array-like") from exc
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "y: a column-vector y was passed when a 1d array was expected; it is raveled",
            UserWarning, stacklevel=4,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(
            f"y must have as many samples as X: X has {n}, y has {arr.shape[0]}"
        )
    if classif:
        if arr.dtype.kind in "cV":
            raise ValueError(f"y must hold class labels, got dtype {arr.dtype}")
        if arr.dtype.kind == "f":
            _check_finite(arr, "y")
            if arr.size and not np.array_equal(arr, np.round(arr)):
                raise ValueError(
                    "y: Unknown label type: continuous; mutual_info_classif needs class labels "
                    "(use mutual_info_regression for a continuous target)"
                )
        if arr.dtype.kind == "O":
            try:
                np.unique(arr)
            except TypeError:
                raise ValueError(
                    "y must hold labels of one kind (all numbers or all strings)"
                ) from None
    else:
        arr = _numeric(arr, "y")
        _check_finite(arr, "y")
    return arr


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {low}, got {type(value).__name__}")
    if int(value) < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value}")
    return int(value)


def _check_random_state(random_state: Any) -> np.random.RandomState:
    if random_state is None or random_state is np.random:
        return np.random.mtrand._rand
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        try:
            return np.random.RandomState(int(random_state))
        except ValueError:
            raise ValueError(
                f"random_state must be an int in [0, 2**32 - 1], got {random_state}"
            ) from None
    if isinstance(random_state, np.random.RandomState):
        return random_state
    raise TypeError(
        "random_state must be an int, a numpy.random.RandomState or None, got "
        f"{type(random_state).__name__}"
    )


class DiscreteFeaturesError(ValueError, IndexError):
    """A ``discrete_features`` mask of the wrong length or an index out of bounds: a
    ``ValueError`` (fastentropy's rule for bad arguments) that is also the ``IndexError``
    scikit-learn raises there, so code written for scikit-learn still catches it."""


def _discrete_mask(discrete_features: Any, n_features: int, sparse: bool) -> np.ndarray:
    if isinstance(discrete_features, (str, bool, np.bool_)):
        if isinstance(discrete_features, str):
            if discrete_features != "auto":
                raise ValueError(
                    "discrete_features must be 'auto', a bool or an array-like (Invalid string "
                    f"value for discrete_features), got {discrete_features!r}"
                )
            return np.full(n_features, sparse, dtype=bool)
        return np.full(n_features, bool(discrete_features), dtype=bool)
    return index_mask(discrete_features, n_features, "discrete_features", "feature",
                      bounds_error=DiscreteFeaturesError, dtype_error=ValueError)


# --------------------------------------------------------------------------------------------
# the three pair estimators (scikit-learn's arithmetic, fastentropy's counting)


def _sorted(v: FloatArray) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    order = np.argsort(v)  # counts do not depend on how ties are ordered
    return np.ascontiguousarray(v[order]), np.ascontiguousarray(order, dtype=np.intp)


def _count_within(
    sorted_v: tuple[FloatArray, npt.NDArray[np.intp]], radius: FloatArray, n_threads: int
) -> npt.NDArray[np.intp]:
    """Others j with |v_j - v_i| <= radius_i (the point itself not counted)."""
    counts = np.empty(radius.shape[0], dtype=np.intp)
    kernels("knn").count_inside_sorted(sorted_v[0], sorted_v[1], radius, False, counts,
                                       n_threads)
    return counts


def _mi_cc(
    x: FloatArray, y: FloatArray, y_sorted: tuple[FloatArray, npt.NDArray[np.intp]], k: int,
    n_threads: int,
) -> float:
    n = x.shape[0]
    if k >= n:
        raise ValueError(
            f"n_neighbors must be smaller than the number of samples ({n}), got {k}"
        )
    joint = np.ascontiguousarray(np.column_stack((x, y)))
    kth, _ = _knn._knn(joint, k, 0, n_threads)
    radius = np.nextafter(kth, 0)
    nx = _count_within(_sorted(x), radius, n_threads).astype(np.float64)
    ny = _count_within(y_sorted, radius, n_threads).astype(np.float64)
    mi = float(digamma(n) + digamma(k) - np.mean(digamma(nx + 1)) - np.mean(digamma(ny + 1)))
    return max(0.0, mi)


def _brute_kth(v: FloatArray, k: int, single: bool) -> FloatArray:
    """k-th neighbour distances within v as scikit-learn's brute-force Euclidean search
    computes them: squared norms plus the -2 x y middle term, clamped at 0, then sqrt (for
    float32 data, of the squared distance rounded to float32, as its float32 reduction
    keeps them)."""
    sq = v * v
    d2 = (sq[:, None] + (-2.0 * (v[:, None] * v[None, :]))) + sq[None, :]
    d2 = np.maximum(d2, 0.0)
    # the row's own entry is exactly 0, so the (k+1)-th smallest is the k-th among the others
    kth = np.partition(d2, k, axis=1)[:, k]
    if single:
        kth = kth.astype(np.float32)
    out: FloatArray = np.sqrt(kth).astype(np.float64)
    return out


def _mi_cd(
    c: np.ndarray, d: np.ndarray, k: int, n_threads: int, what: str
) -> float:
    n = c.shape[0]
    single = c.dtype == np.float32
    c = np.ascontiguousarray(c, dtype=np.float64)
    classes, codes = np.unique(d, return_inverse=True)
    codes = codes.reshape(-1)
    sizes = np.bincount(codes, minlength=classes.shape[0])
    radius = np.empty(n, dtype=np.float64)
    k_all = np.empty(n, dtype=np.float64)
    for cls in np.flatnonzero(sizes > 1).tolist():
        members = np.flatnonzero(codes == cls)
        count = members.shape[0]
        kc = min(k, count - 1)
        v = np.ascontiguousarray(c[members])
        if kc >= count // 2:
            kth = _brute_kth(v, kc, single)
        else:
            kth, _ = _knn._knn(v[:, None], kc, 0, n_threads)
        radius[members] = np.nextafter(kth, 0)
        k_all[members] = kc
    label_counts = sizes[codes].astype(np.float64)
    keep = label_counts > 1
    n_keep = int(np.count_nonzero(keep))
    if n_keep == 0:
        raise ValueError(
            f"{what}: every class has a single member, so no sample has a neighbour of its own "
            "class; the continuous-discrete estimator needs classes with at least 2 members"
        )
    ck = np.ascontiguousarray(c[keep])
    m_all = _count_within(_sorted(ck), np.ascontiguousarray(radius[keep]), n_threads) + 1
    mi = float(
        digamma(n_keep)
        + np.mean(digamma(k_all[keep]))
        - np.mean(digamma(label_counts[keep]))
        - np.mean(digamma(m_all))
    )
    return max(0.0, mi)


def _compute_mi(
    x: Any, y: Any, x_discrete: bool, y_discrete: bool, n_neighbors: int = 3,
    n_jobs: int | None = None,
) -> float:
    """The MI of two prepared 1-D variables, choosing the estimator as scikit-learn's private
    ``_compute_mi`` does (its signature, so its tests can call this)."""
    xa = np.asarray(x)
    ya = np.asarray(y)
    n_threads = threads_for(resolve_n_jobs(n_jobs), xa.shape[0], xa.shape[0], min_cells=8192)
    if x_discrete and y_discrete:
        return mutual_info_score(xa, ya)
    if x_discrete:
        return _mi_cd(ya, xa, n_neighbors, n_threads, "x")
    if y_discrete:
        return _mi_cd(xa, ya, n_neighbors, n_threads, "y")
    y64 = np.ascontiguousarray(ya, dtype=np.float64)
    return _mi_cc(np.ascontiguousarray(xa, dtype=np.float64), y64, _sorted(y64), n_neighbors,
                  n_threads)


# --------------------------------------------------------------------------------------------
# preprocessing and the public functions


def _scale_columns(a: np.ndarray) -> None:
    """Divide each column of a (float, 2-D or 1-D) by its standard deviation in place, without
    centring. As in ``sklearn.preprocessing.scale``: near-constant columns of a 2-D block
    (std < 10 eps of the dtype) are left unscaled; a 1-D target only when its std is 0."""
    s = np.nanstd(a, axis=0)
    if a.ndim == 1:
        a /= s if s != 0 else 1.0
        return
    s[s < 10 * np.finfo(s.dtype).eps] = 1.0
    a /= s


def _estimate_mi(
    X: Any, y: Any, discrete_features: Any, discrete_target: bool, n_neighbors: Any,
    copy: Any, random_state: Any, n_jobs: Any,
) -> FloatArray:
    n_neighbors = _check_int(n_neighbors, "n_neighbors", 1)
    if not isinstance(copy, (bool, np.bool_)):
        raise TypeError(f"copy must be True or False, got {type(copy).__name__}")
    if n_jobs is not None and (isinstance(n_jobs, bool)
                               or not isinstance(n_jobs, numbers.Integral)):
        raise TypeError(f"n_jobs must be an int or None, got {type(n_jobs).__name__}")
    Xc = _check_X(X)
    n_samples, n_features = Xc.shape
    if n_samples < 1 or n_features < 1:
        raise ValueError(
            f"X must have at least 1 sample and 1 feature, got shape {Xc.shape}"
        )
    yc = _check_y(y, n_samples, discrete_target)
    sparse = _issparse(Xc)
    mask = _discrete_mask(discrete_features, n_features, sparse)
    continuous = ~mask
    if continuous.any() and sparse:
        raise ValueError(
            "discrete_features: a sparse X can't have continuous features (Sparse matrix `X` "
            "can't have continuous features); mark every feature discrete or pass a dense X"
        )
    jobs = None if n_jobs is None else int(n_jobs)
    n_threads = threads_for(resolve_n_jobs(jobs), n_samples, n_samples, min_cells=8192)
    rng = _check_random_state(random_state)
    if continuous.any():
        Xc = Xc.astype(np.float64, copy=bool(copy))
        block = Xc[:, continuous]
        _scale_columns(block)
        Xc[:, continuous] = block
        means = np.maximum(1, np.mean(np.abs(Xc[:, continuous]), axis=0))
        Xc[:, continuous] += (
            1e-10 * means * rng.standard_normal(size=(n_samples, int(np.sum(continuous))))
        )
    if not discrete_target:
        if yc.dtype not in _FLOAT_DTYPES:
            yc = yc.astype(np.float64)
        else:
            yc = yc.copy()
        _scale_columns(yc)
        yc += 1e-10 * np.maximum(1, np.mean(np.abs(yc))) * rng.standard_normal(size=n_samples)
    y64 = np.ascontiguousarray(yc, dtype=np.float64) if not discrete_target else None
    y_sorted = _sorted(y64) if y64 is not None else None
    out = np.empty(n_features, dtype=np.float64)
    for j in range(n_features):
        if sparse:
            col = np.zeros(n_samples)
            lo, hi = Xc.indptr[j], Xc.indptr[j + 1]
            col[Xc.indices[lo:hi]] = Xc.data[lo:hi]
        else:
            col = Xc[:, j]
        if mask[j] and discrete_target:
            out[j] = mutual_info_score(col, yc)
        elif mask[j]:
            out[j] = _mi_cd(yc, col, n_neighbors, n_threads, f"discrete_features: feature {j}")
        elif discrete_target:
            out[j] = _mi_cd(col, yc, n_neighbors, n_threads, "y")
        else:
            assert y64 is not None and y_sorted is not None
            out[j] = _mi_cc(np.ascontiguousarray(col, dtype=np.float64), y64, y_sorted,
                            n_neighbors, n_threads)
    return out


def mutual_info_regression(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: Any = None,
    n_jobs: int | None = None,
) -> FloatArray:
    """Mutual information (nats) between each feature of ``X`` ((n_samples, n_features), dense
    or sparse) and the continuous target ``y``, as
    :func:`sklearn.feature_selection.mutual_info_regression` (same arguments and defaults;
    with the same ``random_state`` the same values to about 1e-12). ``discrete_features``:
    ``'auto'`` (discrete for sparse ``X``, else continuous), a bool for all features, a boolean
    mask or an array of indices. Negative estimates are replaced by 0. See the module
    docstring for the exact preprocessing."""
    return _estimate_mi(X, y, discrete_features, False, n_neighbors, copy, random_state, n_jobs)


def mutual_info_classif(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: Any = None,
    n_jobs: int | None = None,
) -> FloatArray:
    """Mutual information (nats) between each feature of ``X`` and the class labels ``y``, as
    :func:`sklearn.feature_selection.mutual_info_classif` (same arguments, defaults and, with
    the same ``random_state``, values to about 1e-12). A float ``y`` with non-integral values
    is refused ("Unknown label type: continuous"), as scikit-learn refuses it."""
    return _estimate_mi(X, y, discrete_features, True, n_neighbors, copy, random_state, n_jobs)
