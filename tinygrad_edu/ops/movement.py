"""Operations that move or select data without arithmetic: reshape, permute, expand,
indexing (with PyTorch's rule) and writes by index (``x[i] = v``, in-place forms), flip,
roll, repeat, unfold, narrow, movedim, meshgrid, concatenation, padding, device transfer.
Each backward is another movement: reshape undoes reshape, permute undoes permute,
summing undoes expand, scattering undoes indexing."""

from __future__ import annotations

import math
import weakref
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

    backward_on_arrays = True

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
    n, known = x.shape[d] if x.ndim else 1, math.prod(s for s in sizes if s != -1)
    if (-1 not in sizes and known != n) or (-1 in sizes and (known == 0 or n % known)):
        raise ValueError(f"unflatten: sizes {tuple(sizes)} do not multiply to dimension {d} "
                         f"of size {n} (tensor of shape {x.shape})")
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
    """x[index]: basic slicing, integer and bool arrays, as in PyTorch. Where PyTorch and
    numpy differ — integer *scalars* with arrays that a slice separates, e.g.
    ``x[0, :, [0, 1]]`` on shape (2, 3, 4) is (3, 2) in PyTorch and (2, 3) in numpy —
    the PyTorch rule holds: the scalars select first, then the arrays index what is left."""
    for step in torch_index_steps(_index(x, index)):
        x = GetItem.apply(x, index=step)
    return x


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


# ---- PyTorch's indexing rule, and writes by index -----------------------------------


def _is_int(it: Any) -> bool:
    """An integer scalar index: a Python/numpy int, or a 0-d integer tensor (PyTorch treats
    both as ``select``)."""
    if hasattr(it, "shape") and hasattr(it, "dtype") and not isinstance(it, np.generic):
        return it.ndim == 0 and it.dtype.kind in "iu"
    return isinstance(it, (int, np.integer)) and not isinstance(it, (bool, np.bool_))


def _is_array(it: Any) -> bool:
    return hasattr(it, "shape") and hasattr(it, "dtype") and not isinstance(it, np.generic) \
        and not _is_int(it)


def torch_index_steps(index: Any) -> tuple[Any, ...]:
    """An index as one or two numpy indices that give PyTorch's result.

    PyTorch applies integer scalars as ``select`` (basic indexing) and treats only
    tensors/lists as advanced indices; numpy counts the scalars as advanced too, so when a
    slice separates them from an array numpy moves the broadcast dimensions to the front.
    Applying the scalars first (step one) and the arrays to what is left (step two) gives
    PyTorch's rule in numpy. An index without both kinds is the same in both libraries."""
    items = index if isinstance(index, tuple) else (index,)
    if not (any(_is_int(it) for it in items) and any(_is_array(it) for it in items)):
        return (index,)
    first: list[Any] = []
    second: list[Any] = []
    for it in items:
        if _is_int(it):
            first.append(int(it))  # a Python int: step one stays basic indexing (a view)
        elif _is_array(it):
            # a bool array of k dims covers k dimensions
            span = it.ndim if it.dtype.kind == "b" else 1
            first.extend([slice(None)] * span)
            second.append(it)
        elif it is None:
            first.append(None)
            second.append(slice(None))
        elif it is Ellipsis:
            first.append(Ellipsis)
            second.append(Ellipsis)
        else:  # a slice: applied in step one, the whole (new) dimension in step two
            first.append(it)
            second.append(slice(None))
    return tuple(first), tuple(second)


class IndexPut(Function):
    """z = x with z[index] = v (``x[index] = v`` as an op);
    ∂L/∂x = g with zeros at ``index``, ∂L/∂v = g[index] (the engine sums it back to v's
    shape where v was broadcast). ``steps`` is the index as :func:`torch_index_steps`
    gives it; ``in_place`` writes into x's own array (for ``__setitem__``)."""

    @staticmethod
    def forward(ctx: Context, x: Array, v: Array, *, steps: tuple[Any, ...],
                in_place: bool = False) -> Array:
        ctx.steps = steps
        out = x if in_place else ctx.backend.copy(x)
        _write(ctx.backend, out, steps, v)
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        gx = gv = None
        if ctx.needs_input_grad[0]:
            zero = g._constant(ctx.backend.zeros((), g.dtype))
            gx = IndexPut.apply(g, zero, steps=ctx.steps)
        if ctx.needs_input_grad[1]:
            gv = g
            for step in ctx.steps:
                gv = GetItem.apply(gv, index=step)
        return gx, gv


def _write(be: Any, out: Array, steps: tuple[Any, ...], v: Array) -> None:
    """out[steps...] = v, in place (every step but the last is basic indexing: a view)."""
    view = out
    for step in steps[:-1]:
        view = be.getitem(view, step)
    be.index_put(view, steps[-1], v)


def fit_value(x: Tensor, steps: tuple[Any, ...], value: Any, op: str) -> Tensor:
    """``value`` as a Tensor of x's dtype that broadcasts to ``x[index]`` (leading 1-sized
    dims beyond its rank dropped, as numpy and PyTorch do), or an error naming ``op``."""
    v = operands.as_tensor(x, value, op)
    target = x.shape
    for step in steps:  # only to know the shape before anything is written
        target = np.empty(target, dtype=np.bool_)[_host_index(step)].shape
    lead = 0
    while v.ndim - lead > len(target) and v.shape[lead] == 1:
        lead += 1
    try:
        np.broadcast_to(np.empty(v.shape[lead:], dtype=np.bool_), target)
    except ValueError:
        raise ValueError(f"{op}: cannot assign a value of shape {v.shape} to x[index] of "
                         f"shape {target} (tensor of shape {x.shape})") from None
    if lead:
        v = v.reshape(v.shape[lead:])
    return v.to_dtype(x.dtype) if v.dtype != x.dtype else v


def setitem(x: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value`` in place (PyTorch's indexing rule; ``value`` broadcasts to
    ``x[index]`` and is cast to x's dtype). Bumps x's version counter.

    Under grad mode a leaf that requires grad cannot be written (as in PyTorch). A
    non-leaf, or any tensor given a ``value`` that requires grad, is rewritten in the
    graph: its gradient flows to ``value`` at ``index`` and to the old x elsewhere (an op
    that saved the old x for its backward then reports the in-place change, as in
    PyTorch)."""
    from .. import autograd
    from .. import tensor as _tensor

    steps = torch_index_steps(_index(x, index))
    v = fit_value(x, steps, value, "setitem")
    recording = autograd.is_grad_enabled() and (x.requires_grad or v.requires_grad)
    if recording and x.requires_grad and x.is_leaf:
        raise RuntimeError(
            f"setitem: a leaf tensor that requires grad (shape {x.shape}) cannot be written "
            "in place while gradients are recorded (x[index] = value); do it under "
            "`with no_grad():`, or write into a clone(): y = x.clone(); y[index] = value")
    if not recording:
        _write(x.backend, x.data, steps, v.data)
        x._increment_version()
        return
    # x becomes the output of an IndexPut whose input is x's old self (PyTorch's
    # "rebase history"): the same array, written in place
    old = _tensor.Tensor._wrap(x.data, x.device, x.requires_grad)
    old._ctx = x._ctx
    new = IndexPut.apply(old, v, steps=steps, in_place=True)
    x._increment_version()
    x.requires_grad, x._ctx = new.requires_grad, new._ctx
    if new._ctx is not None:
        object.__setattr__(new._ctx, "_output", weakref.ref(x))


def in_place(x: Tensor, op: str, fn: Any, *args: Any, **kwargs: Any) -> Tensor:
    """``x.op_(...)``: x ← fn(x, ...), written into x's own memory (views see it) and
    bumping its version. Under grad mode a leaf that requires grad is refused (as in
    PyTorch); a tensor in a graph, or one given an argument that requires grad, takes
    the result's place in the graph (its gradient flows through ``fn`` to its old self)."""
    from .. import autograd
    from .. import tensor as _tensor

    tensors = [a for a in (*args, *kwargs.values()) if operands.is_tensor(a)]
    recording = autograd.is_grad_enabled() and (
        x.requires_grad or any(t.requires_grad for t in tensors))
    if recording and x.requires_grad and x.is_leaf:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad (shape {x.shape}) cannot be changed in "
            "place while gradients are recorded; do it under `with no_grad():`, or use the "
            f"out-of-place {op.rstrip('_')}()")
    be = x.backend
    if not recording:
        with autograd.no_grad():
            out = fn(x, *args, **kwargs)
        be.index_put(x.data, Ellipsis, out.data)
        x._increment_version()
        return x
    old = _tensor.Tensor._wrap(be.copy(x.data), x.device, x.requires_grad)
    old._ctx = x._ctx
    new = fn(old, *args, **kwargs)
    be.index_put(x.data, Ellipsis, new.data)
    x._increment_version()
    x.requires_grad, x._ctx = new.requires_grad, new._ctx  # (no graph for an int result)
    return x


# ---- more shape ops --------------------------------------------------------------------


def _dims(dims: tuple[Any, ...], ndim: int, op: str) -> tuple[int, ...]:
    """``f(0, 1)`` or ``f((0, 1))`` → distinct non-negative dims."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    out = tuple(operands.dim(d, ndim, op) for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dims {dims} contain a repeated dimension")
    return out


def flip(x: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    """Reverse the order of the elements along ``dims`` (``x.flip(0, 1)``,
    ``x.flip((0, 1))`` or ``flip(x, dims=(0, 1))``); the gradient is flipped back."""
    if kwargs:
        if dims or set(kwargs) != {"dims"}:
            raise TypeError(f"flip: unexpected arguments {sorted(kwargs)}; pass dims")
        dims = (kwargs["dims"],)
    ds = _dims(dims, x.ndim, "flip")
    if not ds or x.ndim == 0:
        return x
    return getitem(x, tuple(slice(None, None, -1) if i in ds else slice(None)
                            for i in range(x.ndim)))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift the elements cyclically: ``out[(i + s) % n] = x[i]`` along each dim (the
    flattened tensor when ``dims`` is None, then restored to its shape). ∂L/∂x is g rolled
    back by −s."""
    if dims is None:
        if isinstance(shifts, (tuple, list)) and len(shifts) != 1:
            raise ValueError(f"roll: without dims, shifts must be one int, got {shifts}")
        s = shifts[0] if isinstance(shifts, (tuple, list)) else shifts
        return reshape(roll(reshape(x, -1), s, 0), x.shape)
    sh = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    ds = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(sh) != len(ds):
        raise ValueError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    for s, d in zip(sh, ds):
        d = operands.dim(d, x.ndim, "roll")
        n = x.shape[d] if x.ndim else 1
        if n == 0 or int(s) % n == 0:
            continue
        idx = x.backend.asarray((np.arange(n) - int(s)) % n)
        x = GetItem.apply(x, index=(slice(None),) * d + (idx,))
    return x


def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """Tile: ``x.repeat(2, 3)`` repeats the whole tensor 2× along dim 0 and 3× along dim 1
    (PyTorch's ``repeat`` is numpy's ``tile``; numpy's ``repeat`` is
    ``repeat_interleave``). More sizes than dims add leading dims. Built from reshape and
    expand, so the gradient sums the copies."""
    reps = operands.shape_arg(sizes, "repeat")
    if len(reps) < x.ndim:
        raise ValueError(f"repeat: number of repeat dims ({len(reps)}) cannot be smaller "
                         f"than the number of tensor dims ({x.ndim}, shape {x.shape})")
    if any(r < 0 for r in reps):
        raise ValueError(f"repeat: repeats must be non-negative, got {reps}")
    shape = (1,) * (len(reps) - x.ndim) + x.shape
    pairs = [m for n in shape for m in (1, n)]
    big = [m for r, n in zip(reps, shape) for m in (r, n)]
    out = expand(reshape(x, tuple(pairs)), tuple(big))
    return reshape(out, tuple(r * n for r, n in zip(reps, shape)))


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, as a tuple of tensors with that dim removed; each slice's
    gradient goes back to its place (zeros elsewhere)."""
    if x.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no dimension to unbind")
    d = operands.dim(dim, x.ndim, "unbind")
    return tuple(getitem(x, (slice(None),) * d + (i,)) for i in range(x.shape[d]))


def narrow(x: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """``x`` restricted to ``start … start+length−1`` along ``dim`` (start may be
    negative, counted from the end). ∂L/∂x is g with zeros outside the window."""
    d = operands.dim(dim, x.ndim, "narrow")
    n = x.shape[d] if x.ndim else 1
    s = int(start)
    if s < 0:
        s += n
    if not 0 <= s <= n:
        raise IndexError(f"narrow: start ({start}) is out of range for dimension {d} of "
                         f"size {n} (tensor of shape {x.shape})")
    if length < 0 or s + length > n:
        raise ValueError(f"narrow: start ({start}) + length ({length}) exceeds dimension "
                         f"{d} of size {n} (tensor of shape {x.shape})")
    if x.ndim == 0:
        return x
    return getitem(x, (slice(None),) * d + (slice(s, s + length),))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (ints or sequences); the others
    keep their order (numpy's ``moveaxis``). A permutation: the gradient is moved back."""
    src = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    dst = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(src) != len(dst):
        raise ValueError(f"movedim: source {source} and destination {destination} must "
                         "have the same number of dims")
    s = _dims(src, x.ndim, "movedim") if src else ()
    t = _dims(dst, x.ndim, "movedim") if dst else ()
    if x.ndim == 0:
        return x
    rest = iter(i for i in range(x.ndim) if i not in s)
    where = dict(zip(t, s))
    return permute(x, *[where[i] if i in where else next(rest) for i in range(x.ndim)])


def unfold(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart: that dim
    becomes the number of windows, (n − size) // step + 1, and a new last dim of
    ``size`` holds each window. The gradient adds back where windows overlap."""
    if x.ndim == 0:
        x = reshape(x, 1)
    d = operands.dim(dimension, x.ndim, "unfold")
    n = x.shape[d]
    if size < 0 or size > n:
        raise ValueError(f"unfold: size ({size}) must be in [0, {n}] for dimension {d} "
                         f"of size {n} (tensor of shape {x.shape})")
    if step <= 0:
        raise ValueError(f"unfold: step must be positive, got {step}")
    count = (n - size) // step + 1
    idx = np.arange(count)[:, None] * step + np.arange(size)[None, :]
    out = GetItem.apply(x, index=(slice(None),) * d + (x.backend.asarray(idx),))
    return movedim(out, d + 1, -1)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: output i varies along dim i (``indexing="ij"``,
    PyTorch's default) or, with ``"xy"`` (numpy's default), with the first two dims
    swapped. Each output is an expanded view; its gradient sums back."""
    ts = list(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) \
        else list(tensors)
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    if not ts:
        raise ValueError("meshgrid: expects at least one tensor")
    for t in ts:
        if not operands.is_tensor(t) or t.ndim > 1:
            raise ValueError(f"meshgrid: expects 0-d or 1-d tensors, got "
                             f"{getattr(t, 'shape', type(t).__name__)}")
    sizes = [t.size for t in ts]
    pos = list(range(len(ts)))
    if indexing == "xy" and len(ts) > 1:
        pos[0], pos[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for t, p in zip(ts, pos):
        shp = [1] * len(ts)
        shp[p] = t.size
        out.append(expand(reshape(t, tuple(shp)), tuple(sizes)))
    return tuple(out)


def rot90(x: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90°·k in the plane ``dims``, from the first axis towards the second
    (a flip and a transpose, so the gradient rotates back)."""
    if len(dims) != 2:
        raise ValueError(f"rot90: dims must name two dimensions, got {dims}")
    a, b = operands.dim(dims[0], x.ndim, "rot90"), operands.dim(dims[1], x.ndim, "rot90")
    if a == b:
        raise ValueError(f"rot90: the two dims must differ, got {tuple(dims)}")
    k %= 4
    if k == 1:
        return transpose(flip(x, b), a, b)
    if k == 2:
        return flip(x, a, b)
    if k == 3:
        return transpose(flip(x, a), a, b)
    return x


def tile(x: Tensor, *dims: Any) -> Tensor:
    """numpy's ``tile``: :func:`repeat`, with fewer sizes than dims padded by leading 1s."""
    reps = operands.shape_arg(dims, "tile")
    return repeat(x, *((1,) * (x.ndim - len(reps)) + reps))


def fliplr(x: Tensor) -> Tensor:
    """Flip dim 1 (left/right); needs at least 2 dims."""
    if x.ndim < 2:
        raise ValueError(f"fliplr: needs at least 2 dims, got shape {x.shape}")
    return flip(x, 1)


def flipud(x: Tensor) -> Tensor:
    """Flip dim 0 (up/down); needs at least 1 dim."""
    if x.ndim < 1:
        raise ValueError("flipud: needs at least 1 dim, got a 0-d tensor")
    return flip(x, 0)
