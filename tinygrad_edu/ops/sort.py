"""Sorting and order statistics: sort, argsort, topk, median, kthvalue, mode.

Each finds *indices* (no gradient: an order is piecewise constant) and then takes the
values with :func:`~.index.gather`, so ∂L/∂x is g put back at the positions the values
came from. The backend sorts stably, so equal values keep their order (also when
descending) and NaN sorts as the largest value, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import dtypes
from ..function import Context, Function
from . import index as ix
from . import movement as mv
from . import operands
from .reduce import _extreme_backward

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def _order(x: Tensor, dim: int, descending: bool) -> Tensor:
    """Indices (int64) that sort x along dim, stably."""
    be = x.backend
    return x._constant(be.astype(be.argsort(x.data, dim, descending), dtypes.int64))


def _zero_d(x: Tensor) -> ix.ValuesIndices:
    """sort/topk/median of a 0-d tensor: itself, at index 0."""
    return ix.ValuesIndices(x + 0 if x.requires_grad else x,
                            x._constant(x.backend.zeros((), dtypes.int64)))


def argsort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """Indices that sort x along ``dim`` (int64). Always stable here (``stable=False``
    allows any order of ties in PyTorch; this one is a valid choice)."""
    d = operands.dim(dim, x.ndim, "argsort")
    if x.ndim == 0:
        return x._constant(x.backend.zeros((), dtypes.int64))
    return _order(x, d, descending)


def sort(x: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> ix.ValuesIndices:
    """(values, indices): x sorted along ``dim`` and where each value came from.
    Stable always. ∂L/∂x scatters g back through the indices."""
    d = operands.dim(dim, x.ndim, "sort")
    if x.ndim == 0:
        return _zero_d(x)
    idx = _order(x, d, descending)
    return ix.ValuesIndices(ix.gather(x, d, idx), idx)


def topk(x: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> ix.ValuesIndices:
    """(values, indices) of the k largest (``largest=False``: smallest) entries along
    ``dim``, largest first. ``sorted=False`` returns them sorted too (PyTorch leaves that
    order unspecified). Of equal values the earlier ones are taken."""
    d = operands.dim(dim, x.ndim, "topk")
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise ValueError(f"topk: k ({k}) is out of range for dimension {d} of size {n} "
                         f"(tensor of shape {x.shape})")
    if x.ndim == 0:
        return _zero_d(x)
    idx = mv.narrow(_order(x, d, largest), d, 0, k)
    return ix.ValuesIndices(ix.gather(x, d, idx), idx)


def _kth_index(x: Tensor, d: int, k: int, op: str, keepdim: bool, nan_wins: bool = False
               ) -> Tensor:
    """Index along d of the k-th smallest (0-based) value. ``nan_wins``: a slice with a
    NaN gives the first NaN's index (PyTorch's median propagates NaN)."""
    n = x.shape[d]
    if n == 0:
        raise ValueError(f"{op}: cannot take the {op} of an empty dimension (dimension {d} of "
                         f"shape {x.shape})")
    be = x.backend
    idx = mv.narrow(_order(x, d, False), d, k, 1).data
    if nan_wins and x.dtype.kind == "f":
        nan = be.unary("isnan", x.data)
        first_nan = be.reshape(be.reduce("argmax", nan, d, True), idx.shape)
        idx = be.where(be.reduce("any", nan, d, True), first_nan, idx)
    idx = be.astype(idx, dtypes.int64)
    if not keepdim:
        idx = be.reshape(idx, x.shape[:d] + x.shape[d + 1:])
    return x._constant(idx)


def _select(x: Tensor, d: int, idx: Tensor, keepdim: bool) -> ix.ValuesIndices:
    kept = idx if keepdim else idx.unsqueeze(d)
    values = ix.gather(x, d, kept)
    return ix.ValuesIndices(values if keepdim else values.squeeze(d), idx)


class Median(Function):
    """The lower median of all elements (the ⌊(n−1)/2⌋-th smallest; NaN if any is NaN).
    Its gradient is shared evenly among the entries equal to it (as PyTorch's
    ``median()`` without dim)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        be = ctx.backend
        flat = be.reshape(x, (-1,))
        nan = be.unary("isnan", flat) if x.dtype.kind == "f" else None
        if flat.shape[0] == 0 or (nan is not None and bool(be.reduce("any", nan))):
            value = be.asarray(float("nan"), dtype=x.dtype)  # also of nothing, as PyTorch
        else:
            value = be.getitem(flat, be.argsort(flat, 0)[(flat.shape[0] - 1) // 2])
        ctx.axes = tuple(range(x.ndim))
        ctx.top = be.reshape(value, (1,) * x.ndim)
        ctx.save_for_backward(x)
        return be.asarray(value, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return _extreme_backward(ctx, g)


def median(x: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (for an even count the smaller of the two middle values, as
    PyTorch — not their mean, as numpy). Without ``dim``: one value over all elements.
    With ``dim``: (values, indices) along it. NaN if a NaN is present (and for an empty
    tensor without ``dim``)."""
    if dim is None:
        if x.size == 0 and x.dtype.kind != "f":
            raise ValueError(f"median: an empty {x.dtype} tensor has no median")
        return Median.apply(x)
    d = operands.dim(dim, x.ndim, "median")
    if x.ndim == 0:
        return _zero_d(x)
    idx = _kth_index(x, d, (x.shape[d] - 1) // 2, "median", keepdim, nan_wins=True)
    return _select(x, d, idx, keepdim)


def kthvalue(x: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> ix.ValuesIndices:
    """(values, indices) of the k-th smallest entry (1-based k) along ``dim``."""
    d = operands.dim(dim, x.ndim, "kthvalue")
    if x.ndim == 0:
        if k != 1:
            raise ValueError(f"kthvalue: k ({k}) is out of range for a 0-d tensor")
        return _zero_d(x)
    if not 1 <= k <= x.shape[d]:
        raise ValueError(f"kthvalue: k ({k}) is out of range for dimension {d} of size "
                         f"{x.shape[d]} (tensor of shape {x.shape})")
    return _select(x, d, _kth_index(x, d, k - 1, "kthvalue", keepdim), keepdim)


def mode(x: Tensor, dim: int = -1, keepdim: bool = False) -> ix.ValuesIndices:
    """(values, indices): the most frequent value along ``dim`` — the smallest of them when
    several are equally frequent — and the index of its *last* occurrence (as PyTorch).
    Counts every pair of entries, so it costs n² for a dim of size n. ∂L/∂x is g at that
    index."""
    d = operands.dim(dim, x.ndim, "mode")
    if x.ndim == 0:
        return _zero_d(x)
    n = x.shape[d]
    if n == 0:
        raise ValueError(f"mode: cannot take the mode of an empty dimension (dimension {d} of "
                         f"shape {x.shape})")
    be = x.backend
    last = mv.movedim(x, d, -1).data  # (..., n)
    lead = last.shape[:-1]
    pairs = be.binary("eq", be.reshape(last, lead + (n, 1)), be.reshape(last, lead + (1, n)))
    counts = be.reduce("sum", be.astype(pairs, dtypes.int64), -1, False)
    best = be.binary("eq", counts, be.reduce("max", counts, -1, True))
    big = np.inf if x.dtype.kind == "f" else (
        True if x.dtype.kind == "b" else np.iinfo(x.dtype).max)
    value = be.reduce("min", be.where(best, last, be.asarray(big, dtype=x.dtype)), -1, True)
    hit = be.binary("eq", last, value)
    pos = be.reshape(be.arange(0, n, 1, dtypes.int64), (1,) * len(lead) + (n,))
    idx = be.reduce("max", be.where(hit, pos, be.zeros((), dtypes.int64)), -1, True)
    idx = be.transpose(idx, _back(x.ndim, d)) if d != x.ndim - 1 else idx
    return _select(x, d, x._constant(idx if keepdim else be.reshape(
        idx, x.shape[:d] + x.shape[d + 1:])), keepdim)


def _back(ndim: int, d: int) -> tuple[int, ...]:
    """The permutation that moves the last axis back to position d."""
    order = list(range(ndim - 1))
    order.insert(d, ndim - 1)
    return tuple(order)


# ---- set-like and counting ops (no gradient: their results are indices or counts) ------


def _host(x: Tensor) -> np.ndarray:
    return np.asarray(x.backend.to_numpy(x.data))


def unique(x: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values of x (sorted; of the flattened x, or distinct slices along
    ``dim``), with optionally the inverse indices (x = out[inverse]) and the counts, as a
    tuple in that order like ``torch.unique``. Computed on the host; no gradient
    (``sorted=False`` also returns them sorted)."""
    a = _host(x)
    if dim is not None:
        d = operands.dim(dim, x.ndim, "unique")
        moved = np.moveaxis(a, d, 0)
        vals, inv, counts = np.unique(moved.reshape(moved.shape[0], -1), axis=0,
                                      return_inverse=True, return_counts=True)
        vals = np.moveaxis(vals.reshape((-1,) + moved.shape[1:]), 0, d)
        inv = inv.reshape(-1)
    else:
        vals, inv, counts = np.unique(a, return_inverse=True, return_counts=True)
        inv = inv.reshape(a.shape)
    out = [x._constant(x.backend.asarray(vals.astype(a.dtype)))]
    if return_inverse:
        out.append(x._constant(x.backend.asarray(inv.astype(np.int64))))
    if return_counts:
        out.append(x._constant(x.backend.asarray(counts.astype(np.int64))))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(x: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0…max occurs in the 1-d non-negative integer tensor x (at least
    ``minlength`` bins); with ``weights``, their sum per bin (float). No gradient."""
    if x.ndim != 1 or x.dtype.kind not in "iu":
        raise ValueError(f"bincount: expects a 1-d integer tensor, got {x.dtype} of shape "
                         f"{x.shape}")
    a = _host(x)
    if a.size and a.min() < 0:
        raise ValueError(f"bincount: values must be non-negative, got {int(a.min())}")
    w = None if weights is None else _host(weights)
    if w is not None and w.shape != a.shape:
        raise ValueError(f"bincount: weights of shape {w.shape} must match x's {a.shape}")
    out = np.bincount(a, weights=w, minlength=minlength)
    dtype = np.int64 if w is None else (w.dtype if w.dtype.kind == "f" else np.float64)
    return x._constant(x.backend.asarray(out.astype(dtype)))


def searchsorted(sorted_sequence: Tensor, values: Any, *, right: bool = False,
                 side: str | None = None) -> Tensor:
    """For each value, the index where it would be inserted into ``sorted_sequence`` (1-d,
    or the same leading dims as ``values``, searched row by row) to keep it sorted: the
    first such index, or the last with ``right=True``/``side="right"``. int64, no
    gradient."""
    seq = _host(sorted_sequence)
    vals = _host(operands.as_tensor(sorted_sequence, values, "searchsorted"))
    which: Literal["left", "right"] = "right" if right else "left"
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        which = "right" if side == "right" else "left"
    if seq.ndim <= 1:
        out = np.searchsorted(seq.reshape(-1), vals, side=which)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise ValueError(f"searchsorted: leading dims of sorted_sequence {seq.shape} and "
                             f"values {vals.shape} must match")
        rows = seq.reshape(-1, seq.shape[-1])
        vs = vals.reshape(-1, vals.shape[-1])
        out = np.stack([np.searchsorted(r, v, side=which) for r, v in zip(rows, vs)])
        out = out.reshape(vals.shape)
    return sorted_sequence._constant(sorted_sequence.backend.asarray(
        np.asarray(out, dtype=np.int64)))


def bucketize(x: Any, boundaries: Tensor, *, right: bool = False) -> Tensor:
    """The bucket of each entry of x among the 1-d sorted ``boundaries``:
    ``searchsorted(boundaries, x, right=right)`` (PyTorch's ``right`` has the same
    meaning here). int64, no gradient."""
    if boundaries.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-d, got shape {boundaries.shape}")
    return searchsorted(boundaries, x, right=right)
