"""Our Numba kernels, run by the Numba CUDA simulator against numpy.

The simulator runs every CUDA thread as a Python thread, so it finds out-of-bounds
indexing, missing ``syncthreads`` and wrong tile arithmetic — but it is slow (seconds
for one 128 x 128-tile block), so the shapes are small and deliberately ragged: 1, 5,
17, 33, never multiples of a tile. It cannot find float64 promotion or register spills:
``test_ptx_compile.py`` does that.

Run it as ``.ci/run`` does, in its own process::

    NUMBA_ENABLE_CUDASIM=1 pytest -m cudasim tests/gpu
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
    pytest.skip(
        "needs the Numba CUDA simulator, which must be switched on before numba is imported: "
        "run `NUMBA_ENABLE_CUDASIM=1 pytest -m cudasim tests/gpu` in a separate process",
        allow_module_level=True,
    )
pytest.importorskip("numba_cuda", reason="numba-cuda is not installed (pip install numba-cuda)")

import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402
from tinygrad_edu.kernels.numba_cuda import elementwise, reduce  # noqa: E402
from tinygrad_edu.kernels.numba_cuda._common import prepare_matmul  # noqa: E402
from tinygrad_edu.kernels.numba_cuda.matmul_naive import matmul_naive  # noqa: E402
from tinygrad_edu.kernels.numba_cuda.matmul_register import matmul_register  # noqa: E402
from tinygrad_edu.kernels.numba_cuda.matmul_tiled import matmul_tiled  # noqa: E402

pytestmark = pytest.mark.cudasim

F32 = np.float32


def _host(x: object) -> np.ndarray:
    return x.copy_to_host() if hasattr(x, "copy_to_host") else np.asarray(x)


def _dev(x: np.ndarray) -> object:
    return cuda.to_device(np.ascontiguousarray(x))


def test_simulator_is_on() -> None:
    from numba import config

    assert config.ENABLE_CUDASIM, "NUMBA_ENABLE_CUDASIM=1 was set after numba was imported"


# --- elementwise ---------------------------------------------------------------------
UNARY_REFERENCE = {
    "neg": np.negative, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs,
    "tanh": np.tanh, "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
}
BINARY_REFERENCE = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "pow": np.power, "maximum": np.maximum, "minimum": np.minimum,
}


@pytest.mark.parametrize("op", sorted(UNARY_REFERENCE))
def test_map_ops(op: str, rng: np.random.Generator) -> None:
    x = rng.standard_normal((17, 3)).astype(F32)
    if op in ("log", "sqrt"):
        x = np.abs(x) + F32(0.1)
    got = _host(elementwise.map_op(op, _dev(x)))
    assert got.dtype == F32 and got.shape == x.shape
    np.testing.assert_allclose(got, UNARY_REFERENCE[op](x.astype(np.float64)), rtol=2e-6,
                               atol=1e-6)


@pytest.mark.parametrize("op", sorted(BINARY_REFERENCE))
@pytest.mark.parametrize(
    "shapes", [((33,), (33,)), ((3, 1, 5), (5,)), ((5, 1), (1, 17)), ((1,), (2, 5)), ((), (3,))]
)
def test_zip_ops_broadcast(op: str, shapes: tuple, rng: np.random.Generator) -> None:
    a = rng.standard_normal(shapes[0]).astype(F32)
    b = rng.standard_normal(shapes[1]).astype(F32)
    if op == "pow":
        a = np.abs(a) + F32(0.5)
    if op == "div":
        b = np.where(np.abs(b) < 0.1, F32(0.5), b).astype(F32)
    got = _host(elementwise.zip_op(op, _dev(a), _dev(b)))
    want = BINARY_REFERENCE[op](a.astype(np.float64), b.astype(np.float64))
    assert got.shape == want.shape and got.dtype == F32
    np.testing.assert_allclose(got, want, rtol=3e-6, atol=1e-6)


def test_nan_propagates_like_numpy() -> None:
    a = np.array([np.nan, 1.0, -2.0, np.nan], dtype=F32)
    b = np.array([0.0, np.nan, -3.0, np.nan], dtype=F32)
    for op in ("maximum", "minimum"):
        got = _host(elementwise.zip_op(op, _dev(a), _dev(b)))
        np.testing.assert_array_equal(got, getattr(np, op)(a, b))
    np.testing.assert_array_equal(_host(elementwise.map_op("relu", _dev(a))), np.maximum(a, 0))


def test_sigmoid_does_not_overflow() -> None:
    x = np.array([-100.0, -30.0, 0.0, 30.0, 100.0], dtype=F32)
    got = _host(elementwise.map_op("sigmoid", _dev(x)))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-7)


def test_grid_stride_loop_covers_more_elements_than_threads(rng: np.random.Generator) -> None:
    a = rng.standard_normal(33).astype(F32)
    b = rng.standard_normal(33).astype(F32)
    # 8 threads in one block: every thread must handle several elements.
    old = elementwise.MAX_BLOCKS
    elementwise.MAX_BLOCKS = 1
    try:
        got = _host(elementwise.zip_op("mul", _dev(a), _dev(b), threads=8))
    finally:
        elementwise.MAX_BLOCKS = old
    np.testing.assert_allclose(got, a * b, rtol=1e-6)


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "plan"),
    [
        ((3, 1, 5), (5,), ((3, 5), (5, 1), (0, 1))),
        ((4, 5), (4, 5), ((20,), (1,), (1,))),  # same shape: one flat dimension
        ((2, 3, 4), (1, 1, 4), ((6, 4), (4, 1), (0, 1))),
        ((1,), (7,), ((7,), (0,), (1,))),
        ((), (), ((1,), (0,), (0,))),  # scalars: one element
    ],
)
def test_broadcast_plan_collapses_dimensions(a_shape: tuple, b_shape: tuple, plan: tuple) -> None:
    out_shape = tuple(np.broadcast_shapes(a_shape, b_shape))
    assert elementwise.broadcast_plan(a_shape, b_shape, out_shape) == plan


def test_elementwise_errors() -> None:
    x = _dev(np.zeros(3, dtype=F32))
    with pytest.raises(ValueError, match="do not broadcast"):
        elementwise.zip_op("add", x, _dev(np.zeros(4, dtype=F32)))
    with pytest.raises(TypeError, match="float32"):
        elementwise.map_op("exp", _dev(np.zeros(3, dtype=np.float64)))
    with pytest.raises(ValueError, match="unknown op"):
        elementwise.map_op("erf", x)


# --- reductions ----------------------------------------------------------------------
@pytest.mark.parametrize("op", ["sum", "max"])
@pytest.mark.parametrize(
    ("shape", "axis", "keepdims"),
    [
        ((1,), None, False),
        ((5,), 0, True),
        ((3, 33), 1, False),  # short rows: one warp per row
        ((3, 33), -1, True),
        ((19, 5), 1, False),  # 19 short rows: 3 blocks of 8 warps, the last one ragged
        ((2, 300), 1, False),  # rows past SHORT_ROW: a 256-thread tree per row
        ((17, 3), 0, False),  # columns: 4 columns x 64 thread rows per block
        ((2, 5, 3), 1, False),
        ((2, 5, 33), 1, False),  # 33 columns: a full 32-column tile and a ragged one
        ((2, 5, 3), None, True),
        ((1, 4099), 1, False),  # long row: 3 partial blocks, then a second launch
        ((600, 3), 0, False),  # long columns: 2 chunks of partials, then a second launch
    ],
)
def test_reduce(op: str, shape: tuple, axis: int | None, keepdims: bool,
                rng: np.random.Generator) -> None:
    x = rng.standard_normal(shape).astype(F32)
    got = _host(reduce.reduce(op, _dev(x), axis, keepdims))
    want = getattr(np, op)(x.astype(np.float64), axis=axis, keepdims=keepdims)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_reduce_column_chunks_write_partials(rng: np.random.Generator) -> None:
    """(600, 3) along axis 0 is split into chunks of rows: the first launch must leave one
    partial per chunk and column, and the second reduce them."""
    outer, n, inner = 1, 600, 3
    cols, x_blocks, chunks = reduce.column_plan(outer, n, inner)
    assert (cols, x_blocks) == (4, 1) and chunks > 1
    x = rng.standard_normal((n, inner)).astype(F32)
    got = _host(reduce.reduce_sum(_dev(x), axis=0))
    np.testing.assert_allclose(got, x.astype(np.float64).sum(axis=0), rtol=1e-5, atol=1e-5)


def test_reduce_edge_cases() -> None:
    x = np.array([[1.0, np.nan, 3.0]], dtype=F32)
    assert np.isnan(_host(reduce.reduce_max(_dev(x), axis=1))[0])
    empty = _dev(np.zeros((2, 0), dtype=F32))
    np.testing.assert_array_equal(_host(reduce.reduce_sum(empty, axis=1)), [0.0, 0.0])
    with pytest.raises(ValueError, match="zero-size"):
        reduce.reduce_max(empty, axis=1)
    with pytest.raises(ValueError, match="out of bounds"):
        reduce.reduce_sum(empty, axis=2)


# --- matmul --------------------------------------------------------------------------
MATMULS = {"naive": matmul_naive, "tiled": matmul_tiled, "register": matmul_register}

# (a shape, b shape): ragged sizes, K spanning several tiles, batches and broadcasting.
MATMUL_SHAPES = [
    ((1, 1), (1, 1)),
    ((5, 17), (17, 33)),
    ((33, 20), (20, 17)),
    ((3, 5, 17), (3, 17, 4)),  # batched
    ((5, 3), (2, 3, 5)),  # a 2-D A broadcast over a batch of B
    ((2, 1, 9), (1, 9, 5)),  # a batch-of-one B broadcast over A's batch
]


@pytest.mark.parametrize("kernel", sorted(MATMULS))
@pytest.mark.parametrize("index", range(len(MATMUL_SHAPES)))
def test_matmul(kernel: str, index: int, rng: np.random.Generator) -> None:
    a_shape, b_shape = MATMUL_SHAPES[index]
    a = rng.standard_normal(a_shape).astype(F32)
    b = rng.standard_normal(b_shape).astype(F32)
    got = _host(MATMULS[kernel](_dev(a), _dev(b)))
    want = np.matmul(a.astype(np.float64), b.astype(np.float64))
    assert got.shape == want.shape and got.dtype == F32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_register_matmul_crosses_block_tiles(rng: np.random.Generator) -> None:
    # M = 129 > BM: two block rows, the second one holding a single valid row.
    a = rng.standard_normal((129, 9)).astype(F32)
    b = rng.standard_normal((9, 2)).astype(F32)
    got = _host(matmul_register(_dev(a), _dev(b)))
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


def test_tiled_matmul_crosses_block_tiles(rng: np.random.Generator) -> None:
    a = rng.standard_normal((2, 5)).astype(F32)
    b = rng.standard_normal((5, 33)).astype(F32)  # N = 33: three tile columns
    got = _host(matmul_tiled(_dev(a), _dev(b)))
    np.testing.assert_allclose(got, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kernel", sorted(MATMULS))
def test_matmul_empty_and_zero_k(kernel: str) -> None:
    got = _host(MATMULS[kernel](_dev(np.zeros((0, 3), F32)), _dev(np.zeros((3, 4), F32))))
    assert got.shape == (0, 4)
    got = _host(MATMULS[kernel](_dev(np.zeros((2, 0), F32)), _dev(np.zeros((0, 3), F32))))
    np.testing.assert_array_equal(got, np.zeros((2, 3), F32))


@pytest.fixture
def tiny_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shrink CUDA's grid limits to (2, 1, 2) blocks, so small shapes need many launches
    and every kernel must place its blocks through the offsets it is given."""
    from tinygrad_edu.kernels import launch

    monkeypatch.setattr(launch, "GRID_LIMITS", (2, 1, 2))


@pytest.mark.parametrize(("kernel", "a_shape", "b_shape"), [
    ("naive", (3, 33, 5), (3, 5, 40)),  # 3 x 3 blocks x 3 matrices: 2 x 3 x 2 launches
    ("tiled", (3, 33, 20), (20, 40)),
    ("register", (2, 129, 9), (2, 9, 130)),  # 2 x 2 blocks of 128 x 128, 2 matrices
])
def test_matmul_in_chunked_launches(kernel: str, a_shape: tuple, b_shape: tuple,
                                    tiny_grids: None, rng: np.random.Generator) -> None:
    a = rng.standard_normal(a_shape).astype(F32)
    b = rng.standard_normal(b_shape).astype(F32)
    module = {"naive": "matmul_naive", "tiled": "matmul_tiled", "register": "matmul_register"}
    import importlib

    launches = importlib.import_module(f"tinygrad_edu.kernels.numba_cuda.{module[kernel]}").launches
    M, N, batch = a_shape[-2], b_shape[-1], max(a_shape[0], b_shape[0] if len(b_shape) == 3
                                                 else 1)
    assert len(launches(M, N, batch)) > 1
    got = _host(MATMULS[kernel](_dev(a), _dev(b)))
    np.testing.assert_allclose(got, np.matmul(a.astype(np.float64), b), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("shape", "axis"), [((19, 5), 1), ((1, 4099), 1), ((600, 3), 0),
                                             ((3, 70), 0)])
def test_reduce_in_chunked_launches(shape: tuple, axis: int, tiny_grids: None,
                                    rng: np.random.Generator) -> None:
    x = rng.standard_normal(shape).astype(F32)
    for op in ("sum", "max"):
        got = _host(reduce.reduce(op, _dev(x), axis))
        want = getattr(np, op)(x.astype(np.float64), axis=axis)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_broadcast_64_bit_index_kernel(monkeypatch: pytest.MonkeyPatch,
                                       rng: np.random.Generator) -> None:
    """Arrays of 2^32 elements and more take the 64-bit kernel; force it on a small one."""
    a = rng.standard_normal((3, 1, 5)).astype(F32)
    b = rng.standard_normal((4, 1)).astype(F32)
    monkeypatch.setattr(elementwise, "INDEX32_LIMIT", 0)
    got = _host(elementwise.zip_op("sub", _dev(a), _dev(b)))
    np.testing.assert_allclose(got, a.astype(np.float64) - b, rtol=1e-6, atol=1e-6)


def test_matmul_errors() -> None:
    a = _dev(np.zeros((32, 320), F32))
    with pytest.raises(ValueError, match=r"\(32, 320\) and \(20, 50\) do not align \(320 != 20\)"):
        prepare_matmul("matmul", a, _dev(np.zeros((20, 50), F32)))
    with pytest.raises(TypeError, match="float32"):
        prepare_matmul("matmul", a, _dev(np.zeros((320, 5), np.float64)))
    with pytest.raises(ValueError, match="do not broadcast"):
        prepare_matmul("matmul", _dev(np.zeros((2, 3, 4), F32)), _dev(np.zeros((3, 4, 5), F32)))
    with pytest.raises(ValueError, match="2-D or 3-D"):
        prepare_matmul("matmul", _dev(np.zeros(4, F32)), _dev(np.zeros((4, 5), F32)))
