"""``Flatten``: the bridge from convolutional feature maps to fully connected layers."""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Merge axes ``start_dim`` … ``end_dim`` into one: (N, C, H, W) → (N, C·H·W) with the
    defaults, which keep the batch axis (``Tensor.flatten`` starts at 0, like
    ``torch.flatten``)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim <= self.start_dim and x.ndim > 0:
            raise ValueError(f"{self.describe()} expected at least {self.start_dim + 1} "
                             f"dimensions, got input of shape {x.shape}")
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
