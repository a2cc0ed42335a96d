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


# ---- more predicates, logic and bitwise ops (issue 11) ----------------------------------


def logical_and(input: Any, other: Any) -> Tensor:  # noqa: A002 - PyTorch's names
    """input ∧ other elementwise (nonzero is True) → bool."""
    return logical("logical_and", input, other)


def logical_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input ∨ other elementwise → bool."""
    return logical("logical_or", input, other)


def logical_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """input ⊕ other elementwise (exactly one is nonzero) → bool."""
    return logical("logical_xor", input, other)


def bitwise_and(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input & other`` (bool or integer)."""
    return bitwise("bitwise_and", input, other)


def bitwise_or(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input | other``."""
    return bitwise("bitwise_or", input, other)


def bitwise_xor(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input ^ other``."""
    return bitwise("bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """``~input``."""
    return invert(input)


def shift(op: str, a: Any, b: Any) -> Tensor:
    """``a << b`` (``op="left_shift"``) or ``a >> b`` (``"right_shift"``) on integer
    tensors. As in PyTorch, a shift by the bit width or more (or by a negative amount)
    gives 0, and −1 for a negative number shifted right (C leaves both undefined)."""
    x, y = operands.pair(a, b, op)
    for t in (x, y):
        if t.dtype.kind not in "iu":
            raise TypeError(f"{op}: only integer tensors can be shifted, got {t.dtype}")
    operands.broadcast_shapes(op, x.shape, y.shape)
    if x.dtype != y.dtype:
        x, y = operands.promote(op, x, y)
    be = x.backend
    bits = x.dtype.itemsize * 8
    out = be.binary(op, x.data, be.where(be.binary("ge", y.data, 0), y.data, 0))
    too_far = be.binary("logical_or", be.binary("ge", y.data, bits), be.binary("lt", y.data, 0))
    if op == "right_shift" and x.dtype.kind == "i":
        fill = be.where(be.binary("lt", x.data, 0), be.asarray(-1, dtype=x.dtype),
                        be.asarray(0, dtype=x.dtype))
    else:
        fill = be.asarray(0, dtype=x.dtype)
    return x._constant(be.astype(be.where(too_far, fill, out), x.dtype))


def bitwise_left_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input << other``."""
    return shift("left_shift", input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input >> other`` (arithmetic: the sign bit is copied in)."""
    return shift("right_shift", input, other)


def reflected_left_shift(b: Any, a: Any) -> Tensor:
    """``a << b`` for a number ``a`` and a Tensor ``b`` (``b.__rlshift__(a)``)."""
    return shift("left_shift", a, b)


def reflected_right_shift(b: Any, a: Any) -> Tensor:
    """``a >> b`` for a number ``a`` and a Tensor ``b`` (``b.__rrshift__(a)``)."""
    return shift("right_shift", a, b)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol·|other| elementwise → bool (PyTorch's and numpy's
    rule; not symmetric in its arguments). Equal infinities are close; NaNs are close to
    each other only with ``equal_nan=True``."""
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol and atol must be non-negative, got rtol={rtol}, "
                         f"atol={atol}")
    x, y = operands.pair(input, other, "isclose")
    operands.broadcast_shapes("isclose", x.shape, y.shape)
    if x.dtype != y.dtype:
        x, y = operands.promote("isclose", x, y)
    be = x.backend
    a, b = x.data, y.data
    if a.dtype.kind != "f":  # differences of integers could wrap
        a, b = be.astype(a, "float64"), be.astype(b, "float64")
    diff = be.unary("abs", be.binary("sub", a, b))
    bound = be.binary("add", be.binary("mul", be.unary("abs", b), rtol), atol)
    finite = be.binary("logical_and", be.unary("isfinite", a), be.unary("isfinite", b))
    close = be.binary("logical_or", be.binary("eq", a, b),
                      be.binary("logical_and", finite, be.binary("le", diff, bound)))
    if equal_nan:
        both = be.binary("logical_and", be.unary("isnan", a), be.unary("isnan", b))
        close = be.binary("logical_or", close, both)
    return x._constant(close)


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """True when every element is :func:`isclose` (a Python bool, as ``torch.allclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    """Not NaN and not ±inf → bool (integer tensors are all finite)."""
    return predicate("isfinite", input)


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    """x ≠ x → bool."""
    return predicate("isnan", input)


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    """x = ±inf → bool."""
    return predicate("isinf", input)
