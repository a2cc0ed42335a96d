"""Pooling pieces beyond the 2-D sliding windows of ``ops/conv.py``: the indices of max
pooling (``return_indices``), its inverse ``max_unpool``, and max over arbitrary *taps*
(adaptive bins, or the windows of 3-D pooling).

All three address a pixel of an image plane by its *flat index* h·W + w (PyTorch's
convention for ``indices``), over the images seen as rows: x (N, C, H, W) is the matrix
(N·C, H·W) and pixel k of image-channel r is ``x[r, k]``. A gather ``x[rows, index]``
and its adjoint, a scatter-add, move values and gradients between windows and pixels.

Max pooling over fixed windows is in ``ops/conv.py`` (``MaxPool2d``): it walks the kernel
offsets and records which offset won; :func:`window_indices` turns those winning offsets
into flat indices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..function import Context, Function
from .conv import Window2d
from .movement import GetItem, ScatterAdd

if TYPE_CHECKING:
    from ..backend.base import Array, Backend
    from ..tensor import Tensor


def window_indices(be: Backend, winner: Array, window: Window2d, width: int) -> Array:
    """Winning kernel offsets k = i·kw + j, (C, OH, OW, N), of max pooling → the flat
    index in the input plane of the pixel that won, (N, C, OH, OW) int64::

        row = y·s − p + i·d,   column = x·s − p + j·d,   index = row·W + column
    """
    _, oh, ow, _ = winner.shape
    (_, kw), (sh, sw), (ph, pw), (dh, dw) = (window.kernel, window.stride, window.padding,
                                             window.dilation)
    k = be.astype(winner, "int64")
    ys = be.reshape(be.arange(0, oh, 1, "int64") * sh - ph, (1, oh, 1, 1))
    xs = be.reshape(be.arange(0, ow, 1, "int64") * sw - pw, (1, 1, ow, 1))
    rows = ys + (k // kw) * dh
    columns = xs + (k % kw) * dw
    return be.transpose(rows * width + columns, (3, 0, 1, 2))


def plane_rows(be: Backend, planes: int) -> Array:
    """Row numbers 0 … planes − 1 as a column, to pair with flat indices (planes, K)."""
    return be.reshape(be.arange(0, planes, 1, "int64"), (planes, 1))


class MaxUnpool(Function):
    """out[r, index[r, k]] = x[r, k] on a zero (N·C, OH·OW) canvas: the inverse of max
    pooling, each value put back where ``indices`` says it came from (the other pixels
    stay 0). ∂L/∂x[r, k] = ∂L/∂out[r, index[r, k]], a gather."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, index: Array, size: int) -> Array:
        be = ctx.backend
        ctx.at = (plane_rows(be, x.shape[0]), index)
        out = be.zeros((x.shape[0], size), x.dtype)
        out[ctx.at] = x
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return GetItem.apply(g, index=ctx.at)


def bin_edges(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive bins along one axis: bin i covers lo = ⌊i·size/out⌋ … hi − 1,
    hi = ⌈(i+1)·size/out⌉ (they cover the input and overlap when ``out`` does not divide
    ``size``)."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def bins(size: int, out: int) -> tuple[np.ndarray, int]:
    """The positions of each adaptive bin (:func:`bin_edges`) as an (out, K) array, K the
    widest bin, narrower bins padded with their own last position (a repeat never
    changes a maximum, nor which element is first to reach it)."""
    lo, hi = bin_edges(size, out)
    k = int((hi - lo).max()) if out else 0
    return np.minimum(lo[:, None] + np.arange(k)[None, :], hi[:, None] - 1), k


def adaptive_taps(plane: tuple[int, ...], out: tuple[int, ...]) -> np.ndarray:
    """The flat positions (in a plane of shape ``plane``) of the taps of each adaptive
    bin, (prod(out), K): the product over the axes of :func:`bins`."""
    return grid_taps([bins(n, o)[0] for n, o in zip(plane, out, strict=True)], plane)


def grid_taps(axes: list[np.ndarray], plane: tuple[int, ...]) -> np.ndarray:
    """Combine per-axis tap positions (out_a, K_a) into flat positions in ``plane``,
    (Π out_a, Π K_a), outputs and taps both in row-major order."""
    flat = np.zeros((1, 1), dtype=np.int64)
    for pos, size in zip(axes, plane, strict=True):
        o, k = pos.shape
        flat = (flat[:, None, :, None] * size + pos[None, :, None, :]).reshape(
            flat.shape[0] * o, flat.shape[1] * k)
    return flat


class TapMax(Function):
    """y[r, i] = max over the taps of output i of x[r] — x as (N·C, plane size) rows and
    ``taps`` (outputs, K) flat positions in a plane (adaptive bins, or windows over a
    padded volume). The whole gradient of an output goes to its first maximum (taps in
    row-major order; a NaN wins), as in PyTorch: ∂L/∂x = scatter-add of ∂L/∂y at the
    winners.

    The winners' flat positions are kept and, when ``winners`` is a list, appended to it
    (for ``return_indices``)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, taps: np.ndarray,
                winners: list[Array] | None = None) -> Array:
        be = ctx.backend
        taps_arr = be.asarray(taps)
        windows = x[:, taps_arr]  # (N·C, outputs, K)
        first = be.reduce("argmax", windows, 2)  # the first maximum (or the first NaN)
        spots = be.reshape(be.arange(0, taps.shape[0], 1, "int64"), (1, taps.shape[0]))
        index = taps_arr[spots, first]  # (N·C, outputs): flat positions of the winners
        ctx.at = (plane_rows(be, x.shape[0]), index)
        if winners is not None:
            winners.append(index)
        return x[ctx.at]

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return ScatterAdd.apply(g, shape=ctx.input_shapes[0], index=ctx.at)
