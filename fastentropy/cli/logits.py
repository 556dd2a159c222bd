"""``fastentropy logits FILE.npy``: the entropy of softmax(logits / T) of every row of a saved
array, or summary statistics of them (``--summary``), as text or JSON (``--json``)."""
from __future__ import annotations

import argparse
import json
import sys

from ._command import Command
from ._options import add_base_option, add_n_jobs_option

__all__ = ["COMMAND"]


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    # optional for argparse, so that an unknown option is reported before a missing file
    parser.add_argument("file", nargs="?", help="a .npy file of logits, classes along --axis")
    parser.add_argument("--axis", type=int, default=-1, help="the class axis (default -1)")
    parser.add_argument(
        "--temperature", type=float, default=1.0, help="softmax temperature T > 0 (default 1)"
    )
    parser.add_argument(
        "--summary", action="store_true",
        help="print count, mean, std, min, median and max of the entropies instead of each row",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_n_jobs_option(parser)
    add_base_option(parser)


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    import fastentropy as fe

    if args.file is None:
        print("fastentropy logits: error: the FILE.npy argument is required", file=sys.stderr)
        return 2
    try:
        x = np.load(args.file, mmap_mode="r", allow_pickle=False)  # read in place
        h = np.atleast_1d(fe.softmax_entropy(
            x, axis=args.axis, temperature=args.temperature, base=args.base, n_jobs=args.n_jobs
        ))
    except (OSError, ValueError, TypeError, EOFError) as exc:
        print(f"fastentropy logits: error: {exc}", file=sys.stderr)
        return 2
    flat = h.reshape(-1)
    if args.summary:
        stats = {
            "rows": int(flat.size),
            "mean": float(flat.mean()) if flat.size else float("nan"),
            "std": float(flat.std()) if flat.size else float("nan"),
            "min": float(flat.min()) if flat.size else float("nan"),
            "median": float(np.median(flat)) if flat.size else float("nan"),
            "max": float(flat.max()) if flat.size else float("nan"),
        }
        if args.json:
            print(json.dumps({"base": args.base, **stats}))
        else:
            print(f"entropy of softmax(logits / {args.temperature:g}) per row, base {args.base:g}")
            for key, value in stats.items():
                print(f"{key:>6}  {value:.6g}" if key != "rows" else f"{key:>6}  {value}")
        return 0
    if args.json:
        print(json.dumps({"base": args.base, "shape": list(h.shape),
                          "entropy": [float(v) for v in flat]}))
        return 0
    for idx, value in zip(np.ndindex(*h.shape), flat, strict=True):
        label = ",".join(str(i) for i in idx)
        print(f"{label}\t{value:.10g}")
    return 0


COMMAND = Command(
    name="logits",
    help="entropy of softmax(logits) for each row of a .npy file",
    description=(
        "Read a .npy array of logits (float16/32/64 or integers; classes along --axis, -inf "
        "masks a class) and print the entropy of softmax(logits / T) of each row, one "
        "'index<TAB>value' line per row, or summary statistics with --summary. Errors (a "
        "missing file, NaN or +inf logits, a row of all -inf) print one line and exit 2."
    ),
    add_arguments=_add_arguments,
    run=_run,
)
