"""tinygrad_edu: a from-scratch reverse-mode autodiff tensor library, written to be read."""

from .autograd import (
                       detect_anomaly,
                       enable_grad,
                       is_grad_enabled,
                       no_grad,
                       set_grad_enabled,
)
from .function import Context, Function
from .tensor import Tensor, cat, concatenate, stack, where

__version__ = "0.1.0"

__all__ = ["Context", "Function", "Tensor", "cat", "concatenate", "detect_anomaly",
           "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled", "stack", "where"]
