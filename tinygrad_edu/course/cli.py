"""The ``tinygrad-edu`` command: lessons for students, exercises and grading for instructors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu",
        description="Lessons, exercises and a grader for the tinygrad_edu autodiff library.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    from . import lesson_runner
    from .grading import cli as grading_cli

    lesson_runner.add_subcommands(sub)
    grading_cli.add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
