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
# # Lesson 10 — Fine-tuning: freeze what was learned, train a new top
#
# Seed 002 describes fine-tuning as "固定模型的底层参数，只训练顶层参数" — fix the lower
# layers' parameters and train only the top. Its code never does that. Here we pre-train a
# network on one task, freeze its lower layers, fine-tune a new top layer on a second
# task, and check that the frozen weights did not move by a single bit.
#
# * **W18** — seed 002, `#### 3.2.4 微调模型`, `#### 5.3.3 训练模型`, `#### 5.3.4 微调模型`,
#   `#### 5.3.5 评估模型`, `### 5.4 运行结果展示`
#
# The seed fine-tunes its LeNet `Net` (lesson 9) on images it never loads. To keep the run
# short we use a small multilayer perceptron on the 8×8 digits: task A is "which of 0–4",
# task B "which of 5–9" — the freezing code is the same for any module.

# %% [markdown] lang="zh"
# # 第 10 课 — 微调：冻结学到的部分，训练新的顶层
#
# 种子文档 002 把微调（fine-tuning）描述为“固定模型的底层参数，只训练顶层参数”。可它的代码从来没
# 有这样做。本课先在一个任务上预训练网络，冻结它的底层，在第二个任务上微调一个新的顶层，并检查被
# 冻结的权重连一个比特都没有变。
#
# * **W18** — 种子文档 002，`#### 3.2.4 微调模型`、`#### 5.3.3 训练模型`、`#### 5.3.4 微调模型`
# 、`#### 5.3.5 评估模型`、`### 5.4 运行结果展示`
#
# 原文在从未加载过的图像上微调它的 LeNet `Net`（第 9 课）。为了让运行时间短一些，我们在 8×8 手写
# 数字上用一个小的多层感知机：任务 A 是“0–4 中的哪一个”，任务 B 是“5–9 中的哪一个”——冻结的代码对
# 任何模块都是一样的。

# %%
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, train_test_split

try:
    from matplotlib.figure import Figure
except ImportError:  # matplotlib is optional
    Figure = None

IDS = ["W18"]
TITLE = "Fine-tuning: freeze the lower layers, train a new top"

X, y = load_digits()
X = X / 16.0
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=42)


def task(lo, X, y, shuffle=False, batch_size=64):
    """Digits lo…lo+4, relabelled 0…4."""
    keep = (y >= lo) & (y < lo + 5)
    return DataLoader(TensorDataset(X[keep], y[keep] - lo), batch_size=batch_size,
                      shuffle=shuffle, seed=0)


train_a, test_a = task(0, X_tr, y_tr, shuffle=True), task(0, X_te, y_te)
train_b, test_b = task(5, X_tr, y_tr, shuffle=True), task(5, X_te, y_te)

# %% [markdown] lang="en"
# ## `#### 5.3.3 训练模型` — the training loop, as the seed writes it
#
# (The `device` argument and `.to(device)` are dropped: everything here runs on the CPU.)

# %% [markdown] lang="zh"
# ## `#### 5.3.3 训练模型` — 原文写的训练循环
#
# （去掉了 `device` 参数和 `.to(device)`：这里一切都在 CPU 上运行。）

# %%
def train(model, train_loader, optimizer, criterion):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):  # noqa: B007 (the seed's)
        optimizer.zero_grad()
        output = model(data)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()


rng = np.random.default_rng(0)
model = nn.Sequential(
    nn.Linear(64, 64, seed=rng), nn.ReLU(),      # lower layers: learn features of digits
    nn.Linear(64, 32, seed=rng), nn.ReLU(),
    nn.Linear(32, 5, seed=rng),                  # top layer: task A's five classes
)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)
for _epoch in range(15):
    train(model, train_a, optimizer, criterion)

# %% [markdown] lang="en"
# ## `#### 5.3.5 评估模型` — and the bugs of `### 5.4 运行结果展示`
#
# The seed's `evaluate` sums `criterion(output, target).item()` over the batches and
# divides by the number of *samples*. But `CrossEntropyLoss` already returns the *mean*
# over its batch, so that is Σ(batch means)/N — roughly the true average divided by the
# batch size. And `evaluate` prints but returns nothing, so 5.4's
# `test_loss, test_acc = evaluate(...)` fails (and 5.4 then prints `correct`, a variable
# local to `evaluate`).

# %% [markdown] lang="zh"
# ## `#### 5.3.5 评估模型` — 以及 `### 5.4 运行结果展示` 中的错误
#
# 原文的 `evaluate` 把各批次的 `criterion(output, target).item()` 加起来，再除以*样本*数。可是
# `CrossEntropyLoss` 返回的已经是该批次的*平均值*，所以这样算出来的是 Σ(各批平均值)/N——大约是真
# 实平均损失再除以批大小。而且 `evaluate` 只打印、不返回任何值，所以 5.4 中的 `test_loss,
# test_acc = evaluate(...)` 会出错（5.4 随后还打印了 `correct`，那是 `evaluate` 内部的局部变量）
# 。

# %%
def evaluate(model, test_loader, criterion):
    """5.3.5 as written (printing, returning None)."""
    model.eval()
    test_loss = 0
    correct = 0
    with no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += criterion(output, target).item()
            pred = output.argmax(axis=1, keepdims=True)
            correct += int((pred == target.reshape(pred.shape)).sum().item())
    test_loss /= len(test_loader.dataset)
    print("Test set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)".format(  # noqa: UP032
        test_loss, correct, len(test_loader.dataset),
        100.0 * correct / len(test_loader.dataset)))


def evaluate_fixed(model, test_loader, criterion):
    """Sum the per-sample losses (batch mean × batch size), divide by N, return both."""
    model.eval()
    total, correct = 0.0, 0
    with no_grad():
        for data, target in test_loader:
            output = model(data)
            total += criterion(output, target).item() * len(target)
            correct += int((output.argmax(axis=1) == target).sum().item())
    n = len(test_loader.dataset)
    return total / n, correct / n


try:
    test_loss, test_acc = evaluate(model, test_a, criterion)
    err = "no error"
except TypeError as e:
    err = f"TypeError: {e}"
print("5.4:", err)
claim("W18", "5.4: test_loss, test_acc = evaluate(model, device, test_loader, criterion)",
      "unpacks the loss and the accuracy", err, agrees=False,
      note="evaluate returns None; fix: return test_loss, correct / len(test_loader.dataset)",
      note_zh='evaluate 返回 None；修正：return test_loss, correct / len(test_loader.dataset)')

with no_grad():
    per_sample = nn.CrossEntropyLoss(reduction="none")(
        model(Tensor(test_a.dataset.arrays[0])), Tensor(test_a.dataset.arrays[1]))
true_avg = per_sample.mean().item()
seed_avg = sum(criterion(model(d), t).item() for d, t in test_a) / len(test_a.dataset)
loss_a, acc_a = evaluate_fixed(model, test_a, criterion)
claim("W18", "5.3.5's 'Average loss' = Σ(batch-mean losses) / N on task A's test set",
      "test_loss /= len(test_loader.dataset) gives the average loss",
      f"{seed_avg:.4f}, but the average of the per-sample losses is {true_avg:.4f}",
      agrees=False, note="criterion returns a batch mean: multiply by len(target) before summing",
                    note_zh='criterion 返回的是批平均值：求和之前先乘以 len(target)')
show("W18", "task A: corrected average test loss (Σ per-sample losses / N)", loss_a)
show("W18", "task A: mean of the per-sample losses, computed directly", true_avg)
show("W18", "task A (digits 0–4): test accuracy after pre-training", acc_a)

# %% [markdown] lang="en"
# ## `#### 5.3.4 微调模型` — actually freezing the lower layers
#
# The seed's `fine_tune` is the same loop as `train`: every parameter the optimiser holds
# is updated, so nothing is "fixed". Freezing takes two lines: switch off gradients for
# the lower layers (`requires_grad_(False)`), and give the optimiser only the parameters
# that should learn — here a new top layer for task B's five classes.

# %% [markdown] lang="zh"
# ## `#### 5.3.4 微调模型` — 真正冻结底层
#
# 原文的 `fine_tune` 和 `train` 是同一个循环：优化器持有的每一个参数都会被更新，所以什么也没有被
# “固定”。冻结只需要两行：关闭底层的梯度（`requires_grad_(False)`），并且只把需要学习的参数交给
# 优化器——这里是为任务 B 的五个类别新建的顶层。

# %%
def fine_tune(model, fine_tune_loader, optimizer, criterion):
    train(model, fine_tune_loader, optimizer, criterion)   # the seed's: identical to train


lower = model[:4]                                  # the same layer objects, not copies
lower.requires_grad_(False)
# the new top for task B (PyTorch would write model[4] = ...; our Sequential has no item
# assignment, so we assemble a new Sequential around the same lower layers)
model = nn.Sequential(*lower, nn.Linear(32, 5, seed=1))
before = {name: p.numpy().copy() for name, p in model.named_parameters()}
ft_optimizer = optim.Adam(model[4].parameters(), lr=0.01)
for _epoch in range(40):
    fine_tune(model, train_b, ft_optimizer, criterion)

for name, p in model.named_parameters():
    delta = float(np.abs(p.numpy() - before[name]).max())
    frozen = not p.requires_grad
    print(f"{name:<10} {'frozen ' if frozen else 'trained'}  max |Δ| = {delta:.3g}")
    show("W18", f"max |Δ| of {name} during fine-tuning ({'frozen' if frozen else 'trained'})",
         delta)
loss_b, acc_b = evaluate_fixed(model, test_b, criterion)
show("W18", "task B (digits 5–9): test accuracy with frozen lower layers, new top", acc_b)
show("W18", "task B: average test loss", loss_b)

# %% [markdown] lang="en"
# For comparison, the seed's version: the same new top layer, but an optimiser over *all*
# parameters and no `requires_grad_(False)` — the "lower layers" change too.

# %% [markdown] lang="zh"
# 作为对照，看看原文的做法：同样的新顶层，但优化器管理*全部*参数，也没有
# `requires_grad_(False)`——“底层”同样被改变了。

# %%
seed_model = nn.Sequential(*[nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                             nn.Linear(32, 5)])
seed_model.load_state_dict({k: Tensor(v) for k, v in before.items()})
seed_before = seed_model[0].weight.numpy().copy()
fine_tune(seed_model, train_b, optim.Adam(seed_model.parameters(), lr=0.01), criterion)
moved = float(np.abs(seed_model[0].weight.numpy() - seed_before).max())
claim("W18", "5.3.4's fine_tune (= train): max |Δ| of the first layer's weights after one epoch",
      "fine-tuning fixes the lower layers (只训练顶层参数)", moved, agrees=moved == 0.0,
      note="nothing is frozen unless requires_grad is switched off / the optimiser skips them",
      note_zh='除非关闭 requires_grad 或让优化器跳过这些参数，否则什么都没有冻结')

# %% [markdown] lang="en"
# How far each parameter tensor moved: with the lower layers frozen, only the new top
# changes (the other bars are exactly 0); with the seed's `fine_tune`, one epoch already
# moves every layer.

# %% [markdown] lang="zh"
# 每个参数张量移动了多少：冻结底层后，只有新的顶层在变（其余柱子恰好为 0）；用原文的
# `fine_tune`，只训练一个 epoch，每一层就都动了。

# %%
if Figure is not None:
    names = list(before)
    frozen_moves = [float(np.abs(p.numpy() - before[n]).max())
                    for n, p in model.named_parameters()]
    seed_moves = [float(np.abs(p.numpy() - before[n]).max())
                  for n, p in seed_model.named_parameters()]
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    xs = np.arange(len(names))
    ax.bar(xs - 0.2, frozen_moves, width=0.4, label="lower layers frozen, new top (40 epochs)")
    ax.bar(xs + 0.2, seed_moves, width=0.4, label="the seed's fine_tune (1 epoch)")
    for x_, v in zip(xs, frozen_moves, strict=True):
        if v == 0.0:
            ax.annotate("0", (x_ - 0.2, 0), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, names)
    ax.set(ylabel="max |Δ| during fine-tuning",
           title="W18: what fine-tuning changed, per parameter tensor")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    figure(fig, "w18_fine_tuning.png")

# %% [markdown] lang="en"
# **What to take away.** Frozen means bit-for-bit unchanged (max |Δ| = 0.0 above), and
# only an explicit `requires_grad_(False)` / a smaller optimiser parameter list achieves
# it. Features learned on digits 0–4 only partly suit 5–9, so a new top layer alone gets
# well above chance (0.2) but not near task A's accuracy; unfreezing the layer below the
# top (with a small learning rate) is the usual next step — that trade-off between keeping
# what was learned and adapting to the new task is what fine-tuning is about.

# %% [markdown] lang="zh"
# **要点。** 冻结意味着逐比特不变（上面 max |Δ| = 0.0），只有显式的 `requires_grad_(False)` 或者
# 缩小优化器的参数列表才能做到。在数字 0–4 上学到的特征只有一部分适用于 5–9，所以只训练新顶层，
# 准确率远高于随机猜测（0.2），但达不到任务 A 的水平；通常的下一步是解冻顶层下面的那一层（用较小
# 的学习率）——在保留已学到的知识和适应新任务之间权衡，这正是微调要解决的问题。
