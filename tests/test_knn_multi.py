"""Multivariate k-NN estimators (fastentropy.knn_multi): total correlation and transfer entropy
against O(n^2) brute-force formulas (ties and Theiler windows included), against
mutual_info_knn, against Gaussian closed forms, and their bad input."""
import math
import warnings

import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov
from scipy.special import digamma

import fastentropy as fe
from fastentropy._backend import backend

RAW = dict(standardize=False, noise=0.0)


# ---------------------------------------------------------------------------------------------
# brute force (max-norm, every pair, the window |i - j| <= w removed)


def _cheb(a):
    return np.abs(a[:, None, :] - a[None, :, :]).max(axis=-1)


def _masked(a, w):
    D = _cheb(a)
    i = np.arange(len(a))
    D[np.abs(i[:, None] - i[None, :]) <= w] = np.inf
    return D


def bf_kth(a, k, w=0):
    return np.sort(_masked(a, w), axis=1)[:, k - 1]


def bf_strict(a, r, w=0):
    return (_masked(a, w) < r[:, None]).sum(axis=1)


def bf_total_correlation(X, groups, k, w=0):
    n = len(X)
    eps = bf_kth(X[:, [j for g in groups for j in g]], k, w)
    acc = sum(digamma(bf_strict(X[:, g], eps, w) + 1) for g in groups)
    return float(np.mean(digamma(k) + (len(groups) - 1) * digamma(n) - acc))


def bf_cmi(x, y, z, k, w=0):
    eps = bf_kth(np.hstack([x, y, z]), k, w)
    nxz = bf_strict(np.hstack([x, z]), eps, w)
    nyz = bf_strict(np.hstack([y, z]), eps, w)
    nz = bf_strict(z, eps, w)
    return float(digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1)))


def embed(s, t, ls, lt, tau, c=None):
    """The documented embedding, written out index by index."""
    s = s.reshape(len(s), -1)
    t = t.reshape(len(t), -1)
    n = len(s)
    t0 = max(tau + ls - 1, lt)
    rows_x, rows_y, rows_z = [], [], []
    for time in range(t0, n):
        rows_x.append(t[time])
        rows_y.append(np.concatenate([s[time - lag] for lag in range(tau, tau + ls)]))
        z = [t[time - lag] for lag in range(1, lt + 1)]
        if c is not None:
            z.append(c.reshape(n, -1)[time])
        rows_z.append(np.concatenate(z))
    return np.array(rows_x), np.array(rows_y), np.array(rows_z)


@pytest.fixture
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


# ---------------------------------------------------------------------------------------------
# total correlation


@pytest.mark.parametrize("seed", [0, 1])
def test_total_correlation_matches_bruteforce(seed, quiet):
    rng = np.random.default_rng(seed)
    n = 140
    X = rng.standard_normal((n, 5))
    X[:, 1] += X[:, 0]
    X[:, 4] = np.round(X[:, 4] + X[:, 3], 0)  # a tied column
    for groups in (None, [[0, 1], [2], [3, 4]], [[4, 0], [2, 1, 3]], [[3], [0, 2], [1], [4]]):
        g = [[j] for j in range(5)] if groups is None else groups
        for k in (1, 3, 6):
            for w in (0, 2):
                got = fe.total_correlation_knn(X, groups=groups, k=k, theiler=w, **RAW)
                assert math.isclose(got, bf_total_correlation(X, g, k, w), rel_tol=1e-12,
                                    abs_tol=1e-12), (groups, k, w)


@pytest.mark.parametrize("seed", [2, 3])
def test_two_groups_equal_mutual_info_knn_bitwise(seed):
    rng = np.random.default_rng(seed)
    n = 3000 if backend() == "compiled" else 800
    X = rng.standard_normal((n, 4))
    X[:, 2] += 0.7 * X[:, 0]
    X[:, 3] = X[:, 1] ** 2 + rng.standard_normal(n)
    for ga, gb in (([0, 1], [2, 3]), ([2, 0], [3, 1]), ([3], [0, 1, 2]), ([1, 3, 2], [0])):
        for kw in ({}, {"k": 5}, {"theiler": 3}, {"standardize": False}, {"noise": 1e-3},
                   {"random_state": 7, "noise": 1e-4}):
            a, la = fe.total_correlation_knn(X, groups=[ga, gb], return_local=True, **kw)
            b, lb = fe.mutual_info_knn(X[:, ga], X[:, gb], return_local=True, **kw)
            assert a == b, (ga, gb, kw)
            np.testing.assert_array_equal(la, lb)


def test_total_correlation_gaussian_closed_form():
    rng = np.random.default_rng(11)
    A = np.array([[1.0, 0.0, 0.0, 0.0], [0.6, 0.8, 0.0, 0.0], [0.3, -0.4, 0.9, 0.0],
                  [0.0, 0.5, 0.5, 0.7]])
    C = A @ A.T
    X = rng.multivariate_normal(np.zeros(4), C, 5000)
    truth = 0.5 * (np.sum(np.log(np.diag(C))) - np.linalg.slogdet(C)[1])
    assert abs(fe.total_correlation_knn(X) - truth) < 0.04
    # grouped: sum_g H(X_g) - H(X) with the groups' own covariance blocks
    g = [[0, 1], [2, 3]]
    tg = 0.5 * (sum(np.linalg.slogdet(C[np.ix_(b, b)])[1] for b in g)
                - np.linalg.slogdet(C)[1])
    assert abs(fe.total_correlation_knn(X, groups=g) - tg) < 0.04


def test_total_correlation_independent_and_invariant():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((3000, 3))
    assert abs(fe.total_correlation_knn(X)) < 0.02
    Y = X.copy()
    Y[:, 1] += Y[:, 0]
    base = fe.total_correlation_knn(Y)
    scaled = fe.total_correlation_knn(Y * np.array([1e3, 1e-3, 7.0]) + np.array([1e9, -5, 0]))
    assert abs(scaled - base) < 1e-9
    assert fe.total_correlation_knn(Y, groups=[[0], [1], [2]]) == base
    v, loc = fe.total_correlation_knn(Y, return_local=True, base=2)
    assert loc.shape == (3000,) and math.isclose(v, float(np.mean(loc)), rel_tol=1e-14)
    assert math.isclose(v, base / math.log(2), rel_tol=1e-14)


G = np.random.default_rng(0).standard_normal((40, 3))


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fe.total_correlation_knn(G[:, 0]), ValueError, "X must have at least 2"),
        (lambda: fe.total_correlation_knn(G, groups=[[0, 1, 2]]), ValueError, "groups must"),
        (lambda: fe.total_correlation_knn(G, groups=[[0], [1]]), ValueError,
         "groups: column 2 is in no group"),
        (lambda: fe.total_correlation_knn(G, groups=[[0, 1], [1, 2]]), ValueError,
         "groups: column 1 is in more than one"),
        (lambda: fe.total_correlation_knn(G, groups=[[0], [1], [3]]), ValueError,
         "groups: column index 3"),
        (lambda: fe.total_correlation_knn(G, groups=[[0], [], [1, 2]]), ValueError,
         "groups: every group"),
        (lambda: fe.total_correlation_knn(G, groups=[[0], [1.0], [2]]), TypeError,
         "groups: column indices"),
        (lambda: fe.total_correlation_knn(G, groups="012"), TypeError, "groups must"),
        (lambda: fe.total_correlation_knn(G, groups=[0, 1, 2]), TypeError, "groups must"),
        (lambda: fe.total_correlation_knn(np.c_[G, np.ones(40)]), ValueError,
         "X: column 3 is constant"),
        (lambda: fe.total_correlation_knn(G, k=40), ValueError, "k must be smaller"),
        (lambda: fe.total_correlation_knn(G, theiler=-1), ValueError, "theiler must"),
        (lambda: fe.total_correlation_knn(G, theiler=19), ValueError, "theiler=19"),
        (lambda: fe.total_correlation_knn(G, noise=-1.0), ValueError, "noise must"),
        (lambda: fe.total_correlation_knn(G[None]), ValueError, "X must be 1-D"),
    ],
)
def test_total_correlation_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)


def test_total_correlation_tied_column_warns_with_its_index():
    X = np.random.default_rng(1).standard_normal((100, 3))
    X[:, 2] = np.repeat(np.arange(10.0), 10)
    with pytest.warns(UserWarning, match="X: column 2 has only 10 distinct values"):
        fe.total_correlation_knn(X, groups=[[2, 0], [1]])


# ---------------------------------------------------------------------------------------------
# transfer entropy


def _coupled(n, rng, a=0.5, b=0.4, c=0.6):
    """x_t = a x_{t-1} + e, y_t = b y_{t-1} + c x_{t-1} + e' (unit noises): x drives y."""
    e = rng.standard_normal((n, 2))
    x = np.zeros(n)
    y = np.zeros(n)
    for t in range(1, n):
        x[t] = a * x[t - 1] + e[t, 0]
        y[t] = b * y[t - 1] + c * x[t - 1] + e[t, 1]
    return x, y


@pytest.mark.parametrize("seed", [0, 1])
def test_transfer_entropy_matches_bruteforce(seed, quiet):
    rng = np.random.default_rng(seed)
    n = 120
    x, y = _coupled(n, rng)
    y = np.round(y, 1)  # some ties
    c = rng.standard_normal((n, 2))
    x2 = np.c_[x, rng.standard_normal(n)]
    for ls, lt, tau, cond, src in ((1, 1, 1, None, x), (2, 1, 1, None, x), (1, 3, 2, None, x),
                                   (2, 2, 3, c, x), (1, 1, 1, c[:, 0], x2), (3, 1, 1, None, x2)):
        ex, ey, ez = embed(src, y, ls, lt, tau, cond)
        for k in (1, 4):
            for w in (0, 3):
                got = fe.transfer_entropy_knn(src, y, source_history=ls, target_history=lt,
                                              delay=tau, cond=cond, k=k, theiler=w, **RAW)
                assert math.isclose(got, bf_cmi(ex, ey, ez, k, w), rel_tol=1e-12,
                                    abs_tol=1e-12), (ls, lt, tau, k, w)
                # the same as mutual_info_knn's CMI on the embedding
                assert math.isclose(got, fe.mutual_info_knn(ex, ey, z=ez, k=k, theiler=w,
                                                            **RAW),
                                    rel_tol=1e-12, abs_tol=1e-12)


def _gaussian_te(A, Q, ls, lt, tau, src, tgt):
    """Closed-form TE src -> tgt of the stationary VAR(1) s_t = A s_{t-1} + e (cov Q): the
    Gaussian conditional MI from the autocovariances Gamma(h) = A^h Sigma_0."""
    S0 = solve_discrete_lyapunov(A, Q)

    def cov(i, hi, j, hj):  # cov(s_i at t - hi, s_j at t - hj)
        h = hj - hi
        G = np.linalg.matrix_power(A, abs(h)) @ S0
        return G[i, j] if h >= 0 else G[j, i]

    vars_ = [(tgt, 0)] + [(src, lag) for lag in range(tau, tau + ls)] + [
        (tgt, lag) for lag in range(1, lt + 1)]
    C = np.array([[cov(i, hi, j, hj) for (j, hj) in vars_] for (i, hi) in vars_])
    ix, iy, iz = [0], list(range(1, 1 + ls)), list(range(1 + ls, 1 + ls + lt))

    def ld(idx):
        return np.linalg.slogdet(C[np.ix_(idx, idx)])[1]

    return 0.5 * (ld(ix + iz) + ld(iy + iz) - ld(iz) - ld(ix + iy + iz))


def test_transfer_entropy_coupled_ar_and_gaussian_closed_form():
    rng = np.random.default_rng(5)
    n = 10000
    x, y = _coupled(n, rng)
    A = np.array([[0.5, 0.0], [0.6, 0.4]])
    Q = np.eye(2)
    te_xy = fe.transfer_entropy_knn(x, y)
    te_yx = fe.transfer_entropy_knn(y, x)
    truth = _gaussian_te(A, Q, 1, 1, 1, 0, 1)
    # the direct form: var(y_t | y_{t-1}) over var(y_t | y_{t-1}, x_{t-1}) = 1
    S0 = solve_discrete_lyapunov(A, Q)
    g1 = (A @ S0)[1, 1]
    assert math.isclose(truth, 0.5 * math.log(S0[1, 1] - g1 * g1 / S0[1, 1]), rel_tol=1e-9)
    # KSG-type estimates are biased low for dependent data: ~0.01 at this n
    assert abs(te_xy - truth) < 0.025, (te_xy, truth)
    assert abs(te_yx) < 0.015, te_yx  # x is autonomous: no information flows from y
    # longer histories and a delay that misses the coupling
    for ls, lt, tau in ((2, 2, 1), (1, 2, 2)):
        est = fe.transfer_entropy_knn(x, y, source_history=ls, target_history=lt, delay=tau)
        t = _gaussian_te(A, Q, ls, lt, tau, 0, 1)
        assert abs(est - t) < 0.03, (ls, lt, tau, est, t)


def test_transfer_entropy_conditioning_on_the_driver_removes_it():
    # z drives x after one step and y after two; x does not drive y, but x_{t-1} ~ z_{t-2}
    # predicts y_t: a spurious TE x -> y that conditioning on z_{t-2} removes
    rng = np.random.default_rng(8)
    n = 6000
    e = rng.standard_normal((n, 3))
    z = e[:, 0]
    x = np.r_[0.0, z[:-1]] + 0.5 * e[:, 1]
    y = np.r_[0.0, 0.0, z[:-2]] + 0.5 * e[:, 2]
    assert fe.transfer_entropy_knn(x, y) > 0.3
    z_lag2 = np.r_[0.0, 0.0, z[:-2]]  # cond is taken at the target's time: pass it shifted
    assert abs(fe.transfer_entropy_knn(x, y, cond=z_lag2)) < 0.02


def test_transfer_entropy_local_values_and_base():
    rng = np.random.default_rng(9)
    x, y = _coupled(500, rng)
    v, loc = fe.transfer_entropy_knn(x, y, source_history=2, target_history=3, delay=2,
                                     return_local=True)
    assert loc.shape == (500 - max(2 + 2 - 1, 3),)
    assert math.isclose(v, float(np.mean(loc)), rel_tol=1e-14)
    assert math.isclose(fe.transfer_entropy_knn(x, y, source_history=2, target_history=3,
                                                delay=2, base=2), v / math.log(2),
                        rel_tol=1e-14)
    # scale and offset of each series do not matter (standardised before embedding)
    assert abs(fe.transfer_entropy_knn(x * 1e4 + 1e9, y * 1e-3) - fe.transfer_entropy_knn(x, y)
               ) < 1e-9


def test_n_jobs_bitwise():
    rng = np.random.default_rng(10)
    n = 20000 if backend() == "compiled" else 2000
    x, y = _coupled(n, rng)
    X = np.c_[x, y, rng.standard_normal(n)]
    calls = [
        lambda nj: fe.transfer_entropy_knn(x, y, theiler=3, n_jobs=nj, return_local=True)[1],
        lambda nj: fe.transfer_entropy_knn(x, y, source_history=2, cond=X[:, 2], n_jobs=nj),
        lambda nj: fe.total_correlation_knn(X, n_jobs=nj, return_local=True)[1],
        lambda nj: fe.total_correlation_knn(X, groups=[[0, 2], [1]], theiler=2, n_jobs=nj),
    ]
    for call in calls:
        ref = np.asarray(call(1))
        for nj in (2, 3, None, -1):
            np.testing.assert_array_equal(np.asarray(call(nj)), ref)


S = np.random.default_rng(3).standard_normal(30)
T = np.random.default_rng(4).standard_normal(30)


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fe.transfer_entropy_knn(S, T[:20]), ValueError, "target must have as many"),
        (lambda: fe.transfer_entropy_knn(S, T, cond=T[:5]), ValueError, "cond must have"),
        (lambda: fe.transfer_entropy_knn(S, T, source_history=0), ValueError,
         "source_history must be at least 1"),
        (lambda: fe.transfer_entropy_knn(S, T, target_history=-1), ValueError,
         "target_history must"),
        (lambda: fe.transfer_entropy_knn(S, T, delay=0), ValueError, "delay must be at least"),
        (lambda: fe.transfer_entropy_knn(S, T, delay=1.0), TypeError, "delay must"),
        (lambda: fe.transfer_entropy_knn(S, T, source_history=True), TypeError,
         "source_history must"),
        (lambda: fe.transfer_entropy_knn(S, T, delay=20, source_history=10), ValueError,
         "delay=20, source_history=10"),
        (lambda: fe.transfer_entropy_knn(S, T, k=29), ValueError, "k must be smaller than the "
         "number of embedded time points"),
        (lambda: fe.transfer_entropy_knn(S, T, theiler=14), ValueError, "theiler=14"),
        (lambda: fe.transfer_entropy_knn(S, T, theiler=-1), ValueError, "theiler must"),
        (lambda: fe.transfer_entropy_knn(np.ones(30), T), ValueError, "source: column 0"),
        (lambda: fe.transfer_entropy_knn(S, np.where(T > 1, np.nan, T)), ValueError,
         "target must"),
        (lambda: fe.transfer_entropy_knn(S, T, cond=np.zeros((30, 2, 2))), ValueError,
         "cond must be 1-D"),
        (lambda: fe.transfer_entropy_knn(S[:1], T[:1]), ValueError, "source must have at least"),
    ],
)
def test_transfer_entropy_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)
