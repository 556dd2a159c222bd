"""Bad-input rows for the scikit-learn drop-ins (``fastentropy.sklearn``): see
``tests/_rows.py``. scikit-learn is the reference: where it accepts a "bad" input the
drop-in must give its answer or a named error."""
from __future__ import annotations

from typing import Any

import numpy as np

ZOO_SCALARS = {
    "n_neighbors": {"zero": 0, "negative": -1, "float": 2.5, "too_large": 6},
    "random_state": {"float": 1.5, "str": "seed"},
}


def _sk(name: str) -> Any:
    def call(**kw: Any) -> Any:
        import sklearn.feature_selection

        return getattr(sklearn.feature_selection, name)(**kw)

    return call


def zoo(ns: Any) -> dict[str, Any]:
    Spec, X, y = ns.Spec, ns.SAMPLE2D, ns.KNN_Y
    labels = np.array([0, 1, 0, 1, 1, 0])
    common = {
        "n_jobs": None,  # scikit-learn's n_jobs is joblib's: not the walk's bad n_jobs values
    }
    out = {}
    for name, target, role in (
        ("mutual_info_regression", y, "knn_y"),
        ("mutual_info_classif", labels, "labels"),
    ):
        out[f"sklearn.{name}"] = Spec(
            args={"X": X, "y": target, "random_state": 0, **common},
            roles={"X": "sample2d", "y": role},
            pair=("X", "y"),
            scalars=("n_neighbors", "random_state"),
            ref=_sk(name),
            skip={
                "n_jobs-zero": "joblib's convention, as scikit-learn",
                "n_jobs-float": "joblib's convention, as scikit-learn",
                "y-2d": "scikit-learn ravels a column vector with a warning",
                "layout-float32": "scikit-learn computes in float32 for float32 input (the "
                "drop-in does too: tests/test_sklearn_compat.py)",
            },
            layout=lambda t=target: {
                "X": ns._knn_points(0), "y": np.resize(t, 40).astype(np.float64)
            },
            extra={
                "discrete_features-bad_mask": (
                    lambda: {"discrete_features": np.array([True])}, ("discrete_features",)),
                "discrete_features-str": (
                    lambda: {"discrete_features": "yes"}, ("discrete_features",)),
            },
        )
    return out
