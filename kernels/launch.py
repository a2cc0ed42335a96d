"""Planning launches within CUDA's grid limits (no GPU library imported here).

A grid has at most 2^31 - 1 blocks along x and 65,535 along y and z. A matmul that puts
``cdiv(M, 16)`` row blocks in ``gridDim.y`` therefore cannot be launched for more than
1,048,560 rows (a Linear layer over B·T > 1M tokens), and one that puts the batch in
``gridDim.z`` cannot take more than 65,535 matrices. Rather than hope, every launcher asks
:func:`grid_plan` for a list of launches: each launch covers a box of the full block grid
and tells the kernel where the box starts (``blockIdx + offset`` is the block's position in
the full grid). For every realistic shape the plan is a single launch with zero offsets.

Tests shrink :data:`GRID_LIMITS` to force chunking on small shapes under the simulator.
"""

from __future__ import annotations

from collections.abc import Iterator

# (x, y, z) maximum grid dimensions for every compute capability CUDA 13 supports.
GRID_LIMITS: tuple[int, int, int] = (2**31 - 1, 65535, 65535)

Dim3 = tuple[int, int, int]


def cdiv(a: int, b: int) -> int:
    """Ceiling division: how many blocks of size ``b`` cover ``a`` items."""
    return -(-a // b)


def grid_plan(blocks: Dim3, limits: Dim3 | None = None) -> list[tuple[Dim3, Dim3]]:
    """Split a grid of ``blocks = (bx, by, bz)`` into ``[(offset, grid), ...]`` launches,
    each ``grid`` within ``limits`` (default :data:`GRID_LIMITS`, read at call time).

    >>> grid_plan((3, 70000, 1))
    [((0, 0, 0), (3, 65535, 1)), ((0, 65535, 0), (3, 4465, 1))]
    """
    limits = limits or GRID_LIMITS
    if any(n < 0 for n in blocks):
        raise ValueError(f"grid_plan: negative block count in {blocks}")
    if any(n == 0 for n in blocks):
        return []
    return list(_boxes(blocks, limits))


def _boxes(blocks: Dim3, limits: Dim3) -> Iterator[tuple[Dim3, Dim3]]:
    bx, by, bz = blocks
    lx, ly, lz = limits
    for z0 in range(0, bz, lz):
        for y0 in range(0, by, ly):
            for x0 in range(0, bx, lx):
                yield (x0, y0, z0), (min(lx, bx - x0), min(ly, by - y0), min(lz, bz - z0))
