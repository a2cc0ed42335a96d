"""Weight initialisers. Each one fills a tensor in place (no graph is recorded) and
returns it, like ``torch.nn.init``; each random one takes ``seed`` — an int, a
``numpy.random.Generator`` (to draw several tensors from one stream) or None (fresh
entropy).

Fans: for a weight of shape (out, in, k₁, k₂, …) with receptive field r = k₁·k₂·…,
``fan_in = in·r`` and ``fan_out = out·r`` — the number of inputs that feed one output
and of outputs that one input feeds. Scaling the variance by a fan keeps activations
(fan_in) or gradients (fan_out) from growing or shrinking layer after layer.

Keras names: ``glorot_uniform_``/``glorot_normal_`` are Xavier and ``he_uniform_``/
``he_normal_`` are Kaiming with ReLU's gain √2 (Keras draws its "normal" variants from
a truncated normal; these draw from a plain one, as PyTorch does).
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import no_grad
from ..rng import Seed, make_rng
from ..tensor import Tensor

_GAINS = {"linear": 1.0, "identity": 1.0, "conv1d": 1.0, "conv2d": 1.0, "sigmoid": 1.0,
          "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 0.75}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which a nonlinearity shrinks the standard deviation, which Xavier
    and Kaiming initialisation make up for: 1 for linear/sigmoid, 5/3 for tanh, √2 for
    ReLU, √(2 / (1 + a²)) for leaky ReLU with negative slope a (default 0.01)."""
    if nonlinearity == "leaky_relu":
        a = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + a * a))
    if nonlinearity not in _GAINS:
        raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected "
                         f"one of {sorted(_GAINS) + ['leaky_relu']}")
    return _GAINS[nonlinearity]


def calculate_fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` = (out, in, *kernel)."""
    if len(shape) < 2:
        raise ValueError(f"init: fan in and fan out need a weight with at least 2 dimensions "
                         f"(out, in, ...), got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fill_(tensor: Tensor, values: np.ndarray | float) -> Tensor:
    """Write ``values`` into ``tensor`` in place, on its device, in its dtype."""
    with no_grad():
        tensor.data[...] = tensor.backend.asarray(values, dtype=tensor.dtype)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """w = 0."""
    return _fill_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """w = 1."""
    return _fill_(tensor, 1.0)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """w = val."""
    return _fill_(tensor, val)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, *, seed: Seed = None) -> Tensor:
    """w ~ U(a, b)."""
    return _fill_(tensor, make_rng(seed).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, seed: Seed = None
            ) -> Tensor:
    """w ~ N(mean, std²)."""
    return _fill_(tensor, make_rng(seed).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, *, seed: Seed = None) -> Tensor:
    """Glorot & Bengio (2010): w ~ U(−a, a) with a = gain·√(6 / (fan_in + fan_out)), so
    Var(w) = gain²·2 / (fan_in + fan_out) — a compromise between the forward and the
    backward pass."""
    fan_in, fan_out = calculate_fans(tensor.shape)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a, seed=seed)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, *, seed: Seed = None) -> Tensor:
    """w ~ N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fans(tensor.shape)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), seed=seed)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fans(tensor.shape)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:  # a zero-element weight (nn.Linear(0, 3)): nothing to draw, as PyTorch
        return 0.0
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", *, seed: Seed = None) -> Tensor:
    """He et al. (2015): w ~ U(−b, b) with b = gain·√(3 / fan), so Var(w) = gain² / fan —
    for ReLU (gain √2) the variance of activations stays constant through the layers.
    ``a`` is the leaky-ReLU slope that sets the gain (a = 0: plain ReLU)."""
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, seed=seed)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", *, seed: Seed = None) -> Tensor:
    """w ~ N(0, σ²) with σ = gain / √fan."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), seed=seed)


def default_layer_init_(weight: Tensor, bias: Tensor | None, seed: Seed = None) -> None:
    """PyTorch's default for Linear and Conv layers: ``kaiming_uniform_(w, a=√5)``, which
    works out to w ~ U(−1/√fan_in, 1/√fan_in), and b ~ U(−1/√fan_in, 1/√fan_in).
    The weight is drawn first, then the bias, from one generator."""
    rng = make_rng(seed)
    kaiming_uniform_(weight, a=math.sqrt(5), seed=rng)
    if bias is not None:
        fan_in, _ = calculate_fans(weight.shape)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        uniform_(bias, -bound, bound, seed=rng)


# Keras's names for the same initialisers
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_


def he_uniform_(tensor: Tensor, *, seed: Seed = None) -> Tensor:
    """Keras's ``he_uniform``: ``kaiming_uniform_`` for ReLU, U(±√(6 / fan_in))."""
    return kaiming_uniform_(tensor, nonlinearity="relu", seed=seed)


def he_normal_(tensor: Tensor, *, seed: Seed = None) -> Tensor:
    """Keras's ``he_normal`` (untruncated): N(0, 2 / fan_in)."""
    return kaiming_normal_(tensor, nonlinearity="relu", seed=seed)


__all__ = ["calculate_fans", "calculate_gain", "constant_", "default_layer_init_",
           "glorot_normal_", "glorot_uniform_", "he_normal_", "he_uniform_",
           "kaiming_normal_", "kaiming_uniform_", "normal_", "ones_", "uniform_",
           "xavier_normal_", "xavier_uniform_", "zeros_"]
