"""Run the lessons and build the reproduction table: seed's claim, engine's value, verdict.

Two halves live here.

**The record API** that a lesson uses::

    from tinygrad_edu.lesson_runner import claim, show, out_dir   # (report = claim)

    claim("W06", "MSE with the 1/2", seed_claim=0.24, computed=loss.item(),
          note="the seed's arithmetic is wrong: ...")
    show("W09", "learned w", w.item())          # a value the seed makes no claim about
    fig.savefig(out_dir() / "w09_loss.png")

``claim`` prints one line and appends a row to the current run's table. When the seed's
claim is a number (or a list of numbers) and ``agrees`` is not given, agreement is decided
*to the precision the seed wrote*: a claim written ``0.24`` agrees with any value that
rounds to 0.24, i.e. |computed − 0.24| ≤ 0.005 (override with ``tol``). A list claim
becomes one row per component, so every ``seed_claim`` in the JSON stays a number.

**The runner** behind ``tinygrad-edu lessons`` / ``tinygrad-edu lessons run``: it finds
the lesson scripts, reads their ``IDS = [...]`` line without importing them, runs each
one as ``__main__`` (in this process, matplotlib on the Agg backend, numpy's legacy
global seed reset before each), collects the rows, prints the table and the counts and
optionally writes them as JSON.

Where the lessons are: ``$TINYGRAD_EDU_LESSONS`` if set, else ``<repo>/lessons`` next to
the package (an editable install or a checkout), else ``./lessons``.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import math
import os
import re
import runpy
import shutil
import sys
import textwrap
import time
import traceback
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ALL_IDS = [f"W{i:02d}" for i in range(1, 29)]
_ID_RE = re.compile(r"^W\d{2}$")


# ----------------------------------------------------------------------------- rows
@dataclass
class Row:
    """One line of the reproduction table (and one object of the JSON report)."""

    id: str
    lesson: str
    quantity: str
    seed_claim: float | int | str | None
    computed: float | int | list[Any] | str
    agrees: bool | None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.agrees is None:
            return "shown"
        return "agrees" if self.agrees else "CORRECTED"


@dataclass
class _Run:
    """The state of the lesson being run: its name, its rows and its output folder."""

    lesson: str = "(interactive)"
    rows: list[Row] = field(default_factory=list)
    out: Path | None = None
    echo: bool = True


_run = _Run()


def out_dir() -> Path:
    """The folder where a lesson saves its figures and files (created on first use).

    Under the runner it is the ``--out`` folder; a lesson run on its own uses
    ``$TINYGRAD_EDU_LESSON_OUT`` or ``./out/lessons``.
    """
    if _run.out is None:
        _run.out = Path(os.environ.get("TINYGRAD_EDU_LESSON_OUT", "out/lessons"))
    _run.out.mkdir(parents=True, exist_ok=True)
    return _run.out


def rows() -> list[Row]:
    """The rows recorded so far in this run."""
    return list(_run.rows)


# ---------------------------------------------------------------------- conversions
def _plain(value: Any) -> Any:
    """A JSON-ready value: Tensors and numpy values become Python numbers or lists."""
    if hasattr(value, "backend") and hasattr(value, "data") and hasattr(value, "shape"):
        value = np.asarray(value.backend.to_numpy(value.data))  # a Tensor
    if isinstance(value, np.ndarray):
        value = value.item() if value.ndim == 0 else value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # JSON has no nan/inf; say it in words
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"claim: cannot record a value of type {type(value).__name__}")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def stated_tolerance(x: float) -> float:
    """Half a unit in the last decimal the number was written with: 0.24 → 0.005,
    0.869 → 0.0005, 2 → 0.5. Floats keep their shortest repr, so this reads back the
    precision of the number as it was typed in the lesson (as the seed printed it)."""
    text = repr(float(x)) if not isinstance(x, int) else str(x)
    if "e" in text or "E" in text:
        mant, exp = re.split("[eE]", text)
        decimals = (len(mant.split(".")[1]) if "." in mant else 0) - int(exp)
    else:
        decimals = len(text.split(".")[1]) if "." in text and not text.endswith(".0") else 0
    return 0.5 * 10.0 ** (-decimals)


def _agree(seed: float, computed: Any, tol: float | None) -> bool:
    if not _is_number(computed):
        return False
    t = stated_tolerance(seed) if tol is None else tol
    return abs(float(computed) - float(seed)) <= t * (1 + 1e-9)


# ----------------------------------------------------------------------- record API
def claim(id: str, quantity: str, seed_claim: Any, computed: Any, agrees: bool | None = None,
          note: str = "", tol: float | None = None) -> list[Row]:
    """Record the seed's claim beside the engine's value and print the line.

    ``seed_claim``: a number, a list of numbers (one row per component), a string
    (a claim that is not one number, e.g. "θ ← θ − 0.005"), or None (no claim).
    ``computed``: a number, a list/array/Tensor, or a string (e.g. an error message).
    ``agrees``: give it for string claims; for numeric claims it is computed from
    ``tol`` (default: the precision the seed's number was written with).
    """
    if not _ID_RE.match(id):
        raise ValueError(f"claim: worked-example ids look like 'W06', got {id!r}")
    seed = _plain(seed_claim)
    comp = _plain(computed)
    if isinstance(seed, list):
        if not isinstance(comp, list) or len(comp) != len(seed):
            raise ValueError(f"claim {id} {quantity!r}: a list claim needs a computed list of "
                             f"the same length, got {comp!r}")
        out: list[Row] = []
        for i, (s, c) in enumerate(zip(seed, comp, strict=True)):
            out += claim(id, f"{quantity}[{i}]", s, c, agrees, note if i == 0 else "", tol)
        return out
    if agrees is None and _is_number(seed):
        agrees = _agree(seed, comp, tol)
    if agrees is not None:
        agrees = bool(agrees)
    row = Row(id, _run.lesson, quantity, seed, comp, agrees, note)
    _run.rows.append(row)
    if _run.echo:
        print(_format_line(row))
    return [row]


def show(id: str, quantity: str, computed: Any, note: str = "") -> list[Row]:
    """Record a value the seed makes no numeric claim about (verdict "shown")."""
    return claim(id, quantity, None, computed, None, note)


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: East Asian wide characters (the seed's
    Chinese) take two, combining marks none."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns (with … when cut)."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


report = claim  # the name the issue uses; ``claim`` reads better in a lesson


def _fmt(v: Any, width: int = 0) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        s = f"{v:.6g}"
    elif isinstance(v, list):
        flat = np.asarray(v, dtype=object).ravel().tolist() if v else []
        nums = all(_is_number(x) for x in flat)
        if nums and len(flat) <= 6:
            s = "[" + ", ".join(f"{x:.6g}" for x in flat) + "]"
        elif nums:
            s = "[" + ", ".join(f"{x:.4g}" for x in flat[:4]) + f", … ({len(flat)})]"
        else:
            s = str(v)
    else:
        s = str(v)
    return _clip(s, width) if width else s


def _format_line(row: Row) -> str:
    mark = {"agrees": "✓ agrees", "CORRECTED": "✗ CORRECTED", "shown": "· shown"}[row.verdict]
    return (f"[{row.id}] {row.quantity}: seed {_fmt(row.seed_claim)} | engine "
            f"{_fmt(row.computed)} → {mark}" + (f"\n      {row.note}" if row.note and
                                                  row.agrees is False else ""))


# --------------------------------------------------------------------- discovery
@dataclass
class Lesson:
    path: Path
    ids: list[str]
    title: str

    @property
    def name(self) -> str:
        return self.path.stem


def lessons_dir() -> Path:
    """``$TINYGRAD_EDU_LESSONS``, else ``<repo>/lessons`` beside the package, else
    ``./lessons``."""
    env = os.environ.get("TINYGRAD_EDU_LESSONS")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parent.parent / "lessons"
    if beside.is_dir():
        return beside
    return Path("lessons")


def read_lesson(path: Path) -> Lesson:
    """Read ``IDS = [...]`` and ``TITLE = "..."`` from a lesson without importing it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    ids: list[str] = []
    title = ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name == "IDS":
                ids = [str(i) for i in ast.literal_eval(node.value)]
            elif name == "TITLE":
                title = str(ast.literal_eval(node.value))
    if not title:  # fall back to the first markdown heading of the notebook
        m = re.search(r"^# #+\s*(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
        title = m.group(1).strip() if m else path.stem
    return Lesson(path, ids, title)


def discover(folder: Path | None = None) -> list[Lesson]:
    folder = lessons_dir() if folder is None else folder
    if not folder.is_dir():
        raise FileNotFoundError(f"lessons: no lessons folder at {folder} (set "
                                "TINYGRAD_EDU_LESSONS to the folder that holds them)")
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    return [read_lesson(p) for p in files]


def select(lessons: Sequence[Lesson], wanted: Sequence[str]) -> tuple[list[Lesson], set[str]]:
    """The lessons named by ``wanted`` (file stems, stems without the number prefix, the
    number, or W-IDs) and the W-IDs asked for (empty: all rows of those lessons)."""
    if not wanted:
        return list(lessons), set()
    picked: list[Lesson] = []
    ids: set[str] = set()
    for w in wanted:
        key = w.strip()
        if re.fullmatch(r"[wW]\d{1,2}", key):
            wid = f"W{int(key[1:]):02d}"
            hits = [les for les in lessons if wid in les.ids]
            if not hits:
                raise KeyError(f"lessons: no lesson covers {wid}")
            ids.add(wid)
        else:
            stem = key[:-3] if key.endswith(".py") else key
            hits = [les for les in lessons if les.name == stem
                    or les.name.split("_", 1)[-1] == stem
                    or (stem.isdigit() and les.name.split("_", 1)[0].isdigit()
                        and int(les.name.split("_", 1)[0]) == int(stem))]
            if not hits:
                names = ", ".join(les.name for les in lessons)
                raise KeyError(f"lessons: no lesson called {key!r} (there are: {names})")
        for h in hits:
            if h not in picked:
                picked.append(h)
    order = {les.name: i for i, les in enumerate(lessons)}
    picked.sort(key=lambda les: order[les.name])
    return picked, ids


# -------------------------------------------------------------------------- running
@dataclass
class LessonResult:
    lesson: Lesson
    rows: list[Row]
    seconds: float
    error: str | None = None
    output: str = ""


@contextlib.contextmanager
def _lesson_context(lesson: Lesson, out: Path, echo: bool) -> Iterator[_Run]:
    """Fresh run state, Agg matplotlib, the lesson's folder on sys.path, numpy's legacy
    global seed fixed, figures closed afterwards."""
    global _run
    prev_run, prev_argv, prev_path = _run, sys.argv[:], sys.path[:]
    _run = _Run(lesson=lesson.name, out=out, echo=echo)
    sys.argv = [str(lesson.path)]
    sys.path.insert(0, str(lesson.path.parent))
    np.random.seed(0)
    try:
        yield _run
    finally:
        with contextlib.suppress(Exception):
            import matplotlib.pyplot as plt

            plt.close("all")
        _run, sys.argv, sys.path[:] = prev_run, prev_argv, prev_path


def _use_agg() -> None:
    os.environ["MPLBACKEND"] = "Agg"
    with contextlib.suppress(ImportError):
        import matplotlib

        matplotlib.use("Agg", force=True)


class _Tee(io.TextIOBase):
    """Write to a buffer and, when verbose, to the real stdout too."""

    def __init__(self, echo_to: Any | None) -> None:
        self.buf = io.StringIO()
        self.echo_to = echo_to

    def write(self, s: str) -> int:
        self.buf.write(s)
        if self.echo_to is not None:
            self.echo_to.write(s)
        return len(s)

    def flush(self) -> None:
        if self.echo_to is not None:
            self.echo_to.flush()


def run_lesson(lesson: Lesson, out: Path, verbose: bool = False) -> LessonResult:
    """Run one lesson as ``__main__``; its printed output is kept (and saved as
    ``<out>/<lesson>.log``); an exception is caught and reported, not raised."""
    _use_agg()
    out.mkdir(parents=True, exist_ok=True)
    tee = _Tee(sys.stdout if verbose else None)
    t0 = time.perf_counter()
    error = None
    with _lesson_context(lesson, out, echo=True) as state:
        try:
            with contextlib.redirect_stdout(tee):
                runpy.run_path(str(lesson.path), run_name="__main__")
        except SystemExit as e:
            if e.code not in (None, 0):
                error = f"SystemExit({e.code})"
        except BaseException as e:  # noqa: BLE001 - a crashing lesson must not stop the run
            if isinstance(e, KeyboardInterrupt):
                raise
            error = "".join(traceback.format_exception(type(e), e, e.__traceback__))
        got = list(state.rows)
    seconds = time.perf_counter() - t0
    (out / f"{lesson.name}.log").write_text(tee.buf.getvalue(), encoding="utf-8")
    return LessonResult(lesson, got, seconds, error, tee.buf.getvalue())


@contextlib.contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit the BLAS library behind numpy to ``n`` threads (None: leave it alone).

    The lessons multiply many *small* matrices. A multi-threaded BLAS spends longer
    waking and synchronising its threads than computing such products, and on a busy
    machine (CI, or a laptop running other things) a matmul of a few hundred kFLOP can
    take milliseconds instead of microseconds. One thread makes the whole run several
    times faster there. Needs ``threadpoolctl`` (installed with scikit-learn); without it
    this does nothing.
    """
    if n is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def run_lessons(lessons: Sequence[Lesson], out: Path, ids: set[str] | None = None,
                verbose: bool = False, progress: Any = None,
                threads: int | None = 1) -> list[LessonResult]:
    with blas_threads(threads):
        return _run_lessons(lessons, out, ids, verbose, progress)


def _run_lessons(lessons: Sequence[Lesson], out: Path, ids: set[str] | None,
                 verbose: bool, progress: Any) -> list[LessonResult]:
    results = []
    for les in lessons:
        if progress is not None:
            print(f"running {les.name} ({', '.join(les.ids)}) …", end="", flush=True,
                  file=progress)
        res = run_lesson(les, out, verbose=verbose)
        if ids:
            res.rows = [r for r in res.rows if r.id in ids]
        if progress is not None:
            status = "CRASHED" if res.error else f"{len(res.rows)} rows"
            print(f" {res.seconds:.1f} s, {status}", file=progress, flush=True)
        results.append(res)
    return results


# ------------------------------------------------------------------------ the table
def counts(table: Sequence[Row]) -> dict[str, int]:
    return {
        "rows": len(table),
        "agreements": sum(r.agrees is True for r in table),
        "corrections": sum(r.agrees is False for r in table),
        "no_claim": sum(r.agrees is None for r in table),
    }


def sort_rows(table: Sequence[Row]) -> list[Row]:
    """Rows in W-ID order; within one ID, in the order the lessons recorded them."""
    return sorted(table, key=lambda r: r.id)


def format_table(table: Sequence[Row], notes: bool = True, width: int | None = None) -> str:
    """A fixed-width table: ID, quantity, seed's claim, computed, verdict (the notes of
    corrected rows underneath, wrapped). ``width``: total columns (default: the
    terminal's, or 150 when there is none); the quantity column takes what is left."""
    if width is None:
        width = shutil.get_terminal_size((150, 24)).columns
    claim_w, comp_w, verdict_w = 24, 32, 9
    quantity_w = max(30, min(72, width - (4 + claim_w + comp_w + verdict_w + 8)))
    widths = (4, quantity_w, claim_w, comp_w, verdict_w)
    headers = ("ID", "quantity", "seed's claim", "computed", "verdict")
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in table:
        cells = (r.id, _clip(r.quantity, quantity_w), _fmt(r.seed_claim, claim_w),
                 _fmt(r.computed, comp_w), r.verdict)
        lines.append("  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if notes and r.note and r.agrees is False:
            for ln in textwrap.wrap(r.note, max(40, sum(widths) - 6)):
                lines.append("      " + ln)
    return "\n".join(lines)


def to_json(table: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in table]


# ---------------------------------------------------------------------------- CLI
def cmd_list(args: argparse.Namespace) -> int:
    lessons = discover(_folder(args))
    print(f"{len(lessons)} lessons in {lessons_dir() if args.dir is None else args.dir}:")
    for les in lessons:
        print(f"  {les.name:<28} {', '.join(les.ids)}")
        print(f"  {'':<28} {les.title}")
    covered = {i for les in lessons for i in les.ids}
    missing = [i for i in ALL_IDS if i not in covered]
    if missing:
        print(f"not covered: {', '.join(missing)}")
    print("run them with: tinygrad-edu lessons run [LESSON|W-ID ...] [--out DIR] "
          "[--json FILE]")
    return 0


def _folder(args: argparse.Namespace) -> Path | None:
    return Path(args.dir) if getattr(args, "dir", None) else None


def cmd_run(args: argparse.Namespace) -> int:
    try:
        lessons, ids = select(discover(_folder(args)), args.lessons)
    except (KeyError, FileNotFoundError) as e:
        print(str(e).strip("'\""), file=sys.stderr)
        return 2
    out = Path(args.out)
    t0 = time.perf_counter()
    results = run_lessons(lessons, out, ids or None, verbose=args.verbose, progress=sys.stdout,
                          threads=args.threads or None)
    total = time.perf_counter() - t0
    table = sort_rows([r for res in results for r in res.rows])
    print()
    print(format_table(table))
    c = counts(table)
    crashed = [res for res in results if res.error]
    print()
    print(f"{c['rows']} rows from {len(results)} lessons in {total:.1f} s: "
          f"{c['agreements']} agreements, {c['corrections']} corrections, "
          f"{c['no_claim']} without a numeric claim (shown).")
    wanted = ids or {i for les in lessons for i in les.ids}
    missing = sorted(wanted - {r.id for r in table})
    if missing:
        print(f"no rows for: {', '.join(missing)}")
    print(f"figures and logs: {out}")
    for res in crashed:
        print(f"\nlesson {res.lesson.name} CRASHED:\n{res.error}", file=sys.stderr)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(to_json(table), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        print(f"JSON report: {path}")
    return 1 if crashed or missing else 0


def add_subcommands(sub: Any) -> None:
    """Add ``lessons`` (list) and ``lessons run`` to the ``tinygrad-edu`` parser."""
    p = sub.add_parser("lessons", help="list the lessons and the worked examples they cover; "
                       "'lessons run' runs them",
                       description="Lessons that recompute every worked example of the "
                       "course text with tinygrad_edu.")
    p.add_argument("--dir", default=None, help="the lessons folder (default: "
                   "$TINYGRAD_EDU_LESSONS or the repository's lessons/)")
    p.set_defaults(func=cmd_list)
    lsub = p.add_subparsers(dest="lessons_command")
    lp = lsub.add_parser("list", help="list the lessons and their worked-example IDs")
    lp.set_defaults(func=cmd_list)
    rp = lsub.add_parser("run", help="run lessons and print the reproduction table")
    rp.add_argument("lessons", nargs="*", metavar="LESSON|W-ID",
                    help="lessons (e.g. 01_losses, losses, 1) or worked examples (e.g. W06); "
                    "default: all")
    rp.add_argument("--out", default="out/lessons", help="folder for figures and logs "
                    "(default: out/lessons)")
    rp.add_argument("--json", default=None, metavar="FILE", help="also write the table as JSON")
    rp.add_argument("-v", "--verbose", action="store_true", help="show each lesson's output")
    rp.add_argument("--threads", type=int, default=1, metavar="N",
                    help="BLAS threads while the lessons run (default 1: the lessons' small "
                    "matrix products run fastest single-threaded; 0 leaves BLAS alone)")
    rp.set_defaults(func=cmd_run)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tinygrad_edu.lesson_runner [run ...]`` — the same as ``tinygrad-edu
    lessons [run ...]``, without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="tinygrad-edu")
    sub = parser.add_subparsers(dest="command")
    add_subcommands(sub)
    args = parser.parse_args(["lessons", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    # run the imported module, not this __main__ copy: lessons record into the state of
    # ``tinygrad_edu.lesson_runner``, which must be the module that collects the rows
    from tinygrad_edu import lesson_runner as _self

    sys.exit(_self.main())
