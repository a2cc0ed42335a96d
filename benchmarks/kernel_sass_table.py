#!/usr/bin/env python3
"""The matmul kernels' machine code, counted — no GPU needed.

    python benchmarks/kernel_sass_table.py            # print, and write benchmarks/results/
    python benchmarks/kernel_sass_table.py --no-write

Compiles every register-blocked matmul for sm_90 (Numba → PTX → ptxas, CUDA C++ → NVRTC),
reads the SASS back (``kernels/machine_code.py``) and prints registers per thread, blocks
per SM at 256 threads, spills and the K loop's FFMA share, next to the same numbers for the
first versions of the kernels (measured the same way on commit 2da1d85).

The last column is an **estimate**, not a measurement: a crude model of how far each
kernel would get towards cuBLAS on an H100,

    fraction of cuBLAS ≈ FFMA share × issue efficiency / 0.76

where 0.76 is cuBLAS SGEMM's own fraction of the fp32 peak (51 of 67 TFLOP/s at 4096³,
``shared/GPU.md``) and the *issue efficiency* — how many issue slots the warps keep busy
rather than stalled on memory or barriers — is a range chosen by what the code does:

* 1 block (8 warps) per SM, next tile prefetched into registers: 0.50–0.70;
* 1 block per SM, no prefetch, two barriers per K step: 0.35–0.50;
* 2 blocks per SM, no prefetch, two barriers per K step: 0.40–0.55;
* 2 blocks per SM, prefetched, two barriers per K step: 0.50–0.70;
* 2 blocks per SM, double-buffered (one barrier per K step): 0.55–0.75.

The first and third are calibrated so that the model reproduces the estimates made for
the first versions by reading their code (25–35 % and 45–65 % of cuBLAS); the others are
judgement, deliberately conservative. The model ignores shared-memory bandwidth, bank
conflicts, instruction-cache misses and wave quantisation, so it flatters every kernel
about equally. Only ``benchmarks/gpu_kernels.py`` on a GPU gives real numbers.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # kernels/ from this checkout

CUBLAS_OF_PEAK = 0.76  # cuBLAS SGEMM at 4096^3 on an H100: ~51 of ~67 TFLOP/s fp32

# How the K loop hides memory latency -> issue-efficiency range (see the docstring).
EFFICIENCY = {
    "1 block, prefetch": (0.50, 0.70),
    "1 block, no prefetch, 2 barriers": (0.35, 0.50),
    "2 blocks, no prefetch, 2 barriers": (0.40, 0.55),
    "2 blocks, prefetch, 2 barriers": (0.50, 0.70),
    "2 blocks, double-buffered": (0.55, 0.75),
}


@dataclass(frozen=True)
class Row:
    kernel: str
    registers: int
    blocks_per_sm: int
    spill_bytes: int
    ffma: int
    instructions: int
    pipeline: str

    @property
    def share(self) -> float:
        return self.ffma / self.instructions if self.instructions else 0.0

    def estimate(self) -> tuple[float, float]:
        lo, hi = EFFICIENCY[self.pipeline]
        return (min(1.0, self.share * lo / CUBLAS_OF_PEAK),
                min(1.0, self.share * hi / CUBLAS_OF_PEAK))


# The first versions, as this script measured them on commit 2da1d85 (nvcc/NVVM 13.5).
BEFORE = [
    Row("numba matmul_register", 160, 1, 0, 64, 171, "1 block, prefetch"),
    Row("cupy-raw large float4", 125, 2, 0, 512, 585, "2 blocks, no prefetch, 2 barriers"),
    Row("cupy-raw large scalar", 130, 1, 0, 512, 730, "1 block, no prefetch, 2 barriers"),
]
# What the current kernels do (read from their source).
PIPELINE_NOW = {
    "numba matmul_register": "2 blocks, prefetch, 2 barriers",
    "cupy-raw large float4": "2 blocks, double-buffered",
    "cupy-raw large scalar": "2 blocks, double-buffered",
    "cupy-raw small float4": "2 blocks, double-buffered",
    "cupy-raw small scalar": "2 blocks, double-buffered",
}
# Only the 128 x 128 tiles are the 4096^3 kernels; the small tile is for small matrices.
ESTIMATED = {"numba matmul_register", "cupy-raw large float4", "cupy-raw large scalar"}


def current_rows() -> list[Row]:
    from tinygrad_edu.kernels import machine_code as mc

    rows = []
    for name, r in mc.matmul_reports().items():
        rows.append(Row(name, r.registers, r.blocks_per_sm, r.spill_bytes, r.loop.ffma,
                        r.loop.instructions, PIPELINE_NOW[name]))
    return rows


def table(title: str, rows: list[Row]) -> str:
    lines = [f"### {title}", "",
             "| kernel | regs/thread | blocks/SM (256 threads) | spills (bytes) | "
             "K-loop FFMA / all | estimated % of cuBLAS at 4096³ (**estimate**) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        if r.kernel in ESTIMATED:
            lo, hi = r.estimate()
            estimate = f"~{lo:.0%}–{hi:.0%} (est.)"
        else:
            estimate = "— (small-matrix tile)"
        lines.append(f"| {r.kernel} | {r.registers} | {r.blocks_per_sm} "
                     f"({r.blocks_per_sm * 256 / 2048:.1%} occupancy) | {r.spill_bytes} | "
                     f"{r.ffma}/{r.instructions} = {r.share:.1%} | {estimate} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    try:
        rows = current_rows()
    except Exception as e:  # compilers or disassemblers missing: say which
        print(f"cannot read the machine code here: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    text = "\n\n".join([
        "## Matmul kernels compiled for sm_90 (H100), counted from SASS",
        table("Before (commit 2da1d85)", BEFORE),
        table("Now", rows),
        "Estimates: FFMA share × issue efficiency / 0.76 (cuBLAS's fraction of peak); see "
        "`benchmarks/kernel_sass_table.py`. They are not measurements.",
    ]) + "\n"
    print(text)
    if not args.no_write:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "kernel_sass_table.md"
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        path.write_text(f"<!-- written by benchmarks/kernel_sass_table.py, {stamp} -->\n\n" + text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
