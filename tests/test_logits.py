"""Information quantities from logits: kernel vs twin, numerics against mpmath, masking, huge
logits, T -> 0, storage dtypes read in place, torch interop, gradients and bad input."""
import math
import tracemalloc

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as ss
from _kernel_pairs import pair
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fastentropy as fe

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None
try:
    import ml_dtypes
except ImportError:  # pragma: no cover - ml_dtypes is optional
    ml_dtypes = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed (pip install torch)")
needs_ml_dtypes = pytest.mark.skipif(ml_dtypes is None, reason="ml_dtypes is not installed")
mpmath = pytest.importorskip("mpmath")

KINDS = {0: np.float64, 1: np.float32, 2: np.float16}


# ------------------------------------------------------------------------------ references
def _mp_softmax(row, T=1.0):
    mpmath.mp.prec = 200
    v = [mpmath.mpf(float(x)) / T if np.isfinite(x) else None for x in row]
    m = max(x for x in v if x is not None)
    e = [mpmath.exp(x - m) if x is not None else mpmath.mpf(0) for x in v]
    s = sum(e)
    return [x / s for x in e]


def _mp_entropy(row, T=1.0):
    p = _mp_softmax(row, T)
    return float(-sum(x * mpmath.log(x) for x in p if x > 0))


def _mp_kl(a, b, T=1.0):
    p, q = _mp_softmax(a, T), _mp_softmax(b, T)
    return float(sum(x * mpmath.log(x / y) for x, y in zip(p, q) if x > 0))


def _mp_js(a, b, T=1.0):
    p, q = _mp_softmax(a, T), _mp_softmax(b, T)
    m = [(x + y) / 2 for x, y in zip(p, q)]
    kl = lambda u: sum(x * mpmath.log(x / y) for x, y in zip(u, m) if x > 0)
    return float((kl(p) + kl(q)) / 2)


def _close(a, b, rtol=1e-12, atol=1e-300):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


# ------------------------------------------------------------------------------ strategies
_logit = st.one_of(
    st.floats(-30.0, 30.0),
    st.just(-np.inf),
    st.floats(-1e6, 1e6),
    st.sampled_from([0.0, 1.0, -1.0]),
)


@st.composite
def _logit_rows(draw, rows=None, n=None, kind=None):
    r = draw(st.integers(1, 5)) if rows is None else rows
    n = draw(st.integers(1, 300)) if n is None else n
    x = draw(hnp.arrays(np.float64, (r, n), elements=_logit))
    x[:, draw(st.integers(0, n - 1))] = draw(st.floats(-50, 50))  # no all -inf row
    k = draw(st.sampled_from([0, 1, 2])) if kind is None else kind
    with np.errstate(over="ignore"):
        xs = x.astype(KINDS[k])
    xs[~np.isfinite(xs) & (x > 0)] = 60.0  # float16 overflow: keep it finite
    return xs, k


def _bytes(a):
    if a.dtype == np.float16:
        a = a.view(np.uint16)
    return a.view(np.uint8)


_T = st.sampled_from([1.0, 2.0, 0.5, 0.1, 7.3, 1e-3])


def _softmax_both(x, k, T, want=(True, True, True), okind=0):
    ker, twin = pair("logits")
    R, n = x.shape
    res = []
    for mod, nt in ((ker, 3), (twin, 1)):
        lse, ent, status = np.empty(R), np.empty(R), np.zeros(R, np.int8)
        dt = np.float64 if okind == 0 else np.float32
        outs = [np.empty((R, n), dt) if w else None for w in want]
        views = [o.view(np.uint8) if o is not None else np.empty((0, 0), np.uint8) for o in outs]
        mod.softmax_rows(_bytes(x), k, T, 0.7, lse, ent, *views, okind, status, nt)
        res.append((lse, ent, status, outs))
    return res


# ------------------------------------------------------------------------------ kernel vs twin
@given(_logit_rows(), _T)
def test_softmax_rows_kernel_vs_twin(xk, T):
    x, k = xk
    (l1, e1, s1, o1), (l2, e2, s2, o2) = _softmax_both(x, k, T)
    np.testing.assert_array_equal(s1, s2)
    _close(l1, l2, rtol=1e-13)
    _close(e1, e2, rtol=1e-11, atol=1e-13)
    for a, b in zip(o1, o2):
        _close(a, b, rtol=1e-11, atol=1e-13)


@given(_logit_rows(kind=1), _T)
def test_softmax_rows_float32_outputs_kernel_vs_twin(xk, T):
    x, k = xk
    (_, e1, _, o1), (_, e2, _, o2) = _softmax_both(x, k, T, okind=1)
    _close(e1, e2, rtol=1e-11, atol=1e-13)
    for a, b in zip(o1, o2):
        assert a.dtype == np.float32
        _close(a, b, rtol=2e-7, atol=1e-30)


@st.composite
def _pairs(draw):
    n = draw(st.integers(1, 200))
    r = draw(st.integers(1, 4))
    k = draw(st.sampled_from([0, 1, 2]))
    p, _ = draw(_logit_rows(rows=r, n=n, kind=k))
    if draw(st.booleans()):  # near-identical rows: the accurate route
        scale = draw(st.sampled_from([1e-9, 1e-6, 1e-3]))
        noise = draw(hnp.arrays(np.float64, (r, n), elements=st.floats(-1, 1)))
        with np.errstate(invalid="ignore"):
            q = (p.astype(np.float64) + scale * noise).astype(p.dtype)
        q[np.isneginf(p)] = -np.inf
    else:
        q, _ = draw(_logit_rows(rows=r, n=n, kind=k))
    return p, q, k


@pytest.mark.parametrize("mode", [0, 1])
@given(pqk=_pairs(), T=_T)
def test_pair_rows_kernel_vs_twin(mode, pqk, T):
    ker, twin = pair("logits")
    p, q, k = pqk
    R, n = p.shape
    res = []
    for mod, nt in ((ker, 2), (twin, 1)):
        out = np.empty(R)
        gp, gq = np.empty((R, n)), np.empty((R, n))
        ps, qs = np.zeros(R, np.int8), np.zeros(R, np.int8)
        none = np.empty((0, 0), np.uint8)
        g = (gp.view(np.uint8), gq.view(np.uint8)) if mode == 0 else (none, none)
        mod.pair_rows(_bytes(p), _bytes(q), k, T, mode, 1.0, out, *g, 0, ps, qs, nt)
        res.append((out, gp, gq, ps, qs))
    (o1, gp1, gq1, ps1, qs1), (o2, gp2, gq2, ps2, qs2) = res
    np.testing.assert_array_equal(ps1, ps2)
    np.testing.assert_array_equal(qs1, qs2)
    assert np.all(o1[np.isfinite(o1)] >= 0.0)
    # the kernel's short route on well-conditioned rows agrees to ~1e-12 of the terms
    _close(o1, o2, rtol=2e-11, atol=1e-13)
    if mode == 0:
        fin = np.isfinite(o1)
        # dKL/dp = P (d - KL) cancels where P ~ 1: agreement relative to the terms, whose
        # size is the row's KL (rows 1e5 nats apart cancel terms of 1e5 to give ~0.1)
        scale = np.maximum(1.0, o1[fin])[:, None]
        err = np.abs(gp1[fin] - gp2[fin])
        assert np.all(err <= 1e-9 * np.abs(gp2[fin]) + 1e-10 * scale), err.max()
        _close(gq1[fin], gq2[fin], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", [0, 1, 2])
@given(data=st.data(), T=_T, eps=st.sampled_from([0.0, 0.1, 1.0]))
def test_cross_entropy_rows_kernel_vs_twin(mode, data, T, eps):
    ker, twin = pair("logits")
    x, k = data.draw(_logit_rows())
    R, n = x.shape
    labels = np.empty(0, np.int64)
    target = np.empty((0, 0), np.uint8)
    if mode == 0:
        labels = data.draw(hnp.arrays(np.int64, R, elements=st.integers(-1, n - 1)))
    elif mode == 1:
        w = data.draw(hnp.arrays(np.float64, (R, n), elements=st.floats(0, 1)))
        w[:, 0] += 0.5
        target = _bytes((w / w.sum(1, keepdims=True)).astype(KINDS[k]))
    else:
        t, _ = data.draw(_logit_rows(rows=R, n=n, kind=k))
        target = _bytes(t)
    res = []
    for mod, nt in ((ker, 2), (twin, 1)):
        out, ts = np.empty(R), np.empty((R, 2))
        s, tst = np.zeros(R, np.int8), np.zeros(R, np.int8)
        mod.cross_entropy_rows(_bytes(x), k, T, mode, labels, target, eps, out, ts, s, tst, nt)
        res.append((out, ts, s, tst))
    for a, b in zip(res[0], res[1]):
        _close(a, b, rtol=1e-11, atol=1e-12)


@given(data=st.data(), T=_T)
def test_uncertainty_rows_kernel_vs_twin(data, T):
    ker, twin = pair("logits")
    M = data.draw(st.integers(1, 6))
    x, k = data.draw(_logit_rows(rows=M * data.draw(st.integers(1, 3))))
    R = x.shape[0] // M
    x3 = x.reshape(R, M, -1)
    if data.draw(st.booleans()):  # near-identical members
        x3 = np.repeat(x3[:, :1], M, axis=1)
        with np.errstate(invalid="ignore"):
            x3 = (x3 + 1e-7 * np.arange(M)[None, :, None]).astype(x.dtype)
    res = []
    for mod, nt in ((ker, 2), (twin, 1)):
        out, s = np.empty((R, 5)), np.zeros(R, np.int8)
        mod.uncertainty_rows(_bytes(np.ascontiguousarray(x3)), k, T, out, s, nt)
        res.append((out, s))
    np.testing.assert_array_equal(res[0][1], res[1][1])
    _close(res[0][0], res[1][0], rtol=1e-10, atol=1e-13)


# ------------------------------------------------------------------------------ one-pass route
# Rows that need no full-size output (entropy, logsumexp, KL without gradients, cross-entropy
# against labels, predictive uncertainty) take the kernel's one-pass vector route; the
# general route (every full-size output, |x| >= 2^1023, T < 2^-960) stays the reference.
def _bf16_bits(x):
    """float32 values truncated to bfloat16, as the uint16 bits the kernels read (kind 3)."""
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype(np.uint16)


def _storage(x64, kind):
    if kind == 3:
        bits = _bf16_bits(x64)
        return bits, (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    xs = x64.astype(KINDS[kind])
    return xs, xs.astype(np.float64)


def _one_pass_rows(rng):
    """Rows for every block position: the maximum (and a tie) in the first, a middle and
    the last (partial) 8-block, masked classes, z below -707 (the exp with subnormal results)
    and widths around the block and vector sizes."""
    rows = []
    for n in (1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 64, 100, 257):
        base = rng.normal(size=n) * 3
        for im in sorted({0, n // 2, n - 1, min(8, n - 1), min(16, n - 1)}):
            r = base.copy()
            r[im] = r.max() + 1.5
            rows.append(r)
            if n > 2:
                t = r.copy()
                t[(im + 9) % n] = t[im]  # a tie in another block
                rows.append(t)
                m = r.copy()
                m[(im + 1) % n] = -np.inf  # a masked class
                m[(im + 5) % n] = -np.inf
                rows.append(m)
                w = r.copy()
                w[(im + 2) % n] = r[im] - 720.0  # exp(z) subnormal
                w[(im + 3) % n] = r[im] - 800.0  # exp(z) = 0
                rows.append(w)
    return rows


def _pad(rows):
    n = max(len(r) for r in rows)
    out = np.full((len(rows), n), -np.inf)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
@pytest.mark.parametrize("T", [1.0, 0.37, 2.5])
def test_one_pass_softmax_rows_agree_with_the_twin_and_the_general_route(kind, T, rng):
    ker, twin = pair("logits")
    for width_rows in (_one_pass_rows(rng), [rng.normal(size=1000) * 4 for _ in range(9)]):
        x64 = _pad(width_rows) if len({len(r) for r in width_rows}) > 1 else np.array(width_rows)
        if kind == 2:
            x64 = np.maximum(x64, -6e4)  # float16: finite below is -65504
            x64[x64 == -6e4] = -np.inf
        xs, exact = _storage(x64, kind)
        R, n = xs.shape
        none = np.empty((0, 0), np.uint8)
        res = {}
        for name, mod, want in (("one", ker, False), ("gen", ker, True), ("twin", twin, False)):
            lse, ent, st_ = np.empty(R), np.empty(R), np.zeros(R, np.int8)
            pr = np.empty((R, n)) if want else None
            mod.softmax_rows(_bytes(xs), kind, T, 1.0, lse, ent, none,
                             pr.view(np.uint8) if want else none, none, 0, st_, 2)
            res[name] = (lse, ent, st_)
        for other in ("gen", "twin"):
            np.testing.assert_array_equal(res["one"][2], res[other][2])
            _close(res["one"][0], res[other][0], rtol=1e-14)
            _close(res["one"][1], res[other][1], rtol=1e-13, atol=1e-300)
        assert (res["one"][2] == 0).all()
        # and the facade on the same values stored as float64
        if kind < 3:
            _close(fe.softmax_entropy(xs, temperature=T), fe.softmax_entropy(exact, temperature=T),
                   rtol=1e-13)


def test_one_pass_ties_and_tiny_masses_in_every_block(rng):
    # two equal maxima in any two blocks (one of them possibly the tail): ln 2 exactly
    for n in (9, 17, 33, 100):
        for i, j in ((0, n - 1), (3, 11 % n), (n - 1, n // 2)):
            if i == j:
                continue
            x = np.full(n, -np.inf)
            x[i] = x[j] = 2.5
            for dt in (np.float64, np.float32):
                assert fe.softmax_entropy(x.astype(dt)) == pytest.approx(math.log(2), rel=1e-15)
            # the rest 50 below: S - 1 is summed off one maximum, so the tiny mass survives
            y = np.where(np.isinf(x), 2.5 - 50.0, x)
            assert fe.softmax_entropy(y) == pytest.approx(_mp_entropy(y), rel=1e-13)
    # the maximum alone in the tail block, everything else 45 below
    x = np.full(21, -45.0)
    x[20] = 0.0
    assert fe.softmax_entropy(x) == pytest.approx(_mp_entropy(x), rel=1e-14)
    assert fe.softmax_entropy(x.astype(np.float32)) == pytest.approx(_mp_entropy(x), rel=1e-14)


@pytest.mark.parametrize("where", [0, 5, 8, 16, 20])
def test_one_pass_rows_report_nan_and_inf_anywhere(where):
    for dt in (np.float64, np.float32):
        for bad, what in ((np.nan, "NaN"), (np.inf, r"\+inf")):
            x = np.zeros((3, 21), dt)
            x[1, where] = bad
            with pytest.raises(ValueError, match=rf"logits contains {what} in row 1"):
                fe.softmax_entropy(x)
            with pytest.raises(ValueError, match=rf"contains {what} in row 1"):
                fe.softmax_kl_divergence(x[::-1].copy(), x)


@pytest.mark.parametrize("kind", [0, 1, 2, 3])
@pytest.mark.parametrize("T", [1.0, 2.0, 0.3])
def test_one_pass_kl_rows_agree_with_the_twin_and_the_gradient_route(kind, T, rng):
    ker, twin = pair("logits")
    rows = _one_pass_rows(rng)
    p64 = _pad(rows)
    q64 = _pad([r[::-1].copy() for r in rows])
    q64[::4] = p64[::4] + rng.normal(size=p64[::4].shape)  # rows that share their masks
    q64[1::4] = np.where(np.isneginf(p64[1::4]), -np.inf, rng.normal(size=p64[1::4].shape))
    fin = np.flatnonzero(np.isfinite(p64[-1]))
    q64[-1] = p64[-1]
    q64[-1, fin[::3]] = -np.inf  # p has mass where q is masked: KL = +inf
    if kind == 2:
        p64, q64 = np.maximum(p64, -6e4), np.maximum(q64, -6e4)
        p64[p64 == -6e4] = -np.inf
        q64[q64 == -6e4] = -np.inf
    (ps, pe), (qs, qe) = _storage(p64, kind), _storage(q64, kind)
    R, n = ps.shape
    none = np.empty((0, 0), np.uint8)
    res = {}
    for name, mod, grad in (("one", ker, False), ("gen", ker, True), ("twin", twin, False)):
        out, s1, s2 = np.empty(R), np.zeros(R, np.int8), np.zeros(R, np.int8)
        g = np.empty((R, n)).view(np.uint8) if grad else none
        mod.pair_rows(_bytes(ps), _bytes(qs), kind, T, 0, 1.0, out, g, none, 0, s1, s2, 2)
        res[name] = (out, s1, s2)
    for other in ("gen", "twin"):
        np.testing.assert_array_equal(res["one"][1], res[other][1])
        np.testing.assert_array_equal(res["one"][2], res[other][2])
        _close(res["one"][0], res[other][0], rtol=1e-12, atol=1e-300)
    kl = res["one"][0]
    assert np.isinf(kl).any() and np.isfinite(kl).any()  # mass where q is masked: +inf
    assert (kl[np.isfinite(kl)] >= 0).all()
    if kind < 3:
        fin = np.isfinite(kl)
        ref = [_mp_kl(a, b, T) for a, b in zip(pe[fin][::7], qe[fin][::7])]
        _close(kl[fin][::7], ref, rtol=1e-12, atol=1e-300)


def test_one_pass_cross_entropy_against_labels(rng):
    rows = _one_pass_rows(rng)
    x = _pad(rows)
    lab = np.array([int(np.argmax(r)) if i % 3 else (i % len(r)) for i, r in enumerate(rows)])
    lp = fe.log_softmax(x)  # the general route
    ref = -lp[np.arange(len(rows)), lab]
    for dt in (np.float64, np.float32):
        _close(fe.softmax_cross_entropy(x.astype(dt), lab, reduction="none"),
               -fe.log_softmax(x.astype(dt))[np.arange(len(rows)), lab], rtol=1e-13, atol=1e-300)
    _close(fe.softmax_cross_entropy(x, lab, reduction="none"), ref, rtol=1e-13, atol=1e-300)


def test_one_pass_routes_are_bitwise_identical_for_any_thread_count(rng):
    rows = _pad(_one_pass_rows(rng))
    y = rows[::-1].copy()
    e3 = (rng.normal(size=(4, 50, 37)) * 3).astype(np.float32)
    e3[:, ::3, 5] = -np.inf
    calls = (
        lambda nj: fe.softmax_entropy(rows.astype(np.float32), n_jobs=nj),
        lambda nj: fe.logsumexp(rows, temperature=0.3, n_jobs=nj),
        lambda nj: fe.softmax_kl_divergence(rows, y, temperature=2.0, n_jobs=nj),
        lambda nj: fe.softmax_cross_entropy(rows, np.zeros(len(rows), np.int64), n_jobs=nj),
        lambda nj: np.stack(fe.predictive_uncertainty(e3, n_jobs=nj)),
    )
    for call in calls:
        ref = call(1)
        for nj in (2, 3, -1):
            np.testing.assert_array_equal(call(nj), ref)


# ------------------------------------------------------------------------------ numerics
def test_matches_scipy_on_ordinary_logits(rng):
    x = rng.normal(size=(20, 37)) * 3
    y = rng.normal(size=(20, 37)) * 3
    for T in (1.0, 2.0, 0.3):
        P, Q = sp.softmax(x / T, axis=-1), sp.softmax(y / T, axis=-1)
        # (scipy, from probabilities, loses digits on small entropies; we do not)
        _close(fe.softmax_entropy(x, temperature=T), ss.entropy(P, axis=-1), rtol=1e-11)
        _close(fe.logsumexp(x, temperature=T), sp.logsumexp(x / T, axis=-1), rtol=1e-14)
        _close(fe.log_softmax(x, temperature=T), sp.log_softmax(x / T, axis=-1), rtol=1e-10,
               atol=1e-15)
        _close(fe.softmax_kl_divergence(x, y, temperature=T), sp.rel_entr(P, Q).sum(-1),
               rtol=1e-12)
        M = (P + Q) / 2
        js = 0.5 * (sp.rel_entr(P, M).sum(-1) + sp.rel_entr(Q, M).sum(-1))
        _close(fe.softmax_jensen_shannon(x, y, temperature=T), js, rtol=1e-12)
        _close(fe.softmax_cross_entropy(x, Q, temperature=T), -(Q * np.log(P)).sum(-1),
               rtol=1e-12)
    _close(fe.softmax_entropy(x, base=2), ss.entropy(sp.softmax(x, -1), axis=-1, base=2))
    _close(fe.softmax_entropy(x.T, axis=0), fe.softmax_entropy(x), rtol=1e-15)


def test_tiny_entropies_keep_relative_accuracy():
    # the top logit 40, 60, 300 above the rest: S = 1 + ~1e-18; log(S) would lose it all
    for gap in (40.0, 60.0, 300.0, 700.0):
        row = np.array([0.0, -gap, -gap - 5.0, -gap - 1.0])
        ref = _mp_entropy(row)
        assert fe.softmax_entropy(row) == pytest.approx(ref, rel=1e-14)
        assert fe.softmax_entropy(row.astype(np.float32)) == pytest.approx(ref, rel=1e-14)
        got = fe.softmax_cross_entropy(row, np.array(0))
        mpmath.mp.prec = 200
        assert got == pytest.approx(-float(mpmath.log(_mp_softmax(row)[0])), rel=1e-14)
    # scipy loses ~2 % here (the point of log1p)
    row = np.array([0.0, -40.0, -45.0])
    assert abs(ss.entropy(sp.softmax(row)) / _mp_entropy(row) - 1) > 1e-3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("v", [1e4, 1e8, 1e16])
def test_huge_logits(dtype, v):
    if dtype == np.float32 and v > 1e38:
        pytest.skip("not representable")
    x = np.array([v, v, 0.0], dtype=dtype)
    assert fe.softmax_entropy(x) == pytest.approx(math.log(2), rel=1e-15)
    assert fe.softmax_entropy(x, temperature=1e3) == pytest.approx(
        _mp_entropy(x.astype(np.float64), 1e3), rel=1e-12)
    lse = fe.logsumexp(x)
    assert lse == pytest.approx(float(dtype(v)) + math.log(2), rel=1e-15)
    np.testing.assert_allclose(
        fe.log_softmax(x), [-math.log(2), -math.log(2), -float(dtype(v)) - math.log(2)],
        rtol=1e-15)
    assert fe.softmax_kl_divergence(x, x[::-1].copy()) > 0
    assert fe.softmax_kl_divergence(x, x) == 0.0
    # beyond 2^1023 in float64: x - max would overflow, the halved route does not
    big = np.array([1.7e308, -1.7e308, 1.7e308])
    assert fe.softmax_entropy(big, temperature=1e308) == pytest.approx(
        _mp_entropy(big, 1e308), rel=1e-12)


@needs_torch
def test_torch_categorical_fails_where_we_do_not():
    x = torch.tensor([1e8, 1e8, 0.0], dtype=torch.float32)
    torch_h = float(torch.distributions.Categorical(logits=x).entropy())
    assert abs(torch_h - math.log(2)) > 0.1  # the documented failure of logits - logsumexp
    assert fe.softmax_entropy(x) == pytest.approx(math.log(2), rel=1e-15)


def test_temperature_to_zero_tends_to_the_tied_maxima():
    x = np.array([[3.0, 3.0, 1.0, -np.inf, 3.0], [1.0, 2.0, 2.0 - 1e-12, 0.0, -5.0]])
    for T in (1e-3, 1e-10, 1e-100, 1e-300, 5e-324):
        h = fe.softmax_entropy(x, temperature=T)
        assert np.isfinite(h).all()
        assert h[0] == pytest.approx(math.log(3), rel=1e-14)
    assert fe.softmax_entropy(x[1], temperature=1e-300) == 0.0
    # tiny T but differences at the same scale: still the exact softmax
    y = np.array([0.0, -2e-320, -5e-321])
    assert fe.softmax_entropy(y, temperature=1e-320) == pytest.approx(
        _mp_entropy([0.0, -2.0, -0.5]), rel=1e-2)  # inputs are subnormal, only ~3 digits
    H, g = fe.softmax_entropy(x, temperature=1e-300, return_grad=True)
    assert np.isfinite(g).all()


def test_masked_classes_contribute_exactly_zero():
    x = np.array([[1.0, -np.inf, 2.0, -np.inf, 0.5], [-np.inf, 0.0, -np.inf, -np.inf, -np.inf]])
    xm = np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]])
    H, p, g = fe.softmax_entropy(x, return_probs=True, return_grad=True)
    assert H[0] == pytest.approx(fe.softmax_entropy(xm[0]), rel=1e-15)
    assert H[1] == 0.0
    assert (p[0, [1, 3]] == 0).all() and (p[1, [0, 2, 3, 4]] == 0).all() and p[1, 1] == 1.0
    assert not np.isnan(g).any() and (g[0, [1, 3]] == 0.0).all() and (g[1] == 0.0).all()
    lp = fe.log_softmax(x)
    assert np.isneginf(lp[0, [1, 3]]).all() and lp[1, 1] == 0.0
    y = x.copy()
    y[0, 0] = 0.0
    kl, gp, gq = fe.softmax_kl_divergence(x, y, return_grad=True, grad_wrt="both")
    assert np.isfinite(kl).all() and not np.isnan(gp).any() and not np.isnan(gq).any()
    assert (gp[0, [1, 3]] == 0).all() and (gq[0, [1, 3]] == 0).all()
    # mass where q is masked: +inf, as rel_entr
    assert fe.softmax_kl_divergence([0.0, 0.0], [0.0, -np.inf]) == np.inf
    assert fe.softmax_kl_divergence([0.0, -np.inf], [0.0, 0.0]) == pytest.approx(math.log(2))
    assert fe.softmax_cross_entropy(x, np.array([1, 1])) == pytest.approx([np.inf, 0.0])
    u = fe.predictive_uncertainty(np.stack([x, x]))
    assert np.isfinite(u.total).all() and (u.epistemic <= 1e-30).all()


def test_all_masked_rows_raise_or_give_nan():
    x = np.array([[0.0, 1.0], [-np.inf, -np.inf], [2.0, 2.0]])
    with pytest.raises(ValueError, match=r"logits row 1 is all -inf"):
        fe.softmax_entropy(x)
    with pytest.raises(ValueError, match=r"row \(0, 1\) is all -inf"):
        fe.softmax_entropy(x[None])
    h = fe.softmax_entropy(x, all_masked="nan")
    assert np.isnan(h[1]) and np.isfinite(h[[0, 2]]).all()
    lp = fe.log_softmax(x, all_masked="nan")
    assert np.isnan(lp[1]).all()
    assert fe.logsumexp(x)[1] == -np.inf  # the log of an empty sum, as scipy
    with pytest.raises(ValueError, match="q_logits row 1"):
        fe.softmax_kl_divergence(np.zeros((3, 2)), x)
    assert np.isnan(fe.softmax_kl_divergence(np.zeros((3, 2)), x, all_masked="nan")[1])
    with pytest.raises(ValueError, match="all_masked"):
        fe.softmax_entropy(x, all_masked="ignore")


@pytest.mark.parametrize("bad, what", [(np.inf, r"\+inf"), (np.nan, "NaN")])
def test_inf_and_nan_logits_are_errors(bad, what):
    x = np.zeros((3, 4))
    x[2, 1] = bad
    calls = [
        lambda: fe.softmax_entropy(x),
        lambda: fe.log_softmax(x),
        lambda: fe.logsumexp(x),
        lambda: fe.softmax_cross_entropy(x, np.zeros(3, int)),
        lambda: fe.predictive_uncertainty(np.stack([x, x])),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=rf"logits contains {what} in row"):
            call()
    with pytest.raises(ValueError, match=rf"q_logits contains {what} in row 2"):
        fe.softmax_kl_divergence(np.zeros((3, 4)), x)
    with pytest.raises(ValueError, match="target contains"):
        fe.softmax_cross_entropy(np.zeros((3, 4)), x, target_is_logits=True)


def test_kl_of_near_identical_rows_is_accurate_and_never_negative(rng):
    p = rng.normal(size=(30, 64)) * 2
    for scale in (1e-4, 1e-6, 1e-8):
        q = p + scale * rng.normal(size=p.shape)
        kl = fe.softmax_kl_divergence(p, q)
        ref = np.array([_mp_kl(a, b) for a, b in zip(p[:6], q[:6])])
        np.testing.assert_allclose(kl[:6], ref, rtol=1e-9)
        js = fe.softmax_jensen_shannon(p[:3], q[:3])
        np.testing.assert_allclose(js, [_mp_js(a, b) for a, b in zip(p[:3], q[:3])], rtol=1e-9)
    # float32 rows that agree to rounding: KL is never negative (scipy's is, often)
    a = rng.normal(size=(2000, 50)).astype(np.float32)
    b = (a + np.float32(1e-6) * rng.normal(size=a.shape).astype(np.float32)).astype(np.float32)
    assert (fe.softmax_kl_divergence(a, b) >= 0).all()
    assert (fe.softmax_jensen_shannon(a, b) >= 0).all()
    P = sp.softmax(a.astype(np.float32), axis=-1)
    Q = sp.softmax(b.astype(np.float32), axis=-1)
    assert (sp.rel_entr(P, Q).sum(-1) < 0).mean() > 0.01  # what composing gives


def test_mutual_information_of_near_identical_members_is_accurate(rng):
    base = rng.normal(size=(4, 16)) * 2
    for scale in (1e-3, 1e-6):
        ens = base[None] + scale * rng.normal(size=(5, 4, 16))
        u = fe.predictive_uncertainty(ens)
        mpmath.mp.prec = 200
        for i in range(2):
            ps = [_mp_softmax(ens[m, i]) for m in range(5)]
            pbar = [sum(c) / 5 for c in zip(*ps)]
            mi = sum(sum(x * mpmath.log(x / y) for x, y in zip(p, pbar)) for p in ps) / 5
            assert u.epistemic[i] == pytest.approx(float(mi), rel=1e-7)
            assert u.total[i] == pytest.approx(_mp_entropy_from_probs(pbar), rel=1e-13)
        assert (u.epistemic >= 0).all()
        np.testing.assert_allclose(u.total, u.aleatoric + u.epistemic, rtol=1e-15)


def _mp_entropy_from_probs(p):
    return float(-sum(x * mpmath.log(x) for x in p if x > 0))


def test_predictive_uncertainty_layouts_and_scores(rng):
    ens = rng.normal(size=(6, 9, 11)) * 2  # [M, N, C]
    u = fe.predictive_uncertainty(ens)
    P = sp.softmax(ens, axis=-1)
    pbar = P.mean(0)
    _close(u.total, ss.entropy(pbar, axis=-1), rtol=1e-12)
    _close(u.aleatoric, ss.entropy(P, axis=-1).mean(0), rtol=1e-12)
    _close(u.epistemic, u.total - u.aleatoric, rtol=1e-9)
    _close(u.max_prob, pbar.max(-1), rtol=1e-14)
    srt = np.sort(pbar, -1)
    _close(u.margin, srt[:, -1] - srt[:, -2], rtol=1e-12, atol=1e-15)
    baal = np.transpose(ens, (1, 2, 0))  # [N, C, M]
    ub = fe.predictive_uncertainty(baal, member_axis=-1, axis=1)
    for a, b in zip(u, ub):
        np.testing.assert_array_equal(a, b)
    mid = np.transpose(ens, (1, 0, 2))  # [N, M, C]
    for a, b in zip(u, fe.predictive_uncertainty(mid, member_axis=1)):
        np.testing.assert_array_equal(a, b)
    u2 = fe.predictive_uncertainty(ens, base=2)
    _close(u2.total, u.total / math.log(2), rtol=1e-15)
    assert isinstance(fe.predictive_uncertainty(ens[:, 0]).total, np.floating)
    with pytest.raises(ValueError, match="member_axis and axis must be different"):
        fe.predictive_uncertainty(ens, member_axis=2)


def test_gradients_match_finite_differences(rng):
    x = rng.normal(size=(3, 7))
    y = rng.normal(size=(3, 7))
    x[0, 2] = -np.inf
    h = 1e-6
    for T in (1.0, 2.5):
        H, g = fe.softmax_entropy(x, temperature=T, return_grad=True)
        kl, gp, gq = fe.softmax_kl_divergence(x, y, temperature=T, return_grad=True,
                                              grad_wrt="both", temperature_squared=True)
        for i, j in [(0, 0), (1, 3), (2, 6), (0, 5)]:
            xp, xm = x.copy(), x.copy()
            xp[i, j] += h
            xm[i, j] -= h
            num = (fe.softmax_entropy(xp, temperature=T)[i]
                   - fe.softmax_entropy(xm, temperature=T)[i]) / (2 * h)
            assert g[i, j] == pytest.approx(num, rel=1e-6, abs=1e-9)
            f = lambda a, b: fe.softmax_kl_divergence(a, b, temperature=T,
                                                     temperature_squared=True)[i]
            assert gp[i, j] == pytest.approx((f(xp, y) - f(xm, y)) / (2 * h), rel=1e-6, abs=1e-9)
            yp, ym = y.copy(), y.copy()
            yp[i, j] += h
            ym[i, j] -= h
            assert gq[i, j] == pytest.approx((f(x, yp) - f(x, ym)) / (2 * h), rel=1e-6, abs=1e-9)
        assert g[0, 2] == 0.0 and gp[0, 2] == 0.0
    g32 = fe.softmax_entropy(x, return_grad=True, dtype=np.float32)[1]
    assert g32.dtype == np.float32
    _close(g32, fe.softmax_entropy(x, return_grad=True)[1], rtol=1e-6, atol=1e-7)


def test_cross_entropy_targets_smoothing_and_reduction(rng):
    x = rng.normal(size=(6, 5))
    lab = np.array([0, 4, 2, -100, 1, 3])
    P = sp.softmax(x, -1)
    nll = -np.log(P[np.arange(6), np.maximum(lab, 0)])
    nll[3] = 0.0
    _close(fe.softmax_cross_entropy(x, lab), nll, rtol=1e-13)
    _close(fe.softmax_cross_entropy(x, lab, reduction="sum"), nll.sum(), rtol=1e-13)
    _close(fe.softmax_cross_entropy(x, lab, reduction="mean"), nll.sum() / 5, rtol=1e-13)
    eps = 0.1
    sm = (1 - eps) * nll + eps * (-np.log(P).mean(-1))
    sm[3] = 0.0
    _close(fe.softmax_cross_entropy(x, lab, label_smoothing=eps), sm, rtol=1e-13)
    onehot = np.eye(5)[np.maximum(lab, 0)]
    _close(fe.softmax_cross_entropy(x, onehot)[[0, 1, 2, 4, 5]], nll[[0, 1, 2, 4, 5]],
           rtol=1e-13)
    t = rng.normal(size=(6, 5))
    _close(fe.softmax_cross_entropy(x, t, target_is_logits=True, temperature=2.0),
           fe.softmax_cross_entropy(x, sp.softmax(t / 2, -1), temperature=2.0), rtol=1e-13)
    # teacher CE = H(teacher) + KL(teacher || student)
    _close(fe.softmax_cross_entropy(x, t, target_is_logits=True),
           fe.softmax_entropy(t) + fe.softmax_kl_divergence(t, x), rtol=1e-12)
    # smoothing spreads over unmasked classes only
    xm = x.copy()
    xm[:, 1] = -np.inf
    assert np.isfinite(fe.softmax_cross_entropy(xm, np.zeros(6, int), label_smoothing=0.2)).all()
    assert np.isnan(fe.softmax_cross_entropy(x, np.full(6, -100), reduction="mean"))


@needs_torch
def test_matches_torch_where_torch_is_right(rng):
    import torch.nn.functional as F

    torch.set_num_threads(1)
    x = rng.normal(size=(8, 13)) * 2
    y = rng.normal(size=(8, 13)) * 2
    tx, ty = torch.tensor(x), torch.tensor(y)
    T = 2.0
    _close(fe.softmax_entropy(tx, temperature=T),
           torch.distributions.Categorical(logits=tx / T).entropy().numpy(), rtol=1e-12)
    ref = F.kl_div(F.log_softmax(ty / T, -1), F.log_softmax(tx / T, -1), log_target=True,
                   reduction="none").sum(-1)
    _close(fe.softmax_kl_divergence(tx, ty, temperature=T), ref.numpy(), rtol=1e-11)
    lab = torch.tensor([0, 3, -100, 12, 5, 5, 1, 2])
    for eps in (0.0, 0.25):
        ref = F.cross_entropy(tx, lab, ignore_index=-100, label_smoothing=eps, reduction="none")
        _close(fe.softmax_cross_entropy(tx, lab, label_smoothing=eps), ref.numpy(), rtol=1e-12)
        ref = F.cross_entropy(tx, lab, label_smoothing=eps)
        _close(fe.softmax_cross_entropy(tx, lab, label_smoothing=eps, reduction="mean"),
               float(ref), rtol=1e-12)
    _close(fe.log_softmax(tx), F.log_softmax(tx, -1).numpy(), rtol=1e-14)
    _close(fe.logsumexp(tx), torch.logsumexp(tx, -1).numpy(), rtol=1e-14)
    # gradients against autograd
    a = tx.clone().requires_grad_(True)
    torch.distributions.Categorical(logits=a / T).entropy().sum().backward()
    _close(fe.softmax_entropy(a, temperature=T, return_grad=True)[1], a.grad.numpy(), rtol=1e-10,
           atol=1e-14)
    b = ty.clone().requires_grad_(True)
    F.kl_div(F.log_softmax(b / T, -1), F.log_softmax(tx / T, -1), log_target=True,
             reduction="sum").backward()
    _close(fe.softmax_kl_divergence(tx, ty, temperature=T, return_grad=True)[1], b.grad.numpy(),
           rtol=1e-10, atol=1e-14)


@needs_torch
def test_torch_tensors_are_read_without_a_copy():
    t = torch.randn(4000, 500, dtype=torch.float32)
    ref = fe.softmax_entropy(t.numpy())
    tracemalloc.start()
    got = fe.softmax_entropy(t)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    np.testing.assert_array_equal(got, ref)
    if fe.backend() == "compiled":  # (the NumPy twin works through bounded row chunks)
        assert peak < 200_000, peak  # the 8 MB tensor was not copied (DLPack view)
    # torch bfloat16 and float16, and a tensor that requires grad
    for dt in (torch.bfloat16, torch.float16):
        h = fe.softmax_entropy(t[:10].to(dt))
        _close(h, fe.softmax_entropy(t[:10].to(dt).to(torch.float64)), rtol=1e-13)
    r = t[:3].clone().requires_grad_(True)
    _close(fe.softmax_entropy(r), ref[:3], rtol=0)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_storage_dtypes_are_read_in_place(dtype, rng):
    if dtype == "bfloat16":
        if ml_dtypes is None:
            pytest.skip("ml_dtypes is not installed")
        dt = np.dtype(ml_dtypes.bfloat16)
    else:
        dt = np.dtype(dtype)
    x = (rng.normal(size=(3000, 400)) * 4).astype(dt)
    x[::7, 3] = -np.inf
    exact = x.astype(np.float64)  # every storage value is exact in float64
    tracemalloc.start()
    h = fe.softmax_entropy(x, n_jobs=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if fe.backend() == "compiled":  # (the NumPy twin works through bounded row chunks)
        assert peak < exact.nbytes / 10, peak  # no float64 (or float32) copy of the array
    _close(h, fe.softmax_entropy(exact), rtol=1e-13)
    _close(fe.logsumexp(x), fe.logsumexp(exact), rtol=1e-14)
    _close(fe.softmax_kl_divergence(x, x[::-1]), fe.softmax_kl_divergence(exact, exact[::-1]),
           rtol=1e-12)


def test_float16_conversion_is_bit_exact():
    bits = np.arange(2**16, dtype=np.uint16)
    h = bits.view(np.float16)
    keep = np.isfinite(h)
    vals = h[keep].reshape(-1, 1)  # one class per row: log_softmax 0, logsumexp = the value
    np.testing.assert_array_equal(fe.logsumexp(vals), vals[:, 0].astype(np.float64))


def test_integer_and_bool_logits_are_float64(rng):
    x = rng.integers(-5, 5, size=(4, 6))
    _close(fe.softmax_entropy(x), fe.softmax_entropy(x.astype(float)), rtol=0)
    _close(fe.softmax_entropy(x.astype(bool)), fe.softmax_entropy(x.astype(bool) * 1.0), rtol=0)


def test_perplexity(rng):
    lg = rng.normal(size=(3, 9, 20))
    tok = rng.integers(0, 20, size=(3, 9))
    tok[1, 5:] = -100
    lp = np.take_along_axis(sp.log_softmax(lg, -1), np.maximum(tok, 0)[..., None], -1)[..., 0]
    mask = tok != -100
    ref = np.exp(-(lp * mask).sum(-1) / mask.sum(-1))
    _close(fe.perplexity_from_logits(lg, tok), ref, rtol=1e-13)
    _close(fe.perplexity_from_logprobs(lp, mask), ref, rtol=1e-13)
    _close(fe.perplexity_from_logprobs(lp[0].astype(np.float16)),
           np.exp(-lp[0].astype(np.float16).astype(float).mean()), rtol=1e-13)
    with pytest.raises(ValueError, match="tokens sequence 2 has no token"):
        fe.perplexity_from_logits(lg, np.where(np.arange(3)[:, None] == 2, -100, tok))
    with pytest.raises(ValueError, match="mask leaves no token"):
        fe.perplexity_from_logprobs(lp, np.zeros_like(mask))
    with pytest.raises(ValueError, match="logprobs must be <= 0"):
        fe.perplexity_from_logprobs(-lp)


def test_results_are_bitwise_identical_for_1_2_3_threads(rng):
    x = rng.normal(size=(301, 700)).astype(np.float32)
    y = rng.normal(size=(301, 700)).astype(np.float32)
    calls = {
        "entropy": lambda nj: fe.softmax_entropy(x, return_grad=True, return_probs=True,
                                                 n_jobs=nj),
        "kl": lambda nj: fe.softmax_kl_divergence(x, y, temperature=2.0, return_grad=True,
                                                  grad_wrt="both", n_jobs=nj),
        "kl_near": lambda nj: fe.softmax_kl_divergence(x, x + 1e-6, n_jobs=nj),
        "js": lambda nj: fe.softmax_jensen_shannon(x, y, n_jobs=nj),
        "ce": lambda nj: fe.softmax_cross_entropy(x, y, target_is_logits=True, n_jobs=nj),
        "unc": lambda nj: fe.predictive_uncertainty(x.reshape(7, 43, 700), n_jobs=nj),
    }
    for name, call in calls.items():
        r1 = call(1)
        for nj in (2, 3):
            for a, b in zip(np.atleast_1d(r1) if not isinstance(r1, tuple) else r1,
                            call(nj) if isinstance(r1, tuple) else np.atleast_1d(call(nj))):
                np.testing.assert_array_equal(a, b, err_msg=name)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: fe.softmax_entropy([1.0, 2.0], temperature=0.0), ValueError, "temperature"),
        (lambda: fe.softmax_entropy([1.0, 2.0], temperature=-1), ValueError, "temperature"),
        (lambda: fe.softmax_entropy([1.0, 2.0], temperature=np.inf), ValueError, "temperature"),
        (lambda: fe.softmax_entropy([1.0, 2.0], temperature="1"), TypeError, "temperature"),
        (lambda: fe.softmax_entropy([1.0, 2.0], axis=1), ValueError, "axis"),
        (lambda: fe.softmax_entropy(np.ones((2, 0))), ValueError, "logits must not be empty"),
        (lambda: fe.softmax_entropy(3.0), ValueError, "logits must have at least 1"),
        (lambda: fe.softmax_entropy([1 + 1j, 2]), TypeError, "logits must be real"),
        (lambda: fe.softmax_entropy(np.array([1, 2], dtype=object)), TypeError, "logits"),
        (lambda: fe.softmax_entropy("ab"), TypeError, "logits"),
        (lambda: fe.softmax_entropy([1.0, 2.0], dtype=np.int32), ValueError, "dtype"),
        (lambda: fe.softmax_kl_divergence(np.ones(3), np.ones(4)), ValueError,
         "p_logits and q_logits must have the same shape"),
        (lambda: fe.softmax_kl_divergence(np.ones(3), np.ones(3), grad_wrt="x"), ValueError,
         "grad_wrt"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [0, 3]), ValueError,
         r"target holds class index 3 at row 1, outside \[0, 3\)"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [0, -1]), ValueError, "target"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [0, 1, 2]), ValueError,
         "target holds class indices, so its shape"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [[0.5, 0.6, -0.1]] * 2), ValueError,
         "target must be non-negative"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [[0.5, 0.6, 0.1]] * 2), ValueError,
         "target rows must sum to 1"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), np.ones((2, 4)) / 4), ValueError,
         "target holds probability rows"),
        (lambda: fe.softmax_cross_entropy(np.ones((2, 3)), [[np.nan, 0.5, 0.5]] * 2), ValueError,
         "target must contain only finite"),
        (lambda: fe.softmax_cross_entropy(np.ones(3), 0, label_smoothing=1.5), ValueError,
         "label_smoothing"),
        (lambda: fe.softmax_cross_entropy(np.ones(3), 0, reduction="avg"), ValueError,
         "reduction"),
        (lambda: fe.softmax_cross_entropy(np.ones(3), np.array(True)), TypeError, "target"),
        (lambda: fe.predictive_uncertainty(np.ones(3)), ValueError, "at least 2 dimensions"),
        (lambda: fe.predictive_uncertainty(np.ones((0, 3))), ValueError, "at least one member"),
        (lambda: fe.perplexity_from_logits(np.ones((2, 3)), [0.0, 1.0]), TypeError, "tokens"),
        (lambda: fe.perplexity_from_logprobs([-1.0, np.nan]), ValueError, "logprobs"),
        (lambda: fe.perplexity_from_logprobs([-1.0, -2.0], [1, 0]), TypeError, "mask"),
        (lambda: fe.perplexity_from_logprobs([-1.0, -2.0], [True] * 3), ValueError, "mask"),
        (lambda: fe.logsumexp([1.0, 2.0], n_jobs=0), ValueError, "n_jobs"),
    ],
)
def test_bad_input_names_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_outputs_are_float64_and_scalars_for_single_rows():
    for v in (
        fe.softmax_entropy(np.float32([1, 2])),
        fe.logsumexp([1, 2]),
        fe.softmax_kl_divergence([1, 2], [2, 1]),
        fe.softmax_jensen_shannon([1, 2], [2, 1]),
        fe.softmax_cross_entropy([1.0, 2.0], 1),
        fe.perplexity_from_logits(np.ones((3, 4)), [0, 1, 2]),
    ):
        assert isinstance(v, np.float64), type(v)
    assert fe.log_softmax(np.float16([1, 2])).dtype == np.float64
    assert fe.log_softmax(np.float16([1, 2]), dtype=np.float32).dtype == np.float32


# ------------------------------------------------------------------------------ huge logit gaps
# Rows whose logits differ by ~1e17 or more: u = log(P/Q) + log(Sa/Sb) formed as (a - b) - dm
# rounds both huge differences and loses u (the twin gave 32.0 for 26.5, 1.85 for 1.31 and
# NaN for log 2); za - zb keeps it. Point masses, 1e300 logits; KL (fast and accurate routes:
# the last KL rows cancel, so the kernel re-sums them accurately) and JS, both backends.
_GAP_ROWS = [
    ([0.0, 1e17], [-3.5, -30.0]),
    ([1e300, 0.0], [0.0, 1.0]),
    ([1e19, 0.0, 0.0], [0.0, 0.0, 127.0]),
    ([0.0, 0.0, 127.0], [1e19, 0.0, 0.0]),
    ([1e300, 0.0, -1e300], [0.0, 1.0, 2.0]),
    ([-1e300, 1e300, 0.5], [3.0, 0.0, -2.0]),
    ([0.0, 1e17, -np.inf], [-3.5, -30.0, -np.inf]),
    ([1e17, 1e17 + 16, 0.0], [1.0, 17.000001, 2.0]),  # P ~ Q: KL cancels
    ([1e300, 1e300 + 2**948, -5.0], [0.25, 2.0, 1e3]),
]


@pytest.mark.parametrize("mode", [0, 1])
@pytest.mark.parametrize("pq", _GAP_ROWS, ids=range(len(_GAP_ROWS)))
def test_huge_logit_gaps_and_point_masses_match_mpmath(mode, pq):
    a, b = (np.array(v) for v in pq)
    ref = (_mp_kl if mode == 0 else _mp_js)(a, b)
    f = fe.softmax_kl_divergence if mode == 0 else fe.softmax_jensen_shannon
    assert f(a, b) == pytest.approx(ref, rel=1e-12, abs=1e-300)
    assert f(np.array([a, a]), np.array([b, b]), n_jobs=2).tolist() == [f(a, b)] * 2
    ker, twin = pair("logits")
    none = np.empty((0, 0), np.uint8)
    for mod, grad in ((ker, False), (ker, True), (twin, False), (twin, True)):
        out, s1, s2 = np.empty(1), np.zeros(1, np.int8), np.zeros(1, np.int8)
        g = np.empty((1, a.size)).view(np.uint8) if grad else none
        mod.pair_rows(_bytes(a[None]), _bytes(b[None]), 0, 1.0, mode, 1.0, out, g, none, 0,
                      s1, s2, 1)
        assert out[0] == pytest.approx(ref, rel=1e-12, abs=1e-300), (mod.__name__, grad)


def test_huge_float32_logit_gaps_match_mpmath():
    a, b = np.array([0.0, 1e30], np.float32), np.array([-3.5, -30.0], np.float32)
    for f, mp_f in ((fe.softmax_kl_divergence, _mp_kl), (fe.softmax_jensen_shannon, _mp_js)):
        ref = mp_f(a.astype(np.float64), b.astype(np.float64))
        assert f(a, b) == pytest.approx(ref, rel=1e-12)
        assert f(b, a) == pytest.approx(mp_f(b.astype(np.float64), a.astype(np.float64)),
                                        rel=1e-12)


@pytest.mark.parametrize("which", [0, 1, 2, 3, 4])
def test_exp_array_kernel_vs_twin_for_every_which(which):
    ker, twin = pair("logits")
    x = np.concatenate([np.linspace(-707.0, 0.0, 4001), -np.logspace(-300, 2.8, 500), [0.0]])
    if which in (0, 1):
        x = np.concatenate([x, np.linspace(0.0, 709.0, 500), [-800.0, -746.0, -1e300]])
    elif which == 3:
        x = np.concatenate([x, [-720.0, -745.0, -746.0, -800.0, -1e300]])  # subnormal, zero
    out_k, out_t = np.empty_like(x), np.empty_like(x)
    ker.exp_array(x, out_k, which, 2)
    twin.exp_array(x, out_t, which, 1)
    ref = np.expm1(x) if which == 1 else np.exp(x)
    np.testing.assert_array_equal(out_t, ref)
    tiny = np.abs(ref) < 2.0**-1022  # subnormal results: an absolute bound
    np.testing.assert_allclose(out_k[~tiny], out_t[~tiny], rtol=4e-16, atol=0)
    np.testing.assert_allclose(out_k[tiny], out_t[tiny], rtol=0, atol=2.0**-1074 * 2)


def test_gradients_of_identical_rows_are_exactly_zero():
    # dKL/dq = Q - P with P == Q: a fused multiply-add left P's rounding error (-1.3e-17) and
    # -0.0 (at the subnormal P of -745) in the compiled gradient
    x = np.array([[-1.0, 0.0, -745.0, -1.0], [0.3, -2.5, 0.0, -744.0]])
    for y in (x, np.tile(x, 2), np.resize(x, (2, 37))):
        for a, axis in ((y, -1), (y.T.copy(), 0)):
            kl, gp, gq = fe.softmax_kl_divergence(a, a.copy(), axis=axis, return_grad=True,
                                                  grad_wrt="both")
            assert (kl == 0.0).all()
            for g in (gp, gq):
                assert (g == 0.0).all() and not np.signbit(g).any()
