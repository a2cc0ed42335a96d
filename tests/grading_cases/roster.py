"""A synthetic class for the `mse` exercise (13 points), laid out as course platforms
export it, with the points and status each student must get.

Used by tests/test_grade_all.py and benchmarks/grading_class.py.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOSTILE = HERE / "hostile"
EXERCISE = HERE.parent.parent / "exercises" / "mse" / "exercise.py"

GRAD_LINE = "return 2.0 * diff / diff.size"
LOSS_LINE = "return np.mean(diff * diff)"


@dataclass(frozen=True)
class Expected:
    score: float
    status: str
    hangs: int = 0  # how many time limits it can wait out (import or checks)
    mistake: str = ""


def reference() -> str:
    from tinygrad_edu.course.grading import load_exercise

    return load_exercise(EXERCISE).solution()


def starter() -> str:
    from tinygrad_edu.course.grading import load_exercise

    return load_exercise(EXERCISE).starter()


def variants() -> dict[str, tuple[str, Expected]]:
    """name -> (source, expected outcome) of every kind of submission."""
    ref = reference()
    assert GRAD_LINE in ref and LOSS_LINE in ref
    return {
        "correct": (ref, Expected(13.0, "graded")),
        "starter": (starter(), Expected(0.0, "graded")),
        "sign": (ref.replace(GRAD_LINE, "return -2.0 * diff / diff.size"),
                 Expected(4.0, "graded", mistake="the sign is flipped")),
        "no_mean": (ref.replace(GRAD_LINE, "return 2.0 * diff"),
                    Expected(4.0, "graded", mistake="the 1/N of the mean is missing")),
        "no_two": (ref.replace(GRAD_LINE, "return diff / diff.size"),
                   Expected(4.0, "graded", mistake="the factor 2 is missing")),
        "half_loss": (ref.replace(LOSS_LINE, "return 0.5 * np.mean(diff * diff)"),
                      Expected(7.0, "graded", mistake="you averaged ½(ŷ − y)²")),
        "large_arrays": ((HOSTILE / "wrong_on_large_arrays.py").read_text(),
                         Expected(10.0, "graded")),
        "loop_at_import": ((HOSTILE / "loop_at_import.py").read_text(),
                           Expected(0.0, "timed out", hangs=1)),
        "loop_in_grad": ((HOSTILE / "loop_in_grad.py").read_text(),
                         Expected(4.0, "timed out", hangs=4)),
        "os_exit": ((HOSTILE / "os_exit_in_grad.py").read_text(), Expected(4.0, "crashed")),
        "forged": ((HOSTILE / "forge_channel.py").read_text(), Expected(0.0, "crashed")),
        "memory_hog": ((HOSTILE / "memory_hog.py").read_text(), Expected(4.0, "graded")),
        "syntax_error": ("def mse_loss(pred, target)\n    return 0\n", Expected(0.0, "crashed")),
    }


def notebook(source: str) -> str:
    """The source as a notebook, with a magic, a shell line and a markdown cell."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# My MSE\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": ["%matplotlib inline\n", "!pip install numpy\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 2, "outputs": [],
         "source": source.splitlines(keepends=True)},
        {"cell_type": "code", "metadata": {}, "execution_count": 3, "outputs": [],
         "source": ["%%timeit\n", "mse_loss(1, 2)\n"]},
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def build(folder: Path, copies: int = 1) -> dict[str, Expected]:
    """Write the class into ``folder``; return student id -> expected outcome.

    Layouts: a folder per student, a flat file per student, Canvas's flat export (with a
    late re-upload), Moodle's folders, a notebook, renamed copies, an empty folder."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    v = variants()
    expected: dict[str, Expected] = {}

    def put(student: str, relative: str, kind: str) -> None:
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(v[kind][0], encoding="utf-8")
        expected[student] = v[kind][1]

    for k in range(copies):
        for kind in v:
            put(f"{kind}_{k}", f"{kind}_{k}/mse.py", kind)  # a folder per student
    put("flat_correct", "flat_correct.py", "correct")  # a file per student
    put("flat_sign", "flat_sign.py", "sign")
    # Canvas: <name>[_LATE]_<userid>_<submissionid>_<file as uploaded>
    put("doejane_1001", "doejane_1001_5001_mse.py", "correct")
    put("roe_1002", "roe_1002_5002_mse.py", "starter")
    (folder / "roe_LATE_1002_5003_mse-1.py").write_text(v["half_loss"][0], encoding="utf-8")
    expected["roe_1002"] = v["half_loss"][1]  # the re-upload (-1) is the latest
    # Moodle: a folder per student named <full name>_<id>_assignsubmission_file_
    put("Ann Lee_2001", "Ann Lee_2001_assignsubmission_file_/mse.py", "no_mean")
    # Gradescope export: submission_<id>/
    put("submission_3001", "submission_3001/mse.py", "no_two")
    # A notebook instead of a .py file.
    (folder / "nb_student").mkdir()
    (folder / "nb_student" / "mse.ipynb").write_text(notebook(v["correct"][0]), encoding="utf-8")
    expected["nb_student"] = v["correct"][1]
    # Renamed by a download: "mse (1).py" is newer than "mse.py".
    put("renamed", "renamed/mse.py", "starter")
    (folder / "renamed" / "mse (1).py").write_text(v["correct"][0], encoding="utf-8")
    os.utime(folder / "renamed" / "mse.py", (1_000_000, 1_000_000))
    expected["renamed"] = v["correct"][1]
    # A student who uploaded no code.
    (folder / "empty_student").mkdir()
    (folder / "empty_student" / "notes.txt").write_text("I could not do it\n", encoding="utf-8")
    expected["empty_student"] = Expected(0.0, "no submission")
    return expected


def synthetic(folder: Path, students: int) -> dict[str, Expected]:
    """A bigger class for the benchmark: 55 % correct, 25 % partly wrong, 10 % crashing,
    5 % hanging, 5 % starters."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    v = variants()
    plan = (["correct"] * 11 + ["sign", "no_mean", "no_two", "half_loss", "large_arrays"]
            + ["os_exit", "forged"] + ["loop_at_import"] + ["starter"])
    expected = {}
    for i in range(students):
        kind = plan[i % len(plan)]
        sid = f"s{i:04d}_{kind}"
        (folder / sid).mkdir()
        (folder / sid / "mse.py").write_text(v[kind][0], encoding="utf-8")
        expected[sid] = v[kind][1]
    return expected
