"""Reductions. ``Sum`` and ``Max`` are the primitives; mean, var, logsumexp and
softmax are built from them in ``tensor.py`` so their gradients come for free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd import Context, Function

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def normalize_axis(axis: int | tuple[int, ...] | list[int] | None, ndim: int,
                   op: str) -> tuple[int, ...]:
    """Axis argument → a sorted tuple of non-negative axes; a clear error when out of range."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in axes:
        if not -max(ndim, 1) <= a < max(ndim, 1):  # a 0-d tensor accepts 0 and -1 (PyTorch)
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} dims")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else ()  # a 0-d tensor has no axis to reduce


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """z = Σ_axes x;   ∂z/∂x = 1 broadcast back over the reduced axes."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        ctx.axes = axes
        return ctx.backend.sum(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        x = ctx.inputs[0]
        return g.reshape(keepdims_shape(x.shape, ctx.axes)).expand(x.shape)


class Max(Function):
    """z = max_axes x;   the gradient goes to the maximal entries, shared evenly among
    ties (as ``torch.amax``), so it stays a valid subgradient."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        if x.size == 0:
            raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape}")
        ctx.axes = axes
        return ctx.backend.max(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        x = ctx.inputs[0]
        be = ctx.backend
        kshape = keepdims_shape(x.shape, ctx.axes)
        top = be.reshape(ctx.output.data, kshape)
        mask = be.compare("eq", x.data, top).astype(g.dtype)
        share = be.div(mask, be.sum(mask, axis=ctx.axes, keepdims=True))
        return g.reshape(kshape) * g._constant(share.astype(g.dtype, copy=False))
