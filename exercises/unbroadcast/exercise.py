"""Unbroadcasting a gradient, written with numpy.

When x of shape (3,) is added to y of shape (2, 3), numpy broadcasts x across the
rows. In backward, the gradient arriving for x has the output's shape (2, 3) and must
be summed back to (3,): over the leading axes that broadcasting added, and over every
axis where x had size 1 (keeping that axis). Lesson W20 and the engine's ``sum_to``.
"""

from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` (shaped like a broadcast result) down to ``shape``."""
    # BEGIN SOLUTION
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if ones:
        grad = grad.sum(axis=ones, keepdims=True)
    return grad.reshape(shape)
    # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _leading_only(grad, shape):
    extra = grad.ndim - len(shape)
    return grad.sum(axis=tuple(range(extra))) if extra > 0 else grad


def _no_keepdims(grad, shape):
    g = _leading_only(grad, shape)
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=ones) if ones else g


_MISTAKES = [
    Diagnosis("only the leading axes were summed; axes where the input had size 1 must be "
              "summed too (keepdims=True)", _leading_only),
    Diagnosis("the size-1 axes were summed away: keep them with keepdims=True", _no_keepdims),
]
_G = np.arange(24.0).reshape(2, 3, 4)

EXERCISE = Exercise(
    "unbroadcast",
    "Unbroadcast a gradient",
    lesson="W20",
    order=50,
    checks=[
        Example("same shape: nothing to do", function="unbroadcast", args=(_G, (2, 3, 4))),
        Example("(2, 3, 4) → (3, 4): sum the leading axis", function="unbroadcast",
                args=(_G, (3, 4)), diagnoses=_MISTAKES),
        Example("(2, 3, 4) → (4,): sum two leading axes", function="unbroadcast",
                args=(_G, (4,))),
        Example("(2, 3, 4) → (2, 1, 4): sum a size-1 axis, keep it", function="unbroadcast",
                args=(_G, (2, 1, 4)), points=2, diagnoses=_MISTAKES,
                hint="An axis where the input had size 1 was stretched: sum over it, "
                     "with keepdims."),
        Example("(2, 3, 4) → (3, 1): both kinds at once", function="unbroadcast",
                args=(_G, (3, 1)), points=2, diagnoses=_MISTAKES),
        Example("(2, 3, 4) → (): a scalar input", function="unbroadcast", args=(_G, ()),
                hidden=True),
        Example("(2, 3, 4) → (1, 1, 1)", function="unbroadcast", args=(_G, (1, 1, 1)),
                hidden=True, diagnoses=_MISTAKES),
        Property("matches the reference for random broadcasts", function="unbroadcast",
                 strategy=gst.unbroadcast_case(), hidden=True, points=3, max_examples=40,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
