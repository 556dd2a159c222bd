"""Demo section: divergences between where two digits put their ink."""
from __future__ import annotations

import numpy as np

import fastentropy as fe

from ._base import DemoContext, Section, as_array

__all__ = ["SECTION"]

#: Digit pairs compared in the divergence table.
DIGIT_PAIRS = ((0, 1), (1, 7), (3, 8), (4, 9), (5, 6), (3, 5))


def run(ctx: DemoContext) -> None:
    X, y = ctx.data("digits")
    # Where the ink is: each digit's total intensity per pixel, with one pseudo-count per pixel
    # so that KL is finite (a pixel never inked by one digit would make it infinite).
    ink = np.stack([X[y == d].sum(axis=0) for d in range(10)]).astype(np.float64) + 1.0
    p = np.stack([ink[a] for a, _ in DIGIT_PAIRS])
    q = np.stack([ink[b] for _, b in DIGIT_PAIRS])
    base, n_jobs = ctx.base, ctx.n_jobs
    cols = [
        ("KL(p||q)", as_array(fe.kl_divergence(p, q, base=base, n_jobs=n_jobs))),
        ("KL(q||p)", as_array(fe.kl_divergence(q, p, base=base, n_jobs=n_jobs))),
        ("JS", as_array(fe.jensen_shannon(p, q, base=base, n_jobs=n_jobs))),
        ("Hellinger", as_array(fe.hellinger(p, q, n_jobs=n_jobs))),
        ("TV", as_array(fe.total_variation(p, q, n_jobs=n_jobs))),
    ]
    # All 100 ordered pairs in one call; each digit's nearest other digit by JS.
    p_all, q_all = np.repeat(ink, 10, axis=0), np.tile(ink, (10, 1))
    js = as_array(fe.jensen_shannon(p_all, q_all, base=base, n_jobs=n_jobs))
    js = js.reshape(10, 10) + np.diag(np.full(10, np.inf))
    nearest = ", ".join(f"{d}->{int(np.argmin(js[d]))}" for d in range(10))
    ctx.table(
        "Divergences between where two digits put their ink (64-pixel distributions)",
        ["p vs q", *[label for label, _ in cols]],
        [[f"{a} vs {b}", *[v[i] for _, v in cols]] for i, (a, b) in enumerate(DIGIT_PAIRS)],
        note=(
            "p, q: total intensity per pixel over all images of a digit (+1 per pixel), "
            f"normalised.\nKL and JS in {ctx.unit}; Hellinger and TV are in [0, 1]. "
            "One call per column for all pairs."
            f"\nNearest other digit by JS: {nearest}."
        ),
    )


SECTION = Section(
    name="divergences",
    requires=("kl_divergence", "jensen_shannon", "hellinger", "total_variation"),
    data=("digits",),
    run=run,
)
