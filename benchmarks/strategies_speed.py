"""Draws per second of the main ``tinygrad_edu.testing.strategies`` (generation only).

Each strategy is drawn ``N`` times through ``@given`` (no shrinking, no database), and
the rate is ``N / elapsed`` in CPU time of this process (``time.process_time``: other
jobs on a shared machine barely change it, unlike wall time), the best of ``ROUNDS``
rounds. Run:
``python benchmarks/strategies_speed.py [N] [ROUNDS]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from tinygrad_edu.testing import strategies as tst

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3

CASES: dict[str, Callable[[], Any]] = {
    "shapes()": lambda: tst.shapes(),
    "broadcastable_shapes(2)": lambda: tst.broadcastable_shapes(2),
    "matmul_shapes()": lambda: tst.matmul_shapes(),
    "tensors(float32)": lambda: tst.tensors(dtype="float32"),
    "tensors(float64, positive)": lambda: tst.tensors(dtype="float64", domain="positive"),
    "tensors(non_contiguous=True)": lambda: tst.tensors(shape=tst.shapes(min_dims=2),
                                                        non_contiguous=True),
    "tensors(int64)": lambda: tst.tensors(dtype="int64"),
    "broadcastable_tensors(2)": lambda: tst.broadcastable_tensors(2, dtype="float64"),
    # options that exist only since the toolkit's second version (skipped before it)
    "tensors(special_values=True)": lambda: tst.tensors(dtype="float64", special_values=True),
    "tensors(avoid=[0.0])": lambda: tst.tensors(dtype="float64", avoid=[0.0]),
    "gufunc_tensors((m,n),(n,p)->(m,p))": lambda: tst.gufunc_tensors("(m,n),(n,p)->(m,p)"),
}


def draws_per_second(make: Callable[[], Any], n: int = N) -> float:
    count = 0

    @settings(max_examples=n, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(make())
    def draw(_: Any) -> None:
        nonlocal count
        count += 1

    t0 = time.process_time()
    draw()
    return count / (time.process_time() - t0)


if __name__ == "__main__":
    for name, make in CASES.items():
        try:
            best = max(draws_per_second(make) for _ in range(ROUNDS))
            rate = f"{best:8.0f} draws/s"
        except (AttributeError, TypeError):  # an older toolkit without this strategy
            rate = "     n/a"
        print(f"{name:36s} {rate}")
