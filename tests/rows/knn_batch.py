"""Rows of the k-NN batch functions (``fastentropy.knn_batch``) for the bad-input walk, the
determinism test and the fuzz: see ``tests/_rows.py``."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

ZOO_SCALARS = {
    "n_permutations": {"zero": 0, "negative": -3, "float": 2.5, "str": "10", "bool": True},
}


def zoo(ns: Any) -> dict[str, Any]:
    Spec, X, y, put = ns.Spec, ns.SAMPLE2D, ns.KNN_Y, ns._put
    knn_skip = {"k-below_support": "k=2 is a valid neighbour count"}
    x2 = np.stack([y, y[::-1] * 0.5 + np.arange(6)], axis=1)  # another 6-row problem
    return {
        "mutual_info_many": Spec(
            args={"X": X, "y": y},
            roles={"X": "sample2d", "y": "knn_y"},
            pair=("X", "y"),
            skip=knn_skip,
            layout=lambda: {"X": ns._knn_points(0), "y": ns._knn_points(1)[:, 1]},
            extra={
                "X-1d": (lambda: {"X": y}, ("X",)),
                "X-constant_column": (lambda: {"X": np.c_[X, np.ones(6)]}, ("X",)),
                "algorithm-unknown": (lambda: {"algorithm": "ksg3"}, ("algorithm",)),
                "noise-negative": (lambda: {"noise": -1.0}, ("noise",)),
                "random_state-bool": (lambda: {"random_state": True}, ("random_state",)),
                "k-too_large": (lambda: {"k": 6}, ("k",)),
                "discrete_features-mask_length": (
                    lambda: {"discrete_features": np.array([True])}, ("discrete_features",)),
                "discrete_features-index_out_of_bounds": (
                    lambda: {"discrete_features": [5]}, ("discrete_features",)),
                "discrete_features-str": (
                    lambda: {"discrete_features": "auto"}, ("discrete_features",)),
                "discrete_features-float": (
                    lambda: {"discrete_features": [0.5]}, ("discrete_features",)),
                "discrete_features-2d": (
                    lambda: {"discrete_features": [[0]]}, ("discrete_features",)),
                "discrete_features-ksg2": (
                    lambda: {"discrete_features": True, "algorithm": "ksg2"}, ("algorithm",)),
                "discrete_target-not_bool": (
                    lambda: {"discrete_target": "yes"}, ("discrete_target",)),
                "discrete_target-length": (
                    lambda: {"discrete_target": True, "y": np.array([0, 1, 0])}, ("y",)),
                "discrete_target-object": (
                    lambda: {"discrete_target": True, "y": np.array([0, 1, 0, 1, 1, 0],
                                                                    dtype=object)}, ("y",)),
                "y-constant": (lambda: {"y": np.ones(6)}, ("y",)),
            },
        ),
        "mutual_info_matrix": Spec(
            args={"X": X},
            roles={"X": "sample2d"},
            skip=knn_skip,
            layout=lambda: {"X": ns._knn_points(0)},
            extra={
                "X-1d": (lambda: {"X": y}, ("X",)),
                "X-constant_column": (lambda: {"X": np.c_[X, np.ones(6)]}, ("X",)),
                "algorithm-unknown": (lambda: {"algorithm": "ksg3"}, ("algorithm",)),
                "noise-nan": (lambda: {"noise": math.nan}, ("noise",)),
                "standardize-not_bool": (lambda: {"standardize": "yes"}, ("standardize",)),
                "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
                "k-too_large": (lambda: {"k": 6}, ("k",)),
            },
        ),
        "mutual_info_batch": Spec(
            args={"xs": [X, X[::-1]], "ys": [y, y * 2.0]},
            roles={},
            skip=knn_skip,
            layout=None,
            extra={
                "xs-nan": (lambda: {"xs": [put(X, np.nan), X]}, ("xs",)),
                "xs-inf": (lambda: {"xs": [X, put(X, np.inf)]}, ("xs",)),
                "xs-object": (lambda: {"xs": [X.astype(object), X]}, ("xs",)),
                "xs-complex": (lambda: {"xs": [X * 1j, X]}, ("xs",)),
                "xs-str": (lambda: {"xs": "abc"}, ("xs",)),
                "xs-not_a_sequence": (lambda: {"xs": 3.0}, ("xs",)),
                "xs-2d_array": (lambda: {"xs": X, "ys": X}, ("xs",)),
                "xs-4d_array": (lambda: {"xs": X[None, None], "ys": X[None, None]}, ("xs",)),
                "xs-empty": (lambda: {"xs": [], "ys": []}, ("xs",)),
                "xs-ragged": (lambda: {"xs": [[[1, 2], [3]], X]}, ("xs",)),
                "xs-one_sample": (lambda: {"xs": [X[:1], X], "ys": [y[:1], y]}, ("xs",)),
                "ys-count": (lambda: {"ys": [y]}, ("ys",)),
                "ys-length": (lambda: {"ys": [y[:4], y]}, ("ys",)),
                "ys-constant": (lambda: {"ys": [np.ones(6), y]}, ("ys",)),
                "ys-3d_item": (lambda: {"ys": [X[None], y]}, ("ys",)),
                "zs-count": (lambda: {"zs": [y]}, ("zs",)),
                "zs-length": (lambda: {"zs": [y, y[:5]]}, ("zs",)),
                "zs-ksg2": (lambda: {"zs": [y, x2], "algorithm": "ksg2"}, ("algorithm",)),
                "algorithm-unknown": (lambda: {"algorithm": "ksg3"}, ("algorithm",)),
                "noise-negative": (lambda: {"noise": -1.0}, ("noise",)),
                "random_state-bool": (lambda: {"random_state": True}, ("random_state",)),
                "k-too_large": (lambda: {"k": 6}, ("k",)),
                "k-too_large_for_smallest": (
                    lambda: {"xs": [X[:3], X], "ys": [y[:3], y], "k": 3}, ("k",)),
            },
        ),
        "permutation_test": Spec(
            args={"x": X, "y": y, "n_permutations": 9, "random_state": 0},
            roles={"x": "sample2d", "y": "knn_y"},
            pair=("x", "y"),
            scalars=("n_permutations",),
            skip=knn_skip,
            layout=lambda: {"x": ns._knn_points(0), "y": ns._knn_points(1)[:, 1]},
            extra={
                "z-length_mismatch": (lambda: {"z": y[:4]}, ("z",)),
                "z-nan": (lambda: {"z": put(y, np.nan)}, ("z",)),
                "z-3d": (lambda: {"z": X[None]}, ("z",)),
                "z-ksg2": (lambda: {"z": y, "algorithm": "ksg2"}, ("algorithm",)),
                "k_perm-one": (lambda: {"z": y, "k_perm": 1}, ("k_perm",)),
                "k_perm-too_large": (lambda: {"z": y, "k_perm": 7}, ("k_perm",)),
                "k_perm-float": (lambda: {"z": y, "k_perm": 2.5}, ("k_perm",)),
                "k_perm-bool": (lambda: {"z": y, "k_perm": True}, ("k_perm",)),
                "algorithm-unknown": (lambda: {"algorithm": "ksg3"}, ("algorithm",)),
                "noise-negative": (lambda: {"noise": -1.0}, ("noise",)),
                "random_state-negative": (lambda: {"random_state": -1}, ("random_state",)),
                "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
                "k-too_large": (lambda: {"k": 6}, ("k",)),
                "y-constant": (lambda: {"y": np.ones(6)}, ("y",)),
            },
        ),
        "PermutationTest": None,  # the result type
    }


def determinism(ns: Any) -> dict[str, Any]:
    knn_x = ns._knn_x
    return {
        "mutual_info_many": [
            ("ksg1", lambda: ((np.hstack([knn_x(612), knn_x(613)]), knn_x(614)[:, 0]), {})),
            ("ksg2_one_column", lambda: ((knn_x(615)[:, :1], knn_x(616)[:, 0]),
                                         {"algorithm": "ksg2"})),
            ("discrete", lambda: ((np.hstack([knn_x(617), np.round(knn_x(618))]),
                                   knn_x(619)[:, 0]), {"discrete_features": [2, 3]})),
        ],
        "mutual_info_matrix": [
            ("ksg1", lambda: ((np.hstack([knn_x(620), knn_x(621)]),), {})),
            ("ksg2_two_columns", lambda: ((knn_x(622),), {"algorithm": "ksg2"})),
        ],
        "mutual_info_batch": [
            ("mixed", lambda: (([knn_x(623)[:, 0], knn_x(624), knn_x(625)[:, 1]],
                                [knn_x(626)[:, 0], knn_x(627)[:, 0], knn_x(628)[:, 0]]), {})),
        ],
        "permutation_test": [
            ("ksg1", lambda: ((knn_x(629)[:, 0], knn_x(629)[:, 1]),
                              {"n_permutations": 5, "random_state": 1})),
            ("ksg2_one_permutation", lambda: ((knn_x(630)[:, 0], knn_x(630)[:, 1]),
                                              {"n_permutations": 1, "random_state": 2,
                                               "algorithm": "ksg2"})),
            ("conditional", lambda: ((knn_x(631)[:, 0], knn_x(631)[:, 1]),
                                     {"z": knn_x(632)[:, 0], "n_permutations": 2,
                                      "random_state": 3})),
        ],
    }


def fuzz_permutation_test(x: Any, y: Any, *, z: Any = None, n_permutations: Any = 7,
                          random_state: Any = 0, k: Any = 3, k_perm: Any = 5,
                          algorithm: Any = "ksg1", base: Any = None, standardize: Any = True,
                          noise: Any = 1e-10, n_jobs: Any = None) -> Any:
    """permutation_test with a seeded default (its own default, None, would give the two
    backends different permutations)."""
    import fastentropy as fe

    return fe.permutation_test(x, y, z=z, n_permutations=n_permutations,
                               random_state=random_state, k=k, k_perm=k_perm,
                               algorithm=algorithm, base=base, standardize=standardize,
                               noise=noise, n_jobs=n_jobs)


def _matrix_group(ns: Any) -> Any:
    """mutual_info_matrix's ``X``: the fuzz's 2-D shapes with at most 64 columns (its big
    shapes, many short columns, are turned into few long ones: the work grows with the square
    of the columns, and the twin estimates each pair on its own)."""
    from hypothesis import strategies as st

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(ns.shapes(2, 2))
        if len(shp) == 2 and shp[1] > 64:
            shp = (shp[1], shp[0])
        return {"X": draw(ns.maybe_not_array(ns.arrays("real", shp)))}

    return ns.Group(strat(), ("X",))


def fuzz(ns: Any) -> dict[str, Any]:
    st = ns.st
    kw = ns.KNN_KWARGS
    mask = lambda ctx: ns.good_or_odd(
        [False, True, [0], np.array([True, False]), np.array([], dtype=np.int64)],
        ["auto", None, [0.5], [[0]], [7]],
    )

    def problems() -> Any:
        @st.composite
        def strat(draw: Any) -> dict[str, Any]:
            B = draw(st.integers(1, 3))
            if draw(ns.chance(4)):  # 3-D arrays (B, n, d)
                n, d = draw(st.integers(1, 40)), draw(st.integers(1, 2))
                out = {"xs": draw(ns.arrays("real", (B, n, d))),
                       "ys": draw(ns.arrays("real", (B, n, 1)))}
                if draw(st.booleans()):
                    out["zs"] = draw(ns.arrays("real", (B, n, 1)))
                return out
            ns_ = [draw(st.integers(1, 40)) for _ in range(B)]
            out = {"xs": [ns._knn_side(draw, n) for n in ns_],
                   "ys": [ns._knn_side(draw, n) for n in ns_]}
            if draw(st.booleans()):
                out["zs"] = [ns._knn_side(draw, n) for n in ns_]
            return out

        return ns.Group(strat(), ("xs", "ys", "zs"))

    n_perm = lambda ctx: ns.good_or_odd([1, 5, 19, np.int64(3)], [0, -1, 2.5, "5", True, None])
    k_perm = lambda ctx: ns.good_or_odd([2, 3, 5, np.int64(4)], [1, 0, 10**6, 2.5, "5", None])
    return {
        "mutual_info_many": lambda: ns.fuzz(
            "mutual_info_many", ns.knn_many(), tol=ns.KNN_TOL,
            override={**kw, "discrete_features": mask, "discrete_target": ns.kw_bool},
        ),
        "mutual_info_matrix": lambda: ns.fuzz(
            "mutual_info_matrix", _matrix_group(ns), tol=ns.KNN_TOL,
            override=kw,
        ),
        "mutual_info_batch": lambda: ns.fuzz(
            "mutual_info_batch", problems(), tol=ns.KNN_TOL, override=kw,
        ),
        "permutation_test": lambda: ns.fuzz(
            "permutation_test", ns.knn_xy("y", optional_z=True), tol=ns.KNN_TOL,
            override={**kw, "n_permutations": n_perm, "k_perm": k_perm},
            target=fuzz_permutation_test,
        ),
        "PermutationTest": lambda: ns.fuzz(
            "PermutationTest", ns.same_shape("statistic", "null_distribution", "pvalue"),
        ),
    }
