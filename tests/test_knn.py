"""k-NN family: the KD-tree kernel against its cKDTree twin and an O(n^2) brute force (ties
included), the estimators against brute-force formulas and closed forms, invariances, n_jobs
determinism and bad input."""
import math
import warnings

import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import digamma

import fastentropy.knn as fk
from fastentropy._backend import backend, kernels

# ---------------------------------------------------------------------------------------------
# brute-force references (the kernels' distance expressions, evaluated on every pair)


def _dist(a, b, metric):
    diff = a[:, None, :] - b[None, :, :]
    if metric == 0:
        return np.abs(diff).max(axis=-1)
    s = np.zeros(diff.shape[:2])
    for j in range(diff.shape[-1]):  # coordinate order, as the kernel sums
        s = s + diff[..., j] * diff[..., j]
    return np.sqrt(s)


def bf_kth(data, queries, k, metric, exclude_self):
    D = _dist(queries, data, metric)
    if exclude_self:
        np.fill_diagonal(D, np.inf)
    return np.ascontiguousarray(np.sort(D, axis=1)[:, k - 1])


def bf_count(pts, radii, strict):
    D = _dist(pts, pts, 0)
    np.fill_diagonal(D, np.inf)
    inside = D < radii[:, None] if strict else D <= radii[:, None]
    return inside.sum(axis=1)


def bf_ksg1(x, y, k):
    n = len(x)
    eps = _joint_eps([x, y], k)
    nx = bf_count(x, eps, True)
    ny = bf_count(y, eps, True)
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def _joint_eps(parts, k):
    j = np.hstack(parts)
    return bf_kth(j, j, k, 0, True)


def bf_ksg2(x, y, k):
    n = len(x)
    j = np.hstack([x, y])
    D = _dist(j, j, 0)
    np.fill_diagonal(D, np.inf)
    nb = np.argsort(D, axis=1, kind="stable")[:, :k]
    ex = np.abs(x[nb] - x[:, None, :]).max(axis=(1, 2))
    ey = np.abs(y[nb] - y[:, None, :]).max(axis=(1, 2))
    nx = bf_count(x, ex, False)
    ny = bf_count(y, ey, False)
    return digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))


def bf_cmi(x, y, z, k):
    eps = _joint_eps([x, y, z], k)
    nxz = bf_count(np.hstack([x, z]), eps, True)
    nyz = bf_count(np.hstack([y, z]), eps, True)
    nz = bf_count(z, eps, True)
    return digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1))


def bf_entropy(x, k, metric):
    n, d = x.shape
    eps = bf_kth(x, x, k, metric, True)
    if metric == 0:
        log_cd = d * math.log(2)
    else:
        log_cd = 0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1)
    return digamma(n) - digamma(k) + log_cd + d * np.mean(np.log(eps))


def bf_kl(x, y, k):
    n, d = x.shape
    m = y.shape[0]
    rho = bf_kth(x, x, k, 1, True)
    nu = bf_kth(y, x, k, 1, False)
    return d * np.mean(np.log(nu / rho)) + math.log(m / (n - 1))


RAW = dict(standardize=False, noise=0.0)


def _both():
    return pair("knn")


# ---------------------------------------------------------------------------------------------
# kernel vs twin vs brute force


def _points(draw, n, d, tied):
    if tied:
        return draw(hnp.arrays(np.float64, (n, d), elements=st.integers(-3, 3).map(float)))
    scale = draw(st.sampled_from([1.0, 1e-6, 1e3, 1e9]))
    offset = draw(st.sampled_from([0.0, 1e9]))
    a = draw(hnp.arrays(np.float64, (n, d), elements=st.floats(-1, 1, width=32)))
    return a * scale + offset


@st.composite
def point_sets(draw):
    n = draw(st.integers(2, 40))
    d = draw(st.integers(1, 3))
    tied = draw(st.booleans())
    pts = _points(draw, n, d, tied)
    k = draw(st.integers(1, n - 1))
    return np.ascontiguousarray(pts), k


@settings(max_examples=40)
@given(point_sets(), st.sampled_from([0, 1]))
def test_knn_query_kernel_twin_bruteforce(case, metric):
    pts, k = case
    n = pts.shape[0]
    ref = bf_kth(pts, pts, k, metric, True)
    for mod in _both():
        kth = np.empty(n)
        idx = np.empty((n, k), dtype=np.intp)
        mod.knn_query(pts, pts, k, metric, True, kth, idx, 2)
        if metric == 0:
            np.testing.assert_array_equal(kth, ref)
        else:
            np.testing.assert_allclose(kth, ref, rtol=1e-12, atol=0)
        if metric == 0:  # ranked by (distance, index): the same lists on both backends
            order = np.lexsort((np.broadcast_to(np.arange(n), (n, n)),
                                _dist(pts, pts, 0) + np.diag(np.full(n, np.inf))), axis=-1)
            np.testing.assert_array_equal(idx, order[:, :k])
        # indices not wanted: same distances
        kth0 = np.empty(n)
        mod.knn_query(pts, pts, k, metric, True, kth0, np.empty((n, 0), dtype=np.intp), 1)
        np.testing.assert_array_equal(kth0, kth)
        # the indices are k distinct other points, at most the k-th distance away
        assert (idx != np.arange(n)[:, None]).all()
        assert all(len(set(row)) == k for row in idx.tolist())
        D = _dist(pts, pts, metric)
        got = D[np.arange(n)[:, None], idx]
        assert (got <= ref[:, None] * (1 + 1e-12)).all()


@settings(max_examples=30)
@given(point_sets(), st.integers(1, 25), st.sampled_from([0, 1]))
def test_knn_query_other_set(case, m, metric):
    data, k = case
    rng = np.random.default_rng(m)
    queries = np.ascontiguousarray(data[rng.integers(0, len(data), m)] + rng.integers(-1, 2, (
        m, data.shape[1])))
    k = min(k, len(data))
    ref = bf_kth(data, queries, k, metric, False)
    for mod in _both():
        kth = np.empty(m)
        idx = np.empty((m, k), dtype=np.intp)
        mod.knn_query(data, queries, k, metric, False, kth, idx, 2)
        np.testing.assert_allclose(kth, ref, rtol=1e-12, atol=0)


@settings(max_examples=40)
@given(point_sets(), st.booleans())
def test_count_inside_kernel_twin_bruteforce(case, strict):
    pts, k = case
    n = pts.shape[0]
    # radii taken from real neighbour distances: the boundary cases that matter
    radii = np.ascontiguousarray(bf_kth(pts, pts, k, 0, True))
    ref = bf_count(pts, radii, strict)
    for mod in _both():
        c = np.empty(n, dtype=np.intp)
        mod.count_inside(pts, radii, strict, c, 2)
        np.testing.assert_array_equal(c, ref)
        col = np.ascontiguousarray(pts[:, 0])
        c1 = np.empty(n, dtype=np.intp)
        order = np.argsort(col, kind="stable")[::-1].copy()  # ties in any order
        order = order[np.argsort(col[order], kind="stable")]
        mod.count_inside_sorted(np.ascontiguousarray(col[order]), order, radii, strict, c1, 2)
        np.testing.assert_array_equal(c1, bf_count(col[:, None], radii, strict))


def test_strict_count_at_large_offset():
    # the k-th neighbour sits exactly on the radius in one marginal: bound-based binary
    # search or absolute epsilons miscount it once the data sit at 1e9
    rng = np.random.default_rng(3)
    for offset in (0.0, 1e3, 1e9):
        x = np.ascontiguousarray(offset + rng.standard_normal((500, 1)))
        y = np.ascontiguousarray(offset + rng.standard_normal((500, 1)))
        j = np.ascontiguousarray(np.hstack([x, y]))
        eps = bf_kth(j, j, 3, 0, True)
        for mod in _both():
            for pts in (x, j):
                c = np.empty(500, dtype=np.intp)
                mod.count_inside(pts, eps, True, c, 1)
                np.testing.assert_array_equal(c, bf_count(pts, eps, True))


def test_large_tree_matches_twin():
    rng = np.random.default_rng(5)
    pts = np.ascontiguousarray(rng.standard_normal((20000, 3)))
    pts[:2000] = np.round(pts[:2000], 1)  # a tied block
    out = []
    for mod in _both():
        kth = np.empty(len(pts))
        idx = np.empty((len(pts), 4), dtype=np.intp)
        mod.knn_query(pts, pts, 4, 0, True, kth, idx, 2)
        c = np.empty(len(pts), dtype=np.intp)
        mod.count_inside(np.ascontiguousarray(pts[:, :2]), kth, True, c, 2)
        out.append((kth, c))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])


# ---------------------------------------------------------------------------------------------
# estimators vs brute-force formulas (textbook preprocessing: none)


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_estimators_match_bruteforce_continuous(seed):
    rng = np.random.default_rng(seed)
    n = 150
    x = rng.standard_normal((n, 2))
    y = x[:, :1] + rng.standard_normal((n, 1))
    z = rng.standard_normal((n, 1)) + y
    for k in (1, 3, 7):
        assert math.isclose(fk.mutual_info_knn(x, y, k=k, **RAW), bf_ksg1(x, y, k),
                            rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(fk.mutual_info_knn(x, y, k=k, algorithm="ksg2", **RAW),
                            bf_ksg2(x, y, k), rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(fk.mutual_info_knn(x, y, z=z, k=k, **RAW), bf_cmi(x, y, z, k),
                            rel_tol=1e-12, abs_tol=1e-12)
        for metric, code in (("chebyshev", 0), ("euclidean", 1)):
            assert math.isclose(fk.entropy_knn(x, k=k, metric=metric, **RAW),
                                bf_entropy(x, k, code), rel_tol=1e-12)
        assert math.isclose(fk.kl_divergence_knn(x, x[::-1] * 1.3 + 0.2, k=k),
                            bf_kl(x, x[::-1] * 1.3 + 0.2, k), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_ksg1_and_cmi_match_bruteforce_with_ties(seed, quiet):
    rng = np.random.default_rng(seed)
    n = 120
    x = rng.integers(0, 4, (n, 1)).astype(float)
    y = (x + rng.integers(0, 3, (n, 1))).astype(float)
    z = rng.integers(0, 5, (n, 2)).astype(float)
    for k in (1, 2, 5):
        assert math.isclose(fk.mutual_info_knn(x, y, k=k, **RAW), bf_ksg1(x, y, k),
                            rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(fk.mutual_info_knn(x, y, z=z, k=k, **RAW), bf_cmi(x, y, z, k),
                            rel_tol=1e-12, abs_tol=1e-12)
        # ties at the k-th distance: the neighbours are ranked by (distance, index)
        assert math.isclose(fk.mutual_info_knn(x, z, k=k, algorithm="ksg2", **RAW),
                            bf_ksg2(x, z, k), rel_tol=1e-12, abs_tol=1e-12)


def test_return_local_and_base():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(300)
    y = x + rng.standard_normal(300)
    v, loc = fk.mutual_info_knn(x, y, return_local=True)
    assert loc.shape == (300,) and math.isclose(v, float(np.mean(loc)), rel_tol=1e-14)
    assert math.isclose(fk.mutual_info_knn(x, y, base=2), v / math.log(2), rel_tol=1e-14)
    h, hl = fk.entropy_knn(x, return_local=True, base=2)
    assert hl.shape == (300,) and math.isclose(h, float(np.mean(hl)), rel_tol=1e-14)
    assert math.isclose(h, fk.entropy_knn(x) / math.log(2), rel_tol=1e-14)


# ---------------------------------------------------------------------------------------------
# accuracy against closed forms (fixed seeds, tolerances a few standard errors)


def test_bivariate_gaussian_mi():
    rng = np.random.default_rng(11)
    for r in (0.0, 0.5, 0.9):
        xy = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], 4000)
        truth = -0.5 * math.log(1 - r * r)
        for alg in ("ksg1", "ksg2"):
            est = fk.mutual_info_knn(xy[:, 0], xy[:, 1], algorithm=alg)
            assert abs(est - truth) < 0.03, (r, alg, est, truth)


def test_multivariate_gaussian_mi_and_entropy():
    rng = np.random.default_rng(12)
    a = rng.standard_normal((4, 4))
    cov = a @ a.T + 0.5 * np.eye(4)
    s = rng.multivariate_normal(np.zeros(4), cov, 5000)
    x, y = s[:, :2], s[:, 2:]
    truth = 0.5 * math.log(np.linalg.det(cov[:2, :2]) * np.linalg.det(cov[2:, 2:])
                           / np.linalg.det(cov))
    est = fk.mutual_info_knn(x, y, k=5)
    assert abs(est - truth) < 0.06, (est, truth)
    h_true = 0.5 * math.log((2 * math.pi * math.e) ** 4 * np.linalg.det(cov))
    for metric in ("chebyshev", "euclidean"):
        h = fk.entropy_knn(s, k=4, metric=metric)
        assert abs(h - h_true) < 0.1, (metric, h, h_true)


def test_univariate_entropy_scale():
    rng = np.random.default_rng(13)
    x = rng.standard_normal(5000) * 7.0 + 3.0
    truth = 0.5 * math.log(2 * math.pi * math.e * 49.0)
    assert abs(fk.entropy_knn(x) - truth) < 0.03
    assert abs(fk.entropy_knn(x, **RAW) - truth) < 0.03


def test_independent_mi_near_zero():
    rng = np.random.default_rng(14)
    x = rng.standard_normal((3000, 2))
    y = rng.standard_normal((3000, 1))
    for alg in ("ksg1", "ksg2"):
        assert abs(fk.mutual_info_knn(x, y, algorithm=alg)) < 0.02


def test_chain_conditional_independence():
    rng = np.random.default_rng(15)
    n = 4000
    x = rng.standard_normal(n)
    y = x + 0.7 * rng.standard_normal(n)
    z = y + 0.7 * rng.standard_normal(n)
    assert abs(fk.mutual_info_knn(x, z, z=y)) < 0.02
    # and the conditional MI it removes is real
    assert fk.mutual_info_knn(x, z) > 0.2


def test_gaussian_kl_closed_form():
    rng = np.random.default_rng(16)
    d = 2
    mu = np.array([0.5, -0.3])
    s2 = np.array([1.5, 0.7])
    x = rng.standard_normal((4000, d))
    y = rng.standard_normal((5000, d)) * np.sqrt(s2) + mu
    # KL(N(0, I) || N(mu, diag s2))
    truth = 0.5 * float(np.sum(1 / s2 + mu**2 / s2 - 1 + np.log(s2)))
    for k in (1, 5):
        assert abs(fk.kl_divergence_knn(x, y, k=k) - truth) < 0.06
    assert abs(fk.kl_divergence_knn(x, rng.standard_normal((4000, d)), k=5)) < 0.05


def test_mi_invariant_to_scale_and_offset():
    rng = np.random.default_rng(17)
    x = rng.standard_normal(2000)
    y = np.sin(x) + 0.3 * rng.standard_normal(2000)
    for alg in ("ksg1", "ksg2"):
        ref = fk.mutual_info_knn(x, y, algorithm=alg)
        for xs in (x * 1e3, x + 1e9, x * 1e-3):
            got = fk.mutual_info_knn(xs, y * 1e3 + 1e9, algorithm=alg)
            assert abs(got - ref) < 1e-9, (alg, got, ref)


def test_entropy_shifts_by_log_scale():
    rng = np.random.default_rng(18)
    x = rng.standard_normal((1500, 2))
    h = fk.entropy_knn(x)
    assert math.isclose(fk.entropy_knn(x * 1e3 + 1e9), h + 2 * math.log(1e3), abs_tol=1e-6)


# ---------------------------------------------------------------------------------------------
# determinism


def test_n_jobs_bitwise():
    rng = np.random.default_rng(19)
    # the facade uses about one thread per 8192 samples; the twin is serial (and slower)
    n = 20000 if backend() == "compiled" else 2000
    x = rng.standard_normal((n, 2))
    y = x[:, :1] ** 2 + rng.standard_normal((n, 1))
    z = rng.standard_normal(n)
    calls = [
        lambda nj: fk.mutual_info_knn(x, y, n_jobs=nj, return_local=True)[1],
        lambda nj: fk.mutual_info_knn(x, y, algorithm="ksg2", n_jobs=nj),
        lambda nj: fk.mutual_info_knn(x, y, z=z, n_jobs=nj),
        lambda nj: fk.entropy_knn(x, metric="euclidean", n_jobs=nj),
        lambda nj: fk.kl_divergence_knn(x, y * np.ones((1, 2)), n_jobs=nj),
        lambda nj: fk.mutual_info_knn(x, (z > 0).astype(int) + (z > 1), discrete_y=True,
                                      n_jobs=nj, return_local=True)[1],
        lambda nj: fk.mutual_info_knn((z > 0).astype(int), y, discrete_x=True, n_jobs=nj),
    ]
    for call in calls:
        ref = np.asarray(call(1))
        for nj in (2, 3, None, -1):
            np.testing.assert_array_equal(np.asarray(call(nj)), ref)


def test_kernel_threads_bitwise():
    K = kernels("knn")
    rng = np.random.default_rng(20)
    pts = np.ascontiguousarray(rng.standard_normal((5000, 2)))
    outs = []
    for nt in (1, 2, 4):
        kth = np.empty(5000)
        idx = np.empty((5000, 3), dtype=np.intp)
        K.knn_query(pts, pts, 3, 0, True, kth, idx, nt)
        c = np.empty(5000, dtype=np.intp)
        K.count_inside(pts, kth, True, c, nt)
        outs.append((kth, c))
    for kth, c in outs[1:]:
        np.testing.assert_array_equal(kth, outs[0][0])
        np.testing.assert_array_equal(c, outs[0][1])


def test_default_seed_is_fixed_and_random_state_used():
    rng = np.random.default_rng(21)
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    assert fk.mutual_info_knn(x, y) == fk.mutual_info_knn(x, y)
    a = fk.mutual_info_knn(x, y, noise=1e-2, random_state=1)
    b = fk.mutual_info_knn(x, y, noise=1e-2, random_state=2)
    assert a != b
    assert a == fk.mutual_info_knn(x, y, noise=1e-2, random_state=np.random.default_rng(1))


# ---------------------------------------------------------------------------------------------
# bad input


X = np.random.default_rng(0).standard_normal((50, 2))
Y = np.random.default_rng(1).standard_normal(50)


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fk.mutual_info_knn(X, Y, k=50), ValueError, "k must be smaller"),
        (lambda: fk.mutual_info_knn(X, Y, k=0), ValueError, "k must be at least 1"),
        (lambda: fk.mutual_info_knn(X, Y, k=2.5), TypeError, "k must"),
        (lambda: fk.mutual_info_knn(X, Y[:40]), ValueError, "y must have as many samples"),
        (lambda: fk.mutual_info_knn(X, Y, z=Y[:3]), ValueError, "z must have as many"),
        (lambda: fk.mutual_info_knn(np.where(X > 1, np.nan, X), Y), ValueError, "x must"),
        (lambda: fk.mutual_info_knn(X, np.where(Y > 1, np.inf, Y)), ValueError, "y must"),
        (lambda: fk.mutual_info_knn(X, np.ones(50)), ValueError, "y: column 0 is constant"),
        (lambda: fk.mutual_info_knn(X[:1], Y[:1], k=1), ValueError, "x must have at least 2"),
        (lambda: fk.mutual_info_knn(np.zeros((5, 2, 2)), Y[:5]), ValueError, "x must be 1-D"),
        (lambda: fk.mutual_info_knn(X.astype(object), Y), TypeError, "x must have a real"),
        (lambda: fk.mutual_info_knn(X, Y, algorithm="ksg3"), ValueError, "algorithm="),
        (lambda: fk.mutual_info_knn(X, Y, z=Y, algorithm="ksg2"), ValueError, "algorithm="),
        (lambda: fk.mutual_info_knn(X, Y, noise=-1.0), ValueError, "noise must"),
        (lambda: fk.mutual_info_knn(X, Y, random_state="a"), TypeError, "random_state must"),
        (lambda: fk.mutual_info_knn(X, Y, standardize=1), TypeError, "standardize must"),
        (lambda: fk.mutual_info_knn(X, Y, base=1.0), ValueError, "base must"),
        (lambda: fk.mutual_info_knn(X, Y, n_jobs=0), ValueError, "n_jobs"),
        (lambda: fk.entropy_knn(X, metric="manhattan"), ValueError, "metric="),
        (lambda: fk.entropy_knn(np.zeros((0, 2))), ValueError, "x must have at least 2"),
        (lambda: fk.entropy_knn(np.zeros((5, 0))), ValueError, "x must have at least one"),
        (lambda: fk.entropy_knn(np.repeat(X[:5], 4, axis=0), k=3, **RAW), ValueError, "x: "),
        (lambda: fk.kl_divergence_knn(X, Y), ValueError, "y must have as many columns"),
        (lambda: fk.kl_divergence_knn(X, X[:3], k=4), ValueError, "k must be at most"),
        (lambda: fk.kl_divergence_knn(X, X, k=50), ValueError, "k must be smaller"),
        (lambda: fk.kl_divergence_knn(X, np.vstack([X[:1]] * 3), k=2), ValueError, "y: "),
        (lambda: fk.kl_divergence_knn(np.vstack([X[:1]] * 3), X, k=2), ValueError, "x: "),
    ],
)
def test_bad_input(call, exc, start, quiet):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


def test_tied_column_warns():
    x = np.repeat(np.arange(10.0), 10)
    y = np.random.default_rng(0).standard_normal(100)
    with pytest.warns(UserWarning, match="x: column 0 has only 10 distinct values"):
        fk.mutual_info_knn(x, y)


# ---------------------------------------------------------------------------------------------
# discrete sides: Ross (2014) and the contingency MI


def bf_ross(c, labels, k):
    """Ross's estimator by brute force (max-norm), with scikit-learn's handling of small
    classes: k_c = min(k, N_c - 1), one-member classes dropped."""
    c = np.asarray(c, dtype=float).reshape(len(labels), -1)
    _, codes = np.unique(labels, return_inverse=True)
    sizes = np.bincount(codes)[codes]
    keep = sizes > 1
    c, codes, sizes = c[keep], codes[keep], sizes[keep]
    n = len(codes)
    D = _dist(c, c, 0)
    np.fill_diagonal(D, np.inf)
    terms = []
    for i in range(n):
        same = D[i][codes == codes[i]]
        kc = min(k, sizes[i] - 1)
        r = np.sort(same)[kc - 1]
        m = int(np.sum(D[i] <= r))
        terms.append(digamma(n) - digamma(sizes[i]) + digamma(kc) - digamma(m))
    return float(np.mean(terms))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dim", [1, 2])
def test_ross_matches_bruteforce(seed, dim, quiet):
    rng = np.random.default_rng(seed)
    n = 160
    labels = rng.integers(0, 4, n)
    c = rng.standard_normal((n, dim)) + labels[:, None]
    if seed == 2:  # ties: a coarse grid, small classes and a singleton
        c = np.round(c * 2) / 2
        labels[:3] = [7, 8, 8]
        labels[3] = 9
    want = bf_ross(c, labels, 3)
    got = fk.mutual_info_knn(c, labels, discrete_y=True, **RAW)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-13)
    got_x = fk.mutual_info_knn(labels, c, discrete_x=True, **RAW)
    assert got_x == got


def test_ross_matches_scikit_learn_cd():
    sk = pytest.importorskip("sklearn.feature_selection._mutual_info")
    rng = np.random.default_rng(5)
    n = 400
    labels = rng.integers(0, 3, n)
    labels[:2] = [5, 6]  # singletons: dropped by both
    c = rng.standard_normal(n) + labels
    got = fk.mutual_info_knn(c, labels, discrete_y=True, **RAW)
    assert got == pytest.approx(sk._compute_mi_cd(c, labels, 3), rel=1e-12)


def test_ross_gaussian_mixture_closed_form():
    from scipy import integrate, stats

    rng = np.random.default_rng(3)
    n = 20000
    labels = rng.integers(0, 3, n)
    c = rng.standard_normal(n) + labels

    def integrand(t):
        p = np.mean([stats.norm.pdf(t - i) for i in range(3)], axis=0)
        return -p * np.log(p)

    h = integrate.quad(integrand, -12, 14)[0]
    true = h - 0.5 * math.log(2 * math.pi * math.e)
    assert fk.mutual_info_knn(c, labels, discrete_y=True) == pytest.approx(true, abs=0.01)


def test_ross_invariant_to_scale_offset_and_label_names():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 500)
    c = rng.standard_normal(500) + labels
    base = fk.mutual_info_knn(c, labels, discrete_y=True)
    names = np.array(["a", "b", "c"])[labels]
    assert fk.mutual_info_knn(c * 1e3 + 1e9, names, discrete_y=True) == pytest.approx(
        base, abs=1e-9)
    local_val, local = fk.mutual_info_knn(c, labels, discrete_y=True, return_local=True, base=2)
    assert local_val == pytest.approx(base / math.log(2), rel=1e-12)
    assert np.mean(local) == pytest.approx(local_val, rel=1e-12)


def test_ross_singletons_dropped_with_nan_local(quiet):
    rng = np.random.default_rng(6)
    labels = rng.integers(0, 2, 100)
    labels[0] = 9
    c = rng.standard_normal(100)
    value, local = fk.mutual_info_knn(c, labels, discrete_y=True, return_local=True, **RAW)
    assert np.isnan(local[0]) and np.isfinite(local[1:]).all()
    assert value == pytest.approx(np.mean(local[1:]), rel=1e-12)
    assert value == pytest.approx(bf_ross(c, labels, 3), rel=1e-12)


def test_ross_multidimensional_discrete_rows_are_classes():
    rng = np.random.default_rng(7)
    rows = rng.integers(0, 2, (300, 2))
    code = rows[:, 0] * 2 + rows[:, 1]
    c = rng.standard_normal(300) + code
    assert fk.mutual_info_knn(c, rows, discrete_y=True) == fk.mutual_info_knn(
        c, code, discrete_y=True)


def test_two_discrete_sides_is_contingency_mi():
    import fastentropy

    rng = np.random.default_rng(8)
    a = rng.integers(0, 4, 300)
    b = (a + rng.integers(0, 2, 300)) % 4
    value, local = fk.mutual_info_knn(a, b, discrete_x=True, discrete_y=True, return_local=True)
    assert value == pytest.approx(fastentropy.mutual_info_score(a, b), rel=1e-14)
    assert np.mean(local) == pytest.approx(value, rel=1e-12)
    assert fk.mutual_info_knn(a, np.zeros(300), discrete_x=True, discrete_y=True) == 0.0


L = np.random.default_rng(2).integers(0, 3, 50)


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fk.mutual_info_knn(Y, np.arange(50), discrete_y=True), ValueError, "y: every"),
        (lambda: fk.mutual_info_knn(np.arange(50), Y, discrete_x=True), ValueError, "x: every"),
        (lambda: fk.mutual_info_knn(Y, L, discrete_y=1), TypeError, "discrete_y must"),
        (lambda: fk.mutual_info_knn(Y, L, discrete_y=True, z=Y), ValueError, "z: "),
        (lambda: fk.mutual_info_knn(Y, L, discrete_y=True, algorithm="ksg2"), ValueError,
         "algorithm must"),
        (lambda: fk.mutual_info_knn(Y, L[:40], discrete_y=True), ValueError, "y must have"),
        (lambda: fk.mutual_info_knn(Y, L.astype(object), discrete_y=True), TypeError, "y must"),
        (lambda: fk.mutual_info_knn(Y, np.where(L > 1, np.nan, L), discrete_y=True),
         ValueError, "y must not contain NaN"),
        (lambda: fk.mutual_info_knn(Y, np.zeros((50, 2, 2)), discrete_y=True), ValueError,
         "y must be 1-D"),
        (lambda: fk.mutual_info_knn(Y, L, discrete_y=True, k=50), ValueError, "k must be"),
        (lambda: fk.mutual_info_knn(Y[:1], L[:1], discrete_y=True, k=1), ValueError,
         "x must have at least 2"),
        (lambda: fk.mutual_info_knn("ab", L, discrete_x=True), TypeError, "x must"),
    ],
)
def test_discrete_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


# ---------------------------------------------------------------------------------------------
# Theiler window: kernels and estimators against brute force with the window removed


def _window_mask(n, w):
    i = np.arange(n)
    return np.abs(i[:, None] - i[None, :]) <= w


def bf_kth_window(pts, k, metric, w):
    D = _dist(pts, pts, metric)
    D[_window_mask(len(pts), w)] = np.inf
    return np.ascontiguousarray(np.sort(D, axis=1)[:, k - 1]), D


def bf_count_window(pts, radii, strict, w):
    D = _dist(pts, pts, 0)
    D[_window_mask(len(pts), w)] = np.inf
    inside = D < radii[:, None] if strict else D <= radii[:, None]
    return inside.sum(axis=1)


@st.composite
def windowed_sets(draw):
    pts, _ = draw(point_sets())
    n = pts.shape[0]
    w = draw(st.integers(1, max(1, (n - 2) // 2)))
    if 2 * w + 2 > n:
        w = 0
    k = draw(st.integers(1, n - (2 * w + 1) if w else n - 1))
    return pts, k, w


@settings(max_examples=60)
@given(windowed_sets(), st.sampled_from([0, 1]))
def test_knn_query_theiler_kernel_twin_bruteforce(case, metric):
    pts, k, w = case
    n = pts.shape[0]
    ref, D = bf_kth_window(pts, k, metric, w)
    order = np.lexsort((np.broadcast_to(np.arange(n), (n, n)), D), axis=-1)[:, :k]
    for mod in _both():
        kth = np.empty(n)
        idx = np.empty((n, k), dtype=np.intp)
        mod.knn_query(pts, pts, k, metric, True, kth, idx, 2, w)
        if metric == 0:
            np.testing.assert_array_equal(kth, ref)
            np.testing.assert_array_equal(idx, order)
        else:
            np.testing.assert_allclose(kth, ref, rtol=1e-12, atol=0)
        # no neighbour inside the window
        assert (np.abs(idx - np.arange(n)[:, None]) > w).all()


@settings(max_examples=60)
@given(windowed_sets(), st.booleans())
def test_count_inside_theiler_kernel_twin_bruteforce(case, strict):
    pts, k, w = case
    n = pts.shape[0]
    radii = np.ascontiguousarray(bf_kth_window(pts, k, 0, w)[0])
    ref = bf_count_window(pts, radii, strict, w)
    col = np.ascontiguousarray(pts[:, 0])
    ref1 = bf_count_window(col[:, None], radii, strict, w)
    order = np.argsort(col, kind="stable")
    for mod in _both():
        c = np.empty(n, dtype=np.intp)
        mod.count_inside(pts, radii, strict, c, 2, w)
        np.testing.assert_array_equal(c, ref)
        c1 = np.empty(n, dtype=np.intp)
        mod.count_inside_sorted(np.ascontiguousarray(col[order]), order, radii, strict, c1, 2,
                                w)
        np.testing.assert_array_equal(c1, ref1)


def test_theiler_kernel_rejects_bad_windows():
    pts = np.ascontiguousarray(np.random.default_rng(0).standard_normal((10, 2)))
    for mod in _both():
        with pytest.raises(ValueError, match="k must be in 1..5"):
            mod.knn_query(pts, pts, 6, 0, True, np.empty(10), np.empty((10, 0), np.intp), 1, 2)
        with pytest.raises(ValueError, match="theiler"):
            mod.knn_query(pts, pts, 1, 0, True, np.empty(10), np.empty((10, 0), np.intp), 1, -1)
        with pytest.raises(ValueError, match="theiler"):
            mod.knn_query(pts, pts, 1, 0, False, np.empty(10), np.empty((10, 0), np.intp), 1, 1)
        with pytest.raises(ValueError, match="theiler"):
            mod.count_inside(pts, np.ones(10), True, np.empty(10, np.intp), 1, -1)


def bf_ksg1_w(x, y, k, w):
    n = len(x)
    eps, _ = bf_kth_window(np.hstack([x, y]), k, 0, w)
    nx = bf_count_window(x, eps, True, w)
    ny = bf_count_window(y, eps, True, w)
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


def bf_ksg2_w(x, y, k, w):
    n = len(x)
    _, D = bf_kth_window(np.hstack([x, y]), k, 0, w)
    nb = np.lexsort((np.broadcast_to(np.arange(n), (n, n)), D), axis=-1)[:, :k]
    ex = np.abs(x[nb] - x[:, None, :]).max(axis=(1, 2))
    ey = np.abs(y[nb] - y[:, None, :]).max(axis=(1, 2))
    nx = bf_count_window(x, ex, False, w)
    ny = bf_count_window(y, ey, False, w)
    return digamma(k) - 1.0 / k + digamma(n) - np.mean(digamma(nx) + digamma(ny))


def bf_cmi_w(x, y, z, k, w):
    eps, _ = bf_kth_window(np.hstack([x, y, z]), k, 0, w)
    nxz = bf_count_window(np.hstack([x, z]), eps, True, w)
    nyz = bf_count_window(np.hstack([y, z]), eps, True, w)
    nz = bf_count_window(z, eps, True, w)
    return digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1))


def bf_entropy_w(x, k, metric, w):
    n, d = x.shape
    eps, _ = bf_kth_window(x, k, metric, w)
    log_cd = d * math.log(2) if metric == 0 else (
        0.5 * d * math.log(math.pi) - math.lgamma(0.5 * d + 1))
    return digamma(n) - digamma(k) + log_cd + d * np.mean(np.log(eps))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("w", [1, 3, 10])
def test_theiler_estimators_match_bruteforce(seed, w, quiet):
    rng = np.random.default_rng(seed)
    n = 130
    # an autocorrelated series (what the window is for), with some ties
    x = np.cumsum(rng.standard_normal((n, 2)), axis=0)
    y = np.round(x[:, :1] + rng.standard_normal((n, 1)), 1)
    z = np.cumsum(rng.standard_normal((n, 1)), axis=0) + y
    for k in (1, 4):
        assert math.isclose(fk.mutual_info_knn(x, y, k=k, theiler=w, **RAW),
                            bf_ksg1_w(x, y, k, w), rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(fk.mutual_info_knn(x, y, k=k, theiler=w, algorithm="ksg2", **RAW),
                            bf_ksg2_w(x, y, k, w), rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(fk.mutual_info_knn(x, y, z=z, k=k, theiler=w, **RAW),
                            bf_cmi_w(x, y, z, k, w), rel_tol=1e-12, abs_tol=1e-12)
        for metric, code in (("chebyshev", 0), ("euclidean", 1)):
            assert math.isclose(fk.entropy_knn(x, k=k, metric=metric, theiler=w, **RAW),
                                bf_entropy_w(x, k, code, w), rel_tol=1e-12)


def test_theiler_zero_is_the_default_and_window_matters():
    rng = np.random.default_rng(4)
    x = np.cumsum(rng.standard_normal(400))
    y = np.cumsum(rng.standard_normal(400))
    assert fk.mutual_info_knn(x, y, theiler=0) == fk.mutual_info_knn(x, y)
    assert fk.entropy_knn(x, theiler=0) == fk.entropy_knn(x)
    # two independent random walks: neighbours in time fake a dependence the window removes
    assert fk.mutual_info_knn(x, y) > fk.mutual_info_knn(x, y, theiler=50) + 0.1


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fk.mutual_info_knn(X, Y, theiler=-1), ValueError, "theiler must be >= 0"),
        (lambda: fk.mutual_info_knn(X, Y, theiler=1.5), TypeError, "theiler must"),
        (lambda: fk.mutual_info_knn(X, Y, theiler=True), TypeError, "theiler must"),
        (lambda: fk.mutual_info_knn(X, Y, theiler=24), ValueError, "theiler=24 leaves"),
        (lambda: fk.mutual_info_knn(X, Y, theiler=20, k=10), ValueError, "theiler=20"),
        (lambda: fk.entropy_knn(X, theiler=-2), ValueError, "theiler must"),
        (lambda: fk.entropy_knn(X, theiler=25), ValueError, "theiler=25"),
        (lambda: fk.mutual_info_knn(X, L, discrete_y=True, theiler=1), ValueError, "theiler:"),
    ],
)
def test_theiler_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


# ---------------------------------------------------------------------------------------------
# Gao, Kannan, Oh, Viswanath (2017): the tie-aware estimator for mixtures


def bf_gkov(x, y, k, w=0):
    """The estimator on every pair, in the digamma form of the authors' code: rho the k-th joint
    (max-norm) distance; where rho > 0, k~ = k and m_x, m_y = 1 + the others strictly within
    rho; where rho = 0, k~, m_x, m_y = 1 + the others at distance 0 (joint, x, y)."""
    n = len(x)
    rho, D = bf_kth_window(np.hstack([x, y]), k, 0, w)
    dup = (D == 0).sum(axis=1)
    zero = np.zeros(n)
    kt = np.where(rho == 0, dup + 1, k)
    mx = np.where(rho == 0, bf_count_window(x, zero, False, w), bf_count_window(x, rho, True, w))
    my = np.where(rho == 0, bf_count_window(y, zero, False, w), bf_count_window(y, rho, True, w))
    return np.mean(digamma(kt) + math.log(n) - digamma(mx + 1) - digamma(my + 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gkov_matches_bruteforce_with_ties(seed):
    rng = np.random.default_rng(seed)
    n = 150
    # a discrete x, a y that is partly a copy of x (point masses) and partly continuous
    x = rng.integers(0, 3, (n, 1)).astype(float)
    cont = rng.standard_normal((n, 1))
    y = np.where(rng.random((n, 1)) < 0.5, x, x + cont)
    x2 = np.hstack([x, rng.integers(0, 2, (n, 1)).astype(float)])  # multi-d, tied
    y2 = np.hstack([y, np.round(cont, 0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # gkov: no tie warning
        for k in (1, 3, 8):
            for a, b in ((x, y), (x2, y), (x, y2), (x2, y2)):
                assert math.isclose(fk.mutual_info_knn(a, b, k=k, algorithm="gkov",
                                                       standardize=False),
                                    bf_gkov(a, b, k), rel_tol=1e-12, abs_tol=1e-12)
                # standardising keeps the ties (exact duplicates map to exact duplicates)
                v, loc = fk.mutual_info_knn(a, b, k=k, algorithm="gkov", return_local=True)
                sa = (a - a.mean(axis=0)) / a.std(axis=0)
                sb = (b - b.mean(axis=0)) / b.std(axis=0)
                assert math.isclose(v, bf_gkov(sa, sb, k), rel_tol=1e-12, abs_tol=1e-12)
                assert loc.shape == (n,) and math.isclose(v, float(np.mean(loc)),
                                                          rel_tol=1e-14, abs_tol=1e-15)
            for w in (1, 4):
                assert math.isclose(
                    fk.mutual_info_knn(x2, y2, k=k, algorithm="gkov", theiler=w, **RAW),
                    bf_gkov(x2, y2, k, w), rel_tol=1e-12, abs_tol=1e-12)


def test_gkov_default_noise_is_zero():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, 300).astype(float)
    y = x + rng.integers(0, 2, 300)
    v = fk.mutual_info_knn(x, y, algorithm="gkov")
    assert v == fk.mutual_info_knn(x, y, algorithm="gkov", noise=0.0)
    assert v != fk.mutual_info_knn(x, y, algorithm="gkov", noise=1e-10)
    # ksg's default is still the 1e-10 tie-breaking noise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fk.mutual_info_knn(x, y) == fk.mutual_info_knn(x, y, noise=1e-10)


def test_gkov_discrete_continuous_mixture_accuracy():
    # X uniform on {0..m-1}, Y = X + U(0, 2): h(Y | X) = log 2 and Y's density is 1/(2m) on
    # [0, 1) and [m, m+1), 1/m on [1, m), so I = log m - (m-1)/m log 2. The digamma form is
    # within 0.005 here at every k (the paper's printed log(n + 1) form: -0.37 at k = 3).
    rng = np.random.default_rng(23)
    n = 20000
    for m in (2, 4):
        x = rng.integers(0, m, n).astype(float)
        y = x + rng.uniform(0, 2, n)
        truth = math.log(m) - (m - 1) / m * math.log(2)
        for k in (3, 10, 100):
            est = fk.mutual_info_knn(x, y, algorithm="gkov", k=k)
            assert abs(est - truth) < 0.015, (m, k, est, truth)


def test_gkov_purely_discrete_is_near_plugin_and_continuous_near_ksg():
    rng = np.random.default_rng(29)
    a = rng.integers(0, 4, 20000)
    b = (a + rng.integers(0, 2, 20000)) % 4
    from fastentropy import mutual_info_score

    est = fk.mutual_info_knn(a.astype(float), b.astype(float), algorithm="gkov")
    assert abs(est - mutual_info_score(a, b)) < 1e-6  # psi(n_xy) - psi(n_x) - psi(n_y) + log N
    xy = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], 5000)
    truth = -0.5 * math.log(1 - 0.64)
    assert abs(fk.mutual_info_knn(xy[:, 0], xy[:, 1], algorithm="gkov") - truth) < 0.03


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fk.mutual_info_knn(X, Y, z=Y, algorithm="gkov"), ValueError,
         "algorithm='gkov' is not available with z"),
        (lambda: fk.mutual_info_knn(X, L, discrete_y=True, algorithm="gkov"), ValueError,
         "algorithm must be 'ksg1'"),
        (lambda: fk.mutual_info_knn(X, Y, algorithm="gkov", noise=-1.0), ValueError, "noise"),
        (lambda: fk.mutual_info_knn(X, Y, algorithm="gkov", k=50), ValueError, "k must"),
    ],
)
def test_gkov_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


def test_theiler_and_gkov_n_jobs_bitwise():
    rng = np.random.default_rng(31)
    n = 20000 if backend() == "compiled" else 2000
    x = np.cumsum(rng.standard_normal((n, 2)), axis=0)
    y = x[:, :1] + rng.standard_normal((n, 1))
    z = rng.standard_normal(n)
    xd = rng.integers(0, 5, n).astype(float)
    yd = np.where(rng.random(n) < 0.3, xd, xd + rng.standard_normal(n))
    calls = [
        lambda nj: fk.mutual_info_knn(x, y, theiler=7, n_jobs=nj, return_local=True)[1],
        lambda nj: fk.mutual_info_knn(x, y, z=z, theiler=3, n_jobs=nj),
        lambda nj: fk.mutual_info_knn(x, y, algorithm="ksg2", theiler=2, n_jobs=nj),
        lambda nj: fk.entropy_knn(x, theiler=5, n_jobs=nj, return_local=True)[1],
        lambda nj: fk.mutual_info_knn(xd, yd, algorithm="gkov", n_jobs=nj, return_local=True)[1],
        lambda nj: fk.mutual_info_knn(xd, np.c_[yd, xd], algorithm="gkov", theiler=2,
                                      n_jobs=nj),
    ]
    for call in calls:
        ref = np.asarray(call(1))
        for nj in (2, 3, None, -1):
            np.testing.assert_array_equal(np.asarray(call(nj)), ref)
