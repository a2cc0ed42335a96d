"""Every layer as a plain function, as in ``torch.nn.functional`` (``import
tinygrad_edu.nn.functional as F``). A function takes its weights as arguments; the layer
of the same name holds them. Each is defined next to its layer — this module only
gathers them:

    linear.py         linear
    conv.py           conv1d/2d/3d, conv_transpose1d/2d/3d, unfold, fold
    pooling.py        max_pool1d/2d/3d, avg_pool1d/2d/3d, max_unpool1d/2d,
                      adaptive_avg_pool1d/2d/3d, adaptive_max_pool1d/2d/3d
    normalization.py  batch_norm, layer_norm, group_norm, instance_norm
    embedding.py      embedding
    attention.py      scaled_dot_product_attention
    dropout.py        dropout
    activation.py     relu, leaky_relu, sigmoid, tanh, softplus, gelu, softmax, log_softmax,
                      silu, elu, selu, celu, mish, hardtanh, relu6, hardswish, hardsigmoid,
                      softsign, logsigmoid, softmin, prelu
    padding.py        pad (PyTorch's order: last axis first; constant, reflect,
                      replicate, circular)
    losses.py         mse_loss, l1_loss, huber_loss, binary_cross_entropy,
                      binary_cross_entropy_with_logits, cross_entropy, nll_loss,
                      hinge_loss, l1_penalty, l2_penalty, smooth_l1_loss, kl_div,
                      soft_margin_loss, cosine_embedding_loss, margin_ranking_loss,
                      poisson_nll_loss, gaussian_nll_loss, hinge_embedding_loss,
                      multilabel_soft_margin_loss, multi_margin_loss, triplet_margin_loss,
                      pairwise_distance
    ops/nn.py         one_hot
    upsampling.py     interpolate
    pixelshuffle.py   pixel_shuffle, pixel_unshuffle
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

# neural-network ops of issue 11: convolution, pooling, resampling, norms, losses, one_hot
from ..ops.nn import one_hot  # noqa: E402
from .conv import (  # noqa: E402
    conv1d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    fold,
    unfold,
)
from .losses import (  # noqa: E402
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    kl_div,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    pairwise_distance,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .normalization import group_norm, instance_norm  # noqa: E402
from .pixelshuffle import pixel_shuffle, pixel_unshuffle  # noqa: E402
from .pooling import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool3d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
    adaptive_max_pool3d,
    avg_pool1d,
    avg_pool3d,
    max_pool1d,
    max_pool3d,
    max_unpool1d,
    max_unpool2d,
)
from .upsampling import interpolate, upsample  # noqa: E402

__all__ += ["adaptive_avg_pool1d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
            "adaptive_max_pool2d", "adaptive_max_pool3d", "avg_pool1d", "avg_pool3d", "conv1d",
            "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
            "cosine_embedding_loss", "fold", "gaussian_nll_loss", "group_norm",
            "hinge_embedding_loss", "instance_norm", "interpolate", "kl_div", "margin_ranking_loss",
            "max_pool1d", "max_pool3d", "max_unpool1d", "max_unpool2d", "multi_margin_loss",
            "multilabel_soft_margin_loss", "one_hot", "pairwise_distance", "pixel_shuffle",
            "pixel_unshuffle", "poisson_nll_loss", "smooth_l1_loss", "soft_margin_loss",
            "triplet_margin_loss", "unfold", "upsample"]
