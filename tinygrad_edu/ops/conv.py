"""Sliding windows over images: im2col (``Unfold``), its adjoint col2im (``Fold``), max
pooling, and a direct convolution (``Conv2d``) for backends with compiled kernels
(numba on the CPU; see ``backend/cpu_kernels.py``). Without them, convolution and
average pooling are built from the first two in ``nn``::

    conv2d(x, W)  =  W.reshape(O, C·kh·kw) @ unfold(x).reshape(C·kh·kw, OH·OW·N)
    avg_pool2d(x) =  unfold(x).mean(over the window)
    conv_transpose2d(x, W) = fold(W.reshape(C, O·kh·kw)ᵀ @ x.reshape(C, H·W·N))

Layout. Tensors of images have the shape (N, C, H, W). ``unfold`` turns a batch of them
into the columns (C, kh, kw, OH, OW, N): ``cols[c, i, j, y, x, n]`` is the pixel that
kernel offset (i, j) of channel c sees when the window sits at output position (y, x)
of image n::

    cols[c, i, j, y, x, n] = padded[n, c, i·d + y·s, j·d + x·s]    (s stride, d dilation)

As a matrix that is one row per (channel, kernel offset) and one column per output
pixel of *every* image, so a whole batch is convolved by ONE matrix product (BLAS is
at its best with one large product, not N small ones).

The batch axis comes last because of how the loops below touch memory: they handle
images as (C, H, W, N) arrays, so every slice they copy or add is made of runs of OW·N
contiguous numbers instead of OW (col2im of the W17 CNN runs 3× faster this way). The
results are (N, C, H, W) *views* of (C, H, W, N) arrays — the shape students expect,
other strides — so the next layer's transpose back to (C, H, W, N) costs nothing.

Both directions loop over the kh·kw kernel offsets, never over pixels: for one offset
(i, j) the pixels it sees at all output positions form one strided slice of the padded
image, so im2col is kh·kw slice *copies* and col2im is kh·kw slice *additions* (where
windows overlap, a pixel receives one addition per window that contains it). That is
O(kh·kw) array calls whatever the image size, and it needs nothing but basic slicing,
so the same code runs on numpy and on cupy. Non-overlapping windows (stride = kernel,
as in 2×2 pooling) need no loop at all: they are a reshape of the image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import is_grad_enabled
from ..function import Context, Function

if TYPE_CHECKING:
    from ..backend.base import Array, Backend
    from ..tensor import Tensor

Pair = tuple[int, int]


@dataclass(frozen=True)
class Window2d:
    """Where a kh×kw window goes over an image: stride s, padding p on each side,
    dilation d (the gap between kernel taps), and ``extra`` padding e at the bottom and
    the right only (pooling's ``ceil_mode`` lets a last, partial window start there).
    Output size per axis::

        out = ⌊(size + 2p + e − d·(k − 1) − 1) / s⌋ + 1
    """

    kernel: Pair
    stride: Pair
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    extra: Pair = (0, 0)

    def output_size(self, h: int, w: int) -> Pair:
        return (_out_len(h + self.extra[0], self.kernel[0], self.stride[0], self.padding[0],
                         self.dilation[0]),
                _out_len(w + self.extra[1], self.kernel[1], self.stride[1], self.padding[1],
                         self.dilation[1]))

    def offsets(self, oh: int, ow: int) -> Iterator[tuple[int, int, slice, slice]]:
        """For each kernel offset (i, j): the rows and the columns of the padded image
        that it sees at all output positions — rows i·d, i·d + s, …, i·d + s·(oh − 1)."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            for j in range(kw):
                yield i, j, rows, slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)

    def tiles(self) -> bool:
        """True when the windows tile the image without overlapping (stride = kernel, no
        dilation, no padding): then im2col is a reshape."""
        return (self.stride == self.kernel and self.dilation == (1, 1)
                and self.padding == (0, 0) and self.extra == (0, 0))


def _out_len(size: int, k: int, s: int, p: int, d: int) -> int:
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def chwn(be: Backend, x: Array) -> Array:
    """(N, C, H, W) → (C, H, W, N), contiguous (free when x is a view of such an array)."""
    return be.ascontiguous(be.transpose(x, (1, 2, 3, 0)))


def nchw(be: Backend, x: Array) -> Array:
    """(C, H, W, N) → an (N, C, H, W) view of the same memory."""
    return be.transpose(x, (3, 0, 1, 2))


def _pad(be: Backend, x: Array, window: Window2d, value: float) -> Array:
    """Pad H and W of a (C, H, W, N) array with ``value``."""
    (ph, pw), (eh, ew) = window.padding, window.extra
    if not (ph or pw or eh or ew):
        return x
    return be.pad(x, ((0, 0), (ph, ph + eh), (pw, pw + ew), (0, 0)), value)


def im2col(be: Backend, x: Array, window: Window2d, pad_value: float = 0.0) -> Array:
    """(N, C, H, W) images → columns (C, kh, kw, OH, OW, N)."""
    n, c, h, w = x.shape
    (oh, ow), (kh, kw) = window.output_size(h, w), window.kernel
    xt = chwn(be, x)
    if window.tiles():
        # image rows y·kh + i → (y, i), columns x·kw + j → (x, j): a view, no copy
        tiles = be.reshape(xt[:, :oh * kh, :ow * kw], (c, oh, kh, ow, kw, n))
        return be.transpose(tiles, (0, 2, 4, 1, 3, 5))
    xp = _pad(be, xt, window, pad_value)
    cols = be.empty((c, kh, kw, oh, ow, n), x.dtype)
    for i, j, rows, columns in window.offsets(oh, ow):
        cols[:, i, j] = xp[:, rows, columns]
    return cols


def col2im(be: Backend, cols: Array, window: Window2d, size: Pair) -> Array:
    """The adjoint of ``im2col``: columns (C, kh, kw, OH, OW, N) → images (N, C, H, W),
    each column entry *added* to the pixel it was copied from."""
    c, kh, kw, oh, ow, n = cols.shape
    (h, w), (ph, pw) = size, window.padding
    if window.tiles():
        tiles = be.reshape(be.transpose(cols, (0, 3, 1, 4, 2, 5)), (c, oh * kh, ow * kw, n))
        if (oh * kh, ow * kw) == (h, w):
            return nchw(be, tiles)
        out = be.zeros((c, h, w, n), cols.dtype)  # pixels past the last window get 0
        out[:, :oh * kh, :ow * kw] = tiles
        return nchw(be, out)
    eh, ew = window.extra
    out = be.zeros((c, h + 2 * ph + eh, w + 2 * pw + ew, n), cols.dtype)
    for i, j, rows, columns in window.offsets(oh, ow):
        out[:, rows, columns] += cols[:, i, j]
    return nchw(be, out[:, ph:ph + h, pw:pw + w])


class Unfold(Function):
    """cols = im2col(x): every window of x laid out as a column (see module docstring).

    Linear in x, so the gradient is the adjoint map: ∂L/∂x = col2im(∂L/∂cols) — each
    pixel collects the gradient of every column entry that was copied from it.
    Padding cells hold ``pad_value`` (0 for convolution, −∞ for max pooling); they are
    constants, so no gradient flows to them.
    """

    @staticmethod
    def forward(ctx: Context, x: Array, *, window: Window2d, pad_value: float = 0.0) -> Array:
        ctx.window = window
        return im2col(ctx.backend, x, window, pad_value)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return Fold.apply(g, window=ctx.window, size=ctx.input_shapes[0][2:])


class Fold(Function):
    """x = col2im(cols), the adjoint of ``Unfold``; its gradient is ∂L/∂cols = im2col(∂L/∂x)
    (copying is the adjoint of summing). The pair makes second derivatives of
    convolutions work: each one's backward is the other.

    ``size`` may hold more rows/columns than the windows of ``cols`` reach (a transposed
    convolution's ``output_padding``): those pixels get nothing, and im2col of the
    gradient then has extra window positions, which no column came from — dropped."""

    @staticmethod
    def forward(ctx: Context, cols: Array, *, window: Window2d, size: Pair) -> Array:
        ctx.window = window
        return col2im(ctx.backend, cols, window, size)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        cols = Unfold.apply(g, window=ctx.window)
        oh, ow = ctx.input_shapes[0][3:5]
        if cols.shape[3:5] != (oh, ow):
            cols = cols[:, :, :, :oh, :ow]
        return cols


def direct_kernels(be: Backend, dtype: Any, window: Window2d, groups: int) -> Any | None:
    """The backend's compiled kernels when ``Conv2d`` can use them for this convolution
    (one group, width stride 1, float32/float64), else None: then ``nn.conv2d`` takes
    the im2col + matmul route, which handles every case."""
    if groups != 1 or window.stride[1] != 1 or window.extra != (0, 0):
        return None
    if np.dtype(dtype) not in (np.float32, np.float64):
        return None
    return be.window_kernels()


def _flat_rows(be: Backend, a: Array) -> Array:
    """(C, H, W, N) → (C, H, W·N): each image row as one run of numbers (a view)."""
    c, h, w, n = a.shape
    return be.reshape(a, (c, h, w * n))


class Conv2d(Function):
    """y = conv2d(x, W) + b by compiled loops, without im2col's columns (see
    ``backend/cpu_kernels.py``). x (N, C, H, W), W (O, C, kh, kw), b (O,) or absent;
    s stride, d dilation, p padding, xp the padded image::

        y[n, o, y, x] = b[o] + Σ_{c,i,j} W[o, c, i, j] · xp[n, c, y·s + i·d, x·s + j·d]

    With G = ∂L/∂y, the gradients are the same sums read the other way round::

        ∂L/∂W[o, c, i, j] = Σ_{n,y,x} G[n, o, y, x] · xp[n, c, y·s + i·d, x·s + j·d]
        ∂L/∂xp[n, c, y·s + i·d, x·s + j·d] += Σ_o W[o, c, i, j] · G[n, o, y, x]
        ∂L/∂b[o] = Σ_{n,y,x} G[n, o, y, x]

    and ∂L/∂x is ∂L/∂xp without the padding. Only for the cases ``direct_kernels``
    accepts. Under ``create_graph`` the backward is written with Tensor ops instead
    (Unfold, Fold and matmul: the im2col route's gradients), so that it is differentiable.
    """

    @staticmethod
    def forward(ctx: Context, x: Array, w: Array, b: Array | None = None, *,
                window: Window2d) -> Array:
        be = ctx.backend
        kernels: Any = be.window_kernels()  # not None: direct_kernels chose this op
        n, o = x.shape[0], w.shape[0]
        oh, ow = window.output_size(x.shape[2], x.shape[3])
        xp = _pad(be, chwn(be, x), window, 0.0)  # (C, Hp, Wp, N)
        # contiguous operands: numba compiles one version per memory layout (seconds each)
        w = be.ascontiguous(w)
        bias = be.ascontiguous(b) if b is not None else be.zeros((o,), x.dtype)
        out = be.empty((o, oh, ow, n), x.dtype)
        (sh, _), (dh, dw) = window.stride, window.dilation
        kernels.conv2d_forward(_flat_rows(be, xp), w, bias, sh, dh, dw * n,
                               _flat_rows(be, out))
        ctx.save_for_backward(x, w)  # x for create_graph (and the in-place check)
        ctx.window, ctx.padded = window, xp
        return nchw(be, out)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        window, need = ctx.window, ctx.needs_input_grad
        if is_grad_enabled():  # create_graph: the same gradients, built from Tensor ops
            return _conv2d_grads_graph(g, x, w, window, need)
        be = ctx.backend
        kernels: Any = be.window_kernels()  # not None: direct_kernels chose this op
        n, o, oh, ow = g.shape
        (sh, _), (dh, dw) = window.stride, window.dilation
        xp = ctx.padded
        gt = be.ascontiguous(be.transpose(g.data, (1, 2, 3, 0)))  # (O, OH, OW, N)
        gx = gw = gb = None
        if need[0]:
            dxp = be.empty(xp.shape, xp.dtype)
            kernels.conv2d_input_grad(_flat_rows(be, gt), w.data, sh, dh, dw * n,
                                      _flat_rows(be, dxp))
            (ph, pw), (h, wd) = window.padding, x.shape[2:]
            gx = g._constant(nchw(be, dxp[:, ph:ph + h, pw:pw + wd]))
        if need[1]:
            dwt = be.empty(w.shape, w.dtype)
            kernels.conv2d_weight_grad(_flat_rows(be, xp), _flat_rows(be, gt), sh, dh,
                                       dw * n, dwt)
            gw = g._constant(dwt)
        if len(need) == 3 and need[2]:
            gb = g._constant(be.reduce("sum", be.reshape(gt, (o, oh * ow * n)), 1, False))
        return (gx, gw, gb) if len(need) == 3 else (gx, gw)


def _conv2d_grads_graph(g: Tensor, x: Tensor, w: Tensor, window: Window2d,
                        need: tuple[bool, ...]) -> tuple[Tensor | None, ...]:
    """The gradients of ``Conv2d`` as im2col, matmul and col2im on Tensors (a graph)."""
    n, o, oh, ow = g.shape
    c, kh, kw = w.shape[1:]
    gm = g.permute(1, 2, 3, 0).reshape(o, oh * ow * n)  # (O, OH·OW·N)
    wm = w.reshape(o, c * kh * kw)
    gx = gw = gb = None
    if need[0]:
        cols = (wm.T @ gm).reshape(c, kh, kw, oh, ow, n)
        gx = Fold.apply(cols, window=window, size=x.shape[2:])
    if need[1]:
        cols = Unfold.apply(x, window=window).reshape(c * kh * kw, oh * ow * n)
        gw = (gm @ cols.T).reshape(w.shape)
    if len(need) == 3 and need[2]:
        gb = gm.sum(axis=1)
    return (gx, gw, gb) if len(need) == 3 else (gx, gw)


class MaxPool2d(Function):
    """yₙ꜀ᵧₓ = max over the window at (y, x) of xₙ꜀;  ∂L/∂x = col2im(onehot · ∂L/∂y).

    With compiled kernels (``Backend.window_kernels``, numba) forward and backward are one
    pass each (``max_pool_forward``, ``max_pool_backward``: the same winners, the
    gradient added straight to the winning pixel); the loops below are the reference.

    The whole gradient of an output goes to one input: the *first* maximum of its window
    in row-major order, as in PyTorch (``Tensor.max`` instead shares it among ties).
    Forward keeps a running maximum over the kh·kw offsets (each one strided slice) and
    remembers which offset won; the padding is −∞, so it never wins. A caller that wants
    the winners too (``return_indices``) passes a list as ``winners``: the (C, OH, OW, N)
    array of winning offsets k = i·kw + j is appended to it.
    """

    @staticmethod
    def forward(ctx: Context, x: Array, *, window: Window2d,
                winners: list[Array] | None = None) -> Array:
        be = ctx.backend
        oh, ow = window.output_size(x.shape[2], x.shape[3])
        # padding never wins: −∞ for floats, the smallest value for integers
        low = float("-inf") if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _pad(be, chwn(be, x), window, low)
        kernels = be.window_kernels() if x.dtype.kind == "f" else None
        if kernels is not None:  # compiled: one pass over the image, same winners
            n_img, c = x.shape[:2]
            best = be.empty((c, oh, ow, n_img), x.dtype)
            winner = be.empty((c, oh, ow, n_img), "int32")
            kernels.max_pool_forward(xp, *window.kernel, *window.stride, *window.dilation,
                                     best, winner)
            ctx.window, ctx.winner = window, winner
            if winners is not None:
                winners.append(winner)
            return nchw(be, best)
        best = winner = None
        for k, (_, _, rows, columns) in enumerate(window.offsets(oh, ow)):
            v = xp[:, rows, columns]
            if best is None:
                best, winner = v.copy(), be.zeros(v.shape, "int32")
                continue
            # strictly greater: on a tie the earlier offset keeps the win. k grows, so
            # the winner is the largest k that beat all before it: max(winner, k·better)
            # (two cheap ufuncs; np.where on a random mask is ten times slower)
            better = be.binary("gt", v, best)
            winner = be.binary("maximum", winner,
                               be.binary("mul", better, be.asarray(k, dtype="int32")))
            best = be.binary("maximum", best, v)
        if x.dtype.kind == "f" and be.reduce("any", be.unary("isnan", best)):
            # NaN wins its window (the last NaN, as PyTorch's CPU kernel): its max is NaN
            for k, (_, _, rows, columns) in enumerate(window.offsets(oh, ow)):
                nan = be.unary("isnan", xp[:, rows, columns])
                winner = be.where(nan, be.asarray(k, dtype="int32"), winner)
        ctx.window, ctx.winner = window, winner  # winner: (C, OH, OW, N)
        if winners is not None:
            winners.append(winner)
        return nchw(be, best)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        be, window = ctx.backend, ctx.window
        n, c, oh, ow = g.shape
        kh, kw = window.kernel
        kernels = be.window_kernels() if g.dtype.kind == "f" else None
        if kernels is not None and not is_grad_enabled():
            # compiled: each gradient added straight to the pixel that won its window
            (h, w), (ph, pw), (eh, ew) = ctx.input_shapes[0][2:], window.padding, window.extra
            dxp = be.empty((c, h + 2 * ph + eh, w + 2 * pw + ew, n), g.dtype)
            gt = be.ascontiguous(be.transpose(g.data, (1, 2, 3, 0)))
            kernels.max_pool_backward(gt, ctx.winner, kh, kw, *window.stride, *window.dilation,
                                      dxp)
            return g._constant(nchw(be, dxp[:, ph:ph + h, pw:pw + w]))
        # onehot[c, i, j, y, x, n] = 1 where offset (i, j) won the window at (y, x)
        taps = be.reshape(be.arange(0, kh * kw, 1, "int32"), (1, kh * kw, 1, 1, 1))
        won = be.reshape(ctx.winner, (c, 1, oh, ow, n))
        onehot = be.reshape(be.astype(be.binary("eq", taps, won), g.dtype),
                            (c, kh, kw, oh, ow, n))
        # written with Tensor ops (a constant mask and Fold) so create_graph works
        spread = g.permute(1, 2, 3, 0).reshape(c, 1, 1, oh, ow, n) * g._constant(onehot)
        return Fold.apply(spread, window=window, size=ctx.input_shapes[0][2:])
