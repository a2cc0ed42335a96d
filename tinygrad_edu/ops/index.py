"""Indexing by index tensors: gather/scatter along a dim, index_select, masks, nonzero,
diagonals, repeat_interleave.

Most of these *are* ``x[index]`` for an index built here, so their gradients come from
:class:`~.movement.GetItem` (whose adjoint scatters back, adding repeats). ``gather``
along ``dim`` with an index tensor ``I`` is ``x[i₀, …, I, …, iₙ]`` where every other
position ``iₖ`` is an ``arange`` broadcast along its own axis — the *grid* of
:func:`along`. Writes (``scatter``, ``scatter_reduce``) are their own Functions.

Also here: ``embedding``, the lookup a language model starts with (token ids in, one
learned vector per id out; its backward is a scatter-add), and the triangular masks
``tril``/``triu``.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..function import Context, Function, once_differentiable
from . import elementwise as ew
from . import movement as mv
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor

#: What sort, topk, median, cummax and cummin return: a tuple that also has ``.values``
#: and ``.indices`` (as PyTorch's ``torch.return_types``).
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def _int_index(index: Any, ref: Tensor, op: str) -> Tensor:
    """An index argument as an integer Tensor on ref's device, or a clear error."""
    t = operands.as_tensor(ref, index, op) if not operands.is_tensor(index) else index
    if not operands.is_tensor(index) and isinstance(index, (int, np.integer)):
        t = t.to_dtype(dtypes.int64)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: the index must be an integer tensor, got dtype {t.dtype}")
    return t


def _check_range(op: str, index: Tensor, n: int, dim: int, shape: tuple[int, ...]) -> None:
    if index.size == 0:
        return
    be = index.backend
    lo, hi = int(be.reduce("min", index.data)), int(be.reduce("max", index.data))
    if lo < 0 or hi >= n:
        bad = lo if lo < 0 else hi
        raise IndexError(f"{op}: index {bad} is out of bounds for dimension {dim} with size "
                         f"{n} (tensor of shape {shape})")


def along(x: Tensor, dim: int, index: Tensor, op: str) -> tuple[Array, ...]:
    """The numpy index that picks ``x[i₀, …, index[i₀, …, iₙ], …, iₙ]`` for every position
    of ``index`` (gather's rule: index has x's number of dims, and no dim larger than
    x's except along ``dim``)."""
    if index.ndim != x.ndim:
        raise ValueError(f"{op}: index of shape {index.shape} must have as many dims as the "
                         f"input of shape {x.shape}")
    for i, (m, n) in enumerate(zip(index.shape, x.shape)):
        if i != dim and m > n:
            raise ValueError(f"{op}: index of shape {index.shape} is larger than the input "
                             f"of shape {x.shape} in dimension {i}")
    _check_range(op, index, x.shape[dim], dim, x.shape)
    be = x.backend
    grid = []
    for i, m in enumerate(index.shape):
        if i == dim:
            grid.append(index.data)
        else:
            grid.append(be.reshape(be.arange(0, m, 1, dtypes.int64),
                                   tuple(m if j == i else 1 for j in range(index.ndim))))
    return tuple(grid)


def _prepare(x: Tensor, dim: int, index: Any, op: str) -> tuple[int, Tensor]:
    d = operands.dim(dim, x.ndim, op)
    return d, _int_index(index, x, op)


def _as_1d(op: Any) -> Any:
    """Run a gather/scatter-style op on a 0-d input as on shape (1,) (PyTorch allows it)."""

    @functools.wraps(op)
    def run(x: Tensor, dim: int, index: Any, *args: Any, **kwargs: Any) -> Tensor:
        if x.ndim != 0:
            return op(x, dim, index, *args, **kwargs)
        operands.dim(dim, 0, op.__name__)
        idx = _int_index(index, x, op.__name__)
        if idx.ndim > 1:
            raise ValueError(f"{op.__name__}: index of shape {idx.shape} for a 0-d input")
        args = tuple(a.reshape(1) if operands.is_tensor(a) else a for a in args)
        kwargs = {k: a.reshape(1) if operands.is_tensor(a) else a for k, a in kwargs.items()}
        return op(x.reshape(1), 0, idx.reshape(1), *args, **kwargs).reshape(idx.shape)

    return run


@_as_1d
def gather(x: Tensor, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (likewise for the others); out has
    index's shape. ∂L/∂x adds g at the gathered positions (repeats add up).
    ``sparse_grad`` is accepted and ignored (gradients are always dense here)."""
    d, idx = _prepare(x, dim, index, "gather")
    return mv.GetItem.apply(x, index=along(x, d, idx, "gather"))


def _source(src: Any, index: Tensor, ref: Tensor, op: str) -> Tensor:
    """scatter's ``src`` cut to index's shape (PyTorch reads only that corner of it); a
    number fills index's shape."""
    if not operands.is_tensor(src):
        if not isinstance(src, (bool, int, float)):
            raise TypeError(f"{op}: src must be a Tensor or a number, got {type(src).__name__}")
        return ref._constant(ref.backend.full(index.shape, src, ref.dtype))
    if src.ndim != index.ndim or any(m > n for m, n in zip(index.shape, src.shape)):
        raise ValueError(f"{op}: index of shape {index.shape} is larger than src of shape "
                         f"{src.shape}")
    if src.dtype != ref.dtype:
        src = src.to_dtype(ref.dtype)
    if src.shape != index.shape:
        src = mv.getitem(src, tuple(slice(0, m) for m in index.shape))
    return src


class Scatter(Function):
    """z = x, then z[index] = src (``scatter`` along a dim; ``index`` is the grid of
    :func:`along`). With repeated positions one of the writes wins, as in PyTorch
    (unspecified which). ∂L/∂x = g with zeros at the written positions; ∂L/∂src =
    g[index] (gather)."""

    @staticmethod
    def forward(ctx: Context, x: Array, src: Array, *, index: tuple[Array, ...]) -> Array:
        ctx.index = index
        return ctx.backend.index_put(ctx.backend.copy(x), index, src)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = Scatter.apply(g, g._constant(ctx.backend.zeros(_index_shape(ctx.index),
                                                                 g.dtype)), index=ctx.index)
        if ctx.needs_input_grad[1]:
            gs = mv.GetItem.apply(g, index=ctx.index)
        return gx, gs


def _index_shape(index: tuple[Any, ...]) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(tuple(i.shape) for i in index if hasattr(i, "shape"))))


@_as_1d
def scatter(x: Tensor, dim: int, index: Any, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """out = x with out[index[i][j]][j] = src[i][j] (dim 0; likewise for the others).
    ``src`` may be a number (or pass ``value=``). ``reduce="add"``/``"multiply"`` is
    PyTorch's older form of :func:`scatter_reduce` ("sum"/"prod")."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a Tensor or a number) or value")
    if reduce is not None:
        modes = {"add": "sum", "multiply": "prod"}
        if reduce not in modes:
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        return scatter_reduce(x, dim, index, src, modes[reduce])
    d, idx = _prepare(x, dim, index, "scatter")
    grid = along(x, d, idx, "scatter")
    return Scatter.apply(x, _source(src, idx, x, "scatter"), index=grid)


@_as_1d
def scatter_add(x: Tensor, dim: int, index: Any, src: Any) -> Tensor:
    """out = x, then out[index[i][j]][j] += src[i][j] (dim 0), repeats adding up:
    x + (the adjoint of gather applied to src). Gradients: g to x, g gathered to src."""
    d, idx = _prepare(x, dim, index, "scatter_add")
    grid = along(x, d, idx, "scatter_add")
    s = _source(src, idx, x, "scatter_add")
    return x + mv.ScatterAdd.apply(s, shape=x.shape, index=grid)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


@_as_1d
def scatter_reduce(x: Tensor, dim: int, index: Any, src: Any, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Combine every src[i][j] with out[index[i][j]][j] (dim 0) by ``reduce`` ∈ sum,
    prod, mean, amax, amin; ``include_self=False`` leaves x's own value out of the
    positions that receive any src (the others keep x). ``mean`` of integers rounds
    toward −∞ (as PyTorch).

    Gradients (PyTorch's): sum — g to both; mean — g / count; amax/amin — g shared
    evenly among the entries (of x and src) equal to the result; prod — g · result /
    entry, with the exclusive product where an entry is 0."""
    if reduce not in _REDUCTIONS:
        raise ValueError(f"scatter_reduce: reduce must be one of {_REDUCTIONS}, got {reduce!r}")
    d, idx = _prepare(x, dim, index, "scatter_reduce")
    grid = along(x, d, idx, "scatter_reduce")
    s = _source(src, idx, x, "scatter_reduce")
    if reduce in ("prod", "amax", "amin"):
        return ScatterReduce.apply(x, s, index=grid, reduce=reduce, include_self=include_self)
    be = x.backend
    hits = be.scatter_add(x.shape, x.dtype, grid, be.ones(idx.shape, x.dtype))
    touched = x._constant(be.binary("gt", hits, be.zeros((), x.dtype)))
    base = x if include_self else ew.where(touched, 0, x)
    total = base + mv.ScatterAdd.apply(s, shape=x.shape, index=grid)
    if reduce == "sum":
        return total
    count = x._constant(hits) + (1 if include_self else 0)
    count = ew.where(touched, count, 1) if not include_self else count
    if x.dtype.kind == "f":
        return total / count
    # integers: the mean rounds toward −∞, as in PyTorch (no gradient to carry)
    q = np.floor_divide(be.to_numpy(total.data), be.to_numpy(count.data)).astype(x.dtype)
    return x._constant(be.asarray(q))


def _scatter_reduce_array(be: Any, x: Array, src: Array, index: tuple[Array, ...],
                          reduce: str, include_self: bool) -> Array:
    out = be.copy(x)
    if not include_self:
        # start the receiving positions from the reduction's identity: 1 for prod, any of
        # the src values for amax/amin (it is then compared with all of them)
        if reduce == "prod":
            be.index_put(out, index, be.ones((), x.dtype))
        else:
            be.index_put(out, index, src)
    return be.index_put(out, index, src, reduce)


class ScatterReduce(Function):
    """scatter_reduce for prod, amax and amin (see :func:`scatter_reduce`). Its backward
    works on arrays (PyTorch's formulas, including its zero handling for prod), so it has
    no second derivative (``create_graph=True`` through it is an error)."""

    @staticmethod
    def forward(ctx: Context, x: Array, src: Array, *, index: tuple[Array, ...], reduce: str,
                include_self: bool) -> Array:
        ctx.index, ctx.reduce, ctx.include_self = index, reduce, include_self
        out = _scatter_reduce_array(ctx.backend, x, src, index, reduce, include_self)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        x_t, src_t, out_t = ctx.saved_tensors
        be, index, reduce = ctx.backend, ctx.index, ctx.reduce
        x, src, out, gd = x_t.data, src_t.data, out_t.data, g.data
        dt = x.dtype
        hits = be.scatter_add(x.shape, dt, index, be.ones(src.shape, dt))
        untouched = be.binary("eq", hits, be.zeros((), dt))
        mine = untouched if not ctx.include_self else be.ones(x.shape, bool)
        if reduce == "prod":
            zero = be.zeros((), dt)
            one = be.ones((), dt)
            x_is_0 = be.binary("eq", x, zero)
            masked_x = be.where(x_is_0, one, x)
            res_x = _scatter_reduce_array(be, masked_x, src, index, reduce, ctx.include_self)
            gx = be.binary("div", be.binary("mul", gd, res_x), masked_x)
            src_is_0 = be.binary("eq", src, zero)
            zeros_at = be.getitem(be.scatter_add(x.shape, dt, index, be.astype(src_is_0, dt)),
                                  index)
            single = be.binary("logical_and", src_is_0, be.binary("eq", zeros_at, one))
            res_s = _scatter_reduce_array(be, x, be.where(single, one, src), index, reduce,
                                          ctx.include_self)
            gs = be.where(single, be.getitem(be.binary("mul", gd, res_s), index),
                          be.binary("div", be.getitem(be.binary("mul", gd, out), index),
                                    be.where(src_is_0, one, src)))
        else:  # amax / amin: shared evenly among the entries equal to the result
            # x counts among the ties wherever it equals the result, even when it was left
            # out (include_self=False) and then gets no share: PyTorch's rule, kept exactly
            x_hit = be.binary("eq", x, out)
            s_hit = be.binary("eq", src, be.getitem(out, index))
            count = be.binary("add", be.astype(x_hit, dt),
                              be.scatter_add(x.shape, dt, index, be.astype(s_hit, dt)))
            share = be.binary("div", gd, be.binary("maximum", count, be.ones((), dt)))
            gx = be.binary("mul", share, be.astype(x_hit, dt))
            gs = be.binary("mul", be.getitem(share, index), be.astype(s_hit, dt))
        gx = be.where(mine, gx, be.zeros((), dt))
        return g._constant(gx), g._constant(gs)


def index_select(x: Tensor, dim: int, index: Any) -> Tensor:
    """The entries ``index`` (a 1-d integer tensor) along ``dim``:
    ``index_select(x, 0, i)`` is ``x[i]``. ∂L/∂x adds g back at those entries."""
    d, idx = _prepare(x, dim, index, "index_select")
    if idx.ndim > 1:
        raise ValueError(f"index_select: index must be 0-d or 1-d, got shape {idx.shape}")
    n = x.shape[d] if x.ndim else 1
    _check_range("index_select", idx, n, d, x.shape)
    flat = idx.reshape(-1)
    if x.ndim == 0:
        return mv.GetItem.apply(x.reshape(1), index=flat.data).reshape(flat.shape)
    return mv.GetItem.apply(x, index=(slice(None),) * d + (flat.data,))


def _mask(mask: Any, ref: Tensor, op: str) -> Tensor:
    m = mask if operands.is_tensor(mask) else operands.as_tensor(ref, mask, op)
    if m.dtype.kind != "b":
        raise TypeError(f"{op}: the mask must be a bool tensor, got dtype {m.dtype}")
    return m


def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """x with ``value`` where ``mask`` (bool, broadcast to x's shape) is True. ``value``
    is a number or a 0-d tensor. ∂L/∂x = g where the mask is False (0 where it is True);
    a tensor ``value`` receives Σ g over the mask."""
    m = _mask(mask, x, "masked_fill")
    shape = operands.broadcast_shapes("masked_fill", x.shape, m.shape)
    if shape != x.shape:
        raise ValueError(f"masked_fill: the mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {x.shape}")
    if operands.is_tensor(value):
        if value.ndim != 0:
            raise ValueError(f"masked_fill: value must be a number or a 0-d tensor, got "
                             f"shape {value.shape}")
        value = value.to_dtype(x.dtype) if value.dtype != x.dtype else value
    elif x.dtype.kind in "iub" and not isinstance(value, bool):
        value = x._constant(x.backend.asarray(np.asarray(value).astype(x.dtype)))
    out = ew.where(m, value, x)
    return out if out.dtype == x.dtype else out.to_dtype(x.dtype)


def masked_select(x: Tensor, mask: Any) -> Tensor:
    """A 1-d tensor of the entries of x where ``mask`` is True (x and mask broadcast).
    ∂L/∂x puts g back at those entries (summed over broadcast copies), 0 elsewhere."""
    m = _mask(mask, x, "masked_select")
    shape = operands.broadcast_shapes("masked_select", x.shape, m.shape)
    return mv.GetItem.apply(x.expand(shape), index=m.expand(shape).data)


def nonzero(x: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: an int64 tensor of shape (count, ndim), or with
    ``as_tuple=True`` one 1-d tensor per dim (what ``x[...]`` takes). Not
    differentiable (indices)."""
    be = x.backend
    data = x.data if x.ndim else be.reshape(x.data, (1,))
    idx = [be.astype(i, dtypes.int64) for i in be.nonzero(data)]
    if as_tuple:
        return tuple(x._constant(i) for i in idx)
    if x.ndim == 0:
        return x._constant(be.zeros((idx[0].shape[0], 0), dtypes.int64))
    cols = [be.reshape(i, (i.shape[0], 1)) for i in idx]
    return x._constant(be.concatenate(cols, axis=1))


def argwhere(x: Tensor) -> Tensor:
    """``nonzero(x)``: indices of the nonzero entries, shape (count, ndim)."""
    return nonzero(x)


def _diagonal_index(be: Any, n1: int, n2: int, offset: int) -> tuple[Array, Array]:
    start1, start2 = max(-offset, 0), max(offset, 0)
    length = max(0, min(n1 - start1, n2 - start2))
    r = be.arange(0, length, 1, dtypes.int64)
    return be.binary("add", r, start1), be.binary("add", r, start2)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal entries x[…, i, …, i + offset, …] of the planes (dim1, dim2): those two
    dims are removed and the diagonal becomes the last dim. ∂L/∂x puts g back on it."""
    return _diagonal(x, offset, dim1, dim2)


def _diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal entries x[…, i, …, i + offset, …] of the planes (dim1, dim2): those two
    dims are removed and the diagonal becomes the last dim. ∂L/∂x puts g back on it."""
    if x.ndim < 2:
        raise ValueError(f"diagonal: needs at least 2 dims, got shape {x.shape}")
    a, b = operands.dim(dim1, x.ndim, "diagonal"), operands.dim(dim2, x.ndim, "diagonal")
    if a == b:
        raise ValueError(f"diagonal: dim1 and dim2 must differ, both are {a}")
    moved = mv.movedim(x, (a, b), (-2, -1))
    rows, cols = _diagonal_index(x.backend, x.shape[a], x.shape[b], offset)
    return mv.GetItem.apply(moved, index=(Ellipsis, rows, cols))


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    """1-d x: the square matrix with x on its ``diagonal``-th diagonal (0 the main one,
    > 0 above, < 0 below); 2-d x: that diagonal of x, as a 1-d tensor. The gradient takes
    (or puts back) the same diagonal of g."""
    if x.ndim == 2:
        return _diagonal(x, diagonal)
    if x.ndim != 1:
        raise ValueError(f"diag: expects a 1-d or 2-d tensor, got shape {x.shape}")
    n = x.shape[0] + abs(diagonal)
    rows, cols = _diagonal_index(x.backend, n, n, diagonal)
    return mv.ScatterAdd.apply(x, shape=(n, n), index=(rows, cols))


def repeat_interleave(x: Any, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (the flattened tensor when dim
    is None): [a, b] with 2 → [a, a, b, b] (numpy's ``repeat``). ``repeats`` is an int or
    one count per element. With only a tensor of counts, ``repeat_interleave(r)`` gives
    the indices 0…, each repeated r[i] times. ∂L/∂x sums the copies."""
    if repeats is None:
        counts = np.asarray(x.backend.to_numpy(x.data))
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise ValueError("repeat_interleave: repeats must be a 1-d integer tensor")
        return x._constant(x.backend.asarray(np.repeat(np.arange(len(counts)), counts)
                                             .astype(np.int64)))
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = operands.dim(dim, x.ndim, "repeat_interleave")
    n = x.shape[d] if x.ndim else 1
    reps = np.asarray(repeats.backend.to_numpy(repeats.data) if operands.is_tensor(repeats)
                      else repeats)
    if reps.dtype.kind not in "iu" or reps.ndim > 1 or (reps.ndim == 1 and
                                                         reps.shape[0] not in (1, n)):
        raise ValueError(f"repeat_interleave: repeats must be an int or {n} integer counts "
                         f"(dimension {d} of shape {x.shape}), got {repeats}")
    if (reps < 0).any():
        raise ValueError("repeat_interleave: repeats must be non-negative")
    idx = np.repeat(np.arange(n), reps.reshape(-1) if reps.ndim else int(reps))
    if output_size is not None and output_size != len(idx):
        raise ValueError(f"repeat_interleave: output_size={output_size} but the repeats "
                         f"give {len(idx)} elements")
    if x.ndim == 0:
        x = x.reshape(1)
    return mv.GetItem.apply(x, index=(slice(None),) * d + (x.backend.asarray(idx),))


# ---- along one dim with a 1-d index; in-place forms ----------------------------------


def _dim_index(x: Tensor, dim: int, index: Any, op: str) -> tuple[int, Tensor, tuple[Any, ...]]:
    """dim, the 1-d index, and the numpy index ``x[:, …, index]`` (index at ``dim``)."""
    d, idx = _prepare(x, dim, index, op)
    if idx.ndim > 1:
        raise ValueError(f"{op}: index must be 0-d or 1-d, got shape {idx.shape}")
    idx = idx.reshape(-1)
    _check_range(op, idx, x.shape[d] if x.ndim else 1, d, x.shape)
    return d, idx, (slice(None),) * d + (idx.data,)


def _check_source(op: str, x: Tensor, d: int, idx: Tensor, source: Tensor) -> Tensor:
    want = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
    if source.shape != want:
        raise ValueError(f"{op}: source of shape {source.shape} does not match: expected "
                         f"{want} (x of shape {x.shape}, {idx.size} indices along dim {d})")
    return source.to_dtype(x.dtype) if source.dtype != x.dtype else source


def index_add(x: Tensor, dim: int, index: Any, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """out = x, then out[…, index[i], …] += alpha · source[…, i, …] along ``dim`` (repeats
    add up). Gradients: g to x, alpha · g[…, index, …] to source."""
    d, idx, where = _dim_index(x, dim, index, "index_add")
    src = _check_source("index_add", x, d, idx, source)
    return x + mv.ScatterAdd.apply(src * alpha if alpha != 1 else src, shape=x.shape,
                                   index=where)


def index_copy(x: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:
    """out = x, then out[…, index[i], …] = source[…, i, …] along ``dim``. Gradients: g with
    zeros at the copied entries to x, g[…, index, …] to source."""
    d, idx, where = _dim_index(x, dim, index, "index_copy")
    src = _check_source("index_copy", x, d, idx, source)
    return mv.IndexPut.apply(x, src, steps=(where,))


def index_fill(x: Tensor, dim: int, index: Any, value: Any) -> Tensor:
    """out = x with ``value`` (a number or a 0-d tensor) at index along ``dim``."""
    _, _, where = _dim_index(x, dim, index, "index_fill")
    v = operands.as_tensor(x, value, "index_fill")
    if v.ndim != 0:
        raise ValueError(f"index_fill: value must be a number or a 0-d tensor, got shape "
                         f"{v.shape}")
    return mv.IndexPut.apply(x, v.to_dtype(x.dtype) if v.dtype != x.dtype else v,
                             steps=(where,))


def index_put(x: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """out = x with out[indices] = values (``accumulate=True``: +=, repeats adding up);
    ``indices`` is a tuple of index tensors, as ``x[indices]`` takes them."""
    idx = mv._index(x, tuple(indices))
    v = mv.fit_value(x, (idx,), values, "index_put")
    if accumulate:
        target = mv.GetItem.apply(x, index=idx).shape
        return x + mv.ScatterAdd.apply(v.expand(target), shape=x.shape, index=idx)
    return mv.IndexPut.apply(x, v, steps=(idx,))


def take(x: Tensor, index: Any) -> Tensor:
    """The entries of the *flattened* x at ``index`` (any shape; the result has its
    shape). ∂L/∂x adds g back at those entries."""
    idx = _int_index(index, x, "take")
    _check_range("take", idx, x.size, 0, x.shape)
    return mv.GetItem.apply(x.reshape(-1), index=idx.data)


def take_along_dim(x: Tensor, indices: Any, dim: int | None = None) -> Tensor:
    """gather with broadcasting: x and indices broadcast in every dim but ``dim``; with
    dim None, the flattened x at the flattened indices."""
    idx = _int_index(indices, x, "take_along_dim")
    if dim is None:
        return gather(x.reshape(-1), 0, idx.reshape(-1))
    d = operands.dim(dim, x.ndim, "take_along_dim")
    if idx.ndim != x.ndim:
        raise ValueError(f"take_along_dim: indices of shape {idx.shape} need as many dims as "
                         f"x of shape {x.shape}")
    xs = list(x.shape)
    ids = list(idx.shape)
    xs[d] = ids[d] = 1
    common = operands.broadcast_shapes("take_along_dim", tuple(xs), tuple(ids))
    xb = x.expand(common[:d] + (x.shape[d],) + common[d + 1:])
    ib = idx.expand(common[:d] + (idx.shape[d],) + common[d + 1:])
    return gather(xb, d, ib)


def _in_place_form(fn: Any) -> Any:
    name = fn.__name__ + "_"

    def method(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return mv.in_place(x, name, fn, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"In-place :func:`{fn.__name__}` (see ``movement.in_place``)."
    return method


masked_fill_ = _in_place_form(masked_fill)
scatter_ = _in_place_form(scatter)
scatter_add_ = _in_place_form(scatter_add)
scatter_reduce_ = _in_place_form(scatter_reduce)
index_add_ = _in_place_form(index_add)
index_copy_ = _in_place_form(index_copy)
index_fill_ = _in_place_form(index_fill)
index_put_ = _in_place_form(index_put)


# ---- embedding lookup and triangular masks ----------------------------------------


class Embedding(Function):
    """out[..., :] = W[idx[...], :] for W of shape (num, dim) and integer ids ``idx``::

        ∂L/∂W[k] = Σ_{positions p with idx[p] = k} ∂L/∂out[p]     (0 for k = padding_idx)

    The ids are not an input of the Function (they have no gradient); they sit on the
    context.
    """

    @staticmethod
    def forward(ctx: Context, weight: Array, *, idx: Array, padding_idx: int | None) -> Array:
        ctx.idx, ctx.padding_idx = idx, padding_idx
        return ctx.backend.getitem(weight, idx)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        idx = ctx.idx
        if ctx.padding_idx is not None:  # the padding row never learns (PyTorch's rule)
            be = ctx.backend
            keep = be.astype(be.binary("ne", idx, ctx.padding_idx), g.dtype)
            g = g * g._constant(be.reshape(keep, tuple(keep.shape) + (1,)))
        return mv.ScatterAdd.apply(g, shape=ctx.input_shapes[0], index=idx)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input`` of
    any shape: the result has shape ``input.shape + (dim,)`` (``F.embedding``)."""
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, dim), got shape "
                         f"{weight.shape}")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {input.dtype} "
                        f"of shape {input.shape}")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for "
                             f"{num} embeddings")
        padding_idx %= num
    if input.size:
        be = input.backend
        lo, hi = int(be.reduce("min", input.data)), int(be.reduce("max", input.data))
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(f"embedding: index {bad} is out of range for a weight of shape "
                             f"{weight.shape} (ids must be in [0, {num - 1}]); input shape "
                             f"{input.shape}")
    return Embedding.apply(weight, idx=input.data, padding_idx=padding_idx)


def _triangle(x: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a tensor with at least 2 dims, got shape {x.shape}")
    be = x.backend
    rows, cols = x.shape[-2], x.shape[-1]
    i = be.reshape(be.arange(0, rows, 1, "int64"), (rows, 1))
    j = be.reshape(be.arange(0, cols, 1, "int64"), (1, cols))
    offset = be.binary("sub", j, i)  # j − i
    keep = be.binary("le" if lower else "ge", offset, diagonal)
    if x.dtype.kind == "b":
        return x._constant(be.binary("logical_and", x.data, keep))
    return ew.where(keep, x, 0)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes: x[..., i, j] where j − i ≤ diagonal, else
    0 (False for bool tensors). ``tril(ones(T, T, dtype=bool))`` is the causal mask:
    position i may look at positions j ≤ i. Gradient: g on the kept entries, 0 elsewhere."""
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes: x[..., i, j] where j − i ≥ diagonal, else 0."""
    return _triangle(x, diagonal, False, "triu")
