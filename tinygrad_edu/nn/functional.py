"""Every layer as a plain function, as in ``torch.nn.functional`` (``import
tinygrad_edu.nn.functional as F``). A function takes its weights as arguments; the layer
of the same name holds them. Each is defined next to its layer — this module only
gathers them:

    linear.py         linear
    conv.py           conv2d
    pooling.py        max_pool2d, avg_pool2d, adaptive_avg_pool2d
    normalization.py  batch_norm
    dropout.py        dropout
    activation.py     relu, leaky_relu, sigmoid, tanh, softplus, softmax, log_softmax
    padding.py        pad (PyTorch's order: last axis first)
    losses.py         mse_loss, l1_loss, huber_loss, binary_cross_entropy,
                      binary_cross_entropy_with_logits, cross_entropy, nll_loss,
                      hinge_loss, l1_penalty, l2_penalty
"""

from __future__ import annotations

from .activation import leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .dropout import dropout
from .linear import linear
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    l1_penalty,
    l2_penalty,
    margin_ranking_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
)
from .normalization import batch_norm
from .padding import pad
from .pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
    max_unpool1d,
    max_unpool2d,
)

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout",
           "hinge_loss", "huber_loss", "l1_loss", "l1_penalty", "l2_penalty", "leaky_relu",
           "linear", "log_softmax", "max_pool2d", "mse_loss", "nll_loss", "pad", "relu",
           "sigmoid", "softmax", "softplus", "tanh"]

# neural-network ops of issue 11 (conv, pooling, padding, resampling, norms, losses)
__all__ += ["adaptive_avg_pool1d", "adaptive_max_pool1d", "adaptive_max_pool2d", "avg_pool1d",
            "conv1d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_unpool1d",
            "max_unpool2d", "cosine_embedding_loss", "kl_div", "margin_ranking_loss",
            "smooth_l1_loss", "soft_margin_loss"]
