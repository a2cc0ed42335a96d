"""Every error names the operation and the shapes or values involved, and says what to
do. Each message is matched on its content."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tinygrad_edu import Tensor, cat, detect_anomaly, stack, where

# ---- broadcasting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fn",
    [
        ("add", lambda a, b: a + b),
        ("add", lambda a, b: a.add(b)),
        ("sub", lambda a, b: a - b),
        ("mul", lambda a, b: a * b),
        ("div", lambda a, b: a / b),
        ("pow", lambda a, b: a**b),
        ("maximum", lambda a, b: a.maximum(b)),
        ("minimum", lambda a, b: a.minimum(b)),
        ("lt", lambda a, b: a < b),
        ("eq", lambda a, b: a == b),
    ],
)
def test_broadcast_mismatch(name, fn):
    a, b = Tensor.ones(3), Tensor.ones(4)
    with pytest.raises(ValueError, match=re.escape(
            f"{name}: shapes (3,) and (4,) cannot be broadcast")):
        fn(a, b)


def test_broadcast_mismatch_higher_rank_and_reflected():
    with pytest.raises(ValueError, match=re.escape(
            "mul: shapes (2, 3) and (4, 1, 2) cannot be broadcast")):
        Tensor.ones(2, 3) * Tensor.ones(4, 1, 2)
    with pytest.raises(ValueError, match=re.escape(
            "sub: shapes (5,) and (2, 3) cannot be broadcast")):
        np.ones(5) - Tensor.ones(2, 3)  # reflected: the numpy operand is on the left
    with pytest.raises(ValueError, match=re.escape(
            "where: shapes (3,), (2,) and () cannot be broadcast")):
        where(Tensor([True, False, True]), Tensor.zeros(2), 1.0)


# ---- matmul ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sa, sb, msg",
    [
        ((32, 320), (20, 50), "matmul: shapes (32, 320) and (20, 50) do not align (320 != 20)"),
        ((3,), (4,), "matmul: shapes (3,) and (4,) do not align (3 != 4)"),
        ((2, 3), (2,), "matmul: shapes (2, 3) and (2,) do not align (3 != 2)"),
        ((5, 2, 3), (5, 4, 2), "matmul: shapes (5, 2, 3) and (5, 4, 2) do not align (3 != 4)"),
        ((2, 3, 4), (3, 4, 5), "matmul: batch dimensions of shapes (2, 3, 4) and (3, 4, 5) "
                               "cannot be broadcast together"),
        ((), (2,), "matmul: both operands need at least 1 dimension, got shapes () and (2,)"),
    ],
)
def test_matmul_errors(sa, sb, msg):
    with pytest.raises(ValueError, match=re.escape(msg)):
        Tensor.zeros(sa) @ Tensor.zeros(sb)


# ---- backward misuse ---------------------------------------------------------------------


def test_backward_on_non_scalar_without_gradient():
    y = Tensor.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=re.escape(
            "grad can be implicitly created only for scalar outputs, but this tensor has "
            "shape (2, 3)")):
        y.backward()


def test_backward_gradient_of_wrong_shape():
    y = Tensor.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=re.escape(
            "backward(): gradient has shape (3,) but the tensor has shape (2,)")):
        y.backward(Tensor.ones(3))


@pytest.mark.parametrize("make", [
    lambda: Tensor([1.0, 2.0]).sum(),
    lambda: Tensor([1.0], requires_grad=True).detach() * 2,
])
def test_backward_on_tensor_that_does_not_require_grad(make):
    with pytest.raises(RuntimeError, match="does not require grad and has no grad_fn"):
        make().backward()


def test_backward_twice_through_freed_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    # the sum needs nothing that was freed; the product needs x (as in PyTorch)
    with pytest.raises(RuntimeError, match=r"MulBackward: trying to backward through the "
                       r"graph a second time.*retain_graph=True"):
        y.backward()
    # the intermediate graph is freed too, not only the last node
    z = x.exp()
    z.sum().backward()
    with pytest.raises(RuntimeError, match="ExpBackward.*retain_graph=True"):
        (z * 1.0).sum().backward()


def test_retain_graph_makes_the_second_backward_work():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


@pytest.mark.parametrize("data, dtype", [([1, 2], "int64"), ([True], "bool")])
def test_integer_and_bool_tensors_cannot_require_grad(data, dtype):
    with pytest.raises(TypeError, match=f"only floating-point tensors can require gradients, "
                                        f"got dtype {dtype}"):
        Tensor(data, requires_grad=True)
    with pytest.raises(TypeError, match=f"got dtype {dtype}.*use .float()"):
        Tensor(data).requires_grad_()
    with pytest.raises(TypeError, match="only floating-point"):
        Tensor.arange(3, requires_grad=True)


def test_requires_grad_false_on_non_leaf():
    with pytest.raises(RuntimeError, match=r"requires_grad_\(False\) on a non-leaf.*detach"):
        (Tensor([1.0], requires_grad=True) * 2).requires_grad_(False)


# ---- anomaly detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, op, k",
    [
        (lambda x: x.log(), "Log", 0),
        (lambda x: x.sqrt(), "Sqrt", 0),
        (lambda x: 1.0 / x, "Div", 1),  # x is the divisor: input #1
        (lambda x: x ** 0.5, "PowScalar", 0),
    ],
)
def test_detect_anomaly_names_the_op(fn, op, k):
    x = Tensor([0.0, 1.0], requires_grad=True)  # the derivative is infinite at 0
    with np.errstate(divide="ignore", invalid="ignore"), detect_anomaly():
        y = fn(x).sum()
        with pytest.raises(RuntimeError, match=rf"detect_anomaly: Function '{op}Backward' "
                           rf"returned nan/inf values in its gradient #{k} \(input of shape "
                           r"\(2,\)\)\nThe op was created here:"):
            y.backward()


def test_detect_anomaly_is_off_by_default_and_restored():
    x = Tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        x.log().sum().backward()  # no check: inf is allowed through
        assert np.isinf(x.grad.numpy()).all()
        with pytest.raises(RuntimeError), detect_anomaly():
            x.log().sum().backward()
        x.grad = None
        x.log().sum().backward()  # the context restored the default


def test_detect_anomaly_passes_finite_gradients():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        x.log().sum().backward()
    assert x.grad.tolist() == [1.0, 0.5]


# ---- shapes, axes and indices ------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, exc, msg",
    [
        (lambda t: t.reshape(4, 2), ValueError,
         "reshape: cannot reshape a tensor of shape (2, 3) (6 elements) into shape (4, 2)"),
        (lambda t: t.reshape(-1, -1), ValueError, "reshape: cannot reshape"),
        (lambda t: t.permute(0, 0), ValueError,
         "permute: (0, 0) is not a permutation of the 2 axes of a tensor of shape (2, 3)"),
        (lambda t: t.expand(3, 3), ValueError,
         "expand: cannot broadcast a tensor of shape (2, 3) to shape (3, 3)"),
        (lambda t: t.sum(axis=2), ValueError, "sum: axis 2 is out of range for a tensor with 2"),
        (lambda t: t.mean(axis=-3), ValueError, "mean: axis -3 is out of range"),
        (lambda t: t.max(axis=(0, 0)), ValueError, "max: repeated axis in (0, 0)"),
        (lambda t: t.min(axis=5), ValueError, "min: axis 5 is out of range"),
        (lambda t: t.var(axis=5), ValueError, "var: axis 5 is out of range"),
        (lambda t: t.logsumexp(axis=5), ValueError, "logsumexp: axis 5 is out of range"),
        (lambda t: t.softmax(5), ValueError, "softmax: axis 5 is out of range"),
        (lambda t: t.squeeze(3), ValueError, "squeeze: axis 3 is out of range"),
        (lambda t: t.unsqueeze(3), ValueError, "unsqueeze: axis 3 is out of range"),
        (lambda t: t.unsqueeze(-4), ValueError, "unsqueeze: axis -4 is out of range"),
        (lambda t: t.expand(-1, 2, 3), ValueError, "expand: -1 is not allowed"),
        (lambda t: t[5], IndexError,
         "index: index 5 is out of bounds for axis 0 with size 2 (tensor of shape (2, 3))"),
        (lambda t: t[0, 0, 0], IndexError, "tensor of shape (2, 3)"),
        (lambda t: t[Tensor([0.5])], IndexError,
         "index: tensors used as indices must be integer or bool, got float32"),
        (lambda t: t[np.array([True, False, True])], IndexError, "(tensor of shape (2, 3))"),
        (lambda t: t.pad(((1, 1),)), ValueError,
         "pad: need one non-negative (before, after) pair per axis for a tensor of shape (2, 3)"),
        (lambda t: t.clip(2, 1), ValueError, "clip: min (2) is larger than max (1)"),
        (lambda t: t.item(), ValueError,
         "item(): only one-element tensors can be converted to a Python number, this one has "
         "shape (2, 3)"),
        (lambda t: ~t, TypeError, "~ needs a bool or integer tensor, got float32"),
    ],
)
def test_shape_and_index_errors(fn, exc, msg):
    with pytest.raises(exc, match=re.escape(msg)):
        fn(Tensor.zeros(2, 3))


def test_cat_stack_errors():
    with pytest.raises(ValueError, match=re.escape(
            "cat: shapes (2, 3) and (3, 2) differ outside axis 0")):
        cat([Tensor.zeros(2, 3), Tensor.zeros(3, 2)])
    with pytest.raises(ValueError, match=re.escape(
            "stack: all tensors need the same shape, got (2, 3) and (2, 4)")):
        stack([Tensor.zeros(2, 3), Tensor.zeros(2, 4)])
    with pytest.raises(ValueError, match="cat: need at least one tensor"):
        cat([])
    with pytest.raises(ValueError, match="cat: zero-dimensional tensors cannot be "
                                         "concatenated; use stack"):
        cat([Tensor(1.0), Tensor(2.0)])


def test_empty_reductions():
    with pytest.raises(ValueError, match=re.escape(
            "max: cannot reduce over a dimension of size 0 (tensor of shape (0, 3))")):
        Tensor.zeros(0, 3).max()
    # over the non-empty axis of an empty batch: empty results, as in PyTorch
    x = Tensor.zeros(0, 3)
    for out in (x.max(axis=1), x.softmax(-1), x.log_softmax(-1), x.logsumexp(-1)):
        assert out.shape[0] == 0


def test_device_mismatch():
    # the check runs before any array is touched, so a tensor that only *claims* to live
    # on the GPU is enough to exercise it without one
    import numpy as np

    gpu_like = Tensor._wrap(np.zeros(2, np.float32), "cuda")
    with pytest.raises(RuntimeError, match="expected all tensors on the same device, got "
                                           "cpu and cuda"):
        Tensor.zeros(2) + gpu_like


def test_a_second_backward_through_ops_that_saved_nothing_works_as_in_pytorch():
    # PyTorch frees saved tensors, not the graph: add, sum, reshape, transpose need none
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x + 1.0).reshape(4).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2), 2.0))
    z = x.T.sum(0)  # sum over an axis keeps its axes: small options are not freed
    z.sum().backward()
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2), 4.0))
