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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# # 第 7 课 — 准备数据，以及衡量模型
#
# 训练之前：缩放特征、编码标签、划分出测试集——而且顺序要保证测试集“干净”。训练之后：把预测结果变
# 成能说明模型好坏的数字。
#
# * **W10** — 种子文档 001，`#### 3.2.1 数据预处理` — StandardScaler、标签编码、
# train_test_split(test_size=0.2, random_state=42)
# * **W28** — 种子文档 004，`## 8. 附录：常见问题与解答` — 其中提到的评价指标：准确率、召回率、
# F1、MSE、RMSE、AUC-ROC（W28 的其余部分在第 11 课）

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## W10 · `#### 3.2.1 数据预处理`
#
# 原文的代码：先 `X_normalized = scaler.fit_transform(X_clean)`，再
# `train_test_split(X_normalized, y_encoded, test_size=0.2, random_state=42)`。`load_data`、
# `clean_data` 和 `encode_labels` 都没有定义；我们使用 scikit-learn 自带的乳腺癌数据集（569 个样
# 本 × 30 个特征）。
#
# **标准化（standardisation）。** `StandardScaler` 对每一列减去均值、除以标准差——用的是*总体*标
# 准差（ddof = 0），与 scikit-learn 相同。这是标准化（z 分数），而不是原文注释里说的最小–最大“归
# 一化”；后者是 `MinMaxScaler`。

# %%
X_small = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
sc = StandardScaler().fit(X_small)
Z = sc.transform(X_small)
print("scale_ =", sc.scale_, " z-scores:\n", Z)
show("W10", "StandardScaler.scale_ on [[1,10],[2,20],[3,60]] (population std)", sc.scale_)
show("W10", "standardised columns: mean", Z.mean(axis=0))
show("W10", "standardised columns: std (ddof 0)", Z.std(axis=0))
show("W10", "MinMaxScaler on the same columns: first row", MinMaxScaler().fit_transform(X_small)[0])

# %% [markdown] lang="en"
# **Split sizes.** `test_size=0.2` takes ⌈0.2·n⌉ samples for the test set (rounded up),
# like scikit-learn; with `random_state=42` the split is exactly scikit-learn's.

# %% [markdown] lang="zh"
# **划分的大小。** `test_size=0.2` 取 ⌈0.2·n⌉ 个样本作为测试集（向上取整），与 scikit-learn 一致
# ；在 `random_state=42` 下，划分结果与 scikit-learn 完全相同。

# %%
X, y = load_breast_cancer()
for n in (100, 569, 1797):
    a_tr, a_te = train_test_split(np.arange(n), test_size=0.2, random_state=42)
    show("W10", f"train/test sizes for n = {n}, test_size = 0.2", [len(a_tr), len(a_te)])

# %% [markdown] lang="en"
# **The order matters: the seed leaks the test set into training.** Fitting the scaler
# on *all* rows before splitting lets the test rows' statistics shape how the training
# data is scaled. The fix: split first, fit the scaler on the training rows only, and use
# that same scaler (`transform`, not `fit_transform`) on the test rows. The training
# columns then have mean 0 and std 1 exactly; the test columns only approximately —
# which is what "unseen data" looks like.

# %% [markdown] lang="zh"
# **顺序很重要：原文让测试集泄漏到了训练中。** 在划分之前用*全部*数据拟合缩放器，测试样本的统计
# 量就会影响训练数据的缩放方式。正确的做法：先划分，只用训练样本拟合缩放器，再用同一个缩放器（
# `transform`，而不是 `fit_transform`）处理测试样本。这样训练集的各列均值恰好为 0、标准差恰好为
# 1；测试集的各列只是近似如此——这正是“没见过的数据”应有的样子。

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
      agrees=False, note="split first; fit the scaler on X_train; transform X_test with it",
                    note_zh='先划分；只用 X_train 拟合缩放器，再用它变换 X_test')

# %% [markdown] lang="en"
# **Label encoding.** `LabelEncoder` maps the sorted distinct labels to 0…K−1. The
# breast-cancer targets as words — note that sorting makes "benign" 0 and "malignant" 1,
# the opposite of the data set's own coding (0 = malignant). Which class counts as
# "positive" (for recall, below) is a choice to make deliberately, not an accident of
# spelling.

# %% [markdown] lang="zh"
# **标签编码。** `LabelEncoder` 把排好序的不同标签映射为 0…K−1。把乳腺癌数据的目标写成英文单词——
# 注意，排序后 "benign"（良性）是 0、"malignant"（恶性）是 1，与数据集本身的编码（0 = 恶性）正好
# 相反。哪一类算作“正类”（关系到下面的召回率），应当有意识地选择，而不是取决于单词的拼写。

# %%
pick = np.r_[np.flatnonzero(y == 0)[:3], np.flatnonzero(y == 1)[:3]]
names = [("malignant", "benign")[k] for k in y[pick]]
enc = LabelEncoder()
codes = enc.fit_transform(names)
print(names, "→", codes.tolist(), " classes_:", enc.classes_.tolist())
show("W10", "LabelEncoder classes_ for the breast-cancer label names", ", ".join(enc.classes_))
show("W10", "codes of " + ", ".join(names), codes)

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## W28 · `## 8. 附录：常见问题与解答` — 原文推荐的评价指标
#
# 常见问题解答里列出了准确率、召回率、F1、MSE、RMSE 和 AUC-ROC。下面是一个分类例子（8 个样本，得
# 分以 0.5 为阈值）和一个回归例子：
#
# * 预测 [1, 1, 1, 0, 0, 1, 1, 0]，标签 [1, 0, 1, 1, 0, 1, 0, 0]：TP = 3，FN = 1，FP = 2，TN = 2
# ；
# * 准确率 = (TP + TN)/n，精确率 = TP/(TP + FP)，召回率 = TP/(TP + FN)，F1 = 2TP/(2TP + FP + FN)
# ；
# * AUC-ROC 是随机抽一个正样本的得分高于随机抽一个负样本的概率——它用的是得分，而不是阈值化之后的
# 预测。

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
