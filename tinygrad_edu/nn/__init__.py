"""Neural-network building blocks, shaped like ``torch.nn``.

    module.py         Module, Parameter (registration, parameters(), state_dict, to())
    linear.py         Linear, Identity
    conv.py           Conv2d (im2col + one matrix product)
    pooling.py        MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
    normalization.py  BatchNorm1d, BatchNorm2d, LayerNorm
    embedding.py      Embedding
    attention.py      MultiheadAttention
    activation.py     ReLU, LeakyReLU, Sigmoid, Tanh, Softplus, GELU, Softmax, LogSoftmax
    dropout.py        Dropout
    flatten.py        Flatten
    padding.py        ZeroPad2d
    container.py      Sequential, ModuleList
    losses.py         MSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss,
                      CrossEntropyLoss, NLLLoss, HingeLoss
    init.py           initialisers (nn.init.kaiming_uniform_, ...)
    functional.py     every layer as a function (nn.functional.conv2d, ...)
    serialization.py  save / load state dicts (data only, never code)
    summary.py        summary(model, input_shape): Keras-style table of shapes and params
    utils.py          clip_grad_norm_ (also as nn.utils.clip_grad_norm_)
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
