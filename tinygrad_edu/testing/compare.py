"""``assert_close``: compare tensors/arrays and say where and by how much they differ."""

from __future__ import annotations

from typing import Any

import numpy as np


def _to_numpy(x: Any) -> np.ndarray:
    if hasattr(x, "backend") and hasattr(x, "data"):  # a Tensor, on any device
        return np.asarray(x.backend.to_numpy(x.data))
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None,
                 atol: float | None = None, check_dtype: bool = False,
                 msg: str = "") -> None:
    """Assert |actual − expected| ≤ atol + rtol·|expected| elementwise (NaNs equal).

    Default tolerances follow the less precise dtype: float32 → rtol 1.3e-6 … as in
    ``torch.testing.assert_close`` (rtol 1.3e-6, atol 1e-5 for float32; 1e-7, 1e-7 for
    float64). On failure the message gives the shapes, the worst index, both values and
    the number of mismatches.
    """
    a, e = _to_numpy(actual), _to_numpy(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shapes differ: actual {a.shape}, expected {e.shape}")
    if check_dtype and a.dtype != e.dtype:
        raise AssertionError(f"{prefix}dtypes differ: actual {a.dtype}, expected {e.dtype}")
    low = np.float32 if np.float32 in (a.dtype, e.dtype) else np.float64
    if rtol is None:
        rtol = 1.3e-6 if low == np.float32 else 1e-7
    if atol is None:
        atol = 1e-5 if low == np.float32 else 1e-7
    af, ef = a.astype(np.float64), e.astype(np.float64)
    ok = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return
    bad = ~ok
    diff = np.where(bad, np.abs(af - ef), -np.inf)
    worst = np.unravel_index(int(np.argmax(diff)), a.shape) if a.ndim else ()
    raise AssertionError(
        f"{prefix}{int(bad.sum())} of {a.size} elements differ beyond atol={atol}, "
        f"rtol={rtol}; worst at index {tuple(int(i) for i in worst)}: actual "
        f"{float(af[worst])!r}, expected {float(ef[worst])!r} "
        f"(abs diff {abs(af[worst] - ef[worst]):.3g})"
    )
