"""ops/conv.py: im2col against a naive loop, col2im as its exact adjoint, and the
gradients of Unfold, Fold and MaxPool2d (also through create_graph)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, enable_grad
from tinygrad_edu.backend import get_backend
from tinygrad_edu.ops.conv import Fold, MaxPool2d, Unfold, Window2d, col2im, im2col
from tinygrad_edu.testing import gradcheck

from .helpers import randn

be = get_backend("cpu")

windows = st.builds(
    Window2d,
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)))


def _fits(window: Window2d, h: int, w: int) -> bool:
    oh, ow = window.output_size(h, w)
    return oh >= 1 and ow >= 1


def naive_im2col(x: np.ndarray, window: Window2d) -> np.ndarray:
    """The definition, one output pixel at a time."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (window.kernel, window.stride, window.padding,
                                              window.dilation)
    oh, ow = window.output_size(h, w)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = np.zeros((c, kh, kw, oh, ow, n))
    for i in range(kh):
        for j in range(kw):
            for y in range(oh):
                for z in range(ow):
                    cols[:, i, j, y, z, :] = xp[:, :, i * dh + y * sh, j * dw + z * sw].T
    return cols


@settings(max_examples=40, deadline=None)
@given(windows, st.integers(1, 7), st.integers(1, 7), st.integers(0, 99))
def test_im2col_matches_the_definition_and_col2im_is_its_adjoint(window, h, w, seed):
    if not _fits(window, h, w):
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    cols = im2col(be, x, window)
    np.testing.assert_array_equal(cols, naive_im2col(x, window))
    # adjoint: <im2col(x), c> = <x, col2im(c)> for every x and c
    c = rng.standard_normal(cols.shape)
    back = col2im(be, c, window, (h, w))
    assert back.shape == x.shape
    assert np.isclose(np.sum(cols * c), np.sum(x * back))


@settings(max_examples=6, deadline=None)
@given(windows, st.integers(2, 5), st.integers(2, 5), st.integers(0, 99))
def test_unfold_and_fold_gradients_of_both_orders(window, h, w, seed):
    if not _fits(window, h, w):
        return
    x = randn(1, 2, h, w, seed=seed)
    gradcheck(lambda t: Unfold.apply(t, window=window), x)
    cols_shape = Unfold.apply(x, window=window).shape
    gradcheck(lambda t: Fold.apply(t, window=window, size=(h, w)), randn(*cols_shape, seed=seed))

    def grad_of_square(t: Tensor) -> Tensor:  # the gradient of Σ unfold(x)², as a function
        with enable_grad():
            u = t * 1.0
            u.retain_grad()
            (Unfold.apply(u, window=window) ** 2).sum().backward(create_graph=True)
            t.grad = None  # keep only what the outer backward puts there
            return u.grad

    gradcheck(grad_of_square, x)


def test_max_pool_backward_is_differentiable():
    rng = np.random.default_rng(0)
    x = Tensor(rng.permutation(32).reshape(1, 2, 4, 4) * 0.1, dtype="float64",
               requires_grad=True)
    window = Window2d((2, 2), (1, 1))

    def double_backward(g: Tensor) -> Tensor:
        with enable_grad():
            leaf = Tensor(x.data, dtype="float64", requires_grad=True)
            y = MaxPool2d.apply(leaf, window=window)
            y.backward(g, create_graph=True)
            return leaf.grad

    gradcheck(double_backward, randn(1, 2, 3, 3))


def test_pooling_layout_is_only_strides():
    # results are (N, C, H, W) views of (C, H, W, N) memory; values are what they seem
    x = Tensor(np.arange(2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4))
    y = MaxPool2d.apply(x, window=Window2d((2, 2), (2, 2)))
    assert y.shape == (2, 3, 2, 2)
    np.testing.assert_array_equal(
        y.numpy(), x.numpy().reshape(2, 3, 2, 2, 2, 2).max(axis=(3, 5)))
    assert np.ascontiguousarray(y.numpy()).flags.c_contiguous
