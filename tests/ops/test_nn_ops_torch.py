"""Neural-network ops against PyTorch (the oracle; skipped without torch): convolution
(1-D, 2-D, groups, dilation, transposed), pooling (ceil_mode, return_indices, unpooling,
count_include_pad, divisor_override, adaptive max/avg), padding modes, interpolate,
pixel_shuffle, group_norm and one_hot.

Each case runs the same call on both libraries with the same float64 inputs and compares
the outputs and the gradients of L = Σ out · w for a fixed random w (so every output
element and its position matter). ``gradcheck`` cases check our backward against
central differences independently of PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the nn ops")
import torch.nn.functional as TF  # noqa: E402

from tinygrad_edu import Tensor, nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.testing import gradcheck  # noqa: E402

pytestmark = pytest.mark.torch
TOL = {"rtol": 1e-7, "atol": 1e-9}


def _rand(shape: tuple[int, ...], seed: int, distinct: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if distinct:  # no ties (max pooling gives a tie's gradient to one of them)
        n = int(np.prod(shape))
        return (rng.permutation(n) / max(n, 1) * 4 - 2).reshape(shape)
    return rng.standard_normal(shape)


def _outs(out: Any) -> tuple[Any, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def check(ours: Callable[..., Any], theirs: Callable[..., Any], *arrays: np.ndarray,
          grad: list[bool] | None = None, tol: dict[str, float] | None = None) -> None:
    """Same inputs (float64) through both; compare outputs (values, shapes, dtypes) and
    the gradients of every float input."""
    tol = tol or TOL
    grad = grad if grad is not None else [a.dtype.kind == "f" for a in arrays]
    ts = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grad, strict=True)]
    os = [Tensor(a, dtype=a.dtype, requires_grad=g) for a, g in zip(arrays, grad, strict=True)]
    out_t, out_o = _outs(theirs(*ts)), _outs(ours(*os))
    assert len(out_t) == len(out_o)
    for a, b in zip(out_o, out_t, strict=True):
        e = b.detach().numpy()
        assert a.shape == e.shape, f"shape {a.shape} vs {e.shape}"
        assert a.dtype == e.dtype, f"dtype {a.dtype} vs {e.dtype}"
        np.testing.assert_allclose(a.numpy(), e, **tol, err_msg="forward differs")
    if not any(grad):
        return
    lt, lo = 0, None
    for k, (a, b) in enumerate(zip(out_o, out_t, strict=True)):
        if not b.dtype.is_floating_point or b.numel() == 0:
            continue
        w = np.random.default_rng(100 + k).uniform(0.5, 1.5, b.shape)
        lt = lt + (b * torch.tensor(w)).sum()
        term = (a * Tensor(w, dtype="float64")).sum()
        lo = term if lo is None else lo + term
    if lo is None:
        return
    lt.backward()
    lo.backward()
    for k, (a, b) in enumerate(zip(os, ts, strict=True)):
        if not grad[k]:
            continue
        expected = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
        got = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        np.testing.assert_allclose(got, expected, **tol, err_msg=f"gradient of input {k}")


def t64(a: np.ndarray) -> Tensor:
    return Tensor(a, dtype="float64", requires_grad=True)


# ---- convolution ----------------------------------------------------------------------------

CONV2D = [  # (x shape, w shape, options)
    ((2, 4, 7, 6), (6, 2, 3, 3), {"groups": 2}),
    ((2, 4, 7, 6), (4, 1, 3, 2), {"groups": 4, "stride": 2, "padding": 1}),
    ((1, 3, 9, 8), (2, 3, 3, 3), {"dilation": 2}),
    ((1, 6, 9, 8), (6, 2, 2, 3), {"dilation": (2, 1), "groups": 3, "stride": (1, 2),
                                  "padding": (1, 2)}),
    ((2, 2, 5, 5), (4, 2, 2, 2), {"padding": "same"}),
    ((2, 4, 6, 5), (4, 2, 3, 2), {"padding": "same", "groups": 2, "dilation": 2}),
    ((3, 5, 5), (2, 3, 3, 3), {"padding": "valid"}),
    ((0, 2, 5, 5), (3, 2, 3, 3), {}),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("xs,ws,kw", CONV2D)
def test_conv2d_groups_dilation(xs, ws, kw):
    x, w, b = _rand(xs, 0), _rand(ws, 1), _rand(ws[:1], 2)
    check(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
          x, w, b)


CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 4, 9), (6, 2, 3), {"groups": 2, "stride": 2, "padding": 1, "dilation": 2}),
    ((4, 10), (2, 4, 4), {"padding": "same"}),
    ((1, 2, 7), (2, 1, 2), {"groups": 2, "padding": (1,), "stride": (3,)}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV1D)
def test_conv1d(xs, ws, kw):
    x, w, b = _rand(xs, 0), _rand(ws, 1), _rand(ws[:1], 2)
    check(lambda x, w, b: F.conv1d(x, w, b, **kw), lambda x, w, b: TF.conv1d(x, w, b, **kw),
          x, w, b)


CONVT2D = [
    ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    ((2, 4, 4, 3), (4, 3, 3, 2), {"stride": 2, "padding": 1, "output_padding": 1,
                                  "groups": 2}),
    ((1, 2, 3, 3), (2, 2, 2, 2), {"stride": 2}),
    ((1, 2, 3, 3), (2, 2, 2, 2), {"stride": 2, "output_padding": (1, 0)}),
    ((1, 2, 4, 4), (2, 1, 3, 3), {"dilation": 2, "padding": 2, "stride": (2, 1)}),
    ((2, 5, 5), (2, 3, 3, 3), {"padding": (1, 0)}),
    ((1, 2, 3, 4), (2, 2, 3, 3), {"dilation": 3, "output_padding": (2, 1), "padding": 1}),
]


@pytest.mark.parametrize("xs,ws,kw", CONVT2D)
def test_conv_transpose2d(xs, ws, kw):
    groups = kw.get("groups", 1)
    x, w, b = _rand(xs, 0), _rand(ws, 1), _rand((ws[1] * groups,), 2)
    check(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
          lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw), x, w, b)


def test_conv_transpose1d():
    x, w, b = _rand((2, 4, 6), 0), _rand((4, 1, 3), 1), _rand((2,), 2)
    kw = {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}
    check(lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
          lambda x, w, b: TF.conv_transpose1d(x, w, b, **kw), x, w, b)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    # <conv2d(x, W), y> = <x, conv_transpose2d(y, W)> for every x, y
    x, w, y = _rand((2, 4, 7, 7), 0), _rand((6, 2, 3, 3), 1), _rand((2, 6, 3, 3), 2)
    a = (F.conv2d(Tensor(x), Tensor(w), stride=2, groups=2) * Tensor(y)).sum().item()
    b = (Tensor(x) * F.conv_transpose2d(Tensor(y), Tensor(w), stride=2, groups=2)).sum().item()
    assert a == pytest.approx(b, rel=1e-6)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_conv_layers_padding_mode(mode):
    ours = nn.Conv2d(4, 6, 3, padding=1, groups=2, padding_mode=mode, seed=0).double()
    theirs = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2, padding_mode=mode).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = _rand((2, 4, 5, 6), 3)
    np.testing.assert_allclose(ours(Tensor(x, dtype="float64")).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), **TOL)


@pytest.mark.parametrize("cls,shape", [("Conv1d", (2, 4, 9)), ("ConvTranspose1d", (2, 4, 9)),
                                       ("ConvTranspose2d", (2, 4, 5, 5))])
def test_conv_layers_match_torch(cls, shape):
    kw = {"stride": 2, "padding": 1, "groups": 2}
    ours = getattr(nn, cls)(4, 6, 3, **kw, seed=0).double()
    theirs = getattr(torch.nn, cls)(4, 6, 3, **kw).double()
    assert tuple(theirs.weight.shape) == ours.weight.shape
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = _rand(shape, 3)
    np.testing.assert_allclose(ours(Tensor(x, dtype="float64")).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), **TOL)


def test_conv_gradchecks():
    x, w = t64(_rand((1, 4, 5, 4), 0)), t64(_rand((4, 2, 2, 3), 1))
    gradcheck(lambda x, w: F.conv2d(x, w, groups=2, dilation=(2, 1), padding=1), x, w)
    gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2, groups=2, output_padding=1),
              x, t64(_rand((4, 1, 2, 2), 2)))
    gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), t64(_rand((2, 3, 6), 3)),
              t64(_rand((2, 3, 3), 4)))
    # output_padding ≥ stride (allowed below the dilation): Fold's backward drops the
    # window positions no column came from
    gradcheck(lambda x, w: F.conv_transpose2d(x, w, padding=1, output_padding=1, dilation=2),
              x, t64(_rand((4, 2, 2, 2), 5)))


def test_conv_errors_name_the_op():
    x = Tensor.zeros(1, 4, 5, 5)
    with pytest.raises(ValueError, match="conv2d.*divisible by groups"):
        F.conv2d(x, Tensor.zeros(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match="conv_transpose2d.*output_padding.*stride.*dilation"):
        F.conv_transpose2d(x, Tensor.zeros(4, 1, 3, 3), stride=2, output_padding=2)
    with pytest.raises(TypeError, match="conv2d.*dtype"):
        F.conv2d(x.double(), Tensor.zeros(1, 4, 3, 3))
    with pytest.raises(ValueError, match="conv1d.*3-D"):
        F.conv1d(Tensor.zeros(1, 4, 5), Tensor.zeros(1, 4, 3, 3))


# ---- pooling -----------------------------------------------------------------------------------

MAXPOOL = [
    ((2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ((2, 3, 7, 6), {"kernel_size": 2, "ceil_mode": True}),
    ((1, 2, 8, 9), {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1),
                    "ceil_mode": True}),
    ((1, 2, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2,
                    "ceil_mode": True}),
    ((2, 5, 5), {"kernel_size": 2, "stride": 1, "padding": 1}),
    ((1, 1, 4, 5), {"kernel_size": 3, "stride": 2, "dilation": 2, "ceil_mode": True}),
    ((1, 1, 5, 5), {"kernel_size": 1, "stride": 2}),
    ((0, 2, 4, 4), {"kernel_size": 2}),
]


@pytest.mark.parametrize("shape,kw", MAXPOOL)
def test_max_pool2d_ceil_mode_and_indices(shape, kw):
    x = _rand(shape, 0, distinct=True)
    check(lambda x: F.max_pool2d(x, **kw, return_indices=True),
          lambda x: TF.max_pool2d(x, **kw, return_indices=True), x)


@pytest.mark.parametrize("kw", [{"kernel_size": 3, "stride": 2, "ceil_mode": True},
                                {"kernel_size": 2, "padding": 1, "dilation": 2}])
def test_max_pool1d(kw):
    x = _rand((2, 3, 10), 0, distinct=True)
    check(lambda x: F.max_pool1d(x, **kw, return_indices=True),
          lambda x: TF.max_pool1d(x, **kw, return_indices=True), x)


def test_max_pool2d_ties_give_the_gradient_to_the_first():
    x = np.ones((1, 1, 4, 4))
    check(lambda x: F.max_pool2d(x, 3, 1, ceil_mode=True),
          lambda x: TF.max_pool2d(x, 3, 1, ceil_mode=True), x)


def test_max_pool2d_integers_with_padding():
    x = np.arange(-12, 13, dtype=np.int64).reshape(1, 1, 5, 5)
    out_t, idx_t = TF.max_pool2d(torch.tensor(x).float(), 3, 2, 1, return_indices=True)
    out, idx = F.max_pool2d(Tensor(x), 3, 2, 1, return_indices=True)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), out_t.numpy().astype(np.int64))
    np.testing.assert_array_equal(idx.numpy(), idx_t.numpy())
    u8 = F.max_pool2d(Tensor(np.arange(9, dtype=np.uint8).reshape(1, 3, 3)), 2, 1, 1)
    np.testing.assert_array_equal(u8.numpy()[0], [[0, 1, 2, 2], [3, 4, 5, 5], [6, 7, 8, 8],
                                                  [6, 7, 8, 8]])


@pytest.mark.parametrize("kw", [
    {"kernel_size": 3, "stride": 2, "padding": 1, "output_size": (7, 6)},
    {"kernel_size": 2, "stride": 2, "padding": 0, "output_size": None},
    {"kernel_size": 2, "stride": 2, "padding": 0, "output_size": (2, 3, 7, 6)},
    {"kernel_size": 2, "stride": 2, "padding": 0, "output_size": (7, 7)},
])
def test_max_unpool2d(kw):
    x = _rand((2, 3, 7, 6), 0, distinct=True)
    opts = {k: v for k, v in kw.items() if k != "output_size"}

    def run(F_, x):
        out, idx = F_.max_pool2d(x, opts["kernel_size"], opts["stride"], opts["padding"],
                                 return_indices=True)
        return F_.max_unpool2d(out, idx, **kw)

    check(lambda x: run(F, x), lambda x: run(TF, x), x)


def test_max_unpool1d_and_layers():
    x = _rand((2, 3, 8), 0, distinct=True)

    def run(nn_, x):
        out, idx = nn_.MaxPool1d(2, return_indices=True)(x)
        return nn_.MaxUnpool1d(2)(out, idx)

    check(lambda x: run(nn, x), lambda x: run(torch.nn, x), x)


AVGPOOL = [
    ((2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "ceil_mode": True}),
    ((2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
    ((2, 3, 7, 6), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                    "count_include_pad": False}),
    ((1, 2, 8, 9), {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1),
                    "count_include_pad": False}),
    ((1, 2, 8, 9), {"kernel_size": 3, "padding": 1, "divisor_override": 2}),
    ((2, 5, 5), {"kernel_size": 2, "stride": 1, "padding": 1, "ceil_mode": True,
                 "divisor_override": 3}),
    ((1, 1, 5, 5), {"kernel_size": 2}),
]


@pytest.mark.parametrize("shape,kw", AVGPOOL)
def test_avg_pool2d(shape, kw):
    check(lambda x: F.avg_pool2d(x, **kw), lambda x: TF.avg_pool2d(x, **kw), _rand(shape, 0))


def test_avg_pool1d():
    kw = {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
          "count_include_pad": False}
    check(lambda x: F.avg_pool1d(x, **kw), lambda x: TF.avg_pool1d(x, **kw),
          _rand((2, 3, 10), 0))


@pytest.mark.parametrize("shape,size", [((2, 3, 7, 6), (3, 4)), ((2, 3, 5, 5), 7),
                                        ((3, 10, 3), (4, None)), ((1, 2, 6, 6), 1),
                                        ((1, 1, 5, 7), (5, 2))])
def test_adaptive_max_pool2d(shape, size):
    x = _rand(shape, 0, distinct=True)
    check(lambda x: F.adaptive_max_pool2d(x, size, return_indices=True),
          lambda x: TF.adaptive_max_pool2d(x, size, return_indices=True), x)


@pytest.mark.parametrize("shape,size", [((2, 3, 7, 6), (3, 4)), ((2, 3, 5, 5), 7),
                                        ((3, 10, 3), (4, None))])
def test_adaptive_avg_pool2d(shape, size):
    check(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size),
          _rand(shape, 0))


def test_adaptive_pool1d():
    x = _rand((2, 3, 11), 0, distinct=True)
    check(lambda x: F.adaptive_max_pool1d(x, 4, return_indices=True),
          lambda x: TF.adaptive_max_pool1d(x, 4, return_indices=True), x)
    check(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), x)


def test_adaptive_max_pool_ties_and_nan():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 1, 1] = np.nan
    out_t = TF.adaptive_max_pool2d(torch.tensor(x), 2)
    np.testing.assert_array_equal(F.adaptive_max_pool2d(Tensor(x), 2).numpy(), out_t.numpy())
    check(lambda x: F.adaptive_max_pool2d(x, 3), lambda x: TF.adaptive_max_pool2d(x, 3),
          np.ones((1, 2, 5, 4)))


def test_pool_gradchecks():
    x = t64(_rand((1, 2, 7, 6), 0, distinct=True))
    gradcheck(lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), x)
    gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), x)
    gradcheck(lambda x: F.adaptive_max_pool2d(x, (4, 5)), x)
    out, idx = F.max_pool2d(x.detach(), 2, return_indices=True)
    gradcheck(lambda o: F.max_unpool2d(o, idx, 2), t64(out.numpy()))


def test_pool_layers_match_torch():
    x = _rand((2, 3, 9, 8), 0, distinct=True)
    pairs = [
        (nn.MaxPool2d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True)),
        (nn.AvgPool2d(3, 2, 1, True, False, 5), torch.nn.AvgPool2d(3, 2, 1, True, False, 5)),
        (nn.AdaptiveMaxPool2d((2, 3)), torch.nn.AdaptiveMaxPool2d((2, 3))),
        (nn.AdaptiveAvgPool1d(3), torch.nn.AdaptiveAvgPool1d(3)),
        (nn.AdaptiveMaxPool1d(3), torch.nn.AdaptiveMaxPool1d(3)),
        (nn.AvgPool1d(3, 2, 1, True, False), torch.nn.AvgPool1d(3, 2, 1, True, False)),
    ]
    for ours, theirs in pairs:
        xx = x[0] if "1d" in type(ours).__name__ else x
        check(ours, theirs, xx)


def test_pool_errors_name_the_op():
    with pytest.raises(ValueError, match="max_unpool2d.*indices"):
        F.max_unpool2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 2, 2), 2)
    idx = Tensor(np.full((1, 1, 2, 2), 99, dtype=np.int64))
    with pytest.raises(ValueError, match="max_unpool2d.*outside"):
        F.max_unpool2d(Tensor.zeros(1, 1, 2, 2), idx, 2)
    with pytest.raises(ValueError, match="avg_pool2d.*divisor_override"):
        F.avg_pool2d(Tensor.zeros(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(ValueError, match="adaptive_max_pool2d.*positive"):
        F.adaptive_max_pool2d(Tensor.zeros(1, 1, 4, 4), 0)


# ---- padding ---------------------------------------------------------------------------------

PADS = [
    ("reflect", (2, 3, 5), (2, 1)),
    ("reflect", (2, 4, 5, 6), (1, 2, 3, 0)),
    ("reflect", (4, 5, 6), (-1, 2, 3, -2)),
    ("reflect", (1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)),
    ("replicate", (2, 3, 5), (4, 1)),
    ("replicate", (2, 4, 5, 6), (1, 7, 3, 0)),
    ("replicate", (1, 2, 3, 4, 5), (-1, 1, 2, 5, 1, 2)),
    ("circular", (2, 3, 5), (5, 1)),
    ("circular", (2, 4, 5, 6), (1, 2, 3, 0)),
    ("circular", (3, 5, 6), (-1, 2, 3, -2)),
    ("circular", (1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2)),
    ("constant", (2, 3, 5), (-1, 2, 0, -2)),
    ("constant", (3, 4), (1, 2, 3, 4)),
    ("constant", (0, 3, 4), (1, 1)),
]


@pytest.mark.parametrize("mode,shape,pad", PADS)
def test_pad_modes(mode, shape, pad):
    check(lambda x: F.pad(x, pad, mode), lambda x: TF.pad(x, pad, mode), _rand(shape, 0))


def test_pad_value_and_layers():
    x = _rand((2, 3, 4, 5), 0)
    check(lambda x: F.pad(x, (1, 2), value=-3.5), lambda x: TF.pad(x, (1, 2), value=-3.5), x)
    for name, args in [("ReflectionPad2d", ((1, 2, 0, 3),)), ("ReplicationPad1d", (3,)),
                       ("CircularPad2d", (2,)), ("ConstantPad2d", (1, 2.5)),
                       ("ZeroPad1d", ((1, 0),)), ("ReflectionPad3d", (1,)),
                       ("ReplicationPad3d", ((1, 0, 2, 1, 0, 1),))]:
        xx = x if "1d" not in name else x[0]
        xx = xx[None] if "3d" in name else xx
        check(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), xx)


def test_pad_gradcheck_and_errors():
    x = t64(_rand((1, 2, 4, 3), 0))
    for mode in ("reflect", "replicate", "circular"):
        gradcheck(lambda t, mode=mode: F.pad(t, (2, 1, 1, 3), mode), x)
    with pytest.raises(ValueError, match="reflect.*smaller than"):
        F.pad(x[0], (3, 0), "reflect")
    with pytest.raises(ValueError, match="circular.*more than once"):
        F.pad(x[0], (4, 0), "circular")
    with pytest.raises(NotImplementedError, match="reflect.*2-D or 3-D"):
        F.pad(x, (1, 1), "reflect")
    with pytest.raises(ValueError, match="does not take a value"):
        F.pad(x, (1, 1, 1, 1), "reflect", value=2.0)
    with pytest.raises(ValueError, match="mode must be one of"):
        F.pad(x, (1, 1), "symmetric")


# ---- interpolate ---------------------------------------------------------------------------

INTERP = [
    ((2, 3, 5, 4), {"size": (7, 9), "mode": "nearest"}),
    ((2, 3, 5, 4), {"size": (3, 2), "mode": "nearest"}),
    ((2, 3, 5, 4), {"scale_factor": 2, "mode": "nearest"}),
    ((2, 3, 5, 4), {"scale_factor": (1.7, 0.6), "mode": "nearest"}),
    ((2, 3, 5, 4), {"scale_factor": 1.5, "mode": "nearest", "recompute_scale_factor": True}),
    ((2, 3, 5, 4), {"size": (7, 9), "mode": "nearest-exact"}),
    ((2, 3, 5, 4), {"scale_factor": 2.3, "mode": "nearest-exact"}),
    ((2, 3, 5, 4), {"size": (7, 9), "mode": "bilinear"}),
    ((2, 3, 5, 4), {"size": (7, 9), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 5, 4), {"size": (3, 1), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 5, 4), {"size": (2, 3), "mode": "bilinear", "align_corners": False}),
    ((2, 3, 5, 4), {"scale_factor": 1.6, "mode": "bilinear"}),
    ((2, 3, 5, 4), {"scale_factor": (2, 0.5), "mode": "bilinear", "align_corners": True}),
    ((2, 3, 5, 4), {"scale_factor": 1.6, "mode": "bilinear", "recompute_scale_factor": True}),
    ((2, 3, 7), {"size": 12, "mode": "linear"}),
    ((2, 3, 7), {"scale_factor": 0.7, "mode": "linear", "align_corners": True}),
    ((2, 3, 7), {"scale_factor": 3, "mode": "nearest"}),
    ((1, 2, 3, 4, 5), {"size": (4, 3, 7), "mode": "trilinear"}),
    ((1, 2, 3, 4, 5), {"scale_factor": 2, "mode": "nearest"}),
    ((2, 3, 6, 5), {"size": (4, 3), "mode": "area"}),
    ((2, 3, 7), {"size": 3, "mode": "area"}),
    ((0, 3, 5, 4), {"size": (7, 9), "mode": "bilinear"}),
    ((2, 3, 5, 4), {"size": (7, 9), "mode": "bicubic"}),
    ((2, 3, 5, 4), {"size": (3, 2), "mode": "bicubic", "align_corners": True}),
    ((2, 3, 5, 4), {"scale_factor": (1.01, 2.5), "mode": "bicubic"}),
]


@pytest.mark.parametrize("shape,kw", INTERP)
def test_interpolate(shape, kw):
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw), _rand(shape, 0))


def test_interpolate_float32_picks_the_same_pixels():
    x = _rand((1, 1, 13, 17), 0).astype(np.float32)
    for kw in [{"size": (29, 31)}, {"scale_factor": 1.3}, {"size": (5, 3)},
               {"size": (29, 31), "mode": "bilinear"}, {"scale_factor": 0.3, "mode": "bilinear"}]:
        np.testing.assert_allclose(F.interpolate(Tensor(x), **kw).numpy(),
                                   TF.interpolate(torch.tensor(x), **kw).numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_upsample_layers():
    x = _rand((2, 3, 4, 5), 0)
    check(nn.Upsample(scale_factor=2, mode="bilinear"),
          torch.nn.Upsample(scale_factor=2, mode="bilinear"), x)
    check(nn.UpsamplingNearest2d(size=(6, 7)), torch.nn.UpsamplingNearest2d(size=(6, 7)), x)
    check(nn.UpsamplingBilinear2d(scale_factor=3), torch.nn.UpsamplingBilinear2d(scale_factor=3),
          x)


def test_interpolate_gradcheck_and_errors():
    x = t64(_rand((1, 2, 4, 3), 0))
    gradcheck(lambda x: F.interpolate(x, size=(5, 7), mode="bilinear"), x)
    gradcheck(lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True),
              x)
    gradcheck(lambda x: F.interpolate(x, size=(7, 2)), x)
    gradcheck(lambda x: F.interpolate(x, size=(3, 5), mode="bicubic"), x)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4-D"):
        F.interpolate(x[0], size=3, mode="bilinear")
    with pytest.raises(ValueError, match="size must be 2"):
        F.interpolate(x, size=(1, 2, 3))


# ---- pixel_shuffle, group_norm, one_hot ----------------------------------------------------


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((9, 2, 3), 3), ((2, 1, 4, 3, 2), 1),
                                     ((1, 2, 18, 2, 3), 3)])
def test_pixel_shuffle_and_unshuffle(shape, r):
    x = _rand(shape, 0)
    check(lambda x: F.pixel_shuffle(x, r), lambda x: TF.pixel_shuffle(x, r), x)
    y = _rand(shape[:-3] + (shape[-3] // (r * r), shape[-2] * r, shape[-1] * r), 1)
    check(lambda y: F.pixel_unshuffle(y, r), lambda y: TF.pixel_unshuffle(y, r), y)
    check(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), x)
    check(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), y)


def test_pixel_shuffle_errors():
    with pytest.raises(ValueError, match="pixel_shuffle.*divisible by r² = 4"):
        F.pixel_shuffle(Tensor.zeros(1, 6, 2, 2), 2)
    with pytest.raises(ValueError, match="pixel_unshuffle.*divisible by r = 2"):
        F.pixel_unshuffle(Tensor.zeros(1, 6, 3, 2), 2)


@pytest.mark.parametrize("shape,groups,affine", [((2, 6, 4, 3), 3, True), ((2, 6, 4, 3), 1, False),
                                                 ((3, 4), 4, True), ((2, 4, 5), 2, True),
                                                 ((1, 6, 2, 2, 2), 6, True)])
def test_group_norm(shape, groups, affine):
    c = shape[1]
    x = _rand(shape, 0) * 3 + 1
    w, b = _rand((c,), 1), _rand((c,), 2)
    if affine:
        check(lambda x, w, b: F.group_norm(x, groups, w, b, 1e-3),
              lambda x, w, b: TF.group_norm(x, groups, w, b, 1e-3), x, w, b)
    else:
        check(lambda x: F.group_norm(x, groups), lambda x: TF.group_norm(x, groups), x)


def test_group_norm_layer_and_gradcheck():
    x = _rand((2, 6, 3, 3), 0)
    ours, theirs = nn.GroupNorm(2, 6).double(), torch.nn.GroupNorm(2, 6).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(_rand((6,), 1)))
        theirs.bias.copy_(torch.tensor(_rand((6,), 2)))
    ours.weight.data[...] = theirs.weight.detach().numpy()
    ours.bias.data[...] = theirs.bias.detach().numpy()
    check(ours, theirs, x)
    gradcheck(lambda x, w, b: F.group_norm(x, 3, w, b), t64(_rand((2, 6, 2, 2), 3)),
              t64(_rand((6,), 4)), t64(_rand((6,), 5)))
    with pytest.raises(ValueError, match="group_norm.*num_groups"):
        F.group_norm(Tensor.zeros(2, 6, 3), 4)
    with pytest.raises(ValueError, match="GroupNorm"):
        nn.GroupNorm(4, 6)


@pytest.mark.parametrize("values,num_classes", [([3, 0, 1], -1), ([[1, 2], [0, 1]], 5),
                                                ([], 3), (2, -1), ([[0]], 1)])
def test_one_hot(values, num_classes):
    a = np.asarray(values, dtype=np.int64)
    ours = F.one_hot(Tensor(a), num_classes)
    theirs = TF.one_hot(torch.tensor(a), num_classes).numpy()
    assert ours.dtype == np.int64 and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.numpy(), theirs)


def test_one_hot_errors():
    with pytest.raises(TypeError, match="one_hot: needs an integer"):
        F.one_hot(Tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="smaller than num_classes = 2"):
        F.one_hot(Tensor([0, 2]), 2)
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(Tensor([0, -1]), 3)
    with pytest.raises(ValueError, match="empty"):
        F.one_hot(Tensor(np.zeros(0, dtype=np.int64)))


# ---- float32: the same ops keep float32 (values and gradients) ---------------------------

F32 = [  # (name, ours, theirs, input shapes)
    ("conv1d", lambda x, w: F.conv1d(x, w, groups=2, padding=1),
     lambda x, w: TF.conv1d(x, w, groups=2, padding=1), [(2, 4, 7), (4, 2, 3)]),
    ("conv2d", lambda x, w: F.conv2d(x, w, groups=2, dilation=2),
     lambda x, w: TF.conv2d(x, w, groups=2, dilation=2), [(2, 4, 7, 7), (4, 2, 2, 2)]),
    ("conv_transpose2d", lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
     lambda x, w: TF.conv_transpose2d(x, w, stride=2, output_padding=1),
     [(2, 4, 3, 3), (4, 2, 3, 3)]),
    ("conv_transpose2d_empty", lambda x, w: F.conv_transpose2d(x, w, stride=2),
     lambda x, w: TF.conv_transpose2d(x, w, stride=2), [(0, 4, 3, 3), (4, 2, 3, 3)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True),
     lambda x: TF.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 3, 8, 7)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, True, False),
     lambda x: TF.avg_pool2d(x, 3, 2, 1, True, False), [(2, 3, 8, 7)]),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 5)),
     lambda x: TF.adaptive_max_pool2d(x, (3, 5)), [(2, 3, 8, 7)]),
    ("pad_reflect", lambda x: F.pad(x, (2, 1, 1, 2), "reflect"),
     lambda x: TF.pad(x, (2, 1, 1, 2), "reflect"), [(2, 3, 4, 5)]),
    ("interpolate", lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
     lambda x: TF.interpolate(x, scale_factor=1.5, mode="bilinear"), [(2, 3, 4, 5)]),
    ("interpolate_bicubic", lambda x: F.interpolate(x, (7, 3), mode="bicubic"),
     lambda x: TF.interpolate(x, (7, 3), mode="bicubic"), [(2, 3, 4, 5)]),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
     [(2, 8, 3, 3)]),
    ("group_norm", lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), [(2, 4, 3, 3)]),
    ("kl_div", lambda x, p: F.kl_div(x, p.abs() + 0.1, reduction="batchmean"),
     lambda x, p: TF.kl_div(x, p.abs() + 0.1, reduction="batchmean"), [(3, 4), (3, 4)]),
    ("smooth_l1_loss", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
     lambda a, b: TF.smooth_l1_loss(a, b, beta=0.5), [(3, 4), (3, 4)]),
    ("cosine_embedding_loss", lambda a, b: F.cosine_embedding_loss(a, b, Tensor([1, -1, 1])),
     lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor([1, -1, 1])), [(3, 4), (3, 4)]),
    ("cross_entropy_weighted",
     lambda x: F.cross_entropy(x, Tensor([0, 2, 1]), Tensor([0.5, 1.0, 2.0]),
                               label_smoothing=0.1),
     lambda x: TF.cross_entropy(x, torch.tensor([0, 2, 1]), torch.tensor([0.5, 1.0, 2.0]),
                                label_smoothing=0.1), [(3, 3)]),
]


@pytest.mark.parametrize("name,ours,theirs,shapes", F32, ids=[c[0] for c in F32])
def test_float32(name, ours, theirs, shapes):
    arrays = [_rand(s, k, distinct=True).astype(np.float32) for k, s in enumerate(shapes)]
    check(ours, theirs, *arrays, tol={"rtol": 2e-5, "atol": 2e-5})


# ---- edge cases --------------------------------------------------------------------------


def test_max_pool2d_nan_wins_its_window():
    x = _rand((1, 2, 6, 6), 0, distinct=True)
    x[0, 0, 1, 1] = x[0, 1, 0, 3] = x[0, 1, 1, 2] = np.nan
    check(lambda x: F.max_pool2d(x, 2, return_indices=True),
          lambda x: TF.max_pool2d(x, 2, return_indices=True), x)


def test_adaptive_avg_pool2d_keeps_inf_in_its_bin():
    x = np.array([[[[1.0, np.inf, 3.0, 4.0], [0.0, 1.0, 2.0, 3.0]]]])
    for size in [(1, 3), (2, 2), (1, 1), (2, 3)]:
        np.testing.assert_array_equal(F.adaptive_avg_pool2d(Tensor(x), size).numpy(),
                                      TF.adaptive_avg_pool2d(torch.tensor(x), size).numpy())


def test_empty_batches():
    check(lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), np.zeros((0, 4, 3)))
    check(lambda x: F.adaptive_max_pool2d(x, 2), lambda x: TF.adaptive_max_pool2d(x, 2),
          np.zeros((0, 2, 4, 4)))
    check(lambda x: F.avg_pool2d(x, 2, ceil_mode=True), lambda x: TF.avg_pool2d(x, 2,
                                                                               ceil_mode=True),
          np.zeros((0, 2, 5, 5)))
    check(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2),
          np.zeros((0, 4, 2, 2)))


def test_interpolate_to_nothing_is_an_error():
    with pytest.raises(ValueError, match="interpolate: input and output sizes must be greater"):
        F.interpolate(Tensor.zeros(1, 1, 3, 3), scale_factor=0.2)


@pytest.mark.parametrize("kw", [{"scale_factor": (1.01, 2.0), "mode": "bilinear"},
                                {"scale_factor": (2.01, 1.3), "mode": "nearest"},
                                {"scale_factor": 1.01, "mode": "bilinear"}])
def test_interpolate_shortcuts_for_kept_and_doubled_sizes(kw):
    check(lambda x: F.interpolate(x, **kw), lambda x: TF.interpolate(x, **kw),
          _rand((1, 2, 3, 3), 0))


# ---- unfold / fold (im2col / col2im in PyTorch's layout) -------------------------------------

UNFOLD = [((2, 3, 6, 5), {"kernel_size": 3}),
          ((2, 3, 6, 5), {"kernel_size": (2, 3), "stride": 2, "padding": 1, "dilation": (2, 1)}),
          ((3, 5, 4), {"kernel_size": 2, "stride": (1, 2)})]


@pytest.mark.parametrize("shape,kw", UNFOLD)
def test_unfold_and_fold(shape, kw):
    check(lambda x: F.unfold(x, **kw), lambda x: TF.unfold(x, **kw), _rand(shape, 0))
    blocks = TF.unfold(torch.zeros(shape), **kw).shape
    size = shape[-2:]
    check(lambda y: F.fold(y, size, **kw), lambda y: TF.fold(y, size, **kw), _rand(blocks, 1))
    check(nn.Unfold(**kw), torch.nn.Unfold(**kw), _rand(shape, 2))
    check(nn.Fold(size, **kw), torch.nn.Fold(size, **kw), _rand(blocks, 3))


def test_fold_errors_and_gradcheck():
    with pytest.raises(ValueError, match="fold: expected input"):
        F.fold(Tensor.zeros(1, 8, 5), (4, 4), 2)
    gradcheck(lambda y: F.fold(y, (4, 5), 2, padding=1, stride=2), t64(_rand((2, 8, 9), 0)))


CONV3D = [((2, 2, 5, 4, 6), (3, 2, 2, 3, 2), {}),
          ((1, 4, 6, 5, 5), (4, 2, 3, 2, 3), {"stride": (2, 1, 2), "padding": (1, 0, 1),
                                              "dilation": (1, 2, 1), "groups": 2}),
          ((2, 3, 3, 3), (2, 2, 1, 2, 2), {"padding": 1}),
          ((0, 2, 3, 3, 3), (2, 2, 2, 2, 2), {}),
          ((1, 2, 5, 4, 4), (2, 2, 2, 3, 2), {"padding": "same", "dilation": (3, 1, 2)}),
          ((1, 2, 5, 4, 4), (2, 2, 2, 3, 2), {"padding": "valid"})]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("xs,ws,kw", CONV3D)
def test_conv3d(xs, ws, kw):
    x, w, b = _rand(xs, 0), _rand(ws, 1), _rand(ws[:1], 2)
    check(lambda x, w, b: F.conv3d(x, w, b, **kw), lambda x, w, b: TF.conv3d(x, w, b, **kw),
          x, w, b)


def test_conv3d_layer_and_gradcheck():
    ours = nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=1, groups=2, seed=0).double()
    theirs = torch.nn.Conv3d(2, 4, (2, 3, 2), stride=(1, 2, 1), padding=1, groups=2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    check(ours, theirs, _rand((2, 2, 4, 5, 3), 0))
    gradcheck(lambda x, w: F.conv3d(x, w, stride=2, padding=(1, 0, 1)),
              t64(_rand((1, 2, 4, 3, 4), 1)), t64(_rand((2, 2, 2, 2, 2), 2)))


POOL3D = [
    ((2, 2, 5, 6, 4), {"kernel_size": 2}),
    ((1, 2, 7, 6, 5), {"kernel_size": (3, 2, 3), "stride": (2, 1, 2), "padding": (1, 1, 0),
                       "ceil_mode": True}),
    ((2, 6, 5, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((0, 2, 4, 4, 4), {"kernel_size": 2}),
]


@pytest.mark.parametrize("shape,kw", POOL3D)
def test_max_pool3d(shape, kw):
    x = _rand(shape, 0, distinct=True)
    check(lambda x: F.max_pool3d(x, **kw, return_indices=True),
          lambda x: TF.max_pool3d(x, **kw, return_indices=True), x)
    check(lambda x: F.max_pool3d(x, **kw, dilation=(1, 2, 1)) if min(shape[-3:]) > 4 else
          F.max_pool3d(x, **kw),
          lambda x: TF.max_pool3d(x, **kw, dilation=(1, 2, 1)) if min(shape[-3:]) > 4 else
          TF.max_pool3d(x, **kw), x)


@pytest.mark.parametrize("shape,kw", POOL3D)
@pytest.mark.parametrize("extra", [{}, {"count_include_pad": False}, {"divisor_override": 5}])
def test_avg_pool3d(shape, kw, extra):
    check(lambda x: F.avg_pool3d(x, **kw, **extra), lambda x: TF.avg_pool3d(x, **kw, **extra),
          _rand(shape, 0))


def test_pool3d_layers_and_gradcheck():
    x = _rand((2, 2, 5, 4, 6), 0, distinct=True)
    check(nn.MaxPool3d(2, 1, 1, ceil_mode=True), torch.nn.MaxPool3d(2, 1, 1, ceil_mode=True), x)
    check(nn.AvgPool3d(3, 2, 1, count_include_pad=False),
          torch.nn.AvgPool3d(3, 2, 1, count_include_pad=False), x)
    gradcheck(lambda t: F.max_pool3d(t, 2, 1, 1), t64(x[:1]))
    gradcheck(lambda t: F.avg_pool3d(t, 3, 2, 1, ceil_mode=True), t64(x[:1]))


@pytest.mark.parametrize("shape,size", [((2, 2, 5, 6, 4), (2, 3, 3)), ((2, 4, 4, 4), 3),
                                        ((1, 2, 3, 5, 7), (None, 2, 7))])
def test_adaptive_pool3d(shape, size):
    x = _rand(shape, 0, distinct=True)
    check(lambda x: F.adaptive_max_pool3d(x, size, return_indices=True),
          lambda x: TF.adaptive_max_pool3d(x, size, return_indices=True), x)
    check(lambda x: F.adaptive_avg_pool3d(x, size), lambda x: TF.adaptive_avg_pool3d(x, size), x)
    check(nn.AdaptiveMaxPool3d(size), torch.nn.AdaptiveMaxPool3d(size), x)
    check(nn.AdaptiveAvgPool3d(size), torch.nn.AdaptiveAvgPool3d(size), x)


@pytest.mark.parametrize("shape,affine", [((2, 3, 5), True), ((2, 3, 4, 5), False),
                                          ((2, 3, 2, 3, 4), True)])
def test_instance_norm(shape, affine):
    c = shape[1]
    x, w, b = _rand(shape, 0) * 2 + 1, _rand((c,), 1), _rand((c,), 2)
    if affine:
        check(lambda x, w, b: F.instance_norm(x, weight=w, bias=b, eps=1e-3),
              lambda x, w, b: TF.instance_norm(x, weight=w, bias=b, eps=1e-3), x, w, b)
    else:
        check(lambda x: F.instance_norm(x), lambda x: TF.instance_norm(x), x)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_instance_norm_layers_track_running_stats(dims):
    name = f"InstanceNorm{dims}d"
    ours = getattr(nn, name)(3, affine=True, track_running_stats=True, momentum=0.3).double()
    theirs = getattr(torch.nn, name)(3, affine=True, track_running_stats=True,
                                     momentum=0.3).double()
    shape = (2, 3) + (4, 3, 2)[:dims]
    for seed in range(2):  # two training steps update the running statistics
        check(ours, theirs, _rand(shape, seed) * 2 + 1)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), **TOL)
    ours.eval()
    theirs.eval()
    check(ours, theirs, _rand(shape[1:], 5))  # unbatched, with the running statistics


CONVT3D = [((2, 2, 3, 4, 3), (2, 3, 2, 2, 3), {}),
           ((1, 4, 3, 3, 4), (4, 1, 3, 2, 2), {"stride": (2, 1, 2), "padding": (1, 0, 1),
                                               "output_padding": (1, 0, 1), "groups": 2}),
           ((2, 3, 2, 3), (2, 2, 2, 2, 2), {"dilation": (2, 1, 1), "stride": 3,
                                            "padding": (2, 1, 0), "output_padding": (1, 2, 0)}),
           ((0, 2, 3, 3, 3), (2, 2, 2, 2, 2), {"stride": 2})]


@pytest.mark.parametrize("xs,ws,kw", CONVT3D)
def test_conv_transpose3d(xs, ws, kw):
    groups = kw.get("groups", 1)
    x, w, b = _rand(xs, 0), _rand(ws, 1), _rand((ws[1] * groups,), 2)
    check(lambda x, w, b: F.conv_transpose3d(x, w, b, **kw),
          lambda x, w, b: TF.conv_transpose3d(x, w, b, **kw), x, w, b)


def test_conv_transpose3d_layer_and_gradcheck():
    ours = nn.ConvTranspose3d(2, 4, 2, stride=2, padding=1, groups=2, seed=0).double()
    theirs = torch.nn.ConvTranspose3d(2, 4, 2, stride=2, padding=1, groups=2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    check(ours, theirs, _rand((2, 2, 3, 2, 3), 0))
    gradcheck(lambda x, w: F.conv_transpose3d(x, w, stride=(2, 1, 2), output_padding=(1, 0, 1)),
              t64(_rand((1, 2, 2, 3, 2), 1)), t64(_rand((2, 1, 2, 2, 2), 2)))
