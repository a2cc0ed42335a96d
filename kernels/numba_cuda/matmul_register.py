"""Matrix multiply, register-blocked: each thread computes a TM x TN patch of C.

The idea — reuse from registers
-------------------------------
The tiled kernel (``matmul_tiled.py``) does one multiply-add per two shared-memory
reads. Shared memory is fast, but not as fast as the arithmetic units: the kernel now
waits on shared memory instead of global memory. Registers are the only storage fast
enough, so we make each thread compute a small ``TM x TN`` = 8 x 8 *patch* of C:

* per step ``kk`` of the K tile it loads a column of ``TM`` A values and a row of ``TN``
  B values from shared memory into registers (``ra``, ``rb``: 16 loads) ...
* ... and does their outer product, ``TM * TN`` = 64 multiply-adds, into 64
  accumulator registers (``acc``).

That is 4 flops per shared-memory read instead of 1. One block of 256 threads (16 x 16)
covers a ``BM x BN`` = 128 x 128 tile of C and walks K in steps of ``BK`` = 8; every
float it brings from global memory feeds 128 multiply-adds (an arithmetic intensity of
~32 flop/byte — far past what HBM needs to keep the cores busy).

``cuda.local.array`` with *constant* sizes and loops with constant trip counts let the
compiler unroll everything and keep ``acc``, ``ra`` and ``rb`` in registers (a runtime
size or index would push them to slow "local" memory; ``tests/gpu/test_ptx_compile.py``
checks the PTX for that).

Layout details that matter for speed
------------------------------------
* Thread ``(ty, tx)`` owns rows ``ty + i * 16`` and columns ``tx + j * 16`` of the block
  tile (strided, not 8 adjacent ones): neighbouring threads then read neighbouring
  shared-memory words (no bank conflicts) and write neighbouring columns of C
  (coalesced stores).
* The A tile is stored transposed, ``sa[k, m]``, so a thread's TM values for one ``kk``
  sit in one row of ``sa``. The transposed store would hit the same memory bank 8 times
  per warp; padding each row by 4 floats (``BM + PAD``) spreads it over all 32 banks.
* Global loads: consecutive threads read consecutive k of a row of A (32-byte runs)
  and consecutive columns of a row of B (128-byte runs).
* Software pipelining: the next K step's tiles are read into registers (``pa``, ``pb``)
  *before* the current step's arithmetic, so their global-memory latency overlaps with
  the 512 multiply-adds each thread does per step.

Ragged sizes: tile positions outside A or B are loaded as zeros; only in-range parts of
the patch are written. As in the tiled kernel, no thread leaves before the last
``syncthreads``. float32 only.
"""

from __future__ import annotations

from numba import cuda, float32

from ._common import DeviceArray, batch_chunks, cdiv, launch_stream, prepare_matmul

BM = 128  # rows of C per block
BN = 128  # columns of C per block
BK = 8  # depth of one K step
TM = 8  # rows of C per thread
TN = 8  # columns of C per thread
PAD = 4  # extra floats per row of the transposed A tile: conflict-free stores
SA_COLS = BM + PAD  # shared-array shapes must be literal constants, not expressions
THREADS_M = BM // TM  # 16 thread rows
THREADS_N = BN // TN  # 16 thread columns
THREADS = THREADS_M * THREADS_N  # 256 threads per block
A_LOADS = BM * BK // THREADS  # A-tile elements each thread copies per K step (4)
B_LOADS = BK * BN // THREADS  # B-tile elements each thread copies per K step (4)
assert A_LOADS * THREADS == BM * BK and B_LOADS * THREADS == BK * BN


@cuda.jit(device=True)
def _fetch_a_tile(a, za, row0, k0, M, K, tid, pa):
    """Read this thread's A_LOADS elements of the BM x BK tile at (row0, k0) into pa."""
    for step in range(A_LOADS):
        e = tid + step * THREADS
        r = row0 + e // BK  # consecutive threads: consecutive k of one row of A
        k = k0 + e % BK
        pa[step] = a[za, r, k] if (r < M and k < K) else float32(0.0)


@cuda.jit(device=True)
def _fetch_b_tile(b, zb, col0, k0, N, K, tid, pb):
    """Read this thread's B_LOADS elements of the BK x BN tile at (k0, col0) into pb."""
    for step in range(B_LOADS):
        e = tid + step * THREADS
        k = k0 + e // BN  # consecutive threads: consecutive columns of one row of B
        n = col0 + e % BN
        pb[step] = b[zb, k, n] if (k < K and n < N) else float32(0.0)


@cuda.jit
def matmul_register_kernel(a, b, c, z0):
    sa = cuda.shared.array((BK, SA_COLS), float32)  # A tile, transposed: sa[k, m]
    sb = cuda.shared.array((BK, BN), float32)  # B tile: sb[k, n]
    acc = cuda.local.array((TM, TN), float32)  # the thread's patch of C
    ra = cuda.local.array(TM, float32)  # one column of the A tile
    rb = cuda.local.array(TN, float32)  # one row of the B tile
    pa = cuda.local.array(A_LOADS, float32)  # the next tiles, fetched ahead of time
    pb = cuda.local.array(B_LOADS, float32)

    tid = cuda.threadIdx.x
    tx = tid % THREADS_N
    ty = tid // THREADS_N
    row0 = cuda.blockIdx.y * BM
    col0 = cuda.blockIdx.x * BN
    z = cuda.blockIdx.z + z0
    za = z if a.shape[0] > 1 else 0
    zb = z if b.shape[0] > 1 else 0
    M = c.shape[1]
    N = c.shape[2]
    K = a.shape[2]

    for i in range(TM):
        for j in range(TN):
            acc[i, j] = float32(0.0)

    _fetch_a_tile(a, za, row0, 0, M, K, tid, pa)
    _fetch_b_tile(b, zb, col0, 0, N, K, tid, pb)
    for k0 in range(0, K, BK):
        # Registers -> shared memory: the tiles for this K step.
        for step in range(A_LOADS):
            e = tid + step * THREADS
            sa[e % BK, e // BK] = pa[step]
        for step in range(B_LOADS):
            e = tid + step * THREADS
            sb[e // BN, e % BN] = pb[step]
        cuda.syncthreads()

        # Software pipelining: start reading the *next* tiles now. The loads are in
        # flight while the arithmetic below runs, instead of stalling the next step.
        # (Past the end of K they just load zeros.)
        _fetch_a_tile(a, za, row0, k0 + BK, M, K, tid, pa)
        _fetch_b_tile(b, zb, col0, k0 + BK, N, K, tid, pb)

        # BK outer products of a TM-column of A and a TN-row of B, all in registers.
        for kk in range(BK):
            for i in range(TM):
                ra[i] = sa[kk, ty + i * THREADS_M]
            for j in range(TN):
                rb[j] = sb[kk, tx + j * THREADS_N]
            for i in range(TM):
                for j in range(TN):
                    acc[i, j] += ra[i] * rb[j]
        cuda.syncthreads()  # everyone is done with the tiles before they are replaced

    for i in range(TM):
        row = row0 + ty + i * THREADS_M
        if row < M:
            for j in range(TN):
                col = col0 + tx + j * THREADS_N
                if col < N:
                    c[z, row, col] = acc[i, j]


def matmul_register(a: DeviceArray, b: DeviceArray) -> DeviceArray:
    """``a @ b`` for float32 device arrays (2-D or 3-D); 128 x 128 block tiles, 8 x 8
    outputs per thread."""
    a3, b3, c3, c = prepare_matmul("matmul_register", a, b)
    batch, M, N = c3.shape
    if c3.size == 0:
        return c
    stream = launch_stream(a)
    for z0, z1 in batch_chunks(batch):
        grid = (cdiv(N, BN), cdiv(M, BM), z1 - z0)
        matmul_register_kernel[grid, THREADS, stream](a3, b3, c3, z0)
    return c
