"""The CUDA backend: CuPy arrays on one NVIDIA GPU, with our own kernels behind a switch.

``CUDABackend`` is the numpy backend's twin over CuPy (``xp = cupy``). The op
vocabulary (``unary``/``binary``/``reduce`` names, see :mod:`.base`) maps to our kernels
in ``kernels/`` where they serve the op — matmul, the elementwise ops, sum/max, Adam —
picking the kernel from a module-level switch, so the same training script can run on
cuBLAS or on a kernel a student just wrote.

Choosing kernels
----------------
::

    from tinygrad_edu.backend import cuda

    cuda.use_kernels(matmul="numba-register")        # from now on
    with cuda.use_kernels(matmul="cupy-raw", elementwise="cupy-elementwise"):
        ...                                           # only inside the block
    cuda.current_kernels()   # {'matmul': 'cublas', 'elementwise': 'cupy', ...}

=============  =========================================================================
switch         choices (the first is the default)
=============  =========================================================================
matmul         ``cublas`` (``cupy.matmul``), ``numba-naive``, ``numba-tiled``,
               ``numba-register``, ``cupy-raw`` (our CUDA C++ SGEMM)
elementwise    ``cupy`` (CuPy's ufuncs), ``cupy-elementwise`` (our ElementwiseKernels),
               ``numba`` (our Numba map/zip kernels)
reduce         ``cupy``, ``numba`` (shared-memory tree; ``sum`` and ``max``)
adam           ``cupy`` (``Backend.adam_step``, array ops), ``cupy-fused`` (one kernel)
=============  =========================================================================

Environment variables ``TINYGRAD_EDU_MATMUL``, ``TINYGRAD_EDU_ELEMENTWISE``,
``TINYGRAD_EDU_REDUCE`` and ``TINYGRAD_EDU_ADAM`` set the switch when the CUDA backend is
created (the first time a CUDA tensor is made), e.g. ``TINYGRAD_EDU_MATMUL=numba-tiled``.

Fallbacks: our kernels are float32 only. Other dtypes, Python scalars, 1-D matmul
operands, batch shapes that do not flatten to one batch dimension, and reductions over
several axes silently use CuPy instead, whatever the switch says.

The kernels live in the repository's top-level ``kernels/`` package (CUDA code is kept
out of the library on purpose) and are imported the first time they are chosen.
"""

from __future__ import annotations

import importlib
import math
import os
from importlib import metadata
from types import ModuleType
from typing import Any

import numpy as np

from .base import Array, ArrayModuleBackend, Axis, Shape

KERNEL_CHOICES: dict[str, tuple[str, ...]] = {
    "matmul": ("cublas", "numba-naive", "numba-tiled", "numba-register", "cupy-raw"),
    "elementwise": ("cupy", "cupy-elementwise", "numba"),
    "reduce": ("cupy", "numba"),
    "adam": ("cupy", "cupy-fused"),
}
_current: dict[str, str] = {kind: choices[0] for kind, choices in KERNEL_CHOICES.items()}

INSTALL_HINT = (
    'install the GPU extra: pip install "tinygrad-edu[gpu]" — CuPy for the arrays and '
    "numba-cuda for our Numba kernels. It needs an NVIDIA GPU with a CUDA 12 or 13 driver, "
    "and numpy<2.5 (numba-cuda 0.30 cannot compile kernels with numpy 2.5; the extra pins it)"
)


def current_kernels() -> dict[str, str]:
    """A copy of the switch: which kernel serves matmul, elementwise, reduce and adam."""
    return dict(_current)


class _KernelChoice:
    """What :func:`use_kernels` returns: the change is already made; ``with`` undoes it."""

    def __init__(self, previous: dict[str, str]) -> None:
        self._previous = previous

    def __enter__(self) -> dict[str, str]:
        return current_kernels()

    def __exit__(self, *exc: object) -> None:
        _current.clear()
        _current.update(self._previous)

    def __repr__(self) -> str:
        return f"use_kernels({current_kernels()})"


def use_kernels(
    *, matmul: str | None = None, elementwise: str | None = None,
    reduce: str | None = None, adam: str | None = None,
) -> _KernelChoice:
    """Choose which kernels the CUDA backend runs; ``None`` leaves a switch as it is.

    Takes effect at once. Used as a context manager, the previous choice comes back at
    the end of the ``with`` block. Raises ``ValueError`` for an unknown choice.
    """
    requested = {"matmul": matmul, "elementwise": elementwise, "reduce": reduce, "adam": adam}
    for kind, choice in requested.items():
        if choice is not None and choice not in KERNEL_CHOICES[kind]:
            raise ValueError(
                f"use_kernels: unknown {kind} kernel {choice!r}; "
                f"expected one of {', '.join(KERNEL_CHOICES[kind])}"
            )
    previous = current_kernels()
    _current.update({k: v for k, v in requested.items() if v is not None})
    return _KernelChoice(previous)


def kernels_from_env(environ: Any = None) -> dict[str, str]:
    """Apply ``TINYGRAD_EDU_MATMUL`` (and ``_ELEMENTWISE``, ``_REDUCE``, ``_ADAM``)."""
    environ = os.environ if environ is None else environ
    chosen: dict[str, str] = {}
    for kind in KERNEL_CHOICES:
        var = f"TINYGRAD_EDU_{kind.upper()}"
        value = environ.get(var, "").strip().lower()
        if not value:
            continue
        if value not in KERNEL_CHOICES[kind]:
            raise ValueError(
                f"{var}={value!r} is not a {kind} kernel; "
                f"expected one of {', '.join(KERNEL_CHOICES[kind])}"
            )
        chosen[kind] = value
    use_kernels(**chosen)
    return chosen


def _import_cupy() -> ModuleType:
    """CuPy, with a GPU behind it — or a RuntimeError that says what to do."""
    try:
        import cupy
    except Exception as e:  # ImportError, or a CUDA library that fails to load
        raise RuntimeError(
            f"the 'cuda' device needs CuPy, which could not be imported ({e}); {INSTALL_HINT}"
        ) from e
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, or a driver too old for this CuPy
        raise RuntimeError(
            f"the 'cuda' device found CuPy but no usable NVIDIA GPU ({e}); {INSTALL_HINT}"
        ) from e
    if count == 0:
        raise RuntimeError(f"the 'cuda' device found CuPy but no NVIDIA GPU; {INSTALL_HINT}")
    return cupy


def _kernel_module(name: str) -> ModuleType:
    """Import ``kernels.<name>`` (e.g. ``numba_cuda.matmul_tiled``) with helpful errors."""
    if name.startswith("numba_cuda."):
        try:
            numba_cuda_version = metadata.version("numba-cuda")
        except metadata.PackageNotFoundError:
            raise RuntimeError(
                f"the Numba kernels need numba-cuda, which is not installed; {INSTALL_HINT}"
            ) from None
        major_minor = tuple(int(p) for p in numba_cuda_version.split(".")[:2] if p.isdigit())
        if np.lib.NumpyVersion(np.__version__) >= "2.5.0" and major_minor <= (0, 30):
            raise RuntimeError(
                f"numba-cuda {numba_cuda_version} cannot compile kernels with numpy "
                f"{np.__version__} (np.row_stack was removed in 2.5): pip install 'numpy<2.5'"
            )
    try:
        # installed: tinygrad_edu.kernels (the wheel maps kernels/ there); a checkout on
        # sys.path without an install: the top-level kernels/ folder itself
        try:
            return importlib.import_module(f"tinygrad_edu.kernels.{name}")
        except ModuleNotFoundError as missing:
            if missing.name not in ("tinygrad_edu.kernels", f"tinygrad_edu.kernels.{name}"):
                raise
            return importlib.import_module(f"kernels.{name}")
    except ImportError as e:
        raise RuntimeError(
            f"could not import our kernel module kernels.{name} ({e}). The kernels live in "
            "the top-level kernels/ folder of the tinygrad-edu repository: run from a "
            f"checkout (or put it on sys.path); {INSTALL_HINT}"
        ) from e


_MATMUL_MODULES = {
    "numba-naive": ("numba_cuda.matmul_naive", "matmul_naive"),
    "numba-tiled": ("numba_cuda.matmul_tiled", "matmul_tiled"),
    "numba-register": ("numba_cuda.matmul_register", "matmul_register"),
    "cupy-raw": ("cupy.matmul_raw", "matmul_raw"),
}


def matmul_kernel(choice: str) -> Any:
    """The launcher function behind a matmul choice (not for ``cublas``)."""
    module, function = _MATMUL_MODULES[choice]
    return getattr(_kernel_module(module), function)


def _flatten_batch(a: Array, b: Array) -> tuple[Array, Array, Shape] | None:
    """View ``a @ b`` as at most one batch dimension, or None if that needs a copy.

    Our kernels take (M, K) or (B, M, K) operands. Operands with more leading dimensions
    are flattened when those dimensions are identical, or when the other operand is 2-D.
    """
    if a.ndim < 2 or b.ndim < 2:
        return None
    lead_a, lead_b = tuple(a.shape[:-2]), tuple(b.shape[:-2])
    if a.ndim <= 3 and b.ndim <= 3:
        return a, b, ()  # the kernels broadcast a batch of one themselves
    if lead_a == lead_b or not lead_b or not lead_a:
        lead = lead_a or lead_b
        batch = math.prod(lead)
        a3 = a.reshape((batch,) + tuple(a.shape[-2:])) if lead_a else a
        b3 = b.reshape((batch,) + tuple(b.shape[-2:])) if lead_b else b
        return a3, b3, lead + (a.shape[-2], b.shape[-1])
    return None


#: which ops each kernel family serves (everything else runs on CuPy)
_KERNEL_UNARY = frozenset({"neg", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu"})
_KERNEL_BINARY = frozenset({"add", "sub", "mul", "div", "pow", "maximum", "minimum"})
_KERNEL_REDUCE = frozenset({"sum", "max"})
#: elementwise choice → (module, its unary launcher, its binary launcher)
_ELEMENTWISE = {"numba": ("numba_cuda.elementwise", "map_op", "zip_op"),
                "cupy-elementwise": ("cupy.elementwise", "unary", "binary")}


class CUDABackend(ArrayModuleBackend):
    """CuPy arrays on the current GPU; the op vocabulary maps to our kernels where the
    switch (see :func:`use_kernels`) chooses them and the operands are float32 arrays,
    and to CuPy's functions otherwise."""

    name = "cuda"

    def __init__(self) -> None:
        self.xp = _import_cupy()
        # a driver older than our kernels' PTX fails at the first launch with an opaque
        # "unsupported PTX version": say which driver is needed instead, up front
        _kernel_module("driver").check_driver()
        super().__init__()
        import cupyx

        self._cupyx = cupyx
        self._unary["erf"] = self._erf  # cupy itself has no erf
        kernels_from_env()

    def _erf(self, a: Array) -> Array:
        from cupyx.scipy.special import erf  # imported on first use: it compiles kernels

        return erf(a)

    # --- transfer --------------------------------------------------------------------
    def to_numpy(self, a: Array) -> np.ndarray:
        return self.xp.asnumpy(a)

    def scatter_add(self, shape: Shape, dtype: Any, index: Any, values: Array) -> Array:
        out = self.xp.zeros(shape, dtype=dtype)
        self._cupyx.scatter_add(out, index, values)
        return out

    def _all_float32(self, *arrays: Any) -> bool:
        return all(isinstance(x, self.xp.ndarray) and x.dtype == np.float32 for x in arrays)

    # --- the op vocabulary, mapped to the chosen kernels ------------------------------
    def unary(self, op: str, a: Array) -> Array:
        choice = _current["elementwise"]
        if choice != "cupy" and op in _KERNEL_UNARY and self._all_float32(a):
            module, launch, _ = _ELEMENTWISE[choice]
            return getattr(_kernel_module(module), launch)(op, a)
        return self._unary[op](a)

    def binary(self, op: str, a: Array, b: Array) -> Array:
        choice = _current["elementwise"]
        if choice != "cupy" and op in _KERNEL_BINARY and self._all_float32(a, b):
            module, _, launch = _ELEMENTWISE[choice]
            return getattr(_kernel_module(module), launch)(op, a, b)
        return self._binary[op](a, b)

    def reduce(self, op: str, a: Array, axis: Axis = None, keepdims: bool = False) -> Array:
        one_axis = axis is None or isinstance(axis, (int, np.integer)) or len(axis) == 1
        if (_current["reduce"] == "numba" and op in _KERNEL_REDUCE and one_axis
                and self._all_float32(a)):
            ax = axis[0] if isinstance(axis, tuple) else axis
            return _kernel_module("numba_cuda.reduce").reduce(
                op, a, None if ax is None else int(ax), keepdims)
        return self._reduce[op](a, axis=axis, keepdims=keepdims)

    def bias_relu(self, x: Array, b: Array) -> Array:
        """``relu(x + b)``: one fused kernel unless the elementwise switch is ``cupy``
        (a fused extension point a layer may call)."""
        if _current["elementwise"] != "cupy" and self._all_float32(x, b):
            return _kernel_module("cupy.fused").bias_relu(x, b)
        return self.unary("relu", self.binary("add", x, b))

    # --- linear algebra ------------------------------------------------------------------
    def matmul(self, a: Array, b: Array) -> Array:
        """``a @ b`` on the kernel chosen by ``use_kernels(matmul=...)``; CuPy (cuBLAS) for
        non-float32 operands, 1-D operands and batch shapes that would need a copy."""
        choice = _current["matmul"]
        if choice == "cublas" or not self._all_float32(a, b):
            return self.xp.matmul(a, b)
        flat = _flatten_batch(a, b)
        if flat is None:
            return self.xp.matmul(a, b)
        a3, b3, out_shape = flat
        out = matmul_kernel(choice)(a3, b3)
        return out.reshape(out_shape) if out_shape else out

    # --- fused extension point -----------------------------------------------------------
    def adam_step(
        self, p: Array, g: Array, m: Array, v: Array, *, lr: float, beta1: float,
        beta2: float, eps: float, bias_correction1: float, bias_correction2: float,
    ) -> None:
        """In place, as :meth:`Backend.adam_step`; one fused kernel with ``adam="cupy-fused"``
        when all four arrays are float32."""
        kw = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                  bias_correction1=bias_correction1, bias_correction2=bias_correction2)
        if _current["adam"] == "cupy-fused" and self._all_float32(p, g, m, v):
            _kernel_module("cupy.fused").adam_step(p, g, m, v, **kw)
        else:
            super().adam_step(p, g, m, v, **kw)


__all__ = [
    "CUDABackend", "KERNEL_CHOICES", "current_kernels", "kernels_from_env", "matmul_kernel",
    "use_kernels",
]
