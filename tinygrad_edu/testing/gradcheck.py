"""Gradient checking by central differences, in float64.

For f: inputs → tensor, the analytic gradient of L = Σ (f(x) · w) (a fixed random
weighting w, so every output element matters) is compared with

    ∂L/∂xᵢ ≈ (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε,

whose error is O(ε²). On failure the message names the input, the index, the numeric
and the analytic value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with the numerical one."""


def _outputs(fn: Callable[..., Any], inputs: Sequence[Tensor]) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    return tuple(outs)


def _weights(outs: Sequence[Tensor]) -> list[np.ndarray]:
    return [np.random.default_rng(1234 + k).uniform(0.5, 1.5, o.shape)
            for k, o in enumerate(outs)]


def _scalar_objective(fn: Callable[..., Any], inputs: Sequence[Tensor],
                      weights: list[np.ndarray]) -> Tensor:
    total: Tensor | None = None
    for o, w in zip(_outputs(fn, inputs), weights):
        term = (o.to_dtype(np.float64) * Tensor(w, dtype=np.float64)).sum()
        total = term if total is None else total + term
    assert total is not None
    return total


def numerical_grad(fn: Callable[..., Any], inputs: Sequence[Tensor], index: int,
                   eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of Σ fn(*inputs)·w with respect to inputs[index].

    The outputs are differenced elementwise *before* they are weighted and summed, so
    outputs that the perturbed entry does not touch cancel exactly instead of drowning a
    small derivative in the rounding error of a large total (exp(10) beside exp(−8)).
    """
    with no_grad():
        weights = _weights(_outputs(fn, inputs))
        x = inputs[index].data
        grad = np.zeros(x.shape, dtype=np.float64)
        for i in np.ndindex(*x.shape):
            orig = x[i]
            x[i] = orig + eps
            hi = [o.numpy().astype(np.float64) for o in _outputs(fn, inputs)]
            x[i] = orig - eps
            lo = [o.numpy().astype(np.float64) for o in _outputs(fn, inputs)]
            x[i] = orig
            grad[i] = sum(float(np.sum(w * (h - lw))) for w, h, lw in zip(weights, hi, lo))
            grad[i] /= 2 * eps
    return grad


def gradcheck(fn: Callable[..., Any], *inputs: Tensor, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check ``fn``'s backward against central differences for every input that
    requires grad. Inputs must be float64 (float32 differences are too coarse)."""
    tensors = [t for t in inputs]
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"gradcheck: input {k} is a {type(t).__name__}, not a Tensor")
        if t.requires_grad and t.dtype != np.float64:
            raise TypeError(f"gradcheck: input {k} has dtype {t.dtype}; use float64 "
                            "(central differences in float32 are too coarse to be a check)")
    targets = [k for k, t in enumerate(tensors) if t.requires_grad]
    if not targets:
        raise ValueError("gradcheck: no input has requires_grad=True")
    # copies, so that perturbing them never touches the caller's arrays
    leaves = [Tensor._wrap(np.array(t.data, copy=True), "cpu", t.requires_grad)
              if t.device == "cpu" else t for t in tensors]
    with no_grad():
        weights = _weights(_outputs(fn, leaves))
    _scalar_objective(fn, leaves, weights).backward()
    for k in targets:
        leaf = leaves[k]
        analytic = (np.zeros(leaf.shape) if leaf.grad is None
                    else np.asarray(leaf.grad.numpy(), dtype=np.float64))
        numeric = numerical_grad(fn, leaves, k, eps)
        close = np.isclose(analytic, numeric, rtol=rtol, atol=atol)
        if not close.all():
            bad = np.argwhere(~close)[0] if analytic.ndim else ()
            idx = tuple(int(i) for i in bad)
            message = (
                f"gradcheck: gradient of input {k} (shape {leaf.shape}) is wrong at index "
                f"{idx}: numerical {float(numeric[idx])!r}, analytic {float(analytic[idx])!r} "
                f"({int((~close).sum())} of {close.size} entries differ; atol={atol}, "
                f"rtol={rtol})"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
