"""The record API a lesson uses: ``claim``, ``show`` and ``out_dir``.

::

    from tinygrad_edu.course.lessons import claim, show, out_dir   # (report = claim)

    claim("W06", "MSE with the 1/2", seed_claim=0.24, computed=loss.item(),
          note="the seed's arithmetic is wrong: ...", note_zh="原文的算术有误：……")
    show("W09", "learned w", w.item())          # a value the seed makes no claim about
    figure(fig, "w09_loss.png")                 # saved as PNG; shown inline in a notebook

``claim`` prints one line and appends a row to the current run's table. When the seed's
claim is a number (or a list of numbers) and ``agrees`` is not given, agreement is decided
*to the precision the seed wrote*: a claim written ``0.24`` agrees with any value that
rounds to 0.24, i.e. |computed − 0.24| ≤ 0.005 (override with ``tol``). A list claim
becomes one row per component, so every ``seed_claim`` in the JSON stays a number.

Every note has an English and a Chinese text (``note`` / ``note_zh``): the course has
two editions (``tinygrad-edu lessons run --lang zh``), and :func:`lang` says which one
is being run (``$TINYGRAD_EDU_LANG``, default ``en``).

A lesson run on its own (``python lessons/04_activations.py``, or a notebook) records
into an interactive run (named by ``$TINYGRAD_EDU_LESSON_NAME`` when set, its rows also
appended as JSON lines to ``$TINYGRAD_EDU_LESSON_ROWS`` when set: that is how the
notebook builder collects the rows of an executed notebook); the runner
(:mod:`tinygrad_edu.course.lesson_runner`) wraps each lesson in :func:`recording` and
collects the rows. This module imports numpy only,
so a lesson pays nothing for the runner or the grader.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ALL_IDS = [f"W{i:02d}" for i in range(1, 29)]
_ID_RE = re.compile(r"^[WC]\d{2}$")  # W: the course text's worked examples; C: capstones
LANGS = ("en", "zh")

#: The reproduction table's words in each edition: column names and verdicts.
WORDS: dict[str, dict[str, str]] = {
    "en": {"id": "ID", "quantity": "quantity", "seed_claim": "seed's claim",
           "computed": "computed", "verdict": "verdict", "note": "note",
           "agrees": "agrees", "CORRECTED": "CORRECTED", "shown": "shown", "seed": "seed",
           "engine": "engine"},
    "zh": {"id": "编号", "quantity": "计算的量", "seed_claim": "原文的结论",
           "computed": "引擎的计算值", "verdict": "判定", "note": "说明",
           "agrees": "一致", "CORRECTED": "已更正", "shown": "仅展示", "seed": "原文",
           "engine": "引擎"},
}


def lang() -> str:
    """The edition being run: ``$TINYGRAD_EDU_LANG`` (``en`` or ``zh``; default ``en``)."""
    value = os.environ.get("TINYGRAD_EDU_LANG", "en").strip().lower()
    return value if value in LANGS else "en"


def locale_lang(environ: Any = None) -> str:
    """The language a command uses when ``--lang`` is not given: ``zh`` when the locale
    is Chinese (the first of ``$LC_ALL``, ``$LC_MESSAGES``, ``$LANG`` that is set, e.g.
    ``zh_CN.UTF-8``), else ``en``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = str(env.get(name, "")).strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def word(key: str, language: str | None = None) -> str:
    """A word of the reproduction table (column name or verdict) in ``language``."""
    return WORDS[language or lang()][key]


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
    note_zh: str = ""

    @property
    def verdict(self) -> str:
        if self.agrees is None:
            return "shown"
        return "agrees" if self.agrees else "CORRECTED"

    def verdict_in(self, language: str | None = None) -> str:
        """The verdict in the words of an edition (default: the one being run)."""
        return word(self.verdict, language)

    def note_in(self, language: str | None = None) -> str:
        """The note in an edition's language (default: the one being run)."""
        return self.note_zh if (language or lang()) == "zh" else self.note


class Rows(list[Row]):
    """The rows one ``claim`` recorded. A notebook displays nothing for it (the claim
    has printed its line already), so a cell ending in ``claim(...)`` shows no stray
    ``[Row(...)]``."""

    def _ipython_display_(self) -> None:
        return None


@dataclass
class _Run:
    """The state of the lesson being run: its name, its rows and its output folder."""

    lesson: str = "(interactive)"
    rows: list[Row] = field(default_factory=list)
    out: Path | None = None
    echo: bool = True


def _interactive_run() -> _Run:
    return _Run(lesson=os.environ.get("TINYGRAD_EDU_LESSON_NAME", "(interactive)"))


_run = _interactive_run()


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
          note: str = "", tol: float | None = None, note_zh: str = "") -> Rows:
    """Record the seed's claim beside the engine's value and print the line.

    ``seed_claim``: a number, a list of numbers (one row per component), a string
    (a claim that is not one number, e.g. "θ ← θ − 0.005"), or None (no claim).
    ``computed``: a number, a list/array/Tensor, or a string (e.g. an error message).
    ``agrees``: give it for string claims; for numeric claims it is computed from
    ``tol`` (default: the precision the seed's number was written with).
    ``note`` / ``note_zh``: the note in English and in Chinese (give both).
    """
    if not _ID_RE.match(id):
        raise ValueError(f"claim: ids look like 'W06' (worked example) or 'C01' (capstone), "
                         f"got {id!r}")
    seed = _plain(seed_claim)
    comp = _plain(computed)
    if isinstance(seed, list):
        if not isinstance(comp, list) or len(comp) != len(seed):
            raise ValueError(f"claim {id} {quantity!r}: a list claim needs a computed list of "
                             f"the same length, got {comp!r}")
        out = Rows()
        for i, (s, c) in enumerate(zip(seed, comp, strict=True)):
            out += claim(id, f"{quantity}[{i}]", s, c, agrees, note if i == 0 else "", tol,
                         note_zh if i == 0 else "")
        return out
    if agrees is None and _is_number(seed):
        agrees = _agree(seed, comp, tol)
    if agrees is not None:
        agrees = bool(agrees)
    row = Row(id, _run.lesson, quantity, seed, comp, agrees, note, note_zh)
    _run.rows.append(row)
    sink = os.environ.get("TINYGRAD_EDU_LESSON_ROWS")
    if sink and _run.lesson == os.environ.get("TINYGRAD_EDU_LESSON_NAME"):
        with open(sink, "a", encoding="utf-8") as f:
            f.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
    if _run.echo:
        print(_format_line(row))
    return Rows([row])


def show(id: str, quantity: str, computed: Any, note: str = "", note_zh: str = "") -> Rows:
    """Record a value the seed makes no numeric claim about (verdict "shown")."""
    return claim(id, quantity, None, computed, None, note, note_zh=note_zh)


def _in_notebook() -> bool:
    """True inside an IPython kernel (a notebook), where figures can be displayed."""
    import sys

    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def figure(fig: Any, name: str) -> None:
    """Save a matplotlib Figure as ``out_dir()/name`` (PNG) and, in a notebook, show it
    right under the cell that made it. Returns nothing, so a cell ending in
    ``figure(...)`` shows the figure and no stray value."""
    path = out_dir() / name
    fig.savefig(path, format="png", dpi=100)
    if _in_notebook():  # the PNG itself: a bare Figure needs pyplot's inline backend
        from IPython.display import Image, display

        display(Image(data=path.read_bytes(), format="png"))


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


def wrap_width(text: str, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` terminal columns: at spaces where
    it can, inside a word (or between Chinese characters, which have no spaces) where it
    must. Nothing is cut."""
    if width < 2:
        raise ValueError("wrap_width: width must be at least 2")
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0
        for word_ in re.split(r"(\s+)", para):
            if not word_:
                continue
            w = display_width(word_)
            if word_.isspace():
                if line and used + 1 <= width:
                    line, used = line + " ", used + 1
                continue
            if used + w > width and line.strip():
                lines.append(line.rstrip())
                line, used = "", 0
            for ch in word_:
                cw = display_width(ch)
                if used + cw > width:
                    lines.append(line.rstrip())
                    line, used = "", 0
                line, used = line + ch, used + cw
        lines.append(line.rstrip())
    return lines or [""]


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


def _format_line(row: Row, language: str | None = None) -> str:
    """The line ``claim`` prints, in an edition's words (default: the one being run)."""
    language = language or lang()
    sign = {"agrees": "✓", "CORRECTED": "✗", "shown": "·"}[row.verdict]
    note = row.note_in(language) or row.note
    return (f"[{row.id}] {row.quantity}: {word('seed', language)} {_fmt(row.seed_claim)} | "
            f"{word('engine', language)} {_fmt(row.computed)} → {sign} "
            f"{row.verdict_in(language)}"
            + (f"\n      {note}" if note and row.agrees is False else ""))


@contextlib.contextmanager
def recording(lesson: str, out: Path, echo: bool = True) -> Iterator[_Run]:
    """A fresh run state for one lesson (its name, its rows, its output folder), restored
    afterwards; the runner reads the rows from the state it yields."""
    global _run
    previous = _run
    _run = _Run(lesson=lesson, out=out, echo=echo)
    try:
        yield _run
    finally:
        _run = previous
