"""The grading building blocks on their own: solution markers, the wire codec, value
comparison, the results format and exercise validation."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from grading_cases.helpers import validate_results

from tinygrad_edu.course.grading import (
    Example,
    Exercise,
    ExerciseError,
    MarkerError,
    codec,
    load_exercise,
)
from tinygrad_edu.course.grading.compare import difference, fmt, scrub
from tinygrad_edu.course.grading.grader import CheckResult, GradeResult, static_problem
from tinygrad_edu.course.grading.report import format_table, to_gradescope, write_json
from tinygrad_edu.course.grading.solution import make_solution, make_starter, solution_lines

SOURCE = '''"""Doc."""

import numpy as np


def double(x):
    """Twice x."""
    # BEGIN SOLUTION
    y = 2 * x
    return y
    # END SOLUTION


class Op:
    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION
        return -x
        # END SOLUTION


# BEGIN GRADER
SECRET_INPUT = 12345
# END GRADER
'''


# --- solution markers --------------------------------------------------------------
def test_starter_replaces_solutions_with_named_stubs_and_drops_the_grader() -> None:
    starter = make_starter(SOURCE, "demo")
    assert "raise NotImplementedError('demo: double is not implemented yet')" in starter
    assert "raise NotImplementedError('demo: forward is not implemented yet')" in starter
    assert "2 * x" not in starter and "return -x" not in starter
    assert "SECRET_INPUT" not in starter and "12345" not in starter
    assert '"""Twice x."""' in starter
    compile(starter, "demo.py", "exec")
    namespace: dict = {}
    exec(compile(starter, "demo.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="demo: double"):
        namespace["double"](1)


def test_solution_keeps_the_code_without_markers_or_grader() -> None:
    solution = make_solution(SOURCE)
    assert "y = 2 * x" in solution and "BEGIN" not in solution and "SECRET" not in solution
    namespace: dict = {}
    exec(compile(solution, "demo.py", "exec"), namespace)
    assert namespace["double"](3) == 6
    assert solution_lines(SOURCE) == ["y = 2 * x", "return y", "return -x", "SECRET_INPUT = 12345"]


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    return 1\n    # END SOLUTION\n", "does not close"),
        ("def f():\n    # BEGIN SOLUTION\n    # BEGIN GRADER\n    return 1\n", "do not nest"),
        ("# BEGIN SOLUTION\nX = 1\n# END SOLUTION\n", "inside a function body"),
        ("def f(:\n    pass\n", "does not parse"),
    ],
)
def test_malformed_markers_are_errors(source: str, message: str) -> None:
    with pytest.raises(MarkerError, match=message):
        make_starter(source, "demo")


# --- codec -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        np.arange(6.0).reshape(2, 3),
        np.arange(6.0).reshape(2, 3).T,  # not contiguous
        np.array(2.5),  # 0-d stays 0-d
        np.array([1, 2], dtype=np.int64),
        np.array([True, False]),
        np.float32(1.5),
        (np.zeros(2), None, 3, 2.5, "text", [1, (2, 3)]),
        {"out": np.ones(3), "grads": (None, np.zeros(1))},
        float("nan"),
    ],
)
def test_codec_round_trips_plain_data(value) -> None:
    back = codec.loads(codec.dumps(value)[4:])

    def same(a, b) -> None:
        assert type(a) is type(b) or isinstance(a, np.generic)
        if isinstance(a, (np.ndarray, np.generic)):
            b = np.asarray(b)
            assert np.asarray(a).shape == b.shape and np.asarray(a).dtype == b.dtype
            np.testing.assert_array_equal(np.asarray(a), b)
        elif isinstance(a, (tuple, list)):
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                same(x, y)
        elif isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                same(a[k], b[k])
        elif isinstance(a, float) and a != a:
            assert b != b
        else:
            assert a == b

    same(value, back)


@pytest.mark.parametrize(
    "value", [np.array(["a"]), np.array([object()]), object(), {1: 2}, lambda: 0]
)
def test_codec_refuses_values_without_a_wire_form(value) -> None:
    with pytest.raises(codec.EncodeError):
        codec.encode(value)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        json.dumps({"__ndarray__": {"dtype": "|O", "shape": [1], "data": ""}}).encode(),
        json.dumps({"__ndarray__": {"dtype": "<f8", "shape": [3], "data": "AAAA"}}).encode(),
        json.dumps({"__pickle__": "gASVAAAAAAAAAAA="}).encode(),
        json.dumps({"event": "ready"}).encode(),  # an untagged dict is not ours
    ],
)
def test_codec_rejects_malformed_frames(payload: bytes) -> None:
    with pytest.raises(codec.ProtocolError):
        codec.loads(payload)


def test_frame_buffer_refuses_oversized_frames() -> None:
    buffer = codec.FrameBuffer()
    with pytest.raises(codec.ProtocolError, match="exceeds"):
        buffer.feed(struct.pack(">I", codec.MAX_FRAME + 1))


def test_frame_buffer_reassembles_split_frames() -> None:
    data = codec.dumps({"id": 1, "results": [np.arange(3.0)]}) * 2
    buffer = codec.FrameBuffer()
    got = []
    for i in range(0, len(data), 7):
        buffer.feed(data[i : i + 7])
        while True:
            complete, message = buffer.pop()
            if not complete:
                break
            got.append(message)
    assert len(got) == 2 and got[0]["id"] == 1


# --- comparison --------------------------------------------------------------------
def test_difference_explains_shape_value_and_nan() -> None:
    e = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert difference(e, e + 1e-12, rtol=1e-6, atol=1e-9) is None
    assert "expected shape (2, 2), got shape (4,)" in difference(
        e, e.ravel(), rtol=1e-6, atol=1e-9
    )
    bad = e.copy()
    bad[1, 0] = 3.5
    msg = difference(e, bad, rtol=1e-6, atol=1e-9)
    assert "at index (1, 0)" in msg and "expected 3, got 3.5" in msg and "1 of 4" in msg
    bad[0, 0] = np.nan
    assert "got nan instead of 1" in difference(e, bad, rtol=1e-6, atol=1e-9)


def test_difference_on_tuples_names_outputs() -> None:
    expected = (np.zeros(2), np.ones(2))
    msg = difference(expected, (np.zeros(2), np.zeros(2)), rtol=1e-6, atol=1e-9, names=["m", "v"])
    assert msg.startswith("`v`")
    assert "tuple of 2 values (m, v)" in difference(
        expected, np.zeros(2), rtol=1e-6, atol=1e-9, names=["m", "v"]
    )
    assert "expected None" in difference(None, np.zeros(1), rtol=0, atol=0)
    assert "expected a number or an array, got str" in difference(1.0, "1.0", rtol=0, atol=0)


def test_formatting_is_deterministic() -> None:
    assert scrub("<function f at 0x7f3a9c2b1d30>") == "<function f at 0x…>"
    assert fmt(np.arange(3.0)) == "array([0., 1., 2.])"
    assert "\n" not in fmt(np.arange(12.0).reshape(3, 4))


# --- results -----------------------------------------------------------------------
def _result(passed: list[bool], hidden: list[bool]) -> GradeResult:
    rows = [
        CheckResult(i + 1, f"check {i + 1}", h, 2.0 if p else 0.0, 2.0, p, "" if p else "wrong")
        for i, (p, h) in enumerate(zip(passed, hidden, strict=True))
    ]
    return GradeResult("demo", "Demo", rows, execution_time=0.25)


def test_gradescope_results_have_the_documented_fields(tmp_path: Path) -> None:
    data = to_gradescope(_result([True, False], [False, True]))
    validate_results(data)
    assert data["score"] == 2.0 and data["max_score"] == 4.0 and data["execution_time"] == 0.25
    assert [t["visibility"] for t in data["tests"]] == ["visible", "after_published"]
    assert [t["status"] for t in data["tests"]] == ["passed", "failed"]
    write_json(data, tmp_path / "deep" / "results.json")
    assert json.loads((tmp_path / "deep" / "results.json").read_text()) == data
    assert not [p for p in (tmp_path / "deep").iterdir() if p.name != "results.json"]


def test_student_wording_never_says_all_passed() -> None:
    good = format_table(_result([True, True], [False, False]), student=True)
    assert "public checks passed" in good and "all passed" not in good.lower()
    bad = format_table(_result([True, False], [False, False]), student=True)
    assert "public checks passed" not in bad and "1 failed" in bad
    grader = format_table(_result([True, False], [False, True]))
    assert "Score: 2/4 points (not full marks)" in grader and "What went wrong" in grader


# --- exercises ---------------------------------------------------------------------
def _exercise_file(tmp_path: Path, checks: str, name: str = "demo") -> Path:
    path = tmp_path / f"{name}_exercise.py"
    path.write_text(
        "import numpy as np\n\n\ndef double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n"
        "    # END SOLUTION\n\n\n# BEGIN GRADER\n"
        "from tinygrad_edu.course.grading import Example, Exercise\n\n"
        f"EXERCISE = Exercise({name!r}, 'Demo', checks=[{checks}])\n# END GRADER\n"
    )
    return path


def test_exercise_validation(tmp_path: Path) -> None:
    ok = load_exercise(_exercise_file(tmp_path, "Example('a', function='double', args=(1,))"))
    assert ok.functions == ("double",) and ok.max_points == 1
    twice = "Example('a', function='double'), Example('a', function='double')"
    dup = _exercise_file(tmp_path, twice, "dup")
    with pytest.raises(ExerciseError, match="duplicate"):
        load_exercise(dup)
    missing = _exercise_file(tmp_path, "Example('a', function='triple')", "missing")
    with pytest.raises(ExerciseError, match="does not define"):
        load_exercise(missing)
    shadow = _exercise_file(tmp_path, "Example('a', function='double')", "json")
    with pytest.raises(ExerciseError, match="shadows"):
        load_exercise(shadow)


def test_static_problems(tmp_path: Path) -> None:
    ex = Exercise("demo", "Demo", [Example("a", function="f")], forbidden_imports=("torch",))
    assert "No submission found" in static_problem(ex, tmp_path / "demo.py")
    p = tmp_path / "demo.py"
    p.write_text("import torch.nn as nn\n")
    assert "imports torch.nn" in static_problem(ex, p)
    p.write_text("m = __import__('torch')\n")
    assert "imports torch" in static_problem(ex, p)
    p.write_text("import torchvision\n")
    assert static_problem(ex, p) is None
    p.write_text("def f(:\n")
    assert "syntax error (line 1)" in static_problem(ex, p)
