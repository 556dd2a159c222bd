"""The per-family registration files in ``tests/rows/``.

Every public function needs a row in three shared tables: the bad-input walk
(``tests/test_bad_input.py``), the thread-count determinism test (``tests/test_determinism.py``)
and the compiled-against-twin fuzz (``tests/fuzz/fuzz_strategies.py``). A family may keep its
rows in ``tests/rows/<family>.py`` instead of editing the tables, with any of these hooks:

- ``zoo(ns) -> {name: Spec}``: bad-input rows; ``ns`` is the walk's module (``ns.Spec``,
  ``ns.VALID``, ``ns._put``, ``ns._knn_points``...). Optional ``ZOO_SCALARS`` (more bad scalar
  values: argument -> {case: value}) and ``ZOO_ROLES`` (more array roles: role -> valid array).
  Names of drop-in submodules' functions are "module.function" ("sklearn.mutual_info_regression").
- ``determinism(ns) -> {name: [(case_id, builder)]}``: ``builder() -> (args, kwargs)``, with inputs
  big enough for several threads (``ns._knn_x``, ``ns._rng``...).
- ``fuzz(ns) -> {name: entry_builder}``: ``entry_builder() -> Entry``, usually
  ``lambda: ns.fuzz(name, group, override={...})``; ``ns`` is ``fuzz_strategies``.
"""
from __future__ import annotations

import importlib.util
import os
from types import ModuleType

FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rows")


def row_modules() -> list[ModuleType]:
    """The modules of ``tests/rows/``, loaded once, in file-name order."""
    if _LOADED:
        return _LOADED
    for fname in sorted(os.listdir(FOLDER)):
        if not fname.endswith(".py") or fname.startswith("_"):
            continue
        loc = importlib.util.spec_from_file_location(f"fastentropy_rows_{fname[:-3]}",
                                                     os.path.join(FOLDER, fname))
        assert loc is not None and loc.loader is not None
        mod = importlib.util.module_from_spec(loc)
        loc.loader.exec_module(mod)
        _LOADED.append(mod)
    return _LOADED


_LOADED: list[ModuleType] = []
