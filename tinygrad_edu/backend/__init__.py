"""Array backends behind one interface; see :mod:`tinygrad_edu.backend.base`.

``get_backend("cpu")`` is numpy. ``get_backend("cuda")`` imports CuPy and our kernels
lazily, the first time a CUDA tensor is made, so the CPU path never imports a GPU
library.
"""

from __future__ import annotations

from .base import Array, Backend
from .cpu import CPUBackend, float_errors_ignored

_BACKENDS: dict[str, Backend] = {"cpu": CPUBackend()}


def normalize_device(device: str | None) -> str:
    """'cpu', 'cuda', 'cuda:0' → 'cpu' or 'cuda' (one GPU is all this library drives)."""
    if device is None:
        return "cpu"
    name = str(device).lower()
    if name == "cpu":
        return "cpu"
    if name == "cuda" or name.startswith("cuda:") or name == "gpu":
        return "cuda"
    raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")


def get_backend(device: str | None = "cpu") -> Backend:
    known = _BACKENDS.get(device)  # type: ignore[arg-type]  # the hot path: "cpu"
    if known is not None:
        return known
    name = normalize_device(device)
    if name not in _BACKENDS:
        from .cuda import CUDABackend  # imported only when a CUDA tensor is asked for

        _BACKENDS[name] = CUDABackend()
    return _BACKENDS[name]


__all__ = ["Array", "Backend", "CPUBackend", "float_errors_ignored", "get_backend",
           "normalize_device"]
