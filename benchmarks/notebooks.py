"""Benchmark: executing the solution notebooks q_zkc and q_ae.

Target (issue 15): both notebooks executed in the quick profile in under 2 minutes
together. The full profile's time is measured and recorded (no target: on a CPU it is
long; the notebooks' first cells state it).

Each measurement is `build_notebooks` end to end: inlining, a fresh kernel per notebook
(one that cannot import the project), every cell, the probe, the student version,
validation and the atomic writes. The notebooks compute everything themselves
(`standalone`: q_ae trains every group, as a student's or TA's run does, instead of
reading the groups the build hands it), so there is no cold/warm distinction. Two quick
builds are compared byte for byte (determinism).

    python benchmarks/notebooks.py [--full] [--only q_zkc]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from answerkey.experiments import notebooks as N  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "notebooks.json"
QUICK_TARGET_S = 120.0


def timed_build(out: Path, quick: bool, names) -> tuple[float, dict]:
    start = time.perf_counter()
    summary = N.build_notebooks(out, quick=quick, names=names, log=lambda _: None, standalone=True)
    return time.perf_counter() - start, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time the full profile")
    parser.add_argument("--only", action="append", choices=N.NOTEBOOKS)
    args = parser.parse_args()
    names = args.only or N.NOTEBOOKS
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="answerkey-bench-") as scratch:
        scratch = Path(scratch)
        first_s, first = timed_build(scratch / "first", True, names)
        second_s, _ = timed_build(scratch / "second", True, names)
        identical = all(
            (scratch / run / "solutions" / f"{name}.ipynb").read_bytes()
            == (scratch / "first" / "solutions" / f"{name}.ipynb").read_bytes()
            for name in names
            for run in ("second",)
        )
        rows["quick"] = {
            "seconds": round(min(first_s, second_s), 1),
            "per_notebook": first["timings"],
            "target_s": QUICK_TARGET_S,
            "ok": min(first_s, second_s) < QUICK_TARGET_S,
        }
        if args.full:
            full_s, full = timed_build(scratch / "full", False, names)
            rows["full"] = {"seconds": round(full_s, 1), "per_notebook": full["timings"]}
    print(f"{'profile':<8} {'seconds':>8}  per notebook")
    for name, row in rows.items():
        print(f"{name:<8} {row['seconds']:>8.1f}  {row['per_notebook']}")
    print(f"quick under {QUICK_TARGET_S:.0f} s: {rows['quick']['ok']}")
    print(f"two quick builds byte-identical: {identical}")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, shared with other jobs; load {load:.1f}")
    RESULTS.parent.mkdir(exist_ok=True)
    record = {"runs": rows, "deterministic": identical, "load_average": load}
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    return 0 if identical and rows["quick"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
