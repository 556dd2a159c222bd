"""What a demo section module provides (one :class:`Section` named ``SECTION``), what it gets
(a :class:`DemoContext`), and the bundled datasets a section may read (:data:`DATASETS`)."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ... import datasets
from .._table import log_name, print_table, unit_name

__all__ = ["DATASETS", "Dataset", "DemoContext", "Section", "as_array", "as_float"]


@dataclass(frozen=True)
class Dataset:
    """A bundled dataset: its name and what it holds (both in ``fastentropy demo --help`` and
    the demo's header), and its loader (``(X, y)``)."""

    name: str
    details: str
    load: Callable[[], tuple[np.ndarray, np.ndarray]]


#: The bundled datasets, by the key a section names in ``Section.data``. A family that bundles
#: a new dataset adds its ``datasets.load_<key>`` here; ``fastentropy demo --help`` lists every
#: dataset a section uses (and a test checks that every ``load_*`` loader is listed).
DATASETS: dict[str, Dataset] = {
    "digits": Dataset(
        "UCI handwritten digits",
        "1797 images of 8x8 pixels, intensities 0..16, digits 0..9",
        datasets.load_digits,
    ),
    "iris": Dataset(
        "Fisher's Iris",
        "150 flowers, 4 measurements in cm, 3 species",
        datasets.load_iris,
    ),
}


@dataclass(frozen=True)
class DemoContext:
    """What a section's ``run`` gets: where to print, the base, the ``n_jobs`` to pass to every
    batch call, the section's tag (``"(a)"``...) and the bundled data (loaded once per demo)."""

    out: Callable[[str], None]
    base: float
    n_jobs: int | None
    tag: str = ""
    _loaded: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    @property
    def unit(self) -> str:
        """``"bits"``, ``"nats"``...: the unit of every reported information quantity."""
        return unit_name(self.base)

    @property
    def log(self) -> str:
        """``"log2"``, ``"ln"``...: the logarithm of ``base``, as written in a label."""
        return log_name(self.base)

    def in_base(self, nats: float) -> float:
        """A quantity in nats converted to ``base``."""
        return nats / math.log(self.base)

    def data(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """The bundled dataset ``key`` (a key of :data:`DATASETS`), loaded on first use."""
        if key not in self._loaded:
            self._loaded[key] = DATASETS[key].load()
        return self._loaded[key]

    def tagged(self, tag: str) -> DemoContext:
        """This context for the section tagged ``tag`` (the loaded data are shared)."""
        return replace(self, tag=tag)

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        digits: int = 4,
        note: str | None = None,
        left: int = 1,
    ) -> None:
        """Print a table titled ``"<tag> <title>"`` (see :func:`.._table.print_table`)."""
        print_table(
            self.out, f"{self.tag} {title}".strip(), headers, rows,
            digits=digits, note=note, left=left,
        )


@dataclass(frozen=True)
class Section:
    """One section of ``fastentropy demo``.

    ``name`` names it in the demo's "Not shown" line; ``requires`` lists the public
    ``fastentropy`` names it calls (the demo skips it, and says so, when one is missing);
    ``data`` the keys of :data:`DATASETS` it reads; ``run`` prints its tables through the
    context (``ctx.table``), passing ``n_jobs=ctx.n_jobs`` to every batch call.
    """

    name: str
    requires: tuple[str, ...]
    data: tuple[str, ...]
    run: Callable[[DemoContext], None]


def as_array(value: Any) -> np.ndarray:
    """A result of a fastentropy call as a float64 array."""
    return np.asarray(value, dtype=np.float64)


def as_float(value: Any) -> float:
    """A scalar result of a fastentropy call as a Python float."""
    return float(np.asarray(value, dtype=np.float64))
