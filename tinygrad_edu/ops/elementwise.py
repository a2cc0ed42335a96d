"""Elementwise arithmetic and math: each op's Function beside the function users call.

Binary ops broadcast like numpy. Their backward returns the *natural* gradient (the
shape of the output); the engine sums it back to each input's shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.binary("add", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        return g, g


class Sub(Function):
    """z = x − y;   ∂z/∂x = 1,  ∂z/∂y = −1."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        return ctx.backend.binary("sub", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor | None]:
        return g, -g if ctx.needs_input_grad[1] else None


class Mul(Function):
    """z = x · y;   ∂z/∂x = y,  ∂z/∂y = x."""

    backward_on_arrays = True

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

    backward_on_arrays = True

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
    """Shared by maximum and minimum: weight 0 for the input that loses, ½ each on a tie,
    1 otherwise — so where either is NaN (no winner, no tie) both get the full gradient,
    as in PyTorch."""
    x, y = (t.data for t in ctx.saved_tensors)
    be = ctx.backend
    loser = "lt" if winner == "gt" else "gt"
    half_ties = be.binary("mul", be.astype(be.binary("eq", x, y), g.dtype), 0.5)

    def weight(loses: Array) -> Tensor:
        lost = be.binary("add", be.astype(loses, g.dtype), half_ties)
        return g._constant(be.astype(be.binary("sub", 1.0, lost), g.dtype))

    return g * weight(be.binary(loser, x, y)), g * weight(be.binary(winner, x, y))


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

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return ctx.backend.unary("neg", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return -g


class Exp(Function):
    """z = eˣ;   dz/dx = eˣ = z."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("exp", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        return g * z


class Log(Function):
    """z = ln x;   dz/dx = 1/x."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.save_for_backward(x)
        return ctx.backend.unary("log", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """z = √x;   dz/dx = 1/(2√x) = 1/(2z).

    ``zero_at_zero=True`` (what ``std`` uses) makes the gradient 0 where z = 0 instead of
    inf: the std of equal values then has gradient 0, as in PyTorch, not inf·0 = NaN."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, zero_at_zero: bool = False) -> Array:
        z = ctx.backend.unary("sqrt", x)
        ctx.zero_at_zero = zero_at_zero
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (z,) = ctx.saved_tensors
        if ctx.zero_at_zero:
            return where(z.detach() == 0, 0.0, g / (z * 2.0))
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

    backward_on_arrays = True

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


def div(a: Any, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    """a / b, broadcasting; true division, so integer operands give float32.

    ``rounding_mode="floor"`` rounds the quotient down (Python's ``//``) and ``"trunc"``
    towards zero (C's integer division); both keep integer dtypes and, as in PyTorch,
    have a zero gradient (the rounded quotient is piecewise constant)."""
    if rounding_mode is None:
        return Div.apply(*operands.binary("div", a, b, floating=True))
    if rounding_mode not in ("floor", "trunc"):
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got "
                         f"{rounding_mode!r}")
    x, y = _integer_safe("div", a, b)
    return RoundedDiv.apply(x, y, mode=rounding_mode)


def pow(base: Any, exponent: Any) -> Tensor:  # noqa: A001 - PyTorch's name
    """baseᵉˣᵖᵒⁿᵉⁿᵗ. A Python-number exponent is a constant (one input, cheaper). Integer
    tensors to negative integer powers are an error, as in PyTorch."""
    if operands.is_tensor(base) and isinstance(exponent, (int, float)) \
            and not isinstance(exponent, bool):
        x = base if base.dtype.kind == "f" or isinstance(exponent, int) \
            else operands.floating(base)
        if x.dtype.kind in "iu" and exponent < 0:
            _negative_integer_power()
        return PowScalar.apply(x, exponent=exponent)
    x, y = operands.binary("pow", base, exponent)
    if y.dtype.kind in "iu" and y.size and bool(y.backend.reduce("any", y.backend.binary(
            "lt", y.data, 0))):
        _negative_integer_power()
    return Pow.apply(x, y)


def _negative_integer_power() -> None:
    raise ValueError("pow: integers to negative integer powers are not allowed (the result "
                     "is not an integer); make the base floating, e.g. x.float() ** -1")


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


def std_sqrt(variance: Tensor) -> Tensor:
    """√variance for a standard deviation: gradient 0 where it is 0 (see :class:`Sqrt`)."""
    return Sqrt.apply(variance, zero_at_zero=True)


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


# ---- more math (issue 11) --------------------------------------------------------------
# Most unary math ops differ only in the backend op and the derivative, so one helper
# makes their Functions; each line below is the op's whole definition.


def _unary_function(name: str, derivative: Callable[[Tensor, Tensor], Tensor] | None,
                    doc: str, ops: tuple[str, ...] = ()) -> type[Function]:
    """A Function computing the backend op(s) ``ops`` (default: ``name``) in order, whose
    backward is ``g · derivative(x, z)`` with x the input and z the output (both
    graph-connected Tensors, so second derivatives work). ``derivative=None`` means a
    piecewise-constant op (floor, sign, ...): gradient 0, as in PyTorch."""

    def forward(ctx: Context, x: Array) -> Array:
        z = x
        for op in ops or (name,):
            z = ctx.backend.unary(op, z)
        if derivative is not None:
            ctx.save_for_backward(x, z)
        return z

    def backward(ctx: Context, g: Tensor) -> Tensor:
        if derivative is None:
            return g.zeros_like()
        x, z = ctx.saved_tensors
        return g * derivative(x, z)

    return type(name.capitalize(), (Function,), {
        "__doc__": doc, "__module__": __name__,
        "forward": staticmethod(forward), "backward": staticmethod(backward)})


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# dz/dx of each op, from its input x and its output z
def _d_sin(x: Tensor, z: Tensor) -> Tensor: return cos(x)  # noqa: E704
def _d_cos(x: Tensor, z: Tensor) -> Tensor: return -sin(x)  # noqa: E704
def _d_tan(x: Tensor, z: Tensor) -> Tensor: return 1 + z * z  # noqa: E704
def _d_asin(x: Tensor, z: Tensor) -> Tensor: return rsqrt(1 - x * x)  # noqa: E704
def _d_acos(x: Tensor, z: Tensor) -> Tensor: return -rsqrt(1 - x * x)  # noqa: E704
def _d_atan(x: Tensor, z: Tensor) -> Tensor: return 1 / (1 + x * x)  # noqa: E704
def _d_sinh(x: Tensor, z: Tensor) -> Tensor: return cosh(x)  # noqa: E704
def _d_cosh(x: Tensor, z: Tensor) -> Tensor: return sinh(x)  # noqa: E704
def _d_log2(x: Tensor, z: Tensor) -> Tensor: return 1 / (x * _LN2)  # noqa: E704
def _d_log10(x: Tensor, z: Tensor) -> Tensor: return 1 / (x * _LN10)  # noqa: E704
def _d_log1p(x: Tensor, z: Tensor) -> Tensor: return 1 / (1 + x)  # noqa: E704
def _d_exp2(x: Tensor, z: Tensor) -> Tensor: return z * _LN2  # noqa: E704
def _d_expm1(x: Tensor, z: Tensor) -> Tensor: return exp(x)  # noqa: E704 (not z+1: exact for eˣ ≪ 1)
def _d_rsqrt(x: Tensor, z: Tensor) -> Tensor: return -0.5 * z * z * z  # noqa: E704
def _d_reciprocal(x: Tensor, z: Tensor) -> Tensor: return -(z * z)  # noqa: E704
def _d_erf(x: Tensor, z: Tensor) -> Tensor: return _TWO_OVER_SQRT_PI * exp(-(x * x))  # noqa: E704


Sin = _unary_function("sin", _d_sin, "z = sin x;   dz/dx = cos x.")
Cos = _unary_function("cos", _d_cos, "z = cos x;   dz/dx = −sin x.")
Tan = _unary_function("tan", _d_tan, "z = tan x;   dz/dx = 1 + tan²x.")
Asin = _unary_function("asin", _d_asin, "z = arcsin x;   dz/dx = 1/√(1 − x²).")
Acos = _unary_function("acos", _d_acos, "z = arccos x;   dz/dx = −1/√(1 − x²).")
Atan = _unary_function("atan", _d_atan, "z = arctan x;   dz/dx = 1/(1 + x²).")
Sinh = _unary_function("sinh", _d_sinh, "z = sinh x;   dz/dx = cosh x.")
Cosh = _unary_function("cosh", _d_cosh, "z = cosh x;   dz/dx = sinh x.")
Log2 = _unary_function("log2", _d_log2, "z = log₂ x;   dz/dx = 1/(x ln 2).")
Log10 = _unary_function("log10", _d_log10, "z = log₁₀ x;   dz/dx = 1/(x ln 10).")
Log1p = _unary_function("log1p", _d_log1p, "z = ln(1 + x), exact for tiny x;   dz/dx = 1/(1 + x).")
Exp2 = _unary_function("exp2", _d_exp2, "z = 2ˣ;   dz/dx = 2ˣ ln 2.")
Expm1 = _unary_function("expm1", _d_expm1, "z = eˣ − 1, exact for tiny x;   dz/dx = eˣ "
                        "(PyTorch's z + 1 rounds to 0 below x ≈ −37).")
Rsqrt = _unary_function("rsqrt", _d_rsqrt,
                        "z = 1/√x;   dz/dx = −½ x^(−3/2) = −z³/2.", ops=("sqrt", "reciprocal"))
Reciprocal = _unary_function("reciprocal", _d_reciprocal, "z = 1/x;   dz/dx = −1/x² = −z².")
Erf = _unary_function("erf", _d_erf, "z = erf x = (2/√π)∫₀ˣ e^(−t²) dt;   dz/dx = (2/√π) e^(−x²).")
Floor = _unary_function("floor", None, "z = ⌊x⌋;   dz/dx = 0 (piecewise constant).")
Ceil = _unary_function("ceil", None, "z = ⌈x⌉;   dz/dx = 0.")
Round = _unary_function("round", None, "z = x rounded half to even;   dz/dx = 0.")
Trunc = _unary_function("trunc", None, "z = x rounded towards 0;   dz/dx = 0.")


def _tensor_arg(x: Any, op: str) -> Tensor:
    if not operands.is_tensor(x):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return x


def _float_unary(fn: type[Function], op: str) -> Callable[[Tensor], Tensor]:
    """The user-facing function of a float op: integer and bool inputs become float32, as
    ``torch.sin(int_tensor)`` does."""

    def call(x: Tensor) -> Tensor:
        return fn.apply(operands.floating(_tensor_arg(x, op)))

    call.__name__ = call.__qualname__ = op
    call.__doc__ = f"{op}(x), elementwise (floating result). {fn.__doc__}"
    return call


def _exact_unary(fn: type[Function], op: str) -> Callable[[Tensor], Tensor]:
    """The user-facing function of a rounding op: integer tensors are already whole, so
    they come back unchanged (a copy), in their own dtype; bool tensors are refused, as
    in PyTorch."""

    def call(x: Tensor) -> Tensor:
        x = _tensor_arg(x, op)
        if x.dtype.kind == "b":
            raise TypeError(f"{op}: not defined for bool tensors (as in PyTorch); convert "
                            "with .int() or .float() first")
        if x.dtype.kind != "f":
            return x.clone()
        return fn.apply(x)

    call.__name__ = call.__qualname__ = op
    call.__doc__ = f"{op}(x), elementwise (integer tensors are returned as they are, bool " \
        f"ones refused). {fn.__doc__}"
    return call


sin, cos, tan = _float_unary(Sin, "sin"), _float_unary(Cos, "cos"), _float_unary(Tan, "tan")
asin, acos, atan = (_float_unary(Asin, "asin"), _float_unary(Acos, "acos"),
                    _float_unary(Atan, "atan"))
sinh, cosh = _float_unary(Sinh, "sinh"), _float_unary(Cosh, "cosh")
log2, log10, log1p = (_float_unary(Log2, "log2"), _float_unary(Log10, "log10"),
                      _float_unary(Log1p, "log1p"))
exp2, expm1 = _float_unary(Exp2, "exp2"), _float_unary(Expm1, "expm1")
rsqrt, reciprocal = _float_unary(Rsqrt, "rsqrt"), _float_unary(Reciprocal, "reciprocal")
erf = _float_unary(Erf, "erf")
floor, ceil, trunc = _exact_unary(Floor, "floor"), _exact_unary(Ceil, "ceil"), \
    _exact_unary(Trunc, "trunc")
_round = _exact_unary(Round, "round")


def round(x: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """x rounded to ``decimals`` decimal places, halves to even (as ``torch.round``:
    ``round(2.5) = 2``); computed as round(x·10ᵈ)/10ᵈ. Gradient 0."""
    x = _tensor_arg(x, "round")
    if decimals != 0 and x.dtype.kind != "f":
        raise TypeError(f"round: decimals={decimals} needs a floating tensor, got {x.dtype} "
                        "(as in PyTorch)")
    if decimals == 0:
        return _round(x)
    scale = 10.0 ** decimals
    return _round(x * scale) / scale


class Sign(Function):
    """z = sign x = (x > 0) − (x < 0) ∈ {−1, 0, 1} (0 for NaN, as PyTorch);  dz/dx = 0."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        be = ctx.backend
        if x.dtype.kind != "f":
            return be.unary("sign", x)
        pos, neg = be.binary("gt", x, 0), be.binary("lt", x, 0)
        return be.binary("sub", be.astype(pos, x.dtype), be.astype(neg, x.dtype))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return g.zeros_like()


def sign(x: Tensor) -> Tensor:
    """−1, 0 or 1 by the sign of x, in x's dtype; gradient 0. NaN gives 0, as PyTorch's
    (x > 0) − (x < 0) (numpy's sign keeps NaN). A bool tensor is its own sign."""
    x = _tensor_arg(x, "sign")
    return x.clone() if x.dtype.kind == "b" else Sign.apply(x)


def square(x: Tensor) -> Tensor:
    """x² (= x·x, so integer tensors stay integer, and bool ones become int64 as in
    PyTorch);  d/dx = 2x."""
    x = _tensor_arg(x, "square")
    return pow(x.to_dtype("int64") if x.dtype.kind == "b" else x, 2)


# ---- binary math ----------------------------------------------------------------------


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y) in (−π, π];
    ∂z/∂y = x/(x² + y²),  ∂z/∂x = −y/(x² + y²)  (both 0 at the origin, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, y: Array, x: Array) -> Array:
        ctx.save_for_backward(y, x)
        return ctx.backend.binary("atan2", y, x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        y, x = ctx.saved_tensors
        r2 = x * x + y * y
        # at the origin the angle has no derivative: 0, as PyTorch (not 0/0 = NaN)
        r = where(r2.detach() == 0, 0.0, g / r2)
        return r * x, -r * y


class Hypot(Function):
    """z = √(x² + y²), without overflow for large x or y;   ∂z/∂x = x/z,  ∂z/∂y = y/z."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        z = ctx.backend.binary("hypot", x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y, z = ctx.saved_tensors
        r = g / z
        return r * x, r * y


class LogAddExp(Function):
    """z = ln(eˣ + eʸ), computed without overflow;   ∂z/∂x = σ(x − y) = 1/(1 + e^(y−x)),
    ∂z/∂y = 1/(1 + e^(x−y))  (so 0 and 1 when y = +inf, NaN when both are ±inf)."""

    @staticmethod
    def forward(ctx: Context, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        return ctx.backend.binary("logaddexp", x, y)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        x, y = ctx.saved_tensors
        return g / (1 + exp(y - x)), g / (1 + exp(x - y))


class Mod(Function):
    """r = a − q·b with q the quotient rounded down (``remainder``, Python's ``%``: r has
    b's sign) or towards zero (``fmod``: r has a's sign);
    ∂r/∂a = 1,  ∂r/∂b = −q (as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, a: Array, b: Array, *, op: str) -> Array:
        ctx.op = op
        ctx.save_for_backward(a, b)
        return ctx.backend.binary(op, a, b)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor | None]:
        a, b = ctx.saved_tensors
        if not ctx.needs_input_grad[1]:
            return g, None
        q = RoundedDiv.apply(a.detach(), b.detach(),
                             mode="floor" if ctx.op == "remainder" else "trunc")
        return g, -g * q


class RoundedDiv(Function):
    """q = a / b rounded down (``mode="floor"``, Python's ``//``) or towards zero
    (``"trunc"``);  ∂q/∂a = ∂q/∂b = 0 (piecewise constant, as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, a: Array, b: Array, *, mode: str) -> Array:
        be = ctx.backend
        if mode == "floor":
            return be.binary("floor_divide", a, b)
        if a.dtype.kind == "f":
            return be.unary("trunc", be.binary("div", a, b))
        # integers: a − fmod(a, b) is an exact multiple of b, so // is exact there
        return be.binary("floor_divide", be.binary("sub", a, be.binary("fmod", a, b)), b)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor, Tensor]:
        return g.zeros_like(), g.zeros_like()


def _integer_safe(op: str, a: Any, b: Any) -> tuple[Tensor, Tensor]:
    """Operands of an integer-preserving division; an integer zero divisor is an error
    (``ZeroDivisionError``, as PyTorch), not numpy's silent 0."""
    x, y = operands.binary(op, a, b)
    if y.dtype.kind in "iub":
        be = y.backend
        if y.size and bool(be.reduce("any", be.binary("eq", y.data, 0))):
            raise ZeroDivisionError(f"{op}: integer division by zero (a divisor of shape "
                                    f"{y.shape} holds a 0)")
    return x, y


def floor_divide(a: Any, b: Any) -> Tensor:
    """a // b: the quotient rounded down (Python's rule, as ``torch.floor_divide`` and
    ``//`` since PyTorch 1.13); integers stay integers. Gradient 0."""
    return div(a, b, rounding_mode="floor")


def remainder(a: Any, b: Any) -> Tensor:
    """a % b = a − ⌊a/b⌋·b, with the divisor's sign (Python's ``%``, ``torch.remainder``);
    ∂/∂a = 1, ∂/∂b = −⌊a/b⌋."""
    return Mod.apply(*_integer_safe("remainder", a, b), op="remainder")


def fmod(a: Any, b: Any) -> Tensor:
    """a − trunc(a/b)·b, with the dividend's sign (C's ``fmod``, ``torch.fmod``);
    ∂/∂a = 1, ∂/∂b = −trunc(a/b)."""
    return Mod.apply(*_integer_safe("fmod", a, b), op="fmod")


def reflected_remainder(b: Any, a: Any) -> Tensor:
    """``a % b`` for a number ``a`` and a Tensor ``b`` (Python calls ``b.__rmod__(a)``)."""
    return remainder(a, b)


def reflected_floor_divide(b: Any, a: Any) -> Tensor:
    """``a // b`` for a number ``a`` and a Tensor ``b`` (``b.__rfloordiv__(a)``)."""
    return floor_divide(a, b)


def atan2(input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's names
    """atan2(input, other) = the angle of the point (other, input), elementwise (floating
    result). See :class:`Atan2` for the gradients."""
    return Atan2.apply(*operands.binary("atan2", input, other, floating=True))


def hypot(input: Any, other: Any) -> Tensor:  # noqa: A002
    """√(input² + other²). PyTorch refuses integer tensors here; they are promoted to
    float32 instead, as the other floating ops do."""
    return Hypot.apply(*operands.binary("hypot", input, other, floating=True))


def logaddexp(input: Any, other: Any) -> Tensor:  # noqa: A002
    """ln(e^input + e^other) without overflow. Integers are promoted to float32 (PyTorch
    refuses them)."""
    return LogAddExp.apply(*operands.binary("logaddexp", input, other, floating=True))


def lerp(input: Any, end: Any, weight: Any) -> Tensor:  # noqa: A002
    """input + weight·(end − input);  ∂/∂input = 1 − weight, ∂/∂end = weight,
    ∂/∂weight = end − input (composed of +, −, ·, so the gradients come from theirs)."""
    x, e = operands.binary("lerp", input, end, floating=True)
    return x + weight * (e - x)
