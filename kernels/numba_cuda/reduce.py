"""Reductions along one axis: ``sum`` and ``max``, with a shared-memory tree.

The idea — a tree in shared memory
----------------------------------
Adding n numbers one after another takes n steps; adding them in pairs, then the pair
sums in pairs, and so on takes log2(n) steps if enough threads work at once. A block of
``BLOCK`` threads (a power of two) does exactly that:

1. each thread first folds many elements into one register (a *block-stride loop*:
   thread ``t`` reads ``t``, ``t + BLOCK``, ... so the warp's reads stay coalesced);
2. the ``BLOCK`` partial results go to shared memory — fast on-chip memory that all
   threads of a block can see;
3. at every level, the lower half of the active threads combine their value with the
   one ``s`` places above, ``s = BLOCK/2, BLOCK/4, ..., 1``. ``cuda.syncthreads()``
   between levels makes sure the values a thread reads have already been written.

Ragged sizes are handled by starting every register at the operation's *identity*
(0 for sum, -inf for max): threads with nothing to read contribute the identity.

Long rows and many rows
-----------------------
The input is viewed as ``(outer, n, inner)`` where ``n`` is the reduced axis.

* ``inner == 1`` (the reduced axis is the contiguous one, e.g. a row sum): one block
  per (row, chunk). A long row is split over up to ``MAX_CHUNKS`` blocks that write
  partial results; a second launch reduces those partials the same way.
* ``inner > 1`` (e.g. a column sum): reading down a column with a block would be a
  strided, uncoalesced access. Instead each thread owns one output and loops over
  ``n``; neighbouring threads own neighbouring columns, so every step of the loop is a
  coalesced read of a row. No shared memory is needed there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numba import cuda, float32

from ._common import DeviceArray, as_numba, cdiv, check_float32, contiguous, empty, launch_stream

BLOCK = 256  # threads per block; a power of two for the halving tree
ITEMS = 8  # elements each thread folds into its register before the tree (a target)
MAX_CHUNKS = 1024  # blocks per row; the partials are reduced by a second launch
MAX_BLOCKS = 4096  # grid size for the column kernel (grid-stride loop)


@cuda.jit(device=True)
def _add(x, y):
    return x + y


@cuda.jit(device=True)
def _max(x, y):
    return x if (x > y or x != x) else y  # NaN wins, like numpy.max


# name -> (combine function, identity). The identity is a numpy float32 so that Numba
# types the constant as float32.
OPS: dict[str, tuple[Any, np.float32]] = {
    "sum": (_add, np.float32(0.0)),
    "max": (_max, np.float32(-np.inf)),
}


@cache
def rows_kernel(op: str) -> Callable[..., Any]:
    """``partial[row, chunk] = op-reduce of x[row, chunk::chunks]`` via a shared tree."""
    f, identity = OPS[op]

    @cuda.jit
    def reduce_rows_kernel(x, partial):
        row = cuda.blockIdx.x
        chunk = cuda.blockIdx.y
        tid = cuda.threadIdx.x
        n = x.shape[1]

        # 1. fold a block-strided slice of the row into a register
        acc = identity
        for j in range(chunk * BLOCK + tid, n, cuda.gridDim.y * BLOCK):
            acc = f(acc, x[row, j])

        # 2.-3. halve the number of active threads at every level
        shared = cuda.shared.array(BLOCK, float32)
        shared[tid] = acc
        cuda.syncthreads()
        s = BLOCK // 2
        while s > 0:
            if tid < s:
                shared[tid] = f(shared[tid], shared[tid + s])
            cuda.syncthreads()  # every thread reaches this, active or not
            s //= 2
        if tid == 0:
            partial[row, chunk] = shared[0]

    return reduce_rows_kernel


@cache
def columns_kernel(op: str) -> Callable[..., Any]:
    """``out[o, i] = op-reduce of x[o, :, i]``: one thread per output, coalesced rows."""
    f, identity = OPS[op]

    @cuda.jit
    def reduce_columns_kernel(x, out):
        n = x.shape[1]
        inner = x.shape[2]
        for flat in range(cuda.grid(1), out.shape[0] * inner, cuda.gridsize(1)):
            o = flat // inner
            i = flat - o * inner
            acc = identity
            for k in range(n):
                acc = f(acc, x[o, k, i])
            out[o, i] = acc

    return reduce_columns_kernel


def _reduce_rows(op: str, x2: DeviceArray) -> DeviceArray:
    """(rows, n) -> (rows,), in one launch or two."""
    rows, n = x2.shape
    while True:
        chunks = max(1, min(cdiv(n, BLOCK * ITEMS), MAX_CHUNKS))
        partial = empty(x2, (rows, chunks), np.float32)
        rows_kernel(op)[(rows, chunks), BLOCK, launch_stream(x2)](as_numba(x2), as_numba(partial))
        if chunks == 1:
            return partial.reshape(rows)
        x2, n = partial, chunks  # reduce the partial results the same way


def reduce(
    op: str, x: DeviceArray, axis: int | None = None, keepdims: bool = False
) -> DeviceArray:
    """``x.sum(axis)`` or ``x.max(axis)`` for float32 device arrays; ``axis`` is an int or None.

    Like numpy, ``max`` of an empty selection raises ``ValueError``.
    """
    if op not in OPS:
        raise ValueError(f"reduce: unknown op {op!r}; expected one of {sorted(OPS)}")
    check_float32(op, x)
    x = contiguous(x, op)
    shape = tuple(x.shape)
    if axis is None:
        outer, n, inner = 1, int(x.size), 1
        out_shape: tuple[int, ...] = (1,) * len(shape) if keepdims else ()
    else:
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"{op}: axis {axis} is out of bounds for shape {shape}")
        axis %= len(shape)
        outer, n, inner = math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1:])
        kept = shape[:axis] + ((1,) if keepdims else ()) + shape[axis + 1:]
        out_shape = kept
    if n == 0 and op == "max":
        raise ValueError(f"max: zero-size reduction (shape {shape}, axis {axis}) has no identity")
    if outer * inner == 0:
        return empty(x, out_shape, np.float32)
    if inner == 1:
        result = _reduce_rows(op, x.reshape(outer, n))
    else:
        result = empty(x, (outer, inner), np.float32)
        blocks = max(1, min(cdiv(outer * inner, BLOCK), MAX_BLOCKS))
        columns_kernel(op)[blocks, BLOCK, launch_stream(x)](
            as_numba(x.reshape(outer, n, inner)), as_numba(result)
        )
    return result.reshape(out_shape)


def reduce_sum(x: DeviceArray, axis: int | None = None, keepdims: bool = False) -> DeviceArray:
    """float32 sum along one axis (or all of them) with a shared-memory tree."""
    return reduce("sum", x, axis, keepdims)


def reduce_max(x: DeviceArray, axis: int | None = None, keepdims: bool = False) -> DeviceArray:
    """float32 max along one axis (or all of them); NaN propagates like numpy."""
    return reduce("max", x, axis, keepdims)
