"""The shape of the library, checked (DESIGN.md): the array module stays behind the
backend, every differentiable op lives under ops/, and the engine reaches no Tensor
internals. (That the core never imports the course tooling is in
test_architecture_course.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tinygrad_edu"
GPU_LIBRARIES = {"cupy", "cupyx", "numba", "kernels"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _inside(path: Path, folder: str) -> bool:
    return path.relative_to(PACKAGE).parts[0] == folder


def test_the_modules_exist():
    assert len(_modules()) > 40 and (PACKAGE / "backend" / "base.py").exists()


def test_no_module_outside_backend_uses_the_array_module():
    offenders = []
    for path in _modules():
        if _inside(path, "backend"):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and node.attr == "xp":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} uses .xp")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                for name in names:
                    if name.split(".")[0] in GPU_LIBRARIES:
                        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} "
                                         f"imports {name}")
    # the course tooling may import numba to say whether a GPU exercise can run
    offenders = [o for o in offenders if not o.startswith("course/")]
    assert offenders == []


def test_every_function_lives_under_ops():
    outside = []
    for path in _modules():
        if _inside(path, "ops") or path.name == "function.py":
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                         for b in node.bases}
                if "Function" in bases:
                    outside.append(f"{path.relative_to(PACKAGE)}: class {node.name}")
    # the testing toolkit's examples and the course's exercises are not the library's ops
    outside = [o for o in outside if not o.startswith(("testing/", "course/"))]
    assert outside == []


def test_the_engine_reaches_no_tensor_internals():
    """autograd.py uses the public face of Tensor only (no ``t._something``) and caches no
    class in a module global."""
    tree = _tree(PACKAGE / "autograd.py")
    private = sorted({node.attr for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr.startswith("_")
                      and not node.attr.startswith("__")})
    # node._output is the graph node's own weak reference (function.py), not a Tensor's;
    # _freed_error is function.py's message; _prev is the grad-mode switch's own stack
    assert set(private) <= {"_output", "_freed_error", "_prev"}, private
    assert "global " not in (PACKAGE / "autograd.py").read_text(encoding="utf-8")


def test_the_backend_declares_the_op_vocabulary_once():
    from tinygrad_edu.backend import base, get_backend

    cpu = get_backend("cpu")
    for family, names in (("unary", base.UNARY_OPS), ("binary", base.BINARY_OPS),
                          ("reduce", base.REDUCE_OPS)):
        table = getattr(cpu, f"_{family}")
        assert set(names) <= set(table), (family, set(names) - set(table))
    # and nothing but the vocabulary: no per-op methods beside the families
    per_op = {n for n in base.UNARY_OPS + base.BINARY_OPS + base.REDUCE_OPS
              if n in vars(type(cpu)) or n in vars(base.Backend)}
    assert per_op == set()
