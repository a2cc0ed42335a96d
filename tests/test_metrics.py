"""Tests for tinygrad_edu.data.metrics: hand-computed cases, then scikit-learn on random ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from tinygrad_edu.data.metrics import (
    accuracy,
    as_labels,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision,
    recall,
    roc_auc_score,
    root_mean_squared_error,
)
from tinygrad_edu.tensor import Tensor

# A binary case worked by hand:
#   y_true 1 0 1 1 0 1
#   y_pred 1 0 0 1 1 1
#   TP = 3 (positions 0, 3, 5), FP = 1 (position 4), FN = 1 (position 2), TN = 1
Y_TRUE = [1, 0, 1, 1, 0, 1]
Y_PRED = [1, 0, 0, 1, 1, 1]


# =========================================================================== hand cases
def test_binary_hand_case():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert precision(Y_TRUE, Y_PRED) == pytest.approx(3 / (3 + 1))
    assert recall(Y_TRUE, Y_PRED) == pytest.approx(3 / (3 + 1))
    assert f1_score(Y_TRUE, Y_PRED) == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))
    # With class 0 as "positive": TP = 1, FP = 1 (position 2), FN = 1 (position 4).
    assert precision(Y_TRUE, Y_PRED, pos_label=0) == pytest.approx(1 / 2)
    assert recall(Y_TRUE, Y_PRED, pos_label=0) == pytest.approx(1 / 2)


def test_binary_asymmetric_hand_case():
    # TP = 1, FP = 2, FN = 1:  P = 1/3, R = 1/2, F1 = 2·(1/3)(1/2)/(1/3 + 1/2) = 0.4
    y_true = [1, 1, 0, 0, 0]
    y_pred = [1, 0, 1, 1, 0]
    assert precision(y_true, y_pred) == pytest.approx(1 / 3)
    assert recall(y_true, y_pred) == pytest.approx(1 / 2)
    assert f1_score(y_true, y_pred) == pytest.approx(0.4)


def test_confusion_matrix_hand_case():
    # rows = true, columns = predicted
    cm = confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, [[1, 1], [1, 3]])
    assert cm.dtype == np.int64
    cm3 = confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 1, 1])
    np.testing.assert_array_equal(cm3, [[1, 0, 0], [0, 1, 1], [0, 1, 1]])
    # Given labels fix the order (and the size, even for absent classes).
    cm_l = confusion_matrix([0, 1], [0, 1], labels=[1, 0, 5])
    np.testing.assert_array_equal(cm_l, [[1, 0, 0], [0, 1, 0], [0, 0, 0]])


def test_confusion_matrix_string_labels_and_dropped_labels():
    cm = confusion_matrix(["cat", "dog", "cat"], ["dog", "dog", "cat"])
    np.testing.assert_array_equal(cm, [[1, 1], [0, 1]])
    cm = confusion_matrix([0, 1, 2], [0, 2, 2], labels=[0, 1])  # samples with 2 are left out
    np.testing.assert_array_equal(cm, [[1, 0], [0, 0]])


def test_multiclass_hand_case():
    # y_true 0 0 1 1 2 2, y_pred 0 1 1 1 0 2
    #   class 0: TP 1, FP 1, FN 1 -> P 1/2, R 1/2, F1 1/2
    #   class 1: TP 2, FP 1, FN 0 -> P 2/3, R 1,   F1 4/5
    #   class 2: TP 1, FP 0, FN 1 -> P 1,   R 1/2, F1 2/3
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 0, 2]
    assert precision(y_true, y_pred, average="macro") == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert recall(y_true, y_pred, average="macro") == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    assert f1_score(y_true, y_pred, average="macro") == pytest.approx((1 / 2 + 4 / 5 + 2 / 3) / 3)
    # micro: ΣTP = 4, ΣFP = 2, ΣFN = 2  ->  4/6 each, equal to the accuracy
    for fn in (precision, recall, f1_score):
        assert fn(y_true, y_pred, average="micro") == pytest.approx(4 / 6)
    np.testing.assert_allclose(precision(y_true, y_pred, average=None), [1 / 2, 2 / 3, 1])


def test_zero_division_is_zero():
    # Nothing predicted positive: precision has 0/0 and is defined as 0, like sklearn.
    assert precision([1, 0, 1], [0, 0, 0]) == 0.0
    assert f1_score([1, 0, 1], [0, 0, 0]) == 0.0
    # No positives at all (pos_label absent from the data) is allowed too.
    assert recall([0, 0], [0, 0]) == 0.0


def test_regression_hand_case_from_the_seed():
    # W06's numbers: squared errors 0.25, 0.04, 0.64, 0.09, 0.81 (sum 1.83);
    # absolute errors 0.5, 0.2, 0.8, 0.3, 0.9 (sum 2.7).
    y = [2.0, 3.0, 4.0, 5.0, 6.0]
    y_hat = [1.5, 2.8, 3.2, 4.7, 5.1]
    assert mean_squared_error(y, y_hat) == pytest.approx(1.83 / 5)
    assert root_mean_squared_error(y, y_hat) == pytest.approx(math.sqrt(1.83 / 5))
    assert mean_absolute_error(y, y_hat) == pytest.approx(2.7 / 5)


def test_multioutput_rmse_averages_per_output():
    # output 0 errors (1, 1): RMSE 1; output 1 errors (0, 2): RMSE √2
    y = np.zeros((2, 2))
    y_hat = np.array([[1.0, 0.0], [1.0, 2.0]])
    assert root_mean_squared_error(y, y_hat) == pytest.approx((1 + math.sqrt(2)) / 2)
    assert mean_squared_error(y, y_hat) == pytest.approx((1 + 0 + 1 + 4) / 4)


def test_roc_auc_hand_cases():
    # Pairs (positive, negative): 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes -> 3/4
    assert roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # A tie counts one half: 0.5 vs 0.2 -> 1, 0.5 vs 0.5 -> 1/2, 0.9 vs both -> 2; 3.5 / 4
    assert roc_auc_score([0, 0, 1, 1], [0.2, 0.5, 0.5, 0.9]) == pytest.approx(0.875)
    assert roc_auc_score([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    assert roc_auc_score([1, 1, 0], [3, 2, 1]) == 1.0
    assert roc_auc_score([1, 1, 0], [0, 1, 2]) == 0.0
    # The larger label is the positive class: {-1, 1} works like {0, 1}.
    assert roc_auc_score([-1, -1, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


# =========================================================================== input forms
def test_metrics_accept_tensors_columns_and_scores():
    y = Tensor(np.array([0, 1, 2, 1]))
    logits = Tensor(np.array([[5, 0, 0], [0, 3, 1], [0, 0, 2], [4, 0, 0]], dtype=np.float64))
    assert accuracy(y, logits) == pytest.approx(3 / 4)  # argmax of each row
    one_hot_true = np.eye(3)[[0, 1, 2, 1]]
    assert accuracy(one_hot_true, logits) == pytest.approx(3 / 4)
    assert accuracy(np.array([[1], [0]]), np.array([1, 1])) == pytest.approx(1 / 2)
    assert mean_squared_error(Tensor(np.array([1.0, 2.0])), np.array([[1.0], [4.0]])) == 2.0
    assert roc_auc_score(Tensor(np.array([0, 1])), Tensor(np.array([[0.2], [0.7]]))) == 1.0
    np.testing.assert_array_equal(as_labels(np.array([[0.1, 0.9], [0.8, 0.2]])), [1, 0])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: accuracy([1, 0], [1]), r"accuracy: .*different numbers of samples \(2 vs 1"),
        (lambda: accuracy([], []), "accuracy: no samples"),
        (lambda: precision([0, 1, 2], [0, 1, 2]), "average='binary' needs two classes"),
        (lambda: recall([0, 1], [0, 1], pos_label=5), "pos_label=5"),
        (lambda: f1_score([0, 1], [0, 1], average="weighted"), "average must be"),
        (lambda: roc_auc_score([1, 1], [0.2, 0.4]), "exactly two classes"),
        (lambda: roc_auc_score([0, 1], [0.2, 0.4, 0.5]), r"shape \(3,\)"),
        (lambda: roc_auc_score([0, 1], [0.2, np.nan]), "NaN"),
        (lambda: mean_squared_error([1, 2], [1, 2, 3]), r"\(2,\) and \(3,\)"),
        (lambda: confusion_matrix([0], [0], labels=[0, 0]), "duplicates"),
        (lambda: as_labels(np.zeros((2, 2, 2))), r"shape \(2, 2, 2\)"),
    ],
)
def test_errors_name_the_function_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# =========================================================================== vs scikit-learn
SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    kw = {"zero_division": 0}
    assert precision(y_true, y_pred) == pytest.approx(skm.precision_score(y_true, y_pred, **kw))
    assert recall(y_true, y_pred) == pytest.approx(skm.recall_score(y_true, y_pred, **kw))
    assert f1_score(y_true, y_pred) == pytest.approx(skm.f1_score(y_true, y_pred, **kw))
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred)
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "micro", None])
def test_multiclass_metrics_match_sklearn(seed, average):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 80)), int(rng.integers(2, 7))
    y_true = rng.integers(0, k, n)
    y_pred = rng.integers(0, k, n)
    kw = {"average": average, "zero_division": 0}
    for ours, theirs in [
        (precision, skm.precision_score),
        (recall, skm.recall_score),
        (f1_score, skm.f1_score),
    ]:
        np.testing.assert_allclose(
            ours(y_true, y_pred, average=average), theirs(y_true, y_pred, **kw), atol=1e-12
        )
    labels = rng.permutation(k + 1)  # includes an absent class, in a shuffled order
    np.testing.assert_array_equal(
        confusion_matrix(y_true, y_pred, labels=labels),
        skm.confusion_matrix(y_true, y_pred, labels=labels),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(1, 40)),) if seed % 2 else (int(rng.integers(1, 40)), 3)
    y = rng.normal(size=shape)
    y_hat = y + rng.normal(scale=0.5, size=shape)
    assert mean_squared_error(y, y_hat) == pytest.approx(skm.mean_squared_error(y, y_hat))
    assert mean_absolute_error(y, y_hat) == pytest.approx(skm.mean_absolute_error(y, y_hat))
    assert root_mean_squared_error(y, y_hat) == pytest.approx(skm.root_mean_squared_error(y, y_hat))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_roc_auc_matches_sklearn(seed, ties):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 100))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]  # both classes present
    # Integer scores from a small range give many ties.
    s = rng.integers(0, 4, n).astype(float) if ties else rng.normal(size=n) + y
    assert roc_auc_score(y, s) == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
