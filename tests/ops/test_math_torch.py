"""Math ops against PyTorch (the oracle; skipped without torch), float64 forward and
gradients over random shapes with broadcasting and 0-size dims; int inputs' dtypes;
gradcheck; hypothesis properties.

``check_against_torch`` follows tests/core/test_core_torch.py: the same inputs go
through both libraries; forward values, shapes, dtypes and the gradients of
L = Σ out · w (a fixed random w) must agree. tests/ops/test_activations_torch.py uses it
too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the ops tests")


def check_against_torch(torch: Any, ours: Callable[..., Any], theirs: Callable[..., Any],
                        arrays: Sequence[np.ndarray], *, grad: bool = True,
                        atol: float = 1e-8, rtol: float = 1e-7, grad_atol: float = 1e-7,
                        grad_rtol: float = 1e-6, seed: int = 0) -> None:
    """Run ``ours`` on Tensors and ``theirs`` on torch tensors of the same ``arrays``
    (floating ones require grad when ``grad``); compare forward and backward."""
    def needs(a: np.ndarray) -> bool:
        return grad and a.dtype.kind == "f"

    tt = [torch.tensor(a, requires_grad=needs(a)) for a in arrays]
    tg = [Tensor(a, dtype=a.dtype, requires_grad=needs(a)) for a in arrays]
    out_t = theirs(*tt)
    out = ours(*tg)
    expected = out_t.detach().numpy()
    assert isinstance(out, Tensor), type(out)
    assert out.shape == tuple(expected.shape), f"shape {out.shape} vs torch {expected.shape}"
    assert out.dtype == expected.dtype, f"dtype {out.dtype} vs torch {expected.dtype}"
    np.testing.assert_allclose(out.numpy(), expected, atol=atol, rtol=rtol, equal_nan=True,
                               err_msg="forward differs from PyTorch")
    if not grad or expected.dtype.kind != "f" or not out.requires_grad:
        return
    w = np.random.default_rng(seed + 1).uniform(0.5, 1.5, size=expected.shape)
    w = w.astype(expected.dtype)
    (out_t * torch.tensor(w)).sum().backward()
    (out * Tensor(w, dtype=w.dtype)).sum().backward()
    for k, (a, b) in enumerate(zip(tt, tg, strict=True)):
        if not a.requires_grad:
            continue
        want = np.zeros(a.shape) if a.grad is None else a.grad.numpy()
        got = np.zeros(b.shape) if b.grad is None else b.grad.numpy()
        assert got.shape == want.shape, f"input {k}: grad shape {got.shape} vs {want.shape}"
        if b.grad is not None:
            assert b.grad.dtype == b.dtype, f"input {k}: grad dtype {b.grad.dtype}"
        np.testing.assert_allclose(got, want, atol=grad_atol, rtol=grad_rtol, equal_nan=True,
                                   err_msg=f"gradient of input {k} differs from PyTorch")


def uniform(shape: tuple[int, ...], low: float, high: float, seed: int,
            dtype: Any = np.float64) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)


def signed(shape: tuple[int, ...], low: float, high: float, seed: int) -> np.ndarray:
    """Values with |v| in [low, high] and a random sign (divisors away from 0)."""
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


pytestmark = pytest.mark.torch

# Shapes: ordinary, 0-d, a 0-size dim. Binary: broadcasting both ways and a 0-size dim.
UNARY_SHAPES = [(3, 4), (), (2, 0, 3), (7,)]
BINARY_SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 5)), ((0, 3), (3,)),
                 ((), (2, 2))]

# name → (ours, torch's, low, high): inputs drawn uniformly from [low, high]
UNARY: dict[str, tuple[Callable[..., Any], Callable[..., Any], float, float]] = {
    "sin": (tg.sin, torch.sin, -4, 4),
    "cos": (tg.cos, torch.cos, -4, 4),
    "tan": (tg.tan, torch.tan, -1.2, 1.2),
    "asin": (tg.asin, torch.asin, -0.95, 0.95),
    "acos": (tg.acos, torch.acos, -0.95, 0.95),
    "atan": (tg.atan, torch.atan, -5, 5),
    "arcsin": (tg.arcsin, torch.arcsin, -0.9, 0.9),
    "sinh": (tg.sinh, torch.sinh, -3, 3),
    "cosh": (tg.cosh, torch.cosh, -3, 3),
    "log2": (tg.log2, torch.log2, 0.1, 5),
    "log10": (tg.log10, torch.log10, 0.1, 5),
    "log1p": (tg.log1p, torch.log1p, -0.9, 5),
    "exp2": (tg.exp2, torch.exp2, -3, 3),
    "expm1": (tg.expm1, torch.expm1, -3, 3),
    "rsqrt": (tg.rsqrt, torch.rsqrt, 0.1, 4),
    "reciprocal": (tg.reciprocal, torch.reciprocal, 0.2, 3),
    "erf": (tg.erf, torch.erf, -3, 3),
    "square": (tg.square, torch.square, -3, 3),
    "sign": (tg.sign, torch.sign, -2, 2),
    "floor": (tg.floor, torch.floor, -3, 3),
    "ceil": (tg.ceil, torch.ceil, -3, 3),
    "round": (tg.round, torch.round, -3, 3),
    "trunc": (tg.trunc, torch.trunc, -3, 3),
    "round_decimals": (lambda x: tg.round(x, decimals=2),
                       lambda x: torch.round(x, decimals=2), -3, 3),
    # as Tensor methods
    "method_sin": (lambda x: x.sin(), lambda x: x.sin(), -3, 3),
    "method_log1p": (lambda x: x.log1p(), lambda x: x.log1p(), 0, 3),
    "method_rsqrt": (lambda x: x.rsqrt(), lambda x: x.rsqrt(), 0.5, 3),
    "method_arctan": (lambda x: x.arctan(), lambda x: x.arctan(), -3, 3),
}


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_against_torch(name: str, shape: tuple[int, ...]) -> None:
    ours, theirs, lo, hi = UNARY[name]
    check_against_torch(torch, ours, theirs, [uniform(shape, lo, hi, seed=len(name))])


@pytest.mark.parametrize("name", [n for n in UNARY if not n.startswith("method")])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32"])
def test_unary_result_dtype_matches_torch(name: str, dtype: str) -> None:
    """float ops make integers float32; rounding, sign and square keep integer dtypes."""
    ours, theirs, lo, hi = UNARY[name]
    vals = np.array([1, 2, 3]) if dtype != "bool" else np.array([True, False, True])
    try:
        want = theirs(torch.tensor(vals.astype(dtype)))
    except RuntimeError:  # torch refuses this dtype (floor of bool): so do we
        with pytest.raises(TypeError, match=f"{name.split('_')[0]}: .*bool|decimals"):
            ours(Tensor(vals.astype(dtype), dtype=dtype))
        return
    got = ours(Tensor(vals.astype(dtype), dtype=dtype))
    assert str(got.dtype) == str(want.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy().astype(np.float64),
                               want.numpy().astype(np.float64), rtol=1e-6)


def _pair(shapes: tuple[tuple[int, ...], tuple[int, ...]], seed: int,
          lo: Sequence[float], hi: Sequence[float], divisor: bool) -> list[np.ndarray]:
    a = uniform(shapes[0], lo[0], hi[0], seed)
    b = signed(shapes[1], lo[1], hi[1], seed + 7) if divisor else \
        uniform(shapes[1], lo[1], hi[1], seed + 7)
    return [a, b]


# name → (ours, torch's, (low_a, low_b), (high_a, high_b), b is a divisor (random sign))
BINARY: dict[str, tuple[Callable[..., Any], Callable[..., Any], tuple[float, float],
                        tuple[float, float], bool]] = {
    "atan2": (tg.atan2, torch.atan2, (-3, -3), (3, 3), False),
    "hypot": (tg.hypot, torch.hypot, (-3, -3), (3, 3), False),
    "logaddexp": (tg.logaddexp, torch.logaddexp, (-5, -5), (5, 5), False),
    "fmod": (tg.fmod, torch.fmod, (-7, 0.5), (7, 2), True),
    "remainder": (tg.remainder, torch.remainder, (-7, 0.5), (7, 2), True),
    "mod_operator": (lambda a, b: a % b, lambda a, b: a % b, (-7, 0.5), (7, 2), True),
    "floordiv_operator": (lambda a, b: a // b, lambda a, b: a // b, (-7, 0.5), (7, 2), True),
    "floor_divide": (tg.floor_divide, torch.floor_divide, (-7, 0.5), (7, 2), True),
    "div_floor": (lambda a, b: tg.div(a, b, rounding_mode="floor"),
                  lambda a, b: torch.div(a, b, rounding_mode="floor"), (-7, 0.5), (7, 2), True),
    "div_trunc": (lambda a, b: a.div(b, rounding_mode="trunc"),
                  lambda a, b: a.div(b, rounding_mode="trunc"), (-7, 0.5), (7, 2), True),
    "lerp_tensor_weight": (lambda a, b: tg.lerp(a, b, b.sigmoid()),
                           lambda a, b: torch.lerp(a, b, b.sigmoid()), (-3, -3), (3, 3), False),
    "lerp_scalar_weight": (lambda a, b: a.lerp(b, 0.3), lambda a, b: a.lerp(b, 0.3),
                           (-3, -3), (3, 3), False),
    "maximum": (tg.maximum, torch.maximum, (-3, -3), (3, 3), False),
    "minimum": (tg.minimum, torch.minimum, (-3, -3), (3, 3), False),
}


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary_against_torch(name: str, shapes: Any) -> None:
    ours, theirs, lo, hi, divisor = BINARY[name]
    check_against_torch(torch, ours, theirs, _pair(shapes, len(name), lo, hi, divisor),
                        grad=name not in TORCH_HAS_NO_GRADIENT)


# PyTorch raises "derivative for aten::floor_divide is not implemented" for these; ours is
# 0, the derivative of a piecewise-constant function (as torch.div(rounding_mode=) gives)
TORCH_HAS_NO_GRADIENT = {"floordiv_operator", "floor_divide"}


@pytest.mark.parametrize("op", ["//", "floor_divide", "rfloordiv"])
def test_gradient_of_floor_division_is_zero(op: str) -> None:
    a = Tensor(signed((3, 4), 0.5, 3, seed=1), dtype="float64", requires_grad=True)
    b = Tensor(signed((4,), 0.5, 3, seed=2), dtype="float64", requires_grad=True)
    out = {"//": lambda: a // b, "floor_divide": lambda: tg.floor_divide(a, b),
           "rfloordiv": lambda: 2.5 // b}[op]()
    out.sum().backward()
    assert b.grad is not None and not b.grad.numpy().any()
    assert op == "rfloordiv" or (a.grad is not None and not a.grad.numpy().any())


@pytest.mark.parametrize("name", ["fmod", "remainder", "mod_operator", "floordiv_operator",
                                  "div_floor", "div_trunc", "maximum", "minimum"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_division_family_against_torch(name: str, dtype: str) -> None:
    """Integers stay integers, with Python's (floor) or C's (trunc) rounding."""
    ours, theirs, *_ = BINARY[name]
    signed_ok = dtype != "uint8"
    a = np.array([-7, -6, -1, 0, 1, 5, 7, 100] if signed_ok else [0, 1, 5, 7, 100, 255, 3, 9])
    b = np.array([2, -3, 4, 5, -2, 3, -4, 7] if signed_ok else [2, 3, 4, 5, 2, 3, 4, 7])
    check_against_torch(torch, ours, theirs, [a.astype(dtype), b.astype(dtype)], grad=False)


@pytest.mark.parametrize("scalar", [2, -3, 2.5, -0.5])
@pytest.mark.parametrize("name", ["fmod", "remainder", "mod_operator", "floordiv_operator",
                                  "maximum", "minimum", "atan2"])
def test_binary_with_a_python_scalar(name: str, scalar: float) -> None:
    ours, theirs, *_ = BINARY[name]
    if name in ("maximum", "minimum", "atan2"):  # torch wants a tensor there
        def theirs_s(a: Any) -> Any:
            return theirs(a, torch.tensor(scalar, dtype=a.dtype))
    else:
        def theirs_s(a: Any) -> Any:
            return theirs(a, scalar)
    check_against_torch(torch, lambda a: ours(a, scalar), theirs_s,
                        [uniform((3, 4), -5, 5, seed=3)],
                        grad=name not in TORCH_HAS_NO_GRADIENT)


@pytest.mark.parametrize("scalar", [2, 2.5, -3])
@pytest.mark.parametrize("op", ["%", "//"])
def test_reflected_mod_and_floordiv(op: str, scalar: float) -> None:
    fn = (lambda a: scalar % a) if op == "%" else (lambda a: scalar // a)
    check_against_torch(torch, fn, fn, [signed((3, 4), 0.5, 3, seed=5)], grad=False)


# ---- dtypes of the binary ops on integers ------------------------------------------------


@pytest.mark.parametrize("name", ["atan2", "lerp_scalar_weight"])
def test_float_binary_ops_promote_integers(name: str) -> None:
    ours, theirs, *_ = BINARY[name]
    a, b = np.array([1, 2, 3]), np.array([3, 2, 1])
    if name == "lerp_scalar_weight":  # torch refuses integer lerp; ours promotes
        got = ours(Tensor(a), Tensor(b))
        np.testing.assert_allclose(got.numpy(), a + 0.3 * (b - a), rtol=1e-6)
        assert got.dtype == np.float32
        return
    check_against_torch(torch, ours, theirs, [a, b], grad=False, rtol=1e-6)


# ---- bitwise and shifts on integers -----------------------------------------------------

BITWISE = {
    "and": lambda a, b: a & b, "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b,
    "lshift": lambda a, b: a << b, "rshift": lambda a, b: a >> b,
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
@pytest.mark.parametrize("name", list(BITWISE))
def test_bitwise_against_torch(name: str, dtype: str) -> None:
    fn = BITWISE[name]
    a = np.array([[0, 1, 5, 100], [7, 3, 64, 127]]).astype(dtype)
    b = np.array([0, 1, 3, 6]).astype(dtype)
    if dtype != "uint8":
        a[1] = -a[1]
    check_against_torch(torch, fn, fn, [a, b], grad=False)


@pytest.mark.parametrize("name", list(BITWISE))
@pytest.mark.parametrize("side", ["left", "right"])
def test_bitwise_with_scalar_on_either_side(name: str, side: str) -> None:
    fn = BITWISE[name]
    a = np.array([-9, 0, 3, 12], dtype=np.int32)
    call = (lambda t: fn(t, 3)) if side == "left" else (lambda t: fn(3, t))
    if side == "right" and name in ("lshift", "rshift"):
        a = np.abs(a)  # shift amounts must be non-negative for a defined answer
    check_against_torch(torch, call, call, [a], grad=False)


@pytest.mark.parametrize("value", [0xFFFFFFFF, 2**31, -(2**31) - 1, 2**40 + 5])
@pytest.mark.parametrize("op", ["|", "&", "^", "+", "*", "-"])
def test_int32_with_out_of_range_scalar_wraps_as_torch(op: str, value: int) -> None:
    """``int32_tensor | 0xFFFFFFFF`` wraps (PyTorch casts the scalar to the tensor's
    dtype) instead of crashing or widening to int64."""
    fn = {"|": lambda t: t | value, "&": lambda t: t & value, "^": lambda t: t ^ value,
          "+": lambda t: t + value, "*": lambda t: t * value, "-": lambda t: t - value}[op]
    a = np.array([0, 1, -5, 2**31 - 1], dtype=np.int32)
    check_against_torch(torch, fn, fn, [a], grad=False)


def test_shift_by_the_bit_width_or_more_as_torch() -> None:
    a = np.array([1, -8, 5, -1], dtype=np.int32)
    for amount in (31, 32, 33, 70):
        b = np.full(4, amount, dtype=np.int32)
        for fn in (BITWISE["lshift"], BITWISE["rshift"]):
            check_against_torch(torch, fn, fn, [a, b], grad=False)


def test_bitwise_not_and_functions_against_torch() -> None:
    a = np.array([0, 1, -5, 7], dtype=np.int64)
    b = np.array([3, 1, 6, -7], dtype=np.int64)
    check_against_torch(torch, lambda x: ~x, lambda x: ~x, [a], grad=False)
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                 "bitwise_right_shift"):
        bb = np.abs(b) if "shift" in name else b
        check_against_torch(torch, getattr(tg, name), getattr(torch, name), [a, bb], grad=False)
    check_against_torch(torch, tg.bitwise_not, torch.bitwise_not, [a], grad=False)


def test_shifting_floats_is_refused_as_torch() -> None:
    with pytest.raises(RuntimeError):
        torch.tensor([1.5]) << 1
    with pytest.raises(TypeError, match="left_shift: only integer"):
        Tensor([1.5]) << 1


# ---- predicates and logic ---------------------------------------------------------------

SPECIAL = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 1e-300])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "bool"])
def test_predicates_against_torch(name: str, dtype: str) -> None:
    vals = SPECIAL if dtype.startswith("float") else np.array([0, 1, 1, 0])
    arr = vals.astype(dtype)
    check_against_torch(torch, getattr(tg, name), getattr(torch, name), [arr], grad=False)
    check_against_torch(torch, lambda t: getattr(t, name)(), lambda t: getattr(t, name)(),
                        [arr], grad=False)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_against_torch(name: str) -> None:
    a = np.array([[0.0, 1.0, -2.0], [np.nan, 0.0, 3.0]])
    b = np.array([0, 5, 0])
    check_against_torch(torch, getattr(tg, name), getattr(torch, name), [a, b], grad=False)
    check_against_torch(torch, lambda x, y: getattr(x, name)(y),
                        lambda x, y: getattr(x, name)(y), [b, a], grad=False)
    check_against_torch(torch, tg.logical_not, torch.logical_not, [a], grad=False)


ISCLOSE_CASES = [
    dict(), dict(rtol=0.0, atol=0.0), dict(rtol=1e-3), dict(atol=0.1), dict(equal_nan=True),
]


@pytest.mark.parametrize("kw", ISCLOSE_CASES, ids=str)
def test_isclose_allclose_against_torch(kw: dict[str, Any]) -> None:
    a = np.array([1.0, 1.0, 1e-9, np.inf, np.inf, np.nan, 0.0, 100.0, -np.inf])
    b = np.array([1.0 + 1e-6, 1.0005, 0.0, np.inf, -np.inf, np.nan, 0.05, 100.1, -np.inf])
    check_against_torch(torch, lambda x, y: tg.isclose(x, y, **kw),
                        lambda x, y: torch.isclose(x, y, **kw), [a, b], grad=False)
    check_against_torch(torch, lambda x, y: x.isclose(y, **kw),
                        lambda x, y: x.isclose(y, **kw), [a[None], b[:, None]], grad=False)
    for i in range(len(a)):
        got = tg.allclose(Tensor(a[i:i + 1], dtype="float64"), Tensor(b[i:i + 1],
                                                                     dtype="float64"), **kw)
        assert got is torch.allclose(torch.tensor(a[i:i + 1]), torch.tensor(b[i:i + 1]), **kw)


def test_isclose_on_integers_as_torch() -> None:
    a, b = np.array([1, 2, 100, -3]), np.array([1, 3, 101, -3])
    for kw in ({}, {"atol": 1.0}, {"rtol": 0.01, "atol": 0.0}):
        check_against_torch(torch, lambda x, y, kw=kw: tg.isclose(x, y, **kw),
                            lambda x, y, kw=kw: torch.isclose(x, y, **kw), [a, b], grad=False)


# ---- creation -----------------------------------------------------------------------------

LINSPACE = [(0, 1, 5), (-3.5, 7.25, 11), (2, 2, 3), (5, -5, 4), (0, 1, 1), (0, 1, 0),
            (1, 1e6, 50)]


@pytest.mark.parametrize("args", LINSPACE, ids=str)
def test_linspace_logspace_against_torch(args: tuple[float, float, int]) -> None:
    for dtype, tdtype, rtol in (("float32", torch.float32, 1e-6),
                                ("float64", torch.float64, 1e-12)):
        got = tg.linspace(*args, dtype=dtype)
        want = torch.linspace(*args, dtype=tdtype).numpy()
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_allclose(got.numpy(), want, rtol=rtol, atol=rtol * 10)
        small = (args[0] / 1e5, args[1] / 1e5, args[2]) if abs(args[1]) > 100 else args
        for base in (10.0, 2.0):
            got = Tensor.logspace(*small, base=base, dtype=dtype)
            want = torch.logspace(*small, base=base, dtype=tdtype).numpy()
            np.testing.assert_allclose(got.numpy(), want, rtol=rtol * 10)
    assert tg.linspace(0, 1, 3).dtype == np.float32  # torch's default dtype


def test_full_like_empty_eye_against_torch() -> None:
    x = Tensor([[1, 2, 3]], dtype="int32")
    tx = torch.tensor([[1, 2, 3]], dtype=torch.int32)
    for fill in (7, 2.5, True):
        got, want = tg.full_like(x, fill), torch.full_like(tx, fill)
        assert got.tolist() == want.tolist() and str(got.dtype) == "int32"
    got = tg.full_like(x, 2.5, dtype="float64")
    assert got.dtype == np.float64 and got.tolist() == [[2.5] * 3]
    assert x.full_like(4).tolist() == [[4, 4, 4]]
    for args in ((3,), (2, 3), ((2, 3),), (0, 4)):
        got, want = tg.empty(*args), torch.empty(*args)
        assert got.shape == tuple(want.shape) and got.dtype == np.float32
    assert tg.empty_like(x).shape == (1, 3) and tg.empty_like(x).dtype == np.int32
    assert Tensor.empty(2, dtype="int64").dtype == np.int64
    for n, m in ((3, None), (2, 4), (4, 2), (0, None), (3, 0)):
        got = tg.eye(n, m) if m is not None else tg.eye(n)
        want = torch.eye(n, m) if m is not None else torch.eye(n)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["randint", "normal", "rand_like", "randn_like", "bernoulli",
                                  "multinomial", "randint_like"])
def test_random_factories_are_seeded(name: str) -> None:
    """Same seed → same numbers; an int seed and a Generator are both accepted."""
    p = Tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])
    calls: dict[str, Callable[[Any], Tensor]] = {
        "randint": lambda s: tg.randint(0, 10, (4, 5), seed=s),
        "normal": lambda s: tg.normal(0.0, 2.0, (4, 5), seed=s),
        "rand_like": lambda s: tg.rand_like(p, seed=s),
        "randn_like": lambda s: tg.randn_like(p, seed=s),
        "bernoulli": lambda s: tg.bernoulli(p, seed=s),
        "multinomial": lambda s: tg.multinomial(p, 2, seed=s),
        "randint_like": lambda s: tg.randint_like(p, 5, seed=s),
    }
    a, b = calls[name](3), calls[name](3)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    c = calls[name](np.random.default_rng(3))
    np.testing.assert_array_equal(a.numpy(), c.numpy())


def test_random_factories_shapes_dtypes_and_ranges_as_torch() -> None:
    got, want = tg.randint(3, 9, (200,), seed=0), torch.randint(3, 9, (200,))
    assert got.dtype == np.int64 and str(want.dtype) == "torch.int64"
    assert got.numpy().min() >= 3 and got.numpy().max() < 9
    assert set(np.unique(got.numpy())) == set(range(3, 9))
    assert tg.randint(5, (2, 3), seed=0).shape == (2, 3)  # randint(high, size)
    assert Tensor.randint(0, 2, size=(4,), seed=1).shape == (4,)
    x = tg.normal(3.0, 0.5, (20000,), seed=1).numpy()
    assert x.dtype == np.float32 and abs(x.mean() - 3) < 0.02 and abs(x.std() - 0.5) < 0.02
    mean = Tensor([0.0, 100.0], dtype="float64")
    y = tg.normal(mean, 1.0, seed=2)
    assert y.dtype == np.float64 and y.shape == (2,) and abs(y.numpy()[1] - 100) < 6
    assert tg.normal(Tensor([0.0, 1.0]), Tensor([[1.0], [2.0]]), seed=0).shape == (2, 2)
    probs = Tensor([0.0, 1.0, 0.5] * 2000)
    draw = tg.bernoulli(probs, seed=0).numpy().reshape(-1, 3)
    assert draw.dtype == np.float32 and (draw[:, 0] == 0).all() and (draw[:, 1] == 1).all()
    assert abs(draw[:, 2].mean() - 0.5) < 0.05
    assert set(probs.bernoulli(seed=1).numpy().tolist()) <= {0.0, 1.0}
    half = tg.bernoulli(Tensor.zeros(4000), p=0.25, seed=3).numpy()
    assert abs(half.mean() - 0.25) < 0.03
    w = Tensor([0.0, 10.0, 0.0, 30.0])
    m = tg.multinomial(w, 2, seed=0)
    assert m.dtype == np.int64 and sorted(m.tolist()) == [1, 3]  # without replacement
    many = w.multinomial(4000, replacement=True, seed=0).numpy()
    assert set(many.tolist()) <= {1, 3} and abs((many == 3).mean() - 0.75) < 0.03
    rows = tg.multinomial(Tensor([[1.0, 0.0], [0.0, 1.0]]), 3, replacement=True, seed=0)
    assert rows.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert torch.multinomial(torch.tensor([[1.0, 0.0]]), 3, replacement=True).shape == \
        rows[:1].shape


def test_random_factories_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError, match="randint: low must be less than high"):
        tg.randint(5, 5, (2,))
    with pytest.raises(ValueError, match="normal: std must be non-negative"):
        tg.normal(0.0, -1.0, (2,))
    with pytest.raises(ValueError, match=r"bernoulli: probabilities must lie in \[0, 1\]"):
        tg.bernoulli(Tensor([0.5, 1.5]))
    with pytest.raises(ValueError, match="multinomial: cannot draw 3 samples without"):
        tg.multinomial(Tensor([1.0, 0.0, 1.0]), 3)
    with pytest.raises(ValueError, match="multinomial: a row of input sums to 0"):
        tg.multinomial(Tensor([0.0, 0.0]), 1, replacement=True)
    with pytest.raises(ValueError, match="multinomial: probabilities must be finite"):
        tg.multinomial(Tensor([1.0, -1.0]), 1)
    with pytest.raises(TypeError, match="linspace: steps must be an int"):
        tg.linspace(0, 1, 2.5)
    with pytest.raises(ValueError, match="linspace: number of steps must be non-negative"):
        tg.linspace(0, 1, -1)
    with pytest.raises(TypeError, match="empty: sizes must be integers"):
        tg.empty(2.5)
    with pytest.raises(TypeError, match="give seed or generator, not both"):
        tg.randint(0, 3, (2,), seed=1, generator=np.random.default_rng(1))


def test_edges_of_sign_atan2_hypot_logaddexp_as_torch() -> None:
    """sign(NaN) = 0 and sign(−0) = 0; atan2's gradient at the origin is 0; hypot's and
    logaddexp's (at −inf, −inf) are NaN in both."""
    special = np.array([np.nan, -0.0, 0.0, -np.inf, np.inf, -2.0, 3.0])
    check_against_torch(torch, tg.sign, torch.sign, [special], grad=False)
    zero = [np.zeros(3), np.array([0.0, 1.0, -1.0])]
    check_against_torch(torch, tg.atan2, torch.atan2, zero)
    check_against_torch(torch, tg.hypot, torch.hypot, [np.zeros(2), np.zeros(2)])
    check_against_torch(torch, tg.logaddexp, torch.logaddexp,
                        [np.array([-np.inf, -np.inf, 0.0]), np.array([-np.inf, 1.0, np.inf])])


SPECIAL_VALUES = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, -1.0, 1.0, 2.0, -2.5, 0.5, 1e30,
                           -1e30, 88.0, -88.0, 1e-30, 3.0, -3.0, 6.0, 20.0, 21.0])


@pytest.mark.parametrize("name", [n for n in UNARY if not n.startswith("method")
                                  and n != "round_decimals"])
def test_unary_at_special_values_as_torch(name: str) -> None:
    """±inf, NaN, ±0, huge and tiny values: the same values and gradients (NaN where
    PyTorch has NaN), and no numpy warning (see test_edges.py). (expm1's gradient is eˣ
    itself; PyTorch's expm1(x) + 1 is 0 below x ≈ −37, hence the tiny gradient atol.)"""
    ours, theirs, *_ = UNARY[name]
    check_against_torch(torch, ours, theirs, [SPECIAL_VALUES.copy()], atol=0, rtol=1e-10,
                        grad_atol=1e-30, grad_rtol=1e-9)


_SV = [np.inf, -np.inf, np.nan, 0.0, -0.0, -1.0, 1.0, 2.5, -2.5, 1e30, -7.0, 3.0]
PAIRS = [np.repeat(np.array(_SV), len(_SV)), np.tile(np.array(_SV), len(_SV))]


@pytest.mark.parametrize("name", [n for n in BINARY if n != "lerp_tensor_weight"])
def test_binary_at_special_values_as_torch(name: str) -> None:
    """Every pair of ±inf, NaN, ±0, huge and ordinary values: PyTorch's values and
    gradients (maximum/minimum with a NaN give both inputs the full gradient)."""
    ours, theirs, *_ = BINARY[name]
    check_against_torch(torch, ours, theirs, [PAIRS[0].copy(), PAIRS[1].copy()], rtol=1e-12,
                        grad_rtol=1e-12, grad=name not in TORCH_HAS_NO_GRADIENT)


def test_in_place_random_fills_and_top_level_functions() -> None:
    x = Tensor.zeros(2000)
    assert x.uniform_(-2.0, 3.0, seed=0) is x
    assert x.numpy().min() >= -2 and x.numpy().max() < 3 and abs(x.numpy().mean() - 0.5) < 0.1
    assert x._version == 1  # an in-place change, as torch's counter
    x.normal_(1.0, 0.5, seed=1)
    assert abs(x.numpy().mean() - 1.0) < 0.05 and abs(x.numpy().std() - 0.5) < 0.05
    np.testing.assert_array_equal(Tensor.zeros(3).uniform_(seed=4).numpy(),
                                  Tensor.zeros(3).uniform_(seed=np.random.default_rng(4)).numpy())
    w = Tensor.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="uniform_: cannot fill a tensor that requires grad"):
        w.uniform_()
    with tg.no_grad():
        w.normal_(seed=0)
    with pytest.raises(RuntimeError):
        torch.zeros(2, requires_grad=True).uniform_()
    a = np.array([-1.5, 0.0, 2.0])
    for name in ("exp", "abs", "neg", "relu", "sigmoid", "tanh", "selu", "celu"):
        check_against_torch(torch, getattr(tg, name), getattr(torch, name), [a.copy()])
    check_against_torch(torch, lambda t: tg.clamp(t, -1, 1), lambda t: torch.clamp(t, -1, 1), [a])
    check_against_torch(torch, lambda t: tg.clip(t, max=1), lambda t: torch.clip(t, max=1), [a])
    check_against_torch(torch, lambda t: tg.pow(t.abs(), 1.5), lambda t: torch.pow(t.abs(), 1.5),
                        [a])
