"""Reductions with axis/keepdims (and PyTorch's dim/keepdim), argmax/argmin, and the
numerically stable softmax, log_softmax and logsumexp."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.testing import assert_close, gradcheck

from .helpers import array_and_axes, arrays, check_op, distinct, t64


def np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


REDUCTIONS = {
    "sum": (lambda x, **k: x.sum(**k), np.sum),
    "mean": (lambda x, **k: x.mean(**k), np.mean),
    "max": (lambda x, **k: x.max(**k), np.max),
    "min": (lambda x, **k: x.min(**k), np.min),
    "var": (lambda x, **k: x.var(**k), lambda x, **k: np.var(x, ddof=1, **k)),
    "var_correction0": (lambda x, **k: x.var(correction=0, **k), np.var),
    "std": (lambda x, **k: x.std(**k), lambda x, **k: np.std(x, ddof=1, **k)),
    "logsumexp": (lambda x, **k: x.logsumexp(**k), np_logsumexp),
}


def _count(shape, axis):
    axes = range(len(shape)) if axis is None else (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes]))


@pytest.mark.parametrize("name", list(REDUCTIONS))
@given(case=array_and_axes())
def test_reduction(name, case):
    x, axis, keepdims = case
    fn, ref = REDUCTIONS[name]
    if name in ("var", "std") and _count(x.shape, axis) < 2:
        return  # the unbiased estimate needs two values (tested separately)
    if name in ("max", "min"):
        x = distinct(x)  # ties have a subgradient only; tested separately
    if name == "std":
        x = distinct(x, step=0.1)  # keep away from std = 0, where √ has no derivative
    out = fn(t64(x, False), axis=axis, keepdims=keepdims)
    expected = ref(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    assert_close(out, expected)
    check_op(lambda t: fn(t, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "logsumexp"])
def test_dim_keepdim_aliases(name):
    x = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    f = getattr(x, name)
    for d in (0, -1, (0, 2)):
        np.testing.assert_array_equal(f(dim=d, keepdim=True).numpy(),
                                      f(axis=d, keepdims=True).numpy())
        np.testing.assert_array_equal(f(dim=d).numpy(), f(d).numpy())
    with pytest.raises(TypeError, match=f"{name}: give axis or dim, not both"):
        f(axis=0, dim=0)


def test_reductions_on_integers_and_bools():
    i = Tensor([[1, 2], [3, 4]])
    assert i.sum().dtype == np.int64 and i.sum().item() == 10
    assert i.mean().dtype == np.float32 and i.mean().item() == 2.5
    assert i.max(axis=0).tolist() == [3, 4] and i.min().item() == 1
    assert Tensor([True, True, False]).sum().item() == 2


def test_reduction_of_a_scalar_tensor():
    s = Tensor(3.0, requires_grad=True)
    assert s.sum().item() == 3.0 and s.max().item() == 3.0 and s.mean().item() == 3.0
    s.sum().backward()
    assert s.grad.shape == () and s.grad.item() == 1.0
    # PyTorch accepts dim 0 / -1 on a 0-d tensor (there is nothing to reduce)
    for out in (s.sum(0), s.max(-1), s.mean(dim=0), s.logsumexp(0), s.min(0, keepdims=True)):
        assert out.shape == () and out.item() == pytest.approx(3.0)
    assert s.softmax().item() == 1.0 and s.log_softmax(dim=0).item() == 0.0
    assert s.squeeze(0).shape == () and s.squeeze().shape == ()
    with pytest.raises(ValueError, match="sum: axis 1 is out of range for a tensor with 0"):
        s.sum(1)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_ties_share_the_gradient(name):
    x = Tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    if name == "min":
        x = Tensor(-x.numpy(), requires_grad=True)
    getattr(x, name)(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    # values only, like numpy (no (values, indices) tuple)
    out = getattr(x, name)(axis=1)
    assert isinstance(out, Tensor) and out.shape == (2,)


def test_argmax_argmin():
    x = Tensor([[1.0, 5.0, 5.0], [7.0, 0.0, -1.0]])
    assert x.argmax().item() == 3 and x.argmin().item() == 5  # flat index (numpy)
    assert Tensor([5.0, 5.0]).argmax().item() == 0  # first of ties
    assert x.argmax(axis=1).tolist() == [1, 0] and x.argmin(dim=1).tolist() == [0, 2]
    assert x.argmax(axis=0, keepdims=True).shape == (1, 3)
    assert x.argmax(dim=-1, keepdim=True).tolist() == [[1], [0]]
    assert x.argmax().dtype == np.int64 and not Tensor([1.0], requires_grad=True).argmax(
    ).requires_grad
    with pytest.raises(ValueError, match="argmax: axis 2 is out of range"):
        x.argmax(axis=2)


def test_var_correction_and_unbiased():
    data = np.array([[1.0, 2.0, 4.0, 7.0], [0.0, 0.0, 1.0, 1.0]])
    x = Tensor(data, dtype="float64")
    np.testing.assert_allclose(x.var().item(), np.var(data, ddof=1))
    np.testing.assert_allclose(x.var(correction=0).numpy(), np.var(data))
    np.testing.assert_allclose(x.var(axis=1, correction=2).numpy(), np.var(data, 1, ddof=2))
    np.testing.assert_allclose(x.var(axis=1, unbiased=False).numpy(), np.var(data, axis=1))
    np.testing.assert_allclose(x.std(dim=0).numpy(), np.std(data, axis=0, ddof=1))


def test_var_of_too_few_values_is_nan():
    # PyTorch: n − correction ≤ 0 gives nan (0/0), not a Python ZeroDivisionError
    x = Tensor([[1.0], [2.0]])
    assert np.isnan(x.var(axis=1).numpy()).all()
    assert x.var(axis=1, correction=0).tolist() == [0.0, 0.0]


def test_mean_of_empty_axis_is_nan_as_in_pytorch():
    out = Tensor.zeros(0, 3).mean(axis=0)
    assert out.shape == (3,) and np.isnan(out.numpy()).all()


# ---- stable softmax / log_softmax / logsumexp --------------------------------------------

EXTREME = [[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0], [1000.0, 1000.0, 999.0]]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_family_is_stable_at_extremes(dtype):
    x = Tensor(EXTREME, dtype=dtype, requires_grad=True)
    sm, lsm, lse = x.softmax(axis=1), x.log_softmax(axis=1), x.logsumexp(axis=1)
    for out in (sm, lsm, lse):
        assert np.isfinite(out.numpy()).all(), out
    np.testing.assert_allclose(sm.numpy()[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(sm.numpy()[1], [1 / 3] * 3, rtol=1e-6)
    np.testing.assert_allclose(lsm.numpy()[0], [0.0, -2000.0, -1000.0])
    np.testing.assert_allclose(lse.numpy(), [1000.0, -1000.0 + np.log(3),
                                             1000.0 + np.log(2 + np.exp(-1))], rtol=1e-6)
    for out in (sm, lsm, lse):
        x.grad = None
        (out * Tensor(np.arange(out.size, dtype=dtype).reshape(out.shape))).sum().backward()
        assert np.isfinite(x.grad.numpy()).all()


def test_softmax_rows_sum_to_one_and_gradient_of_logsumexp_is_softmax():
    x = Tensor.randn(4, 5, seed=0, dtype="float64", requires_grad=True)
    sm = x.softmax()
    np.testing.assert_allclose(sm.sum(axis=-1).numpy(), np.ones(4))
    x.logsumexp(axis=-1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), sm.numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_gradcheck(name, data):
    x = data.draw(arrays(min_dims=1), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    fn = lambda t: getattr(t, name)(axis=axis)  # noqa: E731
    m = x - x.max(axis=axis, keepdims=True)
    e = np.exp(m)
    expected = e / e.sum(axis=axis, keepdims=True)
    if name == "log_softmax":
        expected = m - np.log(e.sum(axis=axis, keepdims=True))
    assert_close(fn(t64(x, False)), expected)
    check_op(fn, x)
    assert_close(getattr(t64(x, False), name)(dim=axis), expected)


def test_softmax_of_shifted_logits_is_unchanged():
    x = np.random.default_rng(0).normal(size=(3, 4))
    a = Tensor(x, dtype="float64").softmax()
    b = Tensor(x + 500.0, dtype="float64").softmax()
    assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_reduce_gradcheck_deterministic_cases():
    # a handful of fixed shapes, so the suite checks these even with 1 hypothesis example
    rng = np.random.default_rng(3)
    x = t64(rng.normal(size=(2, 3, 4)))
    for fn in (lambda t: t.sum(axis=(0, 2)), lambda t: t.mean(dim=1, keepdim=True),
               lambda t: t.var(axis=-1), lambda t: t.logsumexp(axis=1),
               lambda t: t.max(axis=0), lambda t: t.min(), lambda t: t.softmax(0)):
        gradcheck(fn, x)
