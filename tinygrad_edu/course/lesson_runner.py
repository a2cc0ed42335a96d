"""The runner behind ``tinygrad-edu lessons``: find the lessons, run them, print the table.

It finds the lesson scripts (see :mod:`tinygrad_edu.course.paths`, or paths given on the
command line: a student's edited copy), reads their ``IDS = [...]`` line without
importing them, runs each one as ``__main__`` (in this process, matplotlib on the Agg
backend, numpy's legacy global seed reset before each), collects the rows the lesson
recorded through :mod:`tinygrad_edu.course.lessons`, prints the table and the counts and
optionally writes them as JSON.

``tinygrad-edu lessons init DIR`` copies the lesson scripts (and, with ``--notebooks``,
the same lessons as ``.ipynb`` files, made by jupytext) into a folder for a student to
edit; ``tinygrad-edu lessons run DIR_OR_FILE`` runs such a copy.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import re
import runpy
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import lessons as record
from .lessons import (
    ALL_IDS,
    LANGS,
    Row,
    _clip,
    _fmt,
    _pad,
    display_width,
    locale_lang,
    word,
    wrap_width,
)
from .paths import lessons_dir

__all__ = [
    "ALL_IDS",
    "Lesson",
    "LessonResult",
    "blas_threads",
    "counts",
    "discover",
    "format_table",
    "lessons_dir",
    "main",
    "read_lesson",
    "run_lesson",
    "run_lessons",
    "select",
    "to_json",
]

NOTEBOOK_HINT = "pip install 'tinygrad-edu[lessons]' (it brings jupytext)"


class LessonError(Exception):
    """A lesson folder or file that cannot be found or read (a usage error, exit 2)."""


# --------------------------------------------------------------------- discovery
@dataclass
class Lesson:
    path: Path
    ids: list[str]
    title: str

    @property
    def name(self) -> str:
        return self.path.stem


def _jupytext() -> Any:
    try:
        import jupytext  # type: ignore[import-untyped]
    except ImportError:
        raise LessonError(f"notebooks need jupytext: {NOTEBOOK_HINT}") from None
    return jupytext


def script_text(path: Path) -> str:
    """The lesson's Python source: the file itself, or a notebook's code as a jupytext
    percent script (markdown cells become comments)."""
    if path.suffix == ".ipynb":
        jupytext = _jupytext()
        notebook = jupytext.read(path)
        return str(jupytext.writes(notebook, fmt="py:percent"))
    return path.read_text(encoding="utf-8")


def read_lesson(path: Path) -> Lesson:
    """Read ``IDS = [...]`` and ``TITLE = "..."`` from a lesson without importing it."""
    text = script_text(path)
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise LessonError(f"lessons: {path} does not parse (line {exc.lineno}): {exc.msg}") \
            from None
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
        m = re.search(r"^# #+\s*(.+)$", text, re.MULTILINE)
        title = m.group(1).strip() if m else path.stem
    return Lesson(path, ids, title)


def discover(folder: Path | None = None) -> list[Lesson]:
    """The lessons in ``folder`` (default: :func:`lessons_dir`): every ``*.py`` not
    starting with ``_``, or, in a folder of notebooks only, every ``*.ipynb``."""
    folder = lessons_dir() if folder is None else folder
    if not folder.is_dir():
        raise LessonError(f"lessons: no lessons folder at {folder} (set "
                          "TINYGRAD_EDU_LESSONS to the folder that holds them, or pass it)")
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if not files:
        files = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))
    return [read_lesson(p) for p in files]


# a row ID on the command line: W06 or w6 (a worked example), C01 or c1 (a capstone)
_ID_KEY = re.compile(r"[wWcC]\d{1,2}")


def _is_path(key: str) -> bool:
    return key.endswith((".py", ".ipynb")) or os.sep in key or Path(key).is_dir()


def select(lessons: Sequence[Lesson], wanted: Sequence[str]) -> tuple[list[Lesson], set[str]]:
    """The lessons named by ``wanted`` (file stems, stems without the number prefix, the
    number, W-IDs or C-IDs, or paths of lesson files or folders) and the IDs asked for
    (empty: all rows of those lessons)."""
    if not wanted:
        return list(lessons), set()
    picked: list[Lesson] = []
    ids: set[str] = set()
    for w in wanted:
        key = w.strip()
        if _ID_KEY.fullmatch(key):
            wid = f"{key[0].upper()}{int(key[1:]):02d}"
            hits = [les for les in lessons if wid in les.ids]
            if not hits:
                raise LessonError(f"lessons: no lesson covers {wid}")
            ids.add(wid)
        elif _is_path(key) and Path(key).exists():
            path = Path(key)
            hits = discover(path) if path.is_dir() else [read_lesson(path)]
        elif os.sep in key or key.endswith(".ipynb"):
            raise LessonError(f"lessons: no lesson file or folder at {key}")
        else:
            stem = key[:-3] if key.endswith(".py") else key
            hits = [les for les in lessons if les.name == stem
                    or les.name.split("_", 1)[-1] == stem
                    or (stem.isdigit() and les.name.split("_", 1)[0].isdigit()
                        and int(les.name.split("_", 1)[0]) == int(stem))]
            if not hits:
                names = ", ".join(les.name for les in lessons)
                raise LessonError(f"lessons: no lesson called {key!r} (there are: {names})")
        for h in hits:
            if all(h.path != p.path for p in picked):
                picked.append(h)
    order = {les.path: i for i, les in enumerate(lessons)}
    picked.sort(key=lambda les: order.get(les.path, len(order)))  # stable for paths
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
def _lesson_context(lesson: Lesson, out: Path, echo: bool) -> Iterator[record._Run]:
    """Fresh run state, Agg matplotlib, the lesson's folder on sys.path, numpy's legacy
    global seed fixed, figures closed afterwards."""
    prev_argv, prev_path = sys.argv[:], sys.path[:]
    sys.argv = [str(lesson.path)]
    sys.path.insert(0, str(lesson.path.parent))
    np.random.seed(0)
    try:
        with record.recording(lesson.name, out, echo) as state:
            yield state
    finally:
        with contextlib.suppress(Exception):
            import matplotlib.pyplot as plt

            plt.close("all")
        sys.argv, sys.path[:] = prev_argv, prev_path


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


@contextlib.contextmanager
def _runnable(path: Path) -> Iterator[Path]:
    """A ``.py`` file to run for ``path``: itself, or a notebook's code as a script."""
    if path.suffix != ".ipynb":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="tinygrad-edu-notebook-") as tmp:
        script = Path(tmp) / f"{path.stem}.py"
        # Magics and shell lines are commented out by jupytext's percent format.
        script.write_text(script_text(path), encoding="utf-8")
        yield script


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
            with contextlib.redirect_stdout(tee), _runnable(lesson.path) as script:
                runpy.run_path(str(script), run_name="__main__")
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
def language(lang: str | None) -> Iterator[None]:
    """Run the lessons in an edition: ``$TINYGRAD_EDU_LANG`` set to ``lang`` meanwhile
    (None: leave it as it is)."""
    if lang is None:
        yield
        return
    if lang not in LANGS:
        raise LessonError(f"lessons: no edition {lang!r} (there are: {', '.join(LANGS)})")
    previous = os.environ.get("TINYGRAD_EDU_LANG")
    os.environ["TINYGRAD_EDU_LANG"] = lang
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TINYGRAD_EDU_LANG", None)
        else:
            os.environ["TINYGRAD_EDU_LANG"] = previous


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
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
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
    """Rows in ID order, the course text's worked examples (W01…W28) first, then the
    capstones (C01, …); within one ID, in the order the lessons recorded them."""
    return sorted(table, key=lambda r: (not r.id.startswith("W"), r.id))


def format_table(table: Sequence[Row], notes: bool = True, width: int | None = None,
                 compact: bool = False, language: str | None = None) -> str:
    """A fixed-width table: ID, quantity, seed's claim, computed, verdict (the notes of
    corrected rows underneath, wrapped). ``width``: total columns (default: the
    terminal's, or 150 when there is none). Long cells wrap onto more lines, so every
    claim and every error message is shown whole; ``compact`` keeps one line per row and
    cuts long cells with … (for narrow terminals). ``language``: the edition's words
    (column names, verdicts, notes); default the one being run."""
    if width is None:
        width = shutil.get_terminal_size((150, 24)).columns
    language = language or record.lang()
    headers = tuple(word(k, language) for k in ("id", "quantity", "seed_claim", "computed",
                                                 "verdict"))
    verdict_w = max(9, *(display_width(word(k, language)) for k in ("agrees", "CORRECTED")))
    if compact:
        claim_w, comp_w = 24, 32
        quantity_w = max(30, min(72, width - (4 + claim_w + comp_w + verdict_w + 8)))
    else:  # share what the terminal has: quantity 40 %, claim 25 %, computed 35 %
        free = max(60, width - (4 + verdict_w + 8))
        quantity_w, claim_w = max(20, free * 40 // 100), max(12, free * 25 // 100)
        comp_w = max(14, free - quantity_w - claim_w)
    widths = (4, quantity_w, claim_w, comp_w, verdict_w)
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in table:
        texts = (r.id, r.quantity, _fmt(r.seed_claim), _fmt(r.computed), r.verdict_in(language))
        if compact:
            cells = [[_clip(t, w)] for t, w in zip(texts, widths, strict=True)]
        else:
            cells = [wrap_width(t, w) for t, w in zip(texts, widths, strict=True)]
        for i in range(max(len(c) for c in cells)):
            parts = [c[i] if i < len(c) else "" for c in cells]
            lines.append("  ".join(_pad(c, w) for c, w in zip(parts, widths, strict=True))
                         .rstrip())
        note = r.note_in(language) or r.note
        if notes and note and r.agrees is False:
            for ln in wrap_width(note, max(40, sum(widths) - 6)):
                lines.append("      " + ln)
    return "\n".join(lines)


def to_json(table: Sequence[Row]) -> list[dict[str, Any]]:
    return [asdict(r) for r in table]


# ---------------------------------------------------------------------------- CLI
def _folder(args: argparse.Namespace) -> Path | None:
    return Path(args.dir) if getattr(args, "dir", None) else None


def cmd_list(args: argparse.Namespace) -> int:
    folder = _folder(args) or lessons_dir()
    try:
        lessons = discover(folder)
    except LessonError as e:
        print(str(e), file=sys.stderr)
        return 2
    print(f"{len(lessons)} lessons in {folder}:")
    for les in lessons:
        print(f"  {les.name:<28} {', '.join(les.ids)}")
        print(f"  {'':<28} {les.title}")
    covered = {i for les in lessons for i in les.ids}
    missing = [i for i in ALL_IDS if i not in covered]
    if missing:
        print(f"not covered: {', '.join(missing)}")
    print("run them with: tinygrad-edu lessons run [LESSON|ID|PATH ...] [--out DIR] "
          "[--json FILE]; copy them to edit with: tinygrad-edu lessons init DIR")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    try:
        only_paths = bool(args.lessons) and all(
            _is_path(w) and not _ID_KEY.fullmatch(w) for w in args.lessons)
        known = [] if only_paths else discover(_folder(args))
        lessons, ids = select(known, args.lessons)
    except LessonError as e:
        print(str(e), file=sys.stderr)
        return 2
    out = Path(args.out)
    args.lang = args.lang or locale_lang()
    t0 = time.perf_counter()
    with language(args.lang):
        results = run_lessons(lessons, out, ids or None, verbose=args.verbose,
                              progress=sys.stdout, threads=args.threads or None)
    total = time.perf_counter() - t0
    table = sort_rows([r for res in results for r in res.rows])
    print()
    print(format_table(table, compact=args.compact, language=args.lang))
    c = counts(table)
    crashed = [res for res in results if res.error]
    print()
    if args.lang == "zh":
        print(f"{len(results)} 课共 {c['rows']} 行，用时 {total:.1f} 秒：{c['agreements']} 处与原文"
              f"一致，{c['corrections']} 处更正，{c['no_claim']} 行原文没有数值结论（仅展示）。")
    else:
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


def cmd_init(args: argparse.Namespace) -> int:
    """Copy the lessons (scripts, README, ERRATA; notebooks with ``--notebooks``)."""
    source = _folder(args) or lessons_dir()
    target = Path(args.target)
    args.lang = args.lang or locale_lang()
    try:
        lessons = discover(source)
        if not lessons:
            raise LessonError(f"lessons: no lessons in {source}")
        jupytext = _jupytext() if args.notebooks else None
    except LessonError as e:
        print(str(e), file=sys.stderr)
        return 2
    files: dict[Path, str] = {}
    for les in lessons:
        text = les.path.read_text(encoding="utf-8")
        files[target / les.path.name] = text
        if jupytext is not None:  # a notebook holds the prose of one edition
            from .notebooks import edition

            notebook = edition(jupytext.reads(text, fmt="py:percent"), args.lang)
            files[target / f"{les.name}.ipynb"] = jupytext.writes(notebook, fmt="ipynb")
    for extra in ("README.md", "ERRATA.md", "ERRATA.zh.md"):
        if (source / extra).is_file():
            files[target / extra] = (source / extra).read_text(encoding="utf-8")
    kept = [p for p in files if p.exists()] if not args.force else []
    target.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        if path not in kept:
            path.write_text(text, encoding="utf-8")
    if kept:
        print(f"Kept {len(kept)} existing file(s), e.g. {kept[0]} (use --force to replace "
              "them).", file=sys.stderr)
    kinds = "scripts and notebooks" if args.notebooks else "scripts"
    print(f"Wrote {len(lessons)} lessons ({kinds}) to {target}/. Edit them, then run "
          f"your copy with: tinygrad-edu lessons run {target}")
    if args.notebooks:
        print(f"Open a notebook with: jupyter notebook {target}/{lessons[0].name}.ipynb "
              "(run it with `lessons run` on the notebook or on the folder's scripts)")
    return 0


def add_subcommands(sub: Any) -> None:
    """Add ``lessons`` (list), ``lessons run`` and ``lessons init`` to the parser."""
    p = sub.add_parser("lessons", help="list the lessons and the worked examples they cover; "
                       "'lessons run' runs them, 'lessons init DIR' copies them to edit",
                       description="Lessons that recompute every worked example of the "
                       "course text with tinygrad_edu.")
    p.add_argument("--dir", default=None, help="the lessons folder (default: "
                   "$TINYGRAD_EDU_LESSONS, the installed lessons, or the checkout's lessons/)")
    p.set_defaults(func=cmd_list)
    lsub = p.add_subparsers(dest="lessons_command")
    lp = lsub.add_parser("list", help="list the lessons and their worked-example IDs")
    lp.set_defaults(func=cmd_list)
    rp = lsub.add_parser("run", help="run lessons and print the reproduction table")
    rp.add_argument("lessons", nargs="*", metavar="LESSON|ID|PATH",
                    help="lessons (e.g. 01_losses, losses, 1), worked examples (e.g. W06), "
                    "capstones (e.g. C01), "
                    "or paths of lesson files or folders (your edited copy, .py or .ipynb); "
                    "default: all")
    rp.add_argument("--out", default="out/lessons", help="folder for figures and logs "
                    "(default: out/lessons)")
    rp.add_argument("--json", default=None, metavar="FILE", help="also write the table as JSON")
    rp.add_argument("-v", "--verbose", action="store_true", help="show each lesson's output")
    rp.add_argument("--threads", type=int, default=1, metavar="N",
                    help="BLAS threads while the lessons run (default 1: the lessons' small "
                    "matrix products run fastest single-threaded; 0 leaves BLAS alone)")
    rp.add_argument("--lang", choices=LANGS, default=None,
                    help="the edition: en or zh (Chinese verdicts, notes and column names; "
                    "code, quantities and error messages stay English); default: zh when the "
                    "locale is Chinese (LANG=zh_CN.UTF-8), else en")
    rp.add_argument("--compact", action="store_true",
                    help="one line per row, long cells cut with … (for narrow terminals); "
                    "by default long claims and messages wrap and are shown whole")
    rp.set_defaults(func=cmd_run)
    from . import notebooks, site

    notebooks.add_subcommand(lsub)
    site.add_subcommand(lsub)
    ip = lsub.add_parser("init", help="copy the lessons into DIR for you to edit")
    ip.add_argument("target", metavar="DIR")
    ip.add_argument("--notebooks", action="store_true",
                    help="also write each lesson as a .ipynb notebook (needs jupytext)")
    ip.add_argument("--force", action="store_true", help="overwrite files already in DIR")
    ip.add_argument("--lang", choices=LANGS, default=None,
                    help="the language of the notebooks' prose (the scripts hold both); "
                    "default: from the locale, as for run")
    ip.set_defaults(func=cmd_init)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tinygrad_edu.course.lesson_runner [run ...]`` — the same as
    ``tinygrad-edu lessons [run ...]``, without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="tinygrad-edu")
    sub = parser.add_subparsers(dest="command")
    add_subcommands(sub)
    args = parser.parse_args(["lessons", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
