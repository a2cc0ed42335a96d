"""The engine's graph rules, as PyTorch has them: one saved-value idiom, the engine sums
gradients back to broadcast shapes, version counters, copy semantics, memory freed after
backward, dimension checks, the graph as node objects, and its drawing."""

from __future__ import annotations

import gc
import re
import tracemalloc

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor, nn, no_grad, optim, stack, viz
from tinygrad_edu.function import AccumulateGrad

# ---- the engine owns unbroadcasting and dtype casts ---------------------------------------


class Mul(Function):
    """The docstring example of function.py: the natural gradients, nothing else."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return ctx.backend.binary("mul", x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y, g * x


def test_a_function_returns_natural_gradients_and_the_engine_sums_them_back():
    x = Tensor(np.arange(6.0).reshape(2, 3), dtype="float64", requires_grad=True)
    b = Tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    Mul.apply(x, b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), x.numpy().sum(0))  # summed over the batch axis
    np.testing.assert_allclose(x.grad.numpy(), np.broadcast_to(b.numpy(), (2, 3)))


def test_saved_tensors_come_back_connected_for_second_derivatives():
    x = Tensor(1.5, dtype="float64", requires_grad=True)
    y = Mul.apply(x, x)  # x²
    (g,) = [None]
    y.backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(2.0)  # d²(x²)/dx²


def test_gradients_are_cast_to_the_inputs_dtype():
    a = Tensor([1.0, 2.0], dtype="float32", requires_grad=True)
    b = Tensor([3.0, 4.0], dtype="float64", requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_apply_with_no_inputs_names_the_function():
    with pytest.raises(TypeError, match=r"Mul.apply\(\) needs at least one Tensor input"):
        Mul.apply()


# ---- the graph as objects ------------------------------------------------------------------


def test_grad_fn_is_a_node_with_name_and_next_functions():
    w = Tensor([2.0], requires_grad=True)
    x = Tensor([3.0])
    loss = (w * x).sum()
    assert loss.grad_fn.name() == "SumBackward"
    ((mul, _),) = loss.grad_fn.next_functions
    assert mul.name() == "MulBackward"
    (acc, _), (const, _) = mul.next_functions
    assert isinstance(acc, AccumulateGrad) and acc.variable is w
    assert const is None  # x needs no gradient, so no node
    assert w.grad_fn is None and repr(loss).endswith("grad_fn=<SumBackward>)")


def test_the_same_leaf_is_one_node_however_often_it_is_used():
    w = Tensor([2.0], requires_grad=True)
    y = w * w + w
    (mul, _), (acc, _) = y.grad_fn.next_functions
    assert acc is mul.next_functions[0][0] is mul.next_functions[1][0]
    y.sum().backward()
    assert w.grad.tolist() == [5.0]  # 2w + 1


def test_viz_dot_text_has_every_op_and_the_leaf_values():
    w = Tensor([2.0, -1.0], requires_grad=True)
    h = (w * 3.0).tanh()
    loss = h.sum()
    loss.backward(retain_graph=True)
    dot = viz.to_dot(loss)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    labels = dict(re.findall(r'^\s*(\w+) \[label="([^"]*)"', dot, re.M))
    edges = re.findall(r"^\s*(\w+) -> (\w+);", dot, re.M)
    ops = sorted(v for v in labels.values() if v.endswith("Backward"))
    assert ops == ["MulBackward", "SumBackward", "TanhBackward"]
    leaf = next(k for k, v in labels.items() if v.startswith("leaf"))
    assert "data [2, -1]" in labels[leaf] and "grad [" in labels[leaf]
    assert any(src == leaf for src, _ in edges)  # the leaf feeds an op
    # every edge joins two declared nodes, and the output is reached
    assert all(s in labels and d in labels for s, d in edges)
    assert any(d == "root" for _, d in edges)


def test_viz_draw_writes_an_image(tmp_path):
    w = Tensor([2.0], requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    path = tmp_path / "graph.png"
    viz.draw(loss, path)
    head = path.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 2000


# ---- safe graph semantics --------------------------------------------------------------


def test_an_optimiser_step_between_two_backwards_raises():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    loss = (w * x * w).sum()
    loss.backward(retain_graph=True)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_an_in_place_change_of_a_saved_input_raises_at_backward():
    x = Tensor([1.0, 2.0])
    w = Tensor([1.0, 1.0], requires_grad=True)
    y = (w * x).sum()
    x.add_(1.0)  # x is saved by the product
    with pytest.raises(RuntimeError, match=r"is at version 1; expected version 0"):
        y.backward()


def test_in_place_on_a_leaf_that_requires_grad_needs_no_grad():
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: cannot change a leaf tensor"):
        w.add_(1.0)
    with no_grad():
        w.add_(1.0)
    assert w.tolist() == [2.0] and w._version == 1


def test_numpy_of_a_tensor_that_requires_grad_is_read_only():
    w = Tensor([1.0, 2.0], requires_grad=True)
    view = w.numpy()
    with pytest.raises(ValueError, match="read-only"):
        view[0] = 5.0
    free = w.detach().numpy()  # as in PyTorch: detach first to write
    free[0] = 5.0
    assert w.tolist() == [5.0, 2.0]


def test_tensor_copies_and_from_numpy_shares():
    a = np.array([1.0, 2.0], dtype=np.float32)
    copied, shared = Tensor(a), Tensor.from_numpy(a)
    a[0] = 9.0
    assert copied.tolist() == [1.0, 2.0] and shared.tolist() == [9.0, 2.0]
    t = Tensor(np.arange(6.0).reshape(2, 3).T)  # the copy keeps the layout
    assert t.shape == (3, 2) and not t.data.flags.c_contiguous


def _mlp_loss_bytes(backward: bool) -> int:
    model = nn.Sequential(nn.Linear(256, 512, seed=0), nn.ReLU(), nn.Linear(512, 512, seed=1),
                          nn.ReLU(), nn.Linear(512, 10, seed=2))
    x = Tensor.randn(64, 256, seed=3)
    y = Tensor(np.arange(64) % 10)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        loss = nn.functional.cross_entropy(model(x), y)
        if backward:
            loss.backward()
            for p in model.parameters():  # gradients are kept on purpose; measure the graph
                p.grad = None
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert loss.grad_fn is not None  # the loss is still alive
    return held


def test_a_kept_loss_no_longer_holds_the_activations_after_backward():
    before = _mlp_loss_bytes(backward=False)
    after = _mlp_loss_bytes(backward=True)
    activations = 64 * (512 + 512 + 512 + 512 + 10) * 4
    assert before > activations / 2  # the graph holds the activations until backward
    assert after < 150_000, f"{after} bytes still held by a loss after backward"


# ---- dimensions out of range raise (they used to wrap or reorder silently) ---------------


@pytest.mark.parametrize("call", [
    lambda: Tensor.zeros(2, 3, 4).flatten(0, 3),
    lambda: Tensor.zeros(2, 3, 4).flatten(2, 1),
    lambda: nn.Flatten(1, 5)(Tensor.zeros(2, 3, 4)),
    lambda: stack([Tensor.zeros(2, 2), Tensor.zeros(2, 2)], axis=3),
    lambda: Tensor.zeros(2, 3).transpose(0, 2),
    lambda: Tensor.zeros(2, 3).unsqueeze(3),
])
def test_dimensions_out_of_range_raise(call):
    with pytest.raises((IndexError, ValueError), match="out of range|cannot come after"):
        call()


def test_dimension_errors_are_index_errors_as_in_pytorch():
    with pytest.raises(IndexError, match=re.escape("transpose: axis 2 is out of range for a "
                                                   "tensor with 2 dims")):
        Tensor.zeros(2, 3).transpose(0, 2)


# ---- leaf gradients: fresh arrays are taken without a copy, shared ones never -------------


def test_a_gradient_shared_by_two_leaves_is_not_aliased():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # Add hands the same gradient to both
    a.grad.data *= 10
    assert b.grad.tolist() == [1.0, 1.0]
    assert a.grad.data is not b.grad.data


def test_the_callers_gradient_is_never_taken_over():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = Tensor([5.0, 6.0])
    (x * 1.0).backward(seed)
    x.grad.data[0] = 0.0
    assert seed.tolist() == [5.0, 6.0]


def test_accumulation_over_two_backwards_adds_into_the_first_buffer():
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    x = Tensor([[3.0], [4.0]])
    (x @ w).sum().backward()
    first = w.grad.data
    (x @ w).sum().backward()
    assert w.grad.data is first and w.grad.tolist() == [[14.0, 14.0]]


def test_viz_names_leaves_and_draws_deep_graphs_top_to_bottom(tmp_path):
    w = Tensor([0.5, -1.0], requires_grad=True)
    h = w
    for _ in range(5):  # a chain deeper than six steps
        h = (h * 2.0).tanh()
    loss = h.sum()
    loss.backward(retain_graph=True)
    assert 'label="w (2,)' in viz.to_dot(loss, names={"w": w})
    fig = viz.draw(loss, tmp_path / "deep.png", names={"w": w})
    width, height = fig.get_size_inches()
    assert height > 2 * width  # the chain runs down the page, not off its side
    fig = viz.draw(loss, direction="LR")
    width, height = fig.get_size_inches()
    assert width > 2 * height
    with pytest.raises(ValueError, match="direction must be"):
        viz.draw(loss, direction="up")
