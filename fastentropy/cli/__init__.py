"""The ``fastentropy`` console command (``python -m fastentropy`` is the same).

``fastentropy demo`` runs the estimators on the bundled data and prints plain-text tables;
``fastentropy info`` prints the backend configuration. The command grows by adding modules, not
by lengthening one: one module per subcommand, and one module per demo section.

Layout
------
``cli/__init__.py``
    :func:`main` and :func:`build_parser`, which builds one subparser per entry of
    :data:`COMMANDS`, the registry of subcommands.
``cli/<name>.py`` (``demo.py``, ``info.py``)
    One subcommand: a module-level ``COMMAND = Command(...)`` (:class:`._command.Command`:
    name, help line, description, ``add_arguments(parser)``, ``run(args) -> exit status``).
``cli/demo_sections/<name>.py`` (``entropy.py``, ``mutual_information.py``, ``divergence.py``,
``iris.py``)
    One section of the demo: a module-level ``SECTION = Section(...)``
    (:class:`.demo_sections.Section`: name, the public ``fastentropy`` names it calls, the
    bundled datasets it reads, ``run(ctx)``), registered in ``demo_sections.SECTIONS``.
``cli/_options.py``, ``cli/_table.py``
    Shared pieces: the ``--n-jobs`` and ``--base`` options, aligned tables, unit names.

How to add a subcommand (say ``fastentropy logits``)
----------------------------------------------------
1. Write ``cli/logits.py``::

       from __future__ import annotations
       import argparse
       from ._command import Command
       from ._options import add_base_option, add_n_jobs_option

       def _add_arguments(parser: argparse.ArgumentParser) -> None:
           add_n_jobs_option(parser)       # the shared options, if it takes them
           add_base_option(parser)
           parser.add_argument("file", help="...")

       def _run(args: argparse.Namespace) -> int:
           import fastentropy as fe        # heavy imports inside run, not at module level
           ...                             # print with print(); pass n_jobs=args.n_jobs
           return 0                        # the exit status

       COMMAND = Command(name="logits", help="one line for fastentropy --help",
                         description="the paragraph heading fastentropy logits --help",
                         add_arguments=_add_arguments, run=_run)

2. Register it: add ``logits`` to the ``from . import ...`` line below and ``logits.COMMAND``
   to :data:`COMMANDS`.
3. Test it in ``tests/test_cli.py`` through ``run("logits", ...)`` (a child process) or
   ``main(["logits", ...])``; a bad option already exits 2 with the subcommand's own usage.

How to add a demo section (say the logits family's)
---------------------------------------------------
1. Write ``cli/demo_sections/logits.py``::

       from __future__ import annotations
       import fastentropy as fe
       from ._base import DemoContext, Section, as_array

       def run(ctx: DemoContext) -> None:
           X, y = ctx.data("digits")       # a key of DATASETS, loaded once per demo
           h = as_array(fe.some_function(X, base=ctx.base, n_jobs=ctx.n_jobs))
           ctx.table(f"What it shows [{ctx.unit}]", ["row", "value"], [["a", h[0]]],
                     note="what the columns mean")   # titled "(e) What it shows [bits]"

       SECTION = Section(name="logits", requires=("some_function",), data=("digits",), run=run)

   Report every quantity in ``ctx.base`` (``ctx.unit`` names it, ``ctx.log`` writes its
   logarithm, ``ctx.in_base(nats)`` converts), pass ``n_jobs=ctx.n_jobs`` to every batch call
   (the footer reports those threads), and explain every column in the table's note.
2. Register it: import it in ``cli/demo_sections/__init__.py`` and append ``logits.SECTION``
   to ``SECTIONS`` (its place there gives its tag, ``(a)``, ``(b)``...).
3. If it needs a new bundled dataset, add its loader to :mod:`fastentropy.datasets` and a
   :class:`Dataset` entry to ``demo_sections._base.DATASETS``: the demo's help and header list
   the datasets of all sections from there.
4. Test its printed numbers against an independent computation in ``tests/test_cli.py`` (the
   ``tables`` fixture parses the demo's output; ``_find(tables, "(e) What it shows")``).
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import demo, info, kl, logits, rank
from ._command import Command
from .demo import run_demo

__all__ = ["COMMANDS", "Command", "build_parser", "main", "run_demo"]

#: The registry of subcommands, in the order ``fastentropy --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    demo.COMMAND,
    info.COMMAND,
    logits.COMMAND,
    rank.COMMAND,
    kl.COMMAND,
)


def _build(
    commands: Sequence[Command] = COMMANDS,
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="fastentropy",
        description="Fast entropy, divergence and mutual-information estimators.",
    )
    parser.add_argument("--version", action="version", version=f"fastentropy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers = {}
    for command in commands:
        subparser = sub.add_parser(command.name, help=command.help, description=command.description)
        command.add_arguments(subparser)
        subparsers[command.name] = subparser
    return parser, subparsers


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fastentropy`` command (one subparser per command)."""
    return _build()[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fastentropy`` console command; returns the exit status.

    A usage error exits with status 2 and the usage of the subcommand it concerns: an unknown
    option after ``demo`` prints ``usage: fastentropy demo ...``, not the main usage line.
    """
    parser, subparsers = _build()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        parser.print_help(sys.stderr)
        return 2
    if extra:
        # argparse hands a subcommand's unknown options back to the main parser, which would
        # print the main usage; the subcommand's own parser says what that subcommand takes.
        subparsers[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    command = next(c for c in COMMANDS if c.name == args.command)
    try:
        status = command.run(args)
        sys.stdout.flush()
    except BrokenPipeError:  # `fastentropy demo | head`: the reader left; not an error
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
