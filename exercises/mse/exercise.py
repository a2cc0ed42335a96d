"""Mean squared error and its gradient, written with numpy.

L(ŷ, y) = (1/N) Σᵢ (ŷᵢ − yᵢ)² over all N elements (PyTorch's ``MSELoss``), and
∂L/∂ŷ = 2 (ŷ − y) / N. Lessons W05, W06 and W08.
"""

from __future__ import annotations

import numpy as np


def mse_loss(pred: np.ndarray, target: np.ndarray) -> float:
    """Mean of the squared differences over every element (a scalar)."""
    # BEGIN SOLUTION
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return np.mean(diff * diff)
    # END SOLUTION


def mse_grad(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """∂ mse_loss / ∂ pred: an array shaped like ``pred``."""
    # BEGIN SOLUTION
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return 2.0 * diff / diff.size
    # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

# Seed W06: y = [2, 3, 4, 5, 6], ŷ = [1.5, 2.8, 3.2, 4.7, 5.1]. The squared errors sum to
# 1.83, so the mean is 0.366 (with the seed's extra ½, 0.183; the seed's 0.24 is neither).
_Y = np.array([2.0, 3.0, 4.0, 5.0, 6.0])
_YHAT = np.array([1.5, 2.8, 3.2, 4.7, 5.1])
_P2 = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
_T2 = np.array([[1.0, -1.0, 0.0], [0.0, 0.5, -0.5]])

_GRAD_MISTAKES = [
    Diagnosis("the sign is flipped: the gradient is 2(ŷ − y)/N, not 2(y − ŷ)/N",
              lambda p, t: 2.0 * (t - p) / p.size),
    Diagnosis("the 1/N of the mean is missing", lambda p, t: 2.0 * (p - t)),
    Diagnosis("the factor 2 is missing (that is the gradient of ½·MSE)",
              lambda p, t: (p - t) / p.size),
    Diagnosis("divided by the number of rows only; the mean runs over every element",
              lambda p, t: 2.0 * (p - t) / p.shape[0]),
]

EXERCISE = Exercise(
    "mse",
    "Mean squared error and its gradient",
    lesson="W05, W06, W08",
    order=20,
    forbidden_imports=("torch", "sklearn", "tinygrad_edu.nn"),
    checks=[
        Example(
            "mse_loss on the seed's W06 data = 0.366",
            function="mse_loss",
            args=(_YHAT, _Y),
            expected=np.float64(1.83 / 5),
            hint="Average (ŷ − y)² over all elements; no ½.",
            diagnoses=[Diagnosis("you averaged ½(ŷ − y)² (the seed's variant)",
                                 lambda p, t: 0.5 * np.mean((p - t) ** 2))],
        ),
        Example("mse_loss on a 2-D batch", function="mse_loss", args=(_P2, _T2)),
        Example("mse_grad on the seed's W06 data", function="mse_grad", args=(_YHAT, _Y),
                points=2, diagnoses=_GRAD_MISTAKES),
        Example("mse_grad on a 2-D batch", function="mse_grad", args=(_P2, _T2),
                points=2, diagnoses=_GRAD_MISTAKES),
        GradCheck(
            "mse_grad agrees with finite differences of mse_loss",
            mode="loss",
            forward="mse_loss",
            backward="mse_grad",
            args=(_P2, _T2),
            points=2,
        ),
        Property("mse_loss matches the reference on random arrays", function="mse_loss",
                 strategy=gst.same_shape(2), hidden=True, points=2),
        Property("mse_grad matches the reference on random arrays", function="mse_grad",
                 strategy=gst.same_shape(2), hidden=True, points=3, diagnoses=_GRAD_MISTAKES),
    ],
)
# END GRADER
