"""Results must not depend on the thread count: bitwise-identical output for n_jobs 1, 2, 3, None.

Every public function with an ``n_jobs`` parameter needs a row in ``BATCH`` (how to build an input
big enough to be split across threads); ``test_every_batch_function_has_a_row`` fails otherwise.
The comparison is on the raw bytes of every output array, so NaN/inf positions, NaN payloads and
the sign of zero must agree too. On the NumPy backend every n_jobs runs the same serial twin and
the assertions hold trivially; they keep running there so the suite is the same on both backends.
"""
from __future__ import annotations

import inspect
import os
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import fastentropy as fe

N_JOBS = (1, 2, 3, None, -1)
ROWS = 1543  # not a multiple of any thread count or block size


def _rng(salt: int) -> np.random.Generator:
    return np.random.default_rng([20261126, salt])


def _counts(salt: int, rows: int = ROWS, width: int = 37) -> np.ndarray:
    """Sparse counts with single-category, singleton-only and heavy rows mixed in (no empty row)."""
    rng = _rng(salt)
    c = rng.poisson(rng.uniform(0.05, 6.0, size=(rows, 1)), size=(rows, width)).astype(np.int64)
    c[:, 0] += 2
    c[::97] = 1
    c[5::89] = 0
    c[5::89, 3] = 11
    c[7::53, :5] += 1000
    return c


def _probs(salt: int, rows: int = ROWS, width: int = 29) -> np.ndarray:
    """Rows of non-negative weights with exact zeros (so KL & co. produce inf), normalised."""
    rng = _rng(salt)
    p = rng.exponential(size=(rows, width))
    p[rng.random((rows, width)) < 0.15] = 0.0
    p[::101] = 0.0
    p[::101, 0] = 1.0
    return p / p.sum(axis=1, keepdims=True)


def _with_nans(a: np.ndarray) -> np.ndarray:
    a = a.copy()
    a[2::31, 3] = np.nan
    return a


def _samples(salt: int, rows: int = 211, n: int = 3001) -> np.ndarray:
    rng = _rng(salt)
    x = rng.standard_normal((rows, n)) * rng.uniform(0.1, 10, size=(rows, 1))
    x[3::17, :40] = 0.0  # ties
    return x


def _tables(salt: int, t: int = 907) -> np.ndarray:
    return _counts(salt, rows=t, width=5 * 7).reshape(t, 5, 7)


def _codes(salt: int) -> np.ndarray:
    return _rng(salt).integers(0, 50, size=(401, 2999))


def _labels(salt: int, n: int = 20011, k: int = 37) -> np.ndarray:
    return _rng(salt).integers(0, k, size=n)


def _logits(salt: int, rows: int = 311, width: int = 257, dtype: Any = np.float32) -> np.ndarray:
    """Logits with masked classes, ties, a dominant class and huge values mixed in."""
    rng = _rng(salt)
    x = rng.standard_normal((rows, width)) * rng.uniform(0.5, 8.0, size=(rows, 1))
    x[rng.random((rows, width)) < 0.05] = -np.inf
    x[:, 0] = np.where(np.isneginf(x[:, 0]), 1.0, x[:, 0])
    x[3::29, :7] = 2.5  # ties
    x[5::31, 11] = 60.0  # a dominant class: tiny entropies
    x[7::37] *= 1e6
    return x.astype(dtype)


_LOGIT_ROWS: dict[str, list[tuple[str, Builder]]] = {
    "softmax_entropy": [
        ("f32_grad", lambda: ((_logits(700),), {"return_probs": True, "return_grad": True})),
        (
            "f16_T",
            lambda: ((np.clip(_logits(701, dtype=np.float64), -6e4, 6e4).astype(np.float16),),
                     {"temperature": 0.3}),
        ),
        ("f64_axis0", lambda: ((_logits(702, dtype=np.float64).T,), {"axis": 0})),
    ],
    "log_softmax": [("f32", lambda: ((_logits(703),), {"temperature": 2.0}))],
    "logsumexp": [("f64", lambda: ((_logits(704, dtype=np.float64),), {}))],
    "softmax_kl_divergence": [
        (
            "T2_grads",
            lambda: (
                (_logits(705), _logits(706)),
                {"temperature": 2.0, "return_grad": True, "grad_wrt": "both"},
            ),
        ),
        ("near_identical", lambda: ((_logits(707), _logits(707) + np.float32(1e-4)), {})),
    ],
    "softmax_jensen_shannon": [("rows", lambda: ((_logits(708), _logits(709)), {}))],
    "softmax_cross_entropy": [
        (
            "labels",
            lambda: (
                (np.where(np.isneginf(_logits(710)), 0.0, _logits(710)),
                 _rng(711).integers(0, 257, 311)),
                {"label_smoothing": 0.1},
            ),
        ),
        ("teacher", lambda: ((_logits(712), _logits(713)), {"target_is_logits": True})),
    ],
    "perplexity_from_logits": [
        (
            "lm",
            lambda: (
                (np.where(np.isneginf(_logits(714)), 0.0, _logits(714)).reshape(1, 311, 257),
                 _rng(715).integers(0, 257, (1, 311))),
                {},
            ),
        )
    ],
    "predictive_uncertainty": [
        ("members_first", lambda: ((_logits(716, rows=310).reshape(5, 62, 257),), {})),
        (
            "members_last",
            lambda: ((_logits(717, rows=310).reshape(62, 257, 5),), {"member_axis": -1, "axis": 1}),
        ),
    ],
}


TABLE_FUNCTIONS = (
    "joint_entropy", "conditional_entropy", "mutual_information", "variation_of_information",
)
LABEL_SCORES = ("mutual_info_score", "normalized_mutual_info_score", "adjusted_mutual_info_score")

Builder = Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]


def _gmm(salt: int, k: int = 8, d: int = 2) -> Any:
    """A random k-component full-covariance Gaussian mixture."""
    rng = _rng(salt)
    a = rng.normal(size=(k, d, d))
    return fe.as_gaussian_mixture(
        weights=rng.dirichlet(np.ones(k)),
        means=rng.normal(size=(k, d)) * 3,
        covariances=a @ np.swapaxes(a, -1, -2) + 0.1 * np.eye(d),
    )

#: name -> list of (case id, builder returning (args, kwargs) without n_jobs).
BATCH: dict[str, list[tuple[str, Builder]]] = {
    "entropy_counts": [],  # filled per method below
    "entropy": [
        ("axis0", lambda: ((_probs(40).T,), {})),
        ("axis1_base2", lambda: ((_probs(41),), {"axis": 1, "base": 2})),
        ("relative", lambda: ((_probs(42).T, _probs(43).T), {})),
        ("nan_propagate", lambda: ((_with_nans(_probs(44)).T,), {})),
    ],
    "jensenshannon": [
        ("axis0", lambda: ((_probs(45).T, _probs(46).T), {})),
        ("axis1_base2", lambda: ((_probs(47), _probs(48)), {"axis": 1, "base": 2.0})),
    ],
    "histogram": [
        ("bins100", lambda: ((_samples(20).ravel(),), {"bins": 100})),
        (
            "range_density",
            lambda: ((_samples(21).ravel(),), {"bins": 37, "range": (-2.0, 5.0), "density": True}),
        ),
        (
            "weights",
            lambda: ((_samples(22).ravel(),), {"bins": 64, "weights": _samples(23).ravel()}),
        ),
        ("rule_auto", lambda: ((_samples(24).ravel(),), {"bins": "auto"})),
    ],
    "histogram_bin_edges": [
        ("bins100", lambda: ((_samples(25).ravel(),), {"bins": 100})),
        ("rule_fd", lambda: ((_samples(26).ravel(),), {"bins": "fd"})),
    ],
    "histogram2d": [
        ("bins", lambda: ((_samples(27).ravel(), _samples(28).ravel()), {"bins": (33, 17)})),
        (
            "range",
            lambda: (
                (_samples(29).ravel(), _samples(30).ravel()),
                {"bins": 20, "range": [[-1, 1], [0, 3]]},
            ),
        ),
    ],
    "histogramdd": [
        ("d3", lambda: ((_samples(31)[:, :3000].reshape(-1, 3),), {"bins": (9, 10, 11)})),
    ],
    "entropy_samples": [
        ("bins10", lambda: ((_samples(1),), {"bins": 10})),
        ("bins50_range", lambda: ((_samples(2),), {"bins": 50, "range": (-3.0, 3.0)})),
        ("axis0", lambda: ((_samples(3).T,), {"bins": 17, "axis": 0})),
    ],
    "histogram_rows": [
        ("bins64", lambda: ((_samples(4),), {"bins": 64})),
        ("range", lambda: ((_samples(5),), {"bins": 13, "range": (-1.0, 2.0)})),
        ("axis0", lambda: ((_samples(6).T,), {"bins": 7, "axis": 0})),
    ],
    "bincount_rows": [
        ("codes", lambda: ((_codes(7),), {})),
        ("minlength", lambda: ((_codes(8),), {"minlength": 77})),
    ],
    **{
        name: [("rows", lambda s=i: ((_probs(100 + s), _probs(200 + s)), {}))]
        for i, name in enumerate(
            [
                "cross_entropy",
                "kl_divergence",
                "jensen_shannon",
                "total_variation",
                "hellinger",
                "bhattacharyya",
                "chi2_divergence",
            ]
        )
    },
    "renyi_divergence": [
        (f"alpha{a}", lambda a=a: ((_probs(300), _probs(301)), {"alpha": a}))
        for a in (0.5, 2.0, np.inf)
    ],
    "renyi_entropy": [
        (f"alpha{a}", lambda a=a: ((_probs(302),), {"alpha": a})) for a in (0.0, 0.5, 2.0, np.inf)
    ],
    "tsallis_entropy": [
        (f"alpha{a}", lambda a=a: ((_probs(303),), {"alpha": a})) for a in (0.5, 2.0)
    ],
    "perplexity": [("rows", lambda: ((_probs(304),), {}))],
    **{
        name: [("plugin", lambda s=i: ((_tables(400 + s),), {}))]
        for i, name in enumerate(TABLE_FUNCTIONS)
    },
    "contingency": [("labels", lambda: ((_labels(500), _labels(501, k=23)), {}))],
    "log_density": [("gmm8", lambda: ((_gmm(800), _rng(801).normal(size=(20011, 2)) * 3), {}))],
    "sample": [("gmm8", lambda: ((_gmm(802), 20011), {"random_state": 5}))],
    "kl_divergence_mixture_batch": [
        ("gmm8_zip", lambda: (([_gmm(805), _gmm(806, k=3)], [_gmm(807, k=5), _gmm(808)]),
                              {"n_samples": 30011, "random_state": 7})),
    ],
    "kl_divergence_mixture": [
        ("gmm8_mc", lambda: ((_gmm(803), _gmm(804, k=5)), {"n_samples": 30011,
                                                          "random_state": 6}))
    ],
    **_LOGIT_ROWS,
    **{
        name: [("labels", lambda s=i: ((_labels(510 + s), _labels(520 + s, k=23)), {}))]
        for i, name in enumerate(LABEL_SCORES)
    },
    # k-NN: 11 * ROWS points; the kernel threads over query points
    "entropy_knn": [
        (m, lambda m=m: ((_knn_x(600),), {"metric": m})) for m in ("chebyshev", "euclidean")
    ],
    "mutual_info_knn": [
        ("ksg1_local", lambda: ((_knn_x(601), _knn_x(602)[:, 0]), {"return_local": True})),
        ("ksg2", lambda: ((_knn_x(603), _knn_x(604)), {"algorithm": "ksg2"})),
        ("cmi", lambda: ((_knn_x(605)[:, 0], _knn_x(606)[:, 0]), {"z": _knn_x(607)})),
        ("raw_ties", lambda: ((np.round(_knn_x(608), 1), np.round(_knn_x(609)[:, 0], 1)),
                              {"standardize": False, "noise": 0.0})),
    ],
    "kl_divergence_knn": [("k3", lambda: ((_knn_x(610), _knn_x(611) * 1.5), {"k": 3}))],
}


def _knn_x(salt: int) -> np.ndarray:
    """(11 * ROWS, 2) correlated continuous samples for the k-NN estimators (enough samples
    for the facade to use two threads: about one per 8192)."""
    rng = _rng(salt)
    a = rng.standard_normal((11 * ROWS, 2))
    a[:, 1] += 0.6 * a[:, 0]
    return a


def _entropy_methods() -> list[str]:
    """Every estimator entropy_counts offers (so a new method is covered automatically)."""
    return list(getattr(fe, "ESTIMATOR_METHODS", ()))


# NSB integrates a posterior per row: its NumPy twin costs ~25 ms a row, so fewer (still >> 3) rows.
_NSB_ROWS = 67
for _m in _entropy_methods():
    _rows = _NSB_ROWS if _m == "nsb" else ROWS
    BATCH["entropy_counts"].append(
        (
            _m,
            lambda m=_m, r=_rows: (
                (_counts(zlib.crc32(m.encode()) % 1000, rows=r),), {"method": m, "k": 37}
            ),
        )
    )
    if _m != "nsb":  # methods where the other batch paths are cheap enough
        BATCH["entropy_samples"].append(
            (f"method_{_m}", lambda m=_m: ((_samples(9),), {"bins": 31, "method": m}))
        )
for _m in ("jackknife", "nsb"):
    _rows = _NSB_ROWS if _m == "nsb" else ROWS
    BATCH["entropy_counts"].append(
        (
            f"{_m}_std",
            lambda m=_m, r=_rows: (
                (_counts(11, rows=r),), {"method": m, "k": 37, "return_std": True}
            ),
        )
    )
for _i, _name in enumerate(TABLE_FUNCTIONS):
    for _m in _entropy_methods():
        # each method's own kernel is covered through entropy_counts; here the non-plug-in path
        if _m in ("miller_madow", "chao_shen"):
            BATCH[_name].append((_m, lambda s=_i, m=_m: ((_tables(600 + s),), {"method": m})))


def _spacing_x(salt: int, nan: bool = False) -> np.ndarray:
    """ROWS slices of 300 samples, with ties, a constant slice and (optionally) NaNs."""
    rng = _rng(salt)
    x = rng.standard_normal((ROWS, 300)) * rng.uniform(0.1, 10.0, size=(ROWS, 1))
    x[3::41] = np.round(x[3::41])
    x[7] = 1.5
    if nan:
        x[rng.random(x.shape) < 0.02] = np.nan
        x[11::97, :295] = np.nan  # too small after omitting
    return x


# differential_entropy: every method along axis 1, and NaN-omitting slices along axis 0
BATCH["differential_entropy"] = [
    (m.replace(" ", "_"), lambda m=m: ((_spacing_x(900),), {"axis": 1, "method": m}))
    for m in ("vasicek", "van es", "ebrahimi", "correa", "auto")
] + [("axis0_omit", lambda: ((_spacing_x(901, nan=True).T,), {"nan_policy": "omit"}))]


def _load_row_modules() -> None:
    """Cases kept in ``tests/rows/<family>.py`` (see ``tests/_rows.py``)."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _rows import row_modules

    here = sys.modules[__name__]
    for mod in row_modules():
        if hasattr(mod, "determinism"):
            for name, rows in mod.determinism(here).items():
                BATCH.setdefault(name, []).extend(rows)


_load_row_modules()


def batch_functions() -> list[str]:
    out = []
    for name in fe.__all__:
        f = getattr(fe, name, None)
        if callable(f):
            try:
                params = inspect.signature(f).parameters
            except (TypeError, ValueError):  # pragma: no cover - builtins without signatures
                continue
            if "n_jobs" in params:
                out.append(name)
    return sorted(out)


def _cases() -> list[tuple[str, str, Builder]]:
    live = set(batch_functions())
    return [(name, cid, b) for name, rows in BATCH.items() if name in live for cid, b in rows]


_CASES = _cases()


def missing_rows() -> list[str]:
    return [n for n in batch_functions() if not BATCH.get(n)]


def test_every_batch_function_has_a_row():
    missing = missing_rows()
    assert not missing, f"functions with n_jobs but no case in tests/test_determinism.py: {missing}"


def test_the_row_check_notices_a_new_batch_function(monkeypatch):
    def brand_new(x: Any, *, n_jobs: int | None = None) -> Any:
        return x

    monkeypatch.setattr(fe, "__all__", [*fe.__all__, "brand_new"])
    monkeypatch.setattr(fe, "brand_new", brand_new, raising=False)
    assert "brand_new" in missing_rows()


def _arrays(result: Any) -> list[np.ndarray]:
    if isinstance(result, (tuple, list)):
        return [a for r in result for a in _arrays(r)]
    return [np.asarray(result)]


def _bytes_equal(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    return np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@pytest.mark.parametrize("name,cid,build", _CASES, ids=[f"{n}-{c}" for n, c, _ in _CASES])
def test_bitwise_identical_across_n_jobs(name, cid, build):
    func = getattr(fe, name)
    args, kwargs = build()
    with np.errstate(all="ignore"):
        results = {n: _arrays(func(*args, **kwargs, n_jobs=n)) for n in N_JOBS}
    ref = results[1]
    for n, got in results.items():
        assert len(got) == len(ref)
        for i, (g, r) in enumerate(zip(got, ref)):
            if not _bytes_equal(g, r):
                diff = np.flatnonzero(g.ravel() != r.ravel()) if g.shape == r.shape else "shape"
                pytest.fail(f"{name}({cid}) output {i}: n_jobs=1 and n_jobs={n} differ at {diff}")


def test_inputs_are_big_enough_to_split():
    """A determinism test on a 3-element input proves nothing: every case has many rows/elements."""
    for name, cid, build in _CASES:
        args, kwargs = build()
        # a sample count (sample(m, n), kl_divergence_mixture(n_samples=)) is the work's size
        counts = [a for a in [*args, kwargs.get("n_samples")] if isinstance(a, int)]
        # a list of arrays (mutual_info_batch's problems) counts as its arrays
        arrays = [np.asarray(b) for a in args if not isinstance(a, int)
                  for b in (a if isinstance(a, list) else [a])]
        big = max([a.size for a in arrays] + counts)
        rows = max([a.size // max(a.shape[-1], 1) for a in arrays if a.ndim >= 2] or [0])
        assert big >= 10_000 or rows >= 60, f"{name}({cid}): {big} elements, {rows} rows"
