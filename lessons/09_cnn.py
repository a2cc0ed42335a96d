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
# # Lesson 9 — Convolutional networks: shapes first, then training
#
# A convolution with a k×k kernel, no padding and stride 1 turns an H×W image into
# (H − k + 1)×(W − k + 1); a 2×2 max-pool with stride 2 halves each side (rounding down).
# Before a `Linear` layer the feature maps are flattened, and the flattened width must be
# exactly the `Linear`'s `in_features`. Two of the seed's three CNNs get that number wrong:
# here the engine traces every shape, shows the error it raises, and we fix the network.
#
# * **W17** — seed 002, `#### 5.3.2 模型构建` — the LeNet-style `Net` for 3×32×32 images
# * **W19** — seed 003 (first document), `### 5.2. 源代码详细实现和代码解读` — `SimpleCNN` with
#   `adaptive_avg_pool2d`
# * **W24** — seed 003 (second document), `#### 5.2. 源代码详细实现和代码解读` — `SimpleCNN`
#   with `Resize(256)`
# * **W25** — seed 003 (second document), same section, item 6 **可视化结果** — a 5×5 grid of
#   test images
#
# CIFAR-10, MNIST and the seed's `./data/train` image folder cannot be downloaded here.
# Shapes are traced on batches of the seed's input size; the networks are trained on the
# 8×8 digits that ship with scikit-learn, with the input adapted as said below.

# %% [markdown] lang="zh"
# # 第 9 课 — 卷积网络：先算形状，再训练
#
# 用 k×k 的卷积核、不补零、步长为 1 做卷积，H×W 的图像会变成 (H − k + 1)×(W − k + 1)；步长为 2
# 的 2×2 最大池化把每条边减半（向下取整）。进入 `Linear` 层之前要把特征图展平（flatten），展平后
# 的宽度必须恰好等于这个 `Linear` 的 `in_features`。原文的三个卷积网络（CNN）中有两个把这个数算
# 错了：本课让引擎追踪每一层的形状，展示它报出的错误，然后修好网络。
#
# * **W17** — 种子文档 002，`#### 5.3.2 模型构建` — 用于 3×32×32 图像的 LeNet 式网络 `Net`
# * **W19** — 种子文档 003（第一篇文档），`### 5.2. 源代码详细实现和代码解读` — 带
# `adaptive_avg_pool2d` 的 `SimpleCNN`
# * **W24** — 种子文档 003（第二篇文档），`#### 5.2. 源代码详细实现和代码解读` — 带
# `Resize(256)` 的 `SimpleCNN`
# * **W25** — 种子文档 003（第二篇文档），同一节第 6 项 **可视化结果** — 5×5 的测试图像网格
#
# 这里无法下载 CIFAR-10、MNIST 和原文的 `./data/train` 图像文件夹。形状追踪使用原文输入大小的批
# 次；训练则使用 scikit-learn 自带的 8×8 手写数字，输入的调整方式见下文。

# %%
import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, figure, show
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, train_test_split

F = nn.functional
IDS = ["W17", "W19", "W24", "W25"]
TITLE = "Convolutional networks: shapes first, then training"

try:
    from tinygrad_edu import plot
except ImportError:  # matplotlib is optional
    plot = None

# %% [markdown] lang="en"
# ## W17 · seed 002 `#### 5.3.2 模型构建` — the LeNet-style network
#
# The seed's `Net`, transcribed (the listing never imports `torch`, `nn` or `F`; here `F`
# is `nn.functional`). `nn.summary` runs one batch through it and records every layer's
# output shape: 3×32×32 → conv 5×5 → 6×28×28 → pool → 6×14×14 → conv 5×5 → 16×10×10 →
# pool → 16×5×5 = 400 → 120 → 84 → 10. The flatten fits.

# %% [markdown] lang="zh"
# ## W17 · 种子文档 002 `#### 5.3.2 模型构建` — LeNet 式网络
#
# 照抄原文的 `Net`（原文的代码没有导入 `torch`、`nn` 和 `F`；这里 `F` 即 `nn.functional`）。
# `nn.summary` 让一个批次通过网络，记录每一层输出的形状：3×32×32 → 5×5 卷积 → 6×28×28 → 池化 →
# 6×14×14 → 5×5 卷积 → 16×10×10 → 池化 → 16×5×5 = 400 → 120 → 84 → 10。展平的宽度是对的。

# %%
class Net(nn.Module):
    def __init__(self, in_channels=3, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.conv1 = nn.Conv2d(in_channels, 6, 5, seed=rng)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5, seed=rng)
        self.fc1 = nn.Linear(16 * 5 * 5, 120, seed=rng)
        self.fc2 = nn.Linear(120, 84, seed=rng)
        self.fc3 = nn.Linear(84, 10, seed=rng)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
info = nn.summary(net, (3, 32, 32))
print(info)
for layer in info.layers:
    if layer.params:
        show("W17", f"{layer.name}: output shape (per image) and parameters",
             [*layer.output_shape[1:], layer.params])
with no_grad():
    out = net(Tensor.randn(4, 3, 32, 32, seed=0))
with no_grad():
    width17 = net.pool(F.relu(net.conv2(net.pool(F.relu(net.conv1(
        Tensor.zeros(1, 3, 32, 32))))))).numel()
claim("W17", "flattened width entering fc1 (x.view(-1, 16 * 5 * 5))", 400, width17)
show("W17", "output shape for a batch of 4 images", list(out.shape))
show("W17", "total parameters", info.total_params)

# %% [markdown] lang="en"
# ## W19 · seed 003 `### 5.2. 源代码详细实现和代码解读` — the first `SimpleCNN`
#
# Two 5×5 convolutions, then `adaptive_avg_pool2d(x, (1, 1))`, then `Linear(320, 50)`.
# One input channel and ten classes suggest MNIST's 1×28×28. Trace it: 28 → 24 → 20, so
# conv2 gives 20×20×20 — and then the *adaptive* pool averages each of the 20 maps to a
# single number, **whatever the input size**. The flatten gives 20 features, not 320, and
# the first `Linear` cannot take them. The engine says:

# %% [markdown] lang="zh"
# ## W19 · 种子文档 003 `### 5.2. 源代码详细实现和代码解读` — 第一个 `SimpleCNN`
#
# 两个 5×5 卷积，接着 `adaptive_avg_pool2d(x, (1, 1))`，然后是 `Linear(320, 50)`。单输入通道、十
# 个类别，说明输入是 MNIST 的 1×28×28。追踪一下：28 → 24 → 20，所以 conv2 输出 20×20×20——接着*自
# 适应*池化把 20 张特征图各自平均成一个数，**无论输入多大都是如此**。展平后只有 20 个特征，而不
# 是 320 个，第一个 `Linear` 接不住。引擎的报错是：

# %%
class SeedSimpleCNN(nn.Module):
    """003 · 5.2 exactly as written."""

    def __init__(self, fc1_in=320, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5, seed=rng)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5, seed=rng)
        self.fc1 = nn.Linear(fc1_in, 50, seed=rng)
        self.fc2 = nn.Linear(50, 10, seed=rng)

    def features(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return x.flatten(1)

    def forward(self, x):
        x = F.relu(self.fc1(self.features(x)))
        return self.fc2(x)


seed_cnn = SeedSimpleCNN()
mnist_batch = Tensor.rand(64, 1, 28, 28, seed=0)
try:
    with no_grad():
        seed_cnn(mnist_batch)
    err19 = "no error"
except ValueError as e:
    err19 = str(e)
print("forward on a (64, 1, 28, 28) batch:", err19)
claim("W19", "forward pass of the seed's SimpleCNN on a (64, 1, 28, 28) batch",
      "Linear(320, 50) after adaptive_avg_pool2d(x, (1, 1)) and flatten", err19, agrees=False,
      note="the adaptive pool leaves 20 features (one per channel) for any input size",
      note_zh='无论输入多大，自适应池化之后都只剩 20 个特征（每个通道一个）')
with no_grad():
    widths = [seed_cnn.features(Tensor.rand(2, 1, s, s, seed=0)).shape[1] for s in (28, 32, 64)]
claim("W19", "flattened width entering fc1 = Linear(320, 50)", 320, widths[0],
      note="20 channels, each averaged to 1×1 by the adaptive pool",
      note_zh='20 个通道，每个都被自适应池化平均成 1×1')
show("W19", "flattened width for inputs 28×28, 32×32, 64×64", widths)

# %% [markdown] lang="en"
# **Two fixes.** (A) keep the adaptive pool and make `fc1 = nn.Linear(20, 50)` — the net
# then accepts any input of at least 9×9. (B) keep `Linear(320, 50)` and replace the
# adaptive pool by a 2×2 max-pool after each convolution — the classic PyTorch MNIST net:
# 28 → 24 → 12 → 8 → 4, and 20·4·4 = 320; it needs inputs of 28 to 31 pixels. (Also, the
# seed's commentary speaks of "一个 Softmax 层": there is none, and there must not be one —
# `nn.CrossEntropyLoss` applies log-softmax itself.)

# %% [markdown] lang="zh"
# **两种修法。** (A) 保留自适应池化，把 `fc1` 改成 `nn.Linear(20, 50)`——网络就能接受任何不小于
# 9×9 的输入。(B) 保留 `Linear(320, 50)`，把自适应池化换成每个卷积之后的 2×2 最大池化——这就是经
# 典的 PyTorch MNIST 网络：28 → 24 → 12 → 8 → 4，20·4·4 = 320；它要求输入为 28 到 31 像素。（另
# 外，原文的解说提到“一个 Softmax 层”：网络里并没有，也不应该有——`nn.CrossEntropyLoss` 自己会做
# log-softmax。）

# %%
class FixB(SeedSimpleCNN):
    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return x.flatten(1)


fix_a, fix_b = SeedSimpleCNN(fc1_in=20), FixB()
with no_grad():
    show("W19", "fix B: flattened width for 28×28 input", fix_b.features(mnist_batch[:2]).shape[1])
    show("W19", "fix B: output shape for 2 images of 28×28", list(fix_b(mnist_batch[:2]).shape))
    show("W19", "fix A: output shape for 2 images of 28×28", list(fix_a(mnist_batch[:2]).shape))
count = lambda m: sum(p.size for p in m.parameters())  # noqa: E731
show("W19", "parameters of the seed's module as written", count(seed_cnn))
show("W19", "parameters of fix A (Linear(20, 50))", count(fix_a))
show("W19", "parameters of fix B (max-pools, Linear(320, 50))", count(fix_b))

# %% [markdown] lang="en"
# **Training fix A, with the seed's settings** — `CrossEntropyLoss`, Adam lr 0.001, 10
# epochs (batch 32). Instead of MNIST we use the 1797 8×8 digits (grey levels scaled to
# [0, 1]) padded with two blank pixels on every side to 12×12: two valid 5×5
# convolutions need at least 9 pixels (8 → 4 → 0 would not work), and fix A accepts any
# size ≥ 9. (Upsampling to MNIST's 28×28 would cost ~25× more compute for no new idea.)

# %% [markdown] lang="zh"
# **按原文的设置训练修法 A**——`CrossEntropyLoss`，Adam 学习率 0.001，10 个 epoch（批大小 32）。
# 我们不用 MNIST，而用 1797 张 8×8 手写数字（灰度缩放到 [0, 1]），四周各补两圈空白像素变成 12×12
# ：两个不补零的 5×5 卷积至少需要 9 个像素（8 → 4 → 0 不行），而修法 A 接受任何 ≥ 9 的尺寸。（放
# 大到 MNIST 的 28×28 要多花约 25 倍的计算，却不会带来新的知识点。）

# %%
Xd, yd = load_digits(as_images=True)
Xd = np.pad(Xd / 16.0, ((0, 0), (2, 2), (2, 2)))[:, None].astype(np.float32)  # (N, 1, 12, 12)
X_tr, X_te, y_tr, y_te = train_test_split(Xd, yd, test_size=0.2, random_state=42)
model = SeedSimpleCNN(fc1_in=20, seed=1)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.001)
train_data = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True, seed=0)
epoch_loss = []
for epoch in range(10):
    total = 0.0
    for inputs, labels in train_data:
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
    epoch_loss.append(total / len(y_tr))
    # the seed prints only the last batch's loss; we print the epoch's average
    print(f"Epoch [{epoch + 1}/10], Loss: {epoch_loss[-1]:.4f}")

with no_grad():
    outputs = model(Tensor(X_te))
predicted = outputs.argmax(axis=1).numpy()
acc19 = float((predicted == y_te).mean())
print(f"Accuracy of the network on the test images: {100 * acc19:.1f}%")
show("W19", "fix A on 12×12 digits: mean training loss, epoch 1", epoch_loss[0])
show("W19", "fix A on 12×12 digits: mean training loss, epoch 10", epoch_loss[-1])
show("W19", "fix A on 12×12 digits: test accuracy after 10 epochs (chance 0.1)", acc19)

# %% [markdown] lang="en"
# ## W24 · seed 003 (second document) — the second `SimpleCNN` and `Resize(256)`
#
# Conv(3, 64, 5) → ReLU → MaxPool(2, 2) → Conv(64, 128, 5) → ReLU → MaxPool →
# `x.view(-1, 128 * 16 * 16)` → `Linear(32768, 128)` → ReLU → `Linear(128, 10)`, fed with
# images resized to 256. Per side: 256 → 252 → 126 → 122 → **61**, so each image gives
# 128·61·61 = **476,288** features, not 32,768. (The listing also never imports `F`.)
# We run one 3×256×256 image (a whole batch of 64 at this size would need gigabytes of
# memory here; one image shows the same error):

# %% [markdown] lang="zh"
# ## W24 · 种子文档 003（第二篇文档）— 第二个 `SimpleCNN` 与 `Resize(256)`
#
# Conv(3, 64, 5) → ReLU → MaxPool(2, 2) → Conv(64, 128, 5) → ReLU → MaxPool → `x.view(-1, 128 *
# 16 * 16)` → `Linear(32768, 128)` → ReLU → `Linear(128, 10)`，输入图像缩放到 256。每条边：256 →
# 252 → 126 → 122 → **61**，所以每张图像得到 128·61·61 = **476,288** 个特征，而不是 32,768 个。
# （这段代码同样没有导入 `F`。）我们只用一张 3×256×256 的图像运行（这个尺寸下 64 张一批要占用数
# GB 内存；一张图就能展示同样的错误）：

# %%
class SecondSimpleCNN(nn.Module):
    """003 (second document) · 5.2 as written, with F = nn.functional imported."""

    def __init__(self, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.conv1 = nn.Conv2d(3, 64, 5, seed=rng)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(64, 128, 5, seed=rng)
        self.fc1 = nn.Linear(128 * 16 * 16, 128, seed=rng)
        self.fc2 = nn.Linear(128, 10, seed=rng)

    def features(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        return self.pool(F.relu(self.conv2(x)))

    def forward(self, x):
        x = self.features(x)
        x = x.view(-1, 128 * 16 * 16)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


second = SecondSimpleCNN()
image256 = Tensor.rand(1, 3, 256, 256, seed=0)
with no_grad():
    maps256 = second.features(image256)
show("W24", "feature maps after the second pool, for one 3×256×256 image", list(maps256.shape))
claim("W24", "flattened width per image entering fc1 = Linear(128 * 16 * 16, 128), Resize(256)",
      32768, maps256[0].numel(), note="128·61·61 = 476,288: the maps are 61×61, not 16×16",
                                 note_zh='128·61·61 = 476,288：特征图是 61×61，不是 16×16')
try:
    with no_grad():
        maps256.view(-1, 128 * 16 * 16)
    err24 = "no error"
except ValueError as e:
    err24 = str(e)
print("x.view(-1, 128 * 16 * 16):", err24)
claim("W24", "x.view(-1, 128*16*16) after Resize(256)", "the flatten gives 128·16·16 = 32768",
      err24, agrees=False, note="256 → 252 → 126 → 122 → 61: 128·61·61 = 476,288 per image",
                           note_zh=('256 → 252 → 126 → 122 → 61：每张图像 128·61·61 = 476,288 个'
                                    '特征'))

# %% [markdown] lang="en"
# `view(-1, 32768)` is dangerous in another way: when the batch size is a multiple of 256,
# N·476,288 *is* divisible by 32,768 and the view silently makes 3721 "rows" out of every
# 256 images. Flattening with `x.flatten(1)` (or `x.view(x.shape[0], -1)`) keeps one row
# per image, and the mismatch is then reported by the layer that cannot take it:

# %% [markdown] lang="zh"
# `view(-1, 32768)` 还有另一个隐患：当批大小是 256 的倍数时，N·476,288 *恰好*能被 32,768 整除，
# view 会悄无声息地把每 256 张图像变成 3721 “行”。用 `x.flatten(1)`（或 `x.view(x.shape[0], -1)`
# ）展平能保证每张图像一行，尺寸不匹配就会由接不住它的那一层报告出来：

# %%
try:
    with no_grad():
        second.fc1(maps256.flatten(1))
    err24b = "no error"
except ValueError as e:
    err24b = str(e)
print("fc1(x.flatten(1)):", err24b)
show("W24", "fc1 on x.flatten(1) for a 256×256 image", err24b)

# %% [markdown] lang="en"
# **Which input size fits?** The shapes depend only on the kernel sizes and pools, not on
# the number of channels, so we scan sizes with a one-channel stand-in of the same
# geometry (cheap), then check the real network at the answer: the flatten fits for
# H = W ∈ {76, 77, 78, 79} (76 → 72 → 36 → 32 → 16). So the seed needs
# `transforms.Resize((76, 76))` — a *pair*: `Resize(256)` with one number only rescales the
# shorter side, and non-square images would then not even stack into a batch.

# %% [markdown] lang="zh"
# **什么样的输入尺寸才合适？** 形状只取决于卷积核大小和池化，与通道数无关，所以我们用一个几何结
# 构相同的单通道替身扫描各种尺寸（代价很小），再用真实网络验证答案：当 H = W ∈ {76, 77, 78, 79}
# 时展平宽度正好（76 → 72 → 36 → 32 → 16）。所以原文需要的是 `transforms.Resize((76, 76))`——一*
# 对*数：只给一个数的 `Resize(256)` 只会缩放较短的那条边，非正方形的图像连一个批次都拼不起来。

# %%
geometry = nn.Sequential(nn.Conv2d(1, 1, 5, seed=0), nn.MaxPool2d(2, 2),
                         nn.Conv2d(1, 1, 5, seed=0), nn.MaxPool2d(2, 2))
fits = []
with no_grad():
    for size in range(60, 100):
        side = geometry(Tensor.zeros(1, 1, size, size)).shape[-1]
        if side == 16:
            fits.append(size)
show("W24", "input sizes 60…99 for which the flatten is 128·16·16", fits)
with no_grad():
    out76 = second(Tensor.rand(2, 3, 76, 76, seed=0))
show("W24", "output shape for 2 images of 3×76×76", list(out76.shape))
show("W24", "parameters of the second SimpleCNN", count(second))

# %% [markdown] lang="en"
# ## W25 · item 6 **可视化结果** — a 5×5 grid of test images
#
# The seed's listing has three bugs: `test_loader` is never defined; `dataiter.next()` is
# Python 2 — an iterator's method is `__next__`, called as `next(dataiter)`; and the titles
# show only the labels, although the text promises predictions. We draw the first 25 test
# digits with the prediction of the W19 model (fix A) in each title — red, with the true
# label in brackets, where it is wrong — and save the figure instead of `plt.show()`.

# %% [markdown] lang="zh"
# ## W25 · 第 6 项 **可视化结果** — 5×5 的测试图像网格
#
# 原文的代码有三个错误：`test_loader` 从未定义；`dataiter.next()` 是 Python 2 的写法——迭代器的方
# 法是 `__next__`，应当写成 `next(dataiter)`；而且标题只显示标签，尽管正文说要显示预测结果。我们
# 画出前 25 张测试数字，每张的标题是 W19 模型（修法 A）的预测——预测错误的用红色标出，并在括号里
# 给出真实标签——并且保存图片，而不是 `plt.show()`。

# %%
test_loader = DataLoader(TensorDataset(X_te, y_te), batch_size=25)
dataiter = iter(test_loader)
try:
    images, labels = dataiter.next()
    err25 = "no error"
except AttributeError as e:
    err25 = f"AttributeError: {e}"
print("dataiter.next():", err25)
claim("W25", "images, labels = dataiter.next()", "fetches the first batch", err25,
      agrees=False, note="Python 3: next(dataiter)",
                    note_zh='Python 3 的写法：next(dataiter)')
images, labels = next(dataiter)
with no_grad():
    preds = model(images).argmax(axis=1).numpy()
show("W25", "labels of the 25 images in the grid", labels.numpy())
show("W25", "predictions shown in the grid (argmax of the model's outputs)", preds)
show("W25", "correct predictions among the 25", int((preds == labels.numpy()).sum()))
if plot is not None:
    figure(plot.image_grid(images.numpy()[:, 0], labels=labels.numpy(), predictions=preds,
                    nrows=5, ncols=5, title="W25: test digits, prediction (true label)"),
           "w25_predictions.png")
