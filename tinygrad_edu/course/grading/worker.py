"""A grading worker for ``grade-all``: grades one submission after another, as ``grade``
does, in one long-lived process (so Python, numpy, hypothesis and the exercises load
once per job slot, not once per student).

Protocol: one JSON object per line on stdin, ``{"argv": [...]}`` (the arguments of
``tinygrad-edu grade``); one line back on stdout, ``{"code": N}``. Everything the grader
prints goes to stderr. ``grade-all`` kills a worker that does not answer in time and
starts a fresh one, so a grader that hangs or dies costs one student.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys


def main() -> None:
    from .cli import main as grade_main

    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints never reach `out`
    for line in sys.stdin:
        try:
            argv = list(json.loads(line)["argv"])
        except (ValueError, KeyError, TypeError):
            out.write(json.dumps({"code": 2, "error": "bad request"}) + "\n")
            continue
        try:
            with contextlib.redirect_stdout(sys.stderr):
                code = int(grade_main(argv) or 0)
        except SystemExit as exc:  # argparse errors
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception as exc:  # noqa: BLE001 - report, and keep serving
            print(f"worker: {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 2
        out.write(json.dumps({"code": code}) + "\n")


if __name__ == "__main__":
    main()
