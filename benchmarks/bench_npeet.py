"""fastentropy.npeet against NPEET itself: speed, and accuracy against closed forms.

Run ``python benchmarks/bench_npeet.py [--write] [--npeet PATH]`` from the repository root.
NPEET is not a dependency and is not vendored: the script loads ``entropy_estimators.py`` from
a local git mirror of github.com/gregversteeg/NPEET (``--npeet`` a bare git directory or a
checkout, default ``$NPEET_GIT_DIR`` or /work/.mirror/gregversteeg+NPEET/repo), copied to a
temporary folder that is deleted afterwards. It needs scikit-learn (NPEET's trees).

Speed: NPEET (single-threaded; sklearn trees, Python loops) and fastentropy.npeet with one and
two OpenMP threads (threadpoolctl limits; the module's functions take no ``n_jobs``), timed
interleaved, medians. Accuracy: both against closed-form or quadrature values on data where
they are known, bits; NPEET seeded with ``np.random.seed(0)``.
"""
from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
sys.path.insert(0, os.path.dirname(_HERE))  # the in-place build in the repository root

from _harness import RESULTS, Table, interleaved  # noqa: E402

import fastentropy.npeet as ee  # noqa: E402

DEFAULT_MIRROR = "/work/.mirror/gregversteeg+NPEET/repo"
LOG2E = 1.0 / math.log(2.0)


def load_npeet(path: str) -> tuple[ModuleType, str]:
    """NPEET's entropy_estimators module from a bare git dir or a checkout, via a temp copy."""
    tmp = tempfile.mkdtemp(prefix="npeet_")
    target = os.path.join(tmp, "npeet_entropy_estimators.py")
    src = os.path.join(path, "npeet", "entropy_estimators.py")
    if os.path.exists(src):
        shutil.copy(src, target)
        rev = "checkout"
    else:
        text = subprocess.run(
            ["git", "--git-dir", path, "show", "HEAD:npeet/entropy_estimators.py"],
            capture_output=True, text=True, check=True,
        ).stdout
        with open(target, "w") as f:
            f.write(text)
        rev = subprocess.run(
            ["git", "--git-dir", path, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    spec = importlib.util.spec_from_file_location("npeet_entropy_estimators", target)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shutil.rmtree(tmp, ignore_errors=True)
    return mod, rev


def c(a: np.ndarray) -> np.ndarray:
    """One column: NPEET wants 2-D arrays."""
    return a[:, None]


def threads(n: int, fn: Callable[[], object]) -> Callable[[], object]:
    from threadpoolctl import threadpool_limits

    def run() -> object:
        with threadpool_limits(n, user_api="openmp"):
            return fn()

    return run


# ------------------------------------------------------------------------------ closed forms
def _h_mixture(sep: float) -> float:
    """Entropy (nats) of 0.5 N(0, 1) + 0.5 N(sep, 1), by quadrature."""
    from scipy.integrate import quad

    def p(t: float) -> float:
        return 0.5 * (math.exp(-0.5 * t * t) + math.exp(-0.5 * (t - sep) ** 2)) / math.sqrt(
            2 * math.pi
        )

    def f(t: float) -> float:
        v = p(t)
        return -v * math.log(v) if v > 0 else 0.0

    return float(quad(f, -12.0, sep + 12.0, limit=200)[0])


def mi_binary_gauss(sep: float) -> float:
    """I(x; y) in bits for y in {0, 1} equiprobable and x | y ~ N(sep * y, 1)."""
    return (_h_mixture(sep) - 0.5 * math.log(2 * math.pi * math.e)) * LOG2E


def accuracy(npeet: ModuleType) -> list[tuple[str, float, float, float]]:
    rng = np.random.default_rng(20261201)
    out = []

    def both(label: str, truth: float, f_npeet: Callable[[], Any], f_ours: Callable[[], Any]
             ) -> None:
        np.random.seed(0)
        try:
            a = float(f_npeet())
        except Exception as exc:  # report what NPEET does
            a = math.nan
            label += f" (NPEET raised {type(exc).__name__})"
        b = float(f_ours())
        out.append((label, truth, a, b))
        print(f"| {label} | {truth:.4f} | {a:.4f} | {b:.4f} |", flush=True)

    print("| quantity | truth | NPEET | fastentropy.npeet |\n|---|---|---|---|", flush=True)
    n = 5000
    x = rng.standard_normal(n)
    y = 0.6 * x + 0.8 * rng.standard_normal(n)
    mi_true = -0.5 * math.log2(1 - 0.36)
    both("mi, Gaussian rho=0.6, n=5000", mi_true, lambda: npeet.mi(c(x), c(y)),
         lambda: ee.mi(x, y))
    for scale in (1e4, 1e-8):
        xs_, ys_ = x * scale, y * scale
        both(f"mi, same data x {scale:g}", mi_true,
             lambda: npeet.mi(c(xs_), c(ys_)), lambda: ee.mi(xs_, ys_))
    both("mi, same data + 1e6 offset", mi_true, lambda: npeet.mi(c(x + 1e6), c(y + 1e6)),
         lambda: ee.mi(x + 1e6, y + 1e6))
    h_true = 0.5 * math.log2(2 * math.pi * math.e)
    both("entropy, N(0,1), n=5000", h_true, lambda: npeet.entropy(c(x)), lambda: ee.entropy(x))
    both("entropy, N(0, 1e-8^2)", h_true + math.log2(1e-8),
         lambda: npeet.entropy(c(x * 1e-8)), lambda: ee.entropy(x * 1e-8))
    xp = 1.0 + 2.0 * rng.standard_normal(n)
    both("kldiv N(0,1) || N(1,2^2)", (math.log(2.0) + 2.0 / 8.0 - 0.5) * LOG2E,
         lambda: npeet.kldiv(c(x), c(xp)), lambda: ee.kldiv(x, xp))
    # strongly dependent: KSG's underestimate and the LNC correction
    s = 1e-3
    xs = rng.standard_normal(2000)
    ys = xs + s * rng.standard_normal(2000)
    t_strong = 0.5 * math.log2((1 + s * s) / (s * s))
    both("mi, y = x + 1e-3 noise, n=2000, k=5", t_strong,
         lambda: npeet.mi(c(xs), c(ys), k=5), lambda: ee.mi(xs, ys, k=5))
    both("mi, same, alpha=0.5 (LNC)", t_strong,
         lambda: npeet.mi(c(xs), c(ys), k=5, alpha=0.5), lambda: ee.mi(xs, ys, k=5, alpha=0.5))
    # mixed: y in {0, 1}, x | y ~ N(2 y, 1)
    lab = rng.integers(0, 2, n)
    xm = 2.0 * lab + rng.standard_normal(n)
    i1 = mi_binary_gauss(2.0)
    both("micd, x | y ~ N(2y, 1)", i1, lambda: npeet.micd(c(xm), c(lab)),
         lambda: ee.micd(xm, lab))
    both("centropycd H(x|y), k=5", h_true, lambda: npeet.centropycd(c(xm), c(lab), k=5),
         lambda: ee.centropycd(xm, lab, k=5))
    both("centropydc(x discrete, y continuous) = H(x|y)", 1.0 - i1,
         lambda: npeet.centropydc(c(lab), c(xm)), lambda: ee.centropydc(lab, xm))
    # two continuous columns given y: x1 = 2y + e1, x2 = 2y + 0.8 e1 + 0.6 e2
    e1, e2 = rng.standard_normal(n), rng.standard_normal(n)
    x2 = np.c_[2.0 * lab + e1, 2.0 * lab + 0.8 * e1 + 0.6 * e2]
    both("ctccd TC(xs | y) (2 columns)", -0.5 * math.log2(1 - 0.64),
         lambda: npeet.ctccd(x2, c(lab)), lambda: ee.ctccd(x2, lab))
    # conditionally independent columns: x1 + x2 is sufficient, x1 + x2 | y ~ N(4y, 2)
    xi = np.c_[2.0 * lab + e1, 2.0 * lab + e2]
    both("corexcd sum I(xs_j; y) - I(xs; y)", 2 * i1 - mi_binary_gauss(4.0 / math.sqrt(2.0)),
         lambda: npeet.corexcd(xi, c(lab)), lambda: ee.corexcd(xi, lab))
    d2 = rng.integers(0, 2, (n, 2))
    yc = rng.standard_normal(n)
    both("corexdc, independent xs, ys", 0.0, lambda: npeet.corexdc(d2, c(yc)),
         lambda: ee.corexdc(d2, yc))
    return out


def speed(npeet: ModuleType) -> Table:
    rng = np.random.default_rng(7)
    table = Table("npeet", ("sklearn",))
    table.start()
    n = 10_000
    x = rng.standard_normal(n)
    y = x + rng.standard_normal(n)
    z = y + rng.standard_normal(n)
    x2 = rng.standard_normal((n, 2))
    lab = rng.integers(0, 4, n)
    xp = rng.standard_normal(n) + 0.5
    cases: list[tuple[str, str, Callable[[], object], Callable[[], object]]] = [
        ("mi, 1-D x and y, n=1e4, k=3", "npeet.mi", lambda: npeet.mi(c(x), c(y)),
         lambda: ee.mi(x, y)),
        ("cmi, 1-D x, y, z, n=1e4", "npeet.cmi", lambda: npeet.cmi(c(x), c(y), c(z)),
         lambda: ee.cmi(x, y, z)),
        ("entropy, 2-D, n=1e4", "npeet.entropy", lambda: npeet.entropy(x2),
         lambda: ee.entropy(x2)),
        ("kldiv, 1-D, n=1e4", "npeet.kldiv", lambda: npeet.kldiv(c(x), c(xp)),
         lambda: ee.kldiv(x, xp)),
        ("micd, 4 classes, n=1e4", "npeet.micd", lambda: npeet.micd(c(x), c(lab)),
         lambda: ee.micd(x, lab)),
        ("mi with alpha=0.5 (LNC), n=2000", "npeet.mi",
         lambda: npeet.mi(c(x[:2000]), c(y[:2000]), alpha=0.5),
         lambda: ee.mi(x[:2000], y[:2000], alpha=0.5)),
    ]
    for label, peer, f_peer, f_ours in cases:
        t_peer, t1, t2 = interleaved([f_peer, threads(1, f_ours), threads(2, f_ours)], repeat=5)
        table.add(label, peer, t_peer, t1, t2, "-")
    return table


def main() -> None:
    args = sys.argv[1:]
    path = args[args.index("--npeet") + 1] if "--npeet" in args else os.environ.get(
        "NPEET_GIT_DIR", DEFAULT_MIRROR
    )
    try:
        npeet, rev = load_npeet(path)
    except (OSError, subprocess.CalledProcessError, ImportError) as exc:
        print(f"NPEET not available at {path} ({exc}); nothing to compare")
        return
    load = os.getloadavg()
    print(f"NPEET {rev} from {path}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acc = accuracy(npeet)
    print()
    table = speed(npeet)
    table.finish()
    load = os.getloadavg()
    print(f"\nload average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if "--write" in args:
        with open(os.path.join(RESULTS, "npeet_accuracy.md"), "w") as f:
            f.write(f"NPEET {rev}; bits; measured {time.strftime('%Y-%m-%d')}\n\n")
            f.write("| quantity | truth | NPEET | fastentropy.npeet |\n|---|---|---|---|\n")
            for label, truth, a, b in acc:
                f.write(f"| {label} | {truth:.4f} | {a:.4f} | {b:.4f} |\n")


if __name__ == "__main__":
    main()
