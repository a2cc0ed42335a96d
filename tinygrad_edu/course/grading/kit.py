"""A student kit: starters, READMEs and the public checks, with no reference code.

``tinygrad-edu exercises export-student DIR`` writes, for each exercise,
``DIR/<name>/<module>.py`` (the starter), ``README.md`` and ``public_checks.json``: the
public checks with every expected value computed in advance from the reference —

- an :class:`~.checks.Example` keeps its inputs, its expected value and the value of
  each known mistake (so ``check`` still names it);
- a public :class:`~.checks.Property` becomes the fixed list of cases the grader draws
  (the same seed as ``grade``), each with its expected value;
- a :class:`~.checks.GradCheck` keeps its inputs and the reference's forward value at
  them; the finite differences use the student's own forward, as in the grader.

Hidden checks, the reference solution and the diagnosis functions stay with the
instructor (and in the Gradescope bundle). ``tinygrad-edu check NAME DIR`` finds the
kit's ``public_checks.json`` beside the student's file and runs it in the same isolated
process as always.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from . import codec, drivers
from .checks import Check, Context, Diagnosis, Example, GradCheck, Property, Verdict
from .exercise import Exercise, ExerciseError
from .runner import CallResult

KIT_FILE = "public_checks.json"
FORMAT = 1


# ------------------------------------------------------------------------- export
class _Recorder:
    """A context that answers calls with the reference's values and keeps the specs."""

    def __init__(self, exercise: Exercise) -> None:
        assert exercise.reference is not None
        self.reference: ModuleType = exercise.reference
        self.exercise = exercise.name
        self.specs: list[dict] = []

    def call(self, specs: list[dict]) -> list[CallResult]:
        self.specs.extend(specs)
        return [CallResult(ok=True, value=drivers.run(self.reference, s)) for s in specs]


def _signature(obj: Any) -> dict[str, Any]:
    if isinstance(obj, type):
        kind, fn = "Function", getattr(obj, "forward", None)
    elif hasattr(obj, "py_func"):
        kind, fn = "kernel", obj.py_func
    else:
        kind, fn = "function", obj
    try:
        params = list(inspect.signature(fn).parameters) if fn is not None else []
    except (TypeError, ValueError):
        params = []
    return {"kind": kind, "params": params}


def _template(backward_args: Callable[[tuple, np.ndarray], tuple] | None,
              n_args: int) -> list[Any] | None:
    """``backward_args`` as a list of argument indices and "u", when it only rearranges."""
    if backward_args is None:
        return None
    marks = tuple(_Mark(i) for i in range(n_args))
    u = _Mark("u")
    try:
        picked = backward_args(marks, u)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001
        raise ExerciseError(f"backward_args does more than rearrange its inputs ({exc})") \
            from None
    if not all(isinstance(p, _Mark) for p in picked):
        raise ExerciseError("backward_args does more than rearrange its inputs")
    return [p.key for p in picked]


@dataclass(frozen=True)
class _Mark:
    key: Any


def _forward_name(forward: Any) -> str:
    if isinstance(forward, str):
        return forward
    name = getattr(forward, "__name__", "")
    if getattr(np, name, None) is forward:
        return f"numpy.{name}"
    raise ExerciseError("a GradCheck whose forward is a function of the exercise cannot be "
                        "exported without reference code")


def _case(check: Example | Property, exercise: Exercise, spec: dict) -> dict[str, Any]:
    ctx = _Recorder(exercise)
    args, kwargs = tuple(spec["args"]), dict(spec["kwargs"])
    if isinstance(check, Example) and check.expected is not _reference_marker():
        expected = check.expected
    else:
        expected = check.expected_for(ctx, args, kwargs)
    mistakes = []
    for d in check.diagnoses:
        try:
            with np.errstate(all="ignore"):
                mistake = {"message": d.message, "value": d.oracle(*args, **kwargs)}
                if d.message_zh:
                    mistake["message_zh"] = d.message_zh
                mistakes.append(mistake)
        except Exception:  # noqa: BLE001 - a diagnosis that does not apply says nothing
            continue
    return {"args": args, "kwargs": kwargs, "expected": expected, "mistakes": mistakes}


def _reference_marker() -> Any:
    from .checks import REFERENCE

    return REFERENCE


def export_check(check: Check, exercise: Exercise) -> dict[str, Any]:
    common = {"name": check.name, "points": check.points, "hint": check.hint}
    for key in ("name_zh", "hint_zh"):  # optional: only when the exercise gives them
        if getattr(check, key):
            common[key] = getattr(check, key)
    if isinstance(check, (Example, Property)):
        if isinstance(check, Example):
            specs = [check._spec(tuple(check.args), dict(check.kwargs))]
        else:
            recorder = _Recorder(exercise)
            verdict = check.run(recorder)
            assert verdict.passed, f"{check.name}: the reference fails its own property"
            specs = list({json.dumps(codec.encode(s), sort_keys=True): s
                          for s in recorder.specs}.values())
        return {**common, "kind": "cases", "function": check.function, "driver": check.driver,
                "options": check.options, "rtol": check.rtol, "atol": check.atol,
                "outputs": list(check.outputs) if check.outputs is not None else None,
                "select": list(check.select) if check.select is not None else None,
                "falsifying": isinstance(check, Property),
                "cases": [_case(check, exercise, s) for s in specs]}
    if isinstance(check, GradCheck):
        args = tuple(np.array(a, dtype=np.float64) if i in check.wrt else a
                     for i, a in enumerate(check.args))
        expected_forward = None
        if isinstance(check.forward, str) and check.forward or check.mode == "function":
            spec = check._forward_specs([args])[0]
            expected_forward = drivers.run(exercise.reference, spec)  # type: ignore[arg-type]
        return {**common, "kind": "gradcheck", "args": check.args, "mode": check.mode,
                "function": check.function,
                "forward": _forward_name(check.forward) if check.forward else "",
                "backward": check.backward,
                "backward_args": _template(check.backward_args, len(check.args)),
                "wrt": list(check.wrt), "eps": check.eps, "rtol": check.rtol,
                "atol": check.atol, "expected_forward": expected_forward}
    raise ExerciseError(f"cannot export a check of type {type(check).__name__}")


def export_kit(exercise: Exercise) -> dict[str, Any]:
    """The public checks of ``exercise`` with their expected values (JSON-ready)."""
    functions = {}
    for c in exercise.public_checks:
        for name in c.functions():
            functions[name] = _signature(getattr(exercise.reference, name))
    kit = {
        "format": FORMAT,
        "exercise": exercise.name,
        "title": exercise.title,
        "module": exercise.module,
        "timeout_s": exercise.timeout_s,
        "env": exercise.env,
        "preload": list(exercise.preload),
        "forbidden_imports": list(exercise.forbidden_imports),
        "functions": functions,
        "checks": [export_check(c, exercise) for c in exercise.public_checks],
    }
    return {"__kit__": codec.encode(kit)}


# ------------------------------------------------------------------------- import
@dataclass
class KitCases(Check):
    """Fixed cases with expected values (an exported Example or public Property)."""

    examples: list[Example] = field(default_factory=list)
    falsifying: bool = False

    def functions(self) -> tuple[str, ...]:
        return tuple({e.function: None for e in self.examples})

    def run(self, ctx: Context) -> Verdict:
        for example in self.examples:
            verdict = example.run(ctx)
            if not verdict.passed:
                if self.falsifying:
                    return Verdict(False, "Falsifying example:\n" + verdict.message,
                                   verdict.mistake)
                return verdict
        return Verdict(True)


@dataclass
class KitGradCheck(GradCheck):
    """A GradCheck whose forward's expected value was computed when the kit was made."""

    expected_forward: Any = None

    def _check_forward(self, ctx: Context, args: tuple, out: np.ndarray) -> None:
        if self.expected_forward is None:
            return
        from .checks import _Problem
        from .compare import difference, fmt_call

        diff = difference(self.expected_forward, out, rtol=1e-6, atol=1e-9)
        if diff is not None:
            raise _Problem(
                f"the forward `{self._fname()}` is wrong at this input, so its finite "
                f"differences cannot check the backward:\n  {fmt_call(self._fname(), args, {})}"
                f"\n  " + diff.replace("\n", "\n  ")
            )


def _constant(value: Any) -> Callable[..., Any]:
    return lambda *args, **kwargs: value


def _stub_module(name: str, functions: dict[str, dict[str, Any]]) -> ModuleType:
    """Stand-ins with the reference's parameter names (for messages), and no code."""
    module = ModuleType(f"_tinygrad_edu_kit_{name}")
    for fname, sig in functions.items():
        params = [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  for p in sig.get("params", [])]

        def stub(*args: Any, **kwargs: Any) -> None:
            raise ExerciseError("a student kit holds no reference code")

        stub.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        if sig.get("kind") == "Function":
            obj: Any = type(fname, (), {"forward": staticmethod(stub)})
        elif sig.get("kind") == "kernel":
            obj = type(fname, (), {"py_func": staticmethod(stub)})()
        else:
            obj = stub
        setattr(module, fname, obj)
    return module


def _import_check(data: dict[str, Any]) -> Check:
    common: dict[str, Any] = {"points": float(data["points"]), "hint": str(data.get("hint", "")),
                              "name_zh": str(data.get("name_zh", "")),
                              "hint_zh": str(data.get("hint_zh", ""))}
    if data["kind"] == "cases":
        examples = [
            Example(data["name"], function=data["function"], args=tuple(case["args"]),
                    kwargs=dict(case["kwargs"]), expected=case["expected"],
                    driver=data["driver"], options=dict(data["options"]),
                    rtol=data["rtol"], atol=data["atol"], outputs=data["outputs"],
                    select=data["select"], hint=common["hint"],
                    diagnoses=[Diagnosis(m["message"], _constant(m["value"]),
                                         str(m.get("message_zh", "")))
                               for m in case["mistakes"]])
            for case in data["cases"]
        ]
        return KitCases(data["name"], examples=examples, falsifying=bool(data["falsifying"]),
                        **common)  # type: ignore[arg-type]
    if data["kind"] == "gradcheck":
        forward: Any = data["forward"]
        if isinstance(forward, str) and forward.startswith("numpy."):
            forward = getattr(np, forward.split(".", 1)[1])
        template = data["backward_args"]
        backward_args = None
        if template is not None:
            def backward_args(args: tuple, u: np.ndarray, t: list = template) -> tuple:
                return tuple(u if k == "u" else args[int(k)] for k in t)
        return KitGradCheck(data["name"], args=tuple(data["args"]), mode=data["mode"],
                            function=data["function"], forward=forward,
                            backward=data["backward"], backward_args=backward_args,
                            wrt=tuple(data["wrt"]), eps=data["eps"], rtol=data["rtol"],
                            atol=data["atol"], expected_forward=data["expected_forward"],
                            **common)  # type: ignore[arg-type]
    raise ExerciseError(f"unknown check kind {data['kind']!r} in a student kit")


def load_kit(path: Path) -> Exercise:
    """An exercise made of a kit's public checks (``check`` runs it like any other)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        kit = codec.decode(raw["__kit__"])
    except (OSError, ValueError, KeyError, TypeError, codec.ProtocolError) as exc:
        raise ExerciseError(f"{path} is not a student kit file ({exc})") from None
    if kit.get("format") != FORMAT:
        raise ExerciseError(f"{path}: kit format {kit.get('format')} (this grader reads "
                            f"{FORMAT}); export the kit again")
    exercise = Exercise(
        kit["exercise"], kit["title"], [_import_check(c) for c in kit["checks"]],
        module=kit["module"], env=dict(kit["env"]), preload=tuple(kit["preload"]),
        forbidden_imports=tuple(kit["forbidden_imports"]), timeout_s=kit["timeout_s"])
    exercise.reference = _stub_module(exercise.name, kit["functions"])
    exercise.path = path
    return exercise


def find_kit(exercise: str, path: str | Path) -> Path | None:
    """The kit file for ``exercise`` near the student's ``path`` (their file or folder)."""
    p = Path(path)
    candidates = [p / exercise / KIT_FILE, p / KIT_FILE] if p.is_dir() else []
    candidates.append(p.parent / KIT_FILE)
    for candidate in candidates:
        if candidate.is_file():
            try:
                raw = json.loads(candidate.read_text(encoding="utf-8"))
                name = codec.decode(raw["__kit__"]).get("exercise")
            except (OSError, ValueError, KeyError, TypeError, AttributeError,
                    codec.ProtocolError):
                continue
            if name == exercise:
                return candidate
    return None
