"""(being written: see the module's family in the README)."""
from __future__ import annotations

__all__: list[str] = []
