"""fit / evaluate / predict / EarlyStopping on small problems with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, make_line
from tinygrad_edu.train import EarlyStopping, History, LambdaCallback, evaluate, fit, predict


def _line_model(seed: int = 0) -> nn.Module:
    return nn.Linear(1, 1, seed=seed)


def test_fit_learns_w9_line():
    # y = 2x + 1 + U(0,1): the noise has mean 1/2, so the least-squares line is y = 2x + 1.5
    x, y = make_line(1000, seed=0)
    xv, yv = make_line(100, seed=1)
    model = _line_model()
    hist = fit(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.01), (x, y),
               epochs=60, batch_size=32, validation_data=(xv, yv), metrics=["mae"])
    w, b = float(model.weight.data.ravel()[0]), float(model.bias.data.ravel()[0])
    assert w == pytest.approx(2.0, abs=0.15)
    assert b == pytest.approx(1.5, abs=0.1)
    assert set(hist.history) == {"loss", "val_loss", "mae", "val_mae"}
    assert len(hist["loss"]) == 60
    assert hist["loss"][-1] < hist["loss"][0]
    # the noise U(0,1) has variance 1/12: a fitted line cannot do better than that
    assert hist["val_loss"][-1] == pytest.approx(1 / 12, rel=0.35)


def test_fit_is_deterministic_with_a_seed():
    x, y = make_line(200, seed=3)
    runs = []
    for _ in range(2):
        model = _line_model(seed=5)
        fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), (x, y), epochs=3,
            batch_size=16, seed=11)
        runs.append(np.concatenate([model.weight.data.ravel(), model.bias.data.ravel()]))
    np.testing.assert_array_equal(runs[0], runs[1])


def test_history_and_evaluate_agree_on_the_loss():
    x, y = make_line(64, seed=0)
    model = _line_model()
    fit(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.0), (x, y), epochs=1,
        batch_size=64, validation_data=(x, y))
    logs = evaluate(model, nn.MSELoss(), (x, y))
    pred = predict(model, x)
    assert logs["loss"] == pytest.approx(float(np.mean((pred - y) ** 2)), rel=1e-5)


def test_early_stopping_stops_and_restores_best():
    x, y = make_line(128, seed=0)
    model = _line_model()
    # a learning rate this large diverges: val_loss grows from the first epoch on
    opt = optim.SGD(model.parameters(), lr=3.0)
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    seen = []
    hist = fit(model, nn.MSELoss(), opt, (x, y), epochs=50, batch_size=128,
               validation_data=(x, y), callbacks=[stopper, LambdaCallback(
                   lambda e, logs: seen.append(logs["val_loss"]))])
    assert hist.stopped_epoch is not None and len(hist["loss"]) < 50
    assert len(seen) == len(hist["loss"])
    best = int(np.argmin(hist["val_loss"]))
    assert stopper.best_epoch == best
    # restored weights reproduce the best epoch's validation loss
    assert evaluate(model, nn.MSELoss(), (x, y))["loss"] == pytest.approx(
        hist["val_loss"][best], rel=1e-5)


def test_fit_with_a_scheduler_and_classification_accuracy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    opt = optim.Adam(model.parameters(), lr=0.05)
    sched = optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    hist = fit(model, nn.CrossEntropyLoss(), opt, DataLoader(TensorDataset(x, y),
               batch_size=32, shuffle=True, seed=0), epochs=10, metrics=["accuracy"],
               scheduler=sched)
    assert hist["accuracy"][-1] > 0.9
    assert sched.get_last_lr()[0] == pytest.approx(0.05 * 0.25)


def test_fit_rejects_bad_arguments():
    model = _line_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="DataLoader, a Dataset or a tuple"):
        fit(model, nn.MSELoss(), opt, "data.csv")
    with pytest.raises(ValueError, match="unknown metric"):
        fit(model, nn.MSELoss(), opt, make_line(8, seed=0), metrics=["f2"])
    with pytest.raises(KeyError, match="val_loss"):
        fit(model, nn.MSELoss(), opt, make_line(8, seed=0), callbacks=[EarlyStopping()])


def test_history_indexing():
    h = History()
    h.append(0, {"loss": 1.0})
    h.append(1, {"loss": 0.5})
    assert h["loss"] == [1.0, 0.5] and h.epoch == [0, 1]
