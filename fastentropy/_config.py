"""``show_config``: which backend is live, OpenMP, threads and versions."""
from __future__ import annotations

import platform
import sys
from typing import Any

from ._backend import BACKEND_ENV, _missing, _requested, backend, kernels

__all__ = ["show_config", "config"]


def config() -> dict[str, Any]:
    """The facts :func:`show_config` prints, as a dict."""
    import numpy
    import scipy

    from . import __version__

    omp = kernels("_openmp")
    return {
        "fastentropy": __version__,
        "backend": backend(),
        "backend_requested": _requested,
        "missing_kernels": dict(_missing),
        "openmp": bool(omp.openmp_enabled()),
        "threads": int(omp.max_threads()),
        "cores": int(omp.num_procs()),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
    }


def show_config() -> None:
    """Print the backend in use, whether OpenMP is on, the thread count and the versions."""
    rows = [
        (BACKEND_ENV if key == "backend_requested" else key, value)
        for key, value in config().items()
        if not (key == "missing_kernels" and not value)
    ]
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
