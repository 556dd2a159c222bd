"""The ``fastentropy`` command (``python -m fastentropy``) and the bundled datasets.

The demo runs in a subprocess, on whichever backend this suite runs on (FASTENTROPY_BACKEND is
inherited); its tables are parsed back and a few printed numbers are checked against numpy,
scipy and scikit-learn computed independently here.
"""
from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import scipy.stats

import fastentropy as fe
from fastentropy import cli
from fastentropy.datasets import IRIS_FEATURE_NAMES, load_digits, load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fe.__file__)))


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    # `python -m` puts the working directory first on sys.path: run from the directory that
    # holds the fastentropy under test, so a source checkout cannot shadow the installed build.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PKG_ROOT, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(
        [sys.executable, "-m", "fastentropy", *args],
        capture_output=True, text=True, timeout=timeout, cwd=PKG_ROOT, env=env,
    )


def parse_tables(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """{title: (headers, rows)} from the demo's plain-text tables (cut at the dash spans)."""
    lines = text.splitlines()
    tables = {}
    for i in range(len(lines) - 3):
        title, underline, header, rule = lines[i : i + 4]
        if not (underline and set(underline) == {"-"} and len(underline) == len(title)):
            continue
        if not (rule and set(rule) <= {"-", " "}):
            continue
        spans = [m.span() for m in re.finditer(r"-+", rule)]

        def cut(line, spans=spans):
            cells = []
            for k, (a, b) in enumerate(spans):
                end = spans[k + 1][0] if k + 1 < len(spans) else len(line)
                cells.append(line[a if k else 0 : max(b, end)].strip())
            return cells

        rows = []
        for line in lines[i + 4 :]:
            if not line.strip():
                break
            cells = cut(line)
            if len(line) > len(rule) + 1 or not all(_is_number(c) for c in cells[1:] if c):
                break  # the note under the table
            rows.append(cells)
        tables[title] = (cut(header), rows)
    return tables


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell.startswith(("(", "'")) or cell.isidentifier()  # labels in label columns
    return True


def _find(tables, prefix):
    hits = [t for t in tables if t.startswith(prefix)]
    assert hits, f"no table titled {prefix!r}; got {list(tables)}"
    return tables[hits[0]]


def _col(table, name):
    headers, rows = table
    j = headers.index(name)
    return [r[j] for r in rows]


@pytest.fixture(scope="module")
def demo():
    proc = run("demo", "--n-jobs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def tables(demo):
    return parse_tables(demo)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


# --------------------------------------------------------------------------- command line
def test_help():
    proc = run("--help")
    assert proc.returncode == 0
    assert "demo" in proc.stdout and "info" in proc.stdout
    proc = run("demo", "--help")
    assert proc.returncode == 0
    assert "--n-jobs" in proc.stdout and "--base" in proc.stdout


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert fe.__version__ in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("demo", "--no-such-option"),
        ("demo", "--n-jobs", "0"),
        ("demo", "--n-jobs", "two"),
        ("demo", "--base", "1"),
        ("demo", "--base", "-2"),
        ("demo", "--base", "nan"),
        ("no-such-command",),
        (),
    ],
    ids=lambda a: " ".join(a) or "no-command",
)
def test_bad_usage_is_a_usage_error_not_a_traceback(args):
    proc = run(*args)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "usage: fastentropy" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_info_prints_the_configuration():
    proc = run("info")
    assert proc.returncode == 0, proc.stderr
    assert "backend" in proc.stdout and fe.backend() in proc.stdout


def test_console_script_is_declared_and_resolves():
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    module, _, attr = scripts["fastentropy"].partition(":")
    assert (module, attr) == ("fastentropy.cli", "main")
    assert callable(getattr(cli, attr))


def test_main_in_process(capsys):
    assert cli.main(["demo", "--n-jobs", "1", "--base", "e"]) == 0
    out = capsys.readouterr().out
    assert "nats" in out and "wall time" in out


# --------------------------------------------------------------------------- demo output
def test_demo_tables_present_and_finite(demo, tables):
    expected = []
    if hasattr(fe, "entropy_counts") and hasattr(fe, "bincount_rows"):
        expected += [
            "(a) Entropy of the digit label",
            "(a) Entropy of pixel intensities",
            "(a) Small-sample bias",
        ]
    if hasattr(fe, "mutual_information"):
        expected += ["(b) Feature ranking"]
    if hasattr(fe, "adjusted_mutual_info_score"):
        expected += ["(b) Digit label vs a crude 2-cluster split"]
    if hasattr(fe, "jensen_shannon"):
        expected += ["(c) Divergences"]
    if hasattr(fe, "entropy_samples"):
        expected += ["(d) Iris"]
    assert expected, "no demo section can run: the discrete functions are missing"
    for prefix in expected:
        headers, rows = _find(tables, prefix)
        assert rows, prefix
        for row in rows:
            assert len(row) == len(headers), (prefix, row)
            for cell in row[1:]:
                if re.fullmatch(r"[-+]?\d+(\.\d+)?|[-+]?(nan|inf)", cell):
                    assert math.isfinite(float(cell)), (prefix, row)
    assert "Not shown" not in demo or not expected
    assert re.search(r"backend: (compiled|numpy) \| openmp: (on|off) \| threads used: \d+", demo)
    assert re.search(r"wall time: \d+\.\d+ s", demo)


def test_demo_is_deterministic(demo):
    again = run("demo", "--n-jobs", "1")
    assert again.returncode == 0, again.stderr
    strip = lambda s: re.sub(r"threads used: .*", "", s)
    assert strip(again.stdout) == strip(demo)


@pytest.mark.skipif(not hasattr(fe, "entropy_counts"), reason="entropy_counts not available")
def test_demo_numbers_match_scipy(tables, digits):
    X, y = digits
    table = _find(tables, "(a) Entropy of the digit label")
    h_label = float(_col(table, "plugin")[0])
    assert h_label == pytest.approx(scipy.stats.entropy(np.bincount(y), base=2), abs=6e-5)
    assert float(_col(table, "plugin")[1]) == pytest.approx(math.log2(10), abs=6e-5)

    pixels = _find(tables, "(a) Entropy of pixel intensities")
    for label, h in zip(_col(pixels, "pixel (row,col)"), _col(pixels, "plugin")):
        r, c = map(int, label.strip("()").split(","))
        ref = scipy.stats.entropy(np.bincount(X[:, 8 * r + c], minlength=17), base=2)
        assert float(h) == pytest.approx(ref, abs=6e-5), label
    mm = _col(pixels, "miller_madow")
    for label, h in zip(_col(pixels, "pixel (row,col)"), mm):
        r, c = map(int, label.strip("()").split(","))
        counts = np.bincount(X[:, 8 * r + c], minlength=17)
        ref = scipy.stats.entropy(counts) + (np.count_nonzero(counts) - 1) / (2 * counts.sum())
        assert float(h) == pytest.approx(ref / math.log(2), abs=6e-5), label


@pytest.mark.skipif(not hasattr(fe, "mutual_information"), reason="no mutual_information")
def test_demo_mutual_information_matches_sklearn(tables, digits):
    from sklearn.metrics import mutual_info_score

    X, y = digits
    ranking = _find(tables, "(b) Feature ranking")
    labels, mi = _col(ranking, "pixel"), _col(ranking, "MI plugin")
    assert len(labels) == 10
    for label, value in zip(labels, mi):
        r, c = map(int, label.strip("()").split(","))
        ref = mutual_info_score(y, X[:, 8 * r + c]) / math.log(2)
        assert float(value) == pytest.approx(ref, abs=6e-5), label


@pytest.mark.skipif(not hasattr(fe, "adjusted_mutual_info_score"), reason="AMI not available")
def test_demo_split_scores_match_sklearn(tables, digits):
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

    X, y = digits
    split = (X.sum(axis=1) > np.median(X.sum(axis=1))).astype(int)
    table = _find(tables, "(b) Digit label vs a crude 2-cluster split")
    row = table[1][0]
    assert row[0] == "total ink > median"
    nmi = normalized_mutual_info_score(y, split)
    ami = adjusted_mutual_info_score(y, split)
    assert float(row[table[0].index("NMI")]) == pytest.approx(nmi, abs=6e-5)
    assert float(row[table[0].index("AMI")]) == pytest.approx(ami, abs=6e-5)


@pytest.mark.skipif(not hasattr(fe, "jensen_shannon"), reason="jensen_shannon not available")
def test_demo_divergences_match_scipy(tables, digits):
    from scipy.spatial.distance import jensenshannon

    X, y = digits
    table = _find(tables, "(c) Divergences")
    headers, rows = table
    for row in rows:
        a, b = map(int, row[0].split(" vs "))
        p = X[y == a].sum(axis=0) + 1.0
        q = X[y == b].sum(axis=0) + 1.0
        p, q = p / p.sum(), q / q.sum()
        refs = {
            "JS": jensenshannon(p, q, base=2) ** 2,
            "KL(p||q)": scipy.stats.entropy(p, q, base=2),
            "KL(q||p)": scipy.stats.entropy(q, p, base=2),
            "TV": 0.5 * np.abs(p - q).sum(),
            "Hellinger": np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()),
        }
        for name, ref in refs.items():
            if name in headers:
                got = float(row[headers.index(name)])
                assert got == pytest.approx(ref, abs=6e-5), (row[0], name)


@pytest.mark.skipif(not hasattr(fe, "entropy_samples"), reason="entropy_samples not available")
def test_demo_iris_matches_numpy_histogram(tables):
    X, _ = load_iris()
    headers, rows = _find(tables, "(d) Iris")
    feature = None
    for row in rows:
        feature = row[0] or feature
        j = IRIS_FEATURE_NAMES.index(feature)
        rule = row[headers.index("bin rule")]
        counts, edges = np.histogram(X[:, j], bins=int(rule) if rule.isdigit() else rule)
        assert int(row[headers.index("bins")]) == len(counts)
        ref = scipy.stats.entropy(counts, base=2)
        got = float(row[headers.index("H plugin")])
        assert got == pytest.approx(ref, abs=6e-5), (feature, rule)


# --------------------------------------------------------------------------- bundled data
def test_load_digits(digits):
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == np.int64 and X.flags.c_contiguous
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert sorted(np.unique(y)) == list(range(10))
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_iris():
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert np.bincount(y).tolist() == [50, 50, 50]
    # Fisher's published column means (cm)
    np.testing.assert_allclose(X.mean(axis=0), [5.843333, 3.057333, 3.758, 1.199333], atol=1e-6)


def test_bundled_data_match_scikit_learn_copy(digits):
    sk = pytest.importorskip("sklearn.datasets")
    X, y = digits
    d = sk.load_digits()
    np.testing.assert_array_equal(X, d.data)
    np.testing.assert_array_equal(y, d.target)
    Xi, yi = load_iris()
    i = sk.load_iris()
    np.testing.assert_array_equal(Xi, i.data)
    np.testing.assert_array_equal(yi, i.target)


def test_data_licence_file_names_source_licence_and_checksums():
    data = resources.files("fastentropy").joinpath("data")
    text = data.joinpath("LICENSE-DATA.md").read_text()
    assert "CC BY 4.0" in text and "Alpaydin" in text and "Fisher" in text
    for name in ("digits.csv.gz", "iris.csv"):
        digest = hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest()
        assert digest in text, f"{name}: checksum {digest} not recorded in LICENSE-DATA.md"
