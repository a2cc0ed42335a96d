"""PyTorch as an oracle (optional: skipped without torch), in the style of tinygrad's
``helper_test_op``: the same lambda runs on both libraries with the same inputs; the
forward values and the gradients of every floating input are compared with tolerances.

The backward pass differentiates L = Σ out · w for a fixed random w (not just Σ out), so
every output element, and its position, matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle for the core ops "
                                            "(pip install tinygrad-edu[oracle])")
import torch.nn.functional as F  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import Tensor  # noqa: E402

pytestmark = pytest.mark.torch


@dataclass
class Case:
    """One op case. ``fn`` runs on both libraries unless ``tg_fn`` gives ours."""

    shapes: list[tuple[int, ...]]
    fn: Callable[..., Any]
    tg_fn: Callable[..., Any] | None = None
    low: float | list[float] = -2.0
    high: float | list[float] = 2.0
    forward_only: bool = False
    atol: float = 1e-5
    rtol: float = 1e-5
    grad_atol: float = 1e-5
    grad_rtol: float = 1e-4
    vals: list[np.ndarray] | None = None
    extra: dict = field(default_factory=dict)


def _inputs(case: Case, seed: int) -> list[np.ndarray]:
    if case.vals is not None:
        return [np.asarray(v, dtype=np.float32) for v in case.vals]
    rng = np.random.default_rng(seed)
    n = len(case.shapes)
    lows = case.low if isinstance(case.low, list) else [case.low] * n
    highs = case.high if isinstance(case.high, list) else [case.high] * n
    return [rng.uniform(lo, hi, size=s).astype(np.float32)
            for s, lo, hi in zip(case.shapes, lows, highs, strict=True)]


def helper_test_op(case: Case, seed: int = 0) -> None:
    arrays = _inputs(case, seed)
    grad = not case.forward_only
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    ours = [Tensor(a, requires_grad=grad) for a in arrays]
    out_t = case.fn(*ts)
    out_o = (case.tg_fn or case.fn)(*ours)
    assert isinstance(out_o, Tensor)
    expected = out_t.detach().numpy()
    assert out_o.shape == tuple(expected.shape), f"shape {out_o.shape} vs {expected.shape}"
    assert out_o.dtype == expected.dtype, f"dtype {out_o.dtype} vs {expected.dtype}"
    np.testing.assert_allclose(out_o.numpy(), expected, atol=case.atol, rtol=case.rtol,
                               err_msg="forward differs from PyTorch")
    if not grad or expected.dtype.kind != "f":
        return
    w = np.random.default_rng(seed + 1).uniform(0.5, 1.5, size=expected.shape).astype(
        np.float32)
    (out_t * torch.tensor(w)).sum().backward()
    (out_o * Tensor(w)).sum().backward()
    for k, (a, b) in enumerate(zip(ts, ours, strict=True)):
        if a.grad is None:
            assert b.grad is None or not np.any(b.grad.numpy()), f"input {k}: extra grad"
            continue
        assert b.grad is not None, f"input {k}: no gradient"
        assert b.grad.shape == tuple(a.grad.shape)
        np.testing.assert_allclose(b.grad.numpy(), a.grad.numpy(), atol=case.grad_atol,
                                   rtol=case.grad_rtol,
                                   err_msg=f"gradient of input {k} differs from PyTorch")


S = (3, 4)
CASES: dict[str, Case] = {
    # ---- binary, with broadcasting (size-1 and missing dimensions) ------------------------
    "add": Case([S, S], lambda x, y: x + y),
    "add_broadcast": Case([(2, 3, 4), (3, 1)], lambda x, y: x + y),
    "sub_broadcast": Case([(4,), (2, 3, 4)], lambda x, y: x - y),
    "mul_broadcast": Case([(2, 1, 4), (3, 1)], lambda x, y: x * y),
    "div_broadcast": Case([(3, 4), (1, 4)], lambda x, y: x / y, low=[-2, 0.5], high=[2, 3]),
    "pow_tensor": Case([S, S], lambda x, y: x**y, low=[0.5, -2], high=[3, 2]),
    "pow_broadcast": Case([(3, 1), (4,)], lambda x, y: x**y, low=[0.5, -2], high=[3, 2]),
    "maximum": Case([(3, 4), (4,)], lambda x, y: x.maximum(y)),
    "minimum": Case([(3, 1), (1, 4)], lambda x, y: x.minimum(y)),
    "scalar_tensor_0d": Case([(), S], lambda x, y: x * y + x),
    # ---- Python scalars, reflected forms ---------------------------------------------------
    "radd": Case([S], lambda x: 2.5 + x),
    "rsub": Case([S], lambda x: 1 - x),
    "rmul": Case([S], lambda x: -3 * x),
    "rdiv": Case([S], lambda x: 2.0 / x, low=0.5, high=3),
    "rpow": Case([S], lambda x: 2.0**x),
    "pow2": Case([S], lambda x: x**2),
    "pow3": Case([S], lambda x: x**3),
    "pow_half": Case([S], lambda x: x**0.5, low=0.1, high=3),
    "pow_neg": Case([S], lambda x: x**-1.5, low=0.5, high=3),
    "neg": Case([S], lambda x: -x),
    "sub_scalar": Case([S], lambda x: x - 0.5),
    "div_scalar": Case([S], lambda x: x / 4),
    # ---- unary ------------------------------------------------------------------------------
    "exp": Case([S], lambda x: x.exp()),
    "log": Case([S], lambda x: x.log(), low=0.1, high=4),
    "sqrt": Case([S], lambda x: x.sqrt(), low=0.1, high=4),
    "abs": Case([S], lambda x: x.abs()),
    "relu": Case([S], lambda x: x.relu()),
    "sigmoid": Case([S], lambda x: x.sigmoid(), low=-8, high=8),
    "tanh": Case([S], lambda x: x.tanh()),
    "clip": Case([S], lambda x: x.clip(-1.0, 0.5)),
    "clamp_min": Case([S], lambda x: x.clamp(min=0.2)),
    "square": Case([S], lambda x: x.square()),
    "where": Case([S, (4,)], lambda x, y: torch.where(x > 0, x, y),
                  lambda x, y: tg.where(x > 0, x, y)),
    "where_scalar": Case([S], lambda x: torch.where(x < 0.5, x * 2, 0.0),
                         lambda x: tg.where(x < 0.5, x * 2, 0.0)),
    "compare_lt": Case([S, (4,)], lambda x, y: x < y, forward_only=True),
    "compare_eq": Case([S], lambda x: x == x[0], forward_only=True),
    "compare_ge": Case([S], lambda x: x >= 0.0, forward_only=True),
    # ---- reductions ---------------------------------------------------------------------------
    "sum": Case([(2, 3, 4)], lambda x: x.sum()),
    "sum_dim": Case([(2, 3, 4)], lambda x: x.sum(dim=1)),
    "sum_dims_keepdim": Case([(2, 3, 4)], lambda x: x.sum(dim=(0, 2), keepdim=True)),
    "mean": Case([(2, 3, 4)], lambda x: x.mean()),
    "mean_dim": Case([(2, 3, 4)], lambda x: x.mean(dim=-1, keepdim=True)),
    "max": Case([(2, 3, 4)], lambda x: x.max()),
    "max_dim": Case([(2, 3, 4)], lambda x: x.amax(dim=1), lambda x: x.max(dim=1)),
    "max_ties": Case([(2, 3)], lambda x: x.amax(dim=1), lambda x: x.max(dim=1),
                     vals=[[[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]]),
    "min_dims": Case([(2, 3, 4)], lambda x: x.amin(dim=(0, 2), keepdim=True),
                     lambda x: x.min(dim=(0, 2), keepdim=True)),
    "var": Case([(3, 5)], lambda x: x.var()),
    "var_dim": Case([(3, 5)], lambda x: x.var(dim=1)),
    "var_correction0": Case([(3, 5)], lambda x: x.var(dim=0, correction=0, keepdim=True)),
    "var_correction2": Case([(3, 5)], lambda x: x.var(dim=1, correction=2)),
    "std": Case([(3, 5)], lambda x: x.std(dim=1)),
    "logsumexp": Case([(3, 5)], lambda x: x.logsumexp(dim=1)),
    "logsumexp_big": Case([(2, 3)], lambda x: x.logsumexp(dim=1),
                          vals=[[[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0]]]),
    "softmax": Case([(3, 5)], lambda x: x.softmax(dim=-1)),
    "softmax_dim0": Case([(3, 5)], lambda x: x.softmax(dim=0)),
    "softmax_extreme": Case([(2, 3)], lambda x: x.softmax(dim=1),
                            vals=[[[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]]]),
    "log_softmax": Case([(3, 5)], lambda x: x.log_softmax(dim=1)),
    "log_softmax_extreme": Case([(2, 3)], lambda x: x.log_softmax(dim=1),
                                vals=[[[1000.0, -1000.0, 0.0], [5.0, 1000.0, -1000.0]]]),
    "argmax": Case([(3, 5)], lambda x: x.argmax(dim=1), forward_only=True),
    "argmin_keepdim": Case([(3, 5)], lambda x: x.argmin(dim=0, keepdim=True),
                           forward_only=True),
    # ---- movement -------------------------------------------------------------------------
    "reshape": Case([(2, 3, 4)], lambda x: x.reshape(4, -1)),
    "view": Case([(2, 3, 4)], lambda x: x.view(6, 4)),
    "flatten": Case([(2, 3, 4)], lambda x: x.flatten(1)),
    "transpose": Case([(2, 3, 4)], lambda x: x.transpose(0, 2)),
    "permute": Case([(2, 3, 4)], lambda x: x.permute(1, 2, 0)),
    "T": Case([(3, 4)], lambda x: x.T),
    "squeeze": Case([(3, 1, 4)], lambda x: x.squeeze(1)),
    "squeeze_all": Case([(1, 3, 1)], lambda x: x.squeeze()),
    "unsqueeze": Case([(3, 4)], lambda x: x.unsqueeze(-2)),
    "expand": Case([(3, 1)], lambda x: x.expand(2, 3, 4)),
    "expand_minus1": Case([(3, 1)], lambda x: x.expand(-1, 5)),
    "broadcast_to": Case([(1, 4)], lambda x: x.broadcast_to((3, 4))),
    "getitem_slices": Case([(4, 5)], lambda x: x[1:3, ::2]),
    "getitem_int": Case([(4, 5)], lambda x: x[2]),
    "getitem_neg_int": Case([(4, 5)], lambda x: x[-1, 1:]),
    "getitem_none": Case([(4, 5)], lambda x: x[None, :, None, 2]),
    "getitem_ellipsis": Case([(2, 3, 4)], lambda x: x[..., 1]),
    "getitem_repeated": Case([(4, 5)], lambda x: x[[0, 2, 0, 0]]),
    "getitem_pairs": Case([(4, 5)], lambda x: x[[0, 1, 1], [4, 4, 0]]),
    "getitem_mixed": Case([(4, 5)], lambda x: x[1:, [3, 3, 0]]),
    "getitem_bool_mask": Case([(4, 5)], lambda x: x[x > 0]),
    "getitem_bool_rows": Case([(4, 5)], lambda x: x[x.sum(dim=1) > 0]),
    "cat": Case([(2, 3), (4, 3)], lambda x, y: torch.cat([x, y, x]),
                lambda x, y: tg.cat([x, y, x])),
    "cat_dim1": Case([(2, 3), (2, 1)], lambda x, y: torch.cat([x, y], dim=1),
                     lambda x, y: tg.cat([x, y], dim=1)),
    "stack": Case([(2, 3), (2, 3)], lambda x, y: torch.stack([x, y], dim=1),
                  lambda x, y: tg.stack([x, y], dim=1)),
    "pad": Case([(2, 3)], lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
                lambda x: x.pad(((0, 1), (1, 2)), value=0.5)),
    # ---- matmul -----------------------------------------------------------------------------
    "matmul_vv": Case([(4,), (4,)], lambda x, y: x @ y),
    "matmul_vm": Case([(4,), (4, 3)], lambda x, y: x @ y),
    "matmul_mv": Case([(3, 4), (4,)], lambda x, y: x @ y),
    "matmul_mm": Case([(3, 4), (4, 5)], lambda x, y: x @ y),
    "matmul_batched": Case([(2, 3, 4), (2, 4, 5)], lambda x, y: x @ y),
    "matmul_batch_broadcast": Case([(2, 1, 3, 4), (5, 4, 2)], lambda x, y: x.matmul(y)),
    "matmul_batch_matrix": Case([(2, 3, 4), (4, 5)], lambda x, y: x @ y),
    "matmul_vector_batch": Case([(4,), (2, 4, 3)], lambda x, y: x @ y),
    # ---- small compositions (what the layers and losses above the core do) ---------------
    "linear_relu": Case([(5, 4), (3, 4), (3,)], lambda x, w, b: (x @ w.T + b).relu()),
    "cross_entropy": Case([(4, 5)], lambda x: -(x.log_softmax(dim=1)[[0, 1, 2, 3],
                                                                        [1, 0, 4, 4]]).mean()),
    "mse": Case([S, S], lambda x, y: ((x - y) ** 2).mean()),
    "layernorm": Case([(3, 6)], lambda x: (x - x.mean(dim=1, keepdim=True))
                      / (x.var(dim=1, keepdim=True, correction=0) + 1e-5).sqrt()),
    "diamond": Case([S], lambda x: (x * 2).tanh() * (x * 2).sigmoid() + (x * 2)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_op_against_torch(name):
    helper_test_op(CASES[name])


# ---- second derivatives against torch.autograd.grad(create_graph=True) -----------------

SECOND = {
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "cube": lambda x: x**3,
    "div": lambda x: 1.0 / (x * x + 1.0),
    "log_softmax": lambda x: x.log_softmax(dim=-1),
    "softmax": lambda x: x.softmax(dim=-1),
    "logsumexp": lambda x: x.logsumexp(dim=-1),
    "matmul_self": lambda x: x @ x.T,
    "var": lambda x: x.var(dim=1),
    "getitem_repeated": lambda x: x[[0, 0, 1]] ** 2,
}


@pytest.mark.parametrize("name", list(SECOND))
def test_second_derivative_against_torch(name):
    f = SECOND[name]
    a = np.random.default_rng(5).normal(size=(2, 3))
    v = np.random.default_rng(6).normal(size=(2, 3))
    xt = torch.tensor(a, requires_grad=True)
    (g,) = torch.autograd.grad(f(xt).sum(), xt, create_graph=True)
    (gg,) = torch.autograd.grad((g * torch.tensor(v)).sum(), xt)
    xo = Tensor(a, dtype="float64", requires_grad=True)
    f(xo).sum().backward(create_graph=True)
    go = xo.grad
    xo.grad = None
    (go * Tensor(v, dtype="float64")).sum().backward()
    np.testing.assert_allclose(go.numpy(), g.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xo.grad.numpy(), gg.numpy(), rtol=1e-10, atol=1e-12)


def test_helper_detects_a_difference():
    # the oracle itself must fail on a wrong forward and on a wrong gradient
    with pytest.raises(AssertionError, match="forward differs"):
        helper_test_op(Case([S], lambda x: x * 2, lambda x: x * 2.001))
    wrong_grad = Case([S], lambda x: x * 2, lambda x: x * 3 - x.detach())
    with pytest.raises(AssertionError, match="gradient of input 0 differs"):
        helper_test_op(wrong_grad)
