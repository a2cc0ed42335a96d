"""``assert_close``: compare tensors/arrays with PyTorch's per-dtype tolerances, and say
where and by how much they differ."""

from __future__ import annotations

from typing import Any

import numpy as np

# dtype name → (rtol, atol), as in torch.testing.assert_close. Integers and booleans are
# compared exactly. bfloat16 only arrives from torch tensors (numpy has no such dtype).
DEFAULT_RTOL_ATOL: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


def _to_numpy(x: Any) -> tuple[np.ndarray, str]:
    """The values as a numpy array, and the name of their dtype (which numpy may not
    have: a torch bfloat16 tensor is widened to float32 but still called bfloat16)."""
    if hasattr(x, "backend") and hasattr(x, "data"):  # a Tensor, on any device
        arr = np.asarray(x.backend.to_numpy(x.data))
        return arr, str(arr.dtype)
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch tensor
        t = x.detach().cpu()
        name = str(t.dtype).removeprefix("torch.")
        if name == "bfloat16":
            t = t.float()
        return t.numpy(), name
    arr = np.asarray(x)
    return arr, str(arr.dtype)


def default_tolerances(*dtype_names: str) -> tuple[float, float]:
    """(rtol, atol) for comparing values of these dtypes: the loosest of their defaults
    (PyTorch's rule), and (0, 0) — exact — when all are integer or boolean."""
    pairs = [DEFAULT_RTOL_ATOL.get(d, (0.0, 0.0)) for d in dtype_names]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _value(arr: np.ndarray, idx: tuple[int, ...]) -> str:
    v = arr[idx]
    return repr(v.item()) if hasattr(v, "item") else repr(v)  # full precision


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None,
                 atol: float | None = None, check_dtype: bool = False,
                 equal_nan: bool = True, msg: str = "") -> None:
    """Assert, elementwise, |actual − expected| ≤ atol + rtol·|expected|.

    Default tolerances, per dtype, are those of ``torch.testing.assert_close`` (when the
    two dtypes differ, the looser of the two applies):

    ========================  ==========  ==========
    dtype                     rtol        atol
    ========================  ==========  ==========
    float16                   1e-3        1e-5
    bfloat16 (torch inputs)   1.6e-2      1e-5
    float32, complex64        1.3e-6      1e-5
    float64, complex128       1e-7        1e-7
    integers, bool            0           0   (exact)
    ========================  ==========  ==========

    Unlike PyTorch, dtypes need not match by default: a float32 result compared with a
    float64 reference passes within float32's tolerances. Pass ``check_dtype=True`` to
    require equal dtypes. NaNs compare equal unless ``equal_nan=False``. Shapes must
    match exactly (no broadcasting). Giving only one of ``rtol``/``atol`` keeps the
    default of the other.

    On failure the message names the number of mismatches, the greatest absolute and
    the greatest relative difference, each with its index and both values.
    """
    a, a_name = _to_numpy(actual)
    e, e_name = _to_numpy(expected)
    prefix = f"{msg}: " if msg else ""
    if a.shape != e.shape:
        raise AssertionError(f"{prefix}shapes differ: actual {a.shape}, expected {e.shape}")
    if check_dtype and a_name != e_name:
        raise AssertionError(f"{prefix}dtypes differ: actual {a_name}, expected {e_name}")
    d_rtol, d_atol = default_tolerances(a_name, e_name)
    source = "given" if rtol is not None and atol is not None else (
        f"{a_name}'s defaults" if a_name == e_name else f"defaults for {a_name} vs {e_name}")
    rtol = d_rtol if rtol is None else rtol
    atol = d_atol if atol is None else atol
    exact = rtol == 0 and atol == 0 and a.dtype.kind in "iub" and e.dtype.kind in "iub"
    if exact:  # compare integers as integers: 2**53 + 1 is not 2**53
        ok = np.asarray(a == e)
        af = a.astype(np.float64)
        ef = e.astype(np.float64)
    else:
        wide = np.complex128 if "c" in (a.dtype.kind, e.dtype.kind) else np.float64
        af, ef = a.astype(wide), e.astype(wide)
        with np.errstate(all="ignore"):
            ok = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if ok.all():
        return
    bad = ~ok
    with np.errstate(all="ignore"):
        abs_diff = np.abs(af - ef).astype(np.float64)
        if exact:  # exact in int64 (float64 would round differences of huge integers)
            abs_diff = np.abs(a.astype(object) - e.astype(object)).astype(np.float64)
        rel_diff = abs_diff / np.abs(ef)
    # NaN against a number ranks as the greatest difference
    abs_rank = np.where(bad, np.nan_to_num(abs_diff, nan=np.inf), -np.inf)
    rel_rank = np.where(bad, np.nan_to_num(rel_diff, nan=np.inf), -np.inf)
    ia = _index(int(np.argmax(abs_rank)), a.shape)
    ir = _index(int(np.argmax(rel_rank)), a.shape)
    n_bad = int(bad.sum())
    rule = "integers must be equal" if exact else (
        f"need |actual − expected| ≤ atol + rtol·|expected|, atol={atol}, rtol={rtol} "
        f"({source})")
    raise AssertionError(
        f"{prefix}{n_bad} of {a.size} elements ({100 * n_bad / a.size:.3g}%) differ: {rule}\n"
        f"  greatest absolute difference: {float(abs_diff[ia]):.6g} at index {ia}: actual "
        f"{_value(a, ia)}, expected {_value(e, ia)}\n"
        f"  greatest relative difference: {float(rel_diff[ir]):.6g} at index {ir}: actual "
        f"{_value(a, ir)}, expected {_value(e, ir)}\n"
        f"  dtypes: actual {a_name}, expected {e_name}"
    )
