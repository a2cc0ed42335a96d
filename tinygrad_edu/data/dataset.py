"""Datasets: anything that has a length and gives back sample ``i``.

A :class:`Dataset` is the PyTorch idea: ``len(ds)`` samples, ``ds[i]`` is one of them
(usually a tuple ``(x, y)``). The :class:`~tinygrad_edu.data.loader.DataLoader` turns a
dataset into mini-batches by asking for a whole batch of indices at once through
:meth:`Dataset.get_batch`. The default asks for each sample and stacks them; a
:class:`TensorDataset`, which holds whole arrays, instead indexes every array once with
the batch's index array — one numpy call per array instead of one Python call per sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor


def to_numpy(x: Any) -> np.ndarray:
    """A numpy array from a Tensor (anything with ``.numpy()``), an array, a list or a scalar."""
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray | np.generic):
        return np.asarray(x.numpy())
    return np.asarray(x)


def default_get_batch(dataset: Any, indices: np.ndarray) -> Any:
    """Fetch ``dataset[i]`` for each index and stack the results along a new first axis.

    A sample that is a tuple (or list) ``(x, y, ...)`` gives a tuple of stacked arrays
    ``(X, Y, ...)``; a sample that is a single array gives one stacked array.
    """
    samples = [dataset[int(i)] for i in indices]
    if not samples:
        raise ValueError("get_batch: asked for an empty batch")
    if isinstance(samples[0], tuple | list):
        width = len(samples[0])
        for i, s in zip(indices, samples, strict=True):
            if not isinstance(s, tuple | list) or len(s) != width:
                raise ValueError(f"get_batch: sample {int(i)} has {_parts(s)} but sample "
                                 f"{int(indices[0])} has {width}; every sample must have "
                                 "the same parts")
        return tuple(_stack([to_numpy(s[k]) for s in samples], indices, f" (part {k})")
                     for k in range(width))
    return _stack([to_numpy(s) for s in samples], indices, "")


def _parts(sample: Any) -> str:
    return f"{len(sample)} parts" if isinstance(sample, tuple | list) else "1 part"


def _stack(arrays: list[np.ndarray], indices: np.ndarray, what: str) -> np.ndarray:
    """np.stack, or an error naming the two samples whose shapes differ."""
    first = np.shape(arrays[0])
    for i, a in zip(indices, arrays, strict=True):
        if np.shape(a) != first:
            raise ValueError(
                f"get_batch: cannot stack samples of different shapes into a batch: sample "
                f"{int(indices[0])}{what} has shape {first} but sample {int(i)}{what} has "
                f"shape {np.shape(a)} (pad or resize them to one shape, or use "
                "batch_size=1)")
    return np.stack(arrays)


class Dataset:
    """Abstract base class: subclasses implement ``__getitem__(i)`` and ``__len__()``.

    ``get_batch(indices)`` has a default (fetch each sample, then stack) that a subclass
    may override with something faster.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def get_batch(self, indices: np.ndarray) -> Any:
        """The samples at ``indices``, stacked: a tuple of arrays, or one array."""
        return default_get_batch(self, indices)


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays: ``ds[i] == (a[i], b[i], ...)``.

    Accepts Tensors, numpy arrays or nested lists; they are kept as numpy arrays
    (``self.arrays``) so a batch is one fancy-index per array. ``ds[i]`` gives a tuple
    of Tensors, as PyTorch's ``TensorDataset`` does.

    >>> ds = TensorDataset(np.zeros((100, 3)), np.arange(100))
    >>> len(ds)
    100
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one array")
        arrays = [to_numpy(t) for t in tensors]
        for k, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: array {k} is a scalar; each needs a first axis")
        n = arrays[0].shape[0]
        for k, a in enumerate(arrays[1:], start=1):
            if a.shape[0] != n:
                raise ValueError(
                    "TensorDataset: all arrays need the same first dimension, but "
                    f"array 0 has {n} samples (shape {arrays[0].shape}) and "
                    f"array {k} has {a.shape[0]} (shape {a.shape})"
                )
        self.arrays: tuple[np.ndarray, ...] = tuple(arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        # np.asarray keeps a 0-d row (one label) an ndarray rather than a numpy scalar.
        return tuple(Tensor(np.asarray(a[index])) for a in self.arrays)

    def get_batch(self, indices: np.ndarray | Sequence[int]) -> tuple[np.ndarray, ...]:
        """Rows ``indices`` of every array: one numpy indexing call per array."""
        indices = np.asarray(indices, dtype=np.intp)
        return tuple(a[indices] for a in self.arrays)
