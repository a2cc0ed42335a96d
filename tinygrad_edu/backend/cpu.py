"""The numpy backend: the reference every other backend is tested against."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Array, ArrayModuleBackend


class CPUBackend(ArrayModuleBackend):
    name = "cpu"
    xp = np

    def __init__(self) -> None:
        super().__init__()
        # numpy warns on 0/0, log(0), sqrt(−1) or exp overflow where PyTorch is silent and
        # returns inf/nan (detect_anomaly and gradcheck check for them). Only the ops that
        # warn on ordinary inputs pay for np.errstate (about 1 µs a call).
        for table in (self._unary, self._binary):
            for name in _MAY_WARN.intersection(table):
                table[name] = _quiet(table[name])
        for name in ("sum", "prod"):  # inf − inf and overflow in a reduction, silently
            self._reduce[name] = _quiet(self._reduce[name])

    def to_numpy(self, a: Array) -> np.ndarray:
        return np.asarray(a)

    def scan(self, op: str, a: Array, axis: int) -> Array:
        with np.errstate(all="ignore"):  # overflow of a running product is inf, silently
            return super().scan(op, a, axis)

    def _relu(self, a: Array) -> Array:
        return np.maximum(a, 0, dtype=a.dtype) if a.dtype.kind == "f" else np.maximum(a, 0)


_MAY_WARN = {"div", "pow", "log", "log1p", "sqrt", "reciprocal", "exp", "expm1", "sigmoid"}


def _quiet(fn: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "op")
    return call
