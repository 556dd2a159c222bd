"""``show_config``: which backend is live, OpenMP, threads, cores and versions."""
from __future__ import annotations

import os
import platform
import sys
from typing import Any

from ._backend import BACKEND_ENV, _missing, _requested, backend, fallback_reason, kernels

__all__ = ["show_config", "config", "machine_cores"]


def machine_cores() -> int:
    """The cores this process may run on: its CPU affinity set where the OS has one
    (``os.sched_getaffinity``: Linux, and what a container or ``taskset`` allows), else
    ``os.cpu_count()``. It does not depend on the backend."""
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is not None:
        try:
            n = len(getaffinity(0))
        except OSError:
            n = 0
        if n > 0:
            return n
    return os.cpu_count() or 1


def config() -> dict[str, Any]:
    """The facts :func:`show_config` prints, as a dict.

    ``threads`` is what ``n_jobs=None`` runs on the live backend (1 on the NumPy twins or
    without OpenMP); ``cores`` is the machine's, on either backend: OpenMP's count when OpenMP
    is live (what ``n_jobs=-1`` uses), else :func:`machine_cores`. ``fallback`` (only when the
    NumPy fallback replaced missing compiled kernels) says why and how to fix it.
    """
    import numpy
    import scipy

    from . import __version__

    omp = kernels("_openmp")
    openmp = bool(omp.openmp_enabled())
    facts: dict[str, Any] = {
        "fastentropy": __version__,
        "backend": backend(),
        "backend_requested": _requested,
        "missing_kernels": dict(_missing),
        "fallback": fallback_reason(),
        "openmp": openmp,
        "threads": int(omp.max_threads()),
        "cores": (int(omp.num_procs()) if openmp else 0) or machine_cores(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
    }
    return facts


def show_config() -> None:
    """Print the backend in use, whether OpenMP is on, the threads, cores and the versions."""
    rows = [
        (BACKEND_ENV if key == "backend_requested" else key, value)
        for key, value in config().items()
        if not (key in ("missing_kernels", "fallback") and not value)
    ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
