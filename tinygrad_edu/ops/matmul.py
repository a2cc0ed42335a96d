"""Matrix product with numpy's semantics for ≥ 2-D operands (1-D operands are promoted
and squeezed in ``Tensor.matmul``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd import Context, Function

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
    ∂L/∂X = G @ Yᵀ,  ∂L/∂Y = Xᵀ @ G, each summed back over broadcast batch axes."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.matmul(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        gx = (g @ y.mT).sum_to(x.shape) if need_x else None
        gy = (x.mT @ g).sum_to(y.shape) if need_y else None
        return gx, gy
