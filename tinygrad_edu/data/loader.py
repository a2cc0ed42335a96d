"""DataLoader: cut a dataset into mini-batches, one epoch per ``iter()``.

An epoch visits every sample exactly once. With ``shuffle=True`` each epoch uses a new
permutation of ``range(len(dataset))``, drawn from one generator that is seeded once
when the loader is built: the epochs differ from each other, yet two loaders built with
the same seed produce the same sequence of batches — runs are reproducible.

The order of an epoch is split into consecutive chunks of ``batch_size`` indices; the
last chunk is shorter when ``batch_size`` does not divide ``n``, or dropped with
``drop_last=True``. So::

    len(loader) == n // batch_size                  if drop_last
    len(loader) == ceil(n / batch_size)             otherwise
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from tinygrad_edu.rng import Seed, make_rng
from tinygrad_edu.tensor import Tensor

from .dataset import default_get_batch


class DataLoader:
    """Iterate over ``dataset`` in mini-batches of Tensors.

    Each batch is a tuple of Tensors ``(X, y, ...)`` — one per array of a sample — with
    the batch as the first axis. Float data becomes float32 Tensors and integer data
    (class labels) stays integer, as :class:`~tinygrad_edu.tensor.Tensor` converts them.
    A dataset whose samples are single arrays (not tuples) gives single Tensors.

    Batches are fetched with ``dataset.get_batch(indices)`` when the dataset has it (a
    :class:`~tinygrad_edu.data.TensorDataset` indexes its arrays with the whole index
    array at once), otherwise sample by sample and stacked.

    >>> import numpy as np
    >>> from tinygrad_edu.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.random.default_rng(0).random((10, 2)), np.arange(10))
    >>> loader = DataLoader(ds, batch_size=4, shuffle=True, seed=0)
    >>> len(loader)
    3
    >>> [x.shape for x, y in loader]
    [(4, 2), (4, 2), (2, 2)]
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: Seed = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise TypeError(f"DataLoader: batch_size must be an int, got {batch_size!r}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        # Seeded once: every epoch draws its permutation from this same stream.
        self._rng = make_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)  # ceil(n / batch_size) in integers

    def epoch_indices(self) -> list[np.ndarray]:
        """The index arrays of the next epoch's batches (advances the generator)."""
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        stop = len(self) * self.batch_size if self.drop_last else n
        return [order[i : i + self.batch_size] for i in range(0, stop, self.batch_size)]

    def __iter__(self) -> Iterator[Any]:
        get_batch = getattr(self.dataset, "get_batch", None)
        for indices in self.epoch_indices():
            batch = get_batch(indices) if get_batch else default_get_batch(self.dataset, indices)
            if isinstance(batch, tuple):
                yield tuple(Tensor(a) for a in batch)
            else:
                yield Tensor(batch)
