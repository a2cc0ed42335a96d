"""The dtype vocabulary and the one promotion rule every op uses.

Tensors carry numpy dtypes (``numpy.float32``, ``numpy.int64``, ``numpy.bool_``, …);
strings such as ``"float32"`` and PyTorch's aliases (``"float"``, ``"double"``,
``"long"``) are accepted wherever a dtype is.

The promotion rule is PyTorch's, which differs from numpy's in one place that matters
for deep learning: an integer or bool operand takes the floating operand's dtype
(``int64 + float32 → float32``; numpy would say float64). Within one category
(float with float, int with int) numpy's promotion is used.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np

#: What a ``dtype=`` argument accepts: a numpy dtype or scalar type, or a name.
DTypeLike: TypeAlias = Any
#: A resolved dtype.
DType: TypeAlias = np.dtype

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

_ALIASES = {"float": np.float32, "double": np.float64, "long": np.int64, "int": np.int64,
            "half": np.float16, "bool": np.bool_}


def resolve(dtype: DTypeLike) -> DType | None:
    """A ``dtype=`` argument → a numpy dtype (None stays None)."""
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = _ALIASES.get(dtype, dtype)
    try:
        return np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"Tensor: unknown dtype {dtype!r}") from e


def default_for(arr: np.ndarray) -> DType:
    """The dtype ``Tensor(data)`` gives data without an explicit dtype: floats become
    float32 (the deep-learning default), ints stay integer (class labels; int64 unless
    they are unsigned or already 64-bit) and bools stay bool (masks), as ``torch.tensor``."""
    kind = arr.dtype.kind
    if kind == "f":
        return float32
    if kind in "iu":
        return arr.dtype if arr.dtype.itemsize == 8 or kind == "u" else int64
    if kind == "b":
        return arr.dtype
    raise TypeError(
        f"Tensor: cannot make a tensor from data of dtype {arr.dtype} "
        "(expected numbers or booleans)"
    )


def is_float(dtype: DType) -> bool:
    return dtype.kind == "f"


def promote(*dtypes: DType) -> DType:
    """The result dtype of an op on operands of these dtypes (PyTorch's rule: floats win,
    then numpy's promotion within the winning category)."""
    floats = [d for d in dtypes if d.kind == "f"]
    if floats and len(floats) != len(dtypes):
        return np.result_type(*floats)
    return np.result_type(*dtypes)


def scalar_dtype(value: bool | int | float, like: DType) -> DType | None:
    """The dtype a Python scalar takes beside a tensor of dtype ``like``: the tensor's own
    when it is floating (so float32 stays float32), float32 for a float beside an integer
    tensor, the tensor's for an int beside an integer one; None lets numpy decide."""
    kind = like.kind
    if isinstance(value, float) and kind != "f":
        return float32
    if kind == "f" or (isinstance(value, int) and not isinstance(value, bool) and kind in "iu"):
        return like
    if isinstance(value, bool) and kind == "b":
        return like
    return None
