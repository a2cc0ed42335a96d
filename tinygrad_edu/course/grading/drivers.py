"""How a check calls into a module: the same code runs the reference and the submission.

A *driver* takes a module (the reference in the grader, the submission in the child),
the name of what to call, positional and keyword arguments, and options, and returns
plain data (numbers, arrays, tuples, dicts). It never decides pass or fail: the grader
compares what comes back with what the reference gives.

- ``call``: ``module.<function>(*args, **kwargs)``.
- ``function``: a :class:`tinygrad_edu.Function` subclass: ``apply`` it to Tensors that
  require grad and, if an upstream gradient ``u`` is given, back-propagate ``sum(out * u)``
  and return the output and the input gradients.
- ``cuda_kernel``: a ``numba.cuda.jit`` kernel ``kernel(out, *args)`` (``out`` zeros of
  ``options["out_shape"]``, or shaped like ``args[options["out_like"]]``), launched on a grid
  with more threads than elements (so a missing bounds check shows) and run in the
  simulator when ``NUMBA_ENABLE_CUDASIM=1`` is set in the child's environment.

Tensors in a result become numpy arrays. This module imports only numpy at import time
because the child harness loads it before the submission.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

Driver = Callable[[ModuleType, str, tuple, dict, dict], Any]
_THREAD_PREFIX = re.compile(r"tid=\[[\d, ]*\] ctaid=\[[\d, ]*\]:\s*")
_BAD_INDEX = re.compile(r"index -?\d+ is out of bounds for axis (\d+) with size (\d+)")


class MissingName(AttributeError):
    """The module does not define what the check calls."""


def lookup(module: ModuleType, name: str) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise MissingName(f"the submission does not define `{name}`") from None


def to_plain(value: Any) -> Any:
    """Tensors → arrays, recursively; everything else is left for the codec to judge."""
    if isinstance(value, (list, tuple)):
        plain = [to_plain(v) for v in value]
        return tuple(plain) if isinstance(value, tuple) else plain
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if type(value).__name__ == "Tensor" and hasattr(value, "numpy"):
        return np.asarray(value.numpy())
    return value


def call(module: ModuleType, name: str, args: tuple, kwargs: dict, options: dict) -> Any:
    return to_plain(lookup(module, name)(*args, **kwargs))


def function(module: ModuleType, name: str, args: tuple, kwargs: dict, options: dict) -> Any:
    """Options: ``upstream`` (an array, "ones", or None for the forward only) and
    ``second_order`` (also return d/dx of sum(x.grad), which needs a backward written
    with Tensor operations)."""
    from tinygrad_edu import Tensor  # the core, imported only for Function exercises

    cls = lookup(module, name)
    inputs = [Tensor(np.array(a), dtype=np.float64, requires_grad=True) for a in args]
    out = cls.apply(*inputs, **kwargs)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}.apply returned {type(out).__name__}, not a Tensor")
    upstream = options.get("upstream")
    if upstream is None:
        return np.asarray(out.numpy())
    u = np.ones(out.shape) if isinstance(upstream, str) else np.asarray(upstream, np.float64)
    second = bool(options.get("second_order"))
    out.backward(Tensor(u, dtype=np.float64), create_graph=second)
    grads = tuple(None if t.grad is None else np.asarray(t.grad.numpy()) for t in inputs)
    result: dict[str, Any] = {"out": np.asarray(out.numpy()), "grads": grads}
    if second:
        first = inputs[0].grad
        inputs[0].grad = None
        if first is None or not first.requires_grad:
            raise TypeError(
                f"{name}.backward returned a gradient that is not part of a graph: build it "
                "from Tensor operations on the Tensors in ctx.saved_tensors, not from .data"
            )
        first.sum().backward()
        g2 = inputs[0].grad
        result["second"] = None if g2 is None else np.asarray(g2.numpy())
    return result


def cuda_kernel(module: ModuleType, name: str, args: tuple, kwargs: dict, options: dict) -> Any:
    kernel = lookup(module, name)
    if not hasattr(kernel, "__getitem__") or not hasattr(kernel, "py_func"):
        raise TypeError(f"`{name}` is not a numba.cuda.jit kernel (missing @cuda.jit?)")
    # The output is shaped like args[out_like], or given as out_shape.
    like = options.get("out_like")
    shape = np.shape(args[int(like)]) if like is not None else tuple(options["out_shape"])
    out = np.zeros(shape, dtype=np.dtype(options.get("out_dtype", "f8")))
    threads = int(options.get("threads_per_block", 32))
    # One block more than needed: threads past the end must leave memory alone.
    blocks = (out.size + threads - 1) // threads + 1
    try:
        kernel[blocks, threads](out, *args, **kwargs)
    except Exception as exc:
        # The simulator names the first thread that failed ("tid=[14, 0, 0] ctaid=[0, 0, 0]:
        # index 14 is out of bounds ..."); which one comes first varies from run to run, and
        # the report must not. Keep the kind of error, drop the thread and the index.
        message = _THREAD_PREFIX.sub("", str(exc))
        message = _BAD_INDEX.sub(r"an index is out of bounds for axis \1 with size \2", message)
        try:
            clean = type(exc)(f"in a kernel thread: {message}")
        except Exception:  # noqa: BLE001 - an exception type with another signature
            raise exc from None
        raise clean.with_traceback(exc.__traceback__) from None
    return out


DRIVERS: dict[str, Driver] = {"call": call, "function": function, "cuda_kernel": cuda_kernel}


def run(module: ModuleType, spec: dict) -> Any:
    """Run one call described by ``spec`` (driver, function, args, kwargs, options)."""
    driver = DRIVERS[spec.get("driver", "call")]
    return driver(
        module,
        spec["function"],
        tuple(spec.get("args", ())),
        dict(spec.get("kwargs", {})),
        dict(spec.get("options", {})),
    )
