"""Demo section: mutual information between each pixel and the digit, and clustering scores."""
from __future__ import annotations

import numpy as np

import fastentropy as fe

from ._base import DemoContext, Section, as_array, as_float
from .entropy import N_LEVELS, SEED, pixel_name

__all__ = ["SECTION"]

#: The bias-corrected estimator the ranking uses (any ``entropy_counts`` method would do).
CORRECTED = "miller_madow"


def run(ctx: DemoContext) -> None:
    X, y = ctx.data("digits")
    # All 64 contingency tables (pixel level x digit) from one batch bincount: code = 10*level + y
    codes = X.T * 10 + y[None, :]  # (64, n)
    tables = np.asarray(fe.bincount_rows(codes, minlength=N_LEVELS * 10, n_jobs=ctx.n_jobs))
    tables = tables.reshape(64, N_LEVELS, 10)
    mi_plugin = as_array(
        fe.mutual_information(tables, method="plugin", base=ctx.base, n_jobs=ctx.n_jobs)
    )
    mi_corr = as_array(
        fe.mutual_information(tables, method=CORRECTED, base=ctx.base, n_jobs=ctx.n_jobs)
    )
    h_label = as_float(fe.entropy_counts(np.bincount(y), base=ctx.base, n_jobs=1))
    ranking = np.argsort(-mi_corr, kind="stable")
    rows = [
        [str(rank), pixel_name(int(j)), mi_plugin[j], mi_corr[j], mi_plugin[j] / h_label]
        for rank, j in enumerate(ranking[:10], start=1)
    ]
    ctx.table(
        f"Feature ranking: I(pixel; digit), top 10 of 64 pixels [{ctx.unit}]",
        ["rank", "pixel", "MI plugin", f"MI {CORRECTED}", "MI/H(label)"],
        rows,
        note=(
            f"Ranked by the {CORRECTED} estimate. H(label) = {h_label:.4f} {ctx.unit}; "
            "all 64 tables are one mutual_information call."
        ),
    )

    ink = X.sum(axis=1)
    splits = {
        "total ink > median": (ink > np.median(ink)).astype(np.int64),
        f"pixel {pixel_name(int(ranking[0]))} > 8": (X[:, ranking[0]] > 8).astype(np.int64),
        "random split": np.random.default_rng(SEED).integers(0, 2, len(y)),
    }
    ctx.table(
        "Digit label vs a crude 2-cluster split",
        ["split", f"MI [{ctx.unit}]", "NMI", "AMI"],
        [
            [
                name,
                ctx.in_base(as_float(fe.mutual_info_score(y, split))),
                as_float(fe.normalized_mutual_info_score(y, split)),
                as_float(fe.adjusted_mutual_info_score(y, split)),
            ]
            for name, split in splits.items()
        ],
        note="NMI and AMI are unitless; AMI is ~0 for a split unrelated to the digit.",
    )


SECTION = Section(
    name="mutual information",
    requires=(
        "bincount_rows",
        "mutual_information",
        "entropy_counts",
        "mutual_info_score",
        "normalized_mutual_info_score",
        "adjusted_mutual_info_score",
    ),
    data=("digits",),
    run=run,
)
