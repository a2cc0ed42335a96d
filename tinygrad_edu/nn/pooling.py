"""Pooling: max and average over sliding windows, and adaptive average pooling.

Both window poolings see the image through the same windows as convolution
(``ops/conv.py``): max pooling keeps the largest value of each window, average pooling
is the mean of the unfolded window — its gradient, 1/(kh·kw) to every pixel of the
window, comes from ``mean`` and Unfold's backward.
"""

from __future__ import annotations

from ..ops.conv import MaxPool2d as MaxPool2dFn
from ..ops.conv import Unfold, Window2d, im2col
from ..tensor import Tensor
from ._shapes import IntOrPair, check_image, check_window, pair
from .module import Module


def _windows(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
             padding: IntOrPair, dilation: IntOrPair, who: str) -> tuple[Tensor, Window2d]:
    """Check a pooling call and return the image batch and the window geometry. The
    stride defaults to the kernel size (non-overlapping windows)."""
    k = pair(kernel_size, "kernel_size", who, 1)
    s = k if stride is None else pair(stride, "stride", who, 1)
    p, d = pair(padding, "padding", who, 0), pair(dilation, "dilation", who, 1)
    if 2 * p[0] > k[0] or 2 * p[1] > k[1]:
        # a larger padding would make windows that hold nothing but padding
        raise ValueError(f"{who}: padding {p} must be at most half the kernel size {k}")
    check_image(x, None, who)
    batch = x if x.ndim == 4 else x.unsqueeze(0)
    window = Window2d(k, s, p, d)
    check_window(batch, window, who)
    return batch, window


def _unbatch(out: Tensor, x: Tensor) -> Tensor:
    return out if x.ndim == 4 else out.squeeze(0)


def max_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1) -> Tensor:
    """y = max over each kh×kw window (padding is −∞). The gradient of each output goes
    to the first maximum of its window, as in PyTorch."""
    return _max_pool2d(x, kernel_size, stride, padding, dilation, "max_pool2d")


def _max_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
                padding: IntOrPair, dilation: IntOrPair, who: str) -> Tensor:
    batch, window = _windows(x, kernel_size, stride, padding, dilation, who)
    return _unbatch(MaxPool2dFn.apply(batch, window=window), x)


def avg_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, count_include_pad: bool = True) -> Tensor:
    """y = mean over each kh×kw window. Padding cells are zeros that count in the mean
    unless ``count_include_pad=False`` (then a border window averages its real pixels)."""
    return _avg_pool2d(x, kernel_size, stride, padding, count_include_pad, "avg_pool2d")


def _avg_pool2d(x: Tensor, kernel_size: IntOrPair, stride: IntOrPair | None,
                padding: IntOrPair, count_include_pad: bool, who: str) -> Tensor:
    batch, window = _windows(x, kernel_size, stride, padding, 1, who)
    cols = Unfold.apply(batch, window=window)  # (C, kh, kw, OH, OW, N)
    if count_include_pad or window.padding == (0, 0):
        out = cols.mean((1, 2))
    else:
        # how many real pixels each window holds: unfold an image of ones
        be = x.backend
        ones = be.ones((1, 1) + batch.shape[2:], x.dtype)
        counts = be.reduce("sum", im2col(be, ones, window), (1, 2))
        out = cols.sum((1, 2)) / x._constant(counts)
    return _unbatch(out.permute(3, 0, 1, 2), x)  # (C, OH, OW, N) → (N, C, OH, OW)


def _bin_matrix(size: int, out: int) -> list[list[float]]:
    """Row i averages input positions ⌊i·size/out⌋ … ⌈(i+1)·size/out⌉ − 1 (PyTorch's
    bins: they cover the input and overlap when ``out`` does not divide ``size``)."""
    rows = []
    for i in range(out):
        lo, hi = (i * size) // out, -((-(i + 1) * size) // out)
        rows.append([1.0 / (hi - lo) if lo <= j < hi else 0.0 for j in range(size)])
    return rows


def adaptive_avg_pool2d(x: Tensor, output_size: int | tuple[int | None, int | None]
                        ) -> Tensor:
    """Average pooling to a fixed output size (OH, OW) whatever the input size; None
    keeps that axis. Each axis is averaged by a matrix whose row i holds 1/len on bin i::

        y = P_h · x · P_wᵀ       (P_h of shape (OH, H), P_w of shape (OW, W))

    so both the values and the gradient (P_hᵀ · G · P_w) are matrix products.
    """
    return _adaptive_avg_pool2d(x, output_size, "adaptive_avg_pool2d")


def _adaptive_avg_pool2d(x: Tensor, output_size: int | tuple[int | None, int | None],
                         who: str) -> Tensor:
    check_image(x, None, who)
    h, w = x.shape[-2:]
    size = (output_size, output_size) if isinstance(output_size, int) else output_size
    if not (isinstance(size, (tuple, list)) and len(size) == 2):
        raise TypeError(f"{who}: output_size must be an int or a pair, got {output_size!r}")
    oh, ow = (h if size[0] is None else size[0]), (w if size[1] is None else size[1])
    if min(oh, ow) < 1:
        raise ValueError(f"{who}: output_size must be positive, got {output_size!r}")
    be = x.backend
    ph = x._constant(be.asarray(_bin_matrix(h, oh), dtype=x.dtype))
    pw = x._constant(be.asarray(_bin_matrix(w, ow), dtype=x.dtype))
    return ph @ x @ pw.T


class MaxPool2d(Module):
    """Max pooling over kh×kw windows; ``stride`` defaults to the kernel size."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, dilation: IntOrPair = 1) -> None:
        super().__init__()
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = kernel_size if stride is None else stride

    def forward(self, x: Tensor) -> Tensor:
        return _max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                           self.describe())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != 0:
            s += f", padding={self.padding}"
        return s + (f", dilation={self.dilation}" if self.dilation != 1 else "")


class AvgPool2d(Module):
    """Average pooling over kh×kw windows; ``stride`` defaults to the kernel size."""

    def __init__(self, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                 padding: IntOrPair = 0, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = kernel_size if stride is None else stride
        self.count_include_pad = count_include_pad

    def forward(self, x: Tensor) -> Tensor:
        return _avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                           self.count_include_pad, self.describe())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != 0:
            s += f", padding={self.padding}"
        return s + ("" if self.count_include_pad else ", count_include_pad=False")


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, e.g. (1, 1) for global average pooling."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return _adaptive_avg_pool2d(x, self.output_size, self.describe())

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
