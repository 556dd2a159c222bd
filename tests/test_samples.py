"""entropy_samples: equals entropy_counts(numpy.histogram(row)) per row; kernel vs twin; threads."""
import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given
from hypothesis import strategies as st

import fastentropy as fe
from fastentropy._parallel import resolve_n_jobs

RULES = ["auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"]
FAST_METHODS = ["plugin", "miller_madow", "grassberger", "zhang", "chao_shen", "jeffreys",
                "shrink", "bonachela"]


def reference(x, bins, range_=None, method="plugin", k=None):
    """Row by row: numpy's histogram (or bincount), then entropy_counts."""
    rows = np.asarray(x).reshape(-1, np.shape(x)[-1])
    out = []
    for r in rows:
        if bins is None:
            c = np.bincount(r, minlength=int(np.max(x)) + 1)
        else:
            c = np.histogram(r, bins, range_)[0]
        out.append(fe.entropy_counts(c, method, k=k if k is not None else c.shape[0]))
    return np.array(out).reshape(np.shape(x)[:-1])


@st.composite
def row_sets(draw):
    n_rows = draw(st.integers(1, 6))
    n = draw(st.integers(1, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "grid", "offset", "ints", "const"]))
    if kind == "normal":
        x = rng.normal(size=(n_rows, n))
    elif kind == "grid":
        g = np.linspace(-2, 3, draw(st.integers(2, 30)))
        x = rng.choice(g, size=(n_rows, n))
        x[:, 0], x[:, -1] = g[0], g[-1]
    elif kind == "offset":
        x = 1e6 + rng.random((n_rows, n)) * draw(st.sampled_from([1e-9, 1e-5]))
    elif kind == "ints":
        x = rng.integers(-3, 9, size=(n_rows, n)).astype(float)
    else:
        x = np.full((n_rows, n), 2.5)
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    if dtype == np.int64:
        x = np.round(x).astype(np.int64)
    return x.astype(dtype)


def _agree(got_fn, ref_fn):
    try:
        expected = ref_fn()
    except ValueError:
        with pytest.raises(ValueError):
            got_fn()
        return
    got = got_fn()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@given(row_sets(), st.one_of(st.integers(1, 40), st.sampled_from(RULES)),
       st.one_of(st.none(), st.just((-1.0, 1.5)), st.just((0, 1e6 + 1))),
       st.sampled_from(FAST_METHODS))
def test_equals_entropy_counts_of_numpy_histogram(x, bins, range_, method):
    if bins == "stone" and x.shape[1] > 60:
        bins = "sturges"  # keep the example fast
    if isinstance(bins, str) and range_ is not None and range_[1] > 100:
        range_ = (-1.0, 1.5)  # numpy itself would try to allocate ~1e15 edges
    _agree(lambda: fe.entropy_samples(x, bins=bins, range=range_, method=method),
           lambda: reference(x, bins, range_, method))


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_gives_numpys_bin_count(rule, rng):
    x = np.concatenate([rng.normal(size=(8, 300)), rng.exponential(size=(8, 300))])
    x[3] = 1.0
    x[5, :150] = 0.0
    got = fe.entropy_samples(x, bins=rule)
    np.testing.assert_allclose(got, reference(x, rule), rtol=1e-13)
    # k defaults to each row's own number of bins
    got = fe.entropy_samples(x, bins=rule, method="laplace")
    np.testing.assert_allclose(got, reference(x, rule, method="laplace"), rtol=1e-13)
    got = fe.entropy_samples(x, bins=rule, range=(-1, 2))
    np.testing.assert_allclose(got, reference(x, rule, (-1, 2)), rtol=1e-13)


def test_values_on_edges_and_float32(rng):
    e = np.linspace(-1.0, 2.0, 17)
    x = np.tile(np.concatenate([e, np.nextafter(e, -3), np.nextafter(e, 3)]), (4, 3))
    for bins, rg in ((16, None), (16, (-1.0, 2.0)), (7, (-0.5, 1.0)), ("auto", None)):
        np.testing.assert_allclose(fe.entropy_samples(x, bins=bins, range=rg),
                                   reference(x, bins, rg), rtol=1e-13)
        x32 = x.astype(np.float32)
        np.testing.assert_allclose(fe.entropy_samples(x32, bins=bins, range=rg),
                                   reference(x32, bins, rg), rtol=1e-13)


def test_integer_labels(rng):
    x = rng.integers(0, 6, size=(3, 4, 50)).astype(np.uint8)
    for method in ("plugin", "nsb", "chao_shen"):
        got = fe.entropy_samples(x, bins=None, method=method)
        assert got.shape == (3, 4)
        np.testing.assert_allclose(got, reference(x, None, method=method), rtol=1e-12)
    got = fe.entropy_samples(x, bins=None, method="laplace", k=10)
    np.testing.assert_allclose(got, reference(x, None, method="laplace", k=10), rtol=1e-12)
    # the alphabet is the whole array's: max label + 1
    counts = fe.bincount_rows(x)
    np.testing.assert_allclose(fe.entropy_samples(x, bins=None, method="laplace"),
                               fe.entropy_counts(counts, "laplace"), rtol=1e-12)


def test_axis_base_k_and_scalar_result(rng):
    x = rng.normal(size=(5, 200, 3))
    got = fe.entropy_samples(x, bins=12, axis=1, base=2)
    ref = reference(np.moveaxis(x, 1, -1), 12) / np.log(2)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    one = fe.entropy_samples(x[0, :, 0], bins=12)
    assert isinstance(one, np.float64)
    np.testing.assert_allclose(one, fe.entropy_counts(np.histogram(x[0, :, 0], 12)[0]), rtol=1e-13)
    got = fe.entropy_samples(np.asfortranarray(x[:, :, 0]), bins=9, method="minimax", k=20)
    ref = reference(x[:, :, 0], 9, method="minimax", k=20)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    # non-contiguous view
    np.testing.assert_allclose(fe.entropy_samples(x[:, ::2, 1], bins=7), reference(x[:, ::2, 1], 7),
                               rtol=1e-13)


def test_kernel_matches_twin(rng):
    compiled, twin = pair("samples")
    x = rng.normal(size=(40, 500))
    x[1] = 3.0                             # constant row
    x[2, 7] = np.nan                       # status 1 (auto range)
    x[3] = 1e6 + rng.random(500) * 1e-9    # numpy's exact arithmetic path
    x[4] += 50                             # nothing inside the shared range: status 3
    k = np.full(40, 16.0)
    k[5] = 2.0                             # below support: status 4
    labels = rng.integers(0, 7, size=(30, 80))  # the same labels for both backends
    res = []
    for mod in (compiled, twin):
        outs = []
        for auto in (True, False):
            out = np.empty(40)
            status = np.zeros(40, dtype=np.int8)
            mod.entropy_rows_uniform(x, 16, -2.0, 2.0, auto, k, 3, out, status, 2)
            outs += [out, status]
        e = np.concatenate([np.linspace(-2, 2, 17), np.sort(rng.normal(size=9))])
        offsets = np.array([0, 17], dtype=np.int64)
        for mode, off in ((0, offsets), (2, np.array([0, 17, 26], dtype=np.int64))):
            rows = x[:2] if off.shape[0] == 3 else x
            kk = k[: rows.shape[0]]
            out = np.empty(rows.shape[0])
            status = np.zeros(rows.shape[0], dtype=np.int8)
            nr = off.shape[0] - 1
            mod.entropy_rows_edges(np.ascontiguousarray(rows), e, off, np.full(nr, -2.0),
                                   np.full(nr, 4.0), np.full(nr, 1e-9),
                                   np.full(nr, mode, dtype=np.intc), kk, 0, out, status, 2)
            outs += [out, status]
        out = np.empty(30)
        status = np.zeros(30, dtype=np.int8)
        mod.entropy_rows_labels(labels, 7, np.full(30, 7.0), 14, out, status, 2)
        outs += [out, status]
        res.append(outs)
    for a, b in zip(*res):
        if a.dtype == np.int8:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
    st_auto = res[0][1]
    assert st_auto[2] == 1 and st_auto[5] == 4 and st_auto[0] == 0
    assert res[0][3][4] == 3


def test_n_jobs_bitwise_identical(rng):
    # The NumPy twins take n_jobs and ignore it, so this runs on both backends; only a compiled
    # build without OpenMP, where every n_jobs is one thread, is skipped.
    if fe.backend() == "compiled" and resolve_n_jobs(2) == 1:
        pytest.skip("compiled extension built without OpenMP: every n_jobs runs on one thread")
    x = rng.normal(size=(301, 400))
    labels = rng.integers(0, 9, size=(301, 100))
    for kw in (dict(bins=32), dict(bins="fd"), dict(bins=10, range=(-1, 1), method="nsb"),
               dict(bins=20, method="chao_wang_jost"), dict(bins="doane"), dict(bins="scott"),
               dict(bins="auto", method="laplace")):
        ref = fe.entropy_samples(x, n_jobs=1, **kw)
        for nj in (2, 3):
            assert fe.entropy_samples(x, n_jobs=nj, **kw).tobytes() == ref.tobytes()
    ref = fe.entropy_samples(labels, bins=None, n_jobs=1)
    assert fe.entropy_samples(labels, bins=None, n_jobs=3).tobytes() == ref.tobytes()


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(bins=0), ValueError, "bins"),
        (dict(bins=2.5), TypeError, "bins"),
        (dict(bins="nope"), ValueError, "bins"),
        (dict(bins=True), TypeError, "bins"),
        (dict(range=(1, 0)), ValueError, "range"),
        (dict(range=(0, np.inf)), ValueError, "range"),
        (dict(range=(0, 1, 2)), ValueError, "range"),
        (dict(range=(10, 11)), ValueError, "no samples"),
        (dict(method="nope"), ValueError, "method"),
        (dict(base=1.0), ValueError, "base"),
        (dict(k=0), ValueError, "k"),
        (dict(k=1), ValueError, "support"),
        (dict(k="a"), TypeError, "k"),
        (dict(axis=3), ValueError, "axis"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
        (dict(bins=None), TypeError, "labels"),
    ],
)
def test_bad_arguments(kwargs, exc, match):
    x = np.random.default_rng(0).normal(size=(3, 50))
    with pytest.raises(exc, match=match):
        fe.entropy_samples(x, **kwargs)


def test_bad_data():
    with pytest.raises(ValueError, match="not finite"):
        fe.entropy_samples(np.array([[0.0, np.nan, 1.0]]))
    with pytest.raises(ValueError, match="not finite"):
        fe.entropy_samples(np.array([[0.0, np.inf, 1.0]]), bins="auto")
    with pytest.raises(TypeError, match="complex"):
        fe.entropy_samples(np.ones((2, 3), dtype=complex))
    with pytest.raises(ValueError, match="empty"):
        fe.entropy_samples(np.ones((2, 0)))
    with pytest.raises(ValueError, match="non-negative"):
        fe.entropy_samples(np.array([[0, -1, 2]]), bins=None)
    with pytest.raises(ValueError, match="range"):
        fe.entropy_samples(np.array([[0, 1, 2]]), bins=None, range=(0, 2))
    with pytest.raises(ValueError, match="bins=1000: too many bins"):
        fe.entropy_samples(np.array([[1.0, np.nextafter(1.0, 2.0)]]), bins=1000)
    # NaN ignored with an explicit range, as numpy does
    got = fe.entropy_samples(np.array([[0.0, np.nan, 1.0, 0.2]]), bins=2, range=(0, 1))
    np.testing.assert_allclose(got, [fe.entropy_counts([2, 1])], rtol=1e-14)


def test_float32_rows_with_a_narrow_range_on_a_large_offset(rng):
    # float32 edges this narrow defeat exact arithmetic binning: numpy counts these rows
    x = (1e6 + rng.random((3, 500)) * 3).astype(np.float32)
    x[0] = np.float32(1e6)
    for bins, rg in ((7, None), (1, None), (7, (1e6, 1e6 + 2)), ("auto", None)):
        np.testing.assert_allclose(fe.entropy_samples(x, bins=bins, range=rg),
                                   reference(x, bins, rg), rtol=1e-13)


KERNEL_RULES = ["sqrt", "sturges", "rice", "scott", "fd", "auto", "doane"]


def _rule_rows(rng):
    """Random, tied, tiny, large and awkward float64 rows."""
    yield "normal", rng.normal(size=(6, 5000))
    yield "exponential", rng.exponential(size=(5, 1500))
    yield "ties", np.round(rng.normal(size=(6, 2000)), 1)
    yield "three values", rng.integers(0, 3, size=(5, 1200)).astype(float)
    for n in (1, 2, 3, 4, 5, 7, 8, 9, 16, 100, 1023, 1024, 1025):
        yield f"tiny n={n}", rng.normal(size=(3, n))
    yield "outliers", np.where(rng.random((4, 3000)) < 0.02, 50.0, rng.normal(size=(4, 3000)))
    yield "offset", 1e6 + rng.random((3, 2000)) * 1e-6
    yield "large", rng.standard_t(3, size=(2, 40000))
    yield "sorted", np.sort(rng.normal(size=(2, 3000)), axis=1)
    yield "periodic", np.tile(np.linspace(0.0, 1.0, 64), (2, 50))


def _numpy_rule_reference(x, rule, method):
    out = []
    for row in x:
        e = np.histogram_bin_edges(row, rule)
        c = np.histogram(row, e)[0]
        out.append(fe.entropy_counts(c, method, k=c.shape[0]))
    return np.array(out)


@pytest.mark.parametrize("rule", KERNEL_RULES)
def test_rules_in_the_row_pass_give_numpys_bin_counts(rule, rng):
    # laplace takes k = the row's number of bins, so a wrong bin count shows in the value
    for name, x in _rule_rows(rng):
        got = fe.entropy_samples(x, bins=rule, method="laplace")
        np.testing.assert_allclose(got, _numpy_rule_reference(x, rule, "laplace"), rtol=1e-12,
                                   err_msg=f"{rule} on {name} rows")
    # the kernel's own bin counts, row by row, against numpy's edges
    compiled, twin = pair("samples")
    from fastentropy.samples import _RULE_CODES, _rule_constants
    for mod in (compiled, twin):
        for name, x in _rule_rows(rng):
            R, n = x.shape
            out, status = np.empty(R), np.zeros(R, dtype=np.int8)
            nbins = np.zeros(R, dtype=np.int64)
            mod.entropy_rows_rule(np.ascontiguousarray(x), _RULE_CODES[rule], _rule_constants(n),
                                  np.full(R, np.nan), 0, out, status, nbins, 2)
            for r in range(R):
                if status[r] == 6:  # left to numpy (checked above through the facade)
                    continue
                assert status[r] == 0
                assert nbins[r] == np.histogram_bin_edges(x[r], rule).shape[0] - 1, (name, r)


def test_rule_rows_the_kernel_cannot_decide_go_to_numpy(rng):
    # Symmetric rows of 1024 (a power of two) samples: Doane's skewness is 0 up to rounding,
    # so numpy's bin count is 1 + log2(1024) = 11 plus or minus its own rounding; the kernel
    # cannot reproduce numpy's SIMD power and log2 and leaves these rows to numpy.
    base = np.concatenate([np.full(300, -1.0), np.full(300, 1.0), np.zeros(424)])
    x = np.stack([rng.permutation(base) for _ in range(4)])
    compiled, _ = pair("samples")
    from fastentropy.samples import _rule_constants
    out, status, nbins = np.empty(4), np.zeros(4, dtype=np.int8), np.zeros(4, dtype=np.int64)
    compiled.entropy_rows_rule(x, 6, _rule_constants(1024), np.full(4, np.nan), 0, out, status,
                               nbins, 1)
    assert (status == 6).all()
    np.testing.assert_allclose(fe.entropy_samples(x, bins="doane", method="laplace"),
                               _numpy_rule_reference(x, "doane", "laplace"), rtol=1e-13)
    # a rule asking for more than 2**22 bins (here about 5e6): numpy's job
    y = rng.normal(size=(1, 20000))
    y[0, :50] = 5e5
    np.testing.assert_allclose(fe.entropy_samples(y, bins="fd"),
                               _numpy_rule_reference(y, "fd", "plugin"), rtol=1e-12)


def test_rule_rows_numpy_itself_cannot_bin_raise_a_clear_error():
    # a constant row: Scott's width is rounding noise; numpy tries to allocate petabytes
    with pytest.raises(MemoryError):
        np.histogram_bin_edges(np.full(3, 0.1), "scott")
    with pytest.raises(ValueError, match="bins='scott'"):
        fe.entropy_samples(np.full((2, 3), 0.1), bins="scott")
    # an overflowing standard deviation: numpy's rule gives 0 bins
    x = np.concatenate([np.zeros(50), [1e-300, 1e300]])
    assert np.histogram_bin_edges(x, "scott").shape[0] == 1
    with pytest.raises(ValueError, match="bins='scott'.*0 bins"):
        fe.entropy_samples(x, bins="scott")


def _traced_peak(fn):
    import tracemalloc
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("rule", ["fd", "scott", "doane", "auto"])
def test_rules_make_no_input_sized_temporaries(rule, rng):
    # (numpy's percentile and std copy the whole array; the kernel's scratch is one row per
    # thread, allocated in C)
    if fe.backend() != "compiled":
        pytest.skip("NumPy backend: the twins build numpy's own temporaries; the bound is the "
                    "compiled kernel's")
    x = rng.normal(size=(64, 20000))
    peak = _traced_peak(lambda: fe.entropy_samples(x, bins=rule, n_jobs=2))
    assert peak < x.nbytes / 8, (peak, x.nbytes)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32,
                                   np.int64, np.uint64, np.bool_])
def test_labels_are_read_in_place_in_every_integer_width(dtype, rng):
    x = rng.integers(0, 2 if dtype is np.bool_ else 7, size=(64, 20000)).astype(dtype)
    ref = fe.entropy_counts(np.stack([np.bincount(r.astype(np.int64), minlength=int(x.max()) + 1)
                                      for r in x]))
    got = fe.entropy_samples(x, bins=None)
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    np.testing.assert_array_equal(fe.bincount_rows(x)[5], np.bincount(x[5].astype(np.int64)))
    if fe.backend() == "compiled":  # (the NumPy twins widen to int64 by design)
        # no copy of x (let alone an int64 one): only outputs and per-row scratch
        assert _traced_peak(lambda: fe.entropy_samples(x, bins=None)) < max(x.nbytes / 4, 65536)
        assert _traced_peak(lambda: fe.bincount_rows(x)) < max(x.nbytes / 4, 65536)
    # a layout that forces a copy still gives the same answer
    xf = np.asfortranarray(x)
    np.testing.assert_allclose(fe.entropy_samples(xf, bins=None), ref, rtol=1e-12)
    np.testing.assert_array_equal(fe.bincount_rows(x[:, ::2]), fe.bincount_rows(
        np.ascontiguousarray(x[:, ::2])))


def test_other_dtypes_with_rules_match_numpy_and_convert_in_blocks(rng):
    from fastentropy import samples as fs
    x = rng.normal(size=(12, 700))
    for dtype, rule in ((np.float32, "fd"), (np.int32, "auto"), (np.float32, "doane")):
        xd = (x * 10).astype(dtype)
        ref = _numpy_rule_reference(xd, rule, "laplace")
        old = fs._BLOCK_CELLS
        try:
            fs._BLOCK_CELLS = 2000  # blocks of 2 rows
            got = fe.entropy_samples(xd, bins=rule, method="laplace")
        finally:
            fs._BLOCK_CELLS = old
        np.testing.assert_allclose(got, ref, rtol=1e-12)
