"""NumPy twin of ``_kernels/divergence``: same functions, same signatures, same conventions.

Each row of a (rows, n) array is normalised by its sum (given); two-vector functions take ``p``
with ``rp`` rows and ``q`` with ``rq`` rows, each 1 (broadcast) or the output row count.
``n_threads`` is accepted and ignored.
"""
from __future__ import annotations

import numpy as np
from scipy import special

CROSS, JS, TV, BC, CHI2, RENYI, RENYI0, RENYIINF, RENYIDIRECT = range(9)


def log_array(x: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    with np.errstate(divide="ignore", invalid="ignore"):
        np.log(x, out=out)


def row_stats(x: np.ndarray, sums: np.ndarray, mins: np.ndarray, n_threads: int) -> None:
    if x.shape[1] == 0:
        sums[:] = 0.0
        mins[:] = np.inf
        return
    with np.errstate(over="ignore"):  # an overflowing sum is reported as inf, as in the kernel
        sums[:] = x.sum(axis=1)
    # NaN entries are ignored by the minimum, as in the kernel
    mins[:] = np.fmin.reduce(x, axis=1)
    mins[np.isnan(mins)] = np.inf


def _normalised(x: np.ndarray, sums: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return x / sums[:, None]


def entropy_rows(x: np.ndarray, sums: np.ndarray, out: np.ndarray, n_threads: int) -> None:
    if x.shape[1] == 0:
        out[:] = 0.0
        return
    out[:] = special.entr(_normalised(x, sums)).sum(axis=1)


def entropy_stats_rows(x, sums, mins, out, n_threads: int) -> None:
    row_stats(x, sums, mins, n_threads)
    entropy_rows(x, sums, out, n_threads)


def entropy_cols(x, sums, mins, out, n_threads: int) -> None:
    if x.shape[0] == 0:
        sums[:] = 0.0
        mins[:] = np.inf
        out[:] = 0.0
        return
    with np.errstate(over="ignore"):
        sums[:] = x.sum(axis=0)
    mins[:] = np.fmin.reduce(x, axis=0)
    mins[np.isnan(mins)] = np.inf
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:] = special.entr(x / sums).sum(axis=0)


def kl_rows(p, p_sums, q, q_sums, out, n_threads: int) -> None:
    if p.shape[1] == 0:
        out[:] = 0.0
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = special.rel_entr(_normalised(p, p_sums), _normalised(q, q_sums)).sum(axis=1)
    out[:] = np.broadcast_to(vals, out.shape)


def _pair_terms(pn: np.ndarray, qn: np.ndarray, measure: int, alpha: float) -> np.ndarray:
    pos_p = pn > 0
    pos_q = qn > 0
    if measure == CROSS:
        safe_q = np.where(pos_q, qn, 1.0)
        t = np.where(pos_p, -pn * np.log(safe_q), 0.0)
        bad = (pos_p & ~pos_q).any(axis=1)
        return np.where(bad, np.inf, t.sum(axis=1))
    if measure == JS:
        m = 0.5 * (pn + qn)
        return 0.5 * (special.rel_entr(pn, m).sum(axis=1) + special.rel_entr(qn, m).sum(axis=1))
    if measure == TV:
        return 0.5 * np.abs(pn - qn).sum(axis=1)
    if measure == BC:
        return np.sqrt(pn * qn).sum(axis=1)
    if measure == CHI2:
        t = np.where(pos_q, (pn - qn) ** 2 / np.where(pos_q, qn, 1.0), 0.0)
        bad = (pos_p & ~pos_q).any(axis=1)
        return np.where(bad, np.inf, t.sum(axis=1))
    if measure == RENYI:
        both = pos_p & pos_q
        ratio = np.where(both, pn / np.where(pos_q, qn, 1.0), 1.0)
        t = np.where(both, pn * np.expm1((alpha - 1.0) * np.log(ratio)), 0.0)
        t = np.where(pos_p & ~pos_q, np.inf if alpha > 1.0 else -pn, t)
        return t.sum(axis=1)
    if measure == RENYIDIRECT:
        both = pos_p & pos_q
        ratio = np.where(both, pn / np.where(pos_q, qn, 1.0), 1.0)
        t = np.where(both, pn * np.exp((alpha - 1.0) * np.log(ratio)), 0.0)
        t = np.where(pos_p & ~pos_q, np.inf if alpha > 1.0 else 0.0, t)
        return t.sum(axis=1)
    if measure == RENYI0:
        return np.where(pos_p, qn, 0.0).sum(axis=1)
    if measure == RENYIINF:
        ratio = np.where(pos_p, pn / np.where(pos_q, qn, 1.0), 0.0)
        ratio = np.where(pos_p & ~pos_q, np.inf, ratio)
        return ratio.max(axis=1, initial=0.0)
    raise ValueError(f"unknown measure {measure}")


def pair_rows(p, p_sums, q, q_sums, measure: int, alpha: float, out, n_threads: int) -> None:
    if p.shape[1] == 0:
        out[:] = 0.0
        return
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        vals = _pair_terms(_normalised(p, p_sums), _normalised(q, q_sums), measure, alpha)
    out[:] = np.broadcast_to(vals, out.shape)


def power_rows(x, sums, mode: int, alpha: float, out, n_threads: int) -> None:
    if x.shape[1] == 0:
        out[:] = 0.0
        return
    pn = _normalised(x, sums)
    pos = pn > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if mode == 0:
            logp = np.log(np.where(pos, pn, 1.0))
            out[:] = np.where(pos, pn * np.expm1((alpha - 1.0) * logp), 0.0).sum(axis=1)
        elif mode == 1:
            out[:] = pos.sum(axis=1)
        elif mode == 3:
            logp = np.log(np.where(pos, pn, 1.0))
            out[:] = np.where(pos, np.exp(alpha * logp), 0.0).sum(axis=1)
        else:
            out[:] = np.where(pos, pn, 0.0).max(axis=1, initial=0.0)
