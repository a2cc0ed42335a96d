"""Plots for the lessons: training curves, schedules, optimiser races, image grids.

Every function builds a ``matplotlib.figure.Figure`` directly instead of going through
``pyplot``. Such a figure belongs to no GUI backend, so no window ever opens and nothing
depends on which backend the machine has configured: the code runs the same on a
laptop, a headless server or in CI. Each function returns its Figure (a notebook shows
it; ``fig.savefig`` saves it) and, given ``path``, also saves it as a PNG there.

matplotlib is an optional dependency: ``pip install "tinygrad-edu[lessons]"``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

try:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
except ImportError as err:  # pragma: no cover - exercised only without matplotlib
    raise ImportError(
        'tinygrad_edu.plot needs matplotlib; install it with: pip install "tinygrad-edu[lessons]"'
    ) from err

from tinygrad_edu.data.dataset import to_numpy
from tinygrad_edu.data.metrics import as_labels

PathLike = str | os.PathLike


def _figure(
    nrows: int = 1, ncols: int = 1, size: tuple[float, float] = (6.0, 4.0), **kw: Any
) -> tuple[Figure, np.ndarray]:
    """A new Figure and its (nrows, ncols) array of Axes; ``size`` is per subplot."""
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _done(fig: Figure, path: PathLike | None) -> Figure:
    if path is not None:
        fig.savefig(path, format="png", dpi=100)
    return fig


def _series(values: Any, who: str, name: str) -> np.ndarray:
    """A 1-D float array from a list of floats, numpy scalars or Tensors."""
    arr = np.asarray([to_numpy(v).item() for v in values], dtype=np.float64)
    if arr.size == 0:
        raise ValueError(f"{who}: {name!r} has no values to plot")
    return arr


def _plot_series(ax: Axes, name: str, values: np.ndarray) -> None:
    """One curve against steps 1..n; markers when there are few enough points to see."""
    steps = np.arange(1, len(values) + 1)
    ax.plot(steps, values, label=name, marker="o" if len(values) <= 30 else None, markersize=3)


# --------------------------------------------------------------------------- curves
def plot_history(
    history: Any,
    keys: Sequence[str] = ("loss", "val_loss"),
    title: str = "Training history",
    log_scale: bool = False,
    path: PathLike | None = None,
) -> Figure:
    """Training and validation curves, one line per key, against the epoch (1, 2, …).

    ``history`` is a History object (anything with a ``.history`` dict of lists, as
    Keras and ``tinygrad_edu.train.fit`` return) or such a dict itself. Keys that are
    missing are skipped (a run without validation has no ``val_loss``); it is an error
    only when none of ``keys`` is present.
    """
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(
            f"plot_history: expected a History (with .history) or a dict, got {type(history)}"
        )
    present = [k for k in keys if k in data]
    if not present:
        raise ValueError(
            f"plot_history: none of the keys {tuple(keys)} is in the history; it has {sorted(data)}"
        )
    fig, axes = _figure()
    ax = axes[0, 0]
    for key in present:
        _plot_series(ax, key, _series(data[key], "plot_history", key))
    ax.set(title=title, xlabel="epoch", ylabel="loss" if all("loss" in k for k in present) else "")
    if log_scale:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return _done(fig, path)


def plot_schedules(
    schedules: Mapping[str, Sequence[float]],
    title: str = "Learning-rate schedules",
    path: PathLike | None = None,
) -> Figure:
    """Learning-rate schedules side by side, one subplot per schedule (shared y axis),
    each plotted against the step 1, 2, …: ``{"cosine": [lr₁, lr₂, …], ...}``."""
    if not schedules:
        raise ValueError("plot_schedules: no schedules given")
    fig, axes = _figure(1, len(schedules), size=(4.0, 3.5), sharey=True)
    for ax, (name, lrs) in zip(axes[0], schedules.items(), strict=True):
        _plot_series(ax, name, _series(lrs, "plot_schedules", name))
        ax.set(title=name, xlabel="step")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("learning rate")
    fig.suptitle(title)
    return _done(fig, path)


def plot_losses(
    losses: Mapping[str, Sequence[float]],
    title: str = "Loss by optimizer",
    log_scale: bool = False,
    path: PathLike | None = None,
) -> Figure:
    """Several loss curves on one axes, e.g. one per optimiser: ``{"Adam": [...], ...}``.
    ``log_scale=True`` shows the loss on a log axis, where fast and slow convergence
    are easier to tell apart."""
    if not losses:
        raise ValueError("plot_losses: no curves given")
    fig, axes = _figure()
    ax = axes[0, 0]
    for name, values in losses.items():
        _plot_series(ax, name, _series(values, "plot_losses", name))
    ax.set(title=title, xlabel="step", ylabel="loss")
    if log_scale:
        ax.set_yscale("log")
    ax.legend()
    ax.grid(alpha=0.3)
    return _done(fig, path)


def plot_function(
    functions: Mapping[str, Callable[[np.ndarray], Any] | Any],
    x: Any,
    title: str = "",
    path: PathLike | None = None,
) -> Figure:
    """Curves y = f(x) on one axes, e.g. ``{"sigmoid": sigmoid, "relu": relu}``.

    Each value is a function applied to the numpy array ``x`` (it may return a numpy
    array or a Tensor) or an array of y values already computed. To plot a Tensor
    function pass ``lambda x: f(Tensor(x))``.
    """
    xs = to_numpy(x).astype(np.float64)
    if xs.ndim != 1:
        raise ValueError(f"plot_function: x must be 1-D, got shape {xs.shape}")
    fig, axes = _figure()
    ax = axes[0, 0]
    for name, fn in functions.items():
        ys = to_numpy(fn(xs) if callable(fn) else fn).astype(np.float64)
        if ys.shape != xs.shape:
            raise ValueError(
                f"plot_function: {name!r} gives y of shape {ys.shape} for x of shape {xs.shape}"
            )
        ax.plot(xs, ys, label=name)
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.set(title=title, xlabel="x", ylabel="f(x)")
    ax.legend()
    ax.grid(alpha=0.3)
    return _done(fig, path)


# --------------------------------------------------------------------------- images
_CHANNELS = (1, 3, 4)


def _images_for_display(images: Any) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, C) colour in [0, 1], from (N, H, W), (N, C, H, W),
    (N, H, W, C) or flattened square images (N, H·W)."""
    imgs = to_numpy(images)
    shape = imgs.shape
    if imgs.ndim == 2:  # flattened, e.g. the 64 pixels of an 8×8 digit
        side = int(round(np.sqrt(shape[1])))
        if side * side != shape[1]:
            raise ValueError(
                f"image_grid: images of shape {shape} are flat but {shape[1]} is not a "
                "square number of pixels; reshape them to (N, H, W) first"
            )
        imgs = imgs.reshape(-1, side, side)
    elif imgs.ndim == 4:
        channels_first = shape[1] in _CHANNELS and shape[3] not in _CHANNELS
        if channels_first:
            imgs = imgs.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C) for imshow
        elif shape[3] not in _CHANNELS:
            raise ValueError(
                f"image_grid: cannot find the colour channels (1, 3 or 4) in shape {shape}; "
                "expected (N, C, H, W) or (N, H, W, C)"
            )
        if imgs.shape[3] == 1:
            imgs = imgs[..., 0]
    elif imgs.ndim != 3:
        raise ValueError(
            f"image_grid: expected images of shape (N, H, W), (N, C, H, W) or (N, H, W, C), "
            f"got {shape}"
        )
    if imgs.ndim == 4:
        # imshow wants colour as floats in [0, 1] (or uint8); 0–255 data is rescaled.
        imgs = imgs.astype(np.float64)
        if imgs.max(initial=0.0) > 1.0:
            imgs = imgs / 255.0
        imgs = np.clip(imgs, 0.0, 1.0)
    return imgs


def image_grid(
    images: Any,
    labels: Any = None,
    predictions: Any = None,
    nrows: int = 5,
    ncols: int = 5,
    class_names: Sequence[str] | None = None,
    title: str = "",
    path: PathLike | None = None,
) -> Figure:
    """The first ``nrows × ncols`` images in a grid, each titled with its label.

    ``images`` may be (N, H, W), (N, C, H, W), (N, H, W, C) or flat square (N, H·W).
    With ``predictions`` (labels, or per-class scores reduced by argmax) each title
    shows the prediction: black when it equals the label, red — with the true label
    in brackets — when it does not. ``class_names[k]`` replaces the number k.
    """
    imgs = _images_for_display(images)
    shown = min(len(imgs), nrows * ncols)
    y = None if labels is None else as_labels(labels, "image_grid", "labels")
    pred = None if predictions is None else as_labels(predictions, "image_grid", "predictions")
    for name, arr in (("labels", y), ("predictions", pred)):
        if arr is not None and len(arr) < shown:
            raise ValueError(f"image_grid: {len(arr)} {name} for {shown} images shown")

    def name_of(k: Any) -> str:
        return str(class_names[int(k)]) if class_names is not None else str(k)

    fig, axes = _figure(nrows, ncols, size=(1.6, 1.8))
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= shown:
            continue
        ax.imshow(imgs[i], cmap="gray" if imgs.ndim == 3 else None)
        if pred is not None:
            right = y is None or pred[i] == y[i]
            text = name_of(pred[i]) if y is None or right else \
                f"{name_of(pred[i])} ({name_of(y[i])})"
            ax.set_title(text, color="black" if right else "red", fontsize=9)
        elif y is not None:
            ax.set_title(name_of(y[i]), fontsize=9)
    if title:
        fig.suptitle(title)
    return _done(fig, path)


# --------------------------------------------------------------------------- classifiers
def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    resolution: int = 200,
    title: str = "Decision boundary",
    path: PathLike | None = None,
) -> Figure:
    """The regions a 2-D classifier assigns to each class, with the data on top.

    ``predict`` receives a float32 array of grid points (m, 2) and returns class
    labels (m,), per-class scores (m, K) (argmax is taken), or the probability of
    class 1 as floats of shape (m,) or (m, 1) (thresholded at 0.5).
    """
    X, y = to_numpy(X), as_labels(y, "plot_decision_boundary", "y")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n, 2), got {X.shape}")
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    out = to_numpy(predict(grid))
    if out.dtype.kind == "f" and (out.ndim == 1 or out.shape[-1] == 1):
        out = (out.reshape(-1) > 0.5).astype(np.int64)  # a probability of class 1
    z = as_labels(out, "plot_decision_boundary", "predict(grid)").reshape(gx.shape)
    fig, axes = _figure()
    ax = axes[0, 0]
    ax.contourf(gx, gy, z, alpha=0.3, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="viridis", edgecolors="k", linewidths=0.3)
    ax.set(title=title, xlabel="x₁", ylabel="x₂")
    return _done(fig, path)


def plot_confusion_matrix(
    cm: Any,
    class_names: Sequence[str] | None = None,
    title: str = "Confusion matrix",
    path: PathLike | None = None,
) -> Figure:
    """A confusion matrix (rows = true class, columns = predicted) as a heat map with
    the count written in each cell."""
    counts = to_numpy(cm)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square matrix, got {counts.shape}")
    k = counts.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for {k} classes")
    fig, axes = _figure(size=(max(4.0, 0.5 * k + 2), max(3.5, 0.5 * k + 1.5)))
    ax = axes[0, 0]
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set(
        title=title,
        xlabel="predicted",
        ylabel="true",
        xticks=range(k),
        yticks=range(k),
        xticklabels=names,
        yticklabels=names,
    )
    threshold = counts.max(initial=0) / 2
    for i in range(k):
        for j in range(k):
            # Dark cells get white text so the number stays readable.
            colour = "white" if counts[i, j] > threshold else "black"
            ax.text(j, i, f"{counts[i, j]:g}", ha="center", va="center", color=colour)
    return _done(fig, path)
