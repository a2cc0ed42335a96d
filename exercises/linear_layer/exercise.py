"""A ``Linear`` layer's forward and backward by hand, written with numpy.

PyTorch's layout: x has shape (N, in), weight (out, in), bias (out,), and
y = x Wᵀ + b of shape (N, out). Given G = ∂L/∂y:
∂L/∂x = G W, ∂L/∂W = Gᵀ x, ∂L/∂b = Σₙ Gₙ (the bias was broadcast over the batch, so
its gradient is summed over it). Lessons W09, W17, W20, W22.
"""

from __future__ import annotations

import numpy as np


def linear_forward(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """y = x @ weight.T + bias."""
    # BEGIN SOLUTION
    return x @ weight.T + bias
    # END SOLUTION


def linear_backward(
    x: np.ndarray, weight: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂x, ∂L/∂weight, ∂L/∂bias) given grad_out = ∂L/∂y."""
    # BEGIN SOLUTION
    return grad_out @ weight, grad_out.T @ x, grad_out.sum(axis=0)
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_X = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 2.0], [3.0, 0.5, -1.0], [1.0, 1.0, 1.0]])
_W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
_B = np.array([0.1, -0.2])
_G = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0], [-1.5, 0.5]])
_BACKWARD_MISTAKES = [
    Diagnosis("∂L/∂bias is not summed over the batch (the bias was broadcast over N rows)",
              lambda x, w, g: (g @ w, g.T @ x, g)),
    Diagnosis("∂L/∂bias is averaged over the batch; the forward adds b to every row, so sum",
              lambda x, w, g: (g @ w, g.T @ x, g.mean(axis=0))),
    Diagnosis("∂L/∂weight is transposed: weight has shape (out, in), so Gᵀ x",
              lambda x, w, g: (g @ w, x.T @ g, g.sum(axis=0))),
]


@st.composite
def _backward_case(draw):
    n, i, o = (draw(st.integers(1, 5)) for _ in range(3))
    return draw(gst.arrays((n, i))), draw(gst.arrays((o, i))), draw(gst.arrays((n, o)))


@st.composite
def _forward_case(draw):
    x, w, g = draw(_backward_case())
    return x, w, draw(gst.arrays((w.shape[0],)))


EXERCISE = Exercise(
    "linear_layer",
    "A Linear layer forward and backward by hand",
    lesson="W09, W17, W20, W22",
    order=80,
    forbidden_imports=("torch", "tinygrad_edu.nn"),
    checks=[
        Example("linear_forward on a batch of 4", function="linear_forward", args=(_X, _W, _B),
                diagnoses=[Diagnosis("the bias is missing", lambda x, w, b: x @ w.T)],
                hint="weight has shape (out, in): y = x @ weight.T + bias."),
        Example("linear_backward on a batch of 4", function="linear_backward", args=(_X, _W, _G),
                outputs=("grad_x", "grad_weight", "grad_bias"), points=3,
                diagnoses=_BACKWARD_MISTAKES),
        GradCheck("linear_backward agrees with finite differences of linear_forward",
                  mode="vjp", forward="linear_forward", backward="linear_backward",
                  backward_args=lambda args, u: (args[0], args[1], u),
                  args=(_X[:2], _W, _B), wrt=(0, 1, 2), points=2),
        Property("linear_forward matches the reference", function="linear_forward",
                 strategy=_forward_case(), hidden=True),
        Property("linear_backward matches the reference", function="linear_backward",
                 strategy=_backward_case(), outputs=("grad_x", "grad_weight", "grad_bias"),
                 hidden=True, points=3, diagnoses=_BACKWARD_MISTAKES),
        Example("a batch of one", function="linear_backward",
                args=(_X[:1], _W, _G[:1]), outputs=("grad_x", "grad_weight", "grad_bias"),
                hidden=True, diagnoses=_BACKWARD_MISTAKES),
    ],
)
# END GRADER
