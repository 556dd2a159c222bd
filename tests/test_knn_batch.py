"""The k-NN batch functions (fastentropy.knn_batch): equal to the one-problem estimators
of fastentropy.knn, call for call."""
from __future__ import annotations

import numpy as np
import pytest

import fastentropy.knn as fk
import fastentropy.knn_batch as fkb

X = np.random.default_rng(0).standard_normal((50, 2))
Y = np.random.default_rng(1).standard_normal(50)


def test_mutual_info_many_equals_one_by_one():
    rng = np.random.default_rng(30)
    X = rng.standard_normal((800, 5))
    X[:, 3] = X[:, 0] * 1e3 + 1e9
    y = X[:, 0] + np.sin(X[:, 1]) + 0.5 * rng.standard_normal(800)
    for kw in ({}, {"algorithm": "ksg2", "k": 5}, {"base": 2, "noise": 1e-3, "random_state": 4},
               {"standardize": False}):
        got = fkb.mutual_info_many(X, y, **kw)
        assert got.shape == (5,) and got.dtype == np.float64
        ref = [fk.mutual_info_knn(X[:, j], y, **kw) for j in range(5)]
        np.testing.assert_array_equal(got, ref)
    # a 2-D target
    Y2 = np.stack([y, rng.standard_normal(800)], axis=1)
    np.testing.assert_array_equal(fkb.mutual_info_many(X[:, :2], Y2),
                                  [fk.mutual_info_knn(X[:, j], Y2) for j in range(2)])
    assert fkb.mutual_info_many(X, y)[4] < 0.03 < fkb.mutual_info_many(X, y)[0]


def test_mutual_info_many_generator_seed_reproducible():
    rng = np.random.default_rng(31)
    X = rng.standard_normal((300, 3))
    y = X[:, 0] + rng.standard_normal(300)
    a = fkb.mutual_info_many(X, y, noise=1e-2, random_state=np.random.default_rng(5))
    b = fkb.mutual_info_many(X, y, noise=1e-2, random_state=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "call, exc, start",
    [
        (lambda: fkb.mutual_info_many(Y, Y), ValueError, "X must be 2-D"),
        (lambda: fkb.mutual_info_many(X, Y[:10]), ValueError, "y must have as many samples"),
        (lambda: fkb.mutual_info_many(np.c_[X, np.ones(50)], Y), ValueError,
         "X: column 2 is constant"),
        (lambda: fkb.mutual_info_many(X, Y, k=50), ValueError, "k must be smaller"),
        (lambda: fkb.mutual_info_many(X, Y, random_state=True), TypeError, "random_state"),
        (lambda: fkb.mutual_info_many(np.zeros((50, 0)), Y), ValueError, "X must have at least"),
    ],
)
def test_mutual_info_many_bad_input(call, exc, start):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(start), str(info.value)
