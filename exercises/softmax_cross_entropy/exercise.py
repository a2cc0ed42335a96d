"""Softmax cross-entropy from logits and class indices, and its gradient, with numpy.

For logits z of shape (N, C) and labels k of shape (N,):
log_softmax(z)ᵢⱼ = zᵢⱼ − logΣⱼ e^{zᵢⱼ} (computed after subtracting each row's max),
L = −(1/N) Σᵢ log_softmax(z)ᵢ,ₖᵢ (PyTorch's ``CrossEntropyLoss``), and
∂L/∂z = (softmax(z) − onehot(k)) / N. Lessons W05, W19, W27.
"""

from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, stable for large logits."""
    # BEGIN SOLUTION
    z = np.asarray(logits, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    # END SOLUTION


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean of −log_softmax(logits)[i, labels[i]] over the N rows."""
    # BEGIN SOLUTION
    logp = log_softmax(logits)
    rows = np.arange(logp.shape[0])
    return -np.mean(logp[rows, np.asarray(labels)])
    # END SOLUTION


def softmax_cross_entropy_grad(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """∂ softmax_cross_entropy / ∂ logits, shape (N, C)."""
    # BEGIN SOLUTION
    probs = np.exp(log_softmax(logits))
    probs[np.arange(probs.shape[0]), np.asarray(labels)] -= 1.0
    return probs / probs.shape[0]
    # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _onehot(k, c):
    return np.eye(c)[k]


_Z = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
_K = np.array([0, 2])
_GRAD_MISTAKES = [
    Diagnosis("the sign is flipped: the gradient is (softmax − onehot)/N",
              lambda z, k: (_onehot(k, z.shape[1]) - _softmax(z)) / z.shape[0]),
    Diagnosis("the 1/N of the mean is missing",
              lambda z, k: _softmax(z) - _onehot(k, z.shape[1])),
    Diagnosis("the onehot term is missing (that is the gradient of the softmax sum only)",
              lambda z, k: _softmax(z) / z.shape[0]),
]

EXERCISE = Exercise(
    "softmax_cross_entropy",
    "Softmax cross-entropy from logits",
    lesson="W05, W19, W27",
    order=40,
    forbidden_imports=("torch", "scipy", "tinygrad_edu.nn"),
    checks=[
        Example("log_softmax of one row", function="log_softmax",
                args=(np.array([[2.0, 1.0, 0.1]]),)),
        Example("softmax_cross_entropy of [2, 1, 0.1] with label 0 is 0.4170",
                function="softmax_cross_entropy",
                args=(np.array([[2.0, 1.0, 0.1]]), np.array([0])),
                expected=np.float64(-np.log(np.exp(2.0) / np.exp([2.0, 1.0, 0.1]).sum()))),
        Example("softmax_cross_entropy on a batch of 2", function="softmax_cross_entropy",
                args=(_Z, _K)),
        Example("softmax_cross_entropy_grad on a batch of 2", function="softmax_cross_entropy_grad",
                args=(_Z, _K), points=2, diagnoses=_GRAD_MISTAKES),
        GradCheck("the gradient agrees with finite differences of the loss", mode="loss",
                  forward="softmax_cross_entropy", backward="softmax_cross_entropy_grad",
                  args=(_Z, _K), points=2),
        Example("log_softmax is stable for logits of ±1000", function="log_softmax",
                args=(np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]]),),
                hidden=True, points=2,
                hint="exp(1000) overflows: subtract each row's maximum before exponentiating."),
        Property("softmax_cross_entropy matches the reference", function="softmax_cross_entropy",
                 strategy=gst.logits_and_labels(), hidden=True, points=2),
        Property("softmax_cross_entropy_grad matches the reference",
                 function="softmax_cross_entropy_grad", strategy=gst.logits_and_labels(),
                 hidden=True, points=2, diagnoses=_GRAD_MISTAKES),
    ],
)
# END GRADER
