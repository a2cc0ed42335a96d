"""Derivatives of sigmoid and tanh, written with numpy.

σ(x) = 1 / (1 + e⁻ˣ) and its derivative σ'(x) = σ(x)(1 − σ(x));
tanh'(x) = 1 − tanh²(x). Lessons W13 (activation functions) and W20/W22 (backprop).
"""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e⁻ˣ), elementwise, without overflow for large |x|."""
    # BEGIN SOLUTION
    # The tanh form never evaluates e^{+large}: σ(x) = (tanh(x/2) + 1) / 2.
    return 0.5 * (np.tanh(0.5 * np.asarray(x, dtype=np.float64)) + 1.0)
    # END SOLUTION


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """dσ/dx at x, elementwise: σ(x)(1 − σ(x))."""
    # BEGIN SOLUTION
    s = sigmoid(x)
    return s * (1.0 - s)
    # END SOLUTION


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """d tanh/dx at x, elementwise: 1 − tanh²(x)."""
    # BEGIN SOLUTION
    t = np.tanh(np.asarray(x, dtype=np.float64))
    return 1.0 - t * t
    # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_arrays = gst.arrays()
_x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])


def _sigmoid_grad_sign_flipped(x):
    s = 0.5 * (np.tanh(0.5 * x) + 1.0)
    return s * (1.0 + s)


_SIGN_ERROR = Diagnosis("σ(1 + σ) instead of σ(1 − σ): a sign error", _sigmoid_grad_sign_flipped)


def _tanh_grad_not_squared(x):
    return 1.0 - np.tanh(x)


EXERCISE = Exercise(
    "activation_grads",
    "Derivatives of sigmoid and tanh",
    lesson="W13, W20, W22",
    order=10,
    forbidden_imports=("torch", "tinygrad_edu.nn", "tinygrad_edu.ops"),
    checks=[
        Example(
            "sigmoid(2) (seed W13; the seed's 0.869 is a slip: 1/(1+e^-2) = 0.8808)",
            function="sigmoid",
            args=(np.array(2.0),),
            expected=np.array(1.0 / (1.0 + np.exp(-2.0))),
            hint="σ(x) = 1 / (1 + exp(-x)).",
        ),
        Example("sigmoid on a vector", function="sigmoid", args=(_x,)),
        Example(
            "sigmoid_grad on a vector",
            function="sigmoid_grad",
            args=(_x,),
            points=2,
            diagnoses=[_SIGN_ERROR],
            hint="dσ/dx = σ(x)(1 − σ(x)); its largest value is 0.25, at x = 0.",
        ),
        Example(
            "tanh_grad on a vector",
            function="tanh_grad",
            args=(_x,),
            points=2,
            diagnoses=[Diagnosis("1 − tanh(x): the tanh must be squared", _tanh_grad_not_squared)],
        ),
        GradCheck(
            "sigmoid_grad agrees with finite differences of sigmoid",
            mode="elementwise",
            forward="sigmoid",
            backward="sigmoid_grad",
            args=(np.array([[-2.0, -0.1], [0.3, 1.7]]),),
            points=2,
        ),
        Property(
            "sigmoid_grad matches the reference on random arrays",
            function="sigmoid_grad",
            strategy=_arrays,
            points=2,
            hidden=True,
            diagnoses=[_SIGN_ERROR],
        ),
        Property(
            "tanh_grad matches the reference on random arrays",
            function="tanh_grad",
            strategy=_arrays,
            points=2,
            hidden=True,
            diagnoses=[Diagnosis("1 − tanh(x): the tanh must be squared", _tanh_grad_not_squared)],
        ),
        Example(
            "sigmoid does not overflow at x = ±1000",
            function="sigmoid",
            args=(np.array([-1000.0, 1000.0]),),
            expected=np.array([0.0, 1.0]),
            hidden=True,
            hint="For x << 0, exp(-x) overflows; use exp(x) / (1 + exp(x)) there, or tanh.",
        ),
        Property(
            "sigmoid_grad at scalars in [-30, 30]",
            function="sigmoid_grad",
            strategy=gst.floats(-30, 30).map(lambda v: (np.array(v),)),
            hidden=True,
            max_examples=25,
        ),
    ],
)
# END GRADER
