"""Our CUDA C++ (``kernels/cupy``) run on the CPU, through the real Python launchers.

The host C++ compiler builds ``matmul_raw.SOURCE`` and every ``ElementwiseKernel`` body
under a small CUDA emulation (one ``std::thread`` per CUDA thread, a ``std::barrier`` for
``__syncthreads()``; see ``cuda_harness.py``), and a numpy stand-in for CuPy routes
``RawModule``/``ElementwiseKernel`` calls to it. So without a GPU this checks:

* the kernel's tiling, float4 and ragged paths, edge guards and barriers, on shapes that
  are not multiples of any tile, batched and broadcast;
* the launcher's grid, argument order, scalar types (``numpy.int32``/``int64``/
  ``float32``, as the C++ parameters need), and name expressions;
* the arithmetic of every elementwise body, and the fused Adam step against
  ``Backend.adam_step``.

It cannot check speed, CuPy's own broadcasting or NVRTC-only compile errors
(``test_ptx_compile.py`` compiles the same sources with NVRTC).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from cuda_harness import ToolMissing, build_host_library, host_kernels_source, make_fake_cupy
from tinygrad_edu.kernels.cupy import elementwise, fused, matmul_raw

from tinygrad_edu.backend.cpu import CPUBackend

F32 = np.float32


@pytest.fixture(scope="module")
def host_lib(tmp_path_factory: pytest.TempPathFactory) -> Any:
    try:
        return build_host_library(host_kernels_source(), tmp_path_factory.mktemp("cuda_host"))
    except ToolMissing as e:
        pytest.skip(f"cannot run CUDA C++ on the host: {e}")


def _clear_caches() -> None:
    for cached in (matmul_raw.module, matmul_raw._sm_count, elementwise.kernel,
                   fused._adam_kernel, fused._bias_relu_kernel):
        cached.cache_clear()


@pytest.fixture
def fake_cupy(host_lib: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    fake = make_fake_cupy(host_lib)
    monkeypatch.setitem(sys.modules, "cupy", fake)
    _clear_caches()
    yield fake
    _clear_caches()


# --- the raw SGEMM ----------------------------------------------------------------------
# (a shape, b shape); K % 4 == 0 and N % 4 == 0 take the float4 path, the rest the
# scalar ragged path.
RAW_SHAPES = [
    ((1, 1), (1, 1)),
    ((33, 17), (17, 20)),  # ragged K: scalar path
    ((33, 20), (20, 12)),  # float4 path, ragged M
    ((130, 36), (36, 132)),  # float4 path, two block rows and columns of the large tile
    ((65, 9), (9, 70)),  # scalar path, past the small tile in both directions
    ((9, 28), (28, 12)),  # float4: 4 K tiles of the large config (a pair, one more, the last)
    ((9, 27), (27, 10)),  # scalar: a short first K tile (3 of 8), then 3 whole ones
    ((3, 40), (40, 5)),  # scalar: 5 K tiles of 8, K a multiple of BK (no short tile)
    ((3, 5, 8), (3, 8, 4)),  # batched
    ((5, 8), (2, 8, 4)),  # 2-D A broadcast over a batch of B
    ((2, 7, 5), (1, 5, 3)),  # a batch of one B broadcast over A
]


@pytest.mark.parametrize("config", ["large", "small", None])
@pytest.mark.parametrize("shapes", RAW_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_raw_matmul_on_host(config: str | None, shapes: tuple, fake_cupy: Any,
                            rng: np.random.Generator) -> None:
    a = rng.standard_normal(shapes[0]).astype(F32)
    b = rng.standard_normal(shapes[1]).astype(F32)
    got = matmul_raw.matmul_raw(fake_cupy.as_fake(a), fake_cupy.as_fake(b), config=config)
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    assert got.shape == want.shape and got.dtype == F32
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-5)


def test_raw_matmul_in_chunked_launches(fake_cupy: Any, monkeypatch: pytest.MonkeyPatch,
                                        rng: np.random.Generator) -> None:
    """Grid limits shrunk to (2, 1, 2) blocks: a 3 x 3-block, batch-3 product needs 2 x 3 x 2
    launches, each told where its blocks sit through (bx0, by0) and the batch slice."""
    from tinygrad_edu.kernels import launch

    monkeypatch.setattr(launch, "GRID_LIMITS", (2, 1, 2))
    a = rng.standard_normal((3, 130, 12)).astype(F32)
    b = rng.standard_normal((3, 12, 132)).astype(F32)
    calls = []
    original = fake_cupy.RawModule

    class CountingModule(original):  # type: ignore[misc, valid-type]
        def get_function(self, name: str) -> Any:
            kernel = super().get_function(name)

            def counted(grid: tuple, block: tuple, args: tuple) -> None:
                calls.append((tuple(grid), int(args[-2]), int(args[-1])))
                kernel(grid, block, args)

            return counted

    monkeypatch.setattr(fake_cupy, "RawModule", CountingModule)
    matmul_raw.module.cache_clear()
    got = matmul_raw.matmul_raw(fake_cupy.as_fake(a), fake_cupy.as_fake(b), config="small")
    np.testing.assert_allclose(np.asarray(got), np.matmul(a.astype(np.float64), b), rtol=1e-5,
                               atol=1e-5)
    assert len(calls) == 2 * 3 * 2
    assert {(bx0, by0) for _, bx0, by0 in calls} == {(0, 0), (2, 0), (0, 1), (2, 1), (0, 2),
                                                    (2, 2)}
    assert all(g[0] <= 2 and g[1] <= 1 and g[2] <= 2 for g, _, _ in calls)


def test_raw_matmul_empty_and_zero_k(fake_cupy: Any) -> None:
    empty = matmul_raw.matmul_raw(fake_cupy.as_fake(np.zeros((0, 4), F32)),
                                  fake_cupy.as_fake(np.zeros((4, 3), F32)))
    assert empty.shape == (0, 3)
    zero_k = matmul_raw.matmul_raw(fake_cupy.as_fake(np.zeros((2, 0), F32)),
                                   fake_cupy.as_fake(np.zeros((0, 3), F32)))
    np.testing.assert_array_equal(np.asarray(zero_k), np.zeros((2, 3), F32))


def test_raw_matmul_errors(fake_cupy: Any) -> None:
    a = fake_cupy.as_fake(np.zeros((32, 320), F32))
    with pytest.raises(ValueError, match=r"\(32, 320\) and \(20, 50\) do not align"):
        matmul_raw.matmul_raw(a, fake_cupy.as_fake(np.zeros((20, 50), F32)))
    with pytest.raises(TypeError, match="float32"):
        matmul_raw.matmul_raw(a, fake_cupy.as_fake(np.zeros((320, 5), np.float64)))


# --- elementwise and fused bodies --------------------------------------------------------
BINARY_REFERENCE = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "pow": np.power, "maximum": np.maximum, "minimum": np.minimum,
}
UNARY_REFERENCE = {
    "neg": np.negative, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
}


def test_every_op_has_a_reference() -> None:
    assert set(BINARY_REFERENCE) == set(elementwise.BINARY)
    assert set(UNARY_REFERENCE) == set(elementwise.UNARY)


@pytest.mark.parametrize("op", sorted(BINARY_REFERENCE))
def test_binary_bodies(op: str, fake_cupy: Any, rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 1, 5)).astype(F32)
    b = rng.standard_normal((3, 5)).astype(F32)
    if op == "pow":
        a = np.abs(a) + F32(0.5)
    a[0, 0, 0], b[1, 1] = np.nan, np.nan  # NaN propagates like numpy
    got = elementwise.binary(op, fake_cupy.as_fake(a), fake_cupy.as_fake(b))
    want = BINARY_REFERENCE[op](a.astype(np.float64), b.astype(np.float64))
    np.testing.assert_allclose(np.asarray(got), want, rtol=3e-6, atol=1e-6)


@pytest.mark.parametrize("op", sorted(UNARY_REFERENCE))
def test_unary_bodies(op: str, fake_cupy: Any, rng: np.random.Generator) -> None:
    x = (rng.standard_normal(33) * 4).astype(F32)
    if op in ("log", "sqrt"):
        x = np.abs(x) + F32(0.1)
    x[3] = np.nan
    got = elementwise.unary(op, fake_cupy.as_fake(x))
    want = UNARY_REFERENCE[op](x.astype(np.float64))
    np.testing.assert_allclose(np.asarray(got), want, rtol=3e-6, atol=1e-6)


def test_sigmoid_body_does_not_overflow(fake_cupy: Any) -> None:
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=F32)
    got = np.asarray(elementwise.unary("sigmoid", fake_cupy.as_fake(x)))
    np.testing.assert_allclose(got, [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-7)


def test_fused_adam_matches_backend_adam_step(fake_cupy: Any, rng: np.random.Generator) -> None:
    shape = (17, 5)
    p0 = rng.standard_normal(shape).astype(F32)
    ref = [p0.copy(), np.zeros(shape, F32), np.zeros(shape, F32)]  # p, m, v
    ours = [fake_cupy.as_fake(x.copy()) for x in ref]
    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8
    for t in range(1, 4):
        g = rng.standard_normal(shape).astype(F32)
        kwargs = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                      bias_correction1=1 - beta1**t, bias_correction2=1 - beta2**t)
        CPUBackend().adam_step(ref[0], g, ref[1], ref[2], **kwargs)
        fused.adam_step(ours[0], fake_cupy.as_fake(g), ours[1], ours[2], **kwargs)
    for name, want, got in zip("pmv", ref, ours, strict=True):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-9, err_msg=name)
    assert not np.allclose(np.asarray(ours[0]), p0), "the update must happen in place"


def test_fused_bias_relu(fake_cupy: Any, rng: np.random.Generator) -> None:
    x = rng.standard_normal((6, 5)).astype(F32)
    b = rng.standard_normal(5).astype(F32)
    got = fused.bias_relu(fake_cupy.as_fake(x), fake_cupy.as_fake(b))
    np.testing.assert_allclose(np.asarray(got), np.maximum(x + b, 0), rtol=1e-6)


def test_raw_matmul_stays_in_bounds_under_asan(tmp_path: Any) -> None:
    """Every template variant on ragged shapes with exact-size buffers: an out-of-bounds
    read that never reaches C (e.g. a missing row guard) is invisible to the tests above
    but would fault on a GPU; AddressSanitizer catches it on the host."""
    from cuda_harness import run_asan_program

    try:
        proc = run_asan_program(tmp_path)
    except ToolMissing as e:
        pytest.skip(str(e))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "0 failures" in proc.stdout
