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
# # Capstone (C01) — a character-level GPT, in miniature, on our own engine
#
# The course texts are about *large models*: they name the Transformer, attention, BERT
# and GPT again and again, but never build one. This lesson builds one — a decoder-only
# Transformer of the GPT kind, small enough to train on a laptop CPU in a few minutes —
# from the pieces of `tinygrad_edu.nn` and trains it with the engine you have followed
# through the course: every gradient below is computed by `tinygrad_edu.autograd`.
#
# It makes no claim of the course texts' to check (there are no seed numbers here). What
# it shows, and records as **C01** rows of the reproduction table:
#
# 1. **Attention, step by step**, on a 4-token example: the shapes, the causal mask, the
#    softmax rows that sum to 1, and a gradient check of one head.
# 2. **Two baselines** that need no neural network: a *unigram* model (each character
#    with its frequency) and a *bigram* model (each character given the previous one).
#    Their validation losses, in nats per character, are the bar to clear.
# 3. **The model**: token + position embeddings, N blocks of pre-norm causal
#    self-attention and a GELU MLP with residual connections, a final LayerNorm and a
#    linear read-out; trained with AdamW, linear warm-up then cosine decay, and gradient
#    clipping — the recipe of GPT-2 and BERT, scaled down.
# 4. Its **validation loss** against the baselines (it must beat the bigram by at least
#    0.2 nats/char), the training time, a few generated samples, the loss curves and an
#    attention heat-map.
#
# **The corpus** is text that ships with Python itself: the help topics of `pydoc`
# (`pydoc_data.topics`, the text `help("assert")` prints) — about 465,000 characters of
# English about Python, with code examples. No download, nothing copied into the
# repository. The exact text differs a little between Python versions, so the lesson
# states no fixed numbers: the baselines are recomputed on the same split every run,
# and only the *comparison* is checked.
#
# **Run it**: `tinygrad-edu lessons run 12` trains the quick version (200
# steps, under a minute); the full run is opt-in:
# `python lessons/12_capstone_transformer.py --full` (600 steps, at most 3 minutes of training on a
# 2-core CPU). `--device cuda` runs it on a GPU backend when one is installed.

# %% [markdown] lang="zh"
# # 综合项目（C01）——在我们自己的引擎上，从零搭一个迷你的字符级 GPT
#
# 课程文本讲的是*大模型*：它一次又一次地提到 Transformer、注意力机制（attention）、BERT 和 GPT，却从
# 来没有带我们亲手搭一个。这一课就来搭一个：一个 GPT 式的、只有解码器（decoder-only）的
# Transformer，小到在笔记本电脑的 CPU 上几分钟就能训练完。它用 `tinygrad_edu.nn` 里的部件拼成，训练
# 它的引擎就是你在整个课程中一路跟下来的那个：下面的每一个梯度都由 `tinygrad_edu.autograd` 计算。
#
# 这一课不核对课程文本里的任何结论（这里没有种子文档给出的数字）。它要展示的内容如下，都作为复现表中
# 的 **C01** 行记录下来：
#
# 1. **一步一步地看注意力**：在一个只有 4 个词元（token）的例子上，看各个张量的形状、因果掩码
#    （causal mask）、每行加起来等于 1 的 softmax，并对一个注意力头做梯度检验。
# 2. **两个基线**，都用不着神经网络：*一元*（unigram）模型按每个字符出现的频率来预
#    测；*二元*（bigram）模型根据前一个字符来预测下一个。它们在验证集上的损失（单位是奈特/字符，nats
#    per character）就是模型要越过的门槛。
# 3. **模型本身**：词嵌入（embedding）加上位置嵌入，再叠 N 个块，每块是先归一化（pre-norm）的因果自
#    注意力加一个用 GELU 的 MLP，都带残差连接（residual connection）；最后是一层层归一化（layer
#    normalization）和一个线性输出层。训练用 AdamW，学习率先线性预热（warm-up）再余弦退火（cosine
#    decay），并做梯度裁剪（gradient clipping）——这正是 GPT-2 和 BERT 的训练配方，只是缩小了规模。
# 4. 模型的**验证损失**与两个基线的比较（它必须比二元模型至少低 0.2 奈特/字符），训练用时，几段生成
#    的样本，损失曲线，以及一张注意力热力图。
#
# **语料**是 Python 自带的文本：`pydoc` 的帮助主题（`pydoc_data.topics`，也就是 `help("assert")` 打
# 印出来的那些文字），大约 465,000 个字符的英文，讲的是 Python，里面还有代码示例。不用下载，也没有往
# 仓库里复制任何东西。不同 Python 版本的这份文本略有差别，所以这一课不写死任何数字：两个基线每次运行
# 都在同样的划分上重新计算，检查的只是*比较的结果*。
#
# **运行方法**：`tinygrad-edu lessons run 12` 训练快速版（200 步，不到一分钟）；完整版要你自己选择运
# 行：`python lessons/12_capstone_transformer.py --full`（600 步，在 2 核 CPU 上训练最多 3 分钟）。
# 装了 GPU 后端时，加上 `--device cuda` 就在 GPU 上运行。

# %%
import argparse
import math
import sys
import time

import numpy as np

from tinygrad_edu import Tensor, nn, no_grad, optim
from tinygrad_edu.course.lessons import claim, out_dir, show
from tinygrad_edu.testing import gradcheck

F = nn.functional
IDS = ["C01"]
TITLE = "Capstone: a character-level GPT (attention, LayerNorm, GELU, AdamW + warm-up)"

try:
    import matplotlib.pyplot as plt
except ImportError:  # matplotlib is optional: no figures then
    plt = None

try:  # one BLAS thread: small matrix products run faster without thread hand-offs
    from threadpoolctl import threadpool_limits

    # (`lessons run` does the same; this is for a plain run; undone at the end)
    blas_limit = threadpool_limits(1, "blas")
except ImportError:
    blas_limit = None

parser = argparse.ArgumentParser(description=TITLE)
parser.add_argument("--full", action="store_true", help="the full run (≤ 3 min training)")
parser.add_argument("--quick", action="store_true", help="the quick run (the default)")
parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
parser.add_argument("--steps", type=int, default=None, help="override the number of steps")
args, _ = parser.parse_known_args(sys.argv[1:])
FULL = args.full and not args.quick
DEVICE = args.device

# %% [markdown] lang="en"
# ## The corpus and its split
#
# Topics in sorted order, joined; the first 90% of the characters train, the last 10%
# validate (a contiguous split: the validation text is unseen prose, not shuffled
# fragments of the training text). The vocabulary is every character of the whole text.

# %% [markdown] lang="zh"
# ## 语料及其划分
#
# 把各个帮助主题按名称排好序、拼接起来；前 90% 的字符用来训练，后 10% 用来验证。这是连续的划分：验证
# 文本是模型从没见过的一段文字，而不是从训练文本里打乱后抽出来的碎片。词表（vocabulary）就是整段文本
# 里出现过的所有字符。

# %%
def load_corpus() -> str:
    import pydoc_data.topics

    topics = pydoc_data.topics.topics
    return "".join(topics[name] for name in sorted(topics))


text = load_corpus()
chars = sorted(set(text))
V = len(chars)
stoi = {c: i for i, c in enumerate(chars)}
data = np.array([stoi[c] for c in text], dtype=np.int64)
n_train = int(0.9 * len(data))
train_ids, val_ids = data[:n_train], data[n_train:]
show("C01", "corpus: characters (pydoc help topics)", len(text))
show("C01", "vocabulary size", V)

# %% [markdown] lang="en"
# ## Two baselines: unigram and bigram
#
# The loss is the mean negative log-likelihood of the next character, in nats: a model
# that spreads its bets evenly over V characters scores ln V. The *unigram* model predicts
# every character with its training frequency; the *bigram* model predicts it from the
# previous character, P(b | a) = (count(a b) + α) / (count(a ·) + α V). Add-α smoothing
# keeps pairs never seen in training from getting probability 0 (an infinite loss). α is
# chosen on the validation set itself, which flatters the baselines: the bar is, if
# anything, set too high.

# %% [markdown] lang="zh"
# ## 两个基线：一元模型和二元模型
#
# 损失是下一个字符的平均负对数似然（negative log-likelihood），单位是奈特（nats），也就是我们熟悉的
# 交叉熵（cross-entropy）。一个把赌注平均押在 V 个字符上的模型，损失是 ln V。把损失取指数就得到困惑
# 度（perplexity）：均匀猜测的困惑度正好是 V，好比每一步都在 V 个字符里随便挑一个。*一元*模型按每个
# 字符在训练集中的频率来预测它；*二元*模型根据前一个字符来预测：P(b | a) = (count(a b) + α) /
# (count(a ·) + α V)。加 α 平滑（add-α smoothing）让训练中从没出现过的字符对不至于得到概率 0（那样损
# 失就是无穷大）。α 直接在验证集上挑选，这等于优待了基线：如果说门槛有什么问题，那也只会是定得偏高
# 了。

# %%
def unigram_loss(train: np.ndarray, val: np.ndarray, vocab: int, alpha: float) -> float:
    counts = np.bincount(train, minlength=vocab) + alpha
    logp = np.log(counts / counts.sum())
    return float(-logp[val].mean())


def bigram_loss(train: np.ndarray, val: np.ndarray, vocab: int, alpha: float) -> float:
    counts = np.zeros((vocab, vocab))
    np.add.at(counts, (train[:-1], train[1:]), 1.0)
    counts += alpha
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-logp[val[:-1], val[1:]].mean())


ALPHAS = [1e-3, 1e-2, 0.1, 0.3, 1.0]
unigram = min(unigram_loss(train_ids, val_ids, V, a) for a in ALPHAS)
bigram = min(bigram_loss(train_ids, val_ids, V, a) for a in ALPHAS)
show("C01", "uniform guess ln V (nats/char)", math.log(V))
show("C01", "unigram baseline: validation loss (nats/char)", unigram)
show("C01", "bigram baseline: validation loss (nats/char)", bigram)

# %% [markdown] lang="en"
# ## Attention, step by step, on 4 tokens
#
# Four tokens, each a vector of width 8 (in the model: its embedding). One attention
# *head* of width 4 projects every token three ways: a **query** q ("what am I looking
# for?"), a **key** k ("what do I offer?") and a **value** v ("what do I pass on?"):
# Q = X W_q, K = X W_k, V = X W_v, each (4, 4).
#
# The score of token i for token j is qᵢ·kⱼ/√d: the (4, 4) matrix Q Kᵀ/√4. Dividing by
# √d keeps the scores' spread independent of the head width, so the softmax does not
# saturate. A *decoder* predicts token i + 1 from tokens ≤ i, so token i must not look
# ahead: the **causal mask** sets the scores above the diagonal to −∞, and their softmax
# weight becomes exactly 0. The softmax of each row gives weights ≥ 0 that sum to 1, and
# the output of token i is the weighted mean Σⱼ Aᵢⱼ vⱼ of the values it may see.

# %% [markdown] lang="zh"
# ## 一步一步地看注意力：4 个词元
#
# 四个词元，每个是宽度为 8 的向量（在模型里就是它的词嵌入）。一个宽度为 4 的注意力*头*（head）把每个
# 词元投影成三个向量：**查询**（query）q（“我在找什么？”）、**键**（key）k（“我能提供什么？”）
# 和**值**（value）v（“我要往下传什么？”）：Q = X W_q，K = X W_k，V = X W_v，形状都是 (4, 4)。
#
# 词元 i 对词元 j 的得分是 qᵢ·kⱼ/√d，合起来就是 (4, 4) 的矩阵 Q Kᵀ/√4。除以 √d 让得分的分散程度不随
# 头的宽度而变，softmax 就不会饱和。*解码器*（decoder）用位置 ≤ i 的词元预测第 i + 1 个词元，所以词
# 元 i 不能偷看后面：**因果掩码**把对角线以上的得分设为 −∞，它们的 softmax 权重就恰好变成 0。对每一
# 行做 softmax，得到一组 ≥ 0、加起来等于 1 的权重；词元 i 的输出就是它能看到的那些值向量的加权平均
# Σⱼ Aᵢⱼ vⱼ。查询、键和值都来自同一个序列，所以这叫自注意力（self-attention）。

# %%
rng = np.random.default_rng(0)
X = Tensor(rng.standard_normal((1, 4, 8)), dtype="float64", requires_grad=True)
Wq, Wk, Wv = (Tensor(rng.standard_normal((8, 4)) / math.sqrt(8), dtype="float64",
                     requires_grad=True) for _ in range(3))
Q, K, Vh = X @ Wq, X @ Wk, X @ Wv
scores = Q @ K.mT / math.sqrt(4)
causal = Tensor.ones(4, 4, dtype="bool").tril()
A = F.softmax(scores.where(causal, -math.inf), dim=-1)
print("Q, K, V:", Q.shape, K.shape, Vh.shape, " scores:", scores.shape, " A:", A.shape)
print("causal mask (True: may attend):\n", causal.numpy().astype(int))
print("attention weights A (row i: how token i mixes the values of tokens ≤ i):\n",
      np.round(A.numpy()[0], 3))
show("C01", "4-token example: shapes of Q, scores, output",
     f"{Q.shape}, {scores.shape}, {(A @ Vh).shape}")
show("C01", "4-token example: softmax row sums (each must be 1)", A.numpy()[0].sum(axis=-1))
show("C01", "4-token example: largest weight above the diagonal (must be 0)",
     float(np.triu(A.numpy()[0], 1).max()))

# The library's fused attention (one graph node, hand-written backward) agrees with the
# step-by-step version:
fused = F.scaled_dot_product_attention(Q, K, Vh, is_causal=True)
show("C01", "4-token example: |step-by-step − fused scaled_dot_product_attention|",
     float(np.abs((A @ Vh).numpy() - fused.numpy()).max()))

# %% [markdown] lang="en"
# A **gradient check** of that head: central differences (f(x + ε) − f(x − ε))/2ε for
# every entry of X and of the three projections, against what backward computes through
# the mask, the softmax and the three matrix products — both for the step-by-step
# composition and for the fused op.

# %% [markdown] lang="zh"
# 对这个注意力头做**梯度检验**（gradient check）：对 X 和三个投影矩阵的每一个元素，用中心差分
# (f(x + ε) − f(x − ε))/2ε 求出数值导数，再和反向传播（backpropagation）穿过掩码、softmax 和三次矩阵
# 乘法算出的梯度相比较。一步一步组合出来的版本和融合算子（fused op）版本都要检验。

# %%
def one_head(x, wq, wk, wv):
    q, k, v = x @ wq, x @ wk, x @ wv
    a = F.softmax((q @ k.mT / math.sqrt(4)).where(causal, -math.inf), dim=-1)
    return a @ v


def one_head_fused(x, wq, wk, wv):
    return F.scaled_dot_product_attention(x @ wq, x @ wk, x @ wv, is_causal=True)


show("C01", "gradcheck of one causal head (step by step)", gradcheck(one_head, X, Wq, Wk, Wv))
show("C01", "gradcheck of one causal head (fused op)", gradcheck(one_head_fused, X, Wq, Wk, Wv))

# %% [markdown] lang="en"
# ## The model
#
# A GPT in four dozen lines. Each `Block` is *pre-norm*: LayerNorm before each
# sub-layer, the sub-layer's output *added* to its input (the residual stream), so a
# gradient always has a direct path from the loss to the embeddings:
#
#     x = x + Attention(LayerNorm(x))        tokens exchange information (causally)
#     x = x + MLP(LayerNorm(x))              each token computes on what it gathered
#
# The MLP widens to 4·d with GELU between (GPT-2's tanh form). `nn.MultiheadAttention`
# holds the Q/K/V projections of all heads in one (3d, d) matrix, exactly as PyTorch's.
# Positions enter through a learned position embedding added to the token embedding;
# the read-out is a separate linear layer (no weight tying). Weights are initialised as
# in GPT-2: N(0, 0.02²), with the projections that write into the residual stream scaled
# down by 1/√(2·layers) so the stream's variance does not grow with depth.

# %% [markdown] lang="zh"
# ## 模型
#
# 四十几行代码就能写出一个 GPT。每个 `Block` 都是*先归一化*（pre-norm）的：每个子层之前先做层归一
# 化，子层的输出*加*回到它的输入上（这条通路叫残差流，residual stream），因此梯度总有一条从损失直达
# 嵌入层的路：
#
#     x = x + Attention(LayerNorm(x))        词元之间（按因果顺序）交换信息
#     x = x + MLP(LayerNorm(x))              每个词元对收集到的信息各自计算
#
# MLP 先把宽度扩到 4·d，中间用 GELU（GPT-2 用的 tanh 近似形式）。`nn.MultiheadAttention` 把所有头的
# Q/K/V 投影放在同一个 (3d, d) 的矩阵里，和 PyTorch 的做法完全一样。位置信息靠一个可学习的位置嵌入进
# 入模型，它与词嵌入相加；输出层是一个单独的线性层（不做权重共享，weight tying）。权重按 GPT-2 的方
# 式初始化：N(0, 0.02²)，其中往残差流里写入的那些投影再乘以 1/√(2·层数) 缩小，这样残差流的方差就不会
# 随深度增长。

# %%
class Block(nn.Module):
    def __init__(self, d, heads, rng, dtype, device):
        super().__init__()
        kw = {"dtype": dtype, "device": device}
        self.ln_1 = nn.LayerNorm(d, **kw)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True, seed=rng, **kw)
        self.ln_2 = nn.LayerNorm(d, **kw)
        self.fc = nn.Linear(d, 4 * d, seed=rng, **kw)
        self.gelu = nn.GELU(approximate="tanh")
        self.proj = nn.Linear(4 * d, d, seed=rng, **kw)

    def forward(self, x, need_weights=False):
        h = self.ln_1(x)
        a, weights = self.attn(h, h, h, need_weights=need_weights, is_causal=True,
                               average_attn_weights=False)
        x = x + a
        x = x + self.proj(self.gelu(self.fc(self.ln_2(x))))
        return x, weights


class CharGPT(nn.Module):
    def __init__(self, vocab, context, d=64, heads=4, layers=2, seed=0, dtype="float32",
                 device="cpu"):
        super().__init__()
        rng = np.random.default_rng(seed)
        kw = {"dtype": dtype, "device": device}
        self.context = context
        self.tok = nn.Embedding(vocab, d, seed=rng, **kw)
        self.pos = nn.Embedding(context, d, seed=rng, **kw)
        self.blocks = nn.ModuleList([Block(d, heads, rng, dtype, device)
                                     for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, **kw)
        self.head = nn.Linear(d, vocab, seed=rng, **kw)
        for name, p in self.named_parameters():  # GPT-2's initialisation
            if name.endswith("weight") and p.ndim == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(
                    ("proj.weight", "out_proj.weight")) else 0.02
                nn.init.normal_(p, 0.0, std, seed=rng)

    def forward(self, ids, need_weights=False):
        T = ids.shape[1]
        positions = Tensor(np.arange(T), device=ids.device)
        x = self.tok(ids) + self.pos(positions)
        maps = []
        for block in self.blocks:
            x, w = block(x, need_weights)
            maps.append(w)
        logits = self.head(self.ln_f(x))
        return (logits, maps) if need_weights else logits


# %% [markdown] lang="en"
# ## Training
#
# Random windows of `context` characters; the target of each position is the next
# character. AdamW (decoupled weight decay, on the matrices only — not on biases,
# LayerNorm gains or embeddings), a linear warm-up then cosine decay of the learning
# rate (`optim.lr_scheduler.WarmupCosineLR`), and gradient clipping to a global norm of
# 1 (`nn.clip_grad_norm_`). The validation loss is measured on a fixed set of validation
# windows, every position counted.

# %% [markdown] lang="zh"
# ## 训练
#
# 随机截取长为 `context` 个字符的窗口；每个位置的目标是它的下一个字符，损失就是交叉熵。优化器是
# AdamW（解耦的权重衰减，decoupled weight decay，只作用于矩阵，不作用于偏置、层归一化的增益和嵌
# 入），学习率先线性预热、再余弦退火（`optim.lr_scheduler.WarmupCosineLR`），梯度按全局范数裁剪到 1
# （`nn.clip_grad_norm_`）。验证损失在一组固定的验证窗口上计算，每个位置都算在内。

# %%
CONFIG = {"d": 64, "heads": 4, "layers": 2, "context": 32, "batch": 32, "lr": 6e-3,
          "weight_decay": 0.1, "warmup": 20}
STEPS = args.steps or (600 if FULL else 200)
EVAL_EVERY = max(STEPS // 10, 1)
VAL_WINDOWS = 64 if FULL else 32
T, B = CONFIG["context"], CONFIG["batch"]


def batch(ids: np.ndarray, rng: np.random.Generator, size: int) -> tuple[Tensor, Tensor]:
    starts = rng.integers(0, len(ids) - T - 1, size)
    x = np.stack([ids[s:s + T] for s in starts])
    y = np.stack([ids[s + 1:s + T + 1] for s in starts])
    return Tensor(x, device=DEVICE), Tensor(y, device=DEVICE)


def loss_of(model: CharGPT, x: Tensor, y: Tensor) -> Tensor:
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))


val_starts = np.linspace(0, len(val_ids) - T - 1, VAL_WINDOWS).astype(int)
val_x = Tensor(np.stack([val_ids[s:s + T] for s in val_starts]), device=DEVICE)
val_y = Tensor(np.stack([val_ids[s + 1:s + T + 1] for s in val_starts]), device=DEVICE)


def val_loss(model: CharGPT) -> float:
    model.eval()
    with no_grad():
        total = 0.0
        for i in range(0, VAL_WINDOWS, 16):
            total += loss_of(model, val_x[i:i + 16], val_y[i:i + 16]).item() * len(
                val_x[i:i + 16])
    model.train()
    return total / VAL_WINDOWS


model = CharGPT(V, T, CONFIG["d"], CONFIG["heads"], CONFIG["layers"], seed=0, device=DEVICE)
n_params = sum(p.size for p in model.parameters())
decay = [p for n, p in model.named_parameters() if p.ndim == 2 and "tok" not in n
         and "pos" not in n]
no_decay = [p for n, p in model.named_parameters() if not (p.ndim == 2 and "tok" not in n
                                                           and "pos" not in n)]
opt = optim.AdamW([{"params": decay, "weight_decay": CONFIG["weight_decay"]},
                   {"params": no_decay, "weight_decay": 0.0}], lr=CONFIG["lr"],
                  betas=(0.9, 0.99))
sched = optim.lr_scheduler.WarmupCosineLR(opt, CONFIG["warmup"], STEPS,
                                          min_lr=CONFIG["lr"] / 10)
print(model)
print(f"{n_params:,} parameters; {STEPS} steps of {B}×{T} characters "
      f"({'full' if FULL else 'quick'} run, device {DEVICE})")

data_rng = np.random.default_rng(1)
history = {"step": [], "train": [], "val": []}
recent: list[float] = []
train_seconds = 0.0
t_start = time.perf_counter()
for step in range(1, STEPS + 1):
    t0 = time.perf_counter()
    x, y = batch(train_ids, data_rng, B)
    loss = loss_of(model, x, y)
    opt.zero_grad()
    loss.backward()
    nn.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    train_seconds += time.perf_counter() - t0
    recent.append(loss.item())
    if step % EVAL_EVERY == 0 or step == STEPS:
        v = val_loss(model)
        history["step"].append(step)
        history["train"].append(float(np.mean(recent)))
        history["val"].append(v)
        recent = []
        print(f"step {step:5d}  train {history['train'][-1]:.3f}  val {v:.3f}  "
              f"lr {sched.get_last_lr()[0]:.2e}  {time.perf_counter() - t_start:6.1f} s")
wall_seconds = time.perf_counter() - t_start

# %% [markdown] lang="en"
# ## Results

# %% [markdown] lang="zh"
# ## 结果

# %%
model_val = history["val"][-1]
margin = bigram - model_val
show("C01", "model: parameters", n_params)
show("C01", f"model: training steps ({'full' if FULL else 'quick'} run, batch {B}×{T})",
     STEPS)
show("C01", "model: training time, seconds (steps only)", round(train_seconds, 1))
show("C01", "model: wall time of the training loop with evaluations, seconds",
     round(wall_seconds, 1))
show("C01", f"model: steps per second (device {DEVICE})", round(STEPS / train_seconds, 2))
show("C01", "model: validation loss (nats/char)", model_val)
claim("C01", "model beats the bigram baseline by ≥ 0.2 nats/char (bigram − model)",
      "≥ 0.2", margin, agrees=margin >= 0.2,
      note="" if FULL else "the quick run trains few steps; the bar is for the full run",
      note_zh="" if FULL else "快速版只训练了很少几步；这个门槛是为完整版设定的")
show("C01", "model beats the unigram baseline (unigram − model)", unigram - model_val)

# %% [markdown] lang="en"
# ## Samples
#
# Generation is the model used as it was trained: feed a prompt, sample the next
# character from softmax(logits / temperature) of the last position, append it, repeat
# (the context window slides once it is full). The samples are seeded.

# %% [markdown] lang="zh"
# ## 生成样本
#
# 生成时，模型的用法和训练时一样：喂进一段提示（prompt），从最后一个位置的
# softmax(logits / temperature) 中采样下一个字符（temperature 即温度），把它接到末尾，如此反复（上下
# 文窗口填满之后就向前滑动）。采样用固定的随机种子。

# %%
def generate(model: CharGPT, prompt: str, n: int, rng: np.random.Generator,
             temperature: float = 0.8) -> str:
    ids = [stoi[c] for c in prompt]
    model.eval()
    with no_grad():
        for _ in range(n):
            window = Tensor(np.array([ids[-T:]]), device=DEVICE)
            logits = model(window).numpy()[0, -1].astype(np.float64) / temperature
            p = np.exp(logits - logits.max())
            ids.append(int(rng.choice(V, p=p / p.sum())))
    model.train()
    return "".join(chars[i] for i in ids)


sample_rng = np.random.default_rng(2)
samples = [generate(model, prompt, 160 if FULL else 80, sample_rng)
           for prompt in ("The ", "If the ", "A function ")]
for i, s in enumerate(samples):
    print(f"--- sample {i + 1} ---\n{s}\n")
    show("C01", f"sample {i + 1} (seeded, temperature 0.8)", s)

# %% [markdown] lang="en"
# ## Loss curves and an attention map
#
# The curves: training loss (averaged since the previous evaluation) and validation
# loss, with the two baselines as horizontal lines. The heat-map: the attention weights
# of one head of the first block on the first validation window — each row is a
# position, each column a position it may look at (the upper triangle is the causal
# mask's zero).

# %% [markdown] lang="zh"
# ## 损失曲线和一张注意力图
#
# 曲线：训练损失（自上一次评估以来的平均值）和验证损失，两个基线画成水平线。热力图：第一个块中一个注
# 意力头在第一个验证窗口上的注意力权重。每一行是一个位置，每一列是它可以关注的一个位置（上三角全是
# 0，那是因果掩码的作用）。

# %%
if plt is not None:
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(history["step"], history["train"], "o-", label="train")
    ax.plot(history["step"], history["val"], "s-", label="validation")
    ax.axhline(unigram, color="gray", ls="--", label=f"unigram {unigram:.2f}")
    ax.axhline(bigram, color="black", ls=":", label=f"bigram {bigram:.2f}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats/char)")
    ax.set_title("Character-level GPT on the pydoc help topics")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_dir() / "c01_loss_curves.png", dpi=120)
    model.eval()
    with no_grad():
        _, maps = model(val_x[0:1], need_weights=True)
    model.train()
    head0 = maps[0].numpy()[0, 0]
    labels = [{" ": "·", "\n": "\\n"}.get(chars[i], chars[i]) for i in val_x.numpy()[0]]
    fig, ax = plt.subplots(figsize=(7, 6.5))
    im = ax.imshow(head0, cmap="viridis")
    ax.set_xticks(range(T), labels, fontsize=5)
    ax.set_yticks(range(T), labels, fontsize=5)
    ax.set_xlabel("key position (attended to)")
    ax.set_ylabel("query position")
    ax.set_title("Block 1, head 1: attention weights on one validation window")
    fig.colorbar(im)
    fig.tight_layout()
    fig.savefig(out_dir() / "c01_attention_head.png", dpi=120)
    print("saved", out_dir() / "c01_loss_curves.png", "and", out_dir() / "c01_attention_head.png")

# %%
if blas_limit is not None:
    blas_limit.restore_original_limits()
