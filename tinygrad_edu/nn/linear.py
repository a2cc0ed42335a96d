"""The fully connected layer, y = x Wᵀ + b, and ``Identity``."""

from __future__ import annotations

from ..ops.nn import linear
from ..rng import Seed
from ..tensor import DTypeLike, Tensor
from ._shapes import check_features
from .init import default_layer_init_
from .module import Module, Parameter

__all__ = ["Identity", "Linear", "linear"]


class Linear(Module):
    """A fully connected layer: y = x Wᵀ + b, W of shape (out_features, in_features).

    Initialised as in PyTorch: W and b ~ U(−1/√in, 1/√in) (see
    ``init.default_layer_init_``), drawn from ``seed`` (an int or a Generator: pass one
    Generator to several layers to make a whole model reproducible).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 seed: Seed = None, dtype: DTypeLike = "float32",
                 device: str | None = None) -> None:
        super().__init__()
        self.in_features, self.out_features = int(in_features), int(out_features)
        self.weight = Parameter(Tensor.zeros(out_features, in_features, dtype=dtype,
                                             device=device))
        if bias:
            self.bias = Parameter(Tensor.zeros(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        default_layer_init_(self.weight, self.bias, seed)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim == 0 or x.shape[-1] != self.in_features:  # describe() only for the error
            check_features(x, self.in_features, self.describe())
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        # bias is shown only when off, as Conv2d's repr does in PyTorch
        return (f"in_features={self.in_features}, out_features={self.out_features}"
                + ("" if self.bias is not None else ", bias=False"))


class Identity(Module):
    """y = x (a placeholder, e.g. to remove a layer from a model without rewriting it)."""

    def forward(self, x: Tensor) -> Tensor:
        return x
