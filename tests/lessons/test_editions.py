"""The two editions stay whole: every passage of a lesson, every note of a table row,
every errata entry and every exercise README exists in English and in Chinese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tinygrad_edu.course import lesson_runner
from tinygrad_edu.course.paths import exercises_dir, lessons_dir

LESSONS = lesson_runner.discover()
CJK = re.compile(r"[\u4e00-\u9fff]")


def _notebook(path: Path):
    jupytext = pytest.importorskip("jupytext")
    return jupytext.read(path)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda les: les.name)
def test_every_prose_cell_has_both_languages(lesson):
    from tinygrad_edu.course import notebooks

    nb = _notebook(lesson.path)
    prose = notebooks.prose(nb)
    assert prose.pairs, f"{lesson.name}: no prose"
    missing = [en.source.splitlines()[0][:60] for en, zh in prose.pairs if zh is None]
    assert not missing, f"{lesson.name}: English passages without Chinese: {missing}"
    assert not prose.orphans_zh, f"{lesson.name}: Chinese passages without English"
    for en, zh in prose.pairs:
        assert en.metadata.get("lang") == "en", f"{lesson.name}: untagged English passage"
        assert CJK.search(zh.source), f"{lesson.name}: the zh passage has no Chinese"
        # the two texts of a passage cover the same worked examples
        assert set(re.findall(r"W\d\d", en.source)) == set(re.findall(r"W\d\d", zh.source)), \
            f"{lesson.name}: {en.source.splitlines()[0][:60]}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda les: les.name)
def test_every_note_in_the_source_has_both_languages(lesson):
    """Static: a claim()/show() call that gives ``note`` gives ``note_zh`` too."""
    tree = ast.parse(lesson.path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("claim", "show"):
            kws = {k.arg for k in node.keywords}
            assert ("note" in kws) == ("note_zh" in kws), \
                f"{lesson.name}, line {node.lineno}: note and note_zh go together"


def test_every_row_note_of_the_run_has_both_languages(report):
    """Dynamic: the rows the lessons recorded (the JSON report of the full run)."""
    one_sided = [(r["id"], r["quantity"]) for r in report.rows
                 if bool(r["note"]) != bool(r["note_zh"])]
    assert not one_sided
    notes = [r for r in report.rows if r["note"]]
    assert notes
    for r in notes:  # written in Chinese, unless the note is a formula with no words
        formula_only = r["note_zh"] == r["note"] and not re.search(r"[A-Za-z]{3,}", r["note"])
        assert CJK.search(r["note_zh"]) or formula_only, (r["id"], r["note_zh"])


def _sections(text: str) -> list[str]:
    return re.findall(r"^###\s+(W\d\d)\b", text, re.MULTILINE)


def test_the_errata_has_both_languages():
    en = (lessons_dir() / "ERRATA.md").read_text(encoding="utf-8")
    zh_path = lessons_dir() / "ERRATA.zh.md"
    assert zh_path.is_file(), "lessons/ERRATA.zh.md is missing"
    zh = zh_path.read_text(encoding="utf-8")
    assert _sections(en) == _sections(zh) == [f"W{i:02d}" for i in range(1, 29)]
    for wid in _sections(en):  # every entry is written in Chinese, not copied
        body = zh.split(f"### {wid}", 1)[1].split("\n### ", 1)[0]
        assert len(CJK.findall(body)) > 40, f"ERRATA.zh.md: {wid} is not in Chinese"


EXERCISES = sorted(p for p in exercises_dir().iterdir() if (p / "exercise.py").is_file())


@pytest.mark.parametrize("folder", EXERCISES, ids=lambda p: p.name)
def test_every_exercise_readme_has_both_languages(folder):
    en = (folder / "README.md").read_text(encoding="utf-8")
    zh_path = folder / "README.zh.md"
    assert zh_path.is_file(), f"{folder.name}: README.zh.md is missing"
    zh = zh_path.read_text(encoding="utf-8")
    assert CJK.search(zh)
    # the same function names, worked-example IDs and commands in both
    for pattern in (r"`(\w+)\(", r"W\d\d", r"tinygrad-edu check \S+"):
        assert set(re.findall(pattern, en)) == set(re.findall(pattern, zh)), \
            (folder.name, pattern)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda les: les.name)
def test_the_prose_renders_without_stray_markdown(lesson):
    """CommonMark does not close ``**`` after Chinese punctuation followed by a Chinese
    character, and a wrapped line that starts with ``* `` becomes a list item: the
    rendered prose of both editions has no leftover emphasis markers."""
    markdown_it = pytest.importorskip("markdown_it")
    from tinygrad_edu.course import notebooks

    md = markdown_it.MarkdownIt("commonmark").enable("table")
    for lang in ("en", "zh"):
        for cell in notebooks.edition(_notebook(lesson.path), lang).cells:
            if cell.cell_type != "markdown":
                continue
            html = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", md.render(cell.source),
                          flags=re.S)
            stray = re.findall(r".{0,20}(?<![\\\w])\*{1,2}.{0,20}", html)
            assert not stray, (lesson.name, lang, stray)


def test_init_writes_notebooks_of_one_edition(tmp_path):
    pytest.importorskip("jupytext")
    import contextlib
    import io
    import json

    for lang in ("en", "zh"):
        with contextlib.redirect_stdout(io.StringIO()):
            code = lesson_runner.main(["init", str(tmp_path / lang), "--notebooks",
                                       "--lang", lang])
        assert code == 0
        nb = json.loads((tmp_path / lang / "04_activations.ipynb").read_text("utf-8"))
        prose = "".join("".join(c["source"]) for c in nb["cells"]
                        if c["cell_type"] == "markdown")
        assert bool(CJK.search(re.sub(r"`[^`]*`", "", prose))) == (lang == "zh")
        assert (tmp_path / lang / "ERRATA.zh.md").is_file()
