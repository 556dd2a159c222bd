"""scipy's own ``TestEntropy`` suite, run against ``fastentropy.entropy``.

The installed ``scipy/stats/tests/test_entropy.py`` is imported and its ``TestEntropy`` class
collected here, with the test module's ``stats`` name replaced by a proxy whose ``entropy`` is
ours (everything else is scipy's). The ``xp`` fixture is NumPy only. Skipped cleanly where
scipy's test files are not installed. The differential_entropy tests are not ours.

Two of scipy's tests match message texts ("Array shapes are incompatible for broadcasting.",
"`base` must be a positive number."): our messages start with the argument names and say
what to do, and keep those phrases inside, so the inherited tests still pass.
"""
import types

import numpy as np
import pytest

import fastentropy

scipy_test_entropy = pytest.importorskip(
    "scipy.stats.tests.test_entropy", reason="scipy's test files are not installed"
)
import scipy.stats  # noqa: E402


class _StatsWithOurEntropy(types.ModuleType):
    def __getattr__(self, name):
        return getattr(scipy.stats, name)


_proxy = _StatsWithOurEntropy("stats_with_fastentropy_entropy")
_proxy.entropy = fastentropy.entropy


@pytest.fixture
def xp():
    return np


@pytest.fixture(autouse=True)
def _use_our_entropy(monkeypatch):
    monkeypatch.setattr(scipy_test_entropy, "stats", _proxy)
    yield


class TestScipyEntropyOnFastentropy(scipy_test_entropy.TestEntropy):
    """Every test of scipy's TestEntropy, inherited; ``stats.entropy`` is ours."""


def test_the_proxy_really_routes_to_fastentropy():
    # A test that cannot fail is a defect: prove the patched name is ours, so the inherited
    # tests exercise fastentropy and not scipy.
    assert scipy_test_entropy.stats.entropy is fastentropy.entropy
    with pytest.raises(ValueError, match="pk must be non-negative"):
        scipy_test_entropy.stats.entropy(np.array([1.0, -1.0]))


def test_inherited_suite_is_not_empty():
    names = [n for n in dir(TestScipyEntropyOnFastentropy) if n.startswith("test_")]
    assert len(names) >= 10


def test_scipy_message_checks_pass_on_messages_in_our_form():
    # the texts scipy's tests match, in messages that name the arguments first
    with pytest.raises(ValueError) as info:
        scipy_test_entropy.stats.entropy(np.ones((3, 2)), np.ones((2, 2)))
    assert str(info.value).startswith("pk and qk cannot be broadcast together")
    assert "Array shapes are incompatible for broadcasting." in str(info.value)
    with pytest.raises(ValueError) as info:
        scipy_test_entropy.stats.entropy(np.ones(10), base=-2)
    assert str(info.value).startswith("`base` must be a positive number")
