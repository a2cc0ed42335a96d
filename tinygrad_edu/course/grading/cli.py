"""The grading half of the ``tinygrad-edu`` command.

    tinygrad-edu exercises list
    tinygrad-edu exercises init DIR            # starters + READMEs for students
    tinygrad-edu check EXERCISE [PATH]         # students: public checks only
    tinygrad-edu grade EXERCISE --submission PATH [--json results.json] [--timeout S]
    tinygrad-edu gradescope-bundle EXERCISE -o autograder.zip

``grade`` exits 0 only on full marks (1 otherwise, 2 when it could not grade at all),
so it can serve as a command grader. With ``--json`` it first writes a zero-score
placeholder, so a results file exists even if the grader itself is killed.

``python -m tinygrad_edu.course.grading ...`` runs the same subcommands without the lessons.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .exercise import (
    Exercise,
    ExerciseError,
    ExerciseUnavailable,
    list_exercises,
    resolve_exercise,
)
from .runner import Limits


def add_subcommands(sub: Any) -> None:
    """Register ``exercises``, ``check``, ``grade`` and ``gradescope-bundle``."""
    dir_help = "folder of exercises (default: $TINYGRAD_EDU_EXERCISES or the checkout's exercises/)"

    ex = sub.add_parser("exercises", help="list the exercises, or write their starters")
    ex_sub = ex.add_subparsers(dest="exercises_command", required=True)
    ls = ex_sub.add_parser("list", help="list the exercises with their points")
    ls.add_argument("--exercises-dir", help=dir_help)
    ls.set_defaults(func=cmd_list)
    init = ex_sub.add_parser(
        "init", help="write each exercise's starter and README (and README.zh.md, the Chinese "
        "edition, where there is one) into DIR")
    init.add_argument("dir", type=Path)
    init.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    init.add_argument(
        "--force", action="store_true", help="overwrite existing files (default: keep them)"
    )
    init.add_argument(
        "--with-solutions",
        action="store_true",
        help="for instructors: also write <name>_solution.py (the reference, no checks)",
    )
    init.add_argument("--exercises-dir", help=dir_help)
    init.set_defaults(func=cmd_init)

    kit = ex_sub.add_parser(
        "export-student", help="write a student kit into DIR: starters, READMEs and the public "
        "checks with their expected values (no reference code, no hidden checks)")
    kit.add_argument("dir", type=Path)
    kit.add_argument("--exercise", action="append", help="only this exercise (repeatable)")
    kit.add_argument("--force", action="store_true", help="overwrite existing files")
    kit.add_argument("--exercises-dir", help=dir_help)
    kit.set_defaults(func=cmd_export_student)

    check = sub.add_parser("check", help="run an exercise's public checks on your work")
    check.add_argument("exercise", help="exercise name (see `exercises list`) or path")
    check.add_argument(
        "path", nargs="?", default=".", help="your file, or a folder holding it (default: .)"
    )
    check.add_argument("--timeout", type=float, help="seconds per check (default 10)")
    check.add_argument("--lang", choices=("en", "zh"), default=None,
                       help="the language of the report: en or zh (Chinese); default: zh when "
                       "the locale is Chinese (LANG=zh_CN.UTF-8), else en. The checks' names, "
                       "hints and error messages stay as written")
    check.add_argument("--exercises-dir", help=dir_help)
    check.set_defaults(func=cmd_check)

    grade = sub.add_parser("grade", help="grade a submission: public and hidden checks")
    grade.add_argument("exercise", metavar="EXERCISE_OR_ASSIGNMENT",
                       help="exercise name or path, an assignment file (.toml/.json), or a "
                       "list like adam_step:2,mse (name[:weight])")
    grade.add_argument("--submission", required=True, help="the submitted file or folder "
                       "(a folder holding each exercise's <name>.py for an assignment)")
    grade.add_argument("--record", type=Path, help=argparse.SUPPRESS)  # for grade-all
    grade.add_argument("--json", dest="json_path", type=Path, help="write Gradescope results here")
    grade.add_argument("--timeout", type=float, help="seconds per check and for the import")
    grade.add_argument("--memory", type=int, help="memory limit of the submission in MB")
    grade.add_argument("--quiet", action="store_true", help="no table on stdout")
    grade.add_argument("--lang", choices=("en", "zh"), default=None,
                       help="the language of the table on stdout (default: from the locale, "
                       "as for check); results.json stays in English")
    grade.add_argument("--exercises-dir", help=dir_help)
    grade.set_defaults(func=cmd_grade)

    every = sub.add_parser(
        "grade-all", help="grade a whole class: a gradebook CSV, results.json per student and "
        "an HTML class report",
        description="Grade every student's submission in SUBMISSIONS_DIR (a subfolder or a file "
        "per student; Canvas, Moodle and Gradescope exports; notebooks). Unchanged "
        "submissions are not graded again.")
    every.add_argument("exercise", metavar="EXERCISE_OR_ASSIGNMENT",
                       help="exercise name or path, an assignment file, or a list a:2,b")
    every.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    every.add_argument("-o", "--out", type=Path, default=Path("grades"),
                       help="output folder (default: grades/)")
    every.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    every.add_argument("--timeout", type=float, help="seconds per check and for the import")
    every.add_argument("--memory", type=int, help="memory limit of a submission in MB")
    every.add_argument("--exercises-dir", help=dir_help)
    every.set_defaults(func=cmd_grade_all)

    bundle = sub.add_parser("gradescope-bundle", help="write a Gradescope autograder zip")
    bundle.add_argument("exercise", nargs="+", metavar="EXERCISE_OR_ASSIGNMENT",
                        help="one exercise, several (graded together), an assignment file, "
                        "or a list like adam_step:2,mse")
    bundle.add_argument("-o", "--output", type=Path, default=Path("autograder.zip"))
    bundle.add_argument("--timeout", type=float, help="seconds per check in the autograder")
    bundle.add_argument("--exercises-dir", help=dir_help)
    bundle.set_defaults(func=cmd_bundle)


def _lang(args: argparse.Namespace) -> str:
    """``--lang``, or the locale's language when it is not given."""
    from ..lessons import locale_lang

    return getattr(args, "lang", None) or locale_lang()


def _limits(args: argparse.Namespace, exercise: Exercise) -> Limits:
    timeout = args.timeout or exercise.timeout_s or Limits.timeout_s
    memory = getattr(args, "memory", None) or Limits.memory_mb
    return Limits(timeout_s=float(timeout), memory_mb=int(memory))


def cmd_list(args: argparse.Namespace) -> int:
    errors: list[str] = []
    unavailable: list[ExerciseUnavailable] = []
    try:
        exercises = list_exercises(args.exercises_dir, errors=errors, unavailable=unavailable)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for error in errors:
        print(f"error: cannot load {error}", file=sys.stderr)
    width = max((len(e.name) for e in exercises), default=4)
    width = max([width, *(len(u.name) for u in unavailable)])
    for e in exercises:
        public = sum(c.points for c in e.public_checks)
        lesson = f"  [{e.lesson}]" if e.lesson else ""
        print(
            f"{e.name.ljust(width)}  {e.title}{lesson}  "
            f"({len(e.checks)} checks, {e.max_points:g} points, {public:g} public)"
        )
    for u in unavailable:
        print(f"{u.name.ljust(width)}  (not available here: {u.hint})")
    return 2 if errors else 0


def cmd_init(args: argparse.Namespace) -> int:
    unavailable: list[ExerciseUnavailable] = []
    try:
        exercises = list_exercises(args.exercises_dir, unavailable=unavailable)
        if args.exercise:
            wanted = set(args.exercise)
            for u in unavailable:
                if u.name in wanted:
                    raise ExerciseError(f"cannot write {u.name}: it {u.hint}")
            unknown = wanted - {e.name for e in exercises}
            if unknown:
                raise ExerciseError(f"unknown exercise(s): {', '.join(sorted(unknown))}")
            exercises = [e for e in exercises if e.name in wanted]
            unavailable = []
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for u in unavailable:
        print(f"note: skipped {u.name}: it {u.hint}", file=sys.stderr)
    files: dict[Path, str] = {}
    for e in exercises:
        folder = args.dir / e.name
        files[folder / e.filename] = e.starter()
        files[folder / "README.md"] = e.readme
        if e.readme_zh:  # the Chinese edition of the README
            files[folder / "README.zh.md"] = e.readme_zh
        if args.with_solutions:
            files[folder / f"{e.module}_solution.py"] = e.solution()
    # Students run init again when a course adds exercises: never clobber their work.
    kept = [p for p in files if p.exists()] if not args.force else []
    for path, text in files.items():
        if path in kept:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if kept:
        print(
            f"Kept {len(kept)} existing file(s), e.g. {kept[0]} (use --force to replace them).",
            file=sys.stderr,
        )
    print(f"Wrote {len(exercises)} exercise(s) to {args.dir}/:")
    for e in exercises:
        print(f"  {e.name}/{e.filename}  — then: tinygrad-edu check {e.name} {args.dir / e.name}")
    return 0


def cmd_export_student(args: argparse.Namespace) -> int:
    import json

    from .kit import KIT_FILE, export_kit

    unavailable: list[ExerciseUnavailable] = []
    try:
        exercises = list_exercises(args.exercises_dir, unavailable=unavailable)
        if args.exercise:
            wanted = set(args.exercise)
            unknown = wanted - {e.name for e in exercises}
            if unknown:
                raise ExerciseError(f"unknown or unavailable exercise(s): "
                                    f"{', '.join(sorted(unknown))}")
            exercises = [e for e in exercises if e.name in wanted]
            unavailable = []
        files: dict[Path, str] = {}
        for e in exercises:
            folder = args.dir / e.name
            files[folder / e.filename] = e.starter()
            files[folder / "README.md"] = e.readme
            if e.readme_zh:  # the Chinese edition of the README
                files[folder / "README.zh.md"] = e.readme_zh
            files[folder / KIT_FILE] = json.dumps(export_kit(e), separators=(",", ":"),
                                                   ensure_ascii=False) + "\n"
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for u in unavailable:
        print(f"note: skipped {u.name}: it {u.hint}", file=sys.stderr)
    kept = [p for p in files if p.exists() and p.name != KIT_FILE] if not args.force else []
    for path, text in files.items():
        if path not in kept:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if kept:
        print(f"Kept {len(kept)} existing file(s), e.g. {kept[0]} (use --force to replace "
              "them).", file=sys.stderr)
    print(f"Wrote a student kit of {len(exercises)} exercise(s) to {args.dir}/ (starters, "
          "READMEs, public checks; no reference code, no hidden checks). Students run:")
    for e in exercises[:3]:
        print(f"  tinygrad-edu check {e.name} {args.dir / e.name}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .grader import grade
    from .kit import find_kit, load_kit
    from .report import format_table

    try:
        kit = find_kit(args.exercise, args.path)
        exercise = load_kit(kit) if kit else resolve_exercise(args.exercise, args.exercises_dir)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = grade(exercise, args.path, include_hidden=False, limits=_limits(args, exercise))
    print(format_table(result, student=True, lang=_lang(args)))
    return 0 if result.full_marks else 1


def cmd_grade(args: argparse.Namespace) -> int:
    from .assignment import grade_assignment, load_assignment
    from .report import format_table, placeholder, to_gradescope, to_record, write_json

    try:
        assignment = load_assignment(args.exercise, args.exercises_dir)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.json_path:
            write_json(placeholder(args.exercise, 0.0, f"could not load the exercise: {exc}"),
                       args.json_path)
        return 2
    if args.json_path:
        write_json(
            placeholder(assignment.name, assignment.max_points, "grading did not finish."),
            args.json_path,
        )
    try:
        result = grade_assignment(assignment, args.submission, timeout=args.timeout,
                                  memory_mb=args.memory)
    except Exception as exc:  # noqa: BLE001 - a grader bug must still leave a results file
        message = f"internal grader error ({type(exc).__name__}: {exc}); tell your instructor."
        print(f"error: {message}", file=sys.stderr)
        if args.json_path:
            write_json(placeholder(assignment.name, assignment.max_points, message),
                       args.json_path)
        return 2
    if args.json_path:
        write_json(to_gradescope(result, assignment.hidden_visibility), args.json_path)
    if args.record:
        write_json(to_record(result), args.record)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if not args.quiet:
        print(format_table(result, lang=_lang(args)))
    return 0 if result.full_marks else 1


def cmd_grade_all(args: argparse.Namespace) -> int:
    import time

    from .assignment import load_assignment
    from .class_report import mistakes, write_report
    from .classroom import STATUSES, ClassRun, write_gradebook

    try:
        assignment = load_assignment(args.exercise, args.exercises_dir)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.submissions.is_dir():
        print(f"error: no submissions folder at {args.submissions}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    run = ClassRun(args.exercise, assignment, args.submissions.resolve(), args.out.resolve(),
                   args.jobs, args.timeout, args.memory, args.exercises_dir)
    started = time.monotonic()
    print(f"Grading {assignment.name} in {args.submissions} with {args.jobs} job(s):")
    outcomes = run.run(progress=sys.stdout)
    seconds = time.monotonic() - started
    write_gradebook(outcomes, assignment, args.out / "gradebook.csv")
    write_report(outcomes, assignment, args.out / "report.html", seconds)
    graded = sum(not o.cached for o in outcomes)
    counts = {s: sum(o.status == s for o in outcomes) for s in STATUSES}
    print(f"{len(outcomes)} students ({graded} graded now, {len(outcomes) - graded} "
          f"unchanged) in {seconds:.1f} s: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    top = mistakes(outcomes)[:3]
    if top:
        print("most frequent mistakes: " + "; ".join(f"{m} ({n})" for _, m, n in top))
    print(f"gradebook: {args.out / 'gradebook.csv'}\nreport: {args.out / 'report.html'}\n"
          f"results: {args.out / 'results'}/<student>/results.json")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from .assignment import load_assignment
    from .bundle import build_bundle

    spec = ",".join(args.exercise) if len(args.exercise) > 1 else args.exercise[0]
    try:
        assignment = load_assignment(spec, args.exercises_dir)
    except ExerciseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = build_bundle(assignment, args.output, timeout_s=args.timeout)
    print(f"Wrote {path}: upload it as the autograder of a Gradescope programming assignment.")
    files = [p.exercise.filename for p in assignment.parts]
    print(f"Students submit {'one file named ' if len(files) == 1 else ''}{', '.join(files)}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tinygrad_edu.course.grading",
        description="Exercises and the grader of tinygrad_edu (the grading half of tinygrad-edu).",
    )
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
