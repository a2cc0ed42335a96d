"""Tensor construction, dtypes, factories, conversions and properties."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled

# ---- construction and dtypes -----------------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),
        (3, np.int64),
        (True, np.bool_),
        ([1.0, 2.0], np.float32),
        ([1, 2, 3], np.int64),
        ([[True, False]], np.bool_),
        ([1, 2.5], np.float32),  # mixed int/float list is floating
        (np.array([1.0, 2.0]), np.float32),  # numpy float64 → float32 by default
        (np.array([1.0], dtype=np.float32), np.float32),
        (np.array([1, 2], dtype=np.int32), np.int64),
        (np.array([1, 2], dtype=np.int64), np.int64),
        (np.array([True]), np.bool_),
    ],
)
def test_default_dtypes(data, dtype):
    t = Tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data).astype(dtype))


@pytest.mark.parametrize("dtype", ["float64", np.float64, np.dtype("float64"), "double"])
def test_float64_on_request(dtype):
    t = Tensor([1.0, 2.0], dtype=dtype)
    assert t.dtype == np.float64
    assert Tensor(np.array([0.1]), dtype=dtype).item() == 0.1  # no float32 round trip


def test_explicit_dtypes_convert():
    assert Tensor([1, 2], dtype="float32").dtype == np.float32
    assert Tensor([1.7, 2.2], dtype="int64").tolist() == [1, 2]
    assert Tensor([0, 1], dtype=bool).tolist() == [False, True]


def test_shape_ndim_size():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple)
    assert t.ndim == 3 and t.size == 24 and t.numel() == 24 and len(t) == 2
    s = Tensor(2.0)
    assert s.shape == () and s.ndim == 0 and s.size == 1
    with pytest.raises(TypeError, match="0-d"):
        len(s)


def test_tensor_from_tensor_keeps_dtype():
    a = Tensor([1.0], dtype="float64")
    assert Tensor(a).dtype == np.float64
    assert Tensor(a, dtype="float32").dtype == np.float32


def test_requires_grad_flag():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name() == "MulBackward"
    z = Tensor([1.0]) * 2
    assert not z.requires_grad and z.grad_fn is None
    assert Tensor([1.0]).requires_grad_().requires_grad


# ---- factories -------------------------------------------------------------------------


def test_zeros_ones_full_eye_arange():
    assert Tensor.zeros(2, 3).shape == (2, 3) and Tensor.zeros((2, 3)).shape == (2, 3)
    assert Tensor.zeros(2).dtype == np.float32 and Tensor.zeros(2).tolist() == [0.0, 0.0]
    assert Tensor.ones(2, dtype="float64").dtype == np.float64
    assert Tensor.ones(1, 2).tolist() == [[1.0, 1.0]]
    f = Tensor.full((2, 2), 1.5)
    assert f.dtype == np.float32 and f.tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert Tensor.full(3, 7).dtype == np.int64 and Tensor.full(3, 7).tolist() == [7, 7, 7]
    assert Tensor.full((1,), True).dtype == np.bool_
    np.testing.assert_array_equal(Tensor.eye(3).numpy(), np.eye(3, dtype=np.float32))
    assert Tensor.eye(2, 3).shape == (2, 3) and Tensor.eye(2).dtype == np.float32
    assert Tensor.arange(5).tolist() == [0, 1, 2, 3, 4] and Tensor.arange(5).dtype == np.int64
    assert Tensor.arange(1, 7, 2).tolist() == [1, 3, 5]
    a = Tensor.arange(0, 1, 0.25)
    assert a.dtype == np.float32 and a.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert Tensor.zeros(2, requires_grad=True).requires_grad
    z = Tensor.zeros(2, 3).zeros_like()
    assert z.shape == (2, 3) and Tensor.ones(2).ones_like(dtype="float64").dtype == np.float64


@pytest.mark.parametrize("factory", ["rand", "randn", "uniform"])
def test_random_factories_are_seeded(factory):
    make = getattr(Tensor, factory)
    a, b, c = make(3, 4, seed=0), make(3, 4, seed=0), make(3, 4, seed=1)
    assert a.shape == (3, 4) and a.dtype == np.float32
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())
    # a Generator is used as a stream: two draws differ, and replaying the stream agrees
    g1, g2 = np.random.default_rng(42), np.random.default_rng(42)
    x1, x2 = make(5, seed=g1), make(5, seed=g1)
    assert not np.array_equal(x1.numpy(), x2.numpy())
    np.testing.assert_array_equal(x1.numpy(), make(5, seed=g2).numpy())
    assert make(2, seed=0, dtype="float64").dtype == np.float64


def test_random_distributions():
    u = Tensor.rand(10_000, seed=0).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.02
    n = Tensor.randn(10_000, seed=0).numpy()
    assert abs(n.mean()) < 0.05 and abs(n.std() - 1) < 0.05
    w = Tensor.uniform(10_000, low=-3.0, high=-1.0, seed=0).numpy()
    assert w.min() >= -3 and w.max() < -1
    np.testing.assert_array_equal(  # same numbers as numpy's Generator, documented
        Tensor.randn(4, seed=7, dtype="float64").numpy(),
        np.random.default_rng(7).standard_normal(4))


def test_bad_seed_and_dtype():
    with pytest.raises(TypeError, match="seed must be an int"):
        Tensor.rand(2, seed="zero")
    with pytest.raises(TypeError, match="unknown dtype 'floaty'"):
        Tensor([1.0], dtype="floaty")
    with pytest.raises(TypeError, match="cannot make a tensor from data of dtype <U1"):
        Tensor(["a"])


# ---- conversions -----------------------------------------------------------------------


def test_numpy_item_tolist():
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t.numpy(), np.ndarray) and t.numpy().dtype == np.float32
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert Tensor([2.5]).item() == 2.5 and isinstance(Tensor([2.5]).item(), float)
    assert Tensor(3).item() == 3 and isinstance(Tensor(3).item(), int)
    assert Tensor(True).item() is True
    assert float(Tensor([1.5])) == 1.5 and int(Tensor(4)) == 4
    assert np.asarray(t).shape == (2, 2)
    assert t[1, 0].item() == 3.0  # a 0-d result of indexing converts too
    with pytest.raises(ValueError, match=r"only one-element tensors.*shape \(2, 2\)"):
        t.item()


def test_bool_and_iteration():
    assert bool(Tensor([1.0])) and not bool(Tensor(0.0))
    with pytest.raises(ValueError, match=r"truth value of a tensor of shape \(2,\) is ambiguous"):
        bool(Tensor([1.0, 2.0]))
    rows = list(Tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]


def test_float_dtype_conversions_keep_graph():
    x = Tensor([1.5, 2.5], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32  # the gradient comes back in the input's dtype
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    assert x.long().dtype == np.int64 and not x.long().requires_grad
    assert x.float() is x


def test_detach_shares_data_and_cuts_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.numpy(), y.numpy())
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 6.0])  # d is a constant


def test_no_grad_context_and_decorator():
    x = Tensor([1.0], requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with enable_grad():
            z = x * 2
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad

    @no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and is_grad_enabled()
    with set_grad_enabled(False):
        assert not (x + 1).requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_no_grad_restores_state_after_exception():
    with pytest.raises(ZeroDivisionError), no_grad():
        _ = 1 / 0
    assert is_grad_enabled()


def test_repr():
    assert repr(Tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(Tensor([1, 2])) == "tensor([1, 2])"
    assert repr(Tensor([1.0], dtype="float64")) == "tensor([1.], dtype=float64)"
    assert repr(Tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<MulBackward>)"
    assert repr(Tensor(0.5)) == "tensor(0.5)"
    assert "\n" in repr(Tensor.zeros(2, 2))  # a matrix prints as rows


def test_clone_is_a_copy_in_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.requires_grad and not np.shares_memory(c.numpy(), x.numpy())
    (c * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    p = Tensor([1.0])
    q = p.clone()
    q.data[0] = 5.0
    assert p.item() == 1.0
