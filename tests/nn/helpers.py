"""Shared helpers for the nn tests: gradient checks of a whole module with respect to
its input(s) *and* its parameters, and small float64 inputs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.nn import Module
from tinygrad_edu.testing import gradcheck


def t64(arr: Any, requires_grad: bool = True) -> Tensor:
    return Tensor(np.asarray(arr, dtype=np.float64), dtype="float64", requires_grad=requires_grad)


def randn(*shape: int, seed: int = 0, requires_grad: bool = True) -> Tensor:
    return t64(np.random.default_rng(seed).standard_normal(shape), requires_grad)


@contextmanager
def swapped_parameters(module: Module, tensors: dict[str, Tensor]) -> Iterator[None]:
    """Run ``module`` with some parameters replaced by other tensors (gradcheck perturbs
    its own copies of the parameters, so the module must read those)."""
    saved = []
    for name, t in tensors.items():
        *path, attr = name.split(".")
        owner = module
        for p in path:
            owner = getattr(owner, p)
        saved.append((owner, attr, owner._parameters[attr]))
        owner._parameters[attr] = t  # type: ignore[assignment]
    try:
        yield
    finally:
        for owner, attr, p in saved:
            owner._parameters[attr] = p


def gradcheck_module(module: Module, *inputs: Tensor, **kwargs: Any) -> None:
    """gradcheck ``module(*inputs)`` with respect to the inputs that require grad and
    every parameter (the module is switched to float64 first)."""
    module.double()
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    names, params = [n for n, _ in named], [p for _, p in named]
    k = len(inputs)

    def fn(*ts: Tensor) -> Tensor:
        with swapped_parameters(module, dict(zip(names, ts[k:], strict=True))):
            return module(*ts[:k])

    gradcheck(fn, *inputs, *params, **kwargs)
