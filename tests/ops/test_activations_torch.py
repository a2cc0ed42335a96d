"""Activations against PyTorch (the oracle; skipped without torch): functional forms and
nn modules, float64 forward and gradients over random shapes (0-size dims too), the
subgradient each picks at its kinks, and arguments (alpha, beta, threshold, min/max_val,
dim, per-channel PReLU weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor

from .test_math_torch import check_against_torch, uniform

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the ops tests")
TF = torch.nn.functional

pytestmark = pytest.mark.torch

SHAPES = [(3, 4), (), (2, 0, 3), (2, 3, 5)]

# name → (ours, torch's): each is called as fn(x)
ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "silu": (F.silu, TF.silu),
    "elu": (F.elu, TF.elu),
    "elu_alpha": (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    "selu": (F.selu, TF.selu),
    "celu": (F.celu, TF.celu),
    "celu_alpha": (lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    "mish": (F.mish, TF.mish),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh_range": (lambda x: F.hardtanh(x, -0.5, 2.0),
                       lambda x: TF.hardtanh(x, -0.5, 2.0)),
    "relu6": (F.relu6, TF.relu6),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softmin": (lambda x: F.softmin(x, dim=-1), lambda x: TF.softmin(x, dim=-1)),
    "softmin_dim0": (lambda x: F.softmin(x, 0), lambda x: TF.softmin(x, 0)),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0), lambda x: TF.softplus(x, beta=2.0)),
    "softplus_threshold": (lambda x: F.softplus(x, beta=0.5, threshold=1.0),
                           lambda x: TF.softplus(x, beta=0.5, threshold=1.0)),
    "prelu_shared": (lambda x: F.prelu(x, Tensor([0.1], dtype="float64")),
                     lambda x: TF.prelu(x, torch.tensor([0.1], dtype=torch.float64))),
}


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_against_torch(name: str, shape: tuple[int, ...]) -> None:
    ours, theirs = ACTIVATIONS[name]
    check_against_torch(torch, ours, theirs, [uniform(shape, -7, 7, seed=len(name))])


KINKS = np.array([-7.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.0, 25.0,
                  -25.0, -100.0, 40.0])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_at_kinks_and_extremes_as_torch(name: str) -> None:
    """At x = 0, ±1, ±3, 6 (the kinks of hardtanh, relu6, hardswish, hardsigmoid, elu, ...)
    each op picks PyTorch's subgradient; far out, nothing overflows."""
    ours, theirs = ACTIVATIONS[name]
    check_against_torch(torch, ours, theirs, [KINKS.copy()])


@pytest.mark.parametrize("name", ["silu", "elu", "selu", "mish", "hardswish", "logsigmoid",
                                  "softplus", "softsign"])
def test_activation_in_float32_as_torch(name: str) -> None:
    ours, theirs = ACTIVATIONS[name]
    check_against_torch(torch, ours, theirs, [uniform((4, 5), -30, 30, seed=1, dtype="float32")],
                        atol=1e-6, rtol=1e-5, grad_atol=1e-6, grad_rtol=1e-5)


@pytest.mark.parametrize("shape,channels", [((2, 3, 4, 5), 3), ((4, 3), 3), ((2, 5, 7), 5),
                                            ((3,), 1), ((0, 2, 3), 2)], ids=str)
def test_prelu_per_channel_against_torch(shape: tuple[int, ...], channels: int) -> None:
    x = uniform(shape, -3, 3, seed=2)
    w = uniform((channels,), 0.05, 0.5, seed=3)
    w[0] = 0.25
    x.flat[:1] = 0.0  # the kink: slope a at 0, as torch
    check_against_torch(torch, F.prelu, TF.prelu, [x, w])


MODULES: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
    "SiLU": (nn.SiLU, torch.nn.SiLU), "ELU": (lambda: nn.ELU(0.7), lambda: torch.nn.ELU(0.7)),
    "SELU": (nn.SELU, torch.nn.SELU), "CELU": (lambda: nn.CELU(1.5), lambda: torch.nn.CELU(1.5)),
    "Mish": (nn.Mish, torch.nn.Mish),
    "Hardtanh": (lambda: nn.Hardtanh(-2.0, 0.5), lambda: torch.nn.Hardtanh(-2.0, 0.5)),
    "ReLU6": (nn.ReLU6, torch.nn.ReLU6), "Hardswish": (nn.Hardswish, torch.nn.Hardswish),
    "Hardsigmoid": (nn.Hardsigmoid, torch.nn.Hardsigmoid),
    "Softsign": (nn.Softsign, torch.nn.Softsign),
    "LogSigmoid": (nn.LogSigmoid, torch.nn.LogSigmoid),
    "Softmin": (lambda: nn.Softmin(dim=1), lambda: torch.nn.Softmin(dim=1)),
    "Softplus": (lambda: nn.Softplus(beta=3.0, threshold=5.0),
                 lambda: torch.nn.Softplus(beta=3.0, threshold=5.0)),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_against_torch(name: str) -> None:
    ours, theirs = MODULES[name]
    check_against_torch(torch, lambda x: ours()(x), lambda x: theirs()(x),
                        [uniform((3, 4, 2), -5, 5, seed=4)])


def test_prelu_module_learns_its_slopes_as_torch() -> None:
    ours, theirs = nn.PReLU(3, init=0.2, dtype="float64"), torch.nn.PReLU(3, init=0.2).double()
    assert [p.shape for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    x = uniform((2, 3, 4), -2, 2, seed=5)
    out, out_t = ours(Tensor(x, dtype="float64")), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-7)  # 0.2 in f32
    out.sum().backward()
    out_t.sum().backward()
    assert ours.weight.grad is not None and theirs.weight.grad is not None
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-12)
    assert nn.PReLU().weight.shape == (1,) and nn.PReLU().weight.tolist() == [0.25]


def test_prelu_refuses_a_weight_of_another_dtype_as_torch() -> None:
    with pytest.raises(RuntimeError):
        TF.prelu(torch.zeros(2, 3), torch.tensor([0.1], dtype=torch.float64))
    with pytest.raises(TypeError, match="prelu: input dtype float32 and weight dtype float64"):
        F.prelu(Tensor.zeros(2, 3), Tensor([0.1], dtype="float64"))


SPECIAL_VALUES = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, -1.0, 1.0, 2.0, -2.5, 0.5, 1e30,
                           -1e30, 88.0, -88.0, 1e-30, 3.0, -3.0, 6.0, 20.0, 21.0])


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if not n.startswith("softmin")])
def test_activation_at_special_values_as_torch(name: str) -> None:
    """±inf, NaN, ±0, huge values: PyTorch's values and gradients (its float64 hardsigmoid
    gradient is 1/6 rounded to float32, hence the gradient tolerance)."""
    ours, theirs = ACTIVATIONS[name]
    check_against_torch(torch, ours, theirs, [SPECIAL_VALUES.copy()], atol=0, rtol=1e-10,
                        grad_atol=1e-300, grad_rtol=1e-7)


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "silu", "mish", "hardtanh", "relu6",
                                  "hardswish", "hardsigmoid"])
def test_inplace_writes_into_the_input_as_torch(name: str) -> None:
    vals = uniform((3, 4), -5, 8, seed=9)
    x, t = Tensor(vals, dtype="float64"), torch.tensor(vals)
    out, out_t = getattr(F, name)(x, inplace=True), getattr(TF, name)(t, inplace=True)
    assert out is x and out_t is t
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)
    # a tensor that records gradients gets a new result (PyTorch would rewire its graph)
    w = Tensor(vals, dtype="float64", requires_grad=True)
    res = getattr(F, name)(w, inplace=True)
    assert res is not w and w.tolist() == vals.tolist()
    np.testing.assert_allclose(res.detach().numpy(), t.numpy(), rtol=1e-12)


def test_inplace_modules_as_torch() -> None:
    vals = uniform((2, 5), -4, 8, seed=3)
    for ours, theirs in ((nn.ReLU6(inplace=True), torch.nn.ReLU6(inplace=True)),
                         (nn.ELU(0.5, inplace=True), torch.nn.ELU(0.5, inplace=True)),
                         (nn.Hardtanh(-2, 2, inplace=True), torch.nn.Hardtanh(-2, 2, True)),
                         (nn.SiLU(inplace=True), torch.nn.SiLU(inplace=True))):
        x, t = Tensor(vals, dtype="float64"), torch.tensor(vals)
        assert ours(x) is x and theirs(t) is t
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12)
