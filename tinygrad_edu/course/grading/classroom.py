"""Grade a whole class: ``tinygrad-edu grade-all ASSIGNMENT SUBMISSIONS_DIR``.

Each job slot keeps a grading worker (:mod:`.worker`): a long-lived process that runs
``grade`` on one submission after another, so Python, numpy, hypothesis and the
exercises load once per slot, not once per student. Every submission is isolated
exactly as ``grade`` isolates one (its own child process, limits, user). A worker that
does not answer within the worst case of its submission (every check waiting out its
limit) plus a margin, or that dies, is killed and replaced: that student is marked
"timed out" or "crashed", and the others are not affected. Results are cached by a
hash of the grader, the assignment, the limits and the student's files: running again
grades only what changed.

The output folder holds ``gradebook.csv``, ``results/<student>/results.json`` (the
Gradescope file) and ``report.html`` (see :mod:`.class_report`).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assignment import Assignment
from .report import placeholder, write_json
from .roster import Student, content_hash, find_students, prepare

STATUSES = ("graded", "timed out", "crashed", "no submission")
MARGIN_S = 30.0  # the grader's own start-up and clean-up, beyond the submission's limits
_GRADER_DIR = Path(__file__).resolve().parent


@dataclass
class Outcome:
    """One student's line of the gradebook."""

    student: str
    status: str
    score: float
    max_score: float
    checks: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    cached: bool = False
    files: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


# The modules whose code decides a score (not the CLI, the class report or this one).
_SCORING = ("assignment", "checks", "codec", "compare", "drivers", "exercise", "grader",
            "harness", "runner", "solution", "strategies")


def grader_fingerprint() -> str:
    """A hash of the code that decides scores: a changed grader regrades everything."""
    h = hashlib.sha256()
    for name in _SCORING:
        h.update(name.encode() + (_GRADER_DIR / f"{name}.py").read_bytes())
    return h.hexdigest()[:16]


def _safe(student: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", student).strip("._") or "student"


def status_of(record: dict[str, Any] | None, exit_code: int | None, killed: bool) -> str:
    if killed:
        return "timed out"
    if record is None or exit_code not in (0, 1):
        return "crashed"
    failures = [c.get("failure", "") for c in record.get("checks", [])]
    if failures and all(f == "missing" for f in failures):
        return "no submission"
    if "timeout" in failures:
        return "timed out"
    if any(f in ("exited", "protocol", "dead", "import", "static") for f in failures):
        return "crashed"
    return "graded"


@dataclass
class ClassRun:
    """Everything ``grade-all`` needs to grade one class."""

    target: str  # what `grade` is given: an exercise, a list, an assignment file
    assignment: Assignment
    submissions: Path
    out: Path
    jobs: int
    timeout: float | None = None
    memory_mb: int | None = None
    exercises_dir: str | None = None
    python: str = sys.executable

    def key(self, prepared: Path) -> str:
        h = hashlib.sha256()
        for part in (grader_fingerprint(), self.assignment.source,
                     *(p.exercise.source + f"*{p.weight}" for p in self.assignment.parts),
                     repr(self.timeout), repr(self.memory_mb), content_hash(prepared)):
            h.update(part.encode() + b"\0")
        return h.hexdigest()

    def grade_one(self, student: Student) -> Outcome:
        sid = _safe(student.id)
        work = self.out / ".work" / sid
        result_dir = self.out / "results" / sid
        results = result_dir / "results.json"
        record_path = self.out / ".cache" / f"{sid}.json"
        files = [str(p.relative_to(self.submissions)) for p in student.files.values()]
        problems = prepare(student, self.assignment, work)
        key = self.key(work)
        if record_path.is_file() and results.is_file():
            try:
                cached = json.loads(record_path.read_text(encoding="utf-8"))
            except ValueError:
                cached = {}
            if cached.get("key") == key:
                return _outcome(student.id, cached, cached=True, files=files)
        started = time.monotonic()
        limit = self.assignment.worst_case_seconds(self.timeout) + MARGIN_S
        argv = ["grade", self.target,
                "--submission", str(work), "--json", str(results),
                "--record", str(record_path.with_suffix(".record")), "--quiet"]
        if self.timeout:
            argv += ["--timeout", f"{self.timeout:g}"]
        if self.memory_mb:
            argv += ["--memory", str(self.memory_mb)]
        if self.exercises_dir:
            argv += ["--exercises-dir", self.exercises_dir]
        result_dir.mkdir(parents=True, exist_ok=True)
        record_path.parent.mkdir(parents=True, exist_ok=True)
        record_path.with_suffix(".record").unlink(missing_ok=True)
        worker = self._worker()
        code, killed = worker.grade(argv, limit)
        stderr = (f"the grader did not finish within {limit:g} s" if killed else
                  "the grader stopped" if code is None else "")
        record = None
        with_record = record_path.with_suffix(".record")
        if with_record.is_file():
            record = json.loads(with_record.read_text(encoding="utf-8"))
            with_record.unlink()
        status = status_of(record, code, killed)
        if record is None:
            message = stderr.strip().splitlines()[-1:] or ["no results"]
            record = {"score": 0.0, "max_score": self.assignment.max_points, "checks": [],
                      "messages": [f"The grader could not grade this submission: {message[0]}"]}
            if not results.is_file() or killed:
                write_json(placeholder(self.assignment.name, self.assignment.max_points,
                                       record["messages"][0]), results)
        record["messages"] = [*record.get("messages", []), *problems.values()]
        record.update(key=key, status=status, seconds=round(time.monotonic() - started, 3))
        write_json(record, record_path)
        return _outcome(student.id, record, cached=False, files=files)

    def _worker(self) -> _Worker:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            with self._lock:
                log = self.out / ".cache" / f"worker-{len(self._workers)}.log"
                worker = _Worker(self.python, log)
                self._workers.append(worker)
            self._local.worker = worker
        return worker

    def run(self, progress: Any = None) -> list[Outcome]:
        students = find_students(self.submissions, self.assignment)
        outcomes: list[Outcome] = []
        self._local = threading.local()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        try:
            with ThreadPoolExecutor(max_workers=max(1, self.jobs)) as pool:
                for outcome in pool.map(self.grade_one, students):
                    outcomes.append(outcome)
                    if progress is not None:
                        note = " (unchanged)" if outcome.cached else \
                            f" in {outcome.seconds:.1f} s"
                        print(f"  {outcome.student}: {outcome.score:g}/{outcome.max_score:g} "
                              f"{outcome.status}{note}", file=progress, flush=True)
        finally:
            for worker in self._workers:
                worker.close()
        return outcomes


class _Worker:
    """One grading worker process (see :mod:`.worker`), started when first needed and
    replaced after it is killed or dies."""

    def __init__(self, python: str, log: Path) -> None:
        self.python = python
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as err:
            self.proc = subprocess.Popen(
                [self.python, "-m", "tinygrad_edu.course.grading.worker"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                start_new_session=True, env=_grader_env())
        return self.proc

    def grade(self, argv: list[str], limit: float) -> tuple[int | None, bool]:
        """(``grade``'s exit status or None if the worker died, whether it was killed
        for taking longer than ``limit`` seconds)."""
        proc = self.proc if self.proc is not None and self.proc.poll() is None else self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"argv": argv}).encode() + b"\n")
            proc.stdin.flush()
        except OSError:
            self.kill()
            return None, False
        fd, buf = proc.stdout.fileno(), b""
        deadline = time.monotonic() + limit
        while b"\n" not in buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                return None, True
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.kill()
                    return None, False
                buf += chunk
        try:
            return int(json.loads(buf.split(b"\n", 1)[0])["code"]), False
        except (ValueError, KeyError, TypeError):
            self.kill()
            return None, False

    def kill(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None and self.proc.stdin:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.kill()


def _grader_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _outcome(student: str, record: dict[str, Any], *, cached: bool,
             files: list[str]) -> Outcome:
    return Outcome(student, str(record.get("status", "crashed")),
                   float(record.get("score", 0.0)), float(record.get("max_score", 0.0)),
                   list(record.get("checks", [])), float(record.get("seconds", 0.0)),
                   cached, files, list(record.get("messages", [])))


def write_gradebook(outcomes: list[Outcome], assignment: Assignment, path: Path) -> None:
    """One row per student: id, total, max, status, then the points of every check."""
    names = assignment.check_names()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "total", "max", "status", *names, "seconds", "files"])
        for o in sorted(outcomes, key=lambda o: o.student):
            points = {c["name"]: c["score"] for c in o.checks}
            writer.writerow([o.student, f"{o.score:g}", f"{assignment.max_points:g}", o.status,
                             *(f"{points.get(n, 0.0):g}" for n in names),
                             f"{o.seconds:.2f}", ";".join(o.files)])
