"""Run every lesson once per test session, through the CLI function, into a temporary
folder, and hand the JSON report to the tests."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.course import lesson_runner
from tinygrad_edu.course.lessons import locale_lang


@dataclass
class Report:
    exit_code: int
    rows: list[dict[str, Any]]
    stdout: str
    out: Path

    def rows_for(self, wid: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["id"] == wid]

    def find(self, wid: str, *parts: str) -> dict[str, Any]:
        """The one row of ``wid`` whose quantity contains every string in ``parts`` (or
        is exactly ``parts[0]``)."""
        hits = [r for r in self.rows_for(wid) if all(p in r["quantity"] for p in parts)]
        exact = [r for r in hits if r["quantity"] == parts[0]]
        if len(hits) > 1 and len(exact) == 1:  # "tanh(2)" also occurs in longer names
            hits = exact
        if len(hits) != 1:
            names = "\n  ".join(r["quantity"] for r in self.rows_for(wid))
            raise AssertionError(f"{wid} {parts}: {len(hits)} matching rows among:\n  {names}")
        return hits[0]

    def value(self, wid: str, *parts: str) -> Any:
        return self.find(wid, *parts)["computed"]


@pytest.fixture(scope="session", autouse=True)
def english_locale() -> Iterator[None]:
    """Without ``--lang`` the commands follow the locale (``LANG=zh_CN.UTF-8``: Chinese);
    these tests expect the English edition unless they ask for another, whatever the
    locale of the machine that runs them."""
    names = ("LC_ALL", "LC_MESSAGES", "LANG")
    saved = {n: os.environ.get(n) for n in names}
    if locale_lang() == "zh":
        for n in names:
            os.environ.pop(n, None)
        os.environ["LANG"] = "C.UTF-8"
    yield
    for n, v in saved.items():
        if v is None:
            os.environ.pop(n, None)
        else:
            os.environ[n] = v


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    out = tmp_path_factory.mktemp("lessons_out")
    json_path = out / "report.json"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = lesson_runner.main(["run", "--out", str(out), "--json", str(json_path)])
    rows = json.loads(json_path.read_text(encoding="utf-8"))
    return Report(code, rows, buf.getvalue(), out)
