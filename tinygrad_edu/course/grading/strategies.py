"""Hypothesis strategies for exercise checks, built on :mod:`tinygrad_edu.testing.strategies`.

Everything here draws float64 numpy arrays (the wire carries arrays, not Tensors) with
small shapes, so a property of 40 examples costs well under a second, and every value
stays in a range where a correct float64 answer is unambiguous.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu.testing import strategies as tst


def arrays(shape: Any = None, domain: str = "any") -> st.SearchStrategy[np.ndarray]:
    """float64 arrays (``shape``: a tuple, a strategy, or None for 0–4 dims of size 1–5)."""
    return tst.arrays(shape, dtype="float64", domain=domain, non_contiguous=False)


def shapes(min_dims: int = 1, max_dims: int = 3, max_side: int = 5, min_side: int = 1
           ) -> st.SearchStrategy:
    return tst.shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                      max_side=max_side)


@st.composite
def same_shape(draw: Any, n: int = 2, min_dims: int = 1, max_dims: int = 3,
               domain: str = "any") -> tuple[np.ndarray, ...]:
    """``n`` float64 arrays of one drawn shape. Half the draws come from the large end of
    the size range (sides 4–5), so a mistake that shows only on larger arrays is met in
    every run, whatever the rest of the draws look like."""
    large = shapes(max(min_dims, 2), max_dims, min_side=4) if max_dims >= 2 else shapes(
        min_dims, max_dims)
    shape = draw(st.one_of(shapes(min_dims, max_dims), large))
    return tuple(draw(arrays(shape, domain)) for _ in range(n))


@st.composite
def binary_targets(draw: Any, shape: tuple[int, ...]) -> np.ndarray:
    """0.0/1.0 targets of ``shape``."""
    bits = draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),
                         max_size=int(np.prod(shape))))
    return np.array(bits, dtype=np.float64).reshape(shape)


@st.composite
def logits_and_labels(draw: Any, max_n: int = 5, max_classes: int = 5,
                      scale: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """(logits of shape (N, C), int64 class indices of shape (N,))."""
    n = draw(st.integers(1, max_n))
    c = draw(st.integers(2, max_classes))
    logits = draw(arrays((n, c))) * (scale / 10.0)
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)),
                      dtype=np.int64)
    return logits, labels


@st.composite
def unbroadcast_case(draw: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """(a gradient of a broadcast result, the shape of the input it must be summed to)."""
    target, other = draw(tst.broadcastable_shapes(2, max_dims=4, max_side=4))
    out = np.broadcast_shapes(target, other)
    return draw(arrays(out)), tuple(target)


@st.composite
def matmul_case(draw: Any, max_side: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a of shape (n, k), b of shape (k, m), an upstream gradient of shape (n, m))."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    return draw(arrays((n, k))), draw(arrays((k, m))), draw(arrays((n, m)))


def floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)
