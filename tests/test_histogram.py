"""fastentropy.histogram: numpy's counts, edges, dtypes and errors; kernel vs twin; threads."""
import warnings

import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given
from hypothesis import strategies as st

import fastentropy as fe
from fastentropy._parallel import resolve_n_jobs

DTYPES = [np.float64, np.float32, np.int64, np.int32, np.int8, np.uint8, np.uint64, np.float16]
RULES = ["auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"]


def same_as_numpy(ours, theirs, *args, **kwargs):
    """Both raise the same exception type, or both return equal values of equal dtypes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = theirs(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        with pytest.raises(type(exc)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                ours(*args, **kwargs)
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = ours(*args, **kwargs)
    assert_same(got, expected)
    return got


def assert_same(got, expected):
    if isinstance(expected, (tuple, list)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
        return
    got = np.asarray(got)
    expected = np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


@st.composite
def samples(draw, min_size=0, max_size=300):
    dtype = draw(st.sampled_from(DTYPES))
    n = draw(st.integers(min_size, max_size))
    kind = draw(st.sampled_from(["normal", "grid", "offset", "small_ints", "const"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if kind == "normal":
        x = rng.normal(scale=draw(st.sampled_from([1e-3, 1.0, 50.0])), size=n)
    elif kind == "grid":
        # many values exactly on equal-width edges
        g = np.linspace(-3, 5, draw(st.integers(2, 41)))
        x = np.concatenate([g, rng.choice(g, size=n)])
    elif kind == "offset":
        # narrow spread on a large offset: numpy's guess can be off by more than one bin
        x = 1e6 + rng.random(n) * draw(st.sampled_from([1e-9, 1e-6, 1.0]))
    elif kind == "small_ints":
        x = rng.integers(-5, 40, size=n).astype(float)
    else:
        x = np.full(n, draw(st.sampled_from([0.0, 3.0, -7.5])))
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        x = np.clip(np.round(x), info.min, info.max)
    with np.errstate(over="ignore"):
        return x.astype(dtype)


bins_strategy = st.one_of(
    st.integers(1, 40),
    st.sampled_from(RULES),
    st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=12).map(sorted),
)
range_strategy = st.one_of(
    st.none(),
    st.tuples(st.floats(-10, 10), st.floats(0, 10)).map(lambda t: (t[0], t[0] + t[1])),
    st.just((0, 1)),
)


@given(samples(), bins_strategy, range_strategy, st.sampled_from([None, True]))
def test_histogram_matches_numpy(x, bins, range_, density):
    if isinstance(bins, str) and x.dtype == np.uint64 and x.size and range_ is None:
        bins = 10  # numpy's rules overflow on uint64 percentiles differently per version
    same_as_numpy(fe.histogram, np.histogram, x, bins, range=range_, density=density)
    same_as_numpy(fe.histogram_bin_edges, np.histogram_bin_edges, x, bins, range=range_)


@given(samples(min_size=1),
       st.one_of(st.integers(1, 40), bins_strategy.filter(lambda b: not isinstance(b, str))),
       range_strategy, st.sampled_from([np.float64, np.float32, np.int64]), st.booleans())
def test_weighted_histogram_matches_numpy_bitwise(x, bins, range_, wdtype, density):
    w = np.random.default_rng(x.size).normal(size=x.shape).astype(wdtype)
    same_as_numpy(fe.histogram, np.histogram, x, bins, range=range_, weights=w, density=density)


def test_values_exactly_on_edges_and_their_neighbours():
    for lo, hi, nb in [(0.0, 1.0, 10), (-3.3, 7.1, 7), (1e-3, 1e-3 + 1e-9, 5), (-1e8, 3e9, 97)]:
        e = np.linspace(lo, hi, nb + 1)
        x = np.concatenate([e, np.nextafter(e, -np.inf), np.nextafter(e, np.inf)])
        x = np.repeat(x, 3)
        same_as_numpy(fe.histogram, np.histogram, x, nb, range=(lo, hi))
        same_as_numpy(fe.histogram, np.histogram, x, nb)
        same_as_numpy(fe.histogram, np.histogram, x.astype(np.float32), nb, range=(lo, hi))
        same_as_numpy(fe.histogram, np.histogram, x, e[::2])
        same_as_numpy(fe.histogram2d, np.histogram2d, x, x[::-1], nb, range=[(lo, hi), (lo, hi)])
        same_as_numpy(fe.histogram2d, np.histogram2d, x, x[::-1], [e, nb])


def test_last_bin_is_closed_and_range_filters(rng):
    counts, _ = fe.histogram([0.0, 0.5, 1.0, 1.0, 2.0, -1.0], bins=2, range=(0, 1))
    assert counts.tolist() == [1, 3]
    assert counts.dtype == np.int64
    x = rng.normal(size=5000)
    same_as_numpy(fe.histogram, np.histogram, x, 13, range=(-0.5, 0.25))


def test_big_offset_narrow_range_uses_numpy_arithmetic(rng):
    # numpy's guess is off here by more than a bin; numpy's exact formula is reproduced
    x = 1e6 + rng.random(20000) * 3e-9
    for nb in (3, 10, 64):
        same_as_numpy(fe.histogram, np.histogram, x, nb)
        same_as_numpy(fe.histogram, np.histogram, x, nb, weights=rng.random(x.size))


def test_nan_handling_matches_numpy():
    x = np.array([0.0, np.nan, 1.0, 2.0])
    with pytest.raises(ValueError, match="autodetected range of"):
        fe.histogram(x)
    with pytest.raises(ValueError, match="not finite"):
        fe.histogram(np.array([0.0, np.inf]))
    same_as_numpy(fe.histogram, np.histogram, x, 4, range=(0, 2))
    same_as_numpy(fe.histogram, np.histogram, x, [0, 0.5, 2.0])
    big = np.random.default_rng(1).normal(size=100000)
    big[77777] = np.nan
    with pytest.raises(ValueError, match="autodetected range"):
        fe.histogram(big, 10)
    same_as_numpy(fe.histogram, np.histogram, big, 10, range=(-1, 1))


def test_layouts_and_dtypes(rng):
    base = rng.normal(size=(300, 40))
    for arr in (base[::3, ::2], np.asfortranarray(base), base.T, base.astype(np.float32)[:, 5]):
        same_as_numpy(fe.histogram, np.histogram, arr, 17)
        same_as_numpy(fe.histogram, np.histogram, arr, 17, weights=np.ones(arr.shape))
    ro = base.copy()
    ro.setflags(write=False)
    same_as_numpy(fe.histogram, np.histogram, ro, 9)
    for dt in (np.int8, np.int16, np.uint16, np.int64, np.uint32):
        same_as_numpy(fe.histogram, np.histogram, rng.integers(0, 100, 1000).astype(dt), 7)
    same_as_numpy(fe.histogram, np.histogram, np.array([], dtype=float), 5)
    same_as_numpy(fe.histogram, np.histogram, np.array([2 ** 60, 2 ** 60 + 1], dtype=np.int64), 3)
    with pytest.warns(RuntimeWarning, match="bool"):
        got = fe.histogram(np.array([True, False, True]), 2)
    assert_same(got, np.histogram(np.array([0, 1, 1], dtype=np.uint8), 2))


@st.composite
def dd_args(draw):
    d = draw(st.integers(1, 3))
    n = draw(st.integers(0, 200))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    grid = draw(st.booleans())
    if grid:
        sample = rng.choice(np.linspace(-2, 2, 9), size=(n, d))
    else:
        sample = rng.normal(size=(n, d))
    if dtype == np.int64:
        sample = np.round(sample * 3)
    sample = sample.astype(dtype)
    bins = []
    for _ in range(d):
        if draw(st.booleans()):
            bins.append(draw(st.integers(1, 12)))
        else:
            bins.append(np.sort(rng.normal(size=draw(st.integers(2, 8)))))
    if all(np.ndim(b) == 0 for b in bins) and draw(st.booleans()):
        bins = bins[0]
    rng_arg = None
    if draw(st.booleans()):
        rng_arg = [None if draw(st.booleans()) else (-1.0, 1.5) for _ in range(d)]
    weights = rng.random(n) if draw(st.booleans()) else None
    return sample, bins, rng_arg, weights, draw(st.booleans())


@given(dd_args())
def test_histogramdd_matches_numpy(args):
    sample, bins, range_, weights, density = args
    same_as_numpy(fe.histogramdd, np.histogramdd, sample, bins, range_, density or None, weights)
    if sample.shape[1] == 2:
        b2 = bins if isinstance(bins, int) else list(bins)
        same_as_numpy(fe.histogram2d, np.histogram2d, sample[:, 0], sample[:, 1], b2, range_,
                      density or None, weights)


def test_histogram2d_argument_forms(rng):
    x, y = rng.normal(size=(2, 3000))
    for bins in (7, [5, 9], np.linspace(-2, 2, 6), [np.linspace(-1, 1, 4), 6]):
        same_as_numpy(fe.histogram2d, np.histogram2d, x, y, bins)
    same_as_numpy(fe.histogram2d, np.histogram2d, x.astype(np.float32), y, 8)
    same_as_numpy(fe.histogram2d, np.histogram2d, x, y, 8, [[-1, 1], [0, 2]], True)
    same_as_numpy(fe.histogramdd, np.histogramdd, (x, y), 5)
    same_as_numpy(fe.histogramdd, np.histogramdd, np.asfortranarray(np.stack([x, y, x], 1)), 4)


def _one_thread_reason():
    """Why n_jobs cannot change the thread count on the live backend (None when it can).

    The NumPy twins take n_jobs and ignore it, so the test still runs there: their results
    must not depend on it either. Only a compiled build without OpenMP is skipped.
    """
    if fe.backend() == "compiled" and resolve_n_jobs(2) == 1:
        return "compiled extension built without OpenMP: every n_jobs runs on one thread"
    return None


def test_n_jobs_bitwise_identical(rng):
    reason = _one_thread_reason()
    if reason:
        pytest.skip(reason)
    x = rng.normal(size=300_000)
    y = rng.normal(size=300_000)
    w = rng.normal(size=300_000)
    for kw in (dict(bins=50), dict(bins=50, weights=w), dict(bins=np.sort(rng.normal(size=9))),
               dict(bins=20, weights=w, density=True)):
        ref = fe.histogram(x, n_jobs=1, **kw)
        for nj in (2, 3):
            got = fe.histogram(x, n_jobs=nj, **kw)
            assert got[0].tobytes() == ref[0].tobytes()
    ref2 = fe.histogram2d(x, y, 33, n_jobs=1)
    ref3 = fe.histogramdd(np.stack([x, y, w], 1), 6, weights=w, n_jobs=1)
    for nj in (2, 3):
        assert fe.histogram2d(x, y, 33, n_jobs=nj)[0].tobytes() == ref2[0].tobytes()
        got = fe.histogramdd(np.stack([x, y, w], 1), 6, weights=w, n_jobs=nj)
        assert got[0].tobytes() == ref3[0].tobytes()
    xr = rng.normal(size=(50, 400))
    r1 = fe.histogram_rows(xr, 16, n_jobs=1)[0]
    assert fe.histogram_rows(xr, 16, n_jobs=3)[0].tobytes() == r1.tobytes()


def _kernel_inputs(rng, n=200_000, nb=37):
    x = rng.normal(size=n)
    x[::101] = np.nan
    e = np.linspace(-2.0, 2.5, nb + 1)
    return x, e, e[0], nb / (e[-1] - e[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("mode", [0, 1, 2])
def test_kernel_matches_twin(rng, dtype, mode):
    compiled, twin = pair("histogram")
    x, e, first, scale = _kernel_inputs(rng)
    if dtype == np.int64:
        x = np.nan_to_num(np.round(x * 10)).astype(np.int64)
        e = np.linspace(-20.0, 25.0, 38)
        first, scale = e[0], 37 / (e[-1] - e[0])
    x = x.astype(dtype)
    if mode == 1:
        scale = e[-1] - e[0]
    if mode == 2:
        e = np.sort(np.concatenate([e[::3], [0.1, 0.1, 0.2]]))
    tol = 1e-9 if mode == 0 else 0.0
    nb = e.shape[0] - 1
    outs = []
    for mod in (compiled, twin):
        p = np.zeros((3, nb), dtype=np.int64)
        mod.hist_1d(x, e, first, scale, tol, mode, p, 3)
        wout = np.zeros(nb)
        w = np.cos(np.arange(x.size, dtype=float))
        mod.hist_1d_weighted(x, w, e, first, scale, tol, mode, wout, 3)
        outs.append((p.sum(0), wout))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    assert outs[0][1].tobytes() == outs[1][1].tobytes()


def test_other_kernels_match_twin(rng):
    compiled, twin = pair("histogram")
    x = rng.normal(size=100_000)
    y = rng.normal(size=100_000)
    ex, ey = np.linspace(-2, 2, 11), np.sort(rng.normal(size=7))
    sample = np.stack([x, y], 1)
    edges = np.concatenate([ex, ey])
    offsets = np.array([0, 11, 18], dtype=np.int64)
    firsts = np.array([ex[0], 0.0])
    scales = np.array([10 / (ex[-1] - ex[0]), 1.0])
    tols = np.array([1e-9, 0.0])
    modes = np.array([0, 2], dtype=np.intc)
    rows = rng.normal(size=(20, 300))  # the same rows for both backends
    res = []
    for mod in (compiled, twin):
        p2 = np.zeros((2, 60), dtype=np.int64)
        mod.hist_2d(x, y, ex, ey, firsts[0], scales[0], tols[0], 0, 0.0, 1.0, 0.0, 2, p2, 2)
        pd = np.zeros((2, 60), dtype=np.int64)
        mod.hist_dd(sample, edges, offsets, firsts, scales, tols, modes, pd, 2)
        wd = np.zeros(60)
        mod.hist_dd_weighted(sample, x * y, edges, offsets, firsts, scales, tols, modes, wd, 2)
        er = np.ascontiguousarray(np.linspace(rows.min(1), rows.max(1), 9, axis=1))
        cr = np.zeros((20, 8), dtype=np.int64)
        mod.hist_rows(rows, er, 1e-9, 0, cr, 2)
        cn = np.zeros((20, 8), dtype=np.int64)
        mod.hist_rows(rows, er, 0.0, 1, cn, 2)
        labels = (np.abs(rows) * 3).astype(np.int64)
        cb = np.zeros((20, int(labels.max()) + 1), dtype=np.int64)
        mod.bincount_rows(labels, cb, 2)
        mm = np.zeros(6)
        mod.min_max(x, mm[:3], 2)
        xn = x.copy()
        xn[12345] = np.nan
        mod.min_max(xn, mm[3:], 2)
        mm[3:5] = 0.0  # min/max are unspecified once the NaN flag is set
        res.append((p2.sum(0), pd.sum(0), wd, cr, cn, cb, mm))
    for a, b in zip(*res):
        assert a.tobytes() == b.tobytes()
    assert res[0][0].sum() > 0 and res[0][3].sum() == 20 * 300


def test_histogram_rows_matches_numpy_per_row(rng):
    x = rng.normal(size=(4, 6, 250)).astype(np.float32).astype(np.float64)
    x[1, 2] = 5.0  # a constant row
    counts, edges = fe.histogram_rows(x, 12)
    assert counts.shape == (4, 6, 12) and edges.shape == (4, 6, 13) and counts.dtype == np.int64
    for i in range(4):
        for j in range(6):
            c, e = np.histogram(x[i, j], 12)
            np.testing.assert_array_equal(counts[i, j], c)
            np.testing.assert_array_equal(edges[i, j], e)
    counts, edges = fe.histogram_rows(x, 5, range=(-1, 1), axis=1)
    assert counts.shape == (4, 250, 5) and edges.shape == (6,)
    np.testing.assert_array_equal(counts[2, 7], np.histogram(x[2, :, 7], 5, range=(-1, 1))[0])
    off = 1e6 + rng.random((3, 500)) * 1e-8  # numpy's exact arithmetic path
    c, e = fe.histogram_rows(off, 10)
    for r in range(3):
        np.testing.assert_array_equal(c[r], np.histogram(off[r], 10)[0])


def test_bincount_rows_matches_numpy(rng):
    x = rng.integers(0, 9, size=(3, 5, 100)).astype(np.uint8)
    got = fe.bincount_rows(x, minlength=12, axis=1)
    assert got.shape == (3, 100, 12) and got.dtype == np.int64
    np.testing.assert_array_equal(got[1, 4], np.bincount(x[1, :, 4], minlength=12))
    got = fe.bincount_rows(x)
    np.testing.assert_array_equal(got[2, 3], np.bincount(x[2, 3], minlength=9))
    assert fe.bincount_rows(np.zeros((2, 0), dtype=int)).shape == (2, 0)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: fe.histogram([1.0, 2.0], bins=0), ValueError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=-3), ValueError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=2.5), TypeError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins="nope"), ValueError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=[[1, 2]]), ValueError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=[3, 1, 2]), ValueError, "bins"),
        (lambda: fe.histogram([1.0, 2.0], range=(0, np.inf)), ValueError, "range"),
        (lambda: fe.histogram([1.0, 2.0], range=(2, 1)), ValueError, "range"),
        (lambda: fe.histogram([1.0, 2.0], range=(1, 2, 3)), ValueError, "range"),
        (lambda: fe.histogram([1.0, 2.0], weights=[1.0]), ValueError, "weights"),
        (lambda: fe.histogram([1.0, 2.0], bins="auto", weights=[1, 1]), TypeError, "weighted"),
        (lambda: fe.histogram([1 + 2j]), TypeError, "complex"),
        (lambda: fe.histogram(np.array([object()])), TypeError, "dtype"),
        (lambda: fe.histogram("abc"), TypeError, "a must"),
        (lambda: fe.histogram([1.0, 2.0], n_jobs=0), ValueError, "n_jobs"),
        (lambda: fe.histogram2d([1, 2], [1, 2, 3]), ValueError, "same length"),
        (lambda: fe.histogram2d([1, 2], [1j, 2]), TypeError, "y must"),
        (lambda: fe.histogram2d([1, 2], [1, 2], bins=[0, 3]), ValueError, "bins"),
        (lambda: fe.histogramdd(np.ones((3, 2)), bins=[2, 2, 2]), ValueError, "bins"),
        (lambda: fe.histogramdd(np.ones((3, 2)), range=[(0, 1)]), ValueError, "range"),
        (lambda: fe.histogramdd(np.ones((3, 2)), weights=np.ones(4)), ValueError, "weights"),
        (lambda: fe.histogramdd(np.array([[np.nan, 1.0]])), ValueError, "not finite"),
        (lambda: fe.histogram_rows(np.ones((2, 3)), bins=0), ValueError, "bins"),
        (lambda: fe.histogram_rows(np.ones((2, 3)), bins=1.5), TypeError, "bins"),
        (lambda: fe.histogram_rows(np.ones((2, 3)), range=(1, 0)), ValueError, "range"),
        (lambda: fe.histogram_rows(np.ones((2, 3)), range=(0, np.nan)), ValueError, "range"),
        (lambda: fe.histogram_rows(np.array([[1.0, np.nan]])), ValueError, "not finite"),
        (lambda: fe.histogram_rows(np.ones((2, 3)), axis=2), ValueError, "axis"),
        (lambda: fe.histogram_rows(np.ones((2, 3), dtype=complex)), TypeError, "x must"),
        (lambda: fe.bincount_rows(np.array([[1, -1]])), ValueError, "non-negative"),
        (lambda: fe.bincount_rows(np.array([[1.0, 2.0]])), TypeError, "integer"),
        (lambda: fe.bincount_rows(np.array([[1, 2]]), minlength=-1), ValueError, "minlength"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_supported_cases_run_the_kernel_not_numpy(monkeypatch, rng):
    # The comparisons above would pass trivially if everything fell back to numpy.
    def boom(*args, **kwargs):
        raise AssertionError("fell back to numpy")

    monkeypatch.setattr(np, "histogram", boom)
    monkeypatch.setattr(np, "histogramdd", boom)
    x = rng.normal(size=5000)
    fe.histogram(x, 10)
    fe.histogram(x.astype(np.float32), 10, range=(0, 1))
    fe.histogram(rng.integers(0, 50, 5000), 7)
    fe.histogram(x, np.sort(rng.normal(size=8)))
    fe.histogram(x, 10, weights=rng.random(5000), density=True)
    fe.histogram(1e6 + x * 1e-9, 10)
    fe.histogram2d(x, x[::-1], [8, np.linspace(-1, 1, 5)])
    fe.histogramdd(np.stack([x, x, x], 1), 4, weights=x)


@given(st.floats(-1e9, 1e9), st.floats(1e-6, 1e6), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_values_within_ulps_of_random_edges(lo, span, nb, seed):
    rng = np.random.default_rng(seed)
    hi = lo + span
    if not hi > lo:
        return
    e = np.linspace(lo, hi, nb + 1)
    if np.any(e[:-1] >= e[1:]):
        return
    near = e[rng.integers(0, nb + 1, size=400)]
    steps = rng.integers(-3, 4, size=400)
    x = near.copy()
    for s in (-3, -2, -1, 1, 2, 3):
        sel = steps == s
        for _ in range(abs(s)):
            x[sel] = np.nextafter(x[sel], np.inf if s > 0 else -np.inf)
    x = np.concatenate([x, rng.uniform(lo, hi, 200)])
    same_as_numpy(fe.histogram, np.histogram, x, nb, range=(lo, hi))
    same_as_numpy(fe.histogram, np.histogram, x, nb)
    counts, _ = fe.histogram_rows(x[None, :], nb, range=(lo, hi))
    np.testing.assert_array_equal(counts[0], np.histogram(x, nb, range=(lo, hi))[0])
    np.testing.assert_allclose(
        fe.entropy_samples(x, bins=nb, range=(lo, hi), k=nb + 1),
        fe.entropy_counts(np.histogram(x, nb, range=(lo, hi))[0], k=nb + 1),
        rtol=1e-13,
    )


def test_values_just_outside_an_explicit_range_are_dropped_as_numpy_does(rng):
    # the kernels drop values they can prove outside the edges without the exact walk:
    # below the first edge (or NaN) and beyond the last by a bin; the rest is walked
    for lo, hi, nb in [(-1.0, 1.0, 32), (0.1, 0.7, 7), (-3e5, 1e-3, 100), (2.0, 2.0 + 1e-12, 3)]:
        e = np.linspace(lo, hi, nb + 1)
        step = (hi - lo) / nb
        probes = [e[0], e[-1], np.nextafter(e[0], -np.inf), np.nextafter(e[-1], np.inf),
                  e[-1] + 0.5 * step, e[-1] + step, e[-1] + 1.5 * step, e[0] - 0.5 * step,
                  np.nan, np.inf, -np.inf, 1e308, -1e308, 0.0]
        x = np.concatenate([np.repeat(probes, 5), rng.uniform(lo - 3 * step, hi + 3 * step, 3000),
                            rng.normal(size=3000)])
        rng.shuffle(x)
        same_as_numpy(fe.histogram, np.histogram, x, nb, range=(lo, hi))
        counts, _ = fe.histogram_rows(x.reshape(2, -1), nb, range=(lo, hi))
        for r in range(2):
            np.testing.assert_array_equal(counts[r], np.histogram(x.reshape(2, -1)[r], nb,
                                                                  range=(lo, hi))[0])
        np.testing.assert_allclose(
            fe.entropy_samples(x, bins=nb, range=(lo, hi), k=nb + 1),
            fe.entropy_counts(np.histogram(x, nb, range=(lo, hi))[0], k=nb + 1), rtol=1e-13)


WIDE = np.array([-1e308, 1e308, 0.0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: fe.histogram(WIDE, bins=1), r"^a: .*overflows"),
        (lambda: fe.histogram(WIDE, bins=10), r"^a: .*overflows"),
        (lambda: fe.histogram(WIDE, bins="fd"), r"^a: .*overflows"),
        (lambda: fe.histogram(WIDE, bins=1, weights=np.ones(3)), r"^a: .*overflows"),
        (lambda: fe.histogram(np.array([-3e38, 3e38, 0], np.float32), bins=4),
         r"^a: .*float32 .*overflows"),
        (lambda: fe.histogram([0.0, 1.0], bins=3, range=(-1e308, 1e308)), r"^range .*overflows"),
        (lambda: fe.histogram_bin_edges(WIDE, bins=1), r"^a: .*overflows"),
        (lambda: fe.histogram_bin_edges([0.0], bins=2, range=(-1e308, 1e308)), r"^range "),
        (lambda: fe.histogram2d(WIDE, np.zeros(3), bins=1), r"^x: .*overflows"),
        (lambda: fe.histogram2d(np.zeros(3), WIDE, bins=[2, 3]), r"^y: .*overflows"),
        (lambda: fe.histogram2d(np.zeros(3), np.zeros(3), bins=2,
                                range=[(0, 1), (-1e308, 1e308)]), r"^range\[1\] .*overflows"),
        (lambda: fe.histogramdd(WIDE[:, None], bins=2), r"^sample\[:, 0\]: .*overflows"),
        (lambda: fe.histogramdd(np.zeros((3, 2)), bins=2, range=[None, (-1e308, 1e308)]),
         r"^range\[1\] "),
        (lambda: fe.histogram_rows(WIDE[None, :], bins=1), r"^x: row 0 .*overflows"),
        (lambda: fe.histogram_rows(np.zeros((2, 3)), bins=1, range=(-1e308, 1e308)),
         r"^range .*overflows"),
        (lambda: fe.entropy_samples(WIDE, bins=1), r"^x: row 0 .*overflows"),
        (lambda: fe.entropy_samples(WIDE, bins="fd"), r"^x: row 0 .*overflows"),
        (lambda: fe.entropy_samples(WIDE, bins="stone"), r"^x: .*overflows"),
        (lambda: fe.entropy_samples(np.zeros(3), bins=4, range=(-1e308, 1e308)), r"^range "),
    ],
)
def test_a_range_wider_than_float64_is_an_error_naming_it(call, match):
    # numpy returns a NaN edge (histogram2d), an IndexError (histogram, 1 bin) or "Too many
    # bins" here; the width of such a range is not a float
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # and no overflow warning on the way
        with pytest.raises(ValueError, match=match):
            call()
    # explicit edges have no width to overflow: numpy's answer
    same_as_numpy(fe.histogram, np.histogram, WIDE, [-1e308, 0.0, 1e308])


@pytest.mark.parametrize(
    "call, first_word",
    [
        (lambda: fe.histogram([1, np.nan]), "a:"),
        (lambda: fe.histogram([1, np.inf], bins="auto"), "a:"),
        (lambda: fe.histogram_bin_edges([1, np.nan]), "a:"),
        (lambda: fe.histogram([1.0, 2.0], bins="nope"), "bins="),
        (lambda: fe.histogram([1.0, 2.0], bins=2.5), "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=0), "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=[[1, 2]]), "bins"),
        (lambda: fe.histogram([1.0, 2.0], bins=[3, 1, 2]), "bins:"),
        (lambda: fe.histogram([1.0, 2.0], bins="fd", weights=[1, 1]), "bins="),
        (lambda: fe.histogram([1.0, np.nextafter(1.0, 2)], bins=1000), "bins=1000:"),
        (lambda: fe.histogram([1.0, 2.0], range=(2, 1)), "range"),
        (lambda: fe.histogram([1.0, 2.0], range=(0, np.inf)), "range"),
        (lambda: fe.histogram([1.0, 2.0], weights=[1.0]), "weights"),
        (lambda: fe.histogram2d([1, 2], [1, 2, 3]), "x and y"),
        (lambda: fe.histogram2d([1.0, np.nan], [1.0, 2.0]), "x:"),
        (lambda: fe.histogramdd(np.ones((3, 2)), bins=[2, 2, 2]), "bins"),
        (lambda: fe.histogramdd(np.ones((3, 2)), bins=["a", 2]), "bins[0]"),
        (lambda: fe.histogramdd(np.ones((3, 2)), bins=[2, 0]), "bins[1]"),
        (lambda: fe.histogramdd(np.ones((3, 2)), bins=[2, [3, 1]]), "bins[1]"),
        (lambda: fe.histogramdd(np.ones((3, 2)), range=[(0, 1)]), "range"),
        (lambda: fe.histogramdd(np.array([[np.nan, 1.0]])), "sample[:, 0]:"),
        (lambda: fe.histogramdd(np.ones((3, 1)), range=[(1, 0)]), "range[0]"),
    ],
)
def test_errors_name_the_argument_first_and_say_what_to_do(call, first_word):
    # numpy's own wording ("autodetected range of [nan, nan] is not finite", "`bins` must be
    # positive, when an integer", ...) does not say which argument or what to do
    try:
        call()
    except (ValueError, TypeError) as exc:
        msg = str(exc)
    else:
        raise AssertionError("no error")
    assert msg.startswith(first_word), msg
    assert "`" not in msg and "when an" not in msg, msg


@pytest.mark.parametrize(
    "call, exc, first",
    [
        (lambda: fe.histogramdd(np.zeros((2, 3, 4))), ValueError, "sample"),
        (lambda: fe.histogram2d(np.arange(5.0), np.arange(5.0), bins=None), TypeError, "bins"),
        (lambda: fe.histogram_bin_edges(np.arange(5.0), range="ab"), TypeError, "range"),
        (lambda: fe.histogram(np.arange(5.0), bins=[0, 1, 2, 5], weights=np.ones(5, bool)),
         TypeError, "weights"),
        (lambda: fe.histogram([[1.0, 2.0], [3.0]]), ValueError, "a"),
        # numpy: IndexError
        (lambda: fe.histogram2d(np.array([0.0]), np.array([0.0]), bins=[]), ValueError, "bins"),
        (lambda: fe.histogramdd(np.array([[0.0]]), bins=[[]]), ValueError, "bins"),
    ],
)
def test_numpy_errors_in_our_words(call, exc, first):
    # numpy raises the same exception type with a message that names no argument
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(first), str(info.value)
