"""``fastentropy rank DATA.csv --target COLUMN``: the other columns of a CSV file ranked by their
mutual information with the target column, as an aligned table or JSON (``--json``).

How a column is classified (the ``kind`` column of the output)
--------------------------------------------------------------
1. ``--discrete A,B`` and ``--continuous C,D`` decide for the columns they name (a continuous
   column must hold numbers only);
2. a column with any value that is not a number (``red``, ``yes``...) is ``discrete``: its
   values are labels;
3. a column of numbers that are all whole (``3``, ``4.0``) with at most ``--max-levels``
   (default 20) distinct values is ``discrete``;
4. any other column of numbers is ``continuous``.

The estimator of each (column, target) pair follows from the two kinds:

- continuous and continuous: the Kraskov-Stoegbauer-Grassberger k-NN estimate
  (:func:`fastentropy.mutual_info_many`, ``--k`` neighbours, ``--algorithm``, the library's
  scale-free preprocessing: each column standardised, ties broken by 1e-10 standard deviations
  of noise from a fixed seed, so the same file always gives the same numbers);
- discrete and discrete: the plug-in mutual information of the contingency table
  (:func:`fastentropy.mutual_info_score`, as :func:`sklearn.metrics.mutual_info_score`);
- one of each: Ross's (2014) k-NN estimator (``mutual_info_knn(..., discrete_x= /
  discrete_y=)``: the k-th neighbour within the class of the discrete side). A pair it cannot
  estimate (every class with a single member, as for an ID column) is listed as skipped, with
  the reason, and not ranked (no other estimator is substituted);
- a column with a single value (or a constant target) carries no information: MI = 0 exactly.

Every value is reported in ``--base`` (default 2, bits; ``e`` for nats). The plug-in and k-NN
values are different estimators with different biases (the plug-in is biased upwards by about
(levels - 1)(target levels - 1) / (2 n) nats), so compare across kinds with care.

The file is read with the standard library's :mod:`csv` module (no pandas): the first row names
the columns, every row must have as many fields. An empty cell, or a missing-value marker
(``NA``, ``NaN``, ``null``...) in a column of numbers, is an error: fill or drop missing values
first. Errors print one line, ``fastentropy rank: error: ...``, and exit with status 2.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ._command import Command
from ._options import add_base_option, add_n_jobs_option
from ._table import print_table, unit_name

__all__ = ["COMMAND", "CsvError", "classify", "read_csv"]

#: cell values that mean "missing" in a column of numbers (compared case-insensitively)
MISSING_MARKERS = frozenset({"na", "n/a", "nan", "null", "none", "missing", "?"})
#: a continuous column with fewer distinct values than this fraction of its rows is "tied"
TIED_FRACTION = 0.5
DEFAULT_MAX_LEVELS = 20
PROG = "fastentropy rank"


class CsvError(ValueError):
    """A problem with the input file or the options, reported as one line (exit status 2)."""


@dataclass
class Column:
    """One column of the file: its name, raw cells, numbers (if every cell is a number) and
    kind (``"continuous"`` or ``"discrete"``)."""

    name: str
    cells: list[str]
    numbers: npt.NDArray[np.float64] | None
    kind: str = ""

    @property
    def distinct(self) -> int:
        return len(set(self.cells)) if self.numbers is None else int(np.unique(self.numbers).size)


# --------------------------------------------------------------------------- reading


def _parse_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def read_csv(path: str, delimiter: str = ",") -> list[Column]:
    """The columns of the CSV file ``path`` (a header row, then data rows of equal length);
    :class:`CsvError` for anything that prevents ranking."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            rows: list[tuple[int, list[str]]] = []
            header: list[str] | None = None
            for fields in reader:
                if not fields or all(not c.strip() for c in fields):
                    continue  # blank lines
                if header is None:
                    header = [c.strip() for c in fields]
                    continue
                rows.append((reader.line_num, [c.strip() for c in fields]))
    except FileNotFoundError:
        raise CsvError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CsvError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise CsvError(f"{path}: not a UTF-8 text file") from None
    except csv.Error as exc:
        raise CsvError(f"{path}: not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise CsvError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if header is None:
        raise CsvError(f"{path}: the file is empty (expected a header row naming the columns)")
    if not rows:
        raise CsvError(f"{path}: the file has a header but no data rows")
    for j, name in enumerate(header):
        if not name:
            raise CsvError(
                f"{path}: the header's field {j + 1} is empty; every column needs a name"
            )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise CsvError(f"{path}: the header names column {name!r} twice; names must be unique")
        seen.add(name)
    width = len(header)
    for line, fields in rows:
        if len(fields) != width:
            raise CsvError(
                f"{path}: line {line} has {len(fields)} fields but the header has {width} "
                f"(is the delimiter {delimiter!r} right? use --delimiter)"
            )
    columns = []
    for j, name in enumerate(header):
        cells = [fields[j] for _, fields in rows]
        for (line, _), cell in zip(rows, cells, strict=True):
            if not cell:
                raise CsvError(
                    f"{path}: line {line}, column {name!r} is empty; fill or drop missing values"
                )
        parsed = [_parse_number(c) for c in cells]
        numbers: npt.NDArray[np.float64] | None = None
        markers = [c.lower() in MISSING_MARKERS for c in cells]
        if all(v is not None or m for v, m in zip(parsed, markers, strict=True)):
            bad = next(
                ((line, c) for (line, _), c, v in zip(rows, cells, parsed, strict=True)
                 if v is None or not math.isfinite(v)),
                None,
            )
            if bad is not None and any(v is not None for v in parsed):
                line, cell = bad
                raise CsvError(
                    f"{path}: line {line}, column {name!r} is {cell!r} in a column of numbers; "
                    "fill or drop missing and non-finite values"
                )
            if bad is None:
                numbers = np.array(parsed, dtype=np.float64)
        columns.append(Column(name, cells, numbers))
    return columns


# --------------------------------------------------------------------------- classification


def _names(text: str | None) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()] if text else []


def classify(
    columns: list[Column],
    discrete: list[str],
    continuous: list[str],
    max_levels: int = DEFAULT_MAX_LEVELS,
) -> None:
    """Set each column's ``kind`` by the rules in the module docstring."""
    names = [c.name for c in columns]
    for option, chosen in (("--discrete", discrete), ("--continuous", continuous)):
        for name in chosen:
            if name not in names:
                raise CsvError(
                    f"{option}: no column {name!r}; the columns are: {', '.join(names)}"
                )
    both = sorted(set(discrete) & set(continuous))
    if both:
        raise CsvError(f"--discrete and --continuous both name {', '.join(map(repr, both))}")
    for col in columns:
        if col.name in discrete:
            col.kind = "discrete"
        elif col.name in continuous:
            if col.numbers is None:
                example = next(c for c in col.cells if _parse_number(c) is None)
                raise CsvError(
                    f"--continuous: column {col.name!r} is not all numbers (it holds "
                    f"{example!r}); only a column of numbers can be continuous"
                )
            col.kind = "continuous"
        elif col.numbers is None:
            col.kind = "discrete"
        elif bool(np.all(col.numbers == np.floor(col.numbers))) and col.distinct <= max_levels:
            col.kind = "discrete"
        else:
            col.kind = "continuous"


# --------------------------------------------------------------------------- estimation


def _numbers(col: Column) -> npt.NDArray[np.float64]:
    assert col.numbers is not None  # a continuous column holds numbers (see classify)
    return col.numbers


def _labels(col: Column) -> Any:
    """A discrete column's labels: its numbers if it holds numbers (so 1 and 1.0 are one label),
    else its strings."""
    return col.cells if col.numbers is None else col.numbers


@dataclass
class Result:
    column: str
    kind: str
    estimator: str
    mi: float | None  # nats; None: skipped
    reason: str = ""


def _estimate(
    features: list[Column], target: Column, args: argparse.Namespace
) -> list[Result]:
    import fastentropy as fe

    k, n_jobs = args.k, args.n_jobs
    results: dict[str, Result] = {}
    target_constant = target.distinct == 1
    continuous = []
    for col in features:
        if target_constant or col.distinct == 1:
            results[col.name] = Result(col.name, col.kind, "constant", 0.0)
        elif col.kind == "discrete" and target.kind == "discrete":
            mi = fe.mutual_info_score(_labels(target), _labels(col), n_jobs=n_jobs)
            results[col.name] = Result(col.name, col.kind, "plug-in", float(mi))
        elif col.kind == "continuous" and target.kind == "continuous":
            continuous.append(col)
        else:
            x, y = (_numbers(col), _labels(target)) if col.kind == "continuous" else (
                _labels(col), _numbers(target))
            try:
                mi = fe.mutual_info_knn(
                    x, y, k=k, discrete_x=col.kind == "discrete",
                    discrete_y=target.kind == "discrete", n_jobs=n_jobs,
                )
            except ValueError as exc:  # e.g. every class has one member: no neighbour in it
                side = col if col.kind == "discrete" else target
                message = str(exc)
                if message.startswith(("x: ", "y: ")):  # the library's argument names
                    message = message[3:]
                results[col.name] = Result(col.name, col.kind, "skipped", None,
                                           reason=f"discrete column {side.name!r}: {message}")
                continue
            results[col.name] = Result(col.name, col.kind, f"Ross k={k}", float(mi))
    if continuous:
        X = np.column_stack([_numbers(c) for c in continuous])
        values = fe.mutual_info_many(X, _numbers(target), k=k, algorithm=args.algorithm,
                                     n_jobs=n_jobs)
        for col, mi in zip(continuous, values, strict=True):
            results[col.name] = Result(col.name, col.kind, f"KSG {args.algorithm[-1]} k={k}",
                                       float(mi))
    return [results[c.name] for c in features]


def _tie_warnings(columns: list[Column]) -> list[str]:
    out = []
    for col in columns:
        n = len(col.cells)
        if col.kind == "continuous" and 1 < col.distinct < TIED_FRACTION * n:
            out.append(
                f"{PROG}: warning: column {col.name!r} is treated as continuous but has only "
                f"{col.distinct} distinct values in {n} rows; the k-NN estimate is biased on "
                f"heavily tied data (if it is discrete, say --discrete {col.name!r})"
            )
    return out


# --------------------------------------------------------------------------- the command


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    # optional for argparse, so that an unknown option is reported before a missing file
    parser.add_argument("file", nargs="?", metavar="DATA.csv",
                        help="a CSV file whose first row names the columns")
    parser.add_argument("--target", metavar="COLUMN", help="the column to rank the others by")
    parser.add_argument("--discrete", metavar="COL,COL",
                        help="treat these columns as discrete (labels)")
    parser.add_argument("--continuous", metavar="COL,COL",
                        help="treat these columns (of numbers) as continuous")
    parser.add_argument(
        "--max-levels", type=int, default=DEFAULT_MAX_LEVELS, metavar="L",
        help="a column of whole numbers with at most L distinct values is discrete "
        f"(default {DEFAULT_MAX_LEVELS})",
    )
    parser.add_argument("--k", type=int, default=3, help="neighbours of the k-NN estimators "
                        "(default 3)")
    parser.add_argument("--algorithm", choices=("ksg1", "ksg2"), default="ksg1",
                        help="KSG algorithm for continuous pairs (default ksg1)")
    parser.add_argument("--delimiter", default=",", help="the field separator (default ',')")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_n_jobs_option(parser)
    add_base_option(parser)


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def _check_options(args: argparse.Namespace) -> None:
    if args.file is None:
        raise CsvError("the DATA.csv argument is required")
    if args.target is None:
        raise CsvError("--target COLUMN is required (the column to rank the others by)")
    if args.k < 1:
        raise CsvError(f"--k must be at least 1, got {args.k}")
    if args.max_levels < 1:
        raise CsvError(f"--max-levels must be at least 1, got {args.max_levels}")
    if len(args.delimiter) != 1:
        raise CsvError(f"--delimiter must be one character, got {args.delimiter!r}")


def _run(args: argparse.Namespace) -> int:
    try:
        _check_options(args)
        columns = read_csv(args.file, args.delimiter)
        names = [c.name for c in columns]
        if args.target not in names:
            raise CsvError(
                f"no column {args.target!r} in {args.file}; the columns are: {', '.join(names)}"
            )
        classify(columns, _names(args.discrete), _names(args.continuous), args.max_levels)
        target = next(c for c in columns if c.name == args.target)
        features = [c for c in columns if c.name != args.target]
        if not features:
            raise CsvError(f"{args.file} has no column other than the target {args.target!r}")
        n = len(target.cells)
        needs_knn = any(c.kind == "continuous" for c in (target, *features))
        if needs_knn and args.k >= n:
            raise CsvError(f"--k {args.k} needs more than {args.k} rows; the file has {n}")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = _estimate(features, target, args)
    except (CsvError, ValueError, TypeError) as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    # the k-NN functions' tie warnings name a column by its index: restated by name; any
    # other warning is printed as one line
    lines = _tie_warnings([target, *features])
    lines += list(dict.fromkeys(
        f"{PROG}: warning: {_one_line(w.message)}" for w in caught
        if "distinct values in" not in str(w.message)
    ))
    for line in lines:
        print(line, file=sys.stderr)
    ranked = sorted((r for r in results if r.mi is not None), key=lambda r: -(r.mi or 0.0))
    skipped = [r for r in results if r.mi is None]
    scale = math.log(args.base)
    if args.json:
        print(json.dumps({
            "file": args.file,
            "target": target.name,
            "target_kind": target.kind,
            "rows": n,
            "base": args.base,
            "unit": unit_name(args.base),
            "k": args.k,
            "ranking": [
                {"rank": i + 1, "column": r.column, "kind": r.kind, "estimator": r.estimator,
                 "mi": (r.mi or 0.0) / scale}
                for i, r in enumerate(ranked)
            ],
            "skipped": [{"column": r.column, "kind": r.kind, "reason": r.reason}
                        for r in skipped],
        }))
        return 0
    rows: list[list[Any]] = [
        [str(i + 1), r.column, r.kind, r.estimator, (r.mi or 0.0) / scale]
        for i, r in enumerate(ranked)
    ]
    rows += [["-", r.column, r.kind, r.estimator, "n/a"] for r in skipped]
    note = [
        f"{n} rows; MI in {unit_name(args.base)}; kind: how the column was classified (see "
        "fastentropy rank --help).",
        f"estimator: KSG = Kraskov-Stoegbauer-Grassberger k-NN (k={args.k}) for two continuous "
        "columns; Ross = Ross's",
        "k-NN estimator for a continuous and a discrete one; plug-in = the contingency-table "
        "MI of two",
        "discrete columns (biased upwards by about (L-1)(M-1)/(2n) nats for L and M levels); "
        "constant = a column",
        "or target with a single value (MI = 0).",
    ]
    for r in skipped:
        note.append(f"Not ranked: {r.column!r}: {r.reason}")
    print_table(
        print,
        f"Columns ranked by mutual information with {target.name!r} ({target.kind}) "
        f"[{unit_name(args.base)}]",
        ["rank", "column", "kind", "estimator", f"MI [{unit_name(args.base)}]"],
        rows,
        digits=6,
        left=4,
        note="\n".join(note),
    )
    return 0


COMMAND = Command(
    name="rank",
    help="rank the columns of a CSV file by mutual information with a target column",
    description=(
        "Read a CSV file (first row: column names) and rank every column but --target by its "
        "mutual information with the target: the KSG k-NN estimator for two continuous "
        "columns, the plug-in contingency-table MI for two discrete ones, Ross's k-NN "
        "estimator for one of each. A column is discrete if --discrete names it, if any of its "
        "values is not a number, or if it holds whole numbers with at most --max-levels "
        "distinct values; otherwise continuous (--continuous overrides). Errors (a missing "
        "file or column, an empty or ragged file, missing values) print one line and exit 2."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
