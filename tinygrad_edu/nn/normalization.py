"""Batch normalisation (Ioffe & Szegedy, 2015), and layer normalisation (Ba et al., 2016)
at the end of this file.

In training, each channel c is normalised with the statistics of the current batch::

    μ = mean of x over every axis but the channel axis (1)
    σ² = the biased variance over the same axes
    y = (x − μ) / √(σ² + ε) · γ + β

and running estimates are updated for evaluation, where they replace μ and σ²::

    running_mean ← (1 − m)·running_mean + m·μ
    running_var  ← (1 − m)·running_var  + m·σ²·n/(n − 1)     (the unbiased variance)

The backward pass is built from mean/var/sqrt, so gradients flow through μ and σ² too.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..autograd import no_grad
from ..ops.normalization import layer_norm
from ..tensor import DTypeLike, Tensor
from .init import ones_, zeros_
from .module import Module, Parameter


def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise x (N, C, ...) per channel; see the module docstring. With ``training``
    the batch statistics are used and the running ones (when given) updated in place;
    otherwise the running statistics are used."""
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)  # broadcasts a per-channel vector over x
    if training:
        n = x.size // c
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input of shape {x.shape}")
        mean = x.mean(axes, keepdims=True)
        var = x.var(axes, keepdims=True, correction=0)
        if running_mean is not None and running_var is not None:
            with no_grad():
                _blend_(running_mean, mean.detach(), momentum)
                _blend_(running_var, var.detach() * (n / (n - 1)), momentum)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation needs running_mean and running_var")
        mean, var = running_mean.reshape(shape), running_var.reshape(shape)
    y = (x - mean) / (var + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _blend_(running: Tensor, batch: Tensor, momentum: float) -> None:
    """running ← (1 − m)·running + m·batch, in place (the buffer object stays the same)."""
    running.data[...] = (running * (1 - momentum) + batch.reshape(running.shape)
                         * momentum).data


class _BatchNorm(Module):
    """Shared by BatchNorm1d and BatchNorm2d, which differ only in the input they accept.

    Parameters γ (``weight``, ones) and β (``bias``, zeros) when ``affine``; buffers
    ``running_mean`` (zeros), ``running_var`` (ones) and ``num_batches_tracked`` when
    ``track_running_stats``. ``momentum=None`` makes the running statistics a plain
    cumulative average (m = 1 / number of batches seen).
    """

    _dims: tuple[int, ...] = ()
    _layout = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ones_(Tensor.zeros(num_features, dtype=dtype,
                                                       device=device)))
            self.bias = Parameter(Tensor.zeros(num_features, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor.zeros(num_features, dtype=dtype,
                                                              device=device))
            self.register_buffer("running_var", Tensor.ones(num_features, dtype=dtype,
                                                            device=device))
            self.register_buffer("num_batches_tracked", Tensor.zeros((), dtype="int64",
                                                                     device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            zeros_(self.running_mean)
            ones_(self.running_var)
            self.num_batches_tracked.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._dims or x.shape[1] != self.num_features:
            raise ValueError(f"{self.describe()} expected input {self._layout} with "
                             f"C = {self.num_features}, got {x.shape}")
        # batch statistics in training, and always when no running ones are kept
        use_batch = self.training or self.running_mean is None
        momentum = self.momentum if self.momentum is not None else 0.0
        if use_batch and self.running_mean is not None:
            self.num_batches_tracked.data[...] += 1
            if self.momentum is None:  # a cumulative average over the batches seen
                momentum = 1.0 / float(self.num_batches_tracked.item())
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        s = f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"
        if not self.affine:
            s += ", affine=False"
        return s + ("" if self.track_running_stats else ", track_running_stats=False")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) features or (N, C, L) sequences, per feature C."""

    _dims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C (statistics over N, H, W)."""

    _dims = (4,)
    _layout = "(N, C, H, W)"


class LayerNorm(Module):
    """Layer normalisation: each example normalised over its last axes (the features),
    y = (x − μ)/√(σ² + ε)·γ + β, with μ, σ² of that one example (see
    :func:`~tinygrad_edu.ops.normalization.layer_norm`). The same in training and
    evaluation, and independent of the batch size — why Transformers use it.

    γ (``weight``, ones) and β (``bias``, zeros) of shape ``normalized_shape`` when
    ``elementwise_affine`` (``bias=False`` drops β alone), as ``torch.nn.LayerNorm``.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, *,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
            int(n) for n in normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones_(Tensor.zeros(shape, dtype=dtype, device=device)))
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = Parameter(Tensor.zeros(shape, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


# ---- group normalisation (Wu & He, 2018) -------------------------------------------------


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise x (N, C, ...) within each sample over groups of C/G channels::

        μ, σ² = mean and biased variance of x[n, group g] (its channels and positions)
        y = (x − μ) / √(σ² + ε) · γ_c + β_c

    No batch statistics, so the same in training and evaluation, and fine for batches
    of one. G = 1 is layer norm over (C, ...); G = C is instance norm. Built from
    mean/var/sqrt, so the gradient flows through μ and σ² too."""
    x = input
    if x.ndim < 2:
        raise ValueError(f"group_norm: expected input (N, C, ...), got shape {x.shape}")
    n, c = x.shape[:2]
    if not isinstance(num_groups, int) or num_groups < 1 or c % num_groups:
        raise ValueError(f"group_norm: the {c} channels of input {x.shape} must split into "
                         f"num_groups = {num_groups!r} groups of equal size")
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and t.shape != (c,):
            raise ValueError(f"group_norm: {what} must have shape ({c},), got {t.shape}")
    groups = x.reshape(n, num_groups, x.size // max(n * num_groups, 1))
    mean = groups.mean(-1, keepdims=True)
    var = groups.var(-1, keepdims=True, correction=0)
    y = ((groups - mean) / (var + eps).sqrt()).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


class GroupNorm(Module):
    """Group normalisation of (N, C, ...) inputs, ``group_norm``; γ (``weight``, ones) and
    β (``bias``, zeros) per channel when ``affine``."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, *, dtype: DTypeLike = "float32",
                 device: str | None = None) -> None:
        super().__init__()
        if num_groups < 1 or num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps = num_groups, num_channels, eps
        self.affine = affine
        if affine:
            self.weight = Parameter(Tensor.ones(num_channels, dtype=dtype, device=device))
            self.bias = Parameter(Tensor.zeros(num_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"{self.describe()} expected input (N, {self.num_channels}, ...), "
                             f"got {x.shape}")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}"
                + ("" if self.affine else ", affine=False"))


# ---- instance normalisation (Ulyanov et al., 2016) ----------------------------------------


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample over its positions: ``group_norm`` with one
    group per channel. With ``use_input_stats=False`` the running statistics are used
    instead (like ``batch_norm`` in evaluation); with ``use_input_stats`` and running
    statistics given, those are updated in place with the batch average of the
    per-instance mean and unbiased variance, as PyTorch does."""
    x = input
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected input (N, C, ...) with at least one "
                         f"spatial axis, got shape {x.shape}")
    c = x.shape[1]
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and "
                             "running_var")
        return batch_norm(x, running_mean, running_var, weight, bias, False, momentum, eps)
    if running_mean is not None and running_var is not None:
        axes = tuple(range(2, x.ndim))
        n = x.size // max(x.shape[0] * c, 1)
        with no_grad():
            per = x.detach()
            _blend_(running_mean, per.mean(axes).mean(0), momentum)
            unbiased = per.var(axes, correction=0) * (n / max(n - 1, 1))
            _blend_(running_var, unbiased.mean(0), momentum)
    return group_norm(x, c, weight, bias, eps)


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d/3d: PyTorch's defaults are affine=False and
    track_running_stats=False (statistics of each instance, in training and evaluation)."""

    _spatial = 2

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, *,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         dtype=dtype, device=device)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._dims or x.shape[x.ndim - self._spatial - 1] != \
                self.num_features:
            raise ValueError(f"{self.describe()} expected input {self._layout} with "
                             f"C = {self.num_features}, got {x.shape}")
        batch = x if x.ndim == self._spatial + 2 else x.unsqueeze(0)
        use_input = self.training or self.running_mean is None
        momentum = self.momentum if self.momentum is not None else 0.0
        if use_input and self.running_mean is not None:
            self.num_batches_tracked.data[...] += 1
            if self.momentum is None:
                momentum = 1.0 / float(self.num_batches_tracked.item())
        out = instance_norm(batch, self.running_mean, self.running_var, self.weight,
                            self.bias, use_input, momentum, self.eps)
        return out if x.ndim == self._spatial + 2 else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) sequences."""

    _dims, _spatial, _layout = (2, 3), 1, "(N, C, L) or (C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) images."""

    _dims, _spatial, _layout = (3, 4), 2, "(N, C, H, W) or (C, H, W)"


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) volumes."""

    _dims, _spatial, _layout = (4, 5), 3, "(N, C, D, H, W) or (C, D, H, W)"
