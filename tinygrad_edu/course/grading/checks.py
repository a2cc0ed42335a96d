"""The three kinds of check an exercise is made of, each worth some points.

- :class:`Example`: one call with fixed inputs; the expected value is a literal (a
  worked example from the seed documents) or whatever the reference returns.
- :class:`Property`: a hypothesis property "the submission agrees with the reference
  on every drawn input". It runs in the grader with the grading profile
  (``derandomize=True, database=None, deadline=None``), so the same submission always
  meets the same inputs; a failure reports the smallest falsifying input hypothesis
  found and what was expected.
- :class:`GradCheck`: the submission's backward against central finite differences of
  a forward (the submission's own, or one the grader computes).

A check never runs in the submission's process. It sends inputs through a
:class:`Context` and compares the raw values that come back, so a submission that
monkeypatches numpy, the library or the grading modules in its own process changes
only the values it returns — which it could have done anyway.

A failed comparison can be matched against :class:`Diagnosis` oracles, functions that
reproduce a known mistake (a flipped sign, a forgotten bias correction). When the
submission's output equals one of them, the message names the mistake.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import KW_ONLY, dataclass, field
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from . import drivers
from .compare import difference, fmt, fmt_call, scrub
from .runner import CallResult, SubmissionFailed


class GraderError(RuntimeError):
    """The reference or an oracle failed: a bug in the exercise, not in the submission."""


class Context(Protocol):
    """What a check may use: the reference module and the submission, one call away."""

    reference: ModuleType
    exercise: str

    def call(self, specs: list[dict]) -> list[CallResult]: ...


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: str = ""
    mistake: str = ""  # the message of the Diagnosis that matched, if any


class _Mismatch(str):
    """A problem message that remembers the diagnosed mistake it names, if any."""

    mistake = ""


class Args:
    """Positional and keyword arguments drawn together by a hypothesis strategy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        parts = [fmt(a) for a in self.args] + [f"{k}={fmt(v)}" for k, v in self.kwargs.items()]
        return f"Args({', '.join(parts)})"


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake: if the submission returns what ``oracle`` returns, say ``message``
    (``message_zh``: optionally, the same in Chinese, for ``check --lang zh``)."""

    message: str
    oracle: Callable[..., Any]
    message_zh: str = ""


REFERENCE: Any = type("_Reference", (), {"__repr__": lambda self: "REFERENCE"})()


@dataclass
class Check:
    """Base of all checks: a name, points, whether students see it before grading."""

    name: str
    _: KW_ONLY
    points: float = 1.0
    hidden: bool = False
    hint: str = ""
    # optional Chinese editions of the name and the hint, shown by `check --lang zh`
    name_zh: str = ""
    hint_zh: str = ""

    def run(self, ctx: Context) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError

    def functions(self) -> tuple[str, ...]:
        """The names this check calls in the submission (validated when loading)."""
        return ()


@dataclass
class _Compared(Check):
    """Shared by Example and Property: call, compare with the expected value, diagnose."""

    _: KW_ONLY
    function: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)
    driver: str = "call"
    options: dict[str, Any] = field(default_factory=dict)
    oracle: Callable[..., Any] | None = None
    outputs: Sequence[str] | None = None
    select: Sequence[int] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    diagnoses: Sequence[Diagnosis] = ()

    def functions(self) -> tuple[str, ...]:
        return (self.function,)

    def expected_for(self, ctx: Context, args: tuple, kwargs: dict) -> Any:
        try:
            with np.errstate(all="ignore"):
                if self.oracle is not None:
                    return self.oracle(*copy.deepcopy(args), **copy.deepcopy(kwargs))
                return drivers.run(ctx.reference, self._spec(copy.deepcopy(args), kwargs))
        except Exception as exc:
            raise GraderError(
                f"the reference failed on {fmt_call(self.function, args, kwargs)}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _spec(self, args: tuple, kwargs: dict) -> dict:
        return {
            "driver": self.driver,
            "function": self.function,
            "args": tuple(args),
            "kwargs": dict(kwargs),
            "options": dict(self.options),
        }

    def _call_text(self, ctx: Context, args: tuple, kwargs: dict) -> str:
        """``name(param=value, ...)`` with the reference's parameter names; the driver
        supplies ``ctx`` of a Function's forward and ``out`` of a kernel, so skip those."""
        ref = getattr(ctx.reference, self.function, None)
        name = self.function
        if self.driver == "function" and ref is not None:
            ref, name = _without_first(ref.forward), f"{self.function}.apply"
        elif self.driver == "cuda_kernel" and ref is not None:
            ref = _without_first(getattr(ref, "py_func", ref))
        return fmt_call(name, args, kwargs, ref)

    def _pick(self, value: Any) -> Any:
        """Only the outputs this check grades (``select``), if it grades a subset."""
        if self.select is None or not isinstance(value, (tuple, list)):
            return value
        if any(i >= len(value) for i in self.select):
            return value  # the wrong length is reported by `difference`
        return tuple(value[i] for i in self.select)

    def problem(self, ctx: Context, args: tuple, kwargs: dict, expected: Any) -> str | None:
        """None if the submission's output for these inputs matches; else the message."""
        [result] = ctx.call([self._spec(args, kwargs)])
        call_text = self._call_text(ctx, args, kwargs)
        if not result.ok:
            return f"{call_text}\n  {error_text(result)}"
        actual, names = self._pick(result.value), self.outputs
        if self.select is not None and names is not None:
            names = [names[i] for i in self.select]
        diff = difference(
            self._pick(expected), actual, rtol=self.rtol, atol=self.atol, names=names
        )
        if diff is None:
            return None
        lines = [call_text, "  " + diff.replace("\n", "\n  ")]
        for d in self.diagnoses:
            try:
                with np.errstate(all="ignore"):  # a mistake may well divide by zero
                    variant = d.oracle(*copy.deepcopy(args), **copy.deepcopy(kwargs))
                variant = self._pick(variant)
            except Exception:  # noqa: BLE001 - a diagnosis that does not apply says nothing
                continue
            if difference(variant, actual, rtol=self.rtol, atol=self.atol) is None:
                lines.append(f"  Likely mistake: {d.message}")
                found = _Mismatch("\n".join(lines))
                found.mistake = d.message
                return found
        return "\n".join(lines)


@dataclass
class Example(_Compared):
    """One call with fixed inputs. ``expected`` defaults to the reference's result."""

    _: KW_ONLY
    args: tuple = ()
    expected: Any = REFERENCE

    def run(self, ctx: Context) -> Verdict:
        args, kwargs = copy.deepcopy(tuple(self.args)), copy.deepcopy(self.kwargs)
        expected = self.expected
        if expected is REFERENCE:
            expected = self.expected_for(ctx, args, kwargs)
        problem = self.problem(ctx, args, kwargs, expected)
        if problem is None:
            return Verdict(True)
        return Verdict(False, _with_hint(problem, self.hint), getattr(problem, "mistake", ""))


class _Abort(BaseException):
    """Carries SubmissionFailed/GraderError out of hypothesis without shrinking."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class _StopShrinking(BaseException):
    """Ends a property's shrinking early (see ``Property.max_shrinks``)."""


def grading_settings(max_examples: int) -> Any:
    """The grading profile: the same inputs in the same order on every run."""
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=max_examples,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )


def stable_seed(*parts: str) -> int:
    """A seed from names alone: the same for every install, machine and process."""
    return int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest()[:8], "big")


_HYPOTHESIS_HOME: list[str] = []


@contextlib.contextmanager
def pinned_hypothesis() -> Iterator[None]:
    """Make hypothesis draw the same inputs however and wherever the grader runs.

    - Hypothesis mixes constants it finds in "local" modules (those outside
      site-packages and the standard library) into what it draws. An editable checkout
      of tinygrad_edu is local, an installed wheel is not, and which modules are loaded
      differs between ``check``, ``grade`` and the Gradescope run: so the same seed drew
      different arrays. The set of local constants is pinned to empty here.
    - Its home folder (``.hypothesis/``, written even with ``database=None``) goes to a
      private temporary folder, not the grader's working directory (``/`` on Gradescope).
    """
    from hypothesis import configuration
    from hypothesis.internal.conjecture import providers

    if not _HYPOTHESIS_HOME:
        home = tempfile.mkdtemp(prefix="tinygrad-edu-hypothesis-")
        atexit.register(shutil.rmtree, home, True)
        _HYPOTHESIS_HOME.append(home)
    configuration.set_hypothesis_home_dir(_HYPOTHESIS_HOME[0])
    original = getattr(providers, "_get_local_constants", None)
    empty = None
    if original is not None:
        empty = type(providers.GLOBAL_CONSTANTS)()  # Constants() with empty sets
        providers._get_local_constants = lambda: empty  # type: ignore[attr-defined]
        providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        if original is not None:
            providers._get_local_constants = original  # type: ignore[attr-defined]
            providers.CONSTANTS_CACHE.cache.clear()


@dataclass
class Property(_Compared):
    """The submission agrees with the reference on every input ``strategy`` draws.

    ``strategy`` draws a tuple of positional arguments or an :class:`Args`; the check's
    own ``kwargs`` are added to every call.
    """

    _: KW_ONLY
    strategy: Any = None
    max_examples: int = 25
    max_shrinks: int = 60

    def run(self, ctx: Context) -> Verdict:
        from hypothesis import given, seed

        failures: list[str] = []
        calls_after_failure = [0]

        @seed(stable_seed(ctx.exercise, self.name))
        @grading_settings(self.max_examples)
        @given(self.strategy)
        def agrees_with_reference(drawn: Any) -> None:
            if failures:
                # Shrinking: every input tried now is smaller than the smallest failure so
                # far, so stopping after a fixed number of tries keeps the best one found —
                # and, counted in tries rather than seconds, the same one on every run.
                calls_after_failure[0] += 1
                if calls_after_failure[0] > self.max_shrinks:
                    raise _StopShrinking
            args, kwargs = _split(drawn, self.kwargs)
            try:
                expected = self.expected_for(ctx, args, kwargs)
                problem = self.problem(ctx, args, kwargs, expected)
            except (SubmissionFailed, GraderError) as exc:
                raise _Abort(exc) from exc
            if problem is not None:
                failures.append(problem)
                raise AssertionError(problem)

        try:
            with pinned_hypothesis():
                agrees_with_reference()
        except _StopShrinking:
            pass
        except _Abort as abort:
            raise abort.error from None
        except Exception:  # noqa: BLE001 - the failure is in `failures`
            if not failures:
                raise
        if not failures:
            return Verdict(True)
        # Hypothesis replays the minimal failing example last, so it is the last one seen.
        message = (
            "Falsifying example (the smallest input found that fails):\n" + failures[-1]
        )
        return Verdict(False, _with_hint(message, self.hint), getattr(failures[-1], "mistake", ""))


def _split(drawn: Any, fixed: dict) -> tuple[tuple, dict]:
    if isinstance(drawn, Args):
        return tuple(drawn.args), {**fixed, **drawn.kwargs}
    if isinstance(drawn, tuple):
        return drawn, dict(fixed)
    return (drawn,), dict(fixed)


@dataclass
class GradCheck(Check):
    """The submission's backward against central differences of its forward, by the
    public toolkit's :func:`tinygrad_edu.testing.gradcheck` (float64, ``Σ f(x)·w`` with
    fixed weights). The grader wraps the submission in a :class:`tinygrad_edu.Function`
    whose forward and backward are calls into the submission's process, so the
    arithmetic and the verdict stay in the grader. The forward must first match the
    reference at the check's input: finite differences of a wrong forward check nothing.

    ``mode`` says how ``backward`` is called and what it returns:

    - ``"elementwise"``: ``backward(*args)`` is the derivative of an elementwise
      ``forward`` at ``args[0]`` (like ``sigmoid_grad``);
    - ``"loss"``: ``forward`` returns a scalar, ``backward(*args)`` its gradient with
      respect to each input in ``wrt`` (an array, or a tuple for several);
    - ``"vjp"``: ``backward(*backward_args(args, u))`` returns ``uᵀJ`` for each input in
      ``wrt`` (default arguments: ``(*args, u)``);
    - ``"function"``: ``function`` is a :class:`tinygrad_edu.Function`; its ``apply``
      is the forward and ``backward()`` through it gives the gradients.

    ``forward`` is the name of a submission function, or a callable evaluated in the
    grader (when the student writes only the backward).
    """

    _: KW_ONLY
    args: tuple = ()
    mode: str = "vjp"
    function: str = ""
    forward: str | Callable[..., Any] = ""
    backward: str = ""
    backward_args: Callable[[tuple, np.ndarray], tuple] | None = None
    wrt: tuple[int, ...] = (0,)
    eps: float = 1e-6
    rtol: float = 1e-3
    atol: float = 1e-5

    def functions(self) -> tuple[str, ...]:
        names = [self.function] if self.mode == "function" else [self.backward]
        if isinstance(self.forward, str) and self.forward:
            names.append(self.forward)
        return tuple(n for n in names if n)

    def _forward_specs(self, inputs: list[tuple]) -> list[dict]:
        if self.mode == "function":
            return [
                {"driver": "function", "function": self.function, "args": a, "options": {}}
                for a in inputs
            ]
        return [{"driver": "call", "function": self.forward, "args": a} for a in inputs]

    def _forwards(self, ctx: Context, inputs: list[tuple]) -> list[Any]:
        """Forward values at each input tuple, or raise _Problem with the student's error."""
        if callable(self.forward):
            return [np.asarray(self.forward(*copy.deepcopy(a)), dtype=np.float64) for a in inputs]
        values = []
        for a, r in zip(inputs, ctx.call(self._forward_specs(inputs)), strict=True):
            if not r.ok:
                call = fmt_call(self._fname(), a, {}, _reference_callable(ctx, self))
                raise _Problem(f"{call}\n  {error_text(r)}")
            values.append(_as_float_array(r.value, f"the forward `{self._fname()}`"))
        return values

    def _fname(self) -> str:
        if self.mode == "function":
            return f"{self.function}.apply"
        return self.forward if isinstance(self.forward, str) else "forward"

    def run(self, ctx: Context) -> Verdict:
        try:
            return self._run(ctx)
        except _Problem as p:
            return Verdict(False, _with_hint(str(p), self.hint))

    def _run(self, ctx: Context) -> Verdict:
        from tinygrad_edu import Function, Tensor
        from tinygrad_edu.testing import gradcheck

        # Only the inputs we differentiate become float64; labels and the like keep dtype.
        args = tuple(
            np.array(a, dtype=np.float64) if i in self.wrt else copy.deepcopy(a)
            for i, a in enumerate(self.args)
        )
        [out] = self._forwards(ctx, [args])
        self._check_forward(ctx, args, out)
        check = self

        class SubmissionOp(Function):
            """The submission's forward and backward, each one call away in its process."""

            @staticmethod
            def forward(fctx: Any, *arrays: np.ndarray) -> np.ndarray:
                fctx.arrays = tuple(np.array(a) for a in arrays)
                value = check._forwards(ctx, [fctx.arrays])[0]
                if value.shape != out.shape:
                    # Finite differences step to nearby inputs; a forward whose shape
                    # changes there has no derivative to compare with.
                    raise _Problem(
                        f"the forward `{check._fname()}` returned shape {value.shape} at an "
                        f"input a step of {check.eps:g} away, but shape {out.shape} at the "
                        f"input itself:\n  {fmt_call(check._fname(), args, {})}"
                    )
                return value

            @staticmethod
            def backward(fctx: Any, grad: Any) -> Any:
                grads = check._analytic(ctx, fctx.arrays, np.asarray(grad.numpy()))
                result: list[Any] = [None] * len(fctx.arrays)
                for k, i in enumerate(check.wrt):
                    result[i] = Tensor(grads[k], dtype=np.float64)
                return tuple(result) if len(result) > 1 else result[0]

        tensors = [
            Tensor(np.asarray(a), dtype=np.asarray(a).dtype, requires_grad=i in self.wrt)
            for i, a in enumerate(args)
        ]
        try:
            # The public toolkit's check: central differences of Σ f(x)·w against backward.
            gradcheck(SubmissionOp.apply, *tensors, eps=self.eps, atol=self.atol, rtol=self.rtol)
        except (ValueError, TypeError, IndexError, FloatingPointError) as exc:
            # What the submission returned could not be differentiated or compared (a
            # shape or dtype that the arithmetic rejects): its failure, not the grader's.
            return Verdict(False, _with_hint(
                f"the gradient check could not use what the submission returned "
                f"({type(exc).__name__}: {scrub(str(exc))[:300]})\n"
                f"  inputs: {', '.join(fmt(a) for a in args)}", self.hint))
        except AssertionError as exc:
            names = _param_names(ctx, self)
            message = str(exc).removeprefix("gradcheck: ")
            for i, label in enumerate(names):
                message = message.replace(f"input {i} ", f"{label} ", 1)
            return Verdict(
                False,
                _with_hint(
                    f"the backward disagrees with finite differences of the forward: "
                    f"{message}\n  inputs: {', '.join(fmt(a) for a in args)}",
                    self.hint,
                ),
            )
        return Verdict(True)

    def _check_forward(self, ctx: Context, args: tuple, out: np.ndarray) -> None:
        """Finite differences of a wrong forward check nothing (a constant forward and a
        zero backward agree), so the submission's forward must first match the reference."""
        if callable(self.forward):
            return
        spec = self._forward_specs([copy.deepcopy(args)])[0]
        try:
            expected = drivers.run(ctx.reference, spec)
        except Exception as exc:
            raise GraderError(f"the reference forward failed: {type(exc).__name__}: {exc}") from exc
        diff = difference(expected, out, rtol=1e-6, atol=1e-9)
        if diff is not None:
            raise _Problem(
                f"the forward `{self._fname()}` is wrong at this input, so its finite "
                f"differences cannot check the backward:\n  {fmt_call(self._fname(), args, {})}"
                f"\n  " + diff.replace("\n", "\n  ")
            )

    def _analytic(self, ctx: Context, args: tuple, u: np.ndarray) -> list[np.ndarray]:
        if self.mode == "function":
            spec = {
                "driver": "function",
                "function": self.function,
                "args": args,
                "options": {"upstream": u},
            }
            [r] = ctx.call([spec])
            if not r.ok:
                raise _Problem(f"backward through {self._fname()}\n  {error_text(r)}")
            grads = r.value.get("grads", ()) if isinstance(r.value, dict) else ()
            out = []
            for i in self.wrt:
                g = grads[i] if i < len(grads) else None
                if g is None:
                    raise _Problem(
                        f"backward through {self._fname()} gave no gradient for input {i}"
                    )
                g = _as_float_array(g, f"the gradient of input {i}")
                if g.shape != np.shape(args[i]):
                    raise _Problem(
                        f"backward through {self._fname()} gave a gradient of shape {g.shape} "
                        f"for input {i}, whose shape is {np.shape(args[i])}"
                    )
                out.append(g)
            return out
        if self.mode == "vjp":
            bargs = self.backward_args(args, u) if self.backward_args else (*args, u)
        else:
            bargs = args
        [r] = ctx.call([{"driver": "call", "function": self.backward, "args": tuple(bargs)}])
        if not r.ok:
            return _raise(f"{fmt_call(self.backward, tuple(bargs), {})}\n  {error_text(r)}")
        value = r.value
        if len(self.wrt) == 1 and not isinstance(value, (tuple, list)):
            value = (value,)
        if not isinstance(value, (tuple, list)) or len(value) != len(self.wrt):
            return _raise(
                f"`{self.backward}` should return {len(self.wrt)} gradient(s), "
                f"got {fmt(value, 120)}"
            )
        grads = [_as_float_array(g, f"a gradient from `{self.backward}`") for g in value]
        if self.mode == "elementwise":
            grads = [g * u if g.shape == u.shape else g for g in grads]
        elif self.mode == "loss":
            grads = [g * u for g in grads]  # u: the upstream gradient of the scalar loss
        for k, i in enumerate(self.wrt):
            if grads[k].shape != np.shape(args[i]):
                raise _Problem(
                    f"`{self.backward}` returned a gradient of shape {grads[k].shape} for "
                    f"input {i}, whose shape is {np.shape(args[i])}"
                )
        return grads


class _Problem(Exception):
    """A gradient check stopped early with a message for the student."""


def _raise(message: str) -> Any:
    raise _Problem(message)


def _as_float_array(value: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise _Problem(f"{what} returned {fmt(value, 120)}, not an array of numbers") from None
    return arr


def _reference_callable(ctx: Context, check: GradCheck) -> Callable[..., Any] | None:
    """The reference's forward (for parameter names in messages)."""
    target = check.function if check.mode == "function" else check.forward
    fn = target if callable(target) else getattr(ctx.reference, str(target), None)
    if check.mode == "function" and fn is not None:
        forward = getattr(fn, "forward", None)
        # forward(ctx, x, ...): drop ctx so names line up with the Tensors passed to apply.
        return (lambda *a: None) if forward is None else _without_first(forward)
    return fn


def _without_first(fn: Callable[..., Any]) -> Callable[..., Any]:
    import inspect

    sig = inspect.signature(fn)
    params = list(sig.parameters.values())[1:]

    def stub(*args: Any) -> None: ...

    stub.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return stub


def _param_names(ctx: Context, check: GradCheck) -> list[str]:
    import inspect

    fn = _reference_callable(ctx, check)
    if fn is None:
        return []
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []
    return [f"input {i} (`{p}`)" for i, p in enumerate(params)]


def error_text(result: CallResult) -> str:
    """How an exception from the submission is shown to the student."""
    if result.error_type == "NotImplementedError":
        return f"not implemented yet (NotImplementedError: {result.message})"
    if result.error_type == "MemoryError":
        return "raised MemoryError: the submission ran out of memory (the memory limit)"
    text = f"raised {result.error_type}: {result.message}"
    tb = result.traceback.strip()
    if tb and result.error_type not in ("ReturnTypeError",):
        lines = tb.splitlines()
        frames = "\n".join("    " + line for line in lines[:-1][-8:])
        if frames.strip():
            text += "\n  in your code:\n" + frames
    return scrub(text)


def _with_hint(message: str, hint: str) -> str:
    return f"{message}\n  Hint: {hint}" if hint else message
