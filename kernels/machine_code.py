"""Reading our kernels' machine code (SASS) without a GPU.

Why
---
A kernel can be correct, look fast on paper and still be slow, and without a GPU we
cannot time it. But the compiler's output can be read: what runs on an H100 is SASS, the
GPU's machine code, and a few numbers from it predict speed well for a matmul:

* **registers per thread** — an SM has 65,536 registers. At 256 threads per block, a
  kernel using at most 128 registers fits two blocks per SM (one computes while the other
  waits at a barrier); at 129..255 only one fits (12.5 % occupancy on sm_90).
* **spills** — registers that did not fit and went to slow local memory.
* **the K loop's instruction mix** — the share of FFMA (fused multiply-add) among all
  instructions of the innermost loop that holds the multiply-adds. Every instruction
  that is not an FFMA (address arithmetic, shared-memory loads, branches) takes an issue
  slot the arithmetic could have used, so the FFMA share is a ceiling on the fraction of
  peak fp32 throughput.

How
---
Numba kernels: ``numba.cuda.compile`` → PTX → ``ptxas`` → a cubin. CUDA C++: NVRTC →
cubin. Then ``cuobjdump -res-usage`` (registers, shared memory), ``ptxas -v`` (spills)
and ``nvdisasm`` (the SASS with branch targets as labels, so loops can be found: a
backward branch closes a loop). All of them ship in PyPI wheels of the CUDA toolkit
(``pip install "cuda-toolkit[nvcc,nvdisasm,cuobjdump]==13.*"``); no driver is needed.

Used by ``tests/gpu/test_sass.py`` (asserts) and ``benchmarks/kernel_sass_table.py``
(prints the table).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ARCH_CC = (9, 0)  # H100/H200
ARCH = f"sm_{ARCH_CC[0]}{ARCH_CC[1]}"

# sm_90 resource limits (CUDA C Programming Guide, "Technical Specifications").
REGISTERS_PER_SM = 65536
MAX_THREADS_PER_SM = 2048
MAX_BLOCKS_PER_SM = 32
SHARED_PER_SM = 228 * 1024
SHARED_RESERVED_PER_BLOCK = 1024  # the runtime keeps 1 KB per block for itself
REGISTER_ALLOCATION_UNIT = 256  # registers are handed to warps in chunks of 256


class ToolMissing(RuntimeError):
    """A compiler or disassembler is not installed; the message says how to get it."""


def find_tool(name: str) -> str:
    """Path of a CUDA binary utility (``ptxas``, ``nvdisasm``, ``cuobjdump``)."""
    found = None
    try:
        from cuda.pathfinder import find_nvidia_binary_utility

        found = find_nvidia_binary_utility(name)
    except Exception:
        found = None
    found = found or shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} not found: pip install \"cuda-toolkit[nvcc,nvdisasm,cuobjdump]"
                          "==13.*\" (or put a CUDA 13 toolkit on PATH)")
    return found


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} failed:\n{proc.stderr}{proc.stdout}")
    return proc.stdout + proc.stderr


# --- compiling to a cubin --------------------------------------------------------------------
class _FakeDevice:
    compute_capability = ARCH_CC


def numba_ptx(kernel: Any, argtypes: tuple) -> str:
    """PTX of a ``@cuda.jit`` kernel for sm_90, with the launch bounds it was declared with.

    Device functions are compiled lazily by numba-cuda, which asks the *driver* for the
    compute capability; there is no driver here, so we answer for it while compiling.
    """
    import numba.cuda.dispatcher as dispatcher
    from numba import cuda, types

    options = getattr(kernel, "targetoptions", {})
    saved = getattr(dispatcher, "get_current_device", None)
    dispatcher.get_current_device = lambda: _FakeDevice()
    try:
        ptx, _ = cuda.compile(kernel.py_func, types.void(*argtypes), device=False, abi="numba",
                              cc=ARCH_CC, launch_bounds=options.get("launch_bounds"))
    finally:
        if saved is not None:
            dispatcher.get_current_device = saved
    return ptx


def ptx_to_cubin(ptx: str, workdir: Path, max_registers: int | None = None) -> tuple[Path, str]:
    """``ptxas -v`` the PTX into a cubin; returns (cubin path, ptxas' resource report)."""
    src = workdir / "kernel.ptx"
    out = workdir / "kernel.cubin"
    src.write_text(ptx)
    cmd = [find_tool("ptxas"), f"-arch={ARCH}", "-v", str(src), "-o", str(out)]
    if max_registers:
        cmd.insert(2, f"--maxrregcount={max_registers}")
    return out, _run(cmd)


def nvrtc_to_cubin(source: str, workdir: Path, options: tuple[str, ...] = (),
                   name_expressions: tuple[str, ...] = ()) -> tuple[Path, str, dict[str, str]]:
    """Compile CUDA C++ with NVRTC for sm_90; returns (cubin path, log, {expr: mangled})."""
    try:
        from cuda.bindings import nvrtc
    except ImportError as e:
        raise ToolMissing(f"cuda-bindings is not installed ({e}): pip install "
                          "\"numba-cuda[cu13]\"") from None

    def check(result: tuple) -> tuple:
        if result[0] != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            raise RuntimeError(f"NVRTC call failed: {result[0]}")
        return result[1:]

    try:
        (prog,) = check(nvrtc.nvrtcCreateProgram(source.encode(), b"kernels.cu", 0, [], []))
    except RuntimeError:
        raise
    except Exception as e:  # loading libnvrtc failed
        raise ToolMissing(f"the NVRTC library could not be loaded ({type(e).__name__}: {e})"
                          ) from None
    for expr in name_expressions:
        check(nvrtc.nvrtcAddNameExpression(prog, expr.encode()))
    opts = [o.encode() for o in options] + [f"--gpu-architecture={ARCH}".encode(),
                                            b"--ptxas-options=-v"]
    status = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)[0]
    (size,) = check(nvrtc.nvrtcGetProgramLogSize(prog))
    log = b" " * size
    check(nvrtc.nvrtcGetProgramLog(prog, log))
    log_text = log.rstrip(b"\0 ").decode(errors="replace")
    if status != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise RuntimeError(f"NVRTC could not compile the source:\n{log_text}")
    lowered = {}
    for expr in name_expressions:
        (name,) = check(nvrtc.nvrtcGetLoweredName(prog, expr.encode()))
        lowered[expr] = name.decode() if isinstance(name, bytes) else name
    (cubin_size,) = check(nvrtc.nvrtcGetCUBINSize(prog))
    cubin = b" " * cubin_size
    check(nvrtc.nvrtcGetCUBIN(prog, cubin))
    out = workdir / "kernels.cubin"
    out.write_bytes(cubin)
    return out, log_text, lowered


# --- reading the cubin -----------------------------------------------------------------------
def spills(ptxas_log: str) -> dict[str, tuple[int, int]]:
    """``{mangled name: (spill store bytes, spill load bytes)}`` from ``ptxas -v``."""
    out: dict[str, tuple[int, int]] = {}
    current = None
    for line in ptxas_log.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            current = m.group(1)
            continue
        m = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m and current is not None:
            out[current] = (int(m[1]), int(m[2]))
    return out


def resource_usage(cubin: Path) -> dict[str, dict[str, int]]:
    """``{mangled name: {"registers", "shared", "local"}}`` from ``cuobjdump -res-usage``."""
    text = _run([find_tool("cuobjdump"), "-res-usage", str(cubin)])
    out: dict[str, dict[str, int]] = {}
    name = None
    for line in text.splitlines():
        m = re.search(r"Function (\S+):", line)
        if m:
            name = m.group(1)
            continue
        m = re.search(r"REG:(\d+) STACK:(\d+) SHARED:(\d+) LOCAL:(\d+)", line)
        if m and name is not None:
            out[name] = {"registers": int(m[1]), "stack": int(m[2]), "shared": int(m[3]),
                         "local": int(m[4])}
    return out


def disassemble(cubin: Path) -> dict[str, list[str]]:
    """``{mangled name: SASS lines}``: instructions (opcode first, predicate kept) and
    labels (``.L_x_3:``), in order, from ``nvdisasm``."""
    text = _run([find_tool("nvdisasm"), "-c", str(cubin)])
    out: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for raw in text.splitlines():
        m = re.match(r"\s*\.text\.(\S+):", raw)
        if m:
            lines = out.setdefault(m.group(1), [])
            continue
        if lines is None:
            continue
        label = re.match(r"\s*(\.L_x_\d+):", raw)
        if label:
            lines.append(label.group(1) + ":")
            continue
        m = re.match(r"\s*/\*[0-9a-f]{4,}\*/\s+(.*?)\s*;", raw)
        if m:
            lines.append(m.group(1).strip())
    return out


def opcode(instruction: str) -> str:
    """``"@P0 FFMA R1, R2, R3, R1"`` -> ``"FFMA"``; ``"LDS.128 R4, [R0]"`` -> ``"LDS"``."""
    parts = instruction.split()
    if parts and parts[0].startswith("@"):
        parts = parts[1:]
    return parts[0].split(".")[0] if parts else ""


@dataclass
class LoopMix:
    """The instruction mix of one loop: counts by opcode, FFMA share."""

    instructions: int
    ffma: int
    counts: dict[str, int]

    @property
    def ffma_share(self) -> float:
        return self.ffma / self.instructions if self.instructions else 0.0


def loops(sass: list[str]) -> list[tuple[int, int]]:
    """(first, last) line indices of every loop: a branch back to a label above it."""
    where = {line[:-1]: i for i, line in enumerate(sass) if line.endswith(":")}
    found = []
    for i, line in enumerate(sass):
        if opcode(line) == "BRA":
            target = re.search(r"(\.L_x_\d+)", line)
            if target and target.group(1) in where and where[target.group(1)] < i:
                found.append((where[target.group(1)], i))
    return found


def k_loop_mix(sass: list[str]) -> LoopMix:
    """The mix of the matmul's hot loop: of the loops holding the most FFMAs, the
    smallest (the innermost one the multiply-adds run in). NOPs (alignment padding) and
    labels are not instructions."""
    best: tuple[int, int, dict[str, int]] | None = None  # (ffma, size, counts)
    for first, last in loops(sass):
        counts: dict[str, int] = {}
        for line in sass[first:last + 1]:
            op = opcode(line)
            if not line.endswith(":") and op != "NOP":
                counts[op] = counts.get(op, 0) + 1
        ffma, size = counts.get("FFMA", 0), sum(counts.values())
        if best is None or (ffma, -size) > (best[0], -best[1]):
            best = (ffma, size, counts)
    if best is None or best[0] == 0:
        return LoopMix(0, 0, {})
    return LoopMix(best[1], best[0], best[2])


def blocks_per_sm(registers: int, threads: int, shared_bytes: int) -> int:
    """Resident blocks per sm_90 SM, limited by registers, threads, shared memory."""
    warps = math.ceil(threads / 32)
    per_warp = math.ceil(max(registers, 1) * 32 / REGISTER_ALLOCATION_UNIT)
    per_warp *= REGISTER_ALLOCATION_UNIT
    by_registers = (REGISTERS_PER_SM // per_warp) // warps
    by_threads = MAX_THREADS_PER_SM // (warps * 32)
    by_shared = SHARED_PER_SM // (shared_bytes + SHARED_RESERVED_PER_BLOCK)
    return min(by_registers, by_threads, by_shared, MAX_BLOCKS_PER_SM)


# --- one report per kernel -------------------------------------------------------------------
@dataclass
class KernelReport:
    name: str
    threads: int
    registers: int
    shared: int
    spill_bytes: int
    local_bytes: int
    loop: LoopMix

    @property
    def blocks_per_sm(self) -> int:
        return blocks_per_sm(self.registers, self.threads, self.shared)

    @property
    def occupancy(self) -> float:
        return self.blocks_per_sm * self.threads / MAX_THREADS_PER_SM


def _report(name: str, mangled: str, threads: int, cubin: Path, log: str) -> KernelReport:
    usage = resource_usage(cubin)[mangled]
    sass = disassemble(cubin)[mangled]
    stores, loads = spills(log).get(mangled, (0, 0))
    return KernelReport(name, threads, usage["registers"], usage["shared"], stores + loads,
                        usage["local"], k_loop_mix(sass))


def numba_report(name: str, kernel: Any, argtypes: tuple, threads: int) -> KernelReport:
    """Compile a Numba kernel for sm_90 and read its machine code."""
    ptx = numba_ptx(kernel, argtypes)
    mangled = re.search(r"\.entry\s+(\S+)\s*\(", ptx).group(1)  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        cubin, log = ptx_to_cubin(ptx, Path(tmp))
        return _report(name, mangled, threads, cubin, log)


def nvrtc_reports(source: str, options: tuple[str, ...],
                  kernels: dict[str, tuple[str, int]]) -> dict[str, KernelReport]:
    """Compile CUDA C++ once; ``kernels`` maps a display name to (name expression, threads)."""
    exprs = tuple(expr for expr, _ in kernels.values())
    with tempfile.TemporaryDirectory() as tmp:
        cubin, log, lowered = nvrtc_to_cubin(source, Path(tmp), options, exprs)
        return {name: _report(name, lowered[expr], threads, cubin, log)
                for name, (expr, threads) in kernels.items()}


def matmul_reports() -> dict[str, KernelReport]:
    """The machine-code report of every register-blocked matmul we have."""
    from numba import types

    from kernels.cupy import matmul_raw
    from kernels.numba_cuda import matmul_register

    f3, i64 = types.Array(types.float32, 3, "C"), types.int64
    name = "numba matmul_register"
    reports = {name: numba_report(name, matmul_register.matmul_register_kernel,
                                  (f3, f3, f3, i64, i64, i64), matmul_register.THREADS)}
    raw: dict[str, tuple[str, int]] = {}
    for config in matmul_raw.CONFIGS:
        for vec in (True, False):
            label = f"cupy-raw {config} {'float4' if vec else 'scalar'}"
            bm, bn, _, tm, tn = matmul_raw.CONFIGS[config]
            raw[label] = (matmul_raw.kernel_name(config, vec), (bm // tm) * (bn // tn))
    reports.update(nvrtc_reports(matmul_raw.SOURCE, matmul_raw.OPTIONS, raw))
    return reports


def format_table(reports: dict[str, KernelReport]) -> str:
    """A Markdown table: registers, blocks/SM, occupancy, spills, K-loop FFMA share."""
    head = ("| kernel | threads | regs/thread | spills (bytes) | shared (bytes) | blocks/SM | "
            "occupancy | K-loop FFMA / all |")
    rows = [head, "|" + "---|" * 8]
    for r in reports.values():
        loop = r.loop
        rows.append(f"| {r.name} | {r.threads} | {r.registers} | {r.spill_bytes} | {r.shared} | "
                    f"{r.blocks_per_sm} | {r.occupancy:.1%} | {loop.ffma}/{loop.instructions} = "
                    f"{loop.ffma_share:.1%} |")
    return "\n".join(rows)

