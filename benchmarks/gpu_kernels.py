#!/usr/bin/env python3
"""Benchmark our GPU kernels against CuPy's own in the same run, and write the results.

    python benchmarks/gpu_kernels.py                      # everything, default sizes
    python benchmarks/gpu_kernels.py --sizes 1024 4096    # fewer matmul sizes
    python benchmarks/gpu_kernels.py --skip-e2e --elements 67108864

What is measured (fp32 throughout):

* **matmul** — TFLOP/s (2·M·N·K per call) of ``numba-naive``, ``numba-tiled``,
  ``numba-register`` and ``cupy-raw`` against ``cupy.matmul`` (cuBLAS SGEMM) at 1024,
  2048, 4096 and the ragged 4097. TF32 stays off: CuPy uses it only when ``CUPY_TF32``
  is set to a non-zero value, so this script sets ``CUPY_TF32=0`` before importing CuPy
  and then checks numerically that cuBLAS really computes in full fp32.
* **elementwise** — GB/s of ``a + b`` on 2^28 float32 elements (3 arrays of bytes: two
  reads, one write; well beyond the 50 MB L2) for our Numba kernel and our CuPy
  ``ElementwiseKernel`` against ``cupy.add``, plus a broadcast add and the fused Adam step
  against the unfused one (7 arrays of bytes).
* **reductions** — our Numba ``sum`` against ``cupy.sum`` on a tall 16-column matrix
  (column sums), rows of 10 and of 1024 values, and the whole array, ~2^28 floats each.
* **end to end** — a training step of the W27 MLP (784-128-10) and the W17 CNN on the
  ``cuda`` device, against PyTorch CUDA if it is installed; skipped with a printed reason
  while ``tinygrad_edu.nn`` does not exist.

How: every kernel's result is first checked against the reference (cuBLAS for matmul);
a kernel that disagrees is reported and not timed. Times are CUDA-event GPU times from
``cupyx.profiler.benchmark`` after warm-up calls (which also trigger compilation); we
report medians. GPU times include the host's launch overhead when the GPU would
otherwise wait for it (our Numba launches cost tens of microseconds of Python), which
is why the elementwise arrays are large.

Results: a JSON file and a text table in ``benchmarks/results/``, named after the
device and the time; ratios are against the reference measured in the same run.
Goals at 4096³: ``numba-register`` >= 40% of cuBLAS, ``cupy-raw`` >= 60%; elementwise
>= 85% of ``cupy.add``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # kernels/ and tinygrad_edu/ from this checkout

INSTALL = ('pip install "tinygrad-edu[gpu]" (CuPy and numba-cuda, with numpy<2.5), '
           "on a machine with an NVIDIA GPU and a CUDA 12 or 13 driver")
MATMUL_KERNELS = ("cublas", "cupy-raw", "numba-register", "numba-tiled", "numba-naive")
MATMUL_GOALS = {"numba-register": 0.40, "cupy-raw": 0.60}  # fraction of cuBLAS at 4096³
ELEMENTWISE_GOAL = 0.85  # fraction of cupy.add


# --- setup ---------------------------------------------------------------------------------
def import_cupy() -> tuple[Any, str | None]:
    """CuPy with a GPU behind it, or None and the reason."""
    if os.environ.get("CUPY_TF32", "0").strip() not in ("", "0"):
        print(f"note: CUPY_TF32={os.environ['CUPY_TF32']} ignored; the reference is full fp32")
    os.environ["CUPY_TF32"] = "0"  # before the first cuBLAS call reads it
    try:
        import cupy
        import cupyx.profiler  # noqa: F401
    except Exception as e:
        return None, f"CuPy could not be imported ({type(e).__name__}: {e})"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:
        return None, f"CuPy found no usable GPU ({type(e).__name__}: {e})"
    if count == 0:
        return None, "CuPy found no GPU"
    return cupy, None


def environment(cupy: Any) -> dict[str, Any]:
    props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    env: dict[str, Any] = {
        "device": name,
        "compute_capability": f"{props['major']}.{props['minor']}",
        "multiprocessors": props["multiProcessorCount"],
        "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion(),
        "cuda_driver": cupy.cuda.runtime.driverGetVersion(),
        "cupy": cupy.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "CUPY_TF32": os.environ.get("CUPY_TF32"),
        "NVIDIA_TF32_OVERRIDE": os.environ.get("NVIDIA_TF32_OVERRIDE"),
    }
    try:
        from importlib import metadata

        env["numba_cuda"] = metadata.version("numba-cuda")
    except Exception:
        env["numba_cuda"] = None
    return env


def cublas_uses_full_fp32(cupy: Any) -> bool:
    """TF32 keeps 10 mantissa bits: 1.0001 becomes 1.0, and a 1024-long dot product of
    1.0001s comes out as 1024.0 instead of 1024.1024."""
    x = cupy.full((1024, 1024), 1.0001, dtype=cupy.float32)
    y = cupy.ones((1024, 1024), dtype=cupy.float32)
    return abs(float((x @ y)[0, 0]) - 1024.1024) < 0.01


def gpu_ms(fn: Callable[[], Any], args: argparse.Namespace) -> float:
    """Median CUDA-event time of ``fn()`` in milliseconds, after warm-up."""
    from cupyx.profiler import benchmark

    result = benchmark(fn, n_repeat=args.repeat, n_warmup=args.warmup,
                       max_duration=args.max_duration)
    return float(np.median(result.gpu_times[0])) * 1e3


def max_relative_error(cupy: Any, got: Any, want: Any) -> float:
    if want.size == 0:
        return 0.0
    scale = float(cupy.abs(want).max()) or 1.0
    return float(cupy.abs(got.astype(cupy.float32) - want).max()) / scale


# --- matmul ----------------------------------------------------------------------------------
def matmul_functions(cupy: Any) -> dict[str, Callable[[Any, Any], Any]]:
    from tinygrad_edu.kernels.cupy.matmul_raw import matmul_raw
    from tinygrad_edu.kernels.numba_cuda.matmul_naive import matmul_naive
    from tinygrad_edu.kernels.numba_cuda.matmul_register import matmul_register
    from tinygrad_edu.kernels.numba_cuda.matmul_tiled import matmul_tiled

    return {"cublas": cupy.matmul, "cupy-raw": matmul_raw, "numba-register": matmul_register,
            "numba-tiled": matmul_tiled, "numba-naive": matmul_naive}


def bench_matmul(cupy: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    functions = matmul_functions(cupy)
    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        print(f"\nmatmul {n} x {n} x {n} (fp32)")
        rng = cupy.random.default_rng(n)
        a = rng.standard_normal((n, n), dtype=cupy.float32)
        b = rng.standard_normal((n, n), dtype=cupy.float32)
        reference = cupy.matmul(a, b)
        flops = 2.0 * n * n * n
        cublas_ms = None
        for name in args.kernels:
            row: dict[str, Any] = {"kernel": name, "size": [n, n, n]}
            try:
                out = functions[name](a, b)
                row["max_rel_error_vs_cublas"] = max_relative_error(cupy, out, reference)
                del out
            except Exception as e:  # a kernel that fails must not hide the others
                row["error"] = f"{type(e).__name__}: {e}"
                print(f"  {name:15s} FAILED: {row['error']}")
                rows.append(row)
                continue
            if row["max_rel_error_vs_cublas"] > 1e-4:
                row["error"] = "wrong result, not timed"
                err = row["max_rel_error_vs_cublas"]
                print(f"  {name:15s} WRONG: max relative error {err:.2e}")
                rows.append(row)
                continue
            # --max-duration bounds every case, so slow kernels get fewer repeats.
            ms = gpu_ms(lambda f=functions[name], a=a, b=b: f(a, b), args)
            row["median_ms"] = ms
            row["tflops"] = flops / (ms * 1e-3) / 1e12
            if name == "cublas":
                cublas_ms = ms
            row["fraction_of_cublas"] = (cublas_ms / ms) if cublas_ms else None
            ratio = f"{row['fraction_of_cublas']:6.1%}" if cublas_ms else "   n/a"
            print(f"  {name:15s} {ms:9.3f} ms  {row['tflops']:7.2f} TFLOP/s  {ratio} of cuBLAS")
            rows.append(row)
        del a, b, reference
        cupy.get_default_memory_pool().free_all_blocks()
    return rows


# --- elementwise -----------------------------------------------------------------------------
def bench_elementwise(cupy: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    from tinygrad_edu.kernels.cupy import elementwise as cupy_kernels
    from tinygrad_edu.kernels.cupy import fused
    from tinygrad_edu.kernels.numba_cuda import elementwise as numba_kernels

    from tinygrad_edu.backend.base import Backend

    n = args.elements
    print(f"\nelementwise on {n:,} float32 elements ({n * 4 / 2**20:,.0f} MiB per array)")
    rng = cupy.random.default_rng(0)
    a = rng.standard_normal(n, dtype=cupy.float32)
    b = rng.standard_normal(n, dtype=cupy.float32)
    width = min(4096, max(1, n // 2))  # rows of 4096 for real sizes
    a2 = a[: (n // width) * width].reshape(-1, width)
    row_vec = rng.standard_normal(width, dtype=cupy.float32)

    cases: list[tuple[str, str, Callable[[], Any], float]] = [
        # (name, group: whose reference, function, bytes moved)
        ("cupy.add", "add", lambda: cupy.add(a, b), 3 * 4 * n),
        ("cupy-elementwise add", "add", lambda: cupy_kernels.binary("add", a, b), 3 * 4 * n),
        ("numba add", "add", lambda: numba_kernels.zip_op("add", a, b), 3 * 4 * n),
        ("cupy.add (row broadcast)", "broadcast", lambda: cupy.add(a2, row_vec),
         (2 * a2.size + width) * 4),
        ("numba add (row broadcast)", "broadcast",
         lambda: numba_kernels.zip_op("add", a2, row_vec), (2 * a2.size + width) * 4),
    ]
    want = a + b
    want2 = a2 + row_vec
    rows: list[dict[str, Any]] = []
    reference_ms: dict[str, float] = {}
    for name, group, fn, nbytes in cases:
        row: dict[str, Any] = {"kernel": name, "elements": n, "bytes": nbytes}
        err = max_relative_error(cupy, fn(), want if group == "add" else want2)
        row["max_rel_error"] = err
        if err > 1e-6:
            row["error"] = "wrong result, not timed"
            print(f"  {name:28s} WRONG: max relative error {err:.2e}")
            rows.append(row)
            continue
        ms = gpu_ms(fn, args)
        row["median_ms"] = ms
        row["gb_per_s"] = nbytes / (ms * 1e-3) / 1e9
        reference_ms.setdefault(group, ms)  # the first case of each group is the reference
        row["fraction_of_reference"] = reference_ms[group] / ms
        print(f"  {name:28s} {ms:8.3f} ms  {row['gb_per_s']:8.1f} GB/s  "
              f"{row['fraction_of_reference']:6.1%} of {cases[0][0] if group == 'add' else 'cupy'}")
        rows.append(row)
    cases.clear()  # release the outputs and references before the Adam arrays
    want = want2 = None

    # Adam: the fused kernel against Backend.adam_step's array operations, on CuPy arrays.
    class _CupyArrays(Backend):
        xp = cupy

    p0 = rng.standard_normal(n, dtype=cupy.float32)
    g = rng.standard_normal(n, dtype=cupy.float32)
    hyper = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction1=0.1,
                 bias_correction2=0.001)
    states = {name: (p0.copy(), cupy.zeros_like(p0), cupy.zeros_like(p0))
              for name in ("unfused", "fused")}
    _CupyArrays().adam_step(states["unfused"][0], g, *states["unfused"][1:], **hyper)
    fused.adam_step(states["fused"][0], g, *states["fused"][1:], **hyper)
    err = max(max_relative_error(cupy, x, y) for x, y in zip(states["fused"], states["unfused"],
                                                             strict=True))
    adam_cases = [
        ("adam unfused (Backend.adam_step)",
         lambda: _CupyArrays().adam_step(states["unfused"][0], g, *states["unfused"][1:],
                                         **hyper)),
        ("adam fused (cupy-fused)",
         lambda: fused.adam_step(states["fused"][0], g, *states["fused"][1:], **hyper)),
    ]
    unfused_ms = None
    for name, fn in adam_cases:
        row = {"kernel": name, "elements": n, "bytes": 7 * 4 * n, "max_rel_error": err}
        if err > 1e-5:
            row["error"] = "fused and unfused Adam disagree, not timed"
            print(f"  {name:28s} WRONG: max relative error {err:.2e}")
            rows.append(row)
            continue
        ms = gpu_ms(fn, args)
        unfused_ms = unfused_ms or ms
        row.update(median_ms=ms, gb_per_s=7 * 4 * n / (ms * 1e-3) / 1e9,
                   speedup_vs_unfused=unfused_ms / ms)
        print(f"  {name:28s} {ms:8.3f} ms  {row['gb_per_s']:8.1f} GB/s (7 arrays)  "
              f"{row['speedup_vs_unfused']:5.2f}x vs unfused")
        rows.append(row)
    return rows


# --- reductions ------------------------------------------------------------------------------
def bench_reduce(cupy: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Our Numba sums against ``cupy.sum`` on the shapes the first version served badly:
    a column sum of a tall, narrow matrix (16 threads in all, before) and row sums of
    short rows (a 256-thread tree per 10 values, before), plus a plain long row."""
    from tinygrad_edu.kernels.numba_cuda import reduce as numba_reduce

    rows = args.elements // 16
    cases = [((rows, 16), 0, "column sum, 16 columns"),
             ((args.elements // 10, 10), 1, "row sums, rows of 10"),
             ((args.elements // 1024, 1024), 1, "row sums, rows of 1024"),
             ((args.elements,), 0, "sum of everything")]
    print(f"\nreductions (sum) over ~{args.elements:,} float32 elements")
    rng = cupy.random.default_rng(1)
    out: list[dict[str, Any]] = []
    for shape, axis, title in cases:
        x = rng.standard_normal(shape, dtype=cupy.float32)
        want = x.sum(axis=axis)
        row: dict[str, Any] = {"case": title, "shape": list(shape), "axis": axis}
        try:
            got = numba_reduce.reduce_sum(x, axis=axis)
        except Exception as e:
            row["error"] = f"{type(e).__name__}: {e}"
            print(f"  {title:26s} FAILED: {row['error']}")
            out.append(row)
            continue
        scale = float(cupy.abs(x).sum(axis=axis).max()) or 1.0
        row["max_error_vs_cupy"] = float(cupy.abs(got - want).max()) / scale
        if row["max_error_vs_cupy"] > 1e-5:
            row["error"] = "wrong result, not timed"
            print(f"  {title:26s} WRONG: error {row['max_error_vs_cupy']:.2e}")
            out.append(row)
            continue
        ref_ms = gpu_ms(lambda x=x, axis=axis: cupy.sum(x, axis=axis), args)
        ms = gpu_ms(lambda x=x, axis=axis: numba_reduce.reduce_sum(x, axis=axis), args)
        row.update(cupy_ms=ref_ms, numba_ms=ms, gb_per_s=x.nbytes / (ms * 1e-3) / 1e9,
                   fraction_of_cupy=ref_ms / ms)
        print(f"  {title:26s} numba {ms:8.3f} ms ({row['gb_per_s']:7.1f} GB/s), cupy.sum "
              f"{ref_ms:8.3f} ms: {row['fraction_of_cupy']:6.1%} of cupy")
        out.append(row)
        del x, want, got
    cupy.get_default_memory_pool().free_all_blocks()
    return out


# --- end to end ------------------------------------------------------------------------------
def _wall_ms(fn: Callable[[], Any], sync: Callable[[], Any], warmup: int, repeat: int) -> float:
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def _tinygrad_step(kind: str, batch: int) -> Callable[[], Any]:
    """One training step (forward, loss, backward, Adam) on the cuda device."""
    import tinygrad_edu.nn as nn
    from tinygrad_edu import optim
    from tinygrad_edu.tensor import Tensor

    rng = np.random.default_rng(0)
    if kind == "mlp":
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        x_np = rng.standard_normal((batch, 784)).astype(np.float32)
    else:
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                              nn.Linear(8 * 13 * 13, 10))
        x_np = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    model = model.to("cuda")
    x = Tensor(x_np).to("cuda")
    y = Tensor(rng.integers(0, 10, batch)).to("cuda")
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def _torch_step(kind: str, batch: int) -> Callable[[], Any]:
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    if kind == "mlp":
        model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                    torch.nn.Linear(128, 10))
        x = torch.randn(batch, 784)
    else:
        model = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(),
                                    torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                                    torch.nn.Linear(8 * 13 * 13, 10))
        x = torch.randn(batch, 1, 28, 28)
    model, x = model.cuda(), x.cuda()
    y = torch.randint(0, 10, (batch,), device="cuda")
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def bench_end_to_end(cupy: Any, args: argparse.Namespace) -> dict[str, Any]:
    print("\nend-to-end training step")
    try:
        import tinygrad_edu.nn  # noqa: F401
    except ImportError as e:
        reason = f"tinygrad_edu.nn is not available yet ({e})"
        print(f"  skipped: {reason}")
        return {"skipped": reason}
    from tinygrad_edu.backend.cuda import use_kernels

    sync = cupy.cuda.Device().synchronize
    results: dict[str, Any] = {}
    models = {"W27 MLP 784-128-10": ("mlp", 128), "W17 CNN": ("cnn", 64)}
    for title, (kind, batch) in models.items():
        entry: dict[str, Any] = {"batch": batch}
        for matmul in ("cublas", "cupy-raw", "numba-register"):
            label = f"tinygrad_edu cuda, matmul={matmul}, adam=cupy-fused"
            try:
                with use_kernels(matmul=matmul, adam="cupy-fused"):
                    entry[label] = _wall_ms(_tinygrad_step(kind, batch), sync, 3, args.e2e_steps)
            except Exception as e:  # the nn API may not match this script yet
                entry[label] = {"skipped": f"{type(e).__name__}: {e}"}
        try:
            import torch

            if torch.cuda.is_available():
                entry["pytorch cuda"] = _wall_ms(_torch_step(kind, batch), torch.cuda.synchronize,
                                                 3, args.e2e_steps)
            else:
                entry["pytorch cuda"] = {"skipped": "torch has no CUDA here"}
        except ImportError:
            entry["pytorch cuda"] = {"skipped": "torch is not installed"}
        for label, value in entry.items():
            if label == "batch":
                continue
            shown = f"{value:8.3f} ms/step" if isinstance(value, float) else value["skipped"]
            print(f"  {title} (batch {batch}) — {label}: {shown}")
        results[title] = entry
    return results


# --- report ----------------------------------------------------------------------------------
def goals(matmul_rows: list[dict], elementwise_rows: list[dict]) -> list[dict[str, Any]]:
    out = []
    for kernel, target in MATMUL_GOALS.items():
        row = next((r for r in matmul_rows if r["kernel"] == kernel and r["size"][0] == 4096), None)
        value = row.get("fraction_of_cublas") if row else None
        out.append({"goal": f"{kernel} at 4096^3 >= {target:.0%} of cuBLAS", "value": value,
                    "target": target, "met": value is not None and value >= target})
    for kernel in ("cupy-elementwise add", "numba add"):
        row = next((r for r in elementwise_rows if r["kernel"] == kernel), None)
        value = row.get("fraction_of_reference") if row else None
        out.append({"goal": f"{kernel} >= {ELEMENTWISE_GOAL:.0%} of cupy.add", "value": value,
                    "target": ELEMENTWISE_GOAL,
                    "met": value is not None and value >= ELEMENTWISE_GOAL})
    return out


def write_results(report: dict[str, Any], text: str, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", report["environment"]["device"]).strip("-").lower()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    json_path = out_dir / f"gpu_kernels_{slug}_{stamp}.json"
    text_path = json_path.with_suffix(".txt")
    json_path.write_text(json.dumps(report, indent=2, default=float) + "\n")
    text_path.write_text(text)
    return json_path, text_path


class _Tee:
    """Print and keep a copy, so the text report is exactly what was printed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._stdout = sys.stdout

    def write(self, s: str) -> int:
        self.lines.append(s)
        return self._stdout.write(s)

    def flush(self) -> None:
        self._stdout.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096, 4097],
                        help="square matmul sizes (default: 1024 2048 4096 4097)")
    parser.add_argument("--kernels", nargs="+", default=list(MATMUL_KERNELS),
                        choices=MATMUL_KERNELS, help="matmul kernels to time (cublas first)")
    parser.add_argument("--elements", type=int, default=2**28,
                        help="elementwise array length (default 2^28; at least 2^26)")
    parser.add_argument("--repeat", type=int, default=50, help="timed calls per case")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per case")
    parser.add_argument("--max-duration", type=float, default=5.0,
                        help="seconds per case at most (fewer repeats for slow kernels)")
    parser.add_argument("--skip-e2e", action="store_true", help="skip the training-step part")
    parser.add_argument("--e2e-steps", type=int, default=20, help="timed training steps")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if "cublas" in args.kernels:  # the reference first, so ratios can be printed as we go
        args.kernels = ["cublas"] + [k for k in args.kernels if k != "cublas"]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cupy, reason = import_cupy()
    if cupy is None:
        print(f"gpu_kernels.py needs CuPy and an NVIDIA GPU: {reason}.\n  {INSTALL}",
              file=sys.stderr)
        return 2
    from tinygrad_edu.kernels.driver import check_driver

    try:
        check_driver()  # a driver too old for our compilers fails here, not mid-benchmark
    except RuntimeError as e:
        print(f"gpu_kernels.py: {e}", file=sys.stderr)
        return 2
    tee = _Tee()
    sys.stdout = tee
    try:
        env = environment(cupy)
        print(f"device: {env['device']} (cc {env['compute_capability']}, "
              f"{env['multiprocessors']} SMs); cupy {env['cupy']}, numba-cuda {env['numba_cuda']}")
        env["cublas_full_fp32"] = cublas_uses_full_fp32(cupy)
        if not env["cublas_full_fp32"]:
            print("cuBLAS is computing in TF32 (NVIDIA_TF32_OVERRIDE?): the fp32 reference is "
                  "invalid; unset it and run again", file=sys.stderr)
            return 1
        matmul_rows = bench_matmul(cupy, args)
        elementwise_rows = bench_elementwise(cupy, args)
        reduce_rows = bench_reduce(cupy, args)
        e2e = {"skipped": "--skip-e2e"} if args.skip_e2e else bench_end_to_end(cupy, args)
        goal_rows = goals(matmul_rows, elementwise_rows)
        print("\ngoals")
        for g in goal_rows:
            shown = f"{g['value']:.1%}" if g["value"] is not None else "not measured"
            status = "n/a " if g["value"] is None else ("met " if g["met"] else "MISS")
            print(f"  [{status}] {g['goal']}: {shown}")
        report = {"environment": env, "settings": {k: str(v) for k, v in vars(args).items()},
                  "matmul": matmul_rows, "elementwise": elementwise_rows,
                  "reductions": reduce_rows, "end_to_end": e2e,
                  "goals": goal_rows}
    finally:
        sys.stdout = tee._stdout
    json_path, text_path = write_results(report, "".join(tee.lines), args.out)
    print(f"\nwrote {json_path.relative_to(ROOT) if json_path.is_relative_to(ROOT) else json_path}"
          f" and {text_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
