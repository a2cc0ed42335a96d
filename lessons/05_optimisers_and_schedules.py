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
# # Lesson 5 — Optimisers and learning-rate schedules
#
# Gradient descent says *which way*; an optimiser decides *how far*, per parameter, using
# what it remembers of past gradients; a schedule changes the learning rate over time.
#
# * **W03** — seed 000, `#### 3.3.2.3 选择学习率调度策略` and `### 3.3.2 调优技巧` **举例说明**
#   (α_t = α₀/(1 + λt), "指数衰减")
# * **W04** — seed 000, `#### 3.3.2.1 选择优化器` (SGD, Adam, Adagrad, AdaMax)
# * **W15** — seed 001, `#### 4.1.3 优化算法` and `#### 4.2.3 优化算法` (the seed's Adam, one
#   step by hand)
# * **W16** — seed 002, `#### 4.1.2 损失函数`, `#### 4.1.3 优化算法`, `#### 4.2.2 Adam算法推导`

# %% [markdown] lang="zh"
# # 第 5 课 — 优化器与学习率调度
#
# 梯度下降告诉我们*往哪个方向*走；优化器（optimizer）根据它记住的历史梯度，为每个参数决定*走多远*
# ；学习率调度（learning-rate schedule）则让学习率随时间变化。
#
# * **W03** — 种子文档 000，`#### 3.3.2.3 选择学习率调度策略` 和 `### 3.3.2 调优技巧` 中的 **举
# 例说明**（α_t = α₀/(1 + λt)，“指数衰减”）
# * **W04** — 种子文档 000，`#### 3.3.2.1 选择优化器`（SGD、Adam、Adagrad、AdaMax）
# * **W15** — 种子文档 001，`#### 4.1.3 优化算法` 和 `#### 4.2.3 优化算法`（原文的 Adam，手工算
# 一步）
# * **W16** — 种子文档 002，`#### 4.1.2 损失函数`、`#### 4.1.3 优化算法`、`#### 4.2.2 Adam算法推
# 导`

# %%
import math

import numpy as np

from tinygrad_edu import Tensor, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import StandardScaler, make_house_prices, make_moons
from tinygrad_edu.optim import lr_scheduler

IDS = ["W03", "W04", "W15", "W16"]
TITLE = "Optimisers (SGD, Adam, Adagrad, AdaMax) and learning-rate schedules"

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None


def t(values, grad=False, dtype="float64"):
    return Tensor(values, dtype=dtype, requires_grad=grad)


# %% [markdown] lang="en"
# ## W03 · `#### 3.3.2.3 选择学习率调度策略` — "指数衰减" α_t = α₀ / (1 + λt)
#
# The seed calls α_t = α₀/(1 + λt) *exponential* decay and uses α₀ = 0.01, λ = 0.01.
# That formula is **inverse-time decay** (Keras `InverseTimeDecay`, here
# `lr_scheduler.InverseTimeLR`): the rate falls like 1/t — after 100 steps it has only
# halved. Exponential decay is α₀·γᵗ (`ExponentialLR`); with the same λ, γ = e^(−λ), it is
# at 37 % after 100 steps and at 0.005 % after 1000.

# %% [markdown] lang="zh"
# ## W03 · `#### 3.3.2.3 选择学习率调度策略` — “指数衰减” α_t = α₀ / (1 + λt)
#
# 原文把 α_t = α₀/(1 + λt) 称为*指数*衰减，并取 α₀ = 0.01、λ = 0.01。这个公式其实是**逆时间衰减**
# （inverse-time decay；Keras 中的 `InverseTimeDecay`，这里是 `lr_scheduler.InverseTimeLR`）：学
# 习率按 1/t 的速度下降——100 步之后才减半。指数衰减是 α₀·γᵗ（`ExponentialLR`）；取同样的 λ，γ =
# e^(−λ)，100 步后只剩 37 %，1000 步后只剩 0.005 %。

# %%
alpha0, lam = 0.01, 0.01
steps = [0, 1, 10, 50, 100, 500, 1000]
inv = lr_scheduler.schedule_values(lambda o: lr_scheduler.InverseTimeLR(o, decay_rate=lam),
                                   1001, lr=alpha0)
expo = lr_scheduler.schedule_values(lambda o: lr_scheduler.ExponentialLR(o, gamma=math.exp(-lam)),
                                    1001, lr=alpha0)
cosine = lr_scheduler.schedule_values(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=1000),
                                      1001, lr=alpha0)
print(f"{'t':>6} {'α₀/(1+λt)':>12} {'α₀·e^(−λt)':>12} {'cosine':>12}")
for s in steps:
    print(f"{s:>6} {inv[s]:>12.6g} {expo[s]:>12.6g} {cosine[s]:>12.6g}")
    show("W03", f"α_t = α₀/(1+λt) at t = {s}", inv[s])
show("W03", "max |InverseTimeLR − α₀/(1+λt)| over t = 0…1000",
     max(abs(inv[s] - alpha0 / (1 + lam * s)) for s in range(1001)))
claim("W03", "name of the schedule α₀/(1 + λt)", "exponential decay (指数衰减)",
      f"inverse-time decay: α₁₀₀ = {inv[100]:.4g} (half of α₀); true exponential α₀e^(−λt) "
      f"gives α₁₀₀ = {expo[100]:.4g}, α₁₀₀₀ = {expo[1000]:.3g} vs {inv[1000]:.3g}",
      agrees=False, note="α₀/(1+λt) decays like 1/t (inverse-time); exponential decay is α₀·γᵗ.",
                    note_zh='α₀/(1+λt) 按 1/t 衰减（逆时间衰减）；指数衰减是 α₀·γᵗ。')

if plot is not None:
    figure(plot.plot_schedules({"α₀/(1+λt) (seed's 'exponential')": inv,
                         "exponential α₀·e^(−λt)": expo, "cosine, T_max = 1000": cosine},
                        title="W03: learning-rate schedules, α₀ = 0.01, λ = 0.01"),
           "w03_schedules.png")

# %% [markdown] lang="en"
# The seed's recipe for its house-price example: Adam, MSE and this decay. We fit
# price = w·area + b on standardised data (200 full-batch steps, the schedule stepped
# every step) and compare with a constant learning rate.

# %% [markdown] lang="zh"
# 原文给房价例子的配方是：Adam、均方误差，再加上这个学习率衰减。我们在标准化的数据上拟合 price =
# w·area + b（200 步全批量训练，每一步都更新一次学习率），并和固定学习率作比较。

# %%
area, price = make_house_prices(100, seed=0)
xs, ys = StandardScaler().fit_transform(area), StandardScaler().fit_transform(price)
X3, Y3 = t(xs, dtype="float32"), t(ys, dtype="float32")


def fit_line(schedule, n_steps=200):
    w, b = t(0.0, grad=True, dtype="float32"), t(0.0, grad=True, dtype="float32")
    opt = optim.Adam([w, b], lr=alpha0)
    sched = schedule(opt) if schedule else None
    for _ in range(n_steps):
        opt.zero_grad()
        loss = ((X3 * w + b - Y3) ** 2).mean()
        loss.backward()
        opt.step()
        if sched:
            sched.step()
    return loss.item(), w.item(), b.item()


decayed = fit_line(lambda o: lr_scheduler.InverseTimeLR(o, decay_rate=lam))
constant = fit_line(None)
print("Adam + MSE + α₀/(1+λt): loss {:.4f}, w {:.3f}, b {:.3f}".format(*decayed))
print("Adam + MSE, constant α: loss {:.4f}, w {:.3f}, b {:.3f}".format(*constant))
show("W03", "house prices (standardised), Adam + inverse-time decay: MSE after 200 steps",
     decayed[0])
show("W03", "same with a constant learning rate: MSE after 200 steps", constant[0])

# %% [markdown] lang="en"
# ## W04 · `#### 3.3.2.1 选择优化器` — SGD, Adam, Adagrad, AdaMax on one problem
#
# The seed only describes the four optimisers, and some descriptions need correcting:
#
# * SGD does not "更新一个样本的参数" (update the parameters of one sample): it updates *all*
#   parameters from the gradient of one sample (or one mini-batch).
# * Adam combines **momentum** (an average of past gradients, m) with RMSprop's scaling by
#   the root of an average of squared gradients (v), plus bias correction.
# * Adagrad divides by the root of the *accumulated* squared gradients, so parameters with
#   large or frequent gradients get *smaller* steps; its known weakness is a learning rate
#   that only ever shrinks (the sum only grows) — not over-fitting on sparse data.
# * AdaMax is not "类似于Adagrad": it is the ∞-norm variant of **Adam**,
#   u = max(β₂u, |g|) in place of v.
#
# First, three steps of each on f(θ) = (θ − 3)² from θ₀ = 0, all with lr = 0.1 and PyTorch's
# other defaults.

# %% [markdown] lang="zh"
# ## W04 · `#### 3.3.2.1 选择优化器` — SGD、Adam、Adagrad、AdaMax 解同一个问题
#
# 原文只是文字描述了这四种优化器，其中一些说法需要更正：
#
# * SGD 并不是“更新一个样本的参数”：它用一个样本（或一个小批量）的梯度去更新*全部*参数。
# * Adam 把**动量**（momentum，历史梯度的平均 m）和 RMSprop 的缩放（除以梯度平方平均 v 的平方根
# ）结合起来，再加上偏差修正。
# * Adagrad 除以*累计*梯度平方和的平方根，所以梯度大或频繁出现的参数步长反而*更小*；它公认的弱点
# 是学习率只会不断变小（累计和只增不减）——而不是在稀疏数据上过拟合。
# * AdaMax 并不“类似于Adagrad”：它是 **Adam** 的无穷范数版本，用 u = max(β₂u, |g|) 代替 v。
#
# 先在 f(θ) = (θ − 3)² 上，从 θ₀ = 0 出发，每种优化器各走三步，学习率都取 0.1，其余参数用
# PyTorch 的默认值。

# %%
races1d = {
    "SGD": lambda p: optim.SGD(p, lr=0.1),
    "Adam": lambda p: optim.Adam(p, lr=0.1),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "AdaMax": lambda p: optim.Adamax(p, lr=0.1),
}
print("f(θ) = (θ − 3)², θ₀ = 0, lr = 0.1 (PyTorch defaults otherwise): θ after steps 1, 2, 3")
for name, make in races1d.items():
    theta = t(0.0, grad=True)
    opt = make([theta])
    path = []
    for _ in range(3):
        opt.zero_grad()
        ((theta - 3) ** 2).backward()
        opt.step()
        path.append(theta.item())
    print(f"  {name:<8}", ", ".join(f"{v:.10f}" for v in path))
    show("W04", f"(θ−3)², θ₀ = 0, lr 0.1: θ₁, θ₂, θ₃ by {name}", path)

# %% [markdown] lang="en"
# On this one-dimensional bowl SGD's step is proportional to the gradient (big steps far
# from the minimum) while the adaptive methods all start with a step of about lr —
# their per-parameter normalisation makes the step size independent of the gradient's
# scale. A more realistic race: a small network on the two-moons data.

#
# A 2 → 16 → 1 network, binary cross-entropy on the logits, full batch, 300 steps,
# **the same initial weights** for every optimiser. Each gets its usual learning rate (not
# tuned): SGD 0.5, Adam 0.01, Adagrad 0.1, AdaMax 0.02.

# %% [markdown] lang="zh"
# 在这个一维的“碗”上，SGD 的步长与梯度成正比（离最小值越远步子越大），而几种自适应方法第一步都大
# 约是 lr——它们对每个参数的归一化让步长与梯度的尺度无关。再来一场更接近实际的比赛：在双月牙（
# two-moons）数据上训练一个小网络。
#
# 网络结构 2 → 16 → 1，在 logits 上用二元交叉熵，全批量，300 步，每个优化器**都从同一组初始权重**
# 出发。各自使用常用的学习率（没有调参）：SGD 0.5，Adam 0.01，Adagrad 0.1，AdaMax 0.02。

# %%
Xm, ym = make_moons(200, noise=0.2, seed=0)
Xm_t, ym_t = t(Xm, dtype="float32"), t(ym.reshape(-1, 1), dtype="float32")
init_rng = np.random.default_rng(1)
init = {"W1": init_rng.normal(0, 1.0, (2, 16)), "b1": np.zeros(16),
        "W2": init_rng.normal(0, 0.25, (16, 1)), "b2": np.zeros(1)}


def bce_with_logits(z, y):
    """mean(softplus(z) − y·z), written so that exp never overflows."""
    return (z.relu() - z * y + (1 + (-z.abs()).exp()).log()).mean()


def train_moons(make_opt, n_steps=300):
    P = {k: t(v, grad=True, dtype="float32") for k, v in init.items()}
    opt = make_opt(list(P.values()))
    curve = []
    for _ in range(n_steps):
        opt.zero_grad()
        z = (Xm_t @ P["W1"] + P["b1"]).relu() @ P["W2"] + P["b2"]
        loss = bce_with_logits(z, ym_t)
        loss.backward()
        opt.step()
        curve.append(loss.item())
    with no_grad():
        z = (Xm_t @ P["W1"] + P["b1"]).relu() @ P["W2"] + P["b2"]
        acc = float(((z.numpy()[:, 0] > 0) == ym).mean())
    return curve, acc


races = {
    "SGD (lr 0.5)": lambda p: optim.SGD(p, lr=0.5),
    "Adam (lr 0.01)": lambda p: optim.Adam(p, lr=0.01),
    "Adagrad (lr 0.1)": lambda p: optim.Adagrad(p, lr=0.1),
    "AdaMax (lr 0.02)": lambda p: optim.Adamax(p, lr=0.02),
}
curves = {}
for name, make in races.items():
    curve, acc = train_moons(make)
    curves[name] = curve
    print(f"{name:<18} loss {curve[0]:.4f} → {curve[-1]:.4f}, training accuracy {acc:.3f}")
    show("W04", f"{name}: loss after 300 steps (start {curve[0]:.3f})", curve[-1])
    show("W04", f"{name}: training accuracy", acc)
if plot is not None:
    figure(plot.plot_losses(curves, title="W04: one problem, one initialisation, four optimisers",
                     log_scale=True),
           "w04_optimisers.png")

# %% [markdown] lang="en"
# ## W15 · seed 001 `#### 4.1.3 优化算法` / `#### 4.2.3 优化算法` — the seed's "Adam", by hand
#
# The seed writes
#
# > m_t = β₁m_{t−1} + (1 − β₁)(g − m_{t−1}),  v_t = β₂v_{t−1} + (1 − β₂)(g² − v_{t−1}),
# > θ_t = θ_{t−1} − α m_t/(√v_t + ε)
#
# with β₁ = 0.9, β₂ = 0.99, α = 0.001, ε = 0.001, θ₀ = [1, 1], g = [−0.1, −0.2], and
# claims m₁ = [−0.01, −0.02], v₁ = [0.001, 0.004], θ₁ ≈ [0.998, 0.996].
#
# Step by step, from m₀ = v₀ = 0:
#
# * m₁ = 0.1·g = **[−0.01, −0.02]** ✓.
# * v₁ = 0.01·g² = 0.01·[0.01, 0.04] = **[0.0001, 0.0004]** — the seed wrote
#   [0.001, 0.004], ten times too large.
# * √v₁ = [0.01, 0.02]; m₁/(√v₁ + ε) = [−0.01/0.011, −0.02/0.021] = [−0.909, −0.952];
#   θ₁ = θ₀ − 0.001·[−0.909, −0.952] = **[1.000909, 1.000952]**. The gradient is
#   *negative*, so Adam *increases* θ; the seed's θ₁ < θ₀ has the sign wrong (and even
#   with its own v₁ the step would be +0.0003, not −0.002).
#
# Also, the formula is not Adam's: β₁m + (1 − β₁)(g − m) = (2β₁ − 1)m + (1 − β₁)g, whose
# weights (0.8 and 0.1) do not sum to 1. At t = 1 (m₀ = 0) it coincides with Adam *without
# bias correction*; from t = 2 on it differs.

# %% [markdown] lang="zh"
# ## W15 · 种子文档 001 `#### 4.1.3 优化算法` / `#### 4.2.3 优化算法` — 手算原文的“Adam”
#
# 原文写道
#
# > m_t = β₁m_{t−1} + (1 − β₁)(g − m_{t−1}),  v_t = β₂v_{t−1} + (1 − β₂)(g² − v_{t−1}),
# > θ_t = θ_{t−1} − α m_t/(√v_t + ε)
#
# 取 β₁ = 0.9、β₂ = 0.99、α = 0.001、ε = 0.001、θ₀ = [1, 1]、g = [−0.1, −0.2]，并给出 m₁ =
# [−0.01, −0.02]、v₁ = [0.001, 0.004]、θ₁ ≈ [0.998, 0.996]。
#
# 从 m₀ = v₀ = 0 开始一步步算：
#
# * m₁ = 0.1·g = **[−0.01, −0.02]** ✓。
# * v₁ = 0.01·g² = 0.01·[0.01, 0.04] = **[0.0001, 0.0004]**——原文写成 [0.001, 0.004]，大了十倍。
# * √v₁ = [0.01, 0.02]；m₁/(√v₁ + ε) = [−0.01/0.011, −0.02/0.021] = [−0.909, −0.952]；θ₁ = θ₀ −
# 0.001·[−0.909, −0.952] = **[1.000909, 1.000952]**。梯度是*负*的，所以 Adam 会*增大* θ；原文的
# θ₁ < θ₀ 符号错了（即使用它自己的 v₁，这一步也是 +0.0003，而不是 −0.002）。
#
# 另外，这个公式也不是 Adam 的：β₁m + (1 − β₁)(g − m) = (2β₁ − 1)m + (1 − β₁)g，两个权重（0.8 和
# 0.1）之和不等于 1。在 t = 1（m₀ = 0）时它恰好等于*不带偏差修正*的 Adam；从 t = 2 起就不一样了
# 。

# %%
b1, b2, alpha, eps = 0.9, 0.99, 0.001, 0.001
theta0 = t([1.0, 1.0])
g = t([-0.1, -0.2])


def seed_adam_step(theta, m, v, g):
    m = b1 * m + (1 - b1) * (g - m)
    v = b2 * v + (1 - b2) * (g * g - v)
    return theta - alpha * m / (v.sqrt() + eps), m, v


theta1, m1, v1 = seed_adam_step(theta0, t([0.0, 0.0]), t([0.0, 0.0]), g)
print("m1 =", m1.numpy(), " v1 =", v1.numpy(), " θ1 =", theta1.numpy())
claim("W15", "m₁", [-0.01, -0.02], m1.numpy())
claim("W15", "v₁", [0.001, 0.004], v1.numpy(),
      note="v₁ = (1 − β₂)·g² = 0.01·[0.01, 0.04] = [0.0001, 0.0004]: the seed is off by 10×.",
      note_zh='v₁ = (1 − β₂)·g² = 0.01·[0.01, 0.04] = [0.0001, 0.0004]：原文大了 10 倍。')
claim("W15", "θ₁", [0.998, 0.996], theta1.numpy(),
      note="g < 0, so θ grows: θ₁ = 1 + 0.001·[0.909, 0.952]. The seed has the sign wrong.",
      note_zh='g < 0，所以 θ 增大：θ₁ = 1 + 0.001·[0.909, 0.952]。原文的符号错了。')
theta1_seed_v = theta0 - alpha * m1 / (t([0.001, 0.004]).sqrt() + eps)
show("W15", "θ₁ computed with the seed's own v₁ = [0.001, 0.004]", theta1_seed_v.numpy(),
     note="still above 1: the seed's θ₁ cannot come from its m₁ and v₁",
     note_zh='仍然大于 1：原文的 θ₁ 不可能由它自己的 m₁ 和 v₁ 算出')

# the library's Adam on the same numbers: without bias correction it matches at t = 1
for bc in (False, True):
    p = t([1.0, 1.0], grad=True)
    opt = optim.Adam([p], lr=alpha, betas=(b1, b2), eps=eps, bias_correction=bc)
    p.grad = g.detach()
    opt.step()
    label = "optim.Adam, bias-corrected (standard)" if bc else "optim.Adam(bias_correction=False)"
    print(f"{label}: θ1 = {p.numpy()}")
    show("W15", f"θ₁ by {label}", p.numpy())

# %% [markdown] lang="en"
# Two more steps with the same gradient show where the seed's recursion departs from
# Adam: its m-update β₁m + (1 − β₁)(g − m) = 0.8·m + 0.1·g is not an average.

# %% [markdown] lang="zh"
# 用同一个梯度再走两步，就能看出原文的递推从哪里开始偏离 Adam：它的 m 更新 β₁m + (1 − β₁)(g − m) =
# 0.8·m + 0.1·g 并不是一个加权平均。

# %%
theta_s, m_s, v_s = theta0, t([0.0, 0.0]), t([0.0, 0.0])
for k in (1, 2, 3):
    theta_s, m_s, v_s = seed_adam_step(theta_s, m_s, v_s, g)
    if k > 1:
        show("W15", f"m_{k} by the seed's rule (constant g)", m_s.numpy())
        show("W15", f"θ_{k} by the seed's rule", theta_s.numpy())
for bc in (False, True):
    p = t([1.0, 1.0], grad=True)
    opt = optim.Adam([p], lr=alpha, betas=(b1, b2), eps=eps, bias_correction=bc)
    for k in (1, 2, 3):
        p.grad = g.detach()
        opt.step()
        if k > 1:
            name = "standard Adam, bias-corrected" if bc else "standard Adam, no bias correction"
            show("W15", f"θ_{k} by {name}", p.numpy())
    if not bc:
        show("W15", "m_3 by standard Adam (constant g)", opt.state[p]["exp_avg"])

# %% [markdown] lang="en"
# ## W16 · seed 002 `#### 4.1.2 损失函数`, `#### 4.1.3 优化算法`, `#### 4.2.2 Adam算法推导`
#
# Seed 002 gives three formulas that we run side by side on one problem, M_θ(x) = θ·x with
# x = [1, 2, 3], y = [2, 4, 6] (so the answer is θ = 2), θ₀ = 0, α = 0.01:
#
# 1. the loss L = Σᵢ (yᵢ − M_θ(xᵢ))² — a **sum**: its gradient grows with the number of
#    samples, so a learning rate that works for 3 samples may blow up for 3000. Here
#    L(0) = 56 and ∇L(0) = −2Σx(y − θx) = −56;
# 2. 4.1.3 calls θ_{t+1} = θ_t − α∇L "the update rule of Adam": that is **plain gradient
#    descent** — the engine shows it is identical to `optim.SGD`, and it jumps to 0.56 in
#    one step (the gradient is large);
# 3. 4.2.2 then writes the real Adam with bias correction, which matches `optim.Adam`; its
#    first step is α·sign(g) = 0.01 whatever the gradient's size. Without bias correction
#    the first step is 3.16·α.
#
# L is a parabola with L″ = 2Σx² = 28, so gradient descent converges only for α < 2/28 ≈
# 0.071; we also run it at α = 0.075 to watch it diverge.

# %% [markdown] lang="zh"
# ## W16 · 种子文档 002 `#### 4.1.2 损失函数`、`#### 4.1.3 优化算法`、`#### 4.2.2 Adam算法推导`
#
# 种子文档 002 给出了三个公式，我们在同一个问题上把它们并排运行：M_θ(x) = θ·x，x = [1, 2, 3]，y =
# [2, 4, 6]（答案是 θ = 2），θ₀ = 0，α = 0.01：
#
# 1. 损失 L = Σᵢ (yᵢ − M_θ(xᵢ))² 是一个**求和**：它的梯度随样本数增大，所以对 3 个样本合适的学习
# 率，到 3000 个样本时可能就发散了。这里 L(0) = 56，∇L(0) = −2Σx(y − θx) = −56；
# 2. 4.1.3 把 θ_{t+1} = θ_t − α∇L 称为“Adam算法的更新规则”：这其实是**普通的梯度下降**——引擎显示
# 它和 `optim.SGD` 完全相同，而且一步就跳到 0.56（梯度很大）；
# 3. 4.2.2 接着写出了带偏差修正的真正的 Adam，与 `optim.Adam` 一致；无论梯度多大，它的第一步都是
# α·sign(g) = 0.01。不带偏差修正时，第一步是 3.16·α。
#
# L 是一条抛物线，L″ = 2Σx² = 28，所以梯度下降只有在 α < 2/28 ≈ 0.071 时才收敛；我们也用 α =
# 0.075 跑一遍，看它如何发散。

# %%
x16, y16 = t([1.0, 2.0, 3.0]), t([2.0, 4.0, 6.0])


def L16(theta):
    return ((y16 - theta * x16) ** 2).sum()


def run16(make_step, n_steps):
    theta = t(0.0, grad=True)
    step = make_step([theta])
    thetas, losses = [], [L16(theta).item()]
    for _ in range(n_steps):
        theta.zero_grad()
        L16(theta).backward()
        step()
        thetas.append(theta.item())
        losses.append(L16(theta).item())
    return thetas, losses


def seed_413_rule(lr):
    """θ ← θ − α ∇L, the rule 002 · 4.1.3 labels 'Adam', written out by hand."""
    def make(params):
        def step():
            with no_grad():
                for p in params:
                    p.data -= lr * p.grad.data
        return step
    return make


def with_optimizer(make_opt):
    return lambda params: make_opt(params).step


def seed_422_adam(lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """002 · 4.2.2 exactly as written, with tensors: m, v, m̂, v̂, θ."""
    def make(params):
        state = [[t(0.0), t(0.0)] for _ in params]
        count = [0]

        def step():
            count[0] += 1
            k = count[0]
            with no_grad():
                for p, s in zip(params, state, strict=True):
                    g = p.grad
                    s[0] = beta1 * s[0] + (1 - beta1) * g
                    s[1] = beta2 * s[1] + (1 - beta2) * g * g
                    m_hat = s[0] / (1 - beta1**k)
                    v_hat = s[1] / (1 - beta2**k)
                    p.data -= (lr * m_hat / (v_hat.sqrt() + eps)).data
        return step
    return make


gd, gd_loss = run16(seed_413_rule(0.01), 100)
sgd, _ = run16(with_optimizer(lambda p: optim.SGD(p, lr=0.01)), 100)
adam_hand, adam_loss = run16(seed_422_adam(0.01), 400)
adam_lib, _ = run16(with_optimizer(lambda p: optim.Adam(p, lr=0.01)), 400)
adam_nobc, _ = run16(with_optimizer(lambda p: optim.Adam(p, lr=0.01, bias_correction=False)), 3)
_, gd_div_loss = run16(seed_413_rule(0.075), 30)

print("step   4.1.3 'Adam' (= GD)   4.2.2 Adam (bias-corr.)   Adam without bias corr.")
for k in range(3):
    print(f"{k + 1:>4}   {gd[k]:<20.10g}  {adam_lib[k]:<24.10g}  {adam_nobc[k]:.10g}")
    show("W16", f"θ_{k + 1}: 4.1.3 rule θ − α∇L (= GD), α = 0.01", gd[k])
    show("W16", f"θ_{k + 1}: 4.2.2 Adam with bias correction", adam_lib[k])
    show("W16", f"θ_{k + 1}: Adam without bias correction", adam_nobc[k])
diff = max(abs(a - b) for a, b in zip(gd, sgd, strict=True))
claim("W16", "4.1.3's 'Adam' rule θ ← θ − α∇L vs optim.SGD: max |Δθ| over 100 steps "
      "(0 ⇒ it is SGD)", "θ_{t+1} = θ_t − α∇L is Adam's update rule", diff, agrees=False,
      note="Δθ = 0: the rule is plain gradient descent; Adam divides by √v̂ (4.2.2).",
      note_zh='Δθ = 0：这条规则就是普通的梯度下降；Adam 要除以 √v̂（见 4.2.2）。')
d_adam = max(abs(a - b) for a, b in zip(adam_hand, adam_lib, strict=True))
claim("W16", "4.2.2 Adam (bias-corrected) by hand vs optim.Adam: max |Δθ| over 400 steps",
      "m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − α·m̂/(√v̂ + ε)", d_adam, agrees=d_adam < 1e-12)
print(f"after 100 GD steps θ = {gd[-1]:.6f}, L = {gd_loss[-1]:.3g}; after 400 Adam steps "
      f"θ = {adam_lib[-1]:.6f}; GD with α = 0.075: L after 30 steps = {gd_div_loss[-1]:.3g}")
show("W16", "θ after 100 GD steps (α = 0.01)", gd[-1])
show("W16", "θ after 400 Adam steps (α = 0.01)", adam_lib[-1])
show("W16", "L after 30 GD steps with α = 0.075 > 2/L″ (diverges; L₀ = 56)", gd_div_loss[-1])
if plot is not None:
    figure(plot.plot_losses({"4.1.3 'Adam' = GD, α = 0.01": gd_loss,
                      "4.2.2 Adam, α = 0.01": adam_loss,
                      "GD, α = 0.075 (diverges)": gd_div_loss},
                     title="W16: L = Σ(y − θx)², x = [1, 2, 3], y = [2, 4, 6]", log_scale=True),
           "w16_sse_gd_adam.png")
