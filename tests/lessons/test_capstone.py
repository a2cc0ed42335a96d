"""The capstone lesson (C01): its rows in the report of the default (quick) run, and its
baselines recomputed independently on a tiny text."""

from __future__ import annotations

import ast
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "12_capstone_transformer.py"


def lesson_functions(*names: str) -> dict[str, Any]:
    """The lesson's functions of these names, compiled from its source without running
    the lesson (its module level trains a model)."""
    tree = ast.parse(LESSON.read_text(encoding="utf-8"))
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
    assert {d.name for d in defs} == set(names)
    namespace: dict[str, Any] = {"np": np}
    exec(compile(ast.Module(body=defs, type_ignores=[]), str(LESSON), "exec"), namespace)
    return namespace


TRAIN, VAL = "abracadabra banana", "cabana bar"


def _ids(text: str, vocab: list[str]) -> np.ndarray:
    return np.array([vocab.index(c) for c in text])


@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_unigram_and_bigram_baselines_by_counting(alpha: float) -> None:
    fns = lesson_functions("unigram_loss", "bigram_loss")
    vocab = sorted(set(TRAIN + VAL))
    V = len(vocab)
    counts = Counter(TRAIN)
    expected_uni = -sum(math.log((counts[c] + alpha) / (len(TRAIN) + alpha * V))
                        for c in VAL) / len(VAL)
    pairs = Counter(zip(TRAIN, TRAIN[1:]))
    firsts = Counter(TRAIN[:-1])
    expected_bi = -sum(math.log((pairs[(a, b)] + alpha) / (firsts[a] + alpha * V))
                       for a, b in zip(VAL, VAL[1:])) / (len(VAL) - 1)
    train, val = _ids(TRAIN, vocab), _ids(VAL, vocab)
    assert fns["unigram_loss"](train, val, V, alpha) == pytest.approx(expected_uni, rel=1e-12)
    assert fns["bigram_loss"](train, val, V, alpha) == pytest.approx(expected_bi, rel=1e-12)


def test_capstone_rows_exist_and_the_quick_model_beats_the_unigram(report) -> None:
    rows = report.rows_for("C01")
    assert rows, "the capstone lesson recorded no C01 rows"
    unigram = report.value("C01", "unigram baseline: validation loss")
    bigram = report.value("C01", "bigram baseline: validation loss")
    model = report.value("C01", "model: validation loss")
    vocab = report.value("C01", "vocabulary size")
    assert bigram < unigram < math.log(vocab)
    assert model < unigram
    verdict = report.find("C01", "beats the bigram baseline by ≥ 0.2")
    assert verdict["computed"] == pytest.approx(bigram - model)
    assert verdict["agrees"] is (bigram - model >= 0.2)
    assert report.value("C01", "model: training time, seconds") > 0
    assert report.value("C01", "gradcheck of one causal head (step by step)") is True
    assert report.value("C01", "gradcheck of one causal head (fused op)") is True
    sums = report.value("C01", "softmax row sums")
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    assert report.value("C01", "largest weight above the diagonal") == 0.0
    samples = [r["computed"] for r in rows if r["quantity"].startswith("sample ")]
    assert len(samples) == 3 and all(isinstance(s, str) and len(s) > 40 for s in samples)
    for name in ("c01_loss_curves.png", "c01_attention_head.png"):
        assert (report.out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
