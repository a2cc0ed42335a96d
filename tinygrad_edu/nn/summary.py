"""``summary(model, input_shape)``: a table of every layer's output shape and parameter
count, like Keras's ``model.summary()``.

It runs one forward pass on a batch of zeros (in eval mode, without a graph) and
records each layer's output with a forward hook — so it works for any model, not only
``Sequential``, and a layer used twice appears twice, in the order it ran. When a layer
fails (shapes that do not fit), the error says so and shows the table up to that layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..autograd import no_grad
from ..tensor import Tensor
from .module import Module


@dataclass(frozen=True)
class LayerInfo:
    """One row: the layer's dotted name, its class, what it printed as, its output shape
    (batch axis included) and its own parameters (counted at its first call only)."""

    name: str
    type: str
    description: str
    output_shape: tuple[int, ...] | None
    params: int
    trainable: bool


@dataclass(frozen=True)
class Summary:
    """What ``summary`` found. ``str(summary)`` (and ``repr``) is the table."""

    layers: list[LayerInfo]
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...] | None
    total_params: int
    trainable_params: int
    batch_size: int

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def _shape(self, shape: tuple[int, ...] | None) -> str:
        if shape is None:
            return "?"
        # the batch axis is shown as None, as Keras does: it is not part of the model
        if shape and shape[0] == self.batch_size:
            return "(" + ", ".join(["None"] + [str(n) for n in shape[1:]]) + ")"
        return str(shape)

    def table(self) -> str:
        rows = [(f"{r.name} ({r.type})", self._shape(r.output_shape), f"{r.params:,}")
                for r in self.layers]
        heads = ("Layer (type)", "Output Shape", "Param #")
        w0 = max([len(heads[0])] + [len(r[0]) for r in rows]) + 2
        w1 = max([len(heads[1])] + [len(r[1]) for r in rows]) + 2
        w2 = max([len(heads[2])] + [len(r[2]) for r in rows])
        width = w0 + w1 + w2
        line = "=" * width
        out = [f"{heads[0]:<{w0}}{heads[1]:<{w1}}{heads[2]:>{w2}}", line]
        out += [f"{a:<{w0}}{b:<{w1}}{c:>{w2}}" for a, b, c in rows]
        out += [line, f"Input shape: {self._shape(self.input_shape)}",
                f"Total params: {self.total_params:,}",
                f"Trainable params: {self.trainable_params:,}",
                f"Non-trainable params: {self.non_trainable_params:,}"]
        return "\n".join(out)

    __str__ = table

    def __repr__(self) -> str:
        return self.table()


def summary(model: Module, input_shape: Sequence[int] | Tensor, *, batch_size: int = 2,
            show: bool = False) -> Summary:
    """Trace ``model`` on one example shape and tabulate its layers.

    ``input_shape`` is the shape of one example, without the batch axis — (3, 32, 32)
    for 32×32 RGB images — or a Tensor to run as is. The pass uses ``batch_size``
    examples (2 by default, so that a layer which mixes up the batch axis shows it) and
    output shapes print the batch axis as None. ``show=True`` also prints the table.

    Rows are the layers with no sub-layers (and any module holding its own parameters);
    totals count every parameter of the model once.
    """
    if isinstance(input_shape, Tensor):
        x = input_shape
        batch_size = x.shape[0] if x.ndim else 0
    else:
        first = next(model.parameters(), None)
        dtype = first.dtype if first is not None and first.dtype.kind == "f" else "float32"
        device = first.device if first is not None else None
        x = Tensor.zeros((batch_size,) + tuple(int(n) for n in input_shape), dtype=dtype,
                         device=device)
    names = {id(m): n for n, m in model.named_modules()}
    rows: list[LayerInfo] = []
    counted: set[int] = set()

    def record(module: Module, inputs: tuple, output: Any) -> None:
        own = list(module.parameters(recurse=False))
        params = sum(p.size for p in own) if id(module) not in counted else 0
        counted.add(id(module))
        shape = output.shape if isinstance(output, Tensor) else None
        rows.append(LayerInfo(names.get(id(module), "") or type(module).__name__,
                              type(module).__name__, module.describe(), shape, params,
                              all(p.requires_grad for p in own)))

    layers = [m for m in model.modules()
              if not any(True for _ in m.children()) or any(True for _ in
                                                            m.parameters(recurse=False))]
    handles = [m.register_forward_hook(record) for m in layers]
    modes = {id(m): m.training for m in model.modules()}
    model.eval()
    try:
        with no_grad():
            out = model(x)
    except Exception as e:
        partial = _result(model, rows, x, None, batch_size)
        message = (f"{e}\n\nsummary: the forward pass failed after these layers "
                   f"(the next one raised the error above):\n{partial.table()}")
        try:
            err = type(e)(message)
        except Exception:
            err = RuntimeError(message)
        raise err from e
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            object.__setattr__(m, "training", modes[id(m)])
    result = _result(model, rows, x, out.shape if isinstance(out, Tensor) else None,
                     batch_size)
    if show:
        print(result.table())
    return result


def _result(model: Module, rows: list[LayerInfo], x: Tensor,
            out: tuple[int, ...] | None, batch_size: int) -> Summary:
    params = list(model.parameters())
    return Summary(rows, x.shape, out, sum(p.size for p in params),
                   sum(p.size for p in params if p.requires_grad), batch_size)
