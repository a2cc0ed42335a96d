"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

from __future__ import annotations

from typing import Any

from ..backend.base import Array
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, check_betas, check_range, ema_, zeros_like


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015) with PyTorch's ``torch.optim.Adam`` semantics.

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        g  ← g + λ·θ                      weight decay λ (L2; AdamW decouples it instead)
        m  ← β₁·m + (1 − β₁)·g            first moment   (m₀ = 0)
        v  ← β₂·v + (1 − β₂)·g²           second moment  (v₀ = 0)
        v̂max ← max(v̂max, v)               only with amsgrad; used in place of v below
        m̂  = m / (1 − β₁ᵗ)                bias correction (both factors are 1 when
        v̂  = v / (1 − β₂ᵗ)                 bias_correction=False)
        θ  ← θ − lr · m̂ / (√v̂ + ε)

    Defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    and keyword-only maximize=False, bias_correction=True, decoupled_weight_decay=False.

    Where it differs from the paper:

    * ε is added to √v̂ *after* bias correction, as in the paper's Algorithm 1 and in
      PyTorch — not the paper's "efficient" variant ``θ ← θ − lrₜ·m/(√v + ε̂)`` with
      ``lrₜ = lr·√(1−β₂ᵗ)/(1−β₁ᵗ)``, whose ε acts on the uncorrected √v. Early in
      training the two differ noticeably when ε is not tiny.
    * ``bias_correction=False`` (not in PyTorch) gives the uncorrected rule
      ``θ ← θ − lr·m/(√v + ε)`` that some textbooks present first.
    * weight_decay adds λ·θ to the gradient (an L2 penalty), which Adam then rescales
      per coordinate — Loshchilov & Hutter's point; use :class:`AdamW` for their fix.
    * amsgrad (Reddi et al., 2018) keeps the running maximum of v and divides by its
      bias-corrected square root, as PyTorch does (the paper has no bias correction).

    In the common case (no amsgrad) the update is one call to the backend's fused
    ``adam_step``, which a GPU backend runs as a single kernel.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, bias_correction: bool = True,
                 decoupled_weight_decay: bool = False) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps,
                    "weight_decay": weight_decay, "amsgrad": amsgrad, "maximize": maximize,
                    "bias_correction": bias_correction,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_range(self, "lr", group["lr"], low=0.0)
        check_betas(self, group["betas"])
        check_range(self, "eps", group["eps"], low=0.0)
        check_range(self, "weight_decay", group["weight_decay"], low=0.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = {"exp_avg": zeros_like(p), "exp_avg_sq": zeros_like(p)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        t = state["step"]
        if group["decoupled_weight_decay"] and group["weight_decay"] != 0:
            # AdamW: shrink θ directly, θ ← θ − lr·λ·θ, outside the adaptive rescaling
            p.data *= 1 - lr * group["weight_decay"]
        bc1, bc2 = (1 - beta1**t, 1 - beta2**t) if group["bias_correction"] else (1.0, 1.0)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if not group["amsgrad"]:
            p.backend.adam_step(p.data, g, m, v, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                                bias_correction1=bc1, bias_correction2=bc2)
            return
        # AMSGrad: the same moments, but the denominator uses the largest v seen so far,
        # so the effective per-coordinate step never grows
        ema_(m, g, beta1)
        ema_(v, g * g, beta2)
        v_max = state["max_exp_avg_sq"]
        v_max[...] = p.backend.binary("maximum", v_max, v)
        denom = p.backend.unary("sqrt", v_max / bc2)
        denom += eps
        p.data -= (lr / bc1) * (m / denom)


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay.

    At step t, with gradient g = ∇θ (−∇θ when ``maximize``)::

        θ ← θ − lr·λ·θ                    decay applied to θ itself, not added to g
        m, v, (v̂max), m̂, v̂ as in Adam, from the undecayed gradient g
        θ ← θ − lr · m̂ / (√v̂ + ε)

    Defaults: as :class:`Adam`, except weight_decay=1e-2.

    Difference from the paper: the paper multiplies the decay by a schedule multiplier
    ηₜ only (``θ ← θ − ηₜ·λ·θ``, with λ independent of lr); PyTorch — and this class —
    use lr·λ, so the decay follows any learning-rate schedule and λ is relative to lr.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, bias_correction: bool = True) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         bias_correction=bias_correction, decoupled_weight_decay=True)
