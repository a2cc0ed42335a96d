"""Matrix multiply with shared-memory tiles.

The idea — load once, use TILE times
------------------------------------
In the naive kernel every thread of a 16 x 16 block reads its own row of A and column
of B from global memory, so the block reads each A value 16 times (once per column
thread) and each B value 16 times. Shared memory fixes that. The block walks ``k`` in
steps of ``TILE``; at each step

1. every thread copies *one* element of the A tile and *one* of the B tile from global
   to shared memory (neighbouring threads → neighbouring addresses: coalesced);
2. ``cuda.syncthreads()`` — nobody reads the tiles before everybody has written;
3. every thread does ``TILE`` multiply-adds out of shared memory;
4. ``cuda.syncthreads()`` again — nobody overwrites the tiles while others still read.

Each float fetched from global memory now feeds ``TILE`` multiply-adds instead of one:
the arithmetic intensity goes up ``TILE``-fold (0.25 → 4 flop/byte at TILE = 16).

Ragged sizes: positions of a tile that fall outside A or B are filled with zeros, which
add nothing to the sum. Threads outside C must *not* return early: they still help
load tiles and must reach every ``syncthreads`` (a barrier that some threads of the
block skip is undefined behaviour). They just do not write at the end.

``sa[ty, k]`` is the same address for the whole row of threads (a broadcast) and
``sb[k, tx]`` walks consecutive addresses, so the shared-memory reads have no bank
conflicts.
"""

from __future__ import annotations

from numba import cuda, float32

from ..launch import Dim3
from ._common import DeviceArray, cdiv, grid_plan, launch_stream, prepare_matmul

TILE = 16  # tile edge; a compile-time constant so the shared arrays have a fixed size


@cuda.jit
def matmul_tiled_kernel(a, b, c, bx0, by0, z0):
    sa = cuda.shared.array((TILE, TILE), float32)
    sb = cuda.shared.array((TILE, TILE), float32)
    tx = cuda.threadIdx.x
    ty = cuda.threadIdx.y
    col = (cuda.blockIdx.x + bx0) * TILE + tx
    row = (cuda.blockIdx.y + by0) * TILE + ty
    z = cuda.blockIdx.z + z0
    za = z if a.shape[0] > 1 else 0
    zb = z if b.shape[0] > 1 else 0
    M = c.shape[1]
    N = c.shape[2]
    K = a.shape[2]
    zero = float32(0.0)

    acc = float32(0.0)
    for k0 in range(0, K, TILE):
        # 1. one element of each tile per thread, zero outside the matrices
        ka = k0 + tx
        if row < M and ka < K:
            sa[ty, tx] = a[za, row, ka]
        else:
            sa[ty, tx] = zero
        kb = k0 + ty
        if kb < K and col < N:
            sb[ty, tx] = b[zb, kb, col]
        else:
            sb[ty, tx] = zero
        cuda.syncthreads()  # 2. the tiles are complete
        for k in range(TILE):  # 3. TILE multiply-adds from shared memory
            acc += sa[ty, k] * sb[k, tx]
        cuda.syncthreads()  # 4. done reading before the next load overwrites

    if row < M and col < N:
        c[z, row, col] = acc


def launches(M: int, N: int, batch: int) -> list[tuple[Dim3, Dim3]]:
    """``[(block offsets, grid), ...]`` for an (M, N) result of ``batch`` matrices."""
    return grid_plan((cdiv(N, TILE), cdiv(M, TILE), batch))


def matmul_tiled(a: DeviceArray, b: DeviceArray) -> DeviceArray:
    """``a @ b`` for float32 device arrays (2-D or 3-D) with 16 x 16 shared tiles."""
    a3, b3, c3, c = prepare_matmul("matmul_tiled", a, b)
    batch, M, N = c3.shape
    if c3.size == 0:
        return c
    stream = launch_stream(a)
    # Within CUDA's grid limits for any shape (kernels/launch.py): usually one launch.
    for (bx0, by0, z0), grid in launches(M, N, batch):
        matmul_tiled_kernel[grid, (TILE, TILE), stream](a3, b3, c3, bx0, by0, z0)
    return c
