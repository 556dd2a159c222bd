"""Demo section: a nearest-centroid model's class scores on the digits, its most and least
certain predictions by predictive entropy, and the KL between two temperatures."""
from __future__ import annotations

import numpy as np

import fastentropy as fe

from ._base import DemoContext, Section, as_array

#: Temperatures compared in the KL column.
TEMPERATURES = (1.0, 4.0)


def class_scores(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logits of a nearest-centroid model fitted on (X, y): -|x - c_k|^2 / (2 s^2), s^2 the
    mean within-class squared distance per pixel (a Gaussian model with one shared variance)."""
    classes = np.unique(y)
    centroids = np.stack([X[y == k].mean(axis=0) for k in classes])
    d2 = ((X[:, None, :] - centroids[None]) ** 2).sum(axis=-1)
    s2 = float(d2[np.arange(len(y)), np.searchsorted(classes, y)].mean()) / X.shape[1]
    scores: np.ndarray = -d2 / (2.0 * s2)
    return scores


def run(ctx: DemoContext) -> None:
    X, y = ctx.data("digits")
    X = X.astype(np.float64)
    logits = class_scores(X, y)
    h = as_array(fe.softmax_entropy(logits, base=ctx.base, n_jobs=ctx.n_jobs))
    pred = logits.argmax(axis=1)
    t1, t2 = TEMPERATURES
    kl12 = as_array(fe.softmax_kl_divergence(
        logits / t1, logits / t2, base=ctx.base, n_jobs=ctx.n_jobs))
    order = np.argsort(h, kind="stable")
    rows = []
    for i in list(order[::-1][:5]) + list(order[:3]):
        rows.append([int(i), int(y[i]), int(pred[i]), h[i], kl12[i]])
    ctx.table(
        f"Nearest-centroid predictions ranked by entropy [{ctx.unit}]",
        ["image", "digit", "predicted", "H(softmax)", f"KL(T={t1:g} || T={t2:g})"],
        rows,
        note=(
            "class scores -|x - centroid|^2 / (2 s^2) fitted on all 1797 digits; the five "
            "least and three most certain images; H(softmax) the entropy of the predicted "
            f"class probabilities; the last column KL(softmax(s/{t1:g}) || softmax(s/{t2:g})), "
            f"how much cooling from T={t2:g} to T={t1:g} sharpens the prediction. Accuracy "
            f"{(pred == y).mean():.3f}; mean entropy {h.mean():.4g} {ctx.unit} (correct "
            f"{h[pred == y].mean():.4g}, wrong {h[pred != y].mean():.4g})."
        ),
    )


SECTION = Section(
    name="logits",
    requires=("softmax_entropy", "softmax_kl_divergence"),
    data=("digits",),
    run=run,
)
