"""Shared setup for the GPU-layer tests.

Three kinds of test live here, each skipping itself with a reason where it cannot run:

* ``test_kernels_sim.py`` (marker ``cudasim``): our Numba kernels under the CUDA
  simulator; only in a process started with ``NUMBA_ENABLE_CUDASIM=1``.
* ``test_ptx_compile.py`` and ``test_cupy_sources_host.py``: compile-only checks (Numba
  → PTX → ptxas, CUDA C++ → NVRTC) and a host-C++ run of our CUDA C++ kernel; they
  need the CUDA compiler wheels or a host C++20 compiler, never a GPU.
* ``test_sass.py``: the matmul kernels' machine code for sm_90 (registers, blocks per SM,
  spills, K-loop FFMA share), read with ``nvdisasm``/``cuobjdump``; no GPU.
* ``test_launch_plans.py`` and ``test_driver_check.py``: grid plans for huge shapes and the
  driver-version check, in plain Python.
* ``test_cuda_backend.py`` (marker ``gpu``): CuPy on a real NVIDIA GPU.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

# Our kernels live in the top-level `kernels/` package of the repository, next to
# `tinygrad_edu/`; make it (and the helper `cuda_harness.py` beside this file)
# importable however pytest was started.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for path in (ROOT, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)
