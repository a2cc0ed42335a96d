"""Layers: gradients (gradcheck in float64 under hypothesis, with respect to inputs and
parameters), shapes, configuration errors, train/eval behaviour."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, enable_grad, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import gradcheck

from .helpers import gradcheck_module, randn, t64

FEW = settings(max_examples=8, deadline=None)


# ---- Linear --------------------------------------------------------------------------


@FEW
@given(batch=st.sampled_from([(), (3,), (2, 3)]), fin=st.integers(1, 4), fout=st.integers(1, 4),
       bias=st.booleans(), seed=st.integers(0, 99))
def test_linear_gradcheck(batch, fin, fout, bias, seed):
    layer = nn.Linear(fin, fout, bias=bias, seed=seed)
    gradcheck_module(layer, randn(*batch, fin, seed=seed))


def test_linear_shape_error_names_the_layer():
    # W19: the seed's SimpleCNN feeds 20 features into Linear(320, 50)
    layer = nn.Linear(320, 50)
    with pytest.raises(ValueError) as err:
        layer(Tensor.zeros(64, 20))
    assert str(err.value) == ("Linear(in_features=320, out_features=50) expected input "
                              "(..., 320), got (64, 20)")
    with pytest.raises(ValueError, match=r"linear with weight \(50, 320\) expected input"):
        F.linear(Tensor.zeros(64, 20), layer.weight)


def test_linear_default_init_bounds():
    layer = nn.Linear(100, 50, seed=0)
    bound = 1 / np.sqrt(100)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and layer.weight.shape == (50, 100)


# ---- Conv2d --------------------------------------------------------------------------

conv_configs = st.fixed_dictionaries({
    "n": st.integers(1, 2), "cin": st.integers(1, 2), "cout": st.integers(1, 3),
    "k": st.tuples(st.integers(1, 3), st.integers(1, 3)),
    "stride": st.sampled_from([1, 2, (1, 2)]), "padding": st.sampled_from([0, 1, (2, 1)]),
    "dilation": st.sampled_from([1, 2]), "bias": st.booleans(),
    "h": st.integers(3, 6), "w": st.integers(3, 6), "seed": st.integers(0, 99)})


@settings(max_examples=12, deadline=None)
@given(conv_configs)
def test_conv2d_gradcheck(cfg):
    layer = nn.Conv2d(cfg["cin"], cfg["cout"], cfg["k"], cfg["stride"], cfg["padding"],
                      cfg["dilation"], bias=cfg["bias"], seed=cfg["seed"])
    x = randn(cfg["n"], cfg["cin"], cfg["h"], cfg["w"], seed=cfg["seed"])
    try:
        layer.double()(x)
    except ValueError as e:  # kernel larger than the padded input: an error, checked below
        assert "smaller than the kernel" in str(e)
        return
    gradcheck_module(layer, x)


def test_conv2d_output_shapes_and_single_images():
    x = Tensor.zeros(2, 3, 32, 32)
    assert nn.Conv2d(3, 6, 5)(x).shape == (2, 6, 28, 28)
    assert nn.Conv2d(3, 6, 3, stride=2, padding=1)(x).shape == (2, 6, 16, 16)
    assert nn.Conv2d(3, 6, 3, dilation=2)(x).shape == (2, 6, 28, 28)
    assert nn.Conv2d(3, 4, 4, padding="same")(x).shape == (2, 4, 32, 32)
    assert nn.Conv2d(3, 4, 5, padding="valid")(x).shape == (2, 4, 28, 28)
    assert nn.Conv2d(3, 6, 5)(Tensor.zeros(3, 32, 32)).shape == (6, 28, 28)


def test_conv2d_same_padding_even_kernel_gradcheck():
    gradcheck_module(nn.Conv2d(2, 2, (2, 3), padding="same", seed=0), randn(1, 2, 4, 5))


def test_conv2d_errors_name_the_layer():
    conv = nn.Conv2d(1, 10, 5)
    with pytest.raises(ValueError) as err:
        conv(Tensor.zeros(64, 3, 28, 28))
    assert str(err.value) == ("Conv2d(1, 10, kernel_size=(5, 5), stride=(1, 1)) expected input "
                              "(N, 1, H, W) or (1, H, W), got (64, 3, 28, 28) with 3 channels")
    with pytest.raises(ValueError, match=r"Conv2d\(1, 10, .*input of size 3×3 \(padded: 3×3\) is "
                                         r"smaller than the kernel 5×5"):
        conv(Tensor.zeros(2, 1, 3, 3))
    with pytest.raises(ValueError, match=r"expected input \(N, 1, H, W\).*got \(28, 28\)"):
        conv(Tensor.zeros(28, 28))
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(TypeError, match="kernel_size must be an int or a pair"):
        nn.Conv2d(1, 1, 2.5)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        nn.Conv2d(1, 1, 3, stride=0)


def test_conv2d_second_derivative():
    # Unfold's backward is Fold and Fold's backward is Unfold, so gradients of
    # gradients work: check d/dx of (∂L/∂W · v) numerically
    w, v = randn(2, 1, 2, 2, seed=1), randn(2, 1, 2, 2, seed=2, requires_grad=False)

    def grad_w_dot_v(x: Tensor) -> Tensor:
        with enable_grad():  # gradcheck's numerical pass runs under no_grad
            wl = Tensor(w.data, dtype="float64", requires_grad=True)
            y = F.conv2d(x, wl, stride=1, padding=1)
            (y * y).sum().backward(create_graph=True)
            x.grad = None  # that backward also reached x; keep only the outer gradient
            return (wl.grad * v).sum()

    gradcheck(grad_w_dot_v, randn(1, 1, 3, 3, seed=3))


# ---- pooling -------------------------------------------------------------------------

pool_configs = st.fixed_dictionaries({
    "k": st.sampled_from([1, 2, 3, (2, 3)]), "stride": st.sampled_from([None, 1, 2, (2, 1)]),
    "h": st.integers(3, 6), "w": st.integers(3, 6), "seed": st.integers(0, 99),
    "padding": st.sampled_from([0, 1])})


def _pool_input(cfg) -> Tensor:
    # distinct values spaced ≥ 0.1 apart: no ties, so max pooling is differentiable
    rng = np.random.default_rng(cfg["seed"])
    n = 2 * 2 * cfg["h"] * cfg["w"]
    return t64((rng.permutation(n) * 0.1 - n * 0.05).reshape(2, 2, cfg["h"], cfg["w"]))


@FEW
@given(pool_configs)
def test_max_pool_gradcheck(cfg):
    k = cfg["k"] if isinstance(cfg["k"], int) else cfg["k"]
    pad = cfg["padding"] if 2 * cfg["padding"] <= min(np.atleast_1d(k)) else 0
    layer = nn.MaxPool2d(k, cfg["stride"], pad)
    gradcheck(layer, _pool_input(cfg), eps=1e-4)


@FEW
@given(pool_configs, st.booleans())
def test_avg_pool_gradcheck(cfg, include_pad):
    pad = cfg["padding"] if 2 * cfg["padding"] <= min(np.atleast_1d(cfg["k"])) else 0
    layer = nn.AvgPool2d(cfg["k"], cfg["stride"], pad, count_include_pad=include_pad)
    gradcheck(layer, _pool_input(cfg))


def test_pool_values_by_hand():
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    assert F.max_pool2d(x, 2).numpy().ravel().tolist() == [5, 7, 13, 15]
    assert F.avg_pool2d(x, 2).numpy().ravel().tolist() == [2.5, 4.5, 10.5, 12.5]
    # 3×3 windows, stride 2, padding 1: border windows average fewer real pixels
    a = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False).numpy()[0, 0]
    assert a[0, 0] == pytest.approx(np.mean([0, 1, 4, 5]))
    b = F.avg_pool2d(x, 3, 2, 1).numpy()[0, 0]
    assert b[0, 0] == pytest.approx(np.sum([0, 1, 4, 5]) / 9)
    # an odd size: the last row/column that no window reaches gets no gradient
    x5 = Tensor(np.arange(25.0).reshape(1, 1, 5, 5), requires_grad=True)
    F.max_pool2d(x5, 2).sum().backward()
    assert x5.grad.numpy()[0, 0, 4].sum() == 0 and x5.grad.numpy()[0, 0, :, 4].sum() == 0


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = Tensor.zeros(1, 1, 2, 2, requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    assert x.grad.numpy().ravel().tolist() == [1, 0, 0, 0]  # PyTorch's choice


def test_pool_errors():
    with pytest.raises(ValueError, match="padding .* must be at most half the kernel size"):
        nn.MaxPool2d(2, padding=2)(Tensor.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=5.*smaller than the kernel"):
        nn.MaxPool2d(5)(Tensor.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match=r"AvgPool2d.*expected input \(N, C, H, W\)"):
        nn.AvgPool2d(2)(Tensor.zeros(4, 4))


@FEW
@given(h=st.integers(1, 7), w=st.integers(1, 7), oh=st.integers(1, 4), ow=st.integers(1, 4),
       seed=st.integers(0, 99))
def test_adaptive_avg_pool_gradcheck(h, w, oh, ow, seed):
    layer = nn.AdaptiveAvgPool2d((oh, ow))
    x = randn(2, 2, h, w, seed=seed)
    assert layer(x).shape == (2, 2, oh, ow)
    gradcheck(layer, x)


def test_adaptive_avg_pool_bins_match_pytorch_rule():
    x = Tensor(np.arange(5.0).reshape(1, 1, 1, 5))
    # bins [0,2), [1,4), [3,5) for 5 → 3
    out = F.adaptive_avg_pool2d(x, (1, 3)).numpy().ravel()
    assert out.tolist() == pytest.approx([0.5, 2.0, 3.5])
    assert F.adaptive_avg_pool2d(Tensor.ones(2, 3, 7, 5), 1).shape == (2, 3, 1, 1)
    assert F.adaptive_avg_pool2d(Tensor.ones(3, 6, 5), (None, 2)).shape == (3, 6, 2)


# ---- normalisation -------------------------------------------------------------------


@FEW
@given(shape=st.sampled_from([(4, 3), (3, 2, 4)]), affine=st.booleans(),
       training=st.booleans(), seed=st.integers(0, 99))
def test_batchnorm1d_gradcheck(shape, affine, training, seed):
    bn = nn.BatchNorm1d(shape[1], affine=affine)
    if affine:  # non-trivial γ, β
        bn.weight.data[...] = np.random.default_rng(seed).uniform(0.5, 1.5, shape[1])
        bn.bias.data[...] = np.random.default_rng(seed + 1).standard_normal(shape[1])
    bn.running_mean.data[...] = 0.3
    bn.running_var.data[...] = 1.7
    bn.train(training)
    gradcheck_module(bn, randn(*shape, seed=seed))


@FEW
@given(seed=st.integers(0, 99), training=st.booleans())
def test_batchnorm2d_gradcheck(seed, training):
    bn = nn.BatchNorm2d(2).train(training)
    bn.weight.data[...] = [0.5, 2.0]
    gradcheck_module(bn, randn(3, 2, 2, 3, seed=seed))


def test_batchnorm_running_statistics():
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, momentum=0.1)
    x = rng.standard_normal((8, 3, 4, 4)) * 2 + 5
    y = bn(Tensor(x)).numpy()
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    assert np.allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    assert np.allclose(bn.running_mean.numpy(), 0.1 * mean, rtol=1e-5)
    n = 8 * 16
    assert np.allclose(bn.running_var.numpy(), 0.9 + 0.1 * var * n / (n - 1), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1
    bn.eval()
    z = bn(Tensor(x)).numpy()
    expect = (x - bn.running_mean.numpy()[:, None, None]) / np.sqrt(
        bn.running_var.numpy()[:, None, None] + 1e-5)
    assert np.allclose(z, expect, atol=1e-4)
    assert bn.num_batches_tracked.item() == 1  # eval does not update
    cumulative = nn.BatchNorm1d(2, momentum=None)
    for k in range(3):
        cumulative(Tensor(np.full((4, 2), float(k)) + np.arange(4)[:, None]))
    assert np.allclose(cumulative.running_mean.numpy(), np.mean([1.5, 2.5, 3.5]))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3, .*expected input \(N, C, H, W\) with "
                                         r"C = 3, got \(2, 4, 5, 5\)"):
        nn.BatchNorm2d(3)(Tensor.zeros(2, 4, 5, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(Tensor.zeros(1, 3))
    nn.BatchNorm1d(3).eval()(Tensor.zeros(1, 3))  # fine in eval mode
    plain = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    assert list(plain.state_dict()) == []
    assert np.allclose(plain.eval()(Tensor([[1.0, 2.0], [3.0, 6.0]])).numpy(),
                       [[-1, -1], [1, 1]], atol=1e-4)  # batch statistics even in eval


# ---- dropout -------------------------------------------------------------------------


def test_dropout_is_seeded_scaled_and_off_in_eval():
    x = Tensor.ones(1000)
    a, b = nn.Dropout(0.3, seed=7), nn.Dropout(0.3, seed=7)
    ya, yb = a(x).numpy(), b(x).numpy()
    assert np.array_equal(ya, yb)
    assert set(np.unique(ya)) == {0.0, np.float32(1 / 0.7)}
    assert abs((ya == 0).mean() - 0.3) < 0.05
    assert not np.array_equal(a(x).numpy(), ya)  # the generator moves on
    a.eval()
    assert a(x) is x
    assert F.dropout(x, 1.0).numpy().sum() == 0 and F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_gradcheck():
    gradcheck(lambda x: F.dropout(x, 0.4, seed=3), randn(3, 4))


# ---- activations, flatten, padding ---------------------------------------------------

ACTIVATIONS = [nn.ReLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh(), nn.Softplus(),
               nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Identity(), nn.Flatten(),
               nn.ZeroPad2d((1, 0, 2, 1))]


@pytest.mark.parametrize("layer", ACTIVATIONS, ids=lambda m: type(m).__name__)
@FEW
@given(seed=st.integers(0, 999))
def test_elementwise_layers_gradcheck(layer, seed):
    x = randn(2, 3, 2, 2, seed=seed)
    if isinstance(layer, (nn.ReLU, nn.LeakyReLU)):  # keep away from the kink at 0
        x = t64(np.where(np.abs(x.numpy()) < 0.05, 0.5, x.numpy()))
    gradcheck(layer, x)


def test_activation_values():
    x = Tensor([-1000.0, -1.0, 0.0, 2.0, 1000.0])
    assert F.sigmoid(Tensor([2.0])).item() == pytest.approx(0.8808, abs=1e-4)  # W13
    assert F.softplus(x).numpy().tolist() == pytest.approx(
        [0.0, np.log1p(np.exp(-1)), np.log(2), 2 + np.log1p(np.exp(-2)), 1000.0])
    g = Tensor([0.0], requires_grad=True)
    F.softplus(g).backward()
    assert g.grad.item() == 0.5  # σ(0), not a subgradient of a kink
    assert F.leaky_relu(Tensor([-2.0, 3.0]), 0.1).numpy().tolist() == pytest.approx([-0.2, 3.0])
    assert nn.Flatten()(Tensor.zeros(2, 3, 4, 5)).shape == (2, 60)
    assert nn.Flatten(0, 1)(Tensor.zeros(2, 3, 4)).shape == (6, 4)


def test_pad_uses_pytorch_order():
    x = Tensor.ones(1, 1, 2, 3)
    assert F.pad(x, (1, 2)).shape == (1, 1, 2, 6)
    assert F.pad(x, (1, 2, 3, 0)).shape == (1, 1, 5, 6)
    y = F.pad(x, (0, 1, 1, 0), value=-1.0).numpy()[0, 0]
    assert y.tolist() == [[-1, -1, -1, -1], [1, 1, 1, -1], [1, 1, 1, -1]]
    with pytest.raises(ValueError, match="even number"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(NotImplementedError, match="constant"):
        F.pad(x, (1, 1), mode="reflect")


def test_linear_second_derivative():
    # the backward runs on arrays in an ordinary backward and on Tensors under
    # create_graph; check the second path: d/d(W, b) of (∂L/∂x · v)
    x = randn(3, 4, seed=1, requires_grad=False)
    v = randn(3, 4, seed=2, requires_grad=False)

    def grad_x_dot_v(w: Tensor, b: Tensor) -> Tensor:
        with enable_grad():
            saved = w.grad, b.grad  # the inner backward must not disturb gradcheck's
            xl = (x * 1.0).requires_grad_(True)
            y = F.linear(xl, w, b)
            (y * y).sum().backward(create_graph=True)
            w.grad, b.grad = saved
            return (xl.grad * v).sum()

    gradcheck(grad_x_dot_v, randn(2, 4, seed=3), randn(2, seed=4))
