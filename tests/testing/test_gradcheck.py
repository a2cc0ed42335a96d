"""gradcheck and gradgradcheck: sensitivity at the documented tolerance, the semantics of
atol/rtol, messages that say what is compared, clear errors for non-finite and
nondeterministic functions, masks, fast mode, and functions that build graphs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tinygrad_edu import Function, Tensor
from tinygrad_edu.testing import (
    DEFAULT_TOLERANCES,
    GradcheckError,
    NondeterminismError,
    NotFiniteError,
    gradcheck,
    gradgradcheck,
)


def t64(values, requires_grad=True):
    return Tensor(np.asarray(values, dtype=np.float64), dtype="float64",
                  requires_grad=requires_grad)


def planted(deriv, error):
    """f(x) = c ⊙ x (so J = diag(c), and the central difference is exact up to rounding)
    with a backward that returns g ⊙ (c + error): a planted error of known size."""
    c = np.asarray(deriv, dtype=np.float64)
    e = np.asarray(error, dtype=np.float64)

    class Planted(Function):
        @staticmethod
        def forward(ctx, x):
            return c * x

        @staticmethod
        def backward(ctx, g):
            return g * Tensor(c + e, dtype="float64")

    return Planted.apply


# ---- sensitivity at the defaults ---------------------------------------------------------


def test_default_tolerances_are_documented_values():
    assert DEFAULT_TOLERANCES["float64"] == (1e-6, 1e-5, 1e-5)  # eps, atol, rtol


def test_a_backward_off_by_1e_4_on_values_of_order_1_fails_at_the_defaults():
    x = t64([0.3, -0.7, 1.1, 0.9])
    f = planted([1.0, -0.8, 1.2, 0.9], [0.0, 0.0, 1e-4, 0.0])
    with pytest.raises(GradcheckError, match=r"wrong in 1 of 16 entries"):
        gradcheck(f, x)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_relative_error_just_above_the_tolerance_at_one_index_fails(fast_mode):
    # derivative 1 at index 2: allowed |error| = atol + rtol·1 = 2e-5 at the defaults
    x = t64(np.linspace(-1, 1, 5))
    c = np.ones(5)
    if fast_mode:  # one entry among 5 is diluted by the projection: check n = 1
        x, c = t64([0.4]), np.ones(1)
        with pytest.raises(GradcheckError, match="directional derivative"):
            gradcheck(planted(c, [2.2e-5]), x, fast_mode=True)
        assert gradcheck(planted(c, [1.8e-5]), x, fast_mode=True)
        return
    above = np.zeros(5)
    above[2] = 2.2e-5
    with pytest.raises(GradcheckError, match=re.escape("∂output0[2]/∂input0[2]")):
        gradcheck(planted(c, above), x)
    below = np.zeros(5)
    below[2] = 1.8e-5
    assert gradcheck(planted(c, below), x)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_rtol_scales_with_the_numerical_value_and_atol_does_not(fast_mode):
    # these pin |a − n| ≤ atol + rtol·|n|: swapping atol and rtol flips both outcomes
    # (one entry, so fast mode's vᵀJu is ±J itself)
    big = t64([2.0])
    kw = {"fast_mode": fast_mode}
    # derivative 1000, error 0.5: within rtol=1e-3 of it (allowed 1.00001); a swapped
    # check (atol=1e-3, rtol=1e-5) would allow only 0.011
    assert gradcheck(planted([1000.0], [0.5]), big, atol=1e-5, rtol=1e-3, **kw)
    with pytest.raises(GradcheckError):
        gradcheck(planted([1000.0], [0.5]), big, atol=1e-3, rtol=1e-5, **kw)
    # derivative 0, error 1e-4: only atol applies (1e-5 fails it; 1e-3 would pass it)
    with pytest.raises(GradcheckError, match="atol=1e-05, rtol=0.001"):
        gradcheck(planted([0.0], [1e-4]), big, atol=1e-5, rtol=1e-3, **kw)
    assert gradcheck(planted([0.0], [1e-4]), big, atol=1e-3, rtol=1e-5, **kw)


# ---- messages ------------------------------------------------------------------------------


class WrongCube(Function):
    """x³ with a deliberately wrong derivative (2x² instead of 3x²)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x * x * 2.0


def test_message_states_the_jacobian_entry_the_input_value_and_the_count():
    x = t64([0.5, -1.0, 2.0000001])
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongCube.apply, x)
    msg = str(info.value)
    assert msg.startswith("gradcheck: the Jacobian of fn's output 0 (shape (3,)) with respect "
                          "to input 0 (shape (3,)) is wrong in 3 of 9 entries"), msg
    # the worst entry, the input value there in full precision, and the true derivative
    # (3x², not a randomly weighted sum of derivatives)
    m = re.search(r"∂output0\[2\]/∂input0\[2\] at input0\[2\] = 2\.0000001: numerical "
                  r"([-\d.e]+), analytic ([-\d.e]+)", msg)
    assert m, msg
    assert float(m.group(1)) == pytest.approx(3 * 2.0000001**2, rel=1e-9)
    assert float(m.group(2)) == 2 * 2.0000001**2
    assert "atol=1e-05, rtol=1e-05" in msg and "eps=1e-06" in msg
    assert "hint" not in msg  # x³ is smooth: no kink to blame


class WrongSecondInput(Function):
    """x·y whose gradient for y is right except at y's index 2 (flipped sign there)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gy = (g * x).numpy().copy()
        gy[2] = -gy[2]
        return g * y, Tensor(gy, dtype=gy.dtype)


def test_message_names_the_wrong_input_and_index():
    x = t64([1.0, 2.0, 3.0, 4.0])
    y = t64([0.5, 0.5, 0.5, 0.5])
    pattern = (r"(?s)with respect to input 1 \(shape \(4,\)\) is wrong in 1 of 16 entries"
               r".*∂output0\[2\]/∂input1\[2\] at input1\[2\] = 0\.5: "
               r"numerical (3\.0000|2\.9999)\d*, analytic -3\.0")
    with pytest.raises(GradcheckError, match=pattern):
        gradcheck(WrongSecondInput.apply, x, y)


def test_fast_mode_message_says_it_compares_a_directional_derivative():
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongCube.apply, t64([0.5, -1.0, 2.0]), fast_mode=True, seed=3)
    msg = str(info.value)
    assert "the directional derivative vᵀ·J·u of fn's output 0" in msg
    assert "random unit vectors from seed=3" in msg and "fast_mode=False" in msg


def test_passes_right_backwards_and_can_return_false():
    x = t64([0.5, -1.0, 2.0])
    for fast in (False, True):
        assert gradcheck(lambda t: t**3, x, fast_mode=fast) is True
        assert gradcheck(lambda t: (t.exp(), t.sum()), x, fast_mode=fast)
        assert gradcheck(WrongCube.apply, x, raise_exception=False, fast_mode=fast) is False
        with pytest.raises(GradcheckError):  # every output is checked
            gradcheck(lambda t: (t.exp(), WrongCube.apply(t)), x, fast_mode=fast)


def test_non_floating_outputs_are_ignored():
    x = t64([0.5, -1.0, 2.0])
    assert gradcheck(lambda t: (t.exp(), t.argmax()), x)


# ---- non-finite and nondeterministic functions ----------------------------------------


def test_not_finite_at_the_input_is_its_own_error():
    # the old message was "numerical nan, analytic nan … differ"
    with pytest.raises(NotFiniteError, match=r"fn is not finite at the input: output 0 is nan "
                                             r"at index \(1,\)") as info:
        gradcheck(lambda t: t.log(), t64([0.5, -1.0, 2.0]))
    assert "numerical" not in str(info.value)
    assert gradcheck(lambda t: t.log(), t64([0.5, -1.0]), raise_exception=False) is False


def test_not_finite_within_eps_of_the_input():
    with pytest.raises(NotFiniteError, match=r"finite at the input but not at input0\[0\] ± eps "
                                             r"= 5e-07 ± 1e-06"):
        gradcheck(lambda t: t.sqrt(), t64([5e-7, 1.0]))


def test_not_finite_backward_is_its_own_error():
    class InfGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            return g * Tensor(np.array([1.0, np.inf]), dtype="float64")

    for fast in (False, True):
        with pytest.raises(NotFiniteError, match=r"the analytic derivative \(backward\) of fn "
                                                 r"is not finite at the input although fn is"):
            gradcheck(InfGrad.apply, t64([1.0, 2.0]), fast_mode=fast)


def test_nondeterministic_fn_is_reported_and_nondet_tol_allows_tiny_noise():
    rng = np.random.default_rng(0)

    def noisy(scale):
        return lambda t: t * 2.0 + Tensor(rng.normal(0, scale, t.shape), dtype="float64")

    with pytest.raises(NondeterminismError, match="fn is not deterministic"):
        gradcheck(noisy(1e-3), t64([1.0, 2.0]))
    assert gradcheck(noisy(1e-13), t64([1.0, 2.0]), nondet_tol=1e-10)


def test_nondeterministic_backward_is_reported():
    calls = []

    class Drifting(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g * (2.0 + 1e-3 * len(calls))

    for fast in (False, True):
        with pytest.raises(NondeterminismError, match="the backward of fn is not deterministic"):
            gradcheck(Drifting.apply, t64([1.0, 2.0]), fast_mode=fast)


# ---- masks, inputs, graphs -----------------------------------------------------------------


def test_masks_leave_out_a_kink():
    x = t64([-1.0, 0.0, 2.0])  # relu has no derivative at 0: the check must fail there
    with pytest.raises(GradcheckError, match=re.escape("∂output0[1]/∂input0[1] at input0[1] = "
                                                       "0.0: numerical 0.5")):
        gradcheck(lambda t: t.relu(), x)
    with pytest.raises(GradcheckError, match=re.escape("hint: the one-sided slopes at input0[1] "
                                                       "= 0.0 differ (left 0, right 1)")):
        gradcheck(lambda t: t.relu(), x)
    assert gradcheck(lambda t: t.relu(), x, masks=[np.array([True, False, True])])
    with pytest.raises(ValueError, match=r"the mask of input 0 must be a boolean array of "
                                         r"shape \(3,\)"):
        gradcheck(lambda t: t.relu(), x, masks=[np.ones(2, bool)])
    with pytest.raises(ValueError, match="masks has 2 entries for 1 inputs"):
        gradcheck(lambda t: t.relu(), x, masks=[None, None])


def test_masked_entries_are_not_compared():
    bad = np.zeros(4)
    bad[3] = 1.0
    f = planted(np.ones(4), bad)
    assert gradcheck(f, t64([1.0, 2, 3, 4]), masks=[np.array([True, True, True, False])])
    with pytest.raises(GradcheckError):
        gradcheck(f, t64([1.0, 2, 3, 4]), masks=[np.array([False, False, False, True])])


def test_leaves_inputs_alone_and_skips_constants():
    x = t64([1.0, 2.0])
    c = t64([3.0, 4.0], requires_grad=False)  # not checked, not perturbed
    gradcheck(lambda a, b: a * b, x, c)
    gradgradcheck(lambda a, b: a * a * b, x, c)
    np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
    assert x.grad is None  # the check works on copies


def test_rejects_bad_inputs():
    with pytest.raises(TypeError, match="gradcheck: input 0 has dtype float32; use float64"):
        gradcheck(lambda t: t * 2, Tensor([1.0], requires_grad=True))
    with pytest.raises(ValueError, match="gradcheck: no input has requires_grad=True"):
        gradcheck(lambda t: t * 2, t64([1.0], requires_grad=False))
    with pytest.raises(TypeError, match="gradcheck: input 0 is a list, not a Tensor"):
        gradcheck(lambda t: t, [1.0])
    with pytest.raises(TypeError, match="gradcheck: fn must return Tensors, got float"):
        gradcheck(lambda t: 1.0, t64([1.0]))


def test_gradcheck_runs_fn_with_grad_enabled_so_fn_may_build_graphs():
    # the old gradcheck evaluated fn under no_grad(), so this inner backward failed with
    # "this tensor does not require grad" unless fn wrapped itself in enable_grad()
    def grad_of_cube(t: Tensor) -> Tensor:
        u = t * 1.0
        u.retain_grad()
        (u**3).sum().backward(create_graph=True)
        t.grad = None
        return u.grad

    assert gradcheck(grad_of_cube, t64([0.5, -1.0, 2.0]))  # d/dx 3x² = 6x


def test_default_tolerances_follow_a_float32_output():
    # float64 inputs, float32 computation: a float64-sized eps would be all rounding error
    x = t64([0.3, -0.2, 0.7])
    assert gradcheck(lambda t: t.float().tanh(), x)
    with pytest.raises(GradcheckError, match=r"atol=1e-05"):
        gradcheck(lambda t: t.float().tanh(), x, eps=1e-6, atol=1e-5, rtol=1e-5)


# ---- second derivatives ------------------------------------------------------------------


@pytest.mark.parametrize("fn", [lambda t: t**3, lambda t: t.tanh(), lambda t: t.exp().sum(),
                                lambda t: t.sigmoid() * t, lambda t: (t * t).softmax(-1)])
def test_gradgradcheck_passes_right_second_derivatives(fn):
    x = t64([[0.5, -1.0, 0.2], [1.5, 0.3, -0.4]])
    assert gradgradcheck(fn, x)
    assert gradgradcheck(fn, x, fast_mode=True)


def test_gradgradcheck_with_two_inputs_and_given_grad_outputs():
    x, y = t64([0.5, -1.0, 2.0]), t64([1.5, 0.3, -0.4])
    v = Tensor([1.0, -2.0, 0.5], dtype="float64")
    assert gradgradcheck(lambda a, b: a.tanh() * b.exp(), x, y, grad_outputs=[v])
    assert gradgradcheck(lambda a, b: a * b, x, y, check_grad_outputs=False)


class WrongDouble(Function):
    """2x, with a wrong backward (3 instead of 2): used only inside Square's backward."""

    @staticmethod
    def forward(ctx, x):
        return 2.0 * x

    @staticmethod
    def backward(ctx, g):
        return g * 3.0


class Square(Function):
    """x² with a right first derivative (2x) whose own derivative is wrong (3, not 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * WrongDouble.apply(x)


def test_gradgradcheck_catches_a_wrong_second_derivative_that_gradcheck_misses():
    x = t64([0.5, -1.0, 2.0])
    assert gradcheck(Square.apply, x)
    with pytest.raises(GradcheckError) as info:
        gradgradcheck(Square.apply, x)
    msg = str(info.value)
    assert msg.startswith("gradgradcheck: the Jacobian of the first derivative vᵀJ's output 0 "
                          "(shape (3,)) with respect to input 0 (shape (3,)) is wrong"), msg
    assert "v = grad_outputs (random normal from seed=0)" in msg  # says what is compared
    assert gradgradcheck(Square.apply, x, raise_exception=False, fast_mode=True) is False


def test_gradgradcheck_of_a_once_differentiable_backward_fails_loudly():
    from tinygrad_edu.function import once_differentiable

    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x * 2.0

    with pytest.raises(RuntimeError, match="not differentiable"):
        gradgradcheck(Once.apply, t64([1.0, 2.0]))


def test_zero_size_and_strided_inputs():
    empty = Tensor(np.zeros((0, 3)), dtype="float64", requires_grad=True)
    for fast in (False, True):
        assert gradcheck(lambda t: t.exp(), empty, fast_mode=fast)
        assert gradcheck(lambda t: t.sum(), empty, fast_mode=fast)  # a 0-d output of 0
    assert gradgradcheck(lambda t: t * t, empty)
    base = np.arange(12.0).reshape(3, 4) / 10
    strided = np.broadcast_to(base[::-2, ::3][:, :1], (2, 3))  # negative and zero strides
    x = Tensor(strided, dtype="float64", requires_grad=True)
    assert gradcheck(lambda t: (t * t).tanh(), x)  # perturbs a private, writable copy
    with pytest.raises(GradcheckError):
        gradcheck(WrongCube.apply, x)
    np.testing.assert_array_equal(x.numpy(), strided)
