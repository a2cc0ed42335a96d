"""A CUDA C++ SGEMM through ``cupy.RawModule``: 2-D block tiling, 8 x 8 per thread.

The idea
--------
The same algorithm as ``kernels/numba_cuda/matmul_register.py``, written in CUDA C++ so
that we control what Numba cannot express:

* **Block tiling.** A block of 256 threads computes a ``BM x BN`` = 128 x 128 tile of C,
  walking K in steps of ``BK`` = 8 through shared memory; each thread accumulates a
  ``TM x TN`` = 8 x 8 patch in registers (64 multiply-adds per 16 shared-memory reads).
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
matrix over the batch. Offsets are 64-bit.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import numpy as np

SOURCE = r"""
template <int BM, int BN, int BK, int TM, int TN, bool VEC>
__global__ void __launch_bounds__((BM / TM) * (BN / TN))
sgemm_2d(const float* __restrict__ A, const float* __restrict__ B, float* __restrict__ C,
         int M, int N, int K, long long batch_a, long long batch_b, long long batch_c)
{
    constexpr int TX = BN / TN;            // threads along N
    constexpr int TY = BM / TM;            // threads along M
    constexpr int THREADS = TX * TY;
    constexpr int QM = TM / 4;             // 4-row quads per thread
    constexpr int QN = TN / 4;             // 4-column quads per thread
    constexpr int QUAD_STRIDE_M = BM / QM; // distance between a thread's row quads
    constexpr int QUAD_STRIDE_N = BN / QN;
    constexpr int PAD = 4;                 // As row padding: conflict-free transposed stores
    static_assert(TM % 4 == 0 && TN % 4 == 0, "the register patch is made of 4x4 quads");
    static_assert(BK % 4 == 0 && BN % 4 == 0, "float4 tiles");

    __shared__ __align__(16) float As[BK][BM + PAD];  // A tile, transposed: As[k][m]
    __shared__ __align__(16) float Bs[BK][BN];        // B tile: Bs[k][n]

    const int tid = threadIdx.x;
    const int tx = tid % TX;
    const int ty = tid / TX;
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;
    A += blockIdx.z * batch_a;
    B += blockIdx.z * batch_b;
    C += blockIdx.z * batch_c;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = 0.0f;
    float ra[TM], rb[TN];

    for (int k0 = 0; k0 < K; k0 += BK) {
        // ---- global -> shared, zero outside the matrices ----
        // Thread tid copies elements tid, tid + THREADS, ... of each tile (constant trip
        // counts, so the loops unroll; `e < TOTAL` folds away when THREADS divides it).
        if (VEC) {
            // K % 4 == 0 and N % 4 == 0: a float4 is either wholly inside or wholly outside.
            constexpr int A_TOTAL = BM * BK / 4, B_TOTAL = BK * BN / 4;
#pragma unroll
            for (int l = 0; l < (A_TOTAL + THREADS - 1) / THREADS; ++l) {
                const int e = tid + l * THREADS;
                if (e >= A_TOTAL) break;
                const int r = e / (BK / 4), k = (e % (BK / 4)) * 4;
                float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                if (row0 + r < M && k0 + k < K)
                    v = *reinterpret_cast<const float4*>(A + (long long)(row0 + r) * K + k0 + k);
                As[k + 0][r] = v.x; As[k + 1][r] = v.y; As[k + 2][r] = v.z; As[k + 3][r] = v.w;
            }
#pragma unroll
            for (int l = 0; l < (B_TOTAL + THREADS - 1) / THREADS; ++l) {
                const int e = tid + l * THREADS;
                if (e >= B_TOTAL) break;
                const int k = e / (BN / 4), n = (e % (BN / 4)) * 4;
                float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
                if (k0 + k < K && col0 + n < N)
                    v = *reinterpret_cast<const float4*>(B + (long long)(k0 + k) * N + col0 + n);
                *reinterpret_cast<float4*>(&Bs[k][n]) = v;
            }
        } else {
            constexpr int A_TOTAL = BM * BK, B_TOTAL = BK * BN;
#pragma unroll
            for (int l = 0; l < (A_TOTAL + THREADS - 1) / THREADS; ++l) {
                const int e = tid + l * THREADS;
                if (e >= A_TOTAL) break;
                const int r = e / BK, k = e % BK;
                As[k][r] = (row0 + r < M && k0 + k < K) ? A[(long long)(row0 + r) * K + k0 + k]
                                                        : 0.0f;
            }
#pragma unroll
            for (int l = 0; l < (B_TOTAL + THREADS - 1) / THREADS; ++l) {
                const int e = tid + l * THREADS;
                if (e >= B_TOTAL) break;
                const int k = e / BN, n = e % BN;
                Bs[k][n] = (k0 + k < K && col0 + n < N) ? B[(long long)(k0 + k) * N + col0 + n]
                                                        : 0.0f;
            }
        }
        __syncthreads();

        // ---- BK outer products out of registers ----
#pragma unroll
        for (int k = 0; k < BK; ++k) {
#pragma unroll
            for (int q = 0; q < QM; ++q) {
                const float4 v =
                    *reinterpret_cast<const float4*>(&As[k][q * QUAD_STRIDE_M + ty * 4]);
                ra[q * 4 + 0] = v.x; ra[q * 4 + 1] = v.y; ra[q * 4 + 2] = v.z; ra[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int q = 0; q < QN; ++q) {
                const float4 v =
                    *reinterpret_cast<const float4*>(&Bs[k][q * QUAD_STRIDE_N + tx * 4]);
                rb[q * 4 + 0] = v.x; rb[q * 4 + 1] = v.y; rb[q * 4 + 2] = v.z; rb[q * 4 + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j) acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
        }
        __syncthreads();
    }

    // ---- registers -> C, one 4-wide row piece at a time ----
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
    "small": (64, 64, 8, 4, 4),
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
    for z0 in range(0, batch, 65535):  # gridDim.z is at most 65535
        z1 = min(batch, z0 + 65535)
        a_z = a.reshape(ba, M, K)[z0:z1] if ba > 1 else a
        b_z = b.reshape(bb, K, N)[z0:z1] if bb > 1 else b
        c_z = c.reshape(batch, M, N)[z0:z1]
        grid = (math.ceil(N / bn), math.ceil(M / bm), z1 - z0)
        # Scalars as explicit numpy types: a Python int would be passed as a 64-bit
        # value where the kernel expects an `int`, and a Python float as a double.
        kernel(grid, (threads,), (a_z, b_z, c_z, np.int32(M), np.int32(N), np.int32(K),
                                  stride_a, stride_b, stride_c))
    return c
