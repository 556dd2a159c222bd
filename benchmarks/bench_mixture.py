"""Benchmarks of the Gaussian-mixture family (whole call vs whole call, same run, peers on one
thread: BLAS limited with threadpoolctl):

- ``kl_divergence_mixture`` between two 2-D full-covariance mixtures of 8 components each,
  10^6 Monte Carlo samples: >= 10x scikit-learn ``p.sample(n)`` + ``score_samples`` of p and q,
  and >= 2.5x the best vectorised NumPy formulation (stratified sampling with numpy's
  Generator, then the log-densities as one GEMM of quadratic features against each component's
  natural parameters and a log-sum-exp, in row chunks);
- ``log_density`` on 10^6 points of that mixture: >= 5x ``score_samples``;
- ``kl_divergence_mixture_batch`` over 200 pairs of random 2-D 8-component mixtures, 10^4
  samples each: >= 5x a Python loop of the NumPy formulation.

Run ``python benchmarks/bench_mixture.py [--write]`` from the repository root (needs
scikit-learn). ``python benchmarks/bench_mixture.py --bias`` instead prints the closed-form
approximations' error (approximation - truth) and the bounds' width on random pairs: 1-D pairs
against ``method='quad'``, 2-D pairs against a 2**21-point randomised quasi-Monte Carlo run.
"""
from __future__ import annotations

import os
import sys

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import Table, median_time  # noqa: E402

import fastentropy as fe  # noqa: E402

N = 10**6
CHUNK = 65536  # rows per chunk of the NumPy formulation


def fitted(seed: int):  # type: ignore[no-untyped-def]
    from sklearn.mixture import GaussianMixture

    r = np.random.default_rng(seed)
    x = np.concatenate(
        [r.normal(size=(400, 2)) @ r.normal(size=(2, 2)) + r.normal(size=2) * 4 for _ in range(8)]
    )
    return GaussianMixture(8, covariance_type="full", random_state=seed).fit(x)


def natural_parameters(gm: fe.GaussianMixture) -> np.ndarray:
    """theta (K, F) with log(w_j N(x; mu_j, S_j)) = phi(x) . theta_j for the quadratic features
    phi(x) = [x_a x_b (a <= b), x_a, 1]."""
    d = gm.n_features
    covs = gm.full_covariances()
    rows = []
    iu = np.triu_indices(d)
    for j in range(gm.n_components):
        prec = np.linalg.inv(covs[j])
        quad = -prec.copy()
        quad[np.diag_indices(d)] *= 0.5  # x_a^2 gets -P_aa / 2, x_a x_b (a < b) gets -P_ab
        lin = prec @ gm.means[j]
        const = (
            np.log(gm.weights[j]) - 0.5 * d * np.log(2 * np.pi)
            - 0.5 * np.linalg.slogdet(covs[j])[1] - 0.5 * gm.means[j] @ lin
        )
        rows.append(np.concatenate([quad[iu], lin, [const]]))
    return np.array(rows)


def np_log_density(theta: np.ndarray, x: np.ndarray) -> np.ndarray:
    d = x.shape[1]
    iu = np.triu_indices(d)
    out = np.empty(x.shape[0])
    for s in range(0, x.shape[0], CHUNK):
        xc = x[s : s + CHUNK]
        phi = np.concatenate(
            [xc[:, iu[0]] * xc[:, iu[1]], xc, np.ones((xc.shape[0], 1))], axis=1
        )
        v = phi @ theta.T
        m = v.max(axis=1)
        out[s : s + CHUNK] = m + np.log(np.exp(v - m[:, None]).sum(axis=1))
    return out


def np_kl(p: fe.GaussianMixture, q: fe.GaussianMixture, n: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    counts = np.maximum(np.floor(n * p.weights).astype(np.int64), 2)
    tp, tq = natural_parameters(p), natural_parameters(q)
    est = 0.0
    for k, c in enumerate(counts):
        x = p.means[k] + rng.standard_normal((c, p.n_features)) @ p.cholesky[k].T
        est += p.weights[k] * float(np.mean(np_log_density(tp, x) - np_log_density(tq, x)))
    return est


def random_mixture(r: np.random.Generator, k: int = 8, d: int = 2) -> fe.GaussianMixture:
    a = r.normal(size=(k, d, d))
    return fe.as_gaussian_mixture(
        weights=r.dirichlet(np.ones(k)), means=r.normal(size=(k, d)) * 3,
        covariances=a @ np.swapaxes(a, -1, -2) + 0.1 * np.eye(d),
    )


def main() -> None:
    from threadpoolctl import threadpool_limits

    table = Table("mixture", ("sklearn",))
    table.start()
    sp, sq = fitted(1), fitted(2)
    p, q = fe.as_gaussian_mixture(sp), fe.as_gaussian_mixture(sq)

    def sk_kl() -> float:
        x, _ = sp.sample(N)
        return float(np.mean(sp.score_samples(x) - sq.score_samples(x)))

    with threadpool_limits(1):
        # method='mc' pinned: these rows compare per-sample throughput ('auto' is 'rqmc' in
        # 2-D; its time to a standard error is in bench_mixture_stderr.py)
        ref = fe.kl_divergence_mixture(p, q, method="mc", n_samples=N, random_state=0,
                                       n_jobs=1)
        assert ref.stderr is not None
        for name, peer in (("sk", sk_kl), ("np", lambda: np_kl(p, q, N, 0))):
            v = peer()
            # the same answer first (the peers' own Monte Carlo noise is larger: 10 stderr)
            assert abs(v - ref.estimate) < 10 * ref.stderr, (name, v, ref)

        def ours_kl(nj: int) -> object:
            return fe.kl_divergence_mixture(p, q, method="mc", n_samples=N, random_state=0,
                                            n_jobs=nj)

        case = "kl_divergence_mixture, 2-D, 8 vs 8 full-covariance components, 10^6 samples"
        t_sk = median_time(sk_kl, repeat=3)
        t1 = median_time(lambda: ours_kl(1), repeat=5)
        t2 = median_time(lambda: ours_kl(2), repeat=5)
        table.add(case, "scikit-learn sample + score_samples (p and q)", t_sk, t1, t2,
                  ">= 10x with 1 thread")
        t_np = median_time(lambda: np_kl(p, q, N, 0), repeat=5)
        t1 = median_time(lambda: ours_kl(1), repeat=5)
        t2 = median_time(lambda: ours_kl(2), repeat=5)
        table.add(case, "best NumPy (Generator sampling, feature GEMM + log-sum-exp, chunks)",
                  t_np, t1, t2, ">= 2.5x with 1 thread")

        x = np.random.default_rng(3).normal(size=(N, 2)) * 3
        np.testing.assert_allclose(fe.log_density(p, x), sp.score_samples(x), rtol=1e-10)
        case = "log_density, 10^6 points, 2-D, 8 full-covariance components"
        t_sk = median_time(lambda: sp.score_samples(x), repeat=5)
        t1 = median_time(lambda: fe.log_density(p, x, n_jobs=1), repeat=5)
        t2 = median_time(lambda: fe.log_density(p, x, n_jobs=2), repeat=5)
        table.add(case, "scikit-learn score_samples", t_sk, t1, t2, ">= 5x with 1 thread")
        tp = natural_parameters(p)
        np.testing.assert_allclose(np_log_density(tp, x[:1000]), fe.log_density(p, x[:1000]),
                                   rtol=1e-8)
        t_np = median_time(lambda: np_log_density(tp, x), repeat=5)
        t1 = median_time(lambda: fe.log_density(p, x, n_jobs=1), repeat=5)
        t2 = median_time(lambda: fe.log_density(p, x, n_jobs=2), repeat=5)
        table.add(case, "best NumPy (feature GEMM + log-sum-exp, chunks)", t_np, t1, t2, "-")
        r = np.random.default_rng(4)
        P = [random_mixture(r) for _ in range(200)]
        Q = [random_mixture(r) for _ in range(200)]

        def ours_batch(nj: int) -> object:
            return fe.kl_divergence_mixture_batch(P, Q, method="mc", n_samples=10**4,
                                                  random_state=0, n_jobs=nj)

        def np_batch() -> list[float]:
            return [np_kl(a, b, 10**4, i) for i, (a, b) in enumerate(zip(P, Q))]

        got = fe.kl_divergence_mixture_batch(P, Q, method="mc", n_samples=10**4, random_state=0)
        z = (np.array(np_batch()) - got.estimate) / got.stderr
        assert abs(float(np.mean(z))) < 0.5, float(np.mean(z))  # the same answers, on average
        case = "kl_divergence_mixture_batch, 200 pairs of 2-D 8-component mixtures, 10^4 samples"
        t_np = median_time(np_batch, repeat=3)
        t1 = median_time(lambda: ours_batch(1), repeat=5)
        t2 = median_time(lambda: ours_batch(2), repeat=5)
        table.add(case, "Python loop of the best NumPy formulation", t_np, t1, t2,
                  ">= 5x with 1 thread")
    table.finish()


def bias(n_pairs: int = 200) -> None:
    """Approximation error and bound widths of the closed-form methods on random pairs."""
    methods = ("variational", "goldberger", "product", "unscented", "bounds")
    for d, n in ((1, n_pairs), (2, max(n_pairs // 10, 5))):
        r = np.random.default_rng(10 + d)
        err: dict[str, list[float]] = {m: [] for m in methods}
        width, rel_truth, misses = [], [], 0
        for _ in range(n):
            p = random_mixture(r, int(r.integers(2, 6)), d)
            q = random_mixture(r, int(r.integers(2, 6)), d)
            if d == 1:
                truth, slack = fe.kl_divergence_mixture(p, q, method="quad").estimate, 1e-9
            else:
                mc = fe.kl_divergence_mixture(p, q, method="rqmc", n_samples=2**21,
                                              random_state=0)
                truth, slack = mc.estimate, 4 * float(mc.stderr or 0.0)
            for m in methods:
                res = fe.kl_divergence_mixture(p, q, method=m)
                err[m].append(res.estimate - truth)
            b = fe.kl_divergence_mixture(p, q, method="bounds")
            assert b.lower is not None and b.upper is not None
            misses += not (b.lower - slack <= truth <= b.upper + slack)
            width.append(b.upper - b.lower)
            rel_truth.append(truth)
        truths = np.array(rel_truth)
        print(f"{d}-D, {n} random pairs (2-5 components each; truth: "
              f"{'quad' if d == 1 else 'RQMC 2**21'}; median KL {np.median(truths):.3g})")
        for m in methods:
            e = np.array(err[m])
            print(f"  {m:12s} error mean {e.mean():+.4f}  median {np.median(e):+.4f}  "
                  f"median |error| / KL {np.median(np.abs(e) / truths):.3f}")
        w = np.array(width)
        print(f"  bounds width median {np.median(w):.4f} (median width / KL "
              f"{np.median(w / truths):.3f}); truth outside the interval: {misses}")


if __name__ == "__main__":
    if "--bias" in sys.argv:
        bias()
    else:
        main()
