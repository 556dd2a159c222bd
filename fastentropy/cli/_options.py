"""Options shared by several subcommands, so ``--n-jobs`` and ``--base`` mean the same in all.

A subcommand calls :func:`add_n_jobs_option` / :func:`add_base_option` from its
``add_arguments``; bad values become argparse usage errors (exit status 2) that name the option.
"""
from __future__ import annotations

import argparse
import math

__all__ = ["add_base_option", "add_n_jobs_option", "base_arg", "n_jobs_arg"]

_BASE_HELP = "must be a positive number other than 1, or 'e'; got {!r}"


def n_jobs_arg(text: str) -> int:
    """``--n-jobs``: a non-zero int (negative counts back from all cores)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an int (-1 = all cores), got {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError("0 has no meaning; use a positive int or -1 for all cores")
    return value


def base_arg(text: str) -> float:
    """``--base``: a logarithm base, a positive finite number other than 1, or ``e``."""
    if text.strip().lower() == "e":
        return math.e
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_BASE_HELP.format(text)) from None
    if not math.isfinite(value) or value <= 0 or value == 1:
        raise argparse.ArgumentTypeError(_BASE_HELP.format(text))
    return value


def add_n_jobs_option(parser: argparse.ArgumentParser, note: str = "") -> None:
    """``--n-jobs N`` (default ``None``: the OpenMP default), stored as ``args.n_jobs``;
    ``note`` adds what this subcommand does with it to the help text."""
    parser.add_argument(
        "--n-jobs", type=n_jobs_arg, default=None, metavar="N",
        help="threads for the batch functions (default: the OpenMP default; -1 = all cores"
        + (f"; {note})" if note else ")"),
    )


def add_base_option(parser: argparse.ArgumentParser) -> None:
    """``--base B`` (default 2, bits), stored as ``args.base``."""
    parser.add_argument(
        "--base", type=base_arg, default=2.0, metavar="B",
        help="logarithm base of the reported quantities: 2 = bits (default), e = nats",
    )
