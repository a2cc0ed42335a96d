"""The numpy backend: the reference every other backend is tested against."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .base import Array, ArrayModuleBackend


class CPUBackend(ArrayModuleBackend):
    name = "cpu"
    xp = np

    def __init__(self) -> None:
        super().__init__()
        self._unary["erf"] = _erf  # numpy has no erf
        # numpy warns on 0/0, log(0), sqrt(−1) or exp overflow where PyTorch is silent and
        # returns inf/nan (detect_anomaly and gradcheck check for them). Only the ops that
        # warn on ordinary inputs pay for np.errstate (about 1 µs a call).
        for table in (self._unary, self._binary):
            for name in _MAY_WARN.intersection(table):
                table[name] = _quiet(table[name])

    def to_numpy(self, a: Array) -> np.ndarray:
        return np.asarray(a)

    def _relu(self, a: Array) -> Array:
        return np.maximum(a, 0, dtype=a.dtype) if a.dtype.kind == "f" else np.maximum(a, 0)


_MAY_WARN = {"div", "pow", "log", "log1p", "sqrt", "reciprocal", "exp", "expm1", "sigmoid"}


def _quiet(fn: Any) -> Any:
    def call(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args)

    call.__name__ = getattr(fn, "__name__", "op")
    return call


def _erf(a: Array) -> Array:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, elementwise (numpy has none)."""
    return _erf_ufunc()(a)


@functools.cache
def _erf_ufunc() -> Any:
    """SciPy's erf ufunc when SciPy is installed (it is not a dependency; imported on first
    use, not at start-up), else ``math.erf`` mapped over the elements (correctly rounded
    too, but about 50 times slower)."""
    try:
        from scipy.special import erf  # type: ignore[import-untyped]
    except ImportError:
        scalar = np.frompyfunc(math.erf, 1, 1)

        def erf(a: Array) -> Array:
            dtype = a.dtype if a.dtype.kind == "f" else np.float64
            return np.asarray(scalar(a), dtype=dtype)
    return erf
