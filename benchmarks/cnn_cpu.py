"""One training step of the W17 CNN (forward, cross-entropy, backward, SGD update) on a
batch of 64 3×32×32 images, float32: tinygrad_edu against PyTorch CPU, timed in the
same run with the same weights and data.

    python benchmarks/cnn_cpu.py [--rounds 5] [--repeats 20] [--threads N] [--profile]

    Conv2d(3,6,5) → ReLU → MaxPool2d(2,2) → Conv2d(6,16,5) → ReLU → MaxPool2d(2,2)
    → flatten 400 → Linear(400,120) → ReLU → Linear(120,84) → ReLU → Linear(84,10)

Prints the median milliseconds per step of each and the ratio ours / torch.

Threads: PyTorch gets ``torch.set_num_threads(N)``; numpy's BLAS (OpenBLAS) is limited
to the same N with ``threadpoolctl`` (installed with scikit-learn). Default N: all cores.
The comparison is not symmetric in what N buys: PyTorch runs its convolutions (oneDNN)
and its elementwise kernels on all N threads, while only our matrix products use more
than one — numpy's elementwise work (im2col copies, ReLU, pooling) is single-threaded.
``--threads 1`` compares the two on equal terms.

``--profile`` prints where our step spends its time (cProfile, top 25 by own time).
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _timing import interleaved, limit_threads, sgd_training_step  # noqa: E402

LAYERS = ("conv1", "conv2", "fc1", "fc2", "fc3")


def make_weights(seed: int = 0) -> dict[str, np.ndarray]:
    """The model's weights, drawn once and given to both libraries."""
    from tinygrad_edu import nn

    model = w17_cnn(nn, seed)
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def w17_cnn(nn, seed: int | None = None):
    """The seed's Net (002 · 5.3.2) — the same code builds both models: ``nn`` is
    ``tinygrad_edu.nn`` or ``torch.nn``."""
    kw = {} if seed is None else {"seed": np.random.default_rng(seed)}
    return nn.Sequential(
        nn.Conv2d(3, 6, 5, **kw), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5, **kw), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120, **kw), nn.ReLU(),
        nn.Linear(120, 84, **kw), nn.ReLU(),
        nn.Linear(84, 10, **kw),
    )


def make_ours(x: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray]):
    from tinygrad_edu import Tensor, nn, optim

    model = w17_cnn(nn)
    model.load_state_dict(weights)
    return sgd_training_step(model, optim, nn.CrossEntropyLoss(), Tensor(x), Tensor(y))


def make_torch(x: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray]):
    import torch

    model = w17_cnn(torch.nn)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    return sgd_training_step(model, torch.optim, torch.nn.CrossEntropyLoss(),
                             torch.from_numpy(x), torch.from_numpy(y))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("PyTorch is the reference: pip install 'tinygrad-edu[oracle]' (torch==2.13.0)")
    blas = limit_threads(args.threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, args.batch).astype(np.int64)
    weights = make_weights()
    ours, ref = make_ours(x, y, weights), make_torch(x, y, weights)
    # same weights, same data: the first losses must agree before timing means anything
    lo, lt = ours().item(), ref().item()
    assert abs(lo - lt) < 1e-4, (lo, lt)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.runcall(lambda: [ours() for _ in range(50)])
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    ms = interleaved({"ours": ours, "torch": ref}, args.rounds, args.repeats)
    print(f"W17 CNN training step, batch {args.batch}, float32, "
          f"{blas}; median of {args.rounds}x{args.repeats} steps")
    print(f"{'ours ms':>9} {'torch ms':>9} {'ours/torch':>11}")
    print(f"{ms['ours']:>9.3f} {ms['torch']:>9.3f} {ms['ours'] / ms['torch']:>10.2f}x")


if __name__ == "__main__":
    main()
