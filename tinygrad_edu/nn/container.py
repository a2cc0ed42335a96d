"""Containers: ``Sequential`` (layers applied in order) and ``ModuleList``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, overload

from .module import Module


class ModuleList(Module):
    """A list of modules whose parameters are registered (a plain Python list would hide
    them from ``parameters()``). Indexing, ``len``, iteration and ``append`` work as on
    a list; it has no ``forward`` — the owner decides how the modules are used."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def _list(self) -> list[Module]:
        return [m for m in self._modules.values() if m is not None]

    @overload
    def __getitem__(self, index: int) -> Module: ...
    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...

    def __getitem__(self, index: int | slice) -> Module:
        items = self._list()
        if isinstance(index, slice):
            return type(self)(items[index])
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"{type(self).__name__}: index {index} is out of range for "
                             f"{len(items)} modules") from None

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[Module]:
        return iter(self._list())


class Sequential(ModuleList):
    """Apply modules one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Also accepts one dict of named layers, ``Sequential({"conv": ..., "relu": ...})``,
    whose names then appear in ``state_dict`` keys instead of 0, 1, 2, ….
    """

    def __init__(self, *modules: Module | dict[str, Module]) -> None:
        Module.__init__(self)
        first = modules[0] if modules else None
        if len(modules) == 1 and isinstance(first, dict):
            for name, layer in first.items():
                self.add_module(str(name), layer)
        else:
            for m in modules:
                if not isinstance(m, Module):
                    raise TypeError(f"Sequential: every layer must be a Module, got "
                                    f"{type(m).__name__} (did you forget the () after a "
                                    f"layer class, e.g. nn.ReLU()?)")
                self.append(m)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            names = list(self._modules)[index]
            return Sequential({n: m for n in names if (m := self._modules[n]) is not None})
        return super().__getitem__(index)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            if m is not None:
                x = m(x)
        return x
