"""``TinyJit``: record a training step once, then replay its numpy calls.

An eager step pays, for every op, for Python: a Function, a Context, checks, the
backward engine's bookkeeping, a fresh array from the allocator. The numpy work itself
is the same every step. So (as tinygrad's ``TinyJit`` does with GPU kernels)::

    @TinyJit
    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for x, y in batches:
        loss = step(x, y)     # 1st call: eager; 2nd: eager *and* recorded; then replayed

The first call runs eagerly (it creates the optimiser's state, the momentum buffer's
first-step branch, ...). The second runs eagerly on *traced* arrays
(:mod:`tinygrad_edu.backend.trace`), which write down every numpy call the step makes,
into buffers of their own. The third call runs the step both ways once, eagerly and
replayed from the same starting state, and checks that the two agree (``verify=True``):
that catches a value the trace baked in that changes from step to step. From then on a
call copies the new inputs into the trace's input buffers and replays the list of
``np.<ufunc>(..., out=buffer)`` calls: no Tensor, no graph, no allocation.

State
-----
The parameters, their gradients and the optimiser's state are read and written *in
place*; the jit finds them in the models and optimisers the function refers to by name
(globals and closure variables), or in ``state=[model, opt]``. A step that writes into
an array the jit does not know raises :class:`TraceError`. An optimiser's step counts
and each group's ``lr`` are read afresh at every replay (Adam's bias correction
``1 − β₁ᵗ`` and an LR scheduler work); every other hyper-parameter is baked in.

What is not replayed (as in tinygrad and jax)
----------------------------------------------
* Python: only the numpy calls are replayed. A ``print``, a counter, a list the step
  appends to run at capture time only; ``.item()``/``float()`` of traced data inside
  the step raise :class:`TraceError` (return the loss and read it outside).
* Data-dependent control flow: an ``if`` on array data is recorded as a *guard*; a
  replay whose value differs runs the step eagerly instead (when nothing was written
  yet) or raises :class:`TraceError`. A shape that depends on data (boolean masks) is
  checked the same way.
* A new input shape, dtype, or a different non-Tensor argument is a new signature: it
  is warmed up, captured and verified anew (each signature keeps its trace).
* The results are fresh Tensors without a graph; gradients stay in the trace's buffers
  (``p.grad`` of one step is overwritten by the next, as in tinygrad). CPU only.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .backend.trace import GuardFailed, Recorder, TracedScalar, TraceError, capturing
from .nn.module import Module
from .optim.optimizer import Optimizer
from .tensor import Tensor

__all__ = ["GuardFailed", "TinyJit", "TraceError", "jit"]


class _Trace:
    """One signature's recording: the calls, the input buffers, the state bindings."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.inputs: list[np.ndarray] = []  # the buffers new inputs are copied into
        self.outputs: Any = None  # the result's structure, arrays in place of Tensors
        self.bind: list[tuple[Any, Any, Any]] = []  # (owner, key, object) to set after
        self.carry: list[tuple[np.ndarray, np.ndarray]] = []  # (state array, final buffer)
        self.writeback: list[tuple[dict[str, Any], str, int]] = []  # dict[key] = scalar k
        self.verified = False

    def replay(self, args: list[Any]) -> Any:
        rec = self.recorder
        for buf, x in zip(self.inputs, args, strict=True):
            np.copyto(buf, x.data)
        rec.run_scalars()
        rec.run_calls()
        for state, final in self.carry:  # a step that rebinds state rather than update it
            np.copyto(state, final)
        for owner, key, obj in self.bind:
            _set(owner, key, obj)
        vals = rec.scalars
        for d, key, k in self.writeback:
            d[key] = vals[k]
        return _rebuild(self.outputs)


def _set(owner: Any, key: Any, obj: Any) -> None:
    if isinstance(owner, dict):
        owner[key] = obj
    else:
        setattr(owner, key, obj)


def _get(owner: Any, key: Any) -> Any:
    return owner[key] if isinstance(owner, dict) else getattr(owner, key)


def _rebuild(structure: Any) -> Any:
    """The step's result with fresh Tensors (copies) in place of the recorded arrays."""
    if isinstance(structure, _Out):
        return Tensor.from_numpy(structure.array.copy())
    if isinstance(structure, (tuple, list)):
        return type(structure)(_rebuild(s) for s in structure)
    return structure


class _Out:
    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


class TinyJit:
    """Wrap a function of Tensors (a training step) so that, after a warm-up call and a
    recorded one, its calls replay the recorded numpy work. See the module docstring
    for what is and is not replayed.

    ``state``: the models, optimisers and Tensors the step reads and changes (default:
    those the function names as globals or closure variables). ``verify``: check the
    first replay of each signature against an eager step (costs two steps, once).
    """

    def __init__(self, fn: Callable[..., Any], *, state: Iterable[Any] | None = None,
                 verify: bool = True) -> None:
        self.fn = fn
        self.state = list(state) if state is not None else None
        self.verify = verify
        self._traces: dict[Any, _Trace | int] = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: Any) -> Any:
        key = tuple(_signature(a) for a in args)
        entry = self._traces.get(key)
        if entry is None:  # the warm-up call: eager
            self._traces[key] = 1
            return self.fn(*args)
        if isinstance(entry, int):
            trace, result = self._capture(args)
            self._traces[key] = trace
            return result
        if not entry.verified and self.verify:
            return self._verify(entry, list(args))
        try:
            return entry.replay(list(args))
        except GuardFailed as e:
            if not e.safe:
                raise TraceError(f"{e} — after the step had already changed its state, "
                                 "so it cannot be run eagerly instead") from e
            return self.fn(*args)

    def reset(self) -> None:
        """Forget every trace (e.g. after changing the model's structure)."""
        self._traces.clear()

    # ---- capture -----------------------------------------------------------------------
    def _capture(self, args: tuple[Any, ...]) -> tuple[_Trace, Any]:
        rec = Recorder()
        trace = _Trace(rec)
        tensors, dicts, groups = self._discover()
        before: list[tuple[Any, Any, Any]] = []  # (owner, key, object) when capture began
        scalar_slots: list[tuple[dict[str, Any], str, TracedScalar]] = []
        for t in tensors:
            before.append((t, "data", t.data))
            before.append((t, "grad", t.grad))
            t.data = rec.state(t.data)
            if t.grad is not None:
                t.grad.data = rec.state(t.grad.data)
        for d in dicts:
            for k, v in list(d.items()):
                before.append((d, k, v))
                if isinstance(v, np.ndarray):
                    d[k] = rec.state(v)
                elif isinstance(v, int) and not isinstance(v, bool):  # a step count
                    d[k] = rec.scalar(v, functools.partial(d.__getitem__, k))
                    scalar_slots.append((d, k, d[k]))
        for g in groups:
            lr = g["lr"]
            g["lr"] = rec.scalar(lr, functools.partial(g.__getitem__, "lr"))
            scalar_slots.append((g, "lr", g["lr"]))
        inputs = []
        for a in args:
            if isinstance(a, Tensor):
                buf = rec.buffer(a.data)
                trace.inputs.append(buf.view(np.ndarray))
                inputs.append(Tensor.from_numpy(buf))
            else:
                inputs.append(a)
        error: BaseException | None = None
        result: Any = None
        try:
            with capturing(rec):
                result = self.fn(*inputs)
        except BaseException as e:  # put everything back, then report
            error = e
        self._finish(trace, before, scalar_slots, dicts, tensors, error)
        trace.outputs = self._outputs(rec, result)
        return trace, _rebuild(trace.outputs)

    def _finish(self, trace: _Trace, before: list[tuple[Any, Any, Any]],
                scalar_slots: list[tuple[dict[str, Any], str, TracedScalar]],
                dicts: list[dict[str, Any]], tensors: list[Tensor],
                error: BaseException | None) -> None:
        """Turn every traced value in the state back into a plain one, and note what a
        replay must rebind, carry over or write back."""
        rec = trace.recorder
        for d, k, leaf in scalar_slots:
            cur = d[k]
            if cur is leaf:
                d[k] = leaf.value
            elif isinstance(cur, TracedScalar):
                trace.writeback.append((d, k, cur.index))
                d[k] = cur.value
            elif error is None:
                error = TraceError(f"jit: the step set {k!r} of an optimiser to a value the "
                                   "trace cannot follow (e.g. an LR scheduler stepped "
                                   "inside the step); step it outside the jitted function")
        for d in dicts:
            for k, v in list(d.items()):
                if isinstance(v, TracedScalar):
                    trace.writeback.append((d, k, v.index))
                    d[k] = v.value
        for owner, key, old in before:
            if isinstance(owner, dict) and isinstance(old, (int, float)):
                continue  # the scalars, done above
            new = _get(owner, key)
            if isinstance(owner, Tensor) and key == "grad":
                if new is not None:
                    new.data = rec.untrace(new.data)
                if old is not None:
                    old.data = rec.untrace(old.data)
                old_array = None if old is None else old.data
                new_array = None if new is None else new.data
            else:
                new = rec.untrace(new)
                _set(owner, key, new)
                old_array, new_array = rec.untrace(old), new
            if new_array is old_array or new_array is None or old_array is None:
                if new is not old:
                    trace.bind.append((owner, key, new))
                continue
            if id(_root_of(old_array)) in rec.touched and not np.shares_memory(
                    old_array, new_array):
                # the step read the old array and then put a new one in its place: the
                # next replay reads the old one again, so carry the new values into it
                trace.carry.append((old_array, new_array))
                np.copyto(old_array, new_array)
                if isinstance(owner, Tensor) and key == "grad":
                    _set(owner, key, old)
                    old.data = old_array
                else:
                    _set(owner, key, old_array)
            elif new is not old:
                trace.bind.append((owner, key, new))
        for t in tensors:  # state made during the capture (a first gradient)
            if t.grad is not None:
                t.grad.data = rec.untrace(t.grad.data)
        if error is not None:
            raise error

    def _outputs(self, rec: Recorder, result: Any) -> Any:
        if isinstance(result, Tensor):
            data = rec.untrace(result.data)
            if not isinstance(data, np.ndarray):
                raise TraceError("jit: only CPU tensors can be traced")
            return _Out(data)
        if isinstance(result, (tuple, list)):
            return type(result)(self._outputs(rec, r) for r in result)
        if isinstance(result, (np.ndarray, TracedScalar)):
            raise TraceError("jit: return Tensors (or None, or constants) from the step, "
                             f"not a {type(result).__name__}")
        return result

    def _discover(self) -> tuple[list[Tensor], list[dict[str, Any]], list[dict[str, Any]]]:
        """(tensors, optimiser state dicts, parameter groups) the step may touch."""
        found = self.state if self.state is not None else _referenced(self.fn)
        tensors: dict[int, Tensor] = {}
        dicts: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        for obj in found:
            if isinstance(obj, Module):
                for t in [*obj.parameters(), *obj.buffers()]:
                    tensors.setdefault(id(t), t)
            elif isinstance(obj, Optimizer):
                for g in obj.param_groups:
                    groups.append(g)
                    for p in g["params"]:
                        tensors.setdefault(id(p), p)
                dicts.extend(obj.state.values())
            elif isinstance(obj, Tensor):
                tensors.setdefault(id(obj), obj)
        for t in tensors.values():
            if t.device != "cpu":
                raise TraceError("jit: only CPU tensors can be traced (the recorder "
                                 "records numpy calls)")
        return list(tensors.values()), dicts, groups

    # ---- the first replay, checked against an eager step ------------------------------
    def _verify(self, trace: _Trace, args: list[Any]) -> Any:
        tensors, dicts, groups = self._discover()
        start = _snapshot(tensors, dicts, groups)
        eager = self.fn(*args)
        eager_flat = [np.array(t.data) for t in _tensors_in(eager)]
        after_eager = _snapshot(tensors, dicts, groups)
        _restore(start)
        try:
            replayed = trace.replay(args)
        except GuardFailed:
            _restore(after_eager)
            return eager
        problems = [f"the result #{i}" for i, (a, t) in enumerate(
            zip(eager_flat, _tensors_in(replayed), strict=True)) if not _same(a, t.data)]
        problems += _differences(after_eager, _snapshot(tensors, dicts, groups))
        if problems:
            _restore(after_eager)
            del self._traces[next(k for k, v in self._traces.items() if v is trace)]
            raise TraceError(
                "jit: replaying the recorded step did not give what running it gave ("
                + ", ".join(problems[:4]) + (", ..." if len(problems) > 4 else "")
                + "): the step depends on something the trace froze at capture time "
                "(a Python value that changes between steps, state the jit was not "
                "given). The state is that of the eager step; run this step without "
                "the jit, or make the changing value an array or optimiser state.")
        trace.verified = True
        return replayed


def jit(fn: Callable[..., Any] | None = None, **options: Any) -> Any:
    """``@jit`` or ``@jit(state=[...], verify=False)``: the same as :class:`TinyJit`."""
    if fn is None:
        return lambda f: TinyJit(f, **options)
    return TinyJit(fn, **options)


def _signature(a: Any) -> Any:
    if isinstance(a, Tensor):
        if a.requires_grad:
            raise TraceError("jit: an input that requires grad is not supported (its "
                             ".grad would live in the trace); pass data tensors")
        if a.device != "cpu":
            raise TraceError("jit: only CPU tensors can be traced")
        return ("tensor", a.shape, a.dtype.str)
    try:
        hash(a)
    except TypeError:
        raise TraceError(f"jit: a non-Tensor argument must be hashable (it is part of "
                         f"the signature, baked into the trace), got {type(a).__name__}"
                         ) from None
    return ("value", type(a), a)


def _referenced(fn: Callable[..., Any], depth: int = 3) -> list[Any]:
    """The objects ``fn`` names as globals or closure variables (and its ``self``), and
    those of the functions it names in turn (``depth`` levels: a lambda around a step)."""
    found: list[Any] = []
    target = getattr(fn, "__func__", fn)
    if hasattr(fn, "__self__"):
        found.append(fn.__self__)
    code = getattr(target, "__code__", None)
    if code is None:
        return found
    glob = getattr(target, "__globals__", {})
    found += [glob[n] for n in code.co_names if n in glob]
    found += [c.cell_contents for c in (target.__closure__ or ())
              if _cell_full(c)]
    more: list[Any] = []
    for obj in found:  # one level into lists, tuples and dicts of models/optimisers
        if isinstance(obj, (list, tuple)):
            more += list(obj)
        elif isinstance(obj, dict):
            more += list(obj.values())
        elif depth > 1 and isinstance(obj, types.FunctionType) and obj is not target:
            more += _referenced(obj, depth - 1)
    return found + more


def _cell_full(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018  # an empty cell raises
    except ValueError:
        return False
    return True


def _root_of(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _tensors_in(x: Any) -> list[Tensor]:
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (tuple, list)):
        return [t for v in x for t in _tensors_in(v)]
    return []


Snapshot = list[tuple[Any, Any, Any, Any]]  # (owner, key, object, copy of its values)


def _snapshot(tensors: list[Tensor], dicts: list[dict[str, Any]],
              groups: list[dict[str, Any]]) -> Snapshot:
    snap: Snapshot = []
    for t in tensors:
        snap.append((t, "data", t.data, np.array(t.data)))
        snap.append((t, "grad", t.grad, None if t.grad is None else np.array(t.grad.data)))
    for d in dicts:
        for k, v in d.items():
            snap.append((d, k, v, np.array(v) if isinstance(v, np.ndarray) else v))
    snap += [(g, "lr", g["lr"], g["lr"]) for g in groups]
    return snap


def _restore(snap: Snapshot) -> None:
    for owner, key, obj, values in snap:
        _set(owner, key, obj)
        if isinstance(obj, Tensor):
            np.copyto(obj.data, values)
        elif isinstance(obj, np.ndarray):
            np.copyto(obj, values)


def _differences(expected: Snapshot, got: Snapshot) -> list[str]:
    out = []
    for (owner, key, _, want), (_, _, _, have) in zip(expected, got, strict=True):
        if isinstance(want, np.ndarray) or isinstance(have, np.ndarray):
            same = want is not None and have is not None and _same(want, have)
        else:
            same = want == have
        if not same:
            what = f"a tensor of shape {owner.shape}" if isinstance(owner, Tensor) else \
                "optimiser state"
            out.append(f"{what}: {key}")
    return out


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    return bool(np.allclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True))
