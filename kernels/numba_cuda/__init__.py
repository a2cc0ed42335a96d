"""Our Numba-CUDA kernels, one idea per file (read them in this order):

``elementwise.py`` → ``reduce.py`` → ``matmul_naive.py`` → ``matmul_tiled.py`` →
``matmul_register.py``. Each file has a small host launcher that takes device arrays
(CuPy arrays or Numba device arrays) and returns one of the same kind.

Importing this package imports nothing heavy; import the file you need.
"""
