"""One training step of a 784-128-10 MLP (forward, cross-entropy, backward, SGD update),
float32, batches of 64 and 256: tinygrad_edu against PyTorch CPU, timed in the same run.

    python benchmarks/mlp_cpu.py [--rounds 5] [--repeats 20] [--threads N]

Prints the median milliseconds per step of each and the ratio ours / torch.
Both libraries use the same number of BLAS threads (``--threads``, default: all cores).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import interleaved, limit_threads, sgd_training_step  # noqa: E402


def mlp(nn):
    """784-128-10 with ReLU, built from either library's ``nn``."""
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def make_ours(x: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray]):
    from tinygrad_edu import Tensor, nn, optim

    model = mlp(nn)
    model.load_state_dict(weights)
    return sgd_training_step(model, optim, nn.CrossEntropyLoss(), Tensor(x), Tensor(y))


def make_torch(x: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray]):
    import torch

    model = mlp(torch.nn)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    return sgd_training_step(model, torch.optim, torch.nn.CrossEntropyLoss(),
                             torch.from_numpy(x), torch.from_numpy(y))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("PyTorch is the reference: pip install 'tinygrad-edu[oracle]' (torch==2.13.0)")
    threads = limit_threads(args.threads)
    rng = np.random.default_rng(0)
    weights = {"0.weight": rng.standard_normal((128, 784)) * 0.05, "0.bias": np.zeros(128),
               "2.weight": rng.standard_normal((10, 128)) * 0.05, "2.bias": np.zeros(10)}
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    print(f"784-128-10 MLP training step, float32, {threads}, median of "
          f"{args.rounds}x{args.repeats} interleaved steps")
    print(f"{'batch':>6} {'ours ms':>9} {'torch ms':>9} {'ours/torch':>11}")
    for batch in (64, 256):
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        y = rng.integers(0, 10, batch).astype(np.int64)
        ours, ref = make_ours(x, y, weights), make_torch(x, y, weights)
        # same weights, same data: the first losses must agree before timing means anything
        lo, lt = ours().item(), ref().item()
        assert abs(lo - lt) < 1e-4, (lo, lt)
        ms = interleaved({"ours": ours, "torch": ref}, args.rounds, args.repeats)
        print(f"{batch:>6} {ms['ours']:>9.3f} {ms['torch']:>9.3f} "
              f"{ms['ours'] / ms['torch']:>10.2f}x")


if __name__ == "__main__":
    main()
