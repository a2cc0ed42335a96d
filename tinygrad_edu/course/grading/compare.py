"""Compare what a submission returned with what was expected, and say how they differ.

Self-contained numpy (``np.isclose`` semantics: ``|a - e| <= atol + rtol * |e|``) so the
grader does not depend on anything the submission's process could have touched: all
of this runs in the grader. Messages name the output, the shape or the first bad index,
the expected and the actual value — enough to find the mistake, never the check's code.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def scrub(text: str) -> str:
    """Remove run-to-run noise (object addresses) so two runs give identical reports."""
    return _ADDRESS.sub("0x…", text)


def fmt(value: Any, limit: int = 400) -> str:
    """A short, deterministic rendering of an input or output value."""
    if isinstance(value, np.ndarray):
        body = np.array2string(
            value, precision=6, separator=", ", threshold=24, edgeitems=3, max_line_width=90
        )
        body = " ".join(line.strip() for line in body.splitlines())  # one line per value
        text = f"array({body})" if value.ndim else f"array({body}, ndim=0)"
        if value.dtype != np.float64:
            text = text[:-1] + f", dtype={value.dtype})"
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):.8g}"
    elif isinstance(value, tuple):
        inner = ", ".join(fmt(v, limit) for v in value)
        text = f"({inner},)" if len(value) == 1 else f"({inner})"
    elif isinstance(value, list):
        text = "[" + ", ".join(fmt(v, limit) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {fmt(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = repr(value)
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_call(fn_name: str, args: tuple, kwargs: dict, reference: Callable | None = None) -> str:
    """``name(a=..., b=...)`` using the reference's parameter names where possible."""
    parts: list[str] = []
    names: list[str] = []
    if reference is not None:
        try:
            params = list(inspect.signature(reference).parameters.values())
            names = [
                p.name
                for p in params
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            names = []
    for i, a in enumerate(args):
        parts.append(f"{names[i]}={fmt(a)}" if i < len(names) else fmt(a))
    parts.extend(f"{k}={fmt(v)}" for k, v in kwargs.items())
    return f"{fn_name}(" + ", ".join(parts) + ")"


def _is_numeric(value: Any) -> bool:
    if isinstance(value, (bool, int, float, complex, np.ndarray, np.generic)):
        return np.asarray(value).dtype.kind in "biufc"
    return False


def difference(
    expected: Any,
    actual: Any,
    *,
    rtol: float,
    atol: float,
    where: str = "the result",
    names: Sequence[str] | None = None,
) -> str | None:
    """None if ``actual`` matches ``expected``; otherwise one line saying where and how."""
    if isinstance(expected, (tuple, list)):
        label = f" ({', '.join(names)})" if names else ""
        if not isinstance(actual, (tuple, list)):
            return (
                f"{where}: expected a tuple of {len(expected)} values{label}, "
                f"got {_kind(actual)}"
            )
        if len(actual) != len(expected):
            return (
                f"{where}: expected a tuple of {len(expected)} values{label}, "
                f"got {len(actual)} values"
            )
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            part = f"{where}[{i}]" if not names else f"`{names[i]}`"
            diff = difference(e, a, rtol=rtol, atol=atol, where=part)
            if diff:
                return diff
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected a dict, got {_kind(actual)}"
        for key, e in expected.items():
            if key not in actual:
                return f"{where}: missing '{key}'"
            diff = difference(e, actual[key], rtol=rtol, atol=atol, where=f"{key}")
            if diff:
                return diff
        return None
    if expected is None:
        return None if actual is None else f"{where}: expected None, got {_kind(actual)}"
    if not _is_numeric(expected):
        if actual == expected:
            return None
        return f"{where}: expected {fmt(expected)}, got {fmt(actual)}"
    if actual is None or not _is_numeric(actual):
        return f"{where}: expected a number or an array, got {_kind(actual)}"
    return _array_difference(
        np.asarray(expected), np.asarray(actual), rtol=rtol, atol=atol, where=where
    )


def _array_difference(
    e: np.ndarray, a: np.ndarray, *, rtol: float, atol: float, where: str
) -> str | None:
    if e.shape != a.shape:
        return f"{where}: expected shape {e.shape}, got shape {a.shape}"
    if e.dtype.kind == "b" or a.dtype.kind == "b":
        e, a = e.astype(np.float64), a.astype(np.float64)
    ef = e.astype(np.complex128 if e.dtype.kind == "c" else np.float64)
    af = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    with np.errstate(all="ignore"):
        close = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return None
    bad = np.argwhere(~close)
    first = tuple(int(i) for i in bad[0]) if e.ndim else ()
    n_bad = int(bad.shape[0]) if e.ndim else 1
    ev, av = ef[first] if e.ndim else ef[()], af[first] if e.ndim else af[()]
    at = f" at index {first}" if e.ndim else ""
    head = f"{where}: expected {fmt(e)}, got {fmt(a)}"
    if not np.isfinite(av) and np.isfinite(ev):
        detail = f"got {fmt(av)} instead of {fmt(ev)}{at} (overflow, or log of 0?)"
    else:
        detail = f"first mismatch{at}: expected {fmt(ev)}, got {fmt(av)}"
    count = f"; {n_bad} of {e.size} elements differ" if e.ndim else ""
    return f"{head}\n  {detail}{count} (tolerance rtol={rtol:g}, atol={atol:g})"


def _kind(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} values"
    if value is None:
        return "None"
    return f"{type(value).__name__} {fmt(value, 80)}"
