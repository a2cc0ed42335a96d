"""`exercises export-student`: a kit with no reference code, from which `check` gives the
same report as the built-in exercise does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu.course.grading import load_exercise
from tinygrad_edu.course.grading.solution import find_blocks

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
NAMES = ("mse", "adam_step", "linear_layer", "function_log_mul")


def tge(cwd: Path, *args: str, exercises: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TINYGRAD_EDU_EXERCISES", None)
    if exercises is not None:
        env["TINYGRAD_EDU_EXERCISES"] = exercises
    return subprocess.run([sys.executable, "-m", "tinygrad_edu.course", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("kit")
    args = ["exercises", "export-student", "kit"]
    for name in NAMES:
        args += ["--exercise", name]
    proc = tge(tmp, *args)
    assert proc.returncode == 0, proc.stderr
    return tmp / "kit"


def test_the_kit_holds_no_reference_code_and_no_hidden_check(kit: Path) -> None:
    for name in NAMES:
        exercise = load_exercise(EXERCISES / name)
        folder = kit / name
        readmes = ["README.md"] + (["README.zh.md"] if exercise.readme_zh else [])
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [*readmes, "public_checks.json", exercise.filename])
        text = "\n".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
        lines = exercise.source.splitlines()
        answers = [line.strip() for b in find_blocks(exercise.source) if b.kind == "SOLUTION"
                   for line in lines[b.start + 1 : b.end]]
        leaked = [line for line in answers if len(line) > 12 and line in text]
        assert not leaked, f"{name}: {leaked[:3]}"
        assert "BEGIN GRADER" not in text and "BEGIN SOLUTION" not in text
        assert "lambda" not in text and "Diagnosis(" not in text  # no oracle code
        for check in exercise.checks:
            assert (check.name in text) == (not check.hidden), (name, check.name)


@pytest.mark.parametrize("variant", ["reference", "starter", "sign"])
def test_check_from_the_kit_reports_what_the_built_in_exercise_reports(
        kit: Path, tmp_path: Path, variant: str) -> None:
    exercise = load_exercise(EXERCISES / "mse")
    source = {"reference": exercise.solution(), "starter": exercise.starter(),
              "sign": exercise.solution().replace("return 2.0 * diff / diff.size",
                                                  "return -2.0 * diff / diff.size")}[variant]
    (kit / "mse" / "mse.py").write_text(source, encoding="utf-8")
    mine = tmp_path / "mse"
    mine.mkdir()
    (mine / "mse.py").write_text(source, encoding="utf-8")
    # The kit alone: no exercises folder at all where the student works.
    from_kit = tge(kit.parent, "check", "mse", "kit/mse", exercises=str(tmp_path / "none"))
    built_in = tge(tmp_path, "check", "mse", "mse", exercises=str(EXERCISES))
    assert from_kit.returncode == built_in.returncode == (0 if variant == "reference" else 1)
    assert from_kit.stdout == built_in.stdout
    if variant == "sign":
        assert "Likely mistake: the sign is flipped" in from_kit.stdout
    if variant == "reference":
        assert "public checks passed (8/8 points)" in from_kit.stdout


def test_gradient_and_function_checks_run_from_the_kit(kit: Path) -> None:
    for name in ("linear_layer", "function_log_mul"):
        solution = load_exercise(EXERCISES / name).solution()
        path = kit / name / f"{name}.py"
        path.write_text(solution, encoding="utf-8")
        proc = tge(kit.parent, "check", name, str(path.relative_to(kit.parent)),
                   exercises=str(kit.parent / "none"))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "gradient check" in proc.stdout or "finite differences" in proc.stdout
