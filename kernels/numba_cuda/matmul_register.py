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
compiler unroll them and keep ``acc``, ``ra`` and ``rb`` in registers (a runtime
size or index would push them to slow "local" memory; ``tests/gpu/test_ptx_compile.py``
checks the PTX for that).

Layout details that matter for speed
------------------------------------
* Thread ``(ty, tx)`` owns two *quads* of 4 adjacent rows, ``ty*4 + {0..3}`` and the same
  plus ``BM/2``, and likewise two quads of columns. Four adjacent floats of a shared
  tile are one 16-byte load (``LDS.128``), and neighbouring threads read neighbouring
  quads, so there are no bank conflicts.
* The A tile is stored transposed, ``sa[k, m]``, so a thread's TM values for one ``kk``
  sit in one row of ``sa``. The transposed store would hit the same memory bank 8 times
  per warp; padding each row by 4 floats (``BM + PAD``) spreads it over all 32 banks.
* Global loads: each thread copies 4 consecutive floats of one row of A (2 threads per
  row of the A tile) and 4 of one row of B (32 threads per row of the B tile), so a
  single row pointer serves its four loads and a warp reads whole 32-byte sectors.
* Software pipelining: the next K step's tiles are read into registers (``pa``, ``pb``)
  *before* the current step's arithmetic, so their global-memory latency overlaps with
  the 512 multiply-adds each thread does per step.

Reading the machine code: the next lesson steps
-----------------------------------------------
``python benchmarks/kernel_sass_table.py`` compiles this kernel for sm_90 and counts what
the GPU would execute (``kernels/machine_code.py``; ``tests/gpu/test_sass.py`` asserts it).
The first version of this file looked right and was not: 160 registers per thread (one
block of 256 threads per SM, 12.5 % occupancy) and only ~35 % FFMA in the K loop, for an
estimated 25–35 % of cuBLAS. Four changes, each a lesson of its own:

1. **Unroll the ``kk`` loop by hand.** The compiler unrolled the small loops inside it
   but not the ``for kk in range(BK)`` around them, so every step recomputed its
   shared-memory addresses and paid loop control. :func:`_outer_product` is called 8
   times with a literal ``kk``; after inlining, every shared-memory offset is a constant.
2. **Unsigned indices.** Numba lets a *signed* index be negative (``x[-1]`` is the last
   element), so each ``x[i]`` with a signed ``i`` costs a compare-and-add and hides from
   the compiler that ``x[i]`` and ``x[i + 1]`` are neighbours. Indexing with ``uint64``
   removes that: offsets fold into the load instruction (``[R4+0x100]``).
3. **Vector loads from shared memory.** With quads (above), 16-byte aligned shared
   arrays (``alignment=16``) and unsigned indices, the compiler merges four loads into
   one ``LDS.128``: 4 instead of 16 load instructions per 64 FMAs.
4. **Launch bounds.** ``@cuda.jit(launch_bounds=(256, 2))`` promises at most 256 threads
   per block and asks for 2 blocks per SM, so the compiler keeps to 65,536 / 512 = 128
   registers per thread. That only helps if nothing is spilled to local memory: steps
   1–3 and the one-row-pointer global loads freed the registers that made it possible.

After: 128 registers, no spills, 2 blocks per SM, and 83 % of the K loop's instructions
are FFMAs (512 of 617).

Ragged sizes: tile positions outside A or B are loaded as zeros; only in-range parts of
the patch are written. As in the tiled kernel, no thread leaves before the last
``syncthreads``. float32 only.
"""

from __future__ import annotations

from numba import config, cuda, float32, uint64

from ..launch import Dim3, grid_plan
from ._common import DeviceArray, cdiv, launch_stream, prepare_matmul

BM = 128  # rows of C per block
BN = 128  # columns of C per block
BK = 8  # depth of one K step
TM = 8  # rows of C per thread: two quads of 4 rows, BM // 2 apart
TN = 8  # columns of C per thread: two quads of 4 columns, BN // 2 apart
QUAD = 4  # a quad: 4 consecutive floats, 16 bytes, one vector load from shared memory
HALF_M = BM // 2  # distance between a thread's two row quads
HALF_N = BN // 2  # distance between a thread's two column quads
PAD = 4  # extra floats per row of the transposed A tile: conflict-free stores
SA_STRIDE = BM + PAD  # row stride of the flat, transposed A tile sa[k * SA_STRIDE + m]
SA_SIZE = BK * SA_STRIDE  # shared-array sizes must be named constants, not expressions
SB_SIZE = BK * BN
THREADS_M = BM // TM  # 16 thread rows
THREADS_N = BN // TN  # 16 thread columns
THREADS = THREADS_M * THREADS_N  # 256 threads per block
MIN_BLOCKS = 2  # launch bounds: fit 2 blocks per SM, so at most 65536 / 512 = 128 registers
A_LOADS = BM * BK // THREADS  # A-tile elements each thread copies per K step (4)
B_LOADS = BK * BN // THREADS  # B-tile elements each thread copies per K step (4)
assert A_LOADS * THREADS == BM * BK and B_LOADS * THREADS == BK * BN
assert TM == 2 * QUAD and TN == 2 * QUAD
# 16-byte aligned shared tiles, so 4 consecutive floats can be one vector load. The
# simulator refuses any alignment argument (its arrays are numpy arrays), so there: None.
SHARED_ALIGN = None if config.ENABLE_CUDASIM else 16
# Launch bounds (256 threads, 2 blocks per SM) cap the registers at 128. The simulator's
# jit does not take the option (it has no registers to cap).
JIT_OPTIONS: dict = {} if config.ENABLE_CUDASIM else {"launch_bounds": (THREADS, MIN_BLOCKS)}


@cuda.jit(device=True)
def _fetch_a_tile(a, za, a_row, a_k, k0, M, K, pa):
    """Read this thread's A_LOADS consecutive elements of row ``a_row`` of A, from column
    ``k0 + a_k`` on, into pa (zeros outside A). One row pointer serves all four loads."""
    inside = a_row < M
    for step in range(A_LOADS):
        k = k0 + a_k + step
        pa[step] = a[za, uint64(a_row), uint64(k)] if (inside and k < K) else float32(0.0)


@cuda.jit(device=True)
def _fetch_b_tile(b, zb, b_k, b_col, k0, N, K, pb):
    """Read this thread's B_LOADS consecutive elements of row ``k0 + b_k`` of B, from
    column ``b_col`` on, into pb (zeros outside B)."""
    k = k0 + b_k
    inside = k < K
    for step in range(B_LOADS):
        n = b_col + step
        pb[step] = b[zb, uint64(k), uint64(n)] if (inside and n < N) else float32(0.0)


@cuda.jit(device=True)
def _outer_product(sa, sb, kk, a_col, b_col, ra, rb, acc):
    """Step ``kk`` of the K tile: TM values of A and TN of B into registers, then their
    TM x TN outer product into ``acc``. ``kk`` is a constant at every call site, so all
    shared-memory offsets below are constants added to two per-thread bases."""
    a_base = a_col + uint64(kk * SA_STRIDE)  # unsigned: no negative-index wraparound
    b_base = b_col + uint64(kk * BN)
    for i in range(QUAD):  # 4 consecutive floats: one 16-byte load
        ra[i] = sa[a_base + uint64(i)]
        ra[QUAD + i] = sa[a_base + uint64(HALF_M + i)]
    for j in range(QUAD):
        rb[j] = sb[b_base + uint64(j)]
        rb[QUAD + j] = sb[b_base + uint64(HALF_N + j)]
    for i in range(TM):
        for j in range(TN):
            acc[i, j] += ra[i] * rb[j]


@cuda.jit(**JIT_OPTIONS)
def matmul_register_kernel(a, b, c, bx0, by0, z0):
    sa = cuda.shared.array(SA_SIZE, float32, alignment=SHARED_ALIGN)  # A tile, transposed: sa[k, m]
    sb = cuda.shared.array(SB_SIZE, float32, alignment=SHARED_ALIGN)  # B tile: sb[k, n]
    acc = cuda.local.array((TM, TN), float32)  # the thread's patch of C
    ra = cuda.local.array(TM, float32)  # one column of the A tile (two quads)
    rb = cuda.local.array(TN, float32)  # one row of the B tile (two quads)
    pa = cuda.local.array(A_LOADS, float32)  # the next tiles, fetched ahead of time
    pb = cuda.local.array(B_LOADS, float32)

    tid = cuda.threadIdx.x
    tx = tid % THREADS_N
    ty = tid // THREADS_N
    row0 = (cuda.blockIdx.y + by0) * BM
    col0 = (cuda.blockIdx.x + bx0) * BN
    z = cuda.blockIdx.z + z0
    za = uint64(z if a.shape[0] > 1 else 0)  # unsigned indices skip the negative-index
    zb = uint64(z if b.shape[0] > 1 else 0)  # wraparound Numba adds to signed ones
    M = c.shape[1]
    N = c.shape[2]
    K = a.shape[2]
    a_col = uint64(ty * QUAD)  # first of this thread's rows in the block tile (a column of sa)
    b_col_tile = uint64(tx * QUAD)  # first of this thread's columns

    for i in range(TM):
        for j in range(TN):
            acc[i, j] = float32(0.0)

    # Global -> shared: each thread copies A_LOADS consecutive floats of one row of the A
    # tile and B_LOADS of one row of the B tile, so one row pointer serves all of them.
    a_tile_row = tid // (BK // A_LOADS)  # 2 threads per row of the A tile
    a_k = (tid % (BK // A_LOADS)) * A_LOADS
    b_k = tid // (BN // B_LOADS)  # 32 threads per row of the B tile
    b_n = (tid % (BN // B_LOADS)) * B_LOADS
    a_row = row0 + a_tile_row
    b_col = col0 + b_n
    sa_store = uint64(a_k * SA_STRIDE + a_tile_row)  # transposed: sa[k, m]
    sb_store = uint64(b_k * BN + b_n)

    _fetch_a_tile(a, za, a_row, a_k, 0, M, K, pa)
    _fetch_b_tile(b, zb, b_k, b_col, 0, N, K, pb)
    for k0 in range(0, K, BK):
        # Registers -> shared memory: the tiles for this K step.
        for step in range(A_LOADS):
            sa[sa_store + uint64(step * SA_STRIDE)] = pa[step]
        for step in range(B_LOADS):
            sb[sb_store + uint64(step)] = pb[step]  # 4 consecutive floats: one vector store
        cuda.syncthreads()

        # Software pipelining: start reading the *next* tiles now. The loads are in
        # flight while the arithmetic below runs, instead of stalling the next step.
        # (Past the end of K they just load zeros.)
        _fetch_a_tile(a, za, a_row, a_k, k0 + BK, M, K, pa)
        _fetch_b_tile(b, zb, b_k, b_col, k0 + BK, N, K, pb)

        # BK outer products, unrolled by hand (BK = 8 calls with constant kk): a loop
        # here is not unrolled by the compiler, and then every step pays for its own
        # shared-memory address arithmetic and loop control.
        _outer_product(sa, sb, 0, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 1, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 2, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 3, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 4, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 5, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 6, a_col, b_col_tile, ra, rb, acc)
        _outer_product(sa, sb, 7, a_col, b_col_tile, ra, rb, acc)
        cuda.syncthreads()  # everyone is done with the tiles before they are replaced

    for i in range(TM):
        row = row0 + ty * QUAD + (i // QUAD) * HALF_M + i % QUAD
        if row < M:
            for j in range(TN):
                col = col0 + tx * QUAD + (j // QUAD) * HALF_N + j % QUAD
                if col < N:
                    c[z, row, col] = acc[i, j]


assert BK == 8, "the hand-unrolled K step above makes exactly 8 _outer_product calls"


def launches(M: int, N: int, batch: int) -> list[tuple[Dim3, Dim3]]:
    """``[(block offsets, grid), ...]`` for an (M, N) result of ``batch`` matrices."""
    return grid_plan((cdiv(N, BN), cdiv(M, BM), batch))


def matmul_register(a: DeviceArray, b: DeviceArray) -> DeviceArray:
    """``a @ b`` for float32 device arrays (2-D or 3-D); 128 x 128 block tiles, 8 x 8
    outputs per thread."""
    a3, b3, c3, c = prepare_matmul("matmul_register", a, b)
    batch, M, N = c3.shape
    if c3.size == 0:
        return c
    stream = launch_stream(a)
    for (bx0, by0, z0), grid in launches(M, N, batch):
        matmul_register_kernel[grid, THREADS, stream](a3, b3, c3, bx0, by0, z0)
    return c
