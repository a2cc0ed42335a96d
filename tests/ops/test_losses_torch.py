"""Losses against PyTorch (the oracle; skipped without torch): nll_loss and cross_entropy
with class ``weight`` (PyTorch's weighted mean), ``ignore_index`` and ``label_smoothing``
in every combination; kl_div (all reductions, ``log_target``), smooth_l1_loss (β),
soft_margin_loss, cosine_embedding_loss, margin_ranking_loss; their modules; and the
edge cases (a −inf logit, all targets ignored)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the losses")
import torch.nn.functional as TF  # noqa: E402

from tinygrad_edu import Tensor, nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402
from tinygrad_edu.testing import gradcheck  # noqa: E402

pytestmark = pytest.mark.torch
TOL = {"rtol": 1e-7, "atol": 1e-10}
REDUCTIONS = ["mean", "sum", "none"]


def check(ours: Callable[..., Any], theirs: Callable[..., Any], *arrays: np.ndarray,
          grad: list[bool] | None = None) -> None:
    """Same float64 inputs through both; compare the loss and the gradients of the inputs
    marked in ``grad`` (default: every float input)."""
    grad = grad if grad is not None else [a.dtype.kind == "f" for a in arrays]
    ts = [torch.tensor(a, requires_grad=g) for a, g in zip(arrays, grad, strict=True)]
    os = [Tensor(a, dtype=a.dtype, requires_grad=g) for a, g in zip(arrays, grad, strict=True)]
    out_t, out_o = theirs(*ts), ours(*os)
    e = out_t.detach().numpy()
    assert out_o.shape == e.shape and out_o.dtype == e.dtype
    np.testing.assert_allclose(out_o.numpy(), e, **TOL, err_msg="loss differs")
    if not any(grad):
        return
    w = np.random.default_rng(7).uniform(0.5, 1.5, e.shape)
    (out_t * torch.tensor(w)).sum().backward()
    (out_o * Tensor(w, dtype="float64")).sum().backward()
    for k, (a, b) in enumerate(zip(os, ts, strict=True)):
        if grad[k]:
            expected = np.zeros(a.shape) if b.grad is None else b.grad.numpy()
            got = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
            np.testing.assert_allclose(got, expected, **TOL, err_msg=f"gradient {k}")


def _logits(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape) * 2


def _targets(shape: tuple[int, ...], classes: int, seed: int = 1, ignore: int | None = None
             ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, classes, shape)
    if ignore is not None and t.size:
        t.reshape(-1)[::3] = ignore  # every third target ignored
    return t.astype(np.int64)


# ---- cross_entropy and nll_loss: weight × ignore_index × label_smoothing × reduction ------

CE_GRID = list(itertools.product([False, True], [None, -100, 2], [0.0, 0.2], REDUCTIONS,
                                 [(6, 4), (3, 4, 2, 3), (4,)]))


@pytest.mark.parametrize("weighted,ignore,smoothing,reduction,shape", CE_GRID)
def test_cross_entropy_class_indices(weighted, ignore, smoothing, reduction, shape):
    classes = shape[1] if len(shape) > 1 else shape[0]
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    x = _logits(shape)
    y = _targets(tshape, classes, ignore=ignore)
    w = np.random.default_rng(3).uniform(0.2, 2.0, classes) if weighted else None
    opts: dict[str, Any] = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        opts["ignore_index"] = ignore
    check(lambda x, y: F.cross_entropy(x, y, None if w is None else Tensor(w, dtype="float64"),
                                       **opts),
          lambda x, y: TF.cross_entropy(x, y, None if w is None else torch.tensor(w), **opts),
          x, y)


@pytest.mark.parametrize("weighted,smoothing,reduction",
                         list(itertools.product([False, True], [0.0, 0.3], REDUCTIONS)))
def test_cross_entropy_class_probabilities(weighted, smoothing, reduction):
    x = _logits((5, 4))
    q = np.random.default_rng(2).dirichlet(np.ones(4), 5)
    w = np.random.default_rng(3).uniform(0.2, 2.0, 4) if weighted else None
    opts: dict[str, Any] = {"reduction": reduction, "label_smoothing": smoothing}
    check(lambda x, q: F.cross_entropy(x, q, None if w is None else Tensor(w, dtype="float64"),
                                       **opts),
          lambda x, q: TF.cross_entropy(x, q, None if w is None else torch.tensor(w), **opts),
          x, q)


@pytest.mark.parametrize("weighted,ignore,reduction,shape",
                         list(itertools.product([False, True], [None, 1], REDUCTIONS,
                                                [(6, 4), (2, 4, 3), (4,)])))
def test_nll_loss(weighted, ignore, reduction, shape):
    classes = shape[1] if len(shape) > 1 else shape[0]
    tshape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    x = _logits(shape)
    y = _targets(tshape, classes, ignore=ignore)
    w = np.random.default_rng(3).uniform(0.2, 2.0, classes) if weighted else None
    opts: dict[str, Any] = {"reduction": reduction}
    if ignore is not None:
        opts["ignore_index"] = ignore
    check(lambda x, y: F.nll_loss(x, y, None if w is None else Tensor(w, dtype="float64"),
                                  **opts),
          lambda x, y: TF.nll_loss(x, y, None if w is None else torch.tensor(w), **opts), x, y)


def test_cross_entropy_masked_class_with_minus_inf_logit():
    x = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]])
    y = np.array([0, 1])
    for w in (None, np.array([1.0, 2.0, 0.5])):
        check(lambda x, y, w=w: F.cross_entropy(
                  x, y, None if w is None else Tensor(w, dtype="float64")),
              lambda x, y, w=w: TF.cross_entropy(
                  x, y, None if w is None else torch.tensor(w)), x, y)
    assert F.cross_entropy(Tensor([[0.0, -np.inf, 1.0]]), Tensor([0])).item() == \
        pytest.approx(1.3133, abs=1e-4)
    with np.errstate(divide="ignore"):
        lp = np.log(np.array([[0.5, 0.0, 0.5]]))
        check(lambda x, y: F.nll_loss(x, y), lambda x, y: TF.nll_loss(x, y), lp, np.array([0]))


@pytest.mark.parametrize("weighted", [False, True])
def test_all_targets_ignored_gives_nan_loss_and_zero_gradient(weighted):
    x = _logits((3, 4))
    w = Tensor(np.ones(4) * 2, dtype="float64") if weighted else None
    xt = Tensor(x, dtype="float64", requires_grad=True)
    y = np.full(3, -100)
    loss = F.cross_entropy(xt, y, w)
    expected = TF.cross_entropy(torch.tensor(x), torch.tensor(y))
    assert np.isnan(loss.item()) and torch.isnan(expected)
    loss.backward()
    np.testing.assert_array_equal(xt.grad.numpy(), np.zeros((3, 4)))
    xt.grad = None
    F.nll_loss(xt, y, w, ignore_index=-100).backward()
    np.testing.assert_array_equal(xt.grad.numpy(), np.zeros((3, 4)))


def test_cross_entropy_and_nll_modules_take_weight():
    x, y = _logits((6, 4)), _targets((6,), 4, ignore=-100)
    w = np.random.default_rng(3).uniform(0.2, 2.0, 4)
    check(nn.CrossEntropyLoss(Tensor(w, dtype="float64"), label_smoothing=0.1),
          torch.nn.CrossEntropyLoss(torch.tensor(w), label_smoothing=0.1), x, y)
    check(nn.NLLLoss(Tensor(w, dtype="float64"), reduction="sum"),
          torch.nn.NLLLoss(torch.tensor(w), reduction="sum"), x, y)
    assert "weight" in nn.CrossEntropyLoss(Tensor(w)).state_dict()


def test_weighted_losses_gradcheck_and_errors():
    x = Tensor(_logits((5, 3)), dtype="float64", requires_grad=True)
    y = _targets((5,), 3, ignore=-100)
    w = Tensor([0.5, 2.0, 1.0], dtype="float64")
    gradcheck(lambda x: F.cross_entropy(x, y, w, label_smoothing=0.2), x)
    gradcheck(lambda x: F.nll_loss(x, y, w), x)
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(3,\)"):
        F.cross_entropy(x, y, Tensor([1.0, 2.0]))


# ---- the other losses --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction,log_target,shape", list(itertools.product(
    REDUCTIONS + ["batchmean"], [False, True], [(4, 5), (3, 2, 4), (0, 3)])))
def test_kl_div(reduction, log_target, shape):
    rng = np.random.default_rng(0)
    x = np.log(rng.dirichlet(np.ones(shape[-1]), shape[:-1])) if shape[0] else np.zeros(shape)
    p = rng.dirichlet(np.ones(shape[-1]), shape[:-1]) if shape[0] else np.zeros(shape)
    if shape[0]:
        p.reshape(-1)[::4] = 0.0  # zero target probabilities: 0·log 0 = 0
    if log_target:
        with np.errstate(divide="ignore"):
            p = np.log(np.where(p == 0, 0.3, p))
    opts = {"reduction": reduction, "log_target": log_target}
    # PyTorch's gradient for a zero target is NaN (documented difference): not compared
    check(lambda x, p: F.kl_div(x, p, **opts), lambda x, p: TF.kl_div(x, p, **opts), x, p,
          grad=[True, log_target])
    if shape[0]:
        p = rng.dirichlet(np.ones(shape[-1]), shape[:-1])  # no zeros: the target's gradient
        check(lambda x, p: F.kl_div(x, p, **opts), lambda x, p: TF.kl_div(x, p, **opts), x, p)


@pytest.mark.parametrize("reduction,beta", list(itertools.product(REDUCTIONS,
                                                                  [1.0, 0.5, 0.0, 2.5])))
def test_smooth_l1_loss(reduction, beta):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 5)) * 2, rng.standard_normal((4, 5))
    check(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
          lambda a, b: TF.smooth_l1_loss(a, b, reduction=reduction, beta=beta), a, b)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)) * 3, rng.choice([-1.0, 1.0], (4, 5))
    check(lambda x, y: F.soft_margin_loss(x, y, reduction=reduction),
          lambda x, y: TF.soft_margin_loss(x, y, reduction=reduction), x, y,
          grad=[True, False])


@pytest.mark.parametrize("reduction,margin,shape", list(itertools.product(
    REDUCTIONS, [0.0, 0.5], [(6,), (3, 1), ()])))
def test_margin_ranking_loss(reduction, margin, shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape), rng.standard_normal((3, 4) if shape == (3, 1) else shape)
    y = rng.choice([-1.0, 1.0], shape)
    check(lambda a, b, y: F.margin_ranking_loss(a, b, y, margin, reduction=reduction),
          lambda a, b, y: TF.margin_ranking_loss(a, b, y, margin, reduction=reduction),
          a, b, y, grad=[True, True, False])


@pytest.mark.parametrize("reduction,margin,shape", list(itertools.product(
    REDUCTIONS, [0.0, 0.3, -0.5], [(6, 3), (4,)])))
def test_cosine_embedding_loss(reduction, margin, shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape), rng.standard_normal(shape)
    y = rng.choice([-1.0, 1.0], shape[:-1])
    check(lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin, reduction=reduction),
          lambda a, b, y: TF.cosine_embedding_loss(a, b, y, margin, reduction=reduction),
          a, b, y, grad=[True, True, False])


def test_loss_modules_match_torch():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    y = rng.choice([-1.0, 1.0], 4)
    check(nn.SmoothL1Loss(beta=0.7), torch.nn.SmoothL1Loss(beta=0.7), a, b)
    check(nn.SoftMarginLoss(reduction="sum"), torch.nn.SoftMarginLoss(reduction="sum"), a,
          np.sign(b), grad=[True, False])
    check(nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"),
          np.log(rng.dirichlet(np.ones(3), 4)), rng.dirichlet(np.ones(3), 4))
    check(nn.MarginRankingLoss(0.2), torch.nn.MarginRankingLoss(0.2), a[:, 0], b[:, 0], y,
          grad=[True, True, False])
    check(nn.CosineEmbeddingLoss(0.1), torch.nn.CosineEmbeddingLoss(0.1), a, b, y,
          grad=[True, True, False])


def test_other_losses_gradcheck():
    rng = np.random.default_rng(1)

    def t(shape: tuple[int, ...]) -> Tensor:
        return Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=True)

    a, b = t((4, 3)), t((4, 3))
    y = Tensor(rng.choice([-1.0, 1.0], 4), dtype="float64")
    gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), a, b)
    gradcheck(lambda a: F.soft_margin_loss(a, y.reshape(4, 1).expand(4, 3)), a)
    gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, 0.1), a, b)
    gradcheck(lambda a, b: F.margin_ranking_loss(a, b, y.reshape(4, 1), 0.2), a, b)
    p = Tensor(rng.dirichlet(np.ones(3), 4), dtype="float64", requires_grad=True)
    gradcheck(lambda a, p: F.kl_div(a, p, reduction="batchmean"), a, p)


def test_other_losses_errors_name_the_loss():
    a = Tensor.zeros(4, 3)
    with pytest.raises(ValueError, match="kl_div: reduction"):
        F.kl_div(a, a, reduction="avg")
    with pytest.raises(ValueError, match="smooth_l1_loss: beta"):
        F.smooth_l1_loss(a, a, beta=-1.0)
    with pytest.raises(ValueError, match="cosine_embedding_loss: target"):
        F.cosine_embedding_loss(a, a, Tensor.ones(3))
    with pytest.raises(ValueError, match="margin_ranking_loss"):
        F.margin_ranking_loss(a, a, Tensor.ones(4))


# ---- more losses -------------------------------------------------------------------------


@pytest.mark.parametrize("reduction,log_input,full", list(itertools.product(
    REDUCTIONS, [True, False], [False, True])))
def test_poisson_nll_loss(reduction, log_input, full):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5)) if log_input else rng.uniform(0.1, 3.0, (4, 5))
    y = rng.poisson(2.0, (4, 5)).astype(np.float64)
    opts = {"log_input": log_input, "full": full, "reduction": reduction}
    check(lambda x, y: F.poisson_nll_loss(x, y, **opts),
          lambda x, y: TF.poisson_nll_loss(x, y, **opts), x, y, grad=[True, False])


@pytest.mark.parametrize("reduction,full,vshape", list(itertools.product(
    REDUCTIONS, [False, True], [(4, 3), (4, 1), (4,)])))
def test_gaussian_nll_loss(reduction, full, vshape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    v = rng.uniform(0.0, 2.0, vshape)
    v.reshape(-1)[0] = 1e-9  # below eps: clamped
    opts = {"full": full, "reduction": reduction}
    check(lambda x, y, v: F.gaussian_nll_loss(x, y, v, **opts),
          lambda x, y, v: TF.gaussian_nll_loss(x, y, v, **opts), x, y, v,
          grad=[True, False, True])


@pytest.mark.parametrize("reduction,margin", list(itertools.product(REDUCTIONS, [1.0, 0.3])))
def test_hinge_embedding_loss(reduction, margin):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1, 2, (4, 5)), rng.choice([-1.0, 1.0], (4, 5))
    check(lambda x, y: F.hinge_embedding_loss(x, y, margin, reduction=reduction),
          lambda x, y: TF.hinge_embedding_loss(x, y, margin, reduction=reduction), x, y,
          grad=[True, False])


@pytest.mark.parametrize("reduction,weighted", list(itertools.product(REDUCTIONS,
                                                                      [False, True])))
def test_multilabel_soft_margin_loss(reduction, weighted):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 5)) * 3, rng.integers(0, 2, (4, 5)).astype(np.float64)
    w = rng.uniform(0.2, 2, 5) if weighted else None
    check(lambda x, y: F.multilabel_soft_margin_loss(
              x, y, None if w is None else Tensor(w, dtype="float64"), reduction=reduction),
          lambda x, y: TF.multilabel_soft_margin_loss(
              x, y, None if w is None else torch.tensor(w), reduction=reduction), x, y,
          grad=[True, False])


@pytest.mark.parametrize("reduction,p,weighted,shape", list(itertools.product(
    REDUCTIONS, [1, 2], [False, True], [(5, 4), (4,)])))
def test_multi_margin_loss(reduction, p, weighted, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    y = rng.integers(0, shape[-1], shape[:-1]).astype(np.int64)
    w = rng.uniform(0.2, 2, shape[-1]) if weighted else None
    check(lambda x, y: F.multi_margin_loss(x, y, p, 0.7,
                                           None if w is None else Tensor(w, dtype="float64"),
                                           reduction=reduction),
          lambda x, y: TF.multi_margin_loss(x, y, p, 0.7,
                                            None if w is None else torch.tensor(w),
                                            reduction=reduction), x, y)


@pytest.mark.parametrize("reduction,p,swap,shape", list(itertools.product(
    REDUCTIONS, [2.0, 1.0, 3.0], [False, True], [(5, 4), (4,)])))
def test_triplet_margin_loss(reduction, p, swap, shape):
    rng = np.random.default_rng(0)
    a, b, c = (rng.standard_normal(shape) for _ in range(3))
    opts = {"margin": 0.8, "p": p, "swap": swap, "reduction": reduction}
    check(lambda a, b, c: F.triplet_margin_loss(a, b, c, **opts),
          lambda a, b, c: TF.triplet_margin_loss(a, b, c, **opts), a, b, c)


def test_pairwise_distance_and_more_loss_modules():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    check(lambda a, b: F.pairwise_distance(a, b), lambda a, b: TF.pairwise_distance(a, b),
          a, b)
    y = rng.integers(0, 3, 4).astype(np.int64)
    check(nn.MultiMarginLoss(), torch.nn.MultiMarginLoss(), a, y)
    check(nn.TripletMarginLoss(swap=True), torch.nn.TripletMarginLoss(swap=True), a, b, -a)
    check(nn.PoissonNLLLoss(), torch.nn.PoissonNLLLoss(), a, np.abs(b), grad=[True, False])
    check(nn.GaussianNLLLoss(), torch.nn.GaussianNLLLoss(), a, b, np.abs(b) + 0.1)
    check(nn.HingeEmbeddingLoss(0.5), torch.nn.HingeEmbeddingLoss(0.5), a, np.sign(b),
          grad=[True, False])
    check(nn.MultiLabelSoftMarginLoss(), torch.nn.MultiLabelSoftMarginLoss(), a,
          (b > 0).astype(np.float64), grad=[True, False])


def test_more_losses_gradcheck():
    rng = np.random.default_rng(2)

    def t(a: np.ndarray) -> Tensor:
        return Tensor(a, dtype="float64", requires_grad=True)

    a, b, c = (t(rng.standard_normal((3, 4))) for _ in range(3))
    y = rng.integers(0, 4, 3)
    gradcheck(lambda a: F.multi_margin_loss(a, y, 2, 0.9), a)
    gradcheck(lambda a, b, c: F.triplet_margin_loss(a, b, c, swap=True), a, b, c)
    gradcheck(lambda a, v: F.gaussian_nll_loss(a, b.detach(), v, full=True), a,
              t(rng.uniform(0.5, 2.0, (3, 4))))
    gradcheck(lambda a: F.poisson_nll_loss(a, np.abs(c.detach().numpy()), full=True), a)
