"""Neural-network building blocks, shaped like ``torch.nn``.

    module.py         Module, Parameter (registration, parameters(), state_dict, to())
    linear.py         Linear, Identity
    conv.py           Conv1d/2d/3d (im2col + one matrix product), ConvTranspose1d/2d/3d,
                      Unfold, Fold
    pooling.py        MaxPool1d/2d/3d, AvgPool1d/2d/3d, MaxUnpool1d/2d,
                      AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d
    normalization.py  BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm, InstanceNorm1d/2d/3d
    embedding.py      Embedding
    attention.py      MultiheadAttention
    activation.py     ReLU, LeakyReLU, Sigmoid, Tanh, Softplus, GELU, Softmax, LogSoftmax,
                      SiLU, ELU, SELU, CELU, Mish, Hardtanh, ReLU6, Hardswish, Hardsigmoid,
                      Softsign, LogSigmoid, Softmin, PReLU
    dropout.py        Dropout
    flatten.py        Flatten
    padding.py        ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad (1d/2d/3d)
    container.py      Sequential, ModuleList
    losses.py         MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss,
                      CrossEntropyLoss, NLLLoss, HingeLoss, SmoothL1Loss, SoftMarginLoss,
                      KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss, PoissonNLLLoss,
                      GaussianNLLLoss, HingeEmbeddingLoss, MultiLabelSoftMarginLoss,
                      MultiMarginLoss, TripletMarginLoss
    init.py           initialisers (nn.init.kaiming_uniform_, ...)
    functional.py     every layer as a function (nn.functional.conv2d, ...)
    serialization.py  save / load state dicts (data only, never code)
    summary.py        summary(model, input_shape): Keras-style table of shapes and params
    utils.py          clip_grad_norm_ (also as nn.utils.clip_grad_norm_)
    upsampling.py     Upsample, UpsamplingNearest2d, UpsamplingBilinear2d
    pixelshuffle.py   PixelShuffle, PixelUnshuffle
"""

from . import functional, init, utils
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .attention import MultiheadAttention
from .container import ModuleList, Sequential
from .conv import Conv2d
from .dropout import Dropout
from .embedding import Embedding
from .flatten import Flatten
from .linear import Identity, Linear
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    l1_penalty,
    l2_penalty,
)
from .module import IncompatibleKeys, Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .padding import ZeroPad2d
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .serialization import SerializationError, load, save
from .summary import Summary, summary
from .utils import clip_grad_norm_

__all__ = ["AdaptiveAvgPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss",
           "BatchNorm1d", "BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "Embedding",
           "Flatten", "GELU", "HingeLoss", "HuberLoss", "Identity", "IncompatibleKeys", "L1Loss",
           "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Module",
           "ModuleList", "MultiheadAttention", "NLLLoss", "Parameter", "ReLU", "Sequential",
           "SerializationError", "Sigmoid", "Softmax", "Softplus", "Summary", "Tanh",
           "ZeroPad2d", "clip_grad_norm_", "functional", "init", "l1_penalty", "l2_penalty",
           "load", "save", "summary", "utils"]

# more activations (issue 11)
from .activation import (  # noqa: E402
    CELU,
    ELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    SiLU,
    Softmin,
    Softsign,
)

__all__ += ["CELU", "ELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish",
            "PReLU", "ReLU6", "SELU", "SiLU", "Softmin", "Softsign"]

# neural-network layers of issue 11: convolution, pooling, padding, resampling, norms, losses
from .conv import (  # noqa: E402
    Conv1d,
    Conv3d,
    ConvTranspose1d,
    ConvTranspose2d,
    ConvTranspose3d,
    Fold,
    Unfold,
)
from .losses import (  # noqa: E402
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    KLDivLoss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .normalization import (  # noqa: E402
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)
from .padding import (  # noqa: E402
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad3d,
)
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: E402
from .pooling import (  # noqa: E402
    AdaptiveAvgPool1d,
    AdaptiveAvgPool3d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    AvgPool1d,
    AvgPool3d,
    MaxPool1d,
    MaxPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
)
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402

__all__ += ["AdaptiveAvgPool1d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
            "AdaptiveMaxPool3d", "AvgPool1d", "AvgPool3d", "CircularPad1d", "CircularPad2d",
            "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "Conv1d", "Conv3d",
            "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "CosineEmbeddingLoss", "Fold",
            "GaussianNLLLoss", "GroupNorm", "HingeEmbeddingLoss", "InstanceNorm1d",
            "InstanceNorm2d", "InstanceNorm3d", "KLDivLoss", "MarginRankingLoss", "MaxPool1d",
            "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MultiLabelSoftMarginLoss",
            "MultiMarginLoss", "PixelShuffle", "PixelUnshuffle", "PoissonNLLLoss",
            "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
            "ReplicationPad2d", "ReplicationPad3d", "SmoothL1Loss", "SoftMarginLoss",
            "TripletMarginLoss", "Unfold", "Upsample", "UpsamplingBilinear2d",
            "UpsamplingNearest2d", "ZeroPad1d", "ZeroPad3d"]
