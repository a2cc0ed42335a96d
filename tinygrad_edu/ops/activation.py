"""Activation functions: the nonlinearities between layers (``nn`` wraps them as modules)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import autograd
from ..function import Context, Function
from . import operands
from .elementwise import erf, expm1, keep_result, where

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


class ReLU(Function):
    """z = max(x, 0);   dz/dx = 1 if x > 0 else 0."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.save_for_backward(x)
        return ctx.backend.unary("relu", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * (x > 0)


class Sigmoid(Function):
    """σ(x) = 1/(1 + e⁻ˣ);   σ'(x) = σ(x)(1 − σ(x))."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("sigmoid", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class Tanh(Function):
    """tanh(x);   d/dx tanh(x) = 1 − tanh²(x)."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("tanh", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)


class Softplus(Function):
    """softplus(x) = (1/β)·log(1 + e^(βx)), computed as (max(βx, 0) + log(1 + e^−|βx|))/β
    so that e^(βx) never overflows, and x itself where βx > threshold (as PyTorch);
    softplus'(x) = σ(βx) (1 above the threshold).

    A Function of its own (not max + log composed) because the two kinks at x = 0 would
    give the subgradient 0 there instead of the true σ(0) = ½."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, beta: float = 1.0, threshold: float = 20.0) -> Array:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        be = ctx.backend
        bx = x if beta == 1 else be.binary("mul", x, be.asarray(beta, dtype=x.dtype))
        tail = be.unary("log1p", be.unary("exp", be.unary("neg", be.unary("abs", bx))))
        soft = be.binary("add", be.unary("relu", bx), tail)
        if beta != 1:
            soft = be.binary("div", soft, be.asarray(beta, dtype=x.dtype))
        return be.where(be.binary("gt", bx, threshold), x, soft)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta if ctx.beta != 1 else x
        return where(bx.detach() > ctx.threshold, g, g * sigmoid(bx))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


class GELU(Function):
    """The Gaussian error linear unit (Hendrycks & Gimpel, 2016), x weighted by the
    probability that a standard normal variable is below x::

        exact:   gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2))
                 gelu'(x) = Φ(x) + x·φ(x),   φ(x) = e^(−x²/2)/√(2π)
        "tanh":  gelu(x) ≈ ½x(1 + tanh u),   u = √(2/π)(x + 0.044715x³)   (GPT-2's)
                 gelu'(x) ≈ ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)

    One Function (not composed from a dozen ops) because the MLP of a Transformer applies
    it to its widest activations. Its backward uses the arrays directly in an ordinary
    backward, and recomputes Φ or tanh u with Tensor ops under create_graph, so a
    gradient of the gradient still works (the idiom of :mod:`.nn`).
    """

    @staticmethod
    def forward(ctx: Context, x: Array, *, approximate: str) -> Array:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        be = ctx.backend
        if approximate == "tanh":
            t = be.unary("tanh", x * (x * x * _GELU_CUBIC + 1.0) * _SQRT_2_OVER_PI)
            ctx.t = t  # reused by an ordinary backward
            return x * 0.5 * (t + 1.0)
        ctx.t = None
        cdf = (be.unary("erf", x * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        return be.astype(x * cdf, x.dtype)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        ref = g
        grad_graph = autograd.is_grad_enabled()
        if ctx.approximate == "tanh":
            t = tanh(x * (x * x * _GELU_CUBIC + 1.0) * _SQRT_2_OVER_PI) if grad_graph \
                else ctx.t
            g, x = (g, x) if grad_graph else (g.data, x.data)
            du = (x * x * (3 * _GELU_CUBIC) + 1.0) * _SQRT_2_OVER_PI
            return _as_tensor(ref, g * ((t + 1.0) * 0.5 + x * 0.5 * (1.0 - t * t) * du))
        if grad_graph:
            cdf = (erf(x * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        else:
            be = ctx.backend
            cdf = (be.unary("erf", x.data * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5
        g, x = (g, x) if grad_graph else (g.data, x.data)
        pdf = ctx.backend.unary("exp", x * x * -0.5) if not grad_graph else (x * x * -0.5).exp()
        return _as_tensor(ref, g * (cdf + x * pdf * (1.0 / math.sqrt(2.0 * math.pi))))


def _as_tensor(ref: Tensor, g: Any) -> Tensor:
    """An array gradient as a Tensor on ``ref``'s device (a Tensor passes)."""
    return g if isinstance(g, type(ref)) else ref._constant(g)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """gelu(x) = x·Φ(x) (``approximate="none"``, exact via erf) or GPT-2's tanh form
    (``approximate="tanh"``), as ``torch.nn.functional.gelu``. See :class:`GELU`."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(operands.floating(x), approximate=approximate)


def relu(x: Tensor) -> Tensor:
    """relu(x) = max(x, 0);  relu'(x) = 1 for x > 0, else 0 (0 at x = 0, as PyTorch)."""
    return ReLU.apply(x)


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e⁻ˣ);  σ' = σ(1 − σ). Accurate for very negative x too
    (σ(−20) ≈ 2.06e-9)."""
    return Sigmoid.apply(operands.floating(x))


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ);  tanh' = 1 − tanh²."""
    return Tanh.apply(operands.floating(x))


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """softplus(x) = (1/β)·log(1 + e^(βx)), a smooth ReLU (x itself where βx > threshold,
    for numerical stability, as PyTorch);  its derivative is σ(βx)."""
    if beta == 0:
        raise ValueError("softplus: beta must be nonzero (the function is log(1 + e^(βx))/β)")
    return Softplus.apply(operands.floating(x), beta=float(beta), threshold=float(threshold))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, a·x otherwise;  derivative 1 or a (a at x = 0, as in PyTorch)."""
    return where(x.detach() > 0, x, x * negative_slope)



# ---- more activations (issue 11) -------------------------------------------------------
# Each is composed of ops that already have gradients, so its backward comes for free.
# Where a piecewise function has a kink, the branch taken at the kink is chosen to give
# PyTorch's subgradient there (each docstring says which).


def _store(input: Tensor, out: Tensor, inplace: bool) -> Tensor:  # noqa: A002
    """``inplace=True`` (PyTorch's in-place form): write the result into ``input`` and
    return it — unless ``input`` records gradients (PyTorch rewires its graph then; here
    the result is returned as a new tensor instead) or is not floating."""
    if not inplace or input.dtype != out.dtype or (input.requires_grad
                                                   and autograd.is_grad_enabled()):
        return out
    return input.copy_(out)


def _check(x: Any, op: str) -> Tensor:
    if not operands.is_tensor(x):
        raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
    return operands.floating(x)


def _elu_tail(x: Tensor, alpha: float, scale: float = 1.0) -> Tensor:
    """x for x > 0, α·(e^(x/scale) − 1) otherwise (elu and celu). expm1 sees min(x, 0) only,
    so the unused branch never overflows (which would make its zero gradient NaN)."""
    neg = x.clamp(max=0.0)
    # `x ≤ 0 ? tail : x` rather than `x > 0 ? x : tail`, so that NaN takes the identity
    # branch (gradient 1, as PyTorch's elu_backward)
    return where(x.detach() <= 0, alpha * expm1(neg / scale if scale != 1 else neg), x)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """elu(x) = x for x > 0, α(eˣ − 1) otherwise;  elu'(x) = 1 for x > 0, αeˣ otherwise
    (α at x = 0, as PyTorch). ``inplace=True`` writes the result into ``input`` (see
    :func:`_store`), as for the other activations that take it."""
    return _store(input, _elu_tail(_check(input, "elu"), alpha), inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """selu(x) = λ·elu(x, α) with λ ≈ 1.0507, α ≈ 1.6733 (self-normalising constants);
    selu'(x) = λ for x > 0, λαeˣ otherwise."""
    return _store(input, _SELU_SCALE * _elu_tail(_check(input, "selu"), _SELU_ALPHA), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """celu(x) = max(0, x) + min(0, α(e^(x/α) − 1));  celu'(x) = 1 for x > 0, e^(x/α)
    otherwise (1 at x = 0)."""
    if alpha == 0:
        raise ValueError("celu: alpha must be nonzero (the function divides x by alpha)")
    return _store(input, _elu_tail(_check(input, "celu"), alpha, scale=alpha), inplace)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """silu(x) = x·σ(x) (also called swish);  silu'(x) = σ(x)(1 + x(1 − σ(x)))."""
    x = _check(input, "silu")
    return _store(input, x * sigmoid(x), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """mish(x) = x·tanh(softplus(x));  mish'(x) = tanh(sp) + x·σ(x)·(1 − tanh²(sp)),
    sp = softplus(x)."""
    x = _check(input, "mish")
    return _store(input, x * tanh(softplus(x)), inplace)


def _inside(x: Tensor, lo: float, hi: float) -> Tensor:
    """The mask lo < x < hi (strict: PyTorch's hardtanh family has gradient 0 at the
    edges)."""
    xd = x.detach()
    return (xd > lo) & (xd < hi)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    """hardtanh(x) = min(max(x, min_val), max_val);  derivative 1 for
    min_val < x < max_val, else 0 (0 at the edges too, as PyTorch — unlike clamp, whose
    gradient is 1 there)."""
    x = _check(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    out = where(_inside(x, min_val, max_val), x, x.detach().clamp(min_val, max_val))
    return _store(input, out, inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu6(x) = min(max(x, 0), 6) = hardtanh(x, 0, 6);  derivative 1 for 0 < x < 6."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """hardsigmoid(x) = relu6(x + 3)/6;  derivative 1/6 for −3 < x < 3, else 0."""
    x = _check(input, "hardsigmoid")
    outside = (x.detach() + 3.0).clamp(0.0, 6.0) / 6.0  # 0 or 1 (NaN for NaN), no gradient
    return _store(input, where(_inside(x, -3.0, 3.0), x / 6 + 0.5, outside), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """hardswish(x) = x·relu6(x + 3)/6: 0 for x ≤ −3, x(x + 3)/6 for −3 < x < 3, x above;
    derivative 0, x/3 + ½, 1 (the outer values at x = ±3 themselves, as PyTorch 2)."""
    x = _check(input, "hardswish")
    xd = x.detach()
    m = x.clamp(-3.0, 3.0)  # the identity where it is used; finite (so 0·g, not NaN) elsewhere
    middle = where(xd < 3.0, m * (m + 3.0) / 6.0, x)
    return _store(input, where(xd <= -3.0, x * 0.0, middle), inplace)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """softsign(x) = x/(1 + |x|);  softsign'(x) = 1/(1 + |x|)²."""
    x = _check(input, "softsign")
    return x / (1 + x.abs())


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log σ(x) = −softplus(−x), finite for very negative x (log σ(−200) = −200, where
    σ(−200) itself underflows to 0);  derivative σ(−x) = 1 − σ(x)."""
    return -softplus(-_check(input, "logsigmoid"))


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """softmin(x) = softmax(−x) along ``dim`` (the last axis when None, where PyTorch warns
    and picks one by the number of dims);  its Jacobian is −(that of softmax at −x)."""
    from .reduce import softmax

    x = _check(input, "softmin")
    if dtype is not None:
        x = x.to_dtype(dtype)
    return softmax(-x, dim=-1 if dim is None else dim)


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """prelu(x) = x for x > 0, a·x otherwise, with a learned slope a per channel (dim 1)
    or one shared slope;  ∂/∂x = 1 or a (a at x = 0), ∂/∂a = x where x ≤ 0, else 0."""
    x = _check(input, "prelu")
    if not operands.is_tensor(weight):
        raise TypeError(f"prelu: weight must be a Tensor, got {type(weight).__name__}")
    if weight.dtype != x.dtype:
        raise TypeError(f"prelu: input dtype {x.dtype} and weight dtype {weight.dtype} differ "
                        "(PyTorch raises here too); convert one with .to_dtype()")
    n = weight.size
    if weight.ndim > 1:
        raise ValueError(f"prelu: weight must be 0-d or 1-d, got shape {weight.shape}")
    if n != 1:
        channels = x.shape[1] if x.ndim >= 2 else 1  # below 2-D there is no channel dim
        if n != channels:
            raise ValueError(f"prelu: weight has {n} slopes but the input of shape {x.shape} "
                             f"has {channels} channels (dim 1); give 1 or {channels}")
        weight = weight.reshape((1, n) + (1,) * (x.ndim - 2))
    else:
        weight = weight.reshape(())
    return where(x.detach() > 0, x, weight * x)
