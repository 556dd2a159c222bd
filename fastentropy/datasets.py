"""Small real datasets bundled with fastentropy (for the demo, examples and tests).

The files live in ``fastentropy/data/``; their sources and licences (CC BY 4.0, UCI) are in
``fastentropy/data/LICENSE-DATA.md``. Only NumPy is needed to read them.
"""
from __future__ import annotations

import gzip
import io
from importlib import resources

import numpy as np

__all__ = ["load_digits", "load_iris", "IRIS_FEATURE_NAMES", "IRIS_TARGET_NAMES"]

IRIS_FEATURE_NAMES = (
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
)
IRIS_TARGET_NAMES = ("setosa", "versicolor", "virginica")


def _read_bytes(name: str) -> bytes:
    return resources.files("fastentropy").joinpath("data").joinpath(name).read_bytes()


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI handwritten-digits test set (Alpaydin & Kaynak, 1998): 1797 images of 8x8 pixels.

    Returns
    -------
    X : ndarray of int64, shape (1797, 64)
        Pixel intensities 0..16, row-major 8x8 images (pixel ``(r, c)`` is column ``8*r + c``).
    y : ndarray of int64, shape (1797,)
        Digit class 0..9.

    Notes
    -----
    Source: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits",
    CC BY 4.0; see ``fastentropy/data/LICENSE-DATA.md``.
    """
    raw = gzip.decompress(_read_bytes("digits.csv.gz"))
    table = np.loadtxt(io.BytesIO(raw), delimiter=",", dtype=np.int64, ndmin=2)
    return np.ascontiguousarray(table[:, :-1]), np.ascontiguousarray(table[:, -1])


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris data (1936): 150 flowers, 4 measurements in cm, 3 species.

    Returns
    -------
    X : ndarray of float64, shape (150, 4)
        Sepal length, sepal width, petal length, petal width (cm).
    y : ndarray of int64, shape (150,)
        Species 0..2 (names in ``IRIS_TARGET_NAMES``; columns named in ``IRIS_FEATURE_NAMES``).

    Notes
    -----
    Source: UCI Machine Learning Repository, "Iris", CC BY 4.0 (the copy that follows Fisher's
    paper); see ``fastentropy/data/LICENSE-DATA.md``.
    """
    text = _read_bytes("iris.csv").decode("ascii")
    header, _, body = text.partition("\n")
    fields = header.strip().split(",")
    n_rows, n_features = int(fields[0]), int(fields[1])
    table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.float64, ndmin=2)
    if table.shape != (n_rows, n_features + 1):
        expected = (n_rows, n_features + 1)
        raise RuntimeError(f"iris.csv is damaged: expected shape {expected}, got {table.shape}")
    return np.ascontiguousarray(table[:, :n_features]), table[:, n_features].astype(np.int64)
