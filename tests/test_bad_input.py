"""Zoo walk over every public function: bad input must raise a clear error, good input of any
dtype or memory layout must give the float64 / C-order answer.

Every public callable in ``fastentropy.__all__`` needs a row in ``SPECS`` (how to call it, what
role each array argument plays); ``test_every_public_function_has_a_row`` fails otherwise, so a
new function cannot escape the walk. From the rows we derive, per function:

- bad inputs (negative counts/probabilities, NaN, inf, object/complex/str dtypes, empty, 0-d,
  ragged, mismatched shapes, bad bins/range/k/method/alpha/base/axis/n_jobs...): each must raise
  ``ValueError`` or ``TypeError`` whose message names the offending argument;
- good inputs in float32, every integer width, big-endian, non-contiguous, Fortran order and
  read-only, which must give the same answer as float64 C-order input.

Drop-in functions (``entropy`` like scipy, ``histogram*`` like numpy, the sklearn scores) have a
``ref``: where the reference library *accepts* a "bad" input (scipy's entropy propagates NaN,
``np.histogram([])`` is valid...), the drop-in may either match the reference's answer exactly
or raise a named error; where the reference raises, a named error or the reference's own message
is required.

All calls run in a child process (``python tests/test_bad_input.py`` reading case ids on stdin),
so a segfault or a hang fails the offending case instead of killing pytest; the child is restarted
after a crash and the walk continues.
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

if __name__ != "__main__":
    import pytest

import fastentropy as fe

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------- valid inputs by role
COUNTS = np.array([3, 1, 0, 2])  # 3 categories observed: k=2 is below the support
PROB = np.array([0.125, 0.25, 0.125, 0.5])
PROB_Q = np.array([0.25, 0.25, 0.25, 0.25])
SAMPLES = np.array([0.5, 1.5, 0.25, 3.0, 2.0, 2.5, 1.0, 0.75])
CODES = np.array([0, 2, 1, 2, 3, 0])
TABLE = np.array([[3, 1, 0], [0, 2, 4]])
LABELS_A = np.array([0, 0, 1, 1, 2, 2, 2, 0])
LABELS_B = np.array([0, 1, 1, 1, 2, 2, 0, 0])
SAMPLE2D = np.array([[0.5, 1.0], [1.5, 0.25], [3.0, 2.0], [2.0, 2.5], [1.0, 0.75], [0.0, 3.0]])
LOGITS = np.array([[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -3.0, 0.25], [0.0, 4.0, -2.0, 1.5],
                   [-0.5, 0.5, 0.0, 2.0], [3.0, 0.0, 1.0, -1.0], [2.0, -2.0, 0.5, 0.0]])
ENSEMBLE = np.stack([LOGITS, LOGITS[::-1] * 0.5, LOGITS + 1.0])  # (members, rows, classes)
LM_LOGITS = LOGITS.reshape(2, 3, 4)
LOGPROBS = -np.abs(LOGITS)
GM_MEANS = np.array([[0.0, 0.5], [1.0, -1.0], [2.0, 0.0], [-1.0, 1.5]])  # 4 components (PROB)
GM_COVS = np.array([[[1.0, 0.25], [0.25, 0.5]], [[0.5, 0.0], [0.0, 2.0]]] * 2)
GAUSS_MEAN = np.array([0.5, -1.0])
GAUSS_COV = np.array([[2.0, 0.5], [0.5, 1.0]])
GM = fe.as_gaussian_mixture(weights=PROB, means=GM_MEANS, covariances=GM_COVS)
GM_Q = fe.as_gaussian_mixture(weights=PROB_Q, means=GM_MEANS[::-1] + 0.5, covariances=GM_COVS)
KNN_Y = np.array([0.3, 1.2, 2.9, 0.8, 2.2, 1.7])  # 1-D, paired with SAMPLE2D's 6 rows

VALID = {
    "counts": COUNTS,
    "prob": PROB,
    "samples": SAMPLES,
    "codes": CODES,
    "table": TABLE,
    "labels": LABELS_A,
    "sample2d": SAMPLE2D,
    "logits": LOGITS,
    "ensemble": ENSEMBLE,
    "lm_logits": LM_LOGITS,
    "logprobs": LOGPROBS,
    "gm_means": GM_MEANS,
    "gm_covs": GM_COVS,
    "gauss_mean": GAUSS_MEAN,
    "gauss_cov": GAUSS_COV,
    "knn_y": KNN_Y,
}


def _bad_arrays(role: str) -> dict[str, Callable[[], Any]]:
    """Bad values for an array argument of ``role``; the callables build fresh objects."""
    good = VALID[role]
    floats = good.astype(np.float64)
    flat_put = lambda v: (lambda: _put(floats, v))
    cases: dict[str, Callable[[], Any]] = {}
    if role in ("counts", "prob", "codes", "table"):
        cases["negative"] = flat_put(-1.0)
    cases["nan"] = flat_put(np.nan)
    cases["inf"] = flat_put(np.inf)
    if role in ("counts", "codes", "table"):
        cases["non_integer"] = flat_put(1.5)
    if role != "labels":
        cases["object_dtype"] = lambda: good.astype(object)
        cases["str_dtype"] = lambda: good.astype(str)
        cases["python_str"] = lambda: "abc"
    cases["complex_dtype"] = lambda: good.astype(np.complex128)
    if role == "labels":
        cases["2d"] = lambda: good.reshape(2, -1)
    cases["empty"] = lambda: np.zeros((0,) * good.ndim)
    if role == "table":
        cases["1d"] = lambda: good.ravel()
    elif role == "sample2d":
        cases["3d"] = lambda: good[None]
    cases["0d"] = lambda: good.ravel()[1]
    cases["ragged"] = lambda: [[1, 2], [3]]
    return cases


def _put(arr: np.ndarray, value: float) -> np.ndarray:
    out = arr.copy()
    out.flat[1] = value
    return out


#: Scalar-argument bad values: argument -> {case: value}.
BAD_SCALARS: dict[str, dict[str, Any]] = {
    "bins": {"zero": 0, "negative": -3, "float": 2.5, "unknown_rule": "nonsense"},
    "range": {
        "nan": (0.0, math.nan),
        "inf": (0.0, math.inf),
        "reversed": (3.0, 1.0),
        "one_value": (1.0,),
    },
    "k": {"below_support": 2, "zero": 0, "negative": -1, "float": 2.5},
    "method": {"unknown": "no_such_method", "not_str": 3},
    "alpha": {"nan": math.nan, "negative": -1.0, "str": "two"},
    "base": {"one": 1, "negative": -2.0, "zero": 0, "str": "two"},
    "axis": {"out_of_bounds": 5, "float": 0.5},
    "n_jobs": {"zero": 0, "float": 1.5},
    "minlength": {"negative": -1},
    "nan_policy": {"unknown": "no_such_policy"},
    "average_method": {"unknown": "median", "not_str": 1},
    "temperature": {"zero": 0.0, "negative": -1.0, "nan": math.nan, "inf": math.inf, "str": "1"},
    "all_masked": {"unknown": "ignore"},
    "label_smoothing": {"negative": -0.1, "above_one": 1.5, "str": "0.1"},
    "member_axis": {"out_of_bounds": 5, "float": 0.5, "same_as_axis": -1},
    "ignore_index": {"float": 1.5},
    "window_length": {"zero": 0, "negative": -1, "too_large": 4, "float": 2.5, "str": "3"},
}


# --------------------------------------------------------------------------- the table
@dataclasses.dataclass
class Spec:
    """How to call one public function.

    args: a valid call, as keyword arguments. roles: the array arguments and their roles.
    pair: two array arguments whose shapes must agree. scalars: the arguments in
    ``BAD_SCALARS`` to try. ref: a reference implementation for drop-ins (see module doc).
    skip: bad cases that are not bad for this function, with the reason ("layout-<variant>":
    a layout variant whose answer may differ, as the reference's does).
    layout: the array arguments to vary in the dtype/layout test and how to build a float64
    base input for them (None: no array input to vary).
    """

    args: dict[str, Any]
    roles: dict[str, str]
    pair: tuple[str, str] | None = None
    scalars: tuple[str, ...] = ()
    ref: Callable[..., Any] | None = None
    skip: dict[str, str] = dataclasses.field(default_factory=dict)
    layout: Callable[[], dict[str, np.ndarray]] | None = None
    integer_dtype: bool = False  # integer dtypes only, as np.bincount (no float32 variant)
    #: further bad calls: case name -> (argument overrides, names the message may use)
    extra: dict[str, tuple[Callable[[], dict[str, Any]], tuple[str, ...]]] = dataclasses.field(
        default_factory=dict
    )


def _sp_entropy(**kw: Any) -> Any:
    import scipy.stats

    return scipy.stats.entropy(**kw)


def _sp_differential_entropy(**kw: Any) -> Any:
    import scipy.stats

    return scipy.stats.differential_entropy(**kw)


def _sp_jensenshannon(**kw: Any) -> Any:
    from scipy.spatial.distance import jensenshannon

    return jensenshannon(**kw)


def _np(name: str) -> Callable[..., Any]:
    return lambda **kw: getattr(np, name)(**kw)


def _sk(name: str) -> Callable[..., Any]:
    def call(**kw: Any) -> Any:
        import sklearn.metrics

        return getattr(sklearn.metrics, name)(**kw)

    return call


_RNG = np.random.default_rng(7)


def _int_valued(shape: tuple[int, ...], lo: int = 0, hi: int = 8) -> np.ndarray:
    """Whole numbers in [lo, hi), as float64: every dtype under test holds them exactly."""
    return _RNG.integers(lo, hi, size=shape).astype(np.float64)


def _prob_rows(shape: tuple[int, ...]) -> np.ndarray:
    """Strictly positive whole-number weights (KL, chi2... stay finite)."""
    return _int_valued(shape, 1, 9)


def _knn_points(shift: int) -> np.ndarray:
    """40 distinct 2-D points of small whole numbers (every dtype holds them; no ties, so no
    tie warning; shift 0 and 1 give sets without a common point)."""
    i = np.arange(40)
    return np.stack([i, (i * (37 + 16 * shift) + 7 * shift) % 101], axis=1).astype(np.float64)


def _weight_cases(n: int) -> dict[str, tuple[Callable[[], dict[str, Any]], tuple[str, ...]]]:
    """Bad ``weights`` for the numpy drop-ins, whose samples number ``n``."""
    return {
        "weights-length_mismatch": (lambda: {"weights": np.ones(n + 1)}, ("weights",)),
        "weights-complex": (lambda: {"weights": np.ones(n) * 1j}, ("weights",)),
        "weights-str": (lambda: {"weights": np.array(["a"] * n)}, ("weights",)),
    }
DIVERGENCE_SCALARS = ("axis", "base", "n_jobs")
PROB_LAYOUT = lambda: {"p": _prob_rows((6, 9)), "q": _prob_rows((6, 9))}
PROB1_LAYOUT = lambda: {"p": _prob_rows((6, 9))}
TABLE_LAYOUT = lambda: {"table": _int_valued((5, 4, 3))}

LOGITS_SCALARS = ("temperature", "all_masked", "axis", "base", "n_jobs")
LOGITS_LAYOUT = lambda: {"logits": _int_valued((7, 11))}  # >= 0: unsigned dtypes hold them
LOGITS_LAYOUT_ROWS6 = lambda: {"logits": _int_valued((6, 11))}


def _target_cases() -> dict[str, tuple[Callable[[], dict[str, Any]], tuple[str, ...]]]:
    """Bad ``target`` values for softmax_cross_entropy (logits LOGITS: 6 rows, 4 classes)."""
    soft = np.full(LOGITS.shape, 0.25)
    return {
        "target-out_of_range": (lambda: {"target": np.array([0, 1, 2, 3, 4, 0])}, ("target",)),
        "target-negative": (lambda: {"target": np.array([0, -1, 2, 3, 1, 0])}, ("target",)),
        "target-shape_mismatch": (lambda: {"target": CODES[:5]}, ("target",)),
        "target-bool": (lambda: {"target": CODES > 1}, ("target",)),
        "target-complex": (lambda: {"target": soft * (1 + 1j)}, ("target",)),
        "target-str": (lambda: {"target": "abc"}, ("target",)),
        "target-object": (lambda: {"target": soft.astype(object)}, ("target",)),
        "target-prob_negative": (lambda: {"target": _put(soft, -0.25)}, ("target",)),
        "target-prob_nan": (lambda: {"target": _put(soft, np.nan)}, ("target",)),
        "target-prob_sum": (lambda: {"target": soft * 2}, ("target",)),
        "target-logits_nan": (lambda: {"target": _put(LOGITS, np.nan), "target_is_logits": True},
                              ("target",)),
        "target-logits_shape": (lambda: {"target": LOGITS[:5], "target_is_logits": True},
                                ("target",)),
    }


TABLE_FUNCTIONS = (
    "joint_entropy", "conditional_entropy", "mutual_information", "variation_of_information",
)
LABEL_SCORES = ("mutual_info_score", "normalized_mutual_info_score", "adjusted_mutual_info_score")

SPECS: dict[str, Spec | None] = {
    # no array input
    "__version__": None,
    "backend": None,
    "config": None,
    "show_config": None,
    # estimators
    "entropy": Spec(
        args={"pk": PROB, "qk": PROB_Q},
        roles={"pk": "prob", "qk": "prob"},
        pair=("pk", "qk"),
        scalars=("base", "axis", "nan_policy"),
        ref=_sp_entropy,
        layout=lambda: {"pk": _prob_rows((9, 6)), "qk": _prob_rows((9, 6))},
    ),
    "entropy_counts": Spec(
        args={"counts": COUNTS, "method": "plugin"},
        roles={"counts": "counts"},
        scalars=("method", "k", "base", "axis", "n_jobs"),
        layout=lambda: {"counts": _int_valued((7, 11))},
    ),
    "entropy_samples": Spec(
        args={"x": SAMPLES},
        roles={"x": "samples"},
        scalars=("bins", "range", "method", "base", "axis", "n_jobs"),
        layout=lambda: {"x": _int_valued((5, 40))},
    ),
    # histogram
    "histogram": Spec(
        args={"a": SAMPLES},
        roles={"a": "samples"},
        scalars=("bins", "range"),
        extra=_weight_cases(len(SAMPLES)),
        ref=_np("histogram"),
        layout=lambda: {"a": _int_valued((40,))},
    ),
    "histogram_bin_edges": Spec(
        args={"a": SAMPLES},
        roles={"a": "samples"},
        scalars=("bins", "range"),
        extra=_weight_cases(len(SAMPLES)),
        ref=_np("histogram_bin_edges"),
        layout=lambda: {"a": _int_valued((40,))},
    ),
    "histogram2d": Spec(
        args={"x": SAMPLES, "y": SAMPLES[::-1].copy()},
        roles={"x": "samples", "y": "samples"},
        pair=("x", "y"),
        scalars=("bins",),
        extra=_weight_cases(len(SAMPLES)),
        ref=_np("histogram2d"),
        layout=lambda: {"x": _int_valued((40,)), "y": _int_valued((40,))},
    ),
    "histogramdd": Spec(
        args={"sample": SAMPLE2D},
        roles={"sample": "sample2d"},
        scalars=("bins",),
        extra=_weight_cases(len(SAMPLE2D)),
        ref=_np("histogramdd"),
        layout=lambda: {"sample": _int_valued((40, 3))},
    ),
    "histogram_rows": Spec(
        args={"x": SAMPLES},
        roles={"x": "samples"},
        scalars=("bins", "range", "axis", "n_jobs"),
        skip={"x-empty": "an empty row is a histogram of no data: zeros on [0, 1] (np.histogram)"},
        layout=lambda: {"x": _int_valued((5, 40))},
    ),
    "bincount_rows": Spec(
        args={"x": CODES},
        roles={"x": "codes"},
        scalars=("minlength", "axis", "n_jobs"),
        layout=lambda: {"x": _int_valued((5, 40)).astype(np.int64)},
        integer_dtype=True,
    ),
    # divergence
    **{
        name: Spec(
            args={"p": PROB, "q": PROB_Q},
            roles={"p": "prob", "q": "prob"},
            pair=("p", "q"),
            scalars=DIVERGENCE_SCALARS,
            layout=PROB_LAYOUT,
        )
        for name in (
            "cross_entropy",
            "kl_divergence",
            "jensen_shannon",
            "total_variation",
            "hellinger",
            "bhattacharyya",
            "chi2_divergence",
        )
    },
    "renyi_divergence": Spec(
        args={"p": PROB, "q": PROB_Q, "alpha": 2.0},
        roles={"p": "prob", "q": "prob"},
        pair=("p", "q"),
        scalars=("alpha", *DIVERGENCE_SCALARS),
        layout=PROB_LAYOUT,
    ),
    "renyi_entropy": Spec(
        args={"p": PROB, "alpha": 2.0},
        roles={"p": "prob"},
        scalars=("alpha", *DIVERGENCE_SCALARS),
        layout=PROB1_LAYOUT,
    ),
    "tsallis_entropy": Spec(
        args={"p": PROB, "alpha": 2.0},
        roles={"p": "prob"},
        scalars=("alpha", "axis", "n_jobs"),
        layout=PROB1_LAYOUT,
    ),
    "perplexity": Spec(
        args={"p": PROB},
        roles={"p": "prob"},
        scalars=("axis", "n_jobs"),
        layout=PROB1_LAYOUT,
    ),
    "jensenshannon": Spec(
        args={"p": PROB, "q": PROB_Q},
        roles={"p": "prob", "q": "prob"},
        pair=("p", "q"),
        scalars=("base", "axis"),
        ref=_sp_jensenshannon,
        layout=lambda: {"p": _prob_rows((9, 6)), "q": _prob_rows((9, 6))},
    ),
    # logits
    **{
        name: Spec(
            args={"logits": LOGITS},
            roles={"logits": "logits"},
            scalars=LOGITS_SCALARS,
            skip={"logits-negative": "negative logits are valid"},
            layout=LOGITS_LAYOUT,
        )
        for name in ("softmax_entropy", "log_softmax")
    },
    "logsumexp": Spec(
        args={"logits": LOGITS},
        roles={"logits": "logits"},
        scalars=("temperature", "axis", "n_jobs"),
        layout=LOGITS_LAYOUT,
    ),
    **{
        name: Spec(
            args={"p_logits": LOGITS, "q_logits": LOGITS[::-1].copy()},
            roles={"p_logits": "logits", "q_logits": "logits"},
            pair=("p_logits", "q_logits"),
            scalars=LOGITS_SCALARS,
            layout=lambda: {"p_logits": _int_valued((7, 11)), "q_logits": _int_valued((7, 11))},
        )
        for name in ("softmax_kl_divergence", "softmax_jensen_shannon")
    },
    "softmax_cross_entropy": Spec(
        args={"logits": LOGITS, "target": CODES},
        roles={"logits": "logits"},
        scalars=(*LOGITS_SCALARS, "label_smoothing", "ignore_index"),
        extra=_target_cases(),
        layout=LOGITS_LAYOUT_ROWS6,
    ),
    "perplexity_from_logits": Spec(
        args={"logits": LM_LOGITS, "tokens": CODES.reshape(2, 3)},
        roles={"logits": "lm_logits"},
        scalars=("temperature", "axis", "n_jobs", "ignore_index"),
        extra={
            "tokens-out_of_range": (lambda: {"tokens": np.array([[0, 1, 2], [3, 4, 0]])},
                                    ("tokens",)),
            "tokens-float": (lambda: {"tokens": np.zeros((2, 3))}, ("tokens",)),
            "tokens-shape_mismatch": (lambda: {"tokens": np.zeros((3, 2), int)}, ("tokens",)),
            "tokens-all_ignored": (lambda: {"tokens": np.full((2, 3), -100)}, ("tokens",)),
            "tokens-0d": (lambda: {"tokens": 1}, ("tokens",)),
        },
        layout=lambda: {"logits": _int_valued((2, 3, 11))},
    ),
    "perplexity_from_logprobs": Spec(
        args={"logprobs": LOGPROBS},
        roles={"logprobs": "logprobs"},
        scalars=("axis",),
        skip={"logprobs-negative": "log-probabilities are <= 0"},
        extra={
            "mask-not_bool": (lambda: {"mask": np.ones(LOGPROBS.shape)}, ("mask",)),
            "mask-shape": (lambda: {"mask": np.ones((2, 2), bool)}, ("mask",)),
            "mask-empty_row": (lambda: {"mask": np.zeros(LOGPROBS.shape, bool)}, ("mask",)),
        },
    ),
    "predictive_uncertainty": Spec(
        args={"logits": ENSEMBLE},
        roles={"logits": "ensemble"},
        scalars=("member_axis", *LOGITS_SCALARS),
        layout=lambda: {"logits": _int_valued((3, 7, 11))},
    ),
    "PredictiveUncertainty": None,
    # sample spacings (scipy.stats.differential_entropy's drop-in; one 8-value slice, where
    # scipy returns NaN for a bad window_length, as ours does)
    "differential_entropy": Spec(
        args={"values": SAMPLES},
        roles={"values": "samples"},
        scalars=("window_length", "base", "axis", "nan_policy", "n_jobs"),
        ref=_sp_differential_entropy,
        extra={
            "method-unknown_2d": (
                lambda: {"values": SAMPLE2D, "method": "no_such_method"}, ("method",)
            ),
            "window_length-too_large_2d": (
                lambda: {"values": np.tile(SAMPLES, (3, 1)), "axis": 1, "window_length": 4},
                ("window_length",),
            ),
            "nan_policy-raise": (
                lambda: {"values": _put(SAMPLES, np.nan), "nan_policy": "raise"}, ("values",)
            ),
            "values-masked": (
                lambda: {"values": np.ma.masked_array(SAMPLES, SAMPLES > 2)}, ("values",)
            ),
        },
        layout=lambda: {"values": _RNG.permutation(120).reshape(20, 6).astype(np.float64)},
    ),
    # mixtures
    "GaussianMixture": None,  # the model type: its validation is as_gaussian_mixture's
    "MixtureDivergence": None,
    "MixtureDivergenceBatch": None,
    "as_gaussian_mixture": Spec(
        args={"weights": PROB, "means": GM_MEANS, "covariances": GM_COVS},
        roles={"weights": "prob", "means": "gm_means", "covariances": "gm_covs"},
        extra={
            "weights-sum": (lambda: {"weights": PROB * 2}, ("weights",)),
            "covariances-not_spd": (lambda: {"covariances": -GM_COVS}, ("covariances",)),
            "covariances-asymmetric": (
                lambda: {"covariances": GM_COVS + np.array([[0.0, 0.5], [0.0, 0.0]])},
                ("covariances",),
            ),
            "covariance_type-unknown": (lambda: {"covariance_type": "banana"},
                                        ("covariance_type",)),
            "covariance_type-mismatch": (lambda: {"covariance_type": "diag"}, ("covariances",)),
            "obj-combined": (lambda: {"obj": GM}, ("obj",)),
        },
    ),
    "log_density": Spec(
        args={"mixture": GM, "X": SAMPLE2D},
        roles={"X": "sample2d"},
        skip={"X-3d": "leading axes of X are batch axes"},
        extra={
            "mixture-not_a_model": (lambda: {"mixture": "model.json"}, ("mixture",)),
            "X-dimension": (lambda: {"X": np.zeros((3, 3))}, ("X",)),
        },
        layout=lambda: {"X": _int_valued((7, 2))},
    ),
    "sample": Spec(
        args={"mixture": GM, "n": 5, "random_state": 0},
        roles={},
        extra={
            "mixture-not_a_model": (lambda: {"mixture": None}, ("mixture",)),
            "n-negative": (lambda: {"n": -1}, ("n",)),
            "n-float": (lambda: {"n": 2.5}, ("n",)),
            "random_state-negative": (lambda: {"random_state": -1}, ("random_state",)),
            "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
        },
    ),
    "kl_divergence_gaussian": Spec(
        args={"mean0": GAUSS_MEAN, "cov0": GAUSS_COV, "mean1": GAUSS_MEAN[::-1].copy(),
              "cov1": GAUSS_COV * 2},
        roles={"mean0": "gauss_mean", "cov0": "gauss_cov", "mean1": "gauss_mean",
               "cov1": "gauss_cov"},
        extra={
            "cov0-not_spd": (lambda: {"cov0": -GAUSS_COV}, ("cov0",)),
            "cov1-asymmetric": (lambda: {"cov1": np.array([[1.0, 0.5], [0.0, 1.0]])}, ("cov1",)),
            "mean1-dimension": (lambda: {"mean1": np.zeros(3), "cov1": np.eye(3)}, ("mean1",)),
            "cov1-batch_mismatch": (
                lambda: {"cov1": np.stack([GAUSS_COV] * 3), "cov0": np.stack([GAUSS_COV] * 2)},
                ("mean0", "cov0", "mean1", "cov1"),
            ),
        },
        layout=lambda: {
            "mean0": _int_valued((3, 2)),
            "cov0": np.array([[[2.0, 1.0], [1.0, 3.0]], [[4.0, 0.0], [0.0, 1.0]],
                              [[5.0, 2.0], [2.0, 2.0]]]),
            "mean1": _int_valued((3, 2)),
            "cov1": np.array([[3.0, 1.0], [1.0, 2.0]]),
        },
    ),
    "kl_divergence_mixture": Spec(
        args={"p": GM, "q": GM_Q, "n_samples": 64, "random_state": 0},
        roles={},
        extra={
            "p-not_a_model": (lambda: {"p": np.zeros(3)}, ("p",)),
            "q-dimension": (
                lambda: {"q": fe.as_gaussian_mixture(weights=[1.0], means=[[0.0, 0.0, 0.0]],
                                                     covariances=[1.0],
                                                     covariance_type="spherical")},
                ("q",),
            ),
            "n_samples-one": (lambda: {"n_samples": 1}, ("n_samples",)),
            "n_samples-float": (lambda: {"n_samples": 100.0}, ("n_samples",)),
            "random_state-negative": (lambda: {"random_state": -5}, ("random_state",)),
            "tol-zero": (lambda: {"method": "mc", "tol": 0.0}, ("tol",)),
            "tol-nan": (lambda: {"method": "mc", "tol": float("nan")}, ("tol",)),
            "tol-str": (lambda: {"method": "mc", "tol": "1e-3"}, ("tol",)),
            "tol-rqmc_negative": (lambda: {"method": "rqmc", "tol": -1e-3}, ("tol",)),
            "method-quad_in_2d": (lambda: {"method": "quad"}, ("method",)),
            "method-unknown": (lambda: {"method": "sobol"}, ("method",)),
            "antithetic-int": (lambda: {"method": "mc", "antithetic": 1}, ("antithetic",)),
            "antithetic-str": (lambda: {"method": "mc", "antithetic": "yes"}, ("antithetic",)),
            "antithetic-not_mc": (lambda: {"method": "rqmc", "antithetic": True},
                                  ("antithetic",)),
            "n_randomizations-one": (lambda: {"method": "rqmc", "n_randomizations": 1},
                                     ("n_randomizations",)),
            "n_randomizations-float": (lambda: {"method": "rqmc", "n_randomizations": 16.0},
                                       ("n_randomizations",)),
            "n_randomizations-huge": (lambda: {"method": "rqmc", "n_randomizations": 2**40},
                                      ("n_randomizations",)),
            "n_samples-one_rqmc": (lambda: {"method": "rqmc", "n_samples": 1}, ("n_samples",)),
        },
    ),
    "kl_divergence_mixture_batch": Spec(
        args={"P": [GM, GM_Q], "Q": [GM_Q, GM], "n_samples": 64, "random_state": 0},
        roles={},
        extra={
            "P-one_model": (lambda: {"P": GM}, ("P",)),
            "P-not_a_model": (lambda: {"P": [GM, np.zeros(3)]}, ("P",)),
            "Q-not_a_sequence": (lambda: {"Q": 3}, ("Q",)),
            "Q-length": (lambda: {"Q": [GM]}, ("Q",)),
            "Q-dimension": (
                lambda: {"Q": [GM, fe.as_gaussian_mixture(weights=[1.0], means=[[0.0, 0.0, 0.0]],
                                                          covariances=[1.0],
                                                          covariance_type="spherical")]},
                ("Q",),
            ),
            "pairs-unknown": (lambda: {"pairs": "outer"}, ("pairs",)),
            "method-unknown": (lambda: {"method": "banana"}, ("method",)),
            "n_samples-one": (lambda: {"n_samples": 1}, ("n_samples",)),
            "random_state-negative": (lambda: {"random_state": -5}, ("random_state",)),
            "tol-zero": (lambda: {"method": "mc", "tol": 0.0}, ("tol",)),
            "antithetic-int": (lambda: {"method": "mc", "antithetic": 0}, ("antithetic",)),
            "antithetic-not_mc": (lambda: {"method": "auto", "antithetic": True},
                                  ("antithetic",)),
            "n_randomizations-zero": (lambda: {"method": "rqmc", "n_randomizations": 0},
                                      ("n_randomizations",)),
            "n_randomizations-bool": (lambda: {"method": "rqmc", "n_randomizations": True},
                                      ("n_randomizations",)),
        },
    ),
    # mutual information
    "contingency": Spec(
        args={"x": LABELS_A, "y": LABELS_B},
        roles={"x": "labels", "y": "labels"},
        pair=("x", "y"),
        layout=lambda: {"x": _int_valued((40,)), "y": _int_valued((40,))},
    ),
    **{
        name: Spec(
            args={"table": TABLE},
            roles={"table": "table"},
            scalars=("method", "base", "n_jobs"),
            layout=TABLE_LAYOUT,
        )
        for name in TABLE_FUNCTIONS
    },
    **{
        name: Spec(
            args={"labels_true": LABELS_A, "labels_pred": LABELS_B},
            roles={"labels_true": "labels", "labels_pred": "labels"},
            pair=("labels_true", "labels_pred"),
            scalars=("average_method",) if name != "mutual_info_score" else (),
            ref=_sk(name),
            layout=lambda: {"labels_true": _int_valued((40,)), "labels_pred": _int_valued((40,))},
        )
        for name in LABEL_SCORES
    },
    # k-NN estimators (k=2 is a valid neighbour count there, not "below the support")
    "entropy_knn": Spec(
        args={"x": SAMPLE2D},
        roles={"x": "sample2d"},
        skip={"k-below_support": "k=2 is a valid neighbour count"},
        layout=lambda: {"x": _knn_points(0)},
        extra={
            "metric-unknown": (lambda: {"metric": "manhattan"}, ("metric",)),
            "noise-negative": (lambda: {"noise": -1.0}, ("noise",)),
            "standardize-not_bool": (lambda: {"standardize": "yes"}, ("standardize",)),
            "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
            "k-too_large": (lambda: {"k": 6}, ("k",)),
        },
    ),
    "mutual_info_knn": Spec(
        args={"x": SAMPLE2D, "y": KNN_Y},
        roles={"x": "sample2d", "y": "knn_y"},
        pair=("x", "y"),
        skip={"k-below_support": "k=2 is a valid neighbour count"},
        layout=lambda: {"x": _knn_points(0), "y": _knn_points(1)[:, 1]},
        extra={
            "algorithm-unknown": (lambda: {"algorithm": "ksg3"}, ("algorithm",)),
            "algorithm-ksg2_with_z": (lambda: {"algorithm": "ksg2", "z": KNN_Y}, ("algorithm",)),
            "z-length_mismatch": (lambda: {"z": KNN_Y[:4]}, ("z",)),
            "z-nan": (lambda: {"z": _put(KNN_Y, np.nan)}, ("z",)),
            "y-constant": (lambda: {"y": np.ones(6)}, ("y",)),
            "noise-nan": (lambda: {"noise": math.nan}, ("noise",)),
            "return_local-not_bool": (lambda: {"return_local": 1}, ("return_local",)),
            "k-too_large": (lambda: {"k": 6}, ("k",)),
        },
    ),
    "kl_divergence_knn": Spec(
        args={"x": SAMPLE2D, "y": SAMPLE2D[::-1] * 1.5 + 0.25},
        roles={"x": "sample2d", "y": "sample2d"},
        skip={"k-below_support": "k=2 is a valid neighbour count"},
        layout=lambda: {"x": _knn_points(0), "y": _knn_points(1)},
        extra={
            "y-column_mismatch": (lambda: {"y": SAMPLE2D[:, :1]}, ("y",)),
            "k-too_large": (lambda: {"k": 6}, ("k",)),
        },
    ),
}


# --------------------------------------------------------------------------- rows kept elsewhere
def _load_row_modules() -> None:
    """Rows kept in ``tests/rows/<family>.py`` (see ``tests/_rows.py``)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _rows import row_modules

    here = sys.modules[__name__]
    for mod in row_modules():
        if not hasattr(mod, "zoo"):
            continue
        for arg, values in getattr(mod, "ZOO_SCALARS", {}).items():
            BAD_SCALARS.setdefault(arg, {}).update(values)
        VALID.update(getattr(mod, "ZOO_ROLES", {}))
        new = mod.zoo(here)
        clash = sorted(set(new) & set(SPECS))
        assert not clash, f"{mod.__name__}: rows already in SPECS: {clash}"
        SPECS.update(new)


_load_row_modules()


#: Drop-in submodules whose ``__all__`` the walk covers too, as rows named "module.function".
SUBMODULES = ("sklearn", "npeet")


def _submodule(name: str) -> Any:
    import importlib
    import importlib.util

    if importlib.util.find_spec(f"fastentropy.{name}") is None:
        return None
    return importlib.import_module(f"fastentropy.{name}")


def public_names() -> list[str]:
    """``fastentropy.__all__`` and, prefixed with their module, the drop-in submodules' names."""
    names = list(fe.__all__)
    for sub in SUBMODULES:
        mod = _submodule(sub)
        if mod is not None:
            names += [f"{sub}.{n}" for n in getattr(mod, "__all__", ())]
    return names


def resolve(name: str) -> Any:
    """The public callable a row is named after ("entropy", "sklearn.mutual_info_regression")."""
    if "." in name:
        sub, attr = name.split(".", 1)
        return getattr(_submodule(sub), attr)
    return getattr(fe, name)


def public_callables() -> list[str]:
    out = []
    for n in public_names():
        try:
            ok = callable(resolve(n)) or n == "__version__"
        except AttributeError:
            ok = False
        if ok:
            out.append(n)
    return sorted(out)


def _live_specs() -> dict[str, Spec]:
    live = set(public_names())
    return {n: s for n, s in SPECS.items() if s is not None and n in live}


# --------------------------------------------------------------------------- cases
@dataclasses.dataclass
class Case:
    id: str
    func: str
    kind: str  # "bad" or "layout"
    build: Callable[[], dict[str, Any]]
    names: tuple[str, ...] = ()  # arguments an error message may name
    variant: str = ""


#: Scalar arguments tried wherever the signature has them (the rest are listed per row).
AUTO_SCALARS = (
    "method", "k", "base", "axis", "n_jobs", "bins", "range", "alpha", "minlength", "nan_policy",
)


def _scalar_args(func: str, spec: Spec) -> list[str]:
    import inspect

    params = inspect.signature(resolve(func)).parameters
    auto = [a for a in AUTO_SCALARS if a in params and a not in spec.roles]
    return list(dict.fromkeys([*spec.scalars, *auto]))


def bad_cases() -> list[Case]:
    cases: list[Case] = []
    for func, spec in _live_specs().items():
        for arg, role in spec.roles.items():
            for cname, make in _bad_arrays(role).items():
                cid = f"{func}-{arg}-{cname}"
                if cid in spec.skip or f"{arg}-{cname}" in spec.skip:
                    continue
                build = lambda a=arg, m=make, s=spec: {**s.args, a: m()}
                cases.append(Case(cid, func, "bad", build, (arg,)))
        if spec.pair:
            a, b = spec.pair
            def longer(s: Spec = spec, a: str = a) -> dict[str, Any]:
                first = np.asarray(s.args[a])
                return {**s.args, a: np.concatenate([first, first[:1]])}

            cases.append(Case(f"{func}-{a}-{b}-shape_mismatch", func, "bad", longer, (a, b)))
        for cname, (overrides, names) in spec.extra.items():
            build = lambda s=spec, o=overrides: {**s.args, **o()}
            cases.append(Case(f"{func}-{cname}", func, "bad", build, names))
        for arg in _scalar_args(func, spec):
            for cname, value in BAD_SCALARS[arg].items():
                cid = f"{func}-{arg}-{cname}"
                if cid in spec.skip or f"{arg}-{cname}" in spec.skip:
                    continue
                build = lambda a=arg, v=value, s=spec: {**s.args, a: v}
                cases.append(Case(cid, func, "bad", build, (arg,)))
    return cases


INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
LAYOUT_VARIANTS = ("float32", *INT_DTYPES, "big_endian", "non_contiguous", "fortran", "read_only")


def _variant(arr: np.ndarray, variant: str) -> np.ndarray:
    if variant == "float32" or variant in INT_DTYPES:
        return arr.astype(variant)
    if variant == "big_endian":
        return arr.astype(arr.dtype.newbyteorder(">"))
    if variant == "non_contiguous":
        wide = np.repeat(arr, 2, axis=-1)
        wide[..., 1::2] = 99  # garbage between the strided elements
        view = wide[..., ::2]
        assert not view.flags.c_contiguous
        return view
    if variant == "fortran":
        return np.asfortranarray(arr)
    if variant == "read_only":  # e.g. a memory-mapped file: kernels must take const views
        out = arr.copy()
        out.setflags(write=False)
        return out
    raise AssertionError(variant)


_LAYOUT_BASES: dict[str, dict[str, np.ndarray]] = {}


def _layout_base(func: str) -> dict[str, np.ndarray]:
    """The float64 C-order arrays of a function's layout test (drawn once, then reused)."""
    if func not in _LAYOUT_BASES:
        layout = SPECS[func].layout
        _LAYOUT_BASES[func] = layout() if layout else {}
    return _LAYOUT_BASES[func]


def layout_cases() -> list[Case]:
    cases = []
    for func, spec in _live_specs().items():
        if spec.layout is None:
            continue
        base = _layout_base(func)
        for variant in LAYOUT_VARIANTS:
            if variant == "fortran" and all(np.asarray(v).ndim < 2 for v in base.values()):
                continue
            if variant == "float32" and spec.integer_dtype:
                continue
            if f"layout-{variant}" in spec.skip:
                continue  # a float dtype is rejected there (a bad case of its own)
            def build(f: str = func, b: dict = base, v: str = variant) -> dict[str, Any]:
                return {**_plain(f), **{k: _variant(x, v) for k, x in b.items()}}

            cases.append(Case(f"{func}-{variant}", func, "layout", build, variant=variant))
    return cases


def _plain(func: str) -> dict[str, Any]:
    """The valid call with its arrays replaced by the float64 C-order layout input."""
    spec = SPECS[func]
    out = {k: v for k, v in spec.args.items() if k not in spec.roles}
    out.update(_layout_base(func))
    return out


def all_cases() -> dict[str, Case]:
    return {c.id: c for c in bad_cases() + layout_cases()}


# --------------------------------------------------------------------------- child side
def _jsonable(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return [_jsonable(v) for v in x]
    arr = np.asarray(x)
    if arr.dtype.kind in "biuf":
        return {"shape": list(arr.shape), "values": [repr(float(v)) for v in arr.ravel()]}
    return repr(x)


def _run_bad(case: Case) -> dict[str, Any]:
    spec = SPECS[case.func]
    kwargs = case.build()
    func = resolve(case.func)
    outcome: dict[str, Any] = {}
    try:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = func(**kwargs)
        outcome = {"status": "returned", "result": _jsonable(result)}
    except Exception as exc:
        outcome = {"status": "raised", "type": type(exc).__name__, "msg": str(exc),
                   "mro": [c.__name__ for c in type(exc).__mro__]}
    if spec.ref is not None:
        try:
            import warnings

            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = spec.ref(**case.build())
            outcome["ref"] = {"status": "returned", "result": _jsonable(ref)}
        except Exception as exc:
            outcome["ref"] = {"status": "raised", "type": type(exc).__name__, "msg": str(exc)}
    return outcome


def _flatten(x: Any) -> list[np.ndarray]:
    if isinstance(x, (tuple, list)):
        return [a for v in x for a in _flatten(v)]
    return [np.asarray(x)]


def _run_layout(case: Case) -> dict[str, Any]:
    func = resolve(case.func)
    base_kwargs = _plain(case.func)
    try:
        expected = _flatten(func(**base_kwargs))
    except Exception as exc:
        detail = f"float64 C-order call raised {type(exc).__name__}: {exc}"
        return {"status": "fail", "detail": detail}
    kwargs = case.build()
    try:
        got = _flatten(func(**kwargs))
    except Exception as exc:
        detail = f"{case.variant} input raised {type(exc).__name__}: {exc}"
        return {"status": "fail", "detail": detail}
    if len(got) != len(expected):
        return {"status": "fail", "detail": f"{len(got)} outputs, expected {len(expected)}"}
    rtol = 1e-6 if case.variant == "float32" else 1e-12
    for i, (g, e) in enumerate(zip(got, expected)):
        if g.shape != e.shape:
            return {"status": "fail", "detail": f"output {i}: shape {g.shape}, expected {e.shape}"}
        try:
            g64, e64 = g.astype(np.float64), e.astype(np.float64)
            ok = np.allclose(g64, e64, rtol=rtol, atol=0, equal_nan=True)
        except (TypeError, ValueError):
            ok = bool(np.array_equal(g, e))
        if not ok:
            return {"status": "fail", "detail": f"output {i}: {g!r} != float64/C-order {e!r}"}
    return {"status": "ok"}


def child_main() -> None:
    cases = all_cases()
    for line in sys.stdin:
        cid = line.strip()
        if not cid:
            continue
        print("BEGIN", cid, flush=True)
        case = cases[cid]
        res = _run_bad(case) if case.kind == "bad" else _run_layout(case)
        print("RESULT", json.dumps({"id": cid, **res}), flush=True)


# --------------------------------------------------------------------------- parent side
CHILD_TIMEOUT = 240.0


def run_walk(ids: list[str], script: str | None = None) -> dict[str, dict[str, Any]]:
    """Run cases in child processes; a crash or hang is reported for the case that caused it."""
    script = script or os.path.abspath(__file__)
    results: dict[str, dict[str, Any]] = {}
    todo = list(ids)
    # the child must import the same fastentropy as this process
    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(fe.__file__)))
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    env["PYTHONPATH"] = os.pathsep.join([pkg_root, *filter(None, [env.get("PYTHONPATH")])])
    while todo:
        p = subprocess.Popen(
            [sys.executable, script],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=ROOT, env=env,
        )
        try:
            out, err = p.communicate("\n".join(todo) + "\n", timeout=CHILD_TIMEOUT)
            hung = False
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            hung = True
        current = None
        for line in out.splitlines():
            if line.startswith("BEGIN "):
                current = line[6:]
            elif line.startswith("RESULT "):
                res = json.loads(line[7:])
                results[res["id"]] = res
                current = None
        if current is None:
            for cid in todo:  # the child died before its first case (import error...)
                detail = f"child exited {p.returncode}: {err[-3000:]}"
                results.setdefault(cid, {"status": "crash", "detail": detail})
            break
        what = (
            f"hung (>{CHILD_TIMEOUT:.0f} s)"
            if hung
            else f"crashed the interpreter (exit code {p.returncode})"
        )
        results[current] = {"status": "crash", "detail": f"{what}\n{err[-3000:]}"}
        todo = [cid for cid in todo if cid not in results]
    return results


if __name__ == "__main__":
    child_main()
    sys.exit(0)


# --------------------------------------------------------------------------- tests
_BAD = bad_cases()
_LAYOUT = layout_cases()


@pytest.fixture(scope="module")
def walk() -> dict[str, dict[str, Any]]:
    return run_walk([c.id for c in _BAD + _LAYOUT])


def missing_rows() -> list[str]:
    return [n for n in public_callables() if n not in SPECS]


def test_every_public_function_has_a_row():
    missing = missing_rows()
    assert not missing, (
        f"public functions without a row in tests/test_bad_input.py SPECS: {missing}; "
        "add one (how to call it, which arguments are arrays) so the bad-input walk covers them"
    )


def test_the_row_check_notices_a_new_function(monkeypatch):
    monkeypatch.setattr(fe, "__all__", [*fe.__all__, "brand_new_estimator"])
    monkeypatch.setattr(fe, "brand_new_estimator", lambda x: x, raising=False)
    assert "brand_new_estimator" in missing_rows()


def test_no_stale_rows():
    live = set(public_names())
    stale = [n for n in SPECS if n not in live]
    assert not stale, f"SPECS rows for names that are not public: {stale}"


def test_every_row_has_a_working_valid_call():
    """The valid call of each row runs: otherwise the bad cases would prove nothing."""
    for func, spec in _live_specs().items():
        resolve(func)(**spec.args)


def _names_arg(msg: str, names: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", msg) for n in names)


def _same_result(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("case", _BAD, ids=[c.id for c in _BAD])
def test_bad_input(case: Case, walk):
    res = walk[case.id]
    assert res["status"] != "crash", f"{case.id}: {res['detail']}"
    ref = res.get("ref")
    if res["status"] == "returned":
        if ref is not None and ref["status"] == "returned":
            assert _same_result(res["result"], ref["result"]), (
                f"{case.id}: returned {res['result']} but the reference returns {ref['result']}"
            )
            return
        pytest.fail(f"{case.id}: accepted bad input and returned {res['result']}")
    assert {"ValueError", "TypeError"} & set(res["mro"]), (
        f"{case.id}: raised {res['type']}: {res['msg']} (expected ValueError or TypeError)"
    )
    if _names_arg(res["msg"], case.names):
        return
    if ref is not None and ref["status"] == "raised" and ref["msg"] == res["msg"]:
        return  # the drop-in's message is the reference library's own
    names = " or ".join(case.names)
    pytest.fail(f"{case.id}: {res['type']} message does not name {names}: {res['msg']!r}")


@pytest.mark.parametrize("case", _LAYOUT, ids=[c.id for c in _LAYOUT])
def test_dtype_and_layout(case: Case, walk):
    res = walk[case.id]
    assert res["status"] == "ok", f"{case.id}: {res.get('detail')}"


def test_walk_catches_a_crash(tmp_path):
    """The harness itself: a case that kills the interpreter is reported, and the walk goes on."""
    script = tmp_path / "crashy.py"
    script.write_text(
        "import sys, os\n"
        "for line in sys.stdin:\n"
        "    cid = line.strip()\n"
        "    print('BEGIN', cid, flush=True)\n"
        "    if cid == 'b':\n"
        "        os.abort()\n"
        "    print('RESULT', '{\"id\": \"%s\", \"status\": \"ok\"}' % cid, flush=True)\n"
    )
    res = run_walk(["a", "b", "c"], script=str(script))
    assert res["a"]["status"] == "ok" and res["c"]["status"] == "ok"
    assert res["b"]["status"] == "crash"
