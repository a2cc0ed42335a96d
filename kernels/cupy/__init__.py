"""Our CuPy kernels: ``elementwise.py`` (``ElementwiseKernel``), ``fused.py`` (fused Adam,
bias + ReLU) and ``matmul_raw.py`` (a CUDA C++ SGEMM through ``RawModule``).

The modules import CuPy only when a kernel is first built, so their sources can be read
and compile-checked on machines without a GPU.
"""
