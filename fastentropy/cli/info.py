"""``fastentropy info``: the backend, OpenMP, threads, cores and versions (``show_config``)."""
from __future__ import annotations

import argparse

from .._config import show_config
from ._command import Command

__all__ = ["COMMAND"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    """``info`` takes no options."""


def _run(args: argparse.Namespace) -> int:
    show_config()
    return 0


COMMAND = Command(
    name="info",
    help="print the backend, OpenMP, threads, cores and versions",
    description=(
        "Print what fastentropy.show_config() prints: the live backend (compiled kernels or "
        "NumPy twins, and why the twins if they replaced missing kernels), whether OpenMP is "
        "on, the default thread count, the machine's cores and the versions."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
