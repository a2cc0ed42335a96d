"""Reductions. ``Sum``, ``Max``, ``Min``, ``Prod`` and ``VectorNorm`` are the primitives;
mean, var, std, logsumexp, softmax, log_softmax, std_mean/var_mean and the other norms
are built from them here, so their gradients come for free."""

from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..function import Context, Function
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def keepdims_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    """z = Σ_axes x;   ∂z/∂x = 1 broadcast back over the reduced axes."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        ctx.axes = axes
        return ctx.backend.reduce("sum", x, axes, keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        shape = ctx.input_shapes[0]
        return g.reshape(keepdims_shape(shape, ctx.axes)).expand(shape)


class Max(Function):
    """z = max_axes x;   the gradient goes to the maximal entries, shared evenly among
    ties (as ``torch.amax``), so it stays a valid subgradient."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        return _extreme_forward(ctx, "max", x, axes, keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return _extreme_backward(ctx, g)


class Min(Function):
    """z = min_axes x;   the gradient goes to the minimal entries, shared among ties.
    (Not −max(−x): that is wrong for unsigned integers and the most negative int.)"""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        return _extreme_forward(ctx, "min", x, axes, keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        return _extreme_backward(ctx, g)


def _extreme_forward(ctx: Context, op: str, x: Array, axes: tuple[int, ...],
                     keepdims: bool) -> Array:
    ctx.axes = axes
    ctx.save_for_backward(x)
    out = ctx.backend.reduce(op, x, axes, keepdims)
    ctx.top = out if keepdims else ctx.backend.reshape(out, keepdims_shape(x.shape, axes))
    return out


def _extreme_backward(ctx: Context, g: Tensor) -> Tensor:
    (x,) = ctx.saved_tensors
    be = ctx.backend
    kshape = keepdims_shape(x.shape, ctx.axes)
    hit = be.binary("eq", x.data, ctx.top)
    if x.dtype.kind == "f":  # a NaN result came from the NaN entries: they share g
        hit = be.binary("logical_or", hit, be.binary("logical_and", be.unary("isnan", x.data),
                                                     be.unary("isnan", ctx.top)))
    mask = be.astype(hit, g.dtype)
    share = be.binary("div", mask, be.reduce("sum", mask, ctx.axes, True))
    return g.reshape(kshape) * g._constant(be.astype(share, g.dtype))


# ---- what users call ----------------------------------------------------------------


def sum(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001
        keepdim: bool | None = None, dtype: Any = None) -> Tensor:
    """Σ over ``axis`` (all axes when None). ``dim``/``keepdim`` are PyTorch's names.
    Integer and bool tensors sum as int64, as in PyTorch; ``dtype`` casts first."""
    want = dtypes.resolve(dtype)
    base = x.to_dtype(want) if want is not None else \
        x if x.dtype.kind == "f" else x.to_dtype(dtypes.int64)
    return Sum.apply(base, axes=operands.axes(axis, x.ndim, "sum", dim),
                     keepdims=operands.keep(keepdims, keepdim))


def _count(x: Tensor, axes: tuple[int, ...]) -> int:
    return math.prod(x.shape[a] for a in axes)


def mean(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
         keepdim: bool | None = None) -> Tensor:
    """Σx / n over ``axis`` (NaN over an empty axis, as in PyTorch)."""
    axes = operands.axes(axis, x.ndim, "mean", dim)
    n = _count(x, axes)
    total = Sum.apply(operands.floating(x), axes=axes, keepdims=operands.keep(keepdims, keepdim))
    return total * (1.0 / n) if n else total / 0.0


def var(x: Tensor, axis: Any = None, keepdims: bool = False, *, correction: int = 1,
        unbiased: bool | None = None, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Σ(x − x̄)² / (n − correction). ``correction=1`` (the unbiased estimate) is
    PyTorch's default; numpy's ``var`` uses 0 — pass ``correction=0`` for it. With
    n ≤ correction the divisor is 0, so the result is inf (NaN for equal values), as in
    PyTorch."""
    if unbiased is not None:
        correction = int(unbiased)
    axes = operands.axes(axis, x.ndim, "var", dim)
    n = _count(x, axes)
    d = x - mean(x, axes, keepdims=True)
    ss = (d * d).sum(axes, keepdims=operands.keep(keepdims, keepdim))
    return ss / float(builtins.max(0, n - correction))


def std(x: Tensor, axis: Any = None, keepdims: bool = False, *, correction: int = 1,
        unbiased: bool | None = None, dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """√var (same arguments as :func:`var`); the gradient is 0 where std = 0 (all values
    equal), as in PyTorch, rather than NaN."""
    from .elementwise import std_sqrt

    return std_sqrt(var(x, axis, keepdims, correction=correction, unbiased=unbiased,
                        dim=dim, keepdim=keepdim))


def _extreme(fn: type[Function], op: str, x: Tensor, axis: Any, keepdims: bool, dim: Any,
             keepdim: bool | None) -> Tensor:
    axes = operands.axes(axis, x.ndim, op, dim)
    if builtins.any(x.shape[a] == 0 for a in axes):
        raise ValueError(f"{op}: cannot reduce over a dimension of size 0 (tensor of shape "
                         f"{x.shape}); there is no {op}imum of nothing")
    if x.dtype.kind == "b":  # the max of booleans is any, the min is all
        return any_all("any" if op == "max" else "all", x, axes, keepdims, None, keepdim)
    return fn.apply(x, axes=axes, keepdims=operands.keep(keepdims, keepdim))


def max(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001
        keepdim: bool | None = None) -> Tensor:
    """Largest value over ``axis`` (values only, like numpy's; see ``argmax``)."""
    return _extreme(Max, "max", x, axis, keepdims, dim, keepdim)


def min(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001
        keepdim: bool | None = None) -> Tensor:
    """Smallest value over ``axis``."""
    return _extreme(Min, "min", x, axis, keepdims, dim, keepdim)


def argextreme(op: str, x: Tensor, axis: Any, keepdims: bool, dim: Any,
               keepdim: bool | None) -> Tensor:
    """argmax/argmin: the index of the first extreme value (flattened when axis is None)."""
    ax = axis if dim is None else dim
    keep = operands.keep(keepdims, keepdim)
    if ax is not None:
        ax = operands.dim(ax, x.ndim, op)
        if x.ndim and x.shape[ax] == 0:
            raise ValueError(f"{op}: cannot reduce over a dimension of size 0 (tensor of "
                             f"shape {x.shape})")
    elif x.size == 0:
        raise ValueError(f"{op}: cannot take the {op} of an empty tensor")
    if x.ndim == 0:
        return x._constant(x.backend.asarray(0, dtype=dtypes.int64))
    out = x.backend.reduce(op, x.data, ax, keep)
    return x._constant(x.backend.astype(out, dtypes.int64))


def argmax(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the (first) largest value along ``axis`` (of the flattened tensor for None)."""
    return argextreme("argmax", x, axis, keepdims, dim, keepdim)


def argmin(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the (first) smallest value along ``axis``."""
    return argextreme("argmin", x, axis, keepdims, dim, keepdim)


def any(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001
        keepdim: bool | None = None) -> Tensor:
    """True where any element along ``axis`` is nonzero, as a bool Tensor (0-d for all
    axes, so ``if t.any():`` works)."""
    return any_all("any", x, axis, keepdims, dim, keepdim)


def all(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,  # noqa: A001
        keepdim: bool | None = None) -> Tensor:
    """True where every element along ``axis`` is nonzero."""
    return any_all("all", x, axis, keepdims, dim, keepdim)


def any_all(op: str, x: Tensor, axis: Any, keepdims: bool, dim: Any,
            keepdim: bool | None) -> Tensor:
    """``any``/``all`` over ``axis`` as a bool Tensor (a 0-d one when axis is None)."""
    axes = operands.axes(axis, x.ndim, op, dim)
    out = x.backend.reduce(op, x.data, axes, operands.keep(keepdims, keepdim))
    return x._constant(x.backend.asarray(out))


def logsumexp(x: Tensor, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
              keepdim: bool | None = None) -> Tensor:
    """log Σ eˣ, computed as m + log Σ e^(x−m) with m = max x so that nothing
    overflows; its gradient is softmax(x)."""
    axes = operands.axes(axis, x.ndim, "logsumexp", dim)
    x = operands.floating(x)
    if x.size == 0:
        return x.sum(axes, keepdims=operands.keep(keepdims, keepdim)).log()
    be = x.backend
    m = be.reduce("max", x.data, axes, True)
    # an all −inf slice would give (−inf) − (−inf) = nan; shifting by 0 there is exact
    m = x._constant(be.where(be.unary("isfinite", m), m, be.asarray(0, dtype=m.dtype)))
    out = (x - m).exp().sum(axes, keepdims=True).log() + m
    if operands.keep(keepdims, keepdim):
        return out
    return out.reshape(tuple(n for i, n in enumerate(out.shape) if i not in axes))


def _softmax_axis(x: Tensor, axis: Any, dim: Any, op: str) -> tuple[int, ...]:
    return operands.axes(-1 if axis is None and dim is None else axis, x.ndim, op, dim)


def _shift(x: Tensor, axes: tuple[int, ...]) -> Tensor:
    """x − max x along axes (as a constant: softmax is shift-invariant), with all −inf
    slices shifted by 0 so that they give NaN only where PyTorch does."""
    be = x.backend
    if x.size == 0:
        return x
    m = be.reduce("max", x.data, axes, True)
    m = be.where(be.unary("isfinite", m), m, be.asarray(0, dtype=m.dtype))
    return x - x._constant(m)


def softmax(x: Tensor, axis: Any = None, *, dim: Any = None) -> Tensor:
    """softmax(x)ᵢ = e^(xᵢ−m) / Σⱼ e^(xⱼ−m), m = max x (shift-invariant, so stable)."""
    axes = _softmax_axis(x, axis, dim, "softmax")
    e = _shift(operands.floating(x), axes).exp()
    return e / e.sum(axes, keepdims=True)


def log_softmax(x: Tensor, axis: Any = None, *, dim: Any = None) -> Tensor:
    """log softmax(x) = x − logsumexp(x): never takes the log of an underflowed 0."""
    axes = _softmax_axis(x, axis, dim, "log_softmax")
    s = _shift(operands.floating(x), axes)
    return s - s.exp().sum(axes, keepdims=True).log()


# ---- more reductions -------------------------------------------------------------------


class Prod(Function):
    """z = Π_axes x;   ∂z/∂x_k = Π_{i ≠ k} x_i. Not z / x_k, which is 0/0 at a zero: with
    no zero in a slice it is z / x_k; with one zero, the zero's entry gets the product of
    the others and the rest get 0; with two or more zeros all get 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, axes: tuple[int, ...], keepdims: bool) -> Array:
        ctx.axes = axes
        ctx.save_for_backward(x)
        return ctx.backend.reduce("prod", x, axes, keepdims)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        from . import elementwise as ew

        (x,) = ctx.saved_tensors
        be = ctx.backend
        is_zero = be.binary("eq", x.data, be.zeros((), x.dtype))
        zeros = be.reduce("sum", be.astype(is_zero, dtypes.int64), ctx.axes, True)
        none = x._constant(be.binary("eq", zeros, be.zeros((), zeros.dtype)))
        lone = x._constant(be.binary("logical_and", is_zero,
                                     be.binary("eq", zeros, be.ones((), zeros.dtype))))
        nonzero = ew.where(x._constant(is_zero), 1.0, x)
        others = Prod.apply(nonzero, axes=ctx.axes, keepdims=True)  # Π of the nonzeros
        grad = ew.where(none, others / nonzero, ew.where(lone, others, 0.0))
        return g.reshape(keepdims_shape(x.shape, ctx.axes)) * grad


def prod(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         axis: Any = None, keepdims: bool | None = None) -> Tensor:
    """Π over ``dim`` (all elements when None). Integers and bools multiply as int64, as
    in PyTorch; ``dtype`` casts first. See :class:`Prod` for the gradient with zeros.
    (``dim`` may also be a tuple of dims here; PyTorch takes one.)"""
    if axis is not None:
        dim = axis
    want = dtypes.resolve(dtype)
    base = x.to_dtype(want) if want is not None else \
        x if x.dtype.kind == "f" else x.to_dtype(dtypes.int64)
    return Prod.apply(base, axes=operands.axes(dim, x.ndim, "prod"),
                      keepdims=keepdim if keepdims is None else keepdims)


def _moments(op: Any, x: Tensor, dim: Any, unbiased: Any, keepdim: bool,
             correction: int | None) -> tuple[Tensor, Tensor]:
    if isinstance(dim, bool):  # var_mean(x, True): PyTorch's (input, unbiased) overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None else int(unbiased)
    return (op(x, dim, correction=correction, keepdim=keepdim), mean(x, dim, keepdim=keepdim))


def var_mean(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over ``dim`` in one call; ``correction`` (default 1) or the older
    ``unbiased`` as in :func:`var`."""
    return _moments(var, x, dim, unbiased, keepdim, correction)


def std_mean(x: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False,
             *, correction: int | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over ``dim`` in one call; ``correction`` (default 1) or the older
    ``unbiased`` as in :func:`var`."""
    return _moments(std, x, dim, unbiased, keepdim, correction)


class VectorNorm(Function):
    """z = ‖x‖ₚ = (Σ_axes |x|ᵖ)^(1/p) for p > 0 (p = 2: √Σx²);
    ∂z/∂x = sign(x)·|x|^(p−1) / z^(p−1)  (x / z for p = 2), with PyTorch's values where
    that is 0/0 or 0·∞: 0 at the zero vector (z = 0), and for p < 1 0 at each zero entry
    (computed there as sign(x)·|x|^(p−1)·z^(1−p))."""

    @staticmethod
    def forward(ctx: Context, x: Array, *, p: float, axes: tuple[int, ...],
                keepdims: bool) -> Array:
        be = ctx.backend
        ctx.axes, ctx.p = axes, p
        if p == 2:
            out = be.unary("sqrt", be.reduce("sum", be.binary("mul", x, x), axes, keepdims))
        else:
            powered = be.binary("pow", be.unary("abs", x), be.asarray(p, x.dtype))
            out = be.binary("pow", be.reduce("sum", powered, axes, keepdims),
                            be.asarray(1.0 / p, x.dtype))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        from . import elementwise as ew

        x, z = ctx.saved_tensors
        be, p = ctx.backend, ctx.p
        kshape = keepdims_shape(x.shape, ctx.axes)
        z, g = z.reshape(kshape), g.reshape(kshape)
        if p == 2:
            return x * (g / ew.where(z == 0, math.inf, z))
        sign = x._constant(be.unary("sign", x.data))
        if p < 1:
            magnitude = ew.where(x == 0, 0.0, x.abs() ** (p - 1))
            return sign * magnitude * g * z ** (1 - p)
        return sign * x.abs() ** (p - 1) * (g / ew.where(z == 0, math.inf, z ** (p - 1)))


def norm(x: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """The vector p-norm over ``dim`` (all elements when None): (Σ|x|ᵖ)^(1/p).
    p = 2 or "fro": √Σx² (gradient x/‖x‖, 0 at the zero vector); p = 1: Σ|x| (gradient
    sign x); p = inf / −inf: max / min |x| (gradient shared among ties); p = 0: the count
    of nonzeros (no gradient: not a graph node, where PyTorch gives zeros); other p > 0:
    (Σ|x|ᵖ)^(1/p), see :class:`VectorNorm`. Not provided: negative p (other than −inf),
    and matrix norms ("nuc", or p = 2 over two dims as a spectral norm): as in
    ``torch.norm``, a number p with two dims is the vector norm of the entries."""
    if isinstance(p, str):
        if p != "fro":
            raise ValueError(f"norm: p={p!r} is not supported (use 'fro' or a number; the "
                             "nuclear norm needs an SVD)")
        p = 2
    if not isinstance(p, (int, float)) or isinstance(p, bool):
        raise TypeError(f"norm: p must be a number or 'fro', got {type(p).__name__}")
    want = dtypes.resolve(dtype)
    if x.dtype.kind != "f":
        raise TypeError(f"norm: expected a floating-point tensor, got dtype {x.dtype} "
                        "(convert it with .float())")
    if want is not None:
        x = x.to_dtype(want)
    axes = operands.axes(dim, x.ndim, "norm")
    a = x.abs()
    if p == 1:
        return a.sum(axes, keepdims=keepdim)
    if p == math.inf:
        return a.max(axes, keepdims=keepdim)
    if p == -math.inf:
        return a.min(axes, keepdims=keepdim)
    if p == 0:
        return (x != 0).sum(axes, keepdims=keepdim).to_dtype(x.dtype)
    if p < 0:
        raise ValueError(f"norm: p={p} is not supported (p must be ≥ 0, inf or -inf)")
    return VectorNorm.apply(x, p=float(p), axes=axes, keepdims=keepdim)


def count_nonzero(x: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero entries over ``dim`` (int64; no gradient)."""
    return (x != 0).sum(operands.axes(dim, x.ndim, "count_nonzero"))


def nansum(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Σ over ``dim`` treating NaN as 0 (their gradient is 0)."""
    from . import elementwise as ew

    clean = ew.where(x.isnan(), 0, x) if x.dtype.kind == "f" else x
    return sum(clean, dim, keepdim, dtype=dtype)


def nanmean(x: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean over ``dim`` of the entries that are not NaN; gradient g / count to each of
    them. Where all are NaN the result is NaN and their gradient 0 (PyTorch: NaN)."""
    if x.dtype.kind != "f":
        raise TypeError(f"nanmean: expected a floating-point tensor, got dtype {x.dtype}")
    count = (~x.isnan()).sum(operands.axes(dim, x.ndim, "nanmean"), keepdims=keepdim)
    return nansum(x, dim, keepdim, dtype=dtype) / count.to_dtype(x.dtype)
