"""Shared test settings.

Hypothesis runs derandomized (its seed is fixed by the test's name), so every failure replays
exactly; ``HYPOTHESIS_PROFILE=thorough`` runs more examples locally.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    derandomize=False,
    max_examples=1000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    """A seeded generator: tests that draw random data replay exactly."""
    return np.random.default_rng(20261126)


@pytest.fixture(autouse=True)
def _mpmath_precision_restored():
    """Tests that raise mpmath's global precision must not leak it into later tests (a module
    that set 50 digits at import time then ran at whatever the previous test left)."""
    try:
        import mpmath
    except ImportError:  # pragma: no cover - mpmath is in the test extra
        yield
        return
    prec = mpmath.mp.prec
    yield
    mpmath.mp.prec = prec
