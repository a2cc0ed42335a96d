"""Properties of the neural-network ops that hold for every geometry (hypothesis; no
PyTorch needed): padding modes agree with numpy.pad, transposed convolution is the
adjoint of convolution, a grouped convolution is the convolutions of its groups,
pixel_unshuffle undoes pixel_shuffle, max_unpool puts the maxima back, one_hot and
argmax are inverses, and ceil_mode only ever adds a last window."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.nn import functional as F

NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _x(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def T(a: np.ndarray) -> Tensor:
    return Tensor(a, dtype="float64")


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(sorted(NUMPY_MODE)), st.integers(1, 3), st.integers(0, 4),
       st.lists(st.integers(0, 3), min_size=3, max_size=6), st.integers(0, 99))
def test_pad_modes_agree_with_numpy_pad(mode, k, batch, sizes, seed):
    """numpy.pad's reflect/edge/wrap are PyTorch's reflect/replicate/circular."""
    spatial = tuple(s + 4 for s in sizes[:k])
    pad = [p % (min(spatial) - 1 if mode == "reflect" else min(spatial) + 1)
           for p in (sizes * 2)[:2 * k]]
    x = _x(seed, (batch % 3 + 1, 2) + spatial)
    widths = [(0, 0), (0, 0)] + [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]
    expected = np.pad(x, widths, mode=NUMPY_MODE[mode])
    np.testing.assert_array_equal(F.pad(Tensor(x, dtype="float64"), pad, mode).numpy(),
                                  expected)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2),
       st.integers(1, 2), st.sampled_from([1, 2]), st.integers(0, 99))
def test_conv_transpose2d_is_the_adjoint_of_conv2d(k, s, size, p, d, g, seed):
    """⟨conv2d(x, W), y⟩ = ⟨x, conv_transpose2d(y, W)⟩ when the sizes correspond."""
    h = size + d * (k - 1) + 2
    assume(2 * p <= d * (k - 1) + h)
    x = _x(seed, (2, 2 * g, h, h + 1))
    w = _x(seed + 1, (2 * g, 2, k, k))
    y_shape = F.conv2d(T(x), T(w), stride=s, padding=p, dilation=d, groups=g).shape
    y = _x(seed + 2, y_shape)
    # the transposed conv of y must come back to x's size: output_padding makes up for
    # the rows that the strided conv2d dropped
    op = tuple((n + 2 * p - d * (k - 1) - 1) % s for n in x.shape[2:])
    a = (F.conv2d(T(x), T(w), stride=s, padding=p, dilation=d, groups=g)
         * T(y)).sum().item()
    back = F.conv_transpose2d(T(y), T(w), stride=s, padding=p, output_padding=op,
                              dilation=d, groups=g)
    assert back.shape == x.shape
    assert np.isclose(a, (T(x) * back).sum().item(), rtol=1e-9, atol=1e-9)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 99))
def test_grouped_conv_is_the_convs_of_its_groups(groups, k, seed):
    x = _x(seed, (2, 2 * groups, 6, 5))
    w = _x(seed + 1, (3 * groups, 2, k, k))
    out = F.conv2d(T(x), T(w), groups=groups, padding=1).numpy()
    parts = [F.conv2d(T(x[:, 2 * i:2 * i + 2]), T(w[3 * i:3 * i + 3]),
                      padding=1).numpy() for i in range(groups)]
    np.testing.assert_allclose(out, np.concatenate(parts, axis=1), rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 99))
def test_pixel_unshuffle_undoes_pixel_shuffle(r, h, w, seed):
    x = _x(seed, (2, 3 * r * r, h, w))
    y = F.pixel_shuffle(T(x), r)
    assert y.shape == (2, 3, h * r, w * r)
    np.testing.assert_array_equal(F.pixel_unshuffle(y, r).numpy(), x)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(2, 9), st.integers(0, 99))
def test_max_unpool_puts_each_maximum_back(k, s, size, seed):
    assume(size >= k)
    x = _x(seed, (2, 3, size, size + 1))
    out, idx = F.max_pool2d(T(x), k, s, return_indices=True)
    back = F.max_unpool2d(out, idx, k, s, output_size=x.shape[2:]).numpy()
    flat, i = x.reshape(6, -1), idx.numpy().reshape(6, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, i, 1), out.numpy().reshape(6, -1))
    np.testing.assert_array_equal(np.take_along_axis(back.reshape(6, -1), i, 1),
                                  out.numpy().reshape(6, -1))
    assert np.count_nonzero(back) <= out.size


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=1, max_size=20))
def test_one_hot_and_argmax_are_inverses(labels):
    y = Tensor(np.array(labels, dtype=np.int64))
    onehot = F.one_hot(y)
    assert onehot.shape == (len(labels), max(labels) + 1)
    np.testing.assert_array_equal(onehot.numpy().argmax(1), labels)
    np.testing.assert_array_equal(onehot.numpy().sum(1), np.ones(len(labels)))


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(4, 11),
       st.integers(0, 99))
def test_ceil_mode_only_adds_a_last_window(k, s, p, size, seed):
    assume(2 * p <= k)
    x = T(_x(seed, (1, 2, size, size)))
    floor = F.max_pool2d(x, k, s, p).numpy()
    ceil = F.max_pool2d(x, k, s, p, ceil_mode=True).numpy()
    assert ceil.shape[-1] - floor.shape[-1] in (0, 1)
    np.testing.assert_array_equal(ceil[..., :floor.shape[-2], :floor.shape[-1]], floor)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 6), st.integers(2, 5), st.floats(0.0, 1.0), st.integers(0, 99))
def test_cross_entropy_is_nll_of_log_softmax_with_weights_and_ignored_targets(n, c, eps,
                                                                             seed):
    """cross_entropy(x, y, w) = nll_loss(log_softmax(x), y, w) without smoothing, and with
    smoothing ε it is (1 − ε)·that + ε·(the smoothing term), both as weighted means."""
    rng = np.random.default_rng(seed)
    x = T(rng.standard_normal((n, c)) * 3)
    y = rng.integers(0, c, n)
    y[rng.random(n) < 0.3] = -100
    w = T(rng.uniform(0.1, 2.0, c))
    plain = F.cross_entropy(x, y, w).item()
    nll = F.nll_loss(x.log_softmax(1), y, w).item()
    assert np.isclose(plain, nll, equal_nan=True)
    valid = y != -100
    if valid.any():
        wy = w.numpy()[y[valid]].sum()
        smooth = -(x.log_softmax(1).numpy()[valid] * w.numpy()).sum() / c / wy
        expected = (1 - eps) * nll + eps * smooth
        assert np.isclose(F.cross_entropy(x, y, w, label_smoothing=eps).item(), expected)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 3.0), st.integers(0, 99))
def test_smooth_l1_is_huber_over_beta(beta, seed):
    rng = np.random.default_rng(seed)
    a, b = T(rng.standard_normal((3, 4)) * 2), T(rng.standard_normal((3, 4)))
    assert np.isclose(F.smooth_l1_loss(a, b, beta=beta).item() * beta,
                      F.huber_loss(a, b, delta=beta).item())
