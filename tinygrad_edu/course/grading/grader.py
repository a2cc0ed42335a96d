"""Grade one submission: run each check against it, in order, and add up the points.

The score is computed here, from what the checks saw. The submission's process is
started lazily, restarted after it dies in a check (a timeout or a crash costs that
check, not the rest), and never restarted after it failed to import (every remaining
check then reports why). Each check may wait at most ``Limits.timeout_s`` seconds on
the submission in total; the import has its own ``timeout_s``.

Before anything runs, the submission's source is read as text (never imported) to
catch what needs no process: a missing file, a syntax error, a forbidden import.
"""

from __future__ import annotations

import ast
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from .checks import Check, Verdict
from .compare import scrub
from .exercise import Exercise
from .runner import CallResult, Limits, SubmissionFailed, SubmissionProcess

MAX_SOURCE_BYTES = 1_000_000


@dataclass
class CheckResult:
    number: int
    name: str
    hidden: bool
    score: float
    max_score: float
    passed: bool
    output: str
    # Why a check failed without a verdict on the answer: "" (it ran), or the kind of
    # SubmissionFailed ("timeout", "exited", "protocol", "import", "dead"), or "missing"
    # / "static" when nothing ran. For the class report; never shown to students.
    failure: str = ""
    mistake: str = ""  # the diagnosed likely mistake, if one matched
    # For the Chinese report (`check --lang zh`): the check's hint as it appears in
    # ``output``, and the optional Chinese name, hint and mistake of the exercise.
    hint: str = ""
    name_zh: str = ""
    hint_zh: str = ""
    mistake_zh: str = ""


@dataclass
class GradeResult:
    exercise: str
    title: str
    results: list[CheckResult]
    execution_time: float
    messages: list[str] = field(default_factory=list)
    submission_output: str = ""
    include_hidden: bool = True
    notes: list[str] = field(default_factory=list)  # for the instructor's terminal only

    @property
    def score(self) -> float:
        return float(sum(r.score for r in self.results))

    @property
    def max_score(self) -> float:
        return float(sum(r.max_score for r in self.results))

    @property
    def full_marks(self) -> bool:
        return all(r.passed for r in self.results)


def _mistake_zh(check: Check, mistake: str) -> str:
    """The Chinese message of the diagnosis that matched, when the exercise gives one."""
    if not mistake:
        return ""
    diagnoses = list(getattr(check, "diagnoses", ()))
    for example in getattr(check, "examples", ()):  # a student kit's cases
        diagnoses.extend(getattr(example, "diagnoses", ()))
    return next((d.message_zh for d in diagnoses if d.message == mistake and d.message_zh), "")


def find_submission(path: str | Path, exercise: Exercise) -> Path:
    """A file, or a folder holding ``<module>.py`` (or exactly one ``.py`` file)."""
    p = Path(path)
    if p.is_dir():
        named = p / exercise.filename
        if named.is_file():
            return named
        nested = p / exercise.name / exercise.filename
        if nested.is_file():
            return nested
        files = sorted(f for f in p.iterdir() if f.suffix == ".py" and f.is_file())
        if len(files) == 1:
            return files[0]
        return named  # reported as missing by static_problem
    return p


def static_problem(exercise: Exercise, submission: Path) -> str | None:
    """What is wrong before running anything, or None."""
    if not submission.is_file():
        return (
            f"No submission found: expected the file {exercise.filename} (looked at "
            f"{submission})."
        )
    size = submission.stat().st_size
    if size > MAX_SOURCE_BYTES:
        return f"The submission is {size} bytes; the limit is {MAX_SOURCE_BYTES}."
    try:
        source = submission.read_bytes().decode("utf-8")
        tree = ast.parse(source, filename=exercise.filename)
    except UnicodeDecodeError:
        return "The submission is not UTF-8 text."
    except SyntaxError as exc:
        line = (exc.text or "").rstrip()
        where = f" (line {exc.lineno})" if exc.lineno else ""
        return f"The submission has a syntax error{where}: {exc.msg}\n    {line}".rstrip()
    for name in _imported_modules(tree):
        for banned in exercise.forbidden_imports:
            if name == banned or name.startswith(banned + "."):
                return (
                    f"The submission imports {name}, which this exercise does not allow "
                    f"(it would do the work the exercise asks for). Write it yourself."
                )
    return None


def _imported_modules(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
        ):
            names.append(node.args[0].value)
    return names


class _Session:
    """The submission's process across checks: start lazily, restart after a death."""

    def __init__(
        self,
        exercise: Exercise,
        submission: Path,
        limits: Limits,
        drop_privileges: bool | None,
    ) -> None:
        self.exercise = exercise
        self.submission = submission
        self.limits = limits
        self.drop = drop_privileges
        self.proc: SubmissionProcess | None = None
        self.fatal: str | None = None  # set when the submission cannot be imported
        self.fatal_kind = ""
        self.outputs: list[str] = []
        self.notes: list[str] = []
        self.spent = 0.0  # seconds the current check has waited on the submission

    def _ensure(self) -> SubmissionProcess:
        if self.fatal is not None:
            raise SubmissionFailed("import", self.fatal)
        if self.proc is None or not self.proc.alive:
            self._retire()
            proc = SubmissionProcess(
                self.submission,
                self.exercise.module,
                limits=self.limits,
                env=self.exercise.env,
                preload=self.exercise.preload,
                drop_privileges=self.drop,
            )
            self.proc = proc
            try:
                proc.start()
            except SubmissionFailed as exc:
                self._retire()
                self.fatal = str(exc)
                self.fatal_kind = exc.kind
                raise
            finally:
                if proc.drop_note and not self.notes:
                    self.notes.append(
                        f"The submission ran with the grader's user id, not as 'nobody': "
                        f"{proc.drop_note}."
                    )
        return self.proc

    def call(self, specs: list[dict]) -> list[CallResult]:
        proc = self._ensure()
        remaining = self.limits.timeout_s - self.spent
        if remaining <= 0:
            raise SubmissionFailed(
                "timeout",
                f"The submission used up this check's time limit of {self.limits.timeout_s:g} s.",
            )
        try:
            results, elapsed = proc.call(specs, remaining)
        except SubmissionFailed:
            self._retire()
            raise
        self.spent += elapsed
        return results

    def _retire(self) -> None:
        if self.proc is not None:
            self.proc.close()
            text = self.proc.output.strip()
            if text:
                self.outputs.append(text)
            self.proc = None

    def close(self) -> None:
        self._retire()


class _Context:
    """The view of the session a check gets (see :class:`.checks.Context`)."""

    def __init__(self, session: _Session, reference: ModuleType, exercise: str) -> None:
        self._session = session
        self.reference = reference
        self.exercise = exercise

    def call(self, specs: list[dict]) -> list[CallResult]:
        return self._session.call(specs)


def grade(
    exercise: Exercise,
    submission: str | Path,
    *,
    include_hidden: bool = True,
    limits: Limits | None = None,
    drop_privileges: bool | None = None,
) -> GradeResult:
    """Run the exercise's checks (public only unless ``include_hidden``) on a submission."""
    started = time.monotonic()
    if limits is None:
        limits = Limits(timeout_s=exercise.timeout_s or Limits.timeout_s)
    path = find_submission(submission, exercise)
    checks: list[Check] = [c for c in exercise.checks if include_hidden or not c.hidden]
    assert exercise.reference is not None, "load the exercise with load_exercise()"

    messages: list[str] = []
    problem = static_problem(exercise, path)
    session = _Session(exercise, path, limits, drop_privileges)
    if problem is not None:
        session.fatal = problem
        session.fatal_kind = "missing" if not path.is_file() else "static"
    ctx = _Context(session, exercise.reference, exercise.name)
    results: list[CheckResult] = []
    try:
        for number, check in enumerate(checks, start=1):
            session.spent = 0.0
            failure = ""
            if session.fatal is not None:
                verdict = Verdict(False, f"Not run. {session.fatal}")
                failure = session.fatal_kind
            else:
                try:
                    verdict = check.run(ctx)
                except SubmissionFailed as exc:
                    verdict = Verdict(False, str(exc))
                    failure = exc.kind
            results.append(
                CheckResult(
                    number=number,
                    name=check.name,
                    hidden=check.hidden,
                    score=float(check.points) if verdict.passed else 0.0,
                    max_score=float(check.points),
                    passed=verdict.passed,
                    output=scrub(verdict.message),
                    failure=failure,
                    mistake=verdict.mistake,
                    hint=check.hint,
                    name_zh=check.name_zh,
                    hint_zh=check.hint_zh,
                    mistake_zh=_mistake_zh(check, verdict.mistake),
                )
            )
    finally:
        session.close()
    if session.fatal is not None:
        messages.append(session.fatal)
    return GradeResult(
        exercise=exercise.name,
        title=exercise.title,
        results=results,
        execution_time=time.monotonic() - started,
        messages=messages,
        submission_output="\n".join(session.outputs),
        include_hidden=include_hidden,
        notes=session.notes,
    )
