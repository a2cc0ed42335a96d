"""Optimisers: the first steps of every update rule, checked against the rule written out
by hand (float64 numpy, unrolled step by step, independent of the implementation), plus
the machinery shared by all of them — parameter groups, skipping, zero_grad, state dicts
and resuming, error messages."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tinygrad_edu.backend import get_backend
from tinygrad_edu.optim import SGD, Adagrad, Adam, Adamax, AdamW, Optimizer, RMSprop
from tinygrad_edu.optim import lr_scheduler as sched
from tinygrad_edu.tensor import Tensor

THETA0 = np.array([0.5, -1.5, 2.0])
# Gradients chosen with mixed signs, a zero, and a coordinate that shrinks (for AMSGrad)
GRADS = [np.array([0.3, -0.2, 0.0]), np.array([-0.1, 0.4, 0.25]), np.array([0.2, 0.1, -0.5])]


def param(values=THETA0) -> Tensor:
    return Tensor(np.array(values, dtype=np.float64), dtype="float64", requires_grad=True)


def run(opt_factory, grads=GRADS, theta0=THETA0) -> list[np.ndarray]:
    """θ after each step, feeding the given gradients (independent of θ) one per step."""
    p = param(theta0)
    opt = opt_factory([p])
    history = []
    for g in grads:
        p.grad = Tensor(g, dtype="float64")
        opt.step()
        history.append(p.data.copy())
    return history


def check(history, expected) -> None:
    assert len(history) == len(expected)
    for t, (got, want) in enumerate(zip(history, expected, strict=True), start=1):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-14, err_msg=f"step {t}")


g1, g2, g3 = GRADS
t0 = THETA0


# ---- SGD ---------------------------------------------------------------------------
def test_sgd_plain():
    lr = 0.1
    th1 = t0 - lr * g1
    th2 = th1 - lr * g2
    th3 = th2 - lr * g3
    check(run(lambda ps: SGD(ps, lr=lr)), [th1, th2, th3])


def test_sgd_weight_decay_is_added_to_the_gradient():
    lr, wd = 0.1, 0.05
    th1 = t0 - lr * (g1 + wd * t0)
    th2 = th1 - lr * (g2 + wd * th1)
    check(run(lambda ps: SGD(ps, lr=lr, weight_decay=wd), GRADS[:2]), [th1, th2])


def test_sgd_momentum_with_dampening():
    lr, mu, tau = 0.1, 0.9, 0.3
    b1 = g1                                   # first buffer is g itself, not (1-τ)·g
    th1 = t0 - lr * b1
    b2 = mu * b1 + (1 - tau) * g2
    th2 = th1 - lr * b2
    b3 = mu * b2 + (1 - tau) * g3
    th3 = th2 - lr * b3
    check(run(lambda ps: SGD(ps, lr=lr, momentum=mu, dampening=tau)), [th1, th2, th3])


def test_sgd_nesterov_with_weight_decay():
    lr, mu, wd = 0.1, 0.9, 0.01
    d1 = g1 + wd * t0
    b1 = d1
    th1 = t0 - lr * (d1 + mu * b1)
    d2 = g2 + wd * th1
    b2 = mu * b1 + d2
    th2 = th1 - lr * (d2 + mu * b2)
    d3 = g3 + wd * th2
    b3 = mu * b2 + d3
    th3 = th2 - lr * (d3 + mu * b3)
    check(run(lambda ps: SGD(ps, lr=lr, momentum=mu, nesterov=True, weight_decay=wd)),
          [th1, th2, th3])


def test_sgd_maximize_climbs():
    lr = 0.1
    th1 = t0 + lr * g1
    th2 = th1 + lr * g2
    check(run(lambda ps: SGD(ps, lr=lr, maximize=True), GRADS[:2]), [th1, th2])


# ---- Adam --------------------------------------------------------------------------
def test_adam_seed_worked_example_w15_without_bias_correction():
    """W15: θ0=[1,1], g=[−0.1,−0.2], β1=0.9, β2=0.99, α=0.001, ε=0.001, no bias correction.

    m1 = 0.1·g = [−0.01, −0.02] and v1 = 0.01·g² = [1e-4, 4e-4]. The seed states
    v1 = [0.001, 0.004] (0.01·[0.01, 0.04] is 1e-4, 4e-4 — an arithmetic slip) and
    θ1 ≈ [0.998, 0.996] (wrong direction: g < 0, so θ must grow). The engine's value is
    θ1 = θ0 − α·m1/(√v1 + ε) = [1.000909..., 1.000952...].
    """
    theta0, g = np.array([1.0, 1.0]), np.array([-0.1, -0.2])
    alpha, b1, b2, eps = 0.001, 0.9, 0.99, 0.001
    p = param(theta0)
    p.grad = Tensor(g, dtype="float64")
    opt = Adam([p], lr=alpha, betas=(b1, b2), eps=eps, bias_correction=False)
    opt.step()
    m1 = np.array([-0.01, -0.02])
    v1 = np.array([1e-4, 4e-4])
    # rtol 1e-14, not exact: 1 − 0.99 is not exactly 0.01 in binary floating point
    np.testing.assert_allclose(opt.state[p]["exp_avg"], m1, rtol=1e-14)
    np.testing.assert_allclose(opt.state[p]["exp_avg_sq"], v1, rtol=1e-14)
    theta1 = theta0 - alpha * m1 / (np.sqrt(v1) + eps)
    np.testing.assert_allclose(p.data, theta1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [1 + 0.001 / 1.1, 1 + 0.002 / 2.1], rtol=0, atol=1e-15)


def test_adam_seed_worked_example_w15_with_bias_correction():
    """With bias correction the first step is m̂1 = g, v̂1 = g², so θ1 = θ0 − α·g/(|g| + ε)
    — about α per coordinate, whatever the gradient's size."""
    theta0, g = np.array([1.0, 1.0]), np.array([-0.1, -0.2])
    alpha, eps = 0.001, 0.001
    p = param(theta0)
    p.grad = Tensor(g, dtype="float64")
    Adam([p], lr=alpha, betas=(0.9, 0.99), eps=eps).step()
    theta1 = theta0 - alpha * g / (np.abs(g) + eps)
    np.testing.assert_allclose(p.data, theta1, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p.data, [1 + 0.001 * 0.1 / 0.101, 1 + 0.001 * 0.2 / 0.201],
                               rtol=0, atol=1e-15)


def _adam_by_hand(lr, b1, b2, eps, wd=0.0, decoupled=False, bias_correction=True,
                  amsgrad=False):
    """Adam's three steps written out; shared by the Adam tests below so each option is
    one line, but independent of the library's code."""
    th, m, v, vmax, out = t0.copy(), 0.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        if decoupled:
            th = th * (1 - lr * wd)
        elif wd:
            g = g + wd * th
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        bc1, bc2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
        m_hat, v_hat = m / bc1, (vmax if amsgrad else v) / bc2
        th = th - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(th)
    return out


def test_adam_defaults_three_steps_closed_form():
    # Fully unrolled for step 1 and 2, to pin the helper itself to the paper's rule.
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    th1 = t0 - lr * (m1 / (1 - b1)) / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    th2 = th1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + eps)
    hand = _adam_by_hand(lr, b1, b2, eps)
    np.testing.assert_allclose(hand[:2], [th1, th2], rtol=0, atol=1e-15)
    check(run(lambda ps: Adam(ps)), hand)


def test_adam_without_bias_correction():
    hand = _adam_by_hand(0.01, 0.9, 0.99, 1e-3, bias_correction=False)
    check(run(lambda ps: Adam(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-3,
                              bias_correction=False)), hand)


def test_adam_l2_weight_decay():
    hand = _adam_by_hand(0.01, 0.9, 0.999, 1e-8, wd=0.1)
    check(run(lambda ps: Adam(ps, lr=0.01, weight_decay=0.1)), hand)


def test_adamw_decoupled_weight_decay():
    hand = _adam_by_hand(0.01, 0.9, 0.999, 1e-8, wd=0.1, decoupled=True)
    check(run(lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1)), hand)
    # and it really differs from L2 decay
    assert not np.allclose(hand[-1], _adam_by_hand(0.01, 0.9, 0.999, 1e-8, wd=0.1)[-1])


def test_adamw_default_weight_decay_is_1e_2():
    p = param()
    assert AdamW([p]).param_groups[0]["weight_decay"] == 1e-2
    assert Adam([p]).param_groups[0]["weight_decay"] == 0


def test_adam_amsgrad_uses_the_running_max_of_v():
    # β2 = 0.5 forgets fast, so v falls at step 3 for coordinate 1 and v_max ≠ v
    hand = _adam_by_hand(0.01, 0.9, 0.5, 1e-8, amsgrad=True)
    plain = _adam_by_hand(0.01, 0.9, 0.5, 1e-8)
    assert not np.allclose(hand[-1], plain[-1])
    check(run(lambda ps: Adam(ps, lr=0.01, betas=(0.9, 0.5), amsgrad=True)), hand)


def test_adam_amsgrad_without_bias_correction_and_with_decay():
    hand = _adam_by_hand(0.01, 0.8, 0.5, 1e-3, wd=0.2, bias_correction=False, amsgrad=True)
    check(run(lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.5), eps=1e-3, weight_decay=0.2,
                              amsgrad=True, bias_correction=False)), hand)


def test_adam_uses_the_backends_fused_step(monkeypatch):
    """Without amsgrad, Adam must call backend.adam_step (the GPU runs it as one kernel)."""
    backend = get_backend("cpu")
    calls = []
    original = backend.adam_step

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(backend, "adam_step", spy)
    run(lambda ps: Adam(ps, lr=0.01))
    assert len(calls) == 3
    assert calls[1]["bias_correction1"] == pytest.approx(1 - 0.9**2)
    calls.clear()
    run(lambda ps: Adam(ps, amsgrad=True))
    assert calls == []


# ---- Adagrad -----------------------------------------------------------------------
def test_adagrad_with_lr_decay_initial_accumulator_and_weight_decay():
    lr, decay, s0, wd, eps = 0.1, 0.5, 0.2, 0.05, 1e-10
    d1 = g1 + wd * t0
    s1 = s0 + d1**2
    th1 = t0 - lr / (1 + 0 * decay) * d1 / (np.sqrt(s1) + eps)
    d2 = g2 + wd * th1
    s2 = s1 + d2**2
    th2 = th1 - lr / (1 + 1 * decay) * d2 / (np.sqrt(s2) + eps)
    d3 = g3 + wd * th2
    s3 = s2 + d3**2
    th3 = th2 - lr / (1 + 2 * decay) * d3 / (np.sqrt(s3) + eps)
    check(run(lambda ps: Adagrad(ps, lr=lr, lr_decay=decay, initial_accumulator_value=s0,
                                 weight_decay=wd)), [th1, th2, th3])


def test_adagrad_defaults_first_step_is_lr_times_sign():
    # S1 = g², so θ1 = θ0 − lr·g/(|g| + 1e-10): a step of lr per coordinate (0 where g = 0)
    th1 = t0 - 1e-2 * g1 / (np.abs(g1) + 1e-10)
    check(run(lambda ps: Adagrad(ps), GRADS[:1]), [th1])


# ---- Adamax ------------------------------------------------------------------------
def test_adamax_three_steps_eps_inside_the_max():
    lr, b1, b2, eps = 2e-3, 0.9, 0.999, 1e-8
    m1 = (1 - b1) * g1
    u1 = np.maximum(b2 * 0.0, np.abs(g1) + eps)   # the zero gradient gives u = ε, not 0
    th1 = t0 - lr / (1 - b1) * m1 / u1
    m2 = b1 * m1 + (1 - b1) * g2
    u2 = np.maximum(b2 * u1, np.abs(g2) + eps)
    th2 = th1 - lr / (1 - b1**2) * m2 / u2
    m3 = b1 * m2 + (1 - b1) * g3
    u3 = np.maximum(b2 * u2, np.abs(g3) + eps)
    th3 = th2 - lr / (1 - b1**3) * m3 / u3
    assert u1[2] == eps
    check(run(lambda ps: Adamax(ps)), [th1, th2, th3])


def test_adamax_weight_decay():
    lr, b1, b2, eps, wd = 0.01, 0.8, 0.9, 1e-3, 0.1
    d1 = g1 + wd * t0
    m1, u1 = (1 - b1) * d1, np.abs(d1) + eps
    th1 = t0 - lr / (1 - b1) * m1 / u1
    d2 = g2 + wd * th1
    m2, u2 = b1 * m1 + (1 - b1) * d2, np.maximum(b2 * u1, np.abs(d2) + eps)
    th2 = th1 - lr / (1 - b1**2) * m2 / u2
    check(run(lambda ps: Adamax(ps, lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd),
              GRADS[:2]), [th1, th2])


# ---- RMSprop -----------------------------------------------------------------------
def test_rmsprop_plain():
    lr, a, eps = 0.01, 0.99, 1e-8
    s1 = (1 - a) * g1**2
    th1 = t0 - lr * g1 / (np.sqrt(s1) + eps)
    s2 = a * s1 + (1 - a) * g2**2
    th2 = th1 - lr * g2 / (np.sqrt(s2) + eps)
    check(run(lambda ps: RMSprop(ps), GRADS[:2]), [th1, th2])


def test_rmsprop_centered_with_momentum_and_weight_decay():
    lr, a, eps, mu, wd = 0.01, 0.9, 1e-6, 0.5, 0.1
    d1 = g1 + wd * t0
    s1, gbar1 = (1 - a) * d1**2, (1 - a) * d1
    b1 = d1 / (np.sqrt(s1 - gbar1**2) + eps)
    th1 = t0 - lr * b1
    d2 = g2 + wd * th1
    s2, gbar2 = a * s1 + (1 - a) * d2**2, a * gbar1 + (1 - a) * d2
    b2 = mu * b1 + d2 / (np.sqrt(s2 - gbar2**2) + eps)
    th2 = th1 - lr * b2
    d3 = g3 + wd * th2
    s3, gbar3 = a * s2 + (1 - a) * d3**2, a * gbar2 + (1 - a) * d3
    b3 = mu * b2 + d3 / (np.sqrt(s3 - gbar3**2) + eps)
    th3 = th2 - lr * b3
    check(run(lambda ps: RMSprop(ps, lr=lr, alpha=a, eps=eps, momentum=mu, centered=True,
                                 weight_decay=wd)), [th1, th2, th3])


def test_rmsprop_momentum_not_centered():
    lr, a, eps, mu = 0.01, 0.9, 1e-8, 0.9
    s1 = (1 - a) * g1**2
    b1 = g1 / (np.sqrt(s1) + eps)
    th1 = t0 - lr * b1
    s2 = a * s1 + (1 - a) * g2**2
    b2 = mu * b1 + g2 / (np.sqrt(s2) + eps)
    th2 = th1 - lr * b2
    check(run(lambda ps: RMSprop(ps, lr=lr, alpha=a, momentum=mu), GRADS[:2]), [th1, th2])


def test_rmsprop_centered_constant_gradient_never_gives_nan():
    # with a constant g, s − ḡ² = α^t(1 − α^t)·g² underflows relative to s and can round
    # below zero; √ of it must not become NaN
    p = param([1.0, -1.0, 3.0])
    opt = RMSprop([p], lr=1e-6, alpha=0.5, centered=True)
    for _ in range(80):
        p.grad = Tensor(np.array([0.1, 0.3, 0.7]), dtype="float64")
        opt.step()
    assert np.all(np.isfinite(p.data))


# ---- the shared machinery ----------------------------------------------------------
ALL_OPTIMIZERS = [
    pytest.param(lambda ps, **kw: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, **kw), id="sgd"),
    pytest.param(lambda ps, **kw: Adam(ps, lr=0.05, amsgrad=True, **kw), id="adam-amsgrad"),
    pytest.param(lambda ps, **kw: Adam(ps, lr=0.05, **kw), id="adam"),
    pytest.param(lambda ps, **kw: AdamW(ps, lr=0.05, **kw), id="adamw"),
    pytest.param(lambda ps, **kw: Adagrad(ps, lr=0.1, lr_decay=0.01, **kw), id="adagrad"),
    pytest.param(lambda ps, **kw: Adamax(ps, lr=0.05, weight_decay=0.01, **kw), id="adamax"),
    pytest.param(lambda ps, **kw: RMSprop(ps, lr=0.01, momentum=0.5, centered=True, **kw),
                 id="rmsprop"),
]


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_params_with_grad_none_are_skipped(make):
    a, b = param(), param([3.0, 4.0])
    opt = make([a, b])
    a.grad = Tensor(g1, dtype="float64")      # b.grad stays None
    opt.step()
    np.testing.assert_array_equal(b.data, [3.0, 4.0])
    assert b not in opt.state                  # no state is made for a skipped parameter
    assert opt.state[a]["step"] == 1
    assert not np.array_equal(a.data, t0)


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_step_is_in_place_and_keeps_dtype(make):
    p = Tensor(np.array([1.0, -2.0], dtype=np.float32), requires_grad=True)
    alias = p.data
    opt = make([p])
    p.grad = Tensor(np.array([0.5, 0.25], dtype=np.float32))
    opt.step()
    assert p.data is alias
    assert p.data.dtype == np.float32
    assert all(getattr(v, "dtype", np.float32) == np.float32 for v in opt.state[p].values()
               if isinstance(v, np.ndarray))


def test_param_groups_with_different_lr():
    a, b = param(), param()
    opt = SGD([{"params": [a], "lr": 0.5}, {"params": [b]}], lr=0.1, momentum=0.0)
    assert opt.param_groups[1]["lr"] == 0.1          # missing options come from defaults
    assert opt.param_groups[0]["momentum"] == 0.0
    for p in (a, b):
        p.grad = Tensor(g1, dtype="float64")
    opt.step()
    np.testing.assert_allclose(a.data, t0 - 0.5 * g1, atol=1e-15)
    np.testing.assert_allclose(b.data, t0 - 0.1 * g1, atol=1e-15)


def test_param_groups_with_different_options_per_group():
    a, b = param(), param()
    opt = Adam([{"params": [a], "weight_decay": 0.1, "betas": (0.5, 0.9)}, {"params": [b]}],
               lr=0.01)
    for p in (a, b):
        p.grad = Tensor(g1, dtype="float64")
    opt.step()
    wa = g1 + 0.1 * t0
    np.testing.assert_allclose(a.data, t0 - 0.01 * wa / (np.abs(wa) + 1e-8), atol=1e-15)
    np.testing.assert_allclose(b.data, t0 - 0.01 * g1 / (np.abs(g1) + 1e-8), atol=1e-15)


def test_add_param_group_and_named_parameters():
    a, b = param(), param()
    opt = SGD([("layer.weight", a)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["layer.weight"]
    opt.add_param_group({"params": b, "lr": 0.01})     # a single Tensor is accepted here
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_zero_grad_set_to_none_and_to_zero():
    p = param()
    opt = SGD([p], lr=0.1)
    p.grad = Tensor(g1, dtype="float64")
    opt.zero_grad()
    assert p.grad is None
    p.grad = Tensor(g1.copy(), dtype="float64")
    buf = p.grad.data
    opt.zero_grad(set_to_none=False)
    assert p.grad.data is buf and np.all(buf == 0)


def test_zero_grad_before_backward_accumulates_fresh_gradients():
    p = param()
    opt = SGD([p], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        (p * p).sum().backward()
    np.testing.assert_allclose(p.grad.data, 2 * t0)   # not 4·θ: the first grad was cleared


def test_step_with_closure_returns_loss():
    p = param()
    opt = SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == pytest.approx(float(t0 @ t0))
    np.testing.assert_allclose(p.data, t0 - 0.1 * 2 * t0)


# ---- state dicts and resuming ------------------------------------------------------
TARGET = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
SCALE = np.array([[1.0, 4.0, 0.5], [2.0, 1.0, 8.0]])


def quadratic_step(p: Tensor, opt: Optimizer, scheduler) -> float:
    opt.zero_grad()
    diff = p - Tensor(TARGET, dtype="float64")
    loss = (diff * diff * Tensor(SCALE, dtype="float64")).sum()
    loss.backward()
    opt.step()
    if isinstance(scheduler, sched.ReduceLROnPlateau):
        scheduler.step(loss.item())
    else:
        scheduler.step()
    return loss.item()


SCHEDULERS = [
    lambda o: sched.StepLR(o, step_size=4, gamma=0.5),
    lambda o: sched.CosineAnnealingLR(o, T_max=15, eta_min=1e-3),
    lambda o: sched.ReduceLROnPlateau(o, patience=1, factor=0.5, threshold=0.05),
    lambda o: sched.LambdaLR(o, lambda t: 1 / (1 + 0.1 * t)),
]


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
@pytest.mark.parametrize("make_sched", SCHEDULERS, ids=["step", "cosine", "plateau", "lambda"])
@pytest.mark.parametrize("via_json", [False, True], ids=["dict", "json"])
def test_resume_from_state_dicts_is_bit_identical(make, make_sched, via_json):
    init = np.zeros((2, 3))
    p = param(init)
    opt = make([p])
    scheduler = make_sched(opt)
    for _ in range(20):
        quadratic_step(p, opt, scheduler)
    uninterrupted = p.data.copy()

    p = param(init)
    opt = make([p])
    scheduler = make_sched(opt)
    for _ in range(10):
        quadratic_step(p, opt, scheduler)
    saved = {"theta": p.data.copy(), "opt": opt.state_dict(), "sched": scheduler.state_dict()}
    if via_json:  # plain data: JSON (arrays as lists) round-trips it, no pickle needed
        saved = json.loads(json.dumps(saved, default=lambda a: a.tolist()))
    for _ in range(3):  # keep training the old objects: the saved copies must not change
        quadratic_step(p, opt, scheduler)

    p2 = param(saved["theta"])
    opt2 = make([p2])
    scheduler2 = make_sched(opt2)
    opt2.load_state_dict(saved["opt"])
    scheduler2.load_state_dict(saved["sched"])
    for _ in range(10):
        quadratic_step(p2, opt2, scheduler2)
    np.testing.assert_array_equal(p2.data, uninterrupted)
    assert not np.array_equal(uninterrupted, init)


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_zero_dim_parameter_with_maximize_survives_a_json_round_trip(make):
    """A 0-d parameter is the awkward case: -g of a 0-d array is a numpy *scalar* (no
    in-place operators), and JSON turns a 0-d state array into a bare float."""
    def train(p, opt, steps):
        for t in range(steps):
            p.grad = Tensor(np.array(0.3 - 0.1 * t), dtype="float64")
            opt.step()

    p = param(1.0)
    opt = make([p], maximize=True)
    train(p, opt, 6)
    want = p.data.copy()

    p = param(1.0)
    opt = make([p], maximize=True)
    train(p, opt, 3)
    saved = json.loads(json.dumps(opt.state_dict(), default=lambda a: a.tolist()))
    p2 = param(p.data.copy())
    opt2 = make([p2], maximize=True)
    opt2.load_state_dict(saved)
    assert all(isinstance(v, np.ndarray) and v.shape == () for k, v in opt2.state[p2].items()
               if k != "step")
    for t in range(3, 6):
        p2.grad = Tensor(np.array(0.3 - 0.1 * t), dtype="float64")
        opt2.step()
    assert p2.data.shape == () and p2.data == want


def _is_plain(x) -> bool:
    if isinstance(x, dict):
        return all(isinstance(k, (int, str)) and _is_plain(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_is_plain(v) for v in x)
    return isinstance(x, (bool, int, float, str, np.ndarray)) or x is None


@pytest.mark.parametrize("make", ALL_OPTIMIZERS)
def test_state_dict_is_plain_data_with_copies(make):
    p = param()
    opt = make([p])
    p.grad = Tensor(g1, dtype="float64")
    opt.step()
    sd = opt.state_dict()
    assert _is_plain(sd)
    assert sd["param_groups"][0]["params"] == [0]
    assert sd["state"][0]["step"] == 1
    before = {k: np.copy(v) for k, v in sd["state"][0].items()}
    opt.step()
    for k, v in sd["state"][0].items():
        np.testing.assert_array_equal(v, before[k])      # later steps don't leak into it


def test_state_dict_restores_tuples_and_hyperparameters():
    p = param()
    opt = Adam([p], lr=0.01, betas=(0.8, 0.9))
    sd = opt.state_dict()
    assert sd["param_groups"][0]["betas"] == [0.8, 0.9]
    opt2 = Adam([param()], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["betas"] == (0.8, 0.9)
    assert opt2.param_groups[0]["lr"] == 0.01


def test_load_state_dict_rejects_a_different_layout():
    opt = SGD([param(), param()], lr=0.1)
    other = SGD([param()], lr=0.1)
    with pytest.raises(ValueError, match="parameter group 0 has 2 parameters"):
        other.load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="1 parameter groups, this optimizer has 2"):
        SGD([{"params": [param()]}, {"params": [param()]}]).load_state_dict(
            other.state_dict())


# ---- errors ------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda p: SGD(p, lr=-0.1), "SGD: invalid lr = -0.1 (expected lr >= 0)"),
    (lambda p: SGD(p, momentum=-1), "SGD: invalid momentum = -1"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "SGD: nesterov=True requires momentum > 0"),
    (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
     "requires momentum > 0 and dampening = 0"),
    (lambda p: Adam(p, lr=-1e-3), "Adam: invalid lr = -0.001"),
    (lambda p: Adam(p, betas=(1.0, 0.999)),
     "Adam: invalid betas[0] = 1.0 (expected 0 <= betas[0] < 1)"),
    (lambda p: Adam(p, betas=(0.9, -0.1)), "Adam: invalid betas[1] = -0.1"),
    (lambda p: Adam(p, betas=(0.9,)), "Adam: betas must be a pair"),
    (lambda p: Adam(p, eps=-1e-8), "Adam: invalid eps = -1e-08"),
    (lambda p: Adam(p, lr=float("nan")), "Adam: invalid lr = nan"),
    (lambda p: AdamW(p, weight_decay=-0.01), "AdamW: invalid weight_decay = -0.01"),
    (lambda p: AdamW(p, betas=(0.9, 1.5)), "AdamW: invalid betas[1] = 1.5"),
    (lambda p: Adamax(p, betas=(-0.1, 0.9)), "Adamax: invalid betas[0] = -0.1"),
    (lambda p: Adagrad(p, lr_decay=-1), "Adagrad: invalid lr_decay = -1"),
    (lambda p: Adagrad(p, initial_accumulator_value=-0.1),
     "Adagrad: invalid initial_accumulator_value = -0.1"),
    (lambda p: RMSprop(p, alpha=1.5), "RMSprop: invalid alpha = 1.5 (expected 0 <= alpha <= 1)"),
    (lambda p: RMSprop(p, momentum=-0.5), "RMSprop: invalid momentum = -0.5"),
    (lambda p: SGD([{"params": p, "lr": -2.0}], lr=0.1), "SGD: invalid lr = -2.0"),
])
def test_invalid_hyperparameters_name_the_optimizer_and_value(make, message):
    with pytest.raises(ValueError) as info:
        make([param()])
    assert message in str(info.value)


def test_invalid_params():
    p = param()
    with pytest.raises(TypeError, match="got a single Tensor; pass \\[tensor\\]"):
        SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Adam can only optimize Tensors, but one of the "
                                        "params is ndarray"):
        Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="same parameter twice"):
        SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        SGD([p * 2], lr=0.1)


def test_repr_lists_groups():
    text = repr(Adam([param()], lr=0.01))
    assert text.startswith("Adam (") and "lr: 0.01" in text and "betas: (0.9, 0.999)" in text


def test_adam_trains_a_quadratic_to_its_minimum():
    p = param(np.zeros((2, 3)))
    opt = Adam([p], lr=0.1)
    scheduler = sched.ExponentialLR(opt, gamma=0.99)
    losses = [quadratic_step(p, opt, scheduler) for _ in range(400)]
    assert losses[-1] < 1e-6 < losses[0]
    np.testing.assert_allclose(p.data, TARGET, atol=1e-3)
    assert math.isclose(scheduler.get_last_lr()[0], 0.1 * 0.99**400)
