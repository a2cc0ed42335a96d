"""Fused neural-network ops: a layer's whole formula as one Function, for speed.

``x @ w.T + b`` or ``-(q * log_softmax(x)).sum(1)`` composed from Tensor ops give the
same values and gradients; one Function does each in one graph node instead of four to
a dozen, which is a fifth of a small MLP's training step.

The fast path of their backward
-------------------------------
A backward is written with Tensor ops so that under ``backward(create_graph=True)`` the
gradient is itself differentiable. In an ordinary backward no graph is recorded, and
each Tensor op is then pure overhead around one array call. So these two backward
passes are written so that the *same lines* work on Tensors and on raw arrays (``@``,
``*``, ``-``, ``.T``, ``.reshape``, ``.sum(axis=..., keepdims=...)`` mean the same on
both), and declared ``backward_on_arrays``: the engine hands them arrays in an ordinary
backward and Tensors under create_graph (see :class:`~tinygrad_edu.function.Function`).
A backward that must do more than that (attention's) uses :func:`operands` and
:func:`as_gradients` for the same effect.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import tensor as _tensor
from ..autograd import is_grad_enabled
from ..function import Context, Function

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def operands(*tensors: Tensor) -> tuple[Any, ...]:
    """The Tensors themselves under create_graph (gradients of gradients), else their
    arrays (an ordinary backward: no graph, no per-operation overhead)."""
    return tensors if is_grad_enabled() else tuple(t.data for t in tensors)


def as_gradients(ref: Tensor, grads: tuple[Any, ...]) -> tuple[Tensor | None, ...]:
    """Wrap array gradients as Tensors on ``ref``'s device (Tensors and None pass)."""
    return tuple(g if g is None or isinstance(g, _tensor.Tensor) else ref._constant(g)
                 for g in grads)


class Linear(Function):
    """Y = X Wᵀ + b for X of shape (..., in), W (out, in), b (out,). With G = ∂L/∂Y and
    the leading axes of X and G flattened into rows::

        ∂L/∂X = G W,    ∂L/∂W = Gᵀ X,    ∂L/∂b = Σ_rows G
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array, w: Array, b: Array | None = None) -> Array:
        ctx.save_for_backward(x, w)
        be = ctx.backend
        out = be.matmul(x, be.transpose(w, (1, 0)))
        if b is not None:
            out += b  # in place: out is a fresh array
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        n = math.prod(g.shape[:-1])  # not -1: a reshape cannot infer it with 0 features
        rows = g.reshape(n, g.shape[-1])  # (rows, out)
        grads = [g @ w if need[0] else None,
                 rows.T @ x.reshape(n, x.shape[-1]) if need[1] else None]
        if len(need) == 3:
            grads.append(rows.sum(axis=0) if need[2] else None)
        return tuple(grads)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (..., in), W of shape (out, in), b of shape (out,)."""
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out, in), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear with weight {weight.shape} expected input "
                         f"(..., {weight.shape[1]}), got {x.shape}")
    if x.dtype != weight.dtype:
        raise TypeError(f"linear: input dtype {x.dtype} and weight dtype {weight.dtype} "
                        f"differ (PyTorch raises here too); convert the input with "
                        f".to_dtype({str(weight.dtype)!r}) or .float()")
    if bias is None:
        return Linear.apply(x, weight)
    if bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},), got {bias.shape}")
    return Linear.apply(x, weight, bias)


class SoftmaxCrossEntropy(Function):
    """ℓₙ = −Σₖ qₙₖ · log softmax(xₙ)ₖ along the class axis, for target distributions q
    (one-hot rows for class indices)::

        ∂ℓ/∂x = softmax(x)·Σₖqₖ − q        (= softmax(x) − onehot for one-hot rows)
        ∂ℓ/∂q = −log softmax(x)

    The backward is two array operations instead of a dozen graph nodes, and needs no
    scatter (np.add.at). Terms with qₖ = 0 count as 0 even where log softmax is −inf
    (a class masked with a −inf logit), as in PyTorch.

    ``scale``: return ``scale·Σₙ ℓₙ`` (a 0-d result) instead of the ℓₙ — the mean (or
    sum) of the loss inside the op, which saves a training step two more graph nodes;
    each ℓₙ's gradient is then ``scale·g``.
    """

    backward_on_arrays = True

    @staticmethod
    def forward(ctx: Context, x: Array, q: Array, *, axis: int,
                scale: float | None = None) -> Array:
        be = ctx.backend
        m = be.reduce("max", x, axis, True)
        m = be.where(be.unary("isfinite", m), m, be.asarray(0, dtype=m.dtype))
        shifted = be.binary("sub", x, m)  # max subtracted: no overflow
        lse = be.unary("log", be.reduce("sum", be.unary("exp", shifted), axis, True))
        logp = be.binary("sub", shifted, lse)
        ctx.axis = axis
        ctx.save_for_backward(x, q, logp)
        # 0 · (−inf) = nan: a class with no target mass contributes nothing (zeroed
        # before the product, so that numpy has no invalid value to warn about)
        terms = be.binary("mul", q, be.where(be.binary("eq", q, 0),
                                             be.asarray(0, dtype=logp.dtype), logp))
        ctx.scale = scale
        if scale is None:
            return be.unary("neg", be.reduce("sum", terms, axis, False))
        total = be.reduce("sum", terms, None, False)
        return be.asarray(-scale * total, dtype=x.dtype)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        axis = ctx.axis
        need_x, need_q = ctx.needs_input_grad
        x, q, logp = ctx.saved_tensors
        # g's shape with the class axis kept (all ones when the op returned a mean)
        kept = (1,) * x.ndim if ctx.scale is not None else g.shape[:axis] + (1,) + g.shape[axis:]
        if is_grad_enabled():  # create_graph: log softmax again, with Tensor ops
            logp = x.log_softmax(axis)
            p = logp.exp()
        else:  # an ordinary backward: the formulas on arrays
            p = ctx.backend.unary("exp", logp)
        g = g.reshape(kept)
        if ctx.scale is not None:
            g = g * ctx.scale
        gx = g * (p * q.sum(axis=axis, keepdims=True) - q) if need_x else None
        gq = -(g * logp) if need_q else None
        return gx, gq


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) → int64 one-hot rows of shape (*shape, num_classes):
    out[..., k] = 1 where tensor[...] == k, else 0. ``num_classes=-1`` takes
    max(tensor) + 1. No gradient (the result is integer), as in PyTorch.

    Differs from PyTorch: any integer dtype is accepted (PyTorch wants int64)."""
    if not isinstance(tensor, _tensor.Tensor):
        raise TypeError(f"one_hot: expected a Tensor of class indices, got "
                        f"{type(tensor).__name__}")
    if tensor.dtype.kind not in "iu":
        raise TypeError(f"one_hot: needs an integer tensor of class indices, got dtype "
                        f"{tensor.dtype} (use .long())")
    if not isinstance(num_classes, int) or num_classes < -1:
        raise ValueError(f"one_hot: num_classes must be a non-negative int or -1, got "
                         f"{num_classes!r}")
    be = tensor.backend
    host = be.to_numpy(tensor.data)
    if num_classes == -1:
        if host.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty "
                             "tensor; pass num_classes")
        num_classes = int(host.max()) + 1
    if host.size and host.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(host.min())}")
    if host.size and host.max() >= num_classes:
        raise ValueError(f"one_hot: class values must be smaller than num_classes = "
                         f"{num_classes}, got {int(host.max())}")
    ids = be.arange(0, num_classes, 1, tensor.dtype)
    hit = be.binary("eq", be.reshape(tensor.data, tensor.shape + (1,)), ids)
    return tensor._constant(be.astype(hit, "int64"))
