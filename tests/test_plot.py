"""Tests for tinygrad_edu.plot: each function returns a Figure holding the data given and
saves a PNG; no GUI backend is ever involved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import tinygrad_edu
from tinygrad_edu.plot import (
    image_grid,
    plot_confusion_matrix,
    plot_decision_boundary,
    plot_function,
    plot_history,
    plot_losses,
    plot_schedules,
)
from tinygrad_edu.tensor import Tensor

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert len(data) > 1000 and data[:8] == PNG_MAGIC


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


class History:
    """What a training loop returns: a ``.history`` dict of lists, as in Keras."""

    def __init__(self, history):
        self.history = history


# =========================================================================== curves
def test_plot_history_from_history_object(tmp_path):
    hist = History({"loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.4], "mae": [3, 2, 1]})
    fig = plot_history(hist, title="W09", path=tmp_path / "h.png")
    assert isinstance(fig, Figure)
    assert_png(tmp_path / "h.png")
    (ax,) = fig.axes
    lines = lines_by_label(ax)
    assert set(lines) == {"loss", "val_loss"}
    np.testing.assert_array_equal(lines["loss"].get_xdata(), [1, 2, 3])  # epochs from 1
    np.testing.assert_array_equal(lines["val_loss"].get_ydata(), [1.2, 0.7, 0.4])
    assert ax.get_title() == "W09" and ax.get_xlabel() == "epoch"


def test_plot_history_from_dict_skips_missing_keys_and_takes_tensors():
    fig = plot_history({"loss": [Tensor(np.array(2.0)), np.float32(1.0)]}, log_scale=True)
    (ax,) = fig.axes
    np.testing.assert_array_equal(lines_by_label(ax)["loss"].get_ydata(), [2.0, 1.0])
    assert ax.get_yscale() == "log"
    fig = plot_history({"accuracy": [0.5, 0.9]}, keys=("accuracy",))
    assert list(lines_by_label(fig.axes[0])) == ["accuracy"]


def test_plot_history_errors():
    with pytest.raises(ValueError, match=r"plot_history: none of the keys.*\['acc'\]"):
        plot_history({"acc": [1.0]})
    with pytest.raises(TypeError, match="plot_history"):
        plot_history([1.0, 2.0])
    with pytest.raises(ValueError, match="no values"):
        plot_history({"loss": []})


def test_plot_schedules_side_by_side(tmp_path):
    schedules = {
        "inverse time": [0.01 / (1 + 0.01 * t) for t in range(50)],
        "exponential": [0.01 * 0.96**t for t in range(50)],
        "cosine": [0.005 * (1 + np.cos(np.pi * t / 49)) for t in range(50)],
    }
    fig = plot_schedules(schedules, title="W03", path=tmp_path / "s.png")
    assert_png(tmp_path / "s.png")
    assert len(fig.axes) == 3
    for ax, (name, lrs) in zip(fig.axes, schedules.items(), strict=True):
        assert ax.get_title() == name
        (line,) = ax.get_lines()
        np.testing.assert_allclose(line.get_ydata(), lrs)
    assert fig.get_suptitle() == "W03"
    with pytest.raises(ValueError, match="plot_schedules"):
        plot_schedules({})


def test_plot_losses_one_line_per_optimizer(tmp_path):
    losses = {"SGD": [1.0, 0.8, 0.7], "Adam": [1.0, 0.3, 0.1], "AdaMax": [1.0, 0.5, 0.2]}
    fig = plot_losses(losses, title="W04", log_scale=True, path=tmp_path / "l.png")
    assert_png(tmp_path / "l.png")
    (ax,) = fig.axes
    lines = lines_by_label(ax)
    assert list(lines) == ["SGD", "Adam", "AdaMax"]
    for name, values in losses.items():
        np.testing.assert_array_equal(lines[name].get_ydata(), values)
    assert ax.get_yscale() == "log"
    assert fig.axes[0].get_legend() is not None
    assert plot_losses({"a": [1.0]}).axes[0].get_yscale() == "linear"


def test_plot_function(tmp_path):
    x = np.linspace(-5, 5, 101)

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    def relu_tensor(v):  # a function returning a Tensor is plotted too
        return Tensor(np.maximum(v, 0))

    fig = plot_function(
        {"sigmoid": sigmoid, "relu": relu_tensor, "tanh": np.tanh(x)}, x, path=tmp_path / "f.png"
    )
    assert_png(tmp_path / "f.png")
    lines = lines_by_label(fig.axes[0])
    np.testing.assert_allclose(lines["sigmoid"].get_ydata(), sigmoid(x))
    np.testing.assert_allclose(lines["relu"].get_ydata(), np.maximum(x, 0), atol=1e-6)
    np.testing.assert_allclose(lines["tanh"].get_ydata(), np.tanh(x))
    np.testing.assert_array_equal(lines["tanh"].get_xdata(), x)
    with pytest.raises(ValueError, match=r"plot_function: 'bad' gives y of shape \(3,\)"):
        plot_function({"bad": np.zeros(3)}, x)


# =========================================================================== images
def _shown_images(fig):
    return [ax.get_images()[0].get_array() for ax in fig.axes if ax.get_images()]


@pytest.mark.parametrize(
    "shape, shown_shape",
    [
        ((30, 8, 8), (8, 8)),  # grey (N, H, W)
        ((30, 64), (8, 8)),  # flat 8×8 digits
        ((30, 3, 6, 7), (6, 7, 3)),  # channels first, as PyTorch stores them
        ((30, 6, 7, 3), (6, 7, 3)),  # channels last
        ((30, 1, 6, 7), (6, 7)),  # one channel
    ],
)
def test_image_grid_layouts(shape, shown_shape):
    images = np.random.default_rng(0).random(shape)
    fig = image_grid(images, np.arange(30) % 10)
    shown = _shown_images(fig)
    assert len(shown) == 25  # 5 × 5 by default
    assert shown[0].shape == shown_shape
    assert len(fig.axes) == 25


def test_image_grid_shows_the_data_in_order():
    images = np.arange(4 * 2 * 2, dtype=np.float64).reshape(4, 2, 2)
    fig = image_grid(images, [0, 1, 2, 3], nrows=2, ncols=3)
    shown = _shown_images(fig)
    assert len(shown) == 4 and len(fig.axes) == 6
    for got, want in zip(shown, images, strict=True):
        np.testing.assert_array_equal(got, want)
    assert [ax.get_title() for ax in fig.axes[:4]] == ["0", "1", "2", "3"]


def test_image_grid_titles_wrong_predictions_in_red(tmp_path):
    images = np.zeros((4, 5, 5))
    labels = np.array([0, 1, 2, 1])
    logits = np.eye(3)[[0, 2, 2, 0]]  # per-class scores; predictions 0 2 2 0
    names = ["cat", "dog", "bird"]
    fig = image_grid(
        images, labels, logits, nrows=2, ncols=2, class_names=names, path=tmp_path / "g.png"
    )
    assert_png(tmp_path / "g.png")
    titles = [ax.title for ax in fig.axes]
    assert [t.get_text() for t in titles] == ["cat", "bird (dog)", "bird", "cat (dog)"]
    red, black = to_rgba("red"), to_rgba("black")
    assert [to_rgba(t.get_color()) for t in titles] == [black, red, black, red]


def test_image_grid_scales_0_255_colour_images():
    images = np.full((1, 4, 4, 3), 255, dtype=np.uint8)
    (shown,) = _shown_images(image_grid(images, nrows=1, ncols=1))
    np.testing.assert_allclose(shown, 1.0)


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (np.zeros((3, 10)), None, "not a square"),
        (np.zeros((3, 5, 5, 5)), None, "colour channels"),
        (np.zeros(3), None, "expected images of shape"),
        (np.zeros((3, 4, 4)), [0, 1], "2 labels for 3 images"),
    ],
)
def test_image_grid_errors(images, labels, match):
    with pytest.raises(ValueError, match=f"image_grid: .*{match}"):
        image_grid(images, labels)


# =========================================================================== classifiers
@pytest.mark.parametrize(
    "predict",
    [
        lambda g: (g[:, 0] > 0).astype(np.int64),  # labels
        lambda g: Tensor((g[:, :1] > 0).astype(np.float32)),  # probability column, a Tensor
        lambda g: np.stack([-g[:, 0], g[:, 0]], axis=1),  # scores per class
    ],
)
def test_plot_decision_boundary(tmp_path, predict):
    X = np.array([[-1.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [2.0, -1.0]])
    y = np.array([0, 1, 0, 1])
    fig = plot_decision_boundary(predict, X, y, resolution=50, path=tmp_path / "d.png")
    assert_png(tmp_path / "d.png")
    (ax,) = fig.axes
    np.testing.assert_array_equal(ax.collections[-1].get_offsets(), X)  # the data on top
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got \(4, 3\)"):
        plot_decision_boundary(predict, np.zeros((4, 3)), y)


def test_plot_confusion_matrix(tmp_path):
    cm = np.array([[5, 1], [2, 7]])
    fig = plot_confusion_matrix(cm, class_names=["no", "yes"], path=tmp_path / "c.png")
    assert_png(tmp_path / "c.png")
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), cm)
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "5", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["no", "yes"]
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="1 class names for 2"):
        plot_confusion_matrix(cm, class_names=["x"])


# =========================================================================== no GUI
def test_plotting_never_imports_pyplot(tmp_path):
    code = (
        "import sys, numpy as np\n"
        "from tinygrad_edu.plot import plot_losses, image_grid\n"
        f"plot_losses({{'a': [1.0, 0.5]}}, path={str(tmp_path / 'x.png')!r})\n"
        "image_grid(np.zeros((2, 3, 3)), [0, 1])\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    # A fresh interpreter, so no other test's imports can hide (or cause) a pyplot import.
    root = str(Path(tinygrad_edu.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert_png(tmp_path / "x.png")
