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
# # Lesson 3 — Gradient descent: one update, done carefully
#
# `θ ← θ − α ∂L/∂θ` is the whole idea: step *against* the gradient. This lesson does single
# updates by hand and with the library's optimisers, on numbers small enough to check.
#
# * **W08** — seed 000, `#### 3.3.3.2 梯度计算` — 梯度下降 举例 (y = 2.0, ŷ = 1.5, x = 1.0, α =
#   0.01)
# * **W21** — seed 003 (second document), `#### 4.2. 大模型训练过程中的数学公式` (GD, batch GD,
#   SGD, Adam)
# * **W26** — seed 004, `### 3.3 数学模型公式详细讲解` (gradient descent, cross-entropy with
#   both terms)

# %% [markdown] lang="zh"
# # 第 3 课 — 梯度下降：认真做好一次更新
#
# `θ ← θ − α ∂L/∂θ` 就是全部的思想：沿着梯度的*反方向*走一步。本课在足够小、可以手工核对的数字上
# ，分别手工、并用库里的优化器（optimizer）做单步更新。
#
# * **W08** — 种子文档 000，`#### 3.3.3.2 梯度计算` — 梯度下降 举例（y = 2.0，ŷ = 1.5，x = 1.0，
# α = 0.01）
# * **W21** — 种子文档 003（第二篇文档），`#### 4.2. 大模型训练过程中的数学公式`（梯度下降、批量
# 梯度下降、随机梯度下降、Adam）
# * **W26** — 种子文档 004，`### 3.3 数学模型公式详细讲解`（梯度下降，带两项的交叉熵）

# %%
import numpy as np

from tinygrad_edu import Tensor, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show

try:
    from matplotlib.figure import Figure

    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

IDS = ["W08", "W21", "W26"]
TITLE = "Gradient descent: one update, done carefully (GD, batch GD, SGD, Adam)"


def t(values, grad=False):
    """A float64 tensor, so the printed digits are exact arithmetic."""
    return Tensor(values, dtype="float64", requires_grad=grad)


# %% [markdown] lang="en"
# ## W08 · seed 000 `#### 3.3.3.2 梯度计算` — 梯度下降举例
#
# A linear model ŷ = θ·x with the squared error of one sample. The seed takes y = 2.0,
# ŷ = 1.5, x = 1.0 (so θ = 1.5), α = 0.01, and writes
#
# > ∂L/∂θ = (y − ŷ)·x = (2.0 − 1.5)·1.0 = 0.5, so θ ← θ − 0.01·0.5 = θ − 0.005
#
# **The sign is wrong.** With L = ½(y − ŷ)² and ŷ = θx, the chain rule gives
# ∂L/∂θ = (y − ŷ)·(−x) = **−(y − ŷ)·x = −0.5**. The prediction is too *small*
# (1.5 < 2.0), so θ must *grow*: θ ← θ − 0.01·(−0.5) = **θ + 0.005**. The seed's step
# moves θ the wrong way and *raises* the loss. (Without the ½, L = (y − ŷ)², the gradient
# is −1.0 and the step +0.01.)

# %% [markdown] lang="zh"
# ## W08 · 种子文档 000 `#### 3.3.3.2 梯度计算` — 梯度下降举例
#
# 线性模型 ŷ = θ·x，单个样本的平方误差。原文取 y = 2.0、ŷ = 1.5、x = 1.0（所以 θ = 1.5）、学习率
# α = 0.01，并写道
#
# > ∂L/∂θ = (y − ŷ)·x = (2.0 − 1.5)·1.0 = 0.5，所以 θ ← θ − 0.01·0.5 = θ − 0.005
#
# **符号错了。** 对 L = ½(y − ŷ)² 和 ŷ = θx 用链式法则，得到 ∂L/∂θ = (y − ŷ)·(−x) = **−(y − ŷ)·x =
# −0.5**。预测值*偏小*（1.5 < 2.0），所以 θ 应该*增大*：θ ← θ − 0.01·(−0.5) = **θ + 0.005**。原
# 文的这一步把 θ 往错误的方向移动，反而*增大*了损失。（如果不带 ½，L = (y − ŷ)²，梯度是 −1.0，这
# 一步是 +0.01。）

# %%
x, y, alpha = 1.0, 2.0, 0.01
theta = t(1.5, grad=True)           # so that ŷ = θ·x = 1.5, the seed's prediction
loss = 0.5 * (y - theta * x) ** 2
loss.backward()
grad = theta.grad.item()
print(f"L = {loss.item()}, dL/dθ = {grad}")
claim("W08", "∂L/∂θ for L = ½(y−ŷ)², ŷ = θx", 0.5, grad,
      note="Sign error: ∂L/∂θ = −(y−ŷ)·x = −0.5 (the chain rule through ŷ = θx gives −x).",
      note_zh='符号错误：∂L/∂θ = −(y−ŷ)·x = −0.5（经过 ŷ = θx 的链式法则带来 −x）。')

opt = optim.SGD([theta], lr=alpha)
theta0 = theta.item()
opt.step()
step = theta.item() - theta0
claim("W08", "θ₁ − θ₀ after one step, α = 0.01", -0.005, step,
      note="θ ← θ − α·(−0.5) = θ + 0.005: the prediction 1.5 is below 2.0, so θ must grow.",
      note_zh='θ ← θ − α·(−0.5) = θ + 0.005：预测值 1.5 小于 2.0，所以 θ 应该增大。')


def loss_at(th):
    return 0.5 * (y - th * x) ** 2


with no_grad():
    print(f"loss before: {loss_at(theta0):.6f}; after the correct step: "
          f"{loss_at(theta.item()):.6f}; "
          f"after the seed's step (θ − 0.005): {loss_at(theta0 - 0.005):.6f}")
show("W08", "loss after the seed's step θ − 0.005 (was 0.125)", loss_at(theta0 - 0.005),
     note="the seed's update increases the loss",
     note_zh='原文的更新使损失增大')
show("W08", "loss after the correct step θ + 0.005 (was 0.125)", loss_at(theta.item()))

theta2 = t(1.5, grad=True)
((y - theta2 * x) ** 2).backward()
show("W08", "∂L/∂θ for L = (y−ŷ)² (no ½)", theta2.grad.item())

# %% [markdown] lang="en"
# The loss L(θ) = ½(2 − θ)² around θ₀ = 1.5, and the two steps: the seed's goes uphill
# (the loss rises from 0.125 to 0.1275), the correct one downhill (to 0.1225). On the
# right, the same near θ₀, enlarged.

# %% [markdown] lang="zh"
# 下图是 θ₀ = 1.5 附近的损失 L(θ) = ½(2 − θ)² 和两种更新：原文的一步在往“山上”走（损失从 0.125
# 升到 0.1275），正确的一步往“山下”走（降到 0.1225）。右图是 θ₀ 附近的放大。

# %%
if plot is not None:
    grid = t(np.linspace(1.0, 2.6, 161))
    curve = (0.5 * (y - grid * x) ** 2).numpy()
    fig = Figure(figsize=(11, 4), layout="constrained")
    ax_all, ax_zoom = fig.subplots(1, 2)
    points = {"θ₀ = 1.5": (theta0, "black", "o"),
              "seed's step θ₀ − 0.005": (theta0 - 0.005, "C3", "X"),
              "correct step θ₀ + 0.005": (theta.item(), "C2", "P")}
    for ax, (lo, hi) in ((ax_all, (1.0, 2.6)), (ax_zoom, (1.485, 1.515))):
        keep = (grid.numpy() >= lo) & (grid.numpy() <= hi)
        fine = np.linspace(lo, hi, 101) if ax is ax_zoom else grid.numpy()[keep]
        ax.plot(fine, [loss_at(v) for v in fine], color="C0", label="L(θ) = ½(2 − θ)²")
        for label, (th, color, marker) in points.items():
            ax.plot([th], [loss_at(th)], marker, color=color, markersize=9,
                    label=f"{label}: L = {loss_at(th):.4f}")
        ax.set(xlabel="θ", ylabel="loss", xlim=(lo, hi))
        ax.grid(alpha=0.3)
    ax_all.set_title("W08: one step of gradient descent, α = 0.01")
    ax_zoom.set_title("near θ₀: the seed's step climbs, the correct one descends")
    ax_zoom.legend(fontsize=8)
    figure(fig, "w08_steps.png")

# %% [markdown] lang="en"
# ## W21 · seed 003 (second document) `#### 4.2. 大模型训练过程中的数学公式`
#
# Four update rules, one step each.
#
# The seed lists gradient descent, batch gradient descent (`1/m Σ`), stochastic gradient
# descent (one sample) and Adam. We take a linear model ŷ = w·x + b, two samples
# x = [−3, 1], y = [−5, 3] (they lie on y = 2x + 1), per-sample loss ℓᵢ = ½(yᵢ − ŷᵢ)² (the
# seed's MSE has the ½), start from w = b = 0 with α = 0.01, and make one update with each.
# The per-sample gradients are ∂ℓᵢ/∂w = −yᵢxᵢ = [−15, −3] and ∂ℓᵢ/∂b = −yᵢ = [5, −3]:
# the two parameters' gradients have opposite signs, which matters below.
#
# * **GD** on `L = Σ ℓᵢ`: the step is m = 2 times that of
# * **batch GD** on `1/m Σ ℓᵢ` — same direction. The 1/m is what makes α independent of the
#   data set's size.
# * **SGD**: the gradient of one sample, a noisy estimate of batch GD's.
# * **Adam as the seed writes it** has *no bias correction*: from m₀ = v₀ = 0 the first step
#   is α·(1 − β₁)g / (√(1 − β₂)·|g|) = **3.16·α** per coordinate instead of α. PyTorch's Adam
#   divides m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ), and its first step is α·sign(g).
# * Read literally, the seed also updates b with the *weights'* moments mₜ, vₜ
#   ("b_l = b_l − α·m_t/(√v_t + ε)" with the m_t of ∂L/∂W). Here ∂L/∂w < 0 < ∂L/∂b, so b
#   then moves **up** although its own gradient says down. Every parameter needs its own
#   moments — the library keeps optimiser state per parameter.

# %% [markdown] lang="zh"
# ## W21 · 种子文档 003（第二篇文档）`#### 4.2. 大模型训练过程中的数学公式`
#
# 四种更新规则，各走一步。
#
# 原文列出了梯度下降、批量梯度下降（`1/m Σ`）、随机梯度下降（SGD，每次一个样本）和 Adam。我们取
# 线性模型 ŷ = w·x + b，两个样本 x = [−3, 1]、y = [−5, 3]（它们都在直线 y = 2x + 1 上），单样本
# 损失 ℓᵢ = ½(yᵢ − ŷᵢ)²（原文的均方误差带 ½），从 w = b = 0 开始，学习率 α = 0.01，每种方法各更
# 新一次。单样本梯度为 ∂ℓᵢ/∂w = −yᵢxᵢ = [−15, −3]，∂ℓᵢ/∂b = −yᵢ = [5, −3]：两个参数的梯度符号相
# 反，这一点下面会用到。
#
# * **梯度下降（GD）**，对 `L = Σ ℓᵢ`：步长是下面批量梯度下降的 m = 2 倍；
# * **批量梯度下降（batch GD）**，对 `1/m Σ ℓᵢ`——方向相同。正是 1/m 让学习率 α 与数据集大小无关
# 。
# * **随机梯度下降（SGD）**：只用一个样本的梯度，是批量梯度的一个带噪声的估计。
# * **原文写的 Adam** *没有偏差修正*：从 m₀ = v₀ = 0 出发，第一步的大小是 α·(1 − β₁)g / (√(1 −
# β₂)·|g|) = 每个坐标 **3.16·α**，而不是 α。PyTorch 的 Adam 把 m 除以 (1 − β₁ᵗ)、v 除以 (1 −
# β₂ᵗ)，第一步正好是 α·sign(g)。
# * 如果照字面理解，原文还用*权重的*矩估计 mₜ、vₜ 去更新 b（“b_l = b_l − α·m_t/(√v_t + ε)”，其中
# m_t 是 ∂L/∂W 的）。这里 ∂L/∂w < 0 < ∂L/∂b，于是 b 会**往上**走，尽管它自己的梯度要求它往下。每
# 个参数都需要自己的矩估计——库里的优化器为每个参数分别保存状态。

# %%
X = np.array([-3.0, 1.0])
Y = np.array([-5.0, 3.0])
lr = 0.01


def one_step(make_opt, reduce="mean", idx=slice(None)):
    w, b = t(0.0, grad=True), t(0.0, grad=True)
    opt = make_opt([w, b])
    losses = 0.5 * (t(Y[idx]) - (w * t(X[idx]) + b)) ** 2
    (losses.sum() if reduce == "sum" else losses.mean()).backward()
    opt.step()
    return [w.item(), b.item()]


def seed_literal_adam(beta1=0.9, beta2=0.999, eps=1e-8):
    """003 · 4.2 (4) read literally: m, v from ∂L/∂W, used for W *and* b; no bias correction."""
    w, b = t(0.0, grad=True), t(0.0, grad=True)
    (0.5 * (t(Y) - (w * t(X) + b)) ** 2).mean().backward()
    with no_grad():
        m = (1 - beta1) * w.grad
        v = (1 - beta2) * w.grad * w.grad
        step = lr * m / (v.sqrt() + eps)
        return [(w - step).item(), (b - step).item()]


rules = {
    "GD on L = Σℓᵢ": one_step(lambda p: optim.SGD(p, lr=lr), "sum"),
    "batch GD, 1/m Σ": one_step(lambda p: optim.SGD(p, lr=lr), "mean"),
    "SGD on sample 1": one_step(lambda p: optim.SGD(p, lr=lr), "sum", slice(0, 1)),
    "SGD on sample 2": one_step(lambda p: optim.SGD(p, lr=lr), "sum", slice(1, 2)),
    "Adam without bias correction (own moments)":
        one_step(lambda p: optim.Adam(p, lr=lr, bias_correction=False)),
    "Adam, standard (bias-corrected)": one_step(lambda p: optim.Adam(p, lr=lr)),
    "Adam as written: b uses W's moments, no bias correction": seed_literal_adam(),
}
for name, (w1, b1) in rules.items():
    print(f"{name:<58} w₁ = {w1:+.10f}, b₁ = {b1:+.10f}")
    show("W21", f"[w₁, b₁]: {name}", [w1, b1])
# the seed's GD, batch-GD and SGD formulas by hand, from per-sample gradients (autograd)
per_sample = []
for i in range(2):
    w, b = t(0.0, grad=True), t(0.0, grad=True)
    (0.5 * (Y[i] - (w * X[i] + b)) ** 2).backward()
    per_sample.append(np.array([w.grad.item(), b.grad.item()]))
by_formula = {"GD on L = Σℓᵢ": -lr * sum(per_sample),
              "batch GD, 1/m Σ": -lr * sum(per_sample) / 2,
              "SGD on sample 1": -lr * per_sample[0], "SGD on sample 2": -lr * per_sample[1]}
gap = max(float(np.abs(np.array(rules[k]) - v).max()) for k, v in by_formula.items())
claim("W21", "the seed's GD / batch-GD / SGD formulas by hand vs optim.SGD: max |Δ|",
      "W ← W − α·∂L/∂W;  W ← W − α·(1/m)Σᵢ∂L/∂W⁽ⁱ⁾;  W ← W − α·∂L/∂W⁽ⁱ⁾", gap,
      agrees=gap < 1e-12)
show("W21", "first Adam step / α without bias correction",
     abs(rules["Adam without bias correction (own moments)"][0]) / lr,
     note="(1−β₁)/√(1−β₂) = 0.1/0.0316 = 3.16",
     note_zh='(1−β₁)/√(1−β₂) = 0.1/0.0316 = 3.16')
claim("W21", "b₁ with the seed's literal Adam (b updated with W's moments)",
      "b_l = b_l − α·m_t/(√v_t + ε), m_t, v_t from ∂L/∂W_l",
      rules["Adam as written: b uses W's moments, no bias correction"][1], agrees=False,
      note="∂L/∂b > 0 but b increases: each parameter needs its own m and v.",
      note_zh='∂L/∂b > 0，b 却增大了：每个参数都需要自己的 m 和 v。')

# %% [markdown] lang="en"
# ## W26 · seed 004 `### 3.3 数学模型公式详细讲解` — gradient descent on the binary cross-entropy
#
# Seed 004 writes the cross-entropy *correctly*: `J(θ) = −1/N Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]`
# with both terms and the 1/N, and the update `θ ← θ − α ∇J(θ)`. For logistic regression,
# ŷ = σ(Xw + b), the gradient has the closed form `∇w J = Xᵀ(ŷ − y)/N`, `∂J/∂b = mean(ŷ − y)`.
# We check autograd against it, take gradient-descent steps, and evaluate J on the numbers
# of W07 and W14 — the formula those two examples should have used.

# %% [markdown] lang="zh"
# ## W26 · 种子文档 004 `### 3.3 数学模型公式详细讲解` — 在二元交叉熵上做梯度下降
#
# 种子文档 004 *正确地*写出了交叉熵：`J(θ) = −1/N Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]`，两项俱
# 全，也有 1/N；更新规则是 `θ ← θ − α ∇J(θ)`。对逻辑回归 ŷ = σ(Xw + b)，梯度有闭式解 `∇w J =
# Xᵀ(ŷ − y)/N`、`∂J/∂b = mean(ŷ − y)`。我们用它检验自动求导（autograd），做几步梯度下降，再在
# W07 和 W14 的数字上计算 J——那两个例题本来就该用这个公式。

# %%
Xb = np.array([[0.5, 1.0], [-1.0, 0.3], [2.0, -0.5], [0.1, 0.1], [-0.4, -1.2]])
yb = np.array([1.0, 0.0, 1.0, 0.0, 0.0])
w = t([0.1, -0.2], grad=True)
b = t(0.0, grad=True)


def bce(p, target):
    """J = −1/N Σ [y log p + (1 − y) log(1 − p)] (seed 004's formula)."""
    return -(target * p.log() + (1 - target) * (1 - p).log()).mean()


def J(w, b):
    return bce((t(Xb) @ w + b).sigmoid(), t(yb))


j0 = J(w, b)
j0.backward()
with no_grad():
    p = (t(Xb) @ w + b).sigmoid().numpy()
closed_w = Xb.T @ (p - yb) / len(yb)
closed_b = (p - yb).mean()
diff = max(np.abs(w.grad.numpy() - closed_w).max(), abs(b.grad.item() - closed_b))
print("autograd ∇w:", w.grad.numpy(), " closed form Xᵀ(ŷ−y)/N:", closed_w)
show("W26", "J(θ₀) on the 5-sample logistic problem", j0.item())
claim("W26", "the seed's J and θ ← θ − α∇J are the standard forms: max |autograd ∇J − "
      "closed form Xᵀ(ŷ−y)/N|", "J = −1/N Σ[y log ŷ + (1−y) log(1−ŷ)]", float(diff),
      agrees=diff < 1e-12)

opt = optim.SGD([w, b], lr=0.5)
history = [j0.item()]
for _ in range(50):
    opt.zero_grad()
    loss = J(w, b)
    loss.backward()
    opt.step()
    history.append(J(w, b).item())
print("J after 1, 10, 50 GD steps:", history[1], history[10], history[50])
show("W26", "J after one GD step (α = 0.5)", history[1])
show("W26", "J after 50 GD steps", history[50])

show("W26", "J on W07's numbers (y=[1,0,1,0,1], ŷ=[0.9,0.1,0.8,0.2,0.7])",
     bce(t([0.9, 0.1, 0.8, 0.2, 0.7]), t([1.0, 0, 1, 0, 1])).item())
show("W26", "J on W14's numbers (y=[1,0], ŷ=[0.9,0.1])",
     bce(t([0.9, 0.1]), t([1.0, 0.0])).item(), note="= −ln 0.9 = +0.105, not −0.105",
                                               note_zh='= −ln 0.9 = +0.105，不是 −0.105')
