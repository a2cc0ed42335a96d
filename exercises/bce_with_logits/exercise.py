"""Binary cross-entropy from logits, and its gradient, written with numpy.

With p = σ(z), L = −(1/N) Σ [y log p + (1 − y) log(1 − p)]. Computed from the logits
z it is max(z, 0) − z·y + log(1 + e^{−|z|}), which never takes the log of 0 and never
overflows. ∂L/∂z = (σ(z) − y) / N. Lessons W05, W07, W11, W14, W26.
"""

from __future__ import annotations

import numpy as np


def bce_with_logits(logits: np.ndarray, targets: np.ndarray) -> float:
    """Mean binary cross-entropy of targets in [0, 1] given logits (PyTorch's
    ``BCEWithLogitsLoss``), stable for any logit."""
    # BEGIN SOLUTION
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    return np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z))))
    # END SOLUTION


def bce_with_logits_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """∂ bce_with_logits / ∂ logits, shaped like ``logits``."""
    # BEGIN SOLUTION
    z = np.asarray(logits, dtype=np.float64)
    p = 0.5 * (np.tanh(0.5 * z) + 1.0)  # σ(z) without overflow
    return (p - np.asarray(targets, dtype=np.float64)) / z.size
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _logit(p):
    return np.log(p / (1.0 - p))


def _sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


@st.composite
def _cases(draw):
    z = draw(gst.arrays(gst.shapes(1, 2)))
    return z, draw(gst.binary_targets(z.shape))


# Seed W14: y = [1, 0], ŷ = [0.9, 0.1] → −log 0.9 = 0.10536 (the seed prints −0.105: a
# cross-entropy is never negative). Seed W07: ŷ = [.9, .1, .8, .2, .7], y = [1, 0, 1, 0, 1];
# full BCE = 0.2027 (the seed drops the (1 − y) terms, which gives 0.137, and prints 0.176).
_W14 = (_logit(np.array([0.9, 0.1])), np.array([1.0, 0.0]))
_W07 = (_logit(np.array([0.9, 0.1, 0.8, 0.2, 0.7])), np.array([1.0, 0.0, 1.0, 0.0, 1.0]))
_Z = np.array([[-2.0, 0.5, 3.0], [1.0, -0.3, 0.0]])
_T = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])

_GRAD_MISTAKES = [
    Diagnosis("the sign is flipped: the gradient is (σ(z) − y)/N",
              lambda z, y: (y - _sigmoid(z)) / z.size),
    Diagnosis("the 1/N of the mean is missing", lambda z, y: _sigmoid(z) - y),
    Diagnosis("that is the gradient with respect to p = σ(z), not to the logit z",
              lambda z, y: (-(y / _sigmoid(z)) + (1 - y) / (1 - _sigmoid(z))) / z.size),
]

EXERCISE = Exercise(
    "bce_with_logits",
    "Binary cross-entropy from logits",
    lesson="W05, W07, W11, W14, W26",
    order=30,
    forbidden_imports=("torch", "sklearn", "tinygrad_edu.nn"),
    checks=[
        Example("seed W14: y = [1, 0], p = [0.9, 0.1] gives 0.10536", function="bce_with_logits",
                args=_W14, expected=np.float64(-np.log(0.9)),
                hint="A cross-entropy is never negative: L = −mean(y log p + (1 − y) log(1 − p))."),
        Example("seed W07 with both terms gives 0.2027", function="bce_with_logits", args=_W07,
                expected=np.float64(-np.mean(np.log([0.9, 0.9, 0.8, 0.8, 0.7]))),
                diagnoses=[Diagnosis("the (1 − y)·log(1 − p) term is missing (as in the seed)",
                                     lambda z, y: -np.mean(y * np.log(_sigmoid(z))))]),
        Example("bce_with_logits on a 2-D batch", function="bce_with_logits", args=(_Z, _T)),
        Example("bce_with_logits_grad on a 2-D batch", function="bce_with_logits_grad",
                args=(_Z, _T), points=2, diagnoses=_GRAD_MISTAKES),
        GradCheck("bce_with_logits_grad agrees with finite differences of bce_with_logits",
                  mode="loss", forward="bce_with_logits", backward="bce_with_logits_grad",
                  args=(_Z, _T), points=2),
        Example("stable for logits of ±1000 (no inf, no nan)", function="bce_with_logits",
                args=(np.array([-1000.0, 1000.0, 40.0]), np.array([1.0, 0.0, 1.0])),
                hidden=True, points=2,
                hint="log(σ(z)) underflows to log(0) for z << 0: use "
                     "max(z, 0) − z·y + log1p(e^{−|z|})."),
        Example("gradient finite for logits of ±1000", function="bce_with_logits_grad",
                args=(np.array([-1000.0, 1000.0]), np.array([1.0, 1.0])), hidden=True),
        Property("bce_with_logits matches the reference", function="bce_with_logits",
                 strategy=_cases(), hidden=True, points=2),
        Property("bce_with_logits_grad matches the reference", function="bce_with_logits_grad",
                 strategy=_cases(), hidden=True, points=2, diagnoses=_GRAD_MISTAKES),
    ],
)
# END GRADER
