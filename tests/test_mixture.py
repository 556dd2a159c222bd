"""Gaussian mixtures: models and their validation, log-density against scikit-learn, sampling,
closed-form and Monte Carlo KL (against mpmath and quadrature), standard errors against the
spread over seeds, compiled kernels against the NumPy twin, and n_jobs determinism."""
import math
import types

import numpy as np
import pytest
from _kernel_pairs import pair
from hypothesis import given
from hypothesis import strategies as st

from fastentropy import mixture as fm

mpmath = pytest.importorskip("mpmath")


def _random_mixture(rng, k, d, ctype="full", spread=2.0, alpha=1.0):
    w = rng.dirichlet(np.full(k, alpha))
    mu = rng.normal(size=(k, d)) * spread
    if ctype == "full":
        a = rng.normal(size=(k, d, d))
        cov = a @ np.swapaxes(a, -1, -2) / d + 0.3 * np.eye(d)
    elif ctype == "tied":
        a = rng.normal(size=(d, d))
        cov = a @ a.T / d + 0.3 * np.eye(d)
    elif ctype == "diag":
        cov = rng.uniform(0.3, 2.0, size=(k, d))
    else:
        cov = rng.uniform(0.3, 2.0, size=k)
    return fm.as_gaussian_mixture(weights=w, means=mu, covariances=cov, covariance_type=ctype)


def _scipy_logpdf(gm, x):
    from scipy.stats import multivariate_normal

    covs = gm.full_covariances()
    parts = [
        np.log(gm.weights[j]) + multivariate_normal(gm.means[j], covs[j]).logpdf(x)
        for j in range(gm.n_components)
    ]
    return np.logaddexp.reduce(np.stack(parts), axis=0)


# ---------------------------------------------------------------------------------- models
def test_model_from_arrays_and_duck_typed_object(rng):
    gm = _random_mixture(rng, 3, 2)
    obj = types.SimpleNamespace(
        weights_=gm.weights, means_=gm.means, covariances_=gm.covariances, covariance_type="full"
    )
    gm2 = fm.as_gaussian_mixture(obj)
    assert np.array_equal(gm2.weights, gm.weights) and np.array_equal(gm2.cholesky, gm.cholesky)
    assert fm.as_gaussian_mixture(gm) is gm
    assert not gm.weights.flags.writeable and not gm.cholesky.flags.writeable
    np.testing.assert_allclose(
        gm.cholesky @ np.swapaxes(gm.cholesky, -1, -2), gm.full_covariances(), rtol=1e-13
    )


@pytest.mark.parametrize("ctype", ["full", "tied", "diag", "spherical"])
def test_full_covariances_and_cholesky_per_type(rng, ctype):
    gm = _random_mixture(rng, 3, 3, ctype)
    full = gm.full_covariances()
    assert full.shape == (3, 3, 3)
    np.testing.assert_allclose(gm.cholesky @ np.swapaxes(gm.cholesky, -1, -2), full, rtol=1e-13,
                               atol=1e-15)


def test_weights_are_normalised_within_tolerance_and_refused_beyond():
    kw = dict(means=[[0.0], [1.0]], covariances=[1.0, 2.0], covariance_type="spherical")
    gm = fm.as_gaussian_mixture(weights=[0.3, 0.7 + 5e-9], **kw)
    assert math.isclose(gm.weights.sum(), 1.0, rel_tol=0, abs_tol=1e-16)
    with pytest.raises(ValueError, match="^weights must sum to one"):
        fm.as_gaussian_mixture(weights=[0.3, 0.6], **kw)
    with pytest.raises(ValueError, match="^weights must be non-negative"):
        fm.as_gaussian_mixture(weights=[-0.1, 1.1], **kw)
    with pytest.raises(ValueError, match="^weights must contain only finite"):
        fm.as_gaussian_mixture(weights=[np.nan, 1.0], **kw)


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(covariances=[[[1.0, 2.0], [2.0, 1.0]]]), "^covariances must be positive definite"),
        (dict(covariances=[[[1.0, 0.5], [0.0, 1.0]]]), "^covariances must be symmetric"),
        (dict(covariances=[[[1.0, np.nan], [np.nan, 1.0]]]), "^covariances must contain only"),
        (dict(covariances=[[1.0, 0.0], [0.0, 1.0]]), "^covariances must have shape"),
        (dict(means=[[0.0, 0.0, 0.0]]), "^covariances must have shape"),
        (dict(means=[[0.0, 0.0], [1.0, 1.0]]), "^means must have shape"),
        (dict(means=[[0.0, np.inf]]), "^means must contain only finite"),
        (dict(covariance_type="banana"), "^covariance_type="),
        (dict(covariances=[[1.0, -1.0]], covariance_type="diag"), "^covariances must be positive"),
    ],
)
def test_bad_models_name_the_argument(kw, match):
    args = dict(weights=[1.0], means=[[0.0, 0.0]], covariances=[[[1.0, 0.0], [0.0, 1.0]]],
                covariance_type="full")
    args.update(kw)
    with pytest.raises((ValueError, TypeError), match=match):
        fm.as_gaussian_mixture(**args)


def test_incomplete_inputs_are_type_errors():
    with pytest.raises(TypeError, match="^weights is required"):
        fm.as_gaussian_mixture(means=[[0.0]], covariances=[[[1.0]]])
    with pytest.raises(TypeError, match="^obj must"):
        fm.as_gaussian_mixture(object())
    with pytest.raises(TypeError, match="^mixture: obj must"):
        fm.log_density(object(), [0.0])


@pytest.mark.parametrize("suffix", [".json", ".npz"])
@pytest.mark.parametrize("ctype", ["full", "tied", "diag", "spherical"])
def test_save_load_round_trip_is_exact(tmp_path, rng, suffix, ctype):
    gm = _random_mixture(rng, 3, 2, ctype)
    path = tmp_path / f"m{suffix}"
    gm.save(path)
    back = fm.GaussianMixture.load(path)
    assert back.covariance_type == ctype
    for name in ("weights", "means", "covariances", "cholesky"):
        assert np.array_equal(getattr(back, name), getattr(gm, name)), name


def test_load_errors_name_the_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="^path .* is not a readable mixture file"):
        fm.GaussianMixture.load(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"weights": [0.5, 0.2], "means": [[0], [1]], "covariances": [1, 1], '
                     '"covariance_type": "spherical"}')
    with pytest.raises(ValueError, match="^path .* holds an invalid mixture: weights must sum"):
        fm.GaussianMixture.load(wrong)
    with pytest.raises(ValueError, match="^path must end in"):
        fm.GaussianMixture.load(tmp_path / "m.txt")
    with pytest.raises(ValueError, match="^path must end in"):
        fm.as_gaussian_mixture(weights=[1.0], means=[[0.0]], covariances=[1.0],
                               covariance_type="spherical").save(tmp_path / "m.txt")


# ----------------------------------------------------------------------------- log-density
@pytest.mark.parametrize("ctype", ["full", "tied", "diag", "spherical"])
def test_log_density_matches_sklearn_score_samples(rng, ctype):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    x = np.concatenate([rng.normal(size=(200, 3)), rng.normal(size=(200, 3)) * 0.5 + 2.0])
    sk = sklearn_mixture.GaussianMixture(4, covariance_type=ctype, random_state=0).fit(x)
    y = rng.normal(size=(3000, 3)) * 4.0
    ours = fm.log_density(sk, y)
    ref = sk.score_samples(y)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=0)


def test_log_density_against_scipy_and_shapes(rng):
    gm = _random_mixture(rng, 5, 2)
    x = rng.normal(size=(4, 7, 2)) * 3
    out = fm.log_density(gm, x)
    assert out.shape == (4, 7)
    np.testing.assert_allclose(out, _scipy_logpdf(gm, x.reshape(-1, 2)).reshape(4, 7),
                               rtol=1e-12)
    assert fm.log_density(gm, np.empty((0, 2))).shape == (0,)
    g1 = _random_mixture(rng, 3, 1)
    s = rng.normal(size=17)
    np.testing.assert_array_equal(fm.log_density(g1, s), fm.log_density(g1, s[:, None]))
    with pytest.raises(ValueError, match="^X must have its last axis of length 2"):
        fm.log_density(gm, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="^X must contain only finite"):
        fm.log_density(gm, [[0.0, np.nan]])


def test_log_density_far_from_every_component_does_not_underflow():
    gm = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0], [1.0]],
                                covariances=[1.0, 1.0], covariance_type="spherical")
    x = np.array([100.0, -1e3])
    ref = [float(mpmath.log(0.5 * mpmath.npdf(v, 0, 1) + 0.5 * mpmath.npdf(v, 1, 1)))
           for v in x]
    np.testing.assert_allclose(fm.log_density(gm, x), ref, rtol=1e-13)


def test_zero_weight_components_are_ignored(rng):
    base = _random_mixture(rng, 2, 2)
    padded = fm.as_gaussian_mixture(
        weights=np.append(base.weights, 0.0),
        means=np.vstack([base.means, [[50.0, 50.0]]]),
        covariances=np.concatenate([base.covariances, np.eye(2)[None]]),
    )
    x = rng.normal(size=(50, 2))
    np.testing.assert_array_equal(fm.log_density(padded, x), fm.log_density(base, x))
    s = fm.sample(padded, 101, random_state=3)
    np.testing.assert_array_equal(s, fm.sample(base, 101, random_state=3))


# -------------------------------------------------------------------------------- sampling
def test_sample_allocation_and_moments(rng):
    gm = _random_mixture(rng, 3, 2, alpha=50.0)
    n = 60001
    s = fm.sample(gm, n, random_state=7)
    counts = fm._allocate(gm.weights, n)
    assert s.shape == (n, 2) and counts.sum() == n
    assert (np.abs(counts - n * gm.weights) < 1.0).all()
    off = 0
    for k, c in enumerate(counts):
        part = s[off : off + c]
        se = np.sqrt(np.diag(gm.full_covariances()[k]) / c)
        assert (np.abs(part.mean(axis=0) - gm.means[k]) < 5 * se).all()
        np.testing.assert_allclose(np.cov(part.T), gm.full_covariances()[k], rtol=0.1, atol=0.05)
        off += c
    assert np.array_equal(s, fm.sample(gm, n, random_state=7))
    assert not np.array_equal(s, fm.sample(gm, n, random_state=8))
    assert fm.sample(gm, 0, random_state=1).shape == (0, 2)


def test_allocation_largest_remainder():
    w = np.array([0.5, 0.3, 0.2])
    assert fm._allocate(w, 7).tolist() == [4, 2, 1]  # 3.5, 2.1, 1.4: the .5 gets the spare
    assert fm._allocate(np.array([1 / 3] * 3), 4).tolist() == [2, 1, 1]  # ties: lower index


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 700), st.integers(0, 2**32))
def test_kernel_vs_twin(k, d, n, seed):
    ker, tw = pair("mixture")
    r = np.random.default_rng(seed)
    p = _random_mixture(r, k, d)
    q = _random_mixture(r, k + 1, d, "diag")
    w, plogc, pmu, pchol = p._kernel_args()
    _, qlogc, qmu, qchol = q._kernel_args()
    x = r.normal(size=(n, d)) * 3
    a, b = np.full(n, np.nan), np.full(n, np.nan)
    ker.log_density(x, plogc, pmu, pchol, a, 2)
    tw.log_density(x, plogc, pmu, pchol, b, 1)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    counts = fm._allocate(w, n)
    sa, sb = np.empty((n, d)), np.empty((n, d))
    ker.sample(counts, pmu, pchol, 5, seed & 0xFFFFFFFF, sa, 2)
    tw.sample(counts, pmu, pchol, 5, seed & 0xFFFFFFFF, sb, 1)
    np.testing.assert_allclose(sa, sb, rtol=1e-12, atol=1e-12)
    counts = np.maximum(counts, 2)
    ma, m2a, mb, m2b = (np.zeros(k) for _ in range(4))
    ker.kl_mc(counts, 5, 6, plogc, pmu, pchol, qlogc, qmu, qchol, ma, m2a, 2)
    tw.kl_mc(counts, 5, 6, plogc, pmu, pchol, qlogc, qmu, qchol, mb, m2b, 1)
    np.testing.assert_allclose(ma, mb, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(m2a, m2b, rtol=1e-11, atol=1e-11)


# ---------------------------------------------------------------- closed-form Gaussian KL
def _kl_mpmath(m0, c0, m1, c1):
    mpmath.mp.dps = 40
    M0, M1 = mpmath.matrix(m0.tolist()), mpmath.matrix(m1.tolist())
    C0, C1 = mpmath.matrix(c0.tolist()), mpmath.matrix(c1.tolist())
    inv1 = C1**-1
    d = len(m0)
    tr = sum((inv1 * C0)[i, i] for i in range(d))
    dm = M1 - M0
    maha = (dm.T * inv1 * dm)[0, 0]
    return float((tr + maha - d + mpmath.log(mpmath.det(C1) / mpmath.det(C0))) / 2)


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_kl_gaussian_against_mpmath(rng, d):
    for _ in range(5):
        a, b = rng.normal(size=(2, d, d))
        c0, c1 = a @ a.T + 0.2 * np.eye(d), b @ b.T + 0.2 * np.eye(d)
        m0, m1 = rng.normal(size=(2, d))
        got = fm.kl_divergence_gaussian(m0, c0, m1, c1)
        assert isinstance(got, float)
        assert got == pytest.approx(_kl_mpmath(m0, c0, m1, c1), rel=1e-10)


def test_kl_gaussian_near_identical_keeps_relative_accuracy():
    c0 = np.array([[2.0, 0.3], [0.3, 1.0]])
    c1 = c0 * (1 + 1e-6)
    m0 = np.array([0.0, 0.0])
    m1 = m0 + 1e-7
    ref = _kl_mpmath(m0, c0, m1, c1)
    assert fm.kl_divergence_gaussian(m0, c0, m1, c1) == pytest.approx(ref, rel=1e-7)
    assert fm.kl_divergence_gaussian(m0, c0, m0, c0) == 0.0


def test_kl_gaussian_batches_and_base(rng):
    d = 2
    a = rng.normal(size=(4, 3, d, d))
    c0 = a @ np.swapaxes(a, -1, -2) + 0.5 * np.eye(d)
    m0 = rng.normal(size=(4, 3, d))
    m1 = rng.normal(size=(d,))
    c1 = np.eye(d) * 2.0
    out = fm.kl_divergence_gaussian(m0, c0, m1, c1)
    assert out.shape == (4, 3)
    assert out[2, 1] == pytest.approx(fm.kl_divergence_gaussian(m0[2, 1], c0[2, 1], m1, c1),
                                      rel=1e-14)
    bits = fm.kl_divergence_gaussian(m0, c0, m1, c1, base=2)
    np.testing.assert_allclose(bits, out / math.log(2), rtol=1e-14)
    with pytest.raises(ValueError, match="^cov1 must be positive definite"):
        fm.kl_divergence_gaussian(m1, c1, m1, -c1)
    with pytest.raises(ValueError, match="^cov0 must have shape"):
        fm.kl_divergence_gaussian(m1, np.eye(3), m1, c1)
    with pytest.raises(ValueError, match="^mean1 must have dimension"):
        fm.kl_divergence_gaussian(m1, c1, np.zeros(3), np.eye(3))


# ------------------------------------------------------------------------ mixture KL (MC)
def test_mixture_against_itself_and_a_permuted_copy_is_zero(rng):
    gm = _random_mixture(rng, 4, 3)
    r = fm.kl_divergence_mixture(gm, gm, method="mc", n_samples=5000, random_state=1)
    assert r.estimate == 0.0 and r.stderr == 0.0 and r.method == "mc"
    perm = [2, 0, 3, 1]
    pg = fm.as_gaussian_mixture(weights=gm.weights[perm], means=gm.means[perm],
                                covariances=gm.covariances[perm])
    r = fm.kl_divergence_mixture(gm, pg, n_samples=5000, random_state=1)
    assert abs(r.estimate) < 1e-12 and r.stderr < 1e-12


def test_auto_uses_the_closed_form_for_single_gaussians(rng):
    p = _random_mixture(rng, 1, 2)
    q = _random_mixture(rng, 1, 2, "diag")
    r = fm.kl_divergence_mixture(p, q)
    assert r.method == "closed_form" and r.stderr is None and r.n_samples == 0
    assert r.lower is None and r.upper is None
    ref = fm.kl_divergence_gaussian(p.means[0], p.full_covariances()[0], q.means[0],
                                    q.full_covariances()[0])
    assert r.estimate == ref
    mc = fm.kl_divergence_mixture(p, q, method="mc", n_samples=20000, random_state=3)
    assert abs(mc.estimate - ref) < 4 * mc.stderr
    r2 = fm.kl_divergence_mixture(p, q, base=2)
    assert r2.estimate == pytest.approx(ref / math.log(2), rel=1e-15)


def _quad_kl_1d(p, q):
    from scipy.integrate import quad

    def integrand(x):
        lp = float(fm.log_density(p, x))  # a scalar point of a 1-D mixture
        lq = float(fm.log_density(q, x))
        return math.exp(lp) * (lp - lq)

    sd = np.sqrt(p.full_covariances()[:, 0, 0])
    lo = float(np.min(p.means[:, 0] - 12 * sd))
    hi = float(np.max(p.means[:, 0] + 12 * sd))
    pts = sorted(p.means[:, 0].tolist())
    val, err = quad(integrand, lo, hi, points=pts, limit=400, epsabs=1e-13, epsrel=1e-12)
    return val


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mc_within_four_stderr_of_quadrature_1d(seed):
    r = np.random.default_rng(seed)
    p = _random_mixture(r, 3, 1, spread=1.5)
    q = _random_mixture(r, 2, 1, spread=1.5)
    ref = _quad_kl_1d(p, q)
    res = fm.kl_divergence_mixture(p, q, method="mc", n_samples=40000, random_state=seed)
    assert res.n_samples == 40000
    assert abs(res.estimate - ref) < 4 * res.stderr, (res, ref)
    res2 = fm.kl_divergence_mixture(p, q, method="mc", n_samples=40000, random_state=seed,
                                   base=2)
    assert res2.estimate == pytest.approx(res.estimate / math.log(2), rel=1e-14)
    assert res2.stderr == pytest.approx(res.stderr / math.log(2), rel=1e-14)
    res3 = fm.kl_divergence_mixture(p, q, method="mc", n_samples=40000, random_state=seed,
                                   base=0.5)
    assert res3.estimate == pytest.approx(-res2.estimate, rel=1e-14)
    assert res3.stderr == pytest.approx(res2.stderr, rel=1e-14)


@pytest.mark.parametrize("method", ["mc", "auto"])
def test_reported_stderr_matches_the_spread_over_seeds(method):
    r = np.random.default_rng(11)
    p = _random_mixture(r, 3, 2)
    q = _random_mixture(r, 4, 2)
    runs = [fm.kl_divergence_mixture(p, q, n_samples=1500, random_state=s, method=method)
            for s in range(300)]
    est = np.array([x.estimate for x in runs])
    se = np.array([x.stderr for x in runs])
    ratio = est.std(ddof=1) / np.sqrt(np.mean(se**2))
    # 300 seeds: the sample standard deviation is within ~4% (1 sd) of the truth
    assert 0.85 < ratio < 1.15, ratio


def test_minimum_two_samples_per_component(rng):
    p = fm.as_gaussian_mixture(weights=[0.999, 0.001], means=[[0.0], [3.0]],
                               covariances=[1.0, 1.0], covariance_type="spherical")
    q = _random_mixture(rng, 2, 1)
    res = fm.kl_divergence_mixture(p, q, method="mc", n_samples=100, random_state=0)
    assert res.n_samples == 102 and math.isfinite(res.stderr)


@pytest.mark.parametrize("n_jobs", [1, 2, 3, None, -1])
def test_results_do_not_depend_on_n_jobs(rng, n_jobs):
    p = _random_mixture(rng, 8, 2)
    q = _random_mixture(rng, 8, 2)
    for kw in ({}, {"method": "mc"}, {"method": "mc", "antithetic": True}, {"method": "rqmc"}):
        ref = fm.kl_divergence_mixture(p, q, n_samples=30000, random_state=5, n_jobs=1, **kw)
        got = fm.kl_divergence_mixture(p, q, n_samples=30000, random_state=5, n_jobs=n_jobs,
                                       **kw)
        assert got == ref, kw
    x = rng.normal(size=(20000, 2))
    assert np.array_equal(fm.log_density(p, x, n_jobs=n_jobs), fm.log_density(p, x, n_jobs=1))
    assert np.array_equal(fm.sample(p, 20000, random_state=2, n_jobs=n_jobs),
                          fm.sample(p, 20000, random_state=2, n_jobs=1))


def test_kl_mixture_bad_arguments(rng):
    p = _random_mixture(rng, 2, 2)
    q = _random_mixture(rng, 2, 3)
    with pytest.raises(ValueError, match="^q must have the same dimension as p"):
        fm.kl_divergence_mixture(p, q)
    with pytest.raises(ValueError, match="^n_samples must be at least 2"):
        fm.kl_divergence_mixture(p, p, n_samples=1)
    with pytest.raises(TypeError, match="^n_samples must be an int"):
        fm.kl_divergence_mixture(p, p, n_samples=10.0)
    with pytest.raises(ValueError, match="^method="):
        fm.kl_divergence_mixture(p, p, method="banana")
    with pytest.raises(ValueError, match="^method='quad' needs 1-D mixtures"):
        fm.kl_divergence_mixture(p, p, method="quad")
    with pytest.raises(ValueError, match="^tol must be a positive"):
        fm.kl_divergence_mixture(p, p, method="mc", tol=0.0)
    with pytest.raises(ValueError, match="^tol must be a positive"):
        fm.kl_divergence_mixture(p, p, method="mc", tol=float("nan"))
    with pytest.raises(TypeError, match="^tol must be a positive"):
        fm.kl_divergence_mixture(p, p, method="mc", tol="small")
    with pytest.raises(ValueError, match="^random_state"):
        fm.kl_divergence_mixture(p, p, random_state=-3)
    with pytest.raises(ValueError, match="^base"):
        fm.kl_divergence_mixture(p, p, base=1.0)
    with pytest.raises(TypeError, match="^p: obj must"):
        fm.kl_divergence_mixture("p.json", p)


def test_overflowing_distances_give_minus_inf_not_nan():
    ker, tw = pair("mixture")
    gm = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[1e308, 0.0], [-1e308, 1.0]],
                                covariances=[[[1.0, 0.5], [0.5, 1.0]]] * 2)
    x = np.array([[0.0, 0.0], [1e308, 0.0], [-1e308, 1e308]])
    args = gm._kernel_args()[1:]
    for mod in (ker, tw):
        out = np.empty(3)
        mod.log_density(x, *args, out, 1)
        assert out[0] == -np.inf and out[2] == -np.inf and np.isfinite(out[1])
    with pytest.raises(ValueError, match="^covariances must be positive definite"):
        fm.as_gaussian_mixture(weights=[1.0], means=[[0.0, 0.0]],
                               covariances=[[[1e308, 1e308], [1e308, 1e308]]])


# ------------------------------------------------------------------------- quadrature (1-D)
def _mp_kl_1d(p, q):
    """KL of 1-D mixtures by mpmath quadrature at 30 digits, split at the components' means."""
    mpmath.mp.dps = 30

    def dens(g, x):
        sd = np.sqrt(g.full_covariances()[:, 0, 0])
        return mpmath.fsum(mpmath.mpf(float(w)) * mpmath.npdf(x, float(m), float(s))
                           for w, m, s in zip(g.weights, g.means[:, 0], sd) if w > 0)

    def f(x):
        a, b = dens(p, x), dens(q, x)
        return a * mpmath.log(a / b) if a > 0 else mpmath.mpf(0)

    sd = np.sqrt(np.concatenate([p.full_covariances()[:, 0, 0], q.full_covariances()[:, 0, 0]]))
    mu = np.concatenate([p.means[:, 0], q.means[:, 0]])
    pts = sorted({float(v) for t in (-30, -4, -1, 0, 1, 4, 30) for v in (mu + t * sd)})
    return float(mpmath.quad(f, pts))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_quad_matches_scipy_quad_and_auto_picks_it_in_1d(seed):
    r = np.random.default_rng(seed)
    p = _random_mixture(r, 3, 1, spread=1.5)
    q = _random_mixture(r, 2, 1, spread=1.5)
    ref = _quad_kl_1d(p, q)
    got = fm.kl_divergence_mixture(p, q, method="quad")
    assert got.method == "quad" and got.stderr is None and got.n_samples == 0
    assert got.estimate == pytest.approx(ref, rel=1e-10, abs=1e-12)
    assert fm.kl_divergence_mixture(p, q) == got  # auto: quadrature in 1-D


def test_quad_against_mpmath_on_hard_mixtures():
    cases = [
        # a narrow spike inside a broad component, and far-apart components
        (([0.3, 0.7], [0.0, 0.5], [1e-4, 4.0]), ([0.5, 0.5], [-1.0, 30.0], [1.0, 0.25])),
        # near-identical mixtures (KL ~ 1e-9): the non-negative integrand keeps the digits
        (([0.4, 0.6], [0.0, 1.0], [1.0, 0.5]), ([0.4 + 1e-5, 0.6 - 1e-5], [0.0, 1.0], [1.0, 0.5])),
        (([1.0], [0.0], [1.0]), ([0.2, 0.8], [3.0, -2.0], [0.01, 9.0])),
    ]
    for (pw, pm, pv), (qw, qm, qv) in cases:
        p = fm.as_gaussian_mixture(weights=pw, means=np.array(pm)[:, None], covariances=pv,
                                   covariance_type="spherical")
        q = fm.as_gaussian_mixture(weights=qw, means=np.array(qm)[:, None], covariances=qv,
                                   covariance_type="spherical")
        ref = _mp_kl_1d(p, q)
        got = fm.kl_divergence_mixture(p, q, method="quad").estimate
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-15), (got, ref)


def test_quad_of_a_mixture_against_itself_is_zero(rng):
    p = _random_mixture(rng, 4, 1)
    assert fm.kl_divergence_mixture(p, p, method="quad").estimate == 0.0
    bits = fm.kl_divergence_mixture(p, _random_mixture(rng, 2, 1), method="quad", base=2)
    nats = fm.kl_divergence_mixture(p, _random_mixture(np.random.default_rng(20261126), 4, 1),
                                    method="quad")
    assert bits.estimate > 0 and nats.estimate >= 0


# ------------------------------------------------------- closed-form approximations, bounds
_ANALYTIC = ("variational", "goldberger", "product", "bounds")


@pytest.mark.parametrize("seed", range(12))
def test_every_bound_brackets_the_quadrature_value_1d(seed):
    r = np.random.default_rng(100 + seed)
    p = _random_mixture(r, int(r.integers(1, 6)), 1, spread=float(r.uniform(0.2, 3)))
    q = _random_mixture(r, int(r.integers(1, 6)), 1, spread=float(r.uniform(0.2, 3)))
    truth = fm.kl_divergence_mixture(p, q, method="quad").estimate
    gp, gq = p, q
    t = fm._terms(gp, gq)
    lo, up = fm._durrieu(t)
    vub = fm._variational_upper(t)
    slack = 1e-9 * (1 + truth)
    assert lo <= truth + slack and truth <= up + slack and truth <= vub + slack
    b = fm.kl_divergence_mixture(p, q, method="bounds")
    assert b.lower == max(lo, 0.0) and b.upper == min(up, vub)
    assert b.lower <= truth + slack <= b.upper + 2 * slack
    assert b.lower <= b.estimate <= b.upper
    for m in _ANALYTIC:
        res = fm.kl_divergence_mixture(p, q, method=m)
        assert res.method == m and res.stderr is None and res.n_samples == 0
        assert (res.lower, res.upper) == (b.lower, b.upper)


@pytest.mark.parametrize("ctype", ["full", "diag"])
def test_every_bound_brackets_a_long_monte_carlo_run_2d(ctype):
    r = np.random.default_rng(7 if ctype == "full" else 8)
    for _ in range(3):
        p = _random_mixture(r, 4, 2, ctype, spread=1.5)
        q = _random_mixture(r, 3, 2, ctype, spread=1.5)
        mc = fm.kl_divergence_mixture(p, q, method="mc", n_samples=400_000, random_state=1)
        t = fm._terms(p, q)
        lo, up = fm._durrieu(t)
        vub = fm._variational_upper(t)
        assert lo <= mc.estimate + 4 * mc.stderr
        assert mc.estimate - 4 * mc.stderr <= min(up, vub)
        b = fm.kl_divergence_mixture(p, q, method="bounds")
        assert b.lower <= mc.estimate + 4 * mc.stderr
        assert b.upper >= mc.estimate - 4 * mc.stderr


def test_variational_upper_bound_improves_on_the_product_initialisation(rng):
    p = _random_mixture(rng, 5, 2)
    q = _random_mixture(rng, 4, 2)
    t = fm._terms(p, q)
    first = float(np.sum(np.exp(t.lw_p[:, None] + t.lw_q[None, :]) * t.D_pq))  # phi = psi
    assert fm._variational_upper(t) <= first
    assert fm._variational_upper(t, max_iter=0) == pytest.approx(first, rel=1e-14)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_mixture_against_itself_gives_zero_or_an_interval_holding_it(rng, d):
    gm = _random_mixture(rng, 4, d)
    for m in ("variational", "product"):
        assert fm.kl_divergence_mixture(gm, gm, method=m).estimate == 0.0
    b = fm.kl_divergence_mixture(gm, gm, method="bounds")
    assert b.lower == 0.0 <= b.upper and b.estimate == 0.0
    perm = [3, 1, 0, 2]
    pg = fm.as_gaussian_mixture(weights=gm.weights[perm], means=gm.means[perm],
                                covariances=gm.covariances[perm])
    for m in ("variational", "product"):
        assert abs(fm.kl_divergence_mixture(gm, pg, method=m).estimate) < 1e-12
    # Goldberger's matching is 0 when each component is matched to itself (separated ones)
    sep = fm.as_gaussian_mixture(weights=[0.2, 0.3, 0.5], means=np.eye(3, d) * 40,
                                 covariances=[1.0, 2.0, 0.5], covariance_type="spherical")
    assert abs(fm.kl_divergence_mixture(sep, sep, method="goldberger").estimate) < 1e-14


@pytest.mark.parametrize("d", [1, 2, 4])
def test_single_components_reduce_to_the_closed_form(rng, d):
    p = _random_mixture(rng, 1, d)
    q = _random_mixture(rng, 1, d)
    ref = fm.kl_divergence_gaussian(p.means[0], p.full_covariances()[0], q.means[0],
                                    q.full_covariances()[0])
    for m in ("variational", "goldberger", "bounds"):
        res = fm.kl_divergence_mixture(p, q, method=m)
        assert res.estimate == pytest.approx(ref, rel=1e-12)
        assert res.lower == res.upper == pytest.approx(ref, rel=1e-12)
    t = fm._terms(p, q)
    assert fm._variational(t) == pytest.approx(ref, rel=1e-12)
    assert fm._goldberger(t) == pytest.approx(ref, rel=1e-12)
    assert fm._variational_upper(t) == pytest.approx(ref, rel=1e-12)
    lo, up = fm._durrieu(t)
    assert lo <= ref <= up
    # the product approximation of two single Gaussians: log N(0; 0, 2 S_p) / N(m_p; m_q, S_p+S_q)
    from scipy.stats import multivariate_normal as mvn

    Sp, Sq = p.full_covariances()[0], q.full_covariances()[0]
    want = (mvn(np.zeros(d), 2 * Sp).logpdf(np.zeros(d))
            - mvn(q.means[0], Sp + Sq).logpdf(p.means[0]))
    assert fm.kl_divergence_mixture(p, q, method="product").estimate == pytest.approx(want,
                                                                                      rel=1e-12)


def test_variational_is_computed_in_the_log_domain():
    # components 60 sd apart: e^-D underflows in a direct evaluation; the log domain does not
    p = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0, 0.0], [60.0, 0.0]],
                               covariances=[1.0, 1.0], covariance_type="spherical")
    q = fm.as_gaussian_mixture(weights=[1.0], means=[[1000.0, 0.0]], covariances=[1.0],
                               covariance_type="spherical")
    for m in _ANALYTIC:
        res = fm.kl_divergence_mixture(p, q, method=m)
        assert all(math.isfinite(v) for v in (res.estimate, res.lower, res.upper)), (m, res)
        assert res.lower <= res.estimate <= res.upper or m in ("product", "goldberger")
    # q is one Gaussian: KL(p||q) = -H(p) - E_p log q, with E_p log q exact
    exact_cross = -np.log(2 * np.pi) - 0.5 * (np.mean([1000.0**2, 940.0**2]) + 2.0)
    b = fm.kl_divergence_mixture(p, q, method="bounds")
    # H(p) of two separated unit Gaussians = log 2 + log(2 pi e) (to e^-900)
    truth = -(np.log(2) + np.log(2 * np.pi * np.e)) - exact_cross
    assert b.lower <= truth * (1 + 1e-12) and truth <= b.upper * (1 + 1e-12)
    # separated components: the variational approximation is exact (to e^-900)
    assert b.estimate == pytest.approx(truth, rel=1e-12)
    assert fm.kl_divergence_mixture(p, q, method="variational").estimate == b.estimate


def test_bounds_in_another_base_and_below_one(rng):
    p = _random_mixture(rng, 3, 2)
    q = _random_mixture(rng, 2, 2)
    nats = fm.kl_divergence_mixture(p, q, method="bounds")
    bits = fm.kl_divergence_mixture(p, q, method="bounds", base=2)
    assert bits.lower == pytest.approx(nats.lower / math.log(2), rel=1e-14)
    assert bits.upper == pytest.approx(nats.upper / math.log(2), rel=1e-14)
    neg = fm.kl_divergence_mixture(p, q, method="bounds", base=0.5)
    assert neg.lower <= neg.estimate <= neg.upper
    assert neg.lower == pytest.approx(-bits.upper, rel=1e-14)


# -------------------------------------------------------------------------------- tol=
def test_tol_keeps_sampling_until_the_stderr_is_below_it(rng):
    p = _random_mixture(rng, 3, 2)
    q = _random_mixture(rng, 3, 2)
    first = fm.kl_divergence_mixture(p, q, method="mc", n_samples=2000, random_state=4)
    tol = first.stderr / 5  # needs ~25x the samples: 5 doublings
    got = fm.kl_divergence_mixture(p, q, method="mc", n_samples=2000, random_state=4, tol=tol)
    assert got.stderr <= tol
    assert got.n_samples == first.n_samples * 2 ** round(math.log2(got.n_samples /
                                                                   first.n_samples))
    assert got.n_samples >= 16 * first.n_samples
    assert abs(got.estimate - first.estimate) < 4 * first.stderr
    # a tolerance already met: the plain call's result
    assert fm.kl_divergence_mixture(p, q, method="mc", n_samples=2000, random_state=4,
                                    tol=first.stderr * 2) == first
    again = fm.kl_divergence_mixture(p, q, method="mc", n_samples=2000, random_state=4, tol=tol,
                                     n_jobs=2)
    assert again == got
    # a mixture against itself has stderr 0 at once
    same = fm.kl_divergence_mixture(p, p, method="mc", n_samples=100, random_state=1, tol=1e-9)
    plain = fm.kl_divergence_mixture(p, p, method="mc", n_samples=100, random_state=1)
    assert same == plain and same.stderr == 0.0


def test_tol_rounds_are_independent_draws():
    # the rounds' keys differ (fresh streams), so the merged estimate's spread over seeds
    # matches its reported stderr
    r = np.random.default_rng(5)
    p = _random_mixture(r, 2, 2)
    q = _random_mixture(r, 2, 2)
    first = fm.kl_divergence_mixture(p, q, method="mc", n_samples=200, random_state=0)
    runs = [fm.kl_divergence_mixture(p, q, method="mc", n_samples=200, random_state=s,
                                     tol=first.stderr / 3) for s in range(150)]
    est = np.array([x.estimate for x in runs])
    se = np.array([x.stderr for x in runs])
    ratio = est.std(ddof=1) / np.sqrt(np.mean(se**2))
    assert 0.8 < ratio < 1.2, ratio


def test_tol_out_of_reach_warns_and_returns(monkeypatch, rng):
    monkeypatch.setattr(fm, "_MC_MAX_TOTAL", 4000)
    p = _random_mixture(rng, 2, 2)
    q = _random_mixture(rng, 2, 2)
    with pytest.warns(RuntimeWarning, match="^tol=1e-09 was not reached"):
        res = fm.kl_divergence_mixture(p, q, method="mc", n_samples=1000, random_state=0,
                                       tol=1e-9)
    assert res.n_samples == 4000 and res.stderr > 1e-9


# ------------------------------------------------------------------------------- batches
def test_batch_pair_results_do_not_depend_on_the_rest_of_the_batch(rng):
    ms = [_random_mixture(rng, int(k), 2) for k in (2, 3, 1, 4, 2)]
    P, Q = ms[:4], ms[1:]
    full = fm.kl_divergence_mixture_batch(P, Q, method="mc", n_samples=3000, random_state=9)
    assert full.estimate.shape == (4,) and full.n_samples.dtype == np.int64
    for i in range(4):
        # pair i in a batch where it sits at index i among other pairs: the same result
        others = [_random_mixture(rng, 3, 2) for _ in range(i)]
        part = fm.kl_divergence_mixture_batch(others + [P[i]], others[::-1] + [Q[i]],
                                              method="mc", n_samples=3000, random_state=9)
        assert part.estimate[i] == full.estimate[i] and part.stderr[i] == full.stderr[i]
    single = fm.kl_divergence_mixture(P[0], Q[0], method="mc", n_samples=3000, random_state=9)
    assert (full.estimate[0], full.stderr[0], full.n_samples[0]) == (
        single.estimate, single.stderr, single.n_samples)
    assert np.isnan(full.lower).all() and np.isnan(full.upper).all()
    assert (full.method == "mc").all()
    assert len(set(full.estimate.tolist())) == 4


def test_batch_cartesian_and_methods(rng):
    P = [_random_mixture(rng, 2, 1), _random_mixture(rng, 3, 1)]
    Q = [_random_mixture(rng, 1, 1), _random_mixture(rng, 2, 1), _random_mixture(rng, 4, 1)]
    res = fm.kl_divergence_mixture_batch(P, Q, pairs="cartesian")
    assert res.estimate.shape == (2, 3) and (res.method == "quad").all()
    for i in range(2):
        for j in range(3):
            assert res.estimate[i, j] == fm.kl_divergence_mixture(P[i], Q[j]).estimate
    b = fm.kl_divergence_mixture_batch(P, Q, pairs="cartesian", method="bounds", base=2)
    for i in range(2):
        for j in range(3):
            one = fm.kl_divergence_mixture(P[i], Q[j], method="bounds", base=2)
            assert (b.estimate[i, j], b.lower[i, j], b.upper[i, j]) == (one.estimate, one.lower,
                                                                         one.upper)
            assert np.isnan(b.stderr[i, j])
    tol = fm.kl_divergence_mixture_batch(P[:1], Q[1:2], method="mc", n_samples=500, tol=1e-3,
                                         random_state=3)
    assert tol.stderr[0] <= 1e-3 and tol.n_samples[0] > 500
    empty = fm.kl_divergence_mixture_batch([], [])
    assert empty.estimate.shape == (0,)
    mixed = fm.kl_divergence_mixture_batch([P[0], _random_mixture(rng, 1, 2)],
                                           [Q[1], _random_mixture(rng, 1, 2)])
    assert mixed.method.tolist() == ["quad", "closed_form"]


@pytest.mark.parametrize("n_jobs", [1, 2, None])
def test_batch_does_not_depend_on_n_jobs(rng, n_jobs):
    P = [_random_mixture(rng, 8, 2) for _ in range(3)]
    Q = [_random_mixture(rng, 8, 2) for _ in range(3)]
    ref = fm.kl_divergence_mixture_batch(P, Q, n_samples=20000, random_state=2, n_jobs=1)
    got = fm.kl_divergence_mixture_batch(P, Q, n_samples=20000, random_state=2, n_jobs=n_jobs)
    for a, b in zip(ref, got):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_batch_bad_arguments(rng):
    p1 = _random_mixture(rng, 2, 1)
    p2 = _random_mixture(rng, 2, 2)
    with pytest.raises(ValueError, match="^Q must hold as many mixtures as P"):
        fm.kl_divergence_mixture_batch([p1, p1], [p1])
    with pytest.raises(ValueError, match=r"^Q\[0\] must have the same dimension as P\[1\]"):
        fm.kl_divergence_mixture_batch([p1, p2], [p1], pairs="cartesian")
    with pytest.raises(TypeError, match="^P must be a sequence of mixtures"):
        fm.kl_divergence_mixture_batch(p1, [p1])
    with pytest.raises(TypeError, match="^Q must be a sequence of mixtures"):
        fm.kl_divergence_mixture_batch([p1], 3)
    with pytest.raises(TypeError, match=r"^P\[1\]: obj must"):
        fm.kl_divergence_mixture_batch([p1, "x"], [p1, p1])
    with pytest.raises(ValueError, match="^pairs="):
        fm.kl_divergence_mixture_batch([p1], [p1], pairs="outer")
    with pytest.raises(ValueError, match="^method='quad' needs 1-D"):
        fm.kl_divergence_mixture_batch([p2], [p2], method="quad")
    with pytest.raises(ValueError, match="^tol must be"):
        fm.kl_divergence_mixture_batch([p2], [p2], tol=-1.0)


def test_zero_weight_components_are_ignored_by_every_method(rng):
    for d in (1, 2):
        p = _random_mixture(rng, 2, d)
        q = _random_mixture(rng, 3, d)
        padded = fm.as_gaussian_mixture(
            weights=np.append(p.weights, 0.0), means=np.vstack([p.means, np.full((1, d), 9.0)]),
            covariances=np.concatenate([p.covariances, 1e-3 * np.eye(d)[None]]),
        )
        methods = [*_ANALYTIC, "mc", "rqmc", "unscented"] + (["quad"] if d == 1 else [])
        for m in methods:
            a = fm.kl_divergence_mixture(p, q, method=m, n_samples=1000, random_state=0)
            b = fm.kl_divergence_mixture(padded, q, method=m, n_samples=1000, random_state=0)
            c = fm.kl_divergence_mixture(q, padded, method=m, n_samples=1000, random_state=0)
            e = fm.kl_divergence_mixture(q, p, method=m, n_samples=1000, random_state=0)
            assert a == b and c == e, m
        kw = {"method": "mc", "antithetic": True, "n_samples": 1000, "random_state": 0}
        assert fm.kl_divergence_mixture(p, q, **kw) == fm.kl_divergence_mixture(padded, q, **kw)


def test_durrieu_bounds_average_the_variational_and_product_approximations(rng):
    # Durrieu, Thiran and Kelly (2012): the mean of their lower and upper bounds is the mean of
    # Hershey and Olsen's variational and product approximations (the entropy terms cancel)
    for d in (1, 3):
        p = _random_mixture(rng, 4, d)
        q = _random_mixture(rng, 3, d)
        t = fm._terms(p, q)
        lo, up = fm._durrieu(t)
        assert 0.5 * (lo + up) == pytest.approx(0.5 * (fm._variational(t) + fm._product(t)),
                                                rel=1e-12, abs=1e-12)
        assert lo <= fm._variational(t) <= up and lo <= fm._product(t) <= up


def test_quad_refuses_components_it_cannot_resolve_and_handles_extreme_variances():
    q = fm.as_gaussian_mixture(weights=[1.0], means=[[0.0]], covariances=[1.0],
                               covariance_type="spherical")
    far = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[1e300], [-1e300]],
                                 covariances=[1.0, 1.0], covariance_type="spherical")
    with pytest.raises(ValueError, match="^p and q: .*use method='mc'"):
        fm.kl_divergence_mixture(far, q, method="quad")
    spike = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0], [1.0]],
                                   covariances=[1e-300, 1e300], covariance_type="spherical")
    with pytest.raises(ValueError, match="^p and q: .*use method='mc'"):
        fm.kl_divergence_mixture(spike, q, method="quad")
    # variances 1e-300 and 1e300 against N(0, 1): KL = E_p x^2 / 2 + O(log 1e300) = 2.5e299
    wide = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0], [0.0]],
                                  covariances=[1e-300, 1e300], covariance_type="spherical")
    got = fm.kl_divergence_mixture(wide, q, method="quad").estimate
    assert got == pytest.approx(0.25e300, rel=1e-9)


def test_quad_warns_when_it_stops_short_of_its_tolerance(monkeypatch, rng):
    monkeypatch.setattr(fm, "_QUAD_MAX_INTERVALS", 1)
    monkeypatch.setattr(fm, "_QUAD_T", np.array([0.0, 39.0]))  # coarse first intervals
    p = _random_mixture(rng, 3, 1)
    q = _random_mixture(rng, 2, 1)
    with pytest.warns(RuntimeWarning, match="^method='quad' did not reach its tolerance"):
        fm.kl_divergence_mixture(p, q, method="quad")


# ------------------------------------------------- samplers: antithetic, rqmc, unscented
def _mp_ndtri(u):
    with mpmath.workdps(50):
        return float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(u) - 1))


def test_ndtri_against_mpmath_and_the_clip_at_zero_and_one():
    ker, tw = pair("mixture")
    lo = 2.0**-53
    u = np.concatenate([
        [lo, 1 - lo, 0.5, 0.5 - 2**-40, 0.5 + 2**-40, 1e-300, 2**-30, 1 - 2**-30],
        np.linspace(0.001, 0.999, 97), np.logspace(-15.9, -1, 40), 1 - np.logspace(-15, -1, 40),
    ])
    ref = np.array([_mp_ndtri(x) for x in np.clip(u, lo, 1 - lo)])
    for mod in (ker, tw):
        out = np.empty_like(u)
        mod.ndtri(u, out)
        err = np.abs(out - ref) / np.maximum(1.0, np.abs(ref))
        assert err.max() < 2e-15, (mod, float(err.max()), u[np.argmax(err)])
        # 0 and 1 (a scrambled Sobol coordinate can be exactly 0) and NaN map to the clip
        edge = np.array([0.0, 1.0, -1.0, 2.0, np.nan])
        got = np.empty(5)
        mod.ndtri(edge, got)
        z = _mp_ndtri(lo)
        np.testing.assert_allclose(got, [z, -z, z, -z, z], rtol=2e-15)


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 700), st.integers(0, 2**32))
def test_sampler_kernels_vs_twin(k, d, n, seed):
    ker, tw = pair("mixture")
    r = np.random.default_rng(seed)
    p = _random_mixture(r, k, d)
    q = _random_mixture(r, k + 1, d, "diag")
    w, plogc, pmu, pchol = p._kernel_args()
    _, qlogc, qmu, qchol = q._kernel_args()
    pairs = np.maximum(fm._allocate(w, n // 2), 2)
    ma, m2a, mb, m2b = (np.zeros(k) for _ in range(4))
    ker.kl_mc_pairs(pairs, 7, seed & 0xFFFFFFFF, plogc, pmu, pchol, qlogc, qmu, qchol, ma, m2a,
                    2)
    tw.kl_mc_pairs(pairs, 7, seed & 0xFFFFFFFF, plogc, pmu, pchol, qlogc, qmu, qchol, mb, m2b,
                   1)
    np.testing.assert_allclose(ma, mb, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(m2a, m2b, rtol=1e-11, atol=1e-11)
    counts = np.maximum(fm._allocate(w, n), 1)
    comp = r.integers(0, k, size=k).astype(np.int64)
    u = r.random((int(counts.sum()), d))
    u[r.random(u.shape) < 0.05] = 0.0  # exact zeros, as a scrambled Sobol point can have
    sa, sb = np.zeros(k), np.zeros(k)
    ker.kl_qmc(u, counts, comp, plogc, pmu, pchol, qlogc, qmu, qchol, sa, 2)
    tw.kl_qmc(u, counts, comp, plogc, pmu, pchol, qlogc, qmu, qchol, sb, 1)
    assert np.isfinite(sa).all()
    np.testing.assert_allclose(sa, sb, rtol=1e-11, atol=1e-11)


def test_antithetic_pairs_are_reflections_of_the_mc_samples(rng):
    # pair g of component k uses the normals of mc's sample g: with a single component, the
    # pair means are the means of f at mu + L z and mu - L z for sample(p)'s z
    ker, tw = pair("mixture")
    p = fm.as_gaussian_mixture(weights=[1.0], means=[[0.5, -1.0]],
                               covariances=[[[2.0, 0.3], [0.3, 0.5]]])
    q = _random_mixture(rng, 3, 2)
    _, plogc, pmu, pchol = p._kernel_args()
    _, qlogc, qmu, qchol = q._kernel_args()
    key = (11, 12)
    x = np.empty((300, 2))
    tw.sample(np.array([300]), pmu, pchol, *key, x, 1)
    xr = 2 * pmu[0] - x
    f = 0.5 * ((fm.log_density(p, x) - fm.log_density(q, x))
               + (fm.log_density(p, xr) - fm.log_density(q, xr)))
    for mod in (ker, tw):
        mean, m2 = np.zeros(1), np.zeros(1)
        mod.kl_mc_pairs(np.array([300]), *key, plogc, pmu, pchol, qlogc, qmu, qchol, mean, m2,
                        1)
        assert mean[0] == pytest.approx(f.mean(), rel=1e-12, abs=1e-12)
        assert m2[0] == pytest.approx(np.sum((f - f.mean()) ** 2), rel=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_rqmc_and_antithetic_within_four_stderr_of_quadrature_1d(seed):
    r = np.random.default_rng(100 + seed)
    p = _random_mixture(r, int(r.integers(2, 5)), 1, spread=1.5)
    q = _random_mixture(r, int(r.integers(1, 4)), 1, spread=1.5)
    ref = fm.kl_divergence_mixture(p, q, method="quad").estimate
    for kw in ({"method": "rqmc"}, {"method": "rqmc", "n_randomizations": 5},
               {"method": "mc", "antithetic": True}):
        res = fm.kl_divergence_mixture(p, q, n_samples=20000, random_state=seed, **kw)
        assert res.method == kw["method"] and res.stderr > 0
        assert abs(res.estimate - ref) < 4 * res.stderr, (kw, res, ref)
    # rqmc's standard error is far below mc's at the same budget
    mc = fm.kl_divergence_mixture(p, q, method="mc", n_samples=20000, random_state=seed)
    rq = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=20000, random_state=seed)
    assert rq.stderr < mc.stderr / 5


@pytest.mark.parametrize("kw", [{"method": "rqmc"}, {"method": "mc", "antithetic": True}])
def test_new_samplers_stderr_matches_the_spread_over_seeds(kw):
    r = np.random.default_rng(12)
    p = _random_mixture(r, 3, 2)
    q = _random_mixture(r, 4, 2)
    runs = [fm.kl_divergence_mixture(p, q, n_samples=2000, random_state=s, **kw)
            for s in range(40)]
    est = np.array([x.estimate for x in runs])
    se = np.array([x.stderr for x in runs])
    ratio = est.std(ddof=1) / np.sqrt(np.mean(se**2))
    # 40 seeds: the sample standard deviation is within ~11% (1 sd) of the truth; 3 sd
    assert 0.65 < ratio < 1.35, ratio
    assert len(set(est.tolist())) == 40  # the seeds do change the draws


def test_rqmc_counts_and_n_samples(rng):
    p = fm.as_gaussian_mixture(weights=[0.7, 0.299, 0.001], means=[[0.0], [3.0], [-2.0]],
                               covariances=[1.0, 0.5, 2.0], covariance_type="spherical")
    q = _random_mixture(rng, 2, 1)
    res = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=16000, random_state=0)
    # per randomisation: 700 -> 512, 299 -> 256, 1 -> 2
    assert res.n_samples == 16 * (512 + 256 + 2)
    res = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=16000, n_randomizations=4,
                                   random_state=0)
    assert res.n_samples == 4 * (2048 + 1024 + 4)  # 2800, 1196, 4
    assert fm._rqmc_counts(np.array([0.5, 0.5]), 1.0).tolist() == [2, 2]
    assert fm._rqmc_counts(np.array([1.0]), 1448.0).tolist() == [1024]  # 2**10.5 = 1448.2
    assert fm._rqmc_counts(np.array([1.0]), 1449.0).tolist() == [2048]


def test_rqmc_tol_grows_the_points_until_the_stderr_is_below_it(rng):
    p = _random_mixture(rng, 3, 2)
    q = _random_mixture(rng, 3, 2)
    first = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=512, random_state=4)
    tol = first.stderr / 20
    got = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=512, random_state=4, tol=tol)
    assert got.stderr <= tol and got.n_samples > first.n_samples
    ratio = got.n_samples / first.n_samples
    assert ratio == 2 ** round(math.log2(ratio))
    assert abs(got.estimate - first.estimate) < 4 * first.stderr
    assert fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=512, random_state=4,
                                    tol=first.stderr * 2) == first
    assert fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=512, random_state=4,
                                    tol=tol, n_jobs=2) == got
    anti = fm.kl_divergence_mixture(p, q, method="mc", antithetic=True, n_samples=512,
                                    random_state=4, tol=first.stderr)
    assert anti.stderr <= first.stderr and anti.n_samples > 512


def test_sampler_tol_out_of_reach_warns_and_returns(monkeypatch, rng):
    monkeypatch.setattr(fm, "_MC_MAX_TOTAL", 4000)
    p = _random_mixture(rng, 2, 2)
    q = _random_mixture(rng, 2, 2)
    with pytest.warns(RuntimeWarning, match="^tol=1e-12 was not reached"):
        res = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=500, random_state=0,
                                       tol=1e-12)
    assert res.stderr > 1e-12 and res.n_samples <= 4000
    with pytest.warns(RuntimeWarning, match="^tol=1e-12 was not reached"):
        res = fm.kl_divergence_mixture(p, q, method="mc", antithetic=True, n_samples=500,
                                       random_state=0, tol=1e-12)
    assert 2000 <= res.n_samples <= 4000 and res.stderr > 1e-12  # the doublings of ~500


def test_samplers_of_a_mixture_against_itself_give_zero(rng):
    p = _random_mixture(rng, 4, 3)
    for kw in ({"method": "rqmc"}, {"method": "mc", "antithetic": True},
               {"method": "unscented"}):
        res = fm.kl_divergence_mixture(p, p, n_samples=3000, random_state=1, **kw)
        assert res.estimate == 0.0 and res.stderr in (0.0, None), kw


@pytest.mark.parametrize("d", [1, 2, 4])
def test_unscented_is_exact_for_single_gaussians(rng, d):
    p = _random_mixture(rng, 1, d)
    q = _random_mixture(rng, 1, d)
    exact = fm.kl_divergence_gaussian(p.means[0], p.full_covariances()[0], q.means[0],
                                      q.full_covariances()[0])
    res = fm.kl_divergence_mixture(p, q, method="unscented")
    assert res.method == "unscented" and res.stderr is None and res.n_samples == 0
    assert res.estimate == pytest.approx(exact, rel=1e-11, abs=1e-12)
    assert res.lower == pytest.approx(exact) and res.upper == pytest.approx(exact)


def test_unscented_formula_and_its_bias_on_mixtures(rng):
    # the sigma-point formula written out, and a mixture pair where it is biased: the
    # long-run rqmc value is many standard errors away from it
    p = _random_mixture(rng, 3, 2)
    q = _random_mixture(rng, 4, 2)
    d = 2
    total = 0.0
    for a in range(3):
        L = p.cholesky[a]
        pts = np.array([p.means[a] + s * math.sqrt(d) * L[:, k] for s in (1, -1)
                        for k in range(d)])
        f = fm.log_density(p, pts) - fm.log_density(q, pts)
        total += p.weights[a] * f.mean()
    res = fm.kl_divergence_mixture(p, q, method="unscented", base=2)
    assert res.estimate == pytest.approx(total / math.log(2), rel=1e-12)
    b = fm.kl_divergence_mixture(p, q, method="bounds", base=2)
    assert (res.lower, res.upper) == (b.lower, b.upper)
    truth = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=2**17, random_state=0)
    assert abs(total - truth.estimate) > 10 * truth.stderr


def test_auto_picks_rqmc_in_two_or_more_dimensions(rng):
    p = _random_mixture(rng, 3, 2)
    q = _random_mixture(rng, 2, 2)
    auto = fm.kl_divergence_mixture(p, q, n_samples=4000, random_state=3)
    assert auto.method == "rqmc"
    assert auto == fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=4000,
                                            random_state=3)
    assert fm._auto_method(_random_mixture(rng, 2, 65), _random_mixture(rng, 2, 65)) == "mc"


def test_batch_with_the_new_samplers(rng):
    P = [_random_mixture(rng, int(k), 2) for k in (2, 3, 1)]
    Q = [_random_mixture(rng, int(k), 2) for k in (3, 1, 2)]
    for kw in ({"method": "rqmc", "n_randomizations": 8}, {"method": "mc", "antithetic": True},
               {"method": "unscented"}):
        full = fm.kl_divergence_mixture_batch(P, Q, n_samples=3000, random_state=9, **kw)
        assert (full.method == kw["method"]).all()
        for i in range(3):
            one = fm.kl_divergence_mixture_batch(P[: i + 1], Q[: i + 1], n_samples=3000,
                                                 random_state=9, **kw)
            assert one.estimate[i] == full.estimate[i]
        single = fm.kl_divergence_mixture(P[0], Q[0], n_samples=3000, random_state=9, **kw)
        assert full.estimate[0] == single.estimate
        assert (np.nan_to_num(full.stderr[0], nan=-1.0)
                == (-1.0 if single.stderr is None else single.stderr))
        for nj in (2, None):
            again = fm.kl_divergence_mixture_batch(P, Q, n_samples=3000, random_state=9,
                                                   n_jobs=nj, **kw)
            for a, b in zip(full, again):
                assert a.tobytes() == b.tobytes()


def test_sampler_bad_arguments(rng):
    p = _random_mixture(rng, 2, 2)
    with pytest.raises(TypeError, match="^antithetic must be True or False"):
        fm.kl_divergence_mixture(p, p, method="mc", antithetic=1)
    with pytest.raises(TypeError, match="^antithetic must be True or False"):
        fm.kl_divergence_mixture_batch([p], [p], method="mc", antithetic="yes")
    with pytest.raises(ValueError, match="^antithetic=True needs method='mc'"):
        fm.kl_divergence_mixture(p, p, method="rqmc", antithetic=True)
    with pytest.raises(ValueError, match="^n_randomizations must be at least 2"):
        fm.kl_divergence_mixture(p, p, method="rqmc", n_randomizations=1)
    with pytest.raises(TypeError, match="^n_randomizations must be an int"):
        fm.kl_divergence_mixture(p, p, method="rqmc", n_randomizations=16.0)
    with pytest.raises(TypeError, match="^n_randomizations must be an int"):
        fm.kl_divergence_mixture_batch([p], [p], n_randomizations=True)
    with pytest.raises(ValueError, match="^n_samples must be at least 2"):
        fm.kl_divergence_mixture(p, p, method="rqmc", n_samples=1)
    with pytest.raises(ValueError, match="^method="):
        fm.kl_divergence_mixture(p, p, method="sobol")
    with pytest.raises(ValueError, match="^tol must be a positive"):
        fm.kl_divergence_mixture(p, p, method="rqmc", tol=-1.0)
    with pytest.raises(ValueError, match="^n_samples=.* is too large for method='rqmc'"):
        fm.kl_divergence_mixture(p, p, method="rqmc", n_samples=2**40)
    with pytest.raises(ValueError, match="^n_randomizations must be at most 65536"):
        fm.kl_divergence_mixture(p, p, method="rqmc", n_randomizations=65537)


def test_ndtri_table_is_the_chebyshev_fit_of_the_normal_quantile():
    # how the table was made: on each piece [a, b] of t = sqrt(-2 log p), the degree-13
    # least-squares Chebyshev fit (78 Chebyshev nodes) of z(t) = Phi^-1(exp(-t^2 / 2))
    from numpy.polynomial import chebyshev

    from fastentropy._twins import mixture as tw

    edges, coef = tw._ND_EDGES, tw._ND_COEF
    assert edges[0] == float(mpmath.sqrt(2 * mpmath.log(2)))  # p = 1/2
    assert edges[-1] > math.sqrt(-2 * math.log(2.0**-53))  # covers the clip
    deg = coef.shape[1] - 1
    n = 6 * deg
    x = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    with mpmath.workdps(40):
        for j in range(coef.shape[0]):
            a, b = edges[j], edges[j + 1]
            t = 0.5 * (a + b) + 0.5 * (b - a) * x
            z = [float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.exp(-mpmath.mpf(v) ** 2 / 2)
                                                      - 1)) for v in t]
            np.testing.assert_allclose(chebyshev.chebfit(x, z, deg), coef[j], rtol=0,
                                       atol=1e-15)


def test_rqmc_tol_results_have_honest_standard_errors():
    # the tol rounds' stopping rule does not make the reported stderr optimistic: over seeds,
    # the spread of the final estimates matches the reported stderr
    r = np.random.default_rng(5)
    p = _random_mixture(r, 3, 2)
    q = _random_mixture(r, 3, 2)
    first = fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=256, random_state=0)
    tol = first.stderr / 30
    runs = [fm.kl_divergence_mixture(p, q, method="rqmc", n_samples=256, random_state=s, tol=tol)
            for s in range(100)]
    est = np.array([x.estimate for x in runs])
    se = np.array([x.stderr for x in runs])
    assert (se <= tol).all()
    ratio = est.std(ddof=1) / np.sqrt(np.mean(se**2))
    assert 0.7 < ratio < 1.35, ratio  # 100 seeds: ~7% (1 sd) of sampling error in the ratio


@given(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(0, 600)),
                min_size=1, max_size=4), st.integers(1, 4), st.integers(0, 2**32))
def test_fused_batch_kernel_is_kl_mc_per_pair(shapes, d, seed):
    ker, tw = pair("mixture")
    r = np.random.default_rng(seed)
    ps = [_random_mixture(r, kp, d) for kp, _, _ in shapes]
    qs = [_random_mixture(r, kq, d, "diag") for _, kq, _ in shapes]
    pa = [p._kernel_args() for p in ps]
    qa = [q._kernel_args() for q in qs]
    counts = [np.maximum(fm._allocate(a[0], n), 2) for a, (_, _, n) in zip(pa, shapes)]
    keys = r.integers(0, 2**32, size=(len(ps), 2), dtype=np.uint32)
    p_off = np.concatenate([[0], np.cumsum([a[0].size for a in pa])]).astype(np.int64)
    q_off = np.concatenate([[0], np.cumsum([a[0].size for a in qa])]).astype(np.int64)
    args = [np.ascontiguousarray(np.concatenate([a[j] for a in arrs]))
            for arrs in (pa, qa) for j in (1, 2, 3)]
    out = {}
    for name, mod in (("kernel", ker), ("twin", tw)):
        mean, m2 = np.zeros(p_off[-1]), np.zeros(p_off[-1])
        mod.kl_mc_batch(np.concatenate(counts), p_off, q_off, keys, *args, mean, m2, 2)
        out[name] = (mean, m2)
    for t in range(len(ps)):
        a, b = p_off[t], p_off[t + 1]
        mean, m2 = np.zeros(b - a), np.zeros(b - a)
        ker.kl_mc(counts[t], int(keys[t, 0]), int(keys[t, 1]), *pa[t][1:], *qa[t][1:], mean, m2,
                  1)
        # the fused loop is the pair's own kl_mc, bit for bit
        assert out["kernel"][0][a:b].tobytes() == mean.tobytes()
        assert out["kernel"][1][a:b].tobytes() == m2.tobytes()
    np.testing.assert_allclose(out["kernel"][0], out["twin"][0], rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(out["kernel"][1], out["twin"][1], rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("n_jobs", [1, 2, None])
def test_fused_mc_batch_equals_the_single_calls_and_ignores_n_jobs(rng, n_jobs):
    P = [_random_mixture(rng, 8, 2), _random_mixture(rng, 3, 3), _random_mixture(rng, 1, 2),
         _random_mixture(rng, 5, 3)]
    Q = [_random_mixture(rng, 4, 2), _random_mixture(rng, 8, 3), _random_mixture(rng, 2, 2),
         _random_mixture(rng, 1, 3)]
    got = fm.kl_divergence_mixture_batch(P, Q, method="mc", n_samples=20000, random_state=4,
                                         n_jobs=n_jobs)
    assert (got.method == "mc").all()
    one = fm.kl_divergence_mixture(P[0], Q[0], method="mc", n_samples=20000, random_state=4)
    assert (got.estimate[0], got.stderr[0], got.n_samples[0]) == (
        one.estimate, one.stderr, one.n_samples)
    ss = np.random.SeedSequence(4)
    for k in range(4):  # pair k: the per-pair route with pair k's stream, bit for bit
        e, s_, _, _, n, name = fm._kl_pair(P[k], Q[k], "mc", 20000, None, ss, k, 1)
        assert (got.estimate[k], got.stderr[k], got.n_samples[k], got.method[k]) == (
            e, s_, n, name)
    ref = fm.kl_divergence_mixture_batch(P, Q, method="mc", n_samples=20000, random_state=4,
                                         n_jobs=1)
    for a, b in zip(ref, got):
        assert a.tobytes() == b.tobytes()
    cart = fm.kl_divergence_mixture_batch(P[:1] + P[2:3], Q[:1] + Q[2:3], pairs="cartesian",
                                          method="mc", n_samples=5000, random_state=1,
                                          n_jobs=n_jobs)
    assert cart.estimate.shape == (2, 2) and np.isfinite(cart.stderr).all()
    e = fm._kl_pair(P[2], Q[0], "mc", 5000, None, np.random.SeedSequence(1), 2, 1)[0]
    assert cart.estimate[1, 0] == e
