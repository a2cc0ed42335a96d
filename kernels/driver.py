"""Is the NVIDIA driver new enough for the code our compilers make? Say so plainly if not.

Why this exists
---------------
numba-cuda compiles our kernels with the NVVM of the CUDA toolkit wheels it was installed
with (CUDA 13.5 here: PTX ISA 9.5), and CuPy compiles its kernels with its own NVRTC. A
driver older than those toolkits cannot load the result, and the error comes late and
cryptic: ``CUDA_ERROR_UNSUPPORTED_PTX_VERSION`` at the first kernel launch, deep inside a
training step. :func:`check_driver` asks the driver for its CUDA version up front and
raises a ``RuntimeError`` that names the driver needed and the way out.

What is needed
--------------
CUDA's *minor version compatibility*: a driver for CUDA 13.x loads machine code (cubin)
made by any CUDA 13.y toolkit. numba-cuda turns PTX into a cubin on the host with
nvJitLink when it is installed (as with ``numba-cuda[cu13]``), and CuPy compiles to cubin
with NVRTC, so a driver of the same *major* version is enough for both. Without nvJitLink,
numba-cuda hands the PTX to the driver to compile, which then needs a driver at least as
new as the NVVM that wrote the PTX (major and minor).

Versions are CUDA's integers: 13050 is CUDA 13.5, 12040 is CUDA 12.4.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence

# The oldest Linux driver branch for each CUDA major version (NVIDIA's release notes).
MIN_LINUX_DRIVER = {11: "450.80.02", 12: "525.60.13", 13: "580.65.06"}


def version_string(version: int) -> str:
    """13050 -> "13.5"."""
    return f"{version // 1000}.{version % 1000 // 10}"


def driver_version() -> int | None:
    """The CUDA version the installed driver supports (``cuDriverGetVersion``), or None
    when there is no driver library. Needs no GPU to be free, only the driver."""
    try:
        from cuda.bindings import driver

        err, version = driver.cuDriverGetVersion()
        if int(err) == 0:
            return int(version)
    except Exception:  # no cuda-bindings, or libcuda cannot be loaded
        pass
    for name in ("libcuda.so.1", "libcuda.so", "nvcuda.dll"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        out = ctypes.c_int(0)
        if lib.cuDriverGetVersion(ctypes.byref(out)) == 0:
            return int(out.value)
    return None


def _numba_cuda_requirement() -> tuple[int, str] | None:
    """What numba-cuda's compiled kernels need, or None if numba-cuda is not installed."""
    try:
        import numba_cuda  # noqa: F401
    except ImportError:
        return None
    try:
        from cuda.bindings import nvjitlink

        major, minor = nvjitlink.version()
        return major * 1000, (f"numba-cuda links kernels with nvJitLink from CUDA "
                              f"{major}.{minor} (cubin for a CUDA {major}.x driver)")
    except Exception:  # no nvJitLink: the driver itself compiles NVVM's PTX
        pass
    try:
        from cuda.bindings import nvrtc

        _, major, minor = nvrtc.nvrtcVersion()  # the same toolkit wheels as NVVM
        return major * 1000 + minor * 10, (
            f"numba-cuda's NVVM from CUDA {major}.{minor} writes PTX that the driver must "
            f"compile (no nvJitLink installed)")
    except Exception:
        return None


def _cupy_requirement() -> tuple[int, str] | None:
    """What CuPy's kernels need, or None if CuPy is not installed."""
    try:
        import cupy
    except ImportError:
        return None
    try:
        version = int(cupy.cuda.runtime.runtimeGetVersion())
    except Exception:
        return None
    major = version // 1000
    return major * 1000, f"CuPy {cupy.__version__} is built for CUDA {version_string(version)}"


REQUIREMENTS: tuple[Callable[[], tuple[int, str] | None], ...] = (
    _numba_cuda_requirement,
    _cupy_requirement,
)


def required_driver_version() -> tuple[int, list[str]]:
    """``(oldest CUDA version the driver must support, the reasons)`` for what is installed."""
    found = [r for r in (requirement() for requirement in REQUIREMENTS) if r is not None]
    if not found:
        return 0, []
    return max(v for v, _ in found), [why for _, why in found]


def check_driver() -> None:
    """Raise ``RuntimeError`` unless this machine's NVIDIA driver can run the code that the
    installed numba-cuda and CuPy make. Call it once, when the CUDA backend is created."""
    need, reasons = required_driver_version()
    check_driver_version(driver_version(), need, reasons)


def check_driver_version(have: int | None, need: int, reasons: Sequence[str] = ()) -> None:
    """The rule of :func:`check_driver` for given versions: ``have`` is the driver's CUDA
    version (None: no driver), ``need`` the oldest that works (0: anything)."""
    need_text = f"CUDA {version_string(need)} or newer" if need else "CUDA"
    linux = MIN_LINUX_DRIVER.get(need // 1000)
    branch = f" (on Linux: driver {linux} or newer)" if linux and need % 1000 == 0 else ""
    because = f", because {'; '.join(reasons)}" if reasons else ""
    if have is None:
        raise RuntimeError(
            f"No NVIDIA driver found (libcuda could not be loaded). The CUDA backend needs an "
            f"NVIDIA GPU with a driver for {need_text}{branch}{because}.")
    if have < need:
        major = have // 1000
        older = (f'install the CUDA {major} builds instead: pip install "numba-cuda[cu{major}]" '
                 f"cupy-cuda{major}x" if major in (11, 12) else "")
        raise RuntimeError(
            f"The NVIDIA driver supports CUDA {version_string(have)}, but our GPU kernels need "
            f"a driver for {need_text}{branch}{because}. Kernels would fail at their first "
            f"launch with an unsupported-PTX or unsupported-toolchain error. Update the NVIDIA "
            f"driver (`nvidia-smi` shows the CUDA version it supports)"
            + (f", or {older}." if older else "."))
