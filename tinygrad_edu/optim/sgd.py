"""Stochastic gradient descent, with optional momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

from ..backend.base import Array
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_range


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD`` semantics).

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        g ← g + λ·θ                           weight decay λ (L2 penalty λ/2·‖θ‖²)
        b ← g                  if t = 1       momentum buffer, μ > 0 only
        b ← μ·b + (1 − τ)·g    if t > 1       momentum μ, dampening τ
        g ← g + μ·b            if nesterov
        g ← b                  otherwise (μ > 0)
        θ ← θ − lr·g

    Defaults: lr=1e-3 (PyTorch's), momentum=0, dampening=0, weight_decay=0,
    nesterov=False, maximize=False.

    Differences from the papers: Sutskever et al. (2013) write momentum as
    ``v ← μ·v − lr·g; θ ← θ + v`` (lr inside the buffer); PyTorch — and this class — keep
    lr outside, ``θ ← θ − lr·b``. The two agree while lr is constant but not when a
    scheduler changes it. The first buffer is g itself (not (1 − τ)·g), and Nesterov is
    the "look-ahead on the gradient" form g + μ·b rather than evaluating ∇ at θ + μ·v.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range(self, "lr", group["lr"], low=0.0)
        check_range(self, "momentum", group["momentum"], low=0.0)
        check_range(self, "weight_decay", group["weight_decay"], low=0.0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: nesterov=True requires momentum > 0 and dampening = 0, got "
                f"momentum = {group['momentum']!r}, dampening = {group['dampening']!r}")

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        mu = group["momentum"]
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # a copy: g may be p.grad's own array, which backward() accumulates into
                # (xp.array, not g.copy(): for a 0-d parameter, -g is a numpy scalar,
                # which has no in-place operators)
                buf = state["momentum_buffer"] = p.backend.copy(p.backend.asarray(g))
            else:
                buf *= mu
                buf += (1 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        p.data -= group["lr"] * g
