"""tinygrad_edu.jit.TinyJit: a replayed training step gives what the eager step gives, and
what a replay cannot reproduce is refused loudly (or run eagerly, when that is safe)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.jit import TinyJit, TraceError, jit


def _mlp(seed: int = 0) -> nn.Module:
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Linear(20, 16, seed=rng), nn.ReLU(), nn.Linear(16, 5, seed=rng))


def _batches(n: int, batch: int = 8, seed: int = 1, ignore: bool = False
             ) -> list[tuple[Tensor, Tensor]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        y = rng.integers(0, 5, batch)
        if ignore:
            y[rng.random(batch) < 0.3] = -100
        out.append((Tensor(rng.standard_normal((batch, 20)).astype(np.float32)), Tensor(y)))
    return out


def _trainer(make_opt: Callable[[Any], optim.Optimizer], seed: int = 0
             ) -> tuple[nn.Module, optim.Optimizer, Callable[[Tensor, Tensor], Tensor]]:
    model = _mlp(seed)
    opt = make_opt(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step(x: Tensor, y: Tensor) -> Tensor:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return model, opt, step


OPTIMISERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1),
    "sgd_momentum_nesterov_wd": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True,
                                                    weight_decay=1e-3),
    "adam": lambda p: optim.Adam(p, lr=1e-2),
    "adamw_amsgrad": lambda p: optim.AdamW(p, lr=1e-2, amsgrad=True),
}


@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_replayed_steps_match_eager_steps(name: str) -> None:
    eager_model, eager_opt, eager_step = _trainer(OPTIMISERS[name])
    jit_model, jit_opt, plain_step = _trainer(OPTIMISERS[name])
    step = TinyJit(plain_step)
    for x, y in _batches(20):
        want, got = eager_step(x, y), step(x, y)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-7)
    for pe, pj in zip(eager_model.parameters(), jit_model.parameters(), strict=True):
        np.testing.assert_allclose(pj.numpy(), pe.numpy(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(pj.grad.numpy(), pe.grad.numpy(), rtol=1e-6, atol=1e-7)
    for se, sj in zip(eager_opt.state.values(), jit_opt.state.values(), strict=True):
        assert se["step"] == sj["step"] == 20
        for k in se:
            if k != "step":
                np.testing.assert_allclose(sj[k], se[k], rtol=1e-6, atol=1e-7)
    trace = next(iter(step._traces.values()))
    assert not isinstance(trace, int) and trace.verified  # the later calls were replays


def test_a_learning_rate_schedule_is_followed() -> None:
    results = []
    for use_jit in (False, True):
        model, opt, step = _trainer(lambda p: optim.Adam(p, lr=1e-2))
        sched = optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        fn = TinyJit(step) if use_jit else step
        losses = []
        for x, y in _batches(12):
            losses.append(float(fn(x, y).item()))
            sched.step()
        results.append((losses, [p.numpy().copy() for p in model.parameters()]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-6)
    for a, b in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)


def test_a_new_input_shape_is_traced_anew() -> None:
    _, _, eager_step = _trainer(OPTIMISERS["sgd"])
    _, _, plain_step = _trainer(OPTIMISERS["sgd"])
    step = jit(plain_step)
    batches = _batches(6, batch=8) + _batches(6, batch=5, seed=2) + _batches(3, batch=8, seed=3)
    for x, y in batches:
        np.testing.assert_allclose(step(x, y).numpy(), eager_step(x, y).numpy(), rtol=1e-6)
    assert len(step._traces) == 2


def test_a_data_dependent_shape_runs_eagerly_when_it_changes() -> None:
    # ignore_index: the loss's mean divides by the number of labels kept, found with a
    # boolean mask whose shape depends on the data; a replay checks it
    _, _, eager_step = _trainer(OPTIMISERS["adam"])
    _, _, plain_step = _trainer(OPTIMISERS["adam"])
    step = TinyJit(plain_step)
    for x, y in _batches(15, ignore=True):
        np.testing.assert_allclose(step(x, y).numpy(), eager_step(x, y).numpy(), rtol=1e-6)


def test_a_bad_label_in_a_replay_raises_the_eager_error() -> None:
    _, _, plain_step = _trainer(OPTIMISERS["sgd"])
    step = TinyJit(plain_step)
    for x, y in _batches(4):
        step(x, y)
    x, y = _batches(1)[0]
    with pytest.raises(ValueError, match="out of range"):
        step(x, Tensor(y.numpy() * 0 + 7))


def test_reading_a_value_into_python_inside_the_step_is_refused() -> None:
    model, opt, _ = _trainer(OPTIMISERS["sgd"])

    @TinyJit
    def step(x: Tensor, y: Tensor) -> float:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    (x, y), *_ = _batches(1)
    step(x, y)  # the warm-up call is eager: fine
    with pytest.raises(TraceError, match="reads a value into Python"):
        step(x, y)


def test_a_python_value_that_changes_between_steps_is_caught() -> None:
    model, opt, _ = _trainer(OPTIMISERS["sgd"])
    calls = [0]

    def step(x: Tensor, y: Tensor) -> Tensor:
        calls[0] += 1
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y) * (1.0 / calls[0])  # baked in
        loss.backward()
        opt.step()
        return loss

    jitted = TinyJit(step, state=[model, opt])
    batches = _batches(3)
    jitted(*batches[0])
    jitted(*batches[1])
    with pytest.raises(TraceError, match="did not give what running it gave"):
        jitted(*batches[2])


def test_state_the_jit_was_not_given_is_refused() -> None:
    model, opt, step = _trainer(OPTIMISERS["adam"])
    jitted = TinyJit(step, state=[model])  # the optimiser's moments are missing
    (x, y), *_ = _batches(1)
    jitted(x, y)
    with pytest.raises(TraceError, match="declared state"):
        jitted(x, y)


def test_an_input_that_requires_grad_is_refused() -> None:
    step = TinyJit(lambda x: (x * 2).sum())
    with pytest.raises(TraceError, match="requires grad"):
        step(Tensor([1.0, 2.0], requires_grad=True))


def test_a_pure_function_is_replayed_on_new_inputs() -> None:
    f = TinyJit(lambda a, b: ((a @ b).relu() + 1, (a * a).sum()), state=[])
    rng = np.random.default_rng(0)
    for _ in range(5):
        a = rng.standard_normal((3, 4)).astype(np.float32)
        b = rng.standard_normal((4, 2)).astype(np.float32)
        out, total = f(Tensor(a), Tensor(b))
        np.testing.assert_allclose(out.numpy(), np.maximum(a @ b, 0) + 1, rtol=1e-6)
        np.testing.assert_allclose(total.numpy(), (a * a).sum(), rtol=1e-6)
