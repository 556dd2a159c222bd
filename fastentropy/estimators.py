"""Bias-corrected entropy estimators for discrete distributions observed as counts.

:func:`entropy_counts` estimates the Shannon entropy of each row of a count array (any number of
rows, in one call, optionally on several threads) with one of eighteen published estimators,
from the plug-in (maximum likelihood) estimate to the Bayesian NSB posterior mean.

``METHODS`` maps each method name to the integer code the kernels take, and
:func:`_validate_method` turns a user's ``method`` into that code; the ``samples`` and
``mutual_info`` families use both.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

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
    "wolpert_wolf": 15,
    "ansb": 16,
    "good_turing": 17,
}

#: the method names :func:`entropy_counts` accepts, in a stable order
ESTIMATOR_METHODS: tuple[str, ...] = tuple(METHODS)

#: methods for which ``return_std=True`` is defined
_STD_METHODS = ("plugin", "miller_madow", "jackknife", "nsb", "wolpert_wolf", "ansb")

_TOTAL_LIMIT = 2**62  # row totals are summed in int64 by the kernels

#: the integer dtypes the kernels read in place
_NATIVE_INTS = frozenset(np.dtype(t) for t in (np.int8, np.uint8, np.int16, np.uint16, np.int32,
                                                np.uint32, np.int64, np.uint64))

#: cells per block when counting the support of rows for ``k`` (bounds the bool temporary)
_SUPPORT_BLOCK = 1 << 20

Estimate = np.ndarray | np.float64


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
    """``counts`` for the kernels, without a copy where possible. Integer arrays of any width
    (int8 ... uint64) pass as they are and bool arrays as a uint8 view: the kernels read every
    width in place, and their own pass flags rows with negative counts (or uint64 entries beyond
    int64), which :func:`_diagnose` explains, so big inputs need no separate validation pass.
    Everything else (lists, floats holding whole numbers) goes through ``as_count_array``, which
    makes an int64 array."""
    if isinstance(counts, np.ndarray) and (counts.dtype in _NATIVE_INTS or counts.dtype == bool):
        if counts.ndim < 1:
            raise ValueError(f"counts must have at least 1 dimension(s), got {counts.ndim}")
        if counts.size == 0:
            raise ValueError("counts must not be empty")
        if counts.dtype == bool:
            return counts.view(np.uint8)
        return counts
    return as_count_array(counts, "counts", min_ndim=1)


def _diagnose(rows: np.ndarray, bad: np.ndarray, outer: tuple[int, ...]) -> list[int]:
    """Explain the rows the kernel left as NaN, in row order: a ValueError for a negative count,
    an all-zero row or a total of 2**62 or more; returns the rows whose entries merely looked
    large enough to overflow, to be estimated without the guard."""
    sub = rows[bad]
    if (sub < 0).any():
        raise ValueError("counts must be non-negative counts")
    rescue = []
    for i, row in zip(bad, sub, strict=True):
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
    kf: np.ndarray = kb.astype(np.float64).reshape(n_rows)
    if rows.dtype.kind == "i" and rows.min() < 0:  # before the support check, which counts them
        raise ValueError("counts must be non-negative counts")
    # the support, a block of rows at a time (count_nonzero along an axis makes a bool array)
    step = max(1, _SUPPORT_BLOCK // max(n, 1))
    support = np.concatenate(
        [np.count_nonzero(rows[r:r + step], axis=1) for r in range(0, n_rows, step)]
    )
    bad = np.flatnonzero(kf < support)
    if bad.size:
        i = int(bad[0])
        where = f" (row {_row_label(i, outer)})" if outer else ""
        raise ValueError(
            f"k={int(kf[i])} is below the observed support{where}: {int(support[i])} symbols "
            "have nonzero counts, and k counts the symbols including unseen ones"
        )
    return kf


def _check_a(a: Any, method: str) -> float:
    """wolpert_wolf's concentration: a positive finite real (default 1); refused elsewhere."""
    if method != "wolpert_wolf":
        if a is not None:
            raise ValueError(
                f"a (the Dirichlet concentration) is only used by method='wolpert_wolf', "
                f"not method={method!r}; leave it out"
            )
        return 1.0
    if a is None:
        return 1.0
    if isinstance(a, (bool, np.bool_)) or not isinstance(a, numbers.Real):
        raise TypeError(f"a must be a positive real number, got {type(a).__name__}")
    val = float(a)
    if not (math.isfinite(val) and val > 0.0):
        raise ValueError(
            f"a must be a positive finite number (the Dirichlet concentration), got {a!r}"
        )
    return val


def entropy_counts(
    counts: Any,
    method: str = "plugin",
    *,
    axis: int = -1,
    base: float | None = None,
    k: int | np.ndarray | None = None,
    a: float | None = None,
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
        NumPy integer arrays of every width (int8 ... uint64) and bool arrays are read in
        place, without a copy, when ``axis`` is the last axis of a C-contiguous array; other
        layouts are copied once into C order in their own dtype (not widened). Lists and
        float arrays are converted to a new int64 array.
    method : str, default ``"plugin"``
        One of ``ESTIMATOR_METHODS``: ``"plugin"``, ``"miller_madow"``, ``"jackknife"``,
        ``"grassberger"``, ``"zhang"``, ``"chao_shen"``, ``"horvitz_thompson"``,
        ``"chao_wang_jost"``, ``"bonachela"``, ``"jeffreys"``, ``"laplace"``, ``"perks"``,
        ``"minimax"``, ``"shrink"``, ``"nsb"``, ``"wolpert_wolf"``, ``"ansb"``,
        ``"good_turing"`` (see Notes).
    axis : int, default -1
        Axis holding the symbols of one distribution.
    base : float, optional
        Logarithm base of the result; nats (natural log) when None. ``base=2`` gives bits.
    k : int or array_like of int, optional
        Alphabet size, *including* symbols never observed; an array broadcasts to the output
        shape. Default: the length of ``axis``. It must be at least the observed support (the
        number of nonzero counts) of each row. Only ``bonachela``, the pseudocount methods,
        ``shrink``, ``nsb``, ``wolpert_wolf`` and ``good_turing`` use it; the others ignore it
        (it is still validated). With ``k`` below the row length the zero-count entries are
        simply not symbols of the alphabet.
    a : float, optional
        The concentration of the symmetric Dirichlet prior of ``method="wolpert_wolf"``,
        :math:`a > 0`; default 1 (the uniform prior on the simplex; ``a=0.5`` is Jeffreys',
        ``a=1/K`` Perks'). Passing it with any other method is a ValueError.
    return_std : bool, default False
        Also return a standard deviation: the posterior standard deviation for ``"nsb"`` and
        ``"wolpert_wolf"``; Nemenman's :math:`\sqrt{\psi_1(\Delta)}` for ``"ansb"``; the
        jackknife standard error (Efron & Stein 1981) for ``"jackknife"`` (which needs at least
        2 observations per row); the asymptotic (delta-method) standard error of the plug-in
        estimate, :math:`\sqrt{(\sum_i \hat p_i \log^2 \hat p_i - \hat H^2)/N}` (Basharin 1959),
        for ``"plugin"`` and ``"miller_madow"`` (whose correction is a constant). Other methods
        have no agreed-upon standard error, so asking for one is a ValueError.
    n_jobs : int, optional
        Threads over rows: None uses the OpenMP default, -1 all cores. The result does not
        depend on it.

    Returns
    -------
    H : numpy.float64 or ndarray of float64
        The estimate, with ``counts``' shape minus ``axis``; a NumPy ``float64`` scalar for 1-D
        ``counts`` (as :func:`scipy.stats.entropy` returns). Never ``-0.0``.
    std : numpy.float64 or ndarray of float64
        Only with ``return_std=True``: the standard deviation, same shape and units.

    Raises
    ------
    ValueError
        Bad counts (with the reason), a row whose counts are all zero ("counts: row i has no
        observations"), ``k`` below a row's support, an unknown ``method``, ``return_std`` for a
        method that defines none, ``a`` with a method other than ``wolpert_wolf``.

    Notes
    -----
    Notation: row counts :math:`n_i`, total :math:`N = \sum_i n_i`, observed support
    :math:`m = \#\{i : n_i > 0\}`, :math:`f_r = \#\{i : n_i = r\}`, alphabet size :math:`K`
    (``k``), :math:`\psi` the digamma function. All estimates are in nats before ``base``.

    - ``plugin``: maximum likelihood, :math:`\hat H = \log N - \frac1N \sum_i n_i \log n_i`.
      Equals ``scipy.stats.entropy(counts)``; computed as one pass with a table of
      :math:`n \log n`. Where that difference is small against :math:`\log N` (below
      :math:`\log N / 32`: a row in which one count holds nearly all the mass, where it would
      cancel), the row is re-summed as :math:`\frac1N\sum_i n_i \log(N/n_i)`, the largest
      count's :math:`\log(N/n)` as :math:`\mathrm{log1p}((N-n)/n)`; so every row is accurate to
      a few ulp of the estimate itself (``[[2**40, 1, 1, 3]]`` to 1e-15, where the one-pass
      form is 1e-5 off). The estimators below built on :math:`F(N) - \frac1N\sum_i n_i f(n_i)`
      (Miller-Madow, jackknife, Grassberger, Zhang, Chao-Wang-Jost, Bonachela, the pseudocount
      family, Wolpert-Wolf and NSB's conditional means) do the same, and Chao-Shen,
      Horvitz-Thompson, ``shrink`` and ``good_turing`` take the largest probability's
      :math:`\log p` as :math:`\mathrm{log1p}(-(1-p))` with :math:`1-p` summed from its parts.
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
    - ``wolpert_wolf``: Wolpert & Wolf (1995), the posterior mean of :math:`H` under one
      symmetric Dirichlet(:math:`a`) prior over the :math:`K` symbols,
      :math:`\psi(A+1) - \sum_{i=1}^{K} \frac{\nu_i}{A}\psi(\nu_i+1)`,
      :math:`\nu_i = n_i + a`, :math:`A = N + K a`, summed as
      :math:`\sum_i \frac{\nu_i}{A}[\psi(A+1) - \psi(\nu_i+1)]`; ``std`` is the posterior
      standard deviation (their second moment, in the same rearranged form as NSB's).
    - ``ansb``: Nemenman (2011), the asymptotic NSB estimator for the undersampled regime,
      :math:`(\gamma - \log 2) + 2\log N - \psi(\Delta)` with :math:`\Delta = N - m` the number
      of coincidences and :math:`\gamma` Euler's constant; ``std`` is
      :math:`\sqrt{\psi_1(\Delta)}` (:math:`\psi_1` the trigamma function). It is the limit of
      NSB for :math:`K \to \infty` (``k`` is ignored) and is meant for rows with few
      coincidences, :math:`\Delta \ll N` (many distinct symbols, most seen once; ndd treats
      :math:`\Delta/N < 0.1` as that regime); on well-sampled rows it grows like
      :math:`\log N` and is not an estimate of anything. A row with no coincidences (every
      observed count is 1, including :math:`N = 1`) gives ``+inf`` and ``std`` ``+inf``: with
      an unbounded alphabet such data put no upper bound on the entropy (use ``nsb`` with a
      finite ``k`` there).
    - ``good_turing``: plug-in entropy of the Simple Good-Turing probabilities of Gale & Sampson
      (1995), as pyitlib's ``GOOD-TURING`` estimator takes them. With :math:`N_r` the number of
      symbols seen :math:`r` times: unseen mass :math:`p_0 = N_1/N`; :math:`Z_r = N_r / ((t -
      q)/2)` over the observed :math:`r` (:math:`q`, :math:`t` the neighbouring observed
      counts, :math:`q = 0` before the first, :math:`t = 2r - q` after the last); :math:`b` the
      least-squares slope of :math:`\log Z_r` on :math:`\log r`; for increasing :math:`r`,
      :math:`r^* = (r+1)N_{r+1}/N_r` (Turing) while :math:`r+1` is observed and this differs
      from the smoothed :math:`r(1+1/r)^{b+1}` by more than 1.96 times
      :math:`\sqrt{(r+1)^2 N_{r+1}/N_r^2\,(1 + N_{r+1}/N_r)}`, the smoothed value for that and
      every larger :math:`r`; then :math:`p_r = (1 - p_0)\,r^* / \sum_r N_r r^*`, and each of
      the :math:`K - m` unseen symbols gets :math:`p_0/(K-m)`. When :math:`K = m` (no unseen
      symbol) :math:`p_0` is not assigned and the observed :math:`p_r` are normalised to 1
      (pyitlib warns there). A row with a single distinct count gives its symbols equal mass.
      (pyitlib's own code differs from Gale & Sampson at the switch: where :math:`r+1` is
      unobserved, or at the first :math:`r` that passes the test, it mixes a raw :math:`N_r`
      with a smoothed :math:`N_{r+1}`; this follows the paper.)

    Rows are independent; the kernel is row-parallel, so results are bitwise identical for any
    ``n_jobs``.

    References
    ----------
    Basharin (1959) Theory Probab. Appl. 4:333; Miller (1955); Zahl (1977) Ecology 58:907;
    Efron & Stein (1981) Ann. Stat. 9:586; Grassberger (2003) arXiv:physics/0307138;
    Zhang (2012) Neural Comput. 24:1368; Chao & Shen (2003) Environ. Ecol. Stat. 10:429;
    Chao, Wang & Jost (2013) Methods Ecol. Evol. 4:1091; Bonachela, Hinrichsen & Munoz (2008)
    J. Phys. A 41:202001; Hausser & Strimmer (2009) JMLR 10:1469; Nemenman, Shafee & Bialek
    (2002) NIPS 14; Wolpert & Wolf (1995) Phys. Rev. E 52:6841; Nemenman (2011) Entropy
    13:2013; Gale & Sampson (1995) J. Quant. Linguist. 2:217.

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
            f"jackknife, asymptotic or posterior std), not method={method!r}"
        )
    a_val = _check_a(a, method)
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
    kernels("estimators").entropy_counts_rows(rows, kf, code, out, out_std, n_threads, a_val)

    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        # rows the kernel did not estimate: errors, or (rarely) huge entries with a safe total,
        # which the one-row twin estimates without the kernel's overflow guard
        twin = twin_kernels("estimators")
        for i in _diagnose(rows, bad, outer):
            h, s = twin.estimate_row(rows[i], kf[i], code, a_val)
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
