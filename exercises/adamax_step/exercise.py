"""One AdaMax step (Adam with the infinity norm), as PyTorch does it.

    g ← g + λ θ                       (weight decay λ)
    m ← β₁ m + (1 − β₁) g
    u ← max(β₂ u, |g| + ε)
    θ ← θ − lr / (1 − β₁ᵗ) · m / u      (t = 1 on the first step)

Lessons W04, W21.
"""

from __future__ import annotations

import numpy as np


def adamax_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    u: np.ndarray,
    t: int,
    *,
    lr: float = 2e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (new param, new m, new u) for step number ``t`` (1 on the first step)."""
    # BEGIN SOLUTION
    beta1, beta2 = betas
    g = grad + weight_decay * param
    m = beta1 * m + (1.0 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)
    return param - lr / (1.0 - beta1**t) * m / u, m, u
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _variant(correct=True, shift=0, eps_outside=False):
    def step(param, grad, m, u, t, *, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
             weight_decay=0.0):
        b1, b2 = betas
        g = grad + weight_decay * param
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g)) + eps if eps_outside else np.maximum(
            b2 * u, np.abs(g) + eps)
        scale = lr / (1 - b1 ** (t + shift)) if correct else lr
        return param - scale * m / u, m, u

    return step


_MISTAKES = [
    Diagnosis("the bias correction 1/(1 − β₁ᵗ) is missing", _variant(correct=False)),
    Diagnosis("off by one step: the bias correction uses t + 1", _variant(shift=1)),
    Diagnosis("ε is added after the max; PyTorch uses max(β₂u, |g| + ε)",
              _variant(eps_outside=True)),
]
_P = np.array([1.0, -0.5, 2.0])
_G = np.array([0.3, -0.1, 0.05])
_M = np.array([0.02, -0.01, 0.0])
_U = np.array([0.5, 0.05, 0.01])


@st.composite
def _cases(draw):
    p, g, m = draw(gst.same_shape(3, max_dims=2))
    u = draw(gst.arrays(p.shape, domain="positive"))
    return Args(p, g, m, u, draw(st.integers(1, 30)),
                lr=draw(st.sampled_from([2e-3, 0.1])),
                betas=draw(st.sampled_from([(0.9, 0.999), (0.8, 0.9)])),
                eps=draw(st.sampled_from([1e-8, 0.05])),
                weight_decay=draw(st.sampled_from([0.0, 0.01])))


def _ex(name, t, points=1.0, hidden=False, m=_M, u=_U, hint="", **kw):
    return Example(name, function="adamax_step", args=(_P, _G, m, u, t), kwargs=kw,
                   outputs=("param", "m", "u"), points=points, hidden=hidden, hint=hint,
                   diagnoses=_MISTAKES)


EXERCISE = Exercise(
    "adamax_step",
    "One AdaMax step",
    lesson="W04, W21",
    order=120,
    forbidden_imports=("torch", "tinygrad_edu.optim"),
    checks=[
        _ex("first step from zero state", 1, points=2, m=np.zeros(3), u=np.zeros(3), lr=0.1,
            hint="On the first step m = (1 − β₁)g and u = |g| + ε, so θ moves by about lr."),
        Example("m and u after a step (the bias correction does not touch them)",
                function="adamax_step", args=(_P, _G, _M, _U, 4), kwargs={"lr": 0.1},
                outputs=("param", "m", "u"), select=(1, 2), points=2, diagnoses=_MISTAKES,
                hint="m ← β₁m + (1 − β₁)g;  u ← max(β₂u, |g| + ε)."),
        _ex("a later step (t = 4)", 4, points=2, lr=0.1),
        _ex("ε = 0.05 makes its placement visible", 3, lr=0.1, eps=0.05),
        _ex("weight decay", 2, hidden=True, lr=0.1, weight_decay=0.1),
        Property("matches the reference on random states", function="adamax_step",
                 strategy=_cases(), outputs=("param", "m", "u"), hidden=True, points=3,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
