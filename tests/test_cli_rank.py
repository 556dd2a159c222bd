"""``fastentropy rank`` (fastentropy/cli/rank.py) and the k-NN demo section
(fastentropy/cli/demo_sections/knn.py).

The command runs in-process through ``cli.main``; its printed values are checked against
``fe.mutual_info_many`` / ``fe.mutual_info_score`` / ``fe.mutual_info_knn(discrete_*=True)``
called here on the arrays the CSV was written from (and scikit-learn's KSG and Ross where the
data are untied), and the demo section's table against scikit-learn and numpy.
"""
from __future__ import annotations

import json
import math
import os
import re
import warnings

import numpy as np
import pytest
from test_cli import parse_tables, run

import fastentropy as fe
from fastentropy import cli
from fastentropy.cli import rank as rank_module
from fastentropy.cli.demo_sections import knn as knn_section
from fastentropy.datasets import IRIS_FEATURE_NAMES, load_iris

N = 200


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    a = rng.normal(size=N)
    b = a + 0.5 * rng.normal(size=N)
    c = rng.normal(size=N)
    wide = rng.integers(0, 1000, size=N)  # whole numbers, many levels: continuous
    colour = np.where(a + 0.3 * rng.normal(size=N) > 0, "red", "blue")
    level = rng.integers(0, 4, size=N) + (colour == "red")  # whole numbers, 5 levels: discrete
    return {"a": a, "b": b, "c": c, "wide": wide, "colour": colour, "level": level,
            "const": np.full(N, 5.0)}


def write_csv(path, columns: dict, order=None) -> str:
    names = list(order or columns)
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(len(next(iter(columns.values())))):
            f.write(",".join(repr(float(columns[k][i])) if columns[k].dtype.kind == "f"
                             else str(columns[k][i]) for k in names) + "\n")
    return str(path)


@pytest.fixture()
def csv_file(tmp_path, data):
    return write_csv(tmp_path / "data.csv", data)


def rank(capsys, *args):
    status = cli.main(["rank", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def parse_rank_table(text: str) -> tuple[str, list[str], list[list[str]]]:
    """(title, headers, rows) of rank's table, cut at the dash spans of the rule line."""
    lines = text.splitlines()
    assert lines[0] == "" and set(lines[2]) == {"-"} and len(lines[2]) == len(lines[1])
    spans = [m.span() for m in re.finditer(r"-+", lines[4])]

    def cut(line: str) -> list[str]:
        return [line[a : spans[i + 1][0] if i + 1 < len(spans) else None].strip()
                for i, (a, _) in enumerate(spans)]

    rows = []
    for line in lines[5:]:
        cells = cut(line)
        if cells[2] not in ("continuous", "discrete"):
            break  # the note
        rows.append(cells)
    return lines[1], cut(lines[3]), rows


def rank_json(capsys, *args):
    status, out, err = rank(capsys, *args, "--json")
    assert status == 0, err
    return json.loads(out), err


# --------------------------------------------------------------------------- values


def test_continuous_target_values_match_mutual_info_many(capsys, csv_file, data):
    result, _ = rank_json(capsys, csv_file, "--target", "b", "--base", "2")
    by_name = {r["column"]: r for r in result["ranking"]}
    cont = ["a", "c", "wide"]
    X = np.column_stack([data[k].astype(float) for k in cont])
    ref = fe.mutual_info_many(X, data["b"], k=3, base=2)
    for name, value in zip(cont, ref):
        assert by_name[name]["kind"] == "continuous"
        assert by_name[name]["mi"] == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert by_name["const"]["mi"] == 0.0 and by_name["const"]["estimator"] == "constant"
    values = [r["mi"] for r in result["ranking"]]
    assert values == sorted(values, reverse=True)
    assert [r["rank"] for r in result["ranking"]] == list(range(1, len(values) + 1))
    assert result["ranking"][0]["column"] == "a"
    assert result["target_kind"] == "continuous" and result["unit"] == "bits"
    assert result["rows"] == N and result["k"] == 3
    assert result["skipped"] == []
    # a discrete column against the continuous target: Ross's estimator
    from sklearn.feature_selection import mutual_info_regression

    for name in ("colour", "level"):
        assert by_name[name]["kind"] == "discrete"
        assert by_name[name]["estimator"] == "Ross k=3"
        ref = fe.mutual_info_knn(data[name], data["b"], k=3, discrete_x=True, base=2)
        assert by_name[name]["mi"] == pytest.approx(ref, rel=1e-12, abs=1e-15)
        codes = np.unique(data[name], return_inverse=True)[1].reshape(-1, 1)
        sk = mutual_info_regression(codes, data["b"], discrete_features=True, n_neighbors=3,
                                    random_state=0)[0]
        assert by_name[name]["mi"] == pytest.approx(max(sk, 0) / math.log(2), rel=1e-6, abs=1e-9)


def test_discrete_target_values_match_mutual_info_score(capsys, csv_file, data):
    # a string target is fine: it is discrete
    result, _ = rank_json(capsys, csv_file, "--target", "colour", "--base", "e", "--n-jobs", "1")
    by_name = {r["column"]: r for r in result["ranking"]}
    assert result["target_kind"] == "discrete" and result["unit"] == "nats"
    ref = fe.mutual_info_score(data["colour"], data["level"])
    assert by_name["level"]["kind"] == "discrete"
    assert by_name["level"]["estimator"] == "plug-in"
    assert by_name["level"]["mi"] == pytest.approx(ref, rel=1e-12)
    assert ref > 0.05  # level depends on colour by construction
    # continuous columns against the discrete target: Ross's estimator, as scikit-learn's
    from sklearn.feature_selection import mutual_info_classif

    cont = ["a", "b", "c"]  # untied: scikit-learn's own tie-breaking noise does not matter
    X = np.column_stack([data[k] for k in cont])
    sk = mutual_info_classif(X, data["colour"], n_neighbors=3, random_state=0)
    for name, ref in zip(cont, sk):
        assert by_name[name]["estimator"] == "Ross k=3"
        assert by_name[name]["mi"] == pytest.approx(max(ref, 0), rel=1e-6, abs=1e-9), name
    ref = fe.mutual_info_knn(data["wide"].astype(float), data["colour"], k=3, discrete_y=True)
    assert by_name["wide"]["mi"] == pytest.approx(ref, rel=1e-12, abs=1e-15)
    assert result["skipped"] == []


def test_table_output(capsys, csv_file, data):
    status, out, err = rank(capsys, csv_file, "--target", "b", "--k", "5", "--algorithm", "ksg2")
    assert status == 0, err
    title, headers, rows = parse_rank_table(out)
    assert title == "Columns ranked by mutual information with 'b' (continuous) [bits]"
    assert headers == ["rank", "column", "kind", "estimator", "MI [bits]"]
    ranked = [r for r in rows if r[0] != "-"]
    X = np.column_stack([data["a"], data["c"], data["wide"].astype(float)])
    ref = dict(zip(["a", "c", "wide"],
                   fe.mutual_info_many(X, data["b"], k=5, algorithm="ksg2", base=2)))
    for r in ranked:
        if r[1] in ref:
            assert r[3] == "KSG 2 k=5"
            assert float(r[4]) == pytest.approx(ref[r[1]], abs=6e-7)
    assert [r[1] for r in ranked][0] == "a"
    assert len(ranked) == 6 and "Not ranked" not in out


def test_a_pair_ross_cannot_estimate_is_skipped_with_the_reason(capsys, tmp_path, data):
    ids = np.array([f"u{i}" for i in range(N)])
    path = write_csv(tmp_path / "ids.csv", {"id": ids, "a": data["a"], "b": data["b"]})
    status, out, err = rank(capsys, path, "--target", "b")
    assert status == 0, err
    _, _, rows = parse_rank_table(out)
    assert [r[:2] for r in rows] == [["1", "a"], ["-", "id"]]
    assert rows[1][3:] == ["skipped", "n/a"]
    assert "Not ranked: 'id': discrete column 'id': every class has a single member" in out
    result, _ = rank_json(capsys, path, "--target", "id")
    assert result["ranking"] == []
    assert [r["column"] for r in result["skipped"]] == ["a", "b"]
    assert all(r["reason"].startswith("discrete column 'id': ") for r in result["skipped"])


def test_classification_rules_and_overrides(capsys, csv_file):
    result, _ = rank_json(capsys, csv_file, "--target", "a")
    kinds = {r["column"]: r["kind"] for r in result["ranking"] + result["skipped"]}
    assert kinds == {"b": "continuous", "c": "continuous", "wide": "continuous",
                     "colour": "discrete", "level": "discrete", "const": "discrete"}
    result, _ = rank_json(capsys, csv_file, "--target", "a", "--discrete", "wide",
                          "--continuous", "level,const", "--max-levels", "3")
    kinds = {r["column"]: r["kind"] for r in result["ranking"] + result["skipped"]}
    assert kinds["wide"] == "discrete" and kinds["level"] == "continuous"
    assert kinds["const"] == "continuous"
    # with fewer levels allowed, level (5 whole-number values) is continuous by the rules
    result, _ = rank_json(capsys, csv_file, "--target", "colour", "--max-levels", "4")
    kinds = {r["column"]: r["kind"] for r in result["ranking"] + result["skipped"]}
    assert kinds["level"] == "continuous"


def test_discrete_override_of_a_numeric_target(capsys, tmp_path, data):
    path = write_csv(tmp_path / "t.csv", data, order=["level", "colour", "wide"])
    result, _ = rank_json(capsys, path, "--target", "wide", "--discrete", "wide")
    assert result["target_kind"] == "discrete"
    by_name = {r["column"]: r for r in result["ranking"]}
    for name in ("level", "colour"):
        ref = fe.mutual_info_score(data["wide"], data[name]) / math.log(2)
        assert by_name[name]["mi"] == pytest.approx(ref, rel=1e-12)


def test_tied_continuous_column_warns_in_one_line(capsys, tmp_path, data):
    cols = {"a": data["a"], "t": np.round(data["b"]).astype(float)}
    path = write_csv(tmp_path / "tied.csv", cols)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the library's own tie warning must not escape
        status, out, err = rank(capsys, path, "--target", "a", "--continuous", "t")
    assert status == 0, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastentropy rank: warning: column 't'")
    assert "--discrete 't'" in lines[0]


def test_other_library_warnings_are_printed_as_one_line(capsys, monkeypatch, csv_file):
    original = fe.mutual_info_score

    def warning_score(*args, **kwargs):
        warnings.warn("first line\n  second line", RuntimeWarning, stacklevel=2)
        return original(*args, **kwargs)

    monkeypatch.setattr(fe, "mutual_info_score", warning_score)
    status, _, err = rank(capsys, csv_file, "--target", "colour", "--json")
    assert status == 0
    # the library's warning, on one line
    assert err == "fastentropy rank: warning: first line second line\n"


def test_quoted_fields_semicolons_and_a_byte_order_mark(capsys, tmp_path):
    path = tmp_path / "q.csv"
    rng = np.random.default_rng(3)
    x = rng.normal(size=30)
    lab = np.where(x > 0, "yes, high", "no; low")
    text = "\ufeff" + '"x";"label"\n' + "".join(f'{v!r};"{s}"\n' for v, s in zip(x, lab))
    path.write_text(text, encoding="utf-8")
    result, _ = rank_json(capsys, path, "--target", "label", "--delimiter", ";")
    assert result["target"] == "label" and result["target_kind"] == "discrete"


def test_console_command_in_a_child_process(csv_file):
    proc = run("rank", csv_file, "--target", "b", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ranking"][0]["column"] == "a"
    proc = run("rank", csv_file + ".missing", "--target", "b")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"fastentropy rank: error: {csv_file}.missing: no such file"
    ]


# --------------------------------------------------------------------------- errors


def _write(path, text):
    path.write_text(text)
    return str(path)


ERRORS = {
    "missing file": (lambda d: os.path.join(d, "nope.csv"), ["--target", "a"], "no such file"),
    "directory": (lambda d: d, ["--target", "a"], "is a directory"),
    "empty": (lambda d: "", ["--target", "a"], "the file is empty"),
    "blank lines only": (lambda d: "\n\n", ["--target", "a"], "the file is empty"),
    "header only": (lambda d: "a,b\n", ["--target", "a"], "header but no data rows"),
    "ragged": (lambda d: "a,b\n1,2\n3\n", ["--target", "a"],
               "line 3 has 1 fields but the header has 2"),
    "empty cell": (lambda d: "a,b\n1,2\n3,\n4,5\n", ["--target", "a"],
                   "line 3, column 'b' is empty"),
    "NA in numbers": (lambda d: "a,b\n1,2\n3,NA\n4,5\n", ["--target", "a"],
                      "line 3, column 'b' is 'NA' in a column of numbers"),
    "inf in numbers": (lambda d: "a,b\n1,2\n3,inf\n4,5\n", ["--target", "a"],
                       "line 3, column 'b' is 'inf'"),
    "duplicate names": (lambda d: "a,a\n1,2\n", ["--target", "a"], "names column 'a' twice"),
    "unnamed column": (lambda d: "a,\n1,2\n", ["--target", "a"], "field 2 is empty"),
    "missing target": (lambda d: "a,b,c\n1,2,3\n", ["--target", "z"],
                       "no column 'z' in {path}; the columns are: a, b, c"),
    "no target option": (lambda d: "a,b\n1,2\n", [], "--target COLUMN is required"),
    "target only": (lambda d: "a\n1\n2\n", ["--target", "a"], "no column other than the target"),
    "unknown --discrete": (lambda d: "a,b\n1,2\n", ["--target", "a", "--discrete", "q"],
                           "--discrete: no column 'q'; the columns are: a, b"),
    "both overrides": (lambda d: "a,b\n1,2\n", ["--target", "a", "--discrete", "b",
                                                "--continuous", "b"], "both name 'b'"),
    "continuous strings": (lambda d: "a,b\n1,x\n2,y\n", ["--target", "a", "--continuous", "b"],
                           "column 'b' is not all numbers (it holds 'x')"),
    "k too large": (lambda d: "a,b\n1.5,2.5\n2.5,3.5\n3.5,1.5\n", ["--target", "a"],
                    "--k 3 needs more than 3 rows; the file has 3"),
    "k zero": (lambda d: "a,b\n1,2\n", ["--target", "a", "--k", "0"], "--k must be at least 1"),
    "max-levels zero": (lambda d: "a,b\n1,2\n", ["--target", "a", "--max-levels", "0"],
                        "--max-levels must be at least 1"),
    "long delimiter": (lambda d: "a,b\n1,2\n", ["--target", "a", "--delimiter", ";;"],
                       "--delimiter must be one character"),
    "not utf-8": (lambda d: b"a,b\n\xff\xfe,1\n", ["--target", "a"], "not a UTF-8 text file"),
    "constant continuous": (lambda d: "a,b\n1.5,1\n2.5,1\n3.5,1\n4.5,1\n5.5,1\n",
                            ["--target", "a", "--continuous", "b", "--k", "2"], None),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_one_line_and_exit_2(capsys, tmp_path, case):
    make, args, message = ERRORS[case]
    content = make(str(tmp_path))
    if isinstance(content, bytes):
        (tmp_path / "f.csv").write_bytes(content)
        path = str(tmp_path / "f.csv")
    elif case in ("missing file", "directory"):
        path = content
    else:
        path = _write(tmp_path / "f.csv", content)
    status, out, err = rank(capsys, path, *args)
    if message is None:  # not an error: a constant column has MI 0
        assert status == 0, err
        return
    assert status == 2, (out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("fastentropy rank: error: "), lines[0]
    assert message.format(path=path) in lines[0], lines[0]


def test_missing_file_argument(capsys):
    status, out, err = rank(capsys, "--target", "a")
    assert status == 2 and out == ""
    assert err == "fastentropy rank: error: the DATA.csv argument is required\n"


@pytest.mark.parametrize("args", [["--k", "x"], ["--base", "1"], ["--n-jobs", "0"],
                                  ["--algorithm", "ksg3"], ["--bogus"]])
def test_bad_options_are_usage_errors(capsys, csv_file, args):
    with pytest.raises(SystemExit) as exc:
        cli.main(["rank", csv_file, "--target", "a", *args])
    assert exc.value.code == 2
    assert "usage: fastentropy rank" in capsys.readouterr().err


def test_read_csv_and_classify_directly(tmp_path):
    path = _write(tmp_path / "x.csv", "n,s,w\n1,a,0.5\n2,b,1.5\n2,a,2.5\n")
    cols = rank_module.read_csv(path)
    rank_module.classify(cols, [], [])
    assert [(c.name, c.kind, c.distinct) for c in cols] == [
        ("n", "discrete", 2), ("s", "discrete", 2), ("w", "continuous", 3)]
    # "NA" among labels is a label; 1 and 1.0 are one number
    path = _write(tmp_path / "y.csv", "region,m,u\nEU,1,NA\nNA,1.0,NA\nEU,2,NA\n")
    cols = rank_module.read_csv(path)
    rank_module.classify(cols, [], [])
    assert [(c.name, c.kind, c.distinct) for c in cols] == [
        ("region", "discrete", 2), ("m", "discrete", 2), ("u", "discrete", 1)]


def test_one_and_one_point_zero_are_one_label(capsys, tmp_path):
    a = ["1", "1.0", "2", "2.0", "1", "2"] * 5
    b = ["x", "x", "y", "y", "x", "x"] * 5
    path = _write(tmp_path / "l.csv", "a,b\n" + "".join(f"{u},{v}\n" for u, v in zip(a, b)))
    result, _ = rank_json(capsys, path, "--target", "b", "--base", "e")
    ref = fe.mutual_info_score(b, [float(u) for u in a])
    assert result["ranking"][0]["mi"] == pytest.approx(ref, rel=1e-12)


# --------------------------------------------------------------------------- demo section


def test_demo_knn_section_matches_sklearn_and_numpy():
    from sklearn.feature_selection import mutual_info_classif, mutual_info_regression

    lines: list[str] = []
    cli.run_demo(n_jobs=1, out=lines.append, sections=(knn_section.SECTION,))
    tables = parse_tables("\n".join(lines))
    title = "(a) Iris: features ranked by k-NN mutual information with petal width (cm) [bits]"
    headers, rows = tables[title]
    assert headers == ["feature", "rank", "estimator", "MI", "MI as recorded", "corr r",
                       "Gaussian MI"]
    X, species = load_iris()
    # the same spreading, drawn here: uniform on +-0.05 cm from the documented seed
    J = X + np.random.default_rng(1936).uniform(-0.05, 0.05, size=X.shape)
    # scikit-learn's KSG and Ross with their own 1e-10 noise: equal to the printed 4 decimals
    ksg = mutual_info_regression(J[:, :3], J[:, 3], n_neighbors=3, random_state=0)
    ross = mutual_info_classif(J[:, 3:], species, n_neighbors=3, random_state=0)[0]
    expected = {name: v / math.log(2) for name, v in zip(IRIS_FEATURE_NAMES, ksg)}
    expected["species"] = ross / math.log(2)
    assert sorted(r[0] for r in rows) == sorted(expected)
    previous = math.inf
    for i, row in enumerate(rows):
        name = row[0]
        assert int(row[1]) == i + 1
        mi = float(row[3])
        assert mi <= previous
        previous = mi
        assert mi == pytest.approx(expected[name], abs=6e-5), row
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            if name == "species":
                assert row[2] == "Ross" and row[5:] == ["", ""]
                tied = fe.mutual_info_knn(species, X[:, 3], k=3, discrete_x=True, base=2)
            else:
                assert row[2] == "KSG"
                j = IRIS_FEATURE_NAMES.index(name)
                tied = fe.mutual_info_knn(X[:, j], X[:, 3], k=3, base=2)
                r = np.corrcoef(X[:, j], X[:, 3])[0, 1]
                assert float(row[5]) == pytest.approx(r, abs=6e-5)
                assert float(row[6]) == pytest.approx(-0.5 * math.log2(1 - r * r), abs=6e-5)
        assert float(row[4]) == pytest.approx(tied, abs=6e-5), row
    assert [r[0] for r in rows] == ["petal length (cm)", "species", "sepal length (cm)",
                                    "sepal width (cm)"]
    text = "\n".join(lines)
    assert "-1/2 log2(1 - r^2)" in text and "22 to 43 distinct values" in text
    assert "log2(3) = 1.58 bits" in text


def test_demo_knn_section_in_nats():
    lines: list[str] = []
    cli.run_demo(n_jobs=1, base=math.e, out=lines.append, sections=(knn_section.SECTION,))
    (title, (_, rows)), = parse_tables("\n".join(lines)).items()
    assert title.endswith("[nats]")
    X, species = load_iris()
    J = knn_section.dequantised_iris(X)
    ref = dict(zip(IRIS_FEATURE_NAMES, fe.mutual_info_many(J[:, :3], J[:, 3])))
    ref["species"] = fe.mutual_info_knn(species, J[:, 3], discrete_x=True)
    got = {r[0]: float(r[3]) for r in rows}
    assert got == pytest.approx(ref, abs=6e-5)
    text = "\n".join(lines)
    assert "-1/2 ln(1 - r^2)" in text and "ln(3) = 1.10 nats" in text
