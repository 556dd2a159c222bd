"""Univariate mixtures (gaussian, exponential, rayleigh, gamma, laplace) and categorical
mixtures: models and their validation, log-density against scipy.stats, sampling against the
families' distributions, closed-form KL against mpmath quadrature, 'quad' against mpmath, Monte
Carlo within 4 standard errors of 'quad' (and its standard error against the spread over seeds),
Nielsen-Sun bounds bracketing the truth on random mixtures (adaptive never looser than plain),
exact categorical KL, compiled kernels against the NumPy twin, n_jobs determinism."""
import math

import numpy as np
import pytest
from _kernel_pairs import pair
from scipy import stats

import fastentropy as fe
from fastentropy import univariate as fu

mpmath = pytest.importorskip("mpmath")

FAMILIES = ("gaussian", "exponential", "rayleigh", "gamma", "laplace")


def _mix(rng, family, k, shape=None, spread=3.0):
    w = rng.dirichlet(np.ones(k))
    s = rng.uniform(0.3, 3.0, size=k)
    if family == "gaussian":
        return fe.as_univariate_mixture(family, w, means=rng.normal(0, spread, k), scales=s)
    if family == "laplace":
        return fe.as_univariate_mixture(family, w, locations=rng.normal(0, spread, k), scales=s)
    if family == "exponential":
        return fe.as_univariate_mixture(family, w, rates=1.0 / s)
    if family == "rayleigh":
        return fe.as_univariate_mixture(family, w, scales=s)
    sh = float(rng.uniform(0.6, 5.0)) if shape is None else shape
    return fe.as_univariate_mixture(family, w, shape=sh, scales=s)


def _scipy_dist(m, j):
    s, loc = float(m.scales[j]), float(m.locations[j])
    return {
        "gaussian": lambda: stats.norm(loc, s),
        "exponential": lambda: stats.expon(scale=s),
        "rayleigh": lambda: stats.rayleigh(scale=s),
        "gamma": lambda: stats.gamma(m.shape, scale=s),
        "laplace": lambda: stats.laplace(loc, s),
    }[m.family]()


def _scipy_logpdf(m, x):
    parts = [np.log(m.weights[j]) + _scipy_dist(m, j).logpdf(x) for j in range(m.n_components)
             if m.weights[j] > 0]
    return np.logaddexp.reduce(np.stack(parts), axis=0)


def _mp_pdf(m):
    """The mixture density as an mpmath function."""
    comps = []
    for j in range(m.n_components):
        w = mpmath.mpf(float(m.weights[j]))
        s, loc = mpmath.mpf(float(m.scales[j])), mpmath.mpf(float(m.locations[j]))
        comps.append((w, s, loc))
    fam, k = m.family, None if m.shape is None else mpmath.mpf(m.shape)

    def f(x):
        tot = mpmath.mpf(0)
        for w, s, loc in comps:
            if fam == "gaussian":
                v = mpmath.exp(-((x - loc) / s) ** 2 / 2) / (s * mpmath.sqrt(2 * mpmath.pi))
            elif fam == "laplace":
                v = mpmath.exp(-abs(x - loc) / s) / (2 * s)
            elif x < 0:
                v = mpmath.mpf(0)
            elif fam == "exponential":
                v = mpmath.exp(-x / s) / s
            elif fam == "rayleigh":
                v = x / s**2 * mpmath.exp(-(x**2) / (2 * s**2))
            else:
                v = x ** (k - 1) * mpmath.exp(-x / s) / (mpmath.gamma(k) * s**k)
            tot += w * v
        return tot

    return f


def _mp_kl(p, q, points):
    fp, fq = _mp_pdf(p), _mp_pdf(q)

    def g(x):
        a = fp(x)
        if a == 0:
            return mpmath.mpf(0)
        return a * (mpmath.log(a) - mpmath.log(fq(x)))

    with mpmath.workdps(30):
        return float(mpmath.quad(g, points, maxdegree=10))


def _mp_points(p, q):
    lo = 0 if (p.family in fu._POSITIVE and q.family in fu._POSITIVE) else -mpmath.inf
    pts = sorted({float(v) for m in (p, q) for v in m.locations} | {0.0}
                 | {float(v) for m in (p, q) for v in m.scales})
    pts = [v for v in pts if lo == -mpmath.inf or v > 0]
    return [lo, *pts, mpmath.inf]


# ---------------------------------------------------------------------------------- models
def test_models_from_each_family_and_their_parameters(rng):
    for fam in FAMILIES:
        m = _mix(rng, fam, 3)
        assert m.family == fam and m.n_components == 3
        assert not m.weights.flags.writeable and not m.scales.flags.writeable
        again = fe.as_univariate_mixture(fam, m.weights, **m.params())
        assert np.array_equal(again.scales, m.scales) and again.shape == m.shape
    e = fe.as_univariate_mixture("exponential", [0.25, 0.75], rates=[2.0, 0.5])
    assert np.allclose(e.scales, [0.5, 2.0]) and np.allclose(e.params()["rates"], [2.0, 0.5])
    one = fe.as_univariate_mixture("gaussian", means=[1.0], scales=[2.0])
    assert one.weights.tolist() == [1.0]


def test_weights_normalised_within_tolerance_and_refused_beyond():
    kw = dict(means=[0.0, 1.0], scales=[1.0, 2.0])
    m = fe.as_univariate_mixture("gaussian", [0.3, 0.7 + 5e-9], **kw)
    assert math.isclose(m.weights.sum(), 1.0, abs_tol=1e-16)
    with pytest.raises(ValueError, match="^weights must sum to one"):
        fe.as_univariate_mixture("gaussian", [0.3, 0.6], **kw)
    with pytest.raises(ValueError, match="^weights must be non-negative"):
        fe.as_univariate_mixture("gaussian", [-0.1, 1.1], **kw)
    with pytest.raises(ValueError, match="^weights"):
        fe.as_univariate_mixture("gaussian", [np.nan, 1.0], **kw)


@pytest.mark.parametrize(
    "family,kw,name",
    [
        ("gaussian", dict(means=[0.0, np.nan], scales=[1.0, 1.0]), "means"),
        ("gaussian", dict(means=[0.0, 1.0], scales=[1.0, 0.0]), "scales"),
        ("gaussian", dict(means=[0.0, 1.0], scales=[1.0, -2.0]), "scales"),
        ("laplace", dict(locations=[0.0, 1.0], scales=[1.0, np.inf]), "scales"),
        ("exponential", dict(rates=[1.0, 0.0]), "rates"),
        ("rayleigh", dict(scales=[1.0, np.nan]), "scales"),
        ("gamma", dict(shape=0.0, scales=[1.0, 1.0]), "shape"),
        ("gamma", dict(shape=np.nan, scales=[1.0, 1.0]), "shape"),
        ("gamma", dict(scales=[1.0, 1.0]), "shape"),
        ("gaussian", dict(means=[0.0, 1.0], scales=[1.0, 1.0], rates=[1.0, 1.0]), "rates"),
        ("cauchy", dict(scales=[1.0, 1.0]), "family"),
    ],
)
def test_bad_parameters_name_the_argument(family, kw, name):
    with pytest.raises((ValueError, TypeError), match=f"^{name}"):
        fe.as_univariate_mixture(family, [0.5, 0.5], **kw)


def test_json_round_trip(tmp_path, rng):
    for fam in FAMILIES:
        m = _mix(rng, fam, 3)
        path = tmp_path / f"{fam}.json"
        m.save(path)
        back = fe.UnivariateMixture.load(path)
        assert back.family == fam and back.shape == m.shape
        assert np.array_equal(back.weights, m.weights)
        assert np.array_equal(back.scales, m.scales) or fam == "exponential"
        np.testing.assert_allclose(back.scales, m.scales, rtol=1e-15)
    with pytest.raises(ValueError, match="^path"):
        m.save(tmp_path / "m.npz")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="^path"):
        fe.UnivariateMixture.load(tmp_path / "bad.json")


# ---------------------------------------------------------------------- log-density, sampling
@pytest.mark.parametrize("family", FAMILIES)
def test_log_density_matches_scipy(rng, family):
    m = _mix(rng, family, 4, shape=2.5 if family == "gamma" else None)
    x = np.concatenate([rng.normal(1.0, 4.0, 500), [0.0, 1e-3, 50.0, -50.0]])
    got = fe.log_density_univariate(m, x)
    want = _scipy_logpdf(m, x)
    fin = np.isfinite(want)
    assert np.array_equal(np.isfinite(got), fin)
    np.testing.assert_allclose(got[fin], want[fin], rtol=1e-12, atol=1e-12)
    assert got.shape == x.shape
    assert fe.log_density_univariate(m, x.reshape(4, -1)).shape == (4, x.size // 4)
    assert m.log_density(2.0).shape == ()


def test_log_density_gamma_at_zero():
    for k, want in ((0.5, math.inf), (1.0, math.log(0.5)), (3.0, -math.inf)):
        m = fe.as_univariate_mixture("gamma", shape=k, scales=[2.0])
        assert fe.log_density_univariate(m, [0.0])[0] == want
    r = fe.as_univariate_mixture("rayleigh", scales=[1.0])
    assert fe.log_density_univariate(r, [0.0, -1.0]).tolist() == [-math.inf, -math.inf]


@pytest.mark.parametrize("family", FAMILIES)
def test_samples_follow_each_component(rng, family):
    m = _mix(rng, family, 3)
    n = 30000
    x = fe.sample_univariate(m, n, random_state=3)
    counts = fu._allocate(m.weights, n)
    off = 0
    for j in range(3):
        part = x[off:off + counts[j]]
        off += counts[j]
        res = stats.kstest(part, _scipy_dist(m, j).cdf)
        assert res.pvalue > 1e-4, (family, j, res)
    again = fe.sample_univariate(m, n, random_state=3)
    assert np.array_equal(x, again)
    assert not np.array_equal(x, fe.sample_univariate(m, n, random_state=4))


# ------------------------------------------------------------------------------ closed forms
CLOSED = [
    ("gaussian", dict(means=[0.3], scales=[1.5]), dict(means=[-1.0], scales=[0.7])),
    ("gaussian", dict(means=[2.0], scales=[1.0]), dict(means=[2.0], scales=[1.0 + 1e-7])),
    ("exponential", dict(rates=[0.5]), dict(rates=[2.0])),
    ("rayleigh", dict(scales=[1.2]), dict(scales=[3.0])),
    ("gamma", dict(shape=2.5, scales=[1.2]), dict(shape=2.5, scales=[0.4])),
    ("gamma", dict(shape=0.7, scales=[1.2]), dict(shape=3.0, scales=[0.9])),
    ("gamma", dict(shape=4.0, scales=[0.5]), dict(shape=1.5, scales=[2.0])),
    ("laplace", dict(locations=[0.5], scales=[1.0]), dict(locations=[-1.5], scales=[2.5])),
    ("laplace", dict(locations=[0.0], scales=[2.0]), dict(locations=[0.0], scales=[0.5])),
]


@pytest.mark.parametrize("family,a,b", CLOSED)
def test_closed_form_matches_mpmath(family, a, b):
    p = fe.as_univariate_mixture(family, **a)
    q = fe.as_univariate_mixture(family, **b)
    r = fe.kl_divergence_univariate(p, q, method="closed_form")
    want = _mp_kl(p, q, _mp_points(p, q))
    assert r.method == "closed_form" and r.lower == r.upper == r.estimate
    assert r.estimate == pytest.approx(want, rel=1e-10, abs=1e-14)
    assert fe.kl_divergence_univariate(p, q).method == "closed_form"  # auto
    # and quad agrees with the closed form
    assert fe.kl_divergence_univariate(p, q, method="quad").estimate == pytest.approx(
        r.estimate, rel=1e-9, abs=1e-13)


def test_closed_form_refuses_mixtures_and_mixed_families():
    p = fe.as_univariate_mixture("gaussian", means=[0.0], scales=[1.0])
    q = fe.as_univariate_mixture("laplace", locations=[0.0], scales=[1.0])
    two = fe.as_univariate_mixture("gaussian", [0.5, 0.5], means=[0.0, 1.0], scales=[1.0, 1.0])
    with pytest.raises(ValueError, match="^q must be of p's family"):
        fe.kl_divergence_univariate(p, q, method="closed_form")
    with pytest.raises(ValueError, match="^p must be a single component"):
        fe.kl_divergence_univariate(two, p, method="closed_form")
    with pytest.raises(ValueError, match="^q must be a single component"):
        fe.kl_divergence_univariate(p, two, method="closed_form")
    # mixed families are fine for quad
    want = _mp_kl(p, q, [-mpmath.inf, 0, mpmath.inf])
    assert fe.kl_divergence_univariate(p, q).estimate == pytest.approx(want, rel=1e-9)


# ---------------------------------------------------------------------------- quadrature / MC
@pytest.mark.parametrize("family", FAMILIES)
def test_quad_matches_mpmath(rng, family):
    for _ in range(2):
        p, q = _mix(rng, family, 3), _mix(rng, family, 2)
        got = fe.kl_divergence_univariate(p, q, method="quad")
        assert got.method == "quad" and got.stderr is None
        want = _mp_kl(p, q, _mp_points(p, q))
        assert got.estimate == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert fe.kl_divergence_univariate(p, p, method="quad").estimate == 0.0


@pytest.mark.parametrize("pf,qf", [("exponential", "gamma"), ("rayleigh", "gaussian"),
                                   ("laplace", "gaussian"), ("gamma", "laplace")])
def test_quad_between_families(rng, pf, qf):
    p, q = _mix(rng, pf, 2), _mix(rng, qf, 2)
    want = _mp_kl(p, q, _mp_points(p, q))
    assert fe.kl_divergence_univariate(p, q).estimate == pytest.approx(want, rel=1e-9)
    mc = fe.kl_divergence_univariate(p, q, method="mc", n_samples=20000, random_state=1)
    assert abs(mc.estimate - want) < 4 * mc.stderr


def test_support_not_nested_is_infinite():
    p = fe.as_univariate_mixture("gaussian", means=[3.0], scales=[1.0])
    q = fe.as_univariate_mixture("exponential", rates=[1.0])
    for m in ("auto", "quad", "mc"):
        assert fe.kl_divergence_univariate(p, q, method=m).estimate == math.inf
    assert math.isfinite(fe.kl_divergence_univariate(q, p).estimate)


@pytest.mark.parametrize("family", FAMILIES)
def test_mc_within_4_stderr_of_quad(rng, family):
    p, q = _mix(rng, family, 3), _mix(rng, family, 3)
    ref = fe.kl_divergence_univariate(p, q, method="quad").estimate
    r = fe.kl_divergence_univariate(p, q, method="mc", n_samples=20000, random_state=11)
    assert r.method == "mc" and r.n_samples >= 20000 and r.stderr > 0
    assert abs(r.estimate - ref) < 4 * r.stderr


def test_mc_stderr_matches_spread_over_seeds(rng):
    for family in ("gaussian", "gamma"):
        p, q = _mix(rng, family, 3), _mix(rng, family, 2)
        rs = [fe.kl_divergence_univariate(p, q, method="mc", n_samples=2000, random_state=s)
              for s in range(150)]
        est = np.array([r.estimate for r in rs])
        se = float(np.mean([r.stderr for r in rs]))
        assert 0.8 < est.std(ddof=1) / se < 1.25
        ref = fe.kl_divergence_univariate(p, q, method="quad").estimate
        assert abs(est.mean() - ref) < 4 * se / math.sqrt(len(rs))


def test_mc_tol_reaches_target(rng):
    p, q = _mix(rng, "laplace", 3), _mix(rng, "laplace", 2)
    r = fe.kl_divergence_univariate(p, q, method="mc", n_samples=1000, tol=5e-3,
                                    random_state=2)
    assert r.stderr <= 5e-3 and r.n_samples > 1000


# ------------------------------------------------------------------------ Nielsen-Sun bounds
@pytest.mark.parametrize("family", FAMILIES)
def test_bounds_bracket_the_truth_and_adaptive_is_tighter(rng, family):
    shape = None
    for t in range(12):
        if family == "gamma" and t % 2:
            shape = float(rng.uniform(0.6, 5.0))  # p and q of one shape now and then
        k1, k2 = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        p = _mix(rng, family, k1, shape=shape)
        q = _mix(rng, family, k2, shape=shape)
        truth = fe.kl_divergence_univariate(p, q, method="quad").estimate
        plain = fe.kl_divergence_univariate(p, q, method="nielsen_sun")
        adapt = fe.kl_divergence_univariate(p, q, method="nielsen_sun_adaptive")
        best = fe.kl_divergence_univariate(p, q, method="bounds")
        slack = 1e-9 * (1.0 + abs(truth))
        for r in (plain, adapt, best):
            assert r.lower - slack <= truth <= r.upper + slack, (family, t, r, truth)
            assert r.estimate == pytest.approx(0.5 * (r.lower + r.upper)) or (
                r.lower == r.upper)
        assert adapt.lower >= plain.lower - slack and adapt.upper <= plain.upper + slack
        assert best.upper - best.lower <= adapt.upper - adapt.lower + slack


def test_bounds_are_exact_for_single_components():
    p = fe.as_univariate_mixture("rayleigh", scales=[1.2])
    q = fe.as_univariate_mixture("rayleigh", scales=[3.0])
    exact = fe.kl_divergence_univariate(p, q, method="closed_form").estimate
    for m in ("nielsen_sun", "nielsen_sun_adaptive"):
        r = fe.kl_divergence_univariate(p, q, method=m)
        assert r.lower == pytest.approx(exact, rel=1e-12)
        assert r.upper == pytest.approx(exact, rel=1e-12)
    b = fe.kl_divergence_univariate(p, q, method="bounds")
    assert b.lower == b.upper == exact


def test_bounds_need_one_family():
    p = fe.as_univariate_mixture("gaussian", means=[0.0], scales=[1.0])
    q = fe.as_univariate_mixture("laplace", locations=[0.0], scales=[1.0])
    for m in ("nielsen_sun", "nielsen_sun_adaptive", "bounds"):
        with pytest.raises(ValueError, match="^q must be of p's family"):
            fe.kl_divergence_univariate(p, q, method=m)


def test_base_scales_every_field(rng):
    p, q = _mix(rng, "gaussian", 2), _mix(rng, "gaussian", 3)
    n = fe.kl_divergence_univariate(p, q, method="bounds")
    b = fe.kl_divergence_univariate(p, q, method="bounds", base=2)
    assert b.lower == pytest.approx(n.lower / math.log(2))
    assert b.upper == pytest.approx(n.upper / math.log(2))


# ---------------------------------------------------------------------------------- categorical
def test_categorical_mixture_kl_and_entropy_exact():
    probs = np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75]])
    p = fe.as_categorical_mixture([0.5, 0.5], probs)
    np.testing.assert_allclose(p.pmf, [0.25, 0.375, 0.375])
    q = fe.as_categorical_mixture([0.2, 0.8], probs)
    want = float(np.sum(p.pmf * np.log(p.pmf / q.pmf)))
    r = fe.kl_divergence_univariate(p, q)
    assert r.method == "exact" and r.estimate == pytest.approx(want, rel=1e-13)
    assert r.lower == r.upper == r.estimate
    assert fe.kl_divergence_univariate(p, p).estimate == 0.0
    assert p.entropy() == pytest.approx(float(-np.sum(p.pmf * np.log(p.pmf))), rel=1e-14)
    assert p.entropy(base=2) == pytest.approx(p.entropy() / math.log(2))
    # q = 0 where p > 0: infinite; p = 0 where q > 0: finite
    z = fe.as_categorical_mixture([1.0], [[0.5, 0.5, 0.0]])
    assert fe.kl_divergence_univariate(p, z).estimate == math.inf
    assert math.isfinite(fe.kl_divergence_univariate(z, p).estimate)


def test_categorical_near_identical_keeps_digits():
    a = np.array([0.2, 0.3, 0.5])
    b = a + np.array([1e-7, -1e-7, 0.0])
    p = fe.as_categorical_mixture([1.0], [a])
    q = fe.as_categorical_mixture([1.0], [b])
    with mpmath.workdps(40):
        want = float(sum(mpmath.mpf(x) * mpmath.log(mpmath.mpf(x) / mpmath.mpf(y))
                         for x, y in zip(p.pmf, q.pmf)))
    assert fe.kl_divergence_univariate(p, q).estimate == pytest.approx(want, rel=1e-8)


def test_categorical_bad_input():
    with pytest.raises(ValueError, match="^probs rows must each sum to one"):
        fe.as_categorical_mixture([1.0], [[0.5, 0.6]])
    with pytest.raises(ValueError, match="^probs must be non-negative"):
        fe.as_categorical_mixture([1.0], [[1.5, -0.5]])
    p = fe.as_categorical_mixture([1.0], [[0.5, 0.5]])
    g = fe.as_univariate_mixture("gaussian", means=[0.0], scales=[1.0])
    with pytest.raises(TypeError, match="^q must be a CategoricalMixture"):
        fe.kl_divergence_univariate(p, g)
    with pytest.raises(ValueError, match="^method"):
        fe.kl_divergence_univariate(p, p, method="quad")


def test_is_univariate():
    assert fu.is_univariate(fe.as_categorical_mixture([1.0], [[1.0]]))
    assert fu.is_univariate(fe.as_univariate_mixture("rayleigh", scales=[1.0]))
    assert not fu.is_univariate(np.zeros(2))


# ---------------------------------------------------------------------------- kernel vs twin
def _reduced(m):
    return m._kernel_args()


@pytest.mark.parametrize("family", FAMILIES)
def test_kernel_matches_twin(rng, family):
    compiled, twin = pair("univariate")
    p, q = _mix(rng, family, 5), _mix(rng, family, 3)
    fam, hc, logc, loc, inv = _reduced(p)
    x = np.concatenate([rng.normal(1.0, 5.0, 3001), [0.0, -0.0, 1e-300]])
    a, b = np.empty_like(x), np.empty_like(x)
    compiled.log_density(x, fam, hc, logc, loc, inv, a, 2)
    twin.log_density(x, fam, hc, logc, loc, inv, b, 1)
    assert np.array_equal(np.isfinite(a), np.isfinite(b)) and np.array_equal(a[~np.isfinite(a)],
                                                                             b[~np.isfinite(b)])
    fin = np.isfinite(a)
    np.testing.assert_allclose(a[fin], b[fin], rtol=1e-12, atol=1e-13)
    counts = np.array([700, 3, 0, 1201, 64], dtype=np.int64)
    qa = _reduced(q)
    m1, s1, m2, s2 = (np.zeros(5) for _ in range(4))
    if family != "gamma":
        o1, o2 = np.empty(int(counts.sum())), np.empty(int(counts.sum()))
        compiled.sample(counts, fam, loc, inv, 12345, 678, o1, 2)
        twin.sample(counts, fam, loc, inv, 12345, 678, o2, 1)
        np.testing.assert_allclose(o1, o2, rtol=1e-13, atol=1e-14)
        compiled.kl_mc(counts, 12345, 678, fam, hc, logc, loc, inv, *qa, m1, s1, 2)
        twin.kl_mc(counts, 12345, 678, fam, hc, logc, loc, inv, *qa, m2, s2, 1)
    else:
        pts = np.ascontiguousarray(rng.gamma(p.shape, 1.0, int(counts.sum())))
        compiled.kl_points(pts, counts, fam, hc, logc, loc, inv, *qa, m1, s1, 2)
        twin.kl_points(pts, counts, fam, hc, logc, loc, inv, *qa, m2, s2, 1)
    np.testing.assert_allclose(m1, m2, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(s1, s2, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("family", FAMILIES)
def test_results_identical_for_any_n_jobs(rng, family):
    p, q = _mix(rng, family, 6), _mix(rng, family, 4)
    x = rng.normal(2.0, 4.0, 9001)
    ref_ld = fe.log_density_univariate(p, x, n_jobs=1)
    ref_s = fe.sample_univariate(p, 9001, random_state=4, n_jobs=1)
    ref_kl = fe.kl_divergence_univariate(p, q, method="mc", n_samples=9001, random_state=4,
                                         n_jobs=1)
    for nj in (2, 3, None, -1):
        assert np.array_equal(fe.log_density_univariate(p, x, n_jobs=nj), ref_ld)
        assert np.array_equal(fe.sample_univariate(p, 9001, random_state=4, n_jobs=nj), ref_s)
        assert fe.kl_divergence_univariate(p, q, method="mc", n_samples=9001, random_state=4,
                                           n_jobs=nj) == ref_kl


@pytest.mark.parametrize("family", FAMILIES)
def test_partial_moments_match_numerical_integration(rng, family):
    """The closed-form partial moments int_a^b (x - c)^r p_s(x) dx the bounds are built on."""
    from scipy import integrate

    m = _mix(rng, family, 2, shape=0.8 if family == "gamma" else None)
    r = fu._reduced(m)
    d = _scipy_dist(m, 0)
    lo = 0.0 if family in fu._POSITIVE else -np.inf
    edges = [(lo, 0.7), (0.7, 2.5), (2.5, np.inf), (lo, np.inf), (-3.0, 0.2), (1.0, 1.0 + 1e-9)]
    a = np.array([e[0] for e in edges])
    b = np.array([e[1] for e in edges])
    for c in (0.0, 1.3):
        got = fu._moments(r, 0, a, b, np.full(a.size, c))
        for i, (x0, x1) in enumerate(edges):
            x0 = max(x0, lo)
            for k in range(3):
                if x1 <= x0:
                    want = 0.0
                else:
                    pts = [v for v in (float(m.locations[0]), 0.0) if x0 < v < x1] or None
                    if np.isinf(x0) or np.isinf(x1):
                        want = integrate.quad(lambda x: (x - c) ** k * d.pdf(x), x0, x1,
                                              epsabs=1e-14, epsrel=1e-12, limit=200)[0]
                    else:
                        want = integrate.quad(lambda x: (x - c) ** k * d.pdf(x), x0, x1,
                                              points=pts, epsabs=1e-14, epsrel=1e-12,
                                              limit=200)[0]
                assert got[k][i] == pytest.approx(want, rel=1e-8, abs=1e-12), (k, edges[i], c)


def test_bounds_with_repeated_and_zero_weight_components():
    p = fe.as_univariate_mixture("gaussian", [0.3, 0.3, 0.4, 0.0], means=[0.0, 0.0, 2.0, 9.0],
                                 scales=[1.0, 1.0, 0.5, 1.0])
    q = fe.as_univariate_mixture("gaussian", [0.5, 0.5], means=[1.0, 1.0], scales=[2.0, 2.0])
    truth = fe.kl_divergence_univariate(p, q, method="quad").estimate
    for m in ("nielsen_sun", "nielsen_sun_adaptive", "bounds"):
        r = fe.kl_divergence_univariate(p, q, method=m)
        assert r.lower - 1e-12 <= truth <= r.upper + 1e-12
    same = fe.kl_divergence_univariate(p, p, method="bounds")
    assert same.lower == 0.0 and same.upper >= 0.0


def test_kl_divergence_mixture_dispatches_univariate_and_categorical():
    """fastentropy.kl_divergence_mixture takes these models too, as kl_divergence_univariate."""
    p = fe.as_univariate_mixture("gamma", weights=[0.3, 0.7], shape=2.0, scales=[1.0, 3.0])
    q = fe.as_univariate_mixture("gamma", weights=[0.5, 0.5], shape=2.0, scales=[1.5, 2.5])
    for method in ("auto", "mc", "quad", "nielsen_sun", "nielsen_sun_adaptive", "bounds"):
        got = fe.kl_divergence_mixture(p, q, method=method, n_samples=4000, random_state=5)
        want = fe.kl_divergence_univariate(p, q, method=method, n_samples=4000, random_state=5)
        assert got == want
    c = fe.as_categorical_mixture([0.5, 0.5], [[0.2, 0.8], [0.6, 0.4]])
    d = fe.as_categorical_mixture([1.0], [[0.5, 0.5]])
    assert fe.kl_divergence_mixture(c, d, base=2) == fe.kl_divergence_univariate(c, d, base=2)
    with pytest.raises(ValueError, match="^antithetic"):
        fe.kl_divergence_mixture(p, q, antithetic=True)
    with pytest.raises(ValueError, match="^n_randomizations"):
        fe.kl_divergence_mixture(p, q, n_randomizations=4)
    with pytest.raises(ValueError, match="method"):
        fe.kl_divergence_mixture(p, q, method="variational")
