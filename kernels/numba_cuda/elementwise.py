"""Elementwise kernels: *map* (one input) and *zip* (two inputs, numpy broadcasting).

The idea — memory coalescing and the grid-stride loop
-----------------------------------------------------
An elementwise op does one or two flops per element and moves 8–12 bytes, so it is
limited by memory bandwidth, never by arithmetic. The only thing that matters is that
the 32 threads of a warp read 32 *neighbouring* floats at once: the hardware then serves
the warp with a few wide 128-byte transactions ("coalesced" loads). Thread ``i`` handles
element ``i``, so neighbouring threads touch neighbouring addresses.

We launch a bounded number of blocks and let each thread walk the array with a stride of
the whole grid (``cuda.grid(1)``, then ``+= cuda.gridsize(1)``): the *grid-stride loop*.
One launch configuration then serves any size, and at every step the grid reads one
contiguous stretch of memory.

Broadcasting without copies
---------------------------
``a + b`` with shapes (3, 1, 5) and (5,) must not materialise a (3, 1, 5) copy of ``b``.
The host computes, for every output dimension, each operand's *element stride* — how far
to move in that operand when the output index moves by one along that dimension — with
stride 0 where the operand is broadcast. The kernel turns a flat output index into
coordinates (``%`` and ``//`` by the shape, last dimension first) and dots them with the
strides. Before launching, the host drops size-1 dimensions and merges neighbouring
dimensions that are contiguous for both operands; when the operands have the same shape
everything collapses to one dimension with stride 1 and we launch the plain flat kernel,
which does no index arithmetic at all. Otherwise the index arithmetic is 32-bit whenever
the arrays hold fewer than 2^32 elements: there is one ``%`` and one ``//`` per dimension
per element, and a 64-bit division costs several times a 32-bit one.

float32 safety: our kernels only take float32, and every constant is written
``float32(...)`` — a bare ``0.5`` is a float64 in Numba and drags the arithmetic to
double precision (64x slower on most GPUs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numba import cuda, float32, uint32

from ._common import DeviceArray, as_numba, cdiv, check_float32, contiguous, empty, launch_stream

THREADS = 256  # threads per block: a multiple of the 32-thread warp
MAX_BLOCKS = 4096  # enough to fill any current GPU several times; the loop does the rest
INDEX32_LIMIT = 2**32  # element counts below this use the 32-bit broadcast kernel


# --- the scalar operations (device functions, inlined into the kernels) ----------------
@cuda.jit(device=True)
def _add(x, y):
    return x + y


@cuda.jit(device=True)
def _sub(x, y):
    return x - y


@cuda.jit(device=True)
def _mul(x, y):
    return x * y


@cuda.jit(device=True)
def _div(x, y):
    return x / y


@cuda.jit(device=True)
def _pow(x, y):
    return x**y


@cuda.jit(device=True)
def _maximum(x, y):
    # numpy.maximum propagates NaN from either side; `x != x` is true only for NaN.
    return x if (x > y or x != x) else y


@cuda.jit(device=True)
def _minimum(x, y):
    return x if (x < y or x != x) else y


@cuda.jit(device=True)
def _neg(x):
    return -x


@cuda.jit(device=True)
def _exp(x):
    return math.exp(x)


@cuda.jit(device=True)
def _log(x):
    return math.log(x)


@cuda.jit(device=True)
def _sqrt(x):
    return math.sqrt(x)


@cuda.jit(device=True)
def _abs(x):
    return abs(x)


@cuda.jit(device=True)
def _tanh(x):
    return math.tanh(x)


@cuda.jit(device=True)
def _sigmoid(x):
    # 1/(1+e^-x) overflows e^-x for x << 0; the tanh form is exact and never overflows.
    half = float32(0.5)
    return half * (math.tanh(half * x) + float32(1.0))


@cuda.jit(device=True)
def _relu(x):
    zero = float32(0.0)
    return x if (x > zero or x != x) else zero


ZIP_OPS: dict[str, Any] = {
    "add": _add, "sub": _sub, "mul": _mul, "div": _div, "pow": _pow,
    "maximum": _maximum, "minimum": _minimum,
}
MAP_OPS: dict[str, Any] = {
    "neg": _neg, "exp": _exp, "log": _log, "sqrt": _sqrt, "abs": _abs,
    "tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu,
}


# --- kernel factories: one compiled kernel per scalar operation -------------------------
@cache
def map_kernel(op: str) -> Callable[..., Any]:
    """``out[i] = f(x[i])`` over flat, contiguous arrays."""
    f = MAP_OPS[op]

    @cuda.jit
    def map_kernel(x, out):
        for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
            out[i] = f(x[i])

    return map_kernel


@cache
def zip_kernel(op: str) -> Callable[..., Any]:
    """``out[i] = f(a[i], b[i])``: same shapes, so no index arithmetic."""
    f = ZIP_OPS[op]

    @cuda.jit
    def zip_kernel(a, b, out):
        for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
            out[i] = f(a[i], b[i])

    return zip_kernel


@cache
def zip_broadcast_kernel(op: str) -> Callable[..., Any]:
    """``out[i] = f(a[offset_a(i)], b[offset_b(i)])`` with host-computed strides.

    ``shape``, ``a_strides`` and ``b_strides`` are tuples of equal length (one compiled
    version per rank); a stride of 0 repeats the operand along that dimension.
    """
    f = ZIP_OPS[op]

    @cuda.jit
    def zip_broadcast_kernel(a, b, out, shape, a_strides, b_strides):
        ndim = len(shape)
        for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
            rest = i
            ia = 0
            ib = 0
            for d in range(ndim - 1, -1, -1):  # last dimension varies fastest (C order)
                coord = rest % shape[d]
                rest //= shape[d]
                ia += coord * a_strides[d]
                ib += coord * b_strides[d]
            out[i] = f(a[ia], b[ib])

    return zip_broadcast_kernel


@cache
def zip_broadcast_kernel32(op: str) -> Callable[..., Any]:
    """:func:`zip_broadcast_kernel` in 32-bit index arithmetic, for arrays of fewer than
    2^32 elements (every real one). Integer division is the slow part of the index
    computation — the GPU has no divide instruction, and a 64-bit ``//`` or ``%`` costs
    several times a 32-bit one — so the shape and strides come in as ``uint32`` and every
    step is truncated back to ``uint32`` (Numba would otherwise widen the arithmetic to
    64 bits; the truncations let the compiler do it in 32)."""
    f = ZIP_OPS[op]

    @cuda.jit
    def zip_broadcast_kernel32(a, b, out, shape, a_strides, b_strides):
        ndim = len(shape)
        for i in range(cuda.grid(1), out.shape[0], cuda.gridsize(1)):
            rest = uint32(i)
            ia = uint32(0)
            ib = uint32(0)
            for d in range(ndim - 1, -1, -1):
                extent = shape[d]
                coord = uint32(rest % extent)
                rest = uint32(rest // extent)
                ia = uint32(ia + coord * a_strides[d])
                ib = uint32(ib + coord * b_strides[d])
            out[i] = f(a[ia], b[ib])

    return zip_broadcast_kernel32


# --- host side -------------------------------------------------------------------------
Plan = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def broadcast_plan(
    a_shape: tuple[int, ...], b_shape: tuple[int, ...], out_shape: tuple[int, ...]
) -> Plan:
    """(shape, a_strides, b_strides) of the collapsed iteration space, in elements.

    Operands are C-contiguous. >>> broadcast_plan((3, 1, 5), (5,), (3, 1, 5))
    ((3, 5), (5, 1), (0, 1))
    """
    def strides(shape: tuple[int, ...]) -> list[int]:
        padded = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
        out: list[int] = []
        step = 1
        for size in reversed(padded):
            out.append(step if size != 1 else 0)  # size 1 against a larger output: repeat
            step *= size
        return out[::-1]

    merged: list[list[int]] = []
    for n, sa, sb in zip(out_shape, strides(a_shape), strides(b_shape), strict=True):
        if n == 1:
            continue  # a length-1 output dimension never moves the index
        if merged and merged[-1][1] == sa * n and merged[-1][2] == sb * n:
            merged[-1] = [merged[-1][0] * n, sa, sb]  # contiguous for both: one dimension
        else:
            merged.append([n, sa, sb])
    if not merged:
        merged = [[1, 0, 0]]
    shape, sa_, sb_ = zip(*merged, strict=True)
    return tuple(shape), tuple(sa_), tuple(sb_)


def _grid(n: int, threads: int) -> int:
    return max(1, min(cdiv(n, threads), MAX_BLOCKS))


def map_op(op: str, x: DeviceArray, *, threads: int = THREADS) -> DeviceArray:
    """``f(x)`` elementwise for ``op`` in :data:`MAP_OPS`; float32 device arrays only."""
    if op not in MAP_OPS:
        raise ValueError(f"map_op: unknown op {op!r}; expected one of {sorted(MAP_OPS)}")
    check_float32(op, x)
    x = contiguous(x, op)
    out = empty(x, tuple(x.shape), np.float32)
    n = int(x.size)
    if n == 0:
        return out
    kernel = map_kernel(op)
    kernel[_grid(n, threads), threads, launch_stream(x)](
        as_numba(x.reshape(n)), as_numba(out.reshape(n))
    )
    return out


def zip_op(op: str, a: DeviceArray, b: DeviceArray, *, threads: int = THREADS) -> DeviceArray:
    """``f(a, b)`` with numpy broadcasting for ``op`` in :data:`ZIP_OPS`; float32 only."""
    if op not in ZIP_OPS:
        raise ValueError(f"zip_op: unknown op {op!r}; expected one of {sorted(ZIP_OPS)}")
    check_float32(op, a, b)
    try:
        out_shape = tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast") from None
    a = contiguous(a, op)
    b = contiguous(b, op)
    out = empty(a, out_shape, np.float32)
    n = math.prod(out_shape)
    if n == 0:
        return out
    shape, sa, sb = broadcast_plan(tuple(a.shape), tuple(b.shape), out_shape)
    args = (as_numba(a.reshape(a.size)), as_numba(b.reshape(b.size)), as_numba(out.reshape(n)))
    launch = (_grid(n, threads), threads, launch_stream(a))
    if len(shape) == 1 and sa[0] == sb[0] == 1:  # same shapes: the plain flat kernel
        zip_kernel(op)[launch](*args)
    elif max(n, a.size, b.size) < INDEX32_LIMIT:  # 32-bit index arithmetic suffices
        as32 = tuple(np.uint32(x) for x in shape)
        zip_broadcast_kernel32(op)[launch](*args, as32, tuple(np.uint32(x) for x in sa),
                                           tuple(np.uint32(x) for x in sb))
    else:
        zip_broadcast_kernel(op)[launch](*args, shape, sa, sb)
    return out
