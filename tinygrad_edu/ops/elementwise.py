"""Elementwise operations. Binary ones broadcast like numpy; their backward sums each
gradient back to its input's shape with ``Tensor.sum_to`` (the one place that
"unbroadcasts")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd import Context, Function

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def _unbroadcast(ctx: Context, ga: Tensor | None, gb: Tensor | None):
    a, b = ctx.inputs
    need_a, need_b = ctx.needs_input_grad
    return (ga.sum_to(a.shape) if need_a and ga is not None else None,
            gb.sum_to(b.shape) if need_b and gb is not None else None)


class Add(Function):
    """z = x + y;   ∂z/∂x = 1,  ∂z/∂y = 1."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.add(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        return _unbroadcast(ctx, g, g)


class Sub(Function):
    """z = x − y;   ∂z/∂x = 1,  ∂z/∂y = −1."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.sub(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        return _unbroadcast(ctx, g, -g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """z = x · y;   ∂z/∂x = y,  ∂z/∂y = x."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.mul(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        return _unbroadcast(ctx, g * y if need_x else None, g * x if need_y else None)


class Div(Function):
    """z = x / y;   ∂z/∂x = 1/y,  ∂z/∂y = −x/y² = −z/y."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.div(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        _, y = ctx.inputs
        gx = g / y
        return _unbroadcast(ctx, gx, -gx * ctx.output if ctx.needs_input_grad[1] else None)


class Pow(Function):
    """z = xʸ;   ∂z/∂x = y·xʸ⁻¹,  ∂z/∂y = xʸ·ln x  (NaN for x < 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.pow(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        x, y = ctx.inputs
        need_x, need_y = ctx.needs_input_grad
        gx = g * y * x ** (y - 1) if need_x else None
        gy = g * ctx.output * x.log() if need_y else None
        return _unbroadcast(ctx, gx, gy)


class PowScalar(Function):
    """z = xᵖ for a constant p;   dz/dx = p·xᵖ⁻¹."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, exponent: float) -> Array:
        ctx.exponent = exponent
        if exponent == 2:  # x*x is exact and several times faster than pow
            return ctx.backend.mul(x, x)
        return ctx.backend.pow(x, ctx.backend.asarray(exponent, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.inputs
        p = ctx.exponent
        if p == 0:  # x⁰ = 1: the derivative is 0 everywhere (p·x⁻¹ would be 0·inf at 0)
            return g.zeros_like()
        if p == 2:
            return g * x * 2.0
        return g * p * x ** (p - 1)


class Maximum(Function):
    """z = max(x, y);  the gradient goes to the larger input, split evenly on ties
    (PyTorch's choice: it keeps the subgradient symmetric)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.maximum(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        return _select_backward(ctx, g, "gt")


class Minimum(Function):
    """z = min(x, y);  the gradient goes to the smaller input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.minimum(x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        return _select_backward(ctx, g, "lt")


def _select_backward(ctx: Context, g: Tensor, winner: str):
    """Shared by maximum and minimum: weight 1 for the winner, ½ each on a tie."""
    x, y = ctx.inputs
    be = ctx.backend
    wins = be.compare(winner, x.data, y.data)
    ties = be.compare("eq", x.data, y.data)
    wx = be.add(wins.astype(g.dtype), be.mul(ties.astype(g.dtype), 0.5))
    wx = wx.astype(g.dtype, copy=False)
    from ..tensor import Tensor

    tx = Tensor._wrap(wx, ctx.device)
    return _unbroadcast(ctx, g * tx, g * (1 - tx))


class Where(Function):
    """z = cond ? x : y;   ∂z/∂x = cond,  ∂z/∂y = ¬cond  (cond carries no gradient)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array, *, cond: Array) -> Array:
        ctx.cond = cond
        return ctx.backend.where(cond, x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor):
        zero = g.zeros_like()
        need_x, need_y = ctx.needs_input_grad
        mask = g._constant(ctx.cond)
        return _unbroadcast(ctx, g.where(mask, zero) if need_x else None,
                            zero.where(mask, g) if need_y else None)


# ---- unary ---------------------------------------------------------------------------


class Neg(Function):
    """z = −x;   dz/dx = −1."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.neg(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return -g


class Exp(Function):
    """z = eˣ;   dz/dx = eˣ = z."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.exp(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g * ctx.output


class Log(Function):
    """z = ln x;   dz/dx = 1/x."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.log(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g / ctx.inputs[0]


class Sqrt(Function):
    """z = √x;   dz/dx = 1/(2√x) = 1/(2z)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.sqrt(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g / (ctx.output * 2.0)


class Abs(Function):
    """z = |x|;   dz/dx = sign(x)  (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.abs(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.inputs
        return g * g._constant(ctx.backend.sign(x.data))


class ReLU(Function):
    """z = max(x, 0);   dz/dx = 1 if x > 0 else 0."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.relu(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.inputs
        be = ctx.backend
        return g * g._constant(be.compare("gt", x.data, 0).astype(g.dtype))


class Sigmoid(Function):
    """σ(x) = 1/(1 + e⁻ˣ);   σ'(x) = σ(x)(1 − σ(x))."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.sigmoid(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        s = ctx.output
        return g * s * (1 - s)


class Tanh(Function):
    """tanh(x);   d/dx tanh(x) = 1 − tanh²(x)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.tanh(x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        t = ctx.output
        return g * (1 - t * t)


class Clip(Function):
    """z = min(max(x, lo), hi);   dz/dx = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's clamp)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, lo: float | None, hi: float | None) -> Array:
        ctx.lo, ctx.hi = lo, hi
        be = ctx.backend
        out = x
        if lo is not None:
            out = be.maximum(out, be.asarray(lo, dtype=x.dtype))
        if hi is not None:
            out = be.minimum(out, be.asarray(hi, dtype=x.dtype))
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.inputs
        be = ctx.backend
        inside = be.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside = inside & be.compare("ge", x.data, ctx.lo)
        if ctx.hi is not None:
            inside = inside & be.compare("le", x.data, ctx.hi)
        return g * g._constant(inside.astype(g.dtype))


class Cast(Function):
    """Change the floating dtype; the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, dtype) -> Array:
        return ctx.backend.astype(x, dtype)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.to_dtype(ctx.inputs[0].dtype)
