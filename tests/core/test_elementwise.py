"""Elementwise ops: values against numpy, gradients by gradcheck (float64, hypothesis,
broadcasting and size-1 dimensions included), float32 forward against float64."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, where
from tinygrad_edu.testing import assert_close

from .helpers import arrays, away_from, broadcastable_arrays, check_op, t64

# ---- binary ops: broadcasting, gradients summed back to each input's shape --------------

BINARY = {
    "add": (lambda a, b: a + b, np.add, ("any", "any")),
    "sub": (lambda a, b: a - b, np.subtract, ("any", "any")),
    "mul": (lambda a, b: a * b, np.multiply, ("any", "any")),
    "div": (lambda a, b: a / b, np.divide, ("any", "nonzero")),
    "pow": (lambda a, b: a**b, np.power, ("positive", "unit")),
    "add_method": (lambda a, b: a.add(b), np.add, ("any", "any")),
    "sub_method": (lambda a, b: a.sub(b), np.subtract, ("any", "any")),
    "mul_method": (lambda a, b: a.mul(b), np.multiply, ("any", "any")),
    "div_method": (lambda a, b: a.div(b), np.divide, ("unit", "positive")),
    "pow_method": (lambda a, b: a.pow(b), np.power, ("positive", "unit")),
}


@pytest.mark.parametrize("name", list(BINARY))
@given(data=st.data())
def test_binary_broadcasting(name, data):
    fn, ref, domains = BINARY[name]
    a, b = data.draw(broadcastable_arrays(2, domain=domains), label="inputs")
    out = fn(t64(a, False), t64(b, False))
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)
    assert_close(out, ref(a, b))
    check_op(fn, a, b)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(pair=broadcastable_arrays(2))
def test_maximum_minimum(name, pair):
    # round a and put b half-way between integers: the two never tie (no kink)
    a, b = np.round(pair[0]), np.round(pair[1]) + 0.5
    fn = (lambda x, y: x.maximum(y)) if name == "maximum" else (lambda x, y: x.minimum(y))
    assert_close(fn(t64(a), t64(b)), getattr(np, name)(a, b))
    check_op(fn, a, b)


@pytest.mark.parametrize("name, winner", [("maximum", 0), ("minimum", 1)])
def test_maximum_minimum_ties_split_the_gradient(name, winner):
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([2.0, 2.0, 2.0], requires_grad=True)
    getattr(a, name)(b).sum().backward()
    # PyTorch's convention: ½ each on a tie, so the result is a symmetric subgradient
    expect_a = [0.0, 0.5, 1.0] if name == "maximum" else [1.0, 0.5, 0.0]
    np.testing.assert_allclose(a.grad.numpy(), expect_a)
    np.testing.assert_allclose(b.grad.numpy(), 1 - np.array(expect_a))


# ---- reflected forms with Python scalars -------------------------------------------------

SCALAR_FORMS = {
    "x+s": (lambda x: x + 2.5, lambda x: x + 2.5),
    "s+x": (lambda x: 2.5 + x, lambda x: 2.5 + x),
    "x-s": (lambda x: x - 2, lambda x: x - 2),
    "s-x": (lambda x: 2 - x, lambda x: 2 - x),
    "x*s": (lambda x: x * -1.5, lambda x: x * -1.5),
    "s*x": (lambda x: -1.5 * x, lambda x: -1.5 * x),
    "x/s": (lambda x: x / 4, lambda x: x / 4),
    "s/x": (lambda x: 3.0 / x, lambda x: 3.0 / x),
    "x**2": (lambda x: x**2, lambda x: x**2),
    "x**3": (lambda x: x**3, lambda x: x**3),
    "x**-1.5": (lambda x: x**-1.5, lambda x: x**-1.5),
    "x**0.5": (lambda x: x**0.5, lambda x: x**0.5),
    "2**x": (lambda x: 2**x, lambda x: 2.0**x),
    "-x": (lambda x: -x, lambda x: -x),
    "neg()": (lambda x: x.neg(), lambda x: -x),
    "square()": (lambda x: x.square(), lambda x: x * x),
}


@pytest.mark.parametrize("name", list(SCALAR_FORMS))
@given(x=arrays(domain="positive"))
def test_scalar_operands(name, x):
    fn, ref = SCALAR_FORMS[name]
    out = fn(t64(x, False))
    assert out.dtype == np.float64
    assert_close(out, ref(x))
    check_op(fn, x)


def test_python_scalars_keep_float32():
    x = Tensor([1.0, 2.0])
    for y in (x + 1, 1 + x, x * 2.5, 2.5 * x, x - 1, 1 - x, x / 3, 3 / x, x**2, 2**x, -x,
              x * np.float64(2.0)):
        assert y.dtype == np.float32, y


def test_numpy_operands():
    x = Tensor([1.0, 2.0])
    y = np.array([10.0, 20.0]) + x  # numpy on the left defers to Tensor (__array_priority__)
    assert isinstance(y, Tensor) and y.tolist() == [11.0, 22.0]
    assert (x * np.array([2.0, 3.0])).tolist() == [2.0, 6.0]


@pytest.mark.parametrize(
    "expr, dtype",
    [
        (lambda i, f: i + f, np.float32),
        (lambda i, f: i + 1.5, np.float32),
        (lambda i, f: i * 2, np.int64),
        (lambda i, f: i / 2, np.float32),
        (lambda i, f: i / i, np.float32),
        (lambda i, f: f.double() + i, np.float64),
        (lambda i, f: f + f.double(), np.float64),
        (lambda i, f: i.sqrt(), np.float32),
        (lambda i, f: i.exp(), np.float32),
    ],
)
def test_dtype_promotion(expr, dtype):
    """Mixing an integer tensor with a float keeps the float's precision (PyTorch's rule);
    only float64 makes float64."""
    i, f = Tensor([1, 2]), Tensor([0.5, 1.5])
    assert expr(i, f).dtype == dtype


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], dtype="float64", requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 2.0])


# ---- unary ops ---------------------------------------------------------------------------

UNARY = {
    "exp": (lambda x: x.exp(), np.exp, "any", ()),
    "log": (lambda x: x.log(), np.log, "positive", ()),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, "positive", ()),
    "abs": (lambda x: x.abs(), np.abs, "any", (0.0,)),
    "relu": (lambda x: x.relu(), lambda x: np.maximum(x, 0), "any", (0.0,)),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), "any", ()),
    "tanh": (lambda x: x.tanh(), np.tanh, "any", ()),
    "neg": (lambda x: -x, np.negative, "any", ()),
    "clip": (lambda x: x.clip(-1.0, 2.0), lambda x: np.clip(x, -1, 2), "any", (-1.0, 2.0)),
    "clip_min": (lambda x: x.clip(min=0.5), lambda x: np.maximum(x, 0.5), "any", (0.5,)),
    "clamp_max": (lambda x: x.clamp(max=-0.5), lambda x: np.minimum(x, -0.5), "any", (-0.5,)),
    "log_of_exp": (lambda x: x.exp().log(), lambda x: x, "unit", ()),
}


@pytest.mark.parametrize("name", list(UNARY))
@given(data=st.data())
def test_unary(name, data):
    fn, ref, domain, kinks = UNARY[name]
    x = away_from(data.draw(arrays(domain=domain), label="x"), kinks, to=0.25)
    out = fn(t64(x, False))
    assert out.shape == x.shape
    assert_close(out, ref(x))
    check_op(fn, x)


def test_power_zero_has_zero_gradient_everywhere():
    x = Tensor([0.0, 2.0, -1.0], requires_grad=True)
    y = x**0
    assert y.tolist() == [1.0, 1.0, 1.0]
    y.sum().backward()  # p·xᵖ⁻¹ would be 0·inf = nan at 0
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    x.grad = None
    (x**1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]


def test_kink_subgradients_match_pytorch():
    x = Tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.relu().sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]
    x.grad = None
    x.abs().sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    x.grad = None
    x.clip(-1.0, 0.5).sum().backward()  # the boundaries count as inside
    assert x.grad.tolist() == [1.0, 1.0, 0.0]


def test_sigmoid_and_tanh_do_not_overflow():
    x = Tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], requires_grad=True)
    s = x.sigmoid()
    assert np.isfinite(s.numpy()).all()
    np.testing.assert_allclose(s.numpy(), [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-7)
    s.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    assert x.tanh().tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]


def test_integer_inputs_to_unary_ops():
    assert Tensor([4]).sqrt().tolist() == [2.0]
    assert Tensor([-2, 3]).abs().tolist() == [2, 3] and Tensor([-2]).abs().dtype == np.int64
    assert Tensor([-2, 3]).relu().tolist() == [0, 3]


# ---- where -------------------------------------------------------------------------------


@given(data=st.data())
def test_where_broadcasts_and_routes_gradients(data):
    c, a, b = data.draw(broadcastable_arrays(3), label="cond, x, y")
    cond = c > 0
    fn = lambda x, y: where(Tensor(cond), x, y)  # noqa: E731
    assert_close(fn(t64(a), t64(b)), np.where(cond, a, b))
    check_op(fn, a, b)


def test_where_variants():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = where(x > 1.5, x, 0.0)
    assert out.tolist() == [0.0, 2.0, 3.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]
    assert x.where(x < 2, -1.0).tolist() == [1.0, -1.0, -1.0]  # PyTorch's Tensor.where
    assert where([True, False], 1.0, 2.0).tolist() == [1.0, 2.0]
    assert where(np.array([1, 0]), Tensor([1.0, 1.0]), Tensor([5.0])).tolist() == [1.0, 5.0]


# ---- comparisons and logic: bool results, no gradient ------------------------------------


@pytest.mark.parametrize("op", ["__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"])
@given(pair=broadcastable_arrays(2))
def test_comparisons(op, pair):
    a, b = np.round(pair[0]), np.round(pair[1])  # rounding makes equal values common
    x = t64(a, requires_grad=True)
    out = getattr(x, op)(t64(b, False))
    assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(out.numpy(), getattr(a, op)(b))
    np.testing.assert_array_equal(getattr(x, op)(1.0).numpy(), getattr(a, op)(1.0))


def test_reflected_comparisons_and_logic():
    x = Tensor([1.0, 2.0, 3.0])
    assert (2.0 < x).tolist() == [False, False, True]  # Python reflects to x > 2
    assert (2.0 == x).tolist() == [False, True, False]
    m = (x > 1) & (x < 3)
    assert m.tolist() == [False, True, False]
    assert ((x < 2) | (x > 2)).tolist() == [True, False, True]
    assert (~m).tolist() == [True, False, True]
    assert m.any() and not m.all()
    assert (x > 1).sum().item() == 2  # counting a mask gives an integer


def test_comparison_result_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        (Tensor([1.0]) > 0).requires_grad_()
