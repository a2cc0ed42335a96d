"""Hypothesis strategies for tensors: shapes, broadcastable shape pairs, tensors with
bounded finite values, values in a safe domain, and non-contiguous (transposed) data.

>>> from hypothesis import given
>>> from tinygrad_edu.testing import strategies as tst
>>> @given(tst.broadcastable_tensors(2, dtype="float64"))
... def test_add_commutes(pair):
...     a, b = pair
...     assert ((a + b) - (b + a)).abs().max().item() == 0
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..tensor import Tensor

DOMAINS = {
    # name: (low, high) — "positive" is safe for log, sqrt and as a divisor
    "any": (-10.0, 10.0),
    "positive": (0.1, 10.0),
    "unit": (-1.0, 1.0),
    "nonzero": (0.1, 10.0),  # magnitude; the sign is drawn separately
}


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1,
           max_side: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes, size-1 dimensions included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_shapes(n: int = 2, min_dims: int = 0, max_dims: int = 4,
                         max_side: int = 5) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """``n`` shapes that broadcast together (some dimensions 1, some missing)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, max_side=max_side
    ).map(lambda r: r.input_shapes)


def _values(dtype: np.dtype, domain: str) -> st.SearchStrategy[float]:
    lo, hi = DOMAINS[domain]
    width = 32 if dtype == np.float32 else 64
    if width == 32:  # hypothesis wants float32-exact bounds (0.1 → 0.10000000149…)
        lo, hi = float(np.float32(lo)), float(np.float32(hi))
    mag = st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=width)
    if domain == "nonzero":
        return st.tuples(mag, st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
    return mag


@st.composite
def arrays(draw: Any, shape: tuple[int, ...] | st.SearchStrategy | None = None,
           dtype: Any = "float32", domain: str = "any",
           non_contiguous: bool | None = None) -> np.ndarray:
    """numpy arrays with finite values in ``domain``; when ``non_contiguous`` is True (or
    drawn, when None) the array is a transposed view, as layouts in real code often are."""
    dt = np.dtype(dtype)
    shp = draw(shapes()) if shape is None else (draw(shape) if isinstance(
        shape, st.SearchStrategy) else tuple(shape))
    if dt.kind in "iu":
        arr = draw(hnp.arrays(dt, shp, elements=st.integers(-10, 10)))
    elif dt.kind == "b":
        arr = draw(hnp.arrays(dt, shp))
    else:
        arr = draw(hnp.arrays(dt, shp, elements=_values(dt, domain)))
    transpose = draw(st.booleans()) if non_contiguous is None else non_contiguous
    if transpose and arr.ndim >= 2:
        arr = np.ascontiguousarray(arr.T).T  # same values and shape, Fortran layout
    return arr


@st.composite
def tensors(draw: Any, shape: tuple[int, ...] | st.SearchStrategy | None = None,
            dtype: Any = "float32", domain: str = "any", requires_grad: bool = False,
            non_contiguous: bool | None = None) -> Tensor:
    """Tensors of ``dtype`` whose values lie in ``domain`` ("any", "positive", "unit",
    "nonzero")."""
    arr = draw(arrays(shape, dtype, domain, non_contiguous))
    return Tensor(arr, dtype=dtype, requires_grad=requires_grad)


@st.composite
def broadcastable_tensors(draw: Any, n: int = 2, dtype: Any = "float32",
                          domain: str | tuple[str, ...] = "any", requires_grad: bool = False,
                          max_dims: int = 4) -> tuple[Tensor, ...]:
    """``n`` tensors whose shapes broadcast together; ``domain`` may differ per tensor."""
    shps = draw(broadcastable_shapes(n, max_dims=max_dims))
    doms = (domain,) * n if isinstance(domain, str) else domain
    return tuple(draw(tensors(s, dtype, d, requires_grad)) for s, d in zip(shps, doms))


def matmul_shapes(max_batch_dims: int = 2, max_side: int = 5
                  ) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Pairs of shapes valid for numpy's matmul, 1-D and batched cases included."""
    side = st.integers(1, max_side)

    @st.composite
    def build(draw: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
        n, k, m = draw(side), draw(side), draw(side)
        batch = draw(broadcastable_shapes(2, max_dims=max_batch_dims, max_side=3))
        kind = draw(st.sampled_from(["vv", "vm", "mv", "mm"]))
        a = (k,) if kind[0] == "v" else batch[0] + (n, k)
        b = (k,) if kind[1] == "v" else batch[1] + (k, m)
        return a, b

    return build()
