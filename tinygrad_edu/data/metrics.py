"""Evaluation metrics: numbers that say how good predictions are (scikit-learn's semantics).

Every function takes numpy arrays, lists or Tensors (read with ``.numpy()``) and
returns a Python float (or, for per-class results, a numpy array).

Classification metrics compare label vectors. For convenience a 2-D array with more
than one column — one-hot targets, class probabilities or logits — is reduced to labels
with ``argmax`` over its last axis, and a column vector ``(n, 1)`` is flattened; so
``accuracy(y, model(X))`` works on logits directly. (Binary probabilities must be
thresholded first: ``accuracy(y, p > 0.5)``.)

Counts used below, for one class ``c`` taken as "positive":

    TP = #{i : yᵢ = c and ŷᵢ = c}     true positives
    FP = #{i : yᵢ ≠ c and ŷᵢ = c}     false positives
    FN = #{i : yᵢ = c and ŷᵢ ≠ c}     false negatives

A ratio whose denominator is 0 (e.g. precision when nothing was predicted positive)
is defined as 0, which is scikit-learn's value (it also warns; we do not).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .dataset import to_numpy

Average = Literal["binary", "macro", "micro"] | None


# --------------------------------------------------------------------------- helpers
def as_labels(y: Any, who: str = "as_labels", name: str = "y") -> np.ndarray:
    """A 1-D label vector from labels, a column vector, or per-class scores (argmax).

    ``who`` and ``name`` only label the error message for a wrong shape.
    """
    y = to_numpy(y)
    if y.ndim == 2:
        y = y[:, 0] if y.shape[1] == 1 else y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"{who}: {name} must be 1-D labels or 2-D scores, got shape {y.shape}")
    return y


def _label_pair(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    t, p = as_labels(y_true, who, "y_true"), as_labels(y_pred, who, "y_pred")
    if t.shape != p.shape:
        raise ValueError(
            f"{who}: y_true and y_pred have different numbers of samples "
            f"({t.shape[0]} vs {p.shape[0]}; shapes {to_numpy(y_true).shape} and "
            f"{to_numpy(y_pred).shape})"
        )
    if t.size == 0:
        raise ValueError(f"{who}: no samples")
    return t, p


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den elementwise, with 0 where den is 0 (an empty set scores 0)."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.zeros_like(num), where=den != 0)


# --------------------------------------------------------------------------- classification
def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples predicted correctly: ``1/n Σᵢ [yᵢ = ŷᵢ]``."""
    t, p = _label_pair(y_true, y_pred, "accuracy")
    return float(np.mean(t == p))


def confusion_matrix(y_true: Any, y_pred: Any, labels: Any = None) -> np.ndarray:
    """Count matrix ``C`` with ``C[i, j]`` = number of samples whose true label is
    ``labels[i]`` and predicted label is ``labels[j]`` — rows are truth, columns are
    predictions, as in scikit-learn. The diagonal holds the correct predictions.

    ``labels`` defaults to the sorted union of the labels in ``y_true`` and ``y_pred``;
    samples whose label is not in a given ``labels`` are left out.

    >>> confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2]).tolist()
    [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    """
    t, p = _label_pair(y_true, y_pred, "confusion_matrix")
    labels = np.union1d(t, p) if labels is None else to_numpy(labels).ravel()
    k = len(labels)
    if k == 0:
        raise ValueError("confusion_matrix: labels is empty")
    if len(np.unique(labels)) != k:
        raise ValueError(f"confusion_matrix: labels contains duplicates: {labels.tolist()}")
    # Position of each label in `labels` via a binary search in its sorted order.
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]

    def position(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at = np.minimum(np.searchsorted(sorted_labels, y), k - 1)
        return order[at], sorted_labels[at] == y

    ti, t_ok = position(t)
    pi, p_ok = position(p)
    keep = t_ok & p_ok
    # Pair (i, j) becomes the single index i·k + j, so one bincount fills the matrix.
    flat = np.bincount(ti[keep] * k + pi[keep], minlength=k * k)
    return flat.reshape(k, k).astype(np.int64)


def _counts(
    y_true: Any, y_pred: Any, average: Average, pos_label: Any, who: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label (TP, FP, FN) — one label for ``average="binary"``, summed over labels
    for ``"micro"``, one entry per label for ``"macro"`` and ``None``."""
    if average not in ("binary", "macro", "micro", None):
        raise ValueError(
            f"{who}: average must be 'binary', 'macro', 'micro' or None, got {average!r}"
        )
    t, p = _label_pair(y_true, y_pred, who)
    present = np.union1d(t, p)
    if average == "binary":
        if len(present) > 2:
            raise ValueError(
                f"{who}: average='binary' needs two classes, but the labels are "
                f"{present.tolist()}; use average='macro' or 'micro' for multiclass"
            )
        if len(present) == 2 and pos_label not in present:
            raise ValueError(f"{who}: pos_label={pos_label!r} is not a label: {present.tolist()}")
        labels = np.asarray([pos_label])
    else:
        labels = present
    # pos_label may be absent from the data (all-negative y); count it anyway.
    all_labels = np.union1d(present, labels)
    cm = confusion_matrix(t, p, labels=all_labels)
    idx = np.searchsorted(all_labels, labels)
    tp = np.diag(cm)[idx]
    fp = cm.sum(axis=0)[idx] - tp  # predicted as the label, truly something else
    fn = cm.sum(axis=1)[idx] - tp  # truly the label, predicted as something else
    if average == "micro":
        return tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    return tp, fp, fn


def _average(per_label: np.ndarray, average: Average) -> float | np.ndarray:
    """Macro averages the per-label scores; binary and micro already hold one score."""
    if average is None:
        return per_label
    return float(per_label.mean())


def precision(
    y_true: Any, y_pred: Any, average: Average = "binary", pos_label: Any = 1
) -> float | np.ndarray:
    """Of the samples predicted positive, the fraction that are: ``TP / (TP + FP)``.

    ``average="binary"``: for class ``pos_label`` only (two classes at most).
    ``"macro"``: the unweighted mean over classes of each class's precision.
    ``"micro"``: ``ΣTP / (ΣTP + ΣFP)`` over all classes (= accuracy for single-label
    multiclass). ``None``: an array with one precision per class (sorted labels).
    """
    tp, fp, _ = _counts(y_true, y_pred, average, pos_label, "precision")
    return _average(_divide(tp, tp + fp), average)


def recall(
    y_true: Any, y_pred: Any, average: Average = "binary", pos_label: Any = 1
) -> float | np.ndarray:
    """Of the truly positive samples, the fraction found: ``TP / (TP + FN)``
    (also called sensitivity or true-positive rate). ``average`` as in :func:`precision`.
    """
    tp, _, fn = _counts(y_true, y_pred, average, pos_label, "recall")
    return _average(_divide(tp, tp + fn), average)


def f1_score(
    y_true: Any, y_pred: Any, average: Average = "binary", pos_label: Any = 1
) -> float | np.ndarray:
    """Harmonic mean of precision P and recall R::

        F1 = 2 P R / (P + R) = 2 TP / (2 TP + FP + FN)

    ``average`` as in :func:`precision`; "macro" averages the per-class F1 scores (not
    the F1 of the averaged P and R), as scikit-learn does.
    """
    tp, fp, fn = _counts(y_true, y_pred, average, pos_label, "f1_score")
    return _average(_divide(2 * tp, 2 * tp + fp + fn), average)


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve for a binary problem, from scores (higher = more positive).

    The AUC is the probability that a random positive scores above a random negative,
    counting ties as one half::

        AUC = 1/(n₊ n₋) Σ_{i positive} Σ_{j negative} ([sᵢ > sⱼ] + ½ [sᵢ = sⱼ])

    computed in O(n log n) from ranks (Mann–Whitney U): with ``rᵢ`` the 1-based rank of
    sᵢ among all scores, tied scores sharing the mean of their ranks,
    ``AUC = (Σ_{i positive} rᵢ − n₊(n₊ + 1)/2) / (n₊ n₋)``. This equals scikit-learn's
    trapezoidal area exactly, ties included.

    ``y_true`` holds two distinct labels; the larger one (1 in {0, 1}) is positive.
    ``y_score`` is 1-D (or a column), e.g. the predicted probability of the positive
    class.
    """
    t = to_numpy(y_true).ravel()
    s = to_numpy(y_score)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim != 1 or len(s) != len(t):
        raise ValueError(
            f"roc_auc_score: need one score per sample, got y_true shape "
            f"{to_numpy(y_true).shape} and y_score shape {to_numpy(y_score).shape}"
        )
    s = s.astype(np.float64)
    if np.isnan(s).any():
        raise ValueError("roc_auc_score: y_score contains NaN")
    classes = np.unique(t)
    if len(classes) != 2:
        raise ValueError(
            f"roc_auc_score: y_true must contain exactly two classes, found {classes.tolist()} "
            "(ROC AUC is not defined with one class)"
        )
    positive = t == classes[1]
    n_pos = int(positive.sum())
    n_neg = len(t) - n_pos
    # Average ranks: a group of tied scores occupying ranks a..b each gets (a + b) / 2.
    _, group, group_size = np.unique(s, return_inverse=True, return_counts=True)
    last_rank = np.cumsum(group_size)  # rank of the last member of each group
    mean_rank = last_rank - (group_size - 1) / 2.0
    rank_sum = mean_rank[group][positive].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


# --------------------------------------------------------------------------- regression
def _regression_pair(y_true: Any, y_pred: Any, who: str) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 (samples, outputs); a 1-D array is a single output."""
    t, p = to_numpy(y_true).astype(np.float64), to_numpy(y_pred).astype(np.float64)
    t = t[:, None] if t.ndim == 1 else t
    p = p[:, None] if p.ndim == 1 else p
    if t.ndim != 2 or t.shape != p.shape:
        raise ValueError(
            f"{who}: y_true and y_pred must have the same shape, got "
            f"{to_numpy(y_true).shape} and {to_numpy(y_pred).shape}"
        )
    if t.size == 0:
        raise ValueError(f"{who}: no samples")
    return t, p


def mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """MSE = 1/n Σᵢ (yᵢ − ŷᵢ)²  (averaged over outputs too when there are several)."""
    t, p = _regression_pair(y_true, y_pred, "mean_squared_error")
    return float(np.mean((t - p) ** 2))


def root_mean_squared_error(y_true: Any, y_pred: Any) -> float:
    """RMSE = √(1/n Σᵢ (yᵢ − ŷᵢ)²), in the units of y.

    With several outputs, the RMSE of each output is averaged (scikit-learn's
    ``multioutput="uniform_average"``), which is not √MSE of all values together.
    """
    t, p = _regression_pair(y_true, y_pred, "root_mean_squared_error")
    return float(np.mean(np.sqrt(np.mean((t - p) ** 2, axis=0))))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """MAE = 1/n Σᵢ |yᵢ − ŷᵢ|  (averaged over outputs too when there are several)."""
    t, p = _regression_pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(t - p)))
