"""A class's submissions, as a folder of them arrives from a course platform.

``find_students(folder, assignment)`` returns one :class:`Student` per student with the
file found for each exercise (or none). It understands

- one subfolder per student (``alice/adam_step.py``), including Moodle's
  ``Jane Doe_12345_assignsubmission_file_/`` and Gradescope's ``submission_123456/``;
- one file per student (``alice.py`` or ``alice.ipynb``) for a one-exercise assignment;
- Canvas's flat export, ``<name>[_LATE]_<userid>_<submissionid>_<original file>``;
- files renamed by a download or a re-upload (``adam_step (1).py``, ``adam_step-2.py``:
  the highest number is the latest), and notebooks (``adam_step.ipynb``: its code cells,
  without IPython magics and shell lines).

:func:`prepare` copies a student's files under the names the grader expects
(``<module>.py``) into a folder of their own.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .assignment import Assignment

CODE_SUFFIXES = (".py", ".ipynb")
_CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sub>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<uid>\d+)_assign(?:submission|feedback)_\w+?_?$")
_COPY_NUMBER = re.compile(r"^(?P<stem>.+?)(?: \((?P<paren>\d+)\)|-(?P<dash>\d+))$")
_MAGIC = re.compile(r"^\s*(%|!)")


@dataclass
class Student:
    id: str
    files: dict[str, Path] = field(default_factory=dict)  # exercise name -> file
    extra: list[Path] = field(default_factory=list)  # code files matched to nothing

    def missing(self, assignment: Assignment) -> list[str]:
        return [p.exercise.name for p in assignment.parts if p.exercise.name not in self.files]


def _normal(stem: str) -> tuple[str, int]:
    """(the file's name without copy numbers, lower case; the copy number or 0)."""
    m = _COPY_NUMBER.match(stem)
    if m is None:
        return stem.lower(), 0
    return m["stem"].lower(), int(m["paren"] or m["dash"])


def _code_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES
                  and not any(part.startswith((".", "__")) for part in
                              p.relative_to(folder).parts))


def _student_of_folder(name: str) -> str:
    m = _MOODLE.match(name)
    return f"{m['name']}_{m['uid']}" if m else name


def find_students(folder: str | Path, assignment: Assignment) -> list[Student]:
    """One Student per student in ``folder``, sorted by id."""
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"no submissions folder at {root}")
    files: dict[str, list[tuple[Path, str]]] = {}  # student -> (file, name as uploaded)
    for entry in sorted(root.iterdir()):
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            sid = _student_of_folder(entry.name)
            files.setdefault(sid, []).extend((p, p.name) for p in _code_files(entry))
        elif entry.suffix in CODE_SUFFIXES:
            m = _CANVAS.match(entry.name)
            if m:
                files.setdefault(f"{m['name']}_{m['uid']}", []).append((entry, m["file"]))
            else:
                files.setdefault(entry.stem, []).append((entry, ""))
    students = []
    for sid, found in sorted(files.items()):
        students.append(_match(sid, found, assignment))
    return students


def _match(sid: str, found: list[tuple[Path, str]], assignment: Assignment) -> Student:
    student = Student(sid)
    wanted = {}
    for p in assignment.parts:
        wanted[p.exercise.module.lower()] = p.exercise.name
        wanted.setdefault(p.exercise.name.lower(), p.exercise.name)
    best: dict[str, tuple[int, float, Path]] = {}
    unmatched = []
    for path, uploaded in found:
        stem, number = _normal(Path(uploaded).stem) if uploaded else ("", 0)
        exercise = wanted.get(stem)
        if exercise is None:
            unmatched.append(path)
            continue
        key = (number, path.stat().st_mtime, path)
        if exercise not in best or key[:2] > best[exercise][:2]:
            best[exercise] = key
    student.files = {name: key[2] for name, key in best.items()}
    if len(assignment.parts) == 1 and not student.files and unmatched:
        # One exercise and one student's file(s) under another name: take the latest.
        latest = max(unmatched, key=lambda p: (_normal(p.stem)[1], p.stat().st_mtime))
        student.files[assignment.parts[0].exercise.name] = latest
        unmatched.remove(latest)
    student.extra = unmatched
    return student


def notebook_source(path: Path) -> str:
    """The code cells of a notebook as one script; IPython magics (``%``, ``%%`` cells)
    and shell lines (``!``) are dropped, since plain Python cannot run them."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path.name} is not a readable notebook ({exc})") from None
    chunks = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        if text.lstrip().startswith("%%"):
            continue
        lines = [ln for ln in text.splitlines() if not _MAGIC.match(ln)
                 and "get_ipython()" not in ln]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks) + "\n"


def prepare(student: Student, assignment: Assignment, into: Path) -> dict[str, str]:
    """Write the student's files as ``into/<module>.py``; return a note per exercise
    whose file could not be used (a broken notebook)."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    problems = {}
    for part in assignment.parts:
        source = student.files.get(part.exercise.name)
        if source is None:
            continue
        target = into / part.exercise.filename
        if source.suffix == ".ipynb":
            try:
                target.write_text(notebook_source(source), encoding="utf-8")
            except ValueError as exc:
                problems[part.exercise.name] = str(exc)
        else:
            shutil.copyfile(source, target)
    return problems


def content_hash(folder: Path) -> str:
    """A hash of the prepared files: the same content gives the same hash."""
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()
