"""``pad`` with PyTorch's argument order and modes, and the padding layers.

``pad`` lists (before, after) pairs starting from the *last* axis — (left, right) pads
the width, (left, right, top, bottom) the width and the height. (``Tensor.pad`` takes
numpy's order, first axis first, and only constant padding.)

Modes, for an axis of size n and an output position i (i < 0 before the input, i ≥ n
after it)::

    constant   value
    reflect    x[−i] before, x[2(n − 1) − i] after    (the edge is not repeated)
    replicate  x[0] before, x[n − 1] after
    circular   x[i mod n]      (after cropping, where a size is negative)

The three non-constant modes are *gathers*: one integer index array per padded axis
says which input element each output element copies. Their gradient is the adjoint of
the gather — each input element receives the sum of the gradients of its copies (the
edge pixels of a replicate padding collect many). A negative size crops instead of
padding, in every mode, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tensor import Tensor
from .module import Module

_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Which input element each output position copies, along one axis (see above)."""
    if mode == "circular":  # a negative size crops first; the rest wraps around the crop
        start, stop = max(-lo, 0), n - max(-hi, 0)
        return np.arange(-max(lo, 0), stop - start + max(hi, 0)) % (stop - start) + start
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i > n - 1, 2 * (n - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n  # circular


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> Tensor:
    """Pad (or, with negative sizes, crop) the last ``len(pad) // 2`` axes of ``input``;
    see the module docstring for the order and the modes. The gradient of constant
    padding is the un-padded window of the output gradient; that of the other modes
    adds the gradient of every copy onto the element it was copied from."""
    x = input
    if mode not in _MODES:
        raise ValueError(f"pad: mode must be one of {_MODES}, got {mode!r}")
    try:
        widths = [int(p) for p in pad]
    except (TypeError, ValueError):
        raise TypeError(f"pad: pad must be a sequence of ints, got {pad!r}") from None
    if len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"pad: expected an even number of sizes, at most 2 per axis of a "
                         f"tensor of shape {x.shape}, got {tuple(pad)}")
    k = len(widths) // 2
    axes = [x.ndim - 1 - i for i in range(k)]  # pad[0:2] is the last axis
    pairs = [(widths[2 * i], widths[2 * i + 1]) for i in range(k)]
    for ax, (lo, hi) in zip(axes, pairs, strict=True):
        if x.shape[ax] + lo + hi < 0:
            raise ValueError(f"pad: sizes {(lo, hi)} would leave a negative size for axis "
                             f"{ax} of a tensor of shape {x.shape}")
    if mode == "constant":
        return _constant_pad(x, axes, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: mode {mode!r} does not take a value argument, got {value}")
    if k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"pad: mode {mode!r} pads the last 1, 2 or 3 axes of a batched or unbatched "
            f"input (2 sizes: a 2-D or 3-D tensor, 4 sizes: 3-D or 4-D, 6 sizes: 4-D or "
            f"5-D, as in PyTorch; constant padding has no such limit), got {len(widths)} "
            f"sizes for a tensor of shape {x.shape}")
    for ax, (lo, hi) in zip(axes, pairs, strict=True):
        n = x.shape[ax]
        if mode == "reflect" and max(lo, hi) >= n:
            raise ValueError(f"pad: reflect padding {(lo, hi)} must be smaller than the size "
                             f"{n} of axis {ax} (input shape {x.shape})")
        if mode == "circular" and max(lo, hi) > n:
            raise ValueError(f"pad: circular padding {(lo, hi)} must be at most the size {n} "
                             f"of axis {ax} (input shape {x.shape}): it would wrap around "
                             f"more than once")
        if mode == "replicate" and n == 0 and (lo > 0 or hi > 0):
            raise ValueError(f"pad: cannot replicate-pad the empty axis {ax} of a tensor of "
                             f"shape {x.shape}")
    out = x
    for ax, (lo, hi) in zip(axes, pairs, strict=True):
        if lo == 0 and hi == 0:
            continue
        index = x.backend.asarray(_source_index(x.shape[ax], lo, hi, mode))
        out = out[(slice(None),) * ax + (index,)]
    return out


def _constant_pad(x: Tensor, axes: list[int], pairs: list[tuple[int, int]], value: float
                  ) -> Tensor:
    """Crop the negative sizes by slicing, then pad the positive ones."""
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        index = [slice(None)] * x.ndim
        for ax, (lo, hi) in zip(axes, pairs, strict=True):
            index[ax] = slice(max(-lo, 0), x.shape[ax] - max(-hi, 0))
        x = x[tuple(index)]
    widths = [(0, 0)] * x.ndim
    for ax, (lo, hi) in zip(axes, pairs, strict=True):
        widths[ax] = (max(lo, 0), max(hi, 0))
    if not any(lo or hi for lo, hi in widths):
        return x
    return x.pad(tuple(widths), value)


class _PadNd(Module):
    """Pads the last ``_dims`` axes: ``padding`` is an int (every side) or 2·_dims ints
    in ``pad``'s order (left, right, top, bottom, front, back)."""

    _dims = 2
    _mode = "constant"

    def __init__(self, padding: int | Sequence[int], value: float = 0.0) -> None:
        super().__init__()
        n = 2 * self._dims
        self.padding = (padding,) * n if isinstance(padding, int) else tuple(padding)
        if len(self.padding) != n:
            raise ValueError(f"{type(self).__name__}: padding must be an int or {n} ints, got "
                             f"{padding!r}")
        self.value = value

    def forward(self, x: Tensor) -> Tensor:
        if self._mode == "constant":
            return pad(x, self.padding, "constant", self.value)
        return pad(x, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}" + (f", value={self.value}" if self.value else "")


def _layer(name: str, dims: int, mode: str, doc: str) -> type[_PadNd]:
    return type(name, (_PadNd,), {"_dims": dims, "_mode": mode, "__doc__": doc,
                                  "__module__": __name__})


ZeroPad1d = _layer("ZeroPad1d", 1, "constant", "Pad sequences with zeros (left, right).")
ZeroPad2d = _layer("ZeroPad2d", 2, "constant",
                   "Pad images with zeros: ``padding`` is an int or (left, right, top, bottom).")
ZeroPad3d = _layer("ZeroPad3d", 3, "constant", "Pad volumes with zeros.")
ConstantPad1d = _layer("ConstantPad1d", 1, "constant", "Pad sequences with ``value``.")
ConstantPad2d = _layer("ConstantPad2d", 2, "constant", "Pad images with ``value``.")
ConstantPad3d = _layer("ConstantPad3d", 3, "constant", "Pad volumes with ``value``.")
ReflectionPad1d = _layer("ReflectionPad1d", 1, "reflect", "Pad by reflection at the edge.")
ReflectionPad2d = _layer("ReflectionPad2d", 2, "reflect", "Pad by reflection at the edge.")
ReflectionPad3d = _layer("ReflectionPad3d", 3, "reflect", "Pad by reflection at the edge.")
ReplicationPad1d = _layer("ReplicationPad1d", 1, "replicate", "Pad by repeating the edge.")
ReplicationPad2d = _layer("ReplicationPad2d", 2, "replicate", "Pad by repeating the edge.")
ReplicationPad3d = _layer("ReplicationPad3d", 3, "replicate", "Pad by repeating the edge.")
CircularPad1d = _layer("CircularPad1d", 1, "circular", "Pad by wrapping around.")
CircularPad2d = _layer("CircularPad2d", 2, "circular", "Pad by wrapping around.")
CircularPad3d = _layer("CircularPad3d", 3, "circular", "Pad by wrapping around.")
