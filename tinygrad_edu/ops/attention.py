"""Scaled dot-product attention, composed from Tensor ops (matmul, where, softmax).

For queries Q (…, L, E), keys K (…, S, E) and values V (…, S, Eᵥ)::

    scores = Q Kᵀ · scale                  (…, L, S)   scale = 1/√E by default
    scores = scores masked                 −∞ where a query may not look at a key
    A      = softmax(scores, axis=−1)      each row: weights ≥ 0 that sum to 1
    out    = A V                           (…, L, Eᵥ)  each query: a weighted mean of values

Every step is an existing differentiable op, so the engine derives the backward
(∂L/∂V = Aᵀ G; ∂L/∂A = G Vᵀ; the softmax Jacobian; ∂L/∂Q = ∂L/∂scores · K · scale ...)
and create_graph works through it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..rng import Seed, make_rng
from .elementwise import where
from .index import tril
from .reduce import softmax

if TYPE_CHECKING:
    from ..tensor import Tensor


def attention_weights(query: Tensor, key: Tensor, attn_mask: Tensor | None = None,
                      is_causal: bool = False, scale: float | None = None) -> Tensor:
    """A = softmax(Q Kᵀ · scale + mask) of shape (…, L, S): how much each query attends to
    each key (rows sum to 1). Masks as in :func:`scaled_dot_product_attention`."""
    op = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or query.shape[-1] != key.shape[-1]:
        raise ValueError(f"{op}: query {query.shape} and key {key.shape} must be (…, L, E) "
                         f"and (…, S, E) with the same E")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: give attn_mask or is_causal=True, not both (PyTorch raises "
                         "here too)")
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.mT) * scale
    if is_causal:
        be = query.backend
        attn_mask = tril(query._constant(be.ones((L, S), bool)))
    if attn_mask is not None:
        if attn_mask.ndim < 2 or attn_mask.shape[-2:] != (L, S) and not _broadcasts(
                attn_mask.shape, scores.shape):
            raise ValueError(f"{op}: attn_mask of shape {attn_mask.shape} does not broadcast "
                             f"to the scores' shape {scores.shape} (…, L={L}, S={S})")
        if attn_mask.dtype.kind == "b":  # True: may attend
            scores = where(attn_mask, scores, -math.inf)
        else:  # a float mask is added (−inf to forbid, any value to bias)
            scores = scores + attn_mask
    return softmax(scores, -1)


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
    a = attention_weights(query, key, attn_mask, is_causal, scale)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"scaled_dot_product_attention: dropout_p must be in [0, 1], got "
                         f"{dropout_p}")
    if dropout_p > 0.0:  # inverted dropout on the weights (as nn.functional.dropout)
        keep = make_rng(seed).random(a.shape) >= dropout_p
        scale_kept = 0.0 if dropout_p == 1.0 else 1.0 / (1.0 - dropout_p)
        a = a * a._constant(a.backend.asarray(keep * scale_kept, dtype=a.dtype))
    return a @ value
