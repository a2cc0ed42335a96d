"""matmul / @ with numpy's semantics: 1-D operands promoted and squeezed, 2-D, batched
with broadcast batch dimensions; gradients summed back over broadcast batch axes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.testing import assert_close
from tinygrad_edu.testing import strategies as tst

from .helpers import arrays, check_op, t64


@given(data=st.data())
def test_matmul_hypothesis(data):
    sa, sb = data.draw(tst.matmul_shapes(), label="shapes")
    a = data.draw(arrays(shape=sa), label="a")
    b = data.draw(arrays(shape=sb), label="b")
    out = t64(a, False) @ t64(b, False)
    expected = a @ b
    assert out.shape == expected.shape
    assert_close(out, expected, rtol=1e-10, atol=1e-10)
    check_op(lambda x, y: x @ y, a, b, rtol=1e-5, atol=1e-4)  # sums of up to 5 products


@pytest.mark.parametrize(
    "sa, sb",
    [
        ((3,), (3,)),  # dot product → 0-d
        ((3,), (3, 4)),  # vector @ matrix
        ((2, 3), (3,)),  # matrix @ vector
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),  # batch @ matrix: the matrix's gradient sums over the batch
        ((2, 3), (5, 3, 4)),
        ((5, 1, 2, 3), (4, 3, 2)),  # broadcast batch dims (5, 1) and (4,)
        ((3,), (2, 3, 4)),  # vector @ batch
        ((2, 4, 3), (3,)),  # batch @ vector
        ((1, 1), (1, 1)),
    ],
)
def test_matmul_shapes(sa, sb):
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    out = t64(a) @ t64(b)
    assert out.shape == np.matmul(a, b).shape
    assert_close(out, np.matmul(a, b), rtol=1e-12, atol=1e-12)
    check_op(lambda x, y: x @ y, a, b)
    check_op(lambda x, y: x.matmul(y), a, b)
    check_op(lambda x, y: x.dot(y), a, b)


def test_matmul_gradients_closed_form():
    rng = np.random.default_rng(1)
    a, b, g = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    x, y = t64(a), t64(b)
    (x @ y).backward(Tensor(g, dtype="float64"))
    assert_close(x.grad, g @ b.T, rtol=1e-12, atol=1e-12)  # ∂L/∂X = G Yᵀ
    assert_close(y.grad, a.T @ g, rtol=1e-12, atol=1e-12)  # ∂L/∂Y = Xᵀ G


def test_matmul_with_numpy_and_mixed_dtypes():
    x = Tensor([[1.0, 2.0]])
    assert (x @ np.array([[1.0], [1.0]])).tolist() == [[3.0]]
    assert (np.array([[1.0, 1.0]]) @ Tensor([[2.0], [3.0]])).tolist() == [[5.0]]
    assert (x @ Tensor([[1], [2]])).dtype == np.float32  # int @ float32 stays float32
    assert (x.double() @ Tensor([[1.0], [2.0]])).dtype == np.float64


def test_float32_matmul_agrees_with_float64():
    a = Tensor.randn(8, 64, seed=0, dtype="float64")
    b = Tensor.randn(64, 16, seed=1, dtype="float64")
    assert_close(a.float() @ b.float(), a @ b, rtol=1e-5, atol=1e-5)
