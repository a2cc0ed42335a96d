"""The one narrow interface between the autodiff core and an array library.

Every op in :mod:`tinygrad_edu.ops` computes with the methods of a :class:`Backend`;
it never imports numpy's math, cupy or a kernel itself. A backend knows nothing about
graphs or gradients: it maps arrays to arrays.

The op vocabulary is declared here, once: the names in :data:`UNARY_OPS`,
:data:`BINARY_OPS` and :data:`REDUCE_OPS` are what ``unary(name, a)``,
``binary(name, a, b)`` and ``reduce(name, a, axis, keepdims)`` accept. A backend
implements the vocabulary with a table from names to functions (numpy's ufuncs for the
CPU; CuPy's, or our kernels, for CUDA), so adding an op to the vocabulary is one line
per backend, not one method.

Besides the three families, a backend provides creation and transfer, ``where``,
``matmul`` and movement (reshape, transpose, broadcast, indexing, concatenation,
padding). ``adam_step`` is a *fused extension point*: an optimiser may call it, and a
GPU backend replaces it with one kernel. ``window_kernels`` is another: the CPU backend
offers compiled (Numba) convolution and max-pooling loops when numba is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as _np  # only for fallbacks where an array module lacks an operation

#: A numpy.ndarray on the CPU, a cupy.ndarray on the GPU.
Array: TypeAlias = Any
Shape: TypeAlias = tuple[int, ...]
Axis: TypeAlias = int | tuple[int, ...] | None

#: f(a) elementwise. ``sigmoid`` and ``relu`` are here because backends fuse them.
UNARY_OPS: tuple[str, ...] = (
    "neg", "exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "log1p",
    "expm1", "reciprocal", "isfinite", "isnan", "isinf", "logical_not", "invert",
)
# more math (issue 11): trigonometric, hyperbolic, logs and powers, rounding
UNARY_OPS += (
    "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log2", "log10", "exp2",
    "erf", "floor", "ceil", "round", "trunc",
)
#: f(a, b) elementwise with numpy broadcasting; comparisons give bool arrays.
BINARY_OPS: tuple[str, ...] = (
    "add", "sub", "mul", "div", "pow", "maximum", "minimum",
    "eq", "ne", "lt", "le", "gt", "ge",
    "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
)
# more math (issue 11)
BINARY_OPS += (
    "atan2", "fmod", "remainder", "floor_divide", "hypot", "logaddexp", "left_shift",
    "right_shift",
)
#: f(a, axis, keepdims) over the given axes.
REDUCE_OPS: tuple[str, ...] = ("sum", "max", "min", "argmax", "argmin", "any", "all",
                               "prod")

#: running reductions ``scan(name, a, axis)`` (cumsum, cumprod, cummax, cummin,
#: logcumsumexp).
SCAN_OPS: tuple[str, ...] = ("sum", "prod", "max", "min", "logaddexp")
#: how ``index_put`` combines values written to one position (scatter_reduce).
INDEX_REDUCE_OPS: dict[str, str] = {"sum": "add", "prod": "multiply", "amax": "maximum",
                                    "amin": "minimum"}

#: numpy/cupy function names where they differ from ours (both modules share them).
XP_NAMES: dict[str, str] = {
    "neg": "negative", "sub": "subtract", "mul": "multiply", "div": "true_divide",
    "pow": "power", "eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
    "gt": "greater", "ge": "greater_equal", "abs": "absolute",
}
XP_NAMES.update(asin="arcsin", acos="arccos", atan="arctan", atan2="arctan2", round="rint")


def xp_table(xp: Any, names: Sequence[str]) -> dict[str, Callable[..., Array]]:
    """name → the numpy-like module's function of that name (for ops that exist there)."""
    table = {}
    for name in names:
        fn = getattr(xp, XP_NAMES.get(name, name), None)
        if fn is not None:
            table[name] = fn
    return table


class Backend:
    """The array operations the engine needs. Subclasses fill the three op tables."""

    name: str = "abstract"
    _unary: dict[str, Callable[..., Array]]
    _binary: dict[str, Callable[..., Array]]
    _reduce: dict[str, Callable[..., Array]]

    # --- the op vocabulary ---------------------------------------------------------
    def unary(self, op: str, a: Array) -> Array:
        return self._unary[op](a)

    def binary(self, op: str, a: Array, b: Array) -> Array:
        return self._binary[op](a, b)

    def reduce(self, op: str, a: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return self._reduce[op](a, axis=axis, keepdims=keepdims)

    def where(self, cond: Array, a: Array, b: Array) -> Array:
        raise NotImplementedError

    # --- creation and transfer -------------------------------------------------------
    def asarray(self, data: Any, dtype: Any = None) -> Array:
        raise NotImplementedError

    def to_numpy(self, a: Array) -> Any:
        raise NotImplementedError

    def empty(self, shape: Shape, dtype: Any) -> Array:
        raise NotImplementedError

    def full(self, shape: Shape, value: Any, dtype: Any) -> Array:
        raise NotImplementedError

    def zeros(self, shape: Shape, dtype: Any) -> Array:
        return self.full(shape, 0, dtype)

    def ones(self, shape: Shape, dtype: Any) -> Array:
        return self.full(shape, 1, dtype)

    def arange(self, start: float, stop: float, step: float, dtype: Any) -> Array:
        raise NotImplementedError

    def astype(self, a: Array, dtype: Any) -> Array:
        return a.astype(dtype, copy=False)

    def copy(self, a: Array) -> Array:
        return a.copy(order="K")  # keeps the layout (a transposed array stays transposed)

    # --- movement ----------------------------------------------------------------------
    def reshape(self, a: Array, shape: Shape) -> Array:
        return a.reshape(shape)

    def transpose(self, a: Array, axes: Sequence[int]) -> Array:
        return a.transpose(axes)

    def broadcast_to(self, a: Array, shape: Shape) -> Array:
        raise NotImplementedError

    def getitem(self, a: Array, index: Any) -> Array:
        return a[index]

    def scatter_add(self, shape: Shape, dtype: Any, index: Any, values: Array) -> Array:
        """zeros(shape)[index] += values, accumulating repeated indices."""
        raise NotImplementedError

    def concatenate(self, arrays: Sequence[Array], axis: int) -> Array:
        raise NotImplementedError

    def pad(self, a: Array, pad_width: Sequence[tuple[int, int]], value: Any) -> Array:
        raise NotImplementedError

    def ascontiguous(self, a: Array) -> Array:
        raise NotImplementedError

    # --- linear algebra ----------------------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        raise NotImplementedError

    def einsum(self, equation: str, *arrays: Array) -> Array:
        raise NotImplementedError

    # --- scans, sorting, writes by index (ops/scan.py, ops/sort.py, ops/index.py) ----
    def scan(self, op: str, a: Array, axis: int) -> Array:
        """Running reduction along ``axis``: ``op`` in :data:`SCAN_OPS`."""
        raise NotImplementedError

    def argsort(self, a: Array, axis: int, descending: bool = False) -> Array:
        """Indices that sort ``a`` along ``axis``, *stably* (equal elements keep their
        order, also when descending); NaN sorts as the largest value."""
        raise NotImplementedError

    def index_put(self, a: Array, index: Any, values: Array, reduce: str | None = None
                  ) -> Array:
        """In place: ``a[index] = values`` (reduce None), or combine every value written to
        a position with ``reduce`` in :data:`INDEX_REDUCE_OPS` (repeats accumulate)."""
        raise NotImplementedError

    def nonzero(self, a: Array) -> tuple[Array, ...]:
        """The indices of the nonzero elements, one array per dimension."""
        raise NotImplementedError

    # --- fused extension point: an optimiser update in one pass ---------------------
    def adam_step(
        self, p: Array, g: Array, m: Array, v: Array, *, lr: float, beta1: float,
        beta2: float, eps: float, bias_correction1: float, bias_correction2: float,
    ) -> None:
        """In place: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
        p ← p − lr/bc₁ · m / (√(v/bc₂) + ε)."""
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        denom = self.unary("sqrt", v / bias_correction2)
        denom += eps
        p -= (lr / bias_correction1) * (m / denom)


    # --- fused extension point: compiled kernels for sliding windows ----------------
    def window_kernels(self) -> Any | None:
        """Compiled kernels for convolution and max pooling over (C, H, W, N) images (the
        functions of ``backend/cpu_kernels.py``), or None: the ops then use im2col and
        one matrix product, which need nothing but the methods above."""
        return None


class ArrayModuleBackend(Backend):
    """A backend over a numpy-like module ``xp`` (numpy itself, or CuPy)."""

    xp: Any = None

    def __init__(self) -> None:
        xp = self.xp
        self._unary = xp_table(xp, UNARY_OPS)
        self._unary.update(sigmoid=self._sigmoid, relu=self._relu)
        self._binary = xp_table(xp, BINARY_OPS)
        self._reduce = xp_table(xp, REDUCE_OPS)

    def _sigmoid(self, a: Array) -> Array:
        # 1/(1+e⁻ˣ) for x ≥ 0 and eˣ/(1+eˣ) below: e^(−|x|) never overflows, and small
        # values keep their relative precision (σ(−20) ≈ 2.06e-9, not 0)
        e = self.xp.exp(-self.xp.abs(a))
        return self.xp.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)

    def _relu(self, a: Array) -> Array:
        return self.xp.maximum(a, 0).astype(a.dtype, copy=False)

    def where(self, cond: Array, a: Array, b: Array) -> Array:
        return self.xp.where(cond, a, b)

    def asarray(self, data: Any, dtype: Any = None) -> Array:
        return self.xp.asarray(data, dtype=dtype)

    def empty(self, shape: Shape, dtype: Any) -> Array:
        return self.xp.empty(shape, dtype=dtype)

    def full(self, shape: Shape, value: Any, dtype: Any) -> Array:
        return self.xp.full(shape, value, dtype=dtype)

    def zeros(self, shape: Shape, dtype: Any) -> Array:
        return self.xp.zeros(shape, dtype=dtype)

    def arange(self, start: float, stop: float, step: float, dtype: Any) -> Array:
        return self.xp.arange(start, stop, step, dtype=dtype)

    def broadcast_to(self, a: Array, shape: Shape) -> Array:
        return self.xp.broadcast_to(a, shape)

    def scatter_add(self, shape: Shape, dtype: Any, index: Any, values: Array) -> Array:
        out = self.xp.zeros(shape, dtype=dtype)
        self.xp.add.at(out, index, values)
        return out

    def concatenate(self, arrays: Sequence[Array], axis: int) -> Array:
        return self.xp.concatenate(arrays, axis=axis)

    def pad(self, a: Array, pad_width: Sequence[tuple[int, int]], value: Any) -> Array:
        return self.xp.pad(a, pad_width, constant_values=value)

    def ascontiguous(self, a: Array) -> Array:
        return self.xp.ascontiguousarray(a)

    def matmul(self, a: Array, b: Array) -> Array:
        return self.xp.matmul(a, b)

    def einsum(self, equation: str, *arrays: Array) -> Array:
        return self.xp.einsum(equation, *arrays)

    def scan(self, op: str, a: Array, axis: int) -> Array:
        if op not in SCAN_OPS:
            raise ValueError(f"scan: unknown op {op!r}; expected one of {SCAN_OPS}")
        if op in ("sum", "prod"):  # keeps the dtype (the caller chooses it)
            return getattr(self.xp, "cum" + op)(a, axis=axis, dtype=a.dtype)
        if a.shape[axis] == 0:
            return a.copy()
        name = {"max": "maximum", "min": "minimum"}.get(op, op)
        try:
            return getattr(self.xp, name).accumulate(a, axis=axis)
        except (AttributeError, NotImplementedError, TypeError):  # an older CuPy
            return self._on_host(lambda h: getattr(_np, name).accumulate(h, axis=axis), a)

    def _on_host(self, fn: Callable[..., Any], *arrays: Array) -> Array:
        """Fallback for what the array module lacks: run ``fn`` in numpy and copy back."""
        return self.asarray(fn(*(_np.asarray(self.to_numpy(a)) for a in arrays)))

    def argsort(self, a: Array, axis: int, descending: bool = False) -> Array:
        if not descending:
            return self._stable_argsort(a, axis)
        # a stable descending order: sort the reversed array stably, reverse the result and
        # map the positions back (equal elements keep their original order; NaN comes first)
        n = a.shape[axis]
        order = self.xp.flip(self._stable_argsort(self.xp.flip(a, axis=axis), axis), axis=axis)
        return (n - 1) - order

    def _stable_argsort(self, a: Array, axis: int) -> Array:
        try:
            return self.xp.argsort(a, axis=axis, kind="stable")
        except (TypeError, ValueError, NotImplementedError):  # CuPy: always stable, no kind
            return self.xp.argsort(a, axis=axis)

    def index_put(self, a: Array, index: Any, values: Array, reduce: str | None = None
                  ) -> Array:
        if reduce is None:
            a[index] = values
            return a
        name = INDEX_REDUCE_OPS[reduce]
        try:
            getattr(self.xp, name).at(a, index, values)
        except (AttributeError, NotImplementedError, TypeError):  # CuPy lacks some ufunc.at
            host = _np.asarray(self.to_numpy(a)).copy()
            conv = tuple(_np.asarray(self.to_numpy(i)) if hasattr(i, "shape") else i
                         for i in (index if isinstance(index, tuple) else (index,)))
            getattr(_np, name).at(host, conv, _np.asarray(self.to_numpy(values)))
            a[...] = self.asarray(host)
        return a

    def nonzero(self, a: Array) -> tuple[Array, ...]:
        return tuple(self.xp.nonzero(a))
