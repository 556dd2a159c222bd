"""Access to both backends of a kernel family, for oracle tests.

``pair("histogram")`` gives ``(compiled_module, twin_module)``; the compiled one is None (and the
test skipped) where the extension was not built, as in a NumPy-only install.
"""
import pytest

from fastentropy._backend import compiled_kernels, twin_kernels


def pair(stem):
    try:
        compiled = compiled_kernels(stem)
    except ImportError as exc:  # pragma: no cover - only on builds without the extension
        pytest.skip(f"compiled kernel {stem!r} not built: {exc}")
    return compiled, twin_kernels(stem)
