"""Broken and hostile submissions end with a valid results file, a score of zero (or only
what the grader saw honestly earned), a message saying what happened, and within the
time limit. The submissions are in tests/grading_cases/hostile/ and target the `mse`
exercise; where one defines a correct `mse_loss`, 4 of the 13 points are honest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_cases.helpers import load_results, without_time

from tinygrad_edu.course.grading import Limits, cli, grade, load_exercise
from tinygrad_edu.course.grading.runner import privilege_drop_target

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "grading_cases" / "hostile"
EXERCISES = ROOT / "exercises"
TIMEOUT = 3.0  # seconds per check: correct calls take milliseconds
HONEST = 4.0  # the points of the mse checks that call only mse_loss


def run_grade(
    tmp_path: Path, case: str, *extra: str, timeout: float = TIMEOUT
) -> tuple[int, dict, float]:
    results = tmp_path / "results.json"
    started = time.monotonic()
    code = cli.main([
        "grade", "mse", "--exercises-dir", str(EXERCISES), "--submission",
        str(HOSTILE / f"{case}.py"), "--json", str(results), "--timeout", str(timeout),
        "--quiet", *extra,
    ])
    return code, load_results(results), time.monotonic() - started


def outputs(data: dict) -> str:
    return "\n".join(t["output"] for t in data["tests"])


# case, expected score, phrase in the output, checks that may hit the time limit
CASES = [
    ("loop_at_import", 0.0, "did not finish within the time limit of 3 s while being imported", 1),
    ("sleep_at_import", 0.0, "did not finish within the time limit", 1),
    ("loop_in_grad", HONEST, "did not finish within the time limit of 3 s while running", 4),
    ("segfault_in_grad", HONEST, "crashed with signal SIGSEGV", 0),
    ("exit_at_import", 0.0, "called sys.exit() while being imported", 0),
    ("os_exit_in_grad", HONEST, "exited with status 0 while running this check", 0),
    ("sys_exit_in_grad", HONEST, "sys.exit(0) was called", 0),
    ("import_error", 0.0, "could not be imported (ModuleNotFoundError)", 0),
    ("fake_output", 0.0, "not implemented yet", 0),
    ("monkeypatch", 0.0, "expected array", 0),
    ("forge_channel", 0.0, "not a valid frame", 0),
    ("noisy_but_correct", 13.0, "", 0),
]


@pytest.mark.parametrize("case, score, phrase, timeouts", CASES, ids=[c[0] for c in CASES])
def test_hostile_submission(case: str, score: float, phrase: str, timeouts: int,
                            tmp_path: Path) -> None:
    code, data, elapsed = run_grade(tmp_path, case)
    assert data["score"] == score, outputs(data)
    assert data["max_score"] == 13.0
    assert (code == 0) == (score == 13.0)
    assert phrase in outputs(data)
    # every timeout costs at most TIMEOUT, everything else is quick
    assert elapsed < timeouts * TIMEOUT + 20, elapsed


def test_honest_points_are_the_loss_only_checks() -> None:
    ex = load_exercise(EXERCISES / "mse")
    loss_only = sum(c.points for c in ex.checks if set(c.functions()) == {"mse_loss"})
    assert loss_only == HONEST


def test_memory_limit_stops_a_memory_hog(tmp_path: Path) -> None:
    code, data, elapsed = run_grade(tmp_path, "memory_hog", "--memory", "700")
    assert code == 1 and data["score"] == HONEST
    assert "ran out of memory" in outputs(data)


def test_syntax_error_is_reported_with_its_line(tmp_path: Path) -> None:
    submission = tmp_path / "mse.py"
    submission.write_text("import numpy as np\n\ndef mse_loss(pred, target)\n    return 0\n")
    results = tmp_path / "results.json"
    code = cli.main(["grade", "mse", "--exercises-dir", str(EXERCISES), "--submission",
                     str(submission), "--json", str(results), "--quiet"])
    data = load_results(results)
    assert code == 1 and data["score"] == 0
    assert "syntax error (line 3)" in outputs(data)


def test_missing_submission(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    code = cli.main(["grade", "mse", "--exercises-dir", str(EXERCISES), "--submission",
                     str(tmp_path / "nothing_here"), "--json", str(results), "--quiet"])
    data = load_results(results)
    assert code == 1 and data["score"] == 0
    assert "No submission found" in outputs(data)


def test_forbidden_import_is_refused(tmp_path: Path) -> None:
    submission = tmp_path / "adam_step.py"
    submission.write_text("from tinygrad_edu.optim import Adam\n\n\ndef adam_step(*a, **k):\n"
                          "    raise NotImplementedError\n")
    result = grade(load_exercise(EXERCISES / "adam_step"), submission)
    assert result.score == 0
    assert all("does not allow" in r.output for r in result.results)


def _marker_processes(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_submission_cannot_write_the_results_file(tmp_path: Path) -> None:
    """The submission finds the --json path in the grader's command line, writes full
    marks there, and leaves a daemon outside its process group to write them again
    later. The grader's file must win, and no process the submission started survives."""
    results = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu.course.grading", "grade", "mse", "--exercises-dir",
         str(EXERCISES), "--submission", str(HOSTILE / "writes_results.py"), "--json",
         str(results), "--timeout", str(TIMEOUT), "--quiet"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert time.monotonic() - started < 60
    time.sleep(2.5)  # the daemon would have rewritten the file by now
    data = load_results(results)
    assert data["score"] == 0 and data["max_score"] == 13.0
    assert data["output"] != "forged"
    assert not _marker_processes("HOSTILE-GRANDCHILD-MARKER")
    assert not (tmp_path / "results.json.forged").exists()


def test_results_file_exists_even_if_the_grader_fails(tmp_path: Path, monkeypatch) -> None:
    import tinygrad_edu.course.grading.assignment as assignment_module

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(assignment_module, "grade", broken)  # what `grade` calls
    results = tmp_path / "results.json"
    code = cli.main(["grade", "mse", "--exercises-dir", str(EXERCISES), "--submission",
                     str(HOSTILE / "noisy_but_correct.py"), "--json", str(results), "--quiet"])
    data = load_results(results)
    assert code == 2 and data["score"] == 0 and "internal grader error" in data["output"]


def test_hostile_runs_are_reproducible(tmp_path: Path) -> None:
    first = run_grade(tmp_path, "segfault_in_grad")[1]
    second = run_grade(tmp_path, "segfault_in_grad")[1]
    assert without_time(first) == without_time(second)


def test_printed_output_is_truncated_and_never_in_results(tmp_path: Path) -> None:
    ex = load_exercise(EXERCISES / "mse")
    result = grade(ex, HOSTILE / "noisy_but_correct.py", limits=Limits(output_bytes=1000))
    assert result.full_marks
    assert len(result.submission_output) < 1200
    assert "more bytes of output not shown" in result.submission_output
    code, data, _ = run_grade(tmp_path, "noisy_but_correct")
    assert "computing the loss" not in str(data)


def _world_python() -> str | None:
    """An interpreter other users can read, with tinygrad_edu and hypothesis installed:
    $TINYGRAD_EDU_WORLD_PYTHON (.ci/run passes the wheel check's), else this one if the
    grader can drop privileges with it."""
    env = os.environ.get("TINYGRAD_EDU_WORLD_PYTHON")
    if env:
        assert Path(env).is_file(), f"TINYGRAD_EDU_WORLD_PYTHON={env} does not exist"
        return env
    return sys.executable if privilege_drop_target()[0] else None


IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(not IS_ROOT, reason="only root can drop to nobody")
def test_as_root_the_submission_runs_as_nobody(tmp_path: Path) -> None:
    python = _world_python()
    if python is None:
        # In CI (.ci/run sets the variable) this must run, never skip.
        assert not os.environ.get("CI"), "CI must provide TINYGRAD_EDU_WORLD_PYTHON"
        pytest.skip("needs a Python other users can read: set TINYGRAD_EDU_WORLD_PYTHON "
                    "(bash .ci/wheel_check makes one)")
    os.chmod(tmp_path, 0o755)
    submission = tmp_path / "mse.py"
    submission.write_text(
        "import os\n\n\ndef mse_loss(pred, target):\n"
        f"    open({str(tmp_path / 'owned.txt')!r}, 'w').write('x')\n    return 0.0\n\n\n"
        "def mse_grad(pred, target):\n    raise RuntimeError(f'uid={os.getuid()}')\n"
    )
    results = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if python == sys.executable:
        env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [python, "-m", "tinygrad_edu.course", "grade", "mse", "--exercises-dir", str(EXERCISES),
         "--submission", str(submission), "--json", str(results), "--timeout", "20"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "not as 'nobody'" not in proc.stderr
    text = outputs(load_results(results))
    assert not (tmp_path / "owned.txt").exists()
    assert "PermissionError" in text
    assert "uid=65534" in text
