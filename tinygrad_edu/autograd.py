"""Reverse-mode automatic differentiation: ``Function``, the graph, and ``backward``.

A ``Function`` pairs a forward computation on raw backend arrays with a backward
computation on ``Tensor``\\ s. Because backward is written with Tensor operations, the
gradient it returns is itself part of a graph when ``create_graph=True`` — which is all
that second derivatives need.

``backward`` orders the graph with an iterative depth-first search (no recursion, so a
chain 10,000 operations deep is fine) and walks it in reverse, summing the gradients
that reach each node from its consumers.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend.base import Array, Backend
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


class Context:
    """What a Function's forward leaves for its backward.

    ``inputs`` are the Tensors the op was applied to; ``output`` is the Tensor it made
    (held weakly: the graph already keeps it alive while backward runs).
    """

    __slots__ = ("fn", "inputs", "needs_input_grad", "backend", "device", "saved",
                 "_output", "freed", "stack", "__weakref__", "__dict__")

    def __init__(self, fn: type[Function], inputs: tuple[Tensor, ...], backend: Backend,
                 device: str) -> None:
        self.fn = fn
        self.inputs = inputs
        self.backend = backend
        self.device = device
        self.saved: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = tuple(t.requires_grad for t in inputs)
        self._output: Callable[[], Tensor | None] | None = None
        self.freed = False
        self.stack: list[str] | None = None

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays or Tensors for backward. An array that *is* one of the inputs'
        data is saved as that input Tensor, so second derivatives can flow through it."""
        self.saved = values

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        Tensor = _tensor_cls()
        if self.freed:
            raise _freed_error(self.fn)
        by_id = {id(t.data): t for t in self.inputs}
        out = []
        for v in self.saved:
            if isinstance(v, Tensor):
                out.append(v)
            elif id(v) in by_id:
                out.append(by_id[id(v)])
            else:
                out.append(Tensor._wrap(v, self.device))
        return tuple(out)

    @property
    def output(self) -> Tensor:
        out = self._output() if self._output is not None else None
        if out is None:  # pragma: no cover - the graph keeps outputs alive during backward
            raise RuntimeError(f"{self.fn.__name__}: output of this op is no longer alive")
        return out


_TENSOR: Any = None


def _tensor_cls() -> Any:
    """The Tensor class, imported once (tensor.py imports this module first)."""
    global _TENSOR
    if _TENSOR is None:
        from .tensor import Tensor

        _TENSOR = Tensor
    return _TENSOR


def _freed_error(fn: type[Function]) -> RuntimeError:
    return RuntimeError(
        f"{fn.__name__}Backward: trying to backward through the graph a second time; its "
        "saved values were freed after the first backward(). Call "
        "backward(retain_graph=True) the first time if you need to go through it again."
    )


class Function:
    """A differentiable operation: ``forward`` on arrays, ``backward`` on Tensors.

    Subclasses implement::

        @staticmethod
        def forward(ctx, *arrays, **options) -> array
        @staticmethod
        def backward(ctx, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]

    and are used through ``MyOp.apply(*tensors, **options)``. ``backward`` returns one
    gradient per input (``None`` where ``ctx.needs_input_grad`` is False).
    """

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> Array:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **kwargs: Any) -> Tensor:
        Tensor = _TENSOR or _tensor_cls()
        for t in inputs:
            if not isinstance(t, Tensor):
                raise TypeError(f"{cls.__name__}.apply expects Tensors, got {type(t).__name__}")
        first = inputs[0]
        device = first.device
        for t in inputs[1:]:
            if t.device != device:
                raise RuntimeError(
                    f"{cls.__name__.lower()}: expected all tensors on the same device, "
                    f"got {device} and {t.device}; move one with .to({device!r})"
                )
        ctx = Context(cls, inputs, first.backend, device)
        data = cls.forward(ctx, *[t.data for t in inputs], **kwargs)
        requires_grad = _mode.enabled and any(t.requires_grad for t in inputs)
        out = Tensor._wrap(data, ctx.device, requires_grad and data.dtype.kind == "f")
        if out.requires_grad:
            out._ctx = ctx
            ctx._output = weakref.ref(out)
            if _mode.anomaly:
                ctx.stack = traceback.format_stack(limit=12)[:-2]
        return out


def _topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that lead to ``root``, each after everything it depends on (iterative DFS)."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        ctx = node._ctx
        if ctx is not None:
            for parent in ctx.inputs:
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
    return order


def _normalize_grads(ctx: Context, grads: Any) -> tuple[Any, ...]:
    if not isinstance(grads, tuple):
        grads = (grads,)
    if len(grads) != len(ctx.inputs):
        raise RuntimeError(
            f"{ctx.fn.__name__}.backward returned {len(grads)} gradients for "
            f"{len(ctx.inputs)} inputs"
        )
    return grads


def _check_finite(ctx: Context, index: int, grad: Tensor) -> None:
    if not bool(grad.backend.isfinite(grad.data).all()):
        where = ""
        if ctx.stack:
            where = "\nThe op was created here:\n" + "".join(ctx.stack[-4:])
        raise RuntimeError(
            f"detect_anomaly: Function '{ctx.fn.__name__}Backward' returned nan/inf values in "
            f"its gradient #{index} (input of shape {tuple(ctx.inputs[index].shape)}){where}"
        )


def backward(root: Tensor, gradient: Tensor, retain_graph: bool, create_graph: bool) -> None:
    """Accumulate d(root)/d(leaf) · gradient into every leaf's ``.grad``."""
    order = _topological_order(root)
    grads: dict[int, Tensor] = {id(root): gradient}
    anomaly = _mode.anomaly
    with set_grad_enabled(create_graph):
        for node in reversed(order):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            ctx = node._ctx
            if ctx is None or node._retains_grad:
                node._accumulate_grad(g, create_graph)
            if ctx is None:
                continue
            if ctx.freed:
                raise _freed_error(ctx.fn)
            in_grads = _normalize_grads(ctx, ctx.fn.backward(ctx, g))
            for i, (parent, pg) in enumerate(zip(ctx.inputs, in_grads)):
                if pg is None or not parent.requires_grad:
                    continue
                if pg.shape != parent.shape:
                    raise RuntimeError(
                        f"{ctx.fn.__name__}Backward returned a gradient of shape "
                        f"{pg.shape} for an input of shape {parent.shape}"
                    )
                if pg.dtype != parent.dtype:
                    pg = pg.to_dtype(parent.dtype)
                if anomaly:
                    _check_finite(ctx, i, pg)
                prev = grads.get(id(parent))
                grads[id(parent)] = pg if prev is None else prev + pg
            if not retain_graph:
                ctx.freed = True
                ctx.saved = ()


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a backward written with raw arrays: it works, but not under create_graph."""

    @functools.wraps(fn)
    def wrapper(ctx: Context, grad: Tensor) -> Any:
        if grad.requires_grad:
            raise RuntimeError(
                f"{ctx.fn.__name__}: this op's backward is not differentiable "
                "(create_graph=True is not supported through it)"
            )
        return fn(ctx, grad)

    return wrapper
