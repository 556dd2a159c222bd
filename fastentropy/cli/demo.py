"""``fastentropy demo``: the estimators on the bundled data, printed as plain-text tables.

The tables come from the sections registered in :data:`.demo_sections.SECTIONS`; this module
only parses the options, resolves the threads, prints the header and footer and runs each
section in turn.
"""
from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from string import ascii_lowercase

import fastentropy as fe

from .._parallel import resolve_n_jobs
from ._command import Command
from ._options import add_base_option, add_n_jobs_option
from ._table import unit_name
from .demo_sections import DATASETS, SECTIONS, DemoContext, Section

__all__ = ["COMMAND", "demo_threads", "run_demo"]


def _datasets(sections: Sequence[Section]) -> list[str]:
    """The keys of the datasets ``sections`` read, in order of first use."""
    return list(dict.fromkeys(key for s in sections for key in s.data))


def demo_threads(n_jobs: int | None, cores: int) -> tuple[int | None, int, bool]:
    """``(n_jobs to pass, threads that run, capped)`` for the demo's ``--n-jobs``.

    An explicit ``n_jobs`` above ``cores`` is capped at ``cores``: OpenMP really starts as many
    threads as it is asked for, and more threads than cores only add start-up and switching
    costs. ``None`` (the OpenMP default, which honours ``OMP_NUM_THREADS``) and negative values
    are passed on unchanged. The threads are what
    :func:`~fastentropy._parallel.resolve_n_jobs` gives for the value passed (1 on the NumPy
    backend or without OpenMP); calls on few rows run fewer still (``threads_for``), so the
    count is an upper bound per call.
    """
    passed = cores if n_jobs is not None and n_jobs > cores else n_jobs
    return passed, resolve_n_jobs(passed), passed != n_jobs


def run_demo(
    n_jobs: int | None = None,
    base: float = 2.0,
    out: Callable[[str], None] = print,
    sections: Sequence[Section] = SECTIONS,
) -> None:
    """Print the demo tables (see ``fastentropy demo --help``)."""
    t0 = time.perf_counter()
    cfg = fe.config()
    cores = int(cfg["cores"])
    passed, threads, capped = demo_threads(n_jobs, cores)
    base_name = "e" if base == math.e else f"{base:g}"
    out(f"fastentropy {fe.__version__} demo, logarithm base {base_name} ({unit_name(base)}), "
        "on the bundled data:")
    for key in _datasets(sections):
        out(f"  {DATASETS[key].name}: {DATASETS[key].details}")
    ctx = DemoContext(out=out, base=base, n_jobs=passed)
    skipped = []
    for i, section in enumerate(sections):
        tag = f"({ascii_lowercase[i] if i < len(ascii_lowercase) else i + 1})"
        if all(hasattr(fe, name) for name in section.requires):
            section.run(ctx.tagged(tag))
        else:
            skipped.append(f"{tag} {section.name}")
    elapsed = time.perf_counter() - t0
    out("")
    if skipped:
        out("Not shown (not available in this build): " + "; ".join(skipped))
    cap = f" (--n-jobs {n_jobs} capped at the core count)" if capped else ""
    out(
        f"backend: {cfg['backend']} | openmp: {'on' if cfg['openmp'] else 'off'} | "
        f"threads: up to {threads} of {cores} cores{cap} | "
        f"numpy {cfg['numpy']} | wall time: {elapsed:.3f} s"
    )


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    add_n_jobs_option(parser, note="more than the core count is capped at it")
    add_base_option(parser)


def _run(args: argparse.Namespace) -> int:
    run_demo(n_jobs=args.n_jobs, base=args.base)
    return 0


def _and(names: Sequence[str]) -> str:
    """``"a, b and c"``."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


COMMAND = Command(
    name="demo",
    help="run the estimators on the bundled data: "
    + _and([DATASETS[key].name for key in _datasets(SECTIONS)]),
    description=(
        "Entropy, mutual information and divergences computed by fastentropy on the bundled "
        "data, printed as plain-text tables, one section per family of estimators. Data: "
        + _and([f"{DATASETS[k].name} ({DATASETS[k].details})" for k in _datasets(SECTIONS)])
        + "."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
