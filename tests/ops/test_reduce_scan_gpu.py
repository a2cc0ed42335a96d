"""The reductions, scans, sorting, indexing and shape ops of issue 11 on the CUDA backend,
against the CPU: forward values and gradients. Marker ``gpu``; skipped, with the reason,
where CuPy cannot import or sees no GPU (the backend's host fallbacks for an array module
without ``ufunc.accumulate``/``ufunc.at`` are tested on the CPU in test_reduce_scan.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor


def _gpu_unavailable_reason() -> str | None:
    try:
        import cupy
    except Exception as e:  # noqa: BLE001 - any import failure means "no GPU here"
        return f"CuPy is not importable ({type(e).__name__}: {e})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001
        return f"CuPy sees no usable GPU ({type(e).__name__}: {e})"
    return None if count > 0 else "CuPy sees no GPU"


REASON = _gpu_unavailable_reason()
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(REASON is not None, reason=REASON or "")]

IDX = np.array([[0, 2, 1, 2], [1, 1, 0, 0]])
OPS: dict[str, Callable[[Any, Any], Any]] = {
    "prod_zeros": lambda x, d: (x * (x > 0)).prod(1),
    "cumsum": lambda x, d: x.cumsum(0),
    "cumprod": lambda x, d: x.cumprod(1),
    "cummax": lambda x, d: x.cummax(1),
    "logcumsumexp": lambda x, d: x.logcumsumexp(1),
    "norm": lambda x, d: (x.norm(), x.norm(3, dim=1), x.norm(float("inf"), dim=0)),
    "sort_desc": lambda x, d: x.sort(1, descending=True),
    "topk": lambda x, d: x.topk(2),
    "median": lambda x, d: (x.median(), *x.median(1)),
    "mode": lambda x, d: (x > 0).float().mode(1),
    "gather": lambda x, d: x.gather(1, Tensor(IDX, device=d)),
    "scatter_add": lambda x, d: x[:, :3].scatter_add(1, Tensor(IDX, device=d), x),
    "scatter_reduce_prod": lambda x, d: x[:, :3].scatter_reduce(
        1, Tensor(IDX, device=d), x, "prod", include_self=False),
    "scatter_reduce_amax": lambda x, d: x[:, :3].scatter_reduce(1, Tensor(IDX, device=d), x,
                                                                 "amax"),
    "index_select": lambda x, d: x.index_select(1, Tensor([3, 0, 3], device=d)),
    "masked_select": lambda x, d: x.masked_select(x > 0),
    "nonzero": lambda x, d: (x > 0).nonzero(),
    "flip_roll_repeat": lambda x, d: x.flip(0).roll(1, 1).repeat(2, 1),
    "unfold_diagonal": lambda x, d: (x.unfold(1, 2, 1), x.diagonal(1)),
    "einsum": lambda x, d: tg.einsum("ij,kj->ik", x, x),
    "index_rule": lambda x, d: x[0, [1, 3]],
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_cuda_matches_cpu(name: str) -> None:
    a = np.random.default_rng(0).uniform(-2, 2, (2, 4)).astype(np.float32)
    results = []
    for device in ("cpu", "cuda"):
        x = Tensor(a, device=device, requires_grad=True)
        outs = OPS[name](x, device)
        outs = list(outs) if isinstance(outs, tuple) else [outs]
        total = sum(o.float().sum() for o in outs if o.requires_grad)
        if isinstance(total, Tensor):
            total.backward()
        results.append(([o.cpu().numpy() for o in outs],
                        None if x.grad is None else x.grad.cpu().numpy()))
    (cpu_outs, cpu_grad), (gpu_outs, gpu_grad) = results
    for c, g in zip(cpu_outs, gpu_outs):
        assert c.dtype == g.dtype and c.shape == g.shape
        np.testing.assert_allclose(g, c, rtol=1e-5, atol=1e-6)
    if cpu_grad is not None:
        np.testing.assert_allclose(gpu_grad, cpu_grad, rtol=1e-5, atol=1e-6)
