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

# %% [markdown]
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


# %% [markdown]
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

# %%
x, y, alpha = 1.0, 2.0, 0.01
theta = t(1.5, grad=True)           # so that ŷ = θ·x = 1.5, the seed's prediction
loss = 0.5 * (y - theta * x) ** 2
loss.backward()
grad = theta.grad.item()
print(f"L = {loss.item()}, dL/dθ = {grad}")
claim("W08", "∂L/∂θ for L = ½(y−ŷ)², ŷ = θx", 0.5, grad,
      note="Sign error: ∂L/∂θ = −(y−ŷ)·x = −0.5 (the chain rule through ŷ = θx gives −x).")

opt = optim.SGD([theta], lr=alpha)
theta0 = theta.item()
opt.step()
step = theta.item() - theta0
claim("W08", "θ₁ − θ₀ after one step, α = 0.01", -0.005, step,
      note="θ ← θ − α·(−0.5) = θ + 0.005: the prediction 1.5 is below 2.0, so θ must grow.")


def loss_at(th):
    return 0.5 * (y - th * x) ** 2


with no_grad():
    print(f"loss before: {loss_at(theta0):.6f}; after the correct step: "
          f"{loss_at(theta.item()):.6f}; "
          f"after the seed's step (θ − 0.005): {loss_at(theta0 - 0.005):.6f}")
show("W08", "loss after the seed's step θ − 0.005 (was 0.125)", loss_at(theta0 - 0.005),
     note="the seed's update increases the loss")
show("W08", "loss after the correct step θ + 0.005 (was 0.125)", loss_at(theta.item()))

theta2 = t(1.5, grad=True)
((y - theta2 * x) ** 2).backward()
show("W08", "∂L/∂θ for L = (y−ŷ)² (no ½)", theta2.grad.item())

# %% [markdown]
# The loss L(θ) = ½(2 − θ)² around θ₀ = 1.5, and the two steps: the seed's goes uphill
# (the loss rises from 0.125 to 0.1275), the correct one downhill (to 0.1225). On the
# right, the same near θ₀, enlarged.

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

# %% [markdown]
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
     note="(1−β₁)/√(1−β₂) = 0.1/0.0316 = 3.16")
claim("W21", "b₁ with the seed's literal Adam (b updated with W's moments)",
      "b_l = b_l − α·m_t/(√v_t + ε), m_t, v_t from ∂L/∂W_l",
      rules["Adam as written: b uses W's moments, no bias correction"][1], agrees=False,
      note="∂L/∂b > 0 but b increases: each parameter needs its own m and v.")

# %% [markdown]
# ## W26 · seed 004 `### 3.3 数学模型公式详细讲解` — gradient descent on the binary cross-entropy
#
# Seed 004 writes the cross-entropy *correctly*: `J(θ) = −1/N Σ [yᵢ log ŷᵢ + (1 − yᵢ) log(1 − ŷᵢ)]`
# with both terms and the 1/N, and the update `θ ← θ − α ∇J(θ)`. For logistic regression,
# ŷ = σ(Xw + b), the gradient has the closed form `∇w J = Xᵀ(ŷ − y)/N`, `∂J/∂b = mean(ŷ − y)`.
# We check autograd against it, take gradient-descent steps, and evaluate J on the numbers
# of W07 and W14 — the formula those two examples should have used.

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
     bce(t([0.9, 0.1]), t([1.0, 0.0])).item(), note="= −ln 0.9 = +0.105, not −0.105")
