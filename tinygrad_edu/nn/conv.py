"""Convolution as im2col + one matrix product, and transposed convolution as its adjoint.

For an image batch x (N, C, H, W) and a weight W (O, C/g, kh, kw) in g groups::

    y[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q W[o, c, p, q] · x_pad[n, G(o)·C/g + c, i·s + p·d, j·s + q·d]

(G(o) the group of output channel o). ``Unfold`` (``ops/conv.py``) copies every window
into a column, cols (C·kh·kw, OH·OW·N); then ``y = W.reshape(O, C·kh·kw) @ cols`` is one
matrix product for the whole batch. With groups, channels and filters split into g
independent blocks and the product is a batch of g products. The gradients come from
the pieces: the matmul's backward gives ∂L/∂W and ∂L/∂cols, and Unfold's backward
(col2im) adds ∂L/∂cols back onto the pixels.

The transposed convolution is the adjoint of the convolution with respect to its input
(its forward is conv2d's backward): every input pixel is spread by the kernel over a
window of the output, ``cols = Wᵀ @ x`` and ``y = col2im(cols)`` (``Fold``), so its
output size per axis is ``(size − 1)·s − 2p + d·(k − 1) + output_padding + 1``.

1-D convolutions are the 2-D ones over images one pixel high.
"""

from __future__ import annotations

from typing import Any

from ..ops.conv import Conv2d as Conv2dFn
from ..ops.conv import Fold as FoldFn
from ..ops.conv import Unfold as UnfoldFn
from ..ops.conv import Window2d, direct_kernels
from ..rng import Seed
from ..tensor import DTypeLike, Tensor
from ._shapes import IntOrPair, check_image, check_window, pair
from .init import default_layer_init_
from .module import Module, Parameter
from .padding import pad as _pad

Padding = IntOrPair | str
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


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


def _check_groups(groups: Any, in_c: int, out_c: int, who: str) -> int:
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{who}: groups must be a positive int, got {groups!r}")
    if in_c % groups or out_c % groups:
        raise ValueError(f"{who}: in_channels ({in_c}) and out_channels ({out_c}) must both "
                         f"be divisible by groups ({groups})")
    return groups


def _check_dtypes(x: Tensor, weight: Tensor, bias: Tensor | None, who: str) -> None:
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and t.dtype != x.dtype:
            raise TypeError(f"{who}: input dtype {x.dtype} and {what} dtype {t.dtype} differ "
                            f"(PyTorch raises here too); convert the input with "
                            f".to_dtype({str(t.dtype)!r})")


# ---- 2-D -------------------------------------------------------------------------------


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: IntOrPair = 1,
           padding: Padding = 0, dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation (what deep learning calls convolution) of x (N, C, H, W) or
    (C, H, W) with weight (O, C/groups, kh, kw) and bias (O,). Output size per axis:
    ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1. See the module docstring
    for the formula; its gradients are those of its pieces (a matrix product and im2col,
    whose adjoint is col2im)."""
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be 4-D (out, in/groups, kh, kw), got "
                         f"{weight.shape}")
    return _conv2d(input, weight, bias, stride, padding, dilation, groups,
                   who=f"conv2d with weight {weight.shape}")


def _conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: IntOrPair,
            padding: Padding, dilation: IntOrPair, groups: int, who: str) -> Tensor:
    out_c, in_per_group, kh, kw = weight.shape
    g = _check_groups(groups, in_per_group * groups, out_c, who)
    in_c = in_per_group * g
    check_image(x, in_c, who)
    _check_dtypes(x, weight, bias, who)
    if bias is not None and bias.shape != (out_c,):
        raise ValueError(f"{who}: bias must have shape ({out_c},), got {bias.shape}")
    st, dil = pair(stride, "stride", who, 1), pair(dilation, "dilation", who, 1)
    pad, extra = conv_padding(padding, (kh, kw), dil, st, who)
    batch = x if x.ndim == 4 else x.unsqueeze(0)
    window = Window2d((kh, kw), st, pad, dil, extra)
    oh, ow = check_window(batch, window, who)
    n = batch.shape[0]
    if n and direct_kernels(batch.backend, batch.dtype, window, g) is not None:
        # compiled direct convolution (numba installed): no columns, bias inside
        out = Conv2dFn.apply(batch, weight, *(() if bias is None else (bias,)), window=window)
        return out if x.ndim == 4 else out.squeeze(0)
    cols = UnfoldFn.apply(batch, window=window)  # (C, kh, kw, OH, OW, N)
    if g == 1:
        out = weight.reshape(out_c, in_c * kh * kw) @ cols.reshape(in_c * kh * kw,
                                                                  oh * ow * n)
    else:  # g independent products, one per group of channels: a batched matmul
        k = in_per_group * kh * kw
        out = weight.reshape(g, out_c // g, k) @ cols.reshape(g, k, oh * ow * n)
        out = out.reshape(out_c, oh * ow * n)
    if bias is not None:
        out = out + bias.reshape(out_c, 1)
    # (O, OH, OW, N) → (N, O, OH, OW): a view, no copy (see ops/conv.py on the layout)
    out = out.reshape(out_c, oh, ow, n).permute(3, 0, 1, 2)
    return out if x.ndim == 4 else out.squeeze(0)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
    """Transposed 2-D convolution ("deconvolution") of x (N, C, H, W) or (C, H, W) with
    weight (C, O/groups, kh, kw): the adjoint of ``conv2d`` with respect to its input,
    computed as ``col2im(Wᵀ @ x)``. Output size per axis::

        (size − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1

    ``output_padding`` (smaller than the stride or the dilation) adds rows/columns at the
    bottom/right only, to pick among the input sizes that a strided conv2d maps to the
    same output size. Its gradients
    are those of its pieces: ∂L/∂x = W @ im2col(∂L/∂y) (a conv2d),
    ∂L/∂W = x · im2col(∂L/∂y)ᵀ.
    """
    if weight.ndim != 4:
        raise ValueError(f"conv_transpose2d: weight must be 4-D (in, out/groups, kh, kw), got "
                         f"{weight.shape}")
    return _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, who=f"conv_transpose2d with weight {weight.shape}")


def _conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: IntOrPair,
                      padding: IntOrPair, output_padding: IntOrPair, groups: int,
                      dilation: IntOrPair, who: str) -> Tensor:
    in_c, out_per_group, kh, kw = weight.shape
    g = _check_groups(groups, in_c, out_per_group * groups, who)
    out_c = out_per_group * g
    check_image(x, in_c, who)
    _check_dtypes(x, weight, bias, who)
    if bias is not None and bias.shape != (out_c,):
        raise ValueError(f"{who}: bias must have shape ({out_c},), got {bias.shape}")
    st, dil = pair(stride, "stride", who, 1), pair(dilation, "dilation", who, 1)
    pd, op = pair(padding, "padding", who), pair(output_padding, "output_padding", who)
    if any(o >= max(s, d) for o, s, d in zip(op, st, dil, strict=True)):
        raise ValueError(f"{who}: output_padding {op} must be smaller than either the stride "
                         f"{st} or the dilation {dil}")
    batch = x if x.ndim == 4 else x.unsqueeze(0)
    n, _, h, w = batch.shape
    size = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o in
                 zip((h, w), st, pd, dil, (kh, kw), op, strict=True))
    if min(size) < 1 or min(h, w) < 1:
        raise ValueError(f"{who}: input of size {h}×{w} gives an output of size "
                         f"{size[0]}×{size[1]}, which is too small (input shape {x.shape})")
    xr = batch.permute(1, 2, 3, 0)  # (C, H, W, N): the column layout of ops/conv.py
    if g == 1:
        cols = weight.reshape(in_c, out_c * kh * kw).T @ xr.reshape(in_c, h * w * n)
    else:
        k = out_per_group * kh * kw
        cols = weight.reshape(g, in_c // g, k).mT @ xr.reshape(g, in_c // g, h * w * n)
    cols = cols.reshape(out_c, kh, kw, h, w, n)
    out = FoldFn.apply(cols, window=Window2d((kh, kw), st, pd, dil), size=size)
    if bias is not None:
        out = out + bias.reshape(1, out_c, 1, 1)
    return out if x.ndim == 4 else out.squeeze(0)


# ---- 1-D: images one pixel high ---------------------------------------------------------


def _single(value: Any, name: str, who: str, minimum: int = 0) -> int:
    """3 → 3, (3,) → 3; anything else (or below ``minimum``) is an error."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{who}: {name} must be an int or a 1-tuple, got {value!r}")
    if value < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value!r}")
    return value


def _as_2d(x: Tensor, weight: Tensor, who: str) -> tuple[Tensor, Tensor]:
    if weight.ndim != 3:
        raise ValueError(f"{who}: weight must be 3-D (out, in, k), got {weight.shape}")
    if x.ndim not in (2, 3):
        raise ValueError(f"{who} expected input (N, C, L) or (C, L), got {x.shape}")
    return x.unsqueeze(-2), weight.unsqueeze(-2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
           stride: int | tuple[int] = 1, padding: int | tuple[int] | str = 0,
           dilation: int | tuple[int] = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of x (N, C, L) or (C, L) with weight (O, C/groups, k): the
    2-D one over an image of height 1. Output length
    ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1."""
    who = f"conv1d with weight {weight.shape}"
    x2, w2 = _as_2d(input, weight, who)
    p = padding if isinstance(padding, str) else (0, _single(padding, "padding", who))
    out = _conv2d(x2, w2, bias, (1, _single(stride, "stride", who, 1)), p,
                  (1, _single(dilation, "dilation", who, 1)), groups, who)
    return out.squeeze(-2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: int | tuple[int] = 1, padding: int | tuple[int] = 0,
                     output_padding: int | tuple[int] = 0, groups: int = 1,
                     dilation: int | tuple[int] = 1) -> Tensor:
    """Transposed 1-D convolution of x (N, C, L) or (C, L) with weight (C, O/groups, k);
    see ``conv_transpose2d``."""
    who = f"conv_transpose1d with weight {weight.shape}"
    x2, w2 = _as_2d(input, weight, who)
    out = _conv_transpose2d(x2, w2, bias, (1, _single(stride, "stride", who, 1)),
                            (0, _single(padding, "padding", who)),
                            (0, _single(output_padding, "output_padding", who)), groups,
                            (1, _single(dilation, "dilation", who, 1)), who)
    return out.squeeze(-2)


# ---- 3-D: a sum of 2-D convolutions over the depth taps -----------------------------------


def _triple(value: Any, name: str, who: str, minimum: int = 0) -> tuple[int, int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * 3
    if not (isinstance(value, (tuple, list)) and len(value) == 3 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise TypeError(f"{who}: {name} must be an int or a triple of ints, got {value!r}")
    if min(value) < minimum:
        raise ValueError(f"{who}: {name} must be at least {minimum}, got {value!r}")
    return (int(value[0]), int(value[1]), int(value[2]))


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D cross-correlation of x (N, C, D, H, W) or (C, D, H, W) with weight
    (O, C/groups, kd, kh, kw). Depth tap t of output slice z reads input slice
    z·s_d − p_d + t·d_d, so the 3-D convolution is a sum over the kd taps of 2-D ones::

        y[:, :, z] = b + Σ_t conv2d(x_pad[:, :, z·s_d + t·d_d], W[:, :, t])

    with all OD output slices of one tap convolved as one batch. Gradients come from
    the 2-D convolutions and the slicing."""
    who = f"conv3d with weight {weight.shape}"
    if weight.ndim != 5:
        raise ValueError(f"conv3d: weight must be 5-D (out, in/groups, kd, kh, kw), got "
                         f"{weight.shape}")
    if input.ndim not in (4, 5):
        raise ValueError(f"{who} expected input (N, C, D, H, W) or (C, D, H, W), got "
                         f"{input.shape}")
    st, dil = _triple(stride, "stride", who, 1), _triple(dilation, "dilation", who, 1)
    out_c, kd = weight.shape[0], weight.shape[2]
    plane: Any  # the padding of the 2-D convolutions: numbers, or "same"/"valid"
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{who}: padding must be an int, a triple, 'valid' or 'same', "
                             f"got {padding!r}")
        if padding == "same" and st != (1, 1, 1):
            raise ValueError(f"{who}: padding='same' needs stride 1, got stride {st}")
        span = dil[0] * (kd - 1) if padding == "same" else 0
        depth_pad, plane = (span // 2, span - span // 2), padding
    else:
        pd = _triple(padding, "padding", who)
        depth_pad, plane = (pd[0], pd[0]), pd[1:]
    x = input if input.ndim == 5 else input.unsqueeze(0)
    n, c, depth = x.shape[:3]
    padded = depth + sum(depth_pad)
    od = (padded - dil[0] * (kd - 1) - 1) // st[0] + 1
    if od < 1:
        raise ValueError(f"{who}: input depth {depth} (padded: {padded}) is smaller than "
                         f"the kernel depth {dil[0] * (kd - 1) + 1}")
    if any(depth_pad):
        x = x.pad(((0, 0), (0, 0), depth_pad, (0, 0), (0, 0)))
    total: Tensor | None = None
    for t in range(kd):
        start = t * dil[0]
        slices = x[:, :, start:start + st[0] * (od - 1) + 1:st[0]]  # (N, C, OD, H, W)
        flat = slices.permute(0, 2, 1, 3, 4).reshape(n * od, c, *x.shape[3:])
        y = _conv2d(flat, weight[:, :, t], None, st[1:], plane, dil[1:], groups, who)
        total = y if total is None else total + y
    assert total is not None
    out = total.reshape(n, od, out_c, *total.shape[2:]).permute(0, 2, 1, 3, 4)
    if bias is not None:
        if bias.shape != (out_c,):
            raise ValueError(f"{who}: bias must have shape ({out_c},), got {bias.shape}")
        out = out + bias.reshape(1, out_c, 1, 1, 1)
    return out if input.ndim == 5 else out.squeeze(0)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None,
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed 3-D convolution of x (N, C, D, H, W) or (C, D, H, W) with weight
    (C, O/groups, kd, kh, kw); see ``conv_transpose2d``. Input slice z, through depth tap
    t, lands on output slice z·s_d − p_d + t·d_d, so the result is a sum over the kd taps
    of 2-D transposed convolutions (all D slices of a tap as one batch), each spread
    along the depth with stride s_d (zeros between) and shifted by t·d_d."""
    who = f"conv_transpose3d with weight {weight.shape}"
    if weight.ndim != 5:
        raise ValueError(f"conv_transpose3d: weight must be 5-D (in, out/groups, kd, kh, kw), "
                         f"got {weight.shape}")
    if input.ndim not in (4, 5):
        raise ValueError(f"{who} expected input (N, C, D, H, W) or (C, D, H, W), got "
                         f"{input.shape}")
    st, dil = _triple(stride, "stride", who, 1), _triple(dilation, "dilation", who, 1)
    pd, op = _triple(padding, "padding", who), _triple(output_padding, "output_padding", who)
    x = input if input.ndim == 5 else input.unsqueeze(0)
    n, c, depth = x.shape[:3]
    kd, s, p, d = weight.shape[2], st[0], pd[0], dil[0]
    out_d = (depth - 1) * s - 2 * p + d * (kd - 1) + op[0] + 1
    if out_d < 1 or depth < 1:
        raise ValueError(f"{who}: input depth {depth} gives an output depth {out_d}")
    if op[0] >= max(s, d):
        raise ValueError(f"{who}: output_padding {op} must be smaller than either the stride "
                         f"{st} or the dilation {dil}")
    canvas = max((depth - 1) * s + d * (kd - 1) + 1, p + out_d)
    flat = x.permute(0, 2, 1, 3, 4).reshape(n * depth, c, *x.shape[3:])
    total: Tensor | None = None
    for t in range(kd):
        y = _conv_transpose2d(flat, weight[:, :, t], None, st[1:], pd[1:], op[1:], groups,
                              dil[1:], who)
        y = y.reshape(n, depth, *y.shape[1:])  # (N, D, O, H', W')
        if s > 1:  # slice z goes to z·s: s − 1 empty slices after each
            spread = y.unsqueeze(2).pad(((0, 0), (0, 0), (0, s - 1)) + ((0, 0),) * 3)
            y = spread.reshape(n, depth * s, *y.shape[2:])[:, :(depth - 1) * s + 1]
        start = t * d
        y = y.pad(((0, 0), (start, canvas - start - y.shape[1])) + ((0, 0),) * 3)
        total = y if total is None else total + y
    assert total is not None
    out = total[:, p:p + out_d].permute(0, 2, 1, 3, 4)
    if bias is not None:
        if bias.shape != (out.shape[1],):
            raise ValueError(f"{who}: bias must have shape ({out.shape[1]},), got {bias.shape}")
        out = out + bias.reshape(1, -1, 1, 1, 1)
    return out if input.ndim == 5 else out.squeeze(0)


# ---- layers ----------------------------------------------------------------------------


def _tuple(value: Any, dims: int, name: str, who: str, minimum: int = 0) -> Any:
    """A layer's size argument as a tuple of ``dims`` ints (PyTorch keeps them so)."""
    if dims == 3:
        return _triple(value, name, who, minimum)
    return pair(value, name, who, minimum) if dims == 2 else (_single(value, name, who,
                                                                      minimum),)


class _ConvNd(Module):
    """Shared by the convolution layers: weight and bias, initialised as in PyTorch
    (U(±1/√fan_in), fan_in = weight.shape[1]·kernel area), and their description."""

    _dims = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, groups: int, bias: bool, padding_mode: str,
                 output_padding: Any = 0, *, seed: Seed = None, dtype: DTypeLike = "float32",
                 device: str | None = None) -> None:
        super().__init__()
        name, d = type(self).__name__, self._dims
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.groups = _check_groups(groups, self.in_channels, self.out_channels, name)
        self.kernel_size = _tuple(kernel_size, d, "kernel_size", name, 1)
        self.stride = _tuple(stride, d, "stride", name, 1)
        self.dilation = _tuple(dilation, d, "dilation", name, 1)
        self.output_padding = _tuple(output_padding, d, "output_padding", name)
        if padding_mode not in _PADDING_MODES or (self._transposed and padding_mode != "zeros"):
            allowed = ("zeros",) if self._transposed else _PADDING_MODES
            raise ValueError(f"{name}: padding_mode must be one of {allowed}, got "
                             f"{padding_mode!r}")
        self.padding_mode = padding_mode
        if isinstance(padding, str):
            if self._transposed:
                raise ValueError(f"{name}: padding must be an int or a tuple, got {padding!r}")
            lead = (1,) * (2 - d)  # a 1-D layer is a 2-D one of height 1
            conv_padding(padding, lead + self.kernel_size, lead + self.dilation,
                         lead + self.stride, name)  # validate
            self.padding: Any = padding
        else:
            self.padding = _tuple(padding, d, "padding", name)
        if self._transposed:
            shape = (self.in_channels, self.out_channels // self.groups) + self.kernel_size
        else:
            shape = (self.out_channels, self.in_channels // self.groups) + self.kernel_size
        self.weight = Parameter(Tensor.zeros(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(Tensor.zeros(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        default_layer_init_(self.weight, self.bias, seed)

    def _mode_padded(self, x: Tensor) -> tuple[Tensor, Any]:
        """With a padding_mode other than zeros, pad x that way first and convolve with no
        padding (as PyTorch does)."""
        if self.padding_mode == "zeros":
            return x, self.padding
        k, dil = self.kernel_size, self.dilation
        if self.padding == "valid":
            return x, 0
        if self.padding == "same":
            lo = tuple(di * (ki - 1) // 2 for ki, di in zip(k, dil, strict=True))
            hi = tuple(di * (ki - 1) - lo_ for ki, di, lo_ in zip(k, dil, lo, strict=True))
        else:
            lo = hi = self.padding
        widths: list[int] = []
        for a, b in zip(reversed(lo), reversed(hi), strict=True):
            widths += [a, b]
        return _pad(x, widths, self.padding_mode), 0

    def extra_repr(self) -> str:
        one = (1,) * self._dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding!r}"
        if self._transposed and self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.dilation != one:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode!r}"
        return s + ("" if self.bias is not None else ", bias=False")


class Conv2d(_ConvNd):
    """A 2-D convolution layer with weight (out_channels, in_channels/groups, kh, kw) and
    bias (out_channels,); see ``conv2d``. ``padding`` is an int, a pair, ``"valid"`` or
    ``"same"``; ``padding_mode`` is "zeros", "reflect", "replicate" or "circular"."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: Padding = 0, dilation: IntOrPair = 1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", *,
                 seed: Seed = None, dtype: DTypeLike = "float32", device: str | None = None
                 ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed=seed, dtype=dtype, device=device)

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._mode_padded(x)
        return _conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                       self.groups, who=self.describe())


class Conv1d(_ConvNd):
    """A 1-D convolution layer with weight (out_channels, in_channels/groups, k) and bias
    (out_channels,) over (N, C, L) sequences; see ``conv1d``."""

    _dims = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int],
                 stride: int | tuple[int] = 1, padding: int | tuple[int] | str = 0,
                 dilation: int | tuple[int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed=seed, dtype=dtype, device=device)

    def forward(self, x: Tensor) -> Tensor:
        x, padding = self._mode_padded(x)
        who = self.describe()
        x2, w2 = _as_2d(x, self.weight, who)
        p = padding if isinstance(padding, str) else (0, _single(padding, "padding", who))
        out = _conv2d(x2, w2, self.bias, (1,) + self.stride, p, (1,) + self.dilation,
                      self.groups, who)
        return out.squeeze(-2)


class Conv3d(_ConvNd):
    """A 3-D convolution layer with weight (out_channels, in_channels/groups, kd, kh, kw)
    and bias (out_channels,) over (N, C, D, H, W) volumes; see ``conv3d``. Only zero
    padding (no padding_mode)."""

    _dims = 3

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        if padding_mode != "zeros":
            raise NotImplementedError("Conv3d: only padding_mode='zeros' is implemented")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, seed=seed, dtype=dtype, device=device)

    def forward(self, x: Tensor) -> Tensor:
        return conv3d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                      self.groups)


class ConvTranspose3d(_ConvNd):
    """A transposed 3-D convolution layer with weight (in_channels,
    out_channels/groups, kd, kh, kw) and bias (out_channels,); see ``conv_transpose3d``."""

    _dims = 3
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, seed=seed, dtype=dtype,
                         device=device)

    def forward(self, x: Tensor) -> Tensor:
        return conv_transpose3d(x, self.weight, self.bias, self.stride, self.padding,
                                self.output_padding, self.groups, self.dilation)


class ConvTranspose2d(_ConvNd):
    """A transposed 2-D convolution layer with weight (in_channels, out_channels/groups,
    kh, kw) and bias (out_channels,); see ``conv_transpose2d``."""

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntOrPair,
                 stride: IntOrPair = 1, padding: IntOrPair = 0,
                 output_padding: IntOrPair = 0, groups: int = 1, bias: bool = True,
                 dilation: IntOrPair = 1, padding_mode: str = "zeros", *, seed: Seed = None,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, seed=seed, dtype=dtype,
                         device=device)

    def forward(self, x: Tensor) -> Tensor:
        return _conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                 self.output_padding, self.groups, self.dilation,
                                 who=self.describe())


class ConvTranspose1d(_ConvNd):
    """A transposed 1-D convolution layer with weight (in_channels, out_channels/groups,
    k) and bias (out_channels,); see ``conv_transpose1d``."""

    _dims = 1
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int],
                 stride: int | tuple[int] = 1, padding: int | tuple[int] = 0,
                 output_padding: int | tuple[int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int] = 1, padding_mode: str = "zeros", *,
                 seed: Seed = None, dtype: DTypeLike = "float32", device: str | None = None
                 ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, seed=seed, dtype=dtype,
                         device=device)

    def forward(self, x: Tensor) -> Tensor:
        who = self.describe()
        x2, w2 = _as_2d(x, self.weight, who)
        out = _conv_transpose2d(x2, w2, self.bias, (1,) + self.stride, (0,) + self.padding,
                                (0,) + self.output_padding, self.groups, (1,) + self.dilation,
                                who)
        return out.squeeze(-2)


# ---- im2col and col2im as PyTorch's unfold / fold ----------------------------------------


def unfold(input: Tensor, kernel_size: IntOrPair, dilation: IntOrPair = 1,
           padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """im2col in PyTorch's layout: images (N, C, H, W) or (C, H, W) → blocks
    (N, C·kh·kw, L), L = OH·OW window positions in row-major order; row c·kh·kw + i·kw + j
    holds what kernel offset (i, j) of channel c sees. The gradient is ``fold`` (col2im),
    which adds each block entry back onto its pixel."""
    who = "unfold"
    check_image(input, None, who)
    batch = input if input.ndim == 4 else input.unsqueeze(0)
    window = Window2d(pair(kernel_size, "kernel_size", who, 1), pair(stride, "stride", who, 1),
                      pair(padding, "padding", who), pair(dilation, "dilation", who, 1))
    oh, ow = check_window(batch, window, who)
    n, c = batch.shape[:2]
    kh, kw = window.kernel
    cols = UnfoldFn.apply(batch, window=window)  # (C, kh, kw, OH, OW, N)
    out = cols.reshape(c * kh * kw, oh * ow, n).permute(2, 0, 1)
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size: IntOrPair, kernel_size: IntOrPair,
         dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """col2im, the adjoint of ``unfold``: blocks (N, C·kh·kw, L) or (C·kh·kw, L) → images
    (N, C, H, W), ``output_size`` = (H, W), each entry *added* to the pixel it belongs to
    (overlapping windows sum). Its gradient is ``unfold``."""
    who = "fold"
    size = pair(output_size, "output_size", who, 1)
    window = Window2d(pair(kernel_size, "kernel_size", who, 1), pair(stride, "stride", who, 1),
                      pair(padding, "padding", who), pair(dilation, "dilation", who, 1))
    kh, kw = window.kernel
    oh, ow = window.output_size(*size)
    if input.ndim not in (2, 3) or input.shape[-2] % (kh * kw) or input.shape[-1] != oh * ow \
            or min(oh, ow) < 1:
        raise ValueError(f"{who}: expected input (N, C·{kh}·{kw}, {max(oh, 0) * max(ow, 0)}) "
                         f"for output_size {size} and kernel {window.kernel} (L = the number "
                         f"of window positions), got shape {input.shape}")
    batch = input if input.ndim == 3 else input.unsqueeze(0)
    n, rows = batch.shape[:2]
    cols = batch.permute(1, 2, 0).reshape(rows // (kh * kw), kh, kw, oh, ow, n)
    out = FoldFn.apply(cols, window=window, size=size)
    return out if input.ndim == 3 else out.squeeze(0)


class Unfold(Module):
    """``unfold`` (im2col) as a layer."""

    def __init__(self, kernel_size: IntOrPair, dilation: IntOrPair = 1, padding: IntOrPair = 0,
                 stride: IntOrPair = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, x: Tensor) -> Tensor:
        return unfold(x, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """``fold`` (col2im) as a layer."""

    def __init__(self, output_size: IntOrPair, kernel_size: IntOrPair, dilation: IntOrPair = 1,
                 padding: IntOrPair = 0, stride: IntOrPair = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, x: Tensor) -> Tensor:
        return fold(x, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
