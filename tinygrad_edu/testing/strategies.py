"""Hypothesis strategies for tensors: shapes (0-size dimensions on request), broadcastable
and gufunc-signature shapes, values in a named or explicit domain, special values on
request, and genuinely strided memory layouts.

>>> from hypothesis import given
>>> from tinygrad_edu.testing import strategies as tst
>>> @given(tst.broadcastable_tensors(2, dtype="float64"))
... def test_add_commutes(pair):
...     a, b = pair
...     assert ((a + b) - (b + a)).abs().max().item() == 0

Values
------
``domain`` names an interval (``DOMAINS``); brackets say whether an end is included:

=============  ==============  ================================================
name           interval        meant for
=============  ==============  ================================================
"any"          [−10, 10]       most ops
"positive"     [0.1, 10]       log, sqrt, a divisor (kept away from 0)
"nonnegative"  [0, 10]         sqrt's value (not its derivative), relu's range
"unit"         (−1, 1)         atanh, acos' derivative: *open*, ±1 never drawn
"unit_closed"  [−1, 1]         clamp targets, cosines
"nonzero"      ±[0.1, 10]      a divisor of either sign
=============  ==============  ================================================

A ``Domain(low, high, open_low, open_high)`` or a ``(low, high)`` pair (closed) may be
passed instead of a name; ``min_value``/``max_value`` replace the domain's bounds (closed).
Integer dtypes honour the domain too: their values are the integers inside it
("positive" → 1…10, "unit" → 0, "nonzero" → ±1…10).

Floats are finite and normal by default. ``allow_nan``, ``allow_infinity`` and
``allow_subnormal`` mix those in; ``special_values=True`` mixes in 0, −0, the smallest
normal (tiny) and the largest finite value (huge) of the dtype, with both signs — outside
the domain, on purpose. ``avoid=[0.0]`` keeps every value more than ``avoid_gap`` away
from the given points, e.g. from the kink of relu or abs, where a derivative check must
fail. ``elements=`` replaces all of this with your own strategy.

Layouts
-------
With ``non_contiguous=True`` every array with at least two elements is a strided view
that is not C-contiguous: a slice of a larger buffer (steps 2 or 3, whose gaps hold a
sentinel — NaN for floats — so that a kernel reading outside the view shows it),
reversed axes (negative strides), a transposed buffer, zero strides (a broadcast view:
equal values along that axis, read-only), or a mix. ``None`` (the default) draws either;
``False`` gives C-contiguous arrays.

Falsifying examples print tensors and arrays with every digit, their dtype and strides
(a printer registered with hypothesis when this module is imported).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.vendor import pretty as hpretty

from ..dtypes import resolve as resolve_dtype
from ..tensor import Tensor

# ---- domains ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Domain:
    """The interval values are drawn from; ``signed``: the magnitude lies in it and the
    sign is drawn separately (±[low, high])."""

    low: float
    high: float
    open_low: bool = False
    open_high: bool = False
    signed: bool = False

    def __str__(self) -> str:
        body = (f"{'(' if self.open_low else '['}{self.low:g}, {self.high:g}"
                f"{')' if self.open_high else ']'}")
        return "±" + body if self.signed else body


DOMAINS: dict[str, Domain] = {
    "any": Domain(-10.0, 10.0),
    "positive": Domain(0.1, 10.0),  # safe for log, sqrt and as a divisor
    "nonnegative": Domain(0.0, 10.0),
    "unit": Domain(-1.0, 1.0, open_low=True, open_high=True),
    "unit_closed": Domain(-1.0, 1.0),
    "nonzero": Domain(0.1, 10.0, signed=True),  # magnitude; the sign is drawn separately
}

DomainLike = str | Domain | tuple[float, float]


def resolve_domain(domain: DomainLike) -> Domain:
    if isinstance(domain, Domain):
        return domain
    if isinstance(domain, str):
        if domain not in DOMAINS:
            raise ValueError(f"unknown domain {domain!r}; use one of {sorted(DOMAINS)}, a "
                             "Domain(low, high, open_low, open_high) or a (low, high) pair")
        return DOMAINS[domain]
    low, high = domain
    return Domain(float(low), float(high))


# ---- shapes ----------------------------------------------------------------------------


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1,
           max_side: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, size-1 dimensions included (0-size ones with ``min_side=0``)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(n: int = 2, min_dims: int = 0, max_dims: int = 4,
                         max_side: int = 5, min_side: int = 1
                         ) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``n`` shapes that broadcast together (some dimensions 1, some missing)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side,
    ).map(lambda r: r.input_shapes)


def gufunc_shapes(signature: str, min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                  max_side: int = 5) -> st.SearchStrategy[hnp.BroadcastableShapes]:
    """Shapes for a generalised ufunc with ``signature`` such as ``"(m,n),(n,p)->(m,p)"``
    (matmul) or ``"(n),(n)->()"`` (a batched dot product): loop dimensions (up to
    ``max_dims`` of them) broadcast together, core dimensions match by name. Returns
    hypothesis' ``BroadcastableShapes(input_shapes, result_shape)``."""
    return hnp.mutually_broadcastable_shapes(
        signature=signature, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side)


def matmul_shapes(max_batch_dims: int = 2, max_side: int = 5, min_side: int = 1
                  ) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of shapes valid for numpy's matmul, 1-D and batched cases included
    (0-size sides with ``min_side=0``)."""
    side = st.integers(min_side, max_side)

    @st.composite
    def build(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
        n, k, m = draw(side), draw(side), draw(side)
        batch = draw(broadcastable_shapes(2, max_dims=max_batch_dims, min_side=min_side,
                                          max_side=3))
        kind = draw(st.sampled_from(["vv", "vm", "mv", "mm"]))
        a = (k,) if kind[0] == "v" else batch[0] + (n, k)
        b = (k,) if kind[1] == "v" else batch[1] + (k, m)
        return a, b

    return build()


# ---- values ----------------------------------------------------------------------------


def _float_bounds(dt: np.dtype, low: float, high: float) -> tuple[float, float]:
    """The bounds rounded inward to ``dt`` (hypothesis wants representable bounds; 0.1 in
    float32 is 0.10000000149…, still ≥ 0.1)."""
    lo, hi = dt.type(low), dt.type(high)
    if float(lo) < low:
        lo = np.nextafter(lo, dt.type(np.inf))
    if float(hi) > high:
        hi = np.nextafter(hi, dt.type(-np.inf))
    return float(lo), float(hi)


def _pieces(dt: np.dtype, lo: float, hi: float, open_lo: bool, open_hi: bool,
            points: list[float], gap: float) -> list[tuple[float, float, bool, bool]]:
    """[lo, hi] minus the closed balls |x − p| ≤ gap, as (a, b, exclude_a, exclude_b)
    intervals whose ends are representable in ``dt``; empty pieces are left out."""
    pieces = [(lo, hi, open_lo, open_hi)]
    for p in sorted(points):
        # the floats nearest the ball with |x − p| > gap *as computed in floating point*
        # (p ± gap itself, or its neighbour, may round to a difference of exactly gap);
        # fl(x − p) is monotonic in x, so everything beyond them is far enough too
        # (steps of one ulp of the largest magnitude involved: a step of one ulp of a
        # tiny end, near 0, would not change the rounded difference for ages)
        left, right = p - gap, p + gap
        while not abs(left - p) > gap:
            left -= math.ulp(max(abs(p), abs(left), gap))
        while not abs(right - p) > gap:
            right += math.ulp(max(abs(p), abs(right), gap))
        nxt = []
        for a, b, ea, eb in pieces:
            if right <= a or left >= b:  # the ball misses this piece
                nxt.append((a, b, ea, eb))
                continue
            if left >= a:  # the part left of the ball
                nxt.append((a, left, ea, False))
            if right <= b:
                nxt.append((right, b, False, eb))
        pieces = nxt
    out = []
    for a, b, ea, eb in pieces:
        a_r, b_r = _float_bounds(dt, a, b)
        ea = ea and a_r == a  # rounded inward already: the end itself is not drawn
        eb = eb and b_r == b
        first = np.nextafter(dt.type(a_r), dt.type(np.inf)) if ea else dt.type(a_r)
        last = np.nextafter(dt.type(b_r), dt.type(-np.inf)) if eb else dt.type(b_r)
        if first <= last:
            out.append((a_r, b_r, ea, eb))
    return out


def special_floats(dtype: Any, allow_subnormal: bool = False) -> list[float]:
    """0, −0, ±tiny (the smallest normal) and ±huge (the largest finite) of ``dtype``,
    and ±the smallest subnormal when ``allow_subnormal``."""
    fi = np.finfo(np.dtype(dtype))
    values = [0.0, -0.0, float(fi.tiny), -float(fi.tiny), float(fi.max), -float(fi.max)]
    if allow_subnormal:
        sub = float(np.nextafter(np.dtype(dtype).type(0), np.dtype(dtype).type(1)))
        values += [sub, -sub]
    return values


def elements(dtype: Any = "float32", domain: DomainLike = "any", *,
             min_value: float | None = None, max_value: float | None = None,
             allow_nan: bool = False, allow_infinity: bool = False,
             allow_subnormal: bool = False,
             special_values: bool | Sequence[float] = False,
             avoid: Sequence[float] = (), avoid_gap: float = 1e-3
             ) -> st.SearchStrategy[Any]:
    """Scalars of ``dtype`` as promised in the module docstring, built on
    ``hypothesis.extra.numpy.from_dtype``."""
    dt = np.dtype(dtype)
    dom = resolve_domain(domain)
    explicit = min_value is not None or max_value is not None
    low = dom.low if min_value is None else float(min_value)
    high = dom.high if max_value is None else float(max_value)
    open_low, open_high = (False, False) if explicit else (dom.open_low, dom.open_high)
    signed = dom.signed and not explicit
    base: st.SearchStrategy[Any]
    specials: list[Any] = []
    if dt.kind == "b":
        base = hnp.from_dtype(dt)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        lo_i = math.ceil(low) + (1 if open_low and float(math.ceil(low)) == low else 0)
        hi_i = math.floor(high) - (1 if open_high and float(math.floor(high)) == high else 0)
        if signed:
            lo_i = max(lo_i, 1)
        lo_i, hi_i = max(lo_i, int(info.min)), min(hi_i, int(info.max))
        if lo_i > hi_i:
            raise ValueError(f"no {dt} value lies in the domain {dom}")
        base = hnp.from_dtype(dt, min_value=lo_i, max_value=hi_i)
        if signed and info.min < 0:
            base = st.tuples(base, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
        if special_values is True:
            specials = [0, int(info.min), int(info.max)]
    elif dt.kind == "f":
        lo_f, hi_f = _float_bounds(dt, low, high)
        if lo_f > hi_f:
            raise ValueError(f"no {dt} value lies in the domain {dom}")
        width = cast(Literal[16, 32, 64], dt.itemsize * 8)

        def floats(a: float, b: float, excl_a: bool, excl_b: bool) -> st.SearchStrategy[float]:
            return st.floats(a, b, exclude_min=excl_a, exclude_max=excl_b, allow_nan=False,
                             allow_infinity=False, allow_subnormal=allow_subnormal,
                             width=width)

        # avoided points cut the interval into pieces, each drawn directly: a filter
        # would reject (and slow down) every draw near a point that hypothesis favours
        points = [float(p) for p in avoid]
        pos = _pieces(dt, lo_f, hi_f, open_low, open_high, points, avoid_gap)
        neg = _pieces(dt, lo_f, hi_f, open_low, open_high, [-p for p in points],
                      avoid_gap) if signed and avoid else []
        branches = [floats(*piece) for piece in pos]
        branches += [floats(*piece).map(lambda v: -v) for piece in neg]
        if not branches:
            raise ValueError(f"no {dt} value in the domain {dom} is more than {avoid_gap} "
                             f"from the avoided points {points}")
        base = st.one_of(*branches) if len(branches) > 1 else branches[0]
        if signed and not avoid:
            base = st.tuples(base, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
        if special_values is True:
            specials = special_floats(dt, allow_subnormal)
        elif allow_subnormal:  # make sure they occur, not only where hypothesis likes
            specials = special_floats(dt, True)[-2:]
        if allow_nan:
            specials.append(float("nan"))
        if allow_infinity:
            specials += [float("inf"), float("-inf")]
    else:
        raise TypeError(f"tensor strategies support bool, integer and float dtypes, not {dt}")
    if special_values is not True and special_values is not False:
        specials += list(special_values)
    avoided = [float(p) for p in avoid]
    gap = avoid_gap if dt.kind == "f" else 0.5  # integers: only the points themselves

    def far(v: Any) -> bool:
        x = float(v)
        return not math.isfinite(x) or all(abs(x - p) > gap for p in avoided)

    if avoided:
        specials = [v for v in specials if far(v)]
        if dt.kind != "f":  # float pieces already leave the points out; integers filter
            base = base.filter(far)
    return base if not specials else st.one_of(base, st.sampled_from(specials))


# ---- layouts ---------------------------------------------------------------------------


def _sentinel(dt: np.dtype) -> Any:
    if dt.kind == "f":
        return np.nan  # poison: a kernel that reads the gaps of a slice produces NaN
    if dt.kind in "iu":
        return np.iinfo(dt).max
    return True


# built once: constructing (and validating) strategies on every draw is most of the cost
_STEPS = st.sampled_from([1, 2, -1, 3, -2])
_ONE_IN_8 = st.integers(0, 7)


@functools.lru_cache(maxsize=16)
def _permutations(nd: int) -> st.SearchStrategy[list[int]]:
    return st.permutations(range(nd))


@st.composite
def _strided(draw: Any, arr: np.ndarray, force: bool) -> np.ndarray:
    """The same values and shape as ``arr`` in a drawn strided layout: per-axis steps
    (a slice of a larger buffer; negative steps reverse the axis), a permutation of the
    buffer's axes (a transpose) and zero strides (broadcast; values repeat along the
    axis). With ``force``, the result is never C-contiguous when it has ≥ 2 elements."""
    shape = arr.shape
    nd = arr.ndim
    if nd == 0:
        return arr
    steps = [draw(_STEPS) if s > 1 else 1 for s in shape]
    perm = draw(_permutations(nd)) if nd > 1 else [0]
    zero = [s > 1 and draw(_ONE_IN_8) == 0 for s in shape]  # zero strides: rarer
    src = arr[tuple(slice(0, 1) if z else slice(None) for z in zero)]
    view = _lay_out(src, steps, list(perm))
    out = np.broadcast_to(view, shape) if any(zero) else view
    if force and out.flags.c_contiguous and out.size >= 2:
        axis = next(a for a, s in enumerate(shape) if s > 1)
        steps = [2 if a == axis else 1 for a in range(nd)]
        out = _lay_out(arr, steps, list(range(nd)))
    return out


def _lay_out(src: np.ndarray, steps: list[int], perm: list[int]) -> np.ndarray:
    """A view with ``src``'s values: buffer axes in order ``perm``, axis a every
    |steps[a]| elements (reversed when negative); the gaps hold a sentinel."""
    buf_shape = [src.shape[a] * abs(steps[a]) for a in perm]
    buf = np.full(buf_shape, _sentinel(src.dtype), dtype=src.dtype)
    view = buf[tuple(slice(None, None, steps[a]) for a in perm)]
    inverse = list(np.argsort(perm))
    view = view.transpose(inverse)  # back to src's axis order, strides permuted
    view[...] = src
    return view


# ---- arrays and tensors ----------------------------------------------------------------


@st.composite
def arrays(draw: Any, shape: tuple[int, ...] | st.SearchStrategy | None = None,
           dtype: Any = "float32", domain: DomainLike = "any",
           non_contiguous: bool | None = None, *,
           elements: st.SearchStrategy[Any] | None = None,
           min_value: float | None = None, max_value: float | None = None,
           allow_nan: bool = False, allow_infinity: bool = False,
           allow_subnormal: bool = False, special_values: bool | Sequence[float] = False,
           avoid: Sequence[float] = (), avoid_gap: float = 1e-3,
           min_dims: int = 0, max_dims: int = 4, min_side: int = 1,
           max_side: int = 5) -> np.ndarray:
    """numpy arrays of ``dtype`` with values as the options promise (finite values in
    ``domain`` by default) and a memory layout per ``non_contiguous``."""
    dt = np.dtype(dtype)
    if shape is None:
        shp = draw(shapes(min_dims, max_dims, min_side, max_side))
    elif isinstance(shape, st.SearchStrategy):
        shp = draw(shape)
    else:
        shp = tuple(shape)
    specials = special_values if isinstance(special_values, bool) else tuple(special_values)
    elems = elements if elements is not None else _elements_for(
        dt, domain, min_value, max_value, allow_nan, allow_infinity, allow_subnormal,
        specials, tuple(avoid), avoid_gap)
    arr = draw(_array_strategy(dt, shp, elems))
    strided = draw(st.booleans()) if non_contiguous is None else non_contiguous
    if strided:
        arr = draw(_strided(arr, force=True))
    return arr


@functools.lru_cache(maxsize=256)
def _array_strategy(dt: np.dtype, shape: tuple[int, ...], elems: st.SearchStrategy[Any]
                    ) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(dt, shape, elements=elems)


@functools.lru_cache(maxsize=256)  # the same options give the same (reused) strategy
def _elements_for(dt: np.dtype, domain: DomainLike, min_value: float | None,
                  max_value: float | None, allow_nan: bool, allow_infinity: bool,
                  allow_subnormal: bool, special_values: bool | Sequence[float],
                  avoid: tuple[float, ...], avoid_gap: float) -> st.SearchStrategy[Any]:
    # ``arrays`` has a parameter called ``elements``; here the name is this module's function
    return elements(dt, domain, min_value=min_value, max_value=max_value,
                    allow_nan=allow_nan, allow_infinity=allow_infinity,
                    allow_subnormal=allow_subnormal, special_values=special_values,
                    avoid=avoid, avoid_gap=avoid_gap)


@st.composite
def tensors(draw: Any, shape: tuple[int, ...] | st.SearchStrategy | None = None,
            dtype: Any = "float32", domain: DomainLike = "any", requires_grad: bool = False,
            non_contiguous: bool | None = None, **options: Any) -> Tensor:
    """Tensors of ``dtype`` made from ``arrays(shape, dtype, domain, non_contiguous,
    **options)`` — the layout reaches the tensor (its ``.data`` is that array)."""
    arr = draw(arrays(shape, dtype, domain, non_contiguous, **options))
    # from_numpy shares the array, so its strides survive (Tensor(arr) would copy it)
    t = Tensor.from_numpy(arr) if arr.dtype == np.dtype(resolve_dtype(dtype)) else \
        Tensor(arr, dtype=dtype)
    return t.requires_grad_(True) if requires_grad else t


@st.composite
def broadcastable_tensors(draw: Any, n: int = 2, dtype: Any = "float32",
                          domain: DomainLike | tuple[DomainLike, ...] = "any",
                          requires_grad: bool = False, max_dims: int = 4,
                          non_contiguous: bool | None = None, *, min_dims: int = 0,
                          min_side: int = 1, max_side: int = 5,
                          **options: Any) -> tuple[Tensor, ...]:
    """``n`` tensors whose shapes broadcast together; ``domain`` may differ per tensor
    (a tuple of n domains); each tensor's layout is drawn per ``non_contiguous``."""
    shps = draw(broadcastable_shapes(n, min_dims=min_dims, max_dims=max_dims,
                                     min_side=min_side, max_side=max_side))
    doms = _per_tensor_domains(domain, n)
    return tuple(draw(tensors(s, dtype, d, requires_grad, non_contiguous, **options))
                 for s, d in zip(shps, doms))


def _per_tensor_domains(domain: Any, n: int) -> tuple[DomainLike, ...]:
    # a (low, high) pair of numbers is one domain; a tuple of names/Domains is one each
    if isinstance(domain, (str, Domain)) or (
            isinstance(domain, tuple) and len(domain) == 2
            and all(isinstance(v, (int, float)) for v in domain)):
        return (domain,) * n
    doms = tuple(domain)
    if len(doms) != n:
        raise ValueError(f"{len(doms)} domains for {n} tensors")
    return doms


@st.composite
def gufunc_tensors(draw: Any, signature: str, dtype: Any = "float32",
                   domain: DomainLike | tuple[DomainLike, ...] = "any",
                   requires_grad: bool = False, non_contiguous: bool | None = None, *,
                   min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
                   max_side: int = 5, **options: Any
                   ) -> tuple[tuple[Tensor, ...], tuple[int, ...]]:
    """Inputs for a gufunc-like op with ``signature`` (see ``gufunc_shapes``) and the
    shape its result must have: ``((a, b, ...), result_shape)``."""
    bs = draw(gufunc_shapes(signature, min_dims, max_dims, min_side, max_side))
    doms = _per_tensor_domains(domain, len(bs.input_shapes))
    ts = tuple(draw(tensors(s, dtype, d, requires_grad, non_contiguous, **options))
               for s, d in zip(bs.input_shapes, doms))
    return ts, bs.result_shape


# ---- printing falsifying examples --------------------------------------------------------


def _full(arr: np.ndarray) -> str:
    if arr.ndim == 0:  # array2string rounds 0-d arrays whatever floatmode says
        return str(arr[()])  # a numpy scalar's str is its shortest round-trip repr
    return np.array2string(arr, separator=", ", floatmode="unique", threshold=sys.maxsize,
                           max_line_width=sys.maxsize)


def describe_array(arr: np.ndarray) -> str:
    """Every digit (the shortest repr that round-trips), the dtype, shape and strides."""
    layout = "C-contiguous" if arr.flags.c_contiguous else (
        "F-contiguous" if arr.flags.f_contiguous else "strided")
    return (f"{_full(arr)}, dtype={arr.dtype}, shape={arr.shape}, strides={arr.strides} "
            f"({layout})")


def describe_tensor(t: Tensor) -> str:
    arr = np.asarray(t.backend.to_numpy(t.data)) if t.device != "cpu" else t.data
    extra = ", requires_grad=True" if t.requires_grad else ""
    device = f", device='{t.device}'" if t.device != "cpu" else ""
    return f"tensor({describe_array(arr)}{device}{extra})"


def _pretty_tensor(obj: Any, p: Any, cycle: bool) -> None:
    p.text(describe_tensor(obj))


def _pretty_array(obj: Any, p: Any, cycle: bool) -> None:
    p.text(f"array({describe_array(obj)})")


hpretty.for_type_by_name(Tensor.__module__, Tensor.__name__, _pretty_tensor)
hpretty.for_type_by_name("numpy", "ndarray", _pretty_array)
