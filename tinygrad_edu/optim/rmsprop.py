"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

from ..backend.base import Array
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_range, ema_, zeros_like


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Coursera lecture 6e, 2012) with ``torch.optim.RMSprop`` semantics.

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        g ← g + λ·θ                          weight decay λ
        s ← α·s + (1 − α)·g²                 mean square (s₀ = 0)
        ḡ ← α·ḡ + (1 − α)·g                  mean gradient, only when centered (ḡ₀ = 0)
        d = √(s − ḡ²) + ε   if centered      (an estimate of the standard deviation;
                                              s − ḡ² is clamped at 0 against rounding)
        d = √s + ε          otherwise
        b ← μ·b + g / d;  θ ← θ − lr·b       if momentum μ > 0 (b₀ = 0)
        θ ← θ − lr · g / d                   otherwise

    Defaults: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, maximize=False.

    Differences from other descriptions: the lecture (and Keras/TensorFlow, whose decay
    ρ defaults to 0.9) put ε *inside* the square root, √(s + ε); PyTorch — and this class —
    add it outside. ``centered`` is Graves' (2013) variant; momentum is applied to the
    already normalised step, not to the raw gradient.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
                    "momentum": momentum, "centered": centered, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "momentum", "weight_decay"):
            check_range(self, name, group[name], low=0.0)
        check_range(self, "alpha", group["alpha"], low=0.0, high=1.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = {"square_avg": zeros_like(p)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)
        return state

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        be = p.backend
        alpha = group["alpha"]
        ema_(state["square_avg"], g * g, alpha)
        if group["centered"]:
            g_avg = state["grad_avg"]
            ema_(g_avg, g, alpha)
            # s − ḡ² ≥ 0 in exact arithmetic, but with a nearly constant gradient it is
            # a difference of two almost equal numbers and can round below 0; clamping
            # avoids √(negative) = NaN (where PyTorch gives NaN; elsewhere they agree)
            d = be.unary("sqrt", be.binary("maximum", state["square_avg"] - g_avg * g_avg, 0.0))
        else:
            d = be.unary("sqrt", state["square_avg"])
        d += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / d
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * (g / d)
