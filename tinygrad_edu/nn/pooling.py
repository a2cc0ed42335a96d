"""Pooling: max and average over sliding windows, max unpooling, and adaptive pooling.

Both window poolings see the image through the same windows as convolution
(``ops/conv.py``): max pooling keeps the largest value of each window, average pooling
is the mean of the unfolded window — its gradient, 1/(window size) to every pixel of the
window, comes from the division and Unfold's backward.

``ceil_mode`` rounds the output size up instead of down, so a last, partial window may
hang over the bottom/right edge (it must start inside the image or its left/top
padding); the overhang is the window's ``extra`` padding, never counted in an average.
Output size per axis::

    floor mode: ⌊(size + 2p − d·(k − 1) − 1) / s⌋ + 1
    ceil mode:  ⌈(size + 2p − d·(k − 1) − 1) / s⌉ + 1, less 1 if that last window would
                start at or past size + p

1-D pooling is the 2-D one over images one pixel high.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops.conv import MaxPool2d as MaxPool2dFn
from ..ops.conv import Unfold, Window2d, im2col
from ..ops.pool import (
    MaxUnpool,
    TapMax,
    adaptive_taps,
    bin_edges,
    bins,
    grid_taps,
    window_indices,
)
from ..tensor import Tensor, where
from ._shapes import IntOrPair, check_image, check_window, pair
from .module import Module

# ---- shared checks -----------------------------------------------------------------------


def _ceil_extra(size: int, k: int, s: int, p: int, d: int) -> int:
    """The bottom/right overhang that ceil_mode adds (see the module docstring)."""
    out = (size + 2 * p - d * (k - 1) - 1 + s - 1) // s + 1  # rounded up (floor division)
    if (out - 1) * s >= size + p:
        out -= 1
    if out < 1:
        return 0  # no window fits: check_window says so
    return max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p))


def _windows(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
             padding: IntOrPair, dilation: IntOrPair, ceil_mode: bool, who: str
             ) -> tuple[Tensor, Window2d]:
    """Check a pooling call and return the image batch and the window geometry. The
    stride defaults to the kernel size (non-overlapping windows)."""
    k = pair(kernel_size, "kernel_size", who, 1)
    s = k if stride is None or stride == [] else pair(stride, "stride", who, 1)
    p, d = pair(padding, "padding", who, 0), pair(dilation, "dilation", who, 1)
    if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
        # a larger padding would make windows that hold nothing but padding
        raise ValueError(f"{who}: padding {p} must be at most half the kernel size {k}")
    check_image(x, None, who)
    batch = x if x.ndim == 4 else x.unsqueeze(0)
    h, w = batch.shape[2:]
    extra = ((_ceil_extra(h, k[0], s[0], p[0], d[0]), _ceil_extra(w, k[1], s[1], p[1], d[1]))
             if ceil_mode else (0, 0))
    window = Window2d(k, s, p, d, extra)
    check_window(batch, window, who)
    return batch, window


def _unbatch(out: Tensor, x: Tensor) -> Tensor:
    return out if x.ndim == 4 else out.squeeze(0)


def _as_image(x: Tensor, who: str) -> Tensor:
    """A 1-D pooling input (N, C, L) or (C, L) as an image one pixel high."""
    if x.ndim not in (2, 3):
        raise ValueError(f"{who} expected input (N, C, L) or (C, L), got {x.shape}")
    return x.unsqueeze(-2)


def _one(value: Any) -> Any:
    """A 1-D size (3 or (3,)) as the 2-D one (1, 3); None stays None."""
    if value is None:
        return None
    v = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    return (1, v) if isinstance(v, int) and not isinstance(v, bool) else value


def _zero(value: Any) -> Any:
    """A 1-D padding as the 2-D one (0, p)."""
    v = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value
    return (0, v) if isinstance(v, int) and not isinstance(v, bool) else value


# ---- max pooling ---------------------------------------------------------------------------


def max_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """y = max over each kh×kw window (padding never wins: −∞, or the dtype's smallest
    integer). The gradient of each output goes to the first maximum of its window, as in
    PyTorch. With ``return_indices`` also the flat index h·W + w of each maximum in its
    input plane (int64), which ``max_unpool2d`` takes."""
    return _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, "max_pool2d")


def _max_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
                padding: IntOrPair, dilation: IntOrPair, ceil_mode: bool,
                return_indices: bool, who: str) -> Any:
    batch, window = _windows(x, kernel_size, stride, padding, dilation, ceil_mode, who)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{who}: input must be a float or integer tensor, got {x.dtype}")
    winners: list[Any] = []
    out = _unbatch(MaxPool2dFn.apply(batch, window=window, winners=winners), x)
    if not return_indices:
        return out
    index = window_indices(x.backend, winners[0], window, batch.shape[3])
    return out, _unbatch(x._constant(index), x)


def max_pool1d(input: Tensor, kernel_size: int | tuple[int], stride: Any = None,
               padding: int | tuple[int] = 0, dilation: int | tuple[int] = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max pooling of sequences (N, C, L) or (C, L); see ``max_pool2d``."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices, "max_pool1d")


def _max_pool1d(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                ceil_mode: bool, return_indices: bool, who: str) -> Any:
    out = _max_pool2d(_as_image(x, who), _one(kernel_size), _one(stride), _zero(padding),
                      _one(dilation), ceil_mode, return_indices, who)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


# ---- average pooling -----------------------------------------------------------------------


def avg_pool2d(input: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None
               ) -> Tensor:
    """y = (sum over each kh×kw window) / divisor. The divisor is the window's size,
    counting the zero padding cells unless ``count_include_pad=False`` (then only the
    real pixels), never counting ceil_mode's overhang; ``divisor_override`` replaces it.
    ∂L/∂x: each pixel receives ∂L/∂y / divisor from every window that holds it."""
    return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, "avg_pool2d")


def _avg_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
                padding: IntOrPair, ceil_mode: bool, count_include_pad: bool,
                divisor_override: int | None, who: str) -> Tensor:
    batch, window = _windows(x, kernel_size, stride, padding, 1, ceil_mode, who)
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point, got {x.dtype}")
    if divisor_override is not None and (not isinstance(divisor_override, int)
                                         or divisor_override == 0):
        raise ValueError(f"{who}: divisor_override must be a nonzero int, got "
                         f"{divisor_override!r}")
    cols = Unfold.apply(batch, window=window)  # (C, kh, kw, OH, OW, N)
    if divisor_override is not None:
        out = cols.sum((1, 2)) / divisor_override
    elif window.extra == (0, 0) and (count_include_pad or window.padding == (0, 0)):
        out = cols.mean((1, 2))
    else:
        out = cols.sum((1, 2)) / x._constant(_window_counts(x, batch, window,
                                                            count_include_pad))
    return _unbatch(out.permute(3, 0, 1, 2), x)  # (C, OH, OW, N) → (N, C, OH, OW)


def _window_counts(x: Tensor, batch: Tensor, window: Window2d, count_include_pad: bool
                   ) -> Any:
    """How many cells each window averages, (1, OH, OW, 1): im2col of a mask that is 1
    on the image (and on its padding when ``count_include_pad``), 0 on the overhang."""
    (h, w), (ph, pw), (eh, ew) = batch.shape[2:], window.padding, window.extra
    mask = np.zeros((1, 1, h + 2 * ph + eh, w + 2 * pw + ew), dtype=x.dtype)
    if count_include_pad:
        mask[..., :h + 2 * ph, :w + 2 * pw] = 1
    else:
        mask[..., ph:ph + h, pw:pw + w] = 1
    be = x.backend
    plain = Window2d(window.kernel, window.stride, (0, 0), window.dilation)
    return be.reduce("sum", im2col(be, be.asarray(mask), plain), (1, 2))


def avg_pool1d(input: Tensor, kernel_size: int | tuple[int], stride: Any = None,
               padding: int | tuple[int] = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Average pooling of sequences (N, C, L) or (C, L); see ``avg_pool2d``."""
    return _avg_pool2d(_as_image(input, "avg_pool1d"), _one(kernel_size), _one(stride),
                       _zero(padding), ceil_mode, count_include_pad, None,
                       "avg_pool1d").squeeze(-2)


# ---- max unpooling ---------------------------------------------------------------------------


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: IntOrPair,
                 stride: IntOrPair | None = None, padding: IntOrPair = 0,
                 output_size: Any = None) -> Tensor:
    """The inverse of ``max_pool2d(..., return_indices=True)``: a zero image with each
    value of ``input`` put back at its flat index h·W + w. Output size per axis
    (size − 1)·s − 2p + k unless ``output_size`` ((H, W), or a shape ending with them)
    says otherwise. ∂L/∂input is ∂L/∂out read at ``indices``."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 2,
                       "max_unpool2d")


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: int | tuple[int],
                 stride: Any = None, padding: int | tuple[int] = 0, output_size: Any = None
                 ) -> Tensor:
    """The inverse of ``max_pool1d(..., return_indices=True)``; see ``max_unpool2d``."""
    return _max_unpool(input, indices, kernel_size, stride, padding, output_size, 1,
                       "max_unpool1d")


def _max_unpool(x: Tensor, indices: Tensor, kernel_size: Any, stride: Any, padding: Any,
                output_size: Any, dims: int, who: str) -> Tensor:
    if x.ndim not in (dims + 1, dims + 2):
        raise ValueError(f"{who}: expected input with {dims + 1} or {dims + 2} dims, got "
                         f"{x.shape}")
    if not isinstance(indices, Tensor) or indices.shape != x.shape or \
            indices.dtype.kind not in "iu":
        got = (f"{indices.dtype} {indices.shape}" if isinstance(indices, Tensor)
               else type(indices).__name__)
        raise ValueError(f"{who}: indices must be an integer tensor of the input's shape "
                         f"{x.shape}, got {got}")
    k = pair(_one(kernel_size) if dims == 1 else kernel_size, "kernel_size", who, 1)
    s = k if stride is None else pair(_one(stride) if dims == 1 else stride, "stride", who, 1)
    p = pair(_zero(padding) if dims == 1 else padding, "padding", who)
    spatial = x.shape[-dims:]
    default = tuple((n - 1) * si - 2 * pi + ki for n, si, pi, ki in
                    zip(spatial, s[-dims:], p[-dims:], k[-dims:], strict=True))
    size = default if output_size is None else tuple(int(v) for v in output_size)[-dims:]
    if len(size) != dims or min(size) < 0:
        raise ValueError(f"{who}: output_size must give {dims} sizes, got {output_size!r}")
    planes = math.prod(x.shape[:-dims])
    total = math.prod(size)
    index = indices.backend.astype(indices.data, "int64")
    host = indices.numpy()
    if host.size and (host.min() < 0 or host.max() >= total):
        raise ValueError(f"{who}: indices hold {int(host.min())} … {int(host.max())}, outside "
                         f"an output plane of {size} ({total} pixels)")
    flat = MaxUnpool.apply(x.reshape(planes, -1), index=index.reshape(planes, -1),
                           size=total)
    return flat.reshape(x.shape[:-dims] + size)


# ---- adaptive pooling ---------------------------------------------------------------------


def _adaptive_mean(x: Tensor, axis: int, out: int) -> Tensor:
    """Average each adaptive bin along ``axis``. When ``out`` divides the size, the bins
    are equal and disjoint: a reshape and a mean. Otherwise the bins' taps are gathered
    (:func:`bins`: K gathers for the widest bin K) and the padding taps masked out.
    Either way a bin holding ±inf or NaN affects only its own output."""
    n = x.shape[axis]
    if n % out == 0:
        return x.reshape(x.shape[:axis] + (out, n // out) + x.shape[axis + 1:]).mean(axis + 1)
    taps, k = bins(n, out)
    lo, hi = bin_edges(n, out)
    be = x.backend
    shape = (out,) + (1,) * (x.ndim - axis - 1)
    total: Tensor | None = None
    for t in range(k):
        part = x[(slice(None),) * axis + (be.asarray(taps[:, t]),)]
        if t >= (hi - lo).min():  # some bins are shorter than t + 1: mask their repeats
            keep = x._constant(be.asarray((t < hi - lo).reshape(shape)))
            part = where(keep, part, 0.0)
        total = part if total is None else total + part
    assert total is not None
    inverse = x._constant(be.asarray((1.0 / (hi - lo)).reshape(shape), dtype=x.dtype))
    return total * inverse


def _adaptive_size(x: Tensor, output_size: Any, who: str) -> tuple[int, int]:
    check_image(x, None, who)
    h, w = x.shape[-2:]
    size = (output_size, output_size) if isinstance(output_size, int) else output_size
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise TypeError(f"{who}: output_size must be an int or a pair, got {output_size!r}")
    oh, ow = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
    if min(oh, ow) < 1:
        raise ValueError(f"{who}: output_size must be positive, got {output_size!r}")
    if min(h, w) < 1:
        raise ValueError(f"{who}: input of shape {x.shape} has an empty image plane")
    return oh, ow


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]
                        ) -> Tensor:
    """Average pooling to a fixed output size (OH, OW) whatever the input size; None
    keeps that axis. Output (i, j) is the mean over rows ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1 and
    the columns likewise (PyTorch's bins), computed one axis at a time; each pixel's
    gradient is the sum of ∂L/∂y / (bin size) over the bins that hold it.
    """
    return _adaptive_avg_pool2d(input, output_size, "adaptive_avg_pool2d")


def _adaptive_avg_pool2d(x: Tensor, output_size: int | tuple[int | None, int | None],
                         who: str) -> Tensor:
    oh, ow = _adaptive_size(x, output_size, who)
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point, got {x.dtype}")
    return _adaptive_mean(_adaptive_mean(x, x.ndim - 2, oh), x.ndim - 1, ow)


def adaptive_max_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None],
                        return_indices: bool = False) -> Any:
    """Max pooling to a fixed output size (OH, OW): output (i, j) is the maximum over
    rows ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1 and the columns likewise (PyTorch's bins). The
    gradient goes to the first maximum of each bin; ``return_indices`` also gives its
    flat index h·W + w (int64)."""
    return _adaptive_max_pool2d(input, output_size, return_indices, "adaptive_max_pool2d")


def _adaptive_max_pool2d(x: Tensor, output_size: Any, return_indices: bool, who: str
                         ) -> Any:
    oh, ow = _adaptive_size(x, output_size, who)
    h, w = x.shape[-2:]
    lead = x.shape[:-2]
    winners: list[Any] = []
    flat = TapMax.apply(x.reshape(math.prod(lead), h * w),
                        taps=adaptive_taps((h, w), (oh, ow)), winners=winners)
    out = flat.reshape(lead + (oh, ow))
    if not return_indices:
        return out
    return out, x._constant(x.backend.reshape(winners[0], lead + (oh, ow)))


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """Average pooling of sequences (N, C, L) or (C, L) to a fixed length."""
    who = "adaptive_avg_pool1d"
    return _adaptive_avg_pool2d(_as_image(input, who), _one(output_size), who).squeeze(-2)


def adaptive_max_pool1d(input: Tensor, output_size: int | tuple[int],
                        return_indices: bool = False) -> Any:
    """Max pooling of sequences (N, C, L) or (C, L) to a fixed length."""
    who = "adaptive_max_pool1d"
    out = _adaptive_max_pool2d(_as_image(input, who), _one(output_size), return_indices, who)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


# ---- 3-D pooling: windows as taps -------------------------------------------------------


def _volume_windows(x: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                    ceil_mode: bool, who: str) -> tuple[Tensor, Any, np.ndarray]:
    """Check a 3-D pooling call; return the batch (N, C, D, H, W), the per-axis geometry
    (k, s, p, d, out, extra) and the taps of every window, flat positions in the padded
    volume (outputs, kd·kh·kw)."""
    from .conv import _triple

    if x.ndim not in (4, 5):
        raise ValueError(f"{who} expected input (N, C, D, H, W) or (C, D, H, W), got "
                         f"{x.shape}")
    k = _triple(kernel_size, "kernel_size", who, 1)
    s = k if stride is None or stride == [] else _triple(stride, "stride", who, 1)
    p, d = _triple(padding, "padding", who), _triple(dilation, "dilation", who, 1)
    if any(2 * pi > ki for pi, ki in zip(p, k, strict=True)):
        raise ValueError(f"{who}: padding {p} must be at most half the kernel size {k}")
    batch = x if x.ndim == 5 else x.unsqueeze(0)
    geometry, axes = [], []
    for n, ki, si, pi, di in zip(batch.shape[2:], k, s, p, d, strict=True):
        extra = _ceil_extra(n, ki, si, pi, di) if ceil_mode else 0
        out = (n + 2 * pi + extra - di * (ki - 1) - 1) // si + 1
        if out < 1:
            raise ValueError(f"{who}: input of shape {x.shape} (padding {p}) is smaller than "
                             f"the (dilated) kernel {k}")
        geometry.append((ki, si, pi, di, out, extra))
        axes.append(np.arange(out)[:, None] * si + np.arange(ki)[None, :] * di)
    padded = tuple(n + 2 * g[2] + g[5] for n, g in zip(batch.shape[2:], geometry, strict=True))
    return batch, geometry, grid_taps(axes, padded)


def _pad_volume(batch: Tensor, geometry: Any, value: float) -> Tensor:
    widths = ((0, 0), (0, 0)) + tuple((g[2], g[2] + g[5]) for g in geometry)
    return batch.pad(widths, value) if any(a or b for a, b in widths) else batch


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """Max pooling of volumes (N, C, D, H, W) or (C, D, H, W); see ``max_pool2d`` (the
    same rules along three axes; ``indices`` are flat d·H·W + h·W + w)."""
    who = "max_pool3d"
    x = input
    batch, geometry, taps = _volume_windows(x, kernel_size, stride, padding, dilation,
                                            ceil_mode, who)
    if x.dtype.kind not in "fiu":
        raise TypeError(f"{who}: input must be a float or integer tensor, got {x.dtype}")
    low = float("-inf") if x.dtype.kind == "f" else int(np.iinfo(x.dtype).min)
    padded = _pad_volume(batch, geometry, low)
    n, c, *vol = padded.shape
    winners: list[Any] = []
    flat = TapMax.apply(padded.reshape(n * c, math.prod(vol)), taps=taps, winners=winners)
    outs = tuple(g[4] for g in geometry)
    out = flat.reshape((n, c) + outs)
    out = out if x.ndim == 5 else out.squeeze(0)
    if not return_indices:
        return out
    # padded flat position → (z, y, x) → the same pixel's flat index in the input
    pos, (hp, wp), (pd, ph, pw) = winners[0], vol[1:], (g[2] for g in geometry)
    z, rest = pos // (hp * wp), pos % (hp * wp)
    h_, w_ = batch.shape[3:]
    index = (z - pd) * (h_ * w_) + (rest // wp - ph) * w_ + (rest % wp - pw)
    index = x._constant(x.backend.reshape(index, (n, c) + outs))
    return out, (index if x.ndim == 5 else index.squeeze(0))


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Average pooling of volumes (N, C, D, H, W) or (C, D, H, W); see ``avg_pool2d``
    (the same divisor rules along three axes)."""
    who = "avg_pool3d"
    x = input
    batch, geometry, taps = _volume_windows(x, kernel_size, stride, padding, 1, ceil_mode, who)
    if x.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point, got {x.dtype}")
    padded = _pad_volume(batch, geometry, 0.0)
    n, c, *vol = padded.shape
    be = x.backend
    sums = padded.reshape(n * c, math.prod(vol))[:, be.asarray(taps)].sum(-1)
    if divisor_override is not None:
        if not isinstance(divisor_override, int) or divisor_override == 0:
            raise ValueError(f"{who}: divisor_override must be a nonzero int, got "
                             f"{divisor_override!r}")
        out = sums / divisor_override
    else:
        # how many cells each window averages: the padding counts unless
        # count_include_pad=False; ceil_mode's overhang never does
        mask = np.zeros(vol, dtype=x.dtype)
        inner = tuple(slice(0, size - g[5]) if count_include_pad else
                      slice(g[2], size - g[2] - g[5]) for size, g in
                      zip(vol, geometry, strict=True))
        mask[inner] = 1
        counts = mask.reshape(-1)[taps].sum(-1)
        out = sums / x._constant(be.asarray(counts))
    out = out.reshape((n, c) + tuple(g[4] for g in geometry))
    return out if x.ndim == 5 else out.squeeze(0)


# ---- layers ----------------------------------------------------------------------------------


class _Pool(Module):
    """Holds a pooling call's options; ``extra_repr`` lists them as PyTorch does."""

    def _repr(self, **options: Any) -> str:
        return ", ".join(f"{k}={v}" for k, v in options.items())


class MaxPool2d(_Pool):
    """Max pooling over kh×kw windows; ``stride`` defaults to the kernel size."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, dilation: IntOrPair = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = kernel_size if stride is None else stride
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Any:
        return _max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.ceil_mode, self.return_indices, self.describe())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != 0:
            s += f", padding={self.padding}"
        s += f", dilation={self.dilation}" if self.dilation != 1 else ""
        return s + (", ceil_mode=True" if self.ceil_mode else "")


class MaxPool1d(MaxPool2d):
    """Max pooling of sequences (N, C, L); see ``max_pool1d``."""

    def forward(self, x: Tensor) -> Any:
        return _max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.ceil_mode, self.return_indices, self.describe())


class AvgPool2d(_Pool):
    """Average pooling over kh×kw windows; ``stride`` defaults to the kernel size."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return _avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                           self.count_include_pad, self.divisor_override, self.describe())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != 0:
            s += f", padding={self.padding}"
        s += ", ceil_mode=True" if self.ceil_mode else ""
        return s + ("" if self.count_include_pad else ", count_include_pad=False")


class AvgPool1d(_Pool):
    """Average pooling of sequences (N, C, L); see ``avg_pool1d``."""

    def __init__(self, kernel_size: int | tuple[int], stride: Any = None,
                 padding: int | tuple[int] = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool2d(_Pool):
    """The inverse of MaxPool2d(return_indices=True); ``forward(x, indices,
    output_size=None)``; see ``max_unpool2d``."""

    _dims = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride

    def forward(self, x: Tensor, indices: Tensor, output_size: Any = None) -> Tensor:
        return _max_unpool(x, indices, self.kernel_size, self.stride, self.padding,
                           output_size, self._dims, self.describe())

    def extra_repr(self) -> str:
        return self._repr(kernel_size=self.kernel_size, stride=self.stride,
                          padding=self.padding)


class MaxUnpool1d(MaxUnpool2d):
    """The inverse of MaxPool1d(return_indices=True); see ``max_unpool1d``."""

    _dims = 1


class AdaptiveAvgPool2d(_Pool):
    """Average pooling to a fixed output size, e.g. (1, 1) for global average pooling."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return _adaptive_avg_pool2d(x, self.output_size, self.describe())

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of sequences to a fixed length."""

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool1d(x, self.output_size)  # type: ignore[arg-type]


class AdaptiveMaxPool2d(_Pool):
    """Max pooling to a fixed output size; see ``adaptive_max_pool2d``."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, x: Tensor) -> Any:
        return _adaptive_max_pool2d(x, self.output_size, self.return_indices,
                                    self.describe())

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """Max pooling of sequences to a fixed length."""

    def forward(self, x: Tensor) -> Any:
        return adaptive_max_pool1d(x, self.output_size, self.return_indices)


class MaxPool3d(MaxPool2d):
    """Max pooling of volumes (N, C, D, H, W); see ``max_pool3d``."""

    def forward(self, x: Tensor) -> Any:
        return max_pool3d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                          self.ceil_mode, self.return_indices)


class AvgPool3d(AvgPool2d):
    """Average pooling of volumes (N, C, D, H, W); see ``avg_pool3d``."""

    def forward(self, x: Tensor) -> Tensor:
        return avg_pool3d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                          self.count_include_pad, self.divisor_override)


def _adaptive_volume(x: Tensor, output_size: Any, who: str) -> tuple[int, int, int]:
    if x.ndim not in (4, 5):
        raise ValueError(f"{who} expected input (N, C, D, H, W) or (C, D, H, W), got "
                         f"{x.shape}")
    size = (output_size,) * 3 if isinstance(output_size, int) else tuple(output_size)
    if len(size) != 3:
        raise TypeError(f"{who}: output_size must be an int or a triple, got {output_size!r}")
    out = tuple(n if o is None else o for n, o in zip(x.shape[-3:], size, strict=True))
    if min(out) < 1 or min(x.shape[-3:]) < 1:
        raise ValueError(f"{who}: output_size must be positive and the volume not empty, got "
                         f"{output_size!r} for input {x.shape}")
    return out[0], out[1], out[2]


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of volumes to a fixed output size (PyTorch's bins along each of the
    three axes); see ``adaptive_avg_pool2d``."""
    out = _adaptive_volume(input, output_size, "adaptive_avg_pool3d")
    if input.dtype.kind != "f":
        raise TypeError(f"adaptive_avg_pool3d: input must be floating point, got "
                        f"{input.dtype}")
    x = input
    for k, o in enumerate(out):
        x = _adaptive_mean(x, x.ndim - 3 + k, o)
    return x


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling of volumes to a fixed output size; see ``adaptive_max_pool2d``
    (``indices`` are flat d·H·W + h·W + w)."""
    out = _adaptive_volume(input, output_size, "adaptive_max_pool3d")
    vol, lead = input.shape[-3:], input.shape[:-3]
    winners: list[Any] = []
    flat = TapMax.apply(input.reshape(math.prod(lead), math.prod(vol)),
                        taps=adaptive_taps(vol, out), winners=winners)
    result = flat.reshape(lead + out)
    if not return_indices:
        return result
    return result, input._constant(input.backend.reshape(winners[0], lead + out))


class AdaptiveAvgPool3d(AdaptiveAvgPool2d):
    """Average pooling of volumes to a fixed output size."""

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool3d(x, self.output_size)


class AdaptiveMaxPool3d(AdaptiveMaxPool2d):
    """Max pooling of volumes to a fixed output size."""

    def forward(self, x: Tensor) -> Any:
        return adaptive_max_pool3d(x, self.output_size, self.return_indices)
