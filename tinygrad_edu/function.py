"""``Function``: one differentiable operation, and ``Context``: the graph node it leaves.

A ``Function`` pairs a ``forward`` on raw backend arrays with a ``backward`` on
``Tensor``\\ s. Because backward is written with Tensor operations, the gradient it
returns is itself part of a graph under ``backward(create_graph=True)`` — which is all
that second derivatives need.

Saving values for backward
--------------------------
``forward`` keeps what ``backward`` needs with ``ctx.save_for_backward(...)`` and
``backward`` gets them back, as Tensors, from ``ctx.saved_tensors`` (PyTorch's idiom)::

    class Mul(Function):
        @staticmethod
        def forward(ctx, x, y):           # x, y: arrays
            ctx.save_for_backward(x, y)
            return ctx.backend.binary("mul", x, y)

        @staticmethod
        def backward(ctx, g):             # g: a Tensor, ∂L/∂z
            x, y = ctx.saved_tensors      # Tensors again
            return g * y, g * x           # ∂L/∂x, ∂L/∂y — the natural gradients

An array saved this way that *is* an input's data comes back as that input Tensor, and
the forward's own result comes back as the output (with this node as its ``grad_fn``),
so a gradient of a gradient flows through them. Any other array comes back as a
constant. Non-tensor values (an axis, a mask) go on the context as attributes:
``ctx.axes = axes``.

``backward`` returns one gradient per input (``None`` where ``ctx.needs_input_grad``
is False). It need not sum a gradient back to a broadcast input's shape or cast it to
the input's dtype: the engine (:mod:`tinygrad_edu.autograd`) does both, once, for
every op.

The graph
---------
The ``Context`` of an op is also its node in the graph: ``tensor.grad_fn``, with
``name()`` and ``next_functions`` shaped like PyTorch's. A leaf that requires grad is
reached through an :class:`AccumulateGrad` node. Nodes do not hold the input tensors,
only what was saved, so after ``backward()`` frees the saved values, a loss you keep
no longer keeps the activations alive.
"""

from __future__ import annotations

import functools
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import autograd
from .backend import get_backend

if TYPE_CHECKING:
    from .backend.base import Array, Backend
    from .tensor import Tensor

_set = object.__setattr__


class AccumulateGrad:
    """The graph node of a leaf tensor that requires grad: backward adds what reaches it
    into ``variable.grad``."""

    __slots__ = ("_variable", "__weakref__")
    next_functions: tuple[tuple[Any, int], ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self._variable = weakref.ref(variable)

    @property
    def variable(self) -> Tensor | None:
        """The leaf tensor (None once nothing else keeps it alive)."""
        return self._variable()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class Context:
    """What a Function's forward leaves for its backward, and its node in the graph.

    Public: ``needs_input_grad``, ``save_for_backward``/``saved_tensors``, ``backend``,
    ``device``, ``input_shapes``, ``input_dtypes``, ``name()``, ``next_functions``. Any
    other attribute set in forward (``ctx.axes = ...``) is kept until the graph is freed.
    """

    __slots__ = ("fn", "backend", "device", "needs_input_grad", "next_functions",
                 "input_shapes", "input_dtypes", "_saved", "_output", "freed", "stack",
                 "retains_grad", "_attrs", "__weakref__")

    def __init__(self, fn: type[Function], backend: Backend, device: str) -> None:
        # only what every forward needs; the graph fields are set by apply when a graph
        # is recorded (most ops in an ordinary backward or under no_grad record none)
        _set(self, "fn", fn)
        _set(self, "backend", backend)
        _set(self, "device", device)
        _set(self, "_saved", ())

    # extra attributes (ctx.axes = ...) live in one dict that freeing drops
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _CONTEXT_SLOTS:
            _set(self, name, value)
        else:
            try:
                self._attrs[name] = value
            except AttributeError:  # the first extra attribute
                _set(self, "_attrs", {name: value})

    def __getattr__(self, name: str) -> Any:
        if name in _CONTEXT_SLOTS:  # an unset slot (here only on an op with no graph)
            raise AttributeError(f"{object.__getattribute__(self, 'fn').__name__} context: "
                                 f"{name!r} is not set")
        try:
            return self._attrs[name]
        except (KeyError, AttributeError):
            if getattr(self, "freed", False):
                raise _freed_error(self.fn) from None
            raise AttributeError(f"{self.fn.__name__} context has no attribute {name!r}"
                                 ) from None

    # ---- saved values ----------------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or Tensors) for backward; see the module docstring."""
        _set(self, "_saved", values)

    def _resolve_saved(self, inputs: tuple[Tensor, ...], output: Tensor) -> None:
        """After forward: turn saved arrays into (tensor, version) pairs, so that backward
        gets graph-connected Tensors and can tell when one was modified in place."""
        out: list[tuple[Any, Any]] = []
        for v in self._saved:
            if isinstance(v, _tensor.Tensor):
                out.append((v, v._version))
            elif v is output.data:
                out.append((_OUTPUT, v))
            else:
                for t in inputs:
                    if t.data is v:
                        out.append((t, t._version))
                        break
                else:
                    out.append((v, None))
        _set(self, "_saved", tuple(out))

    @property
    def saved_tensors(self) -> tuple[Tensor, ...]:
        if self.freed:
            raise _freed_error(self.fn)
        Tensor = _tensor.Tensor
        result = []
        for v, version in self._saved:
            if v is _OUTPUT:
                result.append(self._unpack_output(version))
            elif version is None:
                result.append(Tensor._wrap(v, self.device))
            else:
                if v._version != version:
                    raise _modified_error(self, v, version)
                result.append(v)
        return tuple(result)

    def _unpack_output(self, data: Array) -> Tensor:
        """The op's result as a Tensor whose ``grad_fn`` is this node (the original one
        while it is alive, else a new Tensor around the same array)."""
        out: Tensor | None = self._output()
        if out is None:
            fresh = _tensor.Tensor._wrap(data, self.device, True)
            fresh._ctx = self
            return fresh
        if out._version != 0:
            raise _modified_error(self, out, 0)
        return out

    # ---- the node ----------------------------------------------------------------
    def name(self) -> str:
        return f"{self.fn.__name__}Backward"

    def release(self) -> None:
        """Free what backward needed (the graph's shape stays, for drawing it)."""
        _set(self, "_saved", ())
        _set(self, "_attrs", {})
        _set(self, "freed", True)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


_CONTEXT_SLOTS = frozenset(Context.__slots__)
_OUTPUT = object()  # marks "the op's own output" in a context's saved values


def _freed_error(fn: type[Function]) -> RuntimeError:
    return RuntimeError(
        f"{fn.__name__}Backward: trying to backward through the graph a second time; its "
        "saved values were freed after the first backward(). Call "
        "backward(retain_graph=True) the first time if you need to go through it again."
    )


def _modified_error(ctx: Context, t: Tensor, version: int) -> RuntimeError:
    return RuntimeError(
        f"{ctx.name()}: one of the tensors needed for gradient computation has been "
        f"modified by an in-place operation: a tensor of shape {t.shape} is at version "
        f"{t._version}; expected version {version} instead. Something changed it after "
        "it was used (an optimiser step, an in-place op such as add_(), or a write into "
        ".data); compute the forward pass again, or clone() the tensor before changing it."
    )


class Function:
    """A differentiable operation: ``forward`` on arrays, ``backward`` on Tensors.

    Subclasses implement::

        @staticmethod
        def forward(ctx, *arrays, **options) -> array
        @staticmethod
        def backward(ctx, grad: Tensor) -> Tensor | None | tuple[Tensor | None, ...]

    and are used through ``MyOp.apply(*tensors, **options)``.
    """

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> Array:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **kwargs: Any) -> Tensor:
        if not inputs:
            raise TypeError(f"{cls.__name__}.apply() needs at least one Tensor input "
                            "(options go in keyword arguments)")
        Tensor = _tensor.Tensor
        device = inputs[0]._device if isinstance(inputs[0], Tensor) else None
        needs, arrays = [], []
        for t in inputs:  # one pass: type, device, who needs a gradient, the arrays
            if not isinstance(t, Tensor):
                raise TypeError(f"{cls.__name__}.apply expects Tensors, got {type(t).__name__}")
            if t._device != device:
                raise RuntimeError(
                    f"{cls.__name__.lower()}: expected all tensors on the same device, "
                    f"got {device} and {t._device}; move one with .to({device!r})"
                )
            needs.append(t.requires_grad)
            arrays.append(t.data)
        ctx = Context(cls, get_backend(device), device)
        data = cls.forward(ctx, *arrays, **kwargs)
        if not (autograd._mode.enabled and True in needs) or data.dtype.kind not in "fc":
            return Tensor._wrap(data, ctx.device)
        out = Tensor._wrap(data, ctx.device, True)
        out._ctx = ctx
        _set(ctx, "needs_input_grad", tuple(needs))
        _set(ctx, "next_functions", tuple([(t._grad_node(), 0) for t in inputs]))
        _set(ctx, "input_shapes", tuple([a.shape for a in arrays]))
        _set(ctx, "input_dtypes", tuple([a.dtype for a in arrays]))
        _set(ctx, "_output", weakref.ref(out))
        _set(ctx, "freed", False)
        _set(ctx, "retains_grad", False)
        if ctx._saved:
            ctx._resolve_saved(inputs, out)
        _set(ctx, "stack", traceback.format_stack(limit=12)[:-2] if autograd._mode.anomaly
             else None)
        return out


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


# Imported last: tensor.py imports this module (Function, Context) while it loads.
from . import tensor as _tensor  # noqa: E402
