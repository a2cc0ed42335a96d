"""Launch plans within CUDA's grid limits, for shapes far too large to allocate here.

A grid has at most 2^31 - 1 blocks along x and 65,535 along y and z. These tests ask every
launcher for the launches it would make (no GPU, no allocation) and check that each one is
legal and that together they cover every block of the full grid exactly once. The
simulator tests (``test_kernels_sim.py``) run the same plans on small shapes with the
limits shrunk, so the block offsets are exercised end to end.
"""

from __future__ import annotations

import math

import pytest
from tinygrad_edu.kernels.launch import GRID_LIMITS, Dim3, cdiv, grid_plan

LIMIT_X, LIMIT_Y, LIMIT_Z = 2**31 - 1, 65535, 65535


def assert_covers(plan: list[tuple[Dim3, Dim3]], blocks: Dim3, limits: Dim3 = GRID_LIMITS) -> None:
    """Every launch within ``limits``; the boxes tile the ``blocks`` grid exactly."""
    assert plan, "no launch planned"
    total = 0
    for offset, grid in plan:
        assert all(1 <= g <= lim for g, lim in zip(grid, limits)), (offset, grid)
        assert all(o + g <= b for o, g, b in zip(offset, grid, blocks)), (offset, grid, blocks)
        total += math.prod(grid)
    assert total == math.prod(blocks)
    # Disjoint: the boxes' starting corners are distinct and each axis is cut at the same
    # points for every box (a product of 1-D partitions).
    for axis in range(3):
        cuts = sorted({(o[axis], o[axis] + g[axis]) for o, g in plan})
        starts = [c[0] for c in cuts]
        assert starts[0] == 0 and len(starts) == len(set(starts))
        assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:])) and cuts[-1][1] == blocks[axis]


def test_grid_limits_are_cudas() -> None:
    assert GRID_LIMITS == (LIMIT_X, LIMIT_Y, LIMIT_Z)


def test_small_grid_is_one_launch() -> None:
    assert grid_plan((3, 5, 7)) == [((0, 0, 0), (3, 5, 7))]
    assert grid_plan((0, 5, 7)) == []


def test_grid_plan_splits_every_axis() -> None:
    blocks = (5, 7, 3)
    plan = grid_plan(blocks, limits=(2, 3, 2))
    assert len(plan) == 3 * 3 * 2
    assert_covers(plan, blocks, limits=(2, 3, 2))


def test_grid_plan_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        grid_plan((1, -1, 1))


# rows, columns, batch: a Linear layer over 2^25 tokens (B*T > 1M), a tall 2^31-row
# matrix, a batch past gridDim.z, and all of it at once.
HUGE = [(2**25, 4096, 1), (2**31 - 1, 7, 1), (17, 33, 200_000), (2**24 + 3, 2**20 + 5, 70_000)]


@pytest.mark.parametrize("shape", HUGE, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("kernel", ["naive", "tiled", "register"])
def test_numba_matmul_launches_fit(kernel: str, shape: tuple[int, int, int]) -> None:
    pytest.importorskip("numba", reason="numba is not installed")
    import importlib

    module = importlib.import_module(f"tinygrad_edu.kernels.numba_cuda.matmul_{kernel}")
    M, N, batch = shape
    tile_m = getattr(module, "BM", getattr(module, "BLOCK", getattr(module, "TILE", None)))
    tile_n = getattr(module, "BN", tile_m)
    blocks = (cdiv(N, tile_n), cdiv(M, tile_m), batch)
    plan = module.launches(M, N, batch)
    assert_covers(plan, blocks)
    if blocks[1] > LIMIT_Y or blocks[2] > LIMIT_Z:
        assert len(plan) > 1, "a grid past the limits must be split"


@pytest.mark.parametrize("shape", HUGE, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("config", ["large", "small"])
def test_raw_matmul_launches_fit(config: str, shape: tuple[int, int, int]) -> None:
    from tinygrad_edu.kernels.cupy import matmul_raw

    M, N, batch = shape
    bm, bn = matmul_raw.CONFIGS[config][:2]
    assert_covers(matmul_raw.launches(M, N, batch, config), (cdiv(N, bn), cdiv(M, bm), batch))


def test_a_million_rows_no_longer_overflow_grid_y() -> None:
    """The bug this file exists for: cdiv(M, 16) > 65,535 once M > 1,048,560."""
    pytest.importorskip("numba", reason="numba is not installed")
    from tinygrad_edu.kernels.numba_cuda import matmul_tiled

    plan = matmul_tiled.launches(1_048_561, 64, 1)
    assert [grid[1] for _, grid in plan] == [65535, 1]
    assert [offset[1] for offset, _ in plan] == [0, 65535]


@pytest.mark.parametrize(
    ("shape", "min_threads"),
    [
        ((10**6, 16, 1), 16 * 8 * 64),  # the (1e6, 16) column sum: 16 threads before
        ((1, 10**6, 1000), 1000 * 8),
        ((4, 3, 5), 8),
        ((1, 2**31, 2), 2**11),
    ],
)
def test_column_reduction_uses_many_threads_per_column(shape: tuple[int, int, int],
                                                       min_threads: int) -> None:
    """(outer, n, inner) -> enough blocks of 256 threads, a partial per chunk, limits kept."""
    pytest.importorskip("numba", reason="numba is not installed")
    from tinygrad_edu.kernels.numba_cuda import reduce as red

    outer, n, inner = shape
    cols, x_blocks, chunks = red.column_plan(outer, n, inner)
    assert cols & (cols - 1) == 0 and cols <= 32 and (cols >= inner or cols == 32)
    assert x_blocks == outer * cdiv(inner, cols)
    assert 1 <= chunks <= red.MAX_CHUNKS
    assert x_blocks * chunks * red.BLOCK >= min_threads
    assert_covers(grid_plan((x_blocks, chunks, 1)), (x_blocks, chunks, 1))
