# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 7 — Preparing data, and measuring a model
#
# Before training: scale the features, encode the labels, split off a test set — in an
# order that keeps the test set honest. After training: turn predictions into numbers
# that say how good they are.
#
# * **W10** — seed 001, `#### 3.2.1 数据预处理` — StandardScaler, label encoding,
#   train_test_split(test_size=0.2, random_state=42)
# * **W28** — seed 004, `## 8. 附录：常见问题与解答` — the metrics it names: accuracy, recall,
#   F1, MSE, RMSE, AUC-ROC (the rest of W28 is in lesson 11)

# %%
import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import (
    LabelEncoder,
    MinMaxScaler,
    StandardScaler,
    accuracy,
    confusion_matrix,
    f1_score,
    load_breast_cancer,
    mean_absolute_error,
    mean_squared_error,
    precision,
    recall,
    roc_auc_score,
    root_mean_squared_error,
    train_test_split,
)

IDS = ["W10", "W28"]
TITLE = "Preparing data (scaling, encoding, splitting) and measuring a model (metrics)"

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

# %% [markdown]
# ## W10 · `#### 3.2.1 数据预处理`
#
# The seed's code: `X_normalized = scaler.fit_transform(X_clean)`, then
# `train_test_split(X_normalized, y_encoded, test_size=0.2, random_state=42)`.
# `load_data`, `clean_data` and `encode_labels` are never defined; we use the
# breast-cancer data that ships with scikit-learn (569 samples × 30 features).
#
# **Standardisation.** `StandardScaler` subtracts each column's mean and divides by its
# standard deviation — the *population* one (ddof = 0), as scikit-learn does. It is
# standardisation (z-scores), not the min–max "normalisation" (归一化) the seed's comment
# names; that one is `MinMaxScaler`.

# %%
X_small = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
sc = StandardScaler().fit(X_small)
Z = sc.transform(X_small)
print("scale_ =", sc.scale_, " z-scores:\n", Z)
show("W10", "StandardScaler.scale_ on [[1,10],[2,20],[3,60]] (population std)", sc.scale_)
show("W10", "standardised columns: mean", Z.mean(axis=0))
show("W10", "standardised columns: std (ddof 0)", Z.std(axis=0))
show("W10", "MinMaxScaler on the same columns: first row", MinMaxScaler().fit_transform(X_small)[0])

# %% [markdown]
# **Split sizes.** `test_size=0.2` takes ⌈0.2·n⌉ samples for the test set (rounded up),
# like scikit-learn; with `random_state=42` the split is exactly scikit-learn's.

# %%
X, y = load_breast_cancer()
for n in (100, 569, 1797):
    a_tr, a_te = train_test_split(np.arange(n), test_size=0.2, random_state=42)
    show("W10", f"train/test sizes for n = {n}, test_size = 0.2", [len(a_tr), len(a_te)])

# %% [markdown]
# **The order matters: the seed leaks the test set into training.** Fitting the scaler
# on *all* rows before splitting lets the test rows' statistics shape how the training
# data is scaled. The fix: split first, fit the scaler on the training rows only, and use
# that same scaler (`transform`, not `fit_transform`) on the test rows. The training
# columns then have mean 0 and std 1 exactly; the test columns only approximately —
# which is what "unseen data" looks like.

# %%
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42)
scaler = StandardScaler().fit(X_tr)
Ztr, Zte = scaler.transform(X_tr), scaler.transform(X_te)
show("W10", "train columns after fit-on-train: max |mean|", float(np.abs(Ztr.mean(0)).max()))
show("W10", "train columns: max |std − 1|", float(np.abs(Ztr.std(0) - 1).max()))
show("W10", "test columns: max |mean| (not 0: data the scaler never saw)",
     float(np.abs(Zte.mean(0)).max()))
leaky = StandardScaler().fit(X)
shift = float(np.abs((leaky.mean_ - scaler.mean_) / scaler.scale_).max())
claim("W10", "where the scaler is fitted", "fit_transform on all rows, then split",
      f"leaks: the all-rows mean differs from the train-only mean by up to {shift:.3f} std",
      agrees=False, note="split first; fit the scaler on X_train; transform X_test with it")

# %% [markdown]
# **Label encoding.** `LabelEncoder` maps the sorted distinct labels to 0…K−1. The
# breast-cancer targets as words — note that sorting makes "benign" 0 and "malignant" 1,
# the opposite of the data set's own coding (0 = malignant). Which class counts as
# "positive" (for recall, below) is a choice to make deliberately, not an accident of
# spelling.

# %%
pick = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]
names = [("malignant", "benign")[k] for k in y[pick]]
enc = LabelEncoder()
codes = enc.fit_transform(names)
print(names, "→", codes.tolist(), " classes_:", enc.classes_.tolist())
show("W10", "LabelEncoder classes_ for the breast-cancer label names", ", ".join(enc.classes_))
show("W10", "codes of " + ", ".join(names), codes)

# %% [markdown]
# ## W28 · `## 8. 附录：常见问题与解答` — the metrics it recommends
#
# The FAQ lists accuracy, recall, F1, MSE, RMSE and AUC-ROC. One classification example
# (8 samples, scores thresholded at 0.5) and one regression example:
#
# * predictions [1, 1, 1, 0, 0, 1, 1, 0] against labels [1, 0, 1, 1, 0, 1, 0, 0]:
#   TP = 3, FN = 1, FP = 2, TN = 2;
# * accuracy = (TP + TN)/n, precision = TP/(TP + FP), recall = TP/(TP + FN),
#   F1 = 2TP/(2TP + FP + FN);
# * AUC-ROC = the probability that a random positive scores above a random negative — it
#   uses the scores, not the thresholded predictions.

# %%
y_true = np.array([1, 0, 1, 1, 0, 1, 0, 0])
scores = Tensor([0.9, 0.6, 0.65, 0.3, 0.2, 0.8, 0.55, 0.1])
y_pred = (scores > 0.5).numpy().astype(np.int64)
cm = confusion_matrix(y_true, y_pred)
print("confusion matrix (rows: true 0/1, columns: predicted 0/1):\n", cm)
show("W28", "confusion matrix [[TN, FP], [FN, TP]]", cm)
show("W28", "accuracy", accuracy(y_true, y_pred))
show("W28", "precision", precision(y_true, y_pred))
show("W28", "recall", recall(y_true, y_pred))
show("W28", "F1", f1_score(y_true, y_pred))
show("W28", "AUC-ROC (from the scores)", roc_auc_score(y_true, scores))

yr = np.array([3.0, -0.5, 2.0, 7.0])
yr_hat = np.array([2.5, 0.0, 2.0, 9.0])
show("W28", "MSE on y=[3,−0.5,2,7], ŷ=[2.5,0,2,9]", mean_squared_error(yr, yr_hat))
show("W28", "RMSE", root_mean_squared_error(yr, yr_hat))
show("W28", "MAE", mean_absolute_error(yr, yr_hat))

if plot is not None:
    figure(plot.plot_confusion_matrix(cm, class_names=["0", "1"],
                               title="W28: confusion matrix at threshold 0.5"),
           "w28_confusion_matrix.png")
