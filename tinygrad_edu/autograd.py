"""The engine: reverse-mode automatic differentiation over the graph of ``Context`` nodes.

``backward`` does five things, for every op, so that no op has to:

1. orders the nodes that lead to the root so that each comes after every node that
   uses its result (each node is numbered when it is made, after its inputs' nodes, so
   the order is the reachable nodes sorted by that number: no recursion, and a chain
   10,000 ops deep is fine);
2. calls each node's ``backward`` with the gradient that reached it (the sum over its
   consumers);
3. sums a returned gradient back to its input's shape when the op broadcast that
   input (``x + b`` with ``b`` of shape (3,) and ``x`` of shape (4, 3): ``∂L/∂b`` is
   ``g.sum(0)``), and casts it to the input's dtype;
4. adds what reaches a leaf into ``leaf.grad`` (an :class:`~.function.AccumulateGrad`
   node), and into ``t.grad`` of a non-leaf ``t`` that called ``retain_grad()``;
5. frees each node's saved values once used (unless ``retain_graph``); a second backward
   through the node raises only if it needs one of them, as in PyTorch.

Arrays or Tensors. An ordinary backward records no graph, so a Tensor around each
gradient would be pure overhead: the gradients travel between nodes as plain arrays,
and an op declared ``backward_on_arrays`` computes its backward on them directly (see
:class:`~.function.Function`; the others get Tensors wrapped around the arrays). Under
``create_graph=True`` every gradient is a Tensor, so that its own graph is recorded.

It also holds the grad mode (``no_grad``, ``enable_grad``) and ``detect_anomaly``.
It uses only the public face of Tensor (``grad``, ``grad_fn``, ``shape``, ``dtype``,
``sum``, ``reshape``, ``to_dtype``, ``detach``, ``clone``, ``data``, ``backend``).
"""

from __future__ import annotations

import contextlib
import operator
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from . import function as _function
from .backend import float_errors_ignored

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
    """Nodes that lead to ``root``, each after everything it depends on.

    Every node carries the ``sequence_nr`` of its creation (as in PyTorch), and an op is
    always created after the nodes of its inputs: so the nodes reachable from ``root``
    (found by a plain graph search, no recursion) sorted by that number are in order."""
    seen = {root}
    todo = [root]
    while todo:
        for parent in todo.pop().parents:
            if parent is not None and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return sorted(seen, key=_sequence_nr)


_sequence_nr = operator.attrgetter("sequence_nr")


def sum_to(g: Any, shape: tuple[int, ...], node: Context) -> Any:
    """Sum a broadcast gradient back to ``shape`` — the adjoint of broadcasting. (``g`` is
    an array or a Tensor: the two calls below mean the same on both.)"""
    lead = g.ndim - len(shape)
    if lead < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[lead:])):
        raise RuntimeError(f"{node.name()} returned a gradient of shape {tuple(g.shape)} "
                           f"for an input of shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def _check_finite(node: Context, index: int, grad: Any, arrays: bool) -> None:
    if arrays:
        grad = _function.wrap(node.backend.asarray(grad), node.device)
    if not bool(grad.isfinite().all()):
        where = ""
        if node.stack:
            where = "\nThe op was created here:\n" + "".join(node.stack[-4:])
        raise RuntimeError(
            f"detect_anomaly: Function '{node.name()}' returned nan/inf values in its "
            f"gradient #{index} (input of shape {node.input_shapes[index]}){where}"
        )


def _fresh(g: Any, handed: set[int]) -> bool:
    """May ``t.grad`` take the array ``g`` without a copy? Only an array that owns its
    memory (not a view or a broadcast of another), is writable and contiguous, and has
    not already been handed to another tensor in this backward: then nothing else holds
    it, and later in-place accumulation into it cannot change anyone else's values."""
    flags = getattr(g, "flags", None)
    if flags is None or id(g) in handed:
        return False
    return bool(flags.owndata and getattr(flags, "writeable", True) and flags.c_contiguous)


def accumulate_grad(t: Tensor, g: Any, create_graph: bool,
                    handed: set[int] | None = None) -> None:
    """``t.grad += g``, owning the buffer. ``g`` is an array in an ordinary backward and a
    Tensor under create_graph. The first gradient is taken as it is when it is a fresh
    array (see ``_fresh``; ``handed`` lists the arrays already given away in this
    backward) or a graph of its own, else copied; later ones are added in place (out of
    place when a graph of the gradient is being built)."""
    if create_graph:
        if t.grad is not None:
            t.grad = t.grad + g
        elif g.requires_grad:
            t.grad = g
        else:
            t.grad = _take(t, g.data, handed)
    elif t.grad is None:
        t.grad = _take(t, g, handed)
    elif t.grad.requires_grad:  # a graph built by an earlier create_graph backward
        t.grad = t.grad.detach() + _function.wrap(g, t.device)
    else:
        t.grad.data += g


def _take(t: Tensor, g: Any, handed: set[int] | None) -> Tensor:
    """A first gradient for ``t``: the array itself when it is fresh, else a copy."""
    if handed is not None and _fresh(g, handed):
        handed.add(id(g))
        return _function.wrap(g, t.device)
    return _function.wrap(t.backend.copy(t.backend.asarray(g)), t.device)


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
    """Accumulate d(root)/d(leaf) · gradient into every leaf's ``.grad``.

    An ordinary backward (no create_graph) passes arrays from node to node; under
    create_graph the gradients are Tensors, so that their own graph is recorded."""
    start = root.grad_fn
    if start is None:  # a leaf: d(root)/d(root) = 1
        accumulate_grad(root, gradient if create_graph else gradient.data, create_graph)
        return
    AccumulateGrad = _function.AccumulateGrad
    arrays = not create_graph
    order = topological_order(start)
    grads: dict[Node, Any] = {start: gradient.data if arrays else gradient}
    handed = {id(gradient.data)}  # the caller's gradient is never taken over
    anomaly = _mode.anomaly
    # numpy warns about overflow and 0/0 where PyTorch silently gives inf and nan (the
    # forward ops are quiet the same way); detect_anomaly is the check that looks
    quiet = float_errors_ignored() if arrays else contextlib.nullcontext()
    with set_grad_enabled(create_graph), quiet:
        for node in reversed(order):
            g = grads.pop(node, None)
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
            in_grads = node.run_backward(g, arrays)
            shapes, dtypes = node.input_shapes, node.input_dtypes
            for i, parent in enumerate(node.parents):
                pg = in_grads[i]
                if pg is None or parent is None:
                    continue
                if pg.shape != shapes[i]:
                    pg = sum_to(pg, shapes[i], node)
                if pg.dtype != dtypes[i]:
                    pg = node.backend.astype(pg, dtypes[i]) if arrays \
                        else pg.to_dtype(dtypes[i])
                if anomaly:
                    _check_finite(node, i, pg, arrays)
                prev = grads.get(parent)
                grads[parent] = pg if prev is None else prev + pg
            if not retain_graph:
                node.release()
