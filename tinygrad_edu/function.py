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
import itertools
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import autograd
from .backend import get_backend

if TYPE_CHECKING:
    from .backend.base import Array, Backend
    from .tensor import Tensor

class AccumulateGrad:
    """The graph node of a leaf tensor that requires grad: backward adds what reaches it
    into ``variable.grad``."""

    __slots__ = ("_variable", "sequence_nr", "__weakref__")
    next_functions: tuple[tuple[Any, int], ...] = ()
    parents: tuple[Any, ...] = ()

    def __init__(self, variable: Tensor) -> None:
        self._variable = weakref.ref(variable)
        self.sequence_nr = next(_sequence)

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
    ``device``, ``input_shapes``, ``input_dtypes``, ``name()``, ``next_functions`` (and
    ``parents``, the same edges as the engine walks them). Any other attribute set in
    forward (``ctx.axes = ...``) is kept until the graph is freed.
    """

    # The fields every node has are slots (fast to set: an op sets them on every call);
    # anything else an op keeps (ctx.axes = ...) lands in __dict__, which freeing drops.
    __slots__ = ("fn", "backend", "device", "needs_input_grad", "parents", "sequence_nr",
                 "input_shapes", "input_dtypes", "_saved", "_output", "_on_arrays",
                 "__dict__", "__weakref__")
    # rarely changed, so defaults on the class (an instance that changes one keeps it in
    # its __dict__): the graph was freed; retain_grad() was called on the output;
    # where the op was made (detect_anomaly)
    freed = False
    retains_grad = False
    stack: list[str] | None = None

    def __init__(self, fn: type[Function], backend: Backend, device: str) -> None:
        # only what every forward needs; the graph fields are set by apply when a graph
        # is recorded (most ops in an ordinary backward or under no_grad record none)
        self.fn = fn
        self.backend = backend
        self.device = device
        self._saved: tuple[Any, ...] = ()
        self._on_arrays = False  # True while backward_on_arrays runs on arrays

    if TYPE_CHECKING:  # ops set attributes of their own (ctx.axes = ...): tell mypy
        def __setattr__(self, name: str, value: Any) -> None: ...

    def __getattr__(self, name: str) -> Any:  # only called when an attribute is missing
        fn = object.__getattribute__(self, "fn").__name__
        if name in _CONTEXT_SLOTS:  # an unset graph field: this op recorded no graph
            raise AttributeError(f"{fn} context: {name!r} is not set")
        if self.freed:
            raise _freed_error(self.fn)
        raise AttributeError(f"{fn} context has no attribute {name!r}")

    # ---- saved values ----------------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (or Tensors) for backward; see the module docstring."""
        self._saved = values

    def _resolve_saved(self, inputs: tuple[Tensor, ...], output: Array) -> None:
        """After forward: turn saved arrays into (tensor, version) pairs, so that backward
        gets graph-connected Tensors and can tell when one was modified in place."""
        out: list[tuple[Any, Any]] = []
        for v in self._saved:
            if v is output:
                out.append((_OUTPUT, v))
                continue
            for t in inputs:  # (checked first: most saved values are inputs' arrays)
                if t.data is v:
                    out.append((t, t._version))
                    break
            else:
                out.append((v, v._version) if isinstance(v, _tensor.Tensor) else (v, None))
        self._saved = tuple(out)

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What forward saved: Tensors (graph-connected where they are an input or the
        output), or — while the engine runs a ``backward_on_arrays`` op in an ordinary
        backward — the same values as plain arrays."""
        if self.freed:
            raise _freed_error(self.fn)
        arrays = self._on_arrays
        result = []
        for v, version in self._saved:
            if v is _OUTPUT:  # (the output's array is kept where the version would be)
                result.append(version if arrays else self._unpack_output(version))
                if arrays:
                    self._check_output_version()
            elif version is None:
                result.append(v if arrays else _tensor.Tensor._wrap(v, self.device))
            else:
                if v._version != version:
                    raise _modified_error(self, v, version)
                result.append(v.data if arrays else v)
        return tuple(result)

    def _check_output_version(self) -> None:
        out: Tensor | None = self._output()
        if out is not None and out._version != 0:
            raise _modified_error(self, out, 0)

    def _unpack_output(self, data: Array) -> Tensor:
        """The op's result as a Tensor whose ``grad_fn`` is this node (the original one
        while it is alive, else a new Tensor around the same array)."""
        out: Tensor | None = self._output()
        if out is None:
            fresh = _tensor.Tensor._wrap(data, self.device, True)
            fresh._ctx = self
            return fresh
        self._check_output_version()
        return out

    # ---- the node ----------------------------------------------------------------
    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """PyTorch's view of the edges: ``(node, 0)`` per input (``parents`` is the
        engine's: the nodes alone; None for an input that needs no gradient)."""
        return tuple([(p, 0) for p in self.parents])

    def run_backward(self, g: Any, on_arrays: bool) -> tuple[Any, ...]:
        """Run the op's backward on ``g`` and return one gradient per input: on arrays in
        an ordinary backward (``on_arrays``) — directly for an op declared
        ``backward_on_arrays``, else through Tensors wrapped around them and unwrapped
        after — and on Tensors (the engine's create_graph) otherwise."""
        fn = self.fn
        wrapped = on_arrays and not fn.backward_on_arrays
        if wrapped:  # (numpy ops on 0-d arrays return numpy scalars: a Tensor holds arrays)
            g = wrap(self.backend.asarray(g), self.device)
        self._on_arrays = on_arrays and not wrapped
        try:
            grads = fn.backward(self, g)
        finally:
            self._on_arrays = False
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(self.parents):
            raise RuntimeError(f"{fn.__name__}.backward returned {len(grads)} gradients for "
                               f"{len(self.parents)} inputs")
        return _unwrap(fn, grads) if wrapped else grads

    def name(self) -> str:
        return f"{self.fn.__name__}Backward"

    def release(self) -> None:
        """Free the values backward needed — saved arrays, and attributes that hold arrays
        (masks, indices) — as PyTorch frees saved tensors. Shapes, axes and other small
        options stay, and so does the graph's shape (for drawing it): a later backward
        through an op that needs only those (add, sum, reshape) still works, as in
        PyTorch; one that needs a freed value raises."""
        self._saved = ()
        attrs = self.__dict__
        for name in [k for k, v in attrs.items() if _holds_arrays(v)]:
            del attrs[name]
        attrs["freed"] = True

    def __repr__(self) -> str:
        return f"<{self.name()}>"


_CONTEXT_SLOTS = frozenset(Context.__slots__) | {"next_functions"}


def _holds_arrays(value: Any) -> bool:
    """An array or a Tensor (anything with a shape), or a list or tuple with one in it."""
    if isinstance(value, (list, tuple)):
        return any(hasattr(v, "shape") for v in value)
    return hasattr(value, "shape")
_OUTPUT = object()  # marks "the op's own output" in a context's saved values
_sequence = itertools.count()  # nodes numbered as they are made (PyTorch's sequence_nr)


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

    ``backward_on_arrays = True`` declares that the backward's lines mean the same on
    arrays as on Tensors: they use only what numpy (or CuPy) arrays and Tensors share —
    ``+ - * / @``, comparisons, ``.T``, ``.reshape(...)``, ``.sum(axis=..., keepdims=...)``
    — and ``ctx.saved_tensors``. In an ordinary backward the engine then hands the op
    arrays (``g`` and ``saved_tensors``) and takes arrays back: the same formula at numpy's
    speed, with no Tensor made per intermediate. Under ``create_graph=True`` the op gets
    Tensors as usual, so the formula is recorded and can be differentiated again.
    """

    backward_on_arrays = False

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> Array:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> Any:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **kwargs: Any) -> Tensor:
        Tensor = _tensor.Tensor
        if not inputs:
            raise TypeError(f"{cls.__name__}.apply() needs at least one Tensor input "
                            "(options go in keyword arguments)")
        device: str = getattr(inputs[0], "_device", "")
        arrays = []
        record = False
        for t in inputs:  # one pass: type, device, the arrays, whether any needs a gradient
            if type(t) is not Tensor and not isinstance(t, Tensor):
                raise TypeError(f"{cls.__name__}.apply expects Tensors, got {type(t).__name__}")
            if t._device != device:
                raise RuntimeError(
                    f"{cls.__name__.lower()}: expected all tensors on the same device, "
                    f"got {device} and {t._device}; move one with .to({device!r})"
                )
            arrays.append(t.data)
            if t.requires_grad:
                record = True
        ctx = Context(cls, get_backend(device), device)
        data = cls.forward(ctx, *arrays, **kwargs)
        if not (record and autograd._mode.enabled) or data.dtype.kind not in "fc":
            return Tensor._wrap(data, device)
        out = Tensor._wrap(data, device, True)
        out._ctx = ctx
        if len(inputs) == 1:  # unrolled for one and two inputs: every op's hot path
            (t,), (a,) = inputs, arrays
            ctx.needs_input_grad = (True,)
            ctx.parents = (t._grad_node(),)
            ctx.input_shapes = (a.shape,)
            ctx.input_dtypes = (a.dtype,)
        elif len(inputs) == 2:
            (t, u), (a, b) = inputs, arrays
            ctx.needs_input_grad = (t.requires_grad, u.requires_grad)
            ctx.parents = (t._grad_node(), u._grad_node())
            ctx.input_shapes = (a.shape, b.shape)
            ctx.input_dtypes = (a.dtype, b.dtype)
        else:
            ctx.needs_input_grad = tuple([t.requires_grad for t in inputs])
            ctx.parents = tuple([t._grad_node() for t in inputs])
            ctx.input_shapes = tuple([a.shape for a in arrays])
            ctx.input_dtypes = tuple([a.dtype for a in arrays])
        # numbered after its inputs' nodes (a leaf's AccumulateGrad is made just above,
        # on its first use): the engine's order
        ctx.sequence_nr = next(_sequence)
        ctx._output = weakref.ref(out)
        if ctx._saved:
            ctx._resolve_saved(inputs, data)
        if autograd._mode.anomaly:
            ctx.stack = traceback.format_stack(limit=12)[:-2]
        return out


def wrap(data: Array, device: str) -> Tensor:
    """An array the engine computed, as a gradient-free Tensor (no copy)."""
    return _tensor.Tensor._wrap(data, device)


def _unwrap(fn: type[Function], grads: tuple[Any, ...]) -> tuple[Any, ...]:
    """The arrays of the Tensors a backward returned (None stays None)."""
    Tensor = _tensor.Tensor
    out = []
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"{fn.__name__}.backward returned a {type(g).__name__} where a "
                            "Tensor (or None) was expected")
        out.append(None if g is None else g.data)
    return tuple(out)


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
