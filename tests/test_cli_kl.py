"""``fastentropy kl P Q`` and the demo's mixture section (with its shipped data file).

The command is run in-process through ``cli.main`` (and once as a child process); its numbers
must equal ``fe.kl_divergence_mixture`` called directly with the same seed, and every error must
be one line on stderr with exit status 2. The demo section's numbers are checked against a
Monte Carlo and a closed form computed here with numpy and scipy from the JSON file read by
``json``, and the shipped file against a rerun of ``scripts/fit_demo_mixtures.py``.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

import fastentropy as fe
from fastentropy import cli
from fastentropy.cli.demo_sections import mixture
from fastentropy.datasets import IRIS_TARGET_NAMES, load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fe.__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "fit_demo_mixtures.py")
PREFIX = "fastentropy kl: error: "


def _shipped() -> dict:
    data = resources.files("fastentropy").joinpath("data").joinpath(mixture.DATA_FILE)
    return json.loads(data.read_text("utf-8"))


def _mixture_pair(rng):
    p = fe.as_gaussian_mixture(
        weights=[0.3, 0.7], means=[[0.0, 0.0], [2.0, 1.0]],
        covariances=[[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 0.9]]],
    )
    q = fe.as_gaussian_mixture(
        weights=[0.2, 0.5, 0.3], means=rng.normal(size=(3, 2)),
        covariances=[0.5, 1.5, 1.0], covariance_type="spherical",
    )
    return p, q


@pytest.fixture
def files(tmp_path, rng):
    p, q = _mixture_pair(rng)
    paths = {}
    for name, m in (("p", p), ("q", q)):
        for ext in ("json", "npz"):
            path = tmp_path / f"{name}.{ext}"
            m.save(path)
            paths[f"{name}.{ext}"] = str(path)
    return p, q, paths


def kl(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["kl", *args])
    out, err = capsys.readouterr()
    return status, out, err


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize("exts", [("json", "json"), ("npz", "json"), ("json", "npz")])
def test_json_output_equals_the_library_with_the_same_seed(capsys, files, exts):
    p, q, paths = files
    status, out, err = kl(capsys, paths[f"p.{exts[0]}"], paths[f"q.{exts[1]}"],
                          "--seed", "7", "--n-samples", "5000", "--json")
    assert status == 0, err
    got = json.loads(out)
    want = fe.kl_divergence_mixture(p, q, n_samples=5000, random_state=7, base=2)
    assert want.method == "rqmc"  # 'auto' in 2-D
    # JSON round-trips floats exactly, and the saved models round-trip exactly too
    assert got["estimate"] == want.estimate and got["stderr"] == want.stderr
    assert got["lower"] is None and got["upper"] is None
    assert (got["n_samples"], got["method"], got["seed"], got["base"]) == (
        want.n_samples, want.method, 7, 2.0)
    assert got["p"].endswith(exts[0]) and got["q"].endswith(exts[1])
    assert out.count("\n") == 1 and err == ""


@pytest.mark.parametrize("method", ["auto", "mc", "nielsen_sun_adaptive"])
def test_univariate_mixture_files(capsys, tmp_path, method):
    # UnivariateMixture.save files: the same result as kl_divergence_mixture on the models
    p = fe.as_univariate_mixture("gamma", weights=[0.3, 0.7], shape=2.0, scales=[1.0, 3.0])
    q = fe.as_univariate_mixture("gamma", weights=[0.5, 0.5], shape=2.0, scales=[1.5, 2.5])
    p.save(tmp_path / "p.json")
    q.save(tmp_path / "q.json")
    status, out, err = kl(capsys, str(tmp_path / "p.json"), str(tmp_path / "q.json"),
                          "--method", method, "--seed", "4", "--n-samples", "3000", "--json")
    assert status == 0, err
    got = json.loads(out)
    want = fe.kl_divergence_mixture(p, q, method=method, n_samples=3000, random_state=4, base=2)
    assert got["estimate"] == want.estimate and got["method"] == want.method
    assert (got["lower"], got["upper"], got["stderr"]) == (want.lower, want.upper, want.stderr)
    status, out, err = kl(capsys, str(tmp_path / "p.json"), str(tmp_path / "q.json"))
    assert status == 0 and "2 components, gamma, 1-D" in out
    # a univariate P against a Gaussian-mixture Q: one line, exit 2
    fe.as_gaussian_mixture(weights=[1.0], means=[[0.0]], covariances=[[[1.0]]]).save(
        tmp_path / "g.json")
    status, out, err = kl(capsys, str(tmp_path / "p.json"), str(tmp_path / "g.json"))
    assert status == 2 and out == "" and err.startswith(PREFIX) and err.count("\n") == 1


def test_text_output_and_base(capsys, files):
    p, q, paths = files
    status, out, err = kl(capsys, paths["p.json"], paths["q.json"], "--seed", "3", "--base", "e",
                          "--n-samples", "4000", "--n-jobs", "2")
    assert status == 0, err
    want = fe.kl_divergence_mixture(p, q, n_samples=4000, random_state=3, base=math.e)
    m = re.match(r"KL\(P \|\| Q\) = (\S+) nats\n", out)
    assert m, out
    assert float(m.group(1)) == pytest.approx(want.estimate, rel=1e-9)
    se = re.search(r"std error +(\S+) nats", out)
    assert se and float(se.group(1)) == pytest.approx(want.stderr, rel=1e-3)
    assert re.search(rf"n_samples +{want.n_samples}\n", out)
    assert re.search(rf"method +{want.method}\n", out) and re.search(r"seed +3\n", out)
    assert "2 components, full, 2-D" in out and "3 components, spherical, 2-D" in out
    bits = fe.kl_divergence_mixture(p, q, n_samples=4000, random_state=3)  # nats by default
    assert bits.estimate == pytest.approx(want.estimate, rel=1e-12)


def test_without_a_seed_the_runs_are_fresh_and_say_so(capsys, files):
    _, _, paths = files
    runs = [json.loads(kl(capsys, paths["p.json"], paths["q.json"], "--json",
                          "--n-samples", "2000")[1]) for _ in range(2)]
    assert all(r["seed"] is None and math.isfinite(r["estimate"]) for r in runs)
    assert runs[0]["estimate"] != runs[1]["estimate"]
    status, out, _ = kl(capsys, paths["p.json"], paths["q.json"], "--n-samples", "2000")
    assert status == 0 and "seed       none (fresh entropy)" in out


def test_closed_form_pair_has_no_standard_error(capsys, tmp_path):
    a = fe.as_gaussian_mixture(weights=[1.0], means=[[0.0, 1.0]], covariances=[[1.0, 2.0]],
                               covariance_type="diag")
    b = fe.as_gaussian_mixture(weights=[1.0], means=[[1.0, 0.0]], covariances=[[2.0, 1.0]],
                               covariance_type="diag")
    a.save(tmp_path / "a.json")
    b.save(tmp_path / "b.npz")
    status, out, err = kl(capsys, str(tmp_path / "a.json"), str(tmp_path / "b.npz"), "--json")
    assert status == 0, err
    got = json.loads(out)
    # KL between diagonal Gaussians, by hand: sum over axes, in bits
    m0, v0, m1, v1 = np.array([0, 1.0]), np.array([1, 2.0]), np.array([1, 0.0]), np.array([2, 1.0])
    want = 0.5 * np.sum(v0 / v1 + (m1 - m0) ** 2 / v1 - 1 + np.log(v1 / v0)) / math.log(2)
    assert got["estimate"] == pytest.approx(want, rel=1e-12)
    assert got["stderr"] is None and got["n_samples"] == 0 and got["method"] == "closed_form"
    status, out, _ = kl(capsys, str(tmp_path / "a.json"), str(tmp_path / "b.npz"))
    assert "none (not a sampling estimate)" in out and "seed" not in out


def _library_methods(p, q) -> list[str]:
    """The methods this build's kl_divergence_mixture takes for these 2-D mixtures."""
    ok = []
    for m in ("auto", "mc", "rqmc", "quad", "variational", "goldberger", "product", "unscented",
              "bounds"):
        try:
            fe.kl_divergence_mixture(p, q, method=m, n_samples=100, random_state=0)
        except ValueError:
            continue
        ok.append(m)
    return ok


@pytest.mark.parametrize(
    "method", ["auto", "mc", "rqmc", "quad", "variational", "goldberger", "product", "unscented",
               "bounds", "nope"]
)
def test_method_is_passed_through(capsys, files, method):
    # the same result as the library, or (a method it lacks or refuses here) its error, one line
    p, q, paths = files
    status, out, err = kl(capsys, paths["p.json"], paths["q.npz"], "--method", method,
                          "--seed", "1", "--n-samples", "3000", "--json")
    try:
        want = fe.kl_divergence_mixture(p, q, method=method, n_samples=3000, random_state=1,
                                        base=2)
    except ValueError as exc:
        assert status == 2 and out == ""
        assert err == PREFIX + " ".join(str(exc).split()) + "\n"
        return
    assert status == 0, err
    got = json.loads(out)
    assert got["method"] == want.method and got["n_samples"] == want.n_samples
    for key in ("estimate", "stderr", "lower", "upper"):
        assert got[key] == getattr(want, key), key
    if want.lower is not None:  # bounds are printed in the text form
        _, text, _ = kl(capsys, paths["p.json"], paths["q.npz"], "--method", method)
        assert re.search(r"bounds +\[\S+, \S+\] bits", text), text


def test_console_command_in_a_child_process(files):
    p, q, paths = files
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PKG_ROOT, *filter(None, [env.get("PYTHONPATH")])])
    proc = subprocess.run(
        [sys.executable, "-m", "fastentropy", "kl", paths["p.npz"], paths["q.json"], "--json",
         "--seed", "11", "--n-samples", "3000"],
        capture_output=True, text=True, timeout=120, cwd=PKG_ROOT, env=env,
    )
    assert proc.returncode == 0, proc.stderr
    want = fe.kl_divergence_mixture(p, q, n_samples=3000, random_state=11, base=2)
    assert json.loads(proc.stdout)["estimate"] == want.estimate
    proc = subprocess.run(
        [sys.executable, "-m", "fastentropy", "kl", paths["p.npz"], "missing.json"],
        capture_output=True, text=True, timeout=120, cwd=PKG_ROOT, env=env,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == PREFIX + "Q: no such file: 'missing.json'\n"


# --------------------------------------------------------------------------- errors
def _write(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content)
    else:
        path.write_text(json.dumps(content))
    return str(path)


GOOD = {"weights": [0.5, 0.5], "means": [[0.0], [1.0]], "covariances": [[[1.0]], [[2.0]]]}

# name: (file name, content, words the message must contain)
BAD_FILES = {
    "missing": ("absent.json", None, ["no such file", "absent.json"]),
    "directory": ("adir.json", "dir", ["is a directory"]),
    "bad_json": ("bad.json", "{not json", ["not a readable mixture file", "bad.json"]),
    "empty_json": ("empty.json", "", ["not a readable mixture file"]),
    "not_utf8": ("latin.json", b"\xff\xfe{", ["not a readable mixture file"]),
    "json_list": ("list.json", [1, 2, 3], ["invalid mixture", "dict"]),
    "missing_keys": ("keys.json", {"weights": [1.0]}, ["means", "covariances"]),
    "wrong_format": ("fmt.json", {**GOOD, "format": "something.else"}, ["format"]),
    "not_spd": ("spd.json", {**GOOD, "covariances": [[[1.0]], [[-2.0]]]}, ["positive definite"]),
    "not_symmetric": ("sym.json", {"weights": [1.0], "means": [[0.0, 0.0]],
                                   "covariances": [[[1.0, 0.5], [0.0, 1.0]]]}, ["symmetric"]),
    "weights_sum": ("sum.json", {**GOOD, "weights": [0.5, 0.6]}, ["sum to one"]),
    "negative_weight": ("neg.json", {**GOOD, "weights": [1.5, -0.5]}, ["non-negative"]),
    "nan_mean": ("nan.json", '{"weights": [1.0], "means": [[NaN]], "covariances": [[[1.0]]]}',
                 ["means"]),
    "string_weights": ("str.json", {**GOOD, "weights": ["a", "b"]}, ["invalid mixture"]),
    "ragged_means": ("rag.json", {**GOOD, "means": [[0.0], [1.0, 2.0]]}, ["invalid mixture"]),
    "shape": ("shape.json", {**GOOD, "covariances": [1.0, 2.0]}, ["covariances", "shape"]),
    "bad_ctype": ("ctype.json", {**GOOD, "covariance_type": "round"}, ["covariance_type"]),
    "bad_npz": ("bad.npz", b"PK\x03\x04 not really a zip", ["not a readable mixture file"]),
    "npy_as_npz": ("text.npz", b"just text", ["not a readable mixture file"]),
    "bad_suffix": ("model.txt", "{}", [".json or .npz"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("role", ["P", "Q"])
def test_a_bad_model_file_is_one_line_exit_2(capsys, tmp_path, case, role):
    name, content, words = BAD_FILES[case]
    good = _write(tmp_path, "good.json", GOOD)
    if content is None:
        bad = str(tmp_path / name)
    elif content == "dir":
        os.mkdir(tmp_path / name)
        bad = str(tmp_path / name)
    else:
        bad = _write(tmp_path, name, content)
    args = (bad, good) if role == "P" else (good, bad)
    status, out, err = kl(capsys, *args)
    assert status == 2, (status, out, err)
    assert out == ""
    assert err.startswith(PREFIX + f"{role}: ") and err.endswith("\n"), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, (word, err)


def test_a_bad_npz_without_keys(capsys, tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, weights=np.array([1.0]))
    good = _write(tmp_path, "good.json", GOOD)
    status, _, err = kl(capsys, good, str(path))
    assert status == 2 and err.count("\n") == 1
    assert err.startswith(PREFIX + "Q: ") and "lacks the key(s)" in err


def test_dimension_mismatch(capsys, tmp_path):
    one = _write(tmp_path, "one.json", GOOD)
    two = _write(tmp_path, "two.json", {"weights": [1.0], "means": [[0.0, 0.0]],
                                        "covariances": [[[1.0, 0.0], [0.0, 1.0]]]})
    status, out, err = kl(capsys, one, two, "--json")
    assert status == 2 and out == ""
    assert err == PREFIX + f"P and Q must have the same dimension: P ({one}) is 1-D, Q ({two}) "\
        "is 2-D\n"


@pytest.mark.parametrize(
    "args, words",
    [
        (("--n-samples", "1"), ["n_samples", "at least 2"]),
        (("--method", "nope"), ["method", "nope"]),
        ((), ["P and Q, are required"]),
    ],
    ids=["n_samples_1", "unknown_method", "one_file_only"],
)
def test_bad_values_the_library_refuses_are_one_line(capsys, tmp_path, args, words):
    good = _write(tmp_path, "good.json", GOOD)
    files = (good,) if not args else (good, good)
    status, out, err = kl(capsys, *files, *args)
    assert status == 2 and out == "" and err.count("\n") == 1, err
    assert err.startswith(PREFIX)
    for word in words:
        assert word in err, (word, err)


@pytest.mark.parametrize(
    "args",
    [("--seed", "-1"), ("--seed", "x"), ("--n-samples", "many"), ("--base", "1"),
     ("--n-jobs", "0"), ("--bogus",)],
)
def test_bad_options_are_usage_errors(capsys, tmp_path, args):
    good = _write(tmp_path, "good.json", GOOD)
    with pytest.raises(SystemExit) as info:
        cli.main(["kl", good, good, *args])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: fastentropy kl ") and "Traceback" not in err
    assert err.splitlines()[-1].startswith("fastentropy kl: error: ")


# --------------------------------------------------------------------------- shipped data
def _moments(x: np.ndarray):
    return x.mean(axis=0), np.cov(x, rowvar=False, bias=True)


def test_shipped_mixtures_are_em_fixed_points_of_the_iris_species():
    # Without scikit-learn: after any EM M-step the mixture's mean is the data mean and its
    # covariance (minus reg_covar) the data covariance, exactly; the file must satisfy both.
    doc = _shipped()
    X, y = load_iris()
    assert doc["format"] == "fastentropy.gaussian_mixture_set"
    assert doc["names"] == list(IRIS_TARGET_NAMES)
    reg = doc["fit"]["reg_covar"]
    assert reg == pytest.approx(0.1**2 / 12)
    loaded = mixture.load_iris_mixtures()
    assert list(loaded) == list(IRIS_TARGET_NAMES)
    for label, name in enumerate(IRIS_TARGET_NAMES):
        m = doc["models"][name]
        w, mu = np.array(m["weights"]), np.array(m["means"])
        cov = np.array(m["covariances"])
        assert m["covariance_type"] == "full" and w.shape == (2,) and mu.shape == (2, 4)
        assert w[0] >= w[1]  # listed by decreasing weight
        mean, data_cov = _moments(X[y == label])
        np.testing.assert_allclose(w @ mu, mean, atol=1e-9)
        second = np.einsum("k,kij->ij", w, cov - reg * np.eye(4) + mu[:, :, None] * mu[:, None])
        np.testing.assert_allclose(second - np.outer(mean, mean), data_cov, atol=1e-9)
        gm = loaded[name]
        np.testing.assert_array_equal(gm.means, mu)
        np.testing.assert_array_equal(gm.covariances, cov)


def _script():
    spec = importlib.util.spec_from_file_location("fit_demo_mixtures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_data_file_matches_what_the_script_fits(tmp_path):
    pytest.importorskip(
        "sklearn", reason="scikit-learn is needed to rerun scripts/fit_demo_mixtures.py"
    )
    script = _script()
    fresh = script.fit_iris_mixtures()
    shipped = _shipped()
    assert fresh["names"] == shipped["names"] and list(fresh["models"]) == shipped["names"]
    settings = {k: v for k, v in fresh["fit"].items() if k != "sklearn_version"}
    assert settings == {k: v for k, v in shipped["fit"].items() if k != "sklearn_version"}
    for name in shipped["names"]:
        a, b = fresh["models"][name], shipped["models"][name]
        assert a["covariance_type"] == b["covariance_type"] == "full"
        for key in ("weights", "means", "covariances"):
            np.testing.assert_allclose(a[key], b[key], rtol=0, atol=1e-8, err_msg=f"{name} {key}")
    # the script's own --check agrees, and catches a file that differs by more than 1e-8
    assert script.max_difference(fresh, shipped) <= script.CHECK_TOL
    shipped["models"]["setosa"]["means"][0][0] += 1e-6
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(shipped))
    assert script.max_difference(fresh, shipped) == pytest.approx(1e-6, rel=1e-3)
    assert script.main(["--check", "--output", str(path)]) == 1


# --------------------------------------------------------------------------- demo section
def _section_rows(lines: list[str]) -> tuple[list[str], list[list[str]], str]:
    """(headers, rows, note) of the mixture section's table in the printed lines."""
    i = next(k for k, line in enumerate(lines) if "Iris species as Gaussian mixtures" in line)
    assert set(lines[i + 1]) == {"-"}
    headers = re.split(r"\s{2,}", lines[i + 2].strip())
    rows = []
    k = i + 4
    while k < len(lines) and lines[k].split()[:1] and lines[k].split()[0] in IRIS_TARGET_NAMES:
        rows.append(lines[k].split())
        k += 1
    return headers, rows, "\n".join(lines[k:])


def _independent_kl(pm: dict, qm: dict, n: int, seed: int) -> tuple[float, float]:
    """Plain Monte Carlo KL(p || q) in nats and its standard error, with numpy and scipy."""
    rng = np.random.default_rng(seed)
    w = np.array(pm["weights"])
    comp = rng.choice(len(w), size=n, p=w)
    x = np.empty((n, len(pm["means"][0])))
    for k in range(len(w)):
        idx = comp == k
        x[idx] = rng.multivariate_normal(pm["means"][k], pm["covariances"][k], size=idx.sum())

    def logpdf(m):
        parts = [math.log(wk) + multivariate_normal(mk, ck).logpdf(x)
                 for wk, mk, ck in zip(m["weights"], m["means"], m["covariances"])]
        return logsumexp(np.stack(parts), axis=0)

    d = logpdf(pm) - logpdf(qm)
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(n))


def _gaussian_kl(m0, s0, m1, s1) -> float:
    inv = np.linalg.inv(s1)
    dm = m1 - m0
    return 0.5 * float(np.trace(inv @ s0) + dm @ inv @ dm - len(m0)
                       + np.linalg.slogdet(s1)[1] - np.linalg.slogdet(s0)[1])


@pytest.mark.parametrize("base", [2.0, math.e])
def test_demo_section_numbers_match_an_independent_computation(base):
    lines: list[str] = []
    cli.run_demo(n_jobs=1, base=base, out=lines.append, sections=(mixture.SECTION,))
    headers, rows, note = _section_rows(lines)
    assert headers == ["P", "Q", "KL(P||Q)", "std err", "lower", "upper", "1 Gaussian"]
    assert lines[0].endswith(f"({'bits' if base == 2 else 'nats'}), on the bundled data:")
    assert "Fisher's Iris" in lines[1]
    assert "(a) Iris species as Gaussian mixtures: KL between them [" in "\n".join(lines)
    names = list(IRIS_TARGET_NAMES)
    assert [tuple(r[:2]) for r in rows] == [(a, b) for a in names for b in names if a != b]
    doc = _shipped()
    X, y = load_iris()
    ln_b = math.log(base)
    bounds_available = "bounds" in _library_methods(*_mixture_pair(np.random.default_rng(0)))
    for a, b, est, se, lower, upper, single in rows:
        est, se, single = float(est), float(se), float(single)
        ref, ref_se = _independent_kl(doc["models"][a], doc["models"][b], 20_000, seed=len(a + b))
        ref, ref_se = ref / ln_b, ref_se / ln_b
        # the same quantity within 5 combined standard errors (the printed stderr is of 1e5
        # stratified samples, the independent one of 2e4 plain samples: ~sqrt(5) larger)
        assert abs(est - ref) <= 5 * math.hypot(se, ref_se) + 1e-4, (a, b, est, ref, se, ref_se)
        assert 0.4 * ref_se <= se * math.sqrt(mixture.N_SAMPLES / 20_000) <= 1.2 * ref_se, (
            a, b, se, ref_se)
        # and exactly what the library gives with the section's seed, to the printed digits
        lib = fe.kl_divergence_mixture(
            mixture.load_iris_mixtures()[a], mixture.load_iris_mixtures()[b],
            method="mc", n_samples=mixture.N_SAMPLES, random_state=mixture.SEED, base=base)
        assert est == pytest.approx(lib.estimate, abs=1e-4)
        # single Gaussians fitted to the flowers, by the textbook closed form
        la, lb = names.index(a), names.index(b)
        g = _gaussian_kl(*_moments(X[y == la]), *_moments(X[y == lb])) / ln_b
        assert single == pytest.approx(g, abs=1e-4)
        if bounds_available:
            lo, up = float(lower), float(upper)
            assert 0 <= lo <= up
            assert lo <= ref + 5 * ref_se and up >= ref - 5 * ref_se, (a, b, lo, up, ref)
        else:
            assert (lower, upper) == ("n/a", "n/a")
    if bounds_available:
        assert "guaranteed bounds on KL(P||Q) (method='bounds')" in note
    else:
        assert "no method='bounds'" in note
    assert f"Monte Carlo over {mixture.N_SAMPLES} samples of P per pair" in note
    m = re.search(r"ratio is KL\((\w+)\|\|(\w+)\) / KL\(\w+\|\|\w+\) = (\S+)\.", note)
    kls = {(r[0], r[1]): float(r[2]) for r in rows}
    assert m and float(m.group(3)) == pytest.approx(
        max(kls[k] / kls[k[::-1]] for k in kls), abs=0.01)
    assert kls[m.group(1), m.group(2)] / kls[m.group(2), m.group(1)] == pytest.approx(
        float(m.group(3)), abs=0.01)
