"""fastentropy.npeet: NPEET's names, argument order and units on fastentropy's estimators.

The references here are NPEET's formulas re-derived and computed by brute force (O(n^2)
max-norm distances, exact "strictly inside" counts, the plug-in entropies from Python
counters) on data where NPEET's semantics are unambiguous (continuous data without ties: the
module's 1e-10-standard-deviation noise moves the values by ~1e-10 only). NPEET itself is not
needed (benchmarks/bench_npeet.py compares against it when it is available).
"""
from __future__ import annotations

import math
import warnings
from collections import Counter

import numpy as np
import pytest
from scipy.special import digamma

import fastentropy.npeet as ee

LN2 = math.log(2.0)
RTOL = 1e-7
ATOL = 1e-7


# --------------------------------------------------------------------------------------------
# brute-force references (nats)


def _col(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def _cheb(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a[:, None, :] - b[None, :, :]).max(axis=2)


def _kth(a: np.ndarray, k: int) -> np.ndarray:
    d = _cheb(a, a)
    np.fill_diagonal(d, np.inf)
    return np.sort(d, axis=1)[:, k - 1]


def ref_entropy(x: np.ndarray, k: int) -> float:
    x = _col(x)
    n, d = x.shape
    eps = _kth(x, k)
    return float(digamma(n) - digamma(k) + d * LN2 + d * np.mean(np.log(eps)))


def _inside(a: np.ndarray, radii: np.ndarray) -> np.ndarray:
    d = _cheb(a, a)
    np.fill_diagonal(d, np.inf)
    return (d < radii[:, None]).sum(axis=1)


def ref_mi(x: np.ndarray, y: np.ndarray, z: np.ndarray | None = None, k: int = 3) -> float:
    x, y = _col(x), _col(y)
    parts = [x, y] + ([_col(z)] if z is not None else [])
    eps = _kth(np.hstack(parts), k)
    if z is None:
        nx, ny = _inside(x, eps), _inside(y, eps)
        return float(digamma(k) + digamma(len(x)) - np.mean(digamma(nx + 1) + digamma(ny + 1)))
    z = _col(z)
    nxz = _inside(np.hstack([x, z]), eps)
    nyz = _inside(np.hstack([y, z]), eps)
    nz = _inside(z, eps)
    return float(digamma(k) - np.mean(digamma(nxz + 1) + digamma(nyz + 1) - digamma(nz + 1)))


def ref_kldiv(x: np.ndarray, xp: np.ndarray, k: int) -> float:
    x, xp = _col(x), _col(xp)
    n, d = x.shape
    m = len(xp)
    rho = _kth(x, k)
    nu = np.sort(_cheb(x, xp), axis=1)[:, k - 1]
    return float(math.log(m) - math.log(n - 1) + d * (np.mean(np.log(nu)) - np.mean(np.log(rho))))


def ref_lnc(points: np.ndarray, k: int, alpha: float) -> float:
    """Gao-Ver Steeg-Galstyan's correction as NPEET defines it, with the PCA axes from an SVD
    of the neighbours (the right singular vectors are the covariance's eigenvectors)."""
    n = len(points)
    d = _cheb(points, points)
    np.fill_diagonal(d, np.inf)
    e = 0.0
    for i in range(n):
        nb = np.argsort(d[i], kind="stable")[:k]
        rel = points[nb] - points[i]
        _, _, vt = np.linalg.svd(rel, full_matrices=False)
        log_rect = np.log(np.abs(rel @ vt.T).max(axis=0)).sum()
        log_box = np.log(np.abs(rel).max(axis=0)).sum()
        if log_rect < log_box + math.log(alpha):
            e += (log_box - log_rect) / n
    return e


def ref_hd(*columns: np.ndarray) -> float:
    """Plug-in entropy of the tuples of the rows of ``columns`` (nats)."""
    rows = list(zip(*[map(tuple, np.asarray(c).reshape(len(c), -1).tolist()) for c in columns]))
    n = len(rows)
    return -sum(c / n * math.log(c / n) for c in Counter(rows).values())


def ref_micd(x: np.ndarray, labels: np.ndarray, k: int) -> float:
    x = _col(x)
    hx = ref_entropy(x, k)
    cond = 0.0
    for v in np.unique(labels):
        sub = x[labels == v]
        p = len(sub) / len(x)
        cond += p * (ref_entropy(sub, k) if k <= len(sub) - 1 else hx)
    return abs(hx - cond)


# --------------------------------------------------------------------------------------------
# data


def _gauss(n: int, rho: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = rho * x + math.sqrt(1 - rho * rho) * rng.standard_normal(n)
    return x, y


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20140820)
    n = 240
    x = rng.standard_normal(n)
    y = 0.7 * x + 0.5 * rng.standard_normal(n)
    z = 0.5 * y + rng.standard_normal(n)
    w = rng.standard_normal((n, 2)) * [1.0, 3.0] + x[:, None]
    lab = (x + 0.5 * rng.standard_normal(n) > 0).astype(int) + (rng.random(n) < 0.3)
    lab2 = rng.integers(0, 3, size=(n, 2))
    return {"x": x, "y": y, "z": z, "w": w, "lab": lab, "lab2": lab2}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)


# --------------------------------------------------------------------------------------------
# continuous estimators against brute force


@pytest.mark.parametrize("k", [1, 3, 5])
def test_entropy_is_kozachenko_leonenko_max_norm_in_bits(data, k):
    assert close(ee.entropy(data["x"], k=k), ref_entropy(data["x"], k) / LN2)
    assert close(ee.entropy(data["w"], k), ref_entropy(data["w"], k) / LN2)


def test_mi_is_ksg1_and_cmi_is_frenzel_pompe(data):
    x, y, z, w = data["x"], data["y"], data["z"], data["w"]
    assert close(ee.mi(x, y), ref_mi(x, y) / LN2)
    assert close(ee.mi(w, y, k=4), ref_mi(w, y, k=4) / LN2)
    assert close(ee.mi(x, y, z), ref_mi(x, y, z) / LN2)
    assert ee.cmi(x, y, z) == ee.mi(x, y, z)
    assert close(ee.cmi(w, z, y, k=2), ref_mi(w, z, y, k=2) / LN2)


def test_kldiv_is_wang_kulkarni_verdu_max_norm_and_directed(data):
    x, w = data["x"], data["w"]
    rng = np.random.default_rng(5)
    xp = 1.5 * rng.standard_normal(180) + 0.5
    assert close(ee.kldiv(x, xp), ref_kldiv(x, xp, 3) / LN2)
    assert close(ee.kldiv(xp, x, k=1), ref_kldiv(xp, x, 1) / LN2)
    assert not close(ee.kldiv(x, xp), ee.kldiv(xp, x))
    wp = rng.standard_normal((150, 2)) * 2.0
    assert close(ee.kldiv(w, wp, 2), ref_kldiv(w, wp, 2) / LN2)
    assert close(ee.kldiv(w, wp, k=150), ref_kldiv(w, wp, 150) / LN2)  # k = len(xp) is valid


def test_centropy_tc_ctc_corex_are_npeets_combinations(data):
    x, y, z, w = data["x"], data["y"], data["z"], data["w"]
    xs = np.c_[x, y, z]
    k = 3
    h = lambda *a: ref_entropy(np.column_stack(a), k)
    assert close(ee.centropy(x, y), (h(x, y) - h(y)) / LN2)
    assert close(ee.tc(xs), (h(x) + h(y) + h(z) - h(x, y, z)) / LN2)
    ctc = sum(h(c, w) - h(w) for c in (x, y, z)) - (h(x, y, z, w) - h(w))
    assert close(ee.ctc(xs, w), ctc / LN2)
    corex = sum(ref_mi(c, w) for c in (x, y, z)) - ref_mi(xs, w)
    assert close(ee.corex(xs, w), corex / LN2)
    assert ee.tc(x) == 0.0  # one column


# --------------------------------------------------------------------------------------------
# conventions: names and signatures, units, argument order, input forms, determinism

_W = (("k", 3), ("base", 2), ("warning", True))
#: NPEET's public functions (npeet/entropy_estimators.py at 8b0d948): positional parameters
#: and defaults (None: required)
NPEET_SIGNATURES = {
    "entropy": (("x", None), ("k", 3), ("base", 2)),
    "centropy": (("x", None), ("y", None), ("k", 3), ("base", 2)),
    "tc": (("xs", None), ("k", 3), ("base", 2)),
    "ctc": (("xs", None), ("y", None), ("k", 3), ("base", 2)),
    "corex": (("xs", None), ("ys", None), ("k", 3), ("base", 2)),
    "mi": (("x", None), ("y", None), ("z", None), ("k", 3), ("base", 2), ("alpha", 0)),
    "cmi": (("x", None), ("y", None), ("z", None), ("k", 3), ("base", 2)),
    "kldiv": (("x", None), ("xp", None), ("k", 3), ("base", 2)),
    "entropyd": (("sx", None), ("base", 2)),
    "midd": (("x", None), ("y", None), ("base", 2)),
    "cmidd": (("x", None), ("y", None), ("z", None), ("base", 2)),
    "centropyd": (("x", None), ("y", None), ("base", 2)),
    "tcd": (("xs", None), ("base", 2)),
    "ctcd": (("xs", None), ("y", None), ("base", 2)),
    "corexd": (("xs", None), ("ys", None), ("base", 2)),
    "micd": (("x", None), ("y", None), *_W),
    "midc": (("x", None), ("y", None), *_W),
    "centropycd": (("x", None), ("y", None), *_W),
    "centropydc": (("x", None), ("y", None), *_W),
    "ctcdc": (("xs", None), ("y", None), *_W),
    "ctccd": (("xs", None), ("y", None), *_W),
    "corexcd": (("xs", None), ("ys", None), *_W),
    "corexdc": (("xs", None), ("ys", None), *_W),
    "shuffle_test": (("measure", None), ("x", None), ("y", None), ("z", False), ("ns", 200),
                     ("ci", 0.95)),
}


def test_names_and_signatures_are_npeets():
    import inspect

    import fastentropy

    assert sorted(ee.__all__) == sorted(NPEET_SIGNATURES)
    assert not set(ee.__all__) & set(fastentropy.__all__) - {"entropy"}
    assert fastentropy.entropy is not ee.entropy  # a submodule: nothing shadowed at the top
    for name, want in NPEET_SIGNATURES.items():
        params = [
            p for p in inspect.signature(getattr(ee, name)).parameters.values()
            if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        got = tuple(
            (p.name, None if p.default is inspect.Parameter.empty else p.default) for p in params
        )
        if name == "mi":  # z=None is a default in NPEET, not a required argument
            assert params[2].default is None
        assert got == want, name



def test_bits_by_default_and_base(data):
    x, y = data["x"], data["y"]
    nats = ee.mi(x, y, base=math.e)
    assert close(ee.mi(x, y), nats / LN2)
    assert close(ee.mi(x, y, base=10), nats / math.log(10))
    assert close(ee.mi(x, y, base=None), nats)
    assert close(ee.entropy(x, base=math.e), ee.entropy(x) * LN2)
    assert close(ee.entropyd(data["lab"], base=math.e), ee.entropyd(data["lab"]) * LN2)
    assert close(ee.micd(x, data["lab"], 3, math.e), ee.micd(x, data["lab"]) * LN2)


def test_positional_argument_order_is_npeets(data):
    x, y, z = data["x"], data["y"], data["z"]
    assert ee.mi(x, y, z, 5, 10) == ee.mi(x, y, z=z, k=5, base=10)
    assert ee.mi(x, y, None, 4, 2, 0.5) == ee.mi(x, y, k=4, alpha=0.5)
    assert ee.entropy(x, 4, 10) == ee.entropy(x, k=4, base=10)
    assert ee.kldiv(x, y, 2, 10) == ee.kldiv(x, y, k=2, base=10)
    assert ee.micd(x, data["lab"], 4, 10, False) == ee.micd(
        x, data["lab"], k=4, base=10, warning=False
    )
    assert ee.cmidd(data["lab"], data["lab2"][:, 0], data["lab2"][:, 1], 10) == ee.cmidd(
        data["lab"], data["lab2"][:, 0], data["lab2"][:, 1], base=10
    )


def test_lists_of_lists_and_1d_input_give_the_same_values(data):
    x, y, z = data["x"], data["y"], data["z"]
    lx, ly, lz = ([[v] for v in a.tolist()] for a in (x, y, z))
    assert ee.mi(lx, ly) == ee.mi(x, y) == ee.mi(x[:, None], y[:, None])
    assert ee.mi(lx, ly, lz) == ee.mi(x, y, z)
    assert ee.entropy(lx) == ee.entropy(x)
    assert ee.kldiv(lx, ly) == ee.kldiv(x, y)
    labels = data["lab"].tolist()
    assert ee.entropyd(labels) == ee.entropyd([[v] for v in labels]) == ee.entropyd(data["lab"])
    assert ee.micd(lx, [[v] for v in labels]) == ee.micd(x, data["lab"])


def test_values_are_deterministic_and_offset_free(data):
    x, y = data["x"], data["y"]
    assert ee.mi(x, y) == ee.mi(x, y)
    assert ee.entropy(data["w"]) == ee.entropy(data["w"])
    # centring before the noise: a large offset changes nothing but rounding (NPEET's absolute
    # 1e-10 noise is below the rounding of data at 1e6 and cannot break its ties)
    assert math.isclose(ee.mi(x + 1e6, y - 3e5), ee.mi(x, y), rel_tol=1e-6)
    tied = np.round(np.random.default_rng(3).standard_normal((300, 1)) * 20)
    with pytest.warns(UserWarning, match="distinct values"):
        a = ee.entropy(tied)
    with pytest.warns(UserWarning, match="distinct values"):
        b = ee.entropy(tied + 1e8)
    assert math.isfinite(a) and math.isclose(a, b, rel_tol=1e-6)


def test_gaussian_closed_forms():
    x, y = _gauss(3000, 0.6, 11)
    truth = -0.5 * math.log2(1 - 0.36)
    assert abs(ee.mi(x, y) - truth) < 0.04
    assert abs(ee.entropy(x) - 0.5 * math.log2(2 * math.pi * math.e)) < 0.05
    _, w = _gauss(3000, 0.0, 12)
    assert abs(ee.mi(x, w)) < 0.03
    # D(N(0,1) || N(1, 2^2)) = log 2 + (1 + 1) / 8 - 1/2
    rng = np.random.default_rng(13)
    xp = 1.0 + 2.0 * rng.standard_normal(3000)
    kl = (math.log(2.0) + 2.0 / 8.0 - 0.5) / LN2
    assert abs(ee.kldiv(x, xp) - kl) < 0.05


def test_values_do_not_depend_on_the_thread_count():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    x, y = _gauss(40_000, 0.5, 41)  # large enough for the kernels to use several threads
    lab = (x > 0.3).astype(int)
    calls = (
        lambda: ee.mi(x, y, k=4, alpha=0.3),
        lambda: ee.mi(x, y, x + y),
        lambda: ee.entropy(np.c_[x, y]),
        lambda: ee.kldiv(x, y),
        lambda: ee.micd(y, lab),
    )
    want = []
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        want = [f() for f in calls]
    for n in (2, 3):
        with threadpoolctl.threadpool_limits(n, user_api="openmp"):
            assert [f() for f in calls] == want


# --------------------------------------------------------------------------------------------
# the LNC correction


def test_lnc_correction_matches_its_definition(data):
    x, w = data["x"], data["w"]
    for xx, yy, k, alpha in ((x, data["y"], 3, 0.5), (w, data["y"], 5, 0.3), (x, w, 4, 1.0)):
        pts = np.hstack([_col(xx), _col(yy)])
        diff = ee.mi(xx, yy, k=k, alpha=alpha) - ee.mi(xx, yy, k=k)
        ref = ref_lnc(pts, k, alpha) / LN2
        assert ref > 0
        assert math.isclose(diff, ref, rel_tol=1e-7, abs_tol=1e-9)


def test_lnc_corrects_strong_dependence():
    rng = np.random.default_rng(21)
    x = rng.standard_normal(1000)
    s = 1e-3
    y = x + s * rng.standard_normal(1000)
    truth = 0.5 * math.log2((1 + s * s) / (s * s))  # ~9.97 bits
    ksg = ee.mi(x, y, k=5)
    lnc = ee.mi(x, y, k=5, alpha=0.5)
    assert truth - ksg > 2.0  # KSG's known underestimate
    assert abs(lnc - truth) < 0.5
    # weak dependence: a small alpha leaves KSG alone
    a, b = _gauss(1000, 0.5, 22)
    assert ee.mi(a, b, k=5, alpha=0.05) == ee.mi(a, b, k=5)


def test_lnc_refusals(data):
    x, y, z = data["x"], data["y"], data["z"]
    with pytest.raises(ValueError, match="^alpha"):
        ee.mi(x, y, z, alpha=0.5)
    with pytest.raises(ValueError, match="^alpha"):
        ee.mi(data["w"], y, k=2, alpha=0.5)  # 3 joint dimensions, 2 neighbours
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(ValueError, match="^alpha"):
            ee.mi(x, y, alpha=bad)
    with pytest.raises(TypeError, match="^alpha"):
        ee.mi(x, y, alpha="0.5")


# --------------------------------------------------------------------------------------------
# discrete estimators against counters


def test_discrete_estimators_are_plug_in(data):
    a, (b, c) = data["lab"], data["lab2"].T
    h = lambda *cols: ref_hd(*cols) / LN2
    assert close(ee.entropyd(a), h(a))
    assert close(ee.midd(a, b), h(a) + h(b) - h(a, b))
    assert close(ee.cmidd(a, b, c), h(a, c) + h(b, c) - h(a, b, c) - h(c))
    assert close(ee.centropyd(a, b), h(a, b) - h(b))
    xs = np.c_[a, b, c]
    assert close(ee.tcd(xs), h(a) + h(b) + h(c) - h(a, b, c))
    y = (a + b) % 2
    ctc = sum(h(col, y) - h(y) for col in (a, b, c)) - (h(a, b, c, y) - h(y))
    assert close(ee.ctcd(xs, y), ctc)
    mi = lambda u, v: h(u) + h(v) - h(u, v)
    assert close(ee.corexd(xs, y), mi(a, y) + mi(b, y) + mi(c, y) - mi(np.c_[a, b, c], y))


def test_discrete_labels_strings_rows_and_floats():
    words = ["a", "b", "a", "c", "b", "a"]
    assert close(ee.entropyd(words), ref_hd(np.array(words)) / LN2)
    rows = [[1, 2], [1, 2], [2, 1], [1, 1]]
    assert close(ee.entropyd(rows), 1.5)  # symbols (1,2) x2, (2,1), (1,1)
    assert ee.entropyd([0.5, 0.5, 1.5, 1.5]) == 1.0
    assert ee.midd(words, [1, 2, 1, 3, 2, 1]) == ee.entropyd(words)  # a bijection
    assert close(ee.midd([True, False, True, False], [0, 1, 2, 3]), 1.0)
    with pytest.raises(ValueError, match="^x"):
        ee.midd([0.0, math.nan], [0, 1])
    with pytest.raises(TypeError, match="^sx"):
        ee.entropyd(np.array([{}, {}], dtype=object))


# --------------------------------------------------------------------------------------------
# mixed estimators


def test_micd_midc_against_per_class_entropies(data):
    x, lab = data["x"], data["lab"]
    assert close(ee.micd(x, lab), ref_micd(x, lab, 3) / LN2)
    assert close(ee.micd(data["w"], lab, k=2), ref_micd(data["w"], lab, 2) / LN2)
    assert ee.midc(lab, x) == ee.micd(x, lab)
    assert ee.micd(x, lab[:, None]) == ee.micd(x, lab)


def test_micd_small_classes_get_h_x_with_a_warning(data):
    x = data["x"]
    lab = np.zeros(len(x), dtype=int)
    lab[:3] = 1  # 3 members: too few for k = 3
    lab[3:5] = 2
    with pytest.warns(UserWarning, match="^y: 2 class"):
        got = ee.micd(x, lab)
    assert close(got, ref_micd(x, lab, 3) / LN2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ee.micd(x, lab, warning=False) == got
        assert close(ee.micd(x, lab, k=1), ref_micd(x, lab, 1) / LN2)  # every class is enough


def test_conditional_and_composite_mixed_estimators(data):
    x, y, lab, lab2 = data["x"], data["y"], data["lab"], data["lab2"]
    k = 3
    hx = ref_entropy(x, k)
    micd = lambda c, d: ref_micd(c, d, k)
    # centropycd uses k for H(x) (NPEET passes base as k)
    assert close(ee.centropycd(x, lab), (hx - micd(x, lab)) / LN2)
    assert close(ee.centropycd(x, lab, k=5), (ref_entropy(x, 5) - ref_micd(x, lab, 5)) / LN2)
    # centropydc(x discrete, y continuous) = H(x | y)
    assert close(ee.centropydc(lab, x), (ref_hd(lab) - micd(x, lab)) / LN2)
    # ctcdc: discrete columns given continuous y
    cols = [lab, lab2[:, 0], lab2[:, 1]]
    xs = np.column_stack(cols)
    rows = np.unique(xs, axis=0, return_inverse=True)[1].reshape(-1)
    cent = lambda d: ref_hd(d) - micd(y, d)
    assert close(ee.ctcdc(xs, y), (sum(cent(c) for c in cols) - cent(rows)) / LN2)
    # ctccd: continuous columns given discrete y; not 0 for one-column y (NPEET's is)
    xc = np.c_[x, y]
    centc = lambda c: ref_entropy(c, k) - micd(c, lab)
    want = centc(x) + centc(y) - centc(xc)
    assert close(ee.ctccd(xc, lab), want / LN2) and abs(want) > 1e-3
    # corexcd sums over the continuous columns; corexdc over the discrete ones
    assert close(ee.corexcd(xc, lab), (micd(x, lab) + micd(y, lab) - micd(xc, lab)) / LN2)
    want = sum(micd(y, c) for c in cols) - micd(y, rows)
    assert close(ee.corexdc(xs, y), want / LN2)
    # corexdc is NPEET's tcd(xs) - ctcdc(xs, ys)
    assert math.isclose(ee.corexdc(xs, y), ee.tcd(xs) - ee.ctcdc(xs, y), abs_tol=1e-12)


def test_corexdc_is_near_zero_for_independent_sides():
    rng = np.random.default_rng(31)
    xs = rng.integers(0, 2, size=(2000, 2))
    ys = rng.standard_normal(2000)
    assert abs(ee.corexdc(xs, ys)) < 0.05  # NPEET's composition gives about -H(ys), -2 bits


# --------------------------------------------------------------------------------------------
# shuffle_test


def test_shuffle_test_statistics_follow_npeets_indices():
    x = np.arange(50.0)[:, None]
    first = lambda a, b: a[0, 0]
    mean, (lo, hi) = ee.shuffle_test(first, x, x, ns=40, ci=0.9, random_state=4)
    rng = np.random.default_rng(4)
    outs = sorted(float(x[rng.permutation(50)][0, 0]) for _ in range(40))
    assert mean == np.mean(outs)
    assert (lo, hi) == (outs[int((1 - 0.9) / 2 * 40)], outs[int((1 + 0.9) / 2 * 40)])
    _, (_, top) = ee.shuffle_test(first, x, x, ns=10, ci=0.99)
    assert top <= 49.0  # the upper index is capped (NPEET: IndexError at ns=10, ci=0.99)


def test_shuffle_test_on_estimators(data):
    x, y, z = data["x"], data["y"], data["z"]
    mean, (lo, hi) = ee.shuffle_test(ee.mi, x, y, ns=30)
    assert lo <= mean <= hi and abs(mean) < 0.1 and ee.mi(x, y) > hi
    assert ee.shuffle_test(ee.mi, x, y, ns=30) == (mean, (lo, hi))
    assert ee.shuffle_test(ee.mi, x, y, ns=30, random_state=1) != (mean, (lo, hi))
    m_z, _ = ee.shuffle_test(ee.mi, x, y, z, ns=10, k=5)  # an array z and kwargs pass through
    rng = np.random.default_rng(ee.DEFAULT_SEED)
    want = np.mean([ee.mi(x[rng.permutation(len(x))], y, z, k=5) for _ in range(10)])
    assert m_z == want
    m_d, _ = ee.shuffle_test(ee.midd, data["lab"], data["lab2"][:, 0], ns=10)
    assert abs(m_d) < 0.1


# --------------------------------------------------------------------------------------------
# a few bad inputs (the zoo walk covers the rest: tests/rows/npeet.py)


def test_bad_input_names_the_argument(data):
    x, y = data["x"], data["y"]
    with pytest.raises(ValueError, match="^y must have as many samples as x"):
        ee.mi(x, y[:-1])
    with pytest.raises(ValueError, match="^x: column 0 is constant"):
        ee.entropy(np.ones(10))
    with pytest.raises(ValueError, match="^k must be smaller"):
        ee.entropy(x[:5], k=5)
    with pytest.raises(ValueError, match="^x: some samples"):
        ee.kldiv(np.r_[x[:10], x[:10]], y, k=1)
    with pytest.raises(ValueError, match="^xp must have as many columns"):
        ee.kldiv(data["w"], y)
    with pytest.raises(ValueError, match="^xs must have as many samples as y|^y must"):
        ee.ctcdc(data["lab2"][:-1], y)
    with pytest.raises(TypeError, match="^warning"):
        ee.micd(x, data["lab"], warning="yes")
    with pytest.raises(TypeError, match="^measure"):
        ee.shuffle_test(3, x, y)
    with pytest.raises(ValueError, match="^ci"):
        ee.shuffle_test(ee.mi, x, y, ci=1.0)
    with pytest.raises(ValueError, match="^ns"):
        ee.shuffle_test(ee.mi, x, y, ns=0)
