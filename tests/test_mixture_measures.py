"""The wider mixture family (fastentropy/mixture_measures.py): entropy, cross-entropy, JS,
Jeffreys, f-divergences, Cauchy-Schwarz and Renyi-2, against scipy.integrate / mpmath references
in 1-D, closed forms for single Gaussians, Monte Carlo within 4 standard errors, bounds that
bracket the truth, zero for a permuted copy, bad input, compiled against twin, n_jobs."""
import math
import warnings

import numpy as np
import pytest
from _kernel_pairs import pair
from scipy import integrate
from scipy.stats import multivariate_normal

import fastentropy as fe
from fastentropy import mixture as fm
from fastentropy import mixture_measures as mm

mpmath = pytest.importorskip("mpmath")

LOG2 = math.log(2.0)
F_CASES = [("hellinger", None), ("total_variation", None), ("chi2", None), ("reverse_kl", None),
           ("alpha", 0.3), ("alpha", 0.8), ("alpha", 1.5), ("alpha", -0.5), ("alpha", 0.0),
           ("alpha", 1.0)]


def _rng(seed):
    return np.random.default_rng([20261201, seed])


def _mix(rng, k, d, ctype="full", spread=1.5):
    w = rng.dirichlet(np.ones(k))
    mu = rng.normal(size=(k, d)) * spread
    if ctype == "full":
        a = rng.normal(size=(k, d, d))
        cov = a @ np.swapaxes(a, -1, -2) / d + 0.4 * np.eye(d)
    elif ctype == "diag":
        cov = rng.uniform(0.4, 2.0, size=(k, d))
    else:  # variances within a factor 2: chi2 and the alpha-divergences stay finite
        cov = rng.uniform(0.6, 1.1, size=k)
    return fm.as_gaussian_mixture(weights=w, means=mu, covariances=cov, covariance_type=ctype)


def _logpdf1(gm):
    lw, mu = np.log(gm.weights), gm.means[:, 0]
    sd = np.sqrt(gm.full_covariances()[:, 0, 0])

    def f(x):
        z = (x - mu) / sd
        return float(np.logaddexp.reduce(lw - 0.5 * z * z - np.log(sd * math.sqrt(2 * math.pi))))

    return f


def _pdf1(gm):
    lf = _logpdf1(gm)
    return lambda x: math.exp(lf(x))


def _ref1(gp, gq, kind, alpha=None):
    """scipy.integrate.quad of the defining integral over the mixtures' mass (1-D)."""
    P, Q = _pdf1(gp), _pdf1(gq) if gq is not None else None
    mus = np.concatenate([g.means[:, 0] for g in (gp, gq) if g is not None])
    sds = np.sqrt(np.concatenate([g.full_covariances()[:, 0, 0] for g in (gp, gq)
                                  if g is not None]))
    lo, hi = float((mus - 40 * sds).min()), float((mus + 40 * sds).max())
    pts = sorted(set(np.round(np.concatenate([mus, mus - sds, mus + sds]), 12)))

    LP = _logpdf1(gp)
    LQ = _logpdf1(gq) if gq is not None else None
    if kind == "entropy":
        f = lambda x: -P(x) * LP(x)
    elif kind == "cross":
        f = lambda x: -P(x) * LQ(x)
    elif kind == "js":
        def f(x):
            lp, lq = LP(x), LQ(x)
            lm = np.logaddexp(lp, lq) - LOG2
            return 0.5 * (math.exp(lp) * (lp - lm) + math.exp(lq) * (lq - lm))
    elif kind == "jeffreys":
        f = lambda x: (P(x) - Q(x)) * (LP(x) - LQ(x))
    elif kind == "hellinger":
        f = lambda x: 0.5 * (math.sqrt(P(x)) - math.sqrt(Q(x))) ** 2
    elif kind == "total_variation":
        f = lambda x: 0.5 * abs(P(x) - Q(x))
    elif kind == "chi2":
        f = lambda x: math.exp(2 * LP(x) - LQ(x)) - 2 * P(x) + Q(x)
    elif kind == "reverse_kl":
        f = lambda x: Q(x) * (LQ(x) - LP(x))
    elif kind == "alpha":
        a = alpha
        if a == 0.0:
            return _ref1(gp, gq, "reverse_kl")
        if a == 1.0:
            return _ref1(gq, gp, "reverse_kl")
        f = lambda x: (a * P(x) + (1 - a) * Q(x) - math.exp(a * LP(x) + (1 - a) * LQ(x))) / (
            a * (1 - a))
    else:
        raise AssertionError(kind)
    val, _ = integrate.quad(f, lo, hi, points=pts[:90], limit=2000, epsabs=1e-14,
                            epsrel=1e-12)
    return val


def _call(name, gp, gq, method, alpha=None, **kw):
    if name == "entropy":
        return mm.entropy_mixture(gp, method=method, **kw)
    if name == "cross":
        return mm.cross_entropy_mixture(gp, gq, method=method, **kw)
    if name == "js":
        return mm.jensen_shannon_mixture(gp, gq, method=method, **kw)
    if name == "jeffreys":
        return mm.jeffreys_divergence_mixture(gp, gq, method=method, **kw)
    return mm.f_divergence_mixture(gp, gq, divergence=name, alpha=alpha, method=method, **kw)


ALL = [("entropy", None), ("cross", None), ("js", None), ("jeffreys", None), *F_CASES]


# --------------------------------------------------------------------------- 1-D references
@pytest.mark.parametrize("name,alpha", ALL)
@pytest.mark.parametrize("seed", [0, 1])
def test_quad_matches_scipy_quad_1d(name, alpha, seed):
    rng = _rng(seed)
    gp, gq = _mix(rng, 3, 1, "spherical"), _mix(rng, 2, 1, "spherical")
    ref = _ref1(gp, gq, name, alpha)
    r = _call(name, gp, gq, "quad", alpha)
    assert r.method == "quad" and r.stderr is None and r.n_samples == 0
    assert r.estimate == pytest.approx(ref, rel=1e-9, abs=1e-12)
    # 'auto' picks quadrature in 1-D for mixtures
    assert _call(name, gp, gq, "auto", alpha).method == "quad"


def test_entropy_quad_against_mpmath():
    gm = fm.as_gaussian_mixture(weights=[0.2, 0.5, 0.3], means=[[-2.0], [0.5], [4.0]],
                                covariances=[0.3, 1.7, 0.05], covariance_type="spherical")
    mpmath.mp.dps = 30
    w = [mpmath.mpf(x) for x in gm.weights]
    mu = [mpmath.mpf(x) for x in gm.means[:, 0]]
    sd = [mpmath.sqrt(mpmath.mpf(x)) for x in gm.covariances]

    def p(x):
        return sum(wi * mpmath.npdf(x, m, s) for wi, m, s in zip(w, mu, sd))

    ref = mpmath.quad(lambda x: -p(x) * mpmath.log(p(x)), [-30, -2, 0.5, 4, 40])
    r = mm.entropy_mixture(gm, method="quad")
    assert r.estimate == pytest.approx(float(ref), rel=1e-11)
    # scale: H(a X) = H(X) + log a
    g2 = fm.as_gaussian_mixture(weights=gm.weights, means=gm.means * 1e3,
                                covariances=gm.covariances * 1e6, covariance_type="spherical")
    assert mm.entropy_mixture(g2, method="quad").estimate == pytest.approx(
        float(ref) + math.log(1e3), rel=1e-11)


@pytest.mark.parametrize("name,alpha", ALL)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mc_within_four_stderr_of_the_quadrature_1d(name, alpha, seed):
    rng = _rng(10 + seed)
    gp, gq = _mix(rng, 3, 1, "spherical"), _mix(rng, 2, 1, "spherical")
    ref = _call(name, gp, gq, "quad", alpha).estimate
    r = _call(name, gp, gq, "mc", alpha, n_samples=20_000, random_state=seed)
    assert r.method == "mc" and r.stderr > 0 and r.n_samples >= 20_000
    assert abs(r.estimate - ref) <= 4 * r.stderr, (r, ref)


# --------------------------------------------------------------------------- closed forms
def _gauss(mean, cov):
    mean = np.atleast_1d(np.asarray(mean, dtype=float))
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    return fm.as_gaussian_mixture(weights=[1.0], means=mean[None], covariances=cov[None])


def _spd(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.5 * np.eye(d)


def _bhattacharyya(m0, c0, m1, c1):
    """The textbook Bhattacharyya distance between two Gaussians."""
    c = 0.5 * (c0 + c1)
    dm = m1 - m0
    return (dm @ np.linalg.solve(c, dm) / 8 + 0.5 * (np.linalg.slogdet(c)[1] - 0.5 * (
        np.linalg.slogdet(c0)[1] + np.linalg.slogdet(c1)[1])))


@pytest.mark.parametrize("d", [1, 2, 3])
def test_single_gaussian_closed_forms(d):
    rng = _rng(40 + d)
    m0, m1 = rng.normal(size=d), rng.normal(size=d)
    c0 = _spd(rng, d)
    c1 = c0 * 1.3 + 0.2 * np.eye(d)
    gp, gq = _gauss(m0, c0), _gauss(m1, c1)
    hel = mm.f_divergence_mixture(gp, gq)
    assert hel.method == "closed_form"
    assert hel.estimate == pytest.approx(-math.expm1(-_bhattacharyya(m0, c0, m1, c1)), rel=1e-12)
    a05 = mm.f_divergence_mixture(gp, gq, divergence="alpha", alpha=0.5).estimate
    assert a05 == pytest.approx(4 * hel.estimate, rel=1e-12)
    kl_pq = fe.kl_divergence_gaussian(m0, c0, m1, c1)
    kl_qp = fe.kl_divergence_gaussian(m1, c1, m0, c0)
    assert mm.f_divergence_mixture(gp, gq, divergence="reverse_kl").estimate == kl_qp
    assert mm.f_divergence_mixture(gp, gq, divergence="alpha", alpha=0.0).estimate == kl_qp
    assert mm.f_divergence_mixture(gp, gq, divergence="alpha", alpha=1.0).estimate == kl_pq
    # the alpha family is continuous at 0 and 1
    near0 = mm.f_divergence_mixture(gp, gq, divergence="alpha", alpha=1e-7).estimate
    near1 = mm.f_divergence_mixture(gp, gq, divergence="alpha", alpha=1 - 1e-7).estimate
    assert near0 == pytest.approx(kl_qp, rel=1e-5)
    assert near1 == pytest.approx(kl_pq, rel=1e-5)
    jef = mm.jeffreys_divergence_mixture(gp, gq)
    assert jef.method == "closed_form" and jef.estimate == pytest.approx(kl_pq + kl_qp, rel=1e-14)
    h = mm.entropy_mixture(gp)
    ref_h = 0.5 * (d * math.log(2 * math.pi * math.e) + np.linalg.slogdet(c0)[1])
    assert h.method == "closed_form" and h.estimate == pytest.approx(ref_h, rel=1e-13)
    ce = mm.cross_entropy_mixture(gp, gq).estimate
    assert ce == pytest.approx(ref_h + kl_pq, rel=1e-13)
    # chi2 with equal covariances: exp(D' C^-1 D) - 1
    chi = mm.f_divergence_mixture(gp, _gauss(m1, c0), divergence="chi2").estimate
    dm = m1 - m0
    assert chi == pytest.approx(math.expm1(dm @ np.linalg.solve(c0, dm)), rel=1e-12)
    # chi2 diverges when 2 C_q - C_p is not positive definite
    narrow = mm.f_divergence_mixture(gp, _gauss(m1, 0.4 * c0), divergence="chi2").estimate
    assert narrow == math.inf


@pytest.mark.parametrize("alpha", [-0.7, 0.25, 0.5, 0.9, 2.0, 3.0])
def test_alpha_closed_form_against_mpmath_1d(alpha):
    m0, s0, m1, s1 = 0.3, 0.8, -0.6, 1.1
    mpmath.mp.dps = 30
    a = mpmath.mpf(alpha)

    def f(x):
        p = mpmath.npdf(x, m0, s0)
        q = mpmath.npdf(x, m1, s1)
        return (a * p + (1 - a) * q - p**a * q ** (1 - a)) / (a * (1 - a))

    ref = float(mpmath.quad(f, [-40, m1, m0, 40]))
    got = mm.f_divergence_mixture(_gauss(m0, s0**2), _gauss(m1, s1**2), divergence="alpha",
                                  alpha=alpha).estimate
    assert got == pytest.approx(ref, rel=1e-11)
    if alpha == 2.0:  # D_2 = chi2 / 2
        chi = mm.f_divergence_mixture(_gauss(m0, s0**2), _gauss(m1, s1**2), divergence="chi2")
        assert chi.estimate == pytest.approx(2 * ref, rel=1e-11)


@pytest.mark.parametrize("name,alpha", [("hellinger", None), ("chi2", None),
                                        ("reverse_kl", None), ("alpha", 0.3), ("alpha", 1.7)])
def test_mc_within_four_stderr_of_the_closed_form_2d(name, alpha):
    rng = _rng(60)
    m0, m1 = rng.normal(size=2), rng.normal(size=2)
    c0 = _spd(rng, 2)
    c1 = 1.2 * c0 + 0.1 * np.eye(2)
    gp, gq = _gauss(m0, c0), _gauss(m1, c1)
    ref = mm.f_divergence_mixture(gp, gq, divergence=name, alpha=alpha).estimate
    r = mm.f_divergence_mixture(gp, gq, divergence=name, alpha=alpha, method="mc",
                                n_samples=40_000, random_state=3)
    assert abs(r.estimate - ref) <= 4 * r.stderr, (r, ref)


# --------------------------------------------------------------------------- bounds
@pytest.mark.parametrize("seed", range(8))
def test_entropy_and_cross_entropy_bounds_bracket_the_truth_1d(seed):
    rng = _rng(100 + seed)
    gp, gq = _mix(rng, 1 + seed % 4, 1, "spherical"), _mix(rng, 3, 1, "spherical")
    for r, ref in ((mm.entropy_mixture(gp, method="bounds"), _ref1(gp, None, "entropy")),
                   (mm.cross_entropy_mixture(gp, gq, method="bounds"),
                    _ref1(gp, gq, "cross")),
                   (mm.jeffreys_divergence_mixture(gp, gq, method="bounds"),
                    _ref1(gp, gq, "jeffreys"))):
        assert r.lower - 1e-10 <= ref <= r.upper + 1e-10, (r, ref)
        assert r.lower <= r.estimate <= r.upper


@pytest.mark.parametrize("ctype", ["full", "diag"])
def test_bounds_bracket_a_long_monte_carlo_run_2d(ctype):
    rng = _rng(120)
    gp, gq = _mix(rng, 4, 2, ctype), _mix(rng, 3, 2, ctype)
    for name in ("entropy", "cross", "jeffreys"):
        b = _call(name, gp, gq, "bounds")
        r = _call(name, gp, gq, "mc", n_samples=200_000, random_state=5)
        assert b.lower - 4 * r.stderr <= r.estimate <= b.upper + 4 * r.stderr, (name, b, r)
        # 'auto' in 2-D is Monte Carlo with the same interval filled in
        a = _call(name, gp, gq, "auto", n_samples=200_000, random_state=5)
        assert a.method == "mc" and (a.lower, a.upper) == (b.lower, b.upper)
        assert a.estimate == r.estimate


def test_entropy_bounds_are_tight_for_separated_components_and_exact_for_one():
    gm = fm.as_gaussian_mixture(weights=[0.25, 0.75], means=[[0.0, 0.0], [80.0, 0.0]],
                                covariances=[1.0, 2.0], covariance_type="spherical")
    b = mm.entropy_mixture(gm, method="bounds")
    w = np.array([0.25, 0.75])
    exact = float(np.dot(w, [math.log(2 * math.pi * math.e * v) for v in (1.0, 2.0)])
                  - np.dot(w, np.log(w)))
    assert b.upper == pytest.approx(exact, rel=1e-12)
    assert b.lower <= exact <= b.upper
    one = _gauss([1.0, 2.0], [[2.0, 0.3], [0.3, 1.0]])
    b1 = mm.entropy_mixture(one, method="bounds")
    assert b1.lower == pytest.approx(b1.upper, rel=1e-13)
    assert b1.estimate == pytest.approx(mm.entropy_mixture(one).estimate, rel=1e-13)


def test_renyi2_below_entropy_and_closed_form():
    rng = _rng(130)
    for _ in range(5):
        gm = _mix(rng, 3, 2)
        assert mm.renyi2_entropy_mixture(gm) <= mm.entropy_mixture(gm, method="bounds").upper
        assert mm.renyi2_entropy_mixture(gm) <= mm.entropy_mixture(
            gm, method="mc", n_samples=20_000, random_state=1).estimate + 0.05
    c = np.array([[2.0, 0.3], [0.3, 1.0]])
    ref = 0.5 * 2 * math.log(4 * math.pi) + 0.5 * np.linalg.slogdet(c)[1]
    assert mm.renyi2_entropy_mixture(_gauss([1.0, 2.0], c)) == pytest.approx(ref, rel=1e-13)
    assert mm.renyi2_entropy_mixture(_gauss([1.0, 2.0], c), base=2) == pytest.approx(
        ref / LOG2, rel=1e-13)
    gp = _mix(rng, 3, 1, "spherical")
    assert mm.renyi2_entropy_mixture(gp) == pytest.approx(
        -math.log(integrate.quad(lambda x: _pdf1(gp)(x) ** 2, -40, 40, limit=500)[0]),
        rel=1e-10)


# --------------------------------------------------------------------------- Cauchy-Schwarz
def test_cauchy_schwarz_against_quadrature_and_closed_form():
    rng = _rng(140)
    gp, gq = _mix(rng, 3, 1, "spherical"), _mix(rng, 2, 1, "spherical")
    P, Q = _pdf1(gp), _pdf1(gq)
    integral = lambda f: integrate.quad(f, -40, 40, limit=1000, epsabs=1e-14, epsrel=1e-12)[0]
    ref = -math.log(integral(lambda x: P(x) * Q(x)) / math.sqrt(
        integral(lambda x: P(x) ** 2) * integral(lambda x: Q(x) ** 2)))
    assert mm.cauchy_schwarz_divergence(gp, gq) == pytest.approx(ref, rel=1e-9)
    assert mm.cauchy_schwarz_divergence(gq, gp) == pytest.approx(ref, rel=1e-12)
    assert mm.cauchy_schwarz_divergence(gp, gq, base=2) == pytest.approx(ref / LOG2, rel=1e-9)
    # single Gaussians: -log N(m0; m1, C0 + C1) + (log N(0; 0, 2 C0) + log N(0; 0, 2 C1)) / 2
    m0, m1 = np.array([0.0, 1.0]), np.array([2.0, -1.0])
    c0, c1 = np.array([[1.0, 0.2], [0.2, 0.5]]), np.array([[2.0, -0.3], [-0.3, 1.0]])
    mvn = multivariate_normal.logpdf
    exact = (-mvn(m0, m1, c0 + c1) + 0.5 * (mvn(m0, m0, 2 * c0) + mvn(m1, m1, 2 * c1)))
    got = mm.cauchy_schwarz_divergence(_gauss(m0, c0), _gauss(m1, c1))
    assert got == pytest.approx(exact, rel=1e-12)


def test_cauchy_schwarz_of_far_apart_mixtures_does_not_underflow():
    gp = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0], [1.0]], covariances=[1.0, 1.0],
                                covariance_type="spherical")
    gq = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[1e3], [1e3 + 1]],
                                covariances=[1.0, 1.0], covariance_type="spherical")
    got = mm.cauchy_schwarz_divergence(gp, gq)
    # the cross overlap is ~ exp(-(1e3)^2 / 4), far below the smallest double
    assert math.isfinite(got) and got == pytest.approx(1e6 / 4, rel=1e-2)
    # affine invariance: shift and scale both
    a = fm.as_gaussian_mixture(weights=gp.weights, means=gp.means * 7 + 3,
                               covariances=gp.covariances * 49, covariance_type="spherical")
    b = fm.as_gaussian_mixture(weights=gq.weights, means=gq.means * 7 + 3,
                               covariances=gq.covariances * 49, covariance_type="spherical")
    assert mm.cauchy_schwarz_divergence(a, b) == pytest.approx(got, rel=1e-9)


# --------------------------------------------------------------------------- zero and ranges
def _permuted(gm):
    perm = np.arange(gm.n_components)[::-1]
    return fm.as_gaussian_mixture(weights=gm.weights[perm], means=gm.means[perm],
                                  covariances=gm.covariances[perm],
                                  covariance_type=gm.covariance_type)


@pytest.mark.parametrize("d", [1, 2])
def test_a_mixture_against_itself_and_a_permuted_copy_is_zero(d):
    rng = _rng(150 + d)
    gp = _mix(rng, 3, d)
    gpp = _permuted(gp)
    methods = ("mc", "quad") if d == 1 else ("mc",)
    for name, alpha in [("js", None), ("jeffreys", None), *F_CASES]:
        for method in methods:
            same = _call(name, gp, gp, method, alpha, n_samples=2000, random_state=0)
            assert same.estimate == 0.0, (name, method, same)
            perm = _call(name, gp, gpp, method, alpha, n_samples=2000, random_state=0)
            assert abs(perm.estimate) <= 1e-12, (name, method, perm)
    assert mm.cauchy_schwarz_divergence(gp, gp) == 0.0
    assert mm.cauchy_schwarz_divergence(gp, gpp) <= 1e-13
    # the cross-entropy of p with itself is its entropy; Jeffreys bounds hold 0
    assert mm.cross_entropy_mixture(gp, gpp, method="mc", n_samples=3000,
                                    random_state=2).estimate == pytest.approx(
        mm.entropy_mixture(gp, method="mc", n_samples=3000, random_state=2).estimate, rel=1e-12)
    b = mm.jeffreys_divergence_mixture(gp, gpp, method="bounds")
    assert b.lower <= 1e-12 and b.upper >= -1e-12


def test_js_stays_in_zero_log2_for_disjoint_mixtures():
    gp = fm.as_gaussian_mixture(weights=[1.0], means=[[0.0, 0.0]], covariances=[1.0],
                                covariance_type="spherical")
    gq = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[300.0, 0.0], [0.0, 400.0]],
                                covariances=[1.0, 2.0], covariance_type="spherical")
    r = mm.jensen_shannon_mixture(gp, gq, n_samples=1000, random_state=0)
    assert (r.lower, r.upper) == (0.0, LOG2)
    assert r.estimate == pytest.approx(LOG2, rel=1e-12) and r.estimate <= LOG2
    tv = mm.f_divergence_mixture(gp, gq, divergence="total_variation", n_samples=1000,
                                 random_state=0)
    assert tv.estimate == pytest.approx(1.0, rel=1e-12) and tv.upper == 1.0
    h = mm.f_divergence_mixture(gp, gq, n_samples=1000, random_state=0)
    assert h.estimate == pytest.approx(1.0, rel=1e-12)
    rb = mm.jensen_shannon_mixture(gp, gq, n_samples=1000, random_state=0, base=2)
    assert rb.estimate == pytest.approx(1.0, rel=1e-12) and rb.upper == 1.0


# --------------------------------------------------------------------------- stderr, tol
def test_reported_stderr_matches_the_spread_over_seeds():
    rng = _rng(170)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    for name, alpha in (("entropy", None), ("cross", None), ("js", None), ("jeffreys", None),
                        ("hellinger", None), ("total_variation", None), ("alpha", 0.7)):
        runs = [_call(name, gp, gq, "mc", alpha, n_samples=2000, random_state=s)
                for s in range(40)]
        est = np.array([r.estimate for r in runs])
        se = float(np.median([r.stderr for r in runs]))
        assert 0.6 <= est.std(ddof=1) / se <= 1.5, name


def test_tol_keeps_sampling_until_the_stderr_is_below_it():
    rng = _rng(180)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    for name in ("entropy", "cross", "js", "jeffreys", "hellinger"):
        r0 = _call(name, gp, gq, "mc", n_samples=1000, random_state=1)
        r = _call(name, gp, gq, "mc", n_samples=1000, random_state=1, tol=r0.stderr / 3)
        assert r.stderr <= r0.stderr / 3 and r.n_samples >= 8 * 1000, name


def test_tol_out_of_reach_warns_and_returns(monkeypatch):
    monkeypatch.setattr(mm, "_MC_MAX_TOTAL", 5000)
    rng = _rng(181)
    gp = _mix(rng, 2, 2)
    with pytest.warns(RuntimeWarning, match="tol=1e-09 was not reached"):
        r = mm.entropy_mixture(gp, method="mc", n_samples=1000, tol=1e-9, random_state=0)
    assert r.n_samples <= 5000


def test_big_sample_counts_are_drawn_in_blocks(monkeypatch):
    rng = _rng(182)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    r = mm.jensen_shannon_mixture(gp, gq, method="mc", n_samples=5000, random_state=4)
    monkeypatch.setattr(mm, "_BLOCK", 700)  # 8 blocks: other draws, the same estimator
    rb = mm.jensen_shannon_mixture(gp, gq, method="mc", n_samples=5000, random_state=4)
    assert rb.n_samples == r.n_samples and rb.estimate != r.estimate
    assert abs(rb.estimate - r.estimate) <= 5 * math.hypot(r.stderr, rb.stderr)


def test_base_scales_and_below_one_swaps_the_bounds():
    rng = _rng(190)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    n = mm.cross_entropy_mixture(gp, gq, method="bounds")
    b2 = mm.cross_entropy_mixture(gp, gq, method="bounds", base=2)
    assert b2.lower == pytest.approx(n.lower / LOG2) and b2.upper == pytest.approx(n.upper / LOG2)
    half = mm.cross_entropy_mixture(gp, gq, method="bounds", base=0.5)
    assert half.lower <= half.estimate <= half.upper
    mc = mm.entropy_mixture(gp, method="mc", n_samples=1000, random_state=0)
    mc2 = mm.entropy_mixture(gp, method="mc", n_samples=1000, random_state=0, base=2)
    assert mc2.estimate == pytest.approx(mc.estimate / LOG2, rel=1e-14)
    assert mc2.stderr == pytest.approx(mc.stderr / LOG2, rel=1e-14)
    rk = mm.f_divergence_mixture(gp, gq, divergence="reverse_kl", n_samples=1000, random_state=0)
    rk2 = mm.f_divergence_mixture(gp, gq, divergence="reverse_kl", n_samples=1000,
                                  random_state=0, base=2)
    assert rk2.estimate == pytest.approx(rk.estimate / LOG2, rel=1e-14)


def test_zero_weight_components_are_ignored():
    rng = _rng(200)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    w = np.append(gp.weights, 0.0)
    gz = fm.as_gaussian_mixture(weights=w, means=np.vstack([gp.means, [[50.0, 50.0]]]),
                                covariances=np.concatenate([gp.covariances, [np.eye(2)]]))
    for name in ("entropy", "cross", "js", "jeffreys", "hellinger"):
        a = _call(name, gp, gq, "mc", n_samples=1000, random_state=3)
        b = _call(name, gz, gq, "mc", n_samples=1000, random_state=3)
        assert a.estimate == b.estimate and a.n_samples == b.n_samples, name
    assert mm.cauchy_schwarz_divergence(gp, gq) == mm.cauchy_schwarz_divergence(gz, gq)
    assert mm.renyi2_entropy_mixture(gp) == mm.renyi2_entropy_mixture(gz)


# --------------------------------------------------------------------------- backends, n_jobs
MC_CALLS = [("entropy", None), ("cross", None), ("js", None), ("jeffreys", None),
            ("hellinger", None), ("total_variation", None), ("chi2", None),
            ("reverse_kl", None), ("alpha", 0.7)]


@pytest.mark.parametrize("name,alpha", MC_CALLS)
def test_compiled_kernels_against_the_twin(monkeypatch, name, alpha):
    compiled, twin = pair("mixture")
    rng = _rng(210)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 4, 2, "diag")
    kw = dict(n_samples=3001, random_state=9)
    monkeypatch.setattr(fm, "kernels", lambda stem: compiled)
    a = _call(name, gp, gq, "mc", alpha, **kw)
    monkeypatch.setattr(fm, "kernels", lambda stem: twin)
    b = _call(name, gp, gq, "mc", alpha, **kw)
    assert a.n_samples == b.n_samples
    assert a.estimate == pytest.approx(b.estimate, rel=1e-10, abs=1e-12)
    assert a.stderr == pytest.approx(b.stderr, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name,alpha", MC_CALLS)
def test_results_do_not_depend_on_n_jobs(name, alpha):
    rng = _rng(220)
    gp, gq = _mix(rng, 5, 2), _mix(rng, 3, 2)
    kw = dict(n_samples=20011, random_state=11)
    ref = _call(name, gp, gq, "mc", alpha, n_jobs=1, **kw)
    for n_jobs in (2, 3, None, -1):
        got = _call(name, gp, gq, "mc", alpha, n_jobs=n_jobs, **kw)
        assert got == ref, (name, n_jobs)


# --------------------------------------------------------------------------- bad input
def test_bad_arguments_name_the_argument():
    rng = _rng(230)
    gp, gq = _mix(rng, 2, 2), _mix(rng, 2, 2)
    g3 = _mix(rng, 2, 3)
    f = mm.f_divergence_mixture
    cases = [
        (lambda: f(gp, gq, divergence="kl"), ValueError, "^divergence="),
        (lambda: f(gp, gq, divergence=3), TypeError, "^divergence must"),
        (lambda: f(gp, gq, divergence="alpha"), ValueError, "^alpha is required"),
        (lambda: f(gp, gq, divergence="alpha", alpha=math.nan), ValueError, "^alpha must"),
        (lambda: f(gp, gq, divergence="alpha", alpha=math.inf), ValueError, "^alpha must"),
        (lambda: f(gp, gq, divergence="alpha", alpha="0.5"), TypeError, "^alpha must"),
        (lambda: f(gp, gq, divergence="alpha", alpha=True), TypeError, "^alpha must"),
        (lambda: f(gp, gq, alpha=0.5), ValueError, "^alpha is only used"),
        (lambda: f(gp, gq, base=2), ValueError, "^base applies only"),
        (lambda: f(gp, g3), ValueError, "^q must have the same dimension"),
        (lambda: f(gp, gq, n_samples=1), ValueError, "^n_samples must be at least 2"),
        (lambda: f(gp, gq, method="quad"), ValueError, "^method='quad' needs 1-D"),
        (lambda: f(gp, gq, method="bounds"), ValueError, "^method="),
        (lambda: f(gp, gq, tol=-1.0), ValueError, "^tol must"),
        (lambda: f(gp, gq, n_jobs=0), ValueError, "^n_jobs"),
        (lambda: f("model.json", gq), TypeError, "^p: "),
        (lambda: mm.entropy_mixture(gp, method="quad"), ValueError, "^method='quad'"),
        (lambda: mm.entropy_mixture(gp, n_samples=2.5), TypeError, "^n_samples must be an int"),
        (lambda: mm.entropy_mixture(gp, random_state=-1), ValueError, "^random_state"),
        (lambda: mm.entropy_mixture(gp, base=1), ValueError, "^base"),
        (lambda: mm.entropy_mixture(gp, method="closed_form"), ValueError, "^method="),
        (lambda: mm.entropy_mixture(gp, n_jobs=1.5, method="bounds"), TypeError, "^n_jobs"),
        (lambda: mm.cross_entropy_mixture(gp, g3), ValueError, "^q must"),
        (lambda: mm.jensen_shannon_mixture(gp, g3), ValueError, "^q must"),
        (lambda: mm.jensen_shannon_mixture(gp, gq, method="bounds"), ValueError, "^method="),
        (lambda: mm.jeffreys_divergence_mixture(gp, g3), ValueError, "^q must"),
        (lambda: mm.jeffreys_divergence_mixture(gp, gq, n_samples=0), ValueError,
         "^n_samples"),
        (lambda: mm.cauchy_schwarz_divergence(gp, g3), ValueError, "^q must"),
        (lambda: mm.cauchy_schwarz_divergence(gp, None), TypeError, "^q: "),
        (lambda: mm.renyi2_entropy_mixture(gp, base=-2.0), ValueError, "^base"),
        (lambda: mm.renyi2_entropy_mixture(np.zeros(3)), TypeError, "^p: "),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()


def test_overflowing_integrands_are_named_errors_not_nan():
    # chi2 against a far narrower q: the importance weights overflow
    gp = fm.as_gaussian_mixture(weights=[1.0], means=[[0.0]], covariances=[1.0],
                                covariance_type="spherical")
    gq = fm.as_gaussian_mixture(weights=[0.5, 0.5], means=[[0.0], [3e3]],
                                covariances=[1e-6, 1.0], covariance_type="spherical")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="^p and q: "):
            mm.f_divergence_mixture(gp, gq, divergence="chi2", method="mc", n_samples=2000,
                                    random_state=0)


def test_jeffreys_mc_is_the_two_kl_estimates_of_streams_0_and_1():
    rng = _rng(240)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 4, 2)
    j = mm.jeffreys_divergence_mixture(gp, gq, method="mc", n_samples=6000, random_state=8)
    kl = fe.kl_divergence_mixture_batch([gp, gq], [gq, gp], method="mc", n_samples=3000,
                                        random_state=8)
    assert j.estimate == float(kl.estimate.sum())
    assert j.stderr == pytest.approx(math.hypot(*kl.stderr), rel=1e-15)
    assert j.n_samples == int(kl.n_samples.sum())
    r = mm.jeffreys_divergence_mixture(gp, gq, method="auto", n_samples=6000, random_state=8)
    b = mm.jeffreys_divergence_mixture(gp, gq, method="bounds")
    assert r.estimate == j.estimate and (r.lower, r.upper) == (b.lower, b.upper)
    assert b.lower - 4 * j.stderr <= j.estimate <= b.upper + 4 * j.stderr


@pytest.mark.parametrize("t", [-30.0, -3.0, -0.5, -0.09, -1e-3, -1e-7, 0.0, 1e-7, 1e-3, 0.09,
                               0.5, 3.0, 30.0])
def test_integrands_against_mpmath(t):
    """The per-sample integrands, as functions of t = log p - log q (p/r = 2 sigma(t)), keep
    their relative accuracy near p == q."""
    mpmath.mp.dps = 40
    T = mpmath.mpf(t)
    a = 2 / (1 + mpmath.exp(-T))
    b = 2 - a
    arr = np.array([t])

    def close(got, ref, rel=1e-13):
        ref = float(ref)
        assert abs(float(got[0]) - ref) <= rel * abs(ref) + 1e-300, (got, ref)

    xlx = lambda x: x * mpmath.log(x) if x > 0 else mpmath.mpf(0)
    close(mm._h_js(arr), (xlx(a) + xlx(b)) / 2)
    close(mm._h_hellinger(arr), (mpmath.sqrt(a) - mpmath.sqrt(b)) ** 2 / 2)
    close(mm._h_tv(arr), abs(a - b) / 2)
    close(mm._h_chi2(arr), (a - b) ** 2 / b)
    close(mm._h_jeffreys(arr), (a - b) * T)
    for alpha in (0.0, 1e-6, 0.3, 0.5, 0.8, 1 - 1e-6, 1.0, 1.7, -0.6):
        A = mpmath.mpf(alpha)
        if alpha == 0.0:
            ref = b * (-T) - b + a
        elif alpha == 1.0:
            ref = a * T - a + b
        else:
            ref = (A * a + (1 - A) * b - a**A * b ** (1 - A)) / (A * (1 - A))
        close(mm._h_alpha(alpha)(arr), ref, rel=1e-12)


def _component_entropy(c):
    return 0.5 * (c.shape[0] * math.log(2 * math.pi * math.e) + np.linalg.slogdet(c)[1])


@pytest.mark.parametrize("seed", range(4))
def test_bounds_are_at_least_as_tight_as_huber_2008_and_the_convexity_bound(seed):
    """Huber et al.'s (2008) entropy bounds and the convexity bound on the cross-entropy,
    written out here with scipy, hold the library's interval (which must still bracket)."""
    rng = _rng(250 + seed)
    gp, gq = _mix(rng, 3, 2), _mix(rng, 2, 2)
    w, mu, C = gp.weights, gp.means, gp.full_covariances()
    v, nu, D = gq.weights, gq.means, gq.full_covariances()
    mvn = multivariate_normal.pdf
    huber_lo = -sum(w[i] * math.log(sum(w[j] * mvn(mu[i], mu[j], C[i] + C[j])
                                        for j in range(3))) for i in range(3))
    huber_up = sum(w[i] * (-math.log(w[i]) + _component_entropy(C[i])) for i in range(3))
    b = mm.entropy_mixture(gp, method="bounds")
    assert huber_lo - 1e-12 <= b.lower <= b.upper <= huber_up + 1e-12
    convex = sum(w[i] * v[j] * (_component_entropy(C[i]) + fe.kl_divergence_gaussian(
        mu[i], C[i], nu[j], D[j])) for i in range(3) for j in range(2))
    jensen = -sum(w[i] * math.log(sum(v[j] * mvn(mu[i], nu[j], C[i] + D[j]) for j in range(2)))
                  for i in range(3))
    c = mm.cross_entropy_mixture(gp, gq, method="bounds")
    assert jensen - 1e-12 <= c.lower <= c.upper <= convex + 1e-12
    long = mm.cross_entropy_mixture(gp, gq, method="mc", n_samples=100_000, random_state=seed)
    assert c.lower - 4 * long.stderr <= long.estimate <= c.upper + 4 * long.stderr
