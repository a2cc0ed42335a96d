"""Reductions, scans and sorting against PyTorch (float64 forward and gradients), plus
gradchecks, hypothesis properties and the edge cases of issue 11 (prod and cumprod with
zeros, the 2-norm of a zero vector, stable descending sort, lower median, NaN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck

try:  # PyTorch is the oracle (optional): the tests that need it skip without it
    import torch
except ImportError:  # pragma: no cover - the oracle is installed in CI
    torch = None


def needs_torch(test: Any) -> Any:
    """Mark a test that compares with PyTorch (``-m torch``); it skips without torch."""
    skip = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed")
    return pytest.mark.torch(skip(test))


# ---- the oracle -----------------------------------------------------------------------


def _lib_tensor(m: Any, a: Any) -> Any:
    """``a`` as a tensor of library ``m`` (torch or tinygrad_edu); dtype kept."""
    a = np.asarray(a)
    return torch.tensor(a) if m is torch else Tensor(a, dtype=a.dtype)


def L(m: Any, a: Any) -> Any:
    """``a`` as a constant tensor of library ``m``, dtype kept."""
    return _lib_tensor(m, a)


def dt(m: Any, name: str) -> Any:
    """A dtype argument in library m's spelling."""
    return getattr(torch, name) if m is torch else name


def _flat(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def oracle(fn: Callable[..., Any], *arrays: Any, grad: bool = True, atol: float = 1e-10,
           rtol: float = 1e-9) -> None:
    """Run ``fn(lib, *tensors)`` with lib = torch and lib = tinygrad_edu on the same float64
    inputs; compare every output (shape, dtype, values, NaN where NaN) and the gradient
    of Σ out·w for fixed random weights w."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    ours = [Tensor(a, dtype="float64", requires_grad=grad) for a in arrays]
    out_t, out_o = _flat(fn(torch, *ts)), _flat(fn(tg, *ours))
    assert len(out_t) == len(out_o)
    loss_t: Any = 0
    loss_o: Any = 0
    rng = np.random.default_rng(7)
    for k, (a, b) in enumerate(zip(out_t, out_o)):
        assert isinstance(b, Tensor), f"output {k}: {type(b).__name__}"
        want = a.detach().numpy()
        assert b.shape == want.shape, f"output {k}: shape {b.shape} vs {want.shape}"
        assert b.dtype == want.dtype, f"output {k}: dtype {b.dtype} vs {want.dtype}"
        np.testing.assert_allclose(b.detach().numpy(), want, atol=atol, rtol=rtol,
                                   err_msg=f"output {k} differs from PyTorch")
        if grad and want.dtype.kind == "f" and a.requires_grad and b.requires_grad:
            w = rng.uniform(0.5, 1.5, want.shape)
            loss_t = loss_t + (a * torch.tensor(w)).sum()
            loss_o = loss_o + (b * Tensor(w, dtype="float64")).sum()
    if not grad or isinstance(loss_t, int):
        return
    loss_t.backward()
    loss_o.backward()
    for k, (a, b) in enumerate(zip(ts, ours)):
        want = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        got = np.zeros(b.shape) if b.grad is None else b.grad.numpy()
        np.testing.assert_allclose(got, want, atol=1e-9, rtol=1e-7,
                                   err_msg=f"gradient of input {k} differs from PyTorch")


def rnd(*shape: int, seed: int = 0, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, shape)


ZEROS1 = np.array([[1.5, 0.0, 2.0, -3.0], [0.5, 2.0, -1.0, 4.0], [0.0, 0.0, 3.0, 1.0]])
TIES = np.array([[2.0, 1.0, 2.0, 1.0, 3.0], [0.5, 0.5, 0.5, -1.0, 0.5]])

CASES: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    # prod: all, one dim, keepdim, zeros (none, one, several in a slice), empty dim
    "prod_all": (lambda m, x: m.prod(x), [rnd(3, 4)]),
    "prod_dim": (lambda m, x: x.prod(1), [rnd(3, 4)]),
    "prod_dim_keepdim": (lambda m, x: x.prod(0, keepdim=True), [rnd(3, 4)]),
    "prod_zeros_rows": (lambda m, x: x.prod(1), [ZEROS1]),
    "prod_zeros_cols": (lambda m, x: x.prod(0), [ZEROS1]),
    "prod_one_zero_all": (lambda m, x: m.prod(x), [ZEROS1[:2]]),
    "prod_many_zeros_all": (lambda m, x: m.prod(x), [ZEROS1]),
    "prod_empty_dim": (lambda m, x: x.prod(1), [np.zeros((3, 0))]),
    "prod_broadcast_input": (lambda m, x, y: (x * y).prod(-1), [rnd(3, 1), rnd(4, seed=1)]),
    # cumsum / cumprod
    "cumsum_0": (lambda m, x: m.cumsum(x, 0), [rnd(3, 4)]),
    "cumsum_neg": (lambda m, x: x.cumsum(-1), [rnd(2, 3, 4)]),
    "cumsum_0d": (lambda m, x: x.cumsum(0), [np.array(1.5)]),
    "cumsum_empty": (lambda m, x: x.cumsum(1), [np.zeros((0, 3))]),
    "cumsum_dtype": (lambda m, x: x.cumsum(1, dtype=dt(m, "float32")), [rnd(2, 3)]),
    "cumprod": (lambda m, x: m.cumprod(x, 1), [rnd(3, 5, low=0.5)]),
    "cumprod_dim0": (lambda m, x: x.cumprod(0), [rnd(4, 3)]),
    "cumprod_zeros": (lambda m, x: x.cumprod(1), [ZEROS1]),
    "cumprod_zero_first_last": (lambda m, x: x.cumprod(0),
                                [np.array([[0.0, 1.0], [2.0, 3.0], [-1.0, 0.0]])]),
    "cumprod_empty": (lambda m, x: x.cumprod(0), [np.zeros((0, 2))]),
    # cummax / cummin: (values, indices), ties, broadcast
    "cummax": (lambda m, x: m.cummax(x, 1), [rnd(3, 6)]),
    "cummax_ties": (lambda m, x: x.cummax(1), [TIES]),
    "cummin_ties": (lambda m, x: x.cummin(1), [TIES]),
    "cummin_dim0": (lambda m, x: m.cummin(x, 0), [rnd(4, 3)]),
    "cummax_attrs": (lambda m, x: (x.cummax(0).values, x.cummax(0).indices), [rnd(5)]),
    # logcumsumexp
    "logcumsumexp": (lambda m, x: m.logcumsumexp(x, 1), [rnd(3, 5)]),
    "logcumsumexp_big": (lambda m, x: x.logcumsumexp(0),
                         [np.array([1000.0, -1000.0, 999.0, 0.0, 1001.0])]),
    "logcumsumexp_neg_grad": (lambda m, x: x.logcumsumexp(-1) * m.tensor([1.0, -2.0, 3.0])
                              if m is torch else
                              x.logcumsumexp(-1) * Tensor([1.0, -2.0, 3.0], dtype="float64"),
                              [rnd(2, 3)]),
    # any / all / sum(dtype=)
    "any_dim": (lambda m, x: (x > 1).any(1), [rnd(3, 4)]),
    "all_dim_keepdim": (lambda m, x: (x > -1.5).all(0, keepdim=True), [rnd(3, 4)]),
    "sum_dtype": (lambda m, x: x.sum(1, dtype=dt(m, "float32")), [rnd(3, 4)]),
    "sum_int_dtype": (lambda m, x: (x > 0).sum(0), [rnd(3, 4)]),
    # count_nonzero / nansum / nanmean
    "count_nonzero": (lambda m, x: m.count_nonzero(x, 1), [ZEROS1]),
    "count_nonzero_all": (lambda m, x: x.count_nonzero(), [ZEROS1]),
    "nansum": (lambda m, x: x.nansum(1), [np.array([[1.0, np.nan, 2.0], [np.nan] * 3])]),
    "nanmean": (lambda m, x: m.nanmean(x, 0, keepdim=True),
                [np.array([[1.0, np.nan, 2.0], [3.0, 4.0, np.nan]])]),
    # var_mean / std_mean
    "var_mean": (lambda m, x: m.var_mean(x, 1), [rnd(3, 5)]),
    "std_mean_keepdim": (lambda m, x: m.std_mean(x, 0, keepdim=True), [rnd(3, 5)]),
    "std_mean_all": (lambda m, x: m.std_mean(x), [rnd(3, 5)]),
    "var_mean_positional_unbiased": (lambda m, x: m.var_mean(x, 1, False, True), [rnd(3, 5)]),
    "std_mean_unbiased_only": (lambda m, x: m.std_mean(x, True), [rnd(3, 5)]),
    "median_empty": (lambda m, x: x.median(), [np.zeros((0, 2))]),
    "var_mean_correction0": (lambda m, x: m.var_mean(x, (0, 2), correction=0),
                             [rnd(2, 3, 4)]),
    # norm
    "norm_fro": (lambda m, x: x.norm(), [rnd(3, 4)]),
    "norm_2_dim": (lambda m, x: x.norm(2, dim=1), [rnd(3, 4)]),
    "norm_2_keepdim": (lambda m, x: m.norm(x, dim=0, keepdim=True), [rnd(3, 4)]),
    "norm_1": (lambda m, x: x.norm(1, dim=-1), [rnd(3, 4)]),
    "norm_inf": (lambda m, x: x.norm(float("inf"), dim=1), [rnd(3, 4)]),
    "norm_neg_inf": (lambda m, x: x.norm(-float("inf")), [rnd(3, 4)]),
    "norm_3": (lambda m, x: x.norm(3, dim=(0, 1)), [rnd(2, 3, 2)]),
    "norm_half": (lambda m, x: x.norm(0.5), [rnd(2, 3, low=0.2)]),
    "norm_fro_dims": (lambda m, x: x.norm("fro", dim=(1, 2)), [rnd(2, 3, 4)]),
    "norm_zero_vector": (lambda m, x: x.norm(dim=1), [np.array([[0.0, 0.0], [3.0, 4.0]])]),
    "norm_inf_ties": (lambda m, x: x.norm(float("inf")), [np.array([1.0, -3.0, 3.0, 2.0])]),
    "norm_0": (lambda m, x: x.norm(0, dim=1), [ZEROS1]),
    "norm_p_zero_entries": (lambda m, x: (x.norm(3, dim=1), x.norm(0.5, dim=1), x.norm(1.5),
                                          x.norm(1, dim=0)),
                            [np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -2.0]])]),
    # sort / argsort / topk
    "sort": (lambda m, x: x.sort(), [rnd(3, 5)]),
    "sort_dim0_desc": (lambda m, x: m.sort(x, 0, descending=True), [rnd(4, 3)]),
    "sort_stable_ties": (lambda m, x: x.sort(stable=True), [TIES]),
    "sort_stable_desc_ties": (lambda m, x: x.sort(descending=True, stable=True), [TIES]),
    "sort_nan": (lambda m, x: x.sort(dim=1, stable=True), [np.array([[1.0, np.nan, -1.0, 2.0]])]),
    "sort_nan_desc": (lambda m, x: x.sort(dim=1, descending=True, stable=True),
                      [np.array([[1.0, np.nan, -1.0, 2.0]])]),
    "sort_empty": (lambda m, x: x.sort(0), [np.zeros((0, 3))]),
    "argsort": (lambda m, x: m.argsort(x, 1), [rnd(3, 5)]),
    "argsort_desc_stable": (lambda m, x: x.argsort(dim=1, descending=True, stable=True),
                            [TIES]),
    "topk": (lambda m, x: x.topk(2), [rnd(3, 5)]),
    "topk_smallest_dim0": (lambda m, x: m.topk(x, 3, dim=0, largest=False), [rnd(4, 3)]),
    "topk_k0": (lambda m, x: x.topk(0), [rnd(2, 3)]),
    # median / kthvalue
    "median_all_odd": (lambda m, x: x.median(), [rnd(3, 5)]),
    "median_all_even": (lambda m, x: m.median(x), [rnd(2, 3)]),
    "median_all_ties": (lambda m, x: x.median(), [TIES]),
    "median_dim": (lambda m, x: x.median(1), [rnd(3, 4)]),
    "median_dim_keepdim": (lambda m, x: m.median(x, 0, keepdim=True), [rnd(5, 3)]),
    "median_nan_dim": (lambda m, x: x.median(1), [np.array([[3.0, np.nan, 1.0, np.nan],
                                                            [2.0, 2.0, 2.0, 1.0]])]),
    "median_nan_all": (lambda m, x: x.median(), [np.array([3.0, np.nan, 1.0])]),
    "kthvalue": (lambda m, x: x.kthvalue(2, 1), [rnd(3, 4)]),
    "kthvalue_keepdim_dim0": (lambda m, x: m.kthvalue(x, 3, 0, True), [rnd(4, 3)]),
    # unique / bincount / searchsorted / bucketize (no gradient)
    "unique": (lambda m, x: m.unique(x, return_inverse=True, return_counts=True),
               [np.floor(rnd(3, 4) * 2)]),
    "unique_dim": (lambda m, x: (x > 0).long().unique(dim=0),
                   [np.array([[1.0, -1], [1, -1], [-1, 1]])]),
    "bincount": (lambda m, x: m.bincount(L(m, [1, 3, 1, 0]), minlength=6), [rnd(1)]),
    "bincount_weights": (lambda m, x: m.bincount(L(m, [1, 3, 1]), weights=x), [rnd(3)]),
    "searchsorted": (lambda m, x: m.searchsorted(L(m, [0.0, 1.0, 1.0, 3.0]),
                                                 L(m, [1.0, -1.0, 2.0, 5.0])), [rnd(1)]),
    "searchsorted_right_2d": (lambda m, x: m.searchsorted(L(m, [[0.0, 1.0], [2.0, 3.0]]),
                                                          L(m, [[1.0], [2.5]]), right=True),
                              [rnd(1)]),
    "bucketize": (lambda m, x: m.bucketize(x, L(m, [-1.0, 0.0, 1.0])), [rnd(2, 3)]),
    # mode: the smallest most frequent value, the index of its last occurrence
    "mode": (lambda m, x: x.mode(1), [np.array([[2.0, 1, 1, 2, 2, 3, 1], [5, 4, 4, 5, 4, 5, 0]])]),
    "mode_dim0_keepdim": (lambda m, x: m.mode(x, 0, keepdim=True),
                          [np.random.default_rng(0).integers(0, 3, (5, 4)).astype(float)]),
    "mode_3d_middle": (lambda m, x: x.mode(1),
                       [np.random.default_rng(1).integers(0, 2, (2, 5, 3)).astype(float)]),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    oracle(fn, *arrays)


@needs_torch
@pytest.mark.parametrize("shape,dim", [((0, 3), 1), ((2, 0, 3), 2), ((4,), 0), ((2, 3, 4), 1)])
@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp", "cummax", "sort", "prod"])
def test_shapes_including_empty(shape: tuple[int, ...], dim: int, op: str) -> None:
    def fn(m: Any, x: Any) -> Any:
        return getattr(x, op)(dim)

    oracle(fn, rnd(*shape, seed=len(shape)))


@needs_torch
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "uint8"])
def test_integer_dtypes_follow_torch(dtype: str) -> None:
    a = np.array([[1, 2, 0], [3, 1, 2]]).astype(dtype)
    for fn in (lambda m, x: x.cumsum(1), lambda m, x: x.prod(), lambda m, x: x.prod(1),
               lambda m, x: x.cumprod(0), lambda m, x: x.sum(dtype=dt(m, "int64")),
               lambda m, x: x.cummax(1), lambda m, x: x.sort(dim=1, stable=True)):
        if dtype == "bool" and fn.__code__.co_names[-1:] == ("sort",):
            continue
        want = _flat(fn(torch, _lib_tensor(torch, a)))
        got = _flat(fn(tg, _lib_tensor(tg, a)))
        for w, g in zip(want, got):
            assert g.dtype == w.numpy().dtype, (dtype, g.dtype, w.dtype)
            np.testing.assert_array_equal(g.numpy(), w.numpy())


# ---- gradcheck (central differences, float64) ------------------------------------------


def t64(a: Any) -> Tensor:
    return Tensor(np.asarray(a, dtype=np.float64), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("fn,arr", [
    (lambda x: x.prod(1), rnd(3, 4)),
    (lambda x: x.prod(), rnd(2, 3, low=0.5)),
    (lambda x: x.cumsum(0), rnd(3, 4)),
    (lambda x: x.cumprod(1), rnd(3, 4)),
    (lambda x: x.cumprod(1), np.array([[1.5, 0.0, 2.0, -3.0]])),
    (lambda x: x.logcumsumexp(1), rnd(3, 4)),
    (lambda x: x.cummax(1).values, rnd(3, 4)),
    (lambda x: x.cummin(0).values, rnd(3, 4)),
    (lambda x: x.norm(), rnd(3, 4)),
    (lambda x: x.norm(3, dim=1), rnd(3, 4)),
    (lambda x: x.norm(1, dim=0), rnd(3, 4)),
    (lambda x: tg.std_mean(x, 1)[0] + tg.std_mean(x, 1)[1], rnd(3, 4)),
    (lambda x: x.sort(1).values, rnd(3, 4)),
    (lambda x: x.topk(2, dim=0).values, rnd(3, 4)),
    (lambda x: x.median(1).values, rnd(3, 5)),
    (lambda x: x.median(), rnd(3, 5)),
], ids=lambda v: "" if not callable(v) else None)
def test_gradcheck(fn: Callable[[Tensor], Tensor], arr: np.ndarray) -> None:
    gradcheck(fn, t64(arr))


@needs_torch
def test_second_derivative_of_prod_and_cumsum() -> None:
    x = t64([[1.5, 2.0, -0.5]])
    gradcheck(lambda t: tg.prod(t) * t.cumsum(1).sum(), x)
    (g,) = [None]
    y = (x.prod() ** 2)
    y.backward(create_graph=True)
    g = x.grad
    assert g is not None and g.requires_grad
    xt = torch.tensor([[1.5, 2.0, -0.5]], dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(xt.prod() ** 2, xt, create_graph=True)
    gt.sum().backward()
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-9)


# ---- hypothesis properties ---------------------------------------------------------------

floats = st.floats(-10, 10, allow_nan=False, width=64)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=floats), st.data())
def test_sort_is_an_ordered_permutation(a: np.ndarray, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, a.ndim - 1))
    desc = data.draw(st.booleans())
    values, idx = Tensor(a, dtype="float64").sort(d, descending=desc)
    v = values.numpy()
    steps = np.diff(v, axis=d)
    assert (steps <= 0).all() if desc else (steps >= 0).all()
    np.testing.assert_array_equal(np.take_along_axis(a, idx.numpy(), d), v)
    np.testing.assert_array_equal(np.sort(idx.numpy(), axis=d),
                                  np.broadcast_to(np.arange(a.shape[d]).reshape(
                                      [-1 if i == d else 1 for i in range(a.ndim)]), a.shape))


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=floats), st.data())
def test_scans_end_in_the_reduction(a: np.ndarray, data: st.DataObject) -> None:
    d = data.draw(st.integers(0, a.ndim - 1))
    x = Tensor(a, dtype="float64")
    last = (slice(None),) * d + (-1,)
    np.testing.assert_allclose(x.cumsum(d).numpy()[last], a.sum(d), atol=1e-9)
    np.testing.assert_allclose(x.cumprod(d).numpy()[last], a.prod(d), rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(x.cummax(d).values.numpy()[last], a.max(d))
    np.testing.assert_allclose(x.logcumsumexp(d).numpy()[last],
                               np.log(np.exp(a).sum(d)), rtol=1e-9, atol=1e-12)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
                  elements=floats))
def test_median_is_the_lower_middle(a: np.ndarray) -> None:
    s = np.sort(a.reshape(-1))
    assert Tensor(a, dtype="float64").median().item() == s[(s.size - 1) // 2]


# ---- edge cases of issue 11 ------------------------------------------------------------


def test_prod_gradient_with_one_and_several_zeros() -> None:
    x = t64([2.0, 0.0, 3.0, 4.0])
    tg.prod(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 24.0, 0.0, 0.0])
    x = t64([2.0, 0.0, 3.0, 0.0])
    x.prod().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0, 0.0])


def test_cumprod_gradient_with_zeros_is_finite_and_exact() -> None:
    x = t64([2.0, 0.0, 3.0, 0.0, 5.0])
    x.cumprod(0).sum().backward()
    # d/dx0 = 1 + 0 ...: only z0 = x0 survives; d/dx1 = x0 + x0·x2 + 0 + 0
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0 + 6.0, 0.0, 0.0, 0.0])


def test_norm_of_zero_vector_has_zero_gradient() -> None:
    x = t64([0.0, 0.0, 0.0])
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_returns_have_values_and_indices() -> None:
    x = Tensor([[3.0, 1.0, 2.0]])
    for out in (x.sort(), x.topk(2), x.median(1), x.cummax(1), x.cummin(1), x.kthvalue(1)):
        values, indices = out
        assert out.values is values and out.indices is indices
        assert indices.dtype == np.int64 and values.dtype == np.float32


def test_float32_stays_float32() -> None:
    x = Tensor(rnd(3, 4).astype(np.float32), requires_grad=True)
    outs = [x.prod(1), x.cumsum(0), x.cumprod(1), x.logcumsumexp(1), x.norm(), x.sort()[0],
            x.median(), tg.std_mean(x)[0], x.cummax(0)[0]]
    sum(o.sum() for o in outs).backward()
    assert all(o.dtype == np.float32 for o in outs) and x.grad.dtype == np.float32


@pytest.mark.parametrize("call,message", [
    (lambda x: x.cumsum(2), "cumsum: axis 2 is out of range"),
    (lambda x: x.topk(5), r"topk: k \(5\) is out of range"),
    (lambda x: x.sort(dim=3), "sort: axis 3"),
    (lambda x: x.median(dim=-3), "median: axis -3"),
    (lambda x: x.norm("nuc"), "norm: p='nuc' is not supported"),
    (lambda x: x.long().norm(), "norm: expected a floating-point tensor"),
    (lambda x: Tensor.zeros(2, 0).median(1), "median: cannot take the median of an empty"),
    (lambda x: Tensor.zeros(0, dtype="int64").median(), "median: an empty int64 tensor"),
    (lambda x: x.kthvalue(4), r"kthvalue: k \(4\) is out of range"),
])
def test_errors_name_the_op(call: Callable[[Tensor], Any], message: str) -> None:
    with pytest.raises((ValueError, IndexError, TypeError), match=message):
        call(Tensor(rnd(2, 3)))


def test_no_numpy_warnings_with_zeros_and_minus_inf(recwarn: Any) -> None:
    a = np.array([[2.0, 0.0, -np.inf], [-np.inf, -np.inf, 0.0]])
    for fn in (lambda x: x.cumprod(1), lambda x: x.logcumsumexp(1), lambda x: x.prod(1),
               lambda x: x.cummax(1).values, lambda x: x.sort(1).values):
        x = Tensor(a, dtype="float64", requires_grad=True)
        y = fn(x)
        y.backward(Tensor(np.ones(y.shape), dtype="float64"))
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_logcumsumexp_of_minus_inf() -> None:
    """e^(−inf) contributes nothing: the result is finite after the first finite input,
    and a −inf input gets gradient 0 (PyTorch gives NaN there; documented)."""
    x = Tensor([-np.inf, 0.0, -np.inf, 1.0], dtype="float64", requires_grad=True)
    y = x.logcumsumexp(0)
    np.testing.assert_allclose(y.detach().numpy(), [-np.inf, 0.0, 0.0, np.log1p(np.e)])
    y.sum().backward()
    g = x.grad.numpy()
    assert g[0] == 0 and g[2] == 0 and np.isfinite(g).all()


with_zeros = st.one_of(st.just(0.0), st.floats(-3, 3, allow_nan=False, allow_subnormal=False,
                                                  width=64))


@needs_torch
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=with_zeros), st.data())
def test_prod_and_cumprod_gradients_with_zeros_match_torch(a: np.ndarray,
                                                           data: st.DataObject) -> None:
    d = data.draw(st.integers(0, a.ndim - 1))
    oracle(lambda m, x: (x.prod(d), x.cumprod(d), m.prod(x)), a)


def test_backend_falls_back_to_the_host_where_the_array_module_lacks_a_method() -> None:
    """An array module without ``ufunc.accumulate``/``ufunc.at`` (older CuPy) still scans
    and scatters, through numpy."""
    import types

    from tinygrad_edu.backend.cpu import CPUBackend

    def plain(fn: Any) -> Any:
        return lambda *a, **k: fn(*a, **k)  # a function: no .accumulate, no .at

    xp = types.SimpleNamespace(**{n: getattr(np, n) for n in dir(np) if not n.startswith("_")})
    for name in ("maximum", "minimum", "logaddexp", "multiply", "add"):
        setattr(xp, name, plain(getattr(np, name)))

    class Bare(CPUBackend):
        pass

    Bare.xp = xp
    be = Bare()
    a = np.array([[3.0, 1.0, 4.0], [1.0, 5.0, 9.0]])
    np.testing.assert_array_equal(be.scan("max", a, 1), np.maximum.accumulate(a, 1))
    np.testing.assert_allclose(be.scan("logaddexp", a, 0), np.logaddexp.accumulate(a, 0))
    out = be.index_put(a.copy(), (np.array([0, 0]), np.array([1, 1])), np.array([2.0, 3.0]),
                       "prod")
    assert out[0, 1] == 6.0


@needs_torch
@given(st.data())
def test_order_and_scan_ops_match_torch(data: st.DataObject) -> None:
    """Distinct values (ties may legitimately be ordered differently), any shape."""
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    n = int(np.prod(shape))
    a = np.random.default_rng(data.draw(st.integers(0, 2**16))).permutation(n) \
        .reshape(shape) / n - 0.5
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[d]))
    desc = data.draw(st.booleans())
    oracle(lambda m, x: (*x.sort(d, desc), *x.topk(k, d, desc), *x.cummax(d), *x.cummin(d),
                         *x.median(d), *x.kthvalue(max(k, 1), d, True), x.logcumsumexp(d),
                         x.cumsum(d), x.cumprod(d), x.prod(d), x.norm(3, d), x.median()), a)
