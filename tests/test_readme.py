"""The README's tour runs as written and says what it computes."""
import os
import re

import numpy as np
import pytest

README = os.path.join(os.path.dirname(__file__), os.pardir, "README.md")


def _tour_code():
    if not os.path.exists(README):
        pytest.skip("README.md not beside the tests (installed without the repository)")
    with open(README) as f:
        text = f.read()
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
