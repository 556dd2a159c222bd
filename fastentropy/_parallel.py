"""Turn a user's ``n_jobs`` into the thread count a kernel takes."""
from __future__ import annotations

import numbers
import os

from ._backend import kernels

__all__ = ["resolve_n_jobs", "threads_for"]


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Effective OpenMP thread count for ``n_jobs``.

    ``None``: the OpenMP default at call time (it honours ``OMP_NUM_THREADS`` and limits set with
    threadpoolctl). ``-1``: all cores; ``-2``: all but one, and so on. ``0`` is rejected. On the
    NumPy backend or a build without OpenMP the answer is always 1. Results never depend on it.
    """
    if n_jobs is not None and (
        isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral)
    ):
        raise TypeError(f"n_jobs must be an int or None, got {type(n_jobs).__name__}")
    if n_jobs is not None and n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive int")
    omp = kernels("_openmp")
    if not omp.openmp_enabled():
        return 1
    if n_jobs is None:
        return max(1, int(omp.max_threads()))
    n_jobs = int(n_jobs)
    if n_jobs < 0:
        ncpu = int(omp.num_procs()) or (os.cpu_count() or 1)
        return max(1, ncpu + 1 + n_jobs)
    return n_jobs


def threads_for(n_threads: int, tasks: int, cells: int, min_cells: int = 32768) -> int:
    """Fewer threads for small jobs: never more threads than independent tasks (rows, blocks),
    and about one per ``min_cells`` elements, since waking an OpenMP team costs more than a few
    thousand cells of work (and far more on a busy machine). Results never depend on it."""
    return max(1, min(n_threads, tasks, cells // min_cells))
