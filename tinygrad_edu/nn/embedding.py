"""Embedding: a learned vector for each id (token, position, class)."""

from __future__ import annotations

from ..ops.index import embedding
from ..rng import Seed
from ..tensor import DTypeLike, Tensor
from .init import normal_
from .module import Module, Parameter

__all__ = ["Embedding", "embedding"]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``: ``forward(ids)``
    returns ``weight[ids]``, of shape ``ids.shape + (embedding_dim,)``.

    It is a linear layer applied to one-hot vectors (onehot(i)ᵀ W = W[i]) without building
    them; its gradient adds each position's output gradient into the row it read.
    Initialised as in PyTorch: W ~ N(0, 1); the ``padding_idx`` row (if any) is zero and
    receives no gradient.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: int | None = None, *, seed: Seed = None,
                 dtype: DTypeLike = "float32", device: str | None = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for "
                                 f"{num_embeddings} embeddings")
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        weight = normal_(Tensor.zeros(num_embeddings, embedding_dim, dtype=dtype,
                                      device=device), seed=seed)
        if padding_idx is not None:
            weight.data[padding_idx] = 0
        self.weight = Parameter(weight)

    def forward(self, ids: Tensor) -> Tensor:
        return embedding(ids, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
