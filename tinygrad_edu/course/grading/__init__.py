"""Exercises and an autograder for courses built on tinygrad_edu.

An exercise is one Python file: reference functions whose answers sit between
``# BEGIN SOLUTION`` / ``# END SOLUTION``, and a ``# BEGIN GRADER`` block declaring
``EXERCISE = Exercise(name, title, checks=[...])`` with points per check. Students get
the file with the solutions replaced by ``raise NotImplementedError`` and the grader
block removed. The grader runs a submission in a separate, limited process and decides
every check itself, from the values the submission returns.

Modules: :mod:`.exercise` (model, loading), :mod:`.checks` (Example, Property,
GradCheck), :mod:`.solution` (starters), :mod:`.runner` and :mod:`.harness` (the
isolated process), :mod:`.codec` (the wire format), :mod:`.drivers` (how a check calls
in), :mod:`.grader` (scoring), :mod:`.report` (table, results.json), :mod:`.bundle`
(Gradescope zip), :mod:`.cli`. See ``exercises/README.md`` for a walk-through.
"""

from .checks import REFERENCE, Args, Check, Diagnosis, Example, GradCheck, Property, Verdict
from .exercise import Exercise, ExerciseError, list_exercises, load_exercise, resolve_exercise
from .grader import CheckResult, GradeResult, grade
from .runner import Limits, SubmissionFailed
from .solution import MarkerError, make_solution, make_starter

__all__ = [
    "REFERENCE",
    "Args",
    "Check",
    "CheckResult",
    "Diagnosis",
    "Example",
    "Exercise",
    "ExerciseError",
    "GradCheck",
    "GradeResult",
    "Limits",
    "MarkerError",
    "Property",
    "SubmissionFailed",
    "Verdict",
    "grade",
    "list_exercises",
    "load_exercise",
    "make_solution",
    "make_starter",
    "resolve_exercise",
]
