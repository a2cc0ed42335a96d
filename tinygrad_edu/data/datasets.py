"""Data sets for the lessons: synthetic generators, bundled real data, and local MNIST.

Everything returns numpy arrays: features ``X`` as float32 (the dtype a Tensor uses)
and class labels ``y`` as int64. Every generator takes ``seed`` (an int, a
``numpy.random.Generator`` or None), so a lesson prints the same numbers on every run.

Nothing here downloads anything. The two real data sets come from files that
scikit-learn ships inside its package (install them with
``pip install "tinygrad-edu[lessons]"``); MNIST is read from IDX files already on disk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.rng import Seed, make_rng

from .idx import read_idx

ArrayPair = tuple[np.ndarray, np.ndarray]


def _check_n(n: int, who: str, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < minimum:
        raise ValueError(f"{who}: n must be an int >= {minimum}, got {n!r}")


def _check_noise(noise: float, who: str) -> None:
    if not noise >= 0:  # also rejects nan
        raise ValueError(f"{who}: noise must be >= 0, got {noise!r}")


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool) -> ArrayPair:
    """Optionally shuffle the rows of (X, y) together; cast to float32 / int64."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


# --------------------------------------------------------------------------- regression
def make_line(n: int = 1000, seed: Seed = None) -> ArrayPair:
    """The seed's synthetic regression data: a noisy line.

        x ~ U(0, 1),    y = 2x + 1 + u,    u ~ U(0, 1)

    Returns ``(x, y)``, both float32 of shape (n, 1). Because the noise has mean ½, the
    least-squares line is y ≈ 2x + 1.5, not y = 2x + 1: a fitted bias near 1.5 is right.
    """
    _check_n(n, "make_line")
    rng = make_rng(seed)
    x = rng.random((n, 1))
    y = 2 * x + 1 + rng.random((n, 1))
    return x.astype(np.float32), y.astype(np.float32)


def make_house_prices(n: int = 100, seed: Seed = None) -> ArrayPair:
    """A toy house-price data set: living area → price, for linear regression.

        area ~ U(50, 250)             square metres
        price = 30 + 1.5 · area + ε,  ε ~ N(0, 20²)      thousands

    Returns ``(area, price)``, float32 of shape (n, 1). Raw, the area is in the
    hundreds, so the gradient for the slope is hundreds of times the gradient for the
    intercept and plain gradient descent crawls or diverges; standardising area and
    price first is what makes it converge quickly.
    """
    _check_n(n, "make_house_prices")
    rng = make_rng(seed)
    area = rng.uniform(50.0, 250.0, size=(n, 1))
    price = 30.0 + 1.5 * area + rng.normal(0.0, 20.0, size=(n, 1))
    return area.astype(np.float32), price.astype(np.float32)


# --------------------------------------------------------------------------- classification
def make_moons(
    n: int = 100, noise: float = 0.0, seed: Seed = None, shuffle: bool = True
) -> ArrayPair:
    """Two interleaving half circles (scikit-learn's ``make_moons``), a binary problem
    that no straight line separates.

    Class 0 (⌊n/2⌋ points): (cos t, sin t) for t evenly spaced in [0, π].
    Class 1 (the rest):     (1 − cos t, ½ − sin t).
    Then Gaussian noise of standard deviation ``noise`` is added to every coordinate.

    Returns ``X`` (n, 2) float32 and ``y`` (n,) int64.
    """
    _check_n(n, "make_moons")
    _check_noise(noise, "make_moons")
    rng = make_rng(seed)
    n_out = n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n - n_out)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
        ]
    )
    y = np.repeat([0, 1], [n_out, n - n_out])
    return _finish(X + rng.normal(0.0, noise, size=X.shape), y, rng, shuffle)


def make_circles(
    n: int = 100, noise: float = 0.0, factor: float = 0.8, seed: Seed = None, shuffle: bool = True
) -> ArrayPair:
    """A small circle inside a large one (scikit-learn's ``make_circles``).

    Class 0 (⌊n/2⌋ points): (cos t, sin t), t evenly spaced in [0, 2π).
    Class 1 (the rest):     factor · (cos t, sin t), with 0 ≤ factor < 1.
    Then Gaussian noise of standard deviation ``noise`` on every coordinate.

    Returns ``X`` (n, 2) float32 and ``y`` (n,) int64.
    """
    _check_n(n, "make_circles")
    _check_noise(noise, "make_circles")
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor!r}")
    rng = make_rng(seed)
    n_out = n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n - n_out, endpoint=False)
    X = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.repeat([0, 1], [n_out, n - n_out])
    return _finish(X + rng.normal(0.0, noise, size=X.shape), y, rng, shuffle)


def make_spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: Seed = None, shuffle: bool = True
) -> ArrayPair:
    """``classes`` interleaved spiral arms (the CS231n toy problem), ``n`` points in all.

    Arm k (k = 0 … K−1) has about n/K points. Its i-th point, with r running evenly
    from 0 to 1 along the arm, is::

        θ = 2πk/K + 4r + noise · N(0, 1)
        x = (r sin θ, r cos θ)

    so every arm turns through 4 radians and the arms start evenly spaced. The noise is
    on the angle, which blurs the arms into each other as it grows.

    Returns ``X`` (n, 2) float32 and ``y`` (n,) int64 with labels 0 … K−1.
    """
    _check_n(n, "make_spirals")
    _check_noise(noise, "make_spirals")
    if isinstance(classes, bool) or not isinstance(classes, int | np.integer) or classes < 1:
        raise ValueError(f"make_spirals: classes must be an int >= 1, got {classes!r}")
    rng = make_rng(seed)
    sizes = np.full(classes, n // classes) + (np.arange(classes) < n % classes)
    y = np.repeat(np.arange(classes), sizes)
    r = np.concatenate([np.linspace(0.0, 1.0, m) for m in sizes])
    theta = 2 * np.pi * y / classes + 4 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    return _finish(X, y, rng, shuffle)


# --------------------------------------------------------------------------- bundled real data
def _sklearn_datasets(who: str) -> Any:
    """scikit-learn's ``datasets`` module, or an ImportError saying how to get it."""
    try:
        from sklearn import datasets
    except ImportError as err:
        raise ImportError(
            f"{who} reads data bundled with scikit-learn, which is not installed; "
            f'install it with: pip install "tinygrad-edu[lessons]"'
        ) from err
    return datasets


def load_digits(as_images: bool = False) -> ArrayPair:
    """The UCI hand-written digits (1797 images of 8×8 pixels, grey levels 0–16, 10
    classes), from the copy bundled with scikit-learn — no download.

    Returns ``X`` float32 of shape (1797, 64), or (1797, 8, 8) with ``as_images=True``,
    and ``y`` int64 digit labels 0–9. A small offline stand-in for MNIST.
    """
    bunch = _sklearn_datasets("load_digits").load_digits()
    X = bunch.images if as_images else bunch.data
    return X.astype(np.float32), bunch.target.astype(np.int64)


def load_breast_cancer() -> ArrayPair:
    """The Wisconsin diagnostic breast-cancer data (569 samples, 30 real-valued
    features of cell nuclei), from the copy bundled with scikit-learn — no download.

    Returns ``X`` float32 (569, 30) and ``y`` int64 with 0 = malignant, 1 = benign
    (scikit-learn's coding). The features have very different scales: standardise them.
    """
    X, y = _sklearn_datasets("load_breast_cancer").load_breast_cancer(return_X_y=True)
    return X.astype(np.float32), y.astype(np.int64)


# --------------------------------------------------------------------------- MNIST
_MNIST_PREFIX = {"train": "train", "test": "t10k", "t10k": "t10k"}


def _find_idx_file(directory: Path, prefix: str, part: str, idx_kind: str) -> Path:
    """The first existing spelling of one MNIST file (hyphen or dot, gzipped or not)."""
    names = [
        f"{prefix}-{part}-{idx_kind}-ubyte",  # the original distribution's names
        f"{prefix}-{part}.{idx_kind}-ubyte",  # a common re-packaging's names
    ]
    candidates = [directory / (name + ext) for name in names for ext in ("", ".gz")]
    for path in candidates:
        if path.is_file():
            return path
    tried = ", ".join(p.name for p in candidates)
    raise FileNotFoundError(
        f"load_mnist: no MNIST {part} file in {str(directory)!r} (looked for {tried}). "
        "load_mnist never downloads: put the IDX files there first."
    )


def load_mnist(directory: str | os.PathLike, kind: str = "train") -> ArrayPair:
    """MNIST from local IDX files in ``directory`` (never downloaded).

    ``kind="train"`` reads ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``
    (60000 samples); ``kind="test"`` reads the ``t10k-…`` pair (10000). Either file may
    be gzipped (``.gz``) and may use ``.idx3-ubyte`` instead of ``-idx3-ubyte``.

    Returns ``images`` uint8 of shape (N, 28, 28), as stored (grey levels 0–255; scale
    with ``images / 255.0`` before training), and ``labels`` int64 of shape (N,).
    Raises ``FileNotFoundError`` for missing files and ``ValueError`` for files that are
    truncated, not IDX, or whose image and label counts disagree.
    """
    if kind not in _MNIST_PREFIX:
        raise ValueError(f"load_mnist: kind must be 'train' or 'test', got {kind!r}")
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"load_mnist: {str(directory)!r} is not a directory")
    prefix = _MNIST_PREFIX[kind]
    images_path = _find_idx_file(directory, prefix, "images", "idx3")
    labels_path = _find_idx_file(directory, prefix, "labels", "idx1")
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3:
        raise ValueError(
            f"load_mnist: {images_path.name} holds an array of shape {images.shape}; "
            "expected images (N, rows, cols)"
        )
    if labels.ndim != 1:
        raise ValueError(
            f"load_mnist: {labels_path.name} holds an array of shape {labels.shape}; "
            "expected labels (N,)"
        )
    if len(images) != len(labels):
        raise ValueError(
            f"load_mnist: {images_path.name} has {len(images)} images but "
            f"{labels_path.name} has {len(labels)} labels"
        )
    return images, labels.astype(np.int64)
