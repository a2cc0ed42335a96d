"""Math ops without the oracle: gradcheck (analytic backward vs central differences, float64)
for every differentiable op, float32 in → float32 out, hypothesis properties, and the
errors bad input gets."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.testing import gradcheck


def t64(arr: Any, requires_grad: bool = True) -> Tensor:
    return Tensor(np.asarray(arr, dtype=np.float64), dtype="float64", requires_grad=requires_grad)


def draw(shape: tuple[int, ...], low: float, high: float, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def away_from_integers(x: np.ndarray, gap: float = 0.05) -> np.ndarray:
    """Quotients near a whole number sit on a jump of floor/trunc: move them off it."""
    frac = x - np.round(x)
    return np.where(np.abs(frac) < gap, x + 3 * gap, x)


# name → (fn, low, high): domains keep away from poles and branch edges
UNARY_GRAD: dict[str, tuple[Callable[[Tensor], Tensor], float, float]] = {
    "sin": (tg.sin, -4, 4), "cos": (tg.cos, -4, 4), "tan": (tg.tan, -1.2, 1.2),
    "asin": (tg.asin, -0.9, 0.9), "acos": (tg.acos, -0.9, 0.9), "atan": (tg.atan, -4, 4),
    "sinh": (tg.sinh, -3, 3), "cosh": (tg.cosh, -3, 3), "log2": (tg.log2, 0.2, 4),
    "log10": (tg.log10, 0.2, 4), "log1p": (tg.log1p, -0.8, 4), "exp2": (tg.exp2, -3, 3),
    "expm1": (tg.expm1, -3, 3), "rsqrt": (tg.rsqrt, 0.2, 4), "erf": (tg.erf, -2.5, 2.5),
    "reciprocal": (tg.reciprocal, 0.3, 3), "square": (tg.square, -3, 3),
    "floor": (tg.floor, -3, 3), "ceil": (tg.ceil, -3, 3), "round": (tg.round, -3, 3),
    "trunc": (tg.trunc, -3, 3), "sign": (tg.sign, -3, 3),
    "second_derivative_sin": (lambda x: _grad_of(tg.sin, x), -3, 3),
    "second_derivative_erf": (lambda x: _grad_of(tg.erf, x), -2, 2),
    "second_derivative_atan": (lambda x: _grad_of(tg.atan, x), -2, 2),
}
ROUNDING = {"floor", "ceil", "round", "trunc", "sign"}


def _grad_of(fn: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """d fn/dx as a differentiable Tensor (backward with create_graph=True)."""
    with tg.enable_grad():  # gradcheck evaluates fn under no_grad for its differences
        y = fn(x)
        y.backward(y.ones_like(), create_graph=True)
    g = x.grad
    x.grad = None
    assert g is not None
    return g


@pytest.mark.parametrize("name", list(UNARY_GRAD))
def test_unary_gradcheck(name: str) -> None:
    fn, lo, hi = UNARY_GRAD[name]
    x = draw((3, 4), lo, hi, seed=len(name))
    if name in ROUNDING:
        x = away_from_integers(x) + (0.25 if name == "round" else 0.0)
    gradcheck(fn, t64(x))


@pytest.mark.parametrize("name", [n for n in UNARY_GRAD if not n.startswith("second")])
def test_unary_float32_stays_float32(name: str) -> None:
    fn, lo, hi = UNARY_GRAD[name]
    x = Tensor(draw((5,), lo, hi).astype(np.float32), requires_grad=True)
    out = fn(x)
    assert out.dtype == np.float32
    expected = fn(t64(x.numpy(), False)).numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == np.float32


BINARY_GRAD: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "atan2": tg.atan2, "hypot": tg.hypot, "logaddexp": tg.logaddexp,
    "fmod": tg.fmod, "remainder": tg.remainder, "mod": lambda a, b: a % b,
    "lerp": lambda a, b: tg.lerp(a, b, 0.3),
    "lerp_tensor_weight": lambda a, b: a.lerp(b, b.sigmoid()),
    "maximum_scalar": lambda a, b: tg.maximum(a, 0.3) * b,
    "minimum_scalar": lambda a, b: tg.minimum(-0.2, a) * b,
}


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((2, 3), (3,)), ((3, 1), (1, 2))],
                         ids=str)
@pytest.mark.parametrize("name", list(BINARY_GRAD))
def test_binary_gradcheck(name: str, shapes: Any) -> None:
    a = draw(shapes[0], -3, 3, seed=1)
    b = draw(shapes[1], 0.6, 2, seed=2) * np.where(draw(shapes[1], 0, 1, seed=3) < 0.5, -1, 1)
    if name in ("fmod", "remainder", "mod"):
        a = away_from_integers(a / b) * b
    gradcheck(BINARY_GRAD[name], t64(a), t64(b))


def test_reflected_remainder_gradcheck() -> None:
    """∂(c % b)/∂b = −⌊c/b⌋ for a Python number c."""
    b = draw((4,), 0.6, 2, seed=4)
    b = 2.5 / away_from_integers(2.5 / b)
    gradcheck(lambda t: 2.5 % t, t64(b))


# ---- hypothesis properties ----------------------------------------------------------------

finite = st.floats(-50, 50, allow_nan=False, width=64)
vectors = hnp.arrays(np.float64, st.integers(1, 6), elements=finite)


@given(vectors)
def test_pythagoras_and_hyperbolic_identities(x: np.ndarray) -> None:
    t = t64(x, False)
    np.testing.assert_allclose((tg.sin(t) ** 2 + tg.cos(t) ** 2).numpy(), 1.0, atol=1e-12)
    c = np.clip(x, -15, 15)
    small = t64(c, False)
    diff = (tg.cosh(small) ** 2 - tg.sinh(small) ** 2).numpy()
    assert (np.abs(diff - 1.0) <= 1e-12 * np.cosh(c) ** 2 + 1e-12).all()


@given(vectors)
def test_rounding_brackets_x(x: np.ndarray) -> None:
    t = t64(x, False)
    fl, ce, tr = tg.floor(t).numpy(), tg.ceil(t).numpy(), tg.trunc(t).numpy()
    assert (fl <= x).all() and (x < fl + 1).all() and (ce >= x).all() and (x > ce - 1).all()
    assert (np.abs(tr) <= np.abs(x)).all() and (np.abs(x) < np.abs(tr) + 1).all()
    assert (np.abs(tg.round(t).numpy() - x) <= 0.5).all()


@given(hnp.arrays(np.int64, st.integers(1, 8), elements=st.integers(-10**6, 10**6)),
       st.integers(-1000, 1000).filter(lambda v: v != 0))
def test_division_identities_on_integers(a: np.ndarray, b: int) -> None:
    """a = (a // b)·b + a % b with 0 ≤ |a % b| < |b| and the divisor's sign (Python's rule);
    the trunc/fmod pair satisfies the same identity with the dividend's sign."""
    t = Tensor(a)
    q, r = (t // b).numpy(), (t % b).numpy()
    np.testing.assert_array_equal(q * b + r, a)
    np.testing.assert_array_equal(q, a // b)
    np.testing.assert_array_equal(r, a % b)
    qt, rt = tg.div(t, b, rounding_mode="trunc").numpy(), tg.fmod(t, b).numpy()
    np.testing.assert_array_equal(qt * b + rt, a)
    assert ((rt == 0) | (np.sign(rt) == np.sign(a))).all()
    assert q.dtype == np.int64 and qt.dtype == np.int64


@given(vectors, vectors)
def test_logaddexp_and_hypot_bounds(x: np.ndarray, y: np.ndarray) -> None:
    n = min(len(x), len(y))
    a, b = t64(x[:n], False), t64(y[:n], False)
    lae = tg.logaddexp(a, b).numpy()
    m = np.maximum(x[:n], y[:n])
    assert (lae >= m - 1e-12).all() and (lae <= m + math.log(2) + 1e-12).all()
    h = tg.hypot(a, b).numpy()
    assert (h >= np.maximum(np.abs(x[:n]), np.abs(y[:n])) - 1e-12).all()


@given(hnp.arrays(np.int32, st.integers(1, 8), elements=st.integers(-2**31, 2**31 - 1)),
       st.integers(0, 40))
def test_shifts_match_python_integers_wrapped_to_int32(a: np.ndarray, s: int) -> None:
    """<< and >> on int32 as Python's arbitrary-precision shifts wrapped to 32 bits (0 at
    32 or more for <<; the sign for >>), which is what PyTorch computes."""
    def wrap(v: int) -> int:
        return (v + 2**31) % 2**32 - 2**31

    t = Tensor(a, dtype="int32")
    left, right = (t << s).numpy().tolist(), (t >> s).numpy().tolist()
    assert left == [wrap(v << s) if s < 32 else 0 for v in a.tolist()]
    assert right == [v >> s for v in a.tolist()]


@given(vectors, st.floats(0, 1e-3), st.floats(0, 1e-3))
def test_isclose_agrees_with_numpy(x: np.ndarray, rtol: float, atol: float) -> None:
    y = x * (1 + 5e-4) + 1e-4
    got = tg.isclose(t64(x, False), t64(y, False), rtol=rtol, atol=atol).numpy()
    np.testing.assert_array_equal(got, np.isclose(x, y, rtol=rtol, atol=atol))


# ---- errors name the op and what was wrong --------------------------------------------------


def test_errors_name_the_op() -> None:
    with pytest.raises(TypeError, match="sin: expected a Tensor, got list"):
        tg.sin([1.0, 2.0])
    with pytest.raises(ValueError, match=r"atan2: shapes \(2,\) and \(3,\) cannot be broadcast"):
        tg.atan2(Tensor([1.0, 2.0]), Tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ZeroDivisionError, match="remainder: integer division by zero"):
        Tensor([5, 3]) % Tensor([1, 0])
    with pytest.raises(ZeroDivisionError, match="div: integer division by zero"):
        Tensor([5]) // 0
    with pytest.raises(ZeroDivisionError, match="fmod: integer division by zero"):
        tg.fmod(Tensor([5]), 0)
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'floor' or 'trunc'"):
        Tensor([1.0]).div(2, rounding_mode="round")
    with pytest.raises(TypeError, match="bitwise_and: only integer and bool tensors"):
        Tensor([1.0]) & 1
    with pytest.raises(TypeError, match="right_shift: only integer tensors"):
        Tensor([True]) >> 1
    with pytest.raises(ValueError, match="isclose: rtol and atol must be non-negative"):
        tg.isclose(Tensor([1.0]), Tensor([1.0]), rtol=-1)


def test_float_division_by_zero_is_silent_inf_and_nan_as_torch() -> None:
    """Float zero divisors give ±inf/NaN without a numpy RuntimeWarning (as PyTorch)."""
    import warnings

    x = Tensor([5.0, -5.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q, r, f = (x // 0.0).tolist(), (x % 0.0).tolist(), tg.fmod(x, 0.0).tolist()
    assert q[:2] == [math.inf, -math.inf] and math.isnan(q[2])
    assert all(math.isnan(v) for v in r + f)


def test_integer_to_a_negative_integer_power_is_an_error() -> None:
    with pytest.raises(ValueError, match="pow: integers to negative integer powers"):
        Tensor([2, 3]) ** -1
    with pytest.raises(ValueError, match="pow: integers to negative integer powers"):
        Tensor([2, 3]) ** Tensor([1, -2])
    assert (Tensor([2, 3]) ** Tensor([1, 2])).tolist() == [2, 9]
    assert (Tensor([2.0]) ** -1).tolist() == [0.5]


@pytest.mark.parametrize("scipy", [True, False], ids=["scipy", "math.erf"])
def test_erf_with_and_without_scipy(scipy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """erf uses SciPy's ufunc when it is installed, else math.erf per element: both exact."""
    from tinygrad_edu.backend import cpu

    if not scipy:
        monkeypatch.setattr(cpu, "_scipy_erf", lambda: None)
    elif cpu._scipy_erf() is None:
        pytest.skip("SciPy is not installed")
    x = np.linspace(-6, 6, 241)
    want = [math.erf(v) for v in x]
    np.testing.assert_allclose(tg.erf(t64(x, False)).numpy(), want, rtol=1e-15, atol=1e-16)
    got32 = tg.erf(Tensor(x.astype(np.float32)))
    assert got32.dtype == np.float32
    np.testing.assert_allclose(got32.numpy(), want, rtol=1e-6, atol=1e-7)
    assert tg.erf(Tensor(0.5, dtype="float64")).item() == pytest.approx(math.erf(0.5))


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 50))
def test_linspace_endpoints_spacing_and_logspace(start: float, end: float, steps: int) -> None:
    """linspace has ``steps`` values, starts at start, ends at end (for steps ≥ 2), with
    equal gaps; logspace is 10 ** linspace."""
    got = tg.linspace(start, end, steps, dtype="float64").numpy()
    assert got.shape == (steps,)
    if steps:
        assert got[0] == start
    if steps >= 2:
        assert got[-1] == end
        np.testing.assert_allclose(np.diff(got), (end - start) / (steps - 1),
                                   atol=1e-9 * (abs(start) + abs(end) + 1))
    small = tg.logspace(start / 500, end / 500, steps, dtype="float64").numpy()
    np.testing.assert_allclose(small, 10.0 ** np.linspace(start / 500, end / 500, steps),
                               rtol=1e-12)


@given(st.integers(-100, 100), st.integers(1, 50), st.integers(0, 2**32 - 1))
def test_randint_stays_in_range_and_repeats_with_its_seed(low: int, width: int,
                                                          seed: int) -> None:
    a = tg.randint(low, low + width, (40,), seed=seed).numpy()
    assert a.dtype == np.int64 and (a >= low).all() and (a < low + width).all()
    np.testing.assert_array_equal(a, tg.randint(low, low + width, (40,), seed=seed).numpy())
