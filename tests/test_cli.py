"""The ``fastentropy`` command (``python -m fastentropy``) and the bundled datasets.

The demo runs in a subprocess, on whichever backend this suite runs on (FASTENTROPY_BACKEND is
inherited); its tables are parsed back and a few printed numbers are checked against numpy,
scipy and scikit-learn computed independently here.
"""
from __future__ import annotations

import hashlib
import math
import os
import pkgutil
import re
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import scipy.stats

import fastentropy as fe
from fastentropy import cli, datasets
from fastentropy._config import machine_cores
from fastentropy.cli import demo_sections
from fastentropy.datasets import IRIS_FEATURE_NAMES, load_digits, load_iris

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(fe.__file__)))


def run(*args: str, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess:
    # `python -m` puts the working directory first on sys.path: run from the directory that
    # holds the fastentropy under test, so a source checkout cannot shadow the installed build.
    env = dict(os.environ, **extra_env)
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
    # the usage of the subcommand the mistake concerns, not the main one
    usage = "usage: fastentropy demo " if args[:1] == ("demo",) else "usage: fastentropy [-h]"
    assert proc.stderr.startswith(usage), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [c.name for c in cli.COMMANDS])
def test_unknown_option_prints_the_subcommands_usage(command):
    proc = run(command, "--bogus")
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.startswith(f"usage: fastentropy {command} "), proc.stderr
    assert "unrecognized arguments: --bogus" in proc.stderr
    assert "COMMAND" not in proc.stderr  # nothing of the main usage line


def test_unknown_option_before_any_command_prints_the_main_usage():
    proc = run("--bogus")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: fastentropy [-h]"), proc.stderr
    assert "--bogus" in proc.stderr


def _squash(text: str) -> str:
    return " ".join(text.split())  # undo argparse's line wrapping


def test_demo_help_names_every_bundled_dataset():
    loaders = sorted(n[len("load_"):] for n in datasets.__all__ if n.startswith("load_"))
    assert "digits" in loaders and "iris" in loaders
    used = {key for s in demo_sections.SECTIONS for key in s.data}
    main_help, demo_help = _squash(run("--help").stdout), _squash(run("demo", "--help").stdout)
    for key in loaders:
        assert key in demo_sections.DATASETS, f"datasets.load_{key} has no entry in DATASETS"
        assert key in used, f"no demo section uses the bundled dataset {key!r}"
        name = demo_sections.DATASETS[key].name
        assert name in main_help, (name, main_help)
        assert name in demo_help, (name, demo_help)
    assert "Iris" in demo_help and "digits" in demo_help


def test_info_prints_the_configuration():
    proc = run("info")
    assert proc.returncode == 0, proc.stderr
    assert "backend" in proc.stdout and fe.backend() in proc.stdout


def _info(text: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in text.splitlines() if len(line.split(None, 1)) == 2)


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_info_reports_the_machines_cores_on_either_backend(backend):
    proc = run("info", FASTENTROPY_BACKEND=backend)
    assert proc.returncode == 0, proc.stderr
    facts = _info(proc.stdout)
    assert int(facts["cores"]) == machine_cores(), proc.stdout
    if hasattr(os, "sched_getaffinity"):
        assert machine_cores() == len(os.sched_getaffinity(0))
    else:
        assert machine_cores() == os.cpu_count()
    if facts["backend"] == "numpy":
        assert facts["threads"] == "1"  # the twins run on one thread


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
    assert "ln(10), the maximum" in out and "ln(10) = 2.30 nats" in out


# --------------------------------------------------------------------------- the layout
def _modules(package) -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
    )


def test_every_subcommand_module_is_registered():
    # cli/<name>.py defines COMMAND and is listed in cli.COMMANDS (see the cli docstring)
    modules = [m for m in _modules(cli) if m != "demo_sections"]
    names = [c.name for c in cli.COMMANDS]
    assert sorted(names) == modules, (names, modules)
    assert len(set(names)) == len(names)
    for name in modules:
        module = __import__(f"fastentropy.cli.{name}", fromlist=["COMMAND"])
        assert module.COMMAND in cli.COMMANDS
        assert module.COMMAND.help and module.COMMAND.description
    parser_help = cli.build_parser().format_help()
    for name in names:
        assert name in parser_help


def test_every_demo_section_module_is_registered():
    # cli/demo_sections/<name>.py defines SECTION and is listed in SECTIONS
    modules = _modules(demo_sections)
    assert len(demo_sections.SECTIONS) == len(modules)
    for name in modules:
        module = __import__(f"fastentropy.cli.demo_sections.{name}", fromlist=["SECTION"])
        assert module.SECTION in demo_sections.SECTIONS, name
    for section in demo_sections.SECTIONS:
        for needed in section.requires:
            assert needed in fe.__all__, (section.name, needed)
        for key in section.data:
            assert key in demo_sections.DATASETS, (section.name, key)


def test_a_section_whose_function_is_missing_is_skipped_and_named():
    lines: list[str] = []
    absent = demo_sections.Section(
        name="from the future", requires=("no_such_function",), data=(), run=lambda ctx: None
    )
    cli.run_demo(n_jobs=1, out=lines.append, sections=(*demo_sections.SECTIONS[:1], absent))
    text = "\n".join(lines)
    assert "(a) Entropy of the digit label" in text
    assert "Not shown (not available in this build): (b) from the future" in text
    assert "Iris" not in text.split("demo", 1)[1].split("(a)", 1)[0]  # header: digits only


# --------------------------------------------------------------------------- threads
def test_demo_footer_reports_the_threads_that_run_not_the_request():
    proc = run("demo", "--n-jobs", "1000")
    assert proc.returncode == 0, proc.stderr
    m = re.search(r"threads: up to (\d+) of (\d+) cores(.*?) \|", proc.stdout)
    assert m, proc.stdout[-400:]
    threads, cores = int(m.group(1)), int(m.group(2))
    assert cores == machine_cores()
    assert "--n-jobs 1000 capped at the core count" in m.group(3)
    assert "1000 of" not in proc.stdout
    assert threads == (cores if fe.config()["openmp"] else 1)


def test_demo_passes_no_more_threads_than_cores(monkeypatch):
    # Every public function the demo calls records the n_jobs it gets: --n-jobs 1000 must not
    # reach a kernel (1000 threads on this machine are really started: OpenMP obeys).
    seen: list[int] = []

    def spy(f):
        def wrapper(*args, **kwargs):
            if kwargs.get("n_jobs") is not None:
                seen.append(kwargs["n_jobs"])
            return f(*args, **kwargs)

        return wrapper

    for name in fe.__all__:
        obj = getattr(fe, name)
        if callable(obj) and not isinstance(obj, type):
            monkeypatch.setattr(fe, name, spy(obj))
    lines: list[str] = []
    cli.run_demo(n_jobs=1000, out=lines.append)
    assert seen, "the demo passed n_jobs to nothing"
    assert max(seen) <= fe.config()["cores"], sorted(set(seen))
    lines.clear()
    seen.clear()
    cli.run_demo(n_jobs=-1, out=lines.append)
    assert set(seen) <= {-1, 1}  # within the core count: passed on as asked


def test_demo_threads_helper():
    from fastentropy.cli.demo import demo_threads

    cores = fe.config()["cores"]
    omp = fe.config()["openmp"]
    assert demo_threads(cores + 5, cores) == (cores, cores if omp else 1, True)
    assert demo_threads(1, cores) == (1, 1, False)
    assert demo_threads(-1, cores) == (-1, cores if omp else 1, False)
    assert demo_threads(None, cores)[::2] == (None, False)


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
    assert re.search(
        r"backend: (compiled|numpy) \| openmp: (on|off) \| threads: up to \d+ of \d+ cores", demo
    )
    assert re.search(r"wall time: \d+\.\d+ s", demo)


def test_demo_wording(demo, tables):
    # bits throughout: the maximum is log2(10) = 3.32 bits, not "log(10)"
    assert "log2(10), the maximum" in demo and "log2(10) = 3.32 bits" in demo
    assert "log(10)" not in demo.replace("log2(10)", "")
    # every column of the bias table is explained under it
    headers, _ = _find(tables, "(a) Small-sample bias")
    assert headers == ["estimator", "mean bias", "RMSE", "std across subsets"]
    note = demo.split("(a) Small-sample bias", 1)[1].split("\n\n", 1)[0]
    for name in headers[1:]:
        assert f"{name} is" in note or f"{name} its" in note, name
    assert "mean std" not in demo
    # the Iris column says what unit its log is of
    headers, _ = _find(tables, "(d) Iris")
    assert "H + log2(width/cm)" in headers
    assert "log-cm" not in demo
    # the header names every dataset the sections read
    head = demo.split("\n\n", 1)[0]
    for key in ("digits", "iris"):
        assert demo_sections.DATASETS[key].name in head


def test_demo_is_deterministic(demo):
    again = run("demo", "--n-jobs", "1")
    assert again.returncode == 0, again.stderr
    strip = lambda s: re.sub(r"threads: .*", "", s)
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
    for name in ("digits.csv.gz", "iris.csv", "iris_mixtures.json"):
        digest = hashlib.sha256(data.joinpath(name).read_bytes()).hexdigest()
        assert digest in text, f"{name}: checksum {digest} not recorded in LICENSE-DATA.md"
