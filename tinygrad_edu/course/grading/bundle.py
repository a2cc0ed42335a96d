"""A Gradescope autograder zip for one exercise.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once (as
root) to build the image, then ``run_autograder`` (as root) for every submission, with
the student's files in ``/autograder/submission``; it reads
``/autograder/results/results.json``.

The zip holds the ``tinygrad_edu`` package, a minimal ``pyproject.toml`` to install it,
the one exercise folder, and the two scripts. ``run_autograder`` makes the source
(which holds the reference solution) unreadable to other users before grading, and the
grader runs the submission as ``nobody``; it writes a zero-score results file itself if
the grader fails before writing one. ``AUTOGRADER_ROOT`` and ``AUTOGRADER_PYTHON``
override ``/autograder`` and ``python3`` for a dry run on your own machine.
"""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path
from typing import Any

from .assignment import Assignment, Part
from .exercise import Exercise
from .runner import PACKAGE_DIR

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
if ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update
  apt-get install -y python3 python3-pip
fi
PACKAGES=(. {requirements})
python3 -m pip install "${{PACKAGES[@]}}" \\
  || python3 -m pip install --break-system-packages "${{PACKAGES[@]}}"
# Fail the build now, not at the first submission, if the exercise does not load.
python3 -m tinygrad_edu.course.grading exercises list --exercises-dir /autograder/source/exercises
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this as root for every submission. The tinygrad_edu grader runs the
# submission in a separate process (as the user `nobody`, with time and memory limits),
# computes the score itself and writes results.json.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-python3}}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
fail() {{  # a broken layout is the instructor's problem: say so loudly, score nothing
  echo "run_autograder: $1" >&2
  printf '{{"score": 0.0, "max_score": {max_score}, "execution_time": 0.0, \
"output": "The autograder is not set up: \
%s Please tell your instructor.", "tests": []}}\n' "$1" > "$RESULTS"
  exit 2
}}
for ex in {names}; do
  [ -f "$ROOT/source/exercises/$ex/exercise.py" ] || fail "missing \
$ROOT/source/exercises/$ex/exercise.py (unzip the autograder bundle into $ROOT/source)."
done
[ -d "$ROOT/submission" ] || fail "missing the folder $ROOT/submission (the student's files \
go there)."
# The source holds the reference solution: only root (the grader) may read it.
chmod -R go-rwx "$ROOT/source"
# Run the installed package, not the copy in the source folder that `nobody` cannot read.
cd /
"$PYTHON" -m tinygrad_edu.course.grading grade {target} \\
  --exercises-dir "$ROOT/source/exercises" \\
  --submission "$ROOT/submission" \\
  --json "$RESULTS"{timeout}
status=$?
if [ "$status" -ge 2 ]; then
  echo "run_autograder: the grader could not grade this submission (status $status)" >&2
fi
if [ ! -s "$RESULTS" ]; then
  printf '{{"score": 0.0, "max_score": {max_score}, "execution_time": 0.0, \
"output": "The grader stopped (status %s) \
before writing results. Please tell your instructor.", "tests": []}}\\n' "$status" > "$RESULTS"
fi
# A non-full score (status 1) is not an error for Gradescope: results.json carries it.
[ "$status" -le 1 ] || exit "$status"
exit 0
"""

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "tinygrad-edu"
version = "0.0.0+autograder"
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "hypothesis>=6.100"]

[project.scripts]
tinygrad-edu = "tinygrad_edu.cli:main"

[tool.setuptools.packages.find]
include = ["tinygrad_edu*"]
"""


_NOT_BUNDLED = ("tinygrad_edu/course/_exercises", "tinygrad_edu/course/_lessons")


def _add(zf: zipfile.ZipFile, arcname: str, text: str | bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))  # reproducible zips
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def build_bundle(
    target: Exercise | Assignment, output: str | Path, *, timeout_s: float | None = None
) -> Path:
    """Write the autograder zip for an exercise or an assignment to ``output``.

    For an assignment the zip holds every exercise and ``assignment.json``; one
    Gradescope run grades all of a student's files (``<module>.py`` each)."""
    assignment = target if isinstance(target, Assignment) else \
        Assignment(target.name, target.title, [Part(target)], None, target.source)
    exercises = [p.exercise for p in assignment.parts]
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    requirements = " ".join(shlex.quote(r) for e in exercises for r in e.requirements)
    timeout = f" \\\n  --timeout {timeout_s:g}" if timeout_s else ""
    if assignment.single:
        grade_target = shlex.quote(exercises[0].name)
    else:
        grade_target = '"$ROOT/source/assignment.json"'
    with zipfile.ZipFile(output, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.format(requirements=requirements), executable=True)
        _add(
            zf,
            "run_autograder",
            RUN_AUTOGRADER.format(
                names=" ".join(shlex.quote(e.name) for e in exercises), target=grade_target,
                timeout=timeout, max_score=assignment.max_points,
            ),
            executable=True,
        )
        _add(zf, "pyproject.toml", PYPROJECT)
        files = ", ".join(e.filename for e in exercises)
        _add(zf, "README.md", f"Autograder for the tinygrad_edu assignment {assignment.name} "
                              f"(students submit {files}).\n")
        if not assignment.single:
            spec: dict[str, Any] = {"name": assignment.name, "title": assignment.title,
                    "exercises": [{"name": p.exercise.name, "weight": p.weight}
                                  for p in assignment.parts]}
            if assignment.timeout_s:
                spec["timeout_s"] = assignment.timeout_s
            _add(zf, "assignment.json", json.dumps(spec, indent=2) + "\n")
        for file in sorted(PACKAGE_DIR.rglob("*")):
            rel = file.relative_to(PACKAGE_DIR.parent).as_posix()
            if rel.startswith(_NOT_BUNDLED):
                continue  # other exercises' references and the lessons (from a wheel)
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                _add(zf, rel, file.read_bytes())
        for exercise in exercises:
            folder = f"exercises/{exercise.name}"
            _add(zf, f"{folder}/exercise.py", exercise.source)
            _add(zf, f"{folder}/README.md", exercise.readme)
    return output
