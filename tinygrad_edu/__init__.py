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

# more math, predicates and creation ops as top-level functions (torch.sin, torch.linspace)
from .ops.compare import (  # noqa: E402
                          allclose,
                          bitwise_and,
                          bitwise_left_shift,
                          bitwise_not,
                          bitwise_or,
                          bitwise_right_shift,
                          bitwise_xor,
                          isclose,
                          isfinite,
                          isinf,
                          isnan,
                          logical_and,
                          logical_not,
                          logical_or,
                          logical_xor,
)
from .ops.creation import (  # noqa: E402
                           bernoulli,
                           empty,
                           empty_like,
                           full_like,
                           linspace,
                           logspace,
                           multinomial,
                           normal,
                           rand_like,
                           randint,
                           randint_like,
                           randn_like,
)
from .ops.elementwise import (  # noqa: E402
                              acos,
                              asin,
                              atan,
                              atan2,
                              ceil,
                              cos,
                              cosh,
                              div,
                              erf,
                              exp2,
                              expm1,
                              floor,
                              floor_divide,
                              fmod,
                              hypot,
                              lerp,
                              log1p,
                              log2,
                              log10,
                              logaddexp,
                              maximum,
                              minimum,
                              reciprocal,
                              remainder,
                              round,
                              rsqrt,
                              sign,
                              sin,
                              sinh,
                              square,
                              tan,
                              trunc,
)

arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
zeros, ones, full, arange, eye = Tensor.zeros, Tensor.ones, Tensor.full, Tensor.arange, Tensor.eye
rand, randn, zeros_like, ones_like = Tensor.rand, Tensor.randn, Tensor.zeros_like, Tensor.ones_like
__all__ += ["allclose", "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or",
            "bitwise_right_shift", "bitwise_xor", "isclose", "isfinite", "isinf", "isnan",
            "logical_and", "logical_not", "logical_or", "logical_xor", "bernoulli", "empty",
            "empty_like", "full_like", "linspace", "logspace", "multinomial", "normal",
            "rand_like", "randint", "randint_like", "randn_like", "acos", "asin", "atan",
            "atan2", "ceil", "cos", "cosh", "div", "erf", "exp2", "expm1", "floor",
            "floor_divide", "fmod", "hypot", "lerp", "log1p", "log2", "log10", "logaddexp",
            "maximum", "minimum", "reciprocal", "remainder", "round", "rsqrt", "sign", "sin",
            "sinh", "square", "tan", "trunc", "arcsin", "arccos", "arctan", "arctan2", "zeros",
            "ones", "full", "arange", "eye", "rand", "randn", "zeros_like", "ones_like"]

# the elementwise math and activations that torch also has at the top level (torch.exp, ...)
from .ops.activation import celu, prelu, relu, selu, sigmoid, tanh  # noqa: E402
from .ops.elementwise import abs, add, clamp, exp, log, mul, neg, pow, sqrt, sub  # noqa: E402

clip = clamp
__all__ += ["celu", "prelu", "relu", "selu", "sigmoid", "tanh", "abs", "add", "clamp", "clip",
            "exp", "log", "mul", "neg", "pow", "sqrt", "sub"]

# reductions, scans, sorting, indexing and shape ops as torch.* functions (issue 11)
from .ops.einsum import einsum, outer, tensordot, trace  # noqa: E402
from .ops.index import (  # noqa: E402
    argwhere,
    diag,
    diagonal,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    masked_fill,
    masked_select,
    nonzero,
    repeat_interleave,
    scatter,
    scatter_add,
    scatter_reduce,
    take,
    take_along_dim,
)
from .ops.movement import (  # noqa: E402
    flip,
    fliplr,
    flipud,
    meshgrid,
    movedim,
    narrow,
    roll,
    rot90,
    tile,
    unbind,
)
from .ops.movement import movedim as moveaxis  # noqa: E402
from .ops.reduce import count_nonzero, nanmean, nansum, norm, prod, std_mean, var_mean  # noqa: E402, E501
from .ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .ops.sort import (  # noqa: E402
    argsort,
    bincount,
    bucketize,
    kthvalue,
    median,
    mode,
    searchsorted,
    sort,
    topk,
    unique,
)

__all__ += ["argsort", "argwhere", "bincount", "bucketize", "count_nonzero", "cummax",
            "cummin", "cumprod", "cumsum", "diag", "diagonal", "einsum", "flip", "fliplr",
            "flipud", "gather", "index_add", "index_copy", "index_fill", "index_put",
            "index_select", "kthvalue", "logcumsumexp", "masked_fill", "masked_select", "median",
            "meshgrid", "mode", "movedim", "moveaxis", "nanmean", "nansum", "narrow", "nonzero",
            "norm", "outer", "prod", "repeat_interleave", "roll", "rot90", "scatter",
            "scatter_add", "scatter_reduce", "searchsorted", "sort", "std_mean", "take",
            "take_along_dim", "tensordot", "tile", "topk", "trace", "unbind", "unique",
            "var_mean"]
