"""An assignment: several exercises graded together, each with a weight.

Written as a file (TOML on Python >= 3.11, or JSON)::

    name = "hw3"
    title = "Homework 3: optimisers"
    timeout_s = 10              # optional, seconds per check (default: each exercise's)
    [[exercises]]
    name = "adam_step"          # a name from `exercises list`, or a path to an exercise
    weight = 2                  # its points count twice (default 1)
    [[exercises]]
    name = "mse"

or on the command line as ``adam_step:2,mse`` (``name[:weight]``, comma-separated).
A single exercise name is an assignment of one part, graded exactly as before.

The score of a part is its checks' points times its weight; a student's files are
``<module>.py`` for each exercise, in one folder (what Gradescope puts in
``/autograder/submission``). The results keep one list of checks, named
``<exercise>: <check>`` when there are several parts, so ``results.json`` is the usual
Gradescope file.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .exercise import Exercise, ExerciseError, resolve_exercise
from .grader import CheckResult, GradeResult, grade
from .runner import Limits


@dataclass
class Part:
    exercise: Exercise
    weight: float = 1.0


@dataclass
class Assignment:
    name: str
    title: str
    parts: list[Part]
    timeout_s: float | None = None
    source: str = ""  # the text it was read from (a file's content, or the CLI list)

    @property
    def max_points(self) -> float:
        return float(sum(p.weight * p.exercise.max_points for p in self.parts))

    @property
    def single(self) -> bool:
        return len(self.parts) == 1 and self.parts[0].weight == 1.0

    @property
    def hidden_visibility(self) -> str:
        return self.parts[0].exercise.hidden_visibility

    def check_names(self) -> list[str]:
        """Every check's column name, in grading order (hidden ones included)."""
        return [self._label(p, c.name) for p in self.parts for c in p.exercise.checks]

    def _label(self, part: Part, check: str) -> str:
        return check if len(self.parts) == 1 else f"{part.exercise.name}: {check}"

    def limits(self, timeout: float | None, memory_mb: int | None) -> list[Limits]:
        """The limits of each part: ``timeout`` if given, else the assignment's, else
        the exercise's own."""
        out = []
        for p in self.parts:
            t = timeout or self.timeout_s or p.exercise.timeout_s or Limits.timeout_s
            out.append(Limits(timeout_s=float(t), memory_mb=int(memory_mb or Limits.memory_mb)))
        return out

    def worst_case_seconds(self, timeout: float | None) -> float:
        """What a submission that hangs everywhere can cost: its import and every check
        each wait out the time limit."""
        return sum((len(p.exercise.checks) + 1) * lim.timeout_s
                   for p, lim in zip(self.parts, self.limits(timeout, None), strict=True))


def _is_list_spec(spec: str) -> bool:
    return ("," in spec or ":" in spec) and not Path(spec).exists()


def load_assignment(spec: str, exercises_dir: str | Path | None = None) -> Assignment:
    """An assignment from a file (``.toml``/``.json``), a list ``a:2,b``, or one
    exercise name or path."""
    path = Path(spec)
    if path.suffix in (".toml", ".json") and path.is_file():
        text = path.read_text(encoding="utf-8")
        data = _read(path, text)
        entries = data.get("exercises")
        if not isinstance(entries, list) or not entries:
            raise ExerciseError(f"{path}: an assignment needs a list of [[exercises]]")
        base = path.parent
        parts = []
        for entry in entries:
            if isinstance(entry, str):
                entry = {"name": entry}
            if not isinstance(entry, dict) or "name" not in entry:
                raise ExerciseError(f"{path}: each exercise needs a name, got {entry!r}")
            name = str(entry["name"])
            local = base / name
            target = str(local) if (local.suffix == ".py" or local.is_dir()) and \
                local.exists() else name
            parts.append(Part(resolve_exercise(target, exercises_dir),
                              _weight(entry.get("weight", 1), path)))
        timeout = data.get("timeout_s")
        return _checked(Assignment(str(data.get("name", path.stem)),
                                   str(data.get("title", data.get("name", path.stem))),
                                   parts, float(timeout) if timeout else None, text))
    if _is_list_spec(spec):
        parts = []
        for item in (s.strip() for s in spec.split(",")):
            if not item:
                continue
            name, _, weight = item.partition(":")
            parts.append(Part(resolve_exercise(name, exercises_dir),
                              _weight(weight or 1, spec)))
        names = "+".join(p.exercise.name for p in parts)
        return _checked(Assignment(names, names, parts, None, spec))
    exercise = resolve_exercise(spec, exercises_dir)
    return Assignment(exercise.name, exercise.title, [Part(exercise)], None, exercise.source)


def _read(path: Path, text: str) -> dict[str, Any]:
    try:
        if path.suffix == ".json":
            data = json.loads(text)
        else:
            if sys.version_info < (3, 11):
                raise ExerciseError(f"{path}: TOML assignments need Python 3.11; use JSON")
            import tomllib

            data = tomllib.loads(text)
    except ValueError as exc:
        raise ExerciseError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ExerciseError(f"{path}: expected a table of settings")
    return data


def _weight(value: Any, where: object) -> float:
    try:
        w = float(value)
    except (TypeError, ValueError):
        raise ExerciseError(f"{where}: weight {value!r} is not a number") from None
    if not w > 0:
        raise ExerciseError(f"{where}: weight {value!r} must be positive")
    return w


def _checked(assignment: Assignment) -> Assignment:
    names = [p.exercise.name for p in assignment.parts]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ExerciseError(f"assignment {assignment.name}: {', '.join(twice)} listed twice")
    modules = [p.exercise.module for p in assignment.parts]
    if len(set(modules)) != len(modules):
        raise ExerciseError(f"assignment {assignment.name}: two exercises share a file name")
    return assignment


def grade_assignment(
    assignment: Assignment,
    submission: str | Path,
    *,
    include_hidden: bool = True,
    timeout: float | None = None,
    memory_mb: int | None = None,
    drop_privileges: bool | None = None,
) -> GradeResult:
    """Grade every part on the files in ``submission`` and combine the results."""
    started = time.monotonic()
    parts = assignment.parts
    if len(parts) == 1:
        [limits] = assignment.limits(timeout, memory_mb)
        result = grade(parts[0].exercise, submission, include_hidden=include_hidden,
                       limits=limits, drop_privileges=drop_privileges)
        if assignment.single:
            return result
        return _combine(assignment, [result], started)
    folder = Path(submission)
    if not folder.is_dir():
        raise ExerciseError(f"an assignment of {len(parts)} exercises is graded on a folder "
                            f"holding their files; {folder} is not a folder")
    results = [
        grade(p.exercise, folder, include_hidden=include_hidden, limits=lim,
              drop_privileges=drop_privileges)
        for p, lim in zip(parts, assignment.limits(timeout, memory_mb), strict=True)
    ]
    return _combine(assignment, results, started)


def _combine(assignment: Assignment, results: list[GradeResult], started: float) -> GradeResult:
    checks: list[CheckResult] = []
    messages: list[str] = []
    outputs: list[str] = []
    notes: list[str] = []
    for part, res in zip(assignment.parts, results, strict=True):
        for r in res.results:
            checks.append(replace(
                r, number=len(checks) + 1, name=assignment._label(part, r.name),
                score=r.score * part.weight, max_score=r.max_score * part.weight))
        messages += [f"{part.exercise.name}: {m}" for m in res.messages]
        if res.submission_output:
            outputs.append(f"[{part.exercise.name}]\n{res.submission_output}")
        notes += [n for n in res.notes if n not in notes]
    return GradeResult(
        exercise=assignment.name,
        title=assignment.title,
        results=checks,
        execution_time=time.monotonic() - started,
        messages=messages,
        submission_output="\n".join(outputs),
        include_hidden=results[0].include_hidden if results else True,
        notes=notes,
    )
