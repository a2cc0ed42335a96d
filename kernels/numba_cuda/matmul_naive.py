"""Matrix multiply, the naive way: one thread per output element.

The idea — and why it is slow
-----------------------------
``C[i, j] = sum_k A[i, k] * B[k, j]``. Give every output element its own thread and
let it walk ``k``: that is all. Thread ``x`` of the block picks the *column* ``j`` so that
the 32 threads of a warp read 32 neighbouring elements of a row of B (a coalesced read)
and all want the same ``A[i, k]`` (one broadcast read), and write 32 neighbouring
elements of C.

Count the traffic: each multiply-add needs two floats from global memory, 8 bytes for 2
flops — an *arithmetic intensity* of 0.25 flop/byte. An H100 moves ~3 TB/s and computes
~50 TFLOP/s in fp32, so it needs ~17 flops per byte to stay busy. This kernel leaves
the arithmetic units almost idle; the caches rescue it somewhat. The next two files
raise the intensity: ``matmul_tiled.py`` reuses each loaded value 16 times from shared
memory, ``matmul_register.py`` reuses it from registers.

Shapes: A is (M, K) or (Ba, M, K), B is (K, N) or (Bb, K, N); a batch of one broadcasts.
``blockIdx.z`` is the batch index. Ragged sizes: threads outside C simply do nothing
(there is no ``syncthreads`` here, so an early exit is safe).
"""

from __future__ import annotations

from numba import cuda, float32

from ..launch import Dim3
from ._common import DeviceArray, cdiv, grid_plan, launch_stream, prepare_matmul

BLOCK = 16  # a 16 x 16 block of threads computes a 16 x 16 block of C


@cuda.jit
def matmul_naive_kernel(a, b, c, bx0, by0, z0):
    j = (cuda.blockIdx.x + bx0) * BLOCK + cuda.threadIdx.x  # column: the fastest thread index
    i = (cuda.blockIdx.y + by0) * BLOCK + cuda.threadIdx.y  # row
    z = cuda.blockIdx.z + z0  # which matrix of the batch
    M = c.shape[1]
    N = c.shape[2]
    K = a.shape[2]
    if i < M and j < N:
        za = z if a.shape[0] > 1 else 0  # a batch of one is shared by every z
        zb = z if b.shape[0] > 1 else 0
        acc = float32(0.0)  # float32 accumulator: a bare 0.0 would make it a float64
        for k in range(K):
            acc += a[za, i, k] * b[zb, k, j]
        c[z, i, j] = acc


def launches(M: int, N: int, batch: int) -> list[tuple[Dim3, Dim3]]:
    """``[(block offsets, grid), ...]`` for an (M, N) result of ``batch`` matrices."""
    return grid_plan((cdiv(N, BLOCK), cdiv(M, BLOCK), batch))


def matmul_naive(a: DeviceArray, b: DeviceArray) -> DeviceArray:
    """``a @ b`` for float32 device arrays (2-D or 3-D), one thread per output."""
    a3, b3, c3, c = prepare_matmul("matmul_naive", a, b)
    batch, M, N = c3.shape
    if c3.size == 0:
        return c
    stream = launch_stream(a)
    # Within CUDA's grid limits for any shape (kernels/launch.py): usually one launch.
    for (bx0, by0, z0), grid in launches(M, N, batch):
        matmul_naive_kernel[grid, (BLOCK, BLOCK), stream](a3, b3, c3, bx0, by0, z0)
    return c
