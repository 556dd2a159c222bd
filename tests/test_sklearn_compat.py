"""``fastentropy.sklearn`` against scikit-learn.

1. Equality with ``sklearn.feature_selection.mutual_info_regression`` / ``mutual_info_classif``
   on random data (continuous, discrete, mixed masks, sparse, small classes and singletons,
   float32 and integer inputs, several random states) to 1e-12.
2. scikit-learn's own ``sklearn/feature_selection/tests/test_mutual_info.py``, imported and its
   test functions collected here, with the test module's ``mutual_info_regression``,
   ``mutual_info_classif`` and ``_compute_mi`` names replaced by ours (everything else is
   scikit-learn's); the ``global_dtype`` and ``global_random_seed`` fixtures of scikit-learn's
   conftest are defined here. Skipped cleanly where scikit-learn's test files are absent.
3. Bad input (the zoo in test_bad_input.py walks ``fastentropy.__all__`` only, and this module
   is deliberately not exported there): every error is a ValueError / TypeError / IndexError
   whose message starts with the argument's name.
"""
import numpy as np
import pytest

import fastentropy.sklearn as fsk

sk_fs = pytest.importorskip("sklearn.feature_selection")
sp = pytest.importorskip("scipy.sparse")


def _data(seed, n=400):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    X[:, 1] = rng.integers(0, 3, n)
    X[:, 2] = 3 * X[:, 0] + rng.standard_normal(n) + 1e4  # a large offset
    X[:, 3] = rng.integers(0, 60, n)  # many small classes (brute-force neighbour search)
    X[:, 4] *= 1e-3
    y = X[:, 0] + X[:, 1] + 0.5 * rng.standard_normal(n)
    labels = (y > 0).astype(int) + (y > 1.2) + 5 * (rng.random(n) < 0.01)
    return X, y, labels


def _same(a, b):
    assert a.dtype == np.float64 and a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


MASKS = ["auto", False, [1, 3], np.array([False, True, False, True, False]), [-2]]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("mask", MASKS, ids=lambda m: repr(m)[:20])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_equal_to_scikit_learn_dense(seed, mask, k):
    X, y, labels = _data(seed)
    kw = dict(discrete_features=mask, n_neighbors=k, random_state=seed)
    _same(fsk.mutual_info_regression(X, y, **kw), sk_fs.mutual_info_regression(X, y, **kw))
    _same(fsk.mutual_info_classif(X, labels, **kw), sk_fs.mutual_info_classif(X, labels, **kw))


@pytest.mark.parametrize("seed", [3, 4])
def test_equal_all_discrete_and_sparse(seed):
    rng = np.random.default_rng(seed)
    n = 300
    D = np.where(rng.random((n, 4)) < 0.6, 0, rng.integers(1, 5, (n, 4)))
    y = rng.standard_normal(n) + D[:, 0]
    labels = (y > 0.5).astype(int)
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        Xs = fmt(D)
        _same(fsk.mutual_info_regression(Xs, y, random_state=seed),
              sk_fs.mutual_info_regression(Xs, y, random_state=seed))
        _same(fsk.mutual_info_classif(Xs, labels, random_state=seed),
              sk_fs.mutual_info_classif(Xs, labels, random_state=seed))
    kw = dict(discrete_features=True, random_state=seed)
    _same(fsk.mutual_info_regression(D, y, **kw), sk_fs.mutual_info_regression(D, y, **kw))
    _same(fsk.mutual_info_classif(D, labels, **kw), sk_fs.mutual_info_classif(D, labels, **kw))


@pytest.mark.parametrize("dtype", [np.float32, np.int64])
def test_equal_other_dtypes_and_random_state_objects(dtype):
    X, y, labels = _data(5)
    Xd = (X * 10).astype(dtype)
    yd = (y * 10).astype(dtype)
    for mask in ("auto", [1, 3]):
        a = fsk.mutual_info_regression(Xd, yd, discrete_features=mask,
                                       random_state=np.random.RandomState(7))
        b = sk_fs.mutual_info_regression(Xd, yd, discrete_features=mask,
                                         random_state=np.random.RandomState(7))
        _same(a, b)
    # a float32 target with discrete features: the small classes' brute-force search in float32
    D = np.column_stack([labels, X[:, 3]]).astype(int)
    kw = dict(discrete_features=True, random_state=1)
    _same(fsk.mutual_info_regression(D, y.astype(np.float32), **kw),
          sk_fs.mutual_info_regression(D, y.astype(np.float32), **kw))


def test_global_random_state_and_copy_false():
    X, y, _ = _data(6, n=200)
    np.random.seed(11)
    a = fsk.mutual_info_regression(X, y)
    np.random.seed(11)
    b = sk_fs.mutual_info_regression(X, y)
    _same(a, b)
    X1, X2 = X.copy(), X.copy()
    fsk.mutual_info_regression(X1, y, copy=False, random_state=0)
    sk_fs.mutual_info_regression(X2, y, copy=False, random_state=0)
    assert np.array_equal(X1, X2) and not np.array_equal(X1, X)  # overwritten the same way
    X3 = X.copy()
    fsk.mutual_info_regression(X3, y, random_state=0)
    assert np.array_equal(X3, X)


def test_constant_column_and_target():
    X, y, labels = _data(7, n=200)
    Xc = np.column_stack([np.full(200, 3.0), X[:, :2]])
    _same(fsk.mutual_info_regression(Xc, y, random_state=0),
          sk_fs.mutual_info_regression(Xc, y, random_state=0))
    _same(fsk.mutual_info_regression(X, np.ones(200), random_state=0),
          sk_fs.mutual_info_regression(X, np.ones(200), random_state=0))


def test_compute_mi_pairs_equal_private_sklearn():
    skm = pytest.importorskip("sklearn.feature_selection._mutual_info")
    rng = np.random.default_rng(8)
    c = rng.standard_normal(300)
    d = rng.integers(0, 40, 300)
    e = rng.standard_normal(300) + c
    for args in ((c, e, False, False), (d, c, True, False), (c, d, False, True),
                 (d, d % 3, True, True), (c.astype(np.float32), d, False, True)):
        for k in (1, 3, 5):
            assert fsk._compute_mi(*args, n_neighbors=k) == pytest.approx(
                skm._compute_mi(*args, n_neighbors=k), rel=1e-12, abs=1e-14)


def test_select_k_best_score_function():
    from sklearn.feature_selection import SelectKBest

    X, y, labels = _data(9)
    ours = SelectKBest(lambda A, b: fsk.mutual_info_regression(A, b, random_state=0), k=2)
    theirs = SelectKBest(lambda A, b: sk_fs.mutual_info_regression(A, b, random_state=0), k=2)
    assert np.array_equal(ours.fit(X, y).get_support(), theirs.fit(X, y).get_support())
    sel = SelectKBest(fsk.mutual_info_classif, k=3).fit(X, labels)
    assert sel.scores_.shape == (5,) and sel.transform(X).shape == (400, 3)


def test_n_jobs_does_not_change_values():
    X, y, labels = _data(10, n=20000)
    one = fsk.mutual_info_regression(X, y, random_state=0, n_jobs=1)
    for n_jobs in (2, None, -1):
        assert np.array_equal(one, fsk.mutual_info_regression(X, y, random_state=0,
                                                              n_jobs=n_jobs))


def test_not_exported_from_fastentropy():
    import fastentropy

    assert "mutual_info_regression" not in fastentropy.__all__
    assert "mutual_info_classif" not in fastentropy.__all__


# ---------------------------------------------------------------------------------------------
# bad input

X0, Y0, L0 = _data(11, n=50)


@pytest.mark.parametrize("fn", [fsk.mutual_info_regression, fsk.mutual_info_classif])
@pytest.mark.parametrize(
    "kwargs, exc, start",
    [
        (dict(X=X0[:, 0]), ValueError, "X must be 2-D"),
        (dict(X=np.zeros((50, 0))), ValueError, "X must have at least"),
        (dict(X=np.where(X0 > 1, np.nan, X0)), ValueError, "X must contain only finite"),
        (dict(X=np.where(X0 > 1, np.inf, X0)), ValueError, "X must contain only finite"),
        (dict(X=X0.astype(str)), ValueError, "X must hold real numbers"),
        (dict(X="abc"), TypeError, "X must be"),
        (dict(X=None), TypeError, "X must be"),
        (dict(X=sp.csr_matrix(X0), discrete_features=False), ValueError, "discrete_features"),
        (dict(X=sp.csr_matrix(X0), discrete_features=[0]), ValueError, "discrete_features"),
        (dict(discrete_features="manual"), ValueError, "discrete_features must be"),
        (dict(discrete_features=[True, False]), IndexError, "discrete_features"),
        (dict(discrete_features=[1, 9]), IndexError, "discrete_features"),
        (dict(discrete_features=[0.5]), ValueError, "discrete_features must be"),
        (dict(discrete_features=[[0]]), ValueError, "discrete_features must be 1-D"),
        (dict(y=Y0[:40]), ValueError, "y must have as many samples"),
        (dict(y=np.zeros((50, 2))), ValueError, "y must be 1-D"),
        (dict(y=None), TypeError, "y must be"),
        (dict(n_neighbors=0), ValueError, "n_neighbors must be"),
        (dict(n_neighbors=2.5), TypeError, "n_neighbors must be"),
        (dict(n_neighbors=True), TypeError, "n_neighbors must be"),
        (dict(n_neighbors=50), ValueError, "n_neighbors must be smaller"),
        (dict(copy="yes"), TypeError, "copy must be"),
        (dict(random_state="a"), TypeError, "random_state must be"),
        (dict(random_state=-1), ValueError, "random_state must be"),
        (dict(random_state=np.random.default_rng(0)), TypeError, "random_state must be"),
        (dict(n_jobs=1.5), TypeError, "n_jobs must be"),
        (dict(n_jobs=0), ValueError, "n_jobs"),
    ],
)
def test_bad_input(fn, kwargs, exc, start):
    args = dict(X=X0[:, [0, 2, 4]], y=Y0 if fn is fsk.mutual_info_regression else L0)
    args.update(kwargs)
    X, y = args.pop("X"), args.pop("y")
    if fn is fsk.mutual_info_classif and start == "n_neighbors must be smaller":
        pytest.skip("a discrete target adapts k to each class, as scikit-learn does")
    with pytest.raises(exc) as info:
        fn(X, y, **args)
    assert str(info.value).startswith(start), str(info.value)


def test_bad_targets():
    X = X0[:, [0, 2]]
    with pytest.raises(ValueError, match="^y: Unknown label type: continuous"):
        fsk.mutual_info_classif(X, Y0)
    with pytest.raises(ValueError, match="^y must contain only finite"):
        fsk.mutual_info_regression(X, np.where(Y0 > 1, np.nan, Y0))
    with pytest.raises(ValueError, match="^y must hold real numbers"):
        fsk.mutual_info_regression(X, np.array(["a"] * 50))
    # every class of a discrete side with one member
    with pytest.raises(ValueError, match="^discrete_features: feature 0: every class"):
        fsk.mutual_info_regression(np.arange(50.0)[:, None], Y0, discrete_features=True)
    with pytest.raises(ValueError, match="^y: every class"):
        fsk.mutual_info_classif(X, np.arange(50))
    # string labels are fine for classification
    names = np.array(["a", "b"])[(Y0 > 0).astype(int)]
    _same(fsk.mutual_info_classif(X, names, random_state=0),
          sk_fs.mutual_info_classif(X, names, random_state=0))


# ---------------------------------------------------------------------------------------------
# scikit-learn's own tests, run against ours

skt = pytest.importorskip(
    "sklearn.feature_selection.tests.test_mutual_info",
    reason="scikit-learn's test files are not installed",
)


@pytest.fixture(params=[np.float64, np.float32], ids=["float64", "float32"])
def global_dtype(request):
    return request.param


@pytest.fixture(params=[0, 42])
def global_random_seed(request):
    return request.param


@pytest.fixture(autouse=True)
def _use_ours(monkeypatch):
    monkeypatch.setattr(skt, "mutual_info_regression", fsk.mutual_info_regression)
    monkeypatch.setattr(skt, "mutual_info_classif", fsk.mutual_info_classif)
    monkeypatch.setattr(skt, "_compute_mi", fsk._compute_mi)
    yield


_INHERITED = sorted(n for n in dir(skt) if n.startswith("test_"))
for _name in _INHERITED:
    globals()[f"{_name}_sklearn_suite"] = getattr(skt, _name)


def test_inherited_suite_is_not_empty():
    assert len(_INHERITED) >= 10


def test_the_proxy_really_routes_to_fastentropy():
    # A test that cannot fail is a defect: the patched names are ours, so the inherited tests
    # exercise fastentropy. Our IndexError names the argument; scikit-learn's is numpy's.
    assert skt.mutual_info_regression is fsk.mutual_info_regression
    assert skt.mutual_info_classif is fsk.mutual_info_classif
    assert skt._compute_mi is fsk._compute_mi
    with pytest.raises(IndexError, match="^discrete_features"):
        skt.mutual_info_regression(X0, Y0, discrete_features=[1, 9])
    calls = []

    def spy(*args, **kwargs):
        calls.append(1)
        return fsk._compute_mi(*args, **kwargs)

    skt._compute_mi = spy
    skt.test_compute_mi_dd()
    assert calls
