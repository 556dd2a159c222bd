"""Rows of the wider mixture family (``fastentropy/mixture_measures.py``) for the bad-input zoo,
the n_jobs determinism test and the compiled-against-twin fuzz: see ``tests/_rows.py``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

import fastentropy as fe

#: the sampling functions (p, q) and their method choices
PAIR_FUNCS = {
    "cross_entropy_mixture": ("auto", "mc", "bounds", "quad"),
    "jensen_shannon_mixture": ("auto", "mc", "quad"),
    "jeffreys_divergence_mixture": ("auto", "mc", "bounds", "quad"),
    "f_divergence_mixture": ("auto", "mc", "quad"),
}
METHODS = {"entropy_mixture": ("auto", "mc", "bounds", "quad"), **PAIR_FUNCS}


def _g3() -> Any:
    return fe.as_gaussian_mixture(weights=[1.0], means=[[0.0, 0.0, 0.0]], covariances=[1.0],
                                  covariance_type="spherical")


# --------------------------------------------------------------------------- bad-input zoo
def zoo(ns: Any) -> dict[str, Any]:
    Spec, GM, GM_Q = ns.Spec, ns.GM, ns.GM_Q
    out: dict[str, Any] = {}
    sampling = {
        "n_samples-one": (lambda: {"n_samples": 1}, ("n_samples",)),
        "n_samples-float": (lambda: {"n_samples": 100.0}, ("n_samples",)),
        "random_state-negative": (lambda: {"random_state": -5}, ("random_state",)),
        "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
        "tol-zero": (lambda: {"method": "mc", "tol": 0.0}, ("tol",)),
        "tol-nan": (lambda: {"method": "mc", "tol": float("nan")}, ("tol",)),
        "tol-str": (lambda: {"method": "mc", "tol": "1e-3"}, ("tol",)),
        "method-quad_in_2d": (lambda: {"method": "quad"}, ("method",)),
        "p-not_a_model": (lambda: {"p": np.zeros(3)}, ("p",)),
    }
    out["entropy_mixture"] = Spec(
        args={"p": GM, "n_samples": 64, "random_state": 0},
        roles={},
        extra={**sampling, "p-none": (lambda: {"p": None}, ("p",))},
    )
    for name in PAIR_FUNCS:
        args: dict[str, Any] = {"p": GM, "q": GM_Q, "n_samples": 64, "random_state": 0}
        extra = {
            **sampling,
            "q-dimension": (lambda: {"q": _g3()}, ("q",)),
            "q-not_a_model": (lambda: {"q": "model.json"}, ("q",)),
        }
        skip: dict[str, str] = {}
        if name == "f_divergence_mixture":
            args.update(divergence="alpha", alpha=0.5)
            skip["alpha-negative"] = "any finite real alpha is an Amari order (D_-1 is valid)"
            extra.update({
                "divergence-unknown": (lambda: {"divergence": "kl"}, ("divergence",)),
                "divergence-not_str": (lambda: {"divergence": 2}, ("divergence",)),
                "alpha-missing": (lambda: {"alpha": None}, ("alpha",)),
                "alpha-inf": (lambda: {"alpha": math.inf}, ("alpha",)),
                "alpha-with_hellinger": (lambda: {"divergence": "hellinger"}, ("alpha",)),
                "base-with_hellinger": (
                    lambda: {"divergence": "hellinger", "alpha": None, "base": 2}, ("base",)),
                "method-bounds": (lambda: {"method": "bounds"}, ("method",)),
            })
        if name == "jensen_shannon_mixture":
            extra["method-bounds"] = (lambda: {"method": "bounds"}, ("method",))
        out[name] = Spec(args=args, roles={}, extra=extra, skip=skip)
    out["cauchy_schwarz_divergence"] = Spec(
        args={"p": GM, "q": GM_Q},
        roles={},
        extra={
            "p-not_a_model": (lambda: {"p": np.zeros(3)}, ("p",)),
            "q-dimension": (lambda: {"q": _g3()}, ("q",)),
            "q-none": (lambda: {"q": None}, ("q",)),
        },
    )
    out["renyi2_entropy_mixture"] = Spec(
        args={"p": GM},
        roles={},
        extra={"p-not_a_model": (lambda: {"p": "model.json"}, ("p",))},
    )
    return out


# --------------------------------------------------------------------------- determinism
def determinism(ns: Any) -> dict[str, list[tuple[str, Any]]]:
    def pq(a: int, b: int, **kw: Any) -> Any:
        return lambda: ((ns._gmm(a), ns._gmm(b, k=5)), {"n_samples": 30011, "random_state": 6,
                                                        **kw})

    return {
        "entropy_mixture": [
            ("gmm8_auto", lambda: ((ns._gmm(910),), {"n_samples": 30011, "random_state": 6})),
        ],
        "cross_entropy_mixture": [("gmm8_auto", pq(911, 912))],
        "jensen_shannon_mixture": [("gmm8_mc", pq(913, 914))],
        "jeffreys_divergence_mixture": [("gmm8_auto", pq(915, 916))],
        "f_divergence_mixture": [
            ("hellinger", pq(917, 918)),
            ("total_variation", pq(919, 920, divergence="total_variation")),
            ("reverse_kl", pq(921, 922, divergence="reverse_kl")),
            ("alpha", pq(923, 924, divergence="alpha", alpha=0.7)),
        ],
    }


# --------------------------------------------------------------------------- fuzz
def _q_of(p: Any) -> Any:
    return fe.as_gaussian_mixture(weights=p.weights, means=p.means[::-1] * 0.5 + 0.25,
                                  covariances=p.covariances, covariance_type="diag")


def fuzz_entropy_mixture(weights: Any, means: Any, covariances: Any, method: Any = "auto",
                         n_samples: Any = 64, tol: Any = None, random_state: Any = 0,
                         n_jobs: Any = None, base: Any = None) -> Any:
    p = fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                               covariance_type="diag")
    return fe.entropy_mixture(p, method=method, n_samples=n_samples, tol=tol,
                              random_state=random_state, n_jobs=n_jobs, base=base)


def _pair_target(name: str) -> Any:
    def target(weights: Any, means: Any, covariances: Any, method: Any = "auto",
               n_samples: Any = 64, tol: Any = None, random_state: Any = 0, n_jobs: Any = None,
               base: Any = None) -> Any:
        p = fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                                   covariance_type="diag")
        return getattr(fe, name)(p, _q_of(p), method=method, n_samples=n_samples, tol=tol,
                                 random_state=random_state, n_jobs=n_jobs, base=base)

    target.__name__ = f"fuzz_{name}"
    return target


def fuzz_f_divergence_mixture(weights: Any, means: Any, covariances: Any,
                              divergence: Any = "hellinger", alpha: Any = None,
                              method: Any = "auto", n_samples: Any = 64, tol: Any = None,
                              random_state: Any = 0, n_jobs: Any = None,
                              base: Any = None) -> Any:
    p = fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                               covariance_type="diag")
    return fe.f_divergence_mixture(p, _q_of(p), divergence=divergence, alpha=alpha,
                                   method=method, n_samples=n_samples, tol=tol,
                                   random_state=random_state, n_jobs=n_jobs, base=base)


def fuzz_cauchy_schwarz_divergence(weights: Any, means: Any, covariances: Any,
                                   base: Any = None) -> Any:
    p = fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                               covariance_type="diag")
    return fe.cauchy_schwarz_divergence(p, _q_of(p), base=base)


def fuzz_renyi2_entropy_mixture(weights: Any, means: Any, covariances: Any,
                                base: Any = None) -> Any:
    p = fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                               covariance_type="diag")
    return fe.renyi2_entropy_mixture(p, base=base)


def fuzz(ns: Any) -> dict[str, Any]:
    def methods(name: str) -> Any:
        return lambda ctx: ns.good_or_odd(list(METHODS[name]), ["", "variational", 3, None])

    kw = {
        **ns.MIXTURE_KW,
        # tol's validation only: a tol out of reach (the drawn means reach 2**31, so the
        # divergences 1e18) samples up to 2**27 points, minutes on the twin; tol's rounds are
        # tested in tests/test_mixture_measures.py
        "tol": lambda ctx: ns.good_or_odd([None], [0.0, -1.0, math.nan, "1e-3", True]),
        "divergence": lambda ctx: ns.good_or_odd(
            ["hellinger", "total_variation", "chi2", "reverse_kl", "alpha"],
            ["kl", "", 3, None]),
    }

    def entry(name: str, target: Any, with_method: bool = True) -> Any:
        over = dict(kw)
        if with_method:
            over["method"] = methods(name)
        return lambda: ns.fuzz(name, ns.mixture_arrays(False), target=target, override=over,
                               tol=ns.MIXTURE_KL_TOL, tol_for=ns.tol_mixture_kl if with_method
                               else None)

    out = {
        "entropy_mixture": entry("entropy_mixture", fuzz_entropy_mixture),
        "f_divergence_mixture": entry("f_divergence_mixture", fuzz_f_divergence_mixture),
        "cauchy_schwarz_divergence": entry("cauchy_schwarz_divergence",
                                           fuzz_cauchy_schwarz_divergence, False),
        "renyi2_entropy_mixture": entry("renyi2_entropy_mixture", fuzz_renyi2_entropy_mixture,
                                        False),
    }
    for name in ("cross_entropy_mixture", "jensen_shannon_mixture",
                 "jeffreys_divergence_mixture"):
        out[name] = entry(name, _pair_target(name))
    return out
