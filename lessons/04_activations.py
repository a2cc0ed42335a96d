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
# # Lesson 4 — Activation functions: sigmoid, ReLU, tanh
#
# Without a non-linear activation a stack of linear layers is one linear layer. Seed 001
# gives the three classics and one worked value, σ(2).
#
# * **W13** — seed 001, `#### 4.1.1 神经元激活函数` and `#### 4.2.1 神经元激活函数` — σ(x) =
#   1/(1 + e⁻ˣ), ReLU, tanh; σ(2) ≈ 0.869

# %% [markdown] lang="zh"
# # 第 4 课 — 激活函数：sigmoid、ReLU、tanh
#
# 如果没有非线性的激活函数（activation function），再多的线性层叠在一起也只等于一个线性层。种子
# 文档 001 给出了三个经典的激活函数和一个算例：σ(2)。
#
# * **W13** — 种子文档 001，`#### 4.1.1 神经元激活函数` 和 `#### 4.2.1 神经元激活函数` — σ(x) =
# 1/(1 + e⁻ˣ)、ReLU、tanh；σ(2) ≈ 0.869

# %%
import math

import numpy as np

from tinygrad_edu import Tensor
from tinygrad_edu.course.lessons import claim, figure, show

IDS = ["W13"]
TITLE = "Activation functions: sigmoid, ReLU, tanh (σ(2))"

# %% [markdown] lang="en"
# ## W13 · `#### 4.2.1 神经元激活函数` — σ(2)
#
# The seed claims σ(2) = 1/(1 + e⁻²) ≈ **0.869**. But e⁻² = 0.1353, so
# σ(2) = 1/1.1353 = **0.8808**. (0.869 is σ(1.89); the seed's arithmetic slipped.)

# %% [markdown] lang="zh"
# ## W13 · `#### 4.2.1 神经元激活函数` — σ(2)
#
# 原文说 σ(2) = 1/(1 + e⁻²) ≈ **0.869**。但 e⁻² = 0.1353，所以 σ(2) = 1/1.1353 = **0.8808**。（
# 0.869 是 σ(1.89)；原文的算术出了差错。）

# %%
x = Tensor([2.0], dtype="float64", requires_grad=True)
s = x.sigmoid()
print("e^-2 =", math.exp(-2), " σ(2) =", s.item())
claim("W13", "σ(2) = 1/(1 + e⁻²)", 0.869, s.item(),
      note="e⁻² = 0.1353, 1/1.1353 = 0.8808; 0.869 would be σ(1.89).",
      note_zh='e⁻² = 0.1353，1/1.1353 = 0.8808；0.869 对应的是 σ(1.89)。')

# %% [markdown] lang="en"
# The derivative of the sigmoid is σ′(x) = σ(x)(1 − σ(x)) — at most 0.25 (at x = 0). Every
# sigmoid layer multiplies the backward signal by at most 0.25, which is why deep sigmoid
# networks learn slowly ("vanishing gradients").

# %% [markdown] lang="zh"
# sigmoid 的导数是 σ′(x) = σ(x)(1 − σ(x))——最大只有 0.25（在 x = 0 处）。每经过一个 sigmoid 层，
# 反向传播的信号至多被乘以 0.25，这就是深层 sigmoid 网络学得很慢的原因（“梯度消失”，vanishing
# gradients）。

# %%
s.backward()
show("W13", "σ′(2) by autograd", x.grad.item(),
     note="equals σ(2)(1 − σ(2)) = 0.8808·0.1192 = 0.1050",
     note_zh='等于 σ(2)(1 − σ(2)) = 0.8808·0.1192 = 0.1050')
show("W13", "|σ′(2) autograd − σ(2)(1−σ(2))|", abs(x.grad.item() - s.item() * (1 - s.item())))

# %% [markdown] lang="en"
# ## ReLU and tanh
#
# ReLU(x) = max(0, x): derivative 1 for x > 0 and 0 for x < 0 (we use 0 at x = 0, like
# PyTorch). tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) = 2σ(2x) − 1, with derivative 1 − tanh²(x).

# %% [markdown] lang="zh"
# ## ReLU 和 tanh
#
# ReLU(x) = max(0, x)：x > 0 时导数为 1，x < 0 时为 0（和 PyTorch 一样，我们在 x = 0 处取 0）。
# tanh(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) = 2σ(2x) − 1，导数为 1 − tanh²(x)。

# %%
xs = Tensor([-2.0, -0.5, 0.0, 0.5, 2.0], dtype="float64", requires_grad=True)
relu = xs.relu()
relu.sum().backward()
print("ReLU:", relu.numpy(), " ReLU′:", xs.grad.numpy())
show("W13", "ReLU([−2, −0.5, 0, 0.5, 2])", relu.numpy())
show("W13", "ReLU′ at the same points (autograd)", xs.grad.numpy())

xt = Tensor([2.0], dtype="float64", requires_grad=True)
th = xt.tanh()
th.backward()
show("W13", "tanh(2)", th.item())
show("W13", "tanh′(2) by autograd (= 1 − tanh²(2))", xt.grad.item())
show("W13", "|tanh(2) − (2σ(4) − 1)|",
     abs(th.item() - (2 * Tensor([4.0], dtype="float64").sigmoid().item() - 1)))

# %% [markdown] lang="en"
# A picture of the three functions and their derivatives (saved as a PNG).

# %% [markdown] lang="zh"
# 下图画出这三个函数及其导数（同时保存为 PNG 文件）。

# %%
try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

if plot is not None:
    grid = np.linspace(-4, 4, 201)

    def derivative(fn):
        def d(a):
            v = Tensor(a, dtype="float64", requires_grad=True)
            fn(v).sum().backward()
            return v.grad.numpy()
        return d

    figure(plot.plot_function({
        "sigmoid": lambda a: Tensor(a, dtype="float64").sigmoid(),
        "ReLU": lambda a: Tensor(a, dtype="float64").relu(),
        "tanh": lambda a: Tensor(a, dtype="float64").tanh(),
        "sigmoid′": derivative(lambda v: v.sigmoid()),
        "tanh′": derivative(lambda v: v.tanh()),
    }, grid, title="Activations and their derivatives (W13)"),
           "w13_activations.png")
