"""Public testing toolkit for property-based suites: first- and second-derivative checks
(``gradcheck``, ``gradgradcheck``), comparisons with per-dtype tolerances
(``assert_close``) and hypothesis strategies (``strategies``). See docs/testing.md.

>>> from hypothesis import given
>>> from tinygrad_edu.testing import gradcheck, gradgradcheck, strategies as tst
>>> @given(tst.tensors(dtype="float64", requires_grad=True, max_side=3))
... def test_tanh_derivatives(x):
...     gradcheck(lambda t: t.tanh(), x)
...     gradgradcheck(lambda t: t.tanh(), x)
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
