"""Fuzz every public function of fastentropy with hypothesis, compiled kernels against twins.

For each callable in ``fastentropy.__all__`` a strategy (``fuzz_strategies.ENTRIES``) draws
calls with random shapes, dtypes (every float and integer width, both byte orders, bool, now and
then complex/object/str), layouts (C, Fortran, strided, negative strides, read-only, unaligned,
nested lists), NaN/inf/negative/huge values at random places or along whole rows, and keyword
values good and odd. Each call runs on the compiled kernels and on the NumPy twins in the same
process (``fuzz_harness.backend_as``). The property (``fuzz_harness.check_call``):

- no crash and no hang (the fuzz runs in a child process; a call that kills it or runs longer
  than the profile's ``call_timeout`` fails its function with that exact call);
- an exception is a ``ValueError`` or ``TypeError`` whose message names one of the function's
  parameters (for a drop-in: or is numpy's / scipy's / scikit-learn's own error for the same
  call, as ``tests/test_bad_input.py`` accepts), raised by both backends alike; the only other
  exception allowed is numpy's ``MemoryError("Unable to allocate ...")`` for a result larger
  than memory, on both backends;
- otherwise both backends return the same thing: same types, shapes and dtypes, NaN where NaN,
  equal signed zeros, finite values within 1e-12 relative (float32 results: 2 ulps; an entry
  may document another tolerance, derived from the conditioning of its quantity, in
  ``fuzz_strategies.py``); and the inputs are left unchanged.

A failure prints a standalone reproducer (the exact call, with its arrays) and the seed.

Running it
----------
In CI (the default ``ci`` profile): a fixed seed, about a minute for all functions together::

    python -m pytest tests/fuzz

(Both backends are compared whatever ``FASTENTROPY_BACKEND`` says, so under
``FASTENTROPY_BACKEND=numpy`` the fuzz skips itself when the compiled kernels are built: the
default run did the same work. Without them it fuzzes the twins alone: no crash, only named
``ValueError``/``TypeError``.)

By hand, for longer (``long``: a random seed, printed; 60 s per function)::

    python -m pytest tests/fuzz --hypothesis-profile=long
    FUZZ_PROFILE=long python -m pytest tests/fuzz            # the same
    FUZZ_PROFILE=long FUZZ_SECONDS=600 python -m pytest tests/fuzz -k "test_fuzz and kl_div"

Other knobs: ``FUZZ_SEED=<int>`` (or ``--hypothesis-seed=<int>``) replays a run,
``FUZZ_SECONDS`` (per function), ``FUZZ_EXAMPLES`` (maximum per function),
``FUZZ_CALL_TIMEOUT`` (seconds before a call counts as hung).

A new public function needs an entry in ``fuzz_strategies.ENTRIES`` (usually one line);
``test_every_public_function_has_a_strategy`` fails until it has one.
"""
from __future__ import annotations

import os
from typing import Any

import fuzz_harness as fh
import fuzz_selftest
import fuzz_strategies as fs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastentropy as fe

FUZZED = [n for n in fs.ENTRIES if hasattr(fe, n)]


def public_callables() -> list[str]:
    return sorted(n for n in fe.__all__ if callable(getattr(fe, n, None)))


def missing_strategies() -> list[str]:
    return [n for n in public_callables() if n not in fs.ENTRIES]


# --------------------------------------------------------------------------- coverage of the API


def test_every_public_function_has_a_strategy() -> None:
    missing = missing_strategies()
    assert not missing, (
        f"public functions without a fuzz strategy: {missing}; add an entry to ENTRIES in "
        "tests/fuzz/fuzz_strategies.py (usually one line: which arguments are arrays, of what "
        "kind) so the fuzz covers them"
    )


def test_the_strategy_check_notices_a_new_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fe, "__all__", [*fe.__all__, "brand_new_estimator"])
    monkeypatch.setattr(fe, "brand_new_estimator", lambda x: x, raising=False)
    assert "brand_new_estimator" in missing_strategies()


def test_no_stale_strategies() -> None:
    stale = [n for n in fs.ENTRIES if n not in fe.__all__]
    assert not stale, f"fuzz strategies for names not in fastentropy.__all__: {stale}"
    orphans = [n for n in fs.REGRESSIONS if n not in fs.ENTRIES]
    assert not orphans, f"REGRESSIONS for names without a fuzz entry: {orphans}"


@pytest.mark.parametrize("func", FUZZED)
def test_every_strategy_builds(func: str) -> None:
    """Every parameter of the signature has a strategy (a new keyword needs one in KWARGS)."""
    entry = fs.registry([func])[func]
    assert entry.strategy is not None


def test_a_keyword_without_strategy_is_reported() -> None:
    def f(x: Any, brand_new_keyword: int = 3) -> None:
        pass

    with pytest.raises(KeyError, match="brand_new_keyword"):
        fs.fuzz("f", fs.one("x", "real"), target=f)


# --------------------------------------------------------------------------- the harness itself


def _rebuild_namespace() -> dict[str, Any]:
    import scipy.sparse

    ns: dict[str, Any] = {"np": np, "nan": np.nan, "inf": np.inf, "scipy": scipy}
    for src in fh._LAYOUT_SOURCE.values():
        exec(src, ns)
    return ns


def _same_argument(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        flags = ("C_CONTIGUOUS", "F_CONTIGUOUS", "WRITEABLE", "ALIGNED")
        return (
            (a.strides == b.strides or a.size == 0)  # an empty array's strides mean nothing
            and all(a.flags[f] == b.flags[f] for f in flags)
            and fh._snapshot(a) == fh._snapshot(b)
        )
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b) and len(a) == len(b)
            and all(_same_argument(x, y) for x, y in zip(a, b))
        )
    return fh._snapshot(a) == fh._snapshot(b)


class _Recorder:
    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
            return name, args, kwargs

        return record


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_reproducers_rebuild_the_exact_call(data: st.DataObject) -> None:
    """The printed reproducer builds the very arguments the fuzz passed (values, dtypes, byte
    order, strides, flags), and calls the same function."""
    name = data.draw(st.sampled_from(FUZZED))
    entry = fs.registry([name])[name]
    call = data.draw(entry.strategy)
    ns = _rebuild_namespace()
    code = call.code()
    body = "\n".join(ln for ln in code.splitlines() if not ln.startswith(("import", "from")))
    ns["fe"] = _Recorder()
    exec(compile(body.rsplit("\n", 1)[0] if "\n" in body else "", "<helpers>", "exec"), ns)
    got_name, got_args, got_kwargs = eval(body.rsplit("\n", 1)[-1], ns)
    args, kwargs = call.build()
    assert got_name == name
    assert len(got_args) == len(args) and list(got_kwargs) == list(kwargs)
    for x, y in zip(got_args, args):
        assert _same_argument(x, y), (code, x, y)
    for k in kwargs:
        assert _same_argument(got_kwargs[k], kwargs[k]), (code, k)


def test_backend_switch_serves_each_backend_and_restores() -> None:
    import fastentropy._backend as b
    import fastentropy.divergence as div

    original = b.kernels
    with fh.backend_as("numpy"):
        assert div.kernels("divergence").__name__ == "fastentropy._twins.divergence"
        assert b.kernels("_openmp").__name__ == "fastentropy._twins._openmp"
    if fh.compiled_available():
        with fh.backend_as("compiled"):
            assert div.kernels("divergence").__name__ == "fastentropy._kernels.divergence"
    assert div.kernels is original and b.kernels is original


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (1.0, 1.0 + 1e-13, True),
        (1.0, 1.0 + 1e-10, False),
        (np.float64(np.nan), np.float64(np.nan), True),
        (np.float64(np.nan), np.float64(0.0), False),
        (np.float64(0.0), np.float64(-0.0), False),
        (np.float64(np.inf), np.float64(np.inf), True),
        (np.float64(1), np.float32(1), False),
        (1.0, np.float64(1.0), False),
        (np.zeros(3), np.zeros(4), False),
        (np.zeros(3, np.int64), np.zeros(3, np.int32), False),
        ((np.ones(2), np.arange(3)), (np.ones(2), np.arange(3)), True),
        ((np.ones(2), np.arange(3)), (np.ones(2),), False),
        ([np.ones(2)], (np.ones(2),), False),
    ],
)
def test_compare_values(a: Any, b: Any, same: bool) -> None:
    assert (fh.compare_values(a, b) is None) is same


def test_compare_values_per_output_tolerance() -> None:
    a, b = (np.ones(2), np.array([1e-20, 2.0])), (np.ones(2), np.array([0.0, 2.0]))
    assert fh.compare_values(a, b) is not None
    assert fh.compare_values(a, b, per_output={1: fh.Tol(atol=1e-19)}) is None
    assert fh.compare_values(a, b, per_output={1: fh.Tol(atol=np.array([1e-21, 0.0]))})


def test_harness_catches_each_kind_of_defect() -> None:
    """Stand-ins that crash, hang, raise the wrong error, name no argument, disagree between
    backends or modify their input are each reported as such, and the run goes on."""
    names = list(fuzz_selftest.EXPECTED)
    both = fh.compiled_available()
    if not both:
        names = [n for n in names if n not in fuzz_selftest.NEEDS_BOTH]
    prof = fh.Profile(
        max_examples=8, min_examples=8, seconds=0.0, total_seconds=0.0, min_seconds=0.0,
        seed=1, call_timeout=3.0, shrink_seconds=2.0,
    )
    res = fh.run_fuzz(names, prof, selftest=True)
    for name in names:
        expect = fuzz_selftest.EXPECTED[name][1]
        r = res[name]
        if expect == "ok":
            assert r["status"] == "ok" and r["examples"] == 8, r
        elif expect in ("crash", "hang"):
            assert r["status"] == "crash", r
            assert ("hung" in r["what"]) is (expect == "hang"), r
            assert f"fe.{name}(" in r["reproducer"], r
        else:
            kinds = [f["kind"] for f in r.get("failures", [])]
            assert r["status"] == "fail" and expect in kinds, (name, r)
            assert all(f"fe.{name}(x=np.array([" in f["reproducer"] or f"fe.{name}(np.array(["
                       in f["reproducer"] for f in r["failures"]), r


# --------------------------------------------------------------------------- the fuzz


#: The fuzz compares both backends whatever FASTENTROPY_BACKEND says, so a second run of the
#: suite with FASTENTROPY_BACKEND=numpy (as .ci/run does) would repeat it exactly.
REPEAT_RUN = os.environ.get("FASTENTROPY_BACKEND", "").strip().lower() == "numpy"


@pytest.mark.parametrize("func", FUZZED)
def test_fuzz(func: str, request: pytest.FixtureRequest) -> None:
    if REPEAT_RUN and fh.compiled_available() and not os.environ.get(fh.ENV_PROFILE):
        pytest.skip(
            "FASTENTROPY_BACKEND=numpy: this fuzz runs the compiled kernels against the twins "
            "in every run, so the default run already did exactly this (set FUZZ_PROFILE to "
            "run it anyway)"
        )
    res = request.getfixturevalue("fuzz_results")[func]
    assert res["status"] == "ok", fh.format_failure(res)
    entry = fs.registry([func])[func]
    if entry.compare:
        assert res["examples"] >= 1 and res["returned"] >= 1, (
            f"{func}: no example returned a value in {res['examples']} examples: the strategy "
            "only tests errors; make it draw more valid calls"
        )
    if os.environ.get("FASTENTROPY_EXPECT_COMPILED") and entry.compare:
        assert res["backends"] == ["compiled", "numpy"], "the compiled extension is not built"
        assert not res["missing_compiled"], (
            f"compiled kernels missing (compared twin with twin): {res['missing_compiled']}"
        )
