"""Gradient checking by central differences, in float64: first and second derivatives.

For f: inputs → outputs, write J = ∂f/∂x for the Jacobian of one output with respect to
one input (flattened: J[j, i] = ∂out[j]/∂in[i]). ``gradcheck`` compares two estimates of J:

* numerical, column by column, by central differences with step ε along the unit vector eᵢ:

      J[:, i] ≈ (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε          (error O(ε²) + O(u·|f|/ε))

* analytic, row by row, from ``backward()`` with the one-hot output vector e_j:

      J[j, :] = e_jᵀ J   (one vector–Jacobian product per output element).

Each entry must satisfy |analytic − numerical| ≤ atol + rtol·|numerical| (the numerical
value is the reference, as in ``torch.autograd.gradcheck``).

``fast_mode=True`` compares one number per (output, input) pair instead: the directional
derivative vᵀ J u along a random unit vector u over the input, weighted by a random unit
vector v over the output — numerically (vᵀ(f(x + εu) − f(x − εu)) / 2ε, two evaluations)
and analytically ((vᵀJ)·u, one backward). It is cheap and still catches almost every
wrong backward, but cannot say which entry is wrong.

``gradgradcheck`` checks second derivatives: it runs ``gradcheck`` on the first derivative

      g(x, v) = ∂/∂x ⟨v, f(x)⟩ = vᵀ J(x)

built with ``backward(create_graph=True)``, with respect to x and to v.

Default tolerances depend on the least precise floating output of f (the inputs must be
float64; see ``DEFAULT_TOLERANCES``). They are jax's ``check_grads`` defaults — atol = rtol
— which for float64 (1e-5) is stricter than PyTorch's rtol 1e-3: a backward off by 1e-4
on values of order 1 fails here but would pass ``torch.autograd.gradcheck``.

f is always evaluated with gradient recording *on* (``enable_grad()``), both for the
analytic pass and for the numerical one, so f may itself build graphs and call
``backward(create_graph=True)`` — which is what a second-derivative check needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

# least precise floating output dtype → (eps, atol, rtol). The step balances truncation
# (ε²·|f'''|/6) against rounding (u·|f|/ε, u the unit roundoff of the output dtype).
DEFAULT_TOLERANCES: dict[str, tuple[float, float, float]] = {
    "float64": (1e-6, 1e-5, 1e-5),
    "float32": (1e-3, 2e-3, 2e-3),
    "float16": (3e-2, 5e-2, 5e-2),
}


class GradcheckError(AssertionError):
    """Raised when an analytic derivative disagrees with the numerical one."""


class NotFiniteError(GradcheckError):
    """Raised when f, or its analytic derivative, is not finite at (or ε away from) the
    input: no derivative can be compared there, whatever the backward does."""


class NondeterminismError(GradcheckError):
    """Raised when f or its backward gives different results for identical inputs
    (beyond ``nondet_tol``): finite differences of a random function mean nothing."""


# ---- helpers ---------------------------------------------------------------------------


def _outputs(fn: Callable[..., Any], inputs: Sequence[Tensor]) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: fn must return Tensors, got {type(o).__name__}")
    return tuple(outs)


def _host(t: Tensor) -> np.ndarray:
    """A float64 copy on the host (a copy: an output may be a view of a perturbed input)."""
    return np.array(t.detach().numpy(), dtype=np.float64)


def _unravel(i: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(v) for v in np.unravel_index(i, shape)) if shape else ()


def _at(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def _float_repr(x: float) -> str:
    return repr(float(x))  # the shortest string that round-trips: no hidden digits


def _weights(outs: Sequence[Tensor]) -> list[np.ndarray]:
    return [np.random.default_rng(1234 + k).uniform(0.5, 1.5, o.shape)
            for k, o in enumerate(outs)]


def numerical_grad(fn: Callable[..., Any], inputs: Sequence[Tensor], index: int,
                   eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of L = Σ fn(*inputs)·w with respect to inputs[index],
    where w is fixed (``np.random.default_rng(1234 + k).uniform(0.5, 1.5)`` for output k):

        ∂L/∂xᵢ ≈ Σ w · (f(x + εeᵢ) − f(x − εeᵢ)) / 2ε   (= (wᵀJ)ᵢ, a weighted column sum).

    The outputs are differenced elementwise *before* they are weighted and summed, so
    outputs that the perturbed entry does not touch cancel exactly instead of drowning a
    small derivative in the rounding error of a large total (exp(10) beside exp(−8)).
    The input's data is perturbed in place and restored.
    """
    with enable_grad():
        weights = _weights(_outputs(fn, inputs))
        x = inputs[index].data
        grad = np.zeros(x.shape, dtype=np.float64)
        for i in np.ndindex(*x.shape):
            orig = x[i]
            x[i] = orig + eps
            hi = [_host(o) for o in _outputs(fn, inputs)]
            x[i] = orig - eps
            lo = [_host(o) for o in _outputs(fn, inputs)]
            x[i] = orig
            grad[i] = sum(float(np.sum(w * (h - lw))) for w, h, lw in zip(weights, hi, lo))
            grad[i] /= 2 * eps
    return grad


@dataclass
class _Problem:
    """What one check needs: the leaves (private copies), which ones are checked and where,
    and names for the messages."""

    fn: Callable[..., Any]
    leaves: list[Tensor]
    targets: list[int]
    masks: list[np.ndarray]  # flat boolean mask per input (all True when none given)
    input_names: list[str]
    what: str  # "fn", or the name of a derived function in gradgradcheck's messages
    caller: str
    note: str = ""  # appended to mismatch messages (what the outputs of that function are)


def _copy_leaf(t: Tensor) -> Tensor:
    # a private copy (order="K" keeps a Fortran layout), so perturbing it never touches
    # the caller's array and the caller's .grad stays as it was
    arr = np.array(t.detach().numpy(), copy=True, order="K")
    return Tensor(arr, dtype=t.dtype, requires_grad=t.requires_grad, device=t.device)


def _set_flat(leaf: Tensor, host: np.ndarray, i: int, value: float) -> None:
    """leaf[i] = value (flat index), in place on the CPU, by re-upload elsewhere."""
    idx = _unravel(i, host.shape)
    if leaf.device == "cpu":
        leaf.data[idx] = value
    else:
        h = host.copy()
        h[idx] = value
        leaf.data = Tensor(h, dtype=leaf.dtype, device=leaf.device).data


def _set_all(leaf: Tensor, values: np.ndarray) -> None:
    if leaf.device == "cpu":
        leaf.data[...] = values
    else:
        leaf.data = Tensor(values, dtype=leaf.dtype, device=leaf.device).data


def _prepare(fn: Callable[..., Any], inputs: Sequence[Any], masks: Sequence[Any] | None,
             caller: str, input_names: list[str] | None = None,
             what: str = "fn") -> _Problem:
    for k, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{caller}: input {k} is a {type(t).__name__}, not a Tensor")
        if t.requires_grad and t.dtype != np.float64:
            raise TypeError(f"{caller}: input {k} has dtype {t.dtype}; use float64 "
                            "(central differences in float32 are too coarse to be a check)")
    targets = [k for k, t in enumerate(inputs) if t.requires_grad]
    if not targets:
        raise ValueError(f"{caller}: no input has requires_grad=True")
    if masks is not None and len(masks) != len(inputs):
        raise ValueError(f"{caller}: masks has {len(masks)} entries for {len(inputs)} inputs "
                         "(give one per input, None for 'all entries')")
    flat_masks = []
    for k, t in enumerate(inputs):
        m = None if masks is None else masks[k]
        if m is None:
            flat_masks.append(np.ones(t.size, dtype=bool))
            continue
        m = np.asarray(m.numpy() if isinstance(m, Tensor) else m)
        if m.dtype != np.bool_ or m.shape != t.shape:
            raise ValueError(f"{caller}: the mask of input {k} must be a boolean array of "
                             f"shape {t.shape}, got {m.dtype} of shape {m.shape}")
        flat_masks.append(m.reshape(-1).copy())
    names = input_names or [f"input {k}" for k in range(len(inputs))]
    return _Problem(fn, [_copy_leaf(t) for t in inputs], targets, flat_masks, names, what,
                    caller)


def _evaluate(p: _Problem) -> list[Tensor | None]:
    """f at the current leaves; non-floating outputs (indices, masks) become None — they
    have no derivative to check."""
    with enable_grad(), np.errstate(all="ignore"):  # non-finite values are reported below
        outs = _outputs(p.fn, p.leaves)
    return [o if o.dtype.kind == "f" else None for o in outs]


def _host_outputs(outs: Sequence[Tensor | None]) -> list[np.ndarray | None]:
    return [None if o is None else _host(o) for o in outs]


def _defaults(outs: Sequence[Tensor | None], eps: float | None, atol: float | None,
              rtol: float | None) -> tuple[float, float, float]:
    sizes = [o.dtype.itemsize for o in outs if o is not None]
    key = {8: "float64", 4: "float32"}.get(min(sizes, default=8), "float16")
    d_eps, d_atol, d_rtol = DEFAULT_TOLERANCES[key]
    return (d_eps if eps is None else eps, d_atol if atol is None else atol,
            d_rtol if rtol is None else rtol)


def _nonfinite_where(arr: np.ndarray) -> tuple[str, tuple[int, ...]]:
    bad = np.argwhere(~np.isfinite(arr))[0] if arr.ndim else np.array([], dtype=int)
    idx = tuple(int(i) for i in bad)
    return repr(float(arr[idx])), idx


def _check_finite_at_input(p: _Problem, ys: Sequence[np.ndarray | None]) -> None:
    for o, y in enumerate(ys):
        if y is not None and not np.isfinite(y).all():
            value, idx = _nonfinite_where(y)
            raise NotFiniteError(
                f"{p.caller}: {p.what} is not finite at the input: output {o} is {value} at "
                f"index {idx} ({int((~np.isfinite(y)).sum())} of {y.size} entries non-finite)."
                f" No derivative can be checked there — draw inputs from {p.what}'s domain "
                f"(e.g. domain=\"positive\" for log, an open domain=\"unit\" for atanh)."
                + _inputs_summary(p))


def _inputs_summary(p: _Problem) -> str:
    parts = []
    for name, leaf in zip(p.input_names, p.leaves):
        arr = np.asarray(leaf.detach().numpy())
        if arr.size <= 8:
            parts.append(f"{name} = {np.array2string(arr, separator=', ', floatmode='unique')}")
        else:
            parts.append(f"{name}: shape {arr.shape}")
    return "\n  at " + "; ".join(parts)


def _check_deterministic(p: _Problem, ys: Sequence[np.ndarray | None],
                         nondet_tol: float) -> None:
    again = _host_outputs(_evaluate(p))
    for o, (y, z) in enumerate(zip(ys, again)):
        if y is None or z is None:
            continue
        diff = _max_diff(y, z)
        if diff > nondet_tol:
            raise NondeterminismError(
                f"{p.caller}: {p.what} is not deterministic: two evaluations at the same "
                f"input differ by up to {diff:.3g} in output {o} (nondet_tol={nondet_tol}). "
                "Fix its random seed, or pass nondet_tol if the noise is tiny and expected.")


def _backward_rows(p: _Problem, out: Tensor, vectors: Sequence[np.ndarray]
                   ) -> list[list[np.ndarray]]:
    """For each vector v (shaped like out): the flat gradients vᵀJ of every target input,
    restricted to its mask. The graph is kept between the passes (retain_graph=True)."""
    rows: list[list[np.ndarray]] = []
    for v in vectors:
        for k in p.targets:
            p.leaves[k].grad = None
        if out.requires_grad:
            with np.errstate(all="ignore"):  # non-finite gradients are reported by the caller
                out.backward(Tensor(v, dtype=out.dtype, device=out.device), retain_graph=True)
        row = []
        for k in p.targets:
            g = p.leaves[k].grad
            flat = (np.zeros(p.leaves[k].size) if g is None
                    else np.array(g.detach().numpy(), dtype=np.float64).reshape(-1))
            row.append(flat[p.masks[k]])
        rows.append(row)
    for k in p.targets:
        p.leaves[k].grad = None
    return rows


def _max_diff(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b|, where equal entries (inf and inf, nan and nan too) differ by 0."""
    with np.errstate(all="ignore"):
        d = np.abs(a - b)
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    d = np.where(same, 0.0, np.nan_to_num(d, nan=np.inf))
    return float(np.max(d, initial=0.0))


def _kink_hint(p: _Problem, k: int, i: int, o: int, j: int, eps: float, atol: float,
               y0: np.ndarray) -> str:
    """At a kink (relu or abs at 0, a tie in max, a clamp bound) the two one-sided slopes
    differ and the central difference averages them, so a correct backward fails. Say so
    when the slopes at the worst entry differ by more than a smooth curvature explains."""
    leaf = p.leaves[k]
    host = np.array(leaf.detach().numpy(), dtype=np.float64)
    orig = float(host.reshape(-1)[i])
    _set_flat(leaf, host, i, orig + eps)
    hi = _host_outputs(_evaluate(p))[o]
    _set_flat(leaf, host, i, orig - eps)
    lo = _host_outputs(_evaluate(p))[o]
    _set_flat(leaf, host, i, orig)
    if hi is None or lo is None:
        return ""
    right = float((hi.reshape(-1)[j] - y0.reshape(-1)[j]) / eps)
    left = float((y0.reshape(-1)[j] - lo.reshape(-1)[j]) / eps)
    if not abs(right - left) > atol + 1e-2 * max(abs(right), abs(left)):
        return ""
    where = _at(p.input_names[k].replace(" ", ""), _unravel(i, host.shape))
    return (f"\n  hint: the one-sided slopes at {where} = {orig!r} differ (left {left:.6g}, "
            f"right {right:.6g}): {p.what} has a kink or a tie there (relu, abs, max, clamp) "
            f"and no derivative. Keep inputs away (tst.tensors(..., avoid=[{orig!r}])) or "
            f"leave the entry out (masks=...).")


def _fail(p: _Problem, message: str, raise_exception: bool) -> bool:
    if raise_exception:
        raise GradcheckError(f"{p.caller}: {message}")
    return False


# ---- the full Jacobian ---------------------------------------------------------------


def _numerical_jacobians(p: _Problem, ys: Sequence[np.ndarray | None], eps: float
                         ) -> dict[int, list[np.ndarray | None]]:
    """{input k: [J of each output (out.size × masked in.size), None for non-float]}."""
    jac: dict[int, list[np.ndarray | None]] = {}
    for k in p.targets:
        leaf = p.leaves[k]
        host = np.array(leaf.detach().numpy(), dtype=np.float64)
        cols = np.flatnonzero(p.masks[k])
        jk: list[np.ndarray | None] = [None if y is None else np.zeros((y.size, cols.size))
                                       for y in ys]
        for c, i in enumerate(cols.tolist()):
            orig = float(host.reshape(-1)[i])
            _set_flat(leaf, host, i, orig + eps)
            hi = _host_outputs(_evaluate(p))
            _set_flat(leaf, host, i, orig - eps)
            lo = _host_outputs(_evaluate(p))
            _set_flat(leaf, host, i, orig)
            for o, (h, lw) in enumerate(zip(hi, lo)):
                if h is None or lw is None:
                    continue
                if not (np.isfinite(h).all() and np.isfinite(lw).all()):
                    idx = _unravel(i, host.shape)
                    raise NotFiniteError(
                        f"{p.caller}: {p.what} is finite at the input but not at "
                        f"{_at(p.input_names[k].replace(' ', ''), idx)} ± eps = "
                        f"{_float_repr(orig)} ± {eps} (output {o} becomes non-finite): the "
                        f"input is within eps of where {p.what} is undefined. Keep inputs "
                        f"further from the edge of the domain, or pass a smaller eps."
                        + _inputs_summary(p))
                j = jk[o]
                assert j is not None
                j[:, c] = (h - lw).reshape(-1) / (2 * eps)
        jac[k] = jk
    return jac


def _analytic_jacobians(p: _Problem, outs: Sequence[Tensor | None], nondet_tol: float
                        ) -> dict[int, list[np.ndarray | None]]:
    jac: dict[int, list[np.ndarray | None]] = {k: [] for k in p.targets}
    for out in outs:
        if out is None:
            for k in p.targets:
                jac[k].append(None)
            continue
        basis = []
        for j in range(out.size):
            e = np.zeros(out.size)
            e[j] = 1.0
            basis.append(e.reshape(out.shape))
        rows = _backward_rows(p, out, basis)
        if basis:  # reentrancy: the same backward again must give the same row
            again = _backward_rows(p, out, basis[:1])[0]
            for t, k in enumerate(p.targets):
                diff = _max_diff(again[t], rows[0][t])
                if diff > nondet_tol:
                    raise NondeterminismError(
                        f"{p.caller}: the backward of {p.what} is not deterministic: two "
                        f"backward passes through the same graph differ by up to {diff:.3g} "
                        f"for {p.input_names[k]} (nondet_tol={nondet_tol}).")
        for t, k in enumerate(p.targets):
            n = int(p.masks[k].sum())
            jac[k].append(np.stack([r[t] for r in rows]) if rows else np.zeros((0, n)))
    return jac


def _check_analytic_finite(p: _Problem, k: int, o: int, an: np.ndarray,
                           out_shape: tuple[int, ...]) -> None:
    if np.isfinite(an).all():
        return
    j, c = (int(v) for v in np.argwhere(~np.isfinite(an))[0])
    oi, ii = _indices(p, k, j, c, out_shape)
    raise NotFiniteError(
        f"{p.caller}: the analytic derivative (backward) of {p.what} is not finite at the "
        f"input although {p.what} is: ∂{_at(f'output{o}', oi)}/∂"
        f"{_at(p.input_names[k].replace(' ', ''), ii)} = {an[j, c]!r} "
        f"({int((~np.isfinite(an)).sum())} of {an.size} entries non-finite)."
        + _inputs_summary(p))


def _indices(p: _Problem, k: int, j: int, c: int, out_shape: tuple[int, ...]
             ) -> tuple[tuple[int, ...], tuple[int, ...]]:
    in_shape = p.leaves[k].shape
    i = int(np.flatnonzero(p.masks[k])[c])
    return _unravel(j, out_shape), _unravel(i, in_shape)


def _compare_full(p: _Problem, outs: Sequence[Tensor | None], eps: float, atol: float,
                  rtol: float, nondet_tol: float, raise_exception: bool) -> bool:
    ys = _host_outputs(outs)
    analytic = _analytic_jacobians(p, outs, nondet_tol)
    for k in p.targets:
        for o, an in enumerate(analytic[k]):
            out = outs[o]
            if an is not None and out is not None:
                _check_analytic_finite(p, k, o, an, out.shape)
    numerical = _numerical_jacobians(p, ys, eps)
    for k in p.targets:
        for o, (an, num) in enumerate(zip(analytic[k], numerical[k])):
            out, y0 = outs[o], ys[o]
            if an is None or num is None or out is None or y0 is None:
                continue
            err = np.abs(an - num)
            tol = atol + rtol * np.abs(num)
            bad = err > tol
            if not bad.any():
                continue
            j, c = (int(v) for v in np.unravel_index(int(np.argmax(err / tol)), err.shape))
            oi, ii = _indices(p, k, j, c, out.shape)
            leaf = p.leaves[k]
            x = np.asarray(leaf.detach().numpy())[ii] if ii else leaf.detach().numpy()
            name = p.input_names[k].replace(" ", "")
            rel = float(err[j, c] / abs(num[j, c])) if num[j, c] != 0 else float("inf")
            message = (
                f"the Jacobian of {p.what}'s output {o} (shape {out.shape}) with respect to "
                f"{p.input_names[k]} (shape {leaf.shape}) is wrong in {int(bad.sum())} of "
                f"{bad.size} entries (|analytic − numerical| > atol + rtol·|numerical|, "
                f"atol={atol}, rtol={rtol}).\n"
                f"  worst (furthest beyond tolerance): ∂{_at(f'output{o}', oi)}/"
                f"∂{_at(name, ii)} at {_at(name, ii)} = "
                f"{_float_repr(float(x))}: numerical {_float_repr(num[j, c])}, analytic "
                f"{_float_repr(an[j, c])} (abs diff {err[j, c]:.3g}, rel diff {rel:.3g})\n"
                f"  numerical = (f(x + eps·e) − f(x − eps·e)) / 2eps with eps={eps}; "
                f"analytic = the backward of output {o} with a one-hot gradient"
                + _kink_hint(p, k, int(np.flatnonzero(p.masks[k])[c]), o, j, eps, atol, y0)
                + p.note
            )
            return _fail(p, message, raise_exception)
    return True


# ---- fast mode: one directional derivative per (output, input) ------------------------


def _unit(rng: np.random.Generator, shape: tuple[int, ...],
          mask: np.ndarray | None = None) -> np.ndarray:
    v = rng.standard_normal(shape)
    if mask is not None:
        v = v * mask.reshape(shape)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def _compare_fast(p: _Problem, outs: Sequence[Tensor | None], eps: float, atol: float,
                  rtol: float, nondet_tol: float, raise_exception: bool, seed: int) -> bool:
    rng = np.random.default_rng(seed)
    us = {k: _unit(rng, p.leaves[k].shape, p.masks[k]) for k in p.targets}
    vs = [None if o is None else _unit(rng, o.shape) for o in outs]
    analytic: dict[tuple[int, int], float] = {}
    for o, (out, v) in enumerate(zip(outs, vs)):
        if out is None or v is None:
            continue
        rows = _backward_rows(p, out, [v, v])  # twice: the reentrancy check
        for t, k in enumerate(p.targets):
            diff = _max_diff(rows[0][t], rows[1][t])
            if diff > nondet_tol:
                raise NondeterminismError(
                    f"{p.caller}: the backward of {p.what} is not deterministic: two backward "
                    f"passes through the same graph differ by up to {diff:.3g} "
                    f"(nondet_tol={nondet_tol}).")
            g = rows[0][t]
            if not np.isfinite(g).all():
                raise NotFiniteError(
                    f"{p.caller}: the analytic derivative (backward) of {p.what} is not "
                    f"finite at the input although {p.what} is: vᵀJ for output {o} has "
                    f"non-finite entries for {p.input_names[k]}." + _inputs_summary(p))
            analytic[(o, k)] = float(g @ us[k].reshape(-1)[p.masks[k]])
    for k in p.targets:
        leaf = p.leaves[k]
        host = np.array(leaf.detach().numpy(), dtype=np.float64)
        _set_all(leaf, host + eps * us[k])
        hi = _host_outputs(_evaluate(p))
        _set_all(leaf, host - eps * us[k])
        lo = _host_outputs(_evaluate(p))
        _set_all(leaf, host)
        for o, (h, lw, v) in enumerate(zip(hi, lo, vs)):
            if h is None or lw is None or v is None:
                continue
            if not (np.isfinite(h).all() and np.isfinite(lw).all()):
                raise NotFiniteError(
                    f"{p.caller}: {p.what} is finite at the input but not at x ± eps·u "
                    f"(eps={eps}) along {p.input_names[k]}: the input is within eps of where "
                    f"{p.what} is undefined." + _inputs_summary(p))
            num = float(np.sum(v * (h - lw))) / (2 * eps)
            an = analytic[(o, k)]
            if abs(an - num) > atol + rtol * abs(num):
                out = outs[o]
                assert out is not None
                message = (
                    f"fast_mode: the directional derivative vᵀ·J·u of {p.what}'s output {o} "
                    f"(shape {out.shape}) with respect to {p.input_names[k]} (shape "
                    f"{leaf.shape}) is wrong: numerical {_float_repr(num)}, analytic "
                    f"{_float_repr(an)} (abs diff {abs(an - num):.3g}; allowed atol + "
                    f"rtol·|numerical| with atol={atol}, rtol={rtol}).\n"
                    f"  J is the Jacobian; u (over the input) and v (over the output) are "
                    f"random unit vectors from seed={seed}; numerical = vᵀ(f(x + eps·u) − "
                    f"f(x − eps·u)) / 2eps with eps={eps}, analytic = (backward of v)·u.\n"
                    f"  Rerun with fast_mode=False to see which Jacobian entries differ."
                    + p.note
                )
                return _fail(p, message, raise_exception)
    return True


# ---- public API ------------------------------------------------------------------------


def _run(p: _Problem, eps: float | None, atol: float | None, rtol: float | None,
         raise_exception: bool, fast_mode: bool, nondet_tol: float, seed: int) -> bool:
    outs = _evaluate(p)
    if all(o is None for o in outs):
        raise TypeError(f"{p.caller}: {p.what} has no floating-point output to differentiate")
    eps_, atol_, rtol_ = _defaults(outs, eps, atol, rtol)
    ys = _host_outputs(outs)
    try:
        _check_finite_at_input(p, ys)
        _check_deterministic(p, ys, nondet_tol)
        if fast_mode:
            return _compare_fast(p, outs, eps_, atol_, rtol_, nondet_tol, raise_exception,
                                 seed)
        return _compare_full(p, outs, eps_, atol_, rtol_, nondet_tol, raise_exception)
    except (NotFiniteError, NondeterminismError):
        if raise_exception:
            raise
        return False


def gradcheck(fn: Callable[..., Any], *inputs: Tensor, eps: float | None = None,
              atol: float | None = None, rtol: float | None = None,
              raise_exception: bool = True, fast_mode: bool = False, nondet_tol: float = 0.0,
              masks: Sequence[Any] | None = None, seed: int = 0) -> bool:
    """Check ``fn``'s backward against central differences, for every input that requires
    grad (those must be float64; the others are passed through unchecked).

    Every entry of every Jacobian ∂out/∂in must satisfy

        |analytic − numerical| ≤ atol + rtol·|numerical|,

    or, with ``fast_mode=True``, every directional derivative vᵀJu (random unit u, v).

    * ``eps``, ``atol``, ``rtol``: default from the least precise floating output of
      ``fn`` (``DEFAULT_TOLERANCES``): float64 → eps 1e-6, atol = rtol = 1e-5; float32 →
      eps 1e-3, 2e-3; float16 → eps 3e-2, 5e-2.
    * ``nondet_tol``: how far two evaluations of ``fn`` (and two backward passes) at the
      same input may differ; exact agreement by default.
    * ``masks``: one boolean array (or None) per input; only the True entries are
      perturbed and compared — e.g. to leave out the points where ``fn`` has a kink.
    * ``seed``: of the random vectors of ``fast_mode``.

    ``fn`` runs with gradient recording on, so it may build graphs (and call ``backward``
    itself). Non-floating outputs are ignored. Returns True, or raises
    ``GradcheckError`` (False instead when ``raise_exception=False``);
    ``NotFiniteError`` says that ``fn`` or its backward is not finite at the input,
    ``NondeterminismError`` that it gives different results for the same input.
    """
    p = _prepare(fn, inputs, masks, "gradcheck")
    return _run(p, eps, atol, rtol, raise_exception, fast_mode, nondet_tol, seed)


def gradgradcheck(fn: Callable[..., Any], *inputs: Tensor,
                  grad_outputs: Sequence[Tensor] | None = None, eps: float | None = None,
                  atol: float | None = None, rtol: float | None = None,
                  raise_exception: bool = True, fast_mode: bool = False,
                  nondet_tol: float = 0.0, masks: Sequence[Any] | None = None,
                  seed: int = 0, check_grad_outputs: bool = True) -> bool:
    """Check second derivatives: ``gradcheck`` of the first derivative

        g(x, v) = ∂/∂x ⟨v, f(x)⟩ = vᵀ J(x)      (one tensor per input x requiring grad)

    computed by ``backward(create_graph=True)``, with respect to the inputs x and — when
    ``check_grad_outputs`` — to the output vectors v (``grad_outputs``; random normal
    float64 from ``seed`` when not given). Options as in ``gradcheck``; ``masks`` apply
    to the inputs. A backward that is not differentiable (``once_differentiable``, or
    one computed on raw arrays) fails here with the engine's error.
    """
    with enable_grad(), np.errstate(all="ignore"):
        outs = [o for o in _outputs(fn, list(inputs)) if o.dtype.kind == "f"]
    rng = np.random.default_rng(seed)
    if grad_outputs is None:
        vs = [Tensor(rng.standard_normal(o.shape), dtype="float64",
                     requires_grad=check_grad_outputs) for o in outs]
    else:
        if len(grad_outputs) != len(outs):
            raise ValueError(f"gradgradcheck: {len(grad_outputs)} grad_outputs for "
                             f"{len(outs)} floating outputs of fn")
        vs = [Tensor(np.array(v.detach().numpy(), dtype=np.float64), dtype="float64",
                     requires_grad=check_grad_outputs) for v in grad_outputs]
    n = len(inputs)
    wrt = [k for k, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]

    def first_derivative(*args: Tensor) -> tuple[Tensor, ...]:
        xs, v = args[:n], args[n:]
        with enable_grad():
            for k in wrt:
                xs[k].grad = None
            total: Tensor | None = None
            ys = [o for o in _outputs(fn, xs) if o.dtype.kind == "f"]
            for y, w in zip(ys, v):
                if y.requires_grad:
                    term = (y.to_dtype(np.float64) * w).sum()
                    total = term if total is None else total + term
            if total is not None:
                total.backward(create_graph=True)
            grads = []
            for k in wrt:
                g = xs[k].grad
                grads.append(g if g is not None else
                             Tensor(np.zeros(xs[k].shape), dtype="float64"))
                xs[k].grad = None  # leave the slot to the outer (second) backward
        return tuple(grads)

    names = [f"input {k}" for k in range(n)] + [f"grad_output {o}" for o in range(len(vs))]
    all_masks = None if masks is None else list(masks) + [None] * len(vs)
    p = _prepare(first_derivative, [*inputs, *vs], all_masks, "gradgradcheck", names,
                 what="the first derivative vᵀJ")
    given = "given" if grad_outputs is not None else f"random normal from seed={seed}"
    p.note = (f"\n  the first derivative's output m is ∂⟨v, fn(x)⟩/∂x for the m-th input that "
              f"requires grad (inputs {', '.join(str(k) for k in wrt)}), v = grad_outputs "
              f"({given}); its Jacobian entries are Σ_j v_j·∂²out_j/∂x_a∂x_b (with respect "
              f"to inputs) and ∂out_j/∂x_a (with respect to grad_outputs)")
    return _run(p, eps, atol, rtol, raise_exception, fast_mode, nondet_tol, seed)
