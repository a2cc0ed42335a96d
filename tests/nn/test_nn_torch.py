"""PyTorch as an oracle (optional: skipped without torch): every layer and loss, given
the same weights and inputs, must give the same outputs, the same gradients with
respect to inputs and parameters, and the same running statistics.

Everything runs in float64, so the tolerances are tight; the backward pass
differentiates L = Σ out · w for a fixed random w, so every output element matters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the optional oracle for nn "
                                            "(pip install tinygrad-edu[oracle])")

from tinygrad_edu import Tensor, nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

pytestmark = pytest.mark.torch
TOL = {"rtol": 1e-7, "atol": 1e-9}


def _close(ours: Any, theirs: Any, what: str) -> None:
    a = ours.numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    b = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} vs {b.shape}"
    np.testing.assert_allclose(a, b, **TOL, err_msg=what)


# ---- layers ----------------------------------------------------------------------------


@dataclass
class LayerCase:
    name: str
    ours: Callable[[], nn.Module]
    theirs: Callable[[], torch.nn.Module]
    shape: tuple[int, ...]
    training: bool = True
    distinct: bool = False  # inputs without ties (max pooling)

    def __str__(self) -> str:
        return self.name


tn = torch.nn
LAYERS = [
    LayerCase("linear", lambda: nn.Linear(5, 3), lambda: tn.Linear(5, 3), (4, 5)),
    LayerCase("linear-nobias-batched", lambda: nn.Linear(5, 3, bias=False),
              lambda: tn.Linear(5, 3, bias=False), (2, 3, 5)),
    LayerCase("conv", lambda: nn.Conv2d(3, 4, 5), lambda: tn.Conv2d(3, 4, 5), (2, 3, 9, 8)),
    LayerCase("conv-stride-pad", lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1),
              lambda: tn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 7, 6)),
    LayerCase("conv-rect-dilated", lambda: nn.Conv2d(2, 3, (2, 3), (2, 1), (1, 0), 2),
              lambda: tn.Conv2d(2, 3, (2, 3), (2, 1), (1, 0), 2), (1, 2, 7, 8)),
    LayerCase("conv-nobias", lambda: nn.Conv2d(2, 2, 3, bias=False),
              lambda: tn.Conv2d(2, 2, 3, bias=False), (2, 2, 5, 5)),
    LayerCase("conv-same-odd", lambda: nn.Conv2d(2, 3, 3, padding="same"),
              lambda: tn.Conv2d(2, 3, 3, padding="same"), (2, 2, 5, 4)),
    LayerCase("conv-same-even", lambda: nn.Conv2d(2, 3, (4, 2), padding="same"),
              lambda: tn.Conv2d(2, 3, (4, 2), padding="same"), (2, 2, 5, 4)),
    LayerCase("conv-unbatched", lambda: nn.Conv2d(2, 3, 3), lambda: tn.Conv2d(2, 3, 3),
              (2, 5, 5)),
    LayerCase("maxpool-2", lambda: nn.MaxPool2d(2), lambda: tn.MaxPool2d(2), (2, 3, 6, 7),
              distinct=True),
    LayerCase("maxpool-3-2-1", lambda: nn.MaxPool2d(3, 2, 1), lambda: tn.MaxPool2d(3, 2, 1),
              (2, 2, 7, 6), distinct=True),
    LayerCase("maxpool-overlap", lambda: nn.MaxPool2d(3, 1), lambda: tn.MaxPool2d(3, 1),
              (1, 2, 5, 5), distinct=True),
    LayerCase("maxpool-dilated", lambda: nn.MaxPool2d(2, 1, 0, 2),
              lambda: tn.MaxPool2d(2, 1, 0, 2), (1, 2, 5, 6), distinct=True),
    LayerCase("maxpool-ties", lambda: nn.MaxPool2d(2), lambda: tn.MaxPool2d(2), (2, 2, 4, 4)),
    LayerCase("avgpool-2", lambda: nn.AvgPool2d(2), lambda: tn.AvgPool2d(2), (2, 3, 6, 7)),
    LayerCase("avgpool-3-2-1", lambda: nn.AvgPool2d(3, 2, 1), lambda: tn.AvgPool2d(3, 2, 1),
              (2, 2, 7, 6)),
    LayerCase("avgpool-no-pad-count", lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
              lambda: tn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 2, 7, 6)),
    LayerCase("adaptive-1", lambda: nn.AdaptiveAvgPool2d(1), lambda: tn.AdaptiveAvgPool2d(1),
              (2, 3, 5, 4)),
    LayerCase("adaptive-uneven", lambda: nn.AdaptiveAvgPool2d((3, 2)),
              lambda: tn.AdaptiveAvgPool2d((3, 2)), (2, 2, 7, 5)),
    LayerCase("adaptive-grow", lambda: nn.AdaptiveAvgPool2d((4, None)),
              lambda: tn.AdaptiveAvgPool2d((4, None)), (1, 2, 3, 5)),
    LayerCase("bn1d-train", lambda: nn.BatchNorm1d(3), lambda: tn.BatchNorm1d(3), (5, 3)),
    LayerCase("bn1d-seq-train", lambda: nn.BatchNorm1d(3), lambda: tn.BatchNorm1d(3),
              (4, 3, 2)),
    LayerCase("bn1d-eval", lambda: nn.BatchNorm1d(3), lambda: tn.BatchNorm1d(3), (5, 3),
              training=False),
    LayerCase("bn2d-train", lambda: nn.BatchNorm2d(2), lambda: tn.BatchNorm2d(2), (3, 2, 3, 2)),
    LayerCase("bn2d-eval", lambda: nn.BatchNorm2d(2), lambda: tn.BatchNorm2d(2), (3, 2, 3, 2),
              training=False),
    LayerCase("bn2d-cumulative", lambda: nn.BatchNorm2d(2, momentum=None),
              lambda: tn.BatchNorm2d(2, momentum=None), (3, 2, 2, 2)),
    LayerCase("bn2d-plain", lambda: nn.BatchNorm2d(2, affine=False, track_running_stats=False),
              lambda: tn.BatchNorm2d(2, affine=False, track_running_stats=False),
              (3, 2, 2, 2), training=False),
    LayerCase("relu", nn.ReLU, tn.ReLU, (3, 4)),
    LayerCase("leaky-relu", lambda: nn.LeakyReLU(0.2), lambda: tn.LeakyReLU(0.2), (3, 4)),
    LayerCase("sigmoid", nn.Sigmoid, tn.Sigmoid, (3, 4)),
    LayerCase("tanh", nn.Tanh, tn.Tanh, (3, 4)),
    LayerCase("softplus", nn.Softplus, tn.Softplus, (3, 4)),
    LayerCase("softmax", lambda: nn.Softmax(dim=1), lambda: tn.Softmax(dim=1), (3, 4, 2)),
    LayerCase("log-softmax", lambda: nn.LogSoftmax(dim=-1), lambda: tn.LogSoftmax(dim=-1),
              (3, 4)),
    LayerCase("identity", nn.Identity, tn.Identity, (3, 4)),
    LayerCase("flatten", nn.Flatten, tn.Flatten, (2, 3, 4)),
    LayerCase("zeropad", lambda: nn.ZeroPad2d((1, 0, 2, 1)),
              lambda: tn.ZeroPad2d((1, 0, 2, 1)), (2, 1, 3, 3)),
    LayerCase("dropout-eval", lambda: nn.Dropout(0.5), lambda: tn.Dropout(0.5), (3, 4),
              training=False),
    LayerCase("w17-cnn", lambda: _w17(nn), lambda: _w17(tn), (2, 3, 32, 32), distinct=True),
]


def _w17(lib: Any) -> Any:
    return lib.Sequential(lib.Conv2d(3, 6, 5), lib.ReLU(), lib.MaxPool2d(2, 2),
                          lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2, 2), lib.Flatten(),
                          lib.Linear(400, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(),
                          lib.Linear(84, 10))


def _input(case: LayerCase, rng: np.random.Generator) -> np.ndarray:
    if case.name == "maxpool-ties":  # ReLU'd values: many windows of zeros
        return np.maximum(rng.standard_normal(case.shape), 0) * (rng.random(case.shape) < 0.3)
    if case.distinct:
        n = int(np.prod(case.shape))
        return (rng.permutation(n) / n - 0.5).reshape(case.shape) * 4
    return rng.standard_normal(case.shape)


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")
@pytest.mark.parametrize("case", LAYERS, ids=str)
def test_layer_matches_torch(case: LayerCase):
    rng = np.random.default_rng(0)
    ours, theirs = case.ours(), case.theirs().double()
    ours.double()
    for k, v in ours.state_dict().items():  # random statistics too, for eval mode
        if k.endswith("running_mean"):
            v.data[...] = rng.standard_normal(v.shape)
        elif k.endswith("running_var"):
            v.data[...] = rng.uniform(0.5, 2, v.shape)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in ours.state_dict().items()})
    ours.train(case.training)
    theirs.train(case.training)
    x = _input(case, rng)
    xo = Tensor(x, dtype="float64", requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    yo, yt = ours(xo), theirs(xt)
    _close(yo, yt, "output")
    w = rng.uniform(0.5, 1.5, yo.shape)
    (yo * Tensor(w, dtype="float64")).sum().backward()
    (yt * torch.from_numpy(w)).sum().backward()
    _close(xo.grad, xt.grad, "input gradient")
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, their_params[name].grad, f"gradient of {name}")
    their_state = theirs.state_dict()
    for name, b in ours.state_dict().items():  # running statistics after the step
        _close(b, their_state[name], f"state {name}")


# ---- losses ----------------------------------------------------------------------------


@dataclass
class LossCase:
    name: str
    ours: Callable[..., Any]
    theirs: Callable[..., Any]
    input: Callable[[np.random.Generator], np.ndarray]
    target: Callable[[np.random.Generator], np.ndarray]
    target_grad: bool = False  # also compare the gradient w.r.t. a float target

    def __str__(self) -> str:
        return self.name


def _normal(*shape: int) -> Callable[[np.random.Generator], np.ndarray]:
    return lambda rng: rng.standard_normal(shape) * 1.5


def _uniform(*shape: int, lo: float = 0.05, hi: float = 0.95):
    return lambda rng: rng.uniform(lo, hi, shape)


def _classes(c: int, *shape: int, ignore: bool = False):
    def make(rng: np.random.Generator) -> np.ndarray:
        t = rng.integers(0, c, shape)
        if ignore:
            t.flat[0] = -100
        return t
    return make


def _probs(*shape: int):
    return lambda rng: rng.dirichlet(np.ones(shape[1]), shape[0])


def _signs(*shape: int):
    return lambda rng: np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def _hinge_torch(x: Any, y: Any, reduction: str) -> Any:
    out = torch.clamp(1 - y * x, min=0)
    return {"mean": out.mean, "sum": out.sum, "none": lambda: out}[reduction]()


LOSSES = []
for red in ("mean", "sum", "none"):
    LOSSES += [
        LossCase(f"mse-{red}", lambda a, b, r=red: nn.MSELoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.MSELoss(reduction=r)(a, b), _normal(4, 3), _normal(4, 3),
                 True),
        LossCase(f"l1-{red}", lambda a, b, r=red: nn.L1Loss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.L1Loss(reduction=r)(a, b), _normal(4, 3), _normal(4, 3),
                 True),
        LossCase(f"huber-{red}", lambda a, b, r=red: nn.HuberLoss(reduction=r, delta=0.7)(a, b),
                 lambda a, b, r=red: tn.HuberLoss(reduction=r, delta=0.7)(a, b), _normal(4, 3),
                 _normal(4, 3), True),
        LossCase(f"bce-{red}", lambda a, b, r=red: nn.BCELoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.BCELoss(reduction=r)(a, b), _uniform(6), _uniform(6),
                 True),
        LossCase(f"bce-logits-{red}", lambda a, b, r=red: nn.BCEWithLogitsLoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.BCEWithLogitsLoss(reduction=r)(a, b), _normal(3, 2),
                 _uniform(3, 2, lo=0, hi=1), True),
        LossCase(f"cross-entropy-{red}",
                 lambda a, b, r=red: nn.CrossEntropyLoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.CrossEntropyLoss(reduction=r)(a, b), _normal(5, 4),
                 _classes(4, 5)),
        LossCase(f"cross-entropy-probs-{red}",
                 lambda a, b, r=red: nn.CrossEntropyLoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.CrossEntropyLoss(reduction=r)(a, b), _normal(5, 4),
                 _probs(5, 4), True),
        LossCase(f"nll-{red}", lambda a, b, r=red: nn.NLLLoss(reduction=r)(a, b),
                 lambda a, b, r=red: tn.NLLLoss(reduction=r)(a, b), _normal(5, 4),
                 _classes(4, 5)),
        LossCase(f"hinge-{red}", lambda a, b, r=red: nn.HingeLoss(reduction=r)(a, b),
                 lambda a, b, r=red: _hinge_torch(a, b, r), _normal(6), _signs(6)),
    ]
LOSSES += [
    LossCase("bce-logits-pos-weight", lambda a, b: F.binary_cross_entropy_with_logits(
        a, b, pos_weight=Tensor([2.0, 0.5], dtype="float64")),
        lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
            a, b, pos_weight=torch.tensor([2.0, 0.5], dtype=torch.float64)),
        _normal(3, 2), _uniform(3, 2, lo=0, hi=1), True),
    LossCase("bce-logits-large", lambda a, b: F.binary_cross_entropy_with_logits(a, b),
             lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(a, b),
             lambda rng: np.array([-800.0, -30.0, 0.0, 30.0, 800.0]),
             lambda rng: np.array([1.0, 0.0, 1.0, 0.0, 1.0])),
    LossCase("cross-entropy-smoothing", lambda a, b: F.cross_entropy(a, b, label_smoothing=0.2),
             lambda a, b: torch.nn.functional.cross_entropy(a, b, label_smoothing=0.2),
             _normal(5, 4), _classes(4, 5)),
    LossCase("cross-entropy-probs-smoothing",
             lambda a, b: F.cross_entropy(a, b, label_smoothing=0.2),
             lambda a, b: torch.nn.functional.cross_entropy(a, b, label_smoothing=0.2),
             _normal(5, 4), _probs(5, 4), True),
    LossCase("cross-entropy-ignore", lambda a, b: F.cross_entropy(a, b),
             lambda a, b: torch.nn.functional.cross_entropy(a, b), _normal(5, 4),
             _classes(4, 5, ignore=True)),
    LossCase("cross-entropy-ignore-smoothing",
             lambda a, b: F.cross_entropy(a, b, ignore_index=1, label_smoothing=0.1),
             lambda a, b: torch.nn.functional.cross_entropy(a, b, ignore_index=1,
                                                            label_smoothing=0.1),
             _normal(6, 3), _classes(3, 6)),
    LossCase("cross-entropy-spatial", lambda a, b: F.cross_entropy(a, b),
             lambda a, b: torch.nn.functional.cross_entropy(a, b), _normal(2, 4, 3, 2),
             _classes(4, 2, 3, 2)),
    LossCase("cross-entropy-unbatched", lambda a, b: F.cross_entropy(a, b),
             lambda a, b: torch.nn.functional.cross_entropy(a, b), _normal(4),
             lambda rng: np.array(2)),
    LossCase("cross-entropy-large-logits", lambda a, b: F.cross_entropy(a, b),
             lambda a, b: torch.nn.functional.cross_entropy(a, b),
             lambda rng: np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]]),
             lambda rng: np.array([1, 2])),
    LossCase("nll-ignore", lambda a, b: F.nll_loss(a, b, ignore_index=0),
             lambda a, b: torch.nn.functional.nll_loss(a, b, ignore_index=0), _normal(6, 3),
             _classes(3, 6)),
]


@pytest.mark.parametrize("case", LOSSES, ids=str)
def test_loss_matches_torch(case: LossCase):
    rng = np.random.default_rng(1)
    x, y = case.input(rng), case.target(rng)
    xo = Tensor(x, dtype="float64", requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    float_target = y.dtype.kind == "f"
    yo = Tensor(y, dtype="float64", requires_grad=case.target_grad) if float_target \
        else Tensor(y)
    yt = torch.tensor(y, requires_grad=case.target_grad) if float_target \
        else torch.from_numpy(y)
    lo, lt = case.ours(xo, yo), case.theirs(xt, yt)
    _close(lo, lt, "loss")
    w = rng.uniform(0.5, 1.5, lo.shape)
    (lo * Tensor(w, dtype="float64")).sum().backward()
    (lt * torch.from_numpy(w)).sum().backward()
    _close(xo.grad, xt.grad, "input gradient")
    if case.target_grad:
        _close(yo.grad, yt.grad, "target gradient")
