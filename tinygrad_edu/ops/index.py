"""Looking rows up by index, and triangular masks.

``embedding`` is the lookup a language model starts with: token ids in, one learned
vector per id out. Its backward is the adjoint of a gather, a *scatter-add*: each row's
gradient is the sum of the output gradients at every position that used that id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..function import Context, Function
from .elementwise import where
from .movement import ScatterAdd

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


class Embedding(Function):
    """out[..., :] = W[idx[...], :] for W of shape (num, dim) and integer ids ``idx``::

        ∂L/∂W[k] = Σ_{positions p with idx[p] = k} ∂L/∂out[p]     (0 for k = padding_idx)

    The ids are not an input of the Function (they have no gradient); they sit on the
    context.
    """

    @staticmethod
    def forward(ctx: Context, weight: Array, *, idx: Array, padding_idx: int | None) -> Array:
        ctx.idx, ctx.padding_idx = idx, padding_idx
        return ctx.backend.getitem(weight, idx)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> Tensor:
        idx = ctx.idx
        if ctx.padding_idx is not None:  # the padding row never learns (PyTorch's rule)
            be = ctx.backend
            keep = be.astype(be.binary("ne", idx, ctx.padding_idx), g.dtype)
            g = g * g._constant(be.reshape(keep, tuple(keep.shape) + (1,)))
        return ScatterAdd.apply(g, shape=ctx.input_shapes[0], index=idx)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer tensor ``input`` of
    any shape: the result has shape ``input.shape + (dim,)`` (``F.embedding``)."""
    if weight.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, dim), got shape "
                         f"{weight.shape}")
    if input.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be an integer tensor, got {input.dtype} "
                        f"of shape {input.shape}")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for "
                             f"{num} embeddings")
        padding_idx %= num
    if input.size:
        be = input.backend
        lo, hi = int(be.reduce("min", input.data)), int(be.reduce("max", input.data))
        if lo < 0 or hi >= num:
            bad = lo if lo < 0 else hi
            raise IndexError(f"embedding: index {bad} is out of range for a weight of shape "
                             f"{weight.shape} (ids must be in [0, {num - 1}]); input shape "
                             f"{input.shape}")
    return Embedding.apply(weight, idx=input.data, padding_idx=padding_idx)


def _triangle(x: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if x.ndim < 2:
        raise ValueError(f"{op}: needs a tensor with at least 2 dims, got shape {x.shape}")
    be = x.backend
    rows, cols = x.shape[-2], x.shape[-1]
    i = be.reshape(be.arange(0, rows, 1, "int64"), (rows, 1))
    j = be.reshape(be.arange(0, cols, 1, "int64"), (1, cols))
    offset = be.binary("sub", j, i)  # j − i
    keep = be.binary("le" if lower else "ge", offset, diagonal)
    if x.dtype.kind == "b":
        return x._constant(be.binary("logical_and", x.data, keep))
    return where(keep, x, 0)


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes: x[..., i, j] where j − i ≤ diagonal, else
    0 (False for bool tensors). ``tril(ones(T, T, dtype=bool))`` is the causal mask:
    position i may look at positions j ≤ i. Gradient: g on the kept entries, 0 elsewhere."""
    return _triangle(x, diagonal, True, "tril")


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes: x[..., i, j] where j − i ≥ diagonal, else 0."""
    return _triangle(x, diagonal, False, "triu")
