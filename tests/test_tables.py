"""The neutral tables module (fastentropy._tables) against 50-digit mpmath references.

Both the compiled estimators kernel and its NumPy twin read these tables, so they are checked
here independently of either.
"""
import ast
import pathlib
import re

import mpmath
import numpy as np
import pytest

from fastentropy import _tables as T

ROOT = pathlib.Path(T.__file__).parent


@pytest.fixture(autouse=True)
def _fifty_digits():
    # the references are 50-digit values whatever precision other test modules left behind
    with mpmath.workdps(50):
        yield

# table indices checked: the small ones, the odd/even switch points, and the top of the table
IDX = sorted({*range(1, 80), 99, 100, 101, 777, 1000, 1001, 4095, 4096, 65534, 65535})


def _rel(got, ref):
    ref = mpmath.mpf(ref)
    if ref == 0:
        return abs(got)
    return float(abs((mpmath.mpf(got) - ref) / ref))


def _beta(x):
    x = mpmath.mpf(x)
    return (mpmath.digamma((x + 1) / 2) - mpmath.digamma(x / 2)) / 2


def _G(n):
    return mpmath.digamma(n) + (-1) ** n * _beta(n)


def _g(n):
    return n * mpmath.log(n) - (n - 1) * mpmath.log(n - 1) if n > 1 else mpmath.mpf(0)


def test_table_shapes_and_zero_entries():
    for tab in (T.nlogn_table(), T.digamma_table(), T.grassberger_table(), T.jackknife_table()):
        assert tab.shape == (T.TABLE_SIZE,) and tab.dtype == np.float64
        assert tab[0] == 0.0
        assert not tab.flags.writeable  # shared by kernel and twin: nobody may change them
    assert T.TABLE_SIZE & (T.TABLE_SIZE - 1) == 0  # the kernels index with a mask


def test_nlogn_table():
    tab = T.nlogn_table()
    for n in IDX:
        assert _rel(tab[n], n * mpmath.log(n)) <= 2e-16, n


def test_digamma_table():
    tab = T.digamma_table()
    for n in IDX:
        assert _rel(tab[n], mpmath.digamma(n)) <= 4e-16, n


def test_grassberger_table():
    tab = T.grassberger_table()
    for n in IDX:
        assert _rel(tab[n], _G(n)) <= 4e-16, n
    # the paper's closed values: G(1) = -gamma - log 2, G(2) = 2 - gamma - log 2
    assert _rel(tab[1], -mpmath.euler - mpmath.log(2)) <= 2e-16
    assert _rel(tab[2], 2 - mpmath.euler - mpmath.log(2)) <= 2e-16


def test_jackknife_table():
    tab = T.jackknife_table()
    assert tab[1] == 0.0
    for n in IDX[1:]:
        assert _rel(tab[n], _g(n)) <= 4e-16, n


def test_gauss_legendre_rule():
    x, w = T.gauss_legendre()
    assert x.shape == w.shape == (T.GL_NODES,)
    for xi, wi in zip(x, w, strict=True):
        xm = mpmath.mpf(xi)
        assert abs(mpmath.legendre(T.GL_NODES, xm)) < 1e-14
        dp = mpmath.diff(lambda t: mpmath.legendre(T.GL_NODES, t), xm)
        assert _rel(wi, 2 / ((1 - xm**2) * dp**2)) <= 1e-14
    # exact for polynomials of degree 2 * 16 - 1
    for deg in (0, 2, 10, 30):
        assert float((w * x**deg).sum()) == pytest.approx(2.0 / (deg + 1), rel=1e-14)


REALS = [1e-300, 1e-10, 0.3, 0.5, 1.0, 1.5, 2.0, 7.5, 9.99, 10.0, 11.999, 12.0, 12.5, 31.0, 100.0,
         1e3, 65535.0, 1e6, 1e12, 2.0**62, 1e300]


@pytest.mark.parametrize("x", REALS)
def test_log_minus_digamma(x):
    ref = mpmath.log(mpmath.mpf(x)) - mpmath.digamma(mpmath.mpf(x))
    assert _rel(float(T.log_minus_digamma(x)), ref) <= 6e-16


@pytest.mark.parametrize("x", [r for r in REALS if r > 1e-200])
def test_digamma(x):
    ref = mpmath.digamma(mpmath.mpf(x))
    got = float(T.digamma(x))
    assert abs(got - float(ref)) <= 4e-16 * max(abs(float(ref)), 1.0)


@pytest.mark.parametrize("x", [r for r in REALS if r >= 1e-10])
def test_grassberger_beta(x):
    assert _rel(float(T.grassberger_beta(x)), _beta(x)) <= 8e-16


@pytest.mark.parametrize("n", [*range(1, 40), 100, 101, 65536, 10**6, 10**6 + 1, 2**40, 2**40 + 1,
                               2**52, 2**61])
def test_log_minus_grassberger(n):
    """log n - G(n), about -1/(6 n^2) for even n: from its series, relative accuracy kept
    (below 16 the direct difference loses up to ~6n ulp of this small value)."""
    with mpmath.workdps(60 + 3 * int(mpmath.log10(n) + 1)):
        ref = mpmath.log(n) - _G(n)
    tol = 2.5e-14 if (n % 2 == 0 and n < T.GRASSBERGER_SERIES_FROM) else 1e-15
    assert _rel(float(T.log_minus_grassberger(n)), ref) <= tol


@pytest.mark.parametrize("n", [1, 2, 3, 15, 16, 17, 100, 65536, 10**9, 2**62])
def test_jackknife_excess(n):
    with mpmath.workdps(60 + 2 * int(mpmath.log10(n) + 1)):
        ref = _g(mpmath.mpf(n)) - mpmath.log(n) - 1
    assert _rel(float(T.jackknife_excess(n)), ref) <= 5e-15


def test_series_coefficients():
    """The Bernoulli-number coefficients, against mpmath's Bernoulli numbers."""
    for k, c in enumerate(T.GRASSBERGER_EVEN_SERIES, start=1):
        ref = -(2 ** (2 * k) - 2) * mpmath.bernoulli(2 * k) / (2 * k)
        assert _rel(c, ref) <= 2e-16, k


def test_special_pxd_has_the_same_coefficients():
    """_special.pxd computes the same functions in nogil code: its literal series coefficients
    must be these (a typo there would only show as a kernel/twin mismatch)."""
    src = (ROOT / "_kernels" / "_special.pxd").read_text()
    body = src[src.index("cdef inline double log_minus_grassberger"):]
    body = body[:body.index("cdef inline double jackknife_excess")]
    literals = [float(t) for t in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", body)]
    for c in T.GRASSBERGER_EVEN_SERIES:
        assert c in literals, c


def test_no_scipy_and_no_kernel_imports():
    """The neutral module imports NumPy only: neither scipy (whose import the kernel's first
    call would pay) nor a kernel or a twin."""
    tree = ast.parse((ROOT / "_tables.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add(node.module or "")
    assert not any(n.startswith("scipy") or "_kernels" in n or "_twins" in n for n in names), names


def test_kernel_and_twin_do_not_import_each_other():
    # the sources of the checkout (an installed wheel ships no .pyx)
    src = pathlib.Path(__file__).resolve().parent.parent / "fastentropy"
    if not (src / "_kernels" / "estimators.pyx").exists():
        pytest.skip("the kernel sources are not beside the tests (no checkout)")
    pyx = (src / "_kernels" / "estimators.pyx").read_text()
    twin = (src / "_twins" / "estimators.py").read_text()
    assert "_twins" not in pyx.replace("NumPy twin", "")
    assert "_kernels" not in twin.replace("_kernels/estimators", "")


def test_compiled_kernel_does_not_load_scipy():
    """issue 5 item 19: the compiled kernel's import (and first call) no longer pays for
    scipy.special; checked in a fresh interpreter."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "import fastentropy\n"
        "before = 'scipy.special' in sys.modules\n"
        "try:\n"
        "    from fastentropy._kernels import estimators as k\n"
        "except ImportError:\n"
        "    print('unbuilt'); raise SystemExit(0)\n"
        "out = np.empty(1)\n"
        "k.entropy_counts_rows(np.array([[3, 1, 0]]), np.array([3.0]), 3, out, None, 1)\n"
        "print('loaded' if (not before and 'scipy.special' in sys.modules) else 'clean')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(ROOT.parent), timeout=120)  # where this package is
    assert res.returncode == 0, res.stderr
    if res.stdout.strip() == "unbuilt":
        pytest.skip("compiled estimators kernel not built (NumPy-only install)")
    assert res.stdout.strip() == "clean"
