"""Resizing images: ``interpolate`` and the ``Upsample`` layers.

Each spatial axis is resized on its own (a 2-D resize is a resize of the rows, then of
the columns), and each is a *gather*: output position j reads input position(s) chosen
by PyTorch's coordinate rules, with s = in/out (or 1/scale_factor when it is given)::

    nearest        src = min(⌊j·s⌋, in − 1)
    nearest-exact  src = min(⌊(j + ½)·s⌋, in − 1)
    linear         src = j·(in − 1)/(out − 1)            (align_corners=True)
                   src = max((j + ½)·s − ½, 0)           (align_corners=False)
                   y[j] = (1 − λ)·x[i] + λ·x[i + 1],  i = ⌊src⌋, λ = src − i
                   (i + 1 stays at i on the last input position)

"bilinear" and "trilinear" are "linear" along 2 and 3 axes. The gradient of a gather
adds each output's gradient (times its weight λ or 1 − λ) onto the positions it read.
"bicubic" is Keys' cubic convolution (a = −0.75) over the 4 nearest taps along each
axis, src as for linear but not clamped at 0. "area" is adaptive average pooling.
As in PyTorch, with nearest and linear modes an axis whose size does not change is
copied as it is (even when a scale_factor such as 1.01 says otherwise), and nearest
doubling reads ⌊j/2⌋ exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..tensor import Tensor
from .module import Module
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area", "bicubic")


def _sizes(x: Tensor, size: Any, scale_factor: Any, dims: int, who: str
           ) -> tuple[tuple[int, ...], tuple[float | None, ...]]:
    """Output sizes and the scale factors given (None where the size was given)."""
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{who}: give exactly one of size and scale_factor")
    if size is not None:
        out = (size,) * dims if isinstance(size, int) else tuple(size)
        if len(out) != dims or not all(isinstance(v, int) and v >= 0 for v in out):
            raise ValueError(f"{who}: size must be {dims} non-negative ints for input of shape "
                             f"{x.shape}, got {size!r}")
        return out, (None,) * dims
    scales = ((float(scale_factor),) * dims if isinstance(scale_factor, (int, float))
              else tuple(float(s) for s in scale_factor))
    if len(scales) != dims or any(s <= 0 for s in scales):
        raise ValueError(f"{who}: scale_factor must be {dims} positive numbers for input of "
                         f"shape {x.shape}, got {scale_factor!r}")
    out = tuple(math.floor(n * s) for n, s in zip(x.shape[2:], scales, strict=True))
    return out, scales


def _gather(x: Tensor, axis: int, index: np.ndarray) -> Tensor:
    return x[(slice(None),) * axis + (x.backend.asarray(index),)]


def _nearest(x: Tensor, axis: int, out: int, scale: float | None, exact: bool) -> Tensor:
    n = x.shape[axis]
    if out == n:  # PyTorch's shortcuts, whatever the scale_factor
        return x
    if out == 2 * n and not exact:
        src = np.arange(out) // 2
        return _gather(x, axis, src)
    # in float32, as PyTorch computes these indices (so the same pixels are picked)
    s = np.float32(1.0 / scale) if scale is not None else np.float32(n) / np.float32(out)
    j = np.arange(out, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    src = np.minimum(np.floor(j * s).astype(np.int64), n - 1)
    return _gather(x, axis, src)


def _linear(x: Tensor, axis: int, out: int, scale: float | None, align_corners: bool
            ) -> Tensor:
    n = x.shape[axis]
    if out == n:  # as PyTorch: an axis that keeps its size is copied, whatever the scale
        return x
    dt = np.dtype(x.dtype)
    j = np.arange(out, dtype=dt)
    if align_corners:
        src = j * (dt.type(n - 1) / dt.type(out - 1) if out > 1 else dt.type(0))
    else:
        s = dt.type(1.0 / scale) if scale is not None else dt.type(n) / dt.type(out)
        src = np.maximum(s * (j + dt.type(0.5)) - dt.type(0.5), 0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = np.clip(src - i0, 0, 1).astype(dt)
    shape = (out,) + (1,) * (x.ndim - axis - 1)
    be = x.backend
    w1 = x._constant(be.asarray(lam.reshape(shape)))
    w0 = x._constant(be.asarray((1 - lam).reshape(shape)))
    return _gather(x, axis, i0) * w0 + _gather(x, axis, i1) * w1


def _cubic_weights(t: np.ndarray, a: float = -0.75) -> list[np.ndarray]:
    """Keys' cubic convolution weights (a = −0.75, as PyTorch) of the taps at i − 1, i,
    i + 1, i + 2 for a source position i + t, 0 ≤ t < 1."""
    def near(x: np.ndarray) -> np.ndarray:  # |x| ≤ 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(x: Tensor, axis: int, out: int, scale: float | None, align_corners: bool
             ) -> Tensor:
    """y[j] = Σ_k w_k(t)·x[clamp(i − 1 + k)], i = ⌊src⌋, t = src − i, with src as for
    linear but not clamped at 0 (taps outside the input repeat its edge)."""
    n = x.shape[axis]
    dt = np.dtype(x.dtype)
    j = np.arange(out, dtype=dt)
    if align_corners:
        src = j * (dt.type(n - 1) / dt.type(out - 1) if out > 1 else dt.type(0))
    else:
        s = dt.type(1.0 / scale) if scale is not None else dt.type(n) / dt.type(out)
        src = s * (j + dt.type(0.5)) - dt.type(0.5)
    i = np.floor(src).astype(np.int64)
    weights = _cubic_weights((src - i).astype(dt))
    shape = (out,) + (1,) * (x.ndim - axis - 1)
    be = x.backend
    total: Tensor | None = None
    for k, w in enumerate(weights):
        term = _gather(x, axis, np.clip(i - 1 + k, 0, n - 1)) * x._constant(
            be.asarray(w.astype(dt).reshape(shape)))
        total = term if total is None else total + term
    assert total is not None
    return total


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False
                ) -> Tensor:
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs to ``size`` or by
    ``scale_factor`` (output size ⌊in·scale_factor⌋); see the module docstring for the
    modes. ``recompute_scale_factor=True`` derives s from the sizes instead of the
    factor.

    Not implemented (NotImplementedError): ``antialias=True``, and "area" for 5-D
    inputs.
    """
    x, who = input, "interpolate"
    if mode not in _MODES:
        raise ValueError(f"{who}: mode must be one of {_MODES}, got {mode!r}")
    if x.ndim not in (3, 4, 5):
        raise ValueError(f"{who}: expected input (N, C, L), (N, C, H, W) or (N, C, D, H, W), "
                         f"got shape {x.shape}")
    dims = x.ndim - 2
    if mode in _LINEAR and _LINEAR[mode] != dims:
        raise NotImplementedError(f"{who}: got {x.ndim}-D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}-D input")
    if align_corners is not None and mode not in _LINEAR and mode != "bicubic":
        raise ValueError(f"{who}: align_corners can only be set with the interpolating "
                         f"modes linear, bilinear, bicubic and trilinear, got mode {mode!r}")
    if mode == "bicubic" and dims != 2:
        raise NotImplementedError(f"{who}: got {x.ndim}-D input, but bicubic mode needs 4-D "
                                  f"input")
    if antialias:
        raise NotImplementedError(f"{who}: antialias=True is not implemented")
    out, scales = _sizes(x, size, scale_factor, dims, who)
    if min(out) < 1 or min(x.shape[2:]) < 1:
        raise ValueError(f"{who}: input and output sizes must be greater than 0, got input "
                         f"{x.shape} and output size {out}")
    if recompute_scale_factor:
        scales = (None,) * dims
    if x.dtype.kind != "f" and mode not in ("nearest", "nearest-exact"):
        raise TypeError(f"{who}: mode {mode!r} needs a floating point input, got {x.dtype}")
    if mode == "area":
        if dims == 3:
            raise NotImplementedError(f"{who}: mode 'area' is implemented for 3-D and 4-D "
                                      f"inputs only")
        return (adaptive_avg_pool1d(x, out[0]) if dims == 1
                else adaptive_avg_pool2d(x, (out[0], out[1])))
    for k in range(dims):
        axis = 2 + k
        if mode in _LINEAR:
            x = _linear(x, axis, out[k], scales[k], bool(align_corners))
        elif mode == "bicubic":
            x = _bicubic(x, axis, out[k], scales[k], bool(align_corners))
        else:
            x = _nearest(x, axis, out[k], scales[k], mode == "nearest-exact")
    return x


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None,
             mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """``interpolate`` under its old name."""
    return interpolate(input, size, scale_factor, mode, align_corners)


class Upsample(Module):
    """Resize with ``interpolate``: ``Upsample(scale_factor=2, mode="bilinear")``."""

    _mode = "nearest"
    _align_corners: bool | None = None

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str | None = None,
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.scale_factor = size, scale_factor
        self.mode = self._mode if mode is None else mode
        self.align_corners = self._align_corners if align_corners is None else align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of images."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor)


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of images with ``align_corners=True`` (as PyTorch's layer)."""

    _mode, _align_corners = "bilinear", True

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor)
