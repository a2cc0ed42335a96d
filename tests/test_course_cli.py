"""The ``tinygrad-edu`` command as a student or an instructor meets it, run as a subprocess
from a folder outside the checkout: lesson copies (scripts and notebooks), missing
folders, and an environment without numba (the kernel exercise is listed as not
available instead of failing the command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Run the command with numba made unimportable, as after `pip install tinygrad-edu[grading]`.
NO_NUMBA = (
    "import sys\n"
    "class _Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'numba' or name.startswith('numba.'):\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
    "sys.meta_path.insert(0, _Block())\n"
    "from tinygrad_edu.course.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run(args: list[str], cwd: Path, *, no_numba: bool = False,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg", **(env or {}))
    for var in ("TINYGRAD_EDU_LESSONS", "TINYGRAD_EDU_EXERCISES"):
        if not env or var not in env:
            full_env.pop(var, None)
    argv = [sys.executable, "-c", NO_NUMBA] if no_numba else \
        [sys.executable, "-m", "tinygrad_edu.course"]
    return subprocess.run([*argv, *args], cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_lessons_init_writes_copies_a_student_can_run(tmp_path: Path) -> None:
    pytest.importorskip("jupytext")
    proc = run(["lessons", "init", "mine", "--notebooks"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    mine = tmp_path / "mine"
    scripts = sorted(p.name for p in mine.glob("*.py"))
    assert len(scripts) == 13 and "04_activations.py" in scripts
    assert len(list(mine.glob("*.ipynb"))) == 13 and (mine / "ERRATA.md").is_file()
    notebook = json.loads((mine / "04_activations.ipynb").read_text(encoding="utf-8"))
    assert {c["cell_type"] for c in notebook["cells"]} == {"code", "markdown"}

    # The student edits the script: the run shows the edit.
    lesson = mine / "04_activations.py"
    lesson.write_text(lesson.read_text(encoding="utf-8")
                      + '\nshow("W13", "my own row", 42.0)\n', encoding="utf-8")
    proc = run(["lessons", "run", str(lesson), "--out", "out", "--json", "r.json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert any(r["quantity"] == "my own row" and r["computed"] == 42.0 for r in rows)

    # The notebook form runs too, and gives the rows of the original lesson.
    proc = run(["lessons", "run", "mine/04_activations.ipynb", "--out", "out2",
                "--json", "nb.json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    nb_rows = json.loads((tmp_path / "nb.json").read_text(encoding="utf-8"))
    original = [r for r in rows if r["quantity"] != "my own row"]
    assert [(r["id"], r["quantity"], r["computed"]) for r in nb_rows] == \
        [(r["id"], r["quantity"], r["computed"]) for r in original]

    # Running init again keeps the student's edits.
    proc = run(["lessons", "init", "mine"], tmp_path)
    assert proc.returncode == 0 and "Kept" in proc.stderr
    assert "my own row" in lesson.read_text(encoding="utf-8")


def test_missing_lesson_folder_or_file_is_a_clear_usage_error(tmp_path: Path) -> None:
    env = {"TINYGRAD_EDU_LESSONS": str(tmp_path / "nowhere")}
    for args in (["lessons"], ["lessons", "run"]):
        proc = run(args, tmp_path, env=env)
        assert proc.returncode == 2, proc.stderr
        assert "no lessons folder at" in proc.stderr and "Traceback" not in proc.stderr
    proc = run(["lessons", "run", "mine/05_missing.py"], tmp_path)
    assert proc.returncode == 2 and "no lesson file or folder at mine/05_missing.py" in \
        proc.stderr


def test_without_numba_the_kernel_exercise_is_listed_as_not_available(tmp_path: Path) -> None:
    proc = run(["exercises", "list"], tmp_path, no_numba=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 15
    [kernel] = [ln for ln in lines if ln.startswith("cuda_saxpy")]
    assert "not available here" in kernel and "tinygrad-edu[gpu]` or numba" in kernel
    assert all("points" in ln for ln in lines if ln is not kernel)


def test_without_numba_init_writes_the_others_and_names_what_it_skipped(tmp_path: Path) -> None:
    proc = run(["exercises", "init", "work"], tmp_path, no_numba=True)
    assert proc.returncode == 0, proc.stderr
    assert "skipped cuda_saxpy" in proc.stderr and "numba" in proc.stderr
    assert len([p for p in (tmp_path / "work").iterdir() if p.is_dir()]) == 14
    proc = run(["exercises", "init", "one", "--exercise", "adam_step"], tmp_path, no_numba=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "one" / "adam_step" / "adam_step.py").is_file()
    proc = run(["exercises", "init", "k", "--exercise", "cuda_saxpy"], tmp_path, no_numba=True)
    assert proc.returncode == 2 and "cannot write cuda_saxpy" in proc.stderr
    proc = run(["check", "cuda_saxpy", "k"], tmp_path, no_numba=True)
    assert proc.returncode == 2 and "needs `tinygrad-edu[gpu]` or numba" in proc.stderr


def test_check_finds_the_file_init_wrote(tmp_path: Path) -> None:
    assert run(["exercises", "init", "w", "--exercise", "mse", "--with-solutions"],
               tmp_path).returncode == 0
    solution = tmp_path / "w" / "mse" / "mse_solution.py"
    (tmp_path / "w" / "mse" / "mse.py").write_text(solution.read_text(encoding="utf-8"))
    for path in ("w/mse/mse.py", "w/mse", "w"):
        proc = run(["check", "mse", path], tmp_path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "public checks passed" in proc.stdout
