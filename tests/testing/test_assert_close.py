"""assert_close: PyTorch's per-dtype defaults (checked against torch.testing as an oracle),
exact integers, check_dtype, and a message with the greatest absolute and relative
differences and their indices."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.testing import assert_close
from tinygrad_edu.testing.compare import DEFAULT_RTOL_ATOL, default_tolerances


def passes(actual, expected, **kw) -> bool:
    try:
        assert_close(actual, expected, **kw)
    except AssertionError:
        return False
    return True


def test_regressions_from_the_issue():
    # float16 one ulp apart: float64's tolerances failed it; torch passes it
    one = np.float16(1.0)
    assert passes(np.array([one]), np.array([np.nextafter(one, np.float16(2))]))
    # integers are exact: 1e9 vs 1e9 + 50 passed with rtol 1e-7
    assert not passes(np.array([10**9]), np.array([10**9 + 50]))
    assert not passes(np.array([2**53 + 1]), np.array([2**53]))  # not rounded via float64
    assert passes(np.array([10**9]), np.array([10**9 + 50]), rtol=1e-6, atol=0)
    # float32 vs float64: passes within float32's tolerance, fails with check_dtype
    assert passes(Tensor([1.0]), np.array([1.0 + 1e-6]))
    with pytest.raises(AssertionError, match="dtypes differ: actual float32, expected float64"):
        assert_close(Tensor([1.0]), np.array([1.0]), check_dtype=True)


def test_default_table_is_torchs():
    assert DEFAULT_RTOL_ATOL["float16"] == (1e-3, 1e-5)
    assert DEFAULT_RTOL_ATOL["bfloat16"] == (1.6e-2, 1e-5)
    assert DEFAULT_RTOL_ATOL["float32"] == (1.3e-6, 1e-5)
    assert DEFAULT_RTOL_ATOL["float64"] == (1e-7, 1e-7)
    assert default_tolerances("int64", "int32") == (0.0, 0.0)
    assert default_tolerances("float32", "float64") == (1.3e-6, 1e-5)  # the looser


DTYPES = ["float16", "float32", "float64", "int32", "int64"]


@settings(max_examples=200, deadline=None)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_agrees_with_torch_testing_assert_close(dtype, data):
    torch = pytest.importorskip("torch")
    dt = np.dtype(dtype)
    if dt.kind == "f":
        base = data.draw(st.floats(-1e3, 1e3, width=16 if dt.itemsize == 2 else 64))
        # offsets around each dtype's tolerance boundary, in units of |base|·rtol + atol
        rtol, atol = DEFAULT_RTOL_ATOL[dtype]
        scale = data.draw(st.sampled_from([0.0, 0.3, 0.9, 1.1, 2.0, 10.0]))
        other = base + data.draw(st.sampled_from([-1, 1])) * scale * (atol + rtol * abs(base))
    else:
        base = data.draw(st.integers(-10**6, 10**6))
        other = base + data.draw(st.integers(-2, 2))
    a = np.array([base], dtype=dt)
    e = np.array([other], dtype=dt)
    try:
        torch.testing.assert_close(torch.from_numpy(a), torch.from_numpy(e))
        want = True
    except AssertionError:
        want = False
    assert passes(a, e) == want, (a, e)


def test_bfloat16_from_torch():
    torch = pytest.importorskip("torch")
    a = torch.tensor([1.0, 2.0], dtype=torch.bfloat16)
    b = torch.tensor([1.0, 2.0 + 2**-6], dtype=torch.bfloat16)  # 1 bfloat16 ulp at 2
    torch.testing.assert_close(a, b)
    assert_close(a, b)
    with pytest.raises(AssertionError, match="dtypes differ: actual bfloat16, expected float32"):
        assert_close(a, b.float(), check_dtype=True)


def test_message_names_greatest_absolute_and_relative_differences():
    actual = Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype="float64")
    expected = np.array([[1.0, 2.001, 3.0], [4.0, 5.5, 6.0]])
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, msg="layer 2")
    msg = str(info.value)
    assert msg.startswith("layer 2: 2 of 6 elements (33.3%) differ: need |actual − expected| ≤ "
                          "atol + rtol·|expected|, atol=1e-07, rtol=1e-07 (float64's "
                          "defaults)"), msg
    assert "greatest absolute difference: 0.5 at index (1, 1): actual 5.0, expected 5.5" in msg
    # 0.5/5.5 = 0.0909 is the greatest relative difference too; 0.001/2.001 is smaller
    assert re.search(r"greatest relative difference: 0.0909\d* at index \(1, 1\)", msg)
    assert "dtypes: actual float64, expected float64" in msg


def test_message_when_absolute_and_relative_differ_in_place():
    with pytest.raises(AssertionError) as info:
        assert_close(np.array([1000.0, 0.001]), np.array([1000.5, 0.002]))
    msg = str(info.value)
    assert "greatest absolute difference: 0.5 at index (0,)" in msg
    assert "greatest relative difference: 0.5 at index (1,): actual 0.001, expected 0.002" in msg


def test_full_precision_values_and_integers_in_message():
    with pytest.raises(AssertionError) as info:
        assert_close(np.array([10**9]), np.array([10**9 + 50]))
    msg = str(info.value)
    assert "1 of 1 elements (100%) differ: integers must be equal" in msg
    assert "actual 1000000000, expected 1000000050" in msg
    with pytest.raises(AssertionError, match=r"actual 2\.0000011, expected 2\.0"):
        assert_close(np.array([2.0000011]), np.array([2.0]))


def test_nans_and_infinities():
    assert_close(np.array([1.0, np.nan]), Tensor([1.0, np.nan]))  # NaNs equal by default
    with pytest.raises(AssertionError, match=r"greatest absolute difference: nan at index "
                                             r"\(1,\): actual nan, expected 1\.0"):
        assert_close(np.array([1.0, np.nan]), np.array([1.0, 1.0]))
    with pytest.raises(AssertionError):
        assert_close(np.array([np.nan]), np.array([np.nan]), equal_nan=False)
    assert_close(np.array([np.inf]), np.array([np.inf]))
    with pytest.raises(AssertionError):
        assert_close(np.array([np.inf]), np.array([-np.inf]))


def test_shapes_and_one_given_tolerance():
    with pytest.raises(AssertionError, match=re.escape("shapes differ: actual (2,), "
                                                       "expected (3,)")):
        assert_close(Tensor([1.0, 2.0]), np.zeros(3))
    assert_close(Tensor([1.0]), Tensor([1.5]), atol=0.6)  # rtol keeps its default
    assert_close(Tensor(2.0), 2.0)


def test_accepts_torch_tensors():
    torch = pytest.importorskip("torch", reason="torch is optional")
    assert_close(Tensor([1.0, 2.0]), torch.tensor([1.0, 2.0], requires_grad=True))
