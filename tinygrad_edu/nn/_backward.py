"""A fast path for backward passes that need no graph.

A ``Function``'s backward is written with Tensor operations so that, under
``backward(create_graph=True)``, the gradient is itself differentiable. In an ordinary
backward no graph is recorded, and each Tensor operation is then pure overhead around
one numpy call. The backward passes in ``nn`` that are hot in training (linear,
cross-entropy) are therefore written so that the *same lines* work on Tensors and on
raw arrays (``@``, ``*``, ``-``, ``.T``, ``.reshape``, ``.sum(axis=..., keepdims=...)``
mean the same on both), and run on arrays unless a graph is wanted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..autograd import is_grad_enabled

if TYPE_CHECKING:
    from ..autograd import Context
    from ..tensor import Tensor


def operands(*tensors: Tensor) -> tuple[Any, ...]:
    """The Tensors themselves under create_graph (gradients of gradients), else their
    arrays (an ordinary backward: no graph, no per-operation overhead)."""
    return tensors if is_grad_enabled() else tuple(t.data for t in tensors)


def as_gradients(ctx: Context, grads: tuple[Any, ...]) -> tuple[Tensor | None, ...]:
    """Wrap array gradients as Tensors on the op's device (Tensors and None pass)."""
    from ..tensor import Tensor

    return tuple(g if g is None or isinstance(g, Tensor) else Tensor._wrap(g, ctx.device)
                 for g in grads)
