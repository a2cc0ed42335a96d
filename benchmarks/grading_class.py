"""Throughput of `tinygrad-edu grade-all` on a synthetic class.

    python benchmarks/grading_class.py [--students 200] [--jobs N] [--timeout 2]

Builds a class for the `mse` exercise (55 % correct, 25 % partly wrong, 10 % crashing,
5 % hanging at import, 5 % starters; tests/grading_cases/roster.py), grades it with
`grade-all`, checks every score, and prints submissions per minute and the overhead per
submission: the wall time of one job slot per submission minus the grading time that
results.json reports (which includes starting the submission's isolated child).
A second run shows the cache (nothing to grade).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from grading_cases.roster import synthetic  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        work = Path(tmp)
        expected = synthetic(work / "subs", args.students)
        argv = [sys.executable, "-m", "tinygrad_edu.course", "grade-all", "mse", "subs", "-o",
                "out", "--jobs", str(args.jobs), "--timeout", f"{args.timeout:g}"]
        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
        started = time.monotonic()
        proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            return 1
        with (work / "out" / "gradebook.csv").open(encoding="utf-8") as f:
            rows = {r["student"]: r for r in csv.DictReader(f)}
        wrong = [s for s, e in expected.items()
                 if (float(rows[s]["total"]), rows[s]["status"]) != (e.score, e.status)]
        in_checks = []
        for student in rows:
            data = json.loads((work / "out" / "results" / student / "results.json").read_text())
            in_checks.append(float(data["execution_time"]))
        per_slot = [float(r["seconds"]) for r in rows.values()]
        hang_s = sum(e.hangs for e in expected.values()) * args.timeout
        started = time.monotonic()
        again = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        rerun = time.monotonic() - started
    kinds: dict[str, int] = {}
    for e in expected.values():
        kinds[e.status] = kinds.get(e.status, 0) + 1
    print(f"{args.students} submissions ({', '.join(f'{n} {k}' for k, n in kinds.items())}), "
          f"{args.jobs} jobs, {args.timeout:g} s per check, on {os.cpu_count()} cores")
    print(f"  wall time          {wall:.1f} s  ({hang_s:.0f} s of it are time limits waited out "
          f"by hanging submissions, shared by the jobs)")
    print(f"  throughput         {60 * args.students / wall:.0f} submissions per minute")
    print(f"  per submission     {statistics.mean(per_slot):.2f} s of a job slot (median "
          f"{statistics.median(per_slot):.2f} s), of which {statistics.mean(in_checks):.2f} s "
          "grading (child start-up and checks)")
    overhead = statistics.median(per_slot) - statistics.median(in_checks)
    print(f"  overhead           {overhead:.2f} s per submission (median) beyond grading "
          "itself: queueing, preparing the files, the cache, writing the results (the "
          "worker keeps Python, hypothesis and the exercise loaded; each submission's own "
          "isolated child still starts Python and numpy, inside the grading time)")
    print(f"  second run         {rerun:.1f} s (unchanged submissions are not graded again: "
          f"{'ok' if '0 graded now' in again.stdout else 'NOT CACHED'})")
    print(f"  scores             {'all as expected' if not wrong else f'WRONG for {wrong[:5]}'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
