"""`tinygrad-edu grade-all`: a synthetic class of 35 (reference, starter, wrong variants,
hostile ones, a notebook, renamed files, Canvas/Moodle/Gradescope layouts) graded with
two jobs, run as the command it is. Each student gets exactly the points they earned; the
report names the top mistakes; a second run grades nothing; hanging submissions cost
their own time limits, shared between the jobs, and no more."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_cases.helpers import load_results
from grading_cases.roster import build, notebook

from tinygrad_edu.course.grading.roster import notebook_source

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 3.0
JOBS = 2
MARGIN_S = 90.0  # the 35 quick gradings themselves (~1-3 s each on a busy 2-core machine)


def grade_all(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu.course", "grade-all", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    return proc, time.monotonic() - started


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("class")
    expected = build(tmp / "submissions", copies=2)
    args = ["mse", "submissions", "-o", "grades", "--jobs", str(JOBS), "--timeout",
            f"{TIMEOUT:g}", "--memory", "400"]
    first, first_s = grade_all(tmp, *args)
    assert first.returncode == 0, first.stderr
    second, second_s = grade_all(tmp, *args)
    assert second.returncode == 0, second.stderr
    return {"tmp": tmp, "expected": expected, "first": first, "first_s": first_s,
            "second": second, "second_s": second_s}


def test_the_roster_is_big_and_varied_enough(graded: dict) -> None:
    expected = graded["expected"]
    assert len(expected) >= 30
    statuses = {e.status for e in expected.values()}
    assert statuses == {"graded", "timed out", "crashed", "no submission"}


def test_the_gradebook_has_one_row_per_student_with_their_points(graded: dict) -> None:
    expected = graded["expected"]
    with (graded["tmp"] / "grades" / "gradebook.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["student"] for r in rows) == sorted(expected)
    for row in rows:
        want = expected[row["student"]]
        assert (float(row["total"]), row["status"]) == (want.score, want.status), row
        assert row["max"] == "13"
        checks = [k for k in row if k not in ("student", "total", "max", "status", "seconds",
                                              "files")]
        assert len(checks) == 7
        assert sum(float(row[k]) for k in checks) == want.score


def test_each_student_gets_a_gradescope_results_file(graded: dict) -> None:
    results = graded["tmp"] / "grades" / "results"
    for student, want in graded["expected"].items():
        folder = re.sub(r"[^A-Za-z0-9_.@-]+", "_", student)
        data = load_results(results / folder / "results.json")
        assert data["score"] == want.score, student


def test_the_report_names_the_top_mistakes_and_works_offline(graded: dict) -> None:
    page = (graded["tmp"] / "grades" / "report.html").read_text(encoding="utf-8")
    for want in {e.mistake for e in graded["expected"].values() if e.mistake}:
        assert want.replace("'", "&#x27;") in page, want
    assert page.count("data:image/png;base64,") == 2  # histogram and pass rates
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page)  # nothing to fetch
    assert "loop_in_grad_0" in page and "timed out" in page  # slowest and failed
    stdout = graded["first"].stdout
    assert "most frequent mistakes: " in stdout


def test_a_second_run_grades_nothing_again(graded: dict) -> None:
    n = len(graded["expected"])
    assert f"{n} students ({n} graded now, 0 unchanged)" in graded["first"].stdout
    assert f"{n} students (0 graded now, {n} unchanged)" in graded["second"].stdout
    assert graded["second_s"] < 20


def test_a_changed_submission_is_graded_again_alone(graded: dict, tmp_path: Path) -> None:
    tmp = graded["tmp"]
    late = tmp / "submissions" / "starter_0" / "mse.py"
    late.write_text((tmp / "submissions" / "correct_0" / "mse.py").read_text())
    proc, _ = grade_all(tmp, "mse", "submissions", "-o", "grades", "--jobs", str(JOBS),
                        "--timeout", f"{TIMEOUT:g}", "--memory", "400")
    assert proc.returncode == 0, proc.stderr
    n = len(graded["expected"])
    assert f"{n} students (1 graded now, {n - 1} unchanged)" in proc.stdout
    assert "starter_0: 13/13 graded in" in proc.stdout


def test_hanging_submissions_cost_only_their_own_time_limits(graded: dict) -> None:
    hangs = sum(e.hangs for e in graded["expected"].values())
    assert hangs >= 10
    bound = hangs * TIMEOUT / JOBS + MARGIN_S
    assert graded["first_s"] < bound, (graded["first_s"], bound)


def test_notebook_cells_lose_magics_and_shell_lines(tmp_path: Path) -> None:
    path = tmp_path / "mse.ipynb"
    path.write_text(notebook("import numpy as np\n\nX = 1\n"), encoding="utf-8")
    source = notebook_source(path)
    assert "import numpy as np" in source and "X = 1" in source
    assert "%" not in source and "!pip" not in source and "My MSE" not in source
    compile(source, "mse.py", "exec")


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    proc, _ = grade_all(tmp_path, "mse", "nowhere")
    assert proc.returncode == 2 and "no submissions folder at nowhere" in proc.stderr
    (tmp_path / "subs").mkdir()
    proc, _ = grade_all(tmp_path, "no_such_exercise", "subs")
    assert proc.returncode == 2 and "unknown exercise 'no_such_exercise'" in proc.stderr
    proc, _ = grade_all(tmp_path, "mse", "subs", "--jobs", "0")
    assert proc.returncode == 2 and "--jobs must be at least 1" in proc.stderr


def test_an_assignment_of_two_exercises_weights_its_parts(tmp_path: Path) -> None:
    from tinygrad_edu.course.grading import load_exercise

    subs = tmp_path / "subs"
    for student, wrong in (("ann", False), ("ben", True)):
        folder = subs / student
        folder.mkdir(parents=True)
        for name in ("mse", "inverse_time_decay"):
            source = load_exercise(ROOT / "exercises" / name).solution()
            if wrong and name == "mse":
                source = source.replace("return 2.0 * diff / diff.size", "return 2.0 * diff")
            (folder / f"{name}.py").write_text(source, encoding="utf-8")
    (tmp_path / "hw.json").write_text(json.dumps(
        {"name": "hw1", "title": "Homework 1",
         "exercises": [{"name": "mse", "weight": 2}, {"name": "inverse_time_decay"}]}))
    proc, _ = grade_all(tmp_path, "hw.json", "subs", "-o", "out", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "out" / "gradebook.csv").open(encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert rows["ann"]["total"] == rows["ann"]["max"] == str(2 * 13 + 12)
    assert float(rows["ben"]["total"]) == 2 * 4 + 12  # mse_grad's 9 points lost, twice
    assert "mse: mse_grad on a 2-D batch" in rows["ben"]


@pytest.mark.parametrize("behaviour, killed", [("sleep 600", True), ("exit 3", False)])
def test_a_worker_that_hangs_or_dies_costs_one_student(tmp_path: Path, behaviour: str,
                                                       killed: bool) -> None:
    """The grader itself failing (not the submission): the worker is replaced."""
    from tinygrad_edu.course.grading.classroom import _Worker

    fake = tmp_path / "fake-python"
    fake.write_text(f"#!/bin/sh\n{behaviour}\n")
    fake.chmod(0o755)
    worker = _Worker(str(fake), tmp_path / "worker.log")
    started = time.monotonic()
    assert worker.grade(["grade", "mse"], limit=2.0) == (None, killed)
    assert time.monotonic() - started < 15
    assert worker.proc is None  # killed; the next grade starts a fresh one
    worker.close()
