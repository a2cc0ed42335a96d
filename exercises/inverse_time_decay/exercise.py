"""The inverse-time learning-rate decay αₜ = α₀ / (1 + λ·t/T).

``step`` t counts optimiser steps from 0; ``decay_steps`` T stretches the schedule;
with ``staircase`` the ratio t/T is rounded down, so the rate drops every T steps
(Keras' ``InverseTimeDecay``). The seed (W03) calls α₀ / (1 + λt) "exponential decay";
it is not: it falls like 1/t, far more slowly than α₀·e^{−λt}. Lessons W03, W04.
"""

from __future__ import annotations

import math


def inverse_time_decay(
    lr0: float, step: int, decay_rate: float, decay_steps: float = 1.0, staircase: bool = False
) -> float:
    """The learning rate after ``step`` steps."""
    # BEGIN SOLUTION
    ratio = step / decay_steps
    if staircase:
        ratio = math.floor(ratio)
    return lr0 / (1.0 + decay_rate * ratio)
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402


def _variant(shift=0, exponential=False, no_staircase=False, no_steps=False):
    def schedule(lr0, step, decay_rate, decay_steps=1.0, staircase=False):
        ratio = (step + shift) / (1.0 if no_steps else decay_steps)
        if staircase and not no_staircase:
            ratio = math.floor(ratio)
        if exponential:
            return lr0 * math.exp(-decay_rate * ratio)
        return lr0 / (1.0 + decay_rate * ratio)

    return schedule


_MISTAKES = [
    Diagnosis("off by one: step counts from 0, so the first rate is α₀ itself", _variant(shift=1)),
    Diagnosis("that is exponential decay α₀·e^{−λt}; inverse-time decay is α₀/(1 + λt)",
              _variant(exponential=True)),
    Diagnosis("staircase=True was ignored: round t/T down", _variant(no_staircase=True)),
    Diagnosis("decay_steps was ignored: the ratio is step / decay_steps", _variant(no_steps=True)),
]


def _ex(name, args, points=1.0, hidden=False, expected=None, hint="", **kw):
    extra = {} if expected is None else {"expected": expected}
    return Example(name, function="inverse_time_decay", args=args, kwargs=kw, points=points,
                   hidden=hidden, hint=hint, diagnoses=_MISTAKES, **extra)


@st.composite
def _cases(draw):
    return Args(
        draw(st.sampled_from([0.1, 0.01, 1.0])),
        draw(st.integers(0, 10_000)),
        draw(st.floats(0.0, 2.0)),
        decay_steps=draw(st.sampled_from([1.0, 10.0, 1000.0])),
        staircase=draw(st.booleans()),
    )


EXERCISE = Exercise(
    "inverse_time_decay",
    "Inverse-time learning-rate decay",
    lesson="W03, W04",
    order=130,
    forbidden_imports=("torch", "tinygrad_edu.optim"),
    checks=[
        _ex("seed W03: α₀ = 0.01, λ = 0.01 at t = 0 is α₀", (0.01, 0, 0.01), expected=0.01,
            hint="t counts from 0, and 1 + λ·0 = 1."),
        _ex("seed W03 at t = 100 halves the rate", (0.01, 100, 0.01), points=2, expected=0.005),
        _ex("seed W03 at t = 1000", (0.01, 1000, 0.01), expected=0.01 / 11),
        _ex("decay_steps stretches the schedule", (0.1, 50, 0.5), points=2, decay_steps=10.0),
        _ex("staircase rounds t/T down", (0.1, 59, 0.5), points=2, decay_steps=10.0,
            staircase=True),
        _ex("staircase at an exact multiple", (0.1, 60, 0.5), hidden=True, decay_steps=10.0,
            staircase=True),
        Property("matches the reference on random schedules", function="inverse_time_decay",
                 strategy=_cases(), hidden=True, points=3, diagnoses=_MISTAKES),
    ],
)
# END GRADER
