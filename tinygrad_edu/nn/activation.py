"""Activation functions, as functions and as layers (``nn.ReLU()`` is ``relu``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..autograd import Context, Function
from ..tensor import Tensor, where
from .module import Module

if TYPE_CHECKING:
    from ..backend.base import Array


def relu(x: Tensor) -> Tensor:
    """relu(x) = max(x, 0);  relu'(x) = 1 for x > 0, else 0."""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e⁻ˣ);  σ' = σ(1 − σ)."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ);  tanh' = 1 − tanh²."""
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, a·x otherwise;  derivative 1 or a (a at x = 0, as in PyTorch)."""
    return where(x.detach() > 0, x, x * negative_slope)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """softmax(x)ᵢ = e^xᵢ / Σⱼ e^xⱼ along ``dim`` (computed with the max subtracted, so
    it never overflows). PyTorch makes ``dim`` compulsory; here it defaults to the last
    axis, the class axis of (N, C) logits, as in Keras."""
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log softmax(x) = x − logsumexp(x) along ``dim`` (never takes log of an underflowed 0)."""
    return x.log_softmax(dim)


class SoftplusFunction(Function):
    """softplus(x) = log(1 + eˣ), computed as max(x, 0) + log(1 + e^−|x|) so that e^x
    never overflows;  softplus'(x) = σ(x)."""

    @staticmethod
    def forward(ctx: Context, x: Array) -> Array:
        be = ctx.backend
        return be.add(be.relu(x), be.xp.log1p(be.exp(be.neg(be.abs(x)))))

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        # a Function of its own (not max + log composed) because the two kinks at x = 0
        # would give the subgradient 0 there instead of the true σ(0) = ½
        return g * ctx.inputs[0].sigmoid()


def softplus(x: Tensor) -> Tensor:
    """softplus(x) = log(1 + eˣ), a smooth ReLU;  its derivative is σ(x)."""
    return SoftplusFunction.apply(x)


class ReLU(Module):
    """max(x, 0)."""

    def forward(self, x: Tensor) -> Tensor:
        return relu(x)


class Sigmoid(Module):
    """1 / (1 + e⁻ˣ)."""

    def forward(self, x: Tensor) -> Tensor:
        return sigmoid(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return tanh(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope·x otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softplus(Module):
    """log(1 + eˣ)."""

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x)


class Softmax(Module):
    """softmax along ``dim`` (default: the last axis)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax along ``dim`` (default: the last axis); pair it with ``NLLLoss``."""

    def forward(self, x: Tensor) -> Tensor:
        return log_softmax(x, self.dim)
