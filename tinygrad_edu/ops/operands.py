"""Turning what a user passes into what a ``Function`` takes, with errors that name the op.

Every op's user-facing function uses these few rules, so they are written once:
Python scalars and arrays become Tensors on the other operand's device
(:func:`as_tensor`), shapes must broadcast (:func:`broadcast_shapes`), dtypes are
promoted by :func:`tinygrad_edu.dtypes.promote` (:func:`promote`), and axis arguments
(numpy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``) are normalised
(:func:`axes`, :func:`keep`).
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from .. import tensor as _tensor

if TYPE_CHECKING:
    from ..tensor import Tensor

Scalar = bool | int | float


def is_tensor(x: Any) -> bool:
    return isinstance(x, _tensor.Tensor)


def as_tensor(ref: Tensor, value: Any, op: str = "") -> Tensor:
    """``value`` as a Tensor on ``ref``'s device. A Python scalar takes ``ref``'s dtype
    when that is floating, so ``float32_tensor * 2.5`` stays float32 (PyTorch's rule)."""
    if isinstance(value, _tensor.Tensor):
        return value
    if type(value) is float:  # the hot case: x * 0.5
        dtype = ref.data.dtype
        if dtype.kind == "f":
            return _float_constant(value, dtype, ref.device)
    if isinstance(value, (bool, int, float)):
        dtype = dtypes.scalar_dtype(value, ref.dtype)
        try:
            arr = ref.backend.asarray(value, dtype=dtype)
        except OverflowError:  # e.g. an int32 tensor | 0xFFFFFFFF: wrap as PyTorch does
            arr = ref.backend.asarray(np.array(value, dtype=np.int64).astype(dtype))
        return _tensor.Tensor._wrap(arr, ref.device)
    if isinstance(value, (np.ndarray, list, tuple, np.generic)) or hasattr(value, "__array__"):
        return _tensor.Tensor(value, device=ref.device)
    raise TypeError(f"{op or 'op'}: expected a Tensor, a number or an array, got "
                    f"{type(value).__name__}")


_CONSTANTS: dict[tuple[float, Any, str], Tensor] = {}


def _float_constant(value: float, dtype: Any, device: str) -> Tensor:
    """A Python float as a 0-d constant Tensor of a floating ``dtype``. The same constants
    come back every step of a loop (``x * 0.5``, ``h + 1e-5``), so they are made once and
    kept — read-only, since every op that meets one shares it. Not kept: 0 (−0.0 == 0.0
    as a key, but not as a factor) and NaN (never equal to itself); at most a few hundred."""
    key = (value, dtype, device)
    t = _CONSTANTS.get(key)
    if t is None:
        arr = _tensor.get_backend(device).asarray(value, dtype=dtype)
        t = _tensor.Tensor._wrap(arr, device)
        if value and value == value and device == "cpu":
            arr.flags.writeable = False
            if len(_CONSTANTS) >= 512:
                _CONSTANTS.clear()
            _CONSTANTS[key] = t
    return t


def pair(a: Any, b: Any, op: str) -> tuple[Tensor, Tensor]:
    """Both operands of a binary op as Tensors (one of them already is)."""
    ref = a if isinstance(a, _tensor.Tensor) else b
    if not isinstance(ref, _tensor.Tensor):
        raise TypeError(f"{op}: expected at least one Tensor operand, got "
                        f"{type(a).__name__} and {type(b).__name__}")
    return as_tensor(ref, a, op), as_tensor(ref, b, op)


def broadcast_shapes(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape the operands broadcast to, or a ValueError naming the op and shapes."""
    if len(shapes) == 2:  # the common case, without numpy's general machinery
        a, b = shapes
        if a == b:
            return a
        if not a or not b:
            return a or b
        if len(a) == len(b) and all(m == n or m == 1 or n == 1 for m, n in zip(a, b)):
            return tuple(m if n == 1 else n for m, n in zip(a, b))
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        listed = ", ".join(str(s) for s in shapes[:-1]) + f" and {shapes[-1]}"
        raise ValueError(f"{op}: shapes {listed} cannot be broadcast together") from None


def promote(op: str, *ts: Tensor, floating: bool = False) -> tuple[Tensor, ...]:
    """Cast the operands to their common dtype *in the graph*, so each gradient comes back
    in its own input's dtype. ``floating=True``: the result must be floating (float32 for
    integer operands, as ``torch.div``)."""
    first = ts[0].dtype
    same = all(t.dtype == first for t in ts[1:])
    if same and (not floating or first.kind == "f"):
        return ts
    common = dtypes.promote(*(t.dtype for t in ts))
    if floating and common.kind != "f":
        common = dtypes.float32
    return tuple(t.to_dtype(common) for t in ts)


def binary(op: str, a: Any, b: Any, floating: bool = False) -> tuple[Tensor, Tensor]:
    """The usual preparation of a broadcasting binary op: Tensors, checked shapes, one
    dtype."""
    Tensor = _tensor.Tensor
    if isinstance(a, Tensor):
        x, y = a, b if isinstance(b, Tensor) else as_tensor(a, b, op)
    else:
        x, y = pair(a, b, op)
    xs, ys = x.data.shape, y.data.shape
    if xs != ys and xs and ys:  # (a 0-d operand, e.g. a Python number, always fits)
        broadcast_shapes(op, xs, ys)
    if floating or x.data.dtype != y.data.dtype:
        x, y = promote(op, x, y, floating=floating)
    return x, y


def floating(t: Tensor) -> Tensor:
    """``t`` itself when floating, else as float32 (``torch.exp(int_tensor)`` is float)."""
    return t if t.dtype.kind == "f" else t.to_dtype(dtypes.float32)


class DimensionError(IndexError, ValueError):
    """A dimension out of range. An IndexError, as in PyTorch (and a ValueError, as numpy's
    AxisError is)."""


def dim(d: Any, ndim: int, op: str, *, extra: int = 0) -> int:
    """One dimension index in [−(ndim+extra), ndim+extra) → non-negative; a clear error
    otherwise (``extra=1`` for ops that insert a dimension, such as unsqueeze and stack).
    A 0-d tensor accepts 0 and −1, as in PyTorch."""
    try:
        d = operator.index(d)
    except TypeError:
        raise TypeError(f"{op}: a dimension must be an int, got {type(d).__name__}") from None
    n = max(ndim + extra, 1)
    if not -n <= d < n:
        raise DimensionError(f"{op}: axis {d} is out of range for a tensor with {ndim} dims "
                             f"(a dimension must be in [{-n}, {n - 1}])")
    return d % n


def axes(axis: Any, ndim: int, op: str, dim_: Any = None) -> tuple[int, ...]:
    """An ``axis``/``dim`` argument (None, an int, or a sequence) → a sorted tuple of
    non-negative axes; all axes for None."""
    if dim_ is not None:
        if axis is not None:
            raise TypeError(f"{op}: give axis or dim, not both")
        axis = dim_
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        out = tuple(dim(a, ndim, op) for a in axis)
        if len(set(out)) != len(out):
            raise ValueError(f"{op}: repeated axis in {tuple(axis)}")
    else:
        if isinstance(axis, (float, str)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got "
                            f"{type(axis).__name__} {axis!r}")
        out = (dim(axis, ndim, op),)
    return tuple(sorted(out)) if ndim else ()


def keep(keepdims: bool, keepdim: bool | None) -> bool:
    """numpy's ``keepdims`` or PyTorch's ``keepdim`` (which wins when given)."""
    return keepdims if keepdim is None else keepdim


def shape_arg(shape: tuple[Any, ...], op: str = "shape") -> tuple[int, ...]:
    """``f(2, 3)`` and ``f((2, 3))`` both mean the shape (2, 3), as in PyTorch; sizes must be
    integers (``randn(2.5, 3)`` is an error, not a (2, 3) tensor)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    out = []
    for s in shape:
        try:
            out.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{op}: sizes must be integers, got {type(s).__name__} {s!r} "
                            f"in {tuple(shape)}") from None
    return tuple(out)
