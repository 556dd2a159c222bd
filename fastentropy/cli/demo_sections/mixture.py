"""Demo section: KL divergences between Gaussian mixtures of the three Iris species.

The mixtures (2 components, full covariances, one per species) were fitted once with
scikit-learn by ``scripts/fit_demo_mixtures.py`` and ship as ``fastentropy/data/
iris_mixtures.json``, so the demo needs no scikit-learn. Each ordered pair of species gets a
Monte Carlo KL with its standard error, guaranteed bounds when this build's
``kl_divergence_mixture`` has ``method='bounds'`` (else ``n/a``), and for comparison the closed
form KL between single Gaussians fitted to the same flowers.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any

import numpy as np

import fastentropy as fe

from ...datasets import IRIS_TARGET_NAMES
from ._base import DemoContext, Section, as_float

__all__ = ["DATA_FILE", "N_SAMPLES", "SECTION", "SEED", "load_iris_mixtures", "pairs"]

#: The package data file holding the fitted mixtures (in ``fastentropy/data/``).
DATA_FILE = "iris_mixtures.json"
#: Monte Carlo samples of P per pair, and the seed of every pair's stream.
N_SAMPLES = 100_000
SEED = 0
_SET_FORMAT = "fastentropy.gaussian_mixture_set"


def load_iris_mixtures() -> dict[str, fe.GaussianMixture]:
    """The shipped per-species mixtures, by species name, in the file's order."""
    text = resources.files("fastentropy").joinpath("data").joinpath(DATA_FILE).read_text("utf-8")
    doc = json.loads(text)
    if doc.get("format") != _SET_FORMAT:
        raise ValueError(f"{DATA_FILE}: format {doc.get('format')!r}, expected {_SET_FORMAT!r}")
    return {name: fe.GaussianMixture.from_dict(doc["models"][name]) for name in doc["names"]}


def pairs(names: list[str]) -> list[tuple[str, str]]:
    """Every ordered pair (P, Q) of different names, P in the outer loop."""
    return [(a, b) for a in names for b in names if a != b]


def _bounds(p: Any, q: Any, ctx: DemoContext) -> tuple[float | None, float | None]:
    """Guaranteed (lower, upper) bounds from ``method='bounds'``, or (None, None) when this
    build's ``kl_divergence_mixture`` has no such method."""
    try:
        r = fe.kl_divergence_mixture(p, q, method="bounds", base=ctx.base, n_jobs=ctx.n_jobs)
    except ValueError as exc:
        if str(exc).startswith("method"):  # "method must be one of ...": not in this build
            return None, None
        raise
    return r.lower, r.upper


def _gaussian_fit(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood mean and covariance of the rows of ``x``."""
    return x.mean(axis=0), np.cov(x, rowvar=False, bias=True)


def run(ctx: DemoContext) -> None:
    mixtures = load_iris_mixtures()
    X, y = ctx.data("iris")
    single = {
        name: _gaussian_fit(X[y == IRIS_TARGET_NAMES.index(name)]) for name in mixtures
    }
    rows: list[list[Any]] = []
    kl: dict[tuple[str, str], float] = {}
    have_bounds = False
    n_drawn = 0
    for a, b in pairs(list(mixtures)):
        r = fe.kl_divergence_mixture(
            mixtures[a], mixtures[b], method="mc", n_samples=N_SAMPLES, random_state=SEED,
            base=ctx.base, n_jobs=ctx.n_jobs,
        )
        lower, upper = _bounds(mixtures[a], mixtures[b], ctx)
        have_bounds = have_bounds or lower is not None or upper is not None
        g = as_float(fe.kl_divergence_gaussian(*single[a], *single[b], base=ctx.base))
        kl[a, b] = r.estimate
        n_drawn = max(n_drawn, r.n_samples)
        rows.append([
            a, b, r.estimate, r.stderr,
            "n/a" if lower is None else lower, "n/a" if upper is None else upper, g,
        ])
    worst = max(kl, key=lambda ab: kl[ab] / kl[ab[::-1]])
    ratio = kl[worst] / kl[worst[::-1]]
    bounds = (
        ["lower, upper: guaranteed bounds on KL(P||Q) (method='bounds')."]
        if have_bounds else
        ["lower, upper: guaranteed bounds; n/a: this build's kl_divergence_mixture has no "
         "method='bounds'."]
    )
    note = [
        "P, Q: a 2-component full-covariance Gaussian mixture of each species' 50 flowers",
        "(4 measurements, cm), fitted once with scikit-learn by scripts/fit_demo_mixtures.py",
        f"and shipped in the package as fastentropy/data/{DATA_FILE}.",
        f"KL(P||Q): Monte Carlo over {n_drawn} samples of P per pair (stratified by component,",
        f"random_state={SEED}); std err: its standard error.",
        *bounds,
        "1 Gaussian: closed-form KL between single Gaussians fitted to the same flowers.",
        "KL is not symmetric: it is large where P puts mass that Q hardly covers; the largest",
        f"ratio is KL({worst[0]}||{worst[1]}) / KL({worst[1]}||{worst[0]}) = {ratio:.2f}.",
    ]
    ctx.table(
        f"Iris species as Gaussian mixtures: KL between them [{ctx.unit}]",
        ["P", "Q", "KL(P||Q)", "std err", "lower", "upper", "1 Gaussian"],
        rows,
        left=2,
        note="\n".join(note),
    )


SECTION = Section(
    name="mixtures",
    requires=("GaussianMixture", "kl_divergence_mixture", "kl_divergence_gaussian"),
    data=("iris",),
    run=run,
)
