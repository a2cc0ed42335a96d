"""The optimiser base class: parameter groups, the step loop, state dicts.

Every optimiser in this package is the same loop::

    for each group, for each parameter p with a gradient:
        g ← ∇p                       (negated when maximize=True)
        g ← g + λ·p                  (L2 weight decay, when weight_decay λ > 0)
        state["step"] ← state["step"] + 1
        update p.data in place from g, state and the group's hyper-parameters

The loop lives here, once; a subclass says only how to validate its hyper-parameters
(:meth:`Optimizer._check_group`), what state a parameter starts with
(:meth:`Optimizer._init_state`) and how one parameter is updated
(:meth:`Optimizer._update`). The helpers at the bottom of this file (``ema_``,
``check_range``) are shared by several optimisers so that no update rule is written twice.

Updates are made on the raw backend arrays (``p.data``) *in place* — ``p.data -= ...`` —
so that no graph is recorded and every view of a parameter held elsewhere (a module's
attribute, a fused buffer) sees the new values. Only ``+ - * /``, in-place operators and
the backend's op vocabulary (``p.backend.unary("sqrt", …)``) are used, so the same code
runs on numpy and on cupy. After the update each parameter's version counter is bumped,
so a backward through a graph that saved the old values raises instead of silently
using the new ones (as in PyTorch).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..autograd import enable_grad, zero_grads
from ..backend.base import Array
from ..tensor import Tensor

#: What an optimiser accepts as ``params``: Tensors, ``(name, Tensor)`` pairs (what
#: ``Module.named_parameters()`` yields) or dicts that each describe one parameter group.
ParamsT = Iterable[Tensor] | Iterable[tuple[str, Tensor]] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class of all optimisers: holds parameter groups and per-parameter state.

    ``params`` is an iterable of Tensors, or of dicts (*parameter groups*), each with a
    ``"params"`` entry and any hyper-parameters that should differ from ``defaults``::

        SGD([{"params": backbone, "lr": 1e-4},   # fine-tune the pretrained part slowly
             {"params": head}],                  # the new head uses the default lr
            lr=1e-2, momentum=0.9)

    Attributes:
        defaults: the hyper-parameters given to the constructor.
        param_groups: list of dicts; ``group["params"]`` is the list of Tensors, the other
            keys are that group's hyper-parameters (a scheduler changes ``group["lr"]``).
        state: ``state[p]`` is the dict of running quantities of parameter ``p`` (step
            count, moment estimates, ...), created on its first update.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        # The constructor's own arguments are checked here too, so a bad lr fails at once
        # even when every group overrides it.
        self._check_group(defaults)

        if isinstance(params, Tensor):
            # a Tensor is iterable (over its rows), so without this check SGD(w) would
            # silently optimise w[0], w[1], ... as separate, unrelated tensors
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Tensors "
                            f"or dicts, got a single Tensor; pass [tensor] instead")
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ---- parameter groups ------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (missing ones are taken
        from ``defaults``) — e.g. to unfreeze more layers while fine-tuning."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, got "
                            f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        group = dict(param_group)  # never modify the caller's dict
        params = group["params"]
        if isinstance(params, set):
            # the iteration order of a set changes between runs, and state dicts refer to
            # parameters by their position
            raise TypeError(f"{name}: parameters must be in an ordered collection "
                            f"(list, tuple), not a set")
        params = [params] if isinstance(params, Tensor) else list(params)
        if params and all(isinstance(p, tuple) and len(p) == 2 for p in params):
            group["param_names"] = [n for n, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name} can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (one computed from "
                                 f"other tensors); optimize the tensors it was made from")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: a parameter group contains the same parameter twice")
        if seen.intersection(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        self.param_groups.append(group)

    # ---- the training-loop API -------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters before the next backward pass.

        ``set_to_none=True`` (the default, as in PyTorch) sets ``p.grad = None``: no memory
        is touched, and ``step`` skips a parameter whose gradient stays None. ``False``
        fills the existing gradient arrays with zeros instead (then ``step`` *does* update
        such a parameter, e.g. through momentum or weight decay).
        """
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss, if given.

        ``closure`` (optional) re-evaluates the model and returns the loss; it is called
        with gradient recording on, before the update.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.shape != p.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: a parameter of shape {p.shape} has a "
                        f"gradient of shape {p.grad.shape}; p.grad must have the "
                        "parameter's shape (was it assigned by hand?)")
                state = self.state.get(p)
                if state is None:
                    state = self.state[p] = {"step": 0, **self._init_state(p, group)}
                state["step"] += 1
                self._update(p, self._gradient(p, group), state, group)
                p._increment_version()
        return loss

    def _gradient(self, p: Tensor, group: dict[str, Any]) -> Array:
        """The gradient the update rule sees: g = ±∇p (+ λ·p for coupled weight decay).

        Every PyTorch optimiser applies ``maximize`` and then L2 weight decay in this order,
        so it is done once here. It makes a new array: ``p.grad`` itself is never changed.
        """
        g = p.grad.data  # type: ignore[union-attr]  # step() skips grad None
        if group.get("maximize", False):
            g = -g
        wd = group.get("weight_decay", 0.0)
        if wd != 0 and not group.get("decoupled_weight_decay", False):
            g = g + wd * p.data
        return g

    # ---- what a subclass provides ----------------------------------------------------
    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for an invalid hyper-parameter (the default checks lr only)."""
        check_range(self, "lr", group["lr"], low=0.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state a parameter starts with (besides ``"step"``, which the loop keeps)."""
        return {}

    def _update(self, p: Tensor, g: Array, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Update ``p.data`` in place. ``state["step"]`` is already t (1 on the first call)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # ---- saving and resuming ---------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume training bit-identically, as plain data.

        ``{"state": {index: {"step": int, name: numpy array, ...}},
        "param_groups": [{hyper-parameter: value, ..., "params": [index, ...]}]}``

        Parameters are named by their position across all groups (0, 1, 2, ...), as in
        PyTorch, so the dict can be loaded into a fresh optimiser built the same way. It
        holds only numbers, numpy arrays (copies), lists and dicts: tuples such as ``betas``
        become lists, so it can be saved with ``numpy.savez`` or JSON (arrays as lists)
        without pickling.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: _plain(v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {
            index[id(p)]: {k: _to_numpy(p, v) for k, v in s.items()}
            for p, s in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and per-parameter state saved by :meth:`state_dict`.

        The optimiser must have been built with the same parameter groups (same sizes, same
        order); the saved arrays are copied onto each parameter's device and dtype.
        """
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state dict has {len(saved_groups)} "
                             f"parameter groups, this optimizer has {len(self.param_groups)}")
        by_index: dict[int, Tensor] = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups, strict=True)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {i} has {len(saved['params'])} "
                    f"parameters in the state dict but {len(group['params'])} here")
            by_index.update(zip(saved["params"], group["params"], strict=True))
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            restored = {k: _like(group.get(k), v) for k, v in saved.items() if k != "params"}
            restored["params"] = group["params"]
            new_groups.append(restored)
        new_state: dict[Tensor, dict[str, Any]] = {}
        # keys are ints, or strings if the dict went through JSON
        for key, saved_state in state_dict["state"].items():
            p = by_index[int(key)]
            new_state[p] = {k: _from_numpy(p, v) for k, v in saved_state.items()}
            for k, v in new_state[p].items():
                if getattr(v, "ndim", 0) and tuple(v.shape) != p.shape:
                    raise ValueError(
                        f"{name}.load_state_dict: state {k!r} of parameter {key} has shape "
                        f"{tuple(v.shape)} but the parameter has shape {p.shape} (a state "
                        "dict from a different model?)")
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(group.items())
                         if k not in ("params", "param_names"))
        return "\n".join(lines) + "\n)"


# ---- helpers shared by the optimisers ------------------------------------------------
def ema_(avg: Array, x: Array, beta: float) -> None:
    """In place: avg ← β·avg + (1−β)·x, an exponential moving average of x.

    The first and second moments of Adam, Adamax's first moment, RMSprop's mean square
    and mean gradient are all this one line.
    """
    avg *= beta
    avg += (1 - beta) * x


def check_range(owner: Any, name: str, value: Any, low: float = -math.inf,
                high: float = math.inf, high_open: bool = False) -> None:
    """Raise ``ValueError("Adam: invalid betas[0] = 1.0 (expected 0 <= betas[0] < 1)")``
    unless ``low <= value <= high`` (``< high`` when ``high_open``). NaN always fails."""
    ok = low <= value and (value < high if high_open else value <= high)
    if not ok:  # `not ok` rather than `value < low or ...`, so that NaN is rejected too
        if high == math.inf:
            expected = f"{name} >= {low:g}"
        else:
            expected = f"{low:g} <= {name} {'<' if high_open else '<='} {high:g}"
        owner_name = owner if isinstance(owner, str) else type(owner).__name__
        raise ValueError(f"{owner_name}: invalid {name} = {value!r} (expected {expected})")


def check_betas(owner: Any, betas: Any) -> None:
    """Both coefficients of an (β₁, β₂) pair must lie in [0, 1)."""
    if len(betas) != 2:
        raise ValueError(f"{type(owner).__name__}: betas must be a pair (beta1, beta2), "
                         f"got {betas!r}")
    for i, beta in enumerate(betas):
        check_range(owner, f"betas[{i}]", beta, low=0.0, high=1.0, high_open=True)


# ---- helpers for state dicts ---------------------------------------------------------
def _plain(value: Any) -> Any:
    """A copy made only of numbers, strings, lists and dicts (tuples become lists)."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _like(current: Any, saved: Any) -> Any:
    """Undo :func:`_plain`: a saved list becomes a tuple where the live value is one."""
    if isinstance(current, tuple) and isinstance(saved, (list, tuple)):
        return tuple(saved)
    return _plain(saved)


def _to_numpy(p: Tensor, value: Any) -> Any:
    """A numpy copy of a state array (so later in-place updates don't change the dict)."""
    if isinstance(value, int):
        return value  # the step count
    return np.array(p.backend.to_numpy(value), copy=True)


def _from_numpy(p: Tensor, value: Any) -> Any:
    """A state value back on the parameter's device (a copy: the dict stays untouched).

    Integers are step counts; everything else is an array with the parameter's dtype —
    even a bare float, which is what a 0-d array becomes after a trip through JSON.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    arr = np.array(value, dtype=p.data.dtype, copy=True)
    return p.backend.asarray(arr) if p.device != "cpu" else arr


def zeros_like(p: Tensor) -> Array:
    """A zero array shaped like parameter ``p`` (optimiser state starts here)."""
    return p.backend.zeros(p.shape, p.dtype)
