"""One Adagrad step, as PyTorch does it.

    g ← g + λ θ                                (weight decay λ)
    lrₜ = lr / (1 + (t − 1) · lr_decay)          (t = 1 on the first step)
    S ← S + g²                                  (S starts at initial_accumulator_value)
    θ ← θ − lrₜ · g / (√S + ε)

Lessons W04, W21.
"""

from __future__ import annotations

import numpy as np


def adagrad_step(
    param: np.ndarray,
    grad: np.ndarray,
    state_sum: np.ndarray,
    t: int,
    *,
    lr: float = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    eps: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (new param, new state_sum) for step number ``t`` (1 on the first step)."""
    # BEGIN SOLUTION
    g = grad + weight_decay * param
    clr = lr / (1.0 + (t - 1) * lr_decay)
    state_sum = state_sum + g * g
    return param - clr * g / (np.sqrt(state_sum) + eps), state_sum
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _variant(shift=0, before=False, eps_inside=False):
    def step(param, grad, state_sum, t, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
             eps=1e-10):
        g = grad + weight_decay * param
        clr = lr / (1.0 + (t - 1 + shift) * lr_decay)
        new_sum = state_sum + g * g
        s = state_sum if before else new_sum
        denom = np.sqrt(s + eps) if eps_inside else np.sqrt(s) + eps
        return param - clr * g / denom, new_sum

    return step


_MISTAKES = [
    Diagnosis("off by one step: the decay uses t instead of t − 1 (t = 1 on the first step)",
              _variant(shift=1)),
    Diagnosis("the step divides by the sum before adding g²; add g² first",
              _variant(before=True)),
    Diagnosis("ε is inside the square root", _variant(eps_inside=True)),
]
_P = np.array([1.0, -0.5, 2.0])
_G = np.array([0.3, -0.1, 0.05])
_S = np.array([0.1, 0.2, 0.05])


@st.composite
def _cases(draw):
    p, g = draw(gst.same_shape(2, max_dims=2))
    s = draw(gst.arrays(p.shape, domain="positive"))
    return Args(p, g, s, draw(st.integers(1, 30)),
                lr=draw(st.sampled_from([1e-2, 0.1])),
                lr_decay=draw(st.sampled_from([0.0, 0.1])),
                weight_decay=draw(st.sampled_from([0.0, 0.01])),
                eps=draw(st.sampled_from([1e-10, 1e-3])))


def _ex(name, t, points=1.0, hidden=False, s=_S, hint="", **kw):
    return Example(name, function="adagrad_step", args=(_P, _G, s, t), kwargs=kw,
                   outputs=("param", "state_sum"), points=points, hidden=hidden, hint=hint,
                   diagnoses=_MISTAKES)


EXERCISE = Exercise(
    "adagrad_step",
    "One Adagrad step",
    lesson="W04, W21",
    order=110,
    forbidden_imports=("torch", "tinygrad_edu.optim"),
    checks=[
        _ex("first step from a zero accumulator", 1, points=2, s=np.zeros(3), lr=0.1,
            hint="After the first step S = g², so each θ moves by lr·sign(g)."),
        _ex("a later step", 4, lr=0.1),
        _ex("learning-rate decay at step 5", 5, points=2, lr=0.1, lr_decay=0.5,
            hint="lrₜ = lr / (1 + (t − 1)·lr_decay): no decay on the first step."),
        _ex("ε = 0.1 makes its placement visible", 2, lr=0.1, eps=0.1),
        _ex("weight decay", 3, hidden=True, lr=0.1, weight_decay=0.1),
        _ex("learning-rate decay on the first step is none", 1, hidden=True, lr=0.1,
            lr_decay=0.5),
        Property("matches the reference on random states", function="adagrad_step",
                 strategy=_cases(), outputs=("param", "state_sum"), hidden=True, points=3,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
