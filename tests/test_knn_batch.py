"""The k-NN batch functions (fastentropy.knn_batch): equal to the one-problem estimators
of fastentropy.knn, call for call; the batch kernel equal to its twin (and to brute force)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from _kernel_pairs import pair

import fastentropy.knn as fk
import fastentropy.knn_batch as fkb
from fastentropy._twins import knn_batch as twin

X = np.random.default_rng(0).standard_normal((50, 2))
Y = np.random.default_rng(1).standard_normal(50)


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kw)


# --------------------------------------------------------------------------- the kernel


def _table(cols):
    preps = []
    for c in cols:  # as knn._prepare leaves them (constant columns allowed here)
        p = fk._Prepared(np.ascontiguousarray(c[:, None], dtype=np.float64))
        p.order = np.argsort(p.a[:, 0])
        p.sorted = np.ascontiguousarray(p.a[p.order, 0])
        preps.append(p)
    return fkb._Table(preps)


def _brute_counts(x, y, k, ksg2):
    """O(n^2) KSG counts straight from the definitions, neighbours ranked by (distance, index)."""
    n = x.shape[0]
    nx = np.empty(n, dtype=np.intp)
    ny = np.empty(n, dtype=np.intp)
    for i in range(n):
        dx = np.abs(x - x[i])
        dy = np.abs(y - y[i])
        d = np.maximum(dx, dy)
        others = np.array([j for j in range(n) if j != i])
        nb = others[np.lexsort((others, d[others]))][:k]
        if ksg2:
            nx[i] = np.count_nonzero(dx[others] <= dx[nb].max())
            ny[i] = np.count_nonzero(dy[others] <= dy[nb].max())
        else:
            r = d[nb[-1]]
            nx[i] = np.count_nonzero(dx[others] < r)
            ny[i] = np.count_nonzero(dy[others] < r)
    return nx, ny


def _columns(rng, n, kind):
    if kind == "gauss":
        a = rng.standard_normal(n)
        return [a, a + rng.standard_normal(n), rng.standard_normal(n)]
    if kind == "ties":  # few distinct values: ties in both marginals and at the k-th distance
        return [np.round(rng.standard_normal(n)), rng.integers(0, 4, n).astype(float),
                np.round(rng.standard_normal(n) * 2) / 2]
    if kind == "line":  # strong dependence and a heavy tail
        a = rng.standard_cauchy(n)
        return [a, a * 1e3 + 1e9, np.exp(rng.standard_normal(n) * 3)]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["gauss", "ties", "line"])
@pytest.mark.parametrize("n", [2, 3, 17, 64, 65, 400])
def test_kernel_equals_twin_and_brute_force(kind, n):
    compiled, tw = pair("knn_batch")
    rng = np.random.default_rng(n + len(kind))
    cols = _columns(rng, n, kind)
    tab = _table(cols)
    perms = np.stack([rng.permutation(n) for _ in range(3)])
    tasks = np.array([(0, 1, -1), (1, 0, -1), (0, 2, 1), (2, 1, 0), (1, 2, 2), (0, 0, -1)],
                     dtype=np.intp)
    for k in sorted({1, 2, min(5, n - 1)}):
        if k >= n:
            continue
        for ksg2 in (False, True):
            got = []
            for mod in (compiled, tw):
                nx = np.empty((6, n), dtype=np.intp)
                ny = np.empty((6, n), dtype=np.intp)
                mod.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank, tasks, perms, k,
                              ksg2, nx, ny, 1)
                got.append((nx, ny))
            np.testing.assert_array_equal(got[0][0], got[1][0])
            np.testing.assert_array_equal(got[0][1], got[1][1])
            if n <= 64:
                for t, (a, b, p) in enumerate(tasks.tolist()):
                    y = cols[b][perms[p]] if p >= 0 else cols[b]
                    bx, by = _brute_counts(cols[a], y, k, ksg2)
                    np.testing.assert_array_equal(got[0][0][t], bx)
                    np.testing.assert_array_equal(got[0][1][t], by)


def test_twin_tree_and_brute_paths_agree(monkeypatch):
    rng = np.random.default_rng(5)
    cols = _columns(rng, 60, "ties")
    tab = _table(cols)
    perms = rng.permutation(60)[None]
    tasks = np.array([(0, 1, -1), (2, 0, 0)], dtype=np.intp)
    for ksg2 in (False, True):
        out = []
        for brute in (64, 0):
            monkeypatch.setattr(twin, "_BRUTE_N", brute)
            nx = np.empty((2, 60), dtype=np.intp)
            ny = np.empty((2, 60), dtype=np.intp)
            twin.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank, tasks, perms, 3, ksg2,
                           nx, ny, 1)
            out.append((nx, ny))
        np.testing.assert_array_equal(out[0][0], out[1][0])
        np.testing.assert_array_equal(out[0][1], out[1][1])


def test_kernel_thread_counts_and_modes_bitwise():
    """Many tasks (threads over tasks) and few (threads over one task's strips): the same
    counts for any thread count."""
    compiled, _ = pair("knn_batch")
    rng = np.random.default_rng(6)
    n = 3000
    cols = _columns(rng, n, "gauss") + _columns(rng, n, "ties")
    tab = _table(cols)
    perms = np.stack([rng.permutation(n) for _ in range(4)])
    for T in (1, 2, 9):
        tasks = np.array([(t % 6, (t + 1) % 6, t % 5 - 1) for t in range(T)], dtype=np.intp)
        for ksg2 in (False, True):
            ref = None
            for threads in (1, 2, 3, 4):
                nx = np.empty((T, n), dtype=np.intp)
                ny = np.empty((T, n), dtype=np.intp)
                compiled.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank, tasks, perms,
                                   4, ksg2, nx, ny, threads)
                if ref is None:
                    ref = (nx, ny)
                np.testing.assert_array_equal(nx, ref[0])
                np.testing.assert_array_equal(ny, ref[1])


@pytest.mark.parametrize("backend", ["compiled", "twin"])
def test_kernel_rejects_bad_shapes(backend):
    mod = pair("knn_batch")[0 if backend == "compiled" else 1]
    tab = _table([np.arange(5.0), np.arange(5.0)[::-1]])
    out = np.empty((1, 5), dtype=np.intp)
    none = np.empty((0, 5), dtype=np.intp)
    with pytest.raises(ValueError, match="absent"):
        mod.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank,
                      np.array([[0, 2, -1]], dtype=np.intp), none, 1, False, out, out, 1)
    with pytest.raises(ValueError, match="absent"):
        mod.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank,
                      np.array([[0, 1, 0]], dtype=np.intp), none, 1, False, out, out, 1)
    with pytest.raises(ValueError, match="k must be"):
        mod.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank,
                      np.array([[0, 1, -1]], dtype=np.intp), none, 5, False, out, out, 1)
    with pytest.raises(ValueError, match="mismatched"):
        mod.ksg_tasks(tab.values, tab.sorted, tab.order, tab.rank,
                      np.array([[0, 1, -1]], dtype=np.intp), none, 1, False,
                      np.empty((2, 5), dtype=np.intp), out, 1)


# --------------------------------------------------------------------------- mutual_info_many


def test_mutual_info_many_equals_one_by_one():
    rng = np.random.default_rng(30)
    X = rng.standard_normal((800, 5))
    X[:, 3] = X[:, 0] * 1e3 + 1e9
    y = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.standard_normal(800)
    for kw in ({}, {"algorithm": "ksg2", "k": 5}, {"base": 2, "noise": 1e-3, "random_state": 4},
               {"standardize": False}, {"standardize": False, "noise": 0.0, "k": 1}):
        got = fkb.mutual_info_many(X, y, **kw)
        assert got.shape == (5,) and got.dtype == np.float64
        ref = [fk.mutual_info_knn(X[:, j], y, **kw) for j in range(5)]
        np.testing.assert_array_equal(got, ref)
    # a 2-D target
    Y2 = np.stack([y, rng.standard_normal(800)], axis=1)
    np.testing.assert_array_equal(fkb.mutual_info_many(X[:, :2], Y2),
                                  [fk.mutual_info_knn(X[:, j], Y2) for j in range(2)])
    assert fkb.mutual_info_many(X, y)[4] < 0.03 < fkb.mutual_info_many(X, y)[0]


def test_mutual_info_many_ties_equal_one_by_one():
    rng = np.random.default_rng(32)
    X = np.round(rng.standard_normal((300, 3)) * 2)
    y = np.round(X[:, 0] + rng.standard_normal(300))
    for kw in ({"noise": 0.0}, {"noise": 0.0, "standardize": False, "algorithm": "ksg2"}, {}):
        got = _quiet(fkb.mutual_info_many, X, y, **kw)
        ref = [_quiet(fk.mutual_info_knn, X[:, j], y, **kw) for j in range(3)]
        np.testing.assert_array_equal(got, ref)


def test_mutual_info_many_discrete_features():
    rng = np.random.default_rng(33)
    n = 500
    X = np.c_[rng.standard_normal(n), rng.integers(0, 3, n), rng.standard_normal(n),
              rng.integers(0, 2, n)].astype(float)
    y = X[:, 0] + X[:, 1] + rng.standard_normal(n)
    mask = np.array([False, True, False, True])
    for spec in (mask, [1, 3], np.array([-3, -1]), (1, 3)):
        for kw in ({}, {"base": 2, "noise": 1e-3, "random_state": 5}):
            got = fkb.mutual_info_many(X, y, discrete_features=spec, **kw)
            ref = [fk.mutual_info_knn(X[:, j], y, discrete_x=bool(mask[j]), **kw)
                   for j in range(4)]
            np.testing.assert_array_equal(got, ref)
    got = fkb.mutual_info_many(X[:, [1, 3]], y, discrete_features=True)
    np.testing.assert_array_equal(got, [fk.mutual_info_knn(X[:, j], y, discrete_x=True)
                                        for j in (1, 3)])
    np.testing.assert_array_equal(_quiet(fkb.mutual_info_many, X, y, discrete_features=[]),
                                  _quiet(fkb.mutual_info_many, X, y))
    # a discrete target: Ross for the continuous columns, the contingency MI for the others
    labels = np.where(y > 0, "hi", "lo")
    got = fkb.mutual_info_many(X, labels, discrete_features=mask, discrete_target=True, base=2)
    ref = [fk.mutual_info_knn(X[:, j], labels, discrete_x=bool(mask[j]), discrete_y=True,
                              base=2) for j in range(4)]
    np.testing.assert_array_equal(got, ref)
    assert got[1] > 0.05 and abs(got[2]) < 0.05


def test_mutual_info_many_generator_seed_reproducible():
    rng = np.random.default_rng(31)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] + rng.standard_normal(300)
    a = fkb.mutual_info_many(X, y, noise=1e-2, random_state=np.random.default_rng(5))
    b = fkb.mutual_info_many(X, y, noise=1e-2, random_state=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


def test_mutual_info_many_n_jobs_bitwise():
    rng = np.random.default_rng(34)
    X = rng.standard_normal((20000, 3))
    y = X[:, 0] + rng.standard_normal(20000)
    ref = fkb.mutual_info_many(X, y, n_jobs=1)
    for nj in (2, 3, -1, None):
        np.testing.assert_array_equal(fkb.mutual_info_many(X, y, n_jobs=nj), ref)


# --------------------------------------------------------------------------- mutual_info_matrix


def test_mutual_info_matrix_symmetric_and_pairwise():
    rng = np.random.default_rng(40)
    X = rng.standard_normal((500, 4))
    X[:, 1] += X[:, 0]
    X[:, 2] = np.sin(X[:, 1]) + 0.3 * X[:, 2]
    for kw in ({}, {"algorithm": "ksg2", "k": 4, "base": 2}):
        M = fkb.mutual_info_matrix(X, noise=0.0, **kw)
        assert M.shape == (4, 4) and np.isnan(np.diag(M)).all()
        np.testing.assert_array_equal(M, M.T)
        for i in range(4):
            for j in range(4):
                if i != j:
                    assert M[i, j] == fk.mutual_info_knn(X[:, i], X[:, j], noise=0.0, **kw)
    # with noise, column j's noise is the j-th block of one stream: (0, 1) is mutual_info_knn's
    M = fkb.mutual_info_matrix(X, random_state=9)
    assert M[0, 1] == M[1, 0] == fk.mutual_info_knn(X[:, 0], X[:, 1], random_state=9)
    assert M[0, 1] > 0.3 and abs(M[0, 3]) < 0.05
    assert np.isnan(fkb.mutual_info_matrix(X[:, :1])).all()


def test_mutual_info_matrix_agrees_with_ennemi():
    ennemi = pytest.importorskip("ennemi")
    rng = np.random.default_rng(41)
    cov = [[1, 0.6, 0.0], [0.6, 1, 0.3], [0.0, 0.3, 1]]
    X = rng.multivariate_normal([0, 0, 0], cov, size=4000)
    ours = fkb.mutual_info_matrix(X)
    theirs = np.asarray(ennemi.pairwise_mi(X, k=3, normalize=False))
    with np.errstate(divide="ignore"):
        exact = -0.5 * np.log(1 - np.array(cov) ** 2)
    off = ~np.eye(3, dtype=bool)
    assert np.isnan(np.diag(theirs)).all()
    # the same estimator (KSG 1, k=3, max-norm): the matrix's noise is one stream over the
    # columns, ennemi's a fresh stream per pair, so they agree to the sample's noise; both are
    # near the closed form
    np.testing.assert_allclose(ours[off], theirs[off], atol=0.01)
    np.testing.assert_allclose(ours[off], exact[off], atol=0.03)
    # ennemi preprocesses as mutual_info_knn does (centre, unit variance, 1e-10 noise drawn for
    # x then y from default_rng(2718281828)): with that seed the values agree up to ennemi's
    # digamma expansion, whose error at psi(k) = psi(3) (-5.35e-7) shifts every estimate (its
    # errors at the marginal counts psi(n_x + 1), 1e-8 at 5 and falling fast, add ~1e-10)
    from ennemi._entropy_estimators import _psi
    from scipy.special import digamma

    shift = float(_psi(np.array([3]))[0] - digamma(3))
    assert -6e-7 < shift < -5e-7
    for i in range(3):
        for j in range(3):
            if i != j:
                same = fk.mutual_info_knn(X[:, i], X[:, j], random_state=2718281828)
                assert abs(theirs[i, j] - same - shift) < 1e-8


# --------------------------------------------------------------------------- mutual_info_batch


def test_mutual_info_batch_equals_one_by_one():
    rng = np.random.default_rng(50)
    xs = [rng.standard_normal(300), rng.standard_normal((400, 2)), rng.standard_normal(300),
          rng.standard_normal(500), rng.standard_normal((300, 1))]
    ys = [(x[:, 0] if x.ndim == 2 else x) + rng.standard_normal(x.shape[0]) for x in xs]
    for kw in ({}, {"algorithm": "ksg2", "k": 5, "base": 2}, {"noise": 0.0}):
        got = fkb.mutual_info_batch(xs, ys, **kw)
        assert got.shape == (5,)
        np.testing.assert_array_equal(got, [fk.mutual_info_knn(x, y, **kw)
                                            for x, y in zip(xs, ys)])
    zs = [rng.standard_normal(x.shape[0]) for x in xs]
    np.testing.assert_array_equal(fkb.mutual_info_batch(xs, ys, zs),
                                  [fk.mutual_info_knn(x, y, z=z) for x, y, z in zip(xs, ys, zs)])
    A = rng.standard_normal((6, 200, 1))
    B = A + rng.standard_normal((6, 200, 1))
    np.testing.assert_array_equal(fkb.mutual_info_batch(A, B, k=4),
                                  [fk.mutual_info_knn(a, b, k=4) for a, b in zip(A, B)])


def test_mutual_info_batch_bad_input():
    with pytest.raises(ValueError, match="^xs must be a 3-D array"):
        fkb.mutual_info_batch(X, X)
    with pytest.raises(ValueError, match=r"^ys\[1\] must have as many samples"):
        fkb.mutual_info_batch([X, X], [Y, Y[:10]])
    with pytest.raises(ValueError, match="^ys must hold as many problems"):
        fkb.mutual_info_batch([X, X], [Y])
    with pytest.raises(ValueError, match="^k must be smaller"):
        fkb.mutual_info_batch([X[:3], X], [Y[:3], Y], k=3)
    with pytest.raises(TypeError, match="^xs must be"):
        fkb.mutual_info_batch(3.0, [Y])


# --------------------------------------------------------------------------- permutation_test


def test_permutation_test_values():
    rng = np.random.default_rng(60)
    x = rng.standard_normal(500)
    y = 0.2 * x + rng.standard_normal(500)
    for kw in ({"standardize": False, "noise": 0.0}, {"standardize": False, "noise": 0.0,
                                                       "algorithm": "ksg2", "base": 2}):
        r = fkb.permutation_test(x, y, n_permutations=40, random_state=3, **kw)
        assert isinstance(r, fkb.PermutationTest)
        prng = np.random.default_rng(3)
        perms = [prng.permutation(500) for _ in range(40)]
        assert r.statistic == fk.mutual_info_knn(x, y, **kw)
        np.testing.assert_array_equal(r.null_distribution,
                                      [fk.mutual_info_knn(x, y[p], **kw) for p in perms])
        assert r.pvalue == (1 + np.count_nonzero(r.null_distribution >= r.statistic)) / 41
    # the default preprocessing: the statistic is mutual_info_knn's
    r = fkb.permutation_test(x, y, n_permutations=9, random_state=1)
    assert r.statistic == fk.mutual_info_knn(x, y)
    # multi-dimensional x (the tree path)
    x2 = np.c_[x, x**2]
    r = fkb.permutation_test(x2, y, n_permutations=9, random_state=3, standardize=False,
                             noise=0.0)
    prng = np.random.default_rng(3)
    np.testing.assert_array_equal(
        r.null_distribution,
        [fk.mutual_info_knn(x2, y[prng.permutation(500)], standardize=False, noise=0.0)
         for _ in range(9)])


def test_permutation_test_reproducible_and_threads():
    rng = np.random.default_rng(61)
    x = rng.standard_normal(9000)
    y = x + rng.standard_normal(9000)
    a = fkb.permutation_test(x, y, n_permutations=3, random_state=7, n_jobs=1)
    for nj in (2, 3, None):
        b = fkb.permutation_test(x, y, n_permutations=3, random_state=7, n_jobs=nj)
        assert a.statistic == b.statistic and a.pvalue == b.pvalue
        np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    # dependence: no permutation reaches the statistic
    assert a.pvalue == 0.25
    assert a.null_distribution.max() < 0.05 < a.statistic


def test_permutation_test_pvalues_uniform_under_independence():
    """30 independent data sets, 39 permutations each: the p-values are (nearly) uniform on
    {1/40, ..., 1}; with fixed seeds the checks are deterministic, with binomial-level
    tolerances."""
    rng = np.random.default_rng(62)
    p = []
    for i in range(30):
        x = rng.standard_normal(150)
        y = rng.standard_normal(150)
        p.append(fkb.permutation_test(x, y, n_permutations=39, random_state=i).pvalue)
    p = np.array(p)
    assert 0.35 < p.mean() < 0.65  # mean 0.5125, sd of the mean ~0.053
    assert np.count_nonzero(p <= 0.1) <= 8  # expected 3 (binomial 30, 0.1)
    assert np.count_nonzero(p > 0.5) >= 8


def _local_permutations(z, k_perm, seed, count):
    """Runge's (2018) local permutations, straight from the description (the reference)."""
    _, idx = fk._knn(np.ascontiguousarray(z.reshape(len(z), -1)), k_perm - 1, 0, 1,
                     want_idx=True)
    lists = np.column_stack([np.arange(len(z)), idx])
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        order = rng.permutation(len(z))
        shuffled = rng.permuted(lists, axis=1)
        used, chosen = set(), np.empty(len(z), dtype=np.intp)
        for i in order:
            free = [j for j in shuffled[i] if j not in used]
            chosen[i] = free[0] if free else shuffled[i][-1]
            used.add(chosen[i])
        out.append(chosen)
    return out


def test_conditional_permutation_test_values():
    rng = np.random.default_rng(63)
    n = 300
    z = rng.standard_normal(n)
    x = z + 0.5 * rng.standard_normal(n)
    y = z + 0.5 * rng.standard_normal(n)
    kw = {"standardize": False, "noise": 0.0}
    for k_perm in (2, 5):
        r = fkb.permutation_test(x, y, z=z, n_permutations=12, random_state=4, k_perm=k_perm,
                                 **kw)
        assert r.statistic == fk.mutual_info_knn(x, y, z=z, **kw)
        ref = [fk.mutual_info_knn(x[c], y, z=z, **kw)
               for c in _local_permutations(z, k_perm, 4, 12)]
        np.testing.assert_array_equal(r.null_distribution, ref)
    r = fkb.permutation_test(x, y, z=z, n_permutations=5, random_state=1)
    assert r.statistic == fk.mutual_info_knn(x, y, z=z)


def test_restricted_permutation_kernel_equals_twin():
    compiled, tw = pair("knn_batch")
    rng = np.random.default_rng(64)
    for n, m in ((1, 1), (7, 3), (200, 5), (50, 50)):
        lists = np.ascontiguousarray(rng.integers(0, n, (n, m)), dtype=np.intp)
        order = np.ascontiguousarray(rng.permutation(n), dtype=np.intp)
        got = []
        for mod in (compiled, tw):
            used = np.zeros(n, dtype=np.uint8)
            out = np.empty(n, dtype=np.intp)
            mod.restricted_permutation(lists, order, used, out)
            got.append(out)
        np.testing.assert_array_equal(got[0], got[1])
        with pytest.raises(ValueError, match="out of range"):
            compiled.restricted_permutation(lists + n, order, np.zeros(n, np.uint8),
                                            np.empty(n, dtype=np.intp))


def test_conditional_pvalues():
    """A chain x <- z -> y (conditionally independent): p-values spread over (0, 1]; x -> y
    with z unrelated: the smallest p-value."""
    rng = np.random.default_rng(65)
    p = []
    for i in range(20):
        z = rng.standard_normal(200)
        x = z + 0.7 * rng.standard_normal(200)
        y = z + 0.7 * rng.standard_normal(200)
        p.append(fkb.permutation_test(x, y, z=z, n_permutations=19, random_state=i).pvalue)
    p = np.array(p)
    assert 0.3 < p.mean() < 0.7  # mean 0.525, sd of the mean ~0.065
    assert np.count_nonzero(p <= 0.1) <= 6  # expected 2 (binomial 20, 0.1)
    z = rng.standard_normal(300)
    x = rng.standard_normal(300)
    y = x + 0.5 * rng.standard_normal(300)
    assert fkb.permutation_test(x, y, z=z, n_permutations=19, random_state=0).pvalue == 0.05


def test_permutation_test_bad_input():
    with pytest.raises(ValueError, match="^z must have as many samples"):
        fkb.permutation_test(Y, Y, z=Y[:10])
    with pytest.raises(ValueError, match="^k_perm must be from 2"):
        fkb.permutation_test(Y, Y, z=Y, k_perm=1)
    with pytest.raises(TypeError, match="^k_perm must be an int"):
        fkb.permutation_test(Y, Y, z=Y, k_perm=2.0)
    with pytest.raises(ValueError, match="^algorithm='ksg2' is not available with z"):
        fkb.permutation_test(Y, Y, z=Y, algorithm="ksg2")
    with pytest.raises(ValueError, match="^n_permutations must be at least 1"):
        fkb.permutation_test(Y, Y, n_permutations=0)
    with pytest.raises(TypeError, match="^n_permutations must be a positive int"):
        fkb.permutation_test(Y, Y, n_permutations=2.5)
    with pytest.raises(ValueError, match="^y must have as many samples"):
        fkb.permutation_test(Y, Y[:10])


# --------------------------------------------------------------------------- pandas


def test_pandas_labels_kept():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(70)
    arr = rng.standard_normal((300, 3))
    df = pd.DataFrame(arr, columns=["a", "b", "c"])
    target = pd.Series(arr[:, 0] + rng.standard_normal(300), name="t")
    s = fkb.mutual_info_many(df, target)
    assert isinstance(s, pd.Series) and list(s.index) == ["a", "b", "c"]
    np.testing.assert_array_equal(s.to_numpy(), fkb.mutual_info_many(arr, target.to_numpy()))
    m = fkb.mutual_info_matrix(df)
    assert isinstance(m, pd.DataFrame)
    assert list(m.index) == ["a", "b", "c"] and list(m.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(m.to_numpy(), fkb.mutual_info_matrix(arr))
    # Series inputs elsewhere are arrays; numpy inputs give numpy outputs
    r = fkb.permutation_test(df["a"], target, n_permutations=5, random_state=0)
    assert isinstance(r.null_distribution, np.ndarray)
    assert isinstance(fkb.mutual_info_many(arr, target), np.ndarray)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fkb.mutual_info_many(Y, Y), ValueError, "X must be 2-D"),
        (lambda: fkb.mutual_info_many(X, Y[:10]), ValueError, "y must have as many samples"),
        (lambda: fkb.mutual_info_many(np.c_[X, np.ones(50)], Y), ValueError,
         "X: column 2 is constant"),
        (lambda: fkb.mutual_info_many(X, Y, k=50), ValueError, "k must be smaller"),
        (lambda: fkb.mutual_info_many(X, Y, random_state=True), TypeError, "random_state"),
        (lambda: fkb.mutual_info_many(np.zeros((50, 0)), Y), ValueError, "X must have at least"),
        (lambda: fkb.mutual_info_many(X, Y, discrete_features=[True]), ValueError,
         "discrete_features: a boolean mask"),
        (lambda: fkb.mutual_info_many(X, Y, discrete_features=[4]), ValueError,
         "discrete_features: index 4"),
        (lambda: fkb.mutual_info_many(X, Y, discrete_features="auto"), TypeError,
         "discrete_features must be"),
        (lambda: fkb.mutual_info_many(X, Y, discrete_features=[0.5]), TypeError,
         "discrete_features must be"),
        (lambda: fkb.mutual_info_many(X, Y, discrete_features=True, algorithm="ksg2"),
         ValueError, "algorithm must be 'ksg1'"),
        (lambda: fkb.mutual_info_many(X, Y[:7], discrete_target=True), ValueError,
         "y must have as many samples"),
        (lambda: fkb.mutual_info_matrix(Y), ValueError, "X must be 2-D"),
        (lambda: fkb.mutual_info_matrix(X, k=50), ValueError, "k must be smaller"),
    ],
)
def test_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


def test_chunked_calls_equal_whole(monkeypatch):
    """Tasks, columns and permutations are processed a block at a time (memory O(block * n));
    tiny blocks give the same values."""
    rng = np.random.default_rng(80)
    X = rng.standard_normal((200, 5))
    y = X[:, 0] + rng.standard_normal(200)
    many = fkb.mutual_info_many(X, y)
    matrix = fkb.mutual_info_matrix(X)
    perm = fkb.permutation_test(X[:, 0], y, n_permutations=7, random_state=2)
    monkeypatch.setattr(fkb, "_CHUNK_ENTRIES", 450)  # two tasks a block
    np.testing.assert_array_equal(fkb.mutual_info_many(X, y), many)
    np.testing.assert_array_equal(fkb.mutual_info_matrix(X), matrix)
    chunked = fkb.permutation_test(X[:, 0], y, n_permutations=7, random_state=2)
    assert chunked.statistic == perm.statistic and chunked.pvalue == perm.pvalue
    np.testing.assert_array_equal(chunked.null_distribution, perm.null_distribution)
