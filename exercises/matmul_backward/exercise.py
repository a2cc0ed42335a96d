"""The backward of a matrix product, written with numpy.

For C = A @ B with A of shape (n, k) and B of shape (k, m), and G = ∂L/∂C of shape
(n, m): ∂L/∂A = G Bᵀ (shape (n, k)) and ∂L/∂B = Aᵀ G (shape (k, m)). A shape check
tells you where each transpose goes. Lessons W20, W22.
"""

from __future__ import annotations

import numpy as np


def matmul_backward(
    a: np.ndarray, b: np.ndarray, grad_out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(∂L/∂a, ∂L/∂b) for out = a @ b, given grad_out = ∂L/∂out."""
    # BEGIN SOLUTION
    return grad_out @ b.T, a.T @ grad_out
    # END SOLUTION


# BEGIN GRADER
from tinygrad_edu.course.grading import Diagnosis, Example, Exercise, GradCheck, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_A = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])
_B = np.array([[0.5, -1.0, 2.0, 1.0], [1.5, 0.0, -0.5, 2.0], [1.0, 1.0, 0.0, -1.0]])
_G = np.array([[1.0, 0.5, -1.0, 2.0], [0.0, -2.0, 1.0, 1.0]])
_SA = np.array([[1.0, 2.0], [3.0, 4.0]])
_SB = np.array([[0.5, -1.0], [2.0, 0.0]])
_SG = np.array([[1.0, -1.0], [0.5, 2.0]])
_MISTAKES = [
    # One-sided mistakes first: a check that grades one output matches them before the
    # two-sided ones.
    Diagnosis("∂L/∂A lacks its transpose: G Bᵀ, not G B", lambda a, b, g: (g @ b, a.T @ g)),
    Diagnosis("∂L/∂B lacks its transpose: Aᵀ G, not A G", lambda a, b, g: (g @ b.T, a @ g)),
    Diagnosis("the transposes are missing: ∂L/∂A = G Bᵀ and ∂L/∂B = Aᵀ G",
              lambda a, b, g: (g @ b, a @ g)),
    Diagnosis("∂L/∂B is transposed: it must have B's shape (k, m), Aᵀ G",
              lambda a, b, g: (g @ b.T, g.T @ a)),
    Diagnosis("the factors are in the wrong order: ∂L/∂A = G Bᵀ, not Bᵀ G",
              lambda a, b, g: (b.T @ g, g @ a.T)),
    Diagnosis("the two gradients are swapped", lambda a, b, g: (a.T @ g, g @ b.T)),
]
_OUT = ("grad_a", "grad_b")


def _part(name, args, k, **kw):
    return Example(name, function="matmul_backward", args=args, outputs=_OUT, select=(k,),
                   diagnoses=_MISTAKES, **kw)


EXERCISE = Exercise(
    "matmul_backward",
    "Matmul backward",
    lesson="W20, W22",
    order=70,
    forbidden_imports=("torch",),
    checks=[
        _part("(2, 3) @ (3, 4): grad_a", (_A, _B, _G), 0,
              hint="∂L/∂A has A's shape (n, k): G (n, m) times Bᵀ (m, k)."),
        _part("(2, 3) @ (3, 4): grad_b", (_A, _B, _G), 1,
              hint="∂L/∂B has B's shape (k, m): Aᵀ (k, n) times G (n, m)."),
        _part("square matrices: grad_a (a wrong transpose keeps the shape)", (_SA, _SB, _SG), 0),
        _part("square matrices: grad_b", (_SA, _SB, _SG), 1),
        GradCheck("agrees with finite differences of a @ b", mode="vjp", forward=np.matmul,
                  backward="matmul_backward", args=(_A, _B), wrt=(0, 1), points=2),
        Example("a row times a column", function="matmul_backward",
                args=(np.array([[1.0, -2.0, 3.0]]), np.array([[0.5], [1.0], [2.0]]),
                      np.array([[1.5]])),
                outputs=_OUT, hidden=True, diagnoses=_MISTAKES),
        Property("matches the reference on random shapes", function="matmul_backward",
                 strategy=gst.matmul_case(), outputs=_OUT, hidden=True, points=3,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
