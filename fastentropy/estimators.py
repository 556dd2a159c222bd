"""Placeholder: this family's facade is being written."""
from __future__ import annotations

__all__: list[str] = []
