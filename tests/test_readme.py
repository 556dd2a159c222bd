"""The README's tour runs as written and says what it computes."""
import ast
import inspect
import math
import os
import re

import numpy as np
import pytest

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def _readme():
    if not os.path.exists(README):
        pytest.skip("README.md not beside the tests (installed without the repository)")
    with open(README) as f:
        return f.read()


def _section(title):
    text = _readme()
    assert f"\n## {title}\n" in text, title
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _tour_code():
    text = _readme()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "README has no python example"
    return "\n".join(blocks)


def test_readme_tour_runs_and_its_stated_values_hold(capsys):
    ns: dict = {}
    exec(compile(_tour_code(), "README.md", "exec"), ns)
    fe = ns["fe"]
    assert fe.entropy([0.5, 0.25, 0.25], base=2) == pytest.approx(1.5)
    assert abs(fe.mutual_information(ns["table"], base=2) - 1.74) < 0.005
    assert "backend" in capsys.readouterr().out
    # the NSB line is in bits like its neighbours (the first draw of rng: the tour's counts)
    counts = np.random.default_rng(0).integers(0, 5, size=(3, 20))
    h_nats, sd_nats = fe.entropy_counts(counts, method="nsb", k=20, return_std=True)
    np.testing.assert_allclose(ns["H"], h_nats / math.log(2), rtol=1e-12)
    np.testing.assert_allclose(ns["sd"], sd_nats / math.log(2), rtol=1e-12)
    # the k-NN lines' stated values, against the bivariate Gaussian's closed forms
    assert abs(fe.entropy_knn(ns["xy"], base=2) - 3.357) < 0.06
    assert abs(fe.entropy_knn(ns["xy"], base=2) - 3.31) < 0.005  # the value the tour states
    mi_xy = fe.mutual_info_knn(ns["xy"][:, 0], ns["xy"][:, 1], base=2)
    assert abs(mi_xy - 0.737) < 0.06 and abs(mi_xy - 0.71) < 0.005
    mi = fe.mutual_info_many(ns["features"], ns["xy"][:, 1], base=2)
    assert np.all(np.diff(mi) < 0), mi  # noisier copies carry less information
    kl, bounds = ns["kl"], ns["bounds"]
    assert bounds.lower <= kl.estimate + 4 * kl.stderr
    assert kl.estimate - 4 * kl.stderr <= bounds.upper
    u = ns["u"]
    np.testing.assert_allclose(u.epistemic, u.total - u.aleatoric, atol=1e-12)
    sk = pytest.importorskip("sklearn.metrics")
    np.testing.assert_allclose(
        fe.adjusted_mutual_info_score(ns["a"], ns["b"]),
        sk.adjusted_mutual_info_score(ns["a"], ns["b"]),
        rtol=1e-10,
    )


def test_readme_states_the_two_commands():
    if not os.path.exists(README):
        pytest.skip("README.md not beside the tests")
    with open(README) as f:
        text = f.read()
    assert 'pip install ".[test]" && fastentropy demo' in text
    assert "\npytest" in text


def test_readme_tour_reports_every_log_quantity_in_one_unit():
    # No nats beside bits: every call in the tour to a function that takes `base` passes the
    # same base (2), as the tour's introduction says.
    import fastentropy as fe

    assert "this tour asks for bits (`base=2`)" in _section("A short tour")
    calls = [
        node
        for node in ast.walk(ast.parse(_tour_code()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "fe"
    ]
    takes_base = lambda name: "base" in inspect.signature(getattr(fe, name)).parameters
    with_base = [c for c in calls if takes_base(c.func.attr)]
    assert len(with_base) >= 8
    for call in with_base:
        bases = [ast.literal_eval(k.value) for k in call.keywords if k.arg == "base"]
        assert bases == [2], f"README tour line {call.lineno}: fe.{call.func.attr} without base=2"


def test_readme_says_how_to_avoid_the_unbuilt_source_tree():
    # The warning of an unbuilt source tree and the README give the same two fixes.
    text = _section("Two commands on a fresh machine")
    assert "clone's root" in text and "another folder" in text
    assert "`dev/build.sh`" in text
    assert os.path.exists(os.path.join(os.path.dirname(README), "dev", "build.sh"))
