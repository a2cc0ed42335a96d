"""2-D convolution as im2col + one matrix product.

For an image batch x (N, C, H, W) and a weight W (O, C, kh, kw)::

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q W[o, c, p, q] · x_pad[n, c, i·s + p·d, j·s + q·d]

``Unfold`` (``ops/conv.py``) copies every window into a column, cols (C·kh·kw, OH·OW·N);
then ``y = W.reshape(O, C·kh·kw) @ cols`` is one matrix product for the whole batch.
The gradients come from the pieces: the matmul's backward gives ∂L/∂W and ∂L/∂cols,
and Unfold's backward (col2im) adds ∂L/∂cols back onto the pixels.
"""

from __future__ import annotations

from typing import Any

from ..ops.conv import Unfold, Window2d
from ..rng import Seed
from ..tensor import DTypeLike, Tensor
from ._shapes import IntOrPair, check_image, check_window, pair
from .init import default_layer_init_
from .module import Module, Parameter

Padding = IntOrPair | str


def conv_padding(padding: Padding, kernel: tuple[int, int], dilation: tuple[int, int],
                 stride: tuple[int, int], who: str
                 ) -> tuple[tuple[int, int], tuple[int, int]]:
    """(symmetric padding, extra padding at the bottom/right). ``"valid"`` is no padding;
    ``"same"`` (stride 1 only) pads d·(k − 1) in all, the odd one at the bottom/right,
    as PyTorch does, so that the output has the input's size."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"{who}: padding must be an int, a pair, 'valid' or 'same', "
                             f"got {padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{who}: padding='same' needs stride 1, got stride {stride}")
        total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return (total[0] // 2, total[1] // 2), (total[0] % 2, total[1] % 2)
    return pair(padding, "padding", who), (0, 0)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrPair = 1,
           padding: Padding = 0, dilation: IntOrPair = 1) -> Tensor:
    """2-D cross-correlation (what deep learning calls convolution) of x (N, C, H, W) or
    (C, H, W) with weight (O, C, kh, kw) and bias (O,). Output size per axis:
    ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1."""
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out, in, kh, kw), got {weight.shape}")
    return _conv2d(x, weight, bias, stride, padding, dilation,
                   who=f"conv2d with weight {weight.shape}")


def _conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: IntOrPair,
            padding: Padding, dilation: IntOrPair, who: str) -> Tensor:
    out_c, in_c, kh, kw = weight.shape
    check_image(x, in_c, who)
    st, dil = pair(stride, "stride", who, 1), pair(dilation, "dilation", who, 1)
    pad, extra = conv_padding(padding, (kh, kw), dil, st, who)
    batch = x if x.ndim == 4 else x.unsqueeze(0)
    if extra != (0, 0):
        batch = batch.pad(((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    window = Window2d((kh, kw), st, pad, dil)
    oh, ow = check_window(batch, window, who)
    n = batch.shape[0]
    cols = Unfold.apply(batch, window=window).reshape(in_c * kh * kw, oh * ow * n)
    out = weight.reshape(out_c, in_c * kh * kw) @ cols  # (O, OH·OW·N): one product
    if bias is not None:
        out = out + bias.reshape(out_c, 1)
    # (O, OH, OW, N) → (N, O, OH, OW): a view, no copy (see ops/conv.py on the layout)
    out = out.reshape(out_c, oh, ow, n).permute(3, 0, 1, 2)
    return out if x.ndim == 4 else out.squeeze(0)


class Conv2d(Module):
    """A 2-D convolution layer with weight (out_channels, in_channels, kh, kw) and bias
    (out_channels,), initialised as in PyTorch (U(±1/√fan_in), fan_in = in·kh·kw).

    ``padding`` is an int, a pair, ``"valid"`` or ``"same"``; only zero padding.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: Padding = 0, dilation: IntOrPair = 1,
                 bias: bool = True, *, seed: Seed = None, dtype: DTypeLike = "float32",
                 device: str | None = None) -> None:
        super().__init__()
        name = "Conv2d"
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size, "kernel_size", name, 1)
        self.stride = pair(stride, "stride", name, 1)
        self.dilation = pair(dilation, "dilation", name, 1)
        conv_padding(padding, self.kernel_size, self.dilation, self.stride, name)  # validate
        self.padding: Any = padding if isinstance(padding, str) else pair(padding, "padding",
                                                                          name)
        shape = (out_channels, in_channels) + self.kernel_size
        self.weight = Parameter(Tensor.zeros(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(Tensor.zeros(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        default_layer_init_(self.weight, self.bias, seed)

    def forward(self, x: Tensor) -> Tensor:
        return _conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                       who=self.describe())

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        return s + ("" if self.bias is not None else ", bias=False")
