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

Every shape gets enough threads
-------------------------------
The input is viewed as ``(outer, n, inner)`` where ``n`` is the reduced axis.

* ``inner == 1`` and long rows (``n > SHORT_ROW``; the reduced axis is the contiguous
  one, e.g. a row sum): one block per (row, chunk). A long row is split over up to
  ``MAX_CHUNKS`` blocks that write partial results; a second launch reduces those
  partials the same way.
* ``inner == 1`` and short rows (at most ``SHORT_ROW`` = 256 values): a 256-thread tree
  for 10 values would leave 246 threads idle at every level. Instead each *warp* (32
  threads) takes one row, so a block reduces 8 rows at once, with a 5-level tree per
  warp. (Warp shuffles would skip shared memory, but the CUDA simulator that tests these
  kernels has no shuffles; the shared-memory tree is the same idea.)
* ``inner > 1`` (e.g. a column sum): reading down a column with one thread per output
  leaves a (1e6, 16) sum with 16 threads. Instead a block is a ``ROWS x COLS`` grid of
  threads (``COLS`` = 32 neighbouring columns, fewer if ``inner`` is smaller; 256 threads
  in all): every row of threads reads neighbouring columns of one row of x (coalesced),
  each thread folds every ``ROWS``-th row of its block's chunk into a register, and a tree
  over the ``ROWS`` partial sums of each column finishes the block. Many blocks split
  ``n`` into chunks (``blockIdx.y``) and write partial results, which a second launch
  reduces the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numba import cuda, float32

from ._common import (
    DeviceArray,
    as_numba,
    cdiv,
    check_float32,
    contiguous,
    empty,
    grid_plan,
    launch_stream,
)

BLOCK = 256  # threads per block; a power of two for the halving tree
WARP = 32  # threads that run in lockstep
ROWS_PER_BLOCK = BLOCK // WARP  # short rows reduced by one block, one per warp
ITEMS = 8  # elements each thread folds into its register before the tree (a target)
SHORT_ROW = WARP * ITEMS  # rows this short take one warp each
MAX_CHUNKS = 1024  # blocks per row or column chunk; partials are reduced by a second launch
TARGET_BLOCKS = 2048  # enough blocks to fill any current GPU several times over


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
    def reduce_rows_kernel(x, partial, row0, chunk0, chunks):
        row = cuda.blockIdx.x + row0
        chunk = cuda.blockIdx.y + chunk0
        tid = cuda.threadIdx.x
        n = x.shape[1]

        # 1. fold a block-strided slice of the row into a register
        acc = identity
        for j in range(chunk * BLOCK + tid, n, chunks * BLOCK):
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
def warp_rows_kernel(op: str) -> Callable[..., Any]:
    """``out[row] = op-reduce of x[row, :]`` for short rows: one warp per row."""
    f, identity = OPS[op]

    @cuda.jit
    def reduce_short_rows_kernel(x, out, block0):
        tid = cuda.threadIdx.x
        lane = tid % WARP
        row = (cuda.blockIdx.x + block0) * ROWS_PER_BLOCK + tid // WARP
        rows = x.shape[0]
        n = x.shape[1]

        acc = identity
        if row < rows:  # no early return: every thread must reach the barriers below
            for j in range(lane, n, WARP):  # the warp reads 32 neighbouring values
                acc = f(acc, x[row, j])

        # A tree inside each warp's 32 slots of shared memory.
        shared = cuda.shared.array(BLOCK, float32)
        shared[tid] = acc
        cuda.syncthreads()
        s = WARP // 2
        while s > 0:
            if lane < s:
                shared[tid] = f(shared[tid], shared[tid + s])
            cuda.syncthreads()
            s //= 2
        if lane == 0 and row < rows:
            out[row] = shared[tid]

    return reduce_short_rows_kernel


@cache
def columns_kernel(op: str) -> Callable[..., Any]:
    """``partial[o, chunk, i] = op-reduce of x[o, chunk-th share of rows, i]``.

    A block is ``BLOCK // cols`` rows of ``cols`` threads (``cols`` a power of two, at most
    32). Block ``blockIdx.x + bx0`` takes columns ``tile * cols ...`` of slice ``o``;
    ``blockIdx.y`` is the chunk of the reduced axis; thread rows stride over the chunk's
    rows, so every step of every thread row is one coalesced read of ``cols`` floats.
    """
    f, identity = OPS[op]

    @cuda.jit
    def reduce_columns_kernel(x, partial, cols, chunks, bx0, chunk0):
        tid = cuda.threadIdx.x
        n = x.shape[1]
        inner = x.shape[2]
        tiles = (inner + cols - 1) // cols
        flat = cuda.blockIdx.x + bx0
        o = flat // tiles
        i = (flat % tiles) * cols + tid % cols
        group = tid // cols
        groups = BLOCK // cols
        chunk = cuda.blockIdx.y + chunk0

        acc = identity
        if i < inner:  # ragged last tile: those threads only help with the tree
            for k in range(chunk * groups + group, n, chunks * groups):
                acc = f(acc, x[o, k, i])

        # Fold the thread rows together: threads tid and tid + s hold the same column
        # as long as s is a multiple of cols, so the tree stops at s == cols.
        shared = cuda.shared.array(BLOCK, float32)
        shared[tid] = acc
        cuda.syncthreads()
        s = BLOCK // 2
        while s >= cols:
            if tid < s:
                shared[tid] = f(shared[tid], shared[tid + s])
            cuda.syncthreads()
            s //= 2
        if tid < cols and i < inner:
            partial[o, chunk, i] = shared[tid]

    return reduce_columns_kernel


def _reduce_rows(op: str, x2: DeviceArray) -> DeviceArray:
    """(rows, n) -> (rows,), in one launch or more."""
    rows, n = x2.shape
    stream = launch_stream(x2)
    while True:
        if n <= SHORT_ROW:
            out = empty(x2, (rows,), np.float32)
            kernel = warp_rows_kernel(op)
            for (b0, _, _), grid in grid_plan((cdiv(rows, ROWS_PER_BLOCK), 1, 1)):
                kernel[grid, BLOCK, stream](as_numba(x2), as_numba(out), b0)
            return out
        chunks = max(1, min(cdiv(n, BLOCK * ITEMS), MAX_CHUNKS))
        partial = empty(x2, (rows, chunks), np.float32)
        for (r0, c0, _), grid in grid_plan((rows, chunks, 1)):
            rows_kernel(op)[grid, BLOCK, stream](as_numba(x2), as_numba(partial), r0, c0, chunks)
        if chunks == 1:
            return partial.reshape(rows)
        x2, n = partial, chunks  # reduce the partial results the same way


def column_plan(outer: int, n: int, inner: int) -> tuple[int, int, int]:
    """``(cols, x_blocks, chunks)`` for the column kernel: ``cols`` threads per row of
    threads (a power of two up to 32, no wider than ``inner`` needs), ``x_blocks`` column
    tiles in all, and ``chunks`` splits of ``n`` — enough blocks to fill the GPU, at least
    ``ITEMS`` rows per thread, at most :data:`MAX_CHUNKS`."""
    cols = min(WARP, 1 << max(0, (inner - 1).bit_length()))
    x_blocks = outer * cdiv(inner, cols)
    groups = BLOCK // cols
    chunks = min(cdiv(n, groups * ITEMS), cdiv(TARGET_BLOCKS, x_blocks), MAX_CHUNKS)
    return cols, x_blocks, max(1, chunks)


def _reduce_columns(op: str, x3: DeviceArray) -> DeviceArray:
    """(outer, n, inner) -> (outer, inner), in one launch or more."""
    outer, n, inner = x3.shape
    stream = launch_stream(x3)
    while True:
        cols, x_blocks, chunks = column_plan(outer, n, inner)
        partial = empty(x3, (outer, chunks, inner), np.float32)
        for (bx0, c0, _), grid in grid_plan((x_blocks, chunks, 1)):
            columns_kernel(op)[grid, BLOCK, stream](as_numba(x3), as_numba(partial), cols,
                                                     chunks, bx0, c0)
        if chunks == 1:
            return partial.reshape(outer, inner)
        x3, n = partial, chunks  # reduce the partial results the same way


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
        result = _reduce_columns(op, x.reshape(outer, n, inner))
    return result.reshape(out_shape)


def reduce_sum(x: DeviceArray, axis: int | None = None, keepdims: bool = False) -> DeviceArray:
    """float32 sum along one axis (or all of them) with a shared-memory tree."""
    return reduce("sum", x, axis, keepdims)


def reduce_max(x: DeviceArray, axis: int | None = None, keepdims: bool = False) -> DeviceArray:
    """float32 max along one axis (or all of them); NaN propagates like numpy."""
    return reduce("max", x, axis, keepdims)
