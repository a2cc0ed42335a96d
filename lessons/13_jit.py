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
# # Lesson 13 (C02) — Record once, replay many: how `tinygrad_edu.jit` works
#
# A training step of a small MLP does the same numpy work every time: the same matrix
# products, the same elementwise ops, on arrays of the same shapes. What changes is only
# the *numbers*. Yet the eager engine pays, for every op of every step, for Python: a
# `Function`, a `Context`, shape checks, the backward engine's bookkeeping, a fresh
# array from the allocator. On a 784-128-10 MLP at batch 64 that is a large part of the
# step.
#
# `TinyJit` (named after tinygrad's) records the numpy calls of one step and replays
# them. This lesson shows how, and measures what it gives. It makes no claim of the
# course text; its rows are **C02**.
#
# **How the recorder sees numpy.** numpy lets a subclass of `ndarray` intercept every
# ufunc (`__array_ufunc__`: `+`, `*`, `np.exp`, `np.matmul`, `.sum()` …) and every
# `np.*` function (`__array_function__`). During the recorded call, the inputs, the
# parameters, their gradients and the optimiser's moments are *traced arrays*. Each
# numpy call on them is computed on plain arrays, its result copied into a buffer the
# recorder owns, and the call written down as `np.<ufunc>(…, out=buffer)`. A view
# (reshape, transpose) needs no record: a view of a reused buffer stays right.
#
# **Replaying** is a loop over that list: copy the new batch into the input buffer, call
# each `np.<ufunc>(…, out=buffer)`. No Tensor, no graph, no allocation.
#
# **What a trace cannot see** is Python. Adam's bias correction 1 − β₁ᵗ is a Python
# float computed from the step count t; frozen at capture time it would be wrong at
# every later step. So the optimiser's step counts and learning rates are *traced
# scalars*: their arithmetic is recorded too and redone at each replay. An `if` on data
# becomes a *guard* checked at replay; `.item()` inside the step is refused. And the
# first replay is checked against an eager step from the same state.

# %% [markdown] lang="zh"
# # 第 13 课（C02）— 记录一次，重放多次：`tinygrad_edu.jit` 的工作原理
#
# 小型 MLP 的每一步训练所做的 numpy 计算都完全一样：同样的矩阵乘法、同样的逐元素运算、同样形状的
# 数组，变的只有*数值*。可是即时执行（eager）的引擎在每一步的每一个运算上都要为 Python 付出代价：
# 一个 `Function`、一个 `Context`、形状检查、反向传播引擎的簿记、向内存分配器要一块新数组。在
# 批大小 64 的 784-128-10 MLP 上，这占了一步的很大一部分。
#
# `TinyJit`（名字取自 tinygrad）把一步训练中的 numpy 调用记录下来，然后重放。本课讲它如何做到，并
# 测量它带来的收益。本课不检验课程原文的论断；它的记录行是 **C02**。
#
# **记录器如何看见 numpy。** numpy 允许 `ndarray` 的子类拦截每一个 ufunc（`__array_ufunc__`：
# `+`、`*`、`np.exp`、`np.matmul`、`.sum()` ……）和每一个 `np.*` 函数（`__array_function__`）。在
# 被记录的那次调用中，输入、参数、参数的梯度和优化器的矩估计都是*被追踪的数组*。对它们的每个 numpy
# 调用都在普通数组上计算，结果复制进记录器自己拥有的缓冲区，这个调用被记作
# `np.<ufunc>(…, out=buffer)`。视图（reshape、transpose）无需记录：重复使用的缓冲区的视图始终正确。
#
# **重放**就是遍历这张调用表：把新的一批数据复制进输入缓冲区，依次调用每个
# `np.<ufunc>(…, out=buffer)`。没有 Tensor，没有计算图，没有内存分配。
#
# **追踪看不见的是 Python。** Adam 的偏差修正 1 − β₁ᵗ 是由步数 t 算出的 Python 浮点数；如果在记录时
# 把它冻结，之后的每一步都会出错。所以优化器的步数和学习率是*被追踪的标量*：它们的算术也被记录，每次
# 重放时重新计算。对数据的 `if` 变成重放时检查的*守卫*（guard）；在训练步里调用 `.item()` 会被拒绝。
# 而且第一次重放会与从同一状态出发的即时执行结果相比对。

# %%
import time

import numpy as np

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.course.lessons import show
from tinygrad_edu.jit import TinyJit, TraceError

IDS = ["C02"]
TITLE = "How tinygrad_edu.jit records a training step once and replays it"


def make_trainer(seed: int, adam: bool = True):
    rng = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(784, 128, seed=rng), nn.ReLU(), nn.Linear(128, 10, seed=rng))
    opt = (optim.Adam(model.parameters(), lr=1e-3) if adam
           else optim.SGD(model.parameters(), lr=0.01))
    loss_fn = nn.CrossEntropyLoss()

    def step(x: Tensor, y: Tensor) -> Tensor:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return model, step


data = np.random.default_rng(0)
batches = [(Tensor(data.standard_normal((64, 784)).astype(np.float32)),
            Tensor(data.integers(0, 10, 64))) for _ in range(30)]

# %% [markdown] lang="en"
# ## The same 30 Adam steps, eager and jitted
#
# Two identical models from the same seed. The jitted step's first call runs eagerly, the
# second is recorded, the third is run both ways and compared; the other 27 are replays.

# %% [markdown] lang="zh"
# ## 同样的 30 步 Adam：即时执行与 jit
#
# 两个由同一随机种子生成的相同模型。jit 版本的第一次调用即时执行，第二次被记录，第三次两种方式都运行
# 并比对；其余 27 次都是重放。

# %%
eager_model, eager_step = make_trainer(1)
jit_model, plain_step = make_trainer(1)
jitted = TinyJit(plain_step)
eager_losses = [eager_step(x, y).item() for x, y in batches]
jit_losses = [jitted(x, y).item() for x, y in batches]
loss_gap = max(abs(a - b) for a, b in zip(eager_losses, jit_losses))
param_gap = max(float(np.abs(a.numpy() - b.numpy()).max())
                for a, b in zip(eager_model.parameters(), jit_model.parameters()))
print(f"loss after 30 steps: eager {eager_losses[-1]:.6f}, jit {jit_losses[-1]:.6f}")
show("C02", "largest |loss difference| over 30 Adam steps, eager vs jit", loss_gap,
     note="the replay makes the same numpy calls in the same order: equal to rounding",
     note_zh="重放以相同的顺序做相同的 numpy 调用：结果在舍入误差内相同")
show("C02", "largest |parameter difference| after 30 steps", param_gap)

# %% [markdown] lang="en"
# ## What was recorded
#
# The trace is a list of numpy calls; here are its first few, and how many there are.
# Compare with the eager step's hundreds of Python calls per op.

# %% [markdown] lang="zh"
# ## 记录下了什么
#
# 追踪结果是一张 numpy 调用表；下面是前几项和总数。对比即时执行时每个运算要经过的数百次
# Python 调用。

# %%
trace = next(iter(jitted._traces.values()))
calls = trace.recorder.calls
for call in calls[:6]:
    fn = getattr(call, "func", call)
    args = [getattr(a, "shape", a) for a in getattr(call, "args", ())]
    print(getattr(fn, "__name__", fn), getattr(fn, "__self__", ""), args)
show("C02", "numpy calls in the recorded Adam step", len(calls))

# %% [markdown] lang="en"
# ## How much faster
#
# Median time of an SGD step and of an Adam step, eager and replayed (on this machine,
# with whatever else runs on it: the figures vary from run to run; `benchmarks/table.py`
# measures them beside PyTorch and a hand-written numpy step). The replay saves the
# Python around the numpy calls, not the numpy work: Adam's update is a dozen passes
# over every parameter either way, so it gains less than SGD. Fusing such elementwise
# chains into one loop (a compiler, e.g. numba) would be the next step.

# %% [markdown] lang="zh"
# ## 快了多少
#
# 一步 SGD 和一步 Adam 的中位耗时，即时执行与重放（在本机测得，受机器上同时运行的其他任务影响，每次
# 运行都会不同；`benchmarks/table.py` 会同时测量 PyTorch 和手写 numpy 版本作为对照）。重放省下的是
# numpy 调用周围的 Python 开销，而不是 numpy 的计算本身：Adam 的更新无论哪种方式都要对每个参数做十几
# 遍运算，所以它的收益比 SGD 小。把这类逐元素运算链融合成一个循环（用编译器，例如 numba）是下一步。


# %%
def median_ms(fn, repeats: int = 60) -> float:
    x, y = batches[0]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(x, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


for name, adam in (("SGD", False), ("Adam", True)):
    _, eager = make_trainer(3, adam)
    _, plain = make_trainer(3, adam)
    replayed = TinyJit(plain)
    for x, y in batches[:3]:  # warm-up, record, check
        replayed(x, y)
    eager_ms, jit_ms = median_ms(eager), median_ms(replayed)
    print(f"{name}: eager {eager_ms:.3f} ms/step, jit {jit_ms:.3f} ms/step")
    show("C02", f"{name} step time, eager, ms (784-128-10, batch 64)", round(eager_ms, 3))
    show("C02", f"{name} step time, replayed, ms", round(jit_ms, 3))
    show("C02", f"{name}: speed-up of the replay (eager time / jit time)",
         round(eager_ms / jit_ms, 2))

# %% [markdown] lang="en"
# ## What the trace refuses
#
# Reading a value into Python inside the step (`.item()`) would bake that number into
# the trace, so it raises — on the recorded call, since the first call is eager.

# %% [markdown] lang="zh"
# ## 追踪拒绝什么
#
# 在训练步内部把数值读进 Python（`.item()`）会把这个数固化进追踪结果，所以会报错——在被记录的那次调用
# 时报错，因为第一次调用是即时执行的。

# %%
_, inner = make_trainer(2)
bad = TinyJit(lambda x, y: inner(x, y).item())
bad(*batches[0])
try:
    bad(*batches[1])
    message = "no error"
except TraceError as e:
    message = str(e).split(":")[0] + ": " + str(e).split(":")[1].strip()
print(message)
show("C02", "a step that calls .item() inside", message)
