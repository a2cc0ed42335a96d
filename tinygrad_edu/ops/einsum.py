"""``einsum``: Einstein summation, and its backward as another einsum.

For ``z = einsum("ij,jk->ik", a, b)``, ∂L/∂a is ``einsum("ik,jk->ij", g, b)``: the
gradient of one operand is the einsum of the output gradient with the *other* operands,
written to that operand's subscripts. That holds when every letter of the operand also
appears in the output or in another operand, and no letter repeats within it; the
user-facing :func:`einsum` first rewrites the equation into that form with
differentiable steps (a repeated letter takes a :func:`~.index.diagonal`, a letter only
one operand has is summed out, ``...`` becomes letters, sizes of 1 are expanded).
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import dtypes
from ..function import Context, Function
from . import index as ix
from . import operands

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


class Einsum(Function):
    """z = einsum(equation, x₁, …, xₙ) with explicit output and no repeated letter in an
    operand; ∂L/∂xᵢ = einsum("out,others→subsᵢ", g, x₁…xₙ without xᵢ)."""

    @staticmethod
    def forward(ctx: Context, *xs: Array, inputs: tuple[str, ...], output: str) -> Array:
        ctx.inputs, ctx.output = inputs, output
        ctx.save_for_backward(*xs)
        return ctx.backend.einsum(",".join(inputs) + "->" + output, *xs)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        xs = ctx.saved_tensors
        grads: list[Tensor | None] = []
        for i, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [j for j in range(len(xs)) if j != i]
            grads.append(Einsum.apply(
                g, *[xs[j] for j in others],
                inputs=(ctx.output,) + tuple(ctx.inputs[j] for j in others),
                output=ctx.inputs[i]))
        return tuple(grads)


def _parse(equation: str, ts: Sequence[Tensor]) -> tuple[list[str], str]:
    """Explicit subscripts, with ``...`` replaced by capital letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ts):
        raise ValueError(f"einsum: the equation {equation!r} has {len(inputs)} operands but "
                         f"{len(ts)} tensors were given")
    used = set(eq)
    spare = [c for c in string.ascii_uppercase[::-1] + string.ascii_lowercase[::-1]
             if c not in used]
    ell_dims = 0
    for s, t in zip(inputs, ts):
        core = s.replace("...", "")
        if any(c not in string.ascii_letters for c in core) or s.count("...") > 1:
            raise ValueError(f"einsum: invalid subscript {s!r} in {equation!r} (letters and "
                             "one '...' only)")
        if "..." in s:
            ell_dims = max(ell_dims, t.ndim - len(core))
        elif len(core) != t.ndim:
            raise ValueError(f"einsum: the subscript {s!r} has {len(core)} letters but operand "
                             f"of shape {t.shape} has {t.ndim} dims")
    ell = "".join(spare[:ell_dims][::-1])
    explicit = []
    for s, t in zip(inputs, ts):
        if "..." in s:
            k = t.ndim - len(s.replace("...", ""))
            if k < 0:
                raise ValueError(f"einsum: the subscript {s!r} has more letters than operand "
                                 f"of shape {t.shape} has dims")
            s = s.replace("...", ell[len(ell) - k:])
        explicit.append(s)
    if arrow:
        out = rhs.replace("...", ell)
        if any(c not in string.ascii_letters for c in out) or len(set(out)) != len(out):
            raise ValueError(f"einsum: invalid output subscript {rhs!r} in {equation!r}")
        missing = set(out) - set("".join(explicit))
        if missing:
            raise ValueError(f"einsum: output letters {sorted(missing)} appear in no operand "
                             f"of {equation!r}")
    else:  # implicit: '...' first, then the letters that appear once, in alphabetical order
        counts = Counter("".join(explicit))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return explicit, out


def einsum(equation: str, *operands_: Any) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is a @ b, ``"ii"`` the trace,
    ``"bij->bji"`` a batched transpose, ``"...ij,...jk"`` a broadcast batched matmul.
    Letters repeated in the inputs and absent from the output are summed. Operands may be
    passed as separate tensors or as one list. The gradient of each operand is another
    einsum (see :class:`Einsum`)."""
    ts = list(operands_[0]) if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)) \
        else list(operands_)
    if not ts:
        raise ValueError("einsum: needs at least one operand")
    for t in ts:
        if not operands.is_tensor(t):
            raise TypeError(f"einsum: operands must be Tensors, got {type(t).__name__}")
    inputs, out = _parse(equation, ts)
    common = dtypes.promote(*(t.dtype for t in ts))
    ts = [t.to_dtype(common) for t in ts]
    # a letter repeated within an operand: take that diagonal (it moves to the end)
    for i, s in enumerate(inputs):
        while len(set(s)) != len(s):
            c = next(c for c in s if s.count(c) > 1)
            a = s.index(c)
            b = s.index(c, a + 1)
            if ts[i].shape[a] != ts[i].shape[b]:
                raise ValueError(f"einsum: letter {c!r} of {equation!r} has sizes "
                                 f"{ts[i].shape[a]} and {ts[i].shape[b]} in one operand")
            ts[i] = ix.diagonal(ts[i], 0, a, b)
            s = s[:a] + s[a + 1:b] + s[b + 1:] + c
        inputs[i] = s
    # one size per letter (1 broadcasts); expand operands to it
    size: dict[str, int] = {}
    for s, t in zip(inputs, ts):
        for c, n in zip(s, t.shape):
            if size.get(c, 1) != 1 and n != 1 and size[c] != n:
                raise ValueError(f"einsum: letter {c!r} of {equation!r} has sizes {size[c]} "
                                 f"and {n}")
            if n != 1 or c not in size:
                size[c] = n
    for i, (s, t) in enumerate(zip(inputs, ts)):
        full = tuple(size[c] for c in s)
        if t.shape != full:
            ts[i] = t.expand(full)
    # a letter only this operand has (and the output lacks) is summed out first
    for i, s in enumerate(inputs):
        elsewhere = set(out).union(*(set(o) for j, o in enumerate(inputs) if j != i))
        lone = tuple(k for k, c in enumerate(s) if c not in elsewhere)
        if lone:
            ts[i] = ts[i].sum(lone)
            inputs[i] = "".join(c for c in s if c in elsewhere)
    return Einsum.apply(*ts, inputs=tuple(inputs), output=out)


def trace(x: Tensor) -> Tensor:
    """Σᵢ xᵢᵢ of a 2-d tensor (``einsum("ii", x)``); the gradient is the identity · g."""
    if x.ndim != 2:
        raise ValueError(f"trace: expects a 2-d tensor, got shape {x.shape}")
    return ix.diagonal(x).sum()


def outer(a: Tensor, b: Tensor) -> Tensor:
    """aᵢ bⱼ of two 1-d tensors (``einsum("i,j->ij", a, b)``)."""
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expects two 1-d tensors, got shapes {a.shape} and {b.shape}")
    return einsum("i,j->ij", a, b)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of a with the first ``dims`` of b (an int), or the
    listed pairs (``dims=([1, 0], [0, 1])``), as one einsum."""
    letters = string.ascii_letters
    if isinstance(dims, int):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise ValueError(f"tensordot: dims={dims} for shapes {a.shape} and {b.shape}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da = [operands.dim(d, a.ndim, "tensordot") for d in dims[0]]
        db = [operands.dim(d, b.ndim, "tensordot") for d in dims[1]]
        if len(da) != len(db):
            raise ValueError(f"tensordot: dims {dims} pair unequal numbers of dims")
    sa = list(letters[:a.ndim])
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [c for j, c in enumerate(sb)
                                                          if j not in db]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)
