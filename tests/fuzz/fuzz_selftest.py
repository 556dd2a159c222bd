"""Stand-in functions with known defects, to show the harness catches each kind of failure.

Registered only when ``FUZZ_SELFTEST`` is set (``test_fuzz.py::test_harness_catches_*``).
"""
from __future__ import annotations

import ctypes
import dataclasses
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from fuzz_harness import Arr, Call, Entry
from fuzz_strategies import Group, fuzz
from hypothesis import strategies as st


def _backend_now() -> str:
    import fastentropy._backend as b

    return "numpy" if b.kernels("_openmp").__name__.startswith("fastentropy._twins") else "compiled"


def ok(x: Any) -> float:
    return float(np.sum(x))


def crash(x: Any) -> float:
    ctypes.string_at(0)  # reads address 0: SIGSEGV
    return 0.0


def hang(x: Any) -> float:
    time.sleep(3600)
    return 0.0


def runtime_error(x: Any) -> float:
    raise RuntimeError("the kernel failed")


def unnamed_error(x: Any) -> float:
    raise ValueError("something is wrong")


def mismatch(x: Any) -> float:
    return 1.0 if _backend_now() == "compiled" else 1.0 + 1e-9


def signed_zero(x: Any) -> float:
    return 0.0 if _backend_now() == "compiled" else -0.0


def dtype_differs(x: Any) -> Any:
    return np.float64(1) if _backend_now() == "compiled" else np.float32(1)


def disagree(x: Any) -> float:
    if _backend_now() == "compiled":
        raise ValueError("x is refused by the kernel")
    return 1.0


def rare_defect(x: Any) -> float:
    if np.size(x) == 7:  # never drawn by _group (at most 3 values): only the kept example has it
        raise RuntimeError("seven values break it")
    return 0.0


def mutates(x: Any) -> float:
    x[...] = 0.0
    return 0.0


def _group() -> Group:
    vals = st.lists(st.floats(0, 1), min_size=1, max_size=3)
    return Group(st.builds(lambda v: {"x": Arr(np.array(v, dtype=np.float64))}, vals), ("x",))


#: stand-in name -> (function, what the harness must report: a status or a failure kind)
EXPECTED: dict[str, tuple[Callable[..., Any], str]] = {
    "_selftest_ok": (ok, "ok"),
    "_selftest_crash": (crash, "crash"),
    "_selftest_hang": (hang, "hang"),
    "_selftest_runtime_error": (runtime_error, "raised RuntimeError"),
    "_selftest_unnamed_error": (unnamed_error, "error names no argument"),
    "_selftest_mismatch": (mismatch, "value mismatch"),
    "_selftest_signed_zero": (signed_zero, "value mismatch"),
    "_selftest_dtype": (dtype_differs, "value mismatch"),
    "_selftest_disagree": (disagree, "backends disagree on raising"),
    "_selftest_mutates": (mutates, "modifies input"),
    "_selftest_regression": (rare_defect, "raised RuntimeError"),
}
#: the stand-ins that need both backends to show their defect
NEEDS_BOTH = (
    "_selftest_mismatch", "_selftest_signed_zero", "_selftest_dtype", "_selftest_disagree",
)

ENTRIES: dict[str, Callable[[], Entry]] = {
    name: (lambda name=name, f=f: fuzz(name, _group(), target=f))
    for name, (f, _) in EXPECTED.items()
}
#: a defect the random examples never reach, kept as an explicit example (as REGRESSIONS)
ENTRIES["_selftest_regression"] = lambda: dataclasses.replace(
    fuzz("_selftest_regression", _group(), target=rare_defect),
    examples=(Call("_selftest_regression", (Arr(np.zeros(7)),)),),
)
