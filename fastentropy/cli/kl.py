"""``fastentropy kl P Q``: the KL divergence ``KL(P || Q)`` between two Gaussian mixtures saved
by ``GaussianMixture.save`` (``.json`` or ``.npz``), or two univariate mixtures saved by
``UnivariateMixture.save`` (``.json``), as text or JSON (``--json``)."""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import zipfile
from typing import Any

from ._command import Command
from ._options import add_base_option, add_n_jobs_option
from ._table import unit_name

__all__ = ["COMMAND"]

_PROG = "fastentropy kl"


def _seed_arg(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a non-negative int, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a non-negative int, got {text!r}")
    return value


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    # optional for argparse, so that an unknown option is reported before a missing file
    parser.add_argument("p", nargs="?", metavar="P", help="the mixture P (.json or .npz)")
    parser.add_argument("q", nargs="?", metavar="Q", help="the mixture Q (.json or .npz)")
    parser.add_argument(
        "--method", default="auto",
        help="a method of fastentropy.kl_divergence_mixture: 'auto' (default: the closed form "
        "for two single Gaussians, 'quad' in 1-D, else randomised quasi-Monte Carlo 'rqmc'), "
        "'mc', 'rqmc', 'quad', 'variational', 'goldberger', 'product', 'unscented' or 'bounds' "
        "(guaranteed lower and upper bounds)",
    )
    parser.add_argument(
        "--n-samples", type=int, default=None, metavar="N",
        help="samples of P for the sampling methods (default: the library's, 100000)",
    )
    parser.add_argument(
        "--seed", type=_seed_arg, default=None, metavar="S",
        help="seed of the random stream (default: fresh entropy; give one to reproduce a run)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_n_jobs_option(parser)
    add_base_option(parser)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _fail(message: str) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return 2


def _load(path: str, role: str) -> Any:
    import fastentropy as fe

    if not os.path.exists(path):
        raise ValueError(f"{role}: no such file: {path!r}")
    if os.path.isdir(path):
        raise ValueError(f"{role}: {path!r} is a directory, not a mixture file")
    try:
        if _is_univariate_json(path):
            return fe.UnivariateMixture.load(path)
        return fe.GaussianMixture.load(path)
    except zipfile.BadZipFile as exc:  # a damaged .npz (numpy does not wrap it)
        raise ValueError(f"{role}: path {path!r} is not a readable mixture file: {exc}") from exc
    except (ValueError, TypeError, OSError, EOFError, KeyError) as exc:
        raise ValueError(f"{role}: {exc}") from exc


def _is_univariate_json(path: str) -> bool:
    """A .json file whose "format" is the univariate mixtures' (anything unreadable: False, and
    the Gaussian loader says what is wrong)."""
    if os.path.splitext(path)[1].lower() != ".json":
        return False
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("format") == "fastentropy.univariate_mixture"


def _dimension(m: Any) -> int:
    return int(getattr(m, "n_features", 1))


def _number(value: float | None) -> float | str | None:
    """A JSON-safe number: None stays null; inf and nan (not JSON) become strings."""
    if value is None or math.isfinite(value):
        return value
    return str(value)


def _describe(m: Any) -> str:
    k = m.n_components
    kind = getattr(m, "covariance_type", None) or getattr(m, "family", "")
    return f"{k} component{'' if k == 1 else 's'}, {kind}, {_dimension(m)}-D"


def _run(args: argparse.Namespace) -> int:
    import fastentropy as fe

    if args.p is None or args.q is None:
        return _fail("two mixture files, P and Q, are required")
    try:
        p = _load(args.p, "P")
        q = _load(args.q, "Q")
    except ValueError as exc:
        return _fail(_one_line(exc))
    if _dimension(p) != _dimension(q):
        return _fail(
            f"P and Q must have the same dimension: P ({args.p}) is {_dimension(p)}-D, "
            f"Q ({args.q}) is {_dimension(q)}-D"
        )
    options: dict[str, Any] = {}
    if args.n_samples is not None:
        options["n_samples"] = args.n_samples
    try:
        r = fe.kl_divergence_mixture(
            p, q, method=args.method, random_state=args.seed, base=args.base,
            n_jobs=args.n_jobs, **options,
        )
    except (ValueError, TypeError) as exc:
        return _fail(_one_line(exc))
    if args.json:
        print(json.dumps({
            "p": args.p, "q": args.q, "base": args.base,
            "estimate": _number(r.estimate), "stderr": _number(r.stderr),
            "lower": _number(r.lower), "upper": _number(r.upper),
            "n_samples": r.n_samples, "method": r.method, "seed": args.seed,
        }, allow_nan=False))
        return 0
    unit = unit_name(args.base)
    print(f"KL(P || Q) = {r.estimate:.10g} {unit}")
    print(f"  P          {args.p} ({_describe(p)})")
    print(f"  Q          {args.q} ({_describe(q)})")
    if r.stderr is not None:
        print(f"  std error  {r.stderr:.4g} {unit}")
    if r.lower is not None or r.upper is not None:
        lo = "n/a" if r.lower is None else f"{r.lower:.10g}"
        hi = "n/a" if r.upper is None else f"{r.upper:.10g}"
        print(f"  bounds     [{lo}, {hi}] {unit}")
    if r.stderr is None and r.lower is None and r.upper is None:
        print("  std error  none (not a sampling estimate)")
    print(f"  n_samples  {r.n_samples}")
    print(f"  method     {r.method}")
    if r.n_samples:
        print(f"  seed       {'none (fresh entropy)' if args.seed is None else args.seed}")
    return 0


COMMAND = Command(
    name="kl",
    help="KL divergence between two Gaussian mixtures saved as .json or .npz",
    description=(
        "Load the Gaussian mixtures P and Q (files written by fastentropy.GaussianMixture.save, "
        ".json or .npz) and print KL(P || Q) in --base units: the estimate, its standard error "
        "(sampling methods) or guaranteed bounds (where the method gives them), the number of "
        "samples drawn and the method used; --json prints one JSON object with the keys p, q, "
        "base, estimate, stderr, lower, upper, n_samples, method and seed (null where there is "
        "none). Errors (a missing or malformed file, an invalid model, mixtures of different "
        "dimensions, a value the library refuses) print one line and exit 2; a malformed "
        "option prints the usage and exits 2."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
