"""differential_entropy (sample spacings): kernel vs twin, vs scipy, ties, tiny samples, dtypes.

scipy's own suite runs against it in tests/test_scipy_differential_entropy_compat.py.
"""
import math
import warnings

import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given, settings
from hypothesis import strategies as st

import fastentropy
from fastentropy import differential_entropy

scipy_stats = pytest.importorskip("scipy.stats")

METHODS = ["vasicek", "van es", "ebrahimi", "correa", "auto"]
CODES = {"vasicek": 0, "van es": 1, "ebrahimi": 2, "correa": 3, "auto": 4}


def _scipy(*args, **kw):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return scipy_stats.differential_entropy(*args, **kw)


def _ours(*args, **kw):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return differential_entropy(*args, **kw)


def _correa_longdouble(x, m):
    """scipy's Correa formula in long double on the sorted rows (reference for accuracy)."""
    s = np.sort(np.asarray(x, dtype=np.float64), axis=-1).astype(np.longdouble)
    n = s.shape[-1]
    pad = np.concatenate([np.repeat(s[:, :1], m, 1), s, np.repeat(s[:, -1:], m, 1)], axis=1)
    dj = np.arange(-m, m + 1)[:, None]
    win = pad[:, np.arange(n)[None, :] + dj + m]
    dev = win - win.mean(axis=1, keepdims=True)
    num = (dev * dj).sum(axis=1)
    den = n * (dev**2).sum(axis=1)
    return (-np.mean(np.log(num / den), axis=-1)).astype(np.float64)


# ------------------------------------------------------------------ kernel vs twin
def _run(mod, x, method, window, omit, presorted, n_threads=1):
    out = np.empty(x.shape[0])
    status = np.zeros(x.shape[0], dtype=np.int8)
    if presorted:
        x = np.sort(x, axis=1)
    with np.errstate(all="ignore"):
        mod.spacing_rows(x, out, status, method, window, omit, presorted, n_threads)
    return out, status


def _agree(a, b, rtol=1e-12, atol=1e-12):
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(np.isposinf(a), np.isposinf(b))
    assert np.array_equal(np.isneginf(a), np.isneginf(b))
    f = np.isfinite(a)
    np.testing.assert_allclose(a[f], b[f], rtol=rtol, atol=atol)


@st.composite
def _rows(draw):
    rows = draw(st.integers(1, 6))
    n = draw(st.integers(0, 70))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, n)) * draw(st.sampled_from([1.0, 1e-3, 1e6]))
    x += draw(st.sampled_from([0.0, 5.0, -1e4]))
    if draw(st.booleans()):  # ties
        x = np.round(x, draw(st.integers(0, 2)))
    if n and draw(st.booleans()):  # NaNs, and now and then a whole NaN row
        x[rng.random(x.shape) < draw(st.sampled_from([0.05, 0.3]))] = np.nan
    if n and draw(st.booleans()):
        x.flat[rng.integers(0, x.size)] = draw(st.sampled_from([np.inf, -np.inf]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    strided = draw(st.booleans())
    if strided:
        x = np.asfortranarray(x)
    return x.astype(dtype)


@settings(max_examples=60, deadline=None)
@given(
    _rows(),
    st.sampled_from(list(range(5))),
    st.sampled_from([0, 1, 2, 3, 7]),
    st.booleans(),
    st.booleans(),
)
def test_kernel_matches_twin(x, method, window, omit, presorted):
    compiled, twin = pair("spacing")
    a, sa = _run(compiled, x, method, window, int(omit), int(presorted))
    b, sb = _run(twin, x, method, window, int(omit), 0)
    assert np.array_equal(sa, sb)
    _agree(a, b, rtol=1e-11, atol=1e-11)


def test_kernel_in_kernel_sort_and_presorted_agree():
    compiled, _ = pair("spacing")
    x = np.random.default_rng(5).standard_normal((40, 333))
    for method in range(5):
        a, _ = _run(compiled, x, method, 0, 0, 0)
        b, _ = _run(compiled, x, method, 0, 0, 1)
        assert np.array_equal(a, b)  # the same sorted values: the same bits


@pytest.mark.parametrize("n", [1, 2, 3, 30, 48, 49, 50, 257, 4096])
def test_radix_sort_matches_numpy(n):
    compiled, _ = pair("spacing")
    rng = np.random.default_rng(n)
    x = rng.standard_normal((7, n))
    x[1] *= 1e-310  # subnormals
    x[2] = np.round(x[2])  # ties, zeros of both signs
    x[2, ::3] = -0.0
    if n > 4:
        x[3, :4] = [np.inf, -np.inf, 1e308, -1e308]
    x[4] = np.abs(x[4])
    x[5] = -np.abs(x[5])
    y = x.copy()
    compiled.sort_rows(y, 2)
    assert np.array_equal(y, np.sort(x, axis=1))


# ------------------------------------------------------------------ vs scipy
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("axis", [0, 1, -1, None, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matches_scipy_axis_keepdims(method, axis, keepdims):
    x = np.random.default_rng(11).standard_normal((13, 21, 6))
    a = _ours(x, axis=axis, method=method, keepdims=keepdims)
    b = _scipy(x, axis=axis, method=method, keepdims=keepdims)
    assert type(a) is type(b)
    assert np.shape(a) == np.shape(b)
    assert np.asarray(a).dtype == np.asarray(b).dtype
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [5, 9, 10, 11, 64, 1000, 1001, 2500])
def test_matches_scipy_every_size(method, n):
    rng = np.random.default_rng(n)
    x = np.concatenate([rng.standard_normal((3, n)), rng.exponential(size=(3, n)),
                        rng.standard_cauchy((3, n))])
    for wl in dict.fromkeys([None, 1, (n - 1) // 2]):
        a = _ours(x, axis=1, method=method, window_length=wl)
        b = _scipy(x, axis=1, method=method, window_length=wl)
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nan_policy", ["propagate", "omit"])
def test_matches_scipy_nan_policy(method, nan_policy):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((12, 40))
    x[0, 3] = np.nan
    x[1, :30] = np.nan  # 10 left: auto picks van es for this row only
    x[2, :36] = np.nan  # 4 left: too small after omitting
    x[3, :] = np.nan
    x[4, 1:28] = np.nan  # 13 left: ebrahimi
    for axis in (1, 0):
        xx = x if axis == 1 else x.T
        with warnings.catch_warnings(record=True) as wa:
            warnings.simplefilter("always")
            a = differential_entropy(xx, axis=axis, method=method, nan_policy=nan_policy)
        with warnings.catch_warnings(record=True) as wb:
            warnings.simplefilter("always")
            b = scipy_stats.differential_entropy(xx, axis=axis, method=method,
                                                 nan_policy=nan_policy)
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
        small = lambda ws: sorted({w.category.__name__ for w in ws
                                   if "SmallSample" in w.category.__name__})
        assert small(wa) == small(wb)


def test_nan_policy_raise():
    x = np.random.default_rng(0).standard_normal((3, 20))
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="values contains NaN"):
        differential_entropy(x, axis=1, nan_policy="raise")
    with pytest.raises(ValueError, match="values contains NaN"):
        differential_entropy(x[1], nan_policy="raise")
    assert np.isfinite(differential_entropy(x[0], nan_policy="raise"))


def test_correa_accuracy_beyond_scipy_on_offset_data():
    rng = np.random.default_rng(8)
    x = 1e9 + rng.standard_normal((20, 1001))
    ref = _correa_longdouble(x, 32)
    ours = differential_entropy(x, axis=1, method="correa")
    np.testing.assert_allclose(ours, ref, rtol=0, atol=5e-14)
    # scipy's explicit mean-then-deviation loses digits here; ours stays within 5e-14
    theirs = _scipy(x, axis=1, method="correa")
    assert np.abs(theirs - ref).max() > 10 * np.abs(ours - ref).max()


@pytest.mark.parametrize("scale", [1.0, 1e-8, 1e8])
def test_correa_running_sums_with_outliers(scale):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((6, 800)) * scale
    x[:, :3] = -1e6 * scale  # a block of far outliers leaves the windows: restart needed
    x[:, -2:] = 1e7 * scale
    ref = _correa_longdouble(x, 28)
    ours = differential_entropy(x, axis=1, method="correa")
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-13)


# ------------------------------------------------------------------ ties, inf, tiny samples
@pytest.mark.parametrize("method", METHODS)
def test_ties_match_scipy(method):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 6, size=(20, 30)).astype(float)
    x[0] = 2.0  # constant row
    x[1, :20] = 1.0  # a long run of ties
    a = _ours(x, axis=1, method=method)
    b = _scipy(x, axis=1, method=method)
    _agree(a, b)
    if method in ("vasicek", "van es", "ebrahimi"):
        assert np.isneginf(a[0]) and np.isneginf(a[1])
    if method == "correa":
        assert np.isnan(a[0]) and np.isnan(a[1])


@pytest.mark.parametrize("method", METHODS)
def test_infinities_match_scipy(method):
    base = np.arange(1.0, 13.0)
    cases = [base.copy() for _ in range(4)]
    cases[0][3] = np.inf
    cases[1][3] = -np.inf
    cases[2][3:5] = np.inf
    cases[3][[2, 7]] = [np.inf, -np.inf]
    x = np.array(cases)
    _agree(_ours(x, axis=1, method=method), _scipy(x, axis=1, method=method))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7])
def test_tiny_samples_like_scipy(n):
    x = np.arange(float(n)) ** 1.5
    with warnings.catch_warnings(record=True) as wa:
        warnings.simplefilter("always")
        a = differential_entropy(x)
    with warnings.catch_warnings(record=True) as wb:
        warnings.simplefilter("always")
        b = scipy_stats.differential_entropy(x)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert len([w for w in wa if "SmallSample" in w.category.__name__]) == len(
        [w for w in wb if "SmallSample" in w.category.__name__])
    x2 = np.stack([x, 2 * x])
    if 0 < n < 5:
        with pytest.raises(ValueError, match=r"^window_length: Window length"):
            differential_entropy(x2, axis=1)
        with pytest.raises(ValueError, match=r"Window length"):
            scipy_stats.differential_entropy(x2, axis=1)
    else:
        np.testing.assert_allclose(_ours(x2, axis=1), _scipy(x2, axis=1), rtol=1e-12)


@pytest.mark.parametrize("n", [3, 4, 5, 8, 20])
def test_window_length_bounds(n):
    x = np.random.default_rng(n).standard_normal((2, n))
    for wl in range(-1, n + 1):
        ok = 2 <= 2 * wl < n
        if ok:
            for method in METHODS:
                np.testing.assert_allclose(
                    _ours(x, axis=1, window_length=wl, method=method),
                    _scipy(x, axis=1, window_length=wl, method=method), rtol=1e-12, atol=1e-13)
        else:
            with pytest.raises(ValueError, match=rf"Window length \({wl}\) must be positive"):
                differential_entropy(x, axis=1, window_length=wl)
            assert math.isnan(_ours(x[0], window_length=wl))  # one slice: NaN, as scipy
            assert math.isnan(_scipy(x[0], window_length=wl))


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.longdouble,
                                   np.int8, np.int64, np.uint16, bool])
def test_dtypes_like_scipy(dtype):
    rng = np.random.default_rng(6)
    x = (rng.standard_normal((4, 30)) * 20).astype(dtype)
    a, b = _ours(x, axis=1), _scipy(x, axis=1)
    assert a.dtype == b.dtype
    rtol = {np.float32: 1e-5, np.float16: 5e-3}.get(dtype, 1e-12)
    _agree(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=rtol)
    s = _ours(x[0])
    assert type(s) is type(_scipy(x[0]))


def test_float32_is_computed_in_float64():
    x = np.random.default_rng(1).standard_normal((5, 200)).astype(np.float32)
    a = differential_entropy(x, axis=1, method="correa")
    b = differential_entropy(x.astype(np.float64), axis=1, method="correa")
    assert a.dtype == np.float32
    assert np.array_equal(a, b.astype(np.float32))


def test_list_and_base():
    x = [0.3, 1.2, 2.2, 0.1, 5.0, 3.3, 1.9, 0.7, 4.4, 2.8, 3.9]
    np.testing.assert_allclose(differential_entropy(x, base=2),
                               _scipy(np.array(x), base=2), rtol=1e-13)
    assert math.isinf(_ours(x, base=1))


# ------------------------------------------------------------------ argument errors
@pytest.mark.parametrize(
    "kwargs, exc, pattern",
    [
        ({"method": "nope"}, ValueError, r"^method: `method` must be one of"),
        ({"method": 3}, TypeError, r"^method must be a str"),
        ({"base": -2}, ValueError, r"^base: `base` must be a positive number"),
        ({"base": "e"}, TypeError, r"^base must be"),
        ({"nan_policy": "skip"}, ValueError, r"^nan_policy must be one of"),
        ({"window_length": 2.5}, TypeError, r"^window_length must be an int"),
        ({"window_length": True}, TypeError, r"^window_length must be an int"),
        ({"axis": 3}, ValueError, r"^axis=3 is out of bounds"),
        ({"axis": 0.5}, TypeError, r"^axis must be"),
        ({"axis": (0, 0)}, ValueError, r"^axis must hold distinct"),
        ({"keepdims": "yes"}, TypeError, r"^keepdims must be a bool"),
        ({"n_jobs": 0}, ValueError, r"^n_jobs"),
    ],
)
def test_bad_arguments(kwargs, exc, pattern):
    x = np.random.default_rng(0).standard_normal((3, 20))
    with pytest.raises(exc, match=pattern):
        differential_entropy(x, **kwargs)


def test_bad_values():
    with pytest.raises(TypeError, match=r"^values must be real"):
        differential_entropy(np.ones(10, dtype=complex))
    with pytest.raises(TypeError, match=r"^values must have a real numeric dtype"):
        differential_entropy(np.array(["a"] * 10))
    with pytest.raises(TypeError, match=r"^values: masked arrays"):
        differential_entropy(np.ma.masked_array(np.arange(10.0)))
    with pytest.raises(ValueError, match=r"^values must be a rectangular"):
        differential_entropy([[1.0, 2.0], [3.0]])


def test_axis_error_is_numpy_axis_error():
    with pytest.raises(np.exceptions.AxisError if hasattr(np, "exceptions") else np.AxisError):
        differential_entropy(np.ones((3, 20)), axis=-3)


# ------------------------------------------------------------------ threads
@pytest.mark.parametrize("method", METHODS)
def test_bitwise_identical_for_any_n_jobs(method):
    x = np.random.default_rng(2).standard_normal((600, 300))
    ref = differential_entropy(x, axis=1, method=method, n_jobs=1)
    for n_jobs in (2, 3, None, -1):
        assert np.array_equal(differential_entropy(x, axis=1, method=method, n_jobs=n_jobs), ref)
    assert np.array_equal(differential_entropy(x.T, axis=0, method=method, n_jobs=2), ref)


def test_exported():
    assert "differential_entropy" in fastentropy.__all__
    assert fastentropy.differential_entropy is differential_entropy
