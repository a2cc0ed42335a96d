"""Draw the graph behind a tensor: which ops made it, from which leaves.

``to_dot(loss)`` gives Graphviz DOT text (always available); ``draw(loss, "graph.png")``
draws the same graph with matplotlib (no Graphviz install needed; SVG or PNG by the
file's extension). Each op is a box named like PyTorch's ``grad_fn`` (``MulBackward``);
each tensor is a record with its shape, its values and — after ``backward()`` — its
gradient, so the picture shows backprop's numbers the way micrograd's ``draw_dot`` does.

The graph is walked through ``grad_fn`` and ``next_functions``. A node shows the values
of its output tensor while that tensor is alive (keep intermediate results in variables
if you want to see them), and leaves always show theirs.

    >>> from tinygrad_edu import Tensor, viz
    >>> w = Tensor([2.0], requires_grad=True)
    >>> loss = (w * 3.0).sum()
    >>> print(viz.to_dot(loss).splitlines()[0])
    digraph tinygrad_edu {
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .function import AccumulateGrad

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .tensor import Tensor


@dataclass
class GraphNode:
    """One box of the picture: an op (``kind="op"``) or a tensor (``kind="tensor"``)."""

    id: str
    kind: str
    label: str
    inputs: list[str] = field(default_factory=list)


def _fmt(arr: Any, limit: int = 6) -> str:
    a = np.asarray(arr).ravel()
    body = ", ".join(f"{v:.4g}" for v in a[:limit])
    return f"[{body}{', …' if a.size > limit else ''}]" if np.ndim(arr) else body


def _tensor_label(t: Tensor | None, title: str, values: bool, grads: bool,
                  names: dict[int, str] | None = None) -> str:
    if t is None:
        return title
    if names and id(t) in names:
        title = names[id(t)]
    lines = [f"{title} {tuple(t.shape)}".strip()]
    if values:
        lines.append(f"data {_fmt(t.detach().numpy())}")
    if grads and t.grad is not None:
        lines.append(f"grad {_fmt(t.grad.detach().numpy())}")
    return "\n".join(lines)


def graph(t: Tensor, *, values: bool = True, grads: bool = True,
          names: dict[str, Tensor] | None = None) -> list[GraphNode]:
    """The graph of ``t`` as a list of nodes, inputs first (the root tensor last).
    ``names`` labels tensors (e.g. ``dict(model.named_parameters())``, as torchviz's
    ``params``); other leaves are called "leaf"."""
    by_id = {id(v): k for k, v in (names or {}).items()}
    nodes: dict[int, GraphNode] = {}
    order: list[GraphNode] = []

    def visit(node: Any) -> str:
        key = id(node)
        if key in nodes:
            return nodes[key].id
        if isinstance(node, AccumulateGrad):
            leaf = node.variable
            gn = GraphNode(f"n{len(nodes)}", "tensor",
                           _tensor_label(leaf, "leaf", values, grads, by_id))
            nodes[key] = gn
            order.append(gn)
            return gn.id
        gn = GraphNode(f"n{len(nodes)}", "op", node.name())
        nodes[key] = gn
        for parent, _ in node.next_functions:
            if parent is not None:
                gn.inputs.append(visit(parent))
        order.append(gn)
        out = node._output()
        if out is not None and out is not t:
            tn = GraphNode(f"n{len(nodes)}t", "tensor",
                           _tensor_label(out, "", values, grads, by_id), [gn.id])
            nodes[id(tn)] = tn
            order.append(tn)
            return tn.id
        return gn.id

    if t.grad_fn is None:
        return [GraphNode("n0", "tensor", _tensor_label(t, "leaf", values, grads, by_id))]
    top = visit(t.grad_fn)
    order.append(GraphNode("root", "tensor", _tensor_label(t, "output", values, grads, by_id),
                           [top]))
    return order


def to_dot(t: Tensor, *, values: bool = True, grads: bool = True,
           names: dict[str, Tensor] | None = None) -> str:
    """Graphviz DOT text of the graph of ``t`` (render it with ``dot -Tsvg``)."""
    lines = ["digraph tinygrad_edu {", "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=10];']
    for n in graph(t, values=values, grads=grads, names=names):
        label = n.label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        shape = "ellipse" if n.kind == "op" else "box"
        lines.append(f'  {n.id} [label="{label}", shape={shape}];')
        for src in n.inputs:
            lines.append(f"  {src} -> {n.id};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layers(nodes: list[GraphNode]) -> dict[str, int]:
    """Column of each node: the longest path from an input (so edges go left to right)."""
    depth: dict[str, int] = {}
    for n in nodes:  # inputs come first, so one pass suffices
        depth[n.id] = 1 + max((depth[i] for i in n.inputs), default=-1)
    return depth


def draw(t: Tensor, path: str | Path | None = None, *, values: bool = True,
         grads: bool = True, names: dict[str, Tensor] | None = None,
         direction: str = "auto") -> Figure:
    """Draw the graph of ``t`` with matplotlib; save it to ``path`` (PNG, SVG, PDF by the
    extension) when given. Returns the Figure. ``direction``: "LR" (inputs on the left),
    "TB" (inputs on top), or "auto": left to right for up to six steps, else top to
    bottom, so that a deep graph reads down the page instead of off its side."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    if direction not in ("auto", "LR", "TB"):
        raise ValueError(f"draw: direction must be 'auto', 'LR' or 'TB', got {direction!r}")
    nodes = graph(t, values=values, grads=grads, names=names)
    depth = _layers(nodes)
    columns: dict[int, list[GraphNode]] = {}
    for n in nodes:
        columns.setdefault(depth[n.id], []).append(n)
    steps, across = max(len(columns), 1), max(len(c) for c in columns.values())
    down = direction == "TB" or (direction == "auto" and steps > 6)
    width, height = (across, steps) if down else (steps, across)
    fig = Figure(figsize=(2.6 * width + 1, 1.3 * height + 1))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-0.6, height - 0.4)
    ax.axis("off")
    pos: dict[str, tuple[float, float]] = {}
    for col, members in columns.items():
        for row, n in enumerate(members):
            offset = (across - 1) / 2 + (len(members) - 1) / 2 - row
            pos[n.id] = (across - 1 - offset, steps - 1 - col) if down else (col, offset)
    for n in nodes:
        for src in n.inputs:
            (x0, y0), (x1, y1) = pos[src], pos[n.id]
            # from the edge of one box to the edge of the next, along the flow
            start, end = ((x0, y0 - 0.32), (x1, y1 + 0.32)) if down else \
                ((x0 + 0.42, y0), (x1 - 0.42, y1))
            ax.annotate("", xy=end, xytext=start,
                        arrowprops={"arrowstyle": "->", "color": "#555555"})
    for n in nodes:
        x, y = pos[n.id]
        face = "#dbe9f6" if n.kind == "op" else "#fdf2d0"
        ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.32), 0.84, 0.64,
                                    boxstyle="round,pad=0.02", facecolor=face,
                                    edgecolor="#333333"))
        ax.text(x, y, n.label, ha="center", va="center", fontsize=7, family="monospace")
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


__all__ = ["GraphNode", "draw", "graph", "to_dot"]
