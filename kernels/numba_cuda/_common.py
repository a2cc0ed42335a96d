"""Host-side helpers shared by the Numba launchers (no kernels live here).

Every launcher in this folder takes *device* arrays and returns a device array of the
same family:

* a CuPy array in gives a CuPy array out. Numba sees the CuPy memory through the CUDA
  array interface (``__cuda_array_interface__``): :func:`as_numba` makes a Numba view of
  the same GPU buffer — no copy — and :func:`launch_stream` launches on CuPy's current
  stream, so the kernel is ordered after whatever CuPy queued before it.
* a Numba device array in (``numba.cuda.to_device``, or a simulator array under
  ``NUMBA_ENABLE_CUDASIM=1``) gives a Numba device array out.

Why ``sync=False`` in :func:`as_numba`: by default Numba *synchronises the host* with the
exporting stream every time it imports a foreign array, which would turn every launch
into a blocking call. Launching on the same stream gives the same ordering for free.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import cuda

from ..launch import cdiv, grid_plan  # noqa: F401  (re-exported for the launchers)

DeviceArray = Any  # a cupy.ndarray or a numba DeviceNDArray


def is_cupy(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "cupy"


def as_numba(x: DeviceArray) -> DeviceArray:
    """A Numba view of ``x`` (zero copy); Numba and simulator arrays pass through."""
    if is_cupy(x):
        return cuda.as_cuda_array(x, sync=False)
    return x


def launch_stream(x: DeviceArray) -> Any:
    """The stream to launch on: CuPy's current stream for CuPy arrays, else the default."""
    if is_cupy(x):
        import cupy

        ptr = cupy.cuda.get_current_stream().ptr
        return cuda.external_stream(ptr) if ptr else 0
    return 0


def empty(like: DeviceArray, shape: tuple[int, ...], dtype: Any = np.float32) -> DeviceArray:
    """An uninitialised device array of the same family (CuPy or Numba) as ``like``."""
    if is_cupy(like):
        import cupy

        return cupy.empty(shape, dtype=dtype)
    return cuda.device_array(shape, dtype=dtype)


def contiguous(x: DeviceArray, op: str) -> DeviceArray:
    """``x`` in C order. CuPy views are copied; a strided Numba array is an error."""
    if x.flags["C_CONTIGUOUS"]:
        return x
    if is_cupy(x):
        import cupy

        return cupy.ascontiguousarray(x)
    raise ValueError(f"{op}: Numba device arrays must be C-contiguous (got strides {x.strides})")


def check_float32(op: str, *arrays: DeviceArray) -> None:
    """Our Numba kernels are float32 only: every literal and accumulator is float32."""
    for a in arrays:
        if np.dtype(a.dtype) != np.float32:
            raise TypeError(f"{op}: our kernels take float32 arrays, got {np.dtype(a.dtype)}")


def prepare_matmul(
    op: str, a: DeviceArray, b: DeviceArray
) -> tuple[DeviceArray, DeviceArray, DeviceArray, DeviceArray]:
    """Validate ``a @ b`` and view everything as 3-D stacks for the matmul kernels.

    ``a`` is (M, K) or (Ba, M, K), ``b`` is (K, N) or (Bb, K, N), and a batch of one
    broadcasts against the other (numpy's rule for these ranks). Returns
    ``(a3, b3, c3, c)``: Numba views of shapes (Ba, M, K), (Bb, K, N), (B, M, N), and the
    result ``c`` as the caller sees it — (M, N) when both inputs are 2-D.
    """
    sa, sb = tuple(a.shape), tuple(b.shape)  # plain tuples (the simulator's shapes are not)
    if len(sa) not in (2, 3) or len(sb) not in (2, 3):
        raise ValueError(f"{op}: expected 2-D or 3-D operands, got shapes {sa} and {sb}")
    check_float32(op, a, b)
    M, K = sa[-2:]
    K2, N = sb[-2:]
    if K != K2:
        raise ValueError(f"{op}: shapes {sa} and {sb} do not align ({K} != {K2})")
    ba = sa[0] if len(sa) == 3 else 1
    bb = sb[0] if len(sb) == 3 else 1
    if ba != bb and 1 not in (ba, bb):
        raise ValueError(f"{op}: batch sizes {ba} and {bb} do not broadcast")
    batch = max(ba, bb)
    out_shape = (M, N) if len(sa) == len(sb) == 2 else (batch, M, N)
    a = contiguous(a, op)
    b = contiguous(b, op)
    c = empty(a, out_shape, np.float32)
    a3 = as_numba(a.reshape(ba, M, K))
    b3 = as_numba(b.reshape(bb, K, N))
    c3 = as_numba(c.reshape(batch, M, N))
    return a3, b3, c3, c
