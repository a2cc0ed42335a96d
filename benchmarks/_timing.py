"""Shared timing helpers for the CPU benchmarks: warm-up, many repeats, medians."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_ms(step: Callable[[], object], repeats: int = 50, warmup: int = 5) -> float:
    """Median wall time of ``step()`` in milliseconds (medians: these machines are noisy)."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def interleaved(steps: dict[str, Callable[[], object]], rounds: int = 5, repeats: int = 20,
                warmup: int = 5) -> dict[str, float]:
    """Median ms of each step, timed in alternating rounds so that a burst of load on the
    machine hits every contender alike rather than whichever ran at that moment."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    samples: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            for _ in range(repeats):
                t0 = time.perf_counter()
                step()
                samples[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) * 1e3 for k, v in samples.items()}


def limit_threads(n: int) -> str:
    """Give torch, numpy's BLAS and numba the same thread count. Left alone, the two thread
    pools in one process fight over the cores and small steps stall for milliseconds."""
    import torch

    torch.set_num_threads(n)
    try:  # our compiled CPU kernels (numba's prange) get the same count
        import numba

        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return f"torch {n} threads; numpy BLAS threads not limited (threadpoolctl missing)"
    threadpool_limits(n, user_api="blas")
    return f"torch and numpy BLAS limited to {n} threads"


def sgd_training_step(model: Any, optim: Any, loss_fn: Any, x: Any, y: Any,
                      lr: float = 0.01) -> Callable[[], Any]:
    """One SGD training step as a closure. tinygrad_edu and PyTorch share this API, so the
    same lines time both: whatever differs is the library, not the benchmark."""
    opt = optim.SGD(model.parameters(), lr=lr)

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step
