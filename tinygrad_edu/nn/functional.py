"""Every layer as a plain function, as in ``torch.nn.functional`` (``import
tinygrad_edu.nn.functional as F``). A function takes its weights as arguments; the layer
of the same name holds them. Each is defined next to its layer — this module only
gathers them:

    linear.py         linear
    conv.py           conv2d
    pooling.py        max_pool2d, avg_pool2d, adaptive_avg_pool2d
    normalization.py  batch_norm, layer_norm
    embedding.py      embedding
    attention.py      scaled_dot_product_attention
    dropout.py        dropout
    activation.py     relu, leaky_relu, sigmoid, tanh, softplus, gelu, softmax, log_softmax
    padding.py        pad (PyTorch's order: last axis first)
    losses.py         mse_loss, l1_loss, huber_loss, binary_cross_entropy,
                      binary_cross_entropy_with_logits, cross_entropy, nll_loss,
                      hinge_loss, l1_penalty, l2_penalty
"""

from __future__ import annotations

from .activation import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh
from .attention import scaled_dot_product_attention
from .conv import conv2d
from .dropout import dropout
from .embedding import embedding
from .linear import linear
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    l1_loss,
    l1_penalty,
    l2_penalty,
    mse_loss,
    nll_loss,
)
from .normalization import batch_norm, layer_norm
from .padding import pad
from .pooling import adaptive_avg_pool2d, avg_pool2d, max_pool2d

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout",
           "embedding", "gelu", "hinge_loss", "huber_loss", "l1_loss", "l1_penalty",
           "l2_penalty", "layer_norm", "leaky_relu", "linear", "log_softmax", "max_pool2d",
           "mse_loss", "nll_loss", "pad", "relu", "scaled_dot_product_attention", "sigmoid",
           "softmax", "softplus", "tanh"]

# more activations (issue 11)
from .activation import (  # noqa: E402
    celu,
    elu,
    hardsigmoid,
    hardswish,
    hardtanh,
    logsigmoid,
    mish,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softsign,
)

__all__ += ["celu", "elu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish",
            "prelu", "relu6", "selu", "silu", "softmin", "softsign"]
