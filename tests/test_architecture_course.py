"""The library core never imports the course tooling (tinygrad_edu/course/).

The dependency goes one way: lessons, exercises, the grader and the CLI use the library;
the library knows nothing about them. Two modules outside course/ are allowed to name it:
the aliases that keep the pre-move import paths working (``tinygrad_edu.lesson_runner``
and ``tinygrad_edu.grading``), and they must be nothing but that alias.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tinygrad_edu"
ALIASES = {PACKAGE / "lesson_runner.py", PACKAGE / "grading.py"}
ALIAS_NAMES = {"tinygrad_edu.lesson_runner", "tinygrad_edu.grading"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names.extend(f"{module}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in
              ("import_module", "__import__")):
            names.append(node.args[0].value)
    return names


def _core_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if "course" not in p.relative_to(PACKAGE).parts and p not in ALIASES)


def test_the_scan_sees_the_library_and_resolves_relative_imports() -> None:
    files = _core_files()
    assert PACKAGE / "tensor.py" in files and len(files) > 20
    assert "tinygrad_edu.course.lessons" in _imports(PACKAGE / "lesson_runner.py")
    nn_init = _imports(PACKAGE / "nn" / "__init__.py")
    relative = [n for n in nn_init if n.startswith("tinygrad_edu.nn.")]
    assert relative, "relative imports of tinygrad_edu.nn were not resolved"


def test_no_core_module_imports_the_course_tooling() -> None:
    offenders = []
    for path in _core_files():
        for name in _imports(path):
            if name == "tinygrad_edu.course" or name.startswith("tinygrad_edu.course.") \
                    or name in ALIAS_NAMES or any(name.startswith(a + ".") for a in ALIAS_NAMES):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_the_aliases_are_only_aliases() -> None:
    for path in ALIASES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = [n for n in tree.body if not (isinstance(n, ast.Expr)
                                             and isinstance(n.value, ast.Constant))]
        assert len(body) == 3, f"{path.name} should import sys, import the module, alias it"
        assert ast.unparse(body[-1]).startswith("sys.modules[__name__] ="), path.name


def test_importing_the_library_loads_no_course_module() -> None:
    core = sorted({_module_name(p) for p in _core_files()} - {"tinygrad_edu.__main__"})
    script = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        pass  # optional GPU dependencies; what matters is what got imported\n"
        "print(sorted(m for m in sys.modules if m.startswith('tinygrad_edu.course')))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
