"""An exercise: one reference file (solutions marked) whose GRADER block declares checks.

Loading runs the exercise file in the grader — it is the instructor's trusted code — as
a module whose functions are the reference. The student's starter and a stand-alone
solution are made from the same text by :mod:`tinygrad_edu.course.grading.solution`.

Where exercises are found: ``--exercises-dir``, else ``$TINYGRAD_EDU_EXERCISES``, else
the copy installed with the package (a wheel), else the checkout's ``exercises/``.
An exercise is a folder holding ``exercise.py`` (and a ``README.md``), or any single
``.py`` file given by path.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import sys
from collections.abc import Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from types import ModuleType

from .checks import Check
from .solution import make_solution, make_starter

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


class ExerciseError(ValueError):
    """An exercise file is missing, malformed or inconsistent."""


# What to install when an exercise needs a module this environment lacks.
INSTALL_HINTS = {
    "numba": "needs `tinygrad-edu[gpu]` or numba (its CUDA simulator needs no GPU)",
    "hypothesis": "needs `tinygrad-edu[grading]` (pip install hypothesis)",
}


class ExerciseUnavailable(ExerciseError):
    """The exercise is fine but needs a package that is not installed here."""

    def __init__(self, name: str, missing: str) -> None:
        self.name = name
        self.missing = missing
        self.hint = INSTALL_HINTS.get(missing, f"needs the package {missing!r}")
        super().__init__(f"{name} {self.hint}")


@dataclass
class Exercise:
    """What a student implements and how it is checked.

    ``module`` is the submission's module name (the student's file is ``<module>.py``;
    default: the exercise's name). ``env`` is added to the submission process's
    environment, ``preload`` lists modules imported there before the submission (so
    their import time is not charged to it). ``forbidden_imports`` is a static guard:
    a submission whose source imports one of these gets no checks run. ``requirements``
    are pip requirements the Gradescope image needs beyond tinygrad_edu and hypothesis.
    """

    name: str
    title: str
    checks: Sequence[Check]
    _: KW_ONLY
    lesson: str = ""
    order: int = 100
    module: str = ""
    env: dict[str, str] = field(default_factory=dict)
    preload: tuple[str, ...] = ()
    forbidden_imports: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    timeout_s: float | None = None
    hidden_visibility: str = "after_published"
    # Filled in by load_exercise:
    source: str = ""
    path: Path | None = None
    readme: str = ""
    readme_zh: str = ""  # README.zh.md beside README.md, when the exercise has one
    reference: ModuleType | None = None

    def __post_init__(self) -> None:
        if not self.module:
            self.module = self.name

    @property
    def max_points(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def public_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.hidden]

    @property
    def functions(self) -> tuple[str, ...]:
        """What the submission must define, in order of first use by a check."""
        seen: dict[str, None] = {}
        for c in self.checks:
            for name in c.functions():
                seen.setdefault(name, None)
        return tuple(seen)

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def starter(self) -> str:
        return make_starter(self.source, self.name)

    def solution(self) -> str:
        return make_solution(self.source)


def default_exercises_dir() -> Path:
    """``$TINYGRAD_EDU_EXERCISES``, the copy installed with the package, or the checkout's
    ``exercises/`` (see :mod:`tinygrad_edu.course.paths`)."""
    from ..paths import exercises_dir

    return exercises_dir()


_CACHE: dict[Path, Exercise] = {}


def load_exercise(path: str | Path) -> Exercise:
    """Load (once per path) the exercise in ``path`` (a folder or a ``.py`` file)."""
    path = Path(path).resolve()
    file = path / "exercise.py" if path.is_dir() else path
    if not file.is_file():
        raise ExerciseError(f"no exercise file at {file}")
    if file in _CACHE:
        return _CACHE[file]
    source = file.read_text(encoding="utf-8")
    digest = hashlib.sha1(str(file).encode()).hexdigest()[:10]
    mod_name = f"_tinygrad_edu_exercise_{digest}"
    spec = importlib.util.spec_from_file_location(mod_name, file)
    if spec is None or spec.loader is None:
        raise ExerciseError(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as exc:
        del sys.modules[mod_name]
        if exc.name and exc.name.split(".")[0] in INSTALL_HINTS:
            name = file.parent.name if file.name == "exercise.py" else file.stem
            raise ExerciseUnavailable(name, exc.name.split(".")[0]) from exc
        raise ExerciseError(f"{file}: {type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        del sys.modules[mod_name]
        raise ExerciseError(f"{file}: {type(exc).__name__}: {exc}") from exc
    exercise = getattr(module, "EXERCISE", None)
    if not isinstance(exercise, Exercise):
        raise ExerciseError(f"{file} defines no EXERCISE = Exercise(...) in its GRADER block")
    if file.name == "exercise.py" and file.parent.name != exercise.name:
        raise ExerciseError(f"{file}: the folder must be named {exercise.name} (the exercise)")
    exercise.source = source
    exercise.path = file
    exercise.reference = module
    readme = file.parent / "README.md" if file.name == "exercise.py" else None
    if readme is not None and readme.is_file():
        exercise.readme = readme.read_text(encoding="utf-8")
    else:
        exercise.readme = f"# {exercise.title}\n\n{(module.__doc__ or '').strip()}\n"
    readme_zh = file.parent / "README.zh.md" if file.name == "exercise.py" else None
    if readme_zh is not None and readme_zh.is_file():
        exercise.readme_zh = readme_zh.read_text(encoding="utf-8")
    validate(exercise)
    _CACHE[file] = exercise
    return exercise


def validate(exercise: Exercise) -> None:
    """Raise :class:`ExerciseError` for mistakes an instructor would want to hear about."""
    where = exercise.path or exercise.name
    if not exercise.module.isidentifier():
        raise ExerciseError(f"{where}: module name {exercise.module!r} is not an identifier")
    if exercise.module in getattr(sys, "stdlib_module_names", ()) or exercise.module in (
        "numpy",
        "tinygrad_edu",
        "hypothesis",
    ):
        raise ExerciseError(f"{where}: module name {exercise.module!r} shadows a real module")
    names = [c.name for c in exercise.checks]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ExerciseError(f"{where}: duplicate check names {duplicates}")
    if not exercise.checks:
        raise ExerciseError(f"{where}: no checks")
    if exercise.hidden_visibility not in VISIBILITIES:
        raise ExerciseError(f"{where}: hidden_visibility must be one of {VISIBILITIES}")
    for c in exercise.checks:
        if not c.points > 0:
            raise ExerciseError(f"{where}: check {c.name!r} has {c.points} points")
        for fn in c.functions():
            if not hasattr(exercise.reference, fn):
                raise ExerciseError(f"{where}: check {c.name!r} calls {fn!r}, which the "
                                    "reference does not define")
    starter = exercise.starter()  # raises MarkerError on malformed markers
    try:
        ast.parse(starter)
    except SyntaxError as exc:
        raise ExerciseError(f"{where}: the generated starter does not parse: {exc}") from exc


def list_exercises(
    directory: str | Path | None = None,
    errors: list[str] | None = None,
    unavailable: list[ExerciseUnavailable] | None = None,
) -> list[Exercise]:
    """Every exercise folder under ``directory``, in lesson order.

    With an ``unavailable`` list, an exercise that needs a package not installed here
    (numba, for the kernel exercise) is put there and skipped; with an ``errors`` list,
    an exercise that fails to load for another reason is reported there and skipped.
    Without the lists, both raise."""
    root = Path(directory) if directory else default_exercises_dir()
    if not root.is_dir():
        raise ExerciseError(
            f"no exercises folder at {root} (use --exercises-dir, or set TINYGRAD_EDU_EXERCISES)"
        )
    found = []
    for folder in sorted(root.iterdir()):
        if not (folder / "exercise.py").is_file():
            continue
        try:
            found.append(load_exercise(folder))
        except ExerciseUnavailable as exc:
            if unavailable is not None:
                unavailable.append(exc)
            elif errors is not None:
                errors.append(f"{folder.name}: {exc}")
            else:
                raise
        except ExerciseError as exc:
            if errors is None:
                raise
            errors.append(f"{folder.name}: {exc}")
    return sorted(found, key=lambda e: (e.order, e.name))


def resolve_exercise(name_or_path: str, directory: str | Path | None = None) -> Exercise:
    """An exercise by name (a folder in the exercises dir) or by path to a file/folder."""
    candidate = Path(name_or_path)
    # A student's own folder named like the exercise (./mse/) is not an exercise folder.
    is_exercise_dir = candidate.is_dir() and (candidate / "exercise.py").is_file()
    if candidate.suffix == ".py" or is_exercise_dir or os.sep in name_or_path:
        if candidate.exists():
            return load_exercise(candidate)
        raise ExerciseError(f"no exercise at {candidate}")
    root = Path(directory) if directory else default_exercises_dir()
    folder = root / name_or_path
    if (folder / "exercise.py").is_file():
        return load_exercise(folder)
    try:
        known = ", ".join(e.name for e in list_exercises(root, errors=[], unavailable=[]))
        known = known or "(none)"
    except ExerciseError as exc:
        known = f"(none found: {exc})"
    raise ExerciseError(f"unknown exercise {name_or_path!r}; known exercises: {known}")
