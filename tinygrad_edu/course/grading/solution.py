"""One reference source per exercise; the student's starter is generated from it.

An exercise file is ordinary Python with two kinds of marked blocks::

    def sigmoid(x):
        \"\"\"σ(x) = 1 / (1 + e^{-x})\"\"\"
        # BEGIN SOLUTION
        return 0.5 * (np.tanh(0.5 * x) + 1.0)
        # END SOLUTION

    # BEGIN GRADER
    EXERCISE = Exercise(...)      # checks, points, hidden inputs
    # END GRADER

- a ``SOLUTION`` block must sit inside a function body; in the starter it becomes
  ``raise NotImplementedError("<exercise>: <function> is not implemented yet")``;
- a ``GRADER`` block (the checks, with their hidden inputs) is dropped from the starter
  and from the solution file, so neither a student nor a submission ever sees it.

Markers are whole comment lines (indentation allowed, case-sensitive) so that a stray
"solution" in a docstring never triggers them. Unbalanced or nested markers are an
error naming the line, because a silently half-stripped starter would leak an answer.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

_MARKER = re.compile(r"^(?P<indent>[ \t]*)#\s*(?P<kind>BEGIN|END)\s+(?P<what>SOLUTION|GRADER)\s*$")


class MarkerError(ValueError):
    """A marked block is malformed (unbalanced, nested, or a solution outside a def)."""


@dataclass(frozen=True)
class Block:
    """One marked block: ``lines[start]`` is the BEGIN marker, ``lines[end]`` the END."""

    kind: str  # "SOLUTION" or "GRADER"
    start: int
    end: int
    indent: str
    function: str | None  # the enclosing function of a SOLUTION block


def find_blocks(source: str) -> list[Block]:
    """Parse the markers of ``source``; raise :class:`MarkerError` if they are malformed."""
    lines = source.splitlines()
    spans = _function_spans(source)
    blocks: list[Block] = []
    open_kind: str | None = None
    open_line = 0
    open_indent = ""
    for i, line in enumerate(lines):
        m = _MARKER.match(line)
        if m is None:
            continue
        kind, what = m["kind"], m["what"]
        if kind == "BEGIN":
            if open_kind is not None:
                raise MarkerError(
                    f"line {i + 1}: '# BEGIN {what}' inside the {open_kind} block "
                    f"opened on line {open_line + 1} (blocks do not nest)"
                )
            open_kind, open_line, open_indent = what, i, m["indent"]
            continue
        if open_kind != what:
            opened = f"the {open_kind} block opened on line {open_line + 1}" if open_kind else (
                "no open block"
            )
            raise MarkerError(f"line {i + 1}: '# END {what}' does not close {opened}")
        function = _enclosing_function(spans, open_line) if what == "SOLUTION" else None
        if what == "SOLUTION" and function is None:
            # A raise at module or class level would make the starter fail to import.
            raise MarkerError(
                f"line {open_line + 1}: a SOLUTION block must be inside a function body"
            )
        blocks.append(Block(what, open_line, i, open_indent, function))
        open_kind = None
    if open_kind is not None:
        raise MarkerError(f"line {open_line + 1}: '# BEGIN {open_kind}' is never closed")
    return blocks


def _function_spans(source: str) -> list[tuple[int, int, str]]:
    """(first body line, last line, name) of every function, 0-based, innermost last."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise MarkerError(f"line {exc.lineno}: the reference does not parse: {exc.msg}") from exc
    spans = [
        (node.body[0].lineno - 1, (node.end_lineno or node.lineno) - 1, node.name)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    return sorted(spans)


def _enclosing_function(spans: list[tuple[int, int, str]], start: int) -> str | None:
    """The innermost function whose body contains the code between the two markers."""
    name = None
    for first, last, fname in spans:
        # The END marker is a comment after the last statement, so it may lie past `last`.
        if first <= start + 1 and start < last:
            name = fname
    return name


def _rewrite(source: str, solution: Callable[[list[str], Block], list[str]]) -> str:
    """Copy ``source``, replacing each SOLUTION block by ``solution(lines, block)`` and
    dropping every other marked block (the grader's)."""
    lines = source.splitlines()
    out: list[str] = []
    blocks = {b.start: b for b in find_blocks(source)}
    i = 0
    while i < len(lines):
        block = blocks.get(i)
        if block is None:
            out.append(lines[i])
            i += 1
            continue
        if block.kind == "SOLUTION":
            out.extend(solution(lines, block))
        i = block.end + 1
    return _tidy("\n".join(out))


def make_starter(source: str, exercise: str) -> str:
    """The student's file: solution blocks become stubs, the grader block disappears."""

    def stub(lines: list[str], block: Block) -> list[str]:
        message = f"{exercise}: {block.function} is not implemented yet"
        return [f"{block.indent}# Your code here.",
                f"{block.indent}raise NotImplementedError({message!r})"]

    return _rewrite(source, stub)


def make_solution(source: str) -> str:
    """The reference as a submission: solution code kept, markers and grader removed."""
    return _rewrite(source, lambda lines, block: lines[block.start + 1 : block.end])


def solution_lines(source: str) -> list[str]:
    """The stripped text of every line inside a SOLUTION or GRADER block (for leak tests)."""
    lines = source.splitlines()
    found: list[str] = []
    for block in find_blocks(source):
        found.extend(line.strip() for line in lines[block.start + 1 : block.end])
    return [line for line in found if line and not line.startswith("#")]


def _tidy(text: str) -> str:
    # Removing the grader block leaves a run of blank lines at the end; ruff wants one "\n".
    return text.rstrip() + "\n"
