"""Our own GPU kernels, one idea per file; see ``kernels/README.md`` for a reading order.

``kernels.numba_cuda`` holds Numba-CUDA kernels (they also run under the Numba CUDA
simulator, ``NUMBA_ENABLE_CUDASIM=1``), ``kernels.cupy`` holds CuPy ``ElementwiseKernel``s
and a CUDA C++ ``RawModule``. Nothing is imported here: importing ``kernels`` never
touches a GPU library. ``tinygrad_edu.backend.cuda`` chooses which kernel runs.
"""
