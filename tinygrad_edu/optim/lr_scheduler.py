r"""Learning-rate schedules (PyTorch's ``torch.optim.lr_scheduler`` names and semantics).

A scheduler changes ``group["lr"]`` of every parameter group of an optimiser. Use it as
in PyTorch — build it right after the optimiser, and call ``step()`` once per epoch (or
per batch, for warm-up), *after* ``optimizer.step()``::

    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)        # uses lr = 0.1·0.1^(epoch // 30)
        sched.step()

``last_epoch`` counts the ``step()`` calls: building the scheduler sets the lr for
epoch 0, and each ``step()`` moves to the next epoch.

Difference from PyTorch: most PyTorch schedulers are *recursive* — each step multiplies
the lr the optimiser currently has (so two schedulers on one optimiser compose, and an
lr changed by hand is carried forward). Here every scheduler except ReduceLROnPlateau
is a *closed form* ``lr = f(base_lr, t)`` that you can read off its docstring, and
:meth:`LRScheduler.lr_at` gives the value at any epoch without stepping. Used alone, the
two agree to rounding (the tests compare them with PyTorch over 100 steps); to combine
schedules, write one :class:`LambdaLR` with the product of the factors. ``step()`` takes
no epoch argument (PyTorch's ``step(epoch)`` is deprecated there); use :meth:`lr_at`.
"""

from __future__ import annotations

import bisect
import copy
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from .optimizer import Optimizer


class LRScheduler:
    """Base class: sets every group's lr to :meth:`lr_at` ``(last_epoch)`` on each step.

    Subclasses implement ``_lr(base_lr, epoch, group_index)``, the closed form.

    Attributes:
        optimizer: the optimiser whose ``param_groups[i]["lr"]`` is set.
        base_lrs: each group's lr when the scheduler was built (stored in the group as
            ``"initial_lr"``, like PyTorch, so a scheduler rebuilt later finds it).
        last_epoch: index of the current epoch (0 after construction).
    """

    # attributes that are not plain data (the optimiser, functions): left out of state_dict
    _not_saved: tuple[str, ...] = ("optimizer",)

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; "
                        f"last_epoch={last_epoch} resumes a schedule, so load the "
                        f"optimizer's state dict (which holds it) first")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement _lr")

    def lr_at(self, epoch: int) -> list[float]:
        """The learning rate of every group at ``epoch`` (pure: changes nothing)."""
        return [self._lr(base, epoch, i) for i, base in enumerate(self.base_lrs)]

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch``."""
        return self.lr_at(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        """The learning rates this scheduler last set (one per parameter group)."""
        return list(self._last_lr)

    def step(self) -> None:
        """Move to the next epoch and set every group's lr for it."""
        self.last_epoch += 1
        self._set_lrs(self.get_lr())

    def _set_lrs(self, lrs: Sequence[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state as plain data: ``last_epoch``, ``base_lrs``, the last lrs
        and its settings (numbers, strings, lists — nothing that needs pickling)."""
        return {k: copy.deepcopy(v) for k, v in vars(self).items() if k not in self._not_saved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`, and put its lrs back on the optimiser.

        Difference from PyTorch: PyTorch leaves ``group["lr"]`` to the optimiser's own
        ``load_state_dict`` (so the two must be loaded in the right order); here the
        scheduler re-applies the lrs it last set, so the order does not matter.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}.load_state_dict: expected a dict from "
                            f"{name}.state_dict(), got {type(state_dict).__name__}")
        n = len(self.optimizer.param_groups)
        lrs = state_dict.get("_last_lr", state_dict.get("base_lrs"))
        if lrs is not None and len(lrs) != n:
            raise ValueError(f"{name}.load_state_dict: the state is for {len(lrs)} parameter "
                             f"groups, but this scheduler's optimizer has {n}")
        self.__dict__.update(copy.deepcopy(state_dict))
        self._set_lrs(self._last_lr)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, lr={self.get_last_lr()})"


class LambdaLR(LRScheduler):
    """lr = base_lr · λ(epoch), with one function for all groups or one per group.

    The functions are not part of ``state_dict()`` (a function cannot be saved as plain
    data); rebuild the scheduler with the same functions, then load the state.
    """

    _not_saved = ("optimizer", "lr_lambdas")

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per parameter "
                                 f"group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for f in self.lr_lambdas:
            if not callable(f):
                raise TypeError(f"LambdaLR: lr_lambda must be a function of the epoch (or a "
                                f"list of one per parameter group), got {type(f).__name__} "
                                f"{f!r}")
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        return base_lr * self.lr_lambdas[group_index](epoch)


class StepLR(LRScheduler):
    """lr = base_lr · γ^⌊epoch / step_size⌋ — multiply by γ every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: invalid step_size = {step_size!r} (expected >= 1)")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class MultiStepLR(LRScheduler):
    """lr = base_lr · γ^k, k = how many milestones are ≤ epoch (a repeated milestone
    counts twice, as in PyTorch)."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = sorted(_epochs(milestones, "MultiStepLR", "milestones"))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, epoch)


class ExponentialLR(LRScheduler):
    """lr = base_lr · γ^epoch — multiply by γ every epoch.

    Note: this is *exponential* decay. The "α_t = α₀ / (1 + λt)" schedule is
    inverse-time decay: :class:`InverseTimeLR`.
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    r"""lr = η_min + (base_lr − η_min) · (1 + cos(π · epoch / T_max)) / 2.

    Falls from base_lr at epoch 0 to ``eta_min`` at ``T_max``; past T_max it rises again
    (the cosine is periodic), exactly as PyTorch's scheduler does. This is the SGDR
    schedule (Loshchilov & Hutter, 2017) without restarts. PyTorch computes it
    recursively from the current lr; the closed form here agrees to rounding.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,  # noqa: N803
                 last_epoch: int = -1) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: invalid T_max = {T_max!r} (expected >= 1)")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        cos = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1 + cos) / 2


class LinearLR(LRScheduler):
    """lr = base_lr · (s + (e − s) · min(epoch, T) / T) — linear warm-up (or decay).

    The factor goes linearly from ``start_factor`` s at epoch 0 to ``end_factor`` e at
    epoch ``total_iters`` T and stays there. Defaults: s = 1/3, e = 1, T = 5.

    Difference from PyTorch: PyTorch requires 0 < s ≤ 1 and 0 ≤ e ≤ 1 because its
    recursive form divides by the previous lr; the closed form does not, so any s, e ≥ 0
    is accepted — including s = 0, a warm-up from zero.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        for name, value in (("start_factor", start_factor), ("end_factor", end_factor)):
            if not value >= 0:
                raise ValueError(f"LinearLR: invalid {name} = {value!r} (expected >= 0)")
        if total_iters < 1:
            raise ValueError(f"LinearLR: invalid total_iters = {total_iters!r} "
                             f"(expected >= 1)")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        s, e = self.start_factor, self.end_factor
        return base_lr * (s + (e - s) * min(epoch, self.total_iters) / self.total_iters)


def warmup_cosine(warmup_steps: int, total_steps: int, min_factor: float = 0.0
                  ) -> Callable[[int], float]:
    """The factor of a linear warm-up then cosine decay, for :class:`LambdaLR` (or
    ``torch.optim.lr_scheduler.LambdaLR``: the same function gives the same lrs)::

        t < W:        (t + 1) / W                                 warm-up to 1
        W ≤ t ≤ T:    m + (1 − m) · (1 + cos(π (t − W)/(T − W))) / 2   from 1 down to m
        t > T:        m

    with W = ``warmup_steps``, T = ``total_steps``, m = ``min_factor``. The warm-up starts
    at 1/W, not 0, so that the first step already moves the weights.
    """
    if warmup_steps < 0 or total_steps <= warmup_steps:
        raise ValueError(f"warmup_cosine: need 0 <= warmup_steps < total_steps, got "
                         f"warmup_steps={warmup_steps}, total_steps={total_steps}")

    def factor(t: int) -> float:
        if t < warmup_steps:
            return (t + 1) / warmup_steps
        progress = min(1.0, (t - warmup_steps) / (total_steps - warmup_steps))
        return min_factor + (1 - min_factor) * (1 + math.cos(math.pi * progress)) / 2

    return factor


class WarmupCosineLR(LambdaLR):
    """Linear warm-up for ``warmup_steps``, then cosine decay to ``min_lr`` at
    ``total_steps`` — the schedule of BERT and GPT training (see :func:`warmup_cosine`
    for the formula). Step it once per batch.

    Why warm up: Adam's second-moment estimate v is built from very few gradients in the
    first steps, so its steps are large and noisy; a Transformer (whose LayerNorm and
    attention softmax amplify early weight changes) can diverge there. Growing the lr
    over the first few hundred steps avoids it. PyTorch has no such class: use
    ``LambdaLR(opt, warmup_cosine(W, T, min_lr / lr))`` there.
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, total_steps: int,
                 min_lr: float = 0.0, last_epoch: int = -1) -> None:
        self.warmup_steps, self.total_steps, self.min_lr = warmup_steps, total_steps, min_lr
        lambdas = [warmup_cosine(warmup_steps, total_steps,
                                 min_lr / g.get("initial_lr", g["lr"]) if g["lr"] else 0.0)
                   for g in optimizer.param_groups]
        super().__init__(optimizer, lambdas, last_epoch)


class InverseTimeLR(LRScheduler):
    r"""lr = base_lr / (1 + decay_rate · epoch / decay_steps) — inverse-time decay.

    With ``staircase=True`` the ratio is floored, ⌊epoch / decay_steps⌋, so the lr drops
    in steps. This is Keras' ``InverseTimeDecay``, and with decay_steps = 1 the textbook
    "α_t = α₀ / (1 + λt)" (sometimes mislabelled "exponential decay": the lr falls like
    1/t, much more slowly than γᵗ). PyTorch has no such scheduler; ``LambdaLR`` with
    ``lambda t: 1 / (1 + λ*t)`` gives the same values.
    """

    def __init__(self, optimizer: Optimizer, decay_rate: float, decay_steps: int = 1,
                 staircase: bool = False, last_epoch: int = -1) -> None:
        if not decay_rate >= 0:
            raise ValueError(f"InverseTimeLR: invalid decay_rate = {decay_rate!r} "
                             f"(expected >= 0)")
        if not decay_steps > 0:
            raise ValueError(f"InverseTimeLR: invalid decay_steps = {decay_steps!r} "
                             f"(expected > 0)")
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.staircase = staircase
        super().__init__(optimizer, last_epoch)

    def _lr(self, base_lr: float, epoch: int, group_index: int) -> float:
        ratio = epoch / self.decay_steps
        if self.staircase:
            ratio = math.floor(ratio)
        return base_lr / (1 + self.decay_rate * ratio)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a metric has stopped improving.

    Call ``step(metric)`` once per epoch with the validation loss (mode="min") or
    accuracy (mode="max"). A metric *improves* on the best so far when it is better by
    more than ``threshold``: relative, ``best·(1 ∓ threshold)``, or absolute,
    ``best ∓ threshold`` (``threshold_mode``). After more than ``patience`` epochs in a
    row without improvement, every group's lr becomes ``max(lr·factor, min_lr)`` (a
    change smaller than ``eps`` is skipped), and the next ``cooldown`` epochs are not
    counted as bad. Defaults as PyTorch: mode="min", factor=0.1, patience=10,
    threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8.

    Unlike the other schedulers this one is recursive by nature — the lr depends on the
    history of the metric, not on the epoch — so it has no ``lr_at``.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | Sequence[float] = 0.0,
                 eps: float = 1e-8) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"ReduceLROnPlateau: expected an Optimizer, got "
                            f"{type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: invalid mode = {mode!r} "
                             f"(expected 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: invalid threshold_mode = "
                             f"{threshold_mode!r} (expected 'rel' or 'abs')")
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: invalid factor = {factor!r} "
                             f"(expected < 1: it multiplies the lr to reduce it)")
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"ReduceLROnPlateau: expected {n} min_lrs (one per "
                                 f"parameter group), got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * n
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def lr_at(self, epoch: int) -> list[float]:
        raise TypeError("ReduceLROnPlateau: the lr depends on the metrics passed to step(), "
                        "not on the epoch alone, so it has no closed form lr_at()")

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` improves on ``best`` by more than the threshold."""
        if self.threshold_mode == "rel":
            scale = 1 - self.threshold if self.mode == "min" else 1 + self.threshold
            target = best * scale
        else:
            target = best - self.threshold if self.mode == "min" else best + self.threshold
        return metric < target if self.mode == "min" else metric > target

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Record this epoch's metric and reduce the lr if it has plateaued."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # epochs right after a reduction are not held against it
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def schedule_values(make_scheduler: Callable[[Optimizer], LRScheduler], steps: int,
                    lr: float = 1.0) -> list[float]:
    """The lr of a schedule over ``steps`` epochs, for plots and lessons.

    ``make_scheduler`` builds the scheduler on a throwaway one-parameter SGD optimiser
    with learning rate ``lr``; the result is ``[lr at epoch 0, ..., lr at steps − 1]``::

        schedule_values(lambda opt: StepLR(opt, step_size=10, gamma=0.5), 30, lr=0.1)
    """
    from ..tensor import Tensor
    from .sgd import SGD

    scheduler = make_scheduler(SGD([Tensor([0.0], requires_grad=True)], lr=lr))
    values = []
    for _ in range(steps):
        values.append(scheduler.get_last_lr()[0])
        scheduler.step()
    return values


__all__ = ["CosineAnnealingLR", "ExponentialLR", "InverseTimeLR", "LRScheduler", "LambdaLR",
           "LinearLR", "MultiStepLR", "ReduceLROnPlateau", "StepLR", "WarmupCosineLR",
           "schedule_values", "warmup_cosine"]


def _epochs(value: Any, owner: str, name: str) -> list[int]:
    """``value`` as a list of epoch numbers, or a TypeError naming the scheduler and the
    argument (``MultiStepLR(opt, "ab")`` would otherwise fail inside ``int("a")``)."""
    try:
        if isinstance(value, (str, bytes)):
            raise TypeError
        return [operator.index(m) for m in value]
    except TypeError:
        raise TypeError(f"{owner}: {name} must be a list of epoch numbers (ints), got "
                        f"{type(value).__name__} {value!r}") from None
