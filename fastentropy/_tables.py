"""Lookup tables and special functions shared by the compiled kernels and their NumPy twins.

Neither side owns them: the compiled estimators kernel copies the tables into C arrays when it is
imported, and the twin reads the same arrays, so the oracle and what it checks share only this
module, which has its own reference test against mpmath (``tests/test_tables.py``). It needs
NumPy only (no SciPy), so importing a kernel does not pay for ``scipy.special``.

Tables, for integer counts ``n < TABLE_SIZE`` (entry 0 is 0):

- ``nlogn_table()``: :math:`n \\log n`;
- ``digamma_table()``: :math:`\\psi(n)`;
- ``grassberger_table()``: Grassberger's (2003) :math:`G(n) = \\psi(n) + (-1)^n \\beta(n)`,
  :math:`\\beta(n) = \\frac12[\\psi(\\frac{n+1}2) - \\psi(\\frac n2)]
  = \\int_0^1 t^{n-1}/(1+t)\\,dt`;
- ``jackknife_table()``: :math:`g(n) = n \\log n - (n-1)\\log(n-1)`;
- ``gauss_legendre()``: the ``GL_NODES``-point Gauss-Legendre rule on [-1, 1].

Special functions (vectorised, float64), written so that they do not cancel; the compiled
kernels have nogil twins of each in ``_kernels/_special.pxd``, computed the same way:

- ``log_minus_digamma(x)`` = :math:`\\log x - \\psi(x)` (about :math:`1/(2x)`), x > 0;
- ``digamma(x)`` = :math:`\\log x - (\\log x - \\psi(x))`, x > 0;
- ``grassberger_beta(x)`` = :math:`\\beta(x)` above, x > 0;
- ``log_minus_grassberger(n)`` = :math:`\\log n - G(n)` (about :math:`-1/(6n^2)` for even
  n), n >= 1;
- ``jackknife_excess(n)`` = :math:`g(n) - \\log n - 1` (about :math:`-1/(2n)`), n >= 1.

The last three let an estimator of the form :math:`F(N) - \\frac1N\\sum_i n_i f(n_i)` be summed as
:math:`\\frac1N\\sum_i n_i [F(N) - f(n_i)]` with the term of a dominant count written through
:math:`\\log(N/n) = \\mathrm{log1p}((N-n)/n)` plus these small differences, which is what keeps
such estimators accurate on rows where one count holds nearly all the mass.
"""
from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import numpy.typing as npt

__all__ = [
    "TABLE_SIZE",
    "GL_NODES",
    "nlogn_table",
    "digamma_table",
    "grassberger_table",
    "jackknife_table",
    "gauss_legendre",
    "log_minus_digamma",
    "digamma",
    "grassberger_beta",
    "log_minus_grassberger",
    "jackknife_excess",
    "GRASSBERGER_EVEN_SERIES",
    "GRASSBERGER_SERIES_FROM",
    "JACKKNIFE_SERIES_FROM",
    "LOG_MINUS_DIGAMMA_SHIFT",
]

FloatArray = npt.NDArray[np.float64]

#: tables cover the counts 0 .. TABLE_SIZE - 1 (a power of two: kernels index with a mask)
TABLE_SIZE = 65536
#: nodes of the Gauss-Legendre rule the kernels integrate with
GL_NODES = 16

#: log x - psi(x) is shifted up by its recurrence until x >= this, then summed asymptotically
LOG_MINUS_DIGAMMA_SHIFT = 12.0
#: even n from which log n - G(n) is summed by its asymptotic series
GRASSBERGER_SERIES_FROM = 16
#: n from which g(n) - log n - 1 is summed by its convergent series
JACKKNIFE_SERIES_FROM = 16


def _bernoulli(count: int) -> list[Fraction]:
    """B_0 .. B_{count-1} exactly (Akiyama-Tanigawa; B_1 = +1/2 in this convention, unused)."""
    out = []
    a = [Fraction(0)] * count
    for m in range(count):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        out.append(a[0])
    return out


_B = _bernoulli(30)
#: B_{2k} / (2k), k = 1..7: log x - psi(x) ~ 1/(2x) + sum_k B_2k / (2k x^2k)
_DIGAMMA_SERIES = tuple(float(_B[2 * k] / (2 * k)) for k in range(1, 8))
#: log n - G(n) for even n ~ sum_k c_k / n^2k, c_k = -(2^2k - 2) B_2k / (2k), k = 1..14 (an
#: asymptotic series; from n = 16 on, its first omitted term is below 1e-16 of the value)
GRASSBERGER_EVEN_SERIES = tuple(
    float(-(2 ** (2 * k) - 2) * _B[2 * k] / (2 * k)) for k in range(1, 15)
)


def _poly_even(x2: FloatArray, coef: tuple[float, ...]) -> FloatArray:
    """sum_k coef[k-1] * x2^k (Horner), for x2 = 1/x^2."""
    acc = np.zeros_like(x2)
    for c in reversed(coef):
        acc = x2 * (c + acc)
    return acc


def log_minus_digamma(x: npt.ArrayLike) -> FloatArray:
    """log(x) - digamma(x) for x > 0, as a sum of positive terms (no cancellation).

    Below ``LOG_MINUS_DIGAMMA_SHIFT``: D(x) = D(x + 1) + 1/x - log1p(1/x) (each step positive);
    above it the asymptotic series 1/(2x) + sum B_2k / (2k x^2k), truncated after k = 7 (the
    first omitted term is below 1e-16 of the value there).
    """
    y = np.array(x, dtype=np.float64, copy=True)
    acc = np.zeros_like(y)
    small = y < LOG_MINUS_DIGAMMA_SHIFT
    while small.any():
        ys = y[small]
        acc[small] += 1.0 / ys - np.log1p(1.0 / ys)
        y[small] = ys + 1.0
        small = y < LOG_MINUS_DIGAMMA_SHIFT
    u = 1.0 / y
    out: FloatArray = acc + (0.5 * u + _poly_even(u * u, _DIGAMMA_SERIES))
    return out


def digamma(x: npt.ArrayLike) -> FloatArray:
    """digamma(x) for x > 0, as log(x) - (log(x) - digamma(x))."""
    xa = np.asarray(x, dtype=np.float64)
    out: FloatArray = np.log(xa) - log_minus_digamma(xa)
    return out


def grassberger_beta(x: npt.ArrayLike) -> FloatArray:
    """beta(x) = (psi((x+1)/2) - psi(x/2)) / 2 = int_0^1 t^(x-1) / (1 + t) dt for x > 0, as
    (log1p(1/x) + D(x/2) - D((x+1)/2)) / 2 with D = log - digamma (relative error a few ulp)."""
    xa = np.asarray(x, dtype=np.float64)
    out: FloatArray = 0.5 * (
        np.log1p(1.0 / xa) + (log_minus_digamma(0.5 * xa) - log_minus_digamma(0.5 * (xa + 1.0)))
    )
    return out


def log_minus_grassberger(n: npt.ArrayLike) -> FloatArray:
    """log(n) - G(n) for integers n >= 1 (G: Grassberger 2003), without the cancellation of the
    difference: D(n) + beta(n) for odd n; for even n D(n) - beta(n), which is ~ -1/(6 n^2), from
    the asymptotic series sum_k c_k / n^2k once n >= ``GRASSBERGER_SERIES_FROM``."""
    na = np.asarray(n, dtype=np.float64)
    even = np.fmod(na, 2.0) == 0.0
    d = log_minus_digamma(na)
    b = grassberger_beta(na)
    direct = np.where(even, d - b, d + b)
    big = even & (na >= GRASSBERGER_SERIES_FROM)
    nb = np.where(big, na, float(GRASSBERGER_SERIES_FROM))
    u = 1.0 / nb
    series = _poly_even(u * u, GRASSBERGER_EVEN_SERIES)
    out: FloatArray = np.where(big, series, direct)
    return out


def jackknife_excess(n: npt.ArrayLike) -> FloatArray:
    """g(n) - log(n) - 1 for integers n >= 1, g(n) = n log n - (n-1) log(n-1): -1 at n = 1,
    -(n-1) log1p(-1/n) - 1 below ``JACKKNIFE_SERIES_FROM``, and the convergent series
    -sum_k n^-k / (k (k+1)) above (no cancellation)."""
    na = np.asarray(n, dtype=np.float64)
    small = na < JACKKNIFE_SERIES_FROM
    ns = np.where(small & (na > 1.0), na, 2.0)
    direct = np.where(na <= 1.0, -1.0, -(ns - 1.0) * np.log1p(-1.0 / ns) - 1.0)
    nl = np.where(small, float(JACKKNIFE_SERIES_FROM), na)
    u = 1.0 / nl
    acc = np.zeros_like(nl)
    term = u / 2.0
    uk = u.copy()
    k = 1
    while True:
        acc += term
        if not (term > 1e-17 * acc).any():
            break
        k += 1
        uk = uk * u
        term = uk / (k * (k + 1))
    out: FloatArray = np.where(small, direct, -acc)
    return out


def _readonly(a: FloatArray) -> FloatArray:
    a.setflags(write=False)
    return a


@functools.cache
def nlogn_table(size: int = TABLE_SIZE) -> FloatArray:
    """n log n for n = 0 .. size - 1 (0 log 0 = 0). Read-only, computed once."""
    n = np.arange(size, dtype=np.float64)
    return _readonly(np.where(n > 0, n * np.log(np.maximum(n, 1.0)), 0.0))


@functools.cache
def digamma_table(size: int = TABLE_SIZE) -> FloatArray:
    """digamma(n) for n = 1 .. size - 1, and 0 at n = 0. Read-only, computed once."""
    n = np.arange(size, dtype=np.float64)
    return _readonly(np.where(n > 0, digamma(np.maximum(n, 1.0)), 0.0))


@functools.cache
def grassberger_table(size: int = TABLE_SIZE) -> FloatArray:
    """Grassberger's G(n) = psi(n) + (-1)^n beta(n) for n >= 1, 0 at n = 0. Read-only."""
    n = np.arange(size, dtype=np.float64)
    n1 = np.maximum(n, 1.0)
    sign = np.where(np.fmod(n1, 2.0) == 0.0, 1.0, -1.0)
    g = digamma_table(size) + sign * grassberger_beta(n1)
    return _readonly(np.where(n > 0, g, 0.0))


@functools.cache
def jackknife_table(size: int = TABLE_SIZE) -> FloatArray:
    """g(n) = n log n - (n-1) log(n-1) for n >= 1 (g(1) = 0), 0 at n = 0, written as
    log n - (n-1) log1p(-1/n) so no large terms cancel. Read-only."""
    n = np.arange(size, dtype=np.float64)
    n2 = np.maximum(n, 2.0)
    return _readonly(np.where(n > 1, np.log(n2) - (n2 - 1.0) * np.log1p(-1.0 / n2), 0.0))


@functools.cache
def gauss_legendre(nodes: int = GL_NODES) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights of the ``nodes``-point Gauss-Legendre rule on [-1, 1]. Read-only."""
    x, w = np.polynomial.legendre.leggauss(nodes)
    return _readonly(np.asarray(x, dtype=np.float64)), _readonly(np.asarray(w, dtype=np.float64))
