"""Graph semantics of backward(): diamonds, reuse, accumulation across calls, no_grad,
detach, retain_graph, backward(gradient), second derivatives with create_graph, and
graphs 10,000 operations deep."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from tinygrad_edu import Function, Tensor, enable_grad, no_grad
from tinygrad_edu.testing import assert_close, gradcheck

from .helpers import arrays, t64

# ---- shape of the graph ------------------------------------------------------------------


def test_grad_is_a_tensor_of_the_parameter_shape():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(2), requires_grad=True)
    unused = Tensor([1.0], requires_grad=True)
    (Tensor(np.ones((4, 3))) @ w + b).sum().backward()
    assert isinstance(w.grad, Tensor) and w.grad.shape == (3, 2) and w.grad.dtype == np.float32
    assert b.grad.shape == (2,) and b.grad.tolist() == [4.0, 4.0]
    assert not w.grad.requires_grad
    assert unused.grad is None


def test_diamond():
    # x → a = 2x, b = x²  → y = a·b = 2x³;  dy/dx = 6x²
    x = t64([1.5, -2.0])
    a, b = x * 2, x * x
    (a * b).sum().backward()
    assert_close(x.grad, 6 * np.array([1.5, -2.0]) ** 2)


def test_node_used_several_times_gets_the_sum():
    x = t64([3.0])
    h = x * 2  # an intermediate feeding four consumers
    y = h + h * h + h.exp() + h[[0, 0]].sum()
    y.sum().backward()
    h0 = 6.0
    assert_close(x.grad, [2 * (1 + 2 * h0 + np.exp(h0) + 2)])


def test_deep_diamond_lattice():
    # each layer is used twice by the next: 2**30 paths, but linear work
    x = t64([0.5])
    y = x
    for _ in range(30):
        y = y * 0.5 + y * 0.5
    y.backward()
    assert_close(x.grad, [1.0])


def test_gradients_accumulate_until_reset():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for k in range(1, 4):
        (x * x).sum().backward()
        assert_close(x.grad, k * 2 * np.array([1.0, 2.0]))
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.zero_grad()
    assert x.grad is None


def test_accumulation_does_not_alias_the_incoming_gradient():
    # a leaf whose gradient is the seed itself must not keep (and later mutate) the
    # tensor the caller passed in, nor share one buffer with another leaf
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = Tensor([1.0, 1.0])
    x.backward(seed)
    x.backward(seed)
    assert seed.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    (a + b).sum().backward()
    (a + b).sum().backward()
    assert a.grad.tolist() == [2.0] and b.grad.tolist() == [2.0]


def test_plain_backward_after_create_graph_accumulates():
    # create_graph stores the gradient as is; a later plain backward adds to it without
    # writing into a broadcast view or into another leaf's gradient
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward(create_graph=True)
    (x + y).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and y.grad.tolist() == [2.0, 2.0]
    z = Tensor([1.0, 2.0], requires_grad=True)
    z.sum().backward(create_graph=True)
    z.sum().backward()
    assert z.grad.tolist() == [2.0, 2.0]


def test_backward_with_explicit_gradient():
    x = t64([1.0, 2.0, 3.0])
    y = x * x
    y.backward(Tensor([1.0, 0.0, -2.0]))  # a vector–Jacobian product
    assert_close(x.grad, [2.0, 0.0, -12.0])
    x.grad = None
    (x * 2).backward([1.0, 1.0, 1.0])  # anything array-like
    assert_close(x.grad, [2.0, 2.0, 2.0])
    s = t64(2.0)
    (s * s).backward()  # a 0-d output needs no gradient
    assert_close(s.grad, 4.0)
    one = t64([3.0])
    (one * one).backward()  # nor does a one-element one
    assert_close(one.grad, [6.0])


def test_backward_on_a_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward(Tensor([3.0, 4.0]))
    assert x.grad.tolist() == [3.0, 4.0]


def test_no_grad_and_detach_stop_gradients():
    x = t64([2.0])
    with no_grad():
        c = x * 10
    y = x * c + x.detach() * x
    y.backward()
    assert_close(x.grad, [20.0 + 2.0])  # c and x.detach() are constants


def test_branch_without_grad_is_not_visited():
    x = t64([1.0])
    k = Tensor([5.0], dtype="float64")  # no requires_grad
    y = (x * (k * k)).sum()
    y.backward()
    assert_close(x.grad, [25.0]) and k.grad is None


def test_retain_grad_on_intermediate():
    x = t64([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert_close(h.grad, [6.0, 12.0])
    assert_close(x.grad, [18.0, 36.0])
    h2 = x * 3
    (h2 * h2).sum().backward()
    assert h2.grad is None  # non-leaf gradients are not kept by default


def test_retain_graph_allows_a_second_backward():
    x = t64([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    assert_close(x.grad, 2 * first)


def test_integer_and_bool_tensors_flow_as_constants():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    labels = Tensor([0, 1, 2])
    mask = Tensor([True, False, True])
    ((x * labels) + (x * mask)).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 3.0]


def test_function_backward_returns_none_for_inputs_without_grad():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, s):
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, g):
            x, s = ctx.saved_tensors
            return (g * s if ctx.needs_input_grad[0] else None,
                    g * x if ctx.needs_input_grad[1] else None)

    x, s = t64([1.0, 2.0]), t64([3.0, 3.0], requires_grad=False)
    Scale.apply(x, s).sum().backward()
    assert_close(x.grad, [3.0, 3.0]) and s.grad is None
    gradcheck(lambda a, b: Scale.apply(a, b), t64([1.0, 2.0]), t64([0.5, -1.0]))


# ---- higher-order derivatives ------------------------------------------------------------


def second_derivative(f, x0):
    """f''(x0) elementwise, by differentiating the gradient (create_graph=True)."""
    x = t64(x0)
    f(x).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad, "create_graph=True must give a differentiable gradient"
    x.grad = None
    g.sum().backward()
    return g.numpy(), x.grad.numpy()


def _sig(v):
    return 1 / (1 + np.exp(-v))


SECOND = {
    "tanh": (lambda x: x.tanh(), lambda v: 1 - np.tanh(v) ** 2,
             lambda v: -2 * np.tanh(v) * (1 - np.tanh(v) ** 2)),
    "x^3": (lambda x: x**3, lambda v: 3 * v**2, lambda v: 6 * v),
    "x*x*x": (lambda x: x * x * x, lambda v: 3 * v**2, lambda v: 6 * v),
    "sigmoid": (lambda x: x.sigmoid(), lambda v: _sig(v) * (1 - _sig(v)),
                lambda v: _sig(v) * (1 - _sig(v)) * (1 - 2 * _sig(v))),
    "exp": (lambda x: x.exp(), np.exp, np.exp),
    "log": (lambda x: x.log(), lambda v: 1 / v, lambda v: -1 / v**2),
    "sqrt": (lambda x: x.sqrt(), lambda v: 0.5 / np.sqrt(v), lambda v: -0.25 * v**-1.5),
    "1/x": (lambda x: 1 / x, lambda v: -1 / v**2, lambda v: 2 / v**3),
    "x^x": (lambda x: x**x, lambda v: v**v * (np.log(v) + 1),
            lambda v: v**v * ((np.log(v) + 1) ** 2 + 1 / v)),
    "softplus": (lambda x: (x.exp() + 1).log(), _sig, lambda v: _sig(v) * (1 - _sig(v))),
    "relu^2": (lambda x: x.relu() ** 2, lambda v: 2 * np.maximum(v, 0),
               lambda v: 2.0 * (v > 0)),
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivatives_closed_form(name):
    f, d1, d2 = SECOND[name]
    x0 = np.array([0.3, 1.7, 0.9])
    g, gg = second_derivative(f, x0)
    assert_close(g, d1(x0), rtol=1e-10, atol=1e-12)
    assert_close(gg, d2(x0), rtol=1e-10, atol=1e-12)


def test_hessian_vector_product():
    # f(x) = Σ x_i² x_j A_ij-ish: f(x) = xᵀ A x + Σ x³,  H = A + Aᵀ + diag(6x)
    rng = np.random.default_rng(0)
    a, x0, v = rng.normal(size=(4, 4)), rng.normal(size=4), rng.normal(size=4)
    x = t64(x0)
    A = Tensor(a, dtype="float64")
    f = (x @ A @ x) + (x**3).sum()
    f.backward(create_graph=True)
    g = x.grad
    assert_close(g, (a + a.T) @ x0 + 3 * x0**2, rtol=1e-10, atol=1e-12)
    x.grad = None
    (g * Tensor(v, dtype="float64")).sum().backward()  # ∇(∇f · v) = H v
    hessian = a + a.T + np.diag(6 * x0)
    assert_close(x.grad, hessian @ v, rtol=1e-10, atol=1e-12)


def test_mixed_partial_derivatives():
    # f = x²y: ∂f/∂x = 2xy, ∂²f/∂y∂x = 2x
    x, y = t64([3.0]), t64([5.0])
    (x * x * y).sum().backward(create_graph=True)
    gx = x.grad
    x.grad = y.grad = None
    gx.sum().backward()
    assert_close(y.grad, [6.0]) and assert_close(x.grad, [10.0])


@given(x=arrays(domain="unit"))
def test_gradient_of_gradient_matches_gradcheck(x):
    """gradcheck the map t ↦ ∇f(t), itself computed by backward(create_graph=True)."""

    def f(t):
        return (t.tanh() * t).sigmoid() + t**3 + (t * t).exp()

    def grad_of_f(t):
        with enable_grad():  # gradcheck evaluates fn under no_grad; this fn needs a graph
            f(t).sum().backward(create_graph=True)
        g, t.grad = t.grad, None
        return g

    gradcheck(grad_of_f, t64(x))


# ---- deep graphs (iterative topological sort, no recursion limit) --------------------------


def test_ten_thousand_deep_chain():
    x = Tensor([1.0], dtype="float64", requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert_close(x.grad, [1.0001**10_000], rtol=1e-9)
    del y  # freeing a deep graph must not overflow the C stack either


def test_ten_thousand_deep_chain_of_different_ops():
    ops = [lambda t: t.tanh(), lambda t: t + 0.01, lambda t: t * 1.01,
           lambda t: t.exp().log(), lambda t: t.reshape(1, 1).reshape(1),
           lambda t: t.sigmoid() * 2 - 1 + t * 0.5, lambda t: t[[0]], lambda t: t.abs()]

    def f(t):
        for i in range(10_000):
            t = ops[i % len(ops)](t)
        return t

    x0 = 0.3
    x = t64([x0])
    y = f(x)
    y.backward()
    with no_grad():
        h = 1e-6
        numeric = (f(t64([x0 + h], False)) - f(t64([x0 - h], False))).item() / (2 * h)
    assert_close(x.grad, [numeric], rtol=1e-4, atol=1e-10)


def test_deep_chain_with_create_graph():
    x = t64([0.5])
    y = x
    for _ in range(3_000):
        y = y * 1.0 + 0.0
    (y * y).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    assert_close(x.grad, [2.0])
