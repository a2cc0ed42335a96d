"""Elementwise ops as ``cupy.ElementwiseKernel``s.

The idea
--------
An ``ElementwiseKernel`` is the shortest road from a line of C++ to a GPU kernel. We
write only the body for *one* element (``z = x + y``); CuPy generates the rest: the
indexing, numpy broadcasting, non-contiguous strides, the grid-stride loop, the output
allocation, and it compiles the result with NVRTC once and caches it on disk.

Compare ``kernels/numba_cuda/elementwise.py``, where we wrote all of that by hand: the
generated kernel does the same thing.

Everything here is float32, spelled out: the parameters are typed ``float32`` (not a
generic ``T``) and every literal carries an ``f`` suffix (``0.5f``) and every math call
is the float version (``expf``, ``tanhf``), so nothing is silently computed in double.

The bodies are kept as plain strings in :data:`BINARY` and :data:`UNARY` so that tests
can compile them without a GPU (``tests/gpu/test_cupy_sources_host.py``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

# name -> body; inputs x, y; output z
BINARY: dict[str, str] = {
    "add": "z = x + y",
    "sub": "z = x - y",
    "mul": "z = x * y",
    "div": "z = x / y",
    "pow": "z = powf(x, y)",
    # numpy.maximum/minimum propagate NaN from either side; x != x only for NaN.
    "maximum": "z = (x > y || x != x) ? x : y",
    "minimum": "z = (x < y || x != x) ? x : y",
}

# name -> body; input x; output y
UNARY: dict[str, str] = {
    "neg": "y = -x",
    "exp": "y = expf(x)",
    "log": "y = logf(x)",
    "sqrt": "y = sqrtf(x)",
    "abs": "y = fabsf(x)",
    "tanh": "y = tanhf(x)",
    # 1/(1+e^-x) overflows e^-x for x << 0; the tanh form is exact and never overflows.
    "sigmoid": "y = 0.5f * (tanhf(0.5f * x) + 1.0f)",
    "relu": "y = (x > 0.0f || x != x) ? x : 0.0f",
}

BINARY_PARAMS = ("float32 x, float32 y", "float32 z")
UNARY_PARAMS = ("float32 x", "float32 y")


@cache
def kernel(name: str) -> Any:
    """The ``cupy.ElementwiseKernel`` for one op (built on first use)."""
    import cupy

    if name in BINARY:
        return cupy.ElementwiseKernel(*BINARY_PARAMS, BINARY[name], f"tge_{name}")
    if name in UNARY:
        return cupy.ElementwiseKernel(*UNARY_PARAMS, UNARY[name], f"tge_{name}")
    raise ValueError(f"unknown elementwise op {name!r}; expected one of "
                     f"{sorted(BINARY) + sorted(UNARY)}")


def binary(name: str, a: Any, b: Any) -> Any:
    """``op(a, b)`` with numpy broadcasting, for float32 CuPy arrays."""
    return kernel(name)(a, b)


def unary(name: str, x: Any) -> Any:
    """``op(x)`` for a float32 CuPy array."""
    return kernel(name)(x)
