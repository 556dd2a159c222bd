"""The vectorised exp / expm1 of ``_kernels/_fastexp.pxd`` against mpmath (113-bit), on the
instruction set the row kernels use on this machine."""
import numpy as np
import pytest
from _kernel_pairs import pair

mpmath = pytest.importorskip("mpmath")


def _ulps(values, out, f):
    mpmath.mp.prec = 113
    errs = []
    for v, o in zip(values, out):
        ref = f(mpmath.mpf(float(v)))
        spacing = np.spacing(abs(float(ref))) if ref != 0 else 5e-324
        errs.append(float(abs(mpmath.mpf(float(o)) - ref) / spacing))
    return np.array(errs)


def _args(rng):
    return np.concatenate(
        [
            rng.uniform(-745.0, 709.7, 3000),  # the whole range, subnormal results included
            rng.uniform(-1.5, 1.5, 3000),  # around the reduction boundaries k = 0, +-1, +-2
            rng.uniform(-1e-3, 1e-3, 500),
            -np.exp(rng.uniform(-700, 6, 1500)),  # softmax arguments: z <= 0
            [0.0, -0.0, 5e-324, -5e-324, 0.34657359027997264, -0.34657359027997264],
            [-708.3964185322641, -708.4, -744.4, -745.1, 709.78],
        ]
    )


def test_exp_is_within_one_ulp_of_the_exact_exp():
    ker, _ = pair("logits")
    x = _args(np.random.default_rng(3))
    out = np.empty_like(x)
    ker.exp_array(x, out, 0, 2)
    errs = _ulps(x, out, mpmath.exp)
    assert errs.max() <= 1.0, (errs.max(), x[errs.argmax()])
    assert out[np.flatnonzero(x == 0.0)].tolist() == [1.0, 1.0]  # exp(0) = 1 exactly


def test_expm1_is_within_two_ulp_and_exact_near_zero():
    ker, _ = pair("logits")
    x = _args(np.random.default_rng(4))
    out = np.empty_like(x)
    ker.exp_array(x, out, 1, 2)
    errs = _ulps(x, out, mpmath.expm1)
    assert errs.max() <= 2.0, (errs.max(), x[errs.argmax()])
    small = np.abs(x) < 0.3
    assert errs[small].max() <= 1.0


def test_special_values():
    ker, twin = pair("logits")
    x = np.array([-np.inf, np.inf, np.nan, -746.0, -1e300, 710.0, 1e300, -745.2])
    for which, ref in (
        (0, [0.0, np.inf, np.nan, 0.0, 0.0, np.inf, np.inf, 0.0]),
        (1, [-1.0, np.inf, np.nan, -1.0, -1.0, np.inf, np.inf, -1.0]),
    ):
        out = np.empty_like(x)
        ker.exp_array(x, out, which, 1)
        np.testing.assert_array_equal(out, ref)
        twin.exp_array(x, out, which, 1)
        np.testing.assert_array_equal(out, ref)


def test_subnormal_results_round_once():
    ker, _ = pair("logits")
    x = np.linspace(-745.13, -708.4, 4001)
    out = np.empty_like(x)
    ker.exp_array(x, out, 0, 1)
    ref = np.exp(x)  # numpy's exp is correctly rounded to within an ulp here too
    assert np.all(np.abs(out - ref) <= np.spacing(ref) * 1.0 + 5e-324)


# The vector exps of the one-pass row loops (FXV_* in _fastexp.pxd), through the same hook:
# which 2 FXV_EXP_CLEAN and 4 FXV_EXPT_CLEAN (the table form) for -707 <= x <= 0, 3 FXV_EXP_NEG
# for x <= 0 with subnormal results (-inf and below -746 give 0).
def _softmax_args(rng, lo=-707.0):
    return np.concatenate(
        [
            rng.uniform(lo, 0.0, 4000),
            -np.exp(rng.uniform(-40.0, np.log(-lo), 3000)),  # z near 0 and across the range
            rng.uniform(-1.5, 0.0, 3000),  # around the reduction boundaries
            [0.0, -0.0, -5e-324, -0.34657359027997264, -0.0216608493924983, -0.0433216987849966,
             lo],
        ]
    )


@pytest.mark.parametrize("which, bound", [(2, 1.0), (4, 0.75)])
def test_row_loop_exps_on_the_clean_range(which, bound):
    ker, _ = pair("logits")
    x = _softmax_args(np.random.default_rng(5))
    out = np.empty_like(x)
    ker.exp_array(x, out, which, 2)
    if which == 4:
        scalar = np.empty_like(x)
        ker.exp_array(x, scalar, 0, 2)
        if np.array_equal(out, scalar):  # the hook's fallback: fe_exp
            pytest.skip("this build has no vector route (FE_NO_VECTOR, or not GCC/clang)")
    errs = _ulps(x, out, mpmath.exp)
    assert errs.max() <= bound, (errs.max(), x[errs.argmax()])
    assert out[np.flatnonzero(x == 0.0)].tolist() == [1.0, 1.0]
    # every width of the tail (the hook pads a partial vector) gives the same values
    for k in range(1, 18):
        part = np.empty(k)
        ker.exp_array(np.ascontiguousarray(x[-k:]), part, which, 1)
        np.testing.assert_array_equal(part, out[-k:])


def test_row_loop_exp_with_subnormal_results():
    ker, _ = pair("logits")
    x = _softmax_args(np.random.default_rng(6), lo=-745.0)
    out = np.empty_like(x)
    ker.exp_array(x, out, 3, 2)
    normal = x > -708.0
    errs = _ulps(x[normal], out[normal], mpmath.exp)
    assert errs.max() <= 1.0, (errs.max(), x[normal][errs.argmax()])
    s = np.linspace(-745.13, -708.4, 4001)
    got = np.empty_like(s)
    ker.exp_array(s, got, 3, 1)
    ref = np.exp(s)
    assert np.all(np.abs(got - ref) <= np.spacing(ref) + 5e-324)
    sp = np.array([-np.inf, -746.0, -1e300, -745.2, 0.0, -0.0])
    ker.exp_array(sp, out[:6], 3, 1)
    np.testing.assert_array_equal(out[:6], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0])
