"""Benchmarks of the divergence family against SciPy (whole call vs whole call, same input, same
run): ``entropy`` vs ``scipy.stats.entropy`` (target >= 3x on float64 (10000, 1000) rows), and,
for information, KL rows vs ``scipy.special.rel_entr(...).sum(axis=1)``, the Jensen-Shannon
divergence and distance, Hellinger and total variation vs their NumPy/SciPy formulas, on
ordinary rows and on nearly equal rows (``q = p (1 + 1e-6 noise)``, where the peers' formulas
cancel: there the values are not compared, and the accuracy of both against 100-digit
references is printed after the table instead).

Run ``python benchmarks/bench_divergence.py [--write]`` from the repository root.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import Table, median_time  # noqa: E402

import fastentropy as fe  # noqa: E402


def _rel_entr_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    from scipy.special import rel_entr

    pn = p / p.sum(axis=1, keepdims=True)
    qn = q / q.sum(axis=1, keepdims=True)
    return rel_entr(pn, qn).sum(axis=1)


def _js_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    from scipy.special import rel_entr

    pn = p / p.sum(axis=1, keepdims=True)
    qn = q / q.sum(axis=1, keepdims=True)
    m = 0.5 * (pn + qn)
    return 0.5 * (rel_entr(pn, m).sum(axis=1) + rel_entr(qn, m).sum(axis=1))


def _hellinger_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    pn = p / p.sum(axis=1, keepdims=True)
    qn = q / q.sum(axis=1, keepdims=True)
    return np.sqrt(np.maximum(1.0 - np.sqrt(pn * qn).sum(axis=1), 0.0))


def _tv_rows(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    pn = p / p.sum(axis=1, keepdims=True)
    qn = q / q.sum(axis=1, keepdims=True)
    return 0.5 * np.abs(pn - qn).sum(axis=1)


def _accuracy_report(rng: np.random.Generator) -> None:
    """Worst relative error against 100-digit references on 30-class rows that agree to
    1e-3, 1e-6 and 1e-9 (the rows of issue 5, item 4), ours and the peers' formulas."""
    try:
        import mpmath
    except ImportError:
        print("\n(mpmath not installed: accuracy report skipped)")
        return
    import scipy.stats

    def refs(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
        with mpmath.workdps(100):
            pa = [mpmath.mpf(float(v)) for v in a]
            pb = [mpmath.mpf(float(v)) for v in b]
            sa, sb = mpmath.fsum(pa), mpmath.fsum(pb)
            p = [v / sa for v in pa]
            q = [v / sb for v in pb]
            kl = mpmath.fsum(x * mpmath.log(x / y) for x, y in zip(p, q))
            js = mpmath.fsum(
                x * mpmath.log(2 * x / (x + y)) + y * mpmath.log(2 * y / (x + y))
                for x, y in zip(p, q)
            ) / 2
            h2 = mpmath.fsum((mpmath.sqrt(x) - mpmath.sqrt(y)) ** 2 for x, y in zip(p, q)) / 2
            bc = mpmath.fsum(mpmath.sqrt(x * y) for x, y in zip(p, q))
            return {"kl": float(kl), "js": float(js), "hellinger": float(mpmath.sqrt(h2)),
                    "bhattacharyya": float(-mpmath.log(bc))}

    print("\nAccuracy on nearly equal 30-class rows, worst relative error of 20 pairs "
          "(reference: 100-digit mpmath of the rows normalised exactly)")
    print("| rows differ by | measure | fastentropy | plain formula (scipy / numpy) |")
    print("|---|---|---|---|")
    for eps in (1e-3, 1e-6, 1e-9):
        worst: dict[str, list[float]] = {}
        for _ in range(20):
            p = rng.random(30) + 0.01
            q = p * (1 + eps * rng.standard_normal(30))
            r = refs(p, q)
            pn, qn = p / p.sum(), q / q.sum()
            ours = {"kl": fe.kl_divergence(p, q), "js": fe.jensen_shannon(p, q),
                    "hellinger": fe.hellinger(p, q), "bhattacharyya": fe.bhattacharyya(p, q)}
            bc = np.sqrt(pn * qn).sum()
            peer = {"kl": scipy.stats.entropy(p, q), "js": _js_rows(p[None], q[None])[0],
                    "hellinger": math.sqrt(max(1 - bc, 0.0)), "bhattacharyya": -math.log(bc)}
            for k, ref in r.items():
                e = worst.setdefault(k, [0.0, 0.0])
                e[0] = max(e[0], abs(float(ours[k]) - ref) / ref)
                e[1] = max(e[1], abs(float(peer[k]) - ref) / ref)
        for k, (eo, ep) in worst.items():
            print(f"| {eps:g} | {k} | {eo:.1e} | {ep:.1e} |")


def main() -> None:
    import scipy.stats
    from scipy.spatial.distance import jensenshannon

    rng = np.random.default_rng(20261126)
    table = Table("divergence", ())
    table.start()

    def case(name, peer_name, peer, ours, target, repeat=7, check=True):
        ref = np.asarray(peer())
        got = np.asarray(ours(1))
        if check:  # same answer first (not where the peer's formula cancels)
            np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
        t_peer = median_time(peer, repeat=repeat)
        t1 = median_time(lambda: ours(1), repeat=repeat)
        t2 = median_time(lambda: ours(2), repeat=repeat)
        table.add(name, peer_name, t_peer, t1, t2, target)

    x = rng.random((10000, 1000))
    x[x < 0.05] = 0.0  # some zero cells, as in real histograms
    y = rng.random((10000, 1000)) + 1e-3
    case(
        "entropy, float64 (10000, 1000), axis=1",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(x, axis=1),
        lambda nj: fe.entropy(x, axis=1, n_jobs=nj),
        ">= 3x",
    )
    xt = np.ascontiguousarray(x.T)
    case(
        "entropy, float64 (1000, 10000), axis=0 (default)",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(xt),
        lambda nj: fe.entropy(xt, n_jobs=nj),
        "info",
    )
    case(
        "entropy(pk, qk), float64 (10000, 1000), axis=1",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(x, y, axis=1),
        lambda nj: fe.entropy(x, y, axis=1, n_jobs=nj),
        "info",
    )
    case(
        "kl_divergence rows, float64 (10000, 1000)",
        "rel_entr(p/sum, q/sum).sum(axis=1)",
        lambda: _rel_entr_rows(x, y),
        lambda nj: fe.kl_divergence(x, y, n_jobs=nj),
        "info",
    )
    q1 = y[0]
    case(
        "kl_divergence, (10000, 1000) rows vs one shared q",
        "rel_entr(p/sum, q/sum).sum(axis=1)",
        lambda: _rel_entr_rows(x, q1[None, :]),
        lambda nj: fe.kl_divergence(x, q1, n_jobs=nj),
        "info",
    )
    case(
        "jensenshannon distance, (10000, 1000), axis=1",
        "scipy.spatial.distance.jensenshannon",
        lambda: jensenshannon(x, y, axis=1),
        lambda nj: fe.jensenshannon(x, y, axis=1, n_jobs=nj),
        "info",
    )
    case(
        "jensen_shannon rows, (10000, 1000)",
        "rel_entr(p, m) + rel_entr(q, m), NumPy",
        lambda: _js_rows(x, y),
        lambda nj: fe.jensen_shannon(x, y, n_jobs=nj),
        "info",
    )
    case(
        "hellinger rows, (10000, 1000)",
        "sqrt(1 - sum sqrt(p q)), NumPy",
        lambda: _hellinger_rows(x, y),
        lambda nj: fe.hellinger(x, y, n_jobs=nj),
        "info",
    )
    case(
        "total_variation rows, (10000, 1000)",
        "sum |p - q| / 2, NumPy",
        lambda: _tv_rows(x, y),
        lambda nj: fe.total_variation(x, y, n_jobs=nj),
        "info",
    )
    close = x + 0.01
    close_q = close * (1 + 1e-6 * rng.standard_normal(close.shape))
    case(
        "kl_divergence, nearly equal rows (10000, 1000), 1e-6 apart",
        "rel_entr(p/sum, q/sum).sum(axis=1) (inaccurate here)",
        lambda: _rel_entr_rows(close, close_q),
        lambda nj: fe.kl_divergence(close, close_q, n_jobs=nj),
        "info",
        check=False,
    )
    case(
        "jensen_shannon, nearly equal rows (10000, 1000), 1e-6 apart",
        "rel_entr(p, m) + rel_entr(q, m), NumPy (inaccurate here)",
        lambda: _js_rows(close, close_q),
        lambda nj: fe.jensen_shannon(close, close_q, n_jobs=nj),
        "info",
        check=False,
    )
    v = x[0]
    case(
        "entropy, one vector of 1000 (call overhead)",
        "scipy.stats.entropy",
        lambda: scipy.stats.entropy(v),
        lambda nj: fe.entropy(v, n_jobs=nj),
        "info",
        repeat=201,
    )
    table.finish()
    _accuracy_report(rng)


if __name__ == "__main__":
    main()
