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
# # Lesson 2 — Loss functions: MSE, cross-entropy, log loss, hinge
#
# A loss turns "how wrong is the model" into one number, and its gradient tells every
# parameter which way to move. This lesson recomputes the seed's loss examples with the
# engine and checks the arithmetic of each one.
#
# * **W05** — seed 000, `#### 3.3.2.2 选择损失函数` (MSE, CE, LogLoss, Hinge)
# * **W06** — seed 000, `#### 3.3.3.1 损失函数` — **均方误差（MSE）** 举例
# * **W07** — seed 000, `#### 3.3.3.1 损失函数` — **交叉熵损失（Cross-Entropy Loss）** 举例
# * **W14** — seed 001, `#### 4.2.2 损失函数` (binary cross-entropy on y = [1, 0])
#
# Every number below is computed by `tinygrad_edu` tensors (in float64, so that the
# digits printed are the mathematics and not float32 rounding), and each gradient by
# `backward()`.

# %% [markdown] lang="zh"
# # 第 2 课 — 损失函数：均方误差、交叉熵、对数损失、合页损失
#
# 损失函数（loss function）把“模型错得有多离谱”变成一个数，而它的梯度告诉每个参数该往哪个方向移
# 动。本课用引擎重新计算原文中关于损失函数的例题，并逐一核对其中的算术。
#
# * **W05** — 种子文档 000，`#### 3.3.2.2 选择损失函数`（MSE、CE、LogLoss、Hinge）
# * **W06** — 种子文档 000，`#### 3.3.3.1 损失函数` — **均方误差（MSE）** 举例
# * **W07** — 种子文档 000，`#### 3.3.3.1 损失函数` — **交叉熵损失（Cross-Entropy Loss）** 举例
# * **W14** — 种子文档 001，`#### 4.2.2 损失函数`（y = [1, 0] 上的二元交叉熵）
#
# 下面每一个数都由 `tinygrad_edu` 的张量计算（用 float64，这样打印出来的数字反映的是数学本身，而
# 不是 float32 的舍入误差），每一个梯度都由 `backward()` 求出。

# %%
import math

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.course.lessons import claim, figure, show

IDS = ["W05", "W06", "W07", "W14"]
TITLE = "Loss functions: MSE, cross-entropy, log loss, hinge"

try:
    from matplotlib.figure import Figure

    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

try:  # the torch.nn-shaped loss classes; the lesson also works with the tensor formulas alone
    from tinygrad_edu import nn
except ImportError:  # pragma: no cover
    nn = None


def t(values, grad=False):
    """A float64 tensor (Tensor's default for floats is float32, as in PyTorch)."""
    return Tensor(values, dtype="float64", requires_grad=grad)


# %% [markdown] lang="en"
# ## W05 · `#### 3.3.2.2 选择损失函数` — four losses, each with its gradient
#
# The seed lists four losses. We evaluate each on a small example (re-using the numbers of
# W06 and W07) and let `backward()` produce the gradient with respect to the prediction,
# then compare that gradient with the formula one derives by hand.
#
# **MSE** `L = 1/n Σ (yᵢ − ŷᵢ)²` (this section has no ½), so `∂L/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n`.

# %% [markdown] lang="zh"
# ## W05 · `#### 3.3.2.2 选择损失函数` — 四种损失函数及其梯度
#
# 原文列出了四种损失函数。我们在一个小例子上逐一计算（沿用 W06 和 W07 的数字），让 `backward()`
# 求出对预测值的梯度，再和手工推导的公式比较。
#
# **均方误差（MSE）** `L = 1/n Σ (yᵢ − ŷᵢ)²`（这一节的公式里没有 ½），所以 `∂L/∂ŷᵢ = 2(ŷᵢ −
# yᵢ)/n`。

# %%
y = t([2.0, 3.0, 4.0, 5.0, 6.0])
yhat = t([1.5, 2.8, 3.2, 4.7, 5.1], grad=True)
mse = ((y - yhat) ** 2).mean()
mse.backward()
by_hand = 2 * (yhat.numpy() - y.numpy()) / 5
print("MSE =", mse.item(), " dL/dŷ =", yhat.grad.numpy(), " by hand:", by_hand)
show("W05", "MSE = 1/n Σ(y−ŷ)² on W06's numbers", mse.item())
show("W05", "MSE: dL/dŷ by autograd (= 2(ŷ−y)/n)", yhat.grad.numpy())

# %% [markdown] lang="en"
# **Cross-entropy / "LogLoss" as the seed writes both**, `L = −1/n Σ yᵢ log ŷᵢ`: the seed
# gives LogLoss *exactly the same formula* as cross-entropy. On W07's binary numbers its
# gradient is `−yᵢ/(n ŷᵢ)` — **zero for every negative sample**: nothing pushes their ŷ
# down. The binary log loss has a second term, `−1/n Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]`,
# with gradient `(ŷᵢ − yᵢ)/(n ŷᵢ(1 − ŷᵢ))`. (The seed also recommends log loss for
# *regression*; it is a classification loss — its targets are probabilities in [0, 1].)

# %% [markdown] lang="zh"
# 原文写下的**交叉熵和“对数损失（LogLoss）”都是** `L = −1/n Σ yᵢ log ŷᵢ`：原文给 LogLoss 的公式
# 和交叉熵*一模一样*。在 W07 的二分类数字上，它的梯度是 `−yᵢ/(n ŷᵢ)`——**对每一个负样本都是 0**：
# 没有任何力量把负样本的 ŷ 往下推。二元对数损失还有第二项：`−1/n Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 −
# ŷᵢ)]`，梯度为 `(ŷᵢ − yᵢ)/(n ŷᵢ(1 − ŷᵢ))`。（原文还建议在*回归*问题中使用对数损失；其实它是分类
# 用的损失函数——它的目标值是 [0, 1] 之间的概率。）

# %%
yb = t([1.0, 0.0, 1.0, 0.0, 1.0])
p = t([0.9, 0.1, 0.8, 0.2, 0.7], grad=True)
one_term = -(yb * p.log()).mean()
one_term.backward()
g_one = p.grad.numpy().copy()
p.zero_grad()
two_terms = -(yb * p.log() + (1 - yb) * (1 - p).log()).mean()
two_terms.backward()
g_two = p.grad.numpy().copy()
print("seed's CE/LogLoss:", one_term.item(), " dL/dŷ:", g_one)
print("binary log loss:  ", two_terms.item(), " dL/dŷ:", g_two)
show("W05", "seed's LogLoss −1/n Σ y·ln ŷ on W07's numbers", one_term.item())
show("W05", "its gradient dL/dŷ (zero on the y = 0 samples)", g_one)
show("W05", "binary log loss (both terms) on the same numbers", two_terms.item())
show("W05", "its gradient dL/dŷ = (ŷ−y)/(n ŷ(1−ŷ))", g_two)

always_yes = t([0.999] * 5)
print("a model answering ŷ = 0.999 for everything: seed's LogLoss =",
      (-(yb * always_yes.log()).mean()).item(), "— binary log loss =",
      (-(yb * always_yes.log() + (1 - yb) * (1 - always_yes).log()).mean()).item())
show("W05", "seed's LogLoss when ŷ = 0.999 for all 5 samples (2 are negatives)",
     (-(yb * always_yes.log()).mean()).item(),
     note="≈ 0: the one-term formula cannot see the wrong negatives",
     note_zh='≈ 0：只有一项的公式看不到被判错的负样本')

# %% [markdown] lang="en"
# For *several classes* the one-term formula is right, because the model's probabilities
# come from a softmax over the logits z and must sum to 1: `L = −1/n Σᵢ log softmax(zᵢ)[yᵢ]`,
# and its gradient with respect to the logits is the famous `(softmax(z) − onehot(y))/n`.

# %% [markdown] lang="zh"
# 对于*多分类*，只有一项的公式是对的，因为模型的概率来自对 logits z 做 softmax，总和必须为 1：`L =
# −1/n Σᵢ log softmax(zᵢ)[yᵢ]`，它对 logits 的梯度就是那个著名的 `(softmax(z) − onehot(y))/n`。

# %%
logits = t([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], grad=True)
labels = np.array([0, 2])
ce = -(logits.log_softmax(axis=1)[np.arange(2), labels]).mean()
ce.backward()
by_hand = (logits.detach().softmax(axis=1).numpy() - np.eye(3)[labels]) / 2
show("W05", "softmax CE on 2 samples × 3 classes", ce.item())
show("W05", "softmax CE: max |autograd dL/dz − (softmax − onehot)/n|",
     float(np.abs(logits.grad.numpy() - by_hand).max()))
if nn is not None and hasattr(nn, "CrossEntropyLoss"):
    lib = nn.CrossEntropyLoss()(logits.detach(), Tensor(labels))
    print("nn.CrossEntropyLoss gives", lib.item())

# %% [markdown] lang="en"
# **Hinge** `L = max(0, 1 − y·ŷ)` with labels y ∈ {−1, +1} and a raw score ŷ (not a
# probability — the seed says neither). Its (sub)gradient is `−y` where the margin `y·ŷ`
# is below 1 and 0 elsewhere: samples classified correctly *with margin* stop
# contributing. With 0/1 labels every y = 0 sample would contribute the constant 1 and no
# gradient at all.

# %% [markdown] lang="zh"
# **合页损失（Hinge）** `L = max(0, 1 − y·ŷ)`，标签 y ∈ {−1, +1}，ŷ 是原始得分（不是概率——这两点
# 原文都没有说明）。它的（次）梯度在间隔 `y·ŷ` 小于 1 时为 `−y`，其余为 0：*带着足够间隔*被正确
# 分类的样本不再产生贡献。如果用 0/1 标签，每个 y = 0 的样本都只贡献常数 1，完全没有梯度。

# %%
ys = t([1.0, -1.0, 1.0])
score = t([0.5, 0.3, 2.0], grad=True)
per = (1 - ys * score).relu()
hinge = per.mean()
hinge.backward()
print("hinge per sample =", per.numpy(), " mean =", hinge.item(), " dL/dŷ =", score.grad.numpy())
show("W05", "hinge max(0, 1−y·ŷ), y=[1,−1,1], ŷ=[0.5,0.3,2.0], mean", hinge.item())
show("W05", "hinge: dL/dŷ by autograd (= −y·[y·ŷ<1]/n)", score.grad.numpy())

# %% [markdown] lang="en"
# ## W06 · `#### 3.3.3.1 损失函数` — 均方误差（MSE）举例
#
# The seed defines `L = 1/N Σ ½ (yᵢ − ŷᵢ)²` and evaluates it on
# y = [2.0, 3.0, 4.0, 5.0, 6.0], ŷ = [1.5, 2.8, 3.2, 4.7, 5.1], claiming **0.24**.
#
# Working it out: the errors are 0.5, 0.2, 0.8, 0.3, 0.9; their squares 0.25, 0.04,
# 0.64, 0.09, 0.81 sum to **1.83**. With the ½ that is 0.915, and divided by N = 5 it is
# **0.183**. Without the ½ — the MSE of section 3.3.2.2 and of `nn.MSELoss` — it is
# 1.83 / 5 = **0.366**. The seed's 0.24 is neither: its final division/summation step is
# wrong: for 0.24 the halved squares would have to sum to 1.2, not 0.915.

# %% [markdown] lang="zh"
# ## W06 · `#### 3.3.3.1 损失函数` — 均方误差（MSE）举例
#
# 原文定义 `L = 1/N Σ ½ (yᵢ − ŷᵢ)²`，在 y = [2.0, 3.0, 4.0, 5.0, 6.0]、ŷ = [1.5, 2.8, 3.2, 4.7,
# 5.1] 上计算，得出 **0.24**。
#
# 我们一步步算：误差是 0.5、0.2、0.8、0.3、0.9；平方后是 0.25、0.04、0.64、0.09、0.81，总和
# **1.83**。乘以 ½ 得 0.915，再除以 N = 5 得 **0.183**。如果不乘 ½——也就是 3.3.2.2 节和
# `nn.MSELoss` 的均方误差——结果是 1.83 / 5 = **0.366**。原文的 0.24 两者都不是：最后的求和或除法
# 一步算错了——要得到 0.24，减半后的平方和得是 1.2，而不是 0.915。

# %%
y6 = t([2.0, 3.0, 4.0, 5.0, 6.0])
yhat6 = t([1.5, 2.8, 3.2, 4.7, 5.1])
sq = (y6 - yhat6) ** 2
print("squared errors:", sq.numpy(), " sum:", sq.sum().item())
half_mse = (0.5 * sq).mean()
plain_mse = sq.mean()
claim("W06", "L = 1/N Σ ½(y−ŷ)² (the seed's formula)", 0.24, half_mse.item(),
      note="Σ(y−ŷ)² = 1.83; ½ of it is 0.915; /5 = 0.183. The seed's last step is wrong.",
      note_zh='Σ(y−ŷ)² = 1.83；乘 ½ 得 0.915；除以 5 得 0.183。原文最后一步算错了。')
claim("W06", "L = 1/N Σ (y−ŷ)² (MSE without ½, as in 3.3.2.2)", 0.24, plain_mse.item(),
      note="1.83 / 5 = 0.366; this is what nn.MSELoss / Keras 'mse' return.",
      note_zh="1.83 / 5 = 0.366；nn.MSELoss 和 Keras 的 'mse' 返回的就是这个值。")
yhat6g = t([1.5, 2.8, 3.2, 4.7, 5.1], grad=True)
(0.5 * (y6 - yhat6g) ** 2).mean().backward()
show("W06", "∂L/∂ŷ of the ½-form, by autograd (= (ŷ−y)/N)", yhat6g.grad.numpy())
if nn is not None and hasattr(nn, "MSELoss"):
    lib = nn.MSELoss()(yhat6, y6).item()
    print("nn.MSELoss()(ŷ, y) =", lib, "(no ½)")
    show("W06", "nn.MSELoss()(ŷ, y)", lib)

# %% [markdown] lang="en"
# ## W07 · `#### 3.3.3.1 损失函数` — 交叉熵损失（Cross-Entropy Loss）举例
#
# `L = −1/N Σ yᵢ log ŷᵢ` on y = [1, 0, 1, 0, 1], ŷ = [0.9, 0.1, 0.8, 0.2, 0.7]; the seed
# claims **≈ 0.176**.
#
# Only the three positive samples contribute: −(ln 0.9 + ln 0.8 + ln 0.7)/5 =
# (0.1054 + 0.2231 + 0.3567)/5 = **0.1370**. The natural logarithm is the convention of
# every deep-learning library (and of the gradient formulas built on it). No reading of
# the formula gives 0.176: with log₁₀ it is 0.0595; with both binary terms (W26's formula)
# it is 0.2027; averaging over the 3 positives only gives 0.228.

# %% [markdown] lang="zh"
# ## W07 · `#### 3.3.3.1 损失函数` — 交叉熵损失（Cross-Entropy Loss）举例
#
# 在 y = [1, 0, 1, 0, 1]、ŷ = [0.9, 0.1, 0.8, 0.2, 0.7] 上计算 `L = −1/N Σ yᵢ log ŷᵢ`；原文给出
# **≈ 0.176**。
#
# 只有三个正样本有贡献：−(ln 0.9 + ln 0.8 + ln 0.7)/5 = (0.1054 + 0.2231 + 0.3567)/5 =
# **0.1370**。所有深度学习框架都约定用自然对数（基于它推导的梯度公式也是如此）。无论怎样理解这个
# 公式都得不到 0.176：用 log₁₀ 是 0.0595；带上二元的两项（W26 的公式）是 0.2027；只对 3 个正样本
# 取平均是 0.228。

# %%
y7 = t([1.0, 0.0, 1.0, 0.0, 1.0])
yhat7 = t([0.9, 0.1, 0.8, 0.2, 0.7])
ce7 = -(y7 * yhat7.log()).mean()
claim("W07", "L = −1/N Σ y·ln ŷ (natural log)", 0.176, ce7.item(),
      note="−(ln0.9 + ln0.8 + ln0.7)/5 = 0.685/5 = 0.137; the seed's 0.176 matches no "
      "variant (log10 gives 0.0595, both binary terms 0.2027).",
      note_zh=('−(ln0.9 + ln0.8 + ln0.7)/5 = 0.685/5 = 0.137；原文的 0.176 与任何一种算法都对不上'
               '（log10 得 0.0595，带两项得 0.2027）。'))
ce7_log10 = -(y7 * yhat7.log() * (1 / math.log(10))).mean()
show("W07", "same with log₁₀ (not the convention)", ce7_log10.item())
bce7 = -(y7 * yhat7.log() + (1 - y7) * (1 - yhat7).log()).mean()
show("W07", "binary CE with both terms on the same numbers", bce7.item())

# %% [markdown] lang="en"
# ## W14 · seed 001 `#### 4.2.2 损失函数` — binary cross-entropy on y = [1, 0], ŷ = [0.9, 0.1]
#
# The seed writes `CE = −y log ŷ − (1 − y) log(1 − ŷ)`, expands it for the two samples as
# `−1·log 0.9 − 0·log 0.1 − 0·log 0.1 − 1·log 0.9` and then claims **CE ≈ −0.105**.
#
# Two things are wrong. (1) The sign: log 0.9 < 0, so −log 0.9 = +0.105 — a cross-entropy
# can never be negative (every term is −log of a probability ≤ 1). (2) The expansion it
# wrote is the *sum* over both samples, 2 × 0.1054 = **0.2107**; 0.105 is the *mean*
# (what `nn.BCELoss` and Keras return). Both samples are predicted with probability 0.9
# for their true class, so each contributes exactly −ln 0.9.

# %% [markdown] lang="zh"
# ## W14 · 种子文档 001 `#### 4.2.2 损失函数` — y = [1, 0]、ŷ = [0.9, 0.1] 上的二元交叉熵
#
# 原文写出 `CE = −y log ŷ − (1 − y) log(1 − ŷ)`，把两个样本展开成 `−1·log 0.9 − 0·log 0.1 −
# 0·log 0.1 − 1·log 0.9`，然后给出 **CE ≈ −0.105**。
#
# 这里有两处错误。(1) 符号：log 0.9 < 0，所以 −log 0.9 = +0.105——交叉熵永远不可能是负数（每一项
# 都是一个不大于 1 的概率取 −log）。(2) 原文写出的展开式是两个样本的*总和*，2 × 0.1054 =
# **0.2107**；0.105 是*平均值*（`nn.BCELoss` 和 Keras 返回的就是它）。两个样本对各自真实类别的预
# 测概率都是 0.9，所以每个样本恰好贡献 −ln 0.9。

# %%
y14 = t([1.0, 0.0])
yhat14 = t([0.9, 0.1])
per_sample = -(y14 * yhat14.log() + (1 - y14) * (1 - yhat14).log())
print("per-sample losses:", per_sample.numpy())
claim("W14", "binary CE, mean over the 2 samples", -0.105, per_sample.mean().item(),
      note="Sign error: −ln 0.9 = +0.105. A cross-entropy is ≥ 0.",
      note_zh='符号错误：−ln 0.9 = +0.105。交叉熵总是 ≥ 0。')
claim("W14", "binary CE, sum (the expansion the seed wrote)", -0.105, per_sample.sum().item(),
      note="The four-term expansion in the seed is the sum over both samples: 2·(−ln 0.9).",
      note_zh='原文的四项展开式是两个样本的总和：2·(−ln 0.9)。')
if nn is not None and hasattr(nn, "BCELoss"):
    lib = nn.BCELoss()(yhat14, y14).item()
    print("nn.BCELoss()(ŷ, y) =", lib)
    show("W14", "nn.BCELoss()(ŷ, y) (mean)", lib)

# %% [markdown] lang="en"
# **The three examples as curves.** Left: the ½-squared error of W06 against the error
# ŷ − y, with the seed's five samples on it. Middle: the two halves of the binary
# cross-entropy as functions of the predicted probability p — −ln p (the true class is 1)
# and −ln(1 − p) (it is 0) — with W07's five samples: the seed's one-term formula puts the
# two negatives at 0 (the hollow marks), the full loss puts them on −ln(1 − p). Right:
# W14's two samples, both at −ln 0.9 ≈ 0.105, and the seed's −0.105, below the axis where
# no cross-entropy can be. The curves are computed with the engine.

# %% [markdown] lang="zh"
# **把三个例子画成曲线。** 左图：W06 的“½ 平方误差”随误差 ŷ − y 的变化，原文的五个样本标在曲线上
# 。中图：二元交叉熵的两半作为预测概率 p 的函数——−ln p（真实类别为 1）和 −ln(1 − p)（真实类别为
# 0）——并标出 W07 的五个样本：原文只有一项的公式把两个负样本放在 0 处（空心标记），完整的损失把
# 它们放在 −ln(1 − p) 上。右图：W14 的两个样本都在 −ln 0.9 ≈ 0.105 处，而原文的 −0.105 落在坐标
# 轴下方——任何交叉熵都不可能出现在那里。曲线都是用引擎计算的。

# %%
if plot is not None:
    p_grid = t(np.linspace(0.01, 0.99, 197))
    pos_curve, neg_curve = (-p_grid.log()).numpy(), (-(1 - p_grid).log()).numpy()
    e_grid = t(np.linspace(-1.2, 1.2, 121))
    fig = Figure(figsize=(13.5, 4.2), layout="constrained")
    ax6, ax7, ax14 = fig.subplots(1, 3)
    ax6.plot(e_grid.numpy(), (0.5 * e_grid ** 2).numpy(), label="½ (ŷ − y)²")
    err6 = (yhat6 - y6).numpy()
    ax6.plot(err6, 0.5 * err6 ** 2, "o", color="C3", label="W06's samples")
    ax6.set(xlabel="error ŷ − y", ylabel="loss per sample",
            title=f"W06: mean = {half_mse.item():.3f} (seed: 0.24)")
    ax7.plot(p_grid.numpy(), pos_curve, label="−ln p (y = 1)")
    ax7.plot(p_grid.numpy(), neg_curve, label="−ln (1 − p) (y = 0)")
    p7, y7n = yhat7.numpy(), y7.numpy()
    ax7.plot(p7[y7n == 1], -np.log(p7[y7n == 1]), "o", color="C3", label="W07 positives")
    ax7.plot(p7[y7n == 0], -np.log(1 - p7[y7n == 0]), "s", color="C2",
             label="W07 negatives (binary CE)")
    ax7.plot(p7[y7n == 0], 0 * p7[y7n == 0], "s", mfc="none", color="C2",
             label="… in the seed's −y ln p: 0")
    ax7.set(xlabel="predicted probability p", ylim=(-0.2, 3),
            title=f"W07: −1/N Σ y ln p = {ce7.item():.3f} (seed: 0.176)")
    ax14.plot(p_grid.numpy(), pos_curve, label="BCE, y = 1")
    ax14.plot(p_grid.numpy(), neg_curve, label="BCE, y = 0")
    ax14.plot(yhat14.numpy(), per_sample.numpy(), "o", color="C3", label="W14's samples")
    ax14.axhline(-0.105, color="C3", linestyle=":", label="seed's CE ≈ −0.105")
    ax14.axhline(0, color="black", linewidth=0.8)
    ax14.set(xlabel="predicted probability p", ylim=(-0.4, 3),
             title=f"W14: BCE = {per_sample.mean().item():.3f} (seed: −0.105)")
    for ax in (ax6, ax7, ax14):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    figure(fig, "w06_w07_w14_losses.png")

# %% [markdown] lang="en"
# **Takeaway.** Always sanity-check a loss value: MSE and cross-entropy are never
# negative, and a hand computation should be redone term by term — the seed's three
# worked loss examples all carry an arithmetic or sign slip.

# %% [markdown] lang="zh"
# **小结。** 拿到一个损失值，一定要先做合理性检查：均方误差和交叉熵都不会是负数；手算的结果要逐
# 项重算一遍——原文这三个损失函数的例题都有算术或符号上的疏漏。
