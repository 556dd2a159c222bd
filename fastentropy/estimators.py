"""Bias-corrected entropy estimators for discrete distributions observed as counts.

:func:`entropy_counts` estimates the Shannon entropy of each row of a count array (any number of
rows, in one call, optionally on several threads) with one of fifteen published estimators,
from the plug-in (maximum likelihood) estimate to the Bayesian NSB posterior mean.

``METHODS`` maps each method name to the integer code the kernels take, and
:func:`_validate_method` turns a user's ``method`` into that code; the ``samples`` and
``mutual_info`` families use both.
"""
from __future__ import annotations

from typing import Any, Union

import numpy as np

from ._backend import kernels, twin_kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import as_count_array, check_base, log_base_divisor, normalize_axis, rows_view

__all__ = ["entropy_counts", "ESTIMATOR_METHODS"]

#: method name -> kernel code (the ``M_*`` enum in ``_kernels/estimators.pxd``)
METHODS: dict[str, int] = {
    "plugin": 0,
    "miller_madow": 1,
    "jackknife": 2,
    "grassberger": 3,
    "zhang": 4,
    "chao_shen": 5,
    "horvitz_thompson": 6,
    "chao_wang_jost": 7,
    "bonachela": 8,
    "jeffreys": 9,
    "laplace": 10,
    "perks": 11,
    "minimax": 12,
    "shrink": 13,
    "nsb": 14,
}

#: the method names :func:`entropy_counts` accepts, in a stable order
ESTIMATOR_METHODS: tuple[str, ...] = tuple(METHODS)

#: methods for which ``return_std=True`` is defined
_STD_METHODS = ("plugin", "miller_madow", "jackknife", "nsb")

_TOTAL_LIMIT = 2**62  # row totals are summed in int64 by the kernels

Estimate = Union[np.ndarray, np.float64]


def _validate_method(method: Any, name: str = "method") -> int:
    """The kernel code of estimator ``method``; TypeError/ValueError listing the valid names."""
    if not isinstance(method, str):
        raise TypeError(
            f"{name} must be a str, one of {list(METHODS)}; got {type(method).__name__}"
        )
    code = METHODS.get(method)
    if code is None:
        raise ValueError(f"{name}={method!r} is not a known estimator; use one of {list(METHODS)}")
    return code


def _row_label(i: int, outer: tuple[int, ...]) -> str:
    """Row ``i`` of the flattened outer shape, as the user indexes it."""
    if len(outer) <= 1:
        return str(i)
    return str(tuple(int(j) for j in np.unravel_index(i, outer)))


def _as_counts(counts: Any) -> np.ndarray:
    """``counts`` as int64. Integer arrays (all but uint64, which may exceed int64) are only
    widened, which keeps the sign: the kernel's own pass flags rows with negative counts
    (explained by :func:`_diagnose`), which saves a full validation pass over big inputs.
    Everything else goes through ``as_count_array``."""
    if (
        isinstance(counts, np.ndarray)
        and counts.dtype.kind in "iu"
        and not (counts.dtype.kind == "u" and counts.dtype.itemsize >= 8)
    ):
        if counts.ndim < 1:
            raise ValueError(f"counts must have at least 1 dimension(s), got {counts.ndim}")
        if counts.size == 0:
            raise ValueError("counts must not be empty")
        return counts.astype(np.int64, copy=False)
    return as_count_array(counts, "counts", min_ndim=1)


def _diagnose(rows: np.ndarray, bad: np.ndarray, outer: tuple[int, ...]) -> list[int]:
    """Explain the rows the kernel left as NaN, in row order: a ValueError for a negative count,
    an all-zero row or a total of 2**62 or more; returns the rows whose entries merely looked
    large enough to overflow, to be estimated without the guard."""
    sub = rows[bad]
    if (sub < 0).any():
        raise ValueError("counts must be non-negative counts")
    rescue = []
    for i, row in zip(bad, sub):
        if not row.any():
            raise ValueError(
                f"counts: row {_row_label(int(i), outer)} has no observations "
                "(all counts are zero); entropy is undefined there"
            )
        total = sum(int(v) for v in row[row != 0])  # exact: Python ints do not overflow
        if total >= _TOTAL_LIMIT:
            raise ValueError(
                f"counts: row totals must be below 2**62, row {_row_label(int(i), outer)} "
                f"sums to {total}"
            )
        rescue.append(int(i))
    return rescue


def _as_k(k: Any, rows: np.ndarray, outer: tuple[int, ...]) -> np.ndarray:
    """``k`` per row as float64 (default: the row length); validated against each row's support."""
    n_rows, n = rows.shape
    if k is None:
        return np.full(n_rows, float(n))
    if isinstance(k, bool) or isinstance(k, (str, bytes)):
        raise TypeError(f"k must be a positive int or an array of ints, got {type(k).__name__}")
    try:
        karr = np.asarray(k)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"k must be a positive int or an array of ints: {exc}") from exc
    if karr.dtype.kind not in "iu":
        if karr.dtype.kind == "f" and karr.size and np.isfinite(karr).all() and (
            karr == np.floor(karr)
        ).all():
            pass  # whole-number floats are accepted as alphabet sizes
        else:
            raise TypeError(f"k must be a positive int or an array of ints, got dtype {karr.dtype}")
    if karr.size and (karr < 1).any():
        raise ValueError(f"k must be >= 1, got min {karr.min()}")
    try:
        kb = np.broadcast_to(karr, outer)
    except ValueError:
        raise ValueError(
            f"k with shape {karr.shape} does not broadcast to the output shape {outer}"
        ) from None
    kf = kb.astype(np.float64).reshape(n_rows)
    if (rows < 0).any():  # before the support check, which would count them
        raise ValueError("counts must be non-negative counts")
    support = np.count_nonzero(rows, axis=1)
    bad = np.flatnonzero(kf < support)
    if bad.size:
        i = int(bad[0])
        where = f" (row {_row_label(i, outer)})" if outer else ""
        raise ValueError(
            f"k={int(kf[i])} is below the observed support{where}: {int(support[i])} symbols "
            "have nonzero counts, and k counts the symbols including unseen ones"
        )
    return kf


def entropy_counts(
    counts: Any,
    method: str = "plugin",
    *,
    axis: int = -1,
    base: float | None = None,
    k: int | np.ndarray | None = None,
    return_std: bool = False,
    n_jobs: int | None = None,
) -> Estimate | tuple[Estimate, Estimate]:
    r"""Estimate the Shannon entropy of discrete distributions from observed counts.

    Parameters
    ----------
    counts : array_like of int
        Counts of each symbol; the estimate is computed along ``axis``. Any integer width,
        bool, or floats holding whole numbers. Negative, non-integral, NaN/inf, complex or
        object values are rejected, as are empty arrays and rows whose counts are all zero.
    method : str, default ``"plugin"``
        One of ``ESTIMATOR_METHODS``: ``"plugin"``, ``"miller_madow"``, ``"jackknife"``,
        ``"grassberger"``, ``"zhang"``, ``"chao_shen"``, ``"horvitz_thompson"``,
        ``"chao_wang_jost"``, ``"bonachela"``, ``"jeffreys"``, ``"laplace"``, ``"perks"``,
        ``"minimax"``, ``"shrink"``, ``"nsb"`` (see Notes).
    axis : int, default -1
        Axis holding the symbols of one distribution.
    base : float, optional
        Logarithm base of the result; nats (natural log) when None. ``base=2`` gives bits.
    k : int or array_like of int, optional
        Alphabet size, *including* symbols never observed; an array broadcasts to the output
        shape. Default: the length of ``axis``. It must be at least the observed support (the
        number of nonzero counts) of each row. Only ``bonachela``, the pseudocount methods,
        ``shrink`` and ``nsb`` use it; the others ignore it (it is still validated). With ``k``
        below the row length the zero-count entries are simply not symbols of the alphabet.
    return_std : bool, default False
        Also return a standard deviation: the NSB posterior standard deviation for
        ``method="nsb"``; the jackknife standard error (Efron & Stein 1981) for
        ``"jackknife"`` (which needs at least 2 observations per row); the asymptotic
        (delta-method) standard error of the plug-in estimate,
        :math:`\sqrt{(\sum_i \hat p_i \log^2 \hat p_i - \hat H^2)/N}` (Basharin 1959), for
        ``"plugin"`` and ``"miller_madow"`` (whose correction is a constant). Other methods
        have no agreed-upon standard error, so asking for one is a ValueError.
    n_jobs : int, optional
        Threads over rows: None uses the OpenMP default, -1 all cores. The result does not
        depend on it.

    Returns
    -------
    H : numpy.float64 or ndarray of float64
        The estimate, with ``counts``' shape minus ``axis``; a NumPy ``float64`` scalar for 1-D
        ``counts`` (as :func:`scipy.stats.entropy` returns).
    std : numpy.float64 or ndarray of float64
        Only with ``return_std=True``: the standard deviation, same shape and units.

    Raises
    ------
    ValueError
        Bad counts (with the reason), a row whose counts are all zero ("counts: row i has no
        observations"), ``k`` below a row's support, an unknown ``method``, ``return_std`` for a
        method that defines none.

    Notes
    -----
    Notation: row counts :math:`n_i`, total :math:`N = \sum_i n_i`, observed support
    :math:`m = \#\{i : n_i > 0\}`, :math:`f_r = \#\{i : n_i = r\}`, alphabet size :math:`K`
    (``k``), :math:`\psi` the digamma function. All estimates are in nats before ``base``.

    - ``plugin``: maximum likelihood, :math:`\hat H = \log N - \frac1N \sum_i n_i \log n_i`.
      Equals ``scipy.stats.entropy(counts)``; computed as one pass with a table of
      :math:`n \log n`, so its absolute rounding error is about :math:`10^{-16} \log N`.
    - ``miller_madow``: :math:`\hat H_{MLE} + (m - 1) / (2N)` (Miller 1955).
    - ``jackknife``: Zahl (1977) leave-one-out jackknife
      :math:`N \hat H - \frac{N-1}{N}\sum_{j=1}^{N} \hat H_{-j}`, in closed form
      :math:`g(N) - \frac1N \sum_i n_i g(n_i)` with :math:`g(n) = n\log n - (n-1)\log(n-1)`.
      Its ``std`` is the jackknife standard error
      :math:`\sqrt{\frac{N-1}{N}\sum_j (\hat H_{-j} - \bar H_{-})^2}`.
    - ``grassberger``: Grassberger (2003), with the paper's :math:`\log N`:
      :math:`\log N - \frac1N\sum_i n_i G(n_i)`, :math:`G(n) = \psi(n) + \frac12 (-1)^n
      [\psi(\frac{n+1}2) - \psi(\frac n2)]` (not the 1988 form, not the :math:`\psi(N)` variant).
    - ``zhang``: Zhang (2012), computed through its closed form
      :math:`\psi(N) - \frac1N\sum_i n_i \psi(n_i)`, which equals Zhang's series
      :math:`\sum_{v=1}^{N-1}\frac1v \frac{N^{v+1}(N-v-1)!}{N!}\sum_i \hat p_i
      \prod_{j=0}^{v-1}(1 - \hat p_i - \frac jN)` (checked exactly in the tests) at O(K)
      instead of O(NK) cost.
    - ``chao_shen``: Chao & Shen (2003): Good-Turing coverage :math:`C = 1 - f_1/N` (with
      :math:`f_1 = N` replaced by :math:`N-1`), :math:`\tilde p_i = C n_i / N`, and the
      Horvitz-Thompson sum :math:`-\sum_i \tilde p_i\log\tilde p_i / (1 - (1-\tilde p_i)^N)`.
    - ``horvitz_thompson``: the same Horvitz-Thompson sum with :math:`\tilde p_i = n_i/N`.
    - ``chao_wang_jost``: Chao, Wang & Jost (2013):
      :math:`\sum_{1 \le n_i \le N-1}\frac{n_i}N\sum_{k=n_i}^{N-1}\frac1k + \frac{f_1}N
      (1-A)^{1-N}[-\log A - \sum_{r=1}^{N-1}\frac1r(1-A)^r]` with
      :math:`A = 2f_2/((N-1)f_1 + 2f_2)`, or :math:`2/((N-1)(f_1-1)+2)` if :math:`f_2 = 0`,
      or 1 if :math:`f_1 = 0`. The bracket is evaluated as the convergent tail
      :math:`(1-A)\,\Phi(1-A, 1, N)` (a Lerch series, by quadrature) to avoid its cancellation.
    - ``bonachela``: Bonachela, Hinrichsen & Munoz (2008), the balanced estimator
      :math:`\frac1{N+2}\sum_{i=1}^{K}(n_i+1)\sum_{j=n_i+2}^{N+2}\frac1j`, summed over all
      :math:`K` symbols as in the paper (each unseen symbol adds
      :math:`(\psi(N+3)-\psi(2))/(N+2)`; pass ``k`` equal to the support to sum over observed
      symbols only).
    - ``jeffreys``, ``laplace``, ``perks``, ``minimax``: plug-in entropy of the posterior-mean
      probabilities :math:`(n_i + a)/(N + K a)` over all :math:`K` symbols, with :math:`a = 1/2`,
      :math:`1`, :math:`1/K` and :math:`\sqrt N / K` (as tabulated by Hausser & Strimmer 2009).
    - ``shrink``: James-Stein shrinkage of :math:`\hat p_i = n_i/N` towards :math:`1/K`
      (Hausser & Strimmer 2009):
      :math:`\lambda = (1 - \sum_i \hat p_i^2) / ((N-1)\sum_i (1/K - \hat p_i)^2)` clipped to
      :math:`[0, 1]` (1 when :math:`N = 1` or the denominator is 0), then the plug-in entropy
      of :math:`\lambda/K + (1-\lambda)\hat p_i` over all :math:`K` symbols.
    - ``nsb``: Nemenman, Shafee & Bialek (2002): the posterior mean (and std) of :math:`H`
      under the mixture of symmetric Dirichlet(:math:`\beta`) priors weighted by
      :math:`d\xi/d\beta`, :math:`\xi(\beta) = \psi(K\beta+1) - \psi(\beta+1)`. The integral
      over :math:`\beta` is done in :math:`t = \log\beta` (the same integral as NSB's
      :math:`\xi` integral, changed variable): log-domain integrand, mode located by a grid and
      golden-section search, Gauss-Legendre panels spreading from the mode until the density
      is :math:`e^{-46}` of its peak. The conditional moments are Wolpert & Wolf's (1995),
      rearranged to avoid cancellation; equal counts are grouped, so each evaluation is
      O(number of distinct counts). ``K = 1`` gives 0.

    Rows are independent; the kernel is row-parallel, so results are bitwise identical for any
    ``n_jobs``.

    References
    ----------
    Basharin (1959) Theory Probab. Appl. 4:333; Miller (1955); Zahl (1977) Ecology 58:907; Efron & Stein (1981) Ann. Stat. 9:586;
    Grassberger (2003) arXiv:physics/0307138; Zhang (2012) Neural Comput. 24:1368;
    Chao & Shen (2003) Environ. Ecol. Stat. 10:429; Chao, Wang & Jost (2013) Methods Ecol.
    Evol. 4:1091; Bonachela, Hinrichsen & Munoz (2008) J. Phys. A 41:202001; Hausser & Strimmer
    (2009) JMLR 10:1469; Nemenman, Shafee & Bialek (2002) NIPS 14; Wolpert & Wolf (1995) Phys.
    Rev. E 52:6841.

    Examples
    --------
    >>> import numpy as np
    >>> from fastentropy import entropy_counts
    >>> round(float(entropy_counts([5, 5])), 12)  # log 2
    0.69314718056
    >>> entropy_counts([[4, 0, 1], [2, 2, 1]], "miller_madow", base=2).round(4)
    array([0.8662, 1.8105])
    """
    code = _validate_method(method)
    if not isinstance(return_std, (bool, np.bool_)):
        raise TypeError(f"return_std must be a bool, got {type(return_std).__name__}")
    if return_std and method not in _STD_METHODS:
        raise ValueError(
            f"return_std is only available for method in {list(_STD_METHODS)} (delta-method, "
            f"jackknife or posterior std), not method={method!r}"
        )
    arr = _as_counts(counts)
    ax = normalize_axis(axis, arr.ndim)
    base_val = check_base(base)
    rows, outer = rows_view(arr, ax)
    if rows.shape[1] == 0 or rows.shape[0] == 0:
        raise ValueError(f"counts must not be empty along axis {axis}, got shape {arr.shape}")
    kf = _as_k(k, rows, outer)
    n_threads = threads_for(resolve_n_jobs(n_jobs), rows.shape[0], rows.size, min_cells=1024)

    n_rows = rows.shape[0]
    out = np.empty(n_rows, dtype=np.float64)
    out_std = np.empty(n_rows, dtype=np.float64) if return_std else None
    kernels("estimators").entropy_counts_rows(rows, kf, code, out, out_std, n_threads)

    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        # rows the kernel did not estimate: errors, or (rarely) huge entries with a safe total,
        # which the one-row twin estimates without the kernel's overflow guard
        twin = twin_kernels("estimators")
        for i in _diagnose(rows, bad, outer):
            h, s = twin.estimate_row(rows[i], kf[i], code)
            out[i] = h
            if out_std is not None:
                out_std[i] = s
    if out_std is not None and np.isnan(out_std).any():
        i = int(np.flatnonzero(np.isnan(out_std))[0])
        raise ValueError(
            "return_std with method='jackknife' needs at least 2 observations per row; "
            f"row {_row_label(i, outer)} has {int(rows[i].sum())}"
        )

    if base_val is not None:
        div = log_base_divisor(base_val)
        out /= div
        if out_std is not None:
            out_std /= div
    res: Estimate = out.reshape(outer) if outer else np.float64(out[0])
    if out_std is None:
        return res
    std: Estimate = out_std.reshape(outer) if outer else np.float64(out_std[0])
    return res, std
