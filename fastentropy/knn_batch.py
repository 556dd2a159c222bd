"""k-NN estimators over many problems in one call.

- :func:`mutual_info_many`: :func:`~fastentropy.knn.mutual_info_knn` of every column of ``X``
  with ``y``, the target's preprocessing and sort done once.

The preprocessing, counting and conventions are :mod:`fastentropy.knn`'s.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_float_array, check_base, check_choice
from .knn import (
    _ALGORITHMS,
    DEFAULT_SEED,
    FloatArray,
    _as_samples,
    _check_flag,
    _check_k,
    _check_noise,
    _check_same_length,
    _finish,
    _mi_local,
    _prepare,
    _psi_table,
    _rng,
    _threads,
)

__all__ = ["mutual_info_many"]


def _seed_source(random_state: Any) -> Any:
    """Something ``np.random.default_rng`` turns into the same stream every time it is called:
    an int or SeedSequence as given; a fresh SeedSequence for None; for a Generator or
    BitGenerator, a SeedSequence seeded by one draw from it."""
    if isinstance(random_state, bool):
        raise TypeError("random_state must be an int, a numpy Generator/SeedSequence or None")
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.BitGenerator):
        random_state = np.random.Generator(random_state)
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63)))
    _rng(random_state)  # validates ints and SeedSequences
    return random_state


def mutual_info_many(
    X: Any,
    y: Any,
    *,
    k: int = 3,
    algorithm: str = "ksg1",
    base: float | None = None,
    standardize: bool = True,
    noise: float = 1e-10,
    random_state: Any = DEFAULT_SEED,
    n_jobs: int | None = None,
) -> FloatArray:
    """:func:`mutual_info_knn` of every column of ``X`` ((n, m)) with ``y`` ((n,) or (n, dy)):
    an (m,) array.

    Work shared across columns is done once: ``y`` is standardised, perturbed and (one column)
    sorted once, and the digamma table is built once. Each column's noise is drawn from a
    generator made afresh from ``random_state`` (x's noise first, then y's, as in
    :func:`mutual_info_knn`), so with an int or SeedSequence seed (the default is fixed) entry
    j equals ``mutual_info_knn(X[:, j], y, ...)`` exactly and does not depend on the other
    columns. A Generator or BitGenerator is drawn from once, to seed that stream.
    """
    Xa = as_float_array(X, "X")
    if Xa.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n samples, m features), got {Xa.ndim}-D with shape {Xa.shape}; "
            "for one feature use mutual_info_knn"
        )
    if Xa.shape[1] == 0:
        raise ValueError(f"X must have at least one column, got shape {Xa.shape}")
    Xa = _as_samples(Xa, "X")
    Y = _as_samples(y, "y")
    _check_same_length(Xa, Y, "X", "y")
    n, m = Xa.shape
    k = _check_k(k, n)
    algorithm = check_choice(algorithm, "algorithm", _ALGORITHMS)
    base = check_base(base)
    standardize = _check_flag(standardize, "standardize")
    noise = _check_noise(noise)
    seed = _seed_source(random_state)
    n_threads = _threads(n_jobs, n)
    # y's noise comes after the column's n draws in every column's stream: the same values
    rng = np.random.default_rng(seed)
    if noise > 0:
        rng.standard_normal((n, 1))
    (py,), _ = _prepare([(Y, "y")], standardize, noise, rng, sort_columns=True)
    psi = _psi_table(n)
    out = np.empty(m, dtype=np.float64)
    for j in range(m):
        col = np.ascontiguousarray(Xa[:, j : j + 1])
        (px,), _ = _prepare([(col, "X")], standardize, noise, np.random.default_rng(seed),
                            sort_columns=True, first_column=j)
        value = _finish(_mi_local([px, py], k, algorithm, psi, n_threads), base, False)
        assert isinstance(value, float)
        out[j] = value
    return out
