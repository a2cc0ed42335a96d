"""``pad`` with PyTorch's argument order, and the ``ZeroPad2d`` layer."""

from __future__ import annotations

from collections.abc import Sequence

from ..tensor import Tensor
from .module import Module


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant", value: float = 0.0) -> Tensor:
    """Constant padding in PyTorch's order: ``pad`` lists (before, after) pairs starting
    from the *last* axis — (left, right) pads the width, (left, right, top, bottom)
    the width and the height. (``Tensor.pad`` takes numpy's order, first axis first.)
    The gradient is the un-padded window of the output gradient."""
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is implemented, got {mode!r}")
    widths = [int(p) for p in pad]
    if len(widths) % 2 or len(widths) // 2 > x.ndim or any(p < 0 for p in widths):
        raise ValueError(f"pad: expected an even number of non-negative sizes, at most 2 per "
                         f"axis of a tensor of shape {x.shape}, got {tuple(pad)}")
    pairs = [(widths[i], widths[i + 1]) for i in range(0, len(widths), 2)]
    pairs += [(0, 0)] * (x.ndim - len(pairs))
    return x.pad(tuple(reversed(pairs)), value)


class ZeroPad2d(Module):
    """Pad images with zeros: ``padding`` is an int or (left, right, top, bottom)."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != 4:
            raise ValueError(f"ZeroPad2d: padding must be an int or 4 ints (left, right, top, "
                             f"bottom), got {padding!r}")

    def forward(self, x: Tensor) -> Tensor:
        return pad(x, self.padding)

    def extra_repr(self) -> str:
        return f"{self.padding}"
