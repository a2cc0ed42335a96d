"""Show a grade: a terminal table for people, Gradescope's ``results.json`` for machines.

Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``score``, ``max_score``, ``execution_time``, ``output``, ``tests[]`` with ``name``,
``number``, ``score``, ``max_score``, ``status`` ("passed"/"failed"), ``visibility``,
``output``, ``output_format``. Public checks are ``visible``; hidden ones use the
exercise's ``hidden_visibility`` (default ``after_published``: students see them once
grades are published).

The submission's own printed output is never put in ``results.json``: it could carry
the inputs of hidden checks to the student before grades are published. The terminal
report shows it, indented under a header, so it cannot pass for the grader's lines.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .grader import GradeResult


def _points(x: float) -> str:
    return f"{x:g}"


def to_gradescope(
    result: GradeResult, hidden_visibility: str = "after_published"
) -> dict[str, Any]:
    tests = [
        {
            "name": r.name,
            "number": str(r.number),
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.passed else "failed",
            "visibility": hidden_visibility if r.hidden else "visible",
            "output": r.output or ("Passed." if r.passed else "Failed."),
            "output_format": "text",
        }
        for r in result.results
    ]
    summary = f"{result.exercise}: {_points(result.score)} / {_points(result.max_score)} points."
    output = "\n\n".join([summary, *result.messages])
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def to_record(result: GradeResult) -> dict[str, Any]:
    """What ``grade-all`` keeps of one grading: per check the points, why it failed
    without a verdict (a timeout, a crash) and the diagnosed mistake."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "seconds": round(result.execution_time, 3),
        "checks": [
            {
                "name": r.name,
                "score": r.score,
                "max_score": r.max_score,
                "passed": r.passed,
                "failure": r.failure,
                "mistake": r.mistake,
                "output": r.output[:2000],
            }
            for r in result.results
        ],
        "messages": [m[:2000] for m in result.messages],
    }


def write_json(data: dict[str, Any], path: str | Path) -> None:
    """Write atomically: a reader (or a crash) never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def placeholder(exercise: str, max_score: float, message: str) -> dict[str, Any]:
    """A valid zero-score results file, written before the submission runs and whenever
    the grader itself cannot finish, so the course platform always has a file to read."""
    return {
        "score": 0.0,
        "max_score": float(max_score),
        "execution_time": 0.0,
        "output": f"{exercise}: {message}",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def format_table(result: GradeResult, *, student: bool = False, show_output: bool = True) -> str:
    """The terminal report. ``student=True`` is the wording of ``tinygrad-edu check``."""
    rows = [("#", "check", "visibility", "points", "status")]
    for r in result.results:
        rows.append(
            (
                str(r.number),
                r.name,
                "hidden" if r.hidden else "public",
                f"{_points(r.score)}/{_points(r.max_score)}",
                "passed" if r.passed else "FAILED",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [f"{result.exercise} — {result.title}", ""]
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    failures = [r for r in result.results if not r.passed]
    if failures:
        lines += ["", "What went wrong:"]
        for r in failures:
            lines.append(f"[{r.number}] {r.name}")
            lines.extend("    " + line for line in (r.output or "Failed.").splitlines())
    if show_output and result.submission_output:
        lines += ["", "Your submission printed (shown as is, indented):"]
        lines.extend("  | " + line for line in result.submission_output.splitlines())
    lines.append("")
    score = f"{_points(result.score)}/{_points(result.max_score)} points"
    if student:
        if result.full_marks:
            lines.append(
                f"public checks passed ({score}). Hidden checks run when your work is graded."
            )
        else:
            n = len(failures)
            lines.append(
                f"public checks: {score}; {n} failed. Fix what is listed above and run again."
            )
    else:
        lines.append(f"Score: {score}" + ("" if result.full_marks else " (not full marks)"))
    return "\n".join(lines)
