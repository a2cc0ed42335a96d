"""Operations that move or select data without arithmetic: reshape, permute, expand,
indexing, concatenation, padding, device transfer. Each backward is another movement:
reshape undoes reshape, permute undoes permute, summing undoes expand, scattering
undoes indexing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..function import Context, Function
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


class Reshape(Function):
    """Same elements, new shape; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, shape: tuple[int, ...]) -> Array:
        return ctx.backend.reshape(x, shape)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.reshape(ctx.input_shapes[0])


class Permute(Function):
    """Reorder axes; the gradient is permuted by the inverse permutation."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...]) -> Array:
        ctx.axes = axes
        return ctx.backend.transpose(x, axes)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        inverse = [0] * len(ctx.axes)
        for i, a in enumerate(ctx.axes):
            inverse[a] = i
        return g.permute(*inverse)


class Expand(Function):
    """Broadcast to a larger shape (a view, no copy); the engine sums the gradient of the
    copies back to the input's shape."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, shape: tuple[int, ...]) -> Array:
        return ctx.backend.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g


class GetItem(Function):
    """x[index] with numpy indexing; the gradient scatters back, adding at indices that
    were picked more than once."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, index: Any) -> Array:
        ctx.index = index
        return ctx.backend.getitem(x, index)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return ScatterAdd.apply(g, shape=ctx.input_shapes[0], index=ctx.index)


class ScatterAdd(Function):
    """zeros(shape)[index] += x — the adjoint of ``GetItem``; its backward is x = g[index]."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, shape: tuple[int, ...], index: Any) -> Array:
        ctx.index = index
        return ctx.backend.scatter_add(shape, x.dtype, index, x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return GetItem.apply(g, index=ctx.index)


class Concatenate(Function):
    """Join along an axis; each input's gradient is its slice of the output gradient."""

    @staticmethod
    def forward(ctx: Context, *xs: Array, axis: int) -> Array:
        ctx.axis = axis
        return ctx.backend.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        grads, start = [], 0
        lead = (slice(None),) * ctx.axis
        for shape, need in zip(ctx.input_shapes, ctx.needs_input_grad):
            stop = start + shape[ctx.axis]
            grads.append(g[lead + (slice(start, stop),)] if need else None)
            start = stop
        return tuple(grads)


class Pad(Function):
    """Constant padding; the gradient is the un-padded window of the output gradient."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, pad_width: tuple[tuple[int, int], ...],
                value: float) -> Array:
        ctx.pad_width = pad_width
        return ctx.backend.pad(x, pad_width, value)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        window = tuple(slice(lo, n - hi) for (lo, hi), n in zip(ctx.pad_width, g.shape))
        return g[window]


class ToDevice(Function):
    """Copy to another device; the gradient is copied back."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, device: str) -> Array:
        from ..backend import get_backend

        target = get_backend(device)
        ctx.source = ctx.device
        host = ctx.backend.to_numpy(x)
        ctx.device, ctx.backend = device, target
        return target.asarray(host)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.to(ctx.source)


# ---- what users call ----------------------------------------------------------------


def reshape(x: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape; one size may be −1 (inferred)."""
    shp = operands.shape_arg(shape, "reshape")
    if shp == x.shape:
        return x
    known = math.prod(s for s in shp if s != -1)
    ok = (shp.count(-1) == 0 and known == x.size) or (
        shp.count(-1) == 1 and known > 0 and x.size % known == 0)
    if not ok or any(s < -1 for s in shp):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {x.shape} "
                         f"({x.size} elements) into shape {shp}")
    if -1 in shp:
        shp = tuple(x.size // known if s == -1 else s for s in shp)
    return Reshape.apply(x, shape=shp)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions start_dim … end_dim (inclusive) into one."""
    if x.ndim == 0:
        operands.dim(start_dim, 0, "flatten")
        operands.dim(end_dim, 0, "flatten")
        return reshape(x, 1)
    s, e = operands.dim(start_dim, x.ndim, "flatten"), operands.dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) cannot come after end_dim "
                         f"({end_dim}) for a tensor with {x.ndim} dims")
    return reshape(x, x.shape[:s] + (math.prod(x.shape[s:e + 1]),) + x.shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one may be −1)."""
    d = operands.dim(dim, x.ndim, "unflatten")
    return reshape(x, x.shape[:d] + tuple(sizes) + x.shape[d + 1:])


def permute(x: Tensor, *axes: Any) -> Tensor:
    """Reorder the dimensions: result dim i is input dim axes[i]."""
    ax = operands.shape_arg(axes, "permute")
    if len(ax) != x.ndim:
        raise ValueError(f"permute: {ax} is not a permutation of the {x.ndim} axes of a "
                         f"tensor of shape {x.shape}")
    norm = tuple(operands.dim(a, x.ndim, "permute") for a in ax)
    if sorted(norm) != list(range(x.ndim)):
        raise ValueError(f"permute: {ax} is not a permutation of the {x.ndim} axes of a "
                         f"tensor of shape {x.shape}")
    if norm == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, axes=norm)


def transpose(x: Tensor, dim0: int = -2, dim1: int = -1) -> Tensor:
    """Swap two dimensions (of a 0-d or 1-d tensor: itself)."""
    if x.ndim < 2:  # nothing to swap (x.mT of a vector is the vector)
        return x
    a, b = operands.dim(dim0, x.ndim, "transpose"), operands.dim(dim1, x.ndim, "transpose")
    axes = list(range(x.ndim))
    axes[a], axes[b] = axes[b], axes[a]
    return permute(x, *axes)


def squeeze(x: Tensor, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (only ``axis`` when given; a no-op where it is not 1)."""
    ax = axis if dim is None else dim
    if ax is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    axes = operands.axes(ax, x.ndim, "squeeze")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


def unsqueeze(x: Tensor, axis: int) -> Tensor:
    """Insert a dimension of size 1 at ``axis`` (in [−ndim−1, ndim])."""
    ax = operands.dim(axis, x.ndim, "unsqueeze", extra=1)
    return reshape(x, x.shape[:ax] + (1,) + x.shape[ax:])


def expand(x: Tensor, *shape: Any) -> Tensor:
    """Broadcast to ``shape`` without copying; −1 keeps a dimension as it is."""
    shp = operands.shape_arg(shape, "expand")
    lead = len(shp) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: cannot expand a tensor of shape {x.shape} to {shp} "
                         "(fewer dimensions)")
    if -1 in shp[:lead]:
        raise ValueError(f"expand: -1 is not allowed for a new leading dimension "
                         f"(shape {shp} for a tensor of shape {x.shape})")
    shp = tuple(x.shape[i - lead] if s == -1 else s for i, s in enumerate(shp))
    if shp == x.shape:
        return x
    if any(n != m and n != 1 for n, m in zip(x.shape, shp[lead:])):
        raise ValueError(f"expand: cannot broadcast a tensor of shape {x.shape} to "
                         f"shape {shp}")
    return Expand.apply(x, shape=shp)


def getitem(x: Tensor, index: Any) -> Tensor:
    """x[index] with numpy's rules (basic slicing, integer and bool arrays)."""
    return GetItem.apply(x, index=_index(x, index))


def _index(x: Tensor, index: Any) -> Any:
    """Tensors inside an index become arrays; lists become integer/bool arrays; the index
    is checked against the shape now, so the error names this tensor."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for it in items:
        if operands.is_tensor(it):
            if it.dtype.kind not in "iub":
                raise IndexError(f"index: tensors used as indices must be integer or "
                                 f"bool, got {it.dtype}")
            it = it.data
        elif isinstance(it, list):
            try:
                it = x.backend.asarray(np.asarray(it))
            except ValueError:
                raise IndexError(f"index: a ragged list cannot be an index: {it}") from None
        out.append(it)
    result = tuple(out) if isinstance(index, tuple) else out[0]
    try:
        np.empty(x.shape, dtype=np.bool_)[_host_index(result)]
    except IndexError as e:
        raise IndexError(f"index: {e} (tensor of shape {x.shape})") from None
    return result


def _host_index(index: Any) -> Any:
    """An index with any GPU arrays moved to numpy (only for validating shapes)."""
    items = index if isinstance(index, tuple) else (index,)
    conv = tuple(np.asarray(i.get()) if hasattr(i, "__cuda_array_interface__") else i
                 for i in items)
    return conv if isinstance(index, tuple) else conv[0]


def cat(tensors: Sequence[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis; integer tensors join a float one's dtype."""
    ts = list(tensors)
    if not ts:
        raise ValueError("cat: need at least one tensor")
    for t in ts:
        if not operands.is_tensor(t):
            raise TypeError(f"cat: expected a sequence of Tensors, got {type(t).__name__} "
                            "in it (wrap arrays with Tensor(...))")
    if ts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    ax = operands.dim(axis if dim is None else dim, ts[0].ndim, "cat")
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or any(
                a != b for i, (a, b) in enumerate(zip(t.shape, ts[0].shape)) if i != ax):
            raise ValueError(f"cat: shapes {ts[0].shape} and {t.shape} differ outside "
                             f"axis {ax}")
    common = dtypes.promote(*(t.dtype for t in ts))
    return Concatenate.apply(*[t.to_dtype(common) for t in ts], axis=ax)


def stack(tensors: Sequence[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis (in [−ndim−1, ndim])."""
    ts = list(tensors)
    if not ts:
        raise ValueError("stack: need at least one tensor")
    for t in ts:
        if not operands.is_tensor(t):
            raise TypeError(f"stack: expected a sequence of Tensors, got {type(t).__name__}")
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: all tensors need the same shape, got {ts[0].shape} and "
                             f"{t.shape}")
    ax = operands.dim(axis if dim is None else dim, ts[0].ndim, "stack", extra=1)
    return cat([unsqueeze(t, ax) for t in ts], axis=ax)


def pad(x: Tensor, pad_width: Any, value: float = 0.0) -> Tensor:
    """Constant padding. ``pad_width`` is numpy's: an int, or one (before, after) pair per
    axis. (PyTorch's ``F.pad`` order, last axis first, is in ``nn.functional``.)"""
    if isinstance(pad_width, int):
        pw = ((pad_width, pad_width),) * x.ndim
    else:
        try:
            pw = tuple((int(p[0]), int(p[1])) for p in pad_width)
        except (TypeError, IndexError, ValueError):
            pw = ()
    if len(pw) != x.ndim or any(lo < 0 or hi < 0 for lo, hi in pw):
        raise ValueError(f"pad: need one non-negative (before, after) pair per axis for a "
                         f"tensor of shape {x.shape}, got {pad_width}")
    return Pad.apply(x, pad_width=pw, value=value)


def split(x: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    """Cut ``x`` along ``dim`` into pieces of ``split_size_or_sections`` (an int: equal
    pieces, the last one smaller; a list: those sizes, which must add up to the length),
    as ``torch.split``. Each piece is a slice, so its gradient flows back into place."""
    ax = operands.dim(dim, x.ndim, "split")
    n = x.shape[ax]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - s) for s in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sections {sizes} do not add up to the length {n} of "
                             f"axis {ax} of a tensor of shape {x.shape}")
    lead = (slice(None),) * ax
    pieces, start = [], 0
    for s in sizes:
        pieces.append(getitem(x, lead + (slice(start, start + s),)))
        start += s
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunks`` pieces of (nearly) equal length ⌈n/chunks⌉ along ``dim`` (``torch.chunk``:
    fewer pieces when n does not need that many)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[operands.dim(dim, x.ndim, "chunk")]
    return split(x, max(1, math.ceil(n / chunks)), dim)
