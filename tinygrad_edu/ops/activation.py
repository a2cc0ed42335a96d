"""Activation functions: the nonlinearities between layers (``nn`` wraps them as modules)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import autograd
from ..function import Context, Function
from . import operands
from .elementwise import erf, keep_result, where

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


class ReLU(Function):
    """z = max(x, 0);   dz/dx = 1 if x > 0 else 0."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.save_for_backward(x)
        return ctx.backend.unary("relu", x)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        be = ctx.backend
        return g * g._constant(be.astype(be.binary("gt", x.data, 0), g.dtype))


class Sigmoid(Function):
    """σ(x) = 1/(1 + e⁻ˣ);   σ'(x) = σ(x)(1 − σ(x))."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("sigmoid", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class Tanh(Function):
    """tanh(x);   d/dx tanh(x) = 1 − tanh²(x)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        return keep_result(ctx, ctx.backend.unary("tanh", x))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (t,) = ctx.saved_tensors
        return g * (1 - t * t)


class Softplus(Function):
    """softplus(x) = log(1 + eˣ), computed as max(x, 0) + log(1 + e^−|x|) so that eˣ
    never overflows;  softplus'(x) = σ(x).

    A Function of its own (not max + log composed) because the two kinks at x = 0 would
    give the subgradient 0 there instead of the true σ(0) = ½."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        ctx.save_for_backward(x)
        be = ctx.backend
        tail = be.unary("log1p", be.unary("exp", be.unary("neg", be.unary("abs", x))))
        return be.binary("add", be.unary("relu", x), tail)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return g * sigmoid(x)


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


def softplus(x: Tensor) -> Tensor:
    """softplus(x) = log(1 + eˣ), a smooth ReLU;  its derivative is σ(x)."""
    return Softplus.apply(operands.floating(x))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, a·x otherwise;  derivative 1 or a (a at x = 0, as in PyTorch)."""
    return where(x.detach() > 0, x, x * negative_slope)
