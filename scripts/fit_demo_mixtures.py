"""Fit the Gaussian mixtures that ``fastentropy demo`` compares, and write them as package data.

Run from the repository root (scikit-learn needed; the demo itself needs no scikit-learn)::

    python scripts/fit_demo_mixtures.py            # writes fastentropy/data/iris_mixtures.json
    python scripts/fit_demo_mixtures.py --check    # exit 1 if the shipped file differs by > 1e-8

What is fitted: for each of the three species of the bundled Iris data
(``fastentropy.datasets.load_iris``, 50 flowers each, 4 measurements in cm), a scikit-learn
``GaussianMixture`` with 2 components and full covariance matrices, by EM from a fixed start:

- start: the species' flowers sorted by their projection on the first principal component of
  that species (eigenvector sign fixed so that its largest entry is positive) and cut in two
  halves of 25; the halves' proportions (1/2 each), means and covariances (plus ``REG_COVAR``)
  are the initial weights, means and precisions. The start is thus fixed by the data alone, not
  by a random k-means initialisation that could change between scikit-learn versions;
  ``random_state=0`` is passed as well, for completeness.
- ``reg_covar = 0.1**2 / 12``: the measurements are rounded to 0.1 cm, and a uniform rounding
  error has variance 0.1^2 / 12 = 8.3e-4 cm^2; adding it keeps a component that sits on a few
  repeated values from collapsing to a near-singular covariance.
- ``tol = 1e-10``, ``max_iter = 10000``: EM runs to its fixed point, so the parameters depend
  on the data and the start only, and a rerun reproduces them to far better than 1e-8.
- the two fitted components are then listed by decreasing weight.

The output is one JSON document: ``format`` ``"fastentropy.gaussian_mixture_set"``, the fit
settings (``fit``), the species in order (``names``) and ``models``: for each species the
``GaussianMixture.to_dict()`` of its mixture (load one with ``GaussianMixture.from_dict``).
``tests/test_cli_kl.py`` reruns this fit (when scikit-learn is installed) and checks the shipped
file against it to 1e-8.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "fastentropy", "data", "iris_mixtures.json")
FORMAT = "fastentropy.gaussian_mixture_set"

N_COMPONENTS = 2
COVARIANCE_TYPE = "full"
REG_COVAR = 0.1**2 / 12.0
TOL = 1e-10
MAX_ITER = 10_000
RANDOM_STATE = 0
#: Largest difference between a shipped parameter and a rerun that ``--check`` accepts.
CHECK_TOL = 1e-8


def _start(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Initial weights, means and precisions: the two halves of ``x`` along its first
    principal component (see the module doc)."""
    centred = x - x.mean(axis=0)
    _, vecs = np.linalg.eigh(centred.T @ centred)
    axis = vecs[:, -1]
    if axis[np.argmax(np.abs(axis))] < 0:
        axis = -axis
    order = np.argsort(centred @ axis, kind="stable")
    halves = np.array_split(order, N_COMPONENTS)
    weights = np.array([len(h) / len(x) for h in halves])
    means = np.stack([x[h].mean(axis=0) for h in halves])
    covs = np.stack([np.cov(x[h], rowvar=False, bias=True) for h in halves])
    covs += REG_COVAR * np.eye(x.shape[1])
    return weights, means, np.linalg.inv(covs)


def fit_iris_mixtures() -> dict[str, Any]:
    """The document this script writes (see the module doc); needs scikit-learn."""
    import sklearn
    from sklearn.mixture import GaussianMixture as SkGaussianMixture

    from fastentropy import as_gaussian_mixture
    from fastentropy.datasets import IRIS_TARGET_NAMES, load_iris

    X, y = load_iris()
    models: dict[str, Any] = {}
    for label, name in enumerate(IRIS_TARGET_NAMES):
        x = X[y == label]
        w0, m0, p0 = _start(x)
        sk = SkGaussianMixture(
            n_components=N_COMPONENTS, covariance_type=COVARIANCE_TYPE, reg_covar=REG_COVAR,
            tol=TOL, max_iter=MAX_ITER, weights_init=w0, means_init=m0, precisions_init=p0,
            random_state=RANDOM_STATE,
        ).fit(x)
        if not sk.converged_:  # pragma: no cover - would mean the settings above are wrong
            raise RuntimeError(f"{name}: EM did not converge in {MAX_ITER} iterations")
        order = np.argsort(-sk.weights_, kind="stable")
        gm = as_gaussian_mixture(
            weights=sk.weights_[order], means=sk.means_[order],
            covariances=sk.covariances_[order], covariance_type=COVARIANCE_TYPE,
        )
        models[name] = gm.to_dict()
    return {
        "format": FORMAT,
        "version": 1,
        "description": (
            "Per-species Gaussian mixtures of Fisher's Iris measurements (cm), fitted by "
            "scripts/fit_demo_mixtures.py; used by the mixture section of fastentropy demo."
        ),
        "fit": {
            "estimator": "sklearn.mixture.GaussianMixture",
            "sklearn_version": sklearn.__version__,
            "n_components": N_COMPONENTS,
            "covariance_type": COVARIANCE_TYPE,
            "reg_covar": REG_COVAR,
            "tol": TOL,
            "max_iter": MAX_ITER,
            "random_state": RANDOM_STATE,
            "init": "halves along each species' first principal component",
        },
        "features": ["sepal length", "sepal width", "petal length", "petal width"],
        "names": list(IRIS_TARGET_NAMES),
        "models": models,
    }


def max_difference(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest absolute difference between the model parameters of two documents
    (``inf`` if they hold different species or shapes)."""
    if a.get("names") != b.get("names") or set(a["models"]) != set(b["models"]):
        return float("inf")
    worst = 0.0
    for name in a["models"]:
        ma, mb = a["models"][name], b["models"][name]
        if ma.get("covariance_type") != mb.get("covariance_type"):
            return float("inf")
        for key in ("weights", "means", "covariances"):
            va, vb = np.asarray(ma[key], dtype=np.float64), np.asarray(mb[key], dtype=np.float64)
            if va.shape != vb.shape:
                return float("inf")
            worst = max(worst, float(np.max(np.abs(va - vb))))
    return worst


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--output", default=OUTPUT, help=f"where to write (default {OUTPUT})")
    parser.add_argument(
        "--check", action="store_true",
        help=f"compare with --output instead of writing; exit 1 if they differ by > {CHECK_TOL:g}",
    )
    args = parser.parse_args(argv)
    if ROOT not in sys.path:  # run from a checkout: use its fastentropy
        sys.path.insert(0, ROOT)
    doc = fit_iris_mixtures()
    if args.check:
        with open(args.output, encoding="utf-8") as fh:
            shipped = json.load(fh)
        diff = max_difference(doc, shipped)
        print(f"largest parameter difference: {diff:.3g}")
        return 0 if diff <= CHECK_TOL else 1
    with open(args.output, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
