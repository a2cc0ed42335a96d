"""The one narrow interface between the autodiff core and an array library.

Every differentiable operation in :mod:`tinygrad_edu.ops` computes its forward and
backward values by calling methods of a :class:`Backend`; it never imports numpy, cupy
or a kernel directly. A backend knows nothing about graphs or gradients: it maps arrays
to arrays.

``CPUBackend`` (numpy) is the reference implementation. ``CUDABackend`` (cupy arrays
plus our own kernels) implements the same methods; most of them are inherited, because
cupy mirrors numpy's API, and only the ones backed by our kernels are overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Array = Any  # a numpy.ndarray on the CPU, a cupy.ndarray on the GPU
Shape = tuple[int, ...]
Axis = int | tuple[int, ...] | None


class Backend:
    """The array operations the engine needs. ``xp`` is the numpy-like module."""

    name: str = "abstract"
    xp: Any = None

    # --- creation and transfer -------------------------------------------------
    def asarray(self, data: Any, dtype: Any = None) -> Array:
        return self.xp.asarray(data, dtype=dtype)

    def to_numpy(self, a: Array) -> Any:
        raise NotImplementedError

    def zeros(self, shape: Shape, dtype: Any) -> Array:
        return self.xp.zeros(shape, dtype=dtype)

    def ones(self, shape: Shape, dtype: Any) -> Array:
        return self.xp.ones(shape, dtype=dtype)

    def full(self, shape: Shape, value: float, dtype: Any) -> Array:
        return self.xp.full(shape, value, dtype=dtype)

    def arange(self, start: float, stop: float, step: float, dtype: Any) -> Array:
        return self.xp.arange(start, stop, step, dtype=dtype)

    def eye(self, n: int, m: int | None, dtype: Any) -> Array:
        return self.xp.eye(n, m, dtype=dtype)

    def astype(self, a: Array, dtype: Any) -> Array:
        return a.astype(dtype, copy=False)

    # --- elementwise -------------------------------------------------------------
    def add(self, a: Array, b: Array) -> Array:
        return self.xp.add(a, b)

    def sub(self, a: Array, b: Array) -> Array:
        return self.xp.subtract(a, b)

    def mul(self, a: Array, b: Array) -> Array:
        return self.xp.multiply(a, b)

    def div(self, a: Array, b: Array) -> Array:
        return self.xp.true_divide(a, b)

    def pow(self, a: Array, b: Array) -> Array:
        return self.xp.power(a, b)

    def neg(self, a: Array) -> Array:
        return self.xp.negative(a)

    def exp(self, a: Array) -> Array:
        return self.xp.exp(a)

    def log(self, a: Array) -> Array:
        return self.xp.log(a)

    def sqrt(self, a: Array) -> Array:
        return self.xp.sqrt(a)

    def abs(self, a: Array) -> Array:
        return self.xp.abs(a)

    def sign(self, a: Array) -> Array:
        return self.xp.sign(a)

    def tanh(self, a: Array) -> Array:
        return self.xp.tanh(a)

    def sigmoid(self, a: Array) -> Array:
        # 1/(1+e^-x) overflows e^-x for x << 0; the tanh form is exact and never overflows.
        return 0.5 * (self.xp.tanh(0.5 * a) + 1).astype(a.dtype, copy=False)

    def relu(self, a: Array) -> Array:
        return self.xp.maximum(a, 0).astype(a.dtype, copy=False)

    def maximum(self, a: Array, b: Array) -> Array:
        return self.xp.maximum(a, b)

    def minimum(self, a: Array, b: Array) -> Array:
        return self.xp.minimum(a, b)

    def where(self, cond: Array, a: Array, b: Array) -> Array:
        return self.xp.where(cond, a, b)

    def compare(self, op: str, a: Array, b: Array) -> Array:
        """``op`` is one of eq, ne, lt, le, gt, ge; the result is a bool array."""
        return getattr(self.xp, _COMPARE[op])(a, b)

    def isfinite(self, a: Array) -> Array:
        return self.xp.isfinite(a)

    # --- reductions --------------------------------------------------------------
    def sum(self, a: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return self.xp.sum(a, axis=axis, keepdims=keepdims)

    def max(self, a: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        return self.xp.max(a, axis=axis, keepdims=keepdims)

    def argmax(self, a: Array, axis: int | None = None, keepdims: bool = False) -> Array:
        return self.xp.argmax(a, axis=axis, keepdims=keepdims)

    def argmin(self, a: Array, axis: int | None = None, keepdims: bool = False) -> Array:
        return self.xp.argmin(a, axis=axis, keepdims=keepdims)

    # --- movement ----------------------------------------------------------------
    def reshape(self, a: Array, shape: Shape) -> Array:
        return self.xp.reshape(a, shape)

    def transpose(self, a: Array, axes: Sequence[int]) -> Array:
        return self.xp.transpose(a, axes)

    def broadcast_to(self, a: Array, shape: Shape) -> Array:
        return self.xp.broadcast_to(a, shape)

    def getitem(self, a: Array, index: Any) -> Array:
        return a[index]

    def scatter_add(self, shape: Shape, dtype: Any, index: Any, values: Array) -> Array:
        """zeros(shape)[index] += values, accumulating repeated indices."""
        out = self.xp.zeros(shape, dtype=dtype)
        self.xp.add.at(out, index, values)
        return out

    def concatenate(self, arrays: Sequence[Array], axis: int) -> Array:
        return self.xp.concatenate(arrays, axis=axis)

    def pad(self, a: Array, pad_width: Sequence[tuple[int, int]], value: float) -> Array:
        return self.xp.pad(a, pad_width, constant_values=value)

    def ascontiguous(self, a: Array) -> Array:
        return self.xp.ascontiguousarray(a)

    # --- linear algebra ----------------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        return self.xp.matmul(a, b)

    # --- fused optimiser updates (a GPU backend replaces these with one kernel) ---
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
        denom = self.xp.sqrt(v / bias_correction2)
        denom += eps
        p -= (lr / bias_correction1) * (m / denom)


_COMPARE = {"eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
            "gt": "greater", "ge": "greater_equal"}
