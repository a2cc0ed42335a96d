"""A recorder of numpy work: run code once on *traced* arrays, keep the list of numpy
calls it made, and replay that list later with the same buffers, as plain numpy.

This is the array half of :mod:`tinygrad_edu.jit` (which knows about Tensors, modules
and optimisers); this half knows only numpy. The idea, in four lines::

    x ──► TracedArray (an ndarray subclass)      every ufunc on it calls __array_ufunc__,
    np.matmul(x, w)  ─► we compute it on plain   every np.* function __array_function__,
                        arrays, copy the result  and a few methods we override
                        into a buffer of our own ─► record "np.matmul(x, w, out=buf)"

Replaying is then a loop over ``np.<ufunc>(..., out=buf)`` calls: no Tensor, no graph,
no allocation. Views (reshape, transpose, basic slicing) need no record at all: a view
of a buffer that is reused in place stays a view of the right memory.

What a replay sees, and what it cannot
--------------------------------------
An argument of a recorded call is one of:

* a buffer the recorder made (the result of an earlier call), or a view of one;
* a *state* array declared with :meth:`Recorder.state` (a parameter, a gradient, an
  optimiser's moment estimate): read and written *in place* by reference;
* a :class:`TracedScalar` (a Python number declared variable, such as Adam's step
  count ``t`` or a learning rate a scheduler changes): its arithmetic is recorded as a
  tiny *scalar program* that a replay runs first;
* anything else is a constant, frozen at capture time (a Python float, a ``np.ones``
  made fresh each step).

Python control flow cannot be recorded. ``bool(traced)`` (an ``if`` on data) records a
*guard*: a replay checks that the value is the same and stops otherwise
(:class:`GuardFailed`). ``float()``, ``int()``, ``.item()`` and ``.tolist()`` of
traced data raise :class:`TraceError`: the number would be baked into the trace. So does
any method that makes new memory behind the recorder's back, and a write into an array
that is neither a buffer of the trace nor declared state.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np


class TraceError(RuntimeError):
    """The traced code did something a replay could not reproduce faithfully."""


class GuardFailed(Exception):
    """A replay reached an ``if`` on data whose outcome differs from the capture's.

    ``safe``: no state had been written yet, so the caller may run the step eagerly
    instead."""

    def __init__(self, message: str, safe: bool) -> None:
        super().__init__(message)
        self.safe = safe


_ACTIVE: Recorder | None = None  # the recorder of the capture under way (one at a time)


def _root(a: Any) -> Any:
    """The array that owns ``a``'s memory (follows ``.base``)."""
    while isinstance(getattr(a, "base", None), np.ndarray):
        a = a.base
    return a


def _plain(a: Any) -> Any:
    """A TracedArray as a plain ndarray view of the same memory; anything else as is."""
    return a.view(np.ndarray) if isinstance(a, TracedArray) else a


def _unwrap(x: Any) -> Any:
    """``_plain`` through tuples and lists (for calls made outside any capture)."""
    if isinstance(x, (tuple, list)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, TracedScalar):
        return x.value
    return _plain(x)


class _ScalarRef:
    """Marks an argument that a replay takes from the scalar program's values."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class Recorder:
    """The trace being captured: buffers, the call list, the scalar program."""

    def __init__(self) -> None:
        self.calls: list[Callable[[], Any]] = []
        self.scalar_program: list[Callable[[list[Any]], Any]] = []
        self.scalars: list[Any] = []  # the scalar program's values (refilled by a replay)
        self.private: set[int] = set()  # ids of the roots of our buffers (and inputs)
        self.state_roots: set[int] = set()  # ids of the roots of declared state
        self.touched: set[int] = set()  # ids of the state roots a recorded call used
        self.wrote_state = False  # has a recorded call written state yet?
        self._orig: dict[int, np.ndarray] = {}  # id(wrapper) → the declared array
        self._keep: list[Any] = []  # keeps wrappers alive, so their ids stay unique

    # ---- what the caller declares --------------------------------------------------
    def buffer(self, value: Any) -> TracedArray:
        """A new C-contiguous buffer of ours holding ``value`` (an array or scalar)."""
        arr = np.asarray(value)
        buf = np.ndarray.__new__(TracedArray, arr.shape, arr.dtype)
        np.copyto(buf.view(np.ndarray), arr)
        self.private.add(id(buf))
        self._keep.append(buf)
        return buf

    def state(self, arr: np.ndarray) -> TracedArray:
        """A traced view of a state array, which calls read and write in place."""
        if type(arr) is not np.ndarray:
            raise TraceError(f"jit: state must be a numpy array, got {type(arr).__name__} "
                             "(only the CPU backend can be traced)")
        wrapper = arr.view(TracedArray)
        self.state_roots.add(id(_root(arr)))
        self._orig[id(wrapper)] = arr
        self._keep.append(wrapper)
        return wrapper

    def scalar(self, value: Any, read: Callable[[], Any]) -> TracedScalar:
        """A Python number whose value a replay reads afresh with ``read()``."""
        return self._scalar_node(lambda vals: read(), value)

    def untrace(self, a: Any) -> Any:
        """The plain array behind a TracedArray (the declared one itself for state)."""
        if isinstance(a, TracedArray):
            return self._orig.get(id(a), a.view(np.ndarray))
        return a

    def is_known(self, a: Any) -> bool:
        return id(_root(a)) in self.private or id(_root(a)) in self.state_roots

    # ---- replay ----------------------------------------------------------------------
    def run_scalars(self) -> None:
        vals = self.scalars
        for k, node in enumerate(self.scalar_program):
            vals[k] = node(vals)

    def run_calls(self) -> None:
        with np.errstate(all="ignore"):  # as the CPU backend's ops, which silence numpy
            for call in self.calls:
                call()

    # ---- recording -----------------------------------------------------------------
    def _scalar_node(self, fn: Callable[[list[Any]], Any], value: Any) -> TracedScalar:
        self.scalar_program.append(fn)
        self.scalars.append(value)
        return TracedScalar(value, len(self.scalars) - 1)

    def scalar_op(self, op: Callable[..., Any], *operands: Any) -> TracedScalar:
        """Record ``op(*operands)`` on Python numbers, some of them traced."""
        specs = [(o.index, True) if isinstance(o, TracedScalar) else (o, False)
                 for o in operands]
        value = op(*(o.value if isinstance(o, TracedScalar) else o for o in operands))
        return self._scalar_node(
            lambda vals: op(*(vals[s] if ref else s for s, ref in specs)), value)

    def _arg(self, x: Any, write: bool = False) -> Any:
        """(the value to compute with now, what a replay passes) for one argument."""
        if isinstance(x, TracedScalar):
            return x.value, _ScalarRef(x.index)
        if isinstance(x, (tuple, list)):
            pairs = [self._arg(v, write) for v in x]
            return type(x)(p[0] for p in pairs), type(x)(p[1] for p in pairs)
        if isinstance(x, np.ndarray):
            plain = _plain(x)
            root = id(_root(plain))
            if root in self.state_roots:
                self.touched.add(root)
                if write:
                    self.wrote_state = True
            elif write and root not in self.private:
                raise TraceError(
                    f"jit: the step writes into an array of shape {plain.shape} that is "
                    "neither made inside the step nor declared state; declare the model "
                    "or optimiser it belongs to (TinyJit(fn, state=[...]))")
            return plain, plain
        return x, x

    def _make_call(self, fn: Callable[..., Any], specs: Any, kwargs: dict[str, Any]
                   ) -> Callable[[], Any]:
        """A no-argument function that makes the recorded call with today's scalars."""
        refs = [i for i, s in enumerate(specs) if isinstance(s, _ScalarRef)]
        if not refs and not any(isinstance(v, _ScalarRef) for v in kwargs.values()):
            return functools.partial(fn, *specs, **kwargs)
        if any(isinstance(v, _ScalarRef) for v in kwargs.values()):
            raise TraceError("jit: a traced scalar as a keyword argument is not supported")
        vals, template = self.scalars, list(specs)
        where = [(i, specs[i].index) for i in refs]

        def call() -> Any:
            args = template.copy()
            for i, k in where:
                args[i] = vals[k]
            return fn(*args, **kwargs)
        return call

    def ufunc(self, ufunc: np.ufunc, method: str, inputs: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
        if not any(isinstance(i, np.ndarray) for i in inputs) and "out" not in kwargs:
            # only Python numbers, some traced: part of the scalar program
            return self.scalar_op(lambda *a: getattr(ufunc, method)(*a, **kwargs), *inputs)
        now, specs = zip(*(self._arg(i, write=(method == "at" and k == 0))
                           for k, i in enumerate(inputs)), strict=True)
        kw_now, kw_specs = {}, {}
        for k, v in kwargs.items():
            if k == "out":
                continue
            kw_now[k], kw_specs[k] = self._arg(v)
        fn = getattr(ufunc, method)
        if method == "at":  # ufunc.at(a, index, values): in place on a, returns None
            fn(*now, **kw_now)
            self.calls.append(self._make_call(fn, specs, kw_specs))
            return None
        out = kwargs.get("out")
        if out is not None:
            out_plain = tuple(None if o is None else self._arg(o, write=True)[0] for o in out)
            fn(*now, out=out_plain, **kw_now)
            self.calls.append(self._make_call(fn, specs, {**kw_specs, "out": out_plain}))
            return out[0] if len(out) == 1 else out
        result = fn(*now, **kw_now)
        results = result if isinstance(result, tuple) else (result,)
        bufs = tuple(self.buffer(r) for r in results)
        self.calls.append(self._make_call(
            fn, specs, {**kw_specs, "out": tuple(b.view(np.ndarray) for b in bufs)}))
        return bufs if isinstance(result, tuple) else bufs[0]

    def function(self, func: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        """Any other numpy function or ndarray method on traced arrays."""
        if func in _METADATA:
            return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        if any(isinstance(a, TracedScalar) for a in _flat((args, kwargs))):
            raise TraceError(f"jit: {_name(func)} with a traced Python number is not "
                             "supported; compute with arrays")
        now, specs = self._arg(list(args))
        kw_now = {k: self._arg(v)[0] for k, v in kwargs.items()}
        if func in _MUTATING:
            self._arg(args[0], write=True)
            func(*now, **kw_now)
            self.calls.append(functools.partial(func, *specs, **kw_now))
            return None
        result = func(*now, **kw_now)
        roots = {id(_root(a)) for a in _flat(now) if isinstance(a, np.ndarray)}
        traced_roots = {id(_root(_plain(a))) for a in _flat(args)
                        if isinstance(a, TracedArray)}
        single = not isinstance(result, (tuple, list))
        results = [result] if single else list(result)
        out: list[Any] = []
        fresh: list[tuple[int, np.ndarray]] = []
        for k, r in enumerate(results):
            if isinstance(r, np.ndarray) and id(_root(r)) in roots:
                # a view of an argument: of a traced one it stays traced, needs no record
                out.append(r.view(TracedArray) if id(_root(r)) in traced_roots else r)
            elif isinstance(r, (np.ndarray, np.generic)):
                buf = self.buffer(r)
                fresh.append((k, buf.view(np.ndarray)))
                out.append(buf)
            else:
                raise TraceError(f"jit: {_name(func)} returned a Python "
                                 f"{type(r).__name__} computed from traced data")
        if fresh:
            self.calls.append(_fast_replay(func, specs, kw_now, fresh, single)
                              or functools.partial(_store, func, specs, kw_now, single, fresh,
                                                   not self.wrote_state))
        return out[0] if single else type(result)(out)

    def guard(self, a: TracedArray) -> bool:
        """``bool(a)``: the value now, and a check that every replay sees the same."""
        plain = a.view(np.ndarray)
        value = bool(plain)
        safe = not self.wrote_state
        self._arg(a)

        def check() -> None:
            if bool(plain) != value:
                raise GuardFailed(
                    f"jit: the step branched on a value that was {value} when it was "
                    f"captured and is {not value} now (data-dependent control flow)", safe)
        self.calls.append(check)
        return value


def _store(func: Callable[..., Any], specs: list[Any], kwargs: dict[str, Any], single: bool,
           fresh: list[tuple[int, np.ndarray]], safe: bool) -> None:
    """Replay of a call that makes new memory: call it, check shapes, copy into buffers."""
    result = func(*specs, **kwargs)
    results = [result] if single else result
    for k, buf in fresh:
        r = results[k]
        if np.shape(r) != buf.shape:
            raise GuardFailed(f"jit: {_name(func)} gave shape {np.shape(r)} where the "
                              f"capture had {buf.shape} (a shape that depends on data)", safe)
        np.copyto(buf, r)


def _fast_replay(func: Callable[..., Any], specs: list[Any], kwargs: dict[str, Any],
                 fresh: list[tuple[int, np.ndarray]], single: bool) -> Any:
    """A replay of ``func`` that writes straight into its buffer, for the common calls
    whose result's shape cannot depend on data (None: use the general ``_store``)."""
    if not single:
        return None
    buf = fresh[0][1]
    if func in _OUT_FUNCS:
        return functools.partial(func, *specs, out=buf, **kwargs)
    if func in (np.ndarray.astype, np.ndarray.copy):  # a cast or a copy: np.copyto
        return functools.partial(np.copyto, buf, specs[0], casting="unsafe")
    if func is np.where and len(specs) == 3 and not kwargs:
        cond, a, b = specs
        return functools.partial(_where_into, buf, cond, a, b)
    return None


def _where_into(buf: np.ndarray, cond: Any, a: Any, b: Any) -> None:
    """np.where(cond, a, b) into ``buf``: b everywhere, then a where cond holds."""
    np.copyto(buf, b, casting="unsafe")
    np.copyto(buf, a, casting="unsafe", where=cond)


_OUT_FUNCS = {np.sum, np.max, np.min, np.prod, np.any, np.all, np.amax, np.amin, np.mean,
              np.matmul, np.dot, np.clip, np.cumsum, np.cumprod}


def _flat(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [v for item in x for v in _flat(item)]
    if isinstance(x, dict):
        return _flat(list(x.values()))
    return [x]


def _name(func: Any) -> str:
    return getattr(func, "__qualname__", getattr(func, "__name__", repr(func)))


_METADATA = {np.shape, np.ndim, np.size, np.result_type, np.may_share_memory,
             np.shares_memory, np.iscomplexobj, np.isrealobj, np.min_scalar_type}
_MUTATING = {np.copyto, np.put_along_axis, np.putmask, np.place, np.put, np.fill_diagonal}


class TracedArray(np.ndarray):
    """An ndarray whose numpy calls are recorded while a capture is under way (and which
    behaves as a plain ndarray otherwise)."""

    def __array_finalize__(self, obj: Any) -> None:
        # numpy made a new TracedArray: fine for a view; new memory means some method
        # computed values the recorder did not see
        if _ACTIVE is None or obj is None or self.size == 0:
            return
        if not isinstance(obj, np.ndarray) or not np.may_share_memory(
                self.view(np.ndarray), obj.view(np.ndarray)):
            raise TraceError("jit: an operation made a new array from traced data without "
                             "going through numpy's ufuncs or functions, so a replay could "
                             "not repeat it (e.g. argmax, sort); it cannot be traced")

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any,
                        **kwargs: Any) -> Any:
        return _dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if _ACTIVE is None:
            return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return _ACTIVE.function(func, args, kwargs)

    def _method(self, name: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(np.ndarray, name)
        if _ACTIVE is None:
            return method(self.view(np.ndarray), *_unwrap(args), **kwargs)
        return _ACTIVE.function(method, (self, *args), kwargs)

    def astype(self, dtype: Any, order: Any = "K", casting: Any = "unsafe",
               subok: bool = True, copy: Any = True) -> Any:  # type: ignore[override]
        if not copy and np.dtype(dtype) == self.dtype:
            return self
        return self._method("astype", dtype, order=order, casting=casting, copy=copy)

    def copy(self, order: Any = "C") -> Any:
        return self._method("copy", order)

    def __getitem__(self, key: Any) -> Any:
        if _ACTIVE is None:
            return np.ndarray.__getitem__(self, key)
        return _ACTIVE.function(operator.getitem, (self, key), {})

    def __setitem__(self, key: Any, value: Any) -> None:
        if _ACTIVE is None:
            np.ndarray.__setitem__(self.view(np.ndarray), _unwrap(key), _unwrap(value))
            return
        rec = _ACTIVE
        now, specs = rec._arg([self, key, value])
        rec._arg(self, write=True)
        operator.setitem(*now)
        rec.calls.append(rec._make_call(operator.setitem, specs, {}))

    def __bool__(self) -> bool:
        if _ACTIVE is None:
            return bool(self.view(np.ndarray))
        return _ACTIVE.guard(self)

    def __repr__(self) -> str:
        return f"<traced array {self.shape} {self.dtype}>"


for _name_ in ("reshape", "ravel", "flatten", "argmax", "argmin", "argsort", "dot",
               "nonzero", "take", "repeat", "diagonal", "trace", "round", "conj",
               "cumsum", "cumprod", "searchsorted", "compress", "choose", "squeeze",
               "swapaxes", "clip", "ptp"):
    setattr(TracedArray, _name_, functools.partialmethod(TracedArray._method, _name_))


def _refused(name: str) -> Callable[..., Any]:
    """A method that reads traced data into Python (or changes it in place in a way we do
    not record): refused during a capture, the plain ndarray's method otherwise."""
    def method(self: TracedArray, *args: Any, **kwargs: Any) -> Any:
        if _ACTIVE is None:
            return getattr(np.ndarray, name)(self.view(np.ndarray), *args, **kwargs)
        raise TraceError(f"jit: the step calls {name} on traced data: it reads a value "
                         "into Python (.item(), float(), int(), .tolist()) that the trace "
                         "would bake in, or changes an array in a way it does not record. "
                         "Return the Tensor from the step and read it outside")
    return method


for _name_ in ("item", "tolist", "tobytes", "__float__", "__int__", "__complex__",
               "__index__", "__contains__", "fill", "sort", "partition", "put", "resize"):
    setattr(TracedArray, _name_, _refused(_name_))


def _dispatch_ufunc(ufunc: np.ufunc, method: str, inputs: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
    if _ACTIVE is None:
        out = kwargs.get("out")
        if out is not None:
            kwargs = {**kwargs, "out": tuple(_plain(o) for o in out)}
        return getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
    return _ACTIVE.ufunc(ufunc, method, inputs, kwargs)


def _refuse(self: TracedScalar, *args: Any) -> Any:
    raise TraceError(
        f"jit: a Python number the trace treats as variable (value {self.value!r}, e.g. "
        "an optimiser's step count or learning rate) was compared, converted or "
        "branched on; the trace can only follow + − × ÷ and ** on it")


class TracedScalar:
    """A Python number read afresh at each replay (a step count, a learning rate):
    arithmetic on it is recorded into the scalar program; comparisons and conversions
    raise :class:`TraceError`."""

    __slots__ = ("value", "index")

    def __init__(self, value: Any, index: int) -> None:
        self.value, self.index = value, index

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any,
                        **kwargs: Any) -> Any:
        return _dispatch_ufunc(ufunc, method, inputs, kwargs)

    def __repr__(self) -> str:
        return f"<traced scalar {self.value!r}>"

    __bool__ = __float__ = __int__ = __index__ = __hash__ = _refuse  # type: ignore[assignment]
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse  # type: ignore[assignment]


def _binary(py_op: Callable[[Any, Any], Any], ufunc: np.ufunc, reflected: bool
            ) -> Callable[[TracedScalar, Any], Any]:
    def method(self: TracedScalar, other: Any) -> Any:
        a, b = (other, self) if reflected else (self, other)
        if isinstance(other, np.ndarray):
            return ufunc(a, b)
        if isinstance(other, (TracedScalar, int, float, np.generic)):
            if _ACTIVE is None:
                raise TraceError("jit: a traced scalar was used after its capture ended")
            return _ACTIVE.scalar_op(py_op, a, b)
        return NotImplemented
    return method


for _op_name, _py, _uf in (("add", operator.add, np.add), ("sub", operator.sub, np.subtract),
                           ("mul", operator.mul, np.multiply),
                           ("truediv", operator.truediv, np.true_divide),
                           ("pow", operator.pow, np.power)):
    setattr(TracedScalar, f"__{_op_name}__", _binary(_py, _uf, False))
    setattr(TracedScalar, f"__r{_op_name}__", _binary(_py, _uf, True))
TracedScalar.__neg__ = lambda self: _ACTIVE.scalar_op(operator.neg, self)  # type: ignore


class capturing:
    """``with capturing(recorder):`` makes ``recorder`` the one that records."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def __enter__(self) -> Recorder:
        global _ACTIVE
        if _ACTIVE is not None:
            raise TraceError("jit: a capture is already under way (a jitted function "
                             "cannot call another one while it is being captured)")
        _ACTIVE = self.recorder
        return self.recorder

    def __exit__(self, *exc: object) -> None:
        global _ACTIVE
        _ACTIVE = None
