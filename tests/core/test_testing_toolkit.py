"""The testing toolkit tests itself: gradcheck catches a wrong backward and says where;
assert_close says where and by how much; the strategies produce what they claim."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from tinygrad_edu import Function, Tensor
from tinygrad_edu.testing import assert_close, gradcheck, numerical_grad
from tinygrad_edu.testing import strategies as tst

# ---- gradcheck ---------------------------------------------------------------------------


# Sensitivity, messages, masks, fast mode and second derivatives: tests/testing/.


def test_numerical_grad_of_known_function():
    x = Tensor([1.0, -2.0], dtype="float64")
    grad = numerical_grad(lambda t: t * t * t, [x], 0)
    w = np.random.default_rng(1234).uniform(0.5, 1.5, 2)
    np.testing.assert_allclose(grad, 3 * np.array([1.0, 4.0]) * w, rtol=1e-7)


def test_gradcheck_catches_a_gradient_of_a_wrong_shape():
    class Plus(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g, g  # the natural gradient: the engine sums y's back to shape (3,)

    class Garbled(Plus):
        @staticmethod
        def backward(ctx, g):
            return g, g.reshape(3, 2)  # cannot be summed back to (3,)

    x = Tensor(np.ones((2, 3)), dtype="float64", requires_grad=True)
    y = Tensor(np.ones(3), dtype="float64", requires_grad=True)
    gradcheck(lambda a, b: Plus.apply(a, b), x, y)
    with pytest.raises(RuntimeError, match=re.escape(
            "GarbledBackward returned a gradient of shape (3, 2) for an input of shape (3,)")):
        gradcheck(lambda a, b: Garbled.apply(a, b), x, y)


# ---- assert_close ------------------------------------------------------------------------


# Per-dtype defaults against torch.testing, messages, NaNs: tests/testing/test_assert_close.py


def test_assert_close_passes_within_tolerance():
    assert_close(Tensor([1.0, 2.0]), [1.0, 2.0 + 1e-6])
    assert_close(np.array([1.0, np.nan]), Tensor([1.0, np.nan]))  # NaNs compare equal
    assert_close(Tensor([1.0]), Tensor([1.5]), atol=0.6)
    assert_close(Tensor(2.0), 2.0)
    with pytest.raises(AssertionError, match="atol=1e-07"):
        assert_close(np.array([1.0]), np.array([1.0 + 1e-6]))


# ---- strategies --------------------------------------------------------------------------


@given(shape=tst.shapes(min_dims=1, max_dims=3, max_side=4))
def test_shapes_respect_bounds(shape):
    assert 1 <= len(shape) <= 3 and all(1 <= s <= 4 for s in shape)


@given(shapes=tst.broadcastable_shapes(3))
def test_broadcastable_shapes_broadcast(shapes):
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)  # raises if they don't


@given(ts=tst.broadcastable_tensors(2, dtype="float64", domain=("positive", "nonzero"),
                                    requires_grad=True))
def test_broadcastable_tensors(ts):
    a, b = ts
    np.broadcast_shapes(a.shape, b.shape)
    assert a.dtype == b.dtype == np.float64 and a.requires_grad and b.requires_grad
    assert (a.numpy() >= 0.1).all() and (np.abs(b.numpy()) >= 0.1).all()


@pytest.mark.parametrize("domain, lo, hi", [("any", -10, 10), ("positive", 0.1, 10),
                                            ("unit", -1, 1)])
@given(data=st.data())
def test_domains_are_respected(domain, lo, hi, data):
    t = data.draw(tst.tensors(dtype="float32", domain=domain))
    x = t.numpy()
    assert t.dtype == np.float32 and np.isfinite(x).all()
    assert ((x >= lo) & (x <= hi)).all()


@given(x=tst.arrays(dtype="float64", domain="nonzero"))
def test_nonzero_domain(x):
    assert (np.abs(x) >= 0.1).all() and (np.abs(x) <= 10).all()


@given(x=tst.arrays(shape=tst.shapes(min_dims=1, min_side=2), non_contiguous=True))
def test_non_contiguous_arrays(x):
    # min_side=2: every such array has ≥ 2 elements, so a strided view is never
    # C-contiguous — asserted unconditionally (slices, negative/zero strides, transposes)
    assert not x.flags.c_contiguous, (x.shape, x.strides)
    t = Tensor.from_numpy(x)  # shares the array (Tensor(x) copies, as torch.tensor)
    assert not t.data.flags.c_contiguous  # the layout reaches the tensor


def test_non_contiguous_layouts_are_drawn_by_default():
    # with non_contiguous=None both layouts occur
    for want in (True, False):
        find(tst.tensors(shape=(3, 4)), lambda t, w=want: (not t.data.flags.c_contiguous) == w,
             settings=settings(database=None, max_examples=500))


@given(x=tst.arrays(dtype="int64"), b=tst.arrays(dtype="bool"))
def test_integer_and_bool_arrays(x, b):
    assert x.dtype == np.int64 and ((x >= -10) & (x <= 10)).all()
    assert b.dtype == np.bool_


@given(shapes=tst.matmul_shapes())
def test_matmul_shapes_are_valid(shapes):
    a, b = shapes
    np.matmul(np.zeros(a), np.zeros(b))  # numpy accepts them


def test_matmul_shapes_cover_every_kind():
    def kind(s):
        return ("v" if len(s[0]) == 1 else "m") + ("v" if len(s[1]) == 1 else "m")

    cfg = settings(database=None, max_examples=1000)
    for k in ("vv", "vm", "mv", "mm"):
        find(tst.matmul_shapes(), lambda s, k=k: kind(s) == k, settings=cfg)
    find(tst.matmul_shapes(), lambda s: len(s[0]) > 2 and len(s[1]) > 2 and s[0][:-2] != s[1][
        :-2], settings=cfg)  # batched with different (broadcast) batch dims


def test_gradcheck_small_derivative_beside_a_large_output():
    # exp(10)·w ≈ 3e4 beside exp(−8) ≈ 3e-4: differencing the weighted total would lose the
    # small derivative in rounding (this failed once in CI); differencing outputs does not
    x = Tensor([[-8.0, 10.0], [9.9, -7.5]], dtype="float64", requires_grad=True)
    assert gradcheck(lambda t: t.exp(), x)
    numeric = numerical_grad(lambda t: t.exp(), [x], 0)
    weights = np.random.default_rng(1234).uniform(0.5, 1.5, (2, 2))
    np.testing.assert_allclose(numeric, weights * np.exp(x.numpy()), rtol=1e-7)
