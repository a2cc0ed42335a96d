"""PyTorch as the oracle: every optimiser with every combination of its options, and every
scheduler, run side by side with ``torch.optim`` on the same numbers.

Each optimiser case runs 50 steps on float64 parameters of several shapes, in two
parameter groups with different learning rates, fed the same sequence of random
gradients (from a seeded numpy Generator); one parameter gets no gradient every few
steps, so both libraries must skip it the same way. Parameters and every state array
must agree to 1e-12 (the two differ only in rounding: PyTorch's ``lerp``/``addcdiv``
versus our ``β·m + (1−β)·g`` and ``/``).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler as sched
from tinygrad_edu.tensor import Tensor

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for these tests "
                                            "(pip install tinygrad-edu[oracle])")
pytestmark = pytest.mark.torch

SHAPES = [(3,), (2, 4), (2, 3, 2), ()]
STEPS = 50
ATOL = 1e-12  # measured: at most 2e-15 after 50 steps (rounding only)


def _combos(**options):
    """Every combination of the given option values, as dicts."""
    keys = list(options)
    return [dict(zip(keys, values, strict=True))
            for values in itertools.product(*options.values())]


def _cases():
    cases = []

    def add(name, kwargs, torch_kwargs=None):
        label = ",".join(f"{k}={v}" for k, v in kwargs.items())
        cases.append(pytest.param(name, kwargs, torch_kwargs or kwargs, id=f"{name}[{label}]"))

    for kw in _combos(momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True],
                      weight_decay=[0.0, 0.05], maximize=[False, True]):
        if kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0):
            continue  # invalid in both libraries (tested in test_optim.py)
        add("SGD", {"lr": 0.05, **kw})
    for name in ("Adam", "AdamW"):
        for kw in _combos(weight_decay=[0.0, 0.1], amsgrad=[False, True],
                          maximize=[False, True]):
            add(name, {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, **kw})
    for kw in _combos(lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1],
                      initial_accumulator_value=[0.0, 0.3], maximize=[False, True]):
        add("Adagrad", {"lr": 0.05, **kw})
    for kw in _combos(weight_decay=[0.0, 0.1], maximize=[False, True]):
        add("Adamax", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-6, **kw})
    for kw in _combos(centered=[False, True], momentum=[0.0, 0.7], weight_decay=[0.0, 0.1],
                      maximize=[False, True]):
        add("RMSprop", {"lr": 0.005, "alpha": 0.9, **kw})
    # the defaults, unchanged
    for name in ("SGD", "Adam", "AdamW", "Adagrad", "Adamax", "RMSprop"):
        add(name, {})
    return cases


def _setup(rng: np.random.Generator):
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(STEPS)]
    return init, grads


@pytest.mark.parametrize("name, kwargs, torch_kwargs", _cases())
def test_optimizer_matches_torch(name, kwargs, torch_kwargs):
    init, grads = _setup(np.random.default_rng(1234))
    ours = [Tensor(a.copy(), dtype="float64", requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in init]
    opt = getattr(optim, name)(ours[:2], **kwargs)
    topt = getattr(torch.optim, name)(theirs[:2], **torch_kwargs, foreach=False)
    assert opt.defaults["lr"] == topt.defaults["lr"]   # same default lr too
    # a second group with half the learning rate
    opt.add_param_group({"params": ours[2:], "lr": opt.defaults["lr"] / 2})
    topt.add_param_group({"params": theirs[2:], "lr": topt.defaults["lr"] / 2})
    for step, g in enumerate(grads):
        for i, (p, tp, gi) in enumerate(zip(ours, theirs, g, strict=True)):
            if i == 1 and step % 7 == 3:   # no gradient this step: both must skip it
                p.grad, tp.grad = None, None
            else:
                p.grad = Tensor(gi, dtype="float64")
                tp.grad = torch.tensor(gi, dtype=torch.float64)
        opt.step()
        topt.step()
    for i, (p, tp) in enumerate(zip(ours, theirs, strict=True)):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=0, atol=ATOL,
                                   err_msg=f"{name} parameter {i} (shape {SHAPES[i]})")
        tstate, state = topt.state[tp], opt.state[p]
        if "step" in tstate:
            assert int(tstate["step"]) == state["step"]
        for key, value in tstate.items():
            if key == "step" or value is None:
                continue  # SGD without momentum keeps momentum_buffer = None
            np.testing.assert_allclose(state[key], value.numpy(), rtol=0, atol=ATOL,
                                       err_msg=f"{name} state {key!r} of parameter {i}")


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad", "Adamax", "RMSprop"])
def test_defaults_match_torch(name):
    ours = getattr(optim, name)([Tensor([0.0], requires_grad=True)]).defaults
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
    shared = set(ours) & set(theirs)
    assert {"lr", "weight_decay", "maximize"} <= shared
    assert {k: ours[k] for k in shared} == {k: theirs[k] for k in shared}


def test_fused_adam_step_matches_torch_single_step():
    """backend.adam_step computes p −= lr/bc1 · m/(√(v/bc2) + ε) — PyTorch's form
    p −= lr/bc1 · m/(√v/√bc2 + ε), with ε added after the bias correction."""
    from tinygrad_edu.backend import get_backend

    rng = np.random.default_rng(0)
    p, g = rng.standard_normal(5), rng.standard_normal(5)
    m, v = rng.standard_normal(5), rng.random(5)
    tp = torch.tensor(p.copy(), requires_grad=True)
    topt = torch.optim.Adam([tp], lr=0.1, betas=(0.7, 0.8), eps=1e-3, foreach=False)
    tp.grad = torch.tensor(g)
    topt.step()  # creates the state; then overwrite it with m, v at step 4 and redo
    with torch.no_grad():
        tp.copy_(torch.tensor(p))
    topt.state[tp]["exp_avg"].copy_(torch.tensor(m))
    topt.state[tp]["exp_avg_sq"].copy_(torch.tensor(v))
    topt.state[tp]["step"].fill_(3)
    topt.step()
    ours, m2, v2 = p.copy(), m.copy(), v.copy()
    get_backend("cpu").adam_step(ours, g, m2, v2, lr=0.1, beta1=0.7, beta2=0.8, eps=1e-3,
                                 bias_correction1=1 - 0.7**4, bias_correction2=1 - 0.8**4)
    np.testing.assert_allclose(ours, tp.detach().numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(m2, topt.state[tp]["exp_avg"].numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(v2, topt.state[tp]["exp_avg_sq"].numpy(), rtol=0, atol=1e-15)


# ---- schedulers --------------------------------------------------------------------
SCHEDULER_CASES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("StepLR", {"step_size": 1, "gamma": 0.97}),
    ("MultiStepLR", {"milestones": [10, 30, 30, 60], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.96}),
    ("CosineAnnealingLR", {"T_max": 100}),
    ("CosineAnnealingLR", {"T_max": 30, "eta_min": 0.001}),   # goes past T_max twice
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.02}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 20}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.25, "total_iters": 40}),
    ("LambdaLR", {"lr_lambda": lambda t: 1 / (1 + 0.05 * t)}),
    ("LambdaLR", {"lr_lambda": [lambda t: 0.9**t, lambda t: math.cos(t / 30) ** 2]}),
]


def _scheduler_pair(lrs=(0.1, 0.05)):
    ours = optim.SGD([{"params": [Tensor([0.0], requires_grad=True)], "lr": lr} for lr in lrs])
    theirs = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                              for lr in lrs])
    return ours, theirs


def _compare_schedules(ours_sched, torch_sched, step_ours, step_theirs, steps=100):
    for t in range(steps):
        np.testing.assert_allclose(ours_sched.get_last_lr(), torch_sched.get_last_lr(),
                                   rtol=1e-12, atol=1e-15, err_msg=f"epoch {t}")
        torch_sched.optimizer.step()   # PyTorch warns if its scheduler steps first
        step_ours(t)
        step_theirs(t)


@pytest.mark.parametrize("name, kwargs", SCHEDULER_CASES,
                         ids=[f"{n}{sorted(k.items())}" for n, k in SCHEDULER_CASES])
def test_scheduler_matches_torch(name, kwargs):
    opt, topt = _scheduler_pair()
    ours = getattr(sched, name)(opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    _compare_schedules(ours, theirs, lambda t: ours.step(), lambda t: theirs.step())
    for group, tgroup in zip(opt.param_groups, topt.param_groups, strict=True):
        assert group["initial_lr"] == tgroup["initial_lr"]


@pytest.mark.parametrize("staircase", [False, True])
def test_inverse_time_lr_matches_torch_lambda_lr(staircase):
    """PyTorch has no InverseTimeLR; LambdaLR with 1/(1 + r·⌊t/k⌋) is the same schedule."""
    opt, topt = _scheduler_pair()
    ours = sched.InverseTimeLR(opt, decay_rate=0.3, decay_steps=4, staircase=staircase)
    floor = math.floor if staircase else (lambda x: x)
    theirs = torch.optim.lr_scheduler.LambdaLR(topt, lambda t: 1 / (1 + 0.3 * floor(t / 4)))
    _compare_schedules(ours, theirs, lambda t: ours.step(), lambda t: theirs.step())


PLATEAU_CASES = [
    {},
    {"patience": 2, "factor": 0.5},
    {"patience": 0, "factor": 0.7, "cooldown": 3, "min_lr": 0.01},
    {"patience": 1, "threshold": 0.05, "threshold_mode": "abs", "min_lr": [0.02, 0.001]},
    {"mode": "max", "patience": 3, "factor": 0.2, "threshold": 0.01},
    {"mode": "max", "patience": 1, "threshold_mode": "abs", "threshold": 0.0, "cooldown": 1},
    {"patience": 4, "factor": 0.999999999, "eps": 1e-8},   # reductions below eps are skipped
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=[str(sorted(k.items()))
                                                       for k in PLATEAU_CASES])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    # a noisy, mostly falling loss with long plateaus; rounded so that ties happen
    rng = np.random.default_rng(7)
    metrics = np.round(np.maximum(1.0 - 0.02 * np.arange(100), 0.3)
                       + 0.05 * rng.standard_normal(100), 2)
    if kwargs.get("mode") == "max":
        metrics = 1 - metrics
    opt, topt = _scheduler_pair()
    ours = sched.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    _compare_schedules(ours, theirs, lambda t: ours.step(metrics[t]),
                       lambda t: theirs.step(metrics[t]))
    assert ours.num_bad_epochs == theirs.num_bad_epochs
    assert ours.best == theirs.best
    assert opt.param_groups[0]["lr"] < 0.1 or kwargs.get("factor", 0) > 0.9
