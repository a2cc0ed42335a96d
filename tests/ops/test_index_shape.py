"""Indexing and shape ops against PyTorch (float64 forward and gradients): gather/scatter,
index_select, masks, nonzero, flip/roll/repeat, unfold, diagonals, meshgrid, einsum,
narrow/movedim, PyTorch's advanced-indexing rule and ``x[idx] = v``; plus gradchecks,
hypothesis properties and the error messages."""

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


def L(m: Any, a: Any) -> Any:
    """``a`` as a constant tensor of library ``m`` (torch or tinygrad_edu), dtype kept."""
    a = np.asarray(a)
    return torch.tensor(a) if m is torch else Tensor(a, dtype=a.dtype)


def _flat(out: Any) -> list[Any]:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def oracle(fn: Callable[..., Any], *arrays: Any, grad: bool = True) -> None:
    """``fn(lib, *tensors)`` on torch and on tinygrad_edu with the same float64 inputs:
    every output (shape, dtype, values) and the gradient of Σ out·w must agree."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    ours = [Tensor(a, dtype="float64", requires_grad=grad) for a in arrays]
    out_t, out_o = _flat(fn(torch, *ts)), _flat(fn(tg, *ours))
    assert len(out_t) == len(out_o)
    rng = np.random.default_rng(3)
    loss_t: Any = 0
    loss_o: Any = 0
    for k, (a, b) in enumerate(zip(out_t, out_o)):
        want = a.detach().numpy()
        assert isinstance(b, Tensor), f"output {k}: {type(b).__name__}"
        assert b.shape == want.shape, f"output {k}: shape {b.shape} vs {want.shape}"
        assert b.dtype == want.dtype, f"output {k}: dtype {b.dtype} vs {want.dtype}"
        np.testing.assert_allclose(b.detach().numpy(), want, atol=1e-10, rtol=1e-9,
                                   err_msg=f"output {k} differs from PyTorch")
        if grad and a.requires_grad:
            assert b.requires_grad, f"output {k} should require grad"
            w = rng.uniform(0.5, 1.5, want.shape)
            loss_t = loss_t + (a * torch.tensor(w)).sum()
            loss_o = loss_o + (b * Tensor(w, dtype="float64")).sum()
    if isinstance(loss_t, int):
        return
    loss_t.backward()
    loss_o.backward()
    for k, (a, b) in enumerate(zip(ts, ours)):
        want = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        got = np.zeros(b.shape) if b.grad is None else b.grad.numpy()
        np.testing.assert_allclose(got, want, atol=1e-9, rtol=1e-7,
                                   err_msg=f"gradient of input {k} differs from PyTorch")


def rnd(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-2, 2, shape)


IDX = np.array([[0, 2, 1, 2], [1, 1, 0, 0]])  # repeats on purpose
UNIQ0 = np.array([[1, 0, 2, 1], [0, 2, 1, 0]])  # distinct rows per column: scatter is exact
MASK = np.array([[True, False, True, False], [False, False, True, True], [True] * 4])

CASES: dict[str, tuple[Callable[..., Any], list[np.ndarray]]] = {
    # gather
    "gather_dim1": (lambda m, x: m.gather(x, 1, L(m, IDX[:, :3])), [rnd(2, 3)]),
    "gather_dim0": (lambda m, x: x.gather(0, L(m, IDX[:, :3] % 2)), [rnd(3, 3)]),
    "gather_smaller_index": (lambda m, x: x.gather(1, L(m, [[0], [2]])), [rnd(3, 4)]),
    "gather_3d": (lambda m, x: x.gather(-1, L(m, np.zeros((2, 3, 2), np.int64))),
                  [rnd(2, 3, 4)]),
    "gather_empty_index": (lambda m, x: x.gather(1, L(m, np.zeros((2, 0), np.int64))),
                           [rnd(2, 3)]),
    "gather_0d": (lambda m, x: x.gather(0, L(m, 0)), [np.array(1.5)]),
    # scatter / scatter_add / scatter_reduce
    "scatter_0d": (lambda m, x, s: x.scatter(0, L(m, 0), s), [np.array(1.5), np.array(2.0)]),
    "scatter_add_0d": (lambda m, x, s: x.scatter_add(-1, index=L(m, 0), src=s),
                       [np.array(1.5), np.array(2.0)]),
    "scatter_src": (lambda m, x, s: x.scatter(0, L(m, UNIQ0), s), [rnd(3, 4), rnd(2, 4)]),
    "scatter_value": (lambda m, x: x.scatter(1, L(m, [[0, 2], [1, 1]]), 7.5), [rnd(2, 3)]),
    "scatter_add": (lambda m, x, s: x.scatter_add(1, L(m, IDX), s), [rnd(2, 3), rnd(2, 4)]),
    "scatter_add_dim0": (lambda m, x, s: m.scatter_add(x, 0, L(m, IDX % 2), s),
                         [rnd(2, 4), rnd(2, 4)]),
    "scatter_reduce_sum": (lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "sum"),
                           [rnd(2, 3), rnd(2, 4)]),
    "scatter_reduce_sum_noself": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "sum", include_self=False),
        [rnd(2, 4), rnd(2, 4)]),
    "scatter_reduce_mean": (lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "mean"),
                            [rnd(2, 3), rnd(2, 4)]),
    "scatter_reduce_mean_noself": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "mean", include_self=False),
        [rnd(2, 4), rnd(2, 4)]),
    "scatter_reduce_prod": (lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "prod"),
                            [rnd(2, 3), rnd(2, 4)]),
    "scatter_reduce_prod_noself": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "prod", include_self=False),
        [rnd(2, 4), rnd(2, 4)]),
    "scatter_reduce_prod_zeros": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "prod"),
        [np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 2.0]]),
         np.array([[1.0, 0.0, 2.0, 0.0], [3.0, 0.0, 2.0, 0.5]])]),
    "scatter_reduce_amax": (lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "amax"),
                            [rnd(2, 3), rnd(2, 4)]),
    "scatter_reduce_amin_noself": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "amin", include_self=False),
        [rnd(2, 4, seed=2), rnd(2, 4)]),
    # x equal to the result though left out: PyTorch still counts it among the ties
    "scatter_reduce_amin_noself_equal": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "amin", include_self=False),
        [rnd(2, 4), rnd(2, 4)]),
    "scatter_reduce_amax_ties": (
        lambda m, x, s: x.scatter_reduce(1, L(m, IDX), s, "amax"),
        [np.array([[1.0, 2.0, 5.0], [1.0, 1.0, 0.0]]),
         np.array([[1.0, 2.0, 2.0, 5.0], [1.0, 0.5, 1.0, 1.0]])]),
    # index_select / masked_* / where / nonzero
    "index_select": (lambda m, x: m.index_select(x, 1, L(m, [2, 0, 2])), [rnd(3, 4)]),
    "index_select_dim0": (lambda m, x: x.index_select(0, L(m, [1, 1])), [rnd(3, 4)]),
    "index_select_empty": (lambda m, x: x.index_select(0, L(m, np.zeros(0, np.int64))),
                           [rnd(3, 4)]),
    "masked_fill": (lambda m, x: x.masked_fill(L(m, MASK), -1.5), [rnd(3, 4)]),
    "masked_fill_broadcast": (lambda m, x: x.masked_fill(L(m, MASK[0]), 0.0), [rnd(3, 4)]),
    "masked_fill_tensor_value": (lambda m, x, v: x.masked_fill(L(m, MASK), v),
                                 [rnd(3, 4), np.array(2.5)]),
    "masked_select": (lambda m, x: m.masked_select(x, L(m, MASK)), [rnd(3, 4)]),
    "masked_select_broadcast": (lambda m, x: x.masked_select(L(m, MASK[1])), [rnd(2, 4)]),
    "where_scalars": (lambda m, x: m.where(x > 0, 1.0, 0.0), [rnd(3, 4)]),
    "where_scalar_other": (lambda m, x: m.where(x > 0, x, -1.0), [rnd(3, 4)]),
    "nonzero": (lambda m, x: m.nonzero(x > 0), [rnd(3, 4)]),
    "nonzero_tuple": (lambda m, x: m.nonzero(x > 0.5, as_tuple=True), [rnd(2, 3, 2)]),
    "nonzero_none": (lambda m, x: (x > 10).nonzero(), [rnd(3, 4)]),
    # index_add / index_copy / index_fill / index_put / take / take_along_dim
    "index_add": (lambda m, x, s: x.index_add(1, L(m, [2, 0, 2]), s, alpha=1.5),
                  [rnd(2, 3), rnd(2, 3)]),
    "index_copy": (lambda m, x, s: x.index_copy(0, L(m, [2, 0]), s), [rnd(3, 2), rnd(2, 2)]),
    "index_fill": (lambda m, x: x.index_fill(1, L(m, [0, 2]), -2.0), [rnd(2, 3)]),
    "index_fill_tensor": (lambda m, x, v: x.index_fill(1, L(m, [1]), v),
                          [rnd(2, 3), np.array(4.0)]),
    "index_put": (lambda m, x, v: x.index_put((L(m, [0, 1]), L(m, [2, 0])), v),
                  [rnd(2, 3), rnd(2)]),
    "index_put_accumulate": (
        lambda m, x, v: x.index_put((L(m, [0, 0, 1]),), v, accumulate=True),
        [rnd(2, 3), rnd(3)]),
    "take": (lambda m, x: m.take(x, L(m, [[0, 5], [3, 3]])), [rnd(2, 3)]),
    "take_along_dim": (lambda m, x: m.take_along_dim(x, L(m, [[0], [2]]), 1), [rnd(2, 3)]),
    "take_along_dim_broadcast": (lambda m, x: x.take_along_dim(L(m, [[[1, 0]]]), dim=2),
                                 [rnd(2, 3, 4)]),
    "take_along_dim_flat": (lambda m, x: m.take_along_dim(x, L(m, [5, 0])), [rnd(2, 3)]),
    # in-place forms on a tensor in a graph (PyTorch rewrites the graph)
    "masked_fill_": (lambda m, x: (x * 1).masked_fill_(L(m, MASK), 0.5), [rnd(3, 4)]),
    "scatter_": (lambda m, x, s: (x * 1).scatter_(0, L(m, UNIQ0), s), [rnd(3, 4), rnd(2, 4)]),
    "scatter_add_": (lambda m, x, s: (x * 2).scatter_add_(1, L(m, IDX), s),
                     [rnd(2, 3), rnd(2, 4)]),
    "scatter_reduce_": (lambda m, x, s: (x + 0).scatter_reduce_(1, L(m, IDX), s, "amax"),
                        [rnd(2, 3, seed=4), rnd(2, 4)]),
    "index_add_": (lambda m, x, s: (x * 1).index_add_(0, L(m, [1, 1]), s),
                   [rnd(2, 3), rnd(2, 3)]),
    "index_fill_": (lambda m, x: (x * 1).index_fill_(0, L(m, [1]), 3.0), [rnd(2, 3)]),
    # flip / roll / repeat / repeat_interleave / unbind / unfold / unflatten
    "flip": (lambda m, x: m.flip(x, (0, 2)), [rnd(2, 3, 4)]),
    "flip_method": (lambda m, x: x.flip(-1), [rnd(2, 3)]),
    "flip_dims_keyword": (lambda m, x: m.flip(x, dims=[1, 0]), [rnd(2, 3)]),
    "flip_varargs": (lambda m, x: x.flip(0, 1), [rnd(2, 3)]),
    "roll": (lambda m, x: m.roll(x, 1, 1), [rnd(3, 4)]),
    "roll_neg_multi": (lambda m, x: x.roll((-1, 5), (0, 1)), [rnd(3, 4)]),
    "roll_flat": (lambda m, x: x.roll(2), [rnd(3, 4)]),
    "repeat": (lambda m, x: x.repeat(2, 3), [rnd(2, 3)]),
    "repeat_new_dims": (lambda m, x: x.repeat(2, 1, 2), [rnd(3)]),
    "repeat_zero": (lambda m, x: x.repeat(0, 2), [rnd(2, 3)]),
    "repeat_interleave": (lambda m, x: x.repeat_interleave(2), [rnd(2, 3)]),
    "repeat_interleave_dim": (lambda m, x: m.repeat_interleave(x, 3, dim=1), [rnd(2, 3)]),
    "repeat_interleave_counts": (lambda m, x: x.repeat_interleave(L(m, [1, 0, 2]), dim=0),
                                 [rnd(3, 2)]),
    "repeat_interleave_index": (lambda m, x: m.repeat_interleave(L(m, [2, 0, 1])), [rnd(1)]),
    "unbind": (lambda m, x: m.unbind(x, 1), [rnd(2, 3)]),
    "unbind_method": (lambda m, x: x.unbind(), [rnd(3, 2)]),
    "unfold": (lambda m, x: x.unfold(1, 3, 2), [rnd(2, 7)]),
    "unfold_dim0": (lambda m, x: x.unfold(0, 2, 1), [rnd(4, 3)]),
    "unfold_overlap_3d": (lambda m, x: x.unfold(-1, 2, 1), [rnd(2, 2, 5)]),
    "unflatten": (lambda m, x: x.unflatten(1, (2, -1)), [rnd(3, 6)]),
    # diag / diagonal / meshgrid
    "diag_vector": (lambda m, x: m.diag(x), [rnd(3)]),
    "diag_vector_above": (lambda m, x: x.diag(1), [rnd(3)]),
    "diag_vector_below": (lambda m, x: m.diag(x, -2), [rnd(2)]),
    "diag_matrix": (lambda m, x: x.diag(), [rnd(3, 4)]),
    "diag_matrix_offset": (lambda m, x: m.diag(x, -1), [rnd(3, 4)]),
    "diagonal": (lambda m, x: x.diagonal(), [rnd(3, 4)]),
    "diagonal_dims": (lambda m, x: m.diagonal(x, 1, 2, 0), [rnd(3, 2, 4)]),
    "diagonal_out_of_range": (lambda m, x: x.diagonal(5), [rnd(3, 4)]),
    "meshgrid_ij": (lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [rnd(3), rnd(4)]),
    "meshgrid_xy": (lambda m, x, y, z: m.meshgrid(x, y, z, indexing="xy"),
                    [rnd(3), rnd(4), rnd(2)]),
    # einsum
    "einsum_matmul": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), [rnd(2, 3), rnd(3, 4)]),
    "einsum_batch": (lambda m, a, b: m.einsum("bij,bjk->bik", a, b),
                     [rnd(2, 2, 3), rnd(2, 3, 4)]),
    "einsum_trace": (lambda m, a: m.einsum("ii", a), [rnd(3, 3)]),
    "einsum_diag": (lambda m, a: m.einsum("ii->i", a), [rnd(3, 3)]),
    "einsum_transpose": (lambda m, a: m.einsum("ijk->kji", a), [rnd(2, 3, 4)]),
    "einsum_sum": (lambda m, a: m.einsum("ij->", a), [rnd(2, 3)]),
    "einsum_row_sum": (lambda m, a: m.einsum("ij->i", a), [rnd(2, 3)]),
    "einsum_outer": (lambda m, a, b: m.einsum("i,j->ij", a, b), [rnd(3), rnd(4)]),
    "einsum_dot_implicit": (lambda m, a, b: m.einsum("i,i", a, b), [rnd(3), rnd(3)]),
    "einsum_implicit": (lambda m, a, b: m.einsum("ba,ac", a, b), [rnd(2, 3), rnd(3, 4)]),
    "einsum_ellipsis_broadcast": (lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
                                  [rnd(2, 1, 2, 3), rnd(4, 3, 2)]),
    "einsum_three": (lambda m, a, b, c: m.einsum("ij,jk,kl->il", a, b, c),
                     [rnd(2, 3), rnd(3, 4), rnd(4, 2)]),
    "einsum_list": (lambda m, a, b: m.einsum("ij,ij->i", [a, b]), [rnd(2, 3), rnd(2, 3)]),
    "einsum_lone_letter": (lambda m, a, b: m.einsum("ij,k->i", a, b), [rnd(2, 3), rnd(4)]),
    "einsum_spaces": (lambda m, a, b: m.einsum("b i , b j -> b i j", a, b),
                      [rnd(2, 3), rnd(2, 2)]),
    # rot90 / tile / fliplr / flipud / swapaxes / trace / outer / tensordot
    "rot90": (lambda m, x: m.rot90(x), [rnd(2, 3)]),
    "rot90_k3_dims": (lambda m, x: x.rot90(3, (2, 0)), [rnd(2, 3, 4)]),
    "rot90_k_neg2": (lambda m, x: x.rot90(-2, [0, 1]), [rnd(2, 3)]),
    "tile": (lambda m, x: m.tile(x, (2,)), [rnd(2, 3)]),
    "tile_more": (lambda m, x: x.tile(2, 1, 3), [rnd(2, 3)]),
    "fliplr_flipud": (lambda m, x: (m.fliplr(x), m.flipud(x)), [rnd(2, 3)]),
    "swapaxes": (lambda m, x: x.swapaxes(0, 2), [rnd(2, 3, 4)]),
    "swapdims": (lambda m, x: x.swapdims(-1, 0), [rnd(2, 3)]),
    "trace": (lambda m, x: m.trace(x), [rnd(3, 4)]),
    "outer": (lambda m, a, b: m.outer(a, b), [rnd(3), rnd(2)]),
    "tensordot_int": (lambda m, a, b: m.tensordot(a, b, 1), [rnd(2, 3), rnd(3, 4)]),
    "tensordot_pairs": (lambda m, a, b: m.tensordot(a, b, dims=([1, 0], [0, 2])),
                        [rnd(2, 3, 4), rnd(3, 5, 2)]),
    "tensordot_default": (lambda m, a, b: m.tensordot(a, b), [rnd(2, 3, 4), rnd(3, 4)]),
    # narrow / movedim
    "narrow": (lambda m, x: m.narrow(x, 1, 1, 2), [rnd(3, 4)]),
    "narrow_negative_start": (lambda m, x: x.narrow(0, -2, 2), [rnd(3, 4)]),
    "movedim": (lambda m, x: m.movedim(x, 0, -1), [rnd(2, 3, 4)]),
    "movedim_multi": (lambda m, x: x.movedim((0, 1), (2, 0)), [rnd(2, 3, 4)]),
    "moveaxis": (lambda m, x: m.moveaxis(x, -1, 0), [rnd(2, 3, 4)]),
    # PyTorch's advanced-indexing rule (ints with arrays separated by a slice)
    "index_int_slice_list": (lambda m, x: x[0, :, [0, 1]], [rnd(2, 3, 4)]),
    "index_list_slice_int": (lambda m, x: x[[1, 0], :, 2], [rnd(2, 3, 4)]),
    "index_slice_int_list": (lambda m, x: x[:, 0, [0, 1, 1]], [rnd(2, 3, 4)]),
    "index_int_slice_tensor": (lambda m, x: x[1, 1:, L(m, [[0, 3], [2, 2]])], [rnd(2, 3, 4)]),
    "index_lists_separated": (lambda m, x: x[[0, 1], :, [0, 1]], [rnd(2, 3, 4)]),
    "index_int_none_list": (lambda m, x: x[0, None, :, [1, 2]], [rnd(2, 3, 4)]),
    "index_int_ellipsis_list": (lambda m, x: x[1, ..., [0, 0, 3]], [rnd(2, 3, 4)]),
    "index_0d_tensor_slice_list": (lambda m, x: x[L(m, 1), :, [0, 1]], [rnd(2, 3, 4)]),
    "index_int_slice_bool": (lambda m, x: x[0, :, L(m, [True, False, True, True])],
                             [rnd(2, 3, 4)]),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    oracle(fn, *arrays)


@needs_torch
@pytest.mark.parametrize("shape", [(0, 3), (2, 0), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("op", [
    lambda m, x: x.flip(0), lambda m, x: x.roll(1, 0), lambda m, x: x.repeat(2, 1, 2),
    lambda m, x: x.movedim(0, -1), lambda m, x: x.narrow(-1, 0, x.shape[-1] // 2),
    lambda m, x: x.unbind(-1), lambda m, x: x.masked_fill(x > 0, 1.0),
    lambda m, x: x.masked_select(x > 0), lambda m, x: (x > 0).nonzero(),
    lambda m, x: x.index_select(0, L(m, np.zeros(min(x.shape[0], 2), np.int64))),
    lambda m, x: x.repeat_interleave(2, dim=-1), lambda m, x: x.diagonal(0, 0, -1),
], ids=["flip", "roll", "repeat", "movedim", "narrow", "unbind", "masked_fill",
        "masked_select", "nonzero", "index_select", "repeat_interleave", "diagonal"])
def test_shapes_including_empty(op: Callable[..., Any], shape: tuple[int, ...]) -> None:
    oracle(op, rnd(*shape))


@needs_torch
def test_scatter_reads_only_the_corner_of_a_bigger_src() -> None:
    """PyTorch's forward; its own backward refuses a bigger src, ours gathers g."""
    a, s = rnd(3, 4), rnd(3, 5, seed=1)
    want = torch.tensor(a).scatter(0, torch.tensor(UNIQ0[:, :2]), torch.tensor(s))
    x, src = t64(a), t64(s)
    out = x.scatter(0, Tensor(UNIQ0[:, :2]), src)
    np.testing.assert_array_equal(out.detach().numpy(), want.numpy())
    out.sum().backward()
    assert src.grad.numpy()[:2, :2].sum() == 4 and src.grad.numpy().sum() == 4


# ---- x[index] = value ------------------------------------------------------------------


@needs_torch
@pytest.mark.parametrize("index,value", [
    ((0, slice(None), [0, 1]), 5.0),
    ((slice(None), 1), np.array([1.0, 2.0, 3.0, 4.0])),
    (([0, 1], slice(None), [2, 3]), np.array([1.0, 2.0, 3.0])),  # PyTorch's (2, 3) layout
    ((Ellipsis, 0), np.ones((1, 3))),  # extra leading 1-sized dims are dropped
    ((np.array([[True, False, True], [False, True, True]]),), -1.0),
    ((np.array(1), slice(None), [0, 3]), np.array([7.0, 8.0])),  # a 0-d tensor index
])
def test_setitem_like_torch(index: Any, value: Any) -> None:
    a = rnd(2, 3, 4)
    ti = tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    oi = tuple(Tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    t, o = torch.tensor(a), Tensor(a, dtype="float64")
    t[ti] = torch.tensor(value) if isinstance(value, np.ndarray) else value
    v0 = o._version
    o[oi] = Tensor(value, dtype="float64") if isinstance(value, np.ndarray) else value
    np.testing.assert_array_equal(o.numpy(), t.numpy())
    assert o._version == v0 + 1


@needs_torch
def test_setitem_in_a_graph_like_torch() -> None:
    """A non-leaf written in place (and a value that requires grad): gradients flow to
    the value at the index and to the old tensor elsewhere."""
    a, v = rnd(3, 4), rnd(2)
    xt, vt = torch.tensor(a, requires_grad=True), torch.tensor(v, requires_grad=True)
    xo, vo = Tensor(a, dtype="float64", requires_grad=True), \
        Tensor(v, dtype="float64", requires_grad=True)
    for x, val, lib in ((xt, vt, torch), (xo, vo, tg)):
        y = x * 2
        y[1, [0, 2]] = val * 3
        z = y.exp() if lib is torch else y.exp()
        (z * L(lib, rnd(3, 4, seed=5))).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(vo.grad.numpy(), vt.grad.numpy(), rtol=1e-12)


def test_setitem_value_requiring_grad_into_a_constant() -> None:
    x = Tensor.zeros(2, 3, dtype="float64")
    v = Tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    x[1] = v
    assert x.requires_grad and not x.is_leaf
    (x * 2).sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 2.0, 2.0])


def test_setitem_on_a_leaf_that_requires_grad() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem: a leaf tensor that requires grad"):
        x[0] = 5.0
    with tg.no_grad():
        x[0] = 5.0  # as an optimiser would
    assert x.tolist() == [5.0, 2.0, 3.0] and x._version == 1


def test_setitem_is_seen_through_views_and_bumps_the_version() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3))
    d = x.detach()
    x[:, 1] = 0.0
    assert d.tolist() == [[0.0, 0.0, 2.0], [3.0, 0.0, 5.0]] and d._version == 1


def test_setitem_bad_shape_names_the_op() -> None:
    x = Tensor.zeros(2, 3)
    with pytest.raises(ValueError, match=r"setitem: cannot assign a value of shape \(4,\)"):
        x[0] = Tensor.ones(4)
    with pytest.raises(IndexError, match="index"):
        x[5] = 1.0


def test_in_place_forms() -> None:
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="masked_fill_: a leaf tensor that requires grad"):
        x.masked_fill_(Tensor([True, False, True]), 0.0)
    with tg.no_grad():
        assert x.masked_fill_(Tensor([True, False, False]), 0.0) is x
    assert x.tolist() == [0.0, 2.0, 3.0] and x._version == 1
    y = Tensor.zeros(2, 3)
    view = y.detach()
    y.index_fill_(1, Tensor([0, 2]), 1.0).scatter_add_(0, Tensor([[1, 1, 1]]),
                                                        Tensor([[1.0, 2.0, 3.0]]))
    assert view.tolist() == [[1.0, 0.0, 1.0], [2.0, 2.0, 4.0]] and view._version == 2


def test_modified_output_is_caught_in_backward() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


# ---- gradcheck ------------------------------------------------------------------------


def t64(a: Any) -> Tensor:
    return Tensor(np.asarray(a, dtype=np.float64), dtype="float64", requires_grad=True)


@pytest.mark.parametrize("fn,arrs", [
    (lambda x: x.gather(1, Tensor(IDX[:, :3])), [rnd(2, 3)]),
    (lambda x, s: x.scatter(0, Tensor(UNIQ0), s), [rnd(3, 4), rnd(2, 4)]),
    (lambda x, s: x.scatter_add(1, Tensor(IDX), s), [rnd(2, 3), rnd(2, 4)]),
    (lambda x, s: x.scatter_reduce(1, Tensor(IDX), s, "mean"), [rnd(2, 3), rnd(2, 4)]),
    (lambda x, s: x.scatter_reduce(1, Tensor(IDX), s, "prod"), [rnd(2, 3), rnd(2, 4)]),
    (lambda x, s: x.scatter_reduce(1, Tensor(IDX), s, "amax", include_self=False),
     [rnd(2, 4, seed=2), rnd(2, 4)]),
    (lambda x: x.index_select(0, Tensor([2, 0, 2])), [rnd(3, 2)]),
    (lambda x: x.masked_fill(Tensor(MASK), 1.0), [rnd(3, 4)]),
    (lambda x: x.masked_select(Tensor(MASK)), [rnd(3, 4)]),
    (lambda x: x.roll((1, -1), (0, 1)).flip(0), [rnd(3, 4)]),
    (lambda x: x.repeat(2, 2), [rnd(2, 3)]),
    (lambda x: x.repeat_interleave(Tensor([2, 1]), dim=0), [rnd(2, 3)]),
    (lambda x: x.unfold(1, 3, 1), [rnd(2, 5)]),
    (lambda x: tg.diag(x, 1), [rnd(3)]),
    (lambda x: x.diagonal(-1), [rnd(4, 3)]),
    (lambda a, b: tg.einsum("bij,jk->bik", a, b), [rnd(2, 2, 3), rnd(3, 2)]),
    (lambda a: tg.einsum("iij->j", a), [rnd(3, 3, 2)]),
    (lambda x: x[0, :, [0, 1]], [rnd(2, 3, 4)]),
    (lambda x, y: tg.stack(tg.meshgrid(x, y, indexing="xy")), [rnd(3), rnd(2)]),
])
def test_gradcheck(fn: Callable[..., Tensor], arrs: list[np.ndarray]) -> None:
    gradcheck(fn, *[t64(a) for a in arrs])


def test_einsum_second_derivative() -> None:
    a, b = t64(rnd(2, 3)), t64(rnd(3, 2, seed=1))
    gradcheck(lambda x, y: tg.einsum("ij,jk->ik", x, y).exp(), a, b)
    (ga,) = [None]
    out = tg.einsum("ij,jk->", a, b) ** 2
    out.backward(create_graph=True)
    ga = a.grad
    assert ga is not None and ga.requires_grad


# ---- hypothesis properties ---------------------------------------------------------------


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-5, 5)), st.data())
def test_gather_scatter_add_adjoint(a: np.ndarray, data: st.DataObject) -> None:
    """⟨gather(x, I), y⟩ = ⟨x, scatter_add(0, I, y)⟩ — the two are adjoint, so gather's
    gradient is right for any index."""
    d = data.draw(st.integers(0, a.ndim - 1))
    shape = list(a.shape)
    shape[d] = data.draw(st.integers(0, 4))
    idx = np.asarray(data.draw(hnp.arrays(np.int64, tuple(shape),
                                          elements=st.integers(0, a.shape[d] - 1))))
    y = np.random.default_rng(0).uniform(-1, 1, idx.shape)
    x = Tensor(a, dtype="float64")
    left = float((x.gather(d, Tensor(idx)) * Tensor(y, dtype="float64")).sum().item())
    scattered = Tensor(np.zeros_like(a), dtype="float64").scatter_add(
        d, Tensor(idx), Tensor(y, dtype="float64"))
    right = float((x * scattered).sum().item())
    assert abs(left - right) <= 1e-9 * (1 + abs(left))


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-5, 5)), st.data())
def test_flip_roll_movedim_round_trip(a: np.ndarray, data: st.DataObject) -> None:
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    s = data.draw(st.integers(-7, 7))
    x = Tensor(a, dtype="float64")
    np.testing.assert_array_equal(x.flip(d).flip(d).numpy(), a)
    np.testing.assert_array_equal(x.roll(s, d).roll(-s, d).numpy(), a)
    np.testing.assert_array_equal(x.roll(s, d).numpy(), np.roll(a, s, d))
    np.testing.assert_array_equal(x.movedim(d, 0).movedim(0, d).numpy(), a)


# ---- errors name the op ------------------------------------------------------------------


@pytest.mark.parametrize("call,message", [
    (lambda x: x.gather(1, Tensor([[0, 5]])), "gather: index 5 is out of bounds"),
    (lambda x: x.gather(1, Tensor([0, 1])), "gather: index of shape"),
    (lambda x: x.gather(1, Tensor([[0.5]])), "gather: the index must be an integer"),
    (lambda x: x.scatter(0, Tensor([[0, 1, 1, 0]]), 1.0), "scatter: index of shape"),
    (lambda x: x.scatter(0, Tensor([[0, 1]]), Tensor([[1.0]])), "scatter: index of shape"),
    (lambda x: x.scatter_reduce(0, Tensor([[0]]), x, "max"), "scatter_reduce: reduce must"),
    (lambda x: x.index_select(0, Tensor([3])), "index_select: index 3 is out of bounds"),
    (lambda x: x.masked_fill(Tensor([1, 0, 1]), 0.0), "masked_fill: the mask must be a bool"),
    (lambda x: x.masked_fill(Tensor([[[True]]] * 2), 0.0), "masked_fill: the mask of shape"),
    (lambda x: x.repeat(2), r"repeat: number of repeat dims \(1\)"),
    (lambda x: x.unfold(1, 4, 1), r"unfold: size \(4\) must be in"),
    (lambda x: x.narrow(1, 2, 2), r"narrow: start \(2\) \+ length \(2\) exceeds"),
    (lambda x: x.diagonal(0, 1, 1), "diagonal: dim1 and dim2 must differ"),
    (lambda x: tg.einsum("ij,jk->ik", x, x), "einsum: letter 'j'"),
    (lambda x: tg.einsum("ijk->i", x), "einsum: the subscript 'ijk' has 3 letters"),
    (lambda x: tg.einsum("ij->k", x), "einsum: output letters"),
    (lambda x: tg.meshgrid(x, indexing="yx"), "meshgrid: indexing must be"),
    (lambda x: x.roll((1, 2), 0), "roll: shifts"),
    (lambda x: x.movedim(0, 0).movedim((0, 0), (1, 0)), "movedim: dims"),
    (lambda x: x.unflatten(1, (2, 2)), r"unflatten: sizes \(2, 2\) do not multiply"),
    (lambda x: x.index_put((Tensor([0]),), Tensor([1.0] * 5)), "index_put: cannot assign"),
    (lambda x: x.take(Tensor([6])), "take: index 6 is out of bounds"),
])
def test_errors_name_the_op(call: Callable[[Tensor], Any], message: str) -> None:
    with pytest.raises((ValueError, IndexError, TypeError), match=message):
        call(Tensor(rnd(2, 3)))


def test_float32_and_integer_dtypes_are_kept() -> None:
    x = Tensor(rnd(3, 4).astype(np.float32), requires_grad=True)
    outs = [x.gather(1, Tensor(IDX[:, :3])), x.flip(0), x.roll(1, 1), x.repeat(1, 2),
            x.unfold(1, 2, 2), x.diagonal(), x.masked_fill(Tensor(MASK), 0),
            tg.einsum("ij->j", x), x[0, :, None][:, [0]]]
    sum(o.sum() for o in outs).backward()
    assert all(o.dtype == np.float32 for o in outs) and x.grad.dtype == np.float32
    i = Tensor(np.arange(12).reshape(3, 4))
    assert i.masked_fill(Tensor(MASK), 2.7).tolist()[0] == [2, 1, 2, 3]
    assert i.gather(0, Tensor([[2, 0, 1, 0]])).dtype == np.int64
    # integer mean rounds toward −∞: row 0 = [0, 1, 2, 3] receives 5 (at 0), 1 and 4 (at 2),
    # 2 (at 1): [(0+5)//2, (1+2)//2, (2+1+4)//3, 3]
    assert i.scatter_reduce(1, Tensor(IDX[:1]), Tensor([[5, 1, 2, 4]]), "mean").tolist()[0] \
        == [2, 1, 2, 3]


@st.composite
def _index_for(draw: Any, shape: tuple[int, ...]) -> tuple[Any, ...]:
    """A random mix of ints, slices, integer lists, None and at most one Ellipsis."""
    items: list[Any] = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "list", "none_then_slice"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "list":
            items.append(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=3)))
        elif kind == "slice":
            items.append(slice(draw(st.integers(0, n)), None, draw(st.integers(1, 2))))
        else:
            items += [None, slice(None)]
    lists = [i for i, it in enumerate(items) if isinstance(it, list)]
    for i in lists[1:]:  # lists broadcast together: give them all the first one's length
        items[i] = (items[i] * 3)[:len(items[lists[0]])]
    if items and draw(st.booleans()):
        cut = draw(st.integers(0, len(items) - 1))
        items = items[:cut] + [Ellipsis]
    return tuple(items)


@needs_torch
@given(st.data())
def test_indexing_matches_torch(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    index = data.draw(_index_for(shape))
    oracle(lambda m, x: x[index], rnd(*shape))


@needs_torch
@given(st.data())
def test_setitem_matches_torch(data: st.DataObject) -> None:
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    index = data.draw(_index_for(shape))
    t = torch.tensor(rnd(*shape))
    o = Tensor(t.numpy(), dtype="float64")
    value = rnd(*t[index].shape, seed=9)
    t[index] = torch.tensor(value)
    o[index] = Tensor(value, dtype="float64")
    np.testing.assert_array_equal(o.numpy(), t.numpy())


@needs_torch
@given(st.data())
def test_scatter_reduce_matches_torch(data: st.DataObject) -> None:
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    include_self = data.draw(st.booleans())
    rows, n, m = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4)), \
        data.draw(st.integers(0, 5))
    idx = np.asarray(data.draw(hnp.arrays(np.int64, (rows, m), elements=st.integers(0, n - 1))))
    vals = st.sampled_from([0.0, 1.0, -1.5, 2.0, 0.5, -3.0])  # ties and zeros on purpose
    x = data.draw(hnp.arrays(np.float64, (rows, n), elements=vals))
    s = data.draw(hnp.arrays(np.float64, (rows, m), elements=vals))
    oracle(lambda lib, a, b: a.scatter_reduce(1, L(lib, idx), b, reduce,
                                              include_self=include_self), x, s)
