"""Bad-input rows for NPEET's API (``fastentropy.npeet``, rows named "npeet.<function>"): see
``tests/_rows.py``. NPEET itself is not a dependency, so there is no ``ref``: every bad input
must be a named ValueError/TypeError. The module's functions take no ``n_jobs`` (NPEET's
signatures), so there are no determinism rows, and the fuzz covers ``fastentropy.__all__``
only (as for ``fastentropy.sklearn``)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

#: 6 labels paired with SAMPLE2D / KNN_Y (classes of 3: enough for k = 1 or 2)
LABELS6 = np.array([0, 1, 0, 1, 1, 0])
#: 8 rows of two label columns, paired with LABELS_A / SAMPLES
LABEL_ROWS = np.array([[0, 1], [0, 0], [1, 1], [1, 0], [2, 1], [2, 1], [2, 0], [0, 0]])

ZOO_ROLES = {"npeet_labels6": LABELS6, "npeet_label_rows": LABEL_ROWS}
ZOO_SCALARS = {
    "ns": {"zero": 0, "float": 2.5, "bool": True},
    "ci": {"one": 1.0, "zero": 0.0, "nan": math.nan, "str": "0.9"},
}

_K2 = {"k-below_support": "k=2 is a valid neighbour count"}
_STR_LABELS = "string labels are valid symbols (as NPEET's np.unique)"
_ROWS = "2-D labels: each row is one symbol (as NPEET's np.unique(..., axis=0))"


def zoo(ns: Any) -> dict[str, Any]:
    Spec = ns.Spec
    X, Y, S, L = ns.SAMPLE2D, ns.KNN_Y, ns.SAMPLES, ns.LABELS_A
    put = ns._put
    pts0, pts1 = ns._knn_points(0), ns._knn_points(1)
    ints = ns._int_valued
    y2 = Y * 0.5 + X[:, 0]
    const = np.ones(6)

    def bad(**over: Any) -> Any:
        return lambda: over

    out: dict[str, Any] = {}

    # continuous estimators
    out["npeet.entropy"] = Spec(
        args={"x": X}, roles={"x": "sample2d"}, skip=_K2,
        layout=lambda: {"x": pts0},
        extra={"x-constant": (bad(x=const), ("x",)), "k-too_large": (bad(k=6), ("k",))},
    )
    out["npeet.centropy"] = Spec(
        args={"x": X, "y": Y}, roles={"x": "sample2d", "y": "knn_y"}, pair=("x", "y"), skip=_K2,
        layout=lambda: {"x": pts0, "y": pts1[:, 1]},
        extra={"y-constant": (bad(y=const), ("y",)), "k-too_large": (bad(k=6), ("k",))},
    )
    out["npeet.tc"] = Spec(
        args={"xs": X}, roles={"xs": "sample2d"}, skip=_K2, layout=lambda: {"xs": pts0},
        extra={"xs-constant_column": (bad(xs=np.c_[X, const]), ("xs",))},
    )
    for name, second in (("ctc", "y"), ("corex", "ys")):
        out[f"npeet.{name}"] = Spec(
            args={"xs": X, second: Y}, roles={"xs": "sample2d", second: "knn_y"},
            pair=("xs", second), skip=_K2,
            layout=lambda s=second: {"xs": pts0, s: pts1[:, 1]},
            extra={f"{second}-constant": (bad(**{second: const}), (second,))},
        )
    out["npeet.mi"] = Spec(
        args={"x": X, "y": Y}, roles={"x": "sample2d", "y": "knn_y"}, pair=("x", "y"),
        scalars=("alpha",), skip={**_K2, "alpha-negative": "checked below with z"},
        layout=lambda: {"x": pts0, "y": pts1[:, 1]},
        extra={
            "z-length_mismatch": (bad(z=Y[:4]), ("z",)),
            "z-nan": (bad(z=put(Y, np.nan)), ("z",)),
            "z-str": (bad(z="abc"), ("z",)),
            "alpha-negative": (bad(alpha=-1.0), ("alpha",)),
            "alpha-above_one": (bad(alpha=2.0), ("alpha",)),
            "alpha-with_z": (bad(alpha=0.5, z=y2), ("alpha",)),
            "alpha-k_below_dimension": (bad(alpha=0.5, k=2), ("alpha",)),
            "k-too_large": (bad(k=6), ("k",)),
        },
    )
    out["npeet.cmi"] = Spec(
        args={"x": X, "y": Y, "z": y2}, roles={"x": "sample2d", "y": "knn_y", "z": "knn_y"},
        pair=("x", "z"), skip=_K2,
        layout=lambda: {"x": pts0, "y": pts1[:, 1], "z": pts1[:, 0]},
        extra={"z-none": (bad(z=None), ("z",)), "z-constant": (bad(z=const), ("z",))},
    )
    out["npeet.kldiv"] = Spec(
        args={"x": X, "xp": X[::-1] * 1.5 + 0.25}, roles={"x": "sample2d", "xp": "sample2d"},
        skip=_K2, layout=lambda: {"x": pts0, "xp": pts1},
        extra={
            "xp-column_mismatch": (bad(xp=X[:, :1]), ("xp",)),
            "xp-too_few_for_k": (bad(xp=X[:2]), ("k",)),
            "x-duplicates": (bad(x=np.r_[X, X], k=1), ("x",)),
            "k-too_large": (bad(k=6), ("k",)),
        },
    )

    # discrete estimators
    lab_skip = {"x-2d": _ROWS, "y-2d": _ROWS, "z-2d": _ROWS}
    out["npeet.entropyd"] = Spec(
        args={"sx": L}, roles={"sx": "labels"}, skip={"sx-2d": _ROWS},
        layout=lambda: {"sx": ints((40,))},
        extra={"sx-object": (bad(sx=L.astype(object)), ("sx",))},
    )
    for name in ("midd", "centropyd"):
        out[f"npeet.{name}"] = Spec(
            args={"x": L, "y": ns.LABELS_B}, roles={"x": "labels", "y": "labels"},
            pair=("x", "y"), skip=lab_skip,
            layout=lambda: {"x": ints((40,)), "y": ints((40,))},
            extra={"y-object": (bad(y=L.astype(object)), ("y",))},
        )
    out["npeet.cmidd"] = Spec(
        args={"x": L, "y": ns.LABELS_B, "z": L[::-1]},
        roles={"x": "labels", "y": "labels", "z": "labels"}, pair=("x", "z"), skip=lab_skip,
        layout=lambda: {"x": ints((40,)), "y": ints((40,)), "z": ints((40,), 0, 3)},
    )
    rows_skip = {"xs-str_dtype": _STR_LABELS, "y-2d": _ROWS, "ys-2d": _ROWS}
    out["npeet.tcd"] = Spec(
        args={"xs": LABEL_ROWS}, roles={"xs": "npeet_label_rows"}, skip=rows_skip,
        layout=lambda: {"xs": ints((40, 3), 0, 3)},
    )
    for name, second in (("ctcd", "y"), ("corexd", "ys")):
        out[f"npeet.{name}"] = Spec(
            args={"xs": LABEL_ROWS, second: L}, roles={"xs": "npeet_label_rows", second: "labels"},
            pair=("xs", second), skip=rows_skip,
            layout=lambda s=second: {"xs": ints((40, 2), 0, 3), s: ints((40,), 0, 3)},
        )

    # mixed estimators: continuous SAMPLES (8) with LABELS_A (classes of 3, 2, 3; k = 1)
    k1 = {"k": 1}
    mixed_skip = {**_K2, "y-2d": _ROWS, "x-2d": _ROWS}
    for name, cont, disc in (
        ("micd", "x", "y"), ("centropycd", "x", "y"), ("midc", "y", "x"), ("centropydc", "y", "x"),
    ):
        out[f"npeet.{name}"] = Spec(
            args={cont: S, disc: L, **k1}, roles={cont: "samples", disc: "labels"},
            pair=("x", "y"), skip=mixed_skip,
            layout=lambda c=cont, d=disc: {c: pts0[:, 1], d: ints((40,))},
            extra={
                "warning-not_bool": (bad(warning="yes"), ("warning",)),
                f"{cont}-constant": (bad(**{cont: np.ones(8)}), (cont,)),
                f"{disc}-object": (bad(**{disc: L.astype(object)}), (disc,)),
                "k-too_large": (bad(k=8), ("k",)),
            },
        )
    six_skip = {**_K2, "y-str_dtype": _STR_LABELS, "ys-str_dtype": _STR_LABELS}
    for name, second in (("ctccd", "y"), ("corexcd", "ys")):
        out[f"npeet.{name}"] = Spec(
            args={"xs": X, second: LABELS6, **k1},
            roles={"xs": "sample2d", second: "npeet_labels6"},
            pair=("xs", second), skip=six_skip,
            layout=lambda s=second: {"xs": pts0, s: ints((40,), 0, 3)},
            extra={"warning-not_bool": (bad(warning=1), ("warning",))},
        )
    for name, second in (("ctcdc", "y"), ("corexdc", "ys")):
        out[f"npeet.{name}"] = Spec(
            args={"xs": LABEL_ROWS, second: S, **k1},
            roles={"xs": "npeet_label_rows", second: "samples"},
            pair=("xs", second), skip={**_K2, "xs-str_dtype": _STR_LABELS},
            layout=lambda s=second: {"xs": ints((40, 2), 0, 3), s: pts0[:, 1]},
            extra={f"{second}-constant": (bad(**{second: np.ones(8)}), (second,))},
        )

    # shuffle_test (the measure validates the arrays, naming them as it names its own)
    from fastentropy import npeet

    out["npeet.shuffle_test"] = Spec(
        args={"measure": npeet.mi, "x": X, "y": Y, "ns": 3},
        roles={"x": "sample2d", "y": "knn_y"}, pair=("x", "y"), scalars=("ns", "ci"),
        layout=lambda: {"x": pts0, "y": pts1[:, 1]},
        extra={
            "measure-not_callable": (bad(measure=3), ("measure",)),
            "random_state-str": (bad(random_state="seed"), ("random_state",)),
            "random_state-bool": (bad(random_state=True), ("random_state",)),
            "z-length_mismatch": (bad(z=Y[:4]), ("z",)),
        },
    )
    return out
