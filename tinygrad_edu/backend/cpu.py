"""The numpy backend: the reference every other backend is tested against."""

from __future__ import annotations

import functools
import importlib
import math
import os
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
        for table in (self._unary, self._binary, self._reduce):
            for name in _MAY_WARN.intersection(table):
                table[name] = _quiet(table[name])

    def asarray(self, data: Any, dtype: Any = None) -> Array:
        if isinstance(data, np.ndarray):  # keeps a traced array traced (as to_numpy)
            return np.asanyarray(data, dtype=dtype)
        return np.asarray(data, dtype=dtype)

    def to_numpy(self, a: Array) -> np.ndarray:
        # an ndarray subclass stays itself: a traced array (tinygrad_edu.jit) must not
        # turn into a plain one that the recorder cannot see
        return a if isinstance(a, np.ndarray) else np.asarray(a)

    def scan(self, op: str, a: Array, axis: int) -> Array:
        with np.errstate(all="ignore"):  # overflow of a running product is inf, silently
            return super().scan(op, a, axis)

    #: use the compiled window kernels when numba imports; TINYGRAD_EDU_CPU_KERNELS=numpy
    #: (or setting this to False) keeps the pure numpy path
    use_compiled_kernels: bool = os.environ.get("TINYGRAD_EDU_CPU_KERNELS", "numba") != "numpy"

    def window_kernels(self) -> Any | None:
        return _window_kernels() if self.use_compiled_kernels else None

    def _relu(self, a: Array) -> Array:
        return np.maximum(a, 0, dtype=a.dtype) if a.dtype.kind == "f" else np.maximum(a, 0)


_MAY_WARN = {"div", "pow", "log", "log1p", "sqrt", "reciprocal", "exp", "expm1", "sigmoid"}
# more math (issue 11): 0·inf, inf − inf, overflow, a zero divisor, a log or arcsine
# outside its domain
_MAY_WARN |= {"add", "sub", "mul", "log2", "log10", "exp2", "asin", "acos", "sinh", "cosh",
              "sin", "cos", "tan", "fmod", "remainder", "floor_divide", "hypot", "logaddexp",
              "sum", "prod"}

_erf_py = np.frompyfunc(math.erf, 1, 1)


def _erf(a: Array) -> Array:
    """erf elementwise: SciPy's ufunc when SciPy is installed (an optional extra), else the
    standard library's ``math.erf`` element by element (as exact, ~100× slower)."""
    dtype = a.dtype if a.dtype.kind == "f" else np.float64
    fast = _scipy_erf()
    if fast is not None:
        return np.asarray(fast(a), dtype=dtype)
    return np.asarray(_erf_py(a), dtype=dtype)


@functools.cache
def _scipy_erf() -> Any:
    """SciPy's erf, imported on first use: importing SciPy costs about 0.3 s, which every
    ``import tinygrad_edu`` would pay otherwise. None when SciPy is not installed."""
    try:  # imported by name: SciPy is optional, and mypy need not know it
        return importlib.import_module("scipy.special").erf
    except ImportError:  # numpy is the only required dependency
        return None


@functools.cache
def _window_kernels() -> Any:
    """``backend/cpu_kernels.py``, imported on first use (numba takes ~0.5 s to import,
    and compiling — or loading the cached machine code — happens on the first call).
    None when numba is not installed: it is an optional extra, numpy the only required
    dependency."""
    try:
        return importlib.import_module(".cpu_kernels", __package__)
    except ImportError:
        return None


def _quiet(fn: Any) -> Any:
    """``fn`` with numpy's floating-point warnings off, as ``np.errstate(all="ignore")``
    would do — but that costs about 1.5 µs a call, more than the op on small arrays. numpy
    keeps the error state in a context variable; setting it to an "ignore" state captured
    once costs about 0.3 µs. (Where numpy has no such variable, errstate it is.)"""
    if _IGNORE is None:
        def call(*args: Any, **kwargs: Any) -> Any:
            with np.errstate(all="ignore"):
                return fn(*args, **kwargs)
    else:
        var, ignore = _IGNORE

        def call(*args: Any, **kwargs: Any) -> Any:
            token = var.set(ignore)
            try:
                return fn(*args, **kwargs)
            finally:
                var.reset(token)

    call.__name__ = getattr(fn, "__name__", "op")
    return call


def _ignore_state() -> tuple[Any, Any] | None:
    try:
        var = importlib.import_module("numpy._core._ufunc_config")._extobj_contextvar
    except (ImportError, AttributeError):
        return None
    with np.errstate(all="ignore"):
        return var, var.get()


_IGNORE = _ignore_state()


class float_errors_ignored:  # noqa: N801 - used like a function: `with float_errors_ignored():`
    """numpy's floating-point warnings off for a whole block (the engine's backward), at
    the cost of one call of ``_quiet``'s kind (a class, not a generator: it runs once per
    backward, and a generator-based context manager costs several times more)."""

    def __enter__(self) -> None:
        if _IGNORE is None:
            self._state: Any = np.errstate(all="ignore")
            self._state.__enter__()
        else:
            self._state = _IGNORE[0].set(_IGNORE[1])

    def __exit__(self, *exc: object) -> None:
        if _IGNORE is None:
            self._state.__exit__(*exc)
        else:
            _IGNORE[0].reset(self._state)
