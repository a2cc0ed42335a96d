"""``Tensor``: an array, the gradient it may receive, and the node of the op that made it.

This file holds a tensor's state, properties, conversions, the ``backward()`` entry
point, factories and in-place updates. Every operation is a one-line forward to its
home in :mod:`tinygrad_edu.ops`, where its checks, its forward and its backward sit
side by side. Follow ``x * y`` to numpy in four hops::

    Tensor.__mul__ → ops.elementwise.mul → Mul.apply → Backend.binary("mul", …) → numpy
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from . import autograd, dtypes
from .backend import Backend, get_backend, normalize_device
from .dtypes import DTypeLike
from .function import AccumulateGrad
from .ops import activation as act
from .ops import compare as cmp
from .ops import creation as cr
from .ops import elementwise as ew
from .ops import index as ix
from .ops import movement as mv
from .ops import operands
from .ops import reduce as rd
from .ops import scan as sc
from .ops import sort as so
from .ops.matmul import matmul as _matmul

if TYPE_CHECKING:
    from .function import Context

Scalar = bool | int | float
# Tensor has methods named float, int and bool (as PyTorch's), which shadow the builtins
# inside the class body: annotations there use these aliases.
_float: TypeAlias = builtins.float
_int: TypeAlias = builtins.int
_bool: TypeAlias = builtins.bool


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_device", "_retains_grad",
                 "_versions", "_accumulator", "__weakref__")
    __array_priority__ = 1000  # numpy scalars/arrays on the left defer to our operators

    def __init__(self, data: Any, dtype: DTypeLike = None, requires_grad: _bool = False,
                 device: str | None = None) -> None:
        """A new tensor holding a *copy* of ``data`` (as ``torch.tensor``; see
        :meth:`from_numpy` to share memory). Floats become float32 unless ``dtype`` says
        otherwise; ints stay integer and bools stay bool."""
        dev = normalize_device(device if device is not None else
                               (data.device if isinstance(data, Tensor) else "cpu"))
        be = get_backend(dev)
        want = dtypes.resolve(dtype)
        if isinstance(data, Tensor):
            arr = data.data if data.device == dev else be.asarray(data.backend.to_numpy(data.data))
            want = want or arr.dtype
        else:
            if dev != "cpu" and hasattr(data, "__cuda_array_interface__"):
                arr = be.asarray(data)
            else:
                arr = _host_array(data)
            want = want or dtypes.default_for(arr)
        if dev != "cpu" and not hasattr(arr, "__cuda_array_interface__"):
            arr = be.asarray(arr)
        self._init(be.copy(be.astype(arr, want)) if arr.dtype == want
                   else be.astype(arr, want), dev)
        if requires_grad:
            self.requires_grad_(True)

    def _init(self, data: Any, device: str, requires_grad: _bool = False) -> None:
        self.data = data
        self.grad: Tensor | None = None
        self._ctx: Context | None = None
        self._device = device
        self._retains_grad = False
        # [count], shared with detach(): one counter per storage; made on first need
        self._versions: list[_int] | None = None
        self._accumulator: AccumulateGrad | None = None
        self.requires_grad = requires_grad

    @classmethod
    def _wrap(cls, data: Any, device: str, requires_grad: _bool = False) -> Tensor:
        """Fast path for the engine: wrap a backend array as is (no copy, no checks)."""
        t = object.__new__(cls)
        # _init's assignments, inlined: every op makes one of these
        t.data = data
        t.grad = None
        t._ctx = None
        t._device = device
        t._retains_grad = False
        t._versions = None
        t._accumulator = None
        t.requires_grad = requires_grad
        return t

    @staticmethod
    def from_numpy(array: np.ndarray) -> Tensor:
        """A tensor that *shares* memory with ``array`` (as ``torch.from_numpy``): writes to
        one show in the other. The dtype is kept."""
        if not isinstance(array, np.ndarray):
            raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
        dtypes.default_for(array)  # refuses object and string arrays
        return Tensor._wrap(array, "cpu")

    def _constant(self, data: Any) -> Tensor:
        """A gradient-free tensor on this tensor's device (masks and constants in backward)."""
        return Tensor._wrap(data, self._device)

    def _grad_node(self) -> Any:
        """The node a consumer's gradient goes to: this tensor's grad_fn, or for a leaf
        that requires grad its (cached) AccumulateGrad; None for a constant."""
        if self._ctx is not None:
            return self._ctx
        if not self.requires_grad:
            return None
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    # ---- properties ----------------------------------------------------------------
    @property
    def device(self) -> str:
        return self._device

    @property
    def backend(self) -> Backend:
        return get_backend(self._device)

    @property
    def shape(self) -> tuple[_int, ...]:
        return tuple(self.data.shape)

    @property
    def ndim(self) -> _int:
        return self.data.ndim

    @property
    def size(self) -> _int:
        return _int(self.data.size)

    def numel(self) -> _int:
        return self.size

    def dim(self) -> _int:
        return self.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> _bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> Context | None:
        """The graph node of the op that made this tensor (None for a leaf): ``name()``
        and ``next_functions`` as in PyTorch; :mod:`tinygrad_edu.viz` draws it."""
        return self._ctx

    @property
    def retains_grad(self) -> _bool:
        return self._retains_grad

    @property
    def _version(self) -> _int:
        """How many in-place changes this tensor's storage has had (PyTorch's counter)."""
        versions = self._versions
        return 0 if versions is None else versions[0]

    def _increment_version(self) -> None:
        if self._versions is None:
            self._versions = [0]
        self._versions[0] += 1

    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype "
                f"{self.data.dtype} (class labels and masks are integer/bool on purpose; "
                "use .float() to differentiate with respect to them)"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) on a non-leaf tensor: use .detach()")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too (leaves always keep theirs)."""
        self._retains_grad = True
        if self._ctx is not None:
            self._ctx.retains_grad = True

    # ---- conversion ----------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a numpy array: shared memory on the CPU (a copy from the GPU). For a
        tensor that requires grad it is a *read-only* view, so that no write can change a
        value backward still needs behind the engine's back (``.detach().numpy()`` gives
        a writable one, as in PyTorch)."""
        if self._device != "cpu":
            return self.backend.to_numpy(self.data)
        if self.requires_grad:
            view = np.asarray(self.data).view()
            view.flags.writeable = False
            return view
        return self.data

    def item(self) -> Scalar:
        if self.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.backend.to_numpy(self.data).reshape(()).item()

    def tolist(self) -> Any:
        return self.backend.to_numpy(self.data).tolist()

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and its version counter)."""
        t = Tensor._wrap(self.data, self._device)
        if self._versions is None:
            self._versions = [0]
        t._versions = self._versions
        return t

    def clone(self) -> Tensor:
        """A copy with its own memory; in the graph (gradient 1) when self requires grad."""
        if self.requires_grad and autograd.is_grad_enabled():
            return self + 0
        return Tensor._wrap(self.backend.copy(self.data), self._device)

    def to(self, device: str | None = None, dtype: DTypeLike = None) -> Tensor:
        out = self
        if device is not None and normalize_device(device) != self._device:
            out = mv.ToDevice.apply(out, device=normalize_device(device))
        return out if dtype is None else out.to_dtype(dtype)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def to_dtype(self, dtype: DTypeLike) -> Tensor:
        return ew.cast(self, dtype)

    def float(self) -> Tensor:
        return self.to_dtype(dtypes.float32)

    def double(self) -> Tensor:
        return self.to_dtype(dtypes.float64)

    def long(self) -> Tensor:
        return self.to_dtype(dtypes.int64)

    def int(self) -> Tensor:
        return self.to_dtype(np.int32)

    def bool(self) -> Tensor:
        return self.to_dtype(dtypes.bool_)

    def __repr__(self) -> str:
        arr = self.backend.to_numpy(self.data)
        body = np.array2string(arr, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if arr.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={arr.dtype}")
        if self._device != "cpu":
            extras.append(f"device='{self._device}'")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __len__(self) -> _int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> _bool:
        if self.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                             "use .any() or .all()")
        return _bool(self.item())

    def __float__(self) -> _float:
        return _float(self.item())

    def __int__(self) -> _int:
        return _int(self.item())

    def __index__(self) -> _int:
        if self.dtype.kind not in "iu" or self.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return _int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.backend.to_numpy(self.data)
        return arr if dtype is None else arr.astype(dtype)

    __hash__ = object.__hash__

    # ---- autograd ------------------------------------------------------------------
    def backward(self, gradient: Tensor | Any = None, retain_graph: _bool | None = None,
                 create_graph: _bool = False) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it to
        ``leaf.grad``. ``gradient`` is the vector of a vector–Jacobian product; it may be
        omitted only for a one-element tensor (then it is 1)."""
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad and has no grad_fn — none of "
                "the tensors it was computed from had requires_grad=True (or it was made "
                "under no_grad())"
            )
        if gradient is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward(): grad can be implicitly created only for scalar outputs, but "
                    f"this tensor has shape {self.shape}; reduce it (e.g. .sum() or .mean()) "
                    f"or pass gradient=Tensor of shape {self.shape}"
                )
            gradient = Tensor._wrap(self.backend.ones(self.shape, self.dtype), self._device)
        else:
            gradient = operands.as_tensor(self, gradient, "backward")
            if gradient.shape != self.shape:
                raise RuntimeError(f"backward(): gradient has shape {gradient.shape} but the "
                                   f"tensor has shape {self.shape}")
            gradient = gradient.to_dtype(self.dtype)
        if retain_graph is None:
            retain_graph = create_graph
        autograd.backward(self, gradient, retain_graph, create_graph)

    def zero_grad(self) -> None:
        self.grad = None

    # ---- in place ------------------------------------------------------------------
    def _in_place(self, op: str, values: Any) -> Tensor:
        if autograd.is_grad_enabled() and self.requires_grad:
            what = "a leaf tensor that requires grad" if self._ctx is None else \
                "a tensor that is part of a graph"
            raise RuntimeError(f"{op}: cannot change {what} in place while gradients are "
                               f"recorded; do it under `with no_grad():` (as optimisers "
                               f"do) or use the out-of-place op")
        src = values.data if isinstance(values, Tensor) else values
        if op == "copy_":
            self.data[...] = src
        elif op == "add_":
            self.data += src
        elif op == "sub_":
            self.data -= src
        elif op == "mul_":
            self.data *= src
        elif op == "fill_":
            self.data[...] = src
        self._increment_version()
        return self

    def add_(self, other: Any) -> Tensor:
        """self += other in place (no graph); bumps the version counter."""
        return self._in_place("add_", other)

    def sub_(self, other: Any) -> Tensor:
        return self._in_place("sub_", other)

    def mul_(self, other: Any) -> Tensor:
        return self._in_place("mul_", other)

    def copy_(self, src: Any) -> Tensor:
        return self._in_place("copy_", src)

    def fill_(self, value: Scalar) -> Tensor:
        return self._in_place("fill_", value)

    def zero_(self) -> Tensor:
        return self._in_place("fill_", 0)

    # ---- factories (ops/creation.py) ------------------------------------------------
    zeros, ones, full, arange, eye, rand, randn, uniform = (staticmethod(f) for f in (
        cr.zeros, cr.ones, cr.full, cr.arange, cr.eye, cr.rand, cr.randn, cr.uniform))
    empty, linspace, logspace, randint, normal = (staticmethod(f) for f in (
        cr.empty, cr.linspace, cr.logspace, cr.randint, cr.normal))
    full_like, empty_like, bernoulli, multinomial, uniform_, normal_ = (
        cr.full_like, cr.empty_like, cr.bernoulli, cr.multinomial, cr.uniform_, cr.normal_)
    zeros_like, ones_like = cr.zeros_like, cr.ones_like

    # ---- operations: each a one-line forward to its home in ops/ ----------------------
    # (a function assigned in the class body is a method: ``x.exp()`` is ``ew.exp(x)``,
    # and ``help(Tensor.exp)`` shows the op's own docstring with its derivative)

    # arithmetic (ops/elementwise.py)
    __add__ = add = ew.add
    __sub__ = sub = ew.sub
    __mul__ = mul = ew.mul
    __truediv__ = div = ew.div
    __pow__ = pow = ew.pow
    __neg__ = neg = ew.neg
    __matmul__ = matmul = dot = _matmul

    def __radd__(self, other: Any) -> Tensor: return ew.add(other, self)  # noqa: E704
    def __rsub__(self, other: Any) -> Tensor: return ew.sub(other, self)  # noqa: E704
    def __rmul__(self, other: Any) -> Tensor: return ew.mul(other, self)  # noqa: E704
    def __rtruediv__(self, other: Any) -> Tensor: return ew.div(other, self)  # noqa: E704
    def __rpow__(self, base: Any) -> Tensor: return ew.pow(base, self)  # noqa: E704
    def __rmatmul__(self, other: Any) -> Tensor: return _matmul(other, self)  # noqa: E704
    def square(self) -> Tensor: return ew.pow(self, 2)  # noqa: E704

    exp, log, sqrt, abs = ew.exp, ew.log, ew.sqrt, ew.abs
    # more math (ops/elementwise.py):
    erf = ew.erf
    clip = clamp = ew.clamp
    maximum, minimum = ew.maximum, ew.minimum
    sin, cos, tan, sinh, cosh, erf = ew.sin, ew.cos, ew.tan, ew.sinh, ew.cosh, ew.erf
    asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2 = ew.asin, ew.acos, ew.atan, ew.atan2
    log2, log10, log1p, exp2, expm1 = ew.log2, ew.log10, ew.log1p, ew.exp2, ew.expm1
    reciprocal, rsqrt, sign = ew.reciprocal, ew.rsqrt, ew.sign
    floor, ceil, trunc = ew.floor, ew.ceil, ew.trunc
    round, fmod, lerp, hypot, logaddexp = ew.round, ew.fmod, ew.lerp, ew.hypot, ew.logaddexp
    __mod__, remainder, __floordiv__, floor_divide = (ew.remainder,) * 2 + (ew.floor_divide,) * 2
    __rmod__, __rfloordiv__ = ew.reflected_remainder, ew.reflected_floor_divide
    logical_and, logical_or, logical_xor = cmp.logical_and, cmp.logical_or, cmp.logical_xor
    bitwise_and, bitwise_or, bitwise_xor = cmp.bitwise_and, cmp.bitwise_or, cmp.bitwise_xor
    __lshift__ = bitwise_left_shift = cmp.bitwise_left_shift
    __rshift__ = bitwise_right_shift = cmp.bitwise_right_shift
    __rlshift__, __rrshift__ = cmp.reflected_left_shift, cmp.reflected_right_shift
    isclose, allclose, bitwise_not = cmp.isclose, cmp.allclose, cmp.bitwise_not

    def where(self, condition: Any, other: Any) -> Tensor:
        """``condition ? self : other`` (PyTorch's ``Tensor.where``)."""
        return ew.where(condition, self, other)

    # activations (ops/activation.py)
    relu, sigmoid, tanh = act.relu, act.sigmoid, act.tanh
    # more activations (ops/activation.py):

    # comparisons, predicates and logic (ops/compare.py): bool results, no gradient
    def __eq__(self, other: Any) -> Tensor: return cmp.compare("eq", self, other)  # type: ignore[override]  # noqa: E501,E704
    def __ne__(self, other: Any) -> Tensor: return cmp.compare("ne", self, other)  # type: ignore[override]  # noqa: E501,E704
    def __lt__(self, other: Any) -> Tensor: return cmp.compare("lt", self, other)  # noqa: E704
    def __le__(self, other: Any) -> Tensor: return cmp.compare("le", self, other)  # noqa: E704
    def __gt__(self, other: Any) -> Tensor: return cmp.compare("gt", self, other)  # noqa: E704
    def __ge__(self, other: Any) -> Tensor: return cmp.compare("ge", self, other)  # noqa: E704
    def __and__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_and", self, o)  # noqa: E704
    def __rand__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_and", o, self)  # noqa: E704
    def __or__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_or", self, o)  # noqa: E704
    def __ror__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_or", o, self)  # noqa: E704
    def __xor__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_xor", self, o)  # noqa: E704
    def __rxor__(self, o: Any) -> Tensor: return cmp.bitwise("bitwise_xor", o, self)  # noqa: E704
    def isfinite(self) -> Tensor: return cmp.predicate("isfinite", self)  # noqa: E704
    def isnan(self) -> Tensor: return cmp.predicate("isnan", self)  # noqa: E704
    def isinf(self) -> Tensor: return cmp.predicate("isinf", self)  # noqa: E704

    __invert__ = cmp.invert
    logical_not = cmp.logical_not

    # reductions (ops/reduce.py)
    sum, mean, var, std = rd.sum, rd.mean, rd.var, rd.std
    max, min = rd.max, rd.min
    argmax, argmin, any, all = rd.argmax, rd.argmin, rd.any, rd.all
    logsumexp, softmax, log_softmax = rd.logsumexp, rd.softmax, rd.log_softmax
    # more reductions, scans and sorting (ops/reduce.py, ops/scan.py, ops/sort.py):
    prod, norm, var_mean, std_mean, count_nonzero, nansum, nanmean, amax, amin = rd.prod, \
        rd.norm, rd.var_mean, rd.std_mean, rd.count_nonzero, rd.nansum, rd.nanmean, rd.max, rd.min
    cumsum, cumprod, cummax, cummin, logcumsumexp, sort, argsort, topk, median, kthvalue, mode = \
        sc.cumsum, sc.cumprod, sc.cummax, sc.cummin, sc.logcumsumexp, so.sort, so.argsort, \
        so.topk, so.median, so.kthvalue, so.mode
    unique, bincount = so.unique, so.bincount

    # movement (ops/movement.py)
    reshape = view = mv.reshape
    flatten, unflatten, permute, transpose = mv.flatten, mv.unflatten, mv.permute, mv.transpose
    squeeze, unsqueeze = mv.squeeze, mv.unsqueeze
    expand = broadcast_to = mv.expand
    __getitem__ = mv.getitem
    pad = mv.pad
    # more shape ops (ops/movement.py):
    split, chunk = mv.split, mv.chunk
    flip, roll, repeat, unbind, unfold, narrow, rot90, tile, fliplr, flipud = mv.flip, mv.roll, \
        mv.repeat, mv.unbind, mv.unfold, mv.narrow, mv.rot90, mv.tile, mv.fliplr, mv.flipud
    movedim = moveaxis = mv.movedim
    swapaxes = swapdims = mv.transpose
    cat = concatenate = staticmethod(mv.cat)
    stack = staticmethod(mv.stack)
    # indexing (ops/index.py):
    tril, triu = ix.tril, ix.triu
    __setitem__, gather, scatter, scatter_add, scatter_reduce, index_select, masked_fill, \
        masked_select, nonzero, argwhere, diag, diagonal, take, take_along_dim, index_add, \
        index_copy, index_fill, index_put, repeat_interleave, masked_fill_, scatter_, \
        scatter_add_, scatter_reduce_, index_add_, index_copy_, index_fill_, index_put_ = \
        mv.setitem, ix.gather, ix.scatter, ix.scatter_add, ix.scatter_reduce, ix.index_select, \
        ix.masked_fill, ix.masked_select, ix.nonzero, ix.argwhere, ix.diag, ix.diagonal, ix.take, \
        ix.take_along_dim, ix.index_add, ix.index_copy, ix.index_fill, ix.index_put, \
        ix.repeat_interleave, ix.masked_fill_, ix.scatter_, ix.scatter_add_, ix.scatter_reduce_, \
        ix.index_add_, ix.index_copy_, ix.index_fill_, ix.index_put_

    @property
    def T(self) -> Tensor:
        """All axes reversed (the matrix transpose for 2-D)."""
        return mv.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """Transpose of the last two axes (a batch of matrices)."""
        return mv.transpose(self, -2, -1)


def _host_array(data: Any) -> np.ndarray:
    """``data`` (numbers, nested lists, arrays) as a numpy array, or a clear error."""
    try:
        arr = np.asarray(data)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"Tensor: cannot make a tensor from ragged nested sequences (the "
                         f"rows have different lengths): {e}") from None
    if arr.dtype == object:
        raise ValueError("Tensor: cannot make a tensor from ragged nested sequences or "
                         "non-numeric objects")
    return arr


where = ew.where
cat = concatenate = mv.cat
stack = mv.stack
