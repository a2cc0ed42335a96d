"""Layer normalisation, composed from Tensor ops.

Written with existing differentiable ops (mean, subtraction, power, square root), so its
backward is derived by the engine and is itself differentiable (create_graph works)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import operands

if TYPE_CHECKING:
    from ..tensor import Tensor


def layer_norm(x: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` axes, per example::

        μ = mean(x),   σ² = mean((x − μ)²)   (biased, as PyTorch)
        y = (x − μ) / √(σ² + ε) · γ + β

    With x̂ = (x − μ)/√(σ² + ε) and n the number of normalised elements, the gradient the
    engine derives is ∂L/∂x = (1/√(σ² + ε)) · (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = γ·∂L/∂y.
    Unlike batch norm it uses no statistics of other examples: nothing to track for eval.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(
        int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[-k:]) != shape:
        raise ValueError(f"layer_norm: normalized_shape {shape} does not match the last "
                         f"axes of the input of shape {x.shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise ValueError(f"layer_norm: {name} must have shape {shape}, got {p.shape}")
    x = operands.floating(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(axes, keepdims=True)
    var = (centred * centred).mean(axes, keepdims=True)
    y = centred / (var + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
