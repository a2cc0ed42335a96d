"""A Keras-style training loop: ``fit`` returns a ``History``; ``evaluate``; ``predict``;
callbacks such as ``EarlyStopping``.

Nothing here is magic: each epoch is the seven-step loop of the course text (forward,
loss, backward, step, zero_grad) written once, so students can read it and then write
their own.
"""

from __future__ import annotations

import copy
import math
import sys
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .autograd import no_grad
from .tensor import Tensor

Metric = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class History:
    """Per-epoch values, like Keras: ``history.history["loss"]``, ``["val_loss"]``, and
    one list per metric (``"mae"``, ``"val_mae"``...). ``epoch`` lists epoch numbers."""

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    stopped_epoch: int | None = None

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(float(v))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]


class Callback:
    """Hooks called by ``fit``. Set ``self.stop_training = True`` on the trainer to stop."""

    def on_train_begin(self, trainer: Trainer) -> None: ...
    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None: ...
    def on_train_end(self, trainer: Trainer) -> None: ...


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience``
    epochs; with ``restore_best_weights`` put back the weights of the best epoch."""

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "min", restore_best_weights: bool = False) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, patience, abs(min_delta)
        self.mode, self.restore_best_weights = mode, restore_best_weights
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.wait = 0
        self.best_state: dict[str, Any] | None = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: '{self.monitor}' is not among the logged values "
                           f"{sorted(logs)} (pass validation_data to monitor val_loss)")
        value = logs[self.monitor]
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_state = copy.deepcopy(trainer.model.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop_training = True

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best_weights and self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)


class LambdaCallback(Callback):
    """Call ``on_epoch_end(epoch, logs)`` after each epoch (for printing or plotting)."""

    def __init__(self, on_epoch_end: Callable[[int, dict[str, float]], None]) -> None:
        self._fn = on_epoch_end

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self._fn(epoch, logs)


def _as_loader(data: Any, batch_size: int, shuffle: bool, seed: Any) -> Iterable:
    """Accept a DataLoader, a Dataset, or a tuple (X, y) of arrays/Tensors."""
    from .data import DataLoader, Dataset, TensorDataset

    if isinstance(data, DataLoader):
        return data
    if isinstance(data, Dataset):
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle, seed=seed)
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return DataLoader(TensorDataset(*data), batch_size=batch_size, shuffle=shuffle,
                          seed=seed)
    raise TypeError("fit: data must be a DataLoader, a Dataset or a tuple (X, y), got "
                    f"{type(data).__name__}")


class _Progress:
    """A one-line progress bar on a terminal; silent when output is not a TTY."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.n = 0

    def update(self, desc: str) -> None:
        if not self.enabled:
            return
        self.n += 1
        width = 30
        filled = width * self.n // max(self.total, 1)
        sys.stderr.write(f"\r{desc} [{'=' * filled}{'.' * (width - filled)}] "
                         f"{self.n}/{self.total}")
        if self.n >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class Trainer:
    """Holds what one ``fit`` call needs; callbacks receive it."""

    def __init__(self, model: Any, loss_fn: Callable[[Tensor, Tensor], Tensor],
                 optimizer: Any) -> None:
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.stop_training = False


def _targets_np(y: Tensor) -> np.ndarray:
    return y.numpy()


def _run_epoch(trainer: Trainer, loader: Iterable, train: bool,
               metrics: dict[str, Metric], progress: _Progress | None = None,
               desc: str = "") -> dict[str, float]:
    model, loss_fn, opt = trainer.model, trainer.loss_fn, trainer.optimizer
    total, count = 0.0, 0
    preds, targets = [], []
    model.train(train)
    for xb, yb in loader:
        if train:
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
        else:
            with no_grad():
                out = model(xb)
                loss = loss_fn(out, yb)
        n = xb.shape[0]
        total += float(loss.item()) * n
        count += n
        if metrics:
            preds.append(out.detach().numpy())
            targets.append(_targets_np(yb))
        if progress is not None:
            progress.update(desc)
    if count == 0:
        raise ValueError("fit: the data produced no batches (is drop_last dropping them all?)")
    logs = {"loss": total / count}
    if metrics:
        p, t = np.concatenate(preds), np.concatenate(targets)
        for name, fn in metrics.items():
            logs[name] = float(fn(t, p))
    return logs


def _resolve_metrics(metrics: Sequence[str | Metric] | dict[str, Metric] | None
                     ) -> dict[str, Metric]:
    from .data import metrics as m

    named: dict[str, Metric] = {
        "mae": m.mean_absolute_error,
        "mse": m.mean_squared_error,
        "rmse": m.root_mean_squared_error,
        "accuracy": _accuracy_from_outputs,
    }
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return dict(metrics)
    out: dict[str, Metric] = {}
    for item in metrics:
        if isinstance(item, str):
            if item not in named:
                raise ValueError(f"fit: unknown metric {item!r}; known: {sorted(named)} "
                                 "(or pass a function (y_true, y_pred) -> float)")
            out[item] = named[item]
        else:
            out[getattr(item, "__name__", "metric")] = item
    return out


def _accuracy_from_outputs(y_true: np.ndarray, outputs: np.ndarray) -> float:
    """Accuracy from raw model outputs: argmax for several columns (class scores), a 0.5
    threshold for one column of probabilities."""
    y = np.asarray(y_true).reshape(len(y_true), -1)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        pred = outputs.argmax(axis=1)
        truth = y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0]
    else:
        pred = (outputs.reshape(len(outputs)) >= 0.5).astype(np.int64)
        truth = y[:, 0]
    return float(np.mean(pred == truth))


def fit(model: Any, loss: Callable[[Tensor, Tensor], Tensor], optimizer: Any,
        train_data: Any, epochs: int = 1, batch_size: int = 32, validation_data: Any = None,
        metrics: Sequence[str | Metric] | dict[str, Metric] | None = None,
        scheduler: Any = None, callbacks: Sequence[Callback] = (), shuffle: bool = True,
        seed: Any = 0, verbose: int = 0, progress: bool | None = None) -> History:
    """Train ``model`` for ``epochs`` and return the per-epoch ``History``.

    ``train_data``/``validation_data``: a DataLoader, a Dataset, or ``(X, y)``.
    ``metrics``: names ("mae", "mse", "rmse", "accuracy") or functions
    ``(y_true, y_pred) -> float`` on numpy arrays; each is logged for training and, with
    validation data, as ``val_<name>``. ``scheduler.step()`` runs once per epoch
    (``ReduceLROnPlateau`` gets the monitored validation loss). ``seed`` fixes the
    shuffling, so two runs from the same initial weights are identical.
    """
    if epochs < 0:
        raise ValueError(f"fit: epochs must be >= 0, got {epochs}")
    trainer = Trainer(model, loss, optimizer)
    loader = _as_loader(train_data, batch_size, shuffle, seed)
    val_loader = (None if validation_data is None
                  else _as_loader(validation_data, batch_size, False, None))
    named = _resolve_metrics(metrics)
    history = History()
    for cb in callbacks:
        cb.on_train_begin(trainer)
    for epoch in range(epochs):
        bar = _Progress(len(loader), progress) if isinstance(loader, Sized) else None
        logs = _run_epoch(trainer, loader, True, named, bar, f"epoch {epoch + 1}/{epochs}")
        if val_loader is not None:
            val = _run_epoch(trainer, val_loader, False, named)
            logs.update({f"val_{k}": v for k, v in val.items()})
        if scheduler is not None:
            if type(scheduler).__name__ == "ReduceLROnPlateau":
                scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                scheduler.step()
        history.append(epoch, logs)
        if verbose:
            print(f"epoch {epoch + 1}/{epochs} " +
                  " ".join(f"{k}={v:.4g}" for k, v in logs.items()))
        for cb in callbacks:
            cb.on_epoch_end(trainer, epoch, logs)
        if trainer.stop_training:
            history.stopped_epoch = epoch
            break
    for cb in callbacks:
        cb.on_train_end(trainer)
    model.eval()
    return history


def evaluate(model: Any, loss: Callable[[Tensor, Tensor], Tensor], data: Any,
             batch_size: int = 256,
             metrics: Sequence[str | Metric] | dict[str, Metric] | None = None
             ) -> dict[str, float]:
    """Average loss (and metrics) over ``data`` in eval mode, without building a graph."""
    trainer = Trainer(model, loss, None)
    logs = _run_epoch(trainer, _as_loader(data, batch_size, False, None), False,
                      _resolve_metrics(metrics))
    model.eval()
    return logs


def predict(model: Any, x: Any, batch_size: int = 256) -> np.ndarray:
    """Model outputs for ``x`` (array or Tensor) as a numpy array, in eval mode."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"predict: batch_size must be a positive int, got {batch_size!r}")
    model.eval()
    arr = x.numpy() if isinstance(x, Tensor) else np.asarray(x)
    outs = []
    with no_grad():
        for i in range(0, len(arr), batch_size):
            outs.append(model(Tensor(arr[i:i + batch_size])).numpy())
    if not outs:
        raise ValueError("predict: x is empty")
    return np.concatenate(outs)
