"""Adagrad: per-coordinate step sizes from the sum of all past squared gradients."""

from __future__ import annotations

from typing import Any

from ..backend.base import Array
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_range


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer, 2011) with PyTorch's ``torch.optim.Adagrad`` semantics.

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        g   ← g + λ·θ                          weight decay λ
        lrₜ = lr / (1 + (t − 1)·lr_decay)
        S   ← S + g²                           S₀ = initial_accumulator_value
        θ   ← θ − lrₜ · g / (√S + ε)

    Defaults: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, maximize=False.

    Differences from the paper: ``lr_decay`` (an inverse-time decay of the step size on
    top of Adagrad's own ``1/√S`` decay) and ``initial_accumulator_value`` are PyTorch
    additions; the paper's diagonal update is ``θ ← θ − η·g/(δ + √S)`` with δ playing ε's
    role (added outside the square root, as here; some texts put it inside).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "eps": eps,
                    "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_range(self, name, group[name], low=0.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"sum": p.backend.full(p.shape, group["initial_accumulator_value"], p.dtype)}

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr_t = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"]
        s += g * g
        std = p.backend.unary("sqrt", s)
        std += group["eps"]
        p.data -= lr_t * (g / std)
