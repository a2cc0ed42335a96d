"""The engine: reverse-mode automatic differentiation over the graph of ``Context`` nodes.

``backward`` does five things, for every op, so that no op has to:

1. orders the nodes that lead to the root so that each comes after every node that
   uses its result (an iterative depth-first search: no recursion, so a chain 10,000
   ops deep is fine);
2. calls each node's ``backward`` with the gradient that reached it (the sum over its
   consumers);
3. sums a returned gradient back to its input's shape when the op broadcast that
   input (``x + b`` with ``b`` of shape (3,) and ``x`` of shape (4, 3): ``∂L/∂b`` is
   ``g.sum(0)``), and casts it to the input's dtype;
4. adds what reaches a leaf into ``leaf.grad`` (an :class:`~.function.AccumulateGrad`
   node), and into ``t.grad`` of a non-leaf ``t`` that called ``retain_grad()``;
5. frees each node's saved values once used (unless ``retain_graph``).

It also holds the grad mode (``no_grad``, ``enable_grad``) and ``detect_anomaly``.
It uses only the public face of Tensor (``grad``, ``grad_fn``, ``shape``, ``dtype``,
``sum``, ``reshape``, ``to_dtype``, ``detach``, ``clone``, ``data``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from . import function as _function

if TYPE_CHECKING:
    from .function import Context
    from .tensor import Tensor


class _GradMode(threading.local):
    enabled: bool = True
    anomaly: bool = False


_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _mode.enabled


class _SetGradEnabled(contextlib.ContextDecorator):
    """Context manager (and decorator) that switches graph recording on or off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_mode.enabled)
        _mode.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._prev.pop()


def no_grad() -> _SetGradEnabled:
    """Operations inside ``with no_grad():`` record no graph (evaluation, optimiser steps)."""
    return _SetGradEnabled(False)


def enable_grad() -> _SetGradEnabled:
    return _SetGradEnabled(True)


def set_grad_enabled(mode: bool) -> _SetGradEnabled:
    return _SetGradEnabled(mode)


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Check every gradient computed in backward for NaN/inf and name the op that made it.

    Slower (each op remembers where it was created), so it is off by default.
    """
    prev = _mode.anomaly
    _mode.anomaly = True
    try:
        yield
    finally:
        _mode.anomaly = prev


Node = Any  # a Context, or an AccumulateGrad for a leaf


def topological_order(root: Node) -> list[Node]:
    """Nodes that lead to ``root``, each after everything it depends on (iterative DFS)."""
    order: list[Node] = []
    visited: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent, _ in node.next_functions:
            if parent is not None and id(parent) not in visited:
                stack.append((parent, False))
    return order


def sum_to(g: Tensor, shape: tuple[int, ...], node: Context) -> Tensor:
    """Sum a broadcast gradient back to ``shape`` — the adjoint of broadcasting."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:])):
        raise RuntimeError(f"{node.name()} returned a gradient of shape {g.shape} for an "
                           f"input of shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def _normalize_grads(node: Context, grads: Any) -> tuple[Any, ...]:
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(node.next_functions):
        raise RuntimeError(f"{node.fn.__name__}.backward returned {len(grads)} gradients for "
                           f"{len(node.next_functions)} inputs")
    return grads


def _check_finite(node: Context, index: int, grad: Tensor) -> None:
    if not bool(grad.isfinite().all()):
        where = ""
        if node.stack:
            where = "\nThe op was created here:\n" + "".join(node.stack[-4:])
        raise RuntimeError(
            f"detect_anomaly: Function '{node.name()}' returned nan/inf values in its "
            f"gradient #{index} (input of shape {node.input_shapes[index]}){where}"
        )


def _fresh(g: Tensor, handed: set[int]) -> bool:
    """May ``t.grad`` take ``g``'s array without a copy? Only an array that owns its
    memory (not a view or a broadcast of another), is writable and contiguous, and has
    not already been handed to another tensor in this backward: then nothing else holds
    it, and later in-place accumulation into it cannot change anyone else's values."""
    flags = getattr(g.data, "flags", None)
    if flags is None or id(g.data) in handed:
        return False
    return bool(flags.owndata and flags.writeable and flags.c_contiguous)


def accumulate_grad(t: Tensor, g: Tensor, create_graph: bool,
                    handed: set[int] | None = None) -> None:
    """``t.grad += g``, owning the buffer: the first gradient is taken as it is when it is
    a fresh array (see ``_fresh``; ``handed`` lists the arrays already given away in this
    backward), else copied; later ones are added in place (or out of place when a graph
    of the gradient is being built)."""
    if not create_graph:
        g = g.detach()
    if t.grad is None:
        if create_graph and g.requires_grad:
            t.grad = g
        elif handed is not None and _fresh(g, handed):
            handed.add(id(g.data))
            t.grad = g
        else:
            t.grad = g.clone()
    elif create_graph or t.grad.requires_grad:
        t.grad = t.grad + g
    else:
        t.grad.data += g.data


def zero_grads(tensors: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients of ``tensors`` (what ``Module.zero_grad`` and
    ``Optimizer.zero_grad`` do): ``grad = None``, or with ``set_to_none=False`` zeros
    written into the existing buffers (any graph built with create_graph is dropped)."""
    for t in tensors:
        if t.grad is None:
            continue
        if set_to_none:
            t.grad = None
        else:
            t.grad = t.grad.detach()
            t.grad.data[...] = 0


def backward(root: Tensor, gradient: Tensor, retain_graph: bool, create_graph: bool) -> None:
    """Accumulate d(root)/d(leaf) · gradient into every leaf's ``.grad``."""
    start = root.grad_fn
    if start is None:  # a leaf: d(root)/d(root) = 1
        accumulate_grad(root, gradient, create_graph)
        return
    AccumulateGrad = _function.AccumulateGrad
    order = topological_order(start)
    grads: dict[int, Tensor] = {id(start): gradient}
    handed = {id(gradient.data)}  # the caller's gradient is never taken over
    anomaly = _mode.anomaly
    with set_grad_enabled(create_graph):
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if type(node) is AccumulateGrad:
                leaf = node.variable
                if leaf is not None:
                    accumulate_grad(leaf, g, create_graph, handed)
                continue
            if node.retains_grad:
                kept = node._output()
                if kept is not None:
                    accumulate_grad(kept, g, create_graph, handed)
            if node.freed:
                raise _function._freed_error(node.fn)
            in_grads = _normalize_grads(node, node.fn.backward(node, g))
            for i, pg in enumerate(in_grads):
                parent = node.next_functions[i][0]
                if pg is None or parent is None:
                    continue
                shape = node.input_shapes[i]
                if pg.shape != shape:
                    pg = sum_to(pg, shape, node)
                if pg.dtype != node.input_dtypes[i]:
                    pg = pg.to_dtype(node.input_dtypes[i])
                if anomaly:
                    _check_finite(node, i, pg)
                prev = grads.get(id(parent))
                grads[id(parent)] = pg if prev is None else prev + pg
            if not retain_graph:
                node.release()
