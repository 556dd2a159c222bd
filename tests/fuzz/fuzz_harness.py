"""The machinery of the fuzz harness (the strategies live in ``fuzz_strategies.py``).

- :class:`Arr` and :class:`Call`: a recipe for one call of a public function, which builds
  fresh arguments every time and prints itself as a standalone Python reproducer.
- :func:`backend_as`: run the same public call on the compiled kernels or on the NumPy twins in
  one process, by pointing every facade's ``kernels`` at the chosen backend for a moment.
- :func:`check_call`: the property. Both backends must either raise ``ValueError``/``TypeError``
  whose message names one of the function's parameters (or, for a drop-in, is the reference
  library's own error for the same call), or return equal values (same types,
  shapes and dtypes, NaN where NaN, signed zeros alike, finite values within the entry's
  tolerance); no input may be modified. The one other exception allowed is numpy's own
  ``MemoryError("Unable to allocate ...")`` for a result larger than memory (``histogramdd``
  of a (1, 12) sample asks for 10**12 cells, as in numpy), raised by both backends alike;
  the child's address space is capped (``memory_gib``) so such a request fails fast.
- :func:`child_main` / :func:`run_fuzz`: hypothesis runs in a child process (``fuzz_child.py``),
  one function after another, each for a time budget. Before every call the child writes the
  call's reproducer to a file, so when a call kills the interpreter (segfault, abort) or hangs
  (``faulthandler`` ends the child after ``call_timeout`` seconds) the parent still knows the
  exact call, reports it, and restarts the child on the remaining functions.
"""
from __future__ import annotations

import contextlib
import dataclasses
import inspect
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# --------------------------------------------------------------------------- profiles


@dataclasses.dataclass(frozen=True)
class Profile:
    """How long to fuzz. ``seconds`` is per function; ``None`` spreads ``total_seconds`` evenly
    over the functions of the run (at least ``min_seconds`` each). A function always runs at
    least ``min_examples`` examples (time permitting or not) and at most ``max_examples``.
    ``seed`` None draws a random seed (printed in every failure, replay it with FUZZ_SEED)."""

    max_examples: int
    min_examples: int
    seconds: float | None
    total_seconds: float
    min_seconds: float
    seed: int | None
    call_timeout: float  # one call longer than this is a hang
    shrink_seconds: float  # time hypothesis may spend shrinking a failure


PROFILES: dict[str, Profile] = {
    # CI: fixed seed, about a minute for all functions together on a 2-core machine.
    "ci": Profile(
        max_examples=400, min_examples=20, seconds=None, total_seconds=50.0, min_seconds=0.5,
        seed=20261127, call_timeout=60.0, shrink_seconds=5.0,
    ),
    # By hand: a random seed, one minute per function, shrinking at leisure.
    "long": Profile(
        max_examples=1_000_000, min_examples=100, seconds=60.0, total_seconds=0.0,
        min_seconds=60.0, seed=None, call_timeout=120.0, shrink_seconds=300.0,
    ),
}

#: Environment variables (all optional): FUZZ_PROFILE (ci / long), FUZZ_SECONDS (per function),
#: FUZZ_EXAMPLES (max per function), FUZZ_SEED (an int), FUZZ_CALL_TIMEOUT (seconds).
ENV_PROFILE, ENV_SECONDS, ENV_EXAMPLES, ENV_SEED, ENV_TIMEOUT = (
    "FUZZ_PROFILE", "FUZZ_SECONDS", "FUZZ_EXAMPLES", "FUZZ_SEED", "FUZZ_CALL_TIMEOUT",
)


def resolve_profile(name: str | None = None, seed: int | None = None) -> Profile:
    """The profile ``name`` (default: $FUZZ_PROFILE, else ``ci``) with the environment's
    overrides applied; ``seed`` (e.g. from ``--hypothesis-seed``) overrides the profile's."""
    name = os.environ.get(ENV_PROFILE) or name or "ci"
    if name not in PROFILES:
        raise ValueError(f"fuzz profile {name!r} unknown; use one of {sorted(PROFILES)}")
    prof = PROFILES[name]
    changes: dict[str, Any] = {}
    if os.environ.get(ENV_SECONDS):
        changes["seconds"] = float(os.environ[ENV_SECONDS])
    if os.environ.get(ENV_EXAMPLES):
        changes["max_examples"] = int(os.environ[ENV_EXAMPLES])
        changes["min_examples"] = min(prof.min_examples, changes["max_examples"])
    if os.environ.get(ENV_TIMEOUT):
        changes["call_timeout"] = float(os.environ[ENV_TIMEOUT])
    if os.environ.get(ENV_SEED):
        changes["seed"] = int(os.environ[ENV_SEED])
    elif seed is not None:
        changes["seed"] = int(seed)
    prof = dataclasses.replace(prof, **changes)
    if prof.seed is None:
        prof = dataclasses.replace(prof, seed=int.from_bytes(os.urandom(4), "little"))
    return prof


def seconds_per_function(prof: Profile, n_functions: int) -> float:
    if prof.seconds is not None:
        return prof.seconds
    return max(prof.min_seconds, prof.total_seconds / max(1, n_functions))


# --------------------------------------------------------------------------- call recipes
#: Layout helpers: each is the source of a function, exec'd here *and* pasted into
#: reproducers that use it, so a reproducer builds exactly the array the fuzz built.
_LAYOUT_SOURCE = {
    "fortran": '''\
def fortran(a):
    return np.asfortranarray(a)
''',
    "strided": '''\
def strided(a):
    """A view of every other element of a twice-wider array (other values in between)."""
    wide = np.repeat(a, 2, axis=-1)
    wide[..., 1::2] = a[..., ::-1]
    return wide[..., ::2]
''',
    "reversed": '''\
def reversed_view(a):
    """A negative-stride view holding the values of ``a`` in order."""
    return np.flip(a, axis=-1).copy()[..., ::-1]
''',
    "read_only": '''\
def read_only(a):
    a = a.copy()
    a.setflags(write=False)
    return a
''',
    "unaligned": '''\
def unaligned(a):
    """The values of ``a`` in a buffer one byte off the dtype's alignment."""
    buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
    out = buf[1:].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out
''',
    "list": '''\
def as_list(a):
    return a.tolist()
''',
}
_LAYOUT_FUNC = {
    "fortran": "fortran", "strided": "strided", "reversed": "reversed_view",
    "read_only": "read_only", "unaligned": "unaligned", "list": "as_list",
}
_LAYOUT_NS: dict[str, Any] = {"np": np}
for _src in _LAYOUT_SOURCE.values():
    exec(_src, _LAYOUT_NS)
LAYOUTS = ("C", *_LAYOUT_SOURCE)


def _float_txt(f: float) -> str:
    if math.isnan(f):  # 0/0 gives a NaN with the sign bit set: keep it, to rebuild exactly
        return "-nan" if math.copysign(1.0, f) < 0 else "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def _scalar_code(v: Any) -> str:
    """Python source for a scalar value (reproducers import ``nan`` and ``inf``)."""
    if isinstance(v, np.generic):
        inner = _float_txt(float(v)) if isinstance(v, np.floating) else repr(v.item())
        return f"np.{type(v).__name__}({inner})"
    if isinstance(v, float):
        return _float_txt(v)
    if isinstance(v, np.ndarray):  # a raw array as a keyword value (``base=np.array(2.0)``)
        flat = ", ".join(_scalar_code(x) for x in v.ravel().tolist())
        return f"np.array([{flat}], dtype={v.dtype.str!r}).reshape({v.shape!r})"
    if isinstance(v, np.dtype):
        return f"np.dtype({v.str!r})"
    if isinstance(v, type):  # dtype=np.float32, dtype=float
        return f"np.{v.__name__}" if v.__module__ == "numpy" else v.__name__
    if isinstance(v, np.random.SeedSequence):  # its repr spans several lines
        return (f"np.random.SeedSequence({v.entropy!r}, spawn_key={tuple(v.spawn_key)!r}, "
                f"pool_size={v.pool_size!r})")
    return repr(v)


@dataclasses.dataclass(frozen=True, eq=False)
class Arr:
    """An array argument: ``base`` (C order, final dtype incl. byte order), optionally tiled to
    ``tile_to`` with ``np.resize``, then put in ``layout``. ``build()`` makes a fresh one."""

    base: np.ndarray
    layout: str = "C"
    tile_to: tuple[int, ...] | None = None

    def build(self) -> Any:
        a = np.resize(self.base, self.tile_to) if self.tile_to is not None else self.base.copy()
        if self.layout == "C":
            return a
        return _LAYOUT_NS[_LAYOUT_FUNC[self.layout]](a)

    def code(self) -> str:
        b = self.base
        values = b.astype("<i8") if b.dtype.kind in "mM" else b  # timedeltas as counts
        flat = ", ".join(_scalar_code(v) for v in values.ravel().tolist())
        txt = f"np.array([{flat}], dtype={b.dtype.str!r})"
        if self.tile_to is not None:
            txt = f"np.resize({txt}, {self.tile_to!r})"
        elif b.ndim != 1:
            txt = f"{txt}.reshape({b.shape!r})"
        if self.layout != "C":
            txt = f"{_LAYOUT_FUNC[self.layout]}({txt})"
        return txt

    def helpers(self) -> set[str]:
        return set() if self.layout == "C" else {self.layout}

    def __repr__(self) -> str:
        return self.code()


@dataclasses.dataclass(frozen=True, eq=False)
class Sparse:
    """A scipy.sparse matrix argument built from a 2-D :class:`Arr`."""

    arr: Arr
    fmt: str = "csr"

    def build(self) -> Any:
        import scipy.sparse

        return getattr(scipy.sparse, f"{self.fmt}_matrix")(self.arr.build())

    def code(self) -> str:
        return f"scipy.sparse.{self.fmt}_matrix({self.arr.code()})"

    def helpers(self) -> set[str]:
        return {"scipy", *self.arr.helpers()}

    def __repr__(self) -> str:
        return self.code()


def build_value(v: Any) -> Any:
    if isinstance(v, (Arr, Sparse)):
        return v.build()
    if isinstance(v, list):
        return [build_value(x) for x in v]
    if isinstance(v, tuple):
        return tuple(build_value(x) for x in v)
    return v


def value_code(v: Any) -> str:
    if isinstance(v, (Arr, Sparse)):
        return v.code()
    if isinstance(v, list):
        return "[" + ", ".join(value_code(x) for x in v) + "]"
    if isinstance(v, tuple):
        inner = ", ".join(value_code(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return _scalar_code(v)


def _helpers_of(v: Any) -> set[str]:
    if isinstance(v, (Arr, Sparse)):
        return v.helpers()
    if isinstance(v, (list, tuple)):
        return set().union(*(_helpers_of(x) for x in v)) if v else set()
    return set()


@dataclasses.dataclass(frozen=True, eq=False)
class Call:
    """One call ``fe.<func>(*args, **kwargs)``; argument values may be :class:`Arr`."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = dataclasses.field(default_factory=dict)

    def build(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (
            tuple(build_value(a) for a in self.args),
            {k: build_value(v) for k, v in self.kwargs.items()},
        )

    def call_code(self) -> str:
        parts = [value_code(a) for a in self.args]
        parts += [f"{k}={value_code(v)}" for k, v in self.kwargs.items()]
        return f"fe.{self.func}({', '.join(parts)})"

    def code(self) -> str:
        """A standalone reproducer."""
        helpers = _helpers_of(list(self.args) + list(self.kwargs.values()))
        lines = ["import numpy as np", "from numpy import nan, inf"]
        if "scipy" in helpers:
            lines.append("import scipy.sparse")
        lines.append("import fastentropy as fe")
        for name in LAYOUTS:
            if name in helpers and name in _LAYOUT_SOURCE:
                lines.append(_LAYOUT_SOURCE[name].rstrip())
        lines.append(self.call_code())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.call_code()


# --------------------------------------------------------------------------- backends


def compiled_available() -> bool:
    from fastentropy._backend import compiled_kernels

    try:
        compiled_kernels("_openmp")
    except ImportError:
        return False
    return True


class _Switch:
    """Replacement for ``fastentropy._backend.kernels`` that serves one backend."""

    def __init__(self, which: str) -> None:
        self.which = which
        self.cache: dict[str, Any] = {}
        self.missing: dict[str, str] = {}

    def __call__(self, stem: str) -> Any:
        mod = self.cache.get(stem)
        if mod is None:
            from fastentropy._backend import compiled_kernels, twin_kernels

            if self.which == "compiled":
                try:
                    mod = compiled_kernels(stem)
                except ImportError as exc:  # a family whose extension is not built
                    self.missing[stem] = str(exc)
                    mod = twin_kernels(stem)
            else:
                mod = twin_kernels(stem)
            self.cache[stem] = mod
        return mod


_SWITCHES = {"compiled": _Switch("compiled"), "numpy": _Switch("numpy")}


@contextlib.contextmanager
def backend_as(which: str) -> Iterator[_Switch]:
    """Run the public functions on ``which`` ("compiled" or "numpy") inside the block.

    Facades look up ``kernels`` (imported from ``fastentropy._backend``) at call time; every
    module attribute bound to that function, including ``_backend.kernels`` itself, points at a
    :class:`_Switch` for the block and is restored after it. A family whose compiled module is
    missing runs on its twin and is listed in the switch's ``missing``.
    """
    import fastentropy._backend as backend_mod

    original = backend_mod.kernels
    switch = _SWITCHES[which]
    patched = []
    for name, mod in list(sys.modules.items()):
        if mod is None or not (name == "fastentropy" or name.startswith("fastentropy.")):
            continue
        for attr, val in list(vars(mod).items()):
            if val is original:
                setattr(mod, attr, switch)
                patched.append((mod, attr))
    try:
        yield switch
    finally:
        for mod, attr in patched:
            setattr(mod, attr, original)


# --------------------------------------------------------------------------- the property


@dataclasses.dataclass(frozen=True)
class Tol:
    """Two finite floats ``x``, ``y`` agree when ``|x - y| <= atol + rtol * max(|x|, |y|)``;
    ``atol`` may be an array broadcasting to the output (a tolerance per row)."""

    rtol: float = 1e-12
    atol: Any = 0.0


@dataclasses.dataclass(frozen=True)
class Entry:
    """How to fuzz one public function.

    strategy: a hypothesis strategy of :class:`Call`. tol: the tolerance of the value
    comparison between backends. tol_for: ``(call, compiled_result) -> {output index: Tol}``
    for outputs that need another one (index 0 for a single result; say why next to the
    entry). compare: False for functions whose result legitimately names the backend
    (``config``). func: the callable (default ``getattr(fastentropy, name)``; the harness's
    self-test registers stand-ins). ref: for drop-ins, the reference (numpy, scipy,
    scikit-learn): an error that names no argument is accepted when the reference raises the
    very same error for the same call (as tests/test_bad_input.py accepts it). examples: calls
    checked before the random ones, in every run (defects the fuzz found, kept as regressions).
    """

    strategy: Any
    tol: Tol = Tol()
    tol_for: Callable[[Call, Any], dict[int, Tol]] | None = None
    compare: bool = True
    func: Callable[..., Any] | None = None
    ref: Callable[..., Any] | None = None
    examples: tuple[Call, ...] = ()


class Problem(AssertionError):
    """A property violation; ``kind`` groups violations for the report."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


def _word(msg: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg) is not None


def _snapshot(v: Any) -> Any:
    """A deep, comparable copy of an argument (to detect a function that modifies its input)."""
    if isinstance(v, np.ndarray):
        return ("nd", v.dtype.str, v.shape, v.tobytes(order="A") if v.dtype.kind != "O"
                else repr(v.tolist()))
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, [_snapshot(x) for x in v])
    if hasattr(v, "toarray"):  # scipy.sparse
        return ("sparse", _snapshot(v.toarray()))
    return ("obj", repr(v))


def _short(x: Any, limit: int = 600) -> str:
    with np.printoptions(precision=17, threshold=60):
        txt = repr(x)
    return txt if len(txt) <= limit else txt[:limit] + " ..."


@dataclasses.dataclass
class Outcome:
    kind: str  # "returned" or "raised"
    value: Any = None
    exc: BaseException | None = None
    missing: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "raised":
            return f"raised {type(self.exc).__name__}: {self.exc}"
        return f"returned {_short(self.value)}"


def run_one(func: Callable[..., Any], call: Call, which: str) -> Outcome:
    """Call ``func`` as ``call`` says on backend ``which``; check the inputs are left alone."""
    args, kwargs = call.build()
    before = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    with backend_as(which) as switch, warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            out = Outcome("returned", func(*args, **kwargs))
        except Exception as exc:
            out = Outcome("raised", exc=exc)
        out.missing = tuple(sorted(switch.missing))
    after = [_snapshot(a) for a in args] + [_snapshot(v) for v in kwargs.values()]
    if before != after:
        names = [f"args[{i}]" for i in range(len(args))] + list(kwargs)
        changed = [n for n, b, a in zip(names, before, after) if b != a]
        raise Problem("modifies input", f"the call changed its argument(s) {changed} ({which})")
    return out


def _reference_raises_the_same(entry: Entry, call: Call, exc: BaseException) -> bool:
    """Whether the drop-in's reference raises ``exc`` (same type and message) for ``call``."""
    if entry.ref is None:
        return False
    args, kwargs = call.build()
    kwargs.pop("n_jobs", None)  # fastentropy's extra keyword
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            entry.ref(*args, **kwargs)
    except Exception as ref_exc:
        return type(ref_exc) is type(exc) and str(ref_exc) == str(exc)
    return False


def _check_error(
    out: Outcome, params: tuple[str, ...], which: str, entry: Entry, call: Call
) -> None:
    exc = out.exc
    assert exc is not None
    if isinstance(exc, MemoryError) and str(exc).startswith("Unable to allocate"):
        return  # numpy's refusal of a result larger than memory (numpy raises it too)
    if not isinstance(exc, (ValueError, TypeError)):
        raise Problem(
            f"raised {type(exc).__name__}",
            f"{which} raised {type(exc).__name__}: {exc} (only ValueError/TypeError may escape)",
        )
    msg = str(exc)
    if params and not any(_word(msg, p) for p in params):
        if _reference_raises_the_same(entry, call, exc):
            return  # the drop-in's message is the reference library's own
        raise Problem(
            "error names no argument",
            f"{which} raised {type(exc).__name__} whose message names none of the parameters "
            f"{list(params)}: {msg!r}",
        )


def _leaves(x: Any, path: str = "result") -> Iterator[tuple[str, bool, Any]]:
    """(path, is_container_header, value) for every node of a nested result."""
    if isinstance(x, (tuple, list)):
        yield path, True, (type(x).__name__, len(x))
        for i, v in enumerate(x):
            yield from _leaves(v, f"{path}[{i}]")
    elif isinstance(x, dict):
        yield path, True, ("dict", sorted(map(str, x)))
        for k in sorted(x, key=str):
            yield from _leaves(x[k], f"{path}[{k!r}]")
    else:
        yield path, False, x


def compare_values(
    a: Any, b: Any, tol: Tol = Tol(), per_output: dict[int, Tol] | None = None
) -> str | None:
    """None if ``a`` (compiled) and ``b`` (twin) agree, else what differs. ``per_output``
    gives the tolerance of the top-level outputs of a tuple result by index."""
    la, lb = list(_leaves(a)), list(_leaves(b))
    if [(p, c) for p, c, _ in la] != [(p, c) for p, c, _ in lb]:
        return f"structure differs: {[p for p, _, _ in la]} vs {[p for p, _, _ in lb]}"
    tuple_result = isinstance(a, (tuple, list))
    for (path, container, x), (_, _, y) in zip(la, lb):
        if container:
            if x != y:
                return f"{path}: {x} vs {y}"
            continue
        if type(x) is not type(y):
            return f"{path}: type {type(x).__name__} vs {type(y).__name__}"
        if x is None or isinstance(x, (str, bool)):
            if x != y:
                return f"{path}: {x!r} vs {y!r}"
            continue
        ax, ay = np.asarray(x), np.asarray(y)
        if ax.shape != ay.shape:
            return f"{path}: shape {ax.shape} vs {ay.shape}"
        if ax.dtype != ay.dtype:
            return f"{path}: dtype {ax.dtype} vs {ay.dtype}"
        if ax.dtype.kind in "fc":
            index = int(path[len("result["):].split("]")[0]) if tuple_result else 0
            t = (per_output or {}).get(index, tol)
            atol = np.broadcast_to(np.asarray(t.atol, dtype=np.float64), ax.shape).ravel()
            bad = _float_mismatch(ax, ay, t.rtol, atol)
            if bad is not None:
                where = f"[{', '.join(map(str, np.unravel_index(bad, ax.shape)))}]"
                return (
                    f"{path}{where if ax.ndim else ''}: {ax.ravel()[bad]!r} vs "
                    f"{ay.ravel()[bad]!r} (rtol {t.rtol:g}, atol {atol[bad]:g})"
                )
        elif ax.dtype.kind in "biuSU":
            if not np.array_equal(ax, ay):
                j = int(np.flatnonzero(ax.ravel() != ay.ravel())[0])
                return f"{path}: element {j}: {ax.ravel()[j]!r} vs {ay.ravel()[j]!r}"
        elif _short(x) != _short(y):
            return f"{path}: {_short(x)} vs {_short(y)}"
    return None


def _float_mismatch(x: np.ndarray, y: np.ndarray, rtol: float, atol: Any) -> int | None:
    """Flat index of the first disagreeing element, or None."""
    if x.dtype.kind == "c":
        r = _float_mismatch(x.real, y.real, rtol, atol)
        return r if r is not None else _float_mismatch(x.imag, y.imag, rtol, atol)
    if x.dtype.itemsize < 8:
        # a float32/float16 result is the float64 value rounded: values that agree to 1e-12
        # can still round to neighbouring float32 numbers
        rtol = max(rtol, 2 * float(np.finfo(x.dtype).eps))
    xf, yf = x.ravel().astype(np.float64), y.ravel().astype(np.float64)
    nan_x, nan_y = np.isnan(xf), np.isnan(yf)
    with np.errstate(all="ignore"):
        close = np.abs(xf - yf) <= atol + rtol * np.maximum(np.abs(xf), np.abs(yf))
    same = np.where(nan_x | nan_y, nan_x & nan_y, (xf == yf) | close)
    # signed zeros must agree (a 0.0 on one backend and -0.0 on the other is a difference)
    zeros = (xf == 0) & (yf == 0)
    same &= ~zeros | (np.signbit(xf) == np.signbit(yf))
    if same.all():
        return None
    return int(np.flatnonzero(~same)[0])


def check_call(name: str, entry: Entry, call: Call, backends: tuple[str, ...]) -> Outcome:
    """The fuzz property for one call; raises :class:`Problem`. Returns the first outcome."""
    import fastentropy as fe

    func = entry.func or getattr(fe, name)
    try:
        params = tuple(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        params = ()
    outs = {}
    for which in backends:
        CURRENT.note(which, call)
        outs[which] = run_one(func, call, which)
    CURRENT.note("", None)
    first = outs[backends[0]]
    for which, out in outs.items():
        if out.kind == "raised":
            _check_error(out, params, which, entry, call)
    if len(backends) < 2 or not entry.compare:
        return first
    a, b = outs[backends[0]], outs[backends[1]]
    if a.kind != b.kind:
        raise Problem(
            "backends disagree on raising",
            f"{backends[0]} {a.describe()}\n{backends[1]} {b.describe()}",
        )
    if a.kind == "raised":
        ta, tb = type(a.exc), type(b.exc)
        if any(issubclass(ta, c) != issubclass(tb, c) for c in (ValueError, MemoryError)):
            raise Problem(
                "backends raise different errors",
                f"{backends[0]} {a.describe()}\n{backends[1]} {b.describe()}",
            )
        return first
    per_output = entry.tol_for(call, a.value) if entry.tol_for is not None else None
    diff = compare_values(a.value, b.value, entry.tol, per_output)
    if diff is not None:
        raise Problem(
            "value mismatch",
            f"{diff}\n{backends[0]} {a.describe()}\n{backends[1]} {b.describe()}",
        )
    return first


# --------------------------------------------------------------------------- child side


class _Current:
    """The call in flight, kept in a file (written before each call) for the parent; each note
    also re-arms the hang watchdog (``faulthandler`` ends the process after ``timeout`` s)."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.timeout: float | None = None

    def open(self, path: str, timeout: float) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        self.timeout = timeout

    def note(self, which: str, call: Call | None) -> None:
        if self.fd is None:
            return
        import faulthandler

        if self.timeout:
            faulthandler.dump_traceback_later(self.timeout, exit=True)
        data = b"" if call is None else (which + "\n" + call.code()).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)


CURRENT = _Current()


def _limit_memory(gib: float) -> None:
    """Turn a runaway allocation into a MemoryError (reported) instead of swapping the box."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = int(gib * 2**30)
        if hard == resource.RLIM_INFINITY or hard > want:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass


#: Examples per hypothesis run ("chunk"); the fuzz of a function is a series of runs with seeds
#: seed, seed + 1, ... of these sizes, stopped between runs when the time budget is spent.
CHUNKS = (20, 40, 80, 160, 320)


def fuzz_function(
    name: str, entry: Entry, cfg: dict[str, Any], backends: tuple[str, ...]
) -> dict[str, Any]:
    """Run hypothesis on one function for its budget; a JSON-able summary."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    budget = float(cfg["seconds"])
    state: dict[str, Any] = {
        "examples": 0, "returned": 0, "raised": 0, "failures": {}, "missing": set(),
        "slowest": (0.0, ""),
    }

    def prop(call: Call) -> None:
        state["examples"] += 1
        t_call = time.perf_counter()
        try:
            out = check_call(name, entry, call, backends)
        except Problem as p:
            code = call.code()
            known = state["failures"].get(p.kind)
            if known is None or len(code) <= len(known["reproducer"]):
                state["failures"][p.kind] = {
                    "kind": p.kind, "message": p.message, "reproducer": code,
                }
            raise
        except Exception as exc:  # a defect of the harness or of a strategy
            import traceback

            kind = f"fuzz harness error {type(exc).__name__}"
            state["failures"].setdefault(kind, {
                "kind": kind, "message": traceback.format_exc()[-3000:],
                "reproducer": call.code(),
            })
            raise
        state[out.kind] += 1
        state["missing"].update(out.missing)
        spent = time.perf_counter() - t_call
        if spent > state["slowest"][0]:
            state["slowest"] = (spent, call.call_code())

    t0 = time.perf_counter()
    error = None
    for call in entry.examples:  # known defects first: they fail until fixed
        try:
            prop(call)
        except Exception:  # recorded in state["failures"] by prop
            pass
    chunk = 0
    max_examples = int(cfg["max_examples"]) + len(entry.examples)
    while state["examples"] < max_examples:
        size = min(CHUNKS[min(chunk, len(CHUNKS) - 1)], max_examples - state["examples"])
        spent = time.perf_counter() - t0
        if state["examples"] >= int(cfg["min_examples"]):
            per_example = spent / max(1, state["examples"])
            if spent + 0.5 * size * per_example > budget:
                break  # the next run would overrun the budget by more than half its length
        run = settings(
            max_examples=size,
            deadline=None,
            database=None,
            derandomize=False,
            print_blob=False,
            report_multiple_bugs=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate, Phase.shrink],
        )(seed(int(cfg["seed"]) + chunk)(given(entry.strategy)(prop)))
        chunk += 1
        before = state["examples"]
        try:
            run()
        except Exception as exc:  # Problem, or an ExceptionGroup of several
            if not state["failures"]:
                import traceback

                error = "".join(traceback.format_exception(exc))[-6000:]
            break
        if state["examples"] - before < size:
            break  # hypothesis ran out of distinct examples (functions without arguments)
    return {
        "func": name,
        "status": "fail" if state["failures"] or error else "ok",
        "examples": state["examples"],
        "returned": state["returned"],
        "raised": state["raised"],
        "seconds": round(time.perf_counter() - t0, 3),
        "seed": int(cfg["seed"]),
        "runs": chunk,
        "backends": list(backends),
        "missing_compiled": sorted(state["missing"]),
        "failures": list(state["failures"].values()),
        "error": error,
        "slowest_call_seconds": round(state["slowest"][0], 3),
        "slowest_call": state["slowest"][1][:2000],
    }


def child_main(cfg_path: str) -> None:
    """Fuzz the functions of the run configuration ``cfg_path`` (JSON), one JSON line each."""
    import faulthandler

    with open(cfg_path) as fh:
        cfg = json.load(fh)
    _limit_memory(cfg.get("memory_gib", 8.0))
    if cfg.get("selftest"):
        os.environ["FUZZ_SELFTEST"] = "1"
    from hypothesis.internal.conjecture import engine

    if hasattr(engine, "MAX_SHRINKING_SECONDS"):  # bound the shrinking of a failure
        engine.MAX_SHRINKING_SECONDS = float(cfg["shrink_seconds"])
    import fuzz_strategies

    backends = ("compiled", "numpy") if compiled_available() else ("numpy",)
    CURRENT.open(cfg["current"], float(cfg["call_timeout"]))
    sys.stdout = open(os.devnull, "w")  # show_config() and friends print
    with open(cfg["results"], "a") as results:
        for name in cfg["functions"]:
            results.write(json.dumps({"begin": name}) + "\n")
            results.flush()
            try:
                entry = fuzz_strategies.registry([name])[name]
            except Exception as exc:  # e.g. a parameter without a strategy
                res = {"func": name, "status": "fail", "failures": [], "seed": cfg["seed"],
                       "error": f"building its strategy failed: {type(exc).__name__}: {exc}"}
            else:
                try:
                    res = fuzz_function(name, entry, cfg, backends)
                finally:
                    faulthandler.cancel_dump_traceback_later()
            results.write(json.dumps(res) + "\n")
            results.flush()


# --------------------------------------------------------------------------- parent side


def run_fuzz(
    functions: list[str],
    prof: Profile,
    *,
    selftest: bool = False,
    child: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Fuzz ``functions`` in child processes; a crash or hang is reported for its function
    (with the call that caused it) and the child restarts on the functions after it."""
    import fastentropy as fe

    child = child or os.path.join(HERE, "fuzz_child.py")
    seconds = seconds_per_function(prof, len(functions))
    pkg_root = os.path.dirname(os.path.dirname(os.path.abspath(fe.__file__)))
    env = dict(os.environ, PYTHONFAULTHANDLER="1")
    env["PYTHONPATH"] = os.pathsep.join([pkg_root, HERE, *filter(None, [env.get("PYTHONPATH")])])
    results: dict[str, dict[str, Any]] = {}
    todo = list(functions)
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        attempt = 0
        while todo:
            attempt += 1
            cfg = {
                "functions": todo,
                "seconds": seconds,
                "max_examples": prof.max_examples,
                "min_examples": prof.min_examples,
                "seed": prof.seed,
                "call_timeout": prof.call_timeout,
                "shrink_seconds": prof.shrink_seconds,
                "results": os.path.join(tmp, f"results{attempt}.jsonl"),
                "current": os.path.join(tmp, f"current{attempt}.txt"),
                "selftest": selftest,
            }
            cfg_path = os.path.join(tmp, f"cfg{attempt}.json")
            with open(cfg_path, "w") as fh:
                json.dump(cfg, fh)
            log_path = os.path.join(tmp, f"log{attempt}.txt")
            # generous: the per-call watchdog in the child normally ends a hang first
            limit = len(todo) * (seconds + prof.shrink_seconds + 10) + 2 * prof.call_timeout + 60
            with open(log_path, "w") as log:
                p = subprocess.Popen(
                    [sys.executable, child, cfg_path],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=ROOT, env=env,
                )
                try:
                    p.wait(timeout=limit)
                    killed = False
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
                    killed = True
                except BaseException:  # KeyboardInterrupt...: do not leave the child running
                    p.kill()
                    p.wait()
                    raise
            current = None
            if os.path.exists(cfg["results"]):
                with open(cfg["results"]) as fh:
                    for line in fh:
                        rec = json.loads(line)
                        if "begin" in rec:
                            current = rec["begin"]
                        else:
                            results[rec["func"]] = rec
                            current = None
            with open(log_path, errors="replace") as fh:
                log_text = fh.read()
            if current is None:
                for name in todo:  # the child died outside any function (import error...)
                    results.setdefault(name, {
                        "func": name, "status": "crash",
                        "detail": f"child exited {p.returncode} before fuzzing it:\n"
                                  f"{log_text[-4000:]}",
                    })
                break
            call_txt = ""
            if os.path.exists(cfg["current"]):
                with open(cfg["current"]) as fh:
                    call_txt = fh.read()
            which, _, repro = call_txt.partition("\n")
            if killed:
                what = f"the child hung for more than {limit:.0f} s"
            elif "Timeout (" in log_text:
                what = f"a call hung (no return within {prof.call_timeout:g} s)"
            else:
                what = f"the call crashed the interpreter (exit code {p.returncode})"
            start = max(log_text.rfind("Fatal Python error"), log_text.rfind("Timeout ("))
            detail = log_text[start:start + 4000] if start >= 0 else log_text[-4000:]
            results[current] = {
                "func": current, "status": "crash", "backend": which, "what": what,
                "reproducer": repro, "detail": detail, "seed": prof.seed,
            }
            todo = [n for n in todo if n not in results]
    return results


def format_failure(res: dict[str, Any]) -> str:
    """A readable report of one function's failures, each with its reproducer."""
    name = res["func"]
    seed = res.get("seed")
    head = f"fuzz of fastentropy.{name} (seed {seed}; replay with FUZZ_SEED={seed})"
    if res["status"] == "crash":
        if not res.get("reproducer"):
            return f"{head}\n{res.get('detail', '')}"
        return (
            f"{head}: {res['what']} on the {res['backend']} backend. Reproducer (run it with "
            f"FASTENTROPY_BACKEND={res['backend']}):\n\n"
            f"{res['reproducer']}\n\nthe child's traceback:\n{res['detail'][:2500]}"
        )
    parts = [head]
    if res.get("error"):
        parts.append(f"hypothesis error: {res['error']}")
    for f in res.get("failures", []):
        parts.append(f"--- {f['kind']}\n{f['message']}\nReproducer:\n\n{f['reproducer']}\n")
    return "\n".join(parts)
