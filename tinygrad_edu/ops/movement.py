"""Operations that move or select data without arithmetic: reshape, permute, expand,
indexing, concatenation, padding. Each backward is another movement: reshape undoes
reshape, permute undoes permute, summing undoes expand, scattering undoes indexing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd import Context, Function

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
        return g.reshape(ctx.inputs[0].shape)


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
    """Broadcast to a larger shape (a view, no copy); the gradient sums the copies."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, shape: tuple[int, ...]) -> Array:
        return ctx.backend.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.sum_to(ctx.inputs[0].shape)


class GetItem(Function):
    """x[index] with numpy indexing; the gradient scatters back, adding at indices that
    were picked more than once."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, index: Any) -> Array:
        ctx.index = index
        return ctx.backend.getitem(x, index)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        x = ctx.inputs[0]
        return ScatterAdd.apply(g, shape=x.shape, index=ctx.index)


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
    def backward(ctx: Context, g: Tensor):
        grads, start = [], 0
        lead = (slice(None),) * ctx.axis
        for x, need in zip(ctx.inputs, ctx.needs_input_grad):
            stop = start + x.shape[ctx.axis]
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
        ctx.device = device
        ctx.backend = target
        return target.asarray(ctx.inputs[0].backend.to_numpy(x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.to(ctx.source)
