"""Test helpers for our CUDA C++ sources, usable without a GPU.

* :func:`elementwise_source` turns the spec of a ``cupy.ElementwiseKernel`` (params and
  body, as kept in ``kernels/cupy/*.py``) into a standalone kernel — for NVRTC — or a
  plain host loop — for a host C++ compiler. It is roughly what CuPy generates.
* :data:`HOST_EMULATION` is just enough CUDA to run a ``__global__`` function on the CPU:
  one ``std::thread`` per CUDA thread, a ``std::barrier`` per block for
  ``__syncthreads()``, and ``__shared__`` arrays as function-local statics (blocks run one
  after another, so "one copy per block" and "one copy" are the same thing).
* :func:`nvrtc_compile` compiles CUDA C++ with NVRTC (``cuda.bindings``), which needs the
  NVRTC library but no driver and no GPU.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

C_TYPES = {"float32": "float"}


def parse_params(params: str) -> list[tuple[str, str]]:
    """``"float32 x, float32 y"`` -> ``[("float", "x"), ("float", "y")]``."""
    out = []
    for part in params.split(","):
        dtype, name = part.split()
        if dtype not in C_TYPES:
            raise ValueError(f"harness: unsupported parameter type {dtype!r}")
        out.append((C_TYPES[dtype], name))
    return out


def elementwise_source(
    name: str, in_params: str, out_params: str, body: str, *, device: bool
) -> str:
    """One function applying ``body`` at every index ``i < n``.

    Inputs come as (pointer, stride) pairs — stride 0 for a scalar or a broadcast
    operand — and are ``const`` (as in CuPy). Outputs are contiguous and are read before
    the body runs, so in-place updates (``p -= ...``) work as in CuPy.
    """
    ins, outs = parse_params(in_params), parse_params(out_params)
    args = ["long long n"]
    args += [f"const {t}* __restrict__ {v}_, long long {v}_stride" for t, v in ins]
    args += [f"{t}* __restrict__ {v}_" for t, v in outs]
    loads = [f"const {t} {v} = {v}_[i * {v}_stride];" for t, v in ins]
    loads += [f"{t} {v} = {v}_[i];" for t, v in outs]
    stores = [f"{v}_[i] = {v};" for _, v in outs]
    inner = "\n        ".join(loads + ["{ " + body.strip().rstrip(";") + "; }"] + stores)
    if device:
        return (
            f'extern "C" __global__ void {name}({", ".join(args)}) {{\n'
            "    const long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;\n"
            "    if (i < n) {\n"
            f"        {inner}\n"
            "    }\n}\n"
        )
    return (
        f'extern "C" void {name}({", ".join(args)}) {{\n'
        "    for (long long i = 0; i < n; ++i) {\n"
        f"        {inner}\n"
        "    }\n}\n"
    )


HOST_EMULATION = r"""
// Just enough CUDA to run a kernel on the CPU (C++20).
#include <algorithm>
#include <barrier>
#include <cmath>
#include <math.h>
#include <thread>
#include <vector>

struct float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }
struct dim3 { unsigned x = 1, y = 1, z = 1; };
static thread_local dim3 threadIdx{0, 0, 0};
static thread_local dim3 blockIdx{0, 0, 0};
static dim3 blockDim, gridDim;
static std::barrier<>* block_barrier = nullptr;
inline void __syncthreads() { block_barrier->arrive_and_wait(); }

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
using std::min;

// Run grid.x * grid.y * grid.z blocks one after another; the threads of a block run
// concurrently and meet at __syncthreads().
template <class Kernel>
void launch(dim3 grid, dim3 block, Kernel kernel) {
    gridDim = grid;
    blockDim = block;
    const unsigned threads = block.x * block.y * block.z;
    for (unsigned bz = 0; bz < grid.z; ++bz)
        for (unsigned by = 0; by < grid.y; ++by)
            for (unsigned bx = 0; bx < grid.x; ++bx) {
                std::barrier<> barrier(threads);
                block_barrier = &barrier;
                std::vector<std::thread> pool;
                pool.reserve(threads);
                for (unsigned t = 0; t < threads; ++t)
                    pool.emplace_back([=] {
                        threadIdx = dim3{t % block.x, (t / block.x) % block.y,
                                         t / (block.x * block.y)};
                        blockIdx = dim3{bx, by, bz};
                        kernel();
                    });
                for (auto& th : pool) th.join();
            }
}
"""


class ToolMissing(Exception):
    """A compiler this check needs is not available; the message says which and why."""


def host_compiler() -> str:
    cxx = shutil.which("g++") or shutil.which("clang++")
    if cxx is None:
        raise ToolMissing("no host C++ compiler (g++ or clang++) on PATH")
    return cxx


def build_host_library(source: str, workdir: Path) -> ctypes.CDLL:
    """Compile ``source`` (C++20) into a shared library and load it."""
    cxx = host_compiler()
    src = workdir / "kernels_host.cpp"
    lib = workdir / "kernels_host.so"
    src.write_text(source)
    cmd = [cxx, "-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-Wall",
           "-Wno-unknown-pragmas", str(src), "-o", str(lib)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        if "barrier" in proc.stderr and "No such file" in proc.stderr:
            raise ToolMissing(f"{cxx} has no C++20 <barrier>: {proc.stderr.strip()[:300]}")
        raise AssertionError(f"host compilation failed:\n{proc.stderr}")
    return ctypes.CDLL(str(lib))


@dataclass
class NvrtcResult:
    log: str
    ptx: str
    lowered: dict[str, str]


def nvrtc_compile(
    source: str, *, options: tuple[str, ...] = (), name_expressions: tuple[str, ...] = (),
    arch: str = "sm_90",
) -> NvrtcResult:
    """Compile CUDA C++ with NVRTC to PTX (and SASS, for ptxas' resource report)."""
    try:
        from cuda.bindings import nvrtc
    except ImportError as e:
        raise ToolMissing(f"cuda-bindings is not installed ({e})") from None

    def check(result: tuple) -> tuple:
        if result[0] != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            raise AssertionError(f"NVRTC call failed: {result[0]}")
        return result[1:]

    try:
        (prog,) = check(nvrtc.nvrtcCreateProgram(source.encode(), b"kernels.cu", 0, [], []))
    except Exception as e:  # the first call loads libnvrtc: DynamicLibNotFoundError etc.
        message = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise ToolMissing(f"the NVRTC library could not be loaded ({type(e).__name__}: "
                          f"{message})") from None
    for expr in name_expressions:
        check(nvrtc.nvrtcAddNameExpression(prog, expr.encode()))
    opts = [o.encode() for o in options] + [f"--gpu-architecture={arch}".encode(),
                                            b"--ptxas-options=-v"]
    status = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)[0]
    (size,) = check(nvrtc.nvrtcGetProgramLogSize(prog))
    log = b" " * size
    check(nvrtc.nvrtcGetProgramLog(prog, log))
    log_text = log.rstrip(b"\0 ").decode(errors="replace")
    if status != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise AssertionError(f"NVRTC could not compile the source:\n{log_text}")
    lowered = {}
    for expr in name_expressions:
        (name,) = check(nvrtc.nvrtcGetLoweredName(prog, expr.encode()))
        lowered[expr] = name.decode() if isinstance(name, bytes) else name
    (ptx_size,) = check(nvrtc.nvrtcGetPTXSize(prog))
    ptx = b" " * ptx_size
    check(nvrtc.nvrtcGetPTX(prog, ptx))
    return NvrtcResult(log_text, ptx.rstrip(b"\0 ").decode(), lowered)


def f64_instructions(ptx: str) -> list[str]:
    """PTX instruction lines that compute in (or convert to or from) double precision."""
    lines = []
    for line in ptx.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith((".reg", "//", ".param")):
            continue
        opcode = stripped.split()[0] if not stripped.startswith("@") else stripped.split()[1]
        if ".f64" in opcode:
            lines.append(stripped)
    return lines


def ptxas_report(log: str) -> dict[str, dict[str, int]]:
    """``{mangled kernel name: {"registers": r, "spill_stores": s, "spill_loads": l}}``
    from ptxas' ``-v`` output."""
    report: dict[str, dict[str, int]] = {}
    current = None
    for line in log.splitlines():
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            current = report.setdefault(m.group(1), {})
            continue
        if current is None:
            continue
        m = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", line)
        if m:
            current["spill_stores"], current["spill_loads"] = int(m[1]), int(m[2])
        m = re.search(r"Used (\d+) registers", line)
        if m:
            current["registers"] = int(m[1])
    return report


# --- our CUDA C++ on the host, behind a numpy stand-in for CuPy ------------------------------
def elementwise_specs() -> dict[str, tuple[str, str, str]]:
    """Every ``ElementwiseKernel`` in ``kernels/cupy``: kernel name -> (in, out, body)."""
    from tinygrad_edu.kernels.cupy import elementwise, fused

    specs = {f"tge_{k}": (*elementwise.BINARY_PARAMS, v) for k, v in elementwise.BINARY.items()}
    specs |= {f"tge_{k}": (*elementwise.UNARY_PARAMS, v) for k, v in elementwise.UNARY.items()}
    specs["tge_adam_step"] = (*fused.ADAM_PARAMS, fused.ADAM_BODY)
    specs["tge_bias_relu"] = (*fused.BIAS_RELU_PARAMS, fused.BIAS_RELU_BODY)
    return specs


def _raw_launcher_name(index: int) -> str:
    return f"launch_raw_{index}"


def host_kernels_source() -> str:
    """HOST_EMULATION + matmul_raw.SOURCE + one C launcher per name expression + every
    elementwise body as a host loop."""
    from tinygrad_edu.kernels.cupy import matmul_raw

    parts = [HOST_EMULATION, matmul_raw.SOURCE]
    for i, expr in enumerate(matmul_raw.NAME_EXPRESSIONS):
        parts.append(
            f'extern "C" void {_raw_launcher_name(i)}(unsigned gx, unsigned gy, unsigned gz,\n'
            "        unsigned bx, unsigned by, unsigned bz, const float* A, const float* B,\n"
            "        float* C, int M, int N, int K, long long sa, long long sb, long long sc,\n"
            "        int bx0, int by0) {\n"
            "    launch(dim3{gx, gy, gz}, dim3{bx, by, bz},\n"
            f"           [=] {{ {expr}(A, B, C, M, N, K, sa, sb, sc, bx0, by0); }});\n"
            "}\n"
        )
    for name, spec in elementwise_specs().items():
        parts.append(elementwise_source(name, *spec, device=False))
    return "\n".join(parts)


def make_fake_cupy(lib: ctypes.CDLL) -> Any:
    """A module that answers like CuPy, backed by numpy arrays and our host-compiled kernels.

    ``RawModule``/``get_function``/kernel calls and ``ElementwiseKernel`` run the C++ we
    compiled; every other attribute is numpy's. Kernel arguments are checked the way the
    GPU would need them: float32 arrays, C-contiguous for raw kernels, and scalars as the
    exact numpy types of the C++ parameters (``numpy.int32`` for ``int``, and so on).
    """
    import numpy as np

    class FakeDeviceArray(np.ndarray):
        """A numpy array with the two CuPy attributes our launchers read."""

        @property
        def data(self) -> Any:  # cupy: a MemoryPointer with .ptr
            return SimpleNamespace(ptr=self.ctypes.data)

        @property
        def device(self) -> Any:
            return SimpleNamespace(id=0)

    def as_fake(a: Any) -> FakeDeviceArray:
        return np.asarray(a).view(FakeDeviceArray)

    raw_signature = ([ctypes.c_void_p] * 3 + [ctypes.c_int] * 3 + [ctypes.c_longlong] * 3
                     + [ctypes.c_int] * 2)
    raw_numpy_types = [None] * 3 + [np.int32] * 3 + [np.int64] * 3 + [np.int32] * 2

    class FakeRawKernel:
        def __init__(self, index: int) -> None:
            self.fn = getattr(lib, _raw_launcher_name(index))
            self.fn.argtypes = [ctypes.c_uint] * 6 + raw_signature
            self.fn.restype = None

        def __call__(self, grid: tuple, block: tuple, args: tuple) -> None:
            grid3 = tuple(grid) + (1,) * (3 - len(grid))
            block3 = tuple(block) + (1,) * (3 - len(block))
            assert len(args) == len(raw_signature), args
            converted: list[Any] = []
            for arg, want in zip(args, raw_numpy_types, strict=True):
                if want is None:
                    assert isinstance(arg, np.ndarray) and arg.dtype == np.float32, type(arg)
                    assert arg.flags.c_contiguous, "raw kernels index memory as C-contiguous"
                    converted.append(arg.ctypes.data)
                else:
                    assert type(arg) is want, f"pass {want.__name__}, not {type(arg).__name__}"
                    converted.append(int(arg))
            assert all(g > 0 for g in grid3), grid3
            assert grid3[0] < 2**31 and grid3[1] <= 65535 and grid3[2] <= 65535, grid3
            self.fn(*grid3, *block3, *converted)

    class FakeRawModule:
        def __init__(self, *, code: str, options: tuple = (), name_expressions: tuple = ()):
            from tinygrad_edu.kernels.cupy import matmul_raw

            assert code == matmul_raw.SOURCE
            self.names = tuple(name_expressions)

        def get_function(self, name: str) -> FakeRawKernel:
            assert name in self.names, f"{name!r} is not one of the name_expressions"
            from tinygrad_edu.kernels.cupy import matmul_raw

            return FakeRawKernel(matmul_raw.NAME_EXPRESSIONS.index(name))

    class FakeElementwiseKernel:
        def __init__(self, in_params: str, out_params: str, operation: str, name: str,
                     **_: Any) -> None:
            spec = elementwise_specs()[name]
            assert (in_params, out_params, operation) == spec, f"{name}: spec mismatch"
            self.ins, self.outs = parse_params(in_params), parse_params(out_params)
            self.fn = getattr(lib, name)
            self.fn.restype = None

        def __call__(self, *args: Any) -> Any:
            n_in = len(self.ins)
            inputs, given = args[:n_in], args[n_in:]
            assert len(given) in (0, len(self.outs)), "pass all outputs or none"
            for x in inputs + given:
                if isinstance(x, np.ndarray):
                    assert x.dtype == np.float32, x.dtype
                else:  # a scalar: float32 parameters want numpy.float32
                    assert type(x) is np.float32, f"pass numpy.float32, not {type(x).__name__}"
            shapes = [x.shape for x in inputs + given if isinstance(x, np.ndarray)]
            shape = np.broadcast_shapes(*shapes)
            n = int(np.prod(shape))
            keep = []
            cargs: list[Any] = [ctypes.c_longlong(n)]
            for x in inputs:
                if isinstance(x, np.ndarray):
                    buf = np.ascontiguousarray(np.broadcast_to(np.asarray(x), shape))
                    stride = 1
                else:
                    buf, stride = np.array([x], dtype=np.float32), 0
                keep.append(buf)
                cargs += [ctypes.c_void_p(buf.ctypes.data), ctypes.c_longlong(stride)]
            outs = []
            for i in range(len(self.outs)):
                if given:
                    assert given[i].shape == shape
                    out = np.ascontiguousarray(np.asarray(given[i]), dtype=np.float32).copy()
                else:
                    out = np.empty(shape, dtype=np.float32)
                outs.append(out)
                cargs.append(ctypes.c_void_p(out.ctypes.data))
            self.fn(*cargs)
            if given:
                for target, out in zip(given, outs, strict=True):
                    np.copyto(target, out)  # in place, as a CuPy output argument
                results = list(given)
            else:
                results = [as_fake(o) for o in outs]
            return results[0] if len(results) == 1 else tuple(results)

    class FakeCupy(ModuleType):
        def __getattr__(self, name: str) -> Any:
            return getattr(np, name)

    fake = FakeCupy("cupy")
    fake.ndarray = FakeDeviceArray
    fake.asarray = lambda a, dtype=None: as_fake(np.array(a, dtype=dtype))
    fake.ascontiguousarray = lambda a: as_fake(np.ascontiguousarray(a))
    fake.empty = lambda shape, dtype=float: as_fake(np.empty(shape, dtype=dtype))
    fake.zeros = lambda shape, dtype=float: as_fake(np.zeros(shape, dtype=dtype))
    fake.asnumpy = lambda a: np.array(a).view(np.ndarray)
    fake.RawModule = FakeRawModule
    fake.ElementwiseKernel = FakeElementwiseKernel
    fake.cuda = SimpleNamespace(
        Device=lambda i=0: SimpleNamespace(attributes={"MultiProcessorCount": 132}),
        runtime=SimpleNamespace(getDeviceCount=lambda: 1),
    )
    fake.as_fake = as_fake
    return fake


def make_fake_cupyx() -> Any:
    import numpy as np

    fake = ModuleType("cupyx")
    fake.scatter_add = np.add.at
    return fake


# (M, N, K, batch of A, batch of B): ragged against every tile size we instantiate.
ASAN_CASES = [(1, 1, 1, 1, 1), (33, 20, 17, 1, 1), (33, 12, 20, 1, 1), (130, 132, 36, 1, 1),
              (65, 70, 9, 1, 1), (129, 4, 12, 2, 1), (5, 4, 8, 1, 3), (7, 3, 5, 2, 2),
              (9, 12, 28, 1, 1), (9, 10, 27, 1, 1), (3, 5, 40, 1, 1), (66, 6, 52, 1, 1)]


def asan_program_source() -> str:
    """A standalone program running every raw-matmul variant on exact-size heap buffers
    and checking the results: built with AddressSanitizer, any read or write outside
    A, B or C aborts it — including reads whose values would never reach the output."""
    from tinygrad_edu.kernels.cupy import matmul_raw

    variants = []
    for i, expr in enumerate(matmul_raw.NAME_EXPRESSIONS):
        bm, bn, _bk, tm, tn, vec = (p.strip() for p in expr[expr.index("<") + 1:-1].split(","))
        variants.append(f"{{{bm}, {bn}, {tm}, {tn}, {vec}, {_raw_launcher_name(i)}, \"{expr}\"}}")
    cases = ", ".join("{" + ", ".join(map(str, c)) + "}" for c in ASAN_CASES)
    main = f"""
#include <cstdio>
#include <algorithm>
using Launcher = void (*)(unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                          const float*, const float*, float*, int, int, int,
                          long long, long long, long long, int, int);
struct Variant {{ int bm, bn, tm, tn; bool vec; Launcher launch; const char* name; }};
static const Variant variants[] = {{ {", ".join(variants)} }};
static const int cases[][5] = {{ {cases} }};

int main() {{
    int failures = 0;
    for (const Variant& v : variants)
        for (const auto& c : cases) {{
            const int M = c[0], N = c[1], K = c[2], ba = c[3], bb = c[4];
            if (v.vec && (K % 4 != 0 || N % 4 != 0)) continue;  // the launcher's rule
            const int batch = std::max(ba, bb);
            float* A = new float[(size_t)ba * M * K];
            float* B = new float[(size_t)bb * K * N];
            float* C = new float[(size_t)batch * M * N];
            for (long long i = 0; i < (long long)ba * M * K; ++i)
                A[i] = (float)(i % 13 - 6) * 0.25f;
            for (long long i = 0; i < (long long)bb * K * N; ++i)
                B[i] = (float)(i % 7 - 3) * 0.5f;
            v.launch((N + v.bn - 1) / v.bn, (M + v.bm - 1) / v.bm, batch,
                     (v.bm / v.tm) * (v.bn / v.tn), 1, 1, A, B, C, M, N, K,
                     ba > 1 ? (long long)M * K : 0, bb > 1 ? (long long)K * N : 0,
                     (long long)M * N, 0, 0);
            for (int z = 0; z < batch; ++z)
                for (int i = 0; i < M; ++i)
                    for (int j = 0; j < N; ++j) {{
                        double want = 0;
                        for (int k = 0; k < K; ++k)
                            want += (double)A[(size_t)(ba > 1 ? z : 0) * M * K + (size_t)i * K + k]
                                  * B[(size_t)(bb > 1 ? z : 0) * K * N + (size_t)k * N + j];
                        const double got = C[(size_t)z * M * N + (size_t)i * N + j];
                        if (got - want > 1e-3 || want - got > 1e-3) {{
                            if (failures++ < 5)
                                std::printf("%s M=%d N=%d K=%d z=%d (%d,%d): %g != %g\\n",
                                            v.name, M, N, K, z, i, j, got, want);
                        }}
                    }}
            delete[] A; delete[] B; delete[] C;
        }}
    std::printf("%d failures\\n", failures);
    return failures != 0;
}}
"""
    return host_kernels_source() + main


def run_asan_program(workdir: Path) -> subprocess.CompletedProcess:
    cxx = host_compiler()
    src = workdir / "raw_matmul_asan.cpp"
    exe = workdir / "raw_matmul_asan"
    src.write_text(asan_program_source())
    cmd = [cxx, "-std=c++20", "-O1", "-g", "-fsanitize=address", "-fno-omit-frame-pointer",
           "-pthread", "-Wno-unknown-pragmas", str(src), "-o", str(exe)]
    build = subprocess.run(cmd, capture_output=True, text=True)
    if build.returncode != 0:
        if "asan" in build.stderr.lower() or "sanitize" in build.stderr.lower():
            raise ToolMissing(f"{cxx} cannot build with AddressSanitizer: {build.stderr[:300]}")
        raise AssertionError(f"host compilation failed:\n{build.stderr}")
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=600)
