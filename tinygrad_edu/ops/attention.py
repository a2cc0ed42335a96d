"""Scaled dot-product attention, composed from Tensor ops (matmul, where, softmax).

For queries Q (…, L, E), keys K (…, S, E) and values V (…, S, Eᵥ)::

    scores = Q Kᵀ · scale                  (…, L, S)   scale = 1/√E by default
    scores = scores masked                 −∞ where a query may not look at a key
    A      = softmax(scores, axis=−1)      each row: weights ≥ 0 that sum to 1
    out    = A V                           (…, L, Eᵥ)  each query: a weighted mean of values

:func:`attention_weights` composes these steps from Tensor ops (the engine derives its
backward; the lesson and ``need_weights=True`` use it). :func:`scaled_dot_product_attention`
is one :class:`Attention` Function with the backward written out, because attention's
(…, L, S) score matrices are the largest arrays of a Transformer and a dozen graph
nodes over them cost more than the matrix products. With G = ∂L/∂out::

    ∂L/∂V = Aᵀ G
    ∂L/∂A = G Vᵀ
    ∂L/∂S = A ⊙ (∂L/∂A − rowsum(∂L/∂A ⊙ A))      the softmax Jacobian, row by row
    ∂L/∂Q = ∂L/∂S K · scale,    ∂L/∂K = (∂L/∂S)ᵀ Q · scale

(masked entries have A = 0, so no gradient flows through them).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import is_grad_enabled
from ..function import Context, Function
from ..rng import Seed, make_rng
from .elementwise import where
from .index import tril
from .nn import as_gradients, operands
from .reduce import softmax

if TYPE_CHECKING:
    from ..backend.base import Array
    from ..tensor import Tensor


def _mT(x: Any) -> Any:
    """Swap the last two axes of a Tensor or of an array (the same line serves both)."""
    return x.mT if hasattr(x, "requires_grad") else x.swapaxes(-1, -2)


class Attention(Function):
    """out = dropout(softmax(Q Kᵀ·scale + mask)) V in one node; see the module docstring
    for the backward. ``mask``: an additive float array (0 / −∞ / any bias) or None;
    ``keep``: the dropout multiplier array (0 or 1/(1−p)) or None. Neither is
    differentiated here: :func:`scaled_dot_product_attention` takes the composed path
    when a float mask requires grad."""

    @staticmethod
    def forward(ctx: Context, q: Array, k: Array, v: Array, *, scale: float,
                mask: Array | None, keep: Array | None) -> Array:
        be = ctx.backend
        s = be.matmul(q, be.transpose(k, tuple(range(k.ndim - 2)) + (k.ndim - 1, k.ndim - 2)))
        s *= scale
        if mask is not None:
            s = be.binary("add", s, mask)
        m = be.reduce("max", s, -1, True)
        m = be.where(be.unary("isfinite", m), m, be.asarray(0, dtype=m.dtype))
        e = be.unary("exp", be.binary("sub", s, m))
        a = be.binary("div", e, be.reduce("sum", e, -1, True))
        ctx.scale, ctx.keep, ctx.mask = scale, keep, mask
        ad = a if keep is None else be.binary("mul", a, keep)
        ctx.save_for_backward(q, k, v, a)
        return be.matmul(ad, v)

    @staticmethod
    def backward(ctx: Context, g: Tensor) -> tuple[Tensor | None, ...]:
        ref = g
        q, k, v, a = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: A again, from Q and K, in the graph
            s = (q @ k.mT) * ctx.scale
            a = softmax(s if ctx.mask is None else s + q._constant(ctx.mask), -1)
        g, q, k, v, a = operands(g, q, k, v, a)
        keep = ctx.keep if ctx.keep is None or not hasattr(g, "requires_grad") \
            else ref._constant(ctx.keep)
        ad = a if keep is None else a * keep
        da = g @ _mT(v)
        if keep is not None:
            da = da * keep
        ds = a * (da - (da * a).sum(axis=-1, keepdims=True))
        need = ctx.needs_input_grad
        return as_gradients(ref, (ds @ k * ctx.scale if need[0] else None,
                                  _mT(ds) @ q * ctx.scale if need[1] else None,
                                  _mT(ad) @ g if need[2] else None))


def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False, scale: float | None = None) -> Tensor:
    """A = softmax(Q Kᵀ · scale + mask) of shape (…, L, S), composed from Tensor ops: how
    much each query attends to each key (rows sum to 1). Masks as in
    :func:`scaled_dot_product_attention`."""
    mask = attention_mask(query, key, attn_mask, is_causal)
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.mT) * scale
    return softmax(scores if mask is None else scores + mask, -1)


def _broadcasts(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) <= len(b) and all(x in (1, y) for x, y in zip(a[::-1], b[::-1]))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None, *,
                                 seed: Seed = None) -> Tensor:
    """softmax(Q Kᵀ/√E + mask) V, with PyTorch's semantics
    (``torch.nn.functional.scaled_dot_product_attention``):

    * ``attn_mask`` bool: True means *may attend* (False entries get −∞ before the
      softmax); float: added to the scores. It broadcasts to (…, L, S).
    * ``is_causal=True``: query i sees keys j ≤ i only (the lower triangle).
    * ``dropout_p``: drop attention weights with this probability (and rescale by
      1/(1 − p)), drawn from ``seed`` — PyTorch applies it whenever p > 0, so pass 0 in
      evaluation.
    * A row with every key masked gives NaN, as in PyTorch.

    Note the opposite convention of ``nn.MultiheadAttention``'s bool ``attn_mask``
    (True: *may not* attend), which is PyTorch's too.
    """
    if value.ndim < 2 or value.shape[-2] != key.shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: key {key.shape} and value "
                         f"{value.shape} must have the same length S (…, S, ·)")
    op = "scaled_dot_product_attention"
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p}")
    mask = attention_mask(query, key, attn_mask, is_causal)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    be = query.backend
    keep = None
    if dropout_p > 0.0:  # inverted dropout on the weights (as nn.functional.dropout)
        shape = tuple(np.broadcast_shapes(query.shape[:-2], key.shape[:-2])) + (L, S)
        kept = make_rng(seed).random(shape) >= dropout_p
        keep = be.asarray(kept * (0.0 if dropout_p == 1.0 else 1.0 / (1.0 - dropout_p)),
                          dtype=query.dtype)
    q, k, v = query, key, value
    if mask is not None and mask.requires_grad:  # a learned bias: composed, so it gets ∂L
        a = softmax((q @ k.mT) * scale + mask, -1)
        return (a if keep is None else a * a._constant(keep)) @ v
    if not (q.dtype == k.dtype == v.dtype):
        raise TypeError(f"{op}: query, key and value must have one dtype, got {q.dtype}, "
                        f"{k.dtype} and {v.dtype}")
    return Attention.apply(q, k, v, scale=scale,
                           mask=None if mask is None else mask.data, keep=keep)


def attention_mask(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                   is_causal: bool = False) -> Tensor | None:
    """The masks of :func:`scaled_dot_product_attention` as one additive float Tensor
    (0 where a query may attend, −∞ where not; a float mask as given), or None."""
    op = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{op}: query {query.shape} and key {key.shape} must be (…, L, E) "
                         f"and (…, S, E) with the same E")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: give attn_mask or is_causal=True, not both (PyTorch raises "
                         "here too)")
    L, S = query.shape[-2], key.shape[-2]
    be = query.backend
    if is_causal:
        attn_mask = tril(query._constant(be.ones((L, S), bool)))
    if attn_mask is None:
        return None
    scores_shape = tuple(np.broadcast_shapes(query.shape[:-2], key.shape[:-2])) + (L, S)
    if attn_mask.ndim < 2 or not _broadcasts(attn_mask.shape, scores_shape):
        raise ValueError(f"{op}: attn_mask of shape {attn_mask.shape} does not broadcast to "
                         f"the scores' shape {scores_shape} (…, L={L}, S={S})")
    if attn_mask.dtype.kind == "b":  # True: may attend
        zeros = query._constant(be.zeros(attn_mask.shape, query.dtype))
        return where(attn_mask, zeros, -math.inf).detach()
    return attn_mask.to_dtype(query.dtype)
