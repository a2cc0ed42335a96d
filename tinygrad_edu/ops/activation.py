"""Activation functions: the nonlinearities between layers (``nn`` wraps them as modules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..function import Context, Function
from . import operands
from .elementwise import keep_result, where

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
