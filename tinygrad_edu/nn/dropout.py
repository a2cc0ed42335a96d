"""Dropout: randomly silence units during training so that none can be relied on alone."""

from __future__ import annotations

from ..rng import Seed, make_rng
from ..tensor import Tensor
from .module import Module


def dropout(x: Tensor, p: float = 0.5, training: bool = True, *, seed: Seed = None) -> Tensor:
    """Inverted dropout: y = x · m / (1 − p) with mᵢ ~ Bernoulli(1 − p), so E[y] = x and
    evaluation needs no rescaling; the identity when not ``training``. ∂y/∂x = m / (1 − p).

    The mask is drawn with numpy from ``seed`` (an int, a Generator, or None for fresh
    entropy) on the CPU, so runs are reproducible on every device.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = make_rng(seed).random(x.shape) >= p
    mask = x.backend.asarray(keep * (1.0 / (1.0 - p)), dtype=x.dtype)
    return x * x._constant(mask)


class Dropout(Module):
    """Zero each element with probability ``p`` in training (scaling the rest by
    1/(1 − p)); do nothing in ``eval()`` mode. The layer keeps its own generator, made
    from ``seed``, so a seeded model drops the same units in every run."""

    def __init__(self, p: float = 0.5, *, seed: Seed = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p
        self.rng = make_rng(seed)

    def forward(self, x: Tensor) -> Tensor:
        return dropout(x, self.p, self.training, seed=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"
