"""Losses: values by hand (the seed's worked examples), gradients (gradcheck, also of
the gradient for cross-entropy), reductions, stability and the error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, enable_grad, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import gradcheck

from .helpers import randn, t64

FEW = settings(max_examples=8, deadline=None)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
shapes = st.sampled_from([(3,), (2, 3), (2, 1, 2)])


# ---- values ----------------------------------------------------------------------------


def test_w06_mse_and_the_seeds_half():
    y = Tensor([2.0, 3.0, 4.0, 5.0, 6.0])
    y_hat = Tensor([1.5, 2.8, 3.2, 4.7, 5.1])
    mse = nn.MSELoss()(y_hat, y).item()
    assert mse == pytest.approx(0.366, abs=1e-6)
    # the seed's 1/N Σ ½ (y − ŷ)² is 0.183, not the 0.24 it claims
    assert 0.5 * mse == pytest.approx(0.183, abs=1e-6)


def test_w07_w14_binary_cross_entropy():
    p = Tensor([0.9, 0.1, 0.8, 0.2, 0.7])
    y = Tensor([1.0, 0.0, 1.0, 0.0, 1.0])
    both_terms = -np.mean(np.log([0.9, 0.9, 0.8, 0.8, 0.7]))
    assert F.binary_cross_entropy(p, y).item() == pytest.approx(both_terms, rel=1e-6)
    assert nn.BCELoss()(Tensor([0.9, 0.1]), Tensor([1.0, 0.0])).item() == pytest.approx(
        -np.log(0.9), rel=1e-6)  # ≈ 0.105 (the seed's "−0.105" has the wrong sign)


def test_reductions_and_hand_values():
    x, y = Tensor([1.0, -2.0, 4.0]), Tensor([0.0, 0.0, 1.0])
    assert F.l1_loss(x, y, reduction="none").numpy().tolist() == [1, 2, 3]
    assert F.l1_loss(x, y, reduction="sum").item() == 6
    assert F.mse_loss(x, y).item() == pytest.approx(14 / 3)
    # Huber with δ = 1: ½d² inside, δ(|d| − ½δ) outside
    assert F.huber_loss(x, y, reduction="none").numpy().tolist() == [0.5, 1.5, 2.5]
    assert F.huber_loss(x, y, reduction="none", delta=2.5).numpy().tolist() == [
        0.5, 2.0, 2.5 * (3 - 1.25)]
    assert F.hinge_loss(Tensor([2.0, 0.5, -1.0]), Tensor([1, 1, 1]),
                        reduction="none").numpy().tolist() == [0, 0.5, 2]
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_cross_entropy_values_ignore_index_and_smoothing():
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [1.0, 1.0, 1.0]])
    target = np.array([0, 2, 1])
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    each = -logp[np.arange(3), target]
    x = Tensor(logits, dtype="float64")
    assert F.cross_entropy(x, target).item() == pytest.approx(each.mean())
    assert F.cross_entropy(x, target, reduction="none").numpy() == pytest.approx(each)
    # an ignored row contributes nothing and is left out of the mean
    t_ign = np.array([0, -100, 1])
    assert F.cross_entropy(x, t_ign).item() == pytest.approx(each[[0, 2]].mean())
    assert F.cross_entropy(x, t_ign, reduction="none").numpy()[1] == 0
    assert F.cross_entropy(x, np.array([0, 2, 1]), ignore_index=2).item() == pytest.approx(
        each[[0, 2]].mean())
    # label smoothing ε: target (1 − ε)·onehot + ε/C
    eps = 0.2
    q = np.eye(3)[target] * (1 - eps) + eps / 3
    smooth = -(q * logp).sum(1).mean()
    assert F.cross_entropy(x, target, label_smoothing=eps).item() == pytest.approx(smooth)
    # class probabilities as the target
    assert F.cross_entropy(x, Tensor(q, dtype="float64")).item() == pytest.approx(smooth)
    # nll of log-probabilities is the same thing
    assert F.nll_loss(F.log_softmax(x, 1), target).item() == pytest.approx(each.mean())
    # one sample without a batch axis, and (N, C, d) inputs
    assert F.cross_entropy(x[0], np.array(0)).item() == pytest.approx(each[0])
    x3 = Tensor(np.stack([logits, logits[::-1]], axis=2), dtype="float64")  # (3, 3, 2)
    t3 = np.stack([target, target[::-1]], axis=1)
    assert F.cross_entropy(x3, t3).item() == pytest.approx(each.mean())


def test_bce_with_logits_is_stable_and_its_gradient_exact_at_zero():
    x = Tensor([-1000.0, -20.0, 0.0, 20.0, 1000.0], requires_grad=True)
    y = Tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert loss.numpy() == pytest.approx([1000.0, 2.06e-9, np.log(2), 2.06e-9, 1000.0],
                                         rel=1e-2, abs=1e-6)
    loss.sum().backward()
    sig = 0.5 * (1 + np.tanh(0.5 * np.array([-1000, -20, 0, 20, 1000], dtype=np.float64)))
    assert x.grad.numpy() == pytest.approx(sig - y.numpy(), abs=1e-6)
    assert x.grad.numpy()[2] == -0.5  # σ(0) − 1: no kink at 0
    # pos_weight scales the positive term
    pw = F.binary_cross_entropy_with_logits(Tensor([0.3]), Tensor([1.0]), pos_weight=3.0)
    assert pw.item() == pytest.approx(3 * np.log1p(np.exp(-0.3)), rel=1e-6)


def test_bce_clamps_logs_like_pytorch():
    p = Tensor([0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(p, Tensor([1.0, 0.0]), reduction="none")
    assert loss.numpy().tolist() == [100.0, 100.0]
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()


def test_penalties():
    model = nn.Linear(2, 1, seed=0)
    w, b = model.weight.numpy(), model.bias.numpy()
    assert nn.l1_penalty(model, 0.1).item() == pytest.approx(0.1 * (np.abs(w).sum() + abs(b[0])))
    assert nn.l2_penalty([model.weight], 0.5).item() == pytest.approx(0.5 * (w ** 2).sum())
    nn.l2_penalty(model, 0.5).backward()
    assert model.weight.grad.numpy() == pytest.approx(w)  # ∂/∂w λ‖w‖² = 2λw
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])


# ---- errors ----------------------------------------------------------------------------


def test_cross_entropy_errors_name_shapes_and_values():
    x = Tensor.zeros(4, 10)
    with pytest.raises(ValueError) as err:
        F.cross_entropy(x, Tensor([1, 2, 10, 3]))
    assert ("target holds class index 10, out of range for input of shape (4, 10) with 10 "
            "classes (valid indices: 0 … 9)") in str(err.value)
    with pytest.raises(ValueError, match="class index -1"):
        F.cross_entropy(x, Tensor([1, 2, -1, 3]))
    with pytest.raises(ValueError, match=r"target has dtype float32 and shape \(4,\): class "
                                         r"indices must be integers \(use target.long\(\)\)"):
        F.cross_entropy(x, Tensor([1.0, 2.0, 0.0, 3.0]))
    with pytest.raises(ValueError, match=r"target of shape \(4, 1\) does not fit input of shape "
                                         r"\(4, 10\): class indices need shape \(4,\)"):
        nn.CrossEntropyLoss()(x, Tensor([[1], [2], [0], [3]]))
    with pytest.raises(TypeError, match="integer class indices or float class probabilities"):
        F.cross_entropy(x, Tensor([True, False, True, False]))
    with pytest.raises(TypeError, match="use target.long"):
        F.nll_loss(x, Tensor([0.0, 1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="floating point scores"):
        F.cross_entropy(Tensor([[1, 2]]), Tensor([0]))


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError) as err:
        nn.BCELoss()(Tensor([0.5, 1.7, -0.2]), Tensor([1.0, 0.0, 1.0]))
    msg = str(err.value)
    assert "probabilities in [0, 1], got values from -0.2 to 1.7" in msg
    assert "binary_cross_entropy_with_logits" in msg


def test_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match=r"input \(4, 1\) and target \(4,\) must have the same "
                                         r"shape .*target.reshape\(4, 1\)"):
        F.mse_loss(Tensor.zeros(4, 1), Tensor.zeros(4))
    with pytest.raises(ValueError, match="labels must be −1 or \\+1.*2·y − 1"):
        F.hinge_loss(Tensor.zeros(3), Tensor([0.0, 1.0, 1.0]))


# ---- gradients -------------------------------------------------------------------------


def _target(shape, seed, low=-1.0, high=1.0):
    return t64(np.random.default_rng(seed + 1).uniform(low, high, shape), requires_grad=False)


@FEW
@given(shape=shapes, reduction=REDUCTIONS, seed=st.integers(0, 999))
def test_regression_losses_gradcheck(shape, reduction, seed):
    x, y = randn(*shape, seed=seed), _target(shape, seed)
    # keep away from the kinks: |x − y| near 0 (L1) or near δ = 1 (Huber)
    d = x.numpy() - y.numpy()
    x = t64(np.where(np.abs(d) < 0.05, y.numpy() + 0.3, x.numpy()))
    d = x.numpy() - y.numpy()
    x = t64(np.where(np.abs(np.abs(d) - 1) < 0.05, y.numpy() + 1.5, x.numpy()))
    for loss in (nn.MSELoss(reduction=reduction), nn.L1Loss(reduction=reduction),
                 nn.HuberLoss(reduction=reduction)):
        gradcheck(lambda a, b, f=loss: f(a, b), x, t64(y.numpy()))  # w.r.t. both


@FEW
@given(shape=shapes, reduction=REDUCTIONS, seed=st.integers(0, 999))
def test_binary_losses_gradcheck(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    p = t64(rng.uniform(0.05, 0.95, shape))
    y = t64(rng.uniform(0, 1, shape))
    gradcheck(lambda a, b: nn.BCELoss(reduction=reduction)(a, b), p, y)
    logits = randn(*shape, seed=seed)
    gradcheck(lambda a, b: nn.BCEWithLogitsLoss(reduction=reduction)(a, b), logits, y)
    gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, reduction=reduction, pos_weight=2.5), logits, y)
    labels = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    margin = t64(np.where(np.abs(1 - labels * logits.numpy()) < 0.05, 3 * labels,
                          logits.numpy()))
    gradcheck(lambda a: nn.HingeLoss(reduction=reduction)(a, labels), margin)


@FEW
@given(n=st.integers(1, 4), c=st.integers(2, 4), reduction=REDUCTIONS,
       smoothing=st.sampled_from([0.0, 0.1]), ignore=st.booleans(), seed=st.integers(0, 999))
def test_cross_entropy_and_nll_gradcheck(n, c, reduction, smoothing, ignore, seed):
    rng = np.random.default_rng(seed)
    x = randn(n, c, seed=seed)
    target = rng.integers(0, c, n)
    if ignore and n > 1:  # (all targets ignored: the mean is 0/0 = nan, as in PyTorch)
        target[0] = -100
    loss = nn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing)
    gradcheck(lambda a: loss(a, target), x)
    gradcheck(lambda a: nn.NLLLoss(reduction=reduction)(a, target), x)
    probs = t64(rng.dirichlet(np.ones(c), n))
    gradcheck(lambda a, b: loss(a, b), x, probs)  # w.r.t. logits and target probabilities
    t3 = rng.integers(0, c, (2, 3))
    gradcheck(lambda a: loss(a, t3), randn(2, c, 3, seed=seed))


def test_cross_entropy_second_derivative():
    target = np.array([1, 0, 2])
    v = t64(np.random.default_rng(5).standard_normal((3, 4)), requires_grad=False)

    def grad_dot_v(x):
        with enable_grad():
            u = x * 1.0
            u.retain_grad()
            F.cross_entropy(u, target, label_smoothing=0.1).backward(create_graph=True)
            x.grad = None
            return (u.grad * v).sum()

    gradcheck(grad_dot_v, randn(3, 4))
