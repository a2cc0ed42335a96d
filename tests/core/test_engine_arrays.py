"""The engine's fast path: an ordinary backward passes arrays from node to node, and an op
declared ``backward_on_arrays`` runs its backward on them; under create_graph everything
is a Tensor again. These tests pin what a user (or a Function written by a student) can
rely on either way."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor
from tinygrad_edu.testing import gradcheck, gradgradcheck


def _spy(on_arrays: bool, seen: list) -> type[Function]:
    class Square(Function):
        """z = x²; records the types its backward was given."""

        backward_on_arrays = on_arrays

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            seen.append((type(g), type(x)))
            return g * x * 2.0

    return Square


def test_an_op_declared_backward_on_arrays_gets_arrays_in_an_ordinary_backward():
    seen: list = []
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    _spy(True, seen).apply(x).sum().backward()
    assert seen == [(np.ndarray, np.ndarray)]
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0, 6.0])
    assert type(x.grad) is Tensor and type(x.grad.data) is np.ndarray


def test_the_same_op_gets_tensors_under_create_graph_and_its_gradient_differentiates():
    seen: list = []
    Square = _spy(True, seen)
    x = Tensor([1.0, -2.0, 3.0], dtype="float64", requires_grad=True)
    (gx,) = _grad(Square.apply(x).sum(), x)
    assert seen == [(Tensor, Tensor)]
    assert gx.requires_grad
    gx.sum().backward()  # d/dx Σ 2x = 2
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0])
    assert gradgradcheck(Square.apply, Tensor(np.array([0.5, -1.5]), dtype="float64",
                                               requires_grad=True))


def _grad(y: Tensor, x: Tensor) -> tuple[Tensor]:
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    return (g,)


def test_an_op_not_declared_gets_tensors_always():
    seen: list = []
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    _spy(False, seen).apply(x).sum().backward()
    assert seen == [(Tensor, Tensor)]
    np.testing.assert_allclose(x.grad.numpy(), [2.0, -4.0, 6.0])


def test_a_backward_that_returns_an_array_where_a_tensor_is_due_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.data * 2  # an array: this op did not declare backward_on_arrays

    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="Bad.backward returned a ndarray"):
        Bad.apply(x).sum().backward()


def test_zero_dim_gradients_stay_arrays_not_numpy_scalars():
    # numpy returns a numpy scalar for an operation on 0-d arrays; a Tensor holds arrays
    x = Tensor(3.0, requires_grad=True)
    ((x * 2.0).tanh() * x).backward()
    assert isinstance(x.grad.data, np.ndarray) and x.grad.shape == ()
    x.grad.data += 1.0  # in place, as the next backward would accumulate
    w = Tensor(np.float32(0.5), requires_grad=True)
    (w * w).exp().backward()
    assert isinstance(w.grad.data, np.ndarray)


def test_a_user_attribute_named_like_the_engine_flag_is_the_users():
    class Keep(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.arrays = ("mine",)  # the grader's own ops keep attributes with such names
            return x * 1

        @staticmethod
        def backward(ctx, g):
            assert ctx.arrays == ("mine",)
            return g

    x = Tensor([1.0], requires_grad=True)
    Keep.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0])


def test_overflow_in_an_array_backward_gives_inf_silently_as_pytorch():
    x = Tensor(np.array([1e30, 2.0], dtype=np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x * 1e10).sum().backward()
    assert np.isinf(x.grad.numpy()[0]) and np.isfinite(x.grad.numpy()[1])


def test_in_place_change_of_a_saved_input_is_caught_on_the_array_path_too():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()
    from tinygrad_edu import no_grad

    with no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.backward()


def test_the_gradient_a_leaf_takes_is_not_shared_with_another_leaf():
    # Add's backward returns the same array for both inputs: only one leaf may own it
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data += 10
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 1.0])


def test_edges_keep_pytorchs_shape_and_parents_the_engines():
    x = Tensor([1.0], requires_grad=True)
    y = x * 2.0
    (edge,) = [e for e in y.grad_fn.next_functions if e[0] is not None]
    assert edge[1] == 0 and edge[0].name() == "AccumulateGrad"
    assert y.grad_fn.parents == tuple(e[0] for e in y.grad_fn.next_functions)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "tanh", "sigmoid", "relu", "exp",
                                "log", "reshape"])
def test_array_backward_ops_pass_gradcheck(op):
    fns = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "tanh": lambda a, b: a.tanh() * b,
           "sigmoid": lambda a, b: a.sigmoid() + b, "relu": lambda a, b: (a * b).relu(),
           "exp": lambda a, b: (a * b).exp(), "log": lambda a, b: (a * a + b * b).log(),
           "reshape": lambda a, b: (a * b).reshape(3, 2)}
    rng = np.random.default_rng(0)
    a = Tensor(rng.uniform(0.5, 1.5, (2, 3)), dtype="float64", requires_grad=True)
    b = Tensor(rng.uniform(0.5, 1.5, (3,)), dtype="float64", requires_grad=True)
    assert gradcheck(fns[op], a, b)
    assert gradgradcheck(fns[op], a, b)


def test_nodes_are_numbered_after_their_inputs_and_reused_leaves_get_every_path():
    # a leaf first used late, one used at several depths, a node reused much later
    rng = np.random.default_rng(1)
    x = Tensor(rng.uniform(-1, 1, 3), dtype="float64", requires_grad=True)
    w = Tensor(rng.uniform(-1, 1, 3), dtype="float64", requires_grad=True)

    def f(x, w):
        a = x * 2.0
        b = a * x
        for _ in range(3):
            b = (b + a).tanh()
        return (b * w + a * x).sum()

    out = f(x, w)
    node = out.grad_fn
    while node is not None and node.parents:  # along the first edges: numbers go down
        parent = next((p for p in node.parents if p is not None), None)
        if parent is None:
            break
        assert parent.sequence_nr < node.sequence_nr
        node = parent
    assert gradcheck(f, x, w)
