"""Plain-text output shared by the subcommands: aligned tables and the names of log units."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["fmt", "log_name", "print_table", "unit_name"]


def fmt(value: Any, digits: int = 4) -> str:
    """A table cell: strings as they are, ints as ints, floats with ``digits`` decimals."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.{digits}f}"


def print_table(
    out: Callable[[str], None],
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    digits: int = 4,
    note: str | None = None,
    left: int = 1,
) -> None:
    """Print an aligned table: a blank line, the title underlined with dashes, the header, a rule
    of dashes under each column, the rows, then ``note`` (if any). The first ``left`` columns
    are left-aligned (labels), the rest right-aligned."""
    cells = [[fmt(c, digits) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    out("")
    out(title)
    out("-" * len(title))

    def line(items: Sequence[str]) -> str:
        pairs = enumerate(zip(items, widths, strict=True))
        parts = [s.ljust(w) if i < left else s.rjust(w) for i, (s, w) in pairs]
        return "  ".join(parts).rstrip()

    out(line(list(headers)))
    out("  ".join("-" * w for w in widths))
    for r in cells:
        out(line(r))
    if note:
        for text in note.splitlines():
            out(text)


def unit_name(base: float) -> str:
    """The unit of an information quantity in logarithm base ``base``: bits, nats..."""
    if base == 2:
        return "bits"
    if base == math.e:
        return "nats"
    if base == 10:
        return "hartleys"
    return f"log base {base:g}"


def log_name(base: float) -> str:
    """How the logarithm of base ``base`` is written in a table: log2, ln, log10, log_b."""
    if base == math.e:
        return "ln"
    if base in (2, 10):
        return f"log{base:g}"
    return f"log_{base:g}"
