"""Every shipped exercise: no solution leaks into its starter, the reference scores full
marks, the starter zero, plausible mistakes something between with a message that names
the mistake, and two runs of one submission give the same results."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import pytest
from grading_cases.helpers import validate_results, without_time
from grading_cases.wrong_submissions import MISTAKES

from tinygrad_edu.course.grading import Exercise, grade, list_exercises, load_exercise
from tinygrad_edu.course.grading.report import to_gradescope
from tinygrad_edu.course.grading.solution import solution_lines

EXERCISES_DIR = Path(__file__).resolve().parent.parent / "exercises"
NAMES = sorted(p.name for p in EXERCISES_DIR.iterdir() if (p / "exercise.py").is_file())
HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def _skip_without_deps(name: str) -> None:
    if name == "cuda_saxpy" and not HAVE_NUMBA:
        pytest.skip("the kernel exercise needs numba and numba-cuda")


@functools.cache
def exercise(name: str) -> Exercise:
    return load_exercise(EXERCISES_DIR / name)


def _write(tmp_path: Path, ex: Exercise, text: str) -> Path:
    path = tmp_path / ex.filename
    path.write_text(text, encoding="utf-8")
    return path


def test_at_least_twelve_exercises_in_lesson_order() -> None:
    assert len(NAMES) >= 12
    exercises = list_exercises(EXERCISES_DIR, errors=[])
    assert [e.order for e in exercises] == sorted(e.order for e in exercises)


@pytest.mark.parametrize("name", NAMES)
def test_exercise_is_complete(name: str) -> None:
    _skip_without_deps(name)
    ex = exercise(name)
    assert ex.name == name
    readme = (EXERCISES_DIR / name / "README.md").read_text(encoding="utf-8")
    for fn in ex.functions:
        assert fn in readme, f"{name}/README.md does not mention {fn}"
    assert ex.public_checks, "students need public checks"
    assert any(c.hidden for c in ex.checks), "graders need hidden checks"
    assert all(c.points > 0 for c in ex.checks)
    kinds = {type(c).__name__ for c in ex.checks}
    assert "Example" in kinds and "Property" in kinds


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_text_leaks_into_the_starter(name: str) -> None:
    _skip_without_deps(name)
    ex = exercise(name)
    starter = ex.starter()
    starter_lines = {line.strip() for line in starter.splitlines()}
    leaked = [line for line in solution_lines(ex.source) if line in starter_lines]
    assert not leaked, f"solution or grader lines in the starter: {leaked}"
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN GRADER", "EXERCISE", "hidden="):
        assert marker not in starter
    for fn in ex.functions:
        # kernels and Function subclasses have one stub per method; every stub names both
        assert f"NotImplementedError('{name}: " in starter
        assert re.search(rf"\b{fn}\b", starter), f"the starter lost {fn}"
    compile(starter, ex.filename, "exec")  # the starter imports cleanly as a module


@pytest.mark.parametrize("name", NAMES)
def test_reference_scores_full_marks(name: str, tmp_path: Path) -> None:
    _skip_without_deps(name)
    ex = exercise(name)
    result = grade(ex, _write(tmp_path, ex, ex.solution()))
    failures = [f"{r.name}: {r.output}" for r in result.results if not r.passed]
    assert result.full_marks, "\n".join(failures)
    assert result.score == result.max_score == ex.max_points
    validate_results(to_gradescope(result))


@pytest.mark.parametrize("name", NAMES)
def test_starter_scores_zero(name: str, tmp_path: Path) -> None:
    _skip_without_deps(name)
    ex = exercise(name)
    result = grade(ex, _write(tmp_path, ex, ex.starter()))
    assert result.score == 0
    for r in result.results:
        assert "not implemented yet" in r.output, r.output


@pytest.mark.parametrize("mistake", MISTAKES, ids=[m.id for m in MISTAKES])
def test_plausible_mistake_gets_partial_marks_and_is_named(mistake, tmp_path: Path) -> None:
    _skip_without_deps(mistake.exercise)
    ex = exercise(mistake.exercise)
    result = grade(ex, _write(tmp_path, ex, mistake.apply(ex.solution())))
    assert 0 < result.score < result.max_score, f"score {result.score}/{result.max_score}"
    outputs = "\n".join(r.output for r in result.results if not r.passed)
    assert mistake.expect in outputs, outputs


def test_every_exercise_has_wrong_submissions() -> None:
    covered = {m.exercise for m in MISTAKES}
    assert covered == set(NAMES)


@pytest.mark.parametrize(
    "name, edit",
    [
        ("adam_step", ("beta1**t)", "beta1 ** (t + 1))")),  # properties shrink to a failure
        ("unbroadcast", None),
        ("function_log_mul", ("return grad / x", "return grad * x")),
    ],
)
def test_two_runs_give_identical_results(name: str, edit, tmp_path: Path) -> None:
    ex = exercise(name)
    source = ex.solution() if edit is None else ex.solution().replace(*edit)
    path = _write(tmp_path, ex, source)
    first = to_gradescope(grade(ex, path))
    second = to_gradescope(grade(ex, path))
    assert without_time(first) == without_time(second)


def test_readme_example_exercise_works(tmp_path: Path) -> None:
    """The one-file exercise documented in exercises/README.md loads and grades."""
    readme = (EXERCISES_DIR / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "the README lost its example"
    path = tmp_path / "huber_exercise.py"
    path.write_text(blocks[0], encoding="utf-8")
    ex = load_exercise(path)
    assert ex.name == "huber" and ex.max_points == 6
    good = tmp_path / "good"
    good.mkdir()
    assert grade(ex, _write(good, ex, ex.solution())).full_marks
    starter = tmp_path / "starter"
    starter.mkdir()
    assert grade(ex, _write(starter, ex, ex.starter())).score == 0
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    source = ex.solution().replace("delta * (r - 0.5 * delta)", "delta * r")
    result = grade(ex, _write(wrong, ex, source))
    assert 0 < result.score < result.max_score
    assert any("½ is missing" in r.output for r in result.results)
