"""Fuzz settings: the ``long`` hypothesis profile (so ``--hypothesis-profile=long`` is accepted)
and the session-wide fuzz run shared by the parametrised tests of ``test_fuzz.py``."""
from __future__ import annotations

import json
import os
from typing import Any

import fuzz_harness
import pytest
from hypothesis import HealthCheck, settings

try:
    settings.get_profile("long")  # the profiles of tests/conftest.py stay untouched
except Exception:
    settings.register_profile(
        "long",
        derandomize=False,
        max_examples=2000,
        deadline=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


def fuzz_profile(config: pytest.Config) -> fuzz_harness.Profile:
    """$FUZZ_PROFILE, else ``--hypothesis-profile`` when it names a fuzz profile, else ``ci``;
    ``--hypothesis-seed`` (an int) replaces the profile's seed."""
    name = config.getoption("--hypothesis-profile", default=None)
    if name not in fuzz_harness.PROFILES:
        name = None
    seed = config.getoption("--hypothesis-seed", default=None)
    try:
        seed_int = int(seed) if seed is not None else None
    except ValueError:
        seed_int = None
    return fuzz_harness.resolve_profile(name, seed_int)


_RUNS: list[tuple[fuzz_harness.Profile, dict[str, dict[str, Any]], float]] = []


@pytest.fixture(scope="session")
def fuzz_results(request: pytest.FixtureRequest) -> dict[str, dict[str, Any]]:
    """One child-process fuzz run over every function whose ``test_fuzz[...]`` is selected."""
    import time

    selected = []
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs is not None and item.originalname == "test_fuzz" and "func" in cs.params:
            selected.append(cs.params["func"])
    prof = fuzz_profile(request.config)
    t0 = time.perf_counter()
    results = fuzz_harness.run_fuzz(sorted(set(selected), key=selected.index), prof)
    _RUNS.append((prof, results, time.perf_counter() - t0))
    report = os.environ.get("FUZZ_REPORT")
    if report:  # every function's summary and failures, as JSON
        with open(report, "w") as fh:
            json.dump(results, fh, indent=1)
    return results


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for prof, results, seconds in _RUNS:
        ok = [r for r in results.values() if r["status"] == "ok"]
        examples = sum(r.get("examples", 0) for r in results.values())
        terminalreporter.write_line(
            f"fuzz: {len(results)} functions ({len(ok)} clean), {examples} examples in "
            f"{seconds:.0f} s, seed {prof.seed} (replay: FUZZ_SEED={prof.seed})"
        )
        slow = sorted(
            (r for r in results.values() if r.get("slowest_call_seconds", 0) > 2.0),
            key=lambda r: -r["slowest_call_seconds"],
        )
        for r in slow[:3]:  # calls this slow on tiny inputs are worth a look
            terminalreporter.write_line(
                f"fuzz: slowest call of {r['func']}: {r['slowest_call_seconds']:.1f} s (both "
                f"backends): {r['slowest_call'][:300]}"
            )
