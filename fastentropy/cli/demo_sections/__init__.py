"""The sections of ``fastentropy demo``, in the order the demo prints them.

Each section is one module of this package that defines ``SECTION``, a
:class:`~._base.Section`; :data:`SECTIONS` lists them. The demo tags them ``(a)``, ``(b)``...
by their place in that list. To add a section, see :mod:`fastentropy.cli`.
"""
from __future__ import annotations

from . import divergence, entropy, iris, knn, logits, mixture, mutual_information
from ._base import DATASETS, Dataset, DemoContext, Section

__all__ = ["DATASETS", "SECTIONS", "Dataset", "DemoContext", "Section"]

#: The registry: one line per section module, in the order the demo prints them.
SECTIONS: tuple[Section, ...] = (
    entropy.SECTION,
    mutual_information.SECTION,
    divergence.SECTION,
    iris.SECTION,
    logits.SECTION,
    knn.SECTION,
    mixture.SECTION,
)
