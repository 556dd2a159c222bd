"""Benchmarks of the logits family against the best NumPy formulation and torch (whole call vs
whole call, same input, same run, one thread for the peers; the peer, fastentropy with 1 thread
and with 2 threads are timed in turn within each repeat, so a change of machine load hits all
three alike, and the medians are reported):

- ``softmax_entropy``, (100000, 1000) float32: >= 2x the best NumPy formulation (max-shift,
  ``log S - sum(e z) / S``, in row chunks) and >= 8x ``torch.distributions.Categorical(
  logits=x).entropy()`` with ``torch.set_num_threads(1)``; and its ratio to one ``np.exp``
  over the same array (the floor: one exp per logit);
- ``softmax_kl_divergence`` at T = 2 on two such arrays: >= 2x NumPy, >= 8x torch's
  ``F.kl_div(log_softmax(a/T), log_softmax(b/T), log_target=True, reduction='none').sum(-1)``;
- ``predictive_uncertainty`` on (10 members, 10000 rows, 100 classes) float32: >= 2x NumPy.

Run ``python benchmarks/bench_logits.py [--write]`` from the repository root (torch optional).
"""
from __future__ import annotations

import os
import sys

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import Table, interleaved  # noqa: E402

import fastentropy as fe  # noqa: E402

CHUNK = 2048  # rows per chunk of the NumPy formulations: temporaries stay in cache


def np_entropy(x: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape[0])
    for i in range(0, x.shape[0], CHUNK):
        z = x[i : i + CHUNK]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, dtype=np.float64)
        out[i : i + CHUNK] = np.log(s) - np.einsum("ij,ij->i", e, z, dtype=np.float64) / s
    return out


def np_kl(a: np.ndarray, b: np.ndarray, T: float) -> np.ndarray:
    out = np.empty(a.shape[0])
    inv = np.float32(1.0 / T)
    for i in range(0, a.shape[0], CHUNK):
        za = a[i : i + CHUNK] - a[i : i + CHUNK].max(axis=1, keepdims=True)
        za *= inv
        zb = b[i : i + CHUNK] - b[i : i + CHUNK].max(axis=1, keepdims=True)
        zb *= inv
        ea = np.exp(za)
        sa = ea.sum(axis=1, dtype=np.float64)
        sb = np.exp(zb).sum(axis=1, dtype=np.float64)
        za -= zb
        w = np.einsum("ij,ij->i", ea, za, dtype=np.float64)
        out[i : i + CHUNK] = w / sa - np.log(sa) + np.log(sb)
    return out


def np_uncertainty(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=-1, keepdims=True, dtype=np.float64)
    p = e / s
    h = (np.log(s[..., 0]) - np.einsum("mnc,mnc->mn", e, z, dtype=np.float64) / s[..., 0])
    aleatoric = h.mean(axis=0)
    pbar = p.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = -np.where(pbar > 0, pbar * np.log(pbar), 0.0).sum(axis=-1)
    return total, aleatoric


def main() -> None:
    rng = np.random.default_rng(20261126)
    table = Table("logits", ("torch",))
    table.start()
    try:
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        torch = None

    def case(name, peer_name, peer, ours, target, repeat=5, check=True):
        if check:
            ref = np.asarray(peer())
            got = np.asarray(ours(1))
            np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)  # same answer first
        t_peer, t1, t2 = interleaved((peer, lambda: ours(1), lambda: ours(2)), repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    x = (rng.standard_normal((100000, 1000)) * 2).astype(np.float32)
    case(
        "softmax_entropy, float32 (100000, 1000)",
        "best NumPy (max-shift, log S - sum(e z)/S, row chunks)",
        lambda: np_entropy(x),
        lambda nj: fe.softmax_entropy(x, n_jobs=nj),
        ">= 2x with 1 thread",
    )
    if torch is not None:
        tx = torch.from_numpy(x)
        case(
            "softmax_entropy, float32 (100000, 1000)",
            "torch Categorical(logits=x).entropy(), 1 thread",
            lambda: torch.distributions.Categorical(logits=tx).entropy().numpy(),
            lambda nj: fe.softmax_entropy(x, n_jobs=nj),
            ">= 8x with 1 thread",
            repeat=3,
        )
    case(
        "softmax_entropy, float32 (100000, 1000)",
        "one np.exp over the array (the floor)",
        lambda: np.exp(x),
        lambda nj: fe.softmax_entropy(x, n_jobs=nj),
        "info (ratio < 1: slower than one exp)",
        check=False,
    )
    y = (rng.standard_normal((100000, 1000)) * 2).astype(np.float32)
    T = 2.0
    case(
        "softmax_kl_divergence, T = 2, float32 2 x (100000, 1000)",
        "best NumPy (row chunks)",
        lambda: np_kl(x, y, T),
        lambda nj: fe.softmax_kl_divergence(x, y, temperature=T, n_jobs=nj),
        ">= 2x with 1 thread",
    )
    if torch is not None:
        ty = torch.from_numpy(y)

        def torch_kl():
            return F.kl_div(F.log_softmax(ty / T, -1), F.log_softmax(tx / T, -1),
                            log_target=True, reduction="none").sum(-1).numpy()

        case(
            "softmax_kl_divergence, T = 2, float32 2 x (100000, 1000)",
            "torch F.kl_div(log_softmax, log_softmax, log_target=True), 1 thread",
            torch_kl,
            lambda nj: fe.softmax_kl_divergence(x, y, temperature=T, n_jobs=nj),
            ">= 8x with 1 thread",
            repeat=3,
        )
    e = (rng.standard_normal((10, 10000, 100)) * 2).astype(np.float32)
    case(
        "predictive_uncertainty, float32 (10, 10000, 100)",
        "best NumPy (H(mean p), mean H(p))",
        lambda: np.stack(np_uncertainty(e)),
        lambda nj: np.stack(fe.predictive_uncertainty(e, n_jobs=nj)[:2]),
        ">= 2x with 1 thread",
    )
    v = e[0, 0]
    case(
        "softmax_entropy, one row of 100 (call overhead)",
        "best NumPy",
        lambda: np_entropy(v[None])[0],
        lambda nj: fe.softmax_entropy(v, n_jobs=nj),
        "info",
        repeat=201,
    )
    table.finish()


if __name__ == "__main__":
    main()
