"""Backend selection: the compiled Cython kernels, or their pure NumPy twins.

``FASTENTROPY_BACKEND`` (read once, at import) picks the backend:

- unset or ``auto``: compiled kernels; if the extension did not build, the twins, with one
  ``RuntimeWarning``;
- ``numpy``: the twins, always;
- ``compiled``: the compiled kernels, and an ``ImportError`` if they are missing.

Facades call :func:`kernels` with a family stem (``"histogram"``, ``"estimators"``...) and get a
module object whose functions share names and signatures on both backends.
"""
from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

__all__ = ["BACKEND_ENV", "backend", "kernels", "compiled_kernels", "twin_kernels"]

BACKEND_ENV = "FASTENTROPY_BACKEND"

_requested = os.environ.get(BACKEND_ENV, "auto").strip().lower() or "auto"
if _requested not in ("auto", "numpy", "compiled"):
    raise ImportError(
        f"{BACKEND_ENV}={_requested!r} is not understood; use 'auto', 'numpy' or 'compiled'"
    )

_cache: dict[str, ModuleType] = {}
_missing: dict[str, str] = {}
_warned = False


def compiled_kernels(stem: str) -> ModuleType:
    """The compiled kernel module ``fastentropy._kernels.<stem>`` (ImportError if not built)."""
    return importlib.import_module(f"fastentropy._kernels.{stem}")


def twin_kernels(stem: str) -> ModuleType:
    """The NumPy twin module ``fastentropy._twins.<stem>``."""
    return importlib.import_module(f"fastentropy._twins.{stem}")


def kernels(stem: str) -> ModuleType:
    """The module the facades dispatch to for family ``stem``, on the live backend."""
    global _warned
    mod = _cache.get(stem)
    if mod is not None:
        return mod
    if _requested == "numpy":
        mod = twin_kernels(stem)
    else:
        try:
            mod = compiled_kernels(stem)
        except ImportError as exc:
            if _requested == "compiled":
                raise ImportError(
                    f"{BACKEND_ENV}=compiled but the compiled kernel {stem!r} is missing: {exc}"
                ) from exc
            _missing[stem] = str(exc)
            if not _warned:
                _warned = True
                warnings.warn(
                    "fastentropy: the compiled extension is not available "
                    f"({exc}); using the pure NumPy fallback, which is slower.",
                    RuntimeWarning,
                    stacklevel=3,
                )
            mod = twin_kernels(stem)
    _cache[stem] = mod
    return mod


def backend() -> str:
    """``"compiled"`` when the compiled kernels are live, ``"numpy"`` when the twins are."""
    mod = kernels("_openmp")
    if _requested == "numpy" or mod.__name__.startswith("fastentropy._twins") or _missing:
        return "numpy"
    return "compiled"
