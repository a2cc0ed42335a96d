"""Creation ops: new tensors from a shape, a range or a distribution (``Tensor.zeros`` and
friends live in tensor.py; these are the rest of PyTorch's factories).

Every random factory takes ``seed=``: an int (a fresh ``numpy.random.Generator`` seeded
with it) or a Generator (used as is, so one stream can thread through several calls), as
:func:`tinygrad_edu.rng.make_rng`. PyTorch's ``generator=`` is accepted as another name for
it. The same seed gives the same numbers — numpy's, not PyTorch's: the streams differ.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import autograd, dtypes
from ..backend import get_backend, normalize_device
from ..rng import Seed, make_rng
from . import operands

if TYPE_CHECKING:
    from ..tensor import Tensor


def _tensor_cls() -> type[Tensor]:
    from ..tensor import Tensor

    return Tensor


def _make(arr: np.ndarray, dtype: Any, requires_grad: bool, device: str | None,
          default: Any = "float32") -> Tensor:
    """A new tensor around host array ``arr`` (moved to ``device``), as ``dtype``."""
    want = dtypes.resolve(dtype) or dtypes.resolve(default)
    arr = np.asarray(arr)
    if want is not None and arr.dtype != want:
        arr = arr.astype(want)
    dev = normalize_device(device)
    t = _tensor_cls()._wrap(arr if dev == "cpu" else get_backend(dev).asarray(arr), dev)
    return t.requires_grad_(requires_grad) if requires_grad else t


def zeros(*shape: Any, dtype: Any = "float32", requires_grad: bool = False,
          device: str | None = None) -> Tensor:
    """A tensor of zeros; ``zeros(2, 3)`` and ``zeros((2, 3))`` alike."""
    return _make(np.zeros(operands.shape_arg(shape, "zeros"), dtypes.resolve(dtype)), None,
                 requires_grad, device, dtype)


def ones(*shape: Any, dtype: Any = "float32", requires_grad: bool = False,
         device: str | None = None) -> Tensor:
    """A tensor of ones."""
    return _make(np.ones(operands.shape_arg(shape, "ones"), dtypes.resolve(dtype)), None,
                 requires_grad, device, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: str | None = None) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype: ``dtype``, else from the value)."""
    arr = np.full(operands.shape_arg((shape,), "full"), fill_value)
    return _make(arr, dtype, requires_grad, device, dtypes.default_for(arr))


def arange(start: float, stop: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: str | None = None) -> Tensor:
    """start, start + step, … up to (not including) stop; ``arange(n)`` is 0 … n − 1."""
    if stop is None:
        start, stop = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (stop - start) * step < 0:
        raise ValueError(f"arange: upper bound and lower bound inconsistent with step "
                         f"sign (start={start}, end={stop}, step={step})")
    arr = np.arange(start, stop, step)
    return _make(arr, dtype, requires_grad, device, dtypes.default_for(arr))


def eye(n: int, m: int | None = None, dtype: Any = "float32", requires_grad: bool = False,
        device: str | None = None) -> Tensor:
    """The n×m identity matrix."""
    return _make(np.eye(n, m), dtype, requires_grad, device)


def rand(*shape: Any, seed: Seed = None, dtype: Any = "float32", requires_grad: bool = False,
         device: str | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    return _make(make_rng(seed).random(operands.shape_arg(shape, "rand")), dtype,
                 requires_grad, device)


def randn(*shape: Any, seed: Seed = None, dtype: Any = "float32", requires_grad: bool = False,
          device: str | None = None) -> Tensor:
    """Standard normal N(0, 1)."""
    return _make(make_rng(seed).standard_normal(operands.shape_arg(shape, "randn")), dtype,
                 requires_grad, device)


def uniform(*shape: Any, low: float = 0.0, high: float = 1.0, seed: Seed = None,
            dtype: Any = "float32", requires_grad: bool = False,
            device: str | None = None) -> Tensor:
    """Uniform on [low, high)."""
    arr = make_rng(seed).uniform(low, high, operands.shape_arg(shape, "uniform"))
    return _make(arr, dtype, requires_grad, device)


def zeros_like(x: Tensor, dtype: Any = None) -> Tensor:
    """Zeros of ``x``'s shape, dtype (or ``dtype``) and device."""
    return x._constant(x.backend.zeros(x.shape, dtypes.resolve(dtype) or x.dtype))


def ones_like(x: Tensor, dtype: Any = None) -> Tensor:
    """Ones of ``x``'s shape, dtype (or ``dtype``) and device."""
    return x._constant(x.backend.ones(x.shape, dtypes.resolve(dtype) or x.dtype))


def _seed(seed: Seed, generator: Seed, op: str) -> np.random.Generator:
    if seed is not None and generator is not None:
        raise TypeError(f"{op}: give seed or generator, not both")
    return make_rng(seed if generator is None else generator)


def _like(input: Any, op: str) -> Tensor:  # noqa: A002 - PyTorch's name
    if not operands.is_tensor(input):
        raise TypeError(f"{op}: expected a Tensor, got {type(input).__name__}")
    return input


def _count(steps: Any, op: str) -> int:
    try:
        n = operator.index(steps)
    except TypeError:
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__} "
                        f"{steps!r}") from None
    if n < 0:
        raise ValueError(f"{op}: number of steps must be non-negative, got {n}")
    return n


# ---- deterministic ------------------------------------------------------------------


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, device: str | None = None) -> Tensor:
    """A tensor of ``input``'s shape (and dtype and device, unless given) filled with
    ``fill_value``."""
    x = _like(input, "full_like")
    return _make(np.full(x.shape, fill_value), dtype or x.dtype, requires_grad,
                 device or x.device)


def empty(*size: Any, dtype: Any = "float32", requires_grad: bool = False,
          device: str | None = None) -> Tensor:
    """A tensor of shape ``size``. PyTorch leaves its values uninitialised; here they are
    zeros, so a forgotten write shows up as zeros rather than as garbage that changes from
    run to run."""
    shape = operands.shape_arg(size, "empty")
    return _make(np.zeros(shape), dtype, requires_grad, device)


def empty_like(input: Tensor, *, dtype: Any = None, requires_grad: bool = False,  # noqa: A002
               device: str | None = None) -> Tensor:
    """:func:`empty` of ``input``'s shape, dtype and device (zeros; see :func:`empty`)."""
    x = _like(input, "empty_like")
    return _make(np.zeros(x.shape), dtype or x.dtype, requires_grad, device or x.device)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None,
             requires_grad: bool = False, device: str | None = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32
    unless ``dtype`` says otherwise). Computed in float64 and rounded once."""
    n = _count(steps, "linspace")
    return _make(np.linspace(float(start), float(end), n), dtype, requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             requires_grad: bool = False, device: str | None = None) -> Tensor:
    """base ** linspace(start, end, steps): ``steps`` values spaced evenly on a log scale
    from base^start to base^end."""
    n = _count(steps, "logspace")
    with np.errstate(over="ignore"):  # a huge exponent is inf, silently, as PyTorch
        arr = np.power(float(base), np.linspace(float(start), float(end), n))
    return _make(arr, dtype, requires_grad, device)


# ---- random ---------------------------------------------------------------------------


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, *, seed: Seed = None,
             generator: Seed = None) -> Tensor:
    """Fill ``tensor`` in place with samples of U(a, b) and return it (``Tensor.uniform_``;
    PyTorch names the bounds ``from`` and ``to``, a Python keyword here, so they are
    positional-friendly ``a``, ``b``). Like every in-place op, not on a tensor that
    requires grad while gradients are recorded."""
    draw = _seed(seed, generator, "uniform_").uniform(a, b, _like(tensor, "uniform_").shape)
    return _fill(tensor, draw, "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, seed: Seed = None,
            generator: Seed = None) -> Tensor:
    """Fill ``tensor`` in place with samples of N(mean, std²) and return it
    (``Tensor.normal_``)."""
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    draw = _seed(seed, generator, "normal_").normal(mean, std, _like(tensor, "normal_").shape)
    return _fill(tensor, draw, "normal_")


def _fill(tensor: Tensor, values: np.ndarray, op: str) -> Tensor:
    if tensor.requires_grad and autograd.is_grad_enabled():
        raise RuntimeError(f"{op}: cannot fill a tensor that requires grad in place while "
                           "gradients are recorded; do it under `with no_grad():` (as "
                           "nn.init does)")
    return tensor.copy_(values)


def randint(low: Any, high: Any = None, size: Any = None, *, seed: Seed = None,
            generator: Seed = None, dtype: Any = "int64", requires_grad: bool = False,
            device: str | None = None) -> Tensor:
    """Integers drawn uniformly from [low, high); ``randint(high, size)`` means low = 0, as
    in PyTorch. ``size`` is a tuple."""
    if size is None:
        if high is None:
            raise TypeError("randint: missing size (call randint(high, size) or "
                            "randint(low, high, size))")
        low, high, size = 0, low, high
    shape = operands.shape_arg((size,) if isinstance(size, (tuple, list)) else (size,),
                               "randint")
    lo, hi = operator.index(low), operator.index(high)
    if lo >= hi:
        raise ValueError(f"randint: low must be less than high, got low={lo}, high={hi}")
    arr = _seed(seed, generator, "randint").integers(lo, hi, shape)
    return _make(arr, dtype, requires_grad, device)


def randint_like(input: Tensor, low: Any, high: Any = None, *,  # noqa: A002
                 seed: Seed = None, generator: Seed = None, dtype: Any = None) -> Tensor:
    """:func:`randint` of ``input``'s shape and dtype (``randint_like(x, high)`` means
    low = 0)."""
    x = _like(input, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(low, high, x.shape, seed=seed, generator=generator,
                   dtype=dtype or x.dtype, device=x.device)


def rand_like(input: Tensor, *, seed: Seed = None, generator: Seed = None,  # noqa: A002
              dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), of ``input``'s shape, dtype and device."""
    x = _like(input, "rand_like")
    arr = _seed(seed, generator, "rand_like").random(x.shape)
    return _make(arr, dtype or x.dtype, requires_grad, x.device)


def randn_like(input: Tensor, *, seed: Seed = None, generator: Seed = None,  # noqa: A002
               dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal, of ``input``'s shape, dtype and device."""
    x = _like(input, "randn_like")
    arr = _seed(seed, generator, "randn_like").standard_normal(x.shape)
    return _make(arr, dtype or x.dtype, requires_grad, x.device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, seed: Seed = None,
           generator: Seed = None, dtype: Any = None, requires_grad: bool = False,
           device: str | None = None) -> Tensor:
    """Samples of N(mean, std²). ``mean`` and ``std`` are numbers (then ``size`` gives the
    shape) or tensors (their broadcast shape; the dtype of the floating one), as
    ``torch.normal``. No gradient flows to mean or std (PyTorch's is not
    reparameterised either)."""
    m = mean.numpy() if operands.is_tensor(mean) else np.asarray(mean, dtype=np.float64)
    s = std.numpy() if operands.is_tensor(std) else np.asarray(std, dtype=np.float64)
    if np.any(s < 0):
        raise ValueError("normal: std must be non-negative (got a negative std)")
    if size is not None:
        shape = operands.shape_arg((size,) if isinstance(size, (tuple, list)) else (size,),
                                   "normal")
    else:
        try:
            shape = np.broadcast_shapes(m.shape, s.shape)
        except ValueError:
            raise ValueError(f"normal: mean of shape {m.shape} and std of shape {s.shape} "
                             "cannot be broadcast together") from None
    arr = _seed(seed, generator, "normal").normal(m, s, shape)
    like = [t.dtype for t in (mean, std) if operands.is_tensor(t) and t.dtype.kind == "f"]
    return _make(arr, dtype or (like[0] if like else None), requires_grad, device)


def bernoulli(input: Tensor, p: float | None = None, *, seed: Seed = None,  # noqa: A002
              generator: Seed = None) -> Tensor:
    """1 with probability ``input`` (elementwise; or ``p`` for every element when given),
    else 0, in ``input``'s dtype. Probabilities must lie in [0, 1]."""
    x = _like(input, "bernoulli")
    prob = np.asarray(x.numpy(), dtype=np.float64) if p is None else np.full(x.shape, p)
    if prob.size and not ((prob >= 0) & (prob <= 1)).all():
        raise ValueError("bernoulli: probabilities must lie in [0, 1] (got values outside, "
                         "or NaN)")
    draw = _seed(seed, generator, "bernoulli").random(x.shape) < prob
    return _make(draw, x.dtype if x.dtype.kind == "f" else "float32", False, x.device)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                seed: Seed = None, generator: Seed = None) -> Tensor:
    """Indices drawn from the categorical distribution with probabilities proportional to
    each row of ``input`` (1-D or 2-D, non-negative, not all zero): ``num_samples`` per
    row, without replacement unless ``replacement=True`` → int64 of shape
    (num_samples,) or (rows, num_samples)."""
    x = _like(input, "multinomial")
    if x.ndim not in (1, 2):
        raise ValueError(f"multinomial: input must be 1-D or 2-D, got shape {x.shape}")
    n = operator.index(num_samples)
    if n <= 0:
        raise ValueError(f"multinomial: num_samples must be positive, got {n}")
    w = np.asarray(x.numpy(), dtype=np.float64).reshape(-1, x.shape[-1])
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("multinomial: probabilities must be finite and non-negative")
    totals = w.sum(axis=1)
    if (totals <= 0).any():
        raise ValueError("multinomial: a row of input sums to 0 (no category can be drawn)")
    if not replacement and n > int((w > 0).sum(axis=1).min()):
        raise ValueError(f"multinomial: cannot draw {n} samples without replacement from a "
                         f"row with only {int((w > 0).sum(axis=1).min())} nonzero "
                         "probabilities")
    rng = _seed(seed, generator, "multinomial")
    rows = [rng.choice(w.shape[1], size=n, replace=replacement, p=row / row.sum())
            for row in w]
    out = np.stack(rows) if rows else np.zeros((0, n), dtype=np.int64)
    return _make(out.reshape(x.shape[:-1] + (n,)), "int64", False, x.device)


