"""The CUDA backend: the kernel switch, its errors, and every method against the CPU.

Three layers, each runs where it can:

1. The switch API and the "no GPU" errors — plain Python, everywhere.
2. Dispatch through the backend with a numpy stand-in for CuPy whose ``RawModule`` and
   ``ElementwiseKernel`` run our CUDA C++ compiled for the host (see
   ``test_cupy_sources_host.py``) — needs a host C++ compiler, no GPU.
3. Marker ``gpu``: CuPy on a real NVIDIA GPU — every backend method against
   ``CPUBackend`` under every kernel choice, every matmul kernel on ragged (up to 4097)
   and batched shapes, fused Adam against ``Backend.adam_step``. Skipped, with the reason,
   where CuPy cannot import or sees no GPU.
"""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tinygrad_edu.backend import cuda as cuda_backend
from tinygrad_edu.backend.cpu import CPUBackend

F32 = np.float32
ROOT = Path(__file__).resolve().parents[2]


def _gpu_unavailable_reason() -> str | None:
    try:
        import cupy
    except Exception as e:
        return f"CuPy is not importable ({type(e).__name__}: {e}); pip install 'tinygrad-edu[gpu]'"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        return f"CuPy sees no usable GPU ({type(e).__name__}: {e})"
    return None if count > 0 else "CuPy sees no GPU (getDeviceCount() == 0)"


GPU_REASON = _gpu_unavailable_reason()
requires_gpu = pytest.mark.skipif(GPU_REASON is not None, reason=GPU_REASON or "")


@pytest.fixture(autouse=True)
def _restore_switch() -> Iterator[None]:
    saved = cuda_backend.current_kernels()
    yield
    cuda_backend.use_kernels(**saved)


# --- 1. the switch ---------------------------------------------------------------------
def test_defaults_are_the_library_paths() -> None:
    assert cuda_backend.current_kernels() == {
        "matmul": "cublas", "elementwise": "cupy", "reduce": "cupy", "adam": "cupy"}


def test_use_kernels_applies_at_once_and_restores_in_a_with_block() -> None:
    with cuda_backend.use_kernels(matmul="numba-tiled", adam="cupy-fused") as chosen:
        assert chosen["matmul"] == "numba-tiled" and chosen["adam"] == "cupy-fused"
        assert cuda_backend.current_kernels()["elementwise"] == "cupy"  # untouched
        with cuda_backend.use_kernels(matmul="cupy-raw"):
            assert cuda_backend.current_kernels()["matmul"] == "cupy-raw"
        assert cuda_backend.current_kernels()["matmul"] == "numba-tiled"
    assert cuda_backend.current_kernels()["matmul"] == "cublas"
    cuda_backend.use_kernels(elementwise="numba")  # without `with`: stays
    assert cuda_backend.current_kernels()["elementwise"] == "numba"


def test_use_kernels_rejects_unknown_choices() -> None:
    with pytest.raises(ValueError, match="unknown matmul kernel 'numba-fast'.*numba-register"):
        cuda_backend.use_kernels(matmul="numba-fast")
    assert cuda_backend.current_kernels()["matmul"] == "cublas"


def test_current_kernels_is_a_copy() -> None:
    cuda_backend.current_kernels()["matmul"] = "numba-naive"
    assert cuda_backend.current_kernels()["matmul"] == "cublas"


def test_environment_variables_choose_kernels() -> None:
    chosen = cuda_backend.kernels_from_env(
        {"TINYGRAD_EDU_MATMUL": "Numba-Register ", "TINYGRAD_EDU_ADAM": "cupy-fused"})
    assert chosen == {"matmul": "numba-register", "adam": "cupy-fused"}
    assert cuda_backend.current_kernels()["matmul"] == "numba-register"
    with pytest.raises(ValueError, match="TINYGRAD_EDU_ELEMENTWISE='fast' is not"):
        cuda_backend.kernels_from_env({"TINYGRAD_EDU_ELEMENTWISE": "fast"})


def test_flatten_batch_rules() -> None:
    def shaped(*shape: int) -> np.ndarray:
        return np.zeros(shape, F32)

    assert cuda_backend._flatten_batch(shaped(3), shaped(3, 4)) is None  # 1-D: cupy
    a, b, out = cuda_backend._flatten_batch(shaped(2, 3, 5, 7), shaped(2, 3, 7, 4))
    assert a.shape == (6, 5, 7) and b.shape == (6, 7, 4) and out == (2, 3, 5, 4)
    a, b, out = cuda_backend._flatten_batch(shaped(5, 7), shaped(2, 3, 7, 4))
    assert a.shape == (5, 7) and b.shape == (6, 7, 4) and out == (2, 3, 5, 4)
    assert cuda_backend._flatten_batch(shaped(2, 1, 5, 7), shaped(2, 3, 7, 4)) is None
    assert cuda_backend._flatten_batch(shaped(3, 5, 7), shaped(1, 7, 4))[2] == ()


# --- without a GPU: clear errors ----------------------------------------------------------
@pytest.mark.skipif(GPU_REASON is None, reason="a GPU is available here")
def test_cuda_backend_without_gpu_says_what_to_install() -> None:
    from tinygrad_edu.backend import get_backend

    with pytest.raises(RuntimeError, match=r'pip install "tinygrad-edu\[gpu\]".*numpy<2\.5'):
        cuda_backend.CUDABackend()
    with pytest.raises(RuntimeError, match="NVIDIA GPU"):
        get_backend("cuda")


@pytest.mark.skipif(GPU_REASON is None, reason="a GPU is available here")
def test_gpu_benchmark_fails_clearly_without_a_gpu() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_kernels.py")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "needs CuPy and an NVIDIA GPU" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- 2. dispatch with a numpy stand-in for CuPy (host-compiled kernels) ---------------------
@pytest.fixture(scope="module")
def host_lib(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from cuda_harness import ToolMissing, build_host_library, host_kernels_source

    try:
        return build_host_library(host_kernels_source(), tmp_path_factory.mktemp("cuda_host"))
    except ToolMissing as e:
        pytest.skip(f"cannot run CUDA C++ on the host: {e}")


@pytest.fixture
def fake_backend(host_lib: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from cuda_harness import make_fake_cupy, make_fake_cupyx
    from tinygrad_edu.kernels.cupy import elementwise, fused, matmul_raw

    caches = (matmul_raw.module, matmul_raw._sm_count, elementwise.kernel,
              fused._adam_kernel, fused._bias_relu_kernel)
    monkeypatch.setitem(sys.modules, "cupy", make_fake_cupy(host_lib))
    monkeypatch.setitem(sys.modules, "cupyx", make_fake_cupyx())
    for cache in caches:
        cache.cache_clear()
    monkeypatch.delenv("TINYGRAD_EDU_MATMUL", raising=False)
    # the stand-in has no driver to check (test_driver_check.py tests the check itself)
    from tinygrad_edu.kernels import driver

    monkeypatch.setattr(driver, "check_driver", lambda: None)
    yield cuda_backend.CUDABackend()
    for cache in caches:
        cache.cache_clear()


def _host(x: Any) -> np.ndarray:
    return np.array(x).view(np.ndarray)


def test_fake_backend_reads_the_environment(monkeypatch: pytest.MonkeyPatch,
                                            fake_backend: Any) -> None:
    monkeypatch.setenv("TINYGRAD_EDU_MATMUL", "cupy-raw")
    type(fake_backend)()
    assert cuda_backend.current_kernels()["matmul"] == "cupy-raw"


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((33, 17), (17, 20)), ((3, 5, 8), (3, 8, 4)), ((5, 8), (2, 8, 4)),
     ((2, 3, 5, 7), (2, 3, 7, 4)), ((5, 7), (2, 3, 7, 4)), ((7,), (7, 3))],
)
def test_fake_backend_matmul_on_our_raw_kernel(a_shape: tuple, b_shape: tuple, fake_backend: Any,
                                               rng: np.random.Generator) -> None:
    a = rng.standard_normal(a_shape).astype(F32)
    b = rng.standard_normal(b_shape).astype(F32)
    with cuda_backend.use_kernels(matmul="cupy-raw"):
        got = fake_backend.matmul(fake_backend.asarray(a), fake_backend.asarray(b))
    want = CPUBackend().matmul(a, b)
    assert got.shape == want.shape
    np.testing.assert_allclose(_host(got), want, rtol=1e-5, atol=1e-5)


def test_fake_backend_falls_back_for_float64(fake_backend: Any, monkeypatch: pytest.MonkeyPatch,
                                             rng: np.random.Generator) -> None:
    from tinygrad_edu.kernels.cupy import matmul_raw

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("our float32 kernel was called for float64 data")

    monkeypatch.setattr(matmul_raw, "matmul_raw", refuse)
    a = rng.standard_normal((4, 3))
    with cuda_backend.use_kernels(matmul="cupy-raw", elementwise="cupy-elementwise"):
        np.testing.assert_allclose(_host(fake_backend.matmul(fake_backend.asarray(a),
                                                             fake_backend.asarray(a.T))), a @ a.T)
        got = fake_backend.binary("add", fake_backend.asarray(a), fake_backend.asarray(a))
        assert got.dtype == np.float64


BINARY_OPS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]
UNARY_OPS = ["neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu"]


@pytest.mark.parametrize("op", BINARY_OPS + UNARY_OPS)
def test_fake_backend_elementwise_on_our_kernels(op: str, fake_backend: Any,
                                                 rng: np.random.Generator) -> None:
    a = (np.abs(rng.standard_normal((4, 5))) + 0.5).astype(F32)
    b = rng.standard_normal(5).astype(F32)
    args = (a, b) if op in BINARY_OPS else (a,)
    family = "binary" if op in BINARY_OPS else "unary"
    want = getattr(CPUBackend(), family)(op, *args)
    with cuda_backend.use_kernels(elementwise="cupy-elementwise"):
        got = getattr(fake_backend, family)(op, *(fake_backend.asarray(x) for x in args))
        scalar = fake_backend.binary(op, fake_backend.asarray(a), 2.0) \
            if op in BINARY_OPS else None
    assert got.dtype == F32
    np.testing.assert_allclose(_host(got), want, rtol=3e-6, atol=1e-6)
    if scalar is not None:  # a Python scalar: CuPy's own ufunc
        np.testing.assert_allclose(_host(scalar), CPUBackend().binary(op, a, 2.0), rtol=3e-6)


def test_fake_backend_fused_adam_and_bias_relu(fake_backend: Any,
                                               rng: np.random.Generator) -> None:
    shape = (6, 5)
    ref = [rng.standard_normal(shape).astype(F32), np.zeros(shape, F32), np.zeros(shape, F32)]
    ours = [fake_backend.asarray(x.copy()) for x in ref]
    with cuda_backend.use_kernels(adam="cupy-fused"):
        for t in (1, 2):
            g = rng.standard_normal(shape).astype(F32)
            kw = dict(lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8,
                      bias_correction1=1 - 0.9**t, bias_correction2=1 - 0.999**t)
            CPUBackend().adam_step(ref[0], g, ref[1], ref[2], **kw)
            fake_backend.adam_step(ours[0], fake_backend.asarray(g), ours[1], ours[2], **kw)
    for want, got in zip(ref, ours, strict=True):
        np.testing.assert_allclose(_host(got), want, rtol=1e-6, atol=1e-9)
    x, bias = rng.standard_normal(shape).astype(F32), rng.standard_normal(5).astype(F32)
    with cuda_backend.use_kernels(elementwise="cupy-elementwise"):
        got = fake_backend.bias_relu(fake_backend.asarray(x), fake_backend.asarray(bias))
    np.testing.assert_allclose(_host(got), np.maximum(x + bias, 0), rtol=1e-6)


# --- 3. on a real GPU ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def gpu_backend() -> Any:
    return cuda_backend.CUDABackend()


def _method_cases() -> list[tuple[str, str, Callable[[np.random.Generator], tuple], dict]]:
    """(test id, method, inputs from a generator, keyword arguments)."""
    def a(r: np.random.Generator) -> np.ndarray:
        return r.standard_normal((5, 17)).astype(F32)

    def pos(r: np.random.Generator) -> np.ndarray:
        return (np.abs(r.standard_normal((5, 17))) + 0.1).astype(F32)

    def row(r: np.random.Generator) -> np.ndarray:
        return r.standard_normal(17).astype(F32)

    cases: list[tuple[str, str, Callable, dict]] = []
    for op in BINARY_OPS:
        first = pos if op == "pow" else a
        cases.append((f"{op}-same", "binary", lambda r, f=first, o=op: (o, f(r), pos(r)), {}))
        cases.append((f"{op}-broadcast", "binary",
                      lambda r, f=first, o=op: (o, f(r), row(r) ** 2 + 0.5), {}))
        cases.append((f"{op}-scalar", "binary", lambda r, f=first, o=op: (o, f(r), 1.5), {}))
        cases.append((f"{op}-float64", "binary",
                      lambda r, f=first, o=op: (o, f(r).astype(np.float64),
                                                pos(r).astype(np.float64)), {}))
    for op in UNARY_OPS + ["sign", "log1p", "expm1"]:
        src = pos if op in ("log", "sqrt") else a
        cases.append((op, "unary", lambda r, s=src, o=op: (o, s(r)), {}))
    cases.append(("sigmoid-extremes", "unary",
                  lambda r: ("sigmoid", np.array([-1e4, -50, 0, 50, 1e4], F32)), {}))
    cases.append(("where", "where", lambda r: (a(r) > 0, a(r), a(r)), {}))
    for cmp in ("eq", "ne", "lt", "le", "gt", "ge"):
        cases.append((f"compare-{cmp}", "binary", lambda r, c=cmp: (c, a(r), row(r)), {}))
    cases.append(("isfinite", "unary",
                  lambda r: ("isfinite", np.array([1.0, np.inf, np.nan], F32)), {}))
    for red in ("sum", "max", "min"):
        for axis, keep in ((None, False), (0, False), (1, True), (-1, False), ((0, 1), True)):
            cases.append((f"{red}-{axis}-{keep}", "reduce", lambda r, o=red: (o, a(r)),
                          {"axis": axis, "keepdims": keep}))
        cases.append((f"{red}-3d", "reduce",
                      lambda r, o=red: (o, r.standard_normal((2, 33, 3)).astype(F32)),
                      {"axis": 1}))
        cases.append((f"{red}-long-row", "reduce",
                      lambda r, o=red: (o, r.standard_normal((3, 10_000)).astype(F32)),
                      {"axis": 1}))
    cases.append(("argmax", "reduce", lambda r: ("argmax", a(r)), {"axis": 1}))
    cases.append(("argmin", "reduce", lambda r: ("argmin", a(r)), {"axis": 0}))
    cases.append(("reshape", "reshape", lambda r: (a(r), (17, 5)), {}))
    cases.append(("transpose", "transpose", lambda r: (a(r), (1, 0)), {}))
    cases.append(("broadcast_to", "broadcast_to", lambda r: (row(r), (5, 17)), {}))
    cases.append(("getitem", "getitem", lambda r: (a(r), (slice(1, 3), np.array([0, 2, 4]))), {}))
    cases.append(("concatenate", "concatenate", lambda r: ([a(r), a(r)], 0), {}))
    cases.append(("pad", "pad", lambda r: (a(r), ((1, 2), (0, 1)), 0.5), {}))
    cases.append(("ascontiguous", "ascontiguous", lambda r: (a(r).T,), {}))
    cases.append(("astype", "astype", lambda r: (a(r), np.float64), {}))
    cases.append(("matmul", "matmul", lambda r: (a(r), a(r).T.copy()), {}))
    cases.append(("scatter_add", "scatter_add",
                  lambda r: ((6,), F32, (np.array([0, 1, 1, 5]),), np.ones(4, F32)), {}))
    cases.append(("zeros", "zeros", lambda r: ((2, 3), F32), {}))
    cases.append(("ones", "ones", lambda r: ((2, 3), F32), {}))
    cases.append(("full", "full", lambda r: ((2, 3), 1.5, F32), {}))
    cases.append(("arange", "arange", lambda r: (0.0, 5.0, 0.5, F32), {}))
    cases.append(("asarray", "asarray", lambda r: ([[1.0, 2.0]], F32), {}))
    return cases


METHOD_CASES = _method_cases()


def _to_backend(backend: Any, x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return backend.asarray(x)
    if isinstance(x, list):
        return [_to_backend(backend, v) for v in x]
    if isinstance(x, tuple):
        return tuple(_to_backend(backend, v) for v in x)
    return x


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("reduce", cuda_backend.KERNEL_CHOICES["reduce"])
@pytest.mark.parametrize("elementwise", cuda_backend.KERNEL_CHOICES["elementwise"])
@pytest.mark.parametrize("case", METHOD_CASES, ids=[c[0] for c in METHOD_CASES])
def test_every_backend_method_matches_cpu(case: tuple, elementwise: str, reduce: str,
                                          gpu_backend: Any) -> None:
    _, method, make, kwargs = case
    cpu = CPUBackend()
    args = make(np.random.default_rng(7))
    want = getattr(cpu, method)(*args, **kwargs)
    with cuda_backend.use_kernels(elementwise=elementwise, reduce=reduce):
        got = getattr(gpu_backend, method)(*_to_backend(gpu_backend, args), **kwargs)
    got = gpu_backend.to_numpy(got)
    assert isinstance(got, np.ndarray)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


MATMUL_SHAPES = [
    ((1, 1), (1, 1)),
    ((5, 17), (17, 33)),
    ((33, 20), (20, 17)),
    ((129, 4), (4, 257)),  # float4 path for cupy-raw, ragged M and N
    ((4097, 1024), (1024, 4097)),  # ragged: one row and column past 32 x 128
    ((4097, 4097), (4097, 4097)),
    ((3, 33, 17), (3, 17, 20)),  # batched
    ((33, 17), (4, 17, 20)),  # 2-D A broadcast over a batch
    ((2, 3, 5, 7), (2, 3, 7, 4)),  # 4-D, flattened to one batch dimension
    ((2, 64, 64), (1, 64, 64)),  # batch of one broadcast
]


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("kernel", cuda_backend.KERNEL_CHOICES["matmul"])
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=lambda s: f"{s[0]}@{s[1]}")
def test_every_matmul_kernel(kernel: str, shapes: tuple, gpu_backend: Any) -> None:
    import cupy

    rng = np.random.default_rng(3)
    a = cupy.asarray(rng.standard_normal(shapes[0]).astype(F32))
    b = cupy.asarray(rng.standard_normal(shapes[1]).astype(F32))
    with cuda_backend.use_kernels(matmul=kernel):
        got = gpu_backend.matmul(a, b)
    want = cupy.matmul(a.astype(cupy.float64), b.astype(cupy.float64))
    assert got.shape == want.shape and got.dtype == cupy.float32
    scale = float(cupy.abs(want).max()) or 1.0
    err = float(cupy.abs(got - want).max()) / scale
    assert err < 1e-4 * max(1.0, math.sqrt(shapes[0][-1] / 1024)), err


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("kernel", ["numba-naive", "numba-tiled", "numba-register", "cupy-raw"])
def test_matmul_kernels_take_views_and_other_streams(kernel: str, gpu_backend: Any) -> None:
    import cupy

    rng = np.random.default_rng(5)
    a = cupy.asarray(rng.standard_normal((40, 33)).astype(F32)).T  # a transposed view
    b = cupy.asarray(rng.standard_normal((40, 19)).astype(F32))
    want = cupy.matmul(a, b)
    cupy.cuda.Device().synchronize()  # a non-blocking stream does not wait for the null stream
    with cuda_backend.use_kernels(matmul=kernel), cupy.cuda.Stream(non_blocking=True) as s:
        got = gpu_backend.matmul(a, b)
        s.synchronize()
    cupy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.gpu
@requires_gpu
def test_cupy_arrays_enter_numba_without_a_copy() -> None:
    import cupy
    from tinygrad_edu.kernels.numba_cuda._common import as_numba

    x = cupy.arange(12, dtype=cupy.float32).reshape(3, 4)
    view = as_numba(x)
    assert view.device_ctypes_pointer.value == x.data.ptr
    assert view.shape == (3, 4)


@pytest.mark.gpu
@requires_gpu
@pytest.mark.parametrize("adam", cuda_backend.KERNEL_CHOICES["adam"])
def test_adam_step_matches_cpu(adam: str, gpu_backend: Any) -> None:
    rng = np.random.default_rng(11)
    shape = (257, 33)
    ref = [rng.standard_normal(shape).astype(F32), np.zeros(shape, F32), np.zeros(shape, F32)]
    ours = [gpu_backend.asarray(x.copy()) for x in ref]
    with cuda_backend.use_kernels(adam=adam):
        for t in range(1, 6):
            g = rng.standard_normal(shape).astype(F32)
            kw = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                      bias_correction1=1 - 0.9**t, bias_correction2=1 - 0.999**t)
            CPUBackend().adam_step(ref[0], g, ref[1], ref[2], **kw)
            gpu_backend.adam_step(ours[0], gpu_backend.asarray(g), ours[1], ours[2], **kw)
    for name, want, got in zip("pmv", ref, ours, strict=True):
        np.testing.assert_allclose(gpu_backend.to_numpy(got), want, rtol=1e-5, atol=1e-7,
                                   err_msg=name)


@pytest.mark.gpu
@requires_gpu
def test_bias_relu_matches_cpu(gpu_backend: Any) -> None:
    rng = np.random.default_rng(13)
    x = rng.standard_normal((33, 17)).astype(F32)
    b = rng.standard_normal(17).astype(F32)
    for choice in cuda_backend.KERNEL_CHOICES["elementwise"]:
        with cuda_backend.use_kernels(elementwise=choice):
            got = gpu_backend.bias_relu(gpu_backend.asarray(x), gpu_backend.asarray(b))
        np.testing.assert_allclose(gpu_backend.to_numpy(got), np.maximum(x + b, 0), rtol=1e-6)
