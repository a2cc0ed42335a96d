"""Fused kernels: several elementwise steps in one pass over memory.

The idea — fusion
-----------------
Elementwise work is limited by memory traffic, not arithmetic. Adam written with array
operations (as in ``Backend.adam_step``) makes 13 separate passes: ``m *= β₁`` reads and
writes m, ``(1-β₁) * g`` reads g and writes a temporary, ``m += tmp`` reads both and
writes m, and so on — about 30 array reads and writes of 4 bytes per parameter, plus
temporaries to allocate. The fused kernel reads p, g, m, v once and writes p, m, v once:
7 per parameter, about 4x less traffic, and one launch instead of 13.

The same holds for a linear layer's ``relu(x @ W + b)``: adding the bias and clamping
in one kernel reads the matmul output once instead of twice.

Both are ``cupy.ElementwiseKernel``s: output parameters are references into the arrays
we pass, so they can be read and updated in place (``p -= ...``). Scalars are passed
as ``numpy.float32`` (a Python float would be a double), and every literal is float.
The bodies are plain strings so tests can compile them on the host without a GPU.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

# In place: m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  p ← p − lr/bc₁ · m / (√(v/bc₂) + ε)
# (the same update, in the same order of operations, as Backend.adam_step).
ADAM_PARAMS = (
    "float32 g, float32 beta1, float32 one_minus_beta1, float32 beta2, "
    "float32 one_minus_beta2, float32 step_size, float32 bias_correction2, float32 eps",
    "float32 p, float32 m, float32 v",
)
ADAM_BODY = """
m = beta1 * m + one_minus_beta1 * g;
v = beta2 * v + one_minus_beta2 * (g * g);
p -= step_size * (m / (sqrtf(v / bias_correction2) + eps));
"""

# y = relu(x + b), b broadcast along the rows (a bias vector of length out_features).
BIAS_RELU_PARAMS = ("float32 x, float32 b", "float32 y")
BIAS_RELU_BODY = "const float t = x + b; y = (t > 0.0f || t != t) ? t : 0.0f"


@cache
def _adam_kernel() -> Any:
    import cupy

    return cupy.ElementwiseKernel(*ADAM_PARAMS, ADAM_BODY, "tge_adam_step")


@cache
def _bias_relu_kernel() -> Any:
    import cupy

    return cupy.ElementwiseKernel(*BIAS_RELU_PARAMS, BIAS_RELU_BODY, "tge_bias_relu")


def adam_step(
    p: Any, g: Any, m: Any, v: Any, *, lr: float, beta1: float, beta2: float, eps: float,
    bias_correction1: float, bias_correction2: float,
) -> None:
    """One fused, in-place Adam update of float32 CuPy arrays ``p``, ``m``, ``v``.

    The scalar factors are formed in double precision on the host, then rounded to
    float32 once — as numpy does when ``Backend.adam_step`` multiplies a float32 array
    by a Python float.
    """
    _adam_kernel()(
        g, np.float32(beta1), np.float32(1.0 - beta1), np.float32(beta2),
        np.float32(1.0 - beta2), np.float32(lr / bias_correction1),
        np.float32(bias_correction2), np.float32(eps), p, m, v,
    )


def bias_relu(x: Any, b: Any) -> Any:
    """``relu(x + b)`` in one pass; ``b`` broadcasts against ``x`` (e.g. (N,) vs (B, N))."""
    return _bias_relu_kernel()(x, b)
