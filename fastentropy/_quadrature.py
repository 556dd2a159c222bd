"""Adaptive interval bisection for the 1-D quadratures of the mixture families (Python-level
driver shared by their facades; the integrands are theirs)."""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np


def adaptive_sum(
    pieces: Callable[[np.ndarray, np.ndarray], np.ndarray],
    edges: np.ndarray,
    max_intervals: int,
    *,
    rtol: float = 1e-11,
    atol: float = 1e-13,
    max_rounds: int = 200,
) -> tuple[float, float, bool]:
    """The integral over ``[edges[0], edges[-1]]`` as a sum over intervals.

    ``pieces(a, b)`` integrates over every interval ``[a[i], b[i]]`` at once (a fixed rule,
    e.g. Gauss-Legendre). Each round compares the whole interval with its two halves and
    bisects the intervals whose error is above their share of the target
    ``atol + rtol * sum |halves|``, until the summed error meets it, nothing can be split
    further, ``max_intervals`` is reached or ``max_rounds`` pass. Returns (the sum over the
    halves, the summed error estimate, whether the target was met)."""
    a, b = edges[:-1], edges[1:]
    halves = np.zeros(0)
    err = np.zeros(0)
    for _ in range(max_rounds):
        m = 0.5 * (a + b)
        whole = pieces(a, b)
        halves = pieces(a, m) + pieces(m, b)
        err = np.abs(whole - halves)
        target = atol + rtol * float(np.abs(halves).sum())
        if float(err.sum()) <= target:
            return float(np.sum(halves)), float(err.sum()), True
        split = (err > target / a.size) & (m > a) & (m < b)
        if not split.any() or a.size >= max_intervals:
            break
        a = np.concatenate([a[~split], a[split], m[split]])
        b = np.concatenate([b[~split], m[split], b[split]])
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
    return float(np.sum(halves)), float(err.sum()), False


def warn_unconverged(err: float, total: float, stacklevel: int) -> None:
    """The RuntimeWarning of a quadrature that stopped short of its tolerance."""
    warnings.warn(
        f"method='quad' did not reach its tolerance: error estimate {err:.3g} on {total!r}",
        RuntimeWarning,
        stacklevel=stacklevel + 1,
    )
