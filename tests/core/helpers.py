"""Shared helpers for the core tests: run an op in float64 (gradcheck) and in float32
(forward agrees with float64), and hypothesis strategies for inputs that keep a safe
distance from an op's kinks and ties (where the derivative does not exist, so a
central difference and the analytic subgradient legitimately disagree)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.testing import assert_close, gradcheck
from tinygrad_edu.testing import strategies as tst

# Shapes stay small: gradcheck perturbs every element twice, in Python.
MAX_DIMS = 3
F32_RTOL, F32_ATOL = 1e-5, 1e-5  # float32 vs float64 (a few float32 ulps)


def t64(arr: Any, requires_grad: bool = True) -> Tensor:
    return Tensor(np.asarray(arr, dtype=np.float64), dtype="float64", requires_grad=requires_grad)


def check_op(fn: Callable[..., Tensor], *arrays: np.ndarray, rtol: float = F32_RTOL,
             atol: float = F32_ATOL, grad: bool = True) -> None:
    """The whole contract of a differentiable op on these inputs:

    1. gradcheck in float64 (analytic backward == central differences);
    2. the float32 forward agrees with the float64 one within float32 tolerances;
    3. float32 in → float32 out, and every input's .grad has the input's shape/dtype.
    """
    arrays = tuple(np.asarray(a, dtype=np.float64) for a in arrays)
    if grad:
        gradcheck(fn, *[t64(a) for a in arrays])
    with_f64 = fn(*[t64(a, False) for a in arrays])
    xs32 = [Tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    out32 = fn(*xs32)
    assert out32.dtype == np.float32, f"float32 inputs gave a {out32.dtype} output"
    assert_close(out32, with_f64.numpy().astype(np.float32), rtol=rtol, atol=atol,
                 msg="float32 forward vs float64")
    if grad:
        out32.sum().backward()
        for x in xs32:
            if x.grad is not None:
                assert x.grad.shape == x.shape and x.grad.dtype == np.float32


# ---- strategies ------------------------------------------------------------------------


def arrays(shape: Any = None, domain: str = "any", max_dims: int = MAX_DIMS,
           min_dims: int = 0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays (possibly non-contiguous) from the library's own strategy."""
    shp = tst.shapes(min_dims=min_dims, max_dims=max_dims) if shape is None else shape
    return tst.arrays(shp, dtype="float64", domain=domain)


def broadcastable_arrays(n: int = 2, domain: str | tuple[str, ...] = "any",
                         max_dims: int = MAX_DIMS) -> st.SearchStrategy[tuple[np.ndarray, ...]]:
    """Arrays whose shapes broadcast together, from ``tst.broadcastable_tensors``."""
    return tst.broadcastable_tensors(n, dtype="float64", domain=domain, max_dims=max_dims).map(
        lambda ts: tuple(t.numpy() for t in ts))


def away_from(x: np.ndarray, kinks: Sequence[float], gap: float = 1e-2,
              to: float = 0.5) -> np.ndarray:
    """Move values within ``gap`` of a kink to ``kink + to`` (still a valid input)."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        near = np.abs(x - k) < gap
        x[near] = k + to
    return x


def distinct(x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Break ties while keeping the order: add step·rank (values end ≥ step apart)."""
    x = np.array(x, dtype=np.float64)
    ranks = np.argsort(np.argsort(x.ravel(), kind="stable"), kind="stable")
    return x + step * ranks.reshape(x.shape)


@st.composite
def array_and_axes(draw: Any, domain: str = "any", max_dims: int = MAX_DIMS,
                   min_dims: int = 0) -> tuple[np.ndarray, Any, bool]:
    """An array, an axis argument valid for it (None, an int — maybe negative — or a
    tuple), and keepdims."""
    x = draw(arrays(domain=domain, max_dims=max_dims, min_dims=min_dims))
    nd = x.ndim
    kind = draw(st.sampled_from(["none", "int", "tuple"])) if nd else "none"
    if kind == "none":
        axis: Any = None
    elif kind == "int":
        axis = draw(st.integers(-nd, nd - 1))
    else:
        axis = tuple(draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1,
                                   max_size=nd)))
    return x, axis, draw(st.booleans())
