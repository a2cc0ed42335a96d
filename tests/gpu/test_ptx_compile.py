"""Compile-only checks of our kernels with the real CUDA compilers — no GPU, no driver.

Numba kernels go through ``numba.cuda.compile(kernel.py_func, signature, cc=(9, 0))``
(NVVM) to PTX, and from there through ``ptxas -v`` for the resource report. The CUDA C++
of ``kernels/cupy`` goes through NVRTC. We check what the simulator cannot see:

* no float64 instruction in a float32 kernel (a bare ``0.0`` literal silently promotes
  a whole accumulation to double precision, 64x slower on most GPUs);
* the register-blocked matmul keeps its ``cuda.local.array`` tiles in registers (no
  ``ld.local``/``st.local``), and no kernel spills registers;
* every ``RawModule`` name expression instantiates, and every ``ElementwiseKernel``
  body compiles as float32 code.

Where the compilers are missing the tests skip and say which library was not found;
``pip install "numba-cuda[cu13]"`` brings NVVM and NVRTC, ``ptxas`` comes with
``nvidia-cuda-nvcc`` or a CUDA toolkit. Under ``NUMBA_ENABLE_CUDASIM=1`` there is no
compiler at all, so this file skips itself there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
    pytest.skip(
        "compile-only checks need numba's real CUDA compiler, which the simulator replaces; "
        "they run in the main pytest process",
        allow_module_level=True,
    )

from cuda_harness import (  # noqa: E402
    ToolMissing,
    elementwise_source,
    elementwise_specs,
    f64_instructions,
    nvrtc_compile,
    ptxas_report,
)

ARCH_CC = (9, 0)  # H100; any cc >= 7.0 gives the same answers to these questions
INSTALL = 'pip install "numba-cuda[cu13]" (NVVM + NVRTC wheels)'


# --- helpers ---------------------------------------------------------------------------
class _FakeDevice:
    compute_capability = ARCH_CC


@pytest.fixture(scope="module")
def numba_ptx() -> Callable[[Any, tuple], str]:
    """``compile(kernel, argtypes) -> PTX`` with Numba's real CUDA compiler, or a skip."""
    pytest.importorskip("numba_cuda", reason="numba-cuda is not installed")
    import numba.cuda.dispatcher as dispatcher
    from numba import cuda, float32, types

    # Device functions (our elementwise ops) are compiled lazily by numba-cuda, which
    # asks the *driver* for the compute capability; there is no driver here, so we
    # answer for it. Kernels themselves take the cc from `cuda.compile(cc=...)`.
    patch = pytest.MonkeyPatch()
    patch.setattr(dispatcher, "get_current_device", lambda: _FakeDevice(), raising=False)

    def compile_ptx(kernel: Any, argtypes: tuple) -> str:
        ptx, _ = cuda.compile(kernel.py_func, types.void(*argtypes), device=False,
                              abi="numba", cc=ARCH_CC)
        return ptx

    @cuda.jit
    def probe(x):
        x[0] = x[0] + float32(1.0)

    try:
        compile_ptx(probe, (types.float32[::1],))
    except Exception as e:  # no NVVM / NVRTC library
        patch.undo()
        reason = str(e).strip().splitlines()[0] if str(e).strip() else ""
        pytest.skip(f"numba.cuda.compile cannot make PTX here ({type(e).__name__}: "
                    f"{reason}); {INSTALL}")
    yield compile_ptx
    patch.undo()


def _ptxas() -> str | None:
    try:
        from cuda.pathfinder import find_nvidia_binary_utility

        found = find_nvidia_binary_utility("ptxas")
    except Exception:
        found = None
    return found or shutil.which("ptxas")


def _ptxas_resources(ptx: str, tmp_path: Path) -> dict[str, int]:
    ptxas = _ptxas()
    if ptxas is None:
        pytest.skip("ptxas not found (pip install nvidia-cuda-nvcc, or a CUDA toolkit)")
    src = tmp_path / "kernel.ptx"
    src.write_text(ptx)
    proc = subprocess.run([ptxas, f"-arch=sm_{ARCH_CC[0]}{ARCH_CC[1]}", "-v", str(src),
                           "-o", os.devnull], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (resources,) = ptxas_report(proc.stdout + proc.stderr).values()
    return resources


def _numba_cases() -> dict[str, tuple[Callable[[], Any], tuple]]:
    """name -> (kernel getter, argument types as the launchers pass them)."""
    from numba import types
    from tinygrad_edu.kernels.numba_cuda import (
        elementwise,
        matmul_naive,
        matmul_register,
        matmul_tiled,
    )
    from tinygrad_edu.kernels.numba_cuda import reduce as red

    f1, f2, f3 = (types.Array(types.float32, n, "C") for n in (1, 2, 3))

    def tup(n: int) -> Any:
        return types.UniTuple(types.int64, n)

    i64 = types.int64
    mm = (f3, f3, f3, i64, i64, i64)  # a, b, c, block offsets bx0, by0, z0
    cases: dict[str, tuple[Callable[[], Any], tuple]] = {
        "matmul_naive": (lambda: matmul_naive.matmul_naive_kernel, mm),
        "matmul_tiled": (lambda: matmul_tiled.matmul_tiled_kernel, mm),
        "matmul_register": (lambda: matmul_register.matmul_register_kernel, mm),
    }
    for op in elementwise.MAP_OPS:
        cases[f"map_{op}"] = (lambda op=op: elementwise.map_kernel(op), (f1, f1))
    for op in elementwise.ZIP_OPS:
        cases[f"zip_{op}"] = (lambda op=op: elementwise.zip_kernel(op), (f1, f1, f1))
    def tup32(n: int) -> Any:
        return types.UniTuple(types.uint32, n)

    for nd in (2, 3):
        cases[f"zip_broadcast_mul_{nd}d"] = (
            lambda: elementwise.zip_broadcast_kernel("mul"), (f1, f1, f1, tup(nd), tup(nd), tup(nd))
        )
        cases[f"zip_broadcast32_mul_{nd}d"] = (
            lambda: elementwise.zip_broadcast_kernel32("mul"),
            (f1, f1, f1, tup32(nd), tup32(nd), tup32(nd)),
        )
    for op in red.OPS:
        cases[f"reduce_rows_{op}"] = (lambda op=op: red.rows_kernel(op), (f2, f2, i64, i64, i64))
        cases[f"reduce_short_rows_{op}"] = (lambda op=op: red.warp_rows_kernel(op), (f2, f1, i64))
        cases[f"reduce_columns_{op}"] = (lambda op=op: red.columns_kernel(op),
                                         (f3, f3, i64, i64, i64, i64))
    return cases


try:  # collect the case names without requiring numba to be importable
    NUMBA_CASES = sorted(_numba_cases())
except Exception:  # numba missing or broken: the fixture skips and says why
    NUMBA_CASES = ["matmul_naive"]

_PTX_CACHE: dict[str, str] = {}


def _case_ptx(name: str, numba_ptx: Callable[[Any, tuple], str]) -> str:
    if name not in _PTX_CACHE:
        getter, argtypes = _numba_cases()[name]
        _PTX_CACHE[name] = numba_ptx(getter(), argtypes)
    return _PTX_CACHE[name]


# --- Numba kernels ---------------------------------------------------------------------
@pytest.mark.parametrize("name", NUMBA_CASES)
def test_numba_kernel_has_no_float64(name: str, numba_ptx: Callable) -> None:
    ptx = _case_ptx(name, numba_ptx)
    assert ".entry" in ptx
    assert f64_instructions(ptx) == [], f"{name} computes in float64"


def test_float64_check_catches_a_bare_literal(numba_ptx: Callable) -> None:
    """Control: the check above must fire on the classic mistake, ``acc = 0.0``."""
    from numba import cuda, types

    @cuda.jit
    def promoted(a, out):
        acc = 0.0  # float64!
        for k in range(a.shape[0]):
            acc += a[k]
        out[0] = acc

    ptx = numba_ptx(promoted, (types.float32[::1], types.float32[::1]))
    assert f64_instructions(ptx), "the float64 detector missed a float64 accumulator"


@pytest.mark.parametrize("name", ["matmul_register", "matmul_tiled", "reduce_rows_sum"])
def test_local_arrays_stay_in_registers(name: str, numba_ptx: Callable) -> None:
    ptx = _case_ptx(name, numba_ptx)
    local = re.findall(r"\b(?:ld|st)\.local\b", ptx)
    assert not local, f"{name} uses slow local memory ({len(local)} accesses)"


@pytest.mark.parametrize("name", ["matmul_naive", "matmul_tiled", "matmul_register",
                                  "reduce_rows_sum", "reduce_short_rows_sum", "reduce_columns_sum",
                                  "zip_broadcast_mul_3d", "zip_broadcast32_mul_3d", "map_sigmoid"])
def test_numba_kernel_does_not_spill(name: str, numba_ptx: Callable, tmp_path: Path) -> None:
    resources = _ptxas_resources(_case_ptx(name, numba_ptx), tmp_path)
    assert resources["spill_stores"] == 0 and resources["spill_loads"] == 0, resources
    assert resources["registers"] <= 255, resources


def test_broadcast_index_is_32_bit(numba_ptx: Callable) -> None:
    """The 3-D broadcast kernel's per-element ``%`` and ``//`` are 32-bit in the
    kernel for arrays below 2^32 elements, and 64-bit in the other one (the control)."""
    ptx32 = _case_ptx("zip_broadcast32_mul_3d", numba_ptx)
    ptx64 = _case_ptx("zip_broadcast_mul_3d", numba_ptx)
    wide = r"\b(?:div|rem)\.[su]64\b"
    # One 32-bit division per dimension (the remainder is derived from the quotient) ...
    assert len(re.findall(r"\b(?:div|rem)\.u32\b", ptx32)) >= 3, "expected 32-bit division"
    # ... and at most one 64-bit one, once per thread: the grid-stride loop's trip count.
    assert len(re.findall(wide, ptx32)) <= 1, re.findall(wide, ptx32)
    assert len(re.findall(wide, ptx64)) >= 6, "control: the 64-bit kernel divides in 64 bits"


# --- CUDA C++ (kernels/cupy) through NVRTC --------------------------------------------------
def _nvrtc(source: str, **kwargs: Any) -> Any:
    try:
        return nvrtc_compile(source, **kwargs)
    except ToolMissing as e:
        pytest.skip(f"{e}; pip install nvidia-cuda-nvrtc (or {INSTALL})")


def test_raw_matmul_instantiates_every_template() -> None:
    from tinygrad_edu.kernels.cupy import matmul_raw

    result = _nvrtc(matmul_raw.SOURCE, options=matmul_raw.OPTIONS,
                    name_expressions=matmul_raw.NAME_EXPRESSIONS)
    assert set(result.lowered) == set(matmul_raw.NAME_EXPRESSIONS)
    report = ptxas_report(result.log)
    for expr, mangled in result.lowered.items():
        resources = report[mangled]
        assert resources["spill_stores"] == 0 and resources["spill_loads"] == 0, (expr, resources)
        assert resources["registers"] <= 255, (expr, resources)
    assert f64_instructions(result.ptx) == []


def test_raw_matmul_large_tile_fits_two_blocks_per_sm() -> None:
    """256 threads x at most 128 registers = 2 blocks per SM (65,536 registers): the other
    block computes while one waits at a barrier. More registers halve the occupancy."""
    from tinygrad_edu.kernels.cupy import matmul_raw

    expr = matmul_raw.kernel_name("large", True)
    result = _nvrtc(matmul_raw.SOURCE, options=matmul_raw.OPTIONS, name_expressions=(expr,))
    resources = ptxas_report(result.log)[result.lowered[expr]]
    assert resources["registers"] <= 128, resources


def test_elementwise_kernel_bodies_compile_as_float32() -> None:
    source = "\n".join(elementwise_source(name, *spec, device=True)
                       for name, spec in elementwise_specs().items())
    result = _nvrtc(source)
    assert f64_instructions(result.ptx) == []
    for name in elementwise_specs():
        assert f".entry {name}(" in result.ptx


def test_float64_check_catches_a_double_literal_in_cuda_cpp() -> None:
    source = elementwise_source("scaled", "float32 x", "float32 y", "y = x * 0.1", device=True)
    assert f64_instructions(_nvrtc(source).ptx), "0.1 without an f suffix is a double"
