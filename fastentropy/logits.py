"""Information quantities straight from logits: entropy, cross-entropy, KL, uncertainty.

Batch-first: the classes lie along ``axis`` (default ``-1``), every leading axis is a batch, and
each logit is read once per pass in its own storage dtype (float64, float32, float16, or
bfloat16 via ``ml_dtypes``; integer and bool logits are taken as float64) without a float64
copy of the array; arithmetic accumulates in float64. Arrays, anything with ``__array__``, and
DLPack producers (torch CPU tensors, JAX arrays) are accepted, without a copy where the layout
allows (torch tensors are read through ``detach()``; nothing is tracked for autograd).

Conventions shared by every function:

- ``softmax(x / T)`` is formed by shifting each row by its maximum *before* dividing by the
  temperature ``T`` (``temperature=``, finite and > 0), so no ``T > 0`` overflows, and as
  ``T -> 0`` results tend to those of the uniform distribution on the tied maxima.
- A class at ``-inf`` is masked: probability exactly 0, contribution exactly 0 (also in
  gradients). A row with every class at ``-inf`` has no softmax: ``ValueError`` naming the
  row, or NaN for that row's outputs with ``all_masked='nan'``. ``+inf`` or NaN logits always
  raise ``ValueError``.
- Entropies use ``log S`` with ``S - 1`` (the mass off one maximum) summed on its own and
  passed to ``log1p``, so tiny entropies (a top logit 40 or more above the rest) keep full
  relative accuracy.
- Per-row results are float64 (nats; ``base=`` converts); full-size outputs (log-probabilities,
  probabilities, gradients) are float64 by default, or float32 with ``dtype=np.float32``.
- Results are bitwise identical for any ``n_jobs`` (one thread owns each row).
"""
from __future__ import annotations

import math
import numbers
import sys
from typing import Any, NamedTuple

import numpy as np

from ._backend import kernels
from ._parallel import resolve_n_jobs, threads_for
from ._validation import check_base, check_choice, log_base_divisor, normalize_axis

__all__ = [
    "softmax_entropy",
    "softmax_cross_entropy",
    "softmax_kl_divergence",
    "softmax_jensen_shannon",
    "log_softmax",
    "logsumexp",
    "perplexity_from_logprobs",
    "perplexity_from_logits",
    "predictive_uncertainty",
    "PredictiveUncertainty",
]

# storage kinds of the kernels
_F64, _F32, _F16, _BF16 = 0, 1, 2, 3
_EMPTY = np.empty((0, 0), dtype=np.uint8)
_NO_LABELS = np.empty(0, dtype=np.int64)
_EPS = {_F64: 2.0**-52, _F32: 2.0**-23, _F16: 2.0**-10, _BF16: 2.0**-7}


class PredictiveUncertainty(NamedTuple):
    """Result of :func:`predictive_uncertainty`: one value per row in each field."""

    #: entropy of the mean prediction, ``aleatoric + epistemic``
    total: Any
    #: mean of the members' entropies (expected data uncertainty)
    aleatoric: Any
    #: mutual information between prediction and member (BALD score), ``>= 0``
    epistemic: Any
    #: largest probability of the mean prediction
    max_prob: Any
    #: largest minus second-largest probability of the mean prediction
    margin: Any


def _k() -> Any:
    return kernels("logits")


# ----------------------------------------------------------------------------------------------
# input normalisation
# ----------------------------------------------------------------------------------------------
def _to_array(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """``x`` as an ndarray without a copy where possible; True when it holds bfloat16 bits."""
    if isinstance(x, np.ndarray):
        return x, False
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be array-like of numbers, got {type(x).__name__}")
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach()
        if t.device.type != "cpu":
            raise TypeError(f"{name} is a torch tensor on {t.device}; move it to the CPU first")
        if t.dtype == torch.bfloat16:
            return np.from_dlpack(t.view(torch.uint16)), True
        try:
            return np.from_dlpack(t), False
        except (TypeError, ValueError, BufferError, RuntimeError):
            return np.asarray(t.numpy()), False
    if hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x), False
        except (TypeError, ValueError, BufferError, RuntimeError):
            pass  # fall back to __array__ below
    try:
        return np.asarray(x), False
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name} could not be converted to an array: {exc}") from exc


def _storage(x: Any, name: str) -> tuple[np.ndarray, int]:
    """The array in a storage the kernels read in place, and its kind."""
    arr, bf16_bits = _to_array(x, name)
    if bf16_bits:
        return arr, _BF16
    dt = arr.dtype
    if dt.kind == "f":
        if not dt.isnative:
            arr = arr.astype(dt.newbyteorder("="))
        if dt.itemsize == 8:
            return arr, _F64
        if dt.itemsize == 4:
            return arr, _F32
        if dt.itemsize == 2:
            return arr.view(np.uint16), _F16
        return arr.astype(np.float64), _F64  # longdouble
    if dt.kind in "biu":
        return arr.astype(np.float64), _F64
    if dt.kind == "c":
        raise TypeError(f"{name} must be real, got complex dtype {dt}")
    if dt.kind == "V" and dt.names is None:
        if dt.name == "bfloat16" and dt.itemsize == 2:  # ml_dtypes.bfloat16
            return arr.view(np.uint16), _BF16
        try:  # other ml_dtypes floats (float8 ...): exactly representable in float32
            return arr.astype(np.float32), _F32
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{name} must have a real numeric dtype, got dtype {dt}")


def _convert(arr: np.ndarray, kind: int, to: int) -> np.ndarray:
    """Storage ``kind`` -> storage ``to`` (a wider one), exactly."""
    if kind == to:
        return arr
    if kind == _F16:
        f = arr.view(np.float16).astype(np.float32)
    elif kind == _BF16:
        f = (arr.astype(np.uint32) << 16).view(np.float32)
    else:
        f = arr
    return f.astype(np.float64 if to == _F64 else np.float32)


def _common(kinds: tuple[int, int]) -> int:
    a, b = kinds
    if a == b:
        return a
    return _F64 if _F64 in kinds else _F32


def _rows(arr: np.ndarray, axis: Any, name: str) -> tuple[np.ndarray, tuple[int, ...], int]:
    """(rows, classes) with contiguous classes (any row stride), outer shape, the axis."""
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least 1 dimension (classes along axis)")
    ax = normalize_axis(axis, arr.ndim)
    C = arr.shape[ax]
    if C == 0:
        raise ValueError(f"{name} must not be empty along axis {axis} (no classes)")
    moved = np.moveaxis(arr, ax, -1)
    outer = moved.shape[:-1]
    rows = moved.reshape(math.prod(outer), C)
    if rows.strides[1] != rows.itemsize:
        rows = np.ascontiguousarray(rows)
    return rows, outer, ax


def _bytes(rows: np.ndarray) -> np.ndarray:
    return rows.view(np.uint8) if rows.shape[0] else np.empty((0, 0), np.uint8)


def _check_temperature(temperature: Any) -> float:
    if isinstance(temperature, np.ndarray) and temperature.ndim == 0:
        temperature = temperature.item()
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(
            f"temperature must be a positive real number, got {type(temperature).__name__}"
        )
    t = float(temperature)
    if not (math.isfinite(t) and t > 0.0):
        raise ValueError(f"temperature must be finite and > 0, got {temperature!r}")
    return t


def _out_kind(dtype: Any) -> tuple[int, np.dtype]:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float64 or float32, got {dtype!r}") from None
    if dt == np.float64:
        return 0, dt
    if dt == np.float32:
        return 1, dt
    raise ValueError(f"dtype must be float64 or float32, got {dt}")


def _threads(n_jobs: int | None, rows: int, cells: int) -> int:
    return threads_for(resolve_n_jobs(n_jobs), rows, cells)


def _where(i: int, outer: tuple[int, ...]) -> str:
    if len(outer) <= 1:
        return str(i)
    return str(tuple(int(v) for v in np.unravel_index(i, outer)))


def _check_status(status: np.ndarray, outer: tuple[int, ...], name: str, all_masked: str) -> None:
    if status.size == 0 or not status.any():
        return
    if (status == 9).any():
        raise MemoryError("fastentropy: could not allocate the per-thread row buffers")
    hard = np.flatnonzero(status >= 2)
    if hard.size:
        i = int(hard[0])
        what = "NaN" if status[i] == 2 else "+inf"
        raise ValueError(
            f"{name} contains {what} in row {_where(i, outer)}; logits must be finite, "
            "or -inf for a masked class"
        )
    if all_masked == "raise":
        i = int(np.flatnonzero(status == 1)[0])
        raise ValueError(
            f"{name} row {_where(i, outer)} is all -inf (every class masked), so it has no "
            "softmax; pass all_masked='nan' to get NaN for such rows"
        )


def _finish(vals: np.ndarray, outer: tuple[int, ...]) -> Any:
    res = vals.reshape(outer)
    return res[()] if res.ndim == 0 else res


def _full(out: np.ndarray, outer: tuple[int, ...], ax: int) -> np.ndarray:
    return np.moveaxis(out.reshape(*outer, out.shape[-1]), -1, ax)


def _logit_rows(
    logits: Any, axis: Any, name: str = "logits"
) -> tuple[np.ndarray, int, tuple[int, ...], int]:
    arr, kind = _storage(logits, name)
    rows, outer, ax = _rows(arr, axis, name)
    return rows, kind, outer, ax


# ----------------------------------------------------------------------------------------------
# softmax of one array
# ----------------------------------------------------------------------------------------------
def _softmax_call(
    logits: Any,
    axis: Any,
    temperature: Any,
    all_masked: str,
    n_jobs: int | None,
    *,
    want_logp: bool = False,
    want_probs: bool = False,
    want_grad: bool = False,
    grad_scale: float = 1.0,
    dtype: Any = np.float64,
    masked_ok: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], tuple[int, ...], int]:
    T = _check_temperature(temperature)
    check_choice(all_masked, "all_masked", ("raise", "nan"))
    okind, odt = _out_kind(dtype)
    rows, kind, outer, ax = _logit_rows(logits, axis)
    R, C = rows.shape
    nt = _threads(n_jobs, R, R * C)
    lse = np.empty(R)
    ent = np.empty(R)
    status = np.zeros(R, dtype=np.int8)
    full = {}
    bufs = []
    for key, want in (("logp", want_logp), ("probs", want_probs), ("grad", want_grad)):
        if want:
            full[key] = np.empty((R, C), dtype=odt)
            bufs.append(_bytes(full[key]))
        else:
            bufs.append(_EMPTY)
    _k().softmax_rows(
        _bytes(rows), kind, T, grad_scale, lse, ent, *bufs, okind, status, nt
    )
    _check_status(status, outer, "logits", "nan" if masked_ok else all_masked)
    return lse, ent, full, outer, ax


def softmax_entropy(
    logits: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    base: float | None = None,
    return_probs: bool = False,
    return_grad: bool = False,
    all_masked: str = "raise",
    dtype: Any = np.float64,
    n_jobs: int | None = None,
) -> Any:
    """Entropy of ``softmax(logits / temperature)`` per row, straight from the logits.

    Replaces ``torch.distributions.Categorical(logits=x / T).entropy()``,
    ``scipy.stats.entropy(scipy.special.softmax(x / T, axis=-1), axis=-1)`` and
    ``-(softmax * log_softmax).sum(-1)`` (e.g. ``optax`` / ``jax.nn`` compositions), in one read
    of the logits and with no full-size temporary.

    Parameters
    ----------
    logits : array_like
        Real logits, classes along ``axis``; ``-inf`` masks a class. float16/bfloat16/float32/
        float64 are read in place; integer and bool as float64.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        ``T > 0``, finite. The row maximum is subtracted before dividing by ``T``.
    base : float, optional
        Logarithm base of the result (nats when None).
    return_probs : bool, default False
        Also return ``softmax(logits / T)`` (same shape as ``logits``).
    return_grad : bool, default False
        Also return ``d entropy / d logits`` (same shape as ``logits``, in units of ``base``):
        ``-(1/T) p_j (log p_j + H)``, exactly 0 at masked classes, finite wherever the
        entropy is.
    all_masked : {'raise', 'nan'}, default 'raise'
        A row whose every class is ``-inf``: ``ValueError`` naming the row, or NaN outputs.
    dtype : float64 or float32, default float64
        dtype of the full-size outputs (probabilities, gradient). The entropy is float64.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.

    Returns
    -------
    H : float64 scalar or ndarray (the shape of ``logits`` without ``axis``)
    probs, grad : ndarray, only when requested, in this order, as ``(H, probs, grad)``.

    Notes
    -----
    ``H = log S - sum e_j z_j / S`` with ``z = (x - max x) / T``, ``e = exp z``, ``S = sum e``
    and ``log S = log1p(S - 1)``, ``S - 1`` being summed apart from the maximum. Differences
    from torch: masked classes give exactly 0 (torch's ``p * log p`` form gives NaN through
    ``0 * -inf`` in its gradient), huge logits keep their value (``Categorical`` returns 0 for
    ``[v, v, 0]`` at ``v = 1e8`` in float32; this gives ``ln 2``), and ``+inf``/NaN raise.
    """
    b = check_base(base)
    div = log_base_divisor(b)
    _, ent, full, outer, ax = _softmax_call(
        logits, axis, temperature, all_masked, n_jobs,
        want_probs=return_probs, want_grad=return_grad, grad_scale=1.0 / div, dtype=dtype,
    )
    H = _finish(ent / div, outer)
    extra = [_full(full[k], outer, ax) for k in ("probs", "grad") if k in full]
    return (H, *extra) if extra else H


def log_softmax(
    logits: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    all_masked: str = "raise",
    dtype: Any = np.float64,
    n_jobs: int | None = None,
) -> np.ndarray:
    """``log softmax(logits / temperature)`` along ``axis``: ``z - log sum exp z``.

    Replaces ``scipy.special.log_softmax(x / T, axis)``, ``torch.log_softmax(x / T, dim)`` and
    ``jax.nn.log_softmax``. Masked classes (``-inf``) give ``-inf``; a row of all ``-inf``
    raises (scipy returns NaN) unless ``all_masked='nan'``; ``+inf``/NaN raise. The result has
    the shape of ``logits``, in ``dtype`` (float64 by default, or float32), computed in float64
    from logits of any supported storage dtype.

    Parameters
    ----------
    logits : array_like
        Real logits, classes along ``axis``.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        ``T > 0``; the row maximum is subtracted before dividing by ``T``.
    all_masked : {'raise', 'nan'}
        Rows with every class ``-inf``: ``ValueError`` naming the row, or NaN.
    dtype : float64 or float32
        Output dtype.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.
    """
    _, _, full, outer, ax = _softmax_call(
        logits, axis, temperature, all_masked, n_jobs, want_logp=True, dtype=dtype
    )
    return _full(full["logp"], outer, ax)


def logsumexp(
    logits: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    n_jobs: int | None = None,
) -> Any:
    """``log sum_j exp(logits_j / temperature)`` per row.

    Replaces ``scipy.special.logsumexp(x / T, axis)`` and ``torch.logsumexp``. Computed as
    ``max/T + log1p(S - 1)``, so a row dominated by one logit keeps full accuracy. A row of all
    ``-inf`` gives ``-inf`` (the log of an empty sum, as scipy); ``+inf`` and NaN raise
    ``ValueError`` (scipy returns inf / NaN). float64 result.

    Parameters
    ----------
    logits : array_like
        Real logits, terms along ``axis``.
    axis : int, default -1
        The reduced axis.
    temperature : float, default 1.0
        ``T > 0``: the terms are ``exp(x / T)``.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.
    """
    lse, _, _, outer, _ = _softmax_call(logits, axis, temperature, "nan", n_jobs,
                                        masked_ok=True)
    return _finish(lse, outer)


# ----------------------------------------------------------------------------------------------
# two arrays of logits
# ----------------------------------------------------------------------------------------------
def _pair_rows(
    p_logits: Any, q_logits: Any, axis: Any
) -> tuple[np.ndarray, np.ndarray, int, tuple[int, ...], int]:
    pa, pk = _storage(p_logits, "p_logits")
    qa, qk = _storage(q_logits, "q_logits")
    if pa.shape != qa.shape:
        raise ValueError(
            f"p_logits and q_logits must have the same shape, got {pa.shape} and {qa.shape}"
        )
    kind = _common((pk, qk))
    pa, qa = _convert(pa, pk, kind), _convert(qa, qk, kind)
    pr, outer, ax = _rows(pa, axis, "p_logits")
    qr, _, _ = _rows(qa, axis, "q_logits")
    return pr, qr, kind, outer, ax


def _pair_call(
    p_logits: Any,
    q_logits: Any,
    axis: Any,
    temperature: Any,
    mode: int,
    all_masked: str,
    n_jobs: int | None,
    grad_scale: float = 1.0,
    want_p: bool = False,
    want_q: bool = False,
    dtype: Any = np.float64,
) -> tuple[np.ndarray, dict[str, np.ndarray], tuple[int, ...], int]:
    T = _check_temperature(temperature)
    check_choice(all_masked, "all_masked", ("raise", "nan"))
    okind, odt = _out_kind(dtype)
    pr, qr, kind, outer, ax = _pair_rows(p_logits, q_logits, axis)
    R, C = pr.shape
    nt = _threads(n_jobs, R, 2 * R * C)
    out = np.empty(R)
    ps = np.zeros(R, dtype=np.int8)
    qs = np.zeros(R, dtype=np.int8)
    grads = {}
    bufs = []
    for key, want in (("p", want_p), ("q", want_q)):
        if want:
            grads[key] = np.empty((R, C), dtype=odt)
            bufs.append(_bytes(grads[key]))
        else:
            bufs.append(_EMPTY)
    _k().pair_rows(
        _bytes(pr), _bytes(qr), kind, T, mode, grad_scale, out, *bufs, okind, ps, qs, nt
    )
    _check_status(ps, outer, "p_logits", all_masked)
    _check_status(qs, outer, "q_logits", all_masked)
    return out, grads, outer, ax


def softmax_kl_divergence(
    p_logits: Any,
    q_logits: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    temperature_squared: bool = False,
    base: float | None = None,
    return_grad: bool = False,
    grad_wrt: str = "q",
    all_masked: str = "raise",
    dtype: Any = np.float64,
    n_jobs: int | None = None,
) -> Any:
    """``KL(P || Q)`` per row, ``P = softmax(p_logits / T)``, ``Q = softmax(q_logits / T)``.

    Knowledge distillation (Hinton, Vinyals & Dean 2015): ``p_logits`` the teacher, ``q_logits``
    the student. Replaces ``torch.nn.functional.kl_div(log_softmax(q / T), log_softmax(p / T),
    log_target=True, reduction='none').sum(-1)`` (note torch's argument order: input is the
    student), ``optax.kl_divergence_with_log_targets`` and
    ``scipy.special.rel_entr(softmax(p / T), softmax(q / T)).sum(-1)``.

    Parameters
    ----------
    p_logits, q_logits : array_like
        Logits of the same shape, classes along ``axis`` (``-inf`` masks a class). Different
        storage dtypes are read in the wider of the two.
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        ``T > 0``, applied to both, after shifting each row by its maximum.
    temperature_squared : bool, default False
        Multiply the value (and gradients) by ``T**2``, Hinton et al.'s scaling that keeps the
        gradient magnitude of the soft term independent of ``T``.
    base : float, optional
        Logarithm base of the result (nats when None).
    return_grad : bool, default False
        Also return the gradient (same shape as the logits, in units of ``base``).
    grad_wrt : {'q', 'p', 'both'}, default 'q'
        Which gradient: ``dKL/dq = (Q - P) / T``, ``dKL/dp = P (log P - log Q - KL) / T``, or
        both as ``(KL, grad_p, grad_q)``. 0 at classes masked in both; finite wherever KL is.
    all_masked : {'raise', 'nan'}
        Rows with every class ``-inf``: ``ValueError`` naming the row, or NaN.
    dtype : float64 or float32
        dtype of the gradients; the divergence is float64.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.

    Returns
    -------
    KL : float64 scalar or ndarray, ``>= 0``; then the requested gradient(s).

    Notes
    -----
    ``+inf`` where some class has ``P > 0`` and ``Q = 0`` (masked in ``q`` only), as
    ``rel_entr``. Rows where ``E_P[z_p - z_q]`` and ``log S_p - log S_q`` nearly cancel (near-
    identical distributions) are recomputed as ``sum_j Q_j phi(d_j)``, ``phi(d) = 1 + (d-1)e^d``
    with ``d_j = log P_j - log Q_j`` formed from ``p - q`` directly: a sum of non-negative
    terms, so near-identical rows keep relative accuracy instead of cancelling to noise, and the
    result never comes out negative (it is clamped at 0 against the last rounding).
    """
    b = check_base(base)
    choice = check_choice(grad_wrt, "grad_wrt", ("q", "p", "both"))
    T = _check_temperature(temperature)
    scale = T * T if temperature_squared else 1.0
    div = log_base_divisor(b)
    out, grads, outer, ax = _pair_call(
        p_logits, q_logits, axis, T, 0, all_masked, n_jobs,
        grad_scale=scale / div,
        want_p=return_grad and choice in ("p", "both"),
        want_q=return_grad and choice in ("q", "both"),
        dtype=dtype,
    )
    kl = _finish(out * (scale / div), outer)
    if not return_grad:
        return kl
    gs = [_full(grads[k], outer, ax) for k in ("p", "q") if k in grads]
    return (kl, *gs)


def softmax_jensen_shannon(
    p_logits: Any,
    q_logits: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    base: float | None = None,
    all_masked: str = "raise",
    n_jobs: int | None = None,
) -> Any:
    """Jensen-Shannon divergence between ``softmax(p_logits / T)`` and ``softmax(q_logits / T)``.

    ``JS = (KL(P || M) + KL(Q || M)) / 2``, ``M = (P + Q) / 2`` (Lin 1991), per row, in
    ``[0, log 2]``. Replaces ``scipy.spatial.distance.jensenshannon(softmax(p), softmax(q),
    axis=-1) ** 2`` (scipy returns the distance, its square root) and the torch composition
    through ``F.kl_div``. Each class contributes ``M f(eps)`` with ``eps = tanh(d / 2)``,
    ``d = log P - log Q``, and ``f`` by its series for small ``eps``: non-negative terms, so
    near-identical rows keep relative accuracy; clamped at 0.

    Parameters
    ----------
    p_logits, q_logits : array_like
        Logits of the same shape, classes along ``axis`` (``-inf`` masks a class).
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        ``T > 0``, applied to both.
    base : float, optional
        Logarithm base (nats when None; ``base=2`` puts it in ``[0, 1]``).
    all_masked : {'raise', 'nan'}
        Rows with every class ``-inf``: ``ValueError`` naming the row, or NaN.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.
    """
    b = check_base(base)
    out, _, outer, _ = _pair_call(p_logits, q_logits, axis, temperature, 1, all_masked, n_jobs)
    return _finish(out / log_base_divisor(b), outer)


# ----------------------------------------------------------------------------------------------
# cross-entropy and perplexity
# ----------------------------------------------------------------------------------------------
def _check_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return int(value)


def _check_smoothing(label_smoothing: Any) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, numbers.Real):
        raise TypeError(
            f"label_smoothing must be a number in [0, 1], got {type(label_smoothing).__name__}"
        )
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return eps


def _labels(
    target: np.ndarray, outer: tuple[int, ...], C: int, ignore_index: int, name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Class indices as int64 rows (-1 = ignored), and the mask of kept rows."""
    if target.shape != outer:
        raise ValueError(
            f"{name} holds class indices, so its shape must be the logits' shape without the "
            f"class axis, {outer}; got {target.shape}"
        )
    t = target.reshape(-1)
    if t.dtype.kind == "u" and t.dtype.itemsize >= 8 and t.size and int(t.max()) >= 2**63:
        raise ValueError(f"{name} holds a class index >= 2**63, outside [0, {C})")
    t = t.astype(np.int64, copy=False)
    ign = t == ignore_index
    bad = ~ign & ((t < 0) | (t >= C))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} holds class index {int(t[i])} at row {_where(i, outer)}, outside "
            f"[0, {C}) and not ignore_index={ignore_index}"
        )
    return np.where(ign, -1, t), ~ign


def _ce_call(
    logits: Any,
    target: Any,
    axis: Any,
    temperature: Any,
    target_is_logits: bool,
    ignore_index: int,
    smoothing: float,
    all_masked: str,
    n_jobs: int | None,
    target_name: str = "target",
) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Per-row cross-entropy (nats), the mask of rows not ignored, the outer shape."""
    T = _check_temperature(temperature)
    check_choice(all_masked, "all_masked", ("raise", "nan"))
    xa, xk = _storage(logits, "logits")
    if xa.ndim == 0:
        raise ValueError("logits must have at least 1 dimension (classes along axis)")
    ax = normalize_axis(axis, xa.ndim)
    outer_shape = xa.shape[:ax] + xa.shape[ax + 1 :]
    if target_is_logits:
        mode = 2
    else:
        traw, _ = _to_array(target, target_name)
        if traw.dtype.kind in "iu":
            mode = 0
        elif traw.dtype.kind == "b":
            raise TypeError(
                f"{target_name} must be integer class indices or float probabilities, got bool"
            )
        else:
            mode = 1
    labels = _NO_LABELS
    keep = np.ones(math.prod(outer_shape), dtype=bool)
    tbytes = _EMPTY
    kind = xk
    if mode == 0:
        rows, outer, _ = _rows(xa, ax, "logits")
        labels, keep = _labels(traw, outer, rows.shape[1], ignore_index, target_name)
    else:
        ta, tk = _storage(target, target_name)
        if ta.shape != xa.shape:
            what = "teacher logits" if mode == 2 else "probability rows"
            raise ValueError(
                f"{target_name} holds {what}, so it must have the shape of logits, "
                f"{xa.shape}; got {ta.shape}"
            )
        kind = _common((xk, tk))
        rows, outer, _ = _rows(_convert(xa, xk, kind), ax, "logits")
        trows, _, _ = _rows(_convert(ta, tk, kind), ax, target_name)
        tbytes = _bytes(trows)
    R, C = rows.shape
    nt = _threads(n_jobs, R, (2 if mode else 1) * R * C)
    out = np.empty(R)
    tstats = np.empty((R, 2))
    st = np.zeros(R, dtype=np.int8)
    tst = np.zeros(R, dtype=np.int8)
    _k().cross_entropy_rows(
        _bytes(rows), kind, T, mode, labels, tbytes, smoothing, out, tstats, st, tst, nt
    )
    _check_status(st, outer, "logits", all_masked)
    _check_status(tst, outer, target_name, all_masked)
    if mode == 1 and R:
        tsum, tmin = tstats[:, 0], tstats[:, 1]
        if not np.isfinite(tsum).all():
            raise ValueError(f"{target_name} must contain only finite probabilities (no NaN/inf)")
        if (tmin < 0).any():
            raise ValueError(f"{target_name} must be non-negative probabilities")
        tol = max(1e-6, C * _EPS[kind])
        off = np.abs(tsum - 1.0) > tol
        if off.any():
            i = int(np.flatnonzero(off)[0])
            raise ValueError(
                f"{target_name} rows must sum to 1 (row {_where(i, outer)} sums to "
                f"{tsum[i]:.6g}); pass target_is_logits=True for teacher logits"
            )
    return out, keep, outer


def softmax_cross_entropy(
    logits: Any,
    target: Any,
    *,
    axis: int = -1,
    temperature: float = 1.0,
    target_is_logits: bool = False,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
    reduction: str = "none",
    base: float | None = None,
    all_masked: str = "raise",
    n_jobs: int | None = None,
) -> Any:
    """Cross-entropy ``-sum_j t_j log softmax(logits / T)_j`` per row.

    Replaces ``torch.nn.functional.cross_entropy(x, target, ignore_index=...,
    label_smoothing=..., reduction=...)`` (with the classes on ``axis`` instead of torch's
    dim 1), ``optax.softmax_cross_entropy`` / ``softmax_cross_entropy_with_integer_labels`` and
    scipy compositions, without forming ``log_softmax``.

    Parameters
    ----------
    logits : array_like
        Real logits, classes along ``axis`` (``-inf`` masks a class).
    target : array_like
        Integer class indices (the shape of ``logits`` without ``axis``), probability rows
        (float, the shape of ``logits``, non-negative, each summing to 1 within
        ``max(1e-6, C * eps)`` of the storage dtype), or teacher logits with
        ``target_is_logits=True`` (then ``t = softmax(target / T)``, soft-target distillation).
    axis : int, default -1
        The class axis.
    temperature : float, default 1.0
        ``T > 0``, applied to ``logits`` (and teacher logits).
    target_is_logits : bool, default False
        ``target`` holds logits, not probabilities.
    ignore_index : int, default -100
        Class indices equal to it contribute nothing (as torch).
    label_smoothing : float in [0, 1], default 0
        ``t -> (1 - eps) t + eps u`` as torch, except that ``u`` is uniform over the classes
        that are not masked (torch spreads it over every class, which makes any row with a
        masked class infinite).
    reduction : {'none', 'mean', 'sum'}, default 'none'
        'none': one value per row (ignored rows give 0.0, as torch); 'mean': the mean over the
        rows not ignored (NaN when all are, as torch); 'sum'.
    base : float, optional
        Logarithm base (nats when None).
    all_masked : {'raise', 'nan'}
        Rows with every class ``-inf``: ``ValueError`` naming the row, or NaN.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.

    Notes
    -----
    ``-sum t log p = log S * sum t - sum t z`` with ``z = (x - max) / T``: no logarithm per
    class. A target class that is masked gives ``+inf``.
    """
    b = check_base(base)
    check_choice(reduction, "reduction", ("none", "mean", "sum"))
    ign = _check_int(ignore_index, "ignore_index")
    eps = _check_smoothing(label_smoothing)
    out, keep, outer = _ce_call(
        logits, target, axis, temperature, bool(target_is_logits), ign, eps, all_masked, n_jobs
    )
    out = out / log_base_divisor(b)
    if reduction == "sum":
        return np.float64(out.sum())
    if reduction == "mean":
        k = int(keep.sum())
        return np.float64(out.sum() / k) if k else np.float64(np.nan)
    return _finish(out, outer)


def perplexity_from_logits(
    logits: Any,
    tokens: Any,
    *,
    axis: int = -1,
    ignore_index: int = -100,
    temperature: float = 1.0,
    n_jobs: int | None = None,
) -> Any:
    """Perplexity per sequence of language-model logits, ``exp(mean token cross-entropy)``.

    ``logits`` is (..., time, vocab) (vocabulary on ``axis``), ``tokens`` the observed token ids
    (..., time); the mean runs over the last axis of ``tokens``, skipping ``ignore_index``.
    Replaces ``torch.exp(F.cross_entropy(logits.transpose(1, 2), tokens, ignore_index=...,
    reduction='none').sum(1) / n_tokens)`` (and Hugging Face's ``exp(loss)``, which averages
    over the whole batch instead of per sequence).

    Parameters
    ----------
    logits : array_like
        Real logits; ``-inf`` masks a token (a masked observed token gives ``inf``).
    tokens : array_like of int
        Observed tokens, the shape of ``logits`` without ``axis``, at least 1-D.
    axis : int, default -1
        The vocabulary axis of ``logits``.
    ignore_index : int, default -100
        Token ids to skip (padding). A sequence with no other token raises ``ValueError``.
    temperature : float, default 1.0
        ``T > 0`` applied to the logits.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.
    """
    ign = _check_int(ignore_index, "ignore_index")
    tarr, _ = _to_array(tokens, "tokens")
    if tarr.dtype.kind not in "iu":
        raise TypeError(f"tokens must be integer token ids, got dtype {tarr.dtype}")
    if tarr.ndim == 0:
        raise ValueError("tokens must have at least 1 dimension (time)")
    out, keep, outer = _ce_call(
        logits, tarr, axis, temperature, False, ign, 0.0, "raise", n_jobs, target_name="tokens"
    )
    nll = out.reshape(outer)
    kept = keep.reshape(outer)
    count = kept.sum(axis=-1)
    if (count == 0).any():
        i = int(np.flatnonzero(count == 0)[0])
        raise ValueError(
            f"tokens sequence {_where(i, count.shape)} has no token other than "
            f"ignore_index={ign}; its perplexity is undefined"
        )
    with np.errstate(over="ignore"):
        res = np.exp(nll.sum(axis=-1) / count)
    return res[()] if res.ndim == 0 else res


def perplexity_from_logprobs(
    logprobs: Any,
    mask: Any = None,
    *,
    axis: int = -1,
) -> Any:
    """Perplexity ``exp(-mean log p)`` of per-token log-probabilities, per sequence.

    ``logprobs`` are natural-log probabilities of the observed tokens (``<= 0``, ``-inf``
    allowed), e.g. ``log_softmax(logits).take_along_axis(tokens)``; the mean runs along ``axis``
    over the positions where ``mask`` is True (all when None). Replaces
    ``torch.exp(-(logprobs * mask).sum(-1) / mask.sum(-1))``. Summed in float64 (no float64
    copy of the input); a sequence with no unmasked token raises ``ValueError``.

    Parameters
    ----------
    logprobs : array_like
        Log-probabilities, ``<= 0``; NaN and ``+inf`` raise.
    mask : array_like of bool, optional
        Positions to keep, broadcastable to ``logprobs``.
    axis : int, default -1
        The time axis.
    """
    arr, kind = _storage(logprobs, "logprobs")
    if kind in (_F16, _BF16):
        arr = _convert(arr, kind, _F32)
    if arr.ndim == 0:
        raise ValueError("logprobs must have at least 1 dimension (time)")
    ax = normalize_axis(axis, arr.ndim)
    if arr.shape[ax] == 0:
        raise ValueError(f"logprobs must not be empty along axis {axis}")
    if np.isnan(arr).any():
        raise ValueError("logprobs must not contain NaN")
    if (arr > 0).any():
        raise ValueError("logprobs must be <= 0 (natural-log probabilities)")
    if mask is None:
        m = None
        count = np.full(arr.shape[:ax] + arr.shape[ax + 1 :], arr.shape[ax])
    else:
        marr, _ = _to_array(mask, "mask")
        if marr.dtype.kind != "b":
            raise TypeError(f"mask must be a bool array, got dtype {marr.dtype}")
        try:
            m = np.broadcast_to(marr, arr.shape)
        except ValueError:
            raise ValueError(
                f"mask must broadcast to the shape of logprobs {arr.shape}, got {marr.shape}"
            ) from None
        count = m.sum(axis=ax)
        if (count == 0).any():
            i = int(np.flatnonzero(count == 0)[0])
            raise ValueError(f"mask leaves no token in sequence {_where(i, count.shape)}")
    total = np.sum(arr, axis=ax, dtype=np.float64, where=True if m is None else m)
    with np.errstate(over="ignore"):
        res = np.exp(-total / count)
    return res[()] if res.ndim == 0 else res


# ----------------------------------------------------------------------------------------------
# ensembles
# ----------------------------------------------------------------------------------------------
def predictive_uncertainty(
    logits: Any,
    *,
    member_axis: int = 0,
    axis: int = -1,
    temperature: float = 1.0,
    base: float | None = None,
    all_masked: str = "raise",
    n_jobs: int | None = None,
) -> PredictiveUncertainty:
    """Ensemble / MC-dropout decomposition of predictive uncertainty, per row.

    With ``p_m = softmax(logits_m / T)`` for the members ``m`` along ``member_axis`` and
    ``pbar`` their mean: ``aleatoric = mean_m H(p_m)``, ``epistemic = mean_m KL(p_m || pbar)``
    (the mutual information between the prediction and the member, BALD: Houlsby et al. 2011,
    Gal et al. 2017), ``total = H(pbar) = aleatoric + epistemic``, plus the cheap scores
    ``max_prob = max pbar`` and ``margin`` (top-1 minus top-2 of ``pbar``). Replaces the
    usual ``H(mean(softmax)) - mean(H(softmax))`` compositions (torch, baal's BALD), which
    cancel to noise, and go negative, when the members agree.

    Parameters
    ----------
    logits : array_like
        At least 2-D: members along ``member_axis`` (any position: [M, N, C] as most torch
        code, [N, C, M] as baal), classes along ``axis``; the other axes are rows.
    member_axis : int, default 0
        The ensemble axis.
    axis : int, default -1
        The class axis (must differ from ``member_axis``).
    temperature : float, default 1.0
        ``T > 0`` applied to every member.
    base : float, optional
        Logarithm base of ``total``, ``aleatoric`` and ``epistemic`` (nats when None).
    all_masked : {'raise', 'nan'}
        A member row with every class ``-inf``: ``ValueError`` naming the row, or NaN.
    n_jobs : int or None
        Threads (None: OpenMP default, -1: all cores). Results do not depend on it.

    Returns
    -------
    PredictiveUncertainty
        Named tuple of float64 arrays (or scalars) of the shape of ``logits`` without the two
        axes.

    Notes
    -----
    The epistemic part is summed as ``mean_m sum_j pbar_j phi(log p_mj - log pbar_j)``,
    ``phi(d) = 1 + (d - 1) e^d >= 0``: non-negative terms, so it is never negative and keeps
    relative accuracy when the members nearly agree; ``total`` is ``aleatoric + epistemic``.
    """
    T = _check_temperature(temperature)
    b = check_base(base)
    check_choice(all_masked, "all_masked", ("raise", "nan"))
    arr, kind = _storage(logits, "logits")
    if arr.ndim < 2:
        raise ValueError(
            f"logits must have at least 2 dimensions (members and classes), got {arr.ndim}"
        )
    mx = normalize_axis(member_axis, arr.ndim, "member_axis")
    ax = normalize_axis(axis, arr.ndim)
    if mx == ax:
        raise ValueError(f"member_axis and axis must be different axes, both are {ax}")
    M, C = arr.shape[mx], arr.shape[ax]
    if C == 0:
        raise ValueError(f"logits must not be empty along axis {axis} (no classes)")
    if M == 0:
        raise ValueError(f"logits must have at least one member along member_axis {member_axis}")
    moved = np.moveaxis(arr, (mx, ax), (-2, -1))
    outer = moved.shape[:-2]
    x3 = moved.reshape(math.prod(outer), M, C)
    if x3.strides[2] != x3.itemsize:
        x3 = np.ascontiguousarray(x3)
    R = x3.shape[0]
    nt = _threads(n_jobs, R, R * M * C)
    out = np.empty((R, 5))
    status = np.zeros(R, dtype=np.int8)
    xb = x3.view(np.uint8) if R else np.empty((0, M, 0), np.uint8)
    _k().uncertainty_rows(xb, kind, T, out, status, nt)
    _check_status(status, outer, "logits", all_masked)
    div = log_base_divisor(b)
    f = [_finish(np.ascontiguousarray(out[:, j]) / (div if j < 3 else 1.0), outer)
         for j in range(5)]
    return PredictiveUncertainty(*f)
