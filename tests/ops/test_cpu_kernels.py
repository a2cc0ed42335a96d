"""The compiled CPU kernels (backend/cpu_kernels.py, numba) against the numpy path they
replace: the same forward values and gradients for convolution and max pooling, the
cases they do not handle falling back, and create_graph going through Tensor ops."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.backend import cpu as cpu_module
from tinygrad_edu.backend import get_backend

pytest.importorskip("numba")
F = nn.functional


def T(a, requires_grad=False):  # noqa: N802 - a Tensor that keeps the array's dtype
    return Tensor(a, dtype=str(a.dtype), requires_grad=requires_grad)


def _both(run):
    """run() once with the compiled kernels and once with the numpy path."""
    be = get_backend("cpu")
    saved = be.use_compiled_kernels
    try:
        be.use_compiled_kernels = True
        assert be.window_kernels() is not None
        compiled = run()
        be.use_compiled_kernels = False
        reference = run()
    finally:
        be.use_compiled_kernels = saved
    return compiled, reference


def _close(a, b, dtype):
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for x, y in zip(a, b, strict=True):
        if isinstance(x, str):
            continue
        scale = max(1.0, float(np.nanmax(np.abs(y))) if np.size(y) else 1.0)
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol * scale)


def _conv_run(x, w, b, **kw):
    def run():
        xt = T(x, True)
        wt = T(w, True)
        bt = None if b is None else T(b, True)
        y = F.conv2d(xt, wt, bt, **kw)
        gy = np.random.default_rng(7).standard_normal(y.shape).astype(x.dtype)
        (y * T(gy)).sum().backward()
        grads = [xt.grad.numpy(), wt.grad.numpy()] + ([] if bt is None else [bt.grad.numpy()])
        return [y.grad_fn.name(), y.numpy(), *grads]
    return run


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride,padding,dilation", [
    (1, 0, 1), ((2, 1), 1, 1), (1, 2, (2, 1)), ((3, 1), (1, 2), 2), (1, "same", 1),
])
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_compiled_matches_numpy(dtype, stride, padding, dilation, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 11, 12)).astype(dtype)
    w = rng.standard_normal((5, 4, 3, 3)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype) if bias else None
    compiled, reference = _both(_conv_run(x, w, b, stride=stride, padding=padding,
                                          dilation=dilation))
    assert compiled[0] == "Conv2dBackward" and reference[0] != "Conv2dBackward"
    _close(compiled[1:], reference[1:], dtype)


def test_conv2d_compiled_unbatched_input():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 9, 9)).astype(np.float32)
    w = rng.standard_normal((2, 3, 5, 5)).astype(np.float32)
    compiled, reference = _both(lambda: F.conv2d(T(x), T(w)).numpy())
    np.testing.assert_allclose(compiled, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", ["groups", "width_stride", "integer"])
def test_conv2d_cases_the_kernels_do_not_take_fall_back(case):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 8, 8)).astype(np.float32)
    w = rng.standard_normal((4, 2 if case == "groups" else 4, 3, 3)).astype(np.float32)
    kw = {"groups": 2} if case == "groups" else {"stride": (1, 2)} if case == "width_stride" \
        else {}
    if case == "integer":
        x, w = x.astype(np.float16), w.astype(np.float16)  # no float16 kernel either

    def run():
        y = F.conv2d(T(x, True), T(w, True), **kw)
        return y.grad_fn.name(), y.numpy()

    (name, got), (_, want) = _both(run)
    assert name != "Conv2dBackward"
    np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)


def test_conv2d_compiled_second_derivatives():
    """create_graph: the backward is built from Tensor ops, so a gradient of a gradient
    matches the numpy path's."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 7, 7))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)

    def run():
        xt, wt, bt = (T(a, True) for a in (x, w, b))
        y = F.conv2d(xt, wt, bt, padding=1)
        (gx,) = [t for t in _grad((y * y).sum(), xt)]
        (gx * gx).sum().backward()
        return [y.numpy(), gx.numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]

    compiled, reference = _both(run)
    _close(compiled, reference, np.float64)


def _grad(loss, x):
    loss.backward(create_graph=True)
    g = x.grad
    x.grad = None
    return [g]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [
    dict(kernel_size=2, stride=2), dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=1, dilation=2), dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2)),
])
def test_max_pool2d_compiled_matches_numpy(dtype, kw):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 2, 11, 12)).astype(dtype)
    x[0, 0, 0, :3] = np.nan  # a NaN wins its window
    x[1, 1, 2:5, 2:5] = 1.0  # ties: the first maximum wins
    x[2, 0] = np.round(x[2, 0])  # more ties

    def run():
        xt = T(x, True)
        y, idx = F.max_pool2d(xt, return_indices=True, **kw)
        gy = np.random.default_rng(5).standard_normal(y.shape).astype(dtype)
        (y * T(gy)).sum().backward()
        return [y.numpy(), idx.numpy(), xt.grad.numpy()]

    compiled, reference = _both(run)
    np.testing.assert_array_equal(compiled[0], reference[0])
    np.testing.assert_array_equal(compiled[1], reference[1])
    np.testing.assert_allclose(compiled[2], reference[2], rtol=1e-6, atol=1e-6)


def test_max_pool2d_integer_input_takes_the_numpy_path():
    x = np.random.default_rng(6).integers(-50, 50, (2, 3, 8, 8)).astype(np.int32)
    compiled, reference = _both(lambda: F.max_pool2d(T(x), 2).numpy())
    np.testing.assert_array_equal(compiled, reference)


def test_max_pool2d_compiled_second_derivatives():
    x = np.random.default_rng(8).standard_normal((2, 2, 6, 6))

    def run():
        xt = T(x, True)
        y = F.max_pool2d(xt * xt, 2)
        (gx,) = _grad(y.sum(), xt)
        gx.sum().backward()
        return [y.numpy(), gx.numpy(), xt.grad.numpy()]

    compiled, reference = _both(run)
    _close(compiled, reference, np.float64)


def test_without_numba_the_cpu_backend_has_no_window_kernels(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba → ImportError
    monkeypatch.delitem(sys.modules, "tinygrad_edu.backend.cpu_kernels", raising=False)
    cpu_module._window_kernels.cache_clear()
    try:
        be = get_backend("cpu")
        monkeypatch.setattr(be, "use_compiled_kernels", True)
        assert be.window_kernels() is None
        x = Tensor(np.ones((1, 1, 4, 4), np.float32), requires_grad=True)
        w = Tensor(np.ones((1, 1, 3, 3), np.float32), requires_grad=True)
        y = F.max_pool2d(F.conv2d(x, w), 2)
        y.sum().backward()
        assert y.item() == 9.0 and x.grad.numpy().sum() == 9.0
    finally:
        cpu_module._window_kernels.cache_clear()
