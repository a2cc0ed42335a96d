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
# # Lesson 8 — Classifying with a multilayer perceptron
#
# Two of the seed's Keras programs: a binary classifier (sigmoid output, binary
# cross-entropy) with its evaluation and deployment, and a ten-class digit classifier
# (softmax output, sparse categorical cross-entropy). Neither program says where its data
# comes from (`load_data()`, `x_train` are never defined) and MNIST cannot be downloaded
# here, so we use the data sets that ship with scikit-learn: breast cancer (569 × 30,
# binary) and the 8×8 digits (1797 × 64, ten classes).
#
# * **W11** — seed 001, `#### 3.2.2 模型训练` and `### 5.2 源代码详细实现和代码解读` —
#   Dense(128, relu) → Dense(64, relu) → Dense(1, sigmoid), BCE, Adam 0.001, 10 epochs, batch 32
# * **W12** — seed 001, `#### 3.2.3 模型评估` and `#### 3.2.4 模型部署` — accuracy, recall,
#   save, load, predict
# * **W27** — seed 004, `### 4.1 代码实例` — Dense(128, relu, input 784) → Dense(10, softmax),
#   sparse CE, Adam, 10 epochs, batch 32

# %% [markdown] lang="zh"
# # 第 8 课 — 用多层感知机做分类
#
# 原文中的两个 Keras 程序：一个二分类器（sigmoid 输出，二元交叉熵），以及它的评估和部署；一个十
# 分类的手写数字分类器（softmax 输出，稀疏多分类交叉熵）。两个程序都没有说明数据从哪里来（
# `load_data()`、`x_train` 从未定义），而且这里无法下载 MNIST，所以我们使用 scikit-learn 自带的
# 数据集：乳腺癌数据（569 × 30，二分类）和 8×8 手写数字（1797 × 64，十个类别）。
#
# * **W11** — 种子文档 001，`#### 3.2.2 模型训练` 和 `### 5.2 源代码详细实现和代码解读` —
# Dense(128, relu) → Dense(64, relu) → Dense(1, sigmoid)，BCE，Adam 0.001，10 个 epoch，批大小
# 32
# * **W12** — 种子文档 001，`#### 3.2.3 模型评估` 和 `#### 3.2.4 模型部署` — 准确率、召回率、保
# 存、加载、预测
# * **W27** — 种子文档 004，`### 4.1 代码实例` — Dense(128, relu, 输入 784) → Dense(10, softmax)
# ，稀疏交叉熵，Adam，10 个 epoch，批大小 32

# %%
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, out_dir, show
from tinygrad_edu.data import (
    StandardScaler,
    accuracy,
    load_breast_cancer,
    load_digits,
    recall,
    train_test_split,
)
from tinygrad_edu.train import evaluate, fit, predict

IDS = ["W11", "W12", "W27"]
TITLE = "Classifying with a multilayer perceptron (breast cancer, digits)"

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

# %% [markdown] lang="en"
# ## W11 · `#### 3.2.2 模型训练` — the binary classifier
#
# Preprocessing as corrected in lesson 7 (split first, scaler fitted on the training rows).
# The Keras model, layer for layer: `Dense(128, activation='relu', input_shape=(30,))` is
# `nn.Linear(30, 128)` + `nn.ReLU()`, and so on; the sigmoid output goes with
# `nn.BCELoss` (Keras `BinaryCrossentropy`). Labels: 1 = benign, 0 = malignant (the data
# set's coding). The seed's settings are used as they are: Adam lr 0.001, 10 epochs,
# batch 32, the test set as validation data.

# %% [markdown] lang="zh"
# ## W11 · `#### 3.2.2 模型训练` — 二分类器
#
# 预处理按第 7 课更正后的方式进行（先划分，只用训练样本拟合缩放器）。Keras 模型逐层对应：
# `Dense(128, activation='relu', input_shape=(30,))` 就是 `nn.Linear(30, 128)` + `nn.ReLU()`，依
# 此类推；sigmoid 输出配 `nn.BCELoss`（Keras 的 `BinaryCrossentropy`）。标签：1 = 良性，0 = 恶性
# （数据集本身的编码）。原文的设置原样使用：Adam 学习率 0.001，10 个 epoch，批大小 32，测试集作
# 为验证数据。

# %%
X, y = load_breast_cancer()
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
t_tr = y_tr.reshape(-1, 1).astype(np.float32)     # BCELoss wants float targets like ŷ
t_te = y_te.reshape(-1, 1).astype(np.float32)


def binary_classifier(n_features, seed=0):
    rng = np.random.default_rng(seed)     # one Generator → the whole model is reproducible
    return nn.Sequential(
        nn.Linear(n_features, 128, seed=rng), nn.ReLU(),
        nn.Linear(128, 64, seed=rng), nn.ReLU(),
        nn.Linear(64, 1, seed=rng), nn.Sigmoid(),
    )


model = binary_classifier(X_tr.shape[1])
info = nn.summary(model, (X_tr.shape[1],))
print(info)
show("W11", "parameters of Dense(128)→Dense(64)→Dense(1) on 30 features", info.total_params)

history = fit(model, nn.BCELoss(), optim.Adam(model.parameters(), lr=0.001), (X_tr, t_tr),
              epochs=10, batch_size=32, validation_data=(X_te, t_te), metrics=["accuracy"],
              seed=0, progress=False)
for e in range(10):
    print(f"epoch {e + 1:2d}: loss {history['loss'][e]:.4f} acc {history['accuracy'][e]:.3f}"
          f" | val_loss {history['val_loss'][e]:.4f} val_acc {history['val_accuracy'][e]:.3f}")
show("W11", "training loss, epoch 1", history["loss"][0])
show("W11", "training loss, epoch 10", history["loss"][-1])
show("W11", "validation loss, epoch 10", history["val_loss"][-1])

p_te = predict(model, X_te)
pred = (p_te > 0.5).astype(np.int64).ravel()
acc11, rec11 = accuracy(y_te, pred), recall(y_te, pred)
print(f"test accuracy {acc11:.4f}, recall {rec11:.4f} (positive class 1 = benign)")
show("W11", "test accuracy at threshold 0.5 (114 test samples)", acc11)
show("W11", "test recall at threshold 0.5 (positive = 1, benign)", rec11)
show("W11", "test recall of the malignant class (pos_label = 0)", recall(y_te, pred, pos_label=0))
show("W11", "accuracy of always answering the majority class (chance level)",
     float(max(y_te.mean(), 1 - y_te.mean())))
claim("W11", "what the sigmoid output layer is for (5.3.2)", "用于回归任务 (for regression)",
      f"a binary classifier: outputs P(benign) in (0, 1), trained with binary cross-entropy, "
      f"test accuracy {acc11:.3f}", agrees=False,
      note="a sigmoid output with binary cross-entropy is a classifier, not a regression",
      note_zh='sigmoid 输出配二元交叉熵是分类器，不是回归')

# %% [markdown] lang="en"
# ## W12 · `#### 3.2.3 模型评估` and `#### 3.2.4 模型部署`
#
# **Evaluation.** `accuracy = (TP + TN)/n`, `recall = TP/(TP + FN)`. Once more on the small
# example of lesson 7: labels [1, 0, 1, 1, 0, 1, 0, 0] and scores
# [0.9, 0.6, 0.65, 0.3, 0.2, 0.8, 0.55, 0.1] thresholded at 0.5 give accuracy 0.625 and
# recall 0.75.

# %% [markdown] lang="zh"
# ## W12 · `#### 3.2.3 模型评估` 和 `#### 3.2.4 模型部署`
#
# **评估。** `accuracy = (TP + TN)/n`（准确率），`recall = TP/(TP + FN)`（召回率）。再用第 7 课
# 的小例子算一次：标签 [1, 0, 1, 1, 0, 1, 0, 0]，得分 [0.9, 0.6, 0.65, 0.3, 0.2, 0.8, 0.55, 0.1]
# ，以 0.5 为阈值，得到准确率 0.625、召回率 0.75。

# %%
y_small = np.array([1, 0, 1, 1, 0, 1, 0, 0])
s_small = np.array([0.9, 0.6, 0.65, 0.3, 0.2, 0.8, 0.55, 0.1])
show("W12", "accuracy on the 8-sample example", accuracy(y_small, s_small > 0.5))
show("W12", "recall on the 8-sample example", recall(y_small, s_small > 0.5))
show("W12", "accuracy of the W11 model on its test set", acc11)
show("W12", "recall of the W11 model on its test set", rec11)

# %% [markdown] lang="en"
# **Deployment.** `model.save("model.h5")` / `load_model` become `nn.save(model, path)` and
# `model.load_state_dict(nn.load(path))`: the file holds the weights only (never code), so
# the architecture is rebuilt in code and the weights poured in. The loaded model must
# predict *exactly* what the original predicts.

# %% [markdown] lang="zh"
# **部署。** `model.save("model.h5")` / `load_model` 在这里对应 `nn.save(model, path)` 和
# `model.load_state_dict(nn.load(path))`：文件里只保存权重（从不保存代码），所以要先用代码重建网
# 络结构，再把权重装进去。加载后的模型必须和原模型给出*完全相同*的预测。

# %%
path = out_dir() / "w12_breast_cancer_mlp.npz"
nn.save(model, path)
loaded = binary_classifier(X_tr.shape[1], seed=123)     # different random weights …
loaded.load_state_dict(nn.load(path))                   # … replaced by the saved ones
same = float(np.abs(predict(loaded, X_te) - p_te).max())
print(f"saved to {path.name}; max |loaded − original| over the test set = {same}")
show("W12", "max |p_loaded − p_original| over the 114 test samples", same)

# %% [markdown] lang="en"
# **What is wrong with the seed's predict call.** The seed deploys with
#
# ```python
# def predict(input_data):
#     input_normalized = scaler.transform([input_data])
#     return loaded_model.predict(input_normalized)[0]
# print(predict("This is a sample text for prediction."))
# ```
#
# The model was trained on 30 numbers per sample; nothing in the pipeline turns text into
# those numbers, so the scaler refuses the string. (Even a numeric input must have exactly
# 30 entries, and the function returns a probability, not a class: the 0.5 threshold is
# missing.) The engine's messages:

# %% [markdown] lang="zh"
# **原文的 predict 调用错在哪里。** 原文这样部署模型：
#
# ```python
# def predict(input_data):
#     input_normalized = scaler.transform([input_data])
#     return loaded_model.predict(input_normalized)[0]
# print(predict("This is a sample text for prediction."))
# ```
#
# 模型训练时每个样本是 30 个数；流程中没有任何一步能把文本变成这些数，所以缩放器会拒绝这个字符串
# 。（即使输入是数字，也必须恰好有 30 个；而且这个函数返回的是概率而不是类别：缺少 0.5 的阈值。
# ）引擎给出的报错信息如下：

# %%
def seed_predict(input_data):
    input_normalized = scaler.transform([input_data])
    return predict(loaded, input_normalized)[0]


try:
    seed_predict("This is a sample text for prediction.")
    text_error = "no error"
except (ValueError, TypeError) as e:
    text_error = f"{type(e).__name__}: {e}"
print(text_error)
claim("W12", "predict(\"This is a sample text for prediction.\")",
      "returns a prediction", text_error, agrees=False,
      note="the model takes 30 numeric features; a string cannot be scaled or classified",
      note_zh='模型的输入是 30 个数值特征；字符串既不能缩放，也不能分类')
try:
    seed_predict([1.0, 2.0, 3.0])
    short_error = "no error"
except (ValueError, TypeError) as e:
    short_error = f"{type(e).__name__}: {e}"
print(short_error)
show("W12", "predict on a numeric row of the wrong length (3 features)", short_error)


def fixed_predict(raw_features):
    """Scale one raw sample with the training scaler and return the class (0 or 1)."""
    p = predict(loaded, scaler.transform(np.asarray(raw_features, dtype=np.float32)[None]))
    return int(p[0, 0] > 0.5)


show("W12", "fixed predict on the raw features of breast-cancer sample 0 (true label 0)",
     fixed_predict(X[0]))

# %% [markdown] lang="en"
# ## W27 · `### 4.1 代码实例` — the ten-class classifier
#
# `Dense(128, activation='relu', input_shape=(784,))` → `Dense(10, activation='softmax')`
# with `sparse_categorical_crossentropy`, Adam (Keras's default lr 0.001), 10 epochs,
# batch 32. MNIST's 28×28 = 784 pixels become the digits' 8×8 = 64 (scaled to [0, 1] by
# dividing by 16); split 0.2 with random_state 42 → 1437 training and 360 test images.
#
# In PyTorch style the softmax is not a layer: `nn.CrossEntropyLoss` takes the raw scores
# (logits) and integer labels and applies log-softmax itself, which is numerically safer
# than taking the log of a softmax output. Keras's softmax layer + sparse CE and our
# Linear + CrossEntropyLoss compute the same number, as checked below.

# %% [markdown] lang="zh"
# ## W27 · `### 4.1 代码实例` — 十分类器
#
# `Dense(128, activation='relu', input_shape=(784,))` → `Dense(10, activation='softmax')`，损失
# 为 `sparse_categorical_crossentropy`，Adam（Keras 默认学习率 0.001），10 个 epoch，批大小 32。
# MNIST 的 28×28 = 784 个像素换成手写数字数据集的 8×8 = 64 个（除以 16 缩放到 [0, 1]）；按 0.2
# 的比例、random_state 42 划分，得到 1437 张训练图像和 360 张测试图像。
#
# 在 PyTorch 的写法里，softmax 不是一层：`nn.CrossEntropyLoss` 接收原始得分（logits）和整数标签
# ，自己做 log-softmax，这比对 softmax 的输出再取对数在数值上更稳定。Keras 的 softmax 层 + 稀疏
# 交叉熵，与我们的 Linear + CrossEntropyLoss 算出的是同一个数，下面会验证。

# %%
Xd, yd = load_digits()
Xd = Xd / 16.0
Xd_tr, Xd_te, yd_tr, yd_te = train_test_split(Xd, yd, test_size=0.2, random_state=42)
rng = np.random.default_rng(0)
digits_mlp = nn.Sequential(nn.Linear(64, 128, seed=rng), nn.ReLU(), nn.Linear(128, 10, seed=rng))
show("W27", "parameters with 64 inputs (8×8 digits)", nn.summary(digits_mlp, (64,)).total_params)
show("W27", "parameters with the seed's 784 inputs (28×28 MNIST)",
     nn.summary(nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)),
                (784,)).total_params)

with no_grad():
    logits = digits_mlp(Tensor(Xd_tr[:32]))
    lib = nn.CrossEntropyLoss()(logits, Tensor(yd_tr[:32])).item()
    by_softmax = -(logits.softmax(axis=1).log()[np.arange(32), yd_tr[:32]]).mean().item()
show("W27", "CrossEntropyLoss(logits) on a batch of 32, before training", lib)
show("W27", "|CrossEntropyLoss − mean(−log softmax[y])| (Keras' softmax + sparse CE)",
     abs(lib - by_softmax))

hist27 = fit(digits_mlp, nn.CrossEntropyLoss(), optim.Adam(digits_mlp.parameters(), lr=0.001),
             (Xd_tr, yd_tr), epochs=10, batch_size=32, metrics=["accuracy"], seed=0,
             progress=False)
test27 = evaluate(digits_mlp, nn.CrossEntropyLoss(), (Xd_te, yd_te), metrics=["accuracy"])
print("epoch accuracies:", [round(a, 3) for a in hist27["accuracy"]])
print(f"test: loss {test27['loss']:.4f}, accuracy {test27['accuracy']:.4f}")
show("W27", "training loss, epoch 1", hist27["loss"][0])
show("W27", "training loss, epoch 10", hist27["loss"][-1])
show("W27", "test accuracy after 10 epochs (chance: 0.1)", test27["accuracy"])
show("W27", "test loss after 10 epochs", test27["loss"])
if plot is not None:
    figure(plot.plot_history(hist27, keys=("loss", "accuracy"),
                             title="W27: digits MLP, Adam 0.001"), "w27_digits_mlp.png")
