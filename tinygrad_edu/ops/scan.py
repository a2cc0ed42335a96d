"""Scans: running reductions along one dim — cumsum, cumprod, cummax, cummin,
logcumsumexp.

A scan's gradient runs the other way: output j depends on inputs 0…j, so input k
collects from outputs k…n−1, a *reverse* cumulative sum (:func:`reverse_cumsum`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..function import Context, Function
from . import elementwise as ew
from . import index as ix
from . import movement as mv
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def reverse_cumsum(t: Tensor, axis: int) -> Tensor:
    """out_k = Σ_{j ≥ k} t_j along axis (the adjoint of cumsum)."""
    return mv.flip(cumsum(mv.flip(t, axis), axis), axis)


class CumSum(Function):
    """z_j = Σ_{i ≤ j} x_i;   ∂L/∂x_k = Σ_{j ≥ k} g_j (a reverse cumsum)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axis: int) -> Array:
        ctx.axis = axis
        return ctx.backend.scan("sum", x, axis)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return reverse_cumsum(g, ctx.axis)


class CumProd(Function):
    """z_j = Π_{i ≤ j} x_i;   ∂L/∂x_k = Σ_{j ≥ k} g_j z_j / x_k when no zero comes at or
    before k. Zeros need care (z_j/x_k would be 0/0): with the first zero of a slice at
    position f, inputs before f use the formula above, input f gets
    Σ_{j ≥ f} g_j Π_{i ≤ j, i ≠ f} x_i (the cumprod with x_f replaced by 1), and inputs
    after f get 0 — as PyTorch."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axis: int) -> Array:
        ctx.axis = axis
        out = ctx.backend.scan("prod", x, axis)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        x, out = ctx.saved_tensors
        be, a = ctx.backend, ctx.axis
        is_zero = be.binary("eq", x.data, be.zeros((), x.dtype))
        seen = be.scan("sum", be.astype(is_zero, dtypes.int64), a)  # zeros at or before k
        before = x._constant(be.binary("eq", seen, be.zeros((), seen.dtype)))
        grad = ew.where(before, reverse_cumsum(g * out, a) / ew.where(before, x, 1.0), 0.0)
        if not bool(be.reduce("any", is_zero)):
            return grad
        first = x._constant(be.binary("logical_and", is_zero,
                                      be.binary("eq", seen, be.ones((), seen.dtype))))
        skip_first = CumProd.apply(ew.where(first, 1.0, x), axis=a)
        return grad + ew.where(first, reverse_cumsum(g * skip_first, a), 0.0)


class LogCumSumExp(Function):
    """z_j = log Σ_{i ≤ j} e^{x_i};   ∂L/∂x_k = Σ_{j ≥ k} g_j e^{x_k − z_j}, summed in log
    space separately for the positive and negative parts of g so nothing overflows."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axis: int) -> Array:
        ctx.axis = axis
        out = ctx.backend.scan("logaddexp", x, axis)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        x, out = ctx.saved_tensors
        a, be = ctx.axis, ctx.backend
        # e^(−inf) = 0: a −inf input gets no gradient (and is kept out of inf − inf)
        neg_inf = x._constant(be.binary("eq", x.data, be.asarray(-math.inf, x.dtype)))
        xs = ew.where(neg_inf, 0.0, x)
        # z_j = −inf only where every x_i, i ≤ j, is −inf: those terms reach masked k only
        outs = ew.where(x._constant(be.binary("eq", out.data, be.asarray(-math.inf, x.dtype))),
                        0.0, out)

        def part(gp: Tensor) -> Tensor:  # Σ_{j≥k} gp_j e^{x_k − z_j} for gp ≥ 0
            rev = mv.flip(_logcumsumexp(mv.flip(gp.log() - outs, a), a), a)
            return ew.where(neg_inf, 0.0, rev + xs).exp()

        return ew.where(neg_inf, 0.0, part(g.clamp(min=0.0)) - part((-g).clamp(min=0.0)))


def _scan(fn: type[Function], x: Tensor, dim: Any, op: str) -> Tensor:
    """Apply a scan Function along ``dim`` (a 0-d tensor is scanned as shape (1,))."""
    d = operands.dim(dim, x.ndim, op)
    if x.ndim == 0:
        return fn.apply(x.reshape(1), axis=0).reshape(())
    return fn.apply(x, axis=d)


def _accumulator(x: Tensor, dtype: Any) -> Tensor:
    """cumsum/cumprod's input dtype: ``dtype`` if given; integers and bools as int64."""
    want = dtypes.resolve(dtype)
    if want is not None:
        return x.to_dtype(want)
    return x if x.dtype.kind in "fc" else x.to_dtype(dtypes.int64)


def cumsum(x: Tensor, dim: Any, *, dtype: Any = None) -> Tensor:
    """Running sum along ``dim``: z_j = Σ_{i ≤ j} x_i. Integer and bool tensors sum as
    int64 (as PyTorch); ``dtype`` casts first. ∂L/∂x_k = Σ_{j ≥ k} g_j."""
    return _scan(CumSum, _accumulator(x, dtype), dim, "cumsum")


def cumprod(x: Tensor, dim: Any, *, dtype: Any = None) -> Tensor:
    """Running product along ``dim``: z_j = Π_{i ≤ j} x_i; see :class:`CumProd` for the
    gradient (exact with zeros in the input)."""
    return _scan(CumProd, _accumulator(x, dtype), dim, "cumprod")


def _logcumsumexp(x: Tensor, axis: int) -> Tensor:
    return LogCumSumExp.apply(x, axis=axis)


def logcumsumexp(x: Tensor, dim: Any) -> Tensor:
    """z_j = log Σ_{i ≤ j} e^{x_i} along ``dim`` (stable: each step is a logaddexp);
    ∂L/∂x_k = Σ_{j ≥ k} g_j e^{x_k − z_j}."""
    return _scan(LogCumSumExp, operands.floating(x), dim, "logcumsumexp")


def _cumextreme(op: str, x: Tensor, dim: Any) -> tuple[Tensor, Tensor]:
    """(values, indices) of the running max/min. The index is the *last* position that
    reaches the running extreme (ties move it forward), and a NaN is the extreme from
    where it appears — as PyTorch. The values are ``gather(x, dim, indices)``, so the
    gradient goes to the index each output came from (adding up where repeated)."""
    name = "cum" + op
    d = operands.dim(dim, x.ndim, name)
    if x.ndim == 0:
        return ix.ValuesIndices(x + 0 if x.requires_grad else x,
                                x._constant(x.backend.zeros((), dtypes.int64)))
    be = x.backend
    run = be.scan(op, x.data, d)
    hit = be.binary("eq", x.data, run)
    if x.dtype.kind == "f":
        hit = be.binary("logical_or", hit, be.unary("isnan", x.data))
    n = x.shape[d]
    pos = be.reshape(be.arange(0, n, 1, dtypes.int64),
                     tuple(n if i == d else 1 for i in range(x.ndim)))
    idx = be.scan("max", be.where(hit, pos, be.zeros((), dtypes.int64)), d)
    indices = x._constant(be.astype(idx, dtypes.int64))
    return ix.ValuesIndices(ix.gather(x, d, indices), indices)


def cummax(x: Tensor, dim: Any) -> tuple[Tensor, Tensor]:
    """Running maximum along ``dim``: (values, indices); see :func:`_cumextreme`."""
    return _cumextreme("max", x, dim)


def cummin(x: Tensor, dim: Any) -> tuple[Tensor, Tensor]:
    """Running minimum along ``dim``: (values, indices); see :func:`_cumextreme`."""
    return _cumextreme("min", x, dim)
