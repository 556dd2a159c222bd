"""Hypothesis strategies of calls, one registry entry per public function.

To fuzz a new public function, add one line to :func:`registry`, e.g.::

    "softmax_entropy": fuzz("softmax_entropy", one("logits", "real")),

``fuzz`` draws the array arguments from the group strategy (``one``, ``pair``, ``labels``...)
and every other parameter of the function's signature from :data:`KWARGS` (good values mostly,
odd ones sometimes; optional ones present half the time). A parameter name that is not in
:data:`KWARGS` is an error when the registry is built, so a new keyword gets a strategy too:
add a function ``ctx -> strategy`` to :data:`KWARGS` (``ctx`` describes the arrays drawn).

Array values come in kinds: ``counts`` (whole numbers >= 0), ``prob`` (weights >= 0),
``real`` (any reals), ``codes`` (small labels >= 0), ``labels`` (class labels of any dtype).
Each array gets a random dtype (floats of every width and byte order, every integer width,
bool; rarely complex/object/str/timedelta), a random layout (C, Fortran, strided, negative
strides, read-only, unaligned, nested list), a few "bad" values (NaN, inf, negatives,
fractions, huge) at random places or along a whole row, and now and then a size large enough
for the kernels to use several threads.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from fuzz_harness import Arr, Call, Entry, Sparse, Tol, build_value
from hypothesis import strategies as st

import fastentropy as fe

nan, inf = math.nan, math.inf

# --------------------------------------------------------------------------- small helpers


def weighted(*pairs: tuple[int, Any]) -> Any:
    """One of the strategies, picked with the given integer weights (shrinks to the first).
    (``st.one_of`` would not do: it merges repeated branches, so it cannot weight them.)"""
    table = [s for w, s in pairs for _ in range(w)]
    return st.integers(0, len(table) - 1).flatmap(table.__getitem__)


@functools.cache
def chance(k: int) -> Any:
    """True once in ``k`` draws (shrinks to False)."""
    return st.integers(0, k - 1).map(lambda i: i == k - 1)


def good_or_odd(good: Any, odd: list[Any], odd_weight: int = 1, good_weight: int = 6) -> Any:
    """Mostly a good value; now and then one of ``odd`` (a bad or unusual value)."""
    if not isinstance(good, st.SearchStrategy):
        good = st.sampled_from(good)
    return weighted((good_weight, good), (odd_weight, st.sampled_from(odd)))


# --------------------------------------------------------------------------- dtypes and values
FLOAT_DTYPES = ("<f8", ">f8", "<f4", ">f4", "<f2")
INT_DTYPES = ("<i8", "|i1", "<i2", "<i4", ">i8", ">i4", "|u1", "<u2", "<u4", "<u8", ">u2")
ODD_DTYPES = ("<c16", "|O", "<U6", "<m8[s]")

#: Per kind: common values (drawn three times as often) and special ones (extremes, values
#: that are hard to bin or sum exactly).
_VALUES: dict[str, tuple[list[Any], list[Any]]] = {
    "counts": (list(range(13)), [2**31, 2**40, 2**53, 2**53 + 1, 2**62, 2**63 - 1, 10**6]),
    "prob": (
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0.5, 0.25, 0.1, 1.5, 2.75, 3.3, 0.001, 0.7],
        [0.0, 5e-324, 1e-300, 1e-12, 1e12, 1e300, 1.7e308, 1e-8, 1 + 2**-52],
    ),
    "real": (
        [0, 1, -1, 2, -2, 3, 5, 7, -5, 0.5, -0.5, 0.1, 0.2, 0.3, 1.5, -2.25, 100.0, -1000.0,
         12.7, 0.75],
        [-0.0, 1e308, -1e308, 5e-324, -5e-324, 1e-300, 2.0**53, 2.0**53 + 2, -(2.0**53),
         1e15 + 0.3, 1e-8, 1 + 2**-52, 3.0e38, 65504.0],
    ),
    "codes": (list(range(13)), [255, 256, 1000, 4095]),
    "labels": (list(range(-2, 7)), [0.5, -0.0, 1.25, 10**12, 10**12 + 1, -(2**40), 2**53]),
    "logits": (
        [0, 1, -1, 2, -2, 3.5, -3.5, 0.5, -0.25, 7.0, -9.0, 20.0, -30.0, 0.125],
        [-inf, -inf, -inf, 1e300, -1e300, -1e308, 700.0, -745.0, 5e-324, 1e-300, -0.0, 88.0,
         60000.0],
    ),
    "logprobs": (
        [0, -0.1, -1, -2.5, -0.5, -3.0, -7.25, -0.01],
        [-inf, -700.0, -1e308, -5e-324, -0.0, -1e-300, -746.0],
    ),
    "bool": ([0, 1], []),
}
#: Per kind: a continuous range some arrays draw from instead.
_FLOATS = {"prob": (0.0, 10.0), "real": (-1e3, 1e3), "logits": (-50.0, 50.0),
           "logprobs": (-20.0, 0.0)}
_BAD = {
    "counts": [nan, inf, -1, 0.5, -0.0, 1e308, 2**64],
    "prob": [nan, inf, -inf, -1.0, -5e-324, -0.0, 1e308],
    "real": [nan, inf, -inf, 1e308, -1e308],
    "codes": [nan, inf, -1, 0.5, 2**62],
    "labels": [nan, inf, -inf, -0.0, 1e308, 2**62, -(2**63)],
    "logits": [nan, inf, -inf, -inf, 1e308],
    "logprobs": [nan, inf, 0.5, -inf],
    "bool": [2, nan],
}


@functools.cache
def _elements(kind: str) -> Any:
    """One draw per element: an index into the kind's values (common ones 3x as likely)."""
    common, special = _VALUES[kind]
    table = common * 3 + special
    return st.integers(0, len(table) - 1).map(table.__getitem__)


@functools.cache
def _dtype(kind: str) -> Any:
    if kind in ("counts", "codes"):
        main: Any = st.sampled_from(INT_DTYPES + FLOAT_DTYPES[:3])
    elif kind == "labels":
        main = st.sampled_from(INT_DTYPES[:5] + FLOAT_DTYPES[:3] + ("<U6", "|b1"))
    elif kind == "bool":
        main = st.sampled_from(("|b1", "|b1", "|b1", "<i8", "|u1", "<f8"))
    elif kind in ("logits", "logprobs"):
        main = st.sampled_from(FLOAT_DTYPES + FLOAT_DTYPES[:3] + INT_DTYPES[:3])
    else:
        main = st.sampled_from(FLOAT_DTYPES + INT_DTYPES[:6])
    return weighted((16, main), (1, st.just("|b1")), (1, st.sampled_from(ODD_DTYPES)))


def _cast(values: list[Any], dtype: str) -> np.ndarray:
    """``values`` in ``dtype``; integers are clipped to the dtype's range (NaN becomes 0, inf
    the extreme), so an integer array holds whole in-range values and the reproducer is exact."""
    dt = np.dtype(dtype)
    with np.errstate(all="ignore"):
        if dt.kind in "iu":
            info = np.iinfo(dt)
            out = []
            for v in values:
                if isinstance(v, float) and math.isnan(v):
                    v = 0
                elif isinstance(v, float) and math.isinf(v):
                    v = info.max if v > 0 else info.min
                out.append(min(max(int(v), int(info.min)), int(info.max)))
            return np.array(out, dtype=object).astype(dt)
        if dt.kind == "b":
            return np.array([bool(v) for v in values], dtype=dt)
        if dt.kind == "O":
            return np.array(values + [None], dtype=object)[:-1]
        if dt.kind == "U":
            return np.array([str(v) for v in values], dtype=dt)
        if dt.kind == "m":
            clean = [0 if not (isinstance(v, int) or math.isfinite(v)) else int(v) for v in values]
            return np.array([min(max(v, -(2**62)), 2**62) for v in clean], dtype=dt)
        return np.array([float(v) for v in values], dtype=np.float64).astype(dt)


MAX_DRAWN = 200  # elements drawn one by one; larger arrays tile a drawn block


_SIDE = weighted((16, st.integers(1, 6)), (3, st.integers(7, 24)), (1, st.just(0)))


@st.composite
def shapes(
    draw: Any, min_dims: int = 1, max_dims: int = 3, big: bool = True, odd: bool = True
) -> tuple[int, ...]:
    """A shape; rarely (``odd``) of one dimension too few or too many, or (``big``) big enough
    for the kernels to use threads."""
    nd = draw(weighted(
        (20, st.integers(min_dims, max_dims)),
        (1 if odd else 0, st.sampled_from(sorted({max(0, min_dims - 1), max_dims + 1}))),
    ))
    if big and nd and draw(chance(25)):
        if nd == 1:
            return (draw(st.integers(20000, 70000)),)
        head = [draw(st.integers(1, 6)) for _ in range(nd - 2)]
        return (*head, draw(st.integers(2, 48)), draw(st.integers(700, 2500)))
    shape = [draw(_SIDE) for _ in range(nd)]
    while math.prod(shape) > MAX_DRAWN:
        shape[shape.index(max(shape))] //= 2
    return tuple(shape)


LAYOUT_CHOICES = ("fortran", "strided", "reversed", "read_only", "unaligned", "list")


@st.composite
def arrays(
    draw: Any,
    kind: str,
    shape: tuple[int, ...] | None = None,
    *,
    min_dims: int = 1,
    max_dims: int = 3,
    dtypes: tuple[str, ...] | None = None,
    bad: bool = True,
) -> Arr:
    """An :class:`Arr` of ``kind`` values (see the module docstring)."""
    shp = shape if shape is not None else draw(shapes(min_dims, max_dims))
    dtype = draw(st.sampled_from(dtypes)) if dtypes else draw(_dtype(kind))
    size = math.prod(shp)
    tile_to = None
    if size > MAX_DRAWN:
        tile_to, block = shp, (draw(st.integers(1, 64)),)
    else:
        block = shp
    n = math.prod(block)
    elements = _elements(kind)
    if kind in _FLOATS and draw(chance(3)):
        elements = st.floats(*_FLOATS[kind])
    elif n and draw(chance(4)):
        # repeats: the values come from a pool of one to three (constant or one-hot rows...)
        pool = draw(st.lists(elements, min_size=1, max_size=3))
        elements = st.sampled_from(pool)
    values: list[Any] = draw(st.lists(elements, min_size=n, max_size=n))
    if bad and n and draw(chance(4)):
        for _ in range(draw(st.integers(1, 3))):
            v = draw(st.sampled_from(_BAD[kind]))
            if len(block) >= 2 and draw(st.booleans()):  # a whole row along the last axis
                row = draw(st.integers(0, n // block[-1] - 1))
                for j in range(block[-1]):
                    values[row * block[-1] + j] = v
            else:
                values[draw(st.integers(0, n - 1))] = v
    base = _cast(values, dtype).reshape(block)
    layouts = ["C"]
    if shp and size:
        layouts += ["fortran", "strided", "reversed", "read_only"]
        if base.dtype.itemsize > 1 and base.dtype.kind != "O":
            layouts.append("unaligned")
        if tile_to is None:
            layouts.append("list")
    elif not shp:
        layouts.append("read_only")
    layout = draw(weighted((3, st.just("C")), (2, st.sampled_from(layouts))))
    return Arr(base, layout, tile_to)


#: Values that are not arrays at all, passed where an array is expected.
NOT_ARRAYS = [None, "abc", 3.0, [[1, 2], [3]], [], b"\x00", {"a": 1}, [1, "a"], 1j]


def _shape_of(a: Any) -> tuple[int, ...]:
    if isinstance(a, Arr):
        return a.tile_to if a.tile_to is not None else a.base.shape
    try:
        return np.shape(a)
    except ValueError:
        return ()


def context(arrays_by_name: dict[str, Any], func: str) -> dict[str, Any]:
    """What the keyword strategies may know: the first array's shape, its rows and length."""
    first = next((v for k, v in arrays_by_name.items() if not k.startswith("_")), None)
    shp = _shape_of(first)
    return {
        "func": func,
        "shape": shp,
        "ndim": len(shp),
        "n": shp[-1] if shp else 1,
        "out_shape": shp[:-1],
        "arrays": arrays_by_name,
        "values": {},  # the parameters drawn so far, in signature order
    }


# --------------------------------------------------------------------------- array groups


@dataclasses.dataclass(frozen=True)
class Group:
    """A strategy of the array arguments of a call (a dict name -> value), and their names."""

    strategy: Any
    names: tuple[str, ...]


def maybe_not_array(s: Any) -> Any:
    return weighted((30, s), (1, st.sampled_from(NOT_ARRAYS)))


def one(name: str, kind: str, min_dims: int = 1, max_dims: int = 3) -> Group:
    """A single array argument ``name``."""
    return Group(
        st.builds(
            lambda a: {name: a},
            maybe_not_array(arrays(kind, min_dims=min_dims, max_dims=max_dims)),
        ),
        (name,),
    )


def _related_shape(draw: Any, shp: tuple[int, ...], broadcast: bool) -> tuple[int, ...]:
    how = draw(weighted((14, st.just("same")), (3, st.just("broadcast")), (2, st.just("other"))))
    if how == "same" or (how == "broadcast" and not broadcast):
        return shp
    if how == "broadcast" and shp:
        drop = draw(st.integers(0, len(shp) - 1))
        out = list(shp[drop:])
        for i in range(len(out)):
            if draw(chance(4)):
                out[i] = 1
        return tuple(out)
    return draw(shapes(max(1, len(shp)) - 1, len(shp) + 1, big=False))


def pair(
    n1: str, n2: str, kind: str, *, min_dims: int = 1, max_dims: int = 3,
    broadcast: bool = True, optional_second: bool = False,
) -> Group:
    """Two array arguments of mostly equal (or broadcastable) shapes."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(min_dims, max_dims))
        a = draw(maybe_not_array(arrays(kind, shp)))
        if optional_second and draw(st.booleans()):
            return {n1: a, n2: None}
        shp2 = _related_shape(draw, shp, broadcast)
        return {n1: a, n2: draw(maybe_not_array(arrays(kind, shp2)))}

    return Group(strat(), (n1, n2))


def labels_pair(n1: str, n2: str) -> Group:
    """Two 1-D labelings of (mostly) equal length, of independent dtypes."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(1, 1))
        shp2 = shp if not draw(chance(9)) else (
            draw(shapes(1, 1, big=False))
        )
        return {
            n1: draw(maybe_not_array(arrays("labels", shp))),
            n2: draw(maybe_not_array(arrays("labels", shp2))),
        }

    return Group(strat(), (n1, n2))


def samples_dd() -> Group:
    """histogramdd's ``sample``: an (N, D) array, or a sequence of D 1-D arrays."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        form = draw(weighted((6, st.just("2d")), (2, st.just("seq")), (1, st.just("odd"))))
        d = draw(st.integers(1, 3))
        if form == "seq":
            (n,) = draw(shapes(1, 1, odd=False))
            return {"sample": [draw(arrays("real", (n,))) for _ in range(d)]}
        if form == "odd":
            return {"sample": draw(maybe_not_array(arrays("real", min_dims=1, max_dims=3)))}
        (n,) = draw(shapes(1, 1, odd=False))
        return {"sample": draw(arrays("real", (n, d) if n * d <= 70000 else (n // d, d)))}

    return Group(strat(), ("sample",))


def xy_1d() -> Group:
    """histogram2d's ``x`` and ``y``: 1-D of (mostly) equal length."""
    return pair("x", "y", "real", min_dims=1, max_dims=1, broadcast=False)


def _int_arr(draw: Any, shape: tuple[int, ...], lo: int, hi: int, extra: list[int]) -> Arr:
    """Integer indices in ``[lo, hi]`` (and the ``extra`` values) of ``shape``."""
    n = math.prod(shape)
    if n > MAX_DRAWN:
        block: tuple[int, ...] = (draw(st.integers(1, 64)),)
        tile_to: tuple[int, ...] | None = shape
    else:
        block, tile_to = shape, None
    elems = weighted((8, st.integers(lo, max(lo, hi))), (1, st.sampled_from(extra)))
    vals = draw(st.lists(elems, min_size=math.prod(block), max_size=math.prod(block)))
    dtype = draw(st.sampled_from(("<i8", "<i8", "<i4", ">i8", "|i1", "<u2", "<f8", "|b1")))
    layout = draw(weighted((3, st.just("C")), (1, st.sampled_from(("strided", "read_only")))))
    return Arr(_cast(vals, dtype).reshape(block), layout if shape else "C", tile_to)


def logits_target() -> Group:
    """softmax_cross_entropy's ``logits`` and ``target``: class indices (the shape without the
    class axis), probability rows, or teacher logits."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(1, 3))
        logits = draw(maybe_not_array(arrays("logits", shp)))
        form = draw(st.sampled_from(("index", "index", "probs", "logits")))
        c = shp[-1] if shp else 1
        if form == "index":
            target: Any = _int_arr(draw, shp[:-1], 0, c - 1, [-100, -1, c, 2**40])
        elif form == "probs":
            raw = draw(arrays("prob", shp, dtypes=("<f8",), bad=False))
            b = raw.base.astype(np.float64)
            with np.errstate(all="ignore"):
                b = b / b.sum(axis=-1, keepdims=True) if b.ndim else b
            if draw(chance(5)):
                b = b * 1.01  # rows that do not sum to 1
            dt = draw(st.sampled_from(("<f8", "<f8", "<f4", ">f8")))
            target = Arr(b.astype(dt), raw.layout, raw.tile_to)
        else:
            target = draw(arrays("logits", _related_shape(draw, shp, broadcast=False)))
        return {"logits": logits, "target": draw(maybe_not_array(st.just(target))),
                "_target_form": form}

    return Group(strat(), ("logits", "target"))


def logits_tokens() -> Group:
    """perplexity_from_logits' ``logits`` (..., time, vocab) and ``tokens`` (..., time)."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(2, 3))
        logits = draw(maybe_not_array(arrays("logits", shp)))
        v = shp[-1] if shp else 1
        tshape = shp[:-1] if not draw(chance(10)) else draw(shapes(1, 2, big=False))
        tokens = _int_arr(draw, tshape, 0, v - 1, [-100, -1, v, 2**40])
        return {"logits": logits, "tokens": draw(maybe_not_array(st.just(tokens)))}

    return Group(strat(), ("logits", "tokens"))


def logprobs_mask() -> Group:
    """perplexity_from_logprobs' ``logprobs`` and an optional broadcastable ``mask``."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(1, 3))
        lp = draw(maybe_not_array(arrays("logprobs", shp)))
        if draw(st.booleans()):
            return {"logprobs": lp}
        mask = draw(arrays("bool", _related_shape(draw, shp, broadcast=True)))
        return {"logprobs": lp, "mask": draw(maybe_not_array(st.just(mask)))}

    return Group(strat(), ("logprobs", "mask"))


def same_shape(*names: str, kind: str = "real") -> Group:
    """Several arrays of one shape (the fields of a result type)."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(0, 2, big=False))
        return {n: draw(arrays(kind, shp, bad=False)) for n in names}

    return Group(strat(), names)


# --------------------------------------------------------------------------- keyword values


def _n_of(ctx: dict[str, Any]) -> int:
    return max(1, int(ctx["n"]))


def kw_axis(ctx: dict[str, Any]) -> Any:
    nd = ctx["ndim"]
    good = st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1])
    return good_or_odd(good, [nd, -nd - 1, None, 0.5, True, np.int64(0), "0", (0,), (0, -1), 99])


def kw_base(ctx: dict[str, Any]) -> Any:
    return good_or_odd(
        [None, 2, 2.0, 10, math.e, 0.5, 3.7, 1e-3, 1e300, np.float32(2.0), np.int64(10)],
        [1, 1.0, 0, -2.0, nan, inf, "2", True, 2 + 0j, [2], np.array(2.0), 5e-324],
    )


def kw_n_jobs(ctx: dict[str, Any]) -> Any:
    return good_or_odd(
        [None, 1, 2, 3, -1, -2, np.int64(2)], [0, 1.5, "2", True, -100, 256, None]
    )


def kw_method(ctx: dict[str, Any]) -> Any:
    return good_or_odd(list(fe.ESTIMATOR_METHODS), ["", "PLUGIN", "nope", 3, None, "plugin "])


def kw_k(ctx: dict[str, Any]) -> Any:
    n = _n_of(ctx)
    out_shape = ctx["out_shape"]
    good = [None, n, n + 1, 2 * n, 3 * n + 2, 10**6, 2**31, np.int64(n), float(n)]
    per_row = (
        arrays("counts", out_shape, dtypes=("<i8", "<i4", "<f8"), bad=False).map(
            lambda a: Arr(a.base + n, a.layout, a.tile_to) if a.base.dtype.kind != "b" else a
        )
        if out_shape and math.prod(out_shape) <= MAX_DRAWN
        else st.just(n)
    )
    return weighted(
        (6, st.sampled_from(good)),
        (2, st.integers(1, 3 * n + 2)),
        (2, per_row),
        (1, st.sampled_from([0, -1, 2.5, nan, "3", True, 2**63, [1, 2, 3, 4, 5, 6, 7], 1e300])),
    )


def kw_alpha(ctx: dict[str, Any]) -> Any:
    good = weighted(
        (3, st.sampled_from(
            [0, 0.5, 1, 1.0, 2, 3, 0.999, 1.001, 1 - 1e-9, 1 + 1e-9, 10, 100, inf, 1e-9,
             np.float32(0.5)]
        )),
        (1, st.floats(0, 20)),
    )
    return good_or_odd(good, [-1, nan, "2", None, -inf, 1e308, True, -0.0, 2 + 0j])


def kw_bool(ctx: dict[str, Any]) -> Any:
    return good_or_odd([False, True], [1, 0, None, "yes", np.bool_(True)])


def kw_density(ctx: dict[str, Any]) -> Any:
    return good_or_odd([None, False, True], [1, 0, "yes", np.bool_(True)])


def kw_nan_policy(ctx: dict[str, Any]) -> Any:
    return good_or_odd(["propagate", "raise", "omit"], ["ignore", None, 1, "PROPAGATE"])


def kw_average_method(ctx: dict[str, Any]) -> Any:
    return good_or_odd(["arithmetic", "geometric", "min", "max"], ["median", "", None, 1])


def kw_minlength(ctx: dict[str, Any]) -> Any:
    return good_or_odd(st.integers(0, 40), [-1, 2.5, None, "3", True, np.int64(3)])


_RULES = ["auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"]
_ODD_BINS = [0, -1, 2.5, "nope", True, None, [[1.0, 2.0], [3.0, 4.0]], [], [1.0], nan, "FD"]


def edges(sorted_: bool = True) -> Any:
    """Explicit bin edges: mostly increasing; rarely unsorted or holding NaN."""

    @st.composite
    def strat(draw: Any) -> Arr:
        vals = draw(st.lists(
            weighted((5, st.floats(-20, 20)), (1, st.sampled_from([0.0, 1e308, -1e308, 1e-300]))),
            min_size=2, max_size=9, unique=True,
        ))
        if not draw(chance(9)):
            vals.sort()
        elif draw(st.booleans()):
            vals[draw(st.integers(0, len(vals) - 1))] = nan
        dtype = draw(st.sampled_from(("<f8", "<f8", ">f8", "<f4", "<i8")))
        layout = draw(st.sampled_from(("C", "C", "reversed", "read_only", "list")))
        return Arr(_cast(vals, dtype), layout)

    return strat()


def kw_bins(ctx: dict[str, Any]) -> Any:
    func = ctx["func"]
    count = weighted((6, st.integers(1, 40)), (1, st.sampled_from([1000, 10**5, np.int64(7)])))
    if func == "histogram_rows":
        return good_or_odd(count, _ODD_BINS)
    if func == "entropy_samples":
        return good_or_odd(weighted((4, count), (2, st.sampled_from(_RULES + [None]))), _ODD_BINS)
    if func in ("histogram", "histogram_bin_edges"):
        return good_or_odd(
            weighted((4, count), (2, st.sampled_from(_RULES)), (2, edges())), _ODD_BINS
        )
    # 2-D and N-D: at most ~10**6 cells (a 10**5-bin axis squared would allocate gigabytes)
    count2 = weighted((6, st.integers(1, 40)), (1, st.sampled_from([1000, np.int64(7)])))
    if func == "histogram2d":
        return good_or_odd(
            weighted(
                (4, count2),
                (2, st.lists(count2, min_size=2, max_size=2)),
                (2, edges()),
                (2, st.lists(st.one_of(count2, edges()), min_size=2, max_size=2)),
            ),
            _ODD_BINS + [[3, 4, 5]],
        )
    if func == "histogramdd":
        d = _dd_dims(ctx)
        countd = weighted((6, st.integers(1, 40)), (1, st.just(np.int64(7))))
        return good_or_odd(
            weighted(
                (4, countd),
                (2, st.lists(countd, min_size=d, max_size=d)),
                (2, st.lists(st.one_of(countd, edges()), min_size=d, max_size=d)),
            ),
            _ODD_BINS + [[3] * (d + 1)],
        )
    raise KeyError(f"no bins strategy for {func}")


def _dd_dims(ctx: dict[str, Any]) -> int:
    s = ctx["arrays"].get("sample")
    if isinstance(s, list):
        return max(1, len(s))
    shp = _shape_of(s)
    return shp[1] if len(shp) == 2 else 1


_ODD_RANGES = [
    (1.0, 0.0), (0.0, nan), (0.0, inf), (-inf, 0.0), (1.0,), "ab", (0.0, 1.0, 2.0),
    (-1e308, 1e308), (-1.7e308, 1.7e308), (0.0, 5e-324), (1.0, 1.0), [nan, nan], 3.0,
]


def one_range() -> Any:
    pt = weighted((5, st.floats(-20, 20)), (1, st.sampled_from([0.0, 1e300, -1e300, 1e-300])))
    good = st.tuples(pt, pt).map(lambda t: (min(t), max(t)))
    return weighted((6, good), (1, st.sampled_from([(0, 1), (0.0, 1e-12), [2, 3]])))


def kw_range(ctx: dict[str, Any]) -> Any:
    func = ctx["func"]
    if func in ("histogram2d", "histogramdd"):
        d = 2 if func == "histogram2d" else _dd_dims(ctx)
        per_axis = weighted((5, one_range()), (1, st.just(None)))
        return weighted(
            (2, st.just(None)),
            (5, st.lists(per_axis, min_size=d, max_size=d)),
            (1, st.sampled_from(_ODD_RANGES + [[(0, 1)] * (d + 1)])),
        )
    return weighted((2, st.just(None)), (5, one_range()), (1, st.sampled_from(_ODD_RANGES)))


def kw_weights(ctx: dict[str, Any]) -> Any:
    func = ctx["func"]
    if func == "histogramdd":
        s = ctx["arrays"].get("sample")
        shp = _shape_of(s[0]) if isinstance(s, list) and s else _shape_of(s)[:1]
    elif func == "histogram2d":
        shp = _shape_of(ctx["arrays"].get("x"))
    else:
        shp = ctx["shape"]
    good = arrays("real", shp, dtypes=("<f8", "<f8", ">f8", "<f4", "<i8", "|b1"))
    odd = st.one_of(
        arrays("real", (math.prod(shp) + 1,)),
        arrays("real", shp, dtypes=("<c16", "<U6", "|O")),
        st.sampled_from([3.0, "w", [1.0]]),
    )
    return weighted((2, st.just(None)), (6, good), (1, odd))


def kw_contingency(ctx: dict[str, Any]) -> Any:
    table = arrays("counts", min_dims=2, max_dims=2)
    matrix = shapes(2, 2, big=False, odd=False).flatmap(
        lambda shp: arrays("counts", shp, dtypes=("<i8", "<f8"), bad=False)
    )
    sparse = st.builds(Sparse, matrix, st.sampled_from(["csr", "csc", "coo"]))
    return weighted((6, st.just(None)), (3, table), (1, sparse))


def kw_a(ctx: dict[str, Any]) -> Any:
    """The Dirichlet concentration of ``wolpert_wolf`` (an error with any other method)."""
    good = st.sampled_from([1, 1.0, 0.5, 1e-3, 2.0, 100.0, np.float64(0.3), 1e-300, 1e300])
    odd = st.sampled_from([0, -1.0, nan, inf, "1", True, [1.0]])
    if ctx["values"].get("method") == "wolpert_wolf":
        return weighted((2, st.just(None)), (6, good), (1, odd))
    return weighted((12, st.just(None)), (1, good), (1, odd))


def kw_temperature(ctx: dict[str, Any]) -> Any:
    return good_or_odd(
        [1.0, 1, 0.5, 2.0, 1e-3, 100.0, 0.7, np.float32(2.0), 1e-300, 1e300],
        [0, 0.0, -1.0, nan, inf, "1", None, True, -0.0],
    )


def kw_dtype(ctx: dict[str, Any]) -> Any:
    return good_or_odd(
        [np.float64, np.float32, "float32", "float64", np.dtype("float32")],
        [np.float16, np.int64, None, "bogus", float, ">f4", np.complex128],
    )


def kw_all_masked(ctx: dict[str, Any]) -> Any:
    return good_or_odd(["raise", "nan"], ["ignore", None, 1, "NaN"])


def kw_ignore_index(ctx: dict[str, Any]) -> Any:
    return good_or_odd([-100, 0, 1, -1, 2, np.int64(1)], [1.5, "a", None, True, 2**63])


def kw_label_smoothing(ctx: dict[str, Any]) -> Any:
    return good_or_odd([0.0, 0.1, 0.5, 1.0, 0.999, 0], [-0.1, 1.5, nan, "0.1", None, inf])


def kw_reduction(ctx: dict[str, Any]) -> Any:
    return good_or_odd(["none", "mean", "sum"], ["avg", None, 1, "None"])


def kw_grad_wrt(ctx: dict[str, Any]) -> Any:
    return good_or_odd(["q", "p", "both"], ["x", None, 1, "Q"])


def kw_target_is_logits(ctx: dict[str, Any]) -> Any:
    if ctx["arrays"].get("_target_form") == "logits":
        return weighted((8, st.just(True)), (1, kw_bool(ctx)))
    return kw_bool(ctx)


def kw_member_axis(ctx: dict[str, Any]) -> Any:
    nd = ctx["ndim"]
    good = st.integers(-nd, nd - 1) if nd else st.sampled_from([0, -1])
    return good_or_odd(good, [nd, -nd - 1, None, 0.5, True, -1, "0"])


def kw_spacing_method(ctx: dict[str, Any]) -> Any:
    return good_or_odd(
        ["auto", "vasicek", "van es", "ebrahimi", "correa", "Van Es"], ["plugin", "", 3, None]
    )


def kw_window_length(ctx: dict[str, Any]) -> Any:
    n = _n_of(ctx)
    return good_or_odd([None, 1, 2, 3, max(1, (n - 1) // 2), np.int64(2)],
                       [0, -1, n, 2.5, "3", True])


def tol_spacing(call: Call, result: Any) -> dict[int, Tol]:
    """A mean of n logs of spacings (one log per 8 in the kernel, per value in the twin): the
    sum's rounding relative to the logs' magnitude, which can exceed the mean's (atol)."""
    return {0: Tol(rtol=1e-11, atol=1e-11)}


#: Strategy of every keyword (non-array) parameter, by name: ``ctx -> strategy``.
KWARGS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "axis": kw_axis,
    "base": kw_base,
    "n_jobs": kw_n_jobs,
    "method": kw_method,
    "k": kw_k,
    "alpha": kw_alpha,
    "return_std": kw_bool,
    "keepdims": kw_bool,
    "density": kw_density,
    "nan_policy": kw_nan_policy,
    "average_method": kw_average_method,
    "minlength": kw_minlength,
    "bins": kw_bins,
    "range": kw_range,
    "weights": kw_weights,
    "contingency": kw_contingency,
    "a": kw_a,
    "temperature": kw_temperature,
    "dtype": kw_dtype,
    "all_masked": kw_all_masked,
    "return_probs": kw_bool,
    "return_grad": kw_bool,
    "temperature_squared": kw_bool,
    "target_is_logits": kw_target_is_logits,
    "ignore_index": kw_ignore_index,
    "label_smoothing": kw_label_smoothing,
    "reduction": kw_reduction,
    "grad_wrt": kw_grad_wrt,
    "member_axis": kw_member_axis,
}


# --------------------------------------------------------------------------- calls


def fuzz(
    func: str,
    group: Group,
    *,
    tol: Tol = Tol(),
    tol_for: Callable[[Call, Any], dict[int, Tol]] | None = None,
    compare: bool = True,
    override: dict[str, Callable[[dict[str, Any]], Any]] | None = None,
    target: Callable[..., Any] | None = None,
    ref: Callable[..., Any] | None = None,
) -> Entry:
    """The :class:`Entry` of ``fe.<func>`` (or of ``target``): the array arguments from
    ``group``, every other parameter from :data:`KWARGS` (or ``override``), optional ones half
    the time. A parameter without a strategy is a ``KeyError`` here, when the registry is
    built."""
    fn = target or getattr(fe, func)
    params = inspect.signature(fn).parameters
    table = {**KWARGS, **(override or {})}
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    unknown = [
        p for p, spec in params.items()
        if spec.kind not in variadic and p not in group.names and p not in table
    ]
    if unknown:
        raise KeyError(
            f"fuzz: fastentropy.{func} has parameter(s) {unknown} without a strategy; add "
            "them to KWARGS in tests/fuzz/fuzz_strategies.py (or pass override=)"
        )

    @st.composite
    def calls(draw: Any) -> Call:
        arrs = draw(group.strategy)
        ctx = context(arrs, func)
        values: dict[str, Any] = ctx["values"]
        for p, spec in params.items():
            if spec.kind in variadic:
                continue
            if p in arrs:
                values[p] = arrs[p]
            elif p in group.names:
                continue  # an optional array the group left out
            elif spec.default is inspect.Parameter.empty or draw(st.booleans()):
                values[p] = draw(table[p](ctx))
        # the leading positional-or-keyword parameters go positionally half the time
        args: list[Any] = []
        if draw(st.booleans()):
            for p, spec in params.items():
                if spec.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD or p not in values:
                    break
                args.append(values.pop(p))
        return Call(func, tuple(args), dict(values))

    return Entry(calls(), tol=tol, tol_for=tol_for, compare=compare, func=target, ref=ref)


def no_args(func: str) -> Entry:
    """A function without arguments whose result names the backend: only run it."""
    return Entry(st.just(Call(func)), compare=False)


# --------------------------------------------------------------------------- references


def reference(dotted: str) -> Callable[..., Any]:
    """The drop-in's reference function ``module.name``, imported when first called."""
    module, _, name = dotted.rpartition(".")

    def call(*args: Any, **kwargs: Any) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    return call


# --------------------------------------------------------------------------- tolerances
# The default is 1e-12 relative. Where the two backends legitimately differ more, the entry
# says so with a tolerance derived from the conditioning of the quantity (never a skip).
EPS = float(np.finfo(np.float64).eps)


def call_arg(call: Call, name: str, default: Any = None) -> Any:
    """The value of parameter ``name`` in ``call`` (passed by keyword or position)."""
    if name in call.kwargs:
        return call.kwargs[name]
    params = list(inspect.signature(getattr(fe, call.func)).parameters)
    i = params.index(name) if name in params else len(call.args)
    return call.args[i] if i < len(call.args) else default


def _log_base(call: Call) -> float:
    """|ln base|: results in units of ``base`` are nats divided by it."""
    base = call_arg(call, "base")
    return 1.0 if base is None else abs(math.log(float(np.asarray(base))))


def tol_alpha(call: Call, result: Any) -> dict[int, Tol]:
    """Renyi and Tsallis quantities are ``f(sum p^a q^(1-a)) / (1 - a)``: the sum's rounding
    (~eps, as it is ~1) is divided by ``|1 - a|``, so near ``a = 1`` (and for values near 0)
    only an absolute accuracy of ~eps / |1 - a| exists on either backend."""
    a = float(np.asarray(call_arg(call, "alpha")))
    if not math.isfinite(a) or a == 1.0:
        return {}
    return {0: Tol(atol=8 * EPS / abs(1 - a) / _log_base(call))}


#: Estimators whose value is a difference of O(log N) terms on both backends (the NSB
#: posterior mean: integrals of digamma differences), so values near 0 agree only to
#: ~eps * log N absolutely.
CANCELLING_METHODS = ("nsb",)


def _sum_rtol(n: int) -> float:
    """Sums of ``n`` terms in another order (numpy's pairwise sums in a twin, a running or
    blocked sum in a kernel) agree to ~n * eps relatively, not better."""
    return max(1e-12, 2 * EPS * n)


def _row_length(call: Call, name: str) -> int:
    shape = np.shape(build_value(call_arg(call, name)))
    axis = call_arg(call, "axis", -1)
    try:
        return int(shape[axis]) if shape else 1
    except (IndexError, TypeError):
        return 1


def tol_estimate(call: Call, result: Any) -> dict[int, Tol]:
    """The estimate, a sum over the row (see _sum_rtol; and CANCELLING_METHODS), and its
    standard deviation: a std is the square root of a difference of O(H^2) terms (a variance),
    so it is accurate to ~sqrt(eps) * H."""
    n = _row_length(call, "counts" if call.func == "entropy_counts" else "x")
    bins = call_arg(call, "bins", 10)
    if call.func == "entropy_samples" and isinstance(bins, int):
        n = bins
    out: dict[int, Tol] = {0: Tol(rtol=_sum_rtol(n))}
    if call_arg(call, "method", "plugin") in CANCELLING_METHODS:
        out[0] = Tol(rtol=_sum_rtol(n), atol=64 * EPS * 45 / _log_base(call))
    if call_arg(call, "return_std", False) and isinstance(result, tuple):
        h = np.abs(np.asarray(result[0], dtype=np.float64))
        out[1] = Tol(atol=1e-7 * (1 / _log_base(call) + np.where(np.isfinite(h), h, 0)))
    return out


def tol_table(call: Call, result: Any) -> dict[int, Tol]:
    """Joint, conditional, mutual information and VI from a table are sums and differences of
    entropies (H(X) + H(Y) - H(X, Y)...), each ~log N, for every method but the plug-in
    (summed directly, without cancellation): near 0 they agree to ~eps * log N absolutely;
    and they sum over the R * C cells (see _sum_rtol)."""
    shape = np.shape(build_value(call_arg(call, "table")))
    rtol = _sum_rtol(int(np.prod(shape[-2:])) if len(shape) >= 2 else 1)
    if call_arg(call, "method", "plugin") == "plugin":
        return {0: Tol(rtol=rtol)}
    return {0: Tol(rtol=rtol, atol=64 * EPS * 45 / _log_base(call))}


_LOGIT_ARGS = ("logits", "p_logits", "q_logits")


def _logit_grad_scale(call: Call) -> float:
    """The size of the probabilities a softmax gradient is a difference of, in result units:
    ``1 / T`` (``T`` with ``temperature_squared``), over ``|ln base|``, times ``1 + ln C``
    for the logarithms of the ``C`` classes it carries."""
    t = float(np.asarray(call_arg(call, "temperature", 1.0)))
    scale = t if call_arg(call, "temperature_squared", False) else 1 / t
    shape = next(
        (np.shape(build_value(v)) for k, v in call.kwargs.items() if k in _LOGIT_ARGS),
        None,
    )
    if shape is None and call.args:
        shape = np.shape(build_value(call.args[0]))
    axis = call_arg(call, "axis", -1)
    c = shape[axis] if shape else 1
    return scale * (1 + math.log(max(c, 1))) / _log_base(call)


def tol_logit_grads(call: Call, result: Any) -> dict[int, Tol]:
    """Gradients of softmax quantities are differences of probabilities (``(Q - P) / T``,
    ``p (log p + H) / T``...): where they are near 0 only an absolute accuracy of a few eps
    times the probabilities' scale exists on either backend."""
    if not isinstance(result, tuple):
        return {}
    grad = Tol(atol=64 * EPS * _logit_grad_scale(call))
    if call.func == "softmax_entropy":
        if not call_arg(call, "return_grad", False):
            return {}
        return {1 + bool(call_arg(call, "return_probs", False)): grad}
    # softmax_kl_divergence: 1 or 2 gradients. dKL/dp is P (d - KL), d = log(P/Q) per class:
    # where KL is large and P near 1, d and KL cancel, so any float64 route is only good to
    # ~eps * KL * P (mpmath: e.g. 2e-8 relative at KL = 746 nats); scale by the largest KL (in
    # nats) of the call. The q-gradient (Q - P) gets the same bound, looser than it needs.
    kl = np.asarray(result[0], dtype=np.float64) * _log_base(call)
    kl_max = float(np.nanmax(np.abs(kl), initial=0.0)) if kl.size else 0.0
    if not math.isfinite(kl_max):
        kl_max = 0.0
    grad = Tol(atol=64 * EPS * _logit_grad_scale(call) * max(1.0, kl_max))
    return {i: grad for i in range(1, len(result))}


def tol_epistemic(call: Call, result: Any) -> dict[int, Tol]:
    """The epistemic part sums ``pbar * phi(log p - log pbar)`` with ``phi(d) ~ d^2 / 2``:
    members that agree give ``d`` of an ulp or 0 depending on how each backend rounds the two
    logarithms, so ~eps^2 absolutely. The margin (result 4) is the difference of the two
    largest mean probabilities, each rounded to about an ulp of a number <= 1: it is exact to
    ~1e-16 absolutely, not relatively (CI drew a margin of 2e-5 differing in the 12th digit)."""
    return {2: Tol(atol=1e-30 / _log_base(call)), 4: Tol(atol=1e-15)}


DIVERGENCE_PAIRS = (
    "cross_entropy", "kl_divergence", "jensen_shannon", "total_variation", "hellinger",
    "bhattacharyya", "chi2_divergence", "renyi_divergence",
)
TABLE_FUNCTIONS = (
    "joint_entropy", "conditional_entropy", "mutual_information", "variation_of_information",
)


# k-NN estimators: x (n,) or (n, d), y and z of (mostly) the same length
def _knn_side(draw: Any, n: int) -> Any:
    if draw(chance(9)):
        return draw(maybe_not_array(arrays("real", min_dims=1, max_dims=3)))
    shp = (n,) if draw(st.booleans()) else (n, draw(st.integers(1, 3)))
    return draw(maybe_not_array(arrays("real", shp)))


def knn_xy(second: str = "y", optional_z: bool = False) -> Group:
    """``x`` and ``second`` (and, for MI, an optional ``z``) of the k-NN estimators."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(1, 2))
        x = draw(maybe_not_array(arrays("real", shp)))
        n = shp[0] if shp else 1
        if second == "y" and not optional_z:  # kl_divergence_knn: any length, same columns
            m = draw(st.integers(1, 60)) if draw(st.booleans()) else n
            y = draw(maybe_not_array(arrays("real", (m, *shp[1:]))))
            return {"x": x, "y": y}
        out = {"x": x, second: _knn_side(draw, n)}
        if optional_z and draw(st.booleans()):
            out["z"] = _knn_side(draw, n)
        return out

    return Group(strat(), ("x", "y", "z") if optional_z else ("x", "y"))


def knn_many() -> Group:
    """mutual_info_many's ``X`` (n, m) and ``y``."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        shp = draw(shapes(2, 2))
        n = shp[0] if shp else 1
        return {"X": draw(maybe_not_array(arrays("real", shp))), "y": _knn_side(draw, n)}

    return Group(strat(), ("X", "y"))


def kw_knn_k(ctx: dict[str, Any]) -> Any:
    shp = ctx["shape"]
    n = max(1, int(shp[0])) if shp else 1
    return good_or_odd([1, 2, 3, 4, 7, min(n - 1, 20) or 1, n, np.int64(3)],
                       [0, -1, 2.5, nan, "3", True, 10**6, None])


KNN_KWARGS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "k": kw_knn_k,
    "metric": lambda ctx: good_or_odd(["chebyshev", "euclidean"], ["manhattan", None, 3]),
    "algorithm": lambda ctx: good_or_odd(["ksg1", "ksg2", "gkov"],
                                         ["ksg3", None, 2, "KSG1", "GKOV"]),
    "standardize": kw_bool,
    "noise": lambda ctx: good_or_odd([1e-10, 0.0, 1e-3, 0], [-1.0, nan, inf, "1e-10", None]),
    # None (fresh entropy) would give the two backends different noise: not a good value here
    "random_state": lambda ctx: good_or_odd([0, 1, 12345, np.int64(7)], [-1, "seed", 1.5]),
    "return_local": kw_bool,
    # a discrete side is the drawn x or y read as labels (each distinct value or row a class)
    "discrete_x": kw_bool,
    "discrete_y": kw_bool,
    # the Theiler window: neighbours |i - j| <= theiler are excluded
    "theiler": lambda ctx: good_or_odd([0, 0, 1, 2, 5, np.int64(3)],
                                       [-1, 1.5, True, "1", None, 10**6]),
}
KNN_TOL = Tol(rtol=1e-12, atol=1e-11)  # Euclidean distances: cKDTree's and ours differ in ulps


_LABELS = ("labels_true", "labels_pred")
# AMI = (MI - EMI) / (mean H - EMI): near independence MI and EMI cancel, so the backends (whose
# EMI sums run in different orders) agree to the rounding of MI, about eps absolutely, not 1e-12
# of the small difference (e.g. -3.760891864573e-05 against -3.760891864551e-05).
AMI_TOL = Tol(rtol=1e-12, atol=64 * EPS)

# --------------------------------------------------------------------------- mixtures
# The mixture functions take a model object: the fuzz draws the model's arrays (diag
# covariances) and a stand-in ``target`` builds the model first (a reproducer's
# ``fe.<name>(...)`` line reads as that stand-in, with the model's arrays as its arguments).


def _bounded(draw: Any, shape: tuple[int, ...], lo: float, hi: float) -> Arr:
    """Floats in [lo, hi] of ``shape`` (big shapes tiled from a short block)."""
    size = math.prod(shape)
    block = (draw(st.integers(1, 64)),) if size > MAX_DRAWN else shape
    values = draw(st.lists(st.floats(lo, hi), min_size=math.prod(block),
                           max_size=math.prod(block)))
    dtype = draw(st.sampled_from(["<f8", ">f8", "<f4"]))
    layouts = ["C", "fortran", "strided", "reversed", "read_only"]
    layout = draw(st.sampled_from(layouts if size > MAX_DRAWN else [*layouts, "list"]))
    base = np.asarray(values, dtype=np.float64).astype(dtype).reshape(block)
    return Arr(base, layout, shape if size > MAX_DRAWN else None)


def mixture_arrays(with_x: bool) -> Group:
    """weights (normalised, now and then odd), means, diag covariances (now and then any
    reals) and, with ``with_x``, points ``X`` (n, d) (now and then of another shape)."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        k, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        w = np.asarray(draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k)))
        good_w = Arr(w / w.sum(), draw(st.sampled_from(["C", "read_only", "list"])))
        out = {
            "weights": draw(weighted((8, st.just(good_w)), (1, arrays("prob", (k,))))),
            "means": draw(weighted((8, st.just(_bounded(draw, (k, d), -5.0, 5.0))),
                                   (1, arrays("real", (k, d))))),
            "covariances": draw(weighted((8, st.just(_bounded(draw, (k, d), 0.05, 4.0))),
                                         (1, arrays("real", (k, d))))),
        }
        if with_x:
            n = draw(weighted((10, st.integers(0, 40)), (1, st.integers(2000, 5000))))
            out["X"] = draw(weighted(
                (8, st.just(_bounded(draw, (n, d), -10.0, 10.0))),
                (1, maybe_not_array(arrays("real", min_dims=1, max_dims=3))),
            ))
        return out

    return Group(strat(), ("weights", "means", "covariances", "X") if with_x else
                 ("weights", "means", "covariances"))


def _gm(weights: Any, means: Any, covariances: Any) -> Any:
    return fe.as_gaussian_mixture(weights=weights, means=means, covariances=covariances,
                                  covariance_type="diag")


def fuzz_log_density(weights: Any, means: Any, covariances: Any, X: Any,
                     n_jobs: Any = None) -> Any:
    return fe.log_density(_gm(weights, means, covariances), X, n_jobs=n_jobs)


def fuzz_sample(weights: Any, means: Any, covariances: Any, n: Any = 7,
                random_state: Any = 0, n_jobs: Any = None) -> Any:
    return fe.sample(_gm(weights, means, covariances), n, random_state=random_state,
                     n_jobs=n_jobs)


def fuzz_kl_divergence_mixture(weights: Any, means: Any, covariances: Any, method: Any = "mc",
                               n_samples: Any = 64, random_state: Any = 0, n_jobs: Any = None,
                               base: Any = None, antithetic: Any = False,
                               n_randomizations: Any = 16) -> Any:
    p = _gm(weights, means, covariances)
    q = fe.as_gaussian_mixture(weights=p.weights, means=p.means[::-1] * 0.5 + 0.25,
                               covariances=p.covariances, covariance_type="diag")
    return fe.kl_divergence_mixture(p, q, method=method, n_samples=n_samples,
                                    random_state=random_state, n_jobs=n_jobs, base=base,
                                    antithetic=antithetic, n_randomizations=n_randomizations)


def fuzz_kl_divergence_mixture_batch(weights: Any, means: Any, covariances: Any,
                                     pairs: Any = "zip", method: Any = "mc", n_samples: Any = 64,
                                     random_state: Any = 0, n_jobs: Any = None,
                                     base: Any = None, antithetic: Any = False,
                                     n_randomizations: Any = 16) -> Any:
    p = _gm(weights, means, covariances)
    q = fe.as_gaussian_mixture(weights=p.weights, means=p.means[::-1] * 0.5 + 0.25,
                               covariances=p.covariances, covariance_type="diag")
    return fe.kl_divergence_mixture_batch([p, q], [q, p], pairs=pairs, method=method,
                                          n_samples=n_samples, random_state=random_state,
                                          n_jobs=n_jobs, base=base, antithetic=antithetic,
                                          n_randomizations=n_randomizations)


#: kl_divergence_mixture(_batch): the samplers' options (antithetic needs method='mc': drawn
#: True it is an error with the other methods, on both backends alike)
MIXTURE_KL_KW: dict[str, Callable[[dict[str, Any]], Any]] = {
    "method": lambda ctx: good_or_odd(["mc", "rqmc", "auto", "variational", "goldberger",
                                       "product", "bounds", "unscented"], ["quad", "", 3, None]),
    "antithetic": lambda ctx: good_or_odd([False, True, np.bool_(True)], [1, "yes", None]),
    "n_randomizations": lambda ctx: good_or_odd([2, 3, 16, np.int64(5)], [1, 0, 4.0, True]),
}


def tol_mixture_kl_batch(call: Call, result: Any) -> dict[int, Tol]:
    """As :func:`tol_mixture_kl`, with the batch's largest estimate, stderr and count."""
    est = float(np.nanmax(np.abs(result[0]), initial=0.0))
    se = float(np.nanmax(np.abs(result[1]), initial=0.0))
    n = int(np.max(result[4], initial=1))
    t = Tol(rtol=1e-9, atol=1e-10 + 1e-9 * (est + se * math.sqrt(max(n, 1))))
    return {0: t, 1: t, 2: t, 3: t}


def gaussian_pairs() -> Group:
    """mean0, cov0, mean1, cov1: (k, d) means, (k, d, d) covariances (diagonal plus a rank-one
    term, so positive definite), now and then any reals."""

    @st.composite
    def strat(draw: Any) -> dict[str, Any]:
        k, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        out: dict[str, Any] = {}
        for i in "01":
            out[f"mean{i}"] = draw(weighted((8, st.just(_bounded(draw, (k, d), -5.0, 5.0))),
                                            (1, arrays("real", (k, d)))))
            var = np.asarray(draw(st.lists(st.floats(0.05, 4.0), min_size=k * d,
                                           max_size=k * d))).reshape(k, d)
            u = np.asarray(draw(st.lists(st.floats(-1.0, 1.0), min_size=k * d,
                                         max_size=k * d))).reshape(k, d)
            cov = np.einsum("ki,kj->kij", u, u)
            cov[:, np.arange(d), np.arange(d)] += var
            out[f"cov{i}"] = draw(weighted((8, st.just(Arr(cov))),
                                           (1, arrays("real", (k, d, d)))))
        return out

    return Group(strat(), ("mean0", "cov0", "mean1", "cov1"))


MIXTURE_KW: dict[str, Callable[[dict[str, Any]], Any]] = {
    "n": lambda ctx: good_or_odd([0, 1, 7, 300, np.int64(5)], [-1, 2.5, "3", None, True]),
    "random_state": lambda ctx: good_or_odd(
        [0, 1, 2**40, np.random.SeedSequence(3)], [-1, 1.5, "seed", [1, 2]]
    ),
    # None (fresh entropy) is left out: the two backends would draw different streams
    "n_samples": lambda ctx: good_or_odd([2, 64, 1001, np.int64(100)], [1, 0, -5, 10.0, "64"]),
    "method": lambda ctx: good_or_odd(["mc", "auto", "variational", "goldberger", "product",
                                       "bounds"], ["quad", "", 3, None]),
    "covariance_type": lambda ctx: good_or_odd(["diag"], ["full", "banana", 1]),
    "obj": lambda ctx: st.just(None),
}
#: log-densities cross zero (logc - q/2 cancels) and the kernel may use FMA: an absolute floor
MIXTURE_TOL = Tol(rtol=1e-12, atol=1e-10)
#: a Monte Carlo mean of log p - log q over the samples: rounding of each term adds up
MIXTURE_KL_TOL = Tol(rtol=1e-9, atol=1e-10)


def tol_mixture_kl(call: Call, result: Any) -> dict[int, Tol]:
    """estimate and stderr: each log p - log q carries a rounding error of order
    eps |log p - log q|, so the floor scales with the estimate and the terms' spread
    (stderr sqrt(n)); at extreme scales that rounding is all the spread there is."""
    est, se, n = abs(float(result[0])), abs(float(result[1] or 0.0)), int(result[4])
    t = Tol(rtol=1e-9, atol=1e-10 + 1e-9 * (est + se * math.sqrt(max(n, 1))))
    return {0: t, 1: t}


#: Every public callable of fastentropy -> a builder of its :class:`Entry` (built lazily, so one
#: renamed function does not break the others). Add new public functions here.
ENTRIES: dict[str, Callable[[], Entry]] = {
    "backend": lambda: no_args("backend"),
    "config": lambda: no_args("config"),
    "show_config": lambda: no_args("show_config"),
    # divergence
    "entropy": lambda: fuzz(
        "entropy", pair("pk", "qk", "prob", optional_second=True),
        ref=reference("scipy.stats.entropy"),
    ),
    "jensenshannon": lambda: fuzz(
        "jensenshannon", pair("p", "q", "prob"),
        ref=reference("scipy.spatial.distance.jensenshannon"),
    ),
    "renyi_entropy": lambda: fuzz("renyi_entropy", one("p", "prob"), tol_for=tol_alpha),
    "tsallis_entropy": lambda: fuzz("tsallis_entropy", one("p", "prob"), tol_for=tol_alpha),
    "perplexity": lambda: fuzz("perplexity", one("p", "prob")),
    **{
        name: (lambda name=name: fuzz(name, pair("p", "q", "prob")))
        for name in DIVERGENCE_PAIRS
        if name != "renyi_divergence"
    },
    "renyi_divergence": lambda: fuzz(
        "renyi_divergence", pair("p", "q", "prob"), tol_for=tol_alpha
    ),
    # estimators, samples
    "entropy_counts": lambda: fuzz(
        "entropy_counts", one("counts", "counts"), tol_for=tol_estimate
    ),
    "entropy_samples": lambda: fuzz("entropy_samples", one("x", "real"), tol_for=tol_estimate),
    # histogram
    "histogram": lambda: fuzz("histogram", one("a", "real"), ref=reference("numpy.histogram")),
    "histogram_bin_edges": lambda: fuzz(
        "histogram_bin_edges", one("a", "real"), ref=reference("numpy.histogram_bin_edges")
    ),
    "histogram2d": lambda: fuzz("histogram2d", xy_1d(), ref=reference("numpy.histogram2d")),
    "histogramdd": lambda: fuzz(
        "histogramdd", samples_dd(), ref=reference("numpy.histogramdd")
    ),
    "histogram_rows": lambda: fuzz("histogram_rows", one("x", "real")),
    "bincount_rows": lambda: fuzz("bincount_rows", one("x", "codes")),
    # logits
    "softmax_entropy": lambda: fuzz(
        "softmax_entropy", one("logits", "logits"), tol_for=tol_logit_grads
    ),
    "log_softmax": lambda: fuzz("log_softmax", one("logits", "logits")),
    "logsumexp": lambda: fuzz("logsumexp", one("logits", "logits")),
    "softmax_kl_divergence": lambda: fuzz(
        "softmax_kl_divergence", pair("p_logits", "q_logits", "logits"),
        tol_for=tol_logit_grads,
    ),
    "softmax_jensen_shannon": lambda: fuzz(
        "softmax_jensen_shannon", pair("p_logits", "q_logits", "logits")
    ),
    "softmax_cross_entropy": lambda: fuzz("softmax_cross_entropy", logits_target()),
    "perplexity_from_logits": lambda: fuzz("perplexity_from_logits", logits_tokens()),
    "perplexity_from_logprobs": lambda: fuzz("perplexity_from_logprobs", logprobs_mask()),
    "predictive_uncertainty": lambda: fuzz(
        "predictive_uncertainty", one("logits", "logits", min_dims=2, max_dims=4),
        tol_for=tol_epistemic,
    ),
    # the result type of predictive_uncertainty: built from five arrays
    "PredictiveUncertainty": lambda: fuzz(
        "PredictiveUncertainty",
        same_shape("total", "aleatoric", "epistemic", "max_prob", "margin"),
    ),
    # sample spacings: scipy's drop-in (method and window_length drawn here)
    "differential_entropy": lambda: fuzz(
        "differential_entropy", one("values", "real"), tol_for=tol_spacing,
        override={"method": kw_spacing_method, "window_length": kw_window_length},
    ),
    # mixtures (stand-ins build the model from drawn arrays; see mixture_arrays)
    "GaussianMixture": lambda: fuzz(
        "GaussianMixture", mixture_arrays(False), compare=False, override=MIXTURE_KW
    ),
    "as_gaussian_mixture": lambda: fuzz(
        "as_gaussian_mixture", mixture_arrays(False), compare=False, override=MIXTURE_KW
    ),
    "log_density": lambda: fuzz(
        "log_density", mixture_arrays(True), target=fuzz_log_density, tol=MIXTURE_TOL
    ),
    "sample": lambda: fuzz(
        "sample", mixture_arrays(False), target=fuzz_sample, override=MIXTURE_KW,
        tol=MIXTURE_TOL,
    ),
    "kl_divergence_mixture": lambda: fuzz(
        "kl_divergence_mixture", mixture_arrays(False), target=fuzz_kl_divergence_mixture,
        override={**MIXTURE_KW, **MIXTURE_KL_KW}, tol=MIXTURE_KL_TOL, tol_for=tol_mixture_kl,
    ),
    "kl_divergence_gaussian": lambda: fuzz(
        "kl_divergence_gaussian", gaussian_pairs(), tol=MIXTURE_KL_TOL
    ),
    "MixtureDivergence": lambda: fuzz(
        "MixtureDivergence", same_shape("estimate", "stderr", "lower", "upper", "n_samples"),
        override=MIXTURE_KW,
    ),
    "kl_divergence_mixture_batch": lambda: fuzz(
        "kl_divergence_mixture_batch", mixture_arrays(False),
        target=fuzz_kl_divergence_mixture_batch,
        override={**MIXTURE_KW, **MIXTURE_KL_KW,
                  "pairs": lambda ctx: good_or_odd(["zip", "cartesian"], ["outer", "", 1, None])},
        tol=MIXTURE_KL_TOL, tol_for=tol_mixture_kl_batch,
    ),
    "MixtureDivergenceBatch": lambda: fuzz(
        "MixtureDivergenceBatch",
        same_shape("estimate", "stderr", "lower", "upper", "n_samples", "method"),
        override=MIXTURE_KW,
    ),
    # mutual information
    "contingency": lambda: fuzz("contingency", labels_pair("x", "y")),
    **{
        name: (
            lambda name=name: fuzz(
                name, one("table", "counts", min_dims=2, max_dims=3), tol_for=tol_table
            )
        )
        for name in TABLE_FUNCTIONS
    },
    **{
        name: (
            lambda name=name: fuzz(
                name, labels_pair(*_LABELS), ref=reference(f"sklearn.metrics.{name}"),
                tol=AMI_TOL if name == "adjusted_mutual_info_score" else Tol(),
            )
        )
        for name in (
            "mutual_info_score", "normalized_mutual_info_score", "adjusted_mutual_info_score"
        )
    },
    # k-NN
    "entropy_knn": lambda: fuzz(
        "entropy_knn", one("x", "real", max_dims=2), tol=KNN_TOL, override=KNN_KWARGS
    ),
    "mutual_info_knn": lambda: fuzz(
        "mutual_info_knn", knn_xy("y", optional_z=True), tol=KNN_TOL, override=KNN_KWARGS
    ),
    "kl_divergence_knn": lambda: fuzz(
        "kl_divergence_knn", knn_xy("y"), tol=KNN_TOL, override=KNN_KWARGS
    ),
}


# --------------------------------------------------------------------------- regressions


def _a(values: Any, dtype: str = "<f8") -> Arr:
    return Arr(np.array(values, dtype=dtype))


#: Calls the fuzz found failing, checked first in every run: they fail until the defect is
#: fixed, then guard against its return. Keep each minimal and say what was wrong.
REGRESSIONS: dict[str, list[Call]] = {
    # compiled -0.0, twin 0.0 for a column holding a single symbol (issue 5, item 6)
    "entropy": [Call("entropy", (_a([[1.0]]),))],
    # the twin loses the answer when the logits of a row differ by ~1e17 or more:
    # 32.0 and 1.8515 where the KL is 26.5 and 1.3133 (the compiled values)
    "softmax_kl_divergence": [
        Call("softmax_kl_divergence", (_a([0.0, 1e17]), _a([-3.5, -30.0]))),
        Call("softmax_kl_divergence", (_a([1e300, 0.0]), _a([0.0, 1.0]))),
    ],
    # disjoint one-hot distributions (JS = log 2): compiled 0.0, twin NaN
    "softmax_jensen_shannon": [
        Call("softmax_jensen_shannon", (_a([1e19, 0.0, 0.0]), _a([0.0, 0.0, 127.0]))),
    ],
    # a huge finite alpha: twin OverflowError, compiled NaN (the value tends to log max p/q)
    "renyi_divergence": [
        Call("renyi_divergence", (_a([0.5, 0.5]), _a([0.25, 0.75])), {"alpha": 1e308}),
    ],
    # a table whose total reaches 2**62: the ValueError names "counts", not "table"
    **{
        name: [Call(name, (_a([[2**62]], "<i8"),), {"method": "miller_madow"})]
        for name in TABLE_FUNCTIONS
    },
}


def _row_entries() -> dict[str, Callable[[], Entry]]:
    """Entries kept in ``tests/rows/<family>.py`` (see ``tests/_rows.py``)."""
    import sys

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from _rows import row_modules

    here = sys.modules[__name__]
    out: dict[str, Callable[[], Entry]] = {}
    for mod in row_modules():
        if hasattr(mod, "fuzz"):
            new = mod.fuzz(here)
            clash = sorted(set(new) & (set(ENTRIES) | set(out)))
            assert not clash, f"{mod.__name__}: entries already registered: {clash}"
            out.update(new)
    return out


def registry(names: list[str] | None = None) -> dict[str, Entry]:
    """The entries of ``names`` (default: every entry whose function exists)."""
    builders = dict(ENTRIES)
    if os.environ.get("FUZZ_SELFTEST"):
        import fuzz_selftest

        builders.update(fuzz_selftest.ENTRIES)
    if names is None:
        names = [n for n in builders if n.startswith("_selftest") or hasattr(fe, n)]
    out = {}
    for n in names:
        entry = builders[n]()
        known = tuple(REGRESSIONS.get(n, ()))
        out[n] = dataclasses.replace(entry, examples=known + entry.examples) if known else entry
    return out


ENTRIES.update(_row_entries())
