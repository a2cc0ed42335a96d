"""The CPU speed table in one command: tinygrad_edu beside PyTorch, a hand-written numpy
training step, and whichever peers are installed (jax, tinygrad, mygrad, autograd).

    python benchmarks/table.py [--rounds 7] [--threads 1 2] [--quick] [--no-memory]

Each library runs in a process of its own (two BLAS thread pools in one process fight
over the cores, and memory freed by one changes the page faults of the next); the
parent interleaves their timing rounds, so a burst of load on the machine hits every
contender alike. A cell is the median over rounds of each round's median step time;
ratios are time / PyTorch's time (below 1 is faster). The header says the thread count,
the load average before and after, and which OpenBLAS kernel numpy uses.

Rows: ``tinygrad_edu`` is the eager engine; ``tinygrad_edu_jit`` the same step wrapped in
``tinygrad_edu.jit.TinyJit`` (recorded once, then replayed as plain numpy calls into
buffers kept between steps; MLPs only); ``numpy`` a hand-written numpy step (the floor for
an engine on numpy).

Workloads (the ones the course trains):
  mlp64, mlp256   784-128-10 MLP, SGD step (forward, cross-entropy, backward, update)
  big256          784-1024-1024-10 MLP, batch 256
  cnn64           the W17 CNN (two conv+relu+maxpool, three linear), batch 64
  chain           1,000 small elementwise ops on 16 floats, forward and backward (µs/op)

Peak memory: after the speed table, each library runs 200 steps of mlp64 and mlp256 (the
ones among ``--workloads``) in a fresh process of its own, one thread, and reports its
peak resident set size (``resource.getrusage(...).ru_maxrss``) after importing the
library and after the 200 steps, in MiB, with the ratio to PyTorch's peak. ``--no-memory``
skips it; ``--memory-steps N`` changes the 200.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

WORKLOADS = ("mlp64", "mlp256", "big256", "cnn64", "chain")
LIBRARIES = ("tinygrad_edu", "tinygrad_edu_jit", "torch", "numpy", "jax", "tinygrad", "mygrad",
             "autograd")
#: the module each library needs (skipped with a note when it is not installed)
MODULES = {"tinygrad_edu": "tinygrad_edu", "tinygrad_edu_jit": "tinygrad_edu",
           "torch": "torch", "numpy": "numpy",
           "jax": "jax", "tinygrad": "tinygrad", "mygrad": "mygrad", "autograd": "autograd"}


def _data(workload: str) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    rng = np.random.default_rng(0)
    if workload == "cnn64":
        return (rng.standard_normal((64, 3, 32, 32)).astype(np.float32),
                rng.integers(0, 10, 64), [])
    batch = 64 if workload == "mlp64" else 256
    sizes = [784, 1024, 1024, 10] if workload == "big256" else [784, 128, 10]
    return (rng.standard_normal((batch, 784)).astype(np.float32), rng.integers(0, 10, batch),
            list(zip(sizes[:-1], sizes[1:])))


# ---- one training step per library --------------------------------------------------


def _step_tinygrad_edu(workload: str) -> Callable[[], Any]:
    from tinygrad_edu import Tensor, nn, optim

    if workload == "chain":
        a = Tensor(np.linspace(-1, 1, 16, dtype=np.float32), requires_grad=True)

        def chain() -> None:
            h = a
            for _ in range(250):
                h = (h * 1.0001 + 0.001).tanh() - 0.0001
            h.sum().backward()
        return chain
    x, y, layers = _data(workload)
    model = _cnn(nn) if workload == "cnn64" else _mlp(nn, layers)
    return _sgd(model, optim, nn.CrossEntropyLoss(), Tensor(x), Tensor(y))


def _step_tinygrad_edu_jit(workload: str) -> Callable[[], Any]:
    """The same SGD step wrapped in ``tinygrad_edu.jit.TinyJit``: its first call runs
    eagerly, the second is recorded, the third checked against an eager step, and the
    rest replay the recorded numpy calls (the worker's three warm-up steps)."""
    if workload not in ("mlp64", "mlp256", "big256"):
        raise NotImplementedError("the jit row is measured for the MLPs only")
    from tinygrad_edu import Tensor
    from tinygrad_edu.jit import TinyJit

    step = _step_tinygrad_edu(workload)
    jitted = TinyJit(step)
    x, y, _ = _data(workload)
    xt, yt = Tensor(x), Tensor(y)
    # the step's closure holds the model, optimiser and data; the jit's inputs are the
    # batch tensors, passed on each call as a training loop would
    return functools.partial(jitted, xt, yt)


def _step_torch(workload: str) -> Callable[[], Any]:
    import torch

    if workload == "chain":
        a = torch.linspace(-1, 1, 16, requires_grad=True)

        def chain() -> None:
            h = a
            for _ in range(250):
                h = (h * 1.0001 + 0.001).tanh() - 0.0001
            h.sum().backward()
        return chain
    x, y, layers = _data(workload)
    model = _cnn(torch.nn) if workload == "cnn64" else _mlp(torch.nn, layers)
    return _sgd(model, torch.optim, torch.nn.CrossEntropyLoss(), torch.from_numpy(x),
                torch.from_numpy(y))


def _step_numpy(workload: str) -> Callable[[], Any]:
    """The same MLP step written directly in numpy: the floor for an engine on numpy."""
    if workload not in ("mlp64", "mlp256", "big256"):
        raise NotImplementedError("the numpy reference is written for the MLPs only")
    x, y, layers = _data(workload)
    rng = np.random.default_rng(1)
    ws = [(rng.uniform(-1, 1, (o, i)) / np.sqrt(i)).astype(np.float32) for i, o in layers]
    bs = [np.zeros(o, np.float32) for _, o in layers]
    n, lr = len(y), np.float32(0.01)
    rows = np.arange(n)

    def step() -> float:
        acts = [x]
        for k, (w, b) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w.T
            z += b
            if k < len(ws) - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
        logits = acts.pop()
        shifted = logits - logits.max(1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(1, keepdims=True)
        loss = float(np.log(s).mean() - shifted[rows, y].mean())
        g = e / s
        g[rows, y] -= 1
        g /= n
        for k in range(len(ws) - 1, -1, -1):
            a = acts[k]
            gw, gb = g.T @ a, g.sum(0)
            if k:
                g = g @ ws[k]
                g *= a > 0
            ws[k] -= lr * gw
            bs[k] -= lr * gb
        return loss
    return step


def _step_peer(lib: str, workload: str) -> Callable[[], Any]:
    raise NotImplementedError(f"{lib} is installed, but no {workload} step is written for it "
                              "yet (add one in benchmarks/table.py)")


def _mlp(nn: Any, layers: list[tuple[int, int]]) -> Any:
    mods: list[Any] = []
    for k, (i, o) in enumerate(layers):
        mods += [nn.Linear(i, o)] + ([nn.ReLU()] if k < len(layers) - 1 else [])
    return nn.Sequential(*mods)


def _cnn(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _sgd(model: Any, optim: Any, loss_fn: Any, x: Any, y: Any) -> Callable[..., Any]:
    """One SGD step on (x, y); called with arguments, it trains on those instead."""
    opt = optim.SGD(model.parameters(), lr=0.01)

    def step(xb: Any = x, yb: Any = y) -> Any:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss
    return step


# ---- the worker: one library, one workload, rounds on request ----------------------------


def worker(lib: str, workload: str, threads: int, repeats: int) -> None:
    """Build the step, then answer each line on stdin with one round's median (ms)."""
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    if lib == "torch":
        import torch

        torch.set_num_threads(threads)
    maker = {"tinygrad_edu": _step_tinygrad_edu, "tinygrad_edu_jit": _step_tinygrad_edu_jit,
             "torch": _step_torch, "numpy": _step_numpy}.get(lib)
    try:
        step = maker(workload) if maker else _step_peer(lib, workload)
    except NotImplementedError as e:
        print(json.dumps({"skip": str(e)}), flush=True)
        return
    for _ in range(3):
        step()
    print(json.dumps({"ready": True}), flush=True)
    for _ in sys.stdin:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
        print(json.dumps({"ms": statistics.median(times) * 1e3}), flush=True)


def memory_worker(lib: str, workload: str, steps: int) -> None:
    """Print the peak RSS (MiB) after importing ``lib`` and after ``steps`` training steps.

    Runs in a fresh process: ru_maxrss is the peak over the process's whole life, so the
    figure after import is also what the interpreter, numpy and this script cost."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    importlib.import_module(MODULES[lib])
    if lib == "torch":
        import torch

        torch.set_num_threads(1)
    after_import = _peak_rss_mib()
    maker = {"tinygrad_edu": _step_tinygrad_edu, "tinygrad_edu_jit": _step_tinygrad_edu_jit,
             "torch": _step_torch, "numpy": _step_numpy}.get(lib)
    try:
        step = maker(workload) if maker else _step_peer(lib, workload)
    except NotImplementedError as e:
        print(json.dumps({"skip": str(e)}), flush=True)
        return
    for _ in range(steps):
        step()
    print(json.dumps({"import": after_import, "peak": _peak_rss_mib()}), flush=True)


def _peak_rss_mib() -> float:
    """ru_maxrss in MiB (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def measure_memory(workloads: list[str], steps: int, notes: list[str]
                   ) -> list[tuple[str, dict[str, tuple[float, float]]]]:
    """(workload, {library: (MiB after import, peak MiB after the steps)}) for the MLPs."""
    rows = []
    for workload in (w for w in ("mlp64", "mlp256") if w in workloads):
        cells: dict[str, tuple[float, float]] = {}
        for lib in LIBRARIES:
            if not _installed(MODULES[lib]):
                continue
            out = subprocess.run(
                [sys.executable, __file__, "--memory-worker", lib, workload, str(steps)],
                capture_output=True, text=True, check=False).stdout
            msg = json.loads(out.strip().splitlines()[-1] if out.strip() else
                             '{"skip": "the worker died"}')
            if "skip" in msg:
                if lib not in ("jax", "tinygrad", "mygrad", "autograd"):
                    notes.append(f"{lib} {workload} memory: {msg['skip']}")
                continue
            cells[lib] = (msg["import"], msg["peak"])
        rows.append((workload, cells))
    return rows


def print_memory(rows: list[tuple[str, dict[str, tuple[float, float]]]], steps: int) -> None:
    libs = [lib for lib in LIBRARIES if any(lib in cells for _, cells in rows)]
    if not libs:
        return
    print()
    print(f"peak RSS of {steps} training steps, one library per fresh process, 1 thread: "
          "MiB after import / peak MiB after the steps (ratio of the peak to PyTorch's)")
    print(f"{'workload':<9} " + " ".join(f"{lib:>24}" for lib in libs))
    for workload, cells in rows:
        ref = cells.get("torch", (0.0, 0.0))[1]
        out = []
        for lib in libs:
            if lib not in cells:
                out.append(f"{'—':>24}")
                continue
            imp, peak = cells[lib]
            ratio = f"({peak / ref:.2f})" if ref else ""
            out.append(f"{imp:>7.0f} / {peak:>6.0f} {ratio:>7}")
        print(f"{workload:<9} " + " ".join(out))


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl missing"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i.get('internal_api')} {i.get('architecture', '')}".strip()
                     for i in info) or "unknown"


def measure(workload: str, threads: int, rounds: int, repeats: int,
            notes: list[str]) -> dict[str, float]:
    procs: dict[str, subprocess.Popen[str]] = {}
    for lib in LIBRARIES:
        if not _installed(MODULES[lib]):
            notes.append(f"{lib}: not installed, skipped")
            continue
        procs[lib] = subprocess.Popen(
            [sys.executable, __file__, "--worker", lib, workload, str(threads), str(repeats)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = {}
    for lib, p in procs.items():
        assert p.stdout is not None
        msg = json.loads(p.stdout.readline() or '{"skip": "the worker died"}')
        if "skip" in msg:
            if lib not in ("tinygrad_edu_jit", "jax", "tinygrad", "mygrad", "autograd") \
                    or workload == "mlp64":
                notes.append(f"{lib} {workload}: {msg['skip']}")
            p.wait()
        else:
            ready[lib] = p
    samples: dict[str, list[float]] = {lib: [] for lib in ready}
    for _ in range(rounds):  # interleaved: each library takes its turn every round
        for lib, p in ready.items():
            assert p.stdin is not None and p.stdout is not None
            p.stdin.write("go\n")
            p.stdin.flush()
            samples[lib].append(json.loads(p.stdout.readline())["ms"])
    for p in ready.values():
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    return {lib: statistics.median(v) for lib, v in samples.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    ap.add_argument("--quick", action="store_true", help="3 rounds of 5 steps (a smoke run)")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the peak-memory table (200 MLP steps per library)")
    ap.add_argument("--memory-steps", type=int, default=200,
                    help="training steps of the peak-memory runs (default 200)")
    ap.add_argument("--worker", nargs=4, metavar=("LIB", "WORKLOAD", "THREADS", "REPEATS"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--memory-worker", nargs=3, metavar=("LIB", "WORKLOAD", "STEPS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        lib, workload, threads, repeats = args.worker
        worker(lib, workload, int(threads), int(repeats))
        return
    if args.memory_worker:
        lib, workload, steps = args.memory_worker
        memory_worker(lib, workload, int(steps))
        return
    if not _installed("torch"):
        sys.exit("PyTorch is the reference: pip install 'tinygrad-edu[oracle]' (torch==2.13.0)")
    rounds = 3 if args.quick else args.rounds
    load_before = os.getloadavg()
    notes: list[str] = []
    rows = []
    for threads in args.threads:
        for workload in args.workloads:
            repeats = 2 if workload == "chain" else (5 if args.quick else 20)
            ms = measure(workload, threads, rounds, repeats, notes)
            rows.append((workload, threads, ms))
    load_after = os.getloadavg()
    libs = [lib for lib in LIBRARIES if any(lib in ms for _, _, ms in rows)]
    print(f"CPU training step, float32; median over {rounds} interleaved rounds, one library "
          f"per process; load average {load_before[0]:.2f} before, {load_after[0]:.2f} "
          f"after; numpy BLAS: {_blas_kernel()}")
    print("cells: ms per step (chain: µs per op) and the ratio to PyTorch's time")
    print(f"{'workload':<9} {'threads':>7} " + " ".join(f"{lib:>20}" for lib in libs))
    for workload, threads, ms in rows:
        ref = ms.get("torch")
        cells = []
        for lib in libs:
            if lib not in ms:
                cells.append(f"{'—':>20}")
                continue
            # chain: ms for 1,000 ops is µs per op
            ratio = f"({ms[lib] / ref:.2f})" if ref else ""
            cells.append(f"{ms[lib]:>12.3f} {ratio:>7}")
        print(f"{workload:<9} {threads:>7} " + " ".join(cells))
    if not args.no_memory:
        print_memory(measure_memory(args.workloads, args.memory_steps, notes),
                     args.memory_steps)
    for note in dict.fromkeys(notes):
        print("note:", note)


if __name__ == "__main__":
    main()
