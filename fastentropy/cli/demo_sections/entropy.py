"""Demo section: entropy of the digit label and of pixel intensities, and small-sample bias."""
from __future__ import annotations

import math

import numpy as np

import fastentropy as fe

from ._base import DemoContext, Section, as_array, as_float

__all__ = ["SECTION"]

#: Estimators shown side by side, in this order, when ``entropy_counts`` offers them.
METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "shrink", "nsb")
#: Pixels shown in the per-pixel entropy table, as (row, column) of the 8x8 image.
PIXELS = ((0, 0), (0, 3), (2, 2), (3, 4), (4, 4), (5, 6), (7, 2))
#: Subsample size and number of subsamples for the bias table.
SUBSAMPLE_SIZE = 50
N_SUBSAMPLES = 30
#: Number of intensity levels of a digits pixel (0..16).
N_LEVELS = 17
#: Seed of the random subsets, so the demo's output is reproducible.
SEED = 20261126


def pixel_name(j: int) -> str:
    """``(row,col)`` of column ``j`` of an 8x8 digits image."""
    return f"({j // 8},{j % 8})"


def pixel_counts(X: np.ndarray, n_jobs: int | None) -> np.ndarray:
    """Per-pixel intensity histograms, (64, 17) counts: one batch ``bincount_rows`` call."""
    return np.asarray(fe.bincount_rows(X, minlength=N_LEVELS, axis=0, n_jobs=n_jobs))


def run(ctx: DemoContext) -> None:
    X, y = ctx.data("digits")
    methods = [m for m in METHODS if m in fe.ESTIMATOR_METHODS]
    label_counts = np.bincount(y, minlength=10)
    # a single row: nothing to split between threads
    h_label = [
        as_float(fe.entropy_counts(label_counts, method=m, base=ctx.base, k=10, n_jobs=1))
        for m in methods
    ]
    h_max = math.log(10) / math.log(ctx.base)
    ctx.table(
        f"Entropy of the digit label, N={len(y)} images, 10 classes [{ctx.unit}]",
        ["quantity", *methods],
        [["H(label)", *h_label], [f"{ctx.log}(10), the maximum", *[h_max] * len(methods)]],
        note=(
            f"The maximum, {ctx.log}(10) = {h_max:.2f} {ctx.unit}, is the entropy of 10 equally "
            "frequent digits."
        ),
    )

    counts = pixel_counts(X, ctx.n_jobs)  # (64, 17): all pixels' histograms in one call
    shown = [8 * r + c for r, c in PIXELS]
    est = {
        m: as_array(
            fe.entropy_counts(counts[shown], method=m, base=ctx.base, k=N_LEVELS, n_jobs=ctx.n_jobs)
        )
        for m in methods
    }
    ctx.table(
        f"Entropy of pixel intensities (17 levels), N={len(y)} images [{ctx.unit}]",
        ["pixel (row,col)", "levels seen", *methods],
        [
            [pixel_name(j), int(np.count_nonzero(counts[j])), *[est[m][i] for m in methods]]
            for i, j in enumerate(shown)
        ],
        note="k=17 (the intensity alphabet) is passed as the support size.",
    )

    # Bias: draw many subsamples of SUBSAMPLE_SIZE images; compare with the full-data plug-in.
    rng = np.random.default_rng(SEED)
    idx = np.stack([rng.choice(len(y), SUBSAMPLE_SIZE, replace=False) for _ in range(N_SUBSAMPLES)])
    sub = X[idx]  # (N_SUBSAMPLES, SUBSAMPLE_SIZE, 64)
    codes = (np.arange(N_SUBSAMPLES)[:, None, None] * 64 + np.arange(64)) * N_LEVELS + sub
    sub_counts = np.bincount(codes.ravel(), minlength=N_SUBSAMPLES * 64 * N_LEVELS)
    sub_counts = sub_counts.reshape(N_SUBSAMPLES, 64, N_LEVELS)
    varying = np.flatnonzero(np.count_nonzero(counts, axis=1) > 1)
    reference = as_array(fe.entropy_counts(counts[varying], base=ctx.base, n_jobs=ctx.n_jobs))
    omitted = ""
    if fe.backend() == "numpy" and "nsb" in methods:
        # the NumPy twin of NSB integrates its posterior in Python: seconds for these rows
        methods = [m for m in methods if m != "nsb"]
        omitted = "\nnsb is left out of this table on the NumPy backend (its twin is slow)."
    rows = []
    bias = {}
    for m in methods:
        h = as_array(
            fe.entropy_counts(sub_counts, method=m, base=ctx.base, k=N_LEVELS, n_jobs=ctx.n_jobs)
        )[:, varying]
        err = h - reference
        bias[m] = float(err.mean())
        rows.append([m, bias[m], float(np.sqrt((err**2).mean())), float(h.std(axis=0).mean())])
    best = min(bias, key=lambda m: abs(bias[m]))
    ctx.table(
        f"Small-sample bias: {N_SUBSAMPLES} random subsets of {SUBSAMPLE_SIZE} images [{ctx.unit}]",
        ["estimator", "mean bias", "RMSE", "std across subsets"],
        rows,
        note=(
            f"Error of each subset's estimate against the plug-in entropy of all {len(y)} images, "
            f"averaged over\nthe {len(varying)} pixels that are not constant: mean bias is its "
            "mean (the systematic error), RMSE its root\nmean square. std across subsets is how "
            "much the estimate moves from one subset to another (its\nstandard deviation over "
            f"the {N_SUBSAMPLES} subsets: the random part of the error).\nSmallest mean bias: "
            f"{best} ({bias[best]:+.4f} {ctx.unit}; plug-in: {bias['plugin']:+.4f} {ctx.unit})."
            f"\nEach row is one entropy_counts call on {N_SUBSAMPLES}x64 histograms."
            + omitted
        ),
    )


SECTION = Section(
    name="entropy",
    requires=("entropy_counts", "bincount_rows", "ESTIMATOR_METHODS"),
    data=("digits",),
    run=run,
)
