"""Machine-code checks of the matmul kernels: what an H100 would execute, read without one.

Every register-blocked matmul is compiled for sm_90 (Numba → PTX → ptxas; CUDA C++ →
NVRTC) and its SASS read back with ``cuobjdump``/``nvdisasm`` (``kernels/machine_code.py``).
Without a GPU these are the best predictors of speed we have:

* at most 128 registers per thread at 256 threads per block, so 2 blocks fit per SM;
* no spills to local memory;
* the share of FFMA among all instructions of the K loop: >= 70 % for the Numba
  register-blocked kernel, >= 90 % for the raw kernel's float4 path.

Tools: ``pip install "cuda-toolkit[nvcc,nvdisasm,cuobjdump]==13.*" "numba-cuda[cu13]"``
(the ``test`` extra has them). Where one is missing the tests skip and say which.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    pytest.skip(
        "machine-code checks need numba's real CUDA compiler, which the simulator replaces; "
        "they run in the main pytest process",
        allow_module_level=True,
    )

from tinygrad_edu.kernels import machine_code as mc  # noqa: E402

# kernel -> minimum K-loop FFMA share (the goals for the first two; the others
# guard against regressions of what they reach today, with a little slack).
FFMA_GOALS = {
    "numba matmul_register": 0.70,
    "cupy-raw large float4": 0.90,
    "cupy-raw large scalar": 0.75,
    "cupy-raw small float4": 0.75,
    "cupy-raw small scalar": 0.65,
}


@pytest.fixture(scope="module")
def reports() -> dict[str, mc.KernelReport]:
    pytest.importorskip("numba_cuda", reason="numba-cuda is not installed")
    try:
        return mc.matmul_reports()
    except mc.ToolMissing as e:
        pytest.skip(str(e))


def test_every_matmul_is_checked(reports: dict[str, mc.KernelReport]) -> None:
    assert set(reports) == set(FFMA_GOALS)


@pytest.mark.parametrize("name", sorted(FFMA_GOALS))
def test_two_blocks_per_sm_without_spills(name: str, reports: dict[str, mc.KernelReport]) -> None:
    r = reports[name]
    assert r.threads == 256
    assert r.registers <= 128, f"{name}: {r.registers} registers leave room for one block per SM"
    assert r.blocks_per_sm >= 2, (name, r)
    assert r.spill_bytes == 0 and r.local_bytes == 0, f"{name} spills to local memory: {r}"


@pytest.mark.parametrize("name", sorted(FFMA_GOALS))
def test_k_loop_is_mostly_ffma(name: str, reports: dict[str, mc.KernelReport]) -> None:
    loop = reports[name].loop
    assert loop.ffma > 0, f"{name}: no loop with FFMAs found in the SASS"
    assert loop.ffma_share >= FFMA_GOALS[name], (
        f"{name}: the K loop is {loop.ffma_share:.1%} FFMA ({loop.ffma} of {loop.instructions}; "
        f"goal {FFMA_GOALS[name]:.0%}); instruction counts {loop.counts}"
    )


@pytest.mark.parametrize("name", ["numba matmul_register", "cupy-raw large float4"])
def test_shared_loads_are_128_bit(name: str, reports: dict[str, mc.KernelReport]) -> None:
    """4 LDS.128 per 64 FFMAs: a thread's 8 A and 8 B values come as four 16-byte loads."""
    loop = reports[name].loop
    assert loop.counts.get("LDS", 0) * 16 == loop.ffma, loop.counts


# --- the reader itself, on known inputs ---------------------------------------------------
SASS = [
    "MOV R1, c[0x0][0x28]",
    ".L_x_0:",  # outer loop
    "LDG.E R2, [R4.64]",
    ".L_x_1:",  # inner loop: 3 FFMA of 5 instructions
    "FFMA R6, R2, R3, R6",
    "@P0 FFMA R7, R2, R3, R7",
    "FFMA R8, R2, R3, R8",
    "IADD3 R9, R9, 0x1, RZ",
    "@P1 BRA `(.L_x_1)",
    "NOP",
    "ISETP.GE.AND P2, PT, R9, R10, PT",
    "@!P2 BRA `(.L_x_0)",
    "EXIT",
    ".L_x_2:",
    "BRA `(.L_x_2)",  # the end-of-kernel self loop: no FFMA, never chosen
]


def test_loops_are_backward_branches() -> None:
    assert sorted(mc.loops(SASS)) == [(1, 11), (3, 8), (13, 14)]


def test_k_loop_mix_takes_the_innermost_loop_with_the_most_ffma() -> None:
    mix = mc.k_loop_mix(SASS)
    assert (mix.ffma, mix.instructions) == (3, 5)
    assert mix.counts == {"FFMA": 3, "IADD3": 1, "BRA": 1}
    assert mix.ffma_share == pytest.approx(0.6)


def test_opcode_strips_predicates_and_modifiers() -> None:
    assert mc.opcode("@!P0 LDS.128 R4, [R0+0x100]") == "LDS"
    assert mc.opcode("FFMA R1, R2, R3, R1") == "FFMA"


@pytest.mark.parametrize(("registers", "threads", "shared", "blocks"), [
    (160, 256, 9344, 1),  # numba matmul_register before: 12.5 % occupancy
    (130, 256, 9344, 1),  # cupy-raw scalar path before
    (128, 256, 17664, 2),
    (125, 256, 9344, 2),
    (32, 256, 0, 8),  # the thread limit: 2048 threads per SM
    (32, 256, 100 * 1024, 2),  # the shared-memory limit: 228 KB per SM
])
def test_blocks_per_sm(registers: int, threads: int, shared: int, blocks: int) -> None:
    assert mc.blocks_per_sm(registers, threads, shared) == blocks
