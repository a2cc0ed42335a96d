"""``pixel_shuffle`` and ``pixel_unshuffle``: trading channels for resolution.

pixel_shuffle with factor r turns (*, C·r², H, W) into (*, C, H·r, W·r)::

    y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]

— a reshape to (*, C, r, r, H, W), a permutation to (*, C, H, r, W, r) and a reshape:
pure data movement, so the gradient is the inverse movement, which is pixel_unshuffle.
"""

from __future__ import annotations

from ..tensor import Tensor
from .module import Module


def _factor(r: int, who: str) -> int:
    if not isinstance(r, int) or isinstance(r, bool) or r < 1:
        raise ValueError(f"{who}: the factor must be a positive int, got {r!r}")
    return r


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r); see the module docstring."""
    who = "pixel_shuffle"
    r = _factor(upscale_factor, who)
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise ValueError(f"{who}: expected input (*, C·r², H, W) with channels divisible by "
                         f"r² = {r * r}, got shape {input.shape}")
    *lead, c, h, w = input.shape
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H·r, W·r) → (*, C·r², H, W), the inverse of ``pixel_shuffle``."""
    who = "pixel_unshuffle"
    r = _factor(downscale_factor, who)
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise ValueError(f"{who}: expected input (*, C, H·r, W·r) with H and W divisible by "
                         f"r = {r}, got shape {input.shape}")
    *lead, c, h, w = input.shape
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """``pixel_shuffle`` as a layer."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``pixel_unshuffle`` as a layer."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, x: Tensor) -> Tensor:
        return pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
