"""Contingency tables, plug-in table quantities, and the scikit-learn-compatible scores."""
import math

import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastentropy as fe
from fastentropy import mutual_info as mi_mod

# ---------------------------------------------------------------------------------------------
# helpers


def _naive_emi(a, b):
    """Full-sum expected MI (nats) with scipy's hypergeometric pmf: Vinh et al. 2010, eq. 24a."""
    from scipy.stats import hypergeom

    n = int(np.sum(a))
    av, am = np.unique(np.asarray(a), return_counts=True)
    bv, bm = np.unique(np.asarray(b), return_counts=True)
    total = 0.0
    for ai, ma in zip(av.tolist(), am.tolist()):
        for bj, mb in zip(bv.tolist(), bm.tolist()):
            k = np.arange(max(1, ai + bj - n), min(ai, bj) + 1)
            if k.size == 0:
                continue
            p = hypergeom.pmf(k, n, ai, bj)
            total += ma * mb * float(np.sum(p * (k / n) * np.log(n * k / (ai * bj))))
    return total


def _emi_kernel(mod, a, b, n_threads=1):
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    av, am = np.unique(a, return_counts=True)
    bv, bm = np.unique(b, return_counts=True)
    out = np.empty(av.size)
    mod.expected_mutual_info(av, am.astype(np.int64), bv, bm.astype(np.int64), int(a.sum()),
                             out, n_threads)
    return out


def _random_labels(rng, n, k):
    return rng.integers(0, k, n)


# ---------------------------------------------------------------------------------------------
# kernel vs twin


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}
_INT_DTYPES = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64]


def _u(a):
    """The unsigned view the facade hands the kernels."""
    a = np.asarray(a)
    return a.view(_UNSIGNED[a.dtype.itemsize])


@given(
    n=st.integers(0, 400),
    r=st.integers(1, 9),
    c=st.integers(1, 9),
    x0=st.integers(-5, 5),
    xdt=st.sampled_from(_INT_DTYPES),
    ydt=st.sampled_from([np.int8, np.int16, np.int32, np.int64]),
    step=st.sampled_from([1, 2, -1]),
    seed=st.integers(0, 2**32 - 1),
    threads=st.sampled_from([1, 2, 3]),
)
def test_count_pairs_kernel_matches_twin(n, r, c, x0, xdt, ydt, step, seed, threads):
    compiled, twin = pair("mutual_info")
    rng = np.random.default_rng(seed)
    if np.dtype(xdt).kind == "u":
        x0 = abs(x0)
    x = (rng.integers(0, r, 2 * n) + x0).astype(xdt)[::step][:n]
    y = (rng.integers(0, c, 2 * n) - 3).astype(ydt)[::step][:n]  # negative labels: wrap
    want = np.zeros((r, c), np.int64)
    np.add.at(want, (x.astype(np.int64) - x0, y.astype(np.int64) + 3), 1)
    for mod in (compiled, twin):
        got = np.zeros((r, c), np.int64)
        mod.count_pairs(_u(x), _u(y), x0, -3, got, threads)
        np.testing.assert_array_equal(got, want)


def test_count_pairs_parallel_path_matches_twin(rng):
    # Many labels per cell: the per-thread-table branch of the kernel runs, on narrow labels.
    compiled, twin = pair("mutual_info")
    x = rng.integers(-3, 4, 300_000).astype(np.int8)
    y = rng.integers(0, 5, 300_000).astype(np.uint16)
    want = np.zeros((7, 5), np.int64)
    twin.count_pairs(_u(x), y, -3, 0, want, 1)
    for threads in (1, 2, 3):
        got = np.zeros((7, 5), np.int64)
        compiled.count_pairs(_u(x), y, -3, 0, got, threads)
        np.testing.assert_array_equal(got, want)


def _table_kernel(mod, tables, want=63, threads=1):
    out = np.full((tables.shape[0], 6), -7.0)
    status = np.full(tables.shape[0], -1, np.int8)
    mod.plugin_table_entropies(_u(tables), want, out, status, threads)
    return out, status


@given(
    tables=hnp.arrays(
        st.sampled_from(_INT_DTYPES),
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=6),
        elements=st.integers(0, 50),
    ),
    want=st.integers(0, 63),
    transpose=st.booleans(),
    threads=st.sampled_from([1, 2, 3]),
)
def test_plugin_table_kernel_matches_twin(tables, want, transpose, threads):
    compiled, twin = pair("mutual_info")
    tables = tables.copy()
    tables[:, 0, 0] += 1  # positive totals
    if transpose:  # strided input, read in place
        tables = np.ascontiguousarray(tables.swapaxes(1, 2)).swapaxes(1, 2)
    got, st_got = _table_kernel(compiled, tables, want, threads)
    ref, st_ref = _table_kernel(twin, tables, want, threads)
    assert (st_got == 0).all() and (st_ref == 0).all()
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15)
    wanted = [bool(want & bit) for bit in (16, 32, 1, 2, 4, 8)]
    assert np.isnan(got[:, ~np.array(wanted)]).all()
    assert not np.isnan(got[:, wanted]).any()


@given(
    tables=hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=5),
        elements=st.one_of(st.just(0), st.integers(1, 9), st.integers(2**30, 2**44)),
    ),
)
def test_plugin_table_kernel_matches_twin_large_counts(tables):
    # totals above 3037000499: the 128-bit cross products (kernel) vs Python ints (twin)
    compiled, twin = pair("mutual_info")
    tables = tables.copy()
    tables[:, 0, 0] += 2**40
    got, st_got = _table_kernel(compiled, tables)
    ref, st_ref = _table_kernel(twin, tables)
    assert (st_got == 0).all() and (st_ref == 0).all()
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-15)


def test_plugin_table_kernel_row_parallel_path_matches_twin(rng):
    # fewer tables than threads, each of >= 2**16 cells: rows are shared among the threads
    compiled, twin = pair("mutual_info")
    tables = rng.integers(0, 30, size=(2, 400, 200)).astype(np.uint16)
    tables[0, :, 5] = 0
    tables[1, 7] = 0
    ref, _ = _table_kernel(twin, tables)
    one, _ = _table_kernel(compiled, tables, threads=1)
    np.testing.assert_allclose(one, ref, rtol=1e-14)
    for threads in (2, 3, 4):
        got, status = _table_kernel(compiled, tables, threads=threads)
        assert (status == 0).all()
        np.testing.assert_array_equal(got, one)
    bad = tables.astype(np.uint64)
    bad[1, 0, 0] = 2**63 - 1
    for threads in (1, 3):
        assert _table_kernel(compiled, bad, threads=threads)[1].tolist() == [0, 2]


def test_plugin_table_kernel_status_codes():
    # zero totals, totals above 2**63 - 1 (also within one row), per table; the rest computed
    tables = np.zeros((4, 2, 3), np.uint64)
    tables[0, 0, 0] = 5
    tables[2, 0, :] = 2**62  # one row sums past 2**63
    tables[3, 0, 0] = tables[3, 1, 1] = 2**62
    tables[3, 1, 2] = 2**62 - 1  # the total passes 2**63 only across rows
    for mod in pair("mutual_info"):
        out, status = _table_kernel(mod, tables)
        assert status.tolist() == [0, 1, 2, 2]
        assert out[0, 2] == 0.0
    big = np.array([[[2**62, 2**62 - 1], [0, 0]]], np.uint64)  # total 2**63 - 1 exactly: fine
    for mod in pair("mutual_info"):
        out, status = _table_kernel(mod, big)
        assert status.tolist() == [0]
        assert out[0, 2] == pytest.approx(math.log(2), rel=1e-15)


def test_plugin_cell_kernel_matches_table_kernel(rng):
    compiled, twin = pair("mutual_info")
    for table in (rng.integers(0, 4, (9, 7)), np.diag(np.arange(1, 6)),
                  np.array([[2**40, 1], [1, 3]]), rng.integers(2**40, 2**41, (3, 4))):
        table = table.astype(np.int64)
        ref = _table_kernel(compiled, table[None])[0][0]
        r, c = np.nonzero(table)
        for mod in (compiled, twin):
            out = np.empty(6)
            assert mod.plugin_cell_entropies(table[r, c], r.astype(np.int64), c.astype(np.int64),
                                             table.shape[0], table.shape[1], 63, out) == 0
            np.testing.assert_allclose(out, ref, rtol=1e-14, atol=1e-16)
    for mod in (compiled, twin):
        e = np.zeros(0, np.int64)
        assert mod.plugin_cell_entropies(e, e, e, 2, 2, 63, np.empty(6)) == 1
        big = np.array([2**62, 2**62], np.int64)
        assert mod.plugin_cell_entropies(big, np.array([0, 1]), np.array([0, 1]), 2, 2, 63,
                                         np.empty(6)) == 2


@given(
    a=st.lists(st.integers(1, 60), min_size=1, max_size=8),
    b_split=st.lists(st.integers(1, 100), min_size=1, max_size=8),
    threads=st.sampled_from([1, 2, 3]),
)
def test_emi_kernel_matches_twin_and_full_sum(a, b_split, threads):
    compiled, twin = pair("mutual_info")
    n = sum(a)
    # column marginals with the same total: split n in proportion to b_split
    w = np.asarray(b_split, float)
    b = np.floor(n * w / w.sum()).astype(np.int64)
    b[0] += n - b.sum()
    b = b[b > 0]
    got = math.fsum(_emi_kernel(compiled, a, b, threads))
    want = math.fsum(_emi_kernel(twin, a, b, threads))
    ref = _naive_emi(a, b)
    assert got == pytest.approx(want, rel=1e-11, abs=1e-14)
    assert got == pytest.approx(ref, rel=1e-10, abs=1e-13)


def test_emi_matches_40_digit_reference():
    # exact hypergeometric sum in 40-digit arithmetic: ours should be at rounding level
    mp = pytest.importorskip("mpmath")
    a = np.array([400, 250, 100, 40, 10])
    b = np.array([500, 250, 50])
    n = int(a.sum())
    with mp.workdps(40):
        ref = mp.mpf(0)
        for ai in a.tolist():
            for bj in b.tolist():
                for k in range(max(1, ai + bj - n), min(ai, bj) + 1):
                    p = mp.binomial(ai, k) * mp.binomial(n - ai, bj - k) / mp.binomial(n, bj)
                    ref += p * mp.mpf(k) / n * mp.log(mp.mpf(n) * k / (ai * bj))
    compiled, twin = pair("mutual_info")
    for mod in (compiled, twin):
        assert math.fsum(_emi_kernel(mod, a, b)) == pytest.approx(float(ref), rel=1e-13)


def test_emi_large_matches_twin(rng):
    compiled, twin = pair("mutual_info")
    x = rng.integers(0, 40, 200_000)
    y = rng.integers(0, 30, 200_000)
    table = mi_mod._contingency(x, y, 1)[0]
    a, b = table.sum(axis=1), table.sum(axis=0)
    got = math.fsum(_emi_kernel(compiled, a, b))
    want = math.fsum(_emi_kernel(twin, a, b))
    assert got == pytest.approx(want, rel=1e-11)
    # the chance level of MI is about (R - 1)(C - 1) / (2 N)
    assert got == pytest.approx(39 * 29 / (2 * 200_000), rel=0.05)


def test_emi_skewed_marginals_match_full_sum():
    # one huge class next to singletons, and marginals near N: support edges on both sides
    for a, b in [([97, 1, 1, 1], [50, 50]), ([3, 3, 94], [99, 1]), ([1] * 20, [10, 10]),
                 ([2500, 2500], [1000, 4000]), ([4990, 5, 5], [4000, 999, 1])]:
        got = math.fsum(_emi_kernel(fe._backend.kernels("mutual_info"), a, b))
        assert got == pytest.approx(_naive_emi(a, b), rel=1e-10, abs=1e-15)


# ---------------------------------------------------------------------------------------------
# determinism over n_jobs


def test_n_jobs_bitwise_identical(rng):
    x = rng.integers(0, 60, 300_000)
    y = rng.integers(0, 45, 300_000)
    ref_t = fe.contingency(x, y, n_jobs=1)[0]
    tables = rng.integers(0, 20, size=(40, 30, 20))  # above the kernel's serial threshold
    ref_b = fe.mutual_information(tables, n_jobs=1)
    ref_ami = fe.adjusted_mutual_info_score(x, y, n_jobs=1)
    # few large tables: the kernel shares each table's rows among the threads
    big = rng.integers(0, 9, size=(2, 700, 200))
    big[1, 3] = 0  # an empty row
    fns = (fe.joint_entropy, fe.mutual_information, fe.conditional_entropy,
           fe.variation_of_information)
    ref_big = [f(big, n_jobs=1) for f in fns]
    ref_one = [f(big[0], n_jobs=1) for f in fns]
    for n_jobs in (2, 3):
        np.testing.assert_array_equal(fe.contingency(x, y, n_jobs=n_jobs)[0], ref_t)
        assert np.array_equal(fe.mutual_information(tables, n_jobs=n_jobs), ref_b)
        assert fe.adjusted_mutual_info_score(x, y, n_jobs=n_jobs) == ref_ami
        for f, rb, ro in zip(fns, ref_big, ref_one):
            assert np.array_equal(f(big, n_jobs=n_jobs), rb)
            assert f(big[0], n_jobs=n_jobs) == ro
            assert f(np.asfortranarray(big[0]), n_jobs=n_jobs) == ro


# ---------------------------------------------------------------------------------------------
# contingency


@pytest.mark.parametrize(
    "x, y",
    [
        ([0, 0, 1, 1, 2, 2], [1, 0, 2, 1, 0, 2]),
        (["b", "a", "b", "c"], ["x", "x", "y", "y"]),
        ([2.5, -1.0, 2.5, 7.0], [1, 1, 2, 2]),
        ([True, False, True, True], np.array([5, 9, 5, 7], np.uint8)),
        ([10**15, -(10**15), 3, 3], [0, 0, 1, 1]),  # too wide for offsets: the np.unique path
        ([0, 1_000_000, 5], [0, 2_000_000, 7]),  # sparse offset grid: re-encoded
        (np.array([-7, -3, -7, 2], np.int8), np.array([4, 4, 1, 0], np.int16)),
    ],
)
def test_contingency_matches_unique_and_sklearn(x, y):
    sk = pytest.importorskip("sklearn.metrics.cluster")
    table, xc, yc = fe.contingency(x, y)
    np.testing.assert_array_equal(xc, np.unique(x))
    np.testing.assert_array_equal(yc, np.unique(y))
    assert xc.dtype == np.asarray(x).dtype and yc.dtype == np.asarray(y).dtype
    assert table.dtype == np.int64
    np.testing.assert_array_equal(table, sk.contingency_matrix(x, y))


def test_contingency_fast_path_drops_empty_classes(rng):
    x = rng.choice([3, 9, 20], 1000)
    y = rng.choice([-4, 0], 1000)
    table, xc, yc = fe.contingency(x, y)
    assert table.shape == (3, 2)
    np.testing.assert_array_equal(xc, [3, 9, 20])
    np.testing.assert_array_equal(yc, [-4, 0])
    assert table.sum() == 1000 and (table.sum(axis=0) > 0).all()


def test_contingency_empty_and_non_contiguous():
    t, xc, yc = fe.contingency([], [])
    assert t.shape == (0, 0) and xc.size == 0 and yc.size == 0
    x = np.arange(40)[::2] % 3
    y = np.asfortranarray(np.arange(20).reshape(4, 5)).T.ravel(order="K") % 4
    np.testing.assert_array_equal(fe.contingency(x, y)[0], fe.contingency(x.copy(), y.copy())[0])


# ---------------------------------------------------------------------------------------------
# information quantities of joint tables


def _h(counts):
    from scipy.stats import entropy

    return entropy(np.asarray(counts, float))


@given(
    table=hnp.arrays(
        np.int64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=7),
        elements=st.integers(0, 30),
    )
)
def test_identities(table):
    table = table.copy()
    table[0, 0] += 1
    hx, hy, hxy = _h(table.sum(axis=1)), _h(table.sum(axis=0)), _h(table.ravel())
    mi = fe.mutual_information(table)
    assert mi >= 0
    assert mi == pytest.approx(max(hx + hy - hxy, 0.0), abs=1e-12)
    assert fe.joint_entropy(table) == pytest.approx(hxy, abs=1e-12)
    h_y_given_x = fe.conditional_entropy(table)
    h_x_given_y = fe.conditional_entropy(table.T)
    assert h_y_given_x == pytest.approx(hxy - hx, abs=1e-12)
    assert mi == pytest.approx(hx - h_x_given_y, abs=1e-12)
    assert mi == pytest.approx(hy - h_y_given_x, abs=1e-12)
    vi = fe.variation_of_information(table)
    assert vi == pytest.approx(h_x_given_y + h_y_given_x, abs=1e-12)
    assert vi == pytest.approx(fe.variation_of_information(table.T), abs=1e-12)
    assert vi >= 0


def test_vi_is_a_metric_on_labelings(rng):
    labelings = [rng.integers(0, k, 300) for k in (2, 3, 5, 8)]
    labelings.append(labelings[1].copy())

    def vi(u, v):
        return fe.variation_of_information(fe.contingency(u, v)[0])

    for u in labelings:
        assert vi(u, u) == 0.0
        for v in labelings:
            assert vi(u, v) == pytest.approx(vi(v, u), abs=1e-13)
            for w in labelings:
                assert vi(u, w) <= vi(u, v) + vi(v, w) + 1e-12
    assert vi(labelings[1], labelings[4]) == 0.0
    assert vi(labelings[0], labelings[2]) > 0.1


def test_hand_computed_values():
    # X = Y uniform on 2 symbols: I = H = log 2, H(Y|X) = 0; independent fair bits: I = 0.
    assert fe.mutual_information([[5, 0], [0, 5]]) == pytest.approx(math.log(2), rel=1e-15)
    assert fe.mutual_information([[5, 0], [0, 5]], base=2) == pytest.approx(1.0, rel=1e-15)
    assert fe.conditional_entropy([[5, 0], [0, 5]]) == 0.0
    assert fe.mutual_information([[3, 3], [3, 3]]) == pytest.approx(0.0, abs=1e-16)
    assert fe.joint_entropy([[3, 3], [3, 3]], base=2) == pytest.approx(2.0, rel=1e-15)
    assert fe.variation_of_information([[3, 3], [3, 3]]) == pytest.approx(2 * math.log(2))
    # H(Y|X) of X uniform on 2, Y | X=0 fixed, Y | X=1 a fair bit: (1/2) log 2
    assert fe.conditional_entropy([[4, 0], [2, 2]]) == pytest.approx(0.5 * math.log(2))


def test_batch_over_leading_axes_equals_loop(rng):
    tables = rng.integers(0, 9, size=(3, 4, 5, 6))
    for fn in (fe.joint_entropy, fe.conditional_entropy, fe.mutual_information,
               fe.variation_of_information):
        got = fn(tables)
        assert got.shape == (3, 4)
        want = np.array([[fn(tables[i, j]) for j in range(4)] for i in range(3)])
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int32, np.uint64, np.float32, float])
def test_table_dtypes_and_layouts(dtype, rng):
    base = rng.integers(0, 20, size=(6, 7))
    want = fe.mutual_information(base)
    t = base.astype(dtype)
    assert fe.mutual_information(t) == want
    assert fe.mutual_information(np.asfortranarray(t)) == want
    big = np.zeros((12, 7), dtype)
    big[::2] = t
    assert fe.mutual_information(big[::2]) == want


def test_plugin_agrees_with_entropy_counts_when_available(rng):
    est = pytest.importorskip("fastentropy.estimators")
    if not hasattr(est, "entropy_counts"):
        pytest.skip("estimators family not landed")
    tables = rng.integers(0, 9, size=(4, 5, 6))
    hxy = est.entropy_counts(tables.reshape(4, 30), "plugin")
    np.testing.assert_allclose(fe.joint_entropy(tables), hxy, rtol=1e-12)
    for method in [m for m in getattr(est, "METHODS", {}) if m != "plugin"][:3]:
        hx = est.entropy_counts(tables.sum(axis=2), method, k=5)
        hy = est.entropy_counts(tables.sum(axis=1), method, k=6)
        hj = est.entropy_counts(tables.reshape(4, 30), method, k=30)
        np.testing.assert_allclose(fe.mutual_information(tables, method), hx + hy - hj,
                                   rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# scikit-learn drop-ins

_AVERAGES = ["min", "geometric", "arithmetic", "max"]


def _sk():
    return pytest.importorskip("sklearn.metrics")


def _check_all(sk, u, v, ami_tol=1e-10):
    assert fe.mutual_info_score(u, v) == pytest.approx(sk.mutual_info_score(u, v), abs=1e-10)
    for avg in _AVERAGES:
        assert fe.normalized_mutual_info_score(u, v, average_method=avg) == pytest.approx(
            sk.normalized_mutual_info_score(u, v, average_method=avg), abs=1e-10)
        assert fe.adjusted_mutual_info_score(u, v, average_method=avg) == pytest.approx(
            sk.adjusted_mutual_info_score(u, v, average_method=avg), abs=ami_tol)


@given(
    n=st.integers(1, 120),
    r=st.integers(1, 12),
    c=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_scores_equal_sklearn_random(n, r, c, seed):
    sk = _sk()
    rng = np.random.default_rng(seed)
    u = rng.integers(0, r, n)
    v = (u + rng.integers(0, c, n)) % c if seed % 2 else rng.integers(0, c, n)
    _check_all(sk, u, v)


@pytest.mark.parametrize(
    "u, v",
    [
        ([0, 0, 0, 0], [0, 0, 0, 0]),  # single cluster on both sides
        ([0, 0, 0, 0], [0, 1, 2, 3]),  # single cluster vs all singletons
        ([0, 1, 2, 3], [0, 1, 2, 3]),  # all singletons, identical
        ([0, 1, 2, 3], [5, 7, 1, 0]),  # identical up to renaming
        (["a", "a", "b", "c", "c"], ["x", "y", "y", "z", "z"]),
        (["a", "b", "a", "b"], [1.5, 1.5, -2.0, -2.0]),
        ([0, 0, 1, 1], [0, 1, 0, 1]),  # independent: MI exactly 0
        ([7], [3]),
        ([1, 2], [1, 1]),
    ],
)
def test_scores_equal_sklearn_edge_cases(u, v):
    sk = _sk()
    _check_all(sk, u, v)


def test_scores_identical_and_empty():
    sk = _sk()
    u = np.random.default_rng(3).integers(0, 9, 500)
    assert fe.normalized_mutual_info_score(u, u) == pytest.approx(1.0, abs=1e-14)
    assert fe.adjusted_mutual_info_score(u, u) == pytest.approx(1.0, abs=1e-14)
    for fn, skfn in [(fe.normalized_mutual_info_score, sk.normalized_mutual_info_score),
                     (fe.adjusted_mutual_info_score, sk.adjusted_mutual_info_score)]:
        assert fn([], []) == skfn([], []) == 1.0


def test_scores_equal_sklearn_larger(rng):
    sk = _sk()
    u = rng.integers(0, 50, 20_000)
    v = np.where(rng.random(20_000) < 0.3, u, rng.integers(0, 40, 20_000))
    _check_all(sk, u, v)
    # string labels far from the integer fast path
    su = np.array([f"c{i}" for i in range(50)])[u]
    assert fe.adjusted_mutual_info_score(su, v) == pytest.approx(
        sk.adjusted_mutual_info_score(su, v), abs=1e-10)


def test_mutual_info_score_contingency_argument(rng):
    sk = _sk()
    sp = pytest.importorskip("scipy.sparse")
    u = rng.integers(0, 6, 400)
    v = rng.integers(0, 4, 400)
    table = sk.cluster.contingency_matrix(u, v)
    want = sk.mutual_info_score(u, v)
    assert fe.mutual_info_score(None, None, contingency=table) == pytest.approx(want, abs=1e-14)
    assert fe.mutual_info_score(None, None, contingency=sp.csr_matrix(table)) == pytest.approx(
        want, abs=1e-14)
    assert fe.mutual_info_score(None, None, contingency=table[:1]) == 0.0


def test_scores_with_many_classes_use_sorted_cells(rng):
    # 3000 x ~2000 classes: the dense table would be mostly zeros, so the cells are sorted.
    sk = _sk()
    n = 6000
    u = rng.permutation(n) // 2
    v = np.where(rng.random(n) < 0.5, u, rng.integers(0, 1000, n)) * 7 + 10**9
    parts, _ = mi_mod._parts_from_labels(u, v, 1)
    assert parts.table is None and parts.r == 3000
    # scikit-learn's EMI here is off by ~7e-11 relative (its terms carry the rounding of
    # log-factorials ~5e4); ours matches a 40-digit mpmath sum to 1e-16 and scipy's pmf to 1e-12
    emi = mi_mod._expected_mi(parts.a, parts.b, 1)
    assert emi == pytest.approx(_naive_emi(parts.a[parts.a > 0], parts.b[parts.b > 0]), rel=1e-12)
    _check_all(sk, u, v, ami_tol=5e-9)
    w = np.arange(n)  # all singletons on both sides
    assert fe.adjusted_mutual_info_score(w, w[::-1]) == sk.adjusted_mutual_info_score(w, w[::-1])
    assert fe.normalized_mutual_info_score(w, w[::-1]) == pytest.approx(1.0, abs=1e-14)


def test_sparse_contingency_argument_with_duplicates_and_zeros():
    sk = _sk()
    sp = pytest.importorskip("scipy.sparse")
    rows = np.array([0, 0, 1, 2, 2, 0])
    cols = np.array([0, 0, 1, 2, 0, 3])
    vals = np.array([2, 3, 4, 0, 5, 1])
    m = sp.coo_matrix((vals, (rows, cols)), shape=(4, 4))
    dense = m.toarray()
    want = sk.mutual_info_score(None, None, contingency=dense)
    assert fe.mutual_info_score(None, None, contingency=m) == pytest.approx(want, abs=1e-14)
    assert fe.mutual_info_score(None, None, contingency=dense) == pytest.approx(want, abs=1e-14)


# ---------------------------------------------------------------------------------------------
# bad input


def test_bad_labels():
    with pytest.raises(ValueError, match="labels_true and labels_pred must have the same length"):
        fe.adjusted_mutual_info_score([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="x and y must have the same length"):
        fe.contingency([0, 1], [0])
    with pytest.raises(ValueError, match="labels_pred must be 1-D"):
        fe.normalized_mutual_info_score([0, 1], [[0, 1]])
    with pytest.raises(ValueError, match="labels_true must be 1-D"):
        fe.mutual_info_score(np.zeros((2, 2)), [0, 1])
    with pytest.raises(ValueError, match="labels_true must not contain NaN"):
        fe.adjusted_mutual_info_score([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="y must not contain NaN"):
        fe.contingency([0, 1], np.array([1.0, np.nan], dtype=object))
    with pytest.raises(ValueError, match="x and y have 20000 and 20000 classes"):
        fe.contingency(np.arange(20000), np.arange(20000))
    with pytest.raises(ValueError, match="labels_true and labels_pred must not be empty"):
        fe.mutual_info_score([], [])
    with pytest.raises(TypeError, match="labels_true"):
        fe.mutual_info_score("abc", [0, 1, 2])
    with pytest.raises(TypeError, match="labels_pred must hold labels of one kind"):
        fe.adjusted_mutual_info_score([0, 1, 1], np.array([1, "a", 2.0], dtype=object))
    with pytest.raises(ValueError, match="average_method"):
        fe.adjusted_mutual_info_score([0, 1], [0, 1], average_method="median")
    with pytest.raises(TypeError, match="n_jobs"):
        fe.adjusted_mutual_info_score([0, 1], [0, 1], n_jobs=1.5)


def test_bad_tables():
    with pytest.raises(ValueError, match="table must be non-negative"):
        fe.mutual_information([[1, -1], [2, 3]])
    with pytest.raises(ValueError, match="table must have at least 2"):
        fe.joint_entropy([1, 2, 3])
    with pytest.raises(ValueError, match="table must have at least one row and one column"):
        fe.mutual_information(np.zeros((0, 3), int))
    with pytest.raises(ValueError, match="table must have a positive total"):
        fe.mutual_information(np.stack([np.ones((2, 2)), np.zeros((2, 2))]))
    with pytest.raises(ValueError, match="table must hold whole-number"):
        fe.variation_of_information([[0.5, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="table must contain only finite"):
        fe.conditional_entropy([[np.nan, 1.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="base"):
        fe.mutual_information([[1, 2], [3, 4]], base=1.0)
    with pytest.raises(TypeError, match="method"):
        fe.mutual_information([[1, 2], [3, 4]], method=3)
    with pytest.raises(ValueError, match="method"):
        fe.mutual_information([[1, 2], [3, 4]], method="no-such-estimator")
    with pytest.raises(ValueError, match="contingency must be 2-D"):
        fe.mutual_info_score(None, None, contingency=np.ones((2, 2, 2), int))
    with pytest.raises(ValueError, match="contingency must have a positive total"):
        fe.mutual_info_score(None, None, contingency=np.zeros((2, 2), int))
    with pytest.raises(ValueError, match="contingency must be non-negative"):
        fe.mutual_info_score(None, None, contingency=[[1, -2], [3, 4]])


# ---------------------------------------------------------------------------------------------
# accuracy against a 50-digit reference


def _mp_reference(table):
    """H(X), H(Y), H(X,Y), I, H(Y|X), H(X|Y) of a 2-D count table, in 50-digit arithmetic."""
    mp = pytest.importorskip("mpmath")
    with mp.workdps(50):
        t = [[mp.mpf(int(v)) for v in row] for row in np.asarray(table).tolist()]
        n = sum(sum(row) for row in t)
        a = [sum(row) for row in t]
        b = [sum(col) for col in zip(*t)]

        def h(cs):
            return sum((c / n * mp.log(n / c) for c in cs if c > 0), mp.mpf(0))

        hx, hy = h(a), h(b)
        hxy = h([v for row in t for v in row])
        mi = sum((t[i][j] / n * mp.log(t[i][j] * n / (a[i] * b[j]))
                  for i in range(len(a)) for j in range(len(b)) if t[i][j] > 0), mp.mpf(0))
        return [hx, hy, hxy, mi, hxy - hx, hxy - hy]


def _reference_tables():
    rng = np.random.default_rng(20261201)
    near = np.outer([1000, 2000, 3000], [500, 700, 900]) * 10**5
    near = near + rng.integers(0, 3, near.shape)  # near independence: I ~ 1e-12 nats
    return {
        "identity": np.eye(100, dtype=np.int64),
        "skewed": np.array([[2**40, 1], [1, 3]]),
        "skewed_row": np.array([[2**40, 1, 1, 3], [1, 1, 1, 1]]),
        "skewed_column": np.array([[2**40, 1, 1, 3], [1, 1, 1, 1]]).T.copy(),
        "random": rng.integers(0, 50, (7, 9)),
        "random_zeros": rng.integers(0, 3, (12, 5)) * rng.integers(0, 2, (12, 5)),
        "near_independent": near,
        "independent": np.outer([1, 2, 3], [4, 5]) * 7,
        "large_counts": rng.integers(2**40, 2**41, (3, 4)),
        "huge_total": np.array([[2**61, 2**59], [3, 2**60]], dtype=np.uint64),
        "one_row": np.array([[5, 0, 7]]),
    }


@pytest.mark.parametrize("name", sorted(_reference_tables()))
def test_table_quantities_match_50_digit_reference(name):
    table = _reference_tables()[name]
    ref = _mp_reference(table)
    got = {
        2: fe.joint_entropy(table),
        3: fe.mutual_information(table),
        4: fe.conditional_entropy(table),
        5: fe.conditional_entropy(np.swapaxes(table, -1, -2)),
    }
    for q, value in got.items():
        want = float(ref[q])
        # a few ulp; the old difference-of-logs code was 2e-15 (identity), 8e-14 (skewed)
        # and 1e-3 (near independence) away
        assert value == pytest.approx(want, rel=1e-15, abs=0), (name, q)
    vi = fe.variation_of_information(table)
    assert vi == pytest.approx(float(ref[4] + ref[5]), rel=1e-15, abs=0)


@pytest.mark.parametrize("name", ["identity", "skewed", "random", "near_independent"])
def test_scores_match_50_digit_reference(name, rng):
    table = _reference_tables()[name]
    ref = _mp_reference(table)
    mi = float(ref[3])
    # dense and sparse contingency arguments
    sp = pytest.importorskip("scipy.sparse")
    assert fe.mutual_info_score(None, None, contingency=table) == pytest.approx(
        mi, rel=1e-15, abs=0)
    assert fe.mutual_info_score(None, None, contingency=sp.csr_matrix(table)) == pytest.approx(
        mi, rel=1e-15, abs=0)
    if table.sum() > 10**6:
        return
    # labels drawn to give exactly this table, in a shuffled order
    r, c = np.nonzero(table)
    reps = table[r, c]
    u = rng.permutation(np.repeat(np.arange(len(reps)), reps))
    x, y = r[u], c[u]
    assert fe.mutual_info_score(x, y) == pytest.approx(mi, rel=1e-15, abs=0)
    hx, hy = float(ref[0]), float(ref[1])
    if hx > 0 and hy > 0:
        assert fe.normalized_mutual_info_score(x, y) == pytest.approx(
            mi / ((hx + hy) / 2), rel=2e-15, abs=0)


@pytest.mark.parametrize("n", [2, 3, 7, 50, 100, 4096, 6000])
def test_identity_labelings_are_log_n_to_the_last_bit(n):
    # the example: mutual_info_score(arange(100), arange(100)) was 10 ulp from log 100
    x = np.arange(n)
    assert fe.mutual_info_score(x, x) == math.log(n)
    assert fe.mutual_info_score(x, x[::-1].copy()) == math.log(n)  # n = 6000: sorted cells
    assert fe.normalized_mutual_info_score(x, x) == 1.0
    if n <= 100:
        assert fe.mutual_information(np.eye(n, dtype=np.int8)) == math.log(n)
        assert fe.joint_entropy(np.eye(n, dtype=np.int8)) == math.log(n)


def test_g_statistic_near_independence_keeps_its_digits():
    # G = 2 N I of a nearly independent table with N ~ 1e11: the sum of non-negative terms
    # keeps full precision where the direct sum of terms of both signs loses most digits
    table = np.outer([3, 5, 7], [11, 13]) * 10**9
    table[0, 0] += 1
    table[2, 1] -= 1
    ref = _mp_reference(table)
    n = int(table.sum())
    g = 2 * n * fe.mutual_information(table)
    assert g == pytest.approx(float(2 * n * ref[3]), rel=1e-14, abs=0)
    assert 0 < fe.mutual_information(table) < 1e-20


# ---------------------------------------------------------------------------------------------
# inputs read in place: tracemalloc peaks against the data size


def _peak_bytes(f):
    import tracemalloc

    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        f()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


_MIB = 1 << 20


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, bool])
def test_label_functions_read_narrow_labels_in_place(dtype, rng):
    # 16 MiB of labels: an int64 copy would be 64-128 MiB; the work is the class table
    n = 16 * _MIB // np.dtype(dtype).itemsize
    k = 2 if dtype is bool else 8
    x = rng.integers(0, k, n).astype(dtype)
    y = ((x.astype(np.int64) + rng.integers(0, 3, n)) % k).astype(dtype)
    if dtype is np.int8:
        x -= 4  # negative labels: decoded from the unsigned view with a wrapping offset
    budget = x.nbytes // 4 + 4 * _MIB
    fe.adjusted_mutual_info_score(x[:100], y[:100])  # warm: imports and kernel loading
    for f in (lambda: fe.contingency(x, y), lambda: fe.mutual_info_score(x, y),
              lambda: fe.normalized_mutual_info_score(x, y),
              lambda: fe.adjusted_mutual_info_score(x, y)):
        assert _peak_bytes(f) < budget
    t = fe.contingency(x, y)[0]
    np.testing.assert_array_equal(t, fe.contingency(x.astype(np.int64), y.astype(np.int64))[0])


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint32, bool])
def test_table_functions_read_narrow_tables_in_place(dtype, rng):
    # 4 MiB of counts: the old path made an int64 copy (8x for int8) plus a bool temporary
    cells = 4 * _MIB // np.dtype(dtype).itemsize
    tables = rng.integers(0, 2 if dtype is bool else 100, (4, cells // 4 // 512, 512))
    tables = tables.astype(dtype)
    budget = tables.nbytes // 4 + 2 * _MIB
    fortran = np.asfortranarray(tables[0])
    fe.mutual_info_score(None, None, contingency=fortran[:3])  # warm
    for f in (lambda: fe.joint_entropy(tables), lambda: fe.mutual_information(tables),
              lambda: fe.conditional_entropy(tables), lambda: fe.variation_of_information(tables),
              lambda: fe.mutual_information(fortran),
              lambda: fe.mutual_info_score(None, None, contingency=fortran)):
        assert _peak_bytes(f) < budget


@pytest.mark.parametrize("dtype", _INT_DTYPES + [bool])
def test_every_integer_width_and_layout_gives_the_int64_answer(dtype, rng):
    base = rng.integers(0, 2 if dtype is bool else 100, (3, 6, 7))
    want = {f: f(base) for f in (fe.joint_entropy, fe.mutual_information,
                                 fe.conditional_entropy, fe.variation_of_information)}
    t = base.astype(dtype)
    big = np.zeros((3, 12, 14), dtype)
    big[:, ::2, ::2] = t
    variants = [t, np.asfortranarray(t), big[:, ::2, ::2], t[:, ::-1, ::-1][:, ::-1, ::-1],
                t.astype(np.dtype(dtype).newbyteorder(">"))]
    ro = t.copy()
    ro.flags.writeable = False
    variants.append(ro)
    for f, w in want.items():
        for v in variants:
            np.testing.assert_array_equal(f(v), w)


def test_labels_of_every_width_and_layout(rng):
    x = rng.integers(-20, 20, 5000)
    y = rng.integers(0, 30, 5000)
    want = fe.contingency(x, y)[0]
    ami = fe.adjusted_mutual_info_score(x, y)
    for dx in (np.int8, np.int16, np.int32, np.int64):
        for dy in (np.uint8, np.uint16, np.uint32, np.uint64, np.int8):
            xs, ys = x.astype(dx), y.astype(dy)
            np.testing.assert_array_equal(fe.contingency(xs, ys)[0], want)
            np.testing.assert_array_equal(fe.contingency(xs, ys)[1], np.unique(xs))
    wide = np.zeros(10000, np.int16)
    wide[::2] = x
    assert fe.adjusted_mutual_info_score(wide[::2], y) == ami
    assert fe.adjusted_mutual_info_score(x[::-1], y[::-1]) == ami
    assert fe.adjusted_mutual_info_score(x.astype(">i4"), y) == ami
    b = x > 0
    np.testing.assert_array_equal(fe.contingency(b, y)[0], fe.contingency(b.astype(int), y)[0])
    # uint64 labels beyond the offset range go through np.unique
    big = (y.astype(np.uint64) + np.uint64(2**63))
    np.testing.assert_array_equal(fe.contingency(x, big)[0], want)


# ---------------------------------------------------------------------------------------------
# totals and messages


def test_totals_beyond_int64_are_refused():
    with pytest.raises(ValueError, match=r"^table must have a total count of at most 2\*\*63 - 1"):
        fe.mutual_information([[2**62, 2**62], [2**62, 1]])
    with pytest.raises(ValueError, match="table must have a total count .* in every table"):
        fe.joint_entropy(np.full((2, 2, 3), 2**61, np.int64))
    with pytest.raises(ValueError, match=r"^table has counts larger than the int64 maximum"):
        fe.mutual_information(np.array([[2**63, 1]], np.uint64))
    sp = pytest.importorskip("scipy.sparse")
    with pytest.raises(ValueError, match="^contingency must have a total count"):
        fe.mutual_info_score(None, None, contingency=sp.csr_matrix(
            np.array([[2**62, 2**62], [2**62, 1]], np.int64)))
    # the largest total allowed
    t = np.array([[2**62, 2**62 - 1]], np.int64)
    assert fe.joint_entropy(t) == pytest.approx(math.log(2), rel=1e-15, abs=0)


def test_errors_name_the_argument_and_keep_numpy_text_out():
    cases = [
        (ValueError, "table", lambda: fe.mutual_information([[1, 2], [3]])),
        (ValueError, "table", lambda: fe.variation_of_information([[[1, 2], [3, 4]], [[1]]])),
        (ValueError, "contingency",
         lambda: fe.mutual_info_score(None, None, contingency=[[1, 2], [3]])),
        (ValueError, "labels_true", lambda: fe.mutual_info_score([[1, 2], [3]], [1, 2])),
        (ValueError, "labels_pred", lambda: fe.adjusted_mutual_info_score([1, 2], [1, [2, 3]])),
        (ValueError, "x", lambda: fe.contingency([[1], [2, 3]], [1, 2])),
        (TypeError, "labels_pred",
         lambda: fe.normalized_mutual_info_score([0, 1, 1], np.array([1, "a", 2.0], object))),
        (TypeError, "table", lambda: fe.joint_entropy("abc")),
    ]
    for exc, name, f in cases:
        with pytest.raises(exc) as info:
            f()
        msg = str(info.value)
        assert msg.startswith(name + " "), msg
        for numpy_text in ("inhomogeneous", "setting an array element", "not supported between"):
            assert numpy_text not in msg, msg


def test_sklearn_exception_types_on_bad_labels():
    sk = _sk()
    for u, v in [([[1, 2], [3]], [1, 2]), ([0, 1, 1], np.array([1, "a", 2.0], dtype=object))]:
        for ours, theirs in [(fe.mutual_info_score, sk.mutual_info_score),
                             (fe.adjusted_mutual_info_score, sk.adjusted_mutual_info_score)]:
            with pytest.raises(Exception) as mine:
                ours(u, v)
            with pytest.raises(Exception) as ref:
                theirs(u, v)
            assert isinstance(mine.value, type(ref.value)), (mine.value, ref.value)


@pytest.mark.parametrize(
    "func",
    [fe.joint_entropy, fe.conditional_entropy, fe.mutual_information, fe.variation_of_information],
)
def test_estimator_total_limit_names_table(func):
    # the bias-corrected estimators take totals below 2**62; the error must name `table`
    with pytest.raises(ValueError, match=r"^table: .*2\*\*62"):
        func(np.array([[2**62]]), method="miller_madow")
    assert np.isfinite(func(np.array([[2**62]]), method="plugin"))
