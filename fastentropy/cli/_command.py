"""What a subcommand module provides: one :class:`Command` named ``COMMAND``."""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Command"]


@dataclass(frozen=True)
class Command:
    """One subcommand of ``fastentropy``.

    ``name`` is what the user types; ``help`` is its line in ``fastentropy --help``;
    ``description`` heads ``fastentropy NAME --help``; ``add_arguments`` adds its options to the
    subparser :func:`fastentropy.cli.build_parser` made for it; ``run`` gets the parsed
    arguments and returns the exit status.
    """

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
