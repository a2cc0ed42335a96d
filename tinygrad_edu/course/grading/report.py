"""Show a grade: a terminal table for people, Gradescope's ``results.json`` for machines.

Gradescope's format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``score``, ``max_score``, ``execution_time``, ``output``, ``tests[]`` with ``name``,
``number``, ``score``, ``max_score``, ``status`` ("passed"/"failed"), ``visibility``,
``output``, ``output_format``. Public checks are ``visible``; hidden ones use the
exercise's ``hidden_visibility`` (default ``after_published``: students see them once
grades are published).

The submission's own printed output is never put in ``results.json``: it could carry
the inputs of hidden checks to the student before grades are published. The terminal
report shows it, indented under a header, so it cannot pass for the grader's lines.
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from .grader import CheckResult, GradeResult


def _points(x: float) -> str:
    return f"{x:g}"


def to_gradescope(
    result: GradeResult, hidden_visibility: str = "after_published"
) -> dict[str, Any]:
    tests = [
        {
            "name": r.name,
            "number": str(r.number),
            "score": r.score,
            "max_score": r.max_score,
            "status": "passed" if r.passed else "failed",
            "visibility": hidden_visibility if r.hidden else "visible",
            "output": r.output or ("Passed." if r.passed else "Failed."),
            "output_format": "text",
        }
        for r in result.results
    ]
    summary = f"{result.exercise}: {_points(result.score)} / {_points(result.max_score)} points."
    output = "\n\n".join([summary, *result.messages])
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.execution_time, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def to_record(result: GradeResult) -> dict[str, Any]:
    """What ``grade-all`` keeps of one grading: per check the points, why it failed
    without a verdict (a timeout, a crash) and the diagnosed mistake."""
    return {
        "score": result.score,
        "max_score": result.max_score,
        "seconds": round(result.execution_time, 3),
        "checks": [
            {
                "name": r.name,
                "score": r.score,
                "max_score": r.max_score,
                "passed": r.passed,
                "failure": r.failure,
                "mistake": r.mistake,
                "output": r.output[:2000],
            }
            for r in result.results
        ],
        "messages": [m[:2000] for m in result.messages],
    }


def write_json(data: dict[str, Any], path: str | Path) -> None:
    """Write atomically: a reader (or a crash) never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def placeholder(exercise: str, max_score: float, message: str) -> dict[str, Any]:
    """A valid zero-score results file, written before the submission runs and whenever
    the grader itself cannot finish, so the course platform always has a file to read."""
    return {
        "score": 0.0,
        "max_score": float(max_score),
        "execution_time": 0.0,
        "output": f"{exercise}: {message}",
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


#: The fixed words of the terminal report in each language (``tinygrad-edu check --lang``).
#: The checks' own names, hints and diagnoses are the exercise's and stay as written.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "number": "#", "check": "check", "visibility": "visibility", "points": "points",
        "status": "status", "hidden": "hidden", "public": "public", "passed": "passed",
        "failed": "FAILED", "wrong": "What went wrong:", "Failed.": "Failed.",
        "printed": "Your submission printed (shown as is, indented):",
        "score": "{score}/{max} points",
        "all_passed": "public checks passed ({score}). Hidden checks run when your work is "
                      "graded.",
        "some_failed": "public checks: {score}; {n} failed. Fix what is listed above and run "
                       "again.",
        "total": "Score: {score}", "not_full": " (not full marks)",
    },
    "zh": {
        "number": "#", "check": "检查项", "visibility": "可见性", "points": "得分",
        "status": "结果", "hidden": "隐藏", "public": "公开", "passed": "通过",
        "failed": "未通过", "wrong": "哪里出了问题：", "Failed.": "未通过。",
        "printed": "你的程序打印了下面这些内容（原样照录，已缩进）：",
        "score": "{score}/{max} 分",
        "all_passed": "公开检查全部通过（{score}）。隐藏检查会在正式评分时运行。",
        "some_failed": "公开检查：{score}；{n} 项未通过。请按上面列出的问题修改，然后再运行一次。",
        "total": "总分：{score}", "not_full": "（未得满分）",
    },
}

#: The fixed labels inside a check's message (written by the checks in English) and
#: their Chinese; only a line that starts with one (after its indent) is changed.
LABELS_ZH: tuple[tuple[str, str], ...] = (
    ("Likely mistake: ", "可能的错误："),
    ("the backward disagrees with finite differences of the forward: ",
     "反向传播算出的梯度与前向函数的有限差分不一致："),
    ("the result: ", "返回值："),
    ("Hint: ", "提示："),
    ("inputs: ", "输入："),
    ("Falsifying example (the smallest input found that fails):",
     "反例（找到的会出错的最小输入）："),
    ("Falsifying example:", "反例："),
    ("Not run. ", "未运行："),
    ("not implemented yet ", "还没有实现 "),
    ("raised ", "抛出了 "),
    ("in your code:", "出错的位置（你的代码）："),
    ("Failed.", "未通过。"),
)


def localize_output(text: str, lang: str = "en") -> str:
    """A check's message with its fixed labels in ``lang`` (the rest stays as written:
    the values, the call, the exercise's hints and the submission's error messages)."""
    if lang != "zh":
        return text
    out = []
    for line in text.splitlines():
        body = line.lstrip(" ")
        indent = line[: len(line) - len(body)]
        for en, zh in LABELS_ZH:
            if body.startswith(en):
                body = zh + body[len(en):]
                break
        out.append(indent + body)
    return "\n".join(out)


def _name(r: CheckResult, lang: str) -> str:
    return r.name_zh if lang == "zh" and r.name_zh else r.name


def _zh_texts(r: CheckResult, text: str, lang: str) -> str:
    """The exercise's own Chinese hint and mistake in place of the English ones, where
    the exercise gives them (the labels are translated by :func:`localize_output`)."""
    if lang != "zh" or not text:
        return text
    if r.hint_zh and r.hint:
        text = text.replace(f"Hint: {r.hint}", f"Hint: {r.hint_zh}")
    if r.mistake_zh and r.mistake:
        text = text.replace(f"Likely mistake: {r.mistake}", f"Likely mistake: {r.mistake_zh}")
    return text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _ljust(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(result: GradeResult, *, student: bool = False, show_output: bool = True,
                 lang: str = "en") -> str:
    """The terminal report. ``student=True`` is the wording of ``tinygrad-edu check``;
    ``lang`` the language of its fixed words (``en`` or ``zh``)."""
    w = WORDS.get(lang, WORDS["en"])
    rows = [(w["number"], w["check"], w["visibility"], w["points"], w["status"])]
    for r in result.results:
        rows.append(
            (
                str(r.number),
                _name(r, lang),
                w["hidden"] if r.hidden else w["public"],
                f"{_points(r.score)}/{_points(r.max_score)}",
                w["passed"] if r.passed else w["failed"],
            )
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    lines = [f"{result.exercise} — {result.title}", ""]
    for k, row in enumerate(rows):
        lines.append("  ".join(_ljust(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w_ for w_ in widths))
    failures = [r for r in result.results if not r.passed]
    if failures:
        lines += ["", w["wrong"]]
        for r in failures:
            lines.append(f"[{r.number}] {_name(r, lang)}")
            text = localize_output(_zh_texts(r, r.output, lang) or "Failed.", lang)
            lines.extend("    " + line for line in text.splitlines())
    if show_output and result.submission_output:
        lines += ["", w["printed"]]
        lines.extend("  | " + line for line in result.submission_output.splitlines())
    lines.append("")
    score = w["score"].format(score=_points(result.score), max=_points(result.max_score))
    if student:
        if result.full_marks:
            lines.append(w["all_passed"].format(score=score))
        else:
            lines.append(w["some_failed"].format(score=score, n=len(failures)))
    else:
        lines.append(w["total"].format(score=score) + ("" if result.full_marks
                                                        else w["not_full"]))
    return "\n".join(lines)
