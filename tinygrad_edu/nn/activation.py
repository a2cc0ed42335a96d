"""Activation functions, as functions and as layers (``nn.ReLU()`` is ``relu``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ops.activation import gelu, leaky_relu, relu, sigmoid, softplus, tanh
from ..ops.reduce import log_softmax as _log_softmax
from ..ops.reduce import softmax as _softmax
from ..tensor import Tensor
from .module import Module, Parameter

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
    """(1/β)·log(1 + e^(βx)); x itself where βx > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


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


# ---- more activations (issue 11) -------------------------------------------------------
from ..ops.activation import (  # noqa: E402
    celu,
    elu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
)

__all__ += ["CELU", "ELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "PReLU",
            "ReLU6", "SELU", "SiLU", "Softmin", "Softsign", "celu", "elu", "hardsigmoid",
            "hardswish", "hardtanh", "logsigmoid", "mish", "prelu", "relu6", "selu", "silu",
            "softmin", "softsign"]


class _Elementwise(Module):
    """An activation without parameters: ``forward`` applies ``fn`` (set by subclasses);
    ``inplace=True`` writes into the input where the function supports it (see
    ``ops.activation._store``)."""

    fn: Callable[..., Tensor] = staticmethod(relu)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return type(self).fn(x, inplace=True) if self.inplace else type(self).fn(x)


class SiLU(_Elementwise):
    """x·σ(x)."""

    fn = staticmethod(silu)


class SELU(_Elementwise):
    """λ·elu(x, α) with the self-normalising constants."""

    fn = staticmethod(selu)


class Mish(_Elementwise):
    """x·tanh(softplus(x))."""

    fn = staticmethod(mish)


class ReLU6(_Elementwise):
    """min(max(x, 0), 6)."""

    fn = staticmethod(relu6)


class Hardswish(_Elementwise):
    """x·relu6(x + 3)/6."""

    fn = staticmethod(hardswish)


class Hardsigmoid(_Elementwise):
    """relu6(x + 3)/6."""

    fn = staticmethod(hardsigmoid)


class Softsign(_Elementwise):
    """x/(1 + |x|)."""

    fn = staticmethod(softsign)

    def __init__(self) -> None:  # no in-place form, as in PyTorch
        super().__init__()


class LogSigmoid(_Elementwise):
    """log σ(x)."""

    fn = staticmethod(logsigmoid)

    def __init__(self) -> None:  # no in-place form, as in PyTorch
        super().__init__()


class ELU(Module):
    """x for x > 0, α(eˣ − 1) otherwise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return elu(x, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(ELU):
    """max(0, x) + min(0, α(e^(x/α) − 1))."""

    def forward(self, x: Tensor) -> Tensor:
        return celu(x, self.alpha, self.inplace)


class Hardtanh(Module):
    """min(max(x, min_val), max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
                 ) -> None:
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, x: Tensor) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmin(Softmax):
    """softmax(−x) along ``dim`` (default: the last axis)."""

    def forward(self, x: Tensor) -> Tensor:
        return softmin(x, self.dim)


class PReLU(Module):
    """x for x > 0, a·x otherwise, with a learned slope ``weight`` (one shared, or one per
    channel of dim 1 with ``num_parameters=C``), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, *, device: str | None = None,
                 dtype: Any = "float32") -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.weight = Parameter(Tensor.full((num_parameters,), init, dtype=dtype, device=device))

    def forward(self, x: Tensor) -> Tensor:
        return prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
