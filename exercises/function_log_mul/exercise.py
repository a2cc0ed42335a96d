"""Your own differentiable operations: ``Log`` and ``Mul`` as ``Function`` subclasses.

A ``Function`` has a ``forward`` on numpy arrays and a ``backward`` on Tensors::

    class Exp(Function):
        @staticmethod
        def forward(ctx, a):             # a: numpy array
            ctx.save_for_backward(a)
            return np.exp(a)

        @staticmethod
        def backward(ctx, grad):         # grad: Tensor, ∂L/∂output
            (a,) = ctx.saved_tensors     # the saved values, as Tensors
            return grad * a.exp()        # ∂L/∂a, built from Tensor operations

``Exp.apply(t)`` runs it on a Tensor. Build gradients from Tensor operations (not from
``.data``) so that the gradient is itself differentiable: second derivatives work.
Lessons W20 (backprop by hand) and the engine's ``autograd.py``.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu import Function, Tensor


class Log(Function):
    """y = log x (natural log);   dy/dx = 1/x."""

    @staticmethod
    def forward(ctx, x: np.ndarray) -> np.ndarray:
        # BEGIN SOLUTION
        ctx.save_for_backward(x)
        return np.log(x)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        # BEGIN SOLUTION
        (x,) = ctx.saved_tensors
        return grad / x
        # END SOLUTION


class Mul(Function):
    """z = x · y (same shapes);   ∂z/∂x = y,  ∂z/∂y = x."""

    @staticmethod
    def forward(ctx, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # BEGIN SOLUTION
        ctx.save_for_backward(x, y)
        return x * y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, Tensor]:
        # BEGIN SOLUTION
        x, y = ctx.saved_tensors
        return grad * y, grad * x
        # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_X = np.array([[0.5, 1.0, 2.0], [3.0, 0.25, 4.0]])
_Y = np.array([[-1.0, 2.0, 0.5], [1.5, -0.5, 3.0]])
_U = np.array([[1.0, -2.0, 0.5], [2.0, 1.0, -1.0]])


def _log_vjp(x, u):
    return {"out": np.log(x), "grads": (u / x,)}


_LOG_MISTAKES = [
    Diagnosis("backward multiplies by x; d(log x)/dx = 1/x, so divide",
              lambda x: {"out": np.log(x), "grads": (_U * x,)}),
    Diagnosis("the upstream gradient is ignored: multiply 1/x by grad",
              lambda x: {"out": np.log(x), "grads": (1.0 / x,)}),
    Diagnosis("the sign is flipped: d(log x)/dx = +1/x",
              lambda x: {"out": np.log(x), "grads": (-_U / x,)}),
]
_MUL_MISTAKES = [
    Diagnosis("the two gradients are swapped: ∂(xy)/∂x = y, ∂(xy)/∂y = x",
              lambda x, y: {"out": x * y, "grads": (_U * x, _U * y)}),
    Diagnosis("the upstream gradient is ignored",
              lambda x, y: {"out": x * y, "grads": (y, x)}),
]

EXERCISE = Exercise(
    "function_log_mul",
    "A Function with forward and backward: Log and Mul",
    lesson="W20",
    order=60,
    forbidden_imports=("torch",),
    checks=[
        Example("Log.apply forward", function="Log", driver="function", args=(_X,)),
        Example("Log backward with an upstream gradient", function="Log", driver="function",
                args=(_X,), options={"upstream": _U}, points=2, diagnoses=_LOG_MISTAKES,
                hint="backward returns grad * d(log x)/dx = grad / x, as a Tensor."),
        GradCheck("Log passes a gradient check", mode="function", function="Log",
                  args=(np.array([0.7, 1.3, 2.9]),), points=2),
        Example("Mul.apply forward", function="Mul", driver="function", args=(_X, _Y)),
        Example("Mul backward with an upstream gradient", function="Mul", driver="function",
                args=(_X, _Y), options={"upstream": _U}, points=2, diagnoses=_MUL_MISTAKES,
                hint="backward returns one gradient per input, in the order of "
                     "forward's arguments."),
        GradCheck("Mul passes a gradient check", mode="function", function="Mul",
                  args=(np.array([0.5, -1.5]), np.array([2.0, 0.25])), wrt=(0, 1), points=2),
        Property("Log matches the reference on random positive arrays", function="Log",
                 driver="function", options={"upstream": "ones"},
                 strategy=gst.arrays(gst.shapes(1, 2), domain="positive"), hidden=True, points=2),
        Property("Mul matches the reference on random arrays", function="Mul",
                 driver="function", options={"upstream": "ones"},
                 strategy=gst.same_shape(2, max_dims=2), hidden=True, points=2),
        Example("Log's gradient is differentiable (second derivative −1/x²)", function="Log",
                driver="function", args=(np.array([0.5, 2.0]),),
                options={"upstream": "ones", "second_order": True}, hidden=True, points=2,
                hint="Return grad / x built from Tensors (ctx.saved_tensors), not from .data."),
    ],
)
# END GRADER
