"""Activation functions, as functions and as layers (``nn.ReLU()`` is ``relu``)."""

from __future__ import annotations

from ..ops.activation import gelu, leaky_relu, relu, sigmoid, softplus, tanh
from ..ops.reduce import log_softmax as _log_softmax
from ..ops.reduce import softmax as _softmax
from ..tensor import Tensor
from .module import Module

__all__ = ["GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
           "gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "softplus",
           "tanh"]


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    """softmax(x)ᵢ = e^xᵢ / Σⱼ e^xⱼ along ``dim`` (computed with the max subtracted, so
    it never overflows). PyTorch makes ``dim`` compulsory; here it defaults to the last
    axis, the class axis of (N, C) logits, as in Keras."""
    return _softmax(x, dim=dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    """log softmax(x) = x − logsumexp(x) along ``dim`` (never takes log of an underflowed 0)."""
    return _log_softmax(x, dim=dim)


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


class GELU(Module):
    """x·Φ(x), Φ the standard normal CDF (``approximate="tanh"``: GPT-2's tanh formula);
    the activation of BERT's and GPT's MLPs. See :func:`~tinygrad_edu.ops.activation.gelu`."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


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
