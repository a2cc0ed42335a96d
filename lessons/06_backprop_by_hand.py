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
# # Lesson 6 — Backpropagation by hand, checked against autograd
#
# Backpropagation is the chain rule applied layer by layer, from the loss back to the
# first weights. Here we write the textbook formulas with tensor operations (under
# `no_grad()`, so nothing is recorded) and check every gradient against what `backward()`
# computes on the same network.
#
# * **W20** — seed 003 (second document), `#### 4.1. 深度神经网络数学模型` — 前向传播 / 反向传播
# * **W22** — seed 003 (second document), `#### 4.3. 举例说明` — a 10 → 5 → 2 sigmoid network,
#   δ₃ = a₃ − y, δ₂ = (W₃ᵀδ₃) ⊙ σ′(z₂)
#
# (Seed 003 is two documents pasted together; both have a section 4.1 and 4.3. The
# examples here are in the second one, after `<|im_sep|>`.)
#
# We store a batch as rows (N × features) and a weight as W of shape (out, in), like
# `nn.Linear`: z = a·Wᵀ + b. The seed's column-vector formulas (z = W a + b) are the same
# thing transposed, so `δ aᵀ` in the seed becomes `δᵀ a` here.

# %% [markdown] lang="zh"
# # 第 6 课 — 手写反向传播，并用自动求导核对
#
# 反向传播（backpropagation）就是逐层应用链式法则，从损失一直算回第一层的权重。本课用张量运算写
# 出教科书上的公式（放在 `no_grad()` 里，所以不会记录计算图），再把每一个梯度都和 `backward()`
# 在同一个网络上算出的结果对比。
#
# * **W20** — 种子文档 003（第二篇文档），`#### 4.1. 深度神经网络数学模型` — 前向传播 / 反向传播
# * **W22** — 种子文档 003（第二篇文档），`#### 4.3. 举例说明` — 10 → 5 → 2 的 sigmoid 网络，δ₃ =
# a₃ − y，δ₂ = (W₃ᵀδ₃) ⊙ σ′(z₂)
#
# （种子文档 003 是两篇文档拼在一起的，两篇都有 4.1 节和 4.3 节。这里的例题都在第二篇，即
# `<|im_sep|>` 之后。）
#
# 我们把一个批次按行存放（N × 特征数），权重 W 的形状为 (out, in)，与 `nn.Linear` 相同：z = a·Wᵀ +
# b。原文用列向量写的公式（z = W a + b）只是它的转置，所以原文中的 `δ aᵀ` 在这里写成 `δᵀ a`。

# %%
import numpy as np

from tinygrad_edu import Tensor, no_grad, optim, viz
from tinygrad_edu.course.lessons import claim, figure, out_dir, show

try:
    import matplotlib  # noqa: F401  (viz.draw draws with it)
except ImportError:  # matplotlib is optional: the graph is then written as DOT text only
    matplotlib = None

IDS = ["W20", "W22"]
TITLE = "Backpropagation by hand, checked against autograd"

rng = np.random.default_rng(0)


def t(values, grad=False):
    return Tensor(values, dtype="float64", requires_grad=grad)


def maxdiff(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())


# %% [markdown] lang="en"
# ## W20 · `#### 4.1. 深度神经网络数学模型` — the seed's forward pass applies σ twice
#
# The seed writes
#
# > z_l = σ(W_l · a_{l−1} + b_l),  a_l = σ(z_l)
#
# which applies the activation **twice**: a_l = σ(σ(W_l a_{l−1} + b_l)). Since σ maps
# everything into (0, 1), the second σ squeezes every output into (σ(0), σ(1)) =
# (0.5, 0.731) — such a network can never output a probability below one half. The
# standard definitions, which the seed's own backward formulas assume, are
#
# > z_l = W_l a_{l−1} + b_l (the *pre*-activation),  a_l = σ(z_l).

# %% [markdown] lang="zh"
# ## W20 · `#### 4.1. 深度神经网络数学模型` — 原文的前向传播把 σ 用了两次
#
# 原文写道
#
# > z_l = σ(W_l · a_{l−1} + b_l),  a_l = σ(z_l)
#
# 这样激活函数被用了**两次**：a_l = σ(σ(W_l a_{l−1} + b_l))。σ 把任何值都映射到 (0, 1)，第二个 σ
# 又把所有输出挤进 (σ(0), σ(1)) = (0.5, 0.731)——这样的网络永远输出不了小于一半的概率。标准的定义
# （原文自己的反向传播公式也是以它为前提的）是
#
# > z_l = W_l a_{l−1} + b_l（激活*之前*的值），a_l = σ(z_l)。

# %%
W = t(rng.normal(0, 3.0, (1, 4)))
b = t(rng.normal(0, 1.0, (1,)))
inputs = t(rng.normal(0, 2.0, (1000, 4)))
with no_grad():
    doubled = ((inputs @ W.T + b).sigmoid()).sigmoid()
    standard = (inputs @ W.T + b).sigmoid()
lo, hi = float(doubled.numpy().min()), float(doubled.numpy().max())
print(f"doubled σ: outputs in [{lo:.4f}, {hi:.4f}];  standard: "
      f"[{standard.numpy().min():.4f}, {standard.numpy().max():.4f}]")
claim("W20", "forward pass as written: z_l = σ(W a + b), a_l = σ(z_l)",
      "a_l = σ(z_l) with z_l = σ(W_l a_{l−1} + b_l)",
      f"outputs confined to [{lo:.3f}, {hi:.3f}] ⊂ (0.5, 0.731) over 1000 random inputs",
      agrees=False,
      note="σ is applied twice; z_l must be the pre-activation W_l a_{l−1} + b_l.",
      note_zh='σ 被用了两次；z_l 应当是激活之前的值 W_l a_{l−1} + b_l。')

# %% [markdown] lang="en"
# ## W20 — ∂L/∂W_l = δ_l · a_{l−1} needs a transpose
#
# For one sample δ_l is a column of n_l numbers and a_{l−1} a column of n_{l−1}; their
# matrix product does not exist. The gradient of W_l (shape n_l × n_{l−1}) is the
# **outer product** δ_l a_{l−1}ᵀ. The engine says so:

# %% [markdown] lang="zh"
# ## W20 — ∂L/∂W_l = δ_l · a_{l−1} 少了一个转置
#
# 对单个样本，δ_l 是 n_l 个数的列向量，a_{l−1} 是 n_{l−1} 个数的列向量，两者的矩阵乘积并不存在。
# W_l（形状 n_l × n_{l−1}）的梯度是**外积** δ_l a_{l−1}ᵀ。引擎给出的结果正是如此：

# %%
delta_col = t(rng.normal(size=(4, 1)))
a_prev_col = t(rng.normal(size=(3, 1)))
try:
    delta_col @ a_prev_col
    message = "no error"
except ValueError as e:
    message = str(e)
print("δ_l @ a_{l−1}:", message)
print("δ_l @ a_{l−1}ᵀ has shape", (delta_col @ a_prev_col.T).shape, "= the shape of W_l (4, 3)")
claim("W20", "∂L/∂W_l = δ_l · a_{l−1} as written (one sample, column vectors)",
      "δ_l · a_{l−1}", message, agrees=False,
      note="the product must be the outer product δ_l a_{l−1}ᵀ (shape n_l × n_{l−1}).",
      note_zh='这里的乘积必须是外积 δ_l a_{l−1}ᵀ（形状 n_l × n_{l−1}）。')

# %% [markdown] lang="en"
# ## W20 — one layer by hand: the standard network and the seed's σ∘σ network
#
# One sigmoid layer, W = [[0.5, −0.3], [0.2, 0.8]], b = [0.1, −0.1], input a₀ = [1, 2],
# target y = [1, 0], loss L = ½‖a − y‖². With the standard forward (u = W a₀ + b, a = σ(u))
# the error signal is δ = (a − y) ⊙ σ′(u) and ∂L/∂W = δ a₀ᵀ. For the seed's literal forward
# (z = σ(u), a = σ(z)) the chain rule needs one more factor σ′(z); the hand formula that
# forgets it no longer matches autograd.

# %% [markdown] lang="zh"
# ## W20 — 手算一层：标准网络与原文的 σ∘σ 网络
#
# 一个 sigmoid 层，W = [[0.5, −0.3], [0.2, 0.8]]，b = [0.1, −0.1]，输入 a₀ = [1, 2]，目标 y =
# [1, 0]，损失 L = ½‖a − y‖²。按标准的前向传播（u = W a₀ + b，a = σ(u)），误差信号是 δ = (a − y)
# ⊙ σ′(u)，∂L/∂W = δ a₀ᵀ。按原文字面的前向传播（z = σ(u)，a = σ(z)），链式法则还需要多乘一个因子
# σ′(z)；漏掉它的手工公式就和自动求导对不上了。

# %%
W = t([[0.5, -0.3], [0.2, 0.8]], grad=True)
b = t([0.1, -0.1], grad=True)
a0 = t([1.0, 2.0])
y1 = t([1.0, 0.0])

u = W @ a0 + b
a = u.sigmoid()
L_std = 0.5 * ((a - y1) ** 2).sum()
L_std.backward()
with no_grad():
    delta = (a - y1) * a * (1 - a)
    dW_hand = delta.reshape(2, 1) @ a0.reshape(1, 2)      # the outer product δ a₀ᵀ
show("W20", "one layer, standard forward: a = σ(W a₀ + b)", a.numpy())
show("W20", "one layer, standard: L = ½‖a − y‖²", L_std.item())
show("W20", "one layer, standard: δ = (a − y)⊙σ′(u)", delta.numpy())
show("W20", "one layer, standard: ∂L/∂W by autograd", W.grad.numpy())
show("W20", "one layer, standard: max |δ a₀ᵀ − autograd ∂L/∂W|",
     maxdiff(dW_hand.numpy(), W.grad.numpy()))

# %% [markdown] lang="en"
# The graph `backward()` walked, drawn from the loss back to the leaves with
# `tinygrad_edu.viz` (boxes in blue are the ops, named like PyTorch's `grad_fn`; the yellow
# ones are tensors with their values). After `backward()` the leaves W and b carry their
# gradients: ∂L/∂W = δ a₀ᵀ = [[−0.125, −0.25], [0.1104, 0.2209]] and ∂L/∂b = δ — the
# numbers computed by hand above. The same graph is saved as Graphviz DOT text
# (`w20_graph.dot`). It reads from the top (the leaves W and b) down to the loss.

# %% [markdown] lang="zh"
# 这就是 `backward()` 走过的计算图，用 `tinygrad_edu.viz` 从损失一直画回到叶子节点（蓝色的框是
# 运算，名称与 PyTorch 的 `grad_fn` 相同；黄色的框是张量及其数值）。`backward()` 之后，叶子
# W 和 b 带上了各自的梯度：∂L/∂W = δ a₀ᵀ = [[−0.125, −0.25], [0.1104, 0.2209]]，∂L/∂b = δ——
# 正是上面手算出的数。同一张图也以 Graphviz 的 DOT 文本保存（`w20_graph.dot`）。图从上往下读：
# 最上面是叶子 W 和 b，最下面是损失。

# %%
(out_dir() / "w20_graph.dot").write_text(viz.to_dot(L_std, names={"W": W, "b": b}),
                                         encoding="utf-8")
if matplotlib is not None:
    figure(viz.draw(L_std, names={"W": W, "b": b}), "w20_graph.png")

# %%
W.zero_grad()
b.zero_grad()
z = (W @ a0 + b).sigmoid()          # the seed: z = σ(W a + b) ...
a_seed = z.sigmoid()                # ... and a = σ(z)
L_seed = 0.5 * ((a_seed - y1) ** 2).sum()
L_seed.backward()
with no_grad():
    delta_naive = (a_seed - y1) * a_seed * (1 - a_seed)           # δ = (a − y)⊙σ′(z)
    delta_true = delta_naive * z * (1 - z)                         # one more σ′ for the 2nd σ
show("W20", "one layer, seed's σ∘σ forward: a = σ(σ(W a₀ + b))", a_seed.numpy())
show("W20", "one layer, seed's σ∘σ: L", L_seed.item())
show("W20", "one layer, seed's σ∘σ: ∂L/∂W by autograd", W.grad.numpy())
claim("W20", "σ∘σ network: max |hand δ a₀ᵀ (δ = (a−y)⊙σ′(z)) − autograd ∂L/∂W|",
      "∂L/∂W_l = δ_l · a_{l−1} with a_l = σ(z_l), z_l = σ(W_l a_{l−1} + b_l)",
      maxdiff((delta_naive.reshape(2, 1) @ a0.reshape(1, 2)).numpy(), W.grad.numpy()),
      agrees=False, note="with σ applied twice the backward pass needs a second σ′ factor",
      note_zh="σ 用了两次，反向传播就需要再乘一个 σ′ 因子")
show("W20", "σ∘σ network: max |hand with the extra σ′(u) factor − autograd|",
     maxdiff((delta_true.reshape(2, 1) @ a0.reshape(1, 2)).numpy(), W.grad.numpy()))

# %% [markdown] lang="en"
# ## W20 — the corrected formulas, by hand, against autograd (two layers, a batch)
#
# A 3 → 4 → 2 network with sigmoid on both layers and the mean squared error
# L = 1/N Σ ½‖a₂ − y‖². Backward, by hand:
#
# * output layer: δ₂ = ∂L/∂z₂ = (a₂ − y) ⊙ σ′(z₂) / N, with σ′(z) = σ(z)(1 − σ(z))
# * hidden layer: δ₁ = (δ₂ W₂) ⊙ σ′(z₁)   (the seed's (W₂ᵀ δ₂) in column form)
# * ∂L/∂W_l = δ_lᵀ a_{l−1} (the seed's δ_l a_{l−1}ᵀ), ∂L/∂b_l = Σ over the batch of δ_l

# %% [markdown] lang="zh"
# ## W20 — 更正后的公式：手算与自动求导对照（两层，一个批次）
#
# 一个 3 → 4 → 2 的网络，两层都用 sigmoid，损失为均方误差 L = 1/N Σ ½‖a₂ − y‖²。手工反向传播：
#
# * 输出层：δ₂ = ∂L/∂z₂ = (a₂ − y) ⊙ σ′(z₂) / N，其中 σ′(z) = σ(z)(1 − σ(z))
# * 隐藏层：δ₁ = (δ₂ W₂) ⊙ σ′(z₁)   （即原文列向量形式的 (W₂ᵀ δ₂)）
# * ∂L/∂W_l = δ_lᵀ a_{l−1}（即原文的 δ_l a_{l−1}ᵀ），∂L/∂b_l = δ_l 在批次上求和

# %%
N = 5
x = t(rng.normal(size=(N, 3)))
y = t(rng.uniform(size=(N, 2)))
W1, b1 = t(rng.normal(size=(4, 3)), grad=True), t(rng.normal(size=(4,)), grad=True)
W2, b2 = t(rng.normal(size=(2, 4)), grad=True), t(rng.normal(size=(2,)), grad=True)

# autograd
z1 = x @ W1.T + b1
a1 = z1.sigmoid()
z2 = a1 @ W2.T + b2
a2 = z2.sigmoid()
loss = (0.5 * (a2 - y) ** 2).sum() / N
loss.backward()

# by hand, with tensor operations and no graph
with no_grad():
    def dsig(z):
        s = z.sigmoid()
        return s * (1 - s)

    d2 = (a2 - y) * dsig(z2) / N
    d1 = (d2 @ W2) * dsig(z1)
    grads = {"W2": d2.T @ a1, "b2": d2.sum(axis=0), "W1": d1.T @ x, "b1": d1.sum(axis=0)}

worst = 0.0
for name, p in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2)]:
    d = maxdiff(grads[name].numpy(), p.grad.numpy())
    worst = max(worst, d)
    print(f"∂L/∂{name}: max |hand − autograd| = {d:.2e}")
claim("W20", "hand backprop (δ_l aᵀ_{l−1}, δ_l) vs autograd: max |Δ| over W1, b1, W2, b2",
      "∂L/∂W_l = δ_l a_{l−1}ᵀ, ∂L/∂b_l = δ_l", worst, agrees=worst < 1e-10,
      note="with z_l the pre-activation and the outer product, the seed's rules are exact",
      note_zh='只要 z_l 取激活之前的值、乘积取外积，原文的规则就是精确的')

# %% [markdown] lang="en"
# ## W22 · `#### 4.3. 举例说明` — the 10 → 5 → 2 example
#
# 1000 samples of 10 features, binary labels (one-hot over the 2 output units), sigmoid
# on both layers, cross-entropy, Adam. The seed's backward pass is
#
# > δ₃ = a₃ − y,  δ₂ = (W₃ᵀ δ₃) ⊙ σ′(z₂)
#
# (it also writes δ₁ = (W₂ᵀδ₂) ⊙ σ′(z₁) for the *input* layer, which has no weights and
# no z₁ — nothing uses it). **When is δ₃ = a₃ − y exact?** δ₃ means ∂L/∂z₃. With a
# sigmoid output a = σ(z) and the *binary* cross-entropy with both terms,
# ℓ = −[y log a + (1 − y) log(1 − a)], we get ∂ℓ/∂a = (a − y)/(a(1 − a)) and
# ∂a/∂z = a(1 − a), so ∂ℓ/∂z = a − y exactly (summed over samples; with a mean divide
# by N). The same holds for softmax + categorical cross-entropy. But the seed's own loss
# is L = −Σ y log ŷ, the *one-term* cross-entropy; for it ∂L/∂z = −y(1 − a), and
# δ₃ = a₃ − y is wrong.

# %% [markdown] lang="zh"
# ## W22 · `#### 4.3. 举例说明` — 10 → 5 → 2 的例子
#
# 1000 个样本，每个 10 个特征，二分类标签（在 2 个输出单元上做 one-hot），两层都用 sigmoid，交叉
# 熵损失，Adam 优化。原文的反向传播是
#
# > δ₃ = a₃ − y,  δ₂ = (W₃ᵀ δ₃) ⊙ σ′(z₂)
#
# （原文还为*输入*层写了 δ₁ = (W₂ᵀδ₂) ⊙ σ′(z₁)，可输入层既没有权重也没有 z₁——这个式子用不上。）
# **δ₃ = a₃ − y 什么时候是精确的？** δ₃ 指的是 ∂L/∂z₃。输出为 sigmoid a = σ(z)、损失为带两项的*
# 二元*交叉熵 ℓ = −[y log a + (1 − y) log(1 − a)] 时，∂ℓ/∂a = (a − y)/(a(1 − a))，∂a/∂z = a(1 −
# a)，所以 ∂ℓ/∂z 恰好等于 a − y（对样本求和；若取平均则再除以 N）。softmax 加多分类交叉熵也是如
# 此。但原文自己的损失是 L = −Σ y log ŷ，即*只有一项*的交叉熵；对它来说 ∂L/∂z = −y(1 − a)，δ₃ =
# a₃ − y 是错的。

# %%
n, d_in, d_hidden, d_out = 1000, 10, 5, 2
X = rng.normal(size=(n, d_in))
w_true = rng.normal(size=d_in)
labels = (X @ w_true + 0.3 * rng.normal(size=n) > 0).astype(np.int64)
Y = np.eye(2)[labels]                                  # one-hot, shape (1000, 2)
Xt, Yt = t(X), t(Y)

P = {"W2": t(rng.normal(0, 0.5, (d_hidden, d_in)), grad=True),
     "b2": t(np.zeros(d_hidden), grad=True),
     "W3": t(rng.normal(0, 0.5, (d_out, d_hidden)), grad=True),
     "b3": t(np.zeros(d_out), grad=True)}


def forward(P, X):
    z2 = X @ P["W2"].T + P["b2"]
    a2 = z2.sigmoid()
    z3 = a2 @ P["W3"].T + P["b3"]
    a3 = z3.sigmoid()
    return z2, a2, z3, a3


def manual_grads(P, X, Y):
    """The seed's rules: δ₃ = a₃ − y, δ₂ = (δ₃ W₃) ⊙ σ′(z₂) (row form)."""
    with no_grad():
        z2, a2, z3, a3 = forward(P, X)
        d3 = a3 - Y
        d2 = (d3 @ P["W3"]) * a2 * (1 - a2)
        return d3, {"W3": d3.T @ a2, "b3": d3.sum(axis=0), "W2": d2.T @ X,
                    "b2": d2.sum(axis=0)}


def autograd_grads(P, X, Y, loss_fn):
    for p in P.values():
        p.zero_grad()
    z2, a2, z3, a3 = forward(P, X)
    z3.retain_grad()
    loss_fn(a3, Y).backward()
    return z3.grad.numpy(), {k: p.grad.numpy() for k, p in P.items()}


def bce_sum(a, y):      # both terms, summed over samples and output units
    return -(y * a.log() + (1 - y) * (1 - a).log()).sum()


def seed_ce_sum(a, y):  # the seed's L = −Σ y log ŷ (one term)
    return -(y * a.log()).sum()


# the output layer alone, at z₃ = [0.3, −1.2], y = [1, 0]
z3 = t([0.3, -1.2], grad=True)
y3 = t([1.0, 0.0])
bce_sum(z3.sigmoid(), y3).backward()
show("W22", "a₃ = σ(z₃) at z₃ = [0.3, −1.2]", z3.sigmoid().numpy())
show("W22", "∂L/∂z₃ for sigmoid + binary CE (both terms), y = [1, 0]", z3.grad.numpy(),
     note="= a₃ − y",
     note_zh='= a₃ − y')
z3.zero_grad()
seed_ce_sum(z3.sigmoid(), y3).backward()
show("W22", "∂L/∂z₃ for the seed's −Σ y ln a₃, y = [1, 0]", z3.grad.numpy(),
     note="= −y(1 − a₃): zero where y = 0, not a₃",
     note_zh='= −y(1 − a₃)：在 y = 0 处为 0，而不是 a₃')

d3, hand = manual_grads(P, Xt, Yt)
dz3, auto = autograd_grads(P, Xt, Yt, bce_sum)
worst = max(maxdiff(hand[k].numpy(), auto[k]) for k in P)
print("binary CE (both terms, sum):  max |δ₃ − ∂L/∂z₃| =", maxdiff(d3.numpy(), dz3),
      "; max |hand − autograd| over all parameters =", worst)
claim("W22", "δ₃ = a₃ − y, δ₂ = (W₃ᵀδ₃)⊙σ′(z₂) vs autograd, binary CE (both terms, Σ): "
      "max |Δ| over all parameters", "δ₃ = a₃ − y, δ₂ = (W₃ᵀ δ₃) ⊙ σ′(z₂)", worst,
      agrees=worst < 1e-9, note="exact for sigmoid + two-term binary cross-entropy, summed",
                           note_zh='对 sigmoid + 带两项的二元交叉熵（求和形式）是精确的')
show("W22", "max |δ₃ − ∂L/∂z₃| (binary CE, both terms)", maxdiff(d3.numpy(), dz3))

dz3_seed, auto_seed = autograd_grads(P, Xt, Yt, seed_ce_sum)
wrong = maxdiff(d3.numpy(), dz3_seed)
closed = maxdiff(dz3_seed, (-Yt * (1 - forward(P, Xt)[3])).detach().numpy())
print("seed's loss −Σ y log ŷ:        max |δ₃ − ∂L/∂z₃| =", wrong,
      "; ∂L/∂z₃ = −y(1 − a₃) to", closed)
claim("W22", "δ₃ = a₃ − y for the seed's loss L = −Σ y log ŷ (one term): max |δ₃ − ∂L/∂z₃|",
      "δ₃ = a₃ − y", wrong, agrees=wrong < 1e-9,
      note="for the one-term loss ∂L/∂z₃ = −y(1 − a₃); a₃ − y needs the (1−y)log(1−a) term",
      note_zh="对只有一项的损失，∂L/∂z₃ = −y(1 − a₃)；a₃ − y 需要 (1−y)log(1−a) 这一项")
show("W22", "max |autograd ∂L/∂z₃ − (−y(1−a₃))| for the one-term loss", closed)

# %% [markdown] lang="en"
# With a *mean* over the N samples (what `nn.BCELoss` returns) every gradient is the
# summed one divided by N — check:

# %% [markdown] lang="zh"
# 如果对 N 个样本取*平均*（`nn.BCELoss` 返回的就是平均值），每个梯度都等于求和形式的梯度除以 N——
# 验证一下：

# %%
_, auto_mean = autograd_grads(P, Xt, Yt, lambda a, y: bce_sum(a, y) / n)
show("W22", "max |hand/N − autograd| with the mean-reduced binary CE",
     max(maxdiff(hand[k].numpy() / n, auto_mean[k]) for k in P))

# %% [markdown] lang="en"
# ### Training it with Adam, as the seed does
#
# The gradients are right, so training works: Adam (lr = 0.05, full batch, 200 steps) on
# the mean binary cross-entropy. The seed does not say how long to train; 200 full-batch
# steps take well under a second here.

# %% [markdown] lang="zh"
# ### 像原文那样用 Adam 训练
#
# 梯度是对的，所以训练也能正常进行：用 Adam（学习率 0.05，全批量，200 步）最小化平均二元交叉熵。
# 原文没有说要训练多久；在这里 200 步全批量训练用时远不到一秒。

# %%
opt = optim.Adam(list(P.values()), lr=0.05)
curve = []
for _ in range(200):
    opt.zero_grad()
    loss = bce_sum(forward(P, Xt)[3], Yt) / n
    loss.backward()
    opt.step()
    curve.append(loss.item())
with no_grad():
    pred = forward(P, Xt)[3].numpy().argmax(axis=1)
acc = float((pred == labels).mean())
print(f"loss: {curve[0]:.4f} → {curve[-1]:.4f}; training accuracy {acc:.3f}")
show("W22", "training loss, first step", curve[0])
show("W22", "training loss after 200 Adam steps", curve[-1])
show("W22", "training accuracy after 200 Adam steps", acc)
