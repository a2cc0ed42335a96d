"""``Tensor``: an array, the gradient it may receive, and the op that made it.

Follow a value from ``Tensor.__mul__`` to numpy in three hops::

    Tensor.__mul__  →  ops.elementwise.Mul.apply  →  Backend.mul  (numpy.multiply)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import autograd
from .autograd import Context, is_grad_enabled
from .backend import Backend, get_backend, normalize_device
from .ops import elementwise as ew
from .ops import movement as mv
from .ops.matmul import MatMul, check_matmul_shapes
from .ops.reduce import Max, Sum, normalize_axis
from .rng import Seed, make_rng

DTypeLike = Any  # "float32", "float64", "int64", "bool", a numpy dtype or scalar type
Scalar = int | float | bool

_DTYPE_NAMES = {"float": np.float32, "double": np.float64, "long": np.int64, "int": np.int64}


def resolve_dtype(dtype: DTypeLike) -> np.dtype | None:
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = _DTYPE_NAMES.get(dtype, dtype)
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"Tensor: unknown dtype {dtype!r}") from e


def _default_dtype(arr: np.ndarray) -> np.dtype:
    """Floats become float32 (the deep-learning default); ints stay integer (class
    labels) and bools stay bool (masks), as in ``torch.tensor``."""
    kind = arr.dtype.kind
    if kind == "f":
        return np.dtype(np.float32)
    if kind in "iu":
        return arr.dtype if arr.dtype.itemsize == 8 or kind == "u" else np.dtype(np.int64)
    if kind == "b":
        return arr.dtype
    raise TypeError(
        f"Tensor: cannot make a tensor from data of dtype {arr.dtype} "
        "(expected numbers or booleans)"
    )


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept f(2, 3) and f((2, 3)) like PyTorch."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class Tensor:
    """A multi-dimensional array that records the operations applied to it.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_device", "_retains_grad",
                 "__weakref__")
    __array_priority__ = 1000  # numpy scalars/arrays on the left defer to our operators

    def __init__(self, data: Any, dtype: DTypeLike = None, requires_grad: bool = False,
                 device: str | None = None) -> None:
        dev = normalize_device(device if device is not None else
                               (data.device if isinstance(data, Tensor) else "cpu"))
        be = get_backend(dev)
        want = resolve_dtype(dtype)
        if isinstance(data, Tensor):
            arr = data.data if data.device == dev else be.asarray(data.backend.to_numpy(data.data))
        elif dev == "cpu":
            arr = np.asarray(data)
        else:
            arr = be.asarray(data) if hasattr(data, "__cuda_array_interface__") else \
                be.asarray(np.asarray(data))
        if want is None:
            want = _default_dtype(arr) if not isinstance(data, Tensor) else arr.dtype
        if arr.dtype != want:
            arr = be.astype(arr, want)
        self.data = arr
        self.grad: Tensor | None = None
        self._ctx: Context | None = None
        self._device = dev
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data: Any, device: str, requires_grad: bool = False) -> Tensor:
        """Fast path for the engine: wrap a backend array as is (no copy, no checks)."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t._ctx = None
        t._device = device
        t._retains_grad = False
        t.requires_grad = requires_grad
        return t

    def _constant(self, data: Any) -> Tensor:
        """A gradient-free tensor on this tensor's device (masks and constants in backward)."""
        return Tensor._wrap(data, self._device)

    # ---- properties ----------------------------------------------------------------
    @property
    def device(self) -> str:
        return self._device

    @property
    def backend(self) -> Backend:
        return get_backend(self._device)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.data.shape)

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    def numel(self) -> int:
        return self.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        return self._ctx is None

    @property
    def grad_fn(self) -> str | None:
        return None if self._ctx is None else f"{self._ctx.fn.__name__}Backward"

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
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

    # ---- conversion ----------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The data as a numpy array (a copy when it lives on the GPU)."""
        if self.requires_grad and is_grad_enabled() and self._device == "cpu":
            return self.data.view()  # a view, so that writing to it can't go unnoticed
        return self.backend.to_numpy(self.data)

    def item(self) -> Scalar:
        if self.size != 1:
            raise ValueError(f"item(): only one-element tensors can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.backend.to_numpy(self.data).reshape(()).item()

    def tolist(self) -> Any:
        return self.backend.to_numpy(self.data).tolist()

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory, like PyTorch)."""
        return Tensor._wrap(self.data, self._device)

    def clone(self) -> Tensor:
        return self + 0 if self.requires_grad else Tensor._wrap(self.data.copy(), self._device)

    def to(self, device: str | None = None, dtype: DTypeLike = None) -> Tensor:
        out = self
        if device is not None and normalize_device(device) != self._device:
            out = mv.ToDevice.apply(out, device=normalize_device(device))
        if dtype is not None:
            out = out.to_dtype(dtype)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def to_dtype(self, dtype: DTypeLike) -> Tensor:
        want = resolve_dtype(dtype)
        if want == self.dtype:
            return self
        if self.requires_grad and want.kind == "f":
            return ew.Cast.apply(self, dtype=want)
        return Tensor._wrap(self.backend.astype(self.data, want), self._device)

    def float(self) -> Tensor:
        return self.to_dtype(np.float32)

    def double(self) -> Tensor:
        return self.to_dtype(np.float64)

    def long(self) -> Tensor:
        return self.to_dtype(np.int64)

    def __repr__(self) -> str:
        arr = self.backend.to_numpy(self.data)
        body = np.array2string(arr, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if arr.dtype not in (np.float32, np.int64, np.bool_):
            extras.append(f"dtype={arr.dtype}")
        if self._device != "cpu":
            extras.append(f"device='{self._device}'")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self.grad_fn}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous; "
                             "use .any() or .all()")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = self.backend.to_numpy(self.data)
        return arr if dtype is None else arr.astype(dtype)

    __hash__ = object.__hash__

    # ---- autograd ------------------------------------------------------------------
    def backward(self, gradient: Tensor | Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
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
            gradient = self._coerce(gradient)
            if gradient.shape != self.shape:
                raise RuntimeError(f"backward(): gradient has shape {gradient.shape} but the "
                                   f"tensor has shape {self.shape}")
            gradient = gradient.to_dtype(self.dtype)
        if retain_graph is None:
            retain_graph = create_graph
        autograd.backward(self, gradient, retain_graph, create_graph)

    def _accumulate_grad(self, g: Tensor, create_graph: bool) -> None:
        if not create_graph:
            g = g.detach()
        if self.grad is None:
            # own the buffer: the incoming gradient may be a broadcast view or shared (a
            # gradient in a graph is kept as is; it is never updated in place below)
            self.grad = g if create_graph and g.requires_grad else \
                Tensor._wrap(g.data.copy(), self._device)
        elif create_graph or self.grad.requires_grad:
            self.grad = self.grad + g
        else:
            self.grad.data += g.data

    def zero_grad(self) -> None:
        self.grad = None

    # ---- construction helpers ------------------------------------------------------
    def _coerce(self, other: Any) -> Tensor:
        """Turn the other operand of a binary op into a Tensor on this device. Python
        scalars take this tensor's dtype when it is floating, so float32 stays float32."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, int, float)) and not isinstance(other, np.generic):
            kind = self.dtype.kind
            if isinstance(other, float) and kind != "f":
                dtype = np.float32
            elif kind == "f" or (isinstance(other, int) and kind in "iu"):
                dtype = self.dtype
            else:
                dtype = None
            return Tensor._wrap(self.backend.asarray(other, dtype=dtype), self._device)
        return Tensor(other, device=self._device)

    @staticmethod
    def _result_dtype(a: Tensor, b: Tensor) -> np.dtype:
        # PyTorch's rule: an int/bool operand takes the float operand's dtype (int64 +
        # float32 → float32; numpy would say float64). Same category: numpy's promotion.
        fa, fb = a.dtype.kind == "f", b.dtype.kind == "f"
        if fa != fb:
            return a.dtype if fa else b.dtype
        return np.result_type(a.dtype, b.dtype)

    def _binary(self, fn: type[autograd.Function], other: Any, reverse: bool = False,
                name: str = "") -> Tensor:
        o = self._coerce(other)
        a, b = (o, self) if reverse else (self, o)
        if a.shape != b.shape:
            try:
                np.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                raise ValueError(f"{name or fn.__name__.lower()}: shapes {a.shape} and "
                                 f"{b.shape} cannot be broadcast together") from None
        if a.dtype != b.dtype and (a.dtype.kind == "f" or b.dtype.kind == "f"):
            # promote in the graph (not inside numpy) so each gradient gets its input's dtype
            common = self._result_dtype(a, b)
            if common.kind != "f":
                common = np.dtype(np.float32)
            a, b = a.to_dtype(common), b.to_dtype(common)
        return fn.apply(a, b)

    # ---- factories -----------------------------------------------------------------
    @staticmethod
    def _make(arr: Any, dtype: DTypeLike, requires_grad: bool, device: str | None) -> Tensor:
        dev = normalize_device(device)
        data = arr if dev == "cpu" else get_backend(dev).asarray(arr)
        t = Tensor._wrap(data, dev)
        want = resolve_dtype(dtype)
        if want is not None and t.dtype != want:
            t.data = t.backend.astype(t.data, want)
        return t.requires_grad_(requires_grad) if requires_grad else t

    @staticmethod
    def zeros(*shape: Any, dtype: DTypeLike = "float32", requires_grad: bool = False,
              device: str | None = None) -> Tensor:
        return Tensor._make(np.zeros(_shape_arg(shape), resolve_dtype(dtype)), None,
                            requires_grad, device)

    @staticmethod
    def ones(*shape: Any, dtype: DTypeLike = "float32", requires_grad: bool = False,
             device: str | None = None) -> Tensor:
        return Tensor._make(np.ones(_shape_arg(shape), resolve_dtype(dtype)), None,
                            requires_grad, device)

    @staticmethod
    def full(shape: Sequence[int] | int, fill_value: Scalar, dtype: DTypeLike = None,
             requires_grad: bool = False, device: str | None = None) -> Tensor:
        shp = (shape,) if isinstance(shape, int) else tuple(shape)
        arr = np.full(shp, fill_value)
        want = resolve_dtype(dtype) or _default_dtype(arr)
        return Tensor._make(arr.astype(want), None, requires_grad, device)

    @staticmethod
    def arange(start: float, stop: float | None = None, step: float = 1,
               dtype: DTypeLike = None, requires_grad: bool = False,
               device: str | None = None) -> Tensor:
        if stop is None:
            start, stop = 0, start
        arr = np.arange(start, stop, step)
        want = resolve_dtype(dtype) or _default_dtype(arr)
        return Tensor._make(arr.astype(want), None, requires_grad, device)

    @staticmethod
    def eye(n: int, m: int | None = None, dtype: DTypeLike = "float32",
            requires_grad: bool = False, device: str | None = None) -> Tensor:
        return Tensor._make(np.eye(n, m, dtype=resolve_dtype(dtype)), None, requires_grad,
                            device)

    @staticmethod
    def rand(*shape: Any, seed: Seed = None, dtype: DTypeLike = "float32",
             requires_grad: bool = False, device: str | None = None) -> Tensor:
        """Uniform on [0, 1)."""
        arr = make_rng(seed).random(_shape_arg(shape))
        return Tensor._make(arr.astype(resolve_dtype(dtype)), None, requires_grad, device)

    @staticmethod
    def randn(*shape: Any, seed: Seed = None, dtype: DTypeLike = "float32",
              requires_grad: bool = False, device: str | None = None) -> Tensor:
        """Standard normal N(0, 1)."""
        arr = make_rng(seed).standard_normal(_shape_arg(shape))
        return Tensor._make(arr.astype(resolve_dtype(dtype)), None, requires_grad, device)

    @staticmethod
    def uniform(*shape: Any, low: float = 0.0, high: float = 1.0, seed: Seed = None,
                dtype: DTypeLike = "float32", requires_grad: bool = False,
                device: str | None = None) -> Tensor:
        """Uniform on [low, high)."""
        arr = make_rng(seed).uniform(low, high, _shape_arg(shape))
        return Tensor._make(arr.astype(resolve_dtype(dtype)), None, requires_grad, device)

    def zeros_like(self, dtype: DTypeLike = None) -> Tensor:
        return Tensor._wrap(self.backend.zeros(self.shape, resolve_dtype(dtype) or self.dtype),
                            self._device)

    def ones_like(self, dtype: DTypeLike = None) -> Tensor:
        return Tensor._wrap(self.backend.ones(self.shape, resolve_dtype(dtype) or self.dtype),
                            self._device)

    # ---- elementwise ---------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return self._binary(ew.Add, other, name="add")

    def __radd__(self, other: Any) -> Tensor:
        return self._binary(ew.Add, other, reverse=True, name="add")

    def __sub__(self, other: Any) -> Tensor:
        return self._binary(ew.Sub, other, name="sub")

    def __rsub__(self, other: Any) -> Tensor:
        return self._binary(ew.Sub, other, reverse=True, name="sub")

    def __mul__(self, other: Any) -> Tensor:
        return self._binary(ew.Mul, other, name="mul")

    def __rmul__(self, other: Any) -> Tensor:
        return self._binary(ew.Mul, other, reverse=True, name="mul")

    def __truediv__(self, other: Any) -> Tensor:
        if self.dtype.kind != "f" and not (isinstance(other, Tensor) and other.dtype.kind == "f"):
            return self.float()._binary(ew.Div, other, name="div")
        return self._binary(ew.Div, other, name="div")

    def __rtruediv__(self, other: Any) -> Tensor:
        base = self if self.dtype.kind == "f" else self.float()
        return base._binary(ew.Div, other, reverse=True, name="div")

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            base = self if self.dtype.kind == "f" or isinstance(exponent, int) else self.float()
            return ew.PowScalar.apply(base, exponent=exponent)
        return self._binary(ew.Pow, exponent, name="pow")

    def __rpow__(self, base: Any) -> Tensor:
        return self._binary(ew.Pow, base, reverse=True, name="pow")

    def __neg__(self) -> Tensor:
        return ew.Neg.apply(self)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._coerce(other).matmul(self)

    def add(self, other: Any) -> Tensor:
        return self + other

    def sub(self, other: Any) -> Tensor:
        return self - other

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def _unary(self, fn: type[autograd.Function]) -> Tensor:
        return fn.apply(self if self.dtype.kind == "f" else self.float())

    def exp(self) -> Tensor:
        return self._unary(ew.Exp)

    def log(self) -> Tensor:
        return self._unary(ew.Log)

    def sqrt(self) -> Tensor:
        return self._unary(ew.Sqrt)

    def abs(self) -> Tensor:
        return ew.Abs.apply(self)

    def relu(self) -> Tensor:
        return ew.ReLU.apply(self)

    def sigmoid(self) -> Tensor:
        return self._unary(ew.Sigmoid)

    def tanh(self) -> Tensor:
        return self._unary(ew.Tanh)

    def square(self) -> Tensor:
        return self**2

    def clip(self, min: float | None = None, max: float | None = None) -> Tensor:
        if min is not None and max is not None and min > max:
            raise ValueError(f"clip: min ({min}) is larger than max ({max})")
        return ew.Clip.apply(self, lo=min, hi=max)

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        return self._binary(ew.Maximum, other, name="maximum")

    def minimum(self, other: Any) -> Tensor:
        return self._binary(ew.Minimum, other, name="minimum")

    def where(self, condition: Any, other: Any) -> Tensor:
        """``condition ? self : other`` (PyTorch's ``Tensor.where``)."""
        return where(condition, self, other)

    def _compare(self, op: str, other: Any) -> Tensor:
        o = self._coerce(other)
        try:
            np.broadcast_shapes(self.shape, o.shape)
        except ValueError:
            raise ValueError(f"{op}: shapes {self.shape} and {o.shape} cannot be broadcast "
                             "together") from None
        return Tensor._wrap(self.backend.compare(op, self.data, o.data), self._device)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare("eq", other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare("ne", other)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare("lt", other)

    def __le__(self, other: Any) -> Tensor:
        return self._compare("le", other)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare("gt", other)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare("ge", other)

    def __invert__(self) -> Tensor:
        if self.dtype.kind != "b":
            raise TypeError(f"~ needs a bool tensor, got {self.dtype}")
        return Tensor._wrap(~self.data, self._device)

    def __and__(self, other: Any) -> Tensor:
        return Tensor._wrap(self.data & self._coerce(other).data, self._device)

    def __or__(self, other: Any) -> Tensor:
        return Tensor._wrap(self.data | self._coerce(other).data, self._device)

    def any(self) -> bool:
        return bool(self.data.any())

    def all(self) -> bool:
        return bool(self.data.all())

    # ---- reductions ----------------------------------------------------------------
    def _axes(self, axis: Any, dim: Any, op: str) -> tuple[int, ...]:
        if dim is not None:
            if axis is not None:
                raise TypeError(f"{op}: give axis or dim, not both")
            axis = dim
        return normalize_axis(axis, self.ndim, op)

    def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:
        """Σ over ``axis`` (all axes when None). ``dim``/``keepdim`` are PyTorch's names."""
        keep = keepdims if keepdim is None else keepdim
        base = self if self.dtype.kind == "f" else self.to_dtype(np.int64)
        return Sum.apply(base, axes=self._axes(axis, dim, "sum"), keepdims=keep)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
             keepdim: bool | None = None) -> Tensor:
        """Σx / n over ``axis``."""
        axes = self._axes(axis, dim, "mean")
        n = math.prod(self.shape[a] for a in axes)
        if n == 0:
            raise ValueError(f"mean: cannot average over an empty axis of shape {self.shape}")
        keep = keepdims if keepdim is None else keepdim
        base = self if self.dtype.kind == "f" else self.float()
        return Sum.apply(base, axes=axes, keepdims=keep) * (1.0 / n)

    def var(self, axis: Any = None, keepdims: bool = False, *, correction: int = 1,
            unbiased: bool | None = None, dim: Any = None, keepdim: bool | None = None
            ) -> Tensor:
        """Σ(x − x̄)² / (n − correction). ``correction=1`` (the unbiased estimate) is
        PyTorch's default; numpy's ``var`` uses 0 — pass ``correction=0`` for it."""
        if unbiased is not None:
            correction = int(unbiased)
        axes = self._axes(axis, dim, "var")
        n = math.prod(self.shape[a] for a in axes)
        keep = keepdims if keepdim is None else keepdim
        d = self - self.mean(axes, keepdims=True)
        # n ≤ correction: nan (0/0), as PyTorch — not a Python ZeroDivisionError
        scale = 1.0 / (n - correction) if n > correction else math.nan
        return (d * d).sum(axes, keepdims=keep) * scale

    def std(self, axis: Any = None, keepdims: bool = False, *, correction: int = 1,
            dim: Any = None, keepdim: bool | None = None) -> Tensor:
        return self.var(axis, keepdims, correction=correction, dim=dim, keepdim=keepdim).sqrt()

    def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:
        """Largest value over ``axis`` (values only, like numpy; see ``argmax``).
        Gradient: shared evenly among tied maxima."""
        keep = keepdims if keepdim is None else keepdim
        return Max.apply(self, axes=self._axes(axis, dim, "max"), keepdims=keep)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> Tensor:
        """Smallest value over ``axis``: −max(−x)."""
        axes = self._axes(axis, dim, "min")  # validated here so errors say "min"
        return -((-self).max(axes, keepdims if keepdim is None else keepdim))

    def _arg(self, op: str, axis: int | None, keepdims: bool) -> Tensor:
        if axis is not None:
            normalize_axis(axis, self.ndim, op)
        fn = self.backend.argmax if op == "argmax" else self.backend.argmin
        return Tensor._wrap(fn(self.data, axis=axis, keepdims=keepdims), self._device)

    def argmax(self, axis: int | None = None, keepdims: bool = False, *,
               dim: int | None = None, keepdim: bool | None = None) -> Tensor:
        return self._arg("argmax", axis if dim is None else dim,
                         keepdims if keepdim is None else keepdim)

    def argmin(self, axis: int | None = None, keepdims: bool = False, *,
               dim: int | None = None, keepdim: bool | None = None) -> Tensor:
        return self._arg("argmin", axis if dim is None else dim,
                         keepdims if keepdim is None else keepdim)

    def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                  keepdim: bool | None = None) -> Tensor:
        """log Σ eˣ, computed as m + log Σ e^(x−m) with m = max x so that nothing
        overflows; its gradient is softmax(x)."""
        axes = self._axes(axis, dim, "logsumexp")
        keep = keepdims if keepdim is None else keepdim
        m = self.detach().max(axes, keepdims=True)
        # an all −inf slice would give (−inf) − (−inf) = nan; shifting by 0 there is exact
        m = Tensor._wrap(self.backend.where(self.backend.isfinite(m.data), m.data, 0),
                         self._device)
        out = (self - m).exp().sum(axes, keepdims=True).log() + m
        return out if keep else out.reshape(tuple(n for i, n in enumerate(out.shape)
                                                  if i not in axes))

    def softmax(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        """softmax(x)ᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m), m = max x (shift-invariant, so stable)."""
        axes = self._axes(-1 if axis is None and dim is None else axis, dim, "softmax")
        e = (self - self.detach().max(axes, keepdims=True)).exp()
        return e / e.sum(axes, keepdims=True)

    def log_softmax(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        """log softmax(x) = x − logsumexp(x): never takes the log of an underflowed 0."""
        axes = self._axes(-1 if axis is None and dim is None else axis, dim, "log_softmax")
        return self - self.logsumexp(axes, keepdims=True)

    # ---- movement ------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        shp = _shape_arg(shape)
        if shp == self.shape:
            return self
        known = math.prod(s for s in shp if s != -1)
        ok = (shp.count(-1) == 0 and known == self.size) or (
            shp.count(-1) == 1 and known > 0 and self.size % known == 0)
        if not ok:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} "
                             f"({self.size} elements) into shape {shp}")
        return mv.Reshape.apply(self, shape=shp)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = start_dim % self.ndim, end_dim % self.ndim
        return self.reshape(self.shape[:s] + (math.prod(self.shape[s:e + 1]),)
                            + self.shape[e + 1:])

    def permute(self, *axes: Any) -> Tensor:
        ax = _shape_arg(axes)
        if sorted(a % max(self.ndim, 1) for a in ax) != list(range(self.ndim)):
            raise ValueError(f"permute: {ax} is not a permutation of the {self.ndim} axes of "
                             f"a tensor of shape {self.shape}")
        ax = tuple(a % self.ndim for a in ax)
        if ax == tuple(range(self.ndim)):
            return self
        return mv.Permute.apply(self, axes=ax)

    def transpose(self, dim0: int = -2, dim1: int = -1) -> Tensor:
        if self.ndim < 2:
            return self
        axes = list(range(self.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self.permute(*axes)

    @property
    def T(self) -> Tensor:
        """All axes reversed (the matrix transpose for 2-D)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """Transpose of the last two axes (a batch of matrices)."""
        return self.transpose(-2, -1)

    def squeeze(self, axis: int | None = None, *, dim: int | None = None) -> Tensor:
        ax = axis if dim is None else dim
        if ax is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        axes = normalize_axis(ax, self.ndim, "squeeze")
        if not axes or self.shape[axes[0]] != 1:  # () for a 0-d tensor: nothing to squeeze
            return self
        ax = axes[0]
        return self.reshape(self.shape[:ax] + self.shape[ax + 1:])

    def unsqueeze(self, axis: int) -> Tensor:
        if not -self.ndim - 1 <= axis <= self.ndim:  # (a modulo would wrap silently)
            raise ValueError(f"unsqueeze: axis {axis} is out of range for a tensor with "
                             f"{self.ndim} dims (valid: {-self.ndim - 1} to {self.ndim})")
        ax = axis % (self.ndim + 1)
        return self.reshape(self.shape[:ax] + (1,) + self.shape[ax:])

    def expand(self, *shape: Any) -> Tensor:
        shp = _shape_arg(shape)
        # PyTorch's -1 keeps a dimension as it is
        lead = len(shp) - self.ndim
        if -1 in shp[:lead]:  # self.shape[i - lead] would wrap around to the last axes
            raise ValueError(f"expand: -1 is not allowed for a new leading dimension "
                             f"(shape {shp} for a tensor of shape {self.shape})")
        shp = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(shp))
        if shp == self.shape:
            return self
        try:
            if np.broadcast_shapes(self.shape, shp) != shp:
                raise ValueError
        except ValueError:
            raise ValueError(f"expand: cannot broadcast a tensor of shape {self.shape} to "
                             f"shape {shp}") from None
        return mv.Expand.apply(self, shape=shp)

    broadcast_to = expand

    def sum_to(self, shape: tuple[int, ...]) -> Tensor:
        """Sum this (broadcast) tensor down to ``shape`` — the adjoint of ``expand``, used
        by every binary op's backward."""
        if self.shape == shape:
            return self
        lead = self.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and self.shape[lead + i] != 1)
        out = self.sum(axes, keepdims=True) if axes else self
        return out.reshape(shape)

    def __getitem__(self, index: Any) -> Tensor:
        return mv.GetItem.apply(self, index=self._index(index))

    def _index(self, index: Any) -> Any:
        """Tensors inside an index become arrays; lists become integer/bool arrays."""
        items = index if isinstance(index, tuple) else (index,)
        out = []
        for it in items:
            if isinstance(it, Tensor):
                if it.dtype.kind not in "iub":
                    raise IndexError(f"index: tensors used as indices must be integer or "
                                     f"bool, got {it.dtype}")
                it = it.data
            elif isinstance(it, list):
                it = self.backend.asarray(np.asarray(it))
            out.append(it)
        result = tuple(out) if isinstance(index, tuple) else out[0]
        try:  # validate against the shape now, so the error names this tensor
            np.empty(self.shape, dtype=np.bool_)[_host_index(result)]
        except IndexError as e:
            raise IndexError(f"index: {e} (tensor of shape {self.shape})") from None
        return result

    def pad(self, pad_width: Sequence[tuple[int, int]] | Sequence[int] | int,
            value: float = 0.0) -> Tensor:
        """Constant padding. ``pad_width`` is numpy's: an int, or one (before, after) pair
        per axis. (PyTorch's ``F.pad`` order, last axis first, is in ``nn.functional``.)"""
        if isinstance(pad_width, int):
            pw = ((pad_width, pad_width),) * self.ndim
        else:
            pw = tuple((int(p[0]), int(p[1])) for p in pad_width)  # type: ignore[index]
        if len(pw) != self.ndim or any(lo < 0 or hi < 0 for lo, hi in pw):
            raise ValueError(f"pad: need one non-negative (before, after) pair per axis for a "
                             f"tensor of shape {self.shape}, got {pad_width}")
        return mv.Pad.apply(self, pad_width=pw, value=value)

    # ---- matmul --------------------------------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        """Matrix product with numpy's rules: 1-D operands are promoted to a row (left) or
        a column (right) and the added axis is removed from the result; leading axes
        broadcast."""
        o = self._coerce(other)
        check_matmul_shapes(self.shape, o.shape)
        a = self.unsqueeze(0) if self.ndim == 1 else self
        b = o.unsqueeze(-1) if o.ndim == 1 else o
        if a.ndim > 2 or b.ndim > 2:
            try:
                np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except ValueError:
                raise ValueError(f"matmul: batch dimensions of shapes {self.shape} and "
                                 f"{o.shape} cannot be broadcast together") from None
        if a.dtype != b.dtype:
            common = self._result_dtype(a, b)
            a, b = a.to_dtype(common), b.to_dtype(common)
        out = MatMul.apply(a, b)
        if o.ndim == 1:
            out = out.squeeze(-1)
        if self.ndim == 1:
            out = out.squeeze(-2 if out.ndim >= 2 else 0)
        return out

    def dot(self, other: Any) -> Tensor:
        return self.matmul(other)


def _host_index(index: Any) -> Any:
    """An index with any GPU arrays moved to numpy (only for validating shapes)."""
    items = index if isinstance(index, tuple) else (index,)
    conv = tuple(np.asarray(i.get()) if hasattr(i, "get") and hasattr(i, "__cuda_array_interface__")
                 else i for i in items)
    return conv if isinstance(index, tuple) else conv[0]


# ---- functions that take several tensors -----------------------------------------------


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """``condition ? x : y`` elementwise, broadcasting all three. Gradients flow to x
    where the condition holds and to y elsewhere."""
    ref = x if isinstance(x, Tensor) else y if isinstance(y, Tensor) else None
    if ref is None:
        ref = Tensor(x)
    xt, yt = ref._coerce(x), ref._coerce(y)
    cond = condition.data if isinstance(condition, Tensor) else ref.backend.asarray(condition)
    if cond.dtype.kind != "b":
        cond = cond.astype(bool)
    try:
        shape = np.broadcast_shapes(tuple(cond.shape), xt.shape, yt.shape)
    except ValueError:
        raise ValueError(f"where: shapes {tuple(cond.shape)}, {xt.shape} and {yt.shape} "
                         "cannot be broadcast together") from None
    if xt.dtype != yt.dtype:
        common = Tensor._result_dtype(xt, yt)
        xt, yt = xt.to_dtype(common), yt.to_dtype(common)
    # broadcast x and y first so that the op's gradients have the inputs' own shapes
    return ew.Where.apply(xt.expand(shape), yt.expand(shape), cond=cond)


def cat(tensors: Sequence[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis."""
    ts = list(tensors)
    if not ts:
        raise ValueError("cat: need at least one tensor")
    if ts[0].ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    ax = normalize_axis(axis if dim is None else dim, ts[0].ndim, "cat")[0]
    for t in ts[1:]:
        if t.ndim != ts[0].ndim or any(
                a != b for i, (a, b) in enumerate(zip(t.shape, ts[0].shape)) if i != ax):
            raise ValueError(f"cat: shapes {ts[0].shape} and {t.shape} differ outside axis {ax}")
    floats = [t.dtype for t in ts if t.dtype.kind == "f"]  # ints join a float's dtype
    dtype = np.result_type(*(floats or [t.dtype for t in ts]))
    return mv.Concatenate.apply(*[t.to_dtype(dtype) for t in ts], axis=ax)


concatenate = cat


def stack(tensors: Sequence[Tensor], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis."""
    ts = list(tensors)
    if not ts:
        raise ValueError("stack: need at least one tensor")
    for t in ts[1:]:
        if t.shape != ts[0].shape:
            raise ValueError(f"stack: all tensors need the same shape, got {ts[0].shape} and "
                             f"{t.shape}")
    ax = (axis if dim is None else dim) % (ts[0].ndim + 1)
    return cat([t.unsqueeze(ax) for t in ts], axis=ax)


Tensor.cat = staticmethod(cat)  # type: ignore[attr-defined]
Tensor.concatenate = staticmethod(cat)  # type: ignore[attr-defined]
Tensor.stack = staticmethod(stack)  # type: ignore[attr-defined]
