"""Gradient utilities (``torch.nn.utils``): clipping by the global norm."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor

__all__ = ["clip_grad_norm_"]


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False) -> Tensor:
    """Rescale the gradients of ``parameters`` together so that their global norm is at
    most ``max_norm``, in place, as ``torch.nn.utils.clip_grad_norm_``::

        total = ‖(‖g₁‖, ‖g₂‖, …)‖ₚ          (= ‖all gradients as one vector‖ₚ; p = norm_type)
        gᵢ ← gᵢ · min(1, max_norm / (total + 1e-6))

    The direction of the update is kept; only a step that would be too long (an
    exploding gradient, a noisy early batch) is shortened. Returns ``total`` (before
    clipping) as a 0-d Tensor; parameters without a gradient are skipped.
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return Tensor(0.0)
    p = float(norm_type)
    host = [np.asarray(g.backend.to_numpy(g.data), dtype=np.float64).ravel() for g in grads]
    if math.isinf(p):
        total = max(float(np.abs(h).max(initial=0.0)) for h in host)
    else:
        total = float(sum(float(np.sum(np.abs(h) ** p)) for h in host) ** (1.0 / p))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           f"gradients of {len(grads)} parameters is {total}; set "
                           "error_if_nonfinite=False to clip anyway")
    coef = min(1.0, max_norm / (total + 1e-6))
    if coef < 1.0:
        for g in grads:
            g.data *= coef
    return Tensor(total, dtype=grads[0].dtype, device=grads[0].device)
