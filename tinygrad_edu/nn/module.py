"""``Module`` and ``Parameter``: the containers that hold a network's weights.

A module is an object whose attributes are parameters (learnable tensors), buffers
(state that is saved but not learned, e.g. BatchNorm's running mean) and other modules.
Assigning one to an attribute registers it, so that ``parameters()``, ``state_dict()``,
``to()`` and ``train()/eval()`` can walk the whole tree::

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)               # a child module
            self.scale = nn.Parameter(Tensor([1.0])) # a parameter of Net itself

        def forward(self, x):
            return self.fc(x) * self.scale

A plain ``Tensor`` attribute is *not* a parameter (as in PyTorch): wrap learnable
tensors in ``nn.Parameter``, and register fixed state with ``register_buffer``.

Names follow ``torch.nn.Module``; every difference is listed in that method's docstring.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from ..autograd import no_grad, zero_grads
from ..dtypes import resolve as resolve_dtype
from ..tensor import DTypeLike, Tensor


class Parameter(Tensor):
    """A tensor that is a module's learnable weight.

    It requires grad by default, and assigning it to a ``Module`` attribute registers it
    as a parameter. Operations on a parameter return plain ``Tensor``\\ s.
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        if isinstance(data, Tensor):
            super().__init__(data.detach(), requires_grad=requires_grad)
        else:
            arr = np.asarray(data)
            # keep a float64 array float64 (Tensor() alone would make it float32)
            super().__init__(arr, dtype=arr.dtype if arr.dtype.kind == "f" else None,
                             requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` could not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class RemovableHandle:
    """Returned by ``register_forward_hook``; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Callable[..., Any]]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Module:
    """Base class of all layers and models: subclass it and write ``forward``.

    Attributes:
        training: True after ``train()`` (the default), False after ``eval()``; layers
            such as Dropout and BatchNorm behave differently in the two modes.
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]

    def __init__(self) -> None:
        # object.__setattr__: our own __setattr__ needs these dicts to exist first
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_hooks", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward() method")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            replaced = hook(self, args, out)
            if replaced is not None:
                out = replaced
        return out

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]
                              ) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after every forward; a hook that returns
        something other than None replaces the output. ``summary`` is built on this."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ---- registration --------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__}: cannot assign attribute {name!r} "
                                 "before Module.__init__() — call super().__init__() first")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            if name not in params:  # a replaced parameter keeps its place in the order
                self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            if name not in modules:
                self._forget(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a parameter: assign an "
                                f"nn.Parameter or None, not a {type(value).__name__}")
            params[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"{type(self).__name__}.{name} is a buffer: assign a Tensor "
                                f"or None, not a {type(value).__name__}")
            buffers[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a submodule: assign a "
                                f"Module or None, not a {type(value).__name__}")
            modules[name] = None
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails, i.e. for registered names
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if not self._forget(name):
            object.__delattr__(self, name)

    def _forget(self, name: str) -> bool:
        found = False
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                found = True
        self._non_persistent.discard(name)
        self.__dict__.pop(name, None)
        return found

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (None reserves the name, e.g. ``bias=False``)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, "
                            f"got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register state that is not learned: it moves with ``to()`` and, when
        ``persistent``, is saved in ``state_dict()``."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    # ---- walking the tree ----------------------------------------------------------
    def named_modules(self, prefix: str = "", remove_duplicate: bool = True
                      ) -> Iterator[tuple[str, Module]]:
        """This module and every module below it, depth first; a module reachable under
        two names is listed once unless ``remove_duplicate`` is False."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate and id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{n}" if name else n, m)
                        for n, m in mod._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, table: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        """Shared by parameters and buffers: each tensor once, under its first name."""
        seen: set[int] = set()
        mods = self.named_modules() if recurse else iter([("", self)])
        for mod_name, mod in mods:
            for name, t in getattr(mod, table).items():
                if t is None or id(t) in seen:
                    continue
                seen.add(id(t))
                yield (f"{mod_name}.{name}" if mod_name else name), t

    def named_parameters(self, recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs, e.g. ``("fc1.weight", ...)``; a parameter
        shared by two layers appears once."""
        return self._named_members("_parameters", recurse)  # type: ignore[return-value]

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse):
            yield p

    def named_buffers(self, recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first) and on this module, e.g. to
        re-initialise all Linear layers."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients -------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout active, batch statistics) for this module and all below."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``. It does not turn off gradients — use
        ``with no_grad():`` for that."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient (``p.grad = None``), or fill it with zeros."""
        zero_grads(self.parameters(), set_to_none)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze (True) every parameter: a frozen parameter gets no
        gradient, so an optimiser leaves it untouched — fine-tuning trains only the rest."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # ---- state dicts ---------------------------------------------------------------
    def state_dict(self, keep_vars: bool = False) -> dict[str, Tensor]:
        """Every parameter and persistent buffer by dotted name, in registration order.

        The values share memory with the module (``detach()``\\ ed unless ``keep_vars``);
        copy them (``copy.deepcopy``) to keep a snapshot. A layer used twice appears under
        both names, as in PyTorch.
        """
        out: dict[str, Tensor] = {}
        for mod_name, mod in self.named_modules(remove_duplicate=False):
            pre = f"{mod_name}." if mod_name else ""
            for name, p in mod._parameters.items():
                if p is not None:
                    out[pre + name] = p if keep_vars else p.detach()
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent:
                    out[pre + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        """Copy values (Tensors or arrays) into this module's parameters and buffers.

        Every key is checked before anything is written, so a failed load leaves the
        module unchanged. A wrongly shaped value is always an error; missing and
        unexpected keys are errors when ``strict`` (else they are returned). Values are
        copied in place, cast to each parameter's dtype and moved to its device, so an
        optimiser holding the parameters keeps working.
        """
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        wrong = []
        for k, t in own.items():
            if k in state_dict:
                shape = tuple(np.shape(state_dict[k]))
                if shape != t.shape:
                    wrong.append(f"{k}: the state dict has shape {shape}, the model "
                                 f"{t.shape}")
        if wrong or (strict and (missing or unexpected)):
            lines = [f"load_state_dict: cannot load into {type(self).__name__}"]
            if missing:
                lines.append("  missing keys: " + ", ".join(missing))
            if unexpected:
                lines.append("  unexpected keys: " + ", ".join(unexpected))
            if wrong:
                lines.append("  wrong shapes:\n    " + "\n    ".join(wrong))
            raise RuntimeError("\n".join(lines))
        with no_grad():
            for k, t in own.items():
                if k in state_dict:
                    v = state_dict[k]
                    arr = v.backend.to_numpy(v.data) if isinstance(v, Tensor) else np.asarray(v)
                    t.data[...] = t.backend.asarray(arr, dtype=t.dtype)
        return IncompatibleKeys(missing, unexpected)

    # ---- devices and dtypes --------------------------------------------------------
    def to(self, device: str | None = None, dtype: DTypeLike = None) -> Module:
        """Move every parameter and buffer (and gradient) to ``device`` and/or cast the
        floating ones to ``dtype``, in place: the Parameter objects stay the same, only
        their data is replaced, so references to them (an optimiser's) stay valid."""
        want = resolve_dtype(dtype)
        for t in list(self.parameters()) + list(self.buffers()):
            _move_tensor(t, device, want)
            if t.grad is not None:
                _move_tensor(t.grad, device, want)
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    def double(self) -> Module:
        """float64 parameters (what ``gradcheck`` needs)."""
        return self.to(dtype=np.float64)

    def float(self) -> Module:
        return self.to(dtype=np.float32)

    # ---- printing ------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The configuration shown inside the parentheses of ``repr``; layers override it."""
        return ""

    def describe(self) -> str:
        """One line: the class and its configuration, e.g. ``Linear(in_features=3, …)``.
        Shape errors start with this so the message names the layer."""
        return f"{type(self).__name__}({self.extra_repr()})"

    def __repr__(self) -> str:
        children = [f"({name}): {_indent(repr(m))}" for name, m in self._modules.items()
                    if m is not None]
        if not children:
            return self.describe()
        extra = self.extra_repr()
        lines = (extra.split("\n") if extra else []) + children
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _indent(text: str) -> str:
    return text.replace("\n", "\n  ")


def _move_tensor(t: Tensor, device: str | None, dtype: np.dtype | None) -> None:
    """Replace ``t``'s data with a copy on ``device`` / in ``dtype`` (floats only: integer
    buffers such as a step counter keep their type, as in PyTorch)."""
    cast = dtype if dtype is not None and t.dtype.kind == "f" else None
    moved = t.detach().to(device, cast)
    if moved is not t:
        t.data = moved.data
        t._device = moved.device
