"""Elementwise arithmetic and math: each op's Function beside the function users call.

Binary ops broadcast like numpy. Their backward returns the *natural* gradient (the
shape of the output); the engine sums it back to each input's shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..function import Context, Function
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def keep_result(ctx: Context, z: Array) -> Array:
    """Save an op's own result for its backward (eˣ, √x, σ(x) and tanh x have derivatives
    written with their result) and return it."""
    ctx.save_for_backward(z)
    return z


class Add(Function):
    """z = x + y;   ∂z/∂x = 1,  ∂z/∂y = 1."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.binary("add", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        return g, g


class Sub(Function):
    """z = x − y;   ∂z/∂x = 1,  ∂z/∂y = −1."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.binary("sub", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor | None]:
        return g, -g if ctx.needs_input_grad[1] else None


class Mul(Function):
    """z = x · y;   ∂z/∂x = y,  ∂z/∂y = x."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return ctx.backend.binary("mul", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        return g * y if need_x else None, g * x if need_y else None


class Div(Function):
    """z = x / y;   ∂z/∂x = 1/y,  ∂z/∂y = −x/y² = −z/y."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        z = ctx.backend.binary("div", x, y)
        ctx.save_for_backward(y, z)
        return z

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor | None]:
        y, z = ctx.saved_tensors
        gx = g / y
        return gx, -gx * z if ctx.needs_input_grad[1] else None


class Pow(Function):
    """z = xʸ;   ∂z/∂x = y·xʸ⁻¹ (0 where y = 0),  ∂z/∂y = xʸ·ln x (0 where x = 0 and
    y ≥ 0; NaN for x < 0) — PyTorch's values at the edges, where the plain formulas
    would give 0·inf."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        z = ctx.backend.binary("pow", x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, y, z = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = where(y.detach() == 0, 0.0, g * y * x ** (y - 1))
        if need_y:
            xd, yd = x.detach(), y.detach()
            gy = where((xd == 0) & (yd >= 0), 0.0, g * z * x.log())
        return gx, gy


class PowScalar(Function):
    """z = xᵖ for a constant p;   dz/dx = p·xᵖ⁻¹ (0 everywhere for p = 0)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, exponent: float) -> Array:
        ctx.exponent = exponent
        ctx.save_for_backward(x)
        be = ctx.backend
        if exponent == 2:  # x*x is exact and several times faster than pow
            return be.binary("mul", x, x)
        return be.binary("pow", x, be.asarray(exponent, dtype=x.dtype))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return g.zeros_like()
        if p == 2:
            return g * x * 2.0
        return g * p * x ** (p - 1)


class Maximum(Function):
    """z = max(x, y);  the gradient goes to the larger input, split evenly on ties
    (PyTorch's choice: it keeps the subgradient symmetric)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return ctx.backend.binary("maximum", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        return _select_backward(ctx, g, "gt")


class Minimum(Function):
    """z = min(x, y);  the gradient goes to the smaller input, split evenly on ties."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return ctx.backend.binary("minimum", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        return _select_backward(ctx, g, "lt")


def _select_backward(ctx: Context, g: Tensor, winner: str) -> tuple[Tensor, Tensor]:
    """Shared by maximum and minimum: weight 1 for the winner, ½ each on a tie."""
    x, y = (t.data for t in ctx.saved_tensors)
    be = ctx.backend
    wins = be.astype(be.binary(winner, x, y), g.dtype)
    ties = be.astype(be.binary("eq", x, y), g.dtype)
    wx = g._constant(be.astype(be.binary("add", wins, be.binary("mul", ties, 0.5)), g.dtype))
    return g * wx, g * (1 - wx)


class Where(Function):
    """z = cond ? x : y;   ∂z/∂x = cond,  ∂z/∂y = ¬cond  (cond carries no gradient)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array, *, cond: Array) -> Array:
        ctx.cond = cond
        return ctx.backend.where(cond, x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, Tensor | None]:
        zero = g.zeros_like()
        need_x, need_y = ctx.needs_input_grad
        mask = g._constant(ctx.cond)
        return (where(mask, g, zero) if need_x else None,
                where(mask, zero, g) if need_y else None)


# ---- unary ---------------------------------------------------------------------------


class Neg(Function):
    """z = −x;   dz/dx = −1."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.unary("neg", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return -g


class Exp(Function):
    """z = eˣ;   dz/dx = eˣ = z."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("exp", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        return g * z


class Log(Function):
    """z = ln x;   dz/dx = 1/x."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.save_for_backward(x)
        return ctx.backend.unary("log", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """z = √x;   dz/dx = 1/(2√x) = 1/(2z)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("sqrt", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        return g / (z * 2.0)


class Abs(Function):
    """z = |x|;   dz/dx = sign(x)  (0 at x = 0, as in PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.sign = ctx.backend.unary("sign", x)
        return ctx.backend.unary("abs", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g * g._constant(ctx.sign)


class Clip(Function):
    """z = min(max(x, lo), hi);   dz/dx = 1 where lo ≤ x ≤ hi, else 0 (PyTorch's clamp)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, lo: Any, hi: Any) -> Array:
        be = ctx.backend
        out = x
        inside = None
        if lo is not None:
            out = be.binary("maximum", out, be.asarray(lo, dtype=x.dtype))
            inside = be.binary("ge", x, lo)
        if hi is not None:
            out = be.binary("minimum", out, be.asarray(hi, dtype=x.dtype))
            below = be.binary("le", x, hi)
            inside = below if inside is None else be.binary("logical_and", inside, below)
        ctx.inside = inside
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        if ctx.inside is None:
            return g
        return g * g._constant(ctx.backend.astype(ctx.inside, g.dtype))


class Cast(Function):
    """Change the floating dtype; the engine casts the gradient back to the input's."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, dtype: Any) -> Array:
        return ctx.backend.astype(x, dtype)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g


# ---- what users call (Tensor's operators forward here) --------------------------------


def add(a: Any, b: Any) -> Tensor:
    """a + b, broadcasting."""
    return Add.apply(*operands.binary("add", a, b))


def sub(a: Any, b: Any) -> Tensor:
    """a − b, broadcasting."""
    return Sub.apply(*operands.binary("sub", a, b))


def mul(a: Any, b: Any) -> Tensor:
    """a · b, broadcasting."""
    return Mul.apply(*operands.binary("mul", a, b))


def div(a: Any, b: Any) -> Tensor:
    """a / b, broadcasting; true division, so integer operands give float32."""
    return Div.apply(*operands.binary("div", a, b, floating=True))


def pow(base: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """baseᵉˣᵖᵒⁿᵉⁿᵗ. A Python-number exponent is a constant (one input, cheaper)."""
    if operands.is_tensor(base) and isinstance(exponent, (int, float)) \
            and not isinstance(exponent, bool):
        x = base if base.dtype.kind == "f" or isinstance(exponent, int) \
            else operands.floating(base)
        return PowScalar.apply(x, exponent=exponent)
    return Pow.apply(*operands.binary("pow", base, exponent))


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise max(a, b); a Python number on either side is fine."""
    return Maximum.apply(*operands.binary("maximum", a, b))


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise min(a, b)."""
    return Minimum.apply(*operands.binary("minimum", a, b))


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``condition ? x : y`` elementwise, broadcasting all three; x and y may be numbers.
    Gradients flow to x where the condition holds and to y elsewhere."""
    from .. import tensor as _tensor

    ref = x if operands.is_tensor(x) else y if operands.is_tensor(y) else None
    if ref is None:
        ref = _tensor.Tensor(x)
    xt, yt = operands.as_tensor(ref, x, "where"), operands.as_tensor(ref, y, "where")
    if operands.is_tensor(condition):
        cond = condition.data
    else:
        cond = ref.backend.asarray(condition)
    if cond.dtype.kind != "b":
        cond = ref.backend.astype(cond, bool)
    shape = operands.broadcast_shapes("where", tuple(cond.shape), xt.shape, yt.shape)
    if xt.dtype != yt.dtype:
        xt, yt = operands.promote("where", xt, yt)
    # x and y broadcast first, so the op's gradients have one shape; the engine sums
    # them back to x's and y's own shapes
    if cond.shape != shape:
        cond = ref.backend.broadcast_to(cond, shape)
    return Where.apply(xt.expand(shape), yt.expand(shape), cond=cond)


def neg(x: Tensor) -> Tensor:
    return Neg.apply(x)


def exp(x: Tensor) -> Tensor:
    """eˣ."""
    return Exp.apply(operands.floating(x))


def log(x: Tensor) -> Tensor:
    """ln x (−inf at 0, NaN below, as in PyTorch)."""
    return Log.apply(operands.floating(x))


def sqrt(x: Tensor) -> Tensor:
    """√x."""
    return Sqrt.apply(operands.floating(x))


def abs(x: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """|x|."""
    return Abs.apply(x)


def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """min(max(x, min), max); either bound may be None."""
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: min ({min}) is larger than max ({max})")
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return Clip.apply(x, lo=min, hi=max)


def cast(x: Tensor, dtype: Any) -> Tensor:
    """``x`` as ``dtype``; in the graph when both are floating, so gradients flow back."""
    from ..dtypes import resolve

    want = resolve(dtype)
    if want == x.dtype:
        return x
    if x.requires_grad and want is not None and want.kind == "f":
        return Cast.apply(x, dtype=want)
    return x._constant(x.backend.astype(x.data, want))
