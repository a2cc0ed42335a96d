"""Matrix product with numpy's semantics: 1-D operands are promoted to a row (left) or a
column (right) and the added axis removed from the result; leading axes broadcast."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..function import Context, Function
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def check_matmul_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> None:
    if len(a) == 0 or len(b) == 0:
        raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {a} and {b}")
    ka = a[-1]
    kb = b[-2] if len(b) >= 2 else b[0]
    if ka != kb:
        raise ValueError(f"matmul: shapes {a} and {b} do not align ({ka} != {kb})")


class MatMul(Function):
    """Z = X @ Y over the last two axes (leading axes broadcast);
    ∂L/∂X = G @ Yᵀ,  ∂L/∂Y = Xᵀ @ G (the engine sums them back over broadcast batch axes)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return ctx.backend.matmul(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return g @ y.mT if need_x else None, x.mT @ g if need_y else None


def matmul(a: Any, b: Any) -> Tensor:
    """a @ b (see the module docstring for 1-D operands and batches)."""
    x, y = operands.pair(a, b, "matmul")
    check_matmul_shapes(x.shape, y.shape)
    xm = x.unsqueeze(0) if x.ndim == 1 else x
    ym = y.unsqueeze(-1) if y.ndim == 1 else y
    if xm.ndim > 2 or ym.ndim > 2:
        try:
            operands.broadcast_shapes("matmul", xm.shape[:-2], ym.shape[:-2])
        except ValueError:
            raise ValueError(f"matmul: batch dimensions of shapes {x.shape} and {y.shape} "
                             "cannot be broadcast together") from None
    if xm.dtype != ym.dtype:
        xm, ym = operands.promote("matmul", xm, ym)
    out = MatMul.apply(xm, ym)
    if y.ndim == 1:
        out = out.squeeze(-1)
    if x.ndim == 1:
        out = out.squeeze(-2 if out.ndim >= 2 else 0)
    return out
