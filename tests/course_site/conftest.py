"""Build the course site once per test session (both editions, every lesson) and run the
lessons once through the runner for the JSON report the site's tables are checked
against."""

from __future__ import annotations

import contextlib
import io
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tinygrad_edu.course import lesson_runner


@dataclass
class BuiltSite:
    out: Path
    seconds: float
    report: list[dict[str, Any]]      # `lessons run --json`, the script run's rows


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    pytest.importorskip("nbclient", reason="the site needs the lessons extra (nbclient)")
    pytest.importorskip("ipykernel", reason="the site needs the lessons extra (ipykernel)")
    pytest.importorskip("markdown_it", reason="the site needs the lessons extra")
    from tinygrad_edu.course import site

    base = tmp_path_factory.mktemp("course_site")
    out = base / "site"
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        site.build_site(out)
    seconds = time.perf_counter() - t0
    json_path = base / "report.json"
    with contextlib.redirect_stdout(io.StringIO()):
        code = lesson_runner.main(["run", "--out", str(base / "run"), "--json", str(json_path)])
    assert code == 0
    return BuiltSite(out, seconds, json.loads(json_path.read_text(encoding="utf-8")))
