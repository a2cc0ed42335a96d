"""One Adam step, with and without bias correction, as PyTorch does it.

    g ← g + λ θ                       (weight decay λ: L2, added to the gradient)
    m ← β₁ m + (1 − β₁) g
    v ← β₂ v + (1 − β₂) g²
    m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   (t = 1 on the first step; skipped without
                                             bias correction: m̂ = m, v̂ = v)
    θ ← θ − lr · m̂ / (√v̂ + ε)

Lessons W03, W04, W09, W15, W16, W21.
"""

from __future__ import annotations

import numpy as np


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    *,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    bias_correction: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (new param, new m, new v) for step number ``t`` (1 on the first step)."""
    # BEGIN SOLUTION
    beta1, beta2 = betas
    g = grad + weight_decay * param
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    m_hat, v_hat = m, v
    if bias_correction:
        m_hat = m / (1.0 - beta1**t)
        v_hat = v / (1.0 - beta2**t)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
    # END SOLUTION


# BEGIN GRADER
from hypothesis import strategies as st  # noqa: E402

from tinygrad_edu.course.grading import Args, Diagnosis, Example, Exercise, Property  # noqa: E402
from tinygrad_edu.course.grading import strategies as gst  # noqa: E402


def _variant(correct=True, shift=0, eps_inside=False, decoupled=False):
    def step(param, grad, m, v, t, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
             weight_decay=0.0, bias_correction=True):
        b1, b2 = betas
        g = grad if decoupled else grad + weight_decay * param
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = m, v
        if bias_correction and correct:
            mh, vh = m / (1 - b1 ** (t + shift)), v / (1 - b2 ** (t + shift))
        denom = np.sqrt(vh + eps) if eps_inside else np.sqrt(vh) + eps
        new = param - lr * mh / denom
        if decoupled:
            new = new - lr * weight_decay * param
        return new, m, v

    return step


_MISTAKES = [
    Diagnosis("the bias correction is missing: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)",
              _variant(correct=False)),
    Diagnosis("off by one step: the bias correction uses t + 1 (t is already 1 on the "
              "first step)", _variant(shift=1)),
    Diagnosis("off by one step: the bias correction uses t − 1", _variant(shift=-1)),
    Diagnosis("ε is inside the square root: θ ← θ − lr·m̂/(√v̂ + ε)", _variant(eps_inside=True)),
    Diagnosis("weight decay is decoupled (AdamW); Adam adds λθ to the gradient",
              _variant(decoupled=True)),
]

_P = np.array([1.0, -0.5, 2.0])
_G = np.array([0.3, -0.1, 0.05])
_M = np.array([0.02, -0.01, 0.0])
_V = np.array([0.001, 0.0005, 0.0002])
_ZERO2 = np.zeros(2)

# Seed W15 with standard Adam and no bias correction: β = (0.9, 0.99), lr = 0.001,
# ε = 0.001, θ₀ = [1, 1], g = [−0.1, −0.2]. m₁ = [−0.01, −0.02] (as the seed says),
# v₁ = 0.01·g² = [1e-4, 4e-4] (the seed's [0.001, 0.004] is 10× too big) and θ moves UP,
# because g < 0: θ₁ = 1 + 0.001·0.01/(0.01 + 0.001) = 1.000909 (the seed has 0.998).
_W15_M = np.array([-0.01, -0.02])
_W15_V = np.array([1e-4, 4e-4])
_W15_P = 1.0 - 0.001 * _W15_M / (np.sqrt(_W15_V) + 0.001)


@st.composite
def _cases(draw):
    p, g, m = draw(gst.same_shape(3, max_dims=2))
    v = draw(gst.arrays(p.shape, domain="positive")) * 0.01
    return Args(
        p, g, m * 0.1, v, draw(st.integers(1, 50)),
        lr=draw(st.sampled_from([1e-3, 1e-2, 0.1])),
        betas=draw(st.sampled_from([(0.9, 0.999), (0.8, 0.99)])),
        eps=draw(st.sampled_from([1e-8, 1e-3])),
        weight_decay=draw(st.sampled_from([0.0, 0.01])),
        bias_correction=draw(st.booleans()),
    )


def _ex(name, t, points=1.0, hidden=False, hint="", m=_M, v=_V, **kw):
    return Example(name, function="adam_step", args=(_P, _G, m, v, t), kwargs=kw,
                   outputs=("param", "m", "v"), points=points, hidden=hidden, hint=hint,
                   diagnoses=_MISTAKES)


EXERCISE = Exercise(
    "adam_step",
    "One Adam step (with and without bias correction)",
    lesson="W03, W04, W09, W15, W16, W21",
    order=100,
    forbidden_imports=("torch", "tinygrad_edu.optim"),
    checks=[
        Example("seed W15: no bias correction, β = (0.9, 0.99), ε = 0.001",
                function="adam_step",
                args=(np.array([1.0, 1.0]), np.array([-0.1, -0.2]), _ZERO2, _ZERO2, 1),
                kwargs={"lr": 0.001, "betas": (0.9, 0.99), "eps": 0.001,
                        "bias_correction": False},
                expected=(_W15_P, _W15_M, _W15_V), outputs=("param", "m", "v"), points=2,
                diagnoses=_MISTAKES,
                hint="v ← β₂v + (1 − β₂)g²; a negative gradient moves θ up."),
        _ex("first step with bias correction (t = 1)", 1, points=2, m=np.zeros(3),
            v=np.zeros(3), lr=0.01,
            hint="With m = v = 0 and t = 1, bias-corrected Adam moves each θ by about lr."),
        _ex("a later step (t = 3) with bias correction", 3, points=2, lr=0.01),
        _ex("a later step (t = 3) without bias correction", 3, lr=0.01, bias_correction=False),
        _ex("ε = 0.1 makes its placement visible", 2, lr=0.01, eps=0.1),
        _ex("weight decay (L2, added to the gradient)", 2, hidden=True, lr=0.01,
            weight_decay=0.1),
        _ex("step 1000: the bias correction has almost vanished", 1000, hidden=True, lr=0.01,
            betas=(0.9, 0.99)),
        Property("matches the reference on random states", function="adam_step",
                 strategy=_cases(), outputs=("param", "m", "v"), hidden=True, points=3,
                 diagnoses=_MISTAKES),
    ],
)
# END GRADER
