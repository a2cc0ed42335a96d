"""Shared by the grading tests: a validator for Gradescope results files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TEST_KEYS = {"name", "number", "score", "max_score", "status", "visibility", "output",
             "output_format"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def load_results(path: str | Path) -> dict[str, Any]:
    """Read a results.json and assert it is one Gradescope accepts; return it."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    validate_results(data)
    return data


def validate_results(data: dict[str, Any]) -> None:
    assert isinstance(data, dict)
    for key in ("score", "max_score", "execution_time", "tests", "output"):
        assert key in data, f"results.json lacks {key!r}"
    assert isinstance(data["score"], (int, float)) and isinstance(data["max_score"], (int, float))
    assert 0 <= data["score"] <= data["max_score"]
    assert isinstance(data["tests"], list)
    total = 0.0
    for i, test in enumerate(data["tests"], start=1):
        assert TEST_KEYS <= set(test), f"test {i} lacks {TEST_KEYS - set(test)}"
        assert test["number"] == str(i)
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in VISIBILITIES
        assert test["output_format"] == "text"
        assert 0 <= test["score"] <= test["max_score"]
        assert (test["status"] == "passed") == (test["score"] == test["max_score"])
        total += test["score"]
    if data["tests"]:
        assert abs(total - data["score"]) < 1e-9
        assert abs(sum(t["max_score"] for t in data["tests"]) - data["max_score"]) < 1e-9


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "execution_time"}
