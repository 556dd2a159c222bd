"""Philox4x32-10 constants and the keying rule shared by the mixture kernel and its twin.

Philox4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
SC 2011) maps a 128-bit counter ``(c0, c1, c2, c3)`` and a 64-bit key ``(k0, k1)`` to four
32-bit words. One round, with ``hi/lo`` the high and low halves of a 32 x 32 -> 64-bit product:

    hi0, lo0 = M0 * c0;  hi1, lo1 = M1 * c2
    c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)

and the key is bumped by the Weyl constants ``(k0, k1) += (W0, W1)`` (mod 2^32) between rounds;
ten rounds in all. The compiled kernel (``_kernels/_philox.pxd``) writes the same constants in C;
``tests/test_philox.py`` checks both implementations against the published known-answer vectors
(Random123's ``kat_vectors``) and that the ``.pxd`` spells these constants.

numpy's ``numpy.random.Philox`` is the 4x64 variant (64-bit words, other multipliers): its
stream is not this one.

Streams used by the mixture family (one Philox block = 4 words = two doubles = two normals):

* the key of pair ``i`` of a call is the first two ``uint32`` words of
  ``SeedSequence(entropy, spawn_key=spawn_key + (i,)).generate_state(2, uint32)``, where
  ``entropy``/``spawn_key`` come from ``random_state`` (:func:`seed_sequence`): so a pair's
  stream depends only on the seed and the pair's index;
* sample ``g`` (its global index in the stratified allocation), normal coordinates ``2b`` and
  ``2b + 1`` come from the block at counter ``(g mod 2^32, g div 2^32, b, 0)``;
* a block ``(x0, x1, x2, x3)`` gives the uniforms ``u = (((x0 << 32 | x1) >> 11) + 0.5) 2^-53``
  and ``v`` from ``(x2, x3)`` alike, both in (0, 1] (the top value rounds to 1; never 0, so
  ``log u`` is finite), and the Box-Muller normals ``sqrt(-2 log u) cos(2 pi v)`` and
  ``sqrt(-2 log u) sin(2 pi v)``.
  ``cos``/``sin(2 pi v)`` are evaluated branch-free on both backends with the same operations:
  ``4 v = n + f`` (``n = rint(4 v)``), Taylor polynomials at ``f pi / 2`` (``|f| <= 1/2``), then
  ``n mod 4`` quarter turns (``_kernels/_philox.pxd: fp_sincos_2pi``).
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "PHILOX_M0",
    "PHILOX_M1",
    "PHILOX_W0",
    "PHILOX_W1",
    "PHILOX_ROUNDS",
    "seed_sequence",
    "pair_key",
]

PHILOX_M0 = 0xD2511F53
PHILOX_M1 = 0xCD9E8D57
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
PHILOX_ROUNDS = 10


def seed_sequence(random_state: Any, name: str = "random_state") -> np.random.SeedSequence:
    """``random_state`` as a ``SeedSequence``: None (fresh OS entropy), a non-negative int, a
    ``SeedSequence`` (used as is) or a ``numpy.random.Generator`` (one 63-bit integer is drawn
    from it as the entropy, advancing it)."""
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.SeedSequence):
        return random_state
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(0, 2**63 - 1)))
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"{name} must be None, a non-negative int, a numpy SeedSequence or Generator; "
            f"got {type(random_state).__name__}"
        )
    if random_state < 0:
        raise ValueError(f"{name} must be a non-negative int, got {random_state}")
    return np.random.SeedSequence(int(random_state))


def pair_key(ss: np.random.SeedSequence, pair_index: int = 0) -> tuple[int, int]:
    """The Philox key ``(k0, k1)`` of pair ``pair_index`` under ``ss`` (see the module doc)."""
    child = np.random.SeedSequence(
        ss.entropy, spawn_key=tuple(ss.spawn_key) + (int(pair_index),), pool_size=ss.pool_size
    )
    words = child.generate_state(2, np.uint32)
    return int(words[0]), int(words[1])
