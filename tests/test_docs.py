"""The documentation runs: every shell and Python block of README.md and exercises/README.md.

The blocks of one file run in order, in one temporary folder (a later block may use what
an earlier one wrote), with ``tinygrad-edu`` and ``python``/``python3`` on PATH meaning
this checkout under this interpreter. An HTML comment on the line before a block says
how to treat it:

- ``<!-- doc-test: gpu -->``: needs an NVIDIA GPU; skipped (with that reason) without one;
- ``<!-- doc-test: skip: REASON -->``: not run here, for the reason given;
- ``<!-- doc-test: exit N -->``: the block must exit with status N (a failing check);
- ``<!-- doc-test: file NAME -->``: the block is written to NAME instead of being run.

Shell blocks run under ``bash -euo pipefail``. Other fences must say ``text`` (sample
output, synopses, file trees) or ``json``, so that no runnable block goes unchecked.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "exercises" / "README.md"]
SHELL = {"bash", "sh", "shell"}
PYTHON = {"python", "py"}
INERT = {"text", "json", "toml"}
_FENCE = re.compile(r"^```(\S*)\s*$")
_DIRECTIVE = re.compile(
    r"^<!--\s*doc-test:\s*(?P<kind>gpu|skip|exit|file)\b:?\s*(?P<arg>.*?)\s*-->$"
)


@dataclass
class Block:
    doc: Path
    line: int
    lang: str
    code: str
    directive: str = ""
    arg: str = ""

    @property
    def id(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def parse(doc: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        start, lang = i, m.group(1).lower()
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        prev = lines[start - 1].strip() if start else ""
        d = _DIRECTIVE.match(prev)
        blocks.append(Block(doc, start + 1, lang, "\n".join(lines[start + 1 : j]) + "\n",
                            d["kind"] if d else "", d["arg"] if d else ""))
        i = j + 1
    return blocks


ALL_BLOCKS = [b for doc in DOCS for b in parse(doc)]
RUNNABLE = [b for b in ALL_BLOCKS if b.lang in SHELL | PYTHON]


def test_every_code_block_says_what_it_is() -> None:
    unlabeled = [f"{b.id} ```{b.lang}" for b in ALL_BLOCKS
                 if b.lang not in SHELL | PYTHON | INERT]
    assert not unlabeled, "label these fences (bash, python, or text):\n" + "\n".join(unlabeled)
    indented = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        outside = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
        for k, para in enumerate(re.split(r"\n\s*\n", outside)):
            lines = para.splitlines()
            if lines and all(ln.startswith("    ") for ln in lines) and \
                    any(ln.strip().startswith(("tinygrad-edu", "python", "pip")) for ln in lines):
                indented.append(f"{doc.name}: paragraph {k}: {lines[0].strip()}")
    assert not indented, "indented code blocks escape this test; fence them:\n" + \
        "\n".join(indented)


def _has_gpu() -> bool:
    if shutil.which("nvidia-smi") is None:
        return False
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """One folder per document, and a bin folder whose commands mean this checkout."""
    bindir = tmp_path_factory.mktemp("bin")
    commands = {
        "tinygrad-edu": f'exec "{sys.executable}" -m tinygrad_edu.course "$@"\n',
        "python": f'exec "{sys.executable}" "$@"\n',
        "python3": f'exec "{sys.executable}" "$@"\n',
    }
    for name, body in commands.items():
        path = bindir / name
        path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    folders = {doc: tmp_path_factory.mktemp(doc.parent.name + "_" + doc.stem) for doc in DOCS}
    folders[Path("bin")] = bindir
    return folders


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.id for b in RUNNABLE])
def test_doc_block_runs(block: Block, workspaces: dict[Path, Path]) -> None:
    cwd = workspaces[block.doc]
    if block.directive == "gpu" and not _has_gpu():
        pytest.skip("needs an NVIDIA GPU with CuPy (marked `doc-test: gpu`)")
    if block.directive == "skip":
        assert block.arg, f"{block.id}: a skipped block must say why"
        pytest.skip(block.arg)
    if block.directive == "file":
        (cwd / block.arg).write_text(block.code, encoding="utf-8")
        # Written, not run: at least it must be valid Python.
        compile(block.code, block.arg, "exec")
        return
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg",
               PATH=f"{workspaces[Path('bin')]}{os.pathsep}{os.environ.get('PATH', '')}")
    for var in ("TINYGRAD_EDU_LESSONS", "TINYGRAD_EDU_EXERCISES"):
        env.pop(var, None)
    if block.lang in PYTHON:
        argv = [sys.executable, "-c", block.code]
    else:
        argv = ["bash", "-euo", "pipefail", "-c", block.code]
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL)
    expected = int(block.arg.split()[0]) if block.directive == "exit" else 0
    assert proc.returncode == expected, (
        f"{block.id} exited {proc.returncode}, expected {expected}\n--- code\n{block.code}"
        f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    )
