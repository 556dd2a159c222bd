"""Philox4x32-10 (``_kernels/_philox.pxd`` and the twin's uint64 version) against the published
known-answer vectors (Random123's ``kat_vectors``, Salmon et al. 2011), and the keying rule of
``fastentropy/_philox.py``."""
import os

import numpy as np
import pytest
from _kernel_pairs import pair

from fastentropy import _philox
from fastentropy._twins import mixture as twin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# philox4x32 10: counter (4 words), key (2 words) -> output (4 words)
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    (
        (0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344),
        (0xA4093822, 0x299F31D0),
        (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1),
    ),
]


@pytest.mark.parametrize("backend", ["compiled", "twin"])
@pytest.mark.parametrize("ctr,key,want", KAT)
def test_known_answer_vectors(backend, ctr, key, want):
    ker, tw = pair("mixture")
    mod = ker if backend == "compiled" else tw
    out = np.zeros((1, 4), dtype=np.uint32)
    mod.philox_blocks(np.array([ctr], dtype=np.uint32), key[0], key[1], out)
    assert [int(v) for v in out[0]] == list(want)


def test_kernel_and_twin_blocks_agree_on_random_counters():
    ker, tw = pair("mixture")
    rng = np.random.default_rng(5)
    ctr = rng.integers(0, 2**32, size=(2000, 4), dtype=np.uint64).astype(np.uint32)
    a = np.zeros_like(ctr)
    b = np.zeros_like(ctr)
    ker.philox_blocks(ctr, 0x12345678, 0x9ABCDEF0, a)
    tw.philox_blocks(ctr, 0x12345678, 0x9ABCDEF0, b)
    assert np.array_equal(a, b)


def test_pxd_spells_the_shared_constants():
    with open(os.path.join(ROOT, "fastentropy", "_kernels", "_philox.pxd")) as fh:
        text = fh.read().lower()
    for name, value in [("FP_M0", _philox.PHILOX_M0), ("FP_M1", _philox.PHILOX_M1),
                        ("FP_W0", _philox.PHILOX_W0), ("FP_W1", _philox.PHILOX_W1)]:
        assert f"#define {name.lower()} {value:#010x}u" in text, name
    assert "r < 10" in text and _philox.PHILOX_ROUNDS == 10


def test_numpy_philox_is_the_4x64_variant():
    # numpy.random.Philox uses 64-bit words (a 4 x uint64 counter, 2 x uint64 key): a different
    # generator, so it cannot serve as a reference for this one.
    state = np.random.Philox(0).state["state"]
    assert state["counter"].dtype == np.uint64 and state["counter"].shape == (4,)
    assert state["key"].dtype == np.uint64 and state["key"].shape == (2,)


def test_uniforms_are_never_zero():
    lo = np.array([0, 0xFFFFFFFF], dtype=np.uint64)
    u = twin._unit(lo, lo)
    assert u[0] == 0.5 * 2.0**-53 and u[1] == 1.0  # (2^53 - 1/2) 2^-53 rounds to 1
    assert np.isfinite(np.sqrt(-2.0 * np.log(u))).all()


def test_normals_kernel_vs_twin_and_moments():
    ker, tw = pair("mixture")
    a = np.empty((20000, 3))
    b = np.empty((20000, 3))
    ker.normals(2**32 - 7, 11, 12, a)  # crosses the counter's 32-bit word boundary
    tw.normals(2**32 - 7, 11, 12, b)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    assert abs(a.mean()) < 0.03 and abs(a.std() - 1.0) < 0.02
    # a sample's normals depend only on its index
    c = np.empty((5, 3))
    ker.normals(2**32 - 5, 11, 12, c)
    assert np.array_equal(c, a[2:7])


def test_pair_key_depends_only_on_seed_and_index():
    ss = _philox.seed_sequence(42)
    k0 = _philox.pair_key(ss, 0)
    assert k0 == _philox.pair_key(np.random.SeedSequence(42), 0)
    words = np.random.SeedSequence(42, spawn_key=(0,)).generate_state(2, np.uint32)
    assert k0 == (int(words[0]), int(words[1]))
    assert _philox.pair_key(ss, 1) != k0
    assert _philox.pair_key(_philox.seed_sequence(43), 0) != k0


def test_seed_sequence_rejects_bad_random_state():
    with pytest.raises(ValueError, match="^random_state"):
        _philox.seed_sequence(-1)
    with pytest.raises(TypeError, match="^random_state"):
        _philox.seed_sequence(1.5)
    g = np.random.default_rng(0)
    assert isinstance(_philox.seed_sequence(g), np.random.SeedSequence)


def test_sincos_polynomial_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.prec = 113
    rng = np.random.default_rng(9)
    v = np.concatenate([rng.random(400), [1.0, 0.5, 0.25, 0.75, 0.125, 0.375, 2.0**-53]])
    c, s = twin._sincos_2pi(v)
    ref_c = np.array([float(mpmath.cos(2 * mpmath.pi * mpmath.mpf(float(x)))) for x in v])
    ref_s = np.array([float(mpmath.sin(2 * mpmath.pi * mpmath.mpf(float(x)))) for x in v])
    assert np.abs(c - ref_c).max() < 4e-16 and np.abs(s - ref_s).max() < 4e-16
    assert c[400] == 1.0 and s[400] == 0.0 and c[401] == -1.0 and s[402] == 1.0  # exact turns
