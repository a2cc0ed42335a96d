"""The executed notebooks the site is built from (``lessons notebooks`` writes the same)."""

from __future__ import annotations

import re

import pytest

from tinygrad_edu.course import notebooks

FIGURES = {  # lessons whose figures the issue asks for, and how many each shows at least
    "01_training_loop": 1, "02_losses": 1, "03_gradient_descent": 1, "04_activations": 1,
    "05_optimisers_and_schedules": 3, "06_backprop_by_hand": 1, "07_data_and_metrics": 1,
    "08_mlp_classification": 1,
    "09_cnn": 1, "10_fine_tuning": 1, "11_regularisation": 1,
}


@pytest.fixture(scope="module")
def executed(built_site):
    nbformat = pytest.importorskip("nbformat")
    folder = built_site.out / "en" / "notebooks"
    return {p.stem: nbformat.read(str(p), as_version=4) for p in sorted(folder.glob("*.ipynb"))}


def test_every_lesson_is_an_executed_notebook(executed, built_site):
    assert len(executed) == len({r["lesson"] for r in built_site.report}) >= 12
    for name, nb in executed.items():
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code if c.source.strip()), name
        assert not any(o.output_type == "error" for c in code for o in c.outputs), name


def test_figures_are_inline_right_after_the_cell_that_made_them(executed, built_site):
    for name, least in FIGURES.items():
        cells = [c for c in executed[name].cells if c.cell_type == "code"]
        with_fig = [c for c in cells if any("image/png" in o.get("data", {})
                                            for o in c.outputs)]
        assert len(with_fig) >= least, name
        for c in with_fig:  # the cell that shows a figure is the one that calls figure()
            assert "figure(" in c.source, (name, c.source[:80])
    saved = {p.name for p in (built_site.out / "en" / "notebooks" / "figures").glob("*.png")}
    assert {"w09_loss.png", "w06_w07_w14_losses.png", "w08_steps.png",
            "w23_early_stopping.png", "w20_graph.png", "w18_fine_tuning.png"} <= saved


def test_no_stray_return_values_are_displayed(executed):
    for name, nb in executed.items():
        assert notebooks.stray_outputs(nb) == [], name
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "Row(id=" not in text, name


def test_editions_pair_the_prose_and_keep_the_same_code():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson", metadata={"lang": "en"}),
                nbformat.v4.new_markdown_cell("# 课", metadata={"lang": "zh"}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell("only English")]
    pairs = notebooks.prose(nb)
    assert pairs.missing_zh == 1 and not pairs.orphans_zh
    en, zh = notebooks.edition(nb, "en"), notebooks.edition(nb, "zh")
    assert [c.source for c in en.cells] == ["# Lesson", "x = 1", "only English"]
    assert [c.source for c in zh.cells] == ["# 课", "x = 1", "only English"]
    assert zh.cells[2].metadata.get("fallback") is True


def test_the_chinese_edition_has_the_same_code_and_outputs_in_chinese(built_site, executed):
    nbformat = pytest.importorskip("nbformat")
    folder = built_site.out / "zh" / "notebooks"
    for name, en in executed.items():
        zh = nbformat.read(str(folder / f"{name}.ipynb"), as_version=4)
        code_en = [c for c in en.cells if c.cell_type == "code"]
        code_zh = [c for c in zh.cells if c.cell_type == "code"]
        assert [c.source for c in code_en] == [c.source for c in code_zh], name
        text_zh = "".join(o.get("text", "") for c in code_zh for o in c.outputs)
        assert "→ · shown" not in text_zh and "→ ✗ CORRECTED" not in text_zh, name
        assert "仅展示" in text_zh, name
        images = [sum("image/png" in o.get("data", {}) for o in c.outputs) for c in code_en]
        assert images == [sum("image/png" in o.get("data", {}) for o in c.outputs)
                          for c in code_zh], name
        prose_zh = "".join(c.source for c in zh.cells if c.cell_type == "markdown")
        assert len(re.findall(r"[\u4e00-\u9fff]", prose_zh)) > 100, name
