"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

from ..backend.base import Array
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_betas, check_range, ema_, zeros_like


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, §7.1) with PyTorch's ``torch.optim.Adamax`` semantics.

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        g ← g + λ·θ                         weight decay λ
        m ← β₁·m + (1 − β₁)·g               first moment (m₀ = 0)
        u ← max(β₂·u, |g| + ε)              exponentially weighted infinity norm (u₀ = 0)
        θ ← θ − lr/(1 − β₁ᵗ) · m / u

    Defaults: lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False.

    Difference from the paper: the paper has ``u ← max(β₂·u, |g|)`` with no ε at all
    (so u can be 0 where every gradient so far was 0, and m/u is 0/0). PyTorch adds ε to
    |g| *inside* the max, so u ≥ ε always; this class does the same. (PyTorch's
    differentiable path writes it as ``cat([β₂·u, |g|+ε]).amax(0)`` — the same numbers.)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps,
                    "weight_decay": weight_decay, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range(self, "lr", group["lr"], low=0.0)
        check_betas(self, group["betas"])
        check_range(self, "eps", group["eps"], low=0.0)
        check_range(self, "weight_decay", group["weight_decay"], low=0.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"exp_avg": zeros_like(p), "exp_inf": zeros_like(p)}

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        m, u = state["exp_avg"], state["exp_inf"]
        ema_(m, g, beta1)
        u *= beta2
        u[...] = p.backend.binary("maximum", u, p.backend.unary("abs", g) + group["eps"])
        p.data -= group["lr"] / (1 - beta1 ** state["step"]) * (m / u)
