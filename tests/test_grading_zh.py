"""The Chinese edition of what students see from the grader: ``check --lang zh`` (the
report's fixed words and labels), the locale as the default language, and the Chinese
READMEs that ``exercises init`` and ``exercises export-student`` copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinygrad_edu.course.grading import cli, load_exercise
from tinygrad_edu.course.grading.grader import CheckResult, GradeResult
from tinygrad_edu.course.grading.report import format_table, localize_output
from tinygrad_edu.course.lessons import locale_lang

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
DIR = ["--exercises-dir", str(EXERCISES)]
CJK = re.compile(r"[\u4e00-\u9fff]")

# mse with the gradient's sign flipped: checks 1-2 pass, 3-5 fail, one diagnosed mistake
FLIPPED = '''
import numpy as np


def mse_loss(pred, target):
    return float(np.mean((np.asarray(pred) - np.asarray(target)) ** 2))


def mse_grad(pred, target):
    print("debug line")
    return 2.0 * (np.asarray(target) - np.asarray(pred)) / np.asarray(pred).size
'''


def _result() -> GradeResult:
    ok = CheckResult(1, "loss on W06", False, 1.0, 1.0, True, "")
    bad = CheckResult(2, "grad on W06", False, 0.0, 2.0, False,
                      "mse_grad(pred=array([1.]))\n  the result: expected 1, got -1\n"
                      "  Likely mistake: the sign is flipped\n  Hint: mind the sign")
    hidden = CheckResult(3, "hidden one", True, 0.0, 1.0, False, "")
    return GradeResult("mse", "Mean squared error", [ok, bad, hidden], 0.1,
                       submission_output="debug line")


def test_the_english_report_is_unchanged_by_default():
    text = format_table(_result(), student=True)
    assert format_table(_result(), student=True, lang="en") == text
    assert not CJK.search(text)
    assert "#  check" in text and "What went wrong:" in text
    assert "    Failed." in text  # a failed check without a message
    assert text.endswith("public checks: 1/4 points; 2 failed. Fix what is listed above and "
                         "run again.")


def test_the_chinese_report_has_chinese_words_and_keeps_the_checks_as_written():
    text = format_table(_result(), student=True, lang="zh")
    lines = text.splitlines()
    assert lines[2].split() == ["#", "检查项", "可见性", "得分", "结果"]
    row1, row2, row3 = lines[4:7]
    assert row1.split()[-2:] == ["1/1", "通过"] and "公开" in row1
    assert row2.split()[-2:] == ["0/2", "未通过"]
    assert row3.split()[-3:] == ["隐藏", "0/1", "未通过"]
    # the columns line up although a Chinese character takes two columns
    assert lines[2].index("#") == 0 and len({len(ln.split("  ")[0]) for ln in lines[4:7]}) == 1
    assert "哪里出了问题：" in lines
    assert "      可能的错误：the sign is flipped" in lines
    assert "      提示：mind the sign" in lines
    assert "      返回值：expected 1, got -1" in lines
    assert "    mse_grad(pred=array([1.]))" in lines  # the call stays as it is
    assert "[2] grad on W06" in lines  # check names are the exercise's
    assert "    未通过。" in lines  # the hidden check failed without a message
    assert "  | debug line" in lines and any("你的程序打印了" in ln for ln in lines)
    assert lines[-1] == "公开检查：1/4 分；2 项未通过。请按上面列出的问题修改，然后再运行一次。"


def test_the_chinese_summaries_of_full_marks_and_of_grade():
    full = GradeResult("mse", "t", [CheckResult(1, "a", False, 1.0, 1.0, True, "")], 0.0)
    assert format_table(full, student=True, lang="zh").splitlines()[-1] == \
        "公开检查全部通过（1/1 分）。隐藏检查会在正式评分时运行。"
    assert format_table(full, lang="zh").splitlines()[-1] == "总分：1/1 分"
    assert format_table(_result(), lang="zh").splitlines()[-1] == "总分：1/4 分（未得满分）"
    assert format_table(_result()).splitlines()[-1] == "Score: 1/4 points (not full marks)"


def test_only_labels_at_the_start_of_a_line_are_translated():
    text = ("raised ValueError: Hint: not a label here\n  in your code:\n"
            "    x = 1  # inputs: stay")
    assert localize_output(text, "zh").splitlines() == [
        "抛出了 ValueError: Hint: not a label here", "  出错的位置（你的代码）：",
        "    x = 1  # inputs: stay"]
    assert localize_output(text, "en") == text


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "en"), ({}, "en"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_ALL": "", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
])
def test_the_locale_gives_the_default_language(env, expected):
    assert locale_lang(env) == expected


def _work(tmp_path: Path) -> Path:
    folder = tmp_path / "mse"
    folder.mkdir()
    (folder / "mse.py").write_text(FLIPPED, encoding="utf-8")
    return folder


def test_check_in_chinese_on_a_wrong_submission(tmp_path: Path, capsys, monkeypatch):
    folder = _work(tmp_path)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert cli.main(["check", "mse", str(folder), *DIR, "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "可能的错误：the sign is flipped" in out
    assert "  | debug line" in out
    assert out.strip().splitlines()[-1] == \
        "公开检查：2/8 分；3 项未通过。请按上面列出的问题修改，然后再运行一次。"
    # without --lang: the locale's language (English here, Chinese under zh_CN)
    assert cli.main(["check", "mse", str(folder), *DIR]) == 1
    assert capsys.readouterr().out.strip().endswith("3 failed. Fix what is listed above and "
                                                    "run again.")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["check", "mse", str(folder), *DIR]) == 1
    assert capsys.readouterr().out.strip().endswith("然后再运行一次。")
    assert cli.main(["check", "mse", str(folder), *DIR, "--lang", "en"]) == 1
    assert "3 failed" in capsys.readouterr().out


def test_init_and_the_student_kit_copy_the_chinese_readme(tmp_path: Path, capsys):
    zh = (EXERCISES / "mse" / "README.zh.md").read_text(encoding="utf-8")
    assert load_exercise(EXERCISES / "mse").readme_zh == zh
    assert cli.main(["exercises", "init", str(tmp_path / "work"), *DIR,
                     "--exercise", "mse"]) == 0
    assert (tmp_path / "work" / "mse" / "README.zh.md").read_text(encoding="utf-8") == zh
    assert cli.main(["exercises", "export-student", str(tmp_path / "kit"), *DIR,
                     "--exercise", "mse"]) == 0
    assert (tmp_path / "kit" / "mse" / "README.zh.md").read_text(encoding="utf-8") == zh
    capsys.readouterr()


def test_an_exercise_without_a_chinese_readme_gets_none(tmp_path: Path):
    folder = tmp_path / "exercises" / "mse"
    folder.mkdir(parents=True)
    for name in ("exercise.py", "README.md"):
        (folder / name).write_bytes((EXERCISES / "mse" / name).read_bytes())
    assert cli.main(["exercises", "init", str(tmp_path / "work"), "--exercises-dir",
                     str(tmp_path / "exercises")]) == 0
    assert sorted(p.name for p in (tmp_path / "work" / "mse").iterdir()) == ["README.md",
                                                                             "mse.py"]


def _exercise_in_chinese(tmp_path: Path) -> Path:
    """The built-in mse exercise with the optional Chinese fields on one check and on one
    diagnosis (the built-in exercises carry none)."""
    folder = tmp_path / "exercises" / "mse"
    folder.mkdir(parents=True)
    source = (EXERCISES / "mse" / "exercise.py").read_text(encoding="utf-8")
    for old, new in [
        ('''    Diagnosis("the sign is flipped: the gradient is 2(ŷ − y)/N, not 2(y − ŷ)/N",
              lambda p, t: 2.0 * (t - p) / p.size),''',
         '''    Diagnosis("the sign is flipped: the gradient is 2(ŷ − y)/N, not 2(y − ŷ)/N",
              lambda p, t: 2.0 * (t - p) / p.size,
              message_zh="符号反了：梯度是 2(ŷ − y)/N，不是 2(y − ŷ)/N"),'''),
        # the first of the two mse_grad examples: the seed's W06 data
        ('''                points=2, diagnoses=_GRAD_MISTAKES),''',
         '''                points=2, diagnoses=_GRAD_MISTAKES,
                name_zh="原文 W06 数据上的 mse_grad",
                hint="d/dŷ of the mean", hint_zh="对均值求关于 ŷ 的导数"),'''),
    ]:
        assert old in source
        source = source.replace(old, new, 1)
    (folder / "exercise.py").write_text(source, encoding="utf-8")
    (folder / "README.md").write_bytes((EXERCISES / "mse" / "README.md").read_bytes())
    return tmp_path / "exercises"


def _assert_the_chinese_fields_are_shown(out: str) -> None:
    lines = out.splitlines()
    assert any(ln.startswith("3  原文 W06 数据上的 mse_grad") for ln in lines), out
    assert "[3] 原文 W06 数据上的 mse_grad" in lines
    assert "      可能的错误：符号反了：梯度是 2(ŷ − y)/N，不是 2(y − ŷ)/N" in lines
    assert "      提示：对均值求关于 ŷ 的导数" in lines
    # the check without Chinese fields keeps its English name and mistake
    assert "[4] mse_grad on a 2-D batch" in lines


def test_optional_chinese_names_hints_and_mistakes(tmp_path: Path, capsys):
    exercises = _exercise_in_chinese(tmp_path)
    folder = _work(tmp_path)
    args = ["check", "mse", str(folder), "--exercises-dir", str(exercises)]
    assert cli.main([*args, "--lang", "zh"]) == 1
    _assert_the_chinese_fields_are_shown(capsys.readouterr().out)
    assert cli.main([*args, "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert not CJK.search(out)
    assert "[3] mse_grad on the seed's W06 data" in out and "  Hint: d/dŷ of the mean" in out
    # the student kit carries them too
    assert cli.main(["exercises", "export-student", str(tmp_path / "kit"), "--exercises-dir",
                     str(exercises), "--exercise", "mse"]) == 0
    capsys.readouterr()
    kit_work = tmp_path / "kit" / "mse"
    kit_text = (kit_work / "public_checks.json").read_text(encoding="utf-8")
    assert "对均值求关于 ŷ 的导数" in kit_text and "符号反了" in kit_text
    (kit_work / "mse.py").write_text(FLIPPED, encoding="utf-8")
    assert cli.main(["check", "mse", str(kit_work), "--lang", "zh"]) == 1
    _assert_the_chinese_fields_are_shown(capsys.readouterr().out)


def test_grade_prints_its_table_in_chinese_and_keeps_results_json_english(tmp_path: Path,
                                                                           capsys):
    import json

    folder = _work(tmp_path)
    results = tmp_path / "results.json"
    assert cli.main(["grade", "mse", *DIR, "--submission", str(folder), "--json",
                     str(results), "--lang", "zh"]) == 1
    out = capsys.readouterr().out
    assert "隐藏" in out and "可能的错误：" in out
    assert re.search(r"^总分：\d+/\d+ 分（未得满分）$", out.strip().splitlines()[-1])
    data = json.loads(results.read_text(encoding="utf-8"))
    text = data["output"] + "".join(t["output"] + t["name"] for t in data["tests"])
    assert "Likely mistake: the sign is flipped" in text and not CJK.search(text)
