"""Movement ops: reshape/view, flatten, transpose/permute/.T, squeeze/unsqueeze,
expand/broadcast_to, indexing (basic and advanced; the gradient scatters and accumulates
repeated indices), cat/stack and pad."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import Tensor, cat, concatenate, stack
from tinygrad_edu.testing import assert_close, gradcheck

from .helpers import arrays, check_op, t64

X = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7.0


def both(fn_t, fn_np=None, x=X):
    """Forward against numpy (the same lambda on an ndarray), then gradcheck."""
    out = fn_t(t64(x, False))
    expected = (fn_np or fn_t)(x)
    assert out.shape == np.shape(expected)
    assert_close(out, expected)
    check_op(fn_t, x)


# ---- reshape family ----------------------------------------------------------------------

SHAPE_CASES = {
    "reshape": (lambda t: t.reshape(4, 6), None),
    "reshape_tuple": (lambda t: t.reshape((6, -1)), None),
    "reshape_minus1": (lambda t: t.reshape(-1), None),
    "view": (lambda t: t.view(3, 8), lambda a: a.reshape(3, 8)),
    "flatten": (lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "flatten_1": (lambda t: t.flatten(1), lambda a: a.reshape(2, 12)),
    "flatten_0_1": (lambda t: t.flatten(0, 1), lambda a: a.reshape(6, 4)),
    "transpose": (lambda t: t.transpose(0, 2), lambda a: a.swapaxes(0, 2)),
    "transpose_default": (lambda t: t.transpose(), lambda a: a.swapaxes(-1, -2)),
    "permute": (lambda t: t.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1)),
    "permute_tuple": (lambda t: t.permute((1, 2, 0)), lambda a: a.transpose(1, 2, 0)),
    "T": (lambda t: t.T, lambda a: a.T),
    "mT": (lambda t: t.mT, lambda a: a.swapaxes(-1, -2)),
    "unsqueeze0": (lambda t: t.unsqueeze(0), lambda a: a[None]),
    "unsqueeze_neg": (lambda t: t.unsqueeze(-1), lambda a: a[..., None]),
    "unsqueeze_mid": (lambda t: t.unsqueeze(2), lambda a: np.expand_dims(a, 2)),
    "squeeze_all": (lambda t: t.unsqueeze(1).unsqueeze(0).squeeze(),
                    lambda a: a),
    "squeeze_dim": (lambda t: t.unsqueeze(1).squeeze(1), lambda a: a),
    "squeeze_noop": (lambda t: t.squeeze(0), lambda a: a),  # size 2: left alone (PyTorch)
    "expand": (lambda t: t[:, :1].expand(2, 5, 4), lambda a: np.broadcast_to(a[:, :1],
                                                                              (2, 5, 4))),
    "expand_new_axes": (lambda t: t.expand(3, 2, 3, 4), lambda a: np.broadcast_to(
        a, (3, 2, 3, 4))),
    "expand_minus1": (lambda t: t[:1].expand(5, -1, -1), lambda a: np.broadcast_to(
        a[:1], (5, 3, 4))),
    "broadcast_to": (lambda t: t[:, :, :1].broadcast_to((2, 3, 6)),
                     lambda a: np.broadcast_to(a[:, :, :1], (2, 3, 6))),
}


@pytest.mark.parametrize("name", list(SHAPE_CASES))
def test_shape_ops(name):
    fn, ref = SHAPE_CASES[name]
    both(fn, ref)


@given(x=arrays(min_dims=1), data=st.data())
def test_permute_and_reshape_hypothesis(x, data):
    perm = data.draw(st.permutations(range(x.ndim)), label="perm")
    both(lambda t: t.permute(*perm).reshape(-1), lambda a: a.transpose(perm).reshape(-1), x)


def test_reshape_of_transposed_is_correct():
    # a non-contiguous input must be reshaped in logical (row-major) order
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.T.reshape(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_transpose_and_T_on_small_ranks():
    v = Tensor([1.0, 2.0])
    assert v.T.shape == (2,) and v.transpose().shape == (2,)
    assert Tensor(1.0).T.shape == ()


# ---- indexing ----------------------------------------------------------------------------

INDEX_CASES = {
    "int": 1,
    "neg_int": -1,
    "int_int_int": (1, 2, 3),
    "slice": slice(0, 1),
    "slice_step": (slice(None), slice(None, None, 2)),
    "neg_step": (slice(None), slice(None, None, -1), slice(3, 0, -2)),
    "none": (None, 0, None),
    "ellipsis": (Ellipsis, 1),
    "int_array": np.array([1, 0, 1]),
    "repeated": (0, [2, 2, 0, 2]),
    "repeated_2d": (np.array([[0, 1], [1, 1]]),),
    "pairs": ([0, 1, 1], [2, 2, 0]),
    "mixed": (slice(None), [0, 2], slice(1, 3)),
    "bool_mask": X > 1.5,
    "bool_rows": np.array([True, False]),
    "bool_axis1": (slice(None), np.array([False, True, True])),
    "mask_and_int": (np.array([True, True]), 1),
}


@pytest.mark.parametrize("name", list(INDEX_CASES))
def test_getitem(name):
    index = INDEX_CASES[name]
    both(lambda t: t[index], lambda a: a[index])


def test_getitem_with_tensor_indices():
    x = Tensor(np.arange(5.0), requires_grad=True)
    idx = Tensor([4, 0, 4])
    out = x[idx]
    assert out.tolist() == [4.0, 0.0, 4.0]
    out.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 0.0, 2.0]  # repeated index: gradients add
    x.grad = None
    y = x[x > 2]
    assert y.tolist() == [3.0, 4.0]
    (y * y).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 6.0, 8.0]
    x.grad = None
    x[[True, False, True, False, False]].sum().backward()  # a list of bools is a mask
    assert x.grad.tolist() == [1.0, 0.0, 1.0, 0.0, 0.0]


@given(x=arrays(min_dims=1), data=st.data())
def test_random_integer_indices_accumulate(x, data):
    n = x.shape[0]
    idx = np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=8),
                             label="idx"))
    t = t64(x)
    t[idx].sum().backward()
    expected = np.zeros_like(x)
    np.add.at(expected, idx, 1.0)
    assert_close(t.grad, expected)
    gradcheck(lambda a: a[idx] * a[idx], t64(x))


@given(x=arrays(min_dims=1), data=st.data())
def test_random_boolean_masks(x, data):
    mask = data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size),
                     label="mask")
    mask = np.array(mask).reshape(x.shape)
    both(lambda t: t[mask] * 2.0, lambda a: a[mask] * 2.0, x)


def test_second_derivative_through_indexing():
    x = t64([1.0, 2.0, 3.0])
    gradcheck(lambda a: a[[0, 0, 2]] ** 3, x)
    y = (x[[0, 0, 2]] ** 3).sum()
    y.backward(create_graph=True)
    g = x.grad
    assert_close(g, [6.0, 0.0, 27.0])
    x.grad = None
    g.sum().backward()
    assert_close(x.grad, [12.0, 0.0, 18.0])  # d/dx of 2·3x² at x=1 and 6x at x=3


# ---- cat / stack / pad -------------------------------------------------------------------


@given(data=st.data())
def test_cat_and_stack_hypothesis(data):
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="shape")
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="sizes")
    arrs = []
    for s in sizes:
        shp = list(shape)
        shp[axis] = s
        arrs.append(data.draw(arrays(shape=tuple(shp)), label="part"))
    both_fn = lambda *ts: cat(ts, axis=axis)  # noqa: E731
    out = both_fn(*[t64(a, False) for a in arrs])
    assert_close(out, np.concatenate(arrs, axis=axis))
    check_op(both_fn, *arrs)
    same = [data.draw(arrays(shape=tuple(shape)), label="same") for _ in sizes]
    sax = data.draw(st.integers(-len(shape) - 1, len(shape)), label="stack axis")
    stack_fn = lambda *ts: stack(ts, axis=sax)  # noqa: E731
    assert_close(stack_fn(*[t64(a, False) for a in same]), np.stack(same, axis=sax))
    check_op(stack_fn, *same)


def test_cat_aliases_and_dim():
    a, b = Tensor([[1.0, 2.0]]), Tensor([[3.0, 4.0]])
    assert concatenate([a, b]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert Tensor.cat([a, b], dim=1).tolist() == [[1.0, 2.0, 3.0, 4.0]]
    assert Tensor.stack([a, b], dim=-1).shape == (1, 2, 2)
    assert cat([Tensor([1]), Tensor([2.5])]).dtype == np.float32  # ints join the float
    x = Tensor([1.0], requires_grad=True)
    out = cat([x, Tensor([5.0]), x])  # one input used twice, one constant
    out.sum().backward()
    assert x.grad.tolist() == [2.0]


PAD_CASES = {
    "int": (1, 0.0),
    "pairs": (((0, 1), (2, 0), (1, 1)), 0.0),
    "value": (((1, 0), (0, 0), (0, 2)), -3.5),
    "zero": (((0, 0), (0, 0), (0, 0)), 0.0),
}


@pytest.mark.parametrize("name", list(PAD_CASES))
def test_pad(name):
    width, value = PAD_CASES[name]
    both(lambda t: t.pad(width, value=value),
         lambda a: np.pad(a, width, constant_values=value))


@given(x=arrays(), data=st.data())
def test_expand_hypothesis(x, data):
    # grow each size-1 axis to a random size and add up to two leading axes
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2), label="lead")
    grow = [data.draw(st.integers(1, 3), label="grow") if n == 1 else n for n in x.shape]
    target = tuple(lead) + tuple(grow)
    both(lambda t: t.expand(*target), lambda a: np.broadcast_to(a, target), x)
    both(lambda t: t.broadcast_to(target), lambda a: np.broadcast_to(a, target), x)


@given(x=arrays(min_dims=1), data=st.data())
def test_pad_hypothesis(x, data):
    width = tuple(data.draw(st.tuples(st.integers(0, 2), st.integers(0, 2)), label="w")
                  for _ in range(x.ndim))
    value = data.draw(st.sampled_from([0.0, -1.5]), label="value")
    both(lambda t: t.pad(width, value=value),
         lambda a: np.pad(a, width, constant_values=value), x)


@st.composite
def basic_index(draw, shape):
    """A basic index for ``shape``: ints, slices (any step), None and Ellipsis."""
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            items.append(slice(draw(st.none() | st.integers(-n - 1, n + 1)),
                               draw(st.none() | st.integers(-n - 1, n + 1)),
                               draw(st.none() | st.sampled_from([-2, -1, 1, 2, 3]))))
        else:
            items.append(slice(None))
        if draw(st.integers(0, 5)) == 0:
            items.append(None)
    if items and draw(st.booleans()):  # replace a run of trailing full slices by ...
        items = items[:draw(st.integers(0, len(items)))] + [Ellipsis]
    return tuple(items)


@given(x=arrays(min_dims=1), data=st.data())
def test_basic_indexing_hypothesis(x, data):
    index = data.draw(basic_index(x.shape), label="index")
    both(lambda t: t[index] * 1.0, lambda a: a[index] * 1.0, x)


@given(x=arrays(), data=st.data())
def test_squeeze_unsqueeze_transpose_hypothesis(x, data):
    ax = data.draw(st.integers(-x.ndim - 1, x.ndim), label="unsqueeze axis")
    both(lambda t: t.unsqueeze(ax), lambda a: np.expand_dims(a, ax), x)
    both(lambda t: t.squeeze(), lambda a: np.squeeze(a), x)
    if x.ndim >= 2:
        d0, d1 = data.draw(st.tuples(st.integers(-x.ndim, x.ndim - 1),
                                     st.integers(-x.ndim, x.ndim - 1)), label="dims")
        both(lambda t: t.transpose(d0, d1), lambda a: np.swapaxes(a, d0, d1), x)
