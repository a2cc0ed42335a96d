"""One step of SGD with momentum, weight decay and Nesterov, as PyTorch does it.

    g ← g + λ θ                                   (weight decay λ)
    b ← g                      on the first step  (b is None before it)
    b ← μ b + (1 − τ) g        afterwards         (momentum μ, dampening τ)
    g ← g + μ b  if nesterov,  else  g ← b        (only when μ ≠ 0)
    θ ← θ − lr · g

Lessons W01, W04, W08, W21.
"""

from __future__ import annotations

import numpy as np


def sgd_step(
    param: np.ndarray,
    grad: np.ndarray,
    buf: np.ndarray | None,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Return (new param, new momentum buffer). ``buf`` is None before the first step;
    the returned buffer is None when momentum is 0."""
    # BEGIN SOLUTION
    g = grad + weight_decay * param if weight_decay else np.array(grad, dtype=np.float64)
    if momentum:
        # The first step copies the gradient: no dampening, as in PyTorch.
        buf = g.copy() if buf is None else momentum * buf + (1.0 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    else:
        buf = None
    return param - lr * g, buf
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402

_P = np.array([1.0, -2.0, 0.5])
_G = np.array([0.2, 0.4, -1.0])
_B = np.array([0.1, -0.3, 0.2])


def _variant(first_step_dampened=False, wd_sign=1.0, ignore_nesterov=False, no_momentum=False):
    def step(param, grad, buf, *, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
             nesterov=False):
        g = grad + wd_sign * weight_decay * param
        if momentum and not no_momentum:
            if buf is None:
                buf = (1.0 - dampening) * g if first_step_dampened else g.copy()
            else:
                buf = momentum * buf + (1.0 - dampening) * g
            g = g + momentum * buf if (nesterov and not ignore_nesterov) else buf
        else:
            buf = None
        return param - lr * g, buf

    return step


_MISTAKES = [
    Diagnosis("dampening was applied on the first step; PyTorch starts the buffer at b = g",
              _variant(first_step_dampened=True)),
    Diagnosis("weight decay has the wrong sign: g ← g + λθ", _variant(wd_sign=-1.0)),
    Diagnosis("nesterov=True was ignored: g ← g + μ·b", _variant(ignore_nesterov=True)),
    Diagnosis("the momentum buffer is not used", _variant(no_momentum=True)),
]


@st.composite
def _cases(draw):
    p, g = draw(gst.same_shape(2, max_dims=2))
    buf = draw(st.one_of(st.none(), gst.arrays(p.shape)))
    return Args(
        p, g, buf,
        lr=draw(gst.floats(1e-3, 1.0)),
        momentum=draw(st.sampled_from([0.0, 0.5, 0.9])),
        dampening=draw(st.sampled_from([0.0, 0.1])),
        weight_decay=draw(st.sampled_from([0.0, 0.01])),
        nesterov=draw(st.booleans()),
    )


def _ex(name, buf, points=1.0, hidden=False, hint="", **kw):
    return Example(name, function="sgd_step", args=(_P, _G, buf), kwargs=kw,
                   outputs=("param", "buf"), points=points, hidden=hidden, hint=hint,
                   diagnoses=_MISTAKES)


EXERCISE = Exercise(
    "sgd_momentum",
    "One SGD step with momentum",
    lesson="W01, W04, W08, W21",
    order=90,
    forbidden_imports=("torch", "tinygrad_edu.optim"),
    checks=[
        # Seed W08: ŷ = θx with x = 1, y = 2, θ = 1.5. For L = ½(y − ŷ)², ∂L/∂θ = −(y − ŷ)x
        # = −0.5 (the seed drops the minus), so θ ← 1.5 − 0.01·(−0.5) = 1.505.
        Example("seed W08: plain gradient descent, θ = 1.5, ∂L/∂θ = −0.5, lr = 0.01",
                function="sgd_step", args=(np.array([1.5]), np.array([-0.5]), None),
                kwargs={"lr": 0.01}, expected=(np.array([1.505]), None),
                outputs=("param", "buf"),
                hint="θ ← θ − lr·g; with momentum 0 the buffer stays None."),
        _ex("first step with momentum: the buffer starts as the gradient", None, points=2,
            lr=0.1, momentum=0.9, dampening=0.1,
            hint="PyTorch: on the first step b = g, with no dampening."),
        _ex("a later step with momentum and dampening", _B, points=2, lr=0.1, momentum=0.9,
            dampening=0.1),
        _ex("weight decay", _B, lr=0.1, momentum=0.9, weight_decay=0.01),
        _ex("nesterov", _B, points=2, lr=0.1, momentum=0.9, nesterov=True),
        _ex("nesterov on the first step", None, hidden=True, lr=0.05, momentum=0.5,
            nesterov=True),
        _ex("weight decay without momentum", None, hidden=True, lr=0.1, weight_decay=0.1),
        Property("matches the reference on random steps", function="sgd_step",
                 strategy=_cases(), outputs=("param", "buf"), hidden=True, points=3,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
