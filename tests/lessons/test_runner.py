"""The record API, lesson discovery and the ``tinygrad-edu lessons`` command."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.course import lesson_runner
from tinygrad_edu.course import lessons as record
from tinygrad_edu.course.lesson_runner import LessonError
from tinygrad_edu.course.lessons import ALL_IDS, claim, show, stated_tolerance

CAPSTONE_IDS = {"C01", "C02"}  # beyond the course text (12_capstone_transformer, 13_jit)

REPO = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------- record API


@pytest.fixture
def fresh_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> record._Run:
    state = record._Run(lesson="t", out=tmp_path, echo=False)
    monkeypatch.setattr(record, "_run", state)
    return state


@pytest.mark.parametrize("number, tol", [(0.24, 0.005), (0.869, 0.0005), (2, 0.5),
                                         (-0.105, 0.0005), (0.5, 0.05), (1e-05, 5e-06),
                                         (2.5e-3, 5e-05), (100.0, 0.5)])
def test_stated_tolerance_is_half_a_unit_in_the_last_written_digit(number, tol):
    assert stated_tolerance(number) == pytest.approx(tol)


def test_numeric_claim_agrees_to_the_precision_the_seed_wrote(fresh_run):
    (row,) = claim("W13", "sigmoid(2)", 0.881, 1 / (1 + math.exp(-2)))
    assert row.agrees is True
    (row,) = claim("W13", "sigmoid(2)", 0.869, 1 / (1 + math.exp(-2)))
    assert row.agrees is False and row.verdict == "CORRECTED"
    (row,) = claim("W06", "mse", 0.24, 0.183, tol=0.1)
    assert row.agrees is True


def test_list_claims_become_one_row_per_component(fresh_run):
    rows = claim("W15", "theta", [0.998, 0.996], Tensor([1.0009, 0.996], dtype="float64"))
    assert [r.quantity for r in rows] == ["theta[0]", "theta[1]"]
    assert [r.agrees for r in rows] == [False, True]
    assert all(isinstance(r.seed_claim, float) for r in rows)
    with pytest.raises(ValueError, match="same length"):
        claim("W15", "theta", [0.998, 0.996], [1.0])


def test_values_are_recorded_as_plain_json_types(fresh_run):
    show("W05", "tensor", Tensor([[1.0, 2.0]]))
    show("W05", "array", np.arange(3))
    show("W05", "numpy scalar", np.float32(0.5))
    show("W05", "nan", float("nan"))
    claim("W19", "error", "fits", "matmul: shapes (2, 20) and (320, 50) do not align",
          agrees=False)
    rows = lesson_runner.to_json(fresh_run.rows)
    json.dumps(rows, allow_nan=False)  # valid JSON, numbers stay numbers
    assert rows[0]["computed"] == [[1.0, 2.0]]
    assert rows[1]["computed"] == [0, 1, 2]
    assert rows[2]["computed"] == 0.5 and isinstance(rows[2]["computed"], float)
    assert rows[3]["computed"] == "nan"
    assert rows[4]["agrees"] is False and rows[0]["agrees"] is None
    with pytest.raises(ValueError, match="W06"):
        claim("6", "bad id", 1.0, 1.0)


def test_out_dir_is_created(fresh_run, tmp_path):
    fresh_run.out = tmp_path / "figs"
    assert record.out_dir().is_dir()


# ----------------------------------------------------------------------- discovery

GOOD = '''
# %% [markdown]
# # A tiny lesson
# %%
IDS = ["W06", "W07"]
from tinygrad_edu.lesson_runner import claim, show, out_dir  # the old name still works
claim("W06", "half mse", 0.24, 0.183)
show("W07", "ce", 0.137)
(out_dir() / "fig.png").write_bytes(b"png")
print("lesson output")
'''

CRASH = '''
IDS = ["W08"]
TITLE = "Crashes"
from tinygrad_edu.course.lessons import show
show("W08", "before the crash", 1.0)
raise RuntimeError("boom")
'''


@pytest.fixture
def lesson_dir(tmp_path: Path) -> Path:
    d = tmp_path / "lessons"
    d.mkdir()
    (d / "01_good.py").write_text(GOOD, encoding="utf-8")
    (d / "02_crash.py").write_text(CRASH, encoding="utf-8")
    (d / "_helper.py").write_text("raise SystemExit('never imported')\n", encoding="utf-8")
    return d


def test_discovery_reads_ids_and_titles_without_running_the_lesson(lesson_dir):
    lessons = lesson_runner.discover(lesson_dir)
    assert [(les.name, les.ids, les.title) for les in lessons] == [
        ("01_good", ["W06", "W07"], "A tiny lesson"), ("02_crash", ["W08"], "Crashes")]


def test_select_by_file_name_short_name_number_and_worked_example(lesson_dir):
    lessons = lesson_runner.discover(lesson_dir)
    for key in ("01_good", "good", "1", "01_good.py"):
        assert [les.name for les in lesson_runner.select(lessons, [key])[0]] == ["01_good"]
    picked, ids = lesson_runner.select(lessons, ["w8", "W07"])
    assert [les.name for les in picked] == ["01_good", "02_crash"] and ids == {"W07", "W08"}
    with pytest.raises(LessonError, match="no lesson called"):
        lesson_runner.select(lessons, ["nope"])
    with pytest.raises(LessonError, match="W27"):
        lesson_runner.select(lessons, ["W27"])


CAPSTONE = '''
IDS = ["C01"]
TITLE = "A capstone"
from tinygrad_edu.course.lessons import show
show("C01", "capstone value", 2.0)
'''


def test_select_a_capstone_by_its_id(lesson_dir):
    (lesson_dir / "03_capstone.py").write_text(CAPSTONE, encoding="utf-8")
    lessons = lesson_runner.discover(lesson_dir)
    for key in ("C01", "c01", "c1"):
        picked, ids = lesson_runner.select(lessons, [key])
        assert [les.name for les in picked] == ["03_capstone"] and ids == {"C01"}
    picked, ids = lesson_runner.select(lessons, ["C01", "W06"])
    assert [les.name for les in picked] == ["01_good", "03_capstone"]
    assert ids == {"C01", "W06"}
    with pytest.raises(LessonError, match="no lesson covers C02"):
        lesson_runner.select(lessons, ["C02"])


def test_the_capstone_rows_come_after_the_worked_examples():
    rows = [record.Row(id=i, lesson="x", quantity=f"q{n}", seed_claim=None, computed=n,
                       agrees=None)
            for n, i in enumerate(["C01", "W13", "C01", "W02", "W28"])]
    assert [(r.id, r.quantity) for r in lesson_runner.sort_rows(rows)] == [
        ("W02", "q3"), ("W13", "q1"), ("W28", "q4"), ("C01", "q0"), ("C01", "q2")]


def _cli(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        code = lesson_runner.main(argv)
    return code, buf.getvalue() + err.getvalue()


def test_run_collects_rows_reports_a_crash_and_fails(lesson_dir, tmp_path):
    out, js = tmp_path / "out", tmp_path / "r.json"
    code, text = _cli(["--dir", str(lesson_dir), "run", "--out", str(out), "--json", str(js)])
    assert code == 1
    assert "02_crash CRASHED" in text and "RuntimeError: boom" in text
    rows = json.loads(js.read_text(encoding="utf-8"))
    assert [(r["id"], r["lesson"], r["agrees"]) for r in rows] == [
        ("W06", "01_good", False), ("W07", "01_good", None), ("W08", "02_crash", None)]
    assert set(rows[0]) == {"id", "lesson", "quantity", "seed_claim", "computed", "agrees",
                            "note", "note_zh"}
    assert (out / "fig.png").exists()
    assert "lesson output" in (out / "01_good.log").read_text(encoding="utf-8")
    assert "lesson output" not in text  # lesson output goes to the log unless --verbose
    assert "0 agreements, 1 corrections, 2 without a numeric claim" in text


def test_run_one_worked_example_keeps_only_its_rows(lesson_dir, tmp_path):
    js = tmp_path / "r.json"
    code, text = _cli(["--dir", str(lesson_dir), "run", "W07", "--out", str(tmp_path / "o"),
                       "--json", str(js)])
    assert code == 0, text
    assert [r["id"] for r in json.loads(js.read_text(encoding="utf-8"))] == ["W07"]


def test_run_a_capstone_by_its_id_keeps_its_rows_after_the_worked_examples(lesson_dir,
                                                                           tmp_path):
    (lesson_dir / "00_capstone.py").write_text(CAPSTONE, encoding="utf-8")
    js = tmp_path / "r.json"
    code, text = _cli(["--dir", str(lesson_dir), "run", "C01", "W07", "--out",
                       str(tmp_path / "o"), "--json", str(js)])
    assert code == 0, text
    rows = json.loads(js.read_text(encoding="utf-8"))
    assert [(r["id"], r["lesson"]) for r in rows] == [("W07", "01_good"),
                                                      ("C01", "00_capstone")]


def test_without_lang_the_run_follows_the_locale(lesson_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    run = ["--dir", str(lesson_dir), "run", "W07", "--out", str(tmp_path / "o")]
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    code, text = _cli(run)
    assert code == 0 and "1 课共 1 行" in text and "仅展示" in text
    code, text = _cli([*run, "--lang", "en"])
    assert code == 0 and "1 rows from 1 lessons" in text and "仅展示" not in text
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    code, text = _cli(run)
    assert code == 0 and "1 rows from 1 lessons" in text


def test_unknown_lesson_is_a_usage_error(lesson_dir, tmp_path):
    code, text = _cli(["--dir", str(lesson_dir), "run", "nope", "--out", str(tmp_path)])
    assert code == 2 and "no lesson called 'nope'" in text


def test_list_shows_every_lesson_with_its_ids(lesson_dir):
    code, text = _cli(["--dir", str(lesson_dir)])
    assert code == 0
    assert "01_good" in text and "W06, W07" in text and "A tiny lesson" in text
    assert "not covered: W01" in text


def test_add_subcommands_wires_list_and_run():
    parser = argparse.ArgumentParser(prog="tinygrad-edu")
    sub = parser.add_subparsers(dest="command", required=True)
    lesson_runner.add_subcommands(sub)
    assert parser.parse_args(["lessons"]).func is lesson_runner.cmd_list
    assert parser.parse_args(["lessons", "list"]).func is lesson_runner.cmd_list
    args = parser.parse_args(["lessons", "run", "W06", "02_losses", "--out", "x",
                              "--json", "r.json"])
    assert args.func is lesson_runner.cmd_run
    assert args.lessons == ["W06", "02_losses"] and args.out == "x" and args.json == "r.json"


def test_the_repository_lessons_cover_every_worked_example():
    lessons = lesson_runner.discover()
    covered = {i for les in lessons for i in les.ids}
    assert covered == set(ALL_IDS) | CAPSTONE_IDS
    for les in lessons:
        text = les.path.read_text(encoding="utf-8")
        assert "# %% [markdown]" in text and "\n# %%\n" in text, f"{les.name}: not jupytext"


# ------------------------------------------------------------------- the full run


def test_full_run_succeeds_and_reports_every_worked_example(report):
    assert report.exit_code == 0, report.stdout[-3000:]
    assert {r["id"] for r in report.rows} == set(ALL_IDS) | CAPSTONE_IDS
    for wid in ALL_IDS:
        assert report.rows_for(wid), wid


def test_json_rows_have_the_documented_types(report):
    for r in report.rows:
        assert set(r) == {"id", "lesson", "quantity", "seed_claim", "computed", "agrees",
                          "note", "note_zh"}
        assert r["id"] in set(ALL_IDS) | CAPSTONE_IDS
        assert isinstance(r["lesson"], str) and r["quantity"]
        assert r["seed_claim"] is None or isinstance(r["seed_claim"], (int, float, str))
        assert not isinstance(r["seed_claim"], bool)
        assert isinstance(r["computed"], (int, float, list, str))
        assert r["agrees"] in (True, False, None)
        if r["seed_claim"] is None:
            assert r["agrees"] is None
        if isinstance(r["seed_claim"], (int, float)):
            assert isinstance(r["agrees"], bool)
        assert isinstance(r["note"], str) and isinstance(r["note_zh"], str)


def test_table_and_counts_are_printed(report):
    agreements = sum(r["agrees"] is True for r in report.rows)
    corrections = sum(r["agrees"] is False for r in report.rows)
    shown = sum(r["agrees"] is None for r in report.rows)
    assert (f"{agreements} agreements, {corrections} corrections, {shown} without a numeric "
            "claim") in report.stdout
    assert "seed's claim" in report.stdout and "verdict" in report.stdout


def test_figures_are_saved_as_png(report):
    pngs = sorted(p.name for p in report.out.glob("*.png"))
    for name in ("w03_schedules.png", "w04_optimisers.png", "w09_loss.png",
                 "w25_predictions.png", "w06_w07_w14_losses.png", "w08_steps.png",
                 "w23_early_stopping.png", "w18_fine_tuning.png", "w20_graph.png"):
        assert name in pngs
    for p in report.out.glob("*.png"):
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


LONG_CLAIM = ("L = 1/N Σ ½(y−ŷ)² on five samples is 0.24, says the seed, and a long error "
              "message: mat1 and mat2 shapes cannot be multiplied (64x20 and 320x50)")


def test_the_table_wraps_long_cells_and_shows_them_whole(fresh_run):
    claim("W19", "forward pass of the seed's SimpleCNN at its own input size", LONG_CLAIM,
          "mat1 and mat2 shapes cannot be multiplied (64x20 and 320x50)", agrees=False,
          note="the flatten gives 20 features", note_zh="展平后只有 20 个特征")
    table = lesson_runner.format_table(record.rows(), width=100)
    assert "…" not in table
    words = table.split()
    for piece in [*LONG_CLAIM.split(), "CORRECTED", "(64x20", "320x50)"]:
        assert piece in words, piece  # every word of the claim, none cut
    assert "the flatten gives 20 features" in table
    assert all(record.display_width(line) <= 100 for line in table.splitlines())
    compact = lesson_runner.format_table(record.rows(), width=100, compact=True)
    assert "…" in compact and len(compact.splitlines()) < len(table.splitlines())


def test_the_chinese_table_has_chinese_words_and_notes(fresh_run):
    claim("W13", "σ(2)", 0.869, 0.8808, note="σ(2) = 0.881", note_zh="σ(2) 应为 0.881")
    table = lesson_runner.format_table(record.rows(), width=120, language="zh")
    for piece in ("编号", "原文的结论", "引擎的计算值", "判定", "已更正", "σ(2) 应为 0.881"):
        assert piece in table
    assert "CORRECTED" not in table and "σ(2) = 0.881" not in table


def test_wrap_width_counts_chinese_characters_as_two_columns():
    lines = record.wrap_width("原文的结论与引擎的计算值不一致 because the sign is wrong", 12)
    assert all(record.display_width(x) <= 12 for x in lines)
    assert "".join(lines).replace(" ", "") == "原文的结论与引擎的计算值不一致becausethesigniswrong"


def test_claim_returns_rows_that_a_notebook_does_not_display(fresh_run):
    rows = claim("W13", "σ(2)", 0.881, 0.8808)
    assert isinstance(rows, record.Rows) and rows[0].agrees is True
    assert rows._ipython_display_() is None  # IPython shows nothing for the value


def test_the_zh_run_prints_the_chinese_table(lesson_dir, tmp_path):
    code, text = _cli(["--dir", str(lesson_dir), "run", "good", "--out", str(tmp_path),
                       "--lang", "zh"])
    assert code == 0, text
    assert "判定" in text and "课共" in text and "已更正" in text


def test_the_command_dispatches_to_the_lessons(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "tinygrad_edu.course", "lessons"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "09_cnn" in proc.stdout and "W28" in proc.stdout


def test_a_lesson_runs_on_its_own_from_any_directory(tmp_path):
    import os
    import subprocess
    import sys

    repo = REPO
    env = dict(os.environ, PYTHONPATH=str(repo), MPLBACKEND="Agg")
    env.pop("TINYGRAD_EDU_LESSON_OUT", None)
    proc = subprocess.run([sys.executable, str(repo / "lessons" / "04_activations.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[W13] σ(2)" in proc.stdout and "CORRECTED" in proc.stdout
    assert (tmp_path / "out" / "lessons" / "w13_activations.png").exists()


def test_blas_threads_applies_the_limit_and_restores_it():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"]

    before = blas_threads()
    assert before, "numpy's BLAS is not visible to threadpoolctl"
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with lesson_runner.blas_threads(1):
            assert blas_threads() == [1] * len(before)
        assert blas_threads() == [min(2, n) for n in before]  # restored, not reset
        with lesson_runner.blas_threads(None):  # None leaves BLAS alone
            assert blas_threads() == [min(2, n) for n in before]
    assert blas_threads() == before
