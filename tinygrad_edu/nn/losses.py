"""Loss functions, each as a function and as a module (``nn.MSELoss()(ŷ, y)`` is
``mse_loss(ŷ, y)``), with PyTorch's argument order (prediction first, then target) and
``reduction``: ``"mean"`` (default) averages the per-element losses, ``"sum"`` adds
them, ``"none"`` returns them.

Targets may be Tensors, numpy arrays or lists; they are moved to the input's device.
Regression losses insist that prediction and target have the same shape: broadcasting
a (N, 1) prediction against a (N,) target would silently compare every prediction with
every target — a classic bug that PyTorch only warns about.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ops import operands
from ..ops.nn import SoftmaxCrossEntropy
from ..tensor import Tensor, where
from .activation import softplus
from .module import Module

if TYPE_CHECKING:
    from ..backend.base import Array

_REDUCTIONS = ("mean", "sum", "none")


# ---- shared helpers ------------------------------------------------------------------


def _check_reduction(reduction: str, who: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _reduce(loss: Tensor, reduction: str, who: str, count: float | None = None) -> Tensor:
    """Apply ``reduction`` to per-element losses; ``count`` replaces the number of
    elements in the mean (cross-entropy leaves out ignored targets, and with class
    weights divides by the total weight of the targets). A mean over nothing is NaN
    with a zero gradient, as in PyTorch."""
    _check_reduction(reduction, who)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if count is None or count == loss.size:
        return loss.mean()
    return _per(loss.sum(), count)


def _per(total: Tensor, count: float) -> Tensor:
    """total / count; 0/0 is NaN with a zero gradient (the total of nothing is 0)."""
    return total / count if count else total * 0.0 + float("nan")


def _as_target(target: Any, like: Tensor) -> Tensor:
    """A target given as a list or array becomes a Tensor on the input's device."""
    if isinstance(target, Tensor):
        return target
    return Tensor(np.asarray(target), device=like.device)


def _paired_target(input: Tensor, target: Any, who: str) -> Tensor:
    """The target of an elementwise loss: same shape as the input, in its float dtype."""
    t = _as_target(target, input)
    if t.shape != input.shape:
        hint = (f"; reshape one, e.g. target.reshape{input.shape}"
                if t.size == input.size else "")
        raise ValueError(f"{who}: input {input.shape} and target {t.shape} must have the same "
                         f"shape (broadcasting them would compare every prediction with every "
                         f"target){hint}")
    if input.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point, got {input.dtype}")
    return t.to_dtype(input.dtype)


def _host(t: Tensor) -> np.ndarray:
    return t.backend.to_numpy(t.data)


# ---- regression ----------------------------------------------------------------------


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """ℓ = (ŷ − y)²;  ∂ℓ/∂ŷ = 2(ŷ − y). (The seed's ½·(y − ŷ)² is half of this.)"""
    d = input - _paired_target(input, target, "mse_loss")
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """ℓ = |ŷ − y|;  ∂ℓ/∂ŷ = sign(ŷ − y) (0 at 0)."""
    d = input - _paired_target(input, target, "l1_loss")
    return _reduce(d.abs(), reduction, "l1_loss")


def huber_loss(input: Tensor, target: Any, *, reduction: str = "mean", delta: float = 1.0
               ) -> Tensor:
    """ℓ = ½d² for |d| ≤ δ, δ(|d| − ½δ) otherwise (d = ŷ − y): quadratic near the target,
    linear far from it, so outliers pull with a bounded force δ.

    Written as ½q² + δ(|d| − q) with q = min(|d|, δ), which is both branches at once.
    """
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    a = (input - _paired_target(input, target, "huber_loss")).abs()
    q = a.clip(max=delta)
    return _reduce(q * q * 0.5 + (a - q) * delta, reduction, "huber_loss")


# ---- binary classification -----------------------------------------------------------


def _clamped_log(p: Tensor) -> Tensor:
    """log p, clamped below at −100 as PyTorch's BCELoss does, so that p = 0 gives a large
    finite loss; the ``where`` keeps log(0) = −∞ out of the graph (its gradient would
    turn into 0·∞ = NaN)."""
    positive = p.detach() > 0
    return where(positive, where(positive, p, 1.0).log(), -100.0).clip(min=-100.0)


def binary_cross_entropy(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """ℓ = −[y log p + (1 − y) log(1 − p)] for probabilities p (after a sigmoid);
    ∂ℓ/∂p = (p − y) / (p(1 − p)). Each log is clamped at −100, as in PyTorch.

    Raises if p is outside [0, 1]: raw scores belong in
    ``binary_cross_entropy_with_logits``, which is also more accurate.
    """
    y = _paired_target(input, target, "binary_cross_entropy")
    values = _host(input)
    if values.size and (np.isnan(values).any() or values.min() < 0 or values.max() > 1):
        raise ValueError(
            f"binary_cross_entropy: input must hold probabilities in [0, 1], got values "
            f"from {np.nanmin(values):.4g} to {np.nanmax(values):.4g}"
            + (" and NaN" if np.isnan(values).any() else "")
            + "; for raw scores (logits) use binary_cross_entropy_with_logits "
            "(BCEWithLogitsLoss), or apply sigmoid first")
    targets = _host(y)
    outside = targets[~((targets >= 0) & (targets <= 1))]  # NaN is outside too
    if outside.size:
        raise ValueError(f"binary_cross_entropy: target must hold probabilities in [0, 1] (as "
                         f"PyTorch requires), got {outside.size} value(s) outside, e.g. "
                         f"{outside.flat[0]:.4g}")
    loss = -(y * _clamped_log(input) + (1 - y) * _clamped_log(1 - input))
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Any, *, reduction: str = "mean",
                                     pos_weight: Tensor | float | None = None) -> Tensor:
    """BCE of p = σ(x) computed from the logit x without forming p::

        ℓ = (1 − y)·x + w·softplus(−x),   w = 1 + (pos_weight − 1)·y

    which, for w = 1, is −[y log σ(x) + (1 − y) log(1 − σ(x))] rewritten with
    log σ(x) = −softplus(−x). softplus never overflows, so ℓ is exact even for
    |x| = 1000; ∂ℓ/∂x = σ(x) − y (for w = 1). ``pos_weight`` > 1 weighs positives more.
    """
    y = _paired_target(input, target, "binary_cross_entropy_with_logits")
    weight = 1.0 if pos_weight is None else 1 + (operands.as_tensor(input, pos_weight) - 1) * y
    loss = (1 - y) * input + weight * softplus(-input)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def hinge_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """ℓ = max(0, 1 − y·ŷ) for labels y ∈ {−1, +1} and raw scores ŷ (the SVM loss);
    ∂ℓ/∂ŷ = −y where the margin y·ŷ is below 1, else 0."""
    y = _paired_target(input, target, "hinge_loss")
    labels = np.unique(_host(y))
    if not np.isin(labels, (-1.0, 1.0)).all():
        raise ValueError(f"hinge_loss: labels must be −1 or +1, got values "
                         f"{labels[:6].tolist()}; map 0/1 labels to ±1 with 2·y − 1")
    return _reduce((1 - y * input).relu(), reduction, "hinge_loss")


# ---- multi-class classification ------------------------------------------------------


def _class_axis(input: Tensor, who: str) -> int:
    if input.ndim == 0:
        raise ValueError(f"{who}: input must be (N, C) scores (or (C,) for one sample), "
                         f"got a scalar")
    if input.dtype.kind != "f":
        raise TypeError(f"{who}: input must be floating point scores, got {input.dtype}")
    return 1 if input.ndim >= 2 else 0


def _index_targets(input: Tensor, target: Tensor, axis: int, ignore_index: int, who: str
                   ) -> tuple[Array, Array, int]:
    """Check class indices and return (one-hot rows, valid mask, number of valid
    targets); both arrays have the class axis (size C and 1) so they broadcast."""
    classes = input.shape[axis]
    want = input.shape[:axis] + input.shape[axis + 1:]
    if target.shape != want:
        raise ValueError(f"{who}: target of shape {target.shape} does not fit input of shape "
                         f"{input.shape}: class indices need shape {want} (one per sample), "
                         f"class probabilities need shape {input.shape}")
    host = _host(target)
    be = input.backend
    t = be.reshape(target.data, want[:axis] + (1,) + want[axis:])
    ids = be.reshape(be.arange(0, classes, 1, t.dtype), (classes,) + (1,) * (t.ndim - axis - 1))
    if host.size:  # the usual batch: every index in range and none ignored (fewer passes)
        lo, hi = host.min(), host.max()
        if 0 <= lo and hi < classes and not lo <= ignore_index <= hi:
            return be.binary("eq", t, ids), be.asarray(True), int(host.size)
    real = host[host != ignore_index]
    if real.size and (real.min() < 0 or real.max() >= classes):
        bad = int(real.min()) if real.min() < 0 else int(real.max())
        raise ValueError(f"{who}: target holds class index {bad}, out of range for input of "
                         f"shape {input.shape} with {classes} classes (valid indices: 0 … "
                         f"{classes - 1})")
    valid = be.binary("ne", t, ignore_index)
    onehot = be.binary("logical_and", be.binary("eq", t, ids), valid)
    return onehot, valid, int(real.size)


def _class_weights(weight: Any, input: Tensor, axis: int, who: str) -> Array | None:
    """Per-class weights (C,) as an array that broadcasts along the class axis (they are
    constants: no gradient flows to them, as in PyTorch's loss modules)."""
    if weight is None:
        return None
    w = _as_target(weight, input)
    classes = input.shape[axis]
    if w.shape != (classes,):
        raise ValueError(f"{who}: weight must have shape ({classes},), one per class of input "
                         f"{input.shape}, got {w.shape}")
    return input.backend.reshape(w.to_dtype(input.dtype).data,
                                 (classes,) + (1,) * (input.ndim - axis - 1))


def _total_weight(input: Tensor, onehot: Array, w: Array | None, count: int) -> float:
    """The denominator of a weighted mean: Σₙ w[yₙ] over the targets not ignored."""
    if w is None:
        return count
    be = input.backend
    return float(be.to_numpy(be.reduce("sum", be.binary("mul", onehot, w))))


def cross_entropy(input: Tensor, target: Any, weight: Tensor | None = None, *,
                  reduction: str = "mean", ignore_index: int = -100,
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of raw scores (logits) x of shape (N, C) (or (N, C, d…), or (C,)).

    ``target`` is either class indices (integers, shape (N,)) or class probabilities
    (floats, the shape of x). With target distribution q and class weights w (ones when
    ``weight`` is None)::

        ℓₙ = −Σₖ wₖ qₖ log softmax(xₙ)ₖ,     q = (1 − ε)·q + ε / C   (label smoothing ε)

    For an index y that is ℓₙ = −w_y log softmax(xₙ)_y. Targets equal to ``ignore_index``
    contribute nothing. The mean over class indices is PyTorch's *weighted* mean:
    Σₙ ℓₙ / Σₙ w[yₙ] over the targets not ignored (a plain mean over N for
    probabilities); with label smoothing the smoothing term is divided by the same sum.
    All targets ignored: the mean is NaN (0/0) and its gradient 0, as in PyTorch.
    ∂ℓ/∂x = softmax(x)·Σₖ wₖqₖ − w·q.
    """
    who = "cross_entropy"
    axis = _class_axis(input, who)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{who}: label_smoothing must be in [0, 1], got {label_smoothing}")
    classes = input.shape[axis]
    t = _as_target(target, input)
    w = _class_weights(weight, input, axis, who)
    count: float | None = None
    if t.dtype.kind in "iu":
        onehot, valid, n_valid = _index_targets(input, t, axis, ignore_index, who)
        count = _total_weight(input, onehot, w, n_valid)
        q_arr = onehot.astype(input.dtype)
        if label_smoothing:
            q_arr = q_arr * (1 - label_smoothing) + valid * (label_smoothing / classes)
        if w is not None:
            q_arr = q_arr * w
        q = input._constant(q_arr.astype(input.dtype, copy=False))
    elif t.dtype.kind == "f":
        if t.shape != input.shape:
            raise ValueError(f"{who}: target has dtype {t.dtype} and shape {t.shape}: class "
                             f"indices must be integers (use target.long()), class "
                             f"probabilities must have the input's shape {input.shape}")
        q = t.to_dtype(input.dtype)
        if label_smoothing:
            q = q * (1 - label_smoothing) + label_smoothing / classes
        if w is not None:
            q = q * input._constant(w)
    else:
        raise TypeError(f"{who}: target must hold integer class indices or float class "
                        f"probabilities, got dtype {t.dtype}")
    _check_reduction(reduction, who)
    rows = input.size // classes if classes else 0
    divisor = 1.0 if reduction == "sum" else count if count is not None else rows
    if reduction != "none" and divisor:  # the mean or sum inside the op: two nodes fewer
        return SoftmaxCrossEntropy.apply(input, q, axis=axis, scale=1.0 / divisor)
    loss = SoftmaxCrossEntropy.apply(input, q, axis=axis)
    return _reduce(loss, reduction, who, count)


def nll_loss(input: Tensor, target: Any, weight: Tensor | None = None, *,
             reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood of log-probabilities (the output of ``log_softmax``) and
    class indices y: ℓₙ = −w_y · input[n, yₙ]; ∂ℓ/∂input = −w_y · onehot(y). The mean is
    weighted as in ``cross_entropy`` (divided by Σₙ w[yₙ] over targets not ignored).
    ``cross_entropy`` is ``nll_loss(log_softmax(x), y)`` in one step."""
    who = "nll_loss"
    axis = _class_axis(input, who)
    t = _as_target(target, input)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{who}: target must hold integer class indices, got dtype "
                        f"{t.dtype} (use target.long())")
    onehot, _, n_valid = _index_targets(input, t, axis, ignore_index, who)
    w = _class_weights(weight, input, axis, who)
    # where() picks input[n, yₙ] (its gradient is the one-hot itself, so no scatter is
    # needed); a product with the one-hot would turn a −inf elsewhere into NaN
    picked = where(input._constant(onehot), input, 0.0)
    if w is not None:
        picked = picked * input._constant(w)
    return _reduce(-picked.sum(axis), reduction, who, _total_weight(input, onehot, w, n_valid))


# ---- more regression and ranking losses -----------------------------------------------


def smooth_l1_loss(input: Tensor, target: Any, *, reduction: str = "mean", beta: float = 1.0
                   ) -> Tensor:
    """ℓ = ½d²/β for |d| < β, |d| − ½β otherwise (d = ŷ − y); β = 0 is the L1 loss.
    ``huber_loss`` with δ = β is β times this. Written as ½q²/β + (|d| − q) with
    q = min(|d|, β); ∂ℓ/∂ŷ = d/β inside, sign(d) outside."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    a = (input - _paired_target(input, target, "smooth_l1_loss")).abs()
    if beta == 0:
        return _reduce(a, reduction, "smooth_l1_loss")
    q = a.clip(max=beta)
    return _reduce(q * q * (0.5 / beta) + (a - q), reduction, "smooth_l1_loss")


def soft_margin_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """ℓ = log(1 + exp(−y·x)) = softplus(−y·x) for labels y ∈ {−1, +1} (the logistic
    loss); ∂ℓ/∂x = −y·σ(−y·x)."""
    y = _paired_target(input, target, "soft_margin_loss")
    return _reduce(softplus(-(y * input)), reduction, "soft_margin_loss")


def margin_ranking_loss(input1: Tensor, input2: Any, target: Any, margin: float = 0.0, *,
                        reduction: str = "mean") -> Tensor:
    """ℓ = max(0, −y·(x₁ − x₂) + margin) for y = +1 (x₁ should rank higher) or −1;
    ∂ℓ/∂x₁ = −y = −∂ℓ/∂x₂ where the margin is violated. The three have the same number
    of dimensions and broadcast together, as in PyTorch."""
    who = "margin_ranking_loss"
    x2 = _as_target(input2, input1)
    y = _as_target(target, input1)
    if not input1.ndim == x2.ndim == y.ndim:
        raise ValueError(f"{who}: input1 {input1.shape}, input2 {x2.shape} and target "
                         f"{y.shape} must have the same number of dimensions")
    operands.broadcast_shapes(who, input1.shape, x2.shape, y.shape)
    if input1.dtype.kind != "f":
        raise TypeError(f"{who}: inputs must be floating point, got {input1.dtype}")
    loss = (-(y.to_dtype(input1.dtype)) * (input1 - x2) + margin).relu()
    return _reduce(loss, reduction, who)


def cosine_embedding_loss(input1: Tensor, input2: Any, target: Any, margin: float = 0.0, *,
                          reduction: str = "mean") -> Tensor:
    """For pairs of vectors (x₁, x₂) (rows of (N, D) inputs, or two (D,) vectors) and
    y = ±1, with c = cos(x₁, x₂) = x₁·x₂ / √((|x₁|² + ε)(|x₂|² + ε)), ε = 1e-12::

        ℓ = 1 − c            for y = 1   (pull together)
        ℓ = max(0, c − m)    for y = −1  (push apart, to cosine at most m)

    Gradients through c's quotient rule (built from Tensor ops)."""
    who = "cosine_embedding_loss"
    x2 = _as_target(input2, input1)
    y = _as_target(target, input1)
    if input1.shape != x2.shape or input1.ndim not in (1, 2):
        raise ValueError(f"{who}: input1 {input1.shape} and input2 {x2.shape} must be the same "
                         f"shape, (N, D) or (D,)")
    want = input1.shape[:-1]
    if y.shape != want:
        raise ValueError(f"{who}: target must have shape {want} (one ±1 per pair), got "
                         f"{y.shape}")
    if input1.dtype.kind != "f":
        raise TypeError(f"{who}: inputs must be floating point, got {input1.dtype}")
    eps = 1e-12
    dot = (input1 * x2).sum(-1)
    norms = (((input1 * input1).sum(-1) + eps) * ((x2 * x2).sum(-1) + eps)).sqrt()
    cos = dot / norms
    y = y.to_dtype(input1.dtype)
    loss = where(y == 1, 1 - cos, 0.0) + where(y == -1, (cos - margin).relu(), 0.0)
    return _reduce(loss, reduction, who)


def kl_div(input: Tensor, target: Any, *, reduction: str = "mean", log_target: bool = False
           ) -> Tensor:
    """Kullback–Leibler divergence KL(p ‖ q) per element, for the *log*-probabilities
    ``input`` = log q and the target p (or log p when ``log_target``)::

        ℓ = p·(log p − log q)              (0 where p = 0: x·log x → 0)
        ∂ℓ/∂log q = −p,    ∂ℓ/∂p = log p + 1 − log q

    ``reduction``: "mean" averages over *all elements* (PyTorch's default, which is not
    the divergence); "batchmean" sums and divides by the batch size input.shape[0] —
    the true KL divergence per sample; "sum"; "none".

    Differs from PyTorch: the gradient with respect to a target p = 0 (when the target
    requires grad) is −log q here, NaN in PyTorch (its xlogy gives 0/0 there)."""
    who = "kl_div"
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{who}: reduction must be one of {_REDUCTIONS + ('batchmean',)}, "
                         f"got {reduction!r}")
    p = _paired_target(input, target, who)
    if log_target:
        loss = p.exp() * (p - input)
    else:
        # p·log p as PyTorch's xlogy: 0 at p = 0, NaN for p < 0; where() keeps log(0)
        # = −inf out of the graph (its gradient would be 0·∞ = NaN)
        pd = p.detach()
        logp = where(pd > 0, where(pd > 0, p, 1.0).log(), where(pd < 0, float("nan"), pd))
        loss = p * logp - p * input
    if reduction == "batchmean":
        return _per(loss.sum(), input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction, who)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     eps: float = 1e-8, *, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of a Poisson target y with rate λ::

        log_input=True:  ℓ = exp(x) − y·x        (x = log λ)
        log_input=False: ℓ = λ − y·log(λ + eps)

    ``full`` adds Stirling's approximation of log(y!), y·log y − y + ½·log(2πy), where
    y > 1 (as PyTorch)."""
    who = "poisson_nll_loss"
    y = _paired_target(input, target, who)
    loss = input.exp() - y * input if log_input else input - y * (input + eps).log()
    if full:
        yd = y.detach()
        big = yd > 1
        safe = where(big, yd, 2.0)
        loss = loss + where(big, safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log(),
                            0.0)
    return _reduce(loss, reduction, who)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, *, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of a Gaussian target y with mean μ = input and variance σ²
    = var (clamped below at eps, the gradient passing as if it were not, as PyTorch)::

        ℓ = ½·(log σ² + (μ − y)² / σ²)   (+ ½·log 2π when ``full``)

    ``var`` has the input's shape, or that shape with the last axis 1 or dropped (one
    variance shared by the last axis)."""
    who = "gaussian_nll_loss"
    y = _paired_target(input, target, who)
    v = _as_target(var, input).to_dtype(input.dtype)
    if v.shape != input.shape:
        if v.shape == input.shape[:-1]:
            v = v.unsqueeze(-1)
        elif not (v.shape[:-1] == input.shape[:-1] and v.ndim == input.ndim
                  and v.shape[-1] == 1):
            raise ValueError(f"{who}: var of shape {v.shape} does not fit input of shape "
                             f"{input.shape}")
    host = _host(v)
    if host.size and host.min() < 0:
        raise ValueError(f"{who}: var has negative entries")
    vd = v.detach()
    v = v + (vd.clip(min=eps) - vd)  # clamp the value, keep the gradient
    loss = 0.5 * (v.log() + (input - y) * (input - y) / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, who)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, *,
                         reduction: str = "mean") -> Tensor:
    """For distances x and labels y = ±1: ℓ = x where y = 1, max(0, margin − x) where
    y = −1 (similar pairs pulled together, dissimilar ones pushed beyond the margin)."""
    who = "hinge_embedding_loss"
    y = _paired_target(input, target, who)
    loss = where(y != 1, (margin - input).relu(), 0.0) + where(y != -1, input, 0.0)
    return _reduce(loss, reduction, who)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Tensor | None = None, *,
                                reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of logits x (N, C) against multi-hot targets y, averaged over
    the classes of each sample (per-class ``weight`` optional)::

        ℓₙ = −(1/C)·Σ_c w_c·[y log σ(x) + (1 − y) log σ(−x)],  log σ(x) = −softplus(−x)"""
    who = "multilabel_soft_margin_loss"
    y = _paired_target(input, target, who)
    loss = y * softplus(-input) + (1 - y) * softplus(input)
    if weight is not None:
        loss = loss * _as_target(weight, input).to_dtype(input.dtype)
    return _reduce(loss.mean(-1), reduction, who)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, *, reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss of scores x (N, C) (or (C,)) and class indices y::

        ℓₙ = Σ_{i ≠ y} w_y · max(0, margin − x_y + x_i)^p / C        (p = 1 or 2)"""
    who = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"{who}: p must be 1 or 2, got {p!r}")
    axis = _class_axis(input, who)
    t = _as_target(target, input)
    if t.dtype.kind not in "iu" or input.ndim > 2:
        raise ValueError(f"{who}: expected scores (N, C) or (C,) and integer class indices, "
                         f"got {input.shape} and {t.dtype} {t.shape}")
    onehot, _, _ = _index_targets(input, t, axis, -(2 ** 62), who)
    mask = input._constant(onehot)
    picked = where(mask, input, 0.0).sum(axis, keepdims=True)
    hinge = (margin - picked + input).relu()
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        w = _class_weights(weight, input, axis, who)
        hinge = hinge * input._constant(
            input.backend.reduce("sum", input.backend.binary("mul", onehot, w), axis, True))
    loss = where(mask, 0.0, hinge).sum(axis) / input.shape[axis]
    return _reduce(loss, reduction, who)


def pairwise_distance(x1: Tensor, x2: Any, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x₁ − x₂ + eps‖_p over the last axis (eps keeps the norm away from 0, where its
    gradient is undefined, as PyTorch)."""
    d = (x1 - _as_target(x2, x1) + eps).abs()
    if p == 2:
        return (d * d).sum(-1, keepdims=keepdim).sqrt()
    return (d ** p).sum(-1, keepdims=keepdim) ** (1.0 / p)


def triplet_margin_loss(anchor: Tensor, positive: Any, negative: Any, margin: float = 1.0,
                        p: float = 2.0, eps: float = 1e-6, swap: bool = False, *,
                        reduction: str = "mean") -> Tensor:
    """ℓ = max(0, d(a, p) − d(a, n) + margin) with d the ``pairwise_distance``; ``swap``
    uses min(d(a, n), d(p, n)) as the negative distance."""
    who = "triplet_margin_loss"
    pos, neg = _as_target(positive, anchor), _as_target(negative, anchor)
    if not anchor.ndim == pos.ndim == neg.ndim or anchor.ndim not in (1, 2):
        raise ValueError(f"{who}: anchor {anchor.shape}, positive {pos.shape} and negative "
                         f"{neg.shape} must all be (N, D) or (D,)")
    d_pos = pairwise_distance(anchor, pos, p, eps)
    d_neg = pairwise_distance(anchor, neg, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(pos, neg, p, eps))
    return _reduce((d_pos - d_neg + margin).relu(), reduction, who)


# ---- regularisation ------------------------------------------------------------------


def _param_list(parameters: Module | Iterable[Tensor]) -> list[Tensor]:
    params = list(parameters.parameters() if isinstance(parameters, Module) else parameters)
    if not params:
        raise ValueError("penalty: got no parameters")
    return params


def _total(terms: Iterable[Tensor]) -> Tensor:
    # functools.reduce rather than sum(): sum() would start from a CPU 0
    return functools.reduce(operator.add, terms)


def l1_penalty(parameters: Module | Iterable[Tensor], coefficient: float = 1.0) -> Tensor:
    """λ·Σ|θ| over all ``parameters`` (a Module or Tensors) — add it to the loss for L1
    regularisation, which drives weights to exactly 0 (∂/∂θ = λ·sign θ)."""
    return _total(p.abs().sum() for p in _param_list(parameters)) * coefficient


def l2_penalty(parameters: Module | Iterable[Tensor], coefficient: float = 1.0) -> Tensor:
    """λ·Σθ² over all ``parameters`` — L2 regularisation as Keras defines it
    (∂/∂θ = 2λθ). An optimiser's ``weight_decay=wd`` adds wd·θ to the gradient, which is
    this penalty with λ = wd/2. Pass only the weights if the biases should stay free."""
    return _total((p * p).sum() for p in _param_list(parameters)) * coefficient


# ---- the same losses as modules ------------------------------------------------------


class _Loss(Module):
    """A loss layer: holds ``reduction`` (and options); ``forward(input, target)``."""

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, ``mse_loss``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error, ``l1_loss``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic within ``delta`` of the target, linear beyond, ``huber_loss``."""

    def __init__(self, *, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities, ``binary_cross_entropy``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy(input, target, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy of logits (sigmoid included, stable),
    ``binary_cross_entropy_with_logits``."""

    def __init__(self, *, reduction: str = "mean", pos_weight: Tensor | float | None = None
                 ) -> None:
        super().__init__(reduction=reduction)
        self.pos_weight = pos_weight

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return binary_cross_entropy_with_logits(input, target, reduction=self.reduction,
                                                pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """Softmax + negative log-likelihood of logits, ``cross_entropy`` (class indices or
    class probabilities as targets; per-class ``weight``; ``ignore_index``;
    ``label_smoothing``)."""

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean",
                 ignore_index: int = -100, label_smoothing: float = 0.0) -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return cross_entropy(input, target, self.weight, reduction=self.reduction,
                             ignore_index=self.ignore_index,
                             label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities, ``nll_loss``."""

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean",
                 ignore_index: int = -100) -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return nll_loss(input, target, self.weight, reduction=self.reduction,
                        ignore_index=self.ignore_index)


class HingeLoss(_Loss):
    """max(0, 1 − y·ŷ) for labels ±1, ``hinge_loss``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return hinge_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """½d²/β within β of the target, |d| − ½β beyond, ``smooth_l1_loss``."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class SoftMarginLoss(_Loss):
    """log(1 + exp(−y·x)) for labels ±1, ``soft_margin_loss``."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return soft_margin_loss(input, target, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, −y·(x₁ − x₂) + margin), ``margin_ranking_loss``; forward(x1, x2, y)."""

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Any, target: Any) -> Tensor:
        return margin_ranking_loss(input1, input2, target, self.margin,
                                   reduction=self.reduction)


class CosineEmbeddingLoss(MarginRankingLoss):
    """1 − cos(x₁, x₂) for y = 1, max(0, cos − margin) for y = −1,
    ``cosine_embedding_loss``; forward(x1, x2, y)."""

    def forward(self, input1: Tensor, input2: Any, target: Any) -> Tensor:
        return cosine_embedding_loss(input1, input2, target, self.margin,
                                     reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence of log-probabilities from a target, ``kl_div`` (reduction may also
    be "batchmean", the true KL divergence per sample)."""

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        Module.__init__(self)
        if reduction not in _REDUCTIONS + ("batchmean",):
            raise ValueError(f"KLDivLoss: reduction must be one of "
                             f"{_REDUCTIONS + ('batchmean',)}, got {reduction!r}")
        self.reduction, self.log_target = reduction, log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """``poisson_nll_loss`` as a layer."""

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8, *,
                 reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return poisson_nll_loss(input, target, self.log_input, self.full, self.eps,
                                reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """``gaussian_nll_loss`` as a layer; forward(input, target, var)."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
                 ) -> None:
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Any, var: Any) -> Tensor:
        return gaussian_nll_loss(input, target, var, self.full, self.eps,
                                 reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``hinge_embedding_loss`` as a layer."""

    def __init__(self, margin: float = 1.0, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """``multilabel_soft_margin_loss`` as a layer."""

    def __init__(self, weight: Tensor | None = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(_Loss):
    """``multi_margin_loss`` as a layer."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None, *,
                 reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.p, self.margin = p, margin
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return multi_margin_loss(input, target, self.p, self.margin, self.weight,
                                 reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``triplet_margin_loss`` as a layer; forward(anchor, positive, negative)."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Any, negative: Any) -> Tensor:
        return triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps,
                                   self.swap, reduction=self.reduction)
