"""Learning-rate schedules: each one against its closed form written out here, plus
ReduceLROnPlateau's bookkeeping, state dicts and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.optim import lr_scheduler as sched
from tinygrad_edu.tensor import Tensor


def make_opt(*lrs: float) -> SGD:
    """An optimiser with one parameter group per lr."""
    groups = [{"params": [Tensor([0.0], requires_grad=True)], "lr": lr} for lr in lrs]
    return SGD(groups, lr=lrs[0])


def trace(scheduler: sched.LRScheduler, steps: int) -> list[list[float]]:
    """The lrs of all groups at epochs 0 .. steps−1, read from the optimiser itself."""
    out = []
    for _ in range(steps):
        out.append([g["lr"] for g in scheduler.optimizer.param_groups])
        assert out[-1] == scheduler.get_last_lr()
        scheduler.step()
    return out


def assert_schedule(scheduler, steps, closed_form, lrs) -> None:
    got = trace(scheduler, steps)
    want = [[closed_form(lr0, t) for lr0 in lrs] for t in range(steps)]
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_step_lr():
    opt = make_opt(0.1, 0.02)
    assert_schedule(sched.StepLR(opt, step_size=3, gamma=0.5), 12,
                    lambda lr0, t: lr0 * 0.5 ** (t // 3), [0.1, 0.02])
    lrs = trace(sched.StepLR(make_opt(1.0), 2), 5)   # default gamma 0.1
    np.testing.assert_allclose(lrs, [[1.0], [1.0], [0.1], [0.1], [0.01]], rtol=1e-15)


def test_multistep_lr_counts_repeated_milestones():
    opt = make_opt(1.0)
    s = sched.MultiStepLR(opt, milestones=[5, 2, 5], gamma=0.1)   # order does not matter
    want = [1.0, 1.0, 0.1, 0.1, 0.1, 1e-3, 1e-3, 1e-3]
    np.testing.assert_allclose([lr for (lr,) in trace(s, 8)], want, rtol=1e-15)


def test_exponential_lr():
    assert_schedule(sched.ExponentialLR(make_opt(0.1, 1.0), gamma=0.9), 30,
                    lambda lr0, t: lr0 * 0.9**t, [0.1, 1.0])


def test_cosine_annealing_lr_through_and_past_t_max():
    eta_min, t_max = 0.01, 10

    def cosine(lr0, t):
        return eta_min + (lr0 - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2

    s = sched.CosineAnnealingLR(make_opt(0.1, 0.5), T_max=t_max, eta_min=eta_min)
    assert_schedule(s, 35, cosine, [0.1, 0.5])
    half = sched.CosineAnnealingLR(make_opt(1.0), T_max=4)
    lrs = [lr for (lr,) in trace(half, 9)]
    np.testing.assert_allclose(lrs, [1, (1 + math.sqrt(0.5)) / 2, 0.5, (1 - math.sqrt(0.5)) / 2,
                                     0, (1 - math.sqrt(0.5)) / 2, 0.5, (1 + math.sqrt(0.5)) / 2, 1],
                               atol=1e-15)


def test_lambda_lr_one_function_per_group():
    opt = make_opt(0.1, 0.2)
    s = sched.LambdaLR(opt, [lambda t: 0.95**t, lambda t: 1 / (t + 1)])
    got = trace(s, 10)
    np.testing.assert_allclose(got, [[0.1 * 0.95**t, 0.2 / (t + 1)] for t in range(10)],
                               rtol=1e-15)


def test_linear_lr_warm_up_and_decay():
    s, e, n = 0.25, 1.0, 4
    assert_schedule(sched.LinearLR(make_opt(0.1), start_factor=s, end_factor=e, total_iters=n),
                    10, lambda lr0, t: lr0 * (s + (e - s) * min(t, n) / n), [0.1])
    warm_from_zero = sched.LinearLR(make_opt(1.0), start_factor=0.0, total_iters=4)
    assert [lr for (lr,) in trace(warm_from_zero, 6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    decay = sched.LinearLR(make_opt(1.0), start_factor=1.0, end_factor=0.5, total_iters=2)
    assert [lr for (lr,) in trace(decay, 4)] == [1.0, 0.75, 0.5, 0.5]


def test_inverse_time_lr_is_the_seeds_alpha0_over_1_plus_lambda_t():
    """W03: α_t = α₀ / (1 + λt), α₀ = 0.01, λ = 0.01, for t = 0 .. 1000."""
    a0, lam = 0.01, 0.01
    s = sched.InverseTimeLR(make_opt(a0), decay_rate=lam)
    got = np.array(trace(s, 1001))[:, 0]
    t = np.arange(1001)
    np.testing.assert_allclose(got, a0 / (1 + lam * t), rtol=1e-14, atol=0)
    assert got[100] == pytest.approx(0.005)          # halved after 1/λ steps
    assert got[1000] == pytest.approx(0.01 / 11)     # ~1/t: far above 0.01·0.99^1000


def test_inverse_time_lr_decay_steps_and_staircase():
    a0, lam, k = 0.01, 0.01, 10
    t = np.arange(1001)
    smooth = np.array(trace(sched.InverseTimeLR(make_opt(a0), lam, decay_steps=k), 1001))[:, 0]
    np.testing.assert_allclose(smooth, a0 / (1 + lam * t / k), rtol=1e-14, atol=0)
    stairs = sched.InverseTimeLR(make_opt(a0), lam, decay_steps=k, staircase=True)
    got = np.array(trace(stairs, 1001))[:, 0]
    np.testing.assert_allclose(got, a0 / (1 + lam * np.floor(t / k)), rtol=1e-14, atol=0)
    assert got[9] == a0 and got[10] < a0


def test_scheduled_lr_is_the_lr_the_optimizer_uses():
    p = Tensor([1.0], dtype="float64", requires_grad=True)
    opt = SGD([p], lr=0.1)
    s = sched.StepLR(opt, step_size=1, gamma=0.5)
    for t in range(4):
        p.grad = Tensor([1.0], dtype="float64")
        before = p.data.copy()
        opt.step()
        assert (before - p.data)[0] == pytest.approx(0.1 * 0.5**t)
        s.step()


def test_construction_sets_epoch_zero_and_initial_lr():
    opt = make_opt(0.3)
    s = sched.ExponentialLR(opt, gamma=0.5)
    assert s.last_epoch == 0 and s.base_lrs == [0.3]
    assert opt.param_groups[0]["initial_lr"] == 0.3
    s.step()
    s.step()
    assert s.last_epoch == 2 and s.get_last_lr() == [0.3 * 0.25]
    assert s.lr_at(5) == [0.3 * 0.5**5] and s.last_epoch == 2   # lr_at changes nothing


def test_schedule_values_helper():
    values = sched.schedule_values(lambda o: sched.StepLR(o, step_size=2, gamma=0.5), 6, lr=0.8)
    assert values == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2]


# ---- ReduceLROnPlateau -------------------------------------------------------------
def plateau_trace(scheduler, metrics):
    out = []
    for m in metrics:
        scheduler.step(m)
        out.append(scheduler.get_last_lr()[0])
    return out


def test_plateau_reduces_after_patience_bad_epochs():
    s = sched.ReduceLROnPlateau(make_opt(1.0), patience=2, factor=0.5)
    # best 1.0 at epoch 1; epochs 2, 3 are bad (= patience, kept); 4 is the third: reduce
    lrs = plateau_trace(s, [1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6, 0.6])
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]
    assert s.best == 0.5 and s.last_epoch == 8


def test_plateau_threshold_cooldown_and_min_lr():
    # rel threshold 0.1: 0.95 is not an improvement on 1.0 (needs < 0.9)
    s = sched.ReduceLROnPlateau(make_opt(1.0), patience=0, factor=0.1, threshold=0.1,
                                cooldown=2, min_lr=0.005)
    lrs = plateau_trace(s, [1.0, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95])
    # epoch 2 bad → 0.1, cooldown 2 epochs, epoch 5 bad → 0.01, cooldown, epoch... min 0.005
    assert lrs == pytest.approx([1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01])
    assert plateau_trace(s, [0.95])[0] == pytest.approx(0.005)   # clipped at min_lr
    assert plateau_trace(s, [0.95] * 5)[-1] == pytest.approx(0.005)


def test_plateau_max_mode_and_abs_threshold():
    s = sched.ReduceLROnPlateau(make_opt(1.0), mode="max", patience=0, threshold=0.05,
                                threshold_mode="abs")
    # 0.54 improves on 0.5 by 0.04 < 0.05: a bad epoch; 0.7 is a real improvement
    assert plateau_trace(s, [0.5, 0.54, 0.7]) == pytest.approx([1.0, 0.1, 0.1])
    assert s.is_better(0.76, 0.7) and not s.is_better(0.75, 0.7)


# ---- state dicts -------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda o: sched.StepLR(o, 3, 0.5),
    lambda o: sched.MultiStepLR(o, [2, 4]),
    lambda o: sched.ExponentialLR(o, 0.9),
    lambda o: sched.CosineAnnealingLR(o, 7, 0.01),
    lambda o: sched.LambdaLR(o, lambda t: 1 / (1 + t)),
    lambda o: sched.LinearLR(o, 0.1, 1.0, 5),
    lambda o: sched.InverseTimeLR(o, 0.5, 2, staircase=True),
], ids=["step", "multistep", "exp", "cosine", "lambda", "linear", "inverse-time"])
def test_scheduler_state_dict_resumes_in_either_load_order(make):
    s = make(make_opt(0.1, 0.3))
    for _ in range(4):
        s.step()
    state = s.state_dict()
    assert "optimizer" not in state and "lr_lambdas" not in state
    rest = trace(s, 6)
    # build fresh, load the scheduler state only (no optimizer state): lrs come back
    s2 = make(make_opt(0.1, 0.3))
    s2.load_state_dict(state)
    assert s2.last_epoch == 4
    assert trace(s2, 6) == rest


def test_plateau_state_dict_round_trip():
    s = sched.ReduceLROnPlateau(make_opt(1.0), patience=1)
    plateau_trace(s, [3.0, 3.0, 3.0, 2.0, 2.5])
    state = s.state_dict()
    later = plateau_trace(s, [2.5, 2.5, 2.5])
    s2 = sched.ReduceLROnPlateau(make_opt(1.0), patience=1)
    s2.load_state_dict(state)
    assert s2.get_last_lr() == [s2.optimizer.param_groups[0]["lr"]] == [state["_last_lr"][0]]
    assert s2.get_last_lr()[0] == pytest.approx(0.1) and s2.best == 2.0
    assert plateau_trace(s2, [2.5, 2.5, 2.5]) == later


# ---- errors ------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda o: sched.StepLR(o, step_size=0), "StepLR: invalid step_size = 0"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: invalid T_max = 0"),
    (lambda o: sched.LinearLR(o, start_factor=-0.1), "LinearLR: invalid start_factor = -0.1"),
    (lambda o: sched.LinearLR(o, total_iters=0), "LinearLR: invalid total_iters = 0"),
    (lambda o: sched.InverseTimeLR(o, decay_rate=-1.0), "InverseTimeLR: invalid decay_rate"),
    (lambda o: sched.InverseTimeLR(o, 0.1, decay_steps=0), "invalid decay_steps = 0"),
    (lambda o: sched.LambdaLR(o, [lambda t: 1.0] * 3), "expected 1 lr_lambdas"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="best"), "invalid mode = 'best'"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="x"), "invalid threshold_mode"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), "invalid factor = 1.0"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), "expected 1 min_lrs"),
])
def test_invalid_scheduler_arguments(make, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        make(make_opt(0.1))


def test_scheduler_needs_an_optimizer_and_initial_lr_to_resume():
    with pytest.raises(TypeError, match="StepLR: expected an Optimizer, got list"):
        sched.StepLR([], step_size=1)
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(make_opt(0.1), step_size=1, last_epoch=5)
    with pytest.raises(TypeError, match="no closed form"):
        sched.ReduceLROnPlateau(make_opt(0.1)).lr_at(3)


def test_resuming_with_last_epoch_uses_initial_lr():
    opt = Adam([Tensor([0.0], requires_grad=True)], lr=0.1)
    sched.StepLR(opt, step_size=2, gamma=0.5)
    opt.param_groups[0]["lr"] = 123.0          # whatever lr is there, initial_lr wins
    s = sched.StepLR(opt, step_size=2, gamma=0.5, last_epoch=3)
    assert s.last_epoch == 4 and s.get_last_lr() == [0.1 * 0.25]
