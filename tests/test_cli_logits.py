"""``fastentropy logits FILE.npy`` and the demo's logits section."""
import json

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as ss

from fastentropy.cli import main
from fastentropy.cli.demo_sections import logits as section


def _save(tmp_path, x):
    path = tmp_path / "logits.npy"
    np.save(path, x)
    return str(path)


def test_rows_summary_and_json(tmp_path, capsys, rng):
    x = rng.normal(size=(4, 6)).astype(np.float32)
    ref = ss.entropy(sp.softmax(x.astype(float), axis=-1), axis=-1, base=2)
    f = _save(tmp_path, x)
    assert main(["logits", f, "--base", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [ln.split("\t")[0] for ln in lines] == ["0", "1", "2", "3"]
    np.testing.assert_allclose([float(ln.split("\t")[1]) for ln in lines], ref, rtol=1e-9)
    assert main(["logits", f, "--json", "--summary", "--base", "2"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["rows"] == 4 and stats["mean"] == pytest.approx(ref.mean(), rel=1e-12)
    assert main(["logits", f, "--json", "--temperature", "2"]) == 0
    got = json.loads(capsys.readouterr().out)["entropy"]
    ref_t = ss.entropy(sp.softmax(x.astype(float) / 2.0, axis=-1), axis=-1, base=2)
    np.testing.assert_allclose(got, ref_t, rtol=1e-9)  # the default unit is bits


@pytest.mark.parametrize(
    "arr, extra, match",
    [
        (np.array([[0.0, np.nan]]), [], "NaN"),
        (np.array([[-np.inf, -np.inf]]), [], "all -inf"),
        (np.ones((2, 3)), ["--temperature", "0"], "temperature"),
        (np.ones((2, 3)), ["--axis", "4"], "axis"),
    ],
)
def test_errors_are_one_line_and_exit_2(tmp_path, capsys, arr, extra, match):
    assert main(["logits", _save(tmp_path, arr), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err and err.startswith("fastentropy logits")


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["logits", str(tmp_path / "nope.npy")]) == 2
    assert "error" in capsys.readouterr().err


def test_demo_section_model_is_a_working_classifier():
    from fastentropy.datasets import load_digits

    X, y = load_digits()
    s = section.class_scores(X.astype(float), y)
    assert (s.argmax(axis=1) == y).mean() > 0.85  # nearest centroid on the digits
    import fastentropy as fe

    h = fe.softmax_entropy(s)
    wrong = s.argmax(axis=1) != y
    assert h[wrong].mean() > h[~wrong].mean()  # the model is less certain where it is wrong
