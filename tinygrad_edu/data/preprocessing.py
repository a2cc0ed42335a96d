"""Preprocessing: split, scale and encode data before training (scikit-learn's API).

Everything here takes array-likes (numpy arrays, lists, or Tensors, read with
``.numpy()``) and returns numpy arrays. A scaler learns its statistics from the training
set only (``fit``) and then applies the same affine map to any set (``transform``) —
fitting on the test set too would leak information about it into training.
"""

from __future__ import annotations

from math import ceil, floor
from typing import Any

import numpy as np

from tinygrad_edu.rng import make_rng

from .dataset import to_numpy

SplitSeed = int | np.random.Generator | np.random.RandomState | None


# --------------------------------------------------------------------------- splitting
def _split_sizes(
    n: int, test_size: float | int | None, train_size: float | int | None
) -> tuple[int, int]:
    """``(n_train, n_test)`` by scikit-learn's rules: a float is a fraction of ``n``
    (test rounds up, train rounds down), an int a count; a missing size is the rest."""
    if test_size is None and train_size is None:
        test_size = 0.25

    def count(size: float | int | None, name: str, rounding: Any) -> int | None:
        if size is None:
            return None
        if isinstance(size, bool) or not isinstance(size, int | float | np.integer | np.floating):
            raise TypeError(f"train_test_split: {name} must be a float or an int, got {size!r}")
        if isinstance(size, int | np.integer):
            if not 0 < size < n:
                raise ValueError(
                    f"train_test_split: {name}={size} must be positive and smaller than "
                    f"the number of samples {n} (or a float in (0, 1))"
                )
            return int(size)
        if not 0 < size < 1:
            raise ValueError(f"train_test_split: {name}={size} as a fraction must be in (0, 1)")
        return int(rounding(size * n))

    n_test = count(test_size, "test_size", ceil)
    n_train = count(train_size, "train_size", floor)
    if n_train is None:
        n_train = n - (n_test or 0)
    if n_test is None:
        n_test = n - n_train
    if n_train + n_test > n:
        raise ValueError(
            f"train_test_split: train ({n_train}) + test ({n_test}) samples exceed the "
            f"{n} samples available; reduce test_size and/or train_size"
        )
    if n_train == 0:
        raise ValueError(
            f"train_test_split: with {n} samples and test_size={test_size}, the train set is empty"
        )
    return n_train, n_test


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: Any) -> np.ndarray:
    """How many of ``n_draws`` samples each class gets, in proportion to its count.

    Each class first gets ``floor(n_draws · count / total)``; the samples still missing
    go to the classes with the largest fractional parts, ties broken at random (this is
    scikit-learn's ``_approximate_mode``, kept step for step so seeds agree).
    """
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rng.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _stratified_indices(
    y: np.ndarray, n_train: int, n_test: int, rng: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices that keep each class's share of ``y`` (up to rounding)."""
    if y.ndim == 2:  # one-hot or multi-output: each distinct row is one class
        y = np.array([" ".join(row.astype(str)) for row in y])
    classes, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    if class_counts.min() < 2:
        raise ValueError(
            "train_test_split: stratify needs at least 2 samples of every class; "
            f"classes {classes[class_counts < 2].tolist()} have only 1"
        )
    for name, size in (("train", n_train), ("test", n_test)):
        if size < len(classes):
            raise ValueError(
                f"train_test_split: the {name} set ({size} samples) cannot hold every one "
                f"of the {len(classes)} classes at least once"
            )
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for members, n_tr, n_te in zip(class_indices, n_i, t_i, strict=True):
        members = members[rng.permutation(len(members))]
        train.extend(members[:n_tr])
        test.extend(members[n_tr : n_tr + n_te])
    return rng.permutation(train), rng.permutation(test)


def _split_rng(random_state: SplitSeed) -> np.random.Generator | np.random.RandomState:
    """The generator a split draws from. An int seeds a legacy ``RandomState`` — the
    generator scikit-learn uses — so the same int gives the same split in both libraries."""
    if isinstance(random_state, int | np.integer) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if random_state is None or isinstance(random_state, np.random.Generator):
        return make_rng(random_state)
    raise TypeError(
        "train_test_split: random_state must be an int, a numpy Generator or None, "
        f"got {random_state!r}"
    )


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    random_state: SplitSeed = None,
    stratify: Any = None,
    shuffle: bool = True,
    train_size: float | int | None = None,
) -> list[np.ndarray]:
    """Split arrays into random train and test subsets, like scikit-learn's.

    Returns ``[a_train, a_test, b_train, b_test, ...]``, the same rows taken from every
    array. ``test_size`` is a fraction of the samples (rounded up) or a count; it
    defaults to 0.25 when ``train_size`` is not given either. ``stratify=y`` keeps the
    class proportions of ``y`` in both parts (up to rounding).

    ``random_state`` may be an int, a ``numpy.random.Generator`` or None. An int seeds
    a legacy ``numpy.random.RandomState``, the generator scikit-learn uses, so
    ``train_test_split(X, y, test_size=0.2, random_state=42)`` returns exactly the
    split scikit-learn returns — a student can check one library against the other.
    """
    if not arrays:
        raise ValueError("train_test_split: needs at least one array")
    arrays_np = [to_numpy(a) for a in arrays]
    n = len(arrays_np[0])
    for k, a in enumerate(arrays_np[1:], start=1):
        if len(a) != n:
            raise ValueError(
                "train_test_split: all arrays need the same number of samples, but "
                f"array 0 has {n} (shape {arrays_np[0].shape}) and array {k} has {len(a)} "
                f"(shape {a.shape})"
            )
    n_train, n_test = _split_sizes(n, test_size, train_size)

    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: stratify needs shuffle=True")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        rng = _split_rng(random_state)
        if stratify is not None:
            y = to_numpy(stratify)
            if len(y) != n:
                raise ValueError(f"train_test_split: stratify has {len(y)} labels for {n} samples")
            train, test = _stratified_indices(y, n_train, n_test, rng)
        else:
            permutation = rng.permutation(n)
            test = permutation[:n_test]
            train = permutation[n_test : n_test + n_train]
    return [part for a in arrays_np for part in (a[train], a[test])]


# --------------------------------------------------------------------------- scaling
def _as_2d(X: Any, who: str) -> tuple[np.ndarray, bool]:
    """``X`` as a 2-D numeric array (a 1-D array is one feature) and whether it was 1-D."""
    X = to_numpy(X)
    if X.ndim not in (1, 2):
        raise ValueError(
            f"{who}: expected a 1-D or 2-D array (samples, features), got shape {X.shape}"
        )
    if X.dtype.kind not in "fiub":
        raise TypeError(f"{who}: expected numbers, got dtype {X.dtype}")
    return (X[:, None] if X.ndim == 1 else X), X.ndim == 1


class _AffineScaler:
    """Shared machinery of the scalers: each learns, per feature, an affine map
    ``x ↦ x · mul + add`` in ``fit``; ``transform`` applies it, ``inverse_transform``
    undoes it: ``x = (z − add) / mul``.

    Computation is in float64; float32 input comes back float32, integers as float64.
    """

    n_features_in_: int

    def _fit(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Learn the statistics from 2-D float64 ``X``; return ``(mul, add)``."""
        raise NotImplementedError

    def fit(self, X: Any) -> _AffineScaler:
        """Learn the per-feature statistics of ``X`` (samples × features)."""
        name = type(self).__name__
        X2, _ = _as_2d(X, f"{name}.fit")
        if len(X2) == 0:
            raise ValueError(f"{name}.fit: X has no samples (shape {X2.shape})")
        self._mul, self._add = self._fit(X2.astype(np.float64))
        self.n_features_in_ = X2.shape[1]
        return self

    def _apply(self, X: Any, method: str, inverse: bool) -> np.ndarray:
        who = f"{type(self).__name__}.{method}"
        if not hasattr(self, "n_features_in_"):
            raise RuntimeError(f"{who}: this scaler is not fitted yet; call fit(X) first")
        X2, was_1d = _as_2d(X, who)
        if X2.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{who}: X has {X2.shape[1]} features (shape {to_numpy(X).shape}), "
                f"but the scaler was fitted on {self.n_features_in_}"
            )
        out_dtype = X2.dtype if X2.dtype.kind == "f" else np.dtype(np.float64)
        Z = X2.astype(np.float64)
        Z = (Z - self._add) / self._mul if inverse else Z * self._mul + self._add
        Z = Z.astype(out_dtype)
        return Z[:, 0] if was_1d else Z

    def transform(self, X: Any) -> np.ndarray:
        """Scale ``X`` with the statistics learned by ``fit``."""
        return self._apply(X, "transform", inverse=False)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo ``transform``: map scaled values back to the original units."""
        return self._apply(X, "inverse_transform", inverse=True)

    def fit_transform(self, X: Any) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)


def _nonzero(scale: np.ndarray) -> np.ndarray:
    # A constant feature has zero spread; dividing by it would give inf/nan. Leave it
    # unscaled (scale 1), as scikit-learn does.
    return np.where(scale == 0, 1.0, scale)


class StandardScaler(_AffineScaler):
    """Standardise each feature to mean 0 and standard deviation 1::

        z = (x − μ) / σ,     μ = mean_,  σ = scale_ = √(1/n Σ (x − μ)²)

    (the population standard deviation, ddof = 0, as scikit-learn uses). A constant
    feature has σ = 0 and gets ``scale_ = 1`` so it maps to 0 rather than to nan.
    ``with_mean=False`` skips the centring, ``with_std=False`` the division.
    """

    def __init__(self, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def _fit(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = X.shape[1]
        self.mean_ = X.mean(axis=0) if self.with_mean else np.zeros(d)
        self.var_ = X.var(axis=0)
        self.scale_ = _nonzero(np.sqrt(self.var_)) if self.with_std else np.ones(d)
        return 1.0 / self.scale_, -self.mean_ / self.scale_


class MinMaxScaler(_AffineScaler):
    """Rescale each feature linearly so its training minimum and maximum map to
    ``feature_range = (lo, hi)``::

        z = lo + (x − min) · (hi − lo) / (max − min)  =  x · scale_ + min_

    with ``scale_ = (hi − lo) / (max − min)`` and ``min_ = lo − min · scale_``. A
    constant feature (max = min) uses a range of 1 instead of 0.
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)) -> None:
        lo, hi = feature_range
        if not lo < hi:
            raise ValueError(f"MinMaxScaler: feature_range {feature_range} needs min < max")
        self.feature_range = (float(lo), float(hi))

    def _fit(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.feature_range
        self.data_min_ = X.min(axis=0)
        self.data_max_ = X.max(axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        self.scale_ = (hi - lo) / _nonzero(self.data_range_)
        self.min_ = lo - self.data_min_ * self.scale_
        return self.scale_, self.min_


# --------------------------------------------------------------------------- encoding
def one_hot(labels: Any, num_classes: int | None = None, dtype: Any = np.float32) -> np.ndarray:
    """One-hot encode integer class labels: ``out[..., k] = 1 if labels[...] == k else 0``.

    ``labels`` of shape ``S`` gives an array of shape ``S + (num_classes,)``;
    ``num_classes`` defaults to ``max(labels) + 1``.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    y = to_numpy(labels)
    if y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
        y = y.astype(np.int64)  # labels read from a CSV are often floats like 2.0
    if y.dtype.kind not in "iub":
        raise TypeError(f"one_hot: labels must be integers, got dtype {y.dtype}")
    y = y.astype(np.int64)
    if y.size and y.min() < 0:
        raise ValueError(f"one_hot: labels must be non-negative, found {y.min()}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(
            f"one_hot: label {y.max()} is out of range for num_classes={num_classes} "
            f"(labels must be in 0..{num_classes - 1})"
        )
    # Row k of the identity matrix is the one-hot vector of class k.
    return np.eye(num_classes, dtype=dtype)[y]


class LabelEncoder:
    """Map arbitrary labels (strings, numbers) to integers ``0..K−1`` and back.

    ``classes_`` holds the sorted distinct labels seen by ``fit``; label
    ``classes_[k]`` is encoded as ``k``.

    >>> enc = LabelEncoder().fit(["cat", "dog", "cat", "bird"])
    >>> enc.classes_.tolist(), enc.transform(["dog", "bird"]).tolist()
    (['bird', 'cat', 'dog'], [2, 0])
    """

    classes_: np.ndarray

    @staticmethod
    def _column(y: Any, who: str) -> np.ndarray:
        y = to_numpy(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"{who}: expected a 1-D array of labels, got shape {y.shape}")
        return y

    def _check_fitted(self, who: str) -> None:
        if not hasattr(self, "classes_"):
            raise RuntimeError(f"{who}: this LabelEncoder is not fitted yet; call fit(y) first")

    def fit(self, y: Any) -> LabelEncoder:
        """Learn the sorted set of distinct labels."""
        self.classes_ = np.unique(self._column(y, "LabelEncoder.fit"))
        return self

    def transform(self, y: Any) -> np.ndarray:
        """Labels → int64 codes. Labels not seen by ``fit`` raise ``ValueError``."""
        self._check_fitted("LabelEncoder.transform")
        y = self._column(y, "LabelEncoder.transform")
        # classes_ is sorted, so a binary search finds each label's position.
        codes = np.searchsorted(self.classes_, y)
        found = codes < len(self.classes_)
        found[found] = self.classes_[codes[found]] == y[found]
        if not found.all():
            unseen = np.unique(y[~found]).tolist()
            raise ValueError(f"LabelEncoder.transform: labels not seen in fit: {unseen}")
        return codes.astype(np.int64)

    def fit_transform(self, y: Any) -> np.ndarray:
        """``fit(y)`` then ``transform(y)``."""
        return self.fit(y).transform(y)

    def inverse_transform(self, codes: Any) -> np.ndarray:
        """int codes → the original labels."""
        self._check_fitted("LabelEncoder.inverse_transform")
        codes = self._column(codes, "LabelEncoder.inverse_transform")
        in_range = codes.dtype.kind in "iu" and (
            codes.size == 0 or (codes.min() >= 0 and codes.max() < len(self.classes_))
        )
        if not in_range:
            raise ValueError(
                "LabelEncoder.inverse_transform: codes must be integers in "
                f"0..{len(self.classes_) - 1}, got {np.unique(codes).tolist()[:10]}"
            )
        return self.classes_[codes.astype(np.intp)]
