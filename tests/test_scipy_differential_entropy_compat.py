"""scipy's own ``TestDifferentialEntropy`` suite, run against ``fastentropy.differential_entropy``.

The installed ``scipy/stats/tests/test_entropy.py`` is imported and its ``TestDifferentialEntropy``
class collected here, with the test module's ``stats`` name replaced by a proxy whose
``differential_entropy`` is ours (everything else is scipy's). The ``xp`` fixture is NumPy only.
Skipped cleanly where scipy's test files are not installed.
"""
import types

import numpy as np
import pytest

import fastentropy

scipy_test_entropy = pytest.importorskip(
    "scipy.stats.tests.test_entropy", reason="scipy's test files are not installed"
)
import scipy.stats  # noqa: E402


class _StatsWithOurDifferentialEntropy(types.ModuleType):
    def __getattr__(self, name):
        return getattr(scipy.stats, name)


_proxy = _StatsWithOurDifferentialEntropy("stats_with_fastentropy_differential_entropy")
_proxy.differential_entropy = fastentropy.differential_entropy


@pytest.fixture
def xp():
    return np


@pytest.fixture(autouse=True)
def _use_our_differential_entropy(monkeypatch):
    monkeypatch.setattr(scipy_test_entropy, "stats", _proxy)
    yield


class TestScipyDifferentialEntropyOnFastentropy(scipy_test_entropy.TestDifferentialEntropy):
    """Every test of scipy's TestDifferentialEntropy, inherited; the function is ours."""


def test_the_proxy_really_routes_to_fastentropy():
    # prove the patched name is ours (n_jobs is a fastentropy-only argument), so the
    # inherited tests exercise fastentropy and not scipy
    assert scipy_test_entropy.stats.differential_entropy is fastentropy.differential_entropy
    x = np.random.default_rng(0).standard_normal(50)
    assert scipy_test_entropy.stats.differential_entropy(x, n_jobs=1) == pytest.approx(
        scipy.stats.differential_entropy(x), rel=1e-12
    )


def test_inherited_suite_is_not_empty():
    names = [n for n in dir(TestScipyDifferentialEntropyOnFastentropy) if n.startswith("test_")]
    assert len(names) >= 10
