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
# # Lesson 11 — Regularisation, normalisation, and the FAQ's advice
#
# A model that fits its training data too well and new data badly *over-fits*; one that
# cannot even fit its training data *under-fits*. Regularisation (penalties, weight decay,
# dropout, early stopping, ensembles) trades a little training fit for better behaviour on
# new data — which is exactly why it is the wrong medicine for under-fitting.
#
# * **W23** — seed 003 (second document), `#### 3.3. 大模型优化策略` — L1/L2, weight decay,
#   dropout, early stopping, ensembling
# * **W28** — seed 004, `## 8. 附录：常见问题与解答` — early stopping, L1/L2, dropout, batch
#   normalisation, Huber loss, the under-fitting advice (the metrics are in lesson 7)

# %% [markdown] lang="zh"
# # 第 11 课 — 正则化、归一化，以及常见问题解答里的建议
#
# 一个模型在训练数据上拟合得太好、在新数据上却表现很差，就是*过拟合*（over-fitting）；连训练数据
# 都拟合不好，就是*欠拟合*（under-fitting）。正则化（regularisation：惩罚项、权重衰减、dropout、
# 早停、模型集成）用一点训练集上的拟合程度换取在新数据上更好的表现——也正因如此，它是治疗欠拟合的
# 错药。
#
# * **W23** — 种子文档 003（第二篇文档），`#### 3.3. 大模型优化策略` — L1/L2、权重衰减、dropout
# 、早停、模型集成
# * **W28** — 种子文档 004，`## 8. 附录：常见问题与解答` — 早停、L1/L2、dropout、批归一化、Huber
# 损失、关于欠拟合的建议（评价指标在第 7 课）

# %%
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import StandardScaler, load_breast_cancer, make_moons, train_test_split
from tinygrad_edu.train import EarlyStopping, Trainer, fit

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

IDS = ["W23", "W28"]
TITLE = "Regularisation (L1/L2, weight decay, dropout, early stopping, ensembles), BatchNorm"


def vec(values, grad=True):
    return Tensor(values, dtype="float64", requires_grad=grad)


# %% [markdown] lang="en"
# ## W23 · `#### 3.3. 大模型优化策略` — L1 and L2 penalties
#
# Add λ·Σ|w| (L1) or λ·Σw² (L2, Keras's convention without ½) to the loss. Their gradients
# are λ·sign(w) — a constant pull toward 0, however small the weight — and 2λw — a pull
# proportional to the weight, which fades as the weight does. The L1 optimum has weights
# that are exactly 0; whether training *reaches* them depends on the update (below).
# For w = [0.5, −1, 2] and λ = 0.01:

# %% [markdown] lang="zh"
# ## W23 · `#### 3.3. 大模型优化策略` — L1 和 L2 惩罚项
#
# 在损失上加 λ·Σ|w|（L1）或 λ·Σw²（L2，按 Keras 的约定不带 ½）。它们的梯度分别是 λ·sign(w)——一个
# 朝向 0 的恒定拉力，无论权重多小都一样——和 2λw——与权重成正比的拉力，权重变小它也随之减弱。L1 的
# 最优解中有恰好为 0 的权重；训练能不能*到达*那里，取决于更新方式（见下文）。取 w = [0.5, −1, 2]
# 、λ = 0.01：

# %%
w = vec([0.5, -1.0, 2.0])
l1 = nn.l1_penalty([w], 0.01)
l1.backward()
show("W23", "L1 penalty λΣ|w|, w = [0.5, −1, 2], λ = 0.01", l1.item())
show("W23", "its gradient λ·sign(w)", w.grad.numpy())
w.zero_grad()
l2 = nn.l2_penalty([w], 0.01)
l2.backward()
show("W23", "L2 penalty λΣw²", l2.item())
show("W23", "its gradient 2λw", w.grad.numpy())

# %% [markdown] lang="en"
# **Does λ·sign(w) make small weights exactly 0?** Not with plain (sub)gradient descent: a
# weight near 0 is pushed by ±αλ each step, overshoots 0 and flips sign, so it oscillates
# around 0 in a band of width ≈ αλ and is never exactly 0. What gives exact zeros is the
# **proximal step** (soft-thresholding, as in ISTA / lasso solvers): take the step on the
# data loss only, u = w − α∇f(w), then shrink every weight by αλ and clip at 0,
# w ← sign(u)·max(|u| − αλ, 0). A weight whose step lands within αλ of 0 becomes exactly 0.
#
# Both on one lasso problem: 200 samples of 6 features, y = X·[2, 0, 0, −1, 0, 0.5] + noise,
# f(w) = ½·mean((Xw − y)²), λ = 0.1, α = 0.1, 300 full-batch steps from w = 0; the
# gradient of f comes from `backward()` in both.

# %% [markdown] lang="zh"
# **λ·sign(w) 能让小权重恰好变成 0 吗？** 用普通的（次）梯度下降不行：接近 0 的权重每一步被推动
# ±αλ，越过 0 后符号翻转，于是在宽约 αλ 的区间里围绕 0 来回振荡，永远不会恰好等于 0。能得到精确
# 零值的是**近端步**（proximal step，即软阈值，ISTA / lasso 求解器用的就是它）：先只对数据损失走
# 一步 u = w − α∇f(w)，再把每个权重向 0 收缩 αλ，越过 0 的截断为 0：w ← sign(u)·max(|u| − αλ, 0)
# 。一步之后落在 0 附近 αλ 以内的权重就恰好变成 0。
#
# 两种方法解同一个 lasso 问题：200 个样本、6 个特征，y = X·[2, 0, 0, −1, 0, 0.5] + 噪声，f(w) =
# ½·mean((Xw − y)²)，λ = 0.1，α = 0.1，从 w = 0 开始做 300 步全批量更新；两种方法中 f 的梯度都由
# `backward()` 求出。

# %%
rng_l1 = np.random.default_rng(7)
X_l1 = rng_l1.normal(size=(200, 6))
w_true = np.array([2.0, 0.0, 0.0, -1.0, 0.0, 0.5])
y_l1 = X_l1 @ w_true + 0.1 * rng_l1.normal(size=200)
lam_l1, lr_l1 = 0.1, 0.1


def data_grad(w_now, with_l1):
    wt = vec(w_now)
    loss_ = 0.5 * ((Tensor(X_l1, dtype="float64") @ wt - Tensor(y_l1, dtype="float64")) ** 2
                   ).mean()
    if with_l1:
        loss_ = loss_ + nn.l1_penalty([wt], lam_l1)
    loss_.backward()
    return wt.grad.numpy()


w_sub, w_prox = np.zeros(6), np.zeros(6)
for _ in range(300):
    w_sub = w_sub - lr_l1 * data_grad(w_sub, with_l1=True)         # SGD on f + λ‖w‖₁
    u = w_prox - lr_l1 * data_grad(w_prox, with_l1=False)           # step on f only …
    w_prox = np.sign(u) * np.maximum(np.abs(u) - lr_l1 * lam_l1, 0.0)  # … then shrink
print("subgradient SGD:", np.round(w_sub, 6))
print("proximal step:  ", np.round(w_prox, 6))
zero_idx = w_true == 0
claim("W23", "L1 with plain SGD: weights exactly 0 (of the 3 whose true value is 0)",
      "λ·sign(w) makes small weights exactly 0", int((w_sub == 0).sum()),
      agrees=bool((w_sub[zero_idx] == 0).all()),
      note="the sign term overshoots 0 each step: the weights oscillate around 0, "
      "|w| ≲ αλ, never exactly 0",
      note_zh="符号项每一步都会越过 0：权重在 0 附近来回振荡（|w| ≲ αλ），始终不会恰好等于 0")
show("W23", "L1 with plain SGD: largest |w| of the 3 true-zero weights",
     float(np.abs(w_sub[zero_idx]).max()))
show("W23", "L1 with the proximal (soft-threshold) step: weights exactly 0",
     int((w_prox == 0).sum()), note="exactly the 3 true-zero weights",
                               note_zh='恰好是真实值为 0 的那 3 个权重')
show("W23", "proximal step: the 3 non-zero weights (true 2, −1, 0.5, shrunk by ≈ λ)",
     w_prox[~zero_idx])

# %% [markdown] lang="en"
# ## Weight decay
#
# The seed says weight decay "通过在损失函数中添加权重项，降低模型参数的更新幅度" — adds a weight
# term to the loss and so *reduces the size of the parameter updates*. It does not: it
# **shrinks the weights themselves** toward 0. With plain SGD, `weight_decay = λ` adds λw to
# the gradient, so w ← w − α(g + λw) = (1 − αλ)·w − αg: with no data gradient every step
# multiplies the weights by (1 − αλ). That is the L2 penalty with coefficient λ/2 (only
# L2 — the seed also files L1 under weight decay). For Adam the two are *not* the same:
# Adam rescales the λw term like any gradient, so `Adam(weight_decay=λ)` moves every
# weight by about lr per step whatever λ is; `AdamW` decays the weights directly.

# %% [markdown] lang="zh"
# ## 权重衰减
#
# 原文说权重衰减（weight decay）“通过在损失函数中添加权重项，降低模型参数的更新幅度”。并非如此：
# 它**让权重本身**向 0 收缩。对普通 SGD，`weight_decay = λ` 在梯度上加 λw，于是 w ← w − α(g +
# λw) = (1 − αλ)·w − αg：没有数据梯度时，每一步都把权重乘以 (1 − αλ)。这相当于系数为 λ/2 的 L2
# 惩罚（只对应 L2——原文把 L1 也归入了权重衰减）。对 Adam 来说两者*并不*相同：Adam 像对待任何梯度
# 一样对 λw 项做缩放，所以 `Adam(weight_decay=λ)` 无论 λ 多大，每一步都让每个权重移动约 lr；
# `AdamW` 则直接衰减权重。

# %%
def one_step(make_opt, penalty=None, steps=1):
    p = vec([0.5, -1.0, 2.0])
    opt = make_opt([p])
    for _ in range(steps):
        opt.zero_grad()
        p.grad = Tensor(np.zeros(3))                      # no data gradient at all
        if penalty is not None:
            penalty(p).backward()
        opt.step()
    return p.numpy()


decayed = one_step(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01))
show("W23", "SGD(lr 0.1, weight_decay 0.01), zero data gradient: w after one step", decayed)
via_l2 = one_step(lambda ps: optim.SGD(ps, lr=0.1), penalty=lambda p: nn.l2_penalty([p], 0.005))
show("W23", "max |weight_decay λ − L2 penalty λ/2| after one SGD step",
     float(np.abs(decayed - via_l2).max()))
after100 = one_step(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01), steps=100)
claim("W23", "what weight decay does (权重衰减)",
      "降低模型参数的更新幅度 (reduces the update size)",
      f"shrinks the weights: ×(1 − αλ) = ×0.999 per step, w = {np.round(after100, 4).tolist()} "
      "after 100 SGD steps with no data gradient", agrees=False,
      note="it pulls weights toward 0; it is the L2 penalty (λ/2)‖w‖² for SGD, not L1",
      note_zh='它把权重拉向 0；对 SGD 它就是 L2 惩罚 (λ/2)‖w‖²，而不是 L1')
show("W23", "Adam(lr 0.1, weight_decay 0.01), zero data gradient: w after one step",
     one_step(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01)),
     note="the decay term is normalised away: each weight moves by ≈ lr",
     note_zh='衰减项被归一化抵消了：每个权重移动约 lr')
show("W23", "AdamW(lr 0.1, weight_decay 0.01), zero data gradient: w after one step",
     one_step(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.01)))

# %% [markdown] lang="en"
# ## Dropout
#
# In training, each unit is zeroed with probability p and the survivors are scaled by
# 1/(1 − p), so the expected value is unchanged ("inverted" dropout); in evaluation the
# layer does nothing. With p = 0.5 and the keep-mask [1, 0, 1, 0], x = [1, 2, 3, 4]
# becomes [2, 0, 6, 0]:

# %% [markdown] lang="zh"
# ## Dropout
#
# 训练时，每个单元以概率 p 被置零，保留下来的单元乘以 1/(1 − p)，使期望值不变（“inverted”
# dropout）；评估时这一层什么也不做。取 p = 0.5、保留掩码 [1, 0, 1, 0]，x = [1, 2, 3, 4] 变成
# [2, 0, 6, 0]：

# %%
x = Tensor([1.0, 2.0, 3.0, 4.0])
mask = Tensor([1.0, 0.0, 1.0, 0.0])
show("W23", "dropout p = 0.5 on [1, 2, 3, 4] with keep-mask [1, 0, 1, 0]", (x * mask / 0.5).numpy())
drop = nn.Dropout(0.5, seed=0)
ones = Tensor.ones(100_000)
y_train = drop(ones).numpy()
show("W23", "nn.Dropout(0.5) in training on 100 000 ones: fraction zeroed",
     float((y_train == 0).mean()))
show("W23", "… value of the survivors", float(y_train[y_train != 0].max()))
show("W23", "… mean (expected 1)", float(y_train.mean()))
drop.eval()
show("W23", "nn.Dropout in eval(): max |y − x|", float(np.abs(drop(ones).numpy() - 1).max()))

# %% [markdown] lang="en"
# ## Early stopping
#
# Watch the validation loss; stop when it has not improved for `patience` epochs (and
# optionally restore the best weights). On the validation losses
# [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.5] the best is epoch 2 (0-based); with patience 2
# training stops after epoch 4, with patience 3 after epoch 5 — and never sees the 0.5 of
# epoch 6. Here `EarlyStopping` is fed those numbers directly:

# %% [markdown] lang="zh"
# ## 早停
#
# 观察验证损失；如果连续 `patience` 个 epoch 都没有改善就停止训练（也可以恢复最好的权重）。对验
# 证损失序列 [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.5]，最好的是第 2 个 epoch（从 0 开始数）；
# patience 为 2 时在第 4 个 epoch 之后停止，patience 为 3 时在第 5 个之后停止——都看不到第 6 个
# epoch 的 0.5。这里直接把这些数字喂给 `EarlyStopping`：

# %%
val_losses = [0.9, 0.7, 0.6, 0.62, 0.61, 0.65, 0.5]
for patience in (2, 3):
    stopper, trainer = EarlyStopping(patience=patience), Trainer(None, None, None)
    stopped = None
    for epoch, v in enumerate(val_losses):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": v})
        if trainer.stop_training:
            stopped = epoch
            break
    show("W23", f"early stopping, patience {patience}: [stopped after epoch, best epoch]",
         [stopped, stopper.best_epoch])

# %% [markdown] lang="en"
# And in a real run: a wide network on the breast-cancer data with a large learning rate
# over-fits after a few epochs; `EarlyStopping(patience=5, restore_best_weights=True)`
# stops it and puts back the weights of the best validation epoch.

# %% [markdown] lang="zh"
# 再看一次真实的训练：在乳腺癌数据上用一个很宽的网络和较大的学习率，几个 epoch 后就开始过拟合；
# `EarlyStopping(patience=5, restore_best_weights=True)` 让训练停下来，并恢复验证损失最好那个
# epoch 的权重。

# %%
X, y = load_breast_cancer()
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=42)
sc = StandardScaler().fit(X_tr)
X_tr, X_va = sc.transform(X_tr), sc.transform(X_va)
t_tr, t_va = y_tr.reshape(-1, 1).astype(np.float32), y_va.reshape(-1, 1).astype(np.float32)
rng = np.random.default_rng(0)
wide = nn.Sequential(nn.Linear(30, 256, seed=rng), nn.ReLU(), nn.Linear(256, 256, seed=rng),
                     nn.ReLU(), nn.Linear(256, 1, seed=rng), nn.Sigmoid())
stopper = EarlyStopping(patience=5, restore_best_weights=True)
hist = fit(wide, nn.BCELoss(), optim.Adam(wide.parameters(), lr=0.01), (X_tr, t_tr),
           epochs=60, batch_size=32, validation_data=(X_va, t_va), callbacks=[stopper],
           seed=0, progress=False)
with no_grad():
    restored = nn.BCELoss()(wide(Tensor(X_va)), Tensor(t_va)).item()
print(f"stopped after epoch {hist.stopped_epoch} (of 60); best epoch {stopper.best_epoch}, "
      f"val_loss {stopper.best:.4f}; last epoch's val_loss {hist['val_loss'][-1]:.4f}")
show("W23", "breast cancer, wide MLP: epochs run before early stopping (of 60)", len(hist.epoch))
show("W23", "best validation loss seen", stopper.best)
show("W23", "validation loss after restore_best_weights (= the best)", restored)

# %% [markdown] lang="en"
# The run as a curve: the training loss keeps falling, the validation loss turns up after
# its best epoch; training stops `patience` epochs later, and the weights of the best
# epoch are put back (the star: the validation loss of the restored model).

# %% [markdown] lang="zh"
# 把这次训练画成曲线：训练损失一直在下降，验证损失在最好的 epoch 之后开始回升；再过 `patience`
# 个 epoch 训练停止，最好那个 epoch 的权重被恢复（星号：恢复后模型的验证损失）。

# %%
if plot is not None:
    fig = plot.plot_history(hist, keys=("loss", "val_loss"),
                            title="W23: early stopping, patience 5, restore_best_weights")
    ax = fig.axes[0]
    best_x, stop_x = stopper.best_epoch + 1, len(hist.epoch)
    ax.axvline(best_x, color="C2", linestyle="--", label=f"best epoch {best_x}")
    ax.axvline(stop_x, color="C3", linestyle=":", label=f"stopped after epoch {stop_x}")
    ax.plot([stop_x], [restored], "*", color="C2", markersize=14,
            label=f"restored weights: val loss {restored:.4f}")
    ax.set_xlabel("epoch")
    ax.legend()
    figure(fig, "w23_early_stopping.png")

# %% [markdown] lang="en"
# ## Ensembling: averaging and voting
#
# Three models give P(class 1) = 0.9, 0.4 and 0.45 for one sample. Averaging the
# probabilities gives 0.583 → class 1; a majority vote of their 0.5-thresholded answers
# (1, 0, 0) gives class 0. The two rules can disagree: averaging listens to *how sure* each
# model is. Then a real ensemble: three small networks trained from different random
# initialisations on the two-moons data.

# %% [markdown] lang="zh"
# ## 模型集成：平均与投票
#
# 三个模型对同一个样本给出 P(类别 1) = 0.9、0.4 和 0.45。对概率取平均得 0.583 → 类别 1；对它们以
# 0.5 为阈值的回答 (1, 0, 0) 做多数投票，得类别 0。两种规则可能给出不同的结果：平均会考虑每个模
# 型*有多确定*。接着是一个真正的集成：在双月牙数据上，从不同的随机初始化训练三个小网络。

# %%
probs = Tensor([0.9, 0.4, 0.45])
show("W23", "average of P = [0.9, 0.4, 0.45]", probs.mean().item())
show("W23", "class by averaging", int(probs.mean().item() > 0.5))
show("W23", "class by majority vote", int((probs > 0.5).numpy().sum() >= 2))

Xm, ym = make_moons(300, noise=0.3, seed=0)
Xm_tr, Xm_te, ym_tr, ym_te = train_test_split(Xm, ym, test_size=0.5, random_state=0)


def train_moons(seed, hidden=16, steps=300, l2=0.0, X=Xm_tr, y=ym_tr, lr=0.05):
    g = np.random.default_rng(seed)
    model = (nn.Sequential(nn.Linear(2, hidden, seed=g), nn.ReLU(), nn.Linear(hidden, 1, seed=g))
             if hidden else nn.Linear(2, 1, seed=g))
    opt = optim.Adam(model.parameters(), lr=lr)
    xt, yt = Tensor(X), Tensor(y.reshape(-1, 1).astype(np.float32))
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.BCEWithLogitsLoss()(model(xt), yt)
        if l2:
            loss = loss + nn.l2_penalty(model.parameters(), l2)
        loss.backward()
        opt.step()
    return model


def prob(model, X):
    with no_grad():
        return model(Tensor(X)).sigmoid().numpy()[:, 0]


members = [train_moons(s) for s in (1, 2, 3)]
accs = [float(((prob(m, Xm_te) > 0.5) == ym_te).mean()) for m in members]
avg = np.mean([prob(m, Xm_te) for m in members], axis=0)
show("W23", "moons: test accuracy of the three members", accs)
show("W23", "moons: test accuracy of their averaged probabilities",
     float(((avg > 0.5) == ym_te).mean()))

# %% [markdown] lang="en"
# ## W28 · `## 8. 附录：常见问题与解答` — batch normalisation and the Huber loss
#
# **BatchNorm** (in training mode) normalises each feature over the batch with the
# *biased* variance, then scales by γ = 1 and shifts by β = 0; it also keeps running
# averages for evaluation, updated with momentum 0.1 and — as in PyTorch — the *unbiased*
# variance. On x = [1, 2, 3, 4]: mean 2.5, variance 1.25, output (x − 2.5)/√(1.25 + 10⁻⁵);
# running mean 0.1·2.5 = 0.25, running variance 0.9·1 + 0.1·(5/3) = 1.0667. The seed lists
# it among the regularisers; it is mainly a normalisation that makes training easier,
# with a mild regularising side effect.

# %% [markdown] lang="zh"
# ## W28 · `## 8. 附录：常见问题与解答` — 批归一化与 Huber 损失
#
# **批归一化（BatchNorm）**（训练模式下）对每个特征在批次上做归一化，使用*有偏*方差，再乘以 γ =
# 1、加上 β = 0；它还为评估保存滑动平均，以动量 0.1 更新，并且——和 PyTorch 一样——使用*无偏*方差
# 。对 x = [1, 2, 3, 4]：均值 2.5，方差 1.25，输出 (x − 2.5)/√(1.25 + 10⁻⁵)；滑动均值 0.1·2.5 =
# 0.25，滑动方差 0.9·1 + 0.1·(5/3) = 1.0667。原文把它列为正则化方法之一；它主要是一种让训练更容
# 易的归一化，正则化只是一个温和的副作用。

# %%
bn = nn.BatchNorm1d(1)
out = bn(Tensor([[1.0], [2.0], [3.0], [4.0]]))
show("W28", "BatchNorm1d (training) on [1, 2, 3, 4]", out.numpy()[:, 0])
show("W28", "BatchNorm1d running_mean after one batch", bn.running_mean.item())
show("W28", "BatchNorm1d running_var after one batch (unbiased batch variance)",
     bn.running_var.item())
bn.eval()
show("W28", "BatchNorm1d in eval() on [2.5]: uses the running statistics",
     bn(Tensor([[2.5]])).item())

# %% [markdown] lang="en"
# **Huber loss** (δ = 1): ½d² for |d| ≤ δ and δ(|d| − ½δ) beyond, d = ŷ − y — squared error
# near the target, absolute error far away, so one outlier cannot dominate. On
# y = [3, −0.5, 2, 7], ŷ = [2.5, 0, 2, 9] the residuals are [−0.5, 0.5, 0, 2]: per sample
# [0.125, 0.125, 0, 1.5], mean 0.4375 (the MSE is 1.125, three quarters of it from the one
# large residual).

# %% [markdown] lang="zh"
# **Huber 损失**（δ = 1）：|d| ≤ δ 时为 ½d²，超出时为 δ(|d| − ½δ)，其中 d = ŷ − y——在目标附近是
# 平方误差，离得远时是绝对误差，所以单个离群点不会主导损失。对 y = [3, −0.5, 2, 7]、ŷ = [2.5, 0,
# 2, 9]，残差为 [−0.5, 0.5, 0, 2]：每个样本的损失是 [0.125, 0.125, 0, 1.5]，平均 0.4375（而均方
# 误差是 1.125，其中四分之三来自那一个大残差）。

# %%
yr, yr_hat = Tensor([3.0, -0.5, 2.0, 7.0]), Tensor([2.5, 0.0, 2.0, 9.0])
show("W28", "Huber (δ = 1) per sample", nn.HuberLoss(reduction="none")(yr_hat, yr).numpy())
show("W28", "Huber (δ = 1), mean", nn.HuberLoss()(yr_hat, yr).item())
show("W28", "MSE on the same numbers", nn.MSELoss()(yr_hat, yr).item())
show("W28", "FAQ items available in the library",
     ", ".join(["EarlyStopping", "nn.l1_penalty", "nn.l2_penalty", "weight_decay=",
                "nn.Dropout", "nn.BatchNorm1d/2d", "nn.HuberLoss", "nn.MSELoss",
                "nn.CrossEntropyLoss", "nn.BCELoss"]))

# %% [markdown] lang="en"
# ## W28 — "如何避免欠拟合": three pieces of advice that do the opposite
#
# The FAQ recommends, against under-fitting, "减少训练数据" (use less training data),
# "使用正则化技术" (use regularisation) and "使用早停技术" (use early stopping). Under-fitting
# means the model cannot fit even its *training* data: the cure is more capacity (a bigger
# model, better features) and longer training with *less* regularisation. We test each
# piece of advice on the two-moons data, which no straight line separates:
#
# * a straight-line classifier under-fits; a 2 → 16 → 1 network does not;
# * adding a strong L2 penalty to the network *lowers* its training accuracy;
# * stopping its training early leaves it under-fitted;
# * training the straight line on less data does not give it the capacity it lacks.

# %% [markdown] lang="zh"
# ## W28 — “如何避免欠拟合”：三条适得其反的建议
#
# 常见问题解答针对欠拟合推荐了“减少训练数据”、“使用正则化技术”和“使用早停技术”。欠拟合意味着模型
# 连*训练*数据都拟合不好：对策是更大的容量（更大的模型、更好的特征）和更长的训练，同时*减少*正则
# 化。我们在双月牙数据上逐条检验这些建议——这组数据无法用一条直线分开：
#
# * 直线分类器欠拟合；2 → 16 → 1 的网络则不会；
# * 给网络加上很强的 L2 惩罚，*降低*了它的训练准确率；
# * 提前停止训练，会让它停留在欠拟合状态；
# * 用更少的数据训练直线分类器，并不能给它补上所缺的容量。

# %%
def train_acc(model, X=Xm_tr, y=ym_tr):
    return float(((prob(model, X) > 0.5) == y).mean())


linear = train_moons(1, hidden=0)
mlp = train_moons(1)
show("W28", "moons, training accuracy: straight line (under-fits)", train_acc(linear))
show("W28", "moons, training accuracy: 2 → 16 → 1 network (more capacity)", train_acc(mlp))

strong_l2 = train_moons(1, l2=0.05)
claim("W28", "FAQ: use regularisation to avoid under-fitting (使用正则化技术…避免欠拟合)",
      "regularisation avoids under-fitting",
      f"training accuracy {train_acc(mlp):.3f} without L2, {train_acc(strong_l2):.3f} with "
      "λ = 0.05: the penalty under-fits more", agrees=False,
      note="regularisation trades training fit for generalisation; it cures over-fitting",
      note_zh='正则化用训练集上的拟合换取泛化能力；它治的是过拟合')

early = train_moons(1, steps=15)
claim("W28", "FAQ: use early stopping to avoid under-fitting (使用早停技术…避免欠拟合)",
      "early stopping avoids under-fitting",
      f"training accuracy after 15 steps {train_acc(early):.3f} vs 300 steps "
      f"{train_acc(mlp):.3f}", agrees=False,
      note="stopping early means less fitting: it guards against over-fitting only",
      note_zh='提前停止意味着拟合得更少：它只能防止过拟合')

few = train_moons(1, hidden=0, X=Xm_tr[:30], y=ym_tr[:30])
claim("W28", "FAQ: use less training data to avoid under-fitting (减少训练数据…避免欠拟合)",
      "less data avoids under-fitting",
      f"straight line: test accuracy {train_acc(linear, Xm_te, ym_te):.3f} trained on 150 "
      f"points, {train_acc(few, Xm_te, ym_te):.3f} on 30; the 16-unit network reaches "
      f"{train_acc(mlp, Xm_te, ym_te):.3f}", agrees=False,
      note="fewer samples add no capacity; under-fitting is cured by a bigger model",
      note_zh='更少的样本不会增加模型容量；欠拟合要靠更大的模型来解决')
