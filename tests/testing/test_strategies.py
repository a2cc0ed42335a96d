"""The strategies keep their promises over thousands of draws: bounds and open/closed
domains (integers too), no NaN/inf/subnormals unless asked, special values and avoided
points, genuinely strided layouts, 0-size dimensions, gufunc signatures, and falsifying
examples printed with every digit, the dtype and the strides."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from tinygrad_edu import Tensor
from tinygrad_edu.testing import strategies as tst
from tinygrad_edu.testing.strategies import DOMAINS, Domain

# arrays: a few hundred draws per test (each checks every element); scalars: thousands
MANY = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
THOUSANDS = settings(max_examples=2000, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.too_slow])
SEARCH = settings(max_examples=2000, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))

FLOATS = ["float16", "float32", "float64"]
INTS = ["int8", "int64", "uint8"]


def in_domain(x: np.ndarray, dom: Domain) -> np.ndarray:
    v = np.abs(x) if dom.signed else x
    lo = v > dom.low if dom.open_low else v >= dom.low
    hi = v < dom.high if dom.open_high else v <= dom.high
    return lo & hi


def test_domain_table():
    assert str(DOMAINS["unit"]) == "(-1, 1)" and str(DOMAINS["unit_closed"]) == "[-1, 1]"
    assert str(DOMAINS["nonzero"]) == "±[0.1, 10]" and str(DOMAINS["positive"]) == "[0.1, 10]"


@THOUSANDS
@given(data=st.data(), name=st.sampled_from(sorted(DOMAINS)),
       dtype=st.sampled_from(FLOATS + INTS))
def test_scalar_values_keep_every_promise(data, name, dtype):
    dom = DOMAINS[name]
    if np.dtype(dtype).kind == "u" and dom.signed:
        dom = Domain(dom.low, dom.high)
    v = np.asarray(data.draw(tst.elements(dtype, name), label="v"), dtype=np.float64)
    assert np.isfinite(v) and in_domain(v, dom)
    if np.dtype(dtype).kind == "f":
        assert v == 0 or abs(v) >= np.finfo(dtype).tiny


@MANY
@given(data=st.data(), name=st.sampled_from(sorted(DOMAINS)), dtype=st.sampled_from(FLOATS))
def test_float_values_lie_in_the_domain_and_are_finite_and_normal(data, name, dtype):
    x = data.draw(tst.arrays(dtype=dtype, domain=name), label="x")
    assert x.dtype == dtype
    assert np.isfinite(x).all()  # no NaN or inf unless asked
    assert in_domain(x, DOMAINS[name]).all()
    tiny = np.finfo(x.dtype).tiny
    assert ((x == 0) | (np.abs(x) >= tiny)).all()  # no subnormals unless asked


@MANY
@given(data=st.data(), name=st.sampled_from(sorted(DOMAINS)), dtype=st.sampled_from(INTS))
def test_integer_values_honour_the_domain(data, name, dtype):
    dom = DOMAINS[name]
    if np.dtype(dtype).kind == "u" and dom.signed:
        dom = Domain(dom.low, dom.high)  # unsigned: only the positive half exists
    x = data.draw(tst.arrays(dtype=dtype, domain=name), label="x")
    assert x.dtype == dtype and in_domain(x.astype(np.float64), dom).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_unit_is_open_and_unit_closed_is_closed(dtype):
    # the issue: ±1 appeared in "unit", so atanh failed on valid-looking draws
    with pytest.raises(NoSuchExample):
        find(tst.elements(dtype, "unit"), lambda v: abs(v) == 1, settings=SEARCH)
    find(tst.elements(dtype, "unit_closed"), lambda v: v == 1, settings=SEARCH)
    find(tst.elements(dtype, "unit_closed"), lambda v: v == -1, settings=SEARCH)


def test_integer_positive_never_draws_zero_but_reaches_its_bounds():
    with pytest.raises(NoSuchExample):
        find(tst.elements("int64", "positive"), lambda v: v <= 0, settings=SEARCH)
    find(tst.elements("int64", "positive"), lambda v: v == 1, settings=SEARCH)
    find(tst.elements("int64", "positive"), lambda v: v == 10, settings=SEARCH)
    assert find(tst.elements("int32", "unit"), lambda v: True) == 0  # (−1, 1) ∩ ℤ = {0}


@MANY
@given(x=tst.arrays(dtype="float64", min_value=-1e300, max_value=2.5))
def test_min_and_max_value_replace_the_domain(x):
    assert ((x >= -1e300) & (x <= 2.5)).all() and np.isfinite(x).all()


def test_huge_magnitudes_and_tuple_domains():
    find(tst.elements("float64", min_value=-1e300, max_value=1e300), lambda v: abs(v) > 1e200,
         settings=SEARCH)
    find(tst.elements("float64", (2, 3)), lambda v: v == 3.0, settings=SEARCH)


@MANY
@given(x=tst.arrays(dtype="float32", elements=st.sampled_from([1.5, -2.25])))
def test_elements_replaces_the_value_strategy(x):
    assert np.isin(x, [1.5, -2.25]).all()


@pytest.mark.parametrize("dtype", FLOATS)
def test_special_values_on_request(dtype):
    fi = np.finfo(dtype)
    strat = tst.elements(dtype, special_values=True)
    find(strat, lambda v: v == 0 and np.signbit(v), settings=SEARCH)  # −0
    find(strat, lambda v: v == 0 and not np.signbit(v), settings=SEARCH)
    find(strat, lambda v: v == fi.tiny, settings=SEARCH)
    find(strat, lambda v: v == -fi.max, settings=SEARCH)
    find(tst.elements(dtype, allow_nan=True), lambda v: np.isnan(v), settings=SEARCH)
    find(tst.elements(dtype, allow_infinity=True), lambda v: v == -np.inf, settings=SEARCH)
    find(tst.elements(dtype, allow_subnormal=True),
         lambda v: v != 0 and abs(v) < fi.tiny, settings=SEARCH)
    find(tst.elements(dtype, special_values=[7.0]), lambda v: v == 7.0, settings=SEARCH)


@MANY
@given(x=tst.arrays(dtype="float64", special_values=True))
def test_special_values_are_not_nan_unless_asked(x):
    assert not np.isnan(x).any() and not np.isinf(x).any()


def test_any_draws_exact_zero_and_avoid_keeps_away():
    find(tst.elements("float64"), lambda v: v == 0, settings=SEARCH)  # why relu fails
    with pytest.raises(NoSuchExample):
        find(tst.elements("float64", avoid=[0.0, 1.0], avoid_gap=1e-3),
             lambda v: abs(v) <= 1e-3 or abs(v - 1) <= 1e-3, settings=SEARCH)
    with pytest.raises(NoSuchExample):
        find(tst.elements("int64", avoid=[0]), lambda v: v == 0, settings=SEARCH)


# ---- layouts -------------------------------------------------------------------------------


@MANY
@given(x=tst.arrays(shape=tst.shapes(min_dims=1, min_side=2), dtype="float64",
                    non_contiguous=True))
def test_non_contiguous_arrays(x):
    # every array with ≥ 2 elements (min_side=2 guarantees it) is a strided view
    assert not x.flags.c_contiguous, (x.shape, x.strides)
    assert np.isfinite(x).all() and (np.abs(x) <= 10).all()  # values still in the domain
    t = Tensor.from_numpy(x)  # shares the array (Tensor(x) copies, as torch.tensor)
    assert t.data.strides == x.strides  # the layout reaches the tensor


def _kind(x: np.ndarray) -> set[str]:
    kinds = set()
    live = [(s, n) for s, n in zip(x.strides, x.shape) if n > 1]
    if any(s < 0 for s, _ in live):
        kinds.add("negative")
    if any(s == 0 for s, _ in live):
        kinds.add("zero")
    if any(abs(s) > x.itemsize * int(np.prod([m for s2, m in live if abs(s2) < abs(s)]))
           for s, _ in live if s != 0):
        kinds.add("gaps")
    pos = [abs(s) for s, _ in live if s != 0]
    if pos != sorted(pos, reverse=True):
        kinds.add("transposed")
    return kinds


@pytest.mark.parametrize("kind", ["negative", "zero", "gaps", "transposed"])
def test_every_kind_of_stride_occurs(kind):
    strat = tst.arrays(shape=tst.shapes(min_dims=2, min_side=2), dtype="float32",
                       non_contiguous=True)
    find(strat, lambda x: kind in _kind(x), settings=SEARCH)


def test_layouts_are_drawn_by_default():
    for want in (True, False):
        find(tst.tensors(shape=(3, 4)), lambda t, w=want: (not t.data.flags.c_contiguous) == w,
             settings=settings(database=None, max_examples=500))


@MANY
@given(x=tst.arrays(dtype="float64", non_contiguous=False))
def test_contiguous_when_asked(x):
    assert x.flags.c_contiguous


@settings(MANY, max_examples=150)
@given(ts=tst.broadcastable_tensors(3, dtype="float64", domain=("positive", "nonzero", "unit"),
                                    non_contiguous=True, min_side=2))
def test_broadcastable_tensors_non_contiguous(ts):
    np.broadcast_shapes(*(t.shape for t in ts))
    for t in ts:
        assert t.size < 2 or not t.data.flags.c_contiguous
    a, b, c = (t.numpy() for t in ts)
    assert (a >= 0.1).all() and (np.abs(b) >= 0.1).all() and (np.abs(c) < 1).all()


# ---- shapes ------------------------------------------------------------------------------


def test_zero_size_dimensions_everywhere():
    find(tst.broadcastable_shapes(2, min_side=0), lambda s: 0 in s[0] + s[1], settings=SEARCH)
    find(tst.matmul_shapes(min_side=0), lambda s: 0 in s[0] + s[1], settings=SEARCH)
    find(tst.tensors(min_side=0), lambda t: t.size == 0 and t.ndim >= 2, settings=SEARCH)
    find(tst.broadcastable_tensors(2, min_side=0), lambda ts: ts[0].size == 0,
         settings=SEARCH)
    find(tst.gufunc_shapes("(m,n),(n,p)->(m,p)", min_side=0),
         lambda bs: 0 in bs.input_shapes[0], settings=SEARCH)


@MANY
@given(shapes=tst.matmul_shapes(min_side=0))
def test_matmul_shapes_with_zero_sides_are_valid(shapes):
    np.matmul(np.zeros(shapes[0]), np.zeros(shapes[1]))


@MANY
@given(case=tst.gufunc_tensors("(m,n),(n,p)->(m,p)", dtype="float64", non_contiguous=True))
def test_gufunc_tensors_matmul_signature(case):
    (a, b), result_shape = case
    assert (a.numpy() @ b.numpy()).shape == result_shape
    assert (a @ b).shape == result_shape


@MANY
@given(case=tst.gufunc_tensors("(n),(n)->()", dtype="float64", domain=("any", "positive")))
def test_gufunc_tensors_dot_signature(case):
    (a, b), result_shape = case
    assert (a.numpy() * b.numpy()).sum(-1).shape == result_shape
    assert (b.numpy() >= 0.1).all()


def test_backwards_compatible_positional_arguments():
    t = find(tst.tensors((2, 3), "float64", "positive", True, False), lambda t: True)
    assert t.shape == (2, 3) and t.dtype == np.float64 and t.requires_grad
    assert t.data.flags.c_contiguous and (t.numpy() >= 0.1).all()
    a = find(tst.arrays((4,), "int64", "nonzero", True), lambda a: True)
    assert a.shape == (4,) and (np.abs(a) >= 1).all()


# ---- printing ------------------------------------------------------------------------------


def test_falsifying_examples_show_every_digit_the_dtype_and_strides():
    @settings(database=None, max_examples=5)
    @given(t=tst.tensors(shape=(2,), dtype="float64", non_contiguous=False,
                         elements=st.just(2.0000001)))
    def inner(t):
        assert t.numpy()[0] != 2.0000001  # fails, so hypothesis reports t

    with pytest.raises(AssertionError) as info:
        inner()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    # the old report was tensor([2., 2.], dtype=float64): rounded, no layout
    assert "tensor([2.0000001, 2.0000001], dtype=float64, shape=(2,), strides=(8,) " \
           "(C-contiguous))" in notes, notes


def test_arrays_print_their_strides():
    from hypothesis.vendor.pretty import pretty

    x = (np.arange(6.0) + 0.1).reshape(2, 3)[::-1, ::2]
    assert pretty(x) == ("array([[3.1, 5.1],\n [0.1, 2.1]], dtype=float64, shape=(2, 2), "
                         "strides=(-24, 16) (strided))")


def test_zero_d_values_print_every_digit():
    from hypothesis.vendor.pretty import pretty

    t = Tensor(np.array(2.0000000000000004), dtype="float64")
    assert pretty(t) == "tensor(2.0000000000000004, dtype=float64, shape=(), strides=() " \
        "(C-contiguous))"
    assert pretty(np.array(0.1, dtype=np.float32)).startswith("array(0.1, dtype=float32")


@settings(THOUSANDS, max_examples=1000)
@given(data=st.data(), name=st.sampled_from(sorted(DOMAINS)), dtype=st.sampled_from(FLOATS),
       points=st.lists(st.sampled_from([-1.0, -0.1, 0.0, 0.1, 0.5, 1.0, 3.0]), max_size=3),
       gap=st.sampled_from([1e-3, 0.05, 0.5]))
def test_avoid_keeps_every_value_away_and_inside_the_domain(data, name, dtype, points, gap):
    try:
        strat = tst.elements(dtype, name, avoid=points, avoid_gap=gap)
        v = data.draw(strat, label="v")
    except ValueError:  # every value of the domain is within gap of a point: nothing to draw
        return
    assert in_domain(np.asarray(float(v)), DOMAINS[name])
    assert all(abs(float(v) - p) > gap for p in points), (v, points, gap)


def test_avoid_counts_the_gap_as_floating_point_computes_it():
    # -0.49999999999999994 is above -1 + 0.5, but -0.49999999999999994 - (-1.0) rounds to
    # exactly 0.5: it must not be drawn with avoid=[-1.0], avoid_gap=0.5
    with pytest.raises(NoSuchExample):
        find(tst.elements("float64", "unit", avoid=[-1.0], avoid_gap=0.5),
             lambda v: not abs(v - -1.0) > 0.5, settings=SEARCH)
    v = find(tst.elements("float64", "unit", avoid=[-1.0], avoid_gap=0.5), lambda v: v < 0)
    assert v < 0 and abs(v + 1.0) > 0.5
    # a ball whose edge is 0 (p = gap = 0.5): the cut must not crawl through subnormals
    v = find(tst.elements("float64", "unit", avoid=[0.5], avoid_gap=0.5), lambda v: True)
    assert -1 < v < 0
