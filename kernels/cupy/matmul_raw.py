"""A CUDA C++ SGEMM through ``cupy.RawModule``: 2-D block tiling, 8 x 8 per thread.

The idea
--------
The same algorithm as ``kernels/numba_cuda/matmul_register.py``, written in CUDA C++ so
that we control what Numba cannot express:

* **Block tiling.** A block of 256 threads computes a ``BM x BN`` = 128 x 128 tile of C,
  walking K in steps of ``BK`` = 8 through (double-buffered) shared memory; each thread
  accumulates a ``TM x TN`` = 8 x 8 patch in registers (64 multiply-adds per 16
  shared-memory reads).
* **Vectorised loads.** When K and N are multiples of 4, every global load and store is
  a ``float4`` (16 bytes, one instruction instead of four), and every shared-memory read
  of the inner loop is a ``float4`` too. The ragged path (``VEC = false``) does the same
  work with scalar, bounds-checked loads, so any M, N, K is correct.
* **Templates.** Tile sizes are template parameters: ``RawModule(name_expressions=...)``
  asks NVRTC to instantiate exactly the variants we launch, and ``get_function`` looks
  them up by the same C++ expression. The compiler sees constant trip counts, unrolls
  the loops and keeps ``acc[TM][TN]`` in registers.

A thread's 8 x 8 patch is made of 4 x 4 *quads*: rows ``ty*4 + {0..3}`` and the same
plus ``BM/2``; columns likewise with ``tx`` and ``BN/2``. Neighbouring threads then read
neighbouring ``float4``s of shared memory (no bank conflicts) and write neighbouring
``float4``s of C (coalesced). The A tile is stored transposed (``As[k][m]``) and padded
by 4 floats per row so its transposed stores spread over all 32 banks.

Batches: ``blockIdx.z`` picks the matrix; a batch stride of 0 broadcasts a single
matrix over the batch. Offsets are 64-bit. ``bx0``/``by0`` shift the block grid, so a
launcher can split a grid too large for one launch (``kernels/launch.py``).

Reading the machine code: the next lesson steps
-----------------------------------------------
``python benchmarks/kernel_sass_table.py`` prints what the GPU would execute
(``tests/gpu/test_sass.py`` asserts it). The first version of this kernel ran 125
registers (float4 path) and 130 (ragged path: one block per SM), and its K loop was 87.5 %
FFMA, with two barriers per 512 FFMAs and every tile's load latency exposed. The changes:

1. **Launch bounds.** ``__launch_bounds__(256, 2)`` asks for 2 blocks per SM, so the
   compiler keeps to 128 registers on *every* path (the ragged one included).
2. **Double buffering.** Two shared buffers per tile. At each step the next tile is read
   from global memory into registers *first*, the BK outer products run on the current
   buffer while those loads are in flight, and then the registers go into the other
   buffer: one barrier per step instead of two, and the load latency hidden.
3. **Two steps per loop iteration**, so which buffer is current is a constant in each and
   all shared-memory addresses fold into the load instructions.
4. **No bounds checks in the K loop.** Rows of A past M and columns of B past N are
   *clamped* to the last valid one: what they bring only reaches outputs that are never
   written. K is walked with the *first* tile short (``K - (tiles - 1) * BK`` columns,
   zeros beyond), so every later tile is whole.

BK stays 8 for the large tile: BK = 16 halves the loop overhead per FMA but its prefetch
needs 8 more registers, which do not fit in 128 next to the 64 accumulators (the compiler spills).
The small tile (4 x 4 per thread, 16 accumulators) has room and uses BK = 16.
After: float4 path 128 registers, 2 blocks/SM, K loop 91 % FFMA (1024 of 1129); ragged
path 128 registers, 2 blocks/SM, 83 %.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

from ..launch import Dim3, grid_plan

SOURCE = r"""
template <int BM, int BN, int BK, int TM, int TN, bool VEC>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), 2)  // 2 blocks/SM: <= 128 registers
sgemm_2d(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
         int M, int N, int K, long long batch_a, long long batch_b, long long batch_c,
         int bx0, int by0)
{
    constexpr int TX = BN / TN;            // threads along N
    constexpr int TY = BM / TM;            // threads along M
    constexpr int THREADS = TX * TY;
    constexpr int QM = TM / 4;             // 4-row quads per thread
    constexpr int QN = TN / 4;             // 4-column quads per thread
    constexpr int QUAD_STRIDE_M = BM / QM; // distance between a thread's row quads
    constexpr int QUAD_STRIDE_N = BN / QN;
    constexpr int PAD = 4;                 // As row padding: conflict-free transposed stores
    // What one thread copies per K step, in quads of 4 consecutive floats of a row: one
    // float4 load under VEC, four bounds-checked loads on the ragged path.
    constexpr int A_QUADS = BM * BK / 4 / THREADS;
    constexpr int B_QUADS = BK * BN / 4 / THREADS;
    static_assert(TM % 4 == 0 && TN % 4 == 0, "the register patch is made of 4x4 quads");
    static_assert(BK % 4 == 0 && BN % 4 == 0, "float4 tiles");
    static_assert(A_QUADS * 4 * THREADS == BM * BK && B_QUADS * 4 * THREADS == BK * BN,
                  "every thread copies the same number of quads");

    // Two buffers of each tile: while the block computes on one, the next tile is
    // written into the other, so one barrier per K step is enough.
    __shared__ __align__(16) float As[2][BK][BM + PAD];  // A tiles, transposed: As[b][k][m]
    __shared__ __align__(16) float Bs[2][BK][BN];        // B tiles: Bs[b][k][n]

    const int tid = threadIdx.x;
    const int tx = tid % TX;
    const int ty = tid / TX;
    const int row0 = (blockIdx.y + by0) * BM;
    const int col0 = (blockIdx.x + bx0) * BN;
    A += blockIdx.z * batch_a;
    B += blockIdx.z * batch_b;

    // ---- global -> registers (the prefetch), registers -> shared ----
    // Quad e = tid + l * THREADS of a tile: consecutive threads read consecutive quads of
    // a row (coalesced). Where each quad comes from is fixed for the whole K loop, so it is
    // worked out once here. Rows of A past M and columns of B past N are *clamped* to the
    // last valid one instead of being checked at every load: whatever they bring only
    // reaches rows or columns of C that are never written. Only the K direction must read
    // true zeros past K (those products would land in real outputs), and it is checked
    // only for the first, short K tile (below). Under VEC, K % 4 == 0 and N % 4 == 0, so a
    // quad is wholly inside or wholly outside.
    int a_row[A_QUADS];           // the quad's (clamped) row of A
    int a_k[A_QUADS];             // and its first column in the tile
    int b_k[B_QUADS];             // the quad's row in the B tile
    int b_col[B_QUADS][VEC ? 1 : 4];  // its (clamped) columns of B: per float if ragged
#pragma unroll
    for (int l = 0; l < A_QUADS; ++l) {
        const int e = tid + l * THREADS;
        a_k[l] = (e % (BK / 4)) * 4;
        a_row[l] = min(row0 + e / (BK / 4), M - 1);
    }
#pragma unroll
    for (int l = 0; l < B_QUADS; ++l) {
        const int e = tid + l * THREADS;
        b_k[l] = e / (BN / 4);
        const int n = col0 + (e % (BN / 4)) * 4;
        if (VEC) b_col[l][0] = min(n, N - 4);
        else
#pragma unroll
            for (int s = 0; s < 4; ++s) b_col[l][VEC ? 0 : s] = min(n + s, N - 1);
    }
    // Load the K tile starting at column k0 of A (row k0 of B) into registers. Only the
    // first tile is short (`first`): tile-relative k >= `valid` reads zeros. Every other
    // call passes check = false, a constant, and the checks fold away.
    float pa[A_QUADS * 4], pb[B_QUADS * 4];
    auto load_tiles = [&](int k0, bool check, int valid) {
#pragma unroll
        for (int l = 0; l < A_QUADS; ++l) {
            const float* src = A + (long long)a_row[l] * K + k0 + a_k[l];
            if (VEC) {
                const float4 v = !check || a_k[l] < valid
                                     ? *reinterpret_cast<const float4*>(src)
                                     : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                pa[l * 4 + 0] = v.x; pa[l * 4 + 1] = v.y; pa[l * 4 + 2] = v.z; pa[l * 4 + 3] = v.w;
            } else {
#pragma unroll
                for (int s = 0; s < 4; ++s)
                    pa[l * 4 + s] = !check || a_k[l] + s < valid ? src[s] : 0.0f;
            }
        }
#pragma unroll
        for (int l = 0; l < B_QUADS; ++l) {
            const bool inside = !check || b_k[l] < valid;
            const float* row = B + (long long)(k0 + b_k[l]) * N;
            if (VEC) {
                const float4 v = inside ? *reinterpret_cast<const float4*>(row + b_col[l][0])
                                        : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                pb[l * 4 + 0] = v.x; pb[l * 4 + 1] = v.y; pb[l * 4 + 2] = v.z; pb[l * 4 + 3] = v.w;
            } else {
#pragma unroll
                for (int s = 0; s < 4; ++s)
                    pb[l * 4 + s] = inside ? row[b_col[l][VEC ? 0 : s]] : 0.0f;
            }
        }
    };
    auto store_tiles = [&](int buf) {
#pragma unroll
        for (int l = 0; l < A_QUADS; ++l) {
            const int r = (tid + l * THREADS) / (BK / 4);
#pragma unroll
            for (int s = 0; s < 4; ++s) As[buf][a_k[l] + s][r] = pa[l * 4 + s];
        }
#pragma unroll
        for (int l = 0; l < B_QUADS; ++l) {
            const int n = ((tid + l * THREADS) % (BN / 4)) * 4;
            *reinterpret_cast<float4*>(&Bs[buf][b_k[l]][n]) =
                make_float4(pb[l * 4 + 0], pb[l * 4 + 1], pb[l * 4 + 2], pb[l * 4 + 3]);
        }
    };

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;
    float ra[TM], rb[TN];

    // BK outer products out of shared buffer `cur`.
    auto compute = [&](int cur) {
#pragma unroll
        for (int k = 0; k < BK; ++k) {
#pragma unroll
            for (int q = 0; q < QM; ++q) {
                const float4 v =
                    *reinterpret_cast<const float4*>(&As[cur][k][q * QUAD_STRIDE_M + ty * 4]);
                ra[q * 4 + 0] = v.x; ra[q * 4 + 1] = v.y; ra[q * 4 + 2] = v.z; ra[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int q = 0; q < QN; ++q) {
                const float4 v =
                    *reinterpret_cast<const float4*>(&Bs[cur][k][q * QUAD_STRIDE_N + tx * 4]);
                rb[q * 4 + 0] = v.x; rb[q * 4 + 1] = v.y; rb[q * 4 + 2] = v.z; rb[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
        }
    };
    // One K step: compute on buffer `cur` while the tile at `next_k0` travels to `cur ^ 1`.
    auto k_step = [&](int cur, int next_k0) {
        // Prefetch: the next tiles' global loads are issued first and land in registers
        // while the BK outer products run, which hides their latency. (The ragged path
        // keeps its always-true checks: without them ptxas hoists its 16 scalar loads'
        // addresses and spills registers; tests/gpu/test_sass.py would catch that.)
        load_tiles(next_k0, !VEC, BK);
        compute(cur);
        // The other buffer was last read one step ago, and every thread has passed the
        // barrier since: it is free to overwrite.
        store_tiles(cur ^ 1);
        __syncthreads();  // the new tiles are complete; nobody still reads the old ones
    };

    // K is walked in `tiles` tiles of BK. The *first* one is short — it covers columns
    // [0, first), first in 1..BK, and reads zeros beyond — so every later tile is whole
    // and the K loop needs no bounds checks. Tile t >= 1 starts at first + (t - 1) * BK.
    const int tiles = (K + BK - 1) / BK;
    const int first = K - (tiles - 1) * BK;
    load_tiles(0, true, first);
    store_tiles(0);
    __syncthreads();
    // The hot loop: two K steps per iteration, so that which buffer is current is a
    // constant in each (the shared-memory addresses fold into the load instructions).
    int t = 0;
    for (; t + 2 < tiles; t += 2) {  // tiles t + 1 and t + 2 exist: prefetch both
        k_step(0, first + t * BK);
        k_step(1, first + (t + 1) * BK);
    }
    if (t + 1 < tiles) {  // one step left with a tile to prefetch
        k_step(0, first + t * BK);
        ++t;
    }
    compute(t % 2);  // the last tile: nothing left to prefetch

    // ---- registers -> C, one 4-wide row piece at a time ----
    C += blockIdx.z * batch_c;  // only now: a pointer held through the K loop costs 2 registers
#pragma unroll
    for (int i = 0; i < TM; ++i) {
        const int row = row0 + (i / 4) * QUAD_STRIDE_M + ty * 4 + (i % 4);
        if (row >= M) continue;
#pragma unroll
        for (int q = 0; q < QN; ++q) {
            const int col = col0 + q * QUAD_STRIDE_N + tx * 4;
            float* dst = C + (long long)row * N + col;
            if (VEC && col + 3 < N) {
                *reinterpret_cast<float4*>(dst) = make_float4(
                    acc[i][q * 4 + 0], acc[i][q * 4 + 1], acc[i][q * 4 + 2], acc[i][q * 4 + 3]);
            } else {
#pragma unroll
                for (int s = 0; s < 4; ++s)
                    if (col + s < N) dst[s] = acc[i][q * 4 + s];
            }
        }
    }
}
"""

# (BM, BN, BK, TM, TN): "large" for big matrices, "small" when the large tiles would
# leave most of the GPU idle (fewer blocks than streaming multiprocessors).
CONFIGS: dict[str, tuple[int, int, int, int, int]] = {
    "large": (128, 128, 8, 8, 8),
    "small": (64, 64, 16, 4, 4),
}


def kernel_name(config: str, vec: bool) -> str:
    """The C++ template expression for one variant, e.g. ``sgemm_2d<128, 128, 8, 8, 8, true>``."""
    bm, bn, bk, tm, tn = CONFIGS[config]
    return f"sgemm_2d<{bm}, {bn}, {bk}, {tm}, {tn}, {'true' if vec else 'false'}>"


NAME_EXPRESSIONS: tuple[str, ...] = tuple(
    kernel_name(config, vec) for config in CONFIGS for vec in (True, False)
)
OPTIONS: tuple[str, ...] = ("--std=c++17",)


def _cupy() -> Any:
    try:
        import cupy
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            'kernels.cupy.matmul_raw needs CuPy and an NVIDIA GPU: pip install "tinygrad-edu[gpu]"'
        ) from e
    return cupy


@cache
def module() -> Any:
    """The compiled ``cupy.RawModule`` (NVRTC runs once per process; CuPy caches on disk)."""
    cupy = _cupy()
    return cupy.RawModule(code=SOURCE, options=OPTIONS, name_expressions=NAME_EXPRESSIONS)


@cache
def _sm_count(device_id: int) -> int:
    cupy = _cupy()
    return int(cupy.cuda.Device(device_id).attributes["MultiProcessorCount"])


def launches(M: int, N: int, batch: int, config: str) -> list[tuple[Dim3, Dim3]]:
    """``[(block offsets, grid), ...]`` for an (M, N) result of ``batch`` matrices."""
    bm, bn = CONFIGS[config][:2]
    return grid_plan((math.ceil(N / bn), math.ceil(M / bm), batch))


def matmul_raw(a: Any, b: Any, *, config: str | None = None) -> Any:
    """``a @ b`` for float32 CuPy arrays, 2-D or 3-D (a batch of one broadcasts).

    ``config`` picks the tile sizes (see :data:`CONFIGS`); by default "large" unless it
    would launch fewer blocks than the GPU has multiprocessors. The float4 path is used
    when K and N are multiples of 4 (CuPy allocations are 256-byte aligned); otherwise the
    scalar ragged path.
    """
    cupy = _cupy()
    if a.ndim not in (2, 3) or b.ndim not in (2, 3):
        raise ValueError(f"matmul_raw: expected 2-D or 3-D operands, got {a.shape} and {b.shape}")
    if a.dtype != np.float32 or b.dtype != np.float32:
        raise TypeError(f"matmul_raw: float32 only, got {a.dtype} and {b.dtype}")
    M, K = a.shape[-2:]
    K2, N = b.shape[-2:]
    if K != K2:
        raise ValueError(f"matmul_raw: shapes {a.shape} and {b.shape} do not align ({K} != {K2})")
    ba = a.shape[0] if a.ndim == 3 else 1
    bb = b.shape[0] if b.ndim == 3 else 1
    if ba != bb and 1 not in (ba, bb):
        raise ValueError(f"matmul_raw: batch sizes {ba} and {bb} do not broadcast")
    batch = max(ba, bb)
    a = cupy.ascontiguousarray(a)
    b = cupy.ascontiguousarray(b)
    c = cupy.empty((M, N) if a.ndim == b.ndim == 2 else (batch, M, N), dtype=np.float32)
    if c.size == 0:
        return c
    if K == 0:
        c.fill(0)
        return c

    if config is None:
        blocks = math.ceil(M / 128) * math.ceil(N / 128) * batch
        config = "large" if blocks >= _sm_count(c.device.id) else "small"
    bm, bn, _, tm, tn = CONFIGS[config]
    vec = K % 4 == 0 and N % 4 == 0 and a.data.ptr % 16 == 0 and b.data.ptr % 16 == 0
    kernel = module().get_function(kernel_name(config, vec))
    threads = (bm // tm) * (bn // tn)
    stride_a = np.int64(M * K if ba > 1 else 0)
    stride_b = np.int64(K * N if bb > 1 else 0)
    stride_c = np.int64(M * N)
    # Within CUDA's grid limits for any shape: batches past 65,535 matrices or more than
    # 65,535 row blocks are split into several launches (kernels/launch.py).
    for (bx0, by0, z0), grid in launches(M, N, batch, config):
        z1 = z0 + grid[2]
        a_z = a.reshape(ba, M, K)[z0:z1] if ba > 1 else a
        b_z = b.reshape(bb, K, N)[z0:z1] if bb > 1 else b
        c_z = c.reshape(batch, M, N)[z0:z1]
        # Scalars as explicit numpy types: a Python int would be passed as a 64-bit
        # value where the kernel expects an `int`, and a Python float as a double.
        kernel(grid, (threads,), (a_z, b_z, c_z, np.int32(M), np.int32(N), np.int32(K),
                                  stride_a, stride_b, stride_c, np.int32(bx0), np.int32(by0)))
    return c
