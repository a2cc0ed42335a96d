"""Multi-head attention (Vaswani et al., 2017), shaped like ``torch.nn.MultiheadAttention``.

With model width E split into H heads of width d = E/H::

    Q, K, V = x_q W_qᵀ + b_q,  x_k W_kᵀ + b_k,  x_v W_vᵀ + b_v      (in_proj_weight: (3E, E))
    headₕ   = softmax(Qₕ Kₕᵀ / √d + mask) Vₕ                          (each (N, L, d))
    out     = concat(head₁ … head_H) W_oᵀ + b_o                       (out_proj)

Each head attends with its own slice of the projections, so the heads can look at
different positions for different reasons; the output projection mixes them again.
"""

from __future__ import annotations

import math

from ..ops.attention import attention_weights, scaled_dot_product_attention
from ..ops.elementwise import where
from ..ops.movement import split
from ..ops.nn import linear
from ..rng import Seed, make_rng
from ..tensor import DTypeLike, Tensor
from .dropout import dropout
from .init import xavier_uniform_, zeros_
from .linear import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention", "scaled_dot_product_attention"]


class MultiheadAttention(Module):
    """``MultiheadAttention(embed_dim, num_heads)`` with PyTorch's parameters
    (``in_proj_weight`` (3E, E), ``in_proj_bias`` (3E,), ``out_proj``: Linear(E, E)), its
    initialisation (Xavier-uniform in-projection, zero biases, ``out_proj.weight`` as a
    Linear) and its ``forward``::

        out, weights = mha(query, key, value, key_padding_mask=None, need_weights=True,
                           attn_mask=None, average_attn_weights=True, is_causal=False)

    Shapes with ``batch_first=True``: query (N, L, E), key and value (N, S, E), out
    (N, L, E), weights (N, L, S) averaged over heads or (N, H, L, S) (with
    ``batch_first=False``, as PyTorch's default: (L, N, E) and (S, N, E)).

    Masks use *PyTorch's MultiheadAttention convention*, the opposite of
    ``scaled_dot_product_attention``'s: a bool ``attn_mask`` (L, S) or (N·H, L, S) and a
    bool ``key_padding_mask`` (N, S) are **True where a query may not look**; float masks
    are added to the scores.

    Differences from PyTorch: ``is_causal=True`` without ``attn_mask`` applies the causal
    mask itself (PyTorch requires the mask too and treats the flag as a hint); only
    ``kdim = vdim = embed_dim``; ``dropout`` draws from this layer's own generator
    (``seed``).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 batch_first: bool = False, *, seed: Seed = None, dtype: DTypeLike = "float32",
                 device: str | None = None) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by "
                             f"num_heads {num_heads}")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.head_dim = embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        rng = make_rng(seed)
        self.in_proj_weight = Parameter(xavier_uniform_(
            Tensor.zeros(3 * embed_dim, embed_dim, dtype=dtype, device=device), seed=rng))
        if bias:
            self.in_proj_bias = Parameter(Tensor.zeros(3 * embed_dim, dtype=dtype,
                                                       device=device))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias, seed=rng, dtype=dtype, device=device)
        if self.out_proj.bias is not None:
            zeros_(self.out_proj.bias)
        self.rng = rng

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        E, H, d = self.embed_dim, self.num_heads, self.head_dim
        who = self.describe()
        if not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if query.ndim != 3 or query.shape[-1] != E or key.shape != value.shape or \
                key.ndim != 3 or key.shape[-1] != E or key.shape[0] != query.shape[0]:
            raise ValueError(f"{who}: expected query (N, L, {E}) and key, value (N, S, {E}) "
                             f"(batch first), got {query.shape}, {key.shape}, {value.shape}")
        N, L, S = query.shape[0], query.shape[1], key.shape[1]
        if query is key and key is value:  # self-attention: one projection, then split
            q, k, v = split(linear(query, self.in_proj_weight, self.in_proj_bias), E, -1)
        else:
            ws = split(self.in_proj_weight, E, 0)
            bs = (split(self.in_proj_bias, E, 0) if self.in_proj_bias is not None
                  else (None, None, None))
            q, k, v = (linear(x, w, b) for x, w, b in zip((query, key, value), ws, bs))
        # (N, T, E) → (N, H, T, d): each head a separate batch of matrices
        q, k, v = (t.reshape(N, t.shape[1], H, d).transpose(1, 2) for t in (q, k, v))
        mask = self._additive_mask(attn_mask, key_padding_mask, N, L, S, query)
        causal = is_causal and mask is None
        p = self.dropout if self.training else 0.0
        a: Tensor | None = None
        if need_weights:  # composed, to hand the weights back
            a = attention_weights(q, k, mask, causal, 1.0 / math.sqrt(d))
            if p > 0:
                a = dropout(a, p, True, seed=self.rng)
            heads = a @ v
        else:  # one fused node (ops.attention.Attention)
            heads = scaled_dot_product_attention(q, k, v, mask, p, causal, seed=self.rng)
        out = self.out_proj(heads.transpose(1, 2).reshape(N, L, E))
        if not self.batch_first:
            out = out.transpose(0, 1)
        if a is None:
            return out, None
        return out, (a.mean(1) if average_attn_weights else a)

    def _additive_mask(self, attn_mask: Tensor | None, key_padding_mask: Tensor | None,
                       N: int, L: int, S: int, ref: Tensor) -> Tensor | None:
        """Both masks as one float mask (0 or −∞, or the given floats) of a shape that
        broadcasts to (N, H, L, S)."""
        who, H = self.describe(), self.num_heads
        total: Tensor | None = None
        if attn_mask is not None:
            if attn_mask.shape == (L, S):
                m = attn_mask
            elif attn_mask.shape == (N * H, L, S):
                m = attn_mask.reshape(N, H, L, S)
            else:
                raise ValueError(f"{who}: attn_mask must have shape ({L}, {S}) or "
                                 f"({N * H}, {L}, {S}), got {attn_mask.shape}")
            total = _as_additive(m, ref)
        if key_padding_mask is not None:
            if key_padding_mask.shape != (N, S):
                raise ValueError(f"{who}: key_padding_mask must have shape ({N}, {S}), got "
                                 f"{key_padding_mask.shape}")
            m = _as_additive(key_padding_mask.reshape(N, 1, 1, S), ref)
            total = m if total is None else total + m
        return total

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")


def _as_additive(mask: Tensor, ref: Tensor) -> Tensor:
    """A bool mask (True: masked out) as 0/−∞ in ``ref``'s dtype; a float mask as is."""
    if mask.dtype.kind == "b":
        zeros = ref._constant(ref.backend.zeros(mask.shape, ref.dtype))
        return where(mask, -math.inf, zeros)
    return mask.to_dtype(ref.dtype)
