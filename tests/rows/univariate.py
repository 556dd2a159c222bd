"""Rows of the univariate / categorical mixture family (``fastentropy.univariate``) for the
bad-input walk, the n_jobs determinism test and the compiled-against-twin fuzz: see
``tests/_rows.py``."""
from __future__ import annotations

from typing import Any

import numpy as np

import fastentropy as fe

UV_MEANS = np.array([0.0, 1.5, -2.0, 4.0])  # 4 components, like the walk's PROB weights
UV_SCALES = np.array([1.0, 0.5, 2.0, 1.5])
CAT_PROBS = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])

ZOO_ROLES = {"uv_means": UV_MEANS, "uv_scales": UV_SCALES, "cat_probs": CAT_PROBS}


def _uv(ns: Any, **kw: Any) -> Any:
    return fe.as_univariate_mixture("gaussian", weights=ns.PROB, means=UV_MEANS,
                                    scales=UV_SCALES, **kw)


def zoo(ns: Any) -> dict[str, Any]:
    Spec = ns.Spec
    p = _uv(ns)
    q = fe.as_univariate_mixture("gaussian", weights=ns.PROB_Q, means=UV_MEANS[::-1] + 0.5,
                                 scales=UV_SCALES)
    expo = fe.as_univariate_mixture("exponential", weights=[0.5, 0.5], rates=[1.0, 3.0])
    cp = fe.as_categorical_mixture(ns.PROB, CAT_PROBS)
    cq = fe.as_categorical_mixture(ns.PROB_Q, CAT_PROBS[::-1].copy())
    one = fe.as_univariate_mixture("gaussian", means=[0.0], scales=[1.0])
    return {
        "UnivariateMixture": None,  # the model type: its validation is as_univariate_mixture's
        "CategoricalMixture": None,  # and as_categorical_mixture's
        "as_univariate_mixture": Spec(
            args={"family": "gaussian", "weights": ns.PROB, "means": UV_MEANS,
                  "scales": UV_SCALES},
            roles={"weights": "prob", "means": "uv_means", "scales": "uv_scales"},
            extra={
                "family-unknown": (lambda: {"family": "cauchy"}, ("family",)),
                "family-not_str": (lambda: {"family": 3}, ("family",)),
                "weights-sum": (lambda: {"weights": ns.PROB * 2}, ("weights",)),
                "weights-length": (lambda: {"weights": ns.PROB[:3] / ns.PROB[:3].sum()},
                                   ("weights",)),
                "scales-negative": (lambda: {"scales": -UV_SCALES}, ("scales",)),
                "scales-zero": (lambda: {"scales": UV_SCALES * 0}, ("scales",)),
                "means-length": (lambda: {"means": UV_MEANS[:3]}, ("means",)),
                "rates-for_gaussian": (lambda: {"rates": UV_SCALES}, ("rates",)),
                "shape-for_gaussian": (lambda: {"shape": 2.0}, ("shape",)),
                "rates-negative": (
                    lambda: {"family": "exponential", "means": None, "scales": None,
                             "rates": -UV_SCALES}, ("rates",)),
                "shape-negative": (
                    lambda: {"family": "gamma", "means": None, "shape": -1.0}, ("shape",)),
                "shape-nan": (
                    lambda: {"family": "gamma", "means": None, "shape": float("nan")},
                    ("shape",)),
                "shape-missing": (lambda: {"family": "gamma", "means": None}, ("shape",)),
                "shape-str": (
                    lambda: {"family": "gamma", "means": None, "shape": "two"}, ("shape",)),
            },
        ),
        "as_categorical_mixture": Spec(
            args={"weights": ns.PROB, "probs": CAT_PROBS},
            roles={"weights": "prob", "probs": "cat_probs"},
            extra={
                "probs-negative": (lambda: {"probs": ns._put(CAT_PROBS, -0.25)}, ("probs",)),
                "probs-row_sum": (lambda: {"probs": CAT_PROBS * 2}, ("probs",)),
                "probs-1d": (lambda: {"probs": CAT_PROBS[0]}, ("probs",)),
                "probs-rows": (lambda: {"probs": CAT_PROBS[:3]}, ("probs",)),
            },
        ),
        "log_density_univariate": Spec(
            args={"mixture": p, "x": ns.SAMPLES},
            roles={"x": "samples"},
            skip={"x-empty": "no points: an empty log-density",
                  "x-0d": "a scalar point is a valid input (a 0-d result)"},
            extra={
                "mixture-not_a_model": (lambda: {"mixture": "model.json"}, ("mixture",)),
                "mixture-gaussian_mixture": (lambda: {"mixture": ns.GM}, ("mixture",)),
            },
            layout=lambda: {"x": ns._int_valued((40,))},
        ),
        "sample_univariate": Spec(
            args={"mixture": p, "n": 5, "random_state": 0},
            roles={},
            extra={
                "mixture-not_a_model": (lambda: {"mixture": None}, ("mixture",)),
                "n-negative": (lambda: {"n": -1}, ("n",)),
                "n-float": (lambda: {"n": 2.5}, ("n",)),
                "random_state-negative": (lambda: {"random_state": -1}, ("random_state",)),
                "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
            },
        ),
        "kl_divergence_univariate": Spec(
            args={"p": p, "q": q, "n_samples": 64, "random_state": 0},
            roles={},
            extra={
                "p-not_a_model": (lambda: {"p": np.zeros(3)}, ("p",)),
                "q-not_a_model": (lambda: {"q": ns.GM}, ("q",)),
                "q-categorical": (lambda: {"q": cq}, ("p", "q")),
                "q-family_closed_form": (lambda: {"p": one, "q": expo,
                                                  "method": "closed_form"}, ("q",)),
                "q-family_bounds": (lambda: {"q": expo, "method": "bounds"}, ("q",)),
                "p-mixture_closed_form": (lambda: {"method": "closed_form"}, ("p",)),
                "method-exact_continuous": (lambda: {"method": "exact"}, ("method",)),
                "method-mc_categorical": (lambda: {"p": cp, "q": cq, "method": "mc"},
                                          ("method",)),
                "q-outcomes": (
                    lambda: {"p": cp, "q": fe.as_categorical_mixture([1.0], [[0.5, 0.5]])},
                    ("q",)),
                "n_samples-one": (lambda: {"n_samples": 1}, ("n_samples",)),
                "n_samples-float": (lambda: {"n_samples": 100.0}, ("n_samples",)),
                "random_state-negative": (lambda: {"random_state": -5}, ("random_state",)),
                "tol-zero": (lambda: {"method": "mc", "tol": 0.0}, ("tol",)),
                "tol-nan": (lambda: {"method": "mc", "tol": float("nan")}, ("tol",)),
                "tol-str": (lambda: {"method": "mc", "tol": "1e-3"}, ("tol",)),
            },
        ),
    }


# ------------------------------------------------------------------------------ determinism
def _mix(ns: Any, salt: int, family: str, k: int = 8) -> Any:
    rng = ns._rng(salt)
    w = rng.dirichlet(np.ones(k))
    s = rng.uniform(0.3, 3.0, size=k)
    if family == "gaussian":
        return fe.as_univariate_mixture(family, w, means=rng.normal(0, 3, k), scales=s)
    if family == "laplace":
        return fe.as_univariate_mixture(family, w, locations=rng.normal(0, 3, k), scales=s)
    if family == "exponential":
        return fe.as_univariate_mixture(family, w, rates=1.0 / s)
    if family == "rayleigh":
        return fe.as_univariate_mixture(family, w, scales=s)
    return fe.as_univariate_mixture(family, w, shape=float(rng.uniform(0.5, 4.0)), scales=s)


def determinism(ns: Any) -> dict[str, list[Any]]:
    return {
        "log_density_univariate": [
            (fam, lambda f=fam, i=i: ((_mix(ns, 900 + i, f), ns._rng(910 + i).normal(
                size=20011) * 4 + 2), {}))
            for i, fam in enumerate(("gaussian", "laplace", "gamma"))
        ],
        "sample_univariate": [
            (fam, lambda f=fam, i=i: ((_mix(ns, 920 + i, f), 20011), {"random_state": 5}))
            for i, fam in enumerate(("gaussian", "exponential", "rayleigh", "laplace", "gamma"))
        ],
        "kl_divergence_univariate": [
            (f"{fam}_mc", lambda f=fam, i=i: ((_mix(ns, 930 + i, f), _mix(ns, 940 + i, f, k=5)),
                                              {"method": "mc", "n_samples": 30011,
                                               "random_state": 6}))
            for i, fam in enumerate(("gaussian", "laplace", "gamma"))
        ],
    }


# ------------------------------------------------------------------------------------- fuzz
def fuzz_univariate_mixture(weights: Any, locations: Any, scales: Any,
                            family: Any = "laplace") -> Any:
    return fe.UnivariateMixture(family=family, weights=weights, locations=locations,
                                scales=scales)


def fuzz_as_univariate_mixture(weights: Any, means: Any, scales: Any,
                               family: Any = "gaussian") -> Any:
    return fe.as_univariate_mixture(family, weights=weights, means=means, scales=scales)


def fuzz_log_density_univariate(weights: Any, means: Any, scales: Any, x: Any,
                                n_jobs: Any = None) -> Any:
    m = fe.as_univariate_mixture("gaussian", weights=weights, means=means, scales=scales)
    return fe.log_density_univariate(m, x, n_jobs=n_jobs)


def fuzz_sample_univariate(weights: Any, means: Any, scales: Any, n: Any = 7,
                           random_state: Any = 0, n_jobs: Any = None) -> Any:
    m = fe.as_univariate_mixture("gaussian", weights=weights, means=means, scales=scales)
    return fe.sample_univariate(m, n, random_state=random_state, n_jobs=n_jobs)


def fuzz_kl_divergence_univariate(weights: Any, means: Any, scales: Any, method: Any = "mc",
                                  n_samples: Any = 64, random_state: Any = 0,
                                  n_jobs: Any = None, base: Any = None) -> Any:
    p = fe.as_univariate_mixture("gaussian", weights=weights, means=means, scales=scales)
    q = fe.as_univariate_mixture("gaussian", weights=p.weights, means=p.locations[::-1] * 0.5
                                 + 0.25, scales=p.scales[::-1] * 1.5)
    return fe.kl_divergence_univariate(p, q, method=method, n_samples=n_samples,
                                       random_state=random_state, n_jobs=n_jobs, base=base)


def fuzz_as_categorical_mixture(weights: Any, probs: Any) -> Any:
    return fe.as_categorical_mixture(weights, probs)


def _groups(ns: Any) -> tuple[Any, Any, Any]:
    st = ns.st

    def arrays(with_x: bool, loc_name: str) -> Any:
        @st.composite
        def strat(draw: Any) -> dict[str, Any]:
            k = draw(st.integers(1, 4))
            w = np.asarray(draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k)))
            good_w = ns.Arr(w / w.sum(), draw(st.sampled_from(["C", "read_only", "list"])))
            out = {
                "weights": draw(ns.weighted((8, st.just(good_w)),
                                            (1, ns.arrays("prob", (k,))))),
                loc_name: draw(ns.weighted((8, st.just(ns._bounded(draw, (k,), -5.0, 5.0))),
                                           (1, ns.arrays("real", (k,))))),
                "scales": draw(ns.weighted((8, st.just(ns._bounded(draw, (k,), 0.05, 4.0))),
                                           (1, ns.arrays("real", (k,))))),
            }
            if with_x:
                n = draw(ns.weighted((10, st.integers(0, 40)), (1, st.integers(2000, 5000))))
                out["x"] = draw(ns.weighted(
                    (8, st.just(ns._bounded(draw, (n,), -10.0, 10.0))),
                    (1, ns.maybe_not_array(ns.arrays("real", min_dims=1, max_dims=2))),
                ))
            return out

        names = ("weights", loc_name, "scales", "x") if with_x else ("weights", loc_name,
                                                                     "scales")
        return ns.Group(strat(), names)

    @st.composite
    def cat(draw: Any) -> dict[str, Any]:
        k, m = draw(st.integers(1, 4)), draw(st.integers(1, 5))
        w = np.asarray(draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k)))
        pr = np.asarray(draw(st.lists(st.floats(0.0, 1.0), min_size=k * m,
                                      max_size=k * m))).reshape(k, m) + 1e-3
        return {
            "weights": draw(ns.weighted((8, st.just(ns.Arr(w / w.sum(), "C"))),
                                        (1, ns.arrays("prob", (k,))))),
            "probs": draw(ns.weighted((8, st.just(ns.Arr(pr / pr.sum(axis=1)[:, None], "C"))),
                                      (1, ns.arrays("prob", (k, m))))),
        }

    return arrays, cat, ns.Group(cat(), ("weights", "probs"))


def fuzz(ns: Any) -> dict[str, Any]:
    arrays, _, cat_group = _groups(ns)
    kw = {
        "n": lambda ctx: ns.good_or_odd([0, 1, 7, 300, np.int64(5)], [-1, 2.5, "3", None, True]),
        "random_state": lambda ctx: ns.good_or_odd(
            [0, 1, 2**40, np.random.SeedSequence(3)], [-1, 1.5, "seed", [1, 2]]),
        "n_samples": lambda ctx: ns.good_or_odd([2, 64, 1001, np.int64(100)],
                                                [1, 0, -5, 10.0, "64"]),
        "method": lambda ctx: ns.good_or_odd(
            ["mc", "auto", "quad", "nielsen_sun", "nielsen_sun_adaptive", "bounds"],
            ["closed_form", "exact", "", 3, None]),
        "family": lambda ctx: ns.good_or_odd(["laplace", "gaussian"],
                                             ["exponential", "cauchy", 1]),
    }
    mk = ns.MIXTURE_TOL
    return {
        "UnivariateMixture": lambda: ns.fuzz(
            "UnivariateMixture", arrays(False, "locations"), target=fuzz_univariate_mixture,
            compare=False, override=kw),
        "as_univariate_mixture": lambda: ns.fuzz(
            "as_univariate_mixture", arrays(False, "means"), target=fuzz_as_univariate_mixture,
            compare=False, override=kw),
        "CategoricalMixture": lambda: ns.fuzz(
            "CategoricalMixture", cat_group, target=fuzz_as_categorical_mixture, compare=False),
        "as_categorical_mixture": lambda: ns.fuzz(
            "as_categorical_mixture", cat_group, target=fuzz_as_categorical_mixture,
            compare=False),
        "log_density_univariate": lambda: ns.fuzz(
            "log_density_univariate", arrays(True, "means"), target=fuzz_log_density_univariate,
            tol=mk),
        "sample_univariate": lambda: ns.fuzz(
            "sample_univariate", arrays(False, "means"), target=fuzz_sample_univariate,
            override=kw, tol=mk),
        "kl_divergence_univariate": lambda: ns.fuzz(
            "kl_divergence_univariate", arrays(False, "means"),
            target=fuzz_kl_divergence_univariate, override=kw, tol=ns.MIXTURE_KL_TOL,
            tol_for=ns.tol_mixture_kl),
    }

