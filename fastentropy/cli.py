"""The ``fastentropy`` console command.

``fastentropy demo`` runs the discrete / histogram estimators on the bundled UCI handwritten
digits (and Fisher's Iris) and prints what they compute as plain-text tables; ``fastentropy
info`` prints the backend configuration. ``python -m fastentropy ...`` is the same command.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["main", "build_parser", "run_demo"]

#: Estimators shown side by side, in this order, when ``entropy_counts`` offers them.
DEMO_METHODS = ("plugin", "miller_madow", "grassberger", "chao_shen", "shrink", "nsb")
#: Pixels shown in the per-pixel entropy table, as (row, column) of the 8x8 image.
DEMO_PIXELS = ((0, 0), (0, 3), (2, 2), (3, 4), (4, 4), (5, 6), (7, 2))
#: Subsample size and number of subsamples for the bias table.
SUBSAMPLE_SIZE = 50
N_SUBSAMPLES = 30
#: Digit pairs compared in the divergence table.
DIGIT_PAIRS = ((0, 1), (1, 7), (3, 8), (4, 9), (5, 6), (3, 5))
#: Number of intensity levels of a digits pixel (0..16).
N_LEVELS = 17
#: Seed of every random draw in the demo, so its output is reproducible.
DEMO_SEED = 20261126


# --------------------------------------------------------------------------- argument parsing
def _n_jobs_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an int (-1 = all cores), got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 has no meaning; use a positive int or -1 for all cores")
    return value


_BASE_HELP = "must be a positive number other than 1, or 'e'; got {!r}"


def _base_arg(text: str) -> float:
    if text.strip().lower() == "e":
        return math.e
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_BASE_HELP.format(text)) from None
    if not math.isfinite(value) or value <= 0 or value == 1:
        raise argparse.ArgumentTypeError(_BASE_HELP.format(text))
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fastentropy`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="fastentropy",
        description="Fast entropy, divergence and mutual-information estimators.",
    )
    parser.add_argument("--version", action="version", version=f"fastentropy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="run the discrete estimators on the bundled handwritten-digits data",
        description=(
            "Entropy, mutual information and divergences computed by fastentropy on the bundled "
            "UCI handwritten digits (1797 images, 8x8 pixels, intensities 0..16) and Fisher's "
            "Iris, printed as plain-text tables."
        ),
    )
    demo.add_argument(
        "--n-jobs", type=_n_jobs_arg, default=None, metavar="N",
        help="threads for the batch functions (default: OpenMP default; -1 = all cores)",
    )
    demo.add_argument(
        "--base", type=_base_arg, default=2.0, metavar="B",
        help="logarithm base of the reported quantities: 2 = bits (default), e = nats",
    )
    sub.add_parser("info", help="print the backend, OpenMP, thread count and versions")
    return parser


# --------------------------------------------------------------------------- table printing
def _fmt(value: Any, digits: int = 4) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}f}"


def _table(
    out: Callable[[str], None],
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    digits: int = 4,
    note: str | None = None,
    left: int = 1,
) -> None:
    """Print an aligned table: the first ``left`` columns left-aligned (labels), the rest right."""
    cells = [[_fmt(c, digits) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    out("")
    out(title)
    out("-" * len(title))

    def line(items: Sequence[str]) -> str:
        parts = [
            s.ljust(w) if i < left else s.rjust(w) for i, (s, w) in enumerate(zip(items, widths))
        ]
        return "  ".join(parts).rstrip()

    out(line(list(headers)))
    out("  ".join("-" * w for w in widths))
    for r in cells:
        out(line(r))
    if note:
        for text in note.splitlines():
            out(text)


def _unit(base: float) -> str:
    if base == 2:
        return "bits"
    if base == math.e:
        return "nats"
    if base == 10:
        return "hartleys"
    return f"log base {base:g}"


def _pixel_name(j: int) -> str:
    return f"({j // 8},{j % 8})"


# --------------------------------------------------------------------------- demo sections
def _available(fe: Any, *names: str) -> bool:
    return all(hasattr(fe, n) for n in names)


def _pixel_counts(fe: Any, X: np.ndarray, n_jobs: int | None) -> np.ndarray:
    """Per-pixel intensity histograms, (64, 17) counts: one batch ``bincount_rows`` call."""
    return np.asarray(fe.bincount_rows(X, minlength=N_LEVELS, axis=0, n_jobs=n_jobs))


def _methods(fe: Any) -> list[str]:
    offered = getattr(fe, "ESTIMATOR_METHODS", ("plugin",))
    return [m for m in DEMO_METHODS if m in offered]


def section_entropy(
    out: Callable[[str], None],
    fe: Any,
    X: np.ndarray,
    y: np.ndarray,
    base: float,
    n_jobs: int | None,
) -> None:
    unit = _unit(base)
    methods = _methods(fe)
    label_counts = np.bincount(y, minlength=10)
    # a single row: nothing to split between threads
    h_label = [
        float(fe.entropy_counts(label_counts, method=m, base=base, k=10, n_jobs=1)) for m in methods
    ]
    h_max = math.log(10) / math.log(base)
    _table(
        out,
        f"(a) Entropy of the digit label, N={len(y)} images, 10 classes [{unit}]",
        ["quantity", *methods],
        [["H(label)", *h_label], ["log(10), the maximum", *[h_max] * len(methods)]],
    )

    counts = _pixel_counts(fe, X, n_jobs)  # (64, 17): all pixels' histograms in one call
    shown = [8 * r + c for r, c in DEMO_PIXELS]
    est = {
        m: np.asarray(
            fe.entropy_counts(counts[shown], method=m, base=base, k=N_LEVELS, n_jobs=n_jobs)
        )
        for m in methods
    }
    rows = [
        [_pixel_name(j), int(np.count_nonzero(counts[j])), *[est[m][i] for m in methods]]
        for i, j in enumerate(shown)
    ]
    _table(
        out,
        f"(a) Entropy of pixel intensities (17 levels), N={len(y)} images [{unit}]",
        ["pixel (row,col)", "levels seen", *methods],
        rows,
        note="k=17 (the intensity alphabet) is passed as the support size.",
    )

    # Bias: draw many subsamples of SUBSAMPLE_SIZE images; compare with the full-data plug-in.
    rng = np.random.default_rng(DEMO_SEED)
    idx = np.stack([rng.choice(len(y), SUBSAMPLE_SIZE, replace=False) for _ in range(N_SUBSAMPLES)])
    sub = X[idx]  # (N_SUBSAMPLES, SUBSAMPLE_SIZE, 64)
    codes = (np.arange(N_SUBSAMPLES)[:, None, None] * 64 + np.arange(64)) * N_LEVELS + sub
    sub_counts = np.bincount(codes.ravel(), minlength=N_SUBSAMPLES * 64 * N_LEVELS)
    sub_counts = sub_counts.reshape(N_SUBSAMPLES, 64, N_LEVELS)
    varying = np.flatnonzero(np.count_nonzero(counts, axis=1) > 1)
    reference = np.asarray(fe.entropy_counts(counts[varying], base=base, n_jobs=n_jobs))
    omitted = ""
    if fe.backend() == "numpy" and "nsb" in methods:
        # the NumPy twin of NSB integrates its posterior in Python: seconds for these rows
        methods = [m for m in methods if m != "nsb"]
        omitted = "\nnsb is left out of this table on the NumPy backend (its twin is slow)."
    rows = []
    bias = {}
    for m in methods:
        h = np.asarray(
            fe.entropy_counts(sub_counts, method=m, base=base, k=N_LEVELS, n_jobs=n_jobs)
        )[:, varying]
        err = h - reference
        bias[m] = float(err.mean())
        rows.append([m, bias[m], float(np.sqrt((err**2).mean())), float(h.std(axis=0).mean())])
    best = min(bias, key=lambda m: abs(bias[m]))
    _table(
        out,
        f"(a) Small-sample bias: {N_SUBSAMPLES} random subsets of {SUBSAMPLE_SIZE} images [{unit}]",
        ["estimator", "mean bias", "RMSE", "mean std"],
        rows,
        note=(
            f"Error against the plug-in entropy of all {len(y)} images, averaged over the "
            f"{len(varying)} pixels that are not constant.\nSmallest mean bias: {best} "
            f"({bias[best]:+.4f} {unit}; plug-in: {bias['plugin']:+.4f} {unit}). "
            f"Each row is one entropy_counts call on {N_SUBSAMPLES}x64 histograms."
            + omitted
        ),
    )


def section_mutual_information(
    out: Callable[[str], None],
    fe: Any,
    X: np.ndarray,
    y: np.ndarray,
    base: float,
    n_jobs: int | None,
) -> None:
    unit = _unit(base)
    # All 64 contingency tables (pixel level x digit) from one batch bincount: code = 10*level + y
    codes = X.T * 10 + y[None, :]  # (64, n)
    tables = np.asarray(fe.bincount_rows(codes, minlength=N_LEVELS * 10, n_jobs=n_jobs))
    tables = tables.reshape(64, N_LEVELS, 10)
    corrected = "miller_madow"
    mi_plugin = np.asarray(fe.mutual_information(tables, method="plugin", base=base, n_jobs=n_jobs))
    try:
        mi_corr = np.asarray(
            fe.mutual_information(tables, method=corrected, base=base, n_jobs=n_jobs)
        )
    except (ValueError, TypeError, NotImplementedError):
        corrected, mi_corr = None, None
    h_label = float(fe.entropy_counts(np.bincount(y), base=base, n_jobs=1))
    ranking = np.argsort(-(mi_corr if mi_corr is not None else mi_plugin), kind="stable")
    rows = []
    for rank, j in enumerate(ranking[:10], start=1):
        row = [str(rank), _pixel_name(j), mi_plugin[j]]
        if mi_corr is not None:
            row.append(mi_corr[j])
        row.append(mi_plugin[j] / h_label)
        rows.append(row)
    headers = ["rank", "pixel", "MI plugin"]
    headers += [f"MI {corrected}"] if mi_corr is not None else []
    headers += ["MI/H(label)"]
    _table(
        out,
        f"(b) Feature ranking: I(pixel; digit), top 10 of 64 pixels [{unit}]",
        headers,
        rows,
        note=(
            f"Ranked by the {corrected or 'plugin'} estimate. H(label) = {h_label:.4f} {unit}; "
            "all 64 tables are one mutual_information call."
        ),
    )

    scores = ("mutual_info_score", "normalized_mutual_info_score", "adjusted_mutual_info_score")
    if not _available(fe, *scores):
        return
    ink = X.sum(axis=1)
    splits = {
        "total ink > median": (ink > np.median(ink)).astype(np.int64),
        f"pixel {_pixel_name(int(ranking[0]))} > 8": (X[:, ranking[0]] > 8).astype(np.int64),
        "random split": np.random.default_rng(DEMO_SEED).integers(0, 2, len(y)),
    }
    rows = []
    for name, split in splits.items():
        rows.append([
            name,
            float(fe.mutual_info_score(y, split)) / math.log(base),
            float(fe.normalized_mutual_info_score(y, split)),
            float(fe.adjusted_mutual_info_score(y, split)),
        ])
    _table(
        out,
        "(b) Digit label vs a crude 2-cluster split",
        ["split", f"MI [{unit}]", "NMI", "AMI"],
        rows,
        note="NMI and AMI are unitless; AMI is ~0 for a split unrelated to the digit.",
    )


def section_divergence(
    out: Callable[[str], None],
    fe: Any,
    X: np.ndarray,
    y: np.ndarray,
    base: float,
    n_jobs: int | None,
) -> None:
    unit = _unit(base)
    # Where the ink is: each digit's total intensity per pixel, with one pseudo-count per pixel
    # so that KL is finite (a pixel never inked by one digit would make it infinite).
    ink = np.stack([X[y == d].sum(axis=0) for d in range(10)]).astype(np.float64) + 1.0
    p = np.stack([ink[a] for a, _ in DIGIT_PAIRS])
    q = np.stack([ink[b] for _, b in DIGIT_PAIRS])
    cols: list[tuple[str, np.ndarray]] = []
    for label, name in (
        ("KL(p||q)", "kl_divergence"),
        ("KL(q||p)", "kl_divergence"),
        ("JS", "jensen_shannon"),
        ("Hellinger", "hellinger"),
        ("TV", "total_variation"),
    ):
        if not hasattr(fe, name):
            continue
        f = getattr(fe, name)
        if name in ("hellinger", "total_variation"):
            v = f(p, q, n_jobs=n_jobs)
        elif label == "KL(q||p)":
            v = f(q, p, base=base, n_jobs=n_jobs)
        else:
            v = f(p, q, base=base, n_jobs=n_jobs)
        cols.append((label, np.asarray(v)))
    if not cols:
        return
    rows = [[f"{a} vs {b}", *[v[i] for _, v in cols]] for i, (a, b) in enumerate(DIGIT_PAIRS)]
    nearest = ""
    if hasattr(fe, "jensen_shannon"):
        # All 100 ordered pairs in one call; each digit's nearest other digit by JS.
        p_all, q_all = np.repeat(ink, 10, axis=0), np.tile(ink, (10, 1))
        js = np.asarray(fe.jensen_shannon(p_all, q_all, base=base, n_jobs=n_jobs))
        js = js.reshape(10, 10) + np.diag(np.full(10, np.inf))
        pairs = ", ".join(f"{d}->{int(np.argmin(js[d]))}" for d in range(10))
        nearest = f"\nNearest other digit by JS: {pairs}."
    _table(
        out,
        "(c) Divergences between where two digits put their ink (64-pixel distributions)",
        ["p vs q", *[label for label, _ in cols]],
        rows,
        note=(
            "p, q: total intensity per pixel over all images of a digit (+1 per pixel), "
            f"normalised.\nKL and JS in {unit}; Hellinger and TV are in [0, 1]. "
            "One call per column for all pairs."
            + nearest
        ),
    )


def section_iris(out: Callable[[str], None], fe: Any, base: float, n_jobs: int | None) -> None:
    from .datasets import IRIS_FEATURE_NAMES, load_iris

    unit = _unit(base)
    X, _ = load_iris()
    log_b = math.log(base)
    methods = [m for m in ("plugin", "miller_madow") if m in _methods(fe)] or ["plugin"]
    rules = ("sturges", "fd", 10)
    # One call per (rule, method) bins all four measurements; a named rule is resolved per row
    # exactly as numpy.histogram_bin_edges resolves it (numpy gives the bin widths shown here).
    h = {
        (rule, m): np.asarray(
            fe.entropy_samples(X.T, bins=rule, method=m, base=base, n_jobs=n_jobs)
        )
        for rule in rules
        for m in methods
    }
    rows = []
    for j, name in enumerate(IRIS_FEATURE_NAMES):
        for rule in rules:
            edges = np.histogram_bin_edges(X[:, j], bins=rule)
            n_bins = len(edges) - 1
            width = float(edges[-1] - edges[0]) / n_bins
            values = [float(h[rule, m][j]) for m in methods]
            rows.append([
                name if rule == rules[0] else "", str(rule), n_bins, width, *values,
                values[0] + math.log(width) / log_b,
            ])
    _table(
        out,
        f"(d) Iris (150 flowers): entropy of each binned measurement [{unit}]",
        ["feature", "bin rule", "bins", "width (cm)", *[f"H {m}" for m in methods],
         "H + log(width)"],
        rows,
        left=2,
        note=(
            "A binned entropy grows with the number of bins; adding log(bin width) gives an\n"
            "estimate of the differential entropy (in log-cm), which depends much less on the rule."
        ),
    )


# --------------------------------------------------------------------------- the demo
def run_demo(
    n_jobs: int | None = None, base: float = 2.0, out: Callable[[str], None] = print
) -> None:
    """Print the demo tables (see ``fastentropy demo --help``)."""
    t0 = time.perf_counter()
    import fastentropy as fe

    from .datasets import load_digits

    X, y = load_digits()
    base_name = "e" if base == math.e else f"{base:g}"
    out(f"fastentropy {fe.__version__} demo: UCI handwritten digits, {X.shape[0]} images of 8x8 "
        f"pixels (intensity 0..16), logarithm base {base_name} ({_unit(base)})")
    skipped = []
    if _available(fe, "entropy_counts", "bincount_rows"):
        section_entropy(out, fe, X, y, base, n_jobs)
    else:
        skipped.append("(a) entropy")
    if _available(fe, "bincount_rows", "mutual_information", "entropy_counts"):
        section_mutual_information(out, fe, X, y, base, n_jobs)
    else:
        skipped.append("(b) mutual information")
    if _available(fe, "jensen_shannon") or _available(fe, "kl_divergence"):
        section_divergence(out, fe, X, y, base, n_jobs)
    else:
        skipped.append("(c) divergences")
    if _available(fe, "entropy_samples"):
        section_iris(out, fe, base, n_jobs)
    else:
        skipped.append("(d) iris")
    cfg = fe.config()
    from ._parallel import resolve_n_jobs

    elapsed = time.perf_counter() - t0
    out("")
    if skipped:
        out("Not shown (not available in this build): " + "; ".join(skipped))
    out(
        f"backend: {cfg['backend']} | openmp: {'on' if cfg['openmp'] else 'off'} | "
        f"threads used: {resolve_n_jobs(n_jobs)} of {cfg['cores']} cores | "
        f"numpy {cfg['numpy']} | wall time: {elapsed:.3f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fastentropy`` console command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "info":
        from . import show_config

        show_config()
        return 0
    try:
        run_demo(n_jobs=args.n_jobs, base=args.base)
    except BrokenPipeError:  # `fastentropy demo | head`
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
