"""Elementwise kernels in numba-CUDA: one thread per element.

A CUDA kernel runs the same function on many threads. Each thread finds its element
with ``i = cuda.grid(1)`` (= blockIdx.x · blockDim.x + threadIdx.x) and must do
nothing when ``i`` is past the end: the grid is rounded up to whole blocks, so some
threads have no element. Kernels write into an output array; they return nothing.

The grader runs your kernels in numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, set
for you), launched with 32 threads per block and one block more than needed, so a
missing bounds check shows up as an index error. To try them yourself without a GPU:
``NUMBA_ENABLE_CUDASIM=1 python -c "..."``. Lessons: the GPU backend (kernels/numba_cuda).
"""

from __future__ import annotations

from numba import cuda


@cuda.jit
def saxpy_kernel(out, a, x, y):
    """out[i] = a · x[i] + y[i] for every i < out.size."""
    # BEGIN SOLUTION
    i = cuda.grid(1)
    if i < out.size:
        out[i] = a * x[i] + y[i]
    # END SOLUTION


@cuda.jit
def relu_backward_kernel(out, x, grad):
    """out[i] = grad[i] where x[i] > 0, else 0 (the backward of ReLU)."""
    # BEGIN SOLUTION
    i = cuda.grid(1)
    if i < out.size:
        out[i] = grad[i] if x[i] > 0 else 0.0
    # END SOLUTION


# BEGIN GRADER
import numpy as np  # noqa: E402

from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _saxpy(a, x, y):
    return a * x + y


def _first_block_only(a, x, y):
    return np.where(np.arange(x.size) < 32, a * x + y, 0.0)


def _saxpy_check(name, n, seed, points=1.0, hidden=False, hint=""):
    rng = np.random.default_rng(seed)
    return Example(name, function="saxpy_kernel", driver="cuda_kernel",
                   args=(2.5, rng.standard_normal(n), rng.standard_normal(n)),
                   options={"out_shape": [n]}, oracle=_saxpy, points=points, hidden=hidden,
                   hint=hint,
                   diagnoses=[Diagnosis("only the first block's elements are written: index "
                                        "with cuda.grid(1), not cuda.threadIdx.x",
                                        _first_block_only)])


def _relu_backward(x, grad):
    return np.where(x > 0, grad, 0.0)


_GUARD = "Threads past the end must do nothing: `if i < out.size:`."

EXERCISE = Exercise(
    "cuda_saxpy",
    "Elementwise numba-CUDA kernels (run in the simulator)",
    lesson="GPU backend",
    order=150,
    env={"NUMBA_ENABLE_CUDASIM": "1"},
    preload=("numba.cuda",),
    requirements=("numba>=0.60", "numba-cuda>=0.20", "numpy<2.5"),
    timeout_s=30.0,
    forbidden_imports=("cupy", "torch"),
    checks=[
        _saxpy_check("saxpy on 10 elements", 10, 0, points=2, hint=_GUARD),
        _saxpy_check("saxpy on 40 elements (two blocks)", 40, 1, points=2,
                     hint="i = cuda.grid(1) counts across blocks."),
        Example("relu_backward on 12 elements", function="relu_backward_kernel",
                driver="cuda_kernel",
                args=(np.linspace(-1.5, 1.5, 12), np.arange(12.0)),
                options={"out_shape": [12]}, oracle=_relu_backward, points=2, hint=_GUARD),
        _saxpy_check("saxpy on 1 element", 1, 2, hidden=True, hint=_GUARD),
        _saxpy_check("saxpy on 97 elements", 97, 3, hidden=True),
        Property("relu_backward matches numpy on random vectors",
                 function="relu_backward_kernel", driver="cuda_kernel",
                 strategy=gst.same_shape(2, min_dims=1, max_dims=1),
                 options={"out_like": 0}, oracle=_relu_backward, hidden=True, points=2,
                 max_examples=15),
    ],
)
# END GRADER
