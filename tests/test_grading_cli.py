"""The grading commands: exercises list/init, check (students), grade (instructors) and
gradescope-bundle, including a dry run of the bundle's run_autograder."""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from grading_cases.helpers import load_results

from tinygrad_edu.course.grading import cli, load_exercise

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
DIR = ["--exercises-dir", str(EXERCISES)]


def test_exercises_list(capsys) -> None:
    assert cli.main(["exercises", "list", *DIR]) == 0
    out = capsys.readouterr().out
    assert "adam_step" in out and "cuda_saxpy" in out and "points" in out
    assert len(out.strip().splitlines()) >= 12


def test_exercises_init_writes_starters_and_never_overwrites(tmp_path: Path, capsys) -> None:
    target = tmp_path / "work"
    assert cli.main(["exercises", "init", str(target), *DIR, "--exercise", "mse",
                     "--exercise", "adam_step"]) == 0
    starter = target / "adam_step" / "adam_step.py"
    assert "NotImplementedError('adam_step: adam_step" in starter.read_text()
    assert (target / "mse" / "README.md").is_file()
    assert sorted(p.name for p in target.iterdir()) == ["adam_step", "mse"]
    starter.write_text("# my work\n")
    assert cli.main(["exercises", "init", str(target), *DIR]) == 0  # adds the others
    assert starter.read_text() == "# my work\n"
    # 2 starters, 2 READMEs and their 2 Chinese editions
    assert "Kept 6 existing file(s)" in capsys.readouterr().err
    assert (target / "linear_layer" / "linear_layer.py").is_file()
    assert cli.main(["exercises", "init", str(target), *DIR, "--exercise", "adam_step",
                     "--force"]) == 0
    assert "NotImplementedError" in starter.read_text()


def test_exercises_init_with_solutions(tmp_path: Path) -> None:
    assert cli.main(["exercises", "init", str(tmp_path), *DIR, "--exercise", "mse",
                     "--with-solutions"]) == 0
    assert "2.0 * diff / diff.size" in (tmp_path / "mse" / "mse_solution.py").read_text()
    assert "BEGIN GRADER" not in (tmp_path / "mse" / "mse_solution.py").read_text()


def test_unknown_exercise(capsys, tmp_path: Path) -> None:
    results = tmp_path / "r.json"
    assert cli.main(["grade", "nope", *DIR, "--submission", "x.py", "--json", str(results)]) == 2
    assert "unknown exercise 'nope'" in capsys.readouterr().err
    assert load_results(results)["score"] == 0


def test_check_runs_public_checks_only(tmp_path: Path, capsys) -> None:
    ex = load_exercise(EXERCISES / "mse")
    folder = tmp_path / "mse"
    folder.mkdir()
    (folder / "mse.py").write_text(ex.solution())
    assert cli.main(["check", "mse", str(tmp_path), *DIR]) == 0  # finds <dir>/mse/mse.py
    out = capsys.readouterr().out
    assert "public checks passed" in out and "all passed" not in out.lower()
    assert "hidden" not in out.split("\n\n")[1]  # the table lists public checks only
    (folder / "mse.py").write_text(ex.starter())
    assert cli.main(["check", "mse", str(folder / "mse.py"), *DIR]) == 1
    out = capsys.readouterr().out
    assert "public checks passed" not in out and "not implemented yet" in out


def test_grade_exit_code_and_results(tmp_path: Path, capsys) -> None:
    ex = load_exercise(EXERCISES / "inverse_time_decay")
    sub = tmp_path / "inverse_time_decay.py"
    sub.write_text(ex.solution())
    results = tmp_path / "out" / "results.json"
    assert cli.main(["grade", "inverse_time_decay", *DIR, "--submission", str(sub),
                     "--json", str(results)]) == 0
    data = load_results(results)
    assert data["score"] == data["max_score"] == ex.max_points
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    assert "Score: 12/12 points" in capsys.readouterr().out
    sub.write_text(ex.solution().replace("ratio = step / decay_steps",
                                         "ratio = (step + 1) / decay_steps"))
    assert cli.main(["grade", "inverse_time_decay", *DIR, "--submission", str(sub),
                     "--json", str(results), "--quiet"]) == 1
    assert 0 < load_results(results)["score"] < ex.max_points
    assert capsys.readouterr().out == ""


def test_gradescope_bundle(tmp_path: Path) -> None:
    out = tmp_path / "autograder.zip"
    assert cli.main(["gradescope-bundle", "mse", *DIR, "-o", str(out), "--timeout", "5"]) == 0
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"setup.sh", "run_autograder", "pyproject.toml", "exercises/mse/exercise.py",
                "exercises/mse/README.md", "tinygrad_edu/course/grading/harness.py"} <= names
        assert not any("__pycache__" in n for n in names)
        for script in ("setup.sh", "run_autograder"):
            mode = zf.getinfo(script).external_attr >> 16
            assert mode & stat.S_IXUSR
        run = zf.read("run_autograder").decode()
        assert "tinygrad_edu.course.grading grade mse" in run and "--timeout 5" in run
        assert "results.json" in run
        assert "python3 -m pip install" in zf.read("setup.sh").decode()
        assert "exercises/adam_step/exercise.py" not in names


@pytest.mark.skipif(os.name != "posix", reason="bash script")
def test_run_autograder_dry_run(tmp_path: Path) -> None:
    """Unpack the bundle as Gradescope would and run its run_autograder."""
    cli.main(["gradescope-bundle", "mse", *DIR, "-o", str(tmp_path / "a.zip")])
    source = tmp_path / "root" / "source"
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        zf.extractall(source)
    submission = tmp_path / "root" / "submission"
    submission.mkdir()
    ex = load_exercise(EXERCISES / "mse")
    wrong = ex.solution().replace("return 2.0 * diff / diff.size", "return 2.0 * diff")
    (submission / "mse.py").write_text(wrong)
    import sys

    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path / "root"),
           "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["bash", str(source / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = load_results(tmp_path / "root" / "results" / "results.json")
    assert 0 < data["score"] < data["max_score"] == 13.0


def test_registered_in_the_tinygrad_edu_command() -> None:
    from tinygrad_edu.course.cli import build_parser

    parser = build_parser()
    for argv in (["exercises", "list"], ["check", "mse"], ["grade", "mse", "--submission", "x"],
                 ["gradescope-bundle", "mse"]):
        assert callable(parser.parse_args(argv).func)


@pytest.mark.skipif(os.name != "posix", reason="bash script")
def test_run_autograder_says_which_folder_is_missing(tmp_path: Path) -> None:
    """A dry run with the layout wrong fails loudly (status 2), naming the folder."""
    import sys

    cli.main(["gradescope-bundle", "mse", *DIR, "-o", str(tmp_path / "a.zip")])
    root = tmp_path / "root"
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        zf.extractall(tmp_path / "unpacked")  # not under root/source: the usual slip
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(ROOT)}
    script = str(tmp_path / "unpacked" / "run_autograder")
    proc = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"missing {root}/source/exercises/mse/exercise.py" in proc.stderr
    data = load_results(root / "results" / "results.json")
    assert data["score"] == 0 and "not set up" in data["output"]

    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        zf.extractall(root / "source")
    proc = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"missing the folder {root}/submission" in proc.stderr


@pytest.mark.skipif(os.name != "posix", reason="bash script")
def test_a_bundle_of_two_exercises_grades_both_files_in_one_run(tmp_path: Path) -> None:
    import sys

    out = tmp_path / "a.zip"
    assert cli.main(["gradescope-bundle", "mse", "inverse_time_decay", *DIR, "-o",
                     str(out)]) == 0
    source = tmp_path / "root" / "source"
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        assert {"assignment.json", "exercises/mse/exercise.py",
                "exercises/inverse_time_decay/exercise.py"} <= names
        zf.extractall(source)
    submission = tmp_path / "root" / "submission"
    submission.mkdir()
    for name in ("mse", "inverse_time_decay"):
        (submission / f"{name}.py").write_text(load_exercise(EXERCISES / name).solution())
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path / "root"),
           "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(["bash", str(source / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = load_results(tmp_path / "root" / "results" / "results.json")
    assert data["score"] == data["max_score"] == 13.0 + 12.0
    assert {t["name"].split(":")[0] for t in data["tests"]} == {"mse", "inverse_time_decay"}
