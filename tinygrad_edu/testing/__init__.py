"""Public testing toolkit for property-based suites: gradient checks, comparisons and
hypothesis strategies.

>>> from hypothesis import given
>>> from tinygrad_edu.testing import gradcheck, strategies as tst
>>> @given(tst.tensors(dtype="float64", requires_grad=True))
... def test_tanh_grad(x):
...     gradcheck(lambda t: t.tanh(), x)
"""

from .compare import assert_close
from .gradcheck import (
    DEFAULT_TOLERANCES,
    GradcheckError,
    NondeterminismError,
    NotFiniteError,
    gradcheck,
    gradgradcheck,
    numerical_grad,
)

__all__ = ["DEFAULT_TOLERANCES", "GradcheckError", "NondeterminismError", "NotFiniteError",
           "assert_close", "gradcheck", "gradgradcheck", "numerical_grad"]
