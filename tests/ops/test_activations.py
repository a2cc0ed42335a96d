"""Activations without the oracle: gradcheck away from the kinks, float32 stays float32,
closed-form values, hypothesis properties, module reprs and argument errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck


def t64(arr: Any, requires_grad: bool = True) -> Tensor:
    return Tensor(np.asarray(arr, dtype=np.float64), dtype="float64", requires_grad=requires_grad)


# name → (fn, kinks to keep away from)
FUNCTIONS: dict[str, tuple[Callable[..., Tensor], tuple[float, ...]]] = {
    "silu": (F.silu, ()), "elu": (lambda x: F.elu(x, 0.7), (0.0,)), "selu": (F.selu, (0.0,)),
    "celu": (lambda x: F.celu(x, 1.5), (0.0,)), "mish": (F.mish, ()),
    "hardtanh": (lambda x: F.hardtanh(x, -1.5, 2.0), (-1.5, 2.0)),
    "relu6": (F.relu6, (0.0, 6.0)), "hardswish": (F.hardswish, (-3.0, 3.0)),
    "hardsigmoid": (F.hardsigmoid, (-3.0, 3.0)), "softsign": (F.softsign, (0.0,)),
    "logsigmoid": (F.logsigmoid, ()), "softmin": (lambda x: F.softmin(x, dim=1), ()),
    "softplus": (F.softplus, ()), "softplus_beta": (lambda x: F.softplus(x, 2.0, 6.0), (3.0,)),
    "prelu": (lambda x: F.prelu(x, Tensor([0.1, 0.2, 0.3, 0.4], dtype=x.dtype)), (0.0,)),
}


def _away(x: np.ndarray, kinks: tuple[float, ...], gap: float = 0.05) -> np.ndarray:
    for k in kinks:
        x = np.where(np.abs(x - k) < gap, k + 2 * gap, x)
    return x


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_gradcheck(name: str) -> None:
    fn, kinks = FUNCTIONS[name]
    x = np.random.default_rng(len(name)).uniform(-8, 8, size=(3, 4))
    gradcheck(fn, t64(_away(x, kinks)))


def test_prelu_weight_gradcheck() -> None:
    x = _away(np.random.default_rng(0).uniform(-3, 3, size=(2, 3, 4)), (0.0,))
    gradcheck(lambda a, w: F.prelu(a, w), t64(x), t64([0.1, 0.2, 0.3]))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_float32_in_float32_out(name: str) -> None:
    fn, _ = FUNCTIONS[name]
    x = Tensor(np.linspace(-9, 9, 12, dtype=np.float32).reshape(3, 4), requires_grad=True)
    out = fn(x)
    assert out.dtype == np.float32 and out.shape == (3, 4)
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32


def test_closed_form_values() -> None:
    x = t64([-1.0, 0.0, 2.0], False)
    np.testing.assert_allclose(F.silu(x).numpy(), [-1 / (1 + math.e), 0.0, 2 / (1 + math.e ** -2)])
    np.testing.assert_allclose(F.elu(x).numpy(), [math.exp(-1) - 1, 0.0, 2.0])
    np.testing.assert_allclose(F.relu6(t64([-1.0, 3.0, 9.0], False)).numpy(), [0.0, 3.0, 6.0])
    np.testing.assert_allclose(F.hardsigmoid(t64([-4.0, 0.0, 1.5, 4.0], False)).numpy(),
                               [0.0, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(F.hardswish(t64([-4.0, 1.5, 4.0], False)).numpy(),
                               [0.0, 1.5 * 4.5 / 6, 4.0])
    np.testing.assert_allclose(F.softsign(x).numpy(), [-0.5, 0.0, 2 / 3])
    np.testing.assert_allclose(F.logsigmoid(t64([-200.0, 0.0], False)).numpy(),
                               [-200.0, -math.log(2)])
    np.testing.assert_allclose(F.softplus(t64([0.0, 30.0, 3.0], False), beta=2.0,
                                          threshold=5.0).numpy(),
                               [math.log(2) / 2, 30.0, 3.0])  # 2·3 > 5: linear there
    np.testing.assert_allclose(F.selu(t64([1.0], False)).numpy(), [1.0507009873554805])


finite = st.floats(-40, 40, allow_nan=False, width=64)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)), elements=finite))
def test_softmin_is_a_distribution_favouring_the_smallest(x: np.ndarray) -> None:
    p = F.softmin(t64(x, False), dim=1).numpy()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert (p >= 0).all()
    # a smaller input never gets a smaller probability
    smaller = x[:, :, None] < x[:, None, :]
    assert (p[:, :, None] >= p[:, None, :])[smaller].all()


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=finite))
def test_bounded_activations_stay_in_range(x: np.ndarray) -> None:
    t = t64(x, False)
    assert ((F.hardtanh(t).numpy() >= -1) & (F.hardtanh(t).numpy() <= 1)).all()
    assert ((F.relu6(t).numpy() >= 0) & (F.relu6(t).numpy() <= 6)).all()
    hs = F.hardsigmoid(t).numpy()
    assert ((hs >= 0) & (hs <= 1)).all()
    assert (np.abs(F.softsign(t).numpy()) < 1).all()
    assert (F.logsigmoid(t).numpy() <= 0).all() and np.isfinite(F.logsigmoid(t).numpy()).all()
    assert (F.elu(t).numpy() >= -1).all() and (F.silu(t).numpy() >= -0.2785).all()


def test_modules_repr_and_parameters() -> None:
    assert "alpha=0.5" in repr(nn.ELU(0.5)) and "min_val=-2" in repr(nn.Hardtanh(-2, 2))
    assert "beta=2" in repr(nn.Softplus(beta=2)) and "dim=0" in repr(nn.Softmin(0))
    assert len(list(nn.PReLU(4).parameters())) == 1 and not list(nn.SiLU().parameters())
    assert nn.ReLU6(inplace=True)(Tensor([7.0])).tolist() == [6.0]


def test_bad_arguments_name_the_op() -> None:
    with pytest.raises(ValueError, match=r"prelu: weight has 2 slopes but the input of shape "
                                         r"\(4, 3\) has 3 channels"):
        F.prelu(Tensor.zeros(4, 3), Tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="hardtanh: min_val"):
        F.hardtanh(Tensor([1.0]), 2.0, 1.0)
    with pytest.raises(ValueError, match="celu: alpha must be nonzero"):
        F.celu(Tensor([1.0]), 0.0)
    with pytest.raises(ValueError, match="softplus: beta must be nonzero"):
        F.softplus(Tensor([1.0]), beta=0)
    with pytest.raises(TypeError, match="silu: expected a Tensor"):
        F.silu([1.0])
