"""Exact at the edges (issue 11): each case here was wrong once. Expected values are
PyTorch's (compared live when torch is installed, and written down as closed forms so
the tests also run without it).

Every test runs with ``warnings.simplefilter("error")``: a numpy RuntimeWarning leaking
from the backend (divide by zero, invalid value, overflow) fails it, since PyTorch is
silent on all of these inputs.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Function, Tensor, optim
from tinygrad_edu.data import DataLoader
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.train import predict

try:
    import torch
except ImportError:  # the closed-form halves of the tests still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is the optional oracle")


@pytest.fixture(autouse=True)
def _warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def torch_quietly(fn: Callable[[], Any]) -> Any:
    """Run a torch reference computation (torch's own UserWarnings are not ours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


def grads(out: Tensor, *inputs: Tensor) -> list[list[float]]:
    out.sum().backward()
    return [[] if t.grad is None else t.grad.numpy().ravel().tolist() for t in inputs]


# ---- x ** y at a zero base ------------------------------------------------------------

# exponent → (0 ** y, ∂/∂x, ∂/∂y), PyTorch's values
POW_AT_ZERO = {0.0: (1.0, 0.0, 0.0), 1.0: (0.0, 1.0, 0.0), 2.0: (0.0, 0.0, 0.0),
               3.0: (0.0, 0.0, 0.0), 0.3: (0.0, math.inf, 0.0)}


@pytest.mark.parametrize("e", list(POW_AT_ZERO))
@pytest.mark.parametrize("form", ["tensor ** tensor", "tensor ** number", "number ** tensor"])
def test_pow_at_a_zero_base(e: float, form: str) -> None:
    value, dx, dy = POW_AT_ZERO[e]
    x = Tensor([0.0, 0.0], dtype="float64", requires_grad=True)
    y = Tensor([e, e], dtype="float64", requires_grad=True)
    if form == "tensor ** tensor":
        z = x ** y
        gx, gy = grads(z, x, y)
    elif form == "tensor ** number":
        z = x ** e
        gx, gy = grads(z, x)[0], [dy, dy]
    else:
        z = 0.0 ** y
        gx, gy = [dx, dx], grads(z, y)[0]
    assert z.tolist() == [value, value]
    assert gx == [dx, dx] and gy == [dy, dy]


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("e", list(POW_AT_ZERO))
def test_pow_at_a_zero_base_matches_torch(e: float) -> None:
    tx = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    ty = torch.full((2,), e, dtype=torch.float64, requires_grad=True)
    (tx ** ty).sum().backward()
    assert POW_AT_ZERO[e] == (0.0 ** e if e else 1.0, tx.grad[0].item(), ty.grad[0].item())


def test_pow_of_negative_base_and_fractional_exponent_is_nan_quietly() -> None:
    assert math.isnan((Tensor([-8.0]) ** 0.5).item())
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x ** -1.0).sum().backward()  # 0⁻¹ = inf and its gradient −inf, silently
    assert x.grad is not None and x.grad.tolist()[0] == -math.inf


# ---- min and max on unsigned, most-negative and bool tensors ---------------------------


def test_min_of_unsigned_tensor() -> None:
    x = Tensor(np.array([[0, 1, 2], [3, 4, 5]], dtype=np.uint8))
    assert x.min().item() == 0 and x.min().dtype == np.uint8
    assert x.min(dim=1).tolist() == [0, 3] and x.max(dim=0).tolist() == [3, 4, 5]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64"])
def test_min_of_the_most_negative_integer(dtype: str) -> None:
    lo = int(np.iinfo(dtype).min)
    x = Tensor(np.array([lo, 0, 5], dtype=dtype), dtype=dtype)
    assert x.min().item() == lo and x.max().item() == 5 and x.min().dtype == np.dtype(dtype)


def test_min_max_of_bool() -> None:
    x = Tensor([[True, False], [True, True]])
    assert x.min().item() is False and x.max().item() is True
    assert x.min(dim=1).tolist() == [False, True] and x.min().dtype == np.bool_


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "bool"])
def test_min_max_match_torch(dtype: str) -> None:
    arr = np.array([[0, 1, 2], [3, 4, 5]]) if dtype != "bool" else \
        np.array([[True, False, True], [True, True, True]])
    if dtype in ("int32", "int64"):
        arr = arr.astype(dtype)
        arr[0, 1] = np.iinfo(dtype).min
    arr = arr.astype(dtype)
    x, t = Tensor(arr, dtype=dtype), torch.tensor(arr)
    for ours, theirs in ((x.min(), t.min()), (x.max(), t.max()),
                         (x.min(dim=1), t.amin(dim=1)), (x.max(dim=0), t.amax(dim=0))):
        assert ours.tolist() == theirs.tolist()
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


# ---- var and std -----------------------------------------------------------------------


def test_var_std_with_correction_at_least_n_are_inf() -> None:
    x = Tensor([1.0, 2.0])
    assert x.var(correction=2).item() == math.inf and x.std(correction=3).item() == math.inf
    assert math.isnan(Tensor([4.0, 4.0]).var(correction=2).item())  # 0/0, as PyTorch
    assert math.isnan(Tensor([1.0]).std().item())
    rows = Tensor([[1.0, 2.0], [3.0, 3.0]]).var(dim=1, correction=2).tolist()
    assert rows[0] == math.inf and math.isnan(rows[1])


@needs_torch
@pytest.mark.torch
def test_var_std_edges_match_torch() -> None:
    for vals, corr in (([1.0, 2.0], 2), ([1.0, 2.0], 3), ([4.0, 4.0], 2), ([1.0], 1),
                       ([1.0, 2.0, 4.0], 1)):
        ours = [Tensor(vals).var(correction=corr).item(), Tensor(vals).std(correction=corr).item()]
        theirs = torch_quietly(lambda v=vals, c=corr: [torch.tensor(v).var(correction=c).item(),
                                                       torch.tensor(v).std(correction=c).item()])
        np.testing.assert_array_equal(ours, theirs)


def test_gradient_of_std_of_equal_values_is_zero() -> None:
    x = Tensor([3.0, 3.0, 3.0], requires_grad=True)
    x.std().backward()
    assert x.grad is not None and x.grad.tolist() == [0.0, 0.0, 0.0]
    y = Tensor([[2.0, 2.0], [1.0, 3.0]], dtype="float64", requires_grad=True)
    y.std(dim=1).sum().backward()
    assert y.grad is not None
    np.testing.assert_allclose(y.grad.numpy(), [[0.0, 0.0], [-1 / math.sqrt(2), 1 / math.sqrt(2)]])


@needs_torch
@pytest.mark.torch
def test_gradient_of_std_of_equal_values_matches_torch() -> None:
    t = torch.tensor([[2.0, 2.0], [1.0, 3.0]], dtype=torch.float64, requires_grad=True)
    t.std(dim=1).sum().backward()
    y = Tensor([[2.0, 2.0], [1.0, 3.0]], dtype="float64", requires_grad=True)
    y.std(dim=1).sum().backward()
    assert y.grad is not None
    np.testing.assert_allclose(y.grad.numpy(), t.grad.numpy(), rtol=1e-12)


# ---- max_pool2d with padding on integers ----------------------------------------------


def test_max_pool2d_with_padding_on_integer_tensors() -> None:
    x = Tensor(np.arange(16).reshape(1, 1, 4, 4))
    out = F.max_pool2d(x, 2, padding=1)
    assert out.dtype == np.int64
    assert out.tolist() == [[[[0, 2, 3], [8, 10, 11], [12, 14, 15]]]]
    neg = Tensor(-np.arange(16, dtype=np.int32).reshape(1, 1, 4, 4), dtype="int32")
    assert F.max_pool2d(neg, 3, stride=1, padding=1).tolist()[0][0][0] == [0, 0, -1, -2]


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_max_pool2d_with_padding_on_integers_matches_torch(dtype: str) -> None:
    arr = np.random.default_rng(0).integers(-50 if dtype != "uint8" else 0, 100,
                                            size=(2, 3, 5, 6)).astype(dtype)
    for k, s, p in ((2, 2, 1), (3, 1, 1), (3, 2, 1)):
        ours = F.max_pool2d(Tensor(arr, dtype=dtype), k, stride=s, padding=p)
        theirs = torch.nn.functional.max_pool2d(torch.tensor(arr.astype(np.int64)), k, s, p)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# ---- sigmoid far out, and the losses built on it ---------------------------------------


def test_sigmoid_keeps_precision_far_out() -> None:
    np.testing.assert_allclose(Tensor([-20.0]).sigmoid().item(), 2.0611536224385579e-09,
                               rtol=1e-6)
    np.testing.assert_allclose(Tensor([-20.0], dtype="float64").sigmoid().item(),
                               1 / (1 + math.exp(20)), rtol=1e-14)
    assert Tensor([-20.0]).sigmoid().log().item() == pytest.approx(-20.0, rel=1e-6)
    assert Tensor([-80.0]).sigmoid().log().item() == pytest.approx(-80.0, rel=1e-6)
    assert F.logsigmoid(Tensor([-200.0])).item() == pytest.approx(-200.0)


def test_bce_of_sigmoid_at_minus_20() -> None:
    """σ(−20) = 2.06e-9, so the loss is −log σ(−20) = 20.0000 (not the clamp's 100) and its
    gradient is σ(−20) − 1 ≈ −1 (not 0)."""
    x = Tensor([-20.0], requires_grad=True)
    loss = F.binary_cross_entropy(x.sigmoid(), Tensor([1.0]))
    loss.backward()
    assert loss.item() == pytest.approx(20.0, rel=1e-6)
    assert x.grad is not None and x.grad.item() == pytest.approx(-1.0, rel=1e-6)


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("v", [-20.0, -25.0, -15.0, 0.0, 12.0])
def test_bce_of_sigmoid_matches_torch(v: float) -> None:
    """(Below about −27.6, p(1 − p) < 1e-12 and PyTorch's backward divides by the clamp
    1e-12 instead, so its gradient shrinks towards 0; ours stays the exact σ(x) − 1.)"""
    t = torch.tensor([v], requires_grad=True)
    tl = torch.nn.functional.binary_cross_entropy(torch.sigmoid(t), torch.tensor([1.0]))
    tl.backward()
    x = Tensor([v], requires_grad=True)
    loss = F.binary_cross_entropy(x.sigmoid(), Tensor([1.0]))
    loss.backward()
    assert x.grad is not None
    np.testing.assert_allclose([loss.item(), x.grad.item()], [tl.item(), t.grad.item()],
                               rtol=1e-5)
    np.testing.assert_allclose(x.sigmoid().log().item(), torch.sigmoid(t).log().item(),
                               rtol=1e-6)


def test_binary_cross_entropy_refuses_targets_outside_0_1() -> None:
    with pytest.raises(ValueError, match=r"binary_cross_entropy: target must hold "
                                         r"probabilities in \[0, 1\].*e\.g\. 2"):
        F.binary_cross_entropy(Tensor([0.5, 0.5]), Tensor([2.0, 1.0]))
    with pytest.raises(ValueError, match="binary_cross_entropy: target"):
        F.binary_cross_entropy(Tensor([0.5]), Tensor([-0.1]))
    with pytest.raises(ValueError, match="binary_cross_entropy: target"):
        nn.BCELoss()(Tensor([0.5]), Tensor([float("nan")]))
    assert F.binary_cross_entropy(Tensor([0.5]), Tensor([1.0])).item() > 0


# ---- cross_entropy: masked classes and ignored targets ---------------------------------


def test_cross_entropy_with_a_minus_inf_logit() -> None:
    """A class masked with −inf contributes e^−inf = 0: loss log(1 + e) − 0 = 1.3133."""
    x = Tensor([[0.0, -math.inf, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, Tensor([0]))
    loss.backward()
    assert loss.item() == pytest.approx(math.log(1 + math.e), rel=1e-6)
    p = 1 / (1 + math.e)
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), [[p - 1, 0.0, 1 - p]], rtol=1e-6)


@needs_torch
@pytest.mark.torch
def test_cross_entropy_with_minus_inf_logits_matches_torch() -> None:
    vals = [[0.0, -math.inf, 1.0], [-math.inf, 2.0, -1.0], [3.0, 0.5, -math.inf]]
    target = [0, 1, 1]
    t = torch.tensor(vals, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(t, torch.tensor(target))
    tl.backward()
    x = Tensor(vals, requires_grad=True)
    loss = F.cross_entropy(x, Tensor(target))
    loss.backward()
    assert x.grad is not None
    assert loss.item() == pytest.approx(tl.item(), rel=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_with_every_target_ignored(reduction: str) -> None:
    """PyTorch: the mean over no targets is NaN, the sum is 0 — and the gradient is 0."""
    x = Tensor([[0.0, 2.0, 1.0], [1.0, 1.0, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, Tensor([-100, -100]), reduction=reduction)
    loss.backward()
    assert math.isnan(loss.item()) if reduction == "mean" else loss.item() == 0.0
    assert x.grad is not None and x.grad.tolist() == [[0.0] * 3] * 2
    y = Tensor([[0.0, 2.0, 1.0]], requires_grad=True)
    nll = F.nll_loss(y.log_softmax(-1), Tensor([7]), ignore_index=7, reduction=reduction)
    nll.backward()
    assert y.grad is not None and not y.grad.numpy().any()


@needs_torch
@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_with_every_target_ignored_matches_torch(reduction: str) -> None:
    t = torch.tensor([[0.0, 2.0, 1.0]], requires_grad=True)
    tl = torch.nn.functional.cross_entropy(t, torch.tensor([-100]), reduction=reduction)
    tl.backward()
    x = Tensor([[0.0, 2.0, 1.0]], requires_grad=True)
    loss = F.cross_entropy(x, Tensor([-100]), reduction=reduction)
    loss.backward()
    assert x.grad is not None
    np.testing.assert_array_equal([loss.item()], [tl.item()])
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


# ---- layers and factories --------------------------------------------------------------


def test_linear_with_zero_inputs() -> None:
    layer = nn.Linear(0, 3)
    x = Tensor.zeros(2, 0, requires_grad=True)
    out = layer(x)
    assert out.shape == (2, 3) and out.tolist() == [[0.0] * 3] * 2  # bias ~ U(−0, 0)
    out.sum().backward()
    assert layer.bias is not None and layer.bias.grad is not None
    assert layer.bias.grad.tolist() == [2.0, 2.0, 2.0] and layer.weight.grad is not None
    assert layer.weight.grad.shape == (3, 0)


def test_int_input_to_a_float32_linear_is_a_dtype_error() -> None:
    with pytest.raises(TypeError, match="linear: input dtype int64 and weight dtype float32"):
        nn.Linear(2, 3)(Tensor([[1, 2]]))


def test_randn_with_a_float_size_raises() -> None:
    with pytest.raises(TypeError, match=r"randn: sizes must be integers, got float 2.5"):
        Tensor.randn(2.5, 3)
    with pytest.raises(TypeError, match="rand: sizes must be integers"):
        Tensor.rand(2, 3.0)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp", "max", "min"])
def test_reductions_over_the_last_axis_of_an_empty_batch(op: str) -> None:
    x = Tensor.zeros(0, 3, requires_grad=True)
    out = getattr(x, op)(-1) if op != "max" else x.max(dim=-1)
    want = (0, 3) if op in ("softmax", "log_softmax") else (0,)
    assert out.shape == want and out.dtype == np.float32
    out.sum().backward()
    assert x.grad is not None and x.grad.shape == (0, 3)


@pytest.mark.parametrize("op", ["max", "min"])
def test_max_min_over_an_empty_axis_name_the_op(op: str) -> None:
    """There is no maximum of nothing (PyTorch raises too); the error names the op."""
    with pytest.raises(ValueError, match=f"{op}: cannot reduce over a dimension of size 0"):
        getattr(Tensor.zeros(0, 3), op)(dim=0)


@needs_torch
@pytest.mark.torch
def test_reductions_over_an_empty_batch_match_torch_shapes() -> None:
    t = torch.zeros(0, 3)
    x = Tensor.zeros(0, 3)
    assert x.softmax(-1).shape == tuple(t.softmax(-1).shape)
    assert x.log_softmax(-1).shape == tuple(t.log_softmax(-1).shape)
    assert x.logsumexp(-1).shape == tuple(t.logsumexp(-1).shape)
    assert x.max(dim=-1).shape == tuple(t.amax(-1).shape)
    assert x.logsumexp(0).tolist() == t.logsumexp(0).tolist()  # log 0 = −inf, quietly


def test_int32_or_out_of_range_scalar_wraps() -> None:
    x = Tensor([1, 2], dtype="int32")
    assert (x | 0xFFFFFFFF).tolist() == [-1, -1] and (x | 0xFFFFFFFF).dtype == np.int32
    assert (x + 2**31).tolist() == [-2147483647, -2147483646]


def test_no_runtime_warning_from_the_backend_on_special_values() -> None:
    """inf, nan, 0 and huge values through every elementwise op: results as PyTorch's,
    no numpy warning (this fixture turns warnings into errors)."""
    special = [math.inf, -math.inf, math.nan, 0.0, -0.0, -1.0, 2.0, 1e308, -1e308, 3.0]
    for name in ("exp", "log", "sqrt", "sin", "cos", "tan", "asin", "acos", "sinh", "cosh",
                 "log2", "log10", "log1p", "exp2", "expm1", "rsqrt", "reciprocal", "erf",
                 "floor", "round", "sign", "square", "sigmoid", "tanh"):
        x = Tensor(special, dtype="float64", requires_grad=True)
        fn = getattr(tg, name, None) or getattr(Tensor, name)
        fn(x).sum().backward()
    for op in (lambda a, b: a / b, lambda a, b: a * b, lambda a, b: a - b, tg.atan2,
               tg.hypot, tg.logaddexp, tg.fmod, tg.remainder, lambda a, b: a // b,
               lambda a, b: a.abs() ** b):
        # fresh leaves for each op: accumulating +inf and −inf into one .grad is the
        # engine's business (autograd.accumulate_grad adds raw arrays in place)
        x = Tensor(special, dtype="float64", requires_grad=True)
        y = Tensor(special[::-1], dtype="float64", requires_grad=True)
        op(x, y).sum().backward()
    for act in (F.silu, F.elu, F.selu, F.celu, F.mish, F.softplus, F.logsigmoid, F.softsign,
                F.hardswish, F.hardsigmoid, F.relu6):
        act(Tensor(special, dtype="float64", requires_grad=True)).sum().backward()


# ---- errors that name the call -----------------------------------------------------------


def _param() -> Any:
    return nn.Parameter(Tensor.zeros(2, 3))


RAW_ERRORS: dict[str, tuple[Callable[[], Any], type[Exception], str]] = {
    "transpose(0, 2) of 2-D": (lambda: Tensor.zeros(2, 3).transpose(0, 2), IndexError,
                               r"transpose: axis 2 is out of range for a tensor with 2 dims"),
    "ragged nested list": (lambda: Tensor([[1, 2], [3]]), ValueError,
                           r"Tensor: cannot make a tensor from ragged nested sequences"),
    "arange(0, 5, 0)": (lambda: Tensor.arange(0, 5, 0), ValueError,
                        r"arange: step must be nonzero"),
    "sum(1.0)": (lambda: Tensor.zeros(2, 3).sum(1.0), TypeError,
                 r"sum: axis must be an int or a tuple of ints, got float 1.0"),
    "cat of ndarrays": (lambda: tg.cat([np.zeros(2), np.zeros(2)]), TypeError,
                        r"cat: expected a sequence of Tensors, got ndarray"),
    "Function.apply()": (lambda: Function.apply(), TypeError,
                         r"Function.apply\(\) needs at least one Tensor input"),
    "LambdaLR(opt, 3)": (lambda: lr_scheduler.LambdaLR(optim.SGD([_param()], lr=0.1), 3),
                         TypeError, r"LambdaLR: lr_lambda must be a function of the epoch.*"
                                    r"got int 3"),
    "MultiStepLR(opt, 'ab')": (
        lambda: lr_scheduler.MultiStepLR(optim.SGD([_param()], lr=0.1), "ab"), TypeError,
        r"MultiStepLR: milestones must be a list of epoch numbers \(ints\), got str 'ab'"),
    "predict(batch_size=0)": (lambda: predict(nn.Linear(3, 1), np.zeros((4, 3)), batch_size=0),
                              ValueError, r"predict: batch_size must be a positive int, got 0"),
    "DataLoader over samples of different shapes": (
        lambda: list(DataLoader([np.zeros(2), np.zeros(3)], batch_size=2)), ValueError,
        r"get_batch: cannot stack samples of different shapes into a batch: sample 0 has "
        r"shape \(2,\) but sample 1 has shape \(3,\)"),
    "DataLoader over (x, y) samples of different shapes": (
        lambda: list(DataLoader([(np.zeros(2), 0), (np.zeros(2), 1), (np.zeros(3), 1)],
                                batch_size=3)), ValueError,
        r"sample 0 \(part 0\) has shape \(2,\) but sample 2 \(part 0\) has shape \(3,\)"),
}


@pytest.mark.parametrize("case", list(RAW_ERRORS))
def test_error_names_the_call_and_what_was_wrong(case: str) -> None:
    call, kind, message = RAW_ERRORS[case]
    with pytest.raises(kind, match=message):
        call()


def test_optimiser_state_of_the_wrong_shape_at_load_state_dict() -> None:
    p = _param()
    opt = optim.Adam([p], lr=0.1)
    p.grad = Tensor.ones(2, 3)
    opt.step()
    state = opt.state_dict()
    state["state"][0]["exp_avg"] = np.zeros((3, 3), dtype=np.float32)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: state 'exp_avg' of parameter "
                                         r"0 has shape \(3, 3\) but the parameter has shape "
                                         r"\(2, 3\)"):
        optim.Adam([p], lr=0.1).load_state_dict(state)


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: optim.Adam(ps), lambda ps: optim.RMSprop(ps)])
def test_a_wrong_shaped_grad_at_step(make: Callable[[Any], Any]) -> None:
    p = _param()
    opt = make([p])
    for bad in (Tensor.ones(3, 2), Tensor.ones(3)):
        p.grad = bad
        with pytest.raises(ValueError, match=rf"\.step: a parameter of shape \(2, 3\) has a "
                                             rf"gradient of shape {re_shape(bad.shape)}"):
            opt.step()
    assert p.tolist() == [[0.0] * 3] * 2  # nothing was changed


def re_shape(shape: tuple[int, ...]) -> str:
    return str(shape).replace("(", r"\(").replace(")", r"\)")


def test_scheduler_state_for_a_different_number_of_groups() -> None:
    p, q = _param(), nn.Parameter(Tensor.zeros(1))
    two = lr_scheduler.StepLR(optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1), 2)
    one = lr_scheduler.StepLR(optim.SGD([p], lr=0.1), 2)
    with pytest.raises(ValueError, match="StepLR.load_state_dict: the state is for 2 parameter "
                                         "groups, but this scheduler's optimizer has 1"):
        one.load_state_dict(two.state_dict())
    one.load_state_dict(lr_scheduler.StepLR(optim.SGD([q], lr=0.5), 2).state_dict())
    assert one.get_last_lr() == [0.5]
