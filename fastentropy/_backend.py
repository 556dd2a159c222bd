"""Backend selection: the compiled Cython kernels, or their pure NumPy twins.

``FASTENTROPY_BACKEND`` (read once, at import) picks the backend:

- unset or ``auto``: compiled kernels; if the extension is missing, the twins, with one
  ``RuntimeWarning`` that says why (:func:`fallback_reason`) and how to get the compiled kernels;
- ``numpy``: the twins, always;
- ``compiled``: the compiled kernels, and an ``ImportError`` if they are missing.

Facades call :func:`kernels` with a family stem (``"histogram"``, ``"estimators"``...) and get a
module object whose functions share names and signatures on both backends.

The commonest cause of a missing extension is running Python from the root of a clone: Python
puts the current folder first on ``sys.path``, so ``import fastentropy`` finds the source folder
``fastentropy/`` (kernel sources ``.pyx``, no compiled modules) before the installed package.
:func:`fallback_reason` recognises that case (a kernel's ``.pyx`` with no compiled module for
this interpreter beside it) and says so.
"""
from __future__ import annotations

import importlib
import importlib.machinery
import os
import warnings
from types import ModuleType

__all__ = [
    "BACKEND_ENV",
    "backend",
    "kernels",
    "compiled_kernels",
    "twin_kernels",
    "fallback_reason",
    "unbuilt_source_tree",
]

BACKEND_ENV = "FASTENTROPY_BACKEND"
#: The developer command that builds the kernels in place (relative to the clone's root).
BUILD_COMMAND = "dev/build.sh"

_requested = os.environ.get(BACKEND_ENV, "auto").strip().lower() or "auto"
if _requested not in ("auto", "numpy", "compiled"):
    raise ImportError(
        f"{BACKEND_ENV}={_requested!r} is not understood; use 'auto', 'numpy' or 'compiled'"
    )

_KERNEL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_kernels")

_cache: dict[str, ModuleType] = {}
_missing: dict[str, str] = {}
_warned = False
_reason: str | None = None


def compiled_kernels(stem: str) -> ModuleType:
    """The compiled kernel module ``fastentropy._kernels.<stem>`` (ImportError if not built)."""
    return importlib.import_module(f"fastentropy._kernels.{stem}")


def twin_kernels(stem: str) -> ModuleType:
    """The NumPy twin module ``fastentropy._twins.<stem>``."""
    return importlib.import_module(f"fastentropy._twins.{stem}")


def unbuilt_source_tree(stem: str, kernel_dir: str = _KERNEL_DIR) -> bool:
    """True when ``kernel_dir`` holds ``<stem>.pyx`` but no compiled ``<stem>`` module that this
    interpreter can load (no file ``<stem><suffix>`` for any of its extension suffixes): the
    package was imported from a source tree whose extensions were never built (or were built
    for another Python)."""
    if not os.path.exists(os.path.join(kernel_dir, f"{stem}.pyx")):
        return False
    return not any(
        os.path.exists(os.path.join(kernel_dir, stem + suffix))
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def _diagnose(stem: str, exc: BaseException, kernel_dir: str = _KERNEL_DIR) -> str:
    """What happened when the compiled kernel ``stem`` failed to import, and how to fix it."""
    package_dir = os.path.dirname(kernel_dir)
    if unbuilt_source_tree(stem, kernel_dir):
        root = os.path.dirname(package_dir)
        if os.path.exists(os.path.join(root, *BUILD_COMMAND.split("/"))):
            build = f"or build them in place with `{BUILD_COMMAND}` in {root}"
        else:
            build = f"or build them in place with `python setup.py build_ext --inplace` in {root}"
        return (
            f"fastentropy was imported from a source tree ({package_dir}) whose compiled "
            f"extension is not built (_kernels/{stem}.pyx has no compiled module beside it), "
            "so it runs on the pure NumPy fallback, which is slower. Python looks in the "
            "current folder first, so running it from a clone's root imports the source "
            "folder instead of the installed package. To use the compiled kernels, run Python "
            f"from another folder (after `pip install .`), {build}."
        )
    return (
        f"fastentropy's compiled extension is not available (fastentropy._kernels.{stem}: "
        f"{exc}), so it runs on the pure NumPy fallback, which is slower. Reinstall it with a C "
        f"compiler present (`pip install .`), or set {BACKEND_ENV}=numpy to choose the fallback "
        "without this warning."
    )


def kernels(stem: str) -> ModuleType:
    """The module the facades dispatch to for family ``stem``, on the live backend."""
    global _warned, _reason
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
                    f"{BACKEND_ENV}=compiled but the compiled kernel {stem!r} is missing: "
                    + _diagnose(stem, exc)
                ) from exc
            _missing[stem] = str(exc)
            if not _warned:
                _warned = True
                _reason = _diagnose(stem, exc)
                warnings.warn(_reason, RuntimeWarning, stacklevel=3)
            mod = twin_kernels(stem)
    _cache[stem] = mod
    return mod


def fallback_reason() -> str | None:
    """Why the NumPy fallback runs although the compiled kernels were asked for (``auto``), and
    how to fix it; ``None`` when no compiled kernel was found missing."""
    return _reason


def backend() -> str:
    """``"compiled"`` when the compiled kernels are live, ``"numpy"`` when the twins are."""
    mod = kernels("_openmp")
    if _requested == "numpy" or mod.__name__.startswith("fastentropy._twins") or _missing:
        return "numpy"
    return "compiled"
