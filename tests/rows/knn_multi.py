"""Shared-table rows for the multivariate k-NN estimators (``fastentropy.knn_multi``:
total_correlation_knn, transfer_entropy_knn) and for the keywords this family added to
``fastentropy.knn`` (``theiler=`` of entropy_knn / mutual_info_knn, ``algorithm='gkov'``):
see ``tests/_rows.py``.

The new knn.py keywords extend rows that live in the shared tables: the zoo hook adds bad
cases to the existing ``entropy_knn`` / ``mutual_info_knn`` rows' ``extra``, the determinism
hook appends cases; ``theiler`` and ``'gkov'`` have their strategies in the fuzz's
``KNN_KWARGS``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

#: bad scalar values of the new arguments (tried on the rows that list them in ``scalars``)
ZOO_SCALARS: dict[str, dict[str, Any]] = {
    # the zoo's samples have 6 rows: with k = 3, theiler = 2 leaves 6 - 5 = 1 < k neighbours
    "theiler": {"negative": -1, "float": 1.5, "bool": True, "str": "1", "too_large": 2},
    "source_history": {"zero": 0, "negative": -1, "float": 1.5, "bool": True, "too_long": 6},
    "target_history": {"zero": 0, "negative": -2, "float": 2.0, "str": "1", "too_long": 6},
    "delay": {"zero": 0, "negative": -1, "float": 1.5, "none": None, "too_long": 6},
    "groups": {
        "str": "01",
        "int": 3,
        "flat_ints": [0, 1],
        "one_group": [[0, 1]],
        "empty_group": [[0, 1], []],
        "overlap": [[0, 1], [1]],
        "missing_column": [[0]],
        "out_of_range": [[0], [1, 2]],
        "negative_index": [[-1], [0]],
        "float_index": [[0.0], [1]],
        "bool_index": [[True], [False]],
        "nested_too_deep": [[[0]], [1]],
    },
}


def zoo(ns: Any) -> dict[str, Any]:
    Spec, X, y = ns.Spec, ns.SAMPLE2D, ns.KNN_Y
    knn_skip = {"k-below_support": "k=2 is a valid neighbour count"}
    # the new keywords of the existing knn.py rows
    theiler_cases = {
        "theiler-negative": (lambda: {"theiler": -1}, ("theiler",)),
        "theiler-float": (lambda: {"theiler": 0.5}, ("theiler",)),
        "theiler-too_large": (lambda: {"theiler": 2}, ("theiler",)),
    }
    for name in ("entropy_knn", "mutual_info_knn"):
        row = ns.SPECS.get(name)
        if row is not None:
            row.extra.update({f"{c}": v for c, v in theiler_cases.items()})
    mi = ns.SPECS.get("mutual_info_knn")
    if mi is not None:
        mi.extra.update({
            "algorithm-gkov_with_z": (lambda: {"algorithm": "gkov", "z": y}, ("algorithm",)),
            "algorithm-gkov_discrete": (
                lambda: {"algorithm": "gkov", "discrete_y": True}, ("algorithm",)),
            "theiler-discrete": (lambda: {"theiler": 1, "discrete_y": True}, ("theiler",)),
            "noise-str_gkov": (lambda: {"algorithm": "gkov", "noise": "0"}, ("noise",)),
        })
    target = np.ascontiguousarray(X[:, 1])
    return {
        "total_correlation_knn": Spec(
            args={"X": X},
            roles={"X": "sample2d"},
            scalars=("theiler", "groups"),
            skip=knn_skip,
            layout=lambda: {"X": np.hstack([ns._knn_points(0), ns._knn_points(1)[:, 1:]])},
            extra={
                "X-1d": (lambda: {"X": y}, ("X",)),
                "X-constant_column": (lambda: {"X": np.c_[X, np.ones(6)]}, ("X",)),
                "k-too_large": (lambda: {"k": 6}, ("k",)),
                "noise-negative": (lambda: {"noise": -1.0}, ("noise",)),
                "random_state-str": (lambda: {"random_state": "seed"}, ("random_state",)),
                "standardize-not_bool": (lambda: {"standardize": 1}, ("standardize",)),
                "return_local-not_bool": (lambda: {"return_local": "yes"}, ("return_local",)),
            },
        ),
        "transfer_entropy_knn": Spec(
            args={"source": y, "target": target},
            roles={"source": "knn_y", "target": "knn_y"},
            pair=("source", "target"),
            scalars=("theiler", "source_history", "target_history", "delay"),
            skip=knn_skip,
            layout=lambda: {"source": ns._knn_points(0)[:, 1],
                            "target": ns._knn_points(1)[:, 1]},
            extra={
                "cond-length_mismatch": (lambda: {"cond": y[:4]}, ("cond",)),
                "cond-nan": (lambda: {"cond": ns._put(y, np.nan)}, ("cond",)),
                "cond-constant": (lambda: {"cond": np.ones(6)}, ("cond",)),
                "cond-3d": (lambda: {"cond": X[None]}, ("cond",)),
                "source-constant": (lambda: {"source": np.ones(6)}, ("source",)),
                "k-too_large": (lambda: {"k": 5}, ("k",)),
                "noise-nan": (lambda: {"noise": math.nan}, ("noise",)),
                "random_state-bool": (lambda: {"random_state": True}, ("random_state",)),
                "return_local-not_bool": (lambda: {"return_local": 1}, ("return_local",)),
            },
        ),
    }


def _ar_pair(ns: Any, salt: int) -> tuple[np.ndarray, np.ndarray]:
    """A coupled pair of series, source -> target, long enough for several threads."""
    e = ns._knn_x(salt)
    n = e.shape[0]
    x = np.empty(n)
    y = np.empty(n)
    x[0] = y[0] = 0.0
    for t in range(1, n):
        x[t] = 0.6 * x[t - 1] + e[t, 0]
        y[t] = 0.3 * y[t - 1] + 0.5 * x[t - 1] + e[t, 1]
    return x, y


def determinism(ns: Any) -> dict[str, list[Any]]:
    def tc_groups() -> Any:
        X = np.hstack([ns._knn_x(700), ns._knn_x(701)])
        return (X,), {"groups": [[0, 2], [1], [3]], "return_local": True}

    def tc_theiler() -> Any:
        return (np.cumsum(ns._knn_x(702), axis=0),), {"theiler": 5}

    def te_plain() -> Any:
        x, y = _ar_pair(ns, 703)
        return (x, y), {"return_local": True}

    def te_embedded() -> Any:
        x, y = _ar_pair(ns, 704)
        c = ns._knn_x(705)[:, 0]
        return (x, y), {"source_history": 2, "target_history": 3, "delay": 2, "cond": c,
                        "theiler": 4}

    return {
        "total_correlation_knn": [("groups_local", tc_groups), ("theiler", tc_theiler)],
        "transfer_entropy_knn": [("plain_local", te_plain), ("embedded", te_embedded)],
        "entropy_knn": [("theiler", lambda: ((np.cumsum(ns._knn_x(706), axis=0),),
                                             {"theiler": 9}))],
        "mutual_info_knn": [
            ("theiler_ksg2", lambda: ((ns._knn_x(707), ns._knn_x(708)[:, 0]),
                                      {"theiler": 3, "algorithm": "ksg2"})),
            ("gkov_ties", lambda: ((np.round(ns._knn_x(709), 0),
                                    np.round(ns._knn_x(710)[:, 0], 0)),
                                   {"algorithm": "gkov", "return_local": True})),
        ],
    }


# --------------------------------------------------------------------------- fuzz


def _kw_lag(ns: Any, ctx: dict[str, Any]) -> Any:
    return ns.good_or_odd([1, 1, 2, 3, np.int64(2)], [0, -1, 1.5, True, "2", None, 10**6])


def _kw_groups(ns: Any, ctx: dict[str, Any]) -> Any:
    shp = ctx["shape"]
    d = int(shp[1]) if len(shp) == 2 else 1

    @st.composite
    def partition(draw: Any) -> Any:
        perm = draw(st.permutations(list(range(d))))
        if d < 2:
            return [perm]
        cuts = sorted(draw(st.sets(st.integers(1, d - 1), min_size=1, max_size=d - 1)))
        bounds = [0, *cuts, d]
        return [perm[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    good = st.one_of(st.none(), partition())
    return ns.good_or_odd(good, [[[0]], [[0], [0]], [[]], "ab", [[1.5]], [[-1], [0]],
                              [[0], [d]], 3, [[True], [False]]])


def _te_arrays(ns: Any) -> Any:
    """source, target (same length, mostly) and an optional cond."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(ns.shapes(1, 2))
        n = shp[0] if shp else 1
        out = {"source": draw(ns.maybe_not_array(ns.arrays("real", shp))),
               "target": ns._knn_side(draw, n)}
        if draw(st.booleans()):
            out["cond"] = ns._knn_side(draw, n)
        return out

    return ns.Group(strat(), ("source", "target", "cond"))


def _tc_arrays(ns: Any) -> Any:
    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(ns.shapes(2, 2))
        return {"X": draw(ns.maybe_not_array(ns.arrays("real", shp)))}

    return ns.Group(strat(), ("X",))


def fuzz(ns: Any) -> dict[str, Any]:
    kw = {
        **ns.KNN_KWARGS,
        "groups": lambda ctx: _kw_groups(ns, ctx),
        "source_history": lambda ctx: _kw_lag(ns, ctx),
        "target_history": lambda ctx: _kw_lag(ns, ctx),
        "delay": lambda ctx: _kw_lag(ns, ctx),
    }
    return {
        "total_correlation_knn": lambda: ns.fuzz(
            "total_correlation_knn", _tc_arrays(ns), tol=ns.KNN_TOL, override=kw
        ),
        "transfer_entropy_knn": lambda: ns.fuzz(
            "transfer_entropy_knn", _te_arrays(ns), tol=ns.KNN_TOL, override=kw
        ),
    }
