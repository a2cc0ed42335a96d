"""Comparisons, predicates and logical/bitwise ops. Their results are bool (or integer)
tensors with no gradient, so they are plain functions over the backend, not Functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import operands

if TYPE_CHECKING:
    from ..tensor import Tensor


def compare(op: str, a: Any, b: Any) -> Tensor:
    """``op`` ∈ eq, ne, lt, le, gt, ge, elementwise with broadcasting → a bool tensor."""
    x, y = operands.pair(a, b, op)
    if x.shape != y.shape:
        operands.broadcast_shapes(op, x.shape, y.shape)
    return x._constant(x.backend.binary(op, x.data, y.data))


def logical(op: str, a: Any, b: Any) -> Tensor:
    """logical_and / logical_or / logical_xor: nonzero means True, the result is bool."""
    x, y = operands.pair(a, b, op)
    operands.broadcast_shapes(op, x.shape, y.shape)
    return x._constant(x.backend.binary(op, x.data, y.data))


def logical_not(x: Tensor) -> Tensor:
    return x._constant(x.backend.unary("logical_not", x.data))


def bitwise(op: str, a: Any, b: Any) -> Tensor:
    """``&``, ``|``, ``^`` on bool or integer tensors (integers wrap as in PyTorch)."""
    x, y = operands.pair(a, b, op)
    for t in (x, y):
        if t.dtype.kind not in "iub":
            raise TypeError(f"{op}: only integer and bool tensors, got {t.dtype}")
    operands.broadcast_shapes(op, x.shape, y.shape)
    if x.dtype != y.dtype:
        x, y = operands.promote(op, x, y)
    return x._constant(x.backend.binary(op, x.data, y.data))


def invert(x: Tensor) -> Tensor:
    """``~x``: logical not of a bool tensor, bitwise not of an integer one."""
    if x.dtype.kind not in "iub":
        raise TypeError(f"~ needs a bool or integer tensor, got {x.dtype}")
    return x._constant(x.backend.unary("invert", x.data))


def predicate(op: str, x: Tensor) -> Tensor:
    """isfinite / isnan / isinf → a bool tensor."""
    return x._constant(x.backend.unary(op, x.data))
