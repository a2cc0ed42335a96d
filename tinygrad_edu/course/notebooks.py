"""``tinygrad-edu lessons notebooks OUT/``: every lesson as an executed notebook.

Each lesson is one jupytext percent script holding both editions of its prose: a
markdown cell tagged ``lang="en"`` is followed by its Chinese counterpart tagged
``lang="zh"`` (an untagged markdown cell counts as English). :func:`edition` keeps the
code cells and the prose of one language, so the code and the numbers of the two
editions are the same cells.

The notebooks are executed with nbclient in **one** kernel, one lesson after the other
(as ``lessons run`` runs them in one process): before each lesson a silent set-up resets
the kernel's namespace, numpy's legacy global seed (0, as the runner does) and the record
state, so every lesson starts as it would under the runner. The kernel uses matplotlib's
inline backend, so :func:`tinygrad_edu.course.lessons.figure` displays each figure under
the cell that made it (and saves it as PNG, as in a ``lessons run``). The rows each lesson
records are collected from the kernel as JSON lines (``$TINYGRAD_EDU_LESSON_ROWS``).

Needs the ``lessons`` extra (jupytext, nbclient, ipykernel).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .lessons import LANGS, Row
from .paths import lessons_dir

HINT = "pip install 'tinygrad-edu[lessons]' (jupytext, nbclient, ipykernel)"


class NotebookError(Exception):
    """A missing dependency or an unreadable lesson (a usage error, exit 2)."""


def _need(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        raise NotebookError(f"lessons notebooks: needs {module}: {HINT}") from None


# ------------------------------------------------------------------------ editions
def cell_lang(cell: Any) -> str | None:
    """The language of a markdown cell (``en`` when untagged); None for code cells."""
    if cell.get("cell_type") != "markdown":
        return None
    value = str(cell.get("metadata", {}).get("lang", "en"))
    return value if value in LANGS else "en"


@dataclass
class Prose:
    """The prose cells of one lesson, paired: each English cell and its Chinese one."""

    pairs: list[tuple[Any, Any | None]] = field(default_factory=list)
    orphans_zh: list[Any] = field(default_factory=list)

    @property
    def missing_zh(self) -> int:
        return sum(zh is None for _, zh in self.pairs)


def prose(notebook: Any) -> Prose:
    """Pair the markdown cells: a ``zh`` cell belongs to the ``en`` cell right before it
    (code cells in between are not allowed: the pair is one passage)."""
    out = Prose()
    previous_en: Any | None = None
    for cell in notebook.cells:
        lang = cell_lang(cell)
        if lang == "en":
            out.pairs.append((cell, None))
            previous_en = cell
        elif lang == "zh":
            if previous_en is not None and out.pairs and out.pairs[-1][1] is None:
                out.pairs[-1] = (previous_en, cell)
            else:
                out.orphans_zh.append(cell)
            previous_en = None
        else:
            previous_en = None
    return out


_CJK = ("\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
        "\uf900-\ufaff\uff00-\uffef")
_CJK_BREAK = re.compile(f"(?<=[{_CJK}])\n[ \t]*(?=[{_CJK}])")


def join_cjk_lines(text: str) -> str:
    """Join the lines of a Chinese paragraph that were broken between two Chinese
    characters (the source keeps lines short): a browser would show such a line break as
    a space, which Chinese text does not have."""
    return _CJK_BREAK.sub("", text)


def edition(notebook: Any, lang: str) -> Any:
    """A copy of ``notebook`` with the code cells and the prose of ``lang``; a passage
    not yet translated keeps its English text (so the Chinese edition is never missing a
    step of the lesson)."""
    import copy

    nb = copy.deepcopy(notebook)
    translated = {id(en) for en, zh in prose(notebook).pairs if zh is not None}
    cells = []
    for original, cell in zip(notebook.cells, nb.cells, strict=True):
        lang_ = cell_lang(original)
        if lang_ is None:
            cells.append(cell)
        elif lang_ == lang:
            cell.metadata.pop("lang", None)
            if lang == "zh":
                cell.source = join_cjk_lines(cell.source)
            cells.append(cell)
        elif lang_ == "en" and id(original) not in translated:
            cell.metadata.pop("lang", None)
            cell.metadata["fallback"] = True  # the English text stands in
            cells.append(cell)
    nb.cells = cells
    nb.metadata["language"] = lang
    return nb


def read_notebook(path: Path) -> Any:
    """A lesson (``.py`` percent script or ``.ipynb``) as an nbformat notebook."""
    jupytext = _need("jupytext")
    notebook = jupytext.read(path)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                       "name": "python3"}
    notebook.metadata.pop("jupytext", None)
    return notebook


# ------------------------------------------------------------------------ execution
@dataclass
class Built:
    """One executed lesson notebook."""

    name: str
    title: str
    ids: list[str]
    path: Path
    notebook: Any
    rows: list[Row]
    seconds: float
    error: str | None = None


_SETUP = """\
get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys
import numpy as _np
_os.environ.update({env!r})
if {lesson_dir!r} not in _sys.path:
    _sys.path.insert(0, {lesson_dir!r})
_np.random.seed(0)
try:
    from tinygrad_edu.course import lessons as _lessons
    _lessons._run = _lessons._interactive_run()
except ImportError:
    pass
try:
    import matplotlib as _mpl
    _mpl.rcParams["figure.dpi"] = 100
except ImportError:
    pass
del _os, _sys, _np
"""


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


async def _execute_all(jobs: list[tuple[Any, dict[str, str], str]], workdir: Path,
                       timeout: int) -> list[tuple[float, str | None]]:
    nbclient = _need("nbclient")
    from nbclient.util import ensure_async

    results: list[tuple[float, str | None]] = []
    first = jobs[0][0]
    client = nbclient.NotebookClient(first, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(workdir)}})
    async with client.async_setup_kernel(cwd=str(workdir)):
        assert client.kc is not None
        msg_id = await ensure_async(client.kc.kernel_info())
        info = await client.async_wait_for_reply(msg_id)
        language_info = (info or {}).get("content", {}).get("language_info")
        for notebook, env, lesson_dir in jobs:
            t0 = time.perf_counter()
            client.nb = notebook
            client.reset_execution_trackers()
            if language_info:
                notebook.metadata["language_info"] = language_info
            error = None
            try:
                setup = _SETUP.format(env=env, lesson_dir=lesson_dir)
                reply = await client.async_wait_for_reply(
                    await ensure_async(client.kc.execute(setup, silent=True,
                                                         store_history=False)))
                if (reply or {}).get("content", {}).get("status") != "ok":
                    raise RuntimeError(f"kernel set-up failed: {reply}")
                for index, cell in enumerate(notebook.cells):
                    await client.async_execute_cell(
                        cell, index, execution_count=client.code_cells_executed + 1)
            except Exception as exc:  # noqa: BLE001 - a crashing lesson must not stop the rest
                error = _error_text(exc)
            results.append((time.perf_counter() - t0, error))
    return results


def execute(lessons: Sequence[Any], out: Path, lang: str = "en", timeout: int = 600,
            progress: Any = None) -> list[Built]:
    """Execute ``lessons`` (runner :class:`~tinygrad_edu.course.lesson_runner.Lesson`
    objects) as notebooks of edition ``lang`` in one kernel; figures are saved under
    ``out/figures`` and shown inline. Returns the executed notebooks with their rows."""
    _need("nbformat")
    _need("ipykernel")
    out = out.resolve()
    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    rows_dir = out / ".rows"
    rows_dir.mkdir(parents=True, exist_ok=True)
    jobs = []
    for les in lessons:
        rows_file = rows_dir / f"{les.name}.jsonl"
        rows_file.unlink(missing_ok=True)
        env = {"TINYGRAD_EDU_LESSON_OUT": str(figures), "TINYGRAD_EDU_LESSON_NAME": les.name,
               "TINYGRAD_EDU_LESSON_ROWS": str(rows_file), "TINYGRAD_EDU_LANG": lang}
        jobs.append((edition(read_notebook(les.path), lang), env, str(les.path.parent)))
    # the kernel inherits this environment: inline figures, one BLAS thread (the runner's
    # default: the lessons' small products run fastest so)
    kernel_env = {"MPLBACKEND": "module://matplotlib_inline.backend_inline",
                  "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if progress is not None:
        print(f"executing {len(jobs)} lessons ({lang}) in one kernel …", file=progress,
              flush=True)
    with _environ(kernel_env):
        timings = asyncio.run(_execute_all(jobs, out, timeout)) if jobs else []
    built = []
    for les, (notebook, env, _), (seconds, error) in zip(lessons, jobs, timings, strict=True):
        rows_file = Path(env["TINYGRAD_EDU_LESSON_ROWS"])
        rows = []
        if rows_file.is_file():
            for line in rows_file.read_text(encoding="utf-8").splitlines():
                rows.append(Row(**json.loads(line)))
        rows_file.unlink(missing_ok=True)
        built.append(Built(les.name, les.title, list(les.ids), out / f"{les.name}.ipynb",
                           notebook, rows, seconds, error))
        if progress is not None:
            status = f"FAILED: {error}" if error else f"{len(rows)} rows"
            print(f"  {les.name}: {seconds:.1f} s, {status}", file=progress, flush=True)
    with contextlib.suppress(OSError):
        rows_dir.rmdir()
    return built


def translate(built: Built, notebook: Any, lang: str, path: Path) -> Built:
    """The executed lesson ``built`` as edition ``lang`` without running it again.

    ``notebook`` is the lesson's edition ``lang`` (:func:`edition`): the same code cells in
    the same order, other prose. The code cells take the executed outputs, and the lines
    ``claim`` printed are rewritten in the edition's words (they are the only outputs
    that depend on the language: the rows say exactly what was printed)."""
    import copy

    from .lessons import _format_line

    source = [c for c in built.notebook.cells if c.cell_type == "code"]
    target = [c for c in notebook.cells if c.cell_type == "code"]
    if [c.source for c in source] != [c.source for c in target]:
        raise NotebookError(f"{built.name}: the editions' code cells differ")
    nb = copy.deepcopy(notebook)
    lines = [(_format_line(r, built.notebook.metadata.get("language", "en")),
              _format_line(r, lang)) for r in built.rows]
    k = 0
    for src, cell in zip(source, (c for c in nb.cells if c.cell_type == "code"), strict=True):
        cell.outputs = copy.deepcopy(src.get("outputs", []))
        cell.execution_count = src.get("execution_count")
        for out in cell.outputs:
            if out.get("output_type") != "stream":
                continue
            text, pos = out.text, 0
            while k < len(lines):
                at = text.find(lines[k][0], pos)
                if at < 0:
                    break
                text = text[:at] + lines[k][1] + text[at + len(lines[k][0]):]
                pos = at + len(lines[k][1])
                k += 1
            out.text = text
    if k != len(lines):
        raise NotebookError(f"{built.name}: {len(lines) - k} printed rows not found to "
                            "translate")
    nb.metadata["language"] = lang
    if "language_info" in built.notebook.metadata:
        nb.metadata["language_info"] = built.notebook.metadata["language_info"]
    return Built(built.name, built.title, built.ids, path, nb, built.rows, built.seconds,
                 built.error)


def write(built: Sequence[Built]) -> None:
    nbformat = _need("nbformat")
    for b in built:
        b.path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(b.notebook, str(b.path))


def stray_outputs(notebook: Any) -> list[str]:
    """``execute_result`` outputs (an expression's value shown by the notebook) that are
    not rich output: a lesson should display nothing but prints and figures."""
    found = []
    for cell in notebook.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "execute_result" and "image/png" not in o.get("data", {}):
                found.append(str(o.get("data", {}).get("text/plain", ""))[:80])
    return found


# ----------------------------------------------------------------------------- CLI
def _lessons(args: argparse.Namespace) -> list[Any]:
    from . import lesson_runner

    folder = Path(args.dir) if getattr(args, "dir", None) else lessons_dir()
    known = lesson_runner.discover(folder)
    picked, _ = lesson_runner.select(known, args.lessons)
    return picked


def cmd_notebooks(args: argparse.Namespace) -> int:
    from .lesson_runner import LessonError
    from .lessons import locale_lang

    out = Path(args.out)
    args.lang = args.lang or locale_lang()
    try:
        lessons = _lessons(args)
        t0 = time.perf_counter()
        built = execute(lessons, out, lang=args.lang, progress=sys.stdout)
    except (LessonError, NotebookError) as e:
        print(str(e), file=sys.stderr)
        return 2
    write(built)
    failed = [b for b in built if b.error]
    figures = sum(1 for b in built for c in b.notebook.cells for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {}))
    print(f"wrote {len(built)} executed notebooks ({args.lang}, {figures} inline figures) to "
          f"{out}/ in {time.perf_counter() - t0:.1f} s; figures also as PNG in {out}/figures")
    for b in failed:
        print(f"lesson {b.name} FAILED: {b.error}", file=sys.stderr)
    return 1 if failed else 0


def add_subcommand(lsub: Any) -> None:
    np_ = lsub.add_parser("notebooks", help="write every lesson as an executed .ipynb with "
                          "its figures inline (needs the lessons extra)")
    np_.add_argument("out", metavar="OUT", help="folder for the notebooks (figures as PNG "
                     "in OUT/figures)")
    np_.add_argument("lessons", nargs="*", metavar="LESSON|ID",
                     help="only these lessons (default: all)")
    np_.add_argument("--lang", choices=LANGS, default=None,
                     help="the edition (default: zh when the locale is Chinese, else en)")
    np_.set_defaults(func=cmd_notebooks)
