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
# # Lesson 1 — The training loop, and linear regression with it
#
# Every model in this course is trained by the same seven steps. We write them out once,
# use them to fit a line, and then run the seed's first complete project.
#
# * **W01** — seed 000, `#### 3.3.1 训练过程` — the 7 steps and the pseudo-code (epochs 1000, lr
#   0.01)
# * **W02** — seed 000, `#### 3.3.1 训练过程`, **举例说明** — house prices from area,
#   normalised, gradient descent
# * **W09** — seed 000, `### 3.3.4 项目实战` — Dense(1) on y = 2x + 1 + U(0, 1), Adam 0.01,
#   batch 32, 100 epochs

# %% [markdown] lang="zh"
# # 第 1 课 — 训练循环，以及用它做线性回归
#
# 本课程里的每一个模型，都是用同样的七个步骤训练出来的。我们先把这七步完整地写一遍，用它来拟合一
# 条直线，然后运行原文的第一个完整项目。
#
# * **W01** — 种子文档 000，`#### 3.3.1 训练过程` — 七个步骤和伪代码（训练轮数 epochs = 1000，学
# 习率 lr = 0.01）
# * **W02** — 种子文档 000，`#### 3.3.1 训练过程` 中的 **举例说明** — 由面积预测房价：归一化（
# normalisation）+ 梯度下降
# * **W09** — 种子文档 000，`### 3.3.4 项目实战` — 在 y = 2x + 1 + U(0, 1) 上训练 Dense(1)，Adam
# 0.01，批大小 32，100 个 epoch

# %%
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import DataLoader, StandardScaler, TensorDataset, make_line

IDS = ["W01", "W02", "W09"]
TITLE = "The training loop, and linear regression with it"

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

# %% [markdown] lang="en"
# ## W01 · `#### 3.3.1 训练过程` — the seven steps
#
# The seed's pseudo-code, made runnable. It never says what `model`, `criterion`,
# `optimizer` or `data_loader` are, and it sets `learning_rate = 0.01` without passing it
# to anything; here they are a linear model ŷ = w·x + b (starting at w = b = 0), the mean
# squared error, plain gradient descent with that learning rate, and 21 points on the line
# y = 3x + 2 served as one full batch. The order of the last three calls is right:
# `backward()` computes the gradients, `step()` uses them, `zero_grad()` clears them so
# the next `backward()` does not add to stale ones.
#
# Because the x's are symmetric around 0, this particular loop can be solved on paper:
# after T steps w_T = 3(1 − (1 − 2α·mean(x²))ᵀ) and b_T = 2(1 − (1 − 2α)ᵀ).

# %% [markdown] lang="zh"
# ## W01 · `#### 3.3.1 训练过程` — 七个步骤
#
# 这里把原文的伪代码变成可以运行的程序。原文没有说明 `model`、`criterion`、`optimizer` 和
# `data_loader` 分别是什么，而且设置了 `learning_rate = 0.01` 却没有把它传给任何对象。我们的选择
# 是：线性模型 ŷ = w·x + b（从 w = b = 0 开始）、均方误差（MSE）损失函数（loss function）、学习
# 率为 0.01 的普通梯度下降（gradient descent），数据是直线 y = 3x + 2 上的 21 个点，整体作为一个
# 批次。
#
# 最后三个调用的顺序是对的：`backward()` 做反向传播（backpropagation）算出梯度，`step()` 用梯度
# 更新参数，`zero_grad()` 把梯度清零，这样下一次 `backward()` 就不会累加到旧梯度上。
#
# 因为这些 x 关于 0 对称，这个循环可以直接在纸上求解：T 步之后 w_T = 3(1 − (1 − 2α·mean(x²))ᵀ)，
# b_T = 2(1 − (1 − 2α)ᵀ)。

# %%
x1 = np.linspace(-1, 1, 21).reshape(-1, 1)
y1 = 3 * x1 + 2

# 1. data preparation (here: nothing to clean) — 2. model initialisation
model = nn.Linear(1, 1)
nn.init.zeros_(model.weight)
nn.init.zeros_(model.bias)
criterion = nn.MSELoss()
num_epochs = 1000
learning_rate = 0.01
optimizer = optim.SGD(model.parameters(), lr=learning_rate)
data_loader = DataLoader(TensorDataset(x1, y1), batch_size=21)

losses = []
for epoch in range(num_epochs):                       # 7. iterate
    for data, target in data_loader:
        predictions = model(data)                     # 3. forward pass
        loss = criterion(predictions, target)         # 4. loss
        loss.backward()                               # 5. backward pass
        optimizer.step()                              # 6. update
        optimizer.zero_grad()                         #    and clear the gradients
    losses.append(loss.item())
    if epoch % 200 == 0 or epoch == num_epochs - 1:
        print(f"epoch {epoch:4d}  loss {loss.item():.6g}")

with no_grad():
    final = criterion(model(Tensor(x1)), Tensor(y1)).item()
w, b = model.weight.item(), model.bias.item()
print(f"w = {w:.6f}, b = {b:.6f}  (the line is y = 3x + 2)")
claim("W01", "the loop's order: forward, loss, backward(), step(), zero_grad() per batch",
      "backward → step → zero_grad", f"trains: the loss falls from {losses[0]:.3g} to "
      f"{final:.3g} in 1000 epochs", agrees=final < 1e-4 * losses[0],
      note="clearing after the step is right: the next backward() starts from zero",
      note_zh='在 step() 之后清零是对的：下一次 backward() 从零开始累加')
show("W01", "loss of the first forward pass (closed form: mean((3x+2)²) = 7.3)", losses[0])
show("W01", "loss after 1000 epochs", final)
show("W01", "w after 1000 epochs (true 3)", w)
show("W01", "b after 1000 epochs (true 2)", b)
show("W01", "loss never increased (1 = true)",
     float(all(b2 <= a2 * (1 + 1e-6) for a2, b2 in zip(losses, losses[1:], strict=False))))

# %% [markdown] lang="en"
# ## W02 · `#### 3.3.1 训练过程`, 举例说明 — house prices, normalised
#
# The seed describes (without numbers) a linear model θ from area x to price y, with
# normalisation, random initialisation, MSE and gradient descent. We take six houses —
# areas 50…150 m², prices 150…420 (万元) — and standardise both columns with
# `StandardScaler` (z-scores). On standardised data the least-squares line is
# slope = the correlation coefficient r, intercept = 0, whatever the initial θ; turning it
# back into raw units gives the ordinary least-squares line.
#
# Why normalise? With raw areas (≈ 100) the gradient for the slope is about 10⁴ times
# larger than for the intercept: the same learning rate that converges on z-scores makes
# gradient descent explode on the raw numbers, as the first lines below show.

# %% [markdown] lang="zh"
# ## W02 · `#### 3.3.1 训练过程`，举例说明 — 房价预测与归一化
#
# 原文只用文字（没有给数字）描述了一个从面积 x 预测房价 y 的线性模型 θ：先归一化，再随机初始化，
# 用均方误差和梯度下降训练。我们取六套房子——面积 50…150 平方米，房价 150…420 万元——用
# `StandardScaler` 把两列都标准化（z 分数）。在标准化的数据上，最小二乘直线的斜率就是相关系数 r
# 、截距为 0，与初始的 θ 无关；把它换算回原始单位，就得到普通的最小二乘直线。
#
# 为什么要归一化？用原始面积（约 100）时，斜率的梯度比截距的梯度大约大 10⁴ 倍：同一个学习率在 z
# 分数上能收敛，在原始数据上却会让梯度下降发散——下面最开始的几行输出就是这样。

# %%
area = np.array([50.0, 60, 80, 100, 120, 150]).reshape(-1, 1)
price = np.array([150.0, 180, 230, 290, 330, 420]).reshape(-1, 1)

raw = nn.Linear(1, 1, seed=0, dtype="float64")
opt = optim.SGD(raw.parameters(), lr=0.05)
blowup = []
for _ in range(3):
    opt.zero_grad()
    loss = nn.MSELoss()(raw(Tensor(area, dtype="float64")), Tensor(price, dtype="float64"))
    loss.backward()
    opt.step()
    blowup.append(loss.item())
with no_grad():
    blowup.append(nn.MSELoss()(raw(Tensor(area, dtype="float64")),
                               Tensor(price, dtype="float64")).item())
print("raw data, lr 0.05: loss", ", ".join(f"{v:.3g}" for v in blowup))
show("W02", "raw (unnormalised) data, GD lr 0.05: loss after 3 steps", blowup[-1],
     note="explodes: normalisation is what makes this learning rate usable",
     note_zh='发散：正是归一化让这个学习率变得可用')

sx, sy = StandardScaler(), StandardScaler()
xs = Tensor(sx.fit_transform(area), dtype="float64")
ys = Tensor(sy.fit_transform(price), dtype="float64")
theta = nn.Linear(1, 1, seed=0, dtype="float64")           # random initialisation
opt = optim.SGD(theta.parameters(), lr=0.05)
for step in range(2000):
    opt.zero_grad()
    loss = nn.MSELoss()(theta(xs), ys)
    loss.backward()
    opt.step()
    if step in (0, 10, 100, 1999):
        print(f"step {step:4d}: loss {loss.item():.6f}, slope {theta.weight.item():.6f}, "
              f"intercept {theta.bias.item():+.2e}")
slope_z, icpt_z = theta.weight.item(), theta.bias.item()
with no_grad():   # the correlation coefficient, with the engine
    r = ((xs * ys).mean() / (xs.std(correction=0) * ys.std(correction=0))).item()
raw_slope = slope_z * sy.scale_[0] / sx.scale_[0]
raw_icpt = sy.mean_[0] + sy.scale_[0] * icpt_z - raw_slope * sx.mean_[0]
show("W02", "slope on standardised data after 2000 GD steps", slope_z)
show("W02", "correlation coefficient r of area and price (the exact slope)", r)
show("W02", "intercept on standardised data (exact: 0)", icpt_z)
show("W02", "de-normalised line: price per m²", raw_slope)
show("W02", "de-normalised line: intercept (万元)", raw_icpt)

# %% [markdown] lang="en"
# ## W09 · `### 3.3.4 项目实战` — the seed's first project
#
# The seed's Keras program: one `Dense(1)` layer (= `nn.Linear(1, 1)`), x ~ U(0, 1) with
# 1000 training and 100 test points, y = 2x + 1 + U(0, 1), Adam with lr 0.01, mean squared
# error with mean absolute error as a metric, batch 32, 100 epochs, the test set as
# validation data, and a plot of training and validation loss. The seed draws its data
# without a seed; we fix one (`make_line(…, seed=…)`) so the numbers below are
# reproducible. This runs in full — nothing shortened.
#
# **What should it learn?** Not b = 1: the noise U(0, 1) has mean ½, so the best line is
# y = 2x + **1.5**, and the noise's variance, 1/12 ≈ 0.083, is a floor the MSE cannot go
# below (the mean absolute error's floor is E|U − ½| = 0.25).

# %% [markdown] lang="zh"
# ## W09 · `### 3.3.4 项目实战` — 原文的第一个项目
#
# 原文的 Keras 程序：只有一层 `Dense(1)`（即 `nn.Linear(1, 1)`），x ~ U(0, 1)，训练集 1000 个点
# 、测试集 100 个点，y = 2x + 1 + U(0, 1)；优化器 Adam，学习率 0.01，损失函数为均方误差，评价指
# 标为平均绝对误差（MAE），批大小 32，训练 100 个 epoch，把测试集作为验证数据，最后画出训练损失
# 和验证损失。原文生成数据时没有固定随机种子；我们固定了种子（`make_line(…, seed=…)`），所以下面
# 的数字每次都一样。程序完整运行，没有任何缩减。
#
# **它应该学到什么？** 不是 b = 1：噪声 U(0, 1) 的均值是 ½，所以最好的直线是 y = 2x + **1.5**；
# 噪声的方差 1/12 ≈ 0.083 是均方误差不可能低于的下限（平均绝对误差的下限是 E|U − ½| = 0.25）。

# %%
from tinygrad_edu.train import evaluate, fit  # noqa: E402

x_train, y_train = make_line(1000, seed=0)
x_test, y_test = make_line(100, seed=1)
dense = nn.Linear(1, 1, seed=0)
history = fit(dense, nn.MSELoss(), optim.Adam(dense.parameters(), lr=0.01),
              (x_train, y_train), epochs=100, batch_size=32,
              validation_data=(x_test, y_test), metrics=["mae"], seed=0, progress=False)
test = evaluate(dense, nn.MSELoss(), (x_test, y_test), metrics=["mae"])
w9, b9 = dense.weight.item(), dense.bias.item()
print(f"learned w = {w9:.4f}, b = {b9:.4f}")
print(f"epoch 1: loss {history['loss'][0]:.4f}, val_loss {history['val_loss'][0]:.4f}; "
      f"epoch 100: loss {history['loss'][-1]:.4f}, val_loss {history['val_loss'][-1]:.4f}, "
      f"val_mae {history['val_mae'][-1]:.4f}")

# the least-squares line of the same sample, with the engine: slope = cov(x, y) / var(x)
xt, yt = Tensor(x_train, dtype="float64"), Tensor(y_train, dtype="float64")
with no_grad():
    ols_w = (((xt - xt.mean()) * (yt - yt.mean())).mean() / xt.var(correction=0)).item()
    ols_b = (yt.mean() - ols_w * xt.mean()).item()
show("W09", "learned w (population value 2)", w9)
show("W09", "learned b (population value 1.5, not 1: the noise has mean ½)", b9)
show("W09", "least-squares w of the same training sample", ols_w)
show("W09", "least-squares b of the same training sample", ols_b)
show("W09", "training loss (MSE), epoch 1", history["loss"][0])
show("W09", "training loss (MSE), epoch 100", history["loss"][-1])
show("W09", "validation loss (MSE), epoch 100 (population floor 1/12 ≈ 0.0833)",
     history["val_loss"][-1], note="100 test points scatter around the floor",
                              note_zh='100 个测试点的损失在下限附近波动')
show("W09", "validation MAE, epoch 100 (population floor 0.25)", history["val_mae"][-1])
show("W09", "model.evaluate on the test set: MSE", test["loss"])

# %% [markdown] lang="en"
# The curves on a logarithmic axis, with the floor 1/12 drawn: after a few epochs both
# losses sit on it — the line is learned, and what is left is the noise, which no model
# of x can predict.

# %% [markdown] lang="zh"
# 把两条曲线画在对数坐标上，并画出下限 1/12：几个 epoch 之后，两条损失曲线都贴在这条线上——直线已
# 经学会了，剩下的只是噪声，任何关于 x 的模型都无法预测它。

# %%
if plot is not None:
    fig = plot.plot_history(history, keys=("loss", "val_loss"),
                            title="W09: Dense(1) on y = 2x + 1 + U(0,1), Adam lr 0.01")
    ax = fig.axes[0]
    ax.set_yscale("log")
    ax.axhline(1 / 12, color="black", linestyle="--", linewidth=1,
               label="floor Var U(0,1) = 1/12 ≈ 0.0833")
    ax.legend()
    figure(fig, "w09_loss.png")
